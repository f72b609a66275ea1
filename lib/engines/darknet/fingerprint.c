/* Scanner fingerprints, from the tools' published packet construction:
 *   Mirai:   the TCP sequence number of its SYN equals the destination IPv4
 *            address (the bot's scanner sets seq = daddr);
 *   ZMap:    the IPv4 identification is 54321 (ZMap's fixed IP ID);
 *   Masscan: the IPv4 identification equals (destination address xor
 *            destination port xor TCP sequence) & 0xffff (its SYN cookie).
 * Adding a fingerprint is one row here (at most DN_MAX_FP rows). */
#include "darknet_int.h"

static uint32_t dst4(const hy_pkt *p)
{
    return (uint32_t)p->dst[0] << 24 | (uint32_t)p->dst[1] << 16 | (uint32_t)p->dst[2] << 8 |
           p->dst[3];
}

static bool tcp4_syn(const hy_pkt *p)
{
    return p->ip_version == 4 && p->proto == 6 && p->l4 &&
           (p->tcp_flags & (HY_TCP_SYN | HY_TCP_ACK)) == HY_TCP_SYN;
}

static bool is_mirai(const hy_pkt *p)
{
    return tcp4_syn(p) && p->tcp_seq == dst4(p);
}

static bool is_zmap(const hy_pkt *p)
{
    return p->ip_version == 4 && p->ip_id == 54321;
}

static bool is_masscan(const hy_pkt *p)
{
    return tcp4_syn(p) && p->ip_id == ((dst4(p) ^ p->dport ^ p->tcp_seq) & 0xffff);
}

const dn_fp dn_fps[] = {
    {"mirai", "Mirai-like bot", is_mirai},
    {"zmap", "ZMap", is_zmap},
    {"masscan", "Masscan", is_masscan},
};
const size_t dn_nfps = sizeof dn_fps / sizeof dn_fps[0];

_Static_assert(sizeof dn_fps / sizeof dn_fps[0] <= DN_MAX_FP, "too many fingerprints");

uint8_t dn_fingerprint(const hy_pkt *p)
{
    uint8_t bits = 0;
    for (size_t i = 0; i < dn_nfps; i++)
        if (dn_fps[i].match(p))
            bits |= (uint8_t)(1u << i);
    return bits;
}
