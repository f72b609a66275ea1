/* The ATT&CK sentence classifier: a synthetic problem learned and
 * calibrated, probabilities and top-k, the model file (identical
 * predictions after a round trip; damaged, cut, foreign, future and padded
 * files refused with the file named), the TRAM loaders on hand-made input
 * (code-point offsets, negatives, citations, malformed documents), grouped
 * folds, the evaluation on synthetic data (augmentation duplicates and
 * quotes dropped), and, when ../shared is present, the real TRAM data and
 * the shipped model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "engines/intel/attack_model_int.h"
#include "hayate/attack.h"
#include "hayate/ember.h"
#include "hayate/error.h"

/* ---- synthetic sentences ---- */

static const char *const classes[] = {"none", "T1027", "T1059.003", "T1105"};
static const char *const vocab[4][6] = {
    {"report", "published", "company", "customers", "blog", "team"},
    {"obfuscated", "encoded", "packed", "base64", "encrypted", "xor"},
    {"cmd.exe", "command", "shell", "batch", "prompt", "console"},
    {"download", "transfer", "payload", "fetch", "remote", "retrieved"},
};
static const char *const common[] = {"the", "actor", "used", "malware", "to", "a", "and", "it"};

static uint64_t rs;

static unsigned rnd(unsigned n)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (unsigned)(rs % n);
}

/* A sentence of class c: 3 class words and 4 common ones, shuffled. */
static void sentence(unsigned c, char *out, size_t cap)
{
    const char *w[7];
    for (int i = 0; i < 3; i++)
        w[i] = vocab[c][rnd(6)];
    for (int i = 3; i < 7; i++)
        w[i] = common[rnd(8)];
    for (int i = 6; i > 0; i--) {
        unsigned j = rnd((unsigned)i + 1);
        const char *t = w[i];
        w[i] = w[j];
        w[j] = t;
    }
    snprintf(out, cap, "%s %s %s %s %s %s %s.", w[0], w[1], w[2], w[3], w[4], w[5], w[6]);
}

typedef struct synth {
    char text[320][80];
    const char *tp[320];
    size_t len[320];
    uint32_t label[320], group[320];
} synth;

/* 10 reports x 4 classes x 8 sentences. */
static void make_synth(synth *s, uint64_t seed)
{
    rs = seed;
    for (size_t i = 0; i < 320; i++) {
        s->label[i] = (uint32_t)(i % 4);
        s->group[i] = (uint32_t)(i / 32);
        sentence(s->label[i], s->text[i], sizeof s->text[i]);
        s->tp[i] = s->text[i];
        s->len[i] = strlen(s->text[i]);
    }
}

static hy_attack_opts small_opts(void)
{
    hy_attack_opts o;
    hy_attack_opts_default(&o);
    o.tfidf.hash_bits = 16;
    o.tfidf.min_df = 1;
    o.c_grid[0] = 0.5;
    o.c_grid[1] = 2;
    o.n_c = 2;
    o.aug_modes = 3;
    return o;
}

static hy_attack_model *train_synth(synth *s)
{
    hy_attack_set set = {320,  s->tp, s->len,  s->label, s->group, 10,   NULL,
                         NULL, 4,     classes, 0,        NULL,     NULL, NULL};
    hy_attack_opts o = small_opts();
    hy_attack_model *m = NULL;
    make_synth(s, 7);
    if (hy_attack_model_train(&set, &o, &m) != HY_OK)
        fail_msg("train: %s", hy_err_detail());
    return m;
}

static void test_train_predict(void **state)
{
    (void)state;
    synth *s = malloc(sizeof *s);
    hy_attack_model *m = train_synth(s);
    const hy_attack_model_info *in = hy_attack_model_info_get(m);
    assert_int_equal(hy_attack_model_classes(m), 4);
    assert_string_equal(hy_attack_model_class(m, 2), "T1059.003");
    assert_null(hy_attack_model_class(m, 4));
    assert_int_equal(in->train_rows, 320);
    assert_true(in->inner_micro_f1 > 0.9);
    assert_true(in->temperature >= 0.01 && in->temperature <= 100);
    assert_int_equal(in->inner_folds, 3);

    rs = 12345; /* unseen sentences */
    size_t ok = 0;
    for (int i = 0; i < 200; i++) {
        char t[80];
        unsigned c = (unsigned)i % 4;
        hy_attack_pred p[6];
        size_t n = 0;
        double cal[4], raw[4], sc = 0, sr = 0;
        sentence(c, t, sizeof t);
        assert_int_equal(hy_attack_model_predict(m, t, strlen(t), p, 6, &n), HY_OK);
        assert_int_equal(n, 4);
        for (size_t j = 1; j < n; j++)
            assert_true(p[j].prob <= p[j - 1].prob);
        assert_string_equal(p[0].name, classes[p[0].cls]);
        ok += p[0].cls == c;
        assert_int_equal(hy_attack_model_proba(m, t, strlen(t), raw, cal), HY_OK);
        for (size_t j = 0; j < 4; j++)
            sc += cal[j], sr += raw[j];
        assert_float_equal(sc, 1.0, 1e-9);
        assert_float_equal(sr, 1.0, 1e-9);
        assert_float_equal(cal[p[0].cls], p[0].prob, 1e-12);
    }
    assert_true(ok >= 190);
    hy_attack_pred one;
    size_t n = 9;
    assert_int_equal(hy_attack_model_predict(m, "", 0, &one, 1, &n), HY_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hy_attack_model_predict(m, NULL, 3, &one, 1, &n), HY_ERR_ARG);
    hy_attack_model_free(m);
    free(s);
}

/* ---- the model file ---- */

static uint8_t *slurp(const char *path, size_t *n)
{
    uint8_t *b = hy_test_read_file(path, n);
    assert_non_null(b);
    return b;
}

/* Writes b with a fresh checksum and expects parse to refuse it with what. */
static void expect_refused(uint8_t *b, size_t n, const char *what)
{
    hy_attack_model *m = NULL;
    uint32_t h = hy_murmur3_32(b, n - 4, 0x48594154u);
    for (int i = 0; i < 4; i++)
        b[n - 4 + i] = (uint8_t)(h >> (8 * i));
    assert_int_equal(hy_attack_model_parse("x.hyl", b, n, &m), HY_ERR_FORMAT);
    assert_null(m);
    if (!strstr(hy_err_detail(), what))
        fail_msg("expected \"%s\" in \"%s\"", what, hy_err_detail());
    assert_non_null(strstr(hy_err_detail(), "x.hyl"));
}

static void test_save_load(void **state)
{
    (void)state;
    synth *s = malloc(sizeof *s);
    hy_attack_model *m = train_synth(s), *u = NULL;
    char path[512];
    snprintf(path, sizeof path, "%s/model.hyl", hy_test_tmpdir());
    assert_int_equal(hy_attack_model_save(m, path), HY_OK);
    assert_int_equal(hy_attack_model_load(path, &u), HY_OK);
    assert_int_equal(hy_attack_model_info_get(u)->features, hy_attack_model_info_get(m)->features);
    assert_true(hy_attack_model_info_get(u)->temperature ==
                hy_attack_model_info_get(m)->temperature);
    for (size_t i = 0; i < 320; i += 3) {
        double a[4], b[4], ra[4], rb[4];
        assert_int_equal(hy_attack_model_proba(m, s->text[i], s->len[i], ra, a), HY_OK);
        assert_int_equal(hy_attack_model_proba(u, s->text[i], s->len[i], rb, b), HY_OK);
        assert_memory_equal(a, b, sizeof a);
        assert_memory_equal(ra, rb, sizeof ra);
    }
    hy_attack_model_free(u);

    size_t n = 0;
    uint8_t *b = slurp(path, &n);
    uint8_t *c = malloc(n + 16);
    memcpy(c, b, n);
    c[n / 2] ^= 0x40; /* damaged */
    assert_int_equal(hy_attack_model_parse("x.hyl", c, n, &u), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "checksum"));
    assert_int_equal(hy_attack_model_parse("x.hyl", b, n - 9, &u), HY_ERR_FORMAT); /* cut */
    memcpy(c, b, n);
    c[0] = 'X';
    assert_int_equal(hy_attack_model_parse("x.hyl", c, n, &u), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "magic"));
    memcpy(c, b, n);
    c[8] = 2; /* a future version */
    expect_refused(c, n, "version");
    memcpy(c, b, n);
    c[16] = 1; /* one class */
    expect_refused(c, n, "classes");
    memcpy(c, b, n);
    c[21] = '!'; /* bad class name ("none" is at 20..24) */
    expect_refused(c, n, "bad name");
    memcpy(c, b, n);
    memcpy(c + n - 4, "tail", 4); /* padded: 4 bytes more, then a checksum */
    expect_refused(c, n + 4, "unexpected bytes");
    memcpy(c, b, n);
    size_t t = 20 + 5 + 6 + 10 + 6; /* classes: none, T1027, T1059.003, T1105 */
    memset(c + t, 0xff, 8);         /* temperature NaN */
    expect_refused(c, n, "temperature");
    assert_int_equal(hy_attack_model_parse("x.hyl", b, 10, &u), HY_ERR_FORMAT);
    assert_int_equal(hy_attack_model_load("/nonexistent/m.hyl", &u), HY_ERR_IO);
    free(b);
    free(c);
    hy_attack_model_free(m);
    free(s);
}

/* ---- loaders ---- */

static hy_err parse_str(hy_attack_data *d, int kind, const char *json)
{
    const uint8_t *b = (const uint8_t *)json;
    size_t n = strlen(json);
    if (kind == 0)
        return hy_attack_parse_single_label(d, "s.json", b, n);
    if (kind == 1)
        return hy_attack_parse_bootstrap(d, "b.json", b, n);
    if (kind == 3)
        return hy_attack_parse_attack_descriptions(d, "enterprise-attack.json", b, n);
    return hy_attack_parse_report(d, "r.mjson", b, n, true, true);
}

static void test_single_label(void **state)
{
    (void)state;
    hy_attack_data *d = NULL;
    assert_int_equal(hy_attack_data_create(&d), HY_OK);
    assert_int_equal(parse_str(d, 0,
                               "[{\"text\":\" Uses cmd.exe \",\"label\":\"T1059.003\","
                               "\"doc_title\":\"\\u00a0Report A \"},"
                               "{\"text\":\"x\",\"label\":\"T1027\",\"doc_title\":\"Report A\"}]"),
                     HY_OK);
    assert_int_equal(d->n, 2);
    assert_string_equal(d->rows[0].text, "Uses cmd.exe");
    assert_int_equal(d->ngroups, 1); /* titles trimmed of blanks and U+00A0 */
    assert_string_equal(d->groups[0], "Report A");
    assert_int_equal(d->nlabels, 2);
    static const char *const bad[] = {
        "{}",
        "[1]",
        "[{\"text\":\"a\",\"label\":\"T1\",\"doc_title\":\"d\"}]",
        "[{\"text\":\"a\",\"label\":\"T1059.0x3\",\"doc_title\":\"d\"}]",
        "[{\"text\":\"a\",\"doc_title\":\"d\"}]",
        "[{\"text\":\"a\",\"label\":\"T1027\"",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(parse_str(d, 0, bad[i]), HY_ERR_FORMAT);
        assert_non_null(strstr(hy_err_detail(), "s.json"));
    }
    hy_attack_data_free(d);
}

static void test_bootstrap(void **state)
{
    (void)state;
    hy_attack_data *d = NULL;
    assert_int_equal(hy_attack_data_create(&d), HY_OK);
    assert_int_equal(parse_str(d, 1,
                               "{\"sentences\":[{\"text\":\"can hide files.(Citation: X Y 2020) "
                               "(Citation: Z)\",\"mappings\":[{\"attack_id\":\"T1564.001\"}]},"
                               "{\"text\":\"two\",\"mappings\":[{\"attack_id\":\"T1027\"},"
                               "{\"attack_id\":\"T1140\"}]},{\"text\":\"none\",\"mappings\":[]}]}"),
                     HY_OK);
    assert_int_equal(d->n, 1);
    assert_string_equal(d->rows[0].text, "can hide files.");
    assert_int_equal(d->rows[0].source, HY_ATTACK_SRC_BOOTSTRAP);
    assert_string_equal(d->groups[d->rows[0].group], "bootstrap");
    assert_int_equal(parse_str(d, 1, "{\"sentences\":{}}"), HY_ERR_FORMAT);
    assert_int_equal(parse_str(d, 1, "{\"sentences\":[{\"mappings\":[]}]}"), HY_ERR_FORMAT);
    assert_int_equal(parse_str(d, 1, "{\"sentences\":[{\"text\":\"a\",\"mappings\":[{}]}]}"),
                     HY_ERR_FORMAT);
    hy_attack_data_free(d);
}

/* ATT&CK descriptions: only techniques that label single_label rows; the
 * name and each sentence (20 bytes or more) a training-only row, without
 * citations, Markdown links or HTML tags; revoked and deprecated skipped. */
static void test_attack_descriptions(void **state)
{
    (void)state;
    hy_attack_data *d = NULL;
    assert_int_equal(hy_attack_data_create(&d), HY_OK);
    assert_int_equal(parse_str(d, 0,
                               "[{\"text\":\"Dumps LSASS.\",\"label\":\"T1003.001\","
                               "\"doc_title\":\"A\"}]"),
                     HY_OK);
    static const char bundle[] =
        "{\"type\":\"bundle\",\"objects\":["
        "{\"type\":\"attack-pattern\",\"name\":\"LSASS Memory\",\"description\":"
        "\"Adversaries may access the memory of [LSASS](https://x/T1003/001) to get "
        "credentials.(Citation: Foo 2020) Tools such as <code>procdump</code> can dump it. "
        "Short one.\",\"external_references\":[{\"source_name\":\"mitre-attack\","
        "\"external_id\":\"T1003.001\"}]},"
        "{\"type\":\"attack-pattern\",\"name\":\"Other\",\"description\":\"Not "
        "labelled anywhere in the data set.\",\"external_references\":[{\"source_name\":"
        "\"mitre-attack\",\"external_id\":\"T1999\"}]},"
        "{\"type\":\"attack-pattern\",\"name\":\"Old\",\"revoked\":true,\"description\":"
        "\"A revoked technique of the same id here.\",\"external_references\":[{"
        "\"source_name\":\"mitre-attack\",\"external_id\":\"T1003.001\"}]},"
        "{\"type\":\"malware\",\"name\":\"Mimikatz\"}]}";
    assert_int_equal(parse_str(d, 3, bundle), HY_OK);
    assert_int_equal(d->n, 1 + 3); /* the name and two sentences; "Short one." too short */
    assert_int_equal(d->rows[1].source, HY_ATTACK_SRC_ATTACK);
    assert_string_equal(d->rows[1].text, "LSASS Memory");
    assert_string_equal(d->rows[2].text,
                        "Adversaries may access the memory of LSASS to get credentials.");
    assert_string_equal(d->rows[3].text, "Tools such as procdump can dump it.");
    assert_string_equal(d->labels[d->rows[3].label], "T1003.001");
    assert_string_equal(d->groups[d->rows[3].group], "attack");
    assert_int_equal(parse_str(d, 3, "{\"objects\":1}"), HY_ERR_FORMAT);
    assert_int_equal(parse_str(d, 3, "[]"), HY_ERR_FORMAT);
    hy_attack_data_free(d);
}

static void test_report(void **state)
{
    (void)state;
    /* "é" is one code point (two bytes): offsets count code points */
    const char *doc =
        "{\"signal\":\"title: Caf\\u00e9 report\\nThe actor ran cmd.exe /c whoami on the host. "
        "This paragraph only describes the company and its customers at length. Short one.\\n"
        "Another plain sentence about the weather in the city today.\","
        "\"asets\":[{\"type\":\"zone\",\"annots\":[[0,5,\"body\"]]},"
        "{\"type\":\"Windows Command Shell (T1059.003)\",\"annots\":[[29,53]]},"
        "{\"type\":\"[OTHER]\",\"annots\":[[179,186]]}]}";
    hy_attack_data *d = NULL;
    assert_int_equal(hy_attack_data_create(&d), HY_OK);
    assert_int_equal(parse_str(d, 2, doc), HY_OK);
    assert_int_equal(d->ngroups, 1);
    assert_string_equal(d->groups[0], "Caf\xc3\xa9 report");
    assert_non_null(d->group_text[0]);
    size_t spans = 0, neg = 0;
    for (size_t i = 0; i < d->n; i++) {
        const hy_attack_row *r = &d->rows[i];
        if (r->source == HY_ATTACK_SRC_SPAN) {
            spans++;
            assert_string_equal(r->text, "ran cmd.exe /c whoami on");
            assert_string_equal(d->labels[r->label], "T1059.003");
        } else {
            neg++;
            assert_int_equal(r->source, HY_ATTACK_SRC_UNANNOTATED);
            assert_null(strstr(r->text, "cmd.exe")); /* overlaps the annotation */
            assert_null(strstr(r->text, "weather")); /* overlaps [OTHER] */
            assert_null(strstr(r->text, "Short"));   /* too short */
            assert_non_null(strstr(r->text, "company"));
        }
    }
    assert_int_equal(spans, 1);
    assert_int_equal(neg, 1);
    static const char *const bad[] = {
        "[]",
        "{\"signal\":1,\"asets\":[]}",
        "{\"signal\":\"abc\"}",
        "{\"signal\":\"abc\",\"asets\":[{\"type\":\"X (T1027)\",\"annots\":[[2,9]]}]}",
        "{\"signal\":\"abc\",\"asets\":[{\"type\":\"X (T1027)\",\"annots\":[[2,1]]}]}",
        "{\"signal\":\"abc\",\"asets\":[{\"annots\":[]}]}",
        "{\"signal\":\"abc\",\"asets\":[{\"type\":\"X\",\"annots\":[[\"a\",1]]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(parse_str(d, 2, bad[i]), HY_ERR_FORMAT);
        assert_non_null(strstr(hy_err_detail(), "r.mjson"));
    }
    hy_attack_data_free(d);
}

/* ---- folds and shingles ---- */

static void test_folds_shingles(void **state)
{
    (void)state;
    enum { N = 500, G = 37 };
    uint32_t label[N], group[N];
    uint8_t f1[G], f2[G];
    size_t per[5] = {0};
    rs = 99;
    for (size_t i = 0; i < N; i++)
        label[i] = rnd(6), group[i] = rnd(G);
    assert_int_equal(at_group_folds(label, group, N, G, 6, 5, 3, f1), HY_OK);
    assert_int_equal(at_group_folds(label, group, N, G, 6, 5, 3, f2), HY_OK);
    assert_memory_equal(f1, f2, G); /* deterministic */
    for (size_t i = 0; i < N; i++)
        per[f1[group[i]]]++;
    for (int f = 0; f < 5; f++) /* balanced to within a group or two */
        assert_true(per[f] > 70 && per[f] < 130);
    assert_int_equal(at_group_folds(label, group, N, G, 6, 1, 3, f1), HY_ERR_ARG);
    group[3] = G;
    assert_int_equal(at_group_folds(label, group, N, G, 6, 5, 3, f1), HY_ERR_ARG);

    const char *texts[] = {"The quick brown fox jumps over the lazy dog near the river bank."};
    size_t lens[] = {strlen(texts[0])};
    at_shingles *sh = NULL;
    assert_int_equal(at_shingles_build(texts, lens, 1, &sh), HY_OK);
    const char *q1 = "He said: the QUICK brown fox, jumps over the lazy dog!";
    const char *q2 = "A quick brown cat jumps over a lazy dog near the sea.";
    assert_true(at_shingles_hit(sh, q1, strlen(q1)));
    assert_false(at_shingles_hit(sh, q2, strlen(q2)));
    assert_true(at_shingles_hit(sh, "brown fox jumps over", 20)); /* 4 words, all inside */
    assert_false(at_shingles_hit(sh, "brown fox jumps under", 21));
    assert_true(at_shingles_hit(sh, "fox", 3)); /* too short to tell: counted as quoting */
    at_shingles_free(sh);
}

/* ---- evaluation on synthetic data ---- */

static void test_eval_synthetic(void **state)
{
    (void)state;
    synth *s = malloc(sizeof *s);
    hy_attack_data *d = NULL;
    make_synth(s, 5);
    assert_int_equal(hy_attack_data_create(&d), HY_OK);
    for (size_t i = 0; i < 320; i++) {
        char g[32];
        snprintf(g, sizeof g, "report %u", (unsigned)s->group[i]);
        assert_int_equal(
            hy_attack_data_add(d, s->text[i], s->len[i], classes[s->label[i]], g,
                               i % 32 == 31 ? HY_ATTACK_SRC_UNANNOTATED : HY_ATTACK_SRC_SINGLE),
            HY_OK);
    }
    /* a rare technique (relabelled none), a repeat and a quote of report 0 */
    assert_int_equal(
        hy_attack_data_add(d, "rare words here", 15, "T1068", "report 1", HY_ATTACK_SRC_SINGLE),
        HY_OK);
    assert_int_equal(
        hy_attack_data_add(d, s->text[5], s->len[5], "T1105", "bootstrap", HY_ATTACK_SRC_BOOTSTRAP),
        HY_OK);
    d->group_text[0] = strdup("Intro. The actor fetched the payload from a remote server "
                              "over https and ran it.");
    d->group_len[0] = strlen(d->group_text[0]);
    const char *quote = "fetched the payload from a remote server over https";
    assert_int_equal(
        hy_attack_data_add(d, quote, strlen(quote), "T1105", "bootstrap", HY_ATTACK_SRC_BOOTSTRAP),
        HY_OK);
    hy_attack_eval_opts o;
    hy_attack_eval_opts_default(&o);
    o.model = small_opts();
    o.folds = 3;
    o.min_support = 20;
    o.report_negatives = true;
    hy_attack_eval_result r;
    if (hy_attack_eval_data(d, &o, &r) != HY_OK)
        fail_msg("eval: %s", hy_err_detail());
    assert_int_equal(r.sentences, 321);
    assert_int_equal(r.reports, 10);
    assert_int_equal(r.relabelled_none, 1);
    assert_int_equal(r.negatives, 10);
    assert_int_equal(r.aug_duplicates, 1);
    assert_int_equal(r.aug_offered, 1);
    assert_int_equal(r.aug_dropped, 1); /* the quote, in report 0's test fold */
    assert_int_equal(r.ncls, 4);
    size_t sup = 0, pred = 0, tp = 0;
    for (size_t c = 0; c < r.ncls; c++)
        sup += r.cls[c].support, pred += r.cls[c].predicted, tp += r.cls[c].correct;
    assert_int_equal(sup, 321);
    assert_int_equal(pred, 321);
    assert_float_equal(r.micro_f1_all, (double)tp / 321, 1e-12);
    assert_true(r.micro_f1_all > 0.9 && r.micro_f1_tech > 0.9);
    assert_true(r.ece_cal >= 0 && r.ece_cal < 0.2);
    hy_buf b;
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy_attack_eval_protocol(&o, &b), HY_OK);
    assert_int_equal(hy_attack_eval_format(&r, &b), HY_OK);
    assert_non_null(strstr(b.data, "T1059.003"));
    assert_non_null(strstr(b.data, "grouped by report"));
    hy_buf_free(&b);
    hy_attack_eval_result_free(&r);
    o.folds = 1;
    assert_int_equal(hy_attack_eval_data(d, &o, &r), HY_ERR_ARG);
    hy_attack_data_free(d);
    free(s);
}

/* ---- the real data ---- */

static const char *tram_dir(char *buf, size_t cap)
{
    struct stat st;
    const char *shared = hy_test_shared_data();
    if (!shared)
        return NULL;
    snprintf(buf, cap, "%s/intel/tram", shared);
    return stat(buf, &st) == 0 ? buf : NULL;
}

static void test_tram_loaders(void **state)
{
    (void)state;
    char dir[1200];
    hy_attack_data *d = NULL;
    if (!tram_dir(dir, sizeof dir)) {
        skip();
        return;
    }
    assert_int_equal(hy_attack_data_create(&d), HY_OK);
    unsigned all = HY_ATTACK_LOAD_SINGLE | HY_ATTACK_LOAD_SPANS | HY_ATTACK_LOAD_NEGATIVES |
                   HY_ATTACK_LOAD_BOOTSTRAP;
    if (hy_attack_load_tram(dir, all, d) != HY_OK)
        fail_msg("%s", hy_err_detail());
    size_t n[4] = {0}, titled = 0;
    for (size_t i = 0; i < d->n; i++)
        n[d->rows[i].source]++;
    assert_int_equal(n[HY_ATTACK_SRC_SINGLE], 3869);
    assert_true(n[HY_ATTACK_SRC_SPAN] > 3500);
    assert_true(n[HY_ATTACK_SRC_UNANNOTATED] > 10000);
    assert_true(n[HY_ATTACK_SRC_BOOTSTRAP] > 10000);
    for (size_t g = 0; g < d->ngroups; g++)
        titled += d->group_text[g] != NULL;
    assert_int_equal(titled, 111);
    /* every single_label title but one names a report (no report text: 0) */
    size_t orphans = 0;
    for (size_t g = 0; g < d->ngroups; g++)
        if (!d->group_text[g] && strcmp(d->groups[g], "bootstrap") != 0)
            orphans++;
    assert_true(orphans <= 1);
    hy_attack_data_free(d);
}

static void test_tram_eval(void **state)
{
    (void)state;
    char dir[1200];
#ifdef __SANITIZE_ADDRESS__
    skip(); /* minutes of training: run in the optimised build only */
    return;
#endif
    if (!tram_dir(dir, sizeof dir)) {
        skip();
        return;
    }
    hy_attack_eval_opts o;
    hy_attack_eval_result r;
    hy_attack_eval_opts_default(&o);
    if (hy_attack_eval_tram(dir, &o, &r) != HY_OK)
        fail_msg("%s", hy_err_detail());
    print_message("TRAM 5-fold: micro-F1 all %.4f, techniques %.4f, macro-F1 techniques %.4f, "
                  "ECE %.4f -> %.4f, %.0f s\n",
                  r.micro_f1_all, r.micro_f1_tech, r.macro_f1_tech, r.ece_raw, r.ece_cal,
                  r.seconds);
    assert_int_equal(r.sentences, 3869);
    assert_int_equal(r.folds, 5);
    assert_true(r.micro_f1_all > 0.85);
    assert_true(r.micro_f1_tech > 0.85);
    assert_true(r.ece_cal < r.ece_raw && r.ece_cal < 0.06);
    hy_attack_eval_result_free(&r);
}

static void test_shipped_model(void **state)
{
    (void)state;
    char path[1200];
    struct stat st;
    hy_attack_model *m = NULL;
    snprintf(path, sizeof path, "%s/data/attack/model.hyl", hy_test_source_dir());
    if (stat(path, &st) != 0) {
        skip();
        return;
    }
    if (hy_attack_model_load(path, &m) != HY_OK)
        fail_msg("%s", hy_err_detail());
    static const struct {
        const char *s, *want;
    } cases[] = {
        {"The malware creates a scheduled task with schtasks to run every hour.", "T1053.005"},
        {"It injects its payload into the memory of a legitimate svchost.exe process.", "T1055"},
        {"The loader decodes the base64-encoded configuration before use.", "T1140"},
        {"The company was founded in 2005 and has offices in three countries.", "none"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hy_attack_pred p[3];
        size_t n = 0, hit = 0;
        assert_int_equal(hy_attack_model_predict(m, cases[i].s, strlen(cases[i].s), p, 3, &n),
                         HY_OK);
        for (size_t j = 0; j < n; j++)
            hit += strcmp(p[j].name, cases[i].want) == 0;
        if (!hit)
            fail_msg("%s: %s not in the top 3 (%s %.2f)", cases[i].s, cases[i].want, p[0].name,
                     p[0].prob);
    }
    hy_attack_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_predict),  cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_single_label),   cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_attack_descriptions),
        cmocka_unit_test(test_report),         cmocka_unit_test(test_folds_shingles),
        cmocka_unit_test(test_eval_synthetic), cmocka_unit_test(test_tram_loaders),
        cmocka_unit_test(test_shipped_model),  cmocka_unit_test(test_tram_eval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
