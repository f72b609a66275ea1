/* Groups of screened alerts, and their one-line summaries. */
#include "engines/screen/screen_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/json.h"

typedef struct grp_key {
    uint64_t sig_key, cluster;
    uint8_t decision, ver, net[16];
} grp_key;

struct hy_screen_groups {
    hy_map *ix;              /* grp_key -> index + 1 */
    hy_screen_group *v;
    size_t n, cap;
};

hy_err hy_screen_groups_create(hy_screen_groups **out)
{
    hy_screen_groups *g = calloc(1, sizeof *g);
    if (!g)
        return hy_err_set(HY_ERR_NOMEM, "screen: groups");
    hy_err e = hy_map_create(0, NULL, &g->ix);
    if (e != HY_OK) {
        free(g);
        return e;
    }
    *out = g;
    return HY_OK;
}

void hy_screen_groups_destroy(hy_screen_groups *g)
{
    if (!g)
        return;
    hy_map_destroy(g->ix);
    free(g->v);
    free(g);
}

void hy_screen_groups_clear(hy_screen_groups *g)
{
    hy_map *fresh = NULL;
    if (hy_map_create(0, NULL, &fresh) != HY_OK)
        return; /* keep counting into the old groups rather than lose them */
    hy_map_destroy(g->ix);
    g->ix = fresh;
    g->n = 0;
}

/* The key of a's group; past the cap, the decision's overflow group. */
static void make_key(const hy_screen_groups *g, const hy_alert_in *a, const hy_screen_result *r,
                     grp_key *k, uint8_t *len)
{
    memset(k, 0, sizeof *k);
    k->decision = (uint8_t)r->decision;
    *len = 0;
    if (g->n >= HY_SCREEN_MAX_GROUPS)
        return;
    k->sig_key = a->sig_key;
    k->cluster = r->cluster;
    k->ver = a->ip_version;
    *len = a->ip_version == 4 ? 24 : a->ip_version == 6 ? 64 : 0;
    memcpy(k->net, a->src, *len / 8);
}

static hy_err group_new(hy_screen_groups *g, const grp_key *k, uint8_t len,
                        const hy_alert_in *a, size_t *idx)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 256;
        hy_screen_group *v = realloc(g->v, cap * sizeof *v);
        if (!v)
            return hy_err_set(HY_ERR_NOMEM, "screen: groups");
        g->v = v;
        g->cap = cap;
    }
    hy_err e = hy_map_put(g->ix, k, sizeof *k, (void *)(uintptr_t)(g->n + 1));
    if (e != HY_OK)
        return e;
    hy_screen_group *x = &g->v[g->n];
    memset(x, 0, sizeof *x);
    x->decision = (hy_screen_decision)k->decision;
    x->sig_key = k->sig_key;
    x->cluster = k->cluster;
    x->ip_version = k->ver;
    x->net_len = len;
    memcpy(x->net, k->net, sizeof x->net);
    if (len) { /* the overflow group names no signature */
        x->gid = a->gid;
        x->sid = a->sid;
        snprintf(x->signature, sizeof x->signature, "%.*s", (int)a->signature.n, a->signature.p);
    }
    x->priority = -1;
    x->first_ns = a->ts_ns;
    *idx = g->n++;
    return HY_OK;
}

hy_err hy_screen_groups_add(hy_screen_groups *g, const hy_alert_in *a, const hy_screen_result *r)
{
    grp_key k;
    uint8_t len;
    size_t idx = 0;
    make_key(g, a, r, &k, &len);
    void *v = hy_map_get(g->ix, &k, sizeof k);
    if (v)
        idx = (uintptr_t)v - 1;
    else {
        hy_err e = group_new(g, &k, len, a, &idx);
        if (e != HY_OK)
            return e;
    }
    hy_screen_group *x = &g->v[idx];
    x->count++;
    if (a->ts_ns > x->last_ns)
        x->last_ns = a->ts_ns;
    if (r->priority > x->priority) {
        x->priority = r->priority;
        x->top_seq = r->seq;
        memcpy(x->reason, r->reason, sizeof x->reason);
    }
    return HY_OK;
}

static int group_cmp(const void *pa, const void *pb)
{
    const hy_screen_group *a = pa, *b = pb;
    if (a->decision != b->decision)
        return (int)a->decision - (int)b->decision;
    if (a->priority != b->priority)
        return a->priority > b->priority ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->sig_key != b->sig_key)
        return a->sig_key < b->sig_key ? -1 : 1;
    if (a->cluster != b->cluster)
        return a->cluster < b->cluster ? -1 : 1;
    return memcmp(a->net, b->net, sizeof a->net);
}

/* "1,204" */
static void thousands(uint64_t v, char *out, size_t n)
{
    char raw[24];
    int len = snprintf(raw, sizeof raw, "%llu", (unsigned long long)v), o = 0;
    for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[i];
    }
    out[o] = '\0';
}

static void summarise(hy_screen_group *x)
{
    char cnt[32], net[INET6_ADDRSTRLEN] = "", sig[48], from[80] = "";
    thousands(x->count, cnt, sizeof cnt);
    if (x->ip_version && inet_ntop(x->ip_version == 4 ? AF_INET : AF_INET6, x->net, net,
                                   sizeof net))
        snprintf(from, sizeof from, " from %s/%u", net, x->net_len);
    if (!x->net_len)
        snprintf(sig, sizeof sig, "other signatures");
    else if (x->sid)
        snprintf(sig, sizeof sig, "sid %u", x->sid);
    else
        snprintf(sig, sizeof sig, "%.40s", x->signature);
    snprintf(x->summary, sizeof x->summary, "%s alert%s of %s%s, %s: %.100s", cnt,
             x->count == 1 ? "" : "s", sig, from, hy_screen_decision_name(x->decision),
             x->reason);
}

hy_err hy_screen_groups_list(const hy_screen_groups *g, hy_screen_group **v, size_t *n)
{
    hy_screen_group *out = malloc((g->n ? g->n : 1) * sizeof *out);
    if (!out)
        return hy_err_set(HY_ERR_NOMEM, "screen: groups");
    if (g->n) /* g->v is NULL before the first group */
        memcpy(out, g->v, g->n * sizeof *out);
    qsort(out, g->n, sizeof *out, group_cmp);
    for (size_t i = 0; i < g->n; i++)
        summarise(&out[i]);
    *v = out;
    *n = g->n;
    return HY_OK;
}

void hy_screen_result_json(hy_json *j, const hy_screen_result *r)
{
    char id[24];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)r->cluster);
    hy_json_kfixed(j, "priority", r->priority, 4);
    hy_json_kstr(j, "decision", hy_screen_decision_name(r->decision));
    hy_json_kstr(j, "rule", hy_screen_rule_name(r->rule));
    hy_json_kstr(j, "reason", r->reason);
    hy_json_kstr(j, "cluster", r->cluster ? id : "");
    hy_json_kuint(j, "cluster_members", r->cluster_members);
    hy_json_kfixed(j, "impact", r->impact, 3);
    hy_json_kfixed(j, "confidence", r->confidence, 4);
    hy_json_kfixed(j, "novelty", r->novelty, 4);
    hy_json_kfixed(j, "rarity", r->rarity, 4);
    if (r->model >= 0)
        hy_json_kfixed(j, "model", r->model, 4);
    hy_json_kuint(j, "context", r->context_len);
}
