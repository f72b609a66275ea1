/* Traffic generator: configuration, host and server identities, the flow
 * budget, and the scheduler. Active flows sit in a min-heap keyed by the
 * time of their next packet; new flows start at sorted uniform times, so
 * flows overlap and only active ones are in memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/synth.h"
#include "net/synth_int.h"

#define PORTS_PER_HOST   64512u  /* ports 1024..65535: distinct client 5-tuples */
#define PING_EXTERNAL    131072u /* 198.18.0.0/15 echo targets beyond the servers */
#define START_SPAN       0.9     /* flows start within the first 90 % of the span */
#define PROGRESS_EVERY   65536u
#define DEFAULT_PER_FLOW 50u /* packets per flow when no target is given */

/* UDP applications by share of UDP flows: DNS, NTP (fixed two packets), QUIC, RTP. */
static const unsigned udp_mix[4] = {60, 10, 20, 10};
#define UDP_FIXED_SHARE 0.70

void hy_synth_cfg_default(hy_synth_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->flows = 1000;
    cfg->packets = 50000;
    cfg->duration_s = 60;
    cfg->hosts = 1000;
    cfg->servers = 200;
    cfg->start_ns = HY_SYNTH_START_NS;
    cfg->linktype = HY_SYNTH_LINKTYPE_ETHERNET;
    cfg->tcp_pct = 80;
    cfg->udp_pct = 15;
    cfg->icmp_pct = 5;
    cfg->ipv6_pct = 10;
    cfg->snaplen = 65535;
}

/* ---- random variates */

double hy__synth_exp(hy__rng *r, double mean)
{
    return -log1p(-hy__rng_unit(r)) * mean;
}

double hy__synth_lognormal(hy__rng *r, double median, double sigma)
{
    double u1 = 1.0 - hy__rng_unit(r), u2 = hy__rng_unit(r);
    double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    return median * exp(sigma * z);
}

/* Rank in [0, n) from a continuous power law with exponent a (a != 1). */
static uint32_t zipf(hy__rng *r, uint32_t n, double a)
{
    double c = pow((double)n + 1.0, 1.0 - a) - 1.0;
    double x = pow(c * hy__rng_unit(r) + 1.0, 1.0 / (1.0 - a));
    uint32_t k = x < 1.0 ? 0 : (uint32_t)(x - 1.0);
    return k < n ? k : n - 1;
}

/* ---- identities */

void hy__synth_host_addr(uint32_t h, bool v6, uint8_t out[16])
{
    uint32_t sub = 1 + h / 254, hp = 1 + h % 254;
    memset(out, 0, 16);
    if (!v6) {
        out[0] = 10;
        out[1] = (uint8_t)(sub >> 8);
        out[2] = (uint8_t)sub;
        out[3] = (uint8_t)hp;
        return;
    }
    hy__wr32(out, 0x20010db8u);
    hy__wr16(out + 6, (uint16_t)sub);
    hy__wr16(out + 14, (uint16_t)hp);
}

void hy__synth_server_addr(uint32_t s, bool v6, uint8_t out[16])
{
    uint32_t sub = s / 254, hp = 1 + s % 254;
    memset(out, 0, 16);
    if (!v6) {
        out[0] = 172;
        out[1] = (uint8_t)(16 + (sub >> 8));
        out[2] = (uint8_t)sub;
        out[3] = (uint8_t)hp;
        return;
    }
    hy__wr32(out, 0x20010db8u);
    hy__wr16(out + 4, 0x005e);
    hy__wr32(out + 12, s + 1);
}

void hy__synth_resolver_addr(uint32_t r, bool v6, uint8_t out[16])
{
    memset(out, 0, 16);
    if (!v6) {
        out[0] = 10;
        out[3] = (uint8_t)(53 + r);
        return;
    }
    hy__wr32(out, 0x20010db8u);
    hy__wr16(out + 14, (uint16_t)(0x53 + r));
}

/* Echo targets beyond the server set: 198.18.0.0/15, 2001:db8:fffe::/48. */
static void external_addr(uint32_t e, bool v6, uint8_t out[16])
{
    memset(out, 0, 16);
    if (!v6) {
        out[0] = 198;
        out[1] = (uint8_t)(18 + (e >> 16));
        out[2] = (uint8_t)(e >> 8);
        out[3] = (uint8_t)e;
        return;
    }
    hy__wr32(out, 0x20010db8u);
    hy__wr16(out + 4, 0xfffe);
    hy__wr32(out + 12, e + 1);
}

uint64_t hy__synth_server_hash(const hy__synth *g, uint32_t s)
{
    return hy__mix64(g->cfg.seed ^ 0x5e7e7e7e00000000ull ^ ((uint64_t)s * 0x9e3779b97f4a7c15ull));
}

static uint64_t host_hash(const hy__synth *g, uint32_t h)
{
    return hy__mix64(g->cfg.seed ^ 0x4057000000000000ull ^ ((uint64_t)h * 0xd1b54a32d192ed03ull));
}

uint32_t hy__synth_pick_server(hy__synth *g)
{
    return zipf(&g->rng, g->cfg.servers, 1.1);
}

/* Observed TTL of a server-side host: its initial TTL less its hop count. */
static uint8_t far_ttl(uint64_t hash, uint8_t *os)
{
    unsigned kind = (unsigned)(hash % 100), hops = 3 + (unsigned)((hash >> 8) % 18);
    *os = kind < 75 ? HY__OS_LINUX : HY__OS_WINDOWS;
    unsigned init = kind < 75 ? 64 : kind < 95 ? 128 : 255;
    return (uint8_t)(init - hops);
}

/* Client ephemeral port number k of a host: first the OS range, then the
 * rest of 1024..65535, so PORTS_PER_HOST flows of one host never share one. */
static uint16_t eph_port(uint8_t os, uint64_t hash, uint32_t k)
{
    uint32_t lo = os == HY__OS_LINUX ? 32768 : 49152, hi = os == HY__OS_LINUX ? 60999 : 65535;
    uint32_t range = hi - lo + 1;
    k %= PORTS_PER_HOST;
    if (k < range)
        return (uint16_t)(lo + (uint32_t)((hash >> 20) + k) % range);
    k -= range;
    return (uint16_t)(k < lo - 1024 ? 1024 + k : hi + 1 + (k - (lo - 1024)));
}

/* ---- flow setup */

static uint32_t pick_host(hy__synth *g, bool ping)
{
    uint32_t n = g->cfg.hosts, h;
    uint32_t rank = zipf(&g->rng, n, 0.7);
    h = (uint32_t)(((uint64_t)rank * g->host_mult + 0x2545f491u) % n);
    for (uint32_t i = 0; i < n; i++, h = (h + 1) % n) {
        if (ping ? g->host_pings[h] < g->cfg.servers + PING_EXTERNAL
                 : g->host_ports[h] < PORTS_PER_HOST)
            break;
    }
    return h;
}

static uint16_t tcp_port(hy__synth *g, uint64_t shash)
{
    static const uint16_t primary[16] = {443, 443, 443, 443,  443, 443, 443,  80,
                                         80,  80,  22,  8080, 993, 25,  3389, 445};
    static const uint16_t other[10] = {443, 443, 443, 80, 80, 22, 8443, 8080, 5432, 3306};
    unsigned u = hy__rng_below(&g->rng, 100);
    if (u < 85)
        return primary[(shash >> 24) & 15];
    if (u < 97)
        return other[hy__rng_below(&g->rng, 10)];
    return (uint16_t)hy__rng_range(&g->rng, 1025, 9999);
}

static uint8_t tcp_app(uint16_t port)
{
    switch (port) {
    case 80:
    case 8080:
        return HY__APP_HTTP;
    case 443:
    case 8443:
    case 993:
        return HY__APP_TLS;
    case 22:
        return HY__APP_SSH;
    default:
        return HY__APP_TCP_OTHER;
    }
}

/* Protocol and, for UDP, application of a new flow. */
static void pick_proto(hy__synth *g, hy__flow *f)
{
    unsigned u = hy__rng_below(&g->rng, 100);

    if (u < g->cfg.tcp_pct) {
        f->proto = 6;
    } else if (u < g->cfg.tcp_pct + g->cfg.udp_pct) {
        f->proto = 17;
        unsigned a = hy__rng_below(&g->rng, 100), acc = 0, i;
        for (i = 0; i < 3; i++)
            if (a < (acc += udp_mix[i]))
                break;
        f->app = (uint8_t)(HY__APP_DNS + i);
    } else {
        f->proto = f->v6 ? 58 : 1;
        f->app = HY__APP_PING;
    }
}

/* Server side of a new flow: address, TTL, port and TCP application. */
static void pick_service(hy__synth *g, hy__flow *f)
{
    uint8_t os;

    f->server = UINT32_MAX;
    if (f->app == HY__APP_DNS) {
        uint32_t r = hy__rng_below(&g->rng, 2);
        hy__synth_resolver_addr(r, f->v6, f->sip);
        f->dport = 53;
        f->ttl[1] = 63;
        f->os[1] = HY__OS_LINUX;
        return;
    }
    if (f->app == HY__APP_PING) {
        uint32_t c = g->host_pings[f->host]++, s = g->cfg.servers;
        if (c < s) {
            f->server = (f->host + c) % s;
            hy__synth_server_addr(f->server, f->v6, f->sip);
            f->ttl[1] = far_ttl(hy__synth_server_hash(g, f->server), &f->os[1]);
        } else {
            external_addr(c - s, f->v6, f->sip);
            f->ttl[1] = far_ttl(hy__mix64(g->cfg.seed ^ c ^ ((uint64_t)f->host << 32)), &f->os[1]);
        }
        return;
    }
    f->server = hy__synth_pick_server(g);
    uint64_t sh = hy__synth_server_hash(g, f->server);
    hy__synth_server_addr(f->server, f->v6, f->sip);
    f->ttl[1] = far_ttl(sh, &os);
    f->os[1] = os;
    if (f->proto == 6) {
        f->dport = tcp_port(g, sh);
        f->app = tcp_app(f->dport);
    } else if (f->app == HY__APP_NTP) {
        f->dport = 123;
    } else if (f->app == HY__APP_QUIC) {
        f->dport = 443;
    } else {
        f->dport = (uint16_t)(hy__rng_range(&g->rng, 5000, 9999) * 2); /* RTP: even port */
    }
}

/* Packets of a flow whose size is not fixed by its protocol, long-tailed
 * around mean mu, never below lo (when mu allows). */
static uint64_t draw_flex(hy__synth *g, double mu, uint32_t lo)
{
    if (mu < 2.0 * lo)
        lo = 1;
    double excess = mu - lo;
    if (excess < 1.0)
        return (uint64_t)lo + (hy__rng_unit(&g->rng) < excess ? 1 : 0);
    double sigma = excess < 20 ? 0.8 : 1.3;
    double x = hy__synth_lognormal(&g->rng, excess / exp(sigma * sigma / 2), sigma);
    if (x > 1e9)
        x = 1e9;
    return lo + (uint64_t)llround(x);
}

/* Packets planned for f, so that all flows together come close to the
 * packet target: each flexible flow aims at what the remaining budget leaves
 * per remaining flow after the expected fixed-size ones. */
static uint32_t plan_size(hy__synth *g, hy__flow *f)
{
    uint64_t k = g->cfg.flows - g->started; /* including this one */
    double R = (double)g->budget, phi = g->fixed_share, e = g->fixed_mean;
    uint64_t n;

    switch (f->app) {
    case HY__APP_DNS:
    case HY__APP_NTP:
        n = 2;
        break;
    default: {
        double mu = (R - (double)(k - 1) * phi * e) / (1.0 + (double)(k - 1) * (1.0 - phi));
        double reserve = (double)(k - 1) * (phi * e + (1.0 - phi));
        if (mu < 1)
            mu = 1;
        if (f->proto == 6 && hy__rng_pct(&g->rng, 3))
            n = 1 + hy__rng_below(&g->rng, 2); /* unanswered or refused SYN */
        else
            n = draw_flex(g, mu, f->proto == 6 ? 7 : f->app == HY__APP_QUIC ? 3 : 2);
        if (k == 1 && g->budget > 0)
            n = (uint64_t)g->budget;
        else if ((double)n > R - reserve)
            n = R - reserve >= 1 ? (uint64_t)(R - reserve) : 1;
    }
    }
    if (n > UINT32_MAX / 2)
        n = UINT32_MAX / 2;
    g->budget = g->budget > n ? g->budget - n : 0;
    return (uint32_t)n;
}

void hy__synth_fit_time(const hy__synth *g, hy__flow *f, double est_ns)
{
    double avail = (double)(g->end_ns - (f->t < g->end_ns ? f->t : g->end_ns)) * 0.9;
    if (avail < 1e6)
        avail = 1e6;
    if (est_ns <= avail)
        return;
    double k = avail / est_ns;
    uint32_t *v[] = {&f->rtt, &f->gap[0], &f->gap[1], &f->think, &f->srv_think, &f->ack_delay};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        double x = *v[i] * k;
        *v[i] = x < 200 ? 200 : (uint32_t)x;
    }
}

static hy_err slot_alloc(hy__synth *g, uint32_t *slot)
{
    if (g->free_n) {
        *slot = g->free_slots[--g->free_n];
        return HY_OK;
    }
    if (g->pool_n == g->pool_cap) {
        uint32_t cap = g->pool_cap ? g->pool_cap * 2 : 1024;
        hy__flow *p = realloc(g->pool, cap * sizeof *p);
        if (!p)
            return hy_err_set(HY_ERR_NOMEM, "synth: %u active flows", cap);
        g->pool = p;
        uint32_t *fs = realloc(g->free_slots, cap * sizeof *fs);
        if (!fs)
            return hy_err_set(HY_ERR_NOMEM, "synth: %u active flows", cap);
        g->free_slots = fs;
        hy__heap_ent *h = realloc(g->heap, cap * sizeof *h);
        if (!h)
            return hy_err_set(HY_ERR_NOMEM, "synth: %u active flows", cap);
        g->heap = h;
        g->pool_cap = g->heap_cap = cap;
    }
    *slot = g->pool_n++;
    return HY_OK;
}

/* ---- heap of active flows: (time of next packet, flow id) */

static bool ent_lt(const hy__heap_ent *a, const hy__heap_ent *b)
{
    return a->t < b->t || (a->t == b->t && a->id < b->id);
}

static void heap_push(hy__synth *g, hy__heap_ent e)
{
    uint32_t i = g->heap_n++;
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!ent_lt(&e, &g->heap[p]))
            break;
        g->heap[i] = g->heap[p];
        i = p;
    }
    g->heap[i] = e;
}

/* Replaces the top with e (or removes it when e is NULL) and restores order. */
static void heap_replace_top(hy__synth *g, const hy__heap_ent *e)
{
    hy__heap_ent x = e ? *e : g->heap[--g->heap_n];
    uint32_t n = g->heap_n, i = 0;
    if (n == 0)
        return;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ent_lt(&g->heap[c + 1], &g->heap[c]))
            c++;
        if (!ent_lt(&g->heap[c], &x))
            break;
        g->heap[i] = g->heap[c];
        i = c;
    }
    g->heap[i] = x;
}

/* Time of the next flow start: the minimum of the flows still to start,
 * drawn as sorted uniforms over the start span. */
static void next_start_time(hy__synth *g)
{
    uint64_t left = g->cfg.flows - g->started;
    uint64_t span_end = g->cfg.start_ns + (uint64_t)(g->cfg.duration_s * 1e9 * START_SPAN);
    if (left == 0 || g->next_start >= span_end)
        return;
    double frac = 1.0 - pow(hy__rng_unit(&g->rng), 1.0 / (double)left);
    g->next_start += (uint64_t)((double)(span_end - g->next_start) * frac);
}

static hy_err flow_start(hy__synth *g)
{
    uint32_t slot = 0;
    hy_err e = slot_alloc(g, &slot);
    if (e)
        return e;
    hy__flow *f = &g->pool[slot];
    memset(f, 0, sizeof *f);
    f->id = (uint32_t)g->started;
    f->t = g->next_start;
    f->v6 = hy__rng_pct(&g->rng, g->cfg.ipv6_pct);
    pick_proto(g, f);
    f->host = pick_host(g, f->app == HY__APP_PING);
    uint64_t hh = host_hash(g, f->host);
    unsigned osk = (unsigned)(hh % 100);
    f->os[0] = osk < 35 ? HY__OS_WINDOWS : osk < 85 ? HY__OS_LINUX : HY__OS_MAC;
    f->ttl[0] = f->os[0] == HY__OS_WINDOWS ? 128 : 64;
    hy__synth_host_addr(f->host, f->v6, f->cip);
    f->cmac[0] = 0x02;
    f->cmac[1] = (uint8_t)(hh >> 8);
    hy__wr32(f->cmac + 2, f->host + 1);
    pick_service(g, f);
    if (f->app != HY__APP_PING)
        f->sport = eph_port(f->os[0], hh, g->host_ports[f->host]++);
    f->left = f->planned = plan_size(g, f);

    if (f->proto == 6) {
        hy__synth_tcp_init(g, f);
        g->st.tcp_flows++;
    } else if (f->proto == 17) {
        hy__synth_udp_init(g, f);
        g->st.udp_flows++;
    } else {
        hy__synth_icmp_init(g, f);
        g->st.icmp_flows++;
    }
    g->st.ipv6_flows += f->v6;
    g->st.flows++;
    g->started++;
    heap_push(g, (hy__heap_ent){.t = f->t, .id = f->id, .slot = slot});
    next_start_time(g);
    return HY_OK;
}

/* Emits the next packet of the earliest active flow. */
static void flow_step(hy__synth *g)
{
    hy__heap_ent top = g->heap[0];
    hy__flow *f = &g->pool[top.slot];
    bool more;

    if (f->proto == 6)
        more = hy__synth_tcp_step(g, f);
    else if (f->proto == 17)
        more = hy__synth_udp_step(g, f);
    else
        more = hy__synth_icmp_step(g, f);
    if (more) {
        if (f->t > g->end_ns) { /* squeeze what is left of the flow into the span */
            uint64_t room = top.t < g->end_ns ? (g->end_ns - top.t) / (f->left + 1) : 0;
            f->t = top.t + (room > 200 ? room : 200);
        }
        top.t = f->t;
        heap_replace_top(g, &top);
    } else {
        g->free_slots[g->free_n++] = top.slot;
        heap_replace_top(g, NULL);
    }
}

static hy_err run(hy__synth *g)
{
    uint64_t cap = g->cfg.packets ? g->cfg.packets : UINT64_MAX;
    uint64_t next_progress = PROGRESS_EVERY;
    hy_err e;

    while (g->st.packets < cap && g->err == HY_OK) {
        bool want_new = g->started < g->cfg.flows;
        if (!want_new && g->heap_n == 0)
            break;
        if (want_new && (g->heap_n == 0 || g->next_start <= g->heap[0].t)) {
            if ((e = flow_start(g)) != HY_OK)
                return e;
            continue;
        }
        flow_step(g);
        if (g->cfg.progress && g->st.packets >= next_progress) {
            g->cfg.progress(g->cfg.progress_ud, g->st.packets, g->cfg.packets, g->st.packets);
            next_progress += PROGRESS_EVERY;
        }
    }
    return g->err;
}

static hy_err check_cfg(const hy_synth_cfg *c, const char *path)
{
    if (!path || !*path)
        return hy_err_set(HY_ERR_ARG, "synth: no output path");
    if (c->tcp_pct + c->udp_pct + c->icmp_pct != 100 || c->tcp_pct > 100 || c->udp_pct > 100)
        return hy_err_set(HY_ERR_ARG, "synth: tcp/udp/icmp mix %u/%u/%u does not sum to 100",
                          c->tcp_pct, c->udp_pct, c->icmp_pct);
    if (c->ipv6_pct > 100)
        return hy_err_set(HY_ERR_ARG, "synth: ipv6 share %u%% over 100", c->ipv6_pct);
    if (!(c->duration_s >= 0.001 && c->duration_s <= 1e8))
        return hy_err_set(HY_ERR_ARG, "synth: duration must be 0.001 s to 1e8 s");
    if (c->start_ns / 1000000000u + (uint64_t)c->duration_s + 10 >= (1ull << 32))
        return hy_err_set(HY_ERR_ARG, "synth: times beyond the year 2106 do not fit pcap");
    if (c->hosts < 1 || c->hosts > HY_SYNTH_MAX_HOSTS)
        return hy_err_set(HY_ERR_ARG, "synth: hosts must be 1..%u", HY_SYNTH_MAX_HOSTS);
    if (c->servers < 1 || c->servers > HY_SYNTH_MAX_SERVERS)
        return hy_err_set(HY_ERR_ARG, "synth: servers must be 1..%u", HY_SYNTH_MAX_SERVERS);
    if (c->flows > UINT32_MAX || c->flows > (uint64_t)c->hosts * PORTS_PER_HOST)
        return hy_err_set(HY_ERR_ARG, "synth: %llu flows need more hosts (at most %u per host)",
                          (unsigned long long)c->flows, PORTS_PER_HOST);
    if (c->snaplen < 64 || c->snaplen > 262144)
        return hy_err_set(HY_ERR_ARG, "synth: snaplen must be 64..262144");
    if (c->vlan > 4094)
        return hy_err_set(HY_ERR_ARG, "synth: VLAN id %u over 4094", c->vlan);
    if (c->linktype != HY_SYNTH_LINKTYPE_ETHERNET && c->linktype != HY_SYNTH_LINKTYPE_RAW)
        return hy_err_set(HY_ERR_UNSUPPORTED, "synth: linktype %d (Ethernet 1 or raw 101)",
                          c->linktype);
    if (c->vlan && c->linktype != HY_SYNTH_LINKTYPE_ETHERNET)
        return hy_err_set(HY_ERR_ARG, "synth: a VLAN tag needs the Ethernet linktype");
    return HY_OK;
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

static hy_err setup(hy__synth *g, const hy_synth_cfg *cfg)
{
    g->cfg = *cfg;
    hy__rng_seed(&g->rng, cfg->seed);
    for (size_t i = 0; i < sizeof g->rnd; i += 8) {
        uint64_t v = hy__rng_next(&g->rng);
        memcpy(g->rnd + i, &v, 8);
    }
    g->rnd_sum = malloc((sizeof g->rnd / 2 + 1) * sizeof *g->rnd_sum);
    if (!g->rnd_sum)
        return hy_err_set(HY_ERR_NOMEM, "synth: payload sums");
    g->rnd_sum[0] = 0;
    for (size_t i = 0; i < sizeof g->rnd / 2; i++)
        g->rnd_sum[i + 1] = hy__synth_csum_add(g->rnd_sum[i], g->rnd + 2 * i, 2);
    g->host_ports = calloc(cfg->hosts, sizeof *g->host_ports);
    g->host_pings = calloc(cfg->hosts, sizeof *g->host_pings);
    if (!g->host_ports || !g->host_pings)
        return hy_err_set(HY_ERR_NOMEM, "synth: %u hosts", cfg->hosts);
    g->host_mult = (uint32_t)(2654435761u % cfg->hosts);
    while (cfg->hosts > 1 && (g->host_mult == 0 || gcd32(g->host_mult, cfg->hosts) != 1))
        g->host_mult++;
    g->end_ns = cfg->start_ns + (uint64_t)(cfg->duration_s * 1e9);
    g->next_start = cfg->start_ns;
    g->budget = cfg->packets ? cfg->packets : cfg->flows * DEFAULT_PER_FLOW;
    /* DNS and NTP flows are two packets; all others take their size from the budget. */
    g->fixed_share = cfg->udp_pct * UDP_FIXED_SHARE / 100.0;
    g->fixed_mean = 2;
    return HY_OK;
}

hy_err hy_synth_traffic(const hy_synth_cfg *cfg, const char *path, hy_synth_stats *st_out)
{
    hy__synth *g = NULL;
    hy_err e, e2;

    if (st_out)
        memset(st_out, 0, sizeof *st_out);
    if (!cfg)
        return hy_err_set(HY_ERR_ARG, "synth: no configuration");
    if ((e = check_cfg(cfg, path)) != HY_OK)
        return e;
    g = calloc(1, sizeof *g);
    if (!g)
        return hy_err_set(HY_ERR_NOMEM, "synth: context");
    if ((e = setup(g, cfg)) != HY_OK)
        goto out;
    if ((e = hy__synth_out_open(g, path)) != HY_OK)
        goto out;
    e = run(g);
out:
    e2 = hy__synth_out_close(g);
    if (e == HY_OK)
        e = e2;
    if (st_out)
        *st_out = g->st;
    free(g->rnd_sum);
    free(g->host_ports);
    free(g->host_pings);
    free(g->pool);
    free(g->free_slots);
    free(g->heap);
    free(g);
    return e;
}
