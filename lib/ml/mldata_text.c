/* Training data, text formats: the line driver (blank and comment lines,
 * format detection, error context), numbers, CSV fields, and the libsvm and
 * CSV row parsers. APISEQ rows are in mldata_apiseq.c. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hayate/limits.h"
#include "mldata_int.h"

#define NUM_MAX_CHARS 128 /* longest number token accepted */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

const char *hy__mld_show(char *out, const char *s, size_t n)
{
    size_t k = n > 32 ? 32 : n;
    for (size_t i = 0; i < k; i++)
        out[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
    strcpy(out + k, n > k ? "..." : "");
    return out;
}

/* ---- numbers ---- */

/* Length of the decimal float syntax at the start of s[0..n): [+-] digits
 * [. digits] [e [+-] digits], at least one mantissa digit. */
static size_t scan_decimal(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && isdigit((unsigned char)s[i]); i++)
        digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && isdigit((unsigned char)s[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1, ed = 0;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        for (; j < n && isdigit((unsigned char)s[j]); j++)
            ed++;
        if (ed == 0)
            return 0;
        i = j;
    }
    return i;
}

static bool nonfinite_word(const char *s, size_t n)
{
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        s++;
        n--;
    }
    static const char *const words[] = {"nan", "inf", "infinity", "-nan(ind)"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (n == strlen(words[i]) && strncasecmp(s, words[i], n) == 0)
            return true;
    return false;
}

hy__mld_num hy__mld_number(const char *s, size_t n, double *v)
{
    char tmp[NUM_MAX_CHARS + 1];
    if (nonfinite_word(s, n))
        return HY__MLD_NUM_NONFINITE;
    if (n == 0 || n > NUM_MAX_CHARS || scan_decimal(s, n) != n)
        return HY__MLD_NUM_BAD;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    double x = strtod(tmp, NULL);
    if ((errno == ERANGE && fabs(x) > 1.0) || !isfinite(x) || fabs(x) > FLT_MAX)
        return HY__MLD_NUM_RANGE;
    *v = x;
    return HY__MLD_NUM_OK;
}

/* Sets the detail for a value that did not parse (what: "label", "value at
 * column 3", ...). */
static hy_err number_error(hy__mld_num r, const char *s, size_t n, const char *what)
{
    char shown[48];
    hy__mld_show(shown, s, n);
    if (r == HY__MLD_NUM_NONFINITE)
        return hy_err_set(HY_ERR_FORMAT, "%s is NaN or infinite (\"%s\")", what, shown);
    if (r == HY__MLD_NUM_RANGE)
        return hy_err_set(HY_ERR_FORMAT, "%s \"%s\" is out of float range", what, shown);
    return hy_err_set(HY_ERR_FORMAT, "%s \"%s\" is not a number", what, shown);
}

/* ---- CSV fields ---- */

int hy__mld_next_field(hy__mld_fields *it, hy__mld_field *f)
{
    if (it->done)
        return 0;
    const char *p = it->p, *end = it->end;
    while (p < end && is_blank(*p))
        p++;
    if (p < end && *p == '"') {
        const char *q = ++p;
        for (;; q++) {
            if (q >= end)
                return hy_err_set(HY_ERR_FORMAT, "unterminated quoted field"), -1;
            if (*q == '"') {
                if (q + 1 < end && q[1] == '"') {
                    q++; /* "" inside: kept verbatim */
                    continue;
                }
                break;
            }
        }
        f->p = p;
        f->n = (size_t)(q - p);
        for (p = q + 1; p < end && is_blank(*p); p++)
            ;
        if (p < end && *p != ',')
            return hy_err_set(HY_ERR_FORMAT, "text after a closing quote"), -1;
    } else {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *e = c ? c : end;
        f->p = p;
        while (e > p && is_blank(e[-1]))
            e--;
        f->n = (size_t)(e - p);
        p = c ? c : end;
    }
    if (p < end)
        it->p = p + 1; /* past the comma */
    else
        it->done = true;
    return 1;
}

/* ---- libsvm ---- */

/* Next blank-separated token of s[*i..n) into [*t, *t + *tn); false at the end. */
static bool next_token(const char *s, size_t n, size_t *i, const char **t, size_t *tn)
{
    while (*i < n && is_blank(s[*i]))
        (*i)++;
    if (*i >= n)
        return false;
    size_t a = *i;
    while (*i < n && !is_blank(s[*i]))
        (*i)++;
    *t = s + a;
    *tn = *i - a;
    return true;
}

bool hy__mld_looks_libsvm(const char *s, size_t n)
{
    size_t i = 0, tn, d = 0;
    const char *t;
    if (!next_token(s, n, &i, &t, &tn) || !next_token(s, n, &i, &t, &tn))
        return false;
    if (tn >= 4 && strncasecmp(t, "qid:", 4) == 0)
        return true;
    while (d < tn && isdigit((unsigned char)t[d]))
        d++;
    return d > 0 && d < tn && t[d] == ':';
}

/* Parses "idx:val" (t, tn) into *col and *v; prev is the row's last index
 * (-1: none). */
static hy_err libsvm_pair(const char *t, size_t tn, int64_t prev, uint32_t *col, double *v)
{
    char shown[48];
    const char *colon = memchr(t, ':', tn);
    if (tn >= 4 && strncasecmp(t, "qid:", 4) == 0)
        return hy_err_set(HY_ERR_UNSUPPORTED, "\"%s\": qid tokens (ranking data) are not "
                          "supported", hy__mld_show(shown, t, tn));
    if (!colon)
        return hy_err_set(HY_ERR_FORMAT, "token \"%s\" is not index:value",
                          hy__mld_show(shown, t, tn));
    size_t in = (size_t)(colon - t);
    uint64_t idx = 0;
    if (in == 0)
        return hy_err_set(HY_ERR_FORMAT, "token \"%s\" has no index", hy__mld_show(shown, t, tn));
    for (size_t i = 0; i < in; i++) {
        if (!isdigit((unsigned char)t[i]))
            return hy_err_set(HY_ERR_FORMAT, "index \"%s\" is not a non-negative integer",
                              hy__mld_show(shown, t, in));
        if (idx < HY_MLDATA_MAX_COLS)
            idx = idx * 10 + (uint64_t)(t[i] - '0');
    }
    if (idx >= HY_MLDATA_MAX_COLS)
        return hy_err_set(HY_ERR_TOOBIG, "index %s is past the cap of %u columns",
                          hy__mld_show(shown, t, in), HY_MLDATA_MAX_COLS);
    if ((int64_t)idx <= prev)
        return hy_err_set(HY_ERR_FORMAT, "index %llu after %lld: indices must ascend",
                          (unsigned long long)idx, (long long)prev);
    hy__mld_num r = hy__mld_number(colon + 1, tn - in - 1, v);
    if (r != HY__MLD_NUM_OK) {
        char what[48];
        snprintf(what, sizeof what, "value of index %llu", (unsigned long long)idx);
        return number_error(r, colon + 1, tn - in - 1, what);
    }
    *col = (uint32_t)idx;
    return HY_OK;
}

hy_err hy__mld_libsvm_line(hy__mld_text *t, const char *s, size_t n)
{
    const char *hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    size_t i = 0, tn;
    const char *tok;
    double label, v;
    char shown[48];
    if (!next_token(s, n, &i, &tok, &tn))
        return HY_OK; /* only a comment */
    if (memchr(tok, ':', tn))
        return hy_err_set(HY_ERR_FORMAT, "missing label (the line starts with \"%s\")",
                          hy__mld_show(shown, tok, tn));
    hy__mld_num r = hy__mld_number(tok, tn, &label);
    if (r != HY__MLD_NUM_OK)
        return number_error(r, tok, tn, "label");
    int64_t prev = -1;
    while (next_token(s, n, &i, &tok, &tn)) {
        uint32_t col = 0;
        hy_err rc = libsvm_pair(tok, tn, prev, &col, &v);
        if (rc == HY_OK)
            rc = hy__mld_add(&t->b, col, (float)v);
        if (rc != HY_OK)
            return rc;
        prev = col;
    }
    return hy__mld_end_row(&t->b, label > 0 ? 1.0f : 0.0f);
}

/* ---- CSV ---- */

/* True when s is a header: some field is neither empty nor a number. */
static hy_err csv_is_header(const char *s, size_t n, bool *header, size_t *nfields)
{
    hy__mld_fields it = {s, s + n, false};
    hy__mld_field f;
    int k;
    double v;
    *header = false;
    *nfields = 0;
    while ((k = hy__mld_next_field(&it, &f)) == 1) {
        if (++*nfields > (size_t)HY_MLDATA_MAX_COLS + 1)
            return hy_err_set(HY_ERR_TOOBIG, "more than %u columns", HY_MLDATA_MAX_COLS);
        if (f.n > 0 && hy__mld_number(f.p, f.n, &v) == HY__MLD_NUM_BAD)
            *header = true;
    }
    return k < 0 ? HY_ERR_FORMAT : HY_OK;
}

hy_err hy__mld_csv_line(hy__mld_text *t, const char *s, size_t n)
{
    if (t->width == 0) {
        bool header;
        size_t nf;
        hy_err rc = csv_is_header(s, n, &header, &nf);
        if (rc != HY_OK)
            return rc;
        t->width = nf;
        t->width_line = t->line;
        t->b.d->cols = nf - 1;
        if (header)
            return HY_OK;
    }
    hy__mld_fields it = {s, s + n, false};
    hy__mld_field f;
    size_t nf = 0;
    double label = 0, v;
    int k;
    while ((k = hy__mld_next_field(&it, &f)) == 1) {
        if (++nf > t->width)
            continue; /* only counted, for the message */
        char what[48];
        if (nf == 1)
            snprintf(what, sizeof what, "label");
        else
            snprintf(what, sizeof what, "field %zu", nf);
        if (f.n == 0)
            return hy_err_set(HY_ERR_FORMAT, "%s is empty", what);
        hy__mld_num r = hy__mld_number(f.p, f.n, &v);
        if (r != HY__MLD_NUM_OK)
            return number_error(r, f.p, f.n, what);
        if (nf == 1) {
            label = v;
            continue;
        }
        hy_err rc = hy__mld_add(&t->b, (uint32_t)(nf - 2), (float)v);
        if (rc != HY_OK)
            return rc;
    }
    if (k < 0)
        return HY_ERR_FORMAT;
    if (nf != t->width)
        return hy_err_set(HY_ERR_FORMAT, "%zu fields, expected %zu (as on line %zu)", nf,
                          t->width, t->width_line);
    return hy__mld_end_row(&t->b, label > 0 ? 1.0f : 0.0f);
}

/* ---- the line driver ---- */

hy_err hy__mld_text_init(hy__mld_text *t, const char *name, hy_mldata_format fmt)
{
    memset(t, 0, sizeof *t);
    t->name = name;
    t->fmt = fmt;
    return hy__mld_build_init(&t->b);
}

/* Settles an AUTO format on the first content line. */
static void detect(hy__mld_text *t, const char *s, size_t n)
{
    if (n >= 13 && strncasecmp(s, "sha256,labels", 13) == 0)
        t->fmt = HY_MLDATA_APISEQ;
    else if (hy__mld_looks_libsvm(s, n))
        t->fmt = HY_MLDATA_LIBSVM;
    else
        t->fmt = HY_MLDATA_CSV;
}

static hy_err line_body(hy__mld_text *t, const char *s, size_t n)
{
    if (n > HY_MLDATA_MAX_LINE)
        return hy_err_set(HY_ERR_TOOBIG, "longer than %u bytes", HY_MLDATA_MAX_LINE);
    if (n > 0 && s[n - 1] == '\r')
        n--;
    size_t i = 0;
    while (i < n && (is_blank(s[i]) || s[i] == '\r'))
        i++;
    if (i == n || s[i] == '#')
        return HY_OK; /* blank or comment */
    if (!t->started) {
        t->started = true;
        if (t->fmt == HY_MLDATA_AUTO)
            detect(t, s + i, n - i);
        if (t->fmt == HY_MLDATA_APISEQ)
            t->b.d->cols = HY_MLDATA_APISEQ_DIM;
    }
    switch (t->fmt) {
    case HY_MLDATA_LIBSVM:
        return hy__mld_libsvm_line(t, s, n);
    case HY_MLDATA_CSV:
        return hy__mld_csv_line(t, s, n);
    case HY_MLDATA_APISEQ:
        return hy__mld_apiseq_line(t, s, n);
    default:
        return hy_err_set(HY_ERR_INTERNAL, "no text format chosen");
    }
}

hy_err hy__mld_text_line(hy__mld_text *t, const char *s, size_t n)
{
    t->line++;
    hy_err rc = line_body(t, s, n);
    if (rc != HY_OK)
        return hy_err_set(rc, "%s: line %zu: %s", t->name, t->line, hy_err_detail());
    return HY_OK;
}

hy_err hy__mld_text_finish(hy__mld_text *t, hy_mldata **out)
{
    if (t->fmt == HY_MLDATA_APISEQ)
        t->b.d->cols = HY_MLDATA_APISEQ_DIM;
    *out = hy__mld_build_take(&t->b);
    return HY_OK;
}

void hy__mld_text_free(hy__mld_text *t)
{
    hy__mld_build_free(&t->b);
    free(t->bins);
    free(t->scratch);
    t->bins = NULL;
    t->scratch = NULL;
}
