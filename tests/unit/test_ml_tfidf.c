/* TF-IDF over hashed n-grams: idf and tf-idf values computed by hand,
 * sublinear tf, min_df / max_features, character n-grams inside word
 * boundaries, case and digit folding, bigram order, the CSR matrix, the
 * binary form (round trip, corrupt input) and argument checks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "hayate/buf.h"
#include "hayate/error.h"
#include "hayate/tfidf.h"

static hy_tfidf_opts words_only(void)
{
    hy_tfidf_opts o;
    hy_tfidf_opts_default(&o);
    o.char_min = o.char_max = 0;
    o.word_bigrams = false;
    o.sublinear_tf = false;
    o.min_df = 1;
    return o;
}

static hy_tfidf *fit(const hy_tfidf_opts *o, const char *const *docs, size_t n)
{
    size_t lens[16];
    hy_tfidf *t = NULL;
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(docs[i]);
    if (hy_tfidf_fit(o, docs, lens, n, &t) != HY_OK)
        fail_msg("fit: %s", hy_err_detail());
    return t;
}

/* Column of word w in t, or -1. */
static long col_of(const hy_tfidf *t, const char *w)
{
    uint32_t b = hy_tfidf_word_bucket(t, w, strlen(w));
    for (size_t j = 0; j < hy_tfidf_features(t); j++)
        if (hy_tfidf_bucket(t, j) == b)
            return (long)j;
    return -1;
}

/* The row of doc as (column -> value) in dense form v[features]. */
static size_t row_of(const hy_tfidf *t, const char *doc, double *v)
{
    hy_sparse m;
    hy_sparse_init(&m, hy_tfidf_features(t));
    assert_int_equal(hy_tfidf_transform(t, doc, strlen(doc), &m), HY_OK);
    assert_int_equal(m.rows, 1);
    for (size_t j = 0; j < hy_tfidf_features(t); j++)
        v[j] = 0;
    for (size_t i = m.indptr[0]; i < m.indptr[1]; i++) {
        if (i > m.indptr[0])
            assert_true(m.indices[i] > m.indices[i - 1]);
        v[m.indices[i]] = m.values[i];
    }
    size_t nnz = m.indptr[1];
    hy_sparse_free(&m);
    return nnz;
}

static const char *const docs3[] = {"alpha beta", "alpha gamma", "alpha beta beta delta"};

static void test_idf_by_hand(void **state)
{
    (void)state;
    hy_tfidf_opts o = words_only();
    hy_tfidf *t = fit(&o, docs3, 3);
    assert_int_equal(hy_tfidf_features(t), 4);
    long a = col_of(t, "alpha"), b = col_of(t, "beta"), g = col_of(t, "gamma"),
         d = col_of(t, "delta");
    assert_true(a >= 0 && b >= 0 && g >= 0 && d >= 0);
    /* smooth idf = ln((1 + n) / (1 + df)) + 1, n = 3 */
    assert_float_equal(hy_tfidf_idf(t, (size_t)a), 1.0, 1e-6);                /* df 3 */
    assert_float_equal(hy_tfidf_idf(t, (size_t)b), log(4.0 / 3.0) + 1, 1e-6); /* df 2 */
    assert_float_equal(hy_tfidf_idf(t, (size_t)g), log(2.0) + 1, 1e-6);       /* df 1 */
    assert_float_equal(hy_tfidf_idf(t, (size_t)d), log(2.0) + 1, 1e-6);

    /* "beta beta alpha": raw tf 2 and 1, then L2-normalised */
    double v[8], ib = log(4.0 / 3.0) + 1, x = 2 * ib, y = 1.0, nrm = sqrt(x * x + y * y);
    assert_int_equal(row_of(t, "Beta, beta... ALPHA!", v), 2);
    assert_float_equal(v[b], x / nrm, 1e-6);
    assert_float_equal(v[a], y / nrm, 1e-6);
    assert_float_equal(v[g], 0, 0);
    /* unknown words give an empty row */
    assert_int_equal(row_of(t, "omega zeta", v), 0);
    hy_tfidf_free(t);

    /* sublinear: tf 2 -> 1 + ln 2 */
    o.sublinear_tf = true;
    t = fit(&o, docs3, 3);
    x = (1 + log(2.0)) * ib;
    nrm = sqrt(x * x + 1);
    row_of(t, "beta alpha beta", v);
    assert_float_equal(v[col_of(t, "beta")], x / nrm, 1e-6);
    assert_float_equal(v[col_of(t, "alpha")], 1 / nrm, 1e-6);
    hy_tfidf_free(t);
}

static void test_min_df_max_features(void **state)
{
    (void)state;
    hy_tfidf_opts o = words_only();
    o.min_df = 2;
    hy_tfidf *t = fit(&o, docs3, 3);
    assert_int_equal(hy_tfidf_features(t), 2); /* alpha (3), beta (2) */
    assert_true(col_of(t, "gamma") < 0 && col_of(t, "beta") >= 0);
    double v[4];
    assert_int_equal(row_of(t, "gamma delta", v), 0);
    hy_tfidf_free(t);

    o.min_df = 1;
    o.max_features = 1; /* the most frequent: alpha */
    t = fit(&o, docs3, 3);
    assert_int_equal(hy_tfidf_features(t), 1);
    assert_int_equal(col_of(t, "alpha"), 0);
    hy_tfidf_free(t);
}

static void test_char_ngrams(void **state)
{
    (void)state;
    hy_tfidf_opts o = words_only();
    o.word_unigrams = false;
    o.char_min = o.char_max = 3;
    const char *const d[] = {"ab", "abc"};
    hy_tfidf *t = fit(&o, d, 2);
    /* " ab " -> " ab", "ab "; " abc " -> " ab", "abc", "bc " */
    assert_int_equal(hy_tfidf_features(t), 4);
    double v[8], w[8];
    assert_int_equal(row_of(t, "ab", v), 2);
    assert_int_equal(row_of(t, "xabx", w), 0); /* inside a word: no boundary n-gram */
    assert_int_equal(row_of(t, "xab", w), 1);  /* only "ab " */
    assert_int_equal(row_of(t, "abc", v), 3);
    hy_tfidf_free(t);

    /* 1..2-grams of a one-letter word: " ", "a", " " + "a ", ... */
    o.char_min = 1;
    o.char_max = 8;
    const char *const e[] = {"a"};
    t = fit(&o, e, 1);
    /* " a ": 1-grams " ", "a"; 2-grams " a", "a "; 3-gram " a " */
    assert_int_equal(hy_tfidf_features(t), 5);
    hy_tfidf_free(t);
}

static void test_folding_and_bigrams(void **state)
{
    (void)state;
    hy_tfidf_opts o;
    hy_tfidf_opts_default(&o);
    o.min_df = 1;
    const char *const d[] = {"Port 8080 open", "port 443 OPEN", "open port"};
    hy_tfidf *t = fit(&o, d, 3);
    double v[4096], w[4096];
    size_t n = hy_tfidf_features(t);
    assert_true(n < 4096);
    row_of(t, "PORT 1234 Open", v);
    row_of(t, "port 9999 open", w);
    for (size_t j = 0; j < n; j++) /* case and digits folded: same row */
        assert_float_equal(v[j], w[j], 0);
    hy_tfidf_free(t);

    /* bigrams depend on order */
    o.char_min = o.char_max = 0;
    o.word_unigrams = false;
    const char *const b[] = {"x y", "y x"};
    t = fit(&o, b, 2);
    assert_int_equal(hy_tfidf_features(t), 2);
    assert_int_equal(row_of(t, "x y", v), 1);
    assert_int_equal(row_of(t, "y x", w), 1);
    for (size_t j = 0; j < 2; j++)
        assert_true(v[j] == 0 || w[j] == 0);
    hy_tfidf_free(t);

    /* words longer than HY_TFIDF_MAX_WORD count by their first bytes */
    hy_tfidf_opts_default(&o);
    o.char_min = o.char_max = 0;
    o.min_df = 1;
    char l1[200], l2[200];
    memset(l1, 'q', sizeof l1 - 1);
    l1[sizeof l1 - 1] = '\0';
    memcpy(l2, l1, sizeof l2);
    l2[150] = 'z';
    const char *const L[] = {l1};
    t = fit(&o, L, 1);
    assert_int_equal(row_of(t, l2, v), 1);
    hy_tfidf_free(t);
}

static void test_long_text_and_sparse(void **state)
{
    (void)state;
    size_t n = 3 * HY_TFIDF_MAX_DOC;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = "abcdefg hij"[i % 11];
    big[n] = '\0';
    hy_tfidf_opts o;
    hy_tfidf_opts_default(&o);
    o.min_df = 1;
    const char *const d[] = {big};
    hy_tfidf *t = fit(&o, d, 1);
    double *v = calloc(hy_tfidf_features(t) + 1, sizeof *v);
    assert_true(row_of(t, big, v) > 0);
    double s = 0;
    for (size_t j = 0; j < hy_tfidf_features(t); j++)
        s += v[j] * v[j];
    assert_float_equal(s, 1.0, 1e-5); /* unit L2 norm */
    free(v);
    free(big);
    hy_tfidf_free(t);

    hy_sparse m;
    hy_sparse_init(&m, 10);
    uint32_t ix[3] = {1, 5, 9}, bad[2] = {5, 5};
    float val[3] = {1, 2, 3};
    assert_int_equal(hy_sparse_add_row(&m, ix, val, 3), HY_OK);
    assert_int_equal(hy_sparse_add_row(&m, NULL, NULL, 0), HY_OK);
    assert_int_equal(hy_sparse_add_row(&m, bad, val, 2), HY_ERR_ARG);
    ix[2] = 10;
    assert_int_equal(hy_sparse_add_row(&m, ix, val, 3), HY_ERR_ARG);
    assert_int_equal(m.rows, 2);
    assert_int_equal(m.indptr[1], 3);
    assert_int_equal(m.indptr[2], 3);
    hy_sparse_free(&m);
}

static void test_save_load(void **state)
{
    (void)state;
    hy_tfidf_opts o;
    hy_tfidf_opts_default(&o);
    o.min_df = 1;
    o.hash_bits = 12;
    hy_tfidf *t = fit(&o, docs3, 3), *u = NULL;
    hy_buf b;
    size_t used = 0;
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy_tfidf_save(t, &b), HY_OK);
    assert_int_equal(hy_buf_add(&b, "tail", 4), HY_OK);
    assert_int_equal(hy_tfidf_load((const uint8_t *)b.data, b.len, &used, &u), HY_OK);
    assert_int_equal(used, b.len - 4);
    assert_int_equal(hy_tfidf_features(u), hy_tfidf_features(t));
    double v[4096], w[4096];
    size_t n1 = row_of(t, "alpha beta gamma delta", v), n2 = row_of(u, "alpha beta gamma delta", w);
    assert_int_equal(n1, n2);
    for (size_t j = 0; j < hy_tfidf_features(t); j++)
        assert_true(v[j] == w[j]);
    hy_tfidf_free(u);

    uint8_t *p = (uint8_t *)b.data;
    size_t len = b.len - 4;
    for (size_t cut = 0; cut < len; cut += 7) /* every truncation is refused */
        assert_int_equal(hy_tfidf_load(p, cut, &used, &u), HY_ERR_TRUNCATED);
    p[0] = 30; /* hash bits out of range */
    assert_int_equal(hy_tfidf_load(p, len, &used, &u), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "hash_bits"));
    p[0] = 12;
    p[6] = 0x40; /* unknown flag */
    assert_int_equal(hy_tfidf_load(p, len, &used, &u), HY_ERR_FORMAT);
    p[6] = 0x0f;
    memcpy(p + 20 + 8, p + 20, 4); /* second bucket = first: not ascending */
    assert_int_equal(hy_tfidf_load(p, len, &used, &u), HY_ERR_FORMAT);
    assert_null(u);
    hy_buf_free(&b);
    hy_tfidf_free(t);
}

static void test_args(void **state)
{
    (void)state;
    hy_tfidf_opts o;
    hy_tfidf *t = NULL;
    const char *d[] = {"x"};
    size_t l[] = {1};
    hy_tfidf_opts_default(&o);
    o.hash_bits = 4;
    assert_int_equal(hy_tfidf_fit(&o, d, l, 1, &t), HY_ERR_ARG);
    hy_tfidf_opts_default(&o);
    o.char_min = 6;
    o.char_max = 5;
    assert_int_equal(hy_tfidf_fit(&o, d, l, 1, &t), HY_ERR_ARG);
    hy_tfidf_opts_default(&o);
    o.char_min = o.char_max = 0;
    o.word_unigrams = o.word_bigrams = false;
    assert_int_equal(hy_tfidf_fit(&o, d, l, 1, &t), HY_ERR_ARG);
    hy_tfidf_opts_default(&o);
    o.min_df = 0;
    assert_int_equal(hy_tfidf_fit(&o, d, l, 1, &t), HY_ERR_ARG);
    hy_tfidf_opts_default(&o);
    assert_int_equal(hy_tfidf_fit(&o, NULL, l, 1, &t), HY_ERR_ARG);
    assert_null(t);
    assert_int_equal(hy_tfidf_fit(&o, d, l, 0, &t), HY_OK); /* no texts: no columns */
    assert_int_equal(hy_tfidf_features(t), 0);
    hy_sparse m;
    hy_sparse_init(&m, 3);
    assert_int_equal(hy_tfidf_transform(t, "x", 1, &m), HY_ERR_ARG); /* column mismatch */
    hy_tfidf_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idf_by_hand),
        cmocka_unit_test(test_min_df_max_features),
        cmocka_unit_test(test_char_ngrams),
        cmocka_unit_test(test_folding_and_bigrams),
        cmocka_unit_test(test_long_text_and_sparse),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
