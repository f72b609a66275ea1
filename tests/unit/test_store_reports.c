/* The intel_reports and iocs tables (schema v8): reports upserted with
 * their indicators replaced on re-analysis, newest-first pages, the STIX
 * column only when asked, indicator queries with and without noise, on
 * writers and readers; refusals leave nothing behind. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "hayate/store.h"

typedef struct got {
    char id[8][64], title[8][64], stix[8][64];
    uint64_t time[8];
    size_t n;
} got;

static int collect(void *ud, const hy_intel_record *r)
{
    got *g = ud;
    if (g->n == 8)
        return 1;
    snprintf(g->id[g->n], 64, "%s", r->id);
    snprintf(g->title[g->n], 64, "%s", r->title ? r->title : "");
    snprintf(g->stix[g->n], 64, "%s", r->stix ? r->stix : "(null)");
    g->time[g->n++] = r->time_ns;
    return 0;
}

typedef struct iocs {
    char line[16][128];
    size_t n;
} iocs;

static int collect_ioc(void *ud, const char *report_id, const hy_report_ioc *c)
{
    iocs *v = ud;
    if (v->n == 16)
        return 1;
    snprintf(v->line[v->n++], 128, "%s %s %s %s %u", report_id, c->type, c->value,
             c->noise ? c->noise : "-", c->count);
    return 0;
}

static hy_intel_record rec(const char *id, uint64_t t, const hy_report_ioc *c, size_t n)
{
    return (hy_intel_record){.id = id, .sha256 = "ab", .title = id, .source = "file",
                             .time_ns = t, .summary = "{}", .stix = "{\"type\":\"bundle\"}",
                             .iocs = c, .niocs = n};
}

static void test_put_query_replace(void **st)
{
    char path[512];
    hy_store *s, *r;
    got g = {0};
    iocs v = {0};
    uint64_t n;
    (void)st;
    snprintf(path, sizeof path, "%s/reports.db", hy_test_tmpdir());
    assert_int_equal(hy_store_open_sqlite(path, &s), HY_OK);
    hy_report_ioc a[] = {{"ipv4", "203.0.113.9", NULL, 2}, {"domain", "evil.example", NULL, 1},
                         {"ipv4", "10.0.0.1", "private address (RFC 1918)", 1}};
    hy_report_ioc b[] = {{"domain", "evil.example", NULL, 1}};
    hy_intel_record r1 = rec("report--1", 100, a, 3), r2 = rec("report--2", 200, b, 1);
    const hy_intel_record *both[] = {&r1, &r2};
    assert_int_equal(hy_store_put_reports(s, both, 2), HY_OK);
    assert_int_equal(hy_store_count(s, "intel_reports", &n), HY_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hy_store_count(s, "iocs", &n), HY_OK);
    assert_int_equal(n, 4);
    hy_report_filter f = {.limit = 10};
    assert_int_equal(hy_store_query_reports(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.id[0], "report--2"); /* newest first */
    assert_string_equal(g.stix[0], "(null)");  /* not asked for */
    f = (hy_report_filter){.until_ns = 200, .with_stix = true};
    g.n = 0;
    assert_int_equal(hy_store_query_reports(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.id[0], "report--1");
    assert_string_equal(g.stix[0], "{\"type\":\"bundle\"}");
    /* every report's non-noise indicators, in (type, value) order */
    assert_int_equal(hy_store_query_iocs(s, NULL, false, collect_ioc, &v), HY_OK);
    assert_int_equal(v.n, 3);
    assert_string_equal(v.line[0], "report--1 domain evil.example - 1");
    assert_string_equal(v.line[1], "report--2 domain evil.example - 1");
    assert_string_equal(v.line[2], "report--1 ipv4 203.0.113.9 - 2");
    v.n = 0;
    assert_int_equal(hy_store_query_iocs(s, "report--1", true, collect_ioc, &v), HY_OK);
    assert_int_equal(v.n, 3);
    assert_string_equal(v.line[1], "report--1 ipv4 10.0.0.1 private address (RFC 1918) 1");
    /* re-analysis replaces the indicators */
    hy_intel_record r1b = rec("report--1", 300, b, 1);
    const hy_intel_record *one[] = {&r1b};
    assert_int_equal(hy_store_put_reports(s, one, 1), HY_OK);
    assert_int_equal(hy_store_count(s, "iocs", &n), HY_OK);
    assert_int_equal(n, 2);
    /* a reader sees the same */
    assert_int_equal(hy_store_open_sqlite_reader(path, &r), HY_OK);
    g.n = 0;
    f = (hy_report_filter){.id = "report--1"};
    assert_int_equal(hy_store_query_reports(r, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.time[0], 300);
    assert_int_equal(hy_store_put_reports(r, one, 1), HY_ERR_UNSUPPORTED);
    hy_store_close(r);
    hy_store_close(s);
}

static void test_refusals(void **st)
{
    char path[512];
    hy_store *s;
    uint64_t n;
    (void)st;
    snprintf(path, sizeof path, "%s/reports-bad.db", hy_test_tmpdir());
    assert_int_equal(hy_store_open_sqlite(path, &s), HY_OK);
    hy_report_ioc bad[] = {{"ipv4", "1.2.3.4", NULL, 1}, {"", "x", NULL, 1}};
    hy_intel_record ok = rec("report--ok", 1, NULL, 0), r = rec("report--bad", 1, bad, 2);
    const hy_intel_record *v[] = {&ok, &r};
    assert_int_equal(hy_store_put_reports(s, v, 2), HY_ERR_ARG);
    r = rec("report--bad", 1, NULL, 0);
    r.stix = NULL;
    assert_int_equal(hy_store_put_reports(s, v, 2), HY_ERR_ARG);
    assert_int_equal(hy_store_count(s, "intel_reports", &n), HY_OK);
    assert_int_equal(n, 0); /* all or nothing */
    assert_int_equal(hy_store_query_reports(s, NULL, collect, NULL), HY_ERR_ARG);
    hy_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_query_replace),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
