/* The screener: context and features (screen_ctx.c), a label-free novelty
 * score (isolation forest over the features, refitted on a reservoir of
 * recent rows), context clusters and inherited verdicts
 * (screen_cluster.c), an optional supervised score, and from all of it a
 * priority, a decision and its reason (docs/screen.md). */
#include "engines/screen/screen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/gbm.h"

static void free_host(void *p)
{
    free(p);
}

static void free_host_entry(void *ud, const void *key, void *value)
{
    (void)ud, (void)key;
    free(*(scr_host **)value);
}

hy_err hy_screen_create(const hy_screen_cfg *c, hy_screen **out)
{
    if (!c || !out || c->history < 1 || c->history > HY_SCREEN_MAX_HISTORY ||
        !(c->eps > 0 && c->eps < 1) || c->window_ns == 0 || c->rate_ns == 0 ||
        c->min_members < 1 || c->warmup < 16 || c->reservoir < c->warmup / 4 ||
        c->reservoir < 16 || c->refit_ns == 0 || c->n_critical > HY_SCREEN_MAX_NETS ||
        c->n_home > HY_SCREEN_MAX_NETS)
        return hy_err_set(HY_ERR_ARG, "screen: settings out of range");
    hy_screen *s = calloc(1, sizeof *s);
    hy_err e = HY_ERR_NOMEM;
    if (!s)
        return hy_err_set(HY_ERR_NOMEM, "screen: screener");
    s->cfg = *c;
    s->rng = c->seed ^ 0x9e3779b97f4a7c15ull;
    s->resv = malloc((size_t)c->reservoir * HY_SF__COUNT * sizeof *s->resv);
    if (!s->resv ||
        (e = hy_ftab_create(sizeof(uint64_t), sizeof(uint32_t), HY_SCREEN_MAX_SIGS, &s->sig_ix)) !=
            HY_OK ||
        (e = hy_ftab_create(17, sizeof(scr_host *), HY_SCREEN_MAX_HOSTS, &s->hosts)) != HY_OK ||
        (e = hy_ftab_create(SCR_PAIR_KEY, sizeof(scr_pair), HY_SCREEN_MAX_PAIRS, &s->pairs)) !=
            HY_OK ||
        (e = hy_ftab_create(21, sizeof(scr_hsig), HY_SCREEN_MAX_PAIRS, &s->host_sigs)) != HY_OK ||
        (e = hy_ftab_create(SCR_PAIR_KEY + 4, sizeof(uint64_t), HY_SCREEN_MAX_PAIRS,
                            &s->pair_sigs)) != HY_OK ||
        (e = hy_ftab_create(17 + 8, sizeof(uint64_t), HY_SCREEN_MAX_PAIRS, &s->vouch)) != HY_OK ||
        (e = hy_map_create(0, NULL, &s->cl_ix)) != HY_OK ||
        (e = hy_map_create(0, NULL, &s->cat_ix)) != HY_OK ||
        (e = hy_map_create(HY_SCREEN_MAX_HOSTS, free_host, &s->taint)) != HY_OK ||
        (e = hy_map_create(HY_SCREEN_MAX_CLUSTERS, free_host, &s->pending)) != HY_OK) {
        hy_screen_destroy(s);
        return e == HY_OK || e == HY_ERR_NOMEM ? hy_err_set(HY_ERR_NOMEM, "screen: screener") : e;
    }
    *out = s;
    return HY_OK;
}

void hy_screen_destroy(hy_screen *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nsigs; i++)
        free(s->sigs[i].clusters);
    free(s->sigs);
    hy_ftab_destroy(s->sig_ix);
    hy_ftab_each(s->hosts, free_host_entry, NULL);
    hy_ftab_destroy(s->hosts);
    hy_ftab_destroy(s->pairs);
    hy_ftab_destroy(s->host_sigs);
    hy_ftab_destroy(s->pair_sigs);
    hy_ftab_destroy(s->vouch);
    hy_map_destroy(s->cl_ix);
    hy_map_destroy(s->cat_ix);
    hy_map_destroy(s->taint);
    hy_map_destroy(s->pending);
    free(s->cats);
    free(s->cl);
    free(s->comps);
    free(s->resv);
    hy_iforest_destroy(s->forest);
    if (s->model)
        hy_gbm_free(s->model);
    free(s);
}

void hy_screen_set_model(hy_screen *s, struct hy_gbm *m)
{
    if (s->model)
        hy_gbm_free(s->model);
    s->model = m;
}

static uint64_t next_rand(hy_screen *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Algorithm R: every row seen has the same chance to be in the reservoir. */
static void reservoir_add(hy_screen *s, const float *f)
{
    size_t slot;
    s->resv_seen++;
    if (s->nresv < s->cfg.reservoir)
        slot = s->nresv++;
    else if ((slot = (size_t)(next_rand(s) % s->resv_seen)) >= s->cfg.reservoir)
        return;
    memcpy(s->resv + slot * HY_SF__COUNT, f, HY_SF__COUNT * sizeof *f);
}

/* Fits the novelty model at the end of warm-up and then every refit_ns. */
static void maybe_refit(hy_screen *s, uint64_t ts)
{
    bool due = s->forest ? ts >= s->next_fit : s->nresv >= s->cfg.warmup;
    if (!due)
        return;
    hy_iforest_params p;
    hy_iforest *f = NULL;
    hy_iforest_params_default(&p);
    p.seed = s->cfg.seed + s->st.refits;
    if (hy_iforest_fit(s->resv, s->nresv, HY_SF__COUNT, &p, &f) == HY_OK) {
        hy_iforest_destroy(s->forest);
        s->forest = f;
        s->st.refits++;
    }
    s->next_fit = ts + s->cfg.refit_ns;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Label-free priority: novelty, rarity, severity and criticality; blended
 * with the supervised score when there is one, and moved by a verdict. */
static double priority(const hy_screen *s, const hy_screen_result *r)
{
    double nov = clamp01((r->novelty - 0.4) / 0.35);
    double crit = r->f[HY_SF_SRC_CRIT] > r->f[HY_SF_DST_CRIT] ? r->f[HY_SF_SRC_CRIT]
                                                              : r->f[HY_SF_DST_CRIT];
    double p = 0.35 * nov + 0.30 * r->rarity + 0.20 * r->f[HY_SF_SEVERITY] + 0.15 * crit;
    if (r->model >= 0)
        p = 0.5 * p + 0.5 * r->model;
    if (r->tainted || (r->inherited == HY_SCREEN_MALICIOUS && r->confidence >= s->cfg.floor))
        p = 0.9 + 0.1 * r->confidence;
    else if (r->inherited == HY_SCREEN_BENIGN && r->confidence >= s->cfg.floor)
        p *= 1.0 - r->confidence;
    return clamp01(p);
}

/* ns as UTC text in strftime format fmt ("?" if it cannot be). */
static void utc_text(uint64_t ns, const char *fmt, char *out, size_t n)
{
    time_t t = (time_t)(ns / 1000000000ull);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, n, fmt, &tm) == 0)
        snprintf(out, n, "?");
}

static void judged_text(const hy_screen_result *r, char *out, size_t n)
{
    char day[16];
    utc_text(r->judged_ns, "%m-%d", day, sizeof day);
    snprintf(out, n, "judged %s on %s by %s",
             r->inherited == HY_SCREEN_MALICIOUS ? "malicious" : "benign", day,
             r->judged_by[0] ? r->judged_by : "an analyst");
}

/* The decision rules, first match wins (docs/screen.md, "Decisions"). */
static void decide(const hy_screen *s, hy_screen_result *r, uint64_t ts)
{
    const hy_screen_cfg *c = &s->cfg;
    char j[96] = "";
    bool sure = r->inherited != HY_SCREEN_UNJUDGED && r->confidence >= c->floor;
    bool formed = r->cluster && r->cluster_members >= c->min_members;
    bool young = r->pair_age_ns != HY_SCREEN_AGE_UNKNOWN && r->pair_age_ns < c->new_pair_ns;
    bool routine = r->pair_sig_age_ns != HY_SCREEN_AGE_UNKNOWN && c->routine_ns &&
                   r->pair_sig_age_ns > c->routine_ns;
    if (r->inherited != HY_SCREEN_UNJUDGED) /* the date costs a gmtime: only when said */
        judged_text(r, j, sizeof j);
    if (r->tainted) {
        char day[16];
        utc_text(r->taint_ns, "%m-%d", day, sizeof day);
        r->decision = HY_SCREEN_ESCALATE;
        r->rule = HY_SCREEN_RULE_TAINT;
        if (r->taint_sid)
            snprintf(r->reason, sizeof r->reason,
                     "its source was judged compromised on %s (an alert of sid %u)", day,
                     r->taint_sid);
        else
            snprintf(r->reason, sizeof r->reason, "its source was judged compromised on %s",
                     day);
    } else if (sure && r->inherited == HY_SCREEN_MALICIOUS) {
        r->decision = HY_SCREEN_ESCALATE;
        r->rule = HY_SCREEN_RULE_MALICIOUS;
        snprintf(r->reason, sizeof r->reason, "%s %s (confidence %.2f)",
                 r->judged_from == r->cluster ? "context cluster" : "similar context cluster", j,
                 r->confidence);
    } else if (r->model >= c->model_high) {
        r->decision = HY_SCREEN_ESCALATE;
        r->rule = HY_SCREEN_RULE_MODEL_HIGH;
        snprintf(r->reason, sizeof r->reason, "model: p(attack) %.2f", r->model);
    } else if (r->never_seen) {
        r->decision = r->priority >= c->escalate ? HY_SCREEN_ESCALATE : HY_SCREEN_REVIEW;
        r->rule = HY_SCREEN_RULE_NEVER_SEEN;
        snprintf(r->reason, sizeof r->reason, "never-seen signature (priority %.2f)",
                 r->priority);
    } else if (r->vouched) {
        char day[16];
        utc_text(r->vouch_ns, "%m-%d", day, sizeof day);
        r->decision = HY_SCREEN_CLOSED;
        r->rule = HY_SCREEN_RULE_VOUCHED;
        snprintf(r->reason, sizeof r->reason,
                 "an analyst judged this signature from this source benign on %s", day);
    } else if (young) { /* integers: a third of the alerts, and a %f costs a microsecond */
        unsigned long long tenths = (r->pair_age_ns + 180000000000ull) / 360000000000ull;
        r->decision = r->priority >= c->escalate ? HY_SCREEN_ESCALATE : HY_SCREEN_REVIEW;
        r->rule = HY_SCREEN_RULE_NEW_PAIR;
        snprintf(r->reason, sizeof r->reason, "new host pair: first alert %llu.%llu h ago",
                 tenths / 10, tenths % 10);
    } else if (sure && r->inherited == HY_SCREEN_BENIGN) {
        r->decision = HY_SCREEN_CLOSED;
        r->rule = HY_SCREEN_RULE_BENIGN;
        snprintf(r->reason, sizeof r->reason, "%s %s (confidence %.2f)",
                 r->judged_from == r->cluster ? "context cluster" : "similar context cluster", j,
                 r->confidence);
    } else if (formed && routine) {
        char since[32];
        utc_text(ts - r->pair_sig_age_ns, "%m-%d %H:%M", since, sizeof since);
        r->decision = HY_SCREEN_CLOSED;
        r->rule = HY_SCREEN_RULE_ROUTINE;
        snprintf(r->reason, sizeof r->reason,
                 "routine: the host pair has raised it since %s (context cluster of %u)", since,
                 r->cluster_members);
    } else if (formed && r->model >= 0 && r->model < c->model_low) {
        r->decision = HY_SCREEN_CLOSED;
        r->rule = HY_SCREEN_RULE_MODEL_LOW;
        snprintf(r->reason, sizeof r->reason,
                 "model: p(attack) %.3f in a cluster of %u not yet judged", r->model,
                 r->cluster_members);
    } else if (r->priority >= c->escalate) {
        r->decision = HY_SCREEN_ESCALATE;
        r->rule = HY_SCREEN_RULE_PRIORITY;
        snprintf(r->reason, sizeof r->reason, "rare or novel: priority %.2f (novelty %.2f, "
                 "rarity %.2f)", r->priority, r->novelty, r->rarity);
    } else {
        r->decision = HY_SCREEN_REVIEW;
        r->rule = HY_SCREEN_RULE_UNSURE;
        if (!r->cluster)
            snprintf(r->reason, sizeof r->reason, "in no context cluster");
        else if (r->inherited != HY_SCREEN_UNJUDGED)
            snprintf(r->reason, sizeof r->reason, "cluster %s, but confidence %.2f < %.2f", j,
                     r->confidence, c->floor);
        else
            snprintf(r->reason, sizeof r->reason, "context cluster of %u not judged yet",
                     r->cluster_members);
    }
}

/* First half of one alert: state updates, context, cluster, taint and
 * novelty; *cur gets its cluster's index (-1: none) and *ts its time. */
static hy_err observe(hy_screen *s, const hy_alert_in *a, hy_screen_result *r, int64_t *cur,
                      uint64_t *ts)
{
    scr_comp vec[HY_SCREEN_MAX_HISTORY];
    uint32_t sig, nvec;
    *ts = a->ts_ns > s->last_ts ? a->ts_ns : s->last_ts;
    memset(r, 0, sizeof *r);
    r->pair_age_ns = r->pair_sig_age_ns = HY_SCREEN_AGE_UNKNOWN;
    r->seq = s->seq;
    r->model = -1;
    s->cur = -1;
    hy_err e = hy__scr_context(s, a, *ts, r, &sig, vec, &nvec);
    if (e == HY_OK)
        e = hy__scr_cluster(s, sig, vec, nvec, *ts, r);
    if (e != HY_OK)
        return e;
    *cur = s->cur;
    s->last_ts = *ts;
    hy__scr_taint_check(s, a, *ts, r);
    hy__scr_vouch_check(s, a, *ts, r);
    r->novelty = s->forest ? hy_iforest_score(s->forest, r->f, HY_SF__COUNT) : 0.5;
    reservoir_add(s, r->f);
    maybe_refit(s, *ts);
    s->seq++;
    return HY_OK;
}

/* Second half, once the supervised score is in: priority and decision. */
static void conclude(hy_screen *s, hy_screen_result *r, int64_t cur, uint64_t ts)
{
    r->priority = priority(s, r);
    /* A tainted alert escalates anyway: it does not make its cluster the
     * riskiest to ask about, or the queue fills with one intrusion's. */
    if (cur >= 0 && !r->tainted) {
        scr_cluster *c = &s->cl[cur];
        if (r->priority > c->risk || ts - c->risk_ts > s->cfg.window_ns) {
            c->risk = (float)r->priority;
            c->risk_seq = r->seq;
            c->risk_ts = ts;
        }
    }
    decide(s, r, ts);
    s->st.alerts++;
    s->st.escalated += r->decision == HY_SCREEN_ESCALATE;
    s->st.review += r->decision == HY_SCREEN_REVIEW;
    s->st.closed += r->decision == HY_SCREEN_CLOSED;
}

/* The supervised scores of the pending results, in one call into XGBoost. */
static void model_scores(hy_screen *s)
{
    float x[HY_SCREEN_BATCH * HY_SF__COUNT];
    double p[HY_SCREEN_BATCH];
    if (!s->model)
        return;
    for (size_t i = 0; i < s->npend; i++)
        memcpy(x + i * HY_SF__COUNT, s->pend[i].r->f, sizeof s->pend[i].r->f);
    if (hy_gbm_score_rows(s->model, x, s->npend, HY_SF__COUNT, p) == HY_OK)
        for (size_t i = 0; i < s->npend; i++)
            s->pend[i].r->model = p[i];
}

hy_err hy_screen_flush(hy_screen *s)
{
    if (!s)
        return hy_err_set(HY_ERR_ARG, "screen: NULL argument");
    model_scores(s);
    for (size_t i = 0; i < s->npend; i++)
        conclude(s, s->pend[i].r, s->pend[i].cur, s->pend[i].ts);
    s->npend = 0;
    return HY_OK;
}

hy_err hy_screen_push(hy_screen *s, const hy_alert_in *a, hy_screen_result *r)
{
    if (!s || !a || !r)
        return hy_err_set(HY_ERR_ARG, "screen: NULL argument");
    if (s->npend == HY_SCREEN_BATCH)
        hy_screen_flush(s);
    scr_pending *p = &s->pend[s->npend];
    hy_err e = observe(s, a, r, &p->cur, &p->ts);
    if (e != HY_OK)
        return e;
    p->r = r;
    s->npend++;
    return HY_OK;
}

hy_err hy_screen_alerts(hy_screen *s, const hy_alert_in *a, size_t n, hy_screen_result *r)
{
    hy_err e = HY_OK;
    if (!s || (n && (!a || !r)))
        return hy_err_set(HY_ERR_ARG, "screen: NULL argument");
    for (size_t i = 0; i < n && e == HY_OK; i++)
        e = hy_screen_push(s, &a[i], &r[i]);
    hy_screen_flush(s); /* those observed still get a decision */
    return e;
}

hy_err hy_screen_alert(hy_screen *s, const hy_alert_in *a, hy_screen_result *r)
{
    return hy_screen_alerts(s, a, 1, r);
}

const char *hy_screen_rule_name(hy_screen_rule r)
{
    static const char *const names[HY_SCREEN_RULE__COUNT] = {
        "taint",  "malicious", "model-high", "never-seen", "vouched", "new-pair",
        "benign", "routine",   "model-low",  "priority",   "unsure"};
    return (unsigned)r < HY_SCREEN_RULE__COUNT ? names[r] : "?";
}

void hy_screen_stats_get(const hy_screen *s, hy_screen_stats *st)
{
    *st = s->st;
    st->signatures = s->nsigs;
    st->hosts = hy_ftab_count(s->hosts);
}
