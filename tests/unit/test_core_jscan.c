/* hy_jscan: hand-made edge cases of the validating JSON scanner: every
 * escape, surrogates, numbers by the grammar, literals, structure, depth cap,
 * truncation at every byte, trailing garbage, empty input, the SWAR string
 * path at every alignment, and agreement with jansson on a list of texts. */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/jscan.h"

/* Validates text (exactly strlen bytes, copied to the heap so ASan sees any
 * over-read) as a whole document. */
static hy_err doc_n(const char *text, size_t n, int depth, hy_jval *root)
{
    hy_jscan s;
    hy_jval r;
    char *copy = malloc(n ? n : 1);
    hy_err rc;
    assert_non_null(copy);
    if (n)
        memcpy(copy, text, n);
    hy_jscan_init(&s, text ? copy : NULL, n, depth);
    rc = hy_jscan_doc(&s, root ? root : &r);
    free(copy);
    return rc;
}

static hy_err doc(const char *text)
{
    return doc_n(text, strlen(text), 64, NULL);
}

/* Decodes the single string document text into out (cap bytes). */
static size_t decode(const char *text, char *out, size_t cap, bool *nul)
{
    hy_jscan s;
    hy_jval v;
    size_t n = 0;
    hy_jscan_init(&s, text, strlen(text), 8);
    assert_int_equal(hy_jscan_doc(&s, &v), HY_OK);
    assert_int_equal(v.kind, HY_JSTR);
    assert_int_equal(hy_jscan_str(&s, &v, out, cap, &n), HY_OK);
    if (nul)
        *nul = v.nul;
    return n;
}

static void test_scalars_and_spans(void **state)
{
    hy_jval v;
    struct {
        const char *text;
        hy_jkind kind;
        size_t off, end;
    } ok[] = {
        {"0", HY_JNUM, 0, 1},          {" -12.5e+3 ", HY_JNUM, 1, 9},
        {"\"x\"", HY_JSTR, 0, 3},      {"\n\t\r true", HY_JTRUE, 4, 8},
        {"false", HY_JFALSE, 0, 5},    {"null ", HY_JNULL, 0, 4},
        {"{}", HY_JOBJ, 0, 2},         {" [ ] ", HY_JARR, 1, 4},
        {"{\"a\":[1,{\"b\":null}],\"c\":\"d\"}", HY_JOBJ, 0, 28},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(doc_n(ok[i].text, strlen(ok[i].text), 8, &v), HY_OK);
        assert_int_equal(v.kind, ok[i].kind);
        assert_int_equal(v.off, ok[i].off);
        assert_int_equal(v.end, ok[i].end);
        assert_int_equal(v.depth, 1);
    }
}

static void test_every_escape(void **state)
{
    char out[64];
    bool nul = false;
    const char want[] = "\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "A";
    size_t n = decode("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\uDE00\\u0041\"",
                      out, sizeof out, &nul);
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, n);
    assert_false(nul);
    assert_int_equal(out[n], '\0');
    /* \u0000 is accepted, flagged, and decodes to a NUL byte. */
    n = decode("\"a\\u0000b\"", out, sizeof out, &nul);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "a\0b", 3);
    assert_true(nul);
    /* Two-byte and BMP edges. */
    n = decode("\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"", out, sizeof out, NULL);
    assert_int_equal(n, 1 + 2 + 2 + 3 + 3);
    assert_memory_equal(out, "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", n);
    /* U+10FFFF from the last pair. */
    n = decode("\"\\udbff\\udfff\"", out, sizeof out, NULL);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "\xf4\x8f\xbf\xbf", 4);
}

static void test_bad_escapes_and_surrogates(void **state)
{
    const char *bad[] = {
        "\"\\ud800\"",        "\"\\udc00\"",        "\"\\ud800\\u0041\"", "\"\\ud800x\"",
        "\"\\ud83d\\ude0\"",  "\"\\ud800\\ud800\"", "\"\\u12\"",          "\"\\u12G4\"",
        "\"\\x41\"",          "\"\\a\"",            "\"\\U0041\"",        "\"\\",
        "\"\\ud800\\",        "\"\\ud800\\u",       "\"\\'\"",            "\"\\ \"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hy_err rc = doc(bad[i]);
        if (rc != HY_ERR_FORMAT && rc != HY_ERR_TRUNCATED)
            fail_msg("accepted %s", bad[i]);
    }
}

static void test_strings_raw_bytes(void **state)
{
    /* Control characters must be escaped; DEL and high bytes pass. */
    assert_int_equal(doc("\"a\x01z\""), HY_ERR_FORMAT);
    assert_int_equal(doc("\"tab\there\""), HY_ERR_FORMAT);
    assert_int_equal(doc("\"nl\nhere\""), HY_ERR_FORMAT);
    assert_int_equal(doc("\"\x7f\""), HY_OK);
    assert_int_equal(doc("\"caf\xc3\xa9\""), HY_OK);
    /* Invalid UTF-8 is accepted (jansson refuses it: documented). */
    assert_int_equal(doc("\"\xff\xfe\""), HY_OK);
    /* An embedded NUL byte is a control character. */
    assert_int_equal(doc_n("\"a\0b\"", 5, 8, NULL), HY_ERR_FORMAT);
    assert_int_equal(doc("\"unterminated"), HY_ERR_TRUNCATED);
}

/* The 8-byte fast path: a special byte at every offset of long strings. */
static void test_string_every_alignment(void **state)
{
    char text[80], out[80];
    for (size_t pos = 1; pos < 40; pos++) {
        size_t n;
        memset(text, 'a', sizeof text);
        text[0] = '"';
        text[pos] = '"';
        text[pos + 1] = '\0';
        assert_int_equal(doc(text), HY_OK);
        n = decode(text, out, sizeof out, NULL);
        assert_int_equal(n, pos - 1);
        text[pos] = 0x1f; /* control byte, then a closing quote further on */
        text[pos + 1] = 'b';
        text[45] = '"';
        text[46] = '\0';
        assert_int_equal(doc(text), HY_ERR_FORMAT);
        text[pos] = '\\';
        text[pos + 1] = 'n';
        assert_int_equal(doc(text), HY_OK);
        n = decode(text, out, sizeof out, NULL);
        assert_int_equal(n, 43);
        assert_int_equal(out[pos - 1], '\n');
        text[45] = 'a'; /* no closing quote at all */
        assert_int_equal(doc(text), HY_ERR_TRUNCATED);
    }
}

static void test_numbers(void **state)
{
    const char *good[] = {"0",     "-0",    "1",      "-1",         "1.5",
                          "1e5",   "1E+5",  "1e-05",  "-0.0e0",     "10",
                          "123456789012345678901234567890", "0.000001", "[0,-0,1e1]"};
    const char *bad[] = {"01",  "1.",   "-",   "1e",  "1e+", ".5",  "+1",   "-01",
                         "0x1", "1.e5", "--1", "NaN", "Infinity", "-Infinity", "1_0",
                         "[01]", "[1.]", "{\"a\":-}", "00", "1e5.", "1.5e", "-.5"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (doc(good[i]) != HY_OK)
            fail_msg("refused %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (doc(bad[i]) == HY_OK)
            fail_msg("accepted %s", bad[i]);
}

/* Converts the single-number document text. */
static hy_err conv(const char *text, uint64_t *u, int64_t *i, double *d, int which)
{
    hy_jscan s;
    hy_jval v;
    hy_jscan_init(&s, text, strlen(text), 8);
    assert_int_equal(hy_jscan_doc(&s, &v), HY_OK);
    if (which == 0)
        return hy_jscan_u64(&s, &v, u);
    if (which == 1)
        return hy_jscan_i64(&s, &v, i);
    return hy_jscan_double(&s, &v, d);
}

static void test_number_conversions(void **state)
{
    uint64_t u = 0;
    int64_t i = 0;
    double d = 0;
    char longnum[200];
    assert_int_equal(conv("18446744073709551615", &u, &i, &d, 0), HY_OK);
    assert_true(u == UINT64_MAX);
    assert_int_equal(conv("18446744073709551616", &u, &i, &d, 0), HY_ERR_TOOBIG);
    assert_int_equal(conv("99999999999999999999", &u, &i, &d, 0), HY_ERR_TOOBIG);
    assert_int_equal(conv("-1", &u, &i, &d, 0), HY_ERR_FORMAT);
    assert_int_equal(conv("1.5", &u, &i, &d, 0), HY_ERR_FORMAT);
    assert_int_equal(conv("1e3", &u, &i, &d, 0), HY_ERR_FORMAT);
    assert_int_equal(conv("\"1\"", &u, &i, &d, 0), HY_ERR_FORMAT);
    assert_int_equal(conv("0", &u, &i, &d, 0), HY_OK);
    assert_true(u == 0);
    assert_int_equal(conv("-9223372036854775808", &u, &i, &d, 1), HY_OK);
    assert_true(i == INT64_MIN);
    assert_int_equal(conv("9223372036854775807", &u, &i, &d, 1), HY_OK);
    assert_true(i == INT64_MAX);
    assert_int_equal(conv("-9223372036854775809", &u, &i, &d, 1), HY_ERR_TOOBIG);
    assert_int_equal(conv("9223372036854775808", &u, &i, &d, 1), HY_ERR_TOOBIG);
    assert_int_equal(conv("-42", &u, &i, &d, 1), HY_OK);
    assert_true(i == -42);
    assert_int_equal(conv("-2.5e-3", &u, &i, &d, 2), HY_OK);
    assert_true(fabs(d + 0.0025) < 1e-15);
    assert_int_equal(conv("1e400", &u, &i, &d, 2), HY_ERR_TOOBIG);
    assert_int_equal(conv("1e-400", &u, &i, &d, 2), HY_OK); /* underflow: 0 */
    assert_true(d == 0);
    memset(longnum, '7', 150);
    longnum[150] = '\0';
    assert_int_equal(conv(longnum, &u, &i, &d, 2), HY_ERR_TOOBIG);
}

static void test_literals_and_structure(void **state)
{
    const char *bad[] = {"tru",        "nul",        "falsey",      "True",      "nulL",
                         "{\"a\" 1}",  "{\"a\":1,}", "[1,]",        "{,}",       "[,1]",
                         "{1:2}",      "{\"a\":1 \"b\":2}", "[1 2]", "{\"a\"}",  "{\"a\":}",
                         "[",          "{",          "]",           "}",         "[}",
                         "{]",         "{\"a\":1]",  "[1}",         "'a'",       "{'a':1}",
                         "[1,,2]",     "/*c*/1",     "\xef\xbb\xbf{}", "{\"a\"::1}", "[-]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (doc(bad[i]) == HY_OK)
            fail_msg("accepted %s", bad[i]);
    assert_int_equal(doc(" { \"a\" : [ 1 , 2 ] , \"b\" : { } } \r\n"), HY_OK);
}

static void test_trailing_and_empty(void **state)
{
    assert_int_equal(doc("{} x"), HY_ERR_FORMAT);
    assert_int_equal(doc("1 2"), HY_ERR_FORMAT);
    assert_int_equal(doc("{}}"), HY_ERR_FORMAT);
    assert_int_equal(doc("[],"), HY_ERR_FORMAT);
    assert_int_equal(doc("\"a\"\"b\""), HY_ERR_FORMAT);
    assert_int_equal(doc_n("{}\0", 3, 8, NULL), HY_ERR_FORMAT);
    assert_int_equal(doc("{} \n\t\r "), HY_OK);
    assert_int_equal(doc(""), HY_ERR_TRUNCATED);
    assert_int_equal(doc("   \n"), HY_ERR_TRUNCATED);
    assert_int_equal(doc_n(NULL, 0, 8, NULL), HY_ERR_TRUNCATED);
    assert_non_null(strstr(hy_err_detail(), "json"));
}

/* Builds n levels of '[' ... ']' around 1. */
static char *nest(int n, char open, char close)
{
    char *t = malloc((size_t)n * 2 + 2);
    assert_non_null(t);
    memset(t, open, (size_t)n);
    t[n] = '1';
    memset(t + n + 1, close, (size_t)n);
    t[2 * n + 1] = '\0';
    return t;
}

static void test_depth_cap(void **state)
{
    char *t3 = nest(3, '[', ']'), *t4 = nest(4, '[', ']'), *deep = nest(5000, '[', ']');
    char *cap = nest(HY_JSCAN_DEPTH_CAP, '[', ']');
    assert_int_equal(doc_n(t3, strlen(t3), 3, NULL), HY_OK);
    assert_int_equal(doc_n(t4, strlen(t4), 3, NULL), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "deeper"));
    assert_int_equal(doc_n(t4, strlen(t4), 4, NULL), HY_OK);
    /* Clamped to HY_JSCAN_DEPTH_CAP; no recursion, so no stack trouble. */
    assert_int_equal(doc_n(deep, strlen(deep), 1 << 30, NULL), HY_ERR_FORMAT);
    assert_int_equal(doc_n(cap, strlen(cap), 1 << 30, NULL), HY_OK);
    assert_int_equal(doc_n(cap, strlen(cap) - 1, 1 << 30, NULL), HY_ERR_TRUNCATED);
    assert_int_equal(doc("{\"a\":{\"b\":{\"c\":{}}}}"), HY_OK);
    assert_int_equal(doc_n("{\"a\":{\"b\":{\"c\":{}}}}", 20, 3, NULL), HY_ERR_FORMAT);
    assert_int_equal(doc_n("{\"a\":{\"b\":{\"c\":{}}}}", 20, 4, NULL), HY_OK);
    free(t3);
    free(t4);
    free(deep);
    free(cap);
}

/* Walks the object document text in one pass (root, members, finish),
 * recursing into object values; returns the first error. */
static hy_err walk_obj(const hy_jscan *s, const hy_jval *obj, int *members)
{
    hy_jiter it;
    hy_jval k, v;
    hy_err rc = hy_jscan_begin(s, obj, &it);
    while (rc == HY_OK && (rc = hy_jscan_member(s, &it, &k, &v)) == HY_OK) {
        (*members)++;
        if (v.kind == HY_JOBJ && (rc = walk_obj(s, &v, members)) != HY_OK)
            return rc;
    }
    if (rc != HY_ERR_NOTFOUND)
        return rc;
    return obj->depth == 1 ? hy_jscan_finish(s, it.pos) : HY_OK;
}

static hy_err walk_text(const char *text, size_t n, int *members)
{
    hy_jscan s;
    hy_jval root;
    char *copy = malloc(n ? n : 1);
    hy_err rc;
    assert_non_null(copy);
    memcpy(copy, text, n);
    hy_jscan_init(&s, copy, n, 16);
    *members = 0;
    rc = hy_jscan_root(&s, &root);
    if (rc == HY_OK && root.kind == HY_JOBJ)
        rc = walk_obj(&s, &root, members);
    else if (rc == HY_OK)
        rc = HY_ERR_ARG;
    free(copy);
    return rc;
}

static void test_truncation_every_byte(void **state)
{
    const char *full = "{\"timestamp\":\"2017-11-04T12:49:53.341727+0000\",\"n\":-12.5e+3,"
                       "\"t\":true,\"f\":false,\"z\":null,\"s\":\"a\\\"b\\u00e9\\ud83d\\ude00\","
                       "\"arr\":[1,[2,{}],\"x\"],\"o\":{\"k\":{\"deep\":[]}},\"e\":{}}";
    size_t n = strlen(full);
    int members = 0;
    assert_int_equal(doc(full), HY_OK);
    assert_int_equal(walk_text(full, n, &members), HY_OK);
    assert_int_equal(members, 11);
    for (size_t k = 0; k < n; k++) {
        hy_err rc = doc_n(full, k, 16, NULL);
        if (rc != HY_ERR_TRUNCATED && rc != HY_ERR_FORMAT)
            fail_msg("prefix of %zu bytes: %s", k, hy_err_str(rc));
        rc = walk_text(full, k, &members);
        if (rc != HY_ERR_TRUNCATED && rc != HY_ERR_FORMAT)
            fail_msg("walk of a %zu-byte prefix: %s", k, hy_err_str(rc));
    }
}

static void test_walk_members_and_elements(void **state)
{
    const char *t = "{\"a\\u0062c\":[10,\"x\",{\"k\":1}],\"plain\":\"v\",\"n\":null}";
    hy_jscan s;
    hy_jval root, k, v, el;
    hy_jiter it, ai;
    char kb[16];
    const char *kt;
    size_t kn;
    uint64_t u;
    hy_jscan_init(&s, t, strlen(t), 8);
    assert_int_equal(hy_jscan_root(&s, &root), HY_OK);
    assert_int_equal(root.kind, HY_JOBJ);
    assert_int_equal(root.end, 0);
    assert_int_equal(hy_jscan_begin(&s, &root, &it), HY_OK);
    assert_int_equal(hy_jscan_element(&s, &it, &v), HY_ERR_ARG);
    assert_int_equal(hy_jscan_member(&s, &it, &k, &v), HY_OK);
    assert_true(k.esc);
    assert_int_equal(hy_jscan_text(&s, &k, kb, sizeof kb, &kt, &kn), HY_OK);
    assert_int_equal(kn, 3);
    assert_memory_equal(kt, "abc", 3);
    assert_true(kt == kb); /* decoded into the buffer */
    assert_true(hy_jscan_is(&s, &k, "abc"));
    assert_false(hy_jscan_is(&s, &k, "ab"));
    assert_int_equal(v.kind, HY_JARR);
    assert_int_equal(v.depth, 2);
    assert_int_equal(hy_jscan_begin(&s, &v, &ai), HY_OK);
    assert_int_equal(hy_jscan_member(&s, &ai, &k, &el), HY_ERR_ARG);
    assert_int_equal(hy_jscan_element(&s, &ai, &el), HY_OK);
    assert_int_equal(hy_jscan_u64(&s, &el, &u), HY_OK);
    assert_true(u == 10);
    assert_int_equal(hy_jscan_element(&s, &ai, &el), HY_OK);
    assert_true(hy_jscan_is(&s, &el, "x"));
    assert_int_equal(hy_jscan_element(&s, &ai, &el), HY_OK);
    assert_int_equal(el.kind, HY_JOBJ);
    assert_int_equal(el.depth, 3);
    assert_int_equal(hy_jscan_element(&s, &ai, &el), HY_ERR_NOTFOUND);
    assert_int_equal(hy_jscan_element(&s, &ai, &el), HY_ERR_NOTFOUND);
    assert_int_equal(hy_jscan_member(&s, &it, &k, &v), HY_OK);
    assert_false(k.esc);
    assert_int_equal(hy_jscan_text(&s, &k, kb, sizeof kb, &kt, &kn), HY_OK);
    assert_true(kt == t + k.off + 1); /* no copy */
    assert_int_equal(hy_jscan_member(&s, &it, &k, &v), HY_OK);
    assert_int_equal(v.kind, HY_JNULL);
    assert_int_equal(hy_jscan_member(&s, &it, &k, &v), HY_ERR_NOTFOUND);
    assert_int_equal(it.count, 3);
    assert_int_equal(hy_jscan_finish(&s, it.pos), HY_OK);
    assert_int_equal(hy_jscan_begin(&s, &k, &it), HY_ERR_ARG); /* a string */
}

static void test_decode_limits(void **state)
{
    hy_jscan s;
    hy_jval v;
    char out[4];
    size_t n = 0;
    const char *t = "\"abcdef\"";
    hy_jscan_init(&s, t, strlen(t), 8);
    assert_int_equal(hy_jscan_doc(&s, &v), HY_OK);
    assert_int_equal(hy_jscan_str(&s, &v, out, sizeof out, &n), HY_ERR_TOOBIG);
    t = "\"\\u20ac\\u20ac\"";
    hy_jscan_init(&s, t, strlen(t), 8);
    assert_int_equal(hy_jscan_doc(&s, &v), HY_OK);
    assert_int_equal(hy_jscan_str(&s, &v, out, sizeof out, &n), HY_ERR_TOOBIG);
    assert_int_equal(hy_jscan_str(&s, &v, out, 3, &n), HY_ERR_TOOBIG);
    t = "\"\\u20ac\"";
    hy_jscan_init(&s, t, strlen(t), 8);
    assert_int_equal(hy_jscan_doc(&s, &v), HY_OK);
    assert_int_equal(hy_jscan_str(&s, &v, out, 3, &n), HY_OK); /* exact fit, no NUL */
    assert_int_equal(n, 3);
    t = "12";
    hy_jscan_init(&s, t, 2, 8);
    assert_int_equal(hy_jscan_doc(&s, &v), HY_OK);
    assert_int_equal(hy_jscan_str(&s, &v, out, sizeof out, &n), HY_ERR_ARG);
    assert_false(hy_jscan_is(&s, &v, "12"));
}

/* Accept/reject agrees with jansson on texts valid UTF-8 whose numbers fit. */
static void test_agrees_with_jansson(void **state)
{
    const char *texts[] = {
        "{}", "[]", "1", "-0", "01", "1.", "\"\\ud800\"", "\"\\ud83d\\ude00\"", "[1,]",
        "{\"a\":1,}", "{\"a\":1}", " true ", "nul", "\"\\u0000\"", "[[[[[]]]]]", "{} {}",
        "\"a\\/b\"", "1e5", "1E-5", "-", "[\"\\t\"]", "[\"\t\"]", "{\"a\":[1,{\"b\":2}]}",
        "\"\\uDBFF\\uDFFF\"", "[1 ,2 , 3 ]", "{\"\":\"\"}", "[-1.0e+0]", "[.1]", "\"\\q\""};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        json_error_t e;
        json_t *j = json_loadb(texts[i], strlen(texts[i]), JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        bool ours = doc(texts[i]) == HY_OK;
        if (ours != (j != NULL))
            fail_msg("%s: jscan %d, jansson %d (%s)", texts[i], ours, j != NULL, e.text);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_and_spans),
        cmocka_unit_test(test_every_escape),
        cmocka_unit_test(test_bad_escapes_and_surrogates),
        cmocka_unit_test(test_strings_raw_bytes),
        cmocka_unit_test(test_string_every_alignment),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_number_conversions),
        cmocka_unit_test(test_literals_and_structure),
        cmocka_unit_test(test_trailing_and_empty),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_truncation_every_byte),
        cmocka_unit_test(test_walk_members_and_elements),
        cmocka_unit_test(test_decode_limits),
        cmocka_unit_test(test_agrees_with_jansson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
