/* ELF parser, part 1 (include/hayate/elf.h): identification, header,
 * program and section headers, the interpreter, layout checks and the
 * classification. Part 2 (elf_dyn.c) reads the dynamic section, symbols and
 * notes. Written from the System V gABI; every read goes through bytes.h. */
#include "file/elf_int.h"

#include <stdlib.h>
#include <string.h>

#include "hayate/file.h"
#include "hayate/limits.h"

_Static_assert(HY_ELF_AN__COUNT <= 64, "anomaly_mask has one bit per kind");

struct elf_arena_block {
    elf_arena_block *next;
    size_t used, cap;
    char data[];
};

/* ---- bounded readers ---------------------------------------------------- */

bool elf_in_file(const elf_ctx *c, uint64_t off, uint64_t len)
{
    return off <= c->n && len <= c->n - off;
}

bool elf_rd16(const elf_ctx *c, uint64_t off, uint16_t *v)
{
    if (off > c->n)
        return false;
    return c->e->big_endian ? hy_rd_u16be(c->p, c->n, (size_t)off, v)
                            : hy_rd_u16le(c->p, c->n, (size_t)off, v);
}

bool elf_rd32(const elf_ctx *c, uint64_t off, uint32_t *v)
{
    if (off > c->n)
        return false;
    return c->e->big_endian ? hy_rd_u32be(c->p, c->n, (size_t)off, v)
                            : hy_rd_u32le(c->p, c->n, (size_t)off, v);
}

bool elf_rd64(const elf_ctx *c, uint64_t off, uint64_t *v)
{
    if (off > c->n)
        return false;
    return c->e->big_endian ? hy_rd_u64be(c->p, c->n, (size_t)off, v)
                            : hy_rd_u64le(c->p, c->n, (size_t)off, v);
}

bool elf_rdw(const elf_ctx *c, uint64_t off, uint64_t *v)
{
    uint32_t w;
    if (c->e->is64)
        return elf_rd64(c, off, v);
    if (!elf_rd32(c, off, &w))
        return false;
    *v = w;
    return true;
}

/* ---- anomalies, strings, addresses, entropy ---------------------------- */

void elf_anomaly(elf_ctx *c, hy_elf_anomaly_kind kind, long index)
{
    hy_elf *e = c->e;
    if ((unsigned)kind >= HY_ELF_AN__COUNT)
        return;
    e->anomaly_mask |= 1ull << kind;
    if (e->anomaly_count[kind] < UINT32_MAX)
        e->anomaly_count[kind]++;
    if (e->anomaly_count[kind] > HY_ELF_ANOMALIES_PER_KIND ||
        e->n_anomalies >= HY_ELF_MAX_ANOMALIES)
        return;
    e->anomalies[e->n_anomalies].kind = kind;
    e->anomalies[e->n_anomalies].index = index < 0 || index > INT32_MAX ? -1 : (int32_t)index;
    e->n_anomalies++;
}

const char *elf_strdup(elf_ctx *c, const char *s, size_t len)
{
    elf_arena_block *b = c->arena;
    char *dst;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > 65536 ? len + 1 : 65536;
        b = malloc(sizeof *b + cap);
        if (!b) {
            c->nomem = true;
            return NULL;
        }
        b->next = c->arena;
        b->used = 0;
        b->cap = cap;
        c->arena = b;
    }
    dst = b->data + b->used;
    memcpy(dst, s, len);
    dst[len] = '\0';
    b->used += len + 1;
    return dst;
}

const char *elf_str(elf_ctx *c, uint64_t tab, uint64_t size, uint64_t idx, long who)
{
    uint64_t left, scan, used;
    const uint8_t *s, *nul;
    const char *r;
    if (idx >= size || !elf_in_file(c, tab, size)) {
        elf_anomaly(c, HY_ELF_AN_STR_OFFSET, who);
        return "";
    }
    left = size - idx;
    scan = left < HY_ELF_MAX_STR + 1u ? left : HY_ELF_MAX_STR + 1u;
    if (!hy_fits(c->n, (size_t)(tab + idx), (size_t)scan))
        return "";
    if (c->str_budget == 0) {
        elf_anomaly(c, HY_ELF_AN_STR_BUDGET, who);
        return "";
    }
    s = c->p + tab + idx;
    nul = memchr(s, 0, (size_t)scan);
    used = nul ? (uint64_t)(nul - s) + 1 : scan;
    c->str_budget -= used < c->str_budget ? used : c->str_budget;
    if (!nul) {
        /* either the table ends first, or the string is over the cap */
        elf_anomaly(c, scan == left ? HY_ELF_AN_STR_UNTERMINATED : HY_ELF_AN_STR_TOO_LONG, who);
        if (scan == left)
            return "";
        r = elf_strdup(c, (const char *)s, HY_ELF_MAX_STR);
        return r ? r : "";
    }
    r = elf_strdup(c, (const char *)s, (size_t)(nul - s));
    return r ? r : "";
}

bool elf_map_va(const elf_ctx *c, uint64_t va, uint64_t *off, uint64_t *avail)
{
    const hy_elf *e = c->e;
    for (size_t i = 0; i < e->n_segments; i++) {
        const hy_elf_segment *s = &e->segments[i];
        uint64_t d = va - s->vaddr;
        if (s->type != HY_PT_LOAD || va < s->vaddr || d >= s->filesz)
            continue;
        if (s->offset > c->n || d > c->n - s->offset)
            continue;
        *off = s->offset + d;
        *avail = s->filesz - d < c->n - *off ? s->filesz - d : c->n - *off;
        return true;
    }
    /* no program headers (objects, or stripped of them): allocated sections */
    for (size_t i = 0; i < e->n_sections; i++) {
        const hy_elf_section *s = &e->sections[i];
        uint64_t d = va - s->addr;
        if (!(s->flags & ELF_SHF_ALLOC) || s->type == HY_SHT_NOBITS || va < s->addr ||
            d >= s->size || s->offset > c->n || d > c->n - s->offset)
            continue;
        *off = s->offset + d;
        *avail = s->size - d < c->n - *off ? s->size - d : c->n - *off;
        return true;
    }
    return false;
}

double elf_entropy(elf_ctx *c, uint64_t off, uint64_t len)
{
    if (off >= c->n || len == 0)
        return -1;
    if (len > c->n - off)
        len = c->n - off;
    if (len > c->entropy_budget) {
        elf_anomaly(c, HY_ELF_AN_ENTROPY_BUDGET, -1);
        return -1;
    }
    if (!hy_fits(c->n, (size_t)off, (size_t)len))
        return -1;
    c->entropy_budget -= len;
    return hy_entropy(c->p + off, (size_t)len);
}

/* ---- header ------------------------------------------------------------- */

/* Offsets of e_entry, e_phoff, e_shoff, e_flags, e_ehsize per class. */
static const struct {
    uint8_t entry, phoff, shoff, flags, ehsize, size;
} hdr_at[2] = {{24, 28, 32, 36, 40, 52}, {24, 32, 40, 48, 52, 64}};

/* Reads e_ident and the header; false when nothing further can be read. */
static bool parse_header(elf_ctx *c)
{
    hy_elf *e = c->e;
    uint8_t id[16] = {0};
    size_t k = c->n < sizeof id ? c->n : sizeof id;
    hy_rd_bytes(c->p, c->n, 0, id, k);
    e->ei_class = id[4];
    e->ei_data = id[5];
    e->ei_version = id[6];
    e->osabi = id[7];
    e->abiversion = id[8];
    if (c->n < sizeof id) {
        elf_anomaly(c, HY_ELF_AN_HEADER_TRUNCATED, -1);
        return false;
    }
    if (e->ei_class != HY_ELF_CLASS32 && e->ei_class != HY_ELF_CLASS64) {
        elf_anomaly(c, HY_ELF_AN_BAD_CLASS, -1);
        return false;
    }
    if (e->ei_data != HY_ELF_DATA_LSB && e->ei_data != HY_ELF_DATA_MSB) {
        elf_anomaly(c, HY_ELF_AN_BAD_DATA, -1);
        return false;
    }
    e->is64 = e->ei_class == HY_ELF_CLASS64;
    e->big_endian = e->ei_data == HY_ELF_DATA_MSB;
    if (e->ei_version != 1)
        elf_anomaly(c, HY_ELF_AN_BAD_VERSION, -1);
    int w = e->is64;
    if (c->n < hdr_at[w].size) {
        elf_anomaly(c, HY_ELF_AN_HEADER_TRUNCATED, -1);
        return false;
    }
    uint8_t h = hdr_at[w].ehsize;
    bool ok = elf_rd16(c, 16, &e->type) && elf_rd16(c, 18, &e->machine) &&
              elf_rd32(c, 20, &e->version) && elf_rdw(c, hdr_at[w].entry, &e->entry) &&
              elf_rdw(c, hdr_at[w].phoff, &e->phoff) && elf_rdw(c, hdr_at[w].shoff, &e->shoff) &&
              elf_rd32(c, hdr_at[w].flags, &e->flags) && elf_rd16(c, h, &e->ehsize) &&
              elf_rd16(c, h + 2u, &e->phentsize) && elf_rd16(c, h + 4u, &e->phnum) &&
              elf_rd16(c, h + 6u, &e->shentsize) && elf_rd16(c, h + 8u, &e->shnum) &&
              elf_rd16(c, h + 10u, &e->shstrndx);
    if (!ok)
        return false; /* unreachable: the size was checked */
    if (e->version != 1)
        elf_anomaly(c, HY_ELF_AN_BAD_VERSION, -1);
    if (e->ehsize != hdr_at[w].size)
        elf_anomaly(c, HY_ELF_AN_BAD_EHSIZE, -1);
    return true;
}

/* Extended numbering: section 0 holds the real counts when the header's
 * fields overflow (e_shnum 0, e_phnum PN_XNUM, e_shstrndx SHN_XINDEX). */
static void real_counts(elf_ctx *c, uint64_t *phnum, uint64_t *shnum, uint64_t *shstrndx)
{
    hy_elf *e = c->e;
    uint64_t v;
    uint32_t u;
    *phnum = e->phnum;
    *shnum = e->shoff ? e->shnum : 0;
    *shstrndx = e->shstrndx;
    if (!e->shoff)
        return;
    if (e->shnum == 0)
        *shnum = elf_rdw(c, e->shoff + (e->is64 ? 32u : 20u), &v) ? v : 0;
    if (e->phnum == ELF_PN_XNUM && elf_rd32(c, e->shoff + (e->is64 ? 44u : 28u), &u))
        *phnum = u;
    if (e->shstrndx == ELF_SHN_XINDEX && elf_rd32(c, e->shoff + (e->is64 ? 40u : 24u), &u))
        *shstrndx = u;
}

/* How many entries of a table at off can be read: capped, then clamped to
 * the file. 0 when the entry size is below the class's. */
static size_t table_count(elf_ctx *c, uint64_t off, uint64_t count, uint64_t stride, uint64_t cap,
                          hy_elf_anomaly_kind capped, hy_elf_anomaly_kind past)
{
    uint64_t fit;
    if (count > cap) {
        elf_anomaly(c, capped, -1);
        count = cap;
    }
    fit = off <= c->n ? (c->n - off) / stride : 0;
    if (count > fit) {
        elf_anomaly(c, past, -1);
        count = fit;
    }
    return (size_t)count;
}

/* ---- program headers ---------------------------------------------------- */

static void read_phdr(elf_ctx *c, uint64_t at, hy_elf_segment *s)
{
    if (c->e->is64) {
        elf_rd32(c, at, &s->type);
        elf_rd32(c, at + 4, &s->flags);
        elf_rd64(c, at + 8, &s->offset);
        elf_rd64(c, at + 16, &s->vaddr);
        elf_rd64(c, at + 24, &s->paddr);
        elf_rd64(c, at + 32, &s->filesz);
        elf_rd64(c, at + 40, &s->memsz);
        elf_rd64(c, at + 48, &s->align);
        return;
    }
    uint32_t v[8] = {0};
    for (int i = 0; i < 8; i++)
        elf_rd32(c, at + 4u * (unsigned)i, &v[i]);
    s->type = v[0];
    s->offset = v[1];
    s->vaddr = v[2];
    s->paddr = v[3];
    s->filesz = v[4];
    s->memsz = v[5];
    s->flags = v[6];
    s->align = v[7];
}

static void check_segment(elf_ctx *c, hy_elf_segment *s, size_t i)
{
    s->entropy = -1;
    if (s->offset + s->filesz < s->offset || s->vaddr + s->memsz < s->vaddr)
        elf_anomaly(c, HY_ELF_AN_SEGMENT_WRAPS, (long)i);
    else if (s->filesz && !elf_in_file(c, s->offset, s->filesz))
        elf_anomaly(c, HY_ELF_AN_SEGMENT_PAST_END, (long)i);
    if (s->type != HY_PT_LOAD)
        return;
    if (s->filesz > s->memsz)
        elf_anomaly(c, HY_ELF_AN_SEGMENT_FILESZ, (long)i);
    if ((s->flags & (HY_PF_W | HY_PF_X)) == (HY_PF_W | HY_PF_X))
        elf_anomaly(c, HY_ELF_AN_SEGMENT_WX, (long)i);
    s->entropy = elf_entropy(c, s->offset, s->filesz);
}

static bool parse_phdrs(elf_ctx *c, uint64_t phnum)
{
    hy_elf *e = c->e;
    uint64_t want = e->is64 ? 56 : 32;
    if (!phnum || !e->phoff)
        return true;
    if (e->phentsize != want) {
        elf_anomaly(c, HY_ELF_AN_BAD_PHENTSIZE, -1);
        if (e->phentsize < want)
            return true;
    }
    size_t n = table_count(c, e->phoff, phnum, e->phentsize, HY_ELF_MAX_PHDRS,
                           HY_ELF_AN_PHDRS_CAPPED, HY_ELF_AN_PHDRS_PAST_END);
    if (!n)
        return true;
    e->segments = calloc(n, sizeof *e->segments);
    if (!e->segments)
        return false;
    e->n_segments = n;
    for (size_t i = 0; i < n; i++) {
        hy_elf_segment *s = &e->segments[i];
        read_phdr(c, e->phoff + (uint64_t)i * e->phentsize, s);
        check_segment(c, s, i);
        if (s->type == HY_PT_DYNAMIC) {
            if (c->seg_dynamic >= 0)
                elf_anomaly(c, HY_ELF_AN_MULTIPLE_DYNAMIC, (long)i);
            else
                c->seg_dynamic = (long)i;
        }
    }
    return true;
}

/* ---- section headers ---------------------------------------------------- */

static void read_shdr(elf_ctx *c, uint64_t at, hy_elf_section *s)
{
    elf_rd32(c, at, &s->name_off);
    elf_rd32(c, at + 4, &s->type);
    if (c->e->is64) {
        elf_rd64(c, at + 8, &s->flags);
        elf_rd64(c, at + 16, &s->addr);
        elf_rd64(c, at + 24, &s->offset);
        elf_rd64(c, at + 32, &s->size);
        elf_rd32(c, at + 40, &s->link);
        elf_rd32(c, at + 44, &s->info);
        elf_rd64(c, at + 48, &s->addralign);
        elf_rd64(c, at + 56, &s->entsize);
        return;
    }
    uint32_t v[8] = {0};
    for (int i = 0; i < 8; i++)
        elf_rd32(c, at + 8u + 4u * (unsigned)i, &v[i]);
    s->flags = v[0];
    s->addr = v[1];
    s->offset = v[2];
    s->size = v[3];
    s->link = v[4];
    s->info = v[5];
    s->addralign = v[6];
    s->entsize = v[7];
}

static void note_first(elf_ctx *c, long *slot, size_t i, bool dup_is_anomaly)
{
    if (*slot < 0)
        *slot = (long)i;
    else if (dup_is_anomaly)
        elf_anomaly(c, HY_ELF_AN_MULTIPLE_DYNAMIC, (long)i);
}

static void check_section(elf_ctx *c, hy_elf_section *s, size_t i)
{
    s->name = "";
    s->entropy = -1;
    if (s->type == 0 || s->type == HY_SHT_NOBITS)
        return;
    if (s->size && !elf_in_file(c, s->offset, s->size))
        elf_anomaly(c, HY_ELF_AN_SECTION_PAST_END, (long)i);
    s->entropy = elf_entropy(c, s->offset, s->size);
    if (s->type == HY_SHT_DYNAMIC)
        note_first(c, &c->sec_dynamic, i, true);
    else if (s->type == HY_SHT_DYNSYM)
        note_first(c, &c->sec_dynsym, i, false);
    else if (s->type == HY_SHT_SYMTAB)
        note_first(c, &c->sec_symtab, i, false);
}

static void name_sections(elf_ctx *c, uint64_t shstrndx)
{
    hy_elf *e = c->e;
    if (shstrndx == ELF_SHN_UNDEF)
        return;
    if (shstrndx >= e->n_sections) {
        elf_anomaly(c, HY_ELF_AN_SHSTRNDX_RANGE, -1);
        return;
    }
    const hy_elf_section *t = &e->sections[shstrndx];
    if (t->type != HY_SHT_STRTAB)
        elf_anomaly(c, HY_ELF_AN_SHSTRTAB_TYPE, (long)shstrndx);
    uint64_t off = t->offset, size = t->size;
    if (off > c->n)
        size = 0;
    else if (size > c->n - off)
        size = c->n - off;
    for (size_t i = 1; i < e->n_sections && !c->nomem; i++)
        e->sections[i].name = elf_str(c, off, size, e->sections[i].name_off, (long)i);
}

static bool parse_shdrs(elf_ctx *c, uint64_t shnum, uint64_t shstrndx)
{
    hy_elf *e = c->e;
    uint64_t want = e->is64 ? 64 : 40;
    if (!shnum) {
        if (e->type == HY_ET_EXEC || e->type == HY_ET_DYN)
            elf_anomaly(c, HY_ELF_AN_NO_SECTIONS, -1);
        return true;
    }
    if (e->shentsize != want) {
        elf_anomaly(c, HY_ELF_AN_BAD_SHENTSIZE, -1);
        if (e->shentsize < want)
            return true;
    }
    size_t n = table_count(c, e->shoff, shnum, e->shentsize, HY_ELF_MAX_SECTIONS,
                           HY_ELF_AN_SHDRS_CAPPED, HY_ELF_AN_SHDRS_PAST_END);
    if (!n)
        return true;
    e->sections = calloc(n, sizeof *e->sections);
    if (!e->sections)
        return false;
    e->n_sections = n;
    for (size_t i = 0; i < n; i++) {
        read_shdr(c, e->shoff + (uint64_t)i * e->shentsize, &e->sections[i]);
        check_section(c, &e->sections[i], i);
    }
    name_sections(c, shstrndx);
    return !c->nomem;
}

/* ---- interpreter, layout checks, classification -------------------------- */

static void parse_interp(elf_ctx *c)
{
    hy_elf *e = c->e;
    bool seen = false;
    for (size_t i = 0; i < e->n_segments; i++) {
        const hy_elf_segment *s = &e->segments[i];
        if (s->type != HY_PT_INTERP)
            continue;
        if (seen) {
            elf_anomaly(c, HY_ELF_AN_MULTIPLE_INTERP, (long)i);
            continue;
        }
        seen = true;
        uint64_t len = s->filesz < HY_ELF_MAX_STR ? s->filesz : HY_ELF_MAX_STR;
        const uint8_t *nul = NULL;
        if (len && elf_in_file(c, s->offset, len) && hy_fits(c->n, (size_t)s->offset, (size_t)len))
            nul = memchr(c->p + s->offset, 0, (size_t)len);
        if (!nul) {
            elf_anomaly(c, HY_ELF_AN_INTERP_BAD, (long)i);
            continue;
        }
        e->interp =
            elf_strdup(c, (const char *)c->p + s->offset, (size_t)(nul - (c->p + s->offset)));
    }
}

typedef struct load_range {
    uint64_t lo, hi;
    size_t idx;
} load_range;

static int cmp_range(const void *a, const void *b)
{
    const load_range *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* PT_LOAD order and overlap in memory (sorted sweep: n log n). */
static bool check_loads(elf_ctx *c)
{
    hy_elf *e = c->e;
    load_range *r = calloc(e->n_segments ? e->n_segments : 1, sizeof *r);
    size_t k = 0;
    bool unsorted = false;
    if (!r)
        return false;
    for (size_t i = 0; i < e->n_segments; i++) {
        const hy_elf_segment *s = &e->segments[i];
        if (s->type != HY_PT_LOAD)
            continue;
        if (k && s->vaddr < r[k - 1].lo && !unsorted) {
            elf_anomaly(c, HY_ELF_AN_SEGMENTS_UNSORTED, (long)i);
            unsorted = true;
        }
        if (!s->memsz || s->vaddr + s->memsz < s->vaddr)
            continue;
        r[k++] = (load_range){s->vaddr, s->vaddr + s->memsz, i};
    }
    qsort(r, k, sizeof *r, cmp_range);
    uint64_t hi = 0;
    for (size_t i = 0; i < k; i++) {
        if (i && r[i].lo < hi)
            elf_anomaly(c, HY_ELF_AN_SEGMENTS_OVERLAP, (long)r[i].idx);
        if (r[i].hi > hi)
            hi = r[i].hi;
    }
    free(r);
    return true;
}

static void check_entry(elf_ctx *c)
{
    hy_elf *e = c->e;
    const hy_elf_segment *hit = NULL;
    bool any = false;
    e->entry_section = -1;
    if (e->type != HY_ET_EXEC && e->type != HY_ET_DYN)
        return;
    for (size_t i = 0; i < e->n_sections; i++) {
        const hy_elf_section *s = &e->sections[i];
        if (s->type && (s->flags & ELF_SHF_ALLOC) && e->entry >= s->addr &&
            e->entry - s->addr < s->size) {
            e->entry_section = (long)i;
            break;
        }
    }
    for (size_t i = 0; i < e->n_segments; i++) {
        const hy_elf_segment *s = &e->segments[i];
        if (s->type != HY_PT_LOAD)
            continue;
        any = true;
        if (!hit && e->entry >= s->vaddr && e->entry - s->vaddr < s->memsz)
            hit = s;
    }
    if (!any)
        elf_anomaly(c, HY_ELF_AN_NO_LOAD, -1);
    else if (e->type == HY_ET_DYN && e->entry == 0)
        return; /* a library without an entry point */
    else if (!hit)
        elf_anomaly(c, HY_ELF_AN_ENTRY_OUTSIDE, -1);
    else if (!(hit->flags & HY_PF_X))
        elf_anomaly(c, HY_ELF_AN_ENTRY_NOT_EXEC, (long)(hit - e->segments));
}

static void classify(hy_elf *e)
{
    bool runnable = e->type == HY_ET_EXEC || e->type == HY_ET_DYN;
    bool pie_flag = (e->dyn.flags_1 & ELF_DF_1_PIE) != 0;
    e->has_sections = e->n_sections > 0;
    e->stripped = !e->symtab.present;
    e->is_pie = e->type == HY_ET_DYN && (pie_flag || (e->interp && !e->dyn.soname));
    e->is_static =
        runnable && !e->interp && e->dyn.n_needed == 0 && (e->type == HY_ET_EXEC || pie_flag);
}

/* ---- public ------------------------------------------------------------- */

static hy_err parse_all(elf_ctx *c)
{
    uint64_t phnum, shnum, shstrndx;
    if (!parse_header(c))
        return HY_OK;
    real_counts(c, &phnum, &shnum, &shstrndx);
    if (!parse_phdrs(c, phnum) || !parse_shdrs(c, shnum, shstrndx))
        return hy_err_set(HY_ERR_NOMEM, "elf: out of memory");
    parse_interp(c);
    if (!check_loads(c))
        return hy_err_set(HY_ERR_NOMEM, "elf: out of memory");
    check_entry(c);
    elf_parse_dynamic(c);
    elf_parse_dynsyms(c);
    elf_parse_symtab(c);
    elf_parse_notes(c);
    if (c->nomem)
        return hy_err_set(HY_ERR_NOMEM, "elf: out of memory");
    classify(c->e);
    return HY_OK;
}

hy_err hy_elf_parse(const uint8_t *p, size_t n, hy_elf **out)
{
    elf_ctx c = {
        .p = p, .n = n, .sec_dynamic = -1, .sec_dynsym = -1, .sec_symtab = -1, .seg_dynamic = -1};
    hy_err rc;
    if (!out || (!p && n))
        return hy_err_set(HY_ERR_ARG, "elf: NULL %s", out ? "bytes" : "result");
    *out = NULL;
    if (n < 4 || memcmp(p, "\177ELF", 4) != 0)
        return hy_err_set(HY_ERR_FORMAT, "elf: not an ELF file (%s)",
                          n < 4 ? "shorter than the 4-byte magic" : "no \\177ELF magic");
    c.e = calloc(1, sizeof *c.e);
    if (c.e)
        c.e->anomalies = calloc(HY_ELF_MAX_ANOMALIES, sizeof *c.e->anomalies);
    if (!c.e || !c.e->anomalies) {
        free(c.e);
        return hy_err_set(HY_ERR_NOMEM, "elf: out of memory");
    }
    c.e->file_size = n;
    c.e->entry_section = -1;
    c.entropy_budget = (uint64_t)HY_ELF_ENTROPY_FACTOR * n + 4096u;
    /* forged tables can point many names at one long string: bound the copies */
    c.str_budget = (uint64_t)HY_ELF_STR_FACTOR * n + (1u << 20);
    rc = parse_all(&c);
    c.e->priv = c.arena;
    if (rc != HY_OK) {
        hy_elf_free(c.e);
        return rc;
    }
    *out = c.e;
    return HY_OK;
}

void hy_elf_free(hy_elf *e)
{
    if (!e)
        return;
    for (elf_arena_block *b = e->priv, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(e->segments);
    free(e->sections);
    free(e->dyn.needed);
    free(e->dynsyms);
    free(e->notes);
    free(e->anomalies);
    free(e);
}

bool hy_elf_has_anomaly(const hy_elf *e, hy_elf_anomaly_kind kind)
{
    return e && (unsigned)kind < HY_ELF_AN__COUNT && (e->anomaly_mask >> kind & 1u);
}

const hy_elf_symbol *hy_elf_find_dynsym(const hy_elf *e, const char *name)
{
    if (!e || !name)
        return NULL;
    for (size_t i = 0; i < e->n_dynsyms; i++)
        if (strcmp(e->dynsyms[i].name, name) == 0)
            return &e->dynsyms[i];
    return NULL;
}
