/* hy_map and hy_hash64: known hash answers, put/get/del/replace, growth,
 * backward-shift deletion against a reference model, the cap, walks. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/map.h"

static void test_hash_known_answers(void **state)
{
    /* XXH64 reference values. */
    assert_true(hy_hash64("", 0, 0) == 0xef46db3751d8e999ull);
    assert_true(hy_hash64(NULL, 0, 0) == 0xef46db3751d8e999ull);
    assert_true(hy_hash64("a", 1, 0) == 0xd24ec4f1a98c6e5bull);
    assert_true(hy_hash64("abc", 3, 0) == 0x44bc2cf5ad770999ull);
    assert_true(hy_hash64("", 0, 42) == 0x98b1582b0977e704ull);
    assert_true(hy_hash64("abc", 3, 42) == 0x13c1d910702770e6ull);
    /* 42 bytes: exercises the 32-byte stripes, the 8-byte and the 1-byte tails */
    const char *s = "hayate flow key 0123456789abcdefghijklmnop";
    assert_true(hy_hash64(s, strlen(s), 0) == 0xa46d74294ddb62b1ull);
    assert_true(hy_hash64(s, strlen(s), 42) == 0x18a1d905afda7fdfull);
}

static void test_hash_spreads(void **state)
{
    /* Keys differing in one bit should differ in about half the output bits. */
    unsigned total = 0;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t a = i, b = i ^ 1u << (i % 32);
        if (a == b)
            continue;
        total += (unsigned)__builtin_popcountll(hy_hash64(&a, 4, 0) ^ hy_hash64(&b, 4, 0));
    }
    assert_true(total > 256 * 26 && total < 256 * 38);
}

static int nfreed;
static void count_free(void *v)
{
    nfreed++;
    free(v);
}

static void test_basic(void **state)
{
    hy_map *m;
    nfreed = 0;
    assert_int_equal(hy_map_create(0, count_free, &m), HY_OK);
    assert_null(hy_map_get(m, "x", 1));
    assert_int_equal(hy_map_put(m, "alpha", 5, strdup("A")), HY_OK);
    assert_int_equal(hy_map_put(m, "beta", 4, strdup("B")), HY_OK);
    assert_int_equal(hy_map_put(m, "", 0, strdup("empty")), HY_OK);
    assert_int_equal(hy_map_put(m, "al\0pha", 6, strdup("NUL")), HY_OK);
    assert_int_equal(hy_map_count(m), 4);
    assert_string_equal(hy_map_get(m, "alpha", 5), "A");
    assert_string_equal(hy_map_get(m, "", 0), "empty");
    assert_string_equal(hy_map_get(m, "al\0pha", 6), "NUL");
    assert_null(hy_map_get(m, "alph", 4)); /* prefixes are different keys */
    assert_null(hy_map_get(m, "al", 2));

    /* replace frees the old value, keeps the count */
    assert_int_equal(hy_map_put(m, "alpha", 5, strdup("A2")), HY_OK);
    assert_int_equal(nfreed, 1);
    assert_int_equal(hy_map_count(m), 4);
    assert_string_equal(hy_map_get(m, "alpha", 5), "A2");

    /* keys are copied */
    char key[8] = "beta";
    assert_string_equal(hy_map_get(m, key, 4), "B");
    key[0] = 'z';
    assert_string_equal(hy_map_get(m, "beta", 4), "B");

    assert_int_equal(hy_map_del(m, "beta", 4), HY_OK);
    assert_int_equal(nfreed, 2);
    assert_int_equal(hy_map_del(m, "beta", 4), HY_ERR_NOTFOUND);
    assert_null(hy_map_get(m, "beta", 4));
    assert_int_equal(hy_map_count(m), 3);
    hy_map_destroy(m);
    assert_int_equal(nfreed, 5);
    hy_map_destroy(NULL);
}

static void test_borrowed_values(void **state)
{
    hy_map *m;
    int x = 1, y = 2;
    assert_int_equal(hy_map_create(0, NULL, &m), HY_OK);
    assert_int_equal(hy_map_put(m, "k", 1, &x), HY_OK);
    assert_int_equal(hy_map_put(m, "k", 1, &y), HY_OK);
    assert_ptr_equal(hy_map_get(m, "k", 1), &y);
    assert_int_equal(hy_map_put(m, "n", 1, NULL), HY_OK); /* NULL values are stored */
    assert_int_equal(hy_map_count(m), 2);
    hy_map_destroy(m);
}

/* Random puts and deletes over a small key space, checked against a plain
 * array after every step; many collisions and long shifts happen. */
static void test_against_model(void **state)
{
    enum { KEYS = 5000, OPS = 200000 };
    static uintptr_t model[KEYS]; /* 0: absent, else value */
    hy_map *m;
    size_t count = 0;
    uint64_t rng = 12345;

    memset(model, 0, sizeof model);
    assert_int_equal(hy_map_create(0, NULL, &m), HY_OK);
    for (int op = 0; op < OPS; op++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t k = (uint32_t)(rng >> 33) % KEYS;
        int what = (int)(rng >> 20) % 3;
        if (what < 2) {
            uintptr_t v = (uintptr_t)op + 1;
            assert_int_equal(hy_map_put(m, &k, sizeof k, (void *)v), HY_OK);
            count += model[k] == 0;
            model[k] = v;
        } else {
            hy_err e = hy_map_del(m, &k, sizeof k);
            assert_int_equal(e, model[k] ? HY_OK : HY_ERR_NOTFOUND);
            count -= model[k] != 0;
            model[k] = 0;
        }
        assert_int_equal(hy_map_count(m), count);
        if (op % 10007 == 0) {
            for (uint32_t j = 0; j < KEYS; j++)
                assert_ptr_equal(hy_map_get(m, &j, sizeof j), (void *)model[j]);
        }
    }
    for (uint32_t j = 0; j < KEYS; j++)
        assert_ptr_equal(hy_map_get(m, &j, sizeof j), (void *)model[j]);
    /* delete everything, then the map is empty and usable */
    for (uint32_t j = 0; j < KEYS; j++)
        if (model[j])
            assert_int_equal(hy_map_del(m, &j, sizeof j), HY_OK);
    assert_int_equal(hy_map_count(m), 0);
    for (uint32_t j = 0; j < KEYS; j++)
        assert_null(hy_map_get(m, &j, sizeof j));
    hy_map_destroy(m);
}

static void test_many_string_keys(void **state)
{
    hy_map *m;
    char k[32];
    assert_int_equal(hy_map_create(0, NULL, &m), HY_OK);
    for (uintptr_t i = 0; i < 100000; i++) {
        int n = snprintf(k, sizeof k, "key-%lu", (unsigned long)i);
        assert_int_equal(hy_map_put(m, k, (size_t)n, (void *)(i + 1)), HY_OK);
    }
    assert_int_equal(hy_map_count(m), 100000);
    for (uintptr_t i = 0; i < 100000; i++) {
        int n = snprintf(k, sizeof k, "key-%lu", (unsigned long)i);
        assert_ptr_equal(hy_map_get(m, k, (size_t)n), (void *)(i + 1));
    }
    assert_null(hy_map_get(m, "key-100000", 10));
    hy_map_destroy(m);
}

static void test_cap(void **state)
{
    hy_map *m;
    nfreed = 0;
    assert_int_equal(hy_map_create(3, count_free, &m), HY_OK);
    assert_int_equal(hy_map_put(m, "a", 1, strdup("1")), HY_OK);
    assert_int_equal(hy_map_put(m, "b", 1, strdup("2")), HY_OK);
    assert_int_equal(hy_map_put(m, "c", 1, strdup("3")), HY_OK);
    char *v = strdup("4");
    assert_int_equal(hy_map_put(m, "d", 1, v), HY_ERR_TOOBIG);
    assert_int_equal(nfreed, 0); /* a refused value stays the caller's */
    free(v);
    assert_int_equal(hy_map_count(m), 3);
    assert_null(hy_map_get(m, "d", 1));
    /* replacing an existing key is allowed at the cap */
    assert_int_equal(hy_map_put(m, "a", 1, strdup("1b")), HY_OK);
    assert_string_equal(hy_map_get(m, "a", 1), "1b");
    /* deleting makes room again */
    assert_int_equal(hy_map_del(m, "b", 1), HY_OK);
    assert_int_equal(hy_map_put(m, "d", 1, strdup("4")), HY_OK);
    assert_int_equal(hy_map_count(m), 3);
    hy_map_destroy(m);
    assert_int_equal(nfreed, 5);
}

struct walk {
    size_t n;
    uintptr_t sum;
    size_t stop_after;
};

static int walk_fn(const void *key, size_t klen, void *value, void *ud)
{
    struct walk *w = ud;
    uint32_t k;
    assert_int_equal(klen, sizeof k);
    memcpy(&k, key, sizeof k);
    assert_int_equal((uintptr_t)value, (uintptr_t)k * 2);
    w->n++;
    w->sum += (uintptr_t)value;
    return w->stop_after && w->n == w->stop_after;
}

static void test_each(void **state)
{
    hy_map *m;
    struct walk w = {0};
    assert_int_equal(hy_map_create(0, NULL, &m), HY_OK);
    hy_map_each(m, walk_fn, &w);
    assert_int_equal(w.n, 0);
    for (uint32_t k = 1; k <= 1000; k++)
        assert_int_equal(hy_map_put(m, &k, sizeof k, (void *)((uintptr_t)k * 2)), HY_OK);
    hy_map_each(m, walk_fn, &w);
    assert_int_equal(w.n, 1000);
    assert_int_equal(w.sum, 1000 * 1001);
    w = (struct walk){.stop_after = 7};
    hy_map_each(m, walk_fn, &w);
    assert_int_equal(w.n, 7);
    hy_map_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_known_answers),
        cmocka_unit_test(test_hash_spreads),
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_borrowed_values),
        cmocka_unit_test(test_against_model),
        cmocka_unit_test(test_many_string_keys),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
