/* Per-port change detection on unique-source counts.
 *
 * Each scanned (protocol, port) keeps the unique-source count of each of its
 * last history_bins bins. A bin's count u is compared with a robust baseline:
 * the median of the previous recent_bins bins, raised to the median of the
 * same stretch one history ago (yesterday, at one-minute bins) when that much
 * history exists, so daily peaks are not news. The scale is the larger of
 * 1.4826 x MAD, sqrt(baseline) (Poisson noise) and 1. The port fires "change"
 * when z = (u - baseline) / scale >= z, u >= min_sources and u >= min_ratio x
 * baseline (bins before a port was first seen count as zero). A port whose
 * sources all came in the last recent_bins bins (none in the history before)
 * that reaches new_port_k sources fires "new_port" (the fastest signal).
 * Nothing fires in the first recent_bins bins of the input (warm-up: every
 * port is new then). */
#include "darknet_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/stats.h"

typedef struct dn_hist {
    uint64_t last;     /* last bin index written */
    uint64_t age;      /* bins of history written */
    uint64_t ever;     /* sources summed over the ring */
    uint64_t born;     /* first bin with sources since the ring was all zero */
    uint32_t ring[];   /* history_bins counts; bin i at i % history_bins */
} dn_hist;

struct dn_detect {
    dn_detect_cfg cfg;
    hy_map *ports;     /* (proto, port) -> dn_hist */
    uint64_t first;    /* first bin index seen */
    bool started;
    double *scratch;   /* recent_bins values */
};

hy_err dn_detect_create(const dn_detect_cfg *cfg, dn_detect **out)
{
    dn_detect *d = calloc(1, sizeof *d);
    hy_err rc;
    if (!d)
        return HY_ERR_NOMEM;
    d->cfg = *cfg;
    if (cfg->recent_bins == 0 || cfg->recent_bins * 2 > cfg->history_bins) {
        free(d);
        return hy_err_set(HY_ERR_CONFIG, "darknet: recent bins must be 1..history/2");
    }
    if (!(d->scratch = malloc(cfg->recent_bins * 2 * sizeof *d->scratch)) ||
        (rc = hy_map_create(cfg->max_ports, free, &d->ports)) != HY_OK) {
        free(d->scratch);
        free(d);
        return HY_ERR_NOMEM;
    }
    *out = d;
    return HY_OK;
}

void dn_detect_destroy(dn_detect *d)
{
    if (!d)
        return;
    hy_map_destroy(d->ports);
    free(d->scratch);
    free(d);
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

/* Median and MAD of bins [from, from + n) of h. */
static double window_median(dn_detect *d, const dn_hist *h, uint64_t from, uint32_t n,
                            double *mad)
{
    double *x = d->scratch, med;
    for (uint32_t i = 0; i < n; i++)
        x[i] = hist_at(d, h, from + i);
    med = hy_median(x, n);
    if (mad) {
        for (uint32_t i = 0; i < n; i++)
            x[i] = hist_at(d, h, from + i);
        *mad = hy_mad(x, n, med);
    }
    return med;
}

/* Scores one port's count against its history (before writing it). */
static void score(dn_detect *d, dn_hist *h, uint64_t index, uint32_t u, dn_finding *f)
{
    const dn_detect_cfg *c = &d->cfg;
    uint32_t rb = c->recent_bins;
    bool warm = index - d->first >= rb;
    double mad = 0, base = 0, scale;

    /* history seen before this bin, zero-filled up to it */
    uint64_t seen = h->age ? h->age + (index - 1 - h->last) : 0;
    if (h->age) {
        base = window_median(d, h, index - rb, rb, &mad);
        if (seen >= c->history_bins && index >= c->history_bins) {
            double yday = window_median(d, h, index - c->history_bins + 1, rb, NULL);
            base = yday > base ? yday : base;
        }
    }
    scale = fmax(fmax(1.4826 * mad, sqrt(base)), 1.0);
    f->sources = u;
    f->baseline = base;
    f->z = (u - base) / scale;
    /* bins before a port's first are zeros: a young port has a baseline too */
    f->change = warm && f->z >= c->z && u >= c->min_sources && u >= c->min_ratio * base;
    f->new_port = warm && (h->ever == 0 || index - h->born < rb) && u >= c->new_port_k;
}

hy_err dn_detect_bin(dn_detect *d, uint64_t index, dn_port_agg *const *ports, size_t n,
                     dn_finding **found, size_t *nfound)
{
    if (!d->started) {
        d->started = true;
        d->first = index;
    }
    for (size_t i = 0; i < n; i++) {
        const dn_port_agg *a = ports[i];
        uint8_t key[3] = {a->proto, (uint8_t)(a->port >> 8), (uint8_t)a->port};
        uint64_t c = hy_uset_count(&a->srcs);
        uint32_t u = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
        dn_finding f = {.proto = a->proto, .port = a->port};
        dn_hist *h;
        hy_err rc;

        if (a->cls != DN_SCAN)
            continue;
        if (!(h = hy_map_get(d->ports, key, 3))) {
            h = calloc(1, sizeof *h + d->cfg.history_bins * sizeof(uint32_t));
            if (!h)
                return HY_ERR_NOMEM;
            if ((rc = hy_map_put(d->ports, key, 3, h)) != HY_OK) {
                free(h);
                if (rc != HY_ERR_TOOBIG)
                    return rc;
                h = NULL; /* no room for history: judged as a new port only */
            }
        }
        /* a port below both thresholds cannot fire: skip the medians */
        if (h && u >= (d->cfg.min_sources < d->cfg.new_port_k ? d->cfg.min_sources
                                                               : d->cfg.new_port_k))
            score(d, h, index, u, &f);
        else
            f = (dn_finding){.proto = a->proto, .port = a->port, .sources = u,
                             .new_port = index - d->first >= d->cfg.recent_bins &&
                                         u >= d->cfg.new_port_k};
        if (h)
            hist_put(d, h, index, u);
        if (!f.change && !f.new_port)
            continue;
        dn_finding *nf = realloc(*found, (*nfound + 1) * sizeof *nf);
        if (!nf)
            return HY_ERR_NOMEM;
        *found = nf;
        nf[(*nfound)++] = f;
    }
    return HY_OK;
}
