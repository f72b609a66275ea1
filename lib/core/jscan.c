/* Validating JSON pull scanner (include/hayate/jscan.h). Every byte is read
 * through at() or, for the 8-byte blocks of the string fast path, after
 * hy_fits; nothing indexes the input otherwise. Containers are skipped by an
 * iterative state machine with a bit stack (object or array per level), so
 * deep nesting costs no recursion. */
#include "hayate/jscan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull

/* The byte at i, or -1 past the end: the one bounds-checked read. */
static inline int at(const hy_jscan *s, size_t i)
{
    return i < s->n ? s->p[i] : -1;
}

static inline bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline size_t skip_ws(const hy_jscan *s, size_t i)
{
    int c;
    while ((c = at(s, i)) == ' ' || c == '\n' || c == '\r' || c == '\t')
        i++;
    return i;
}

/* Sets the detail: TRUNCATED when the input ended at i, FORMAT otherwise. */
static hy_err bad(const hy_jscan *s, size_t i, const char *what)
{
    if (i >= s->n)
        return hy_err_set(HY_ERR_TRUNCATED, "json: %s: input ends at byte %zu", what, s->n);
    return hy_err_set(HY_ERR_FORMAT, "json: %s at byte %zu", what, i);
}

void hy_jscan_init(hy_jscan *s, const void *data, size_t n, int max_depth)
{
    s->p = data;
    s->n = data ? n : 0;
    if (max_depth < 1)
        max_depth = 1;
    if (max_depth > HY_JSCAN_DEPTH_CAP)
        max_depth = HY_JSCAN_DEPTH_CAP;
    s->max_depth = max_depth;
}

/* ---- strings ---- */

/* Nonzero when one of the 8 bytes of x is '"', '\\' or below 0x20. */
static inline uint64_t special8(uint64_t x)
{
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    return ((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x);
}

/* First index >= j holding '"', '\\', a control byte, or the end: 16 bytes
 * at a time with SSE2 where the compiler targets it, then 8 by SWAR, then
 * byte by byte. Long base64 strings ("packet", "payload") dominate EVE. */
static inline size_t str_run(const hy_jscan *s, size_t j)
{
    int c;
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
    while (hy_fits(s->n, j, 16)) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s->p + j));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs)),
                                 _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return j + (size_t)__builtin_ctz(mask);
        j += 16;
    }
#endif
    while (hy_fits(s->n, j, 8)) {
        uint64_t x;
        memcpy(&x, s->p + j, 8);
        if (special8(x) & HIGH)
            break;
        j += 8;
    }
    while ((c = at(s, j)) >= 0x20 && c != '"' && c != '\\')
        j++;
    return j;
}

static inline int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The four hex digits at i as *u; false (with the failing index in *bad_at)
 * on a non-hex digit or the end. */
static bool hex4(const hy_jscan *s, size_t i, uint32_t *u, size_t *bad_at)
{
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(at(s, i + k));
        if (h < 0) {
            *bad_at = i + k;
            return false;
        }
        v = v << 4 | (uint32_t)h;
    }
    *u = v;
    return true;
}

/* Reads the \u escape at *j ('\\' there) and a following low surrogate when
 * it is a high one; *cp gets the code point, *j moves past it all. */
static hy_err read_uesc(const hy_jscan *s, size_t *j, uint32_t *cp)
{
    uint32_t u, lo;
    size_t e = *j;
    if (!hex4(s, *j + 2, &u, &e))
        return bad(s, e, "bad \\u escape");
    if (u >= 0xDC00 && u <= 0xDFFF)
        return bad(s, *j, "lone low surrogate");
    if (u < 0xD800 || u > 0xDBFF) {
        *j += 6;
        *cp = u;
        return HY_OK;
    }
    if (at(s, *j + 6) != '\\' || at(s, *j + 7) != 'u')
        return bad(s, *j + 6, "high surrogate without its low half");
    if (!hex4(s, *j + 8, &lo, &e))
        return bad(s, e, "bad \\u escape");
    if (lo < 0xDC00 || lo > 0xDFFF)
        return bad(s, *j + 6, "high surrogate without its low half");
    *j += 12;
    *cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    return HY_OK;
}

/* The simple escape after '\\' as its byte, or -1. */
static int simple_esc(int c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return -1;
    }
}

/* Validates the escape at *j and moves past it; *nul set by \u0000. */
static hy_err scan_esc(const hy_jscan *s, size_t *j, bool *nul)
{
    uint32_t cp;
    hy_err rc;
    int c = at(s, *j + 1);
    if (c == 'u') {
        if ((rc = read_uesc(s, j, &cp)) != HY_OK)
            return rc;
        if (cp == 0)
            *nul = true;
        return HY_OK;
    }
    if (simple_esc(c) < 0)
        return bad(s, *j + 1, "bad escape");
    *j += 2;
    return HY_OK;
}

/* Validates the string whose quote is at *i; *i moves past the closing one. */
static hy_err scan_str(const hy_jscan *s, size_t *i, bool *esc, bool *nul)
{
    size_t j = *i + 1;
    hy_err rc;
    for (;;) {
        int c;
        j = str_run(s, j);
        c = at(s, j);
        if (c == '"') {
            *i = j + 1;
            return HY_OK;
        }
        if (c != '\\')
            return bad(s, j, c < 0 ? "unterminated string" : "control character in string");
        if ((rc = scan_esc(s, &j, nul)) != HY_OK)
            return rc;
        *esc = true;
    }
}

/* ---- scalars ---- */

static size_t digits(const hy_jscan *s, size_t j)
{
    while (is_digit(at(s, j)))
        j++;
    return j;
}

/* Validates the number at *i per RFC 8259 section 6. */
static hy_err scan_num(const hy_jscan *s, size_t *i)
{
    size_t j = *i;
    int c;
    if (at(s, j) == '-')
        j++;
    c = at(s, j);
    if (c == '0')
        j++;
    else if (c >= '1' && c <= '9')
        j = digits(s, j + 1);
    else
        return bad(s, j, "bad number");
    if (at(s, j) == '.') {
        if (!is_digit(at(s, j + 1)))
            return bad(s, j + 1, "bad number fraction");
        j = digits(s, j + 1);
    }
    c = at(s, j);
    if (c == 'e' || c == 'E') {
        c = at(s, ++j);
        if (c == '+' || c == '-')
            j++;
        if (!is_digit(at(s, j)))
            return bad(s, j, "bad number exponent");
        j = digits(s, j);
    }
    *i = j;
    return HY_OK;
}

static hy_err scan_lit(const hy_jscan *s, size_t *i, const char *lit)
{
    size_t k;
    for (k = 0; lit[k]; k++)
        if (at(s, *i + k) != (uint8_t)lit[k])
            return bad(s, *i + k, "bad literal");
    *i += k;
    return HY_OK;
}

/* Validates the scalar at *i (first byte c), setting v's kind and flags. */
static hy_err scan_scalar(const hy_jscan *s, size_t *i, int c, hy_jval *v)
{
    switch (c) {
    case '"': v->kind = HY_JSTR; return scan_str(s, i, &v->esc, &v->nul);
    case 't': v->kind = HY_JTRUE; return scan_lit(s, i, "true");
    case 'f': v->kind = HY_JFALSE; return scan_lit(s, i, "false");
    case 'n': v->kind = HY_JNULL; return scan_lit(s, i, "null");
    default:
        if (c == '-' || is_digit(c)) {
            v->kind = HY_JNUM;
            return scan_num(s, i);
        }
        return bad(s, *i, "expected a value");
    }
}

/* ---- containers ---- */

typedef struct skipper {
    uint64_t obj[HY_JSCAN_DEPTH_CAP / 64]; /* bit set: that level is an object */
    int d;                                 /* levels open */
} skipper;

static inline bool top_is_obj(const skipper *k)
{
    int l = k->d - 1;
    return k->obj[l / 64] >> (l % 64) & 1;
}

/* Opens the container at *j (depth base + k->d) and moves past its first
 * byte. */
static hy_err open_level(const hy_jscan *s, skipper *k, size_t *j, int base, int c)
{
    uint64_t bit;
    if (base + k->d > s->max_depth)
        return hy_err_set(HY_ERR_FORMAT, "json: nesting deeper than %d at byte %zu",
                          s->max_depth, *j);
    bit = 1ull << (k->d % 64);
    if (c == '{')
        k->obj[k->d / 64] |= bit;
    else
        k->obj[k->d / 64] &= ~bit;
    k->d++;
    (*j)++;
    return HY_OK;
}

/* Reads a key and its colon at j (whitespace before both allowed). */
static hy_err scan_key(const hy_jscan *s, size_t *j)
{
    bool esc = false, nul = false;
    hy_err rc;
    *j = skip_ws(s, *j);
    if (at(s, *j) != '"')
        return bad(s, *j, "expected a key");
    if ((rc = scan_str(s, j, &esc, &nul)) != HY_OK)
        return rc;
    *j = skip_ws(s, *j);
    if (at(s, *j) != ':')
        return bad(s, *j, "expected ':'");
    (*j)++;
    return HY_OK;
}

/* After a value inside the open levels: consumes ',' (and the next key in an
 * object) or closes levels. *more tells whether a value is expected next. */
static hy_err after_value(const hy_jscan *s, skipper *k, size_t *j, bool *more)
{
    while (k->d > 0) {
        bool obj = top_is_obj(k);
        int c;
        *j = skip_ws(s, *j);
        c = at(s, *j);
        if (c == ',') {
            (*j)++;
            *more = true;
            return obj ? scan_key(s, j) : HY_OK;
        }
        if (c != (obj ? '}' : ']'))
            return bad(s, *j, obj ? "expected ',' or '}'" : "expected ',' or ']'");
        (*j)++;
        k->d--;
    }
    *more = false;
    return HY_OK;
}

/* Validates the container at *i (depth base) and everything inside. */
static hy_err skip_container(const hy_jscan *s, size_t *i, int base)
{
    skipper k;
    size_t j = *i;
    hy_err rc;
    bool more = true;
    int c = at(s, j);
    k.d = 0;
    while (more) {
        if (c == '{' || c == '[') {
            if ((rc = open_level(s, &k, &j, base, c)) != HY_OK)
                return rc;
            j = skip_ws(s, j);
            if (at(s, j) == (c == '{' ? '}' : ']')) {
                j++;
                k.d--;
            } else if (c == '{' && (rc = scan_key(s, &j)) != HY_OK) {
                return rc;
            } else {
                j = skip_ws(s, j);
                c = at(s, j);
                continue;
            }
        } else {
            hy_jval v = {0};
            if ((rc = scan_scalar(s, &j, c, &v)) != HY_OK)
                return rc;
        }
        if ((rc = after_value(s, &k, &j, &more)) != HY_OK)
            return rc;
        if (more) {
            j = skip_ws(s, j);
            c = at(s, j);
        }
    }
    *i = j;
    return HY_OK;
}

/* Validates the value at *i (no whitespace before it) at depth; fills v. */
static hy_err scan_value(const hy_jscan *s, size_t *i, int depth, hy_jval *v)
{
    size_t j = *i;
    hy_err rc;
    int c = at(s, j);
    v->off = j;
    v->depth = depth;
    v->esc = v->nul = false;
    if (c == '{' || c == '[') {
        v->kind = c == '{' ? HY_JOBJ : HY_JARR;
        rc = skip_container(s, &j, depth);
    } else {
        rc = scan_scalar(s, &j, c, v);
    }
    if (rc != HY_OK)
        return rc;
    v->end = j;
    *i = j;
    return HY_OK;
}

hy_err hy_jscan_finish(const hy_jscan *s, size_t end)
{
    size_t j = skip_ws(s, end);
    if (j < s->n)
        return hy_err_set(HY_ERR_FORMAT, "json: trailing bytes after the document at byte %zu", j);
    return HY_OK;
}

hy_err hy_jscan_doc(const hy_jscan *s, hy_jval *root)
{
    size_t j = skip_ws(s, 0);
    hy_err rc = scan_value(s, &j, 1, root);
    return rc != HY_OK ? rc : hy_jscan_finish(s, j);
}

hy_err hy_jscan_root(const hy_jscan *s, hy_jval *root)
{
    size_t j = skip_ws(s, 0);
    int c = at(s, j);
    memset(root, 0, sizeof *root);
    if (c == '{' || c == '[') {
        root->kind = c == '{' ? HY_JOBJ : HY_JARR;
        root->off = j;
        root->depth = 1;
        return HY_OK;
    }
    if (c < 0)
        return bad(s, j, "empty document");
    return scan_value(s, &j, 1, root);
}

hy_err hy_jscan_begin(const hy_jscan *s, const hy_jval *v, hy_jiter *it)
{
    int c = at(s, v->off);
    if ((c != '{' || v->kind != HY_JOBJ) && (c != '[' || v->kind != HY_JARR))
        return hy_err_set(HY_ERR_ARG, "json: begin on a value that is not a container");
    if (v->depth < 1 || v->depth > s->max_depth)
        return hy_err_set(HY_ERR_FORMAT, "json: nesting deeper than %d at byte %zu",
                          s->max_depth, v->off);
    it->pos = v->off + 1;
    it->depth = v->depth;
    it->close = c == '{' ? '}' : ']';
    it->done = false;
    it->count = 0;
    return HY_OK;
}

/* Moves it to the next item: HY_OK with it->pos at its first byte (a key's
 * quote in objects), HY_ERR_NOTFOUND at the close. */
static hy_err next_item(const hy_jscan *s, hy_jiter *it)
{
    size_t j;
    int c;
    if (it->done)
        return HY_ERR_NOTFOUND;
    j = skip_ws(s, it->pos);
    c = at(s, j);
    if (c == it->close) {
        it->pos = j + 1;
        it->done = true;
        return HY_ERR_NOTFOUND;
    }
    if (it->count > 0) {
        if (c != ',')
            return bad(s, j, it->close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        j = skip_ws(s, j + 1);
    }
    it->pos = j;
    return HY_OK;
}

hy_err hy_jscan_member(const hy_jscan *s, hy_jiter *it, hy_jval *key, hy_jval *val)
{
    size_t j;
    hy_err rc;
    if (it->close != '}')
        return hy_err_set(HY_ERR_ARG, "json: member() on an array");
    if ((rc = next_item(s, it)) != HY_OK)
        return rc;
    j = it->pos;
    memset(key, 0, sizeof *key);
    key->kind = HY_JSTR;
    key->off = j;
    key->depth = it->depth + 1;
    if (at(s, j) != '"')
        return bad(s, j, "expected a key");
    if ((rc = scan_str(s, &j, &key->esc, &key->nul)) != HY_OK)
        return rc;
    key->end = j;
    j = skip_ws(s, j);
    if (at(s, j) != ':')
        return bad(s, j, "expected ':'");
    j = skip_ws(s, j + 1);
    if ((rc = scan_value(s, &j, it->depth + 1, val)) != HY_OK)
        return rc;
    it->pos = j;
    it->count++;
    return HY_OK;
}

hy_err hy_jscan_element(const hy_jscan *s, hy_jiter *it, hy_jval *val)
{
    size_t j;
    hy_err rc;
    if (it->close != ']')
        return hy_err_set(HY_ERR_ARG, "json: element() on an object");
    if ((rc = next_item(s, it)) != HY_OK)
        return rc;
    j = it->pos;
    if ((rc = scan_value(s, &j, it->depth + 1, val)) != HY_OK)
        return rc;
    it->pos = j;
    it->count++;
    return HY_OK;
}

/* ---- decoding ---- */

/* Appends code point cp as UTF-8 at buf[*w]; false when it does not fit. */
static bool put_utf8(char *buf, size_t cap, size_t *w, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | cp >> 6);
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | cp >> 12);
        b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | cp >> 18);
        b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (!hy_fits(cap, *w, n))
        return false;
    memcpy(buf + *w, b, n);
    *w += n;
    return true;
}

/* Copies the plain bytes [from, to) of the input to buf[*w]. */
static bool put_run(const hy_jscan *s, size_t from, size_t to, char *buf, size_t cap, size_t *w)
{
    if (to < from || !hy_fits(s->n, from, to - from) || !hy_fits(cap, *w, to - from))
        return false;
    memcpy(buf + *w, s->p + from, to - from);
    *w += to - from;
    return true;
}

/* Decodes the escape at *j into buf[*w]; false on no room or bad input. */
static bool put_esc(const hy_jscan *s, size_t *j, char *buf, size_t cap, size_t *w)
{
    uint32_t cp;
    int c = at(s, *j + 1);
    if (c == 'u') {
        hy_err rc = read_uesc(s, j, &cp);
        return rc == HY_OK && put_utf8(buf, cap, w, cp);
    }
    if ((c = simple_esc(c)) < 0 || !hy_fits(cap, *w, 1))
        return false;
    buf[(*w)++] = (char)c;
    *j += 2;
    return true;
}

hy_err hy_jscan_str(const hy_jscan *s, const hy_jval *v, char *buf, size_t cap, size_t *n)
{
    size_t j, end, w = 0;
    if (v->kind != HY_JSTR || v->end < v->off + 2 || v->end > s->n || !buf)
        return hy_err_set(HY_ERR_ARG, "json: not a scanned string");
    j = v->off + 1;
    end = v->end - 1;
    while (j < end) {
        const uint8_t *bs = v->esc ? memchr(s->p + j, '\\', end - j) : NULL;
        size_t stop = bs ? (size_t)(bs - s->p) : end;
        if (!put_run(s, j, stop, buf, cap, &w))
            return hy_err_set(HY_ERR_TOOBIG, "json: string longer than %zu bytes", cap);
        j = stop;
        if (j < end && !put_esc(s, &j, buf, cap, &w))
            return hy_err_set(HY_ERR_TOOBIG, "json: string longer than %zu bytes", cap);
    }
    if (w < cap)
        buf[w] = '\0';
    *n = w;
    return HY_OK;
}

hy_err hy_jscan_text(const hy_jscan *s, const hy_jval *v, char *buf, size_t cap,
                     const char **out, size_t *n)
{
    hy_err rc;
    if (v->kind != HY_JSTR || v->end < v->off + 2 || v->end > s->n)
        return hy_err_set(HY_ERR_ARG, "json: not a scanned string");
    if (!v->esc) {
        *out = (const char *)s->p + v->off + 1;
        *n = v->end - v->off - 2;
        return HY_OK;
    }
    if ((rc = hy_jscan_str(s, v, buf, cap, n)) != HY_OK)
        return rc;
    *out = buf;
    return HY_OK;
}

bool hy_jscan_is(const hy_jscan *s, const hy_jval *v, const char *lit)
{
    char buf[64];
    const char *t = NULL;
    size_t n = 0, ln = strlen(lit);
    if (hy_jscan_text(s, v, buf, sizeof buf, &t, &n) != HY_OK)
        return false;
    return n == ln && memcmp(t, lit, n) == 0;
}

/* ---- numbers ---- */

/* Checks v is an integer: its digits start at *from, *neg for a leading minus. */
static hy_err int_span(const hy_jscan *s, const hy_jval *v, size_t *from, bool *neg)
{
    if (v->kind != HY_JNUM || v->end <= v->off || v->end > s->n)
        return hy_err_set(HY_ERR_FORMAT, "json: not a number");
    *neg = at(s, v->off) == '-';
    *from = v->off + *neg;
    for (size_t j = *from; j < v->end; j++)
        if (!is_digit(at(s, j)))
            return hy_err_set(HY_ERR_FORMAT, "json: not an integer at byte %zu", v->off);
    return HY_OK;
}

/* Accumulates the decimal digits [from, to) into *out, at most lim. */
static bool acc_digits(const hy_jscan *s, size_t from, size_t to, uint64_t lim, uint64_t *out)
{
    uint64_t x = 0;
    for (size_t j = from; j < to; j++) {
        unsigned d = (unsigned)(at(s, j) - '0');
        if (x > (lim - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

hy_err hy_jscan_u64(const hy_jscan *s, const hy_jval *v, uint64_t *out)
{
    size_t from;
    bool neg;
    uint64_t x;
    hy_err rc = int_span(s, v, &from, &neg);
    if (rc != HY_OK)
        return rc;
    if (neg)
        return hy_err_set(HY_ERR_FORMAT, "json: negative where unsigned expected at byte %zu",
                          v->off);
    if (!acc_digits(s, from, v->end, UINT64_MAX, &x))
        return hy_err_set(HY_ERR_TOOBIG, "json: integer above 2^64-1 at byte %zu", v->off);
    *out = x;
    return HY_OK;
}

hy_err hy_jscan_i64(const hy_jscan *s, const hy_jval *v, int64_t *out)
{
    size_t from;
    bool neg;
    uint64_t x;
    hy_err rc = int_span(s, v, &from, &neg);
    if (rc != HY_OK)
        return rc;
    if (!acc_digits(s, from, v->end, neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &x))
        return hy_err_set(HY_ERR_TOOBIG, "json: integer out of int64 range at byte %zu", v->off);
    *out = neg ? (int64_t)(0 - x) : (int64_t)x;
    return HY_OK;
}

hy_err hy_jscan_double(const hy_jscan *s, const hy_jval *v, double *out)
{
    char tmp[128];
    char *e;
    double d;
    size_t len;
    if (v->kind != HY_JNUM || v->end <= v->off || v->end > s->n)
        return hy_err_set(HY_ERR_FORMAT, "json: not a number");
    len = v->end - v->off;
    if (len >= sizeof tmp)
        return hy_err_set(HY_ERR_TOOBIG, "json: number longer than %zu bytes at byte %zu",
                          sizeof tmp - 1, v->off);
    memcpy(tmp, s->p + v->off, len);
    tmp[len] = '\0';
    errno = 0;
    d = strtod(tmp, &e);
    if (e != tmp + len)
        return hy_err_set(HY_ERR_FORMAT, "json: bad number at byte %zu", v->off);
    if (errno == ERANGE && isinf(d))
        return hy_err_set(HY_ERR_TOOBIG, "json: number overflows a double at byte %zu", v->off);
    *out = d;
    return HY_OK;
}
