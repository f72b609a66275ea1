/* hayate internal: the screener's state (lib/engines/screen/screen*.c). */
#ifndef HAYATE_SCREEN_INT_H
#define HAYATE_SCREEN_INT_H

#include <stdint.h>

#include "hayate/ftab.h"
#include "hayate/iforest.h"
#include "hayate/map.h"
#include "hayate/screen.h"

#define HY_SCREEN_FEATURE_NAMES                                                                \
    "severity,sig_count,sig_rarity,src_sig,dst_sig,sig_rate,pair_rate,src_rate,dst_rate,"      \
    "ctx_len,ctx_distinct,ctx_rare,hour_sin,hour_cos,weekend,src_crit,dst_crit,"               \
    "src_internal,dst_internal,sig_gap,pair_age,src_age,dst_age"

/* A count that decays with a half-life: a sliding window without buckets. */
typedef struct scr_decay {
    double v;
    uint64_t ts;
} scr_decay;

/* Adds one at ts (never before the last update) and returns the new value. */
double hy__scr_decay_add(scr_decay *d, uint64_t ts, uint64_t half_ns);

/* A signature. */
typedef struct scr_sig {
    uint64_t key;
    uint32_t cat;            /* its category's index (the first one seen) */
    float weight;            /* its weight in contexts, from its severity */
    uint64_t count;          /* alerts so far */
    scr_decay rate;
    uint32_t *clusters;      /* indices into hy_screen.cl */
    uint32_t ncl;
    size_t capcl;
} scr_sig;

/* A host's recent alerts: a ring of `history` events, newest at head - 1. */
typedef struct scr_event {
    uint64_t seq, ts;
    uint32_t sig;
} scr_event;

typedef struct scr_host {
    scr_decay rate;
    uint64_t first_ts;       /* of its first alert */
    uint32_t head, count;
    scr_event ev[];          /* cfg.history */
} scr_host;

/* A (source, destination, service name) pair: its alerts, the first one's
 * time, their decayed rate. */
#define SCR_PAIR_KEY (2 * 17 + 8) /* two (version, address) keys, the service's hash */
typedef struct scr_pair {
    uint64_t count, first_ts;
    scr_decay rate;
} scr_pair;

/* A (host, signature) counter: alerts, and the last one's time. */
typedef struct scr_hsig {
    uint64_t count, last_ts;
} scr_hsig;

/* One component of a context vector: a category and its weight. */
typedef struct scr_comp {
    uint32_t dim;
    float w;
} scr_comp;

/* Verdicts waiting for their cluster to form. */
typedef struct scr_verdicts {
    uint32_t n_benign, n_malicious;
    uint64_t ts;
    char who[32];
} scr_verdicts;

/* A host judged compromised. */
typedef struct scr_taint {
    uint64_t ts;
    uint32_t sid;
} scr_taint;

/* Whether a's endpoints include a host judged compromised within the
 * taint window before ts; fills r's taint fields. */
void hy__scr_taint_check(const hy_screen *s, const hy_alert_in *a, uint64_t ts,
                         hy_screen_result *r);

/* Whether a's source was vouched for a's signature before ts and not judged
 * compromised since; fills r's vouch fields. */
void hy__scr_vouch_check(const hy_screen *s, const hy_alert_in *a, uint64_t ts,
                         hy_screen_result *r);

/* A context cluster: the leader's normalised vector and its verdicts. */
typedef struct scr_cluster {
    uint64_t id;
    uint32_t sig;
    uint32_t members;
    uint32_t lead_off, lead_n; /* in hy_screen.comps */
    scr_decay recent;          /* members, decayed (the queue's impact) */
    uint64_t last_seq;
    float risk;                /* highest member priority in the window */
    uint64_t risk_seq, risk_ts;
    uint32_t n_benign, n_malicious;
    uint64_t judged_ns;
    char judged_by[32];
} scr_cluster;

/* An alert observed whose decision waits for the batch's model scores. */
typedef struct scr_pending {
    hy_screen_result *r;
    int64_t cur;
    uint64_t ts;
} scr_pending;

struct hy_screen {
    hy_screen_cfg cfg;
    uint64_t seq, last_ts, total;
    hy_map *cat_ix;          /* category hash -> index + 1 (context dimensions) */
    uint64_t *cats;          /* category hashes by index */
    size_t ncats, capcats;
    hy_ftab *sig_ix;         /* 8-byte key -> uint32_t index + 1 */
    scr_sig *sigs;
    size_t nsigs, capsigs;
    hy_ftab *hosts;          /* 17-byte key -> scr_host* */
    hy_ftab *pairs;          /* SCR_PAIR_KEY (src, dst, service) -> scr_pair */
    hy_ftab *host_sigs;      /* 21-byte key (host, sig) -> scr_hsig */
    hy_ftab *pair_sigs;      /* (pair key, sig) -> uint64_t time of its first alert */
    scr_cluster *cl;
    size_t ncl, capcl;
    hy_map *cl_ix;           /* id -> index + 1 */
    scr_comp *comps;         /* every leader's components */
    size_t ncomps, capcomps;
    /* novelty */
    hy_iforest *forest;
    float *resv;             /* reservoir rows */
    size_t nresv;
    uint64_t resv_seen, rng, next_fit;
    struct hy_gbm *model;
    hy_map *taint;           /* 17-byte host key -> scr_taint* */
    hy_ftab *vouch;          /* (17-byte host key, 8-byte sig_key) -> uint64_t time */
    hy_map *pending;         /* cluster id -> scr_verdicts*: judged, not formed yet */
    int64_t cur;             /* the cluster index of the alert being screened, -1: none */
    scr_pending pend[HY_SCREEN_BATCH];
    size_t npend;
    hy_screen_stats st;
};

/* Builds the alert's context and features (f, context_len, never_seen,
 * rarity) and updates the counts; *sig gets the signature's index and
 * vec/nvec the context vector (normalised, sorted by signature). */
hy_err hy__scr_context(hy_screen *s, const hy_alert_in *a, uint64_t ts, hy_screen_result *r,
                       uint32_t *sig, scr_comp *vec, uint32_t *nvec);

/* The criticality (0..1) of an address and whether it is in a home net. */
double hy__scr_crit(const hy_screen_cfg *c, uint8_t ver, const uint8_t *addr);
bool hy__scr_home(const hy_screen_cfg *c, uint8_t ver, const uint8_t *addr);

/* Puts the context vector in its signature's nearest cluster (a new one
 * when none is within eps) and fills r's cluster fields and confidence. */
hy_err hy__scr_cluster(hy_screen *s, uint32_t sig, const scr_comp *vec, uint32_t nvec,
                       uint64_t ts, hy_screen_result *r);

/* The rarity (0..1) of a signature with count alerts among total. */
double hy__scr_rarity(const hy_screen *s, uint64_t count);

#endif
