/* hayate: bounded multi-producer single-consumer queue of pointers.
 * Producers block while it is full (backpressure for offline input) unless
 * they use hy_queue_try_push (live capture counts a drop instead). */
#ifndef HAYATE_QUEUE_H
#define HAYATE_QUEUE_H

#include <stddef.h>
#include "error.h"

typedef struct hy_queue hy_queue;

/* Creates a queue holding at most cap items (cap >= 1). */
hy_err hy_queue_create(size_t cap, hy_queue **out);

/* Frees the queue. Items still inside are not freed. NULL is ok. */
void hy_queue_destroy(hy_queue *q);

/* Closes the queue, hands every item still inside to free_item, then frees
 * the queue. NULL is ok. For teardown, when no other thread uses it. */
void hy_queue_destroy_items(hy_queue *q, void (*free_item)(void *));
/* Pushes, blocking while full. HY_ERR_CLOSED if the queue was closed. */
hy_err hy_queue_push(hy_queue *q, void *item);

/* Pushes without blocking. HY_ERR_AGAIN when full, HY_ERR_CLOSED if closed. */
hy_err hy_queue_try_push(hy_queue *q, void *item);

/* Pops, blocking while empty. HY_ERR_CLOSED once closed and drained. */
hy_err hy_queue_pop(hy_queue *q, void **item);

/* Pops without blocking: HY_ERR_AGAIN when empty, HY_ERR_CLOSED when closed
 * and drained. */
hy_err hy_queue_try_pop(hy_queue *q, void **item);

/* Closes: pushes fail from now on, pops drain what is left, then fail. */
void hy_queue_close(hy_queue *q);

/* Current number of items (a snapshot, for stats). */
size_t hy_queue_depth(hy_queue *q);

#endif
