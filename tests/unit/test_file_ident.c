/* File typing (libmagic) and ssdeep (libfuzzy). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/ident.h"

#define TEXT_LEN 100000
/* ssdeep -b on salad(1) of TEXT_LEN bytes (Debian ssdeep 2.14.1) */
#define SALAD1_SSDEEP                                                                           \
    "1536:CT9rwicjjqkcnfLKrRnKaFtBR/vr1VA/1wGG/5gMg5IG0Q3IDmYioYsJVM2TrLRB:2wiSOneNKUzVAdwGiTd7xY" \
    "sTMWrLRpz"

/* Deterministic word-salad text, so ssdeep has structure to find. */
static void salad(uint8_t *out, size_t n, uint32_t seed)
{
    uint32_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t r = (x >> 16) % 32;
        out[i] = r < 26 ? (uint8_t)('a' + r % 7 + (r > 20 ? 10 : 0)) : ' ';
    }
}

static void test_types(void **st)
{
    hy_typer *t;
    char mime[128], desc[256];
    static const uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, [16] = 2, [18] = 62};
    (void)st;
    assert_int_equal(hy_typer_create(&t), HY_OK);
    assert_int_equal(hy_typer_type(t, (const uint8_t *)"hello world\n", 12, mime, sizeof mime,
                                   desc, sizeof desc),
                     HY_OK);
    assert_string_equal(mime, "text/plain");
    assert_non_null(strstr(desc, "text"));
    assert_int_equal(hy_typer_type(t, elf, sizeof elf, mime, sizeof mime, desc, sizeof desc),
                     HY_OK);
    assert_non_null(strstr(desc, "ELF 64-bit"));
    assert_int_equal(hy_typer_type(t, (const uint8_t *)"", 0, mime, sizeof mime, desc,
                                   sizeof desc),
                     HY_OK);
    assert_string_equal(mime, "application/x-empty");
    /* outputs are cut to their cap */
    assert_int_equal(hy_typer_type(t, elf, sizeof elf, mime, 4, desc, 5), HY_OK);
    assert_int_equal(strlen(mime), 3);
    assert_int_equal(strlen(desc), 4);
    hy_typer_destroy(t);
}

static void test_ssdeep(void **st)
{
    static uint8_t a[TEXT_LEN], b[TEXT_LEN], c[TEXT_LEN];
    char da[HY_SSDEEP_MAX], db[HY_SSDEEP_MAX], dc[HY_SSDEEP_MAX];
    (void)st;
    salad(a, sizeof a, 1);
    memcpy(b, a, sizeof b);
    memcpy(b + 40000, "a small change in the middle of it", 34);
    salad(c, sizeof c, 2);
    assert_int_equal(hy_ssdeep(a, sizeof a, da), HY_OK);
    assert_int_equal(hy_ssdeep(b, sizeof b, db), HY_OK);
    assert_int_equal(hy_ssdeep(c, sizeof c, dc), HY_OK);
    /* the same digest as Debian's ssdeep CLI on these bytes */
    assert_string_equal(da, SALAD1_SSDEEP);
    assert_int_equal(hy_ssdeep_compare(da, da), 100);
    assert_true(hy_ssdeep_compare(da, db) >= 50);
    assert_int_equal(hy_ssdeep_compare(da, dc), 0);
    assert_int_equal(hy_ssdeep_compare(da, "not a digest"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_ssdeep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
