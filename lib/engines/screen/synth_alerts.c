/* `hayate synth alerts`: a seeded SOC alert stream with ground truth.
 *
 * The run is cut into one-hour chunks. Each chunk's alerts come from
 * stateless sources, so nothing carries over between chunks and memory is
 * bounded by the busiest hour: per-hour counts (policy, background,
 * misconfigured hosts) drawn from a stream seeded by (seed, source, hour),
 * and segments (scanner sessions, backup windows, campaign stages: see
 * synth_alerts_plan.c) whose alert i falls at a fixed slot of the segment,
 * jittered by a hash of (segment, i), so a chunk enumerates just its own.
 * A chunk is sorted by time and written (synth_alerts_eve.c). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "synth_alerts_int.h"

#define SHARE_POLICY     0.72 /* shares of the benign volume */
#define SHARE_SCANNER    0.06
#define SHARE_MISCONFIG  0.07
#define SHARE_BACKUP     0.03
#define SHARE_BACKGROUND 0.12
#define ZIPF_POLICY      1.3 /* exponent over the policy signatures' ranks */
#define MAX_CHUNK_EVENTS (1u << 24)

const uint32_t hy__sa_server_ip[SV__COUNT] = {
    [SV_DC1] = IP4(10, 0, 1, 10),   [SV_DC2] = IP4(10, 0, 1, 11),   [SV_DB1] = IP4(10, 0, 1, 20),
    [SV_DB2] = IP4(10, 0, 1, 21),   [SV_FILES] = IP4(10, 0, 1, 30), [SV_BACKUP] = IP4(10, 0, 1, 40),
    [SV_MAIL] = IP4(10, 0, 1, 50),  [SV_DNS] = IP4(10, 0, 1, 53),   [SV_INTRA] = IP4(10, 0, 1, 60),
    [SV_PRINT] = IP4(10, 0, 1, 70), [SV_WWW] = IP4(10, 0, 2, 10),   [SV_SHOP] = IP4(10, 0, 2, 11),
    [SV_API] = IP4(10, 0, 2, 12),   [SV_VPN] = IP4(10, 0, 2, 20),   [SV_MX] = IP4(10, 0, 2, 25),
};

static const uint32_t scanner_ip[2] = {IP4(10, 0, 5, 10), IP4(10, 0, 5, 11)};

/* Where external servers live: cloud and CDN prefixes, and the
 * documentation and benchmark ranges. */
static const struct {
    uint32_t net;
    uint8_t len;
} ext_nets[] = {
    {IP4(13, 107, 0, 0), 16},    {IP4(20, 190, 128, 0), 18}, {IP4(52, 96, 0, 0), 14},
    {IP4(142, 250, 0, 0), 15},   {IP4(172, 217, 0, 0), 16},  {IP4(151, 101, 0, 0), 16},
    {IP4(104, 16, 0, 0), 13},    {IP4(23, 32, 0, 0), 11},    {IP4(162, 125, 0, 0), 16},
    {IP4(185, 199, 108, 0), 22}, {IP4(35, 186, 0, 0), 16},   {IP4(199, 232, 0, 0), 16},
    {IP4(198, 51, 100, 0), 24},  {IP4(203, 0, 113, 0), 24},  {IP4(198, 18, 0, 0), 15},
};

/* Users' activity by hour, weekdays and weekends (relative). */
static const float user_wd[24] = {0.05f, 0.04f, 0.04f, 0.04f, 0.04f, 0.05f, 0.1f, 0.35f,
                                  0.8f,  1.0f,  1.0f,  1.0f,  0.75f, 0.95f, 1.0f, 1.0f,
                                  0.9f,  0.65f, 0.4f,  0.25f, 0.2f,  0.15f, 0.1f, 0.07f};
static const float user_we[24] = {0.04f, 0.03f, 0.03f, 0.03f, 0.03f, 0.03f, 0.04f, 0.05f,
                                  0.08f, 0.12f, 0.14f, 0.14f, 0.13f, 0.13f, 0.14f, 0.14f,
                                  0.13f, 0.12f, 0.1f,  0.09f, 0.08f, 0.07f, 0.05f, 0.04f};

static const uint16_t common_ports[] = {22,   23, 80, 443, 445, 3389, 8080, 8443, 3306, 5900,
                                        6379, 21, 25, 110, 143, 1433, 5432, 9200, 161,  8000};

/* ---- configuration */

void hy_synth_alerts_cfg_default(hy_synth_alerts_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->start_ns = 1709510400ull * 1000000000ull; /* 2024-03-04T00:00:00Z */
    cfg->days = 7;
    cfg->per_day = 20000;
    cfg->hosts = 400;
    cfg->campaigns = 4;
    cfg->campaign_days = 0;
    cfg->attack_share = 0.005;
}

hy_err hy_synth_alerts_cfg_check(const hy_synth_alerts_cfg *cfg)
{
    if (!cfg)
        return hy_err_set(HY_ERR_ARG, "synth alerts: no configuration");
    if (cfg->days < 1 || cfg->days > HY_SYNTH_ALERTS_MAX_DAYS)
        return hy_err_set(HY_ERR_ARG, "synth alerts: days must be 1..%u (got %u)",
                          HY_SYNTH_ALERTS_MAX_DAYS, cfg->days);
    if (cfg->per_day < HY_SYNTH_ALERTS_MIN_PER_DAY || cfg->per_day > HY_SYNTH_ALERTS_MAX_PER_DAY)
        return hy_err_set(HY_ERR_ARG, "synth alerts: per_day must be %u..%u (got %u)",
                          HY_SYNTH_ALERTS_MIN_PER_DAY, HY_SYNTH_ALERTS_MAX_PER_DAY, cfg->per_day);
    if (cfg->hosts < HY_SYNTH_ALERTS_MIN_HOSTS || cfg->hosts > HY_SYNTH_ALERTS_MAX_HOSTS)
        return hy_err_set(HY_ERR_ARG, "synth alerts: hosts must be %u..%u (got %u)",
                          HY_SYNTH_ALERTS_MIN_HOSTS, HY_SYNTH_ALERTS_MAX_HOSTS, cfg->hosts);
    if (cfg->campaigns > HY_SYNTH_ALERTS_MAX_CAMPAIGNS)
        return hy_err_set(HY_ERR_ARG, "synth alerts: campaigns must be 0..%u (got %u)",
                          HY_SYNTH_ALERTS_MAX_CAMPAIGNS, cfg->campaigns);
    if (cfg->campaign_days > HY_SYNTH_ALERTS_MAX_CAMPAIGN_DAYS || cfg->campaign_days > cfg->days)
        return hy_err_set(HY_ERR_ARG,
                          "synth alerts: campaign_days must be 0 (random) or 1..min(days, %u) "
                          "(got %u)",
                          HY_SYNTH_ALERTS_MAX_CAMPAIGN_DAYS, cfg->campaign_days);
    if (!(cfg->attack_share >= 0.0005 && cfg->attack_share <= 0.05))
        return hy_err_set(HY_ERR_ARG, "synth alerts: attack_share must be 0.0005..0.05 (got %g)",
                          cfg->attack_share);
    if (cfg->start_ns > HY_SYNTH_ALERTS_MAX_START_NS)
        return hy_err_set(HY_ERR_ARG, "synth alerts: start_ns is after 2300-01-01");
    return HY_OK;
}

const char *hy_synth_alerts_class_name(int cls)
{
    static const char *const n[HY_SA_CLASSES] = {"policy", "scanner",    "misconfig",
                                                 "backup", "background", "attack"};
    return cls >= 0 && cls < HY_SA_CLASSES ? n[cls] : "?";
}

const char *hy_synth_alerts_stage_name(int stage)
{
    static const char *const n[HY_SA_STAGES] = {"-", "recon", "exploit", "c2", "exfil"};
    return stage >= 0 && stage < HY_SA_STAGES ? n[stage] : "?";
}

/* ---- addresses */

uint32_t hy__sa_host_ip(const sa_ctx *c, uint32_t i)
{
    (void)c; /* hosts are laid out the same for every run */
    if (i < SV__COUNT)
        return hy__sa_server_ip[i];
    i -= SV__COUNT;
    return IP4(10, 0, 16 + i / 254, 1 + i % 254);
}

/* A stable external address for hash h. */
uint32_t hy__sa_ext_ip(uint64_t h)
{
    uint32_t k = (uint32_t)(h % (sizeof ext_nets / sizeof ext_nets[0]));
    uint32_t size = 1u << (32 - ext_nets[k].len);
    return ext_nets[k].net + 1 + (uint32_t)((h >> 8) % (size - 2));
}

/* Background sources: mostly the benchmark range, some documentation ones. */
static uint32_t bg_source_ip(const sa_ctx *c, uint32_t i)
{
    uint64_t h = sa_hash(c->cfg.seed ^ 0xb6b6, i);
    if (h % 10 == 0)
        return IP4(203, 0, 113, 1 + (uint32_t)(h >> 8) % 254);
    if (h % 10 == 1)
        return IP4(198, 51, 100, 1 + (uint32_t)(h >> 8) % 254);
    return IP4(198, 18, 0, 0) + 1 + (uint32_t)((h >> 8) % 131070);
}

/* The server an internal client reaches for signature s. */
uint32_t hy__sa_server_for(const sa_ctx *c, const sa_sig *s, uint64_t cseed, uint32_t client,
                           sa_rng *r)
{
    static const uint32_t pub_dns[4] = {IP4(8, 8, 8, 8), IP4(1, 1, 1, 1), IP4(9, 9, 9, 9),
                                        IP4(8, 8, 4, 4)};
    if (s->flags & F_MCAST) {
        switch (s->port) {
        case 1900:
            return IP4(239, 255, 255, 250);
        case 5353:
            return IP4(224, 0, 0, 251);
        case 5355:
            return IP4(224, 0, 0, 252);
        case 67:
            return 0xffffffffu;
        default:
            return IP4(10, 0, 255, 255);
        }
    }
    if (s->flags & F_PUBDNS)
        return pub_dns[cseed & 3];
    if (s->app == A_DNS)
        return (cseed & 7) ? hy__sa_server_ip[SV_DNS] : hy__sa_server_ip[SV_DC1 + (cseed >> 3 & 1)];
    if (s->flags & F_INTERNAL) {
        uint32_t h = sa_below(r, 10), other;
        switch (s->port) {
        case 88:
        case 389:
        case 636:
        case 135:
            return hy__sa_server_ip[SV_DC1 + (h & 1)];
        case 1433:
            return hy__sa_server_ip[SV_DB1 + (h & 1)];
        case 445:
        case 139:
            if (h < 6)
                return hy__sa_server_ip[SV_FILES];
            if (h < 8)
                return hy__sa_server_ip[SV_DC1];
            break;
        case 9401:
        case 10000:
        case 873:
            return hy__sa_server_ip[SV_BACKUP];
        default:
            break;
        }
        other = hy__sa_host_ip(c, sa_below(r, c->nhosts));
        return other == client ? hy__sa_server_ip[SV_FILES] : other;
    }
    if (s->host && strcmp(s->host, "@") != 0)
        return hy__sa_ext_ip(sa_hash(s->sid, cseed & 3));
    if (!s->host && (s->app == A_HTTP || s->app == A_TLS))
        return hy__sa_ext_ip(sa_hash(0x517e, cseed % hy__sa_n_sites));
    return hy__sa_ext_ip(sa_hash(s->sid, cseed));
}

static uint16_t pick_port(const sa_sig *s, uint32_t server, sa_rng *r)
{
    if (s->port == 80 && s->pool != P_POL && (server & 0xffffff00u) == IP4(10, 0, 2, 0))
        return sa_below(r, 3) ? 443 : 80; /* the DMZ answers on both */
    if (s->port)
        return s->port;
    if (s->proto == 1)
        return 0;
    return common_ports[sa_below(r, sizeof common_ports / sizeof common_ports[0])];
}

static uint16_t eph_port(uint32_t client, sa_rng *r)
{
    if (client < IP4(10, 0, 16, 0)) /* servers: Linux range */
        return (uint16_t)(32768 + sa_below(r, 28232));
    return (uint16_t)(49152 + sa_below(r, 16384));
}

uint8_t hy__sa_size_for(const sa_sig *s, int cls, int stage)
{
    if (s->app == A_DNS || s->app == A_NTP || s->app == A_DHCP)
        return SZ_DNS;
    if (stage == HY_SA_C2)
        return SZ_BEACON;
    if (stage == HY_SA_EXFIL)
        return SZ_UPLOAD;
    if (cls == HY_SA_BACKUP)
        return SZ_BULK;
    if (cls == HY_SA_BACKGROUND || cls == HY_SA_SCANNER || stage == HY_SA_RECON)
        return s->app == A_HTTP || s->app == A_TLS ? SZ_SMALL : SZ_PROBE;
    if (s->app == A_HTTP || s->app == A_TLS || s->app == A_SMB)
        return SZ_WEB;
    return SZ_SMALL;
}

/* ---- events */

sa_ev *hy__sa_push(sa_ctx *c)
{
    if (c->err)
        return NULL;
    if (c->nev == c->capev) {
        size_t cap = c->capev ? c->capev * 2 : 4096;
        sa_ev *n = NULL;
        if (cap > MAX_CHUNK_EVENTS)
            c->err = hy_err_set(HY_ERR_TOOBIG, "synth alerts: over %u alerts in an hour",
                                MAX_CHUNK_EVENTS);
        else if (!(n = realloc(c->ev, cap * sizeof *n)))
            c->err = HY_ERR_NOMEM;
        if (!n)
            return NULL;
        c->ev = n;
        c->capev = cap;
    }
    sa_ev *e = &c->ev[c->nev];
    memset(e, 0, sizeof *e);
    e->seq = (uint32_t)c->nev++;
    return e;
}

void hy__sa_client_event(sa_ev *e, uint16_t sig, uint32_t client, uint32_t server, int cls,
                         sa_rng *r)
{
    const sa_sig *s = &hy__sa_sigs[sig];
    e->sig = sig;
    e->cls = (uint8_t)cls;
    e->src = client;
    e->dst = server;
    e->sport = eph_port(client, r);
    e->dport = pick_port(s, server, r);
    e->rnd = sa_next(r);
    e->size = hy__sa_size_for(s, cls, 0);
}

uint32_t hy__sa_cdf_pick(const double *cdf, uint32_t n, double u)
{
    uint32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A Poisson count of mean lambda: Knuth's product of uniforms when small,
 * the normal approximation (Box-Muller) when large. */
static uint32_t draw_count(double lambda, sa_rng *r)
{
    if (lambda <= 0)
        return 0;
    if (lambda < 30) {
        double l = exp(-lambda), p = sa_unif(r);
        uint32_t k = 0;
        while (p > l && k < 1000) {
            p *= sa_unif(r);
            k++;
        }
        return k;
    }
    double u1 = sa_unif(r), u2 = sa_unif(r);
    double z = sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
    double v = floor(lambda + sqrt(lambda) * z + 0.5);
    return v < 0 ? 0 : (uint32_t)v;
}

/* Users' activity at UTC time t (1970-01-01 was a Thursday). */
static double user_weight(uint64_t t)
{
    uint64_t day = t / DAY_NS;
    unsigned h = (unsigned)(t % DAY_NS / H_NS), dow = (unsigned)((day + 3) % 7);
    return dow < 5 ? user_wd[h] : user_we[h];
}

/* A day's multiplier for a source: days differ a little. */
static double day_noise(const sa_ctx *c, uint64_t t, uint32_t src)
{
    sa_rng r = {sa_hash(c->cfg.seed ^ 0xda7, (t / DAY_NS) * 16 + src)};
    return 0.85 + 0.3 * sa_unif(&r);
}

static void gen_policy(sa_ctx *c, uint64_t t0, uint64_t len, uint64_t hour)
{
    sa_rng r = {sa_hash(c->cfg.seed, hour * 8 + HY_SA_POLICY)};
    double lam = (double)c->cfg.per_day * SHARE_POLICY / 24.0 * user_weight(t0 + len / 2) /
                 c->user_mean * day_noise(c, t0, 0) * (double)len / (double)H_NS;
    uint32_t n = draw_count(lam, &r);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = hy__sa_cdf_pick(c->cdf[P_POL], c->npool[P_POL], sa_unif(&r));
        double u = sa_unif(&r);
        uint32_t host =
            (c->pol_off[k] + (uint32_t)(c->pol_m[k] * u * u) * c->pol_step[k]) % c->nhosts;
        uint16_t sig = c->pool[P_POL][k];
        const sa_sig *s = &hy__sa_sigs[sig];
        uint32_t client = hy__sa_host_ip(c, host);
        uint64_t cseed = sa_hash(client, s->sid);
        sa_ev *e = hy__sa_push(c);
        if (!e)
            return;
        hy__sa_client_event(e, sig, client, hy__sa_server_for(c, s, cseed, client, &r),
                            HY_SA_POLICY, &r);
        if (s->flags & F_EXFIL && e->rnd % 5 == 0)
            e->size = SZ_UPLOAD; /* users upload big files too */
        e->ts = t0 + sa_below(&r, (uint32_t)(len / 1000)) * 1000ull;
        e->host = client;
        e->cseed = cseed;
    }
}

static void gen_misconfig(sa_ctx *c, uint64_t t0, uint64_t len, uint64_t hour)
{
    sa_rng r = {sa_hash(c->cfg.seed, hour * 8 + HY_SA_MISCONFIG)};
    uint32_t day = (uint32_t)((t0 - c->cfg.start_ns) / DAY_NS);
    for (uint32_t j = 0; j < c->nmis; j++) {
        const sa_misconfig *m = &c->mis[j];
        if (day < m->first_day || day > m->last_day)
            continue;
        double w = m->user ? user_weight(t0 + len / 2) / c->user_mean : 1.0;
        double lam = (double)c->cfg.per_day * SHARE_MISCONFIG / 24.0 * m->share * w * (double)len /
                     (double)H_NS;
        uint32_t n = draw_count(lam, &r);
        for (uint32_t i = 0; i < n; i++) {
            sa_ev *e = hy__sa_push(c);
            if (!e)
                return;
            hy__sa_client_event(e, m->sig, m->client, m->server, HY_SA_MISCONFIG, &r);
            e->dport = m->dport ? m->dport : e->dport;
            if (m->periodic) /* a retry timer: as regular as a beacon */
                e->ts = t0 + (uint64_t)((double)len * (i + 0.35 + 0.3 * sa_unif(&r)) / n);
            else
                e->ts = t0 + sa_below(&r, (uint32_t)(len / 1000)) * 1000ull;
            e->ts -= e->ts % 1000;
            e->host = m->client;
            e->cseed = sa_hash(m->client, hy__sa_sigs[m->sig].sid);
        }
    }
}

static void gen_background(sa_ctx *c, uint64_t t0, uint64_t len, uint64_t hour)
{
    static const uint8_t dmz_w[5] = {40, 20, 15, 15, 10}; /* www shop api vpn mx */
    sa_rng r = {sa_hash(c->cfg.seed, hour * 8 + HY_SA_BACKGROUND)};
    double hod = (double)((t0 + len / 2) % DAY_NS) / (double)H_NS;
    double lam = (double)c->cfg.per_day * SHARE_BACKGROUND / 24.0 *
                 (1.0 + 0.2 * cos((hod - 15.0) * 0.2617993877991494)) * day_noise(c, t0, 1) *
                 (double)len / (double)H_NS;
    uint32_t n = draw_count(lam, &r);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t src = hy__sa_cdf_pick(c->bg_cdf, N_BG_SOURCES, sa_unif(&r));
        uint64_t h = sa_hash(c->cfg.seed ^ 0x50c, src);
        uint32_t kind = (uint32_t)(h % 10), x = sa_below(&r, 100), d = 0, acc = 0;
        int pool = P_SCAN;
        uint16_t sig;
        if (kind < 6 && x < 80) {
            sig = c->pool[P_REP][hy__sa_cdf_pick(c->cdf[P_REP], c->npool[P_REP],
                                                 (double)(h >> 11) * (1.0 / 9007199254740992.0))];
        } else {
            if (kind >= 8 && x < 70)
                pool = x < 50 ? P_WEB : P_EXP;
            sig = c->pool[pool][hy__sa_cdf_pick(c->cdf[pool], c->npool[pool], sa_unif(&r))];
        }
        for (uint32_t y = sa_below(&r, 100); d < 4 && y >= acc + dmz_w[d]; d++)
            acc += dmz_w[d];
        sa_ev *e = hy__sa_push(c);
        if (!e)
            return;
        uint32_t target = hy__sa_server_ip[SV_WWW + d];
        hy__sa_client_event(e, sig, bg_source_ip(c, src), target, HY_SA_BACKGROUND, &r);
        e->sport = (uint16_t)(1024 + sa_below(&r, 64511));
        e->ts = t0 + sa_below(&r, (uint32_t)(len / 1000)) * 1000ull;
        e->host = target;
        e->cseed = sa_hash(e->src, hy__sa_sigs[sig].sid);
    }
}

/* Scanner k's session starting on UTC day d, if it scans that night. */
static bool scan_seg(const sa_ctx *c, uint32_t k, uint64_t d, sa_seg *g)
{
    const sa_scanner *sc = &c->scan[k];
    sa_rng r = {sa_hash(c->cfg.seed ^ 0x5ca2, d * 4 + k)};
    if (!(sc->dow_mask >> ((d + 3) % 7) & 1))
        return false;
    memset(g, 0, sizeof *g);
    g->a = d * DAY_NS + sc->hour * H_NS + sa_below(&r, 30) * MIN_NS;
    g->b = g->a + sc->hours * H_NS + sa_below(&r, 40) * MIN_NS;
    g->n = (uint32_t)(sc->per_session * (0.8 + 0.4 * sa_unif(&r)));
    g->seed = sa_next(&r);
    g->jit = 1.0f;
    g->cls = HY_SA_SCANNER;
    g->kind = K_SCAN;
    g->inside = scanner_ip[k];
    g->first = sc->first;
    g->ntargets = sc->ntargets;
    memcpy(g->sig, sc->sig, sizeof g->sig);
    memcpy(g->cw, sc->cw, sizeof g->cw);
    g->nsig = sc->nsig;
    return true;
}

/* Night d's backup window of server j (of BACKUP_SERVERS). */
static void backup_seg(const sa_ctx *c, uint32_t j, uint64_t d, sa_seg *g)
{
    static const uint8_t srv[6] = {SV_FILES, SV_DB1, SV_DB2, SV_DC1, SV_MAIL, SV_INTRA};
    sa_rng r = {sa_hash(c->cfg.seed ^ 0xbac, d * 8 + j)};
    bool weekend = (d + 3) % 7 >= 5;
    memset(g, 0, sizeof *g);
    g->a = d * DAY_NS + H_NS + j * 25 * MIN_NS + sa_below(&r, 10) * MIN_NS;
    g->b = g->a + (40 + sa_below(&r, 110)) * MIN_NS;
    g->n = draw_count((double)c->cfg.per_day * SHARE_BACKUP / 6.0 * (weekend ? 1.7 : 0.72) *
                          (0.8 + 0.4 * sa_unif(&r)),
                      &r);
    g->seed = sa_next(&r);
    g->jit = 1.0f;
    g->cls = HY_SA_BACKUP;
    g->kind = K_BACKUP;
    g->inside = g->host = hy__sa_server_ip[srv[j]];
    g->peer = hy__sa_server_ip[SV_BACKUP];
    memcpy(g->sig, c->bak_sig, sizeof g->sig);
    memcpy(g->cw, c->bak_cw, sizeof g->cw);
    g->nsig = c->nbak;
    if (srv[j] == SV_DB1 || srv[j] == SV_DB2)
        g->dport = 1433;
}

static void gen_segments(sa_ctx *c, uint64_t t0, uint64_t t1)
{
    sa_seg g;
    for (uint64_t d = t0 / DAY_NS - 1; d <= (t1 - 1) / DAY_NS && !c->err; d++) {
        for (uint32_t k = 0; k < c->nscan; k++)
            if (scan_seg(c, k, d, &g))
                hy__sa_emit_seg(c, &g, t0, t1);
        for (uint32_t j = 0; j < 6; j++) {
            backup_seg(c, j, d, &g);
            hy__sa_emit_seg(c, &g, t0, t1);
        }
    }
    for (uint32_t k = 0; k < c->ncamp; k++)
        for (uint32_t s = 0; s < c->camp[k].nseg; s++)
            hy__sa_emit_seg(c, &c->camp[k].seg[s], t0, t1);
}

static int ev_cmp(const void *a, const void *b)
{
    const sa_ev *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- setup */

static void zipf_cdf(double *cdf, uint32_t n, double s)
{
    double acc = 0;
    for (uint32_t k = 0; k < n; k++)
        cdf[k] = acc += pow(k + 1.0, -s);
    for (uint32_t k = 0; k < n; k++)
        cdf[k] /= acc;
}

static uint32_t gcd32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static hy_err setup_pools(sa_ctx *c)
{
    if (hy__sa_nsigs > sizeof c->used)
        return hy_err_set(HY_ERR_INTERNAL, "synth alerts: catalogue over %zu", sizeof c->used);
    for (uint32_t i = 0; i < hy__sa_nsigs; i++) {
        int p = hy__sa_sigs[i].pool;
        if (c->npool[p] >= MAX_POOL)
            return hy_err_set(HY_ERR_INTERNAL, "synth alerts: pool %d over %u", p, MAX_POOL);
        c->pool[p][c->npool[p]++] = (uint16_t)i;
        if (hy__sa_sigs[i].flags & F_BAK)
            hy__sa_seg_add(&c->tmp, (uint16_t)i, 1.0);
    }
    for (int p = 0; p < P__COUNT; p++)
        zipf_cdf(c->cdf[p], c->npool[p],
                 p == P_POL    ? ZIPF_POLICY
                 : p == P_REP  ? 1.5
                 : p == P_SCAN ? 1.2
                               : 1.0);
    hy__sa_seg_finish(&c->tmp);
    memcpy(c->bak_sig, c->tmp.sig, sizeof c->bak_sig);
    memcpy(c->bak_cw, c->tmp.cw, sizeof c->bak_cw);
    c->nbak = c->tmp.nsig;
    zipf_cdf(c->bg_cdf, N_BG_SOURCES, 1.0);
    return HY_OK;
}

/* Which hosts raise each policy signature: a seeded arithmetic walk over
 * a subset, so a few hosts raise much of it. */
static void setup_policy_hosts(sa_ctx *c, sa_rng *r)
{
    for (uint32_t k = 0; k < c->npool[P_POL]; k++) {
        double u = sa_unif(r);
        uint32_t m = (uint32_t)(c->nhosts * (0.01 + 0.6 * u * u * u)), step;
        c->pol_m[k] = m ? m : 1;
        c->pol_off[k] = sa_below(r, c->nhosts);
        step = 1 + sa_below(r, c->nhosts - 1);
        for (uint32_t tries = 0; gcd32(step, c->nhosts) != 1 && tries < c->nhosts; tries++)
            step = step % (c->nhosts - 1) + 1;
        c->pol_step[k] = step;
    }
}

static void setup_scanners(sa_ctx *c, sa_rng *r)
{
    uint32_t sessions = 0;
    c->nscan = 1 + sa_below(r, 2);
    for (uint32_t k = 0; k < c->nscan; k++) {
        sa_scanner *sc = &c->scan[k];
        uint32_t a = sa_below(r, 7), b = (a + 2 + sa_below(r, 4)) % 7, want = 20 + sa_below(r, 20);
        sa_seg *g = &c->tmp;
        sc->dow_mask = (uint8_t)(1u << a | 1u << b);
        sc->hour = k == 0 ? 20 + sa_below(r, 4) : sa_below(r, 4);
        sc->hours = 2 + sa_below(r, 4);
        sc->first = 0; /* the first sweeps everything, the second the servers */
        sc->ntargets = k == 0 ? c->nhosts : SV__COUNT;
        memset(g, 0, sizeof *g);
        for (uint32_t tries = 0; g->nsig < want && tries < 1000; tries++) {
            int p = (int)sa_below(r, 10);
            p = p < 5 ? P_SCAN : p < 8 ? P_WEB : P_EXP;
            hy__sa_seg_add(g, c->pool[p][sa_below(r, c->npool[p])], pow(g->nsig + 1.0, -0.8));
        }
        hy__sa_seg_finish(g);
        memcpy(sc->sig, g->sig, sizeof sc->sig);
        memcpy(sc->cw, g->cw, sizeof sc->cw);
        sc->nsig = g->nsig;
        sessions += 2;
    }
    for (uint32_t k = 0; k < c->nscan; k++)
        c->scan[k].per_session = (double)c->cfg.per_day * SHARE_SCANNER * 7.0 / sessions;
}

static void setup_misconfig(sa_ctx *c, sa_rng *r)
{
    uint16_t cand[64];
    uint32_t nc = 0;
    double tot = 0;
    for (uint32_t i = 0; i < hy__sa_nsigs && nc < 64; i++)
        if (hy__sa_sigs[i].flags & F_MISC)
            cand[nc++] = (uint16_t)i;
    c->nmis = 3 + sa_below(r, MAX_MISCONFIG - 2);
    for (uint32_t j = 0; j < c->nmis; j++) {
        sa_misconfig *m = &c->mis[j];
        uint32_t k = sa_below(r, nc - j);
        const sa_sig *s;
        m->sig = cand[k];
        cand[k] = cand[nc - j - 1];
        s = &hy__sa_sigs[m->sig];
        m->client = hy__sa_host_ip(c, sa_below(r, c->nhosts));
        m->user = m->client >= IP4(10, 0, 16, 0);
        m->server = hy__sa_server_for(c, s, sa_hash(m->client, s->sid), m->client, r);
        m->dport = s->port ? s->port : common_ports[sa_below(r, 8)];
        m->share = j == 0 ? 3.0 : 0.3 + sa_unif(r);
        m->periodic = j % 2 == 0;
        m->first_day = 0;
        m->last_day = sa_below(r, 10) < 3 ? sa_below(r, c->cfg.days) : UINT32_MAX;
        tot += m->share;
    }
    for (uint32_t j = 0; j < c->nmis; j++)
        c->mis[j].share /= tot;
}

static double user_mean(void)
{
    double s = 0;
    for (int h = 0; h < 24; h++)
        s += 5.0 * user_wd[h] + 2.0 * user_we[h];
    return s / (7.0 * 24.0);
}

hy_err hy__sa_ctx_init(sa_ctx *c, const hy_synth_alerts_cfg *cfg)
{
    hy_err e = hy_synth_alerts_cfg_check(cfg);
    if (e)
        return e;
    c->cfg = *cfg;
    c->cfg.start_ns -= c->cfg.start_ns % 1000;
    c->end_ns = c->cfg.start_ns + (uint64_t)c->cfg.days * DAY_NS;
    c->nhosts = SV__COUNT + cfg->hosts;
    c->user_mean = user_mean();
    if ((e = setup_pools(c)) != HY_OK)
        return e;
    sa_rng r = {sa_hash(cfg->seed, 0x5e7u)};
    setup_policy_hosts(c, &r);
    setup_scanners(c, &r);
    setup_misconfig(c, &r);
    return hy__sa_plan(c);
}

void hy__sa_ctx_free(sa_ctx *c)
{
    free(c->ev);
    free(c->camp);
    hy_buf_free(&c->eve);
    hy_buf_free(&c->truth);
}

/* ---- the run */

static hy_err run(sa_ctx *c)
{
    uint64_t hours = (uint64_t)c->cfg.days * 24;
    for (uint64_t h = 0; h < hours; h++) {
        uint64_t t0 = c->cfg.start_ns + h * H_NS, t1 = t0 + H_NS;
        c->nev = 0;
        gen_policy(c, t0, H_NS, h);
        gen_misconfig(c, t0, H_NS, h);
        gen_background(c, t0, H_NS, h);
        gen_segments(c, t0, t1);
        if (c->err)
            return c->err;
        if (c->nev > 1)
            qsort(c->ev, c->nev, sizeof *c->ev, ev_cmp);
        for (size_t i = 0; i < c->nev; i++) {
            hy_err e = hy__sa_write(c, &c->ev[i]);
            if (e)
                return e;
        }
    }
    return hy__sa_flush(c, true);
}

hy_err hy_synth_alerts(const hy_synth_alerts_cfg *cfg, FILE *eve, FILE *truth,
                       hy_synth_alerts_stats *st)
{
    sa_ctx *c;
    hy_err e;
    if (!eve)
        return hy_err_set(HY_ERR_ARG, "synth alerts: no output stream");
    if (!(c = calloc(1, sizeof *c)))
        return HY_ERR_NOMEM;
    if ((e = hy__sa_ctx_init(c, cfg)) != HY_OK)
        goto out;
    c->feve = eve;
    c->ftruth = truth;
    hy_buf_init(&c->eve, 64u << 20);
    hy_buf_init(&c->truth, 64u << 20);
    if (truth && fputs("#line\tlabel\tclass\tcampaign\tstage\thost\n", truth) == EOF) {
        e = hy_err_set(HY_ERR_IO, "synth alerts: cannot write the truth");
        goto out;
    }
    e = run(c);
    hy__sa_stats_finish(c);
    if (st)
        *st = c->st;
out:
    hy__sa_ctx_free(c);
    free(c);
    return e;
}
