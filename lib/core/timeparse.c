/* Time strings from users and requests: epoch seconds or ISO-8601 UTC. */
#include "hayate/timeparse.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

bool hy_time_parse(const char *s, uint64_t *ns)
{
    struct tm tm = {0};
    char *end;
    long long secs;
    double frac = 0;

    errno = 0;
    secs = strtoll(s, &end, 10);
    if (*s && *end == '\0' && errno == 0 && secs >= 0) {
        *ns = (uint64_t)secs * 1000000000ull;
        return true;
    }
    end = strptime(s, "%Y-%m-%d", &tm);
    if (!end)
        return false;
    if (*end == 'T' || *end == ' ') {
        end = strptime(end + 1, "%H:%M:%S", &tm);
        if (!end)
            return false;
        if (*end == '.') {
            frac = strtod(end, &end);
        }
    }
    if (*end == 'Z')
        end++;
    if (*end)
        return false;
    time_t t = timegm(&tm);
    if (t < 0)
        return false;
    *ns = (uint64_t)t * 1000000000ull + (uint64_t)(frac * 1e9);
    return true;
}
