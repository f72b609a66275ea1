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

/* ---- hayate synth darknet: network-telescope traffic with ground truth.
 * Unsolicited packets to an unused prefix: background radiation with a
 * daily cycle over a Zipf mix of ports and sources, backscatter bursts
 * (replies to spoofed DoS), research scanners (ZMap, Masscan) and injected
 * outbreaks of coordinated scanning with a fingerprint. A truth JSON file
 * lists every event. Memory does not grow with the duration. */

#define HY_SYNTH_DN_MAX_OUTBREAKS 32
#define HY_SYNTH_DN_MAX_SCANNERS  64
#define HY_SYNTH_DN_MAX_BURSTS    64
#define HY_SYNTH_DN_MAX_HOSTS     20000u /* infected hosts of one outbreak */
#define HY_SYNTH_DN_MAX_VICTIMS   8u     /* victims of one backscatter burst */
#define HY_SYNTH_DN_MAX_DURATION  (400ull * 86400 * 1000000000ull)
#define HY_SYNTH_DN_MAX_RATE      1e6         /* packets/s of background */
#define HY_SYNTH_DN_PREFIX        0xc6120000u /* 198.18.0.0/15 (RFC 2544) */
#define HY_SYNTH_DN_PREFIX_LEN    15

/* Scanner fingerprints: MIRAI TCP seq == destination IPv4 address; ZMAP
 * IPv4 ID == 54321; MASSCAN IPv4 ID == (dst ^ dst_port ^ seq) & 0xffff. */
typedef enum hy_synth_fp {
    HY_SYNTH_FP_NONE = 0,
    HY_SYNTH_FP_MIRAI,
    HY_SYNTH_FP_ZMAP,
    HY_SYNTH_FP_MASSCAN
} hy_synth_fp;

/* What a DoS victim sends back to the spoofed addresses of a burst. */
typedef enum hy_synth_bs_reply {
    HY_SYNTH_BS_SYNACK = 0, /* SYN flood: SYN-ACK, then retransmissions */
    HY_SYNTH_BS_RST,        /* ACK / SYN-ACK flood: RST */
    HY_SYNTH_BS_UNREACH,    /* UDP flood: ICMP port unreachable from the victim */
    HY_SYNTH_BS_TTL         /* ICMP time exceeded from a router before the victim */
} hy_synth_bs_reply;

/* An outbreak: `hosts` infected hosts join linearly over `ramp_ns` from
 * start_ns (relative to the capture start) and probe proto/port until
 * start_ns + duration_ns, each about rate_ppm times a minute at the
 * telescope, all following one on/off pattern. */
typedef struct hy_synth_darknet_outbreak {
    uint8_t proto; /* 6 TCP or 17 UDP */
    uint16_t port;
    uint64_t start_ns, duration_ns, ramp_ns;
    uint32_t hosts;
    hy_synth_fp fp;  /* MIRAI and MASSCAN need TCP */
    double rate_ppm; /* 0: the default 4 */
} hy_synth_darknet_outbreak;

/* A research scanner sweeping the prefix in random order, one probe per
 * address, at rate_pps (0: exactly one sweep over duration_ns). */
typedef struct hy_synth_darknet_scanner {
    hy_synth_fp tool; /* ZMAP or MASSCAN */
    uint8_t proto;    /* 6, or 17 for ZMAP */
    uint16_t port;
    uint64_t start_ns, duration_ns;
    double rate_pps;
} hy_synth_darknet_scanner;

/* A backscatter burst: new replies at about rate_pps from `victims` hosts
 * whose service `port` is attacked. */
typedef struct hy_synth_darknet_burst {
    hy_synth_bs_reply reply;
    uint16_t port;
    uint64_t start_ns, duration_ns;
    double rate_pps;
    uint32_t victims; /* 1..HY_SYNTH_DN_MAX_VICTIMS */
} hy_synth_darknet_burst;

typedef struct hy_synth_darknet_cfg {
    uint64_t seed;
    uint64_t start_ns;        /* Unix ns of the capture start */
    uint64_t duration_ns;     /* 1 s .. HY_SYNTH_DN_MAX_DURATION */
    double rate_pps;          /* mean background packets/s (0 allowed) */
    uint32_t prefix;          /* telescope network address, host byte order */
    uint8_t prefix_len;       /* 8..32 */
    double daily_amplitude;   /* background daily swing, 0..0.9 (0.3: +-30 %) */
    double peak_hour;         /* UTC hour of the daily maximum */
    double endemic_mirai_pct; /* share of background from long-present Mirai bots */
    double scanners_per_day;  /* research scanners placed at random on top */
    double bursts_per_day;    /* backscatter bursts placed at random on top */
    uint32_t n_outbreaks, n_scanners, n_bursts;
    hy_synth_darknet_outbreak outbreak[HY_SYNTH_DN_MAX_OUTBREAKS];
    hy_synth_darknet_scanner scanner[HY_SYNTH_DN_MAX_SCANNERS];
    hy_synth_darknet_burst burst[HY_SYNTH_DN_MAX_BURSTS];
    char name[64];                 /* scenario label for the truth file, or "" */
    hy_synth_progress_fn progress; /* optional; total is the expected count */
    void *progress_ud;
} hy_synth_darknet_cfg;

typedef struct hy_synth_darknet_stats {
    uint64_t packets, bytes;
    uint64_t background, endemic; /* endemic Mirai is counted in background too */
    uint64_t outbreak, scanner, backscatter;
    uint64_t first_ns, last_ns;
    uint32_t events; /* outbreaks, scanners and bursts written to the truth */
} hy_synth_darknet_stats;

/* Fills cfg with defaults: seed 1, start 2024-01-01T00:00:00Z, 1 hour, 200
 * packets/s, 198.18.0.0/15, +-30 % daily swing peaking 15:00 UTC, no endemic
 * Mirai, 4 scanners and 3 bursts a day at random, no outbreak. */
void hy_synth_darknet_cfg_default(hy_synth_darknet_cfg *cfg);

/* Writes the telescope traffic of cfg to pcap_path ("-": stdout) as an
 * Ethernet pcap (microsecond timestamps) and, when truth_path is set, the
 * ground truth JSON there. Bad settings give HY_ERR_ARG with a detail,
 * write failures HY_ERR_IO. Same cfg, same bytes on one platform. */
hy_err hy_synth_darknet(const hy_synth_darknet_cfg *cfg, const char *pcap_path,
                        const char *truth_path, hy_synth_darknet_stats *st_out);

/* Preset scenario `index` of set `name` ("standard": three-day scenarios,
 * index 0 the quiet one; "demo": one short one) into out. Unknown names and
 * indexes past the end give HY_ERR_NOTFOUND. */
hy_err hy_synth_darknet_scenario(const char *name, unsigned index, hy_synth_darknet_cfg *out);

/* Scenarios in set name; 0 for an unknown name. */
unsigned hy_synth_darknet_scenario_count(const char *name);

/* Name of preset set i (0, 1, ...); NULL past the end. */
const char *hy_synth_darknet_scenario_set(unsigned i);

/* Parses an outbreak "proto/port,start,duration,hosts,ramp,fingerprint[,ppm]"
 * e.g. "tcp/2323,6h,3h,500,30m,mirai"; times as hy_synth_parse_span. */
hy_err hy_synth_darknet_parse_outbreak(const char *spec, hy_synth_darknet_outbreak *out);

/* Parses "A.B.C.D/LEN" (host bits must be zero, LEN 8..32). */
hy_err hy_synth_darknet_parse_prefix(const char *s, uint32_t *net, uint8_t *len);

/* Parses a time span: seconds ("90", "1.5") or numbers with units d, h, m,
 * s, ms, in sequence ("3d", "1h30m"); at most HY_SYNTH_DN_MAX_DURATION. */
hy_err hy_synth_parse_span(const char *s, uint64_t *ns);

/* "none", "mirai", "zmap", "masscan"; and back (HY_ERR_ARG if unknown). */
const char *hy_synth_fp_name(hy_synth_fp fp);
hy_err hy_synth_fp_parse(const char *s, hy_synth_fp *out);

#ifdef __cplusplus
}
#endif
#endif
