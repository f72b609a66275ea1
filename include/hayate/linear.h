/* hayate: multi-class linear classifiers trained with liblinear (Debian's
 * liblinear 2.3), on sparse rows (hy_sparse, tfidf.h).
 *
 * Multi-class is one-vs-rest, trained here class by class (so classes can
 * be trained on several threads) with liblinear's primal solvers, which use
 * no random numbers: the result does not depend on the thread count. As in
 * liblinear, class c's weight multiplies C for its positive rows only. Every
 * model has a bias term (a constant feature of value 1, regularised like the
 * others). A class with no training row gets zero weights and the bias
 * HY_LINEAR_ABSENT_BIAS, so it is never predicted.
 *
 * After training the weights are stored as 16-bit integers with one float
 * scale per class (a relative error of at most 2^-16 of the class's largest
 * weight); the model in memory is the one saved, so a saved and reloaded
 * model predicts exactly what the trained one did. liblinear's own model
 * files are not used. liblinear's messages are silenced. */
#ifndef HAYATE_LINEAR_H
#define HAYATE_LINEAR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "tfidf.h"

#define HY_LINEAR_MAX_CLASSES  1024u
#define HY_LINEAR_MAX_FEATURES (1u << 22)
#define HY_LINEAR_MAX_ROWS     10000000u
#define HY_LINEAR_ABSENT_BIAS  (-30.0)
#define HY_LINEAR_MAX_THREADS  64u

typedef enum hy_linear_solver {
    HY_LINEAR_LR = 0,  /* L2-regularised logistic regression (L2R_LR, trust-region Newton) */
    HY_LINEAR_SVM = 1, /* L2-regularised squared-hinge SVM (L2R_L2LOSS_SVC, primal) */
} hy_linear_solver;

typedef struct hy_linear_opts {
    hy_linear_solver solver;
    double C;         /* inverse regularisation, (0, 1e6] */
    double eps;       /* liblinear's stopping tolerance, (0, 1] */
    unsigned threads; /* classes trained at once, 1..HY_LINEAR_MAX_THREADS */
} hy_linear_opts;

typedef struct hy_linear hy_linear;

/* Logistic regression, C 1, eps 0.01, 1 thread. */
void hy_linear_opts_default(hy_linear_opts *o);

/* Trains on the rows of x with labels y[x->rows] in 0..nclass-1.
 * class_weight (NULL: all 1) has nclass entries > 0. HY_ERR_ARG: NULL
 * pointers, options out of range, fewer than 2 classes present, a label
 * >= nclass, too many rows, columns or classes; HY_ERR_NOMEM; HY_ERR_INTERNAL
 * when liblinear refuses the problem. *out is NULL on error. */
hy_err hy_linear_train(const hy_sparse *x, const uint32_t *y, size_t nclass,
                       const double *class_weight, const hy_linear_opts *o, hy_linear **out);

/* hy_linear_train starting each class's solver from init's weights (a
 * model of the same classes and features, e.g. trained with a smaller C):
 * fewer iterations along a grid of C. The result is the same optimum to
 * within the solver's tolerance, and deterministic for the same init. */
hy_err hy_linear_train_warm(const hy_sparse *x, const uint32_t *y, size_t nclass,
                            const double *class_weight, const hy_linear_opts *o,
                            const hy_linear *init, hy_linear **out);

/* Frees m (NULL is fine). */
void hy_linear_free(hy_linear *m);

/* Classes and features (columns) of m. */
size_t hy_linear_classes(const hy_linear *m);
size_t hy_linear_features(const hy_linear *m);

/* Classes whose solver stopped at liblinear's iteration cap (it warned). */
unsigned hy_linear_unconverged(const hy_linear *m);

/* The weight of feature j for class c, and class c's bias (0 out of range). */
double hy_linear_weight(const hy_linear *m, size_t j, size_t c);
double hy_linear_bias(const hy_linear *m, size_t c);

/* Decision values z[c] = w_c . x + b_c of the row (idx[i], val[i]), i < n,
 * for every class (z has hy_linear_classes(m) entries). Columns at or past
 * hy_linear_features(m) are ignored. Thread-safe. HY_ERR_ARG on NULLs. */
hy_err hy_linear_decision(const hy_linear *m, const uint32_t *idx, const float *val, size_t n,
                          double *z);

/* Probabilities p[k] from decision values z[k]: softmax(z / temperature)
 * when temperature > 0; otherwise liblinear's one-vs-rest rule, each
 * class's sigmoid(z) divided by their sum. p sums to 1. */
void hy_linear_proba(const double *z, size_t k, double temperature, double *p);

/* Mean negative log-likelihood of labels y[n] under softmax(z / t), z the
 * n x k decision values row by row. */
double hy_linear_nll(const double *z, const uint32_t *y, size_t n, size_t k, double t);

/* The temperature in [0.01, 100] minimising hy_linear_nll (golden-section
 * search on log t; the NLL is convex in 1 / t), to calibrate probabilities
 * on held-out decision values. HY_ERR_ARG on NULLs, n == 0, k < 2 or a
 * label >= k. */
hy_err hy_linear_fit_temperature(const double *z, const uint32_t *y, size_t n, size_t k, double *t);

/* Appends m's binary form (little-endian) to out: u32 features, u32
 * classes, u32 solver, u32 unconverged, then per class f32 scale and f32
 * bias, then features x classes i16 weights (feature-major); weight (j, c)
 * is scale[c] * q[j * classes + c]. */
hy_err hy_linear_save(const hy_linear *m, hy_buf *out);

/* Reads hy_linear_save's form from p[0..n) (untrusted), setting *used.
 * HY_ERR_FORMAT (sizes over the caps, non-finite or negative scales),
 * HY_ERR_TRUNCATED, HY_ERR_NOMEM. *out is NULL on error. */
hy_err hy_linear_load(const uint8_t *p, size_t n, size_t *used, hy_linear **out);

#endif
