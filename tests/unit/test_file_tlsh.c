/* TLSH (include/hayate/tlsh.h): self-contained properties, then every
 * expected-output file of the reference's Testing/ directory
 * (../shared/data/hashes/tlsh, skipped when absent). */
#include "testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hayate/tlsh.h"

/* ---- helpers ---------------------------------------------------------- */

static uint64_t rng = 0x243F6A8885A308D3ull;

static uint8_t next_byte(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint8_t)(rng >> 24);
}

/* n bytes of "text-like" data: words from a small alphabet, deterministic. */
static void gen_text(uint8_t *p, size_t n)
{
    static const char alpha[] = "etaoinshrdlucmfwypvbgkjqxz      \n.,";
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)alpha[next_byte() % (sizeof alpha - 1)];
}

static hy_tlsh_opts variant(unsigned buckets, unsigned checksum_len)
{
    hy_tlsh_opts o = {.buckets = buckets, .checksum_len = checksum_len};
    return o;
}

static void digest_of(const void *p, size_t n, const hy_tlsh_opts *o, hy_tlsh_digest *d)
{
    hy_tlsh ctx;
    assert_int_equal(hy_tlsh_init(&ctx, o), HY_OK);
    assert_int_equal(hy_tlsh_update(&ctx, p, n), HY_OK);
    assert_int_equal(hy_tlsh_final_digest(&ctx, d), HY_OK);
}

/* The bytes of a file (NUL-terminated, not counted in *n); NULL when it
 * cannot be read. */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long sz;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)sz + 1)) != NULL) {
        *n = fread(buf, 1, (size_t)sz, f);
        buf[*n] = '\0';
    }
    fclose(f);
    return buf;
}

/* ---- self-contained --------------------------------------------------- */

/* The reference's simple_unittest string 1 (511 characters; it hashes the
 * terminating NUL too) and its published digest. */
static void build_str1(char s[512])
{
    const char *head = "This is a test for Lili Diao. This is a string. Hello Hello Hello ";
    size_t h = strlen(head);
    memcpy(s, head, h);
    for (size_t i = h; i < 511; i++)
        s[i] = (char)('A' + (i - h + 14) % 26);
    s[511] = '\0';
}

static void test_published_vectors(void **st)
{
    char s[512], out[HY_TLSH_TEXT_MAX];
    uint8_t *buf = malloc(438);
    const char *line = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890!@#$%^&*()\n";
    (void)st;
    build_str1(s);
    assert_int_equal(hy_tlsh_hash(s, 512, NULL, out, sizeof out), HY_OK);
    assert_string_equal(out,
                        "T109F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E68114448");
    /* testlen.sh: the 73-byte line 4 and 6 times */
    for (int i = 0; i < 6; i++)
        memcpy(buf + 73 * i, line, 73);
    assert_int_equal(hy_tlsh_hash(buf, 292, NULL, out, sizeof out), HY_OK);
    assert_string_equal(out,
                        "T14BE02411DD334D0C0F03114C31404DDF3C75C7030407310110D4474DC1740C04440404");
    assert_int_equal(hy_tlsh_hash(buf, 438, NULL, out, sizeof out), HY_OK);
    assert_string_equal(out,
                        "T12FF02411DD334D0C0F03114C31404DDF3C75C7030407310110D4474DC1740C04440404");
    free(buf);
}

static void test_too_short_or_uniform(void **st)
{
    static uint8_t buf[20000];
    char out[HY_TLSH_TEXT_MAX];
    hy_tlsh_opts cons = {.conservative = true};
    (void)st;
    gen_text(buf, sizeof buf);
    assert_int_equal(hy_tlsh_hash(buf, 0, NULL, out, sizeof out), HY_ERR_ARG);
    assert_string_equal(out, "");
    assert_non_null(strstr(hy_err_detail(), "too short"));
    assert_int_equal(hy_tlsh_hash(NULL, 0, NULL, out, sizeof out), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_hash(buf, 49, NULL, out, sizeof out), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_hash(buf, 200, NULL, out, sizeof out), HY_OK);
    assert_int_equal(hy_tlsh_hash(buf, 255, &cons, out, sizeof out), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_hash(buf, 256, &cons, out, sizeof out), HY_OK);
    memset(buf, 'A', sizeof buf);
    assert_int_equal(hy_tlsh_hash(buf, sizeof buf, NULL, out, sizeof out), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "uniform"));
    for (size_t i = 0; i < sizeof buf; i++) /* a two-byte cycle: still few buckets */
        buf[i] = i % 2 ? 'x' : 'y';
    assert_int_equal(hy_tlsh_hash(buf, sizeof buf, NULL, out, sizeof out), HY_ERR_ARG);
}

/* The "too few buckets" rule: a digest needs more than half the buckets
 * non-empty, even when q3 > 0. Periodic inputs of growing period walk
 * the count of non-empty buckets through the threshold. */
static void test_sparse_buckets(void **st)
{
    static uint8_t buf[4000];
    char out[HY_TLSH_TEXT_MAX];
    unsigned below = 0, above = 0;
    (void)st;
    for (unsigned period = 6; period < 80; period++) {
        hy_tlsh ctx;
        unsigned nonzero = 0, q3_zero;
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (uint8_t)(37 * (i % period) + 11);
        assert_int_equal(hy_tlsh_init(&ctx, NULL), HY_OK);
        assert_int_equal(hy_tlsh_update(&ctx, buf, sizeof buf), HY_OK);
        for (unsigned b = 0; b < 128; b++)
            nonzero += ctx.bucket[b] != 0;
        q3_zero = nonzero < 33; /* the 96th smallest count is 0 */
        hy_err rc = hy_tlsh_final(&ctx, out, sizeof out);
        assert_int_equal(rc, nonzero > 64 ? HY_OK : HY_ERR_ARG);
        below += !q3_zero && nonzero <= 64;
        above += nonzero > 64;
    }
    assert_true(below > 0 && above > 0); /* both sides of the rule were seen */
}

static void test_bad_arguments(void **st)
{
    uint8_t buf[300];
    char out[HY_TLSH_TEXT_MAX];
    hy_tlsh ctx;
    hy_tlsh_opts bad = {.buckets = 64}, bad2 = {.checksum_len = 2};
    hy_tlsh_digest d;
    (void)st;
    gen_text(buf, sizeof buf);
    assert_int_equal(hy_tlsh_init(&ctx, &bad), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_init(&ctx, &bad2), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_init(NULL, NULL), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_init(&ctx, NULL), HY_OK);
    assert_int_equal(hy_tlsh_update(&ctx, NULL, 5), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_update(NULL, buf, 5), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_update(&ctx, buf, sizeof buf), HY_OK);
    assert_int_equal(hy_tlsh_final(&ctx, out, HY_TLSH_TEXT_LEN - 1), HY_ERR_ARG);
    assert_string_equal(out, "");
    assert_int_equal(hy_tlsh_final(&ctx, out, HY_TLSH_TEXT_LEN), HY_OK);
    assert_int_equal(strlen(out), HY_TLSH_TEXT_LEN - 1);
    assert_int_equal(hy_tlsh_final(&ctx, NULL, 10), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_final_digest(NULL, &d), HY_ERR_ARG);
    d.buckets = 100;
    assert_int_equal(hy_tlsh_format(&d, false, out, sizeof out), HY_ERR_ARG);
}

/* Streaming in chunks of every size 1..9, 13, 64 and random sizes gives
 * the one-shot digest, for every variant; final leaves ctx usable. */
static void test_streaming(void **st)
{
    static uint8_t buf[5000];
    static const unsigned chunk[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 64, 0};
    (void)st;
    gen_text(buf, sizeof buf);
    for (unsigned v = 0; v < 4; v++) {
        hy_tlsh_opts o = variant(v & 1 ? 256 : 128, v & 2 ? 3 : 1);
        char one[HY_TLSH_TEXT_MAX], part[HY_TLSH_TEXT_MAX];
        assert_int_equal(hy_tlsh_hash(buf, sizeof buf, &o, one, sizeof one), HY_OK);
        for (unsigned c = 0; c < sizeof chunk / sizeof *chunk; c++) {
            hy_tlsh ctx;
            assert_int_equal(hy_tlsh_init(&ctx, &o), HY_OK);
            for (size_t off = 0; off < sizeof buf;) {
                size_t k = chunk[c] ? chunk[c] : 1u + next_byte() % 97u;
                k = k < sizeof buf - off ? k : sizeof buf - off;
                assert_int_equal(hy_tlsh_update(&ctx, buf + off, k), HY_OK);
                assert_int_equal(hy_tlsh_update(&ctx, buf, 0), HY_OK);
                off += k;
                if (off == 2500) /* a final in the middle changes nothing */
                    assert_int_equal(hy_tlsh_final(&ctx, part, sizeof part), HY_OK);
            }
            assert_int_equal(hy_tlsh_final(&ctx, part, sizeof part), HY_OK);
            assert_string_equal(part, one);
        }
    }
}

/* format/parse round trips in both text forms and both cases; the
 * parser refuses anything that is not exactly a digest. */
static void test_parse_round_trip(void **st)
{
    static uint8_t buf[3000];
    (void)st;
    gen_text(buf, sizeof buf);
    for (unsigned v = 0; v < 4; v++) {
        hy_tlsh_opts o = variant(v & 1 ? 256 : 128, v & 2 ? 3 : 1);
        hy_tlsh_digest d, e;
        char t[HY_TLSH_TEXT_MAX], u[HY_TLSH_TEXT_MAX];
        digest_of(buf, sizeof buf, &o, &d);
        for (int prefix = 0; prefix < 2; prefix++) {
            assert_int_equal(hy_tlsh_format(&d, !prefix, t, sizeof t), HY_OK);
            assert_int_equal(strlen(t), 2u * o.checksum_len + 4 + o.buckets / 2 + 2 * prefix);
            assert_int_equal(hy_tlsh_parse(t, &e), HY_OK);
            assert_memory_equal(&d, &e, sizeof d);
            for (char *c = t + 2 * prefix; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            assert_int_equal(hy_tlsh_parse(t, &e), HY_OK);
            assert_int_equal(hy_tlsh_format(&e, !prefix, u, sizeof u), HY_OK);
            assert_int_equal(hy_tlsh_diff(&d, &e, true), 0);
        }
    }
}

static void test_parse_refuses(void **st)
{
    const char *good = "T109F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E68114448";
    const char *bad[] = {
        "",
        "T1",
        "TNULL",
        "T2"
        "09F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E68114448",
        "T109F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E6811444",
        "T109F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E681144488",
        "T109F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E6811444G",
        "T109F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E68114448\n",
        " T109F05A198CC69A5A4F0F9380A9EE93F2B927CF42089EA74276DC5F0BB2D34E68114448"};
    hy_tlsh_digest d;
    (void)st;
    assert_int_equal(hy_tlsh_parse(good, &d), HY_OK);
    assert_int_equal(d.buckets, 128);
    assert_int_equal(d.checksum_len, 1);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(hy_tlsh_parse(bad[i], &d), HY_ERR_FORMAT);
        assert_int_equal(d.buckets, 0);
    }
    assert_int_equal(hy_tlsh_parse(NULL, &d), HY_ERR_ARG);
    assert_int_equal(hy_tlsh_parse(good, NULL), HY_ERR_ARG);
}

/* The distance's terms on hand-made digests, from the format's definition. */
static void test_diff_terms(void **st)
{
    hy_tlsh_digest a = {
        .buckets = 128, .checksum_len = 1, .lvalue = 10, .q1ratio = 3, .q2ratio = 7};
    hy_tlsh_digest b = a, c = a;
    (void)st;
    assert_int_equal(hy_tlsh_diff(&a, &b, true), 0);
    b.lvalue = 11;
    assert_int_equal(hy_tlsh_diff(&a, &b, true), 1);
    assert_int_equal(hy_tlsh_diff(&a, &b, false), 0);
    b.lvalue = 255; /* 11 apart around the circle */
    assert_int_equal(hy_tlsh_diff(&a, &b, true), 11 * 12);
    b = a, b.q1ratio = 15; /* 4 apart around 16 */
    assert_int_equal(hy_tlsh_diff(&a, &b, false), 3 * 12);
    b = a, b.q2ratio = 8, b.checksum[0] = 1;
    assert_int_equal(hy_tlsh_diff(&a, &b, false), 1 + 1);
    memset(c.body, 0xFF, sizeof c.body); /* every code 3 against 0: 6 each */
    assert_int_equal(hy_tlsh_diff(&a, &c, false), 128 * 6);
    c.body[0] = 0x1B; /* codes 0,1,2,3 against 0: 0+1+2+6 */
    memset(c.body + 1, 0, sizeof c.body - 1);
    assert_int_equal(hy_tlsh_diff(&a, &c, false), 9);
    c.buckets = 256;
    assert_int_equal(hy_tlsh_diff(&a, &c, false), -1);
    assert_int_equal(hy_tlsh_diff(&a, NULL, false), -1);
}

/* Similar inputs are near, unrelated ones far; symmetric; zero to self. */
static void test_diff_locality(void **st)
{
    static uint8_t x[20000], y[20000], z[20000];
    hy_tlsh_digest dx, dy, dz;
    (void)st;
    gen_text(x, sizeof x);
    memcpy(y, x, sizeof y);
    for (size_t i = 0; i < sizeof y; i += 500) /* 1% of the bytes changed */
        y[i] ^= 0x20;
    for (size_t i = 0; i < sizeof z; i++)
        z[i] = next_byte();
    digest_of(x, sizeof x, NULL, &dx);
    digest_of(y, sizeof y, NULL, &dy);
    digest_of(z, sizeof z, NULL, &dz);
    assert_int_equal(hy_tlsh_diff(&dx, &dx, true), 0);
    assert_int_equal(hy_tlsh_diff(&dx, &dy, true), hy_tlsh_diff(&dy, &dx, true));
    assert_int_equal(hy_tlsh_diff(&dx, &dz, false), hy_tlsh_diff(&dz, &dx, false));
    assert_true(hy_tlsh_diff(&dx, &dy, true) < 50);
    assert_true(hy_tlsh_diff(&dx, &dz, true) > 200);
}

/* ---- the reference's expected outputs ---------------------------------- */

#define MAX_FILES 128
#define MAX_LINE  4096

typedef struct cached {
    char name[96];
    unsigned key; /* buckets * 4 + checksum_len */
    hy_err rc;
    hy_tlsh_digest d;
} cached;

enum { K_DIGEST, K_NODIGEST, K_SCORE, K_FIELD, K_COUNTS, K_PATTERN, K_COUNT };
static const char *kind_name[K_COUNT] = {"digests",       "no-digest outcomes",
                                         "distances",     "header/bucket fields",
                                         "bucket counts", "pattern matches"};

static struct {
    char dir[1024];          /* .../hashes/tlsh */
    char ex[MAX_FILES][96];  /* example_data/ names */
    bool ex_cons[MAX_FILES]; /* ... and whether each has 256+ bytes' digest */
    size_t nex;
    cached c[8 * MAX_FILES];
    size_t nc;
    size_t checked[K_COUNT];
    size_t files;
} R;

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Names in R.dir/sub (no dot files), sorted; returns the count. */
static size_t list_dir(const char *sub, char names[][96], size_t max)
{
    char path[1200];
    size_t n = 0;
    struct dirent *e;
    snprintf(path, sizeof path, "%s/%s", R.dir, sub);
    DIR *d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            assert_true(n < max && strlen(e->d_name) < 96);
            memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
        }
    closedir(d);
    qsort(names, n, 96, cmp_str);
    return n;
}

static char *read_in(const char *sub, const char *name, size_t *n)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s/%s", R.dir, sub, name);
    char *p = slurp(path, n);
    if (!p)
        fail_msg("cannot read %s", path);
    return p;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/'), *b = strrchr(p, '\\');
    s = s && b ? (s > b ? s : b) : s ? s : b;
    return s ? s + 1 : p;
}

/* example_data/ for its files, else example_data_variants/. */
static const char *data_dir(const char *name)
{
    for (size_t i = 0; i < R.nex; i++)
        if (strcmp(R.ex[i], name) == 0)
            return "example_data";
    return "example_data_variants";
}

/* The digest of a data file in a variant, computed once. */
static const cached *file_digest(const char *name, unsigned buckets, unsigned checksum_len)
{
    unsigned key = buckets * 4 + checksum_len;
    size_t n = 0;
    hy_tlsh_opts o = variant(buckets, checksum_len);
    for (size_t i = 0; i < R.nc; i++)
        if (R.c[i].key == key && strcmp(R.c[i].name, name) == 0)
            return &R.c[i];
    assert_true(R.nc < sizeof R.c / sizeof *R.c && strlen(name) < sizeof R.c[0].name);
    char *buf = read_in(data_dir(name), name, &n);
    cached *c = &R.c[R.nc++];
    snprintf(c->name, sizeof c->name, "%s", name);
    c->key = key;
    hy_tlsh ctx;
    assert_int_equal(hy_tlsh_init(&ctx, &o), HY_OK);
    assert_int_equal(hy_tlsh_update(&ctx, buf, n), HY_OK);
    c->rc = hy_tlsh_final_digest(&ctx, &c->d);
    free(buf);
    return c;
}

static void load_examples(void)
{
    hy_tlsh_opts cons = {.conservative = true};
    char out[HY_TLSH_TEXT_MAX];
    R.nex = list_dir("example_data", R.ex, MAX_FILES);
    for (size_t i = 0; i < R.nex; i++) {
        size_t n = 0;
        char *buf = read_in("example_data", R.ex[i], &n);
        R.ex_cons[i] = hy_tlsh_hash(buf, n, &cons, out, sizeof out) == HY_OK;
        free(buf);
    }
}

static bool cons_ok(const char *name)
{
    for (size_t i = 0; i < R.nex; i++)
        if (strcmp(R.ex[i], name) == 0)
            return R.ex_cons[i];
    fail_msg("%s is not in example_data", name);
    return false;
}

/* The variant in an expected file's name ("example_data.256.3.len..."). */
static void name_variant(const char *f, unsigned *buckets, unsigned *checksum_len)
{
    *buckets = strstr(f, ".256.") ? 256 : 128;
    *checksum_len = strstr(f, ".128.3.") || strstr(f, ".256.3.") ? 3 : 1;
}

/* Splits a line at tabs, commas, quotes, colons, braces and spaces. */
static int tokens(char *line, char **tok, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, "\t,\": {}[]\r", &save); t && n < max;
         t = strtok_r(NULL, "\t,\": {}[]\r", &save))
        tok[n++] = t;
    return n;
}

/* The next line of a text being walked (modified in place); NULL at end. */
static char *next_line(char **cursor)
{
    char *s = *cursor, *nl;
    if (!s || !*s)
        return NULL;
    nl = strchr(s, '\n');
    if (nl)
        *nl = '\0';
    *cursor = nl ? nl + 1 : NULL;
    return s;
}

/* One "digest, file" entry: the file's digest in the variant and the text
 * form expected; "TNULL" must be a file with no digest (in conservative
 * mode for the ".cons" outputs). */
static void check_entry(const char *file, const char *expect, unsigned buckets,
                        unsigned checksum_len, bool conservative)
{
    const cached *c = file_digest(file, buckets, checksum_len);
    char got[HY_TLSH_TEXT_MAX];
    if (strcmp(expect, "TNULL") == 0) {
        assert_false(conservative ? cons_ok(file) : c->rc == HY_OK);
        R.checked[K_NODIGEST]++;
        return;
    }
    if (c->rc != HY_OK)
        fail_msg("%s: no digest, expected %s", file, expect);
    assert_int_equal(hy_tlsh_format(&c->d, strncmp(expect, "T1", 2) != 0, got, sizeof got), HY_OK);
    if (strcmp(got, expect) != 0)
        fail_msg("%s (%u/%u): got %s, expected %s", file, buckets, checksum_len, got, expect);
    R.checked[K_DIGEST]++;
}

/* Finds the digest and the file name among a line's tokens. */
static bool digest_and_file(char *line, const char **digest, const char **file)
{
    char *tok[16];
    hy_tlsh_digest d;
    int nt = tokens(line, tok, 16);
    *digest = *file = NULL;
    for (int i = 0; i < nt; i++) {
        if (strcmp(tok[i], "TNULL") == 0 || hy_tlsh_parse(tok[i], &d) == HY_OK)
            *digest = tok[i];
        else if (strstr(tok[i], ".txt"))
            *file = base_name(tok[i]);
    }
    assert_true((*digest != NULL) == (*file != NULL));
    return *digest != NULL;
}

/* A list of digests (tab, JSON, pattern-file or CSV lines). A listing of
 * the whole directory that leaves files out was written by a version with
 * the 256-byte minimum: those files must have no digest under it. */
static void check_digest_list(char *text, const char *fname, bool whole_dir)
{
    char *cur = text, *line;
    const char *digest, *file;
    char seen[MAX_FILES][96];
    size_t listed = 0;
    unsigned buckets, checksum_len;
    name_variant(fname, &buckets, &checksum_len);
    while ((line = next_line(&cur)) != NULL) {
        if (!digest_and_file(line, &digest, &file))
            continue;
        check_entry(file, digest, buckets, checksum_len, strstr(fname, ".cons.") != NULL);
        assert_true(listed < MAX_FILES);
        snprintf(seen[listed++], sizeof seen[0], "%s", file);
    }
    assert_true(listed > 0);
    for (size_t i = 0; whole_dir && i < R.nex; i++) {
        bool found = false;
        for (size_t j = 0; j < listed && !found; j++)
            found = strcmp(seen[j], R.ex[i]) == 0;
        if (!found) {
            assert_false(R.ex_cons[i]);
            R.checked[K_NODIGEST]++;
        }
    }
}

/* The distance of two data files' digests against an expected score. */
static void check_score(const char *f1, const char *f2, const char *score, unsigned buckets,
                        unsigned checksum_len, bool len)
{
    const cached *a = file_digest(f1, buckets, checksum_len);
    const cached *b = file_digest(f2, buckets, checksum_len);
    assert_true(a->rc == HY_OK && b->rc == HY_OK);
    int d = hy_tlsh_diff(&a->d, &b->d, len);
    if (d != atoi(score))
        fail_msg("%s vs %s (%u/%u%s): %d, expected %s", f1, f2, buckets, checksum_len,
                 len ? "" : ", xlen", d, score);
    R.checked[K_SCORE]++;
}

/* Files of example_data the reference compared with a "-T 201" list's
 * first file that are within the threshold (inclusive). Versions with
 * the 256-byte minimum (all but 128/1) left the short files out. */
static size_t count_within(const char *first, unsigned buckets, unsigned checksum_len, bool len)
{
    const cached *ref = file_digest(first, buckets, checksum_len);
    size_t within = 0;
    for (size_t i = 0; i < R.nex; i++) {
        const cached *c = file_digest(R.ex[i], buckets, checksum_len);
        if (c->rc == HY_OK && (R.ex_cons[i] || (buckets == 128 && checksum_len == 1)))
            within += hy_tlsh_diff(&ref->d, &c->d, len) <= 201;
    }
    return within;
}

/* Lines "file1 file2 score" (tab or JSON) of one variant, "xlen" without
 * the length term; a thresholded list must hold every file within it. */
static void check_score_list(char *text, const char *fname)
{
    char *cur = text, *line, *tok[16], first[96] = "";
    size_t listed = 0;
    unsigned buckets, checksum_len;
    bool len = strstr(fname, "xlen") == NULL;
    name_variant(fname, &buckets, &checksum_len);
    while ((line = next_line(&cur)) != NULL) {
        const char *f[2] = {NULL, NULL}, *score = NULL;
        int nt = tokens(line, tok, 16), nf = 0;
        for (int i = 0; i < nt; i++)
            if (strstr(tok[i], ".txt") && nf < 2)
                f[nf++] = base_name(tok[i]);
            else if (strspn(tok[i], "0123456789") == strlen(tok[i]))
                score = tok[i];
        if (nf == 0)
            continue;
        assert_true(nf == 2 && score);
        check_score(f[0], f[1], score, buckets, checksum_len, len);
        snprintf(first, sizeof first, "%s", f[0]);
        listed++;
    }
    assert_true(listed > 0);
    if (strstr(fname, "T-201"))
        assert_int_equal(count_within(first, buckets, checksum_len, len), listed);
}

/* One field line of a parts dump against the digest and the counts. */
static void check_part_line(const char *line, const hy_tlsh_digest *d, const uint32_t *counts)
{
    int k;
    unsigned v;
    if (sscanf(line, "Checksum(%d)%u", &k, &v) == 2 && k >= 0 && k < d->checksum_len)
        assert_int_equal(d->checksum[k], v);
    else if (sscanf(line, "Lvalue()%u", &v) == 1)
        assert_int_equal(d->lvalue, v);
    else if (sscanf(line, "Q1ratio()%u", &v) == 1)
        assert_int_equal(d->q1ratio, v);
    else if (sscanf(line, "Q2ratio()%u", &v) == 1)
        assert_int_equal(d->q2ratio, v);
    else if (sscanf(line, "BucketValue(%d)%u", &k, &v) == 2 && k >= 0 && k < d->buckets)
        assert_int_equal((d->body[k / 4] >> (6 - 2 * (k % 4))) & 3, v);
    else if (sscanf(line, "HistogramCount(%d)%u", &k, &v) == 2 && k >= 0 && k < d->buckets &&
             counts) {
        /* the dump numbers buckets in text order, the last bucket first */
        assert_int_equal(counts[d->buckets - 1 - k], v);
        R.checked[K_COUNTS]++;
        return;
    } else
        return;
    R.checked[K_FIELD]++;
}

/* out.parts.[thread.|private.]FILE.EXP: the digest's fields and the
 * bucket counts. The threaded and private digests are the plain one with
 * the checksum zeroed; out.parts_EXP dumps a given digest, no file. */
static void check_parts(char *text, const char *fname)
{
    char *cur = text, *line, name[96] = "", got[HY_TLSH_TEXT_MAX];
    hy_tlsh_digest d;
    hy_tlsh ctx;
    const char *p = fname + strlen("out.parts");
    bool zero = false;
    if (*p++ == '.') {
        if (strncmp(p, "thread.", 7) == 0 || strncmp(p, "private.", 8) == 0)
            p = strchr(p, '.') + 1, zero = true;
        snprintf(name, sizeof name, "%.*s", (int)(strlen(p) - 4), p); /* less ".EXP" */
    }
    line = next_line(&cur);
    assert_int_equal(hy_tlsh_parse(line, &d), HY_OK);
    if (name[0]) {
        size_t n = 0;
        char *buf = read_in("example_data", name, &n);
        hy_tlsh_digest mine;
        assert_int_equal(hy_tlsh_init(&ctx, NULL), HY_OK);
        assert_int_equal(hy_tlsh_update(&ctx, buf, n), HY_OK);
        free(buf);
        assert_int_equal(hy_tlsh_final_digest(&ctx, &mine), HY_OK);
        if (zero)
            mine.checksum[0] = 0;
        assert_int_equal(hy_tlsh_format(&mine, false, got, sizeof got), HY_OK);
        assert_string_equal(got, line);
        R.checked[K_DIGEST]++;
    }
    while ((line = next_line(&cur)) != NULL)
        check_part_line(line, &d, name[0] ? ctx.bucket : NULL);
}

/* The python module's dump of the digest that test_parts.sh dumps. */
static void check_python_parts(char *text)
{
    char *cur = text, *line;
    hy_tlsh_digest d;
    unsigned k, v;
    assert_int_equal(
        hy_tlsh_parse("T11454F120A8989D5CF8CAC182F93A3E8D475C317365C5B4911C3C4A9CA5438F5E8FB6EB",
                      &d),
        HY_OK);
    while ((line = next_line(&cur)) != NULL) {
        if (sscanf(line, "checksum:%u", &v) == 1)
            assert_int_equal(d.checksum[0], v);
        else if (sscanf(line, "lvalue:%u", &v) == 1)
            assert_int_equal(d.lvalue, v);
        else if (sscanf(line, "q1ratio:%u", &v) == 1)
            assert_int_equal(d.q1ratio, v);
        else if (sscanf(line, "q2ratio:%u", &v) == 1)
            assert_int_equal(d.q2ratio, v);
        else if (sscanf(line, "bucket %u:%u", &k, &v) == 2 && k < 128)
            assert_int_equal((d.body[k / 4] >> (6 - 2 * (k % 4))) & 3, v);
        else
            continue;
        R.checked[K_FIELD]++;
    }
}

/* tlsh_pattern's results: "file pattern-file distance" for the files of
 * a directory within the patterns' radius (30, inclusive) of a pattern
 * of tenfile.pat_EXP. The tool never reports its first pattern (pat_0):
 * completeness is checked against the other nine. */
static void check_patterns(char *text, const char *fname)
{
    char pats[16][96], names[MAX_FILES][96], *cur, *line, *tok[8];
    hy_tlsh_digest pd[16];
    size_t npat = 0, n = 0, listed = 0, within = 0;
    const char *sub =
        strncmp(fname, "example_data_variants", 21) == 0 ? "example_data_variants" : "example_data";
    char *pf = read_in("exp", "tenfile.pat_EXP", &n);
    for (cur = pf; (line = next_line(&cur)) != NULL && npat < 16;)
        if (tokens(line, tok, 8) == 5) {
            assert_int_equal(hy_tlsh_parse(tok[2], &pd[npat]), HY_OK);
            snprintf(pats[npat++], 96, "%s", tok[4]);
        }
    free(pf);
    for (cur = text; (line = next_line(&cur)) != NULL;) {
        if (tokens(line, tok, 8) != 3)
            continue;
        size_t k = 0;
        while (k < npat && strcmp(pats[k], tok[1]) != 0)
            k++;
        assert_true(k > 0 && k < npat);
        const cached *c = file_digest(tok[0], 128, 1);
        assert_int_equal(hy_tlsh_diff(&c->d, &pd[k], true), atoi(tok[2]));
        listed++;
        R.checked[K_PATTERN]++;
    }
    n = list_dir(sub, names, MAX_FILES);
    for (size_t i = 0; i < n; i++) {
        const cached *c = file_digest(names[i], 128, 1);
        for (size_t k = 1; k < npat && c->rc == HY_OK; k++)
            within += hy_tlsh_diff(&c->d, &pd[k], true) <= 30;
    }
    assert_int_equal(within, listed);
}

/* testlen.sh: two copies of a 73-byte line, then files growing as the
 * Fibonacci sequence (prev + this), up to 6.7 MB; each iteration lists
 * the size and the digest. */
static void check_testlen(char *text)
{
    static const char row[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890!@#$%^&*()\n";
    size_t a = 2 * 73, b = 4 * 73, cap = 8u << 20, size;
    uint8_t *buf = malloc(cap);
    char *cur = text, *line, *tok[4], got[HY_TLSH_TEXT_MAX];
    assert_non_null(buf);
    for (size_t i = 0; i < cap; i++) /* every file is a prefix of the repeated line */
        buf[i] = (uint8_t)row[i % 73];
    while ((line = next_line(&cur)) != NULL) {
        int nt = tokens(line, tok, 4);
        if (nt == 2 && sscanf(tok[0], "%zu", &size) == 1 && strcmp(tok[1], "testlen2.txt") == 0) {
            assert_int_equal(size, b);
        } else if (nt == 2 && strcmp(tok[1], "testlen2.txt") == 0) {
            assert_true(b <= cap);
            assert_int_equal(hy_tlsh_hash(buf, b, NULL, got, sizeof got), HY_OK);
            assert_string_equal(got, tok[0]);
            R.checked[K_DIGEST]++;
            size_t c = a + b;
            a = b, b = c;
        }
    }
    free(buf);
}

/* simple_unittest: two strings hashed with their terminating NUL, in one
 * call and in several, digests re-read from text, distances. */
static void check_simple(char *text)
{
    char *cur = text, *line, *s[2] = {NULL, NULL}, got[HY_TLSH_TEXT_MAX];
    hy_tlsh_digest d[2], e;
    int v, which = 0;
    while ((line = next_line(&cur)) != NULL) {
        if (strncmp(line, "str", 3) == 0 && (line[3] == '1' || line[3] == '2')) {
            s[line[3] - '1'] = line + 8;
            line[strlen(line) - 1] = '\0'; /* the closing quote */
        } else if (strncmp(line, "hash", 4) == 0) {
            int k = (line[4] - '1') % 2, half = (line[4] - '1') / 2;
            hy_tlsh ctx;
            size_t n = strlen(s[k]) + 1;
            assert_int_equal(hy_tlsh_init(&ctx, NULL), HY_OK);
            assert_int_equal(hy_tlsh_update(&ctx, s[k], half ? n / 3 : n), HY_OK);
            assert_int_equal(hy_tlsh_update(&ctx, s[k] + (half ? n / 3 : n), half ? n - n / 3 : 0),
                             HY_OK);
            assert_int_equal(hy_tlsh_final(&ctx, got, sizeof got), HY_OK);
            assert_string_equal(got, line + 8);
            assert_int_equal(hy_tlsh_parse(got, &d[k]), HY_OK);
            R.checked[K_DIGEST]++;
        } else if (strncmp(line, "Recreating tlsh", 15) == 0) {
            assert_int_equal(hy_tlsh_parse(strrchr(line, ' ') + 1, &e), HY_OK);
            assert_int_equal(hy_tlsh_diff(&e, &d[which++ % 2], true), 0);
        } else if (sscanf(line, "difference (same strings) = %d", &v) == 1) {
            assert_int_equal(hy_tlsh_diff(&d[0], &d[0], true), v);
        } else if (sscanf(line, "difference (with len) = %d", &v) == 1) {
            assert_int_equal(hy_tlsh_diff(&d[0], &d[1], true), v);
            R.checked[K_SCORE]++;
        } else if (sscanf(line, "difference (without len) = %d", &v) == 1) {
            assert_int_equal(hy_tlsh_diff(&d[0], &d[1], false), v);
            R.checked[K_SCORE]++;
        }
    }
    assert_true(s[0] && s[1]);
}

/* python_test.sh: hex1 is 2005NISSE.txt, hex2 1english-only.txt. */
static void check_python(char *text)
{
    char *cur = text, *line, *tok[4];
    const cached *a = file_digest("2005NISSE.txt", 128, 1),
                 *b = file_digest("1english-only.txt", 128, 1);
    while ((line = next_line(&cur)) != NULL) {
        int nt = tokens(line, tok, 4);
        if (nt < 2)
            continue;
        if (strstr(line, "diff")) {
            bool self = strstr(line, "h3.diff") != NULL;
            assert_int_equal(hy_tlsh_diff(self ? &b->d : &a->d, &b->d, true), atoi(tok[nt - 1]));
            R.checked[K_SCORE]++;
        } else if (strstr(line, "fromTlshStr")) {
            hy_tlsh_digest d;
            assert_int_equal(hy_tlsh_parse(tok[nt - 1], &d), HY_OK);
            assert_int_equal(hy_tlsh_diff(&d, &b->d, true), 0);
        } else if (strstr(tok[nt - 2], "hex1") || strstr(tok[nt - 2], "hex2")) {
            check_entry(strstr(tok[nt - 2], "hex1") ? "2005NISSE.txt" : "1english-only.txt",
                        tok[nt - 1], 128, 1, false);
        }
    }
}

/* "-split 50,100,200": digests of lines 1-49, 50-99 and 100-200. */
static void check_split(char *text)
{
    size_t n = 0;
    char *data = read_in("example_data", "Week3.txt", &n), *cur = text, *line, *tok[4];
    char got[HY_TLSH_TEXT_MAX];
    unsigned from, to;
    while ((line = next_line(&cur)) != NULL) {
        if (tokens(line, tok, 4) != 2 ||
            sscanf(base_name(tok[1]), "Week3.txt_%u_%u", &from, &to) != 2)
            continue;
        const char *start = data, *end;
        for (unsigned l = 1; l < from && start; l++)
            start = strchr(start, '\n') ? strchr(start, '\n') + 1 : NULL;
        assert_non_null(start);
        end = start;
        for (unsigned l = from; l <= to && *end; l++)
            end = strchr(end, '\n') ? strchr(end, '\n') + 1 : end + strlen(end);
        assert_int_equal(hy_tlsh_hash(start, (size_t)(end - start), NULL, got, sizeof got), HY_OK);
        assert_string_equal(got, tok[0]);
        R.checked[K_DIGEST]++;
    }
    free(data);
}

/* An empty stderr: every file of the directory has a digest (128/1). */
static void check_no_errors(const char *text)
{
    assert_int_equal(strlen(text), 0);
    for (size_t i = 0; i < R.nex; i++)
        assert_int_equal(file_digest(R.ex[i], 128, 1)->rc, HY_OK);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Checks one expected-output file by the kind its name says; a name of no
 * known kind fails, so that every file is checked. */
static void check_exp_file(const char *fname)
{
    size_t n = 0;
    char *text = read_in("exp", fname, &n);
    if (strncmp(fname, "out.parts", 9) == 0)
        check_parts(text, fname);
    else if (strcmp(fname, "python_parts_test_EXP") == 0)
        check_python_parts(text);
    else if (strcmp(fname, "python_test_EXP") == 0)
        check_python(text);
    else if (strncmp(fname, "simple_unittest.", 16) == 0)
        check_simple(text);
    else if (strncmp(fname, "testlen.", 8) == 0)
        check_testlen(text);
    else if (strcmp(fname, "tenfile.pat_EXP") == 0)
        check_digest_list(text, fname, false);
    else if (ends_with(fname, ".results_EXP"))
        check_patterns(text, fname);
    else if (strstr(fname, ".split.tlsh"))
        check_split(text);
    else if (ends_with(fname, ".err_EXP") || ends_with(fname, ".err2_EXP"))
        check_no_errors(text);
    else if (strstr(fname, "scores"))
        check_score_list(text, fname);
    else if (ends_with(fname, "out_EXP"))
        check_digest_list(text, fname, true);
    else if (ends_with(fname, "tlsh_EXP"))
        check_digest_list(text, fname, false);
    else
        fail_msg("expected-output file of no known kind: %s", fname);
    free(text);
    R.files++;
}

static void test_reference_vectors(void **st)
{
    static char names[512][96];
    size_t n, len = 0;
    (void)st;
    const char *shared = hy_test_shared_data();
    if (!shared) {
        print_message("tlsh: ../shared/data is absent; reference vectors skipped\n");
        skip();
    }
    snprintf(R.dir, sizeof R.dir, "%s/hashes/tlsh", shared);
    if (access(R.dir, R_OK) != 0) {
        print_message("tlsh: %s is absent; reference vectors skipped\n", R.dir);
        skip();
    }
    load_examples();
    n = list_dir("exp", names, 512);
    for (size_t i = 0; i < n; i++)
        check_exp_file(names[i]);
    /* the -l2 inputs of test.sh: the directory's digests, columns swapped */
    const char *swapped[2] = {"example_data_col_swap.csv", "example_data_col_swap.tlsh"};
    for (int i = 0; i < 2; i++) {
        char *text = read_in(".", swapped[i], &len);
        check_digest_list(text, swapped[i], true);
        free(text);
        R.files++;
    }
    print_message("tlsh: %zu expected-output files checked:", R.files);
    for (int k = 0; k < K_COUNT; k++)
        print_message(" %zu %s%s", R.checked[k], kind_name[k], k + 1 < K_COUNT ? "," : "\n");
    assert_true(R.files >= 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors), cmocka_unit_test(test_too_short_or_uniform),
        cmocka_unit_test(test_sparse_buckets),    cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_streaming),         cmocka_unit_test(test_parse_round_trip),
        cmocka_unit_test(test_parse_refuses),     cmocka_unit_test(test_diff_terms),
        cmocka_unit_test(test_diff_locality),     cmocka_unit_test(test_reference_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
