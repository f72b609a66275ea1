/* Robust statistics: median by quickselect, median absolute deviation. */
#include "hayate/stats.h"

#include <math.h>

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* k-th smallest of x[0..n) by Hoare's selection with a median-of-three
 * pivot; reorders x. Linear on average; the deterministic pivot keeps
 * results reproducible. */
static double select_k(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] < x[lo])
            swap(&x[mid], &x[lo]);
        if (x[hi] < x[lo])
            swap(&x[hi], &x[lo]);
        if (x[hi] < x[mid])
            swap(&x[hi], &x[mid]);
        double piv = x[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < piv)
                i++;
            while (x[j] > piv)
                j--;
            if (i <= j) {
                swap(&x[i], &x[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return x[k];
    }
    return x[k];
}

double hy_median(double *x, size_t n)
{
    double hi = select_k(x, n, n / 2), lo;
    if (n % 2)
        return hi;
    /* the largest of the lower half, now in x[0..n/2) */
    lo = x[0];
    for (size_t i = 1; i < n / 2; i++)
        if (x[i] > lo)
            lo = x[i];
    return (lo + hi) / 2;
}

double hy_mad(double *x, size_t n, double med)
{
    for (size_t i = 0; i < n; i++)
        x[i] = fabs(x[i] - med);
    return hy_median(x, n);
}
