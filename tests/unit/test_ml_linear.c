/* Linear classifiers over liblinear: a separable problem learned (both
 * solvers), probabilities summing to 1, an absent class never predicted,
 * class weights moving the boundary, thread-count determinism, the binary
 * form (identical decisions after a round trip, corrupt input refused),
 * temperature scaling recovering a known temperature, argument checks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "hayate/buf.h"
#include "hayate/error.h"
#include "hayate/linear.h"

static uint64_t rng = 88172645463325252ull;

static double urand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* n rows of k classes over d features: class c lights feature c (value
 * 0.8..1) plus two random noise features among [k, d). */
static void make_problem(size_t n, size_t k, size_t d, hy_sparse *x, uint32_t *y)
{
    hy_sparse_init(x, d);
    for (size_t i = 0; i < n; i++) {
        uint32_t ix[3];
        float v[3];
        y[i] = (uint32_t)(i % k);
        uint32_t a = (uint32_t)(k + urand() * (double)(d - k)), b;
        do
            b = (uint32_t)(k + urand() * (double)(d - k));
        while (b == a);
        ix[0] = y[i];
        ix[1] = a < b ? a : b;
        ix[2] = a < b ? b : a;
        v[0] = (float)(0.8 + 0.2 * urand());
        v[1] = (float)urand();
        v[2] = (float)urand();
        assert_int_equal(hy_sparse_add_row(x, ix, v, 3), HY_OK);
    }
}

static uint32_t argmax(const double *z, size_t k)
{
    uint32_t b = 0;
    for (uint32_t c = 1; c < k; c++)
        if (z[c] > z[b])
            b = c;
    return b;
}

static size_t correct(const hy_linear *m, const hy_sparse *x, const uint32_t *y)
{
    double z[16];
    size_t ok = 0;
    for (size_t r = 0; r < x->rows; r++) {
        size_t a = x->indptr[r];
        assert_int_equal(
            hy_linear_decision(m, x->indices + a, x->values + a, x->indptr[r + 1] - a, z), HY_OK);
        ok += argmax(z, hy_linear_classes(m)) == y[r];
    }
    return ok;
}

static void test_separable(void **state)
{
    (void)state;
    hy_sparse x;
    uint32_t y[300];
    make_problem(300, 4, 40, &x, y);
    for (int s = 0; s < 2; s++) {
        hy_linear_opts o;
        hy_linear *m = NULL;
        hy_linear_opts_default(&o);
        o.solver = s ? HY_LINEAR_SVM : HY_LINEAR_LR;
        o.C = 10;
        assert_int_equal(hy_linear_train(&x, y, 4, NULL, &o, &m), HY_OK);
        assert_int_equal(hy_linear_classes(m), 4);
        assert_int_equal(hy_linear_features(m), 40);
        assert_int_equal(correct(m, &x, y), 300);
        /* the class's own feature carries a large positive weight */
        for (size_t c = 0; c < 4; c++)
            assert_true(hy_linear_weight(m, c, c) > 1.0);
        hy_linear_free(m);
    }
    hy_sparse_free(&x);
}

static void test_proba(void **state)
{
    (void)state;
    double z[2] = {0, log(3.0)}, p[2];
    hy_linear_proba(z, 2, 0, p); /* sigmoids 0.5 and 0.75, normalised */
    assert_float_equal(p[0], 0.4, 1e-12);
    assert_float_equal(p[1], 0.6, 1e-12);
    hy_linear_proba(z, 2, 1, p); /* softmax: 1 : 3 */
    assert_float_equal(p[0], 0.25, 1e-12);
    assert_float_equal(p[1], 0.75, 1e-12);
    hy_linear_proba(z, 2, 2, p); /* softmax(z/2): 1 : sqrt 3 */
    assert_float_equal(p[1], sqrt(3.0) / (1 + sqrt(3.0)), 1e-12);
    double big[3] = {1000, 999, -1000}, q[3];
    hy_linear_proba(big, 3, 1, q); /* no overflow */
    assert_float_equal(q[0] + q[1] + q[2], 1.0, 1e-12);
    assert_float_equal(q[0] / q[1], exp(1.0), 1e-9);
}

static void test_absent_class_and_weights(void **state)
{
    (void)state;
    hy_sparse x;
    uint32_t y[200];
    make_problem(200, 3, 30, &x, y);
    hy_linear_opts o;
    hy_linear *m = NULL;
    hy_linear_opts_default(&o);
    /* 5 classes, 3 and 4 never seen */
    assert_int_equal(hy_linear_train(&x, y, 5, NULL, &o, &m), HY_OK);
    assert_float_equal(hy_linear_bias(m, 3), HY_LINEAR_ABSENT_BIAS, 1e-6);
    assert_float_equal(hy_linear_weight(m, 3, 3), 0, 0);
    double z[5], p[5];
    size_t a = x.indptr[0];
    hy_linear_decision(m, x.indices + a, x.values + a, x.indptr[1] - a, z);
    hy_linear_proba(z, 5, 1, p);
    assert_true(p[3] < 1e-9 && p[4] < 1e-9);
    assert_float_equal(p[0] + p[1] + p[2] + p[3] + p[4], 1.0, 1e-12);
    hy_linear_free(m);

    /* an overlapping pair: the row (feature 0 only) is class 0 in 2 rows of
     * 3; weighting class 1 by 10 flips the decision */
    hy_sparse w;
    hy_sparse_init(&w, 1);
    uint32_t ix = 0, yy[3] = {0, 0, 1};
    float v = 1;
    for (int i = 0; i < 3; i++)
        hy_sparse_add_row(&w, &ix, &v, 1);
    double cw[2] = {1, 10};
    o.C = 100;
    assert_int_equal(hy_linear_train(&w, yy, 2, NULL, &o, &m), HY_OK);
    hy_linear_decision(m, &ix, &v, 1, z);
    assert_true(z[0] > z[1]);
    hy_linear_free(m);
    assert_int_equal(hy_linear_train(&w, yy, 2, cw, &o, &m), HY_OK);
    hy_linear_decision(m, &ix, &v, 1, z);
    assert_true(z[1] > z[0]);
    hy_linear_free(m);
    hy_sparse_free(&w);
    hy_sparse_free(&x);
}

static void test_threads_deterministic(void **state)
{
    (void)state;
    hy_sparse x;
    uint32_t y[400];
    make_problem(400, 7, 60, &x, y);
    hy_linear_opts o;
    hy_linear *a = NULL, *b = NULL;
    hy_linear_opts_default(&o);
    assert_int_equal(hy_linear_train(&x, y, 7, NULL, &o, &a), HY_OK);
    o.threads = 3;
    assert_int_equal(hy_linear_train(&x, y, 7, NULL, &o, &b), HY_OK);
    for (size_t c = 0; c < 7; c++) {
        assert_true(hy_linear_bias(a, c) == hy_linear_bias(b, c));
        for (size_t j = 0; j < 60; j++)
            assert_true(hy_linear_weight(a, j, c) == hy_linear_weight(b, j, c));
    }
    assert_int_equal(hy_linear_unconverged(a), 0);
    hy_linear_free(a);
    hy_linear_free(b);
    hy_sparse_free(&x);
}

static void test_save_load(void **state)
{
    (void)state;
    hy_sparse x;
    uint32_t y[120];
    make_problem(120, 3, 25, &x, y);
    hy_linear_opts o;
    hy_linear *m = NULL, *u = NULL;
    hy_linear_opts_default(&o);
    assert_int_equal(hy_linear_train(&x, y, 3, NULL, &o, &m), HY_OK);
    hy_buf b;
    size_t used = 0;
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy_linear_save(m, &b), HY_OK);
    assert_int_equal(b.len, 16 + 3 * 8 + 25 * 3 * 2);
    assert_int_equal(hy_linear_load((const uint8_t *)b.data, b.len, &used, &u), HY_OK);
    assert_int_equal(used, b.len);
    for (size_t r = 0; r < x.rows; r++) {
        double z1[3], z2[3];
        size_t a = x.indptr[r], n = x.indptr[r + 1] - a;
        hy_linear_decision(m, x.indices + a, x.values + a, n, z1);
        hy_linear_decision(u, x.indices + a, x.values + a, n, z2);
        assert_memory_equal(z1, z2, sizeof z1);
    }
    hy_linear_free(u);

    uint8_t *p = (uint8_t *)b.data;
    assert_int_equal(hy_linear_load(p, b.len - 1, &used, &u), HY_ERR_TRUNCATED);
    assert_int_equal(hy_linear_load(p, 10, &used, &u), HY_ERR_TRUNCATED);
    p[4] = 1; /* one class */
    assert_int_equal(hy_linear_load(p, b.len, &used, &u), HY_ERR_FORMAT);
    p[4] = 3;
    p[8] = 9; /* unknown solver */
    assert_int_equal(hy_linear_load(p, b.len, &used, &u), HY_ERR_FORMAT);
    p[8] = 0;
    memset(p + 16, 0xff, 4); /* NaN scale */
    assert_int_equal(hy_linear_load(p, b.len, &used, &u), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "scale"));
    memset(p, 0xff, 4); /* features over the cap */
    assert_int_equal(hy_linear_load(p, b.len, &used, &u), HY_ERR_FORMAT);
    assert_null(u);
    hy_buf_free(&b);
    hy_linear_free(m);
    hy_sparse_free(&x);
}

static void test_temperature(void **state)
{
    (void)state;
    enum { N = 4000, K = 5 };
    double *z = malloc(N * K * sizeof *z), t = 0;
    uint32_t *y = malloc(N * sizeof *y);
    /* labels drawn from softmax(u); the model reports z = 3u: T = 3 fits */
    for (size_t i = 0; i < N; i++) {
        double u[K], p[K], r = urand(), acc = 0;
        for (size_t c = 0; c < K; c++)
            u[c] = 2 * urand() - 1 + (c == i % K ? 1.5 : 0);
        hy_linear_proba(u, K, 1, p);
        y[i] = K - 1;
        for (uint32_t c = 0; c < K; c++)
            if (r < (acc += p[c])) {
                y[i] = c;
                break;
            }
        for (size_t c = 0; c < K; c++)
            z[i * K + c] = 3 * u[c];
    }
    assert_int_equal(hy_linear_fit_temperature(z, y, N, K, &t), HY_OK);
    assert_true(t > 2.6 && t < 3.4);
    assert_true(hy_linear_nll(z, y, N, K, t) < hy_linear_nll(z, y, N, K, 1.0));
    assert_true(hy_linear_nll(z, y, N, K, t) <= hy_linear_nll(z, y, N, K, t * 1.05));
    assert_true(hy_linear_nll(z, y, N, K, t) <= hy_linear_nll(z, y, N, K, t / 1.05));
    y[7] = K;
    assert_int_equal(hy_linear_fit_temperature(z, y, N, K, &t), HY_ERR_ARG);
    assert_int_equal(hy_linear_fit_temperature(z, y, 0, K, &t), HY_ERR_ARG);
    free(z);
    free(y);
}

static void test_args(void **state)
{
    (void)state;
    hy_sparse x;
    uint32_t y[10];
    make_problem(10, 2, 5, &x, y);
    hy_linear_opts o;
    hy_linear *m = NULL;
    hy_linear_opts_default(&o);
    assert_int_equal(hy_linear_train(&x, y, 1, NULL, &o, &m), HY_ERR_ARG);
    y[3] = 2;
    assert_int_equal(hy_linear_train(&x, y, 2, NULL, &o, &m), HY_ERR_ARG);
    for (int i = 0; i < 10; i++)
        y[i] = 1; /* one class present */
    assert_int_equal(hy_linear_train(&x, y, 2, NULL, &o, &m), HY_ERR_ARG);
    y[0] = 0;
    o.C = 0;
    assert_int_equal(hy_linear_train(&x, y, 2, NULL, &o, &m), HY_ERR_ARG);
    o.C = 1;
    o.threads = 0;
    assert_int_equal(hy_linear_train(&x, y, 2, NULL, &o, &m), HY_ERR_ARG);
    o.threads = 1;
    double cw[2] = {1, -1};
    assert_int_equal(hy_linear_train(&x, y, 2, cw, &o, &m), HY_ERR_ARG);
    assert_null(m);
    assert_int_equal(hy_linear_train(&x, y, 2, NULL, &o, &m), HY_OK);
    double z[2];
    uint32_t far = 1000;
    float one = 1;
    assert_int_equal(hy_linear_decision(m, &far, &one, 1, z), HY_OK); /* ignored column */
    assert_float_equal(z[0], hy_linear_bias(m, 0), 1e-12);
    assert_int_equal(hy_linear_decision(m, NULL, NULL, 1, z), HY_ERR_ARG);
    hy_linear_free(m);
    hy_sparse_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separable),
        cmocka_unit_test(test_proba),
        cmocka_unit_test(test_absent_class_and_weights),
        cmocka_unit_test(test_threads_deterministic),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_temperature),
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
