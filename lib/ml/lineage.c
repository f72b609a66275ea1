/* Generated lineages: byte strings evolved down a random tree (see
 * hayate/lineage.h). Node 0 is the root; a node is created after its
 * parent, so one pass in creation order evolves every string. */
#include "hayate/lineage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LIN_MAX_EVENTS 1000000 /* per branch */
#define LIN_MIN_LEN 64         /* deletions stop here */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t x = (r->s += 0x9e3779b97f4a7c15ull);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Uniform in [0, n), n >= 1. */
static size_t rng_below(rng *r, size_t n)
{
    return (size_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

static double rng_unif(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

typedef struct seq {
    uint8_t *p;
    size_t len, cap;
} seq;

/* Words of 3..12 random bytes, vocab of them, packed: word w is
 * words[off[w]..off[w+1]). */
static hy_err make_ancestor(const hy_lineage_cfg *c, rng *r, seq *out)
{
    uint8_t *words = malloc(c->vocab * 12);
    size_t *off = malloc((c->vocab + 1) * sizeof *off);
    out->cap = 2 * c->ancestor_bytes;
    out->p = malloc(out->cap);
    if (!words || !off || !out->p) {
        free(words);
        free(off);
        return hy_err_set(HY_ERR_NOMEM, "lineage: out of memory");
    }
    off[0] = 0;
    for (size_t w = 0; w < c->vocab; w++) {
        size_t l = 3 + rng_below(r, 10);
        for (size_t i = 0; i < l; i++)
            words[off[w] + i] = (uint8_t)rng_next(r);
        off[w + 1] = off[w] + l;
    }
    out->len = 0;
    while (out->len < c->ancestor_bytes) {
        size_t w = rng_below(r, c->vocab), l = off[w + 1] - off[w];
        if (l > c->ancestor_bytes - out->len)
            l = c->ancestor_bytes - out->len;
        memcpy(out->p + out->len, words + off[w], l);
        out->len += l;
    }
    free(words);
    free(off);
    return HY_OK;
}

/* One event: substitution (40%), insertion, deletion, block move (20%
 * each). The string stays within [LIN_MIN_LEN, cap]. */
static void mutate_once(seq *s, rng *r, uint8_t *tmp)
{
    size_t kind = rng_below(r, 10), k;
    if (kind < 4) {
        k = 1 + rng_below(r, 8);
        if (k > s->len)
            return;
        size_t at = rng_below(r, s->len - k + 1);
        for (size_t i = 0; i < k; i++)
            s->p[at + i] = (uint8_t)rng_next(r);
    } else if (kind < 6) {
        k = 1 + rng_below(r, 32);
        if (s->len + k > s->cap)
            return;
        size_t at = rng_below(r, s->len + 1);
        memmove(s->p + at + k, s->p + at, s->len - at);
        for (size_t i = 0; i < k; i++)
            s->p[at + i] = (uint8_t)rng_next(r);
        s->len += k;
    } else if (kind < 8) {
        k = 1 + rng_below(r, 32);
        if (s->len < k + LIN_MIN_LEN)
            return;
        size_t at = rng_below(r, s->len - k + 1);
        memmove(s->p + at, s->p + at + k, s->len - at - k);
        s->len -= k;
    } else {
        k = 16 + rng_below(r, 241);
        if (s->len < 2 * k)
            return;
        size_t from = rng_below(r, s->len - k + 1);
        memcpy(tmp, s->p + from, k);
        memmove(s->p + from, s->p + from + k, s->len - from - k);
        size_t to = rng_below(r, s->len - k + 1);
        memmove(s->p + to + k, s->p + to, s->len - k - to);
        memcpy(s->p + to, tmp, k);
    }
}

/* Copy of parent evolved over a branch of length bl. */
static hy_err evolve(const seq *parent, double bl, double rate, rng *r, seq *child)
{
    uint8_t tmp[256];
    child->cap = parent->cap;
    child->len = parent->len;
    if (!(child->p = malloc(child->cap)))
        return hy_err_set(HY_ERR_NOMEM, "lineage: out of memory");
    memcpy(child->p, parent->p, parent->len);
    double want = rate * bl * (double)parent->len / 1024.0;
    size_t events = (size_t)fmin(floor(want), LIN_MAX_EVENTS);
    if (events < LIN_MAX_EVENTS && rng_unif(r) < want - floor(want))
        events++;
    for (size_t e = 0; e < events; e++)
        mutate_once(child, r, tmp);
    return HY_OK;
}

static hy_err check_cfg(const hy_lineage_cfg *c)
{
    if (c->leaves < 2 || c->leaves > HY_LINEAGE_MAX_LEAVES)
        return hy_err_set(HY_ERR_ARG, "lineage: %zu leaves (2..%u)", c->leaves,
                          HY_LINEAGE_MAX_LEAVES);
    if (c->ancestor_bytes < 64 || c->ancestor_bytes > HY_LINEAGE_MAX_BYTES ||
        (unsigned long long)c->leaves * c->ancestor_bytes > HY_LINEAGE_MAX_TOTAL)
        return hy_err_set(HY_ERR_ARG, "lineage: ancestor of %zu bytes (64..%u, and leaves x "
                          "bytes <= %llu)", c->ancestor_bytes, HY_LINEAGE_MAX_BYTES,
                          HY_LINEAGE_MAX_TOTAL);
    if (c->vocab < 1 || c->vocab > 65536)
        return hy_err_set(HY_ERR_ARG, "lineage: vocabulary of %zu words (1..65536)", c->vocab);
    if (!(c->rate >= 0 && c->rate <= 1000))
        return hy_err_set(HY_ERR_ARG, "lineage: rate %g (0..1000)", c->rate);
    if (!(c->min_branch > 0 && c->min_branch <= c->max_branch && c->max_branch <= 100))
        return hy_err_set(HY_ERR_ARG, "lineage: branches %g..%g (0 < min <= max <= 100)",
                          c->min_branch, c->max_branch);
    return HY_OK;
}

void hy_lineage_cfg_default(hy_lineage_cfg *cfg)
{
    if (!cfg)
        return;
    *cfg = (hy_lineage_cfg){.leaves = 64, .ancestor_bytes = 8192, .vocab = 64, .rate = 4,
                            .min_branch = 0.5, .max_branch = 1.5, .seed = 1};
}

void hy_lineage_free(hy_lineage *l)
{
    if (!l)
        return;
    for (size_t i = 0; l->data && i < l->n; i++)
        free(l->data[i]);
    free(l->data);
    free(l->len);
    hy_tree_free(l->tree);
    free(l);
}

typedef struct topo {
    size_t nodes;    /* 2L - 1, node 0 the root */
    size_t *parent;
    double *blen;    /* branch to the parent */
    uint32_t *label; /* tree id: sample index for tips, L.. for inner nodes */
    uint8_t *inner;
} topo;

/* Yule topology, branch lengths, and labels (tips shuffled). */
static hy_err make_topology(const hy_lineage_cfg *c, rng *r, topo *t)
{
    size_t L = c->leaves, nt = 1;
    t->nodes = 2 * L - 1;
    t->parent = malloc(t->nodes * sizeof *t->parent);
    t->blen = malloc(t->nodes * sizeof *t->blen);
    t->label = malloc(t->nodes * sizeof *t->label);
    t->inner = calloc(t->nodes, 1);
    size_t *tips = malloc(L * sizeof *tips);
    if (!t->parent || !t->blen || !t->label || !t->inner || !tips) {
        free(tips);
        return hy_err_set(HY_ERR_NOMEM, "lineage: out of memory");
    }
    tips[0] = 0;
    t->parent[0] = 0;
    t->blen[0] = 0;
    for (size_t v = 1; v < t->nodes; v += 2) {
        size_t pick = rng_below(r, nt), p = tips[pick];
        t->inner[p] = 1;
        for (size_t q = 0; q < 2; q++) {
            t->parent[v + q] = p;
            t->blen[v + q] = c->min_branch + (c->max_branch - c->min_branch) * rng_unif(r);
        }
        tips[pick] = v;
        tips[nt++] = v + 1;
    }
    /* Shuffled sample labels for the tips (Fisher-Yates). */
    for (size_t i = L - 1; i > 0; i--) {
        size_t k = rng_below(r, i + 1), x = tips[i];
        tips[i] = tips[k];
        tips[k] = x;
    }
    for (size_t i = 0; i < L; i++)
        t->label[tips[i]] = (uint32_t)i;
    uint32_t next = (uint32_t)L;
    for (size_t v = 1; v < t->nodes; v++)
        if (t->inner[v])
            t->label[v] = next++;
    free(tips);
    return HY_OK;
}

/* The unrooted true tree: the root's two branches merge into one edge. */
static hy_err true_tree(const topo *t, size_t L, hy_tree **out)
{
    hy_tree_edge *e = malloc(2 * L * sizeof *e);
    size_t ne = 0;
    if (!e)
        return hy_err_set(HY_ERR_NOMEM, "lineage: out of memory");
    /* Nodes 1 and 2 are the root's children (the first split). */
    e[ne++] = (hy_tree_edge){t->label[1], t->label[2], t->blen[1] + t->blen[2]};
    for (size_t v = 3; v < t->nodes; v++)
        e[ne++] = (hy_tree_edge){t->label[t->parent[v]], t->label[v], t->blen[v]};
    hy_err err = hy_tree_from_edges(L, e, ne, out);
    free(e);
    return err;
}

static hy_err evolve_all(const hy_lineage_cfg *c, rng *r, const topo *t, hy_lineage *l)
{
    seq *s = calloc(t->nodes, sizeof *s);
    hy_err err;
    if (!s)
        return hy_err_set(HY_ERR_NOMEM, "lineage: out of memory");
    if ((err = make_ancestor(c, r, &s[0])) != HY_OK)
        goto out;
    for (size_t v = 1; v < t->nodes && err == HY_OK; v++)
        err = evolve(&s[t->parent[v]], t->blen[v], c->rate, r, &s[v]);
    for (size_t v = 1; v < t->nodes && err == HY_OK; v++)
        if (!t->inner[v]) {
            l->data[t->label[v]] = s[v].p;
            l->len[t->label[v]] = s[v].len;
            s[v].p = NULL;
        }
out:
    for (size_t v = 0; v < t->nodes; v++)
        free(s[v].p);
    free(s);
    return err;
}

hy_err hy_lineage_generate(const hy_lineage_cfg *cfg, hy_lineage **out)
{
    if (!cfg || !out)
        return hy_err_set(HY_ERR_ARG, "lineage: NULL argument");
    *out = NULL;
    hy_err err = check_cfg(cfg);
    if (err != HY_OK)
        return err;
    rng r = {cfg->seed};
    topo t = {0};
    hy_lineage *l = calloc(1, sizeof *l);
    if (!l || !(l->data = calloc(cfg->leaves, sizeof *l->data)) ||
        !(l->len = calloc(cfg->leaves, sizeof *l->len))) {
        err = hy_err_set(HY_ERR_NOMEM, "lineage: out of memory");
        goto out;
    }
    l->n = cfg->leaves;
    if ((err = make_topology(cfg, &r, &t)) != HY_OK ||
        (err = true_tree(&t, cfg->leaves, &l->tree)) != HY_OK ||
        (err = evolve_all(cfg, &r, &t, l)) != HY_OK)
        goto out;
    *out = l;
    l = NULL;
out:
    hy_lineage_free(l);
    free(t.parent);
    free(t.blen);
    free(t.label);
    free(t.inner);
    return err;
}
