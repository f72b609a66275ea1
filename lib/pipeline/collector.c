/* The collector: merges the workers' ordered streams into one total order,
 * feeds the non-sharded engines, sorts each tick's alerts, and drives the
 * sinks. Merge key: (seq, rank, flow first_seq | alert order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/internal.h"
#include "pipeline/models.h"
#include "pipeline/runner.h"
#include "pipeline/sink.h"

struct hy__collector {
    hy_pipeline *p;
    const hy_pipeline_cfg *cfg;
    int n;                       /* worker streams */
    hy_queue **streams;          /* threaded: one per worker */
    hy__out_batch **head;
    hy_thread *thr;
    double cpu;                  /* threaded: CPU seconds of its thread */
    hy__sink *sink;
    hy__runner **runners;
    size_t nrunners;
    hy_queue *alertq;            /* threaded runners -> collector */
    hy__out_batch *ebatch;       /* items for the engines, being filled */
    struct {                     /* global instances of combining engines */
        const hy_engine *e;
        void *state;
        unsigned model_gen;      /* models seen (models.h) */
    } *globals;
    size_t nglobals;
    hy_alert **pending;          /* engine alerts of the current tick */
    size_t npending, cappending;
    struct timespec last_flush;
    hy_err err;
    atomic_ullong live_flows, live_alerts, live_store_errors; /* published at ticks */
};

/* Text a pooled batch may keep: a batch that once held an unusually long
 * EVE line gives its buffer back instead. */
#define POOL_KEEP_TEXT (1u << 20)

hy__out_batch *hy__out_batch_new(hy_queue *pool)
{
    void *item;
    hy__out_batch *b;
    if (pool && hy_queue_try_pop(pool, &item) == HY_OK) {
        b = item;
    } else {
        if (!(b = malloc(sizeof *b)))
            return NULL;
        hy_buf_init(&b->text, (size_t)HY__OUT_ITEMS << 20);
    }
    b->n = b->pos = 0;
    b->pool = pool;
    atomic_init(&b->refs, 1);
    return b;
}

static void out_batch_free(void *item)
{
    hy__out_batch *b = item;
    hy_buf_free(&b->text);
    free(b);
}

void hy__out_batch_release(hy__out_batch *b)
{
    if (!b || atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    for (uint32_t i = 0; i < b->n; i++) {
        if (b->it[i].rank == HY__R_ALERT && b->it[i].alert)
            hy_alert_destroy(b->it[i].alert);
        if (b->it[i].rank == HY__R_PART && b->it[i].part)
            b->it[i].eng->free_partial(b->it[i].part);
    }
    b->n = 0;
    hy_buf_reset(&b->text);
    if (b->text.alloc > POOL_KEEP_TEXT)
        hy_buf_free(&b->text);
    if (!b->pool || hy_queue_try_push(b->pool, b) != HY_OK)
        out_batch_free(b);
}

void hy__out_batch_drop(void *item)
{
    hy__out_batch_release(item);
}

static void runner_msg_free(void *item)
{
    hy__runner_msg *m = item;
    hy_alert_destroy(m->alert);
    free(m);
}

void hy__out_pool_destroy(hy_queue *pool)
{
    hy_queue_destroy_items(pool, out_batch_free);
}

static hy_err pending_add(void *ud, hy_alert *a)
{
    hy__collector *c = ud;
    if (c->npending == c->cappending) {
        size_t ncap = c->cappending ? c->cappending * 2 : 64;
        hy_alert **np = realloc(c->pending, ncap * sizeof *np);
        if (!np) {
            hy_alert_destroy(a);
            return HY_ERR_NOMEM;
        }
        c->pending = np;
        c->cappending = ncap;
    }
    c->pending[c->npending++] = a;
    return HY_OK;
}

/* Series points of global instances go straight to the store: they come
 * out of the collector's thread in a deterministic order already. */
static hy_err series_add(void *ud, const hy_series_point *p)
{
    hy__collector *c = ud;
    return hy__sink_series(c->sink, p);
}

/* Sample records of global instances, likewise. */
static hy_err sample_add(void *ud, const hy_sample *v)
{
    hy__collector *c = ud;
    return hy__sink_sample(c->sink, v);
}

/* Reports of global instances, likewise (written at once: they are few). */
static hy_err report_add(void *ud, const hy_intel_record *r)
{
    hy__collector *c = ud;
    return hy__sink_report(c->sink, r);
}

static int alert_ptr_cmp(const void *x, const void *y)
{
    return hy_alert_cmp(*(hy_alert *const *)x, *(hy_alert *const *)y);
}

/* Takes the alerts threaded runners sent so far, without blocking; sleeps a
 * little when there were none. Only alerts can arrive here: watermarks are
 * awaited in on_tick before the collector moves on. */
static hy_err drain_alerts(hy__collector *c)
{
    void *item;
    int got = 0;
    while (hy_queue_try_pop(c->alertq, &item) == HY_OK) {
        hy__runner_msg *m = item;
        hy_err rc = m->alert ? pending_add(c, m->alert) : HY_ERR_INTERNAL;
        free(m);
        got++;
        if (rc != HY_OK)
            return rc;
    }
    if (!got)
        nanosleep(&(struct timespec){.tv_nsec = 50000}, NULL);
    return HY_OK;
}

/* Sends the engine batch to every runner (each gets a reference). */
static hy_err engines_send(hy__collector *c)
{
    hy__out_batch *b = c->ebatch;
    hy_err rc = HY_OK;
    c->ebatch = NULL;
    if (!b)
        return HY_OK;
    atomic_store(&b->refs, (int)c->nrunners);
    for (size_t i = 0; i < c->nrunners; i++) {
        hy_err e;
        /* A runner blocked on a full alert queue would never free room in its
         * input queue: drain alerts while waiting, so neither side stalls. */
        while ((e = hy__runner_deliver(c->runners[i], b)) == HY_ERR_AGAIN)
            if ((e = drain_alerts(c)) != HY_OK)
                break;
        if (rc == HY_OK)
            rc = e;
    }
    return rc;
}

static hy_err engines_add(hy__collector *c, const hy__item *it)
{
    if (!c->nrunners)
        return HY_OK;
    if (c->ebatch && c->ebatch->n == HY__OUT_ITEMS) {
        hy_err rc = engines_send(c);
        if (rc != HY_OK)
            return rc;
    }
    if (!c->ebatch && !(c->ebatch = hy__out_batch_new(hy__pipeline_pool(c->p))))
        return HY_ERR_NOMEM;
    hy__item *dst = &c->ebatch->it[c->ebatch->n++];
    *dst = *it;
    dst->alert = NULL;
    if (dst->rank == HY__R_ALERT) /* engines do not see alerts (yet) */
        c->ebatch->n--;
    return HY_OK;
}

/* Threaded runners: collects alerts until every runner sent its watermark. */
static hy_err wait_watermarks(hy__collector *c)
{
    size_t waiting = 0;
    hy_err rc = HY_OK;
    for (size_t i = 0; i < c->nrunners; i++)
        waiting += hy__runner_threaded(c->runners[i]);
    while (waiting) {
        void *item;
        if ((rc = hy_queue_pop(c->alertq, &item)) != HY_OK)
            return rc;
        hy__runner_msg *m = item;
        if (m->alert)
            rc = pending_add(c, m->alert);
        else
            waiting--;
        free(m);
    }
    return rc;
}

static bool flush_due(hy__collector *c)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - c->last_flush.tv_sec < 1)
        return false;
    c->last_flush = now;
    return true;
}

/* Makes the collector's counters visible to other threads. */
static void publish(hy__collector *c)
{
    uint64_t f, a, e;
    hy__sink_counts(c->sink, &f, &a, &e);
    atomic_store_explicit(&c->live_flows, f, memory_order_relaxed);
    atomic_store_explicit(&c->live_alerts, a, memory_order_relaxed);
    atomic_store_explicit(&c->live_store_errors, e, memory_order_relaxed);
}

void hy__collector_live(hy__collector *c, hy_pipeline_live *out)
{
    out->flows = atomic_load_explicit(&c->live_flows, memory_order_relaxed);
    out->alerts = atomic_load_explicit(&c->live_alerts, memory_order_relaxed);
    out->store_errors = atomic_load_explicit(&c->live_store_errors, memory_order_relaxed);
    hy__sink_webhook_counts(c->sink, &out->webhook_delivered, &out->webhook_retried,
                            &out->webhook_dropped, &out->webhook_undelivered);
    hy__sink_syslog_counts(c->sink, &out->syslog_sent, &out->syslog_dropped);
    for (int i = 0; c->cfg->threads > 1 && i < c->n && out->nqueues < HY_LIVE_MAX_QUEUES; i++) {
        snprintf(out->queue[out->nqueues].name, sizeof out->queue[0].name, "worker%d.out", i);
        out->queue[out->nqueues].depth = hy_queue_depth(c->streams[i]);
        out->queue[out->nqueues++].capacity = HY__STREAM_CAP;
    }
}

/* A tick (or the final item): engines close their windows, then this tick's
 * alerts go out sorted. */
static hy_err on_tick(hy__collector *c, const hy__item *it)
{
    hy_err rc = HY_OK;
    if (c->nrunners) {
        if ((rc = engines_add(c, it)) != HY_OK || (rc = engines_send(c)) != HY_OK ||
            (rc = wait_watermarks(c)) != HY_OK)
            return rc;
    }
    for (size_t i = 0; i < c->nglobals && rc == HY_OK; i++) {
        hy_emit inl = {.fn = pending_add, .ud = c, .series = series_add, .sample = sample_add,
                      .report = report_add};
        hy__models_sync(hy__pipeline_models(c->p), c->globals[i].e, c->globals[i].state,
                        &c->globals[i].model_gen, false);
        if (c->globals[i].e->tick)
            rc = c->globals[i].e->tick(c->globals[i].state, it->tick_ns,
                                       it->rank == HY__R_FINAL, &inl);
    }
    if (rc != HY_OK)
        return rc;
    if (c->npending > 1)
        qsort(c->pending, c->npending, sizeof *c->pending, alert_ptr_cmp);
    for (size_t i = 0; i < c->npending; i++) {
        hy_err e = hy__sink_alert(c->sink, c->pending[i]);
        if (rc == HY_OK)
            rc = e;
    }
    c->npending = 0;
    if (it->rank == HY__R_FINAL || flush_due(c)) {
        hy_err e = hy__sink_flush(c->sink);
        if (rc == HY_OK)
            rc = e;
    }
    publish(c);
    return rc;
}

/* Hands a shard's part to its engine's global instance (which owns it from
 * then on). */
static hy_err combine_part(hy__collector *c, hy__item *it)
{
    void *part = it->part;
    it->part = NULL;
    for (size_t i = 0; i < c->nglobals; i++)
        if (c->globals[i].e == it->eng)
            return it->eng->combine(c->globals[i].state, part);
    it->eng->free_partial(part);
    return hy_err_set(HY_ERR_INTERNAL, "engine %s: a part without a global instance",
                      it->eng->name);
}

static hy_err handle(hy__collector *c, const hy__out_batch *b, hy__item *it)
{
    hy_err rc;
    switch (it->rank) {
    case HY__R_FLOW:
        if ((rc = hy__sink_flow(c->sink, &it->flow,
                                it->eve_len ? b->text.data + it->eve_off : NULL,
                                it->eve_len)) != HY_OK)
            return rc;
        return engines_add(c, it);
    case HY__R_ALERT: {
        hy_alert *a = it->alert;
        it->alert = NULL; /* the sink owns it now */
        return hy__sink_alert(c->sink, a);
    }
    case HY__R_MARK:
        return HY_OK;
    case HY__R_PART:
        return combine_part(c, it);
    default:
        return on_tick(c, it);
    }
}

hy_err hy__collector_take(hy__collector *c, hy__out_batch *b)
{
    hy_err rc = HY_OK;
    for (uint32_t i = 0; i < b->n; i++) {
        hy_err e = handle(c, b, &b->it[i]);
        if (rc == HY_OK)
            rc = e;
    }
    hy__out_batch_release(b);
    if (c->err == HY_OK)
        c->err = rc;
    return rc;
}

static int item_cmp(const hy__item *a, const hy__item *b)
{
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->rank == HY__R_FLOW && a->flow.first_seq != b->flow.first_seq)
        return a->flow.first_seq < b->flow.first_seq ? -1 : 1;
    if (a->rank == HY__R_ALERT)
        return hy_alert_cmp(a->alert, b->alert);
    return 0;
}

/* Head item of stream i, fetching its next batch when needed; NULL at end. */
static hy__item *stream_head(hy__collector *c, int i)
{
    for (;;) {
        hy__out_batch *b = c->head[i];
        void *next;
        if (b && b->pos < b->n)
            return &b->it[b->pos];
        if (b) {
            hy__out_batch_release(b);
            c->head[i] = NULL;
        }
        if (!c->streams[i] || hy_queue_pop(c->streams[i], &next) != HY_OK)
            return NULL;
        c->head[i] = next;
    }
}

static void *collector_main(void *arg)
{
    hy__collector *c = arg;
    for (;;) {
        int best = -1;
        hy__item *bi = NULL;
        for (int i = 0; i < c->n; i++) {
            hy__item *h = stream_head(c, i);
            if (h && (!bi || item_cmp(h, bi) < 0)) {
                bi = h;
                best = i;
            }
        }
        if (!bi)
            break;
        bool barrier = bi->rank == HY__R_TICK || bi->rank == HY__R_FINAL;
        hy_err rc = handle(c, c->head[best], bi);
        if (rc != HY_OK && c->err == HY_OK)
            c->err = rc;
        if (!barrier) {
            c->head[best]->pos++;
            continue;
        }
        /* Every stream carries the same tick: consume it everywhere. */
        bool final = bi->rank == HY__R_FINAL;
        uint64_t seq = bi->seq;
        for (int i = 0; i < c->n; i++) {
            hy__item *h = stream_head(c, i);
            if (h && (h->rank == HY__R_TICK || h->rank == HY__R_FINAL) && h->seq == seq)
                c->head[i]->pos++;
        }
        if (final)
            break;
    }
    c->cpu = hy_thread_cpu_s();
    return NULL;
}

/* The global instance of a sharded engine that combines its shards' parts. */
static hy_err create_global(hy__collector *c, const hy_engine *e)
{
    hy_engine_env env = {.cfg = c->cfg->cfg, .log = c->cfg->log,
                         .store_path = c->cfg->store_path, .shard = -1,
                         .shards = c->cfg->threads};
    if (!e->combine)
        return HY_OK;
    if (!e->partial || !e->free_partial)
        return hy_err_set(HY_ERR_ARG, "engine %s: combine needs partial and free_partial",
                          e->name);
    if (!c->globals && !(c->globals = calloc(c->cfg->n_engines, sizeof *c->globals)))
        return HY_ERR_NOMEM;
    c->globals[c->nglobals].e = e;
    hy_err rc = e->create(&env, &c->globals[c->nglobals].state);
    if (rc == HY_OK)
        c->nglobals++;
    if (rc == HY_OK)
        rc = hy__models_sync(hy__pipeline_models(c->p), e, c->globals[c->nglobals - 1].state,
                             &c->globals[c->nglobals - 1].model_gen, true);
    return rc;
}

static hy_err create_runners(hy__collector *c, bool threaded)
{
    hy_engine_env env = {.cfg = c->cfg->cfg, .log = c->cfg->log,
                         .store_path = c->cfg->store_path, .shard = 0, .shards = 1};
    hy_emit inl = {.fn = pending_add, .ud = c};
    hy_err rc;

    c->runners = calloc(c->cfg->n_engines ? c->cfg->n_engines : 1, sizeof *c->runners);
    if (!c->runners)
        return HY_ERR_NOMEM;
    if (threaded && (rc = hy_queue_create(256, &c->alertq)) != HY_OK)
        return rc;
    for (size_t i = 0; i < c->cfg->n_engines; i++) {
        const hy_engine *e = c->cfg->engines[i];
        if (e->sharded) {
            if ((rc = create_global(c, e)) != HY_OK)
                return rc;
            continue;
        }
        if (e->consumes & HY_EV_BIT(HY_EV_PACKET))
            return hy_err_set(HY_ERR_UNSUPPORTED,
                              "engine %s consumes packets and must be sharded", e->name);
        rc = hy__runner_create(e, &env, (int)c->nrunners, &inl, hy__pipeline_models(c->p),
                               threaded ? c->alertq : NULL, &c->runners[c->nrunners]);
        if (rc != HY_OK)
            return rc;
        c->nrunners++;
    }
    return HY_OK;
}

hy_err hy__collector_create(hy_pipeline *p, int nstreams, hy__collector **out)
{
    hy_err rc = HY_ERR_NOMEM;
    hy__collector *c = calloc(1, sizeof *c);
    if (!c)
        return HY_ERR_NOMEM;
    c->p = p;
    c->cfg = hy__pipeline_cfg(p);
    c->n = nstreams;
    clock_gettime(CLOCK_MONOTONIC, &c->last_flush);
    c->streams = calloc((size_t)nstreams, sizeof *c->streams);
    c->head = calloc((size_t)nstreams, sizeof *c->head);
    if (!c->streams || !c->head)
        goto out;
    if (c->cfg->threads > 1)
        for (int i = 0; i < nstreams; i++)
            if ((rc = hy_queue_create(HY__STREAM_CAP, &c->streams[i])) != HY_OK)
                goto out;
    if ((rc = hy__sink_create(c->cfg, &c->sink)) != HY_OK ||
        (rc = create_runners(c, c->cfg->threads > 1)) != HY_OK)
        goto out;
    *out = c;
    return HY_OK;
out:
    hy__collector_destroy(c);
    return rc;
}

hy_queue *hy__collector_streamq(hy__collector *c, int i)
{
    return c->streams[i];
}

hy_err hy__collector_start(hy__collector *c)
{
    hy_err rc;
    for (size_t i = 0; i < c->nrunners; i++)
        if ((rc = hy__runner_start(c->runners[i])) != HY_OK)
            return rc;
    if (c->cfg->threads > 1)
        return hy_thread_start("hy-collect", collector_main, c, &c->thr);
    return HY_OK;
}

hy_err hy__collector_join(hy__collector *c)
{
    hy_err rc = HY_OK;
    if (c->thr) {
        rc = hy_thread_join(c->thr, NULL);
        c->thr = NULL;
    }
    for (size_t i = 0; i < c->nrunners; i++) {
        hy_err e = hy__runner_join(c->runners[i]);
        if (rc == HY_OK)
            rc = e;
    }
    if (rc == HY_OK)
        rc = hy__sink_flush(c->sink);
    return rc != HY_OK ? rc : c->err;
}

void hy__collector_counts(const hy__collector *c, uint64_t *flows, uint64_t *alerts,
                          uint64_t *store_errors)
{
    hy__sink_counts(c->sink, flows, alerts, store_errors);
}

double hy__collector_cpu(const hy__collector *c)
{
    return c->cpu;
}

void hy__collector_abort(hy__collector *c)
{
    if (!c)
        return;
    for (int i = 0; c->streams && i < c->n; i++)
        if (c->streams[i])
            hy_queue_close(c->streams[i]);
    if (c->alertq)
        hy_queue_close(c->alertq);
    if (c->thr) {
        hy_thread_join(c->thr, NULL);
        c->thr = NULL;
    }
    for (size_t i = 0; i < c->nrunners; i++)
        hy__runner_abort(c->runners[i]);
}

void hy__collector_destroy(hy__collector *c)
{
    if (!c)
        return;
    for (int i = 0; c->streams && i < c->n; i++) {
        hy_queue_destroy_items(c->streams[i], hy__out_batch_drop);
        if (c->head)
            hy__out_batch_release(c->head[i]);
    }
    for (size_t i = 0; i < c->nrunners; i++)
        hy__runner_destroy(c->runners[i]);
    for (size_t i = 0; i < c->nglobals; i++)
        c->globals[i].e->destroy(c->globals[i].state);
    free(c->globals);
    hy_queue_destroy_items(c->alertq, runner_msg_free);
    for (size_t i = 0; i < c->npending; i++)
        hy_alert_destroy(c->pending[i]);
    free(c->pending);
    hy__out_batch_release(c->ebatch);
    hy__sink_destroy(c->sink);
    free(c->runners);
    free(c->streams);
    free(c->head);
    free(c);
}
