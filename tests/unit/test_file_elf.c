/* ELF parser: images built by elf_builder.h (ELF32/64 x LSB/MSB) checked
 * field by field, the section-less fallback, corrupted and truncated
 * variants, and the system's own /bin/ls and libc. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_builder.h"
#include "hayate/elf.h"
#include "hayate/file.h"
#include "hayate/limits.h"

static const eb_opts variants[4] = {
    {false, false, 3, HY_EM_386, true, true, true, false},
    {false, true, 2, HY_EM_MIPS, true, true, true, true},
    {true, false, 3, HY_EM_X86_64, true, true, true, true},
    {true, true, 2, 21 /* PowerPC64 */, true, true, true, false},
};

/* Parses a copy of exactly n bytes (so ASan sees any read past the end). */
static hy_err parse_copy(const uint8_t *p, size_t n, hy_elf **out)
{
    uint8_t *q = malloc(n ? n : 1);
    hy_err rc;
    assert_non_null(q);
    if (n)
        memcpy(q, p, n);
    rc = hy_elf_parse(q, n, out);
    free(q);
    return rc; /* the result owns copies of every string: q can go */
}

static hy_elf *parse_ok(const eb_image *b)
{
    hy_elf *e = NULL;
    assert_int_equal(parse_copy(b->p, b->n, &e), HY_OK);
    assert_non_null(e);
    return e;
}

/* Invariants that hold for any result, however broken the input. */
static void check_sane(const hy_elf *e)
{
    size_t listed = 0;
    assert_true(e->n_segments <= HY_ELF_MAX_PHDRS);
    assert_true(e->n_sections <= HY_ELF_MAX_SECTIONS);
    assert_true(e->n_dynsyms <= HY_ELF_MAX_SYMBOLS);
    assert_true(e->dyn.n_needed <= HY_ELF_MAX_NEEDED);
    assert_true(e->n_anomalies <= HY_ELF_MAX_ANOMALIES);
    assert_true(e->n_imports + e->n_exports <= e->n_dynsyms);
    for (size_t i = 0; i < e->n_sections; i++)
        assert_true(strlen(e->sections[i].name) <= HY_ELF_MAX_STR);
    for (size_t i = 0; i < e->n_dynsyms; i++)
        assert_true(strlen(e->dynsyms[i].name) <= HY_ELF_MAX_STR);
    for (size_t i = 0; i < e->dyn.n_needed; i++)
        assert_true(strlen(e->dyn.needed[i]) <= HY_ELF_MAX_STR);
    for (size_t i = 0; i < e->n_notes; i++)
        assert_non_null(e->notes[i].owner);
    for (int k = 0; k < HY_ELF_AN__COUNT; k++) {
        assert_int_equal(hy_elf_has_anomaly(e, (hy_elf_anomaly_kind)k), e->anomaly_count[k] > 0);
        listed += e->anomaly_count[k] < HY_ELF_ANOMALIES_PER_KIND ? e->anomaly_count[k]
                                                                  : HY_ELF_ANOMALIES_PER_KIND;
    }
    assert_true(e->n_anomalies == listed || e->n_anomalies == HY_ELF_MAX_ANOMALIES);
}

static long anomaly_index(const hy_elf *e, hy_elf_anomaly_kind k)
{
    for (size_t i = 0; i < e->n_anomalies; i++)
        if (e->anomalies[i].kind == k)
            return e->anomalies[i].index;
    return -2;
}

static void check_header(const hy_elf *e, const eb_image *b)
{
    assert_int_equal(e->file_size, b->n);
    assert_int_equal(e->ei_class, b->is64 ? HY_ELF_CLASS64 : HY_ELF_CLASS32);
    assert_int_equal(e->ei_data, b->be ? HY_ELF_DATA_MSB : HY_ELF_DATA_LSB);
    assert_int_equal(e->is64, b->is64);
    assert_int_equal(e->big_endian, b->be);
    assert_int_equal(e->ei_version, 1);
    assert_int_equal(e->osabi, 3);
    assert_int_equal(e->abiversion, 0);
    assert_int_equal(e->type, b->o.type);
    assert_int_equal(e->machine, b->o.machine);
    assert_int_equal(e->version, 1);
    assert_int_equal(e->flags, 5);
    assert_int_equal(e->entry, b->entry);
    assert_int_equal(e->phoff, b->phoff);
    assert_int_equal(e->shoff, b->shoff);
    assert_int_equal(e->ehsize, b->is64 ? 64 : 52);
    assert_int_equal(e->phentsize, b->is64 ? 56 : 32);
    assert_int_equal(e->phnum, b->nseg);
    assert_int_equal(e->shnum, b->nsec);
    assert_int_equal(e->shentsize, b->nsec ? (b->is64 ? 64 : 40) : 0);
    assert_int_equal(e->shstrndx, b->nsec ? b->s_shstrtab : 0);
}

static void check_segments(const hy_elf *e, const eb_image *b)
{
    assert_int_equal(e->n_segments, b->nseg);
    for (size_t i = 0; i < b->nseg; i++) {
        const hy_elf_segment *s = &e->segments[i];
        const eb_seg *w = &b->seg[i];
        assert_int_equal(s->type, w->type);
        assert_int_equal(s->flags, w->flags);
        assert_int_equal(s->offset, w->off);
        assert_int_equal(s->vaddr, w->vaddr);
        assert_int_equal(s->paddr, w->vaddr + 0x200);
        assert_int_equal(s->filesz, w->filesz);
        assert_int_equal(s->memsz, w->memsz);
        assert_int_equal(s->align, w->align);
        if (w->type == HY_PT_LOAD && w->filesz)
            assert_true(fabs(s->entropy - hy_entropy(b->p + w->off, w->filesz)) < 1e-12);
        else
            assert_true(s->entropy == -1);
    }
}

static void check_sections(const hy_elf *e, const eb_image *b)
{
    assert_int_equal(e->n_sections, b->nsec);
    for (size_t i = 0; i < b->nsec; i++) {
        const hy_elf_section *s = &e->sections[i];
        const eb_sec *w = &b->sec[i];
        assert_string_equal(s->name, w->name);
        assert_int_equal(s->name_off, w->name_off);
        assert_int_equal(s->type, w->type);
        assert_int_equal(s->flags, w->flags);
        assert_int_equal(s->addr, w->addr);
        assert_int_equal(s->offset, w->off);
        assert_int_equal(s->size, w->size);
        assert_int_equal(s->link, w->link);
        assert_int_equal(s->info, w->info);
        assert_int_equal(s->addralign, w->align);
        assert_int_equal(s->entsize, w->entsize);
        if (w->type && w->type != HY_SHT_NOBITS && w->size)
            assert_true(fabs(s->entropy - hy_entropy(b->p + w->off, w->size)) < 1e-12);
        else
            assert_true(s->entropy == -1);
    }
    if (b->nsec) {
        assert_string_equal(e->sections[b->s_text].name, ".text");
        assert_string_equal(e->sections[b->s_dynamic].name, ".dynamic");
        assert_int_equal(e->entry_section, b->s_text);
    }
}

static void check_dynamic(const hy_elf *e, const eb_image *b)
{
    const hy_elf_dynamic *d = &e->dyn;
    assert_true(d->present);
    assert_int_equal(d->from_segments, b->nsec == 0);
    assert_int_equal(d->offset, b->off_dynamic);
    assert_int_equal(d->entries, b->n_dynamic);
    assert_int_equal(d->n_needed, 2);
    assert_string_equal(d->needed[0], "libc.so.6");
    assert_string_equal(d->needed[1], "libm.so.6");
    assert_string_equal(d->soname, "libtest.so.1");
    assert_string_equal(d->runpath, "$ORIGIN/lib");
    assert_string_equal(d->rpath, "/opt/old");
    assert_int_equal(d->flags, 0x8);
    assert_int_equal(d->flags_1, b->o.type == HY_ET_DYN ? 0x08000001u : 1u);
    assert_true(d->bind_now);
    assert_false(d->textrel);
    assert_int_equal(d->strtab, b->base + b->off_dynstr);
    assert_int_equal(d->strsz, b->dynstr_size);
    assert_int_equal(d->symtab, b->base + b->off_dynsym);
    assert_int_equal(d->syment, b->is64 ? 24 : 16);
    assert_int_equal(b->o.gnu_hash ? d->gnu_hash : d->hash, b->base + b->off_hash);
    assert_int_equal(b->o.gnu_hash ? d->hash : d->gnu_hash, 0);
    assert_int_equal(d->init, b->entry);
    assert_string_equal(e->interp, "/lib/ld-hayate.so.1");
}

static void check_dynsyms(const hy_elf *e, const eb_image *b)
{
    assert_int_equal(e->n_dynsyms, EB_NSYM);
    assert_int_equal(e->dynsyms_from_segments, b->nsec == 0);
    for (size_t i = 0; i < EB_NSYM; i++) {
        const hy_elf_symbol *s = &e->dynsyms[i];
        const eb_sym *w = &b->sym[i];
        assert_string_equal(s->name, w->name);
        assert_int_equal(s->value, w->value);
        assert_int_equal(s->size, w->size);
        assert_int_equal(s->type, w->type);
        assert_int_equal(s->bind, w->bind);
        assert_int_equal(s->visibility, w->vis);
        assert_int_equal(s->shndx, w->shndx);
    }
    assert_int_equal(e->n_imports, 2);
    assert_int_equal(e->n_exports, 2);
    assert_true(hy_elf_find_dynsym(e, "puts")->imported);
    assert_true(hy_elf_find_dynsym(e, "my_export")->exported);
    assert_true(hy_elf_find_dynsym(e, "my_data")->exported); /* weak, protected */
    assert_false(hy_elf_find_dynsym(e, "local_helper")->exported);
    assert_false(hy_elf_find_dynsym(e, "hidden_fn")->exported);
    assert_null(hy_elf_find_dynsym(e, "nope"));
}

static void check_notes(const hy_elf *e, const eb_image *b)
{
    char hex[41];
    for (int i = 0; i < 20; i++)
        snprintf(hex + 2 * i, 3, "%02x", b->build_id[i]);
    assert_int_equal(e->n_notes, 2);
    assert_string_equal(e->notes[0].owner, "GNU");
    assert_int_equal(e->notes[0].type, 3);
    assert_int_equal(e->notes[0].desc_size, 20);
    assert_int_equal(e->notes[1].type, 1);
    assert_string_equal(e->build_id, hex);
    assert_true(e->has_abi_tag);
    assert_int_equal(e->abi_os, 0);
    assert_int_equal(e->abi_major, 3);
    assert_int_equal(e->abi_minor, 2);
    assert_int_equal(e->abi_patch, 0);
}

static void test_all_fields(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        eb_build(&b, variants[v]);
        hy_elf *e = parse_ok(&b);
        check_sane(e);
        for (size_t i = 0; i < e->n_anomalies; i++)
            print_message("variant %d: %s\n", v, hy_elf_anomaly_str(e->anomalies[i].kind));
        assert_int_equal(e->n_anomalies, 0);
        assert_int_equal(e->anomaly_mask, 0);
        check_header(e, &b);
        check_segments(e, &b);
        check_sections(e, &b);
        check_dynamic(e, &b);
        check_dynsyms(e, &b);
        check_notes(e, &b);
        assert_true(e->symtab.present);
        assert_int_equal(e->symtab.count, 6);
        assert_int_equal(e->symtab.functions, 3);
        assert_int_equal(e->symtab.objects, 1);
        assert_int_equal(e->symtab.undefined, 1);
        assert_int_equal(e->symtab.globals, 3);
        assert_false(e->stripped);
        assert_true(e->has_sections);
        assert_int_equal(e->is_pie, variants[v].type == HY_ET_DYN);
        assert_false(e->is_static);
        hy_elf_free(e);
        eb_free(&b);
    }
}

/* Stripped of section headers: the same facts through the program headers. */
static void test_no_sections_fallback(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_opts o = variants[v];
        o.sections = false;
        for (int g = 0; g < 2; g++) {
            eb_image b;
            o.gnu_hash = g;
            eb_build(&b, o);
            hy_elf *e = parse_ok(&b);
            check_sane(e);
            assert_int_equal(e->n_anomalies, 1);
            assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_NO_SECTIONS));
            assert_false(e->has_sections);
            assert_true(e->stripped);
            check_header(e, &b);
            check_segments(e, &b);
            check_dynamic(e, &b);
            check_dynsyms(e, &b);
            check_notes(e, &b);
            assert_int_equal(e->entry_section, -1);
            hy_elf_free(e);
            eb_free(&b);
        }
    }
}

static void test_static_exec(void **st)
{
    eb_opts o = {true, false, HY_ET_EXEC, HY_EM_AARCH64, true, false, false, false};
    eb_image b;
    (void)st;
    eb_build(&b, o);
    hy_elf *e = parse_ok(&b);
    assert_int_equal(e->n_anomalies, 0);
    assert_true(e->is_static);
    assert_false(e->is_pie);
    assert_true(e->stripped);
    assert_false(e->dyn.present);
    assert_null(e->interp);
    assert_int_equal(e->n_dynsyms, 0);
    assert_int_equal(e->n_notes, 2);
    assert_string_equal(hy_elf_machine_str(e->machine), "AArch64");
    assert_string_equal(hy_elf_type_str(e->type), "EXEC");
    hy_elf_free(e);
    eb_free(&b);
}

static void test_not_elf(void **st)
{
    static const uint8_t mz[64] = {'M', 'Z', 0x90};
    hy_elf *e = (hy_elf *)&e;
    (void)st;
    assert_int_equal(hy_elf_parse(mz, sizeof mz, &e), HY_ERR_FORMAT);
    assert_null(e);
    assert_non_null(strstr(hy_err_detail(), "ELF"));
    assert_int_equal(hy_elf_parse((const uint8_t *)"\177EL", 3, &e), HY_ERR_FORMAT);
    assert_int_equal(hy_elf_parse(NULL, 0, &e), HY_ERR_FORMAT);
    assert_int_equal(hy_elf_parse(NULL, 5, &e), HY_ERR_ARG);
    assert_int_equal(hy_elf_parse(mz, sizeof mz, NULL), HY_ERR_ARG);
    hy_elf_free(NULL);
    for (int k = 0; k < HY_ELF_AN__COUNT; k++)
        assert_string_not_equal(hy_elf_anomaly_str((hy_elf_anomaly_kind)k), "unknown anomaly");
    assert_string_equal(hy_elf_anomaly_str(HY_ELF_AN__COUNT), "unknown anomaly");
    assert_string_equal(hy_elf_machine_str(62), "x86-64");
    assert_string_equal(hy_elf_machine_str(0x7777), "unknown");
    assert_string_equal(hy_elf_type_str(99), "unknown");
}

/* Every prefix of each image: no crash, ELF magic kept => a result, and
 * anything short of the whole file shows an anomaly. */
static void test_truncation_every_length(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        eb_build(&b, variants[v]);
        for (size_t len = 0; len <= b.n; len++) {
            hy_elf *e = NULL;
            hy_err rc = parse_copy(b.p, len, &e);
            if (len < 4) {
                assert_int_equal(rc, HY_ERR_FORMAT);
                continue;
            }
            assert_int_equal(rc, HY_OK);
            check_sane(e);
            if (len < b.n)
                assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_HEADER_TRUNCATED) ||
                            hy_elf_has_anomaly(e, HY_ELF_AN_SHDRS_PAST_END));
            else
                assert_int_equal(e->n_anomalies, 0);
            if (len >= b.shoff + 1)
                assert_int_equal(e->n_segments, b.nseg); /* read before the cut */
            hy_elf_free(e);
        }
        eb_free(&b);
    }
}

/* Builds variant v, applies a corruption, parses and checks sanity. */
static hy_elf *corrupt(int v, eb_image *b, void (*f)(eb_image *))
{
    eb_build(b, variants[v]);
    f(b);
    hy_elf *e = parse_ok(b);
    check_sane(e);
    return e;
}

static void text_past_end(eb_image *b)
{
    eb_set_sh(b, (size_t)b->s_text, EB_SH_OFFSET, b->n + 100);
}

static void dynsym_huge(eb_image *b)
{
    eb_set_sh(b, (size_t)b->s_dynsym, EB_SH_SIZE, b->is64 ? 0xffffffffffffull : 0xffffffffu);
}

static void test_sections_past_end(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        hy_elf *e = corrupt(v, &b, text_past_end);
        assert_int_equal(anomaly_index(e, HY_ELF_AN_SECTION_PAST_END), b.s_text);
        assert_true(e->sections[b.s_text].entropy == -1);
        assert_int_equal(e->entry_section, b.s_text); /* found by address */
        assert_int_equal(e->n_dynsyms, EB_NSYM);
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, dynsym_huge);
        assert_int_equal(anomaly_index(e, HY_ELF_AN_SECTION_PAST_END), b.s_dynsym);
        assert_true(e->n_dynsyms <= b.n / (b.is64 ? 24 : 16));
        assert_string_equal(e->dynsyms[1].name, "puts");
        hy_elf_free(e);
        eb_free(&b);
    }
}

static void shnum_huge(eb_image *b)
{
    eb_set_eh(b, EB_EH_SHNUM, 0xfff0);
}

static void shnum_extended_huge(eb_image *b)
{
    eb_set_eh(b, EB_EH_SHNUM, 0); /* the real count is section 0's sh_size */
    eb_set_sh(b, 0, EB_SH_SIZE, 0xffffffffu);
}

static void shstrndx_range(eb_image *b)
{
    eb_set_eh(b, EB_EH_SHSTRNDX, 0x7fff);
}

static void test_section_counts(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        hy_elf *e = corrupt(v, &b, shnum_huge);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_SHDRS_PAST_END));
        assert_int_equal(e->n_sections, b.nsec); /* the ones that fit */
        assert_string_equal(e->sections[b.s_text].name, ".text");
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, shnum_extended_huge);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_SHDRS_CAPPED));
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_SHDRS_PAST_END));
        assert_int_equal(e->n_sections, b.nsec);
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, shstrndx_range);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_SHSTRNDX_RANGE));
        assert_string_equal(e->sections[b.s_text].name, "");
        assert_int_equal(e->dyn.n_needed, 2); /* sh_link still finds .dynstr */
        hy_elf_free(e);
        eb_free(&b);
    }
}

static void shstrtab_no_nul(eb_image *b)
{
    const eb_sec *s = &b->sec[b->s_shstrtab];
    memset(b->p + s->off, 'A', s->size);
}

static void dynstr_cut(eb_image *b)
{
    /* the table now ends inside the last string ("hidden_fn") */
    eb_set_sh(b, (size_t)b->s_dynstr, EB_SH_SIZE, b->dynstr_size - 3);
}

static void shstrtab_long_name(eb_image *b)
{
    uint64_t off = b->n;
    for (int i = 0; i < 5000; i++)
        eb_add(b, 'B', 1);
    eb_add(b, 0, 1);
    eb_set_sh(b, (size_t)b->s_shstrtab, EB_SH_OFFSET, off);
    eb_set_sh(b, (size_t)b->s_shstrtab, EB_SH_SIZE, 5001);
}

static void test_strings_bounded(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        hy_elf *e = corrupt(v, &b, shstrtab_no_nul);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_STR_UNTERMINATED));
        for (size_t i = 0; i < e->n_sections; i++)
            assert_string_equal(e->sections[i].name, "");
        assert_int_equal(e->anomaly_count[HY_ELF_AN_STR_UNTERMINATED], b.nsec - 1);
        assert_int_equal(e->n_anomalies, HY_ELF_ANOMALIES_PER_KIND); /* listed per kind */
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, dynstr_cut);
        assert_int_equal(anomaly_index(e, HY_ELF_AN_STR_UNTERMINATED), 6);
        assert_string_equal(e->dynsyms[6].name, "");
        assert_string_equal(e->dynsyms[5].name, "my_data");
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, shstrtab_long_name);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_STR_TOO_LONG));
        assert_int_equal(strlen(e->sections[1].name), HY_ELF_MAX_STR);
        hy_elf_free(e);
        eb_free(&b);
    }
}

static void dynamic_no_null(eb_image *b)
{
    uint64_t at = b->off_dynamic + (b->n_dynamic - 1) * (b->is64 ? 16u : 8u);
    eb_wr(b, at, 21, b->is64 ? 8 : 4); /* DT_NULL -> DT_DEBUG */
}

static void dynamic_moved(eb_image *b)
{
    eb_set_ph(b, (size_t)b->p_dynamic, EB_PH_OFFSET, b->off_dynamic + (b->is64 ? 16u : 8u));
}

/* 20,000 symbols all naming one 5,000-byte string: the copies stop at the
 * string budget instead of taking 80 MB. */
static void test_string_budget(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        eb_build(&b, variants[v]);
        uint64_t str = b.n, syms, symsz = b.is64 ? 24 : 16, total = 0;
        eb_add(&b, 0, 1);
        for (int i = 0; i < 5000; i++)
            eb_add(&b, 'C', 1);
        eb_add(&b, 0, 1);
        eb_pad(&b, 8);
        syms = b.n;
        for (int i = 0; i < 20000; i++)
            eb_write_sym(&b, 1, &(eb_sym){"", 0x1000, 4, HY_STT_FUNC, HY_STB_GLOBAL, 0, 7});
        eb_set_sh(&b, (size_t)b.s_dynstr, EB_SH_OFFSET, str);
        eb_set_sh(&b, (size_t)b.s_dynstr, EB_SH_SIZE, syms - str);
        eb_set_sh(&b, (size_t)b.s_dynsym, EB_SH_OFFSET, syms);
        eb_set_sh(&b, (size_t)b.s_dynsym, EB_SH_SIZE, b.n - syms);
        hy_elf *e = parse_ok(&b);
        check_sane(e);
        assert_int_equal(e->n_dynsyms, (b.n - syms) / symsz);
        assert_int_equal(e->n_exports, 20000);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_STR_TOO_LONG));
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_STR_BUDGET));
        assert_int_equal(strlen(e->dynsyms[0].name), HY_ELF_MAX_STR);
        assert_string_equal(e->dynsyms[19999].name, "");
        for (size_t i = 0; i < e->n_dynsyms; i++)
            total += strlen(e->dynsyms[i].name);
        assert_true(total <= HY_ELF_STR_FACTOR * b.n + (1u << 20) + HY_ELF_MAX_STR);
        hy_elf_free(e);
        eb_free(&b);
    }
}

static void test_dynamic_anomalies(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        hy_elf *e = corrupt(v, &b, dynamic_no_null);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_DYNAMIC_NO_NULL));
        assert_int_equal(e->dyn.entries, b.n_dynamic);
        assert_int_equal(e->dyn.n_needed, 2);
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, dynamic_moved);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_DYNAMIC_MISMATCH));
        assert_int_equal(e->dyn.offset, b.off_dynamic); /* the section wins */
        hy_elf_free(e);
        eb_free(&b);
    }
}

/* A PT_DYNAMIC (no sections) moved to a table of 200,000 DT_NEEDED. */
static void test_dynamic_huge(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_opts o = variants[v];
        eb_image b;
        o.sections = false;
        eb_build(&b, o);
        uint64_t strtab = b.base + b.off_dynstr, at = b.n, ent = b.is64 ? 16 : 8;
        eb_dyn(&b, 5, strtab);
        for (int i = 0; i < 200000; i++)
            eb_dyn(&b, 1, 1);
        eb_set_ph(&b, (size_t)b.p_dynamic, EB_PH_OFFSET, at);
        eb_set_ph(&b, (size_t)b.p_dynamic, EB_PH_FILESZ, b.n - at);
        hy_elf *e = parse_ok(&b);
        check_sane(e);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_DYNAMIC_CAPPED));
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_NEEDED_CAPPED));
        assert_int_equal(e->dyn.entries, HY_ELF_MAX_DYNAMIC);
        assert_int_equal(e->dyn.n_needed, HY_ELF_MAX_NEEDED);
        assert_string_equal(e->dyn.needed[HY_ELF_MAX_NEEDED - 1], "libc.so.6");
        assert_int_equal(e->dyn.size, b.n - at);
        (void)ent;
        hy_elf_free(e);
        eb_free(&b);
    }
}

/* Hash tables that lie: a huge nchain, a GNU chain without end, a table
 * pointing at the dynamic section itself. Counts stay within the file. */
static void test_hash_tables_lie(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_opts o = variants[v];
        eb_image b;
        hy_elf *e;
        o.sections = false;
        o.gnu_hash = false;
        eb_build(&b, o);
        eb_wr(&b, b.off_hash + 4, 0xffffffffu, 4); /* nchain */
        e = parse_ok(&b);
        check_sane(e);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_HASH_BAD));
        assert_true(e->n_dynsyms * (b.is64 ? 24u : 16u) <= b.n);
        hy_elf_free(e);
        eb_free(&b);

        o.gnu_hash = true;
        eb_build(&b, o); /* a new GNU table at the end whose chain never ends */
        uint64_t at = b.n, rw_off = b.seg[b.p_rw].off;
        eb_add(&b, 1, 4);
        eb_add(&b, 1, 4);
        eb_add(&b, 1, 4);
        eb_add(&b, 0, 4);
        eb_addw(&b, ~0ull);
        eb_add(&b, 1, 4);
        for (int i = 0; i < 64; i++)
            eb_add(&b, 2, 4);
        eb_set_ph(&b, (size_t)b.p_rw, EB_PH_FILESZ, b.n - rw_off);
        eb_set_ph(&b, (size_t)b.p_rw, EB_PH_MEMSZ, b.n - rw_off);
        eb_wr(&b, eb_dyn_find(&b, 0x6ffffef5) + (b.is64 ? 8 : 4), b.rw_delta + at, b.is64 ? 8 : 4);
        e = parse_ok(&b);
        check_sane(e);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_HASH_BAD));
        assert_int_equal(e->n_dynsyms, EB_NSYM); /* from the DT_SYMTAB..DT_STRTAB gap */
        hy_elf_free(e);
        eb_free(&b);

        eb_build(&b, o); /* DT_STRTAB, DT_SYMTAB and DT_GNU_HASH all point at .dynamic */
        uint64_t self = b.rw_delta + b.off_dynamic;
        eb_wr(&b, eb_dyn_find(&b, 5) + (b.is64 ? 8 : 4), self, b.is64 ? 8 : 4);
        eb_wr(&b, eb_dyn_find(&b, 6) + (b.is64 ? 8 : 4), self, b.is64 ? 8 : 4);
        eb_wr(&b, eb_dyn_find(&b, 0x6ffffef5) + (b.is64 ? 8 : 4), self, b.is64 ? 8 : 4);
        e = parse_ok(&b);
        check_sane(e);
        assert_true(e->n_dynsyms * (b.is64 ? 24u : 16u) <= b.n - b.off_dynamic);
        assert_int_equal(e->dyn.n_needed, 2);
        hy_elf_free(e);
        eb_free(&b);
    }
}

static void rw_overlaps_rx(eb_image *b)
{
    eb_set_ph(b, (size_t)b->p_rw, EB_PH_VADDR, b->base + 0x10);
}

static void entry_outside(eb_image *b)
{
    eb_set_eh(b, EB_EH_ENTRY, 0xdead0000u);
}

static void entry_in_data(eb_image *b)
{
    eb_set_eh(b, EB_EH_ENTRY, b->rw_delta + b->off_dynamic);
}

static void loads_unsorted(eb_image *b)
{
    eb_set_ph(b, (size_t)b->p_rx, EB_PH_VADDR, b->base + 0x100000);
}

static void rx_writable(eb_image *b)
{
    eb_set_ph(b, (size_t)b->p_rx, EB_PH_FLAGS, 7);
}

static void test_segment_anomalies(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        hy_elf *e = corrupt(v, &b, rw_overlaps_rx);
        assert_int_equal(anomaly_index(e, HY_ELF_AN_SEGMENTS_OVERLAP), b.p_rw);
        assert_false(hy_elf_has_anomaly(e, HY_ELF_AN_SEGMENTS_UNSORTED));
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, entry_outside);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_ENTRY_OUTSIDE));
        assert_int_equal(e->entry_section, -1);
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, entry_in_data);
        assert_int_equal(anomaly_index(e, HY_ELF_AN_ENTRY_NOT_EXEC), b.p_rw);
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, rx_writable);
        assert_int_equal(anomaly_index(e, HY_ELF_AN_SEGMENT_WX), b.p_rx);
        assert_int_equal(e->n_anomalies, 1);
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, loads_unsorted);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_SEGMENTS_UNSORTED));
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_ENTRY_OUTSIDE));
        hy_elf_free(e);
        eb_free(&b);
    }
}

static void bad_class(eb_image *b)
{
    b->p[4] = 7;
}

static void phdrs_past_end(eb_image *b)
{
    eb_set_eh(b, EB_EH_PHOFF, b->n - 8);
}

static void test_header_anomalies(void **st)
{
    (void)st;
    for (int v = 0; v < 4; v++) {
        eb_image b;
        hy_elf *e = corrupt(v, &b, bad_class);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_BAD_CLASS));
        assert_int_equal(e->ei_class, 7);
        assert_int_equal(e->n_segments, 0);
        hy_elf_free(e);
        eb_free(&b);
        e = corrupt(v, &b, phdrs_past_end);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_PHDRS_PAST_END));
        assert_int_equal(e->n_segments, 0);
        assert_true(hy_elf_has_anomaly(e, HY_ELF_AN_NO_LOAD));
        assert_int_equal(e->n_sections, b.nsec); /* sections still read */
        hy_elf_free(e);
        eb_free(&b);
    }
}

/* ---- real binaries ------------------------------------------------------ */


static bool is_host_x86_64(const uint8_t *p, size_t n)
{
    return n > 20 && p[4] == 2 && p[5] == 1 && p[18] == 62 && p[19] == 0;
}

static void test_system_ls(void **st)
{
    size_t n = 0;
    uint8_t *p = hy_test_read_file("/bin/ls", &n);
    hy_elf *e = NULL;
    (void)st;
    if (!p || !is_host_x86_64(p, n)) {
        free(p);
        skip(); /* not an x86-64 Debian host */
    }
    assert_int_equal(hy_elf_parse(p, n, &e), HY_OK);
    check_sane(e);
    for (size_t i = 0; i < e->n_anomalies; i++)
        print_message("/bin/ls: %s\n", hy_elf_anomaly_str(e->anomalies[i].kind));
    assert_int_equal(e->n_anomalies, 0);
    assert_int_equal(e->machine, HY_EM_X86_64);
    assert_true(e->is64 && !e->big_endian);
    assert_int_equal(e->type, HY_ET_DYN);
    assert_true(e->is_pie);
    assert_false(e->is_static);
    assert_non_null(e->interp);
    assert_non_null(strstr(e->interp, "ld-linux-x86-64.so.2"));
    bool libc = false;
    for (size_t i = 0; i < e->dyn.n_needed; i++)
        libc |= strcmp(e->dyn.needed[i], "libc.so.6") == 0;
    assert_true(libc);
    assert_null(e->dyn.soname);
    assert_true(e->n_dynsyms > 50);
    assert_true(e->n_imports > 50);
    assert_int_equal(strlen(e->build_id), 40);
    assert_true(e->entry_section >= 0);
    assert_string_equal(e->sections[e->entry_section].name, ".text");
    double h = e->sections[e->entry_section].entropy;
    assert_true(h > 5.0 && h < 7.5); /* machine code, not packed */
    const hy_elf_symbol *s = hy_elf_find_dynsym(e, "malloc");
    assert_true(s && s->imported && s->type == HY_STT_FUNC);
    hy_elf_free(e);
    free(p);
}

static void test_system_libc(void **st)
{
    size_t n = 0;
    uint8_t *p = hy_test_read_file("/usr/lib/x86_64-linux-gnu/libc.so.6", &n);
    hy_elf *e = NULL;
    (void)st;
    if (!p || !is_host_x86_64(p, n)) {
        free(p);
        skip();
    }
    assert_int_equal(hy_elf_parse(p, n, &e), HY_OK);
    check_sane(e);
    assert_int_equal(e->n_anomalies, 0);
    assert_int_equal(e->machine, HY_EM_X86_64);
    assert_string_equal(e->dyn.soname, "libc.so.6");
    assert_false(e->is_pie); /* runnable, but a library: it has a SONAME */
    assert_true(e->n_dynsyms > 1000);
    assert_true(e->n_exports > 1000);
    const hy_elf_symbol *s = hy_elf_find_dynsym(e, "malloc");
    assert_true(s && s->exported && s->type == HY_STT_FUNC && s->shndx != 0);
    assert_true(e->has_abi_tag && e->abi_os == 0 && e->abi_major >= 2);
    /* the section-less path agrees on the dynamic symbols */
    uint8_t *q = malloc(n);
    assert_non_null(q);
    memcpy(q, p, n);
    memset(q + 40, 0, 8); /* e_shoff */
    memset(q + 58, 0, 6); /* e_shentsize, e_shnum, e_shstrndx */
    hy_elf *f = NULL;
    assert_int_equal(hy_elf_parse(q, n, &f), HY_OK);
    assert_true(f->dynsyms_from_segments);
    assert_int_equal(f->n_dynsyms, e->n_dynsyms);
    assert_int_equal(f->n_exports, e->n_exports);
    assert_string_equal(f->dyn.soname, "libc.so.6");
    assert_string_equal(f->build_id, e->build_id);
    hy_elf_free(f);
    free(q);
    hy_elf_free(e);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_fields),
        cmocka_unit_test(test_no_sections_fallback),
        cmocka_unit_test(test_static_exec),
        cmocka_unit_test(test_not_elf),
        cmocka_unit_test(test_truncation_every_length),
        cmocka_unit_test(test_sections_past_end),
        cmocka_unit_test(test_section_counts),
        cmocka_unit_test(test_strings_bounded),
        cmocka_unit_test(test_string_budget),
        cmocka_unit_test(test_dynamic_anomalies),
        cmocka_unit_test(test_dynamic_huge),
        cmocka_unit_test(test_hash_tables_lie),
        cmocka_unit_test(test_segment_anomalies),
        cmocka_unit_test(test_header_anomalies),
        cmocka_unit_test(test_system_ls),
        cmocka_unit_test(test_system_libc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
