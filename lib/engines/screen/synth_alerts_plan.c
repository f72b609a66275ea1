/* `hayate synth alerts`: segments, and planning the attack campaigns.
 *
 * A segment spreads n alerts over [a, b), one per slot; its signatures are
 * drawn by weight and its addresses follow its kind (K_*). A campaign runs
 * over 1-3 days against 1-3 hosts, as segments: "web" starts with
 * reconnaissance and exploitation of a DMZ server from outside; "phish"
 * with a workstation fetching a first stage. Both then beacon to their C2
 * (periodic, jittered), sweep the internal network, move laterally to
 * servers and exfiltrate in bursts. Most stages mix rare signatures with
 * ones the benign sources raise every day. Each campaign's alert count is
 * drawn around the share of the stream cfg asks for, so the share holds
 * whatever the benign volume (down to a few alerts per stage). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth_alerts_int.h"

/* ---- segments: the alerts of one stage, scanner session or backup window */

static uint16_t seg_pick(const sa_seg *g, sa_rng *r)
{
    uint32_t x = sa_below(r, 65535), k = 0;
    while (k + 1 < g->nsig && x >= g->cw[k])
        k++;
    return g->sig[k];
}

/* Whether the outside party opens the flows of s. */
static bool inbound(const sa_sig *s)
{
    return (s->pool == P_SCAN || s->pool == P_WEB || s->pool == P_EXP || s->pool == P_REP) &&
           !(s->flags & F_DL);
}

/* Alert i of segment g at time t. */
static void seg_event(sa_ctx *c, const sa_seg *g, uint32_t i, uint64_t t, double frac)
{
    sa_rng r = {sa_hash(g->seed ^ 0xe7e7, i)};
    uint16_t sig = seg_pick(g, &r);
    const sa_sig *s = &hy__sa_sigs[sig];
    sa_ev *e = hy__sa_push(c);
    uint32_t client = g->inside, server = g->peer, tix;

    if (!e)
        return;
    e->cseed = g->camp ? sa_hash(c->camp[g->camp - 1].seed, s->sid) : 0;
    switch (g->kind) {
    case K_SCAN:
    case K_SWEEP:
        tix = (g->first + (uint32_t)(frac * g->ntargets)) % c->nhosts;
        server = hy__sa_host_ip(c, tix);
        if (server == client)
            server = hy__sa_server_ip[SV_FILES];
        if (s->flags & F_INTERNAL && g->kind == K_SWEEP && sa_below(&r, 3) == 0)
            server = hy__sa_server_for(c, s, e->cseed, client, &r);
        break;
    case K_INOUT:
        if (s->app == A_DNS && !inbound(s)) {
            server = hy__sa_server_for(c, s, e->cseed, client, &r);
        } else if (inbound(s)) {
            client = g->peer;
            server = g->inside;
        } else if (s->pool == P_POL && s->host && strcmp(s->host, "@") != 0) {
            server = hy__sa_server_for(c, s, e->cseed, client, &r); /* the real service */
        }
        break;
    default: /* K_LATERAL, K_BACKUP: inside -> peer */
        break;
    }
    hy__sa_client_event(e, sig, client, server, g->cls, &r);
    if (g->kind == K_INOUT && inbound(s))
        e->sport = (uint16_t)(1024 + sa_below(&r, 64511));
    if (g->dport && (!s->port || (s->pool == P_MAL && s->app == g->c2app) ||
                     (g->stage == HY_SA_C2 && s->app == g->c2app && s->app != A_DNS)))
        e->dport = g->dport;
    e->ts = t;
    e->stage = g->stage;
    e->camp = g->camp;
    e->size = hy__sa_size_for(s, g->cls, g->stage);
    if (!g->camp)
        e->cseed = sa_hash(g->kind == K_SCAN ? server : client, s->sid);
    e->host = g->kind == K_SCAN || (g->kind == K_LATERAL) ? server : g->host;
}

/* Emits the alerts of g that fall in [t0, t1). */
void hy__sa_emit_seg(sa_ctx *c, const sa_seg *g, uint64_t t0, uint64_t t1)
{
    if (!g->n || !g->nsig || g->b <= t0 || g->a >= t1 || g->b <= g->a)
        return;
    double span = (double)(g->b - g->a), n = g->n;
    double lo = t0 > g->a ? floor((double)(t0 - g->a) / span * n) - 1 : 0;
    double hi = ceil((double)(t1 - g->a) / span * n) + 1;
    uint32_t ilo = lo < 0 ? 0 : (uint32_t)lo, ihi = hi > n ? g->n : (uint32_t)hi;
    for (uint32_t i = ilo; i < ihi && !c->err; i++) {
        sa_rng r = {sa_hash(g->seed, i)};
        double u = 0.5 + (sa_unif(&r) - 0.5) * g->jit;
        uint64_t t = g->a + (uint64_t)(span * (i + u) / n);
        t -= t % 1000;
        if (t < g->a)
            t = g->a;
        if (t >= g->b)
            t = g->b - 1000;
        if (t >= t0 && t < t1)
            seg_event(c, g, i, t, (double)(t - g->a) / span);
    }
}

/* Adds signatures to g with weight w each (relative units). */
void hy__sa_seg_add(sa_seg *g, uint16_t sig, double w)
{
    if (g->nsig >= MAX_SEG_SIGS)
        return;
    for (uint32_t k = 0; k < g->nsig; k++)
        if (g->sig[k] == sig)
            return;
    g->sig[g->nsig] = sig;
    g->wt[g->nsig++] = (float)w;
}

/* Turns the weights into cumulative thresholds out of 65535. */
void hy__sa_seg_finish(sa_seg *g)
{
    double tot = 0, acc = 0;
    for (uint32_t k = 0; k < g->nsig; k++)
        tot += g->wt[k];
    for (uint32_t k = 0; k < g->nsig; k++) {
        acc += g->wt[k];
        g->cw[k] = (uint16_t)(k + 1 == g->nsig ? 65535 : acc / tot * 65535.0);
    }
}

/* ---- campaigns */

#define APP(a) (1u << (a))

enum { WEB, PHISH };

static const char *const c2_paths[] = {
    "/api/v2/status?id=########", "/wp-content/themes/####/style.php", "/cdn/assets/#####.gif",
    "/update/check?v=#.#.##",     "/owa/auth/logon.aspx?r=#####",      "/pixel.gif?u=##########",
};

/* Adds up to count distinct signatures of the given pools (bit mask of
 * sa_pool) with all of flags and none of noflags, of the apps in apps
 * (mask; 0: any), weight w each; returns how many. */
static uint32_t add_sigs(sa_rng *r, sa_seg *g, uint32_t pools, uint32_t flags, uint32_t noflags,
                         uint32_t apps, uint32_t count, double w)
{
    uint16_t cand[MAX_POOL * 2];
    uint32_t n = 0, added = 0;
    for (uint32_t i = 0; i < hy__sa_nsigs && n < MAX_POOL * 2; i++) {
        const sa_sig *s = &hy__sa_sigs[i];
        if ((pools >> s->pool & 1) && (s->flags & flags) == flags && !(s->flags & noflags) &&
            (!apps || (apps >> s->app & 1)))
            cand[n++] = (uint16_t)i;
    }
    while (added < count && n) {
        uint32_t k = sa_below(r, n);
        uint32_t before = g->nsig;
        hy__sa_seg_add(g, cand[k], w);
        added += g->nsig > before;
        cand[k] = cand[--n];
    }
    return added;
}

static sa_seg *new_seg(sa_camp *k, int stage, int kind, uint64_t a, uint64_t b, uint32_t n)
{
    sa_seg *g;
    if (k->nseg >= MAX_CAMP_SEGS)
        return NULL;
    g = &k->seg[k->nseg];
    memset(g, 0, sizeof *g);
    g->a = a;
    g->b = b > a + 1000 ? b : a + 1000;
    g->n = n ? n : 1;
    g->seed = sa_hash(k->seed, 0x5e9 + k->nseg++);
    g->jit = stage == HY_SA_C2 ? 0.3f : 1.0f;
    g->cls = HY_SA_ATTACK;
    g->stage = (uint8_t)stage;
    g->camp = (uint8_t)k->info.id;
    g->kind = (uint8_t)kind;
    g->c2app = k->c2app;
    g->inside = g->host = k->info.hosts[0];
    return g;
}

static void c2_sigs(sa_camp *k, sa_rng *r, sa_seg *g)
{
    uint32_t app = k->c2app, apps = APP(app);
    if (app == A_NONE) { /* a RAT on its own port */
        add_sigs(r, g, 1u << P_MAL, 0, F_IPREP, apps, 1, 0.3);
    } else {
        add_sigs(r, g, 1u << P_MAL, 0, F_IPREP, apps, 1 + (sa_below(r, 3) == 0), 0.15);
    }
    if (sa_below(r, 2))
        add_sigs(r, g, 1u << P_MAL, F_IPREP, 0, 0, 1, 0.08);
    if (sa_below(r, 3) == 0)
        add_sigs(r, g, 1u << P_MAL, 0, 0, APP(A_DNS), 1, 0.05);
    add_sigs(r, g, 1u << P_POL, F_C2, 0, apps, 1 + sa_below(r, 3), 0.25);
    add_sigs(r, g, 1u << P_POL, F_C2, 0, APP(A_DNS), 1 + sa_below(r, 2), 0.12);
    hy__sa_seg_finish(g);
}

static void exfil_sigs(sa_rng *r, sa_seg *g)
{
    switch (sa_below(r, 3)) {
    case 0: /* to cloud storage over TLS */
        add_sigs(r, g, 1u << P_POL, F_EXFIL, 0, APP(A_TLS), 1 + sa_below(r, 2), 1.0);
        break;
    case 1: /* HTTP or FTP uploads */
        add_sigs(r, g, 1u << P_POL, F_EXFIL, 0, APP(A_HTTP) | APP(A_FTP), 2, 1.0);
        add_sigs(r, g, 1u << P_MAL, 0, 0, APP(A_HTTP), 1, 0.3);
        break;
    default: /* DNS tunnelling */
        add_sigs(r, g, 1u << P_POL, F_EXFIL, 0, APP(A_DNS), 2, 1.0);
        add_sigs(r, g, 1u << P_MAL, 0, 0, APP(A_DNS), 1, 0.6);
        break;
    }
    if (sa_below(r, 3) == 0)
        add_sigs(r, g, 1u << P_BAK, F_EXFIL, 0, 0, 1, 0.3);
    hy__sa_seg_finish(g);
}

/* Picks the campaign's victims, addresses and C2 style. */
static void pick_cast(sa_ctx *c, sa_camp *k, sa_rng *r, int kind)
{
    static const uint8_t inner[5] = {SV_DB1, SV_FILES, SV_DC1, SV_DB2, SV_INTRA};
    uint8_t order[5] = {0, 1, 2, 3, 4};
    hy_synth_alerts_campaign_info *in = &k->info;
    uint64_t h = sa_next(r);

    in->kind = kind == WEB ? "web" : "phish";
    in->n_hosts = 1 + sa_below(r, HY_SYNTH_ALERTS_MAX_VICTIMS);
    in->hosts[0] = kind == WEB ? hy__sa_server_ip[SV_WWW + sa_below(r, 4)]
                               : hy__sa_host_ip(c, SV__COUNT + sa_below(r, c->cfg.hosts));
    for (uint32_t j = 4; j > 0; j--) {
        uint32_t x = sa_below(r, j + 1);
        uint8_t t = order[j];
        order[j] = order[x];
        order[x] = t;
    }
    for (uint32_t j = 1; j < in->n_hosts; j++)
        in->hosts[j] = hy__sa_server_ip[inner[order[j - 1]]];
    in->attacker = h % 3 == 0   ? IP4(203, 0, 113, 1 + (h >> 8) % 254)
                   : h % 3 == 1 ? IP4(198, 51, 100, 1 + (h >> 8) % 254)
                                : IP4(198, 18, 0, 0) + 1 + (uint32_t)((h >> 8) % 131070);
    in->c2 = hy__sa_ext_ip(sa_next(r));
    in->exfil = sa_below(r, 2) ? in->c2 : hy__sa_ext_ip(sa_next(r));
    uint32_t m = sa_below(r, 20);
    k->c2app = m < 8 ? A_HTTP : m < 17 ? A_TLS : A_NONE;
    k->ua = (uint8_t)sa_below(r, 5);
    k->blend = (uint8_t)sa_below(r, 2);
    k->path = c2_paths[sa_below(r, sizeof c2_paths / sizeof c2_paths[0])];
    hy__sa_hint(hy__sa_c2_domains[sa_below(r, hy__sa_n_c2_domains)], sa_next(r), 0, k->domain,
                sizeof k->domain);
}

static uint16_t c2_port(const sa_camp *k, const sa_seg *g, sa_rng *r)
{
    if (k->c2app == A_HTTP)
        return sa_below(r, 3) ? 80 : 8080;
    if (k->c2app == A_TLS)
        return sa_below(r, 4) ? 443 : 8443;
    for (uint32_t j = 0; j < g->nsig; j++) /* the RAT's own port */
        if (hy__sa_sigs[g->sig[j]].pool == P_MAL && hy__sa_sigs[g->sig[j]].port)
            return hy__sa_sigs[g->sig[j]].port;
    return 443;
}

/* The beacons of host `inside` over [a, b). */
static void plan_c2(sa_camp *k, sa_rng *r, uint32_t inside, uint64_t a, uint64_t b, uint32_t n,
                    uint16_t *port)
{
    sa_seg *g = new_seg(k, HY_SA_C2, K_INOUT, a, b, n);
    if (!g)
        return;
    g->inside = g->host = inside;
    g->peer = k->info.c2;
    c2_sigs(k, r, g);
    if (!*port)
        *port = c2_port(k, g, r);
    g->dport = *port;
}

static void plan_recon_ext(sa_camp *k, sa_rng *r, uint64_t a, uint64_t b, uint32_t n)
{
    sa_seg *g = new_seg(k, HY_SA_RECON, K_INOUT, a, b, n);
    if (!g)
        return;
    g->peer = k->info.attacker;
    add_sigs(r, g, 1u << P_SCAN, 0, F_INTERNAL, 0, 3 + sa_below(r, 4), 1.0);
    add_sigs(r, g, 1u << P_WEB, 0, 0, 0, sa_below(r, 3), 0.5);
    if (sa_below(r, 2))
        add_sigs(r, g, 1u << P_REP, 0, 0, 0, 1, 0.7);
    hy__sa_seg_finish(g);
}

static void plan_sweep(sa_ctx *c, sa_camp *k, sa_rng *r, uint64_t a, uint64_t b, uint32_t n)
{
    sa_seg *g = new_seg(k, HY_SA_RECON, K_SWEEP, a, b, n);
    if (!g)
        return;
    g->first = sa_below(r, c->nhosts);
    g->ntargets = c->nhosts < 254 ? c->nhosts : 254;
    add_sigs(r, g, 1u << P_SCAN | 1u << P_POL, F_IREC, 0, 0, 3 + sa_below(r, 3), 1.0);
    hy__sa_seg_finish(g);
}

static void plan_lateral(sa_camp *k, sa_rng *r, uint32_t j, uint64_t at)
{
    sa_seg *g = new_seg(k, HY_SA_EXPLOIT, K_LATERAL, at, at + (5 + sa_below(r, 15)) * MIN_NS,
                        1 + sa_below(r, 3));
    if (!g)
        return;
    g->peer = g->host = k->info.hosts[j];
    add_sigs(r, g, 1u << P_POL | 1u << P_BAK, F_LAT, 0, 0, 1 + sa_below(r, 2), 1.0);
    if (sa_below(r, 2))
        add_sigs(r, g, 1u << P_EXP, F_INTERNAL, 0, 0, 1, 0.6);
    hy__sa_seg_finish(g);
}

/* The first exploitation: inbound web exploits or a fetched first stage. */
static void plan_entry(sa_camp *k, sa_rng *r, int kind, uint64_t at)
{
    sa_seg *g = new_seg(k, HY_SA_EXPLOIT, K_INOUT, at, at + (2 + sa_below(r, 9)) * MIN_NS,
                        2 + sa_below(r, 4));
    if (!g)
        return;
    g->peer = k->info.attacker;
    if (kind == WEB) {
        add_sigs(r, g, 1u << P_WEB | 1u << P_EXP, 0, F_INTERNAL | F_DL, 0, 1 + sa_below(r, 2), 2.0);
        add_sigs(r, g, 1u << P_POL, F_DL | F_C2, F_TOCLIENT, APP(A_HTTP), 1, 1.0);
    } else {
        add_sigs(r, g, 1u << P_POL, F_DL, 0, APP(A_HTTP) | APP(A_TLS), 2, 2.0);
        add_sigs(r, g, 1u << P_EXP, F_DL, 0, 0, 1, 1.0);
        if (sa_below(r, 3) == 0)
            add_sigs(r, g, 1u << P_MAL, F_TOCLIENT, 0, APP(A_HTTP), 1, 0.5);
    }
    hy__sa_seg_finish(g);
}

static void plan_exfil(sa_camp *k, sa_rng *r, uint64_t a, uint64_t w, uint64_t b, uint32_t n)
{
    uint32_t bursts = 1 + sa_below(r, 3);
    uint32_t from = k->info.hosts[k->info.n_hosts - 1];
    for (uint32_t i = 0; i < bursts; i++) {
        uint64_t s = a + (uint64_t)((double)w * (0.6 + 0.3 * sa_unif(r)));
        uint64_t e = s + (30 + sa_below(r, 90)) * MIN_NS;
        sa_seg *g;
        s -= s % 1000;
        if (e > b)
            e = b;
        if (s + MIN_NS > e)
            s = e - MIN_NS;
        if (!(g = new_seg(k, HY_SA_EXFIL, K_INOUT, s, e, n / bursts + (i < n % bursts))))
            return;
        g->inside = g->host = from;
        g->peer = k->info.exfil;
        exfil_sigs(r, g);
    }
}

static void plan_one(sa_ctx *c, sa_camp *k, uint32_t id, double budget)
{
    sa_rng r = {sa_hash(c->cfg.seed ^ 0xca4a, id)};
    int kind = (int)((id + (c->cfg.seed & 1)) & 1) ? WEB : PHISH;
    uint32_t days = c->cfg.campaign_days ? c->cfg.campaign_days : 1 + sa_below(&r, 3);
    uint64_t a, b, w, t;
    uint16_t port = 0;

    k->info.id = id;
    k->seed = sa_next(&r);
    if (days > c->cfg.days)
        days = c->cfg.days;
    a = c->cfg.start_ns + sa_below(&r, c->cfg.days - days + 1) * DAY_NS;
    a +=
        (kind == PHISH ? 8 + sa_below(&r, 8) : sa_below(&r, 16)) * H_NS + sa_below(&r, 60) * MIN_NS;
    b = a + days * DAY_NS < c->end_ns ? a + days * DAY_NS : c->end_ns;
    w = b - a;
    pick_cast(c, k, &r, kind);
    budget *= 0.7 + 0.6 * sa_unif(&r);
    uint32_t nrec = budget * 0.35 > 4 ? (uint32_t)(budget * 0.35) : 4;
    uint32_t nc2 = budget * 0.45 > 4 ? (uint32_t)(budget * 0.45) : 4;
    uint32_t nexf = budget * 0.16 > 3 ? (uint32_t)(budget * 0.16) : 3;
    uint32_t nlat = k->info.n_hosts > 1 ? nc2 / 4 : 0;

    if (kind == WEB) {
        uint64_t r_len = (uint64_t)((double)w * (0.04 + 0.08 * sa_unif(&r)));
        plan_recon_ext(k, &r, a, a + r_len, nrec * 7 / 10);
        t = a + r_len + (uint64_t)((double)w * (0.01 + 0.03 * sa_unif(&r)));
        plan_entry(k, &r, kind, t);
        plan_sweep(c, k, &r, a + (uint64_t)(w * 0.30), a + (uint64_t)(w * 0.38),
                   nrec - nrec * 7 / 10);
    } else {
        t = a;
        plan_entry(k, &r, kind, t);
        plan_sweep(c, k, &r, a + (uint64_t)(w * 0.15), a + (uint64_t)(w * 0.30), nrec);
    }
    plan_c2(k, &r, k->info.hosts[0], t + (10 + sa_below(&r, 30)) * MIN_NS, b, nc2 - nlat, &port);
    for (uint32_t j = 1; j < k->info.n_hosts; j++) {
        uint64_t at = a + (uint64_t)((double)w * (0.40 + 0.06 * j));
        plan_lateral(k, &r, j, at);
        if (sa_below(&r, 2))
            plan_c2(k, &r, k->info.hosts[j], at + 30 * MIN_NS, b,
                    nlat / (k->info.n_hosts - 1) > 3 ? nlat / (k->info.n_hosts - 1) : 3, &port);
    }
    plan_exfil(k, &r, a, w, b, nexf);
}

/* Fills info's stage windows and counts from the segments. */
static void summarise(sa_camp *k)
{
    hy_synth_alerts_campaign_info *in = &k->info;
    in->start_ns = UINT64_MAX;
    for (uint32_t s = 0; s < k->nseg; s++) {
        const sa_seg *g = &k->seg[s];
        int st = g->stage;
        if (!in->alerts[st] || g->a < in->stage_start_ns[st])
            in->stage_start_ns[st] = g->a;
        if (g->b > in->stage_end_ns[st])
            in->stage_end_ns[st] = g->b;
        in->alerts[st] += g->n;
        in->alerts[0] += g->n;
        if (g->a < in->start_ns)
            in->start_ns = g->a;
        if (g->b > in->end_ns)
            in->end_ns = g->b;
    }
    in->stage_start_ns[0] = in->start_ns;
    in->stage_end_ns[0] = in->end_ns;
}

hy_err hy__sa_plan(sa_ctx *c)
{
    double total, budget;
    c->ncamp = c->cfg.campaigns;
    if (!c->ncamp)
        return HY_OK;
    if (!(c->camp = calloc(c->ncamp, sizeof *c->camp)))
        return HY_ERR_NOMEM;
    total =
        (double)c->cfg.per_day * c->cfg.days * c->cfg.attack_share / (1.0 - c->cfg.attack_share);
    budget = total / c->ncamp;
    for (uint32_t i = 0; i < c->ncamp; i++) {
        plan_one(c, &c->camp[i], i + 1, budget);
        summarise(&c->camp[i]);
    }
    return HY_OK;
}

hy_err hy_synth_alerts_campaign(const hy_synth_alerts_cfg *cfg, uint32_t id,
                                hy_synth_alerts_campaign_info *out)
{
    sa_ctx *c;
    hy_err e;
    if (!out)
        return hy_err_set(HY_ERR_ARG, "synth alerts: no output");
    if (!(c = calloc(1, sizeof *c)))
        return HY_ERR_NOMEM;
    if ((e = hy__sa_ctx_init(c, cfg)) == HY_OK) {
        if (id < 1 || id > c->ncamp)
            e = hy_err_set(HY_ERR_NOTFOUND, "synth alerts: no campaign %u (there are %u)", id,
                           c->ncamp);
        else
            *out = c->camp[id - 1].info;
    }
    hy__sa_ctx_free(c);
    free(c);
    return e;
}
