/* Darknet (network telescope) generator: configuration, event expansion,
 * addresses and the scheduler. Every source of packets is an emitter in a
 * min-heap keyed by (time of its next packet, emitter id): the background,
 * each infected host of an outbreak, each scanner and each backscatter
 * burst. The number of emitters depends on the events, not on the
 * duration, so memory stays bounded. Each event family has its own PRNG
 * stream, so the background is the same with or without injected events. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/synth.h"
#include "net/synth_int.h"

#define NS             1000000000ull
#define DAY_NS         (86400ull * NS)
#define MAX_EVENTS     4096u /* explicit plus randomly placed events */
#define PROGRESS_EVERY 65536u
#define SLOT_WALK      256u /* slots searched for the next "on" slot */
#define ADDR_TRIES     100000u
#define DEFAULT_PPM    4.0
#define RETX_CAP_MAX   (1u << 18)

/* ---- random helpers */

uint32_t hy__dn_zipf_u(double u, uint32_t n, double a)
{
    double c = pow((double)n + 1.0, 1.0 - a) - 1.0;
    double x = pow(c * u + 1.0, 1.0 / (1.0 - a));
    uint32_t k = x < 1.0 ? 0 : (uint32_t)(x - 1.0);
    return k < n ? k : n - 1;
}

uint32_t hy__dn_zipf(hy__rng *r, uint32_t n, double a)
{
    return hy__dn_zipf_u(hy__rng_unit(r), n, a);
}

/* Four-round Feistel network on 2*ceil(bits/2) bits, cycle-walked into
 * [0, 2^bits): a permutation whatever the key. */
uint32_t hy__dn_perm(uint32_t x, unsigned bits, uint64_t key)
{
    if (bits == 0)
        return 0;
    unsigned half = (bits + 1) / 2;
    uint64_t mask = (1ull << half) - 1, dom = 1ull << bits;
    uint64_t v = x;
    do {
        uint64_t l = v >> half, r = v & mask;
        for (int i = 0; i < 4; i++) {
            uint64_t nl = r;
            r = l ^ (hy__mix64(key + (uint64_t)i * 0x9e3779b97f4a7c15ull + r) & mask);
            l = nl;
        }
        v = (l << half) | r;
    } while (v >= dom);
    return (uint32_t)v;
}

uint32_t hy__dn_dark_addr(hy__dn *g, hy__rng *r)
{
    if (g->host_bits == 0)
        return g->net;
    uint32_t off = (uint32_t)(hy__rng_next(r) >> (64 - g->host_bits));
    return g->net | off;
}

/* ---- addresses: public unicast, outside the telescope. A keyed hash of
 * the address splits the space so event sources never meet background ones. */

static bool special_addr(uint32_t a)
{
    static const struct {
        uint32_t net;
        uint8_t len;
    } bogons[] = {
        {0x00000000u, 8},  {0x0a000000u, 8},  {0x64400000u, 10}, {0x7f000000u, 8},
        {0xa9fe0000u, 16}, {0xac100000u, 12}, {0xc0000000u, 24}, {0xc0000200u, 24},
        {0xc0586300u, 24}, {0xc0a80000u, 16}, {0xc6120000u, 15}, {0xc6336400u, 24},
        {0xcb007100u, 24}, {0xe0000000u, 3},
    };
    for (size_t i = 0; i < sizeof bogons / sizeof bogons[0]; i++) {
        uint32_t m = 0xffffffffu << (32 - bogons[i].len);
        if ((a & m) == bogons[i].net)
            return true;
    }
    return false;
}

static bool usable(const hy__dn *g, uint32_t a, bool event)
{
    uint32_t m = g->host_bits >= 32 ? 0 : 0xffffffffu << g->host_bits;
    if (special_addr(a) || (a & m) == g->net)
        return false;
    bool ev = (hy__mix64(a ^ g->bg_key ^ 0x0e7e0e7e00000000ull) & 15) == 0;
    return ev == event;
}

/* The head of a population keeps its address; the rest change once a day
 * at a staggered moment (address churn). */
uint32_t hy__dn_bg_source(hy__dn *g, uint32_t rank, unsigned pop, uint64_t t)
{
    uint32_t n = pop ? g->endemic_pop : g->bg_pop;
    uint64_t epoch = 0;
    if (rank >= n / 100) {
        uint64_t phase = hy__mix64(g->bg_key ^ rank) % DAY_NS;
        epoch = (t - g->start + phase) / DAY_NS + 1;
    }
    uint64_t x = g->bg_key ^ ((uint64_t)rank * 0xd1b54a32d192ed03ull) ^
                 (epoch * 0x8cb92ba72f3d8dd7ull) ^ ((uint64_t)pop << 62);
    for (unsigned i = 0; i < 64; i++) {
        uint32_t a = (uint32_t)hy__mix64(x + i);
        if (usable(g, a, false))
            return a;
    }
    /* 64 misses in a row (odds below 1e-40): a fixed public address outside
     * the telescope, which lies inside one /8. */
    return (g->net >> 24) == 8 ? 0x09090909u : 0x08080808u;
}

static bool aset_add(hy__dn *g, uint32_t a)
{
    uint32_t i = (uint32_t)hy__mix64(a) & g->aset_mask;
    while (g->aset[i]) {
        if (g->aset[i] == a)
            return false;
        i = (i + 1) & g->aset_mask;
    }
    g->aset[i] = a;
    return true;
}

static hy_err event_addrs(hy__dn *g, hy__dn_event *e, uint32_t n)
{
    e->src0 = g->naddrs;
    e->nsrc = n;
    for (uint32_t k = 0, tries = 0; k < n; tries++) {
        if (tries > ADDR_TRIES + n)
            return hy_err_set(HY_ERR_INTERNAL, "synth darknet: no free source addresses");
        uint32_t a = (uint32_t)hy__rng_next(&e->rng);
        if (!usable(g, a, true) || !aset_add(g, a))
            continue;
        g->addrs[g->naddrs] = a;
        g->first[g->naddrs++] = 0;
        k++;
    }
    return HY_OK;
}

/* ---- events */

static void event_seed(const hy__dn *g, hy__dn_event *e, uint64_t tag)
{
    e->key = hy__mix64(g->cfg.seed ^ 0xe7e7000000000000ull ^ (tag * 0x9e3779b97f4a7c15ull));
    hy__rng_seed(&e->rng, e->key);
}

static uint64_t us_floor(uint64_t ns)
{
    return ns - ns % 1000;
}

static void add_outbreak(hy__dn *g, const hy_synth_darknet_outbreak *o, unsigned i)
{
    hy__dn_event *e = &g->ev[g->nev++];
    memset(e, 0, sizeof *e);
    event_seed(g, e, 0x100 + i);
    e->kind = HY__DN_OUTBREAK;
    e->proto = o->proto;
    e->port = o->port;
    e->fp = (uint8_t)o->fp;
    e->start = us_floor(g->start + o->start_ns);
    e->end = us_floor(g->start + o->start_ns + o->duration_ns);
    e->ramp = o->ramp_ns;
    e->hosts = o->hosts;
    e->rate = o->rate_ppm > 0 ? o->rate_ppm : DEFAULT_PPM;
    /* The hosts follow one C&C-driven on/off pattern: slots of 3-20 min
     * (shorter for short outbreaks), 70-90 % of them on, the first on. */
    double slot = 180e9 * pow(20.0 / 3.0, hy__rng_unit(&e->rng));
    double cap = (double)(e->end - e->start) / 5;
    if (slot > cap)
        slot = cap > 1e9 ? cap : 1e9;
    e->slot_ns = (uint64_t)slot;
    e->duty_pct = hy__rng_range(&e->rng, 70, 90);
    if (e->proto == 17) {
        uint32_t n = hy__dn_udp_payload(e->port, &e->rng, e->payload);
        if (n == 0) { /* an exploit or probe of its own, the same from every host */
            n = hy__rng_range(&e->rng, 16, 48);
            for (uint32_t k = 0; k < n; k++)
                e->payload[k] = (uint8_t)hy__rng_next(&e->rng);
        }
        e->paylen = (uint16_t)n;
    }
}

static void add_scanner(hy__dn *g, const hy_synth_darknet_scanner *s, uint64_t tag, bool autop)
{
    hy__dn_event *e = &g->ev[g->nev++];
    memset(e, 0, sizeof *e);
    event_seed(g, e, tag);
    e->kind = HY__DN_SCANNER;
    e->auto_placed = autop;
    e->fp = (uint8_t)s->tool;
    e->proto = s->proto;
    e->port = s->port;
    e->hosts = 1;
    e->start = us_floor(g->start + s->start_ns);
    uint64_t end = us_floor(g->start + s->start_ns + s->duration_ns);
    e->size = 1ull << g->host_bits;
    double span = (double)(end - e->start);
    e->gap_ns = s->rate_pps > 0 ? 1e9 / s->rate_pps : span / (double)e->size;
    if (e->gap_ns * (double)e->size < span)
        end = us_floor(e->start + (uint64_t)(e->gap_ns * (double)e->size)) + 1000;
    e->end = end;
    e->rate = 1e9 / e->gap_ns;
    e->sport = (uint16_t)hy__rng_range(&e->rng, 40000, 60999);
}

static void add_burst(hy__dn *g, const hy_synth_darknet_burst *b, uint64_t tag, bool autop)
{
    static const uint8_t retries[4] = {5, 2, 3, 5}; /* Linux, Windows, BSD, Linux */
    hy__dn_event *e = &g->ev[g->nev++];
    memset(e, 0, sizeof *e);
    event_seed(g, e, tag);
    e->kind = HY__DN_BURST;
    e->auto_placed = autop;
    e->reply = (uint8_t)b->reply;
    e->port = b->port;
    e->proto = b->reply <= HY_SYNTH_BS_RST ? 6 : 1;
    e->hosts = b->victims;
    e->rate = b->rate_pps;
    e->start = us_floor(g->start + b->start_ns);
    e->end = us_floor(g->start + b->start_ns + b->duration_ns);
    e->retries = b->reply == HY_SYNTH_BS_SYNACK ? retries[hy__rng_below(&e->rng, 4)] : 0;
    switch (b->port) { /* floods of UDP services come back as UDP errors */
    case 53:
    case 123:
    case 161:
    case 1900:
    case 11211:
    case 27015:
    case 19:
    case 389:
        e->inner_proto = 17;
        break;
    default:
        e->inner_proto = 6;
    }
}

/* Log-uniform in [lo, hi]. */
static double log_uniform(hy__rng *r, double lo, double hi)
{
    return lo * pow(hi / lo, hy__rng_unit(r));
}

/* Count of random events over the span: whole expected part plus one more
 * with the fractional probability. */
static uint32_t auto_count(hy__rng *r, double per_day, uint64_t span)
{
    double x = per_day * (double)span / (double)DAY_NS;
    uint32_t n = (uint32_t)x;
    return n + (hy__rng_unit(r) < x - n);
}

static uint64_t place(hy__rng *r, uint64_t total, uint64_t *dur)
{
    if (*dur >= total)
        *dur = total / 2 ? total / 2 : 1;
    return (uint64_t)(hy__rng_unit(r) * (double)(total - *dur));
}

static void auto_scanner(hy__dn *g, hy__rng *r, uint32_t i)
{
    static const uint16_t tcp_ports[] = {80, 443,  22,   8080, 3389, 445,  23,   21,
                                         25, 6379, 9200, 5900, 3306, 8443, 2375, 5432};
    static const uint16_t udp_ports[] = {53, 123, 161, 1900, 5060, 11211};
    hy_synth_darknet_scanner s = {0};
    s.tool = hy__rng_pct(r, 60) ? HY_SYNTH_FP_ZMAP : HY_SYNTH_FP_MASSCAN;
    s.proto = 6;
    if (s.tool == HY_SYNTH_FP_ZMAP && hy__rng_pct(r, 15)) {
        s.proto = 17;
        s.port = udp_ports[hy__rng_below(r, sizeof udp_ports / sizeof udp_ports[0])];
    } else {
        s.port = tcp_ports[hy__rng_below(r, sizeof tcp_ports / sizeof tcp_ports[0])];
    }
    s.duration_ns = (uint64_t)(log_uniform(r, 1200, 8 * 3600) * 1e9);
    s.start_ns = place(r, g->cfg.duration_ns, &s.duration_ns);
    add_scanner(g, &s, 0x20000 + i, true);
}

static void auto_burst(hy__dn *g, hy__rng *r, uint32_t i)
{
    static const uint16_t tcp[] = {80, 443, 80, 443, 22, 25, 3389, 8080, 53, 6667};
    static const uint16_t udp[] = {53, 123, 27015, 1900, 11211, 19, 53, 161};
    hy_synth_darknet_burst b = {0};
    unsigned u = hy__rng_below(r, 100);
    b.reply = u < 50   ? HY_SYNTH_BS_SYNACK
              : u < 70 ? HY_SYNTH_BS_RST
              : u < 90 ? HY_SYNTH_BS_UNREACH
                       : HY_SYNTH_BS_TTL;
    bool floods_udp =
        b.reply == HY_SYNTH_BS_UNREACH || (b.reply == HY_SYNTH_BS_TTL && hy__rng_pct(r, 50));
    b.port = floods_udp ? udp[hy__rng_below(r, sizeof udp / sizeof udp[0])]
                        : tcp[hy__rng_below(r, sizeof tcp / sizeof tcp[0])];
    b.duration_ns = (uint64_t)(log_uniform(r, 120, 3600) * 1e9);
    b.start_ns = place(r, g->cfg.duration_ns, &b.duration_ns);
    double base = g->cfg.rate_pps > 20 ? g->cfg.rate_pps : 20;
    b.rate_pps = base * log_uniform(r, 0.3, 3);
    b.victims = 1 + hy__rng_below(r, 3);
    add_burst(g, &b, 0x30000 + i, true);
}

static int event_cmp(const void *pa, const void *pb)
{
    const hy__dn_event *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->key < b->key ? -1 : a->key > b->key;
}

static hy_err expand_events(hy__dn *g)
{
    const hy_synth_darknet_cfg *c = &g->cfg;
    hy__rng r;
    hy__rng_seed(&r, hy__mix64(c->seed ^ 0xa070a070a070a070ull));
    uint32_t ns = auto_count(&r, c->scanners_per_day, c->duration_ns);
    uint32_t nb = auto_count(&r, c->bursts_per_day, c->duration_ns);
    uint64_t total = (uint64_t)c->n_outbreaks + c->n_scanners + c->n_bursts + ns + nb;
    if (total > MAX_EVENTS)
        return hy_err_set(HY_ERR_ARG,
                          "synth darknet: %llu events over the span (at most %u); "
                          "lower the scanners or bursts per day",
                          (unsigned long long)total, MAX_EVENTS);
    g->ev = calloc(total ? total : 1, sizeof *g->ev);
    if (!g->ev)
        return hy_err_set(HY_ERR_NOMEM, "synth darknet: events");
    for (uint32_t i = 0; i < c->n_outbreaks; i++)
        add_outbreak(g, &c->outbreak[i], i);
    for (uint32_t i = 0; i < c->n_scanners; i++)
        add_scanner(g, &c->scanner[i], 0x200 + i, false);
    for (uint32_t i = 0; i < c->n_bursts; i++)
        add_burst(g, &c->burst[i], 0x300 + i, false);
    for (uint32_t i = 0; i < ns; i++)
        auto_scanner(g, &r, i);
    for (uint32_t i = 0; i < nb; i++)
        auto_burst(g, &r, i);
    qsort(g->ev, g->nev, sizeof *g->ev, event_cmp);
    return HY_OK;
}

/* ---- outbreak timing */

static bool slot_on(const hy__dn_event *e, uint64_t k)
{
    return k == 0 || hy__mix64(e->key ^ (k * 0xc2b2ae3d27d4eb4full)) % 100 < e->duty_pct;
}

/* The first moment at or after t when the outbreak's hosts are scanning. */
static uint64_t next_on(const hy__dn_event *e, uint64_t t)
{
    uint64_t k = (t - e->start) / e->slot_ns;
    if (slot_on(e, k))
        return t;
    for (unsigned i = 0; i < SLOT_WALK; i++)
        if (slot_on(e, ++k))
            return e->start + k * e->slot_ns;
    return t;
}

static double mean_gap_ns(const hy__dn_event *e)
{
    return 60e9 / e->rate;
}

/* Next probe of an outbreak host after one at t; >= e->end when done. A
 * probe landing in an off slot moves to the next on slot plus a fresh gap. */
static uint64_t outbreak_next(hy__dn_event *e, uint64_t t)
{
    uint64_t n = t + 1000 + (uint64_t)hy__synth_exp(&e->rng, mean_gap_ns(e));
    for (unsigned i = 0; i < 16 && n < e->end; i++) {
        uint64_t on = next_on(e, n);
        if (on == n)
            return n;
        n = on + (uint64_t)hy__synth_exp(&e->rng, mean_gap_ns(e) / 4);
    }
    return n;
}

/* Join times: host k joins at start + ramp * (k + u) / hosts and probes at
 * the first on moment after joining; a host that would find none before
 * the end probes once at its join time, so every host is seen. */
static void outbreak_joins(hy__dn *g, hy__dn_event *e)
{
    for (uint32_t k = 0; k < e->hosts; k++) {
        double u = hy__rng_unit(&e->rng);
        uint64_t j = e->start + (uint64_t)((double)e->ramp * ((double)k + u) / e->hosts);
        if (e->ramp == 0)
            j += (uint64_t)(u * fmin(mean_gap_ns(e), (double)(e->end - e->start) / 2));
        if (j >= e->end)
            j = e->end - 1000;
        uint64_t f = next_on(e, j);
        if (f != j) /* joined while the hosts pause: starts with the others, jittered */
            f += (uint64_t)hy__synth_exp(&e->rng, mean_gap_ns(e) / 4);
        g->first[e->src0 + k] = f < e->end ? f : j;
    }
}

/* ---- heap */

static bool ent_lt(const hy__dn_ent *a, const hy__dn_ent *b)
{
    return a->t < b->t || (a->t == b->t && a->em < b->em);
}

static void heap_push(hy__dn *g, uint64_t t, uint32_t em)
{
    hy__dn_ent x = {t, em};
    uint32_t i = g->heap_n++;
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (!ent_lt(&x, &g->heap[p]))
            break;
        g->heap[i] = g->heap[p];
        i = p;
    }
    g->heap[i] = x;
}

/* Replaces the top with (t, em), or removes it when t >= the end. */
static void heap_update_top(hy__dn *g, uint64_t t)
{
    hy__dn_ent x = g->heap[0];
    if (t >= g->end) {
        x = g->heap[--g->heap_n];
    } else {
        x.t = t;
    }
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

/* ---- emitters */

static uint64_t bg_next(hy__dn *g, uint64_t t)
{
    return t + 1 + (uint64_t)(-log1p(-hy__rng_unit(&g->bg_rng)) / g->bg_max);
}

static bool bg_accept(hy__dn *g, uint64_t t)
{
    double amp = g->cfg.daily_amplitude;
    double hour = (double)(t % DAY_NS) / 3.6e12;
    double lam = 1.0 + amp * cos(6.283185307179586 * (hour - g->cfg.peak_hour) / 24.0);
    return hy__rng_unit(&g->bg_rng) * (1.0 + amp) < lam;
}

static double burst_env(const hy__dn_event *e, uint64_t t)
{
    double d = (double)(e->end - e->start), x = (double)(t - e->start);
    double rise = fmin(60e9, 0.1 * d), fall = 0.25 * d;
    return fmin(1.0, x / rise) * fmin(1.0, ((double)e->end - (double)t) / fall);
}

static uint64_t burst_next_new(hy__dn_event *e, uint64_t t)
{
    return t + 1000 + (uint64_t)hy__synth_exp(&e->rng, 1e9 / e->rate);
}

/* Time of the burst's next packet: a new reply or a queued retransmission. */
static uint64_t burst_due(const hy__dn_event *e, int *level)
{
    uint64_t t = e->next_new;
    *level = -1;
    for (int k = 0; k < HY__DN_RETX_LEVELS; k++) {
        const hy__dn_ring *q = &e->q[k];
        if (q->n && q->v[q->head].t < t) {
            t = q->v[q->head].t;
            *level = k;
        }
    }
    return t;
}

static void burst_step(hy__dn *g, hy__dn_event *e, uint64_t t)
{
    int level;
    burst_due(e, &level);
    if (level >= 0) {
        hy__dn_ring *q = &e->q[level];
        hy__dn_retx x = q->v[q->head];
        q->head = (q->head + 1) & (q->cap - 1);
        q->n--;
        hy__dn_burst_packet(g, e, t, &x);
    } else {
        if (hy__rng_unit(&e->rng) < burst_env(e, t))
            hy__dn_burst_packet(g, e, t, NULL);
        e->next_new = burst_next_new(e, t);
    }
}

/* Counts a packet written at t (times kept as the pcap has them, in us). */
static void account(hy__dn *g, hy__dn_event *e, uint64_t t)
{
    t = us_floor(t);
    if (!e) {
        g->st.background++;
        return;
    }
    if (e->packets++ == 0)
        e->first_ns = t;
    e->last_ns = t;
    if (e->kind == HY__DN_OUTBREAK)
        g->st.outbreak++;
    else if (e->kind == HY__DN_SCANNER)
        g->st.scanner++;
    else
        g->st.backscatter++;
}

/* Emits the packet of the top emitter and returns its next time. */
static uint64_t step(hy__dn *g, uint64_t t, uint32_t em)
{
    uint32_t ei = g->em_ev[em];
    hy__dn_event *e = ei == UINT32_MAX ? NULL : &g->ev[ei];
    uint64_t before = g->w->st.packets, next;

    if (!e) {
        if (bg_accept(g, t))
            hy__dn_bg_packet(g, t);
        next = bg_next(g, t);
    } else if (e->kind == HY__DN_OUTBREAK) {
        hy__dn_outbreak_packet(g, e, g->em_host[em], t);
        next = outbreak_next(e, t);
    } else if (e->kind == HY__DN_SCANNER) {
        uint32_t off = hy__dn_perm((uint32_t)e->next_i, g->host_bits, e->key);
        hy__dn_scanner_packet(g, e, t, g->net | off);
        e->next_i++;
        double jit = hy__rng_unit(&e->rng) * 0.5;
        next = e->next_i >= e->size ? UINT64_MAX
                                    : e->start + (uint64_t)(e->gap_ns * ((double)e->next_i + jit));
    } else {
        burst_step(g, e, t);
        int level;
        next = burst_due(e, &level);
    }
    if (g->w->st.packets > before)
        account(g, e, t);
    if (e && next >= e->end)
        next = UINT64_MAX;
    return next;
}

static hy_err run(hy__dn *g)
{
    uint64_t next_progress = PROGRESS_EVERY;
    /* Each step emits a packet or advances an emitter past a rejected
     * candidate; their count is a small multiple of the packets expected. */
    uint64_t limit = 16 * g->expected + 100000000u;

    for (uint64_t it = 0; g->heap_n && g->w->err == HY_OK; it++) {
        if (it > limit)
            return hy_err_set(HY_ERR_INTERNAL, "synth darknet: scheduler does not terminate");
        hy__dn_ent top = g->heap[0];
        heap_update_top(g, step(g, top.t, top.em));
        if (g->cfg.progress && g->w->st.packets >= next_progress) {
            g->cfg.progress(g->cfg.progress_ud, g->w->st.packets, g->expected, g->w->st.packets);
            next_progress += PROGRESS_EVERY;
        }
    }
    return g->w->err;
}

/* ---- setup */

static hy_err retx_alloc(hy__dn_event *e)
{
    for (int k = 0; k < e->retries && k < HY__DN_RETX_LEVELS; k++) {
        double hold = e->rate * (double)(1u << k) * 1.5 + 64;
        uint32_t cap = 64;
        while (cap < hold && cap < RETX_CAP_MAX)
            cap <<= 1;
        e->q[k].v = malloc(cap * sizeof *e->q[k].v);
        if (!e->q[k].v)
            return hy_err_set(HY_ERR_NOMEM, "synth darknet: retransmission queue");
        e->q[k].cap = cap;
    }
    return HY_OK;
}

static uint64_t expected_packets(const hy__dn *g)
{
    double n = g->cfg.rate_pps * (double)g->cfg.duration_ns / 1e9;
    for (uint32_t i = 0; i < g->nev; i++) {
        const hy__dn_event *e = &g->ev[i];
        double span = (double)(e->end - e->start) / 1e9;
        if (e->kind == HY__DN_OUTBREAK)
            n += e->hosts * e->rate / 60 * (span - (double)e->ramp / 2e9) * e->duty_pct / 100;
        else if (e->kind == HY__DN_SCANNER)
            n += span * e->rate;
        else
            n += span * e->rate * 0.8 * (1 + e->retries);
    }
    return (uint64_t)n;
}

static hy_err setup_events(hy__dn *g)
{
    uint64_t naddr = 0, nem = 1;
    hy_err e;

    for (uint32_t i = 0; i < g->nev; i++) {
        hy__dn_event *ev = &g->ev[i];
        uint32_t n =
            ev->kind == HY__DN_BURST && ev->reply == HY_SYNTH_BS_TTL ? 2 * ev->hosts : ev->hosts;
        naddr += n;
        nem += ev->kind == HY__DN_OUTBREAK ? ev->hosts : 1;
    }
    uint32_t cap = 1024;
    while (cap < 2 * naddr)
        cap <<= 1;
    g->aset = calloc(cap, sizeof *g->aset);
    g->aset_mask = cap - 1;
    g->addrs = malloc((naddr + 1) * sizeof *g->addrs);
    g->first = malloc((naddr + 1) * sizeof *g->first);
    g->em_ev = malloc(nem * sizeof *g->em_ev);
    g->em_host = malloc(nem * sizeof *g->em_host);
    g->heap = malloc(nem * sizeof *g->heap);
    if (!g->aset || !g->addrs || !g->first || !g->em_ev || !g->em_host || !g->heap)
        return hy_err_set(HY_ERR_NOMEM, "synth darknet: %llu emitters", (unsigned long long)nem);
    g->em_ev[0] = UINT32_MAX;
    g->em_host[0] = 0;
    g->nem = 1;
    if (g->cfg.rate_pps > 0)
        heap_push(g, bg_next(g, g->start), 0);
    for (uint32_t i = 0; i < g->nev; i++) {
        hy__dn_event *ev = &g->ev[i];
        uint32_t n =
            ev->kind == HY__DN_BURST && ev->reply == HY_SYNTH_BS_TTL ? 2 * ev->hosts : ev->hosts;
        if ((e = event_addrs(g, ev, n)) != HY_OK)
            return e;
        ev->em0 = g->nem;
        if (ev->kind == HY__DN_OUTBREAK) {
            outbreak_joins(g, ev);
            for (uint32_t k = 0; k < ev->hosts; k++) {
                g->em_ev[g->nem] = i;
                g->em_host[g->nem] = k;
                heap_push(g, g->first[ev->src0 + k], g->nem++);
            }
            continue;
        }
        if (ev->kind == HY__DN_BURST) {
            if ((e = retx_alloc(ev)) != HY_OK)
                return e;
            ev->next_new = ev->start;
        }
        g->em_ev[g->nem] = i;
        g->em_host[g->nem] = 0;
        heap_push(g, ev->start, g->nem++);
    }
    return HY_OK;
}

static hy_err setup(hy__dn *g, const hy_synth_darknet_cfg *cfg)
{
    hy_err e;
    g->cfg = *cfg;
    g->start = us_floor(cfg->start_ns);
    g->end = us_floor(cfg->start_ns + cfg->duration_ns);
    g->net = cfg->prefix;
    g->host_bits = 32u - cfg->prefix_len;
    g->bg_key = hy__mix64(cfg->seed ^ 0xb6b6b6b600000000ull);
    hy__rng_seed(&g->bg_rng, g->bg_key);
    g->bg_max = cfg->rate_pps * (1.0 + cfg->daily_amplitude) / 1e9;
    double pop = cfg->rate_pps * 5000;
    g->bg_pop = pop < 10000 ? 10000 : pop > (4 << 20) ? (4 << 20) : (uint32_t)pop;
    g->endemic_pop = g->bg_pop / 20;

    g->w = calloc(1, sizeof *g->w);
    if (!g->w)
        return hy_err_set(HY_ERR_NOMEM, "synth darknet: writer");
    hy_synth_cfg_default(&g->w->cfg);
    g->w->cfg.seed = cfg->seed;
    g->w->cfg.start_ns = g->start;
    g->f.proto = 6;
    g->f.cmac[0] = 0x02;
    g->f.cmac[5] = 0x01;
    if ((e = expand_events(g)) != HY_OK)
        return e;
    if ((e = setup_events(g)) != HY_OK)
        return e;
    g->expected = expected_packets(g);
    return HY_OK;
}

static void teardown(hy__dn *g)
{
    for (uint32_t i = 0; g->ev && i < g->nev; i++)
        for (int k = 0; k < HY__DN_RETX_LEVELS; k++)
            free(g->ev[i].q[k].v);
    free(g->ev);
    free(g->addrs);
    free(g->first);
    free(g->aset);
    free(g->em_ev);
    free(g->em_host);
    free(g->heap);
    free(g->w);
    free(g);
}

hy_err hy_synth_darknet(const hy_synth_darknet_cfg *cfg, const char *pcap_path,
                        const char *truth_path, hy_synth_darknet_stats *st_out)
{
    hy__dn *g = NULL;
    hy_err e, e2;

    if (st_out)
        memset(st_out, 0, sizeof *st_out);
    if (!cfg)
        return hy_err_set(HY_ERR_ARG, "synth darknet: no configuration");
    if (!pcap_path || !*pcap_path)
        return hy_err_set(HY_ERR_ARG, "synth darknet: no output path");
    if (truth_path && (!*truth_path || strcmp(truth_path, pcap_path) == 0))
        return hy_err_set(HY_ERR_ARG, "synth darknet: the truth file needs its own path");
    if ((e = hy__dn_check_cfg(cfg)) != HY_OK)
        return e;
    g = calloc(1, sizeof *g);
    if (!g)
        return hy_err_set(HY_ERR_NOMEM, "synth darknet: context");
    if ((e = setup(g, cfg)) != HY_OK)
        goto out;
    if ((e = hy__synth_out_open(g->w, pcap_path)) != HY_OK)
        goto out;
    e = run(g);
    e2 = hy__synth_out_close(g->w);
    if (e == HY_OK)
        e = e2;
    g->st.packets = g->w->st.packets;
    g->st.bytes = g->w->st.bytes;
    g->st.first_ns = g->w->st.first_ns;
    g->st.last_ns = g->w->st.last_ns;
    g->st.events = g->nev;
    if (e == HY_OK && truth_path)
        e = hy__dn_truth_write(g, truth_path);
out:
    if (g->w && g->w->buf) /* failed before or while opening */
        hy__synth_out_close(g->w);
    if (st_out)
        *st_out = g->st;
    teardown(g);
    return e;
}
