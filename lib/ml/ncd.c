/* Normalised compression distance (Cilibrasi & Vitanyi, IEEE Trans. IT
 * 51(4), 2005) with zstd:
 *   NCD(x, y) = (C(xy) - min(C(x), C(y))) / max(C(x), C(y)).
 *
 * Compressor: zstd at a fixed level (HY_NCD_LEVEL), one-shot, with the
 * window log set to cover the whole input, so a match in x is always
 * visible from y (NCD needs a window of at least |x| + |y|; gzip's 32 KB
 * breaks it on binaries, Cebrian et al. 2005). zstd rather than xz: a pair
 * of 8 KB blobs compresses in about 35 us at level 3, where xz's LZMA
 * (whose encoder also sets up tens of megabytes per call at its default
 * preset) is some ten times slower, and plain NJ on NCD needs n^2 / 2
 * pair compressions.
 *
 * Each thread has its own compression context and buffers; work is handed
 * out by an atomic counter and every result lands at its own index, so the
 * output does not depend on the thread count. */
#include "hayate/limits.h"
#include "hayate/thread.h"
#include "hayate/tree.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define NCD_WLOG_MIN 10 /* zstd's least window log */
#define NCD_WLOG_MAX 27 /* 2 * HY_NCD_MAX_BLOB */
#define NCD_CHUNK 16    /* pairs taken per counter step */

struct hy_ncd_set {
    const uint8_t *const *blob;
    const size_t *len;
    size_t n, maxlen;
    unsigned threads;
    size_t *csize; /* C(x) of each blob */
};

typedef struct ncd_worker {
    ZSTD_CCtx *cctx;
    uint8_t *cat, *dst;
    size_t catcap, dstcap;
} ncd_worker;

static void worker_free(ncd_worker *w)
{
    ZSTD_freeCCtx(w->cctx);
    free(w->cat);
    free(w->dst);
}

/* Context and buffers for inputs up to 2 * maxlen bytes. */
static hy_err worker_init(ncd_worker *w, size_t maxlen)
{
    memset(w, 0, sizeof *w);
    w->catcap = 2 * maxlen;
    w->dstcap = ZSTD_compressBound(w->catcap);
    w->cctx = ZSTD_createCCtx();
    w->cat = malloc(w->catcap ? w->catcap : 1);
    w->dst = malloc(w->dstcap);
    if (!w->cctx || !w->cat || !w->dst) {
        worker_free(w);
        return hy_err_set(HY_ERR_NOMEM, "ncd: out of memory");
    }
    return HY_OK;
}

static unsigned wlog_for(size_t len)
{
    unsigned l = NCD_WLOG_MIN;
    while (l < NCD_WLOG_MAX && ((size_t)1 << l) < len)
        l++;
    return l;
}

/* Compressed size of src[0..len). */
static hy_err csize_of(ncd_worker *w, const void *src, size_t len, size_t *out)
{
    ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_and_parameters);
    size_t r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, HY_NCD_LEVEL);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_windowLog, (int)wlog_for(len));
    if (!ZSTD_isError(r))
        r = ZSTD_compress2(w->cctx, w->dst, w->dstcap, src, len);
    if (ZSTD_isError(r))
        return hy_err_set(HY_ERR_INTERNAL, "ncd: zstd: %s", ZSTD_getErrorName(r));
    *out = r;
    return HY_OK;
}

static double ncd_value(size_t ca, size_t cb, size_t cab)
{
    size_t lo = ca < cb ? ca : cb, hi = ca < cb ? cb : ca;
    double v = ((double)cab - (double)lo) / (double)hi; /* hi > 0: a frame has a header */
    return v > 0 ? v : 0;
}

/* C(ab) into *out: a and b copied side by side into the worker's buffer. */
static hy_err pair_csize(ncd_worker *w, const void *a, size_t na, const void *b, size_t nb,
                         size_t *out)
{
    if (na)
        memcpy(w->cat, a, na);
    if (nb)
        memcpy(w->cat + na, b, nb);
    return csize_of(w, w->cat, na + nb, out);
}

hy_err hy_ncd(const void *a, size_t na, const void *b, size_t nb, double *d)
{
    if (!d || (!a && na) || (!b && nb))
        return hy_err_set(HY_ERR_ARG, "ncd: NULL argument");
    if (na > HY_NCD_MAX_BLOB || nb > HY_NCD_MAX_BLOB)
        return hy_err_set(HY_ERR_ARG, "ncd: blob of %zu bytes (at most %u)", na > nb ? na : nb,
                          HY_NCD_MAX_BLOB);
    ncd_worker w;
    size_t ca, cb, cab;
    hy_err err = worker_init(&w, na > nb ? na : nb);
    if (err != HY_OK)
        return err;
    if ((err = csize_of(&w, a, na, &ca)) == HY_OK && (err = csize_of(&w, b, nb, &cb)) == HY_OK &&
        (err = pair_csize(&w, a, na, b, nb, &cab)) == HY_OK)
        *d = ncd_value(ca, cb, cab);
    worker_free(&w);
    return err;
}

/* ---- sets of blobs, threaded ---- */

typedef enum ncd_job_kind { JOB_SIZES, JOB_PAIRS, JOB_ROWS } ncd_job_kind;

typedef struct ncd_job {
    hy_ncd_set *s;
    ncd_job_kind kind;
    const uint32_t *pairs; /* JOB_PAIRS */
    double *out;           /* JOB_PAIRS: m values; JOB_ROWS: the n x n matrix */
    size_t total;          /* items: blobs, pairs or rows */
    atomic_size_t next;
    atomic_int failed;
    hy_err err;            /* first failure (under failed) */
    char detail[256];
} ncd_job;

static hy_err pair_ncd(hy_ncd_set *s, ncd_worker *w, uint32_t a, uint32_t b, double *out)
{
    if (a == b) {
        *out = 0;
        return HY_OK;
    }
    if (a > b) { /* lower index first: symmetric for any pair order */
        uint32_t t = a;
        a = b;
        b = t;
    }
    size_t cab;
    hy_err err = pair_csize(w, s->blob[a], s->len[a], s->blob[b], s->len[b], &cab);
    if (err == HY_OK)
        *out = ncd_value(s->csize[a], s->csize[b], cab);
    return err;
}

static hy_err job_item(ncd_job *j, ncd_worker *w, size_t i)
{
    hy_ncd_set *s = j->s;
    hy_err err = HY_OK;
    switch (j->kind) {
    case JOB_SIZES:
        return csize_of(w, s->blob[i], s->len[i], &s->csize[i]);
    case JOB_PAIRS:
        return pair_ncd(s, w, j->pairs[2 * i], j->pairs[2 * i + 1], &j->out[i]);
    case JOB_ROWS:
        j->out[i * s->n + i] = 0;
        for (size_t k = i + 1; k < s->n && err == HY_OK; k++) {
            err = pair_ncd(s, w, (uint32_t)i, (uint32_t)k, &j->out[i * s->n + k]);
            j->out[k * s->n + i] = j->out[i * s->n + k];
        }
        return err;
    }
    return HY_OK;
}

static void *job_run(void *arg)
{
    ncd_job *j = arg;
    ncd_worker w;
    size_t step = j->kind == JOB_ROWS ? 1 : NCD_CHUNK;
    hy_err err = worker_init(&w, j->s->maxlen);
    bool have = err == HY_OK;
    while (err == HY_OK && !atomic_load(&j->failed)) {
        size_t i0 = atomic_fetch_add(&j->next, step);
        if (i0 >= j->total)
            break;
        for (size_t i = i0; i < i0 + step && i < j->total && err == HY_OK; i++)
            err = job_item(j, &w, i);
    }
    if (have)
        worker_free(&w);
    if (err != HY_OK && !atomic_exchange(&j->failed, 1)) {
        j->err = err; /* the detail is this thread's: carried to the caller */
        snprintf(j->detail, sizeof j->detail, "%s", hy_err_detail());
    }
    return NULL;
}

/* Runs the job on s->threads threads (the caller's own when one). */
static hy_err job_exec(ncd_job *j)
{
    hy_thread *th[HY_MAX_THREADS];
    unsigned started = 0, want = j->s->threads;
    hy_err err = HY_OK;
    atomic_init(&j->next, 0);
    atomic_init(&j->failed, 0);
    j->err = HY_OK;
    if (want > 1 && j->total > NCD_CHUNK)
        for (; started < want - 1; started++)
            if ((err = hy_thread_start("hy-ncd", job_run, j, &th[started])) != HY_OK)
                break;
    job_run(j);
    for (unsigned t = 0; t < started; t++)
        hy_thread_join(th[t], NULL);
    if (err != HY_OK)
        return err;
    return atomic_load(&j->failed) ? hy_err_set(j->err, "%s", j->detail) : HY_OK;
}

hy_err hy_ncd_set_create(const void *const *blobs, const size_t *lens, size_t n,
                         unsigned threads, hy_ncd_set **out)
{
    if (!out)
        return hy_err_set(HY_ERR_ARG, "ncd: NULL out");
    *out = NULL;
    if (!blobs || !lens || n == 0 || n > HY_NCD_MAX_BLOBS)
        return hy_err_set(HY_ERR_ARG, "ncd: %zu blobs (1..%u, non-NULL)", n, HY_NCD_MAX_BLOBS);
    if (threads == 0 || threads > HY_MAX_THREADS)
        return hy_err_set(HY_ERR_ARG, "ncd: %u threads (1..%d)", threads, HY_MAX_THREADS);
    hy_ncd_set *s = calloc(1, sizeof *s);
    if (!s || !(s->csize = malloc(n * sizeof *s->csize))) {
        free(s);
        return hy_err_set(HY_ERR_NOMEM, "ncd: out of memory");
    }
    s->blob = (const uint8_t *const *)blobs;
    s->len = lens;
    s->n = n;
    s->threads = threads;
    for (size_t i = 0; i < n; i++) {
        if ((!blobs[i] && lens[i]) || lens[i] > HY_NCD_MAX_BLOB) {
            hy_ncd_set_destroy(s);
            return hy_err_set(HY_ERR_ARG, "ncd: blob %zu: %s", i,
                              lens[i] > HY_NCD_MAX_BLOB ? "too large" : "NULL");
        }
        if (lens[i] > s->maxlen)
            s->maxlen = lens[i];
    }
    ncd_job j = {.s = s, .kind = JOB_SIZES, .total = n};
    hy_err err = job_exec(&j);
    if (err != HY_OK) {
        hy_ncd_set_destroy(s);
        return err;
    }
    *out = s;
    return HY_OK;
}

void hy_ncd_set_destroy(hy_ncd_set *s)
{
    if (!s)
        return;
    free(s->csize);
    free(s);
}

hy_err hy_ncd_set_pairs(void *set, const uint32_t *pairs, size_t m, double *out)
{
    hy_ncd_set *s = set;
    if (!s || (m && (!pairs || !out)))
        return hy_err_set(HY_ERR_ARG, "ncd: NULL argument");
    for (size_t q = 0; q < 2 * m; q++)
        if (pairs[q] >= s->n)
            return hy_err_set(HY_ERR_ARG, "ncd: pair %zu: blob %u of %zu", q / 2, pairs[q],
                              s->n);
    ncd_job j = {.s = s, .kind = JOB_PAIRS, .pairs = pairs, .out = out, .total = m};
    return m ? job_exec(&j) : HY_OK;
}

hy_err hy_ncd_set_matrix(hy_ncd_set *s, double *d)
{
    if (!s || !d)
        return hy_err_set(HY_ERR_ARG, "ncd: NULL argument");
    ncd_job j = {.s = s, .kind = JOB_ROWS, .out = d, .total = s->n};
    return job_exec(&j);
}

hy_err hy_ncd_matrix(const void *const *blobs, const size_t *lens, size_t n, unsigned threads,
                     double *d)
{
    hy_ncd_set *s;
    if (!d)
        return hy_err_set(HY_ERR_ARG, "ncd: NULL matrix");
    hy_err err = hy_ncd_set_create(blobs, lens, n, threads, &s);
    if (err != HY_OK)
        return err;
    err = hy_ncd_set_matrix(s, d);
    hy_ncd_set_destroy(s);
    return err;
}
