/* Timings of plain and fast neighbour joining, and of the NCD matrix.
 * Not built by CMake; compile against a build directory's libraries:
 *   cc -O2 -Iinclude bench/nj_speed.c build-tree/libhy_ml.a \
 *      build-tree/libhy_core.a -lzstd -lm -lpthread -o /tmp/nj_speed
 *   /tmp/nj_speed matrix 500 1000 2000 4000   tree-metric + 10% noise
 *   /tmp/nj_speed ncd 2000 2 [k]              lineage of 2000 x 8 KiB, 2 threads,
 *                                             k centres for the fast variant
 * Matrices come from generated lineages (hayate/lineage.h), so the true
 * tree is known and the RF distances are printed beside the times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/lineage.h"
#include "hayate/tree.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double nrf(const hy_tree *a, const hy_tree *b, size_t n)
{
    size_t rf = 0, max = 0;
    if (hy_tree_rf(a, b, n, &rf, &max) != HY_OK)
        return -1;
    return max ? (double)rf / (double)max : 0;
}

static hy_lineage *lineage(size_t n, size_t bytes, uint64_t seed)
{
    hy_lineage_cfg c;
    hy_lineage *l = NULL;
    hy_lineage_cfg_default(&c);
    c.leaves = n;
    c.ancestor_bytes = bytes;
    c.seed = seed;
    if (hy_lineage_generate(&c, &l) != HY_OK) {
        fprintf(stderr, "lineage: %s\n", hy_err_detail());
        exit(1);
    }
    return l;
}

/* Plain vs fast on the true tree's path lengths times (1 + U(-0.1, 0.1)). */
static void bench_matrix(size_t n)
{
    hy_lineage *l = lineage(n, 256, n);
    double *d = malloc(n * n * sizeof *d);
    hy_tree *plain = NULL, *fast = NULL;
    uint64_t s = 12345;
    hy_tree_patristic(l->tree, d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            double u = (double)(s >> 11) * 0x1p-53;
            d[i * n + j] = d[j * n + i] = d[i * n + j] * (0.9 + 0.2 * u);
        }
    double t0 = now();
    if (hy_nj(d, n, &plain) != HY_OK)
        fprintf(stderr, "nj: %s\n", hy_err_detail());
    double t1 = now();
    if (hy_nj_fast(d, n, NULL, &fast) != HY_OK)
        fprintf(stderr, "nj fast: %s\n", hy_err_detail());
    double t2 = now();
    printf("n=%5zu  plain %8.3f s  fast %7.3f s  speed-up %6.1fx  nRF plain-truth %.3f "
           "fast-truth %.3f fast-plain %.3f\n",
           n, t1 - t0, t2 - t1, (t1 - t0) / (t2 - t1), nrf(plain, l->tree, n),
           nrf(fast, l->tree, n), nrf(fast, plain, n));
    hy_tree_free(plain);
    hy_tree_free(fast);
    free(d);
    hy_lineage_free(l);
}

/* NCD matrix of n lineage samples of 8 KiB on t threads, then both trees. */
static void bench_ncd(size_t n, unsigned t, size_t k)
{
    hy_nj_fast_opts o;
    hy_nj_fast_opts_default(&o);
    o.clusters = k;
    hy_lineage *l = lineage(n, 8192, 7);
    double *d = malloc(n * n * sizeof *d);
    hy_ncd_set *set = NULL;
    hy_tree *plain = NULL, *fast = NULL;
    size_t asked = 0;
    double t0 = now();
    if (hy_ncd_set_create((const void *const *)l->data, l->len, n, t, &set) != HY_OK ||
        hy_ncd_set_matrix(set, d) != HY_OK) {
        fprintf(stderr, "ncd: %s\n", hy_err_detail());
        exit(1);
    }
    double t1 = now();
    hy_nj(d, n, &plain);
    double t2 = now();
    hy_ncd_set_destroy(set);
    hy_ncd_set_create((const void *const *)l->data, l->len, n, t, &set);
    if (hy_nj_fast_fn(hy_ncd_set_pairs, set, n, &o, &fast, &asked) != HY_OK)
        fprintf(stderr, "nj fast: %s\n", hy_err_detail());
    double t3 = now();
    printf("ncd n=%zu threads=%u: matrix %.2f s (%zu pairs), plain NJ %.3f s, nRF plain-truth "
           "%.3f\n", n, t, t1 - t0, n * (n - 1) / 2, t2 - t1, nrf(plain, l->tree, n));
    printf("  fast from blobs (NCD on demand + tree): %.2f s, %zu pairs asked, nRF "
           "fast-truth %.3f fast-plain %.3f; end to end %.1fx faster\n",
           t3 - t2, asked, nrf(fast, l->tree, n), nrf(fast, plain, n), (t2 - t0) / (t3 - t2));
    hy_ncd_set_destroy(set);
    hy_tree_free(plain);
    hy_tree_free(fast);
    free(d);
    hy_lineage_free(l);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "ncd")) {
        bench_ncd(strtoul(argv[2], NULL, 10), argc > 3 ? (unsigned)atoi(argv[3]) : 2,
                  argc > 4 ? strtoul(argv[4], NULL, 10) : 0);
        return 0;
    }
    if (argc < 3 || strcmp(argv[1], "matrix")) {
        fprintf(stderr, "usage: nj_speed matrix N... | nj_speed ncd N [threads]\n");
        return 2;
    }
    for (int i = 2; i < argc; i++)
        bench_matrix(strtoul(argv[i], NULL, 10));
    return 0;
}
