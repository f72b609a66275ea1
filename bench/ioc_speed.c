/* bench_ioc_speed FILE [RUNS]: hy_ioc_extract's throughput on one text
 * file, single-threaded: the median of RUNS timed extractions (after one
 * warm-up), printed as "bytes iocs median_s MB/s". bench/intel.sh runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/buf.h"
#include "hayate/io.h"
#include "hayate/ioc.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    hy_buf b;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    double t[64];
    size_t found = 0;
    if (argc < 2 || runs < 1 || runs > 64) {
        fprintf(stderr, "usage: bench_ioc_speed FILE [RUNS 1..64]\n");
        return 2;
    }
    hy_buf_init(&b, HY_IOC_MAX_TEXT);
    if (hy_buf_read_file(&b, argv[1]) != HY_OK) {
        fprintf(stderr, "bench_ioc_speed: %s: %s\n", argv[1], hy_err_detail());
        return 1;
    }
    for (int r = -1; r < runs; r++) {
        hy_ioc_list l = {0};
        double t0 = now();
        if (hy_ioc_extract(b.data, b.len, NULL, &l) != HY_OK) {
            fprintf(stderr, "bench_ioc_speed: %s\n", hy_err_detail());
            return 1;
        }
        if (r >= 0)
            t[r] = now() - t0;
        found = l.n;
        hy_ioc_list_free(&l);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    double med = t[runs / 2];
    printf("%zu %zu %.4f %.1f\n", b.len, found, med, (double)b.len / med / 1e6);
    hy_buf_free(&b);
    return 0;
}
