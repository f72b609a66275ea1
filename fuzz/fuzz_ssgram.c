/* Fuzzes the ssdeep prefilter of the malware engine's nearest-sample
 * search (lib/engines/malware/ssgram.h). Input: two digest texts split at
 * the first newline (store rows are untrusted). Checks that parsing never
 * crashes or leaks, that each parsed chunk's run hashes are sorted and
 * distinct, that the query form answers as the pairwise one, and, with
 * libfuzzy itself as the oracle, that a pair the filter drops is one
 * fuzzy_compare scores 0 or refuses. */
#include <fuzzy.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/malware/ssgram.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sorted(const uint32_t *g, size_t n)
{
    for (size_t i = 1; i < n; i++)
        CHECK(g[i - 1] < g[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mw_ssquery x; /* 16 KiB: not on the stack */
    char a[300], b[300];
    const uint8_t *nl = memchr(data, '\n', size);
    size_t na = nl ? (size_t)(nl - data) : size, nb = nl ? size - na - 1 : 0;
    if (na >= sizeof a || nb >= sizeof b)
        return 0;
    memcpy(a, data, na);
    a[na] = '\0';
    memcpy(b, nl ? nl + 1 : data, nb);
    b[nb] = '\0';
    if (memchr(a, '\0', na) || memchr(b, '\0', nb))
        return 0;

    mw_ssgram ga, gb;
    bool pa = mw_ssgram_parse(a, &ga), pb = mw_ssgram_parse(b, &gb);
    CHECK(pa == (ga.bs != 0) && pb == (gb.bs != 0));
    if (pa) {
        check_sorted(ga.g, ga.n1);
        check_sorted(ga.g + ga.n1, ga.n2);
        CHECK(mw_ssgram_may_match(&ga, &ga));
    }
    bool may = mw_ssgram_may_match(&ga, &gb);
    CHECK(may == mw_ssgram_may_match(&gb, &ga));
    mw_ssquery_init(&x, &ga);
    CHECK(mw_ssquery_may_match(&x, &gb) == may);
    if (!may)
        CHECK(fuzzy_compare(a, b) <= 0);
    mw_ssgram_free(&ga);
    mw_ssgram_free(&gb);
    return 0;
}
