/* A frame builder for the packet decoders' tests (test_net_decode.c,
 * test_net_decode_l4.c): Ethernet, 802.1Q, IPv4 with options, IPv6 with
 * extension headers and fragments, TCP with options, UDP; checksums are not
 * computed (the decoders do not check them). */
#ifndef HY_TEST_PKT_BUILDER_H
#define HY_TEST_PKT_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hayate/decode.h"

/* ---- frame builder ------------------------------------------------------ */

typedef struct fb {
    uint8_t b[4096];
    size_t n;
} fb;

static inline void put8(fb *f, unsigned v)
{
    assert_true(f->n < sizeof f->b);
    f->b[f->n++] = (uint8_t)v;
}

static inline void put16(fb *f, unsigned v)
{
    put8(f, v >> 8);
    put8(f, v);
}

static inline void put32(fb *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}

static inline void putn(fb *f, const void *src, size_t n)
{
    assert_true(f->n + n <= sizeof f->b);
    memcpy(f->b + f->n, src, n);
    f->n += n;
}

static inline void putz(fb *f, size_t n)
{
    assert_true(f->n + n <= sizeof f->b);
    memset(f->b + f->n, 0, n);
    f->n += n;
}

static inline void set16(fb *f, size_t off, unsigned v)
{
    f->b[off] = (uint8_t)(v >> 8);
    f->b[off + 1] = (uint8_t)v;
}

static inline void eth(fb *f, unsigned type)
{
    static const uint8_t macs[12] = {0, 1, 2, 3, 4, 5, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15};
    putn(f, macs, sizeof macs);
    put16(f, type);
}

static inline void vlan(fb *f, unsigned tci, unsigned next)
{
    put16(f, tci);
    put16(f, next);
}

/* IPv4 header with opts (padded by the caller to a multiple of 4); returns
 * its offset so ip4_end can patch the total length. */
static inline size_t ip4(fb *f, unsigned proto, const uint8_t *opts, size_t optlen, unsigned flags_frag)
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

static inline void ip4_end(fb *f, size_t at)
{
    set16(f, at + 2, (unsigned)(f->n - at));
}

static const uint8_t v6src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6dst[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, [15] = 0xcd};

static inline size_t ip6(fb *f, unsigned nh)
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

static inline void ip6_end(fb *f, size_t at)
{
    set16(f, at + 4, (unsigned)(f->n - at - 40));
}

/* Generic extension header of n 8-byte units (hdr ext len = n - 1), PadN. */
static inline void ext6(fb *f, unsigned next, unsigned units)
{
    put8(f, next);
    put8(f, units - 1);
    put8(f, 1); /* PadN */
    put8(f, units * 8 - 4);
    putz(f, units * 8 - 4);
}

static inline void frag6(fb *f, unsigned next, unsigned off_bytes, int more, uint32_t id)
{
    put8(f, next);
    put8(f, 0);
    put16(f, (off_bytes & 0xfff8u) | (more ? 1u : 0u));
    put32(f, id);
}

static inline void tcp(fb *f, const uint8_t *opts, size_t optlen, unsigned flags)
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

static inline size_t udp(fb *f, unsigned sport, unsigned dport)
{
    size_t at = f->n;
    put16(f, sport);
    put16(f, dport);
    put16(f, 0);
    put16(f, 0);
    return at;
}

static inline void udp_end(fb *f, size_t at)
{
    set16(f, at + 4, (unsigned)(f->n - at));
}

static const uint8_t payload10[10] = "helloworld";

static inline hy_anom run(hy_pkt *p, const fb *f, int linktype)
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
static inline void frame_eth_vlan_ip4_tcp(fb *f, size_t *ip_at, size_t *tcp_at)
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
static inline void frame_eth_ip6_ext_udp(fb *f)
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

#endif
