/* Evaluating gradient-boosted models: cross-validation and a held-out set,
 * scored by AUC and the detection rate at 0.1% and 1% false positives
 * (include/hayate/gbm.h). */
#include <stdlib.h>

#include "hayate/gbm.h"
#include "hayate/json.h"
#include "hayate/roc.h"

/* The figures of scores against labels. */
static hy_err figures(const double *s, const float *y, size_t n, hy_gbm_eval *e)
{
    hy_err rc;
    size_t right = 0;
    e->rows = n;
    e->positives = 0;
    for (size_t i = 0; i < n; i++) {
        e->positives += y[i] > 0.5f;
        right += (s[i] >= 0.5) == (y[i] > 0.5f);
    }
    e->accuracy = n ? (double)right / (double)n : 0;
    if ((rc = hy_roc_auc(s, y, n, &e->auc)) != HY_OK ||
        (rc = hy_roc_tpr_at(s, y, n, 0.001, &e->tpr_at_01, &e->thr_at_01)) != HY_OK)
        return rc;
    return hy_roc_tpr_at(s, y, n, 0.01, &e->tpr_at_1, &e->thr_at_1);
}

/* Trains on train and appends test's scores and labels at s + *at. */
static hy_err score_into(const hy_mldata *train, const hy_mldata *test, const hy_gbm_params *p,
                         double *s, float *y, size_t *at)
{
    hy_gbm *m = NULL;
    hy_err rc = hy_gbm_train(train, p, &m);
    if (rc == HY_OK && (rc = hy_gbm_score_set(m, test, s + *at)) == HY_OK) {
        for (size_t i = 0; i < test->rows; i++)
            y[*at + i] = test->labels[i];
        *at += test->rows;
    }
    hy_gbm_free(m);
    return rc;
}

hy_err hy_gbm_cv(const hy_mldata *d, unsigned k, unsigned run, uint64_t seed,
                 const hy_gbm_params *p, hy_gbm_eval *out)
{
    uint8_t *fold = NULL, *mask = NULL;
    double *s = NULL;
    float *y = NULL;
    size_t at = 0;
    hy_err rc;
    if (!d || !p || !out || !run || run > k)
        return hy_err_set(HY_ERR_ARG, "gbm_cv: bad arguments (run %u of %u folds)", run, k);
    if (!(fold = malloc(d->rows)) || !(mask = malloc(d->rows)) ||
        !(s = malloc(d->rows * sizeof *s)) || !(y = malloc(d->rows * sizeof *y))) {
        rc = HY_ERR_NOMEM;
        goto out;
    }
    if ((rc = hy_mldata_folds(d, k, seed, fold)) != HY_OK)
        goto out;
    for (unsigned f = 0; f < run && rc == HY_OK; f++) {
        hy_mldata *tr = NULL, *te = NULL;
        for (size_t i = 0; i < d->rows; i++)
            mask[i] = fold[i] == f;
        if ((rc = hy_mldata_split(d, mask, &tr, &te)) == HY_OK)
            rc = score_into(tr, te, p, s, y, &at);
        hy_mldata_free(tr);
        hy_mldata_free(te);
    }
    if (rc == HY_OK && (rc = figures(s, y, at, out)) == HY_OK)
        out->folds_run = run;
out:
    free(fold), free(mask), free(s), free(y);
    return rc;
}

hy_err hy_gbm_holdout(const hy_mldata *train, const hy_mldata *test, const hy_gbm_params *p,
                      hy_gbm_eval *out)
{
    double *s;
    float *y;
    size_t at = 0;
    hy_err rc;
    if (!train || !test || !p || !out || !test->rows)
        return hy_err_set(HY_ERR_ARG, "gbm_holdout: an empty test set");
    s = malloc(test->rows * sizeof *s);
    y = malloc(test->rows * sizeof *y);
    rc = s && y ? score_into(train, test, p, s, y, &at) : HY_ERR_NOMEM;
    if (rc == HY_OK && (rc = figures(s, y, at, out)) == HY_OK)
        out->folds_run = 0;
    free(s), free(y);
    return rc;
}

hy_err hy_gbm_eval_json(const hy_gbm_eval *e, hy_buf *out)
{
    hy_json j;
    hy_json_init(&j, out);
    hy_json_obj_open(&j);
    hy_json_kuint(&j, "rows", e->rows);
    hy_json_kuint(&j, "positives", e->positives);
    hy_json_kstr(&j, "protocol", e->folds_run ? "stratified cross-validation" : "held-out set");
    hy_json_kuint(&j, "folds_run", e->folds_run);
    hy_json_kfixed(&j, "auc", e->auc, 6);
    hy_json_kfixed(&j, "accuracy", e->accuracy, 6);
    hy_json_kfixed(&j, "tpr_at_fpr_0.001", e->tpr_at_01, 6);
    hy_json_kfixed(&j, "tpr_at_fpr_0.01", e->tpr_at_1, 6);
    hy_json_kdouble(&j, "threshold_at_fpr_0.001", e->thr_at_01);
    hy_json_kdouble(&j, "threshold_at_fpr_0.01", e->thr_at_1);
    hy_json_obj_close(&j);
    return hy_json_finish(&j);
}
