/* hayate: scoring the darknet engine against ground truth (hayate eval
 * darknet). The engine's outbreak alerts become hits; a hit matches an
 * injected outbreak on the same protocol and port between its start and its
 * end plus a grace period. Scores are kept per detector and combined. */
#ifndef HAYATE_DARKNET_EVAL_H
#define HAYATE_DARKNET_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "alert.h"
#include "error.h"

#define HY_DN_DETECTORS 5 /* change, new_port, glasso, nmf, persist; then "combined" */
extern const char *const hy_dn_detector_names[HY_DN_DETECTORS + 1];

typedef struct hy_dn_truth {
    uint8_t proto;
    uint16_t port;
    uint64_t start_ns, end_ns; /* absolute */
    uint32_t hosts;
} hy_dn_truth;

typedef struct hy_dn_hit {
    uint8_t proto;
    uint16_t port;
    uint64_t time_ns;
    uint32_t detectors; /* bit i: hy_dn_detector_names[i] fired */
} hy_dn_hit;

/* Reads a darknet.outbreak alert (subject "tcp/2323", evidence detectors)
 * into h; false for any other alert. */
bool hy_dn_hit_from_alert(const hy_alert *a, hy_dn_hit *h);

typedef struct hy_dn_score {
    uint32_t outbreaks, found; /* injected outbreaks (of at least min_hosts), found */
    uint32_t false_alerts;     /* incidents matching no outbreak */
    double days;               /* time scored */
    double *delays;            /* seconds from start to the first matching hit */
    size_t ndelays, cap;
} hy_dn_score;

/* Scores one scenario into s[0..HY_DN_DETECTORS] (the last: any detector).
 * Outbreaks with fewer than min_hosts hosts count neither as found nor as
 * missed, and alerts on them are not false. Hits on one port more than
 * grace_ns apart that match nothing count as separate false alerts. */
hy_err hy_dn_score_add(hy_dn_score *s, const hy_dn_truth *t, size_t nt, const hy_dn_hit *h,
                       size_t nh, uint64_t span_ns, uint32_t min_hosts, uint64_t grace_ns);

/* Median and maximum delay in seconds (0 when none). */
double hy_dn_score_median_delay(const hy_dn_score *s);
double hy_dn_score_max_delay(const hy_dn_score *s);
void hy_dn_score_free(hy_dn_score *s);

#endif
