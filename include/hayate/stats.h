/* hayate: small robust statistics shared by the detectors (lib/ml). */
#ifndef HAYATE_STATS_H
#define HAYATE_STATS_H

#include <stddef.h>

/* Median of x[0..n) (n > 0); x is reordered. */
double hy_median(double *x, size_t n);

/* Median absolute deviation from med of x[0..n) (n > 0), unscaled; x is
 * overwritten with the deviations. Multiply by 1.4826 for a normal sigma. */
double hy_mad(double *x, size_t n, double med);

#endif
