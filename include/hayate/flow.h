/* hayate: bidirectional flow table. Flows are keyed by a symmetric 5-tuple
 * plus the outer VLAN; the first packet's sender is the client ("toserver").
 * Time is event time from packets and ticks, never the wall clock. */
#ifndef HAYATE_FLOW_H
#define HAYATE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "decode.h"
#include "error.h"

typedef enum hy_tcp_state {
    HY_TCP_NONE = 0,   /* not TCP */
    HY_TCP_NEW,        /* first packet was not a SYN */
    HY_TCP_SYN_SENT,
    HY_TCP_SYN_RECV,   /* SYN-ACK seen */
    HY_TCP_ESTABLISHED,
    HY_TCP_CLOSING,    /* FIN seen in one direction */
    HY_TCP_CLOSED      /* FIN both ways, or RST */
} hy_tcp_state;

typedef enum hy_flow_end {
    HY_FLOW_END_IDLE = 0,   /* idle timeout */
    HY_FLOW_END_ACTIVE,     /* active timeout: long flow cut */
    HY_FLOW_END_TCP_CLOSED, /* FIN/RST, after the closed linger */
    HY_FLOW_END_EVICTED,    /* flow cap reached: oldest evicted */
    HY_FLOW_END_SHUTDOWN    /* input ended */
} hy_flow_end;

typedef struct hy_flow_dir {
    uint64_t pkts, bytes, payload_bytes;
    uint32_t len_min, len_max; /* IP-layer packet length (wire length if no IP) */
    double len_sum, len_sumsq;
    uint8_t tcp_flags;         /* OR of all flags this direction */
} hy_flow_dir;

typedef struct hy_flow {
    /* Identity: as first seen (src = client). */
    uint8_t ip_version, proto;
    uint16_t vlan;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint32_t hash;             /* symmetric hash of the key */

    uint64_t first_ns, last_ns;
    uint64_t first_seq;        /* seq of the first packet: stable flow id */
    hy_flow_dir dir[2];        /* 0: toserver (client→server), 1: toclient */
    /* Inter-arrival times across both directions, nanoseconds. */
    uint64_t iat_n;
    uint64_t iat_min, iat_max;
    double iat_sum, iat_sumsq;
    /* TCP */
    hy_tcp_state tcp_state;
    uint64_t closed_ns;        /* when it reached CLOSED */
    uint32_t flag_count[8];    /* packets carrying each flag bit (FIN..CWR) */
    /* Sizes of the first payload-carrying packets; negative = toclient. */
    int32_t first_payloads[HY_FLOW_FIRST_PAYLOADS];
    uint8_t first_payload_n;
    hy_flow_end end;
    char community_id[40];     /* "1:" + base64 SHA-1, filled at export */
} hy_flow;

typedef struct hy_flow_cfg {
    size_t max_flows;          /* cap; oldest (by last packet) evicted beyond */
    uint64_t idle_ns, active_ns, tcp_closed_ns;
    uint16_t community_seed;
} hy_flow_cfg;

/* Called for each flow leaving the table. The flow is only valid during the
 * call. */
typedef void (*hy_flow_out_fn)(void *ud, const hy_flow *f);

typedef struct hy_flow_table hy_flow_table;

typedef struct hy_flow_stats {
    uint64_t created, exported, evicted, active;
    uint64_t no_ports_frags;   /* later fragments whose first was not seen */
} hy_flow_stats;

/* Fills cfg with defaults from limits.h. */
void hy_flow_cfg_default(hy_flow_cfg *cfg);

hy_err hy_flow_table_create(const hy_flow_cfg *cfg, hy_flow_out_fn out, void *ud,
                            hy_flow_table **tp);
/* Exports nothing; frees all. Call hy_flow_table_flush first to export. */
void hy_flow_table_destroy(hy_flow_table *t);

/* Accounts one decoded packet to its flow (creating it; evicting the oldest
 * flow when full). Packets without IP are ignored. Later IP fragments are
 * matched to the ports of their first fragment. Returns the flow or NULL. */
const hy_flow *hy_flow_table_update(hy_flow_table *t, const hy_pkt *p);

/* Exports flows idle, over their active time, or closed, as of now_ns, in
 * ascending first_seq order. */
void hy_flow_table_expire(hy_flow_table *t, uint64_t now_ns);

/* Exports every flow (end = SHUTDOWN) in ascending first_seq order. */
void hy_flow_table_flush(hy_flow_table *t);

void hy_flow_table_stats(const hy_flow_table *t, hy_flow_stats *st);

/* Community ID v1 of a flow key (from the Corelight spec) into out, e.g.
 * "1:LQU9qZlK+B5F3KDmev6m5PMibrg=". Ports of ICMP carry type/code per spec. */
void hy_community_id(uint16_t seed, uint8_t ip_version, uint8_t proto,
                     const uint8_t src[16], const uint8_t dst[16],
                     uint16_t sport, uint16_t dport, char out[40]);

/* Appends f as one Suricata-style EVE line (event_type "flow", no newline). */
hy_err hy_flow_to_eve(const hy_flow *f, hy_buf *out);

#endif
