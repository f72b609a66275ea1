/* Gradient-boosted trees through XGBoost (lib/ml/gbm.c) and the ROC
 * figures (lib/ml/roc.c): a model learns a planted rule, survives a save
 * and load bit for bit, explains its scores with contributions that sum to
 * the log-odds and point at the planted features, and refuses bad models
 * and one-class data; AUC and the detection rate at a false-positive budget
 * on hand-checked cases. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/gbm.h"
#include "hayate/roc.h"

#define COLS 12

/* Deterministic pseudo-random numbers in [0, 1). */
static double rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* rows x COLS dense values (about a third zero) and labels: malicious when
 * x0 + x3 > 1 (features 0 and 3 matter, the rest are noise). */
static void make(size_t rows, uint64_t seed, float *x, hy_mldata *d)
{
    size_t k = 0;
    d->rows = rows;
    d->cols = COLS;
    d->indptr = malloc((rows + 1) * sizeof *d->indptr);
    d->indices = malloc(rows * COLS * sizeof *d->indices);
    d->values = malloc(rows * COLS * sizeof *d->values);
    d->labels = malloc(rows * sizeof *d->labels);
    d->skipped = 0;
    for (size_t r = 0; r < rows; r++) {
        d->indptr[r] = k;
        for (size_t c = 0; c < COLS; c++) {
            double v = rnd(&seed);
            float f = v < 0.33 ? 0.0f : (float)rnd(&seed);
            x[r * COLS + c] = f;
            if (f != 0.0f) {
                d->indices[k] = (uint32_t)c;
                d->values[k++] = f;
            }
        }
        d->labels[r] = x[r * COLS] + x[r * COLS + 3] > 1.0f;
    }
    d->indptr[rows] = k;
}

static void release(hy_mldata *d)
{
    free(d->indptr), free(d->indices), free(d->values), free(d->labels);
}

static void test_learn_save_explain(void **st)
{
    hy_mldata tr, te;
    float *xtr = malloc(600 * COLS * sizeof *xtr), *xte = malloc(300 * COLS * sizeof *xte);
    double *s = malloc(300 * sizeof *s), auc = 0, tpr, thr;
    hy_gbm_params p;
    hy_gbm *m = NULL, *m2 = NULL;
    hy_buf b;
    (void)st;
    make(600, 1, xtr, &tr);
    make(300, 2, xte, &te);
    hy_gbm_params_default(&p);
    p.rounds = 60;
    p.max_depth = 4;
    p.colsample = 1;
    p.threads = 1;
    if (hy_gbm_train(&tr, &p, &m) != HY_OK)
        fail_msg("train: %s", hy_err_detail());
    assert_int_equal(hy_gbm_features(m), COLS);
    assert_int_equal(hy_gbm_score_set(m, &te, s), HY_OK);
    assert_int_equal(hy_roc_auc(s, te.labels, te.rows, &auc), HY_OK);
    assert_true(auc > 0.95);
    assert_int_equal(hy_roc_tpr_at(s, te.labels, te.rows, 0.01, &tpr, &thr), HY_OK);
    assert_true(tpr > 0.5 && isfinite(thr));

    /* one row at a time gives the batch's scores */
    for (size_t r = 0; r < 20; r++) {
        double one;
        assert_int_equal(hy_gbm_score(m, xte + r * COLS, COLS, &one), HY_OK);
        assert_true(fabs(one - s[r]) < 1e-6);
    }
    /* save, load: the same scores */
    hy_buf_init(&b, HY_GBM_MAX_MODEL);
    assert_int_equal(hy_gbm_save(m, &b), HY_OK);
    if (hy_gbm_load(b.data, b.len, &m2) != HY_OK)
        fail_msg("load: %s", hy_err_detail());
    for (size_t r = 0; r < 20; r++) {
        double a, c;
        assert_int_equal(hy_gbm_score(m, xte + r * COLS, COLS, &a), HY_OK);
        assert_int_equal(hy_gbm_score(m2, xte + r * COLS, COLS, &c), HY_OK);
        assert_true(a == c);
    }
    /* contributions sum to the log-odds; features 0 and 3 weigh most */
    float contrib[COLS + 1];
    double sum = 0, w[COLS] = {0};
    for (size_t r = 0; r < 50; r++) {
        double sc;
        assert_int_equal(hy_gbm_contrib(m2, xte + r * COLS, COLS, contrib), HY_OK);
        assert_int_equal(hy_gbm_score(m2, xte + r * COLS, COLS, &sc), HY_OK);
        sum = 0;
        for (size_t c = 0; c <= COLS; c++)
            sum += contrib[c];
        assert_true(fabs(sum - log(sc / (1 - sc))) < 1e-3);
        for (size_t c = 0; c < COLS; c++)
            w[c] += fabs(contrib[c]);
    }
    for (size_t c = 0; c < COLS; c++)
        if (c != 0 && c != 3) {
            assert_true(w[0] > w[c]);
            assert_true(w[3] > w[c]);
        }
    /* a vector shorter than the model's features */
    double sc;
    assert_int_equal(hy_gbm_score(m2, xte, COLS - 1, &sc), HY_ERR_ARG);
    hy_buf_free(&b);
    hy_gbm_free(m);
    hy_gbm_free(m2);
    release(&tr);
    release(&te);
    free(xtr), free(xte), free(s);
}

static void test_refusals(void **st)
{
    hy_mldata d;
    float *x = malloc(50 * COLS * sizeof *x);
    hy_gbm_params p;
    hy_gbm *m = NULL;
    (void)st;
    make(50, 3, x, &d);
    for (size_t r = 0; r < d.rows; r++)
        d.labels[r] = 1;
    hy_gbm_params_default(&p);
    assert_int_equal(hy_gbm_train(&d, &p, &m), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "one class"));
    d.labels[0] = 0;
    p.rounds = 0;
    assert_int_equal(hy_gbm_train(&d, &p, &m), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "rounds"));
    assert_null(m);
    assert_int_equal(hy_gbm_load("{not a model", 12, &m), HY_ERR_FORMAT);
    assert_int_equal(hy_gbm_load("", 0, &m), HY_ERR_FORMAT);
    assert_null(m);
    release(&d);
    free(x);
}

static void test_roc_by_hand(void **st)
{
    /* scores 0.9 P, 0.8 N, 0.7 P, 0.7 N, 0.1 N: pairs P>N: (0.9: 3 N) + (0.7: 1 N, tie 0.5) = 4.5 of 6 */
    const double s[] = {0.9, 0.8, 0.7, 0.7, 0.1};
    const float y[] = {1, 0, 1, 0, 0};
    double auc, tpr, thr;
    (void)st;
    assert_int_equal(hy_roc_auc(s, y, 5, &auc), HY_OK);
    assert_true(fabs(auc - 4.5 / 6) < 1e-12);
    assert_int_equal(hy_roc_tpr_at(s, y, 5, 0.0, &tpr, &thr), HY_OK);
    assert_true(tpr == 0.5 && thr == 0.9);
    assert_int_equal(hy_roc_tpr_at(s, y, 5, 0.34, &tpr, &thr), HY_OK);
    assert_true(tpr == 0.5 && thr == 0.9); /* 0.7 would add a second FP: 2/3 */
    assert_int_equal(hy_roc_tpr_at(s, y, 5, 0.67, &tpr, &thr), HY_OK);
    assert_true(tpr == 1.0 && thr == 0.7);
    const float one[] = {1, 1, 1, 1, 1};
    assert_int_equal(hy_roc_auc(s, one, 5, &auc), HY_ERR_ARG);
    const double bad[] = {0.1, NAN};
    assert_int_equal(hy_roc_auc(bad, y, 2, &auc), HY_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learn_save_explain),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_roc_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
