/* From detector findings to alerts: one incident per (protocol, port), kept
 * open while its detectors keep firing and updated when its sources double;
 * heavy single scanners as low-severity alerts. */
#include "darknet_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/json.h"

typedef struct dn_incident {
    uint64_t opened;      /* bin index */
    uint64_t last_fire;   /* bin index */
    uint64_t alerted;     /* sources in the last alert */
    uint32_t updates;
    uint8_t dets;         /* detectors that have fired on it (bits) */
} dn_incident;

struct dn_report {
    dn_report_cfg cfg;
    uint64_t bin_ns;
    hy_map *incidents;    /* (proto, port) -> dn_incident */
    hy_map *scanners;     /* dn_addr -> bin index of the last alert (in a uint64) */
};

double dn_outbreak_score(const dn_report_cfg *c, double z, uint64_t sources)
{
    double m = z > 0 && c->z > 0 ? z / c->z
               : c->min_sources ? (double)sources / c->min_sources
                                : 1.0;
    return 1.0 - 0.5 / (m > 1.0 ? m : 1.0);
}

hy_err dn_report_create(const dn_report_cfg *cfg, uint64_t bin_ns, dn_report **out)
{
    dn_report *r = calloc(1, sizeof *r);
    hy_err rc;
    if (!r)
        return HY_ERR_NOMEM;
    r->cfg = *cfg;
    r->bin_ns = bin_ns;
    if ((rc = hy_map_create(65536, free, &r->incidents)) != HY_OK ||
        (rc = hy_map_create(100000, free, &r->scanners)) != HY_OK) {
        dn_report_destroy(r);
        return rc;
    }
    *out = r;
    return HY_OK;
}

void dn_report_destroy(dn_report *r)
{
    if (!r)
        return;
    hy_map_destroy(r->incidents);
    hy_map_destroy(r->scanners);
    free(r);
}

/* The tool of the first fingerprint in bits, or NULL. */
static const char *tool_of(uint8_t bits)
{
    for (size_t i = 0; i < dn_nfps; i++)
        if (bits & (1u << i))
            return dn_fps[i].name;
    return NULL;
}

static const dn_port_agg *find_port(dn_port_agg *const *ports, size_t n, uint8_t proto,
                                    uint16_t port)
{
    for (size_t i = 0; i < n; i++)
        if (ports[i]->cls == DN_SCAN && ports[i]->proto == proto && ports[i]->port == port)
            return ports[i];
    return NULL;
}

/* "83% mirai" for the largest fingerprint share of a port's packets. */
static void fp_mix(hy_json *j, const dn_port_agg *a, char *summary, size_t ssz)
{
    size_t best = 0;
    snprintf(summary, ssz, "no known scanner fingerprint");
    hy_json_key(j, "fingerprints");
    hy_json_obj_open(j);
    for (size_t i = 0; i < dn_nfps; i++) {
        double share = a->packets ? (double)a->fp_packets[i] / (double)a->packets : 0;
        hy_json_kfixed(j, dn_fps[i].name, share, 3);
        if (a->fp_packets[i] > a->fp_packets[best])
            best = i;
    }
    hy_json_obj_close(j);
    if (a->packets && a->fp_packets[best])
        snprintf(summary, ssz, "%.0f%% %s", 100.0 * (double)a->fp_packets[best] / (double)a->packets,
                 dn_fps[best].tool);
}

static void sample_sources(hy_json *j, const dn_bin *b, const dn_port_agg *a)
{
    hy_json_key(j, "sample_sources");
    hy_json_arr_open(j);
    for (uint32_t i = 0; i < a->nsample; i++) {
        char ip[46];
        const dn_src_agg *s = hy_map_get(b->srcs, &a->sample[i], sizeof a->sample[i]);
        const char *tool = s ? tool_of(s->fp_bits) : NULL;
        hy_addr_format(a->sample[i].ipv, a->sample[i].a, ip);
        hy_json_obj_open(j);
        hy_json_kstr(j, "ip", ip);
        hy_json_kstr(j, "tool", tool ? tool : "unknown");
        hy_json_obj_close(j);
    }
    hy_json_arr_close(j);
}

static hy_err outbreak_alert(dn_report *r, const dn_bin *b, const dn_port_agg *a,
                             const dn_finding *f, const dn_incident *inc, const hy_emit *emit)
{
    char subject[32], title[160], mix[80];
    double growth = f->sources / (f->baseline > 1 ? f->baseline : 1);
    uint64_t end = (b->index + 1) * r->bin_ns;
    hy_buf ev;
    hy_json j;
    hy_alert *al = NULL;
    hy_err rc;

    snprintf(subject, sizeof subject, "%s/%u", dn_proto_name(f->proto), f->port);
    hy_buf_init(&ev, 1 << 16);
    hy_json_init(&j, &ev);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "proto", dn_proto_name(f->proto));
    hy_json_kuint(&j, "port", f->port);
    hy_json_key(&j, "window_start");
    hy_json_time(&j, inc->opened * r->bin_ns);
    hy_json_key(&j, "window_end");
    hy_json_time(&j, end);
    hy_json_key(&j, "detectors");
    hy_json_arr_open(&j);
    if (f->change)
        hy_json_str(&j, "change");
    if (f->new_port)
        hy_json_str(&j, "new_port");
    if (f->glasso)
        hy_json_str(&j, "glasso");
    if (f->nmf)
        hy_json_str(&j, "nmf");
    if (f->persist)
        hy_json_str(&j, "persist");
    hy_json_arr_close(&j);
    if (f->persist)
        hy_json_kuint(&j, "persistent_sources", f->persistent);
    if (f->nmf) {
        hy_json_key(&j, "nmf");
        hy_json_obj_open(&j);
        hy_json_kuint(&j, "rank", f->nm.rank);
        hy_json_kuint(&j, "window_hosts", f->nm.win_hosts);
        hy_json_kuint(&j, "group_hosts", f->nm.group);
        hy_json_kuint(&j, "port_hosts", f->nm.hosts);
        hy_json_obj_close(&j);
    }
    if (f->glasso) {
        hy_json_key(&j, "glasso");
        hy_json_obj_open(&j);
        hy_json_kuint(&j, "level", f->gl.level);
        hy_json_kuint(&j, "window_hosts", f->gl.win_hosts);
        hy_json_kuint(&j, "port_hosts", f->gl.port_hosts);
        hy_json_kfixed(&j, "share",
                       f->gl.win_hosts ? (double)f->gl.port_hosts / f->gl.win_hosts : 0, 3);
        hy_json_kfixed(&j, "density", f->gl.density, 4);
        hy_json_obj_close(&j);
    }
    hy_json_kuint(&j, "sources", f->sources);
    hy_json_kbool(&j, "sources_exact", hy_uset_exact(&a->srcs));
    hy_json_kfixed(&j, "baseline", f->baseline, 1);
    hy_json_kfixed(&j, "growth", growth, 2);
    hy_json_kfixed(&j, "z", f->z, 2);
    hy_json_kuint(&j, "packets", a->packets);
    hy_json_kuint(&j, "darknet_destinations", hy_uset_count(&a->dsts));
    fp_mix(&j, a, mix, sizeof mix);
    hy_json_kstr(&j, "fingerprint_summary", mix);
    sample_sources(&j, b, a);
    hy_json_key(&j, "incident");
    hy_json_obj_open(&j);
    hy_json_key(&j, "opened");
    hy_json_time(&j, inc->opened * r->bin_ns);
    hy_json_kstr(&j, "state", inc->updates ? "updated" : "opened");
    hy_json_kuint(&j, "update", inc->updates);
    hy_json_obj_close(&j);
    hy_json_obj_close(&j);
    if ((rc = hy_json_finish(&j)) != HY_OK)
        goto out;
    snprintf(title, sizeof title, "%s outbreak on %s: %llu sources (%.1fx baseline), %s",
             inc->updates ? "Growing" : "New", subject, (unsigned long long)f->sources, growth,
             mix);
    rc = hy_alert_create(end, "darknet", "darknet.outbreak", f->sources >= 200 ? 1 : 2,
                         dn_outbreak_score(&r->cfg, f->z, f->sources), title, subject,
                         inc->opened << 8 | inc->updates, &al);
    if (rc == HY_OK && (rc = hy_alert_set_evidence(al, ev.data)) == HY_OK)
        rc = hy_alert_set_attack(al, "T1595.001");
    if (rc == HY_OK) {
        rc = hy_emit_alert(emit, al);
        al = NULL;
    }
out:
    hy_alert_destroy(al);
    hy_buf_free(&ev);
    return rc;
}

/* Opens or updates the incident of a port that fired; alerts when it opens,
 * each time its sources have doubled since the last alert, and when a
 * detector that had not fired on it joins. */
static hy_err on_finding(dn_report *r, const dn_bin *b, dn_port_agg *const *ports, size_t n,
                         const dn_finding *f, const hy_emit *emit)
{
    uint8_t key[3] = {f->proto, (uint8_t)(f->port >> 8), (uint8_t)f->port};
    dn_incident *inc = hy_map_get(r->incidents, key, 3);
    const dn_port_agg *a = find_port(ports, n, f->proto, f->port);
    uint8_t dets = (uint8_t)(f->change | f->new_port << 1 | f->glasso << 2 | f->nmf << 3 |
                             f->persist << 4);
    hy_err rc;

    if (!a)
        return HY_OK;
    if (!inc) {
        if (!(inc = calloc(1, sizeof *inc)))
            return HY_ERR_NOMEM;
        inc->opened = b->index;
        if ((rc = hy_map_put(r->incidents, key, 3, inc)) != HY_OK) {
            free(inc);
            return rc;
        }
    } else if (f->sources < 2 * inc->alerted && !(dets & ~inc->dets)) {
        inc->last_fire = b->index; /* nothing new: no alert */
        return HY_OK;
    } else {
        inc->updates++; /* sources doubled, or another detector agrees */
    }
    inc->last_fire = b->index;
    inc->dets |= dets;
    if (f->sources > inc->alerted)
        inc->alerted = f->sources;
    return outbreak_alert(r, b, a, f, inc, emit);
}

typedef struct stale_ctx {
    uint64_t before;
    uint8_t (*keys)[3];
    size_t n, cap;
} stale_ctx;

static int find_stale(const void *key, size_t klen, void *value, void *ud)
{
    stale_ctx *c = ud;
    const dn_incident *inc = value;
    (void)klen;
    if (inc->last_fire < c->before && c->n < c->cap)
        memcpy(c->keys[c->n++], key, 3);
    return 0;
}

/* Closes incidents whose detectors have been quiet for idle_bins bins. */
static hy_err close_idle(dn_report *r, uint64_t index)
{
    stale_ctx c = {.cap = hy_map_count(r->incidents)};
    if (!c.cap || index < r->cfg.idle_bins)
        return HY_OK;
    c.before = index - r->cfg.idle_bins;
    if (!(c.keys = malloc(c.cap * sizeof *c.keys)))
        return HY_ERR_NOMEM;
    hy_map_each(r->incidents, find_stale, &c);
    for (size_t i = 0; i < c.n; i++)
        hy_map_del(r->incidents, c.keys[i], 3);
    free(c.keys);
    return HY_OK;
}

static hy_err scanner_alert(dn_report *r, const dn_bin *b, const dn_src_agg *s,
                            const hy_emit *emit)
{
    char ip[46], title[160], evid[512], first[32], last[32];
    const char *tool = tool_of(s->fp_bits);
    uint64_t ports = dn_src_ports(s);
    hy_alert *al;
    hy_err rc;

    hy_addr_format(s->addr.ipv, s->addr.a, ip);
    hy_time_format(s->first_ns, first);
    hy_time_format(s->last_ns, last);
    snprintf(title, sizeof title, "Heavy darknet scanner %s (%s): %llu packets, %llu ports", ip,
             tool ? tool : "unknown tool", (unsigned long long)s->packets,
             (unsigned long long)ports);
    snprintf(evid, sizeof evid,
             "{\"packets\":%llu,\"ports\":%llu,\"ports_exact\":%s,\"tool\":\"%s\","
             "\"first_seen\":\"%s\",\"last_seen\":\"%s\"}",
             (unsigned long long)s->packets, (unsigned long long)ports,
             s->nports < DN_KMV ? "true" : "false", tool ? tool : "unknown", first, last);
    rc = hy_alert_create((b->index + 1) * r->bin_ns, "darknet", "darknet.scanner", 4, 0.2, title,
                         ip, b->index, &al);
    if (rc != HY_OK)
        return rc;
    if ((rc = hy_alert_set_evidence(al, evid)) != HY_OK ||
        (rc = hy_alert_set_attack(al, "T1595.001")) != HY_OK) {
        hy_alert_destroy(al);
        return rc;
    }
    return hy_emit_alert(emit, al);
}

/* Heavy single scanners (scan packets only: a DoS victim's backscatter is
 * not a scan), at most one alert per source per idle_bins bins. */
typedef struct heavy_ctx {
    uint64_t min;
    dn_src_agg **v;
    size_t n, cap;
    bool nomem;
} heavy_ctx;

static int pick_heavy(const void *key, size_t klen, void *value, void *ud)
{
    heavy_ctx *c = ud;
    dn_src_agg *s = value;
    (void)key;
    (void)klen;
    if (s->scan_packets < c->min) /* backscatter is no scan */
        return 0;
    if (c->n == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 16;
        dn_src_agg **nv = realloc(c->v, nc * sizeof *nv);
        if (!nv) {
            c->nomem = true;
            return 1;
        }
        c->v = nv;
        c->cap = nc;
    }
    c->v[c->n++] = s;
    return 0;
}

static int by_addr(const void *x, const void *y)
{
    const dn_src_agg *a = *(dn_src_agg *const *)x, *b = *(dn_src_agg *const *)y;
    return memcmp(&a->addr, &b->addr, sizeof a->addr);
}

static hy_err scanners(dn_report *r, const dn_bin *b, const hy_emit *emit)
{
    heavy_ctx c = {.min = r->cfg.scanner_packets};
    hy_err rc = HY_OK;
    hy_map_each(b->srcs, pick_heavy, &c);
    if (c.nomem) {
        free(c.v);
        return HY_ERR_NOMEM;
    }
    if (c.n > 1) /* the few heavy ones, in address order */
        qsort(c.v, c.n, sizeof *c.v, by_addr);
    dn_src_agg **srcs = c.v;
    size_t n = c.n;
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        uint64_t *last;
        last = hy_map_get(r->scanners, &srcs[i]->addr, sizeof srcs[i]->addr);
        if (last && b->index - *last < r->cfg.idle_bins)
            continue;
        if (!last) {
            if (!(last = malloc(sizeof *last)))
                rc = HY_ERR_NOMEM;
            else if ((rc = hy_map_put(r->scanners, &srcs[i]->addr, sizeof srcs[i]->addr,
                                      last)) != HY_OK) {
                free(last);
                rc = rc == HY_ERR_TOOBIG ? HY_OK : rc; /* too many: stop remembering */
                continue;
            }
            if (rc != HY_OK)
                break;
        }
        *last = b->index;
        rc = scanner_alert(r, b, srcs[i], emit);
    }
    free(srcs);
    return rc;
}

static int by_sources_desc(const void *x, const void *y)
{
    const dn_port_agg *a = *(dn_port_agg *const *)x, *b = *(dn_port_agg *const *)y;
    uint64_t ua = hy_uset_count(&a->srcs), ub = hy_uset_count(&b->srcs);
    uint32_t ka = (uint32_t)a->cls << 24 | (uint32_t)a->proto << 16 | a->port;
    uint32_t kb = (uint32_t)b->cls << 24 | (uint32_t)b->proto << 16 | b->port;
    if (ua != ub)
        return ua > ub ? -1 : 1;
    return (ka > kb) - (ka < kb);
}

static hy_err put_point(const hy_emit *emit, uint64_t t, const char *key, const char *json)
{
    hy_series_point p = {.series = "darknet", .key = key, .time_ns = t, .json = json};
    return hy_emit_series(emit, &p);
}

/* The bin's series points: totals per class, then the busiest ports. */
static hy_err series(dn_report *r, const dn_bin *b, dn_port_agg *const *ports, size_t n,
                     const hy_emit *emit)
{
    char key[48], json[320];
    uint64_t t = b->index * r->bin_ns;
    dn_port_agg **v;
    size_t m = 0;
    hy_err rc;

    if (!emit->series)
        return HY_OK;
    snprintf(json, sizeof json,
             "{\"scan\":%llu,\"backscatter\":%llu,\"other\":%llu,\"sources\":%u,"
             "\"sources_dropped_packets\":%llu}",
             (unsigned long long)b->packets[DN_SCAN],
             (unsigned long long)b->packets[DN_BACKSCATTER],
             (unsigned long long)b->packets[DN_OTHER], (unsigned)hy_map_count(b->srcs),
             (unsigned long long)b->srcs_dropped);
    if ((rc = put_point(emit, t, "all", json)) != HY_OK)
        return rc;
    if (!(v = malloc((n + 1) * sizeof *v)))
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (hy_uset_count(&ports[i]->srcs) >= DN_SERIES_MIN_SOURCES)
            v[m++] = ports[i];
    qsort(v, m, sizeof *v, by_sources_desc);
    for (size_t i = 0; i < m && i < DN_SERIES_MAX_PORTS && rc == HY_OK; i++) {
        const dn_port_agg *a = v[i];
        snprintf(key, sizeof key, "%s%s%s/%u", a->cls == DN_SCAN ? "" : dn_class_name(a->cls),
                 a->cls == DN_SCAN ? "" : "/", dn_proto_name(a->proto), a->port);
        int k = snprintf(json, sizeof json,
                         "{\"packets\":%llu,\"sources\":%llu,\"destinations\":%llu",
                         (unsigned long long)a->packets,
                         (unsigned long long)hy_uset_count(&a->srcs),
                         (unsigned long long)hy_uset_count(&a->dsts));
        for (size_t f = 0; f < dn_nfps && k > 0 && (size_t)k < sizeof json; f++)
            k += snprintf(json + k, sizeof json - (size_t)k, ",\"%s\":%llu", dn_fps[f].name,
                          (unsigned long long)a->fp_packets[f]);
        if (k > 0 && (size_t)k + 2 < sizeof json)
            memcpy(json + k, "}", 2);
        rc = put_point(emit, t, key, json);
    }
    free(v);
    return rc;
}

/* Folds the findings of one port (several detectors) into the first. */
static size_t merge_findings(dn_finding *f, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < m && (f[k].proto != f[i].proto || f[k].port != f[i].port))
            k++;
        if (k == m) {
            f[m++] = f[i];
            continue;
        }
        if (f[i].glasso) {
            f[k].glasso = true;
            f[k].gl = f[i].gl;
        }
        if (f[i].nmf) {
            f[k].nmf = true;
            f[k].nm = f[i].nm;
        }
        if (f[i].persist) {
            f[k].persist = true;
            f[k].persistent = f[i].persistent;
        }
        f[k].change |= f[i].change;
        f[k].new_port |= f[i].new_port;
        /* the change detector's per-bin figures win */
        if ((f[i].change || f[i].new_port) && f[i].sources > f[k].sources) {
            f[k].sources = f[i].sources;
            f[k].baseline = f[i].baseline;
            f[k].z = f[i].z;
        }
    }
    return m;
}

hy_err dn_report_bin(dn_report *r, const dn_bin *b, dn_port_agg *const *ports, size_t nports,
                     dn_finding *found, size_t nfound, const hy_emit *emit)
{
    hy_err rc = series(r, b, ports, nports, emit);
    nfound = merge_findings(found, nfound);
    for (size_t i = 0; i < nfound && rc == HY_OK; i++)
        rc = on_finding(r, b, ports, nports, &found[i], emit);
    if (rc == HY_OK)
        rc = scanners(r, b, emit);
    return rc == HY_OK ? close_idle(r, b->index) : rc;
}
