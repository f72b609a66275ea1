/* hy_dynlib: a library opened on first use resolves its symbols into the
 * table; a missing library or symbol is an error naming the library, its
 * package, what needs it and the symbol, the same on every later call. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "core/dynlib.h"

#define M_FNS(X) X(cos) X(ldexp)
static struct {
    M_FNS(HY_DYNLIB_FIELD)
} M;
#define M_SLOT(f) HY_DYNLIB_SLOT(M, f)
static const char *const m_names[] = {M_FNS(HY_DYNLIB_NAME) NULL};
static void *const m_slots[] = {M_FNS(M_SLOT)};

static void test_resolves(void **state)
{
    (void)state;
    hy_dynlib l = {.soname = "libm.so.6",
                   .purpose = "the test",
                   .package = "libc6",
                   .names = m_names,
                   .slots = m_slots};
    assert_int_equal(hy_dynlib_load(&l), HY_OK);
    assert_non_null(M.cos);
    assert_true(M.cos(0.0) == 1.0);
    assert_true(M.ldexp(3.0, 4) == 48.0);
    assert_int_equal(hy_dynlib_load(&l), HY_OK); /* again: already loaded */
}

static void test_missing_library(void **state)
{
    (void)state;
    hy_dynlib l = {.soname = "libhayate-no-such.so.9",
                   .purpose = "PDF input",
                   .package = "libno-such9",
                   .names = m_names,
                   .slots = m_slots};
    for (int i = 0; i < 2; i++) { /* the same answer the second time */
        assert_int_equal(hy_dynlib_load(&l), HY_ERR_UNSUPPORTED);
        const char *d = hy_err_detail();
        assert_non_null(strstr(d, "PDF input needs libhayate-no-such.so.9"));
        assert_non_null(strstr(d, "Debian package libno-such9"));
    }
}

static void test_missing_symbol(void **state)
{
    (void)state;
    static const char *const names[] = {"cos", "hy_no_such_function", NULL};
    void (*a)(void) = NULL, (*b)(void) = NULL;
    void *const slots[] = {(void *)&a, (void *)&b};
    hy_dynlib l = {.soname = "libm.so.6",
                   .purpose = "the test",
                   .package = "libc6",
                   .names = names,
                   .slots = slots};
    assert_int_equal(hy_dynlib_load(&l), HY_ERR_UNSUPPORTED);
    assert_non_null(strstr(hy_err_detail(), "lacks hy_no_such_function"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolves),
        cmocka_unit_test(test_missing_library),
        cmocka_unit_test(test_missing_symbol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
