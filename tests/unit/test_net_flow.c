/* Flow table and EVE flow records, on hy_pkt structs filled by hand. */
#include "testutil.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hayate/flow.h"

#define NS       1000000000ull
#define T0       (1700000000ull * NS) /* 2023-11-14T22:13:20Z */
#define MS(x)    ((uint64_t)(x)*1000000ull)
#define SINK_CAP 64

typedef struct sink {
    hy_flow f[SINK_CAP];
    size_t n;     /* flows kept (the first SINK_CAP) */
    size_t total; /* flows seen */
    uint64_t last_seq;
    bool sorted_breach; /* a call's output went backwards in first_seq */
} sink;

static void on_flow(void *ud, const hy_flow *f)
{
    sink *s = ud;
    if (s->n < SINK_CAP)
        s->f[s->n++] = *f;
    s->total++;
}

static void on_flow_count(void *ud, const hy_flow *f)
{
    sink *s = ud;
    if (s->total && f->first_seq <= s->last_seq)
        s->sorted_breach = true;
    s->last_seq = f->first_seq;
    s->total++;
}

static uint8_t parse_addr(const char *s, uint8_t a[16])
{
    memset(a, 0, 16);
    if (inet_pton(AF_INET, s, a) == 1)
        return 4;
    assert_int_equal(inet_pton(AF_INET6, s, a), 1);
    return 6;
}

static const uint8_t l4_bytes[64];

static hy_pkt mkpkt(uint64_t ts, uint64_t seq, const char *src, uint16_t sp, const char *dst,
                    uint16_t dp, uint8_t proto, uint32_t payload)
{
    hy_pkt p;
    memset(&p, 0, sizeof p);
    p.ts_ns = ts;
    p.seq = seq;
    p.linktype = HY_LINK_ETHERNET;
    p.ip_version = parse_addr(src, p.src);
    parse_addr(dst, p.dst);
    p.ethertype = p.ip_version == 4 ? 0x0800 : 0x86dd;
    p.proto = proto;
    p.sport = sp;
    p.dport = dp;
    p.ip_len = (uint16_t)((p.ip_version == 4 ? 20 : 40) + (proto == 6 ? 20 : 8) + payload);
    p.wirelen = p.caplen = p.ip_len + 14u;
    p.l4 = l4_bytes;
    p.payload_len = p.payload_wire_len = payload;
    return p;
}

static hy_pkt tcp(uint64_t ts, uint64_t seq, const char *src, uint16_t sp, const char *dst,
                  uint16_t dp, uint8_t flags, uint32_t payload)
{
    hy_pkt p = mkpkt(ts, seq, src, sp, dst, dp, 6, payload);
    p.tcp_flags = flags;
    return p;
}

static hy_pkt icmp(uint64_t ts, uint64_t seq, const char *src, const char *dst, uint8_t type,
                   uint8_t code)
{
    hy_pkt p = mkpkt(ts, seq, src, 0, dst, 0, strchr(src, ':') ? 58 : 1, 56);
    p.icmp_type = type;
    p.icmp_code = code;
    return p;
}

static hy_flow_table *mktable(size_t max, uint64_t idle_s, uint64_t active_s, hy_flow_out_fn fn,
                              void *ud)
{
    hy_flow_cfg cfg;
    hy_flow_table *t = NULL;
    hy_flow_cfg_default(&cfg);
    cfg.max_flows = max;
    cfg.idle_ns = idle_s * NS;
    cfg.active_ns = active_s * NS;
    assert_int_equal(hy_flow_table_create(&cfg, fn, ud, &t), HY_OK);
    return t;
}

#define CLI "128.232.110.120"
#define SRV "66.35.250.204"
#define A   HY_TCP_ACK
#define S   HY_TCP_SYN
#define F   HY_TCP_FIN
#define P   HY_TCP_PSH
#define R   HY_TCP_RST

/* The TCP exchange of test_tcp_exchange: client CLI:34855 -> SRV:80. */
static void feed_tcp_exchange(hy_flow_table *t, const hy_flow **fp)
{
    static const struct {
        int ms, toclient;
        uint8_t flags;
        uint32_t payload;
        hy_tcp_state after;
    } ex[] = {
        {1000, 0, S, 0, HY_TCP_SYN_SENT},       {1010, 1, S | A, 0, HY_TCP_SYN_RECV},
        {1020, 0, A, 0, HY_TCP_ESTABLISHED},    {1030, 0, P | A, 100, HY_TCP_ESTABLISHED},
        {1050, 1, A, 1000, HY_TCP_ESTABLISHED}, {1060, 1, A, 500, HY_TCP_ESTABLISHED},
        {1070, 0, A, 0, HY_TCP_ESTABLISHED},    {1100, 0, F | A, 0, HY_TCP_CLOSING},
        {1110, 1, F | A, 0, HY_TCP_CLOSED},     {1120, 0, A, 0, HY_TCP_CLOSED},
    };
    const hy_flow *first = NULL;
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        hy_pkt p =
            ex[i].toclient
                ? tcp(T0 + MS(ex[i].ms), 100 + i, SRV, 80, CLI, 34855, ex[i].flags, ex[i].payload)
                : tcp(T0 + MS(ex[i].ms), 100 + i, CLI, 34855, SRV, 80, ex[i].flags, ex[i].payload);
        const hy_flow *f = hy_flow_table_update(t, &p);
        assert_non_null(f);
        if (!first)
            first = f;
        assert_ptr_equal(f, first); /* both directions: one flow */
        if (f->tcp_state != ex[i].after)
            fail_msg("packet %zu: state %d, want %d", i, f->tcp_state, ex[i].after);
    }
    *fp = first;
}

static void check_tcp_exchange(const hy_flow *f)
{
    uint8_t cli[16], srv[16];
    parse_addr(CLI, cli);
    parse_addr(SRV, srv);
    assert_int_equal(f->ip_version, 4);
    assert_int_equal(f->proto, 6);
    assert_memory_equal(f->src, cli, 16); /* the first sender is the client */
    assert_memory_equal(f->dst, srv, 16);
    assert_int_equal(f->sport, 34855);
    assert_int_equal(f->dport, 80);
    assert_int_equal(f->first_seq, 100);
    assert_int_equal(f->first_ns, T0 + MS(1000));
    assert_int_equal(f->last_ns, T0 + MS(1120));
    assert_int_equal(f->closed_ns, T0 + MS(1110));
    assert_int_equal(f->tcp_state, HY_TCP_CLOSED);
    /* toserver: 40 x5 + 140 */
    assert_int_equal(f->dir[0].pkts, 6);
    assert_int_equal(f->dir[0].bytes, 340);
    assert_int_equal(f->dir[0].payload_bytes, 100);
    assert_int_equal(f->dir[0].len_min, 40);
    assert_int_equal(f->dir[0].len_max, 140);
    assert_true(f->dir[0].len_sum == 340.0);
    assert_true(f->dir[0].len_sumsq == 5 * 1600.0 + 19600.0);
    assert_int_equal(f->dir[0].tcp_flags, S | A | P | F);
    /* toclient: 40, 1040, 540, 40 */
    assert_int_equal(f->dir[1].pkts, 4);
    assert_int_equal(f->dir[1].bytes, 1660);
    assert_int_equal(f->dir[1].payload_bytes, 1500);
    assert_int_equal(f->dir[1].len_min, 40);
    assert_int_equal(f->dir[1].len_max, 1040);
    assert_true(f->dir[1].len_sumsq == 1600.0 + 1081600.0 + 291600.0 + 1600.0);
    assert_int_equal(f->dir[1].tcp_flags, S | A | F);
    /* inter-arrival (ms): 10 10 10 20 10 10 30 10 10 */
    assert_int_equal(f->iat_n, 9);
    assert_int_equal(f->iat_min, MS(10));
    assert_int_equal(f->iat_max, MS(30));
    assert_true(f->iat_sum == (double)MS(120));
    assert_true(f->iat_sumsq == 7e14 + 4e14 + 9e14);
    /* flag counts: FIN SYN RST PSH ACK URG ECE CWR */
    const uint32_t fc[8] = {2, 2, 0, 1, 9, 0, 0, 0};
    assert_memory_equal(f->flag_count, fc, sizeof fc);
    assert_int_equal(f->first_payload_n, 3);
    assert_int_equal(f->first_payloads[0], 100);
    assert_int_equal(f->first_payloads[1], -1000);
    assert_int_equal(f->first_payloads[2], -500);
}

static void test_tcp_exchange(void **state)
{
    sink s = {0};
    const hy_flow *f;
    hy_flow_stats st;
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);

    (void)state;
    feed_tcp_exchange(t, &f);
    check_tcp_exchange(f);
    hy_flow_table_expire(t, T0 + MS(1110) + 5 * NS - 1); /* linger not over */
    assert_int_equal(s.n, 0);
    hy_flow_table_expire(t, T0 + MS(1110) + 5 * NS);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.f[0].end, HY_FLOW_END_TCP_CLOSED);
    check_tcp_exchange(&s.f[0]);
    assert_string_equal(s.f[0].community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    hy_flow_table_stats(t, &st);
    assert_int_equal(st.created, 1);
    assert_int_equal(st.exported, 1);
    assert_int_equal(st.active, 0);
    hy_flow_table_destroy(t);
}

static void test_tcp_rst_and_port_reuse(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    hy_pkt p;
    const hy_flow *f;

    (void)state;
    p = tcp(T0, 1, "10.0.0.9", 4444, "10.0.0.1", 23, S, 0);
    hy_flow_table_update(t, &p);
    p = tcp(T0 + MS(1), 2, "10.0.0.1", 23, "10.0.0.9", 4444, R | A, 0);
    f = hy_flow_table_update(t, &p);
    assert_int_equal(f->tcp_state, HY_TCP_CLOSED);
    assert_int_equal(f->closed_ns, T0 + MS(1));
    /* A fresh SYN on the closed 5-tuple is a new connection. */
    p = tcp(T0 + MS(500), 3, "10.0.0.9", 4444, "10.0.0.1", 23, S, 0);
    f = hy_flow_table_update(t, &p);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.f[0].end, HY_FLOW_END_TCP_CLOSED);
    assert_int_equal(s.f[0].first_seq, 1);
    assert_int_equal(s.f[0].dir[1].tcp_flags, R | A);
    assert_int_equal(f->first_seq, 3);
    assert_int_equal(f->tcp_state, HY_TCP_SYN_SENT);
    /* Midstream pick-up: the first packet is not a SYN. */
    p = tcp(T0, 4, "10.0.0.7", 5555, "10.0.0.1", 80, A | P, 10);
    f = hy_flow_table_update(t, &p);
    assert_int_equal(f->tcp_state, HY_TCP_NEW);
    p = tcp(T0 + 1, 5, "10.0.0.1", 80, "10.0.0.7", 5555, A, 0);
    f = hy_flow_table_update(t, &p);
    assert_int_equal(f->tcp_state, HY_TCP_NEW);
    assert_int_equal(f->dir[1].pkts, 1);
    hy_flow_table_destroy(t);
}

static void test_idle_timeout(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    hy_pkt p;
    const hy_flow *f;

    (void)state;
    p = mkpkt(T0, 1, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 30);
    hy_flow_table_update(t, &p);
    p = mkpkt(T0 + 5 * NS, 2, "10.0.0.2", 53, "10.0.0.1", 5000, 17, 90);
    hy_flow_table_update(t, &p);
    hy_flow_table_expire(t, T0 + 65 * NS - 1);
    assert_int_equal(s.n, 0);
    hy_flow_table_expire(t, T0 + 65 * NS);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.f[0].end, HY_FLOW_END_IDLE);
    assert_int_equal(s.f[0].dir[0].pkts, 1);
    assert_int_equal(s.f[0].dir[1].pkts, 1);
    /* The next packet starts a new flow. */
    p = mkpkt(T0 + 70 * NS, 3, "10.0.0.2", 53, "10.0.0.1", 5000, 17, 90);
    f = hy_flow_table_update(t, &p);
    assert_int_equal(f->first_seq, 3);
    assert_int_equal(f->sport, 53); /* its first sender is now the client */
    /* Without an expire call between, an idle flow still ends before the
     * packet that finds it idle. */
    p = mkpkt(T0 + 200 * NS, 4, "10.0.0.1", 5000, "10.0.0.2", 53, 17, 30);
    f = hy_flow_table_update(t, &p);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.f[1].first_seq, 3);
    assert_int_equal(s.f[1].end, HY_FLOW_END_IDLE);
    assert_int_equal(f->first_seq, 4);
    assert_int_equal(f->dir[0].pkts, 1);
    hy_flow_table_destroy(t);
}

static void test_active_timeout(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 30, on_flow, &s);
    hy_flow_stats st;
    hy_pkt p;
    const hy_flow *f;

    (void)state;
    for (int i = 0; i < 3; i++) {
        p = mkpkt(T0 + (uint64_t)i * 10 * NS, (uint64_t)i, "10.0.0.1", 7000, "10.0.0.2", 7001, 17,
                  10);
        hy_flow_table_update(t, &p);
    }
    hy_flow_table_expire(t, T0 + 30 * NS - 1);
    assert_int_equal(s.n, 0);
    hy_flow_table_expire(t, T0 + 30 * NS);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.f[0].end, HY_FLOW_END_ACTIVE);
    assert_int_equal(s.f[0].dir[0].pkts, 3);
    p = mkpkt(T0 + 35 * NS, 3, "10.0.0.1", 7000, "10.0.0.2", 7001, 17, 10);
    f = hy_flow_table_update(t, &p);
    assert_int_equal(f->first_ns, T0 + 35 * NS);
    assert_int_equal(f->dir[0].pkts, 1);
    hy_flow_table_stats(t, &st);
    assert_int_equal(st.created, 2);
    assert_int_equal(st.active, 1);
    hy_flow_table_destroy(t);
}

static void test_udp(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    hy_pkt q = mkpkt(T0, 0, "192.168.1.52", 54585, "8.8.8.8", 53, 17, 32);
    hy_pkt r = mkpkt(T0 + MS(25), 1, "8.8.8.8", 53, "192.168.1.52", 54585, 17, 72);
    const hy_flow *f;

    (void)state;
    f = hy_flow_table_update(t, &q);
    assert_ptr_equal(hy_flow_table_update(t, &r), f);
    assert_int_equal(f->tcp_state, HY_TCP_NONE);
    assert_int_equal(f->dir[0].bytes, 60);
    assert_int_equal(f->dir[1].bytes, 100);
    assert_int_equal(f->dir[1].payload_bytes, 72);
    assert_int_equal(f->first_payloads[0], 32);
    assert_int_equal(f->first_payloads[1], -72);
    assert_int_equal(f->flag_count[1], 0);
    hy_flow_table_flush(t);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.f[0].end, HY_FLOW_END_SHUTDOWN);
    assert_string_equal(s.f[0].community_id, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
    hy_flow_table_destroy(t);
}

static void test_icmp(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    hy_pkt p;
    const hy_flow *f, *g;

    (void)state;
    p = icmp(T0, 0, "192.168.0.89", "192.168.0.1", 8, 0);
    f = hy_flow_table_update(t, &p);
    p = icmp(T0 + MS(1), 1, "192.168.0.1", "192.168.0.89", 0, 0);
    assert_ptr_equal(hy_flow_table_update(t, &p), f);
    assert_int_equal(f->sport, 8);
    assert_int_equal(f->dport, 0);
    assert_int_equal(f->dir[0].pkts, 1);
    assert_int_equal(f->dir[1].pkts, 1);
    /* Destination unreachable is one-way and its own flow. */
    p = icmp(T0 + MS(2), 2, "192.168.0.1", "192.168.0.89", 3, 1);
    g = hy_flow_table_update(t, &p);
    assert_ptr_not_equal(g, f);
    assert_int_equal(g->sport, 3);
    assert_int_equal(g->dport, 1);
    /* ICMPv6 echo request / reply. */
    p = icmp(T0 + MS(3), 3, "2001:db8::1", "2001:db8::2", 128, 0);
    g = hy_flow_table_update(t, &p);
    p = icmp(T0 + MS(4), 4, "2001:db8::2", "2001:db8::1", 129, 0);
    assert_ptr_equal(hy_flow_table_update(t, &p), g);
    assert_int_equal(g->dir[1].pkts, 1);
    hy_flow_table_flush(t);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.f[0].community_id, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
    hy_flow_table_destroy(t);
}

static void test_vlan_separates(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    hy_pkt p = mkpkt(T0, 0, "10.1.1.1", 1000, "10.1.1.2", 2000, 17, 0), q = p, r;
    const hy_flow *f, *g;

    (void)state;
    p.vlan_count = 1, p.vlan[0] = 10;
    q.vlan_count = 1, q.vlan[0] = 20;
    q.seq = 1;
    f = hy_flow_table_update(t, &p);
    g = hy_flow_table_update(t, &q);
    assert_ptr_not_equal(f, g);
    assert_int_equal(f->vlan, 10);
    assert_int_equal(g->vlan, 20);
    /* QinQ: the outer tag decides. */
    r = mkpkt(T0 + 1, 2, "10.1.1.2", 2000, "10.1.1.1", 1000, 17, 0);
    r.vlan_count = 2, r.vlan[0] = 10, r.vlan[1] = 99;
    assert_ptr_equal(hy_flow_table_update(t, &r), f);
    assert_int_equal(f->dir[1].pkts, 1);
    /* No tag: a third flow. */
    r.vlan_count = 0;
    assert_ptr_not_equal(hy_flow_table_update(t, &r), f);
    hy_flow_table_destroy(t);
}

static void test_eviction_lru(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(3, 60, 1800, on_flow, &s);
    hy_flow_stats st;
    const char *hosts[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"};
    hy_pkt p;

    (void)state;
    for (int i = 0; i < 3; i++) { /* A, B, C */
        p = mkpkt(T0 + (uint64_t)i * NS, (uint64_t)i, hosts[i], 1, "10.9.9.9", 53, 17, 0);
        hy_flow_table_update(t, &p);
    }
    p = mkpkt(T0 + 3 * NS, 3, "10.9.9.9", 53, hosts[0], 1, 17, 0); /* touch A */
    hy_flow_table_update(t, &p);
    p = mkpkt(T0 + 4 * NS, 4, hosts[3], 1, "10.9.9.9", 53, 17, 0); /* D evicts B */
    hy_flow_table_update(t, &p);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.f[0].first_seq, 1);
    assert_int_equal(s.f[0].end, HY_FLOW_END_EVICTED);
    p = mkpkt(T0 + 5 * NS, 5, hosts[4], 1, "10.9.9.9", 53, 17, 0); /* E evicts C */
    hy_flow_table_update(t, &p);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.f[1].first_seq, 2);
    hy_flow_table_stats(t, &st);
    assert_int_equal(st.evicted, 2);
    assert_int_equal(st.active, 3);
    hy_flow_table_flush(t);
    assert_int_equal(s.n, 5);
    assert_int_equal(s.f[2].first_seq, 0); /* A, D, E */
    assert_int_equal(s.f[2].dir[1].pkts, 1);
    assert_int_equal(s.f[3].first_seq, 4);
    assert_int_equal(s.f[4].first_seq, 5);
    assert_int_equal(s.f[4].end, HY_FLOW_END_SHUTDOWN);
    hy_flow_table_destroy(t);
}

static void test_export_order(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    const uint64_t seqs[] = {30, 10, 20};
    hy_pkt p;

    (void)state;
    /* Created in the order 30, 10, 20: flush sorts by first_seq. */
    for (int i = 0; i < 3; i++) {
        p = mkpkt(T0, seqs[i], "10.0.0.1", (uint16_t)(100 + i), "10.0.0.2", 80, 17, 0);
        hy_flow_table_update(t, &p);
    }
    hy_flow_table_flush(t);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.f[0].first_seq, 10);
    assert_int_equal(s.f[1].first_seq, 20);
    assert_int_equal(s.f[2].first_seq, 30);

    /* Idle expiry meets flows in LRU order (B, C, A) but exports by seq. */
    s.n = 0;
    for (int i = 0; i < 3; i++) {
        p = mkpkt(T0, 40 + (uint64_t)i, "10.0.0.1", (uint16_t)(200 + i), "10.0.0.2", 80, 17, 0);
        hy_flow_table_update(t, &p);
    }
    p = mkpkt(T0 + 10 * NS, 43, "10.0.0.1", 200, "10.0.0.2", 80, 17, 0);
    hy_flow_table_update(t, &p);
    hy_flow_table_expire(t, T0 + 65 * NS); /* B and C only */
    assert_int_equal(s.n, 2);
    assert_int_equal(s.f[0].first_seq, 41);
    assert_int_equal(s.f[1].first_seq, 42);
    hy_flow_table_expire(t, T0 + 70 * NS);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.f[2].first_seq, 40);
    hy_flow_table_destroy(t);
}

static void test_fragments(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    hy_flow_stats st;
    hy_pkt p;
    const hy_flow *f, *g;

    (void)state;
    p = mkpkt(T0, 0, "10.0.0.1", 5353, "10.0.0.2", 53, 17, 1472);
    p.is_frag = p.more_frags = true;
    p.ip_id = 77;
    f = hy_flow_table_update(t, &p);
    p = mkpkt(T0 + 1, 1, "10.0.0.1", 0, "10.0.0.2", 0, 17, 0);
    p.is_frag = true;
    p.frag_off = 1480;
    p.ip_id = 77;
    p.ip_len = 520;
    p.payload_wire_len = 500;
    p.l4 = NULL;
    assert_ptr_equal(hy_flow_table_update(t, &p), f);
    assert_int_equal(f->dir[0].pkts, 2);
    assert_int_equal(f->dir[0].bytes, 1500 + 520);
    /* A later fragment of an unseen datagram: a port-less flow. */
    p.ip_id = 78;
    g = hy_flow_table_update(t, &p);
    assert_ptr_not_equal(g, f);
    assert_int_equal(g->sport, 0);
    assert_int_equal(g->dport, 0);
    /* The first-fragment memory expires (30 s). */
    p.ip_id = 77;
    p.ts_ns = T0 + 31 * NS;
    assert_ptr_equal(hy_flow_table_update(t, &p), g);
    hy_flow_table_stats(t, &st);
    assert_int_equal(st.no_ports_frags, 2);

    /* ICMP: a later fragment carries no type, yet joins the echo flow. */
    p = icmp(T0 + 32 * NS, 5, "10.0.0.3", "10.0.0.4", 8, 0);
    p.is_frag = p.more_frags = true;
    p.ip_id = 9;
    f = hy_flow_table_update(t, &p);
    p = mkpkt(T0 + 32 * NS, 6, "10.0.0.3", 0, "10.0.0.4", 0, 1, 0);
    p.is_frag = true, p.frag_off = 1480, p.ip_id = 9, p.l4 = NULL;
    assert_ptr_equal(hy_flow_table_update(t, &p), f);
    assert_int_equal(f->dir[0].pkts, 2);
    assert_int_equal(f->dir[1].pkts, 0);

    /* TCP over IPv6: the fragment id, not ip_id; later fragments carry no
     * flags and leave the TCP state alone. */
    p = tcp(T0 + 33 * NS, 7, "2001:db8::1", 1234, "2001:db8::2", 80, S, 1400);
    p.is_frag = p.more_frags = true;
    p.frag_id = 0x12345678;
    f = hy_flow_table_update(t, &p);
    p = mkpkt(T0 + 33 * NS, 8, "2001:db8::1", 0, "2001:db8::2", 0, 6, 0);
    p.is_frag = true, p.frag_off = 1448, p.frag_id = 0x12345678, p.l4 = NULL;
    p.tcp_flags = R; /* garbage that must be ignored */
    assert_ptr_equal(hy_flow_table_update(t, &p), f);
    assert_int_equal(f->flag_count[1], 1);
    assert_int_equal(f->flag_count[2], 0);
    assert_int_equal(f->tcp_state, HY_TCP_SYN_SENT);
    hy_flow_table_destroy(t);
}

static void test_misc_keys(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    hy_pkt p;
    const hy_flow *f;

    (void)state;
    p = mkpkt(T0, 0, "10.0.0.1", 1, "10.0.0.2", 2, 17, 0);
    p.ip_version = 0; /* not IP */
    assert_null(hy_flow_table_update(t, &p));
    /* Same address both ends: the ports give the direction. */
    p = mkpkt(T0, 1, "10.0.0.1", 2000, "10.0.0.1", 1000, 17, 5);
    f = hy_flow_table_update(t, &p);
    p = mkpkt(T0 + 1, 2, "10.0.0.1", 1000, "10.0.0.1", 2000, 17, 7);
    assert_ptr_equal(hy_flow_table_update(t, &p), f);
    assert_int_equal(f->sport, 2000);
    assert_int_equal(f->dir[1].payload_bytes, 7);
    /* IPv6 TCP; v4 and v6 keys never mix. */
    p = tcp(T0 + 2, 3, "2001:db8::1", 40000, "2001:db8::2", 443, S, 0);
    f = hy_flow_table_update(t, &p);
    p = tcp(T0 + 3, 4, "2001:db8::2", 443, "2001:db8::1", 40000, S | A, 0);
    assert_ptr_equal(hy_flow_table_update(t, &p), f);
    assert_int_equal(f->tcp_state, HY_TCP_SYN_RECV);
    /* A SYN-ACK from the client side does not advance the handshake. */
    p = tcp(T0 + 4, 5, "10.0.0.5", 1, "10.0.0.6", 2, S, 0);
    f = hy_flow_table_update(t, &p);
    p = tcp(T0 + 5, 6, "10.0.0.5", 1, "10.0.0.6", 2, S | A, 0);
    hy_flow_table_update(t, &p);
    assert_int_equal(f->tcp_state, HY_TCP_SYN_SENT);
    hy_flow_table_flush(t);
    assert_int_equal(s.n, 3);
    {
        char want[40];
        uint8_t a[16], b[16];
        parse_addr("2001:db8::1", a);
        parse_addr("2001:db8::2", b);
        hy_community_id(0, 6, 6, b, a, 443, 40000, want);
        assert_string_equal(s.f[1].community_id, want);
    }
    hy_flow_table_destroy(t);
}

/* Many flows through a small cap, then many through a large one (the bucket
 * array grows): every flow is exported once, each call in first_seq order. */
static void test_stress(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(1000, 60, 1800, on_flow_count, &s);
    hy_flow_stats st;
    hy_pkt p;
    char a[32];

    (void)state;
    for (uint32_t i = 0; i < 20000; i++) {
        snprintf(a, sizeof a, "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
        p = mkpkt(T0 + i, i, a, (uint16_t)i, "192.0.2.1", 80, 6, 0);
        p.tcp_flags = S;
        assert_non_null(hy_flow_table_update(t, &p));
        hy_flow_table_stats(t, &st);
        assert_true(st.active <= 1000);
    }
    assert_int_equal(st.evicted, 19000);
    hy_flow_table_flush(t);
    hy_flow_table_stats(t, &st);
    assert_int_equal(s.total, 20000);
    assert_int_equal(st.exported, 20000);
    assert_int_equal(st.active, 0);
    hy_flow_table_destroy(t);

    memset(&s, 0, sizeof s);
    t = mktable(200000, 60, 1800, on_flow_count, &s);
    for (uint32_t i = 0; i < 100000; i++) {
        const hy_flow *f;
        snprintf(a, sizeof a, "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
        p = mkpkt(T0 + i, 2 * (uint64_t)i, a, 1000, "192.0.2.1", 53, 17, 0);
        f = hy_flow_table_update(t, &p);
        p = mkpkt(T0 + i, 2 * (uint64_t)i + 1, "192.0.2.1", 53, a, 1000, 17, 0);
        assert_ptr_equal(hy_flow_table_update(t, &p), f);
    }
    for (uint32_t i = 0; i < 100000; i += 997) { /* lookups after the growth */
        snprintf(a, sizeof a, "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
        p = mkpkt(T0 + 200000, 300000 + i, "192.0.2.1", 53, a, 1000, 17, 0);
        assert_int_equal(hy_flow_table_update(t, &p)->first_seq, 2 * (uint64_t)i);
    }
    hy_flow_table_stats(t, &st);
    assert_int_equal(st.created, 100000);
    assert_int_equal(st.active, 100000);
    hy_flow_table_expire(t, T0 + 61 * NS + 200000);
    assert_int_equal(s.total, 100000);
    assert_false(s.sorted_breach);
    hy_flow_table_destroy(t);
}

/* ---- EVE ---- */

static json_t *eve_of(const hy_flow *f)
{
    hy_buf b;
    json_error_t je;
    json_t *o;

    hy_buf_init(&b, 1 << 16);
    assert_int_equal(hy_flow_to_eve(f, &b), HY_OK);
    assert_null(strchr(b.data, '\n'));
    o = json_loads(b.data, 0, &je);
    if (!o)
        fail_msg("bad JSON (%s): %s", je.text, b.data);
    hy_buf_free(&b);
    return o;
}

static json_t *jget(json_t *o, const char *path)
{
    char buf[128], *save, *tok;
    json_t *v = o;
    snprintf(buf, sizeof buf, "%s", path);
    for (tok = strtok_r(buf, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
        v = json_object_get(v, tok);
    return v;
}

static const char *jstr(json_t *o, const char *path)
{
    json_t *v = jget(o, path);
    if (!json_is_string(v))
        fail_msg("%s: not a string", path);
    return json_string_value(v);
}

static double jnum(json_t *o, const char *path)
{
    json_t *v = jget(o, path);
    if (!json_is_number(v))
        fail_msg("%s: not a number", path);
    return json_number_value(v);
}

static json_int_t jint(json_t *o, const char *path)
{
    json_t *v = jget(o, path);
    if (!json_is_integer(v))
        fail_msg("%s: not an integer", path);
    return json_integer_value(v);
}

/* EVE rounds lengths to 3 decimals and seconds to 9 (ns). */
static void assert_rounded(double got, double want, int decimals)
{
    if (fabs(got - want) > 0.5 * pow(10, -decimals) + 1e-12 * fabs(want))
        fail_msg("%.17g != %.17g (to %d decimals)", got, want, decimals);
}

static void test_eve_tcp(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    const hy_flow *f;
    json_t *o, *fp;
    double mean, sd;

    (void)state;
    feed_tcp_exchange(t, &f);
    hy_flow_table_expire(t, T0 + 10 * NS);
    assert_int_equal(s.n, 1);
    o = eve_of(&s.f[0]);
    assert_string_equal(jstr(o, "timestamp"), "2023-11-14T22:13:21.000000+0000");
    assert_int_equal(jint(o, "flow_id"), 100);
    assert_string_equal(jstr(o, "event_type"), "flow");
    assert_null(jget(o, "vlan"));
    assert_string_equal(jstr(o, "src_ip"), CLI);
    assert_int_equal(jint(o, "src_port"), 34855);
    assert_string_equal(jstr(o, "dest_ip"), SRV);
    assert_int_equal(jint(o, "dest_port"), 80);
    assert_string_equal(jstr(o, "proto"), "TCP");
    assert_string_equal(jstr(o, "community_id"), "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    assert_int_equal(jint(o, "flow.pkts_toserver"), 6);
    assert_int_equal(jint(o, "flow.pkts_toclient"), 4);
    assert_int_equal(jint(o, "flow.bytes_toserver"), 340);
    assert_int_equal(jint(o, "flow.bytes_toclient"), 1660);
    assert_string_equal(jstr(o, "flow.start"), "2023-11-14T22:13:21.000000+0000");
    assert_string_equal(jstr(o, "flow.end"), "2023-11-14T22:13:21.120000+0000");
    assert_int_equal(jint(o, "flow.age"), 0);
    assert_string_equal(jstr(o, "flow.state"), "closed");
    assert_string_equal(jstr(o, "flow.reason"), "tcp_closed");
    assert_string_equal(jstr(o, "tcp.tcp_flags"), "1b");
    assert_string_equal(jstr(o, "tcp.tcp_flags_ts"), "1b");
    assert_string_equal(jstr(o, "tcp.tcp_flags_tc"), "13");
    assert_true(json_is_true(jget(o, "tcp.syn")));
    assert_true(json_is_true(jget(o, "tcp.fin")));
    assert_true(json_is_false(jget(o, "tcp.rst")));
    assert_true(json_is_true(jget(o, "tcp.psh")));
    assert_true(json_is_true(jget(o, "tcp.ack")));
    assert_null(jget(o, "tcp.urg"));
    assert_string_equal(jstr(o, "tcp.state"), "closed");
    assert_int_equal(jint(o, "hayate.payload_bytes_toserver"), 100);
    assert_int_equal(jint(o, "hayate.payload_bytes_toclient"), 1500);
    assert_true(jnum(o, "hayate.duration") == 0.12);
    assert_true(jnum(o, "hayate.len_toserver.min") == 40);
    assert_true(jnum(o, "hayate.len_toserver.max") == 140);
    mean = 340.0 / 6;
    sd = sqrt((5 * 1600.0 + 19600.0) / 6 - mean * mean);
    assert_rounded(jnum(o, "hayate.len_toserver.mean"), mean, 3);
    assert_rounded(jnum(o, "hayate.len_toserver.std"), sd, 3);
    assert_true(jnum(o, "hayate.len_toclient.mean") == 415.0);
    assert_rounded(jnum(o, "hayate.len_toclient.std"),
                   sqrt((1600.0 + 1081600.0 + 291600.0 + 1600.0) / 4 - 415.0 * 415.0), 3);
    assert_true(jnum(o, "hayate.iat.min") == 0.01);
    assert_true(jnum(o, "hayate.iat.max") == 0.03);
    mean = 120e6 / 9;
    assert_rounded(jnum(o, "hayate.iat.mean"), mean / 1e9, 9);
    assert_rounded(jnum(o, "hayate.iat.std"), sqrt(2e15 / 9 - mean * mean) / 1e9, 9);
    assert_int_equal(jint(o, "hayate.flag_counts.fin"), 2);
    assert_int_equal(jint(o, "hayate.flag_counts.syn"), 2);
    assert_int_equal(jint(o, "hayate.flag_counts.rst"), 0);
    assert_int_equal(jint(o, "hayate.flag_counts.psh"), 1);
    assert_int_equal(jint(o, "hayate.flag_counts.ack"), 9);
    assert_int_equal(jint(o, "hayate.flag_counts.cwr"), 0);
    fp = jget(o, "hayate.first_payloads");
    assert_true(json_is_array(fp));
    assert_int_equal(json_array_size(fp), 3);
    assert_int_equal(json_integer_value(json_array_get(fp, 0)), 100);
    assert_int_equal(json_integer_value(json_array_get(fp, 1)), -1000);
    assert_int_equal(json_integer_value(json_array_get(fp, 2)), -500);
    json_decref(o);
    hy_flow_table_destroy(t);
}

static void test_eve_udp_icmp_vlan(void **state)
{
    sink s = {0};
    hy_flow_table *t = mktable(100, 60, 1800, on_flow, &s);
    hy_pkt p;
    json_t *o;

    (void)state;
    p = mkpkt(T0 + NS / 2, 7, "2001:db8::1", 5000, "2001:db8::2", 53, 17, 20);
    p.vlan_count = 1, p.vlan[0] = 42;
    hy_flow_table_update(t, &p);
    p.ts_ns = T0 + 3 * NS + NS / 4, p.seq = 8;
    hy_flow_table_update(t, &p);
    p = icmp(T0, 9, "192.168.0.89", "192.168.0.1", 8, 0);
    hy_flow_table_update(t, &p);
    p = icmp(T0 + 1, 10, "192.168.0.1", "192.168.0.89", 0, 0);
    hy_flow_table_update(t, &p);
    p = icmp(T0, 11, "192.168.0.1", "192.168.0.89", 3, 3);
    hy_flow_table_update(t, &p);
    p = mkpkt(T0, 12, "10.0.0.1", 0, "10.0.0.2", 0, 47, 100); /* GRE */
    hy_flow_table_update(t, &p);
    hy_flow_table_flush(t);
    assert_int_equal(s.n, 4);

    o = eve_of(&s.f[0]); /* UDP over IPv6 in VLAN 42 */
    assert_true(json_is_array(jget(o, "vlan")));
    assert_int_equal(json_integer_value(json_array_get(jget(o, "vlan"), 0)), 42);
    assert_string_equal(jstr(o, "proto"), "UDP");
    assert_string_equal(jstr(o, "flow.state"), "new"); /* one direction only */
    assert_string_equal(jstr(o, "flow.reason"), "shutdown");
    assert_int_equal(jint(o, "flow.age"), 3);
    assert_true(jnum(o, "hayate.duration") == 2.75);
    assert_true(jnum(o, "hayate.len_toclient.mean") == 0);
    assert_true(jnum(o, "hayate.len_toclient.std") == 0);
    assert_true(jnum(o, "hayate.len_toserver.std") == 0);
    assert_true(jnum(o, "hayate.iat.mean") == 2.75);
    assert_null(jget(o, "tcp"));
    assert_null(jget(o, "hayate.flag_counts"));
    json_decref(o);

    o = eve_of(&s.f[1]); /* ICMP echo */
    assert_string_equal(jstr(o, "proto"), "ICMP");
    assert_null(jget(o, "src_port"));
    assert_int_equal(jint(o, "icmp_type"), 8);
    assert_int_equal(jint(o, "response_icmp_type"), 0);
    assert_null(jget(o, "icmp_code"));
    assert_string_equal(jstr(o, "flow.state"), "established");
    assert_string_equal(jstr(o, "community_id"), "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
    json_decref(o);

    o = eve_of(&s.f[2]); /* port unreachable */
    assert_int_equal(jint(o, "icmp_type"), 3);
    assert_int_equal(jint(o, "icmp_code"), 3);
    json_decref(o);

    o = eve_of(&s.f[3]);
    assert_string_equal(jstr(o, "proto"), "47");
    assert_null(jget(o, "dest_port"));
    json_decref(o);
    hy_flow_table_destroy(t);
}

/* A buffer too small for the line: an error, and the buffer is unchanged. */
static void test_eve_toobig(void **state)
{
    hy_flow f;
    hy_buf b;

    (void)state;
    memset(&f, 0, sizeof f);
    f.ip_version = 4, f.proto = 6;
    hy_buf_init(&b, 64);
    assert_int_equal(hy_buf_adds(&b, "keep"), HY_OK);
    assert_int_not_equal(hy_flow_to_eve(&f, &b), HY_OK);
    assert_int_equal(b.len, 4);
    assert_string_equal(b.data, "keep");
    hy_buf_free(&b);
}

static void test_bad_cfg(void **state)
{
    hy_flow_cfg cfg;
    hy_flow_table *t = NULL;
    sink s;

    (void)state;
    hy_flow_cfg_default(&cfg);
    assert_int_equal(cfg.max_flows, HY_DEFAULT_FLOW_MAX);
    assert_int_equal(cfg.idle_ns, HY_DEFAULT_FLOW_IDLE_S * NS);
    assert_int_equal(cfg.tcp_closed_ns, HY_DEFAULT_TCP_CLOSED_S * NS);
    cfg.max_flows = 0;
    assert_int_equal(hy_flow_table_create(&cfg, on_flow, &s, &t), HY_ERR_ARG);
    assert_null(t);
    cfg.max_flows = 10;
    assert_int_equal(hy_flow_table_create(&cfg, NULL, &s, &t), HY_ERR_ARG);
    hy_flow_table_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_exchange),
        cmocka_unit_test(test_tcp_rst_and_port_reuse),
        cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_active_timeout),
        cmocka_unit_test(test_udp),
        cmocka_unit_test(test_icmp),
        cmocka_unit_test(test_vlan_separates),
        cmocka_unit_test(test_eviction_lru),
        cmocka_unit_test(test_export_order),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_misc_keys),
        cmocka_unit_test(test_stress),
        cmocka_unit_test(test_eve_tcp),
        cmocka_unit_test(test_eve_udp_icmp_vlan),
        cmocka_unit_test(test_eve_toobig),
        cmocka_unit_test(test_bad_cfg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
