/* Context clusters (DeepCASE-style): per signature, an alert's context
 * vector joins the cluster whose leader is nearest within eps (cosine
 * distance), or leads a new one. Leaders never move, so a cluster means the
 * same thing for as long as it lives and a verdict on it stays meaningful.
 * Verdicts are kept per cluster; members inherit them with a confidence
 * from the agreement of the verdicts and how near the member is. */
#include "engines/screen/screen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cosine similarity of two normalised vectors sorted by signature; two
 * empty contexts (hosts with no history) are alike. */
static double cosine(const scr_comp *a, uint32_t na, const scr_comp *b, uint32_t nb)
{
    if (na == 0 || nb == 0)
        return na == nb ? 1.0 : 0.0;
    double dot = 0;
    uint32_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i].dim == b[j].dim)
            dot += (double)a[i++].w * b[j++].w;
        else if (a[i].dim < b[j].dim)
            i++;
        else
            j++;
    }
    return dot;
}

/* A stable id from the signature key and the leader's components. */
static uint64_t cluster_id(const hy_screen *s, uint32_t sig, const scr_comp *v, uint32_t n)
{
    uint64_t h = hy_hash64(&s->sigs[sig].key, sizeof s->sigs[sig].key, 0x5c7ee11);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t part[2] = {s->cfg.by_signature ? s->sigs[v[i].dim].key : s->cats[v[i].dim],
                            (uint64_t)lrintf(v[i].w * 1000)};
        h = hy_hash64(part, sizeof part, h);
    }
    return h ? h : 1;
}

static hy_err grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return HY_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *n = realloc(*p, c * size);
    if (!n)
        return hy_err_set(HY_ERR_NOMEM, "screen: clusters");
    *p = n;
    *cap = c;
    return HY_OK;
}

static hy_err cluster_new(hy_screen *s, uint32_t sig, const scr_comp *vec, uint32_t nvec,
                          uint32_t *idx)
{
    scr_sig *g = &s->sigs[sig];
    uint64_t id = cluster_id(s, sig, vec, nvec);
    if (s->ncl >= HY_SCREEN_MAX_CLUSTERS || hy_map_get(s->cl_ix, &id, sizeof id))
        return HY_ERR_TOOBIG; /* no cluster: the caller says so */
    hy_err e = grow((void **)&s->cl, &s->capcl, s->ncl + 1, sizeof *s->cl);
    if (e == HY_OK)
        e = grow((void **)&s->comps, &s->capcomps, s->ncomps + nvec, sizeof *s->comps);
    if (e == HY_OK)
        e = grow((void **)&g->clusters, &g->capcl, (size_t)g->ncl + 1, sizeof *g->clusters);
    if (e != HY_OK)
        return e;
    if ((e = hy_map_put(s->cl_ix, &id, sizeof id, (void *)(uintptr_t)(s->ncl + 1))) != HY_OK)
        return e;
    scr_cluster *c = &s->cl[s->ncl];
    memset(c, 0, sizeof *c);
    c->id = id;
    c->sig = sig;
    c->lead_off = (uint32_t)s->ncomps;
    c->lead_n = nvec;
    if (nvec) /* comps may still be NULL */
        memcpy(s->comps + s->ncomps, vec, nvec * sizeof *vec);
    s->ncomps += nvec;
    g->clusters[g->ncl++] = (uint32_t)s->ncl;
    *idx = (uint32_t)s->ncl++;
    s->st.clusters++;
    scr_verdicts *v = hy_map_get(s->pending, &id, sizeof id);
    if (v) { /* judged before it formed (a model loaded at start) */
        c->n_benign = v->n_benign;
        c->n_malicious = v->n_malicious;
        c->judged_ns = v->ts;
        memcpy(c->judged_by, v->who, sizeof c->judged_by);
        s->st.judged_clusters++;
        hy_map_del(s->pending, &id, sizeof id);
    }
    return HY_OK;
}

/* The verdict a cluster's members inherit, and its agreement (0..1). */
static hy_screen_verdict cluster_verdict(const scr_cluster *c, double *agree)
{
    uint32_t nb = c->n_benign, nm = c->n_malicious;
    *agree = 0;
    if (nb + nm == 0)
        return HY_SCREEN_UNJUDGED;
    /* a single malicious verdict outweighs many benign ones three to one:
     * a missed attack costs more than an extra look */
    double b = nb, m = 3.0 * nm;
    *agree = (b > m ? b : m) / (b + m);
    return m >= b ? HY_SCREEN_MALICIOUS : HY_SCREEN_BENIGN;
}

/* The verdict r inherits from judged cluster j at similarity sim:
 * confidence is the verdicts' agreement times the similarity. */
static void inherit(const scr_cluster *j, double sim, hy_screen_result *r)
{
    double agree;
    r->inherited = cluster_verdict(j, &agree);
    r->confidence = agree * (sim < 0 ? 0 : sim > 1 ? 1 : sim);
    r->judged_ns = j->judged_ns;
    r->judged_from = j->id;
    snprintf(r->judged_by, sizeof r->judged_by, "%s", j->judged_by);
}

/* The alert's own cluster, the nearest cluster of its signature (and its
 * similarity), and the nearest judged one. */
typedef struct near {
    double best, judged_sim;
    int64_t bi, ji;
} near;

static near nearest(const hy_screen *s, const scr_sig *g, const scr_comp *vec, uint32_t nvec)
{
    near n = {.best = -1, .judged_sim = -1, .bi = -1, .ji = -1};
    double agree;
    for (uint32_t k = 0; k < g->ncl; k++) {
        const scr_cluster *c = &s->cl[g->clusters[k]];
        double sim = cosine(vec, nvec, s->comps + c->lead_off, c->lead_n);
        if (sim > n.best + 1e-12) {
            n.best = sim;
            n.bi = g->clusters[k];
        }
        if (sim > n.judged_sim + 1e-12 && cluster_verdict(c, &agree) != HY_SCREEN_UNJUDGED) {
            n.judged_sim = sim;
            n.ji = g->clusters[k];
        }
    }
    return n;
}

static double impact(const hy_screen *s, const scr_cluster *c);

hy_err hy__scr_cluster(hy_screen *s, uint32_t sig, const scr_comp *vec, uint32_t nvec,
                       uint64_t ts, hy_screen_result *r)
{
    scr_sig *g = &s->sigs[sig];
    near n = nearest(s, g, vec, nvec);
    double agree;
    uint32_t idx;
    if (n.judged_sim > 0)
        inherit(&s->cl[n.ji], n.judged_sim, r);
    if (n.best < 1.0 - s->cfg.eps) {
        hy_err e = g->ncl >= HY_SCREEN_MAX_CLUSTERS_PER_SIG ? HY_ERR_TOOBIG
                                                            : cluster_new(s, sig, vec, nvec, &idx);
        if (e == HY_ERR_TOOBIG)
            return HY_OK; /* in no cluster; a verdict nearby may still reach it */
        if (e != HY_OK)
            return e;
        n.bi = idx;
    }
    scr_cluster *c = &s->cl[n.bi];
    s->cur = n.bi;
    c->members++;
    c->last_seq = s->seq;
    hy__scr_decay_add(&c->recent, ts, s->cfg.window_ns);
    r->cluster = c->id;
    r->cluster_members = c->members;
    r->impact = impact(s, c);
    if (cluster_verdict(c, &agree) != HY_SCREEN_UNJUDGED && n.bi != n.ji)
        inherit(c, n.best, r); /* its own cluster's verdict comes first */
    return HY_OK;
}

hy_err hy_screen_judge(hy_screen *s, uint64_t cluster, hy_screen_verdict v, uint64_t ts_ns,
                       const char *who)
{
    if (!s || (v != HY_SCREEN_BENIGN && v != HY_SCREEN_MALICIOUS))
        return hy_err_set(HY_ERR_ARG, "screen: judge needs a screener and a verdict");
    void *ix = hy_map_get(s->cl_ix, &cluster, sizeof cluster);
    if (!ix)
        return hy_err_set(HY_ERR_NOTFOUND, "screen: no cluster %016llx",
                          (unsigned long long)cluster);
    scr_cluster *c = &s->cl[(uintptr_t)ix - 1];
    if (c->n_benign + c->n_malicious == 0)
        s->st.judged_clusters++;
    if (v == HY_SCREEN_BENIGN)
        c->n_benign++;
    else
        c->n_malicious++;
    c->judged_ns = ts_ns;
    snprintf(c->judged_by, sizeof c->judged_by, "%s", who && *who ? who : "analyst");
    return HY_OK;
}

static int ask_cmp(const void *a, const void *b)
{
    const hy_screen_ask *x = a, *y = b;
    if (x->impact != y->impact)
        return x->impact > y->impact ? -1 : 1;
    return (x->cluster > y->cluster) - (x->cluster < y->cluster);
}

/* How much a verdict on c would change: its recent members, times how
 * unsure its current verdict is (1 when unjudged). */
static double impact(const hy_screen *s, const scr_cluster *c)
{
    double agree, recent = c->recent.v;
    if (s->last_ts > c->recent.ts)
        recent *= exp2(-(double)(s->last_ts - c->recent.ts) / (double)s->cfg.window_ns);
    if (cluster_verdict(c, &agree) == HY_SCREEN_UNJUDGED)
        return recent;
    return recent * (1.0 - agree);
}

static int risk_cmp(const void *a, const void *b)
{
    const hy_screen_ask *x = a, *y = b;
    if (x->risk != y->risk)
        return x->risk > y->risk ? -1 : 1;
    return (x->cluster > y->cluster) - (x->cluster < y->cluster);
}

/* Every cluster a verdict would change, by impact (into imp) and, of the
 * unjudged ones within the window, by risk (into risk). */
static void candidates(const hy_screen *s, hy_screen_ask *imp, size_t *ni, hy_screen_ask *risk,
                       size_t *nr)
{
    double agree;
    *ni = *nr = 0;
    for (size_t i = 0; i < s->ncl; i++) {
        const scr_cluster *c = &s->cl[i];
        double im = impact(s, c);
        if (im <= 1e-9)
            continue;
        hy_screen_ask a = {.cluster = c->id, .seq = c->last_seq, .impact = im,
                           .members = c->members, .risk = c->risk};
        imp[(*ni)++] = a;
        if (cluster_verdict(c, &agree) == HY_SCREEN_UNJUDGED &&
            s->last_ts - c->risk_ts <= s->cfg.window_ns) {
            a.seq = c->risk_seq;
            risk[(*nr)++] = a;
        }
    }
    qsort(imp, *ni, sizeof *imp, ask_cmp);
    qsort(risk, *nr, sizeof *risk, risk_cmp);
}

static bool asked(const hy_screen_ask *out, size_t n, uint64_t cluster)
{
    for (size_t i = 0; i < n; i++)
        if (out[i].cluster == cluster)
            return true;
    return false;
}

hy_err hy_screen_queue(const hy_screen *s, hy_screen_ask *out, size_t max, size_t *n)
{
    if (!s || !n || (max && !out))
        return hy_err_set(HY_ERR_ARG, "screen: queue needs a screener and room");
    size_t cap = s->ncl ? s->ncl : 1, ni, nr, i = 0, r = 0, k = 0;
    hy_screen_ask *imp = malloc(cap * sizeof *imp), *risk = malloc(cap * sizeof *risk);
    if (!imp || !risk) {
        free(imp);
        free(risk);
        return hy_err_set(HY_ERR_NOMEM, "screen: queue");
    }
    candidates(s, imp, &ni, risk, &nr);
    /* alternate: the biggest cluster, then the riskiest one not judged */
    while (k < max && (i < ni || r < nr)) {
        bool take_risk = (k % 2 == 1 && r < nr) || i >= ni;
        const hy_screen_ask *a = take_risk ? &risk[r++] : &imp[i++];
        if (!asked(out, k, a->cluster))
            out[k++] = *a;
    }
    *n = k;
    free(imp);
    free(risk);
    return HY_OK;
}

hy_err hy_screen_judge_set(hy_screen *s, uint64_t cluster, uint32_t benign, uint32_t malicious,
                           uint64_t ts_ns, const char *who)
{
    if (!s || benign + malicious == 0)
        return hy_err_set(HY_ERR_ARG, "screen: judge_set needs a screener and a verdict");
    void *ix = hy_map_get(s->cl_ix, &cluster, sizeof cluster);
    if (ix) {
        scr_cluster *c = &s->cl[(uintptr_t)ix - 1];
        if (c->n_benign + c->n_malicious == 0)
            s->st.judged_clusters++;
        c->n_benign = benign;
        c->n_malicious = malicious;
        c->judged_ns = ts_ns;
        snprintf(c->judged_by, sizeof c->judged_by, "%s", who && *who ? who : "analyst");
        return HY_OK;
    }
    scr_verdicts *v = hy_map_get(s->pending, &cluster, sizeof cluster);
    if (!v) {
        if (!(v = calloc(1, sizeof *v)))
            return hy_err_set(HY_ERR_NOMEM, "screen: verdicts");
        hy_err e = hy_map_put(s->pending, &cluster, sizeof cluster, v);
        if (e != HY_OK) {
            free(v);
            return e;
        }
    }
    v->n_benign = benign;
    v->n_malicious = malicious;
    v->ts = ts_ns;
    snprintf(v->who, sizeof v->who, "%s", who && *who ? who : "analyst");
    return HY_OK;
}
