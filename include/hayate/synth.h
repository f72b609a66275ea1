/* hayate: a seeded, deterministic generator of realistic mixed traffic,
 * written as a classic libpcap file. Many clients (10.x.y.z, 2001:db8::/32)
 * talk to fewer servers with Zipf-like popularity: TCP with a full
 * handshake, options, bidirectional data and FIN or RST teardown (HTTP, TLS,
 * SSH and other payloads), UDP (DNS to port 53, NTP, QUIC-like, RTP) and
 * ICMP echo. Flows overlap in time; memory holds only the active flows. The
 * same configuration gives a byte-identical file on the same platform. */
#ifndef HAYATE_SYNTH_H
#define HAYATE_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HY_SYNTH_LINKTYPE_ETHERNET 1
#define HY_SYNTH_LINKTYPE_RAW      101                    /* raw IPv4/IPv6, no link header */
#define HY_SYNTH_START_NS          1704067200000000000ull /* 2024-01-01T00:00:00Z */
#define HY_SYNTH_MAX_HOSTS         (4u << 20)
#define HY_SYNTH_MAX_SERVERS       1000000u

/* Called every 65536 packets: packets written so far, the target, and the
 * packet count again (matches the CLI progress-bar callback). */
typedef void (*hy_synth_progress_fn)(void *ud, uint64_t done, uint64_t total, uint64_t packets);

typedef struct hy_synth_cfg {
    uint64_t seed;
    uint64_t flows;                      /* flows to start (distinct 5-tuples) */
    uint64_t packets;                    /* target total; generation stops when reached */
    double duration_s;                   /* time span of the capture */
    uint32_t hosts;                      /* client hosts */
    uint32_t servers;                    /* server hosts (DNS resolvers come on top) */
    uint64_t start_ns;                   /* time of the first flow, Unix ns */
    int linktype;                        /* HY_SYNTH_LINKTYPE_ETHERNET or _RAW */
    unsigned tcp_pct, udp_pct, icmp_pct; /* flow mix; must sum to 100 */
    uint16_t vlan;                       /* 802.1Q VLAN id on every frame; 0 = untagged */
    unsigned ipv6_pct;                   /* share of flows over IPv6, 0..100 */
    uint32_t snaplen;                    /* frames are cut to this many bytes; >= 64 */
    bool nsec;                           /* nanosecond pcap (magic a1b23c4d) instead of usec */
    hy_synth_progress_fn progress;       /* optional */
    void *progress_ud;
} hy_synth_cfg;

typedef struct hy_synth_stats {
    uint64_t packets;           /* records written */
    uint64_t flows;             /* flows started */
    uint64_t bytes;             /* sum of wire lengths */
    uint64_t first_ns, last_ns; /* first and last record time as written */
    uint64_t tcp_flows, udp_flows, icmp_flows, ipv6_flows;
} hy_synth_stats;

/* Fills cfg with defaults: seed 1, 1000 flows, 50000 packets, 60 s, 1000
 * hosts, 200 servers, start 2024-01-01T00:00:00Z, Ethernet, 80/15/5 % mix,
 * no VLAN, 10 % IPv6, snaplen 65535, microsecond timestamps. */
void hy_synth_cfg_default(hy_synth_cfg *cfg);

/* Writes the traffic described by cfg to path ("-" is stdout) and, when
 * st_out is set, what was written. Invalid settings give HY_ERR_ARG, an
 * unsupported linktype HY_ERR_UNSUPPORTED, write failures HY_ERR_IO. A file
 * left by a failed run is incomplete. */
hy_err hy_synth_traffic(const hy_synth_cfg *cfg, const char *path, hy_synth_stats *st_out);

#ifdef __cplusplus
}
#endif
#endif
