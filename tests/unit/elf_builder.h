/* Test helper: builds small ELF images (ELF32/ELF64, LSB/MSB) written from
 * the gABI layouts, independent of the parser. The image records what it
 * wrote (segments, sections, symbols) so tests can check the parser against
 * it and corrupt named fields. Header-only: all functions static inline. */
#ifndef HY_TEST_ELF_BUILDER_H
#define HY_TEST_ELF_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct eb_opts {
    bool is64, be;
    uint16_t type; /* 2 EXEC or 3 DYN */
    uint16_t machine;
    bool sections; /* emit section headers (false: stripped of them) */
    bool symtab;   /* emit .symtab/.strtab */
    bool dynamic;  /* emit interp, .dynamic, .dynsym, .dynstr, hash */
    bool gnu_hash; /* DT_GNU_HASH instead of DT_HASH */
} eb_opts;

typedef struct eb_seg {
    uint32_t type, flags;
    uint64_t off, vaddr, filesz, memsz, align;
} eb_seg;

typedef struct eb_sec {
    const char *name;
    uint32_t type, link, info, name_off;
    uint64_t flags, addr, off, size, align, entsize;
} eb_sec;

typedef struct eb_sym {
    const char *name;
    uint64_t value, size;
    uint8_t type, bind, vis;
    uint16_t shndx;
} eb_sym;

enum { EB_MAX = 16, EB_NSYM = 7 };

typedef struct eb_image {
    uint8_t *p;
    size_t n, cap;
    bool is64, be;
    eb_opts o;
    uint64_t base, entry, phoff, shoff;
    eb_seg seg[EB_MAX];
    size_t nseg;
    eb_sec sec[EB_MAX];
    size_t nsec;
    eb_sym sym[EB_NSYM]; /* the .dynsym entries, index 0 the null symbol */
    int s_interp, s_dynsym, s_dynstr, s_hash, s_text, s_dynamic, s_bss, s_symtab, s_shstrtab;
    int p_interp, p_rx, p_rw, p_dynamic, p_note;
    uint64_t off_dynamic, n_dynamic, off_text, text_size, off_dynstr, dynstr_size;
    uint64_t off_dynsym, off_hash, rw_delta; /* vaddr - offset in the RW segment */
    uint8_t build_id[20];
} eb_image;

/* ---- raw writing -------------------------------------------------------- */

static inline void eb_room(eb_image *b, size_t need)
{
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p)
        abort();
    memset(b->p + b->cap, 0, cap - b->cap);
    b->cap = cap;
}

/* Writes a w-byte integer at off in the image's byte order. */
static inline void eb_wr(eb_image *b, uint64_t off, uint64_t v, int w)
{
    eb_room(b, (size_t)off + (size_t)w);
    for (int i = 0; i < w; i++) {
        int shift = b->be ? 8 * (w - 1 - i) : 8 * i;
        b->p[off + (size_t)i] = (uint8_t)(v >> shift);
    }
    if (off + (uint64_t)w > b->n)
        b->n = (size_t)off + (size_t)w;
}

static inline void eb_add(eb_image *b, uint64_t v, int w)
{
    eb_wr(b, b->n, v, w);
}

static inline void eb_addw(eb_image *b, uint64_t v) /* an Elf_Addr/Off/Xword */
{
    eb_add(b, v, b->is64 ? 8 : 4);
}

static inline void eb_bytes(eb_image *b, const void *d, size_t k)
{
    eb_room(b, b->n + k);
    memcpy(b->p + b->n, d, k);
    b->n += k;
}

static inline void eb_pad(eb_image *b, size_t a)
{
    while (b->n % a)
        eb_add(b, 0, 1);
}

/* A string table being filled: returns each string's offset. */
typedef struct eb_strtab {
    char s[1024];
    size_t n;
} eb_strtab;

static inline uint32_t eb_str(eb_strtab *t, const char *s)
{
    size_t k = strlen(s) + 1;
    uint32_t at;
    if (t->n == 0)
        t->s[t->n++] = '\0';
    at = (uint32_t)t->n;
    memcpy(t->s + t->n, s, k);
    t->n += k;
    return at;
}

/* ---- header field offsets (gABI), for tests that corrupt fields -------- */

enum {
    EB_EH_ENTRY,
    EB_EH_PHOFF,
    EB_EH_SHOFF,
    EB_EH_PHENTSIZE,
    EB_EH_PHNUM,
    EB_EH_SHENTSIZE,
    EB_EH_SHNUM,
    EB_EH_SHSTRNDX
};
enum { EB_PH_TYPE, EB_PH_FLAGS, EB_PH_OFFSET, EB_PH_VADDR, EB_PH_FILESZ, EB_PH_MEMSZ };
enum { EB_SH_NAME, EB_SH_TYPE, EB_SH_OFFSET, EB_SH_SIZE, EB_SH_LINK, EB_SH_ENTSIZE };

static inline void eb_set_eh(eb_image *b, int f, uint64_t v)
{
    static const uint8_t at32[] = {24, 28, 32, 42, 44, 46, 48, 50};
    static const uint8_t at64[] = {24, 32, 40, 54, 56, 58, 60, 62};
    int w = f <= EB_EH_SHOFF ? (b->is64 ? 8 : 4) : 2;
    eb_wr(b, b->is64 ? at64[f] : at32[f], v, w);
}

static inline void eb_set_ph(eb_image *b, size_t i, int f, uint64_t v)
{
    static const uint8_t at32[] = {0, 24, 4, 8, 16, 20}, at64[] = {0, 4, 8, 16, 32, 40};
    int w = f <= EB_PH_FLAGS ? 4 : (b->is64 ? 8 : 4);
    uint64_t base = b->phoff + i * (b->is64 ? 56u : 32u);
    eb_wr(b, base + (b->is64 ? at64[f] : at32[f]), v, w);
}

static inline void eb_set_sh(eb_image *b, size_t i, int f, uint64_t v)
{
    static const uint8_t at32[] = {0, 4, 16, 20, 24, 36}, at64[] = {0, 4, 24, 32, 40, 56};
    int w = (f == EB_SH_NAME || f == EB_SH_TYPE || f == EB_SH_LINK || !b->is64) ? 4 : 8;
    uint64_t base = b->shoff + i * (b->is64 ? 64u : 40u);
    eb_wr(b, base + (b->is64 ? at64[f] : at32[f]), v, w);
}

/* File offset of the first dynamic entry with this tag, or 0. */
static inline uint64_t eb_dyn_find(const eb_image *b, uint64_t tag)
{
    uint64_t ent = b->is64 ? 16 : 8;
    for (uint64_t i = 0; i < b->n_dynamic; i++) {
        uint64_t at = b->off_dynamic + i * ent, t = 0;
        for (uint64_t k = 0; k < ent / 2; k++) {
            unsigned shift = b->be ? (unsigned)(8 * (ent / 2 - 1 - k)) : (unsigned)(8 * k);
            t |= (uint64_t)b->p[at + k] << shift;
        }
        if (t == tag)
            return at;
    }
    return 0;
}

/* ---- pieces ------------------------------------------------------------- */

static inline int eb_section(eb_image *b, const char *name, uint32_t type, uint64_t flags,
                             uint64_t off, uint64_t size, uint64_t align, uint64_t entsize)
{
    eb_sec *s = &b->sec[b->nsec];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->type = type;
    s->flags = flags;
    s->off = off;
    s->size = size;
    s->align = align;
    s->entsize = entsize;
    s->addr = (flags & 2) ? b->base + off : 0;
    return (int)b->nsec++;
}

static inline int eb_segment(eb_image *b, uint32_t type, uint32_t flags, uint64_t off,
                             uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
    b->seg[b->nseg] = (eb_seg){type, flags, off, vaddr, filesz, memsz, align};
    return (int)b->nseg++;
}

static inline void eb_note(eb_image *b, const char *owner, uint32_t type, const void *desc,
                           uint32_t descsz)
{
    uint32_t namesz = (uint32_t)strlen(owner) + 1;
    eb_add(b, namesz, 4);
    eb_add(b, descsz, 4);
    eb_add(b, type, 4);
    eb_bytes(b, owner, namesz);
    eb_pad(b, 4);
    eb_bytes(b, desc, descsz);
    eb_pad(b, 4);
}

static inline void eb_write_sym(eb_image *b, uint32_t name, const eb_sym *s)
{
    uint8_t info = (uint8_t)(s->bind << 4 | s->type);
    if (b->is64) {
        eb_add(b, name, 4);
        eb_add(b, info, 1);
        eb_add(b, s->vis, 1);
        eb_add(b, s->shndx, 2);
        eb_add(b, s->value, 8);
        eb_add(b, s->size, 8);
    } else {
        eb_add(b, name, 4);
        eb_add(b, s->value, 4);
        eb_add(b, s->size, 4);
        eb_add(b, info, 1);
        eb_add(b, s->vis, 1);
        eb_add(b, s->shndx, 2);
    }
}

static inline void eb_dyn(eb_image *b, uint64_t tag, uint64_t val)
{
    eb_addw(b, tag);
    eb_addw(b, val);
    b->n_dynamic++;
}

static inline void eb_write_headers(eb_image *b)
{
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    int w = b->is64 ? 8 : 4;
    memcpy(b->p, magic, 4);
    b->p[4] = b->is64 ? 2 : 1;
    b->p[5] = b->be ? 2 : 1;
    b->p[6] = 1;
    b->p[7] = 3; /* ELFOSABI_LINUX */
    b->p[8] = 0;
    eb_wr(b, 16, b->o.type, 2);
    eb_wr(b, 18, b->o.machine, 2);
    eb_wr(b, 20, 1, 4);
    eb_set_eh(b, EB_EH_ENTRY, b->entry);
    eb_set_eh(b, EB_EH_PHOFF, b->phoff);
    eb_set_eh(b, EB_EH_SHOFF, b->shoff);
    eb_wr(b, 24u + 3u * (unsigned)w, 0x5, 4); /* e_flags */
    eb_wr(b, 28u + 3u * (unsigned)w, b->is64 ? 64 : 52, 2);
    eb_set_eh(b, EB_EH_PHENTSIZE, b->is64 ? 56 : 32);
    eb_set_eh(b, EB_EH_PHNUM, b->nseg);
    eb_set_eh(b, EB_EH_SHENTSIZE, b->nsec ? (b->is64 ? 64 : 40) : 0);
    eb_set_eh(b, EB_EH_SHNUM, b->nsec);
    eb_set_eh(b, EB_EH_SHSTRNDX, b->nsec ? (uint64_t)b->s_shstrtab : 0);
    for (size_t i = 0; i < b->nseg; i++) {
        const eb_seg *s = &b->seg[i];
        uint64_t at = b->phoff + i * (b->is64 ? 56u : 32u);
        eb_set_ph(b, i, EB_PH_TYPE, s->type);
        eb_set_ph(b, i, EB_PH_FLAGS, s->flags);
        eb_set_ph(b, i, EB_PH_OFFSET, s->off);
        eb_set_ph(b, i, EB_PH_VADDR, s->vaddr);
        eb_wr(b, at + (b->is64 ? 24u : 12u), s->vaddr + 0x200, w); /* p_paddr */
        eb_set_ph(b, i, EB_PH_FILESZ, s->filesz);
        eb_set_ph(b, i, EB_PH_MEMSZ, s->memsz);
        eb_wr(b, at + (b->is64 ? 48u : 28u), s->align, w);
    }
}

static inline void eb_write_shdrs(eb_image *b)
{
    int w = b->is64 ? 8 : 4;
    b->shoff = b->n;
    for (size_t i = 0; i < b->nsec; i++) {
        const eb_sec *s = &b->sec[i];
        eb_add(b, s->name_off, 4);
        eb_add(b, s->type, 4);
        eb_add(b, s->flags, w);
        eb_add(b, s->addr, w);
        eb_add(b, s->off, w);
        eb_add(b, s->size, w);
        eb_add(b, s->link, 4);
        eb_add(b, s->info, 4);
        eb_add(b, s->align, w);
        eb_add(b, s->entsize, w);
    }
}

/* ---- the image ---------------------------------------------------------- */

/* .dynsym content: imports, a local, exports, a hidden one. */
static inline void eb_fill_syms(eb_image *b, uint16_t text_idx)
{
    uint64_t t = b->base + b->off_text;
    eb_sym s[EB_NSYM] = {
        {"", 0, 0, 0, 0, 0, 0},
        {"puts", 0, 0, 2, 1, 0, 0},
        {"malloc", 0, 0, 2, 1, 0, 0},
        {"local_helper", t + 16, 8, 2, 0, 0, text_idx},
        {"my_export", t, 16, 2, 1, 0, text_idx},
        {"my_data", t + 32, 4, 1, 2, 3, text_idx},
        {"hidden_fn", t + 40, 4, 2, 1, 2, text_idx},
    };
    memcpy(b->sym, s, sizeof s);
}

static inline void eb_hash(eb_image *b)
{
    if (!b->o.gnu_hash) { /* DT_HASH: nbucket 1, nchain = symbols */
        eb_add(b, 1, 4);
        eb_add(b, EB_NSYM, 4);
        eb_add(b, 1, 4);
        for (int i = 0; i < EB_NSYM; i++)
            eb_add(b, i + 1 < EB_NSYM ? (uint64_t)i + 1 : 0, 4);
        return;
    }
    /* DT_GNU_HASH: symbols 3.. hashed in one bucket; chain ends with bit 0 */
    eb_add(b, 1, 4);
    eb_add(b, 3, 4);
    eb_add(b, 1, 4);
    eb_add(b, 6, 4);
    eb_addw(b, ~0ull);
    eb_add(b, 3, 4);
    for (int i = 3; i < EB_NSYM; i++)
        eb_add(b, 0x1000u * (uint32_t)i | (i == EB_NSYM - 1), 4);
}

static inline void eb_build(eb_image *b, eb_opts o)
{
    eb_strtab dynstr = {{0}, 0}, shstr = {{0}, 0}, strtab = {{0}, 0};
    uint32_t symname[EB_NSYM] = {0};
    bool dyn = o.dynamic;
    memset(b, 0, sizeof *b);
    b->o = o;
    b->is64 = o.is64;
    b->be = o.be;
    b->base = o.type == 2 ? (o.is64 ? 0x400000u : 0x8048000u) : 0;
    b->s_interp = b->s_dynsym = b->s_dynstr = b->s_hash = b->s_dynamic = b->s_symtab = -1;
    b->p_interp = b->p_dynamic = -1;
    for (int i = 0; i < 20; i++)
        b->build_id[i] = (uint8_t)(0xa0 + i);
    /* header and program header table, filled in last */
    eb_room(b, 64);
    b->n = b->is64 ? 64 : 52;
    b->phoff = b->n;
    size_t nph = dyn ? 7 : 4, phsz = b->is64 ? 56 : 32;
    for (size_t i = 0; i < nph * phsz; i++)
        eb_add(b, 0, 1);
    eb_section(b, "", 0, 0, 0, 0, 0, 0);
    uint64_t interp_off = b->n;
    static const char interp[] = "/lib/ld-hayate.so.1";
    if (dyn) {
        eb_bytes(b, interp, sizeof interp);
        b->s_interp = eb_section(b, ".interp", 1, 2, interp_off, sizeof interp, 1, 0);
    }
    eb_pad(b, 4);
    uint64_t note_off = b->n;
    static const uint32_t abi[4] = {0, 3, 2, 0};
    uint8_t abi_be[16];
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++)
            abi_be[4 * i + k] = (uint8_t)(b->be ? abi[i] >> (24 - 8 * k) : abi[i] >> (8 * k));
    eb_note(b, "GNU", 3, b->build_id, 20);
    eb_section(b, ".note.gnu.build-id", 7, 2, note_off, b->n - note_off, 4, 0);
    uint64_t abi_off = b->n;
    eb_note(b, "GNU", 1, abi_be, 16);
    eb_section(b, ".note.ABI-tag", 7, 2, abi_off, b->n - abi_off, 4, 0);
    uint64_t note_end = b->n;
    /* .text is placed later; symbols need its address: reserve layout */
    if (dyn) {
        eb_pad(b, 8);
        b->off_dynsym = b->n;
        uint64_t symsz = b->is64 ? 24 : 16;
        b->off_dynstr = b->off_dynsym + EB_NSYM * symsz; /* .dynstr right after */
    }
    /* compute .text's offset ahead: after dynsym, dynstr, hash */
    uint32_t needed1 = eb_str(&dynstr, "libc.so.6"), needed2 = eb_str(&dynstr, "libm.so.6");
    uint32_t soname = eb_str(&dynstr, "libtest.so.1"), runpath = eb_str(&dynstr, "$ORIGIN/lib");
    uint32_t rpath = eb_str(&dynstr, "/opt/old");
    eb_fill_syms(b, 0);
    for (int i = 1; i < EB_NSYM; i++)
        symname[i] = eb_str(&dynstr, b->sym[i].name);
    uint64_t text_off;
    {
        uint64_t at = dyn ? b->off_dynstr + dynstr.n : note_end;
        if (dyn) {
            at = (at + 7) & ~7ull;
            at +=
                o.gnu_hash ? 16 + (b->is64 ? 8 : 4) + 4 + 4 * (EB_NSYM - 3) : 4 * (2 + 1 + EB_NSYM);
        }
        text_off = (at + 15) & ~15ull;
    }
    b->off_text = text_off;
    b->text_size = 64;
    int text_idx_guess = dyn ? 7 : 3;
    eb_fill_syms(b, (uint16_t)text_idx_guess);
    if (dyn) {
        for (int i = 0; i < EB_NSYM; i++)
            eb_write_sym(b, symname[i], &b->sym[i]);
        b->s_dynsym = eb_section(b, ".dynsym", 11, 2, b->off_dynsym, b->n - b->off_dynsym, 8,
                                 b->is64 ? 24 : 16);
        b->sec[b->s_dynsym].info = 3;
        eb_bytes(b, dynstr.s, dynstr.n);
        b->dynstr_size = dynstr.n;
        b->s_dynstr = eb_section(b, ".dynstr", 3, 2, b->off_dynstr, dynstr.n, 1, 0);
        b->sec[b->s_dynsym].link = (uint32_t)b->s_dynstr;
        eb_pad(b, 8);
        b->off_hash = b->n;
        eb_hash(b);
        b->s_hash = eb_section(b, o.gnu_hash ? ".gnu.hash" : ".hash", o.gnu_hash ? 0x6ffffff6u : 5u,
                               2, b->off_hash, b->n - b->off_hash, 8, o.gnu_hash ? 0 : 4);
        b->sec[b->s_hash].link = (uint32_t)b->s_dynsym;
    }
    eb_pad(b, 16);
    if (b->n != text_off)
        abort(); /* the layout guess above is wrong: a builder bug */
    for (uint64_t i = 0; i < b->text_size; i++)
        eb_add(b, (i * 37 + 11) & 0xff, 1);
    b->s_text = eb_section(b, ".text", 1, 6, text_off, b->text_size, 16, 0);
    if (b->s_text != text_idx_guess)
        abort();
    b->entry = b->base + text_off;
    uint64_t rx_end = b->n;
    /* RW segment: .dynamic then .bss, one page above in memory */
    eb_pad(b, 8);
    uint64_t rw_off = b->n;
    b->rw_delta = b->base + 0x1000;
    if (dyn) {
        b->off_dynamic = b->n;
        eb_dyn(b, 1, needed1);
        eb_dyn(b, 1, needed2);
        eb_dyn(b, 14, soname);
        eb_dyn(b, 29, runpath);
        eb_dyn(b, 15, rpath);
        eb_dyn(b, o.gnu_hash ? 0x6ffffef5u : 4u, b->base + b->off_hash);
        eb_dyn(b, 5, b->base + b->off_dynstr);
        eb_dyn(b, 10, dynstr.n);
        eb_dyn(b, 6, b->base + b->off_dynsym);
        eb_dyn(b, 11, b->is64 ? 24 : 16);
        eb_dyn(b, 12, b->base + text_off);
        eb_dyn(b, 30, 0x8);                                      /* DF_BIND_NOW */
        eb_dyn(b, 0x6ffffffb, o.type == 3 ? 0x08000001u : 0x1u); /* NOW (+PIE) */
        eb_dyn(b, 0, 0);
        b->s_dynamic = eb_section(b, ".dynamic", 6, 3, b->off_dynamic, b->n - b->off_dynamic, 8,
                                  b->is64 ? 16 : 8);
        b->sec[b->s_dynamic].link = (uint32_t)b->s_dynstr;
        b->sec[b->s_dynamic].addr = b->rw_delta + b->off_dynamic;
    }
    uint64_t rw_end = b->n;
    b->s_bss = eb_section(b, ".bss", 8, 3, rw_end, 0x40, 8, 0);
    b->sec[b->s_bss].addr = b->rw_delta + rw_end;
    /* link-time symbols and section names */
    if (o.sections && o.symtab) {
        static const char *const names[] = {"",          "x.c",     "local_helper",
                                            "my_export", "my_data", "puts"};
        eb_sym st[6] = {
            {"", 0, 0, 0, 0, 0, 0},
            {"x.c", 0, 0, 4, 0, 0, 0xfff1},
            {"local_helper", b->entry + 16, 8, 2, 0, 0, (uint16_t)b->s_text},
            {"my_export", b->entry, 16, 2, 1, 0, (uint16_t)b->s_text},
            {"my_data", b->entry + 32, 4, 1, 2, 0, (uint16_t)b->s_text},
            {"puts", 0, 0, 2, 1, 0, 0},
        };
        eb_pad(b, 8);
        uint64_t off = b->n;
        for (int i = 0; i < 6; i++)
            eb_write_sym(b, i ? eb_str(&strtab, names[i]) : 0, &st[i]);
        b->s_symtab = eb_section(b, ".symtab", 2, 0, off, b->n - off, 8, b->is64 ? 24 : 16);
        b->sec[b->s_symtab].info = 3;
        uint64_t soff = b->n;
        eb_bytes(b, strtab.s, strtab.n);
        int s_str = eb_section(b, ".strtab", 3, 0, soff, strtab.n, 1, 0);
        b->sec[b->s_symtab].link = (uint32_t)s_str;
    }
    if (o.sections) {
        b->s_shstrtab = eb_section(b, ".shstrtab", 3, 0, 0, 0, 1, 0);
        for (size_t i = 1; i < b->nsec; i++)
            b->sec[i].name_off = eb_str(&shstr, b->sec[i].name);
        b->sec[b->s_shstrtab].off = b->n;
        b->sec[b->s_shstrtab].size = shstr.n;
        eb_bytes(b, shstr.s, shstr.n);
        eb_pad(b, 8);
        eb_write_shdrs(b);
    } else {
        b->nsec = 0;
    }
    /* program headers */
    eb_segment(b, 6, 4, b->phoff, b->base + b->phoff, nph * phsz, nph * phsz, 8);
    if (dyn)
        b->p_interp =
            eb_segment(b, 3, 4, interp_off, b->base + interp_off, sizeof interp, sizeof interp, 1);
    b->p_rx = eb_segment(b, 1, 5, 0, b->base, rx_end, rx_end, 0x1000);
    b->p_rw = eb_segment(b, 1, 6, rw_off, b->rw_delta + rw_off, rw_end - rw_off,
                         rw_end - rw_off + 0x40, 0x1000);
    if (dyn)
        b->p_dynamic = eb_segment(b, 2, 6, b->off_dynamic, b->rw_delta + b->off_dynamic,
                                  rw_end - b->off_dynamic, rw_end - b->off_dynamic, 8);
    b->p_note = eb_segment(b, 4, 4, note_off, b->base + note_off, note_end - note_off,
                           note_end - note_off, 4);
    if (dyn)
        eb_segment(b, 0x6474e551, 6, 0, 0, 0, 0, 16); /* PT_GNU_STACK */
    eb_write_headers(b);
}

static inline void eb_free(eb_image *b)
{
    free(b->p);
    b->p = NULL;
}

#endif
