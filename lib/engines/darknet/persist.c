/* New persistent sources per port: which scanning sources keep coming back.
 *
 * Most of a telescope's background radiation comes from sources seen once
 * or twice; bots of a spreading worm scan their port minute after minute.
 * For each (source, port) pair seen scanning, a bit mask records the bins
 * of the last `window` in which it was seen; the pair counts towards the
 * port's persistent sources in a bin when it was seen in that bin and in at
 * least min_bins of the window, and was first seen less than new_bins bins
 * ago: the port's long-present scanners (endemic bots on telnet) are not
 * news, the bots of an outbreak are. Pairs unseen for a whole window are swept
 * out, so memory follows the sources active in the last window (capped by
 * max_pairs: past it, new pairs are not tracked). The counts depend only on
 * the merged bins, not on how they were split over shards. */
#include "darknet_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct pair_key {
    dn_addr addr;
    uint8_t proto, port_hi, port_lo;
} pair_key;

typedef struct pair {
    uint64_t born; /* first bin seen (since last swept out) */
    uint64_t last; /* last bin seen */
    uint32_t mask; /* bit i: seen in bin last - i */
} pair;

struct dn_persist {
    dn_persist_cfg cfg;
    hy_map *pairs;     /* pair_key -> pair */
    uint64_t swept;    /* bin of the last sweep */
    bool started;
};

hy_err dn_persist_create(const dn_persist_cfg *cfg, dn_persist **out)
{
    dn_persist *p;
    hy_err rc;
    if (cfg->window < 1 || cfg->window > 32 || cfg->min_bins < 1 || cfg->min_bins > cfg->window)
        return hy_err_set(HY_ERR_CONFIG, "darknet: persistence needs 1 <= bins <= window <= 32");
    if (!(p = calloc(1, sizeof *p)))
        return HY_ERR_NOMEM;
    p->cfg = *cfg;
    if ((rc = hy_map_create(cfg->max_pairs, free, &p->pairs)) != HY_OK) {
        free(p);
        return rc;
    }
    *out = p;
    return HY_OK;
}

void dn_persist_destroy(dn_persist *p)
{
    if (!p)
        return;
    hy_map_destroy(p->pairs);
    free(p);
}

typedef struct add_ctx {
    dn_persist *p;
    uint64_t index;
    uint32_t *hits; /* proto << 16 | port of each persistent pair */
    size_t n, cap;
    hy_err rc;
} add_ctx;

/* Marks one pair seen in this bin; whether it is persistent now. */
static hy_err see(add_ctx *c, const dn_addr *addr, uint32_t pv, bool *persistent)
{
    pair_key k = {.addr = *addr, .proto = (uint8_t)(pv >> 16), .port_hi = (uint8_t)(pv >> 8),
                  .port_lo = (uint8_t)pv};
    pair *e = hy_map_get(c->p->pairs, &k, sizeof k);
    uint32_t wmask = c->p->cfg.window == 32 ? UINT32_MAX : (1u << c->p->cfg.window) - 1;
    hy_err rc;
    *persistent = false;
    if (!e) {
        if (!(e = calloc(1, sizeof *e)))
            return HY_ERR_NOMEM;
        if ((rc = hy_map_put(c->p->pairs, &k, sizeof k, e)) != HY_OK) {
            free(e);
            return rc == HY_ERR_TOOBIG ? HY_OK : rc; /* full: not tracked */
        }
        e->born = e->last = c->index;
    }
    uint64_t gap = c->index - e->last;
    e->mask = (gap >= 32 ? 0 : e->mask << gap) | 1;
    e->last = c->index;
    *persistent = (uint32_t)__builtin_popcount(e->mask & wmask) >= c->p->cfg.min_bins &&
                  (!c->p->cfg.new_bins || c->index - e->born < c->p->cfg.new_bins);
    return HY_OK;
}

static int add_src(const void *key, size_t klen, void *value, void *ud)
{
    add_ctx *c = ud;
    const dn_src_agg *s = value;
    (void)key;
    (void)klen;
    if (!s->scan_packets || s->nports >= DN_KMV)
        return 0;
    for (uint32_t i = 0; i < s->nports; i++) {
        bool persistent;
        if ((c->rc = see(c, &s->addr, s->port_v[i], &persistent)) != HY_OK)
            return 1;
        if (!persistent)
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

typedef struct sweep_ctx {
    uint64_t before;
    pair_key *keys;
    size_t n, cap;
} sweep_ctx;

static int find_old(const void *key, size_t klen, void *value, void *ud)
{
    sweep_ctx *c = ud;
    const pair *e = value;
    (void)klen;
    if (e->last < c->before && c->n < c->cap)
        memcpy(&c->keys[c->n++], key, sizeof *c->keys);
    return 0;
}

/* Drops the pairs not seen in the last window bins (once per window). */
static hy_err sweep(dn_persist *p, uint64_t index)
{
    sweep_ctx c = {.before = index - p->cfg.window + 1, .cap = hy_map_count(p->pairs)};
    if (index - p->swept < p->cfg.window || index < p->cfg.window)
        return HY_OK;
    p->swept = index;
    if (!(c.keys = malloc((c.cap + 1) * sizeof *c.keys)))
        return HY_ERR_NOMEM;
    hy_map_each(p->pairs, find_old, &c);
    for (size_t i = 0; i < c.n; i++)
        hy_map_del(p->pairs, &c.keys[i], sizeof c.keys[i]);
    free(c.keys);
    return HY_OK;
}

hy_err dn_persist_bin(dn_persist *p, const dn_bin *b, dn_count **out, size_t *n)
{
    add_ctx c = {.p = p, .index = b->index};
    hy_err rc;

    *out = NULL;
    *n = 0;
    if (!p->started) {
        p->started = true;
        p->swept = b->index;
    }
    if ((rc = sweep(p, b->index)) != HY_OK)
        return rc;
    hy_map_each(b->srcs, add_src, &c);
    if (c.rc == HY_OK)
        c.rc = dn_count_ports(c.hits, c.n, out, n);
    free(c.hits);
    return c.rc;
}
