/* hayate: TF-IDF over hashed word and character n-grams, with sparse (CSR)
 * output, for short texts such as the sentences of a threat report.
 *
 * Tokens: maximal runs of ASCII letters, digits, '_' and bytes >= 0x80
 * (UTF-8 stays whole), ASCII-lowercased; with fold_digits every digit
 * becomes '0'; a token longer than HY_TFIDF_MAX_WORD bytes keeps its first
 * HY_TFIDF_MAX_WORD. Features of a text, each hashed with MurmurHash3
 * (hy_murmur3_32, a seed per kind) into 2^hash_bits buckets:
 *  - word unigrams (the token),
 *  - word bigrams (two consecutive tokens: the hash of their two hashes),
 *  - character n-grams, char_min <= n <= char_max, inside word boundaries:
 *    the n-grams of " token " (one space padding each side), as
 *    scikit-learn's analyzer="char_wb" forms them.
 * Only the first HY_TFIDF_MAX_DOC bytes of a text are read.
 *
 * Fit: a bucket's document frequency df is the number of training texts
 * having it; buckets with df < min_df are dropped and, when max_features is
 * set, only the max_features with the highest df are kept (ties: the lower
 * bucket). Kept buckets become columns 0..features-1 in bucket order, with
 * the smooth idf = ln((1 + n) / (1 + df)) + 1. Transform: a column's value
 * is tf * idf, tf the count of the bucket in the text, or 1 + ln(count)
 * with sublinear_tf; the row is then scaled to unit L2 norm. Buckets not
 * kept are ignored, so a text may give an empty row. */
#ifndef HAYATE_TFIDF_H
#define HAYATE_TFIDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

#define HY_TFIDF_MAX_DOC   32768u /* bytes of one text read */
#define HY_TFIDF_MAX_WORD  64u    /* bytes of one token used */
#define HY_TFIDF_MIN_BITS  8u
#define HY_TFIDF_MAX_BITS  22u
#define HY_TFIDF_MAX_NGRAM 8u        /* largest character n */
#define HY_TFIDF_MAX_DOCS  10000000u /* texts fitted at once */

/* A sparse matrix in CSR form: row r is [indptr[r], indptr[r + 1]) of
 * indices (ascending columns) and values. */
typedef struct hy_sparse {
    size_t rows, cols;
    size_t *indptr; /* rows + 1 entries (NULL while rows == 0 and nothing added) */
    uint32_t *indices;
    float *values;
    size_t cap_rows, cap_nnz; /* allocated */
} hy_sparse;

/* An empty matrix of cols columns. */
void hy_sparse_init(hy_sparse *m, size_t cols);
/* Frees m's storage; m is empty afterwards. */
void hy_sparse_free(hy_sparse *m);
/* Appends a row of n (column, value) pairs, columns ascending and < cols.
 * HY_ERR_ARG on a bad column order, HY_ERR_NOMEM (m unchanged). */
hy_err hy_sparse_add_row(hy_sparse *m, const uint32_t *idx, const float *val, size_t n);

typedef struct hy_tfidf_opts {
    unsigned hash_bits; /* buckets = 2^hash_bits, HY_TFIDF_MIN_BITS..MAX_BITS */
    unsigned char_min;  /* character n-gram range; 0 = none, else 1..char_max */
    unsigned char_max;  /* <= HY_TFIDF_MAX_NGRAM */
    bool word_unigrams;
    bool word_bigrams;
    bool sublinear_tf;     /* tf = 1 + ln(count) */
    bool fold_digits;      /* digits -> '0' */
    uint32_t min_df;       /* >= 1 */
    uint32_t max_features; /* 0 = no cap */
} hy_tfidf_opts;

typedef struct hy_tfidf hy_tfidf;

/* Defaults: 2^20 buckets, words, bigrams, char 3..5, sublinear tf, digits
 * folded, min_df 2, no feature cap. */
void hy_tfidf_opts_default(hy_tfidf_opts *o);

/* Checks o; HY_ERR_ARG naming the first bad field. */
hy_err hy_tfidf_opts_check(const hy_tfidf_opts *o);

/* Fits the vocabulary and idf on n texts docs[i] of lens[i] bytes. n may be
 * 0 (no columns). HY_ERR_ARG: NULL pointers, bad options, n too large;
 * HY_ERR_NOMEM. *out is NULL on error. */
hy_err hy_tfidf_fit(const hy_tfidf_opts *o, const char *const *docs, const size_t *lens, size_t n,
                    hy_tfidf **out);

/* Frees t (NULL is fine). */
void hy_tfidf_free(hy_tfidf *t);

/* Columns (kept buckets) of t. */
size_t hy_tfidf_features(const hy_tfidf *t);

/* The options t was fitted with. */
const hy_tfidf_opts *hy_tfidf_options(const hy_tfidf *t);

/* The bucket and idf of column j < hy_tfidf_features(t). */
uint32_t hy_tfidf_bucket(const hy_tfidf *t, size_t j);
double hy_tfidf_idf(const hy_tfidf *t, size_t j);

/* The bucket of a word unigram w[0..n) exactly as a text would produce it
 * (lowercased, digits folded per t's options): for tests and explanations. */
uint32_t hy_tfidf_word_bucket(const hy_tfidf *t, const char *w, size_t n);

/* Appends the TF-IDF row of doc[0..len) to m (m->cols must be
 * hy_tfidf_features(t)). Thread-safe on one t. HY_ERR_ARG, HY_ERR_NOMEM. */
hy_err hy_tfidf_transform(const hy_tfidf *t, const char *doc, size_t len, hy_sparse *m);

/* Appends the rows of n texts to m. */
hy_err hy_tfidf_transform_many(const hy_tfidf *t, const char *const *docs, const size_t *lens,
                               size_t n, hy_sparse *m);

/* Appends t in its binary form (little-endian) to out:
 *   u32 hash_bits, u8 char_min, u8 char_max, u8 flags (1 unigrams,
 *   2 bigrams, 4 sublinear tf, 8 fold digits), u8 0, u32 min_df,
 *   u32 max_features, u32 features, then per column u32 bucket (strictly
 *   ascending, < 2^hash_bits) and f32 idf (finite, >= 1). */
hy_err hy_tfidf_save(const hy_tfidf *t, hy_buf *out);

/* Reads hy_tfidf_save's form from p[0..n) (untrusted), setting *used to the
 * bytes it took. HY_ERR_FORMAT naming what is wrong, HY_ERR_TRUNCATED,
 * HY_ERR_NOMEM. *out is NULL on error. */
hy_err hy_tfidf_load(const uint8_t *p, size_t n, size_t *used, hy_tfidf **out);

#endif
