/* Fuzzes the time parser that reads request parameters and flags (epoch
 * seconds or ISO-8601 UTC): any bytes parse or are refused, never crash;
 * an accepted all-digit string is that many seconds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[128];
    uint64_t ns = 0;
    if (size >= sizeof s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (!hy_time_parse(s, &ns))
        return 0;
    if (size && strspn(s, "0123456789") == strlen(s) && strlen(s) < 12 &&
        ns != strtoull(s, NULL, 10) * 1000000000ull)
        abort();
    return 0;
}
