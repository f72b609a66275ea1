/* hy_json: what the writer produces must parse (jansson) back to the same
 * values: escapes, invalid UTF-8, numbers, nesting and commas, time, caps,
 * misuse. */
#include "testutil.h"

#include <float.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hayate/json.h"

/* Parses text with jansson (embedded NULs allowed); fails the test if invalid. */
static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
    if (!v)
        fail_msg("jansson rejects %s: %s at %d", text, e.text, e.position);
    return v;
}

/* Writes s[0..n) as one JSON string and returns the buffer (caller frees). */
static void write_strn(hy_buf *b, const char *s, size_t n)
{
    hy_json j;
    hy_buf_init(b, 1 << 20);
    hy_json_init(&j, b);
    hy_json_strn(&j, s, n);
    assert_int_equal(hy_json_finish(&j), HY_OK);
}

/* Writes s as a JSON string, parses it back and compares with want. */
static void roundtrip_str(const char *s, size_t n, const char *want, size_t wlen)
{
    hy_buf b;
    write_strn(&b, s, n);
    json_t *v = parse(b.data);
    assert_true(json_is_string(v));
    assert_int_equal(json_string_length(v), wlen);
    assert_memory_equal(json_string_value(v), want, wlen);
    json_decref(v);
    hy_buf_free(&b);
}

static void test_object_all_types(void **state)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 4096);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "s", "text");
    hy_json_kint(&j, "i", -42);
    hy_json_kuint(&j, "u", 42);
    hy_json_kdouble(&j, "d", 2.5);
    hy_json_kbool(&j, "t", true);
    hy_json_kbool(&j, "f", false);
    hy_json_key(&j, "n");
    hy_json_null(&j);
    hy_json_kstr(&j, "sn", NULL);
    hy_json_key(&j, "raw");
    hy_json_raw(&j, "{\"x\":[1]}");
    hy_json_obj_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    assert_string_equal(b.data, "{\"s\":\"text\",\"i\":-42,\"u\":42,\"d\":2.5,\"t\":true,"
                                "\"f\":false,\"n\":null,\"sn\":null,\"raw\":{\"x\":[1]}}");
    json_t *v = parse(b.data);
    assert_string_equal(json_string_value(json_object_get(v, "s")), "text");
    assert_int_equal(json_integer_value(json_object_get(v, "i")), -42);
    assert_true(json_is_null(json_object_get(v, "sn")));
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(json_object_get(v, "raw"), "x"), 0)), 1);
    json_decref(v);
    hy_buf_free(&b);
}

static void test_nesting_and_commas(void **state)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 4096);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_key(&j, "a");
    hy_json_arr_open(&j);
    hy_json_int(&j, 1);
    hy_json_int(&j, 2);
    hy_json_obj_open(&j);
    hy_json_key(&j, "b");
    hy_json_null(&j);
    hy_json_obj_close(&j);
    hy_json_arr_open(&j);
    hy_json_arr_close(&j);
    hy_json_arr_close(&j);
    hy_json_key(&j, "c");
    hy_json_obj_open(&j);
    hy_json_obj_close(&j);
    hy_json_key(&j, "d");
    hy_json_arr_open(&j);
    hy_json_str(&j, "x");
    hy_json_arr_close(&j);
    hy_json_obj_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    assert_string_equal(b.data, "{\"a\":[1,2,{\"b\":null},[]],\"c\":{},\"d\":[\"x\"]}");
    json_decref(parse(b.data));

    /* JSON lines: top-level values get no comma; the caller adds newlines */
    hy_buf_addc(&b, '\n');
    hy_json_obj_open(&j);
    hy_json_kint(&j, "n", 2);
    hy_json_obj_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    assert_non_null(strstr(b.data, "]}\n{\"n\":2}"));
    hy_buf_free(&b);
}

static void test_deep_nesting(void **state)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 4096);
    hy_json_init(&j, &b);
    for (int i = 0; i < HY_JSON_MAX_DEPTH; i++)
        hy_json_arr_open(&j);
    for (int i = 0; i < HY_JSON_MAX_DEPTH; i++)
        hy_json_arr_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    json_decref(parse(b.data));

    hy_buf_reset(&b);
    hy_json_init(&j, &b);
    for (int i = 0; i <= HY_JSON_MAX_DEPTH; i++)
        hy_json_arr_open(&j);
    assert_int_equal(hy_json_finish(&j), HY_ERR_ARG);
    hy_buf_free(&b);
}

static void test_control_chars(void **state)
{
    char all[32];
    hy_buf b;
    for (int i = 0; i < 32; i++)
        all[i] = (char)i;
    write_strn(&b, all, 32);
    assert_string_equal(b.data, "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
                                "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012"
                                "\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
                                "\\u001b\\u001c\\u001d\\u001e\\u001f\"");
    hy_buf_free(&b);
    roundtrip_str(all, 32, all, 32);

    write_strn(&b, "q\"b\\s/\x7f", 7);
    assert_string_equal(b.data, "\"q\\\"b\\\\s/\x7f\""); /* DEL passes through */
    hy_buf_free(&b);
    roundtrip_str("a\0b", 3, "a\0b", 3);
    roundtrip_str("", 0, "", 0);
}

static void test_utf8(void **state)
{
    static const struct {
        const char *in;
        const char *out; /* after decoding; "\xEF\xBF\xBD" is U+FFFD */
    } cases[] = {
        {"caf\xC3\xA9", "caf\xC3\xA9"},
        {"\xE2\x82\xAC 5", "\xE2\x82\xAC 5"},
        {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
        {"\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"}, /* U+10FFFF */
        {"\xED\x9F\xBF", "\xED\x9F\xBF"},         /* U+D7FF */
        {"\xC0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD"}, /* overlong NUL */
        {"\xC1\xBF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\xE0\x80\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},                 /* overlong / */
        {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},                 /* surrogate */
        {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* > 10FFFF */
        {"\xF5\x80", "\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\xFF", "\xEF\xBF\xBD"},
        {"a\x80z", "a\xEF\xBF\xBDz"}, /* stray continuation */
        {"\xE2\x82", "\xEF\xBF\xBD"}, /* truncated at the end: one replacement */
        {"\xE2\x82x", "\xEF\xBF\xBDx"},
        {"\xF0\x9F\x98", "\xEF\xBF\xBD"},
        {"\xF0\x9F\x98\"", "\xEF\xBF\xBD\""},
        {"\xC3", "\xEF\xBF\xBD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        roundtrip_str(cases[i].in, strlen(cases[i].in), cases[i].out, strlen(cases[i].out));

    /* valid non-ASCII is written raw, invalid as the escape */
    hy_buf b;
    write_strn(&b, "\xC3\xA9\xFF", 3);
    assert_string_equal(b.data, "\"\xC3\xA9\\ufffd\"");
    hy_buf_free(&b);
}

static void check_double(double d, const char *want)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 256);
    hy_json_init(&j, &b);
    hy_json_double(&j, d);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    if (want)
        assert_string_equal(b.data, want);
    json_t *v = parse(b.data);
    if (isfinite(d)) {
        assert_true(json_is_number(v));
        assert_true(json_number_value(v) == d);
    } else {
        assert_true(json_is_null(v));
    }
    json_decref(v);
    hy_buf_free(&b);
}

static void test_doubles(void **state)
{
    check_double(0.1, "0.1");
    check_double(2.5, "2.5");
    check_double(100.0, "100");
    check_double(-1.5e-7, "-1.5e-07");
    check_double(1e21, "1e+21");
    check_double(0.0, "0");
    check_double(-0.0, "-0");
    check_double(1.0 / 3.0, NULL);
    check_double(0.1 + 0.2, "0.30000000000000004"); /* needs 17 digits */
    check_double(DBL_MAX, NULL);
    check_double(DBL_MIN, NULL);
    check_double(5e-324, NULL);
    check_double(NAN, "null");
    check_double(INFINITY, "null");
    check_double(-INFINITY, "null");
}

static void test_integers(void **state)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 256);
    hy_json_init(&j, &b);
    hy_json_arr_open(&j);
    hy_json_int(&j, INT64_MIN);
    hy_json_int(&j, INT64_MAX);
    hy_json_uint(&j, UINT64_MAX);
    hy_json_int(&j, 0);
    hy_json_uint(&j, 9);
    hy_json_uint(&j, 10);
    hy_json_int(&j, -99);
    hy_json_uint(&j, 100);
    hy_json_uint(&j, 1009);
    hy_json_arr_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    assert_string_equal(b.data, "[-9223372036854775808,9223372036854775807,"
                                "18446744073709551615,0,9,10,-99,100,1009]");
    hy_buf_free(&b);
}

static void test_time(void **state)
{
    char t[32];
    hy_time_format(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00.000000+0000");
    hy_time_format(1704164645678901234ull, t);
    assert_string_equal(t, "2024-01-02T03:04:05.678901+0000");
    hy_time_format(1709251199999999999ull, t); /* leap day, truncated not rounded */
    assert_string_equal(t, "2024-02-29T23:59:59.999999+0000");
    hy_time_format(UINT64_MAX, t);
    assert_string_equal(t, "2554-07-21T23:34:33.709551+0000");
    /* the calendar part is kept for the last second: same second, an
     * earlier one, then the first again */
    hy_time_format(1704164645000000000ull, t);
    hy_time_format(1704164645999999000ull, t);
    assert_string_equal(t, "2024-01-02T03:04:05.999999+0000");
    hy_time_format(1704164644000000000ull, t);
    assert_string_equal(t, "2024-01-02T03:04:04.000000+0000");
    hy_time_format(1704164645000002000ull, t);
    assert_string_equal(t, "2024-01-02T03:04:05.000002+0000");

    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 256);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_key(&j, "timestamp");
    hy_json_time(&j, 1704164645000001000ull);
    hy_json_obj_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    assert_string_equal(b.data, "{\"timestamp\":\"2024-01-02T03:04:05.000001+0000\"}");
    hy_buf_free(&b);
}

static void test_cap(void **state)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 16);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "key", "a value that does not fit");
    size_t len = b.len;
    hy_json_kint(&j, "n", 1); /* no-op after the error */
    hy_json_obj_close(&j);
    assert_int_equal(b.len, len);
    assert_int_equal(hy_json_finish(&j), HY_ERR_TOOBIG);
    assert_true(b.len <= 16);
    hy_buf_free(&b);

    /* a literal key: one byte over the cap fails as hy_json_key does and
     * leaves the buffer as it was; an exact fit is written */
    for (size_t cap = 10; cap <= 11; cap++) {
        hy_buf_init(&b, cap);
        hy_json_init(&j, &b);
        hy_json_obj_open(&j);
        hy_json_key_lit(&j, "1234567");
        assert_string_equal(b.data, cap == 10 ? "{" : "{\"1234567\":");
        assert_int_equal(hy_json_finish(&j), cap == 10 ? HY_ERR_TOOBIG : HY_ERR_ARG);
        hy_buf_free(&b);
    }
    hy_buf_init(&b, 64);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_key_lit(&j, "1234567");
    hy_json_uint(&j, 1);
    hy_json_key_lit(&j, "x");
    hy_json_uint(&j, 2);
    hy_json_obj_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    assert_string_equal(b.data, "{\"1234567\":1,\"x\":2}");
    hy_buf_free(&b);

    /* a cap hit inside a string full of escapes */
    char ctl[64];
    memset(ctl, 1, sizeof ctl);
    hy_buf_init(&b, 100);
    hy_json_init(&j, &b);
    hy_json_strn(&j, ctl, sizeof ctl);
    assert_int_equal(hy_json_finish(&j), HY_ERR_TOOBIG);
    hy_buf_free(&b);
}

static void test_misuse(void **state)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 256);

    hy_json_init(&j, &b);
    hy_json_obj_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_ERR_ARG);

    hy_json_init(&j, &b);
    hy_json_key(&j, "top");
    assert_int_equal(hy_json_finish(&j), HY_ERR_ARG);

    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_key(&j, "k");
    hy_json_obj_close(&j); /* key without value */
    assert_int_equal(hy_json_finish(&j), HY_ERR_ARG);

    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_key(&j, "k");
    hy_json_key(&j, "k2");
    assert_int_equal(hy_json_finish(&j), HY_ERR_ARG);

    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    assert_int_equal(hy_json_finish(&j), HY_ERR_ARG); /* left open */

    hy_json_init(&j, &b);
    hy_json_raw(&j, NULL);
    assert_int_equal(hy_json_finish(&j), HY_ERR_ARG);
    hy_buf_free(&b);
}

static void test_keys_escaped(void **state)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 256);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kint(&j, "we\"ird\n\xFF", 1);
    hy_json_obj_close(&j);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    json_t *v = parse(b.data);
    assert_int_equal(json_integer_value(json_object_get(v, "we\"ird\n\xEF\xBF\xBD")), 1);
    json_decref(v);
    hy_buf_free(&b);
}

/* hy_json_key_plain and hy_json_key_lit write what hy_json_key writes, and
 * fail the same way when a key is out of place. */
static void test_keys_plain(void **state)
{
    hy_buf a, b;
    hy_json ja, jb;
    (void)state;
    hy_buf_init(&a, 256);
    hy_buf_init(&b, 256);
    hy_json_init(&ja, &a);
    hy_json_init(&jb, &b);
    hy_json_obj_open(&ja);
    hy_json_obj_open(&jb);
    hy_json_key(&ja, "first");
    hy_json_key_lit(&jb, "first");
    hy_json_obj_open(&ja);
    hy_json_obj_open(&jb);
    hy_json_key(&ja, "a");
    hy_json_key_plain(&jb, "abc", 1);
    hy_json_uint(&ja, 1);
    hy_json_uint(&jb, 1);
    hy_json_key(&ja, "b_2");
    hy_json_key_lit(&jb, "b_2");
    hy_json_null(&ja);
    hy_json_null(&jb);
    hy_json_obj_close(&ja);
    hy_json_obj_close(&jb);
    hy_json_obj_close(&ja);
    hy_json_obj_close(&jb);
    assert_int_equal(hy_json_finish(&ja), HY_OK);
    assert_int_equal(hy_json_finish(&jb), HY_OK);
    assert_string_equal(b.data, "{\"first\":{\"a\":1,\"b_2\":null}}");
    assert_string_equal(a.data, b.data);

    hy_buf_reset(&b);
    hy_json_init(&jb, &b);
    hy_json_key_lit(&jb, "top"); /* not inside an object */
    hy_json_uint(&jb, 1);
    assert_int_equal(hy_json_finish(&jb), HY_ERR_ARG);
    hy_buf_reset(&b);
    hy_json_init(&jb, &b);
    hy_json_obj_open(&jb);
    hy_json_key_lit(&jb, "k");
    hy_json_key_lit(&jb, "k2"); /* a key after a key */
    hy_json_uint(&jb, 1);
    hy_json_obj_close(&jb);
    assert_int_equal(hy_json_finish(&jb), HY_ERR_ARG);
    hy_buf_free(&a);
    hy_buf_free(&b);
}

/* hy_json_fixed: exact text for rounding, signs, trailing zeros; fallback. */
static void fixed_is(double v, int d, const char *want)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 1 << 10);
    hy_json_init(&j, &b);
    hy_json_fixed(&j, v, d);
    assert_int_equal(hy_json_finish(&j), HY_OK);
    assert_string_equal(b.data, want);
    json_decref(parse(b.data));
    hy_buf_free(&b);
}

/* hy_put_uint/int: the same text as printf at every digit-count boundary
 * (the count comes from the bit length, so 10^k - 1, 10^k and 2^k matter)
 * and on random values; nothing written past the returned end. */
static void test_put_integers(void **state)
{
    char got[32], want[32];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    (void)state;
    for (int k = 0; k < 300; k++) {
        uint64_t v;
        if (k < 64)
            v = 1ull << k;
        else if (k < 128)
            v = (1ull << (k - 64)) - 1;
        else if (k < 148) {
            v = 1;
            for (int i = 0; i < k - 128; i++)
                v *= 10;
        } else if (k < 168) {
            v = 1;
            for (int i = 0; i < k - 148; i++)
                v *= 10;
            v--;
        } else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            v = x >> (k % 64);
        }
        memset(got, 'x', sizeof got);
        char *e = hy_put_uint(got, v);
        snprintf(want, sizeof want, "%" PRIu64, v);
        assert_int_equal(e - got, strlen(want));
        assert_memory_equal(got, want, strlen(want));
        assert_int_equal(*e, 'x');
        memset(got, 'x', sizeof got);
        e = hy_put_int(got, -(int64_t)(v >> 1));
        snprintf(want, sizeof want, "%" PRId64, -(int64_t)(v >> 1));
        assert_int_equal(e - got, strlen(want));
        assert_memory_equal(got, want, strlen(want));
    }
    snprintf(want, sizeof want, "%" PRIu64, UINT64_MAX);
    assert_int_equal(hy_put_uint(got, UINT64_MAX) - got, 20);
    assert_memory_equal(got, want, 20);
    assert_int_equal(hy_put_int(got, INT64_MIN) - got, 20);
    assert_memory_equal(got, "-9223372036854775808", 20);
    assert_int_equal(hy_put_time(got, 1704067200000001000ull) - got, 31);
    assert_memory_equal(got, "2024-01-01T00:00:00.000001+0000", 31);
}

static void test_fixed(void **state)
{
    (void)state;
    fixed_is(0, 3, "0");
    fixed_is(1.5, 3, "1.5");
    fixed_is(2.0005, 3, "2.001");
    fixed_is(-2.25, 1, "-2.3");
    fixed_is(-0.0001, 3, "0");
    fixed_is(0.000000001, 9, "0.000000001");
    fixed_is(123456.123456789, 9, "123456.123456789");
    fixed_is(1500, 0, "1500");
    fixed_is(-1e300, 3, "-1e+300");
    fixed_is(NAN, 3, "null");
    fixed_is(0.1, 12, "0.1"); /* bad decimals: shortest round trip */
}

static void test_extend(void **state)
{
    static const struct { const char *in, *out; } ok[] = {
        {"{}", "{\"k\":1}"},
        {"{ }\n", "{ \"k\":1}"},
        {"{\"a\":[1,{}]}  ", "{\"a\":[1,{}],\"k\":1}"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        hy_buf b;
        hy_json j;
        hy_buf_init(&b, 1024);
        assert_int_equal(hy_json_extend(&j, &b, ok[i].in, strlen(ok[i].in)), HY_OK);
        hy_json_kint(&j, "k", 1);
        hy_json_obj_close(&j);
        assert_int_equal(hy_json_finish(&j), HY_OK);
        assert_string_equal(b.data, ok[i].out);
        hy_buf_free(&b);
    }
    static const char *const bad[] = {"", "}", "{", "[1]", "x{}", "{} x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hy_buf b;
        hy_json j;
        hy_buf_init(&b, 1024);
        assert_int_equal(hy_json_extend(&j, &b, bad[i], strlen(bad[i])), HY_ERR_FORMAT);
        hy_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extend),
        cmocka_unit_test(test_object_all_types),
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_put_integers),
        cmocka_unit_test(test_nesting_and_commas),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_control_chars),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_keys_escaped),
        cmocka_unit_test(test_keys_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
