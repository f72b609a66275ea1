/* Bounded MPSC queue: a ring of pointers under one mutex, with one condition
 * variable for "not empty" (the consumer waits) and one for "not full"
 * (producers wait). Closing wakes everyone. */
#include "hayate/queue.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

struct hy_queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    void **ring;
    size_t cap;
    size_t head; /* next pop */
    size_t count;
    bool closed;
};

hy_err hy_queue_create(size_t cap, hy_queue **out)
{
    hy_queue *q;

    if (cap < 1 || cap > SIZE_MAX / sizeof(void *))
        return hy_err_set(HY_ERR_ARG, "queue: bad capacity %zu", cap);
    q = calloc(1, sizeof *q);
    if (!q)
        return hy_err_set(HY_ERR_NOMEM, "queue: out of memory");
    q->ring = calloc(cap, sizeof *q->ring);
    if (!q->ring) {
        free(q);
        return hy_err_set(HY_ERR_NOMEM, "queue: out of memory");
    }
    q->cap = cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    *out = q;
    return HY_OK;
}

void hy_queue_destroy(hy_queue *q)
{
    if (!q)
        return;
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->mu);
    free(q->ring);
    free(q);
}

/* With the lock held and room available. */
static void put_locked(hy_queue *q, void *item)
{
    q->ring[(q->head + q->count) % q->cap] = item;
    q->count++;
    pthread_cond_signal(&q->not_empty);
}

/* With the lock held and an item available. */
static void *take_locked(hy_queue *q)
{
    void *item = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    pthread_cond_signal(&q->not_full);
    return item;
}

hy_err hy_queue_push(hy_queue *q, void *item)
{
    hy_err err = HY_OK;

    pthread_mutex_lock(&q->mu);
    while (q->count == q->cap && !q->closed)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->closed)
        err = HY_ERR_CLOSED;
    else
        put_locked(q, item);
    pthread_mutex_unlock(&q->mu);
    return err;
}

hy_err hy_queue_try_push(hy_queue *q, void *item)
{
    hy_err err = HY_OK;

    pthread_mutex_lock(&q->mu);
    if (q->closed)
        err = HY_ERR_CLOSED;
    else if (q->count == q->cap)
        err = HY_ERR_AGAIN;
    else
        put_locked(q, item);
    pthread_mutex_unlock(&q->mu);
    return err;
}

hy_err hy_queue_pop(hy_queue *q, void **item)
{
    hy_err err = HY_OK;

    pthread_mutex_lock(&q->mu);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->mu);
    if (q->count)
        *item = take_locked(q);
    else
        err = HY_ERR_CLOSED;
    pthread_mutex_unlock(&q->mu);
    return err;
}

hy_err hy_queue_try_pop(hy_queue *q, void **item)
{
    hy_err err = HY_OK;

    pthread_mutex_lock(&q->mu);
    if (q->count)
        *item = take_locked(q);
    else
        err = q->closed ? HY_ERR_CLOSED : HY_ERR_AGAIN;
    pthread_mutex_unlock(&q->mu);
    return err;
}

void hy_queue_destroy_items(hy_queue *q, void (*free_item)(void *))
{
    void *item;
    if (!q)
        return;
    hy_queue_close(q);
    while (hy_queue_pop(q, &item) == HY_OK)
        free_item(item);
    hy_queue_destroy(q);
}

void hy_queue_close(hy_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

size_t hy_queue_depth(hy_queue *q)
{
    size_t n;

    pthread_mutex_lock(&q->mu);
    n = q->count;
    pthread_mutex_unlock(&q->mu);
    return n;
}
