/* The STIX 2.1 pattern checker (lib/engines/intel/stix_check.c): the
 * specification's examples, the OASIS pattern validator's valid and invalid
 * cases (../shared, skipped when absent), hand-made grammar corners, details
 * naming offsets, the caps, and mutated patterns that must never crash. */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/stix_check.h"

static hy_err check(const char *p)
{
    return hy_stix_pattern_check(p, strlen(p));
}

static void want_ok(const char *p)
{
    if (check(p) != HY_OK)
        fail_msg("rejected %s: %s", p, hy_err_detail());
}

static void want_bad(const char *p, const char *detail)
{
    hy_err rc = check(p);
    if (rc != HY_ERR_FORMAT)
        fail_msg("%s for %s, wanted format", hy_err_str(rc), p);
    if (detail && !strstr(hy_err_detail(), detail))
        fail_msg("%s: detail '%s' lacks '%s'", p, hy_err_detail(), detail);
}

static void test_spec_examples(void **st)
{
    char path[1200], line[4096];
    const char *data = hy_test_shared_data();
    size_t n = 0;
    FILE *f;
    (void)st;
    if (!data) {
        print_message("stix check: SKIP spec examples: ../shared absent\n");
        return;
    }
    snprintf(path, sizeof path, "%s/intel/stix-patterns/v21_spec_examples.txt", data);
    if (!(f = fopen(path, "r"))) {
        print_message("stix check: SKIP spec examples: %s absent\n", path);
        return;
    }
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        want_ok(line);
        n++;
    }
    fclose(f);
    print_message("stix check: %zu/%zu specification examples pass\n", n, n);
    assert_true(n >= 20);
}

static void test_validator_cases(void **st)
{
    char path[1200], line[8192];
    const char *data = hy_test_shared_data();
    size_t n = 0, agree = 0, valid = 0;
    FILE *f;
    (void)st;
    if (!data) {
        print_message("stix check: SKIP validator cases: ../shared absent\n");
        return;
    }
    snprintf(path, sizeof path, "%s/intel/stix-patterns/v21_validator_cases.jsonl", data);
    if (!(f = fopen(path, "r"))) {
        print_message("stix check: SKIP validator cases: %s absent\n", path);
        return;
    }
    while (fgets(line, sizeof line, f)) {
        json_error_t jerr;
        json_t *c = json_loads(line, 0, &jerr);
        if (!c)
            continue;
        const char *p = json_string_value(json_object_get(c, "pattern"));
        bool expect = json_is_true(json_object_get(c, "expected_valid"));
        assert_non_null(p);
        hy_err rc = hy_stix_pattern_check(p, strlen(p));
        n++;
        valid += expect;
        if ((rc == HY_OK) == expect)
            agree++;
        else
            print_message("stix check: disagree (%s, expected %s): %s [%s]\n",
                          json_string_value(json_object_get(c, "source_list")),
                          expect ? "valid" : "invalid", p, hy_err_detail());
        json_decref(c);
    }
    fclose(f);
    print_message("stix check: %zu/%zu validator cases agree (%zu valid, %zu invalid)\n", agree, n,
                  valid, n - valid);
    assert_true(n >= 80);
    assert_int_equal(agree, n);
}

static void test_grammar_corners(void **st)
{
    (void)st;
    static const char *const ok[] = {
        "[a:b = 1]",
        "[a:b=1]OR[c:d=2]",
        "[x-custom-type:x_prop.'quoted-key'[*].sub[-1].more[+3] != 'v']",
        "[file:'name' = 'a']",
        "[file:size NOT = 5]",
        "[file:size NOT > 5 AND file:size NOT IN (1, 2.5, -3, -.5, true, false, 'x')]",
        "[file:name IN ()]",
        "[EXISTS file:name]",
        "[file:name = '']",
        "[file:name = 'it\\'s \\\\ fine']",
        "[file:name = 'multi\nline\xc3\xa9']",
        "[file:magic_number_hex = h''] AND [file:magic_number_hex = h'00FFaa']",
        "[artifact:payload_bin = b'YWJj'] OR [artifact:payload_bin = b'YWI='] OR "
        "[artifact:payload_bin = b'YQ==']",
        "[a:b = t'2016-02-29T23:59:60Z']",
        "[a:b <> 1] FOLLOWEDBY [c:d == 2] FOLLOWEDBY ([e:f <= 3] OR [g:h >= 4])",
        "([a:b < 1] REPEATS 2 TIMES WITHIN 1.5 SECONDS START t'2020-01-01T00:00:00Z' STOP "
        "t'2020-01-02T00:00:00.5Z')",
        "([a:b = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS",
        "[a:b = 1] WITHIN 0 SECONDS",
        "/* comment */ [a:b = 1] // trailing\n",
        "\xc2\xa0[a:b\xe2\x80\x83= 1]\xe3\x80\x80", /* U+00A0, U+2003, U+3000 */
        "[a:b = 007.5]",
        "[a:b LIKE 'x%'] AND [a:b MATCHES '^x$'] AND [a:b ISSUBSET '10.0.0.0/8'] AND [a:b "
        "ISSUPERSET '1.2.3.4']",
        "[file:hashes.'SHA-256' = "
        "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        "[file:hashes.MD5 = 'D41D8CD98F00B204E9800998ECF8427E']",
        "[file:hashes.SSDEEP = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']",
        "[file:hashes.'x-custom' = 'anything']",
        "[file:hashes.MD5 MATCHES '^d41d']",
    };
    static const struct {
        const char *p, *detail;
    } bad[] = {
        {"", "empty"},
        {"   /* only a comment */ ", "empty"},
        {"file:size = 1280", "offset 0: expected '[' or '('"},
        {"[file:size = ]", "offset 13: expected a literal"},
        {"[file.size = 1280]", "offset 5: expected ':'"},
        {"[file:size = 1280", "offset 17: expected ']'"},
        {"[file:size 1280]", "comparison operator"},
        {"[file:name = 'x' AND]", "object type"},
        {"[file:a-b = 1]", "may not contain '-'"},
        {"[file:name = 'unterminated]", "unterminated string"},
        {"[file:name = 'bad \\n escape']", "invalid escape"},
        {"[file:name = 'a'] within 2 SECONDS", "expected the end"},
        {"[a:b = 1] WITHIN 5 HOURS", "expected SECONDS"},
        {"[a:b = 1] WITHIN -5 SECONDS", "positive number"},
        {"[a:b = 1] REPEATS 1.5 TIMES", "positive integer"},
        {"[a:b = 1] START '2020' STOP t'2020-01-01T00:00:00Z'", "timestamp"},
        {"[a:b = t'2020-01-01T00:00:00']", "malformed timestamp"},
        {"[a:b = t'2020-1-01T00:00:00Z']", "malformed timestamp"},
        {"[a:b = t'2020-01-01T24:00:00Z']", "malformed timestamp"},
        {"[a:b = t'2020-01-01T00:00:61Z']", "malformed timestamp"},
        {"[a:b = h'abc']", "malformed hex"},
        {"[a:b = b'']", "malformed binary"},
        {"[a:b = b'YWJ']", "malformed binary"},
        {"[a:b = b'Y===']", "malformed binary"},
        {"[a:b = 0123]", "expected ']'"},
        {"[a:b = 1.]", "expected ']'"},
        {"[a:b > true]", "a number, string"},
        {"[a:b = 1] AND", "'[' or '('"},
        {"[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", "duplicate WITHIN"},
        {"[a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES", "duplicate REPEATS"},
        {"[a:b = 1] START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:01Z' "
         "START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:01Z'",
         "duplicate START/STOP"},
        {"[file:hashes.'SHA-256' = 'f00']", "'f00' is not a valid SHA-256 hash"},
        {"[file:hashes.MD5 = 'zz0000000000000000000000000000zz']", "not a valid MD5"},
        {"[file:hashes.'SHA-1' IN ('0000000000000000000000000000000000000000', '12')]", "SHA-1"},
        {"[a:b = 1] /* unterminated", "found '/'"},
        {"[a:b = 1] ^", "found '^'"},
        {"[a:b = 1] !", "unexpected character '!'"},
        {"[a:b = '\xff']", "invalid UTF-8"},
        {"[a:b = 1]\xe2\x82\xac", "U+20AC"},
        {"[a:b = 1]\x01", "0x01"},
        {"[AND:b = 1]", "object type"},
        {"[a:true = 1]", "property name"},
        {"[a:b[1.5] = 1]", "list index"},
    };
    (void)st;
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        want_ok(ok[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        want_bad(bad[i].p, bad[i].detail);
    /* an embedded NUL: valid inside a string, invalid outside one */
    assert_int_equal(hy_stix_pattern_check("[a:b = 'x\0y']", 13), HY_OK);
    assert_int_equal(hy_stix_pattern_check("[a:b = 1]\0", 10), HY_ERR_FORMAT);
    /* the length is the caller's: nothing past it is read */
    assert_int_equal(hy_stix_pattern_check("[a:b = 1]garbage", 9), HY_OK);
    /* every strict prefix of one observation is invalid */
    const char *one = "[file:hashes.'SHA-1' = '0000000000000000000000000000000000000000']";
    for (size_t k = 0; k < strlen(one); k++)
        assert_int_not_equal(hy_stix_pattern_check(one, k), HY_OK);
}

static void test_caps_and_args(void **st)
{
    char *p;
    size_t n = HY_STIX_PATTERN_MAX_DEPTH;
    (void)st;
    assert_int_equal(hy_stix_pattern_check(NULL, 3), HY_ERR_ARG);
    assert_int_equal(hy_stix_pattern_check(NULL, 0), HY_ERR_FORMAT);
    /* nesting: the cap is accepted, one more is refused (both levels) */
    for (int level = 0; level < 2; level++) {
        for (size_t depth = n; depth <= n + 1; depth++) {
            size_t len = 2 * depth + 16, o = 0;
            assert_non_null(p = malloc(len));
            if (level == 1)
                p[o++] = '[';
            memset(p + o, '(', depth);
            o += depth;
            o += (size_t)sprintf(p + o, level ? "a:b = 1" : "[a:b = 1]");
            memset(p + o, ')', depth);
            o += depth;
            if (level == 1)
                p[o++] = ']';
            hy_err rc = hy_stix_pattern_check(p, o);
            assert_int_equal(rc, depth <= n ? HY_OK : HY_ERR_TOOBIG);
            if (rc)
                assert_non_null(strstr(hy_err_detail(), "nested"));
            free(p);
        }
    }
    /* length: a long OR chain within the cap passes, past it is TOOBIG */
    size_t len = HY_STIX_PATTERN_MAX_LEN + 1, o = 0;
    assert_non_null(p = malloc(len + 32));
    o += (size_t)sprintf(p, "[a:b = 1]");
    while (o + 14 <= HY_STIX_PATTERN_MAX_LEN)
        o += (size_t)sprintf(p + o, " OR [a:b = 1]");
    assert_int_equal(hy_stix_pattern_check(p, o), HY_OK);
    memset(p + o, ' ', len - o);
    assert_int_equal(hy_stix_pattern_check(p, len), HY_ERR_TOOBIG);
    free(p);
}

/* Deterministic mutations of valid patterns: any result, no crash (ASan). */
static void test_mutations(void **st)
{
    static const char *const seeds[] = {
        "([file:hashes.'SHA-256' = "
        "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f'] "
        "FOLLOWEDBY [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo']) WITHIN 300 SECONDS",
        "[a:b IN (1, -2.5, t'2020-01-01T00:00:00.1Z', h'ff', b'YQ==', true)] REPEATS 5 TIMES",
        "[(file:name = 'pdf.exe' OR file:size = '371712') AND EXISTS file:x[*].y] // c",
    };
    static const char alphabet[] = "[]()':.,*=!<>-+/ \\tbhTZ0159aAORNDWITHINSECONDS\xc2\xa0\xff";
    uint64_t x = 88172645463325252ull;
    char buf[512];
    size_t ok = 0;
    (void)st;
    for (int it = 0; it < 30000; it++) {
        const char *s = seeds[it % 3];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        for (int m = 0; m < 1 + it % 4; m++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            size_t at = (size_t)(x % n), op = (size_t)(x >> 32) % 3;
            char ch = alphabet[(x >> 40) % (sizeof alphabet - 1)];
            if (op == 0)
                buf[at] = ch;
            else if (op == 1 && n + 1 < sizeof buf)
                memmove(buf + at + 1, buf + at, n - at), buf[at] = ch, n++;
            else if (n > 1)
                memmove(buf + at, buf + at + 1, n - at - 1), n--;
        }
        hy_err rc = hy_stix_pattern_check(buf, n);
        assert_true(rc == HY_OK || rc == HY_ERR_FORMAT);
        if (rc)
            assert_true(strlen(hy_err_detail()) > 0);
        ok += rc == HY_OK;
    }
    print_message("stix check: %zu of 30000 mutated patterns still valid\n", ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_examples),   cmocka_unit_test(test_validator_cases),
        cmocka_unit_test(test_grammar_corners), cmocka_unit_test(test_caps_and_args),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
