/* Throughput of hy_tlsh_hash on a 100 MB buffer of mixed data (text,
 * random, runs and structured binary), default and 256/3 variants, in
 * MB (10^6 bytes) per second of CPU time.
 * Not built by CMake: cc -O2 -Iinclude bench/tlsh_speed.c
 *   build-tlsh/libhy_file.a build-tlsh/libhy_core.a -lm -o /tmp/tlsh_speed */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/tlsh.h"

#define MB 1000000u

/* Deterministic mix: 1 MB pieces cycling through four kinds of content. */
static void fill(uint8_t *p, size_t n)
{
    static const char words[] = "the quick brown fox jumps over a lazy dog while packets flow ";
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < n; i++) {
        unsigned kind = (unsigned)(i / MB) % 4;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (kind == 0)
            p[i] = (uint8_t)words[(i + (x & 3) * (i % 7 == 0)) % (sizeof words - 1)];
        else if (kind == 1)
            p[i] = (uint8_t)x;
        else if (kind == 2)
            p[i] = (uint8_t)((i / 64) & 0xFF);
        else
            p[i] = (uint8_t)(i % 16 < 4 ? x & 0x0F : (i >> 4) & 0xFF);
    }
}

/* This thread's CPU time: MB/s per core, whatever else the host runs. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    size_t n = 100u * MB;
    uint8_t *p = malloc(n);
    const hy_tlsh_opts variants[2] = {{0}, {.buckets = 256, .checksum_len = 3}};
    if (!p)
        return 1;
    fill(p, n);
    for (int v = 0; v < 2; v++) {
        double best = 1e9;
        char out[HY_TLSH_TEXT_MAX];
        for (int rep = 0; rep < 5; rep++) {
            double t0 = now();
            if (hy_tlsh_hash(p, n, &variants[v], out, sizeof out) != HY_OK)
                return 1;
            double dt = now() - t0;
            best = dt < best ? dt : best;
        }
        printf("%s: %.1f MB/s (CPU time, best of 5, 100 MB) %s\n",
               v ? "256 buckets, 3-byte checksum" : "default", n / best / MB, out);
    }
    free(p);
    return 0;
}
