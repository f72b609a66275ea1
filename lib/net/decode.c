/* hayate: packet decoders (link, IPv4, IPv6 with extension headers, TCP,
 * UDP, ICMP, ICMPv6). The hot path: no allocation, one memset of the decoded
 * part of hy_pkt, every read through core/bytes.h. See docs/NET.md. */
#include "hayate/decode.h"

#include <stddef.h>
#include <string.h>

#include "core/bytes.h"
#include "net/ip6.h"

#define ETH_HLEN     14u
#define SLL_HLEN     16u
#define SLL2_HLEN    20u
#define NULL_HLEN    4u
#define VLAN_TAG_LEN 4u
#define IP4_MIN_HLEN 20u
#define IP6_HLEN     40u
#define TCP_MIN_HLEN 20u
#define UDP_HLEN     8u
#define ICMP_HLEN    8u

#define ETYPE_IP4      0x0800
#define ETYPE_IP6      0x86dd
#define ETYPE_VLAN     0x8100
#define ETYPE_QINQ     0x88a8
#define ETYPE_QINQ_OLD 0x9100

#define PROTO_ICMP  1
#define PROTO_TCP   6
#define PROTO_UDP   17
#define PROTO_ESP   50
#define PROTO_NONE  59
#define PROTO_ICMP6 58

/* Where the decoder stands inside one frame. Offsets are from the frame. */
typedef struct dctx {
    const uint8_t *d;
    uint32_t len;      /* caplen: what every length check uses */
    uint32_t have;     /* bytes present (<= len): what reads are bounded by */
    uint32_t end;      /* end of the captured IP datagram (trailer excluded) */
    uint32_t wire_rem; /* bytes from the current offset the IP lengths claim */
    bool snap;         /* the IP datagram is longer than what was captured */
    bool l4;           /* the transport layer was reached */
} dctx;

/* Bounds-checked readers that yield 0 out of range; callers check the
 * header fits first, so the fallback never feeds a decision. */
static inline uint8_t rd8(const dctx *c, uint32_t off)
{
    uint8_t v = 0;
    (void)hy_rd_u8(c->d, c->have, off, &v);
    return v;
}

static inline uint16_t rd16(const dctx *c, uint32_t off)
{
    uint16_t v = 0;
    (void)hy_rd_u16be(c->d, c->have, off, &v);
    return v;
}

static inline uint32_t rd32(const dctx *c, uint32_t off)
{
    uint32_t v = 0;
    (void)hy_rd_u32be(c->d, c->have, off, &v);
    return v;
}

/* A fixed header copied out of the frame by one bounds check (the caller
 * checked it fits); its fields are then read through the same helpers with
 * a constant size and offset, so those checks fold away at compile time. */
#define HDR_MAX 20u
typedef struct hdr {
    uint8_t b[HDR_MAX];
} hdr;

static inline void rd_hdr(const dctx *c, uint32_t off, hdr *h)
{
    memset(h, 0, sizeof *h);
    (void)hy_rd_bytes(c->d, c->have, off, h->b, sizeof h->b);
}

static inline uint8_t h8(const hdr *h, uint32_t off)
{
    uint8_t v = 0;
    (void)hy_rd_u8(h->b, sizeof h->b, off, &v);
    return v;
}

static inline uint16_t h16(const hdr *h, uint32_t off)
{
    uint16_t v = 0;
    (void)hy_rd_u16be(h->b, sizeof h->b, off, &v);
    return v;
}

static inline uint32_t h32(const hdr *h, uint32_t off)
{
    uint32_t v = 0;
    (void)hy_rd_u32be(h->b, sizeof h->b, off, &v);
    return v;
}

/* Copies an address; hy_fits checks the range. hy_rd_bytes' byte loop was
 * the single most expensive part of IPv6 decoding. */
static inline void rd_addr(const dctx *c, uint32_t off, uint8_t *dst, size_t n)
{
    if (hy_fits(c->have, off, n))
        memcpy(dst, c->d + off, n);
}

/* ---- names -------------------------------------------------------------- */

static const char *const anom_text[HY_ANOM__COUNT] = {
#define HY__ANOM_TEXT(name, text) [HY_ANOM_##name] = text,
    HY_ANOM_LIST(HY__ANOM_TEXT)
#undef HY__ANOM_TEXT
};

/* Lower-case names; the unit test checks they match the X-macro. */
static const char *const anom_name[] = {
    "none",      "zero_len",    "linktype",    "trunc_link",   "trunc_vlan",  "vlan_depth",
    "non_ip",    "trunc_ip4",   "ip4_version", "ip4_ihl",      "ip4_len",     "ip4_opt",
    "trunc_ip6", "ip6_version", "ip6_ext",     "ip6_ext_loop", "trunc_tcp",   "tcp_off",
    "tcp_opt",   "trunc_udp",   "udp_len",     "trunc_icmp",   "trunc_icmp6", "snaplen",
};
_Static_assert(sizeof anom_name / sizeof anom_name[0] == HY_ANOM__COUNT,
               "anom_name out of sync with HY_ANOM_LIST");

const char *hy_anom_name(hy_anom a)
{
    if ((unsigned)a >= HY_ANOM__COUNT)
        return "unknown";
    return anom_name[a];
}

const char *hy_anom_text(hy_anom a)
{
    if ((unsigned)a >= HY_ANOM__COUNT)
        return "unknown anomaly";
    return anom_text[a];
}

/* ---- transport ---------------------------------------------------------- */

/* Walks TCP options in [off, hend). Returns NONE or TCP_OPT; what was read
 * before a bad option stays recorded. */
static hy_anom tcp_options(hy_pkt *p, const dctx *c, uint32_t off, uint32_t hend)
{
    hy_tcp_opts *o = &p->tcp_opts;
    /* What nearly every segment of a timestamping stack carries: NOP, NOP,
     * timestamps (RFC 7323, appendix A), taken in one read. Bytes past
     * `have` read as 0 and fail the test, so the loop decides those. */
    if (hend - off == 12 && rd32(c, off) == 0x0101080au) {
        o->ts_val = rd32(c, off + 4);
        o->ts_ecr = rd32(c, off + 8);
        o->present |= HY_TCPOPT_TS;
        return HY_ANOM_NONE;
    }
    while (off < hend) {
        uint8_t kind = rd8(c, off);
        if (kind == 0) /* EOL */
            break;
        if (kind == 1) { /* NOP */
            off++;
            continue;
        }
        if (off + 1 >= hend)
            return HY_ANOM_TCP_OPT;
        uint8_t olen = rd8(c, off + 1);
        if (olen < 2 || olen > hend - off)
            return HY_ANOM_TCP_OPT;
        switch (kind) {
        case 2:
            if (olen != 4)
                return HY_ANOM_TCP_OPT;
            o->mss = rd16(c, off + 2);
            o->present |= HY_TCPOPT_MSS;
            break;
        case 3:
            if (olen != 3)
                return HY_ANOM_TCP_OPT;
            o->wscale = rd8(c, off + 2);
            o->present |= HY_TCPOPT_WSCALE;
            break;
        case 4:
            if (olen != 2)
                return HY_ANOM_TCP_OPT;
            o->present |= HY_TCPOPT_SACK_PERM;
            break;
        case 5: {
            if (olen < 10 || (olen - 2) % 8 != 0)
                return HY_ANOM_TCP_OPT;
            unsigned n = (olen - 2u) / 8u;
            if (n > HY_MAX_TCP_SACK_BLOCKS)
                n = HY_MAX_TCP_SACK_BLOCKS;
            for (unsigned i = 0; i < n; i++) {
                o->sack[i][0] = rd32(c, off + 2 + 8 * i);
                o->sack[i][1] = rd32(c, off + 6 + 8 * i);
            }
            o->sack_blocks = (uint8_t)n;
            o->present |= HY_TCPOPT_SACK;
            break;
        }
        case 8:
            if (olen != 10)
                return HY_ANOM_TCP_OPT;
            o->ts_val = rd32(c, off + 2);
            o->ts_ecr = rd32(c, off + 6);
            o->present |= HY_TCPOPT_TS;
            break;
        default:
            break; /* unknown but well-formed: skipped */
        }
        off += olen;
    }
    return HY_ANOM_NONE;
}

static inline __attribute__((always_inline)) hy_anom dec_tcp(hy_pkt *p, const dctx *c, uint32_t off)
{
    uint32_t avail = c->end - off;
    hdr h;
    if (avail < TCP_MIN_HLEN)
        return HY_ANOM_TRUNC_TCP;
    rd_hdr(c, off, &h);
    p->sport = h16(&h, 0);
    p->dport = h16(&h, 2);
    p->tcp_seq = h32(&h, 4);
    p->tcp_ack = h32(&h, 8);
    uint32_t hlen = (uint32_t)(h8(&h, 12) >> 4) * 4u;
    p->tcp_flags = h8(&h, 13);
    p->tcp_win = h16(&h, 14);
    if (hlen < TCP_MIN_HLEN)
        return HY_ANOM_TCP_OFF;
    if (hlen > avail) /* cut inside the options, or an offset past the segment */
        return c->snap && hlen <= c->wire_rem ? HY_ANOM_TRUNC_TCP : HY_ANOM_TCP_OFF;
    p->payload = c->d + off + hlen;
    p->payload_len = avail - hlen;
    p->payload_wire_len = c->wire_rem - hlen;
    return tcp_options(p, c, off + TCP_MIN_HLEN, off + hlen);
}

static inline __attribute__((always_inline)) hy_anom dec_udp(hy_pkt *p, const dctx *c, uint32_t off)
{
    uint32_t avail = c->end - off;
    if (avail < UDP_HLEN)
        return HY_ANOM_TRUNC_UDP;
    p->sport = rd16(c, off);
    p->dport = rd16(c, off + 2);
    uint32_t ulen = rd16(c, off + 4);
    p->payload = c->d + off + UDP_HLEN;
    p->payload_len = avail - UDP_HLEN;
    p->payload_wire_len = c->wire_rem - UDP_HLEN;
    /* A first fragment carries only part of the datagram UDP length covers. */
    if (ulen < UDP_HLEN || (ulen > c->wire_rem && !p->is_frag))
        return HY_ANOM_UDP_LEN;
    if (!p->is_frag) { /* bytes past the UDP length are not payload */
        p->payload_wire_len = ulen - UDP_HLEN;
        if (p->payload_len > p->payload_wire_len)
            p->payload_len = p->payload_wire_len;
    }
    return HY_ANOM_NONE;
}

static hy_anom dec_icmp(hy_pkt *p, const dctx *c, uint32_t off, hy_anom trunc)
{
    uint32_t avail = c->end - off;
    if (avail < ICMP_HLEN)
        return trunc;
    p->icmp_type = rd8(c, off);
    p->icmp_code = rd8(c, off + 1);
    p->payload = c->d + off + ICMP_HLEN;
    p->payload_len = avail - ICMP_HLEN;
    p->payload_wire_len = c->wire_rem - ICMP_HLEN;
    return HY_ANOM_NONE;
}

/* Enters the transport layer at off (p->proto is set). */
static inline __attribute__((always_inline)) hy_anom dec_l4(hy_pkt *p, dctx *c, uint32_t off)
{
    c->l4 = true;
    if (p->proto != PROTO_ESP && p->proto != PROTO_NONE) { /* these have no header */
        p->l4 = c->d + off;
        p->l4_len = c->end - off;
    }
    switch (p->proto) {
    case PROTO_TCP:
        return dec_tcp(p, c, off);
    case PROTO_UDP:
        return dec_udp(p, c, off);
    case PROTO_ICMP:
        return dec_icmp(p, c, off, HY_ANOM_TRUNC_ICMP);
    case PROTO_ICMP6:
        return dec_icmp(p, c, off, HY_ANOM_TRUNC_ICMP6);
    default:
        p->payload = c->d + off;
        p->payload_len = c->end - off;
        p->payload_wire_len = c->wire_rem;
        return HY_ANOM_NONE;
    }
}

/* A non-first fragment: the rest is opaque payload, there is no L4 header. */
static hy_anom frag_tail(hy_pkt *p, const dctx *c, uint32_t off)
{
    p->payload = c->d + off;
    p->payload_len = c->end - off;
    p->payload_wire_len = c->wire_rem;
    return HY_ANOM_NONE;
}

/* ---- IPv4 --------------------------------------------------------------- */

static hy_anom ip4_options(const dctx *c, uint32_t off, uint32_t hend)
{
    while (off < hend) {
        uint8_t kind = rd8(c, off);
        if (kind == 0) /* EOL: the rest is padding */
            break;
        if (kind == 1) {
            off++;
            continue;
        }
        if (off + 1 >= hend)
            return HY_ANOM_IP4_OPT;
        uint8_t olen = rd8(c, off + 1);
        if (olen < 2 || olen > hend - off)
            return HY_ANOM_IP4_OPT;
        off += olen;
    }
    return HY_ANOM_NONE;
}

static hy_anom dec_ip4(hy_pkt *p, dctx *c, uint32_t off)
{
    uint32_t avail = c->len - off;
    hdr h;
    p->l3 = c->d + off;
    p->l3_len = avail;
    if (avail < IP4_MIN_HLEN)
        return HY_ANOM_TRUNC_IP4;
    rd_hdr(c, off, &h);
    uint8_t vihl = h8(&h, 0);
    if (vihl >> 4 != 4)
        return HY_ANOM_IP4_VERSION;
    uint32_t hlen = (vihl & 0x0fu) * 4u;
    uint32_t tot = h16(&h, 2);
    if (hlen < IP4_MIN_HLEN)
        return HY_ANOM_IP4_IHL;
    if (hlen > avail) /* a capture cut inside the options, or a bogus IHL */
        return tot >= hlen ? HY_ANOM_TRUNC_IP4 : HY_ANOM_IP4_IHL;

    p->ip_version = 4;
    p->tos = h8(&h, 1);
    p->ip_len = (uint16_t)tot;
    p->ip_id = h16(&h, 4);
    uint16_t fl = h16(&h, 6);
    /* From locals, not p: re-reading the fields just stored stalls. */
    uint16_t frag_off = (uint16_t)((fl & 0x1fffu) * 8u);
    p->dont_frag = (fl & 0x4000) != 0;
    p->more_frags = (fl & 0x2000) != 0;
    p->frag_off = frag_off;
    p->is_frag = (fl & 0x3fffu) != 0;
    p->ttl = h8(&h, 8);
    p->proto = h8(&h, 9);
    (void)hy_rd_bytes(h.b, sizeof h.b, 12, p->src, 4);
    (void)hy_rd_bytes(h.b, sizeof h.b, 16, p->dst, 4);
    p->has_ip_opts = hlen > IP4_MIN_HLEN;

    if (tot < hlen)
        return HY_ANOM_IP4_LEN;
    if (tot > avail) {
        c->snap = true;
    } else {
        p->l3_len = tot; /* drop Ethernet padding */
    }
    c->end = off + p->l3_len;
    c->wire_rem = tot - hlen;
    if (p->has_ip_opts) {
        hy_anom a = ip4_options(c, off + IP4_MIN_HLEN, off + hlen);
        if (a != HY_ANOM_NONE)
            return a;
    }
    if (frag_off != 0)
        return frag_tail(p, c, off + hlen);
    return dec_l4(p, c, off + hlen);
}

/* ---- IPv6 --------------------------------------------------------------- */

static hy_anom dec_ip6(hy_pkt *p, dctx *c, uint32_t off)
{
    uint32_t avail = c->len - off;
    p->l3 = c->d + off;
    p->l3_len = avail;
    if (avail < IP6_HLEN)
        return HY_ANOM_TRUNC_IP6;
    uint32_t w0 = rd32(c, off);
    if (w0 >> 28 != 6)
        return HY_ANOM_IP6_VERSION;
    uint32_t plen = rd16(c, off + 4);
    uint8_t nh = rd8(c, off + 6);
    p->ip_version = 6;
    p->tos = (uint8_t)(w0 >> 20);
    p->ttl = rd8(c, off + 7);
    rd_addr(c, off + 8, p->src, 16);
    rd_addr(c, off + 24, p->dst, 16);

    uint32_t tot = IP6_HLEN + plen;
    if (plen == 0 && nh == 0) /* jumbogram (RFC 2675): trust the capture */
        tot = avail;
    p->ip_len = (uint16_t)(tot > 0xffffu ? 0xffffu : tot);
    if (tot > avail)
        c->snap = true;
    else
        p->l3_len = tot;
    c->end = off + p->l3_len;

    uint32_t cur = off + IP6_HLEN;
    uint16_t frag_off = 0;
    while (hy__ip6_is_ext(nh)) {
        if (p->ip6_ext_count >= HY_MAX_IP6_EXT_HDRS) {
            p->proto = nh;
            return HY_ANOM_IP6_EXT_LOOP;
        }
        uint32_t room = c->end - cur;
        if (room < 8) /* every extension header is at least 8 bytes */
            return HY_ANOM_IP6_EXT;
        uint8_t next = rd8(c, cur);
        uint32_t hl;
        if (nh == 44)
            hl = 8;
        else if (nh == 51)
            hl = ((uint32_t)rd8(c, cur + 1) + 2u) * 4u;
        else
            hl = ((uint32_t)rd8(c, cur + 1) + 1u) * 8u;
        if (hl > room)
            return HY_ANOM_IP6_EXT;
        if (nh == 44) {
            uint16_t fo = rd16(c, cur + 2);
            p->frag_id = rd32(c, cur + 4);
            p->ip_id = (uint16_t)p->frag_id;
            frag_off = fo & 0xfff8u;
            p->frag_off = frag_off;
            p->more_frags = (fo & 1u) != 0;
            p->is_frag = (fo & 0xfff9u) != 0;
        }
        p->ip6_ext_count++;
        cur += hl;
        nh = next;
        if (frag_off != 0) {
            p->proto = nh;
            c->wire_rem = tot - (cur - off);
            return frag_tail(p, c, cur);
        }
    }
    p->proto = nh;
    c->wire_rem = tot - (cur - off);
    return dec_l4(p, c, cur);
}

/* ---- link --------------------------------------------------------------- */

static hy_anom dec_ethertype(hy_pkt *p, dctx *c, uint32_t off, uint16_t et)
{
    p->ethertype = et;
    if (et == ETYPE_IP4)
        return dec_ip4(p, c, off);
    if (et == ETYPE_IP6)
        return dec_ip6(p, c, off);
    return HY_ANOM_NON_IP;
}

/* Strips 802.1Q/QinQ tags starting at off, whose TPID is et. */
static hy_anom dec_vlans(hy_pkt *p, dctx *c, uint32_t off, uint16_t et)
{
    while (et == ETYPE_VLAN || et == ETYPE_QINQ || et == ETYPE_QINQ_OLD) {
        p->ethertype = et;
        if (p->vlan_count >= HY_MAX_VLAN_TAGS)
            return HY_ANOM_VLAN_DEPTH;
        if (!hy_fits(c->len, off, VLAN_TAG_LEN))
            return HY_ANOM_TRUNC_VLAN;
        p->vlan[p->vlan_count++] = rd16(c, off) & 0x0fffu;
        et = rd16(c, off + 2);
        off += VLAN_TAG_LEN;
    }
    return dec_ethertype(p, c, off, et);
}

/* Raw IP: the version nibble picks the decoder; fallback per link type. */
static hy_anom dec_raw(hy_pkt *p, dctx *c, bool v6_default)
{
    uint8_t v = rd8(c, 0) >> 4;
    bool v6 = v == 6 || (v != 4 && v6_default);
    return dec_ethertype(p, c, 0, v6 ? ETYPE_IP6 : ETYPE_IP4);
}

static uint16_t af_to_ethertype(uint32_t af)
{
    switch (af) {
    case 2: /* AF_INET everywhere */
        return ETYPE_IP4;
    case 24: /* AF_INET6: NetBSD/OpenBSD */
    case 28: /* FreeBSD */
    case 30: /* macOS */
        return ETYPE_IP6;
    default:
        return 0;
    }
}

static hy_anom dec_loopback(hy_pkt *p, dctx *c, bool either_order)
{
    if (c->len < NULL_HLEN)
        return HY_ANOM_TRUNC_LINK;
    uint32_t af = rd32(c, 0);
    uint16_t et = af_to_ethertype(af);
    if (et == 0 && either_order) {
        uint32_t le = 0;
        (void)hy_rd_u32le(c->d, c->have, 0, &le);
        et = af_to_ethertype(le);
    }
    return dec_ethertype(p, c, NULL_HLEN, et);
}

static hy_anom dec_link(hy_pkt *p, dctx *c)
{
    switch (p->linktype) {
    case HY_LINK_ETHERNET:
        if (c->len < ETH_HLEN)
            return HY_ANOM_TRUNC_LINK;
        return dec_vlans(p, c, ETH_HLEN, rd16(c, 12));
    case HY_LINK_SLL:
        if (c->len < SLL_HLEN)
            return HY_ANOM_TRUNC_LINK;
        return dec_vlans(p, c, SLL_HLEN, rd16(c, 14));
    case HY_LINK_SLL2:
        if (c->len < SLL2_HLEN)
            return HY_ANOM_TRUNC_LINK;
        return dec_vlans(p, c, SLL2_HLEN, rd16(c, 0));
    case HY_LINK_RAW:
    case HY_LINK_DLT_RAW:
    case HY_LINK_DLT_RAW14:
    case HY_LINK_IPV4:
        return dec_raw(p, c, false);
    case HY_LINK_IPV6:
        return dec_raw(p, c, true);
    case HY_LINK_NULL:
        return dec_loopback(p, c, true);
    case HY_LINK_LOOP:
        return dec_loopback(p, c, false);
    default:
        return HY_ANOM_LINKTYPE;
    }
}

/* ---- entry points ------------------------------------------------------- */

static void count(hy_decode_stats *st, const hy_pkt *p, const dctx *c)
{
    st->packets++;
    st->bytes += p->caplen;
    st->anom[p->anom]++;
    if (p->ip_version == 4)
        st->ip4++;
    else if (p->ip_version == 6)
        st->ip6++;
    if (p->is_frag)
        st->frags++;
    if (!c->l4)
        return;
    switch (p->proto) {
    case PROTO_TCP:
        st->tcp++;
        break;
    case PROTO_UDP:
        st->udp++;
        break;
    case PROTO_ICMP:
        st->icmp++;
        break;
    case PROTO_ICMP6:
        st->icmp6++;
        break;
    default:
        st->other_l4++;
        break;
    }
}

/* Zeroes hy_pkt from `anom` to the end. A plain memset of this size becomes
 * `rep stos` with GCC, whose start-up cost was a third of the decode time;
 * straight-line 16-byte stores are several times cheaper. */
typedef uint64_t zero16 __attribute__((vector_size(16), aligned(1), may_alias));
#define ZERO_FROM offsetof(hy_pkt, anom)
#define ZERO_SPAN (sizeof(hy_pkt) - ZERO_FROM)
#define ZERO_AT(i)                                                                                 \
    do {                                                                                           \
        if ((i)*16 + 16 <= ZERO_SPAN)                                                              \
            *(zero16 *)(z + (i)*16) = (zero16){0, 0};                                              \
    } while (0)

static inline void zero_decoded(hy_pkt *p)
{
    _Static_assert(ZERO_SPAN <= 16 * 16, "hy_pkt grew: add ZERO_AT lines");
    uint8_t *z = (uint8_t *)p + ZERO_FROM;
    ZERO_AT(0);
    ZERO_AT(1);
    ZERO_AT(2);
    ZERO_AT(3);
    ZERO_AT(4);
    ZERO_AT(5);
    ZERO_AT(6);
    ZERO_AT(7);
    ZERO_AT(8);
    ZERO_AT(9);
    ZERO_AT(10);
    ZERO_AT(11);
    ZERO_AT(12);
    ZERO_AT(13);
    ZERO_AT(14);
    ZERO_AT(15);
    memset(z + ZERO_SPAN - ZERO_SPAN % 16, 0, ZERO_SPAN % 16);
}

/* Cuts a span [at, at+len) at end, the end of the bytes present. */
static inline void clamp_span(const uint8_t *end, const uint8_t *at, uint32_t *len)
{
    if (at && at + *len > end)
        *len = at < end ? (uint32_t)(end - at) : 0;
}

hy_anom hy_decode(hy_pkt *p, hy_decode_stats *st)
{
    zero_decoded(p);
    dctx c = {.d = p->data, .len = p->data ? p->caplen : 0};
    c.have = p->have && p->have < c.len ? p->have : c.len;
    hy_anom a;
    if (c.len == 0)
        a = HY_ANOM_ZERO_LEN;
    else
        a = dec_link(p, &c);
    if (a == HY_ANOM_NONE && c.snap)
        a = HY_ANOM_SNAPLEN;
    p->anom = a;
    if (c.have < c.len) {
        const uint8_t *end = p->data + c.have;
        clamp_span(end, p->l3, &p->l3_len);
        clamp_span(end, p->l4, &p->l4_len);
        clamp_span(end, p->payload, &p->payload_len);
    }
    if (st)
        count(st, p, &c);
    return a;
}

void hy_decode_stats_add(hy_decode_stats *a, const hy_decode_stats *b)
{
    a->packets += b->packets;
    a->bytes += b->bytes;
    a->ip4 += b->ip4;
    a->ip6 += b->ip6;
    a->tcp += b->tcp;
    a->udp += b->udp;
    a->icmp += b->icmp;
    a->icmp6 += b->icmp6;
    a->other_l4 += b->other_l4;
    a->frags += b->frags;
    for (int i = 0; i < HY_ANOM__COUNT; i++)
        a->anom[i] += b->anom[i];
}

/* Dotted quad of a[0..4) at p, NUL-terminated; returns the NUL. */
static char *dotted4(const uint8_t *a, char *p)
{
    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = '.';
    }
    p[-1] = '\0';
    return p - 1;
}

/* The longest run of at least two zero words (the first of equals); *len 0
 * when there is none. */
static int zero_run(const uint16_t w[8], int *len)
{
    int best = -1, blen = 0;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > blen) {
            best = i;
            blen = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    *len = blen >= 2 ? blen : 0;
    return blen >= 2 ? best : -1;
}

/* RFC 5952 text of an IPv6 address, as glibc's inet_ntop writes it (the
 * longest zero run as "::", lowercase hex without leading zeros, and the
 * IPv4-compatible and -mapped forms ::a.b.c.d and ::ffff:a.b.c.d); by hand,
 * since inet_ntop formats each word with sprintf (5,000 instructions an
 * address). fuzz_decode compares the two. */
static void format6(const uint8_t a[16], char *p)
{
    static const char hex[] = "0123456789abcdef";
    uint16_t w[8];
    int len, base;
    for (int i = 0; i < 8; i++)
        w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
    base = zero_run(w, &len);
    for (int i = 0; i < 8; i++) {
        if (base >= 0 && i >= base && i < base + len) {
            if (i == base)
                *p++ = ':';
            continue;
        }
        if (i != 0)
            *p++ = ':';
        if (i == 6 && base == 0 && (len == 6 || (len == 5 && w[5] == 0xffff))) {
            dotted4(a + 12, p);
            return;
        }
        for (int sh = 12; sh >= 0; sh -= 4)
            if ((w[i] >> sh) || sh == 0)
                *p++ = hex[(w[i] >> sh) & 15];
    }
    if (base >= 0 && base + len == 8)
        *p++ = ':';
    *p = '\0';
}

void hy_addr_format(uint8_t ip_version, const uint8_t addr[16], char out[46])
{
    out[0] = '\0';
    if (ip_version == 4) /* by hand: glibc's inet_ntop goes through sprintf */
        dotted4(addr, out);
    else if (ip_version == 6)
        format6(addr, out);
}
