/* Model versions of the pipeline's learning engines (models.h). */
#include "pipeline/models.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/model.h"

typedef struct slot {
    const hy_engine *e;
    char path[PATH_MAX]; /* the current version's model file ("": none) */
    unsigned version;    /* its number */
    unsigned loaded;     /* what instances loaded last */
    unsigned errors;     /* loads that failed */
} slot;

struct hy__models {
    pthread_mutex_t mu;
    atomic_uint gen; /* bumped by each resolve */
    const hy_log *log;
    char dir[PATH_MAX];
    size_t n;
    slot s[HY_LIVE_MAX_ENGINES];
};

hy_err hy__models_create(const hy_pipeline_cfg *cfg, hy__models **out)
{
    hy__models *m = calloc(1, sizeof *m);
    const char *dir = cfg->cfg ? hy_config_str(cfg->cfg, "models.dir") : "";
    if (!m)
        return HY_ERR_NOMEM;
    pthread_mutex_init(&m->mu, NULL);
    m->log = cfg->log;
    snprintf(m->dir, sizeof m->dir, "%s", dir ? dir : "");
    for (size_t i = 0; i < cfg->n_engines && m->n < HY_LIVE_MAX_ENGINES; i++)
        m->s[m->n++].e = cfg->engines[i];
    hy_err rc = hy__models_resolve(m);
    if (rc != HY_OK && rc != HY_ERR_NOTFOUND) {
        hy__models_destroy(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

void hy__models_destroy(hy__models *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m);
}

hy_err hy__models_resolve(hy__models *m)
{
    size_t learners = 0;
    hy_err rc = HY_OK;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->n; i++) {
        slot *s = &m->s[i];
        unsigned v = 0;
        char path[PATH_MAX] = "";
        if (!s->e->load_model)
            continue;
        learners++;
        if (!m->dir[0])
            continue;
        hy_err e = hy_model_current(m->dir, s->e->name, &v, path, sizeof path);
        if (e != HY_OK && e != HY_ERR_NOTFOUND && rc == HY_OK)
            rc = e;
        if (e == HY_OK) { /* NOTFOUND keeps what was there: nothing to load */
            snprintf(s->path, sizeof s->path, "%s", path);
            s->version = v;
        }
    }
    atomic_fetch_add(&m->gen, 1);
    pthread_mutex_unlock(&m->mu);
    if (rc == HY_OK && !learners)
        rc = hy_err_set(HY_ERR_NOTFOUND, "no enabled engine learns from verdicts");
    return rc;
}

static slot *find(hy__models *m, const hy_engine *e)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->s[i].e == e)
            return &m->s[i];
    return NULL;
}

hy_err hy__models_sync(hy__models *m, const hy_engine *e, void *state, unsigned *seen, bool strict)
{
    char path[PATH_MAX];
    unsigned gen, version;
    slot *s;
    hy_err rc;
    if (!m || !e->load_model || (gen = atomic_load(&m->gen)) == *seen)
        return HY_OK;
    pthread_mutex_lock(&m->mu);
    s = find(m, e);
    snprintf(path, sizeof path, "%s", s ? s->path : "");
    version = s ? s->version : 0;
    pthread_mutex_unlock(&m->mu);
    *seen = gen;
    if (!path[0])
        return HY_OK;
    rc = e->load_model(state, path);
    pthread_mutex_lock(&m->mu);
    unsigned had = s->loaded;
    if (rc == HY_OK)
        s->loaded = version;
    else
        s->errors++;
    pthread_mutex_unlock(&m->mu);
    if (rc != HY_OK && !strict) { /* one line per instance: rare, and each matters */
        hy_logf(m->log, HY_LOG_ERROR, "engine %s: model %u not loaded, keeping %u: %s", e->name,
                version, had, hy_err_detail());
        rc = HY_OK;
    } else if (rc == HY_OK && had != version) {
        hy_logf(m->log, HY_LOG_INFO, "engine %s: model version %u loaded", e->name, version);
    }
    return rc;
}

void hy__models_live(hy__models *m, hy_pipeline_live *out)
{
    pthread_mutex_lock(&m->mu);
    out->nengines = m->n;
    for (size_t i = 0; i < m->n; i++) {
        snprintf(out->engine[i].name, sizeof out->engine[i].name, "%s", m->s[i].e->name);
        out->engine[i].learns = m->s[i].e->train != NULL;
        out->engine[i].model = m->s[i].loaded;
        out->engine[i].reload_errors = m->s[i].errors;
    }
    pthread_mutex_unlock(&m->mu);
}
