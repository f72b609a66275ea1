/* Median and MAD against sorted references on random and tied inputs. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "hayate/stats.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double ref_median(const double *x, size_t n)
{
    double *s = malloc(n * sizeof *s), m;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp);
    m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m;
}

static void test_median_matches_sort(void **state)
{
    (void)state;
    unsigned seed = 7;
    for (size_t n = 1; n <= 200; n++) {
        double x[200], y[200];
        for (size_t i = 0; i < n; i++)
            x[i] = (double)(rand_r(&seed) % (n < 20 ? 4 : 1000)); /* many ties when small */
        memcpy(y, x, n * sizeof *x);
        assert_true(hy_median(y, n) == ref_median(x, n));
    }
}

static void test_mad(void **state)
{
    (void)state;
    double x[] = {1, 1, 2, 2, 4, 6, 9};
    double m = hy_median(x, 7);
    assert_true(m == 2);
    double y[] = {1, 1, 2, 2, 4, 6, 9};
    assert_true(hy_mad(y, 7, m) == 1); /* deviations 1 1 0 0 2 4 7 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_matches_sort),
        cmocka_unit_test(test_mad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
