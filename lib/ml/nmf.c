/* Non-negative matrix factorisation: NNDSVD start, HALS updates.
 *
 * Update rule: HALS (hierarchical alternating least squares; Cichocki & Phan
 * 2009, with the inner repetitions of Gillis & Glineur 2012) rather than
 * Lee-Seung multiplicative updates, which the Dark-NMF reference uses (with
 * up to 3000 iterations). Each HALS step minimises the loss exactly over one
 * column of W or one row of H within [floor, inf), so the loss never
 * increases; HALS converges in far fewer iterations than multiplicative
 * updates, and unlike them it can move an entry away from 0, so NNDSVD's
 * zeros do not freeze. The floor keeps ||w_c|| and ||h_c|| above 0: no step
 * divides by zero and no component dies.
 *
 * The work is done on V / max(V), so the floor and the tolerances do not
 * depend on the unit of V; H is scaled back at the end. The loss after each
 * iteration comes from products the updates already need:
 *   ||V - W H||^2 = ||V||^2 - 2 <W, V H'> + <W'W, H H'>,
 * and from an explicit residual once it falls to where that difference
 * would cancel. */
#include "hayate/ml.h"
#include "hayate/nmf.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Floor of every entry of W and H while iterating (V scaled to max 1). */
#define NMF_FLOOR 1e-15

/* Below this relative error the Gram-form loss loses too many digits to
 * cancellation; the explicit residual is used instead. */
#define NMF_GRAM_REL_MIN 1e-5

/* Inner sweeps per update: 1 + alpha * (cost of the products / cost of a
 * sweep), at most NMF_MAX_SWEEPS (Gillis & Glineur 2012, alpha = 0.5). */
#define NMF_SWEEP_ALPHA 0.5
#define NMF_MAX_SWEEPS  10

#define NMF_PI 3.14159265358979323846

void hy_nmf_cfg_default(hy_nmf_cfg *cfg)
{
    if (!cfg)
        return;
    cfg->rank = 2;
    cfg->max_iter = 500;
    cfg->tol = 1e-6;
    cfg->trace = NULL;
    cfg->trace_ctx = NULL;
}

/* Sizes accepted for an a x b matrix. */
static bool nmf_size_ok(size_t a, size_t b)
{
    return a > 0 && b > 0 && a <= HY_NMF_MAX_DIM && b <= HY_NMF_MAX_DIM &&
           a <= HY_NMF_MAX_ELEMS / b;
}

/* Checks the arguments and V's entries; sets *vmax to the largest entry. */
static hy_err nmf_check(const double *V, size_t m, size_t n, const hy_nmf_cfg *cfg, double *vmax)
{
    if (!nmf_size_ok(m, n))
        return hy_err_set(HY_ERR_ARG, "nmf: bad size %zu x %zu", m, n);
    size_t p = m < n ? m : n;
    if (cfg->rank == 0 || cfg->rank > p)
        return hy_err_set(HY_ERR_ARG, "nmf: rank %zu not in 1..min(m, n) = %zu", cfg->rank, p);
    if (cfg->max_iter < 1)
        return hy_err_set(HY_ERR_ARG, "nmf: max_iter %d < 1", cfg->max_iter);
    if (!(cfg->tol >= 0) || !isfinite(cfg->tol))
        return hy_err_set(HY_ERR_ARG, "nmf: tol %g not finite and >= 0", cfg->tol);
    double mx = 0;
    for (size_t i = 0; i < m * n; i++) {
        double v = V[i];
        if (!isfinite(v))
            return hy_err_set(HY_ERR_ARG, "nmf: V[%zu][%zu] is not finite", i / n, i % n);
        if (v < 0)
            return hy_err_set(HY_ERR_ARG, "nmf: V[%zu][%zu] = %g is negative", i / n, i % n, v);
        if (v > HY_NMF_MAX_VALUE)
            return hy_err_set(HY_ERR_ARG, "nmf: V[%zu][%zu] = %g is above %g", i / n, i % n, v,
                              HY_NMF_MAX_VALUE);
        if (v > mx)
            mx = v;
    }
    *vmax = mx;
    return HY_OK;
}

/* Workspace for one factorisation of an m x n matrix at rank k. */
typedef struct nmf_ws {
    size_t m, n, k;
    double *Vs; /* V / max(V), m x n */
    double *R;  /* m x n scratch: SVD input, then residuals */
    double *A;  /* W' Vs, k x n */
    double *C;  /* Vs H', m x k */
    double *B;  /* W' W, k x k */
    double *D;  /* H H', k x k */
    double *tn; /* n scratch */
    double *tm; /* m scratch */
    double vs2; /* ||Vs||_F^2 */
} nmf_ws;

static void nmf_ws_free(nmf_ws *w)
{
    free(w->Vs);
    free(w->R);
    free(w->A);
    free(w->C);
    free(w->B);
    free(w->D);
    free(w->tn);
    free(w->tm);
    memset(w, 0, sizeof *w);
}

static hy_err nmf_ws_alloc(nmf_ws *w, size_t m, size_t n, size_t k)
{
    memset(w, 0, sizeof *w);
    w->m = m;
    w->n = n;
    w->k = k;
    w->Vs = malloc(m * n * sizeof *w->Vs);
    w->R = malloc(m * n * sizeof *w->R);
    w->A = malloc(k * n * sizeof *w->A);
    w->C = malloc(m * k * sizeof *w->C);
    w->B = malloc(k * k * sizeof *w->B);
    w->D = malloc(k * k * sizeof *w->D);
    w->tn = malloc(n * sizeof *w->tn);
    w->tm = malloc(m * sizeof *w->tm);
    if (!w->Vs || !w->R || !w->A || !w->C || !w->B || !w->D || !w->tn || !w->tm) {
        nmf_ws_free(w);
        return hy_err_set(HY_ERR_NOMEM, "nmf: workspace for %zu x %zu, rank %zu", m, n, k);
    }
    return HY_OK;
}

/* ---- NNDSVD ---- */

/* Euclidean norms of the positive and negative parts of x[0..len) (stride). */
static void nmf_split_norms(const double *x, size_t len, size_t stride, double *pos, double *neg)
{
    double p = 0, q = 0;
    for (size_t i = 0; i < len; i++) {
        double v = x[i * stride];
        if (v > 0)
            p += v * v;
        else
            q += v * v;
    }
    *pos = sqrt(p);
    *neg = sqrt(q);
}

/* Fixes the sign of singular pair j (column j of U, m x p; row j of VT,
 * p x n) so that u_j's entry of largest magnitude (first on ties) is
 * positive: the SVD leaves that sign free and NNDSVD depends on it. */
static void nmf_fix_sign(double *U, double *VT, size_t m, size_t n, size_t p, size_t j)
{
    size_t best = 0;
    for (size_t i = 1; i < m; i++)
        if (fabs(U[i * p + j]) > fabs(U[best * p + j]))
            best = i;
    if (U[best * p + j] >= 0)
        return;
    for (size_t i = 0; i < m; i++)
        U[i * p + j] = -U[i * p + j];
    for (size_t i = 0; i < n; i++)
        VT[j * n + i] = -VT[j * n + i];
}

/* Component j of NNDSVD from the pair (u, v) with singular value s: the
 * dominant (positive or negative) part of u v' as a rank-one non-negative
 * matrix (Boutsidis & Gallopoulos 2008); the positive part wins ties. */
static void nmf_nndsvd_one(const double *U, const double *VT, const double *s, size_t j, size_t p,
                           nmf_ws *w, double *W, double *H)
{
    size_t m = w->m, n = w->n, k = w->k;
    const double *u = U + j, *v = VT + j * n;
    double up, un, vp, vn;
    nmf_split_norms(u, m, p, &up, &un);
    nmf_split_norms(v, n, 1, &vp, &vn);
    double mp = up * vp, mn = un * vn;
    bool pos = j == 0 || mp >= mn; /* j 0: Perron vector, |u|, |v| */
    double nu = pos ? up : un, nv = pos ? vp : vn, scale = j == 0 ? 1 : (pos ? mp : mn);
    double g = sqrt(s[j] * scale);
    for (size_t i = 0; i < m; i++) {
        double x = u[i * p];
        x = j == 0 ? fabs(x) : (pos ? (x > 0 ? x : 0) : (x < 0 ? -x : 0));
        W[i * k + j] = nu > 0 && j > 0 ? g * x / nu : g * x;
    }
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        x = j == 0 ? fabs(x) : (pos ? (x > 0 ? x : 0) : (x < 0 ? -x : 0));
        H[j * n + i] = nv > 0 && j > 0 ? g * x / nv : g * x;
    }
}

/* NNDSVD start from the SVD of Vs (computed in w->R), every entry floored. */
static hy_err nmf_nndsvd(nmf_ws *w, double *W, double *H)
{
    size_t m = w->m, n = w->n, k = w->k, p = m < n ? m : n;
    double *s = malloc(p * sizeof *s), *U = malloc(m * p * sizeof *U);
    double *VT = malloc(p * n * sizeof *VT);
    hy_err e = HY_OK;
    if (!s || !U || !VT) {
        e = hy_err_set(HY_ERR_NOMEM, "nmf: SVD of %zu x %zu", m, n);
        goto out;
    }
    memcpy(w->R, w->Vs, m * n * sizeof *w->R);
    lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)m, (lapack_int)n, w->R,
                                     (lapack_int)n, s, U, (lapack_int)p, VT, (lapack_int)n);
    if (info != 0) {
        e = hy_err_set(HY_ERR_INTERNAL, "nmf: dgesdd failed (info %d)", (int)info);
        goto out;
    }
    for (size_t j = 0; j < k; j++) {
        nmf_fix_sign(U, VT, m, n, p, j);
        nmf_nndsvd_one(U, VT, s, j, p, w, W, H);
    }
    for (size_t i = 0; i < m * k; i++)
        W[i] = W[i] > NMF_FLOOR ? W[i] : NMF_FLOOR;
    for (size_t i = 0; i < k * n; i++)
        H[i] = H[i] > NMF_FLOOR ? H[i] : NMF_FLOOR;
out:
    free(s);
    free(U);
    free(VT);
    return e;
}

/* ---- HALS ---- */

/* Sweeps per update for products costing `prod` and a sweep costing `sweep`. */
static int nmf_sweeps(double prod, double sweep)
{
    double r = 1 + NMF_SWEEP_ALPHA * prod / sweep;
    return r >= NMF_MAX_SWEEPS ? NMF_MAX_SWEEPS : (int)r;
}

/* H update: A = W'Vs and B = W'W are current; each row h_c becomes
 * max(floor, h_c + (A_c - B_c H) / B_cc), rows in order (Gauss-Seidel). */
static void nmf_update_h(nmf_ws *w, const double *W, double *H)
{
    size_t m = w->m, n = w->n, k = w->k;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)n, (int)m, 1.0, W, (int)k,
                w->Vs, (int)n, 0.0, w->A, (int)n);
    int sweeps = nmf_sweeps(2.0 * m * n * k, 2.0 * n * k * k + 3.0 * n);
    for (int s = 0; s < sweeps; s++)
        for (size_t c = 0; c < k; c++) {
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)k, (int)n, 1.0, H, (int)n, w->B + c * k, 1,
                        0.0, w->tn, 1);
            double d = w->B[c * k + c];
            double *h = H + c * n;
            const double *a = w->A + c * n;
            for (size_t j = 0; j < n; j++) {
                double x = h[j] + (a[j] - w->tn[j]) / d;
                h[j] = x > NMF_FLOOR ? x : NMF_FLOOR;
            }
        }
}

/* W update: C = Vs H' and D = H H' from the new H; each column w_c becomes
 * max(floor, w_c + (C_c - W D_c) / D_cc); then B = W'W for the loss and the
 * next H update. */
static void nmf_update_w(nmf_ws *w, double *W, const double *H)
{
    size_t m = w->m, n = w->n, k = w->k;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)k, (int)n, 1.0, w->Vs, (int)n,
                H, (int)n, 0.0, w->C, (int)k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)k, (int)k, (int)n, 1.0, H, (int)n, H,
                (int)n, 0.0, w->D, (int)k);
    int sweeps = nmf_sweeps(2.0 * m * n * k, 2.0 * m * k * k + 3.0 * m);
    for (int s = 0; s < sweeps; s++)
        for (size_t c = 0; c < k; c++) {
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)k, 1.0, W, (int)k, w->D + c * k,
                        1, 0.0, w->tm, 1);
            double d = w->D[c * k + c];
            for (size_t t = 0; t < m; t++) {
                double x = W[t * k + c] + (w->C[t * k + c] - w->tm[t]) / d;
                W[t * k + c] = x > NMF_FLOOR ? x : NMF_FLOOR;
            }
        }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)k, (int)m, 1.0, W, (int)k, W,
                (int)k, 0.0, w->B, (int)k);
}

/* ||X - W H||_F^2 for X (m x n) via an explicit residual in w->R. */
static double nmf_sse(nmf_ws *w, const double *X, const double *W, const double *H)
{
    size_t m = w->m, n = w->n, k = w->k;
    memcpy(w->R, X, m * n * sizeof *w->R);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, -1.0, W, (int)k,
                H, (int)n, 1.0, w->R, (int)n);
    return cblas_ddot((int)(m * n), w->R, 1, w->R, 1);
}

/* Frobenius error of Vs after nmf_update_w, from C, D and B (Gram form),
 * or the explicit residual when the Gram form would cancel. */
static double nmf_err(nmf_ws *w, const double *W, const double *H)
{
    size_t m = w->m, k = w->k;
    double wc = cblas_ddot((int)(m * k), W, 1, w->C, 1);
    double bd = cblas_ddot((int)(k * k), w->B, 1, w->D, 1);
    double e2 = w->vs2 - 2 * wc + bd;
    if (e2 < NMF_GRAM_REL_MIN * NMF_GRAM_REL_MIN * w->vs2)
        e2 = nmf_sse(w, w->Vs, W, H);
    return sqrt(e2 > 0 ? e2 : 0);
}

/* Iterates from the NNDSVD start; returns the iterations run. */
static int nmf_iterate(nmf_ws *w, const hy_nmf_cfg *cfg, double vmax, double *W, double *H)
{
    size_t m = w->m, k = w->k;
    double prev = sqrt(nmf_sse(w, w->Vs, W, H));
    if (cfg->trace)
        cfg->trace(cfg->trace_ctx, 0, prev * vmax);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)k, (int)k, (int)m, 1.0, W, (int)k, W,
                (int)k, 0.0, w->B, (int)k);
    int it = 0;
    while (it < cfg->max_iter) {
        it++;
        nmf_update_h(w, W, H);
        nmf_update_w(w, W, H);
        double e = nmf_err(w, W, H);
        if (cfg->trace)
            cfg->trace(cfg->trace_ctx, it, e * vmax);
        if (e == 0 || fabs(prev - e) < cfg->tol * prev)
            break;
        prev = e;
    }
    return it;
}

/* Each column of W to sum 1, H scaled by the sums and back to V's unit. */
static void nmf_normalize(size_t m, size_t n, size_t k, double vmax, double *W, double *H)
{
    for (size_t c = 0; c < k; c++) {
        double s = 0;
        for (size_t t = 0; t < m; t++)
            s += W[t * k + c];
        for (size_t t = 0; t < m; t++)
            W[t * k + c] /= s;
        for (size_t j = 0; j < n; j++)
            H[c * n + j] *= s * vmax;
    }
}

/* The documented result for V == 0. */
static void nmf_zero(size_t m, size_t n, size_t k, double *W, double *H, double *rel_err,
                     int *iters)
{
    for (size_t i = 0; i < m * k; i++)
        W[i] = 1.0 / (double)m;
    memset(H, 0, k * n * sizeof *H);
    if (rel_err)
        *rel_err = 0;
    if (iters)
        *iters = 0;
}

hy_err hy_nmf(const double *V, size_t m, size_t n, const hy_nmf_cfg *cfg, double *W, double *H,
              double *rel_err, int *iters)
{
    if (!V || !cfg || !W || !H)
        return hy_err_set(HY_ERR_ARG, "nmf: NULL argument");
    double vmax = 0;
    hy_err e = nmf_check(V, m, n, cfg, &vmax);
    if (e != HY_OK)
        return e;
    size_t k = cfg->rank;
    if (vmax == 0) {
        nmf_zero(m, n, k, W, H, rel_err, iters);
        return HY_OK;
    }
    hy_ml_init();
    nmf_ws w;
    e = nmf_ws_alloc(&w, m, n, k);
    if (e != HY_OK)
        return e;
    for (size_t i = 0; i < m * n; i++)
        w.Vs[i] = V[i] / vmax;
    w.vs2 = cblas_ddot((int)(m * n), w.Vs, 1, w.Vs, 1);
    e = nmf_nndsvd(&w, W, H);
    if (e != HY_OK)
        goto out;
    int it = nmf_iterate(&w, cfg, vmax, W, H);
    nmf_normalize(m, n, k, vmax, W, H);
    if (rel_err)
        *rel_err = sqrt(nmf_sse(&w, V, W, H)) / (sqrt(w.vs2) * vmax);
    if (iters)
        *iters = it;
out:
    nmf_ws_free(&w);
    return e;
}

/* ---- reading the factors ---- */

/* Checks that X (a x b) holds only finite entries >= 0. */
static hy_err nmf_check_nonneg(const double *X, size_t a, size_t b, const char *what)
{
    for (size_t i = 0; i < a * b; i++)
        if (!(X[i] >= 0) || !isfinite(X[i]))
            return hy_err_set(HY_ERR_ARG, "nmf: %s[%zu][%zu] is negative or not finite", what,
                              i / b, i % b);
    return HY_OK;
}

hy_err hy_nmf_groups(const double *H, size_t k, size_t n, double min_share, int *group)
{
    if (!H || !group)
        return hy_err_set(HY_ERR_ARG, "nmf_groups: NULL argument");
    if (!nmf_size_ok(k, n))
        return hy_err_set(HY_ERR_ARG, "nmf_groups: bad size %zu x %zu", k, n);
    if (!(min_share >= 0 && min_share <= 1))
        return hy_err_set(HY_ERR_ARG, "nmf_groups: min_share %g not in [0, 1]", min_share);
    hy_err e = nmf_check_nonneg(H, k, n, "H");
    if (e != HY_OK)
        return e;
    for (size_t j = 0; j < n; j++) {
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (H[c * n + j] > H[best * n + j])
                best = c;
        double top = H[best * n + j], sum = 0;
        group[j] = -1;
        if (top == 0)
            continue;
        for (size_t c = 0; c < k; c++)
            sum += H[c * n + j] / top; /* relative to top: no overflow */
        if (1.0 / sum >= min_share)
            group[j] = (int)best;
    }
    return HY_OK;
}

hy_err hy_nmf_members(const double *H, size_t k, size_t n, size_t c, double abs_min,
                      double rel_frac, bool *member, size_t *count)
{
    if (!H || !member || !count)
        return hy_err_set(HY_ERR_ARG, "nmf_members: NULL argument");
    if (!nmf_size_ok(k, n) || c >= k)
        return hy_err_set(HY_ERR_ARG, "nmf_members: bad size %zu x %zu or row %zu", k, n, c);
    if (!(abs_min >= 0) || !isfinite(abs_min) || !(rel_frac >= 0 && rel_frac <= 1))
        return hy_err_set(HY_ERR_ARG, "nmf_members: abs_min %g or rel_frac %g out of range",
                          abs_min, rel_frac);
    const double *h = H + c * n;
    hy_err e = nmf_check_nonneg(h, 1, n, "H row");
    if (e != HY_OK)
        return e;
    double top = -INFINITY;
    for (size_t j = 0; j < n; j++)
        if (h[j] > top)
            top = h[j];
    size_t cnt = 0;
    for (size_t j = 0; j < n; j++) {
        member[j] = top >= abs_min && h[j] >= abs_min && h[j] >= rel_frac * top;
        cnt += member[j];
    }
    *count = cnt;
    return HY_OK;
}

hy_err hy_nmf_activation(const double *W, const double *H, size_t m, size_t k, size_t n, double *A)
{
    if (!W || !H || !A)
        return hy_err_set(HY_ERR_ARG, "nmf_activation: NULL argument");
    if (!nmf_size_ok(m, k) || !nmf_size_ok(k, n))
        return hy_err_set(HY_ERR_ARG, "nmf_activation: bad size m %zu k %zu n %zu", m, k, n);
    for (size_t c = 0; c < k; c++) {
        double s = 0;
        for (size_t j = 0; j < n; j++)
            s += H[c * n + j];
        for (size_t t = 0; t < m; t++)
            A[t * k + c] = W[t * k + c] * s;
    }
    return HY_OK;
}

hy_err hy_nmf_mdl(const double *V, const double *W, const double *H, size_t m, size_t k, size_t n,
                  double *dl)
{
    if (!V || !W || !H || !dl)
        return hy_err_set(HY_ERR_ARG, "nmf_mdl: NULL argument");
    if (!nmf_size_ok(m, n) || !nmf_size_ok(m, k) || !nmf_size_ok(k, n) || k > m || k > n)
        return hy_err_set(HY_ERR_ARG, "nmf_mdl: bad size m %zu k %zu n %zu", m, k, n);
    double sse = 0;
    for (size_t t = 0; t < m; t++)
        for (size_t j = 0; j < n; j++) {
            double r = V[t * n + j];
            for (size_t c = 0; c < k; c++)
                r -= W[t * k + c] * H[c * n + j];
            sse += r * r;
        }
    if (!isfinite(sse))
        return hy_err_set(HY_ERR_ARG, "nmf_mdl: residual not finite");
    double mn = (double)m * (double)n, kk = (double)k;
    double s = sse / mn > DBL_MIN ? sse / mn : DBL_MIN;
    double params = (double)m * kk + kk * (double)n - kk * kk;
    *dl = mn / 2 * (log(2 * NMF_PI * s) + 1) + params / 2 * log(mn / (2 * NMF_PI));
    return HY_OK;
}
