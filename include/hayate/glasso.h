/* hayate: sample covariance, the graphical lasso (Friedman, Hastie &
 * Tibshirani 2008) with exact block-diagonal screening (Witten, Friedman &
 * Simon 2011; Mazumder & Hastie 2012), the density of its graph, and the
 * iterative variance-ratio outlier rule of Han et al. (TrustCom 2019,
 * IEICE Trans. 2020) used by the darknet engine.
 *
 * The graphical lasso maximises, over symmetric positive definite Theta,
 *     log det Theta - tr(S Theta) - rho * sum_{i,j} |Theta_ij|
 * where the sum runs over i != j only unless penalize_diag. Its optimality
 * (KKT) conditions, with W = Theta^-1, are
 *     W_ij - S_ij = rho * sign(Theta_ij)   where i != j and Theta_ij != 0,
 *     |W_ij - S_ij| <= rho                 where i != j and Theta_ij == 0,
 *     W_ii = S_ii (+ rho with penalize_diag).
 * All matrices are row-major p x p doubles. Functions are reentrant; BLAS is
 * used single-threaded so results do not depend on the thread count. */
#ifndef HAYATE_GLASSO_H
#define HAYATE_GLASSO_H

#include <stdbool.h>
#include <stddef.h>
#include "error.h"

/* Largest p accepted by hy_cov and hy_glasso (a p x p matrix of doubles is
 * 800 MB at this size). */
#define HY_GLASSO_MAX_P 10000u

/* Sample covariance S (p x p, divided by n as in scikit-learn's
 * empirical_covariance) of the p columns of the row-major n x p matrix X.
 * n >= 1 (n == 1 gives S = 0); HY_ERR_ARG on bad sizes or non-finite X. */
hy_err hy_cov(const double *X, size_t n, size_t p, double *S);

typedef struct hy_glasso_cfg {
    double tol;         /* converged when the mean |change| of the off-diagonal
                           of W over one sweep is < tol * mean |S_ij| (i != j)
                           of the block being solved (R glasso's "thr") */
    int max_iter;       /* sweeps over the columns before giving up */
    int lasso_max_iter; /* coordinate-descent passes per column lasso */
    bool penalize_diag; /* false: W_ii = S_ii (scikit-learn); true: W_ii =
                           S_ii + rho (Friedman et al., R glasso) */
    bool screen;        /* solve each connected component of |S_ij| > rho on
                           its own (exact, much faster); false only to test */
} hy_glasso_cfg;

/* tol 1e-4, max_iter 100, lasso_max_iter 1000, penalize_diag false,
 * screen true. */
void hy_glasso_cfg_default(hy_glasso_cfg *cfg);

/* Graphical lasso of the symmetric covariance S (p x p) at penalty rho >= 0
 * (cfg NULL: defaults). Writes the precision matrix Theta and the covariance
 * W = Theta^-1 (both p x p, symmetric; entries between different components
 * of the |S_ij| > rho graph are exactly 0), and, if iters is not NULL, the
 * largest number of sweeps any component needed (0 when all are isolated).
 * HY_ERR_ARG: p == 0 or > HY_GLASSO_MAX_P, rho < 0 or not finite, S with a
 * non-finite or asymmetric entry or a negative diagonal entry, S_ii == 0 where
 * W_ii would be 0 (penalize_diag false, or rho == 0), rho == 0 with S not
 * positive definite, or S found not positive semidefinite while solving.
 * HY_ERR_TOOBIG: not converged within cfg->max_iter sweeps; Theta and W then
 * hold the last iterate. On other errors their contents are unspecified. */
hy_err hy_glasso(const double *S, size_t p, double rho, const hy_glasso_cfg *cfg, double *Theta,
                 double *W, int *iters);

/* hy_glasso started from the solution already in Theta and W, written by
 * an earlier call on the same S at another rho. Solve a window's rho values
 * in increasing order: the old W is then feasible and positive definite for
 * the new rho, and fewer sweeps are needed (from a larger rho it can be
 * slower than a cold start). A block whose warm start breaks down is
 * re-solved cold. Same results and errors as hy_glasso, within tol. */
hy_err hy_glasso_warm(const double *S, size_t p, double rho, const hy_glasso_cfg *cfg,
                      double *Theta, double *W, int *iters);

/* Fraction of the p(p-1)/2 pairs i < j with |Theta_ij| > eps; 0 when p < 2
 * or Theta is NULL. */
double hy_glasso_density(const double *Theta, size_t p, double eps);

/* Default ratio of the variance-ratio rule (Han et al.). */
#define HY_VARRATIO_DEFAULT 0.98

/* Iterative variance-ratio outlier rule over the series x[0..n): while at
 * least 2 points would remain, take the points equal to the current maximum
 * (all of them: tied values get the same label whatever their order), and
 * if var(rest) / var(current) <= ratio, mark them as outliers and drop them;
 * otherwise stop. var is the population variance (divided by the count, as
 * numpy.var). A series whose current set has zero variance stops the rule,
 * so a constant series and n < 3 have no outliers. Sets outlier[i] for every
 * i and *n_out to the number marked. HY_ERR_ARG: NaN or infinite x, ratio
 * not in (0, 1], NULL pointers (x and outlier may be NULL when n == 0). */
hy_err hy_varratio_outliers(const double *x, size_t n, double ratio, bool *outlier, size_t *n_out);

#endif
