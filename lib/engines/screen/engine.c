/* The screen engine in hayate run: external alerts (HY_EV_ALERT_IN, all on
 * one instance in input order) are screened; those a human should read
 * become screen.alert alerts carrying the original and the screening, and
 * auto-closed ones are summarised per group as screen.group alerts every
 * screen.group_s of event time (docs/screen.md, docs/ALERTS.md). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/screen/screen_int.h"
#include "engines/screen/screen_learn.h"
#include "hayate/config.h"
#include "hayate/engine.h"
#include "hayate/gbm.h"
#include "hayate/json.h"

#define NS 1000000000ull

/* An alert screened, waiting for its batch's supervised scores. */
typedef struct scr_slot {
    hy_alert_in a;
    hy_screen_result r;
    hy_buf text;
} scr_slot;

typedef struct scr_engine {
    hy_screen_cfg cfg;
    hy_screen *s;              /* made at the first alert */
    hy_alertin_parser *parser;
    hy_screen_groups *groups;
    scr_model *model;          /* loaded verdicts and supervised model */
    uint64_t group_ns, next_group;
    bool emit_closed;
    hy_buf ev;
    scr_slot *slot;            /* HY_SCREEN_BATCH, made with the screener */
    size_t nslots;
} scr_engine;

static void scr_destroy(void *state)
{
    scr_engine *e = state;
    if (!e)
        return;
    hy_screen_destroy(e->s);
    hy_alertin_parser_destroy(e->parser);
    hy_screen_groups_destroy(e->groups);
    hy__scr_model_free(e->model);
    hy_buf_free(&e->ev);
    for (size_t i = 0; e->slot && i < HY_SCREEN_BATCH; i++)
        hy_buf_free(&e->slot[i].text);
    free(e->slot);
    free(e);
}

static hy_err scr_create(const hy_engine_env *env, void **state)
{
    scr_engine *e = calloc(1, sizeof *e);
    hy_err rc;
    if (!e)
        return hy_err_set(HY_ERR_NOMEM, "screen: engine");
    hy_buf_init(&e->ev, (size_t)HY_ALERTIN_MAX_LINE * 2);
    if ((rc = hy_screen_cfg_from_config(env->cfg, &e->cfg)) != HY_OK ||
        (rc = hy_alertin_parser_create(&e->parser)) != HY_OK ||
        (rc = hy_screen_groups_create(&e->groups)) != HY_OK) {
        scr_destroy(e);
        return rc;
    }
    e->group_ns = (uint64_t)(env->cfg ? hy_config_int(env->cfg, "screen.group_s") : 3600) * NS;
    e->emit_closed = env->cfg && hy_config_bool(env->cfg, "screen.emit_closed");
    *state = e;
    return HY_OK;
}

/* The screener, made (and given the loaded model) when first needed:
 * only the instance alerts reach pays for one. */
static hy_err screener(scr_engine *e)
{
    hy_err rc;
    if (e->s)
        return HY_OK;
    if (!(e->slot = calloc(HY_SCREEN_BATCH, sizeof *e->slot)))
        return hy_err_set(HY_ERR_NOMEM, "screen: batch");
    for (size_t i = 0; i < HY_SCREEN_BATCH; i++)
        hy_buf_init(&e->slot[i].text, (size_t)HY_ALERTIN_MAX_LINE * 2);
    if ((rc = hy_screen_create(&e->cfg, &e->s)) != HY_OK)
        return rc;
    return e->model ? hy__scr_model_apply(e->model, e->s) : HY_OK;
}

static void set_endpoints(hy_alert *al, const hy_alert_in *a)
{
    if (!a->ip_version)
        return;
    al->ip_version = a->ip_version;
    al->proto = a->proto;
    memcpy(al->src, a->src, 16);
    memcpy(al->dst, a->dst, 16);
    al->sport = a->sport;
    al->dport = a->dport;
}

/* The evidence: the screening, the features (for learning from verdicts)
 * and the original alert. */
static hy_err evidence(scr_engine *e, const hy_alert_in *a, const hy_screen_result *r)
{
    hy_json j;
    hy_buf_reset(&e->ev);
    hy_json_init(&j, &e->ev);
    hy_json_obj_open(&j);
    hy_json_key(&j, "screen");
    hy_json_obj_open(&j);
    hy_screen_result_json(&j, r);
    hy_json_obj_close(&j);
    hy_json_key(&j, "features");
    hy_json_arr_open(&j);
    for (int i = 0; i < HY_SF__COUNT; i++)
        hy_json_fixed(&j, r->f[i], 6);
    hy_json_arr_close(&j);
    hy_json_kuint(&j, "features_v", SCR_FEATURES_VERSION);
    hy_json_kuint(&j, "sid", a->sid);
    char sig[17];
    snprintf(sig, sizeof sig, "%016llx", (unsigned long long)a->sig_key);
    hy_json_kstr(&j, "sig_key", sig);
    if (a->fmt != HY_ALERTIN_FASTLOG && a->raw.n) {
        char *raw = strndup(a->raw.p, a->raw.n); /* validated JSON: the reader checked it */
        if (!raw)
            return hy_err_set(HY_ERR_NOMEM, "screen: evidence");
        hy_json_key(&j, "source");
        hy_json_raw(&j, raw);
        free(raw);
    } else {
        hy_json_key(&j, "source_line");
        hy_json_strn(&j, a->raw.p, a->raw.n);
    }
    hy_json_obj_close(&j);
    return hy_json_finish(&j);
}

static hy_err emit_screened(scr_engine *e, const hy_alert_in *a, const hy_screen_result *r,
                            const hy_emit *emit)
{
    char title[256], subject[INET6_ADDRSTRLEN] = "";
    hy_alert *al = NULL;
    int sev = a->severity >= 1 && a->severity <= 4 ? a->severity : 3;
    snprintf(title, sizeof title, "%.*s", (int)(a->signature.n < 255 ? a->signature.n : 255),
             a->signature.p);
    if (a->ip_version)
        inet_ntop(a->ip_version == 4 ? AF_INET : AF_INET6, a->src, subject, sizeof subject);
    hy_err rc = evidence(e, a, r);
    if (rc == HY_OK)
        rc = hy_alert_create(a->ts_ns, "screen", "screen.alert", sev, r->priority,
                             title[0] ? title : "alert", subject, r->seq, &al);
    if (rc == HY_OK)
        rc = hy_alert_set_evidence(al, e->ev.data);
    if (rc != HY_OK) {
        hy_alert_destroy(al);
        return rc;
    }
    set_endpoints(al, a);
    return hy_emit_alert(emit, al);
}

/* Decisions for the batch (one call into the supervised model), then its
 * alerts, in input order. */
static hy_err settle(scr_engine *e, const hy_emit *emit)
{
    hy_err rc = e->nslots ? hy_screen_flush(e->s) : HY_OK;
    for (size_t i = 0; rc == HY_OK && i < e->nslots; i++) {
        const hy_alert_in *a = &e->slot[i].a;
        const hy_screen_result *r = &e->slot[i].r;
        if (r->decision == HY_SCREEN_CLOSED)
            rc = hy_screen_groups_add(e->groups, a, r);
        if (rc == HY_OK && (r->decision != HY_SCREEN_CLOSED || e->emit_closed))
            rc = emit_screened(e, a, r, emit);
    }
    e->nslots = 0;
    return rc;
}

static hy_err scr_on_event(void *state, const hy_event *ev, const hy_emit *emit)
{
    scr_engine *e = state;
    hy_alert_in a;
    hy_err rc;
    if (ev->kind != HY_EV_ALERT_IN)
        return HY_OK;
    if (hy_alertin_parse(e->parser, ev->u.record.json, ev->u.record.len, &a) != HY_OK)
        return HY_OK; /* the feeder parsed it first: it counted and reported it */
    if ((rc = screener(e)) != HY_OK)
        return rc;
    scr_slot *k = &e->slot[e->nslots];
    if ((rc = hy_alertin_copy(&k->a, &k->text, &a)) != HY_OK ||
        (rc = hy_screen_push(e->s, &k->a, &k->r)) != HY_OK)
        return rc;
    if (e->next_group == 0)
        e->next_group = a.ts_ns + e->group_ns;
    return ++e->nslots == HY_SCREEN_BATCH ? settle(e, emit) : HY_OK;
}

static hy_err emit_group(const hy_screen_group *g, uint64_t now, const hy_emit *emit)
{
    char net[INET6_ADDRSTRLEN] = "", subject[96], t[64];
    hy_alert *al = NULL;
    hy_buf b;
    hy_json j;
    if (g->ip_version)
        inet_ntop(g->ip_version == 4 ? AF_INET : AF_INET6, g->net, net, sizeof net);
    snprintf(subject, sizeof subject, "sid %u from %s/%u", g->sid, net, g->net_len);
    hy_buf_init(&b, 1u << 16);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "decision", hy_screen_decision_name(g->decision));
    hy_json_kuint(&j, "count", g->count);
    hy_json_kuint(&j, "sid", g->sid);
    hy_json_kstr(&j, "signature", g->signature);
    snprintf(t, sizeof t, "%s/%u", net, g->net_len);
    hy_json_kstr(&j, "net", g->ip_version ? t : "");
    snprintf(t, sizeof t, "%016llx", (unsigned long long)g->cluster);
    hy_json_kstr(&j, "cluster", g->cluster ? t : "");
    hy_json_key(&j, "first");
    hy_json_time(&j, g->first_ns);
    hy_json_key(&j, "last");
    hy_json_time(&j, g->last_ns);
    hy_json_kstr(&j, "reason", g->reason);
    hy_json_obj_close(&j);
    hy_err rc = hy_json_finish(&j);
    if (rc == HY_OK)
        rc = hy_alert_create(now, "screen", "screen.group", 4, g->priority, g->summary, subject,
                             g->sig_key ^ g->cluster, &al);
    if (rc == HY_OK)
        rc = hy_alert_set_evidence(al, b.data);
    hy_buf_free(&b);
    if (rc != HY_OK) {
        hy_alert_destroy(al);
        return rc;
    }
    return hy_emit_alert(emit, al);
}

/* Every screen.group_s, and at the end, one screen.group per group of
 * auto-closed alerts since the last summary. */
static hy_err scr_tick(void *state, uint64_t now, bool final, const hy_emit *emit)
{
    scr_engine *e = state;
    hy_screen_group *v = NULL;
    size_t n = 0;
    hy_err rc = e->s ? settle(e, emit) : HY_OK; /* every tick: alerts wait at most one */
    if (rc != HY_OK || !e->next_group || (!final && now < e->next_group))
        return rc;
    e->next_group = now + e->group_ns;
    rc = hy_screen_groups_list(e->groups, &v, &n);
    for (size_t i = 0; rc == HY_OK && i < n; i++)
        if (v[i].decision == HY_SCREEN_CLOSED)
            rc = emit_group(&v[i], now, emit);
    free(v);
    hy_screen_groups_clear(e->groups);
    return rc;
}

static hy_err scr_train(void *state, const char *dataset, const char *model_out, hy_buf *metrics)
{
    scr_engine *e = state;
    return hy__scr_train(&e->cfg, dataset, model_out, metrics);
}

static hy_err scr_load_model(void *state, const char *path)
{
    scr_engine *e = state;
    scr_model *m = NULL;
    hy_err rc = hy__scr_model_load(path, &m);
    if (rc != HY_OK)
        return rc;
    if (e->s && (rc = hy__scr_model_apply(m, e->s)) != HY_OK) {
        hy__scr_model_free(m);
        return rc;
    }
    hy__scr_model_free(e->model);
    e->model = m;
    return HY_OK;
}

const hy_engine hy_engine_screen = {
    .name = "screen",
    .summary = "screens IDS alerts (Suricata EVE, fast.log): escalates the few that matter",
    .consumes = HY_EV_BIT(HY_EV_ALERT_IN),
    .sharded = true, /* alerts all reach worker 0's instance, in order */
    .create = scr_create,
    .destroy = scr_destroy,
    .on_event = scr_on_event,
    .tick = scr_tick,
    .feature_spec = HY_SCREEN_FEATURE_SPEC,
    .features = hy__scr_features,
    .train = scr_train,
    .load_model = scr_load_model,
};
