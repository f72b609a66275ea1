#include "pipeline/sink.h"

#include <stdlib.h>
#include <string.h>

#include "hayate/buf.h"
#include "hayate/config.h"
#include "hayate/log.h"
#include "hayate/screen.h"
#include "pipeline/sink_out.h"

#define HY__EVE_LINE_CAP (1u << 20)

struct hy__sink {
    const hy_pipeline_cfg *cfg;
    hy_buf line;
    hy_flow *flows;
    const hy_flow **flow_ptrs;
    size_t nflows;
    hy_alert **alerts;
    size_t nalerts;
    hy_series_point *series;   /* owned copies of the strings */
    size_t nseries;
    hy__sample_batch *samples;
    size_t batch;
    uint64_t flows_out, alerts_out, store_errors;
    hy__webhook *webhook; /* NULL when off */
    hy__syslog *syslog;   /* NULL when off */
    hy_screen *own;       /* screens the other engines' alerts (screen.own) */
};

/* With the screen engine on and screen.own set, a screener for hayate's
 * own alerts, which pass here in final order (docs/screen.md). */
static hy_err own_screener(const hy_pipeline_cfg *cfg, hy_screen **out)
{
    hy_screen_cfg sc;
    bool on = false;
    for (size_t i = 0; i < cfg->n_engines; i++)
        on |= strcmp(cfg->engines[i]->name, "screen") == 0;
    if (!on || !cfg->cfg || !hy_config_bool(cfg->cfg, "screen.own"))
        return HY_OK;
    hy_err rc = hy_screen_cfg_from_config(cfg->cfg, &sc);
    return rc == HY_OK ? hy_screen_create(&sc, out) : rc;
}

hy_err hy__sink_create(const hy_pipeline_cfg *cfg, hy__sink **out)
{
    hy_err rc;
    hy__sink *s = calloc(1, sizeof *s);
    if (!s)
        return HY_ERR_NOMEM;
    s->cfg = cfg;
    s->batch = cfg->store_batch ? cfg->store_batch : HY_STORE_BATCH_ROWS;
    hy_buf_init(&s->line, HY__EVE_LINE_CAP);
    s->flows = calloc(s->batch, sizeof *s->flows);
    s->flow_ptrs = calloc(s->batch, sizeof *s->flow_ptrs);
    s->alerts = calloc(s->batch, sizeof *s->alerts);
    s->series = calloc(s->batch, sizeof *s->series);
    if (!s->flows || !s->flow_ptrs || !s->alerts || !s->series ||
        hy__sample_batch_create(s->batch, &s->samples) != HY_OK) {
        hy__sink_destroy(s);
        return HY_ERR_NOMEM;
    }
    if ((rc = own_screener(cfg, &s->own)) != HY_OK ||
        (rc = hy__webhook_from_config(cfg->cfg, cfg->log, &s->webhook)) != HY_OK ||
        (rc = hy__syslog_from_config(cfg->cfg, cfg->log, &s->syslog)) != HY_OK) {
        hy__sink_destroy(s);
        return rc;
    }
    *out = s;
    return HY_OK;
}

static hy_err store_flush_flows(hy__sink *s)
{
    hy_err rc = HY_OK;
    if (s->nflows && s->cfg->store) {
        for (size_t i = 0; i < s->nflows; i++)
            s->flow_ptrs[i] = &s->flows[i];
        rc = hy_store_put_flows(s->cfg->store, s->flow_ptrs, s->nflows);
        if (rc != HY_OK) {
            s->store_errors++;
            hy_logf(s->cfg->log, HY_LOG_ERROR, "store: %zu flows not written: %s", s->nflows,
                    hy_err_detail());
        }
    }
    s->nflows = 0;
    return rc;
}

static hy_err store_flush_alerts(hy__sink *s)
{
    hy_err rc = HY_OK;
    if (s->nalerts && s->cfg->store) {
        rc = hy_store_put_alerts(s->cfg->store, s->alerts, s->nalerts);
        if (rc != HY_OK) {
            s->store_errors++;
            hy_logf(s->cfg->log, HY_LOG_ERROR, "store: %zu alerts not written: %s", s->nalerts,
                    hy_err_detail());
        }
    }
    for (size_t i = 0; i < s->nalerts; i++)
        hy_alert_destroy(s->alerts[i]);
    s->nalerts = 0;
    return rc;
}

static void series_free(hy_series_point *p)
{
    free((char *)p->series);
    free((char *)p->key);
    free((char *)p->json);
}

static hy_err store_flush_series(hy__sink *s)
{
    hy_err rc = HY_OK;
    if (s->nseries && s->cfg->store) {
        rc = hy_store_put_series(s->cfg->store, s->series, s->nseries);
        if (rc != HY_OK) {
            s->store_errors++;
            hy_logf(s->cfg->log, HY_LOG_ERROR, "store: %zu series points not written: %s",
                    s->nseries, hy_err_detail());
        }
    }
    for (size_t i = 0; i < s->nseries; i++)
        series_free(&s->series[i]);
    s->nseries = 0;
    return rc;
}

hy_err hy__sink_series(hy__sink *s, const hy_series_point *p)
{
    hy_series_point *d;
    if (!s->cfg->store)
        return HY_OK;
    d = &s->series[s->nseries];
    d->time_ns = p->time_ns;
    d->series = strdup(p->series);
    d->key = strdup(p->key);
    d->json = strdup(p->json);
    if (!d->series || !d->key || !d->json) {
        series_free(d);
        return HY_ERR_NOMEM;
    }
    if (++s->nseries == s->batch)
        store_flush_series(s);
    return HY_OK;
}

hy_err hy__sink_sample(hy__sink *s, const hy_sample *v)
{
    bool full = false;
    hy_err rc;
    if (!s->cfg->store)
        return HY_OK;
    if ((rc = hy__sample_batch_add(s->samples, v, &full)) == HY_OK && full)
        hy__sample_batch_flush(s->samples, s->cfg->store, s->cfg->log, &s->store_errors);
    return rc;
}

hy_err hy__sink_report(hy__sink *s, const hy_intel_record *r)
{
    if (!s->cfg->store)
        return HY_OK;
    if (hy_store_put_reports(s->cfg->store, &r, 1) != HY_OK) {
        s->store_errors++;
        hy_logf(s->cfg->log, HY_LOG_ERROR, "store: report %s not written: %s", r->id,
                hy_err_detail());
    }
    return HY_OK;
}

static hy_err eve_write(hy__sink *s)
{
    if (hy_buf_addc(&s->line, '\n') != HY_OK ||
        fwrite(s->line.data, 1, s->line.len, s->cfg->eve) != s->line.len)
        return hy_err_set(HY_ERR_IO, "EVE output: write failed");
    return HY_OK;
}

hy_err hy__sink_flow(hy__sink *s, const hy_flow *f, const char *eve, size_t eve_len)
{
    hy_err rc = HY_OK;
    s->flows_out++;
    if (s->cfg->on_flow)
        s->cfg->on_flow(s->cfg->observer_ud, f);
    if (s->cfg->eve && s->cfg->eve_flows) {
        hy_buf_reset(&s->line);
        rc = eve ? hy_buf_add(&s->line, eve, eve_len) : hy_flow_to_eve(f, &s->line);
        if (rc == HY_OK)
            rc = eve_write(s);
        if (rc != HY_OK)
            return rc;
    }
    if (s->cfg->store && s->cfg->store_flows) {
        s->flows[s->nflows++] = *f;
        if (s->nflows == s->batch)
            store_flush_flows(s);
    }
    return HY_OK;
}

hy_err hy__sink_alert(hy__sink *s, hy_alert *a)
{
    hy_err rc = HY_OK;
    s->alerts_out++;
    if (s->own && strcmp(a->engine, "screen") != 0 && hy_screen_annotate(s->own, a) != HY_OK)
        hy_logf(s->cfg->log, HY_LOG_WARN, "screen: alert %s not screened: %s", a->id,
                hy_err_detail()); /* it still goes out, unscreened */
    if (s->cfg->on_alert)
        s->cfg->on_alert(s->cfg->observer_ud, a);
    if (s->cfg->eve || s->webhook || s->syslog) {
        hy_buf_reset(&s->line);
        if ((rc = hy_alert_to_eve(a, &s->line)) == HY_OK) {
            /* the outputs copy or send the line now; they never block */
            hy__webhook_send(s->webhook, (const char *)s->line.data, s->line.len);
            hy__syslog_send(s->syslog, a, (const char *)s->line.data, s->line.len);
            if (s->cfg->eve)
                rc = eve_write(s);
        }
        if (!s->cfg->eve)
            rc = HY_OK; /* an unrenderable alert only skips the outputs */
    }
    if (!s->cfg->store) {
        hy_alert_destroy(a);
        return rc;
    }
    s->alerts[s->nalerts++] = a;
    if (s->nalerts == s->batch)
        store_flush_alerts(s);
    return rc;
}

hy_err hy__sink_flush(hy__sink *s)
{
    hy_err r1 = store_flush_alerts(s);
    hy_err r2 = store_flush_flows(s);
    hy_err r3 = store_flush_series(s);
    hy_err r4 = hy__sample_batch_flush(s->samples, s->cfg->store, s->cfg->log, &s->store_errors);
    if (r2 == HY_OK)
        r2 = r3 != HY_OK ? r3 : r4;
    if (s->cfg->eve && fflush(s->cfg->eve) != 0)
        return hy_err_set(HY_ERR_IO, "EVE output: flush failed");
    return r1 != HY_OK ? r1 : r2;
}

void hy__sink_counts(const hy__sink *s, uint64_t *flows, uint64_t *alerts,
                     uint64_t *store_errors)
{
    *flows = s->flows_out;
    *alerts = s->alerts_out;
    *store_errors = s->store_errors;
}

void hy__sink_webhook_counts(const hy__sink *s, uint64_t *delivered, uint64_t *retried,
                             uint64_t *dropped, uint64_t *undelivered)
{
    hy__out_counts c;
    hy__webhook_counts(s->webhook, &c);
    *delivered = c.delivered;
    *retried = c.retried;
    *dropped = c.dropped;
    *undelivered = c.undelivered;
}

void hy__sink_syslog_counts(const hy__sink *s, uint64_t *sent, uint64_t *dropped)
{
    hy__out_counts c;
    hy__syslog_counts(s->syslog, &c);
    *sent = c.delivered;
    *dropped = c.dropped;
}

void hy__sink_destroy(hy__sink *s)
{
    if (!s)
        return;
    hy__sink_flush(s);
    hy__webhook_destroy(s->webhook); /* drains for at most sink.webhook_drain_ms */
    hy__syslog_destroy(s->syslog);
    hy_buf_free(&s->line);
    free(s->flows);
    free(s->flow_ptrs);
    free(s->alerts);
    free(s->series);
    hy__sample_batch_destroy(s->samples);
    hy_screen_destroy(s->own);
    free(s);
}
