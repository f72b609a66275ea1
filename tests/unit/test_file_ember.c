/* EMBER v2 features: MurmurHash3 published vectors, FeatureHasher
 * semantics, the group layout, each byte-level group on hand-made buffers,
 * the PE groups on pe_builder.h images (PE32 and PE32+), a non-PE file,
 * determinism and byte-flipped images under the sanitizers. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/ember.h"
#include "hayate/pe.h"
#include "pe_builder.h"

static uint8_t img[PB_CAP];
static float vec[HY_EMBER_DIM];

static void test_murmur3_vectors(void **state)
{
    (void)state;
    /* SMHasher-derived vectors for MurmurHash3_x86_32 */
    static const struct {
        const char *bytes;
        size_t n;
        uint32_t seed, want;
    } v[] = {
        {"", 0, 0, 0},
        {"", 0, 1, 0x514e28b7},
        {"", 0, 0xffffffffu, 0x81f16f39},
        {"\xff\xff\xff\xff", 4, 0, 0x76293b50},
        {"\x21\x43\x65\x87", 4, 0, 0xf55b516b},
        {"\x21\x43\x65\x87", 4, 0x5082edee, 0x2362f9de},
        {"\x21\x43\x65", 3, 0, 0x7e4a8634},
        {"\x21\x43", 2, 0, 0xa0f7b07a},
        {"\x21", 1, 0, 0x72661cf4},
        {"\0\0\0\0", 4, 0, 0x2362f9de},
        {"\0\0\0", 3, 0, 0x85f0b427},
        {"\0\0", 2, 0, 0x30f4c306},
        {"\0", 1, 0, 0x514e28b7},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        assert_int_equal(hy_murmur3_32(v[i].bytes, v[i].n, v[i].seed), v[i].want);
    /* mmh3.hash("foo") == -156908512, the signed value FeatureHasher uses */
    assert_int_equal((int32_t)hy_murmur3_32("foo", 3, 0), -156908512);
}

static void test_feature_hasher(void **state)
{
    (void)state;
    double b[10] = {0};
    hy_ember_hash_add(b, 10, "", 0, 1.0); /* murmur3("") == 0: bin 0, sign + */
    assert_true(b[0] == 1.0);
    /* "foo": h = -156908512, bin 156908512 % 10 = 2, sign - */
    hy_ember_hash_add(b, 10, "foo", 3, 1.0);
    assert_true(b[2] == -1.0);
    hy_ember_hash_add(b, 10, "foo", 3, 2.5); /* pair: the value is scaled */
    assert_true(b[2] == -3.5);
    /* find two other strings colliding in 10 bins: their signed values sum */
    char s1[8], s2[8];
    int found = 0;
    size_t bin1 = 0;
    int sg1 = 0;
    for (int i = 0; i < 100 && found < 2; i++) {
        char *s = found ? s2 : s1;
        snprintf(s, sizeof s1, "k%d", i);
        int32_t h = (int32_t)hy_murmur3_32(s, strlen(s), 0);
        size_t bin = (size_t)(llabs((long long)h) % 10);
        if (bin == 2 || bin == 0)
            continue;
        if (!found) {
            bin1 = bin;
            sg1 = h >= 0 ? 1 : -1;
            found = 1;
        } else if (bin == bin1) {
            double c[10] = {0};
            hy_ember_hash_add(c, 10, s1, strlen(s1), 1.0);
            hy_ember_hash_add(c, 10, s2, strlen(s2), 1.0);
            assert_true(c[bin1] == sg1 + (h >= 0 ? 1 : -1));
            found = 2;
        }
    }
    assert_int_equal(found, 2);
}

static void test_layout(void **state)
{
    (void)state;
    size_t off = 0;
    for (size_t g = 0; g < HY_EMBER_NGROUPS; g++) {
        assert_int_equal(hy_ember_groups[g].offset, off);
        off += hy_ember_groups[g].dim;
    }
    assert_int_equal(off, HY_EMBER_DIM);
    assert_int_equal(HY_EMBER_DIM, 2381);
    assert_string_equal(hy_ember_group_name(0), "histogram");
    assert_string_equal(hy_ember_group_name(615), "strings");
    assert_string_equal(hy_ember_group_name(616), "general");
    assert_string_equal(hy_ember_group_name(943), "imports");
    assert_string_equal(hy_ember_group_name(2380), "datadirectories");
    assert_null(hy_ember_group_name(2381));
}

static void test_args(void **state)
{
    (void)state;
    assert_int_equal(hy_ember_features(img, 10, NULL, NULL), HY_ERR_ARG);
    assert_int_equal(hy_ember_features(NULL, 10, NULL, vec), HY_ERR_ARG);
    assert_int_equal(hy_ember_features(NULL, 0, NULL, vec), HY_OK);
    for (size_t i = 0; i < HY_EMBER_DIM; i++) /* empty file: no 0/0 */
        assert_true(vec[i] == 0.0f || (i >= 626 && i < 688));
}

static void test_byte_histogram(void **state)
{
    (void)state;
    const uint8_t b[4] = {0, 0, 1, 255};
    assert_int_equal(hy_ember_features(b, 4, NULL, vec), HY_OK);
    assert_true(vec[0] == 0.5f && vec[1] == 0.25f && vec[255] == 0.25f);
    float sum = 0;
    for (int i = 0; i < 256; i++)
        sum += vec[i];
    assert_true(fabsf(sum - 1.0f) < 1e-6f);
    assert_true(vec[HY_EMBER_GENERAL_OFF] == 4.0f); /* general: file size */
}

static void test_entropy_histogram(void **state)
{
    (void)state;
    static uint8_t b[8192];
    const float *e = vec + HY_EMBER_BYTEENTROPY_OFF;
    memset(b, 0x41, 4096); /* three windows of entropy 0, all in nibble 4 */
    assert_int_equal(hy_ember_features(b, 4096, NULL, vec), HY_OK);
    for (int i = 0; i < 256; i++)
        assert_true(e[i] == (i == 4 ? 1.0f : 0.0f));
    uint32_t x = 1;
    for (size_t i = 0; i < sizeof b; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t)(x >> 16);
    }
    /* random bytes: 16-bin entropy near 4 bits, so x2 x2 lands in row 15 */
    assert_int_equal(hy_ember_features(b, sizeof b, NULL, vec), HY_OK);
    float row15 = 0;
    for (int i = 0; i < 256; i++)
        if (i >= 240)
            row15 += e[i];
        else
            assert_true(e[i] == 0.0f);
    assert_true(fabsf(row15 - 1.0f) < 1e-5f);
    for (int i = 240; i < 256; i++)
        assert_true(fabsf(e[i] - 1.0f / 16) < 0.01f);
    /* against the definition: every 2048-byte window from each multiple of
     * 1024 that fits, counted on its own (a length that ends mid-step, and
     * halves of different entropy so windows land in several rows) */
    for (size_t i = 0; i < sizeof b; i++)
        if ((i / 1536) % 2)
            b[i] = (uint8_t)(b[i] & 0x31);
    size_t len = sizeof b - 700;
    double want[256] = {0}, tot = 0;
    for (size_t off = 0; off + 2048 <= len; off += 1024) {
        double c[16] = {0}, h = 0;
        for (size_t i = off; i < off + 2048; i++)
            c[b[i] >> 4]++;
        for (int k = 0; k < 16; k++)
            if (c[k] > 0)
                h -= c[k] / 2048 * log2(c[k] / 2048);
        int bin = (int)(h * 2 * 2);
        bin = bin > 15 ? 15 : bin;
        for (int k = 0; k < 16; k++)
            want[16 * bin + k] += c[k], tot += c[k];
    }
    assert_int_equal(hy_ember_features(b, len, NULL, vec), HY_OK);
    for (int i = 0; i < 256; i++)
        assert_true(fabs(e[i] - want[i] / tot) < 1e-6);
    /* a file shorter than the window divides by 2048, not its length: 1024
     * bytes, 64 per nibble, p = 1/32, H = 2.5, bin int(2.5*2*2) = 10 */
    for (int i = 0; i < 1024; i++)
        b[i] = (uint8_t)(i % 16 * 16);
    assert_int_equal(hy_ember_features(b, 1024, NULL, vec), HY_OK);
    for (int i = 0; i < 256; i++)
        assert_true(fabsf(e[i] - (i >= 160 && i < 176 ? 1.0f / 16 : 0.0f)) < 1e-7f);
}

static void test_strings(void **state)
{
    (void)state;
    static const char *str[] = {"hello world", "C:\\Windows\\c:\\x", "http://a.b/ HTTPS://c",
                                "HKEY_LOCAL_MACHINE",
                                "ab\x7f"
                                "cd"};
    uint8_t b[256];
    size_t n = 0;
    memcpy(b + n, "abcd\0", 5); /* four characters: not a string */
    n += 5;
    for (size_t i = 0; i < 5; i++) {
        memcpy(b + n, str[i], strlen(str[i]));
        n += strlen(str[i]);
        b[n++] = i % 2 ? 0x90 : 0;
    }
    memcpy(b + n, "MZ", 2);
    n += 2;
    assert_int_equal(hy_ember_features(b, n, NULL, vec), HY_OK);
    const float *s = vec + HY_EMBER_STRINGS_OFF;
    double dist[96] = {0}, total = 0;
    for (size_t i = 0; i < 5; i++)
        for (const char *c = str[i]; *c; c++, total++)
            dist[(uint8_t)*c - 0x20]++;
    assert_true(total == 70);
    assert_true(s[0] == 5.0f && s[1] == 14.0f && s[2] == 70.0f);
    double h = 0;
    for (int k = 0; k < 96; k++) {
        assert_true(fabs(s[3 + k] - dist[k] / total) < 1e-7);
        if (dist[k] > 0)
            h -= dist[k] / total * log2(dist[k] / total);
    }
    assert_true(dist[95] == 1); /* 0x7f belongs to [\x20-\x7f] */
    assert_true(fabs(s[99] - h) < 1e-5);
    assert_true(s[100] == 2.0f && s[101] == 2.0f && s[102] == 1.0f && s[103] == 1.0f);
}

/* Expected hashed block: each string once with value 1. */
static void expect_hashed(const float *got, size_t nbins, const char *const *names, size_t n)
{
    double want[1024] = {0};
    for (size_t i = 0; i < n; i++)
        hy_ember_hash_add(want, nbins, names[i], strlen(names[i]), 1.0);
    for (size_t i = 0; i < nbins; i++)
        assert_true(got[i] == (float)want[i]);
}

static hy_pe *build_parse(bool plus, pb_layout *l)
{
    *l = pb_build(img, plus);
    hy_pe *pe = NULL;
    assert_int_equal(hy_pe_parse(img, l->len, &pe), HY_OK);
    assert_int_equal(hy_ember_features(img, l->len, pe, vec), HY_OK);
    return pe;
}

static void check_header(const hy_pe *pe, bool plus)
{
    const float *h = vec + HY_EMBER_HEADER_OFF;
    static const char *m32[] = {"I386"}, *m64[] = {"AMD64"};
    static const char *c32[] = {"EXECUTABLE_IMAGE", "CHARA_32BIT_MACHINE", "DLL"};
    static const char *c64[] = {"EXECUTABLE_IMAGE", "LARGE_ADDRESS_AWARE"};
    static const char *s32[] = {"WINDOWS_GUI"}, *s64[] = {"WINDOWS_CUI"};
    static const char *d32[] = {"DYNAMIC_BASE", "NX_COMPAT"};
    static const char *d64[] = {"HIGH_ENTROPY_VA", "DYNAMIC_BASE", "NX_COMPAT",
                                "TERMINAL_SERVER_AWARE"};
    static const char *g32[] = {"PE32"}, *g64[] = {"PE32_PLUS"};
    assert_true(h[0] == (float)0x5e0be100);
    expect_hashed(h + 1, 10, plus ? m64 : m32, 1);
    expect_hashed(h + 11, 10, plus ? c64 : c32, plus ? 2 : 3);
    expect_hashed(h + 21, 10, plus ? s64 : s32, 1);
    expect_hashed(h + 31, 10, plus ? d64 : d32, plus ? 4 : 2);
    expect_hashed(h + 41, 10, plus ? g64 : g32, 1);
    const float num[11] = {1, 2, 14, 29, 6, 0, 6, 1, 0x200, 0x400, 0x2000};
    for (int k = 0; k < 11; k++)
        assert_true(h[51 + k] == num[k]);
    (void)pe;
}

static void check_sections(const hy_pe *pe)
{
    const float *s = vec + HY_EMBER_SECTION_OFF;
    assert_true(s[0] == 5 && s[1] == 1 && s[2] == 0 && s[3] == 1 && s[4] == 2);
    double sz[50] = {0}, en[50] = {0}, vs[50] = {0}, ent[50] = {0};
    for (size_t i = 0; i < pe->n_sections; i++) {
        const hy_pe_section *x = &pe->sections[i];
        size_t k = strlen(x->name);
        hy_ember_hash_add(sz, 50, x->name, k, x->raw_size);
        hy_ember_hash_add(en, 50, x->name, k, x->entropy > 0 ? x->entropy : 0);
        hy_ember_hash_add(vs, 50, x->name, k, x->vsize);
    }
    for (const char *c = ".text"; *c; c++) /* entry name hashed per character */
        hy_ember_hash_add(ent, 50, c, 1, 1.0);
    assert_true(pe->sections[1].entropy > 0);
    for (int i = 0; i < 50; i++) {
        assert_true(s[5 + i] == (float)sz[i]);
        assert_true(s[55 + i] == (float)en[i]);
        assert_true(s[105 + i] == (float)vs[i]);
        assert_true(s[155 + i] == (float)ent[i]);
    }
    static const char *props[] = {"CNT_CODE", "MEM_EXECUTE", "MEM_READ"};
    expect_hashed(s + 205, 50, props, 3);
}

static void check_imports_exports(void)
{
    static const char *libs[] = {"kernel32.dll", "ws2_32.dll", "oleaut32.dll", "user32.dll",
                                 "driver.sys",   "foo.bar",    "advapi32.dll"};
    static const char *fns[] = {
        "kernel32.dll:GetProcAddress", "kernel32.dll:LoadLibraryA", "ws2_32.dll:ordinal23",
        "ws2_32.dll:ordinal115",       "oleaut32.dll:ordinal2",     "user32.dll:MessageBoxA",
        "user32.dll:ordinal5",         "driver.sys:IoCreateDevice", "foo.bar:Thing",
        "advapi32.dll:RegOpenKeyExA"};
    static const char *exps[] = {"alpha", "beta", "gamma"};
    expect_hashed(vec + HY_EMBER_IMPORTS_OFF, 256, libs, 7);
    expect_hashed(vec + HY_EMBER_IMPORTS_OFF + 256, 1024, fns, 10);
    expect_hashed(vec + HY_EMBER_EXPORTS_OFF, 128, exps, 3);
}

static void check_pe(bool plus)
{
    pb_layout l;
    hy_pe *pe = build_parse(plus, &l);
    const float *g = vec + HY_EMBER_GENERAL_OFF;
    assert_true(g[0] == (float)l.len);
    assert_true(g[1] == (float)0x6000); /* .bss end 0x5100 up to 0x1000 */
    assert_true(g[2] == 0.0f);          /* no debug directory */
    assert_true(g[3] == 3.0f);          /* alpha, beta, gamma */
    assert_true(g[4] == 9.0f);          /* 6 by name + socket, WSAStartup, SysAllocString */
    assert_true(g[5] == 0.0f && g[6] == 1.0f);
    assert_true(pe->cert.authenticode && g[7] == 1.0f);
    assert_true(g[8] == 1.0f && g[9] == 0.0f);
    check_header(pe, plus);
    check_sections(pe);
    check_imports_exports();
    const float *d = vec + HY_EMBER_DATADIR_OFF;
    for (int i = 0; i < 15; i++)
        assert_true(d[2 * i] == (float)pe->dirs[i].size && d[2 * i + 1] == (float)pe->dirs[i].rva);
    assert_true(d[4] == (float)0x350 && d[5] == (float)PB_RSRC_RVA);
    hy_pe_free(pe);
}

static void test_pe32(void **state)
{
    (void)state;
    check_pe(false);
}

static void test_pe32plus(void **state)
{
    (void)state;
    check_pe(true);
}

/* Entry hashing for an entry RVA: its section, else the first executable. */
static void check_entry(uint32_t entry, const char *name, const char *const *props, size_t np)
{
    pb_layout l = pb_build(img, false);
    pb_w32(img, l.opt + 16, entry);
    hy_pe *pe = NULL;
    assert_int_equal(hy_pe_parse(img, l.len, &pe), HY_OK);
    assert_int_equal(hy_ember_features(img, l.len, pe, vec), HY_OK);
    double ent[50] = {0};
    for (const char *c = name; *c; c++)
        hy_ember_hash_add(ent, 50, c, 1, 1.0);
    for (int i = 0; i < 50; i++)
        assert_true(vec[HY_EMBER_SECTION_OFF + 155 + i] == (float)ent[i]);
    expect_hashed(vec + HY_EMBER_SECTION_OFF + 205, 50, props, np);
    hy_pe_free(pe);
}

static void test_entry_section(void **state)
{
    (void)state;
    static const char *rdata[] = {"CNT_INITIALIZED_DATA", "MEM_READ"};
    static const char *text[] = {"CNT_CODE", "MEM_EXECUTE", "MEM_READ"};
    check_entry(0x2010, ".rdata", rdata, 2);
    check_entry(0x9000, ".text", text, 3); /* outside: first executable section */
}

static void test_non_pe(void **state)
{
    (void)state;
    static const char text[] = "This is a plain text file, not a PE.\nSee C:\\temp and "
                               "https://example.org for more.\n";
    size_t n = sizeof text - 1;
    hy_pe *pe = NULL;
    assert_int_not_equal(hy_pe_parse((const uint8_t *)text, n, &pe), HY_OK);
    assert_int_equal(hy_ember_features((const uint8_t *)text, n, NULL, vec), HY_OK);
    assert_true(vec[HY_EMBER_GENERAL_OFF] == (float)n);
    assert_true(vec[HY_EMBER_STRINGS_OFF] == 2.0f && vec[HY_EMBER_STRINGS_OFF + 100] == 1.0f &&
                vec[HY_EMBER_STRINGS_OFF + 101] == 1.0f);
    /* LIEF failure: the header hashes the empty machine, subsystem and magic
     * strings (murmur3("") = 0: bin 0, +1); every other PE feature is 0 */
    for (size_t i = HY_EMBER_GENERAL_OFF + 1; i < HY_EMBER_DIM; i++) {
        size_t h = i - HY_EMBER_HEADER_OFF;
        bool one = i >= HY_EMBER_HEADER_OFF && (h == 1 || h == 21 || h == 41);
        assert_true(vec[i] == (one ? 1.0f : 0.0f));
    }
}

static void test_determinism_and_flips(void **state)
{
    (void)state;
    static float a[HY_EMBER_DIM];
    pb_layout l;
    hy_pe *pe = build_parse(true, &l);
    memcpy(a, vec, sizeof a);
    assert_int_equal(hy_ember_features(img, l.len, pe, vec), HY_OK);
    assert_memory_equal(a, vec, sizeof a);
    hy_pe_free(pe);
    /* byte-flipped images through parser and features (sanitizer food) */
    uint32_t x = 7;
    for (int round = 0; round < 300; round++) {
        l = pb_build(img, round % 2);
        for (int k = 0; k < 8; k++) {
            x = x * 1664525u + 1013904223u;
            img[(x >> 8) % l.len] ^= (uint8_t)(x >> 24 | 1);
        }
        uint8_t *q = malloc(l.len);
        assert_non_null(q);
        memcpy(q, img, l.len);
        pe = NULL;
        if (hy_pe_parse(q, l.len, &pe) != HY_OK)
            pe = NULL;
        assert_int_equal(hy_ember_features(q, l.len, pe, vec), HY_OK);
        for (size_t i = 0; i < HY_EMBER_DIM; i++)
            assert_false(isnan(vec[i]));
        hy_pe_free(pe);
        free(q);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_murmur3_vectors), cmocka_unit_test(test_feature_hasher),
        cmocka_unit_test(test_layout),          cmocka_unit_test(test_args),
        cmocka_unit_test(test_byte_histogram),  cmocka_unit_test(test_entropy_histogram),
        cmocka_unit_test(test_strings),         cmocka_unit_test(test_pe32),
        cmocka_unit_test(test_pe32plus),        cmocka_unit_test(test_entry_section),
        cmocka_unit_test(test_non_pe),          cmocka_unit_test(test_determinism_and_flips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
