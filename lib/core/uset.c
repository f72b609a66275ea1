/* Distinct counting: an exact open-addressing set of hashes that turns into
 * a HyperLogLog sketch past its cap. */
#include "hayate/uset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hy_uset_init(hy_uset *s, uint32_t cap)
{
    memset(s, 0, sizeof *s);
    s->cap = cap ? cap : 1;
}

void hy_uset_free(hy_uset *s)
{
    free(s->items);
    free(s->regs);
    s->items = NULL;
    s->regs = NULL;
    s->n = s->slots = 0;
}

bool hy_uset_exact(const hy_uset *s)
{
    return !s->regs;
}

/* Register update: the bucket from the top P bits, the rank from the rest. */
static void hll_add(uint8_t *regs, uint64_t h)
{
    uint32_t idx = (uint32_t)(h >> (64 - HY_USET_HLL_P));
    uint64_t rest = h << HY_USET_HLL_P;
    uint8_t rank = rest ? (uint8_t)(__builtin_clzll(rest) + 1) : (uint8_t)(64 - HY_USET_HLL_P + 1);
    if (rank > regs[idx])
        regs[idx] = rank;
}

/* Switches to the sketch, feeding it every exact item. */
static hy_err to_hll(hy_uset *s)
{
    uint8_t *regs = calloc(HY_USET_HLL_M, 1);
    if (!regs)
        return HY_ERR_NOMEM;
    for (uint32_t i = 0; i < s->slots; i++)
        if (s->items[i])
            hll_add(regs, s->items[i]);
    free(s->items);
    s->items = NULL;
    s->n = s->slots = 0;
    s->regs = regs;
    return HY_OK;
}

static bool insert(uint64_t *items, uint32_t slots, uint64_t h)
{
    for (uint32_t i = (uint32_t)h & (slots - 1);; i = (i + 1) & (slots - 1)) {
        if (items[i] == h)
            return false;
        if (!items[i]) {
            items[i] = h;
            return true;
        }
    }
}

/* Doubles the table (load stays under 1/2). */
static hy_err grow(hy_uset *s)
{
    uint32_t ns = s->slots ? s->slots * 2 : 16;
    uint64_t *ni = calloc(ns, sizeof *ni);
    if (!ni)
        return HY_ERR_NOMEM;
    for (uint32_t i = 0; i < s->slots; i++)
        if (s->items[i])
            insert(ni, ns, s->items[i]);
    free(s->items);
    s->items = ni;
    s->slots = ns;
    return HY_OK;
}

hy_err hy_uset_add(hy_uset *s, uint64_t h)
{
    hy_err rc;
    if (s->regs) {
        hll_add(s->regs, h);
        return HY_OK;
    }
    h = h ? h : 1;
    if (2 * (s->n + 1) > s->slots && (rc = grow(s)) != HY_OK)
        return rc;
    if (!insert(s->items, s->slots, h))
        return HY_OK;
    if (++s->n > s->cap)
        return to_hll(s);
    return HY_OK;
}

hy_err hy_uset_merge(hy_uset *dst, const hy_uset *src)
{
    hy_err rc;
    if (src->regs) {
        if (!dst->regs && (rc = to_hll(dst)) != HY_OK)
            return rc;
        for (uint32_t i = 0; i < HY_USET_HLL_M; i++)
            if (src->regs[i] > dst->regs[i])
                dst->regs[i] = src->regs[i];
        return HY_OK;
    }
    for (uint32_t i = 0; i < src->slots; i++)
        if (src->items[i] && (rc = hy_uset_add(dst, src->items[i])) != HY_OK)
            return rc;
    return HY_OK;
}

uint64_t hy_uset_count(const hy_uset *s)
{
    double m = HY_USET_HLL_M, sum = 0, est;
    uint32_t zeros = 0;
    if (!s->regs)
        return s->n;
    for (uint32_t i = 0; i < HY_USET_HLL_M; i++) {
        sum += ldexp(1.0, -s->regs[i]);
        zeros += s->regs[i] == 0;
    }
    est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (est <= 2.5 * m && zeros) /* small range: linear counting */
        est = m * log(m / zeros);
    return (uint64_t)(est + 0.5);
}
