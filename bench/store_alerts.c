/* Store write benchmark: how many alerts per second the SQLite store takes
 * in batches, as the collector writes them (bench/store.sh runs it).
 * Usage: bench_store_alerts DB N BATCH. Prints "N alerts in S s: R alerts/s". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hayate/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const char ev[] =
        "{\"proto\":\"tcp\",\"port\":23,\"detectors\":[\"change\",\"persist\"],\"sources\":412,"
        "\"baseline\":3.1,\"growth\":132.9,\"z\":41.7,\"packets\":9120,\"sample_sources\":["
        "{\"ip\":\"192.0.2.1\",\"tool\":\"mirai\"},{\"ip\":\"192.0.2.2\",\"tool\":\"mirai\"}]}";
    hy_store *s;
    if (argc != 4) {
        fprintf(stderr, "usage: bench_store_alerts DB N BATCH\n");
        return 2;
    }
    long n = atol(argv[2]), batch = atol(argv[3]);
    if (n < 1 || batch < 1 || batch > 100000 || hy_store_open_sqlite(argv[1], &s) != HY_OK) {
        fprintf(stderr, "bench_store_alerts: bad arguments or store %s\n", argv[1]);
        return 2;
    }
    hy_alert **v = calloc((size_t)batch, sizeof *v);
    double t0 = now_s(), made = 0;
    for (long done = 0; done < n;) {
        long k = n - done < batch ? n - done : batch;
        double m0 = now_s();
        for (long i = 0; i < k; i++) {
            char subject[32];
            snprintf(subject, sizeof subject, "tcp/%ld", (done + i) % 1000);
            if (hy_alert_create(1704067200000000000ull + (uint64_t)(done + i) * 1000000ull,
                                "darknet", "darknet.outbreak", 2, 0.5, "bench", subject,
                                (uint64_t)(done + i), &v[i]) != HY_OK ||
                hy_alert_set_evidence(v[i], ev) != HY_OK)
                return 1;
        }
        made += now_s() - m0; /* building alerts is not the store's time */
        if (hy_store_put_alerts(s, v, (size_t)k) != HY_OK) {
            fprintf(stderr, "bench_store_alerts: %s\n", hy_err_detail());
            return 1;
        }
        for (long i = 0; i < k; i++)
            hy_alert_destroy(v[i]);
        done += k;
    }
    double secs = now_s() - t0 - made;
    printf("%ld alerts in batches of %ld: %.2f s, %.0f alerts/s\n", n, batch, secs,
           (double)n / secs);
    free(v);
    hy_store_close(s);
    return 0;
}
