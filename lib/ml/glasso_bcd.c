/* Graphical lasso on one block (a connected component of |S_ij| > rho) by
 * block coordinate descent on the covariance W (Friedman, Hastie &
 * Tibshirani 2008), one column at a time: with W11 = W minus row and column
 * j, and s12 = column j of S minus S_jj, the lasso
 *     min_b  1/2 b' W11 b - b' s12 + rho |b|_1
 * is solved and w12 = W11 b replaces column j. At the end Theta_jj =
 * 1 / (W_jj - w12' b) and Theta_{-j,j} = -b Theta_jj.
 *
 * The cold start W0 is feasible (|W0_ij - S_ij| <= rho) and positive
 * definite when S is positive semidefinite, so each column update raises
 * log det W (block coordinate ascent on the dual) and W stays positive
 * definite.
 *
 * Each lasso is warm-started from the previous sweep's b and solved by
 * coordinate-descent passes (which let coordinates enter and leave) and
 * Newton steps on the active set: with n = 12 samples W11 is close to
 * singular and plain coordinate descent needs hundreds of passes. */
#include "ml/glasso_int.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The lasso passes stop when no coordinate moves W by more than this
 * fraction of the outer tolerance. */
#define GL_INNER_TOL_FRAC 0.1

/* Largest active set solved by a Newton step (a Cholesky of its size);
 * larger ones fall back to coordinate-descent passes. */
#define GL_NEWTON_MAX 400

/* Most inactive coordinates let into the lasso's active set per pass. */
#ifndef GL_ENTER_MAX
#define GL_ENTER_MAX 8
#endif

/* Workspace for one component of m nodes; matrices m x m row-major, the
 * Newton buffers sized for min(m, GL_NEWTON_MAX). */
struct hy__gl_block {
    double *S;   /* S restricted to the component */
    double *W;   /* current covariance estimate */
    double *B;   /* row j: the lasso coefficients b of column j (B_jj = 0) */
    double *r;   /* residual s12 - W11 b of the column being updated */
    double *wd;  /* the diagonal of W, fixed (a contiguous copy) */
    size_t *act; /* active coordinates (b_k != 0) */
    uint32_t *L; /* row j: the non-zero positions of B's row j, nl[j] of them */
    size_t *nl;
    double *G; /* Cholesky factor of W_AA */
    double *d; /* Newton step on the active set */
    double *g; /* s_A - W_AA b_A during Newton steps */
};

typedef hy__gl_block gl_work;

void hy__gl_block_destroy(hy__gl_block *w)
{
    if (!w)
        return;
    free(w->S);
    free(w->W);
    free(w->B);
    free(w->r);
    free(w->wd);
    free(w->act);
    free(w->L);
    free(w->nl);
    free(w->G);
    free(w->d);
    free(w->g);
    free(w);
}

hy_err hy__gl_block_create(size_t m, hy__gl_block **out)
{
    size_t g = m < GL_NEWTON_MAX ? m : GL_NEWTON_MAX;
    gl_work *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return hy_err_set(HY_ERR_NOMEM, "glasso: workspace for %zu nodes", m);
    w->S = malloc(m * m * sizeof *w->S);
    w->W = malloc(m * m * sizeof *w->W);
    w->B = malloc(m * m * sizeof *w->B);
    w->r = malloc(m * sizeof *w->r);
    w->wd = malloc(m * sizeof *w->wd);
    w->act = malloc(m * sizeof *w->act);
    w->L = malloc(m * m * sizeof *w->L);
    w->nl = malloc(m * sizeof *w->nl);
    w->G = malloc(g * g * sizeof *w->G);
    w->d = malloc(g * sizeof *w->d);
    w->g = malloc(g * sizeof *w->g);
    if (!w->S || !w->W || !w->B || !w->r || !w->wd || !w->act || !w->L || !w->nl || !w->G ||
        !w->d || !w->g) {
        hy__gl_block_destroy(w);
        return hy_err_set(HY_ERR_NOMEM, "glasso: workspace for %zu nodes", m);
    }
    *out = w;
    return HY_OK;
}

/* ---- the lasso of one column ---- */

static inline double gl_soft(double z, double t)
{
    return z > t ? z - t : (z < -t ? z + t : 0.0);
}

/* Coordinate-descent update of b_k; moves that would change W11 b by less
 * than skip are not made (each costs a pass over a row of W). Keeps r =
 * s12 - W11 b; returns the change W_kk |db_k| made. */
static inline double gl_cd_update(const double *W, const double *wd, size_t m, size_t k, double rho,
                                  double skip, double *b, double *r)
{
    double wkk = wd[k], nb = gl_soft(r[k] + wkk * b[k], rho) / wkk, d = nb - b[k];
    if (d == 0.0 || (wkk * fabs(d) < skip && nb != 0.0))
        return 0.0;
    cblas_daxpy((blasint)m, -d, W + k * m, 1, r, 1);
    b[k] = nb;
    return wkk * fabs(d);
}

/* A pass over the active coordinates act[0..*na), then over at most
 * GL_ENTER_MAX inactive ones (not j) that violate optimality (|r_k| >
 * rho), largest violation first; act is rebuilt as the non-zero ones.
 * Capping the entries matters from a cold start: letting every violator in
 * at once makes most of them leave again, one Newton step each. Returns
 * the largest change made. */
static double gl_cd_full(const double *W, const double *wd, size_t m, size_t j, double rho,
                         double skip, double *b, double *r, size_t *act, size_t *na)
{
    size_t top[GL_ENTER_MAX], nt = 0;
    double viol[GL_ENTER_MAX];
    for (size_t k = 0; k < m; k++) {
        double v = fabs(r[k]);
        if (v <= rho || b[k] != 0.0 || k == j || (nt == GL_ENTER_MAX && v <= viol[nt - 1]))
            continue;                                 /* the common case: inactive and optimal */
        size_t t = nt < GL_ENTER_MAX ? nt++ : nt - 1; /* insertion into viol, descending */
        for (; t > 0 && viol[t - 1] < v; t--) {
            viol[t] = viol[t - 1];
            top[t] = top[t - 1];
        }
        viol[t] = v;
        top[t] = k;
    }
    double dmax = 0;
    size_t n = 0;
    for (size_t u = 0; u < *na; u++) {
        dmax = fmax(dmax, gl_cd_update(W, wd, m, act[u], rho, skip, b, r));
        if (b[act[u]] != 0.0)
            act[n++] = act[u];
    }
    for (size_t t = 0; t < nt; t++) {
        dmax = fmax(dmax, gl_cd_update(W, wd, m, top[t], rho, skip, b, r));
        if (b[top[t]] != 0.0)
            act[n++] = top[t];
    }
    *na = n;
    return dmax;
}

/* A pass over act[0..na) only. Returns the largest change made. */
static double gl_cd_list(const double *W, const double *wd, size_t m, double rho, double skip,
                         const size_t *act, size_t na, double *b, double *r)
{
    double dmax = 0;
    for (size_t u = 0; u < na; u++)
        dmax = fmax(dmax, gl_cd_update(W, wd, m, act[u], rho, skip, b, r));
    return dmax;
}

/* r = s - W b, where b is zero outside act[0..na). */
static void gl_residual(const double *W, size_t m, const double *s, const double *b,
                        const size_t *act, size_t na, double *r)
{
    memcpy(r, s, m * sizeof *r);
    for (size_t u = 0; u < na; u++)
        if (b[act[u]] != 0.0)
            cblas_daxpy((blasint)m, -b[act[u]], W + act[u] * m, 1, r, 1);
}

/* In-place Cholesky A = U'U of the n x n matrix A (row stride ld), whose
 * upper triangle is read and overwritten by U; 0 when A is not numerically
 * positive definite. Row-oriented: the inner loops run over contiguous
 * memory. */
static int gl_chol(double *A, size_t n, size_t ld)
{
    for (size_t j = 0; j < n; j++) {
        double *aj = A + j * ld;
        if (!(aj[j] > 0))
            return 0;
        double ujj = sqrt(aj[j]), inv = 1.0 / ujj;
        aj[j] = ujj;
        for (size_t k = j + 1; k < n; k++)
            aj[k] *= inv;
        for (size_t i = j + 1; i < n; i++) {
            double f = aj[i], *ai = A + i * ld;
            for (size_t k = i; k < n; k++)
                ai[k] -= f * aj[k];
        }
    }
    return 1;
}

/* Solves U'U x = x for the factor from gl_chol. */
static void gl_chol_solve(const double *U, size_t n, size_t ld, double *x)
{
    for (size_t i = 0; i < n; i++) {
        const double *ui = U + i * ld;
        x[i] /= ui[i];
        for (size_t k = i + 1; k < n; k++)
            x[k] -= ui[k] * x[i];
    }
    for (size_t i = n; i-- > 0;) {
        const double *ui = U + i * ld;
        double v = x[i];
        for (size_t k = i + 1; k < n; k++)
            v -= ui[k] * x[k];
        x[i] = v / ui[i];
    }
}

/* Turns the factor U of A (n x n) into that of A without row and column h
 * in O(n^2): drop column h, then Givens rotations of rows h, h+1, ... clear
 * the subdiagonal this leaves, and the last row ends up zero. */
static void gl_chol_delete(double *U, size_t n, size_t ld, size_t h)
{
    for (size_t i = 0; i < n; i++) {
        double *ui = U + i * ld;
        for (size_t c = h; c + 1 < n; c++)
            ui[c] = ui[c + 1];
    }
    for (size_t k = h; k + 1 < n; k++) {
        double *uk = U + k * ld, *un = U + (k + 1) * ld;
        double x = uk[k], y = un[k], rr = sqrt(x * x + y * y), c = x / rr, sn = y / rr;
        for (size_t t = k; t + 1 < n; t++) {
            double p = uk[t], q = un[t];
            uk[t] = c * p + sn * q;
            un[t] = c * q - sn * p;
        }
    }
}

/* Newton steps on the active set A = act[0..na) with the signs sg of b_A
 * fixed: the lasso restricted to that orthant is a quadratic whose
 * minimiser is b_A + d with W_AA d = g - rho sg, g = s_A - W_AA b_A. Each
 * step moves towards it as far as the signs hold, which lowers the
 * objective; a coordinate that reaches 0 leaves act (and the factor of
 * W_AA is downdated). After a step of length alpha, g becomes
 * (1 - alpha) g + alpha rho sg, so no product with W is needed. Returns 1
 * after a full step, 0 when the set empties or *passes reaches max_pass,
 * -1 when W_AA is not numerically positive definite (b is then unchanged).
 * g is na of scratch. */
static int gl_newton(const double *W, size_t m, const double *s, double rho, size_t *act,
                     size_t *na_io, double *G, double *d, double *g, double *b, int *passes,
                     int max_pass)
{
    size_t na = *na_io, ld = na;
    for (size_t u = 0; u < na; u++) {
        const double *wu = W + act[u] * m;
        double v = s[act[u]];
        for (size_t t = 0; t < na; t++)
            v -= wu[act[t]] * b[act[t]];
        g[u] = v;
        for (size_t t = u; t < na; t++)
            G[u * ld + t] = wu[act[t]];
    }
    if (!gl_chol(G, na, ld))
        return -1;
    while (na > 0 && *passes < max_pass) {
        for (size_t u = 0; u < na; u++)
            d[u] = g[u] - (b[act[u]] > 0 ? rho : -rho);
        gl_chol_solve(G, na, ld, d);
        ++*passes;
        double alpha = 1.0;
        size_t hit = na;
        for (size_t u = 0; u < na; u++) {
            double bu = b[act[u]], nu = bu + d[u];
            if (!isfinite(nu))
                return -1;
            if ((bu > 0 && nu < 0) || (bu < 0 && nu > 0)) {
                double a = bu / (bu - nu);
                if (a < alpha) {
                    alpha = a;
                    hit = u;
                }
            }
        }
        for (size_t u = 0; u < na; u++) {
            double sg = b[act[u]] > 0 ? rho : -rho;
            g[u] = (1.0 - alpha) * g[u] + alpha * sg;
            b[act[u]] = u == hit ? 0.0 : b[act[u]] + alpha * d[u];
        }
        if (hit == na) {
            *na_io = na;
            return 1;
        }
        gl_chol_delete(G, na, ld, hit);
        for (size_t u = hit; u + 1 < na; u++) {
            act[u] = act[u + 1];
            g[u] = g[u + 1];
        }
        na--;
    }
    *na_io = na;
    return 0;
}

/* Lasso for column j (s = S's row j), warm-started from b. Newton steps
 * settle the active set's values; a full coordinate-descent pass then lets
 * coordinates enter or leave; done when that pass moves nothing by tol_in.
 * Coordinate-descent passes over the active set replace the Newton steps
 * when it is too large or W_AA is ill-conditioned. Every pass and step
 * counts towards max_pass. Leaves r = s - W11 b. */
static void gl_lasso(gl_work *w, size_t m, size_t j, double rho, int max_pass, double tol_in,
                     const double *s, double *b)
{
    const double *W = w->W, *wd = w->wd;
    double *r = w->r, skip = 1e-3 * tol_in;
    size_t *act = w->act, na = w->nl[j];
    for (size_t u = 0; u < na; u++)
        act[u] = w->L[j * m + u];
    bool newton = true, r_ok = false;
    int passes = 0;
    while (passes < max_pass) {
        if (newton && na > 0 && na <= GL_NEWTON_MAX) {
            int st = gl_newton(W, m, s, rho, act, &na, w->G, w->d, w->g, b, &passes, max_pass);
            newton = st >= 0;
            r_ok = false;
        }
        if (!r_ok)
            gl_residual(W, m, s, b, act, na, r);
        r_ok = true;
        double d = gl_cd_full(W, wd, m, j, rho, skip, b, r, act, &na);
        passes++;
        if (d < tol_in)
            break;
        if (newton && na <= GL_NEWTON_MAX)
            continue;
        while (passes < max_pass) {
            d = gl_cd_list(W, wd, m, rho, skip, act, na, b, r);
            passes++;
            if (d < tol_in)
                break;
        }
    }
    if (!r_ok)
        gl_residual(W, m, s, b, act, na, r);
    size_t n = 0;
    for (size_t u = 0; u < na; u++)
        if (b[act[u]] != 0.0)
            w->L[j * m + n++] = (uint32_t)act[u];
    w->nl[j] = n;
}

/* Updates column (and row) j of W; returns the sum of |change| over it. */
static double gl_column(gl_work *w, size_t m, size_t j, double rho, int max_pass, double tol_in)
{
    const double *s = w->S + j * m;
    double *b = w->B + j * m, *wj = w->W + j * m, *r = w->r;
    gl_lasso(w, m, j, rho, max_pass, tol_in, s, b);
    double change = 0;
    for (size_t k = 0; k < m; k++) {
        if (k == j)
            continue;
        double nw = s[k] - r[k]; /* = (W11 b)_k */
        change += fabs(nw - wj[k]);
        wj[k] = nw;
        w->W[k * m + j] = nw;
    }
    return change;
}

/* W0: S + rho I with penalize_diag; else diag(S) + t offdiag(S) with t =
 * 1 - rho / max|S_ij|, the largest shrink that stays feasible. Both are
 * positive definite for positive semidefinite S and rho > 0. */
static void gl_init(gl_work *w, size_t m, double rho, bool pd)
{
    double maxoff = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t k = 0; k < m; k++)
            if (k != i)
                maxoff = fmax(maxoff, fabs(w->S[i * m + k]));
    double t = pd ? 1.0 : (maxoff > rho ? 1.0 - rho / maxoff : 0.0);
    for (size_t i = 0; i < m * m; i++)
        w->W[i] = t * w->S[i];
    for (size_t i = 0; i < m; i++)
        w->W[i * m + i] = w->wd[i] = w->S[i * m + i] + (pd ? rho : 0.0);
    memset(w->B, 0, m * m * sizeof *w->B);
    memset(w->nl, 0, m * sizeof *w->nl);
}

/* Warm start from a solution at another rho held in Theta and Wp (p x p) at
 * the nodes idx: W's off-diagonal as it is, its diagonal set for this rho,
 * and b_j = -Theta_{.j} / Theta_jj. 0 when that solution is unusable. */
static int gl_warm(gl_work *w, size_t m, const size_t *idx, size_t p, const double *Theta,
                   const double *Wp, double rho, bool pd)
{
    for (size_t j = 0; j < m; j++) {
        size_t gj = idx[j];
        double tjj = Theta[gj * p + gj];
        if (!(tjj > 0) || !isfinite(tjj))
            return 0;
        w->nl[j] = 0;
        for (size_t k = 0; k < m; k++) {
            double wv = Wp[gj * p + idx[k]], tv = Theta[idx[k] * p + gj];
            if (!isfinite(wv) || !isfinite(tv))
                return 0;
            w->W[j * m + k] = wv;
            w->B[j * m + k] = k == j ? 0.0 : -tv / tjj;
            if (w->B[j * m + k] != 0.0)
                w->L[j * m + w->nl[j]++] = (uint32_t)k;
        }
        w->W[j * m + j] = w->wd[j] = w->S[j * m + j] + (pd ? rho : 0.0);
    }
    return 1;
}

/* The scale of the convergence test: mean |S_ij| off the diagonal (R
 * glasso's), else the mean diagonal, else 1. */
static double gl_scale(const gl_work *w, size_t m)
{
    double sumoff = 0, sumdiag = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t k = 0; k < m; k++) {
            if (k == i)
                sumdiag += w->S[i * m + k];
            else
                sumoff += fabs(w->S[i * m + k]);
        }
    double scale = sumoff > 0 ? sumoff / (double)(m * (m - 1)) : sumdiag / (double)m;
    return scale > 0 ? scale : 1.0;
}

/* rho == 0 has a solution only for positive definite S (then Theta = S^-1). */
static hy_err gl_check_pd(gl_work *w, size_t m)
{
    memcpy(w->W, w->S, m * m * sizeof *w->W);
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)m, w->W, (lapack_int)m);
    if (info != 0)
        return hy_err_set(HY_ERR_ARG,
                          "glasso: rho = 0 needs a positive definite S "
                          "(Cholesky failed at %d)",
                          (int)info);
    return HY_OK;
}

/* Runs the sweeps from the start in w->W and w->B; *sweeps gets their
 * number. HY_ERR_TOOBIG when the mean change is still above tolerance after
 * max_iter sweeps. */
static hy_err gl_sweeps(gl_work *w, size_t m, double rho, const hy_glasso_cfg *cfg, int *sweeps)
{
    double tol = cfg->tol * gl_scale(w, m), tol_in = GL_INNER_TOL_FRAC * tol, mean = 0;
    for (int it = 1; it <= cfg->max_iter; it++) {
        double change = 0;
        for (size_t j = 0; j < m; j++)
            change += gl_column(w, m, j, rho, cfg->lasso_max_iter, tol_in);
        *sweeps = it;
        mean = change / (double)(m * (m - 1));
        if (!isfinite(mean))
            return hy_err_set(HY_ERR_ARG, "glasso: diverged (S not positive semidefinite?)");
        if (mean < tol)
            return HY_OK;
    }
    return hy_err_set(HY_ERR_TOOBIG,
                      "glasso: not converged in %d sweeps at rho %g (block of %zu nodes: mean "
                      "|dW| %.3g, tolerance %.3g)",
                      cfg->max_iter, rho, m, mean, tol);
}

/* Writes the component's W and Theta (unsymmetrised: column j from b_j)
 * into the p x p outputs at the nodes idx[0..m). */
static hy_err gl_scatter(const gl_work *w, size_t m, const size_t *idx, size_t p, double *Theta,
                         double *Wout)
{
    for (size_t j = 0; j < m; j++) {
        const double *wj = w->W + j * m, *b = w->B + j * m;
        double q = wj[j] - cblas_ddot((blasint)m, wj, 1, b, 1);
        if (!(q > 0) || !isfinite(q))
            return hy_err_set(HY_ERR_ARG, "glasso: W lost positive definiteness "
                                          "(S not positive semidefinite?)");
        double th = 1.0 / q;
        size_t gj = idx[j];
        for (size_t k = 0; k < m; k++) {
            Theta[idx[k] * p + gj] = k == j ? th : -b[k] * th;
            Wout[gj * p + idx[k]] = wj[k];
        }
    }
    return HY_OK;
}

hy_err hy__gl_block_solve(hy__gl_block *w, const double *S, size_t p, const size_t *idx, size_t m,
                          double rho, const hy_glasso_cfg *cfg, bool warm, double *Theta, double *W,
                          int *sweeps)
{
    for (size_t j = 0; j < m; j++)
        for (size_t k = 0; k < m; k++) {
            /* the symmetric part, so tiny asymmetries cannot bias a side */
            double a = S[idx[j] * p + idx[k]], b = S[idx[k] * p + idx[j]];
            w->S[j * m + k] = j == k ? a : 0.5 * (a + b);
        }
    hy_err e = HY_OK;
    if (rho == 0 && (e = gl_check_pd(w, m)) != HY_OK)
        return e;
    if (warm && gl_warm(w, m, idx, p, Theta, W, rho, cfg->penalize_diag)) {
        e = gl_sweeps(w, m, rho, cfg, sweeps);
        if ((e == HY_OK || e == HY_ERR_TOOBIG) && gl_scatter(w, m, idx, p, Theta, W) == HY_OK)
            return e; /* gl_scatter leaves the detail of a non-convergence alone */
        /* a start from far away can break down where a cold one cannot */
    }
    gl_init(w, m, rho, cfg->penalize_diag);
    e = gl_sweeps(w, m, rho, cfg, sweeps);
    if (e != HY_OK && e != HY_ERR_TOOBIG)
        return e;
    hy_err e2 = gl_scatter(w, m, idx, p, Theta, W);
    return e2 != HY_OK ? e2 : e;
}
