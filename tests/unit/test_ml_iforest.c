/* Isolation forest: planted outliers ranked first (AUC on held-out points),
 * score range, bit-identical refits, save/load round trip, a hand-built
 * model scored by the paper's formula, the loader's refusals (truncation at
 * every length, flipped child indices, bad magic, huge counts, NaN
 * thresholds, bad leaves), fit's argument errors, constant data, and
 * sampling without replacement. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "hayate/buf.h"
#include "hayate/error.h"
#include "hayate/iforest.h"

/* ---- helpers ---- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_unif(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * 0x1p-53;
}

static double rng_gauss(uint64_t *s)
{
    double u = rng_unif(s), v = rng_unif(s);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static hy_iforest *fit_or_fail(const float *x, size_t rows, size_t cols, unsigned trees,
                               unsigned sample, uint64_t seed)
{
    hy_iforest_params p = {trees, sample, seed};
    hy_iforest *f = NULL;
    hy_err rc = hy_iforest_fit(x, rows, cols, &p, &f);
    if (rc != HY_OK)
        fail_msg("fit: %s: %s", hy_err_str(rc), hy_err_detail());
    assert_non_null(f);
    return f;
}

/* The model's bytes, malloc'd; length in *n. */
static uint8_t *save_bytes(const hy_iforest *f, size_t *n)
{
    hy_buf b;
    hy_buf_init(&b, 1u << 28);
    assert_int_equal(hy_iforest_save(f, &b), HY_OK);
    uint8_t *p = (uint8_t *)hy_buf_take(&b, n);
    assert_non_null(p);
    return p;
}

/* Probability that a random outlier outscores a random inlier (ties 1/2). */
static double auc(const double *in, size_t nin, const double *out, size_t nout)
{
    double wins = 0;
    for (size_t i = 0; i < nout; i++)
        for (size_t j = 0; j < nin; j++)
            wins += out[i] > in[j] ? 1.0 : out[i] == in[j] ? 0.5 : 0.0;
    return wins / ((double)nin * (double)nout);
}

/* An inlier N(0, I) or an outlier: 2-D on a ring of radius 4..7, 10-D with
 * three coordinates pushed to +-(5..7). */
static void draw(uint64_t *s, float *row, size_t cols, bool outlier)
{
    for (size_t c = 0; c < cols; c++)
        row[c] = (float)rng_gauss(s);
    if (!outlier)
        return;
    if (cols == 2) {
        double r = 4 + 3 * rng_unif(s), a = 6.283185307179586 * rng_unif(s);
        row[0] = (float)(r * cos(a));
        row[1] = (float)(r * sin(a));
        return;
    }
    for (int k = 0; k < 3; k++) {
        size_t c = (size_t)(rng_unif(s) * (double)cols);
        double m = 5 + 2 * rng_unif(s);
        row[c] = (float)(rng_unif(s) < 0.5 ? -m : m);
    }
}

/* Fits on 2000 inliers with 2% planted outliers, then scores 1000 fresh
 * inliers and 60 fresh outliers; returns the AUC. */
static double planted_auc(size_t cols, uint64_t seed)
{
    enum { NTRAIN = 2000, NIN = 1000, NOUT = 60 };
    float *x = malloc(NTRAIN * cols * sizeof *x), row[16];
    double *sin_ = malloc(NIN * sizeof *sin_), sout[NOUT];
    assert_true(x && sin_ && cols <= 16);
    uint64_t s = seed;
    for (size_t i = 0; i < NTRAIN; i++)
        draw(&s, x + i * cols, cols, i % 50 == 49);
    hy_iforest *f = fit_or_fail(x, NTRAIN, cols, 100, 256, 7);
    assert_int_equal(hy_iforest_cols(f), cols);
    for (size_t i = 0; i < NIN + NOUT; i++) {
        draw(&s, row, cols, i >= NIN);
        double sc = hy_iforest_score(f, row, cols);
        assert_true(sc > 0 && sc <= 1);
        if (i < NIN)
            sin_[i] = sc;
        else
            sout[i - NIN] = sc;
    }
    double a = auc(sin_, NIN, sout, NOUT);
    hy_iforest_destroy(f);
    free(x);
    free(sin_);
    return a;
}

/* Random 2-D data for the loader tests. */
static hy_iforest *small_forest(unsigned trees, unsigned sample, uint64_t seed)
{
    float x[200];
    uint64_t s = seed;
    for (size_t i = 0; i < 200; i++)
        x[i] = (float)rng_gauss(&s);
    return fit_or_fail(x, 100, 2, trees, sample, seed);
}

/* load must refuse p[0..n) with rc and a detail holding want. */
static void expect_refused(const uint8_t *p, size_t n, hy_err rc, const char *want)
{
    hy_iforest *f = (hy_iforest *)p; /* must be reset to NULL */
    hy_err got = hy_iforest_load(p, n, &f);
    if (got != rc || f || !strstr(hy_err_detail(), want))
        fail_msg("want %s '%s', got %s '%s'", hy_err_str(rc), want, hy_err_str(got),
                 hy_err_detail());
}

/* Offset of node i of tree 0 in a saved model. */
static size_t node_off(uint32_t i)
{
    return 32 + 4 + 16 * (size_t)i;
}

/* ---- tests ---- */

static void test_planted_2d(void **state)
{
    (void)state;
    double a = planted_auc(2, 11);
    if (a < 0.95)
        fail_msg("2-D AUC %.4f < 0.95", a);
}

static void test_planted_10d(void **state)
{
    (void)state;
    double a = planted_auc(10, 12);
    if (a < 0.95)
        fail_msg("10-D AUC %.4f < 0.95", a);
}

static void test_score_range_and_args(void **state)
{
    (void)state;
    hy_iforest *f = small_forest(50, 64, 3);
    const float probes[][2] = {{0, 0},   {1e30f, -1e30f},       {-3e38f, 3e38f},
                               {NAN, 0}, {INFINITY, -INFINITY}, {0.5f, -0.25f}};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        double sc = hy_iforest_score(f, probes[i], 2);
        assert_true(sc > 0 && sc <= 1);
    }
    /* The centre is more typical than a far point. */
    assert_true(hy_iforest_score(f, probes[0], 2) < hy_iforest_score(f, probes[1], 2));
    assert_true(isnan(hy_iforest_score(f, probes[0], 3)));
    assert_true(isnan(hy_iforest_score(f, NULL, 2)));
    assert_true(isnan(hy_iforest_score(NULL, probes[0], 2)));
    assert_int_equal(hy_iforest_trees(f), 50);
    assert_int_equal(hy_iforest_psi(f), 64);
    hy_iforest_destroy(f);
    hy_iforest_destroy(NULL);
}

static void test_deterministic(void **state)
{
    (void)state;
    hy_iforest *a = small_forest(20, 32, 5), *b = small_forest(20, 32, 5);
    hy_iforest *c = small_forest(20, 32, 6);
    size_t na, nb, nc;
    uint8_t *pa = save_bytes(a, &na), *pb = save_bytes(b, &nb), *pc = save_bytes(c, &nc);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
    assert_true(na != nc || memcmp(pa, pc, na) != 0); /* the seed matters */
    assert_memory_equal(pa, "HYIF", 4);
    free(pa);
    free(pb);
    free(pc);
    hy_iforest_destroy(a);
    hy_iforest_destroy(b);
    hy_iforest_destroy(c);
}

static void test_round_trip(void **state)
{
    (void)state;
    enum { ROWS = 3000, COLS = 6 };
    float *x = malloc(ROWS * COLS * sizeof *x);
    assert_non_null(x);
    uint64_t s = 21;
    for (size_t i = 0; i < ROWS * COLS; i++)
        x[i] = (float)(rng_gauss(&s) * (i % COLS + 1));
    hy_iforest *f = fit_or_fail(x, ROWS, COLS, 100, 256, 9), *g = NULL;
    size_t n, n2;
    uint8_t *p = save_bytes(f, &n);
    assert_int_equal(hy_iforest_load(p, n, &g), HY_OK);
    assert_int_equal(hy_iforest_cols(g), COLS);
    for (size_t i = 0; i < ROWS; i += 7)
        assert_true(hy_iforest_score(f, x + i * COLS, COLS) ==
                    hy_iforest_score(g, x + i * COLS, COLS));
    uint8_t *p2 = save_bytes(g, &n2);
    assert_int_equal(n, n2);
    assert_memory_equal(p, p2, n);
    /* A buffer too small for the model: TOOBIG, the buffer unchanged. */
    hy_buf b;
    hy_buf_init(&b, 100);
    assert_int_equal(hy_buf_adds(&b, "x"), HY_OK);
    assert_int_equal(hy_iforest_save(f, &b), HY_ERR_TOOBIG);
    assert_int_equal(b.len, 1);
    hy_buf_free(&b);
    assert_int_equal(hy_iforest_save(NULL, &b), HY_ERR_ARG);
    free(p);
    free(p2);
    free(x);
    hy_iforest_destroy(f);
    hy_iforest_destroy(g);
}

/* c(n) of the paper: the mean depth of an unsuccessful search in a BST. */
static double ref_c(uint32_t n)
{
    if (n > 2)
        return 2.0 * (log(n - 1.0) + 0.5772156649) - 2.0 * (n - 1.0) / n;
    return n == 2 ? 1.0 : 0.0;
}

/* The score of row x by walking the saved bytes (the documented format),
 * independently of the library's own scoring layout. */
static double ref_score(const uint8_t *m, const float *x)
{
    uint32_t trees = get_u32(m + 8), psi = get_u32(m + 28);
    const uint8_t *p = m + 32;
    double h = 0;
    for (uint32_t t = 0; t < trees; t++) {
        uint32_t n = get_u32(p), i = 0, depth = 0;
        const uint8_t *nd = p + 4;
        while (get_u32(nd + 16 * i) != 0xffffffffu) {
            float v;
            uint32_t bits = get_u32(nd + 16 * i + 4);
            memcpy(&v, &bits, 4);
            i = x[get_u32(nd + 16 * i)] < v ? get_u32(nd + 16 * i + 8) : get_u32(nd + 16 * i + 12);
            depth++;
        }
        h += (float)(depth + ref_c(get_u32(nd + 16 * i + 8)));
        p += 4 + 16 * (size_t)n;
    }
    return exp2(-(h / trees) / ref_c(psi));
}

/* Scores equal the reference walk for every height (the library keeps a
 * heap layout up to psi 4096 and walks nodes beyond), tree counts that do
 * not fill its lanes, and rows with NaN. */
static void test_reference_scorer(void **state)
{
    (void)state;
    enum { ROWS = 9000, COLS = 5 };
    static const unsigned cases[][2] = {{100, 256}, {37, 64}, {3, 2}, {20, 4096}, {5, 8192}};
    float *x = malloc(ROWS * COLS * sizeof *x);
    assert_non_null(x);
    uint64_t s = 77;
    for (size_t i = 0; i < ROWS * COLS; i++)
        x[i] = (float)(rng_gauss(&s) * (i % COLS + 1));
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        hy_iforest *f = fit_or_fail(x, ROWS, COLS, cases[c][0], cases[c][1], 3);
        size_t n;
        uint8_t *m = save_bytes(f, &n);
        for (size_t i = 0; i < ROWS; i += 13) {
            float row[COLS];
            memcpy(row, x + i * COLS, sizeof row);
            if (i % 5 == 0)
                row[i % COLS] = NAN;
            double a = hy_iforest_score(f, row, COLS), b = ref_score(m, row);
            if (fabs(a - b) > 1e-12)
                fail_msg("trees %u psi %u row %zu: %.17g, reference %.17g", cases[c][0],
                         cases[c][1], i, a, b);
        }
        free(m);
        hy_iforest_destroy(f);
    }
    free(x);
}

/* psi 2, one tree: x < 0.5 left. Each point ends at depth 1 in a leaf of
 * one row, so h = 1 + c(1) = 1 and s = 2^(-1 / c(2)) = 0.5. */
static void hand_model(uint8_t m[32 + 4 + 48])
{
    memcpy(m, "HYIF", 4);
    put_u32(m + 4, 1);   /* version */
    put_u32(m + 8, 1);   /* trees */
    put_u32(m + 12, 2);  /* sample */
    put_u32(m + 16, 42); /* seed */
    put_u32(m + 20, 0);
    put_u32(m + 24, 1); /* cols */
    put_u32(m + 28, 2); /* psi */
    put_u32(m + 32, 3); /* nodes */
    float half = 0.5f;
    uint32_t hb;
    memcpy(&hb, &half, 4);
    const uint32_t nodes[12] = {0, hb, 1, 2, 0xffffffffu, 0, 1, 0, 0xffffffffu, 0, 1, 0};
    for (int i = 0; i < 12; i++)
        put_u32(m + 36 + 4 * i, nodes[i]);
}

static void test_hand_built_model(void **state)
{
    (void)state;
    uint8_t m[32 + 4 + 48], *back;
    size_t n;
    hand_model(m);
    hy_iforest *f = NULL;
    assert_int_equal(hy_iforest_load(m, sizeof m, &f), HY_OK);
    const float lo = 0, hi = 9;
    assert_true(fabs(hy_iforest_score(f, &lo, 1) - 0.5) < 1e-12);
    assert_true(fabs(hy_iforest_score(f, &hi, 1) - 0.5) < 1e-12);
    back = save_bytes(f, &n);
    assert_int_equal(n, sizeof m);
    assert_memory_equal(back, m, n);
    free(back);
    hy_iforest_destroy(f);
    /* psi 4 (height limit 2) with a split at depth 2: refused. */
    uint8_t deep[32 + 4 + 7 * 16];
    memcpy(deep, m, 32);
    put_u32(deep + 12, 4);
    put_u32(deep + 28, 4);
    put_u32(deep + 32, 7);
    const uint32_t L = 0xffffffffu, nodes[28] = {0, 0, 1, 2, 0, 0, 3, 4, L, 0, 1, 0, 0, 0,
                                                 5, 6, L, 0, 1, 0, L, 0, 1, 0, L, 0, 1, 0};
    for (int i = 0; i < 28; i++)
        put_u32(deep + 36 + 4 * i, nodes[i]);
    expect_refused(deep, sizeof deep, HY_ERR_FORMAT, "height limit");
    /* Every node reachable, leaves summing to psi, but nodes 3 and 4 shared
     * by nodes 1 and 2 (a DAG, not a tree): refused. */
    const uint32_t dag[20] = {0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 3, 4, L, 0, 2, 0, L, 0, 2, 0};
    put_u32(deep + 32, 5);
    for (int i = 0; i < 20; i++)
        put_u32(deep + 36 + 4 * i, dag[i]);
    expect_refused(deep, 32 + 4 + 5 * 16, HY_ERR_FORMAT, "two parents");
}

static void test_load_truncated(void **state)
{
    (void)state;
    hy_iforest *f = small_forest(3, 16, 8);
    size_t n;
    uint8_t *p = save_bytes(f, &n);
    for (size_t len = 0; len < n; len++) {
        uint8_t *cut = malloc(len ? len : 1); /* exact size: ASan sees overreads */
        assert_non_null(cut);
        memcpy(cut, p, len);
        hy_iforest *g = (hy_iforest *)cut;
        hy_err rc = hy_iforest_load(cut, len, &g);
        assert_true(rc == HY_ERR_TRUNCATED || rc == HY_ERR_FORMAT);
        assert_null(g);
        assert_true(hy_err_detail()[0] != '\0');
        free(cut);
    }
    uint8_t *longer = malloc(n + 1);
    assert_non_null(longer);
    memcpy(longer, p, n);
    longer[n] = 0;
    expect_refused(longer, n + 1, HY_ERR_FORMAT, "trailing");
    free(longer);
    free(p);
    hy_iforest_destroy(f);
}

/* Sets the u32 at off in a copy of p and expects a refusal. */
static void refuse_u32(const uint8_t *p, size_t n, size_t off, uint32_t v, hy_err rc,
                       const char *want)
{
    uint8_t *q = malloc(n);
    assert_non_null(q);
    memcpy(q, p, n);
    put_u32(q + off, v);
    expect_refused(q, n, rc, want);
    free(q);
}

static void test_load_bad_header(void **state)
{
    (void)state;
    hy_iforest *f = small_forest(3, 16, 8);
    size_t n;
    uint8_t *p = save_bytes(f, &n);
    refuse_u32(p, n, 0, 0x46495948u ^ 0x20, HY_ERR_FORMAT, "magic");
    refuse_u32(p, n, 4, 2, HY_ERR_FORMAT, "version");
    refuse_u32(p, n, 8, 0xffffffffu, HY_ERR_FORMAT, "trees");
    refuse_u32(p, n, 8, 0, HY_ERR_FORMAT, "trees");
    refuse_u32(p, n, 8, 4, HY_ERR_TRUNCATED, "tree 3");
    refuse_u32(p, n, 8, 2, HY_ERR_FORMAT, "trailing");
    refuse_u32(p, n, 12, 0xffffffffu, HY_ERR_FORMAT, "sample");
    refuse_u32(p, n, 12, 1, HY_ERR_FORMAT, "sample");
    refuse_u32(p, n, 24, 0, HY_ERR_FORMAT, "columns");
    refuse_u32(p, n, 24, HY_IFOREST_MAX_COLS + 1, HY_ERR_FORMAT, "columns");
    refuse_u32(p, n, 28, 1, HY_ERR_FORMAT, "psi");
    refuse_u32(p, n, 28, 17, HY_ERR_FORMAT, "psi");
    refuse_u32(p, n, 28, 15, HY_ERR_FORMAT, "psi"); /* leaves no longer sum to psi */
    refuse_u32(p, n, 32, 0xffffffffu, HY_ERR_FORMAT, "nodes");
    refuse_u32(p, n, 32, 0, HY_ERR_FORMAT, "nodes");
    refuse_u32(p, n, 32, 1000, HY_ERR_FORMAT, "nodes");
    expect_refused(NULL, 0, HY_ERR_TRUNCATED, "header");
    hy_iforest *g = NULL;
    assert_int_equal(hy_iforest_load(p, n, NULL), HY_ERR_ARG);
    assert_int_equal(hy_iforest_load(NULL, 5, &g), HY_ERR_ARG);
    free(p);
    hy_iforest_destroy(f);
}

static void test_load_bad_nodes(void **state)
{
    (void)state;
    hy_iforest *f = small_forest(2, 16, 8);
    size_t n;
    uint8_t *p = save_bytes(f, &n);
    uint32_t m = get_u32(p + 32), leaf = 0, internal = 0;
    assert_true(m >= 3);
    assert_true(get_u32(p + node_off(0)) != 0xffffffffu);
    /* Every flipped bit of every child index breaks the one-parent rule,
     * points backwards or leaves the tree. */
    for (uint32_t i = 0; i < m; i++) {
        if (get_u32(p + node_off(i)) == 0xffffffffu) {
            leaf = i;
            continue;
        }
        internal = i;
        for (size_t side = 8; side <= 12; side += 4)
            for (int bit = 0; bit < 32; bit++) {
                uint32_t v = get_u32(p + node_off(i) + side) ^ (1u << bit);
                refuse_u32(p, n, node_off(i) + side, v, HY_ERR_FORMAT, "node");
            }
    }
    refuse_u32(p, n, node_off(0) + 8, 0, HY_ERR_FORMAT, "children");
    refuse_u32(p, n, node_off(0) + 8, m, HY_ERR_FORMAT, "children");
    refuse_u32(p, n, node_off(0) + 8, get_u32(p + node_off(0) + 12), HY_ERR_FORMAT, "parent");
    refuse_u32(p, n, node_off(internal), 2, HY_ERR_FORMAT, "attribute");
    refuse_u32(p, n, node_off(internal), 0xfffffffeu, HY_ERR_FORMAT, "attribute");
    refuse_u32(p, n, node_off(internal) + 4, 0x7fc00000u, HY_ERR_FORMAT, "threshold");
    refuse_u32(p, n, node_off(internal) + 4, 0x7f800000u, HY_ERR_FORMAT, "threshold");
    uint32_t size = get_u32(p + node_off(leaf) + 8);
    refuse_u32(p, n, node_off(leaf) + 8, 0, HY_ERR_FORMAT, "leaf");
    refuse_u32(p, n, node_off(leaf) + 8, 17, HY_ERR_FORMAT, "leaf");
    refuse_u32(p, n, node_off(leaf) + 8, size + 1, HY_ERR_FORMAT, "psi");
    refuse_u32(p, n, node_off(leaf) + 4, 1, HY_ERR_FORMAT, "padding");
    refuse_u32(p, n, node_off(leaf) + 12, 1, HY_ERR_FORMAT, "padding");
    /* A node count one short: the last node loses its parent's target. */
    uint8_t *q = malloc(n - 16);
    assert_non_null(q);
    memcpy(q, p, node_off(m - 1));
    memcpy(q + node_off(m - 1), p + node_off(m), n - node_off(m));
    put_u32(q + 32, m - 1);
    expect_refused(q, n - 16, HY_ERR_FORMAT, "children");
    free(q);
    free(p);
    hy_iforest_destroy(f);
}

static void test_fit_args(void **state)
{
    (void)state;
    float x[40];
    for (int i = 0; i < 40; i++)
        x[i] = (float)i;
    hy_iforest_params p;
    hy_iforest_params_default(&p);
    assert_int_equal(p.trees, 100);
    assert_int_equal(p.sample, 256);
    assert_true(p.seed == 1);
    hy_iforest *f = (hy_iforest *)x;
    x[3 * 2 + 1] = NAN;
    assert_int_equal(hy_iforest_fit(x, 20, 2, &p, &f), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "row 3 col 1"));
    assert_null(f);
    x[7] = 5;
    x[16] = -INFINITY;
    assert_int_equal(hy_iforest_fit(x, 20, 2, &p, &f), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "row 8 col 0"));
    x[16] = 1;
    assert_int_equal(hy_iforest_fit(x, 1, 2, &p, &f), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "rows"));
    assert_int_equal(hy_iforest_fit(x, 0, 2, &p, &f), HY_ERR_ARG);
    assert_int_equal(hy_iforest_fit(x, 20, 0, &p, &f), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "columns"));
    assert_int_equal(hy_iforest_fit(x, 2, HY_IFOREST_MAX_COLS + 1, &p, &f), HY_ERR_ARG);
    assert_int_equal(hy_iforest_fit(NULL, 20, 2, &p, &f), HY_ERR_ARG);
    assert_int_equal(hy_iforest_fit(x, 20, 2, NULL, &f), HY_ERR_ARG);
    assert_int_equal(hy_iforest_fit(x, 20, 2, &p, NULL), HY_ERR_ARG);
    hy_iforest_params bad = p;
    bad.trees = 0;
    assert_int_equal(hy_iforest_fit(x, 20, 2, &bad, &f), HY_ERR_ARG);
    bad.trees = HY_IFOREST_MAX_TREES + 1;
    assert_int_equal(hy_iforest_fit(x, 20, 2, &bad, &f), HY_ERR_ARG);
    bad = p;
    bad.sample = 1;
    assert_int_equal(hy_iforest_fit(x, 20, 2, &bad, &f), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "sample"));
    assert_null(f);
    /* Two rows: psi 2, each tree one split, every score 2^(-1/c(2)) = 0.5. */
    assert_int_equal(hy_iforest_fit(x, 2, 2, &p, &f), HY_OK);
    assert_int_equal(hy_iforest_psi(f), 2);
    const float far[2] = {100, -100};
    assert_true(fabs(hy_iforest_score(f, far, 2) - 0.5) < 1e-12);
    hy_iforest_destroy(f);
}

static void test_constant_data(void **state)
{
    (void)state;
    enum { ROWS = 500, COLS = 3 };
    float x[ROWS * COLS];
    for (size_t i = 0; i < ROWS * COLS; i++)
        x[i] = 7.0f;
    hy_iforest *f = fit_or_fail(x, ROWS, COLS, 100, 256, 1);
    const float same[COLS] = {7, 7, 7}, other[COLS] = {-1e6f, 3, 1e6f};
    /* Every tree is one leaf of psi rows: h = c(psi), s = 1/2 (up to the
     * float a leaf keeps its path length in). */
    assert_true(fabs(hy_iforest_score(f, same, COLS) - 0.5) < 1e-7);
    assert_true(fabs(hy_iforest_score(f, other, COLS) - 0.5) < 1e-7);
    hy_iforest_destroy(f);
    /* Column 0 constant: splits only use column 1, so column 0 is ignored. */
    uint64_t s = 4;
    for (size_t i = 0; i < ROWS; i++) {
        x[2 * i] = 3.0f;
        x[2 * i + 1] = (float)rng_gauss(&s);
    }
    f = fit_or_fail(x, ROWS, 2, 50, 128, 2);
    for (int k = 0; k < 20; k++) {
        float a[2] = {3.0f, (float)rng_gauss(&s) * 2}, b[2] = {-50.0f, a[1]};
        assert_true(hy_iforest_score(f, a, 2) == hy_iforest_score(f, b, 2));
    }
    hy_iforest_destroy(f);
}

/* Distinct rows, so a leaf holding several rows above the height limit
 * could only come from a row drawn twice. */
static void test_sampling_without_replacement(void **state)
{
    (void)state;
    enum { ROWS = 300, TREES = 30 };
    float x[ROWS];
    for (size_t i = 0; i < ROWS; i++)
        x[i] = (float)i;
    hy_iforest *f = fit_or_fail(x, ROWS, 1, TREES, 256, 3);
    assert_int_equal(hy_iforest_psi(f), 256);
    size_t n, off = 32;
    uint8_t *p = save_bytes(f, &n);
    uint8_t depth[511];
    for (int t = 0; t < TREES; t++) {
        uint32_t m = get_u32(p + off);
        const uint8_t *nd = p + off + 4;
        depth[0] = 0;
        for (uint32_t i = 0; i < m; i++, nd += 16) {
            if (get_u32(nd) != 0xffffffffu) {
                depth[get_u32(nd + 8)] = depth[get_u32(nd + 12)] = (uint8_t)(depth[i] + 1);
                continue;
            }
            if (get_u32(nd + 8) > 1)
                assert_int_equal(depth[i], 8); /* ceil(log2 256) */
        }
        off += 4 + 16 * (size_t)m;
    }
    assert_int_equal(off, n);
    free(p);
    hy_iforest_destroy(f);
}

/* Many rows: memory and time follow psi, and the model is still identical
 * across fits. */
static void test_many_rows(void **state)
{
    (void)state;
    enum { ROWS = 200000, COLS = 4 };
    float *x = malloc((size_t)ROWS * COLS * sizeof *x);
    assert_non_null(x);
    uint64_t s = 77;
    for (size_t i = 0; i < (size_t)ROWS * COLS; i++)
        x[i] = (float)rng_gauss(&s);
    hy_iforest *a = fit_or_fail(x, ROWS, COLS, 100, 256, 5);
    hy_iforest *b = fit_or_fail(x, ROWS, COLS, 100, 256, 5);
    size_t na, nb;
    uint8_t *pa = save_bytes(a, &na), *pb = save_bytes(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
    assert_true(na < 100 * (4 + 511 * 16) + 40);
    free(pa);
    free(pb);
    free(x);
    hy_iforest_destroy(a);
    hy_iforest_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_2d),
        cmocka_unit_test(test_reference_scorer),
        cmocka_unit_test(test_planted_10d),
        cmocka_unit_test(test_score_range_and_args),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_hand_built_model),
        cmocka_unit_test(test_load_truncated),
        cmocka_unit_test(test_load_bad_header),
        cmocka_unit_test(test_load_bad_nodes),
        cmocka_unit_test(test_fit_args),
        cmocka_unit_test(test_constant_data),
        cmocka_unit_test(test_sampling_without_replacement),
        cmocka_unit_test(test_many_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
