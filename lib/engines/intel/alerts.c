/* The intel engine's alerts (docs/ALERTS.md): intel.report, intel.inconsistency
 * and intel.match. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "engines/intel/intel_int.h"
#include "hayate/engine.h"
#include "hayate/iocmatch.h"
#include "hayate/json.h"

/* Emits a with evidence ev (a's and ev's storage released on error). */
static hy_err send_alert(hy_alert *a, hy_buf *ev, const hy_emit *emit)
{
    hy_err rc = hy_alert_set_evidence(a, ev->data ? ev->data : "{}");
    hy_buf_free(ev);
    if (rc != HY_OK) {
        hy_alert_destroy(a);
        return rc;
    }
    return hy_emit_alert(emit, a);
}

/* The report's techniques as "T1,T2" into ids (cut at a whole id). */
static void attack_ids(const hy_intel_report *r, char *ids, size_t cap)
{
    size_t len = 0;
    ids[0] = '\0';
    for (size_t i = 0; i < r->ntech; i++) {
        size_t n = strlen(r->tech[i].id);
        if (len + n + 2 > cap)
            break;
        len += (size_t)snprintf(ids + len, cap - len, "%s%s", len ? "," : "", r->tech[i].id);
    }
}

static hy_err report_evidence(const hy_intel *in, const hy_intel_result *res, size_t noise,
                              hy_buf *ev)
{
    const hy_intel_report *r = &res->report;
    uint32_t tactics, phases;
    hy_json j;
    in_tactics(in, r, &tactics, &phases);
    hy_json_init(&j, ev);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "report_id", r->id);
    hy_json_kstr(&j, "title", r->title);
    hy_json_kstr(&j, "source", r->source);
    hy_json_kstr(&j, "sha256", res->sha256);
    hy_json_kuint(&j, "iocs", r->iocs.n);
    hy_json_kuint(&j, "noise", noise);
    hy_json_kuint(&j, "techniques", r->ntech);
    in_json_names(&j, "tactics", tactics, in_tactic_name);
    in_json_names(&j, "kill_chain", phases, in_phase_name);
    hy_json_key(&j, "software");
    hy_json_arr_open(&j);
    for (size_t i = 0; i < r->nsoftware; i++)
        hy_json_str(&j, r->software[i]->name);
    hy_json_arr_close(&j);
    hy_json_kuint(&j, "findings", r->nfindings);
    hy_json_obj_close(&j);
    return hy_json_finish(&j);
}

/* intel.report: severity 3 when the report holds indicators that are not
 * noise or names techniques, else 4 (information). */
static hy_err report_alert(const hy_intel *in, const hy_intel_result *res, uint64_t ts_ns,
                           uint64_t seq, const hy_emit *emit)
{
    const hy_intel_report *r = &res->report;
    char title[320], ids[512];
    size_t noise = 0;
    double score = 0;
    hy_alert *a;
    hy_buf ev;
    hy_err rc;
    for (size_t i = 0; i < r->iocs.n; i++)
        noise += r->iocs.v[i].noise != NULL;
    for (size_t i = 0; i < r->ntech; i++)
        score = r->tech[i].confidence > score ? r->tech[i].confidence : score;
    bool useful = r->iocs.n > noise || r->ntech;
    snprintf(title, sizeof title, "Report \"%.200s\": %zu indicators (%zu noise), %zu techniques",
             r->title ? r->title : r->id, r->iocs.n, noise, r->ntech);
    if ((rc = hy_alert_create(ts_ns, "intel", "intel.report", useful ? 3 : 4,
                              r->iocs.n > noise ? (score > 0.5 ? score : 0.5) : score, title,
                              r->id, seq, &a)) != HY_OK)
        return rc;
    attack_ids(r, ids, sizeof ids);
    if (*ids && (rc = hy_alert_set_attack(a, ids)) != HY_OK) {
        hy_alert_destroy(a);
        return rc;
    }
    hy_buf_init(&ev, 1u << 20);
    if ((rc = report_evidence(in, res, noise, &ev)) != HY_OK) {
        hy_buf_free(&ev);
        hy_alert_destroy(a);
        return rc;
    }
    return send_alert(a, &ev, emit);
}

static hy_err finding_alert(const hy_intel_report *r, const hy_intel_finding *f, size_t i,
                            uint64_t ts_ns, uint64_t seq, const hy_emit *emit)
{
    char title[400];
    hy_alert *a;
    hy_buf ev;
    hy_json j;
    hy_err rc;
    snprintf(title, sizeof title, "%.64s: %.300s", f->subject ? f->subject : r->id,
             f->detail ? f->detail : f->kind);
    if ((rc = hy_alert_create(ts_ns, "intel", "intel.inconsistency", 3, 0.7, title,
                              f->subject ? f->subject : r->id, seq * 1024 + i, &a)) != HY_OK)
        return rc;
    hy_buf_init(&ev, 1u << 20);
    hy_json_init(&j, &ev);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "finding", f->kind);
    hy_json_kstr(&j, "detail", f->detail);
    hy_json_kstr(&j, "report_id", r->id);
    hy_json_kstr(&j, "source", r->source);
    hy_json_obj_close(&j);
    if ((rc = hy_json_finish(&j)) != HY_OK) {
        hy_buf_free(&ev);
        hy_alert_destroy(a);
        return rc;
    }
    return send_alert(a, &ev, emit);
}

hy_err in_report_alerts(const hy_intel *in, const hy_intel_result *res, uint64_t ts_ns,
                        uint64_t seq, const hy_emit *emit)
{
    hy_err rc = report_alert(in, res, ts_ns, seq, emit);
    for (size_t i = 0; rc == HY_OK && i < res->report.nfindings; i++)
        rc = finding_alert(&res->report, &res->report.findings[i], i, ts_ns, seq, emit);
    return rc;
}

hy_err in_match_alert(const in_agg *a, uint64_t suppressed, uint64_t window_ns,
                      const hy_emit *emit)
{
    const hy_flow *f = &a->example;
    char title[300], addr[INET6_ADDRSTRLEN];
    hy_alert *al;
    hy_buf ev;
    hy_json j;
    hy_err rc;
    inet_ntop(f->ip_version == 4 ? AF_INET : AF_INET6, a->to ? f->dst : f->src, addr, sizeof addr);
    snprintf(title, sizeof title, "%llu flow%s %s known-bad %s %.100s (%zu report%s)",
             (unsigned long long)a->flows, a->flows == 1 ? "" : "s", a->to ? "to" : "from",
             hy_ioc_type_name(a->type), a->value, a->nreports, a->nreports == 1 ? "" : "s");
    if ((rc = hy_alert_create(a->first_ns, "intel", "intel.match", 2, 0.9, title, addr,
                              f->first_seq, &al)) != HY_OK)
        return rc;
    al->ip_version = f->ip_version;
    al->proto = f->proto;
    memcpy(al->src, f->src, 16);
    memcpy(al->dst, f->dst, 16);
    al->sport = f->sport;
    al->dport = f->dport;
    memcpy(al->community_id, f->community_id, sizeof al->community_id);
    hy_buf_init(&ev, 1u << 16);
    hy_json_init(&j, &ev);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "indicator", a->value);
    hy_json_kstr(&j, "type", hy_ioc_type_name(a->type));
    hy_json_kstr(&j, "direction", a->to ? "to" : "from");
    hy_json_key(&j, "reports");
    hy_json_arr_open(&j);
    for (size_t i = 0; i < a->nreports && i < HY_IOC_MATCH_MAX_REPORTS; i++)
        hy_json_str(&j, a->reports[i]);
    hy_json_arr_close(&j);
    hy_json_kuint(&j, "report_count", a->nreports);
    hy_json_kuint(&j, "flows", a->flows);
    hy_json_kuint(&j, "packets", a->packets);
    hy_json_kuint(&j, "bytes", a->bytes);
    hy_json_key(&j, "first");
    hy_json_time(&j, a->first_ns);
    hy_json_key(&j, "last");
    hy_json_time(&j, a->last_ns);
    hy_json_kuint(&j, "suppressed_before", suppressed);
    hy_json_kuint(&j, "window_s", window_ns / 1000000000u);
    hy_json_obj_close(&j);
    if ((rc = hy_json_finish(&j)) != HY_OK) {
        hy_buf_free(&ev);
        hy_alert_destroy(al);
        return rc;
    }
    return send_alert(al, &ev, emit);
}
