/* Unit tests for the packet decoders (lib/net/decode.c) on hand-built frames:
 * TCP options and offsets, UDP lengths, ICMP, field resets, truncation at
 * every length, statistics (test_net_decode.c: link layers, IPv4, IPv6). */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "hayate/decode.h"
#include "net/shard.h"
#include "pkt_builder.h"

/* ---- tests -------------------------------------------------------------- */

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

    /* NOP, NOP, timestamps: what a timestamping stack sends on every data
     * segment (read in one step), and near misses that take the walk. */
    static const uint8_t ts[] = {1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    assert_int_equal(tcp_with_opts(&p, ts, sizeof ts), HY_ANOM_NONE);
    assert_int_equal(p.tcp_opts.present, HY_TCPOPT_TS);
    assert_int_equal(p.tcp_opts.ts_val, 0x11223344);
    assert_int_equal(p.tcp_opts.ts_ecr, 0x55667788);
    assert_int_equal(p.payload_len, 4);
    static const uint8_t ts9[] = {1, 1, 8, 9, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0};
    assert_int_equal(tcp_with_opts(&p, ts9, sizeof ts9), HY_ANOM_TCP_OPT);
    assert_int_equal(p.tcp_opts.present, 0);
    static const uint8_t ts_nop[] = {1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 1};
    assert_int_equal(tcp_with_opts(&p, ts_nop, sizeof ts_nop), HY_ANOM_NONE);
    assert_int_equal(p.tcp_opts.present, HY_TCPOPT_TS);
    assert_int_equal(p.tcp_opts.ts_val, 0x11223344);

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

/* Decodes f whole and from an exact-size copy of the first bytes
 * hy_shard_hash says to keep (have = keep, caplen the whole frame): every field must agree, the
 * spans ending at the kept bytes. Returns keep. */
static uint32_t decode_kept(const fb *f, int linktype)
{
    uint32_t n = (uint32_t)f->n, keep = 0;
    hy_pkt a, b;
    (void)hy_shard_hash(linktype, f->b, n, &keep);
    assert_true(keep <= n);
    uint8_t *copy = malloc(keep ? keep : 1);
    assert_non_null(copy);
    memcpy(copy, f->b, keep);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.data = f->b;
    b.data = copy;
    a.caplen = a.wirelen = b.caplen = b.wirelen = n;
    a.linktype = b.linktype = linktype;
    b.have = keep;
    assert_int_equal(hy_decode(&a, NULL), hy_decode(&b, NULL));
    const uint8_t **spa[3] = {&a.l3, &a.l4, &a.payload}, **spb[3] = {&b.l3, &b.l4, &b.payload};
    uint32_t *lna[3] = {&a.l3_len, &a.l4_len, &a.payload_len},
             *lnb[3] = {&b.l3_len, &b.l4_len, &b.payload_len};
    for (int i = 0; i < 3; i++) {
        assert_true(!*spa[i] == !*spb[i]);
        if (*spa[i]) {
            uint32_t off = (uint32_t)(*spa[i] - f->b), max = off < keep ? keep - off : 0;
            assert_int_equal(*spb[i] - copy, off);
            assert_int_equal(*lnb[i], *lna[i] < max ? *lna[i] : max);
        }
        *spa[i] = *spb[i] = NULL;
        *lna[i] = *lnb[i] = 0;
    }
    a.data = b.data = NULL;
    b.have = 0;
    assert_memory_equal(&a, &b, sizeof a);
    free(copy);
    return keep;
}

/* Workers get only the headers of each packet (hy_shard_hash's keep): decoded from
 * those, a packet is the packet decoded whole. */
static void test_keep_headers(void **state)
{
    fb f;
    size_t ip_at, tcp_at;
    uint8_t big[1200];
    (void)state;
    memset(big, 0x5a, sizeof big);

    /* Ethernet / VLAN / IPv4 with options / TCP with options / payload */
    frame_eth_vlan_ip4_tcp(&f, &ip_at, &tcp_at);
    putn(&f, big, sizeof big);
    ip4_end(&f, ip_at);
    uint32_t hl = (uint32_t)(tcp_at + 20 + sizeof tcp_opts_all);
    assert_int_equal(decode_kept(&f, HY_LINK_ETHERNET), hl);

    /* IPv6 / TCP without options, raw link */
    memset(&f, 0, sizeof f);
    size_t at = ip6(&f, 6);
    tcp(&f, NULL, 0, HY_TCP_ACK);
    putn(&f, big, sizeof big);
    ip6_end(&f, at);
    assert_int_equal(decode_kept(&f, HY_LINK_RAW), 40 + 20);

    /* IPv4 / UDP, a first fragment and a later one */
    memset(&f, 0, sizeof f);
    eth(&f, 0x0800);
    at = ip4(&f, 17, NULL, 0, 0x2000);
    size_t u = udp(&f, 5353, 53);
    putn(&f, big, sizeof big);
    udp_end(&f, u);
    ip4_end(&f, at);
    assert_int_equal(decode_kept(&f, HY_LINK_ETHERNET), 14 + 20 + 8);
    memset(&f, 0, sizeof f);
    eth(&f, 0x0800);
    at = ip4(&f, 17, NULL, 0, 185); /* offset 1480 */
    putn(&f, big, sizeof big);
    ip4_end(&f, at);
    assert_int_equal(decode_kept(&f, HY_LINK_ETHERNET), 14 + 20);

    /* IPv6 extension headers: kept whole */
    frame_eth_ip6_ext_udp(&f);
    assert_int_equal(decode_kept(&f, HY_LINK_ETHERNET), f.n);

    /* a TCP data offset past the frame, a bad IHL, not IP: still the same */
    memset(&f, 0, sizeof f);
    eth(&f, 0x0800);
    at = ip4(&f, 6, NULL, 0, 0);
    tcp(&f, NULL, 0, HY_TCP_SYN);
    ip4_end(&f, at);
    f.b[14 + 20 + 12] = 0xf0;
    assert_int_equal(decode_kept(&f, HY_LINK_ETHERNET), f.n);
    f.b[14] = 0x43;
    assert_int_equal(decode_kept(&f, HY_LINK_ETHERNET), 14 + 20);
    memset(&f, 0, sizeof f);
    eth(&f, 0x0806);
    putn(&f, big, 28);
    assert_int_equal(decode_kept(&f, HY_LINK_ETHERNET), f.n);
}

/* hy_addr_format writes what glibc's inet_ntop writes: edge cases, then
 * addresses whose words are mostly zero (every zero-run shape), random
 * ones, and the IPv4-mapped and -compatible forms. */
static void test_addr_format_ntop(void **state)
{
    static const char *const cases[] = {
        "::", "::1", "1::", "::ffff:1.2.3.4", "::1.2.3.4", "::0.0.0.1", "::ffff:0.0.0.0",
        "1:0:0:1:0:0:0:1", "1:0:0:1::1", "0:1::", "::1:0:0:0", "2001:db8::ff00:42:8329",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::fffe:1.2.3.4", "0:0:0:0:1:ffff:1.2.3.4"};
    uint8_t a[16];
    char mine[46], ref[46];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(inet_pton(AF_INET6, cases[i], a), 1);
        hy_addr_format(6, a, mine);
        assert_non_null(inet_ntop(AF_INET6, a, ref, sizeof ref));
        assert_string_equal(mine, ref);
    }
    for (int n = 0; n < 200000; n++) {
        for (int w = 0; w < 8; w++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            unsigned v = (x >> 8) % 4 ? 0 : (unsigned)(x >> 20) & 0xffff;
            if ((x >> 40) % 8 == 0)
                v = (x >> 44) & 0xf;
            if (w == 5 && (x >> 50) % 4 == 0)
                v = 0xffff;
            a[2 * w] = (uint8_t)(v >> 8);
            a[2 * w + 1] = (uint8_t)v;
        }
        hy_addr_format(6, a, mine);
        assert_non_null(inet_ntop(AF_INET6, a, ref, sizeof ref));
        assert_string_equal(mine, ref);
    }
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

/* The routing hash's fast path (untagged Ethernet, IPv4 or IPv6) gives what
 * the general path gives: the hash and the bytes to keep, on frames of every
 * kind and on each with one byte of the first 70 changed (a version nibble,
 * an IHL, a fragment offset, a next header, a data offset...). */
static void test_shard_fast_path(void **state)
{
    fb fr[5];
    size_t at, ip_at, tcp_at;
    (void)state;
    memset(fr, 0, sizeof fr);
    eth(&fr[0], 0x0800);
    at = ip4(&fr[0], 6, NULL, 0, 0);
    tcp(&fr[0], tcp_opts_all, sizeof tcp_opts_all, HY_TCP_SYN);
    ip4_end(&fr[0], at);
    eth(&fr[1], 0x86dd);
    at = ip6(&fr[1], 17);
    size_t u = udp(&fr[1], 53, 5353);
    putn(&fr[1], "0123456789abcdef", 16);
    udp_end(&fr[1], u);
    ip6_end(&fr[1], at);
    eth(&fr[2], 0x0800);
    at = ip4(&fr[2], 1, NULL, 0, 0x2000);
    static const uint8_t echo[16] = {8, 0, 0, 0, 0, 1, 0, 1, 'a', 'b', 'c', 'd', 'e', 'f'};
    putn(&fr[2], echo, sizeof echo);
    ip4_end(&fr[2], at);
    frame_eth_vlan_ip4_tcp(&fr[3], &ip_at, &tcp_at);
    frame_eth_ip6_ext_udp(&fr[4]);
    /* Taken: untagged IPv4 and IPv6 frames. Declined: the 50-byte ICMP frame
     * (shorter than the fast path's minimum), VLAN, IPv6 extension headers. */
    for (int i = 0; i < 5; i++) {
        uint32_t h, k;
        assert_int_equal(hy__shard_fast(fr[i].b, (uint32_t)fr[i].n, &h, &k), i < 2);
    }
    unsigned fast = 0;
    for (int i = 0; i < 5; i++) {
        for (uint32_t pos = 0; pos <= 70 && pos <= fr[i].n; pos++) {
            for (unsigned v = 0; v < 256; v += pos ? 17 : 256) {
                fb g = fr[i];
                if (pos < g.n)
                    g.b[pos] = (uint8_t)(g.b[pos] ^ v);
                for (uint32_t n = 0; n <= g.n; n += n < 60 ? 1 : 9) {
                    uint32_t k1 = 99999, k2 = 77777, k3 = 55555, h3 = 0;
                    uint32_t h1 = hy_shard_hash(HY_LINK_ETHERNET, g.b, n, &k1);
                    uint32_t h2 = hy__shard_hash_general(HY_LINK_ETHERNET, g.b, n, &k2);
                    assert_int_equal(h1, h2);
                    assert_int_equal(k1, k2);
                    if (hy__shard_fast(g.b, n, &h3, &k3)) { /* the fast path itself agrees */
                        assert_int_equal(h3, h2);
                        assert_int_equal(k3, k2);
                        fast++;
                    }
                }
            }
        }
    }
    assert_true(fast > 1000); /* the fast path took (and agreed on) many of them */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_options),      cmocka_unit_test(test_tcp_offset),
        cmocka_unit_test(test_udp_len),          cmocka_unit_test(test_icmp),
        cmocka_unit_test(test_fields_reset),     cmocka_unit_test(test_truncation_ip4),
        cmocka_unit_test(test_truncation_ip6),   cmocka_unit_test(test_stats_add_and_addr),
        cmocka_unit_test(test_keep_headers),     cmocka_unit_test(test_shard_fast_path),
        cmocka_unit_test(test_addr_format_ntop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
