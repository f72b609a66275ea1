/* Streaming JSON writer. Every call is a no-op once an error is recorded, so
 * callers write a whole document and check hy_json_finish once. Values at
 * depth 0 are not separated by commas: a caller writing JSON lines adds the
 * newline itself and keeps using the same writer. */
#include "hayate/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"

void hy_json_init(hy_json *j, hy_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

static void fail(hy_json *j, hy_err e)
{
    if (!j->err)
        j->err = e;
}

/* Copies n bytes; short runs without a library call. */
static inline void copy_small(char *d, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        memcpy(d, s, n);
    }
}

/* Where the next n bytes go; NULL once an error is recorded. */
static inline char *room(hy_json *j, size_t n)
{
    hy_err e = HY_OK;
    char *w;
    if (j->err)
        return NULL;
    if (!(w = hy_buf_room(j->out, n, &e)))
        fail(j, e);
    return w;
}

/* Takes the bytes written from the room's start up to end. */
static inline void commit(hy_json *j, const char *end)
{
    hy_buf_commit(j->out, (size_t)(end - (j->out->data + j->out->len)));
}

static void emit(hy_json *j, const void *p, size_t n)
{
    char *w = room(j, n);
    if (w) {
        copy_small(w, p, n);
        commit(j, w + n);
    }
}

static void emitc(hy_json *j, char c)
{
    emit(j, &c, 1);
}

/* Whether the value (or key) about to be written needs a comma before it;
 * records that the next one will. */
static inline bool take_comma(hy_json *j)
{
    bool comma;
    if (j->after_key) {
        j->after_key = false;
        return false;
    }
    comma = j->depth > 0 && j->need_comma[j->depth];
    j->need_comma[j->depth] = true;
    return comma;
}

/* Writes the separator a value (or key) needs at the current position. */
static bool before_value(hy_json *j)
{
    if (j->err)
        return false;
    if (take_comma(j))
        emitc(j, ',');
    return !j->err;
}

static void open_container(hy_json *j, char c)
{
    if (j->err)
        return;
    if (j->depth >= HY_JSON_MAX_DEPTH) {
        hy_err_set(HY_ERR_ARG, "json: nesting deeper than %d", HY_JSON_MAX_DEPTH);
        fail(j, HY_ERR_ARG);
        return;
    }
    if (!before_value(j))
        return;
    emitc(j, c);
    if (j->err)
        return;
    j->depth++;
    j->need_comma[j->depth] = false;
}

static void close_container(hy_json *j, char c)
{
    if (j->err)
        return;
    if (j->depth == 0 || j->after_key) {
        hy_err_set(HY_ERR_ARG, "json: unbalanced '%c'", c);
        fail(j, HY_ERR_ARG);
        return;
    }
    emitc(j, c);
    if (!j->err)
        j->depth--;
}

void hy_json_obj_open(hy_json *j)
{
    open_container(j, '{');
}

void hy_json_obj_close(hy_json *j)
{
    close_container(j, '}');
}

void hy_json_arr_open(hy_json *j)
{
    open_container(j, '[');
}

void hy_json_arr_close(hy_json *j)
{
    close_container(j, ']');
}

/* Length of the prefix of p that needs no escaping (printable ASCII). */
static size_t plain_prefix(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
        i++;
    return i;
}

/* Emits pre + s[0..n) + post in one append (the common, plain case). */
static void emit3(hy_json *j, const char *pre, size_t pl, const char *s, size_t n,
                  const char *post, size_t ql)
{
    char *w = room(j, pl + n + ql);
    if (!w)
        return;
    copy_small(w, pre, pl);
    copy_small(w + pl, s, n);
    copy_small(w + pl + n, post, ql);
    commit(j, w + pl + n + ql);
}

/* Writes s[0..n) as a quoted JSON string, escaping per RFC 8259 and
 * replacing each maximal invalid UTF-8 subpart by \ufffd. */
static void write_string(hy_json *j, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s;
    size_t run = 0; /* start of the pending run of bytes that pass through */
    size_t i = plain_prefix(p, n);

    if (i == n) {
        emit3(j, "\"", 1, s, n, "\"", 1);
        return;
    }
    emitc(j, '"');
    while (i < n && !j->err) {
        uint8_t c = p[i];
        char esc[8];
        size_t elen = 2;
        int seq = 1;

        if (c >= 0x80) {
            seq = hy_utf8_seq(p, n, i);
            if (seq > 0) {
                i += (size_t)seq;
                continue;
            }
            memcpy(esc, "\\ufffd", 6);
            elen = 6;
            seq = -seq;
        } else if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        } else {
            esc[0] = '\\';
            switch (c) {
            case '"':
                esc[1] = '"';
                break;
            case '\\':
                esc[1] = '\\';
                break;
            case '\b':
                esc[1] = 'b';
                break;
            case '\f':
                esc[1] = 'f';
                break;
            case '\n':
                esc[1] = 'n';
                break;
            case '\r':
                esc[1] = 'r';
                break;
            case '\t':
                esc[1] = 't';
                break;
            default:
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                elen = 6;
            }
        }
        emit(j, p + run, i - run);
        emit(j, esc, elen);
        i += (size_t)seq;
        run = i;
    }
    emit(j, p + run, n - run);
    emitc(j, '"');
}

/* Whether a key may go here; records the error when not. */
static bool key_allowed(hy_json *j, const char *key)
{
    if (j->err)
        return false;
    if (!key || j->after_key || j->depth == 0) {
        hy_err_set(HY_ERR_ARG, "json: key '%s' out of place", key ? key : "(null)");
        fail(j, HY_ERR_ARG);
        return false;
    }
    return true;
}

/* Separator, quoted key and colon in one append. */
static void put_plain_key(hy_json *j, const char *key, size_t n)
{
    bool comma = j->need_comma[j->depth];
    j->need_comma[j->depth] = true;
    emit3(j, comma ? ",\"" : "\"", comma ? 2 : 1, key, n, "\":", 2);
    if (!j->err)
        j->after_key = true;
}

void hy_json_key_plain(hy_json *j, const char *key, size_t n)
{
    if (key_allowed(j, key))
        put_plain_key(j, key, n);
}

void hy_json_key(hy_json *j, const char *key)
{
    if (!key_allowed(j, key))
        return;
    size_t n = strlen(key);
    if (plain_prefix((const uint8_t *)key, n) == n) {
        put_plain_key(j, key, n);
        return;
    }
    if (!before_value(j))
        return;
    write_string(j, key, n);
    emitc(j, ':');
    if (!j->err)
        j->after_key = true;
}

void hy_json_strn(hy_json *j, const char *s, size_t n)
{
    if (!s && n) {
        hy_err_set(HY_ERR_ARG, "json: NULL string of length %zu", n);
        fail(j, HY_ERR_ARG);
        return;
    }
    if (before_value(j))
        write_string(j, s ? s : "", n);
}

void hy_json_str(hy_json *j, const char *s)
{
    if (!s)
        hy_json_null(j);
    else
        hy_json_strn(j, s, strlen(s));
}

static void write_text(hy_json *j, const char *text, size_t n)
{
    char *w;
    bool comma;
    if (j->err)
        return;
    comma = take_comma(j);
    if ((w = room(j, n + 1))) {
        *w = ',';
        copy_small(w + comma, text, n);
        commit(j, w + comma + n);
    }
}

/* Two decimal digits a step (half the divisions of one at a time). */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

char *hy_put_uint(char *p, uint64_t v)
{
    static const uint64_t pow10[20] = {1ull,
                                       10ull,
                                       100ull,
                                       1000ull,
                                       10000ull,
                                       100000ull,
                                       1000000ull,
                                       10000000ull,
                                       100000000ull,
                                       1000000000ull,
                                       10000000000ull,
                                       100000000000ull,
                                       1000000000000ull,
                                       10000000000000ull,
                                       100000000000000ull,
                                       1000000000000000ull,
                                       10000000000000000ull,
                                       100000000000000000ull,
                                       1000000000000000000ull,
                                       10000000000000000000ull};
    /* digits: floor(log10 v) + 1, from the bit length (1233 / 4096 ~ log10 2) */
    unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233u >> 12;
    unsigned n = t + (v >= pow10[t]); /* 0 for v == 0 */
    char *end = p + (n ? n : 1), *q = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        memcpy(q, digit_pairs + 2 * r, 2);
    }
    if (v >= 10) {
        q -= 2;
        memcpy(q, digit_pairs + 2 * v, 2);
    } else {
        *--q = (char)('0' + v);
    }
    return end;
}

char *hy_put_int(char *p, int64_t v)
{
    if (v < 0)
        *p++ = '-';
    return hy_put_uint(p, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
}

void hy_json_int(hy_json *j, int64_t v)
{
    char tmp[24];
    write_text(j, tmp, (size_t)(hy_put_int(tmp, v) - tmp));
}

void hy_json_uint(hy_json *j, uint64_t v)
{
    char tmp[24];
    write_text(j, tmp, (size_t)(hy_put_uint(tmp, v) - tmp));
}

/* Shortest of %.15g/%.16g/%.17g that reads back as exactly v; %.17g always
 * does. A decimal comma from a foreign locale is turned back into a point. */
static int format_double(double v, char out[32])
{
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(out, 32, "%.*g", prec, v);
        for (char *c = out; *c; c++)
            if (*c == ',')
                *c = '.';
        if (strtod(out, NULL) == v)
            break;
    }
    return n;
}

void hy_json_double(hy_json *j, double v)
{
    char tmp[32];
    int n;

    if (!isfinite(v)) {
        hy_json_null(j);
        return;
    }
    n = format_double(v, tmp);
    write_text(j, tmp, (size_t)n);
}

char *hy_put_fixed(char *p, double v, int decimals)
{
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    double scaled;
    uint64_t u, p10;

    if (!isfinite(v)) {
        memcpy(p, "null", 4);
        return p + 4;
    }
    if (decimals < 0 || decimals > 9 || fabs(v) * pow10[decimals] >= 9e15)
        return p + format_double(v, p);
    scaled = fabs(v) * pow10[decimals] + 0.5;
    u = (uint64_t)scaled;
    p10 = (uint64_t)pow10[decimals];
    if (v < 0 && u)
        *p++ = '-';
    p = hy_put_uint(p, u / p10);
    uint64_t frac = u % p10;
    if (frac) {
        *p++ = '.';
        for (int d = decimals - 1; d >= 0; d--)
            p[d] = (char)('0' + frac % 10), frac /= 10;
        p += decimals;
        while (p[-1] == '0')
            p--;
    }
    return p;
}

void hy_json_fixed(hy_json *j, double v, int decimals)
{
    char tmp[32];
    write_text(j, tmp, (size_t)(hy_put_fixed(tmp, v, decimals) - tmp));
}

void hy_json_kfixed(hy_json *j, const char *k, double v, int decimals)
{
    hy_json_key(j, k);
    hy_json_fixed(j, v, decimals);
}

void hy_json_bool(hy_json *j, bool v)
{
    if (v)
        write_text(j, "true", 4);
    else
        write_text(j, "false", 5);
}

void hy_json_null(hy_json *j)
{
    write_text(j, "null", 4);
}

void hy_json_raw(hy_json *j, const char *text)
{
    if (!text) {
        if (!j->err)
            hy_err_set(HY_ERR_ARG, "json: raw NULL");
        fail(j, HY_ERR_ARG);
        return;
    }
    write_text(j, text, strlen(text));
}

void hy_json_kstr(hy_json *j, const char *k, const char *v)
{
    hy_json_key(j, k);
    hy_json_str(j, v);
}

void hy_json_kint(hy_json *j, const char *k, int64_t v)
{
    hy_json_key(j, k);
    hy_json_int(j, v);
}

void hy_json_kuint(hy_json *j, const char *k, uint64_t v)
{
    hy_json_key(j, k);
    hy_json_uint(j, v);
}

void hy_json_kdouble(hy_json *j, const char *k, double v)
{
    hy_json_key(j, k);
    hy_json_double(j, v);
}

void hy_json_kbool(hy_json *j, const char *k, bool v)
{
    hy_json_key(j, k);
    hy_json_bool(j, v);
}

/* Writes v as exactly `width` decimal digits (zero-padded) at p. */
static char *put_digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

/* Proleptic Gregorian date of a day count since 1970-01-01 (the civil-from-
 * days calculation over 400-year eras); no locale or time-zone lock. */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DDThh:mm:ss" of secs (19 characters) at out. */
static void format_second(uint64_t secs, char *out)
{
    unsigned sod = (unsigned)(secs % 86400);
    unsigned mon, day;
    int year;
    char *p = out;

    civil_from_days((int64_t)(secs / 86400), &year, &mon, &day);
    /* uint64 nanoseconds reach only year 2554: four year digits suffice. */
    p = put_digits(p, (unsigned)year, 4);
    *p++ = '-';
    p = put_digits(p, mon, 2);
    *p++ = '-';
    p = put_digits(p, day, 2);
    *p++ = 'T';
    p = put_digits(p, sod / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    put_digits(p, sod % 60, 2);
}

void hy_time_format(uint64_t ts_ns, char out[32])
{
    /* Records come in time order, many in the same second: the calendar
     * part is kept per thread for the last second formatted. */
    static _Thread_local uint64_t last_secs = UINT64_MAX;
    static _Thread_local char last_text[19];
    uint64_t secs = ts_ns / 1000000000u;

    if (secs != last_secs) {
        format_second(secs, last_text);
        last_secs = secs;
    }
    memcpy(out, last_text, 19);
    out[19] = '.';
    put_digits(out + 20, (unsigned)(ts_ns % 1000000000u / 1000u), 6);
    memcpy(out + 26, "+0000", 6);
}

char *hy_put_time(char *p, uint64_t ts_ns)
{
    hy_time_format(ts_ns, p);
    return p + 31;
}

void hy_json_time(hy_json *j, uint64_t ts_ns)
{
    char *w;
    bool comma;
    if (j->err)
        return;
    comma = take_comma(j);
    if ((w = room(j, 34))) { /* comma, quotes, 31 characters and their NUL */
        char *p = w;
        if (comma)
            *p++ = ',';
        *p++ = '"';
        hy_time_format(ts_ns, p);
        p[31] = '"';
        commit(j, p + 32);
    }
}

hy_err hy_json_finish(const hy_json *j)
{
    if (j->err)
        return j->err;
    if (j->depth || j->after_key)
        return hy_err_set(HY_ERR_ARG, "json: document left open at depth %d", j->depth);
    return HY_OK;
}

hy_err hy_json_extend(hy_json *j, hy_buf *out, const char *obj, size_t n)
{
    size_t k;
    while (n && strchr(" \t\r\n", obj[n - 1]))
        n--;
    if (n < 2 || obj[0] != '{' || obj[n - 1] != '}')
        return hy_err_set(HY_ERR_FORMAT, "json: not an object to extend");
    for (k = n - 1; k > 1 && strchr(" \t\r\n", obj[k - 1]); k--)
        ;
    hy_json_init(j, out);
    if ((j->err = hy_buf_add(out, obj, n - 1)) != HY_OK)
        return j->err;
    j->depth = 1;
    j->need_comma[1] = obj[k - 1] != '{'; /* "{}" has no member to follow */
    return HY_OK;
}
