/* The darknet engine: fingerprints and classes on crafted packets, prefix
 * matching, split-independent bin merges, the change detector on planted
 * series, and a whole scenario through shard and global instances: exactly
 * the planted outbreak is alerted, on its port, with its fingerprint, and the
 * alerts are the same for any number of shards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/darknet/darknet_int.h"
#include "hayate/config.h"
#include "hayate/darknet_eval.h"
#include "testutil.h"

extern const hy_engine hy_engine_darknet;

static void test_fingerprints(void **state)
{
    (void)state;
    uint32_t dst = 0xc612a001; /* 198.18.160.1 */
    hy_pkt m = hy_test_syn4(0x01020304, dst, 23, dst, 7);
    hy_pkt z = hy_test_syn4(0x01020304, dst, 80, 12345, 54321);
    uint32_t seq = 0x9abcdef0;
    hy_pkt ms = hy_test_syn4(0x01020304, dst, 443, seq, (uint16_t)((dst ^ 443 ^ seq) & 0xffff));
    hy_pkt none = hy_test_syn4(0x01020304, dst, 443, seq + 1, 4242);
    assert_int_equal(dn_fingerprint(&m), 1u << 0);
    assert_int_equal(dn_fingerprint(&z), 1u << 1);
    assert_int_equal(dn_fingerprint(&ms), 1u << 2);
    assert_int_equal(dn_fingerprint(&none), 0);
    m.tcp_seq = dst + 1; /* off by one is not Mirai */
    assert_int_equal(dn_fingerprint(&m), 0);
    m.tcp_seq = dst;
    m.tcp_flags = HY_TCP_SYN | HY_TCP_ACK; /* a SYN-ACK is a reply, not a probe */
    assert_int_equal(dn_fingerprint(&m), 0);
    assert_string_equal(dn_fps[0].name, "mirai");
}

static void test_classes(void **state)
{
    (void)state;
    uint8_t proto = 0;
    uint16_t port = 0;
    assert_true(dn_port_parse("icmp6/128", &proto, &port) && proto == 58 && port == 128);
    assert_true(dn_port_parse("tcp/23", &proto, &port) && proto == 6 && port == 23);
    assert_string_equal(dn_proto_name(proto), "tcp");
    static const char *const bad[] = {"tcp/70000", "sctp/1", "tcp/23x", "tcp/", "/23", "tcp23"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(dn_port_parse(bad[i], &proto, &port));
    static const uint8_t l4[8];
    hy_pkt p = hy_test_syn4(1, 2, 23, 0, 0);
    assert_int_equal(dn_classify(&p), DN_SCAN);
    p.tcp_flags = HY_TCP_SYN | HY_TCP_ACK;
    assert_int_equal(dn_classify(&p), DN_BACKSCATTER);
    p.tcp_flags = HY_TCP_RST | HY_TCP_ACK;
    assert_int_equal(dn_classify(&p), DN_BACKSCATTER);
    p.tcp_flags = HY_TCP_ACK;
    assert_int_equal(dn_classify(&p), DN_OTHER);
    hy_pkt u = {.ip_version = 4, .proto = 17, .l4 = l4};
    assert_int_equal(dn_classify(&u), DN_SCAN);
    hy_pkt i = {.ip_version = 4, .proto = 1, .l4 = l4, .icmp_type = 8};
    assert_int_equal(dn_classify(&i), DN_SCAN);
    i.icmp_type = 3;
    assert_int_equal(dn_classify(&i), DN_BACKSCATTER);
    i.icmp_type = 11;
    assert_int_equal(dn_classify(&i), DN_BACKSCATTER);
    i.icmp_type = 13;
    assert_int_equal(dn_classify(&i), DN_OTHER);
    hy_pkt i6 = {.ip_version = 6, .proto = 58, .l4 = l4, .icmp_type = 128};
    assert_int_equal(dn_classify(&i6), DN_SCAN);
    i6.icmp_type = 1;
    assert_int_equal(dn_classify(&i6), DN_BACKSCATTER);
    i.l4 = NULL; /* truncated before the header */
    assert_int_equal(dn_classify(&i), DN_OTHER);
}

static void test_prefixes(void **state)
{
    (void)state;
    const char *good[] = {"198.18.0.0/15", "2001:db8:ff00::/40", "192.0.2.7"};
    dn_prefixes d;
    hy_pkt p = hy_test_syn4(1, 0xc613ffff, 1, 0, 0); /* 198.19.255.255: inside the /15 */
    assert_int_equal(dn_prefixes_parse(good, 3, &d), HY_OK);
    assert_true(dn_prefixes_match(&d, &p));
    p.dst[1] = 20; /* 198.20.255.255 */
    assert_false(dn_prefixes_match(&d, &p));
    p = hy_test_syn4(1, 0xc0000207, 1, 0, 0);
    assert_true(dn_prefixes_match(&d, &p));
    p.dst[3] = 8;
    assert_false(dn_prefixes_match(&d, &p));
    hy_pkt v6 = {.ip_version = 6, .dst = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0x12}};
    assert_true(dn_prefixes_match(&d, &v6));
    v6.dst[4] = 0xfe;
    assert_false(dn_prefixes_match(&d, &v6));
    dn_prefixes_free(&d);

    const char *bad[][1] = {{"10.0.0/8"}, {"10.0.0.0/33"}, {"::/129"}, {"x"}, {"/8"}, {"1.2.3.4/"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dn_prefixes_parse(bad[i], 1, &d), HY_ERR_CONFIG);
    const char *all[] = {"all"};
    assert_int_equal(dn_prefixes_parse(all, 1, &d), HY_OK);
    hy_pkt noip = {0};
    assert_true(dn_prefixes_match(&d, &v6));
    assert_false(dn_prefixes_match(&d, &noip));
    dn_prefixes_free(&d);
}

static const dn_limits LIM = {.exact_cap = 64, .max_sources = 100000, .max_ports = 100000};

/* Random darknet packets split over k bins by a hash, merged, give the same
 * per-port figures as one bin. */
/* Each source of bin ud is in bin value's map with the same aggregate. */
static int same_src(const void *key, size_t klen, void *value, void *ud)
{
    const dn_src_agg *a = value, *b = hy_map_get(ud, key, klen);
    assert_non_null(b);
    assert_int_equal(a->packets, b->packets);
    assert_int_equal(a->scan_packets, b->scan_packets);
    assert_int_equal(a->fp_bits, b->fp_bits);
    assert_int_equal(a->dst_min, b->dst_min);
    assert_int_equal(a->dst_max, b->dst_max);
    assert_int_equal(a->nports, b->nports);
    assert_memory_equal(a->port_v, b->port_v, a->nports * sizeof *a->port_v);
    assert_memory_equal(a->sub, b->sub, sizeof a->sub);
    return 0;
}

static void test_bin_merge_split_independent(void **state)
{
    (void)state;
    enum { N = 5000 };
    hy_pkt *pk = malloc(N * sizeof *pk);
    unsigned seed = 3;
    assert_non_null(pk);
    for (int i = 0; i < N; i++) {
        uint32_t dst = 0xc6120000 | (uint32_t)(rand_r(&seed) & 0xffff);
        uint32_t src = (uint32_t)rand_r(&seed) % 400 + 0x01000000;
        pk[i] = hy_test_syn4(src, dst, (uint16_t)(20 + rand_r(&seed) % 5), (uint32_t)rand_r(&seed),
                     i % 7 ? 1 : 54321);
        pk[i].ts_ns = (uint64_t)i;
    }
    dn_bin *one;
    assert_int_equal(dn_bin_create(0, &LIM, &one), HY_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(dn_bin_add(one, &LIM, &pk[i], dn_classify(&pk[i]), dn_fingerprint(&pk[i])),
                         HY_OK);
    for (int k = 2; k <= 4; k++) {
        dn_bin *part[4], *m;
        dn_port_agg **a, **b;
        size_t na, nb;
        for (int j = 0; j < k; j++)
            assert_int_equal(dn_bin_create(0, &LIM, &part[j]), HY_OK);
        for (int i = 0; i < N; i++) {
            int j = (pk[i].src[3] ^ pk[i].dst[3]) % k;
            dn_bin_add(part[j], &LIM, &pk[i], dn_classify(&pk[i]), dn_fingerprint(&pk[i]));
        }
        assert_int_equal(dn_bin_create(0, &LIM, &m), HY_OK);
        for (int j = k - 1; j >= 0; j--) {
            assert_int_equal(dn_bin_merge(m, part[j], &LIM), HY_OK);
            dn_bin_destroy(part[j]);
        }
        assert_int_equal(dn_bin_ports(one, &a, &na), HY_OK);
        assert_int_equal(dn_bin_ports(m, &b, &nb), HY_OK);
        assert_int_equal(na, nb);
        for (size_t i = 0; i < na; i++) {
            assert_int_equal(a[i]->port, b[i]->port);
            assert_int_equal(a[i]->packets, b[i]->packets);
            assert_int_equal(a[i]->fp_packets[1], b[i]->fp_packets[1]);
            assert_int_equal(hy_uset_count(&a[i]->srcs), hy_uset_count(&b[i]->srcs));
            assert_int_equal(hy_uset_count(&a[i]->dsts), hy_uset_count(&b[i]->dsts));
            assert_false(hy_uset_exact(&a[i]->dsts)); /* past the cap of 64: sketches merged */
            assert_memory_equal(a[i]->sample_h, b[i]->sample_h, sizeof a[i]->sample_h);
        }
        assert_int_equal(hy_map_count(one->srcs), hy_map_count(m->srcs));
        hy_map_each(one->srcs, same_src, m->srcs);
        assert_int_equal(hy_map_count(one->srcs), hy_map_count(m->srcs));
        free(a);
        free(b);
        dn_bin_destroy(m);
    }
    dn_bin_destroy(one);
    free(pk);
}

/* ---- the change detector on planted series ---- */

static dn_port_agg *agg_with(uint16_t port, uint32_t sources)
{
    dn_port_agg *a = calloc(1, sizeof *a);
    a->cls = DN_SCAN;
    a->proto = 6;
    a->port = port;
    hy_uset_init(&a->srcs, 100000);
    for (uint64_t i = 0; i < sources; i++) {
        uint64_t h = hy_hash64(&i, sizeof i, port);
        hy_uset_add(&a->srcs, h);
    }
    return a;
}

static void agg_free(dn_port_agg *a)
{
    hy_uset_free(&a->srcs);
    free(a);
}

/* Feeds counts[i] for bin i; returns the first bin that fired (or -1). */
static int first_fire(const uint32_t *counts, int n, uint16_t port, bool *newport)
{
    dn_detect_cfg c = {.history_bins = 240, .recent_bins = 30, .z = 8, .min_sources = 10,
                       .min_ratio = 3, .new_port_k = 10, .max_ports = 100};
    dn_detect *d;
    int fired = -1;
    assert_int_equal(dn_detect_create(&c, &d), HY_OK);
    for (int i = 0; i < n && fired < 0; i++) {
        dn_finding *f = NULL;
        size_t nf = 0;
        dn_port_agg *a = counts[i] ? agg_with(port, counts[i]) : NULL;
        assert_int_equal(dn_detect_bin(d, 1000 + (uint64_t)i, &a, a ? 1 : 0, &f, &nf), HY_OK);
        if (nf) {
            fired = i;
            *newport = f[0].new_port;
        }
        free(f);
        if (a)
            agg_free(a);
    }
    dn_detect_destroy(d);
    return fired;
}

static void test_change_detector(void **state)
{
    (void)state;
    uint32_t s[300];
    unsigned seed = 11;
    bool np = false;
    /* noisy background around 20 sources: never fires */
    for (int i = 0; i < 300; i++)
        s[i] = 15 + (uint32_t)(rand_r(&seed) % 11);
    assert_int_equal(first_fire(s, 300, 23, &np), -1);
    /* a step to 5x at bin 200 fires at once, as a change */
    for (int i = 200; i < 300; i++)
        s[i] = 100 + (uint32_t)(rand_r(&seed) % 10);
    assert_int_equal(first_fire(s, 300, 23, &np), 200);
    assert_false(np);
    /* a port silent from the start that reaches 12 sources: a new port */
    memset(s, 0, sizeof s);
    s[150] = 12;
    assert_int_equal(first_fire(s, 300, 9999, &np), 150);
    assert_true(np);
    /* ... but not during the warm-up, when every port is new */
    memset(s, 0, sizeof s);
    s[5] = 50;
    assert_int_equal(first_fire(s, 300, 9999, &np), -1);
}

/* ---- a whole scenario through the engine's callbacks ---- */

typedef struct sink {
    char text[1 << 16];
    size_t len;
    int outbreaks;
    char subject[64];
    uint64_t first_ns; /* time of the first outbreak alert */
} sink;

static hy_err collect(void *ud, hy_alert *a)
{
    sink *s = ud;
    hy_buf b;
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy_alert_to_eve(a, &b), HY_OK);
    if (s->len + b.len + 2 < sizeof s->text) {
        memcpy(s->text + s->len, b.data, b.len);
        s->len += b.len;
        s->text[s->len++] = '\n';
        s->text[s->len] = '\0';
    }
    if (strcmp(a->kind, "darknet.outbreak") == 0) {
        if (!s->outbreaks++)
            s->first_ns = a->time_ns;
        snprintf(s->subject, sizeof s->subject, "%s", a->subject);
    }
    hy_buf_free(&b);
    hy_alert_destroy(a);
    return HY_OK;
}

/* Three hours at one packet a second per background source pool, then from
 * 2 h on a Mirai-like outbreak on TCP 2323 by 80 hosts joining over 20 min;
 * packets are dealt to `shards` shard instances by address pair. */
static void run_scenario(int shards, sink *out)
{
    hy_config *cfg;
    void *sh[4], *global;
    hy_emit emit = {.fn = collect, .ud = out};
    unsigned seed = 5;
    uint64_t t0 = 1700000000ull * 1000000000ull, sec = 1000000000ull;

    assert_int_equal(hy_config_create(&cfg), HY_OK);
    assert_int_equal(hy_config_set(cfg, "darknet.prefixes", "198.18.0.0/15"), HY_OK);
    assert_int_equal(hy_config_set(cfg, "darknet.recent_bins", "30"), HY_OK);
    /* the graphical lasso runs too (small windows keep the test fast); with
     * three hours it stays below its history minimum and never fires, but its
     * windows are built from merged shards like everything else */
    assert_int_equal(hy_config_set(cfg, "darknet.glasso_hosts", "40"), HY_OK);
    for (int i = 0; i < shards; i++) {
        hy_engine_env env = {.cfg = cfg, .shard = i, .shards = shards};
        assert_int_equal(hy_engine_darknet.create(&env, &sh[i]), HY_OK);
    }
    hy_engine_env genv = {.cfg = cfg, .shard = -1, .shards = shards};
    assert_int_equal(hy_engine_darknet.create(&genv, &global), HY_OK);
    for (uint64_t s = 0; s < 3 * 3600; s++) {
        for (int k = 0; k < 6; k++) { /* background: 6 packets a second */
            uint32_t src = 0x05000000u + (uint32_t)(rand_r(&seed) % 2000);
            uint16_t ports[] = {23, 22, 80, 445, 3389, 8080};
            hy_pkt p = hy_test_syn4(src, 0xc6120000u | (uint32_t)(rand_r(&seed) & 0x1ffff),
                            ports[rand_r(&seed) % 6], (uint32_t)rand_r(&seed), 7);
            p.ts_ns = t0 + s * sec + (uint64_t)k;
            hy_event ev = {.kind = HY_EV_PACKET, .ts_ns = p.ts_ns, .u.pkt = &p};
            assert_int_equal(hy_engine_darknet.on_event(sh[(p.src[3] ^ p.dst[3]) % shards], &ev,
                                                        &emit), HY_OK);
        }
        if (s >= 2 * 3600 && rand_r(&seed) % 2 == 0) { /* the outbreak */
            uint64_t joined = (s - 2 * 3600) / 15 + 1;
            uint32_t bot = 0x5b000000u + (uint32_t)(rand_r(&seed) % (joined < 80 ? joined : 80));
            uint32_t dst = 0xc6120000u | (uint32_t)(rand_r(&seed) & 0x1ffff);
            hy_pkt p = hy_test_syn4(bot, dst, 2323, dst, 99);
            p.ts_ns = t0 + s * sec + 500;
            hy_event ev = {.kind = HY_EV_PACKET, .ts_ns = p.ts_ns, .u.pkt = &p};
            assert_int_equal(hy_engine_darknet.on_event(sh[(p.src[3] ^ p.dst[3]) % shards], &ev,
                                                        &emit), HY_OK);
        }
        bool final = s == 3 * 3600 - 1;
        uint64_t now = t0 + (s + 1) * sec;
        for (int i = 0; i < shards; i++) {
            assert_int_equal(hy_engine_darknet.tick(sh[i], now, final, &emit), HY_OK);
            void *part = hy_engine_darknet.partial(sh[i], now);
            if (part)
                assert_int_equal(hy_engine_darknet.combine(global, part), HY_OK);
        }
        assert_int_equal(hy_engine_darknet.tick(global, now, final, &emit), HY_OK);
    }
    for (int i = 0; i < shards; i++)
        hy_engine_darknet.destroy(sh[i]);
    hy_engine_darknet.destroy(global);
    hy_config_destroy(cfg);
}

static void test_scenario_alerts_exactly_the_outbreak(void **state)
{
    (void)state;
    static sink one, many;
    run_scenario(1, &one);
    assert_true(one.outbreaks >= 1);
    assert_string_equal(one.subject, "tcp/2323");
    /* every outbreak alert is about 2323, with the Mirai fingerprint */
    for (const char *p = one.text; (p = strstr(p, "\"darknet.outbreak\"")); p++) {
        const char *eol = strchr(p, '\n');
        const char *s = strstr(p, "\"subject\":\"tcp/2323\"");
        const char *m = strstr(p, "\"fingerprint_summary\":\"100% Mirai-like bot\"");
        assert_true(s && s < eol);
        assert_true(m && m < eol);
    }
    /* the first alert comes within 10 minutes of the start (2 h in) */
    uint64_t start = 1700000000ull * 1000000000ull + 7200ull * 1000000000ull;
    assert_true(one.first_ns > start);
    assert_true(one.first_ns - start <= 600ull * 1000000000ull);
    for (int k = 2; k <= 4; k++) {
        memset(&many, 0, sizeof many);
        run_scenario(k, &many);
        assert_string_equal(one.text, many.text);
    }
}

/* ---- the graphical lasso detector on planted windows ---- */

/* Adds `n` packets of src to port at second `sec` of the run, to darknet
 * address dst (0: spread over the /16). */
static void put(dn_bin *b, const dn_limits *lim, uint32_t src, uint16_t port, uint64_t sec, int n,
                uint32_t dst)
{
    for (int i = 0; i < n; i++) {
        uint32_t d = dst ? dst : 0xc6120000u | (src * 7919u + (uint32_t)i) % 65536;
        hy_pkt p = hy_test_syn4(src, d, port, 1, 7);
        p.ts_ns = sec * 1000000000ull + (uint64_t)i;
        assert_int_equal(dn_bin_add(b, lim, &p, DN_SCAN, 0), HY_OK);
    }
}

/* 200 windows of background (hosts scanning busy ports at random times),
 * then a group of 30 hosts scanning tcp/5555 in step (on in the same
 * 50-second rows, off in the others), across the darknet or all at address
 * `target`. The glasso detector stays quiet on the background and finds the
 * window of the group, on its port, at level 1 (level 4 with one target). */
static void glasso_group(uint32_t target)
{
    dn_glasso_cfg gc = {.window_bins = 10, .max_hosts = 60, .seed = 1, .rho_min = 0.4,
                        .rho_max = 0.9, .rho_step = 0.1, .history = 432, .min_history = 144,
                        .max_sources = 100000, .min_port_hosts = 20, .min_port_share = 0.10,
                        .growth = 6};
    dn_limits lim = {.exact_cap = 64, .max_sources = 100000, .max_ports = 100000,
                     .bin_ns = 60000000000ull};
    const uint16_t busy[] = {23, 22, 80, 445};
    dn_glasso *g;
    unsigned seed = 9;
    int first_win = -1, false_findings = 0;

    assert_int_equal(dn_glasso_create(&gc, &g), HY_OK);
    for (uint64_t bin = 0; bin < 200 * 10; bin++) {
        dn_bin *b;
        dn_finding *f = NULL;
        size_t nf = 0;
        assert_int_equal(dn_bin_create(bin, &lim, &b), HY_OK);
        for (int k = 0; k < 12; k++) /* background */
            put(b, &lim, 0x05000000u + (uint32_t)(rand_r(&seed) % 400), busy[rand_r(&seed) % 4],
                bin * 60 + (uint64_t)(rand_r(&seed) % 60), 1 + rand_r(&seed) % 2, 0);
        if (bin >= 190 * 10) /* the group: on in every other 50-second row */
            for (uint32_t h = 0; h < 30; h++)
                for (uint64_t slot = 0; slot < 6; slot++)
                    if ((bin * 6 + slot) % 60 / 5 % 2 == 0)
                        put(b, &lim, 0x5b000000u + h, 5555, bin * 60 + slot * 10 + h % 5,
                            1 + (int)((h + slot) % 2), target);
        assert_int_equal(dn_glasso_bin(g, b, &f, &nf), HY_OK);
        for (size_t i = 0; i < nf; i++) {
            if (f[i].port == 5555 && f[i].glasso && bin >= 1900) {
                if (first_win < 0) {
                    first_win = (int)(bin / 10);
                    assert_int_equal(f[i].gl.level, target ? 4 : 1);
                    assert_true(f[i].gl.port_hosts >= 20);
                }
            } else {
                false_findings++;
            }
        }
        free(f);
        dn_bin_destroy(b);
    }
    dn_glasso_destroy(g);
    assert_int_equal(false_findings, 0);
    assert_int_equal(first_win, 190); /* the group's first window */
}

static void test_glasso_detector(void **state)
{
    (void)state;
    glasso_group(0);
    glasso_group(0xc6120001u); /* every packet to 198.18.0.1: level 4 */
}

/* ---- scoring against ground truth ---- */

static void test_eval_scoring(void **state)
{
    (void)state;
    const uint64_t S = 1000000000ull, H = 3600 * S;
    hy_alert *a;
    hy_dn_hit hit;
    assert_int_equal(hy_alert_create(5 * H, "darknet", "darknet.outbreak", 2, 0.5, "t", "udp/5683",
                                     1, &a), HY_OK);
    assert_int_equal(hy_alert_set_evidence(a, "{\"detectors\":[\"change\",\"nmf\"],"
                                              "\"x\":\"new_port\"}"), HY_OK);
    assert_true(hy_dn_hit_from_alert(a, &hit));
    assert_int_equal(hit.proto, 17);
    assert_int_equal(hit.port, 5683);
    assert_int_equal(hit.detectors, (1u << 0) | (1u << 3)); /* not new_port: outside the array */
    hy_alert_destroy(a);

    hy_dn_truth t[] = {{6, 23, 10 * H, 20 * H, 100}, {6, 445, 30 * H, 40 * H, 20}};
    hy_dn_hit h[] = {
        {6, 23, 10 * H + 300 * S, 1u << 0},  /* change, 5 min in */
        {6, 23, 10 * H + 600 * S, 1u << 1},  /* new_port, 10 min in */
        {6, 445, 31 * H, 1u << 0},           /* on an outbreak too small to score */
        {17, 53, 2 * H, 1u << 0},            /* false */
        {17, 53, 2 * H + 10 * 60 * S, 1u << 0}, /* same false incident */
        {17, 53, 5 * H, 1u << 0},            /* a second false incident */
    };
    hy_dn_score s[HY_DN_DETECTORS + 1] = {0};
    assert_int_equal(hy_dn_score_add(s, t, 2, h, 6, 48 * H, 50, H), HY_OK);
    assert_int_equal(s[0].outbreaks, 1);
    assert_int_equal(s[0].found, 1);
    assert_true(hy_dn_score_median_delay(&s[0]) == 300);
    assert_int_equal(s[0].false_alerts, 2);
    assert_int_equal(s[1].found, 1);
    assert_true(hy_dn_score_max_delay(&s[1]) == 600);
    assert_int_equal(s[1].false_alerts, 0);
    assert_int_equal(s[2].found, 0);
    assert_int_equal(s[HY_DN_DETECTORS].found, 1); /* combined: the earliest, 5 min */
    assert_true(hy_dn_score_median_delay(&s[HY_DN_DETECTORS]) == 300);
    assert_true(s[0].days == 2.0);
    for (int d = 0; d <= HY_DN_DETECTORS; d++)
        hy_dn_score_free(&s[d]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprints),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_bin_merge_split_independent),
        cmocka_unit_test(test_change_detector),
        cmocka_unit_test(test_scenario_alerts_exactly_the_outbreak),
        cmocka_unit_test(test_eval_scoring),
        cmocka_unit_test(test_glasso_detector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
