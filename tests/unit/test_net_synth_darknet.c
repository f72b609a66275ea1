/* Darknet generator: determinism, prefix, fingerprints, outbreak sources
 * and windows, backscatter, the daily cycle, the truth file against the
 * packets, decoding by hayate's own reader, presets and bad options. The
 * pcaps are read back with hy_source_open_offline + hy_decode. */
#include "testutil.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "hayate/capture.h"
#include "hayate/decode.h"
#include "hayate/synth.h"

#define S  1000000000ull
#define MN (60ull * S)

typedef struct rec {
    uint64_t t;
    uint32_t src, dst, seq, ack, inner_src, inner_dst;
    uint16_t ipid, sport, dport;
    uint8_t proto, flags, icmp_type;
    hy_anom anom;
} rec;

typedef struct cap {
    rec *r;
    size_t n;
    int linktype;
} cap;

typedef struct tevent {
    char kind[16], fp[16], proto[8], tool[16], reply[24];
    uint16_t port;
    uint64_t start, end, packets, hosts, ramp_ns, first_pkt, last_pkt;
    double slot_s;
    uint32_t *src;
    uint64_t *first; /* outbreaks: first probe of each source */
    size_t nsrc;
} tevent;

typedef struct truth {
    json_t *root;
    tevent ev[256];
    size_t nev;
    uint64_t packets, background, start, end;
} truth;

/* ---- helpers */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t ip4(const char *s)
{
    struct in_addr a;
    assert_int_equal(inet_pton(AF_INET, s, &a), 1);
    return ntohl(a.s_addr);
}

static void paths(const char *name, char *pcap, char *tj)
{
    snprintf(pcap, 512, "%s/%s.pcap", hy_test_tmpdir(), name);
    snprintf(tj, 512, "%s/%s.truth.json", hy_test_tmpdir(), name);
}

static void gen(const hy_synth_darknet_cfg *c, const char *name, hy_synth_darknet_stats *st)
{
    char p[512], t[512];
    paths(name, p, t);
    hy_err e = hy_synth_darknet(c, p, t, st);
    if (e != HY_OK)
        fail_msg("generation failed: %s", hy_err_detail());
}

static void read_cap(const char *name, cap *out)
{
    char p[512], t[512];
    hy_source *s = NULL;
    hy_raw_pkt raw;
    size_t cap_n = 1024;
    hy_err e;

    paths(name, p, t);
    assert_int_equal(hy_source_open_offline(p, NULL, &s), HY_OK);
    memset(out, 0, sizeof *out);
    out->r = malloc(cap_n * sizeof *out->r);
    assert_non_null(out->r);
    while ((e = hy_source_next(s, &raw)) == HY_OK) {
        hy_pkt k = {.ts_ns = raw.ts_ns,
                    .data = raw.data,
                    .caplen = raw.caplen,
                    .wirelen = raw.wirelen,
                    .linktype = raw.linktype};
        if (out->n == cap_n) {
            cap_n *= 2;
            out->r = realloc(out->r, cap_n * sizeof *out->r);
            assert_non_null(out->r);
        }
        rec *r = &out->r[out->n++];
        memset(r, 0, sizeof *r);
        r->anom = hy_decode(&k, NULL);
        out->linktype = raw.linktype;
        r->t = k.ts_ns;
        r->src = be32(k.src);
        r->dst = be32(k.dst);
        r->proto = k.proto;
        r->ipid = k.ip_id;
        r->sport = k.sport;
        r->dport = k.dport;
        r->seq = k.tcp_seq;
        r->ack = k.tcp_ack;
        r->flags = k.tcp_flags;
        r->icmp_type = k.icmp_type;
        if (k.proto == 1 && (k.icmp_type == 3 || k.icmp_type == 11) && k.l4_len >= 8 + 28) {
            r->inner_src = be32(k.l4 + 8 + 12);
            r->inner_dst = be32(k.l4 + 8 + 16);
        }
    }
    assert_int_equal(e, HY_ERR_CLOSED);
    hy_source_close(s);
}

static uint64_t jnum(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("truth: %s is not an integer", k);
    return (uint64_t)json_integer_value(v);
}

static void jstr(json_t *o, const char *k, char *out, size_t n)
{
    json_t *v = json_object_get(o, k);
    snprintf(out, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static void read_truth(const char *name, truth *t)
{
    char p[512], tj[512];
    json_error_t err;
    paths(name, p, tj);
    memset(t, 0, sizeof *t);
    t->root = json_load_file(tj, 0, &err);
    if (!t->root)
        fail_msg("truth does not parse: %s (line %d)", err.text, err.line);
    t->start = jnum(t->root, "start_ns");
    t->end = jnum(t->root, "end_ns");
    json_t *stats = json_object_get(t->root, "stats");
    t->packets = jnum(stats, "packets");
    t->background = jnum(stats, "background");
    json_t *evs = json_object_get(t->root, "events");
    assert_true(json_is_array(evs));
    assert_true(json_array_size(evs) <= 256);
    size_t i;
    json_t *o;
    json_array_foreach(evs, i, o)
    {
        tevent *e = &t->ev[t->nev++];
        jstr(o, "kind", e->kind, sizeof e->kind);
        jstr(o, "fingerprint", e->fp, sizeof e->fp);
        jstr(o, "proto", e->proto, sizeof e->proto);
        jstr(o, "tool", e->tool, sizeof e->tool);
        jstr(o, "reply", e->reply, sizeof e->reply);
        e->port = (uint16_t)jnum(o, "port");
        e->start = jnum(o, "start_ns");
        e->end = jnum(o, "end_ns");
        e->packets = jnum(o, "packets");
        e->hosts = jnum(o, "hosts");
        e->ramp_ns = (uint64_t)(json_number_value(json_object_get(o, "ramp_s")) * 1e9 + 0.5);
        e->slot_s = json_number_value(json_object_get(o, "onoff_slot_s"));
        if (e->packets) {
            e->first_pkt = jnum(o, "first_packet_ns");
            e->last_pkt = jnum(o, "last_packet_ns");
        }
        json_t *srcs = json_object_get(o, "sources");
        assert_true(json_is_array(srcs));
        e->nsrc = json_array_size(srcs);
        e->src = calloc(e->nsrc + 1, sizeof *e->src);
        for (size_t k = 0; k < e->nsrc; k++)
            e->src[k] = ip4(json_string_value(json_array_get(srcs, k)));
        json_t *fs = json_object_get(o, "source_first_ns");
        if (json_is_array(fs)) {
            assert_int_equal(json_array_size(fs), e->nsrc);
            e->first = calloc(e->nsrc + 1, sizeof *e->first);
            for (size_t k = 0; k < e->nsrc; k++)
                e->first[k] = (uint64_t)json_integer_value(json_array_get(fs, k));
        }
    }
}

static void free_truth(truth *t)
{
    for (size_t i = 0; i < t->nev; i++) {
        free(t->ev[i].src);
        free(t->ev[i].first);
    }
    json_decref(t->root);
}

/* Index of the event whose sources include a, or -1 (background). */
static int event_of(const truth *t, uint32_t a)
{
    for (size_t i = 0; i < t->nev; i++)
        for (size_t k = 0; k < t->ev[i].nsrc; k++)
            if (t->ev[i].src[k] == a)
                return (int)i;
    return -1;
}

static int *classify(const truth *t, const cap *c)
{
    int *cls = malloc((c->n + 1) * sizeof *cls);
    assert_non_null(cls);
    for (size_t i = 0; i < c->n; i++)
        cls[i] = event_of(t, c->r[i].src);
    return cls;
}

static bool is_mirai(const rec *r)
{
    return r->proto == 6 && r->seq == r->dst;
}

static bool is_zmap(const rec *r)
{
    return r->ipid == 54321;
}

static bool is_masscan(const rec *r)
{
    return r->proto == 6 && r->ipid == ((r->dst ^ r->dport ^ r->seq) & 0xffff);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static bool same_file(const char *a, const char *b)
{
    size_t na, nb;
    uint8_t *pa = slurp(a, &na), *pb = slurp(b, &nb);
    bool same = na == nb && memcmp(pa, pb, na) == 0;
    free(pa);
    free(pb);
    return same;
}

/* A short mixed configuration: background, one outbreak per fingerprint,
 * a ZMap and a Masscan scanner, and a SYN-ACK burst. */
static void small_cfg(hy_synth_darknet_cfg *c)
{
    hy_synth_darknet_cfg_default(c);
    c->seed = 42;
    c->duration_ns = 6 * MN;
    c->rate_pps = 300;
    c->scanners_per_day = 0;
    c->bursts_per_day = 0;
    hy_synth_darknet_outbreak o = {.proto = 6,
                                   .port = 2323,
                                   .start_ns = 1 * MN,
                                   .duration_ns = 4 * MN,
                                   .ramp_ns = 2 * MN,
                                   .hosts = 120,
                                   .fp = HY_SYNTH_FP_MIRAI,
                                   .rate_ppm = 6};
    c->outbreak[c->n_outbreaks++] = o;
    o.port = 6379, o.fp = HY_SYNTH_FP_ZMAP, o.hosts = 60, o.ramp_ns = 0;
    c->outbreak[c->n_outbreaks++] = o;
    o.port = 2375, o.fp = HY_SYNTH_FP_MASSCAN, o.hosts = 50;
    c->outbreak[c->n_outbreaks++] = o;
    o.proto = 17, o.port = 5683, o.fp = HY_SYNTH_FP_NONE, o.hosts = 70;
    c->outbreak[c->n_outbreaks++] = o;
    c->scanner[c->n_scanners++] = (hy_synth_darknet_scanner){.tool = HY_SYNTH_FP_ZMAP,
                                                             .proto = 6,
                                                             .port = 443,
                                                             .start_ns = 30 * S,
                                                             .duration_ns = 2 * MN,
                                                             .rate_pps = 50};
    c->scanner[c->n_scanners++] = (hy_synth_darknet_scanner){.tool = HY_SYNTH_FP_MASSCAN,
                                                             .proto = 6,
                                                             .port = 3389,
                                                             .start_ns = 2 * MN,
                                                             .duration_ns = 3 * MN,
                                                             .rate_pps = 40};
    c->burst[c->n_bursts++] = (hy_synth_darknet_burst){.reply = HY_SYNTH_BS_SYNACK,
                                                       .port = 80,
                                                       .start_ns = 2 * MN,
                                                       .duration_ns = 2 * MN,
                                                       .rate_pps = 60,
                                                       .victims = 2};
}

/* ---- tests */

static void test_deterministic(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    char a[512], at[512], b[512], bt[512], d[512], dt[512];
    small_cfg(&c);
    gen(&c, "det_a", NULL);
    gen(&c, "det_b", NULL);
    c.seed = 43;
    gen(&c, "det_c", NULL);
    paths("det_a", a, at);
    paths("det_b", b, bt);
    paths("det_c", d, dt);
    assert_true(same_file(a, b));
    assert_true(same_file(at, bt));
    assert_false(same_file(a, d));
    assert_false(same_file(at, dt));
}

static void test_decodes_clean(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    hy_synth_darknet_stats st;
    cap k;
    small_cfg(&c);
    c.endemic_mirai_pct = 2;
    c.burst[c.n_bursts++] = (hy_synth_darknet_burst){.reply = HY_SYNTH_BS_TTL,
                                                     .port = 53,
                                                     .start_ns = 3 * MN,
                                                     .duration_ns = MN,
                                                     .rate_pps = 30,
                                                     .victims = 1};
    gen(&c, "clean", &st);
    read_cap("clean", &k);
    assert_int_equal(k.linktype, HY_LINK_ETHERNET);
    assert_int_equal(k.n, st.packets);
    assert_true(k.n > 50000);
    size_t tcp = 0, udp = 0, icmp = 0;
    for (size_t i = 0; i < k.n; i++) {
        if (k.r[i].anom != HY_ANOM_NONE)
            fail_msg("packet %zu: anomaly %s", i, hy_anom_name(k.r[i].anom));
        if (i)
            assert_true(k.r[i].t >= k.r[i - 1].t);
        tcp += k.r[i].proto == 6;
        udp += k.r[i].proto == 17;
        icmp += k.r[i].proto == 1;
    }
    assert_true(tcp > k.n / 2 && udp > k.n / 50 && icmp > k.n / 100);
    free(k.r);
}

static void test_prefix(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    cap k;
    small_cfg(&c);
    c.prefix = 0x0a140000u; /* 10.20.0.0/16 */
    c.prefix_len = 16;
    c.burst[c.n_bursts++] = (hy_synth_darknet_burst){.reply = HY_SYNTH_BS_UNREACH,
                                                     .port = 123,
                                                     .start_ns = MN,
                                                     .duration_ns = MN,
                                                     .rate_pps = 40,
                                                     .victims = 2};
    gen(&c, "prefix", NULL);
    read_cap("prefix", &k);
    size_t quoted = 0;
    for (size_t i = 0; i < k.n; i++) {
        assert_int_equal(k.r[i].dst & 0xffff0000u, 0x0a140000u);
        assert_int_not_equal(k.r[i].src & 0xffff0000u, 0x0a140000u);
        if (k.r[i].inner_src) { /* the spoofed source an ICMP error quotes */
            assert_int_equal(k.r[i].inner_src, k.r[i].dst);
            quoted++;
        }
    }
    assert_true(quoted > 1000);
    free(k.r);
}

static void test_fingerprints(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    cap k;
    truth t;
    small_cfg(&c);
    gen(&c, "fp", NULL);
    read_cap("fp", &k);
    read_truth("fp", &t);
    int *cls = classify(&t, &k);
    size_t bg = 0, bg_hits = 0, n[256] = {0}, ok[256] = {0};
    for (size_t i = 0; i < k.n; i++) {
        const rec *r = &k.r[i];
        bool m = is_mirai(r), z = is_zmap(r), s = is_masscan(r);
        if (cls[i] < 0) {
            bg++;
            bg_hits += m || z || s;
            continue;
        }
        const tevent *e = &t.ev[cls[i]];
        n[cls[i]]++;
        if (strcmp(e->fp, "mirai") == 0)
            ok[cls[i]] += m && !z && !s;
        else if (strcmp(e->fp, "zmap") == 0)
            ok[cls[i]] += z && !m && !s;
        else if (strcmp(e->fp, "masscan") == 0)
            ok[cls[i]] += s && !m && !z;
        else
            ok[cls[i]] += !m && !z && !s;
    }
    size_t scanners = 0;
    for (size_t i = 0; i < t.nev; i++) {
        assert_true(n[i] > 0);
        assert_int_equal(ok[i], n[i]); /* every packet of every event, exactly its formula */
        scanners += strcmp(t.ev[i].kind, "scanner") == 0;
    }
    assert_int_equal(scanners, 2);
    assert_true(bg > 50000);
    assert_int_equal(bg_hits, 0); /* endemic Mirai off: no background match */
    free(cls);
    free(k.r);
    free_truth(&t);

    /* With endemic Mirai bots, about that share of the background matches. */
    c.endemic_mirai_pct = 5;
    c.n_outbreaks = c.n_scanners = c.n_bursts = 0;
    gen(&c, "fp_endemic", NULL);
    read_cap("fp_endemic", &k);
    size_t m = 0;
    for (size_t i = 0; i < k.n; i++) {
        m += is_mirai(&k.r[i]);
        assert_false(is_zmap(&k.r[i]) || is_masscan(&k.r[i]));
    }
    double frac = (double)m / (double)k.n;
    assert_true(frac > 0.04 && frac < 0.06);
    free(k.r);
}

static void test_outbreak_sources(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    cap k;
    truth t;
    small_cfg(&c);
    gen(&c, "ob", NULL);
    read_cap("ob", &k);
    read_truth("ob", &t);
    int *cls = classify(&t, &k);
    size_t outbreaks = 0;
    for (size_t ei = 0; ei < t.nev; ei++) {
        const tevent *e = &t.ev[ei];
        if (strcmp(e->kind, "outbreak") != 0)
            continue;
        outbreaks++;
        assert_int_equal(e->nsrc, e->hosts);
        uint8_t *seen = calloc(e->nsrc, 1);
        size_t distinct = 0, pkts = 0, early = 0;
        for (size_t i = 0; i < k.n; i++) {
            if (cls[i] != (int)ei)
                continue;
            const rec *r = &k.r[i];
            pkts++;
            assert_true(r->t >= e->start && r->t < e->end);
            assert_int_equal(r->dport, e->port);
            assert_int_equal(r->proto, strcmp(e->proto, "tcp") == 0 ? 6 : 17);
            for (size_t s = 0; s < e->nsrc; s++) {
                if (e->src[s] == r->src && !seen[s]) {
                    seen[s] = 1;
                    distinct++;
                    early += r->t < e->start + e->ramp_ns / 2;
                    assert_int_equal(r->t, e->first[s]); /* truth's first probe time */
                }
            }
        }
        assert_int_equal(distinct, e->hosts);
        assert_int_equal(pkts, e->packets);
        if (e->ramp_ns) { /* linear ramp: about half the hosts in the first half */
            assert_true(early > e->hosts * 2 / 10 && early < e->hosts * 7 / 10);
        }
        free(seen);
    }
    assert_int_equal(outbreaks, 4);
    free(cls);
    free(k.r);
    free_truth(&t);
}

static void test_truth_matches(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    hy_synth_darknet_stats st;
    cap k;
    truth t;
    small_cfg(&c);
    c.scanners_per_day = 2000 / 1.0; /* over the cap of 1000: rejected */
    char p[512], tj[512];
    paths("truth", p, tj);
    assert_int_equal(hy_synth_darknet(&c, p, tj, NULL), HY_ERR_ARG);
    c.scanners_per_day = 480; /* about 2 in 6 minutes, placed at random */
    c.bursts_per_day = 480;
    c.prefix_len = 20; /* keeps the random sweeps short */
    gen(&c, "truth", &st);
    read_cap("truth", &k);
    read_truth("truth", &t);
    assert_int_equal(t.packets, k.n);
    assert_int_equal(t.start, c.start_ns);
    assert_int_equal(t.end, c.start_ns + c.duration_ns);
    assert_int_equal(jnum(t.root, "seed"), 42);
    assert_string_equal(json_string_value(json_object_get(t.root, "darknet")), "198.18.0.0/20");
    assert_int_equal(t.nev, st.events);
    int *cls = classify(&t, &k);
    uint64_t sum = 0, bg = 0, per[256] = {0};
    for (size_t i = 0; i < k.n; i++) {
        if (cls[i] < 0) {
            bg++;
            continue;
        }
        per[cls[i]]++;
        const tevent *e = &t.ev[cls[i]];
        assert_true(k.r[i].t >= e->start && k.r[i].t < e->end);
    }
    for (size_t i = 0; i < t.nev; i++) {
        assert_int_equal(per[i], t.ev[i].packets);
        if (per[i]) { /* first and last packet times, as the pcap has them */
            bool f = false, l = false;
            for (size_t p2 = 0; p2 < k.n; p2++) {
                if (cls[p2] != (int)i)
                    continue;
                if (!f) {
                    assert_int_equal(k.r[p2].t, t.ev[i].first_pkt);
                    f = true;
                }
                l = k.r[p2].t == t.ev[i].last_pkt;
            }
            assert_true(f && l);
        }
        sum += t.ev[i].packets;
        if (i)
            assert_true(t.ev[i].start >= t.ev[i - 1].start);
    }
    assert_int_equal(bg, t.background);
    assert_int_equal(sum + bg, k.n);
    assert_true(t.nev > 7); /* the explicit 7 plus random ones */
    free(cls);
    free(k.r);
    free_truth(&t);
}

/* Injected events do not disturb the background: its packets are the same
 * with and without them. */
static void test_background_independent(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    cap a, b;
    truth t;
    small_cfg(&c);
    gen(&c, "indep_b", NULL);
    c.n_outbreaks = c.n_scanners = c.n_bursts = 0;
    gen(&c, "indep_a", NULL);
    read_cap("indep_a", &a);
    read_cap("indep_b", &b);
    read_truth("indep_b", &t);
    int *cls = classify(&t, &b);
    size_t j = 0;
    for (size_t i = 0; i < b.n; i++) {
        if (cls[i] >= 0)
            continue;
        assert_true(j < a.n);
        assert_int_equal(a.r[j].t, b.r[i].t);
        assert_int_equal(a.r[j].src, b.r[i].src);
        assert_int_equal(a.r[j].dst, b.r[i].dst);
        assert_int_equal(a.r[j].ipid, b.r[i].ipid);
        j++;
    }
    assert_int_equal(j, a.n);
    assert_true(b.n > a.n);
    free(cls);
    free(a.r);
    free(b.r);
    free_truth(&t);
}

static void test_backscatter(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    cap k;
    truth t;
    hy_synth_darknet_cfg_default(&c);
    c.rate_pps = 0;
    c.scanners_per_day = c.bursts_per_day = 0;
    c.duration_ns = 3 * MN;
    c.burst[c.n_bursts++] = (hy_synth_darknet_burst){.reply = HY_SYNTH_BS_SYNACK,
                                                     .port = 443,
                                                     .start_ns = 0,
                                                     .duration_ns = 2 * MN,
                                                     .rate_pps = 50,
                                                     .victims = 3};
    c.burst[c.n_bursts++] = (hy_synth_darknet_burst){.reply = HY_SYNTH_BS_RST,
                                                     .port = 80,
                                                     .start_ns = MN,
                                                     .duration_ns = MN,
                                                     .rate_pps = 50,
                                                     .victims = 1};
    gen(&c, "bs", NULL);
    read_cap("bs", &k);
    read_truth("bs", &t);
    size_t synack = 0, rst = 0, retx = 0;
    for (size_t i = 0; i < k.n; i++) {
        const rec *r = &k.r[i];
        assert_int_equal(r->proto, 6);
        int ev = event_of(&t, r->src);
        assert_true(ev >= 0);
        assert_int_equal(r->sport, t.ev[ev].port);
        if (r->flags == (HY_TCP_SYN | HY_TCP_ACK)) {
            synack++;
            /* A retransmission repeats an earlier SYN-ACK 1, 2, 4, 8 or 16 s later. */
            for (size_t j = i; j-- > 0 && k.r[j].t + 17 * S > r->t;) {
                if (k.r[j].dst == r->dst && k.r[j].seq == r->seq && k.r[j].dport == r->dport) {
                    uint64_t d = (r->t - k.r[j].t + S / 2) / S;
                    assert_true(d == 1 || d == 2 || d == 4 || d == 8 || d == 16);
                    retx++;
                    break;
                }
            }
        } else {
            assert_true(r->flags & HY_TCP_RST);
            assert_int_equal(r->sport, 80);
            rst++;
        }
    }
    assert_true(synack > 2000 && rst > 1000 && retx > synack / 2);
    free(k.r);
    free_truth(&t);
}

static void test_daily_cycle(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    cap k;
    hy_synth_darknet_cfg_default(&c);
    c.duration_ns = 86400 * S;
    c.rate_pps = 1;
    c.scanners_per_day = c.bursts_per_day = 0;
    c.peak_hour = 15;
    gen(&c, "daily", NULL);
    read_cap("daily", &k);
    size_t hours[24] = {0};
    for (size_t i = 0; i < k.n; i++)
        hours[(k.r[i].t - c.start_ns) / (3600 * S)]++;
    size_t peak = hours[14] + hours[15] + hours[16], low = hours[2] + hours[3] + hours[4];
    assert_true(k.n > 80000 && k.n < 93000);
    assert_true((double)peak / (double)low > 1.5 && (double)peak / (double)low < 2.3);
    free(k.r);
}

/* The hosts of an outbreak pause together: every on/off slot is either
 * silent or busy, none half-way. */
static void test_onoff(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    cap k;
    truth t;
    hy_synth_darknet_cfg_default(&c);
    c.seed = 11;
    c.rate_pps = 0;
    c.scanners_per_day = c.bursts_per_day = 0;
    c.duration_ns = 3 * 3600 * S;
    c.outbreak[c.n_outbreaks++] = (hy_synth_darknet_outbreak){.proto = 6,
                                                              .port = 23,
                                                              .start_ns = 0,
                                                              .duration_ns = 3 * 3600 * S,
                                                              .hosts = 100,
                                                              .fp = HY_SYNTH_FP_MIRAI,
                                                              .rate_ppm = 4};
    gen(&c, "onoff", NULL);
    read_cap("onoff", &k);
    read_truth("onoff", &t);
    assert_int_equal(t.nev, 1);
    uint64_t slot = (uint64_t)(t.ev[0].slot_s * 1e9 + 0.5);
    assert_true(slot >= 60 * S);
    size_t nslots = (size_t)((c.duration_ns + slot - 1) / slot), silent = 0, busy = 0;
    size_t *cnt = calloc(nslots, sizeof *cnt);
    for (size_t i = 0; i < k.n; i++)
        cnt[(k.r[i].t - c.start_ns) / slot]++;
    double full = 100 * 4.0 * (double)slot / 60e9; /* probes in a whole "on" slot */
    for (size_t i = 0; i + 1 < nslots; i++) {      /* the last slot may be cut short */
        if (cnt[i] < full * 0.02)
            silent++;
        else if (cnt[i] > full * 0.8)
            busy++;
        else
            fail_msg("slot %zu: %zu probes, neither paused nor busy (%.0f)", i, cnt[i], full);
    }
    assert_true(silent >= 1 && busy >= silent);
    free(cnt);
    free(k.r);
    free_truth(&t);
}

static void test_bad_config(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c, base;
    char p[512], tj[512];
    paths("bad", p, tj);
    small_cfg(&base);

#define EXPECT_BAD(stmt)                                                                           \
    do {                                                                                           \
        c = base;                                                                                  \
        stmt;                                                                                      \
        assert_int_equal(hy_synth_darknet(&c, p, tj, NULL), HY_ERR_ARG);                           \
        assert_true(strlen(hy_err_detail()) > 10);                                                 \
    } while (0)
    EXPECT_BAD(c.outbreak[0].ramp_ns = c.outbreak[0].duration_ns + 1);
    EXPECT_BAD(c.outbreak[0].hosts = 0);
    EXPECT_BAD(c.outbreak[0].hosts = HY_SYNTH_DN_MAX_HOSTS + 1);
    EXPECT_BAD(c.outbreak[0].proto = 17);        /* mirai needs tcp */
    EXPECT_BAD(c.outbreak[0].start_ns = 5 * MN); /* ends after the capture */
    EXPECT_BAD(c.outbreak[0].port = 0);
    EXPECT_BAD(c.prefix = 0xc6120001u); /* host bits */
    EXPECT_BAD(c.prefix_len = 4);
    EXPECT_BAD(c.rate_pps = -1);
    EXPECT_BAD(c.duration_ns = 0);
    EXPECT_BAD(c.daily_amplitude = 1.5);
    EXPECT_BAD(c.scanner[0].tool = HY_SYNTH_FP_MIRAI);
    EXPECT_BAD(c.burst[0].victims = 0);
    EXPECT_BAD(c.n_outbreaks = HY_SYNTH_DN_MAX_OUTBREAKS + 1);
#undef EXPECT_BAD
    assert_int_equal(hy_synth_darknet(NULL, p, tj, NULL), HY_ERR_ARG);
    assert_int_equal(hy_synth_darknet(&base, p, p, NULL), HY_ERR_ARG);
    assert_int_equal(hy_synth_darknet(&base, "", tj, NULL), HY_ERR_ARG);
}

static void test_parsers(void **state)
{
    (void)state;
    hy_synth_darknet_outbreak o;
    uint64_t ns;
    uint32_t net;
    uint8_t len;

    assert_int_equal(hy_synth_parse_span("3d", &ns), HY_OK);
    assert_int_equal(ns, 3 * 86400 * S);
    assert_int_equal(hy_synth_parse_span("1h30m", &ns), HY_OK);
    assert_int_equal(ns, 5400 * S);
    assert_int_equal(hy_synth_parse_span("90", &ns), HY_OK);
    assert_int_equal(ns, 90 * S);
    assert_int_equal(hy_synth_parse_span("1.5h", &ns), HY_OK);
    assert_int_equal(ns, 5400 * S);
    const char *bad_spans[] = {"", "x", "-5", "1h30", "3w", "0x10", "1e3", "500d", "nan"};
    for (size_t i = 0; i < sizeof bad_spans / sizeof bad_spans[0]; i++)
        assert_int_equal(hy_synth_parse_span(bad_spans[i], &ns), HY_ERR_ARG);

    assert_int_equal(hy_synth_darknet_parse_outbreak("tcp/2323,6h,3h,500,30m,mirai", &o), HY_OK);
    assert_int_equal(o.proto, 6);
    assert_int_equal(o.port, 2323);
    assert_int_equal(o.start_ns, 6 * 3600 * S);
    assert_int_equal(o.duration_ns, 3 * 3600 * S);
    assert_int_equal(o.hosts, 500);
    assert_int_equal(o.ramp_ns, 30 * MN);
    assert_int_equal(o.fp, HY_SYNTH_FP_MIRAI);
    assert_int_equal(hy_synth_darknet_parse_outbreak("udp/5683,0,10m,50,0,none,2.5", &o), HY_OK);
    assert_true(o.rate_ppm == 2.5 && o.proto == 17);
    const char *bad[] = {
        "tcp/2323,6h,3h,500,30m",      "icmp/1,0,1h,5,0,none",  "tcp/0,0,1h,5,0,none",
        "tcp/70000,0,1h,5,0,none",     "tcp/23,0,1h,0,0,none",  "tcp/23,0,1h,5,2h,none",
        "tcp/23,0,1h,5,0,conficker",   "udp/23,0,1h,5,0,mirai", "tcp/23,0,1h,99999999,0,none",
        "tcp/23,0,1h,5,0,none,0",      "tcp/23,0,0,5,0,none",   "tcp23,0,1h,5,0,none",
        "tcp/23,0,1h,5,0,none,4,extra"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (hy_synth_darknet_parse_outbreak(bad[i], &o) != HY_ERR_ARG)
            fail_msg("accepted bad outbreak '%s'", bad[i]);

    assert_int_equal(hy_synth_darknet_parse_prefix("198.18.0.0/15", &net, &len), HY_OK);
    assert_int_equal(net, 0xc6120000u);
    assert_int_equal(len, 15);
    const char *badp[] = {"198.18.0.1/15", "198.18.0.0",  "256.0.0.0/8", "10.0.0.0/4",
                          "10.0.0.0/33",   "10.0.0.0/8x", "a.b.c.d/8"};
    for (size_t i = 0; i < sizeof badp / sizeof badp[0]; i++)
        assert_int_equal(hy_synth_darknet_parse_prefix(badp[i], &net, &len), HY_ERR_ARG);
}

static bool covered_by_burst(const hy_synth_darknet_cfg *c, uint64_t t)
{
    for (unsigned b = 0; b < c->n_bursts; b++)
        if (t >= c->burst[b].start_ns && t < c->burst[b].start_ns + c->burst[b].duration_ns)
            return true;
    return false;
}

static void test_scenarios(void **state)
{
    (void)state;
    hy_synth_darknet_cfg c;
    unsigned n = hy_synth_darknet_scenario_count("standard");
    unsigned quiet = 0, slow = 0, in_burst = 0, fps[4] = {0}, busy = 0, rare = 0;
    assert_true(n >= 11);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(hy_synth_darknet_scenario("standard", i, &c), HY_OK);
        assert_int_equal(c.duration_ns, 3 * 86400 * S);
        assert_true(strncmp(c.name, "standard/", 9) == 0);
        quiet += c.n_outbreaks == 0;
        for (unsigned k = 0; k < c.n_outbreaks; k++) {
            const hy_synth_darknet_outbreak *o = &c.outbreak[k];
            assert_true(o->hosts >= 50 && o->hosts <= 2000);
            assert_true(o->start_ns + o->duration_ns <= c.duration_ns);
            slow += o->ramp_ns >= 4 * 3600 * S;
            in_burst += covered_by_burst(&c, o->start_ns);
            fps[o->fp]++;
            busy += o->port == 23 || o->port == 445;
            rare += o->port == 37215 || o->port == 52869 || o->port == 8291 || o->port == 5683;
        }
    }
    assert_int_equal(quiet, 1);
    assert_true(slow >= 2 && in_burst >= 2 && busy >= 2 && rare >= 2);
    for (unsigned f = 0; f < 4; f++)
        assert_true(fps[f] >= 1);
    assert_int_equal(hy_synth_darknet_scenario("standard", n, &c), HY_ERR_NOTFOUND);
    assert_int_equal(hy_synth_darknet_scenario("nope", 0, &c), HY_ERR_NOTFOUND);
    assert_int_equal(hy_synth_darknet_scenario_count("nope"), 0);
    assert_string_equal(hy_synth_darknet_scenario_set(0), "standard");

    /* The demo is short and small, with its three events. */
    hy_synth_darknet_stats st;
    assert_int_equal(hy_synth_darknet_scenario("demo", 0, &c), HY_OK);
    gen(&c, "demo", &st);
    assert_true(st.packets > 100000 && st.packets < 400000);
    assert_true(st.outbreak > 10000 && st.scanner > 10000 && st.backscatter > 10000);
    assert_int_equal(st.events, 3);
}

/* The CLI: the truth lands next to the pcap; bad options exit 2. */
static int run_cli(const char *args)
{
    const char *bin = getenv("HY_BIN");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' synth darknet %s >/dev/null 2>&1", bin, args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_cli(void **state)
{
    (void)state;
    const char *bin = getenv("HY_BIN");
    char args[1024], p[512], tj[512];
    if (!bin || !*bin) {
        skip();
        return;
    }
    paths("cli", p, tj);
    snprintf(args, sizeof args,
             "--seed 3 --duration 2m --rate 100 --outbreak "
             "tcp/2323,30s,1m,60,10s,mirai -o '%s'",
             p);
    assert_int_equal(run_cli(args), 0);
    truth t;
    read_truth("cli", &t);
    assert_true(t.nev >= 1);
    free_truth(&t);
    const char *bad[] = {"-o x.pcap --duration 0",
                         "-o x.pcap --rate -3",
                         "-o x.pcap --darknet 198.18.0.1/15",
                         "-o x.pcap --outbreak tcp/23,1h,2h,10,0,mirai",
                         "-o x.pcap --outbreak udp/23,0,1m,10,0,masscan",
                         "-o x.pcap --scenario nope",
                         "-o x.pcap --scenario standard --index 99",
                         "-o x.pcap --start yesterday",
                         "-o x.pcap --bogus",
                         "--seed 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (run_cli(bad[i]) != 2)
            fail_msg("'hayate synth darknet %s' did not exit 2", bad[i]);
    assert_int_equal(run_cli("--list-scenarios"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_decodes_clean),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_fingerprints),
        cmocka_unit_test(test_outbreak_sources),
        cmocka_unit_test(test_truth_matches),
        cmocka_unit_test(test_backscatter),
        cmocka_unit_test(test_daily_cycle),
        cmocka_unit_test(test_onoff),
        cmocka_unit_test(test_background_independent),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_scenarios),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
