/* The refang loop's 16-byte fast path against the byte-at-a-time loop (the
 * same file built with HY_REFANG_SCALAR): identical output and offset maps
 * on random texts dense in the bytes that start defangs, and on a text of
 * every style the refanger knows, cut at every length. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "hayate/buf.h"
#include "hayate/ioc.h"

hy_err scalar_refang(const char *in, size_t n, hy_buf *out, uint32_t **map);
#define HY_REFANG_SCALAR 1
#define hy__refang_run scalar_refang_run
#define hy__anchors_map scalar_anchors_map
#define hy__anchors_free scalar_anchors_free
#define hy_refang scalar_refang
#include "../../lib/text/refang.c"
#undef hy__refang_run
#undef hy__anchors_map
#undef hy__anchors_free
#undef hy_refang

/* Both refangers on in[0..n): the same bytes and the same offset map. */
static void same(const char *in, size_t n)
{
    hy_buf a, b;
    uint32_t *ma = NULL, *mb = NULL;
    hy_buf_init(&a, 1u << 24);
    hy_buf_init(&b, 1u << 24);
    assert_int_equal(hy_refang(in, n, &a, &ma), HY_OK);
    assert_int_equal(scalar_refang(in, n, &b, &mb), HY_OK);
    if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
        fail_msg("refang differs on %zu bytes: %zu vs %zu bytes out", n, a.len, b.len);
    assert_memory_equal(ma, mb, (a.len + 1) * sizeof *ma);
    free(ma);
    free(mb);
    hy_buf_free(&a);
    hy_buf_free(&b);
}

static void test_random_texts(void **state)
{
    (void)state;
    static const char alpha[] = "  ..--[](){}<>\\\\,,::@/aAdDtToOxhp0123456789 .exampl";
    uint64_t s = 12345;
    char buf[600];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % 597) + 1;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            buf[i] = alpha[(s >> 33) % (sizeof alpha - 1)];
        }
        same(buf, n);
    }
}

static void test_every_style_every_cut(void **state)
{
    (void)state;
    static const char text[] =
        "Beacons went to hxxps://evil[.]example[.]com/gate.php?id=1 and hXXp://10[.]0[.]0[.]1:8080/x "
        "then mail bob[at]example(dot)com or bob at example dot com, alice [@] corp {.} org; "
        "see h**p://a.b[/]c, fxp://files[.]example[.]net, http ://spaced . example . org, "
        "1.2.3[.]4, 5(.)6(.)7(.)8, example[dot]com, host-dot-example-dot-com, c:\\\\temp\\\\x.exe, "
        "http:\\/\\/esc\\.example\\.com and http://example,com/path plus [http]://x[.]y and "
        "a plain sentence of prose that has no defang at all, written long enough to cross "
        "several sixteen-byte blocks - twice - to be sure. The end [.] ";
    for (size_t n = 0; n <= sizeof text - 1; n++)
        same(text, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_texts),
        cmocka_unit_test(test_every_style_every_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
