/* YARA scanning (include/hayate/yara.h): rule folders and inline rules,
 * match contents, compile errors and warnings, the pe and elf modules,
 * scanners on two threads, the timeout and the match cap. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "elf_builder.h"
#include "pe_builder.h"
#include "hayate/yara.h"

#define NOUT 16

static const char rule_a[] = "rule alpha : trojan dropper\n"
                             "{\n"
                             "  meta:\n"
                             "    family = \"Zeta\"\n"
                             "    author = \"hayate tests\"\n"
                             "    description = \"the alpha marker\"\n"
                             "    score = 75\n"
                             "    active = true\n"
                             "  strings:\n"
                             "    $m = \"EVILMARK\"\n"
                             "  condition:\n"
                             "    $m\n"
                             "}\n";

static const char rule_b[] =
    "private rule helper { strings: $o = \"OTHERMARK\" condition: $o }\n"
    "rule beta : loader { strings: $x = \"OTHERMARK\" $y = \"EVILMARK\" $z = \"zz\" private\n"
    "  condition: helper and all of them }\n";

static char *mkpath(const char *dir, const char *name)
{
    size_t k = strlen(dir) + strlen(name) + 2;
    char *p = malloc(k);
    assert_non_null(p);
    snprintf(p, k, "%s/%s", dir, name);
    return p;
}

static void write_str(const char *dir, const char *name, const char *text)
{
    char *p = mkpath(dir, name);
    hy_test_write_file(p, text, strlen(text));
    free(p);
}

static char *make_dir(const char *parent, const char *name)
{
    char *p = mkpath(parent, name);
    assert_int_equal(mkdir(p, 0755), 0);
    return p;
}

static size_t scan_ok(const hy_yara_rules *r, hy_yara_scanner **s, const void *p, size_t n,
                      hy_yara_match *out)
{
    size_t nm = 99;
    hy_err e = hy_yara_scan(r, s, p, n, 10, out, NOUT, &nm);
    if (e != HY_OK)
        fail_msg("scan: %s: %s", hy_err_str(e), hy_err_detail());
    return nm;
}

/* ---- folders, matches ------------------------------------------------- */

static void test_dirs_and_matches(void **st)
{
    (void)st;
    char *root = make_dir(hy_test_tmpdir(), "rules");
    char *sub = make_dir(root, "sub");
    write_str(root, "a.yar", rule_a);
    write_str(sub, "b.yara", rule_b);
    write_str(root, "notes.txt", "this is not a rule {");
    write_str(root, ".hidden.yar", "rule broken {");
    const char *dirs[] = {root};
    hy_yara_rules *r = NULL;
    hy_err e = hy_yara_compile_dirs(dirs, 1, &r);
    if (e != HY_OK)
        fail_msg("compile: %s", hy_err_detail());
    assert_int_equal(hy_yara_rule_count(r), 3);

    hy_yara_match m[NOUT];
    hy_yara_scanner *s = NULL;
    static const char data[] = "xx EVILMARK yy OTHERMARK zz EVILMARK";
    size_t nm = scan_ok(r, &s, data, sizeof data - 1, m);
    assert_non_null(s);
    assert_int_equal(nm, 2); /* the private helper is not reported */
    assert_string_equal(m[0].rule, "alpha");
    assert_string_equal(m[0].ns, "a.yar");
    assert_int_equal(m[0].ntags, 2);
    assert_string_equal(m[0].tags[0], "trojan");
    assert_string_equal(m[0].tags[1], "dropper");
    assert_int_equal(m[0].nstrings, 2);
    assert_string_equal(hy_yara_meta_get(&m[0], "family"), "Zeta");
    assert_string_equal(hy_yara_meta_get(&m[0], "author"), "hayate tests");
    assert_string_equal(hy_yara_meta_get(&m[0], "description"), "the alpha marker");
    assert_string_equal(hy_yara_meta_get(&m[0], "score"), "75");
    assert_string_equal(hy_yara_meta_get(&m[0], "active"), "true");
    assert_null(hy_yara_meta_get(&m[0], "missing"));
    assert_false(m[0].truncated);
    assert_string_equal(m[1].rule, "beta");
    assert_string_equal(m[1].ns, "sub/b.yara");
    assert_int_equal(m[1].nstrings, 3); /* the private string's match not counted */
    assert_true(m[1].index > m[0].index);

    /* only one marker: alpha alone; none: nothing */
    nm = scan_ok(r, &s, "..EVILMARK..", 12, m);
    assert_int_equal(nm, 1);
    assert_string_equal(m[0].rule, "alpha");
    assert_int_equal(m[0].nstrings, 1);
    assert_int_equal(scan_ok(r, &s, "nothing here", 12, m), 0);
    assert_int_equal(scan_ok(r, &s, NULL, 0, m), 0);
    assert_int_equal(scan_ok(r, NULL, data, sizeof data - 1, m), 2); /* temporary scanner */

    /* the cap: one kept, the rest flagged */
    nm = 0;
    assert_int_equal(hy_yara_scan(r, &s, (const uint8_t *)data, sizeof data - 1, 0, m, 1, &nm),
                     HY_ERR_TOOBIG);
    assert_int_equal(nm, 1);
    assert_string_equal(m[0].rule, "alpha");
    assert_non_null(strstr(hy_err_detail(), "2 rules matched"));

    hy_yara_scanner_destroy(s);
    hy_yara_rules_free(r);
    free(sub);
    free(root);
}

static void test_string_and_args(void **st)
{
    (void)st;
    hy_yara_rules *r = NULL, *r2 = NULL, *r3 = NULL;
    assert_int_equal(hy_yara_compile_string(rule_a, NULL, &r), HY_OK);
    assert_int_equal(hy_yara_compile_string(rule_b, "other", &r2), HY_OK);
    hy_yara_match m[NOUT];
    assert_int_equal(scan_ok(r, NULL, "EVILMARK", 8, m), 1);
    assert_string_equal(m[0].ns, "default");
    assert_int_equal(scan_ok(r2, NULL, "EVILMARK OTHERMARK zz", 21, m), 1);
    assert_string_equal(m[0].ns, "other");

    size_t nm;
    hy_yara_scanner *s = NULL;
    assert_int_equal(hy_yara_scanner_create(r2, &s), HY_OK);
    assert_int_equal(hy_yara_scan(r, &s, (const uint8_t *)"x", 1, 0, m, NOUT, &nm), HY_ERR_ARG);
    assert_int_equal(hy_yara_scan(NULL, NULL, (const uint8_t *)"x", 1, 0, m, NOUT, &nm),
                     HY_ERR_ARG);
    assert_int_equal(hy_yara_scan(r, NULL, NULL, 5, 0, m, NOUT, &nm), HY_ERR_ARG);
    assert_int_equal(hy_yara_scan(r, NULL, (const uint8_t *)"x", 1, 0, NULL, 3, &nm), HY_ERR_ARG);
    assert_int_equal(hy_yara_compile_string(NULL, NULL, &r3), HY_ERR_ARG);
    assert_null(r3);
    const char *none[] = {"/nonexistent/hayate-yara"};
    assert_int_equal(hy_yara_compile_dirs(none, 1, &r3), HY_ERR_NOTFOUND);
    char *empty = make_dir(hy_test_tmpdir(), "empty");
    const char *e1[] = {empty};
    assert_int_equal(hy_yara_compile_dirs(e1, 1, &r3), HY_ERR_ARG);
    assert_null(r3);
    hy_yara_scanner_destroy(s);
    hy_yara_rules_free(r2);
    hy_yara_rules_free(r);
    free(empty);
}

/* ---- errors and warnings ---------------------------------------------- */

static void test_syntax_error(void **st)
{
    (void)st;
    char *root = make_dir(hy_test_tmpdir(), "broken");
    write_str(root, "good.yar", rule_a);
    write_str(root, "zbad.yar",
              "rule fine { condition: true }\n\nrule bad { strings: $a = \"x\" "
              "condition: $a and and }\n");
    const char *dirs[] = {root};
    hy_yara_rules *r = (hy_yara_rules *)1;
    assert_int_equal(hy_yara_compile_dirs(dirs, 1, &r), HY_ERR_FORMAT);
    assert_null(r);
    const char *d = hy_err_detail();
    assert_non_null(strstr(d, "zbad.yar:3:"));
    assert_non_null(strstr(d, "syntax error"));

    /* inline: an undefined identifier, named with its line */
    assert_int_equal(hy_yara_compile_string("rule x {\n condition: nosuch }", NULL, &r),
                     HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "<string>:2:"));
    assert_non_null(strstr(hy_err_detail(), "nosuch"));
    /* duplicate rule names in one namespace */
    assert_int_equal(hy_yara_compile_string("rule d { condition: true }\n"
                                            "rule d { condition: false }",
                                            NULL, &r),
                     HY_ERR_FORMAT);
    free(root);
}

static void test_warning(void **st)
{
    (void)st;
    hy_yara_rules *r = NULL;
    assert_int_equal(hy_yara_compile_string("rule slow { strings: $a = { 00 ?? }\n"
                                            "condition: $a }",
                                            NULL, &r),
                     HY_OK);
    const char *const *w = NULL;
    size_t total = 0;
    size_t n = hy_yara_warnings(r, &w, &total);
    assert_true(n >= 1);
    assert_int_equal(n, total);
    assert_non_null(strstr(w[0], "<string>:1:"));
    assert_non_null(strstr(w[0], "slow down scanning"));
    hy_yara_rules_free(r);
    assert_int_equal(hy_yara_compile_string(rule_a, NULL, &r), HY_OK);
    assert_int_equal(hy_yara_warnings(r, NULL, &total), 0);
    assert_int_equal(total, 0);
    hy_yara_rules_free(r);
}

/* ---- modules ---------------------------------------------------------- */

static void test_pe_module(void **st)
{
    (void)st;
    static uint8_t img[PB_CAP];
    pb_layout l = pb_build(img, false);
    hy_yara_rules *r = NULL;
    const char *src = "import \"pe\"\n"
                      "rule pe5 { condition: pe.number_of_sections == 5 and\n"
                      "  pe.imports(\"KERNEL32.dll\", \"LoadLibraryA\") and pe.is_32bit() }\n"
                      "rule pe64 { condition: pe.is_64bit() }\n"
                      "rule pe_dll { condition: pe.exports(\"beta\") }\n";
    assert_int_equal(hy_yara_compile_string(src, NULL, &r), HY_OK);
    hy_yara_match m[NOUT];
    hy_yara_scanner *s = NULL;
    size_t nm = scan_ok(r, &s, img, l.len, m);
    assert_int_equal(nm, 2);
    assert_string_equal(m[0].rule, "pe5");
    assert_string_equal(m[1].rule, "pe_dll");
    l = pb_build(img, true);
    nm = scan_ok(r, &s, img, l.len, m);
    assert_int_equal(nm, 2);
    assert_string_equal(m[0].rule, "pe64");
    /* not a PE: the module's fields are undefined, nothing matches */
    assert_int_equal(scan_ok(r, &s, "MZ", 2, m), 0);
    /* corrupted images never crash */
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int it = 0; it < 300; it++) {
        l = pb_build(img, it & 1);
        for (int k = 0; k < 8; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            img[(x >> 8) % l.len] = (uint8_t)x;
        }
        size_t cut = (size_t)((x >> 32) % (l.len + 1));
        nm = 99;
        assert_int_equal(hy_yara_scan(r, &s, img, cut, 5, m, NOUT, &nm), HY_OK);
        assert_true(nm <= 3);
    }
    hy_yara_scanner_destroy(s);
    hy_yara_rules_free(r);
}

static void test_elf_module(void **st)
{
    (void)st;
    eb_image b;
    eb_opts o = {.is64 = true, .type = 2, .machine = 62, .sections = true, .dynamic = true};
    eb_build(&b, o);
    char src[512];
    snprintf(src, sizeof src,
             "import \"elf\"\n"
             "rule elf_exec { condition: elf.type == elf.ET_EXEC and elf.machine == elf.EM_X86_64\n"
             "  and elf.number_of_segments == %zu and elf.number_of_sections == %zu }\n"
             "rule elf_dyn { condition: elf.type == elf.ET_DYN }\n",
             b.nseg, b.nsec);
    hy_yara_rules *r = NULL;
    assert_int_equal(hy_yara_compile_string(src, NULL, &r), HY_OK);
    hy_yara_match m[NOUT];
    size_t nm = scan_ok(r, NULL, b.p, b.n, m);
    assert_int_equal(nm, 1);
    assert_string_equal(m[0].rule, "elf_exec");
    eb_free(&b);
    o.type = 3;
    eb_build(&b, o);
    nm = scan_ok(r, NULL, b.p, b.n, m);
    assert_int_equal(nm, 1);
    assert_string_equal(m[0].rule, "elf_dyn");
    eb_free(&b);
    hy_yara_rules_free(r);
}

/* ---- threads ---------------------------------------------------------- */

typedef struct job {
    const hy_yara_rules *r;
    const uint8_t *p;
    size_t n;
    hy_yara_match got[NOUT];
    size_t nm;
    int bad;
} job;

static void *scan_thread(void *arg)
{
    job *j = arg;
    hy_yara_scanner *s = NULL;
    hy_yara_match m[NOUT];
    for (int it = 0; it < 200; it++) {
        size_t nm = 0;
        if (hy_yara_scan(j->r, &s, j->p, j->n, 10, m, NOUT, &nm) != HY_OK)
            j->bad++;
        else if (it == 0)
            memcpy(j->got, m, sizeof m), j->nm = nm;
        else if (nm != j->nm || memcmp(m, j->got, nm * sizeof *m) != 0)
            j->bad++;
    }
    hy_yara_scanner_destroy(s);
    return NULL;
}

static void test_threads(void **st)
{
    (void)st;
    static uint8_t img[PB_CAP + 64];
    pb_layout l = pb_build(img, false);
    memcpy(img + l.len, "EVILMARK OTHERMARK zz", 21);
    char src[2048];
    snprintf(src, sizeof src,
             "import \"pe\"\n%s%s rule pe5 { condition: pe.number_of_sections == 5 }", rule_a,
             rule_b);
    hy_yara_rules *r = NULL;
    assert_int_equal(hy_yara_compile_string(src, NULL, &r), HY_OK);
    hy_yara_match ref[NOUT];
    size_t nref = scan_ok(r, NULL, img, l.len + 21, ref);
    assert_int_equal(nref, 3);
    job j[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        memset(&j[i], 0, sizeof j[i]);
        j[i].r = r, j[i].p = img, j[i].n = l.len + 21;
        assert_int_equal(pthread_create(&t[i], NULL, scan_thread, &j[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(j[i].bad, 0);
        assert_int_equal(j[i].nm, nref);
        assert_memory_equal(j[i].got, ref, nref * sizeof *ref);
    }
    hy_yara_rules_free(r);
}

/* ---- timeout ---------------------------------------------------------- */

static void test_timeout(void **st)
{
    (void)st;
    /* 10^12 loop steps: far beyond a 1 s budget */
    const char *src = "rule quick { condition: filesize > 0 }\n"
                      "rule slow { condition: for any i in (0..filesize - 1) :\n"
                      "  (for any j in (0..filesize - 1) : (uint8(i) + uint8(j) > 600)) }\n";
    hy_yara_rules *r = NULL;
    assert_int_equal(hy_yara_compile_string(src, NULL, &r), HY_OK);
    size_t n = 1u << 20;
    uint8_t *buf = calloc(1, n);
    assert_non_null(buf);
    hy_yara_match m[NOUT];
    size_t nm = 99;
    assert_int_equal(hy_yara_scan(r, NULL, buf, n, 1, m, NOUT, &nm), HY_ERR_AGAIN);
    assert_true(nm <= 1);
    assert_non_null(strstr(hy_err_detail(), "yara: scan timed out after 1 s"));
    /* a small buffer finishes in time; quick matches, slow does not */
    assert_int_equal(scan_ok(r, NULL, buf, 64, m), 1);
    assert_string_equal(m[0].rule, "quick");
    free(buf);
    hy_yara_rules_free(r);
}

/* Random bytes against rules with modules and strings: no crash, and a
 * free/compile cycle re-initialises libyara. */
static void test_random_bytes(void **st)
{
    (void)st;
    const char *src = "import \"pe\"\nimport \"elf\"\nimport \"math\"\n"
                      "rule r1 { strings: $h = { 4D 5A [0-64] 50 45 } condition: $h or "
                      "pe.number_of_sections > 3 or elf.number_of_sections > 3 or "
                      "math.entropy(0, filesize) > 7.9 }\n";
    uint64_t x = 42;
    uint8_t buf[4096];
    for (int cycle = 0; cycle < 2; cycle++) {
        hy_yara_rules *r = NULL;
        assert_int_equal(hy_yara_compile_string(src, NULL, &r), HY_OK);
        hy_yara_scanner *s = NULL;
        hy_yara_match m[NOUT];
        for (int it = 0; it < 200; it++) {
            for (size_t i = 0; i < sizeof buf; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                buf[i] = (uint8_t)(x >> 24);
            }
            if (it % 3 == 0)
                memcpy(buf,
                       "\x7f"
                       "ELF\x02\x01\x01",
                       7);
            else if (it % 3 == 1)
                buf[0] = 'M', buf[1] = 'Z', buf[0x3c] = 0x40, buf[0x3d] = 0;
            size_t nm = 99;
            assert_int_equal(hy_yara_scan(r, &s, buf, (size_t)(x % sizeof buf), 5, m, NOUT, &nm),
                             HY_OK);
            assert_true(nm <= 1);
        }
        hy_yara_scanner_destroy(s);
        hy_yara_rules_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dirs_and_matches), cmocka_unit_test(test_string_and_args),
        cmocka_unit_test(test_syntax_error),     cmocka_unit_test(test_warning),
        cmocka_unit_test(test_pe_module),        cmocka_unit_test(test_elf_module),
        cmocka_unit_test(test_threads),          cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
