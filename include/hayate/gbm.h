/* hayate: gradient-boosted trees through XGBoost's C API (libxgboost,
 * Debian's 1.7): training on a labelled sparse set, scoring one feature
 * vector, and per-feature contributions (TreeSHAP) that say what drove a
 * score. Binary classification only (binary:logistic): a score is the
 * probability of the positive class.
 *
 * Zeros mean "absent" everywhere: a training set holds only its non-zero
 * values (hy_mldata), and a vector scored here has its zeros passed as
 * missing, so a model sees the same thing in training and in use. */
#ifndef HAYATE_GBM_H
#define HAYATE_GBM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "mldata.h"

#define HY_GBM_MAX_FEATURES (1u << 20)
#define HY_GBM_MAX_ROUNDS 10000u
#define HY_GBM_MAX_MODEL (256u << 20) /* bytes of a saved model */

typedef struct hy_gbm hy_gbm;

typedef struct hy_gbm_params {
    unsigned rounds;         /* boosting rounds, 1..HY_GBM_MAX_ROUNDS */
    unsigned max_depth;      /* 1..32 */
    double eta;              /* learning rate, (0, 1] */
    double subsample;        /* row fraction per tree, (0, 1] */
    double colsample;        /* column fraction per tree, (0, 1] */
    double min_child_weight; /* >= 0 */
    double pos_weight;       /* weight of a positive row (scale_pos_weight), > 0 */
    unsigned threads;        /* 0: XGBoost's default (all cores) */
    uint64_t seed;
} hy_gbm_params;

/* 200 rounds, depth 8, eta 0.1, subsample 1, colsample 0.5, min child
 * weight 1, pos_weight 1, all cores, seed 0. */
void hy_gbm_params_default(hy_gbm_params *p);

struct hy_config;
/* The defaults with ENGINE.rounds, ENGINE.max_depth and ENGINE.eta_pm
 * (thousandths) from cfg, for the engine named (cfg NULL: the defaults). */
void hy_gbm_params_config(const struct hy_config *cfg, const char *engine, hy_gbm_params *p);

/* Trains on d's rows and labels. HY_ERR_ARG: no rows, a single class, or a
 * parameter out of range (the detail names it); HY_ERR_INTERNAL carries
 * XGBoost's message. Deterministic for a thread count and seed. */
hy_err hy_gbm_train(const hy_mldata *d, const hy_gbm_params *p, hy_gbm **out);

/* The model as bytes (XGBoost's UBJSON format) appended to out. */
hy_err hy_gbm_save(const hy_gbm *m, hy_buf *out);

/* A model from n bytes (hy_gbm_save's output, or any XGBoost 1.x JSON/UBJ
 * binary:logistic model). HY_ERR_FORMAT when XGBoost refuses it, the
 * objective is not binary:logistic, or it needs more than
 * HY_GBM_MAX_FEATURES features. The model scores on one thread. */
hy_err hy_gbm_load(const void *buf, size_t n, hy_gbm **out);

/* hy_gbm_load of the file at path (at most HY_GBM_MAX_MODEL bytes). */
hy_err hy_gbm_load_file(const char *path, hy_gbm **out);

/* Features the model was trained with: a vector scored must have at least
 * as many (extra trailing ones are ignored). */
size_t hy_gbm_features(const hy_gbm *m);

/* The score of one vector x of n >= hy_gbm_features(m) floats. Not
 * thread-safe on one model: one model per thread. */
hy_err hy_gbm_score(hy_gbm *m, const float *x, size_t n, double *score);

/* Scores rows x rows of cols >= hy_gbm_features(m) floats (row-major; zeros
 * missing; columns beyond the model's are ignored) into scores[rows]: one
 * call into XGBoost for the lot, far cheaper per row than hy_gbm_score. */
hy_err hy_gbm_score_rows(hy_gbm *m, const float *x, size_t rows, size_t cols, double *scores);

/* Scores every row of d (d->cols may differ from the model's features:
 * columns beyond them are ignored) into scores[d->rows]. */
hy_err hy_gbm_score_set(hy_gbm *m, const hy_mldata *d, double *scores);

/* Per-feature contributions to x's score, in log-odds (TreeSHAP):
 * contrib[i] for feature i < hy_gbm_features(m), and the bias in
 * contrib[hy_gbm_features(m)]; they sum to the score's log-odds. contrib
 * holds hy_gbm_features(m) + 1 floats. */
hy_err hy_gbm_contrib(hy_gbm *m, const float *x, size_t n, float *contrib);

void hy_gbm_free(hy_gbm *m);

/* What an evaluation measured on the rows it scored. */
typedef struct hy_gbm_eval {
    size_t rows, positives; /* scored */
    unsigned folds_run;     /* 0: a separate test set */
    double auc;
    double accuracy;             /* at score 0.5 */
    double tpr_at_01, thr_at_01; /* detection rate and threshold at 0.1% false positives */
    double tpr_at_1, thr_at_1;   /* ... at 1% */
} hy_gbm_eval;

/* Stratified k-fold cross-validation on d (hy_mldata_folds with seed):
 * for the first `run` folds (1..k), trains on the other folds and scores
 * the held-out one; the figures pool every held-out score. */
hy_err hy_gbm_cv(const hy_mldata *d, unsigned k, unsigned run, uint64_t seed,
                 const hy_gbm_params *p, hy_gbm_eval *out);

/* Trains on train and scores test. */
hy_err hy_gbm_holdout(const hy_mldata *train, const hy_mldata *test, const hy_gbm_params *p,
                      hy_gbm_eval *out);

/* The figures as a JSON object appended to out. */
hy_err hy_gbm_eval_json(const hy_gbm_eval *e, hy_buf *out);

#endif
