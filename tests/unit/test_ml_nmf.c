/* NMF: planted-factor recovery, monotone loss, non-negativity, bit-identical
 * reruns, argument errors, and the helpers that read the factors. */
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "hayate/error.h"
#include "hayate/ml.h"
#include "hayate/nmf.h"

#define M 30

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Uniform in [0, 1). */
static double rng_unif(uint32_t *s)
{
    return (rng_next(s) >> 8) / 16777216.0;
}

/* Planted V = W0 H0 (M x n, rank k): component c is a burst over minutes
 * [c * M / k, (c + 1) * M / k) on a small base; host j belongs to component
 * j % k with a random weight, except every 10th host (j % 10 == 9), split
 * evenly between components j % k and (j + 1) % k. truth[j] is the planted
 * group, -1 for the split hosts. */
static void planted(size_t n, size_t k, uint32_t seed, double *V, double *W0, double *H0,
                    int *truth)
{
    for (size_t t = 0; t < M; t++)
        for (size_t c = 0; c < k; c++) {
            bool on = t >= c * M / k && t < (c + 1) * M / k;
            W0[t * k + c] = (on ? 5.0 + 3.0 * rng_unif(&seed) : 0.0) + 0.2 * (double)(t % 3);
        }
    memset(H0, 0, k * n * sizeof *H0);
    for (size_t j = 0; j < n; j++) {
        double a = 1.0 + 9.0 * rng_unif(&seed);
        if (j % 10 == 9) {
            H0[(j % k) * n + j] = a / 2;
            H0[((j + 1) % k) * n + j] = a / 2;
            truth[j] = -1;
        } else {
            H0[(j % k) * n + j] = a;
            truth[j] = (int)(j % k);
        }
    }
    for (size_t t = 0; t < M; t++)
        for (size_t j = 0; j < n; j++) {
            double v = 0;
            for (size_t c = 0; c < k; c++)
                v += W0[t * k + c] * H0[c * n + j];
            V[t * n + j] = v;
        }
}

/* Sparse darknet-like counts: most hosts send a few packets in a few
 * minutes, some columns and rows stay empty. */
static void sparse_counts(size_t n, uint32_t seed, double *V)
{
    for (size_t i = 0; i < M * n; i++) {
        double u = rng_unif(&seed);
        V[i] = u < 0.85 ? 0.0 : floor(1.0 + 20.0 * rng_unif(&seed));
    }
    for (size_t t = 0; t < M; t++)
        V[t * n + 3] = 0.0;              /* an absent host */
    memset(V + 7 * n, 0, n * sizeof *V); /* a silent minute */
}

static void test_planted_recovery(void **state)
{
    (void)state;
    enum { N = 200, K = 3 };
    double *V = malloc(M * N * sizeof *V), W0[M * K], *H0 = malloc(K * N * sizeof *H0);
    double W[M * K], *H = malloc(K * N * sizeof *H), rel = -1;
    int truth[N], group[N], iters = 0;
    planted(N, K, 11, V, W0, H0, truth);
    hy_nmf_cfg cfg;
    hy_nmf_cfg_default(&cfg);
    cfg.rank = K;
    cfg.max_iter = 5000;
    cfg.tol = 1e-12;
    assert_int_equal(hy_nmf(V, M, N, &cfg, W, H, &rel, &iters), HY_OK);
    assert_true(rel >= 0 && rel <= 1e-3);
    assert_true(iters >= 1 && iters <= cfg.max_iter);

    assert_int_equal(hy_nmf_groups(H, K, N, 0.7, group), HY_OK);
    int map[K] = {-1, -1, -1}; /* planted group -> found component */
    for (size_t j = 0; j < N; j++) {
        if (truth[j] < 0) {
            assert_int_equal(group[j], -1); /* a 50/50 host is in no group */
            continue;
        }
        assert_true(group[j] >= 0);
        if (map[truth[j]] < 0)
            map[truth[j]] = group[j];
        assert_int_equal(group[j], map[truth[j]]);
    }
    assert_true(map[0] != map[1] && map[0] != map[2] && map[1] != map[2]);

    /* Output scaling: W columns sum to 1 and H is the planted host mass. */
    for (size_t g = 0; g < K; g++) {
        size_t c = (size_t)map[g];
        double ws = 0, w0s = 0;
        for (size_t t = 0; t < M; t++) {
            ws += W[t * K + c];
            w0s += W0[t * K + g];
        }
        assert_true(fabs(ws - 1.0) < 1e-12);
        for (size_t j = 0; j < N; j++) {
            double want = w0s * H0[g * N + j];
            assert_true(fabs(H[c * N + j] - want) <= 1e-2 * (want + 1.0));
        }
    }
    free(V);
    free(H0);
    free(H);
}

typedef struct trace_log {
    double err[512];
    int n;
    bool in_order;
} trace_log;

static void trace_cb(void *ctx, int iter, double err)
{
    trace_log *lg = ctx;
    if (iter != lg->n)
        lg->in_order = false;
    if (lg->n < 512)
        lg->err[lg->n++] = err;
}

static void test_loss_never_increases(void **state)
{
    (void)state;
    enum { N = 300 };
    double *V = malloc(M * N * sizeof *V), *W = malloc(M * 10 * sizeof *W);
    double *H = malloc(10 * N * sizeof *H);
    for (size_t k = 1; k <= 10; k += 3) {
        sparse_counts(N, 5 + (uint32_t)k, V);
        trace_log lg = {.n = 0, .in_order = true};
        hy_nmf_cfg cfg;
        hy_nmf_cfg_default(&cfg);
        cfg.rank = k;
        cfg.max_iter = 300;
        cfg.tol = 0; /* never met on noisy data: runs to max_iter */
        cfg.trace = trace_cb;
        cfg.trace_ctx = &lg;
        double rel;
        int iters;
        assert_int_equal(hy_nmf(V, M, N, &cfg, W, H, &rel, &iters), HY_OK);
        assert_int_equal(iters, cfg.max_iter); /* non-convergence via iters only */
        assert_true(lg.in_order);
        assert_int_equal(lg.n, cfg.max_iter + 1); /* iteration 0 is the start */
        for (int i = 1; i < lg.n; i++)
            assert_true(lg.err[i] <= lg.err[i - 1] * (1 + 1e-9));
        /* Rank 1: NNDSVD is already the best rank-one fit (Perron pair). */
        if (k > 1)
            assert_true(lg.err[lg.n - 1] < lg.err[0] * (1 - 1e-3));
        /* The final trace value is the reported error. */
        double vn = 0;
        for (size_t i = 0; i < M * N; i++)
            vn += V[i] * V[i];
        assert_true(fabs(lg.err[lg.n - 1] / sqrt(vn) - rel) <= 1e-6 * rel);
    }
    free(V);
    free(W);
    free(H);
}

/* On two disjoint positive rank-one blocks the SVD pairs are the blocks, and
 * NNDSVD (dominant sign part of each pair) is already exact: the error at
 * iteration 0 is at the floor's level. */
static void test_nndsvd_start(void **state)
{
    (void)state;
    enum { R = 6, N = 8 };
    const double a[3] = {1, 2, 3}, b[4] = {1, 1, 2, 1}, c[3] = {1, 1, 1}, d[4] = {2, 1, 1, 3};
    double V[R * N] = {0}, W[R * 2], H[2 * N], vn = 0;
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++) {
            V[i * N + j] = 4 * a[i] * b[j];       /* the larger block */
            V[(i + 3) * N + j + 4] = c[i] * d[j]; /* the smaller one */
        }
    for (size_t i = 0; i < R * N; i++)
        vn += V[i] * V[i];
    trace_log lg = {.n = 0, .in_order = true};
    hy_nmf_cfg cfg;
    hy_nmf_cfg_default(&cfg);
    cfg.rank = 2;
    cfg.trace = trace_cb;
    cfg.trace_ctx = &lg;
    double rel;
    assert_int_equal(hy_nmf(V, R, N, &cfg, W, H, &rel, NULL), HY_OK);
    assert_true(lg.n >= 1);
    assert_true(lg.err[0] <= 1e-12 * sqrt(vn));
    assert_true(rel <= 1e-12);
}

static void test_outputs_nonnegative(void **state)
{
    (void)state;
    enum { N = 500 };
    double *V = malloc(M * N * sizeof *V), *W = malloc(M * 10 * sizeof *W);
    double *H = malloc(10 * N * sizeof *H);
    sparse_counts(N, 99, V);
    for (size_t k = 1; k <= 10; k++) {
        hy_nmf_cfg cfg;
        hy_nmf_cfg_default(&cfg);
        cfg.rank = k;
        double rel = -1;
        int iters = -1;
        assert_int_equal(hy_nmf(V, M, N, &cfg, W, H, &rel, &iters), HY_OK);
        assert_true(rel >= 0 && rel < 1);
        assert_true(iters >= 1 && iters <= cfg.max_iter);
        for (size_t i = 0; i < M * k; i++)
            assert_true(W[i] >= 0 && isfinite(W[i]));
        for (size_t i = 0; i < k * N; i++)
            assert_true(H[i] >= 0 && isfinite(H[i]));
        for (size_t j = 0; j < k; j++) /* the absent host 3 gets ~nothing */
            assert_true(H[j * N + 3] < 1e-9);
    }
    free(V);
    free(W);
    free(H);
}

static void test_bit_identical(void **state)
{
    (void)state;
    enum { N = 400, K = 6 };
    double *V = malloc(M * N * sizeof *V);
    double W1[M * K], W2[M * K], *H1 = malloc(K * N * sizeof *H1), *H2 = malloc(K * N * sizeof *H2);
    double r1, r2;
    int i1, i2;
    sparse_counts(N, 1234, V);
    hy_nmf_cfg cfg;
    hy_nmf_cfg_default(&cfg);
    cfg.rank = K;
    assert_int_equal(hy_nmf(V, M, N, &cfg, W1, H1, &r1, &i1), HY_OK);
    assert_int_equal(hy_nmf(V, M, N, &cfg, W2, H2, &r2, &i2), HY_OK);
    assert_int_equal(i1, i2);
    assert_memory_equal(&r1, &r2, sizeof r1);
    assert_memory_equal(W1, W2, sizeof W1);
    assert_memory_equal(H1, H2, K * N * sizeof *H1);
    free(V);
    free(H1);
    free(H2);
}

static void expect_arg(hy_err e, const char *word)
{
    assert_int_equal(e, HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), word));
}

static void test_bad_args(void **state)
{
    (void)state;
    double V[4 * 6], W[4 * 4], H[4 * 6], rel;
    int iters;
    for (size_t i = 0; i < 24; i++)
        V[i] = (double)((i * 7) % 5);
    hy_nmf_cfg cfg;
    hy_nmf_cfg_default(&cfg);
    cfg.rank = 0;
    expect_arg(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), "rank");
    cfg.rank = 5; /* > min(4, 6) */
    expect_arg(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), "rank");
    cfg.rank = 2;
    expect_arg(hy_nmf(V, 0, 6, &cfg, W, H, &rel, &iters), "size");
    expect_arg(hy_nmf(NULL, 4, 6, &cfg, W, H, &rel, &iters), "NULL");
    expect_arg(hy_nmf(V, 4, 6, NULL, W, H, &rel, &iters), "NULL");
    cfg.max_iter = 0;
    expect_arg(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), "max_iter");
    cfg.max_iter = 100;
    cfg.tol = NAN;
    expect_arg(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), "tol");
    cfg.tol = 1e-6;
    V[9] = -1;
    expect_arg(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), "V[1][3] = -1 is negative");
    V[9] = NAN;
    expect_arg(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), "V[1][3] is not finite");
    V[9] = INFINITY;
    expect_arg(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), "not finite");
    V[9] = 1e200;
    expect_arg(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), "above");
    V[9] = 2;

    /* rank == min(m, n) is valid and fits (almost) exactly. */
    cfg.rank = 4;
    cfg.max_iter = 2000;
    cfg.tol = 1e-12;
    assert_int_equal(hy_nmf(V, 4, 6, &cfg, W, H, &rel, NULL), HY_OK);
    assert_true(rel < 1e-3);

    /* The zero matrix: documented result, not an error. */
    memset(V, 0, sizeof V);
    rel = -1;
    iters = -1;
    assert_int_equal(hy_nmf(V, 4, 6, &cfg, W, H, &rel, &iters), HY_OK);
    assert_true(rel == 0 && iters == 0);
    for (size_t i = 0; i < 16; i++)
        assert_true(W[i] == 0.25);
    for (size_t i = 0; i < 24; i++)
        assert_true(H[i] == 0);
}

static void test_groups(void **state)
{
    (void)state;
    /* k = 3 rows, n = 6 columns. */
    const double H[] = {
        8, 1, 0, 2, 0, 3, /* */
        1, 1, 0, 2, 0, 3, /* */
        1, 8, 0, 0, 5, 3,
    };
    int g[6];
    assert_int_equal(hy_nmf_groups(H, 3, 6, 0.6, g), HY_OK);
    assert_int_equal(g[0], 0);  /* share 0.8 */
    assert_int_equal(g[1], 2);  /* 0.8 */
    assert_int_equal(g[2], -1); /* zero column */
    assert_int_equal(g[3], -1); /* tie 0.5 < 0.6 */
    assert_int_equal(g[4], 2);  /* 1.0 */
    assert_int_equal(g[5], -1); /* 1/3 */
    assert_int_equal(hy_nmf_groups(H, 3, 6, 0.5, g), HY_OK);
    assert_int_equal(g[3], 0); /* share == min_share counts; lowest row on a tie */
    assert_int_equal(hy_nmf_groups(H, 3, 6, 0.0, g), HY_OK);
    assert_int_equal(g[5], 0);
    assert_int_equal(g[2], -1); /* a zero column stays out even at 0 */
    expect_arg(hy_nmf_groups(H, 3, 6, 1.5, g), "min_share");
    expect_arg(hy_nmf_groups(H, 3, 6, NAN, g), "min_share");
    expect_arg(hy_nmf_groups(H, 0, 6, 0.5, g), "size");
    double Hb[6] = {1, 2, 3, -1, 0, 0};
    expect_arg(hy_nmf_groups(Hb, 2, 3, 0.5, g), "H[1][0]");
}

static void test_members(void **state)
{
    (void)state;
    const double H[] = {
        0.5, 10,  6,   4, 5, 0,   /* row 0 */
        0.9, 0.2, 0.3, 0, 0, 0.1, /* row 1: nothing reaches 1 packet */
    };
    bool mem[6];
    size_t cnt = 99;
    assert_int_equal(hy_nmf_members(H, 2, 6, 0, 1.0, 0.5, mem, &cnt), HY_OK);
    assert_int_equal(cnt, 3); /* 10, 6, 5 are >= 0.5 * 10 */
    assert_true(!mem[0] && mem[1] && mem[2] && !mem[3] && mem[4] && !mem[5]);
    assert_int_equal(hy_nmf_members(H, 2, 6, 1, 1.0, 0.5, mem, &cnt), HY_OK);
    assert_int_equal(cnt, 0);
    assert_int_equal(hy_nmf_members(H, 2, 6, 1, 0.0, 0.5, mem, &cnt), HY_OK);
    assert_int_equal(cnt, 1); /* only 0.9 >= 0.45 */
    expect_arg(hy_nmf_members(H, 2, 6, 2, 1.0, 0.5, mem, &cnt), "row");
    expect_arg(hy_nmf_members(H, 2, 6, 0, 1.0, 1.5, mem, &cnt), "rel_frac");
}

static void test_activation(void **state)
{
    (void)state;
    enum { N = 200, K = 3 };
    double *V = malloc(M * N * sizeof *V), W0[M * K], *H0 = malloc(K * N * sizeof *H0);
    double W[M * K], *H = malloc(K * N * sizeof *H), A[M * K];
    int truth[N];
    planted(N, K, 3, V, W0, H0, truth);
    hy_nmf_cfg cfg;
    hy_nmf_cfg_default(&cfg);
    cfg.rank = K;
    assert_int_equal(hy_nmf(V, M, N, &cfg, W, H, NULL, NULL), HY_OK);
    assert_int_equal(hy_nmf_activation(W, H, M, K, N, A), HY_OK);
    /* Activations add up to the traffic per minute and per component. */
    for (size_t t = 0; t < M; t++) {
        double a = 0, v = 0;
        for (size_t c = 0; c < K; c++)
            a += A[t * K + c];
        for (size_t j = 0; j < N; j++)
            v += V[t * N + j];
        assert_true(fabs(a - v) <= 1e-3 * v);
    }
    for (size_t c = 0; c < K; c++) {
        double a = 0, h = 0;
        for (size_t t = 0; t < M; t++)
            a += A[t * K + c];
        for (size_t j = 0; j < N; j++)
            h += H[c * N + j];
        assert_true(fabs(a - h) <= 1e-9 * h);
    }
    expect_arg(hy_nmf_activation(W, H, 0, K, N, A), "size");
    free(V);
    free(H0);
    free(H);
}

static void test_mdl_picks_planted_rank(void **state)
{
    (void)state;
    enum { N = 200, K = 3, KMAX = 6 };
    double *V = malloc(M * N * sizeof *V), W0[M * K], *H0 = malloc(K * N * sizeof *H0);
    double W[M * KMAX], *H = malloc(KMAX * N * sizeof *H), dl[KMAX + 1];
    int truth[N];
    uint32_t seed = 77;
    planted(N, K, 5, V, W0, H0, truth);
    for (size_t i = 0; i < M * N; i++) /* noise of about 1 packet */
        V[i] += 2.0 * rng_unif(&seed);
    hy_nmf_cfg cfg;
    hy_nmf_cfg_default(&cfg);
    size_t best = 0;
    for (size_t k = 1; k <= KMAX; k++) {
        cfg.rank = k;
        assert_int_equal(hy_nmf(V, M, N, &cfg, W, H, NULL, NULL), HY_OK);
        assert_int_equal(hy_nmf_mdl(V, W, H, M, k, N, &dl[k]), HY_OK);
        assert_true(isfinite(dl[k]));
        if (best == 0 || dl[k] < dl[best])
            best = k;
    }
    assert_int_equal(best, K);
    /* An exact fit has a finite description length. */
    planted(N, K, 5, V, W0, H0, truth);
    assert_int_equal(hy_nmf_mdl(V, W0, H0, M, K, N, &dl[0]), HY_OK);
    assert_true(isfinite(dl[0]) && dl[0] < dl[K]);
    expect_arg(hy_nmf_mdl(V, W0, H0, M, M + 1, N, &dl[0]), "size");
    free(V);
    free(H0);
    free(H);
}

/* Threads of this process (the test itself runs on one). */
static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* hy_ml_init stops the server threads OpenBLAS started at load, so none
 * spins beside hayate's, and BLAS still works afterwards on one thread. */
static void test_init_stops_blas_threads(void **state)
{
    (void)state;
    hy_ml_init();
    assert_int_equal(task_count(), 1);
    /* V = W H exactly (rank 1) through the library's BLAS path */
    double V[4] = {1, 2, 2, 4}, W[2] = {1, 2}, H[2] = {1, 2}, dl = 0;
    assert_int_equal(hy_nmf_mdl(V, W, H, 2, 1, 2, &dl), HY_OK);
    assert_true(isfinite(dl));
    assert_int_equal(task_count(), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_recovery),
        cmocka_unit_test(test_loss_never_increases),
        cmocka_unit_test(test_nndsvd_start),
        cmocka_unit_test(test_outputs_nonnegative),
        cmocka_unit_test(test_bit_identical),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_activation),
        cmocka_unit_test(test_mdl_picks_planted_rank),
        cmocka_unit_test(test_init_stops_blas_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
