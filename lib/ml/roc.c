/* ROC AUC and the detection rate at a false-positive budget
 * (include/hayate/roc.h). */
#include <math.h>
#include <stdlib.h>

#include "hayate/roc.h"

typedef struct scored {
    double s;
    int pos;
} scored;

static int by_score_desc(const void *x, const void *y)
{
    double a = ((const scored *)x)->s, b = ((const scored *)y)->s;
    return (a < b) - (a > b);
}

/* The pairs sorted by descending score, with the class counts. */
static hy_err sorted(const double *score, const float *label, size_t n, scored **out, size_t *np,
                     size_t *nn)
{
    scored *v;
    *np = *nn = 0;
    if (!score || !label || !n)
        return hy_err_set(HY_ERR_ARG, "roc: no scores");
    if (!(v = malloc(n * sizeof *v)))
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(score[i])) {
            free(v);
            return hy_err_set(HY_ERR_ARG, "roc: score %zu is not finite", i);
        }
        v[i].s = score[i];
        v[i].pos = label[i] > 0.5f;
        *np += (size_t)v[i].pos;
    }
    *nn = n - *np;
    if (!*np || !*nn) {
        free(v);
        return hy_err_set(HY_ERR_ARG, "roc: %zu positives and %zu negatives; both are needed",
                          *np, *nn);
    }
    qsort(v, n, sizeof *v, by_score_desc);
    *out = v;
    return HY_OK;
}

hy_err hy_roc_auc(const double *score, const float *label, size_t n, double *auc)
{
    scored *v = NULL;
    size_t np, nn;
    double negs_above = 0, sum = 0; /* positives outranking negatives */
    hy_err rc = sorted(score, label, n, &v, &np, &nn);
    if (rc != HY_OK)
        return rc;
    for (size_t i = 0; i < n;) {
        size_t j = i, p = 0, q = 0;
        for (; j < n && v[j].s == v[i].s; j++)
            v[j].pos ? p++ : q++;
        /* each positive in the group beats the negatives below it, ties half */
        sum += (double)p * ((double)nn - negs_above - (double)q) + 0.5 * (double)p * (double)q;
        negs_above += (double)q;
        i = j;
    }
    *auc = sum / ((double)np * (double)nn);
    free(v);
    return HY_OK;
}

hy_err hy_roc_tpr_at(const double *score, const float *label, size_t n, double fpr, double *tpr,
                     double *threshold)
{
    scored *v = NULL;
    size_t np, nn, tp = 0, fp = 0;
    hy_err rc;
    if (!(fpr >= 0 && fpr <= 1) || !tpr || !threshold)
        return hy_err_set(HY_ERR_ARG, "roc: false-positive rate %g not in [0, 1]", fpr);
    if ((rc = sorted(score, label, n, &v, &np, &nn)) != HY_OK)
        return rc;
    *tpr = 0;
    *threshold = INFINITY;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        for (; j < n && v[j].s == v[i].s; j++)
            v[j].pos ? tp++ : fp++;
        if ((double)fp > fpr * (double)nn)
            break;
        if ((double)tp / (double)np > *tpr) { /* the highest threshold of each rate */
            *tpr = (double)tp / (double)np;
            *threshold = v[i].s;
        }
        i = j;
    }
    free(v);
    return HY_OK;
}
