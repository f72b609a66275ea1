/* Graphical lasso, sample covariance, density and the variance-ratio rule:
 * closed forms, optimality (KKT) conditions, screening equivalence, warm
 * starts, planted structure, degenerate and bad input.
 *
 * Sign convention. The estimate maximises
 *     f(Theta) = log det Theta - tr(S Theta) - rho sum |Theta_ij|
 * (i != j only, unless penalize_diag). Its subgradient is
 *     Theta^-1 - S - rho G,  G_ij = sign(Theta_ij) if Theta_ij != 0, in [-1, 1] else,
 * so at the optimum, with W = Theta^-1:
 *     W_ij - S_ij = +rho sign(Theta_ij)  where Theta_ij != 0 (i != j),
 *     |W_ij - S_ij| <= rho               elsewhere off the diagonal,
 *     W_ii = S_ii (+ rho with penalize_diag), because Theta_ii > 0.
 * E.g. two positively correlated variables (S_12 > rho) get Theta_12 < 0 and
 * W_12 = S_12 - rho: the penalty shrinks the covariance towards 0. */
#include <lapacke.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "hayate/glasso.h"

/* ---- helpers ---- */

static double urand(unsigned *seed)
{
    return (double)rand_r(seed) / ((double)RAND_MAX + 1.0);
}

static int poisson(unsigned *seed, double lambda)
{
    double l = exp(-lambda), prod = 1;
    int k = 0;
    do {
        k++;
        prod *= urand(seed);
    } while (prod > l && k < 1000);
    return k - 1;
}

/* Darknet-like log counts: n bins x p hosts; hosts [g0, g0 + gsz) share an
 * on/off pattern (a synchronised group), the rest are independent. Zero
 * counts become log(0.1), as in the paper. */
static void counts_matrix(double *X, size_t n, size_t p, size_t g0, size_t gsz, unsigned seed)
{
    double pattern[64];
    for (size_t t = 0; t < n; t++)
        pattern[t] = urand(&seed) < 0.5 ? 0.2 : 5 + 15 * urand(&seed);
    for (size_t h = 0; h < p; h++) {
        bool grp = h >= g0 && h < g0 + gsz;
        double scale = 0.5 + urand(&seed), rate = 0.2 + 3 * urand(&seed);
        for (size_t t = 0; t < n; t++) {
            int c = poisson(&seed, grp ? pattern[t] * scale : rate);
            X[t * p + h] = c > 0 ? log((double)c) : log(0.1);
        }
    }
}

static double *mat(size_t p)
{
    double *m = calloc(p * p, sizeof *m);
    assert_non_null(m);
    return m;
}

static hy_glasso_cfg tight(bool pd)
{
    hy_glasso_cfg c;
    hy_glasso_cfg_default(&c);
    c.tol = 1e-10;
    c.max_iter = 2000;
    c.lasso_max_iter = 10000;
    c.penalize_diag = pd;
    return c;
}

static double sgn(double v)
{
    return (v > 0) - (v < 0);
}

/* The optimality conditions above, and W Theta = I, to within eps. */
static void check_kkt(const double *S, const double *T, const double *W, size_t p, double rho,
                      bool pd, double eps)
{
    for (size_t i = 0; i < p; i++) {
        assert_true(T[i * p + i] > 0);
        assert_true(fabs(W[i * p + i] - S[i * p + i] - (pd ? rho : 0)) <= eps);
        for (size_t j = 0; j < p; j++) {
            assert_true(T[i * p + j] == T[j * p + i]); /* exactly symmetric */
            assert_true(W[i * p + j] == W[j * p + i]);
            double wt = 0;
            for (size_t k = 0; k < p; k++)
                wt += W[i * p + k] * T[k * p + j];
            assert_true(fabs(wt - (i == j)) <= eps);
            if (i == j)
                continue;
            double dev = W[i * p + j] - S[i * p + j];
            assert_true(fabs(dev) <= rho + eps);
            if (fabs(T[i * p + j]) > 1e-9)
                assert_true(fabs(dev - rho * sgn(T[i * p + j])) <= eps);
        }
    }
}

static void sample_cov(size_t n, size_t p, size_t g0, size_t gsz, unsigned seed, double *S)
{
    double *X = malloc(n * p * sizeof *X);
    assert_non_null(X);
    counts_matrix(X, n, p, g0, gsz, seed);
    assert_int_equal(hy_cov(X, n, p, S), HY_OK);
    free(X);
}

/* ---- covariance ---- */

static void test_cov(void **state)
{
    (void)state;
    /* columns: x = 1,2,3,4 ; y = 2,4,6,8 ; z = 1,0,1,0 ; divided by n = 4 */
    const double X[] = {1, 2, 1, 2, 4, 0, 3, 6, 1, 4, 8, 0};
    double S[9];
    assert_int_equal(hy_cov(X, 4, 3, S), HY_OK);
    const double want[] = {1.25, 2.5, -0.25, 2.5, 5.0, -0.5, -0.25, -0.5, 0.25};
    for (int i = 0; i < 9; i++)
        assert_true(fabs(S[i] - want[i]) < 1e-12);
    assert_int_equal(hy_cov(X, 1, 3, S), HY_OK); /* one sample: S = 0 */
    for (int i = 0; i < 9; i++)
        assert_true(S[i] == 0);
    assert_int_equal(hy_cov(X, 0, 3, S), HY_ERR_ARG);
    assert_int_equal(hy_cov(X, 4, 0, S), HY_ERR_ARG);
    assert_int_equal(hy_cov(NULL, 4, 3, S), HY_ERR_ARG);
    double bad[12];
    memcpy(bad, X, sizeof bad);
    bad[5] = NAN;
    assert_int_equal(hy_cov(bad, 4, 3, S), HY_ERR_ARG);
}

/* ---- known answers ---- */

static void test_diagonal_closed_form(void **state)
{
    (void)state;
    const size_t p = 5;
    double S[25] = {0}, T[25], W[25];
    for (size_t i = 0; i < p; i++)
        S[i * p + i] = 0.5 + (double)i;
    for (int pd = 0; pd < 2; pd++)
        for (int screen = 0; screen < 2; screen++) {
            hy_glasso_cfg c = tight(pd);
            c.screen = screen;
            int it = -1;
            assert_int_equal(hy_glasso(S, p, 0.3, &c, T, W, &it), HY_OK);
            for (size_t i = 0; i < p; i++)
                for (size_t j = 0; j < p; j++) {
                    double w = i == j ? S[i * p + i] + (pd ? 0.3 : 0) : 0;
                    assert_true(fabs(W[i * p + j] - w) < 1e-12);
                    assert_true(fabs(T[i * p + j] - (i == j ? 1 / w : 0)) < 1e-12);
                }
            if (screen)
                assert_int_equal(it, 0); /* all isolated: no sweep at all */
        }
}

/* 2 x 2 by hand. S = [a c; c b], |c| > rho. The column update solves the
 * one-variable lasso min 1/2 W11 x^2 - c x + rho |x|, so x = soft(c, rho) /
 * W11 and W12 = W11 x = soft(c, rho) = c - rho sign(c): exact after one
 * column. Then W = [a' W12; W12 b'] (a' = a (+rho), b' = b (+rho)) and
 * Theta = W^-1 = [b' -W12; -W12 a'] / (a'b' - W12^2). With |c| <= rho,
 * W12 = 0 and Theta = diag(1/a', 1/b'). */
static void test_two_by_two(void **state)
{
    (void)state;
    const double a = 2.0, b = 1.5, rho = 0.3;
    const double cs[] = {0.9, -0.9, 0.25};
    for (int pd = 0; pd < 2; pd++)
        for (int t = 0; t < 3; t++) {
            double c = cs[t], S[4] = {a, c, c, b}, T[4], W[4];
            hy_glasso_cfg cfg = tight(pd);
            assert_int_equal(hy_glasso(S, 2, rho, &cfg, T, W, NULL), HY_OK);
            double ap = a + (pd ? rho : 0), bp = b + (pd ? rho : 0);
            double w12 = fabs(c) > rho ? c - rho * sgn(c) : 0, det = ap * bp - w12 * w12;
            assert_true(fabs(W[0] - ap) < 1e-12 && fabs(W[3] - bp) < 1e-12);
            assert_true(fabs(W[1] - w12) < 1e-9 && W[1] == W[2]);
            assert_true(fabs(T[0] - bp / det) < 1e-9);
            assert_true(fabs(T[3] - ap / det) < 1e-9);
            assert_true(fabs(T[1] + w12 / det) < 1e-9);
            if (fabs(c) <= rho)
                assert_true(T[1] == 0);
            else
                assert_true(sgn(T[1]) == -sgn(c));
        }
}

/* Blocks {0,2,5}, {1,3} and {4} interleaved: Theta is exactly zero between
 * them and each block equals the block solved alone. */
static void test_block_diagonal(void **state)
{
    (void)state;
    const size_t p = 6;
    const size_t blk[6] = {0, 1, 0, 1, 2, 0};
    double Sm[36], S[36] = {0}, T[36], W[36];
    sample_cov(12, p, 0, 6, 11, Sm); /* all correlated: strong couplings */
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            if (blk[i] == blk[j])
                S[i * p + j] = Sm[i * p + j];
    for (int pd = 0; pd < 2; pd++) {
        hy_glasso_cfg c = tight(pd);
        const double rho = 0.1;
        assert_int_equal(hy_glasso(S, p, rho, &c, T, W, NULL), HY_OK);
        check_kkt(S, T, W, p, rho, pd, 1e-7);
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                if (blk[i] != blk[j])
                    assert_true(T[i * p + j] == 0 && W[i * p + j] == 0);
        /* block {0, 2, 5} alone */
        const size_t id[3] = {0, 2, 5};
        double Sb[9], Tb[9], Wb[9];
        for (int u = 0; u < 3; u++)
            for (int v = 0; v < 3; v++)
                Sb[u * 3 + v] = S[id[u] * p + id[v]];
        assert_int_equal(hy_glasso(Sb, 3, rho, &c, Tb, Wb, NULL), HY_OK);
        for (int u = 0; u < 3; u++)
            for (int v = 0; v < 3; v++)
                assert_true(fabs(Tb[u * 3 + v] - T[id[u] * p + id[v]]) < 1e-8);
        int nz = 0; /* the block is coupled, so the check above means something */
        for (int u = 0; u < 3; u++)
            for (int v = u + 1; v < 3; v++)
                nz += Tb[u * 3 + v] != 0;
        assert_true(nz > 0);
    }
}

/* rho = 0 with a well-conditioned S: Theta = S^-1 (LAPACK's Cholesky inverse). */
static void test_rho_zero_inverse(void **state)
{
    (void)state;
    const size_t p = 8;
    double S[64], T[64], W[64], inv[64];
    sample_cov(40, p, 0, 3, 5, S);
    for (size_t i = 0; i < p; i++)
        S[i * p + i] += 0.5; /* well conditioned */
    memcpy(inv, S, sizeof inv);
    assert_int_equal(LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)p, inv, (lapack_int)p), 0);
    assert_int_equal(LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', (lapack_int)p, inv, (lapack_int)p), 0);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++)
            inv[i * p + j] = inv[j * p + i];
    for (int pd = 0; pd < 2; pd++) {
        hy_glasso_cfg c = tight(pd);
        assert_int_equal(hy_glasso(S, p, 0.0, &c, T, W, NULL), HY_OK);
        for (size_t i = 0; i < p * p; i++) {
            assert_true(fabs(T[i] - inv[i]) < 1e-6 * (1 + fabs(inv[i])));
            assert_true(fabs(W[i] - S[i]) < 1e-8);
        }
    }
}

/* ---- optimality on random and structured inputs ---- */

static void test_kkt(void **state)
{
    (void)state;
    const size_t p = 40;
    double *S = mat(p), *T = mat(p), *W = mat(p);
    const double rhos[] = {0.15, 0.4, 0.9};
    for (unsigned seed = 1; seed <= 3; seed++) {
        /* seed 1: no group (random); seeds 2, 3: a planted group */
        sample_cov(12, p, 3, seed == 1 ? 0 : 10 + seed, seed, S);
        for (int pd = 0; pd < 2; pd++)
            for (int r = 0; r < 3; r++) {
                hy_glasso_cfg c = tight(pd);
                assert_int_equal(hy_glasso(S, p, rhos[r], &c, T, W, NULL), HY_OK);
                check_kkt(S, T, W, p, rhos[r], pd, 1e-6);
            }
    }
    free(S);
    free(T);
    free(W);
}

/* ---- density and planted structure ---- */

static void test_density_grows_as_rho_falls(void **state)
{
    (void)state;
    const size_t p = 60;
    double *S = mat(p), *T = mat(p), *W = mat(p);
    sample_cov(12, p, 10, 15, 21, S);
    hy_glasso_cfg c;
    hy_glasso_cfg_default(&c);
    const double rhos[] = {1.2, 0.9, 0.6, 0.4, 0.2};
    double prev = -1;
    for (int r = 0; r < 5; r++) {
        assert_int_equal(hy_glasso(S, p, rhos[r], &c, T, W, NULL), HY_OK);
        double d = hy_glasso_density(T, p, 0);
        assert_true(d >= 0 && d <= 1);
        assert_true(d > prev);
        prev = d;
    }
    free(S);
    free(T);
    free(W);
}

/* A synchronised group gets edges among its members at a rho where every
 * independent host is isolated. */
static void test_planted_group(void **state)
{
    (void)state;
    const size_t p = 50, g0 = 20, gsz = 8;
    double *S = mat(p), *T = mat(p), *W = mat(p);
    sample_cov(12, p, g0, gsz, 33, S);
    /* the smallest rho that isolates every independent host */
    double rho = 0;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            if (i != j && !(i >= g0 && i < g0 + gsz && j >= g0 && j < g0 + gsz))
                rho = fmax(rho, fabs(S[i * p + j]));
    rho *= 1.01;
    hy_glasso_cfg c;
    hy_glasso_cfg_default(&c);
    assert_int_equal(hy_glasso(S, p, rho, &c, T, W, NULL), HY_OK);
    size_t in_group = 0;
    for (size_t i = 0; i < p; i++) {
        bool gi = i >= g0 && i < g0 + gsz;
        size_t deg = 0;
        for (size_t j = 0; j < p; j++)
            if (j != i && T[i * p + j] != 0) {
                deg++;
                assert_true(gi && j >= g0 && j < g0 + gsz);
            }
        if (gi)
            in_group += deg > 0;
    }
    assert_int_equal(in_group, gsz); /* every member is linked to the group */
    assert_true(hy_glasso_density(T, p, 0) > 0);
    free(S);
    free(T);
    free(W);
}

static void test_density_function(void **state)
{
    (void)state;
    const double T[9] = {1, 0.5, 0, 0.5, 1, 1e-9, 0, 1e-9, 1};
    assert_true(fabs(hy_glasso_density(T, 3, 0) - 2.0 / 3) < 1e-15);
    assert_true(fabs(hy_glasso_density(T, 3, 1e-6) - 1.0 / 3) < 1e-15);
    assert_true(hy_glasso_density(T, 1, 0) == 0);
    assert_true(hy_glasso_density(NULL, 3, 0) == 0);
}

/* ---- screening and warm starts give the same solution ---- */

static void test_screening_equivalence(void **state)
{
    (void)state;
    const size_t p = 40;
    double *S = mat(p), *T1 = mat(p), *W1 = mat(p), *T2 = mat(p), *W2 = mat(p);
    sample_cov(12, p, 5, 12, 7, S);
    const double rhos[] = {0.3, 0.7, 1.1};
    for (int pd = 0; pd < 2; pd++)
        for (int r = 0; r < 3; r++) {
            hy_glasso_cfg c = tight(pd);
            assert_int_equal(hy_glasso(S, p, rhos[r], &c, T1, W1, NULL), HY_OK);
            c.screen = false;
            assert_int_equal(hy_glasso(S, p, rhos[r], &c, T2, W2, NULL), HY_OK);
            size_t nz = 0;
            for (size_t i = 0; i < p * p; i++) {
                assert_true(fabs(T1[i] - T2[i]) < 1e-6 * (1 + fabs(T1[i])));
                assert_true(fabs(W1[i] - W2[i]) < 1e-7);
                assert_true((fabs(T1[i]) > 1e-6) == (fabs(T2[i]) > 1e-6));
                nz += T1[i] != 0;
            }
            assert_true(nz > p); /* there are edges to compare */
        }
    free(S);
    free(T1);
    free(W1);
    free(T2);
    free(W2);
}

static void test_warm_start(void **state)
{
    (void)state;
    const size_t p = 40;
    double *S = mat(p), *T = mat(p), *W = mat(p), *Tc = mat(p), *Wc = mat(p);
    sample_cov(12, p, 5, 12, 9, S);
    const double path[] = {0.3, 0.5, 0.8, 0.4, 0.2, 0.6};
    for (int pd = 0; pd < 2; pd++) {
        hy_glasso_cfg c = tight(pd);
        assert_int_equal(hy_glasso(S, p, path[0], &c, T, W, NULL), HY_OK);
        for (int k = 1; k < 6; k++) { /* up and down */
            assert_int_equal(hy_glasso_warm(S, p, path[k], &c, T, W, NULL), HY_OK);
            assert_int_equal(hy_glasso(S, p, path[k], &c, Tc, Wc, NULL), HY_OK);
            for (size_t i = 0; i < p * p; i++)
                assert_true(fabs(T[i] - Tc[i]) < 1e-6 * (1 + fabs(Tc[i])));
            check_kkt(S, T, W, p, path[k], pd, 1e-6);
        }
    }
    free(S);
    free(T);
    free(W);
    free(Tc);
    free(Wc);
}

/* ---- errors ---- */

static void test_glasso_bad_args(void **state)
{
    (void)state;
    double S[4] = {1, 0.5, 0.5, 1}, T[4], W[4];
    hy_glasso_cfg c;
    hy_glasso_cfg_default(&c);
    assert_int_equal(hy_glasso(S, 0, 0.1, &c, T, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(S, 2, -0.1, &c, T, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(S, 2, NAN, &c, T, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(S, 2, INFINITY, &c, T, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(NULL, 2, 0.1, &c, T, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(S, 2, 0.1, &c, NULL, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(S, HY_GLASSO_MAX_P + 1, 0.1, &c, T, W, NULL), HY_ERR_ARG);
    double asym[4] = {1, 0.5, 0.4, 1}, nan[4] = {1, NAN, NAN, 1}, neg[4] = {-1, 0, 0, 1};
    double zero[4] = {0, 0, 0, 1}, sing[4] = {1, 1, 1, 1};
    assert_int_equal(hy_glasso(asym, 2, 0.1, &c, T, W, NULL), HY_ERR_ARG);
    assert_true(strstr(hy_err_detail(), "symmetric") != NULL);
    assert_int_equal(hy_glasso(nan, 2, 0.1, &c, T, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(neg, 2, 0.1, &c, T, W, NULL), HY_ERR_ARG);
    /* a zero variance: unbounded precision unless the diagonal is penalised */
    assert_int_equal(hy_glasso(zero, 2, 0.1, &c, T, W, NULL), HY_ERR_ARG);
    hy_glasso_cfg pd = c;
    pd.penalize_diag = true;
    assert_int_equal(hy_glasso(zero, 2, 0.1, &pd, T, W, NULL), HY_OK);
    assert_true(fabs(T[0] - 1 / 0.1) < 1e-12);
    /* rho = 0 needs S positive definite */
    assert_int_equal(hy_glasso(sing, 2, 0.0, &c, T, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(sing, 2, 0.1, &c, T, W, NULL), HY_OK);
    hy_glasso_cfg bad = c;
    bad.max_iter = 0;
    assert_int_equal(hy_glasso(S, 2, 0.1, &bad, T, W, NULL), HY_ERR_ARG);
    bad = c;
    bad.tol = NAN;
    assert_int_equal(hy_glasso(S, 2, 0.1, &bad, T, W, NULL), HY_ERR_ARG);
    assert_int_equal(hy_glasso(S, 2, 0.1, NULL, T, W, NULL), HY_OK); /* NULL cfg: defaults */
}

static void test_not_converged(void **state)
{
    (void)state;
    const size_t p = 30;
    double *S = mat(p), *T = mat(p), *W = mat(p);
    sample_cov(12, p, 0, 10, 3, S);
    hy_glasso_cfg c;
    hy_glasso_cfg_default(&c);
    c.max_iter = 1;
    int it = 0;
    assert_int_equal(hy_glasso(S, p, 0.3, &c, T, W, &it), HY_ERR_TOOBIG);
    assert_int_equal(it, 1);
    assert_true(strstr(hy_err_detail(), "not converged") != NULL);
    for (size_t i = 0; i < p * p; i++) /* the last iterate, usable */
        assert_true(isfinite(T[i]) && isfinite(W[i]) && T[i] == T[(i % p) * p + i / p]);
    assert_int_equal(hy_glasso_warm(S, p, 0.3, &c, T, W, &it), HY_ERR_TOOBIG);
    c.max_iter = 100;
    assert_int_equal(hy_glasso_warm(S, p, 0.3, &c, T, W, &it), HY_OK); /* and it resumes */
    free(S);
    free(T);
    free(W);
}

/* ---- the variance-ratio rule ---- */

static void test_varratio_planted(void **state)
{
    (void)state;
    enum { N = 432 }; /* three days of 10-minute windows */
    double x[N];
    bool out[N];
    size_t k = 99;
    unsigned seed = 5;
    for (size_t i = 0; i < N; i++)
        x[i] = 0.02 + 0.004 * urand(&seed); /* clean: uniform densities */
    assert_int_equal(hy_varratio_outliers(x, N, HY_VARRATIO_DEFAULT, out, &k), HY_OK);
    assert_int_equal(k, 0);
    for (size_t i = 0; i < N; i++)
        assert_false(out[i]);
    x[50] = 0.2; /* three outbreaks */
    x[300] = 0.15;
    x[301] = 0.09;
    assert_int_equal(hy_varratio_outliers(x, N, HY_VARRATIO_DEFAULT, out, &k), HY_OK);
    assert_int_equal(k, 3);
    for (size_t i = 0; i < N; i++)
        assert_true(out[i] == (i == 50 || i == 300 || i == 301));
}

/* Small cases worked by hand (population variances):
 * {1,2,3,4,100}: var 1522.16 -> without 100: 1.25 (ratio 0.0008, out);
 * {1,2,3,4}: 1.25 -> {1,2,3}: 0.667 (0.53, out); {1,2,3} -> {1,2}: 0.25
 * (0.375, out); {1,2} would leave one point: stop. So 100, 4 and 3. */
static void test_varratio_by_hand(void **state)
{
    (void)state;
    const double x[5] = {3, 100, 1, 4, 2};
    bool out[5];
    size_t k;
    assert_int_equal(hy_varratio_outliers(x, 5, 0.98, out, &k), HY_OK);
    assert_int_equal(k, 3);
    assert_true(out[0] && out[1] && !out[2] && out[3] && !out[4]);
    /* ratio 0.4 keeps 3: var{1,2,3}/var{1,2,3,4} = 0.533 > 0.4 stops first */
    assert_int_equal(hy_varratio_outliers(x, 5, 0.4, out, &k), HY_OK);
    assert_int_equal(k, 1);
    assert_true(out[1] && !out[3]);
    /* ties: the two equal maxima go together, whatever their positions */
    double t[22] = {0};
    t[3] = t[17] = 1;
    bool o2[22];
    assert_int_equal(hy_varratio_outliers(t, 22, 0.98, o2, &k), HY_OK);
    assert_int_equal(k, 2);
    assert_true(o2[3] && o2[17]);
}

static void test_varratio_degenerate(void **state)
{
    (void)state;
    bool out[4] = {true, true, true, true};
    size_t k = 7;
    assert_int_equal(hy_varratio_outliers(NULL, 0, 0.98, NULL, &k), HY_OK);
    assert_int_equal(k, 0);
    const double one[1] = {5}, two[2] = {1, 1000}, flat[4] = {2, 2, 2, 2};
    assert_int_equal(hy_varratio_outliers(one, 1, 0.98, out, &k), HY_OK);
    assert_true(k == 0 && !out[0]);
    assert_int_equal(hy_varratio_outliers(two, 2, 0.98, out, &k), HY_OK);
    assert_true(k == 0 && !out[0] && !out[1]);
    assert_int_equal(hy_varratio_outliers(flat, 4, 0.98, out, &k), HY_OK);
    assert_int_equal(k, 0);
    const double nan[3] = {1, NAN, 2}, inf[3] = {1, INFINITY, 2};
    assert_int_equal(hy_varratio_outliers(nan, 3, 0.98, out, &k), HY_ERR_ARG);
    assert_int_equal(hy_varratio_outliers(inf, 3, 0.98, out, &k), HY_ERR_ARG);
    assert_int_equal(hy_varratio_outliers(flat, 4, 0.0, out, &k), HY_ERR_ARG);
    assert_int_equal(hy_varratio_outliers(flat, 4, 1.5, out, &k), HY_ERR_ARG);
    assert_int_equal(hy_varratio_outliers(flat, 4, NAN, out, &k), HY_ERR_ARG);
    assert_int_equal(hy_varratio_outliers(flat, 4, 0.98, NULL, &k), HY_ERR_ARG);
    assert_int_equal(hy_varratio_outliers(flat, 4, 0.98, out, NULL), HY_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cov),
        cmocka_unit_test(test_diagonal_closed_form),
        cmocka_unit_test(test_two_by_two),
        cmocka_unit_test(test_block_diagonal),
        cmocka_unit_test(test_rho_zero_inverse),
        cmocka_unit_test(test_kkt),
        cmocka_unit_test(test_density_grows_as_rho_falls),
        cmocka_unit_test(test_planted_group),
        cmocka_unit_test(test_density_function),
        cmocka_unit_test(test_screening_equivalence),
        cmocka_unit_test(test_warm_start),
        cmocka_unit_test(test_glasso_bad_args),
        cmocka_unit_test(test_not_converged),
        cmocka_unit_test(test_varratio_planted),
        cmocka_unit_test(test_varratio_by_hand),
        cmocka_unit_test(test_varratio_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
