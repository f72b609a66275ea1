/* Distinct counting: exact below the cap, within HLL error above it, and
 * unions independent of the split and order. */
#include <stdlib.h>

#include "testutil.h"
#include "hayate/uset.h"

static uint64_t item(uint64_t i)
{
    return hy_hash64(&i, sizeof i, 0);
}

static void test_exact_below_cap(void **state)
{
    (void)state;
    hy_uset s;
    hy_uset_init(&s, 1000);
    for (uint64_t i = 0; i < 3000; i++)
        assert_int_equal(hy_uset_add(&s, item(i % 700)), HY_OK); /* repeats */
    assert_true(hy_uset_exact(&s));
    assert_int_equal(hy_uset_count(&s), 700);
    assert_int_equal(hy_uset_add(&s, 0), HY_OK); /* hash 0 is an item too */
    assert_int_equal(hy_uset_count(&s), 701);
    hy_uset_free(&s);
}

static void test_estimate_above_cap(void **state)
{
    (void)state;
    const uint64_t ns[] = {1500, 20000, 1000000};
    for (size_t k = 0; k < 3; k++) {
        hy_uset s;
        hy_uset_init(&s, 1024);
        for (uint64_t i = 0; i < ns[k]; i++)
            assert_int_equal(hy_uset_add(&s, item(i)), HY_OK);
        assert_false(hy_uset_exact(&s));
        double err = ((double)hy_uset_count(&s) - (double)ns[k]) / (double)ns[k];
        assert_true(err < 0.05 && err > -0.05); /* 3 sigma of 1.04/sqrt(4096) is 4.9 % */
        hy_uset_free(&s);
    }
}

/* Splitting the items over 1..5 sets and merging in either order gives the
 * same count as one set, exact or not. */
static void test_merge_split_independent(void **state)
{
    (void)state;
    const uint64_t ns[] = {900, 5000};
    for (size_t k = 0; k < 2; k++) {
        hy_uset one;
        hy_uset_init(&one, 1024);
        for (uint64_t i = 0; i < ns[k]; i++)
            hy_uset_add(&one, item(i));
        for (int parts = 1; parts <= 5; parts++) {
            hy_uset p[5], fwd, rev;
            for (int j = 0; j < parts; j++)
                hy_uset_init(&p[j], 1024);
            for (uint64_t i = 0; i < ns[k]; i++)
                hy_uset_add(&p[item(i) % (uint64_t)parts], item(i));
            hy_uset_init(&fwd, 1024);
            hy_uset_init(&rev, 1024);
            for (int j = 0; j < parts; j++) {
                assert_int_equal(hy_uset_merge(&fwd, &p[j]), HY_OK);
                assert_int_equal(hy_uset_merge(&rev, &p[parts - 1 - j]), HY_OK);
            }
            assert_int_equal(hy_uset_count(&fwd), hy_uset_count(&one));
            assert_int_equal(hy_uset_count(&rev), hy_uset_count(&one));
            assert_int_equal(hy_uset_exact(&fwd), hy_uset_exact(&one));
            for (int j = 0; j < parts; j++)
                hy_uset_free(&p[j]);
            hy_uset_free(&fwd);
            hy_uset_free(&rev);
        }
        hy_uset_free(&one);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_below_cap),
        cmocka_unit_test(test_estimate_above_cap),
        cmocka_unit_test(test_merge_split_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
