/* Sample covariance, the graphical lasso's driver, and the density of its
 * graph. Screening (Witten, Friedman & Simon 2011; Mazumder & Hastie 2012):
 * the connected components of the graph with an edge where |S_ij| > rho
 * are exactly the diagonal blocks of the solution, so each is solved on its
 * own by glasso_bcd.c and an isolated node has W_ii = S_ii (+ rho),
 * Theta_ii = 1 / W_ii. */
#include "hayate/ml.h"
#include "hayate/glasso.h"
#include "ml/glasso_int.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hy_glasso_cfg_default(hy_glasso_cfg *cfg)
{
    if (!cfg)
        return;
    cfg->tol = 1e-4;
    cfg->max_iter = 100;
    cfg->lasso_max_iter = 1000;
    cfg->penalize_diag = false;
    cfg->screen = true;
}

/* ---- sample covariance ---- */

hy_err hy_cov(const double *X, size_t n, size_t p, double *S)
{
    if (!X || !S)
        return hy_err_set(HY_ERR_ARG, "cov: NULL matrix");
    if (n == 0 || p == 0 || p > HY_GLASSO_MAX_P || n > (size_t)INT32_MAX ||
        n > SIZE_MAX / sizeof(double) / p)
        return hy_err_set(HY_ERR_ARG, "cov: bad size %zu x %zu", n, p);
    hy_ml_init(); /* deterministic */
    double *mean = calloc(p, sizeof *mean), *C = malloc(n * p * sizeof *C);
    hy_err e = HY_OK;
    if (!mean || !C) {
        e = hy_err_set(HY_ERR_NOMEM, "cov: %zu x %zu", n, p);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++) {
            if (!isfinite(X[i * p + j])) {
                e = hy_err_set(HY_ERR_ARG, "cov: X[%zu][%zu] is not finite", i, j);
                goto out;
            }
            mean[j] += X[i * p + j];
        }
    for (size_t j = 0; j < p; j++)
        mean[j] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            C[i * p + j] = X[i * p + j] - mean[j];
    /* S = C'C / n; dsyrk fills the upper triangle, mirrored below. */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (blasint)p, (blasint)n, 1.0 / (double)n, C,
                (blasint)p, 0.0, S, (blasint)p);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++)
            S[i * p + j] = S[j * p + i];
out:
    free(mean);
    free(C);
    return e;
}

/* ---- argument checks ---- */

static hy_err gl_check(const double *S, size_t p, double rho, const hy_glasso_cfg *c)
{
    if (p == 0 || p > HY_GLASSO_MAX_P)
        return hy_err_set(HY_ERR_ARG, "glasso: p = %zu (1..%u)", p, HY_GLASSO_MAX_P);
    if (!(rho >= 0) || !isfinite(rho))
        return hy_err_set(HY_ERR_ARG, "glasso: rho = %g (finite, >= 0)", rho);
    if (!(c->tol >= 0) || !isfinite(c->tol) || c->max_iter < 1 || c->lasso_max_iter < 1)
        return hy_err_set(HY_ERR_ARG, "glasso: bad cfg (tol %g, max_iter %d, lasso_max_iter %d)",
                          c->tol, c->max_iter, c->lasso_max_iter);
    bool zero_diag_ok = c->penalize_diag && rho > 0;
    for (size_t i = 0; i < p; i++) {
        double d = S[i * p + i];
        if (!isfinite(d) || d < 0 || (d == 0 && !zero_diag_ok))
            return hy_err_set(HY_ERR_ARG,
                              "glasso: S[%zu][%zu] = %g (needs > 0, or >= 0 with "
                              "penalize_diag and rho > 0; drop constant columns)",
                              i, i, d);
        for (size_t j = i + 1; j < p; j++) {
            double a = S[i * p + j], b = S[j * p + i];
            if (!isfinite(a) || !isfinite(b))
                return hy_err_set(HY_ERR_ARG, "glasso: S[%zu][%zu] is not finite", i, j);
            if (fabs(a - b) > 1e-9 * fmax(fabs(a), fabs(b)))
                return hy_err_set(HY_ERR_ARG, "glasso: S is not symmetric at [%zu][%zu]", i, j);
        }
    }
    return HY_OK;
}

/* ---- connected components of |S_ij| > rho ---- */

static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* Fills order[0..p) with the nodes grouped by component (components ordered
 * by their smallest node, nodes ascending within) and start[0..ncomp] with
 * the offsets; returns ncomp. root is p of scratch; start has p + 1. */
static size_t gl_components(const double *S, size_t p, double rho, bool screen, size_t *root,
                            size_t *order, size_t *start)
{
    for (size_t i = 0; i < p; i++)
        root[i] = screen ? i : 0;
    for (size_t i = 0; screen && i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            if (fabs(S[i * p + j]) > rho) {
                size_t a = uf_find(root, i), b = uf_find(root, j);
                if (a != b)
                    root[a > b ? a : b] = a < b ? a : b; /* a root is its smallest node */
            }
    for (size_t i = 0; i < p; i++)
        root[i] = uf_find(root, i);
    /* Counting sort by root: start[r] holds the size, then the offset, of
     * the component whose root is r. */
    memset(start, 0, (p + 1) * sizeof *start);
    for (size_t i = 0; i < p; i++)
        start[root[i]]++;
    size_t off = 0;
    for (size_t i = 0; i < p; i++)
        if (root[i] == i) {
            size_t size = start[i];
            start[i] = off;
            off += size;
        }
    for (size_t i = 0; i < p; i++)
        order[start[root[i]]++] = i;
    size_t ncomp = 0;
    for (size_t t = 0; t < p; t++)
        if (t == 0 || root[order[t]] != root[order[t - 1]])
            start[ncomp++] = t;
    start[ncomp] = p;
    return ncomp;
}

/* Theta_ij and Theta_ji come from different columns' lassos; at convergence
 * they agree, and the mean makes the output exactly symmetric. */
static void gl_symmetrize(double *T, size_t p)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++) {
            double v = 0.5 * (T[i * p + j] + T[j * p + i]);
            T[i * p + j] = T[j * p + i] = v;
        }
}

/* Sets every entry between different components (root[i] != root[j]) to 0. */
static void gl_zero_between(double *A, size_t p, const size_t *root)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            if (root[i] != root[j])
                A[i * p + j] = 0.0;
}

/* hy_glasso and hy_glasso_warm: screening, then each block on its own. */
static hy_err gl_run(const double *S, size_t p, double rho, const hy_glasso_cfg *cfg, bool warm,
                     double *Theta, double *W, int *iters)
{
    hy_glasso_cfg def;
    if (!cfg) {
        hy_glasso_cfg_default(&def);
        cfg = &def;
    }
    if (iters)
        *iters = 0;
    if (!S || !Theta || !W)
        return hy_err_set(HY_ERR_ARG, "glasso: NULL matrix");
    hy_err e = gl_check(S, p, rho, cfg);
    if (e != HY_OK)
        return e;
    hy_ml_init();

    size_t *root = calloc(p, sizeof *root), *order = malloc(p * sizeof *order);
    size_t *start = malloc((p + 1) * sizeof *start);
    hy__gl_block *blk = NULL;
    hy_err late = HY_OK; /* first non-convergence, reported after all blocks */
    char late_msg[256] = "";
    int most = 0;
    if (!root || !order || !start) {
        e = hy_err_set(HY_ERR_NOMEM, "glasso: index arrays for %zu nodes", p);
        goto out;
    }
    size_t ncomp = gl_components(S, p, rho, cfg->screen, root, order, start), mmax = 1;
    for (size_t c = 0; c < ncomp; c++)
        if (start[c + 1] - start[c] > mmax)
            mmax = start[c + 1] - start[c];
    if (mmax > 1 && (e = hy__gl_block_create(mmax, &blk)) != HY_OK)
        goto out;
    for (size_t c = 0; c < ncomp; c++) {
        const size_t *idx = order + start[c];
        size_t m = start[c + 1] - start[c];
        if (m == 1) { /* closed form; gl_check made the diagonal positive */
            size_t i = idx[0];
            W[i * p + i] = S[i * p + i] + (cfg->penalize_diag ? rho : 0.0);
            Theta[i * p + i] = 1.0 / W[i * p + i];
            continue;
        }
        int sweeps = 0;
        e = hy__gl_block_solve(blk, S, p, idx, m, rho, cfg, warm, Theta, W, &sweeps);
        if (sweeps > most)
            most = sweeps;
        if (e == HY_ERR_TOOBIG && late == HY_OK) {
            late = e;
            snprintf(late_msg, sizeof late_msg, "%s", hy_err_detail());
        } else if (e != HY_OK && e != HY_ERR_TOOBIG) {
            goto out;
        }
    }
    /* Blocks only wrote their own entries (a warm start reads the old ones
     * of its block first); everything between blocks is 0. */
    gl_zero_between(Theta, p, root);
    gl_zero_between(W, p, root);
    gl_symmetrize(Theta, p);
    e = late;
    if (e != HY_OK)
        hy_err_set(e, "%s", late_msg);
out:
    if (iters)
        *iters = most;
    free(root);
    free(order);
    free(start);
    hy__gl_block_destroy(blk);
    return e;
}

hy_err hy_glasso(const double *S, size_t p, double rho, const hy_glasso_cfg *cfg, double *Theta,
                 double *W, int *iters)
{
    return gl_run(S, p, rho, cfg, false, Theta, W, iters);
}

hy_err hy_glasso_warm(const double *S, size_t p, double rho, const hy_glasso_cfg *cfg,
                      double *Theta, double *W, int *iters)
{
    return gl_run(S, p, rho, cfg, true, Theta, W, iters);
}

double hy_glasso_density(const double *Theta, size_t p, double eps)
{
    if (!Theta || p < 2)
        return 0.0;
    size_t nz = 0;
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            if (fabs(Theta[i * p + j]) > eps)
                nz++;
    return (double)nz / ((double)p * (double)(p - 1) / 2.0);
}
