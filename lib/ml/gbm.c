/* Gradient-boosted trees through XGBoost's C API (include/hayate/gbm.h). */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xgboost/c_api.h>

#include "core/dynlib.h"
#include "hayate/config.h"
#include "hayate/gbm.h"
#include "hayate/io.h"

_Static_assert(sizeof(unsigned) == sizeof(uint32_t), "CSR indices are passed as unsigned");

struct hy_gbm {
    BoosterHandle b;
    size_t features;
};

/* libxgboost (with libgomp, libdmlc and libstdc++) is opened on first use
 * (lib/core/dynlib.h): most commands never train or score. */
#define XGB_FNS(F)                                                                                 \
    F(XGBGetLastError)                                                                             \
    F(XGBRegisterLogCallback)                                                                      \
    F(XGBSetGlobalConfig)                                                                          \
    F(XGBoosterCreate)                                                                             \
    F(XGBoosterFree)                                                                               \
    F(XGBoosterGetNumFeature)                                                                      \
    F(XGBoosterLoadModelFromBuffer)                                                                \
    F(XGBoosterPredictFromDMatrix)                                                                 \
    F(XGBoosterSaveJsonConfig)                                                                     \
    F(XGBoosterSaveModelToBuffer)                                                                  \
    F(XGBoosterSetParam)                                                                           \
    F(XGBoosterUpdateOneIter)                                                                      \
    F(XGDMatrixCreateFromCSREx)                                                                    \
    F(XGDMatrixSetFloatInfo)                                                                       \
    F(XGDMatrixFree)                                                                               \
    F(XGDMatrixCreateFromMat)
HY_DYNLIB(X, XGB_FNS, HY_SONAME_XGBOOST, "gradient-boosted models", "libxgboost0");

/* XGBoost logs warnings to stderr by default; hayate reports its errors
 * through the returned codes instead. */
static void quiet(const char *msg)
{
    (void)msg;
}

static void init_once(void)
{
    X.XGBRegisterLogCallback(quiet);
    X.XGBSetGlobalConfig("{\"verbosity\": 0}");
}

/* Opens libxgboost and quiets it, once; HY_ERR_UNSUPPORTED naming the
 * library when it cannot be opened. Every way to a booster starts here. */
static hy_err xgb_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    hy_err rc = hy_dynlib_load(&X_lib);
    if (rc == HY_OK)
        pthread_once(&once, init_once);
    return rc;
}

static hy_err xgb_fail(const char *what)
{
    return hy_err_set(HY_ERR_INTERNAL, "xgboost: %s: %s", what, X.XGBGetLastError());
}

void hy_gbm_params_default(hy_gbm_params *p)
{
    *p = (hy_gbm_params){.rounds = 200,
                         .max_depth = 8,
                         .eta = 0.1,
                         .subsample = 1,
                         .colsample = 0.5,
                         .min_child_weight = 1,
                         .pos_weight = 1,
                         .threads = 0,
                         .seed = 0};
}

void hy_gbm_params_config(const struct hy_config *cfg, const char *engine, hy_gbm_params *p)
{
    char k[96];
    hy_gbm_params_default(p);
    if (!cfg || !engine)
        return;
    snprintf(k, sizeof k, "%s.rounds", engine);
    p->rounds = (unsigned)hy_config_int(cfg, k);
    snprintf(k, sizeof k, "%s.max_depth", engine);
    p->max_depth = (unsigned)hy_config_int(cfg, k);
    snprintf(k, sizeof k, "%s.eta_pm", engine);
    p->eta = (double)hy_config_int(cfg, k) / 1000.0;
}

static hy_err check_params(const hy_gbm_params *p)
{
    if (!p->rounds || p->rounds > HY_GBM_MAX_ROUNDS)
        return hy_err_set(HY_ERR_ARG, "gbm: rounds %u not in 1..%u", p->rounds,
                          HY_GBM_MAX_ROUNDS);
    if (!p->max_depth || p->max_depth > 32)
        return hy_err_set(HY_ERR_ARG, "gbm: max_depth %u not in 1..32", p->max_depth);
    if (!(p->eta > 0 && p->eta <= 1) || !(p->subsample > 0 && p->subsample <= 1) ||
        !(p->colsample > 0 && p->colsample <= 1))
        return hy_err_set(HY_ERR_ARG, "gbm: eta, subsample and colsample must be in (0, 1]");
    if (!(p->min_child_weight >= 0 && p->min_child_weight < 1e9) ||
        !(p->pos_weight > 0 && p->pos_weight < 1e9))
        return hy_err_set(HY_ERR_ARG, "gbm: min_child_weight or pos_weight out of range");
    return HY_OK;
}

static hy_err check_data(const hy_mldata *d)
{
    size_t pos = 0;
    if (!d || !d->rows || !d->indptr || !d->labels)
        return hy_err_set(HY_ERR_ARG, "gbm: an empty training set");
    if (!d->cols || d->cols > HY_GBM_MAX_FEATURES)
        return hy_err_set(HY_ERR_ARG, "gbm: %zu features, not in 1..%u", d->cols,
                          HY_GBM_MAX_FEATURES);
    for (size_t i = 0; i < d->rows; i++)
        pos += d->labels[i] > 0.5f;
    if (!pos || pos == d->rows)
        return hy_err_set(HY_ERR_ARG, "gbm: the training set has one class only (%zu of %zu "
                                      "positive)",
                          pos, d->rows);
    return HY_OK;
}

/* d as an XGBoost matrix with its labels. */
static hy_err to_dmatrix(const hy_mldata *d, bool labels, DMatrixHandle *out)
{
    size_t nnz = d->indptr[d->rows];
    if (X.XGDMatrixCreateFromCSREx(d->indptr, (const unsigned *)d->indices, d->values, d->rows + 1,
                                   nnz, d->cols, out) != 0)
        return xgb_fail("matrix");
    if (labels && X.XGDMatrixSetFloatInfo(*out, "label", d->labels, d->rows) != 0) {
        X.XGDMatrixFree(*out);
        return xgb_fail("labels");
    }
    return HY_OK;
}

static hy_err set_param(BoosterHandle b, const char *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static hy_err set_param(BoosterHandle b, const char *k, const char *fmt, ...)
{
    char v[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    return X.XGBoosterSetParam(b, k, v) == 0 ? HY_OK : xgb_fail(k);
}

static hy_err configure(BoosterHandle b, const hy_gbm_params *p)
{
    hy_err rc = set_param(b, "objective", "%s", "binary:logistic");
    if (rc == HY_OK)
        rc = set_param(b, "tree_method", "%s", "hist");
    if (rc == HY_OK)
        rc = set_param(b, "max_depth", "%u", p->max_depth);
    if (rc == HY_OK)
        rc = set_param(b, "eta", "%.17g", p->eta);
    if (rc == HY_OK)
        rc = set_param(b, "subsample", "%.17g", p->subsample);
    if (rc == HY_OK)
        rc = set_param(b, "colsample_bytree", "%.17g", p->colsample);
    if (rc == HY_OK)
        rc = set_param(b, "min_child_weight", "%.17g", p->min_child_weight);
    if (rc == HY_OK)
        rc = set_param(b, "scale_pos_weight", "%.17g", p->pos_weight);
    if (rc == HY_OK)
        rc = set_param(b, "seed", "%llu", (unsigned long long)(p->seed & 0x7fffffff));
    if (rc == HY_OK && p->threads)
        rc = set_param(b, "nthread", "%u", p->threads);
    return rc;
}

hy_err hy_gbm_train(const hy_mldata *d, const hy_gbm_params *p, hy_gbm **out)
{
    DMatrixHandle dm = NULL;
    hy_gbm *m = NULL;
    hy_err rc;
    if (!p || !out)
        return hy_err_set(HY_ERR_ARG, "gbm_train: NULL argument");
    *out = NULL;
    if ((rc = check_params(p)) != HY_OK || (rc = check_data(d)) != HY_OK)
        return rc;
    if ((rc = xgb_init()) != HY_OK)
        return rc;
    if (!(m = calloc(1, sizeof *m)))
        return HY_ERR_NOMEM;
    if ((rc = to_dmatrix(d, true, &dm)) != HY_OK)
        goto out;
    if (X.XGBoosterCreate(&dm, 1, &m->b) != 0) {
        rc = xgb_fail("booster");
        goto out;
    }
    if ((rc = configure(m->b, p)) != HY_OK)
        goto out;
    for (unsigned i = 0; i < p->rounds && rc == HY_OK; i++)
        if (X.XGBoosterUpdateOneIter(m->b, (int)i, dm) != 0)
            rc = xgb_fail("training round");
    m->features = d->cols;
    if (rc == HY_OK)
        rc = set_param(m->b, "nthread", "%u", 1u); /* scoring: one thread per model */
out:
    if (dm)
        X.XGDMatrixFree(dm);
    if (rc != HY_OK) {
        hy_gbm_free(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

hy_err hy_gbm_save(const hy_gbm *m, hy_buf *out)
{
    bst_ulong n = 0;
    const char *p = NULL;
    if (!m || !out)
        return hy_err_set(HY_ERR_ARG, "gbm_save: NULL argument");
    if (X.XGBoosterSaveModelToBuffer(m->b, "{\"format\": \"ubj\"}", &n, &p) != 0)
        return xgb_fail("save");
    return hy_buf_add(out, p, (size_t)n);
}

/* The model's objective must be binary:logistic (scores are probabilities). */
static hy_err check_objective(BoosterHandle b)
{
    bst_ulong n = 0;
    const char *cfg = NULL;
    if (X.XGBoosterSaveJsonConfig(b, &n, &cfg) != 0)
        return hy_err_set(HY_ERR_FORMAT, "model: %s", X.XGBGetLastError());
    if (!cfg || !strstr(cfg, "\"binary:logistic\""))
        return hy_err_set(HY_ERR_FORMAT, "model: not a binary:logistic model");
    return HY_OK;
}

hy_err hy_gbm_load(const void *buf, size_t n, hy_gbm **out)
{
    bst_ulong nf = 0;
    hy_gbm *m;
    hy_err rc = HY_OK;
    if (!out || (!buf && n))
        return hy_err_set(HY_ERR_ARG, "gbm_load: NULL argument");
    *out = NULL;
    if (!n || n > HY_GBM_MAX_MODEL)
        return hy_err_set(HY_ERR_FORMAT, "model: %zu bytes, not in 1..%u", n, HY_GBM_MAX_MODEL);
    if ((rc = xgb_init()) != HY_OK)
        return rc;
    if (!(m = calloc(1, sizeof *m)))
        return HY_ERR_NOMEM;
    if (X.XGBoosterCreate(NULL, 0, &m->b) != 0)
        rc = xgb_fail("booster");
    else if (X.XGBoosterLoadModelFromBuffer(m->b, buf, (bst_ulong)n) != 0)
        rc = hy_err_set(HY_ERR_FORMAT, "model: %s", X.XGBGetLastError());
    else if ((rc = check_objective(m->b)) != HY_OK)
        ;
    else if (X.XGBoosterGetNumFeature(m->b, &nf) != 0 || !nf || nf > HY_GBM_MAX_FEATURES)
        rc = hy_err_set(HY_ERR_FORMAT, "model: %llu features, not in 1..%u",
                        (unsigned long long)nf, HY_GBM_MAX_FEATURES);
    else
        rc = set_param(m->b, "nthread", "%u", 1u);
    m->features = (size_t)nf;
    if (rc != HY_OK) {
        hy_gbm_free(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

hy_err hy_gbm_load_file(const char *path, hy_gbm **out)
{
    hy_buf b;
    hy_err rc;
    if (!path || !out)
        return hy_err_set(HY_ERR_ARG, "gbm_load_file: NULL argument");
    hy_buf_init(&b, HY_GBM_MAX_MODEL);
    if ((rc = hy_buf_read_file(&b, path)) == HY_OK && (rc = hy_gbm_load(b.data, b.len, out)) != HY_OK)
        rc = hy_err_set(rc, "%s: %s", path, hy_err_detail());
    hy_buf_free(&b);
    return rc;
}

size_t hy_gbm_features(const hy_gbm *m)
{
    return m ? m->features : 0;
}

/* One row of m->features floats as a matrix, zeros missing. */
static hy_err row_matrix(const hy_gbm *m, const float *x, size_t n, DMatrixHandle *dm)
{
    if (!x || n < m->features)
        return hy_err_set(HY_ERR_ARG, "gbm: a vector of %zu features; the model needs %zu", n,
                          m->features);
    if (X.XGDMatrixCreateFromMat(x, 1, (bst_ulong)m->features, 0.0f, dm) != 0)
        return xgb_fail("matrix");
    return HY_OK;
}

static const char predict_cfg[] = "{\"type\": %d, \"training\": false, \"iteration_begin\": 0,"
                                  " \"iteration_end\": 0, \"strict_shape\": false}";

/* Runs prediction of the given type; *res points into XGBoost's buffer. */
static hy_err predict(hy_gbm *m, DMatrixHandle dm, int type, const float **res, bst_ulong *len)
{
    char cfg[160];
    bst_ulong const *shape = NULL;
    bst_ulong dim = 0;
    snprintf(cfg, sizeof cfg, predict_cfg, type);
    if (X.XGBoosterPredictFromDMatrix(m->b, dm, cfg, &shape, &dim, res) != 0)
        return xgb_fail("predict");
    *len = 1;
    for (bst_ulong i = 0; i < dim; i++)
        *len *= shape[i];
    return HY_OK;
}

hy_err hy_gbm_score(hy_gbm *m, const float *x, size_t n, double *score)
{
    DMatrixHandle dm = NULL;
    const float *res = NULL;
    bst_ulong len = 0;
    hy_err rc;
    if (!m || !score)
        return hy_err_set(HY_ERR_ARG, "gbm_score: NULL argument");
    if ((rc = row_matrix(m, x, n, &dm)) != HY_OK)
        return rc;
    if ((rc = predict(m, dm, 0, &res, &len)) == HY_OK)
        *score = len == 1 ? res[0] : NAN;
    X.XGDMatrixFree(dm);
    if (rc == HY_OK && !(*score >= 0 && *score <= 1))
        rc = hy_err_set(HY_ERR_INTERNAL, "gbm: score out of [0, 1]");
    return rc;
}

hy_err hy_gbm_score_rows(hy_gbm *m, const float *x, size_t rows, size_t cols, double *scores)
{
    DMatrixHandle dm = NULL;
    const float *res = NULL, *mat = x;
    float *copy = NULL;
    bst_ulong len = 0;
    hy_err rc = HY_OK;
    if (!m || (rows && (!x || !scores)) || cols < m->features)
        return hy_err_set(HY_ERR_ARG, "gbm_score_rows: rows of %zu features; the model needs %zu",
                          cols, m ? m->features : 0);
    if (!rows)
        return HY_OK;
    if (cols != m->features) { /* XGBoost wants rows of exactly its width */
        if (!(copy = malloc(rows * m->features * sizeof *copy)))
            return hy_err_set(HY_ERR_NOMEM, "gbm: %zu rows", rows);
        for (size_t r = 0; r < rows; r++)
            memcpy(copy + r * m->features, x + r * cols, m->features * sizeof *copy);
        mat = copy;
    }
    if (X.XGDMatrixCreateFromMat(mat, (bst_ulong)rows, (bst_ulong)m->features, 0.0f, &dm) != 0)
        rc = xgb_fail("matrix");
    if (rc == HY_OK && (rc = predict(m, dm, 0, &res, &len)) == HY_OK && len != rows)
        rc = hy_err_set(HY_ERR_INTERNAL, "gbm: %llu scores for %zu rows", (unsigned long long)len,
                        rows);
    for (size_t r = 0; rc == HY_OK && r < rows; r++)
        if (!((scores[r] = res[r]) >= 0 && scores[r] <= 1))
            rc = hy_err_set(HY_ERR_INTERNAL, "gbm: score out of [0, 1]");
    if (dm)
        X.XGDMatrixFree(dm);
    free(copy);
    return rc;
}

hy_err hy_gbm_contrib(hy_gbm *m, const float *x, size_t n, float *contrib)
{
    DMatrixHandle dm = NULL;
    const float *res = NULL;
    bst_ulong len = 0;
    hy_err rc;
    if (!m || !contrib)
        return hy_err_set(HY_ERR_ARG, "gbm_contrib: NULL argument");
    if ((rc = row_matrix(m, x, n, &dm)) != HY_OK)
        return rc;
    if ((rc = predict(m, dm, 2, &res, &len)) == HY_OK) {
        if (len != m->features + 1)
            rc = hy_err_set(HY_ERR_INTERNAL, "gbm: %llu contributions for %zu features",
                            (unsigned long long)len, m->features);
        else
            memcpy(contrib, res, len * sizeof *res);
    }
    X.XGDMatrixFree(dm);
    return rc;
}

/* d restricted to the model's features (a copy only when d has more). */
static hy_err fit_columns(const hy_gbm *m, const hy_mldata *d, hy_mldata *view, uint8_t **mem)
{
    *view = *d;
    *mem = NULL;
    if (d->cols <= m->features) {
        view->cols = m->features;
        return HY_OK;
    }
    size_t nnz = d->indptr[d->rows], k = 0;
    size_t *ip = malloc((d->rows + 1) * sizeof *ip);
    uint32_t *ix = malloc((nnz ? nnz : 1) * sizeof *ix);
    float *v = malloc((nnz ? nnz : 1) * sizeof *v);
    if (!ip || !ix || !v) {
        free(ip), free(ix), free(v);
        return HY_ERR_NOMEM;
    }
    for (size_t r = 0; r < d->rows; r++) {
        ip[r] = k;
        for (size_t i = d->indptr[r]; i < d->indptr[r + 1]; i++)
            if (d->indices[i] < m->features) {
                ix[k] = d->indices[i];
                v[k++] = d->values[i];
            }
    }
    ip[d->rows] = k;
    view->indptr = ip, view->indices = ix, view->values = v, view->cols = m->features;
    *mem = (uint8_t *)ip; /* freed with the two below by free_view */
    return HY_OK;
}

static void free_view(const hy_mldata *view, uint8_t *mem)
{
    if (!mem)
        return;
    free(mem);
    free(view->indices);
    free(view->values);
}

hy_err hy_gbm_score_set(hy_gbm *m, const hy_mldata *d, double *scores)
{
    DMatrixHandle dm = NULL;
    const float *res = NULL;
    bst_ulong len = 0;
    hy_mldata view;
    uint8_t *mem = NULL;
    hy_err rc;
    if (!m || !d || !scores || !d->indptr)
        return hy_err_set(HY_ERR_ARG, "gbm_score_set: NULL argument");
    if (!d->rows)
        return HY_OK;
    if ((rc = fit_columns(m, d, &view, &mem)) != HY_OK)
        return rc;
    if ((rc = to_dmatrix(&view, false, &dm)) == HY_OK &&
        (rc = predict(m, dm, 0, &res, &len)) == HY_OK) {
        if (len != d->rows)
            rc = hy_err_set(HY_ERR_INTERNAL, "gbm: %llu scores for %zu rows",
                            (unsigned long long)len, d->rows);
        for (size_t i = 0; rc == HY_OK && i < d->rows; i++)
            scores[i] = res[i];
    }
    if (dm)
        X.XGDMatrixFree(dm);
    free_view(&view, mem);
    return rc;
}

void hy_gbm_free(hy_gbm *m)
{
    if (!m)
        return;
    if (m->b)
        X.XGBoosterFree(m->b);
    free(m);
}
