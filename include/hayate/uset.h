/* hayate: a distinct-count set of 64-bit hashes: exact up to a cap, then a
 * HyperLogLog sketch (Flajolet et al. 2007, with the small-range linear
 * counting correction). Unions are exact set unions below the cap and
 * register maxima above it, so the result never depends on how the items
 * were split between sets or in which order sets are merged. */
#ifndef HAYATE_USET_H
#define HAYATE_USET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "map.h" /* hy_hash64: hash items with it */

#define HY_USET_HLL_P 12                    /* 4,096 registers: ~1.6 % error */
#define HY_USET_HLL_M (1u << HY_USET_HLL_P)

typedef struct hy_uset {
    uint64_t *items;   /* open addressing, 0 = empty (hash 0 is stored as 1) */
    uint32_t n, slots; /* slots: a power of two, or 0 */
    uint32_t cap;      /* exact up to this many items */
    uint8_t *regs;     /* HY_USET_HLL_M registers once past the cap */
} hy_uset;

/* An empty set, exact up to cap items (cap >= 1). */
void hy_uset_init(hy_uset *s, uint32_t cap);
void hy_uset_free(hy_uset *s);

/* Adds a hash (use a well-mixed 64-bit hash of the item). NOMEM leaves the
 * set as it was. */
hy_err hy_uset_add(hy_uset *s, uint64_t h);

/* Adds every item of src into dst (their caps may differ; dst's applies). */
hy_err hy_uset_merge(hy_uset *dst, const hy_uset *src);

/* The number of distinct items: exact while exact, else the estimate. */
uint64_t hy_uset_count(const hy_uset *s);

/* Whether the count is exact. */
bool hy_uset_exact(const hy_uset *s);

#endif
