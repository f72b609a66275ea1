/* Spool folders (hy_spool, hy_pipeline_spool_scan): files dropped into a
 * folder are taken once each, when they have settled. A file is known by
 * its identity (device, inode) and its state (size, modification time), so
 * a rename inside the folder is not a new file but a rewrite is. The taken
 * set holds full keys sorted for binary search, each with the order it was
 * taken in, so the oldest can be forgotten at the cap; the waiting set
 * holds the files seen but not yet settled, sorted by identity, with the
 * time their current state was first seen. Both are rebuilt by merging
 * rather than updated in place: a failed allocation changes nothing. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/clock.h"
#include "hayate/limits.h"
#include "hayate/pipeline.h"

typedef struct spool_key {
    uint64_t dev, ino, size, mtime_ns;
} spool_key;

typedef struct taken_key {
    spool_key k;
    uint64_t order; /* 0 for the first file taken, then 1, 2... */
} taken_key;

typedef struct waiting {
    spool_key k;
    uint64_t since_ns; /* when this state was first seen */
} waiting;

struct hy_spool {
    char *dir;
    char *engine; /* or NULL: every file engine */
    uint64_t settle_ns;
    size_t remember, per_scan;
    taken_key *taken; /* sorted by key */
    size_t ntaken;
    uint64_t next_order;
    waiting *wait; /* sorted by identity */
    size_t nwait;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

static int id_cmp(const spool_key *a, const spool_key *b)
{
    int c = cmp_u64(a->dev, b->dev);
    return c ? c : cmp_u64(a->ino, b->ino);
}

static int key_cmp(const spool_key *a, const spool_key *b)
{
    int c = id_cmp(a, b);
    if (!c)
        c = cmp_u64(a->size, b->size);
    return c ? c : cmp_u64(a->mtime_ns, b->mtime_ns);
}

static int by_key(const void *a, const void *b)
{
    return key_cmp(a, b); /* spool_key is the first member of both */
}

static int by_id(const void *a, const void *b)
{
    return id_cmp(a, b);
}

hy_err hy_spool_create(const hy_spool_cfg *cfg, hy_spool **out)
{
    hy_spool *s;
    *out = NULL;
    if (!cfg->dir || !*cfg->dir || strlen(cfg->dir) >= HY_MAX_PATH)
        return hy_err_set(HY_ERR_ARG, "spool: the folder must be a path of 1..%u bytes",
                          HY_MAX_PATH - 1);
    if (cfg->settle_s > 3600 || cfg->remember > HY_MAX_FEED_FILES ||
        cfg->per_scan > HY_MAX_FEED_FILES)
        return hy_err_set(HY_ERR_ARG,
                          "spool %.80s: settle 0..3600 s, remember and per_scan "
                          "0..%u files",
                          cfg->dir, HY_MAX_FEED_FILES);
    if (!(s = calloc(1, sizeof *s)) || !(s->dir = strdup(cfg->dir)) ||
        (cfg->engine && !(s->engine = strdup(cfg->engine)))) {
        hy_spool_destroy(s);
        return HY_ERR_NOMEM;
    }
    s->settle_ns = (uint64_t)cfg->settle_s * 1000000000ull;
    s->remember = cfg->remember ? cfg->remember : HY_MAX_FEED_FILES;
    s->per_scan = cfg->per_scan ? cfg->per_scan : HY_SPOOL_PER_SCAN;
    *out = s;
    return HY_OK;
}

void hy_spool_destroy(hy_spool *s)
{
    if (!s)
        return;
    free(s->dir);
    free(s->engine);
    free(s->taken);
    free(s->wait);
    free(s);
}

static bool was_taken(const hy_spool *s, const spool_key *k)
{
    return s->ntaken && bsearch(k, s->taken, s->ntaken, sizeof *s->taken, by_key);
}

/* When k's current state was first seen (now when it is new or changed). */
static uint64_t seen_since(const hy_spool *s, const spool_key *k, uint64_t now_ns)
{
    const waiting *w = s->nwait ? bsearch(k, s->wait, s->nwait, sizeof *s->wait, by_id) : NULL;
    if (!w || w->k.size != k->size || w->k.mtime_ns != k->mtime_ns || w->since_ns > now_ns)
        return now_ns;
    return w->since_ns;
}

/* Adds the nf keys just taken, in the order taken, to the taken set and
 * forgets the oldest beyond s->remember. */
static hy_err remember(hy_spool *s, const spool_key *fresh, size_t nf)
{
    uint64_t end = s->next_order + nf;
    uint64_t lo = end > s->remember ? end - s->remember : 0;
    taken_key *add = malloc(nf * sizeof *add);
    taken_key *out = malloc((s->ntaken + nf) * sizeof *out);
    size_t i = 0, j = 0, m = 0;
    if (!add || !out) {
        free(add);
        free(out);
        return HY_ERR_NOMEM;
    }
    for (size_t k = 0; k < nf; k++)
        add[k] = (taken_key){.k = fresh[k], .order = s->next_order + k};
    qsort(add, nf, sizeof *add, by_key);
    while (i < s->ntaken || j < nf) {
        const taken_key *t = j == nf || (i < s->ntaken && key_cmp(&s->taken[i].k, &add[j].k) <= 0)
                                 ? &s->taken[i++]
                                 : &add[j++];
        /* too old, or the same file twice (hard links) */
        if (t->order >= lo && (!m || key_cmp(&out[m - 1].k, &t->k) != 0))
            out[m++] = *t;
    }
    free(add);
    free(s->taken);
    s->taken = out;
    s->ntaken = m;
    s->next_order = end;
    return HY_OK;
}

hy_err hy_spool_due(hy_spool *s, const hy_file_entry *v, size_t n, uint64_t now_ns, bool *take,
                    size_t *ndue)
{
    size_t nf = 0, nw = 0;
    spool_key *fresh;
    waiting *w;
    hy_err rc = HY_OK;
    *ndue = 0;
    if (n > HY_MAX_FEED_FILES || (n && (!v || !take)))
        return hy_err_set(HY_ERR_ARG, "spool: a listing of at most %u files", HY_MAX_FEED_FILES);
    fresh = malloc((n < s->per_scan ? n + 1 : s->per_scan) * sizeof *fresh);
    w = malloc((n + 1) * sizeof *w);
    if (!fresh || !w) {
        rc = HY_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        spool_key k = {v[i].dev, v[i].ino, v[i].size, v[i].mtime_ns};
        uint64_t since;
        take[i] = false;
        if (was_taken(s, &k))
            continue;
        since = seen_since(s, &k, now_ns);
        if (now_ns - since >= s->settle_ns && nf < s->per_scan) {
            take[i] = true;
            fresh[nf++] = k;
        } else {
            w[nw++] = (waiting){.k = k, .since_ns = since};
        }
    }
    if (nf && (rc = remember(s, fresh, nf)) != HY_OK) {
        memset(take, 0, n * sizeof *take);
        goto out;
    }
    qsort(w, nw, sizeof *w, by_id);
    free(s->wait);
    s->wait = w;
    s->nwait = nw;
    w = NULL;
    *ndue = nf;
out:
    free(fresh);
    free(w);
    return rc;
}

hy_err hy_pipeline_spool_scan(hy_pipeline *p, hy_spool *s, hy_files_stats *st, bool *more)
{
    hy_file_entry *v = NULL, *due = NULL;
    hy_files_stats lst = {0};
    bool *take = NULL;
    size_t n = 0, ndue = 0, k = 0;
    uint64_t bytes = 0;
    hy_err rc;

    if (st)
        memset(st, 0, sizeof *st);
    if (more)
        *more = false;
    if ((rc = hy_file_list(s->dir, &v, &n, &lst)) != HY_OK)
        return rc;
    /* everything allocated before files count as taken */
    take = malloc((n + 1) * sizeof *take);
    due = malloc((n < s->per_scan ? n + 1 : s->per_scan) * sizeof *due);
    if (!take || !due) {
        rc = HY_ERR_NOMEM;
        goto out;
    }
    if ((rc = hy_spool_due(s, v, n, hy_clock_ns(CLOCK_MONOTONIC), take, &ndue)) != HY_OK)
        goto out;
    for (size_t i = 0; i < n && k < ndue; i++)
        if (take[i]) {
            due[k++] = v[i]; /* borrows the path */
            bytes += v[i].size;
        }
    rc = hy_pipeline_feed_list(p, due, k, s->engine, NULL, NULL);
    if (st) {
        st->files = k;
        st->bytes = bytes;
        st->skipped = lst.skipped;
        st->unreadable = lst.unreadable;
    }
    if (more)
        *more = k == s->per_scan;
out:
    free(due);
    free(take);
    hy_file_list_free(v, n);
    return rc;
}
