/* ELF feature vector (include/hayate/elfvec.h): EMBER's byte-level groups
 * followed by ELF groups built from hy_elf the way ember_pe.c builds the PE
 * groups from hy_pe. Enum values are hashed by their specification names
 * ("PT_LOAD", "SHF_EXECINSTR"); values a table lacks by a numeric name, so
 * unknown values stay distinct. Hashed blocks accumulate in double and are
 * rounded to float at the end, as in ember_pe.c. */
#include "hayate/elfvec.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hayate/limits.h"

_Static_assert((int)HY_ELF_AN__COUNT <= (int)HY_ELFVEC_ANOMALIES_DIM,
               "one dimension per anomaly kind");
_Static_assert(HY_ELFVEC_ANOMALIES_OFF + HY_ELFVEC_ANOMALIES_DIM == HY_ELFVEC_DIM, "layout");

#define SHF_WRITE     0x1u
#define SHF_ALLOC     0x2u
#define SHF_EXECINSTR 0x4u
#define SHT_RELA      4u
#define SHT_REL       9u
#define SHT_RELR      19u
#define NAME_CAP      64             /* numeric names ("SHT_0x6fff4700", "DF_1_BIT40") */
#define KEY_CAP       (NAME_CAP + 8) /* segment keys ("PT_LOAD:RWX?") */

const hy_ember_group hy_elfvec_groups[HY_ELFVEC_NGROUPS] = {
    {"histogram", HY_EMBER_HISTOGRAM_OFF, HY_EMBER_HISTOGRAM_DIM},
    {"byteentropy", HY_EMBER_BYTEENTROPY_OFF, HY_EMBER_BYTEENTROPY_DIM},
    {"strings", HY_EMBER_STRINGS_OFF, HY_EMBER_STRINGS_DIM},
    {"general", HY_ELFVEC_GENERAL_OFF, HY_ELFVEC_GENERAL_DIM},
    {"header", HY_ELFVEC_HEADER_OFF, HY_ELFVEC_HEADER_DIM},
    {"section", HY_ELFVEC_SECTION_OFF, HY_ELFVEC_SECTION_DIM},
    {"segment", HY_ELFVEC_SEGMENT_OFF, HY_ELFVEC_SEGMENT_DIM},
    {"imports", HY_ELFVEC_IMPORTS_OFF, HY_ELFVEC_IMPORTS_DIM},
    {"exports", HY_ELFVEC_EXPORTS_OFF, HY_ELFVEC_EXPORTS_DIM},
    {"anomalies", HY_ELFVEC_ANOMALIES_OFF, HY_ELFVEC_ANOMALIES_DIM},
};

const char *hy_elfvec_group_name(size_t dim)
{
    for (size_t g = 0; g < HY_ELFVEC_NGROUPS; g++)
        if (dim >= hy_elfvec_groups[g].offset &&
            dim < hy_elfvec_groups[g].offset + hy_elfvec_groups[g].dim)
            return hy_elfvec_groups[g].name;
    return NULL;
}

/* ---- names ---------------------------------------------------------------- */

typedef struct val_name {
    uint64_t v;
    const char *name;
} val_name;

#define NTAB(t) (sizeof(t) / sizeof *(t))

static const val_name osabis[] = {
    {0, "SYSV"},         {1, "HPUX"},      {2, "NETBSD"},   {3, "LINUX"},      {4, "HURD"},
    {6, "SOLARIS"},      {7, "AIX"},       {8, "IRIX"},     {9, "FREEBSD"},    {10, "TRU64"},
    {11, "MODESTO"},     {12, "OPENBSD"},  {13, "OPENVMS"}, {14, "NSK"},       {15, "AROS"},
    {16, "FENIXOS"},     {17, "CLOUDABI"}, {18, "OPENVOS"}, {64, "ARM_AEABI"}, {97, "ARM"},
    {255, "STANDALONE"},
};

static const val_name sec_types[] = {
    {0, "SHT_NULL"},
    {1, "SHT_PROGBITS"},
    {2, "SHT_SYMTAB"},
    {3, "SHT_STRTAB"},
    {4, "SHT_RELA"},
    {5, "SHT_HASH"},
    {6, "SHT_DYNAMIC"},
    {7, "SHT_NOTE"},
    {8, "SHT_NOBITS"},
    {9, "SHT_REL"},
    {10, "SHT_SHLIB"},
    {11, "SHT_DYNSYM"},
    {14, "SHT_INIT_ARRAY"},
    {15, "SHT_FINI_ARRAY"},
    {16, "SHT_PREINIT_ARRAY"},
    {17, "SHT_GROUP"},
    {18, "SHT_SYMTAB_SHNDX"},
    {19, "SHT_RELR"},
    {0x6ffffff5, "SHT_GNU_ATTRIBUTES"},
    {0x6ffffff6, "SHT_GNU_HASH"},
    {0x6ffffff7, "SHT_GNU_LIBLIST"},
    {0x6ffffff8, "SHT_CHECKSUM"},
    {0x6ffffffd, "SHT_GNU_VERDEF"},
    {0x6ffffffe, "SHT_GNU_VERNEED"},
    {0x6fffffff, "SHT_GNU_VERSYM"},
};

static const val_name seg_types[] = {
    {0, "PT_NULL"},
    {1, "PT_LOAD"},
    {2, "PT_DYNAMIC"},
    {3, "PT_INTERP"},
    {4, "PT_NOTE"},
    {5, "PT_SHLIB"},
    {6, "PT_PHDR"},
    {7, "PT_TLS"},
    {0x6474e550, "PT_GNU_EH_FRAME"},
    {0x6474e551, "PT_GNU_STACK"},
    {0x6474e552, "PT_GNU_RELRO"},
    {0x6474e553, "PT_GNU_PROPERTY"},
};

/* Flag tables: bit index to name, NULL when the bit has no name. */
static const char *const shf_names[32] = {
    "SHF_WRITE",
    "SHF_ALLOC",
    "SHF_EXECINSTR",
    NULL,
    "SHF_MERGE",
    "SHF_STRINGS",
    "SHF_INFO_LINK",
    "SHF_LINK_ORDER",
    "SHF_OS_NONCONFORMING",
    "SHF_GROUP",
    "SHF_TLS",
    "SHF_COMPRESSED",
    [21] = "SHF_GNU_RETAIN",
    [31] = "SHF_EXCLUDE",
};

static const char *const df_names[32] = {
    "DF_ORIGIN", "DF_SYMBOLIC", "DF_TEXTREL", "DF_BIND_NOW", "DF_STATIC_TLS",
};

static const char *const df1_names[32] = {
    "DF_1_NOW",        "DF_1_GLOBAL",     "DF_1_GROUP",    "DF_1_NODELETE",   "DF_1_LOADFLTR",
    "DF_1_INITFIRST",  "DF_1_NOOPEN",     "DF_1_ORIGIN",   "DF_1_DIRECT",     "DF_1_TRANS",
    "DF_1_INTERPOSE",  "DF_1_NODEFLIB",   "DF_1_NODUMP",   "DF_1_CONFALT",    "DF_1_ENDFILTEE",
    "DF_1_DISPRELDNE", "DF_1_DISPRELPND", "DF_1_NODIRECT", "DF_1_IGNMULDEF",  "DF_1_NOKSYMS",
    "DF_1_NOHDR",      "DF_1_EDITED",     "DF_1_NORELOC",  "DF_1_SYMINTPOSE", "DF_1_GLOBAUDIT",
    "DF_1_SINGLETON",  "DF_1_STUB",       "DF_1_PIE",
};

/* The table's name for v, else prefix followed by v in hex, in buf. */
static const char *name_of(const val_name *t, size_t n, uint64_t v, const char *prefix,
                           char buf[NAME_CAP])
{
    for (size_t i = 0; i < n; i++)
        if (t[i].v == v)
            return t[i].name;
    snprintf(buf, NAME_CAP, "%s0x%llx", prefix, (unsigned long long)v);
    return buf;
}

/* Length of a parser string, bounded by the parser's own cap. */
static size_t slen(const char *s)
{
    size_t k = 0;
    while (s && k <= HY_ELF_MAX_STR && s[k])
        k++;
    return k;
}

static void hash_str(double *bins, size_t nbins, const char *s, double value)
{
    hy_ember_hash_add(bins, nbins, s ? s : "", slen(s), value);
}

/* One "string" feature per set bit of v: its table name or prefix + bit. */
static void hash_bits(double *bins, size_t nbins, const char *const names[32], const char *prefix,
                      uint64_t v)
{
    char buf[NAME_CAP];
    for (unsigned b = 0; b < 64; b++) {
        if (!(v >> b & 1u))
            continue;
        const char *s = b < 32 ? names[b] : NULL;
        if (!s) {
            snprintf(buf, sizeof buf, "%sBIT%u", prefix, b);
            s = buf;
        }
        hash_str(bins, nbins, s, 1.0);
    }
}

/* Table lengths, zero when the table pointer is missing. */
static size_t n_secs(const hy_elf *e)
{
    return e->sections ? e->n_sections : 0;
}

static size_t n_segs(const hy_elf *e)
{
    return e->segments ? e->n_segments : 0;
}

static void put(float *out, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (float)v[i];
}

static float u64f(uint64_t v)
{
    return (float)(double)v;
}

/* ---- general ------------------------------------------------------------ */

/* Span of the PT_LOAD memory image: highest end minus lowest start. */
static uint64_t load_span(const hy_elf *e)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n_segs(e); i++) {
        const hy_elf_segment *s = &e->segments[i];
        if (s->type != HY_PT_LOAD || s->memsz == 0 || s->vaddr > UINT64_MAX - s->memsz)
            continue;
        lo = s->vaddr < lo ? s->vaddr : lo;
        hi = s->vaddr + s->memsz > hi ? s->vaddr + s->memsz : hi;
    }
    return hi > lo ? hi - lo : 0;
}

static bool is_debug_name(const char *s)
{
    return strncmp(s, ".debug", 6) == 0 || strncmp(s, ".zdebug", 7) == 0;
}

/* Entries in SHT_REL, SHT_RELA and SHT_RELR sections. */
static double reloc_entries(const hy_elf *e)
{
    double n = 0.0;
    for (size_t i = 0; i < n_secs(e); i++) {
        const hy_elf_section *s = &e->sections[i];
        uint64_t ent = s->entsize;
        if (s->type != SHT_REL && s->type != SHT_RELA && s->type != SHT_RELR)
            continue;
        if (ent == 0)
            ent = s->type == SHT_RELR  ? (e->is64 ? 8u : 4u)
                  : s->type == SHT_REL ? (e->is64 ? 16u : 8u)
                                       : (e->is64 ? 24u : 12u);
        n += (double)(s->size / ent);
    }
    return n;
}

static void general_group(size_t file_size, const hy_elf *e, float *out)
{
    out[0] = (float)file_size;
    if (!e)
        return;
    bool debug = false;
    for (size_t i = 0; i < n_secs(e) && !debug; i++)
        debug = e->sections[i].name && is_debug_name(e->sections[i].name);
    out[1] = u64f(load_span(e));
    out[2] = e->dyn.present;
    out[3] = e->interp != NULL;
    out[4] = e->symtab.present;
    out[5] = debug;
    out[6] = (float)e->dyn.n_needed;
    out[7] = (float)e->n_imports;
    out[8] = (float)e->n_exports;
    out[9] = (float)reloc_entries(e);
    out[10] = (float)e->n_dynsyms;
    out[11] = (float)e->symtab.count;
    out[12] = e->is_pie;
    out[13] = e->is_static;
    out[14] = (float)e->n_notes;
    out[15] = e->build_id[0] != '\0';
}

/* ---- header ------------------------------------------------------------- */

static void header_numbers(const hy_elf *e, float *out)
{
    const uint64_t v[20] = {
        e->ei_class,    e->ei_data,      e->ei_version,  e->abiversion,    e->version,
        e->entry,       e->phoff,        e->shoff,       e->ehsize,        e->phentsize,
        e->phnum,       e->shentsize,    e->shnum,       e->shstrndx,      e->dyn.bind_now,
        e->dyn.textrel, !!e->dyn.soname, !!e->dyn.rpath, !!e->dyn.runpath, e->has_abi_tag,
    };
    for (size_t k = 0; k < 20; k++)
        out[k] = u64f(v[k]);
}

static void header_group(const hy_elf *e, float *out)
{
    enum { B = HY_ELFVEC_HEADER_HBINS };
    double h[6][B];
    char mbuf[NAME_CAP], obuf[NAME_CAP], fbuf[NAME_CAP];
    memset(h, 0, sizeof h);
    const char *type = "", *machine = "", *osabi = ""; /* EMBER's defaults */
    if (e) {
        header_numbers(e, out);
        type = hy_elf_type_str(e->type);
        machine = hy_elf_machine_str(e->machine);
        if (strcmp(machine, "unknown") == 0) {
            snprintf(mbuf, sizeof mbuf, "EM_%u", (unsigned)e->machine);
            machine = mbuf;
        }
        osabi = name_of(osabis, NTAB(osabis), e->osabi, "OSABI_", obuf);
    }
    hash_str(h[0], B, type, 1.0);
    hash_str(h[1], B, machine, 1.0);
    hash_str(h[2], B, osabi, 1.0);
    if (e) {
        snprintf(fbuf, sizeof fbuf, "0x%x", (unsigned)e->flags);
        hash_str(h[3], B, fbuf, 1.0);
        if (e->interp)
            hash_str(h[4], B, e->interp, 1.0);
        hash_bits(h[5], B, df_names, "DF_", e->dyn.flags);
        hash_bits(h[5], B, df1_names, "DF_1_", e->dyn.flags_1);
    }
    for (size_t k = 0; k < 6; k++)
        put(out + 20 + B * k, h[k], B);
}

/* ---- sections ----------------------------------------------------------- */

/* The section holding the entry point, else the first executable one (as
 * EMBER picks the PE entry section); NULL when there is none. */
static const hy_elf_section *entry_section(const hy_elf *e)
{
    if (e->entry_section >= 0 && (size_t)e->entry_section < n_secs(e))
        return &e->sections[e->entry_section];
    for (size_t i = 0; i < n_secs(e); i++)
        if (e->sections[i].flags & SHF_EXECINSTR)
            return &e->sections[i];
    return NULL;
}

static void section_group(const hy_elf *e, float *out)
{
    enum { B = HY_ELFVEC_SECTION_HBINS };
    double h[6][B];
    char buf[NAME_CAP];
    if (!e)
        return;
    memset(h, 0, sizeof h);
    for (size_t i = 0; i < n_secs(e); i++) {
        const hy_elf_section *s = &e->sections[i];
        const char *name = s->name ? s->name : "";
        uint64_t fsize = s->type == HY_SHT_NOBITS ? 0 : s->size;
        out[1] += fsize == 0;
        out[2] += name[0] == '\0';
        out[3] += (s->flags & SHF_EXECINSTR) != 0;
        out[4] += (s->flags & SHF_WRITE) != 0;
        hash_str(h[0], B, name, (double)fsize);
        hash_str(h[1], B, name, s->entropy > 0 ? s->entropy : 0.0);
        hash_str(h[2], B, name, (s->flags & SHF_ALLOC) ? (double)s->size : 0.0);
        hash_str(h[5], B, name_of(sec_types, NTAB(sec_types), s->type, "SHT_", buf), 1.0);
    }
    out[0] = (float)n_secs(e);
    const hy_elf_section *ent = entry_section(e);
    if (ent) {
        hash_str(h[3], B, ent->name, 1.0);
        hash_bits(h[4], B, shf_names, "SHF_", ent->flags);
    }
    for (size_t k = 0; k < 6; k++)
        put(out + 5 + B * k, h[k], B);
}

/* ---- segments ----------------------------------------------------------- */

/* "PT_LOAD:RX": the type name, ':', R/W/X letters, '?' for other flag bits. */
static const char *seg_key(const hy_elf_segment *s, char buf[KEY_CAP])
{
    char tbuf[NAME_CAP];
    const char *t = name_of(seg_types, NTAB(seg_types), s->type, "PT_", tbuf);
    snprintf(buf, KEY_CAP, "%s:%s%s%s%s", t, (s->flags & HY_PF_R) ? "R" : "",
             (s->flags & HY_PF_W) ? "W" : "", (s->flags & HY_PF_X) ? "X" : "",
             (s->flags & ~(uint32_t)(HY_PF_R | HY_PF_W | HY_PF_X)) ? "?" : "");
    return buf;
}

static void segment_group(const hy_elf *e, float *out)
{
    enum { B = HY_ELFVEC_SEGMENT_HBINS };
    double h[5][B];
    char tbuf[NAME_CAP], kbuf[KEY_CAP];
    if (!e)
        return;
    memset(h, 0, sizeof h);
    for (size_t i = 0; i < n_segs(e); i++) {
        const hy_elf_segment *s = &e->segments[i];
        const char *t = name_of(seg_types, NTAB(seg_types), s->type, "PT_", tbuf);
        const char *key = seg_key(s, kbuf);
        out[1] += s->type == HY_PT_LOAD;
        out[2] += (s->flags & HY_PF_X) != 0;
        out[3] += (s->flags & HY_PF_W) != 0;
        out[4] += (s->flags & HY_PF_W) && (s->flags & HY_PF_X);
        out[5] += s->filesz == 0;
        hash_str(h[0], B, t, 1.0);
        hash_str(h[1], B, key, 1.0);
        hash_str(h[2], B, t, (double)s->filesz);
        hash_str(h[3], B, t, (double)s->memsz);
        if (s->entropy >= 0)
            hash_str(h[4], B, key, s->entropy);
    }
    out[0] = (float)n_segs(e);
    for (size_t k = 0; k < 5; k++)
        put(out + 6 + B * k, h[k], B);
}

/* ---- imports, exports, anomalies ---------------------------------------- */

static void imports_group(const hy_elf *e, float *out)
{
    double libs[HY_ELFVEC_IMPORTS_LIBS] = {0}, syms[HY_ELFVEC_IMPORTS_SYMS] = {0};
    const hy_elf_dynamic *d = e ? &e->dyn : NULL;
    for (size_t i = 0; d && d->needed && i < d->n_needed; i++) {
        const char *lib = d->needed[i];
        bool seen = !lib; /* the set of library names, as EMBER's */
        for (size_t j = 0; j < i && !seen; j++)
            seen = d->needed[j] && strcmp(d->needed[j], lib) == 0;
        if (!seen)
            hash_str(libs, HY_ELFVEC_IMPORTS_LIBS, lib, 1.0);
    }
    for (size_t i = 0; e && e->dynsyms && i < e->n_dynsyms; i++)
        if (e->dynsyms[i].imported)
            hash_str(syms, HY_ELFVEC_IMPORTS_SYMS, e->dynsyms[i].name, 1.0);
    put(out, libs, HY_ELFVEC_IMPORTS_LIBS);
    put(out + HY_ELFVEC_IMPORTS_LIBS, syms, HY_ELFVEC_IMPORTS_SYMS);
}

static void exports_group(const hy_elf *e, float *out)
{
    double h[HY_ELFVEC_EXPORTS_DIM] = {0};
    for (size_t i = 0; e && e->dynsyms && i < e->n_dynsyms; i++)
        if (e->dynsyms[i].exported)
            hash_str(h, HY_ELFVEC_EXPORTS_DIM, e->dynsyms[i].name, 1.0);
    put(out, h, HY_ELFVEC_EXPORTS_DIM);
}

static void anomalies_group(const hy_elf *e, float *out)
{
    for (size_t k = 0; e && k < HY_ELF_AN__COUNT; k++)
        out[k] = (float)e->anomaly_count[k];
}

hy_err hy_elf_features(const uint8_t *p, size_t n, const hy_elf *elf, float out[HY_ELFVEC_DIM])
{
    hy_err rc = hy_ember_generic_groups(p, n, out);
    if (rc != HY_OK)
        return rc;
    memset(out + HY_ELFVEC_GENERIC_DIM, 0, sizeof(float) * (HY_ELFVEC_DIM - HY_ELFVEC_GENERIC_DIM));
    general_group(n, elf, out + HY_ELFVEC_GENERAL_OFF);
    header_group(elf, out + HY_ELFVEC_HEADER_OFF);
    section_group(elf, out + HY_ELFVEC_SECTION_OFF);
    segment_group(elf, out + HY_ELFVEC_SEGMENT_OFF);
    imports_group(elf, out + HY_ELFVEC_IMPORTS_OFF);
    exports_group(elf, out + HY_ELFVEC_EXPORTS_OFF);
    anomalies_group(elf, out + HY_ELFVEC_ANOMALIES_OFF);
    return HY_OK;
}
