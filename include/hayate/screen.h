/* hayate: alert screening (issue 7, docs/screen.md). From a flood of
 * security-appliance alerts to the few that matter: each alert gets its
 * host's context (the previous N alerts of its source or destination within
 * a window), counts, rarity, time and asset features, a label-free novelty
 * score (isolation forest), a context cluster (DeepCASE-style: an analyst
 * judges one member, the cluster inherits the verdict), an optional
 * cost-sensitive supervised score, and then a priority (0..1), a decision
 * and the reason for it.
 *
 * A screener is single-threaded and deterministic: the same alerts in the
 * same order give the same results. */
#ifndef HAYATE_SCREEN_H
#define HAYATE_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alertin.h"
#include "buf.h"
#include "error.h"

struct hy_config;
struct hy_gbm;

#define HY_SCREEN_MAX_HISTORY 64         /* context length N, at most */
#define HY_SCREEN_MAX_NETS 256           /* critical networks configured */
#define HY_SCREEN_MAX_HOSTS (1u << 20)   /* hosts with a history; beyond: none kept */
#define HY_SCREEN_MAX_SIGS (1u << 18)    /* distinct signatures counted */
#define HY_SCREEN_MAX_PAIRS (1u << 21)   /* host pairs and host x signature counts */
#define HY_SCREEN_MAX_CLUSTERS_PER_SIG 256
#define HY_SCREEN_MAX_CLUSTERS (1u << 20)
#define HY_SCREEN_REASON 200             /* bytes of a reason, with NUL */
#define HY_SCREEN_AGE_UNKNOWN          UINT64_MAX      /* a pair age that could not be kept */

/* The features of one alert, in this order (docs/screen.md, "Features"). */
enum {
    HY_SF_SEVERITY = 0,  /* (4 - severity) / 3, severity clamped to 1..4 */
    HY_SF_SIG_COUNT,     /* log1p(alerts of this signature so far) */
    HY_SF_SIG_RARITY,    /* -log2 of the signature's smoothed share of all alerts */
    HY_SF_SRC_SIG,       /* log1p(alerts of this signature from/to the source host) */
    HY_SF_DST_SIG,       /* same for the destination host */
    HY_SF_SIG_RATE,      /* log1p(decayed count of the signature, half-life rate_s) */
    HY_SF_PAIR_RATE,     /* log1p(decayed count of the host pair) */
    HY_SF_SRC_RATE,      /* log1p(decayed count of the source host) */
    HY_SF_DST_RATE,      /* log1p(decayed count of the destination host) */
    HY_SF_CTX_LEN,       /* context events / N */
    HY_SF_CTX_DISTINCT,  /* distinct signatures in the context / N */
    HY_SF_CTX_RARE,      /* mean rarity (0..1) of the context events' signatures */
    HY_SF_HOUR_SIN,      /* time of day (UTC) */
    HY_SF_HOUR_COS,
    HY_SF_WEEKEND,       /* Saturday or Sunday (UTC) */
    HY_SF_SRC_CRIT,      /* criticality of the source (0..1, critical networks) */
    HY_SF_DST_CRIT,
    HY_SF_SRC_INTERNAL,  /* source in screen.home networks (default RFC 1918 / ULA) */
    HY_SF_DST_INTERNAL,
    HY_SF_SIG_GAP,       /* log1p(seconds since this host pair last raised the signature) */
    HY_SF_PAIR_AGE,      /* log1p(seconds since the host pair's first alert); 0 when new */
    HY_SF_SRC_AGE,       /* log1p(seconds since the source's first alert); 0 when new */
    HY_SF_DST_AGE,       /* same for the destination */
    HY_SF__COUNT
};

typedef enum hy_screen_decision {
    HY_SCREEN_ESCALATE = 0,
    HY_SCREEN_REVIEW,      /* "needs-review" */
    HY_SCREEN_CLOSED,      /* "auto-closed" */
} hy_screen_decision;

/* The decision rule that applied (docs/screen.md, "Decisions"), in order. */
typedef enum hy_screen_rule {
    HY_SCREEN_RULE_TAINT = 0,  /* an endpoint was judged compromised */
    HY_SCREEN_RULE_MALICIOUS,  /* inherits a malicious verdict */
    HY_SCREEN_RULE_MODEL_HIGH, /* supervised p(attack) >= model_high */
    HY_SCREEN_RULE_NEVER_SEEN, /* first alert of its signature */
    HY_SCREEN_RULE_VOUCHED,    /* an analyst judged its source's alerts of it benign */
    HY_SCREEN_RULE_NEW_PAIR,   /* its host pair is younger than new_pair_ns */
    HY_SCREEN_RULE_BENIGN,     /* inherits a benign verdict */
    HY_SCREEN_RULE_ROUTINE,    /* formed cluster, the pair's signature older than routine_ns */
    HY_SCREEN_RULE_MODEL_LOW,  /* formed cluster, p(attack) < model_low */
    HY_SCREEN_RULE_PRIORITY,   /* priority >= escalate */
    HY_SCREEN_RULE_UNSURE,     /* none of the above: a human reads it */
    HY_SCREEN_RULE__COUNT
} hy_screen_rule;
/* "taint", "malicious", "model-high", "never-seen", "vouched", "new-pair",
 * "benign", "routine", "model-low", "priority", "unsure". */
const char *hy_screen_rule_name(hy_screen_rule r);
typedef enum hy_screen_verdict {
    HY_SCREEN_UNJUDGED = 0,
    HY_SCREEN_BENIGN,
    HY_SCREEN_MALICIOUS,
} hy_screen_verdict;

typedef struct hy_screen_cfg {
    unsigned history;          /* N: context events, 1..HY_SCREEN_MAX_HISTORY (10) */
    uint64_t window_ns;        /* context window (24 h) */
    uint64_t rate_ns;          /* half-life of the decayed counts (1 h) */
    double eps;                /* cluster radius, cosine distance, (0, 1) (0.3) */
    bool by_signature;         /* context dimensions are signatures, not their
                                  categories (false) */
    unsigned min_members;      /* members before a cluster counts as one (3) */
    double floor;              /* confidence floor for inheriting a verdict (0.6) */
    double escalate;           /* priority at which an unjudged alert escalates (0.6) */
    uint64_t taint_ns;         /* a host judged compromised stays so (7 days) */
    double pos_weight;         /* training: weight of an attack verdict (50) */
    double model_high;         /* supervised p(attack) that escalates (0.5) */
    double model_low;          /* p(attack) under which a clustered alert may close
                                  (0: never, the default) */
    uint64_t new_pair_ns;      /* a host pair younger than this is never closed (24 h) */
    uint64_t routine_ns;       /* a host pair raising a signature longer than this
                                  is routine (24 h; 0: never) */
    bool vouch;                /* hy_screen_vouch's rule applies (true) */
    unsigned warmup;           /* alerts before the first novelty model (2048) */
    uint64_t refit_ns;         /* novelty model refitted this often, event time (24 h) */
    unsigned reservoir;        /* feature rows kept for refitting (8192) */
    uint64_t seed;             /* of the novelty model and reservoir (1) */
    /* Critical networks: address, prefix length, criticality 0..1. */
    size_t n_critical;
    struct hy_screen_net { uint8_t ver; uint8_t addr[16]; uint8_t len; double crit; }
        critical[HY_SCREEN_MAX_NETS];
    size_t n_home;             /* 0: RFC 1918, 100.64/10 and fc00::/7 */
    struct hy_screen_net home[HY_SCREEN_MAX_NETS];
} hy_screen_cfg;

/* The defaults above. */
void hy_screen_cfg_default(hy_screen_cfg *c);

/* The defaults overridden by screen.* keys of cfg (docs/CONFIG.md):
 * history, window_s, rate_s, eps_pm, min_members, floor_pm, escalate_pm,
 * model_high_pm, model_low_pm, new_pair_s, routine_s, vouch, warmup, refit_s,
 * critical (list of "CIDR" or "CIDR=weight"), home (list of CIDR).
 * HY_ERR_CONFIG naming the key and value that are wrong. */
hy_err hy_screen_cfg_from_config(const struct hy_config *cfg, hy_screen_cfg *c);

/* Parses "10.0.0.0/8", "2001:db8::/32" or an address alone (full length)
 * into n. HY_ERR_FORMAT otherwise. */
hy_err hy_screen_parse_net(const char *s, struct hy_screen_net *n);

/* What the screener says about one alert. */
typedef struct hy_screen_result {
    uint64_t seq;               /* the alert's position in the screener's input (0-based) */
    double priority;            /* 0..1 */
    hy_screen_decision decision;
    hy_screen_rule rule;        /* which rule decided */
    char reason[HY_SCREEN_REASON];
    double novelty;             /* isolation-forest score (0.5 during warm-up) */
    double rarity;              /* 0..1 from the signature's share */
    double model;               /* supervised p(attack), -1 without a model */
    double confidence;          /* of an inherited verdict, 0 otherwise */
    uint64_t cluster;           /* cluster id; 0: in no cluster (its signature
                                   already has HY_SCREEN_MAX_CLUSTERS_PER_SIG) */
    uint32_t cluster_members;   /* members so far, this alert included */
    double impact;              /* what a verdict on its cluster would change now:
                                   recent members x (1 - agreement) */
    hy_screen_verdict inherited;/* the verdict inherited: of its own cluster when
                                   judged, else of the nearest judged cluster of
                                   its signature (judged_from says which) */
    uint64_t judged_from;       /* the cluster whose verdict it is */
    uint64_t judged_ns;         /* when it was judged (last verdict) */
    char judged_by[32];         /* by whom */
    bool never_seen;            /* first alert of its signature */
    bool tainted;               /* an endpoint was judged compromised */
    uint32_t taint_sid;         /* by an alert of this signature */
    uint64_t taint_ns;          /* at this time */
    bool vouched;               /* an analyst judged an alert of this signature
                                   from this source benign (hy_screen_vouch) */
    uint64_t vouch_ns;          /* then */
    uint32_t context_len;
    /* Time since its host pair's (with the service name) first alert, and
     * since that pair's first alert of this signature; HY_SCREEN_AGE_UNKNOWN
     * when the alert names no endpoints, or past the caps. */
    uint64_t pair_age_ns, pair_sig_age_ns;
    float f[HY_SF__COUNT];
} hy_screen_result;

typedef struct hy_screen hy_screen;

/* A screener with the given settings (copied). */
hy_err hy_screen_create(const hy_screen_cfg *c, hy_screen **out);
void hy_screen_destroy(hy_screen *s);

/* Screens the next alert (in time order; an alert older than the last one
 * is screened at the last one's time). Fills *r. HY_ERR_TOOBIG never: past
 * the caps the alert is screened without a history (counted in stats). */
hy_err hy_screen_alert(hy_screen *s, const hy_alert_in *a, hy_screen_result *r);

/* Screening in batches, for throughput: hy_screen_push reads a at once
 * (its strings need not outlive the call) and keeps r, which
 * hy_screen_flush fills in, calling the supervised model once for the
 * batch. At most HY_SCREEN_BATCH alerts wait (a push beyond flushes
 * first). Results do not depend on how alerts are batched. */
#define HY_SCREEN_BATCH 256
hy_err hy_screen_push(hy_screen *s, const hy_alert_in *a, hy_screen_result *r);
hy_err hy_screen_flush(hy_screen *s);

/* Screens a[0..n) into r[0..n) through push and flush. */
hy_err hy_screen_alerts(hy_screen *s, const hy_alert_in *a, size_t n, hy_screen_result *r);

/* An analyst's verdict on the alert screened with result r (its cluster):
 * the cluster takes the verdict, at time ts_ns, by who ("analyst"). */
hy_err hy_screen_judge(hy_screen *s, uint64_t cluster, hy_screen_verdict v, uint64_t ts_ns,
                       const char *who);

/* Sets a cluster's verdict counts outright (what hayate train screen
 * gathered from the store's verdicts), so loading the same model twice
 * gives the same state. A cluster not formed yet takes them when it
 * forms (cluster ids are stable: the same input forms the same ones). */
hy_err hy_screen_judge_set(hy_screen *s, uint64_t cluster, uint32_t benign, uint32_t malicious,
                           uint64_t ts_ns, const char *who);

/* Writes r's "screen" object members (priority, decision, rule, reason, cluster,
 * cluster_members, confidence, novelty, rarity, model when there is one,
 * context) into an open JSON object. */
struct hy_json;
void hy_screen_result_json(struct hy_json *j, const hy_screen_result *r);

/* Marks the internal endpoints (screen.home) of an alert judged malicious
 * as compromised from ts_ns on: for screen.taint_s, every alert involving
 * them escalates (correlation: later stages of the same intrusion). ver 4
 * or 6; src/dst 16 bytes each as in hy_alert_in. */
hy_err hy_screen_taint(hy_screen *s, uint8_t ver, const uint8_t *src, const uint8_t *dst,
                       uint64_t ts_ns, uint32_t sid);

/* An analyst's benign verdict on an alert of signature sig_key
 * (hy_alert_in.sig_key) from src (ver 4 or 6, 16 bytes as in hy_alert_in):
 * from ts_ns on, that source's alerts of that signature are auto-closed
 * (rule vouched) unless an earlier rule escalates them, until the source
 * is judged compromised (hy_screen_taint after ts_ns). At most
 * HY_SCREEN_MAX_PAIRS are kept; beyond, HY_ERR_TOOBIG. */
hy_err hy_screen_vouch(hy_screen *s, uint8_t ver, const uint8_t *src, uint64_t sig_key,
                       uint64_t ts_ns);

/* Loads a model file of hayate train screen (verdicts per cluster, hosts
 * judged compromised, the supervised model) into s. HY_ERR_FORMAT names
 * what is wrong with the file; s is unchanged then. */
hy_err hy_screen_load_model(hy_screen *s, const char *path);

/* Screens one of hayate's own alerts (its kind is the signature, its
 * engine the category, its endpoints the hosts) in s's context and adds
 * the result to its evidence as "screen":{...} (hy_screen_result_json's
 * members). HY_ERR_FORMAT when the evidence is not a JSON object. */
struct hy_alert;
hy_err hy_screen_annotate(hy_screen *s, struct hy_alert *a);

/* The supervised model (hy_gbm over the HY_SF__COUNT features; NULL
 * removes it). The screener takes ownership. */
void hy_screen_set_model(hy_screen *s, struct hy_gbm *m);

/* Trains the cost-sensitive supervised model on rows x rows of
 * HY_SF__COUNT features (row-major) with labels y (1 attack, 0 benign):
 * XGBoost with an attack row weighing pos_weight (a miss costs that many
 * extra looks), small trees, fixed seed, one thread: deterministic.
 * HY_ERR_ARG with fewer than 2 rows or a single class. */
hy_err hy_screen_train_model(const float *x, const float *y, size_t rows, double pos_weight,
                             struct hy_gbm **out);

/* One entry of the label queue: the cluster whose verdict would change the
 * decisions of the most alerts, its latest member's seq, and that count. */
typedef struct hy_screen_ask {
    uint64_t cluster;
    uint64_t seq;         /* latest member (hy_screen_result.seq) */
    double impact;        /* decayed member count times uncertainty */
    double risk;          /* the highest priority of a member in the window */
    uint32_t members;
} hy_screen_ask;

/* Up to max entries of the label queue: alternately the cluster of most
 * impact (unjudged clusters, and judged ones whose verdicts disagree; seq
 * its latest member) and the unjudged cluster of most risk (seq its
 * riskiest member in the window), each cluster once; ties by cluster id.
 * Returns the count in *n. */
hy_err hy_screen_queue(const hy_screen *s, hy_screen_ask *out, size_t max, size_t *n);

typedef struct hy_screen_stats {
    uint64_t alerts, escalated, review, closed;
    uint64_t signatures, hosts, clusters, judged_clusters;
    uint64_t no_history;        /* alerts past the host cap */
    uint64_t refits;            /* novelty models fitted */
} hy_screen_stats;

void hy_screen_stats_get(const hy_screen *s, hy_screen_stats *st);

/* The names of the features, comma-separated (HY_SF_ order). */
const char *hy_screen_feature_names(void);

/* "escalate", "needs-review", "auto-closed". */
const char *hy_screen_decision_name(hy_screen_decision d);

/* ---- Groups: alerts with the same decision, signature, context cluster
 * and source network (/24 for IPv4, /64 for IPv6), so an analyst reads a
 * group once ("1,204 alerts of sid 2100498 from 10.0.0.0/24, judged benign
 * on 11-20 by an analyst"). */
#define HY_SCREEN_MAX_GROUPS (1u << 20) /* beyond: alerts join an overflow group per decision */

typedef struct hy_screen_group {
    hy_screen_decision decision;
    uint64_t sig_key, cluster;
    uint32_t gid, sid;
    char signature[128];
    uint8_t ip_version, net[16], net_len; /* the source network */
    uint64_t count, first_ns, last_ns;
    double priority;           /* the highest of its members */
    uint64_t top_seq;          /* the member with that priority */
    char reason[HY_SCREEN_REASON]; /* of that member */
    char summary[320];         /* one line for people */
} hy_screen_group;

typedef struct hy_screen_groups hy_screen_groups;

hy_err hy_screen_groups_create(hy_screen_groups **out);
void hy_screen_groups_destroy(hy_screen_groups *g);

/* Counts the screened alert in its group. */
hy_err hy_screen_groups_add(hy_screen_groups *g, const hy_alert_in *a, const hy_screen_result *r);

/* The groups, escalated first, then needs-review, then auto-closed; within
 * each by priority, then count (descending), then signature; summaries
 * filled. *v is malloc'd (free it); the groups stay counted. */
hy_err hy_screen_groups_list(const hy_screen_groups *g, hy_screen_group **v, size_t *n);

/* Forgets every group. */
void hy_screen_groups_clear(hy_screen_groups *g);

/* ---- Day-forward evaluation (hayate eval screen, docs/screen.md).
 * Alerts are screened in order; at the end of each UTC day a simulated
 * analyst answers the label queue from the ground truth, at most `budget`
 * verdicts; the next day is screened with what was learnt. The first day
 * has no verdicts to use: it is reported apart and left out of the
 * totals. */

/* Ground truth of one alert (hayate synth alerts' truth file). */
typedef struct hy_screen_truth {
    bool known;          /* a truth line named this alert */
    bool attack;
    uint16_t campaign;   /* 0: benign */
    uint8_t stage;       /* 0 none, 1 recon, 2 exploit, 3 c2, 4 exfil */
} hy_screen_truth;

#define HY_SCREEN_MAX_CAMPAIGNS 1024
#define HY_SCREEN_EVAL_MAX_DAYS 366

/* Reads a truth TSV (line, label, class, campaign, stage, host; '#' lines
 * skipped) into *v indexed by line number (v[line]); *n is one past the
 * largest line. HY_ERR_FORMAT naming name:line for a bad line. */
hy_err hy_screen_truth_read(FILE *f, const char *name, hy_screen_truth **v, size_t *n);

typedef struct hy_screen_eval_cfg {
    hy_screen_cfg screen;
    unsigned budget;       /* verdicts per day */
    bool model;            /* train the supervised model from the verdicts each day */
    double pos_weight;     /* its weight of an attack row (cost of a miss), > 0 */
    /* Optional observer of every alert screened (day: 0 is the warm-up). */
    void (*observe)(void *ud, size_t day, const hy_alert_in *a, const hy_screen_truth *t,
                    const hy_screen_result *r);
    void *observe_ud;
} hy_screen_eval_cfg;

typedef struct hy_screen_eval_day {
    uint64_t day_ns;       /* 00:00 UTC */
    uint64_t alerts, attacks;
    uint64_t escalated, review, closed;
    uint64_t attack_escalated, attack_review, attack_closed;
    uint64_t groups;       /* distinct clusters among alerts a human reads */
    unsigned verdicts;     /* given at the end of the day */
} hy_screen_eval_day;

typedef struct hy_screen_eval {
    size_t ndays;
    hy_screen_eval_day day[HY_SCREEN_EVAL_MAX_DAYS];
    hy_screen_eval_day total;  /* days after the first */
    unsigned campaigns;        /* with attack alerts after the first day */
    unsigned campaigns_missed; /* of them, none escalated or in review */
    uint64_t unlabelled;       /* alerts with no truth line */
    hy_screen_stats st;
    double seconds;            /* CPU time of screening (not the analyst) */
} hy_screen_eval;

/* Runs the evaluation over the reader's alerts with truth v[0..n) (may be
 * NULL with n 0: no analyst, nothing labelled). */
hy_err hy_screen_eval_run(const hy_screen_eval_cfg *c, hy_alertin_reader *r,
                          const hy_screen_truth *v, size_t n, hy_screen_eval *out);

#endif
