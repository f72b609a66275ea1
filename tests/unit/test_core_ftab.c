/* hy_ftab: put/get against a reference model through many growths, keys
 * that share hashes' low bits, the entry cap, zeroed new values, walks in
 * a reproducible order, bad sizes. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "hayate/ftab.h"

typedef struct key21 {
    uint8_t b[21];
} key21;

static key21 key_of(uint32_t i)
{
    key21 k;
    memset(&k, 0, sizeof k);
    k.b[0] = 4;
    memcpy(k.b + 1, &i, sizeof i);
    k.b[20] = (uint8_t)(i * 7);
    return k;
}

static void test_put_get_against_model(void **state)
{
    (void)state;
    enum { N = 200000 };
    hy_ftab *t = NULL;
    assert_int_equal(hy_ftab_create(sizeof(key21), sizeof(uint64_t) * 3, 0, &t), HY_OK);
    for (uint32_t i = 0; i < N; i++) {
        key21 k = key_of(i * 2); /* even keys only */
        bool created = false;
        uint64_t *v = hy_ftab_put(t, &k, &created);
        assert_non_null(v);
        assert_true(created);
        assert_true(v[0] == 0 && v[1] == 0 && v[2] == 0); /* new values are zeroed */
        v[0] = i, v[2] = ~(uint64_t)i;
    }
    assert_int_equal(hy_ftab_count(t), N);
    for (uint32_t i = 0; i < 2 * N; i++) {
        key21 k = key_of(i);
        uint64_t *v = hy_ftab_get(t, &k);
        if (i % 2) {
            assert_null(v);
            continue;
        }
        assert_non_null(v);
        assert_true(v[0] == i / 2 && v[2] == ~(uint64_t)(i / 2));
    }
    /* putting an existing key returns its value, unchanged */
    key21 k = key_of(10);
    bool created = true;
    uint64_t *v = hy_ftab_put(t, &k, &created);
    assert_false(created);
    assert_true(v[0] == 5);
    assert_int_equal(hy_ftab_count(t), N);
    hy_ftab_destroy(t);
}

static void test_cap(void **state)
{
    (void)state;
    hy_ftab *t = NULL;
    assert_int_equal(hy_ftab_create(8, 8, 100, &t), HY_OK);
    for (uint64_t i = 0; i < 100; i++)
        assert_non_null(hy_ftab_put(t, &i, NULL));
    uint64_t extra = 1000;
    assert_null(hy_ftab_put(t, &extra, NULL)); /* full: refused, nothing changed */
    assert_int_equal(hy_ftab_count(t), 100);
    uint64_t old = 7;
    assert_non_null(hy_ftab_put(t, &old, NULL)); /* present keys still answer */
    hy_ftab_destroy(t);

}

typedef struct walk {
    uint64_t sum, n, order;
} walk;

static void visit(void *ud, const void *key, void *value)
{
    walk *w = ud;
    uint64_t k;
    memcpy(&k, key, sizeof k);
    w->sum += k + *(uint32_t *)value;
    w->order = w->order * 31 + k;
    w->n++;
}

static void test_walk_and_args(void **state)
{
    (void)state;
    walk w1 = {0}, w2 = {0};
    for (int run = 0; run < 2; run++) {
        hy_ftab *t = NULL;
        assert_int_equal(hy_ftab_create(8, 4, 0, &t), HY_OK);
        for (uint64_t i = 1; i <= 5000; i++)
            *(uint32_t *)hy_ftab_put(t, &i, NULL) = (uint32_t)i;
        hy_ftab_each(t, visit, run ? &w2 : &w1);
        hy_ftab_destroy(t);
    }
    assert_int_equal(w1.n, 5000);
    assert_true(w1.sum == 2 * (5000ull * 5001 / 2));
    assert_true(w1.order == w2.order); /* the same inserts, the same order */
    hy_ftab *t = NULL;
    assert_int_equal(hy_ftab_create(0, 8, 0, &t), HY_ERR_ARG);
    assert_int_equal(hy_ftab_create(8, 0, 0, &t), HY_ERR_ARG);
    assert_int_equal(hy_ftab_create(257, 8, 0, &t), HY_ERR_ARG);
    assert_int_equal(hy_ftab_create(8, 4097, 0, &t), HY_ERR_ARG);
    assert_null(hy_ftab_get(NULL, &t));
    assert_int_equal(hy_ftab_count(NULL), 0);
    hy_ftab_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_against_model),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_walk_and_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
