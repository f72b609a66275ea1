/* The intel engine (docs/intel.md). Shard instances analyse the reports
 * (files) of their worker and match their shard's flows against the
 * indicators the store held when the run began; the global instance stores
 * the reports in sequence order, so the store is the same for any thread
 * count. Alerts: intel.report and intel.inconsistency per report (emitted
 * where the report is analysed: they depend on it alone), intel.match per
 * flow to or from a known-bad address. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/intel/intel_int.h"
#include "hayate/config.h"
#include "hayate/engine.h"
#include "hayate/iocmatch.h"
#include "hayate/store.h"

/* A report waiting for the global instance to store it. */
typedef struct in_record {
    struct in_record *next;
    uint64_t seq;
    hy_intel_result res; /* moved in from the analysis */
} in_record;

typedef struct in_state {
    bool global;
    hy_intel *in;          /* shard side */
    hy_ioc_match *match;   /* shard side: known-bad indicators, or NULL */
    in_matches *matches;   /* flows counted per indicator (both sides) */
    in_record *head, **tail;
    const hy_log *log;
} in_state;

/* What a shard hands over at a tick. */
typedef struct in_part {
    in_record *records;
    in_agg **aggs;
    size_t naggs;
} in_part;

static void record_free(in_record *r)
{
    if (!r)
        return;
    hy_intel_result_free(&r->res);
    free(r);
}

static void records_free(in_record *r)
{
    while (r) {
        in_record *n = r->next;
        record_free(r);
        r = n;
    }
}

static void in_destroy(void *state)
{
    in_state *s = state;
    if (!s)
        return;
    records_free(s->head);
    hy_intel_destroy(s->in);
    hy_ioc_match_destroy(s->match);
    in_matches_destroy(s->matches);
    free(s);
}

static int add_ioc(void *ud, const char *report_id, const hy_report_ioc *c)
{
    hy_ioc_type t;
    if (hy_ioc_type_parse(c->type, &t) == HY_OK)
        (void)hy_ioc_match_add(ud, t, c->value, report_id); /* unmatchable types skipped */
    return 0;
}

/* The indicators of the store's reports, for matching flows. */
static hy_err load_match(in_state *s, const hy_engine_env *env)
{
    hy_store *st = NULL;
    hy_err rc;
    if (!env->store_path || (env->cfg && !hy_config_int(env->cfg, "intel.match")))
        return HY_OK;
    if (hy_store_open_sqlite_reader(env->store_path, &st) != HY_OK) {
        hy_logf(env->log, HY_LOG_WARN, "intel: %s; no indicator matching", hy_err_detail());
        return HY_OK;
    }
    rc = hy_ioc_match_create(env->cfg ? (size_t)hy_config_int(env->cfg, "intel.match_max") : 0,
                             &s->match);
    if (rc == HY_OK)
        rc = hy_store_query_iocs(st, NULL, false, add_ioc, s->match);
    hy_store_close(st);
    if (rc == HY_OK && env->shard == 0)
        hy_logf(env->log, HY_LOG_INFO, "intel: matching traffic against %zu indicators",
                hy_ioc_match_count(s->match));
    return rc;
}

static hy_err in_create(const hy_engine_env *env, void **state)
{
    in_state *s = calloc(1, sizeof *s);
    hy_err rc = HY_OK;
    if (!s)
        return HY_ERR_NOMEM;
    s->global = env->shard < 0;
    s->tail = &s->head;
    s->log = env->log;
    rc = in_matches_create(
        (uint64_t)(env->cfg ? hy_config_int(env->cfg, "intel.match_window_s") : 3600) * 1000000000u,
        s->global, &s->matches);
    if (rc == HY_OK && !s->global) {
        const hy_config *c = env->cfg;
        hy_intel_cfg ic = {
            .tables = c ? hy_config_str(c, "intel.attack_tables") : NULL,
            .model = c ? hy_config_str(c, "intel.model") : NULL,
            .min_confidence = c ? (double)hy_config_int(c, "intel.min_confidence_pm") / 1000 : 0};
        if ((rc = hy_intel_create(&ic, &s->in)) == HY_OK)
            rc = load_match(s, env);
    }
    if (rc != HY_OK) {
        in_destroy(s);
        return rc;
    }
    *state = s;
    return HY_OK;
}

static hy_err in_event(void *state, const hy_event *ev, const hy_emit *emit)
{
    in_state *s = state;
    in_record *rec;
    hy_err rc;
    if (ev->kind == HY_EV_FLOW)
        return in_match_flow(s->match, s->matches, ev->u.flow);
    if (!in_is_document(ev->u.file.data, ev->u.file.len, ev->u.file.path))
        return HY_OK; /* a program or other binary: the malware engine's */
    if (!(rec = calloc(1, sizeof *rec)))
        return HY_ERR_NOMEM;
    rec->seq = ev->seq;
    rc = hy_intel_analyse(s->in, ev->u.file.path, ev->u.file.data, ev->u.file.len,
                          (int64_t)ev->ts_ns, &rec->res);
    if (rc == HY_ERR_FORMAT || rc == HY_ERR_UNSUPPORTED || rc == HY_ERR_TOOBIG) {
        hy_logf(s->log, HY_LOG_WARN, "intel: %s", hy_err_detail()); /* not a report */
        record_free(rec);
        return HY_OK;
    }
    if (rc == HY_OK)
        rc = in_report_alerts(s->in, &rec->res, ev->ts_ns, ev->seq, emit);
    if (rc != HY_OK) {
        record_free(rec);
        return rc;
    }
    *s->tail = rec; /* the global instance stores it at the tick */
    s->tail = &rec->next;
    return HY_OK;
}

/* Shard side: the reports analysed and the flows matched since the last
 * tick. */
static void *in_partial(void *state, uint64_t now_ns)
{
    in_state *s = state;
    in_agg **aggs = NULL;
    size_t naggs = 0;
    in_part *p;
    (void)now_ns;
    if (in_matches_take(s->matches, &aggs, &naggs) != HY_OK)
        return NULL; /* no memory: the next tick hands everything over */
    if (!naggs && !s->head)
        return NULL; /* nothing this tick */
    if (!(p = calloc(1, sizeof *p))) {
        in_aggs_free(aggs, naggs); /* counts lost, under memory exhaustion only */
        return NULL;
    }
    p->aggs = aggs;
    p->naggs = naggs;
    p->records = s->head;
    s->head = NULL;
    s->tail = &s->head;
    return p;
}

static void in_free_partial(void *part)
{
    in_part *p = part;
    if (!p)
        return;
    records_free(p->records);
    in_aggs_free(p->aggs, p->naggs);
    free(p);
}

static hy_err in_combine(void *state, void *part)
{
    in_state *s = state;
    in_part *p = part;
    hy_err rc;
    for (in_record *r = p->records; r; r = r->next) {
        *s->tail = r;
        s->tail = &r->next;
    }
    rc = in_matches_add(s->matches, p->aggs, p->naggs);
    free(p);
    return rc;
}

static int by_seq(const void *x, const void *y)
{
    uint64_t a = (*(in_record *const *)x)->seq, b = (*(in_record *const *)y)->seq;
    return (a > b) - (a < b);
}

/* Global side: stores what the shards sent, in sequence order. */
static hy_err in_tick(void *state, uint64_t now_ns, bool final, const hy_emit *emit)
{
    in_state *s = state;
    in_record **v;
    size_t n = 0, k = 0;
    hy_err rc = HY_OK;
    (void)now_ns;
    (void)final;
    if (!s->global)
        return HY_OK;
    if ((rc = in_matches_tick(s->matches, emit)) != HY_OK || !s->head)
        return rc;
    for (in_record *r = s->head; r; r = r->next)
        n++;
    if (!(v = malloc(n * sizeof *v)))
        return HY_ERR_NOMEM;
    for (in_record *r = s->head; r; r = r->next)
        v[k++] = r;
    qsort(v, n, sizeof *v, by_seq);
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        hy_intel_record ir;
        hy_report_ioc *iocs;
        if ((rc = hy_intel_record_of(&v[i]->res, &ir, &iocs)) == HY_OK)
            rc = hy_emit_report(emit, &ir);
        free(iocs);
    }
    free(v);
    records_free(s->head);
    s->head = NULL;
    s->tail = &s->head;
    return rc;
}

const hy_engine hy_engine_intel = {
    .name = "intel",
    .summary = "threat reports (text, HTML, PDF, CVE records) to indicators, ATT&CK techniques "
               "and STIX 2.1; flows matched against the indicators",
    .consumes = HY_EV_BIT(HY_EV_FILE) | HY_EV_BIT(HY_EV_FLOW),
    .sharded = true,
    .create = in_create,
    .destroy = in_destroy,
    .on_event = in_event,
    .tick = in_tick,
    .partial = in_partial,
    .combine = in_combine,
    .free_partial = in_free_partial,
};
