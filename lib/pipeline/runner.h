/* hayate internal: runs one non-sharded engine instance, inline or on its own
 * thread, over the collector's ordered stream of flow items and ticks. */
#ifndef HAYATE_PIPELINE_RUNNER_H
#define HAYATE_PIPELINE_RUNNER_H

#include "pipeline/internal.h"

typedef struct hy__runner hy__runner;

/* Message a threaded runner sends the collector: an alert, or a watermark
 * saying it finished a tick. */
typedef struct hy__runner_msg {
    int runner;
    hy_alert *alert; /* NULL for a watermark */
} hy__runner_msg;

/* Creates the engine instance and loads its current model (models, may be
 * NULL). Inline runners hand alerts to inline_emit; threaded ones (alertq !=
 * NULL) send hy__runner_msg to alertq. */
hy_err hy__runner_create(const hy_engine *e, const hy_engine_env *env, int idx,
                         const hy_emit *inline_emit, struct hy__models *models,
                         hy_queue *alertq, hy__runner **out);
/* Hands b (one reference taken over on HY_OK) to the engine: processed now
 * when inline, queued when threaded (HY_ERR_AGAIN while its queue is full). */
hy_err hy__runner_deliver(hy__runner *r, hy__out_batch *b);
hy_err hy__runner_start(hy__runner *r);
/* Waits for a threaded runner to finish its FINAL item. */
hy_err hy__runner_join(hy__runner *r);
/* Closes its input and joins its thread, if started (error paths). */
void hy__runner_abort(hy__runner *r);
void hy__runner_destroy(hy__runner *r);
bool hy__runner_threaded(const hy__runner *r);

#endif
