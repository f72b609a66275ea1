/* hayate: the engine contract (DESIGN §3). An engine is a table of callbacks
 * filled with designated initializers; lib/engine/engine_list.h lists them
 * all, one line each. The dispatcher feeds each engine its event kinds in a
 * deterministic order (by input sequence) on its own thread. */
#ifndef HAYATE_ENGINE_H
#define HAYATE_ENGINE_H

#include <stdint.h>
#include "alert.h"
#include "buf.h"
#include "config.h"
#include "decode.h"
#include "error.h"
#include "flow.h"
#include "log.h"
#include "series.h"
#include "store.h"

typedef enum hy_event_kind {
    HY_EV_PACKET = 0, /* decoded view into the capture buffer */
    HY_EV_FLOW,       /* flow record, on close */
    HY_EV_FILE,       /* a path or bytes plus detected type */
    HY_EV_TEXT,       /* a document */
    HY_EV_ALERT_IN,   /* an external alert, e.g. a Suricata EVE line */
    HY_EV_RECORD,     /* a structured record (sandbox report, AV report...) */
    HY_EV__COUNT
} hy_event_kind;

#define HY_EV_BIT(k) (1u << (k))

typedef struct hy_event {
    hy_event_kind kind;
    uint64_t ts_ns;   /* the event's own time */
    uint64_t seq;     /* position in the input: the deterministic order */
    union {
        const hy_pkt *pkt;
        const hy_flow *flow;
        struct { const char *path; const uint8_t *data; size_t len; const char *type; } file;
        struct { const char *name; const char *text; size_t len; } text;
        struct { const char *source; const char *json; size_t len; } record;
    } u;
} hy_event;

/* Hands a finding to the sinks. The callee takes ownership of a (on error
 * too). Returns HY_OK or the sink's error. series, when not NULL, stores a
 * time-series point (copied) in the store: it is set for the global instance
 * of combining engines (NULL on the shard side and, for now, for threaded
 * flow engines). */
typedef struct hy_emit {
    hy_err (*fn)(void *ud, hy_alert *a);
    void *ud;
    hy_err (*series)(void *ud, const hy_series_point *p);
    /* Stores a sample record (copied; the samples table), set where series
     * is: file engines report through their global instance. */
    hy_err (*sample)(void *ud, const hy_sample *s);
    /* Stores a report the intel engine analysed, with its indicators
     * (copied; the intel_reports and iocs tables), set where sample is. */
    hy_err (*report)(void *ud, const hy_intel_record *r);
} hy_emit;

static inline hy_err hy_emit_alert(const hy_emit *e, hy_alert *a)
{
    return e->fn(e->ud, a);
}

/* Stores a sample record where the emitter takes them; HY_OK otherwise. */
static inline hy_err hy_emit_sample(const hy_emit *e, const hy_sample *s)
{
    return e->sample ? e->sample(e->ud, s) : HY_OK;
}

/* Stores a report where the emitter takes them; HY_OK otherwise. */
static inline hy_err hy_emit_report(const hy_emit *e, const hy_intel_record *r)
{
    return e->report ? e->report(e->ud, r) : HY_OK;
}

/* Stores a series point where the emitter takes them; HY_OK otherwise. */
static inline hy_err hy_emit_series(const hy_emit *e, const hy_series_point *p)
{
    return e->series ? e->series(e->ud, p) : HY_OK;
}

/* Everything an engine instance is given when it is created. */
typedef struct hy_engine_env {
    const hy_config *cfg;
    const hy_log *log;
    int shard, shards; /* for sharded engines (shard -1: the global instance
                        * of an engine with combine); 0 and 1 otherwise */
    const char *store_path; /* the store the pipeline writes, for read-only
                             * lookups (hy_store_open_sqlite_reader); NULL:
                             * none */
} hy_engine_env;

typedef struct hy_engine {
    const char *name;     /* "darknet": also its config section and alert prefix */
    const char *summary;  /* one line */
    uint32_t consumes;    /* HY_EV_BIT(...) mask */
    bool sharded;         /* instances per decode shard (events of one flow
                             always reach the same instance; a sharded engine
                             consuming HY_EV_FLOW sees its shard's flows as
                             they close) */

    /* Creates an instance. *state is passed back to every other callback.
     * Must not keep pointers into env beyond cfg and log. */
    hy_err (*create)(const hy_engine_env *env, void **state);
    /* Frees the instance; called once, after the last tick. */
    void (*destroy)(void *state);
    /* One event, in input order. Pointers inside ev are valid only for the
     * call. Findings go out through emit. */
    hy_err (*on_event)(void *state, const hy_event *ev, const hy_emit *emit);
    /* Event time advanced to now_ns (every tick interval, and once at end of
     * input with final = true): close windows whose end is <= now_ns. */
    hy_err (*tick)(void *state, uint64_t now_ns, bool final, const hy_emit *emit);

    /* Sharded engines whose findings need every shard at once (counts over
     * all sources, say) come in two parts. At each tick, right after the
     * shard instance's tick, partial() hands over what that shard gathered
     * since its last call (NULL: nothing). One more instance, the global one,
     * is created with env.shard = -1; it never gets on_event, but receives
     * every shard's part through combine() and then its own tick(), on the
     * collector's side, so its alerts are sorted with the tick's others.
     * combine() must give the same state whatever the number of shards and
     * the order of the parts (sums, set unions, sketch merges): that keeps
     * findings identical for any thread count. combine() owns part from the
     * call on; free_partial() frees a part that never reached it (shutdown
     * after an error). All three NULL for other engines. */
    void *(*partial)(void *state, uint64_t now_ns);
    hy_err (*combine)(void *state, void *part);
    void (*free_partial)(void *part);

    /* Learning engines only (NULL otherwise): an engine learns from
     * analysts' verdicts when train is set (docs/MODELS.md). */
    /* The engine's feature columns in a training set, comma-separated (the
     * CSV header after "label,verdict,alert_id"); its SHA-256 is the model
     * manifest's feature-spec hash. */
    const char *feature_spec;
    /* Appends one stored alert's feature columns (CSV, no newline) to row.
     * HY_ERR_UNSUPPORTED: the engine does not learn from this alert (the
     * row is skipped); HY_ERR_FORMAT: its evidence is not what the engine
     * writes (the detail says what). */
    hy_err (*features)(const hy_alert *a, struct hy_buf *row);
    /* Learns from a training set (hayate dataset build's CSV) with the
     * instance's settings, writes the model to model_out, and a JSON object
     * of what it measured to metrics. HY_ERR_FORMAT names a bad line. */
    hy_err (*train)(void *state, const char *dataset_path, const char *model_out,
                    struct hy_buf *metrics);
    /* Replaces the instance's model with the one at path; on error the old
     * one stays. Called on the instance's own thread, between events. */
    hy_err (*load_model)(void *state, const char *path);
    /* Writes the instance's model to path (atomically). */
    hy_err (*save_model)(void *state, const char *path);
} hy_engine;

/* The engine table, terminated by NULL. */
extern const hy_engine *const hy_engines[];

/* Finds an engine by name; NULL when unknown. */
const hy_engine *hy_engine_find(const char *name);

#endif
