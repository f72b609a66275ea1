#include "net/shard.h"

#include <string.h>

#include "core/bytes.h"
#include "hayate/decode.h"
#include "net/ip6.h"

/* Ethernet header plus an IPv6 header: the fast path needs this much. */
#define ETH_IP6_MIN (14u + 40u)

/* Offset of the IP header and the outer VLAN id for the link types hy_decode
 * knows; false when the frame is not IP or too short. *ver: the IP version
 * the decoder will take it for (4 or 6 from the EtherType, 0: the version
 * nibble decides, -1: the decoder decides otherwise, by the loopback header's
 * address family). */
static bool shard_l3(int linktype, const uint8_t *d, uint32_t len, uint32_t *off, uint16_t *vlan,
                     int *ver)
{
    uint16_t et = 0, tci;
    uint32_t o = 0, fam;

    switch (linktype) {
    case HY_LINK_ETHERNET:
        o = 12;
        if (!hy_rd_u16be(d, len, o, &et))
            return false;
        for (int tags = 0; (et == 0x8100 || et == 0x88a8 || et == 0x9100); tags++) {
            if (tags >= HY_MAX_VLAN_TAGS || !hy_rd_u16be(d, len, o + 2, &tci) ||
                !hy_rd_u16be(d, len, o + 4, &et))
                return false;
            if (tags == 0)
                *vlan = tci & 0x0fff;
            o += 4;
        }
        o += 2;
        break;
    case HY_LINK_SLL:
        if (!hy_rd_u16be(d, len, 14, &et))
            return false;
        o = 16;
        break;
    case HY_LINK_SLL2:
        if (!hy_rd_u16be(d, len, 0, &et))
            return false;
        o = 20;
        break;
    case HY_LINK_NULL:
    case HY_LINK_LOOP:
        if (!hy_rd_u32be(d, len, 0, &fam))
            return false;
        *off = 4;
        *ver = -1;
        return true;
    case HY_LINK_RAW:
    case HY_LINK_DLT_RAW:
    case HY_LINK_DLT_RAW14:
    case HY_LINK_IPV4:
    case HY_LINK_IPV6:
        *off = 0;
        *ver = 0;
        return true;
    default:
        return false;
    }
    *off = o;
    *ver = et == 0x0800 ? 4 : 6;
    return et == 0x0800 || et == 0x86dd;
}

/* End of what the decoder reads of a transport header of proto at l4. */
static inline __attribute__((always_inline)) uint32_t keep_l4(const uint8_t *d, uint32_t len,
                                                              uint32_t l4, uint8_t proto)
{
    uint8_t doff;
    switch (proto) {
    case 6: /* TCP: the fixed header, then options up to the data offset */
        if (!hy_rd_u8(d, len, l4 + 12, &doff))
            return len;
        return l4 + ((doff >> 4) * 4u > 20u ? (doff >> 4) * 4u : 20u);
    case 17: /* UDP */
    case 1:  /* ICMP: type and code in the first 8 bytes */
    case 58: /* ICMPv6 */
        return l4 + 8;
    default:
        return l4;
    }
}

/* End of what the decoder reads of an IP packet at o (ver as shard_l3 gives
 * it), at most len; len when that is not known cheaply (extension headers,
 * loopback). */
static uint32_t keep_ip(const uint8_t *d, uint32_t len, uint32_t o, int ver)
{
    uint8_t h[20];
    uint32_t k = len;
    if (ver < 0 || !hy_rd_bytes(d, len, o, h, sizeof h))
        return len;
    if (ver == 0)
        ver = h[0] >> 4 == 4 ? 4 : h[0] >> 4 == 6 ? 6 : -1;
    if (ver == 4) {
        uint32_t ihl = (h[0] & 15u) * 4u;
        if (ihl < 20)
            k = o + 20;
        else if ((h[6] & 0x1fu) || h[7]) /* a later fragment: no transport header */
            k = o + ihl;
        else
            k = keep_l4(d, len, o + ihl, h[9]);
    } else if (ver == 6 && !hy__ip6_is_ext(h[6]))
        k = keep_l4(d, len, o + 40, h[6]);
    return k < len ? k : len;
}

static uint32_t mix32(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

/* Order-independent combination of the two endpoint words. */
static uint64_t sym(uint64_t a, uint64_t b)
{
    return (a < b) ? a * 0x9e3779b97f4a7c15ULL + b : b * 0x9e3779b97f4a7c15ULL + a;
}

uint32_t hy__shard_hash_general(int linktype, const uint8_t *d, uint32_t len, uint32_t *keep)
{
    uint32_t o = 0;
    uint16_t vlan = 0;
    uint8_t vb, proto;
    uint64_t a = 0, b = 0;
    int ver = 0;

    *keep = len;
    if (!shard_l3(linktype, d, len, &o, &vlan, &ver))
        return 0;
    *keep = keep_ip(d, len, o, ver);
    if (!hy_rd_u8(d, len, o, &vb))
        return 0;
    /* Addresses in native byte order: the hash only has to be symmetric and
     * the same for every packet of a pair, and one bounds-checked copy of the
     * header costs far fewer instructions than field-by-field reads. */
    if ((vb >> 4) == 4) {
        uint8_t h[20];
        uint32_t s, t;
        if (!hy_rd_bytes(d, len, o, h, sizeof h))
            return 0;
        proto = h[9];
        memcpy(&s, h + 12, 4), memcpy(&t, h + 16, 4);
        a = s;
        b = t;
    } else if ((vb >> 4) == 6) {
        uint8_t h[40];
        uint64_t s0, s1, t0, t1;
        if (!hy_rd_bytes(d, len, o, h, sizeof h))
            return 0;
        memcpy(&s0, h + 8, 8), memcpy(&s1, h + 16, 8), memcpy(&t0, h + 24, 8),
            memcpy(&t1, h + 32, 8);
        a = s0 ^ (s1 * 0x9e3779b97f4a7c15ULL);
        b = t0 ^ (t1 * 0x9e3779b97f4a7c15ULL);
        proto = 0; /* IPv6 ext headers may hide the L4 protocol: leave it out */
    } else {
        return 0;
    }
    return mix32(sym(a, b) ^ ((uint64_t)vlan << 48) ^ ((uint64_t)proto << 40) ^ (vb >> 4));
}

/* The usual frame in one pass: untagged Ethernet, then IPv4 (not a later
 * fragment) or IPv6 without extension headers, with the whole IP header and
 * 20 more bytes captured. Gives what hy__shard_hash_general gives; false
 * for anything else. */
static inline bool shard_fast(const uint8_t *d, uint32_t len, uint32_t *hash, uint32_t *keep)
{
    if (len < ETH_IP6_MIN)
        return false;
    const uint8_t *h = d + 14;
    uint32_t et = (uint32_t)d[12] << 8 | d[13], l4;
    uint8_t proto, vn = h[0] >> 4;
    uint64_t a, b;
    if (et == 0x0800 && vn == 4) {
        uint32_t ihl = (h[0] & 15u) * 4u, s, t;
        if (ihl < 20 || (h[6] & 0x1fu) || h[7])
            return false;
        proto = h[9];
        memcpy(&s, h + 12, 4), memcpy(&t, h + 16, 4);
        a = s, b = t;
        l4 = 14 + ihl;
        *hash = mix32(sym(a, b) ^ ((uint64_t)proto << 40) ^ 4u);
    } else if (et == 0x86dd && vn == 6 && !hy__ip6_is_ext(h[6])) {
        uint64_t s0, s1, t0, t1;
        memcpy(&s0, h + 8, 8), memcpy(&s1, h + 16, 8), memcpy(&t0, h + 24, 8),
            memcpy(&t1, h + 32, 8);
        a = s0 ^ (s1 * 0x9e3779b97f4a7c15ULL);
        b = t0 ^ (t1 * 0x9e3779b97f4a7c15ULL);
        proto = h[6];
        l4 = 14 + 40;
        *hash = mix32(sym(a, b) ^ 6u);
    } else {
        return false;
    }
    uint32_t k = keep_l4(d, len, l4, proto);
    *keep = k < len ? k : len;
    return true;
}

bool hy__shard_fast(const uint8_t *d, uint32_t len, uint32_t *hash, uint32_t *keep)
{
    return shard_fast(d, len, hash, keep);
}

uint32_t hy_shard_hash(int linktype, const uint8_t *d, uint32_t len, uint32_t *keep)
{
    uint32_t h;
    if (linktype == HY_LINK_ETHERNET && shard_fast(d, len, &h, keep))
        return h;
    return hy__shard_hash_general(linktype, d, len, keep);
}
