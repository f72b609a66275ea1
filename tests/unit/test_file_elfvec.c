/* ELF feature vector: the layout, the generic part against hy_ember_features,
 * every ELF group on elf_builder.h images (ELF32/64 x LSB/MSB) with the
 * hashed blocks recomputed here from the builder's record through
 * hy_murmur3_32, relocations and debug sections patched in, truncated and
 * byte-flipped images, a non-ELF file and the system's libc. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_builder.h"
#include "hayate/elf.h"
#include "hayate/elfvec.h"
#include "hayate/ember.h"

static float vec[HY_ELFVEC_DIM], vec2[HY_ELFVEC_DIM], evec[HY_EMBER_DIM];

static const eb_opts variants[4] = {
    {false, false, 3, HY_EM_386, true, true, true, false},
    {false, true, 2, HY_EM_MIPS, true, true, true, true},
    {true, false, 3, HY_EM_X86_64, true, true, true, true},
    {true, true, 2, 0x1234 /* no name: hashed as "EM_4660" */, true, true, true, false},
};

/* FeatureHasher, written out independently of hy_ember_hash_add. */
static void exp_add(double *bins, size_t nb, const char *s, double v)
{
    int32_t h = (int32_t)hy_murmur3_32(s, strlen(s), 0);
    long long mag = llabs((long long)h);
    bins[(size_t)(mag % (long long)nb)] += h >= 0 ? v : -v;
}

static void expect_block(const float *got, const double *want, size_t nb)
{
    for (size_t i = 0; i < nb; i++)
        if (got[i] != (float)want[i])
            fail_msg("bin %zu: got %g, want %g", i, (double)got[i], want[i]);
}

/* Parses a copy of exactly n bytes (ASan sees any read past the end) and
 * computes the vector from the same copy. NULL when not an ELF. */
static hy_elf *features_of(const uint8_t *p, size_t n, float *out)
{
    uint8_t *q = malloc(n ? n : 1);
    hy_elf *e = NULL;
    assert_non_null(q);
    if (n)
        memcpy(q, p, n);
    hy_err rc = hy_elf_parse(q, n, &e);
    assert_true(rc == HY_OK || rc == HY_ERR_FORMAT);
    assert_int_equal(hy_elf_features(q, n, e, out), HY_OK);
    free(q);
    return e;
}

static void test_layout(void **st)
{
    (void)st;
    size_t off = 0;
    for (size_t g = 0; g < HY_ELFVEC_NGROUPS; g++) {
        assert_int_equal(hy_elfvec_groups[g].offset, off);
        off += hy_elfvec_groups[g].dim;
    }
    assert_int_equal(off, HY_ELFVEC_DIM);
    for (size_t g = 0; g < 3; g++) { /* the generic groups are EMBER's */
        assert_string_equal(hy_elfvec_groups[g].name, hy_ember_groups[g].name);
        assert_int_equal(hy_elfvec_groups[g].offset, hy_ember_groups[g].offset);
        assert_int_equal(hy_elfvec_groups[g].dim, hy_ember_groups[g].dim);
    }
    assert_int_equal(hy_elfvec_groups[3].offset, HY_EMBER_GENERIC_DIM);
    assert_int_equal(HY_ELFVEC_HEADER_DIM, 20 + 6 * HY_ELFVEC_HEADER_HBINS);
    assert_int_equal(HY_ELFVEC_SECTION_DIM, 5 + 6 * HY_ELFVEC_SECTION_HBINS);
    assert_int_equal(HY_ELFVEC_SEGMENT_DIM, 6 + 5 * HY_ELFVEC_SEGMENT_HBINS);
    assert_true((int)HY_ELF_AN__COUNT <= (int)HY_ELFVEC_ANOMALIES_DIM);
    assert_string_equal(hy_elfvec_group_name(615), "strings");
    assert_string_equal(hy_elfvec_group_name(616), "general");
    assert_string_equal(hy_elfvec_group_name(HY_ELFVEC_SEGMENT_OFF), "segment");
    assert_string_equal(hy_elfvec_group_name(HY_ELFVEC_IMPORTS_OFF - 1), "segment");
    assert_string_equal(hy_elfvec_group_name(HY_ELFVEC_DIM - 1), "anomalies");
    assert_null(hy_elfvec_group_name(HY_ELFVEC_DIM));
}

static void test_args(void **st)
{
    (void)st;
    static const uint8_t b[4] = {1, 2, 3, 4};
    float g[HY_EMBER_GENERIC_DIM];
    assert_int_equal(hy_elf_features(b, 4, NULL, NULL), HY_ERR_ARG);
    assert_int_equal(hy_elf_features(NULL, 4, NULL, vec), HY_ERR_ARG);
    assert_int_equal(hy_ember_generic_groups(NULL, 4, g), HY_ERR_ARG);
    assert_int_equal(hy_ember_generic_groups(b, 4, NULL), HY_ERR_ARG);
    memset(vec, 0x7f, sizeof vec); /* stale contents must be overwritten */
    assert_int_equal(hy_elf_features(NULL, 0, NULL, vec), HY_OK);
    for (size_t i = 0; i < HY_ELFVEC_DIM; i++) { /* empty: no 0/0; hashed "" = +1 */
        size_t h = i - HY_ELFVEC_HEADER_OFF;
        bool one = i >= HY_ELFVEC_HEADER_OFF && (h == 20 || h == 30 || h == 40);
        assert_true(vec[i] == (one ? 1.0f : 0.0f));
    }
}

/* Both vectors share their first 616 floats, bit for bit. */
static void expect_generic_equal(const uint8_t *p, size_t n)
{
    assert_int_equal(hy_ember_features(p, n, NULL, evec), HY_OK);
    assert_memory_equal(vec, evec, sizeof(float) * HY_EMBER_GENERIC_DIM);
}

/* ---- the builder images --------------------------------------------------- */

static const char *sec_type_name(uint32_t t)
{
    switch (t) {
    case 0:
        return "SHT_NULL";
    case 1:
        return "SHT_PROGBITS";
    case 2:
        return "SHT_SYMTAB";
    case 3:
        return "SHT_STRTAB";
    case 5:
        return "SHT_HASH";
    case 6:
        return "SHT_DYNAMIC";
    case 7:
        return "SHT_NOTE";
    case 8:
        return "SHT_NOBITS";
    case 11:
        return "SHT_DYNSYM";
    case 0x6ffffff6:
        return "SHT_GNU_HASH";
    default:
        fail_msg("builder section type %u", t);
    }
    return "";
}

static const char *seg_type_name(uint32_t t)
{
    switch (t) {
    case 1:
        return "PT_LOAD";
    case 2:
        return "PT_DYNAMIC";
    case 3:
        return "PT_INTERP";
    case 4:
        return "PT_NOTE";
    case 6:
        return "PT_PHDR";
    case 0x6474e551:
        return "PT_GNU_STACK";
    default:
        fail_msg("builder segment type %u", t);
    }
    return "";
}

static void check_general(const eb_image *b, const hy_elf *e)
{
    const float *g = vec + HY_ELFVEC_GENERAL_OFF;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < b->nseg; i++)
        if (b->seg[i].type == 1) {
            lo = b->seg[i].vaddr < lo ? b->seg[i].vaddr : lo;
            if (b->seg[i].vaddr + b->seg[i].memsz > hi)
                hi = b->seg[i].vaddr + b->seg[i].memsz;
        }
    assert_true(g[0] == (float)b->n);
    assert_true(g[1] == (float)(hi - lo) && hi - lo > 0x1000);
    assert_true(g[2] == 1.0f && g[3] == 1.0f && g[4] == 1.0f && g[5] == 0.0f);
    assert_true(g[6] == 2.0f); /* libc.so.6, libm.so.6 */
    assert_true(g[7] == 2.0f); /* puts, malloc */
    assert_true(g[8] == 2.0f); /* my_export, my_data (protected); not local or hidden */
    assert_true(g[9] == 0.0f);
    assert_true(g[10] == (float)EB_NSYM);
    assert_true(g[11] == (float)e->symtab.count && g[11] >= 5.0f);
    assert_true(g[12] == (b->o.type == 3 ? 1.0f : 0.0f)); /* DYN with DF_1_PIE */
    assert_true(g[13] == 0.0f);
    assert_true(g[14] == 2.0f && g[15] == 1.0f); /* build-id and ABI-tag notes */
}

static void check_header(const eb_image *b)
{
    const float *h = vec + HY_ELFVEC_HEADER_OFF;
    double want[6][HY_ELFVEC_HEADER_HBINS] = {{0}};
    static const char *const machines[] = {
        [HY_EM_386] = "x86", [HY_EM_MIPS] = "MIPS", [HY_EM_X86_64] = "x86-64"};
    const char *machine = b->o.machine < 63 ? machines[b->o.machine] : "EM_4660";
    assert_true(h[0] == (b->is64 ? 2.0f : 1.0f) && h[1] == (b->be ? 2.0f : 1.0f));
    assert_true(h[2] == 1.0f && h[3] == 0.0f && h[4] == 1.0f);
    assert_true(h[5] == (float)b->entry && h[6] == (float)b->phoff && h[7] == (float)b->shoff);
    assert_true(h[8] == (b->is64 ? 64.0f : 52.0f) && h[9] == (b->is64 ? 56.0f : 32.0f));
    assert_true(h[10] == (float)b->nseg && h[11] == (b->is64 ? 64.0f : 40.0f));
    assert_true(h[12] == (float)b->nsec && h[13] == (float)b->s_shstrtab);
    assert_true(h[14] == 1.0f && h[15] == 0.0f); /* DF_BIND_NOW, no TEXTREL */
    assert_true(h[16] == 1.0f && h[17] == 1.0f && h[18] == 1.0f && h[19] == 1.0f);
    exp_add(want[0], HY_ELFVEC_HEADER_HBINS, b->o.type == 3 ? "DYN" : "EXEC", 1.0);
    exp_add(want[1], HY_ELFVEC_HEADER_HBINS, machine, 1.0);
    exp_add(want[2], HY_ELFVEC_HEADER_HBINS, "LINUX", 1.0); /* EI_OSABI 3 */
    exp_add(want[3], HY_ELFVEC_HEADER_HBINS, "0x5", 1.0);   /* e_flags */
    exp_add(want[4], HY_ELFVEC_HEADER_HBINS, "/lib/ld-hayate.so.1", 1.0);
    exp_add(want[5], HY_ELFVEC_HEADER_HBINS, "DF_BIND_NOW", 1.0);
    exp_add(want[5], HY_ELFVEC_HEADER_HBINS, "DF_1_NOW", 1.0);
    if (b->o.type == 3)
        exp_add(want[5], HY_ELFVEC_HEADER_HBINS, "DF_1_PIE", 1.0);
    for (size_t k = 0; k < 6; k++)
        expect_block(h + 20 + HY_ELFVEC_HEADER_HBINS * k, want[k], HY_ELFVEC_HEADER_HBINS);
}

static void check_sections(const eb_image *b, const hy_elf *e)
{
    enum { B = HY_ELFVEC_SECTION_HBINS };
    const float *s = vec + HY_ELFVEC_SECTION_OFF;
    double want[6][B] = {{0}};
    float zero = 0, noname = 0, exec = 0, wr = 0;
    assert_int_equal(e->n_sections, b->nsec);
    for (size_t i = 0; i < b->nsec; i++) {
        const eb_sec *x = &b->sec[i];
        uint64_t fsize = x->type == 8 ? 0 : x->size;
        zero += fsize == 0;
        noname += x->name[0] == '\0';
        exec += (x->flags & 4) != 0;
        wr += (x->flags & 1) != 0;
        exp_add(want[0], B, x->name, (double)fsize);
        exp_add(want[1], B, x->name, e->sections[i].entropy > 0 ? e->sections[i].entropy : 0.0);
        exp_add(want[2], B, x->name, (x->flags & 2) ? (double)x->size : 0.0);
        exp_add(want[5], B, sec_type_name(x->type), 1.0);
    }
    assert_true(s[0] == (float)b->nsec && s[1] == zero && s[2] == noname);
    assert_true(s[3] == exec && exec == 1.0f && s[4] == wr && wr == 2.0f);
    assert_true(zero == 2.0f && noname == 1.0f); /* the null section and .bss */
    exp_add(want[3], B, ".text", 1.0);           /* holds the entry point */
    exp_add(want[4], B, "SHF_ALLOC", 1.0);
    exp_add(want[4], B, "SHF_EXECINSTR", 1.0);
    for (size_t k = 0; k < 6; k++)
        expect_block(s + 5 + B * k, want[k], B);
}

static void check_segments(const eb_image *b, const hy_elf *e)
{
    enum { B = HY_ELFVEC_SEGMENT_HBINS };
    const float *s = vec + HY_ELFVEC_SEGMENT_OFF;
    double want[5][B] = {{0}};
    char key[64];
    assert_int_equal(e->n_segments, b->nseg);
    for (size_t i = 0; i < b->nseg; i++) {
        const eb_seg *x = &b->seg[i];
        const char *t = seg_type_name(x->type);
        snprintf(key, sizeof key, "%s:%s%s%s", t, x->flags & 4 ? "R" : "", x->flags & 2 ? "W" : "",
                 x->flags & 1 ? "X" : "");
        exp_add(want[0], B, t, 1.0);
        exp_add(want[1], B, key, 1.0);
        exp_add(want[2], B, t, (double)x->filesz);
        exp_add(want[3], B, t, (double)x->memsz);
        if (x->type == 1) /* the parser measures PT_LOAD entropy only */
            exp_add(want[4], B, key, e->segments[i].entropy);
    }
    assert_true(s[0] == (float)b->nseg && s[1] == 2.0f && s[2] == 1.0f);
    assert_true(s[3] == 3.0f && s[4] == 0.0f); /* RW load, dynamic, stack */
    assert_true(s[5] == 1.0f);                 /* PT_GNU_STACK has no file bytes */
    for (size_t k = 0; k < 5; k++)
        expect_block(s + 6 + B * k, want[k], B);
}

static void check_imports_exports(void)
{
    double libs[HY_ELFVEC_IMPORTS_LIBS] = {0}, syms[HY_ELFVEC_IMPORTS_SYMS] = {0};
    double ex[HY_ELFVEC_EXPORTS_DIM] = {0};
    exp_add(libs, HY_ELFVEC_IMPORTS_LIBS, "libc.so.6", 1.0);
    exp_add(libs, HY_ELFVEC_IMPORTS_LIBS, "libm.so.6", 1.0);
    exp_add(syms, HY_ELFVEC_IMPORTS_SYMS, "puts", 1.0);
    exp_add(syms, HY_ELFVEC_IMPORTS_SYMS, "malloc", 1.0);
    exp_add(ex, HY_ELFVEC_EXPORTS_DIM, "my_export", 1.0);
    exp_add(ex, HY_ELFVEC_EXPORTS_DIM, "my_data", 1.0);
    expect_block(vec + HY_ELFVEC_IMPORTS_OFF, libs, HY_ELFVEC_IMPORTS_LIBS);
    expect_block(vec + HY_ELFVEC_IMPORTS_OFF + HY_ELFVEC_IMPORTS_LIBS, syms,
                 HY_ELFVEC_IMPORTS_SYMS);
    expect_block(vec + HY_ELFVEC_EXPORTS_OFF, ex, HY_ELFVEC_EXPORTS_DIM);
    /* the library lands where the hasher puts it, with its sign */
    int32_t h = (int32_t)hy_murmur3_32("libc.so.6", 9, 0);
    size_t bin = (size_t)(llabs((long long)h) % HY_ELFVEC_IMPORTS_LIBS);
    assert_true(fabsf(vec[HY_ELFVEC_IMPORTS_OFF + bin]) >= 1.0f);
    assert_true(h >= 0 ? vec[HY_ELFVEC_IMPORTS_OFF + bin] > 0
                       : vec[HY_ELFVEC_IMPORTS_OFF + bin] < 0);
}

static void test_variants(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        eb_build(&b, variants[v]);
        hy_elf *e = features_of(b.p, b.n, vec);
        assert_non_null(e);
        assert_int_equal(e->n_anomalies, 0);
        expect_generic_equal(b.p, b.n);
        check_general(&b, e);
        check_header(&b);
        check_sections(&b, e);
        check_segments(&b, e);
        check_imports_exports();
        for (size_t k = 0; k < HY_ELFVEC_ANOMALIES_DIM; k++)
            assert_true(vec[HY_ELFVEC_ANOMALIES_OFF + k] == 0.0f);
        hy_elf_free(e);
        eb_free(&b);
    }
}

/* A relocation table and a debug section patched into an image. */
static void test_relocs_debug(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        eb_build(&b, variants[v]);
        uint64_t ent = b.is64 ? 24 : 12; /* .bss (0x40 bytes) becomes SHT_RELA */
        eb_set_sh(&b, (size_t)b.s_bss, EB_SH_TYPE, 4);
        eb_set_sh(&b, (size_t)b.s_bss, EB_SH_ENTSIZE, ent);
        uint64_t name = b.sec[b.s_shstrtab].off + b.sec[b.s_symtab].name_off;
        assert_memory_equal(b.p + name, ".symtab", 8);
        memcpy(b.p + name, ".debug\0", 8); /* renamed; still SHT_SYMTAB */
        hy_elf *e = features_of(b.p, b.n, vec);
        assert_non_null(e);
        const float *g = vec + HY_ELFVEC_GENERAL_OFF;
        assert_true(g[9] == (float)(0x40 / ent) && g[5] == 1.0f && g[4] == 1.0f);
        size_t sec_past = HY_ELFVEC_ANOMALIES_OFF + HY_ELF_AN_SECTION_PAST_END;
        assert_true(vec[sec_past] == (float)e->anomaly_count[HY_ELF_AN_SECTION_PAST_END]);
        hy_elf_free(e);
        eb_free(&b);
    }
}

/* Without section headers: section group zero but its count; segment and
 * dynamic groups still filled through PT_DYNAMIC; the anomaly counted. */
static void test_no_sections(void **st)
{
    (void)st;
    eb_opts o = variants[2];
    o.sections = false;
    o.symtab = false;
    eb_image b;
    eb_build(&b, o);
    hy_elf *e = features_of(b.p, b.n, vec);
    assert_non_null(e);
    for (size_t i = 0; i < HY_ELFVEC_SECTION_DIM; i++)
        assert_true(vec[HY_ELFVEC_SECTION_OFF + i] == 0.0f);
    assert_true(vec[HY_ELFVEC_GENERAL_OFF + 4] == 0.0f);
    assert_true(vec[HY_ELFVEC_GENERAL_OFF + 7] == 2.0f); /* dynsyms via DT_SYMTAB */
    assert_true(vec[HY_ELFVEC_SEGMENT_OFF] == (float)b.nseg);
    assert_true(vec[HY_ELFVEC_ANOMALIES_OFF + HY_ELF_AN_NO_SECTIONS] == 1.0f);
    hy_elf_free(e);
    eb_free(&b);
}

static bool all_finite(const float *v)
{
    for (size_t i = 0; i < HY_ELFVEC_DIM; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

/* Every truncation length of each image: a vector, finite and reproducible;
 * the generic part always matches EMBER's. */
static void test_truncated(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        eb_build(&b, variants[v]);
        for (size_t n = 0; n < b.n; n += n < 80 ? 1 : 37) {
            hy_elf *e = features_of(b.p, n, vec);
            assert_true(all_finite(vec));
            assert_true(vec[HY_ELFVEC_GENERAL_OFF] == (float)n);
            assert_int_equal(hy_elf_features(b.p, n, e, vec2), HY_OK);
            assert_memory_equal(vec, vec2, sizeof vec);
            if (n % 7 == 0)
                expect_generic_equal(b.p, n);
            if (n >= 4 && n < (b.is64 ? 64u : 52u)) { /* magic but no full header */
                assert_non_null(e);
                assert_true(vec[HY_ELFVEC_ANOMALIES_OFF + HY_ELF_AN_HEADER_TRUNCATED] == 1.0f);
            }
            hy_elf_free(e);
        }
        eb_free(&b);
    }
}

/* Deterministic byte flips over headers and tables. */
static void test_flips(void **st)
{
    (void)st;
    uint32_t x = 12345;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        eb_build(&b, variants[v]);
        uint8_t *q = malloc(b.n);
        assert_non_null(q);
        for (int round = 0; round < 200; round++) {
            memcpy(q, b.p, b.n);
            for (int k = 0; k < 8; k++) {
                x = x * 1103515245u + 12345u;
                size_t at = 4 + (x >> 8) % (b.n - 4); /* keep the magic */
                q[at] ^= (uint8_t)(1u << (x >> 4 & 7));
            }
            hy_elf *e = features_of(q, b.n, vec);
            assert_non_null(e);
            assert_true(all_finite(vec));
            hy_elf_free(e);
        }
        free(q);
        eb_free(&b);
    }
}

static void test_non_elf(void **st)
{
    (void)st;
    static const char text[] = "Not an ELF.\nSee https://example.org and C:\\temp\n";
    size_t n = sizeof text - 1;
    hy_elf *e = features_of((const uint8_t *)text, n, vec);
    assert_null(e);
    expect_generic_equal((const uint8_t *)text, n);
    assert_true(vec[HY_EMBER_STRINGS_OFF + 101] == 1.0f); /* one URL */
    for (size_t i = HY_ELFVEC_GENERAL_OFF; i < HY_ELFVEC_DIM; i++) {
        size_t h = i - HY_ELFVEC_HEADER_OFF;
        float want = i == HY_ELFVEC_GENERAL_OFF ? (float)n : 0.0f;
        if (i >= HY_ELFVEC_HEADER_OFF && (h == 20 || h == 30 || h == 40))
            want = 1.0f; /* murmur3("") = 0: bin 0, sign + */
        assert_true(vec[i] == want);
    }
}


static void test_system_libc(void **st)
{
    (void)st;
    size_t n = 0;
    uint8_t *p = hy_test_read_file("/usr/lib/x86_64-linux-gnu/libc.so.6", &n);
    if (!p || n < 20 || p[4] != 2 || p[5] != 1 || p[18] != 62) {
        free(p);
        skip(); /* not an x86-64 Debian host */
    }
    hy_elf *e = NULL;
    assert_int_equal(hy_elf_parse(p, n, &e), HY_OK);
    assert_int_equal(hy_elf_features(p, n, e, vec), HY_OK);
    expect_generic_equal(p, n);
    const float *g = vec + HY_ELFVEC_GENERAL_OFF;
    assert_true(g[0] == (float)n && g[2] == 1.0f && g[3] == 1.0f);
    assert_true(g[8] > 1000.0f && g[8] == (float)e->n_exports && g[9] > 0.0f);
    double ex = 0;
    for (size_t i = 0; i < HY_ELFVEC_EXPORTS_DIM; i++)
        ex += fabsf(vec[HY_ELFVEC_EXPORTS_OFF + i]) > 0;
    assert_true(ex > 64); /* thousands of names spread over most bins */
    double libs[HY_ELFVEC_IMPORTS_LIBS] = {0}, ty[HY_ELFVEC_HEADER_HBINS] = {0};
    for (size_t i = 0; i < e->dyn.n_needed; i++)
        exp_add(libs, HY_ELFVEC_IMPORTS_LIBS, e->dyn.needed[i], 1.0);
    assert_true(e->dyn.n_needed >= 1);
    expect_block(vec + HY_ELFVEC_IMPORTS_OFF, libs, HY_ELFVEC_IMPORTS_LIBS);
    exp_add(ty, HY_ELFVEC_HEADER_HBINS, "DYN", 1.0);
    expect_block(vec + HY_ELFVEC_HEADER_OFF + 20, ty, HY_ELFVEC_HEADER_HBINS);
    assert_true(all_finite(vec));
    hy_elf_free(e);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),      cmocka_unit_test(test_args),
        cmocka_unit_test(test_variants),    cmocka_unit_test(test_relocs_debug),
        cmocka_unit_test(test_no_sections), cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_flips),       cmocka_unit_test(test_non_elf),
        cmocka_unit_test(test_system_libc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
