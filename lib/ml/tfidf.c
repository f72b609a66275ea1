/* TF-IDF over hashed word and character n-grams (include/hayate/tfidf.h).
 *
 * A text is turned into a list of bucket numbers (one per feature
 * occurrence); fitting counts each distinct bucket once per text, and a
 * transform sorts the text's columns so equal ones are counted as one run.
 * A table of 2^hash_bits entries maps a bucket to its column (-1: dropped),
 * so a transform does no search. */
#include "hayate/tfidf.h"
#include "hayate/ember.h" /* hy_murmur3_32 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEED_WORD   0x9e3779b9u
#define SEED_BIGRAM 0x85ebca6bu
#define SEED_CHAR   0xc2b2ae35u

#define FLAG_UNI    1u
#define FLAG_BI     2u
#define FLAG_SUBLIN 4u
#define FLAG_DIGITS 8u

struct hy_tfidf {
    hy_tfidf_opts o;
    size_t nfeat;
    uint32_t *bucket; /* per column, ascending */
    float *idf;       /* per column */
    int32_t *col;     /* per bucket: column or -1 */
};

/* ---- sparse matrix ---- */

void hy_sparse_init(hy_sparse *m, size_t cols)
{
    memset(m, 0, sizeof *m);
    m->cols = cols;
}

void hy_sparse_free(hy_sparse *m)
{
    if (!m)
        return;
    free(m->indptr);
    free(m->indices);
    free(m->values);
    hy_sparse_init(m, m->cols);
}

static hy_err sparse_reserve(hy_sparse *m, size_t nnz)
{
    if (m->rows + 2 > m->cap_rows) {
        size_t c = m->cap_rows ? m->cap_rows * 2 : 64;
        size_t *p = realloc(m->indptr, c * sizeof *p);
        if (!p)
            return hy_err_set(HY_ERR_NOMEM, "sparse matrix: %zu rows", c);
        if (!m->indptr)
            p[0] = 0;
        m->indptr = p;
        m->cap_rows = c;
    }
    size_t have = m->indptr[m->rows];
    if (nnz > SIZE_MAX / 8 - have)
        return hy_err_set(HY_ERR_NOMEM, "sparse matrix: too many values");
    if (have + nnz > m->cap_nnz) {
        size_t c = m->cap_nnz ? m->cap_nnz : 1024;
        while (c < have + nnz)
            c *= 2;
        uint32_t *ix = realloc(m->indices, c * sizeof *ix);
        if (!ix)
            return hy_err_set(HY_ERR_NOMEM, "sparse matrix: %zu values", c);
        m->indices = ix;
        float *v = realloc(m->values, c * sizeof *v);
        if (!v)
            return hy_err_set(HY_ERR_NOMEM, "sparse matrix: %zu values", c);
        m->values = v;
        m->cap_nnz = c;
    }
    return HY_OK;
}

hy_err hy_sparse_add_row(hy_sparse *m, const uint32_t *idx, const float *val, size_t n)
{
    if (!m || (n && (!idx || !val)))
        return hy_err_set(HY_ERR_ARG, "sparse row: NULL argument");
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= m->cols || (i && idx[i] <= idx[i - 1]))
            return hy_err_set(HY_ERR_ARG, "sparse row: column %u out of order or >= %zu",
                              (unsigned)idx[i], m->cols);
    hy_err rc = sparse_reserve(m, n);
    if (rc != HY_OK)
        return rc;
    size_t at = m->indptr[m->rows];
    if (n) {
        memcpy(m->indices + at, idx, n * sizeof *idx);
        memcpy(m->values + at, val, n * sizeof *val);
    }
    m->indptr[++m->rows] = at + n;
    return HY_OK;
}

/* ---- options ---- */

void hy_tfidf_opts_default(hy_tfidf_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->hash_bits = 20;
    o->char_min = 3;
    o->char_max = 5;
    o->word_unigrams = true;
    o->word_bigrams = true;
    o->sublinear_tf = true;
    o->fold_digits = true;
    o->min_df = 2;
}

hy_err hy_tfidf_opts_check(const hy_tfidf_opts *o)
{
    if (!o)
        return hy_err_set(HY_ERR_ARG, "tfidf: NULL options");
    if (o->hash_bits < HY_TFIDF_MIN_BITS || o->hash_bits > HY_TFIDF_MAX_BITS)
        return hy_err_set(HY_ERR_ARG, "tfidf: hash_bits %u not in %u..%u", o->hash_bits,
                          HY_TFIDF_MIN_BITS, HY_TFIDF_MAX_BITS);
    if (o->char_max > HY_TFIDF_MAX_NGRAM || (o->char_min && o->char_min > o->char_max) ||
        (!o->char_min && o->char_max))
        return hy_err_set(HY_ERR_ARG, "tfidf: char n-gram range %u..%u invalid (max %u)",
                          o->char_min, o->char_max, HY_TFIDF_MAX_NGRAM);
    if (!o->char_min && !o->word_unigrams && !o->word_bigrams)
        return hy_err_set(HY_ERR_ARG, "tfidf: no feature kind enabled");
    if (o->min_df < 1)
        return hy_err_set(HY_ERR_ARG, "tfidf: min_df must be >= 1");
    return HY_OK;
}

/* ---- tokenising into buckets ---- */

typedef struct ids {
    uint32_t *v;
    size_t n, cap;
} ids;

static hy_err ids_push(ids *a, uint32_t x)
{
    if (a->n == a->cap) {
        size_t c = a->cap ? a->cap * 2 : 256;
        uint32_t *p = realloc(a->v, c * sizeof *p);
        if (!p)
            return hy_err_set(HY_ERR_NOMEM, "tfidf: %zu features", c);
        a->v = p;
        a->cap = c;
    }
    a->v[a->n++] = x;
    return HY_OK;
}

static bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c >= 0x80;
}

static char norm_byte(unsigned char c, bool fold)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c + 32);
    if (fold && c >= '0' && c <= '9')
        return '0';
    return (char)c;
}

/* Buckets of one token w[1..n] (w[0] and w[n + 1] are the padding spaces). */
static hy_err word_features(const hy_tfidf_opts *o, const char *w, size_t n, uint32_t mask,
                            uint32_t *prev, bool *have_prev, ids *out)
{
    hy_err rc = HY_OK;
    uint32_t h = hy_murmur3_32(w + 1, n, SEED_WORD);
    if (o->word_unigrams && (rc = ids_push(out, h & mask)) != HY_OK)
        return rc;
    if (o->word_bigrams && *have_prev) {
        uint8_t pair[8];
        memcpy(pair, prev, 4);
        memcpy(pair + 4, &h, 4);
        if ((rc = ids_push(out, hy_murmur3_32(pair, 8, SEED_BIGRAM) & mask)) != HY_OK)
            return rc;
    }
    *prev = h;
    *have_prev = true;
    for (size_t g = o->char_min; o->char_min && g <= o->char_max && g <= n + 2; g++)
        for (size_t i = 0; i + g <= n + 2; i++)
            if ((rc = ids_push(out, hy_murmur3_32(w + i, g, SEED_CHAR) & mask)) != HY_OK)
                return rc;
    return rc;
}

/* Every feature occurrence of doc as a bucket number, in text order. */
static hy_err doc_buckets(const hy_tfidf_opts *o, const char *doc, size_t len, ids *out)
{
    char w[HY_TFIDF_MAX_WORD + 2];
    uint32_t mask = (1u << o->hash_bits) - 1, prev = 0;
    bool have_prev = false;
    hy_err rc = HY_OK;
    out->n = 0;
    if (len > HY_TFIDF_MAX_DOC)
        len = HY_TFIDF_MAX_DOC;
    for (size_t i = 0; i < len && rc == HY_OK;) {
        if (!is_word_byte((unsigned char)doc[i])) {
            i++;
            continue;
        }
        size_t n = 0;
        w[0] = ' ';
        for (; i < len && is_word_byte((unsigned char)doc[i]); i++)
            if (n < HY_TFIDF_MAX_WORD)
                w[1 + n++] = norm_byte((unsigned char)doc[i], o->fold_digits);
        w[n + 1] = ' ';
        rc = word_features(o, w, n, mask, &prev, &have_prev, out);
    }
    return rc;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

uint32_t hy_tfidf_word_bucket(const hy_tfidf *t, const char *w, size_t n)
{
    char b[HY_TFIDF_MAX_WORD];
    if (!t || (!w && n))
        return 0;
    if (n > HY_TFIDF_MAX_WORD)
        n = HY_TFIDF_MAX_WORD;
    for (size_t i = 0; i < n; i++)
        b[i] = norm_byte((unsigned char)w[i], t->o.fold_digits);
    return hy_murmur3_32(b, n, SEED_WORD) & ((1u << t->o.hash_bits) - 1);
}

/* ---- fitting ---- */

static hy_tfidf *tfidf_alloc(const hy_tfidf_opts *o, size_t nfeat)
{
    hy_tfidf *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->o = *o;
    t->nfeat = nfeat;
    t->bucket = malloc((nfeat ? nfeat : 1) * sizeof *t->bucket);
    t->idf = malloc((nfeat ? nfeat : 1) * sizeof *t->idf);
    t->col = malloc(((size_t)1 << o->hash_bits) * sizeof *t->col);
    if (!t->bucket || !t->idf || !t->col) {
        hy_tfidf_free(t);
        return NULL;
    }
    memset(t->col, 0xff, ((size_t)1 << o->hash_bits) * sizeof *t->col);
    return t;
}

/* Document frequencies of every bucket over the n texts. */
static hy_err count_df(const hy_tfidf_opts *o, const char *const *docs, const size_t *lens,
                       size_t n, uint32_t *df)
{
    ids a = {0};
    hy_err rc = HY_OK;
    for (size_t d = 0; d < n && rc == HY_OK; d++) {
        if (!docs[d] && lens[d]) {
            rc = hy_err_set(HY_ERR_ARG, "tfidf: text %zu is NULL", d);
            break;
        }
        if ((rc = doc_buckets(o, docs[d], lens[d], &a)) != HY_OK)
            break;
        if (a.n > 1)
            qsort(a.v, a.n, sizeof *a.v, cmp_u32);
        for (size_t i = 0; i < a.n; i++)
            if (!i || a.v[i] != a.v[i - 1])
                df[a.v[i]]++;
    }
    free(a.v);
    return rc;
}

typedef struct df_item {
    uint32_t bucket, df;
} df_item;

static int by_df_desc(const void *a, const void *b)
{
    const df_item *x = a, *y = b;
    if (x->df != y->df)
        return x->df < y->df ? 1 : -1;
    return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

static int by_bucket(const void *a, const void *b)
{
    const df_item *x = a, *y = b;
    return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

/* The kept buckets (min_df, max_features), in bucket order. */
static hy_err select_buckets(const hy_tfidf_opts *o, const uint32_t *df, df_item **items,
                             size_t *count)
{
    size_t nb = (size_t)1 << o->hash_bits, k = 0;
    for (size_t b = 0; b < nb; b++)
        k += df[b] >= o->min_df;
    df_item *it = malloc((k ? k : 1) * sizeof *it);
    if (!it)
        return hy_err_set(HY_ERR_NOMEM, "tfidf: %zu features", k);
    k = 0;
    for (size_t b = 0; b < nb; b++)
        if (df[b] >= o->min_df)
            it[k++] = (df_item){(uint32_t)b, df[b]};
    if (o->max_features && k > o->max_features) {
        qsort(it, k, sizeof *it, by_df_desc);
        k = o->max_features;
        qsort(it, k, sizeof *it, by_bucket);
    }
    *items = it;
    *count = k;
    return HY_OK;
}

hy_err hy_tfidf_fit(const hy_tfidf_opts *o, const char *const *docs, const size_t *lens, size_t n,
                    hy_tfidf **out)
{
    hy_err rc;
    uint32_t *df = NULL;
    df_item *items = NULL;
    hy_tfidf *t = NULL;
    size_t k = 0;
    if (!out)
        return hy_err_set(HY_ERR_ARG, "tfidf: NULL output");
    *out = NULL;
    if ((rc = hy_tfidf_opts_check(o)) != HY_OK)
        return rc;
    if (n && (!docs || !lens))
        return hy_err_set(HY_ERR_ARG, "tfidf: NULL texts");
    if (n > HY_TFIDF_MAX_DOCS)
        return hy_err_set(HY_ERR_ARG, "tfidf: %zu texts, more than %u", n, HY_TFIDF_MAX_DOCS);
    if (!(df = calloc((size_t)1 << o->hash_bits, sizeof *df)))
        return hy_err_set(HY_ERR_NOMEM, "tfidf: 2^%u buckets", o->hash_bits);
    if ((rc = count_df(o, docs, lens, n, df)) != HY_OK ||
        (rc = select_buckets(o, df, &items, &k)) != HY_OK)
        goto out;
    if (!(t = tfidf_alloc(o, k))) {
        rc = hy_err_set(HY_ERR_NOMEM, "tfidf: model of %zu features", k);
        goto out;
    }
    for (size_t j = 0; j < k; j++) {
        t->bucket[j] = items[j].bucket;
        t->idf[j] = (float)(log((1.0 + (double)n) / (1.0 + (double)items[j].df)) + 1.0);
        t->col[items[j].bucket] = (int32_t)j;
    }
    *out = t;
out:
    free(items);
    free(df);
    return rc;
}

void hy_tfidf_free(hy_tfidf *t)
{
    if (!t)
        return;
    free(t->bucket);
    free(t->idf);
    free(t->col);
    free(t);
}

size_t hy_tfidf_features(const hy_tfidf *t)
{
    return t ? t->nfeat : 0;
}

const hy_tfidf_opts *hy_tfidf_options(const hy_tfidf *t)
{
    return t ? &t->o : NULL;
}

uint32_t hy_tfidf_bucket(const hy_tfidf *t, size_t j)
{
    return t && j < t->nfeat ? t->bucket[j] : 0;
}

double hy_tfidf_idf(const hy_tfidf *t, size_t j)
{
    return t && j < t->nfeat ? t->idf[j] : 0;
}

/* ---- transforming ---- */

/* Columns of a's buckets (dropped ones removed), sorted, then run-length
 * counted into (column, tf-idf) pairs, L2-normalised, appended to m. */
static hy_err row_from_buckets(const hy_tfidf *t, ids *a, float *val, hy_sparse *m)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        int32_t c = t->col[a->v[i]];
        if (c >= 0)
            a->v[k++] = (uint32_t)c;
    }
    if (k > 1)
        qsort(a->v, k, sizeof *a->v, cmp_u32);
    size_t u = 0;
    double norm = 0;
    for (size_t i = 0; i < k;) {
        size_t j = i;
        while (j < k && a->v[j] == a->v[i])
            j++;
        double tf = (double)(j - i);
        if (t->o.sublinear_tf)
            tf = 1.0 + log(tf);
        double v = tf * t->idf[a->v[i]];
        a->v[u] = a->v[i];
        val[u++] = (float)v;
        norm += v * v;
        i = j;
    }
    if (norm > 0) {
        double s = 1.0 / sqrt(norm);
        for (size_t i = 0; i < u; i++)
            val[i] = (float)(val[i] * s);
    }
    return hy_sparse_add_row(m, a->v, val, u);
}

static hy_err transform_one(const hy_tfidf *t, const char *doc, size_t len, ids *a, float **val,
                            size_t *val_cap, hy_sparse *m)
{
    hy_err rc;
    if (!doc && len)
        return hy_err_set(HY_ERR_ARG, "tfidf: NULL text");
    if ((rc = doc_buckets(&t->o, doc, len, a)) != HY_OK)
        return rc;
    if (a->n > *val_cap) {
        float *p = realloc(*val, a->n * sizeof *p);
        if (!p)
            return hy_err_set(HY_ERR_NOMEM, "tfidf: %zu values", a->n);
        *val = p;
        *val_cap = a->n;
    }
    return row_from_buckets(t, a, *val, m);
}

hy_err hy_tfidf_transform_many(const hy_tfidf *t, const char *const *docs, const size_t *lens,
                               size_t n, hy_sparse *m)
{
    if (!t || !m || (n && (!docs || !lens)))
        return hy_err_set(HY_ERR_ARG, "tfidf transform: NULL argument");
    if (m->cols != t->nfeat)
        return hy_err_set(HY_ERR_ARG, "tfidf transform: matrix has %zu columns, model %zu", m->cols,
                          t->nfeat);
    ids a = {0};
    float *val = NULL;
    size_t cap = 0;
    hy_err rc = HY_OK;
    for (size_t i = 0; i < n && rc == HY_OK; i++)
        rc = transform_one(t, docs[i], lens[i], &a, &val, &cap, m);
    free(a.v);
    free(val);
    return rc;
}

hy_err hy_tfidf_transform(const hy_tfidf *t, const char *doc, size_t len, hy_sparse *m)
{
    return hy_tfidf_transform_many(t, &doc, &len, 1, m);
}

/* ---- binary form ---- */

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define HDR_BYTES 20u

hy_err hy_tfidf_save(const hy_tfidf *t, hy_buf *out)
{
    if (!t || !out)
        return hy_err_set(HY_ERR_ARG, "tfidf save: NULL argument");
    uint8_t h[HDR_BYTES];
    uint8_t flags =
        (uint8_t)((t->o.word_unigrams ? FLAG_UNI : 0) | (t->o.word_bigrams ? FLAG_BI : 0) |
                  (t->o.sublinear_tf ? FLAG_SUBLIN : 0) | (t->o.fold_digits ? FLAG_DIGITS : 0));
    put_u32(h, t->o.hash_bits);
    h[4] = (uint8_t)t->o.char_min;
    h[5] = (uint8_t)t->o.char_max;
    h[6] = flags;
    h[7] = 0;
    put_u32(h + 8, t->o.min_df);
    put_u32(h + 12, t->o.max_features);
    put_u32(h + 16, (uint32_t)t->nfeat);
    hy_err rc = hy_buf_add(out, h, sizeof h);
    for (size_t j = 0; j < t->nfeat && rc == HY_OK; j++) {
        uint8_t e[8];
        uint32_t f;
        memcpy(&f, &t->idf[j], 4);
        put_u32(e, t->bucket[j]);
        put_u32(e + 4, f);
        rc = hy_buf_add(out, e, sizeof e);
    }
    return rc;
}

static hy_err parse_header(const uint8_t *p, hy_tfidf_opts *o, uint32_t *nfeat)
{
    uint8_t flags = p[6];
    hy_tfidf_opts_default(o);
    o->hash_bits = get_u32(p);
    o->char_min = p[4];
    o->char_max = p[5];
    o->word_unigrams = flags & FLAG_UNI;
    o->word_bigrams = flags & FLAG_BI;
    o->sublinear_tf = flags & FLAG_SUBLIN;
    o->fold_digits = flags & FLAG_DIGITS;
    o->min_df = get_u32(p + 8);
    o->max_features = get_u32(p + 12);
    *nfeat = get_u32(p + 16);
    if (flags & ~0xfu || p[7])
        return hy_err_set(HY_ERR_FORMAT, "tfidf: unknown flags 0x%02x/0x%02x", flags, p[7]);
    if (hy_tfidf_opts_check(o) != HY_OK)
        return hy_err_set(HY_ERR_FORMAT, "tfidf: bad options (%s)", hy_err_detail());
    if (*nfeat > (1u << o->hash_bits))
        return hy_err_set(HY_ERR_FORMAT, "tfidf: %u features for 2^%u buckets", *nfeat,
                          o->hash_bits);
    return HY_OK;
}

hy_err hy_tfidf_load(const uint8_t *p, size_t n, size_t *used, hy_tfidf **out)
{
    hy_tfidf_opts o;
    uint32_t nfeat;
    hy_err rc;
    if (!out || !used || (!p && n))
        return hy_err_set(HY_ERR_ARG, "tfidf load: NULL argument");
    *out = NULL;
    if (n < HDR_BYTES)
        return hy_err_set(HY_ERR_TRUNCATED, "tfidf: header needs %u bytes, %zu left", HDR_BYTES, n);
    if ((rc = parse_header(p, &o, &nfeat)) != HY_OK)
        return rc;
    if ((n - HDR_BYTES) / 8 < nfeat)
        return hy_err_set(HY_ERR_TRUNCATED, "tfidf: %u features need %zu bytes, %zu left", nfeat,
                          (size_t)nfeat * 8, n - HDR_BYTES);
    hy_tfidf *t = tfidf_alloc(&o, nfeat);
    if (!t)
        return hy_err_set(HY_ERR_NOMEM, "tfidf: %u features", nfeat);
    const uint8_t *e = p + HDR_BYTES;
    for (uint32_t j = 0; j < nfeat; j++, e += 8) {
        uint32_t b = get_u32(e), f = get_u32(e + 4);
        float idf;
        memcpy(&idf, &f, 4);
        if (b >= (1u << o.hash_bits) || (j && b <= t->bucket[j - 1]) || !isfinite(idf) ||
            idf < 1.0f || idf > 1e6f) {
            hy_tfidf_free(t);
            return hy_err_set(HY_ERR_FORMAT, "tfidf: column %u: bucket %u or idf %g invalid", j, b,
                              (double)idf);
        }
        t->bucket[j] = b;
        t->idf[j] = idf;
        t->col[b] = (int32_t)j;
    }
    *used = HDR_BYTES + (size_t)nfeat * 8;
    *out = t;
    return HY_OK;
}
