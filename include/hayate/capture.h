/* hayate: packet sources over libpcap: a pcap or pcapng file (microsecond or
 * nanosecond), a directory of captures (merged in time order), stdin ("-"),
 * or a live interface with a BPF filter and snaplen. */
#ifndef HAYATE_CAPTURE_H
#define HAYATE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include "error.h"
#include "store.h"

typedef struct hy_source hy_source;

typedef struct hy_source_cfg {
    const char *bpf;      /* filter expression or NULL */
    int snaplen;          /* live only; default 262144 */
    bool promisc;         /* live only */
    int timeout_ms;       /* live only: read timeout (ticks advance by wall clock) */
} hy_source_cfg;

/* One packet as read: data valid until the next hy_source_next. */
typedef struct hy_raw_pkt {
    uint64_t ts_ns;
    const uint8_t *data;
    uint32_t caplen, wirelen;
    int linktype;
} hy_raw_pkt;

/* Opens a file, a directory (all captures in it, merged by timestamp), or
 * "-" for stdin. A file that is not a capture fails with HY_ERR_FORMAT and a
 * detail naming it and the reason. */
hy_err hy_source_open_offline(const char *path, const hy_source_cfg *cfg, hy_source **out);

/* Opens a live interface. Unknown or forbidden interfaces fail with
 * HY_ERR_CAPTURE naming the interface and libpcap's reason. */
hy_err hy_source_open_live(const char *ifname, const hy_source_cfg *cfg, hy_source **out);

/* Next packet: HY_OK, HY_ERR_AGAIN (live: read timeout, no packet),
 * HY_ERR_CLOSED (end of input or hy_source_break), or an error. A truncated
 * file ends with HY_ERR_CLOSED and stats.truncated set; its detail string
 * says where it stopped. */
hy_err hy_source_next(hy_source *s, hy_raw_pkt *pkt);

/* Called by hy_source_dispatch for each packet; pkt and its data are valid
 * only during the call. A result other than HY_OK stops the read. */
typedef hy_err (*hy_source_pkt_fn)(void *ud, const hy_raw_pkt *pkt);

/* Offline sources: reads up to max (>= 1) packets, calling fn for each, in
 * one call into libpcap (pcap_dispatch) rather than one a packet. Gives the
 * packets, statistics, warnings and results hy_source_next gives: HY_OK
 * when at least one packet was read or more may follow, HY_ERR_CLOSED at
 * the end of input (a truncated file as hy_source_next says), fn's first
 * error (the rest of that call's packets are then skipped), or an error.
 * hy_source_break takes effect between calls. Live sources: HY_ERR_ARG. */
hy_err hy_source_dispatch(hy_source *s, int max, hy_source_pkt_fn fn, void *ud);

/* Asks a blocking live read to return (async-signal-safe). */
void hy_source_break(hy_source *s);

/* True for live sources (wall-clock ticks, drops allowed). */
bool hy_source_is_live(const hy_source *s);

/* Bytes consumed and total size (offline files; total 0 when unknown), for
 * progress bars. */
void hy_source_progress(const hy_source *s, uint64_t *done, uint64_t *total);

/* Fills st (kernel drops via pcap_stats for live sources). */
void hy_source_stats(hy_source *s, hy_capture_stats *st);

/* Warning text about the last file, e.g. a truncation position; "" if none. */
const char *hy_source_warning(const hy_source *s);

void hy_source_close(hy_source *s);

#endif
