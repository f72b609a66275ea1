/* bench_nearest_speed FILE: the malware engine's nearest-sample search by
 * ssdeep over the digests of FILE (the output of ssdeep -r: a header line,
 * then DIGEST,"NAME" lines), every digest against all the others, as
 * `ssdeep -x FILE` compares them. Prints "digests pairs seconds
 * ns_per_pair matched" (matched: digests whose nearest scores above 0).
 * bench/nearest.sh runs it beside ssdeep -x. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/malware/family.h"
#include "hayate/clock.h"

#define MAX_DIGESTS 200000

int main(int argc, char **argv)
{
    char line[4096];
    char **dig = calloc(MAX_DIGESTS, sizeof *dig);
    size_t n = 0, matched = 0;
    FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;
    if (!f || !dig) {
        fprintf(stderr, "usage: bench_nearest_speed SSDEEP_R_OUTPUT\n");
        return 2;
    }
    while (n < MAX_DIGESTS && fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        if (!comma || strncmp(line, "ssdeep,", 7) == 0 || comma - line >= HY_SSDEEP_MAX)
            continue;
        *comma = '\0';
        if (!(dig[n++] = strdup(line)))
            return 1;
    }
    fclose(f);
    mw_index ix;
    mw_record *r = calloc(1, sizeof *r);
    if (!r || n < 2 || mw_index_init(&ix, n) != HY_OK)
        return 1;
    for (size_t i = 0; i < n; i++) {
        char sha[65];
        snprintf(sha, sizeof sha, "%064zu", i);
        if (mw_index_add(&ix, sha, NULL, dig[i], NULL, NULL, false) != HY_OK)
            return 1;
    }
    double t0 = hy_clock_mono_s();
    for (size_t i = 0; i < n; i++) {
        mw_near nr;
        snprintf(r->h.sha256, sizeof r->h.sha256, "%064zu", i);
        snprintf(r->ssdeep, sizeof r->ssdeep, "%s", dig[i]);
        mw_index_nearest(&ix, r, &nr);
        matched += nr.ssdeep_i >= 0;
    }
    double s = hy_clock_mono_s() - t0, pairs = (double)n * (double)(n - 1);
    printf("%zu %.0f %.3f %.1f %zu\n", n, pairs, s, s / pairs * 1e9, matched);
    mw_index_free(&ix);
    for (size_t i = 0; i < n; i++)
        free(dig[i]);
    free(dig);
    free(r);
    return 0;
}
