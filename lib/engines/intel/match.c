/* intel.match, aggregated (docs/intel.md, "The hybrid link"). A
 * known-bad address seen in one flow is seen in thousands (a scanner, a
 * beaconing implant), and an alert per flow would bury everything else. So
 * shard instances only count: per (indicator, direction) the flows,
 * packets, bytes, first and last time, and the first flow as an example.
 * Each tick the counts go to the global instance, which sums them (sums and
 * minima: the same whatever the number of shards) and raises one alert per
 * indicator and direction when it was not alerted within the last
 * intel.match_window_s; flows in between are counted and reported with the
 * next alert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/intel/intel_int.h"
#include "hayate/engine.h"
#include "hayate/map.h"

#define MATCH_MAX 100000u /* distinct (indicator, direction) pending per tick */

struct in_matches {
    hy_map *pending;   /* key -> in_agg */
    hy_map *last;      /* global: key -> in_seen */
    uint64_t window_ns;
    uint64_t dropped;  /* matches past MATCH_MAX (counted, not aggregated) */
};

typedef struct in_seen {
    uint64_t alerted_ns; /* the last alert's time */
    uint64_t suppressed; /* flows since then not alerted */
} in_seen;

static void agg_free(void *p)
{
    in_agg *a = p;
    if (!a)
        return;
    free(a->key);
    free(a->value);
    for (size_t i = 0; i < HY_IOC_MATCH_MAX_REPORTS; i++)
        free(a->reports[i]);
    free(a);
}

hy_err in_matches_create(uint64_t window_ns, bool global, in_matches **out)
{
    in_matches *m = calloc(1, sizeof *m);
    hy_err rc;
    *out = NULL;
    if (!m)
        return HY_ERR_NOMEM;
    m->window_ns = window_ns;
    if ((rc = hy_map_create(MATCH_MAX, NULL, &m->pending)) != HY_OK ||
        (global && (rc = hy_map_create(0, free, &m->last)) != HY_OK)) {
        in_matches_destroy(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

static int free_each(const void *k, size_t kl, void *v, void *ud)
{
    (void)k, (void)kl, (void)ud;
    agg_free(v);
    return 0;
}

void in_matches_destroy(in_matches *m)
{
    if (!m)
        return;
    if (m->pending)
        hy_map_each(m->pending, free_each, NULL);
    hy_map_destroy(m->pending);
    hy_map_destroy(m->last);
    free(m);
}

static bool earlier(const hy_flow *a, const hy_flow *b)
{
    return a->first_ns != b->first_ns ? a->first_ns < b->first_ns : a->first_seq < b->first_seq;
}

/* Adds src's counts into dst (same key). */
static void merge(in_agg *dst, const in_agg *src)
{
    dst->first_ns = src->first_ns < dst->first_ns ? src->first_ns : dst->first_ns;
    dst->last_ns = src->last_ns > dst->last_ns ? src->last_ns : dst->last_ns;
    dst->flows += src->flows;
    dst->packets += src->packets;
    dst->bytes += src->bytes;
    if (earlier(&src->example, &dst->example))
        dst->example = src->example;
}

static hy_err new_agg(const char *key, const hy_ioc_hit *h, bool to, in_agg **out)
{
    in_agg *a = calloc(1, sizeof *a);
    bool ok = a && (a->key = strdup(key)) && (a->value = strdup(h->value));
    for (size_t i = 0; ok && i < h->nreports && i < HY_IOC_MATCH_MAX_REPORTS; i++)
        ok = (a->reports[i] = strdup(h->reports[i])) != NULL;
    if (!ok) {
        agg_free(a);
        return HY_ERR_NOMEM;
    }
    a->type = h->type;
    a->to = to;
    a->nreports = h->nreports;
    *out = a;
    return HY_OK;
}

/* Counts flow f under the hit h (shard side). */
static hy_err count(in_matches *m, const hy_flow *f, const hy_ioc_hit *h, bool to)
{
    char key[HY_IOC_MAX_VALUE + 40];
    in_agg *a;
    hy_err rc;
    snprintf(key, sizeof key, "%c%s|%s", to ? '>' : '<', hy_ioc_type_name(h->type), h->value);
    if (!(a = hy_map_get(m->pending, key, strlen(key)))) {
        if ((rc = new_agg(key, h, to, &a)) != HY_OK)
            return rc;
        if ((rc = hy_map_put(m->pending, key, strlen(key), a)) != HY_OK) {
            agg_free(a);
            m->dropped += rc == HY_ERR_TOOBIG;
            return rc == HY_ERR_TOOBIG ? HY_OK : rc;
        }
        a->first_ns = f->first_ns;
        a->example = *f;
    }
    in_agg one = {.first_ns = f->first_ns, .last_ns = f->last_ns, .flows = 1,
                  .packets = f->dir[0].pkts + f->dir[1].pkts,
                  .bytes = f->dir[0].bytes + f->dir[1].bytes, .example = *f};
    merge(a, &one);
    return HY_OK;
}

hy_err in_match_flow(const hy_ioc_match *ix, in_matches *m, const hy_flow *f)
{
    hy_ioc_hit h;
    int fam = f->ip_version == 4 ? 4 : 6;
    if (!ix || !m || (f->ip_version != 4 && f->ip_version != 6))
        return HY_OK;
    if (hy_ioc_match_ip(ix, fam, f->dst, &h))
        return count(m, f, &h, true);
    if (hy_ioc_match_ip(ix, fam, f->src, &h))
        return count(m, f, &h, false);
    return HY_OK;
}

/* ---- handing over (shard -> global) ---- */

typedef struct list {
    in_agg **v;
    size_t n, cap;
    bool nomem;
} list;

static int take(const void *k, size_t kl, void *v, void *ud)
{
    list *l = ud;
    (void)k, (void)kl;
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        in_agg **nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) {
            l->nomem = true;
            return 1;
        }
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = v;
    return 0;
}

/* The pending aggregates, detached from the map (which is emptied). */
static hy_err detach(in_matches *m, list *l)
{
    hy_map *fresh;
    memset(l, 0, sizeof *l);
    if (!hy_map_count(m->pending))
        return HY_OK;
    if (hy_map_create(MATCH_MAX, NULL, &fresh) != HY_OK)
        return HY_ERR_NOMEM;
    hy_map_each(m->pending, take, l);
    if (l->nomem) {
        free(l->v);
        memset(l, 0, sizeof *l);
        hy_map_destroy(fresh);
        return HY_ERR_NOMEM;
    }
    hy_map_destroy(m->pending); /* no free callback: the values are in l */
    m->pending = fresh;
    return HY_OK;
}

void in_aggs_free(in_agg **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        agg_free(v[i]);
    free(v);
}

hy_err in_matches_take(in_matches *m, in_agg ***v, size_t *n)
{
    list l;
    hy_err rc = detach(m, &l);
    *v = l.v;
    *n = l.n;
    return rc;
}

hy_err in_matches_add(in_matches *m, in_agg **v, size_t n)
{
    hy_err rc = HY_OK;
    for (size_t i = 0; i < n; i++) {
        in_agg *a = hy_map_get(m->pending, v[i]->key, strlen(v[i]->key));
        if (a) {
            merge(a, v[i]);
            agg_free(v[i]);
        } else if ((rc = hy_map_put(m->pending, v[i]->key, strlen(v[i]->key), v[i])) != HY_OK) {
            m->dropped += rc == HY_ERR_TOOBIG;
            agg_free(v[i]);
            if (rc != HY_ERR_TOOBIG)
                break;
            rc = HY_OK;
        }
        v[i] = NULL;
    }
    in_aggs_free(v, n); /* what is left: NULLs, or the rest after an error */
    return rc;
}

static int by_key(const void *x, const void *y)
{
    return strcmp((*(in_agg *const *)x)->key, (*(in_agg *const *)y)->key);
}

/* Whether a's indicator is due an alert; counts its flows otherwise. */
static hy_err due(in_matches *m, const in_agg *a, uint64_t *suppressed, bool *yes)
{
    in_seen *s = hy_map_get(m->last, a->key, strlen(a->key));
    *yes = !s || a->first_ns >= s->alerted_ns + m->window_ns;
    *suppressed = s ? s->suppressed : 0;
    if (!s) {
        if (!(s = calloc(1, sizeof *s)))
            return HY_ERR_NOMEM;
        hy_err rc = hy_map_put(m->last, a->key, strlen(a->key), s);
        if (rc != HY_OK) {
            free(s);
            return rc == HY_ERR_TOOBIG ? HY_OK : rc;
        }
    }
    if (*yes) {
        s->alerted_ns = a->first_ns;
        s->suppressed = 0;
    } else {
        s->suppressed += a->flows;
    }
    return HY_OK;
}

hy_err in_matches_tick(in_matches *m, const hy_emit *emit)
{
    list l;
    hy_err rc = detach(m, &l);
    if (rc != HY_OK || !l.n)
        return rc;
    qsort(l.v, l.n, sizeof *l.v, by_key);
    for (size_t i = 0; i < l.n && rc == HY_OK; i++) {
        uint64_t suppressed;
        bool yes;
        if ((rc = due(m, l.v[i], &suppressed, &yes)) == HY_OK && yes)
            rc = in_match_alert(l.v[i], suppressed, m->window_ns, emit);
    }
    in_aggs_free(l.v, l.n);
    return rc;
}
