/* Per-port change detection on unique-source counts.
 *
 * Each scanned (protocol, port) keeps the count of each of its last
 * history_bins bins for two series: all unique sources, and persistent
 * sources (persist.c: sources seen on the port in most of the last few
 * bins; the background's one-off sources drop out, so a busy port's new
 * bots stand out). A bin's count u is compared with two robust baselines:
 *  - recent: the median of the previous recent_bins bins, raised to the
 *    median of the same stretch one history ago (yesterday, at one-minute
 *    bins) when that much history exists, so daily peaks are not news; the
 *    scale is the larger of 1.4826 x MAD, sqrt(baseline) (Poisson noise)
 *    and 1;
 *  - long: once long_min_bins of input have been seen, the median and MAD
 *    of the whole history before the recent stretch (sampled at most
 *    LONG_SAMPLES bins, recomputed every LONG_EVERY bins), raised to the
 *    same-time-yesterday median. A slow
 *    ramp that the recent median follows up stays far above it.
 * The port fires "change" (all sources) or "persist" (persistent sources)
 * when, for either baseline, z = (u - baseline) / scale >= z, u >=
 * min_sources and u >= min_ratio x baseline (bins before a port was first
 * seen count as zero). A port whose sources all came in the last
 * recent_bins bins (none in the history before) that reaches new_port_k
 * sources fires "new_port" (the fastest signal). Nothing fires in the first
 * recent_bins bins of the input (warm-up: every port is new then). */
#include "darknet_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/stats.h"

#define LONG_SAMPLES 240 /* bins the long baseline reads at most */
#define LONG_EVERY   10  /* bins between recomputations of the long baseline */

typedef struct dn_hist {
    uint64_t last;     /* last bin index written */
    uint64_t age;      /* bins of history written */
    uint64_t ever;     /* sources summed over the ring */
    uint64_t born;     /* first bin with sources since the ring was all zero */
    uint64_t long_at;  /* bin + 1 the long baseline was computed at (0: never) */
    double long_base, long_mad;
    uint32_t ring[];   /* history_bins counts; bin i at i % history_bins */
} dn_hist;

struct dn_detect {
    dn_detect_cfg cfg;
    uint32_t *raised;  /* a copy of cfg.raised */
    dn_port_factor *learned; /* the model's factors, sorted by pv */
    size_t nlearned;
    hy_map *hist[DN__SERIES]; /* (proto, port) -> dn_hist, per series */
    uint64_t first;    /* first bin index seen */
    bool started;
    double *scratch;   /* max(2 x recent_bins, LONG_SAMPLES) values */
};

hy_err dn_detect_create(const dn_detect_cfg *cfg, dn_detect **out)
{
    dn_detect *d = calloc(1, sizeof *d);
    size_t ns = cfg->recent_bins * 2 > LONG_SAMPLES ? cfg->recent_bins * 2 : LONG_SAMPLES;
    if (!d)
        return HY_ERR_NOMEM;
    d->cfg = *cfg;
    if (cfg->nraised) {
        if (!(d->raised = malloc(cfg->nraised * sizeof *d->raised))) {
            free(d);
            return HY_ERR_NOMEM;
        }
        memcpy(d->raised, cfg->raised, cfg->nraised * sizeof *d->raised);
        d->cfg.raised = d->raised;
    }
    if (cfg->recent_bins == 0 || cfg->recent_bins * 2 > cfg->history_bins) {
        free(d->raised);
        free(d);
        return hy_err_set(HY_ERR_CONFIG, "darknet: recent bins must be 1..history/2");
    }
    if (!(d->scratch = malloc(ns * sizeof *d->scratch)))
        goto nomem;
    for (int k = 0; k < DN__SERIES; k++)
        if (hy_map_create(cfg->max_ports, free, &d->hist[k]) != HY_OK)
            goto nomem;
    *out = d;
    return HY_OK;
nomem:
    dn_detect_destroy(d);
    return HY_ERR_NOMEM;
}

void dn_detect_destroy(dn_detect *d)
{
    if (!d)
        return;
    for (int k = 0; k < DN__SERIES; k++)
        hy_map_destroy(d->hist[k]);
    free(d->raised);
    free(d->learned);
    free(d->scratch);
    free(d);
}

hy_err dn_detect_set_factors(dn_detect *d, const dn_port_factor *f, size_t n)
{
    dn_port_factor *c = NULL;
    for (size_t i = 0; i < n; i++)
        if (f[i].factor < 1.0 || (i && f[i].pv <= f[i - 1].pv))
            return hy_err_set(HY_ERR_ARG, "darknet: factors must be >= 1, sorted, distinct");
    if (n && !(c = malloc(n * sizeof *c)))
        return HY_ERR_NOMEM;
    if (n)
        memcpy(c, f, n * sizeof *c);
    free(d->learned);
    d->learned = c;
    d->nlearned = n;
    return HY_OK;
}

const dn_detect_cfg *dn_detect_config(const dn_detect *d)
{
    return &d->cfg;
}

const dn_port_factor *dn_detect_factors(const dn_detect *d, size_t *n)
{
    *n = d->nlearned;
    return d->learned;
}

/* Writes count u at bin index, zero-filling the bins skipped since the last. */
static void hist_put(const dn_detect *d, dn_hist *h, uint64_t index, uint32_t u)
{
    uint32_t hb = d->cfg.history_bins;
    uint64_t from = h->age ? h->last + 1 : index;
    if (index - from > hb)
        from = index - hb;
    for (uint64_t i = from; i <= index; i++) {
        uint32_t *slot = &h->ring[i % hb];
        if (h->age >= hb)
            h->ever -= *slot;
        *slot = i == index ? u : 0;
        if (h->ever == 0 && *slot)
            h->born = i;
        h->ever += *slot;
        h->age++;
    }
    h->last = index;
}

/* The count at bin i (0 when never written or out of the ring). */
static uint32_t hist_at(const dn_detect *d, const dn_hist *h, uint64_t i)
{
    uint32_t hb = d->cfg.history_bins;
    if (!h->age || i > h->last || h->last - i >= hb || h->last - i >= h->age)
        return 0;
    return h->ring[i % hb];
}

/* Median and MAD (when mad is not NULL) of n bins of h from `from`, every
 * `stride`-th. */
static double window_median(dn_detect *d, const dn_hist *h, uint64_t from, uint32_t n,
                            uint32_t stride, double *mad)
{
    double *x = d->scratch, med;
    for (uint32_t i = 0; i < n; i++)
        x[i] = hist_at(d, h, from + (uint64_t)i * stride);
    med = hy_median(x, n);
    if (mad) {
        for (uint32_t i = 0; i < n; i++)
            x[i] = hist_at(d, h, from + (uint64_t)i * stride);
        *mad = hy_mad(x, n, med);
    }
    return med;
}

/* z of u against a baseline and its MAD; fills the finding's figures when
 * the test passes and its z is the larger. */
static bool test(const dn_detect_cfg *c, uint32_t u, double base, double mad, double k,
                 dn_finding *f)
{
    double scale = fmax(fmax(1.4826 * mad, sqrt(base)), 1.0), z = (u - base) / scale;
    bool fire = z >= k * c->z && u >= k * c->min_sources && u >= k * c->min_ratio * base;
    if (!f->z || z > f->z || fire) {
        f->baseline = base;
        f->z = z;
    }
    return fire;
}

/* Scores one port's count against its history (before writing it): the
 * recent and the long baseline; returns whether either fires. */
static bool score(dn_detect *d, dn_hist *h, uint64_t index, uint32_t u, double k,
                  dn_finding *f)
{
    const dn_detect_cfg *c = &d->cfg;
    uint32_t rb = c->recent_bins, hb = c->history_bins;
    uint64_t span = index - d->first; /* bins of input before this one */
    double mad = 0, base = 0, yday = 0;
    bool fire;

    if (span < rb)
        return false; /* warm-up */
    if (h->age) {
        base = window_median(d, h, index - rb, rb, 1, &mad);
        if (span >= hb)
            yday = window_median(d, h, index - hb + 1, rb, 1, NULL);
    }
    f->z = 0;
    fire = test(c, u, fmax(base, yday), mad, k, f);
    if (!fire && h->age && c->long_min_bins && span >= c->long_min_bins) {
        /* the input before the recent stretch, at most a history's worth */
        /* it moves slowly: recomputed every LONG_EVERY bins */
        if (!h->long_at || index + 1 - h->long_at >= LONG_EVERY) {
            uint64_t n = span - rb < hb - rb ? span - rb : hb - rb;
            uint32_t stride = (uint32_t)((n + LONG_SAMPLES - 1) / LONG_SAMPLES);
            uint32_t m = (uint32_t)(n / stride);
            h->long_base = window_median(d, h, index - rb - (uint64_t)m * stride, m, stride,
                                         &h->long_mad);
            h->long_at = index + 1;
        }
        fire = test(c, u, fmax(h->long_base, yday), h->long_mad, k, f);
    }
    return fire;
}

static int by_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static int by_factor_pv(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = ((const dn_port_factor *)y)->pv;
    return (a > b) - (a < b);
}

/* The threshold factor of a port: raised when analysts marked it
 * (darknet.raised_ports), or as the model learned from their verdicts. */
static double factor(const dn_detect *d, uint8_t proto, uint16_t port)
{
    uint32_t pv = (uint32_t)proto << 16 | port;
    const dn_port_factor *l =
        d->nlearned ? bsearch(&pv, d->learned, d->nlearned, sizeof *l, by_factor_pv) : NULL;
    double x = d->cfg.nraised && bsearch(&pv, d->cfg.raised, d->cfg.nraised, sizeof pv, by_u32)
                   ? d->cfg.raise
                   : 1.0;
    return l && l->factor > x ? l->factor : x;
}

/* Judges count u of one port of series k at bin index; sets *fire (change
 * or persist) and f->new_port. */
static hy_err judge(dn_detect *d, int k, uint64_t index, uint8_t proto, uint16_t port,
                    uint32_t u, dn_finding *f)
{
    uint8_t key[3] = {proto, (uint8_t)(port >> 8), (uint8_t)port};
    dn_hist *h = hy_map_get(d->hist[k], key, 3);
    bool warm = index - d->first >= d->cfg.recent_bins, fire = false;
    double x = factor(d, proto, port);
    hy_err rc;

    if (!h) {
        if (!(h = calloc(1, sizeof *h + d->cfg.history_bins * sizeof(uint32_t))))
            return HY_ERR_NOMEM;
        if ((rc = hy_map_put(d->hist[k], key, 3, h)) != HY_OK) {
            free(h);
            if (rc != HY_ERR_TOOBIG)
                return rc;
            h = NULL; /* no room for history: judged as a new port only */
        }
    }
    *f = (dn_finding){.proto = proto, .port = port, .sources = u};
    /* a port below the thresholds cannot fire: skip the medians */
    if (h && u >= x * d->cfg.min_sources)
        fire = score(d, h, index, u, x, f);
    if (k == DN_SERIES_SOURCES) {
        f->change = fire;
        f->new_port = warm && u >= x * d->cfg.new_port_k &&
                      (!h || h->ever == 0 || index - h->born < d->cfg.recent_bins);
    } else {
        f->persist = fire;
        f->persistent = u;
    }
    if (h)
        hist_put(d, h, index, u);
    return HY_OK;
}

static hy_err append(dn_finding **found, size_t *nfound, const dn_finding *f)
{
    dn_finding *nf = realloc(*found, (*nfound + 1) * sizeof *nf);
    if (!nf)
        return HY_ERR_NOMEM;
    *found = nf;
    nf[(*nfound)++] = *f;
    return HY_OK;
}

static void start(dn_detect *d, uint64_t index)
{
    if (!d->started) {
        d->started = true;
        d->first = index;
    }
}

hy_err dn_detect_bin(dn_detect *d, uint64_t index, dn_port_agg *const *ports, size_t n,
                     dn_finding **found, size_t *nfound)
{
    start(d, index);
    for (size_t i = 0; i < n; i++) {
        const dn_port_agg *a = ports[i];
        uint64_t c = hy_uset_count(&a->srcs);
        dn_finding f;
        hy_err rc;
        if (a->cls != DN_SCAN)
            continue;
        rc = judge(d, DN_SERIES_SOURCES, index, a->proto, a->port,
                   c > UINT32_MAX ? UINT32_MAX : (uint32_t)c, &f);
        if (rc == HY_OK && (f.change || f.new_port))
            rc = append(found, nfound, &f);
        if (rc != HY_OK)
            return rc;
    }
    return HY_OK;
}

hy_err dn_detect_persist(dn_detect *d, uint64_t index, const dn_count *counts, size_t n,
                         dn_finding **found, size_t *nfound)
{
    start(d, index);
    for (size_t i = 0; i < n; i++) {
        dn_finding f;
        hy_err rc = judge(d, DN_SERIES_PERSIST, index, counts[i].proto, counts[i].port,
                          counts[i].n, &f);
        if (rc == HY_OK && f.persist)
            rc = append(found, nfound, &f);
        if (rc != HY_OK)
            return rc;
    }
    return HY_OK;
}
