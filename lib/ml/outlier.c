/* The iterative variance-ratio outlier rule of Han et al. (TrustCom 2019,
 * IEICE Trans. 2020): drop the maximum while doing so shrinks the variance
 * to at most ratio times what it was. The points still kept are always the
 * smallest ones, i.e. a prefix of the sorted series, so the population
 * variance of every prefix is computed once (Welford, stable) and each step
 * is a lookup: O(n log n) whatever the number of outliers. */
#include "hayate/glasso.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct vr_item {
    double v;
    size_t i;
} vr_item;

static int vr_cmp(const void *a, const void *b)
{
    const vr_item *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i); /* total order: qsort is not stable */
}

hy_err hy_varratio_outliers(const double *x, size_t n, double ratio, bool *outlier, size_t *n_out)
{
    if (!n_out || (n > 0 && (!x || !outlier)))
        return hy_err_set(HY_ERR_ARG, "varratio: NULL argument");
    *n_out = 0;
    if (!(ratio > 0 && ratio <= 1))
        return hy_err_set(HY_ERR_ARG, "varratio: ratio %g not in (0, 1]", ratio);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return hy_err_set(HY_ERR_ARG, "varratio: x[%zu] is not finite", i);
        outlier[i] = false;
    }
    if (n < 3)
        return HY_OK;
    if (n > SIZE_MAX / sizeof(vr_item))
        return hy_err_set(HY_ERR_ARG, "varratio: n = %zu too large", n);
    vr_item *it = malloc(n * sizeof *it);
    double *m2 =
        malloc((n + 1) * sizeof *m2); /* m2[k]: sum of squared deviations of the k smallest */
    hy_err e = HY_OK;
    if (!it || !m2) {
        e = hy_err_set(HY_ERR_NOMEM, "varratio: %zu points", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        it[i] = (vr_item){x[i], i};
    qsort(it, n, sizeof *it, vr_cmp);
    double mean = 0;
    m2[0] = 0;
    for (size_t k = 0; k < n; k++) {
        double d = it[k].v - mean;
        mean += d / (double)(k + 1);
        m2[k + 1] = m2[k] + d * (it[k].v - mean);
    }
    size_t keep = n;
    for (;;) {
        size_t rest = keep; /* the points below the current maximum */
        while (rest > 0 && it[rest - 1].v == it[keep - 1].v)
            rest--;
        if (rest < 2 || !(m2[keep] > 0))
            break;
        double v_with = m2[keep] / (double)keep, v_rest = m2[rest] / (double)rest;
        if (!(v_rest / v_with <= ratio))
            break;
        for (size_t k = rest; k < keep; k++)
            outlier[it[k].i] = true;
        *n_out += keep - rest;
        keep = rest;
    }
out:
    free(it);
    free(m2);
    return e;
}
