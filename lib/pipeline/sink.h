/* hayate internal: the sinks at the end of the pipeline: EVE JSON lines, the
 * store, and the optional webhook and syslog outputs (sink_out.h). Called
 * from the collector only (single thread). */
#ifndef HAYATE_PIPELINE_SINK_H
#define HAYATE_PIPELINE_SINK_H

#include "hayate/pipeline.h"

typedef struct hy__sink hy__sink;

hy_err hy__sink_create(const hy_pipeline_cfg *cfg, hy__sink **out);
/* Flushes pending rows and frees. */
void hy__sink_destroy(hy__sink *s);
/* One exported flow, in final order; eve is its EVE line (without newline)
 * when the worker rendered it already, else NULL. */
hy_err hy__sink_flow(hy__sink *s, const hy_flow *f, const char *eve, size_t eve_len);
/* One alert, in final order; the sink takes ownership. */
hy_err hy__sink_alert(hy__sink *s, hy_alert *a);
/* Writes pending store rows (one transaction each kind) and flushes EVE. */
/* Stores a copy of a series point (batched; nothing without a store). */
hy_err hy__sink_series(hy__sink *s, const hy_series_point *p);
/* Stores a copy of a sample record (batched; nothing without a store). */
hy_err hy__sink_sample(hy__sink *s, const hy_sample *v);
/* Stores a report with its indicators at once, in its own transaction (a
 * failure is logged and counted; nothing without a store). */
hy_err hy__sink_report(hy__sink *s, const hy_intel_record *r);
hy_err hy__sink_flush(hy__sink *s);

/* The batch behind hy__sink_sample (sink_samples.c). */
typedef struct hy__sample_batch hy__sample_batch;
hy_err hy__sample_batch_create(size_t cap, hy__sample_batch **out);
void hy__sample_batch_destroy(hy__sample_batch *b);
/* Copies v in; *full when the batch reached its capacity. */
hy_err hy__sample_batch_add(hy__sample_batch *b, const hy_sample *v, bool *full);
/* Writes the batch in one transaction (a failure is logged and counted in
 * *errors) and empties it. */
hy_err hy__sample_batch_flush(hy__sample_batch *b, hy_store *store, const hy_log *log,
                              uint64_t *errors);
void hy__sink_counts(const hy__sink *s, uint64_t *flows, uint64_t *alerts,
                     uint64_t *store_errors);
/* Webhook and syslog counters (sink_out.h), readable from any thread while
 * the sink lives; all 0 when that output is off. Every alert handed to the
 * webhook ends delivered, dropped (queue full) or undelivered (rejected,
 * retries exhausted, or left at shutdown). */
void hy__sink_webhook_counts(const hy__sink *s, uint64_t *delivered, uint64_t *retried,
                             uint64_t *dropped, uint64_t *undelivered);
void hy__sink_syslog_counts(const hy__sink *s, uint64_t *sent, uint64_t *dropped);

#endif
