/* Unit tests for the packet decoders (lib/net/decode.c) on hand-built frames. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hayate/decode.h"

/* ---- frame builder ------------------------------------------------------ */

typedef struct fb {
    uint8_t b[4096];
    size_t n;
} fb;

static void put8(fb *f, unsigned v)
{
    assert_true(f->n < sizeof f->b);
    f->b[f->n++] = (uint8_t)v;
}

static void put16(fb *f, unsigned v)
{
    put8(f, v >> 8);
    put8(f, v);
}

static void put32(fb *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}

static void putn(fb *f, const void *src, size_t n)
{
    assert_true(f->n + n <= sizeof f->b);
    memcpy(f->b + f->n, src, n);
    f->n += n;
}

static void putz(fb *f, size_t n)
{
    assert_true(f->n + n <= sizeof f->b);
    memset(f->b + f->n, 0, n);
    f->n += n;
}

static void set16(fb *f, size_t off, unsigned v)
{
    f->b[off] = (uint8_t)(v >> 8);
    f->b[off + 1] = (uint8_t)v;
}

static void eth(fb *f, unsigned type)
{
    static const uint8_t macs[12] = {0, 1, 2, 3, 4, 5, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15};
    putn(f, macs, sizeof macs);
    put16(f, type);
}

static void vlan(fb *f, unsigned tci, unsigned next)
{
    put16(f, tci);
    put16(f, next);
}

/* IPv4 header with opts (padded by the caller to a multiple of 4); returns
 * its offset so ip4_end can patch the total length. */
static size_t ip4(fb *f, unsigned proto, const uint8_t *opts, size_t optlen, unsigned flags_frag)
{
    size_t at = f->n;
    assert_int_equal(optlen % 4, 0);
    put8(f, 0x40 | (unsigned)(5 + optlen / 4));
    put8(f, 0x28);    /* tos */
    put16(f, 0);      /* total length, patched */
    put16(f, 0xbeef); /* id */
    put16(f, flags_frag);
    put8(f, 64); /* ttl */
    put8(f, proto);
    put16(f, 0);          /* checksum: not checked */
    put32(f, 0xc0000201); /* 192.0.2.1 */
    put32(f, 0xc6336402); /* 198.51.100.2 */
    if (optlen)
        putn(f, opts, optlen);
    return at;
}

static void ip4_end(fb *f, size_t at)
{
    set16(f, at + 2, (unsigned)(f->n - at));
}

static const uint8_t v6src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6dst[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 0xcd};

static size_t ip6(fb *f, unsigned nh)
{
    size_t at = f->n;
    put32(f, 0x6a312345); /* version 6, traffic class 0xa3, flow label */
    put16(f, 0);          /* payload length, patched */
    put8(f, nh);
    put8(f, 55); /* hop limit */
    putn(f, v6src, 16);
    putn(f, v6dst, 16);
    return at;
}

static void ip6_end(fb *f, size_t at)
{
    set16(f, at + 4, (unsigned)(f->n - at - 40));
}

/* Generic extension header of n 8-byte units (hdr ext len = n - 1), PadN. */
static void ext6(fb *f, unsigned next, unsigned units)
{
    put8(f, next);
    put8(f, units - 1);
    put8(f, 1); /* PadN */
    put8(f, units * 8 - 4);
    putz(f, units * 8 - 4);
}

static void frag6(fb *f, unsigned next, unsigned off_bytes, int more, uint32_t id)
{
    put8(f, next);
    put8(f, 0);
    put16(f, (off_bytes & 0xfff8u) | (more ? 1u : 0u));
    put32(f, id);
}

static void tcp(fb *f, const uint8_t *opts, size_t optlen, unsigned flags)
{
    assert_int_equal(optlen % 4, 0);
    put16(f, 40000);
    put16(f, 443);
    put32(f, 0x01020304);
    put32(f, 0xa0b0c0d0);
    put8(f, (unsigned)((5 + optlen / 4) << 4));
    put8(f, flags);
    put16(f, 29200);
    put16(f, 0);
    put16(f, 0);
    if (optlen)
        putn(f, opts, optlen);
}

static size_t udp(fb *f, unsigned sport, unsigned dport)
{
    size_t at = f->n;
    put16(f, sport);
    put16(f, dport);
    put16(f, 0);
    put16(f, 0);
    return at;
}

static void udp_end(fb *f, size_t at)
{
    set16(f, at + 4, (unsigned)(f->n - at));
}

static const uint8_t payload10[10] = "helloworld";

static hy_anom run(hy_pkt *p, const fb *f, int linktype)
{
    memset(p, 0xa5, sizeof *p); /* stale garbage must be cleared */
    p->data = f->b;
    p->caplen = p->wirelen = (uint32_t)f->n;
    p->linktype = linktype;
    return hy_decode(p, NULL);
}

/* Standard test frames. */
static const uint8_t tcp_opts_all[] = {
    2, 4,  0x05, 0xb4,                                                       /* MSS 1460 */
    1, 3,  3,    7,                                                          /* NOP, WS 7 */
    4, 2,                                                                    /* SACK permitted */
    8, 10, 0,    0,    0,    1, 0, 0, 0,    2,                               /* TS 1, 2 */
    1, 1,                                                                    /* NOP NOP */
    5, 18, 0,    0,    0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0, 0, 0x40, 0, /* SACK x2 */
};

static const uint8_t ip_opts_rr[] = {
    1,                                /* NOP */
    7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, /* record route, 2 slots */
    0, 0,  0, 0,                      /* EOL + padding */
};

/* Ethernet / 802.1Q / IPv4 with options / TCP with options / 10 bytes. */
static void frame_eth_vlan_ip4_tcp(fb *f, size_t *ip_at, size_t *tcp_at)
{
    memset(f, 0, sizeof *f);
    eth(f, 0x8100);
    vlan(f, 0x2064, 0x0800); /* pcp 1, vid 100 */
    *ip_at = ip4(f, 6, ip_opts_rr, sizeof ip_opts_rr, 0x4000);
    *tcp_at = f->n;
    tcp(f, tcp_opts_all, sizeof tcp_opts_all, HY_TCP_PSH | HY_TCP_ACK);
    putn(f, payload10, sizeof payload10);
    ip4_end(f, *ip_at);
}

/* Ethernet / IPv6 / hop-by-hop (8) / dest opts (16) / UDP / 10 bytes. */
static void frame_eth_ip6_ext_udp(fb *f)
{
    memset(f, 0, sizeof *f);
    eth(f, 0x86dd);
    size_t at = ip6(f, 0);
    ext6(f, 60, 1);
    ext6(f, 17, 2);
    size_t u = udp(f, 5353, 53);
    putn(f, payload10, sizeof payload10);
    udp_end(f, u);
    ip6_end(f, at);
}

/* ---- tests -------------------------------------------------------------- */

static void test_anom_names(void **state)
{
    static const char *const upper[] = {
#define X(name, text) #name,
        HY_ANOM_LIST(X)
#undef X
    };
    assert_int_equal(sizeof upper / sizeof upper[0], HY_ANOM__COUNT);
    for (int a = 0; a < HY_ANOM__COUNT; a++) {
        assert_int_equal(strcasecmp(hy_anom_name((hy_anom)a), upper[a]), 0);
        assert_true(strlen(hy_anom_text((hy_anom)a)) > 1);
    }
    assert_string_equal(hy_anom_name(HY_ANOM_TRUNC_TCP), "trunc_tcp");
    assert_string_equal(hy_anom_text(HY_ANOM_VLAN_DEPTH), "too many VLAN tags");
    assert_string_equal(hy_anom_name(HY_ANOM__COUNT), "unknown");
}

static void test_eth_vlan_ip4_tcp(void **state)
{
    fb f;
    size_t ip_at, tcp_at;
    frame_eth_vlan_ip4_tcp(&f, &ip_at, &tcp_at);
    hy_pkt p;
    hy_decode_stats st = {0};
    memset(&p, 0, sizeof p);
    p.data = f.b;
    p.caplen = p.wirelen = (uint32_t)f.n;
    p.linktype = HY_LINK_ETHERNET;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_NONE);
    assert_int_equal(p.anom, HY_ANOM_NONE);
    assert_int_equal(p.vlan_count, 1);
    assert_int_equal(p.vlan[0], 100);
    assert_int_equal(p.ethertype, 0x0800);
    assert_int_equal(p.ip_version, 4);
    assert_true(p.has_ip_opts);
    assert_true(p.dont_frag);
    assert_false(p.more_frags);
    assert_false(p.is_frag);
    assert_int_equal(p.tos, 0x28);
    assert_int_equal(p.ttl, 64);
    assert_int_equal(p.ip_id, 0xbeef);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.ip_len, f.n - ip_at);
    static const uint8_t s4[16] = {192, 0, 2, 1}, d4[16] = {198, 51, 100, 2};
    assert_memory_equal(p.src, s4, 16);
    assert_memory_equal(p.dst, d4, 16);
    assert_ptr_equal(p.l3, f.b + ip_at);
    assert_int_equal(p.l3_len, f.n - ip_at);
    assert_ptr_equal(p.l4, f.b + tcp_at);
    assert_int_equal(p.l4_len, f.n - tcp_at);
    assert_int_equal(p.sport, 40000);
    assert_int_equal(p.dport, 443);
    assert_int_equal(p.tcp_seq, 0x01020304);
    assert_int_equal(p.tcp_ack, 0xa0b0c0d0);
    assert_int_equal(p.tcp_flags, HY_TCP_PSH | HY_TCP_ACK);
    assert_int_equal(p.tcp_win, 29200);
    assert_ptr_equal(p.payload, f.b + f.n - 10);
    assert_int_equal(p.payload_len, 10);
    assert_int_equal(p.payload_wire_len, 10);
    assert_memory_equal(p.payload, "helloworld", 10);

    const hy_tcp_opts *o = &p.tcp_opts;
    assert_int_equal(o->present, HY_TCPOPT_MSS | HY_TCPOPT_WSCALE | HY_TCPOPT_SACK_PERM |
                                     HY_TCPOPT_SACK | HY_TCPOPT_TS);
    assert_int_equal(o->mss, 1460);
    assert_int_equal(o->wscale, 7);
    assert_int_equal(o->ts_val, 1);
    assert_int_equal(o->ts_ecr, 2);
    assert_int_equal(o->sack_blocks, 2);
    assert_int_equal(o->sack[0][0], 0x1000);
    assert_int_equal(o->sack[0][1], 0x2000);
    assert_int_equal(o->sack[1][0], 0x3000);
    assert_int_equal(o->sack[1][1], 0x4000);

    assert_int_equal(st.packets, 1);
    assert_int_equal(st.bytes, f.n);
    assert_int_equal(st.ip4, 1);
    assert_int_equal(st.tcp, 1);
    assert_int_equal(st.udp + st.ip6 + st.frags, 0);
    assert_int_equal(st.anom[HY_ANOM_NONE], 1);
}

static void test_vlan_stacks(void **state)
{
    static const unsigned tpids[] = {0x88a8, 0x9100, 0x8100};
    hy_pkt p;
    for (size_t t = 0; t < 3; t++) {
        fb f = {.n = 0};
        eth(&f, tpids[t]);
        vlan(&f, 10, 0x8100);
        vlan(&f, 0xf000 | 20, 0x0800); /* PCP/DEI bits masked off */
        size_t at = ip4(&f, 17, NULL, 0, 0);
        size_t u = udp(&f, 1, 2);
        udp_end(&f, u);
        ip4_end(&f, at);
        assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
        assert_int_equal(p.vlan_count, 2);
        assert_int_equal(p.vlan[0], 10);
        assert_int_equal(p.vlan[1], 20);
        assert_int_equal(p.dport, 2);
    }
    /* HY_MAX_VLAN_TAGS tags decode; one more is VLAN_DEPTH. */
    for (int extra = 0; extra <= 1; extra++) {
        fb f = {.n = 0};
        eth(&f, 0x88a8);
        int tags = HY_MAX_VLAN_TAGS + extra;
        for (int i = 0; i < tags; i++)
            vlan(&f, (unsigned)(i + 1), i + 1 < tags ? 0x8100 : 0x0800);
        size_t at = ip4(&f, 17, NULL, 0, 0);
        size_t u = udp(&f, 1, 2);
        udp_end(&f, u);
        ip4_end(&f, at);
        hy_anom a = run(&p, &f, HY_LINK_ETHERNET);
        if (!extra) {
            assert_int_equal(a, HY_ANOM_NONE);
            assert_int_equal(p.vlan[HY_MAX_VLAN_TAGS - 1], HY_MAX_VLAN_TAGS);
        } else {
            assert_int_equal(a, HY_ANOM_VLAN_DEPTH);
            assert_int_equal(p.ip_version, 0);
            assert_null(p.l3);
        }
        assert_int_equal(p.vlan_count, HY_MAX_VLAN_TAGS);
    }
}

static void test_non_ip_and_linktype(void **state)
{
    fb f = {.n = 0};
    eth(&f, 0x0806);
    putz(&f, 28);
    hy_pkt p;
    hy_decode_stats st = {0};
    memset(&p, 0, sizeof p);
    p.data = f.b;
    p.caplen = (uint32_t)f.n;
    p.linktype = HY_LINK_ETHERNET;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_NON_IP);
    assert_int_equal(p.ethertype, 0x0806);
    assert_int_equal(p.ip_version, 0);
    p.linktype = 147; /* a DLT_USER value */
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_LINKTYPE);
    assert_int_equal(p.ethertype, 0);
    p.caplen = 0;
    p.linktype = HY_LINK_ETHERNET;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_ZERO_LEN);
    assert_int_equal(st.packets, 3);
    assert_int_equal(st.anom[HY_ANOM_NON_IP], 1);
    assert_int_equal(st.anom[HY_ANOM_LINKTYPE], 1);
    assert_int_equal(st.anom[HY_ANOM_ZERO_LEN], 1);
    assert_int_equal(st.ip4, 0);
}

/* The same IPv4/UDP datagram behind each link header. */
static void ip4_udp_body(fb *f)
{
    size_t at = ip4(f, 17, NULL, 0, 0);
    size_t u = udp(f, 1234, 53);
    putn(f, payload10, 10);
    udp_end(f, u);
    ip4_end(f, at);
}

static void ip6_udp_body(fb *f)
{
    size_t at = ip6(f, 17);
    size_t u = udp(f, 1234, 53);
    putn(f, payload10, 10);
    udp_end(f, u);
    ip6_end(f, at);
}

static void expect_udp(const hy_pkt *p, hy_anom a, int version, size_t l3_off, const fb *f)
{
    assert_int_equal(a, HY_ANOM_NONE);
    assert_int_equal(p->ip_version, version);
    assert_int_equal(p->ethertype, version == 4 ? 0x0800 : 0x86dd);
    assert_ptr_equal(p->l3, f->b + l3_off);
    assert_int_equal(p->sport, 1234);
    assert_int_equal(p->dport, 53);
    assert_int_equal(p->payload_len, 10);
}

static void test_link_types(void **state)
{
    hy_pkt p;
    fb f;

    /* Linux cooked v1: protocol at 14. */
    f.n = 0;
    put16(&f, 0); /* to us */
    put16(&f, 1); /* ARPHRD_ETHER */
    put16(&f, 6);
    putz(&f, 8);
    put16(&f, 0x0800);
    ip4_udp_body(&f);
    expect_udp(&p, run(&p, &f, HY_LINK_SLL), 4, 16, &f);

    /* Linux cooked v2: protocol at 0, 20 bytes. */
    f.n = 0;
    put16(&f, 0x86dd);
    put16(&f, 0);
    put32(&f, 3); /* ifindex */
    put16(&f, 1);
    put8(&f, 4); /* outgoing */
    put8(&f, 6);
    putz(&f, 8);
    ip6_udp_body(&f);
    expect_udp(&p, run(&p, &f, HY_LINK_SLL2), 6, 20, &f);
    assert_memory_equal(p.src, v6src, 16);
    assert_memory_equal(p.dst, v6dst, 16);
    assert_int_equal(p.ttl, 55);
    assert_int_equal(p.tos, 0xa3);
    assert_int_equal(p.ip_len, f.n - 20);

    /* SLL carrying a VLAN tag, then a non-IP SLL protocol. */
    f.n = 0;
    putz(&f, 14);
    put16(&f, 0x8100);
    vlan(&f, 7, 0x0800);
    ip4_udp_body(&f);
    expect_udp(&p, run(&p, &f, HY_LINK_SLL), 4, 20, &f);
    assert_int_equal(p.vlan[0], 7);
    f.b[14] = 0x00;
    f.b[15] = 0x04; /* 802.2 LLC */
    assert_int_equal(run(&p, &f, HY_LINK_SLL), HY_ANOM_NON_IP);

    /* Raw IP link types: the version nibble decides. */
    static const int raws[] = {HY_LINK_RAW, HY_LINK_DLT_RAW, HY_LINK_DLT_RAW14, HY_LINK_IPV4,
                               HY_LINK_IPV6};
    for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
        f.n = 0;
        ip4_udp_body(&f);
        expect_udp(&p, run(&p, &f, raws[i]), 4, 0, &f);
        f.n = 0;
        ip6_udp_body(&f);
        expect_udp(&p, run(&p, &f, raws[i]), 6, 0, &f);
        f.b[0] = 0x50; /* neither 4 nor 6 */
        assert_int_equal(run(&p, &f, raws[i]),
                         raws[i] == HY_LINK_IPV6 ? HY_ANOM_IP6_VERSION : HY_ANOM_IP4_VERSION);
    }

    /* BSD loopback: family in either byte order; AF_INET6 is 24, 28 or 30. */
    static const uint32_t fams[] = {2, 24, 28, 30};
    for (size_t i = 0; i < 4; i++) {
        for (int le = 0; le <= 1; le++) {
            f.n = 0;
            if (le) {
                put8(&f, fams[i]);
                putz(&f, 3);
            } else {
                put32(&f, fams[i]);
            }
            if (fams[i] == 2)
                ip4_udp_body(&f);
            else
                ip6_udp_body(&f);
            expect_udp(&p, run(&p, &f, HY_LINK_NULL), fams[i] == 2 ? 4 : 6, 4, &f);
            /* HY_LINK_LOOP: network byte order only. */
            hy_anom a = run(&p, &f, HY_LINK_LOOP);
            if (le)
                assert_int_equal(a, HY_ANOM_NON_IP);
            else
                expect_udp(&p, a, fams[i] == 2 ? 4 : 6, 4, &f);
        }
    }
    f.n = 0;
    put32(&f, 7); /* AF_LOCAL-ish */
    putz(&f, 20);
    assert_int_equal(run(&p, &f, HY_LINK_NULL), HY_ANOM_NON_IP);
    f.n = 3;
    assert_int_equal(run(&p, &f, HY_LINK_NULL), HY_ANOM_TRUNC_LINK);
    f.n = 15;
    assert_int_equal(run(&p, &f, HY_LINK_SLL), HY_ANOM_TRUNC_LINK);
    f.n = 19;
    assert_int_equal(run(&p, &f, HY_LINK_SLL2), HY_ANOM_TRUNC_LINK);
}

static void test_ip4_options(void **state)
{
    hy_pkt p;
    fb f;
    size_t ip_at, tcp_at;
    frame_eth_vlan_ip4_tcp(&f, &ip_at, &tcp_at);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_true(p.has_ip_opts);

    static const struct {
        uint8_t o[8];
        hy_anom want;
    } cases[] = {
        {{1, 1, 1, 1, 1, 1, 1, 0}, HY_ANOM_NONE},          /* NOPs then EOL */
        {{0, 0xff, 0xff, 0xff, 0, 0, 0, 0}, HY_ANOM_NONE}, /* junk after EOL ignored */
        {{0x94, 4, 0, 0, 1, 1, 1, 1}, HY_ANOM_NONE},       /* router alert */
        {{0x94, 0, 0, 0, 0, 0, 0, 0}, HY_ANOM_IP4_OPT},    /* length 0 */
        {{0x94, 1, 0, 0, 0, 0, 0, 0}, HY_ANOM_IP4_OPT},    /* length 1 */
        {{7, 11, 4, 0, 0, 0, 0, 0}, HY_ANOM_IP4_OPT},      /* RR past the header */
        {{1, 1, 1, 1, 1, 1, 1, 7}, HY_ANOM_IP4_OPT},       /* no room for the length */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f.n = 0;
        eth(&f, 0x0800);
        size_t at = ip4(&f, 17, cases[i].o, 8, 0);
        size_t u = udp(&f, 9, 10);
        udp_end(&f, u);
        ip4_end(&f, at);
        assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), cases[i].want);
        assert_int_equal(p.ip_version, 4); /* the header itself was decoded */
        assert_int_equal(p.dport, cases[i].want == HY_ANOM_NONE ? 10 : 0);
    }
}

static void test_ip4_bad_headers(void **state)
{
    hy_pkt p;
    fb f;
    size_t at, u;

    /* IHL < 5 */
    f.n = 0;
    eth(&f, 0x0800);
    at = ip4(&f, 17, NULL, 0, 0);
    u = udp(&f, 1, 2);
    udp_end(&f, u);
    ip4_end(&f, at);
    f.b[at] = 0x44;
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_IP4_IHL);
    assert_int_equal(p.ip_version, 0);
    assert_ptr_equal(p.l3, f.b + at);
    /* IHL 15 (60 bytes) in a 28-byte datagram: beyond the packet. */
    f.b[at] = 0x4f;
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_IP4_IHL);
    /* Version 5 */
    f.b[at] = 0x55;
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_IP4_VERSION);
    assert_int_equal(p.ip_version, 0);
    /* Total length below the header length. */
    f.b[at] = 0x45;
    set16(&f, at + 2, 19);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_IP4_LEN);
    assert_int_equal(p.ip_version, 4);
    assert_int_equal(p.ip_len, 19);
    assert_int_equal(p.sport, 0);
    assert_null(p.l4);
    /* IPv4 in an IPv6 ethertype, and the reverse. */
    f.b[12] = 0x86;
    f.b[13] = 0xdd;
    putz(&f, 40);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_IP6_VERSION);
}

static void test_ip4_padding_and_snaplen(void **state)
{
    hy_pkt p;
    fb f = {.n = 0};
    eth(&f, 0x0800);
    size_t at = ip4(&f, 17, NULL, 0, 0);
    size_t u = udp(&f, 7, 7);
    put16(&f, 0xabcd);
    udp_end(&f, u);
    ip4_end(&f, at);
    putz(&f, 60 - f.n); /* Ethernet minimum frame: 16 bytes of padding */
    assert_int_equal(f.n, 60);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_int_equal(p.l3_len, 30);
    assert_int_equal(p.l4_len, 10);
    assert_int_equal(p.payload_len, 2);
    assert_int_equal(p.payload_wire_len, 2);

    /* Snaplen cut: IP says 1000 bytes, 100 captured. */
    f.n = 0;
    eth(&f, 0x0800);
    at = ip4(&f, 6, NULL, 0, 0);
    tcp(&f, NULL, 0, HY_TCP_ACK);
    putz(&f, 66);
    set16(&f, at + 2, 1000);
    assert_int_equal(f.n, 120);
    hy_decode_stats st = {0};
    memset(&p, 0, sizeof p);
    p.data = f.b;
    p.caplen = (uint32_t)f.n;
    p.wirelen = 1014;
    p.linktype = HY_LINK_ETHERNET;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_SNAPLEN);
    assert_int_equal(p.sport, 40000);
    assert_int_equal(p.ip_len, 1000);
    assert_int_equal(p.l3_len, 106);
    assert_int_equal(p.payload_len, 66);
    assert_int_equal(p.payload_wire_len, 1000 - 40);
    assert_int_equal(st.anom[HY_ANOM_SNAPLEN], 1);
    assert_int_equal(st.tcp, 1);
    /* A cut inside the TCP header is worse than SNAPLEN. */
    p.caplen = 14 + 20 + 10;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_TRUNC_TCP);
}

static void test_ip4_fragments(void **state)
{
    hy_pkt p;
    hy_decode_stats st = {0};
    fb f = {.n = 0};
    /* First fragment: MF, offset 0; the UDP length covers the whole datagram. */
    eth(&f, 0x0800);
    size_t at = ip4(&f, 17, NULL, 0, 0x2000);
    size_t u = udp(&f, 5000, 6000);
    putz(&f, 32);
    set16(&f, u + 4, 3000);
    ip4_end(&f, at);
    memset(&p, 0, sizeof p);
    p.data = f.b;
    p.caplen = (uint32_t)f.n;
    p.linktype = HY_LINK_ETHERNET;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_NONE);
    assert_true(p.is_frag);
    assert_true(p.more_frags);
    assert_int_equal(p.frag_off, 0);
    assert_int_equal(p.sport, 5000);
    assert_int_equal(p.dport, 6000);
    assert_int_equal(p.payload_len, 32);

    /* Later fragment at offset 185*8: no L4 header, not an anomaly. */
    set16(&f, at + 6, 185);
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_NONE);
    assert_true(p.is_frag);
    assert_false(p.more_frags);
    assert_int_equal(p.frag_off, 1480);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 0);
    assert_int_equal(p.dport, 0);
    assert_null(p.l4);
    assert_ptr_equal(p.payload, f.b + at + 20);
    assert_int_equal(p.payload_len, 40);
    assert_int_equal(st.frags, 2);
    assert_int_equal(st.udp, 1);
    assert_int_equal(st.ip4, 2);
    assert_int_equal(st.anom[HY_ANOM_NONE], 2);
}

static void test_ip6_fragments(void **state)
{
    hy_pkt p;
    fb f = {.n = 0};
    eth(&f, 0x86dd);
    size_t at = ip6(&f, 44);
    size_t fh = f.n;
    frag6(&f, 17, 0, 1, 0x12345678);
    size_t u = udp(&f, 111, 222);
    putz(&f, 24);
    set16(&f, u + 4, 4000);
    ip6_end(&f, at);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_true(p.is_frag);
    assert_true(p.more_frags);
    assert_int_equal(p.frag_id, 0x12345678);
    assert_int_equal(p.ip_id, 0x5678);
    assert_int_equal(p.ip6_ext_count, 1);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 111);
    assert_int_equal(p.dport, 222);

    /* Non-first fragment at 1448 bytes, last one. */
    set16(&f, fh + 2, 1448);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_true(p.is_frag);
    assert_false(p.more_frags);
    assert_int_equal(p.frag_off, 1448);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 0);
    assert_null(p.l4);
    assert_ptr_equal(p.payload, f.b + fh + 8);
    assert_int_equal(p.payload_len, 32);
    assert_int_equal(p.payload_wire_len, 32);
}

static void test_ip6_ext_chain(void **state)
{
    hy_pkt p;
    fb f = {.n = 0};
    eth(&f, 0x86dd);
    size_t at = ip6(&f, 0);
    ext6(&f, 43, 1); /* hop-by-hop -> routing */
    ext6(&f, 60, 3); /* routing (24 bytes) -> dest opts */
    ext6(&f, 6, 2);  /* dest opts (16 bytes) -> TCP */
    size_t t = f.n;
    tcp(&f, NULL, 0, HY_TCP_SYN);
    ip6_end(&f, at);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_int_equal(p.ip6_ext_count, 3);
    assert_int_equal(p.proto, 6);
    assert_ptr_equal(p.l4, f.b + t);
    assert_int_equal(p.sport, 40000);
    assert_int_equal(p.tcp_flags, HY_TCP_SYN);
    assert_int_equal(p.payload_len, 0);
    assert_false(p.is_frag);

    /* AH: length in 4-byte units minus 2. */
    f.n = 0;
    eth(&f, 0x86dd);
    at = ip6(&f, 51);
    put8(&f, 17);
    put8(&f, 4); /* (4+2)*4 = 24 bytes */
    putz(&f, 22);
    size_t u = udp(&f, 500, 500);
    udp_end(&f, u);
    ip6_end(&f, at);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_int_equal(p.ip6_ext_count, 1);
    assert_int_equal(p.dport, 500);

    /* ESP and no-next-header end the chain: proto set, no L4 header. */
    static const unsigned enders[] = {50, 59};
    for (int i = 0; i < 2; i++) {
        f.n = 0;
        eth(&f, 0x86dd);
        at = ip6(&f, 0);
        ext6(&f, enders[i], 1);
        putz(&f, 16);
        ip6_end(&f, at);
        hy_decode_stats st = {0};
        p.data = f.b;
        p.caplen = (uint32_t)f.n;
        p.linktype = HY_LINK_ETHERNET;
        assert_int_equal(hy_decode(&p, &st), HY_ANOM_NONE);
        assert_int_equal(p.proto, enders[i]);
        assert_null(p.l4);
        assert_int_equal(p.sport, 0);
        assert_int_equal(p.payload_len, 16);
        assert_int_equal(st.other_l4, 1);
    }

    /* Mobility header (135) is walked too. */
    f.n = 0;
    eth(&f, 0x86dd);
    at = ip6(&f, 135);
    ext6(&f, 17, 1);
    u = udp(&f, 7, 8);
    udp_end(&f, u);
    ip6_end(&f, at);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_int_equal(p.dport, 8);
}

static void test_ip6_ext_limits(void **state)
{
    hy_pkt p;
    fb f;
    /* HY_MAX_IP6_EXT_HDRS headers are fine, 20 loop out. */
    static const int counts[] = {HY_MAX_IP6_EXT_HDRS, 20};
    for (int k = 0; k < 2; k++) {
        f.n = 0;
        eth(&f, 0x86dd);
        size_t at = ip6(&f, 60);
        for (int i = 0; i < counts[k]; i++)
            ext6(&f, i + 1 < counts[k] ? 60 : 17, 1);
        size_t u = udp(&f, 1, 2);
        udp_end(&f, u);
        ip6_end(&f, at);
        hy_anom a = run(&p, &f, HY_LINK_ETHERNET);
        if (k == 0) {
            assert_int_equal(a, HY_ANOM_NONE);
            assert_int_equal(p.dport, 2);
        } else {
            assert_int_equal(a, HY_ANOM_IP6_EXT_LOOP);
            assert_int_equal(p.dport, 0);
        }
        assert_int_equal(p.ip6_ext_count, HY_MAX_IP6_EXT_HDRS);
        assert_int_equal(p.ip_version, 6);
    }

    /* Hop-by-hop claims 16 bytes, the payload length holds only 8. */
    f.n = 0;
    eth(&f, 0x86dd);
    size_t at = ip6(&f, 0);
    ext6(&f, 17, 1);
    f.b[f.n - 7] = 1; /* hdr ext len 1 -> 16 bytes */
    ip6_end(&f, at);
    putz(&f, 12); /* trailer beyond the payload length must not be used */
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_IP6_EXT);
    assert_int_equal(p.ip_version, 6);
    /* Payload length says an extension header is there, 4 bytes of it are. */
    f.n = 0;
    eth(&f, 0x86dd);
    at = ip6(&f, 60);
    put32(&f, 0x11000000);
    set16(&f, at + 4, 8);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_IP6_EXT);
}

static hy_anom tcp_with_opts(hy_pkt *p, const uint8_t *o, size_t n)
{
    fb f = {.n = 0};
    eth(&f, 0x0800);
    size_t at = ip4(&f, 6, NULL, 0, 0);
    tcp(&f, o, n, HY_TCP_SYN);
    putn(&f, payload10, 4);
    ip4_end(&f, at);
    hy_anom a = run(p, &f, HY_LINK_ETHERNET);
    p->data = NULL; /* f goes out of scope */
    return a;
}

static void test_tcp_options(void **state)
{
    hy_pkt p;
    /* 4 SACK blocks (the most 40 bytes can hold with NOPs). */
    uint8_t o[40] = {1, 1, 5, 34};
    for (int i = 0; i < 8; i++)
        o[4 + 4 * i + 3] = (uint8_t)(i + 1);
    assert_int_equal(tcp_with_opts(&p, o, 36), HY_ANOM_NONE);
    assert_int_equal(p.tcp_opts.present, HY_TCPOPT_SACK);
    assert_int_equal(p.tcp_opts.sack_blocks, 4);
    assert_int_equal(p.tcp_opts.sack[3][0], 7);
    assert_int_equal(p.tcp_opts.sack[3][1], 8);
    assert_int_equal(p.payload_len, 4);

    /* Unknown option with a valid length is skipped; EOL ends the walk. */
    static const uint8_t unk[] = {30, 6, 9, 9, 9, 9, 2, 4, 0x02, 0x18, 0, 0xff};
    assert_int_equal(tcp_with_opts(&p, unk, sizeof unk), HY_ANOM_NONE);
    assert_int_equal(p.tcp_opts.mss, 536);

    /* MSS then a zero-length option: TCP_OPT, MSS kept, payload set. */
    static const uint8_t zero[] = {2, 4, 0x05, 0xb4, 1, 1, 30, 0};
    assert_int_equal(tcp_with_opts(&p, zero, sizeof zero), HY_ANOM_TCP_OPT);
    assert_int_equal(p.tcp_opts.present, HY_TCPOPT_MSS);
    assert_int_equal(p.tcp_opts.mss, 1460);
    assert_int_equal(p.payload_len, 4);
    assert_int_equal(p.sport, 40000);

    static const uint8_t bad[][8] = {
        {3, 3, 7, 8, 10, 0, 0, 0}, /* TS length 10 runs past the header */
        {1, 1, 1, 1, 1, 1, 1, 2},  /* kind with no length byte */
        {30, 1, 0, 0, 0, 0, 0, 0}, /* length 1 */
        {2, 3, 5, 0, 0, 0, 0, 0},  /* MSS with length 3 */
        {5, 6, 0, 0, 0, 0, 0, 0},  /* SACK not 2+8n */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tcp_with_opts(&p, bad[i], 8), HY_ANOM_TCP_OPT);
}

static void test_tcp_offset(void **state)
{
    hy_pkt p;
    fb f = {.n = 0};
    eth(&f, 0x0800);
    size_t at = ip4(&f, 6, NULL, 0, 0);
    size_t t = f.n;
    tcp(&f, NULL, 0, HY_TCP_RST);
    putz(&f, 8);
    ip4_end(&f, at);
    f.b[t + 12] = 0x40; /* 16 bytes */
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_TCP_OFF);
    assert_int_equal(p.tcp_flags, HY_TCP_RST); /* fixed header still read */
    assert_null(p.payload);
    f.b[t + 12] = 0xf0; /* 60 bytes in a 28-byte segment, not cut by snaplen */
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_TCP_OFF);
    f.b[t + 12] = 0x70; /* 28 bytes: exactly the segment, all NUL = EOL */
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_int_equal(p.payload_len, 0);
    /* Segment shorter than the 20-byte header. */
    f.n = t + 12;
    ip4_end(&f, at);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_TRUNC_TCP);
}

static void test_udp_len(void **state)
{
    hy_pkt p;
    fb f = {.n = 0};
    eth(&f, 0x0800);
    size_t at = ip4(&f, 17, NULL, 0, 0);
    size_t u = udp(&f, 1, 2);
    putn(&f, payload10, 10);
    ip4_end(&f, at);
    set16(&f, u + 4, 7);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_UDP_LEN);
    assert_int_equal(p.dport, 2);
    set16(&f, u + 4, 19);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_UDP_LEN);
    set16(&f, u + 4, 18);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_int_equal(p.payload_len, 10);
    set16(&f, u + 4, 12); /* shorter than the IP payload: the rest is not payload */
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_int_equal(p.payload_len, 4);
    assert_int_equal(p.payload_wire_len, 4);
    /* Snaplen cut: the length is checked against the IP length, not caplen. */
    set16(&f, u + 4, 18);
    f.n -= 5;
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_SNAPLEN);
    assert_int_equal(p.payload_len, 5);
    assert_int_equal(p.payload_wire_len, 10);
    f.n = u + 6;
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_TRUNC_UDP);
}

static void test_icmp(void **state)
{
    hy_pkt p;
    hy_decode_stats st = {0};
    fb f = {.n = 0};
    eth(&f, 0x0800);
    size_t at = ip4(&f, 1, NULL, 0, 0);
    put8(&f, 3);
    put8(&f, 10);
    putz(&f, 6 + 28);
    ip4_end(&f, at);
    memset(&p, 0, sizeof p);
    p.data = f.b;
    p.caplen = (uint32_t)f.n;
    p.linktype = HY_LINK_ETHERNET;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_NONE);
    assert_int_equal(p.icmp_type, 3);
    assert_int_equal(p.icmp_code, 10);
    assert_int_equal(p.sport + p.dport, 0);
    assert_int_equal(p.payload_len, 28);
    p.caplen = 14 + 20 + 7;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_TRUNC_ICMP);
    assert_int_equal(p.icmp_type, 0);

    f.n = 0;
    eth(&f, 0x86dd);
    at = ip6(&f, 58);
    put8(&f, 128);
    put8(&f, 0);
    putz(&f, 6 + 4);
    ip6_end(&f, at);
    p.data = f.b;
    p.caplen = (uint32_t)f.n;
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_NONE);
    assert_int_equal(p.icmp_type, 128);
    assert_int_equal(p.icmp_code, 0);
    assert_int_equal(p.payload_len, 4);
    set16(&f, at + 4, 4);
    assert_int_equal(hy_decode(&p, &st), HY_ANOM_TRUNC_ICMP6);
    assert_int_equal(st.icmp, 2);
    assert_int_equal(st.icmp6, 2);
    assert_int_equal(st.anom[HY_ANOM_TRUNC_ICMP], 1);
    assert_int_equal(st.anom[HY_ANOM_TRUNC_ICMP6], 1);

    /* Another protocol: just the proto, payload is the rest. */
    f.n = 0;
    eth(&f, 0x0800);
    at = ip4(&f, 47, NULL, 0, 0);
    putz(&f, 12);
    ip4_end(&f, at);
    assert_int_equal(run(&p, &f, HY_LINK_ETHERNET), HY_ANOM_NONE);
    assert_int_equal(p.proto, 47);
    assert_ptr_equal(p.l4, f.b + at + 20);
    assert_int_equal(p.payload_len, 12);
}

static void test_fields_reset(void **state)
{
    hy_pkt p;
    fb f;
    size_t a, b;
    frame_eth_vlan_ip4_tcp(&f, &a, &b);
    memset(&p, 0, sizeof p);
    p.data = f.b;
    p.caplen = (uint32_t)f.n;
    p.linktype = HY_LINK_ETHERNET;
    p.ts_ns = 42;
    p.seq = 7;
    assert_int_equal(hy_decode(&p, NULL), HY_ANOM_NONE);
    fb arp = {.n = 0};
    eth(&arp, 0x0806);
    putz(&arp, 28);
    p.data = arp.b;
    p.caplen = (uint32_t)arp.n;
    assert_int_equal(hy_decode(&p, NULL), HY_ANOM_NON_IP);
    assert_int_equal(p.ts_ns, 42); /* source fields untouched */
    assert_int_equal(p.seq, 7);
    assert_int_equal(p.vlan_count, 0);
    assert_int_equal(p.ip_version, 0);
    assert_int_equal(p.sport, 0);
    assert_int_equal(p.tcp_opts.present, 0);
    assert_int_equal(p.tcp_opts.sack[1][1], 0);
    assert_false(p.dont_frag);
    assert_null(p.l3);
    assert_null(p.payload);
    assert_int_equal(p.payload_wire_len, 0);
}

/* Decodes the first len bytes from an exact-size heap copy (so ASan sees any
 * over-read) and checks the pointers stay inside. */
static hy_anom decode_prefix(const fb *f, size_t len, hy_decode_stats *st, hy_pkt *p)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, f->b, len);
    memset(p, 0, sizeof *p);
    p->data = copy;
    p->caplen = (uint32_t)len;
    p->wirelen = (uint32_t)f->n;
    p->linktype = HY_LINK_ETHERNET;
    hy_anom a = hy_decode(p, st);
    const uint8_t *end = copy + len;
    if (p->l3)
        assert_true(p->l3 >= copy && p->l3 + p->l3_len <= end);
    if (p->l4)
        assert_true(p->l4 >= p->l3 && p->l4 + p->l4_len <= end);
    if (p->payload)
        assert_true(p->payload >= copy && p->payload + p->payload_len <= end);
    free(copy);
    p->data = p->l3 = p->l4 = p->payload = NULL;
    return a;
}

static void test_truncation_ip4(void **state)
{
    fb f;
    size_t ip_at, tcp_at;
    frame_eth_vlan_ip4_tcp(&f, &ip_at, &tcp_at);
    const size_t ip_hl = 20 + sizeof ip_opts_rr, tcp_hl = 20 + sizeof tcp_opts_all;
    assert_int_equal(ip_at, 18);
    assert_int_equal(tcp_at, ip_at + ip_hl);
    assert_int_equal(f.n, tcp_at + tcp_hl + 10);
    hy_decode_stats st = {0};
    hy_pkt p;
    for (size_t len = 0; len <= f.n; len++) {
        hy_anom want;
        if (len == 0)
            want = HY_ANOM_ZERO_LEN;
        else if (len < 14)
            want = HY_ANOM_TRUNC_LINK;
        else if (len < 18)
            want = HY_ANOM_TRUNC_VLAN;
        else if (len < tcp_at)
            want = HY_ANOM_TRUNC_IP4;
        else if (len < tcp_at + tcp_hl)
            want = HY_ANOM_TRUNC_TCP;
        else if (len < f.n)
            want = HY_ANOM_SNAPLEN;
        else
            want = HY_ANOM_NONE;
        hy_anom got = decode_prefix(&f, len, &st, &p);
        if (got != want)
            fail_msg("len %zu: got %s want %s", len, hy_anom_name(got), hy_anom_name(want));
        if (len >= tcp_at) {
            assert_int_equal(p.ip_version, 4);
            assert_true(p.has_ip_opts);
        }
    }
    /* Exact boundaries. */
    assert_int_equal(decode_prefix(&f, 13, NULL, &p), HY_ANOM_TRUNC_LINK);
    assert_int_equal(decode_prefix(&f, 14, NULL, &p), HY_ANOM_TRUNC_VLAN);
    assert_int_equal(p.ethertype, 0x8100);
    assert_int_equal(decode_prefix(&f, 18, NULL, &p), HY_ANOM_TRUNC_IP4);
    assert_int_equal(p.vlan[0], 100);
    assert_int_equal(p.ethertype, 0x0800);
    assert_int_equal(decode_prefix(&f, tcp_at - 1, NULL, &p), HY_ANOM_TRUNC_IP4);
    assert_int_equal(p.ip_version, 0);
    assert_int_equal(decode_prefix(&f, tcp_at, NULL, &p), HY_ANOM_TRUNC_TCP);
    assert_int_equal(p.ip_len, f.n - ip_at);
    assert_int_equal(decode_prefix(&f, tcp_at + 20, NULL, &p), HY_ANOM_TRUNC_TCP);
    assert_int_equal(p.sport, 40000);
    assert_int_equal(decode_prefix(&f, tcp_at + tcp_hl, NULL, &p), HY_ANOM_SNAPLEN);
    assert_int_equal(p.payload_len, 0);
    assert_int_equal(p.payload_wire_len, 10);
    assert_int_equal(p.tcp_opts.ts_ecr, 2);

    uint64_t sum = 0;
    for (int a = 0; a < HY_ANOM__COUNT; a++)
        sum += st.anom[a];
    assert_int_equal(st.packets, f.n + 1);
    assert_int_equal(sum, st.packets);
    assert_int_equal(st.anom[HY_ANOM_NONE], 1);
    assert_int_equal(st.anom[HY_ANOM_TRUNC_LINK], 13);
    assert_int_equal(st.anom[HY_ANOM_TRUNC_VLAN], 4);
    assert_int_equal(st.anom[HY_ANOM_SNAPLEN], 10);
    assert_int_equal(st.ip4, f.n + 1 - tcp_at);
    assert_int_equal(st.tcp, f.n + 1 - tcp_at);
}

static void test_truncation_ip6(void **state)
{
    fb f;
    frame_eth_ip6_ext_udp(&f);
    const size_t ext_at = 14 + 40, udp_at = ext_at + 8 + 16;
    assert_int_equal(f.n, udp_at + 8 + 10);
    hy_decode_stats st = {0};
    hy_pkt p;
    for (size_t len = 0; len <= f.n; len++) {
        hy_anom want;
        if (len == 0)
            want = HY_ANOM_ZERO_LEN;
        else if (len < 14)
            want = HY_ANOM_TRUNC_LINK;
        else if (len < ext_at)
            want = HY_ANOM_TRUNC_IP6;
        else if (len < udp_at)
            want = HY_ANOM_IP6_EXT;
        else if (len < udp_at + 8)
            want = HY_ANOM_TRUNC_UDP;
        else if (len < f.n)
            want = HY_ANOM_SNAPLEN;
        else
            want = HY_ANOM_NONE;
        hy_anom got = decode_prefix(&f, len, &st, &p);
        if (got != want)
            fail_msg("len %zu: got %s want %s", len, hy_anom_name(got), hy_anom_name(want));
    }
    assert_int_equal(decode_prefix(&f, ext_at - 1, NULL, &p), HY_ANOM_TRUNC_IP6);
    assert_int_equal(p.ip_version, 0);
    assert_int_equal(decode_prefix(&f, ext_at + 8, NULL, &p), HY_ANOM_IP6_EXT);
    assert_int_equal(p.ip6_ext_count, 1);
    assert_int_equal(decode_prefix(&f, udp_at, NULL, &p), HY_ANOM_TRUNC_UDP);
    assert_int_equal(p.ip6_ext_count, 2);
    assert_int_equal(p.proto, 17);
    assert_int_equal(decode_prefix(&f, udp_at + 8, NULL, &p), HY_ANOM_SNAPLEN);
    assert_int_equal(p.sport, 5353);
    assert_int_equal(p.payload_wire_len, 10);
    assert_int_equal(decode_prefix(&f, f.n, NULL, &p), HY_ANOM_NONE);
    assert_int_equal(p.payload_len, 10);

    uint64_t sum = 0;
    for (int a = 0; a < HY_ANOM__COUNT; a++)
        sum += st.anom[a];
    assert_int_equal(sum, f.n + 1);
    assert_int_equal(st.anom[HY_ANOM_IP6_EXT], 24);
    assert_int_equal(st.ip6, f.n + 1 - ext_at);
    assert_int_equal(st.udp, f.n + 1 - udp_at);
}

static void test_stats_add_and_addr(void **state)
{
    hy_decode_stats a = {.packets = 1, .bytes = 60, .tcp = 1, .anom = {[HY_ANOM_NONE] = 1}};
    hy_decode_stats b = {.packets = 2,
                         .bytes = 100,
                         .udp = 2,
                         .frags = 1,
                         .anom = {[HY_ANOM_NONE] = 1, [HY_ANOM_SNAPLEN] = 1}};
    hy_decode_stats_add(&a, &b);
    assert_int_equal(a.packets, 3);
    assert_int_equal(a.bytes, 160);
    assert_int_equal(a.tcp, 1);
    assert_int_equal(a.udp, 2);
    assert_int_equal(a.frags, 1);
    assert_int_equal(a.anom[HY_ANOM_NONE], 2);
    assert_int_equal(a.anom[HY_ANOM_SNAPLEN], 1);

    char buf[46];
    static const uint8_t v4[16] = {192, 0, 2, 1};
    hy_addr_format(4, v4, buf);
    assert_string_equal(buf, "192.0.2.1");
    hy_addr_format(6, v6src, buf);
    assert_string_equal(buf, "2001:db8::1");
    static const uint8_t full[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                     0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22, 0x33, 0x44};
    hy_addr_format(6, full, buf);
    assert_string_equal(buf, "2001:db8:1234:5678:9abc:def0:1122:3344");
    hy_addr_format(0, v4, buf);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anom_names),      cmocka_unit_test(test_eth_vlan_ip4_tcp),
        cmocka_unit_test(test_vlan_stacks),     cmocka_unit_test(test_non_ip_and_linktype),
        cmocka_unit_test(test_link_types),      cmocka_unit_test(test_ip4_options),
        cmocka_unit_test(test_ip4_bad_headers), cmocka_unit_test(test_ip4_padding_and_snaplen),
        cmocka_unit_test(test_ip4_fragments),   cmocka_unit_test(test_ip6_fragments),
        cmocka_unit_test(test_ip6_ext_chain),   cmocka_unit_test(test_ip6_ext_limits),
        cmocka_unit_test(test_tcp_options),     cmocka_unit_test(test_tcp_offset),
        cmocka_unit_test(test_udp_len),         cmocka_unit_test(test_icmp),
        cmocka_unit_test(test_fields_reset),    cmocka_unit_test(test_truncation_ip4),
        cmocka_unit_test(test_truncation_ip6),  cmocka_unit_test(test_stats_add_and_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
