/* hayate internal: the HTTP server's state and the route handlers
 * (docs/serve.md). */
#ifndef HAYATE_SERVE_INT_H
#define HAYATE_SERVE_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>

#include "hayate/buf.h"
#include "hayate/json.h"
#include "hayate/serve.h"
#include "hayate/store.h"

/* Read-only store connections at most (one per pool thread and the
 * stream waker). */
#define HY__SERVE_READERS 64

/* A server-sent-events client (routes_stream.c). */
typedef struct hy__sse hy__sse;

/* What tells a replaced file from the one read before (routes_intel.c);
 * four 8-byte fields, no padding, so memcmp compares it. */
typedef struct hy__file_id {
    uint64_t dev, ino, size;
    int64_t mtime_ns;
} hy__file_id;

struct hy_serve {
    struct MHD_Daemon *d;
    uint16_t port;
    char token[256];
    hy_store *store;     /* the writer connection, behind mu */
    /* Read-only connections for the read routes (hy__serve_store_take):
     * opened on first use, at most rd_max, idle ones in rd_idle. */
    char *db_path;
    pthread_mutex_t rd_mu;
    hy_store *rd_idle[HY__SERVE_READERS];
    unsigned rd_nidle, rd_open, rd_max;
    bool rd_failed;      /* one would not open: use store under mu */
    size_t max_body;     /* bytes of request body accepted */
    size_t max_upload;   /* bytes of a POST /api/analyze body */
    char cors[256];      /* allowed origin, "" for none */
    const struct hy_config *cfg; /* engines' settings, models.dir (or NULL) */
    hy_serve_hooks hooks;
    uint64_t started_ns; /* CLOCK_REALTIME at start */
    atomic_ullong answered[6]; /* responses by status class: [2] 2xx .. [5] 5xx */
    pthread_mutex_t sse_mu;    /* the clients list */
    hy__sse *sse;              /* connected stream clients */
    pthread_t sse_thr;         /* wakes suspended clients when alerts arrive */
    bool sse_started;
    atomic_bool stopping;
    pthread_mutex_t mu;
    /* POST /api/analyze?type=report: one analyser, built on first use and
     * again when its model or tables file changes (routes_intel.c) */
    pthread_mutex_t intel_mu;
    struct hy_intel *intel;
    hy__file_id intel_files[2]; /* identity of the model and the tables files */
};

/* A request as a route sees it: the rest of the URL after a prefix route's
 * path, and the body (NUL-terminated; empty for GET). */
typedef struct hy__req {
    const char *arg;
    const char *body;
    size_t len;
} hy__req;

/* A route: method and path (prefix: the rest of the URL is the argument). */
typedef struct hy__route {
    const char *method, *path;
    bool prefix;
    hy_err (*fn)(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
} hy__route;

/* Queues a response with a copy of body (and counts it by status class). */
hy_err hy__serve_reply(hy_serve *s, struct MHD_Connection *c, unsigned status, const char *type,
                       const char *body, size_t len);
/* Queues {"error": "<formatted message>"} with the status. */
hy_err hy__serve_error(hy_serve *s, struct MHD_Connection *c, unsigned status, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));

/* True when every query parameter is in known (NULL-terminated); else
 * queues a 400 naming the first other one (its result in *rc). */
bool hy__serve_known_params(hy_serve *s, struct MHD_Connection *c, const char *const *known,
                            hy_err *rc);
/* A decimal integer in [lo, hi], nothing else (no sign, no spaces). */
bool hy__serve_parse_uint(const char *v, unsigned long lo, unsigned long hi, unsigned long *out);

/* Borrows a store connection for reading: an idle pooled read-only one,
 * a new one while under the pool's size, or, when none can be opened, the
 * writer under s->mu. Every read route goes through this pair; give the
 * connection back with hy__serve_store_give on the same thread. */
hy_store *hy__serve_store_take(hy_serve *s);
void hy__serve_store_give(hy_serve *s, hy_store *st);
/* hy_store_query_eve and hy_store_query_feedback on a borrowed connection. */
static inline hy_err hy__serve_read_eve(hy_serve *s, const hy_alert_filter *f,
                                        hy_alert_eve_cb cb, void *ud)
{
    hy_store *st = hy__serve_store_take(s);
    hy_err rc = hy_store_query_eve(st, f, cb, ud);
    hy__serve_store_give(s, st);
    return rc;
}
static inline hy_err hy__serve_read_feedback(hy_serve *s, const char *alert_id,
                                             hy_feedback_cb cb, void *ud)
{
    hy_store *st = hy__serve_store_take(s);
    hy_err rc = hy_store_query_feedback(st, alert_id, cb, ud);
    hy__serve_store_give(s, st);
    return rc;
}
/* Writes {"alerts": [EVE...], "next": last id when the page is full, else
 * null} for f into b (routes_alerts.c). uncertainty: each item gets
 * "uncertainty" (1 - |2*score - 1|) as its first key, and next is null. */
hy_err hy__serve_alert_page(hy_serve *s, const hy_alert_filter *f, bool uncertainty, hy_buf *b);

/* Whether id is an alert id (26 characters of the ULID alphabet). */
bool hy__serve_valid_id(const char *id);

/* GET /healthz: "ok". */
hy_err hy__route_healthz(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* GET /api/alerts?engine=&kind=&severity=&from=&to=&q=&verdict=&order=&after=
 * &before=&limit= */
hy_err hy__route_alerts(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* GET /api/alerts/{id}, and GET /api/alerts/{id}/feedback (handed on to
 * hy__route_feedback_list) */
hy_err hy__route_alert(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* GET /api/alerts/stream: server-sent events of alerts as they are stored,
 * resuming after Last-Event-ID (or, without it, after the newest now). */
hy_err hy__route_stream(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* Starts and stops the thread that wakes the stream clients. */
hy_err hy__sse_start(hy_serve *s);
void hy__sse_stop(hy_serve *s);

/* GET /api/stats: the server's and the store's figures as JSON. */
hy_err hy__route_stats(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* GET /metrics: the same in Prometheus text format 0.0.4. */
hy_err hy__route_metrics(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* GET /api/darknet/series?proto=&port=&class=&from=&to=&limit= */
hy_err hy__route_darknet_series(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* Parses a feedback body strictly (an object; verdict required and one of
 * the four; label, comment, analyst optional strings with length caps; no
 * other key, no duplicate, no NUL). Returns the parsed JSON, which owns the
 * strings fb now points to (json_decref it after), or NULL with a message
 * naming what is wrong. */
struct json_t;
struct json_t *hy__feedback_parse(const char *body, size_t len, hy_feedback *fb, char *msg,
                                  size_t cap);
/* POST /api/alerts/{id}/feedback {verdict, label?, comment?, analyst?} */
hy_err hy__route_feedback(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* GET /api/alerts/{id}/feedback for a well-formed id: {"alert", "feedback":
 * [{verdict, label, comment, analyst, time}...]} newest first; 404 when the
 * store has no such alert. */
hy_err hy__route_feedback_list(hy_serve *s, struct MHD_Connection *c, const char *id);

/* GET /api/malware/samples?family=&limit=&before=: recent samples, newest
 * first; GET /api/malware/samples/{sha256}: one with its report;
 * GET /api/malware/tree?family=&limit=&format=: a TLSH NJ tree
 * (routes_malware.c). */
hy_err hy__route_malware_samples(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
hy_err hy__route_malware_sample(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
hy_err hy__route_malware_tree(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* Intel routes (routes_intel.c): the report list, one report's summary or
 * bundle, and a report POSTed to /api/analyze?type=report. */
hy_err hy__route_intel_reports(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
hy_err hy__route_intel_report(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
hy_err hy__route_analyze_report(hy_serve *s, struct MHD_Connection *c, const hy__req *r);

/* GET / and GET /ui/{name}: the dashboard's embedded assets. */
hy_err hy__route_index(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
hy_err hy__route_asset(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* GET /api/label-queue?engine=&kind=&limit=: alerts without a verdict, the
 * ones the models are least sure about first. */
hy_err hy__route_label_queue(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* POST /api/analyze: a capture in the body; its findings as JSON. */
hy_err hy__route_analyze(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* GET /api/models: every engine's model versions and the current one. */
hy_err hy__route_models(hy_serve *s, struct MHD_Connection *c, const hy__req *r);
/* POST /api/models/reload: the running pipeline loads current versions. */
hy_err hy__route_models_reload(hy_serve *s, struct MHD_Connection *c, const hy__req *r);

#endif
