/* EMBER v2 PE groups (general, header, section, imports, exports, data
 * directories) from hy_pe, standing in for the LIEF calls of features.py.
 * Names of header flags and section properties are the LIEF enum names
 * EMBER's data carries ("CHARA_32BIT_MACHINE", "MEM_EXECUTE"). The hashed
 * blocks accumulate in double and are rounded to float at the end, as
 * FeatureHasher's float64 output is by features.py's astype(float32). */
#include "hayate/ember.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct flag_name {
    uint32_t bit;
    const char *name;
} flag_name;

static const flag_name coff_flags[] = {
    {0x0001, "RELOCS_STRIPPED"},
    {0x0002, "EXECUTABLE_IMAGE"},
    {0x0004, "LINE_NUMS_STRIPPED"},
    {0x0008, "LOCAL_SYMS_STRIPPED"},
    {0x0010, "AGGRESSIVE_WS_TRIM"},
    {0x0020, "LARGE_ADDRESS_AWARE"},
    {0x0080, "BYTES_REVERSED_LO"},
    {0x0100, "CHARA_32BIT_MACHINE"},
    {0x0200, "DEBUG_STRIPPED"},
    {0x0400, "REMOVABLE_RUN_FROM_SWAP"},
    {0x0800, "NET_RUN_FROM_SWAP"},
    {0x1000, "SYSTEM"},
    {0x2000, "DLL"},
    {0x4000, "UP_SYSTEM_ONLY"},
    {0x8000, "BYTES_REVERSED_HI"},
};

static const flag_name dll_flags[] = {
    {0x0020, "HIGH_ENTROPY_VA"}, {0x0040, "DYNAMIC_BASE"},          {0x0080, "FORCE_INTEGRITY"},
    {0x0100, "NX_COMPAT"},       {0x0200, "NO_ISOLATION"},          {0x0400, "NO_SEH"},
    {0x0800, "NO_BIND"},         {0x1000, "APPCONTAINER"},          {0x2000, "WDM_DRIVER"},
    {0x4000, "GUARD_CF"},        {0x8000, "TERMINAL_SERVER_AWARE"},
};

/* LIEF tests each value with (characteristics & value) != 0, so the ALIGN_*
 * field values match every value sharing a bit; 0x20000 is both
 * MEM_PURGEABLE and MEM_16BIT in LIEF and is listed once. */
static const flag_name sec_flags[] = {
    {0x00000008, "TYPE_NO_PAD"},
    {0x00000020, "CNT_CODE"},
    {0x00000040, "CNT_INITIALIZED_DATA"},
    {0x00000080, "CNT_UNINITIALIZED_DATA"},
    {0x00000100, "LNK_OTHER"},
    {0x00000200, "LNK_INFO"},
    {0x00000800, "LNK_REMOVE"},
    {0x00001000, "LNK_COMDAT"},
    {0x00008000, "GPREL"},
    {0x00020000, "MEM_PURGEABLE"},
    {0x00040000, "MEM_LOCKED"},
    {0x00080000, "MEM_PRELOAD"},
    {0x00100000, "ALIGN_1BYTES"},
    {0x00200000, "ALIGN_2BYTES"},
    {0x00300000, "ALIGN_4BYTES"},
    {0x00400000, "ALIGN_8BYTES"},
    {0x00500000, "ALIGN_16BYTES"},
    {0x00600000, "ALIGN_32BYTES"},
    {0x00700000, "ALIGN_64BYTES"},
    {0x00800000, "ALIGN_128BYTES"},
    {0x00900000, "ALIGN_256BYTES"},
    {0x00a00000, "ALIGN_512BYTES"},
    {0x00b00000, "ALIGN_1024BYTES"},
    {0x00c00000, "ALIGN_2048BYTES"},
    {0x00d00000, "ALIGN_4096BYTES"},
    {0x00e00000, "ALIGN_8192BYTES"},
    {0x01000000, "LNK_NRELOC_OVFL"},
    {0x02000000, "MEM_DISCARDABLE"},
    {0x04000000, "MEM_NOT_CACHED"},
    {0x08000000, "MEM_NOT_PAGED"},
    {0x10000000, "MEM_SHARED"},
    {0x20000000, "MEM_EXECUTE"},
    {0x40000000, "MEM_READ"},
    {0x80000000, "MEM_WRITE"},
};

static const flag_name machines[] = {
    {0x0000, "UNKNOWN"},   {0x01d3, "AM33"},      {0x8664, "AMD64"},     {0x01c0, "ARM"},
    {0x01c4, "ARMNT"},     {0xaa64, "ARM64"},     {0x0ebc, "EBC"},       {0x014c, "I386"},
    {0x0200, "IA64"},      {0x9041, "M32R"},      {0x0266, "MIPS16"},    {0x0366, "MIPSFPU"},
    {0x0466, "MIPSFPU16"}, {0x01f0, "POWERPC"},   {0x01f1, "POWERPCFP"}, {0x0166, "R4000"},
    {0x01a2, "SH3"},       {0x01a3, "SH3DSP"},    {0x01a6, "SH4"},       {0x01a8, "SH5"},
    {0x01c2, "THUMB"},     {0x0169, "WCEMIPSV2"},
};

static const flag_name subsystems[] = {
    {0, "UNKNOWN"},
    {1, "NATIVE"},
    {2, "WINDOWS_GUI"},
    {3, "WINDOWS_CUI"},
    {5, "OS2_CUI"},
    {7, "POSIX_CUI"},
    {8, "NATIVE_WINDOWS"},
    {9, "WINDOWS_CE_GUI"},
    {10, "EFI_APPLICATION"},
    {11, "EFI_BOOT_SERVICE_DRIVER"},
    {12, "EFI_RUNTIME_DRIVER"},
    {13, "EFI_ROM"},
    {14, "XBOX"},
    {16, "WINDOWS_BOOT_APPLICATION"},
};

#define NFLAGS(t) (sizeof(t) / sizeof *(t))

/* The enum name of v, or "???" as LIEF prints a value it does not know. */
static const char *enum_name(const flag_name *t, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].bit == v)
            return t[i].name;
    return "???";
}

static void hash_str(double *bins, size_t nbins, const char *s, double value)
{
    hy_ember_hash_add(bins, nbins, s, strlen(s), value);
}

/* One "string" feature per flag set in v. */
static void hash_flags(double *bins, size_t nbins, const flag_name *t, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (v & t[i].bit)
            hash_str(bins, nbins, t[i].name, 1.0);
}

static void put(float *out, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (float)v[i];
}

static bool dir_mapped(const hy_pe *pe, int d)
{
    size_t off;
    return pe->dirs[d].rva && pe->dirs[d].size && hy_pe_rva_to_offset(pe, pe->dirs[d].rva, &off);
}

/* LIEF's Binary::virtual_size: headers or the furthest section end, rounded
 * up to the section alignment. */
static uint64_t lief_vsize(const hy_pe *pe)
{
    uint64_t size = (uint64_t)pe->e_lfanew + 24u + (pe->pe32plus ? 112u : 96u);
    for (size_t i = 0; i < pe->n_sections; i++) {
        uint64_t end = (uint64_t)pe->sections[i].va + pe->sections[i].vsize;
        size = end > size ? end : size;
    }
    uint64_t a = pe->section_align;
    if (a && size % a)
        size += a - size % a;
    return size;
}

static void general_group(size_t file_size, const hy_pe *pe, float *out)
{
    out[0] = (float)file_size;
    if (!pe)
        return;
    size_t exports = 0, imports = 0;
    for (size_t i = 0; i < pe->exports.n; i++)
        exports += pe->exports.e[i].name != NULL;
    for (size_t d = 0; d < pe->n_imports; d++) /* LIEF resolves known ordinals */
        for (size_t f = 0; f < pe->imports[d].n_fns; f++) {
            const hy_pe_import_fn *fn = &pe->imports[d].fns[f];
            imports += fn->name || hy_pe_ordinal_name(pe->imports[d].name, fn->ordinal);
        }
    out[1] = (float)lief_vsize(pe);
    out[2] = dir_mapped(pe, HY_PE_DIR_DEBUG);
    out[3] = (float)exports;
    out[4] = (float)imports;
    out[5] = dir_mapped(pe, HY_PE_DIR_BASERELOC);
    out[6] = pe->res.present;
    out[7] = pe->cert.authenticode;
    out[8] = pe->tls.present;
    out[9] = pe->symtab_ptr && pe->symtab_ptr < file_size ? (float)pe->n_symbols : 0.0f;
}

static void header_group(const hy_pe *pe, float *out)
{
    double h[5][10];
    memset(h, 0, sizeof h);
    const char *machine = "", *subsystem = "", *magic = ""; /* features.py's defaults */
    if (pe) {
        machine = enum_name(machines, NFLAGS(machines), pe->machine);
        subsystem = enum_name(subsystems, NFLAGS(subsystems), pe->subsystem);
        magic = pe->pe32plus ? "PE32_PLUS" : "PE32";
        hash_flags(h[1], 10, coff_flags, NFLAGS(coff_flags), pe->characteristics);
        hash_flags(h[3], 10, dll_flags, NFLAGS(dll_flags), pe->dll_characteristics);
    }
    hash_str(h[0], 10, machine, 1.0);
    hash_str(h[2], 10, subsystem, 1.0);
    hash_str(h[4], 10, magic, 1.0);
    out[0] = pe ? (float)pe->timestamp : 0.0f;
    for (int k = 0; k < 5; k++)
        put(out + 1 + 10 * k, h[k], 10);
    if (!pe)
        return;
    const uint64_t v[11] = {pe->image_major, pe->image_minor,  pe->linker_major, pe->linker_minor,
                            pe->os_major,    pe->os_minor,     pe->subsys_major, pe->subsys_minor,
                            pe->size_code,   pe->size_headers, pe->heap_commit};
    for (int k = 0; k < 11; k++)
        out[51 + k] = (float)(double)v[k];
}

/* features.py's entry section: the one holding the entry point, else the
 * first executable section, else "". */
static const char *entry_name(const hy_pe *pe)
{
    if (pe->entry_section >= 0 && (size_t)pe->entry_section < pe->n_sections)
        return pe->sections[pe->entry_section].name;
    for (size_t i = 0; i < pe->n_sections; i++)
        if (pe->sections[i].characteristics & HY_PE_SCN_EXECUTE)
            return pe->sections[i].name;
    return "";
}

static void section_group(const hy_pe *pe, float *out)
{
    if (!pe)
        return;
    double h[5][50];
    memset(h, 0, sizeof h);
    const char *entry = entry_name(pe);
    for (size_t i = 0; i < pe->n_sections; i++) {
        const hy_pe_section *s = &pe->sections[i];
        uint32_t ch = s->characteristics;
        out[1] += s->raw_size == 0;
        out[2] += s->name[0] == '\0';
        out[3] += (ch & HY_PE_SCN_READ) && (ch & HY_PE_SCN_EXECUTE);
        out[4] += (ch & HY_PE_SCN_WRITE) != 0;
        hash_str(h[0], 50, s->name, (double)s->raw_size);
        hash_str(h[1], 50, s->name, s->entropy > 0 ? s->entropy : 0.0);
        hash_str(h[2], 50, s->name, (double)s->vsize);
        if (strcmp(s->name, entry) == 0)
            hash_flags(h[4], 50, sec_flags, NFLAGS(sec_flags), ch);
    }
    out[0] = (float)pe->n_sections;
    /* features.py passes the entry name itself as the feature list, so
     * FeatureHasher hashes each of its characters */
    for (size_t k = 0; entry[k]; k++)
        hy_ember_hash_add(h[3], 50, entry + k, 1, 1.0);
    for (int k = 0; k < 5; k++)
        put(out + 5 + 50 * k, h[k], 50);
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

/* Lowercased copy of s into buf (cap bytes); returns its length. */
static size_t lower_into(char *buf, size_t cap, const char *s)
{
    size_t k = 0;
    for (; s[k] && k + 1 < cap; k++)
        buf[k] = s[k] >= 'A' && s[k] <= 'Z' ? (char)(s[k] + 32) : s[k];
    buf[k] = '\0';
    return k;
}

static void imports_group(const hy_pe *pe, float *out)
{
    static const size_t cap = 2 * HY_PE_MAX_NAME + 32;
    double libs[256] = {0}, fns[1024] = {0};
    char buf[2 * HY_PE_MAX_NAME + 32];
    for (size_t d = 0; pe && d < pe->n_imports; d++) {
        const hy_pe_import_dll *dll = &pe->imports[d];
        if (!dll->name)
            continue;
        bool seen = false; /* the set of lowercased library names */
        for (size_t j = 0; j < d && !seen; j++)
            seen = pe->imports[j].name && ascii_ieq(pe->imports[j].name, dll->name);
        size_t k = lower_into(buf, cap, dll->name);
        if (!seen)
            hy_ember_hash_add(libs, 256, buf, k, 1.0);
        buf[k++] = ':';
        for (size_t f = 0; f < dll->n_fns && k < cap; f++) {
            const hy_pe_import_fn *fn = &dll->fns[f];
            size_t m = fn->name ? strlen(fn->name) : 0;
            if (fn->name && m < cap - k)
                memcpy(buf + k, fn->name, m);
            else if (fn->name)
                continue; /* longer than any name hy_pe keeps */
            else {
                int w = snprintf(buf + k, cap - k, "ordinal%u", (unsigned)fn->ordinal);
                m = w < 0 ? 0 : (size_t)w < cap - k ? (size_t)w : cap - k - 1;
            }
            hy_ember_hash_add(fns, 1024, buf, k + m, 1.0);
        }
    }
    put(out, libs, 256);
    put(out + 256, fns, 1024);
}

static void exports_group(const hy_pe *pe, float *out)
{
    double h[128] = {0};
    for (size_t i = 0; pe && i < pe->exports.n; i++)
        if (pe->exports.e[i].name)
            hash_str(h, 128, pe->exports.e[i].name, 1.0);
    put(out, h, 128);
}

void hy_ember_pe_groups(size_t file_size, const hy_pe *pe, float out[HY_EMBER_DIM])
{
    if (!out)
        return;
    if (pe && !pe->has_opt)
        pe = NULL; /* LIEF refuses a PE without a known optional header */
    memset(out + HY_EMBER_GENERAL_OFF, 0, sizeof(float) * (HY_EMBER_DIM - HY_EMBER_GENERAL_OFF));
    general_group(file_size, pe, out + HY_EMBER_GENERAL_OFF);
    header_group(pe, out + HY_EMBER_HEADER_OFF);
    section_group(pe, out + HY_EMBER_SECTION_OFF);
    imports_group(pe, out + HY_EMBER_IMPORTS_OFF);
    exports_group(pe, out + HY_EMBER_EXPORTS_OFF);
    for (int d = 0; pe && d < 15; d++) {
        out[HY_EMBER_DATADIR_OFF + 2 * d] = (float)pe->dirs[d].size;
        out[HY_EMBER_DATADIR_OFF + 2 * d + 1] = (float)pe->dirs[d].rva;
    }
}
