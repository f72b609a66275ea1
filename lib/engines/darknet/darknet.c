/* The darknet engine: the table row, configuration, the per-packet shard
 * side and the bin hand-over to the global instance. See darknet_int.h. */
#include "darknet_int.h"

#include "hayate/io.h"
#include "hayate/ml.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000ull

typedef struct dn_state {
    bool global;
    uint64_t bin_ns;
    dn_limits lim;
    /* shard side */
    dn_prefixes pfx;
    dn_bin *cur;          /* the open bin */
    dn_bin *closed;       /* closed bins not yet handed over, ascending */
    dn_bin **closed_tail;
    uint64_t floor;       /* bins below this were handed over: late packets go here */
    bool flush_all;       /* final tick: hand over the open bin too */
    /* global side */
    dn_bin *pending;      /* merged bins not yet reported, ascending */
    uint64_t next;        /* index of the next bin to report */
    dn_detect *det;
    dn_persist *per;
    dn_glasso *gl;        /* NULL when off */
    dn_nmf *nmf;          /* NULL when off */
    dn_report *rep;
} dn_state;

static void bins_free(dn_bin *b)
{
    while (b) {
        dn_bin *n = b->next;
        dn_bin_destroy(b);
        b = n;
    }
}

static void dn_destroy(void *state)
{
    dn_state *s = state;
    if (!s)
        return;
    dn_prefixes_free(&s->pfx);
    dn_bin_destroy(s->cur);
    bins_free(s->closed);
    bins_free(s->pending);
    dn_detect_destroy(s->det);
    dn_persist_destroy(s->per);
    dn_glasso_destroy(s->gl);
    dn_nmf_destroy(s->nmf);
    dn_report_destroy(s->rep);
    free(s);
}

static uint32_t cfg_u32(const hy_config *c, const char *k)
{
    return (uint32_t)hy_config_int(c, k);
}

static int by_pv(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Parses "tcp/23" items into sorted proto << 16 | port values (*out
 * malloc'd); HY_ERR_CONFIG naming a bad one. */
static hy_err parse_ports(const char *const *items, size_t n, uint32_t **out)
{
    uint32_t *v = malloc((n + 1) * sizeof *v);
    if (!v)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint8_t proto;
        uint16_t port;
        if (!dn_port_parse(items[i], &proto, &port)) {
            free(v);
            return hy_err_set(HY_ERR_CONFIG, "darknet.raised_ports: '%.40s' is not PROTO/PORT",
                              items[i]);
        }
        v[i] = (uint32_t)proto << 16 | port;
    }
    qsort(v, n, sizeof *v, by_pv);
    *out = v;
    return HY_OK;
}

static hy_err create_change(dn_state *s, const hy_config *c)
{
    dn_detect_cfg dc = {
        .history_bins = cfg_u32(c, "darknet.history_bins"),
        .recent_bins = cfg_u32(c, "darknet.recent_bins"),
        .z = (double)hy_config_int(c, "darknet.z"),
        .min_sources = cfg_u32(c, "darknet.min_sources"),
        .min_ratio = (double)hy_config_int(c, "darknet.min_ratio"),
        .new_port_k = cfg_u32(c, "darknet.new_port_sources"),
        .max_ports = cfg_u32(c, "darknet.max_history_ports"),
        .long_min_bins = cfg_u32(c, "darknet.long_baseline_bins"),
    };
    dn_persist_cfg pc = {
        .window = cfg_u32(c, "darknet.persist_window"),
        .min_bins = cfg_u32(c, "darknet.persist_bins"),
        .new_bins = cfg_u32(c, "darknet.persist_new_bins"),
        .max_pairs = cfg_u32(c, "darknet.persist_pairs"),
    };
    size_t nr = 0;
    const char *const *raised = hy_config_list(c, "darknet.raised_ports", &nr);
    uint32_t *pv = NULL;
    hy_err e = parse_ports(raised, nr, &pv);
    if (e != HY_OK)
        return e;
    dc.raised = pv;
    dc.nraised = nr;
    dc.raise = (double)hy_config_int(c, "darknet.raise_factor");
    e = dn_detect_create(&dc, &s->det); /* keeps its own copy */
    free(pv);
    return e != HY_OK ? e : dn_persist_create(&pc, &s->per);
}

static hy_err create_glasso(dn_state *s, const hy_config *c)
{
    dn_glasso_cfg gc = {
        .window_bins = cfg_u32(c, "darknet.glasso_window_bins"),
        .max_hosts = cfg_u32(c, "darknet.glasso_hosts"),
        .seed = (uint64_t)hy_config_int(c, "darknet.glasso_seed"),
        .rho_min = hy_config_int(c, "darknet.glasso_rho_min_pct") / 100.0,
        .rho_max = hy_config_int(c, "darknet.glasso_rho_max_pct") / 100.0,
        .rho_step = hy_config_int(c, "darknet.glasso_rho_step_pct") / 100.0,
        .history = cfg_u32(c, "darknet.glasso_history"),
        .min_history = cfg_u32(c, "darknet.glasso_min_history"),
        .max_sources = cfg_u32(c, "darknet.max_sources"),
        .min_port_hosts = cfg_u32(c, "darknet.glasso_port_hosts"),
        .min_port_share = hy_config_int(c, "darknet.glasso_port_share_pct") / 100.0,
        .growth = (double)hy_config_int(c, "darknet.glasso_growth"),
    };
    return gc.max_hosts ? dn_glasso_create(&gc, &s->gl) : HY_OK;
}

static hy_err create_nmf(dn_state *s, const hy_config *c)
{
    dn_nmf_cfg nc = {
        .window_bins = cfg_u32(c, "darknet.nmf_window_bins"),
        .step_bins = cfg_u32(c, "darknet.nmf_step_bins"),
        .max_hosts = cfg_u32(c, "darknet.nmf_hosts"),
        .max_rank = cfg_u32(c, "darknet.nmf_max_rank"),
        .min_port_hosts = cfg_u32(c, "darknet.nmf_port_hosts"),
        .growth = (double)hy_config_int(c, "darknet.nmf_growth"),
        .min_history = cfg_u32(c, "darknet.nmf_min_history"),
        .max_sources = cfg_u32(c, "darknet.max_sources"),
    };
    return nc.max_hosts ? dn_nmf_create(&nc, &s->nmf) : HY_OK;
}

static hy_err create_global(dn_state *s, const hy_config *c)
{
    dn_report_cfg rc = {
        .scanner_packets = (uint64_t)hy_config_int(c, "darknet.scanner_packets"),
        .idle_bins = cfg_u32(c, "darknet.incident_idle_bins"),
        .z = (double)hy_config_int(c, "darknet.z"),
        .min_sources = cfg_u32(c, "darknet.min_sources"),
    };
    hy_err e;
    if ((e = create_change(s, c)) != HY_OK || (e = create_glasso(s, c)) != HY_OK ||
        (e = create_nmf(s, c)) != HY_OK)
        return e;
    return dn_report_create(&rc, s->bin_ns, &s->rep);
}

static hy_err dn_create(const hy_engine_env *env, void **state)
{
    const hy_config *c = env->cfg;
    dn_state *s = calloc(1, sizeof *s);
    size_t n = 0;
    const char *const *items = hy_config_list(c, "darknet.prefixes", &n);
    hy_err rc;

    if (!s)
        return HY_ERR_NOMEM;
    hy_ml_init(); /* BLAS single-threaded before anything runs */
    s->global = env->shard < 0;
    s->bin_ns = (uint64_t)hy_config_int(c, "darknet.bin_s") * NS_PER_S;
    s->lim = (dn_limits){.exact_cap = cfg_u32(c, "darknet.exact_sources"),
                         .max_sources = cfg_u32(c, "darknet.max_sources"),
                         .max_ports = cfg_u32(c, "darknet.max_ports"), .bin_ns = s->bin_ns};
    s->closed_tail = &s->closed;
    rc = s->global ? create_global(s, c) : dn_prefixes_parse(items, n, &s->pfx);
    if (rc != HY_OK) {
        dn_destroy(s);
        return rc;
    }
    *state = s;
    return HY_OK;
}

/* Moves the open bin to the closed list. */
static void close_cur(dn_state *s)
{
    *s->closed_tail = s->cur;
    s->closed_tail = &s->cur->next;
    s->cur = NULL;
}

static hy_err dn_event(void *state, const hy_event *ev, const hy_emit *emit)
{
    dn_state *s = state;
    const hy_pkt *p = ev->u.pkt;
    uint64_t idx;
    hy_err rc;
    (void)emit;

    if (ev->kind != HY_EV_PACKET || !dn_prefixes_match(&s->pfx, p))
        return HY_OK;
    idx = p->ts_ns / s->bin_ns;
    if (idx < s->floor) /* late packet for a bin already handed over */
        idx = s->floor;
    if (s->cur && idx > s->cur->index)
        close_cur(s);
    if (!s->cur && (rc = dn_bin_create(idx, &s->lim, &s->cur)) != HY_OK)
        return rc;
    /* a packet older than the open bin (out of order) counts in the open bin */
    return dn_bin_add(s->cur, &s->lim, p, dn_classify(p), dn_fingerprint(p));
}

static void *dn_partial(void *state, uint64_t now_ns)
{
    dn_state *s = state;
    dn_bin *out;
    if (s->cur && (s->flush_all || (s->cur->index + 1) * s->bin_ns <= now_ns))
        close_cur(s);
    if (now_ns / s->bin_ns > s->floor)
        s->floor = now_ns / s->bin_ns;
    out = s->closed;
    s->closed = NULL;
    s->closed_tail = &s->closed;
    return out;
}

static void dn_free_partial(void *part)
{
    bins_free(part);
}

/* Global: merges a shard's closed bins into the pending list. */
static hy_err dn_combine(void *state, void *part)
{
    dn_state *s = state;
    dn_bin *b = part;
    hy_err rc = HY_OK;
    while (b) {
        dn_bin *n = b->next, **pp = &s->pending;
        b->next = NULL;
        if (b->index < s->next) /* cannot happen with the shards' floor; be safe */
            b->index = s->next;
        while (*pp && (*pp)->index < b->index)
            pp = &(*pp)->next;
        if (rc == HY_OK && *pp && (*pp)->index == b->index) {
            rc = dn_bin_merge(*pp, b, &s->lim);
            dn_bin_destroy(b);
        } else if (rc == HY_OK) {
            b->next = *pp;
            *pp = b;
        } else {
            dn_bin_destroy(b);
        }
        b = n;
    }
    return rc;
}

/* Global: detectors and reports over one bin. */
static hy_err report_bin(dn_state *s, const dn_bin *b, const hy_emit *emit)
{
    dn_port_agg **ports = NULL;
    dn_finding *found = NULL;
    dn_count *pc = NULL;
    size_t nports = 0, nfound = 0, npc = 0;
    hy_err rc = dn_bin_ports(b, &ports, &nports);
    if (rc == HY_OK)
        rc = dn_detect_bin(s->det, b->index, ports, nports, &found, &nfound);
    if (rc == HY_OK && (rc = dn_persist_bin(s->per, b, &pc, &npc)) == HY_OK)
        rc = dn_detect_persist(s->det, b->index, pc, npc, &found, &nfound);
    free(pc);
    if (rc == HY_OK && s->gl)
        rc = dn_glasso_bin(s->gl, b, &found, &nfound);
    if (rc == HY_OK && s->nmf)
        rc = dn_nmf_bin(s->nmf, b, &found, &nfound);
    if (rc == HY_OK)
        rc = dn_report_bin(s->rep, b, ports, nports, found, nfound, emit);
    free(ports);
    free(found);
    return rc;
}

static hy_err dn_tick(void *state, uint64_t now_ns, bool final, const hy_emit *emit)
{
    dn_state *s = state;
    hy_err rc = HY_OK;
    if (!s->global) {
        s->flush_all = final;
        return HY_OK;
    }
    while (s->pending && rc == HY_OK &&
           (final || (s->pending->index + 1) * s->bin_ns <= now_ns)) {
        dn_bin *b = s->pending;
        s->pending = b->next;
        rc = report_bin(s, b, emit);
        s->next = b->index + 1;
        dn_bin_destroy(b);
    }
    return rc;
}

/* Learning (model.c): only the global instance runs the detectors, so
 * only it holds thresholds; a shard instance ignores models. */
static hy_err dn_train(void *state, const char *dataset, const char *model_out, hy_buf *metrics)
{
    dn_state *s = state;
    if (!s->global || !s->det)
        return hy_err_set(HY_ERR_ARG, "darknet: train needs the global instance");
    return dn_train_rows(dn_detect_config(s->det), dataset, model_out, metrics);
}

static hy_err dn_load_model(void *state, const char *path)
{
    dn_state *s = state;
    dn_port_factor *f = NULL;
    size_t n = 0;
    hy_buf b;
    hy_err rc;
    if (!s->global)
        return HY_OK;
    hy_buf_init(&b, 16u << 20);
    if ((rc = hy_buf_read_file(&b, path)) == HY_OK &&
        (rc = dn_model_parse(b.data, b.len, &f, &n)) == HY_OK)
        rc = dn_detect_set_factors(s->det, f, n);
    if (rc != HY_OK && rc != HY_ERR_NOMEM && rc != HY_ERR_IO) /* IO names the path */
        rc = hy_err_set(rc, "%s: %s", path, hy_err_detail());
    free(f);
    hy_buf_free(&b);
    return rc;
}

static hy_err dn_save_model(void *state, const char *path)
{
    dn_state *s = state;
    size_t n = 0;
    const dn_port_factor *f = s->det ? dn_detect_factors(s->det, &n) : NULL;
    dn_model_port *p = n ? calloc(n, sizeof *p) : NULL;
    if (n && !p)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        p[i].pf = f[i];
    hy_err rc = dn_model_write(path, p, n);
    free(p);
    return rc;
}

const hy_engine hy_engine_darknet = {
    .name = "darknet",
    .summary = "outbreaks of new malware activity in darknet (telescope) traffic",
    .consumes = HY_EV_BIT(HY_EV_PACKET),
    .sharded = true,
    .create = dn_create,
    .destroy = dn_destroy,
    .on_event = dn_event,
    .tick = dn_tick,
    .partial = dn_partial,
    .combine = dn_combine,
    .free_partial = dn_free_partial,
    .feature_spec = DN_FEATURE_SPEC,
    .features = dn_features,
    .train = dn_train,
    .load_model = dn_load_model,
    .save_model = dn_save_model,
};
