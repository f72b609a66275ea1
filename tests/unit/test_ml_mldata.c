/* Training-data loaders (include/hayate/mldata.h): every format parsed to
 * the exact CSR expected, each malformed input refused with a detail that
 * names file and line (or row), EMBER pairs read in chunks, APISEQ bins
 * checked against an independent feature hasher, stratified folds, the
 * row split, and the real MalBehavD-V1 file when present. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "hayate/ember.h"
#include "hayate/error.h"
#include "hayate/limits.h"
#include "hayate/mldata.h"

/* Parses text s in format fmt; fails the test unless it loads. */
static hy_mldata *parse_ok(const char *s, hy_mldata_format fmt)
{
    hy_mldata *d = NULL;
    hy_err rc = hy_mldata_parse("t.txt", (const uint8_t *)s, strlen(s), fmt, &d);
    if (rc != HY_OK)
        fail_msg("parse failed: %s: %s", hy_err_str(rc), hy_err_detail());
    assert_non_null(d);
    return d;
}

/* Asserts rc == want and that the detail holds both substrings (b may be NULL). */
static void expect_err(hy_err rc, hy_err want, const char *a, const char *b)
{
    const char *det = hy_err_detail();
    if (rc != want)
        fail_msg("got %s (%s), want %s", hy_err_str(rc), det, hy_err_str(want));
    if (!strstr(det, a) || (b && !strstr(det, b)))
        fail_msg("detail \"%s\" lacks \"%s\" / \"%s\"", det, a, b ? b : "");
}

/* Parses s expecting the error want with a detail naming "t.txt", line and what. */
static void parse_bad(const char *s, hy_mldata_format fmt, hy_err want, const char *line,
                      const char *what)
{
    hy_mldata *d = (hy_mldata *)1;
    hy_err rc = hy_mldata_parse("t.txt", (const uint8_t *)s, strlen(s), fmt, &d);
    assert_null(d);
    expect_err(rc, want, "t.txt: ", line);
    expect_err(rc, want, what, NULL);
}

/* Checks d against the expected CSR. */
static void expect_csr(const hy_mldata *d, size_t rows, size_t cols, const size_t *indptr,
                       const uint32_t *indices, const float *values, const float *labels)
{
    assert_int_equal(d->rows, rows);
    assert_int_equal(d->cols, cols);
    for (size_t r = 0; r <= rows; r++)
        assert_int_equal(d->indptr[r], indptr[r]);
    for (size_t i = 0; i < indptr[rows]; i++) {
        assert_int_equal(d->indices[i], indices[i]);
        assert_true(d->values[i] == values[i]);
    }
    for (size_t r = 0; r < rows; r++)
        assert_true(d->labels[r] == labels[r]);
}

static void test_libsvm(void **state)
{
    (void)state;
    const char *s = "# a comment line\n"
                    "\n"
                    "1 1:0.5 3:2 7:-1.25 # trailing comment\n"
                    "-1 0:3 2:0\n"
                    "0\t4:1e-3\r\n"
                    "+1\n"
                    "  -0.5 5:+7 6:.25";
    static const size_t ip[] = {0, 3, 4, 5, 5, 7};
    static const uint32_t ix[] = {1, 3, 7, 0, 4, 5, 6};
    static const float v[] = {0.5f, 2.0f, -1.25f, 3.0f, 1e-3f, 7.0f, 0.25f};
    static const float lab[] = {1, 0, 0, 1, 0};
    for (int auto_fmt = 0; auto_fmt <= 1; auto_fmt++) {
        hy_mldata *d = parse_ok(s, auto_fmt ? HY_MLDATA_AUTO : HY_MLDATA_LIBSVM);
        expect_csr(d, 5, 8, ip, ix, v, lab);
        assert_int_equal(d->skipped, 0);
        hy_mldata_free(d);
    }
    /* cols counts an index whose value is 0 (not stored) */
    hy_mldata *d = parse_ok("1 1:1 9:0\n", HY_MLDATA_LIBSVM);
    assert_int_equal(d->cols, 10);
    assert_int_equal(d->indptr[1], 1);
    hy_mldata_free(d);
}

static void test_libsvm_errors(void **state)
{
    (void)state;
    parse_bad("1 1:0.5 foo\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "\"foo\"");
    parse_bad("1 1:1\nabc 2:1\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 2", "label \"abc\"");
    parse_bad("1 1:1\nnan 2:1\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 2", "label is NaN");
    parse_bad("1 3:1 2:1\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "must ascend");
    parse_bad("\n\n1 3:1 3:2\n", HY_MLDATA_AUTO, HY_ERR_FORMAT, "line 3", "index 3 after 3");
    parse_bad("1 qid:3 1:1\n", HY_MLDATA_AUTO, HY_ERR_UNSUPPORTED, "line 1", "qid");
    parse_bad("1:1 2:2\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "missing label");
    parse_bad("1 1:1\n0 16777216:1\n", HY_MLDATA_LIBSVM, HY_ERR_TOOBIG, "line 2", "columns");
    parse_bad("1 99999999999999999999999:1\n", HY_MLDATA_LIBSVM, HY_ERR_TOOBIG, "line 1",
              "columns");
    parse_bad("1 2:inf\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "NaN or infinite");
    parse_bad("1 2:1e39\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "out of float range");
    parse_bad("1 2:0x10\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "not a number");
    parse_bad("1 -2:1\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "non-negative");
    parse_bad("1 :1\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "no index");
    parse_bad("1 2:\n", HY_MLDATA_LIBSVM, HY_ERR_FORMAT, "line 1", "not a number");
}

static void test_csv(void **state)
{
    (void)state;
    const char *s = "label,f0,f1,\"f,2\"\n"
                    "1,0.5,0,2\r\n"
                    "0, -1 ,3,\"4\"\n";
    static const size_t ip[] = {0, 2, 5};
    static const uint32_t ix[] = {0, 2, 0, 1, 2};
    static const float v[] = {0.5f, 2.0f, -1.0f, 3.0f, 4.0f};
    static const float lab[] = {1, 0};
    for (int auto_fmt = 0; auto_fmt <= 1; auto_fmt++) {
        hy_mldata *d = parse_ok(s, auto_fmt ? HY_MLDATA_AUTO : HY_MLDATA_CSV);
        expect_csr(d, 2, 3, ip, ix, v, lab);
        hy_mldata_free(d);
    }
    /* no header: the first line is data */
    static const size_t ip2[] = {0, 1, 1, 2};
    static const uint32_t ix2[] = {1, 0};
    static const float v2[] = {3.0f, 2.5f};
    static const float lab2[] = {1, 0, 1};
    hy_mldata *d = parse_ok("1,0,3\n-1,0,0\n2,2.5,0", HY_MLDATA_AUTO);
    expect_csr(d, 3, 2, ip2, ix2, v2, lab2);
    hy_mldata_free(d);
}

static void test_csv_errors(void **state)
{
    (void)state;
    parse_bad("1,2,3\n0,1\n", HY_MLDATA_CSV, HY_ERR_FORMAT, "line 2",
              "2 fields, expected 3 (as on line 1)");
    parse_bad("a,b\n1,2\n0,1,5\n", HY_MLDATA_CSV, HY_ERR_FORMAT, "line 3", "3 fields, expected 2");
    parse_bad("y,x\n1,2\n0,NaN\n", HY_MLDATA_AUTO, HY_ERR_FORMAT, "line 3", "NaN or infinite");
    parse_bad("1,-inf\n", HY_MLDATA_CSV, HY_ERR_FORMAT, "line 1", "field 2 is NaN");
    parse_bad("1,2\n0,\n", HY_MLDATA_CSV, HY_ERR_FORMAT, "line 2", "field 2 is empty");
    parse_bad("1,2\nx,1\n", HY_MLDATA_CSV, HY_ERR_FORMAT, "line 2", "label \"x\"");
    parse_bad("1,2\n0,\"3\n", HY_MLDATA_CSV, HY_ERR_FORMAT, "line 2", "unterminated");
    parse_bad("1,2\n0,\"3\"x\n", HY_MLDATA_CSV, HY_ERR_FORMAT, "line 2", "closing quote");
    parse_bad("1,2\n0,1e999\n", HY_MLDATA_CSV, HY_ERR_FORMAT, "line 2", "out of float range");
}

/* A CSV line of exactly len bytes: "1" then ",0" cells, space padded. */
static char *csv_line(size_t len, size_t *cells)
{
    char *s = malloc(len + 2);
    assert_non_null(s);
    s[0] = '1';
    size_t i = 1;
    *cells = 0;
    for (; i + 2 <= len; i += 2, ++*cells)
        memcpy(s + i, ",0", 2);
    memset(s + i, ' ', len - i);
    s[len] = '\n';
    s[len + 1] = '\0';
    return s;
}

static void test_line_cap(void **state)
{
    (void)state;
    char path[512];
    size_t cells;
    snprintf(path, sizeof path, "%s/long.csv", hy_test_tmpdir());
    /* exactly the cap: loads, from memory and from a file */
    char *s = csv_line(HY_MLDATA_MAX_LINE, &cells);
    hy_mldata *d = parse_ok(s, HY_MLDATA_CSV);
    assert_int_equal(d->rows, 1);
    assert_int_equal(d->cols, cells);
    hy_mldata_free(d);
    hy_test_write_file(path, s, HY_MLDATA_MAX_LINE + 1);
    assert_int_equal(hy_mldata_load(path, HY_MLDATA_AUTO, &d), HY_OK);
    assert_int_equal(d->cols, cells);
    hy_mldata_free(d);
    free(s);
    /* one byte more: refused on line 2 (memory) or line 1 (file, no '\n') */
    s = csv_line(HY_MLDATA_MAX_LINE + 1, &cells);
    char *two = malloc(HY_MLDATA_MAX_LINE + 16);
    assert_non_null(two);
    snprintf(two, HY_MLDATA_MAX_LINE + 16, "1,0\n%s", s);
    parse_bad(two, HY_MLDATA_CSV, HY_ERR_TOOBIG, "line 2", "longer than");
    free(two);
    free(s);
    s = malloc(3u << 20);
    assert_non_null(s);
    memset(s, 'a', 3u << 20);
    hy_test_write_file(path, s, 3u << 20);
    d = (hy_mldata *)1;
    expect_err(hy_mldata_load(path, HY_MLDATA_AUTO, &d), HY_ERR_TOOBIG, path, "line 1: longer");
    assert_null(d);
    free(s);
}

/* Writes n little-endian float32 to path. */
static void write_f32(const char *path, const float *x, size_t n)
{
    uint8_t *b = malloc(4 * n + 1);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], 4);
        for (int k = 0; k < 4; k++)
            b[4 * i + (size_t)k] = (uint8_t)(u >> (8 * k));
    }
    hy_test_write_file(path, b, 4 * n);
    free(b);
}

/* An EMBER pair in dir: rows rows, row r has r + 1 at column (7 r) mod
 * 2381 and -2 at column 2380 (r odd); labels r % 3 == 1 -> -1, else r % 2. */
static void write_ember(const char *dir, size_t rows, size_t x_trim, size_t y_rows)
{
    char px[512], py[512];
    float *x = calloc(rows * HY_EMBER_DIM, sizeof *x), *y = calloc(rows + 1, sizeof *y);
    assert_true(x && y);
    for (size_t r = 0; r < rows; r++) {
        x[r * HY_EMBER_DIM + (7 * r) % HY_EMBER_DIM] = (float)(r + 1);
        if (r % 2)
            x[r * HY_EMBER_DIM + 2380] = -2.0f;
        y[r] = r % 3 == 1 ? -1.0f : (float)(r % 2);
    }
    mkdir(dir, 0700);
    snprintf(px, sizeof px, "%s/X_train.dat", dir);
    snprintf(py, sizeof py, "%s/y_train.dat", dir);
    write_f32(px, x, rows * HY_EMBER_DIM);
    if (x_trim) /* cut the last x_trim bytes */
        assert_int_equal(truncate(px, (off_t)(rows * HY_EMBER_DIM * 4 - x_trim)), 0);
    write_f32(py, y, y_rows);
    free(x);
    free(y);
}

static void check_ember(const hy_mldata *d, size_t rows)
{
    size_t kept = 0;
    assert_int_equal(d->cols, HY_EMBER_DIM);
    for (size_t r = 0; r < rows; r++) {
        if (r % 3 == 1)
            continue;
        size_t a = d->indptr[kept], c = (7 * r) % HY_EMBER_DIM;
        assert_int_equal(d->indptr[kept + 1] - a, 1 + (r % 2 && c != 2380));
        assert_int_equal(d->indices[a], c);
        assert_true(d->values[a] == (float)(r + 1));
        if (r % 2 && c != 2380) {
            assert_int_equal(d->indices[a + 1], 2380);
            assert_true(d->values[a + 1] == -2.0f);
        }
        assert_true(d->labels[kept] == (float)(r % 2));
        kept++;
    }
    assert_int_equal(d->rows, kept);
    assert_int_equal(d->skipped, rows - kept);
}

static void test_ember(void **state)
{
    (void)state;
    char dir[512], px[600];
    hy_mldata *d = NULL;
    snprintf(dir, sizeof dir, "%s/ember", hy_test_tmpdir());
    snprintf(px, sizeof px, "%s/X_train.dat", dir);
    /* 150 rows: three chunks, -1 rows among them */
    write_ember(dir, 150, 0, 150);
    assert_int_equal(hy_mldata_load(px, HY_MLDATA_AUTO, &d), HY_OK);
    check_ember(d, 150);
    hy_mldata_free(d);
    assert_int_equal(hy_mldata_load(dir, HY_MLDATA_AUTO, &d), HY_OK);
    check_ember(d, 150);
    hy_mldata_free(d);
    assert_int_equal(hy_mldata_load(px, HY_MLDATA_EMBER, &d), HY_OK);
    check_ember(d, 150);
    hy_mldata_free(d);
}

static void test_ember_errors(void **state)
{
    (void)state;
    char dir[512], px[600], py[600];
    hy_mldata *d = (hy_mldata *)1;
    snprintf(dir, sizeof dir, "%s/ember_bad", hy_test_tmpdir());
    snprintf(px, sizeof px, "%s/X_train.dat", dir);
    snprintf(py, sizeof py, "%s/y_train.dat", dir);
    write_ember(dir, 3, 4, 3); /* X cut by one float */
    expect_err(hy_mldata_load(px, HY_MLDATA_AUTO, &d), HY_ERR_TRUNCATED, px, "row 2: cut after");
    assert_null(d);
    write_ember(dir, 3, 0, 2); /* two labels for three rows */
    expect_err(hy_mldata_load(dir, HY_MLDATA_AUTO, &d), HY_ERR_FORMAT, "has 3 rows", "2 labels");
    float y[3] = {0, 0.5f, 1};
    write_f32(py, y, 3);
    expect_err(hy_mldata_load(px, HY_MLDATA_AUTO, &d), HY_ERR_FORMAT, py, "row 1: label 0.5");
    y[1] = NAN;
    write_f32(py, y, 3);
    expect_err(hy_mldata_load(px, HY_MLDATA_AUTO, &d), HY_ERR_FORMAT, py, "row 1: label nan");
    float x[2 * HY_EMBER_DIM] = {0};
    x[HY_EMBER_DIM + 5] = INFINITY;
    write_f32(px, x, 2 * HY_EMBER_DIM);
    y[1] = 1;
    write_f32(py, y, 2);
    expect_err(hy_mldata_load(px, HY_MLDATA_AUTO, &d), HY_ERR_FORMAT, px,
               "row 1: column 5 is NaN or infinite");
    remove(py);
    expect_err(hy_mldata_load(px, HY_MLDATA_AUTO, &d), HY_ERR_NOTFOUND, py, NULL);
    snprintf(px, sizeof px, "%s/features.dat", dir);
    hy_test_write_file(px, "", 0);
    expect_err(hy_mldata_load(px, HY_MLDATA_AUTO, &d), HY_ERR_ARG, px, "X_");
    assert_null(d);
}

/* FeatureHasher bin of text s, written here from the published method. */
static void ref_hash(double *bins, const char *s)
{
    int32_t h = (int32_t)hy_murmur3_32(s, strlen(s), 0);
    int64_t mag = h < 0 ? -(int64_t)h : h;
    bins[mag % HY_MLDATA_APISEQ_DIM] += h < 0 ? -1.0 : 1.0;
}

/* Checks row r of d against the bins of calls[0..n) (unigrams, bigrams). */
static void check_apiseq_row(const hy_mldata *d, size_t r, const char *const *calls, size_t n)
{
    static double bins[HY_MLDATA_APISEQ_DIM];
    char bigram[128];
    memset(bins, 0, sizeof bins);
    for (size_t i = 0; i < n; i++) {
        ref_hash(bins, calls[i]);
        if (i > 0) {
            snprintf(bigram, sizeof bigram, "%s>%s", calls[i - 1], calls[i]);
            ref_hash(bins, bigram);
        }
    }
    size_t at = d->indptr[r], nz = 0;
    for (uint32_t j = 0; j < HY_MLDATA_APISEQ_DIM; j++) {
        if (bins[j] == 0)
            continue;
        nz++;
        assert_true(at < d->indptr[r + 1]);
        assert_int_equal(d->indices[at], j);
        assert_true(d->values[at] == (float)copysign(log1p(fabs(bins[j])), bins[j]));
        at++;
    }
    assert_int_equal(d->indptr[r + 1] - d->indptr[r], nz);
    assert_true(nz >= 1 || n == 0);
}

static void test_apiseq(void **state)
{
    (void)state;
    const char *s = "sha256,labels,0,1,2,3,,\r\n"
                    "aa11,1,LoadLibraryA,GetProcAddress,LoadLibraryA,LoadLibraryA,,\r\n"
                    "bb22,0,NtClose,,,,,\r\n"
                    "cc33,0,,,,,,\r\n";
    static const char *const r0[] = {"LoadLibraryA", "GetProcAddress", "LoadLibraryA",
                                     "LoadLibraryA"};
    static const char *const r1[] = {"NtClose"};
    for (int auto_fmt = 0; auto_fmt <= 1; auto_fmt++) {
        hy_mldata *d = parse_ok(s, auto_fmt ? HY_MLDATA_AUTO : HY_MLDATA_APISEQ);
        assert_int_equal(d->rows, 3);
        assert_int_equal(d->cols, HY_MLDATA_APISEQ_DIM);
        assert_true(d->labels[0] == 1.0f && d->labels[1] == 0.0f && d->labels[2] == 0.0f);
        check_apiseq_row(d, 0, r0, 4);
        check_apiseq_row(d, 1, r1, 1);
        check_apiseq_row(d, 2, NULL, 0);
        hy_mldata_free(d);
    }
    parse_bad("sha256,labels,0\nab,2,X\n", HY_MLDATA_AUTO, HY_ERR_FORMAT, "line 2",
              "label \"2\" is not 0 or 1");
    parse_bad("sha256,labels,0\nab\n", HY_MLDATA_APISEQ, HY_ERR_FORMAT, "line 2",
              "missing label");
    parse_bad("sha256,labels,0\n,1,X\n", HY_MLDATA_APISEQ, HY_ERR_FORMAT, "line 2",
              "empty sample id");
    parse_bad("sha256,labels,0\nab,1,\"X\n", HY_MLDATA_APISEQ, HY_ERR_FORMAT, "line 2",
              "unterminated");
}

/* n rows "label,i" with the first pos rows malicious. */
static hy_mldata *labelled(size_t n, size_t pos)
{
    char *s = malloc(n * 24 + 1), *p = s;
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%d,%zu\n", i < pos, i + 1);
    hy_mldata *d = parse_ok(s, HY_MLDATA_CSV);
    free(s);
    return d;
}

static void test_folds(void **state)
{
    (void)state;
    enum { N = 103, POS = 40, K = 5 };
    hy_mldata *d = labelled(N, POS);
    uint8_t f1[N], f2[N], f3[N];
    assert_int_equal(hy_mldata_folds(d, K, 42, f1), HY_OK);
    assert_int_equal(hy_mldata_folds(d, K, 42, f2), HY_OK);
    assert_int_equal(hy_mldata_folds(d, K, 43, f3), HY_OK);
    assert_memory_equal(f1, f2, N);
    assert_memory_not_equal(f1, f3, N);
    size_t cnt[K][2] = {{0}};
    for (size_t r = 0; r < N; r++) {
        assert_true(f1[r] < K);
        cnt[f1[r]][d->labels[r] > 0.5f]++;
    }
    for (int k = 0; k < K; k++) {
        assert_in_range(cnt[k][1], POS / K, (POS + K - 1) / K);
        assert_in_range(cnt[k][0], (N - POS) / K, (N - POS + K - 1) / K);
        assert_in_range(cnt[k][0] + cnt[k][1], N / K, (N + K - 1) / K);
    }
    /* shuffled: fold 0 is not simply the first rows */
    size_t run = 0;
    while (run < N && f1[run] == run % K)
        run++;
    assert_true(run < N);
    assert_int_equal(hy_mldata_folds(d, 1, 1, f1), HY_ERR_ARG);
    assert_int_equal(hy_mldata_folds(d, 256, 1, f1), HY_ERR_ARG);
    assert_int_equal(hy_mldata_folds(d, N + 1, 1, f1), HY_ERR_ARG);
    assert_int_equal(hy_mldata_folds(NULL, K, 1, f1), HY_ERR_ARG);
    hy_mldata_free(d);
}

static void test_split(void **state)
{
    (void)state;
    hy_mldata *d = parse_ok("1 0:1 4:2\n0\n0 2:3\n1 1:4 3:5 5:6\n", HY_MLDATA_LIBSVM);
    static const uint8_t mask[] = {0, 1, 0, 1};
    hy_mldata *tr = NULL, *te = NULL;
    assert_int_equal(hy_mldata_split(d, mask, &tr, &te), HY_OK);
    static const size_t ip_tr[] = {0, 2, 3}, ip_te[] = {0, 0, 3};
    static const uint32_t ix_tr[] = {0, 4, 2}, ix_te[] = {1, 3, 5};
    static const float v_tr[] = {1, 2, 3}, v_te[] = {4, 5, 6};
    static const float l_tr[] = {1, 0}, l_te[] = {0, 1};
    expect_csr(tr, 2, 6, ip_tr, ix_tr, v_tr, l_tr);
    expect_csr(te, 2, 6, ip_te, ix_te, v_te, l_te);
    hy_mldata_free(tr);
    hy_mldata_free(te);
    assert_int_equal(hy_mldata_split(d, NULL, &tr, &te), HY_ERR_ARG);
    assert_null(tr);
    hy_mldata_free(d);
}

static void test_api(void **state)
{
    (void)state;
    hy_mldata *d = NULL;
    assert_int_equal(hy_mldata_format_from_name("LibSVM"), HY_MLDATA_LIBSVM);
    assert_int_equal(hy_mldata_format_from_name("svmlight"), HY_MLDATA_LIBSVM);
    assert_int_equal(hy_mldata_format_from_name("csv"), HY_MLDATA_CSV);
    assert_int_equal(hy_mldata_format_from_name("ember"), HY_MLDATA_EMBER);
    assert_int_equal(hy_mldata_format_from_name("apiseq"), HY_MLDATA_APISEQ);
    assert_int_equal(hy_mldata_format_from_name("auto"), HY_MLDATA_AUTO);
    assert_int_equal(hy_mldata_format_from_name("parquet"), -1);
    assert_int_equal(hy_mldata_format_from_name(NULL), -1);
    assert_int_equal(hy_mldata_parse("x", (const uint8_t *)"1,2", 3, HY_MLDATA_EMBER, &d),
                     HY_ERR_ARG);
    assert_int_equal(hy_mldata_parse("x", NULL, 3, HY_MLDATA_CSV, &d), HY_ERR_ARG);
    assert_int_equal(hy_mldata_load(NULL, HY_MLDATA_CSV, &d), HY_ERR_ARG);
    expect_err(hy_mldata_load(hy_test_tmpdir(), HY_MLDATA_CSV, &d), HY_ERR_ARG,
               "is a directory", NULL);
    expect_err(hy_mldata_load("/nonexistent/x.csv", HY_MLDATA_AUTO, &d), HY_ERR_NOTFOUND,
               "/nonexistent/x.csv", NULL);
    /* empty and comment-only inputs: zero rows */
    d = parse_ok("", HY_MLDATA_AUTO);
    assert_int_equal(d->rows, 0);
    assert_int_equal(d->indptr[0], 0);
    hy_mldata_free(d);
    d = parse_ok("# nothing\n\r\n  \n", HY_MLDATA_LIBSVM);
    assert_int_equal(d->rows, 0);
    hy_mldata_free(d);
}

static void test_malbehavd(void **state)
{
    (void)state;
    char path[1200];
    struct stat st;
    const char *shared = hy_test_shared_data();
    snprintf(path, sizeof path, "%s/behavior/MalBehavD-V1-dataset.csv", shared ? shared : "");
    if (!shared || stat(path, &st) != 0) {
        skip();
        return;
    }
    hy_mldata *d = NULL;
    if (hy_mldata_load(path, HY_MLDATA_AUTO, &d) != HY_OK)
        fail_msg("%s", hy_err_detail());
    assert_int_equal(d->rows, 2570);
    assert_int_equal(d->cols, HY_MLDATA_APISEQ_DIM);
    size_t pos = 0;
    for (size_t r = 0; r < d->rows; r++) {
        pos += d->labels[r] == 1.0f;
        assert_true(d->indptr[r + 1] > d->indptr[r]);
    }
    assert_int_equal(pos, 1285);
    hy_mldata_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libsvm),      cmocka_unit_test(test_libsvm_errors),
        cmocka_unit_test(test_csv),         cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_line_cap),    cmocka_unit_test(test_ember),
        cmocka_unit_test(test_ember_errors), cmocka_unit_test(test_apiseq),
        cmocka_unit_test(test_folds),       cmocka_unit_test(test_split),
        cmocka_unit_test(test_api),         cmocka_unit_test(test_malbehavd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
