/* One-vs-rest linear classifiers over liblinear (include/hayate/linear.h).
 *
 * liblinear is given the rows once, as feature_node arrays with the bias
 * node (index features + 1, value 1) and the -1 terminator; each class is a
 * binary problem over the same rows with labels +1 (the class) and -1 (the
 * rest). liblinear's problems are read-only during training, so classes
 * share the rows across threads. */
#include "core/bytes.h"
#include "hayate/linear.h"
#include "hayate/ml.h"
#include "hayate/thread.h"

#include <linear.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hy_linear {
    size_t nfeat, nclass;
    hy_linear_solver solver;
    unsigned unconverged;
    float *scale; /* per class */
    float *bias;  /* per class */
    int16_t *q;   /* nfeat x nclass, feature-major */
};

/* liblinear reports a solver stopping at its iteration cap only through its
 * print function (process-wide, set once); warnings are counted per thread
 * so each class's training knows whether it converged. */
static _Thread_local unsigned tl_warnings;
static pthread_once_t print_once = PTHREAD_ONCE_INIT;

static void linear_print(const char *s)
{
    if (s && strstr(s, "WARNING"))
        tl_warnings++;
}

/* Also makes BLAS single-threaded: liblinear's solvers call it (ddot,
 * daxpy), and OpenBLAS's spinning workers would otherwise cost more than
 * they save on these vector sizes. */
static void set_print(void)
{
    set_print_string_function(linear_print);
    hy_ml_init();
}

void hy_linear_opts_default(hy_linear_opts *o)
{
    if (!o)
        return;
    o->solver = HY_LINEAR_LR;
    o->C = 1.0;
    o->eps = 0.01;
    o->threads = 1;
}

static hy_err check_opts(const hy_linear_opts *o)
{
    if (o->solver != HY_LINEAR_LR && o->solver != HY_LINEAR_SVM)
        return hy_err_set(HY_ERR_ARG, "linear: unknown solver %d", (int)o->solver);
    if (!(o->C > 0 && o->C <= 1e6))
        return hy_err_set(HY_ERR_ARG, "linear: C %g not in (0, 1e6]", o->C);
    if (!(o->eps > 0 && o->eps <= 1))
        return hy_err_set(HY_ERR_ARG, "linear: eps %g not in (0, 1]", o->eps);
    if (o->threads < 1 || o->threads > HY_LINEAR_MAX_THREADS)
        return hy_err_set(HY_ERR_ARG, "linear: threads %u not in 1..%u", o->threads,
                          HY_LINEAR_MAX_THREADS);
    return HY_OK;
}

static hy_linear *linear_alloc(size_t nfeat, size_t nclass)
{
    hy_linear *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->nfeat = nfeat;
    m->nclass = nclass;
    m->scale = calloc(nclass, sizeof *m->scale);
    m->bias = calloc(nclass, sizeof *m->bias);
    m->q = calloc(nfeat * nclass + 1, sizeof *m->q);
    if (!m->scale || !m->bias || !m->q) {
        hy_linear_free(m);
        return NULL;
    }
    return m;
}

void hy_linear_free(hy_linear *m)
{
    if (!m)
        return;
    free(m->scale);
    free(m->bias);
    free(m->q);
    free(m);
}

/* ---- training ---- */

typedef struct train_ctx {
    const hy_linear *init;
    const hy_sparse *x;
    const uint32_t *y;
    const double *cw;
    const hy_linear_opts *o;
    struct feature_node **rows;
    size_t *npos;
    hy_linear *m;
    unsigned stride, first;
    hy_err rc;
    char err[160];
} train_ctx;

/* Quantises class c's weights w[0..nfeat) into column c of m->q. */
static void store_class(hy_linear *m, size_t c, const double *w, double bias)
{
    double mx = 0;
    for (size_t j = 0; j < m->nfeat; j++)
        mx = fmax(mx, fabs(w[j]));
    double s = mx > 0 ? mx / 32767.0 : 0;
    m->scale[c] = (float)s;
    m->bias[c] = (float)bias;
    for (size_t j = 0; j < m->nfeat; j++) {
        long v = s > 0 ? lrint(w[j] / (double)m->scale[c]) : 0;
        m->q[j * m->nclass + c] = (int16_t)(v > 32767 ? 32767 : v < -32767 ? -32767 : v);
    }
}

/* Trains class c against the rest; yv and w are scratch of rows / nfeat. */
static hy_err train_class(train_ctx *t, size_t c, double *yv, double *w)
{
    const hy_sparse *x = t->x;
    struct problem pb = {
        .l = (int)x->rows, .n = (int)x->cols + 1, .y = yv, .x = t->rows, .bias = 1.0};
    int wl = 1;
    double wv = t->cw ? t->cw[c] : 1.0;
    struct parameter pa = {.solver_type = t->o->solver == HY_LINEAR_LR ? L2R_LR : L2R_L2LOSS_SVC,
                           .eps = t->o->eps,
                           .C = t->o->C,
                           .nr_weight = 1,
                           .weight_label = &wl,
                           .weight = &wv};
    for (size_t r = 0; r < x->rows; r++)
        yv[r] = t->y[r] == c ? 1.0 : -1.0;
    if (t->init && t->init->bias[c] != (float)HY_LINEAR_ABSENT_BIAS) {
        for (size_t j = 0; j < x->cols; j++)
            w[j] = hy_linear_weight(t->init, j, c);
        w[x->cols] = t->init->bias[c];
        pa.init_sol = w;
    }
    const char *why = check_parameter(&pb, &pa);
    if (why)
        return hy_err_set(HY_ERR_INTERNAL, "liblinear: %s", why);
    unsigned before = tl_warnings;
    struct model *md = train(&pb, &pa);
    if (!md)
        return hy_err_set(HY_ERR_NOMEM, "liblinear: training class %zu failed", c);
    int lab[2] = {0, 0};
    get_labels(md, lab);
    double sign = lab[0] == 1 ? 1.0 : -1.0;
    for (size_t j = 0; j < x->cols; j++)
        w[j] = sign * get_decfun_coef(md, (int)j + 1, 0);
    store_class(t->m, c, w, sign * get_decfun_bias(md, 0));
    free_and_destroy_model(&md);
    if (tl_warnings != before)
        __atomic_fetch_add(&t->m->unconverged, 1u, __ATOMIC_RELAXED);
    return HY_OK;
}

static void *train_worker(void *arg)
{
    train_ctx *t = arg;
    double *yv = malloc((t->x->rows + 1) * sizeof *yv);
    double *w = malloc((t->x->cols + 2) * sizeof *w);
    if (!yv || !w) {
        t->rc = HY_ERR_NOMEM;
        snprintf(t->err, sizeof t->err, "linear: scratch for %zu rows", t->x->rows);
        goto out;
    }
    for (size_t c = t->first; c < t->m->nclass && t->rc == HY_OK; c += t->stride) {
        if (!t->npos[c]) {
            t->m->bias[c] = (float)HY_LINEAR_ABSENT_BIAS;
            continue;
        }
        if ((t->rc = train_class(t, c, yv, w)) != HY_OK)
            snprintf(t->err, sizeof t->err, "%s", hy_err_detail());
    }
out:
    free(yv);
    free(w);
    return NULL;
}

/* x's rows as liblinear feature_node lists (bias node, terminator). */
static hy_err make_rows(const hy_sparse *x, struct feature_node **nodes,
                        struct feature_node ***rows)
{
    size_t nnz = x->rows ? x->indptr[x->rows] : 0;
    *nodes = malloc((nnz + 2 * x->rows) * sizeof **nodes);
    *rows = malloc(x->rows * sizeof **rows);
    if (!*nodes || !*rows)
        return hy_err_set(HY_ERR_NOMEM, "linear: %zu rows, %zu values", x->rows, nnz);
    struct feature_node *p = *nodes;
    for (size_t r = 0; r < x->rows; r++) {
        (*rows)[r] = p;
        for (size_t i = x->indptr[r]; i < x->indptr[r + 1]; i++)
            *p++ = (struct feature_node){(int)x->indices[i] + 1, x->values[i]};
        *p++ = (struct feature_node){(int)x->cols + 1, 1.0};
        *p++ = (struct feature_node){-1, 0.0};
    }
    return HY_OK;
}

static hy_err check_train(const hy_sparse *x, const uint32_t *y, size_t nclass, const double *cw,
                          const hy_linear_opts *o, size_t *npos)
{
    hy_err rc;
    if (!x || !y || !o || !npos)
        return hy_err_set(HY_ERR_ARG, "linear: NULL argument");
    if ((rc = check_opts(o)) != HY_OK)
        return rc;
    if (nclass < 2 || nclass > HY_LINEAR_MAX_CLASSES)
        return hy_err_set(HY_ERR_ARG, "linear: %zu classes, not in 2..%u", nclass,
                          HY_LINEAR_MAX_CLASSES);
    if (x->rows > HY_LINEAR_MAX_ROWS || x->cols > HY_LINEAR_MAX_FEATURES)
        return hy_err_set(HY_ERR_ARG, "linear: %zu x %zu over the caps (%u x %u)", x->rows, x->cols,
                          HY_LINEAR_MAX_ROWS, HY_LINEAR_MAX_FEATURES);
    for (size_t c = 0; cw && c < nclass; c++)
        if (!(cw[c] > 0 && cw[c] < 1e6))
            return hy_err_set(HY_ERR_ARG, "linear: class weight %zu is %g", c, cw[c]);
    size_t present = 0;
    for (size_t r = 0; r < x->rows; r++) {
        if (y[r] >= nclass)
            return hy_err_set(HY_ERR_ARG, "linear: row %zu has label %u >= %zu", r, (unsigned)y[r],
                              nclass);
        present += !npos[y[r]]++;
    }
    if (present < 2)
        return hy_err_set(HY_ERR_ARG, "linear: %zu class(es) in the training rows, need 2",
                          present);
    return HY_OK;
}

hy_err hy_linear_train(const hy_sparse *x, const uint32_t *y, size_t nclass,
                       const double *class_weight, const hy_linear_opts *o, hy_linear **out)
{
    return hy_linear_train_warm(x, y, nclass, class_weight, o, NULL, out);
}

hy_err hy_linear_train_warm(const hy_sparse *x, const uint32_t *y, size_t nclass,
                            const double *class_weight, const hy_linear_opts *o,
                            const hy_linear *init, hy_linear **out)
{
    struct feature_node *nodes = NULL, **rows = NULL;
    size_t *npos = NULL;
    train_ctx *ctx = NULL;
    hy_linear *m = NULL;
    hy_err rc;
    if (!out)
        return hy_err_set(HY_ERR_ARG, "linear: NULL output");
    *out = NULL;
    if (!(npos = calloc(nclass ? nclass : 1, sizeof *npos)))
        return hy_err_set(HY_ERR_NOMEM, "linear: %zu classes", nclass);
    if ((rc = check_train(x, y, nclass, class_weight, o, npos)) != HY_OK ||
        (rc = make_rows(x, &nodes, &rows)) != HY_OK)
        goto out;
    if (init && (init->nfeat != x->cols || init->nclass != nclass)) {
        rc = hy_err_set(HY_ERR_ARG, "linear: warm start from a %zu x %zu model for %zu x %zu",
                        init->nfeat, init->nclass, x->cols, nclass);
        goto out;
    }
    if (!(m = linear_alloc(x->cols, nclass))) {
        rc = hy_err_set(HY_ERR_NOMEM, "linear: %zu x %zu weights", x->cols, nclass);
        goto out;
    }
    m->solver = o->solver;
    pthread_once(&print_once, set_print);
    unsigned nt = o->threads < nclass ? o->threads : (unsigned)nclass;
    if (!(ctx = calloc(nt, sizeof *ctx))) {
        rc = hy_err_set(HY_ERR_NOMEM, "linear: %u threads", nt);
        goto out;
    }
    hy_thread **th = calloc(nt, sizeof *th);
    for (unsigned i = 0; i < nt; i++)
        ctx[i] = (train_ctx){init, x, y, class_weight, o, rows, npos, m, nt, i, HY_OK, ""};
    for (unsigned i = 1; th && i < nt; i++)
        if (hy_thread_start("hy-linear", train_worker, &ctx[i], &th[i]) != HY_OK)
            th[i] = NULL; /* run it here instead */
    train_worker(&ctx[0]);
    for (unsigned i = 1; i < nt; i++) {
        if (th && th[i])
            hy_thread_join(th[i], NULL);
        else
            train_worker(&ctx[i]);
    }
    free(th);
    for (unsigned i = 0; i < nt && rc == HY_OK; i++)
        if (ctx[i].rc != HY_OK)
            rc = hy_err_set(ctx[i].rc, "%s", ctx[i].err);
    if (rc == HY_OK) {
        *out = m;
        m = NULL;
    }
out:
    hy_linear_free(m);
    free(ctx);
    free(nodes);
    free(rows);
    free(npos);
    return rc;
}

/* ---- using a model ---- */

size_t hy_linear_classes(const hy_linear *m)
{
    return m ? m->nclass : 0;
}

size_t hy_linear_features(const hy_linear *m)
{
    return m ? m->nfeat : 0;
}

unsigned hy_linear_unconverged(const hy_linear *m)
{
    return m ? m->unconverged : 0;
}

double hy_linear_weight(const hy_linear *m, size_t j, size_t c)
{
    if (!m || j >= m->nfeat || c >= m->nclass)
        return 0;
    return (double)m->scale[c] * m->q[j * m->nclass + c];
}

double hy_linear_bias(const hy_linear *m, size_t c)
{
    return m && c < m->nclass ? m->bias[c] : 0;
}

hy_err hy_linear_decision(const hy_linear *m, const uint32_t *idx, const float *val, size_t n,
                          double *z)
{
    if (!m || !z || (n && (!idx || !val)))
        return hy_err_set(HY_ERR_ARG, "linear: NULL argument");
    size_t k = m->nclass;
    for (size_t c = 0; c < k; c++)
        z[c] = 0;
    for (size_t i = 0; i < n; i++) {
        if (idx[i] >= m->nfeat)
            continue;
        const int16_t *w = m->q + (size_t)idx[i] * k;
        double v = val[i];
        for (size_t c = 0; c < k; c++)
            z[c] += v * w[c];
    }
    for (size_t c = 0; c < k; c++)
        z[c] = z[c] * m->scale[c] + m->bias[c];
    return HY_OK;
}

void hy_linear_proba(const double *z, size_t k, double temperature, double *p)
{
    double sum = 0;
    if (!z || !p || !k)
        return;
    if (temperature > 0) {
        double mx = z[0];
        for (size_t c = 1; c < k; c++)
            mx = fmax(mx, z[c]);
        for (size_t c = 0; c < k; c++)
            sum += p[c] = exp((z[c] - mx) / temperature);
    } else {
        for (size_t c = 0; c < k; c++)
            sum += p[c] = 1.0 / (1.0 + exp(-z[c]));
    }
    for (size_t c = 0; c < k; c++)
        p[c] = sum > 0 ? p[c] / sum : 1.0 / (double)k;
}

double hy_linear_nll(const double *z, const uint32_t *y, size_t n, size_t k, double t)
{
    double s = 0;
    if (!z || !y || !n || !k || !(t > 0))
        return INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double *r = z + i * k;
        double mx = r[0], e = 0;
        for (size_t c = 1; c < k; c++)
            mx = fmax(mx, r[c]);
        for (size_t c = 0; c < k; c++)
            e += exp((r[c] - mx) / t);
        s += log(e) - (r[y[i] < k ? y[i] : 0] - mx) / t;
    }
    return s / (double)n;
}

hy_err hy_linear_fit_temperature(const double *z, const uint32_t *y, size_t n, size_t k, double *t)
{
    if (!z || !y || !t || !n || k < 2)
        return hy_err_set(HY_ERR_ARG, "temperature: need decision values of >= 1 row, 2 classes");
    for (size_t i = 0; i < n; i++)
        if (y[i] >= k)
            return hy_err_set(HY_ERR_ARG, "temperature: row %zu has label %u >= %zu", i,
                              (unsigned)y[i], k);
    const double g = 0.6180339887498949;
    double a = log(0.01), b = log(100.0);
    double c1 = b - g * (b - a), c2 = a + g * (b - a);
    double f1 = hy_linear_nll(z, y, n, k, exp(c1)), f2 = hy_linear_nll(z, y, n, k, exp(c2));
    for (int it = 0; it < 200 && b - a > 1e-5; it++) {
        if (f1 <= f2) {
            b = c2, c2 = c1, f2 = f1;
            c1 = b - g * (b - a);
            f1 = hy_linear_nll(z, y, n, k, exp(c1));
        } else {
            a = c1, c1 = c2, f1 = f2;
            c2 = a + g * (b - a);
            f2 = hy_linear_nll(z, y, n, k, exp(c2));
        }
    }
    *t = exp((a + b) / 2);
    return HY_OK;
}

/* ---- binary form ---- */

hy_err hy_linear_save(const hy_linear *m, hy_buf *out)
{
    if (!m || !out)
        return hy_err_set(HY_ERR_ARG, "linear save: NULL argument");
    uint8_t h[16];
    hy_put_u32le(h, (uint32_t)m->nfeat);
    hy_put_u32le(h + 4, (uint32_t)m->nclass);
    hy_put_u32le(h + 8, (uint32_t)m->solver);
    hy_put_u32le(h + 12, m->unconverged);
    hy_err rc = hy_buf_add(out, h, sizeof h);
    for (size_t c = 0; c < m->nclass && rc == HY_OK; c++) {
        uint8_t e[8];
        hy_put_u32le(e, hy_f32_bits(m->scale[c]));
        hy_put_u32le(e + 4, hy_f32_bits(m->bias[c]));
        rc = hy_buf_add(out, e, sizeof e);
    }
    size_t nq = m->nfeat * m->nclass;
    char *dst = rc == HY_OK ? hy_buf_room(out, nq * 2, &rc) : NULL;
    if (!dst)
        return rc;
    for (size_t i = 0; i < nq; i++) {
        uint16_t u = (uint16_t)m->q[i];
        dst[2 * i] = (char)(u & 0xff);
        dst[2 * i + 1] = (char)(u >> 8);
    }
    hy_buf_commit(out, nq * 2);
    return HY_OK;
}

hy_err hy_linear_load(const uint8_t *p, size_t n, size_t *used, hy_linear **out)
{
    if (!out || !used || (!p && n))
        return hy_err_set(HY_ERR_ARG, "linear load: NULL argument");
    *out = NULL;
    if (n < 16)
        return hy_err_set(HY_ERR_TRUNCATED, "linear: header needs 16 bytes, %zu left", n);
    uint32_t nfeat = hy_get_u32le(p), nclass = hy_get_u32le(p + 4), solver = hy_get_u32le(p + 8);
    uint32_t unconv = hy_get_u32le(p + 12);
    if (nfeat > HY_LINEAR_MAX_FEATURES || nclass < 2 || nclass > HY_LINEAR_MAX_CLASSES ||
        solver > HY_LINEAR_SVM || unconv > nclass)
        return hy_err_set(HY_ERR_FORMAT,
                          "linear: %u features, %u classes, solver %u or %u unconverged invalid",
                          nfeat, nclass, solver, unconv);
    size_t need = 16 + (size_t)nclass * 8 + (size_t)nfeat * nclass * 2;
    if (n < need)
        return hy_err_set(HY_ERR_TRUNCATED, "linear: needs %zu bytes, %zu left", need, n);
    hy_linear *m = linear_alloc(nfeat, nclass);
    if (!m)
        return hy_err_set(HY_ERR_NOMEM, "linear: %u x %u weights", nfeat, nclass);
    m->solver = (hy_linear_solver)solver;
    m->unconverged = unconv;
    const uint8_t *e = p + 16;
    for (uint32_t c = 0; c < nclass; c++, e += 8) {
        m->scale[c] = hy_bits_f32(hy_get_u32le(e));
        m->bias[c] = hy_bits_f32(hy_get_u32le(e + 4));
        if (!isfinite(m->scale[c]) || m->scale[c] < 0 || m->scale[c] > 1e6f ||
            !isfinite(m->bias[c]) || fabsf(m->bias[c]) > 1e6f) {
            hy_linear_free(m);
            return hy_err_set(HY_ERR_FORMAT, "linear: class %u: scale %g or bias %g invalid", c,
                              (double)hy_bits_f32(hy_get_u32le(e)), (double)hy_bits_f32(hy_get_u32le(e + 4)));
        }
    }
    for (size_t i = 0; i < (size_t)nfeat * nclass; i++, e += 2)
        m->q[i] = (int16_t)(uint16_t)(e[0] | e[1] << 8);
    *used = need;
    *out = m;
    return HY_OK;
}
