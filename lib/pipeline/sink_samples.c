/* The samples the global instances of file engines report, batched into
 * the store like series points (sink.h, hy__sink_sample). */
#include <stdlib.h>
#include <string.h>

#include "pipeline/sink.h"

struct hy__sample_batch {
    hy_sample *v; /* owned copies of the strings */
    const hy_sample **ptr;
    size_t n, cap;
};

static void sample_free(hy_sample *v)
{
    const char *owned[] = {v->sha256,  v->md5,  v->sha1,   v->mime,   v->ssdeep,  v->tlsh,
                           v->imphash, v->name, v->report, v->family, v->verdict};
    for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
        free((char *)owned[i]);
    free((void *)v->sketch);
    memset(v, 0, sizeof *v);
}

/* strdup that keeps NULL. */
static bool dup(const char *in, const char **out)
{
    *out = in ? strdup(in) : NULL;
    return !in || *out;
}

/* The sketch bytes, copied. */
static bool dup_blob(const hy_sample *in, hy_sample *out)
{
    void *p = NULL;
    out->sketch = NULL;
    if (!in->sketch || !in->sketch_len) {
        out->sketch_len = 0;
        return true;
    }
    if (!(p = malloc(in->sketch_len)))
        return false;
    memcpy(p, in->sketch, in->sketch_len);
    out->sketch = p;
    out->sketch_len = in->sketch_len;
    return true;
}

hy_err hy__sample_batch_create(size_t cap, hy__sample_batch **out)
{
    hy__sample_batch *b = calloc(1, sizeof *b);
    if (!b || !(b->v = calloc(cap, sizeof *b->v)) || !(b->ptr = calloc(cap, sizeof *b->ptr))) {
        hy__sample_batch_destroy(b);
        return HY_ERR_NOMEM;
    }
    b->cap = cap;
    *out = b;
    return HY_OK;
}

void hy__sample_batch_destroy(hy__sample_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; b->v && i < b->n; i++)
        sample_free(&b->v[i]);
    free(b->v);
    free(b->ptr);
    free(b);
}

hy_err hy__sample_batch_flush(hy__sample_batch *b, hy_store *store, const hy_log *log,
                              uint64_t *errors)
{
    hy_err rc = HY_OK;
    if (b->n && store) {
        for (size_t i = 0; i < b->n; i++)
            b->ptr[i] = &b->v[i];
        if ((rc = hy_store_put_samples(store, b->ptr, b->n)) != HY_OK) {
            (*errors)++;
            hy_logf(log, HY_LOG_ERROR, "store: %zu samples not written: %s", b->n, hy_err_detail());
        }
    }
    for (size_t i = 0; i < b->n; i++)
        sample_free(&b->v[i]);
    b->n = 0;
    return rc;
}

hy_err hy__sample_batch_add(hy__sample_batch *b, const hy_sample *v, bool *full)
{
    hy_sample *d = &b->v[b->n];
    /* the scalars; every pointer is copied below (NULL until then) */
    *d = (hy_sample){.size = v->size,
                     .first_ns = v->first_ns,
                     .last_ns = v->last_ns,
                     .has_score = v->has_score,
                     .score = v->score};
    if (!dup(v->sha256, &d->sha256) || !dup(v->md5, &d->md5) || !dup(v->sha1, &d->sha1) ||
        !dup(v->mime, &d->mime) || !dup(v->ssdeep, &d->ssdeep) || !dup(v->tlsh, &d->tlsh) ||
        !dup(v->imphash, &d->imphash) || !dup(v->name, &d->name) || !dup(v->report, &d->report) ||
        !dup(v->family, &d->family) || !dup(v->verdict, &d->verdict) || !dup_blob(v, d)) {
        sample_free(d);
        return HY_ERR_NOMEM;
    }
    *full = ++b->n == b->cap;
    return HY_OK;
}
