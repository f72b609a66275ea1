/* Internal to the intel engine (lib/engines/intel). */
#ifndef HY_ENGINES_INTEL_INT_H
#define HY_ENGINES_INTEL_INT_H

#include "hayate/buf.h"
#include "hayate/flow.h"
#include "hayate/intel.h"
#include "hayate/iocmatch.h"

/* The analyser's parts (analyse.c). */
struct hy_intel {
    hy_attack_tables *tables;
    struct hy_attack_model *model; /* NULL: no technique annotation */
    double min_confidence;
};

/* Writes r's summary JSON object (docs/intel.md) to out (summary.c). */
hy_err in_summary(const hy_intel *in, const hy_intel_report *r, const char *sha256, hy_buf *out);

/* The tactics of r's techniques, in ATT&CK's order, and the kill-chain
 * phases they imply, in the chain's order (summary.c): bit i of *tactics
 * is in_tactic_name(i), bit k of *phases is in_phase_name(k). */
void in_tactics(const hy_intel *in, const hy_intel_report *r, uint32_t *tactics, uint32_t *phases);
const char *in_tactic_name(unsigned i);
const char *in_phase_name(unsigned k);
/* Writes key: [the names of the bits set in bits, in order] (summary.c). */
struct hy_json;
void in_json_names(struct hy_json *j, const char *key, uint32_t bits,
                   const char *(*name)(unsigned));

struct hy_flow;
struct hy_emit;
struct hy_ioc_match;
struct hy_intel_result;

/* intel.report, and intel.inconsistency per finding, for one analysed
 * report at event time ts_ns (alerts.c). */
hy_err in_report_alerts(const hy_intel *in, const hy_intel_result *res, uint64_t ts_ns,
                        uint64_t seq, const struct hy_emit *emit);
/* ---- intel.match, aggregated (match.c) ---- */

/* The flows of one (indicator, direction) since the last hand-over. */
typedef struct in_agg {
    char *key, *value;
    hy_ioc_type type;
    bool to; /* the flow's server side matched */
    char *reports[HY_IOC_MATCH_MAX_REPORTS];
    size_t nreports;
    uint64_t first_ns, last_ns, flows, packets, bytes;
    hy_flow example; /* the earliest flow (first_ns, then first_seq) */
} in_agg;

typedef struct in_matches in_matches;

/* Pending aggregates; the global instance's (global) also remembers when
 * each indicator was last alerted, to alert once per window_ns. */
hy_err in_matches_create(uint64_t window_ns, bool global, in_matches **out);
void in_matches_destroy(in_matches *m);
/* Counts flow f when either end is in ix (nothing when ix is NULL). */
hy_err in_match_flow(const struct hy_ioc_match *ix, in_matches *m, const hy_flow *f);
/* Shard side: the aggregates since the last call (*v malloc'd; the caller
 * owns them: in_aggs_free). */
hy_err in_matches_take(in_matches *m, in_agg ***v, size_t *n);
void in_aggs_free(in_agg **v, size_t n);
/* Global side: sums the aggregates in (takes ownership of v). */
hy_err in_matches_add(in_matches *m, in_agg **v, size_t n);
/* Global side: one intel.match per indicator and direction not alerted
 * within the window, in key order. */
hy_err in_matches_tick(in_matches *m, const struct hy_emit *emit);
/* The intel.match alert of a (alerts.c): suppressed flows were seen since
 * the previous alert of the same indicator and direction. */
hy_err in_match_alert(const in_agg *a, uint64_t suppressed, uint64_t window_ns,
                      const struct hy_emit *emit);

/* The record's text and findings when doc is a CVE JSON 5 record;
 * HY_ERR_UNSUPPORTED when it is not one (cve_doc.c). */
hy_err in_cve_doc(const hy_intel *in, const char *name, const uint8_t *doc, size_t n,
                  hy_intel_result *out);
/* Whether a file is a document the analyser reads: a PDF, HTML, or text
 * (no NUL byte and mostly printable in its first 4 KiB); binaries sent to
 * the file engines are the malware engine's (intel_make.c). */
bool in_is_document(const uint8_t *p, size_t n, const char *name);
/* Classifies the sentence [start, end) of r's text and merges what it
 * names into r->tech (analyse.c). */
hy_err in_classify(const hy_intel *in, hy_intel_report *r, size_t start, size_t end);

#endif
