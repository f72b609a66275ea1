/* Training data: the CSR builder, the entry points (format choice, text
 * files streamed line by line), the row split and stratified folds. The
 * text formats are in mldata_text.c and mldata_apiseq.c, EMBER in
 * mldata_ember.c. */
#include "hayate/mldata.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "hayate/limits.h"
#include "mldata_int.h"

/* ---- builder ---- */

hy_err hy__mld_build_init(hy__mld_build *b)
{
    memset(b, 0, sizeof *b);
    b->d = calloc(1, sizeof *b->d);
    if (!b->d)
        return hy_err_set(HY_ERR_NOMEM, "out of memory");
    b->cap_rows = 64;
    b->cap_nnz = 1024;
    b->d->indptr = calloc(b->cap_rows + 1, sizeof *b->d->indptr);
    b->d->labels = malloc(b->cap_rows * sizeof *b->d->labels);
    b->d->indices = malloc(b->cap_nnz * sizeof *b->d->indices);
    b->d->values = malloc(b->cap_nnz * sizeof *b->d->values);
    if (!b->d->indptr || !b->d->labels || !b->d->indices || !b->d->values) {
        hy__mld_build_free(b);
        return hy_err_set(HY_ERR_NOMEM, "out of memory");
    }
    return HY_OK;
}

/* Next capacity after cap: doubled, at most max, 0 when 8-byte entries
 * of that count would not fit in size_t (32-bit hosts). */
static size_t next_cap(size_t cap, size_t max)
{
    size_t n = cap < max / 2 ? cap * 2 : max;
    return n < SIZE_MAX / 8 ? n : 0;
}

hy_err hy__mld_add(hy__mld_build *b, uint32_t col, float v)
{
    hy_mldata *d = b->d;
    if ((size_t)col + 1 > d->cols)
        d->cols = (size_t)col + 1;
    if (v == 0.0f)
        return HY_OK;
    if (b->nnz >= HY_MLDATA_MAX_NNZ)
        return hy_err_set(HY_ERR_TOOBIG, "more than %zu stored values", (size_t)HY_MLDATA_MAX_NNZ);
    if (b->nnz == b->cap_nnz) {
        size_t n = next_cap(b->cap_nnz, HY_MLDATA_MAX_NNZ);
        uint32_t *ix = n ? realloc(d->indices, n * sizeof *ix) : NULL;
        if (ix)
            d->indices = ix;
        float *vs = ix ? realloc(d->values, n * sizeof *vs) : NULL;
        if (!vs)
            return hy_err_set(HY_ERR_NOMEM, "out of memory for %zu values", n);
        d->values = vs;
        b->cap_nnz = n;
    }
    d->indices[b->nnz] = col;
    d->values[b->nnz] = v;
    b->nnz++;
    return HY_OK;
}

hy_err hy__mld_end_row(hy__mld_build *b, float label)
{
    hy_mldata *d = b->d;
    if (d->rows >= HY_MLDATA_MAX_ROWS)
        return hy_err_set(HY_ERR_TOOBIG, "more than %u rows", HY_MLDATA_MAX_ROWS);
    if (d->rows == b->cap_rows) {
        size_t n = next_cap(b->cap_rows, HY_MLDATA_MAX_ROWS);
        size_t *ip = n ? realloc(d->indptr, (n + 1) * sizeof *ip) : NULL;
        if (ip)
            d->indptr = ip;
        float *lab = ip ? realloc(d->labels, n * sizeof *lab) : NULL;
        if (!lab)
            return hy_err_set(HY_ERR_NOMEM, "out of memory for %zu rows", n);
        d->labels = lab;
        b->cap_rows = n;
    }
    d->labels[d->rows] = label;
    d->rows++;
    d->indptr[d->rows] = b->nnz;
    return HY_OK;
}

hy_mldata *hy__mld_build_take(hy__mld_build *b)
{
    hy_mldata *d = b->d;
    size_t nnz = b->nnz ? b->nnz : 1, rows = d->rows ? d->rows : 1;
    /* give back the growth slack; a failed shrink keeps the larger block */
    uint32_t *ix = realloc(d->indices, nnz * sizeof *ix);
    float *vs = realloc(d->values, nnz * sizeof *vs);
    size_t *ip = realloc(d->indptr, (d->rows + 1) * sizeof *ip);
    float *lab = realloc(d->labels, rows * sizeof *lab);
    d->indices = ix ? ix : d->indices;
    d->values = vs ? vs : d->values;
    d->indptr = ip ? ip : d->indptr;
    d->labels = lab ? lab : d->labels;
    b->d = NULL;
    return d;
}

void hy__mld_build_free(hy__mld_build *b)
{
    hy_mldata_free(b->d);
    b->d = NULL;
}

void hy_mldata_free(hy_mldata *d)
{
    if (!d)
        return;
    free(d->indptr);
    free(d->indices);
    free(d->values);
    free(d->labels);
    free(d);
}

/* ---- entry points ---- */

hy_mldata_format hy_mldata_format_from_name(const char *s)
{
    static const struct {
        const char *name;
        hy_mldata_format fmt;
    } names[] = {{"auto", HY_MLDATA_AUTO},   {"libsvm", HY_MLDATA_LIBSVM},
                 {"svmlight", HY_MLDATA_LIBSVM}, {"csv", HY_MLDATA_CSV},
                 {"ember", HY_MLDATA_EMBER}, {"apiseq", HY_MLDATA_APISEQ}};
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0)
            return names[i].fmt;
    return HY_MLDATA_UNKNOWN;
}

static bool text_format(hy_mldata_format fmt)
{
    return fmt == HY_MLDATA_AUTO || fmt == HY_MLDATA_LIBSVM || fmt == HY_MLDATA_CSV ||
           fmt == HY_MLDATA_APISEQ;
}

hy_err hy_mldata_parse(const char *name, const uint8_t *buf, size_t n, hy_mldata_format fmt,
                       hy_mldata **out)
{
    if (out)
        *out = NULL;
    if (!out || (!buf && n > 0))
        return hy_err_set(HY_ERR_ARG, "hy_mldata_parse: NULL argument");
    if (!text_format(fmt))
        return hy_err_set(HY_ERR_ARG, "hy_mldata_parse: format %d is not a text format", fmt);
    hy__mld_text t;
    hy_err rc = hy__mld_text_init(&t, name ? name : "<memory>", fmt);
    if (rc != HY_OK)
        return rc;
    const char *p = (const char *)buf, *end = p + n;
    while (p < end && rc == HY_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        rc = hy__mld_text_line(&t, p, (size_t)(e - p));
        p = nl ? nl + 1 : end;
    }
    if (rc == HY_OK)
        rc = hy__mld_text_finish(&t, out);
    hy__mld_text_free(&t);
    return rc;
}

/* Feeds the lines of the open file f to t: a buffer one line long, refilled
 * behind the last complete line, so memory stays bounded on any input. */
static hy_err stream_lines(hy__mld_text *t, FILE *f, const char *path)
{
    size_t cap = (size_t)HY_MLDATA_MAX_LINE + 2, have = 0;
    char *buf = malloc(cap);
    if (!buf)
        return hy_err_set(HY_ERR_NOMEM, "out of memory");
    hy_err rc = HY_OK;
    for (;;) {
        size_t r = fread(buf + have, 1, cap - have, f);
        if (r == 0 && ferror(f)) {
            rc = hy_err_set(HY_ERR_IO, "%s: read failed: %s", path, strerror(errno));
            goto out;
        }
        have += r;
        size_t start = 0;
        char *nl;
        while ((nl = memchr(buf + start, '\n', have - start)) != NULL) {
            if ((rc = hy__mld_text_line(t, buf + start, (size_t)(nl - buf) - start)) != HY_OK)
                goto out;
            start = (size_t)(nl - buf) + 1;
        }
        if (r == 0) { /* end of file: a last line without '\n' */
            if (start < have)
                rc = hy__mld_text_line(t, buf + start, have - start);
            goto out;
        }
        memmove(buf, buf + start, have - start);
        have -= start;
        if (have == cap) /* no '\n' in a full buffer: the parser reports the long line */
            if ((rc = hy__mld_text_line(t, buf, have)) != HY_OK)
                goto out;
    }
out:
    free(buf);
    return rc;
}

static hy_err load_text(const char *path, hy_mldata_format fmt, hy_mldata **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hy_err_set(HY_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    hy__mld_text t;
    hy_err rc = hy__mld_text_init(&t, path, fmt);
    if (rc == HY_OK) {
        rc = stream_lines(&t, f, path);
        if (rc == HY_OK)
            rc = hy__mld_text_finish(&t, out);
        hy__mld_text_free(&t);
    }
    fclose(f);
    return rc;
}

static bool ends_with_dat(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".dat") == 0;
}

hy_err hy_mldata_load(const char *path, hy_mldata_format fmt, hy_mldata **out)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return hy_err_set(HY_ERR_ARG, "hy_mldata_load: NULL argument");
    if (!text_format(fmt) && fmt != HY_MLDATA_EMBER)
        return hy_err_set(HY_ERR_ARG, "%s: unknown data format %d", path, fmt);
    struct stat st;
    if (stat(path, &st) != 0)
        return hy_err_set(errno == ENOENT ? HY_ERR_NOTFOUND : HY_ERR_IO, "%s: %s", path,
                          strerror(errno));
    bool dir = S_ISDIR(st.st_mode);
    if (!dir && !S_ISREG(st.st_mode))
        return hy_err_set(HY_ERR_ARG, "%s: not a regular file or directory", path);
    if (fmt == HY_MLDATA_EMBER || (fmt == HY_MLDATA_AUTO && (dir || ends_with_dat(path))))
        return hy__mld_ember_load(path, dir, out);
    if (dir)
        return hy_err_set(HY_ERR_ARG, "%s: is a directory (only EMBER data is read from one)",
                          path);
    return load_text(path, fmt, out);
}

/* ---- split and folds ---- */

static hy_mldata *alloc_like(size_t rows, size_t nnz, size_t cols)
{
    hy_mldata *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->cols = cols;
    d->indptr = calloc(rows + 1, sizeof *d->indptr);
    d->labels = malloc((rows ? rows : 1) * sizeof *d->labels);
    d->indices = malloc((nnz ? nnz : 1) * sizeof *d->indices);
    d->values = malloc((nnz ? nnz : 1) * sizeof *d->values);
    if (!d->indptr || !d->labels || !d->indices || !d->values) {
        hy_mldata_free(d);
        return NULL;
    }
    return d;
}

static void append_row(hy_mldata *dst, const hy_mldata *src, size_t r)
{
    size_t a = src->indptr[r], n = src->indptr[r + 1] - a, at = dst->indptr[dst->rows];
    memcpy(dst->indices + at, src->indices + a, n * sizeof *src->indices);
    memcpy(dst->values + at, src->values + a, n * sizeof *src->values);
    dst->labels[dst->rows] = src->labels[r];
    dst->rows++;
    dst->indptr[dst->rows] = at + n;
}

hy_err hy_mldata_split(const hy_mldata *d, const uint8_t *in_test, hy_mldata **train,
                       hy_mldata **test)
{
    if (train)
        *train = NULL;
    if (test)
        *test = NULL;
    if (!d || !in_test || !train || !test)
        return hy_err_set(HY_ERR_ARG, "hy_mldata_split: NULL argument");
    size_t rows[2] = {0, 0}, nnz[2] = {0, 0};
    for (size_t r = 0; r < d->rows; r++) {
        int s = in_test[r] != 0;
        rows[s]++;
        nnz[s] += d->indptr[r + 1] - d->indptr[r];
    }
    hy_mldata *part[2] = {alloc_like(rows[0], nnz[0], d->cols),
                          alloc_like(rows[1], nnz[1], d->cols)};
    if (!part[0] || !part[1]) {
        hy_mldata_free(part[0]);
        hy_mldata_free(part[1]);
        return hy_err_set(HY_ERR_NOMEM, "hy_mldata_split: out of memory");
    }
    for (size_t r = 0; r < d->rows; r++)
        append_row(part[in_test[r] != 0], d, r);
    *train = part[0];
    *test = part[1];
    return HY_OK;
}

/* splitmix64 (Steele, Lea & Flood 2014): a seeded, portable stream. */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

hy_err hy_mldata_folds(const hy_mldata *d, unsigned k, uint64_t seed, uint8_t *fold)
{
    if (!d || !fold)
        return hy_err_set(HY_ERR_ARG, "hy_mldata_folds: NULL argument");
    if (k < 2 || k > 255 || k > d->rows)
        return hy_err_set(HY_ERR_ARG, "hy_mldata_folds: %u folds for %zu rows (need 2..255, "
                          "at most one per row)", k, d->rows);
    size_t *idx = malloc(d->rows * sizeof *idx);
    if (!idx)
        return hy_err_set(HY_ERR_NOMEM, "hy_mldata_folds: out of memory");
    uint64_t s = seed;
    size_t next = 0; /* fold of the next dealt row */
    for (int label = 0; label <= 1; label++) {
        size_t n = 0;
        for (size_t r = 0; r < d->rows; r++)
            if ((d->labels[r] > 0.5f) == (label == 1))
                idx[n++] = r;
        for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
            size_t j = (size_t)(splitmix64(&s) % i);
            size_t tmp = idx[i - 1];
            idx[i - 1] = idx[j];
            idx[j] = tmp;
        }
        for (size_t i = 0; i < n; i++) {
            fold[idx[i]] = (uint8_t)next;
            next = next + 1 == k ? 0 : next + 1;
        }
    }
    free(idx);
    return HY_OK;
}
