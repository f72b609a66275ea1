/* GET /api/stats and GET /metrics: the server's own counters (responses by
 * status class, uptime), the store's row counts, the running pipeline's
 * live figures (events/s, queue depths, drops) and each engine's model
 * versions. */
#include "serve/serve_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hayate/clock.h"
#include "hayate/config.h"
#include "hayate/engine.h"
#include "hayate/model.h"

static const char *const tables[] = {"alerts", "feedback", "flows",        "series",
                                     "samples", "runs",     "capture_stats"};
#define NTABLES (sizeof tables / sizeof tables[0])

typedef struct figures {
    double uptime_s;
    unsigned long long answered[6];
    uint64_t rows[NTABLES];
    hy_pipeline_live live;                 /* running false without a pipeline */
    unsigned current[HY_LIVE_MAX_ENGINES]; /* per hy_engines[i]: current model */
    size_t versions[HY_LIVE_MAX_ENGINES];
} figures;

/* The model version the pipeline loaded for engine (0: none). */
static unsigned loaded(const figures *f, const char *engine)
{
    for (size_t i = 0; i < f->live.nengines; i++)
        if (strcmp(f->live.engine[i].name, engine) == 0)
            return f->live.engine[i].model;
    return 0;
}

static bool enabled(const hy_serve *s, const figures *f, const char *engine)
{
    size_t n = 0;
    const char *const *names = s->cfg ? hy_config_list(s->cfg, "engines.enabled", &n) : NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], engine) == 0)
            return true;
    for (size_t i = 0; i < f->live.nengines; i++)
        if (strcmp(f->live.engine[i].name, engine) == 0)
            return true;
    return false;
}

/* Current model versions from the registry (models.dir). */
static void models(const hy_serve *s, figures *f)
{
    const char *dir = s->cfg ? hy_config_str(s->cfg, "models.dir") : "models";
    for (size_t i = 0; hy_engines[i] && i < HY_LIVE_MAX_ENGINES; i++) {
        hy_model_version *vs = NULL;
        size_t n = 0;
        if (hy_engines[i]->train && hy_model_list(dir && *dir ? dir : "models", hy_engines[i]->name,
                                                  &vs, &n, &f->current[i]) == HY_OK)
            f->versions[i] = n;
        hy_model_versions_free(vs, n);
    }
}

static hy_err gather(hy_serve *s, figures *f)
{
    hy_err rc = HY_OK;
    f->uptime_s = ((double)hy_clock_ns(CLOCK_REALTIME) - (double)s->started_ns) / 1e9;
    for (int k = 2; k <= 5; k++)
        f->answered[k] = atomic_load(&s->answered[k]);
    hy_store *st = hy__serve_store_take(s);
    for (size_t i = 0; i < NTABLES && rc == HY_OK; i++)
        rc = hy_store_count(st, tables[i], &f->rows[i]);
    hy__serve_store_give(s, st);
    if (s->hooks.figures)
        s->hooks.figures(s->hooks.ud, &f->live);
    models(s, f);
    return rc;
}

static void pipeline_json(hy_json *j, const hy_pipeline_live *l)
{
    hy_json_key(j, "pipeline");
    if (!l->running && !l->packets) {
        hy_json_null(j);
        return;
    }
    hy_json_obj_open(j);
    hy_json_kbool(j, "running", l->running);
    hy_json_kfixed(j, "seconds", l->seconds, 3);
    hy_json_kuint(j, "packets", l->packets);
    hy_json_kuint(j, "bytes", l->bytes);
    hy_json_kuint(j, "flows", l->flows);
    hy_json_kuint(j, "alerts", l->alerts);
    hy_json_kuint(j, "dropped", l->dropped);
    hy_json_kuint(j, "store_errors", l->store_errors);
    hy_json_key(j, "sinks");
    hy_json_obj_open(j);
    hy_json_kuint(j, "webhook_delivered", l->webhook_delivered);
    hy_json_kuint(j, "webhook_retried", l->webhook_retried);
    hy_json_kuint(j, "webhook_dropped", l->webhook_dropped);
    hy_json_kuint(j, "webhook_undelivered", l->webhook_undelivered);
    hy_json_kuint(j, "syslog_sent", l->syslog_sent);
    hy_json_kuint(j, "syslog_dropped", l->syslog_dropped);
    hy_json_obj_close(j);
    hy_json_kfixed(j, "packets_per_s", l->packets_per_s, 1);
    hy_json_kfixed(j, "alerts_per_s", l->alerts_per_s, 3);
    hy_json_key(j, "queues");
    hy_json_arr_open(j);
    for (size_t i = 0; i < l->nqueues; i++) {
        hy_json_obj_open(j);
        hy_json_kstr(j, "name", l->queue[i].name);
        hy_json_kuint(j, "depth", l->queue[i].depth);
        hy_json_kuint(j, "capacity", l->queue[i].capacity);
        hy_json_obj_close(j);
    }
    hy_json_arr_close(j);
    hy_json_obj_close(j);
}

static void engines_json(const hy_serve *s, hy_json *j, const figures *f)
{
    hy_json_key(j, "engines");
    hy_json_arr_open(j);
    for (size_t i = 0; hy_engines[i] && i < HY_LIVE_MAX_ENGINES; i++) {
        const hy_engine *e = hy_engines[i];
        unsigned ld = loaded(f, e->name);
        hy_json_obj_open(j);
        hy_json_kstr(j, "name", e->name);
        hy_json_kstr(j, "summary", e->summary);
        hy_json_kbool(j, "enabled", enabled(s, f, e->name));
        hy_json_kbool(j, "learns", e->train != NULL);
        hy_json_key(j, "model");
        if (!e->train) {
            hy_json_null(j);
        } else {
            hy_json_obj_open(j);
            hy_json_key(j, "loaded");
            ld ? hy_json_uint(j, ld) : hy_json_null(j);
            hy_json_key(j, "current");
            f->current[i] ? hy_json_uint(j, f->current[i]) : hy_json_null(j);
            hy_json_kuint(j, "versions", f->versions[i]);
            hy_json_obj_close(j);
        }
        hy_json_obj_close(j);
    }
    hy_json_arr_close(j);
}

hy_err hy__route_stats(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    figures f = {0};
    hy_buf b;
    hy_json j;
    hy_err rc;
    (void)r;
    if ((rc = gather(s, &f)) != HY_OK)
        return hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    hy_buf_init(&b, 1 << 16);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kfixed(&j, "uptime_s", f.uptime_s, 3);
    hy_json_key(&j, "responses");
    hy_json_obj_open(&j);
    for (int k = 2; k <= 5; k++) {
        char cls[4] = {(char)('0' + k), 'x', 'x', 0};
        hy_json_kuint(&j, cls, f.answered[k]);
    }
    hy_json_obj_close(&j);
    hy_json_key(&j, "store");
    hy_json_obj_open(&j);
    for (size_t i = 0; i < NTABLES; i++)
        hy_json_kuint(&j, tables[i], f.rows[i]);
    hy_json_obj_close(&j);
    pipeline_json(&j, &f.live);
    engines_json(s, &j, &f);
    hy_json_obj_close(&j);
    if ((rc = hy_json_finish(&j)) == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}

/* The pipeline's and the models' series. */
static hy_err metrics_live(hy_buf *b, const figures *f)
{
    const hy_pipeline_live *l = &f->live;
    static const struct {
        const char *name, *help;
        size_t off;
    } counters[] = {
        {"hayate_packets_total", "Packets read by the running pipeline.",
         offsetof(hy_pipeline_live, packets)},
        {"hayate_bytes_total", "Captured bytes read.", offsetof(hy_pipeline_live, bytes)},
        {"hayate_flows_total", "Flow records exported.", offsetof(hy_pipeline_live, flows)},
        {"hayate_alerts_total", "Alerts emitted.", offsetof(hy_pipeline_live, alerts)},
        {"hayate_dropped_packets_total", "Packets dropped by hayate under overload.",
         offsetof(hy_pipeline_live, dropped)},
        {"hayate_store_errors_total", "Store writes that failed.",
         offsetof(hy_pipeline_live, store_errors)},
        {"hayate_webhook_delivered_total", "Alerts the webhook delivered.",
         offsetof(hy_pipeline_live, webhook_delivered)},
        {"hayate_webhook_undelivered_total",
         "Alerts the webhook gave up on or skipped (still in the store).",
         offsetof(hy_pipeline_live, webhook_undelivered)},
        {"hayate_webhook_dropped_total", "Alerts skipped at a full webhook queue.",
         offsetof(hy_pipeline_live, webhook_dropped)},
        {"hayate_syslog_sent_total", "Alerts sent to syslog.",
         offsetof(hy_pipeline_live, syslog_sent)},
        {"hayate_syslog_dropped_total", "Alerts syslog could not take.",
         offsetof(hy_pipeline_live, syslog_dropped)},
    };
    hy_err rc = hy_buf_addf(b,
                            "# HELP hayate_pipeline_running 1 while a pipeline reads input.\n"
                            "# TYPE hayate_pipeline_running gauge\nhayate_pipeline_running %d\n",
                            l->running);
    for (size_t i = 0; i < sizeof counters / sizeof *counters && rc == HY_OK; i++) {
        uint64_t v;
        memcpy(&v, (const char *)l + counters[i].off, sizeof v);
        rc = hy_buf_addf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", counters[i].name,
                         counters[i].help, counters[i].name, counters[i].name,
                         (unsigned long long)v);
    }
    if (rc == HY_OK)
        rc = hy_buf_adds(b, "# HELP hayate_queue_depth Batches waiting in a pipeline queue.\n"
                            "# TYPE hayate_queue_depth gauge\n");
    for (size_t i = 0; i < l->nqueues && rc == HY_OK; i++)
        rc = hy_buf_addf(b, "hayate_queue_depth{queue=\"%s\"} %zu\n", l->queue[i].name,
                         l->queue[i].depth);
    if (rc == HY_OK)
        rc = hy_buf_adds(b, "# HELP hayate_model_version Model version per learning engine "
                            "(loaded by the pipeline; current in the registry).\n"
                            "# TYPE hayate_model_version gauge\n");
    for (size_t i = 0; hy_engines[i] && i < HY_LIVE_MAX_ENGINES && rc == HY_OK; i++)
        if (hy_engines[i]->train)
            rc = hy_buf_addf(b,
                             "hayate_model_version{engine=\"%s\",state=\"loaded\"} %u\n"
                             "hayate_model_version{engine=\"%s\",state=\"current\"} %u\n",
                             hy_engines[i]->name, loaded(f, hy_engines[i]->name),
                             hy_engines[i]->name, f->current[i]);
    return rc;
}

hy_err hy__route_metrics(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    figures f = {0};
    hy_buf b;
    hy_err rc;
    (void)r;
    if ((rc = gather(s, &f)) != HY_OK)
        return hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    hy_buf_init(&b, 1 << 16);
    rc = hy_buf_adds(&b, "# HELP hayate_up_seconds Seconds since the API started.\n"
                         "# TYPE hayate_up_seconds gauge\n");
    if (rc == HY_OK)
        rc = hy_buf_addf(&b, "hayate_up_seconds %.3f\n", f.uptime_s);
    if (rc == HY_OK)
        rc = hy_buf_adds(&b, "# HELP hayate_http_responses_total HTTP responses by status "
                             "class.\n# TYPE hayate_http_responses_total counter\n");
    for (int k = 2; k <= 5 && rc == HY_OK; k++)
        rc =
            hy_buf_addf(&b, "hayate_http_responses_total{class=\"%dxx\"} %llu\n", k, f.answered[k]);
    if (rc == HY_OK)
        rc = hy_buf_adds(&b, "# HELP hayate_store_rows Rows in the store's tables.\n"
                             "# TYPE hayate_store_rows gauge\n");
    for (size_t i = 0; i < NTABLES && rc == HY_OK; i++)
        rc = hy_buf_addf(&b, "hayate_store_rows{table=\"%s\"} %llu\n", tables[i],
                         (unsigned long long)f.rows[i]);
    if (rc == HY_OK)
        rc = metrics_live(&b, &f);
    if (rc == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "text/plain; version=0.0.4", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}
