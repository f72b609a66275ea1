/* The samples table (schema v6, verdicts v7): one row per SHA-256, upserts
 * that widen the seen times and keep the first name, queries by hash,
 * imphash and family, newest first, on writers and readers; refusals. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/store.h"

typedef struct seen {
    char sha[8][65], name[8][64], report[8][64], family[8][32], verdict[8][16];
    uint64_t first[8], last[8];
    double score[8]; /* -1: none */
    size_t n;
} seen;

static int collect(void *ud, const hy_sample *v)
{
    seen *s = ud;
    if (s->n == 8)
        return 1;
    snprintf(s->sha[s->n], 65, "%s", v->sha256);
    snprintf(s->name[s->n], 64, "%s", v->name ? v->name : "");
    snprintf(s->report[s->n], 64, "%s", v->report);
    snprintf(s->family[s->n], 32, "%s", v->family ? v->family : "");
    snprintf(s->verdict[s->n], 16, "%s", v->verdict ? v->verdict : "");
    s->score[s->n] = v->has_score ? v->score : -1;
    s->first[s->n] = v->first_ns;
    s->last[s->n++] = v->last_ns;
    return 0;
}

static hy_sample mk(char c, const char *name, uint64_t t, const char *imphash, const char *report)
{
    static char sha[8][65];
    static int k;
    char *h = sha[k++ % 8];
    memset(h, c, 64);
    h[64] = '\0';
    return (hy_sample){.sha256 = h,
                       .md5 = "m",
                       .sha1 = "s",
                       .size = 10,
                       .mime = "x",
                       .imphash = imphash,
                       .name = name,
                       .first_ns = t,
                       .last_ns = t,
                       .report = report};
}

static void test_upsert_and_queries(void **st)
{
    char path[512];
    hy_store *s, *r;
    seen g = {0};
    uint64_t n;
    (void)st;
    snprintf(path, sizeof path, "%s/samples.db", hy_test_tmpdir());
    assert_int_equal(hy_store_open_sqlite(path, &s), HY_OK);
    hy_sample a = mk('a', "first.exe", 100, "imp1", "{\"v\":1}");
    hy_sample b = mk('b', "b.dll", 200, "imp1", "{}");
    hy_sample c = mk('c', NULL, 300, NULL, "{}");
    const hy_sample *v[] = {&a, &b, &c};
    assert_int_equal(hy_store_put_samples(s, v, 3), HY_OK);
    /* a again: seen earlier and later, under another name, re-analysed */
    hy_sample a2 = mk('a', "second.exe", 50, "imp1", "{\"v\":2}");
    a2.last_ns = 400;
    const hy_sample *v2[] = {&a2};
    assert_int_equal(hy_store_put_samples(s, v2, 1), HY_OK);
    assert_int_equal(hy_store_count(s, "samples", &n), HY_OK);
    assert_int_equal(n, 3);

    hy_sample_filter f = {.sha256 = a.sha256};
    assert_int_equal(hy_store_query_samples(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.name[0], "first.exe"); /* the first name stays */
    assert_int_equal(g.first[0], 50);
    assert_int_equal(g.last[0], 400);
    assert_string_equal(g.report[0], "{\"v\":2}"); /* the newest analysis */

    memset(&g, 0, sizeof g);
    f = (hy_sample_filter){0};
    assert_int_equal(hy_store_query_samples(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.sha[0][0], 'c'); /* newest first: c (300), b (200), a (50) */
    assert_int_equal(g.sha[1][0], 'b');
    assert_int_equal(g.sha[2][0], 'a');

    memset(&g, 0, sizeof g);
    f = (hy_sample_filter){.imphash = "imp1", .limit = 1};
    assert_int_equal(hy_store_query_samples(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.sha[0][0], 'b');

    /* a reader sees them and cannot write */
    assert_int_equal(hy_store_open_sqlite_reader(path, &r), HY_OK);
    memset(&g, 0, sizeof g);
    f = (hy_sample_filter){.since_ns = 150};
    assert_int_equal(hy_store_query_samples(r, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(hy_store_put_samples(r, v, 1), HY_ERR_UNSUPPORTED);
    hy_store_close(r);

    /* seen again without analysis: the times widen, the report stays */
    hy_sample t = {.sha256 = a.sha256, .first_ns = 20, .last_ns = 900};
    hy_sample ghost = mk('e', NULL, 1, NULL, NULL); /* not stored: nothing */
    const hy_sample *vt[] = {&t, &ghost};
    if (hy_store_put_samples(s, vt, 2) != HY_OK)
        fail_msg("touch: %s", hy_err_detail());
    memset(&g, 0, sizeof g);
    f = (hy_sample_filter){.sha256 = a.sha256};
    assert_int_equal(hy_store_query_samples(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.first[0], 20);
    assert_int_equal(g.last[0], 900);
    assert_string_equal(g.report[0], "{\"v\":2}");
    assert_string_equal(g.name[0], "first.exe");

    hy_sample bad = mk('d', NULL, 1, NULL, "{}");
    bad.md5 = NULL;
    const hy_sample *vb[] = {&a, &bad};
    assert_int_equal(hy_store_put_samples(s, vb, 2), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "sample 1"));
    assert_int_equal(hy_store_count(s, "samples", &n), HY_OK);
    assert_int_equal(n, 3); /* nothing of the refused batch */
    hy_store_close(s);
}

/* Family, score and verdict round-trip, are replaced by a re-analysis,
 * stay on a touch, and the family filter selects its members. */
static void test_verdicts(void **st)
{
    char path[512];
    hy_store *s;
    seen g = {0};
    (void)st;
    snprintf(path, sizeof path, "%s/verdicts.db", hy_test_tmpdir());
    assert_int_equal(hy_store_open_sqlite(path, &s), HY_OK);
    hy_sample a = mk('a', "a", 100, NULL, "{}"), b = mk('b', "b", 200, NULL, "{}"),
              c = mk('c', "c", 300, NULL, "{}");
    a.family = b.family = "mirai";
    a.verdict = b.verdict = "malicious";
    a.has_score = true;
    a.score = 0.75;
    c.verdict = "unknown";
    const hy_sample *v[] = {&a, &b, &c};
    assert_int_equal(hy_store_put_samples(s, v, 3), HY_OK);
    hy_sample_filter f = {.family = "mirai"};
    assert_int_equal(hy_store_query_samples(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.sha[0][0], 'b');
    assert_int_equal(g.sha[1][0], 'a');
    assert_true(g.score[0] < 0);  /* b: no model score */
    assert_true(g.score[1] == 0.75);
    assert_string_equal(g.verdict[1], "malicious");

    hy_sample t = {.sha256 = a.sha256, .first_ns = 1, .last_ns = 999};
    hy_sample a2 = mk('b', "b", 200, NULL, "{}"); /* b re-analysed: no family now */
    a2.verdict = "clean";
    const hy_sample *v2[] = {&t, &a2};
    assert_int_equal(hy_store_put_samples(s, v2, 2), HY_OK);
    memset(&g, 0, sizeof g);
    assert_int_equal(hy_store_query_samples(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.sha[0][0], 'a');
    assert_string_equal(g.family[0], "mirai"); /* the touch kept it */
    assert_true(g.score[0] == 0.75);
    memset(&g, 0, sizeof g);
    f = (hy_sample_filter){.sha256 = c.sha256};
    assert_int_equal(hy_store_query_samples(s, &f, collect, &g), HY_OK);
    assert_string_equal(g.family[0], "");
    assert_string_equal(g.verdict[0], "unknown");

    /* a touch with a family and no times: the family only */
    hy_sample tf = {.sha256 = c.sha256, .family = "cluster-cc"};
    const hy_sample *v3[] = {&tf};
    assert_int_equal(hy_store_put_samples(s, v3, 1), HY_OK);
    memset(&g, 0, sizeof g);
    assert_int_equal(hy_store_query_samples(s, &f, collect, &g), HY_OK);
    assert_string_equal(g.family[0], "cluster-cc");
    assert_int_equal(g.first[0], 300);
    assert_int_equal(g.last[0], 300);
    hy_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upsert_and_queries),
        cmocka_unit_test(test_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
