/* PE parser (include/hayate/pe.h): DOS and COFF headers, the optional
 * header, the section table, RVA mapping, anomalies, and the parse driver.
 * The tables live in pe_imports.c, pe_exports.c and pe_extra.c. */
#include "pe_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/file.h"

#define PE_SPEC_MAX_SECTIONS 96u /* the specification's loader limit */

struct hy__pe_arena {
    hy__pe_arena *next;
    size_t used, cap;
    char data[];
};

static const char *const anomaly_names[HY_PE_AN__COUNT] = {
    [HY_PE_AN_COFF_TRUNCATED] = "coff_truncated",
    [HY_PE_AN_OPT_TRUNCATED] = "optional_header_truncated",
    [HY_PE_AN_OPT_MAGIC] = "optional_header_magic",
    [HY_PE_AN_OPT_SIZE] = "optional_header_size",
    [HY_PE_AN_RVA_COUNT] = "rva_count",
    [HY_PE_AN_ALIGNMENT] = "alignment",
    [HY_PE_AN_IMAGE_BASE] = "image_base",
    [HY_PE_AN_NO_SECTIONS] = "no_sections",
    [HY_PE_AN_SECTIONS_MANY] = "sections_many",
    [HY_PE_AN_SECTION_TABLE_TRUNC] = "section_table_truncated",
    [HY_PE_AN_SECTION_RAW_PAST_END] = "section_raw_past_end",
    [HY_PE_AN_SECTION_OVERLAP] = "section_overlap",
    [HY_PE_AN_SECTION_NAME] = "section_name",
    [HY_PE_AN_SECTION_WX] = "section_wx",
    [HY_PE_AN_SIZE_OF_IMAGE] = "size_of_image",
    [HY_PE_AN_ENTRY_OUTSIDE] = "entry_outside",
    [HY_PE_AN_ENTRY_NOT_EXEC] = "entry_not_exec",
    [HY_PE_AN_DIR_OUTSIDE] = "directory_outside",
    [HY_PE_AN_IMPORT_BAD] = "import_bad",
    [HY_PE_AN_IMPORT_LOOP] = "import_loop",
    [HY_PE_AN_IMPORT_NAME] = "import_name",
    [HY_PE_AN_IMPORTS_CAPPED] = "imports_capped",
    [HY_PE_AN_IAT_FALLBACK] = "iat_fallback",
    [HY_PE_AN_DELAY_BAD] = "delay_import_bad",
    [HY_PE_AN_EXPORT_BAD] = "export_bad",
    [HY_PE_AN_EXPORT_NAME] = "export_name",
    [HY_PE_AN_EXPORT_ORDINAL] = "export_ordinal",
    [HY_PE_AN_EXPORTS_CAPPED] = "exports_capped",
    [HY_PE_AN_RESOURCE_BAD] = "resource_bad",
    [HY_PE_AN_RESOURCE_LOOP] = "resource_loop",
    [HY_PE_AN_RESOURCE_DEPTH] = "resource_depth",
    [HY_PE_AN_RESOURCES_CAPPED] = "resources_capped",
    [HY_PE_AN_RICH_BAD] = "rich_bad",
    [HY_PE_AN_RICH_CHECKSUM] = "rich_checksum",
    [HY_PE_AN_TLS_BAD] = "tls_bad",
    [HY_PE_AN_TLS_CALLBACK_OUTSIDE] = "tls_callback_outside",
    [HY_PE_AN_TLS_CAPPED] = "tls_capped",
    [HY_PE_AN_CERT_BAD] = "certificate_bad",
    [HY_PE_AN_ENTROPY_BUDGET] = "entropy_budget",
};

const char *hy_pe_anomaly_str(hy_pe_anomaly_kind kind)
{
    if ((unsigned)kind >= HY_PE_AN__COUNT || !anomaly_names[kind])
        return "unknown";
    return anomaly_names[kind];
}

bool hy_pe_has_anomaly(const hy_pe *pe, hy_pe_anomaly_kind kind)
{
    return pe && (unsigned)kind < HY_PE_AN__COUNT && (pe->anomaly_mask >> kind & 1);
}

void hy__pe_anomaly(hy__pe_ctx *c, hy_pe_anomaly_kind kind, int32_t index, const char *fmt, ...)
{
    hy_pe *pe = c->pe;
    pe->anomaly_mask |= 1ull << kind;
    if (pe->anomaly_count[kind]++ >= HY_PE_ANOMALIES_PER_KIND ||
        pe->n_anomalies >= HY_PE_MAX_ANOMALIES)
        return;
    hy_pe_anomaly *a = &pe->anomalies[pe->n_anomalies++];
    a->kind = kind;
    a->index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->detail, sizeof a->detail, fmt, ap);
    va_end(ap);
}

const char *hy__pe_strdup(hy__pe_ctx *c, const char *s, size_t len)
{
    hy__pe_arena *a = c->pe->priv;
    if (!a || a->cap - a->used < len + 1) {
        size_t cap = len + 1 > 16384 ? len + 1 : 16384;
        hy__pe_arena *b = malloc(sizeof *b + cap);
        if (!b) {
            c->nomem = true;
            return NULL;
        }
        b->next = a;
        b->used = 0;
        b->cap = cap;
        c->pe->priv = a = b;
    }
    char *d = a->data + a->used;
    memcpy(d, s, len);
    d[len] = '\0';
    a->used += len + 1;
    return d;
}

const char *hy__pe_cstr(hy__pe_ctx *c, size_t off)
{
    for (size_t i = 0; i < HY_PE_MAX_NAME; i++) {
        uint8_t ch;
        if (!hy_rd_u8(c->p, c->n, off + i, &ch))
            return NULL;
        if (ch == 0) /* [off, off + i) was just read byte by byte */
            return i && hy_fits(c->n, off, i) ? hy__pe_strdup(c, (const char *)c->p + off, i)
                                              : NULL;
        if (ch < 0x20 || ch > 0x7e)
            return NULL;
    }
    return NULL;
}

double hy__pe_entropy(hy__pe_ctx *c, uint64_t off, uint64_t len)
{
    if (off >= c->n || len == 0)
        return -1;
    if (len > c->n - off)
        len = c->n - off;
    if (!hy_fits(c->n, (size_t)off, (size_t)len))
        return -1;
    if (len > c->entropy_budget) {
        hy__pe_anomaly(c, HY_PE_AN_ENTROPY_BUDGET, -1, "entropy budget spent at offset 0x%llx",
                       (unsigned long long)off);
        return -1;
    }
    c->entropy_budget -= len;
    return hy_entropy(c->p + off, (size_t)len);
}

/* Section start as the loader places it: rounded down to the section
 * alignment (the file alignment when that is below a page). */
static uint32_t sec_va(const hy_pe *pe, const hy_pe_section *s)
{
    uint32_t a = pe->section_align < 0x1000 ? pe->file_align : pe->section_align;
    if (a && !(a & (a - 1)))
        return s->va & ~(a - 1);
    return s->va;
}

/* Raw data start as the loader reads it: rounded down to 512 bytes unless
 * the file alignment is smaller. */
uint32_t hy__pe_sec_raw(const hy_pe *pe, const hy_pe_section *s)
{
    return pe->file_align >= 0x200 ? s->raw_ptr & ~0x1ffu : s->raw_ptr;
}

static uint32_t sec_vsize(const hy_pe_section *s)
{
    return s->vsize ? s->vsize : s->raw_size;
}

static bool map_rva(const hy_pe *pe, size_t n, uint32_t rva, size_t *off)
{
    long best = -1;
    uint32_t min_va = UINT32_MAX;
    for (size_t i = 0; i < pe->n_sections; i++) {
        const hy_pe_section *s = &pe->sections[i];
        uint32_t va = sec_va(pe, s);
        uint32_t ext = s->vsize > s->raw_size ? s->vsize : s->raw_size;
        if (va < min_va)
            min_va = va;
        if (rva >= va && rva - va < ext && (best < 0 || va > sec_va(pe, &pe->sections[best])))
            best = (long)i;
    }
    if (best < 0) {
        if (rva >= min_va || rva >= n)
            return false;
        *off = rva; /* the headers, mapped as they are */
        return true;
    }
    const hy_pe_section *s = &pe->sections[best];
    uint32_t delta = rva - sec_va(pe, s);
    if (delta >= s->raw_size) /* zero-filled tail: no file bytes */
        return false;
    uint64_t o = (uint64_t)hy__pe_sec_raw(pe, s) + delta;
    if (o >= n)
        return false;
    *off = (size_t)o;
    return true;
}

bool hy_pe_rva_to_offset(const hy_pe *pe, uint32_t rva, size_t *off)
{
    return pe && off && map_rva(pe, pe->file_size, rva, off);
}

bool hy__pe_map(const hy__pe_ctx *c, uint32_t rva, size_t *off)
{
    return map_rva(c->pe, c->n, rva, off);
}

/* Reads the COFF file header; false when it is cut. */
static bool parse_coff(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    size_t o = (size_t)pe->e_lfanew + 4;
    if (!hy_fits(c->n, o, 20)) {
        hy__pe_anomaly(c, HY_PE_AN_COFF_TRUNCATED, -1, "COFF header cut at %zu bytes", c->n);
        return false;
    }
    hy_rd_u16le(c->p, c->n, o, &pe->machine);
    hy_rd_u16le(c->p, c->n, o + 2, &pe->n_sections_raw);
    hy_rd_u32le(c->p, c->n, o + 4, &pe->timestamp);
    hy_rd_u32le(c->p, c->n, o + 8, &pe->symtab_ptr);
    hy_rd_u32le(c->p, c->n, o + 12, &pe->n_symbols);
    hy_rd_u16le(c->p, c->n, o + 16, &pe->opt_size);
    hy_rd_u16le(c->p, c->n, o + 18, &pe->characteristics);
    pe->is_dll = pe->characteristics & HY_PE_FILE_DLL;
    return true;
}

/* Field readers that note a cut instead of failing the whole header. */
typedef struct opt_rd {
    hy__pe_ctx *c;
    size_t base;
    bool cut;
} opt_rd;

static uint8_t o8(opt_rd *r, size_t at)
{
    uint8_t v = 0;
    r->cut |= !hy_rd_u8(r->c->p, r->c->n, r->base + at, &v);
    return v;
}

static uint16_t o16(opt_rd *r, size_t at)
{
    uint16_t v = 0;
    r->cut |= !hy_rd_u16le(r->c->p, r->c->n, r->base + at, &v);
    return v;
}

static uint32_t o32(opt_rd *r, size_t at)
{
    uint32_t v = 0;
    r->cut |= !hy_rd_u32le(r->c->p, r->c->n, r->base + at, &v);
    return v;
}

/* A pointer-sized field: 4 bytes in PE32, 8 in PE32+. */
static uint64_t optr(opt_rd *r, size_t at)
{
    uint64_t v = 0;
    if (r->c->pe->pe32plus)
        r->cut |= !hy_rd_u64le(r->c->p, r->c->n, r->base + at, &v);
    else
        v = o32(r, at);
    return v;
}

static void read_opt_fields(opt_rd *r)
{
    hy_pe *pe = r->c->pe;
    size_t w = pe->pe32plus ? 8 : 4; /* width of the size fields after 72 */
    pe->linker_major = o8(r, 2);
    pe->linker_minor = o8(r, 3);
    pe->size_code = o32(r, 4);
    pe->size_init_data = o32(r, 8);
    pe->size_uninit_data = o32(r, 12);
    pe->entry = o32(r, 16);
    pe->base_code = o32(r, 20);
    pe->base_data = pe->pe32plus ? 0 : o32(r, 24);
    pe->image_base = pe->pe32plus ? optr(r, 24) : o32(r, 28);
    pe->section_align = o32(r, 32);
    pe->file_align = o32(r, 36);
    pe->os_major = o16(r, 40);
    pe->os_minor = o16(r, 42);
    pe->image_major = o16(r, 44);
    pe->image_minor = o16(r, 46);
    pe->subsys_major = o16(r, 48);
    pe->subsys_minor = o16(r, 50);
    pe->win32_version = o32(r, 52);
    pe->size_image = o32(r, 56);
    pe->size_headers = o32(r, 60);
    pe->checksum = o32(r, 64);
    pe->subsystem = o16(r, 68);
    pe->dll_characteristics = o16(r, 70);
    pe->stack_reserve = optr(r, 72);
    pe->stack_commit = optr(r, 72 + w);
    pe->heap_reserve = optr(r, 72 + 2 * w);
    pe->heap_commit = optr(r, 72 + 3 * w);
    pe->loader_flags = o32(r, 72 + 4 * w);
    pe->n_rva_sizes = o32(r, 76 + 4 * w);
}

static void read_dirs(opt_rd *r)
{
    hy_pe *pe = r->c->pe;
    size_t first = pe->pe32plus ? 112 : 96;
    uint32_t k = pe->n_rva_sizes < HY_PE_NDIRS ? pe->n_rva_sizes : HY_PE_NDIRS;
    if (pe->n_rva_sizes > HY_PE_NDIRS)
        hy__pe_anomaly(r->c, HY_PE_AN_RVA_COUNT, -1, "NumberOfRvaAndSizes %u above 16",
                       pe->n_rva_sizes);
    if (first + 8u * k > pe->opt_size)
        hy__pe_anomaly(r->c, HY_PE_AN_OPT_SIZE, -1,
                       "SizeOfOptionalHeader %u below the %zu bytes of its %u directories",
                       pe->opt_size, first + 8u * k, k);
    for (uint32_t i = 0; i < k && !r->cut; i++) {
        pe->dirs[i].rva = o32(r, first + 8 * i);
        pe->dirs[i].size = o32(r, first + 8 * i + 4);
    }
    if (r->cut) /* a directory only half read is not trusted */
        memset(pe->dirs, 0, sizeof pe->dirs);
}

static bool pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

static void check_alignment(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    uint32_t fa = pe->file_align, sa = pe->section_align;
    if (!pow2(fa) || !pow2(sa))
        hy__pe_anomaly(c, HY_PE_AN_ALIGNMENT, -1,
                       "alignment not a power of two (file 0x%x, section 0x%x)", fa, sa);
    else if (sa < fa || (sa >= 0x1000 && (fa < 0x200 || fa > 0x10000)) || (sa < 0x1000 && fa != sa))
        hy__pe_anomaly(c, HY_PE_AN_ALIGNMENT, -1, "file alignment 0x%x with section alignment 0x%x",
                       fa, sa);
    if (pe->image_base & 0xffff)
        hy__pe_anomaly(c, HY_PE_AN_IMAGE_BASE, -1, "image base 0x%llx not 64 KiB aligned",
                       (unsigned long long)pe->image_base);
}

/* Reads the optional header and the data directories that fit. */
static void parse_opt(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    opt_rd r = {c, (size_t)pe->e_lfanew + 24, false};
    pe->magic = o16(&r, 0);
    if (r.cut) {
        hy__pe_anomaly(c, HY_PE_AN_OPT_TRUNCATED, -1, "optional header magic past end of file");
        return;
    }
    if (pe->magic != HY_PE_MAGIC_PE32 && pe->magic != HY_PE_MAGIC_PE32PLUS) {
        hy__pe_anomaly(c, HY_PE_AN_OPT_MAGIC, -1, "optional header magic 0x%x", pe->magic);
        return;
    }
    pe->has_opt = true;
    pe->pe32plus = pe->magic == HY_PE_MAGIC_PE32PLUS;
    size_t fixed = pe->pe32plus ? 112 : 96;
    if (pe->opt_size < fixed)
        hy__pe_anomaly(c, HY_PE_AN_OPT_SIZE, -1, "SizeOfOptionalHeader %u below the %zu-byte %s",
                       pe->opt_size, fixed, pe->pe32plus ? "PE32+ header" : "PE32 header");
    read_opt_fields(&r);
    if (!r.cut)
        read_dirs(&r);
    if (r.cut)
        hy__pe_anomaly(c, HY_PE_AN_OPT_TRUNCATED, -1, "optional header cut at %zu bytes", c->n);
    check_alignment(c);
}

static void section_name(hy__pe_ctx *c, hy_pe_section *s, const uint8_t raw[8], int32_t i)
{
    bool bad = false;
    size_t k = 0;
    for (; k < 8 && raw[k]; k++) {
        bool ok = raw[k] >= 0x20 && raw[k] <= 0x7e;
        s->name[k] = ok ? (char)raw[k] : '?';
        bad |= !ok;
    }
    s->name[k] = '\0';
    if (bad)
        hy__pe_anomaly(c, HY_PE_AN_SECTION_NAME, i, "section %d name has non-printable bytes", i);
}

static void parse_section(hy__pe_ctx *c, size_t o, int32_t i)
{
    hy_pe *pe = c->pe;
    hy_pe_section *s = &pe->sections[i];
    uint8_t raw[8];
    hy_rd_bytes(c->p, c->n, o, raw, 8);
    section_name(c, s, raw, i);
    hy_rd_u32le(c->p, c->n, o + 8, &s->vsize);
    hy_rd_u32le(c->p, c->n, o + 12, &s->va);
    hy_rd_u32le(c->p, c->n, o + 16, &s->raw_size);
    hy_rd_u32le(c->p, c->n, o + 20, &s->raw_ptr);
    hy_rd_u32le(c->p, c->n, o + 36, &s->characteristics);
    uint64_t start = hy__pe_sec_raw(pe, s), end = start + s->raw_size;
    if (s->raw_size && end > c->n)
        hy__pe_anomaly(c, HY_PE_AN_SECTION_RAW_PAST_END, i,
                       "section %d raw data past end of file (0x%llx > 0x%zx)", i,
                       (unsigned long long)end, c->n);
    if ((s->characteristics & HY_PE_SCN_EXECUTE) && (s->characteristics & HY_PE_SCN_WRITE))
        hy__pe_anomaly(c, HY_PE_AN_SECTION_WX, i, "section %d '%s' writable and executable", i,
                       s->name);
    s->entropy = -1; /* filled once all sections are read (entropy budget order) */
}

static void check_overlaps(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    uint64_t img_end = 0;
    for (size_t i = 0; i < pe->n_sections; i++) {
        const hy_pe_section *a = &pe->sections[i];
        uint64_t a0 = sec_va(pe, a), a1 = a0 + sec_vsize(a);
        if (a1 > img_end)
            img_end = a1;
        for (size_t j = i + 1; j < pe->n_sections; j++) {
            const hy_pe_section *b = &pe->sections[j];
            uint64_t b0 = sec_va(pe, b), b1 = b0 + sec_vsize(b);
            if (a0 < b1 && b0 < a1)
                hy__pe_anomaly(c, HY_PE_AN_SECTION_OVERLAP, (int32_t)j,
                               "overlapping sections %zu and %zu", i, j);
        }
    }
    if (pe->has_opt && img_end > pe->size_image)
        hy__pe_anomaly(c, HY_PE_AN_SIZE_OF_IMAGE, -1,
                       "SizeOfImage 0x%x below the last section end 0x%llx", pe->size_image,
                       (unsigned long long)img_end);
}

static bool parse_sections(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    size_t o = (size_t)pe->e_lfanew + 24 + pe->opt_size;
    uint32_t want = pe->n_sections_raw;
    if (want == 0)
        hy__pe_anomaly(c, HY_PE_AN_NO_SECTIONS, -1, "NumberOfSections is 0");
    if (want > PE_SPEC_MAX_SECTIONS)
        hy__pe_anomaly(c, HY_PE_AN_SECTIONS_MANY, -1, "%u sections (at most %d kept)", want,
                       HY_PE_MAX_SECTIONS);
    if (want > HY_PE_MAX_SECTIONS)
        want = HY_PE_MAX_SECTIONS;
    if (!want)
        return true;
    pe->sections = calloc(want, sizeof *pe->sections);
    if (!pe->sections)
        return false;
    for (uint32_t i = 0; i < want; i++) {
        if (!hy_fits(c->n, o + 40u * i, 40)) {
            hy__pe_anomaly(c, HY_PE_AN_SECTION_TABLE_TRUNC, (int32_t)i,
                           "section table past end of file at section %u of %u", i,
                           pe->n_sections_raw);
            break;
        }
        parse_section(c, o + 40u * i, (int32_t)i);
        pe->n_sections = i + 1;
    }
    for (size_t i = 0; i < pe->n_sections; i++) {
        hy_pe_section *s = &pe->sections[i];
        s->entropy = hy__pe_entropy(c, hy__pe_sec_raw(pe, s), s->raw_size);
    }
    check_overlaps(c);
    return true;
}

static void check_entry(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    pe->entry_section = -1;
    if (!pe->has_opt || (pe->entry == 0 && pe->is_dll))
        return;
    for (size_t i = 0; i < pe->n_sections; i++) {
        const hy_pe_section *s = &pe->sections[i];
        uint32_t va = sec_va(pe, s);
        if (pe->entry >= va && pe->entry - va < sec_vsize(s)) {
            pe->entry_section = (int32_t)i;
            break;
        }
    }
    if (pe->entry_section < 0) {
        hy__pe_anomaly(c, HY_PE_AN_ENTRY_OUTSIDE, -1, "entry point 0x%x outside sections",
                       pe->entry);
        return;
    }
    uint32_t ch = pe->sections[pe->entry_section].characteristics;
    if (!(ch & (HY_PE_SCN_EXECUTE | HY_PE_SCN_CODE)))
        hy__pe_anomaly(c, HY_PE_AN_ENTRY_NOT_EXEC, pe->entry_section,
                       "entry point in non-executable section %d", pe->entry_section);
}

static void check_dirs(hy__pe_ctx *c)
{
    for (int i = 0; i < HY_PE_NDIRS; i++) {
        const hy_pe_dir *d = &c->pe->dirs[i];
        size_t off;
        if (i == HY_PE_DIR_SECURITY || d->rva == 0)
            continue;
        if (!hy__pe_map(c, d->rva, &off))
            hy__pe_anomaly(c, HY_PE_AN_DIR_OUTSIDE, i,
                           "data directory %d at rva 0x%x maps to no file bytes", i, d->rva);
    }
}

/* Finds "PE\0\0" through e_lfanew, or says why this is not a PE file. */
static hy_err locate(const uint8_t *p, size_t n, uint32_t *lfanew)
{
    uint16_t mz = 0;
    uint32_t sig = 0;
    if (!hy_rd_u16le(p, n, 0, &mz) || mz != 0x5a4d)
        return hy_err_set(HY_ERR_FORMAT, "pe: no MZ signature");
    if (!hy_rd_u32le(p, n, 0x3c, lfanew))
        return hy_err_set(HY_ERR_FORMAT, "pe: DOS header cut at %zu bytes", n);
    if (!hy_rd_u32le(p, n, *lfanew, &sig))
        return hy_err_set(HY_ERR_FORMAT, "pe: e_lfanew 0x%x out of file (%zu bytes)", *lfanew, n);
    if (sig != 0x00004550)
        return hy_err_set(HY_ERR_FORMAT, "pe: no PE signature at e_lfanew 0x%x", *lfanew);
    return HY_OK;
}

static void parse_all(hy__pe_ctx *c)
{
    hy__pe_rich(c);
    if (!parse_coff(c))
        return;
    parse_opt(c);
    if (!parse_sections(c)) {
        c->nomem = true;
        return;
    }
    check_entry(c);
    check_dirs(c);
    hy__pe_imports(c);
    hy__pe_delay_imports(c);
    hy__pe_exports(c);
    hy__pe_resources(c);
    hy__pe_tls(c);
    hy__pe_overlay_cert(c);
}

hy_err hy_pe_parse(const uint8_t *p, size_t n, hy_pe **out)
{
    uint32_t lfanew = 0;
    if (!out)
        return hy_err_set(HY_ERR_ARG, "pe: NULL out");
    *out = NULL;
    if (!p && n)
        return hy_err_set(HY_ERR_ARG, "pe: NULL bytes");
    hy_err rc = locate(p, n, &lfanew);
    if (rc != HY_OK)
        return rc;
    hy_pe *pe = calloc(1, sizeof *pe);
    if (!pe)
        return hy_err_set(HY_ERR_NOMEM, "pe: result");
    pe->file_size = n;
    pe->e_lfanew = lfanew;
    pe->entry_section = -1;
    pe->overlay_entropy = -1;
    hy__pe_ctx c = {.p = p, .n = n, .pe = pe};
    c.entropy_budget = (uint64_t)HY_PE_ENTROPY_FACTOR * n;
    parse_all(&c);
    if (c.nomem) {
        hy_pe_free(pe);
        return hy_err_set(HY_ERR_NOMEM, "pe: out of memory while parsing");
    }
    *out = pe;
    return HY_OK;
}

void hy_pe_free(hy_pe *pe)
{
    if (!pe)
        return;
    hy__pe_free_imports(pe);
    free(pe->exports.e);
    free(pe->sections);
    for (hy__pe_arena *a = pe->priv, *next; a; a = next) {
        next = a->next;
        free(a);
    }
    free(pe);
}
