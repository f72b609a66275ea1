/* hayate internal: alert sinks that leave the machine, a webhook (HTTP POST
 * through libcurl, on a sender thread of its own) and syslog. Both take the
 * alert's EVE JSON line as rendered by the sink; neither ever blocks the
 * collector, and neither is the record: the store is (docs/PIPELINE.md). */
#ifndef HAYATE_PIPELINE_SINK_OUT_H
#define HAYATE_PIPELINE_SINK_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "hayate/alert.h"
#include "hayate/config.h"
#include "hayate/log.h"

/* Counters, safe to read from any thread. Every alert handed to a sink ends
 * in exactly one of delivered, dropped or undelivered (or is still held). */
typedef struct hy__out_counts {
    uint64_t delivered;   /* webhook: answered 2xx; syslog: handed to the socket or syslog(3) */
    uint64_t retried;     /* webhook: POSTs sent again after a failure */
    uint64_t dropped;     /* webhook: queue full; syslog: send failed or buffer full */
    uint64_t undelivered; /* webhook: rejected (4xx), given up after retries, left at shutdown */
} hy__out_counts;

/* ---- webhook ---- */

typedef struct hy__webhook_cfg {
    const char *url;    /* http:// or https:// only */
    const char *header; /* one extra "Name: value" line, or NULL/"" */
    int64_t timeout_ms; /* per POST, connect and total */
    int64_t retries;    /* extra attempts after a retryable failure */
    int64_t queue;      /* alerts held in memory (queued + in flight) */
    int64_t drain_ms;   /* at shutdown */
} hy__webhook_cfg;

typedef struct hy__webhook hy__webhook;

/* Validates wc (HY_ERR_CONFIG with a detail naming the key on a bad URL or
 * header) and starts the sender thread. log may be NULL. */
hy_err hy__webhook_create(const hy__webhook_cfg *wc, const hy_log *log, hy__webhook **out);

/* Reads the sink.webhook_* keys: *out is NULL when sink.webhook_url is empty
 * or cfg is NULL. */
hy_err hy__webhook_from_config(const hy_config *cfg, const hy_log *log, hy__webhook **out);

/* Queues a copy of one EVE JSON object for POSTing. Never blocks: when the
 * queue is full (or memory is short) the alert is counted as dropped. */
void hy__webhook_send(hy__webhook *w, const char *json, size_t len);

/* Stops the sender: delivers what is queued for at most drain_ms, counts the
 * rest as undelivered, joins the thread and logs a summary. Idempotent. */
void hy__webhook_finish(hy__webhook *w);

void hy__webhook_counts(const hy__webhook *w, hy__out_counts *c);

/* Finishes (if needed) and frees. NULL is ok. */
void hy__webhook_destroy(hy__webhook *w);

/* ---- syslog ---- */

#define HY__SYSLOG_MAX 8192 /* datagram cap; only MSG is truncated */

typedef struct hy__syslog_cfg {
    const char *target;   /* "local", "udp:HOST:PORT" or "unix:/PATH" */
    const char *facility; /* user, daemon, local0..local7 */
    const char *ident;    /* APP-NAME */
} hy__syslog_cfg;

typedef struct hy__syslog hy__syslog;

/* Parses and opens the target (HY_ERR_CONFIG on a bad target, facility or
 * ident; a name that does not resolve is HY_ERR_CONFIG too). log may be NULL. */
hy_err hy__syslog_create(const hy__syslog_cfg *sc, const hy_log *log, hy__syslog **out);

/* Reads the sink.syslog_* keys: *out is NULL when the target is empty or cfg
 * is NULL. */
hy_err hy__syslog_from_config(const hy_config *cfg, const hy_log *log, hy__syslog **out);

/* Sends one alert (json is its EVE line) as an RFC 5424 message, or through
 * syslog(3) for "local". Never blocks, never fails: failures are counted. */
void hy__syslog_send(hy__syslog *s, const hy_alert *a, const char *json, size_t len);

/* RFC 5424 severity for a hayate severity (1 crit, 2 err, 3 warning, 4 info). */
int hy__syslog_severity(int hy_severity);

void hy__syslog_counts(const hy__syslog *s, hy__out_counts *c);

/* Logs a summary, closes and frees. NULL is ok. */
void hy__syslog_destroy(hy__syslog *s);

#endif
