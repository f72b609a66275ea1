/* The malware engine's nearest-sample search and its ssdeep prefilter
 * (lib/engines/malware/ssgram.h): a pair the filter drops is one libfuzzy
 * scores 0, the query form agrees with the pairwise one, and the nearest
 * sample by ssdeep is the one a scan comparing every pair finds. Digests
 * come from random, mutated, repetitive and hand-made inputs. */
#include "testutil.h"

#include <fuzzy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/malware/family.h"

#define ND 240

static char g_dig[ND][FUZZY_MAX_RESULT];
static size_t g_n;

static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

static void add_hash(const uint8_t *p, size_t n)
{
    assert_true(g_n < ND);
    assert_int_equal(fuzzy_hash_buf(p, (uint32_t)n, g_dig[g_n]), 0);
    g_n++;
}

static void add_text(const char *d)
{
    assert_true(g_n < ND);
    snprintf(g_dig[g_n++], FUZZY_MAX_RESULT, "%s", d);
}

/* Families of similar inputs (a base and mutated copies) at many sizes,
 * repetitive inputs (long runs in the digests), and digests written by
 * hand: identical short ones, ones equal only once runs are cut, runs of
 * exactly 7, and strings that are not digests at all. */
static void make_digests(void)
{
    uint64_t s = 42;
    size_t cap = 1u << 18;
    uint8_t *base = malloc(cap), *copy = malloc(cap);
    assert_non_null(base);
    assert_non_null(copy);
    g_n = 0;
    for (int fam = 0; fam < 36; fam++) {
        size_t n = 2048 + rnd(&s) % (cap - 2048);
        for (size_t i = 0; i < n; i++)
            base[i] = fam % 3 == 0 ? (uint8_t) "abcab"[rnd(&s) % 5] : (uint8_t)rnd(&s);
        add_hash(base, n);
        for (int m = 0; m < 5; m++) {
            memcpy(copy, base, n);
            for (int e = 0; e < 1 + m * 40; e++)
                copy[rnd(&s) % n] ^= (uint8_t)(1 + rnd(&s) % 255);
            add_hash(copy, n - (size_t)m * (n / 16));
        }
    }
    memset(base, 0, cap);
    add_hash(base, 5000);
    add_hash(base, 70000);
    const char *hand[] = {
        "3:ab:c",
        "3:ab:c",
        "3:aaaaaaaaaaa:aaaa",
        "3:aaa:aaa",
        "6:AAAAAAAB:CCCC",
        "3:xAAAAAAAy:AAAAAAA",
        "6:AAAAAAA:q",
        "12:zzzzzzz:k",
        "not a digest",
        "3::",
        "0:abcdefgh:ij",
        "96:abc:def:ghi",
        /* a common run only once runs are cut, and only as written */
        "3:kxAAAAAyBm:h",
        "3:kxAAAyBn:h",
        "3:AAAAAAAqrs:t",
        "3:BAAAAAAAC:t",
    };
    for (size_t i = 0; i < sizeof hand / sizeof *hand; i++)
        add_text(hand[i]);
    free(base);
    free(copy);
}

/* Every pair: the filter never drops one libfuzzy scores, and the query
 * form gives the pairwise answer; most pairs are dropped. */
static void test_filter_is_exact(void **st)
{
    (void)st;
    make_digests();
    mw_ssgram *g = calloc(g_n, sizeof *g);
    mw_ssquery *x = malloc(sizeof *x);
    size_t dropped = 0, scored = 0, pairs = 0;
    assert_non_null(g);
    assert_non_null(x);
    for (size_t i = 0; i < g_n; i++)
        mw_ssgram_parse(g_dig[i], &g[i]);
    mw_ssgram bad;
    assert_false(mw_ssgram_parse("not a digest", &bad) || bad.bs || bad.g);
    for (size_t i = 0; i < g_n; i++) {
        mw_ssquery_init(x, &g[i]);
        for (size_t j = 0; j < g_n; j++) {
            bool may = mw_ssgram_may_match(&g[i], &g[j]);
            int sc = fuzzy_compare(g_dig[i], g_dig[j]);
            pairs++;
            scored += sc > 0;
            dropped += !may;
            if (!may && sc > 0)
                fail_msg("dropped a pair libfuzzy scores %d: %s / %s", sc, g_dig[i], g_dig[j]);
            if (may != mw_ssquery_may_match(x, &g[j]))
                fail_msg("query form differs on %s / %s", g_dig[i], g_dig[j]);
        }
    }
    assert_true(scored > g_n);        /* the families did give scores */
    assert_true(dropped > pairs / 2); /* and the filter spares most calls */
    for (size_t i = 0; i < g_n; i++)
        mw_ssgram_free(&g[i]);
    free(g);
    free(x);
}

/* The index's nearest sample by ssdeep equals a scan of every pair. */
static void test_nearest_as_full_scan(void **st)
{
    mw_index ix;
    (void)st;
    make_digests();
    assert_int_equal(mw_index_init(&ix, g_n), HY_OK);
    for (size_t i = 0; i < g_n; i++) {
        char sha[65];
        snprintf(sha, sizeof sha, "%064zu", i);
        assert_int_equal(mw_index_add(&ix, sha, NULL, g_dig[i], NULL, NULL, false), HY_OK);
    }
    mw_record *r = calloc(1, sizeof *r);
    assert_non_null(r);
    for (size_t q = 0; q < g_n; q++) {
        mw_near nr;
        long best_i = -1;
        int best = 0;
        snprintf(r->h.sha256, sizeof r->h.sha256, "%064zu", q);
        _Static_assert(sizeof r->ssdeep >= FUZZY_MAX_RESULT, "digest size");
        memcpy(r->ssdeep, g_dig[q], FUZZY_MAX_RESULT);
        mw_index_nearest(&ix, r, &nr);
        for (size_t k = 0; k < g_n; k++) {
            int sc = k == q ? 0 : fuzzy_compare(g_dig[q], g_dig[k]);
            if (sc > best)
                best = sc, best_i = (long)k;
        }
        if (nr.ssdeep_i != best_i || (best_i >= 0 && nr.ssdeep_s != best))
            fail_msg("%s: index says %ld (%d), a full scan %ld (%d)", g_dig[q], nr.ssdeep_i,
                     nr.ssdeep_s, best_i, best);
    }
    free(r);
    mw_index_free(&ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_is_exact),
        cmocka_unit_test(test_nearest_as_full_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
