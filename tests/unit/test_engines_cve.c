/* The CVE inconsistency check (lib/engines/intel/cve*.c): version order,
 * the prose parser on the phrasings CVE descriptions use (and on prose
 * that must give nothing), synthetic records that agree and that disagree
 * in each way, refusals of malformed records naming the JSON path, and the
 * 17 CVE JSON 5 records in ../shared/data/intel/cve (skipped when absent),
 * each with the findings it must and must not give. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/cve.h"

/* ---- versions ---- */

static int vcmp(const char *a, const char *b, const char *type)
{
    int c = 99;
    hy_err rc = hy_cve_version_compare(a, b, type, &c);
    if (rc != HY_OK)
        fail_msg("compare %s %s: %s", a, b, hy_err_detail());
    return c;
}

static bool vnext(const char *a, const char *b)
{
    hy_cve_version x, y;
    assert_int_equal(hy_cve_version_parse(a, strlen(a), NULL, &x), HY_OK);
    assert_int_equal(hy_cve_version_parse(b, strlen(b), NULL, &y), HY_OK);
    return hy_cve_version_next(&x, &y);
}

static void test_version_order(void **st)
{
    (void)st;
    /* each list is ascending: every pair must compare by its positions */
    static const char *const dotted[] = {
        "1.0rc1", "1.0",    "2.0-alpha1", "2.0-beta9", "2.0-rc1", "2.0",    "2.0.1",     "2.3.1",
        "2.4",    "2.12.2", "2.12.3",     "2.13.0",    "2.15.0",  "10.2.9", "10.2.9-h1", "10.2.10"};
    size_t n = sizeof dotted / sizeof dotted[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = vcmp(dotted[i], dotted[j], NULL), want = i < j ? -1 : i > j;
            if ((c > 0) - (c < 0) != want)
                fail_msg("%s vs %s: %d", dotted[i], dotted[j], c);
        }
    static const char *const semver[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                         "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                         "1.0.0-rc.1",  "1.0.0",         "1.0.1"};
    n = sizeof semver / sizeof semver[0];
    for (size_t i = 0; i + 1 < n; i++)
        assert_true(vcmp(semver[i], semver[i + 1], "semver") < 0);
    assert_int_equal(vcmp("2.15.0", "2.15", NULL), 0);
    assert_int_equal(vcmp("15.01.0", "15.1", "custom"), 0);
    assert_int_equal(vcmp("v1.2.3", "1.2.3", NULL), 0);
    assert_int_equal(vcmp("5.3.18.RELEASE", "5.3.18", NULL), 0);
    assert_int_equal(vcmp("1.0.0+build.5", "1.0.0", "semver"), 0);
    assert_int_equal(vcmp("16.1.x", "16.1.2.2", "custom"), 0); /* a branch wildcard */
    assert_true(vcmp("16.1.x", "15.1.5.1", "custom") > 0);
    assert_true(vcmp("9.9.9", "10.0", NULL) < 0); /* numeric, not lexical */
}

static void test_version_refusals(void **st)
{
    (void)st;
    hy_cve_version v;
    int c;
    assert_int_equal(hy_cve_version_compare("1.2", "abc1234", "git", &c), HY_ERR_UNSUPPORTED);
    assert_non_null(strstr(hy_err_detail(), "git"));
    static const char *const bad[] = {
        "n/a",     "log4j-core*",       "13.1-FIPS",           "", "2019x", "publication",
        "1.2.x.3", "1.2.3.4.5.6.7.8.9", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (hy_cve_version_parse(bad[i], strlen(bad[i]), "custom", &v) != HY_ERR_UNSUPPORTED)
            fail_msg("'%s' accepted", bad[i]);
        assert_true(strlen(hy_err_detail()) > 0);
    }
    assert_int_equal(hy_cve_version_parse(NULL, 0, NULL, &v), HY_ERR_ARG);
    assert_int_equal(hy_cve_version_compare("1", NULL, NULL, &c), HY_ERR_ARG);
}

static void test_version_next(void **st)
{
    (void)st;
    assert_true(vnext("2.3.1", "2.3.2"));
    assert_true(vnext("2.3.1", "2.4"));
    assert_true(vnext("2.12.3", "2.13.0"));
    assert_true(vnext("2.14.1", "3.0"));
    assert_true(vnext("2.0-rc1", "2.0"));
    assert_true(vnext("2.0-beta9", "2.0-beta10"));
    assert_false(vnext("2.3.1", "2.5"));
    assert_false(vnext("2.3.1", "2.4.1"));
    assert_false(vnext("2.15.0", "2.15.0"));
    assert_false(vnext("2.4", "2.3.1"));
    assert_false(vnext("2.0-beta9", "2.0.1"));
    assert_false(vnext("16.1.x", "16.2"));
}

/* ---- prose ---- */

typedef struct wrange {
    const char *low;
    bool low_incl;
    const char *high;
    bool high_incl;
} wrange;

static void same(const char *a, const char *b, const char *what, const char *text)
{
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
        fail_msg("%s: %s is '%s', wanted '%s'", text, what, a ? a : "(open)", b ? b : "(open)");
}

/* The ranges text states must be exactly w[0..n). */
static void expect(const char *text, const wrange *w, size_t n, const char *product)
{
    hy_cve_range *r;
    size_t got;
    assert_int_equal(hy_cve_text_ranges(text, strlen(text), &r, &got), HY_OK);
    if (got != n)
        fail_msg("%s: %zu ranges, wanted %zu", text, got, n);
    for (size_t i = 0; i < n; i++) {
        same(r[i].low, w[i].low, "low", text);
        same(r[i].high, w[i].high, "high", text);
        if ((r[i].low && r[i].low_incl != w[i].low_incl) ||
            (r[i].high && r[i].high_incl != w[i].high_incl))
            fail_msg("%s: range %zu inclusivity", text, i);
        assert_string_equal(r[i].source, "text");
        assert_non_null(r[i].origin);
        if (product)
            same(r[i].product, product, "product", text);
    }
    hy_cve_ranges_free(r, got);
}

#define EXPECT(text, product, ...)                                                                 \
    do {                                                                                           \
        static const wrange w_[] = {__VA_ARGS__};                                                  \
        expect(text, w_, sizeof w_ / sizeof w_[0], product);                                       \
    } while (0)

static void test_text_phrasings(void **st)
{
    (void)st;
    EXPECT("Suricata before 4.0.4 is prone to an HTTP detection bypass.", "Suricata",
           {NULL, false, "4.0.4", false});
    EXPECT("Apache Log4j2 2.0-beta9 through 2.15.0 (excluding security releases 2.12.2, 2.12.3, "
           "and 2.3.1) JNDI features",
           "Apache Log4j2", {"2.0-beta9", true, "2.3.1", false}, {"2.3.1", false, "2.12.2", false},
           {"2.12.3", false, "2.15.0", true});
    EXPECT("ConnectWise ScreenConnect 23.9.7 and prior are affected", "ConnectWise ScreenConnect",
           {NULL, false, "23.9.7", true});
    EXPECT("Foo 1.2.3 and earlier allow it.", "Foo", {NULL, false, "1.2.3", true});
    EXPECT("In Bar prior to 3.4.5, a flaw.", "Bar", {NULL, false, "3.4.5", false});
    EXPECT("Baz up to and including 2.1.0 is affected.", "Baz", {NULL, false, "2.1.0", true});
    EXPECT("This affects Qux versions 1.2 to 1.4.", "Qux", {"1.2", true, "1.4", true});
    EXPECT("Qux < 3.1 is affected.", "Qux", {NULL, false, "3.1", false});
    EXPECT("The plugin is vulnerable in all versions up to, and including, 4.3.2 due to it.", NULL,
           {NULL, false, "4.3.2", true});
    EXPECT("GitLab affects all versions starting from 15.4 before 15.5.7, all versions "
           "starting from 15.6 before 15.6.4.",
           NULL, {"15.4", true, "15.5.7", false}, {"15.6", true, "15.6.4", false});
    EXPECT("Apache Tomcat 11.0.0-M1 to 11.0.0-M6 and Jenkins 2.441 and earlier, LTS 2.426.2 "
           "and earlier are hit.",
           NULL, {"11.0.0-M1", true, "11.0.0-M6", true}, {NULL, false, "2.441", true},
           {NULL, false, "2.426.2", true});
    EXPECT("This issue affects Apache Thing: from 2.0 before 2.3.1.", NULL,
           {"2.0", true, "2.3.1", false});
    EXPECT("Quux 2.3, 2.4 and 2.5 allow remote attackers to run code.", "Quux",
           {"2.3", true, "2.3", true}, {"2.4", true, "2.4", true}, {"2.5", true, "2.5", true});
    EXPECT("It affects versions 2.3, 2.4 and 2.5.", NULL, {"2.3", true, "2.3", true},
           {"2.4", true, "2.4", true}, {"2.5", true, "2.5", true});
    EXPECT("Affected: >= 1.2.0, < 1.4.1 of the library.", NULL, {"1.2.0", true, "1.4.1", false});
    EXPECT("Corge 1.0 and later are vulnerable.", "Corge", {"1.0", true, NULL, false});
    EXPECT("Versions between 1.1 and 1.3 are affected.", NULL, {"1.1", true, "1.3", true});
    EXPECT("Apache Struts 2.3.5 through 2.3.31 and 2.5 before 2.5.10.1 mishandle it.",
           "Apache Struts", {"2.3.5", true, "2.3.31", true}, {"2.5", true, "2.5.10.1", false});
    EXPECT("In Progress MOVEit Transfer before 2021.0.6 (13.0.6), 2021.1.4 (13.1.4), and "
           "2023.0.1 (15.0.1), a SQL injection",
           "Progress MOVEit Transfer", {NULL, false, "2021.0.6", false},
           {NULL, false, "2021.1.4", false}, {NULL, false, "2023.0.1", false});
    EXPECT("On F5 BIG-IP 16.1.x versions prior to 16.1.2.2, and all 12.1.x versions, requests",
           "F5 BIG-IP", {"16.1.x", true, "16.1.2.2", false}, {"12.1.x", true, "12.1.x", true});
    EXPECT("Malicious code was found in xz, starting with version 5.6.0.", NULL,
           {"5.6.0", true, NULL, false});
    EXPECT("Grault 1.0 \xe2\x80\x93 1.8 and Garply up to (excluding) 4.2 are affected.", NULL,
           {"1.0", true, "1.8", true}, {NULL, false, "4.2", false});
}

static void test_text_nothing(void **st)
{
    (void)st;
    /* product names with numbers, fixes, dates and ids: no ranges */
    static const char *const quiet[] = {
        "The SMBv1 server in Microsoft Windows 8.1; Windows Server 2012 Gold and R2; Windows RT "
        "8.1; and Windows 10 Gold, 1511, and 1607 allows remote attackers",
        "affected installations of PaperCut NG 22.0.5 (Build 63914). Was ZDI-CAN-18987.",
        "A Spring MVC or Spring WebFlux application running on JDK 9+ may be vulnerable",
        "From log4j 2.15.0, this behavior has been disabled by default. From version 2.16.0 "
        "(along with 2.12.2, 2.12.3, and 2.3.1), this functionality has been completely removed.",
        "Users are recommended to upgrade both brokers and clients to version 5.15.16, 5.16.7, "
        "5.17.6, or 5.18.3 which fixes this issue.",
        "(updated September 28, 2020) when the second phase arrives in Q1 2021",
        "This is different from CVE-2017-0143, CVE-2017-0145, and CVE-2017-0146.",
        "All versions (e.g., 2020.0 and 2019x) before the five explicitly mentioned versions",
        "Versions before 2.0 are not affected.",
        "Users should upgrade from 1.2 to 1.3.",
        "",
    };
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        hy_cve_range *r;
        size_t n;
        assert_int_equal(hy_cve_text_ranges(quiet[i], strlen(quiet[i]), &r, &n), HY_OK);
        if (n)
            fail_msg("'%s' gave %zu ranges, the first %s .. %s", quiet[i], n,
                     r[0].low ? r[0].low : "(open)", r[0].high ? r[0].high : "(open)");
        assert_null(r);
    }
}

static void test_text_fixed(void **st)
{
    (void)st;
    static const struct {
        const char *text;
        const char *fixed[4];
    } cases[] = {
        {"Log4j 2.16.0 (Java 8) and 2.12.2 (Java 7) fix this issue by removing it.",
         {"2.16.0", "2.12.2"}},
        {"Users should upgrade to version 5.15.16, 5.16.7, or 5.18.3 which fixes this issue.",
         {"5.15.16", "5.16.7", "5.18.3"}},
        {"The flaw was fixed in version 1.2.4.", {"1.2.4"}},
        {"Upgrade to 3.0.1.", {"3.0.1"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hy_cve_range *r, *f;
        size_t n, nf, want = 0;
        const char *t = cases[i].text;
        assert_int_equal(hy_cve_text_parse(t, strlen(t), &r, &n, &f, &nf), HY_OK);
        assert_int_equal(n, 0);
        while (want < 4 && cases[i].fixed[want])
            want++;
        if (nf != want)
            fail_msg("%s: %zu fixed versions, wanted %zu", t, nf, want);
        for (size_t j = 0; j < nf; j++) {
            assert_string_equal(f[j].low, cases[i].fixed[j]);
            assert_string_equal(f[j].high, cases[i].fixed[j]);
        }
        hy_cve_ranges_free(r, n);
        hy_cve_ranges_free(f, nf);
    }
}

static void test_text_limits(void **st)
{
    (void)st;
    hy_cve_range *r;
    size_t n;
    size_t big = HY_CVE_MAX_TEXT + 1;
    char *s = malloc(big + 1);
    assert_non_null(s);
    memset(s, 'a', big);
    s[big] = '\0';
    assert_int_equal(hy_cve_text_ranges(s, big, &r, &n), HY_ERR_TOOBIG);
    /* more ranges than the cap, well inside the byte cap */
    size_t len = 0;
    for (unsigned i = 0; i < HY_CVE_MAX_RANGES + 10; i++)
        len += (size_t)snprintf(s + len, big + 1 - len, "A before 1.%u. ", i);
    assert_true(len < HY_CVE_MAX_TEXT);
    assert_int_equal(hy_cve_text_ranges(s, len, &r, &n), HY_ERR_TOOBIG);
    assert_null(r);
    /* a list longer than one statement's items and a long run of dots */
    len = (size_t)snprintf(s, big, "Foo before 1.0");
    for (unsigned i = 1; i < 200; i++)
        len += (size_t)snprintf(s + len, big + 1 - len, ", 1.%u", i);
    assert_int_equal(hy_cve_text_ranges(s, len, &r, &n), HY_OK);
    assert_true(n >= 64 && n <= 200);
    hy_cve_ranges_free(r, n);
    memset(s, '.', 5000);
    memcpy(s, "1.", 2);
    assert_int_equal(hy_cve_text_ranges(s, 5000, &r, &n), HY_OK);
    hy_cve_ranges_free(r, n);
    free(s);
    assert_int_equal(hy_cve_text_ranges(NULL, 0, &r, &n), HY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hy_cve_text_ranges("x", 1, NULL, &n), HY_ERR_ARG);
}

/* ---- records ---- */

/* A CVE JSON 5 record with this description and CNA affected[] (JSON). */
static char *record(const char *desc, const char *affected, const char *extra)
{
    char *s = NULL;
    int n = asprintf(&s,
                     "{\"dataType\":\"CVE_RECORD\",\"dataVersion\":\"5.1\","
                     "\"cveMetadata\":{\"cveId\":\"CVE-2099-0001\",\"state\":\"PUBLISHED\"},"
                     "\"containers\":{\"cna\":{\"descriptions\":[{\"lang\":\"en\",\"value\":"
                     "\"%s\"}],\"affected\":%s%s}}}",
                     desc, affected, extra ? extra : "");
    assert_true(n > 0);
    return s;
}

static void check(const char *json, hy_cve_report *r)
{
    hy_err rc = hy_cve_check("t.json", (const uint8_t *)json, strlen(json), r);
    if (rc != HY_OK)
        fail_msg("check: %s (%s)", hy_err_str(rc), hy_err_detail());
}

static size_t count_kind(const hy_cve_report *r, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        assert_string_equal(r->findings[i].subject, r->id);
        n += strcmp(r->findings[i].kind, kind) == 0;
    }
    return n;
}

static const char *only_detail(const hy_cve_report *r, const char *kind)
{
    if (r->nfindings != 1 || strcmp(r->findings[0].kind, kind) != 0)
        fail_msg("%zu findings, the first %s; wanted one %s", r->nfindings,
                 r->nfindings ? r->findings[0].kind : "-", kind);
    return r->findings[0].detail;
}

#define FOO(ver) "[{\"vendor\":\"Acme\",\"product\":\"Foo\",\"versions\":[" ver "]}]"

static void test_record_agrees(void **st)
{
    (void)st;
    static const struct {
        const char *desc, *affected;
    } cases[] = {
        {"Acme Foo 1.0 through 1.4.2 allows XSS.",
         FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThanOrEqual\":\"1.4.2\","
             "\"versionType\":\"custom\"}")},
        {"Acme Foo before 2.0.0 allows XSS.",
         FOO("{\"version\":\"0\",\"status\":\"affected\",\"lessThan\":\"2.0.0\","
             "\"versionType\":\"semver\"}")},
        {"Acme Foo 1.0 through 2.14.1 allows XSS.", /* "through 2.14.1" ~ "below 2.15.0" */
         FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":\"2.15.0\"}")},
        {"Acme Foo 2.0-beta9 through 2.15.0 (excluding security release 2.12.2) is bad.",
         FOO("{\"version\":\"2.0-beta9\",\"status\":\"affected\",\"lessThan\":\"2.15.1\","
             "\"changes\":[{\"at\":\"2.12.2\",\"status\":\"unaffected\"},"
             "{\"at\":\"2.12.3\",\"status\":\"affected\"}]}")},
        {"Acme Foo 3.1 and 3.2 are affected.",
         FOO("{\"version\":\"3.1\",\"status\":\"affected\"},"
             "{\"version\":\"3.2\",\"status\":\"affected\"}")},
        {"Acme Foo 1.0 through 1.9 is affected; upgrade to 2.0.", /* fixed, outside */
         FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":\"2.0\"}")},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hy_cve_report r;
        char *j = record(cases[i].desc, cases[i].affected, NULL);
        check(j, &r);
        assert_string_equal(r.id, "CVE-2099-0001");
        assert_true(r.ntext > 0 && r.ndata > 0);
        if (r.nfindings)
            fail_msg("case %zu: %s: %s", i, r.findings[0].kind, r.findings[0].detail);
        hy_cve_report_free(&r);
        free(j);
    }
}

static void test_record_disagrees(void **st)
{
    (void)st;
    hy_cve_report r;
    /* inclusivity of the upper bound */
    char *j =
        record("Acme Foo 1.0 through 1.5.0 allows XSS.",
               FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":\"1.5.0\"}"), NULL);
    check(j, &r);
    const char *d = only_detail(&r, "cve-version-mismatch");
    assert_non_null(strstr(d, "up to and including 1.5.0"));
    assert_non_null(strstr(d, "below 1.5.0"));
    assert_non_null(strstr(d, "containers.cna.affected[0].versions[0]"));
    hy_cve_report_free(&r);
    free(j);
    /* a lower bound the data lacks */
    j = record("Acme Foo 1.2 through 1.5 allows XSS.",
               FOO("{\"version\":\"0\",\"status\":\"affected\",\"lessThanOrEqual\":\"1.5\"}"),
               NULL);
    check(j, &r);
    d = only_detail(&r, "cve-version-missing-bound");
    assert_non_null(strstr(d, "from 1.2"));
    assert_non_null(strstr(d, "no lower bound"));
    hy_cve_report_free(&r);
    free(j);
    /* an extra range in the text */
    j = record("Acme Foo 1.0 through 1.2 and 3.0 through 3.1 allow XSS.",
               FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThanOrEqual\":\"1.2\"}"),
               NULL);
    check(j, &r);
    d = only_detail(&r, "cve-version-uncovered");
    assert_non_null(strstr(d, "3.0 through 3.1"));
    hy_cve_report_free(&r);
    free(j);
    /* a different upper bound, and a gap the text does not mention */
    j = record("Acme Foo 1.0 through 1.9 allows XSS.",
               FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":\"1.3\"},"
                   "{\"version\":\"1.5\",\"status\":\"affected\",\"lessThan\":\"2.1\"}"),
               NULL);
    check(j, &r);
    assert_int_equal(r.nfindings, 2);
    assert_int_equal(count_kind(&r, "cve-version-mismatch"), 2);
    assert_non_null(strstr(r.findings[0].detail, "below 2.1"));
    assert_non_null(strstr(r.findings[1].detail, "from 1.3 and below 1.5"));
    hy_cve_report_free(&r);
    free(j);
    /* a fixed version the data calls affected */
    j = record("Acme Foo 1.2.3 fixes this issue.",
               FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":\"2.0\"}"), NULL);
    check(j, &r);
    d = only_detail(&r, "cve-version-fixed-affected");
    assert_non_null(strstr(d, "1.2.3"));
    assert_int_equal(r.nfixed, 1);
    hy_cve_report_free(&r);
    free(j);
}

static void test_record_incomparable(void **st)
{
    (void)st;
    hy_cve_report r;
    /* git commits are skipped with a note; the text then has nothing to meet */
    char *j = record("Acme Foo before 1.4 allows XSS.",
                     FOO("{\"version\":\"0a1b2c3\",\"status\":\"affected\",\"lessThan\":"
                         "\"9f8e7d6\",\"versionType\":\"git\"}"),
                     NULL);
    check(j, &r);
    assert_int_equal(r.ndata, 0);
    assert_true(r.nnotes >= 1);
    assert_non_null(strstr(r.notes[0], "git"));
    assert_non_null(strstr(only_detail(&r, "cve-version-unstructured"), "below 1.4"));
    hy_cve_report_free(&r);
    free(j);
    /* no version statement in the text: nothing to compare, no finding */
    j = record("A flaw in the Acme Foo parser.",
               FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":\"1.5\"}"), NULL);
    check(j, &r);
    assert_int_equal(r.ntext, 0);
    assert_int_equal(r.nfindings, 0);
    assert_int_equal(r.ndata, 1);
    hy_cve_report_free(&r);
    free(j);
}

static void test_record_products_and_cpe(void **st)
{
    (void)st;
    hy_cve_report r;
    /* the text's product picks its entries: Bar's range is not Foo's */
    char *j = record("Acme Foo before 1.5 allows XSS.",
                     "[{\"vendor\":\"Acme\",\"product\":\"Foo\",\"versions\":[{\"version\":\"0\","
                     "\"status\":\"affected\",\"lessThan\":\"1.5\"}]},{\"vendor\":\"Acme\","
                     "\"product\":\"Bar\",\"versions\":[{\"version\":\"0\",\"status\":"
                     "\"affected\",\"lessThan\":\"9.0\"}]}]",
                     NULL);
    check(j, &r);
    assert_int_equal(r.ndata, 2);
    assert_int_equal(r.nfindings, 0);
    hy_cve_report_free(&r);
    free(j);
    /* NVD-style CPE configurations in an ADP container */
    static const char cpe[] =
        "},\"adp\":[{\"providerMetadata\":{\"shortName\":\"NVD-ADP\"},"
        "\"cpeApplicability\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":["
        "{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:acme:foo:*:*:*:*:*:*:*:*\","
        "\"versionStartIncluding\":\"1.0\",\"versionEndExcluding\":\"1.5\"},"
        "{\"vulnerable\":false,\"criteria\":\"cpe:2.3:o:acme:os:*:*:*:*:*:*:*:*\"}]}]}]}]";
    char *s = NULL;
    assert_true(asprintf(&s,
                         "{\"cveMetadata\":{\"cveId\":\"CVE-2099-0002\"},\"containers\":{"
                         "\"cna\":{\"descriptions\":[{\"lang\":\"en\",\"value\":"
                         "\"Acme Foo 1.0 through 1.5 allows XSS.\"}]%s}}",
                         cpe) > 0);
    check(s, &r);
    assert_int_equal(r.ndata, 1);
    assert_string_equal(r.data[0].source, "ADP NVD-ADP");
    assert_string_equal(r.data[0].product, "foo");
    assert_non_null(strstr(r.data[0].origin, "cpeApplicability[0].nodes[0].cpeMatch[0]"));
    assert_non_null(strstr(only_detail(&r, "cve-version-mismatch"), "below 1.5"));
    hy_cve_report_free(&r);
    free(s);
}

static void refuse(const char *json, hy_err want, const char *detail)
{
    hy_cve_report r;
    memset(&r, 0x5a, sizeof r);
    hy_err rc = hy_cve_check("bad.json", (const uint8_t *)json, strlen(json), &r);
    if (rc != want)
        fail_msg("%s: %s (%s), wanted %s", json, hy_err_str(rc), hy_err_detail(), hy_err_str(want));
    if (!strstr(hy_err_detail(), detail) || !strstr(hy_err_detail(), "bad.json"))
        fail_msg("%s: detail '%s' lacks '%s'", json, hy_err_detail(), detail);
    assert_int_equal(r.ndata + r.ntext + r.nfindings + r.nnotes, 0);
    assert_null(r.description);
}

static void test_record_refusals(void **st)
{
    (void)st;
    refuse("{", HY_ERR_FORMAT, "JSON error at line 1");
    refuse("{} trailing", HY_ERR_FORMAT, "JSON error");
    refuse("[1,2]", HY_ERR_FORMAT, "expected a JSON object");
    refuse("{\"a\":1,\"a\":2}", HY_ERR_FORMAT, "duplicate");
    refuse("{\"dataType\":\"CVE_RECORD\"}", HY_ERR_FORMAT, "cveMetadata: missing");
    refuse("{\"dataType\":\"NVD_CVE\"}", HY_ERR_UNSUPPORTED, "not a CVE record");
    refuse("{\"cveMetadata\":{\"cveId\":7}}", HY_ERR_FORMAT,
           "cveMetadata.cveId: expected a string");
    refuse("{\"cveMetadata\":{\"cveId\":\"CVE-21-1\"}}", HY_ERR_FORMAT, "is not a CVE id");
    refuse("{\"cveMetadata\":{\"cveId\":\"CVE-2099-0001\"},\"containers\":{}}", HY_ERR_FORMAT,
           "containers.cna: missing");
    char *j = record("x", "{}", NULL);
    refuse(j, HY_ERR_FORMAT, "containers.cna.affected: expected an array");
    free(j);
    j = record("x", "[{\"product\":\"Foo\",\"versions\":[\"1.0\"]}]", NULL);
    refuse(j, HY_ERR_FORMAT, "containers.cna.affected[0].versions[0]: expected an object");
    free(j);
    j = record("x", FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":2}"), NULL);
    refuse(j, HY_ERR_FORMAT, "containers.cna.affected[0].versions[0].lessThan: expected a string");
    free(j);
    j = record("x", FOO("{\"version\":\"1.0\",\"status\":\"maybe\"}"), NULL);
    refuse(j, HY_ERR_FORMAT, "versions[0].status: expected affected, unaffected or unknown");
    free(j);
    j = record("x",
               FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":\"2\","
                   "\"changes\":[{\"status\":\"unaffected\"}]}"),
               NULL);
    refuse(j, HY_ERR_FORMAT, "versions[0].changes[0].at: missing");
    free(j);
    j = record("x",
               FOO("{\"version\":\"1.0\",\"status\":\"affected\",\"lessThan\":\"2\","
                   "\"changes\":[{\"at\":\"1.5\",\"status\":\"fixed\"}]}"),
               NULL);
    refuse(j, HY_ERR_FORMAT, "versions[0].changes[0].status: expected affected");
    free(j);
    j = record("x", FOO("{\"status\":\"affected\"}"), NULL);
    refuse(j, HY_ERR_FORMAT, "versions[0].version: missing");
    free(j);
    j = record("x", "[]", ",\"cpeApplicability\":[{\"nodes\":{}}]");
    refuse(j, HY_ERR_FORMAT, "containers.cna.cpeApplicability[0].nodes: expected an array");
    free(j);
    hy_cve_report r;
    assert_int_equal(hy_cve_check("e", (const uint8_t *)"", 0, &r), HY_ERR_FORMAT);
    assert_int_equal(hy_cve_check("e", NULL, 3, &r), HY_ERR_ARG);
    assert_int_equal(hy_cve_check("e", (const uint8_t *)"{}", 2, NULL), HY_ERR_ARG);
    hy_cve_report_free(NULL);
}

/* ---- the shared CVE records ---- */

typedef struct expected {
    const char *file;
    size_t mismatch, missing, uncovered, unstructured, fixed_affected;
    size_t min_text;    /* ranges the description must yield (so "agrees" means something) */
    const char *needle; /* in the first finding's detail */
} expected;

/* Why each record gives what it gives is in the report (one line each). */
static const expected shared[] = {
    {"CVE-2017-0144.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2017-11882.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2018-6794.json", 0, 0, 0, 1, 0, 1, "below 4.0.4"},
    {"CVE-2019-0708.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2020-1472.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2021-26855.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2021-44228.json", 1, 0, 0, 0, 0, 3, "up to and including 2.15.0"},
    {"CVE-2021-45046.json", 0, 0, 0, 0, 1, 0, "names 2.12.2 as fixed"},
    {"CVE-2022-1388.json", 0, 0, 0, 0, 0, 6, NULL},
    {"CVE-2022-22965.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2023-27350.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2023-34362.json", 5, 0, 0, 0, 0, 5, "below 2021.0.7"},
    {"CVE-2023-46604.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2023-4966.json", 0, 0, 0, 0, 0, 0, NULL},
    {"CVE-2024-1709.json", 0, 0, 0, 0, 0, 1, NULL},
    {"CVE-2024-3094.json", 0, 1, 0, 0, 0, 1, "from 5.6.0"},
    {"CVE-2024-3400.json", 0, 0, 0, 0, 0, 0, NULL},
};

static void test_shared_records(void **st)
{
    (void)st;
    const char *data = hy_test_shared_data();
    char path[1200];
    if (!data) {
        print_message("cve: ../shared/data is absent; the 17 CVE records are skipped\n");
        skip();
    }
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        const expected *e = &shared[i];
        size_t n;
        hy_cve_report r, again;
        snprintf(path, sizeof path, "%s/intel/cve/%s", data, e->file);
        uint8_t *buf = hy_test_read_file(path, &n);
        if (!buf)
            fail_msg("%s is missing", path);
        assert_int_equal(hy_cve_check(e->file, buf, n, &r), HY_OK);
        assert_true(strncmp(r.id, e->file, strlen(r.id)) == 0);
        assert_non_null(r.description);
        if (count_kind(&r, "cve-version-mismatch") != e->mismatch ||
            count_kind(&r, "cve-version-missing-bound") != e->missing ||
            count_kind(&r, "cve-version-uncovered") != e->uncovered ||
            count_kind(&r, "cve-version-unstructured") != e->unstructured ||
            count_kind(&r, "cve-version-fixed-affected") != e->fixed_affected)
            fail_msg("%s: %zu findings, the first: %s", e->file, r.nfindings,
                     r.nfindings ? r.findings[0].detail : "-");
        if (r.ntext < e->min_text)
            fail_msg("%s: %zu prose ranges, wanted at least %zu", e->file, r.ntext, e->min_text);
        if (e->needle && !strstr(r.findings[0].detail, e->needle))
            fail_msg("%s: '%s' lacks '%s'", e->file, r.findings[0].detail, e->needle);
        /* deterministic: the same record gives the same findings */
        assert_int_equal(hy_cve_check(e->file, buf, n, &again), HY_OK);
        assert_int_equal(again.nfindings, r.nfindings);
        for (size_t k = 0; k < r.nfindings; k++)
            assert_string_equal(again.findings[k].detail, r.findings[k].detail);
        hy_cve_report_free(&again);
        hy_cve_report_free(&r);
        free(buf);
    }
}

/* Log4Shell in detail: the data's changes[] become three ranges, the text's
 * exclusions three pieces, and only 2.15.0 disagrees. */
static void test_shared_log4shell(void **st)
{
    (void)st;
    const char *data = hy_test_shared_data();
    char path[1200];
    size_t n;
    hy_cve_report r;
    if (!data)
        skip();
    snprintf(path, sizeof path, "%s/intel/cve/CVE-2021-44228.json", data);
    uint8_t *buf = hy_test_read_file(path, &n);
    assert_non_null(buf);
    assert_int_equal(hy_cve_check("log4shell", buf, n, &r), HY_OK);
    assert_string_equal(r.id, "CVE-2021-44228");
    static const wrange d[] = {{"2.0-beta9", true, "2.3.1", false},
                               {"2.4", true, "2.12.2", false},
                               {"2.13.0", true, "2.15.0", false}};
    assert_int_equal(r.ndata, 3);
    for (size_t i = 0; i < 3; i++) {
        same(r.data[i].low, d[i].low, "low", "data");
        same(r.data[i].high, d[i].high, "high", "data");
        assert_false(r.data[i].high_incl);
        assert_string_equal(r.data[i].source, "CNA");
        assert_string_equal(r.data[i].type, "custom");
    }
    assert_int_equal(r.ntext, 3);
    assert_string_equal(r.text[2].high, "2.15.0");
    assert_true(r.text[2].high_incl);
    const char *det = only_detail(&r, "cve-version-mismatch");
    assert_non_null(strstr(det, "2.0-beta9 through 2.15.0"));
    assert_non_null(strstr(det, "below 2.15.0"));
    hy_cve_report_free(&r);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_order),
        cmocka_unit_test(test_version_refusals),
        cmocka_unit_test(test_version_next),
        cmocka_unit_test(test_text_phrasings),
        cmocka_unit_test(test_text_nothing),
        cmocka_unit_test(test_text_fixed),
        cmocka_unit_test(test_text_limits),
        cmocka_unit_test(test_record_agrees),
        cmocka_unit_test(test_record_disagrees),
        cmocka_unit_test(test_record_incomparable),
        cmocka_unit_test(test_record_products_and_cpe),
        cmocka_unit_test(test_record_refusals),
        cmocka_unit_test(test_shared_records),
        cmocka_unit_test(test_shared_log4shell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
