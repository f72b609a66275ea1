/* hayate: the pipeline (DESIGN §3, threads and determinism).
 *
 *   source ─> [capture thread] ─shard by symmetric hash─> N decode/flow workers
 *          ─> collector (ordered k-way merge) ─> engines ─> sinks (EVE, store)
 *
 * Every packet gets a sequence number; the capture thread broadcasts event-time
 * ticks to all workers; workers expire flows only at ticks; the collector
 * merges the workers' streams by (seq, kind, flow first_seq). Hence offline
 * input gives byte-identical output for any thread count. With threads == 1
 * everything runs inline on the caller's thread. */
#ifndef HAYATE_PIPELINE_H
#define HAYATE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "alertin.h"
#include "capture.h"
#include "decode.h"
#include "engine.h"
#include "flow.h"
#include "log.h"
#include "store.h"

typedef struct hy_pipeline hy_pipeline;

typedef struct hy_pipeline_cfg {
    int threads;                 /* decode/flow workers, 1..HY_MAX_THREADS */
    int capture_share;           /* threads > 1: percent (0..50) of the flows
                                    the capture thread decodes and meters
                                    itself, as worker 0, between reads; the
                                    other threads - 1 workers share the rest.
                                    0: every worker has its own thread */
    uint64_t tick_ns;            /* event-time tick interval */
    hy_flow_cfg flow;            /* max_flows is the total over all workers */
    bool no_flows;               /* skip the flow table (a telescope needs none) */
    FILE *eve;                   /* EVE JSON lines sink, or NULL */
    bool eve_flows;              /* write flow records to eve */
    hy_store *store;             /* or NULL */
    const char *store_path;      /* its file, handed to engines for read-only
                                    lookups (hy_engine_env), or NULL */
    bool store_flows;            /* write flow records to the store */
    size_t store_batch;          /* rows per transaction */
    const hy_engine *const *engines; /* enabled engines */
    size_t n_engines;
    const hy_config *cfg;        /* passed to engines */
    const hy_log *log;
    /* Optional observers, called on the collector thread in final order
     * (e.g. a front end's table printer or a live feed). */
    void (*on_flow)(void *ud, const hy_flow *f);
    void (*on_alert)(void *ud, const hy_alert *a);
    void *observer_ud;
} hy_pipeline_cfg;

typedef struct hy_pipeline_stats {
    uint64_t packets, bytes, ticks;
    uint64_t flows, alerts;
    uint64_t hayate_dropped;     /* live: batches dropped under overload, in packets */
    uint64_t store_errors;
    uint64_t files_read, file_bytes, files_unreadable; /* HY_EV_FILE events made */
    hy_decode_stats decode;
    hy_flow_stats flow;
    /* CPU seconds per thread (--threads > 1; all 0 when everything runs on
     * the calling thread): the caller's (capture), the busiest worker's and
     * all workers' (decode, flows, per-packet engine work), the collector's
     * (merge, global engine instances, sinks). */
    double cpu_capture, cpu_worker_max, cpu_workers, cpu_collector;
} hy_pipeline_stats;

/* What a running pipeline shows through the API (/api/stats, /metrics):
 * counters published by its threads as they go. */
#define HY_LIVE_MAX_QUEUES  (HY_MAX_THREADS * 2)
#define HY_LIVE_MAX_ENGINES 16
typedef struct hy_pipeline_live {
    bool running;               /* created and not finished: taking input */
    double seconds;             /* since it started (wall clock) */
    uint64_t packets, bytes, flows, alerts;
    uint64_t dropped;           /* packets dropped by hayate under overload */
    uint64_t store_errors;
    /* webhook: delivered, retried, skipped at a full queue, given up;
     * syslog: sent, dropped (the store keeps every alert regardless) */
    uint64_t webhook_delivered, webhook_retried, webhook_dropped, webhook_undelivered;
    uint64_t syslog_sent, syslog_dropped;
    double packets_per_s, alerts_per_s; /* since the previous look (filled
                                           by the caller that keeps it) */
    size_t nqueues;
    struct {
        char name[24];          /* "worker0.in".. and "worker0.out".. */
        size_t depth, capacity; /* batches */
    } queue[HY_LIVE_MAX_QUEUES];
    size_t nengines;
    struct {
        char name[24];
        bool learns;            /* the engine trains from verdicts */
        unsigned model;         /* model version loaded now (0: none) */
        unsigned reload_errors; /* reloads that failed (the old model stayed) */
    } engine[HY_LIVE_MAX_ENGINES];
} hy_pipeline_live;

/* Fills what is known now; safe from any thread while the pipeline runs. */
void hy_pipeline_live_get(hy_pipeline *p, hy_pipeline_live *out);

/* Re-reads every learning engine's current model version (models.dir in
 * the config; docs/MODELS.md); each instance loads it at its next tick, on
 * its own thread, between events: nothing is dropped. HY_ERR_NOTFOUND when
 * no enabled engine learns. Thread-safe; async-signal-unsafe. */
hy_err hy_pipeline_reload_models(hy_pipeline *p);

/* Fills pc from the config (run.*, flow.*, store.*, output.eve_flows,
 * engines.enabled resolved into engines[0..cap), duplicates once); eve,
 * store, log and the observers are left NULL for the caller.
 * HY_ERR_CONFIG naming an unknown engine. */
hy_err hy_pipeline_cfg_from_config(const hy_config *c, const hy_engine **engines, size_t cap,
                                   hy_pipeline_cfg *pc);

/* Progress callback, called from the capture thread about every 64k packets. */
typedef void (*hy_progress_fn)(void *ud, uint64_t bytes_done, uint64_t bytes_total,
                               uint64_t packets);

/* Creates the pipeline and starts its threads and engines. */
hy_err hy_pipeline_create(const hy_pipeline_cfg *cfg, hy_pipeline **out);

/* Reads src to its end (or until hy_pipeline_stop), feeding the pipeline.
 * May be called for several sources in turn; the sequence numbers and event
 * time continue across them. Capture statistics of src go to st. */
hy_err hy_pipeline_feed(hy_pipeline *p, hy_source *src, hy_progress_fn progress, void *ud,
                        hy_capture_stats *st);

/* What hy_pipeline_feed serves, on its own thread and between packets,
 * while it reads a live source: inputs that never end (followed files,
 * spool folders) are taken in during a capture that never ends either. fn
 * may feed p (hy_pipeline_feed_alert, hy_pipeline_spool_scan); an error it
 * returns ends the feed with that error. */
typedef hy_err (*hy_pipeline_poll_fn)(void *ud, hy_pipeline *p);

/* Has hy_pipeline_feed call fn(ud, p) about every interval_ms (wall clock)
 * while it reads a live source (never an offline one: offline output must
 * not depend on timing). NULL fn: no polling. */
void hy_pipeline_set_poll(hy_pipeline *p, hy_pipeline_poll_fn fn, void *ud, unsigned interval_ms);

/* What hy_pipeline_feed_files took in. */
typedef struct hy_files_stats {
    uint64_t files, bytes;     /* regular files handed to the engines */
    uint64_t skipped;          /* not regular (symlinks, devices...), over
                                  HY_MAX_FILE_BYTES, or past HY_MAX_FEED_FILES */
    uint64_t unreadable;       /* could not be opened or read */
} hy_files_stats;

/* One file of a folder walk. */
typedef struct hy_file_entry {
    char *path;
    uint64_t mtime_ns, size;
    uint64_t dev, ino;         /* its identity (st_dev, st_ino) */
} hy_file_entry;

/* The regular files of path (itself, or every one under it when it is a
 * folder: recursively, in byte order of the paths, symbolic links not
 * followed, at most HY_MAX_FEED_FILES files of at most HY_MAX_FILE_BYTES
 * each, HY_MAX_FEED_DEPTH deep; the rest counted in st, which may be
 * NULL). *out is malloc'd: free with hy_file_list_free. HY_ERR_NOTFOUND /
 * HY_ERR_IO naming path; HY_ERR_UNSUPPORTED for a path that is neither. */
hy_err hy_file_list(const char *path, hy_file_entry **out, size_t *n, hy_files_stats *st);
void hy_file_list_free(hy_file_entry *v, size_t n);

/* hy_file_list with another size cap: files over max_bytes are skipped
 * (UINT64_MAX: none; streams such as alert logs are read, not loaded). */
hy_err hy_file_list_upto(const char *path, uint64_t max_bytes, hy_file_entry **out, size_t *n,
                         hy_files_stats *st);

/* Feeds a file, or every regular file under a folder (recursively, in
 * byte order of their paths; symbolic links are not followed), to the
 * engine named engine (e.g. "malware" for samples, "intel" for reports),
 * or to every engine that consumes HY_EV_FILE when engine is NULL, after
 * the packets fed so far. HY_ERR_CONFIG naming engine when no enabled
 * engine of that name consumes files. Each file
 * gets the next sequence number; the sharded file engines' instances read
 * and analyse files in parallel (file i on worker i mod threads) and their
 * findings merge in sequence order, so the output does not depend on the
 * thread count. A file's event time is its modification time, held
 * monotonic. HY_ERR_NOTFOUND / HY_ERR_IO naming path when it cannot be
 * read at all; files that vanish or cannot be read later are counted in
 * st (may be NULL). */
hy_err hy_pipeline_feed_files(hy_pipeline *p, const char *path, const char *engine,
                              hy_progress_fn progress, void *ud, hy_files_stats *st);

/* Feeds the files v[0..n) (paths and modification times, e.g. part of a
 * hy_file_list), in that order and to engine (NULL: every file engine), as
 * hy_pipeline_feed_files feeds its walk. progress (may be NULL) is called
 * every 256 files. */
hy_err hy_pipeline_feed_list(hy_pipeline *p, const hy_file_entry *v, size_t n, const char *engine,
                             hy_progress_fn progress, void *ud);

/* Feeds one external alert (a's raw text and time; hy_alertin_parse's
 * output) to the engines that consume HY_EV_ALERT_IN, after what was fed
 * so far. Event time is the alert's, held monotonic. */
hy_err hy_pipeline_feed_alert(hy_pipeline *p, const hy_alert_in *a);

/* Feeds every alert of path: a file (EVE lines, a JSON array or fast.log),
 * every file under a folder (in byte order of the paths), or "-" (stdin).
 * Malformed lines are counted in st (may be NULL; added to) and never
 * stop the feed; st->first_bad names the first one with its file and
 * line. HY_ERR_NOTFOUND / HY_ERR_IO naming path when it cannot be read. */
hy_err hy_pipeline_feed_alerts(hy_pipeline *p, const char *path, hy_alertin_stats *st);

/* Lets event time follow the wall clock while no input arrives (between
 * spool scans): emits the ticks due by now_ns (CLOCK_REALTIME) and hands
 * partly filled batches to the workers, so what was fed so far is analysed,
 * handed to the global engine instances and stored without waiting for
 * more input. Files fed later get at least now_ns as their event time.
 * Call from the feeding thread, between feeds. */
hy_err hy_pipeline_idle(hy_pipeline *p, uint64_t now_ns);

/* A spool folder (input.spool): files dropped into it are taken once each,
 * when their size and modification time have stayed the same for a while,
 * and fed to the file engines (docs/malware.md, "Spool folders"). */
typedef struct hy_spool hy_spool;

#ifndef HY_SPOOL_PER_SCAN
#define HY_SPOOL_PER_SCAN 1024u /* files taken by one scan; the rest at the next */
#endif

typedef struct hy_spool_cfg {
    const char *dir;           /* the folder (copied) */
    unsigned settle_s;         /* seconds a file must stay unchanged, 0..3600 */
    size_t remember;           /* taken files remembered, 1..HY_MAX_FEED_FILES
                                  (0: HY_MAX_FEED_FILES); beyond, the oldest
                                  are forgotten */
    size_t per_scan;           /* files taken per scan, 1..HY_MAX_FEED_FILES
                                  (0: HY_SPOOL_PER_SCAN) */
    const char *engine;        /* the engine its files go to (copied), as
                                  hy_pipeline_feed_files; NULL: every file
                                  engine */
} hy_spool_cfg;

/* Makes the watcher of one spool folder (the folder is not read yet).
 * HY_ERR_ARG for an empty dir or a setting out of range. */
hy_err hy_spool_create(const hy_spool_cfg *cfg, hy_spool **out);
void hy_spool_destroy(hy_spool *s);

/* The decision of one scan, without feeding: of the listed files v[0..n)
 * (a hy_file_list of the folder), marks in take[] those due at now_ns
 * (CLOCK_MONOTONIC): not taken before with this identity, size and
 * modification time, and seen unchanged for settle_s seconds by earlier
 * calls (at once with settle_s 0); at most per_scan of them, in list
 * order; the others stay waiting. Due files count as taken from then on;
 * a file rewritten (new size or time) is due again. *ndue is how many.
 * HY_ERR_NOMEM leaves the watcher as it was. */
hy_err hy_spool_due(hy_spool *s, const hy_file_entry *v, size_t n, uint64_t now_ns, bool *take,
                    size_t *ndue);

/* One scan: lists the folder (as hy_file_list), feeds the due files
 * (hy_spool_due at the monotonic clock now) with hy_pipeline_feed_list to
 * the spool's engine,
 * and fills st (may be NULL): files and bytes taken now, and the listing's
 * skipped and unreadable counts. *more (may be NULL) is set when files were
 * left due for the next scan (per_scan reached): scan again soon.
 * HY_ERR_NOTFOUND / HY_ERR_IO naming the folder when it cannot be listed
 * (nothing is forgotten then). */
hy_err hy_pipeline_spool_scan(hy_pipeline *p, hy_spool *s, hy_files_stats *st, bool *more);

/* Ends the input: exports every flow, gives engines their final tick, waits
 * for the sinks, stops the threads. Safe to call once. */
hy_err hy_pipeline_finish(hy_pipeline *p);

/* Asks a running hy_pipeline_feed to stop soon (async-signal-safe). */
void hy_pipeline_stop(hy_pipeline *p);

/* Counters; complete after hy_pipeline_finish. */
void hy_pipeline_stats_get(const hy_pipeline *p, hy_pipeline_stats *st);

/* Frees everything (calls finish if needed). NULL is ok. */
void hy_pipeline_destroy(hy_pipeline *p);

#endif
