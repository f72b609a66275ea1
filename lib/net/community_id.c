/* Community ID v1 (Corelight spec): SHA-1 over
 *   seed(2) . addr_lo . addr_hi . proto(1) . pad 0(1) [. port_lo(2) . port_hi(2)]
 * all in network byte order, with the endpoints ordered so the smaller
 * (address, port) pair comes first, rendered as "1:" + base64(digest).
 * ICMP type/code become ports as Zeek maps them; one-way ICMP types are never
 * reordered. Protocols without ports hash the address pair only. */
#include "hayate/flow.h"

#include <string.h>

#include "net/community_id.h"

#define HY__CID_MAX_INPUT (2 + 16 + 16 + 2 + 4)

/* Request/response type pairs (after Zeek): ICMP echo, router solicitation
 * and advertisement, timestamp, information, address mask; ICMPv6 echo, MLD
 * query/report, router and neighbour discovery, node information, home agent
 * address discovery. */
static const uint8_t icmp4_pairs[][2] = {{8, 0}, {10, 9}, {13, 14}, {15, 16}, {17, 18}};
static const uint8_t icmp6_pairs[][2] = {{128, 129}, {130, 131}, {133, 134},
                                         {135, 136}, {139, 140}, {144, 145}};

bool hy__icmp_ports(uint8_t proto, uint8_t type, uint8_t code, uint16_t *sport, uint16_t *dport)
{
    const uint8_t(*pairs)[2] = proto == 1 ? icmp4_pairs : icmp6_pairs;
    size_t n = proto == 1    ? sizeof icmp4_pairs / sizeof icmp4_pairs[0]
               : proto == 58 ? sizeof icmp6_pairs / sizeof icmp6_pairs[0]
                             : 0;

    *sport = type;
    *dport = code;
    for (size_t i = 0; i < n; i++) {
        if (pairs[i][0] == type || pairs[i][1] == type) {
            *dport = pairs[i][0] == type ? pairs[i][1] : pairs[i][0];
            return false;
        }
    }
    return true;
}

static bool has_ports(uint8_t proto)
{
    return proto == 1 || proto == 6 || proto == 17 || proto == 58 || proto == 132;
}

/* Builds the hashed byte string; returns its length (a multiple of 4). */
static size_t cid_input(uint8_t *in, uint16_t seed, uint8_t ipv, uint8_t proto,
                        const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
                        uint16_t dport)
{
    size_t alen = ipv == 6 ? 16 : 4, n = 0;
    bool one_way = false, ports = has_ports(proto);
    const uint8_t *a = src, *b = dst;
    uint16_t pa = sport, pb = dport;
    int c;

    if (proto == 1 || proto == 58)
        one_way = hy__icmp_ports(proto, (uint8_t)sport, (uint8_t)dport, &pa, &pb);
    c = memcmp(a, b, alen);
    if (!one_way && (c > 0 || (c == 0 && !(ports && pa < pb)))) {
        const uint8_t *ta = a;
        uint16_t tp = pa;
        a = b, b = ta;
        pa = pb, pb = tp;
    }
    in[n++] = (uint8_t)(seed >> 8);
    in[n++] = (uint8_t)seed;
    memcpy(in + n, a, alen);
    n += alen;
    memcpy(in + n, b, alen);
    n += alen;
    in[n++] = proto;
    in[n++] = 0;
    if (ports) {
        in[n++] = (uint8_t)(pa >> 8);
        in[n++] = (uint8_t)pa;
        in[n++] = (uint8_t)(pb >> 8);
        in[n++] = (uint8_t)pb;
    }
    return n;
}

static void cid_render(const uint8_t dig[20], char out[40])
{
    out[0] = '1';
    out[1] = ':';
    EVP_EncodeBlock((unsigned char *)out + 2, dig, 20); /* 28 chars + NUL */
}

void hy__community_id_ctx(EVP_MD_CTX *ctx, const EVP_MD *md, uint16_t seed, uint8_t ip_version,
                          uint8_t proto, const uint8_t src[16], const uint8_t dst[16],
                          uint16_t sport, uint16_t dport, char out[40])
{
    uint8_t in[HY__CID_MAX_INPUT], dig[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    size_t n = cid_input(in, seed, ip_version, proto, src, dst, sport, dport);
    bool ok;

    if (ctx && md)
        ok = EVP_DigestInit_ex2(ctx, md, NULL) && EVP_DigestUpdate(ctx, in, n) &&
             EVP_DigestFinal_ex(ctx, dig, &dlen);
    else
        ok = EVP_Digest(in, n, dig, &dlen, EVP_sha1(), NULL);
    if (!ok || dlen != 20) {
        out[0] = '\0'; /* the spec allows an empty ID when it cannot be computed */
        return;
    }
    cid_render(dig, out);
}

void hy_community_id(uint16_t seed, uint8_t ip_version, uint8_t proto, const uint8_t src[16],
                     const uint8_t dst[16], uint16_t sport, uint16_t dport, char out[40])
{
    hy__community_id_ctx(NULL, NULL, seed, ip_version, proto, src, dst, sport, dport, out);
}
