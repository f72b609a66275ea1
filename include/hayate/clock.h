/* hayate: reading the clocks. */
#ifndef HAYATE_CLOCK_H
#define HAYATE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on clock id: CLOCK_REALTIME since the epoch (event and
 * record times), CLOCK_MONOTONIC for intervals and deadlines. */
static inline uint64_t hy_clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Seconds on CLOCK_MONOTONIC, for elapsed times and rates. */
static inline double hy_clock_mono_s(void)
{
    return (double)hy_clock_ns(CLOCK_MONOTONIC) / 1e9;
}

#endif
