/* hayate internal: the model versions a pipeline's learning engines use,
 * and their reload between events (docs/MODELS.md). */
#ifndef HAYATE_PIPELINE_MODELS_H
#define HAYATE_PIPELINE_MODELS_H

#include <stdbool.h>

#include "hayate/pipeline.h"

typedef struct hy__models hy__models;

/* Resolves the current version of each enabled learning engine under
 * models.dir (none configured, or no cfg: no models). */
hy_err hy__models_create(const hy_pipeline_cfg *cfg, hy__models **out);
void hy__models_destroy(hy__models *m);
/* Resolves the current versions again; instances load them at their next
 * sync. HY_ERR_NOTFOUND when no enabled engine learns. */
hy_err hy__models_resolve(hy__models *m);
/* Called by the thread that owns an engine instance, right after create
 * (strict: a model that does not load fails the pipeline) and before each
 * tick (a model that does not load is logged and counted, the old one
 * stays). Loads e's current model when it changed since *seen. */
hy_err hy__models_sync(hy__models *m, const hy_engine *e, void *state, unsigned *seen, bool strict);
/* The engines' part of the live figures. */
void hy__models_live(hy__models *m, hy_pipeline_live *out);

#endif
