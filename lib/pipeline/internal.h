/* hayate internal: the pipeline's stages and the messages between them. */
#ifndef HAYATE_PIPELINE_INTERNAL_H
#define HAYATE_PIPELINE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hayate/buf.h"
#include "hayate/pipeline.h"
#include "hayate/queue.h"
#include "hayate/thread.h"

/* Capture thread -> worker: packets copied into the batch arena, or a tick. */
typedef enum { HY__IN_PKTS, HY__IN_TICK, HY__IN_FINAL } hy__in_type;

/* A hy__pkt_ref with this link type is a file to analyse: its bytes in the
 * arena are the path (NUL-terminated), ts_ns its modification time, and
 * engines the engines it goes to (bit i: cfg.engines[i]). */
#define HY__LINK_FILE (-1)
/* ...with this link type, an external alert for the engines that consume
 * HY_EV_ALERT_IN: its bytes are the alert's text (an EVE object or a
 * fast.log line), ts_ns its time. Alerts all go to worker 0, in order, so
 * one screener sees them all. */
#define HY__LINK_ALERT (-2)

typedef struct hy__pkt_ref {
    uint64_t ts_ns, seq;
    uint32_t off, caplen;
    union {
        uint32_t wirelen; /* packets */
        uint32_t engines; /* HY__LINK_FILE: bit i for cfg.engines[i] */
    };
    int32_t linktype;
    uint32_t have; /* packets: the leading bytes in the arena (hy_shard_hash's keep);
                    * 0: all caplen */
} hy__pkt_ref;

typedef struct hy__in_batch hy__in_batch;
/* Frees an input batch and its arena (hy_queue_destroy_items). NULL is ok. */
void hy__in_batch_free(void *item);

typedef struct hy__in_batch {
    hy__in_type type;
    uint64_t tick_ns, tick_seq; /* TICK/FINAL: event time and next packet seq */
    uint64_t upto_seq;          /* PKTS: every packet before it was routed */
    uint32_t n, used;
    hy__pkt_ref pk[HY_BATCH_PACKETS];
    uint8_t *arena;             /* HY_BATCH_BYTES */
} hy__in_batch;

/* Worker -> collector: one ordered stream per worker. Items are ordered by
 * (seq, rank, then flow first_seq or alert order), the merge key. A MARK
 * carries no data: it promises that the stream's later items sort after it,
 * so the merge can go on past a worker that has little to say. */
typedef enum {
    HY__R_MARK = 0,
    HY__R_FLOW = 1,
    HY__R_ALERT = 2,
    HY__R_PART = 3, /* a sharded engine's partial state, for its global instance */
    HY__R_TICK = 4,
    HY__R_FINAL = 5
} hy__rank;

/* Threaded mode: a worker that has not been sent a batch for
 * hy__heartbeat(threads) packets is sent what it has (possibly nothing), and
 * a worker that has not flushed its stream for HY__MARK_EVERY packets marks
 * it. Together they bound how far the merge can lag the capture (under 9,000
 * packets, so at most ~300 full out batches), and a stream queue holds
 * HY__STREAM_CAP batches: a busy worker never fills its stream while the
 * merge waits on an idle one. See docs/PIPELINE.md. */
#define HY__MARK_EVERY 4096u
#define HY__STREAM_CAP 1024
static inline uint64_t hy__heartbeat(int threads)
{
    uint64_t hb = (uint64_t)HY_BATCH_PACKETS * 2u * (uint64_t)threads;
    return hb < 4096u ? hb : 4096u;
}

typedef struct hy__item {
    uint64_t seq;
    hy__rank rank;
    uint64_t tick_ns;           /* TICK/FINAL */
    hy_alert *alert;            /* ALERT: owned */
    void *part;                 /* PART: owned until combined */
    const hy_engine *eng;       /* PART: whose part */
    uint32_t eve_off, eve_len;  /* FLOW: its EVE line in the batch text, when
                                 * flows go to EVE (rendered by the worker,
                                 * so JSON formatting runs in parallel) */
    hy_flow flow;               /* FLOW */
} hy__item;

#define HY__OUT_ITEMS 64

typedef struct hy__out_batch {
    uint32_t n, pos;
    _Atomic int refs;           /* shared read-only with engine threads */
    hy_queue *pool;             /* where it goes back at the last reference */
    hy_buf text;                /* EVE lines of the FLOW items */
    hy__item it[HY__OUT_ITEMS];
} hy__out_batch;

/* Packets go to workers by slot: the shard hash's low bits pick one of
 * HY__SLOTS slots, and the pipeline deals the slots out (plan_slots). */
#define HY__SLOTS 256
/* How many slots worker i holds (HY__SLOTS with one thread). */
uint32_t hy__pipeline_slots(const hy_pipeline *p, int i);
/* Whether worker i runs on the capture thread (one thread, or worker 0
 * with a capture share). */
bool hy__pipeline_inline(const hy_pipeline *p, int i);

typedef struct hy__worker hy__worker;
typedef struct hy__collector hy__collector;

/* Decode/flow worker: one shard of the flow table. */
hy_err hy__worker_create(hy_pipeline *p, int shard, hy__worker **out);
void hy__worker_destroy(hy__worker *w);
/* Processes one input batch (packets or a tick) on the calling thread. */
hy_err hy__worker_process(hy__worker *w, hy__in_batch *b);
/* Processes one packet whose bytes are at data (inline mode, no copy). */
hy_err hy__worker_packet(hy__worker *w, const hy__pkt_ref *r, const uint8_t *data);
/* Inline worker of a threaded pipeline: marks its stream at upto (every
 * packet numbered before upto has been processed) when it has said nothing
 * for HY__MARK_EVERY packets, or, with force, since its last item. */
hy_err hy__worker_mark(hy__worker *w, uint64_t upto, bool force);
/* Runs the worker loop on its own thread (threads > 1). */
hy_err hy__worker_start(hy__worker *w);
hy_err hy__worker_join(hy__worker *w);
/* Queues of the threaded worker: input batches and recycled empty batches. */
hy_queue *hy__worker_inq(hy__worker *w);
hy_queue *hy__worker_freeq(hy__worker *w);
void hy__worker_stats(const hy__worker *w, hy_decode_stats *d, hy_flow_stats *f);
/* Files the worker read (and bytes), and files it could not read. */
void hy__worker_file_stats(const hy__worker *w, uint64_t *files, uint64_t *bytes,
                           uint64_t *unreadable);
/* Starts a list of files: the work counted per worker starts again from
 * zero, so a big file of an earlier list (a spool scan) does not keep its
 * worker from the next list's files. */
void hy__pipeline_files_begin(hy_pipeline *p);
/* Routes one file of size bytes (the capture side, pipeline.c): the path goes
 * to the worker with the least file work routed since hy__pipeline_files_begin,
 * counting each file as its size plus a fixed share (round robin left one of
 * two workers with 35 % more of the malware benchmark's work). */
hy_err hy__pipeline_route_file(hy_pipeline *p, const char *path, uint64_t mtime_ns, uint64_t size,
                               uint32_t engines);
/* The engine mask of hy__pipeline_route_file for engine (NULL: every file
 * engine); HY_ERR_CONFIG naming it when no enabled file engine has that
 * name. */
hy_err hy__pipeline_file_engines(const hy_pipeline *p, const char *engine, uint32_t *mask);
/* CPU seconds of a threaded worker's thread, known once it was joined. */
double hy__worker_cpu(const hy__worker *w);
/* Closes the worker's queues and joins its thread, if started (error paths:
 * call after hy__collector_abort so a blocked push cannot hang the join). */
void hy__worker_abort(hy__worker *w);

/* The collector merges worker streams, runs the engines and the sinks. */
hy_err hy__collector_create(hy_pipeline *p, int nstreams, hy__collector **out);
void hy__collector_destroy(hy__collector *c);
/* Inline mode (threads == 1): takes one finished out batch of stream 0. */
hy_err hy__collector_take(hy__collector *c, hy__out_batch *b);
/* Threaded mode: the queue that carries stream i's out batches. */
hy_queue *hy__collector_streamq(hy__collector *c, int i);
hy_err hy__collector_start(hy__collector *c);
hy_err hy__collector_join(hy__collector *c);
/* Closes every queue the collector and its runners wait on, then joins their
 * threads, if started (error paths). */
void hy__collector_abort(hy__collector *c);
/* CPU seconds of the collector's thread, known once it was joined. */
double hy__collector_cpu(const hy__collector *c);
void hy__collector_counts(const hy__collector *c, uint64_t *flows, uint64_t *alerts,
                          uint64_t *store_errors);

/* Out batches, shared by workers and the collector. A batch comes from
 * pool when it has one (its text buffer keeps its memory), else from
 * malloc; at its last reference it is emptied and goes back to the pool,
 * or is freed when the pool is full or NULL. Recycling them keeps the
 * workers from faulting fresh pages in for every batch (docs/PIPELINE.md).
 * Several threads pop the pool (hy_queue_try_pop under its one lock). */
hy__out_batch *hy__out_batch_new(hy_queue *pool);
void hy__out_batch_release(hy__out_batch *b);
/* hy__out_batch_release for hy_queue_destroy_items. */
void hy__out_batch_drop(void *item);
/* Frees every batch in pool, then the pool. NULL is ok. */
void hy__out_pool_destroy(hy_queue *pool);
/* The pipeline's out-batch pool. */
hy_queue *hy__pipeline_pool(const hy_pipeline *p);

/* Called by a worker to hand a full (or final) out batch downstream. */
hy_err hy__pipeline_emit_batch(hy_pipeline *p, int shard, hy__out_batch *b);

/* Accessors the stages need. */
const hy_pipeline_cfg *hy__pipeline_cfg(const hy_pipeline *p);
struct hy__models *hy__pipeline_models(const hy_pipeline *p);
/* The collector's live counters and stream queue depths. */
void hy__collector_live(hy__collector *c, hy_pipeline_live *out);

#endif
