/* hy_dynlib: a library opened on first use resolves its symbols into the
 * table; a missing library or symbol is an error naming the library, its
 * package, what needs it and the symbol, the same on every later call; a
 * table that does not hold one pointer a name is refused before dlopen. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "core/dynlib.h"

#define M_FNS(X) X(cos) X(ldexp)
HY_DYNLIB(M, M_FNS, "libm.so.6", "the test", "libc6");

#define NONE_FNS(X) X(cos)
HY_DYNLIB(N, NONE_FNS, "libhayate-no-such.so.9", "PDF input", "libno-such9");

static void test_resolves(void **state)
{
    (void)state;
    assert_int_equal(hy_dynlib_load(&M_lib), HY_OK);
    assert_non_null(M.cos);
    assert_true(M.cos(0.0) == 1.0);
    assert_true(M.ldexp(3.0, 4) == 48.0);            /* the second slot, not the first again */
    assert_int_equal(hy_dynlib_load(&M_lib), HY_OK); /* again: already loaded */
}

static void test_missing_library(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) { /* the same answer the second time */
        assert_int_equal(hy_dynlib_load(&N_lib), HY_ERR_UNSUPPORTED);
        const char *d = hy_err_detail();
        assert_non_null(strstr(d, "PDF input needs libhayate-no-such.so.9"));
        assert_non_null(strstr(d, "Debian package libno-such9"));
    }
}

/* Loads names from libm into tab (size bytes) through a library of its own. */
static hy_err load_libm(const char *const *names, hy_dynlib_fn *tab, size_t size)
{
    hy_dynlib l = {.soname = "libm.so.6",
                   .purpose = "the test",
                   .package = "libc6",
                   .names = names,
                   .table = tab,
                   .table_size = size};
    return hy_dynlib_load(&l);
}

static void test_missing_symbol(void **state)
{
    (void)state;
    static const char *const names[] = {"cos", "hy_no_such_function", NULL};
    hy_dynlib_fn tab[2] = {0};
    assert_int_equal(load_libm(names, tab, sizeof tab), HY_ERR_UNSUPPORTED);
    assert_non_null(strstr(hy_err_detail(), "lacks hy_no_such_function"));
}

static void test_bad_table(void **state)
{
    (void)state;
    static const char *const names[] = {"cos", "ldexp", NULL};
    hy_dynlib_fn tab[1] = {0}; /* room for one of the two */
    assert_int_equal(load_libm(names, tab, sizeof tab), HY_ERR_INTERNAL);
    assert_null(tab[0]); /* nothing written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolves),
        cmocka_unit_test(test_missing_library),
        cmocka_unit_test(test_missing_symbol),
        cmocka_unit_test(test_bad_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
