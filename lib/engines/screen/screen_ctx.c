/* The screener's memory of what came before: signatures, hosts' recent
 * alerts, decayed counts, and from them one alert's context and features. */
#include "engines/screen/screen_int.h"
#include "core/fnv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOST_KEY 17 /* version + 16 address bytes */
_Static_assert(SCR_PAIR_KEY == 2 * HOST_KEY + 8, "pair key: two hosts and a service hash");

double hy__scr_decay_add(scr_decay *d, uint64_t ts, uint64_t half_ns)
{
    if (ts > d->ts && d->v > 0)
        d->v *= exp2(-(double)(ts - d->ts) / (double)half_ns);
    if (ts > d->ts)
        d->ts = ts;
    d->v += 1;
    return d->v;
}

double hy__scr_rarity(const hy_screen *s, uint64_t count)
{
    /* -log2 of the smoothed share, 20 bits (one in a million) being 1 */
    double share = ((double)count + 1) / ((double)s->total + (double)s->nsigs + 1);
    double r = -log2(share) / 20;
    return r < 0 ? 0 : r > 1 ? 1 : r;
}

/* The index of the category named by a's signature (FNV-1a of its text). */
static hy_err cat_get(hy_screen *s, const hy_alert_in *a, uint32_t *idx)
{
    const hy_str *c = a->fmt == HY_ALERTIN_HAYATE ? &a->hy_engine : &a->category;
    uint64_t h = hy_fnv64(HY_FNV64_INIT, c->p, c->n);
    void *v = hy_map_get(s->cat_ix, &h, sizeof h);
    if (v) {
        *idx = (uint32_t)((uintptr_t)v - 1);
        return HY_OK;
    }
    if (s->ncats == s->capcats) {
        size_t cap = s->capcats ? s->capcats * 2 : 64;
        uint64_t *n = cap <= HY_SCREEN_MAX_SIGS ? realloc(s->cats, cap * sizeof *n) : NULL;
        if (!n)
            return hy_err_set(HY_ERR_NOMEM, "screen: categories");
        s->cats = n;
        s->capcats = cap;
    }
    hy_err e = hy_map_put(s->cat_ix, &h, sizeof h, (void *)(uintptr_t)(s->ncats + 1));
    if (e != HY_OK)
        return e;
    s->cats[s->ncats] = h;
    *idx = (uint32_t)s->ncats++;
    return HY_OK;
}

/* Severity 1 weighs 8, 2: 4, 3: 2, 4 and unknown: 1, in contexts. */
static float sev_weight(int sev)
{
    return sev >= 1 && sev <= 3 ? (float)(1u << (4 - sev)) : 1.0f;
}

static hy_err sig_get(hy_screen *s, const hy_alert_in *a, uint32_t *idx)
{
    uint64_t key = a->sig_key;
    uint32_t cat = 0;
    uint32_t *v = hy_ftab_get(s->sig_ix, &key);
    if (v) {
        *idx = *v - 1;
        return HY_OK;
    }
    if (s->nsigs >= HY_SCREEN_MAX_SIGS)
        return hy_err_set(HY_ERR_TOOBIG, "screen: more than %u signatures", HY_SCREEN_MAX_SIGS);
    if (s->nsigs == s->capsigs) {
        size_t cap = s->capsigs ? s->capsigs * 2 : 256;
        scr_sig *n = realloc(s->sigs, cap * sizeof *n);
        if (!n)
            return hy_err_set(HY_ERR_NOMEM, "screen: signatures");
        s->sigs = n;
        s->capsigs = cap;
    }
    hy_err e = cat_get(s, a, &cat);
    if (e == HY_OK && !(v = hy_ftab_put(s->sig_ix, &key, NULL)))
        e = hy_err_set(HY_ERR_NOMEM, "screen: signatures");
    if (e != HY_OK)
        return e;
    *v = (uint32_t)s->nsigs + 1;
    memset(&s->sigs[s->nsigs], 0, sizeof s->sigs[0]);
    s->sigs[s->nsigs].key = key;
    s->sigs[s->nsigs].cat = cat;
    s->sigs[s->nsigs].weight = sev_weight(a->severity);
    *idx = (uint32_t)s->nsigs++;
    return HY_OK;
}

static void host_key(uint8_t key[HOST_KEY], uint8_t ver, const uint8_t *addr)
{
    memset(key, 0, HOST_KEY);
    key[0] = ver;
    memcpy(key + 1, addr, ver == 4 ? 4 : 16);
}

/* The host's record, made when new; NULL past the cap or without memory. */
static scr_host *host_get(hy_screen *s, uint8_t ver, const uint8_t *addr)
{
    uint8_t key[HOST_KEY];
    bool created;
    host_key(key, ver, addr);
    scr_host **slot = hy_ftab_put(s->hosts, key, &created);
    if (slot && created && !(*slot = calloc(1, sizeof **slot + s->cfg.history * sizeof(scr_event))))
        return NULL; /* stays NULL: screened without a history, as past the cap */
    return slot ? *slot : NULL;
}

/* The (host, signature) counter, made when new; NULL past the cap. */
static scr_hsig *host_sig(hy_screen *s, uint8_t ver, const uint8_t *addr, uint32_t sig)
{
    uint8_t key[HOST_KEY + 4];
    host_key(key, ver, addr);
    memcpy(key + HOST_KEY, &sig, 4);
    return hy_ftab_put(s->host_sigs, key, NULL);
}

/* The i-th newest event of h (i < h->count). */
static const scr_event *host_ev(const hy_screen *s, const scr_host *h, uint32_t i)
{
    uint32_t n = s->cfg.history;
    return &h->ev[(h->head + n - 1 - i) % n];
}

static void host_push(hy_screen *s, scr_host *h, uint64_t seq, uint64_t ts, uint32_t sig)
{
    if (h->count == 0)
        h->first_ts = ts;
    h->ev[h->head] = (scr_event){.seq = seq, .ts = ts, .sig = sig};
    h->head = (h->head + 1) % s->cfg.history;
    if (h->count < s->cfg.history)
        h->count++;
}

static int comp_cmp(const void *a, const void *b)
{
    const scr_comp *x = a, *y = b;
    return (x->dim > y->dim) - (x->dim < y->dim);
}

/* Merges the newest events of the two hosts (an alert between them is in
 * both: taken once) into ctx, newest first, within the window. */
static uint32_t merge_context(const hy_screen *s, const scr_host *a, const scr_host *b,
                              uint64_t ts, scr_event *ctx)
{
    uint32_t i = 0, j = 0, n = 0, na = a ? a->count : 0, nb = b ? b->count : 0;
    uint64_t oldest = ts > s->cfg.window_ns ? ts - s->cfg.window_ns : 0;
    while (n < s->cfg.history && (i < na || j < nb)) {
        const scr_event *ea = i < na ? host_ev(s, a, i) : NULL;
        const scr_event *eb = j < nb ? host_ev(s, b, j) : NULL;
        const scr_event *e;
        if (ea && eb && ea->seq == eb->seq) {
            e = ea;
            i++, j++;
        } else if (ea && (!eb || ea->seq > eb->seq)) {
            e = ea;
            i++;
        } else {
            e = eb;
            j++;
        }
        if (e->ts < oldest)
            break; /* both rings are newest first: the rest is older still */
        ctx[n++] = *e;
    }
    return n;
}

/* The context vector: each event weighs its signature's severity weight x
 * 2^(-age / rate half-life), summed per category (the signatures' classes:
 * "Web Application Attack", "A Network Trojan was detected"...),
 * L2-normalised, sorted by category. Categories rather than signatures,
 * so that hosts doing the same kind of thing share a cluster even when the
 * exact rules that fired differ (docs/screen.md, "Context clusters"). */
static uint32_t embed(const hy_screen *s, const scr_event *ctx, uint32_t n, uint64_t ts,
                      scr_comp *vec)
{
    uint32_t m = 0;
    double norm = 0;
    for (uint32_t i = 0; i < n; i++) {
        const scr_sig *g = &s->sigs[ctx[i].sig];
        double w = g->weight * exp2(-(double)(ts - ctx[i].ts) / (double)s->cfg.rate_ns);
        uint32_t k = 0;
        uint32_t dim = s->cfg.by_signature ? ctx[i].sig : g->cat;
        while (k < m && vec[k].dim != dim)
            k++;
        if (k == m)
            vec[m++] = (scr_comp){.dim = dim, .w = 0};
        vec[k].w += (float)w;
    }
    for (uint32_t k = 0; k < m; k++)
        norm += (double)vec[k].w * vec[k].w;
    norm = sqrt(norm);
    for (uint32_t k = 0; k < m && norm > 0; k++)
        vec[k].w = (float)(vec[k].w / norm);
    qsort(vec, m, sizeof *vec, comp_cmp);
    return m;
}

static void time_features(uint64_t ts, float *f)
{
    uint64_t sec = ts / 1000000000ull;
    double day = (double)(sec % 86400) / 86400.0;
    unsigned dow = (unsigned)((sec / 86400 + 4) % 7); /* 1970-01-01 was a Thursday */
    f[HY_SF_HOUR_SIN] = (float)sin(2 * M_PI * day);
    f[HY_SF_HOUR_COS] = (float)cos(2 * M_PI * day);
    f[HY_SF_WEEKEND] = dow == 0 || dow == 6;
}

static void context_features(const hy_screen *s, const scr_event *ctx, uint32_t n,
                             hy_screen_result *r)
{
    uint32_t distinct = 0;
    double rare = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool seen = false;
        for (uint32_t k = 0; k < i && !seen; k++)
            seen = ctx[k].sig == ctx[i].sig;
        distinct += !seen;
        rare += hy__scr_rarity(s, s->sigs[ctx[i].sig].count);
    }
    r->context_len = n;
    r->f[HY_SF_CTX_LEN] = (float)n / (float)s->cfg.history;
    r->f[HY_SF_CTX_DISTINCT] = (float)distinct / (float)s->cfg.history;
    r->f[HY_SF_CTX_RARE] = n ? (float)(rare / n) : 0;
}

/* log1p of the seconds from then to ts: the ages and the signature gap. */
static float log_secs(uint64_t then, uint64_t ts)
{
    return (float)log1p((double)(ts - then) / 1e9);
}

/* The service an alert names, hashed: the DNS query name, else the TLS
 * server name, else the HTTP host; ASCII case and a final dot folded. 0
 * when it names none. A DNS alert's destination is the resolver every host
 * asks, so without the name all its alerts would share one old pair. */
static uint64_t service_hash(const hy_alert_in *a)
{
    const hy_str *n = a->dns_rrname.n ? &a->dns_rrname : a->tls_sni.n ? &a->tls_sni : &a->http_host;
    uint32_t len = n->n && n->p[n->n - 1] == '.' ? n->n - 1 : n->n;
    if (len == 0)
        return 0;
    return hy_fnv64_lower(HY_FNV64_INIT, n->p, len) | 1; /* never 0 */
}

/* Counts of the host pair (with the service it names) and of each host
 * with this signature. */
static void pair_features(hy_screen *s, const hy_alert_in *a, uint32_t sig, uint64_t ts,
                          hy_screen_result *r)
{
    uint8_t key[SCR_PAIR_KEY + sizeof sig];
    uint64_t half = s->cfg.rate_ns, last = 0, svc = service_hash(a);
    host_key(key, a->ip_version, a->src);
    host_key(key + HOST_KEY, a->ip_version, a->dst);
    memcpy(key + 2 * HOST_KEY, &svc, sizeof svc);
    scr_pair *p = hy_ftab_put(s->pairs, key, NULL);
    if (p) {
        if (p->count++ == 0)
            p->first_ts = ts;
        r->pair_age_ns = ts - p->first_ts;
        r->f[HY_SF_PAIR_RATE] = (float)log1p(hy__scr_decay_add(&p->rate, ts, half));
        r->f[HY_SF_PAIR_AGE] = log_secs(p->first_ts, ts);
    }
    memcpy(key + SCR_PAIR_KEY, &sig, sizeof sig); /* the pair and this signature */
    bool created;
    uint64_t *first = hy_ftab_put(s->pair_sigs, key, &created);
    if (first) {
        if (created)
            *first = ts;
        r->pair_sig_age_ns = ts - *first;
    }
    for (int i = 0; i < 2; i++) { /* each done before the next put may move it */
        scr_hsig *h = host_sig(s, a->ip_version, i ? a->dst : a->src, sig);
        if (!h)
            continue;
        if (h->count && h->last_ts > last)
            last = h->last_ts;
        h->count++;
        h->last_ts = ts;
        r->f[i ? HY_SF_DST_SIG : HY_SF_SRC_SIG] = (float)log1p((double)h->count);
    }
    r->f[HY_SF_SIG_GAP] = last ? log_secs(last, ts) : 20.0f;
}

static void asset_features(const hy_screen *s, const hy_alert_in *a, hy_screen_result *r)
{
    if (!a->ip_version)
        return;
    r->f[HY_SF_SRC_CRIT] = (float)hy__scr_crit(&s->cfg, a->ip_version, a->src);
    r->f[HY_SF_DST_CRIT] = (float)hy__scr_crit(&s->cfg, a->ip_version, a->dst);
    r->f[HY_SF_SRC_INTERNAL] = hy__scr_home(&s->cfg, a->ip_version, a->src);
    r->f[HY_SF_DST_INTERNAL] = hy__scr_home(&s->cfg, a->ip_version, a->dst);
}

hy_err hy__scr_context(hy_screen *s, const hy_alert_in *a, uint64_t ts, hy_screen_result *r,
                       uint32_t *sig, scr_comp *vec, uint32_t *nvec)
{
    scr_event ctx[HY_SCREEN_MAX_HISTORY];
    scr_host *src = NULL, *dst = NULL;
    hy_err e = sig_get(s, a, sig);
    if (e != HY_OK)
        return e;
    scr_sig *g = &s->sigs[*sig];
    int sev = a->severity < 1 ? 3 : a->severity > 4 ? 4 : a->severity;
    r->never_seen = g->count == 0;
    r->rarity = hy__scr_rarity(s, g->count);
    r->f[HY_SF_SEVERITY] = (float)(4 - sev) / 3.0f;
    r->f[HY_SF_SIG_COUNT] = (float)log1p((double)g->count);
    r->f[HY_SF_SIG_RARITY] = (float)r->rarity;
    r->f[HY_SF_SIG_RATE] = (float)log1p(hy__scr_decay_add(&g->rate, ts, s->cfg.rate_ns));
    if (a->ip_version) {
        src = host_get(s, a->ip_version, a->src);
        dst = host_get(s, a->ip_version, a->dst);
        if (!src || !dst)
            s->st.no_history++;
    }
    uint32_t n = merge_context(s, src, dst, ts, ctx);
    context_features(s, ctx, n, r);
    *nvec = embed(s, ctx, n, ts, vec);
    time_features(ts, r->f);
    asset_features(s, a, r);
    if (a->ip_version)
        pair_features(s, a, *sig, ts, r);
    if (src) {
        r->f[HY_SF_SRC_AGE] = src->count ? log_secs(src->first_ts, ts) : 0.0f;
        r->f[HY_SF_SRC_RATE] = (float)log1p(hy__scr_decay_add(&src->rate, ts, s->cfg.rate_ns));
    }
    if (dst) {
        r->f[HY_SF_DST_AGE] = dst->count ? log_secs(dst->first_ts, ts) : 0.0f;
        r->f[HY_SF_DST_RATE] = (float)log1p(hy__scr_decay_add(&dst->rate, ts, s->cfg.rate_ns));
    }
    if (src)
        host_push(s, src, s->seq, ts, *sig);
    if (dst && dst != src)
        host_push(s, dst, s->seq, ts, *sig);
    g->count++;
    s->total++;
    return HY_OK;
}

hy_err hy_screen_taint(hy_screen *s, uint8_t ver, const uint8_t *src, const uint8_t *dst,
                       uint64_t ts_ns, uint32_t sid)
{
    if (!s || (ver != 4 && ver != 6) || !src || !dst)
        return hy_err_set(HY_ERR_ARG, "screen: taint needs an IPv4 or IPv6 alert");
    const uint8_t *ends[2] = {src, dst};
    for (int i = 0; i < 2; i++) {
        uint8_t key[HOST_KEY];
        if (!hy__scr_home(&s->cfg, ver, ends[i]))
            continue;
        host_key(key, ver, ends[i]);
        scr_taint *t = hy_map_get(s->taint, key, sizeof key);
        if (!t) {
            if (!(t = calloc(1, sizeof *t)))
                return hy_err_set(HY_ERR_NOMEM, "screen: taint");
            hy_err e = hy_map_put(s->taint, key, sizeof key, t);
            if (e != HY_OK) {
                free(t);
                return e;
            }
        }
        t->ts = ts_ns;
        t->sid = sid;
    }
    return HY_OK;
}

void hy__scr_taint_check(const hy_screen *s, const hy_alert_in *a, uint64_t ts,
                         hy_screen_result *r)
{
    const uint8_t *ends[1] = {a->src};
    if (!a->ip_version || hy_map_count(s->taint) == 0)
        return;
    for (int i = 0; i < 1; i++) {
        uint8_t key[HOST_KEY];
        host_key(key, a->ip_version, ends[i]);
        const scr_taint *t = hy_map_get(s->taint, key, sizeof key);
        if (t && t->ts <= ts && ts - t->ts <= s->cfg.taint_ns && (!r->tainted || t->ts > r->taint_ns)) {
            r->tainted = true;
            r->taint_sid = t->sid;
            r->taint_ns = t->ts;
        }
    }
}

static void vouch_key(uint8_t key[HOST_KEY + 8], uint8_t ver, const uint8_t *src, uint64_t sig_key)
{
    host_key(key, ver, src);
    memcpy(key + HOST_KEY, &sig_key, 8);
}

hy_err hy_screen_vouch(hy_screen *s, uint8_t ver, const uint8_t *src, uint64_t sig_key,
                       uint64_t ts_ns)
{
    uint8_t key[HOST_KEY + 8];
    if (!s || (ver != 4 && ver != 6) || !src)
        return hy_err_set(HY_ERR_ARG, "screen: vouch needs an IPv4 or IPv6 source");
    vouch_key(key, ver, src, sig_key);
    uint64_t *t = hy_ftab_get(s->vouch, key);
    if (!t && !(t = hy_ftab_put(s->vouch, key, NULL)))
        return hy_err_set(HY_ERR_TOOBIG, "screen: more than %u vouched sources",
                          (unsigned)HY_SCREEN_MAX_PAIRS);
    *t = ts_ns;
    return HY_OK;
}

void hy__scr_vouch_check(const hy_screen *s, const hy_alert_in *a, uint64_t ts, hy_screen_result *r)
{
    uint8_t key[HOST_KEY + 8];
    if (!s->cfg.vouch || !a->ip_version || hy_ftab_count(s->vouch) == 0)
        return;
    vouch_key(key, a->ip_version, a->src, a->sig_key);
    const uint64_t *t = hy_ftab_get(s->vouch, key);
    if (!t || *t > ts)
        return;
    const scr_taint *tn = hy_map_count(s->taint) ? hy_map_get(s->taint, key, HOST_KEY) : NULL;
    if (tn && tn->ts >= *t)
        return; /* judged compromised since: the vouch is void */
    r->vouched = true;
    r->vouch_ns = *t;
}
