/* hy__cap_ts_ns: libpcap record times to ns, against a 128-bit reference at
 * and around every boundary (negative seconds, the fast path's limit, the
 * uint64 overflow point), in micro- and nanosecond captures. */
#include "testutil.h"

#include <stdint.h>

#include "net/capture_int.h"

/* What the conversion must give: 0 below the epoch, the exact sum, or
 * UINT64_MAX when it does not fit. */
static uint64_t reference(int64_t sec, int64_t frac, bool nano)
{
    if (sec < 0)
        return 0;
    unsigned __int128 f = frac < 0 ? 0 : (unsigned __int128)frac * (nano ? 1u : 1000u);
    unsigned __int128 v = (unsigned __int128)sec * 1000000000u + f;
    return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

static void check(int64_t sec, int64_t frac, bool nano)
{
    struct timeval tv = {.tv_sec = (time_t)sec, .tv_usec = (suseconds_t)frac};
    uint64_t want = reference(sec, frac, nano), got = hy__cap_ts_ns(&tv, nano);
    if (got != want)
        fail_msg("sec %lld frac %lld %s: got %llu, want %llu", (long long)sec, (long long)frac,
                 nano ? "ns" : "us", (unsigned long long)got, (unsigned long long)want);
}

static void test_boundaries(void **state)
{
    (void)state;
    const int64_t secs[] = {-1,          0,           1,           1700000000,  18445999999,
                            18446000000, 18446744072, 18446744073, 18446744074, INT64_MAX};
    const int64_t fracs[] = {-1,        0,         1,          999999,        1000000,
                             709551615, 709551616, 4294967295, 4398046511103, 4398046511104};
    for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++)
        for (size_t j = 0; j < sizeof fracs / sizeof fracs[0]; j++)
            for (int nano = 0; nano < 2; nano++)
                check(secs[i], fracs[j], nano);
}

static void test_random(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t sec = (int64_t)(x % 18446744100ull) - 5;
        int64_t frac = (int64_t)((x >> 20) % 5000000000000ull);
        check(sec, frac, (x >> 63) != 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
