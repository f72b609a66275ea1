/* Refanging (lib/text/refang.c): every defanging style on its own, text
 * that must stay unchanged, the offset map, arguments and caps, and the
 * 1,017 line pairs of ioc-fanger's sample (../shared/data/intel/ioc,
 * skipped when absent), and per-type precision and recall of extraction
 * on the defanged sample against the fanged one. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/ioc.h"

/* The refanged form of s (static buffer), checking the map's invariants. */
static const char *fang(const char *s)
{
    static char res[4096];
    hy_buf out;
    uint32_t *map = NULL;
    size_t n = strlen(s);

    hy_buf_init(&out, 1u << 20);
    assert_int_equal(hy_refang(s, n, &out, &map), HY_OK);
    assert_non_null(map);
    assert_true(out.len <= n);
    assert_int_equal(map[out.len], n);
    for (size_t i = 0; i < out.len; i++) {
        assert_true(map[i] < n);
        if (i)
            assert_true(map[i] > map[i - 1]); /* strictly increasing */
    }
    assert_true(out.len < sizeof res);
    memcpy(res, out.data ? out.data : "", out.len);
    res[out.len] = '\0';
    free(map);
    hy_buf_free(&out);
    return res;
}

typedef struct pair {
    const char *in, *want;
} pair;

static void check_pairs(const pair *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = fang(p[i].in);
        if (strcmp(got, p[i].want))
            fail_msg("refang(\"%s\") = \"%s\", want \"%s\"", p[i].in, got, p[i].want);
    }
}

static void test_schemes(void **state)
{
    static const pair p[] = {
        {"hxxp://evil.com/a", "http://evil.com/a"},
        {"hXXp://evil.com", "http://evil.com"},
        {"hxxps://evil.com", "https://evil.com"},
        {"hXXps://evil.com", "https://evil.com"},
        {"HXXP://evil.com", "http://evil.com"},
        {"h**p://evil.com", "http://evil.com"},
        {"hxtp://evil.com", "http://evil.com"},
        {"fxp://files.evil.com", "ftp://files.evil.com"},
        {"sfxp://files.evil.com", "sftp://files.evil.com"},
        {"xxxx://evil.com", "http://evil.com"},
        {"xxxxs://evil.com", "https://evil.com"},
        {"hxxp[:]//evil.com", "http://evil.com"},
        {"hxxp[://]evil.com", "http://evil.com"},
        {"http[:]//evil.com", "http://evil.com"},
        {"https(:)//evil.com", "https://evil.com"},
        {"http:[//]evil.com", "http://evil.com"},
        {"http:\\/\\/evil.com", "http://evil.com"},
        {"http ://evil.com", "http://evil.com"},
        {"http:// evil.com", "http://evil.com"},
        {"http:///evil.com", "http://evil.com"},
        {"[http]://evil.com", "http://evil.com"},
        {"(https)://evil.com", "https://evil.com"},
        {"tcp[:]//1.2.3.4:80", "tcp://1.2.3.4:80"},
        {"see hxxp://a.b/c and hxxps://d.e/f", "see http://a.b/c and https://d.e/f"},
    };
    (void)state;
    check_pairs(p, sizeof p / sizeof p[0]);
}

static void test_dots(void **state)
{
    static const pair p[] = {
        {"evil[.]com", "evil.com"},
        {"evil(.)com", "evil.com"},
        {"evil{.}com", "evil.com"},
        {"evil<.>com", "evil.com"},
        {"evil[dot]com", "evil.com"},
        {"evil(dot)com", "evil.com"},
        {"evil{dot}com", "evil.com"},
        {"evil[DOT]com", "evil.com"},
        {"evil[ . ]com", "evil.com"},
        {"evil[ dot ]com", "evil.com"},
        {"evil dot com", "evil.com"},
        {"evil DOT com", "evil.com"},
        {"www dot evil dot co dot uk", "www.evil.co.uk"},
        {"evil-dot-com", "evil.com"},
        {"evil\\.com", "evil.com"},
        {"10\\.0\\.0\\.1", "10.0.0.1"},
        {"1[.]2[.]3[.]4", "1.2.3.4"},
        {"5[,]6[,]7(,)8", "5.6.7.8"},
        {"192[.]168[dot]0[.]1", "192.168.0.1"},
        {"www[.example.com", "www.example.com"},
        {"www].[example].[com", "www.example.com"},
        {"www.[example.[com", "www.example.com"},
        {"www.]example.]com", "www.example.com"},
        {"www[.[example[.[com", "www.example.com"},
        {"example [punto] com", "example.com"},
        {"example(punkt)com", "example.com"},
        {"foo[-]bar.com", "foo-bar.com"},
    };
    (void)state;
    check_pairs(p, sizeof p / sizeof p[0]);
}

static void test_at_signs(void **state)
{
    static const pair p[] = {
        {"bob[@]example.com", "bob@example.com"},
        {"bob(@)example.com", "bob@example.com"},
        {"bob{@}example.com", "bob@example.com"},
        {"bob[at]example.com", "bob@example.com"},
        {"bob(at)example.com", "bob@example.com"},
        {"bob[AT]example.com", "bob@example.com"},
        {"bob [at] example.com", "bob@example.com"},
        {"bob (at) example (dot) com", "bob@example.com"},
        {"bob AT example.com", "bob@example.com"},
        {"bob @ example.com", "bob@example.com"},
        {"bob at example dot com", "bob@example.com"},
        {"me (arroba) example (punto) com", "me@example.com"},
        {"bob.smith[at]mail[.]example[.]org", "bob.smith@mail.example.org"},
    };
    (void)state;
    check_pairs(p, sizeof p / sizeof p[0]);
}

static void test_others(void **state)
{
    static const pair p[] = {
        {"http://example,com/", "http://example.com/"},
        {"http://192,168,0,1", "http://192.168.0.1"},
        {"http://[example.com", "http://example.com"},
        {"http://[2001:db8::1]:80/", "http://[2001:db8::1]:80/"},
        {"http://example.com[/]test", "http://example.com/test"},
        {"https://example.com\\/test.php", "https://example.com/test.php"},
        {"1.2.3.4[:]8080", "1.2.3.4:8080"},
    };
    (void)state;
    check_pairs(p, sizeof p / sizeof p[0]);
}

/* Prose and code that looks a little like defanging must not change. */
static void test_unchanged(void **state)
{
    static const char *const same[] = {
        "the dot com bubble burst",
        "a polka dot dress",
        "look at example.com for details",
        "we met at noon (at) the office",
        "C:\\Users\\.ssh\\id_rsa",
        "impl\\co_spawn\\.hpp",
        "an example). [B] then",
        "values 1,2,3,4 and 5",
        "array[.5] and x[.7]",
        "accounts.dot-example.online",
        "Note: the file",
        "http://example.com/path",
        "HTTP://EXAMPLE.COM/",
        "file:///etc/passwd",
        "mailto[email].{ID}",
        "hyphen-dotted words and dot-com",
        "",
    };
    (void)state;
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        if (strcmp(fang(same[i]), same[i]))
            fail_msg("\"%s\" changed to \"%s\"", same[i], fang(same[i]));
}

/* The map points each output byte at the input byte that produced it. */
static void test_map(void **state)
{
    const char *in = "see hxxp://evil[.]com/a[.]php now";
    hy_buf out;
    uint32_t *map = NULL;
    (void)state;

    hy_buf_init(&out, 1024);
    assert_int_equal(hy_refang(in, strlen(in), &out, &map), HY_OK);
    assert_string_equal(out.data, "see http://evil.com/a.php now");
    for (size_t i = 0; i < out.len; i++) {
        char c = out.data[i];
        if (c != '.' && !(i >= 4 && i < 8)) /* the scheme word was rewritten */
            assert_int_equal(in[map[i]], c);
    }
    assert_int_equal(map[15], 15); /* '.' <- '[' of "[.]" */
    assert_int_equal(map[16], 18); /* 'c' of "com" */
    assert_int_equal(map[out.len], strlen(in));
    free(map);

    /* appending: the map covers only the new bytes */
    assert_int_equal(hy_refang("a[.]b", 5, &out, &map), HY_OK);
    assert_string_equal(out.data, "see http://evil.com/a.php nowa.b");
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], 1);
    assert_int_equal(map[2], 4);
    assert_int_equal(map[3], 5);
    free(map);

    /* no map wanted */
    hy_buf_reset(&out);
    assert_int_equal(hy_refang("x(.)y", 5, &out, NULL), HY_OK);
    assert_string_equal(out.data, "x.y");
    hy_buf_free(&out);
}

static void test_args_and_caps(void **state)
{
    hy_buf out;
    uint32_t *map = (uint32_t *)&out;
    (void)state;

    hy_buf_init(&out, 4);
    assert_int_equal(hy_refang("x", 1, NULL, &map), HY_ERR_ARG);
    assert_null(map);
    assert_int_equal(hy_refang(NULL, 1, &out, NULL), HY_ERR_ARG);
    assert_int_equal(hy_refang(NULL, 0, &out, &map), HY_OK);
    assert_int_equal(out.len, 0);
    free(map);
    assert_int_equal(hy_refang("x", (size_t)HY_IOC_MAX_TEXT + 1, &out, NULL), HY_ERR_TOOBIG);
    assert_int_equal(hy_refang("abcdefgh", 8, &out, &map), HY_ERR_TOOBIG); /* out's cap */
    assert_null(map);
    assert_int_equal(out.len, 0);
    hy_buf_free(&out);
}

/* Random bytes drawn from defang fragments: never crashes, and the map
 * keeps its invariants (checked by fang()). */
static void test_random_fragments(void **state)
{
    static const char *const frag[] = {"[",    "]",   "(", ")",   "{",  "}",   ".",   "dot",  " ",
                                       "at",   "@",   ":", "/",   "\\", "-",   ",",   "hxxp", "x",
                                       "evil", "com", "1", "DOT", "AT", "://", "[.]", "http"};
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    char buf[600];
    (void)state;

    for (int t = 0; t < 3000; t++) {
        size_t len = 0;
        while (len < 500) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            const char *f = frag[rng % (sizeof frag / sizeof frag[0])];
            memcpy(buf + len, f, strlen(f));
            len += strlen(f);
        }
        buf[len] = '\0';
        fang(buf);
    }
}

/* ioc-fanger's 1,017 line-aligned defanged/fanged pairs. */
static void test_fanger_sample(void **state)
{
    const char *dir = hy_test_shared_data();
    char pd[1024], pf[1024];
    size_t nd = 0, nf = 0, lines = 0, same = 0;
    char *d, *f;
    (void)state;

    if (!dir) {
        printf("fanger sample: SKIP: ../shared/data absent\n");
        skip();
    }
    snprintf(pd, sizeof pd, "%s/intel/ioc/ioc-fanger/sample_text_defanged.txt", dir);
    snprintf(pf, sizeof pf, "%s/intel/ioc/ioc-fanger/sample_text_fanged.txt", dir);
    d = (char *)hy_test_read_file(pd, &nd);
    f = (char *)hy_test_read_file(pf, &nf);
    if (!d || !f) {
        free(d);
        free(f);
        printf("fanger sample: SKIP: files absent\n");
        skip();
    }
    for (size_t a = 0, b = 0; a < nd && b < nf; lines++) {
        size_t ea = a, eb = b;
        char line[2048];
        while (ea < nd && d[ea] != '\n')
            ea++;
        while (eb < nf && f[eb] != '\n')
            eb++;
        assert_true(ea - a < sizeof line);
        memcpy(line, d + a, ea - a);
        line[ea - a] = '\0';
        const char *got = fang(line);
        if (strlen(got) == eb - b && !memcmp(got, f + b, eb - b))
            same++;
        else
            printf("fanger sample: line %zu: got \"%s\"\n", lines + 1, got);
        a = ea + 1;
        b = eb + 1;
    }
    printf("fanger sample: %zu of %zu lines refanged exactly\n", same, lines);
    assert_int_equal(lines, 1017);
    assert_int_equal(same, lines);
    free(d);
    free(f);
}

/* Whether list l holds (type, value). */
static bool holds(const hy_ioc_list *l, hy_ioc_type t, const char *v)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].type == t && !strcmp(l->v[i].value, v))
            return true;
    return false;
}

/* Per-type precision and recall of extraction on the defanged sample,
 * against what the fanged sample yields: refanging must lose nothing and
 * invent nothing. */
static void test_fanger_pair_iocs(void **state)
{
    const char *dir = hy_test_shared_data();
    char pd[1024], pf[1024];
    size_t nd = 0, nf = 0, tp[HY_IOC__COUNT] = {0}, fp[HY_IOC__COUNT] = {0},
           fn[HY_IOC__COUNT] = {0};
    hy_ioc_list ld = {0}, lf = {0};
    char *d, *f;
    (void)state;

    if (!dir)
        skip();
    snprintf(pd, sizeof pd, "%s/intel/ioc/ioc-fanger/sample_text_defanged.txt", dir);
    snprintf(pf, sizeof pf, "%s/intel/ioc/ioc-fanger/sample_text_fanged.txt", dir);
    d = (char *)hy_test_read_file(pd, &nd);
    f = (char *)hy_test_read_file(pf, &nf);
    if (!d || !f) {
        free(d);
        free(f);
        skip();
    }
    assert_int_equal(hy_ioc_extract(d, nd, NULL, &ld), HY_OK);
    assert_int_equal(hy_ioc_extract(f, nf, NULL, &lf), HY_OK);
    for (size_t i = 0; i < ld.n; i++) {
        if (holds(&lf, ld.v[i].type, ld.v[i].value))
            tp[ld.v[i].type]++;
        else
            fp[ld.v[i].type]++;
    }
    for (size_t i = 0; i < lf.n; i++)
        if (!holds(&ld, lf.v[i].type, lf.v[i].value))
            fn[lf.v[i].type]++;
    printf("fanger pair: %-18s %5s %4s %4s %7s %7s\n", "type", "tp", "fp", "fn", "prec", "recall");
    for (int t = 0; t < HY_IOC__COUNT; t++) {
        if (!tp[t] && !fp[t] && !fn[t])
            continue;
        double p = tp[t] + fp[t] ? (double)tp[t] / (double)(tp[t] + fp[t]) : 1;
        double r = tp[t] + fn[t] ? (double)tp[t] / (double)(tp[t] + fn[t]) : 1;
        printf("fanger pair: %-18s %5zu %4zu %4zu %7.4f %7.4f\n", hy_ioc_type_name((hy_ioc_type)t),
               tp[t], fp[t], fn[t], p, r);
        assert_true(p >= 0.98);
        assert_true(r >= 0.98);
    }
    assert_true(lf.n > 100); /* the sample is mostly indicators */
    hy_ioc_list_free(&ld);
    hy_ioc_list_free(&lf);
    free(d);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schemes),       cmocka_unit_test(test_dots),
        cmocka_unit_test(test_at_signs),      cmocka_unit_test(test_others),
        cmocka_unit_test(test_unchanged),     cmocka_unit_test(test_map),
        cmocka_unit_test(test_args_and_caps), cmocka_unit_test(test_random_fragments),
        cmocka_unit_test(test_fanger_sample),
        cmocka_unit_test(test_fanger_pair_iocs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
