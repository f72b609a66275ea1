/* hayate: a point of a time series an engine keeps for charts and history
 * (the darknet engine's per-port counts per bin). Stored, not alerted. */
#ifndef HAYATE_SERIES_H
#define HAYATE_SERIES_H

#include <stdint.h>

typedef struct hy_series_point {
    const char *series; /* the engine's series: "darknet" */
    const char *key;    /* what it measures: "tcp/23", "backscatter/tcp/80" */
    uint64_t time_ns;   /* start of the bin */
    const char *json;   /* the values: a JSON object */
} hy_series_point;

#endif
