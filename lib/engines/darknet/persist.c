/* New persistent sources per port: which scanning sources keep coming back.
 *
 * Most of a telescope's background radiation comes from sources seen once
 * or twice; bots of a spreading worm scan their port minute after minute.
 * For each (source, port) pair seen scanning, a bit mask records the bins
 * of the last `window` in which it was seen; the pair counts towards the
 * port's persistent sources in a bin when it was seen in that bin and in at
 * least min_bins of the window, and was first seen less than new_bins bins
 * ago: the port's long-present scanners (endemic bots on telnet) are not
 * news, the bots of an outbreak are. A pair unseen for a whole window is
 * stale: it starts over if it comes back, and its slot is reused.
 *
 * The pairs live inline in one open-addressing table (linear probing, no
 * allocation per pair: most pairs are one-off background); stale slots are
 * reused on insertion and dropped when the table is rebuilt, so memory
 * follows the pairs active in the last window, capped by max_pairs (past
 * it, new pairs are not tracked). The counts depend only on the merged
 * bins, not on how they were split over shards. */
#include "darknet_int.h"

#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 1024
#define PAIR_SEED 0x7065727369737421ull /* "persist!" */

typedef struct pair_key {
    dn_addr addr;
    uint8_t proto, port_hi, port_lo;
} pair_key;

typedef struct pair {
    pair_key k;
    uint32_t mask; /* bit i: seen in bin last - i; 0: empty slot */
    uint64_t born; /* first bin seen since it was last stale */
    uint64_t last; /* last bin seen */
} pair;

struct dn_persist {
    dn_persist_cfg cfg;
    pair *slots;
    size_t nslots;     /* a power of two */
    size_t used;       /* non-empty slots, stale ones included */
};

hy_err dn_persist_create(const dn_persist_cfg *cfg, dn_persist **out)
{
    dn_persist *p;
    if (cfg->window < 1 || cfg->window > 32 || cfg->min_bins < 1 || cfg->min_bins > cfg->window)
        return hy_err_set(HY_ERR_CONFIG, "darknet: persistence needs 1 <= bins <= window <= 32");
    if (!(p = calloc(1, sizeof *p)) || !(p->slots = calloc(MIN_SLOTS, sizeof *p->slots))) {
        free(p);
        return HY_ERR_NOMEM;
    }
    p->cfg = *cfg;
    p->nslots = MIN_SLOTS;
    *out = p;
    return HY_OK;
}

void dn_persist_destroy(dn_persist *p)
{
    if (!p)
        return;
    free(p->slots);
    free(p);
}

static bool stale(const dn_persist *p, const pair *e, uint64_t index)
{
    return index - e->last >= p->cfg.window;
}

static size_t home(const dn_persist *p, const pair_key *k)
{
    return (size_t)hy_hash64(k, sizeof *k, PAIR_SEED) & (p->nslots - 1);
}

/* Rehashes the live pairs into a table with room for `extra` more at
 * <= 35 % load (not past max_pairs' worth). On allocation failure the old
 * table stays. */
static hy_err rebuild(dn_persist *p, uint64_t index, size_t extra)
{
    size_t live = 0, n = MIN_SLOTS, on = p->nslots;
    for (size_t i = 0; i < on; i++)
        live += p->slots[i].mask && !stale(p, &p->slots[i], index);
    size_t need = live + extra < p->cfg.max_pairs ? live + extra : p->cfg.max_pairs;
    while (n * 7 < need * 20) /* <= 35 %: several bins before the next */
        n *= 2;
    pair *old = p->slots, *v = calloc(n, sizeof *v);
    if (!v)
        return HY_ERR_NOMEM;
    p->slots = v;
    p->nslots = n;
    p->used = live;
    for (size_t i = 0; i < on; i++) {
        if (!old[i].mask || stale(p, &old[i], index))
            continue;
        size_t j = home(p, &old[i].k);
        while (v[j].mask)
            j = (j + 1) & (n - 1);
        v[j] = old[i];
    }
    free(old);
    return HY_OK;
}

/* The pair's slot: found (live, or stale and started over), or a new one;
 * NULL when the table is at max_pairs. */
static pair *slot_of(dn_persist *p, const pair_key *k, uint64_t index)
{
    size_t i = home(p, k), reuse = SIZE_MAX;
    for (;; i = (i + 1) & (p->nslots - 1)) {
        pair *e = &p->slots[i];
        if (!e->mask)
            break;
        if (memcmp(&e->k, k, sizeof *k) == 0) {
            if (stale(p, e, index))
                *e = (pair){.k = *k, .born = index, .last = index};
            return e;
        }
        if (reuse == SIZE_MAX && stale(p, e, index))
            reuse = i;
    }
    if (reuse == SIZE_MAX) { /* a new slot: the table never fills past 90 % */
        if (p->used >= p->cfg.max_pairs || (p->used + 1) * 10 > p->nslots * 9)
            return NULL;
        reuse = i;
        p->used++;
    }
    p->slots[reuse] = (pair){.k = *k, .born = index, .last = index};
    return &p->slots[reuse];
}

typedef struct add_ctx {
    dn_persist *p;
    uint64_t index;
    uint32_t *hits; /* proto << 16 | port of each persistent pair */
    size_t n, cap;
    hy_err rc;
} add_ctx;

/* Marks one pair seen in this bin; whether it is persistent now. */
static bool see(add_ctx *c, const dn_addr *addr, uint32_t pv)
{
    pair_key k = {.addr = *addr, .proto = (uint8_t)(pv >> 16), .port_hi = (uint8_t)(pv >> 8),
                  .port_lo = (uint8_t)pv};
    const dn_persist_cfg *cfg = &c->p->cfg;
    uint32_t wmask = cfg->window == 32 ? UINT32_MAX : (1u << cfg->window) - 1;
    pair *e = slot_of(c->p, &k, c->index);
    if (!e)
        return false; /* full: not tracked */
    uint64_t gap = c->index - e->last;
    e->mask = (gap >= 32 ? 0 : e->mask << gap) | 1;
    e->last = c->index;
    return (uint32_t)__builtin_popcount(e->mask & wmask) >= cfg->min_bins &&
           (!cfg->new_bins || c->index - e->born < cfg->new_bins);
}

/* Whether a source's (source, port) pairs are tracked: it scanned, and
 * fewer than DN_KMV ports (not a sweep). */
static bool tracked(const dn_src_agg *s)
{
    return s->scan_packets && s->nports < DN_KMV;
}

static int count_pairs(const void *key, size_t klen, void *value, void *ud)
{
    const dn_src_agg *s = value;
    (void)key;
    (void)klen;
    *(size_t *)ud += tracked(s) ? s->nports : 0;
    return 0;
}

static int add_src(const void *key, size_t klen, void *value, void *ud)
{
    add_ctx *c = ud;
    const dn_src_agg *s = value;
    (void)key;
    (void)klen;
    if (!tracked(s))
        return 0;
    for (uint32_t i = 0; i < s->nports; i++) {
        if (!see(c, &s->addr, s->port_v[i]))
            continue;
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 256;
            uint32_t *v = realloc(c->hits, cap * sizeof *v);
            if (!v) {
                c->rc = HY_ERR_NOMEM;
                return 1;
            }
            c->hits = v;
            c->cap = cap;
        }
        c->hits[c->n++] = s->port_v[i];
    }
    return 0;
}

hy_err dn_persist_bin(dn_persist *p, const dn_bin *b, dn_count **out, size_t *n)
{
    add_ctx c = {.p = p, .index = b->index};
    hy_err rc;

    *out = NULL;
    *n = 0;
    /* room for this bin's pairs at <= 70 % load: only max_pairs refuses one */
    size_t add = 0;
    hy_map_each(b->srcs, count_pairs, &add);
    if ((p->used + add) * 10 > p->nslots * 7 && (rc = rebuild(p, b->index, add)) != HY_OK)
        return rc;
    hy_map_each(b->srcs, add_src, &c);
    if (c.rc == HY_OK)
        c.rc = dn_count_ports(c.hits, c.n, out, n);
    free(c.hits);
    return c.rc;
}
