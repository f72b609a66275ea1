/* The darknet engine's model: a threshold factor per port, learned from
 * analysts' verdicts on outbreak alerts (docs/MODELS.md).
 *
 * Each labelled alert has a margin: the largest factor by which its port's
 * thresholds could have been multiplied with the alert still firing (for
 * the change test min(z / z_min, sources / min_sources, sources / (ratio x
 * baseline)); for a new port sources / new_port_sources; for the persistent
 * series persistent / min_sources, an upper bound). Alerts the graphical
 * lasso or Dark-NMF raised have an infinite margin: the factor does not
 * touch those detectors. For each port, training picks the factor f in
 * {1} u {margin x 1.01 of each false alarm} with the least cost, where a
 * false alarm still firing (margin >= f) costs 1 and a true alert
 * suppressed (margin < f) costs tp_cost (10: a missed outbreak is far worse
 * than an extra look); ties go to the smaller f. Metrics are measured on
 * the training set and by leave-one-out over each port's rows. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/darknet/darknet_int.h"
#include "hayate/buf.h"
#include "hayate/io.h"
#include "hayate/json.h"

#define TP_COST        10.0
#define FACTOR_MAX     1000.0
#define STEP           1.01
#define MAX_ROWS       1000000
#define LINE_MAX_BYTES 4096
#define LOO_MAX        2000 /* a port's rows for leave-one-out */
#define MODEL_MAX      (16u << 20)

/* ---- features of one stored alert ---- */

static double num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : 0.0;
}

static bool has_detector(json_t *dets, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(dets, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
            return true;
    }
    return false;
}

hy_err dn_features(const hy_alert *a, hy_buf *row)
{
    json_error_t err;
    json_t *ev, *dets, *proto, *port;
    hy_err rc;
    if (strcmp(a->kind, "darknet.outbreak") != 0)
        return HY_ERR_UNSUPPORTED;
    if (!(ev = json_loads(a->evidence, JSON_REJECT_DUPLICATES, &err)))
        return hy_err_set(HY_ERR_FORMAT, "alert %s: evidence is not JSON: %s", a->id, err.text);
    proto = json_object_get(ev, "proto");
    port = json_object_get(ev, "port");
    dets = json_object_get(ev, "detectors");
    uint8_t pr;
    uint16_t po;
    char key[32];
    if (!json_is_string(proto) || !json_is_integer(port) || !json_is_array(dets) ||
        snprintf(key, sizeof key, "%s/%lld", json_string_value(proto),
                 (long long)json_integer_value(port)) >= (int)sizeof key ||
        !dn_port_parse(key, &pr, &po)) {
        json_decref(ev);
        return hy_err_set(HY_ERR_FORMAT, "alert %s: evidence lacks proto, port or detectors",
                          a->id);
    }
    rc = hy_buf_addf(row, "%s,%u,%d,%d,%d,%d,%d,%.0f,%.3f,%.3f,%.0f", dn_proto_name(pr),
                     (unsigned)po, has_detector(dets, "change"), has_detector(dets, "new_port"),
                     has_detector(dets, "persist"), has_detector(dets, "glasso"),
                     has_detector(dets, "nmf"), num(ev, "sources"), num(ev, "baseline"),
                     num(ev, "z"), num(ev, "persistent_sources"));
    json_decref(ev);
    return rc;
}

/* ---- training ---- */

typedef struct row {
    uint32_t pv;
    bool tp; /* true_positive or malicious */
    double margin;
} row;

/* The margin of one alert under the detector's base thresholds. */
static double margin(const dn_detect_cfg *c, const int det[5], double u, double base, double z,
                     double persistent)
{
    double m = 0;
    if (det[3] || det[4])
        return INFINITY; /* glasso, nmf: not under the factor */
    if (det[0]) {
        double x = fmin(z / c->z, u / c->min_sources);
        if (base > 0)
            x = fmin(x, u / (c->min_ratio * base));
        m = fmax(m, x);
    }
    if (det[1])
        m = fmax(m, u / c->new_port_k);
    if (det[2])
        m = fmax(m, persistent / c->min_sources);
    return m;
}

/* Parses one data line: label,verdict,alert_id,<DN_FEATURE_SPEC>. */
static hy_err parse_line(const dn_detect_cfg *c, char *line, size_t lineno, row *r)
{
    char proto[8], verdict[24], key[32];
    int label, det[5];
    unsigned port;
    double u, base, z, pers;
    int used = 0;
    uint8_t pr;
    uint16_t po;
    if (sscanf(line, "%d,%23[a-z_],%*[0-9A-Z],%7[a-z0-9],%u,%d,%d,%d,%d,%d,%lf,%lf,%lf,%lf%n",
               &label, verdict, proto, &port, &det[0], &det[1], &det[2], &det[3], &det[4], &u,
               &base, &z, &pers, &used) != 13 ||
        line[used] != '\0' || (label != 0 && label != 1) || port > 65535 ||
        snprintf(key, sizeof key, "%s/%u", proto, port) >= (int)sizeof key ||
        !dn_port_parse(key, &pr, &po) || !isfinite(u) || !isfinite(base) || !isfinite(z) ||
        !isfinite(pers) || u < 0 || base < 0 || pers < 0)
        return hy_err_set(HY_ERR_FORMAT, "dataset line %zu: not a darknet training row", lineno);
    r->pv = (uint32_t)pr << 16 | po;
    r->tp = label == 1;
    r->margin = margin(c, det, u, base, z, pers);
    return HY_OK;
}

static int by_pv_row(const void *x, const void *y)
{
    const row *a = x, *b = y;
    if (a->pv != b->pv)
        return (a->pv > b->pv) - (a->pv < b->pv);
    return (a->margin > b->margin) - (a->margin < b->margin);
}

static hy_err read_rows(const dn_detect_cfg *c, const char *path, row **out, size_t *n)
{
    char line[LINE_MAX_BYTES + 2];
    size_t nr = 0, cap = 0, lineno = 0;
    row *rows = NULL;
    hy_err rc = HY_OK;
    FILE *f = fopen(path, "r");
    if (!f)
        return hy_err_set(HY_ERR_IO, "%s: %s", path, strerror(errno));
    while (rc == HY_OK && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        lineno++;
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(f)) {
            rc = hy_err_set(HY_ERR_FORMAT, "%s line %zu: longer than %d bytes", path, lineno,
                            LINE_MAX_BYTES);
            break;
        }
        if (lineno == 1) { /* the header must name these features */
            if (strncmp(line, "label,verdict,alert_id,", 23) != 0 ||
                strcmp(line + 23, DN_FEATURE_SPEC) != 0)
                rc = hy_err_set(HY_ERR_FORMAT, "%s: header is not the darknet feature spec", path);
            continue;
        }
        if (nr == MAX_ROWS) {
            rc = hy_err_set(HY_ERR_TOOBIG, "%s: more than %d rows", path, MAX_ROWS);
            break;
        }
        if (nr == cap) {
            size_t nc = cap ? cap * 2 : 256;
            row *nrows = realloc(rows, nc * sizeof *nrows);
            if (!nrows) {
                rc = HY_ERR_NOMEM;
                break;
            }
            rows = nrows;
            cap = nc;
        }
        if ((rc = parse_line(c, line, lineno, &rows[nr])) == HY_OK)
            nr++;
    }
    if (rc == HY_OK && lineno == 0)
        rc = hy_err_set(HY_ERR_FORMAT, "%s: empty (no header)", path);
    fclose(f);
    if (rc != HY_OK) {
        free(rows);
        return rc;
    }
    if (nr)
        qsort(rows, nr, sizeof *rows, by_pv_row);
    *out = rows;
    *n = nr;
    return HY_OK;
}

/* The least-cost factor for one port's rows r[0..n), skipping index skip
 * (leave-one-out; n to skip none). */
static double fit(const row *r, size_t n, size_t skip)
{
    double best_f = 1.0, best_cost = INFINITY;
    for (size_t k = 0; k <= n; k++) {
        double f;
        if (k == n)
            f = 1.0;
        else if (k == skip || r[k].tp || !isfinite(r[k].margin))
            continue;
        else
            f = fmin(fmax(r[k].margin * STEP, 1.0), FACTOR_MAX);
        double cost = 0;
        for (size_t i = 0; i < n; i++) {
            if (i == skip)
                continue;
            bool fires = r[i].margin >= f;
            cost += r[i].tp ? (fires ? 0 : TP_COST) : (fires ? 1 : 0);
        }
        if (cost < best_cost || (cost == best_cost && f < best_f)) {
            best_cost = cost;
            best_f = f;
        }
    }
    return best_f;
}

typedef struct tally {
    uint64_t tp, fp, tp_kept, fp_cut, fp_fixed, tp_kept_loo, fp_cut_loo, loo_rows;
} tally;

/* Fits one port: its factor (1: leave it be) and counts into *out; tallies. */
static void fit_port(const row *r, size_t n, dn_model_port *out, tally *t)
{
    double f = fit(r, n, n);
    *out = (dn_model_port){.pf = {.pv = r[0].pv, .factor = f}};
    for (size_t i = 0; i < n; i++) {
        bool fires = r[i].margin >= f;
        out->true_alerts += r[i].tp;
        out->false_alarms += !r[i].tp;
        t->tp_kept += r[i].tp && fires;
        t->fp_cut += !r[i].tp && !fires;
        t->fp_fixed += !r[i].tp && !isfinite(r[i].margin);
        if (n <= LOO_MAX) {
            double g = fit(r, n, i);
            t->loo_rows++;
            t->tp_kept_loo += r[i].tp && r[i].margin >= g;
            t->fp_cut_loo += !r[i].tp && r[i].margin < g;
        }
    }
    t->tp += out->true_alerts;
    t->fp += out->false_alarms;
}

static void write_metrics(hy_buf *metrics, const tally *t, size_t nrows, size_t nports,
                          size_t learned)
{
    hy_json m;
    hy_json_init(&m, metrics);
    hy_json_obj_open(&m);
    hy_json_kuint(&m, "rows", nrows);
    hy_json_kuint(&m, "ports", nports);
    hy_json_kuint(&m, "ports_raised", learned);
    hy_json_kuint(&m, "true_alerts", t->tp);
    hy_json_kuint(&m, "false_alarms", t->fp);
    hy_json_kuint(&m, "false_alarms_beyond_factor", t->fp_fixed);
    hy_json_kfixed(&m, "train_true_kept", t->tp ? (double)t->tp_kept / (double)t->tp : 1, 4);
    hy_json_kfixed(&m, "train_false_cut", t->fp ? (double)t->fp_cut / (double)t->fp : 0, 4);
    hy_json_kuint(&m, "loo_rows", t->loo_rows);
    hy_json_kfixed(&m, "loo_true_kept", t->tp ? (double)t->tp_kept_loo / (double)t->tp : 1, 4);
    hy_json_kfixed(&m, "loo_false_cut", t->fp ? (double)t->fp_cut_loo / (double)t->fp : 0, 4);
    hy_json_kfixed(&m, "tp_cost", TP_COST, 1);
    hy_json_obj_close(&m);
}

hy_err dn_train_rows(const dn_detect_cfg *c, const char *dataset, const char *model_out,
                     hy_buf *metrics)
{
    row *rows = NULL;
    dn_model_port *ports = NULL;
    size_t nr = 0, nports = 0, learned = 0;
    tally t = {0};
    hy_err rc = read_rows(c, dataset, &rows, &nr);
    if (rc != HY_OK)
        return rc;
    if (nr && !(ports = calloc(nr, sizeof *ports))) {
        free(rows);
        return HY_ERR_NOMEM;
    }
    for (size_t i = 0; i < nr;) { /* rows are sorted by port */
        size_t k = i;
        while (k < nr && rows[k].pv == rows[i].pv)
            k++;
        fit_port(rows + i, k - i, &ports[learned], &t);
        learned += ports[learned].pf.factor > 1.0; /* factor 1: not in the model */
        nports++;
        i = k;
    }
    if ((rc = dn_model_write(model_out, ports, learned)) == HY_OK)
        write_metrics(metrics, &t, nr, nports, learned);
    free(ports);
    free(rows);
    return rc;
}

hy_err dn_model_write(const char *path, const dn_model_port *p, size_t n)
{
    hy_buf b;
    hy_json j;
    hy_err rc;
    hy_buf_init(&b, MODEL_MAX);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "engine", "darknet");
    hy_json_kuint(&j, "format", 1);
    hy_json_key(&j, "ports");
    hy_json_arr_open(&j);
    for (size_t i = 0; i < n; i++) {
        char key[24];
        snprintf(key, sizeof key, "%s/%u", dn_proto_name((uint8_t)(p[i].pf.pv >> 16)),
                 (unsigned)(p[i].pf.pv & 0xffff));
        hy_json_obj_open(&j);
        hy_json_kstr(&j, "port", key);
        hy_json_kfixed(&j, "factor", p[i].pf.factor, 4);
        if (p[i].false_alarms || p[i].true_alerts) {
            hy_json_kuint(&j, "false_alarms", p[i].false_alarms);
            hy_json_kuint(&j, "true_alerts", p[i].true_alerts);
        }
        hy_json_obj_close(&j);
    }
    hy_json_arr_close(&j);
    hy_json_obj_close(&j);
    if ((rc = hy_json_finish(&j)) == HY_OK && (rc = hy_buf_addc(&b, '\n')) == HY_OK)
        rc = hy_write_file_atomic(path, b.data, b.len);
    hy_buf_free(&b);
    return rc;
}

/* ---- the model file ---- */

static int by_pv_factor(const void *x, const void *y)
{
    uint32_t a = ((const dn_port_factor *)x)->pv, b = ((const dn_port_factor *)y)->pv;
    return (a > b) - (a < b);
}

hy_err dn_model_parse(const char *text, size_t len, dn_port_factor **out, size_t *n)
{
    json_error_t err;
    json_t *m, *ports, *p;
    dn_port_factor *v = NULL;
    size_t i, np;
    hy_err rc = HY_OK;
    *out = NULL;
    *n = 0;
    if (len > MODEL_MAX)
        return hy_err_set(HY_ERR_TOOBIG, "darknet model: over %u bytes", MODEL_MAX);
    if (!(m = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err)))
        return hy_err_set(HY_ERR_FORMAT, "darknet model: line %d: %s", err.line, err.text);
    ports = json_object_get(m, "ports");
    if (!json_is_object(m) || !json_is_string(json_object_get(m, "engine")) ||
        strcmp(json_string_value(json_object_get(m, "engine")), "darknet") != 0 ||
        json_integer_value(json_object_get(m, "format")) != 1 || !json_is_array(ports)) {
        rc = hy_err_set(HY_ERR_FORMAT, "darknet model: not engine darknet, format 1, ports[]");
        goto out;
    }
    np = json_array_size(ports);
    if (np > 3 * 65536 || (np && !(v = calloc(np, sizeof *v)))) {
        rc = np ? HY_ERR_NOMEM : HY_OK;
        if (np > 3 * 65536)
            rc = hy_err_set(HY_ERR_TOOBIG, "darknet model: %zu ports", np);
        goto out;
    }
    json_array_foreach(ports, i, p)
    {
        json_t *k = json_object_get(p, "port"), *f = json_object_get(p, "factor");
        uint8_t pr;
        uint16_t po;
        double x = json_is_number(f) ? json_number_value(f) : -1;
        if (!json_is_string(k) || !dn_port_parse(json_string_value(k), &pr, &po) ||
            !(x >= 1.0 && x <= FACTOR_MAX)) {
            rc = hy_err_set(HY_ERR_FORMAT,
                            "darknet model: ports[%zu] needs port PROTO/N and "
                            "a factor in 1..%g",
                            i, FACTOR_MAX);
            goto out;
        }
        v[i] = (dn_port_factor){.pv = (uint32_t)pr << 16 | po, .factor = x};
    }
    if (np)
        qsort(v, np, sizeof *v, by_pv_factor);
    for (i = 1; i < np; i++)
        if (v[i].pv == v[i - 1].pv) {
            rc = hy_err_set(HY_ERR_FORMAT, "darknet model: a port appears twice");
            goto out;
        }
    *out = v;
    *n = np;
    v = NULL;
out:
    free(v);
    json_decref(m);
    return rc;
}
