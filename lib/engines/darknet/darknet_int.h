/* hayate internal: the darknet engine (docs/darknet.md).
 *
 * Shard instances classify and fingerprint each packet to the darknet and
 * add it to the aggregate of its time bin; at each tick they hand the bins
 * that closed to the global instance (partial/combine), which merges them,
 * runs the detectors bin by bin in time order and keeps one incident per
 * port. Every merge is a sum, a set union, a sketch merge or a bottom-k
 * selection, so the result does not depend on the number of shards. */
#ifndef HAYATE_DARKNET_INT_H
#define HAYATE_DARKNET_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "hayate/decode.h"
#include "hayate/engine.h"
#include "hayate/map.h"
#include "hayate/uset.h"

/* ---- classification (classify.c) ---- */

typedef enum { DN_SCAN, DN_BACKSCATTER, DN_OTHER, DN__CLASSES } dn_class;

typedef struct dn_prefix {
    uint8_t ipv, len; /* len in bits */
    uint8_t addr[16];
} dn_prefix;

typedef struct dn_prefixes {
    bool all;
    dn_prefix *v;
    size_t n;
} dn_prefixes;

/* Parses "all" or CIDRs (IPv4 and IPv6); HY_ERR_CONFIG naming the bad one. */
hy_err dn_prefixes_parse(const char *const *items, size_t n, dn_prefixes *out);
void dn_prefixes_free(dn_prefixes *p);
/* Whether p is addressed to the darknet. */
bool dn_prefixes_match(const dn_prefixes *d, const hy_pkt *p);

/* scan (TCP SYN, UDP, ICMP echo request), backscatter (SYN-ACK, RST, ICMP
 * errors and echo replies), or other. */
dn_class dn_classify(const hy_pkt *p);
const char *dn_class_name(dn_class c);

/* "tcp", "udp", "icmp", "icmp6" (else "ip"), and the inverse for a
 * "PROTO/PORT" key as the alerts and series name ports: false unless s is
 * exactly one of those names, '/', and a port 0..65535. */
const char *dn_proto_name(uint8_t proto);
bool dn_port_parse(const char *s, uint8_t *proto, uint16_t *port);

/* Scanner fingerprints: one table row each (fingerprint.c). */
#define DN_MAX_FP 8
typedef struct dn_fp {
    const char *name; /* "mirai" */
    const char *tool; /* "Mirai-like bot" */
    bool (*match)(const hy_pkt *p);
} dn_fp;
extern const dn_fp dn_fps[];
extern const size_t dn_nfps;
/* Bit i set when fingerprint i matches p. */
uint8_t dn_fingerprint(const hy_pkt *p);

/* ---- aggregates per time bin (agg.c) ---- */

#define DN_SAMPLE 8  /* sources kept per port: the smallest hashes */
#define DN_SUB    6  /* per-source counts per sixth of a bin (10 s of a minute) */
#define DN_KMV    16 /* ports kept per source: the smallest hashes */

typedef struct dn_addr {
    uint8_t ipv;
    uint8_t a[16];
} dn_addr;

typedef struct dn_port_agg {
    uint8_t cls, proto;
    uint16_t port;
    uint64_t packets;
    uint64_t fp_packets[DN_MAX_FP];
    hy_uset srcs, dsts;
    uint32_t nsample;
    uint64_t sample_h[DN_SAMPLE]; /* ascending */
    dn_addr sample[DN_SAMPLE];
} dn_port_agg;

typedef struct dn_src_agg {
    dn_addr addr;
    uint64_t packets, first_ns, last_ns;
    uint64_t scan_packets;   /* of packets, those classed scan */
    uint16_t sub[DN_SUB];    /* scan packets per sixth of the bin (saturating) */
    uint8_t fp_bits;
    uint64_t dst_min, dst_max; /* smallest and largest hash of its scan targets:
                                * equal when it aimed at one darknet address */
    uint32_t nports;
    uint64_t port_h[DN_KMV];  /* ascending */
    uint32_t port_v[DN_KMV];  /* proto << 16 | port */
} dn_src_agg;

typedef struct dn_bin {
    uint64_t index;          /* ts / bin_ns */
    hy_map *ports;           /* (cls, proto, port) -> dn_port_agg */
    hy_map *srcs;            /* dn_addr -> dn_src_agg */
    uint64_t packets[DN__CLASSES];
    uint64_t srcs_dropped;   /* sources past the per-bin cap */
    struct dn_bin *next;     /* list of bins in a part */
} dn_bin;

typedef struct dn_limits {
    uint32_t exact_cap;      /* distinct counts exact up to this */
    uint32_t max_sources;    /* per bin (per shard) */
    uint32_t max_ports;      /* per bin (per shard) */
    uint64_t bin_ns;         /* the bin's length */
} dn_limits;

hy_err dn_bin_create(uint64_t index, const dn_limits *lim, dn_bin **out);
void dn_bin_destroy(dn_bin *b);
/* Adds one darknet packet of class cls and fingerprint bits fp. */
hy_err dn_bin_add(dn_bin *b, const dn_limits *lim, const hy_pkt *p, dn_class cls, uint8_t fp);
/* Merges src into dst (same index). */
hy_err dn_bin_merge(dn_bin *dst, const dn_bin *src, const dn_limits *lim);
/* The port aggregates sorted by (cls, proto, port); *n entries; free() it. */
hy_err dn_bin_ports(const dn_bin *b, dn_port_agg ***out, size_t *n);
/* A count for one (proto, port). */
typedef struct dn_count {
    uint8_t proto;
    uint16_t port;
    uint32_t n;
} dn_count;

/* Sorts pv (proto << 16 | port values) and counts each distinct one into
 * *out (malloc'd, sorted by (proto, port), *nout entries; NULL when n 0). */
hy_err dn_count_ports(uint32_t *pv, size_t n, dn_count **out, size_t *nout);
/* Inserts (h, item) into the ascending bottom-k list hs/items (*n entries,
 * at most k, items of isz bytes); a hash already there is not added twice. */
void dn_bottom_k(uint64_t *hs, void *items, size_t isz, uint32_t *n, uint32_t k, uint64_t h,
                 const void *item);
/* Distinct (proto, port) pairs a source hit: exact below DN_KMV, else the
 * bottom-k estimate. */
uint64_t dn_src_ports(const dn_src_agg *s);

/* ---- detectors (detect.c) ---- */

typedef struct dn_detect_cfg {
    uint32_t history_bins;   /* per-port history kept (one day of bins) */
    uint32_t recent_bins;    /* baseline window (an hour) */
    double z;                /* robust z-score to fire */
    uint32_t min_sources;    /* a port must reach this many sources */
    double min_ratio;        /* and this multiple of its baseline */
    uint32_t new_port_k;     /* sources for a port with no history */
    uint32_t max_ports;      /* ports with history (per series) */
    uint32_t long_min_bins;  /* input before the long baseline is used; 0: off */
    const uint32_t *raised;  /* proto << 16 | port, ascending: thresholds x raise */
    size_t nraised;
    double raise;
} dn_detect_cfg;

/* The per-port series the change detector watches. */
enum { DN_SERIES_SOURCES, DN_SERIES_PERSIST, DN__SERIES };


typedef struct dn_detect dn_detect;

/* What a detector found for one port in one bin. */
typedef struct dn_finding {
    uint8_t proto;
    uint16_t port;
    uint64_t sources;        /* unique sources this bin */
    double baseline, z;
    bool change, new_port;   /* which detectors fired */
    bool persist;            /* the persistent-source series changed */
    bool glasso;             /* the graphical lasso's window was an outlier */
    bool nmf;                /* a new synchronised group (Dark-NMF) */
    uint32_t persistent;     /* persist: persistent sources this bin */
    struct {
        uint8_t level;       /* the port's attribution level (1-3) */
        uint32_t win_hosts;  /* hosts in the window, and on this port */
        uint32_t port_hosts;
        double density;      /* mean density over the rho values */
    } gl;                    /* when glasso */
    struct {
        uint32_t rank;       /* the factorisation's rank */
        uint32_t win_hosts;  /* hosts in the window */
        uint32_t group;      /* hosts in the group, and of them on the port */
        uint32_t hosts;
    } nm;                    /* when nmf */
} dn_finding;

hy_err dn_detect_create(const dn_detect_cfg *cfg, dn_detect **out);
void dn_detect_destroy(dn_detect *d);

/* A learned threshold factor of one port (the darknet model, model.c). */
typedef struct dn_port_factor {
    uint32_t pv;             /* proto << 16 | port */
    double factor;           /* >= 1: the port's thresholds are multiplied */
} dn_port_factor;
/* Replaces the learned factors (copied; sorted by pv, no duplicates). A
 * port in darknet.raised_ports keeps at least darknet.raise_factor. */
hy_err dn_detect_set_factors(dn_detect *d, const dn_port_factor *f, size_t n);
/* The detector's settings (thresholds for the model's margins). */
const dn_detect_cfg *dn_detect_config(const dn_detect *d);
/* The learned factors now in use. */
const dn_port_factor *dn_detect_factors(const dn_detect *d, size_t *n);

/* ---- the model (model.c) ---- */
#define DN_FEATURE_SPEC                                                                         \
    "proto,port,change,new_port,persist,glasso,nmf,sources,baseline,z,persistent_sources"
/* One port of a model file: its factor and the verdicts it was learned
 * from (both 0 when unknown, e.g. saving a loaded model). */
typedef struct dn_model_port {
    dn_port_factor pf;
    uint32_t false_alarms, true_alerts;
} dn_model_port;
/* Writes a darknet model file (atomically). */
hy_err dn_model_write(const char *path, const dn_model_port *p, size_t n);
/* Parses a darknet model file's text (JSON; len bytes) into sorted factors
 * (*out malloc'd). HY_ERR_FORMAT naming what is wrong. */
hy_err dn_model_parse(const char *text, size_t len, dn_port_factor **out, size_t *n);
/* hy_engine.features of the darknet engine. */
hy_err dn_features(const hy_alert *a, struct hy_buf *row);
/* Learns per-port factors from a training set under c's thresholds, writes
 * the model to model_out and the metrics JSON object to metrics. */
hy_err dn_train_rows(const dn_detect_cfg *c, const char *dataset, const char *model_out,
                     struct hy_buf *metrics);
/* Feeds one closed bin's scan ports (sorted) and appends the ports that fire
 * to *found (realloc'd; *nfound updated). Bins must come in order; missing
 * bins count as zero. */
hy_err dn_detect_bin(dn_detect *d, uint64_t index, dn_port_agg *const *ports, size_t n,
                     dn_finding **found, size_t *nfound);
/* The same for the persistent-source counts of the same bin (call after
 * dn_detect_bin); appends the ports whose series fires "persist". */
hy_err dn_detect_persist(dn_detect *d, uint64_t index, const dn_count *counts, size_t n,
                         dn_finding **found, size_t *nfound);

/* ---- persistent sources (persist.c) ---- */

typedef struct dn_persist_cfg {
    uint32_t window;         /* bins looked back (<= 32), this one included */
    uint32_t min_bins;       /* a source is persistent on a port seen in this many */
    uint32_t new_bins;       /* ... when first seen on it this recently (0: any) */
    uint32_t max_pairs;      /* (source, port) pairs tracked */
} dn_persist_cfg;

typedef struct dn_persist dn_persist;

hy_err dn_persist_create(const dn_persist_cfg *cfg, dn_persist **out);
void dn_persist_destroy(dn_persist *p);
/* Feeds one closed, merged bin (bins in order) and returns, sorted by
 * (proto, port), the number of its scanning sources that are persistent on
 * each port: seen scanning it in at least min_bins of the last window bins,
 * and first seen on it less than new_bins bins ago.
 * Sources that hit DN_KMV or more ports in the bin (sweeps) are left out.
 * *out is malloc'd (free() it), *n entries. */
hy_err dn_persist_bin(dn_persist *p, const dn_bin *b, dn_count **out, size_t *n);

/* ---- the graphical lasso detector (glasso.c) ---- */

typedef struct dn_glasso_cfg {
    uint32_t window_bins;    /* bins per window (10 one-minute bins) */
    uint32_t max_hosts;      /* hosts per window, sampled by hash with a seed */
    uint64_t seed;
    double rho_min, rho_max, rho_step;
    uint32_t history;        /* windows of densities kept (three days) */
    uint32_t min_history;    /* windows needed before anything fires */
    uint32_t max_sources;    /* sources tracked per window */
    uint32_t min_port_hosts; /* level 1: this many hosts on the port ... */
    double min_port_share;   /* ... and this share of the window's hosts */
    double growth;           /* and this multiple of the port's usual share */
} dn_glasso_cfg;

typedef struct dn_glasso dn_glasso;

hy_err dn_glasso_create(const dn_glasso_cfg *cfg, dn_glasso **out);
void dn_glasso_destroy(dn_glasso *g);
/* Adds a closed bin's sources to the current window; when the bin ends a
 * window, runs the graphical lasso over it and appends a finding per port
 * attributed to an outlying window. */
hy_err dn_glasso_bin(dn_glasso *g, const dn_bin *b, dn_finding **found, size_t *nfound);

/* ---- the Dark-NMF detector (detect_nmf.c) ---- */

typedef struct dn_nmf_cfg {
    uint32_t window_bins;    /* bins per window (30 one-minute bins) */
    uint32_t step_bins;      /* bins between windows (10) */
    uint32_t max_hosts;      /* hosts per window: the most active */
    uint32_t max_rank;       /* ranks 1..max_rank fitted; MDL picks one */
    uint32_t min_port_hosts; /* a group's hosts on a port to fire */
    double growth;           /* and this multiple of the port's usual */
    uint32_t min_history;    /* windows before it fires */
    uint32_t max_sources;    /* hosts tracked */
} dn_nmf_cfg;

typedef struct dn_nmf dn_nmf;

hy_err dn_nmf_create(const dn_nmf_cfg *cfg, dn_nmf **out);
void dn_nmf_destroy(dn_nmf *m);
/* Adds a closed bin's scanning sources; every step_bins bins, factorises
 * the last window and appends a finding per port on which a synchronised
 * group of hosts is new. */
hy_err dn_nmf_bin(dn_nmf *m, const dn_bin *b, dn_finding **found, size_t *nfound);

/* ---- the engine's state (darknet.c) and the global side (report.c) ---- */

/* Series points stored per bin: ports with at least this many sources, the
 * busiest first, at most this many, plus one "all" point. */
#define DN_SERIES_MIN_SOURCES 3
#define DN_SERIES_MAX_PORTS   200

typedef struct dn_report_cfg {
    uint64_t scanner_packets;  /* per bin: a heavy single scanner */
    uint32_t idle_bins;        /* an incident closes after this many quiet bins */
    double z;                  /* the change test's z (an outbreak's score) */
    uint32_t min_sources;      /* the sources a port must reach (its score) */
} dn_report_cfg;

/* An outbreak's score in [0.5, 1): 0.5 right at the firing threshold,
 * towards 1 as the finding passes it by margin m (1 - 0.5 / m), with m =
 * z / z_min when the change test measured a z, else sources /
 * min_sources. The label queue asks analysts about the scores nearest 0.5
 * first. */
double dn_outbreak_score(const dn_report_cfg *c, double z, uint64_t sources);

typedef struct dn_report dn_report;

hy_err dn_report_create(const dn_report_cfg *cfg, uint64_t bin_ns, dn_report **out);
void dn_report_destroy(dn_report *r);
/* Turns one closed, merged bin and what the detectors found in it into
 * alerts: one incident per port (opened, then updated when its sources
 * double), and low-severity alerts for heavy single scanners. */
hy_err dn_report_bin(dn_report *r, const dn_bin *b, dn_port_agg *const *ports, size_t nports,
                     dn_finding *found, size_t nfound, const hy_emit *emit);

#endif
