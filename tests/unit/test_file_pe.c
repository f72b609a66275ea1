/* PE parser: images built by pe_builder.h (PE32 and PE32+), every parsed
 * field asserted, then malformed variants: every truncation length, broken
 * headers, self-referencing tables, caps, and random byte flips. */
#include "testutil.h"

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hayate/file.h"
#include "hayate/pe.h"
#include "pe_builder.h"

/* pefile 2023.2.7's get_imphash() of both built images (they import the
 * same functions); the string it hashes is IMPHASH_STR. */
#define IMPHASH_PEFILE "dad1f7134e8dc18b7725d7dafd93cd1d"
#define IMPHASH_STR                                                                                \
    "kernel32.getprocaddress,kernel32.loadlibrarya,ws2_32.socket,ws2_32.wsastartup,"               \
    "oleaut32.sysallocstring,user32.messageboxa,user32.ord5,driver.iocreatedevice,foo.bar.thing,"  \
    "advapi32.regopenkeyexa"

static uint8_t img[PB_CAP];

/* Parses an exact-size heap copy of p[0..n) so ASan sees any overread. */
static hy_err parse_copy(const uint8_t *p, size_t n, hy_pe **out)
{
    uint8_t *q = malloc(n ? n : 1);
    assert_non_null(q);
    memcpy(q, p, n);
    hy_err rc = hy_pe_parse(q, n, out);
    free(q);
    return rc;
}

static hy_pe *parse_ok(const uint8_t *p, size_t n)
{
    hy_pe *pe = NULL;
    assert_int_equal(parse_copy(p, n, &pe), HY_OK);
    assert_non_null(pe);
    return pe;
}

static void dump_anomalies(const hy_pe *pe)
{
    for (size_t i = 0; i < pe->n_anomalies; i++)
        print_message("anomaly %s: %s\n", hy_pe_anomaly_str(pe->anomalies[i].kind),
                      pe->anomalies[i].detail);
}

static bool has_detail(const hy_pe *pe, hy_pe_anomaly_kind k, const char *part)
{
    for (size_t i = 0; i < pe->n_anomalies; i++)
        if (pe->anomalies[i].kind == k && strstr(pe->anomalies[i].detail, part))
            return true;
    return false;
}

static void check_headers(const hy_pe *pe, bool plus)
{
    assert_int_equal(pe->e_lfanew, PB_LFANEW);
    assert_int_equal(pe->machine, plus ? HY_PE_MACHINE_AMD64 : HY_PE_MACHINE_I386);
    assert_int_equal(pe->n_sections_raw, 5);
    assert_int_equal(pe->timestamp, 0x5e0be100);
    assert_int_equal(pe->opt_size, plus ? 240 : 224);
    assert_int_equal(pe->characteristics, plus ? 0x0022 : 0x2102);
    assert_int_equal(pe->is_dll, !plus);
    assert_true(pe->has_opt);
    assert_int_equal(pe->pe32plus, plus);
    assert_int_equal(pe->magic, plus ? HY_PE_MAGIC_PE32PLUS : HY_PE_MAGIC_PE32);
    assert_int_equal(pe->linker_major, 14);
    assert_int_equal(pe->linker_minor, 29);
    assert_int_equal(pe->size_code, 0x200);
    assert_int_equal(pe->size_init_data, 0x1400);
    assert_int_equal(pe->size_uninit_data, 0x100);
    assert_int_equal(pe->entry, 0x1000);
    assert_int_equal(pe->base_code, 0x1000);
    assert_int_equal(pe->base_data, plus ? 0 : 0x2000);
    assert_true(pe->image_base == (plus ? PB_BASE64 : PB_BASE32));
    assert_int_equal(pe->section_align, 0x1000);
    assert_int_equal(pe->file_align, 0x200);
    assert_int_equal(pe->os_major, 6);
    assert_int_equal(pe->os_minor, 0);
    assert_int_equal(pe->image_major, 1);
    assert_int_equal(pe->image_minor, 2);
    assert_int_equal(pe->subsys_major, 6);
    assert_int_equal(pe->subsys_minor, 1);
    assert_int_equal(pe->win32_version, 0);
    assert_int_equal(pe->size_image, 0x6000);
    assert_int_equal(pe->size_headers, 0x400);
    assert_int_equal(pe->checksum, 0x1234);
    assert_int_equal(pe->subsystem, plus ? 3 : 2);
    assert_int_equal(pe->dll_characteristics, plus ? 0x8160 : 0x0140);
    assert_true(pe->stack_reserve == 0x100000 && pe->stack_commit == 0x1000);
    assert_true(pe->heap_reserve == 0x200000 && pe->heap_commit == 0x2000);
    assert_int_equal(pe->loader_flags, 0);
    assert_int_equal(pe->n_rva_sizes, 16);
    assert_int_equal(pe->dirs[HY_PE_DIR_RESOURCE].rva, PB_RSRC_RVA);
    assert_int_equal(pe->dirs[HY_PE_DIR_RESOURCE].size, 0x350);
    assert_int_equal(pe->dirs[HY_PE_DIR_SECURITY].rva, PB_CERT_OFF);
    assert_int_equal(pe->dirs[HY_PE_DIR_TLS].size, plus ? 40 : 24);
    assert_int_equal(pe->dirs[HY_PE_DIR_DELAY_IMPORT].size, 64);
}

static void check_sections(const hy_pe *pe)
{
    static const char *names[5] = {".text", ".rdata", ".rsrc", ".data", ".bss"};
    static const uint32_t va[5] = {0x1000, 0x2000, 0x3000, 0x4000, 0x5000};
    static const uint32_t raw[5] = {0x400, 0x600, 0x1000, 0x1600, 0};
    static const uint32_t rsz[5] = {0x200, 0xa00, 0x600, 0x200, 0};
    assert_int_equal(pe->n_sections, 5);
    for (int i = 0; i < 5; i++) {
        const hy_pe_section *s = &pe->sections[i];
        assert_string_equal(s->name, names[i]);
        assert_int_equal(s->va, va[i]);
        assert_int_equal(s->raw_ptr, raw[i]);
        assert_int_equal(s->raw_size, rsz[i]);
        if (rsz[i])
            assert_true(fabs(s->entropy - hy_entropy(img + raw[i], rsz[i])) < 1e-12);
    }
    assert_int_equal(pe->sections[0].vsize, 0x180);
    assert_int_equal(pe->sections[0].characteristics, 0x60000020);
    assert_int_equal(pe->sections[3].characteristics, 0xc0000040);
    assert_true(pe->sections[3].entropy == 0.0);  /* zeros */
    assert_true(pe->sections[4].entropy == -1.0); /* no raw data */
    /* .text: 0x180 bytes of a 64-value ramp (6 bits each) then 0x80 zeros */
    assert_true(pe->sections[0].entropy > 5.0 && pe->sections[0].entropy < 6.0);
    assert_int_equal(pe->entry_section, 0);
}

static void check_imports(const hy_pe *pe)
{
    static const char *dlls[7] = {"KERNEL32.dll", "WS2_32.dll", "oleaut32.dll", "user32.dll",
                                  "driver.sys",   "Foo.Bar",    "ADVAPI32.dll"};
    static const size_t nfn[7] = {2, 2, 1, 2, 1, 1, 1};
    assert_int_equal(pe->n_imports, 7);
    for (int i = 0; i < 7; i++) {
        assert_string_equal(pe->imports[i].name, dlls[i]);
        assert_int_equal(pe->imports[i].n_fns, nfn[i]);
        assert_int_equal(pe->imports[i].from_iat, i == 6);
    }
    assert_string_equal(pe->imports[0].fns[0].name, "GetProcAddress");
    assert_int_equal(pe->imports[0].fns[0].hint, 0x2b5);
    assert_string_equal(pe->imports[0].fns[1].name, "LoadLibraryA");
    assert_null(pe->imports[1].fns[0].name);
    assert_int_equal(pe->imports[1].fns[0].ordinal, 23);
    assert_int_equal(pe->imports[1].fns[1].ordinal, 115);
    assert_int_equal(pe->imports[2].fns[0].ordinal, 2);
    assert_string_equal(pe->imports[3].fns[0].name, "MessageBoxA");
    assert_null(pe->imports[3].fns[1].name);
    assert_int_equal(pe->imports[3].fns[1].ordinal, 5);
    assert_string_equal(pe->imports[6].fns[0].name, "RegOpenKeyExA");
    assert_int_equal(pe->imports[6].ilt_rva, 0);
    /* delay-load */
    assert_int_equal(pe->n_delay_imports, 1);
    assert_string_equal(pe->delay_imports[0].name, "dbghelp.dll");
    assert_int_equal(pe->delay_imports[0].n_fns, 2);
    assert_string_equal(pe->delay_imports[0].fns[0].name, "MiniDumpWriteDump");
    assert_int_equal(pe->delay_imports[0].fns[0].hint, 7);
    assert_null(pe->delay_imports[0].fns[1].name);
    assert_int_equal(pe->delay_imports[0].fns[1].ordinal, 4);
}

static void check_imphash(const hy_pe *pe)
{
    char ih[33];
    hy_file_hashes h;
    assert_int_equal(hy_pe_imphash(pe, ih), HY_OK);
    assert_int_equal(hy_file_hashes_of((const uint8_t *)IMPHASH_STR, strlen(IMPHASH_STR), &h),
                     HY_OK);
    assert_string_equal(ih, h.md5);
    assert_string_equal(ih, IMPHASH_PEFILE);
}

static void check_exports(const hy_pe *pe)
{
    const hy_pe_exports *x = &pe->exports;
    assert_true(x->present);
    assert_string_equal(x->dll_name, "hytest.dll");
    assert_int_equal(x->timestamp, 0x5f000000);
    assert_int_equal(x->ordinal_base, 5);
    assert_int_equal(x->n_functions, 5);
    assert_int_equal(x->n_names, 3);
    assert_int_equal(x->n, 4);
    assert_string_equal(x->e[0].name, "alpha");
    assert_int_equal(x->e[0].ordinal, 5);
    assert_int_equal(x->e[0].rva, 0x1010);
    assert_null(x->e[0].forwarder);
    assert_string_equal(x->e[1].name, "beta");
    assert_int_equal(x->e[1].ordinal, 6);
    assert_int_equal(x->e[1].rva, 0x1020);
    assert_string_equal(x->e[2].name, "gamma");
    assert_int_equal(x->e[2].ordinal, 7);
    assert_string_equal(x->e[2].forwarder, "NTDLL.RtlAllocateHeap");
    assert_null(x->e[3].name);
    assert_int_equal(x->e[3].ordinal, 9);
    assert_int_equal(x->e[3].rva, 0x1030);
    assert_null(x->e[3].forwarder);
}

static void check_resources(const hy_pe *pe, const pb_layout *l)
{
    const hy_pe_resources *r = &pe->res;
    assert_true(r->present);
    assert_int_equal(r->count, 5);
    assert_int_equal(r->total_size, 0x210);
    assert_int_equal(r->n_types, 3);
    assert_string_equal(r->types[0].name, "MYDATA");
    assert_int_equal(r->types[0].count, 1);
    assert_int_equal(r->types[0].bytes, 0x100);
    assert_int_equal(r->types[1].id, 3);
    assert_string_equal(r->types[1].name, "");
    assert_int_equal(r->types[1].count, 2);
    assert_int_equal(r->types[1].bytes, 0xc0);
    assert_int_equal(r->types[2].id, 16);
    assert_int_equal(r->types[2].count, 2);
    assert_int_equal(r->types[2].bytes, 0x50);
    assert_int_equal(r->n_langs, 2);
    assert_int_equal(r->langs[0], 0x409);
    assert_int_equal(r->langs[1], 0x411);
    assert_int_equal(r->n_largest, 5);
    static const uint32_t sizes[5] = {0x100, 0x80, 0x40, 0x30, 0x20};
    for (int i = 0; i < 5; i++)
        assert_int_equal(r->largest[i].size, sizes[i]);
    assert_string_equal(r->largest[0].type_name, "MYDATA");
    assert_int_equal(r->largest[0].lang, 0x409);
    assert_int_equal(r->largest[0].rva, PB_RSRC_RVA + 0x140);
    assert_true(fabs(r->largest[0].entropy - hy_entropy(img + l->res_a_off, 0x100)) < 1e-12);
    assert_true(r->largest[0].entropy > 7.0);
    assert_int_equal(r->largest[1].type_id, 3);
    assert_true(fabs(r->largest[1].entropy - 7.0) < 1e-12); /* 0..127 once each */
    assert_true(r->largest[2].entropy == 0.0);
    assert_int_equal(r->largest[3].lang, 0x411);
}

static void check_rich(const hy_pe *pe)
{
    static const uint32_t ids[7] = {0x60088e, 0xf0883,  0x5d0883, 0x10000,
                                    0x5f088e, 0x5e0883, 0x5a0883};
    static const uint32_t counts[7] = {10, 8, 37, 573, 64, 1, 1};
    assert_true(pe->rich.present);
    assert_int_equal(pe->rich.offset, 0x80);
    assert_int_equal(pe->rich.end, 0xc8);
    assert_int_equal(pe->rich.key, 0x24ea4a1c);
    assert_true(pe->rich.checksum_ok);
    assert_int_equal(pe->rich.checksum, 0x24ea4a1c);
    assert_int_equal(pe->rich.n_entries, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(pe->rich.entries[i].comp_id, ids[i]);
        assert_int_equal(pe->rich.entries[i].count, counts[i]);
    }
}

static void check_tls_overlay_cert(const hy_pe *pe, const pb_layout *l)
{
    assert_true(pe->tls.present);
    assert_true(pe->tls.start_va == l->base + 0x4100 && pe->tls.end_va == l->base + 0x4110);
    assert_true(pe->tls.index_va == l->base + 0x4120);
    assert_true(pe->tls.callbacks_va == l->base + l->tls_cbs);
    assert_int_equal(pe->tls.zero_fill, 0x10);
    assert_int_equal(pe->tls.n_callbacks, 2);
    assert_true(pe->tls.callbacks[0] == l->base + 0x1040);
    assert_true(pe->tls.callbacks[1] == l->base + 0x1050);
    assert_int_equal(pe->overlay_offset, PB_CERT_OFF);
    assert_int_equal(pe->overlay_size, PB_CERT_LEN + PB_OVERLAY_EXTRA);
    assert_true(fabs(pe->overlay_entropy -
                     hy_entropy(img + PB_CERT_OFF, PB_CERT_LEN + PB_OVERLAY_EXTRA)) < 1e-12);
    assert_true(pe->cert.present && pe->cert.authenticode && pe->cert.in_overlay);
    assert_int_equal(pe->cert.offset, PB_CERT_OFF);
    assert_int_equal(pe->cert.size, PB_CERT_LEN);
    assert_int_equal(pe->cert.length, PB_CERT_LEN);
    assert_int_equal(pe->cert.revision, 0x200);
    assert_int_equal(pe->cert.type, HY_PE_CERT_PKCS_SIGNED);
}

static void check_image(bool plus)
{
    pb_layout l = pb_build(img, plus);
    assert_true(l.rdata_used <= PB_RDATA_SIZE);
    hy_pe *pe = parse_ok(img, l.len);
    dump_anomalies(pe);
    assert_int_equal(pe->n_anomalies, 0);
    assert_true(pe->anomaly_mask == 0);
    assert_int_equal(pe->file_size, l.len);
    check_headers(pe, plus);
    check_sections(pe);
    check_imports(pe);
    check_imphash(pe);
    check_exports(pe);
    check_resources(pe, &l);
    check_rich(pe);
    check_tls_overlay_cert(pe, &l);
    hy_pe_free(pe);
}

static void test_pe32_image(void **st)
{
    (void)st;
    check_image(false);
}

static void test_pe64_image(void **st)
{
    (void)st;
    check_image(true);
}

static void test_rva_mapping(void **st)
{
    size_t off = 0;
    (void)st;
    pb_layout l = pb_build(img, false);
    hy_pe *pe = parse_ok(img, l.len);
    assert_true(hy_pe_rva_to_offset(pe, 0x2000, &off) && off == 0x600);
    assert_true(hy_pe_rva_to_offset(pe, 0x3123, &off) && off == 0x1123);
    assert_true(hy_pe_rva_to_offset(pe, 0x11f0, &off) && off == 0x5f0); /* raw past vsize */
    assert_true(hy_pe_rva_to_offset(pe, 0x50, &off) && off == 0x50);    /* headers */
    assert_false(hy_pe_rva_to_offset(pe, 0x4250, &off));                /* .data zero-filled tail */
    assert_false(hy_pe_rva_to_offset(pe, 0x5000, &off));                /* .bss */
    assert_false(hy_pe_rva_to_offset(pe, 0x7000, &off));                /* past the image */
    assert_false(hy_pe_rva_to_offset(pe, 0x2000, NULL));
    hy_pe_free(pe);
}

static void test_ordinal_names(void **st)
{
    (void)st;
    assert_string_equal(hy_pe_ordinal_name("WS2_32.DLL", 23), "socket");
    assert_string_equal(hy_pe_ordinal_name("wsock32.dll", 115), "WSAStartup");
    assert_string_equal(hy_pe_ordinal_name("ws2_32.dll", 1), "accept");
    assert_string_equal(hy_pe_ordinal_name("OleAut32.dll", 2), "SysAllocString");
    assert_null(hy_pe_ordinal_name("ws2_32", 23)); /* the table keys carry .dll */
    assert_null(hy_pe_ordinal_name("user32.dll", 5));
    assert_null(hy_pe_ordinal_name("ws2_32.dll", 9999));
    assert_null(hy_pe_ordinal_name(NULL, 1));
}

static void expect_format(const uint8_t *p, size_t n, const char *why)
{
    hy_pe *pe = (hy_pe *)1;
    assert_int_equal(parse_copy(p, n, &pe), HY_ERR_FORMAT);
    assert_null(pe);
    assert_non_null(strstr(hy_err_detail(), why));
}

static void test_not_pe(void **st)
{
    hy_pe *pe;
    (void)st;
    pb_layout l = pb_build(img, false);
    expect_format(img, 0, "no MZ");
    expect_format(img, 1, "no MZ");
    expect_format(img, 0x3f, "DOS header cut");
    expect_format((const uint8_t *)"ZMxx", 4, "no MZ");
    pb_w32(img, 0x3c, (uint32_t)l.len + 100);
    expect_format(img, l.len, "e_lfanew");
    pb_w32(img, 0x3c, (uint32_t)l.len - 2);
    expect_format(img, l.len, "e_lfanew");
    pb_w32(img, 0x3c, 0xffffffffu);
    expect_format(img, l.len, "e_lfanew");
    pb_w32(img, 0x3c, PB_LFANEW);
    img[PB_LFANEW + 1] = 'X';
    expect_format(img, l.len, "no PE signature");
    assert_int_equal(hy_pe_parse(img, l.len, NULL), HY_ERR_ARG);
    assert_int_equal(hy_pe_parse(NULL, 5, &pe), HY_ERR_ARG);
    hy_pe_free(NULL);
}

/* Every prefix of both images: no crash, a result from the PE signature on,
 * and the anomaly the cut implies. */
static void check_prefix(const pb_layout *l, size_t n)
{
    hy_pe *pe = NULL;
    hy_err rc = parse_copy(img, n, &pe);
    if (n < PB_LFANEW + 4) {
        assert_int_equal(rc, HY_ERR_FORMAT);
        return;
    }
    assert_int_equal(rc, HY_OK);
    size_t coff_end = PB_LFANEW + 24, opt_end = l->sec, sec_end = l->sec + 5 * 40;
    if (n < coff_end)
        assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_COFF_TRUNCATED));
    else if (n < opt_end)
        assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_OPT_TRUNCATED));
    else if (n < sec_end)
        assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_SECTION_TABLE_TRUNC));
    else if (n < PB_CERT_OFF)
        assert_true(has_detail(pe, HY_PE_AN_SECTION_RAW_PAST_END, "raw data past end of file"));
    else if (n < PB_CERT_OFF + PB_CERT_LEN)
        assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_CERT_BAD));
    else
        assert_true(pe->anomaly_mask == 0 && pe->cert.authenticode);
    assert_true(pe->n_sections <= 5 && pe->n_imports <= 7 && pe->exports.n <= 4);
    assert_true(pe->n_anomalies <= HY_PE_MAX_ANOMALIES);
    if (n >= PB_CERT_OFF) { /* all sections whole: the tables parse in full */
        assert_int_equal(pe->n_imports, 7);
        assert_int_equal(pe->exports.n, 4);
        assert_int_equal(pe->res.count, 5);
        assert_int_equal(pe->overlay_size, n - PB_CERT_OFF);
    }
    hy_pe_free(pe);
}

static void test_every_truncation(void **st)
{
    (void)st;
    for (int plus = 0; plus < 2; plus++) {
        pb_layout l = pb_build(img, plus);
        for (size_t n = 0; n <= l.len; n++)
            check_prefix(&l, n);
    }
}

static void rebuild(bool plus, pb_layout *l)
{
    *l = pb_build(img, plus);
}

static void test_broken_headers(void **st)
{
    pb_layout l;
    hy_pe *pe;
    (void)st;
    /* section table past the end: SizeOfOptionalHeader pushes it out */
    rebuild(false, &l);
    pb_w16(img, PB_LFANEW + 20, 0xffff);
    pe = parse_ok(img, l.len);
    assert_true(has_detail(pe, HY_PE_AN_SECTION_TABLE_TRUNC, "section table past end of file"));
    assert_int_equal(pe->n_sections, 0);
    assert_true(pe->has_opt && pe->size_image == 0x6000);
    hy_pe_free(pe);
    /* giant NumberOfSections: capped, the rest of the table is junk */
    rebuild(true, &l);
    pb_w16(img, PB_LFANEW + 6, 0xffff);
    pe = parse_ok(img, l.len);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_SECTIONS_MANY));
    assert_true(pe->n_sections > 5 && pe->n_sections <= HY_PE_MAX_SECTIONS);
    hy_pe_free(pe);
    /* unknown optional header magic: no optional fields, sections still read */
    rebuild(false, &l);
    pb_w16(img, l.opt, 0x107);
    pe = parse_ok(img, l.len);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_OPT_MAGIC));
    assert_false(pe->has_opt);
    assert_int_equal(pe->n_sections, 5);
    hy_pe_free(pe);
    /* entry point outside sections; overlapping sections; W+X; alignment */
    rebuild(false, &l);
    pb_w32(img, l.opt + 16, 0x9000);
    pb_w32(img, l.sec + 40 + 12, 0x1000);
    pb_w32(img, l.sec + 36, 0xe0000020);
    pb_w32(img, l.opt + 36, 0x300);
    pe = parse_ok(img, l.len);
    assert_true(has_detail(pe, HY_PE_AN_ENTRY_OUTSIDE, "entry point 0x9000 outside sections"));
    assert_true(has_detail(pe, HY_PE_AN_SECTION_OVERLAP, "overlapping sections 0 and 1"));
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_SECTION_WX));
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_ALIGNMENT));
    assert_int_equal(pe->entry_section, -1);
    hy_pe_free(pe);
    /* NumberOfRvaAndSizes above 16; entry in a data section */
    rebuild(true, &l);
    pb_w32(img, l.opt + 108, 0x1000);
    pb_w32(img, l.opt + 16, 0x4010);
    pe = parse_ok(img, l.len);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_RVA_COUNT));
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_ENTRY_NOT_EXEC));
    assert_int_equal(pe->n_imports, 7); /* 16 directories still read */
    hy_pe_free(pe);
}

static void test_import_loops(void **st)
{
    pb_layout l;
    hy_pe *pe;
    char ih[33];
    (void)st;
    /* descriptor 0's name table is the descriptor table itself */
    rebuild(false, &l);
    pb_w32(img, pb_off(l.imp_desc), l.imp_desc);
    pe = parse_ok(img, l.len);
    assert_true(has_detail(pe, HY_PE_AN_IMPORT_LOOP, "point into the descriptor table"));
    assert_int_equal(pe->n_imports, 0);
    assert_int_equal(hy_pe_imphash(pe, ih), HY_OK);
    assert_string_equal(ih, "");
    hy_pe_free(pe);
    /* descriptor 2 repeats descriptor 0 */
    rebuild(true, &l);
    memcpy(img + pb_off(l.imp_desc) + 40, img + pb_off(l.imp_desc), 20);
    pe = parse_ok(img, l.len);
    assert_true(has_detail(pe, HY_PE_AN_IMPORT_LOOP, "repeats 0"));
    assert_int_equal(pe->n_imports, 2);
    hy_pe_free(pe);
    /* name table unmapped: the IAT is read instead; bad function name */
    rebuild(false, &l);
    pb_w32(img, pb_off(l.imp_desc), 0x00fff000);
    pb_w32(img, pb_off(l.imp_desc) + 20 + 12, 0x7ffffff0);
    pe = parse_ok(img, l.len);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_IAT_FALLBACK));
    assert_true(pe->imports[0].from_iat);
    assert_string_equal(pe->imports[0].fns[1].name, "LoadLibraryA");
    assert_string_equal(pe->imports[1].name, "*invalid*");
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_IMPORT_NAME));
    hy_pe_free(pe);
}

static void test_export_ranges(void **st)
{
    pb_layout l;
    hy_pe *pe;
    (void)st;
    /* every name pointer out of range: exports remain, by ordinal */
    rebuild(false, &l);
    for (int i = 0; i < 3; i++)
        pb_w32(img, pb_off(l.exp_names) + 4u * i, 0xffffff00u - (uint32_t)i);
    pe = parse_ok(img, l.len);
    assert_true(has_detail(pe, HY_PE_AN_EXPORT_NAME, "out of range"));
    assert_int_equal(pe->exports.n, 4);
    for (size_t i = 0; i < pe->exports.n; i++)
        assert_null(pe->exports.e[i].name);
    assert_string_equal(pe->exports.e[2].forwarder, "NTDLL.RtlAllocateHeap");
    hy_pe_free(pe);
    /* the name table itself unmapped; huge counts capped */
    rebuild(true, &l);
    pb_w32(img, pb_off(l.exp_dir) + 32, 0x00ff0000);
    pb_w32(img, pb_off(l.exp_dir) + 20, 0xffffffffu);
    pe = parse_ok(img, l.len);
    assert_true(has_detail(pe, HY_PE_AN_EXPORT_NAME, "name tables"));
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_EXPORTS_CAPPED));
    assert_true(pe->exports.n <= HY_PE_MAX_EXPORTS);
    hy_pe_free(pe);
    /* name ordinal beyond the function count */
    rebuild(false, &l);
    pb_w16(img, pb_off(l.exp_names) + 12, 40);
    pe = parse_ok(img, l.len);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_EXPORT_ORDINAL));
    hy_pe_free(pe);
}

static void test_resource_loops(void **st)
{
    pb_layout l;
    hy_pe *pe;
    (void)st;
    /* ICON/1 points back at the root */
    rebuild(false, &l);
    pb_w32(img, l.res_icon1 + 4, 0x80000000u);
    pe = parse_ok(img, l.len);
    assert_true(has_detail(pe, HY_PE_AN_RESOURCE_LOOP, "0x0 reached twice"));
    assert_int_equal(pe->res.count, 4); /* ICON/1's leaf lost, the rest walked */
    hy_pe_free(pe);
    /* the root's first entry is the root; a directory below a language */
    rebuild(true, &l);
    pb_w32(img, PB_RSRC_OFF + 20, 0x80000000u);
    pb_w32(img, PB_RSRC_OFF + 0xc0 + 20, 0x80000000u | 0x58);
    pe = parse_ok(img, l.len);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_RESOURCE_LOOP));
    assert_true(has_detail(pe, HY_PE_AN_RESOURCE_DEPTH, "below the language level"));
    assert_int_equal(pe->res.count, 3); /* MYDATA and VERSION/1/0x411 lost */
    hy_pe_free(pe);
    /* entry counts far beyond the directory: junk entries, bounded walk */
    rebuild(false, &l);
    pb_w16(img, PB_RSRC_OFF + 14, 0xffff);
    pe = parse_ok(img, l.len);
    assert_true(pe->anomaly_mask != 0);
    assert_true(pe->res.count >= 5 && pe->res.count <= HY_PE_MAX_RES_ENTRIES);
    hy_pe_free(pe);
    /* the largest resource's data outside the file */
    rebuild(true, &l);
    pb_w32(img, PB_RSRC_OFF + 0xe0, 0x00ff0000);
    pe = parse_ok(img, l.len);
    assert_true(has_detail(pe, HY_PE_AN_RESOURCE_BAD, "outside the file"));
    assert_int_equal(pe->res.largest[0].size, 0x100);
    assert_true(pe->res.largest[0].entropy == -1.0);
    hy_pe_free(pe);
}

static void test_rich_variants(void **st)
{
    pb_layout l;
    hy_pe *pe;
    (void)st;
    /* a count changed: decodes, but the checksum no longer matches */
    rebuild(false, &l);
    img[0x80 + 16 + 4] ^= 0x01;
    pe = parse_ok(img, l.len);
    assert_true(pe->rich.present && !pe->rich.checksum_ok);
    assert_int_equal(pe->rich.entries[0].count, 11);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_RICH_CHECKSUM));
    hy_pe_free(pe);
    /* a wrong key: "DanS" never decodes */
    rebuild(false, &l);
    pb_w32(img, 0xcc, 0x12345678);
    pe = parse_ok(img, l.len);
    assert_false(pe->rich.present);
    assert_true(has_detail(pe, HY_PE_AN_RICH_BAD, "without \"DanS\""));
    hy_pe_free(pe);
    /* a changed DOS stub byte breaks the checksum too; no Rich at all is fine */
    rebuild(false, &l);
    img[0x50] ^= 0x20;
    pe = parse_ok(img, l.len);
    assert_true(pe->rich.present && !pe->rich.checksum_ok);
    hy_pe_free(pe);
    rebuild(false, &l);
    memset(img + 0x80, 0, 0x50);
    pe = parse_ok(img, l.len);
    assert_false(pe->rich.present);
    assert_true(pe->anomaly_mask == 0);
    hy_pe_free(pe);
}

static void test_tls_and_cert(void **st)
{
    pb_layout l;
    hy_pe *pe;
    (void)st;
    /* an unterminated callback array runs into the cap */
    rebuild(false, &l);
    for (uint32_t i = 0; i < HY_PE_MAX_TLS_CALLBACKS + 4; i++)
        pb_w32(img, pb_off(l.tls_cbs) + 4 * i, (uint32_t)l.base + 0x1000 + i);
    pe = parse_ok(img, l.len);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_TLS_CAPPED));
    assert_int_equal(pe->tls.n_callbacks, HY_PE_MAX_TLS_CALLBACKS);
    hy_pe_free(pe);
    /* a callback outside the image; the array VA below the image base */
    rebuild(true, &l);
    pb_w64(img, pb_off(l.tls_cbs), 0x1000);
    pe = parse_ok(img, l.len);
    assert_true(hy_pe_has_anomaly(pe, HY_PE_AN_TLS_CALLBACK_OUTSIDE));
    hy_pe_free(pe);
    /* certificate table past the end; then an implausible header */
    rebuild(false, &l);
    pb_w32(img, l.opt + 96 + 8 * 4, (uint32_t)l.len - 8);
    pe = parse_ok(img, l.len);
    assert_true(pe->cert.present && !pe->cert.authenticode);
    assert_true(has_detail(pe, HY_PE_AN_CERT_BAD, "outside the file"));
    hy_pe_free(pe);
    rebuild(false, &l);
    pb_w16(img, PB_CERT_OFF + 4, 0x0300);
    pe = parse_ok(img, l.len);
    assert_false(pe->cert.authenticode);
    assert_true(has_detail(pe, HY_PE_AN_CERT_BAD, "implausible"));
    hy_pe_free(pe);
}

/* Deterministic random byte flips over the headers and tables: no crash,
 * no leak, and the result stays within its caps. */
static void test_random_flips(void **st)
{
    uint32_t x = 2463534242u;
    (void)st;
    for (int iter = 0; iter < 3000; iter++) {
        pb_layout l = pb_build(img, iter & 1);
        int flips = 1 + iter % 8;
        for (int k = 0; k < flips; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            size_t at = (iter & 2) ? x % 0x400 : x % l.len; /* half in the headers */
            img[at] = (uint8_t)(x >> 24);
        }
        hy_pe *pe = NULL;
        hy_err rc = parse_copy(img, l.len, &pe);
        assert_true(rc == HY_OK || rc == HY_ERR_FORMAT);
        if (pe) {
            char ih[33];
            assert_true(pe->n_sections <= HY_PE_MAX_SECTIONS);
            assert_true(pe->n_anomalies <= HY_PE_MAX_ANOMALIES);
            assert_int_equal(hy_pe_imphash(pe, ih), HY_OK);
        }
        hy_pe_free(pe);
    }
}

/* The whole file at path (below 256 MiB) in a malloc'd buffer; NULL when
 * it cannot be opened. */
static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0 && size < (256l << 20));
    rewind(f);
    uint8_t *buf = malloc((size_t)size);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *n = (size_t)size;
    return buf;
}

/* Real PE DLLs from Debian's MinGW-w64 packages, when installed: they parse
 * without anomalies, import from KERNEL32.dll and export under their name. */
static void check_real_dll(const char *path)
{
    size_t size;
    char ih[33];
    uint8_t *buf = read_all(path, &size);
    assert_non_null(buf);
    hy_pe *pe = parse_ok(buf, size);
    free(buf);
    dump_anomalies(pe);
    assert_true(pe->anomaly_mask == 0);
    assert_true(pe->is_dll && pe->n_sections >= 3 && pe->n_imports >= 1);
    bool k32 = false;
    for (size_t i = 0; i < pe->n_imports; i++)
        k32 |= strcasecmp(pe->imports[i].name, "KERNEL32.dll") == 0;
    assert_true(k32);
    assert_true(pe->exports.present && pe->exports.n > 0 && pe->exports.dll_name);
    assert_non_null(strstr(path, pe->exports.dll_name));
    assert_int_equal(hy_pe_imphash(pe, ih), HY_OK);
    assert_int_equal(strlen(ih), 32);
    hy_pe_free(pe);
}

static void test_real_dlls(void **st)
{
    glob_t g;
    (void)st;
    if (glob("/usr/lib/gcc/*-w64-mingw32/*/lib{gcc_s,stdc++,ssp}*.dll", GLOB_BRACE, NULL, &g)) {
        print_message("pe: SKIP: no MinGW-w64 DLLs installed\n");
        skip();
    }
    for (size_t i = 0; i < g.gl_pathc && i < 12; i++)
        check_real_dll(g.gl_pathv[i]);
    globfree(&g);
}

/* The fuzz corpus seeds fuzz/corpus/pe/{pe32.dll,pe32plus.exe} are the
 * builder's current images; HY_PE_SEEDS=dir writes them there instead. */
static void test_corpus_seeds(void **st)
{
    const char *out = getenv("HY_PE_SEEDS");
    char path[1024];
    (void)st;
    for (int plus = 0; plus < 2; plus++) {
        const char *name = plus ? "pe32plus.exe" : "pe32.dll";
        pb_layout l = pb_build(img, plus);
        size_t n = 0;
        if (out && *out) {
            snprintf(path, sizeof path, "%s/%s", out, name);
            hy_test_write_file(path, img, l.len);
            continue;
        }
        snprintf(path, sizeof path, "%s/fuzz/corpus/pe/%s", hy_test_source_dir(), name);
        uint8_t *seed = read_all(path, &n);
        if (!seed) {
            print_message("pe: SKIP: no %s\n", path);
            skip();
        }
        assert_int_equal(n, l.len);
        assert_memory_equal(seed, img, n);
        free(seed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pe32_image),     cmocka_unit_test(test_pe64_image),
        cmocka_unit_test(test_rva_mapping),    cmocka_unit_test(test_ordinal_names),
        cmocka_unit_test(test_not_pe),         cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_broken_headers), cmocka_unit_test(test_import_loops),
        cmocka_unit_test(test_export_ranges),  cmocka_unit_test(test_resource_loops),
        cmocka_unit_test(test_rich_variants),  cmocka_unit_test(test_tls_and_cert),
        cmocka_unit_test(test_random_flips),   cmocka_unit_test(test_real_dlls),
        cmocka_unit_test(test_corpus_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
