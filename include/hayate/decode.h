/* hayate: packet decoders. A hy_pkt is a decoded view into the capture
 * buffer: no bytes are copied. Every read goes through hy_rd_* bounds checks;
 * malformed input sets an anomaly reason and never reads out of bounds. */
#ifndef HAYATE_DECODE_H
#define HAYATE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "limits.h"

/* Link types we decode (values are libpcap DLT_/LINKTYPE_ numbers). */
#define HY_LINK_NULL 0       /* BSD loopback, host byte order family */
#define HY_LINK_ETHERNET 1
#define HY_LINK_RAW 101      /* LINKTYPE_RAW: raw IPv4/IPv6 */
#define HY_LINK_LOOP 108     /* OpenBSD loopback, network byte order */
#define HY_LINK_SLL 113      /* Linux cooked v1 */
#define HY_LINK_IPV4 228
#define HY_LINK_IPV6 229
#define HY_LINK_SLL2 276     /* Linux cooked v2 */
#define HY_LINK_DLT_RAW 12   /* DLT_RAW on most BSDs/Linux pcap headers */
#define HY_LINK_DLT_RAW14 14 /* DLT_RAW on OpenBSD */

/* Why a packet could not be fully decoded. Counted per reason. */
#define HY_ANOM_LIST(X)                                                    \
    X(NONE, "ok")                                                          \
    X(ZERO_LEN, "zero-length frame")                                       \
    X(LINKTYPE, "unsupported link type")                                   \
    X(TRUNC_LINK, "truncated link header")                                 \
    X(TRUNC_VLAN, "truncated 802.1Q tag")                                  \
    X(VLAN_DEPTH, "too many VLAN tags")                                    \
    X(NON_IP, "not IP (ARP, LLDP, ...)")                                   \
    X(TRUNC_IP4, "truncated IPv4 header")                                  \
    X(IP4_VERSION, "IPv4 header with wrong version")                       \
    X(IP4_IHL, "IPv4 IHL below 5 or beyond the packet")                    \
    X(IP4_LEN, "IPv4 total length inconsistent")                           \
    X(IP4_OPT, "malformed IPv4 option")                                    \
    X(TRUNC_IP6, "truncated IPv6 header")                                  \
    X(IP6_VERSION, "IPv6 header with wrong version")                       \
    X(IP6_EXT, "truncated or malformed IPv6 extension header")             \
    X(IP6_EXT_LOOP, "too many IPv6 extension headers")                     \
    X(TRUNC_TCP, "truncated TCP header")                                   \
    X(TCP_OFF, "TCP data offset below 5 or beyond the packet")             \
    X(TCP_OPT, "malformed TCP option")                                     \
    X(TRUNC_UDP, "truncated UDP header")                                   \
    X(UDP_LEN, "UDP length inconsistent")                                  \
    X(TRUNC_ICMP, "truncated ICMP header")                                 \
    X(TRUNC_ICMP6, "truncated ICMPv6 header")                              \
    X(SNAPLEN, "payload cut by snaplen")

typedef enum hy_anom {
#define HY__ANOM_ENUM(name, text) HY_ANOM_##name,
    HY_ANOM_LIST(HY__ANOM_ENUM)
#undef HY__ANOM_ENUM
    HY_ANOM__COUNT
} hy_anom;

/* Short name ("trunc_tcp") and description of an anomaly. */
const char *hy_anom_name(hy_anom a);
const char *hy_anom_text(hy_anom a);

/* TCP flag bits as on the wire. */
#define HY_TCP_FIN 0x01
#define HY_TCP_SYN 0x02
#define HY_TCP_RST 0x04
#define HY_TCP_PSH 0x08
#define HY_TCP_ACK 0x10
#define HY_TCP_URG 0x20
#define HY_TCP_ECE 0x40
#define HY_TCP_CWR 0x80

/* Which TCP options were seen (hy_tcp_opts.present bits). */
#define HY_TCPOPT_MSS 0x01
#define HY_TCPOPT_WSCALE 0x02
#define HY_TCPOPT_SACK_PERM 0x04
#define HY_TCPOPT_SACK 0x08
#define HY_TCPOPT_TS 0x10

typedef struct hy_tcp_opts {
    uint8_t present;
    uint8_t wscale;
    uint8_t sack_blocks;
    uint16_t mss;
    uint32_t ts_val, ts_ecr;
    uint32_t sack[HY_MAX_TCP_SACK_BLOCKS][2];
} hy_tcp_opts;

typedef struct hy_pkt {
    /* Set by the source before decoding. */
    uint64_t ts_ns;   /* event time, ns since the epoch */
    uint64_t seq;     /* index of the packet in the whole input, from 0 */
    const uint8_t *data;
    uint32_t caplen, wirelen;
    int linktype;
    /* Bytes of data present, when fewer than caplen (0: all caplen): with
     * more than one thread the pipeline hands workers only the headers
     * (hy_shard_hash's keep), and the decoder then works as if the capture held
     * caplen bytes, reading only inside the first `have`; the spans below
     * end there. (Engines get the spans empty, l3/l4/payload pointers kept:
     * the decoded fields are theirs, the bytes are not.) */
    uint32_t have;

    /* Set by hy_decode. Fields of layers not reached stay zero. */
    hy_anom anom;     /* first problem met; NONE when fully decoded */
    uint8_t vlan_count;
    uint16_t vlan[HY_MAX_VLAN_TAGS]; /* VLAN IDs, outermost first */
    uint16_t ethertype;              /* after VLAN tags */

    uint8_t ip_version;              /* 0 (no IP), 4 or 6 */
    uint8_t src[16], dst[16];        /* IPv4 uses the first 4 bytes, rest 0 */
    uint8_t proto;                   /* L4 protocol after IPv6 ext headers */
    uint8_t ttl;                     /* TTL / hop limit */
    uint8_t tos;                     /* TOS / traffic class */
    uint16_t ip_id;                  /* IPv4 ID (low 16 bits of v6 frag id) */
    uint32_t frag_id;                /* IPv6 fragment identification */
    uint16_t frag_off;               /* fragment offset in bytes */
    bool is_frag;                    /* part of a fragmented datagram */
    bool more_frags;                 /* MF set */
    bool dont_frag;                  /* DF set (IPv4) */
    bool has_ip_opts;                /* IPv4 options present */
    uint8_t ip6_ext_count;           /* extension headers walked */
    uint16_t ip_len;                 /* IP total length from the header */

    uint16_t sport, dport;           /* TCP/UDP ports; ICMP: 0 */
    uint32_t tcp_seq, tcp_ack;
    uint8_t tcp_flags;
    uint16_t tcp_win;
    hy_tcp_opts tcp_opts;
    uint8_t icmp_type, icmp_code;    /* ICMP and ICMPv6 */

    const uint8_t *l3, *l4, *payload;
    uint32_t l3_len, l4_len;         /* bytes present from that layer on */
    uint32_t payload_len;            /* bytes present in the capture */
    uint32_t payload_wire_len;       /* bytes the IP length says exist */
} hy_pkt;

typedef struct hy_decode_stats {
    uint64_t packets, bytes;
    uint64_t ip4, ip6, tcp, udp, icmp, icmp6, other_l4, frags;
    uint64_t anom[HY_ANOM__COUNT]; /* anom[HY_ANOM_NONE]: fully decoded */
} hy_decode_stats;

/* Decodes p->data[0..caplen) of p->linktype into p's fields, stopping at the
 * first problem (recorded in p->anom; earlier layers stay decoded). Updates
 * st if not NULL. Never reads outside [data, data+have) (have: p->have when
 * set and below caplen, else caplen); given at least the keep bytes of hy_shard_hash it
 * decodes every field as it would with all caplen bytes. */
hy_anom hy_decode(hy_pkt *p, hy_decode_stats *st);

/* Adds b's counters into a. */
void hy_decode_stats_add(hy_decode_stats *a, const hy_decode_stats *b);

/* Formats an address of p (v4 or v6) as text into out (>= 46 bytes). */
void hy_addr_format(uint8_t ip_version, const uint8_t addr[16], char out[46]);

#endif
