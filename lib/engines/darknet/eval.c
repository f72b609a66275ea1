/* Scoring darknet outbreak alerts against injected outbreaks. */
#include "hayate/darknet_eval.h"

#include "darknet_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/stats.h"

const char *const hy_dn_detector_names[HY_DN_DETECTORS + 1] = {"change", "new_port", "glasso",
                                                                "nmf", "persist", "combined"};

bool hy_dn_hit_from_alert(const hy_alert *a, hy_dn_hit *h)
{
    const char *d, *end;

    if (strcmp(a->kind, "darknet.outbreak") != 0 || !a->subject || !a->evidence)
        return false;
    memset(h, 0, sizeof *h);
    if (!dn_port_parse(a->subject, &h->proto, &h->port))
        return false;
    h->time_ns = a->time_ns;
    /* the engine writes "detectors":["change",...]: names inside that array */
    if (!(d = strstr(a->evidence, "\"detectors\":[")) || !(end = strchr(d, ']')))
        return true;
    for (int i = 0; i < HY_DN_DETECTORS; i++) {
        char q[24];
        size_t n = (size_t)snprintf(q, sizeof q, "\"%s\"", hy_dn_detector_names[i]);
        for (const char *p = d; (p = strstr(p, q)) && p < end; p += n)
            h->detectors |= 1u << i;
    }
    return true;
}

static hy_err push_delay(hy_dn_score *s, double v)
{
    if (s->ndelays == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        double *nd = realloc(s->delays, nc * sizeof *nd);
        if (!nd)
            return HY_ERR_NOMEM;
        s->delays = nd;
        s->cap = nc;
    }
    s->delays[s->ndelays++] = v;
    return HY_OK;
}

static bool matches(const hy_dn_truth *t, const hy_dn_hit *h, uint64_t grace)
{
    return t->proto == h->proto && t->port == h->port && h->time_ns >= t->start_ns &&
           h->time_ns <= t->end_ns + grace;
}

/* Whether hit h matches any outbreak (of any size). */
static bool matches_any(const hy_dn_truth *t, size_t nt, const hy_dn_hit *h, uint64_t grace)
{
    for (size_t i = 0; i < nt; i++)
        if (matches(&t[i], h, grace))
            return true;
    return false;
}

/* False alerts of detector bit mask m: non-matching hits, one per port per
 * gap longer than grace. Hits come in time order. */
static uint32_t false_alerts(const hy_dn_truth *t, size_t nt, const hy_dn_hit *h, size_t nh,
                             uint32_t m, uint64_t grace)
{
    uint32_t n = 0;
    for (size_t i = 0; i < nh; i++) {
        bool seen = false;
        if (!(h[i].detectors & m) || matches_any(t, nt, &h[i], grace))
            continue;
        for (size_t k = i; k-- > 0;) {
            if (h[k].time_ns + grace < h[i].time_ns)
                break;
            if ((h[k].detectors & m) && h[k].proto == h[i].proto && h[k].port == h[i].port &&
                !matches_any(t, nt, &h[k], grace)) {
                seen = true;
                break;
            }
        }
        n += !seen;
    }
    return n;
}

hy_err hy_dn_score_add(hy_dn_score *s, const hy_dn_truth *t, size_t nt, const hy_dn_hit *h,
                       size_t nh, uint64_t span_ns, uint32_t min_hosts, uint64_t grace_ns)
{
    for (int d = 0; d <= HY_DN_DETECTORS; d++) {
        uint32_t m = d < HY_DN_DETECTORS ? 1u << d : ~0u;
        s[d].days += (double)span_ns / 86400e9;
        s[d].false_alerts += false_alerts(t, nt, h, nh, m, grace_ns);
        for (size_t i = 0; i < nt; i++) {
            uint64_t first = UINT64_MAX;
            if (t[i].hosts < min_hosts)
                continue;
            s[d].outbreaks++;
            for (size_t k = 0; k < nh; k++)
                if ((h[k].detectors & m) && matches(&t[i], &h[k], grace_ns) &&
                    h[k].time_ns < first)
                    first = h[k].time_ns;
            if (first == UINT64_MAX)
                continue;
            s[d].found++;
            if (push_delay(&s[d], (double)(first - t[i].start_ns) / 1e9) != HY_OK)
                return HY_ERR_NOMEM;
        }
    }
    return HY_OK;
}

double hy_dn_score_median_delay(const hy_dn_score *s)
{
    double *x, m;
    if (!s->ndelays || !(x = malloc(s->ndelays * sizeof *x)))
        return 0;
    memcpy(x, s->delays, s->ndelays * sizeof *x);
    m = hy_median(x, s->ndelays);
    free(x);
    return m;
}

double hy_dn_score_max_delay(const hy_dn_score *s)
{
    double m = 0;
    for (size_t i = 0; i < s->ndelays; i++)
        m = s->delays[i] > m ? s->delays[i] : m;
    return m;
}

void hy_dn_score_free(hy_dn_score *s)
{
    free(s->delays);
    memset(s, 0, sizeof *s);
}
