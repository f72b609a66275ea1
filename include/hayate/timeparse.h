/* hayate: parsing the time strings users type and requests carry. */
#ifndef HAYATE_TIMEPARSE_H
#define HAYATE_TIMEPARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Parses epoch seconds ("1704067200") or ISO-8601 UTC ("2024-01-01",
 * "2024-01-01T00:00:00[.fff]Z") into nanoseconds since the epoch; false
 * (and *ns untouched) on anything else. */
bool hy_time_parse(const char *s, uint64_t *ns);

#endif
