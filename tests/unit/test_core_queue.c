/* hy_queue and hy_thread: many producers (every item once, each producer's
 * items in order), backpressure, close semantics, the non-blocking calls. */
#include "testutil.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hayate/queue.h"
#include "hayate/thread.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

enum { PRODUCERS = 6, PER_PRODUCER = 20000 };

struct producer {
    hy_queue *q;
    uintptr_t id;
};

/* Items are (id << 24 | seq) + 1 so none is NULL. */
static void *produce(void *arg)
{
    struct producer *p = arg;
    for (uintptr_t s = 0; s < PER_PRODUCER; s++) {
        if (hy_queue_push(p->q, (void *)((p->id << 24 | s) + 1)) != HY_OK)
            return (void *)1;
    }
    return NULL;
}

static void test_mpsc_order(void **state)
{
    hy_queue *q;
    hy_thread *t[PRODUCERS];
    struct producer p[PRODUCERS];
    uintptr_t next[PRODUCERS] = {0};
    size_t got = 0, max_depth = 0;

    assert_int_equal(hy_queue_create(8, &q), HY_OK);
    for (uintptr_t i = 0; i < PRODUCERS; i++) {
        p[i] = (struct producer){q, i};
        assert_int_equal(hy_thread_start("hy-test-producer-long-name", produce, &p[i], &t[i]),
                         HY_OK);
    }
    while (got < PRODUCERS * PER_PRODUCER) {
        void *item;
        size_t d = hy_queue_depth(q);
        max_depth = d > max_depth ? d : max_depth;
        assert_int_equal(hy_queue_pop(q, &item), HY_OK);
        uintptr_t v = (uintptr_t)item - 1, id = v >> 24, seq = v & 0xffffff;
        assert_true(id < PRODUCERS);
        assert_int_equal(seq, next[id]); /* in order, none lost, none twice */
        next[id]++;
        got++;
    }
    for (int i = 0; i < PRODUCERS; i++) {
        void *ret = (void *)42;
        assert_int_equal(hy_thread_join(t[i], &ret), HY_OK);
        assert_null(ret);
        assert_int_equal(next[i], PER_PRODUCER);
    }
    assert_true(max_depth <= 8);
    void *item;
    assert_int_equal(hy_queue_try_pop(q, &item), HY_ERR_AGAIN);
    hy_queue_destroy(q);
}

struct blocker {
    hy_queue *q;
    void *item;
    atomic_int done;
    hy_err err;
};

static void *push_one(void *arg)
{
    struct blocker *b = arg;
    b->err = hy_queue_push(b->q, b->item);
    atomic_store(&b->done, 1);
    return NULL;
}

static void *pop_one(void *arg)
{
    struct blocker *b = arg;
    b->err = hy_queue_pop(b->q, &b->item);
    atomic_store(&b->done, 1);
    return NULL;
}

static void test_backpressure(void **state)
{
    hy_queue *q;
    hy_thread *t;
    struct blocker b = {.item = (void *)3};
    void *item;

    assert_int_equal(hy_queue_create(2, &q), HY_OK);
    b.q = q;
    assert_int_equal(hy_queue_push(q, (void *)1), HY_OK);
    assert_int_equal(hy_queue_push(q, (void *)2), HY_OK);
    assert_int_equal(hy_queue_try_push(q, (void *)9), HY_ERR_AGAIN);
    assert_int_equal(hy_thread_start("pusher", push_one, &b, &t), HY_OK);
    sleep_ms(100);
    assert_int_equal(atomic_load(&b.done), 0); /* blocked while full */
    assert_int_equal(hy_queue_depth(q), 2);
    assert_int_equal(hy_queue_pop(q, &item), HY_OK);
    assert_ptr_equal(item, (void *)1);
    assert_int_equal(hy_thread_join(t, NULL), HY_OK); /* now it got through */
    assert_int_equal(b.err, HY_OK);
    assert_int_equal(hy_queue_pop(q, &item), HY_OK);
    assert_ptr_equal(item, (void *)2);
    assert_int_equal(hy_queue_pop(q, &item), HY_OK);
    assert_ptr_equal(item, (void *)3);
    hy_queue_destroy(q);
}

static void test_close_wakes_blocked_pusher(void **state)
{
    hy_queue *q;
    hy_thread *t;
    struct blocker b = {.item = (void *)2};
    void *item;

    assert_int_equal(hy_queue_create(1, &q), HY_OK);
    b.q = q;
    assert_int_equal(hy_queue_push(q, (void *)1), HY_OK);
    assert_int_equal(hy_thread_start("pusher", push_one, &b, &t), HY_OK);
    sleep_ms(50);
    hy_queue_close(q);
    assert_int_equal(hy_thread_join(t, NULL), HY_OK);
    assert_int_equal(b.err, HY_ERR_CLOSED);
    /* what was inside drains, then pops fail */
    assert_int_equal(hy_queue_pop(q, &item), HY_OK);
    assert_ptr_equal(item, (void *)1);
    assert_int_equal(hy_queue_pop(q, &item), HY_ERR_CLOSED);
    assert_int_equal(hy_queue_try_pop(q, &item), HY_ERR_CLOSED);
    hy_queue_destroy(q);
}

static void test_close_wakes_blocked_consumer(void **state)
{
    hy_queue *q;
    hy_thread *t;
    struct blocker b = {0};

    assert_int_equal(hy_queue_create(4, &q), HY_OK);
    b.q = q;
    assert_int_equal(hy_thread_start("popper", pop_one, &b, &t), HY_OK);
    sleep_ms(50);
    assert_int_equal(atomic_load(&b.done), 0);
    hy_queue_close(q);
    assert_int_equal(hy_thread_join(t, NULL), HY_OK);
    assert_int_equal(b.err, HY_ERR_CLOSED);
    hy_queue_destroy(q);
}

static void test_closed_semantics(void **state)
{
    hy_queue *q;
    void *item = NULL;

    assert_int_equal(hy_queue_create(3, &q), HY_OK);
    assert_int_equal(hy_queue_try_pop(q, &item), HY_ERR_AGAIN);
    assert_int_equal(hy_queue_try_push(q, (void *)1), HY_OK);
    assert_int_equal(hy_queue_push(q, (void *)2), HY_OK);
    hy_queue_close(q);
    hy_queue_close(q); /* idempotent */
    assert_int_equal(hy_queue_push(q, (void *)3), HY_ERR_CLOSED);
    assert_int_equal(hy_queue_try_push(q, (void *)3), HY_ERR_CLOSED);
    assert_int_equal(hy_queue_depth(q), 2);
    assert_int_equal(hy_queue_try_pop(q, &item), HY_OK);
    assert_ptr_equal(item, (void *)1);
    assert_int_equal(hy_queue_pop(q, &item), HY_OK);
    assert_ptr_equal(item, (void *)2);
    assert_int_equal(hy_queue_pop(q, &item), HY_ERR_CLOSED);
    assert_int_equal(hy_queue_depth(q), 0);
    hy_queue_destroy(q);
    hy_queue_destroy(NULL);
}

static void test_ring_wraps(void **state)
{
    hy_queue *q;
    void *item;
    assert_int_equal(hy_queue_create(3, &q), HY_OK);
    for (uintptr_t i = 1; i < 100; i++) {
        assert_int_equal(hy_queue_try_push(q, (void *)i), HY_OK);
        if (i % 2 == 0) {
            assert_int_equal(hy_queue_try_pop(q, &item), HY_OK);
            assert_ptr_equal(item, (void *)(i - 1));
            assert_int_equal(hy_queue_try_pop(q, &item), HY_OK);
            assert_ptr_equal(item, (void *)i);
        }
    }
    hy_queue_destroy(q);
}

static int g_freed[8];
static void count_free(void *item)
{
    g_freed[*(int *)item]++;
}

/* hy_queue_destroy_items hands every item left inside to the free
 * function once, wraps included, and takes NULL. */
static void test_destroy_items(void **state)
{
    static int ids[] = {0, 1, 2, 3, 4, 5, 6, 7};
    void *item;
    hy_queue *q;
    (void)state;
    assert_int_equal(hy_queue_create(4, &q), HY_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(hy_queue_push(q, &ids[i]), HY_OK);
    assert_int_equal(hy_queue_pop(q, &item), HY_OK); /* 0 leaves, 4 wraps */
    assert_int_equal(hy_queue_pop(q, &item), HY_OK); /* 1 leaves */
    assert_int_equal(hy_queue_push(q, &ids[4]), HY_OK);
    memset(g_freed, 0, sizeof g_freed);
    hy_queue_destroy_items(q, count_free);
    assert_int_equal(g_freed[0] + g_freed[1], 0);
    for (int i = 2; i <= 4; i++)
        assert_int_equal(g_freed[i], 1);
    hy_queue_destroy_items(NULL, count_free);
}

static void test_create_args(void **state)
{
    hy_queue *q = NULL;
    assert_int_equal(hy_queue_create(0, &q), HY_ERR_ARG);
    assert_null(q);
}

static void *ret_arg(void *arg)
{
    return arg;
}

static void test_thread_and_cpus(void **state)
{
    hy_thread *t;
    void *ret = NULL;
    int x;
    assert_int_equal(hy_thread_start(NULL, ret_arg, &x, &t), HY_OK);
    assert_int_equal(hy_thread_join(t, &ret), HY_OK);
    assert_ptr_equal(ret, &x);
    assert_int_equal(hy_thread_start("x", NULL, NULL, &t), HY_ERR_ARG);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    assert_true(hy_cpu_count() >= 1);
    assert_int_equal(hy_cpu_count(), n < 1 ? 1 : n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mpsc_order),
        cmocka_unit_test(test_backpressure),
        cmocka_unit_test(test_close_wakes_blocked_pusher),
        cmocka_unit_test(test_close_wakes_blocked_consumer),
        cmocka_unit_test(test_closed_semantics),
        cmocka_unit_test(test_ring_wraps),
        cmocka_unit_test(test_create_args),
        cmocka_unit_test(test_destroy_items),
        cmocka_unit_test(test_thread_and_cpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
