/* Unit tests for the packet decoders (lib/net/decode.c) on hand-built frames:
 * link layers, VLANs, IPv4 and IPv6 (test_net_decode_l4.c: TCP, UDP, ICMP,
 * truncation). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hayate/decode.h"
#include "pkt_builder.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anom_names),
        cmocka_unit_test(test_eth_vlan_ip4_tcp),
        cmocka_unit_test(test_vlan_stacks),
        cmocka_unit_test(test_non_ip_and_linktype),
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_ip4_options),
        cmocka_unit_test(test_ip4_bad_headers),
        cmocka_unit_test(test_ip4_padding_and_snaplen),
        cmocka_unit_test(test_ip4_fragments),
        cmocka_unit_test(test_ip6_fragments),
        cmocka_unit_test(test_ip6_ext_chain),
        cmocka_unit_test(test_ip6_ext_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
