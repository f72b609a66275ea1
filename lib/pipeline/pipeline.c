/* The capture side of the pipeline: reads sources, numbers packets, routes
 * them to workers by shard hash, and broadcasts event-time ticks. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/clock.h"
#include "net/shard.h"
#include "pipeline/internal.h"
#include "pipeline/models.h"

struct hy_pipeline {
    hy_pipeline_cfg cfg;
    hy__worker **workers;
    hy__in_batch **cur; /* threaded: batch being filled per worker */
    uint64_t *sent_seq; /* threaded: p->seq when each was last sent */
    uint64_t *file_load; /* bytes of files routed to each worker (plus a per-file share) */
    hy__collector *coll;
    uint64_t seq; /* next packet sequence number */
    uint64_t next_tick, last_ts;
    bool have_time, finished;
    volatile sig_atomic_t stop;
    hy_source *_Atomic src;
    hy_pipeline_stats st;
    hy__models *models;
    uint64_t started_ns; /* CLOCK_MONOTONIC */
    atomic_bool taking;  /* created and not finished: inputs may come */
    atomic_ullong live_packets, live_bytes, live_dropped; /* published copies */
    hy_pipeline_poll_fn poll; /* served during live feeds (hy_pipeline_set_poll) */
    void *poll_ud;
    uint64_t poll_every_ns, poll_next_ns; /* CLOCK_MONOTONIC */
    hy_queue *pool;                       /* recycled out batches (hy__out_batch_new) */
    bool inline0;                         /* threaded, and worker 0 runs on the capture thread */
    uint8_t slot[HY__SLOTS];              /* worker of each shard-hash slot */
};

const hy_pipeline_cfg *hy__pipeline_cfg(const hy_pipeline *p)
{
    return &p->cfg;
}

hy_queue *hy__pipeline_pool(const hy_pipeline *p)
{
    return p->pool;
}

hy__models *hy__pipeline_models(const hy_pipeline *p)
{
    return p->models;
}

/* Makes the capture thread's counters visible to other threads. */
static void publish(hy_pipeline *p)
{
    atomic_store_explicit(&p->live_packets, p->st.packets, memory_order_relaxed);
    atomic_store_explicit(&p->live_bytes, p->st.bytes, memory_order_relaxed);
    atomic_store_explicit(&p->live_dropped, p->st.hayate_dropped, memory_order_relaxed);
}

void hy_pipeline_live_get(hy_pipeline *p, hy_pipeline_live *out)
{
    memset(out, 0, sizeof *out);
    /* running while it takes input of any kind: a capture, or followed
     * files and spool folders between captures */
    out->running = atomic_load(&p->taking);
    out->seconds = (double)(hy_clock_ns(CLOCK_MONOTONIC) - p->started_ns) / 1e9;
    out->packets = atomic_load_explicit(&p->live_packets, memory_order_relaxed);
    out->bytes = atomic_load_explicit(&p->live_bytes, memory_order_relaxed);
    out->dropped = atomic_load_explicit(&p->live_dropped, memory_order_relaxed);
    for (int i = 0; p->cfg.threads > 1 && i < p->cfg.threads; i++) {
        if (out->nqueues == HY_LIVE_MAX_QUEUES)
            break;
        snprintf(out->queue[out->nqueues].name, sizeof out->queue[0].name, "worker%d.in", i);
        out->queue[out->nqueues].depth = hy_queue_depth(hy__worker_inq(p->workers[i]));
        out->queue[out->nqueues++].capacity = HY_QUEUE_DEFAULT_CAP;
    }
    hy__collector_live(p->coll, out);
    hy__models_live(p->models, out);
}

hy_err hy_pipeline_cfg_from_config(const hy_config *c, const hy_engine **engines, size_t cap,
                                   hy_pipeline_cfg *pc)
{
    size_t n;
    const char *const *names = hy_config_list(c, "engines.enabled", &n);
    memset(pc, 0, sizeof *pc);
    pc->threads = (int)hy_config_int(c, "run.threads");
    pc->capture_share = (int)hy_config_int(c, "run.capture_share");
    /* auto: under a worker's share, as the capture thread also reads and
     * routes (40 / threads, measured best of 15-30 % with 2); none when live */
    if (pc->capture_share < 0)
        pc->capture_share = *hy_config_str(c, "input.interface") ? 0 : 40 / pc->threads;
    pc->tick_ns = (uint64_t)hy_config_int(c, "run.tick_ms") * 1000000ull;
    hy_flow_cfg_default(&pc->flow);
    pc->flow.max_flows = (size_t)hy_config_int(c, "flow.max");
    pc->flow.idle_ns = (uint64_t)hy_config_int(c, "flow.idle_timeout") * 1000000000ull;
    pc->flow.active_ns = (uint64_t)hy_config_int(c, "flow.active_timeout") * 1000000000ull;
    pc->flow.tcp_closed_ns = (uint64_t)hy_config_int(c, "flow.tcp_closed_timeout") * 1000000000ull;
    pc->flow.community_seed = (uint16_t)hy_config_int(c, "flow.community_id_seed");
    pc->no_flows = !hy_config_bool(c, "flow.enabled");
    pc->eve_flows = hy_config_bool(c, "output.eve_flows");
    pc->store_flows = hy_config_bool(c, "store.flows");
    pc->store_batch = (size_t)hy_config_int(c, "store.batch");
    pc->engines = engines;
    pc->cfg = c;
    for (size_t i = 0; i < n; i++) {
        const hy_engine *e = hy_engine_find(names[i]);
        bool dup = false;
        if (!e || pc->n_engines == cap)
            return hy_err_set(HY_ERR_CONFIG, "engines.enabled: unknown engine '%.40s'", names[i]);
        for (size_t k = 0; k < pc->n_engines; k++)
            dup |= engines[k] == e;
        if (!dup) /* named twice (config and a flag): one instance */
            engines[pc->n_engines++] = e;
    }
    return HY_OK;
}

hy_err hy_pipeline_reload_models(hy_pipeline *p)
{
    return hy__models_resolve(p->models);
}

hy_err hy__pipeline_emit_batch(hy_pipeline *p, int shard, hy__out_batch *b)
{
    if (p->cfg.threads == 1)
        return hy__collector_take(p->coll, b);
    hy_err rc = hy_queue_push(hy__collector_streamq(p->coll, shard), b);
    if (rc != HY_OK)
        hy__out_batch_release(b);
    return rc;
}

/* Out batches kept for reuse: more than the workers and the collector
 * have in hand between two merges, a few MB at most. */
#define OUT_POOL 256

void hy__in_batch_free(void *item)
{
    hy__in_batch *b = item;
    if (b) {
        free(b->arena);
        free(b);
    }
}

static hy__in_batch *batch_new(void)
{
    hy__in_batch *b = calloc(1, sizeof *b);
    if (b && !(b->arena = malloc(HY_BATCH_BYTES))) {
        free(b);
        b = NULL;
    }
    return b;
}

/* Which worker each of the HY__SLOTS shard-hash slots goes to. With a
 * capture share, worker 0 runs on the capture thread and takes the first
 * share% of the slots; the other slots are dealt out to the threaded
 * workers in turn. */
static void plan_slots(hy_pipeline *p)
{
    int n = p->cfg.threads, k = 0, first = 0;
    if (n > 1 && p->cfg.capture_share > 0) {
        int share = p->cfg.capture_share > 50 ? 50 : p->cfg.capture_share;
        k = (HY__SLOTS * share + 50) / 100;
        first = k > 0;
    }
    p->inline0 = first;
    for (int s = 0; s < HY__SLOTS; s++)
        p->slot[s] = (uint8_t)(s < k ? 0 : first + (s - k) % (n - first));
}

uint32_t hy__pipeline_slots(const hy_pipeline *p, int i)
{
    uint32_t c = 0;
    if (p->cfg.threads == 1)
        return HY__SLOTS;
    for (int s = 0; s < HY__SLOTS; s++)
        c += p->slot[s] == i;
    return c;
}

bool hy__pipeline_inline(const hy_pipeline *p, int i)
{
    return p->cfg.threads == 1 || (i == 0 && p->inline0);
}

static hy_err start_threads(hy_pipeline *p)
{
    hy_err rc;
    for (int i = p->inline0; i < p->cfg.threads && p->cfg.threads > 1; i++) {
        hy_queue *fq = hy__worker_freeq(p->workers[i]);
        for (int k = 0; k < HY_QUEUE_DEFAULT_CAP + 2; k++) {
            hy__in_batch *b = batch_new();
            if (!b)
                return HY_ERR_NOMEM;
            if ((rc = hy_queue_push(fq, b)) != HY_OK) {
                hy__in_batch_free(b);
                return rc;
            }
        }
        if ((rc = hy__worker_start(p->workers[i])) != HY_OK)
            return rc;
    }
    return hy__collector_start(p->coll);
}

hy_err hy_pipeline_create(const hy_pipeline_cfg *cfg, hy_pipeline **out)
{
    hy_err rc = HY_ERR_NOMEM;
    hy_pipeline *p;

    if (cfg->threads < 1 || cfg->threads > HY_MAX_THREADS || !cfg->tick_ns)
        return hy_err_set(HY_ERR_ARG, "pipeline: threads must be 1..%d and tick > 0",
                          HY_MAX_THREADS);
    if (!(p = calloc(1, sizeof *p)))
        return HY_ERR_NOMEM;
    p->cfg = *cfg;
    p->started_ns = hy_clock_ns(CLOCK_MONOTONIC);
    if ((rc = hy__models_create(cfg, &p->models)) != HY_OK) {
        free(p);
        return rc;
    }
    rc = HY_ERR_NOMEM;
    p->workers = calloc((size_t)cfg->threads, sizeof *p->workers);
    p->cur = calloc((size_t)cfg->threads, sizeof *p->cur);
    p->sent_seq = calloc((size_t)cfg->threads, sizeof *p->sent_seq);
    p->file_load = calloc((size_t)cfg->threads, sizeof *p->file_load);
    if (!p->workers || !p->cur || !p->sent_seq || !p->file_load)
        goto out;
    if ((rc = hy_queue_create(OUT_POOL, &p->pool)) != HY_OK)
        goto out;
    if ((rc = hy__collector_create(p, cfg->threads, &p->coll)) != HY_OK)
        goto out;
    plan_slots(p);
    for (int i = 0; i < cfg->threads; i++)
        if ((rc = hy__worker_create(p, i, &p->workers[i])) != HY_OK)
            goto out;
    if ((rc = start_threads(p)) != HY_OK)
        goto out;
    atomic_store(&p->taking, true);
    *out = p;
    return HY_OK;
out:
    /* Stop whatever threads started before freeing what they use. */
    hy__collector_abort(p->coll);
    for (int i = 0; p->workers && i < cfg->threads; i++)
        hy__worker_abort(p->workers[i]);
    p->finished = true;
    hy_pipeline_destroy(p);
    return rc;
}

/* Pushes worker i's current batch (threaded mode), which holds every packet
 * numbered before upto that goes to i (the worker may mark its stream
 * there). Live sources drop a packet batch instead of blocking when the
 * worker is behind. */
static hy_err dispatch_upto(hy_pipeline *p, int i, bool live, uint64_t upto)
{
    hy__in_batch *b = p->cur[i];
    hy_queue *q = hy__worker_inq(p->workers[i]);
    hy_err rc;

    if (!b)
        return HY_OK;
    p->cur[i] = NULL;
    b->upto_seq = p->sent_seq[i] = upto;
    if (live && b->type == HY__IN_PKTS) {
        if ((rc = hy_queue_try_push(q, b)) == HY_ERR_AGAIN) {
            p->st.hayate_dropped += b->n;
            b->n = b->used = 0;
            return hy_queue_push(hy__worker_freeq(p->workers[i]), b);
        }
        return rc;
    }
    return hy_queue_push(q, b);
}

/* dispatch_upto when every packet numbered so far has been routed. */
static hy_err dispatch(hy_pipeline *p, int i, bool live)
{
    return dispatch_upto(p, i, live, p->seq);
}

static hy_err get_batch(hy_pipeline *p, int i)
{
    void *item;
    hy_err rc;
    if (p->cur[i])
        return HY_OK;
    if ((rc = hy_queue_pop(hy__worker_freeq(p->workers[i]), &item)) != HY_OK)
        return rc;
    p->cur[i] = item;
    p->cur[i]->type = HY__IN_PKTS;
    p->cur[i]->n = p->cur[i]->used = 0;
    return HY_OK;
}

/* Sends a tick (or the final marker) to every worker, after their packets. */
static hy_err broadcast(hy_pipeline *p, hy__in_type type, uint64_t now, bool live)
{
    hy_err rc;
    p->st.ticks += type == HY__IN_TICK;
    for (int j = 0; j < p->cfg.threads; j++) {
        int i = p->inline0 ? (j + 1) % p->cfg.threads : j; /* the inline worker last */
        if (p->cfg.threads == 1 || (i == 0 && p->inline0)) {
            hy__in_batch t = {.type = type, .tick_ns = now, .tick_seq = p->seq};
            if ((rc = hy__worker_process(p->workers[i], &t)) != HY_OK)
                return rc;
            continue;
        }
        if ((rc = dispatch(p, i, live)) != HY_OK || (rc = get_batch(p, i)) != HY_OK)
            return rc;
        p->cur[i]->type = type;
        p->cur[i]->tick_ns = now;
        p->cur[i]->tick_seq = p->seq;
        if ((rc = dispatch(p, i, false)) != HY_OK)
            return rc;
    }
    return HY_OK;
}

/* Emits the ticks due before a packet at ts. A long silence in the input
 * collapses into one tick at the packet's own interval. */
static hy_err advance_time_slow(hy_pipeline *p, uint64_t ts, bool live)
{
    uint64_t t = p->cfg.tick_ns;
    if (!p->have_time) {
        p->have_time = true;
        p->next_tick = (ts / t + 1) * t;
        return HY_OK;
    }
    if (ts < p->next_tick)
        return HY_OK;
    if ((ts - p->next_tick) / t > 1000)
        p->next_tick = ts / t * t;
    while (ts >= p->next_tick) {
        hy_err rc = broadcast(p, HY__IN_TICK, p->next_tick, live);
        if (rc != HY_OK)
            return rc;
        p->next_tick += t;
    }
    return HY_OK;
}

/* advance_time_slow when a tick may be due: most packets fall inside the
 * current interval and cost one comparison. */
static inline hy_err advance_time(hy_pipeline *p, uint64_t ts, bool live)
{
    if (__builtin_expect(p->have_time && ts < p->next_tick, 1))
        return HY_OK;
    return advance_time_slow(p, ts, live);
}

/* Sends every worker that has not had a batch for hy__heartbeat packets
 * what it has (possibly nothing), so its stream can be marked. upto is the
 * number of the packet being routed: it is not in any batch yet, so no
 * mark may pass it. */
static hy_err heartbeat(hy_pipeline *p, bool live, uint64_t upto)
{
    uint64_t hb = hy__heartbeat(p->cfg.threads);
    if (p->inline0) {
        hy_err rc = hy__worker_mark(p->workers[0], upto, false);
        if (rc != HY_OK)
            return rc;
    }
    for (int i = p->inline0; i < p->cfg.threads; i++) {
        hy_err rc;
        if (upto - p->sent_seq[i] < hb)
            continue;
        if ((rc = get_batch(p, i)) != HY_OK || (rc = dispatch_upto(p, i, live, upto)) != HY_OK)
            return rc;
    }
    return HY_OK;
}

/* route_ref's way when the current batch cannot take r as it is: no batch
 * yet, or a full one. Leaves a batch with room. */
static hy_err batch_ready(hy_pipeline *p, uint64_t seq, uint32_t n, int i, bool live)
{
    hy_err rc;
    if ((rc = get_batch(p, i)) != HY_OK)
        return rc;
    hy__in_batch *b = p->cur[i];
    if (b->n == HY_BATCH_PACKETS || HY_BATCH_BYTES - b->used < n)
        if ((rc = dispatch_upto(p, i, live, seq)) != HY_OK || (rc = get_batch(p, i)) != HY_OK)
            return rc;
    return HY_OK;
}

/* Hands reference r (its first r->have bytes at data, or all caplen when
 * have is 0) to worker i, or runs it inline with one thread. Inline: most
 * packets go straight into the worker's current batch. */
static inline __attribute__((always_inline)) hy_err route_ref(hy_pipeline *p, const hy__pkt_ref *r,
                                                              const uint8_t *data, int i, bool live)
{
    if (p->cfg.threads == 1)
        return hy__worker_packet(p->workers[0], r, data);
    if (__builtin_expect((r->seq & 63) == 0, 0)) {
        hy_err rc = heartbeat(p, live, r->seq);
        if (rc != HY_OK)
            return rc;
    }
    if (i == 0 && p->inline0)
        return hy__worker_packet(p->workers[0], r, data);
    uint32_t n = r->have ? r->have : r->caplen;
    hy__in_batch *b = p->cur[i];
    bool fits = b && b->n < HY_BATCH_PACKETS && HY_BATCH_BYTES - b->used >= n;
    if (__builtin_expect(!fits, 0)) {
        hy_err rc = batch_ready(p, r->seq, n, i, live);
        if (rc != HY_OK)
            return rc;
        b = p->cur[i];
    }
    hy__pkt_ref *d = &b->pk[b->n++];
    *d = *r;
    d->off = b->used;
    memcpy(b->arena + b->used, data, n);
    b->used += n;
    return HY_OK;
}

static hy_err route(hy_pipeline *p, const hy_raw_pkt *raw, bool live)
{
    hy__pkt_ref r = {.ts_ns = raw->ts_ns,
                     .seq = p->seq++,
                     .caplen = raw->caplen > HY_MAX_SNAPLEN ? HY_MAX_SNAPLEN : raw->caplen,
                     .wirelen = raw->wirelen,
                     .linktype = raw->linktype};
    /* With more than one thread, worker threads get the headers only:
     * copying whole packets to them cost more than two threads gained on
     * full-payload captures. One thread, and the capture thread's own shard,
     * decode in place. */
    int i = 0;
    if (p->cfg.threads > 1)
        i = p->slot[hy_shard_hash(raw->linktype, raw->data, r.caplen, &r.have) & (HY__SLOTS - 1)];
    return route_ref(p, &r, raw->data, i, live);
}

hy_err hy__pipeline_file_engines(const hy_pipeline *p, const char *engine, uint32_t *mask)
{
    *mask = 0;
    for (size_t i = 0; i < p->cfg.n_engines && i < 32; i++) {
        const hy_engine *e = p->cfg.engines[i];
        if ((e->consumes & HY_EV_BIT(HY_EV_FILE)) && (!engine || strcmp(engine, e->name) == 0))
            *mask |= 1u << i;
    }
    if (engine && !*mask)
        return hy_err_set(HY_ERR_CONFIG, "files for the %.40s engine, which is not enabled",
                          engine);
    return HY_OK;
}

void hy__pipeline_files_begin(hy_pipeline *p)
{
    memset(p->file_load, 0, (size_t)p->cfg.threads * sizeof *p->file_load);
}

/* The worker with the least file work routed in this list so far (the lowest
 * index on a tie), charged with this file's: a file's analysis costs about
 * its size plus a fixed share. Files are analysed independently and merged
 * in sequence order, so the choice changes timing, never output. */
#define FILE_FIXED_BYTES (64u * 1024u)
static int least_loaded(hy_pipeline *p, uint64_t size)
{
    int best = 0;
    for (int i = 1; i < p->cfg.threads; i++)
        if (p->file_load[i] < p->file_load[best])
            best = i;
    p->file_load[best] += size + FILE_FIXED_BYTES;
    return best;
}

hy_err hy__pipeline_route_file(hy_pipeline *p, const char *path, uint64_t mtime_ns, uint64_t size,
                               uint32_t engines)
{
    size_t n = strlen(path) + 1;
    uint64_t ts = p->have_time && mtime_ns < p->last_ts ? p->last_ts : mtime_ns;
    hy_err rc;
    if (n > HY_MAX_PATH)
        return hy_err_set(HY_ERR_TOOBIG, "%.80s...: path longer than %u bytes", path, HY_MAX_PATH);
    if ((rc = advance_time(p, ts, false)) != HY_OK)
        return rc;
    p->last_ts = ts;
    hy__pkt_ref r = {.ts_ns = ts,
                     .seq = p->seq++,
                     .caplen = (uint32_t)n,
                     .engines = engines,
                     .linktype = HY__LINK_FILE};
    return route_ref(p, &r, (const uint8_t *)path, least_loaded(p, size), false);
}

hy_err hy_pipeline_feed_alert(hy_pipeline *p, const hy_alert_in *a)
{
    uint64_t ts;
    hy_err rc;
    if (!p || !a || a->raw.n == 0 || a->raw.n > HY_ALERTIN_MAX_LINE)
        return hy_err_set(HY_ERR_ARG, "pipeline: an alert of 1..%u bytes", HY_ALERTIN_MAX_LINE);
    ts = p->have_time && a->ts_ns < p->last_ts ? p->last_ts : a->ts_ns;
    if ((rc = advance_time(p, ts, false)) != HY_OK)
        return rc;
    p->last_ts = ts;
    hy__pkt_ref r = {.ts_ns = ts, .seq = p->seq++, .caplen = a->raw.n, .linktype = HY__LINK_ALERT};
    return route_ref(p, &r, (const uint8_t *)a->raw.p, 0, false);
}

void hy_pipeline_set_poll(hy_pipeline *p, hy_pipeline_poll_fn fn, void *ud, unsigned interval_ms)
{
    p->poll = fn;
    p->poll_ud = ud;
    p->poll_every_ns = (uint64_t)(interval_ms ? interval_ms : 1) * 1000000ull;
    p->poll_next_ns = 0;
}

/* A live feed serves the poll function when it is due (checked on read
 * timeouts and every 256 packets). */
static inline hy_err maybe_poll(hy_pipeline *p, bool live, bool quiet, uint64_t n)
{
    if (!live || !p->poll || (!quiet && (n & 0xff) != 0))
        return HY_OK;
    uint64_t now = hy_clock_ns(CLOCK_MONOTONIC);
    if (now < p->poll_next_ns)
        return HY_OK;
    p->poll_next_ns = now + p->poll_every_ns;
    return p->poll(p->poll_ud, p);
}

/* One source's feed: what each packet needs besides the packet. */
typedef struct feed_ctx {
    hy_pipeline *p;
    hy_source *src;
    bool live;
    uint64_t n; /* packets fed */
    hy_progress_fn progress;
    void *ud;
} feed_ctx;

/* One packet of a feed (hy_source_pkt_fn): time, routing, counts,
 * publication, progress, and for live feeds the poll function. */
static hy_err feed_packet(void *arg, const hy_raw_pkt *raw)
{
    feed_ctx *c = arg;
    hy_pipeline *p = c->p;
    hy_err rc;
    if ((rc = advance_time(p, raw->ts_ns, c->live)) != HY_OK ||
        (rc = route(p, raw, c->live)) != HY_OK || (rc = maybe_poll(p, c->live, false, c->n)))
        return rc;
    if (raw->ts_ns > p->last_ts)
        p->last_ts = raw->ts_ns;
    p->st.packets++;
    p->st.bytes += raw->caplen;
    if ((++c->n & 0x3ff) == 0)
        publish(p);
    if (c->progress && (c->n & 0xffff) == 0) {
        uint64_t done, total;
        hy_source_progress(c->src, &done, &total);
        c->progress(c->ud, done, total, p->st.packets);
    }
    return HY_OK;
}

/* Packets a call into libpcap reads for an offline feed: a stop request
 * waits for at most this many. */
#define FEED_DISPATCH 256

hy_err hy_pipeline_feed(hy_pipeline *p, hy_source *src, hy_progress_fn progress, void *ud,
                        hy_capture_stats *st)
{
    feed_ctx c = {
        .p = p, .src = src, .live = hy_source_is_live(src), .progress = progress, .ud = ud};
    hy_raw_pkt raw;
    hy_err rc = HY_OK;
    uint64_t dropped0 = p->st.hayate_dropped;

    atomic_store(&p->src, src);
    while (!p->stop) {
        if (!c.live) { /* files: many packets a call into libpcap */
            if ((rc = hy_source_dispatch(src, FEED_DISPATCH, feed_packet, &c)) != HY_OK)
                break;
            continue;
        }
        rc = hy_source_next(src, &raw);
        if (rc == HY_ERR_AGAIN) { /* live read timeout: time moves on anyway */
            if ((rc = advance_time(p, hy_clock_ns(CLOCK_REALTIME), true)) != HY_OK ||
                (rc = maybe_poll(p, true, true, c.n)) != HY_OK)
                break;
            continue;
        }
        if (rc != HY_OK || (rc = feed_packet(&c, &raw)) != HY_OK)
            break;
    }
    atomic_store(&p->src, NULL);
    publish(p);
    if (rc == HY_ERR_CLOSED || (rc == HY_OK && p->stop))
        rc = HY_OK;
    if (st) {
        hy_source_stats(src, st);
        st->hayate_dropped = p->st.hayate_dropped - dropped0; /* this source's */
    }
    /* Hand over partly filled batches so nothing read is left behind. */
    for (int i = p->inline0; p->cfg.threads > 1 && i < p->cfg.threads; i++) {
        hy_err e = dispatch(p, i, false);
        if (rc == HY_OK)
            rc = e;
    }
    if (p->inline0) { /* and what the capture thread's own shard has */
        hy_err e = hy__worker_mark(p->workers[0], p->seq, true);
        if (rc == HY_OK)
            rc = e;
    }
    return rc;
}

hy_err hy_pipeline_idle(hy_pipeline *p, uint64_t now_ns)
{
    hy_err rc = HY_OK;
    if (p->finished)
        return hy_err_set(HY_ERR_ARG, "pipeline: idle after finish");
    if (now_ns > p->last_ts) {
        if ((rc = advance_time(p, now_ns, false)) != HY_OK)
            return rc;
        p->last_ts = now_ns;
    }
    for (int i = p->inline0; p->cfg.threads > 1 && i < p->cfg.threads && rc == HY_OK; i++)
        rc = dispatch(p, i, false);
    if (p->inline0 && rc == HY_OK)
        rc = hy__worker_mark(p->workers[0], p->seq, true);
    return rc;
}

hy_err hy_pipeline_finish(hy_pipeline *p)
{
    hy_err rc, e;
    if (p->finished)
        return HY_OK;
    p->finished = true;
    atomic_store(&p->taking, false);
    rc = broadcast(p, HY__IN_FINAL, p->have_time ? p->last_ts : 0, false);
    for (int i = 0; p->cfg.threads > 1 && i < p->cfg.threads; i++)
        if ((e = hy__worker_join(p->workers[i])) != HY_OK && rc == HY_OK)
            rc = e;
    if ((e = hy__collector_join(p->coll)) != HY_OK && rc == HY_OK)
        rc = e;
    for (int i = 0; i < p->cfg.threads; i++) {
        hy__worker_stats(p->workers[i], &p->st.decode, &p->st.flow);
        hy__worker_file_stats(p->workers[i], &p->st.files_read, &p->st.file_bytes,
                              &p->st.files_unreadable);
        double w = hy__worker_cpu(p->workers[i]);
        p->st.cpu_workers += w;
        p->st.cpu_worker_max = w > p->st.cpu_worker_max ? w : p->st.cpu_worker_max;
    }
    if (p->cfg.threads > 1) {
        p->st.cpu_capture = hy_thread_cpu_s();
        p->st.cpu_collector = hy__collector_cpu(p->coll);
    }
    hy__collector_counts(p->coll, &p->st.flows, &p->st.alerts, &p->st.store_errors);
    return rc;
}

void hy_pipeline_stop(hy_pipeline *p)
{
    hy_source *s = atomic_load(&p->src);
    p->stop = 1;
    if (s)
        hy_source_break(s);
}

void hy_pipeline_stats_get(const hy_pipeline *p, hy_pipeline_stats *st)
{
    *st = p->st;
}

void hy_pipeline_destroy(hy_pipeline *p)
{
    if (!p)
        return;
    if (!p->finished)
        hy_pipeline_finish(p);
    for (int i = 0; p->workers && i < p->cfg.threads; i++) {
        if (p->cur)
            hy__in_batch_free(p->cur[i]);
        hy__worker_destroy(p->workers[i]);
    }
    hy__collector_destroy(p->coll);
    hy__out_pool_destroy(p->pool);
    hy__models_destroy(p->models);
    free(p->workers);
    free(p->cur);
    free(p->sent_seq);
    free(p->file_load);
    free(p);
}
