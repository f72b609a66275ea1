/* hayate: the store. hy_store is an interface (a table of operations) so a
 * PostgreSQL backend can come later; hy_store_open_sqlite is the default
 * embedded backend: WAL mode, batched transactions, versioned schema with
 * migrations. All writes of one call are one transaction: all or nothing. */
#ifndef HAYATE_STORE_H
#define HAYATE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "alert.h"
#include "error.h"
#include "flow.h"
#include "series.h"

typedef struct hy_store hy_store;

/* Capture statistics of one source in one run. */
typedef struct hy_capture_stats {
    char source[256];          /* file path, "-" or interface name */
    uint64_t received;         /* packets read from the source */
    uint64_t bytes;            /* captured bytes read */
    uint64_t kernel_dropped;   /* live: dropped by the kernel (pcap_stats) */
    uint64_t ifdrop;           /* live: dropped by the interface */
    uint64_t hayate_dropped;   /* dropped by hayate under overload */
    uint64_t decode_errors;    /* packets with a decode anomaly */
    int truncated;             /* 1 when the file ended mid-record */
    uint64_t first_ns, last_ns;
} hy_capture_stats;

/* The order query_alerts and query_eve return alerts in. */
typedef enum hy_alert_order {
    HY_ALERT_ORDER_ID = 0,       /* ascending id (= time order); the default */
    HY_ALERT_ORDER_UNCERTAINTY,  /* least sure first: uncertainty 1 - |2*score - 1|
                                  * descending, then ascending id */
    HY_ALERT_ORDER_IMPACT,       /* screen alerts whose verdict would change the most
                                  * first: evidence.screen.impact descending, then
                                  * id; one alert per evidence.screen.cluster */
} hy_alert_order;

typedef struct hy_alert_filter {
    const char *engine;        /* exact, or NULL */
    const char *kind;          /* exact, or prefix when ending in '*' */
    int max_severity;          /* 1..4, 0 = any */
    uint64_t from_ns, to_ns;   /* 0 = open */
    const char *text;          /* substring of title/subject, or NULL */
    const char *after_id;      /* cursor: ids strictly greater; NULL = start */
    const char *before_id;     /* cursor: ids strictly smaller; NULL = none
                                * (with newest_first: the next older page) */
    const char *id;            /* exactly this alert, or NULL */
    const char *verdict;       /* the alert's latest verdict is this; "none":
                                * no verdict yet; NULL: any */
    size_t limit;              /* 0 = no limit */
    bool newest_first;         /* descending id order, walked backwards on the
                                * primary key (after_id/before_id keep their
                                * meaning: bounds, not directions) */
    hy_alert_order order;      /* ID unless set; UNCERTAINTY takes no
                                * after_id, before_id or newest_first
                                * (HY_ERR_ARG) */
} hy_alert_filter;

/* An alert as its EVE JSON text (hy_alert_to_eve's output), for callers
 * that only pass alerts on (the HTTP API). Pointers are valid during the
 * callback only. */
typedef struct hy_alert_eve {
    const char *id;            /* HY_ALERT_ID_LEN characters */
    const char *eve;           /* one JSON object, NUL-terminated */
    size_t len;                /* strlen(eve) */
    double score;              /* 0..1 */
} hy_alert_eve;
/* Called per alert found, in the filter's order; non-zero stops. */
typedef int (*hy_alert_eve_cb)(void *ud, const hy_alert_eve *e);

/* An analyst's verdict on an alert. */
typedef struct hy_feedback {
    const char *alert_id;
    const char *verdict;       /* true_positive, false_positive, benign, malicious */
    const char *label;         /* e.g. a family name, or NULL */
    const char *comment;       /* or NULL */
    const char *analyst;       /* or NULL */
    uint64_t time_ns;
} hy_feedback;

/* Called per verdict on an alert, newest first; fields as in hy_feedback
 * (label, comment, analyst NULL when absent), valid during the call only.
 * Non-zero stops. */
typedef int (*hy_feedback_cb)(void *ud, const hy_feedback *f);

/* Whether v is one of the four verdicts. */
bool hy_verdict_valid(const char *v);

/* Points of one series and key, from_ns <= time < to_ns (0: open). */
typedef struct hy_series_filter {
    const char *series, *key;
    uint64_t from_ns, to_ns;
    size_t limit;              /* 0 = no limit */
} hy_series_filter;
/* Called per point, in time order; return non-zero to stop. */
typedef int (*hy_series_cb)(void *ud, uint64_t time_ns, const char *json);

/* Called per alert found, in the filter's order (ascending id unless it
 * says otherwise); return non-zero to stop. */
typedef int (*hy_alert_cb)(void *ud, const hy_alert *a);

/* A file the malware engine analysed, kept once per SHA-256 (the samples
 * table). Strings are borrowed (NULL or "" for unknown). */
typedef struct hy_sample {
    const char *sha256, *md5, *sha1; /* lowercase hex; sha256 is the key */
    uint64_t size;
    const char *mime;            /* libmagic's MIME type */
    const char *ssdeep, *tlsh, *imphash;
    const char *name;            /* the first file name it was seen under */
    uint64_t first_ns, last_ns;  /* when it was first and last submitted */
    const char *report;          /* the engine's JSON report (an object);
                                    NULL: seen again, not re-analysed (a
                                    non-NULL family then replaces the
                                    stored one; the rest stays) */
    const char *family;          /* its family, or NULL when none is known */
    const char *verdict;         /* "malicious", "suspicious", "clean" or
                                    "unknown" (no rule hit and no model) */
    bool has_score;              /* whether a model scored it: */
    double score;                /* the model's score in [0, 1] */
    const void *sketch;          /* the engine's feature sketch (opaque */
    size_t sketch_len;           /* bytes; possibly unaligned), or NULL/0 */
} hy_sample;

typedef struct hy_sample_filter {
    const char *sha256;          /* exactly this sample, or NULL */
    const char *imphash;         /* samples with this imphash, or NULL */
    const char *family;          /* samples of this family, or NULL */
    uint64_t since_ns;           /* first seen at or after (0: any) */
    uint64_t until_ns;           /* first seen before (0: any) */
    size_t limit;                /* 0 = no limit */
} hy_sample_filter;
/* Called per sample, newest first_ns first (ties by sha256); non-zero stops. */
typedef int (*hy_sample_cb)(void *ud, const hy_sample *s);

/* One indicator of a stored report (the iocs table). */
typedef struct hy_report_ioc {
    const char *type;            /* hy_ioc_type_name's word: "ipv4", "domain", ... */
    const char *value;           /* normalised, fanged */
    const char *noise;           /* why it is noise, or NULL */
    uint32_t count;              /* occurrences in the report */
} hy_report_ioc;

/* A report the intel engine analysed, kept once per id (the intel_reports
 * table). Strings are borrowed. */
typedef struct hy_intel_record {
    const char *id;              /* "report--<uuid>": the key */
    const char *sha256;          /* of the document as received */
    const char *title, *source;  /* or NULL */
    uint64_t time_ns;            /* when it was analysed (event time) */
    const char *summary;         /* the engine's JSON summary (an object) */
    const char *stix;            /* its STIX 2.1 bundle (JSON) */
    const hy_report_ioc *iocs;   /* put: its indicators (replacing any */
    size_t niocs;                /* stored before); query: NULL, 0 */
} hy_intel_record;

typedef struct hy_report_filter {
    const char *id;              /* exactly this report, or NULL */
    uint64_t until_ns;           /* analysed before (0: any): the page cursor */
    size_t limit;                /* 0 = no limit */
    bool with_stix;              /* fill stix (else NULL: lists stay cheap) */
} hy_report_filter;
/* Called per report, newest time_ns first (ties by id); non-zero stops. */
typedef int (*hy_report_cb)(void *ud, const hy_intel_record *r);
/* Called per stored indicator with the report naming it; non-zero stops. */
typedef int (*hy_report_ioc_cb)(void *ud, const char *report_id, const hy_report_ioc *ioc);

typedef struct hy_store_ops {
    const char *backend;
    hy_err (*begin_run)(hy_store *s, const char *run_id, const char *info);
    hy_err (*end_run)(hy_store *s, uint64_t ended_ns);
    hy_err (*put_alerts)(hy_store *s, hy_alert *const *a, size_t n);
    hy_err (*put_flows)(hy_store *s, const hy_flow *const *f, size_t n);
    hy_err (*put_capture_stats)(hy_store *s, const char *run_id, const hy_capture_stats *st);
    hy_err (*put_series)(hy_store *s, const hy_series_point *p, size_t n);
    hy_err (*query_alerts)(hy_store *s, const hy_alert_filter *flt, hy_alert_cb cb, void *ud);
    hy_err (*count)(hy_store *s, const char *table, uint64_t *n);
    hy_err (*put_feedback)(hy_store *s, const hy_feedback *f);
    hy_err (*query_series)(hy_store *s, const hy_series_filter *f, hy_series_cb cb, void *ud);
    hy_err (*query_eve)(hy_store *s, const hy_alert_filter *flt, hy_alert_eve_cb cb, void *ud);
    hy_err (*query_feedback)(hy_store *s, const char *alert_id, hy_feedback_cb cb, void *ud);
    hy_err (*put_samples)(hy_store *s, const hy_sample *const *v, size_t n);
    hy_err (*query_samples)(hy_store *s, const hy_sample_filter *f, hy_sample_cb cb, void *ud);
    hy_err (*put_reports)(hy_store *s, const hy_intel_record *const *v, size_t n);
    hy_err (*query_reports)(hy_store *s, const hy_report_filter *f, hy_report_cb cb, void *ud);
    hy_err (*query_iocs)(hy_store *s, const char *report_id, bool with_noise,
                         hy_report_ioc_cb cb, void *ud);
    void (*close)(hy_store *s);
} hy_store_ops;

struct hy_store {
    const hy_store_ops *ops;
};

/* Opens (creating if needed) an SQLite store at path and migrates its schema
 * to the newest version. A file that is not an SQLite database, or one from
 * a newer hayate, fails with a message naming it. */
hy_err hy_store_open_sqlite(const char *path, hy_store **out);

/* Opens an existing SQLite store read-only, for a reader thread that wants
 * its own connection (WAL: it reads while a writer writes). Only the query
 * and count operations work on it (the rest are HY_ERR_UNSUPPORTED). The
 * schema must be at hy_store_schema_latest(): open it with
 * hy_store_open_sqlite first, which migrates. Use it from one thread at a
 * time. */
hy_err hy_store_open_sqlite_reader(const char *path, hy_store **out);

/* Schema version the library writes. */
int hy_store_schema_latest(void);

/* Thin dispatchers over s->ops. */
/* Records run run_id (info: argv/config text, may be NULL) and makes it the
 * current run, to which put_flows (and put_capture_stats given a NULL run_id)
 * write. Beginning an existing run id resumes it (re-runs are idempotent). */
hy_err hy_store_begin_run(hy_store *s, const char *run_id, const char *info);
/* Sets the current run's end time and clears the current run. */
hy_err hy_store_end_run(hy_store *s, uint64_t ended_ns);
hy_err hy_store_put_alerts(hy_store *s, hy_alert *const *a, size_t n);
hy_err hy_store_put_flows(hy_store *s, const hy_flow *const *f, size_t n);
/* run_id NULL: the current run. */
hy_err hy_store_put_capture_stats(hy_store *s, const char *run_id, const hy_capture_stats *st);
/* Inserts or replaces series points (one row per series, key and time), in
 * one transaction. */
hy_err hy_store_put_series(hy_store *s, const hy_series_point *p, size_t n);
hy_err hy_store_query_alerts(hy_store *s, const hy_alert_filter *flt, hy_alert_cb cb, void *ud);
/* The same alerts as query_alerts, as their EVE text: stored with the alert
 * when it was written, rendered from the row for alerts stored without it
 * (by an older hayate or another tool). An alert's verdicts are not part of
 * its EVE text, so the text never goes stale. */
hy_err hy_store_query_eve(hy_store *s, const hy_alert_filter *flt, hy_alert_eve_cb cb, void *ud);
/* Rows in a table: "alerts", "flows", "capture_stats", "runs", "feedback";
 * any other name is HY_ERR_ARG. */
hy_err hy_store_count(hy_store *s, const char *table, uint64_t *n);
/* Records a verdict (one transaction). HY_ERR_NOTFOUND when the alert is not
 * in the store; HY_ERR_ARG for a missing id or an unknown verdict. */
hy_err hy_store_put_feedback(hy_store *s, const hy_feedback *f);
/* Calls cb for each verdict recorded on alert_id, newest first (by time,
 * then by the order they were stored), read in one statement through the
 * index feedback_alert_time. HY_ERR_NOTFOUND when the alert is not in the
 * store (an alert nobody judged calls cb never and returns HY_OK);
 * HY_ERR_ARG for a NULL id or callback. Works on readers too. */
hy_err hy_store_query_feedback(hy_store *s, const char *alert_id, hy_feedback_cb cb, void *ud);
/* Calls cb for each stored point matching f, in time order. */
hy_err hy_store_query_series(hy_store *s, const hy_series_filter *f, hy_series_cb cb, void *ud);
/* Inserts samples, or for a SHA-256 already there widens its first/last
 * seen times, keeps its first name and takes the new report and digests
 * (a re-analysis with a newer hayate); one transaction. A sample whose
 * report is NULL was seen again without being analysed: only the stored
 * row's seen times widen (nothing when the store does not hold it).
 * HY_ERR_ARG for a sample without sha256, or with a report but no md5 or
 * sha1. */
hy_err hy_store_put_samples(hy_store *s, const hy_sample *const *v, size_t n);
/* Calls cb for each stored sample matching f. */
hy_err hy_store_query_samples(hy_store *s, const hy_sample_filter *f, hy_sample_cb cb,
                              void *ud);
/* Inserts or replaces reports with their indicators (a report analysed
 * again replaces its row and its indicators); one transaction.
 * HY_ERR_ARG for a report without id, sha256, summary or stix, or an
 * indicator without type or value. */
hy_err hy_store_put_reports(hy_store *s, const hy_intel_record *const *v, size_t n);
/* Calls cb for each stored report matching f. */
hy_err hy_store_query_reports(hy_store *s, const hy_report_filter *f, hy_report_cb cb,
                              void *ud);
/* Calls cb for each indicator of report_id (NULL: of every report, in
 * (type, value) order), skipping noise unless with_noise. */
hy_err hy_store_query_iocs(hy_store *s, const char *report_id, bool with_noise,
                           hy_report_ioc_cb cb, void *ud);
void hy_store_close(hy_store *s);

#endif
