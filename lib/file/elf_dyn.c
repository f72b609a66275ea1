/* ELF parser, part 2 (include/hayate/elf.h): the dynamic section, dynamic
 * symbols, .symtab counts and notes. Each is found through the section
 * headers when they are usable and through the program headers (PT_DYNAMIC,
 * DT_* addresses mapped by PT_LOAD, PT_NOTE) when they are stripped or absent. */
#include "file/elf_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/limits.h"

/* Clamps [*off, *off + *size) to the file. */
static void clamp(const elf_ctx *c, uint64_t *off, uint64_t *size)
{
    if (*off > c->n)
        *size = 0;
    else if (*size > c->n - *off)
        *size = c->n - *off;
}

/* A string-table section by index (sh_link); false when it is not one. */
static bool strtab_section(const elf_ctx *c, uint64_t idx, uint64_t *off, uint64_t *size)
{
    const hy_elf *e = c->e;
    if (idx == 0 || idx >= e->n_sections || e->sections[idx].type != HY_SHT_STRTAB)
        return false;
    *off = e->sections[idx].offset;
    *size = e->sections[idx].size;
    clamp(c, off, size);
    return true;
}

/* ---- dynamic section ---------------------------------------------------- */

/* Where the dynamic table is: .dynamic when it lies in the file, else PT_DYNAMIC. */
static bool locate_dynamic(elf_ctx *c, uint64_t *off, uint64_t *size)
{
    hy_elf *e = c->e;
    const hy_elf_segment *seg = c->seg_dynamic >= 0 ? &e->segments[c->seg_dynamic] : NULL;
    if (c->sec_dynamic >= 0) {
        const hy_elf_section *s = &e->sections[c->sec_dynamic];
        if (s->size && s->offset < c->n) {
            *off = s->offset;
            *size = s->size;
            if (seg && seg->offset != s->offset)
                elf_anomaly(c, HY_ELF_AN_DYNAMIC_MISMATCH, c->sec_dynamic);
            if (s->entsize && s->entsize != (e->is64 ? 16u : 8u))
                elf_anomaly(c, HY_ELF_AN_BAD_ENTSIZE, c->sec_dynamic);
            return true;
        }
    }
    if (!seg || !seg->filesz)
        return false;
    e->dyn.from_segments = true;
    *off = seg->offset;
    *size = seg->filesz;
    return true;
}

static void dyn_scalar(hy_elf_dynamic *d, uint64_t tag, uint64_t val)
{
    /* the loader keeps the last entry of each tag; so do we */
    switch (tag) {
    case ELF_DT_STRTAB:
        d->strtab = val;
        break;
    case ELF_DT_STRSZ:
        d->strsz = val;
        break;
    case ELF_DT_SYMTAB:
        d->symtab = val;
        break;
    case ELF_DT_SYMENT:
        d->syment = val;
        break;
    case ELF_DT_HASH:
        d->hash = val;
        break;
    case ELF_DT_GNU_HASH:
        d->gnu_hash = val;
        break;
    case ELF_DT_INIT:
        d->init = val;
        break;
    case ELF_DT_FINI:
        d->fini = val;
        break;
    case ELF_DT_FLAGS:
        d->flags = val;
        break;
    case ELF_DT_FLAGS_1:
        d->flags_1 = val;
        break;
    case ELF_DT_BIND_NOW:
        d->bind_now = true;
        break;
    case ELF_DT_TEXTREL:
        d->textrel = true;
        break;
    default:
        break;
    }
}

/* The string table for DT_NEEDED and friends: .dynamic's sh_link, else
 * DT_STRTAB mapped through PT_LOAD and bounded by DT_STRSZ. */
static void locate_dynstr(elf_ctx *c)
{
    hy_elf *e = c->e;
    hy_elf_dynamic *d = &e->dyn;
    uint64_t off, size;
    if (!d->from_segments && c->sec_dynamic >= 0) {
        if (strtab_section(c, e->sections[c->sec_dynamic].link, &off, &size))
            goto found;
        elf_anomaly(c, HY_ELF_AN_BAD_LINK, c->sec_dynamic);
    }
    if (!d->strtab)
        return;
    if (!elf_map_va(c, d->strtab, &off, &size)) {
        elf_anomaly(c, HY_ELF_AN_DYNAMIC_UNMAPPED, -1);
        return;
    }
    if (d->strsz && d->strsz < size)
        size = d->strsz;
found:
    c->have_dynstr = true;
    c->dynstr_off = off;
    c->dynstr_size = size;
}

static const char *dyn_string(elf_ctx *c, uint64_t val, size_t i)
{
    return elf_str(c, c->dynstr_off, c->have_dynstr ? c->dynstr_size : 0, val, (long)i);
}

void elf_parse_dynamic(elf_ctx *c)
{
    hy_elf *e = c->e;
    hy_elf_dynamic *d = &e->dyn;
    uint64_t off, size, ent = e->is64 ? 16 : 8, tag, val;
    size_t count, walked = 0, n_needed = 0;
    bool ended = false;
    if (!locate_dynamic(c, &off, &size))
        return;
    d->present = true;
    d->offset = off;
    d->size = size;
    clamp(c, &off, &size);
    count = (size_t)(size / ent);
    for (; walked < count && walked < HY_ELF_MAX_DYNAMIC; walked++) {
        uint64_t at = off + walked * ent;
        if (!elf_rdw(c, at, &tag) || !elf_rdw(c, at + ent / 2, &val))
            break;
        if (tag == ELF_DT_NULL) {
            ended = true;
            walked++;
            break;
        }
        n_needed += tag == ELF_DT_NEEDED;
        dyn_scalar(d, tag, val);
    }
    d->entries = walked;
    if (!ended)
        elf_anomaly(
            c, count > HY_ELF_MAX_DYNAMIC ? HY_ELF_AN_DYNAMIC_CAPPED : HY_ELF_AN_DYNAMIC_NO_NULL,
            -1);
    d->bind_now |= (d->flags & ELF_DF_BIND_NOW) || (d->flags_1 & ELF_DF_1_NOW);
    d->textrel |= (d->flags & ELF_DF_TEXTREL) != 0;
    locate_dynstr(c);
    if (n_needed > HY_ELF_MAX_NEEDED) {
        elf_anomaly(c, HY_ELF_AN_NEEDED_CAPPED, -1);
        n_needed = HY_ELF_MAX_NEEDED;
    }
    if (n_needed && !(d->needed = calloc(n_needed, sizeof *d->needed))) {
        c->nomem = true;
        return;
    }
    /* second pass, over the entries the first one read */
    for (size_t i = 0; i < walked && !c->nomem; i++) {
        uint64_t at = off + i * ent;
        if (!elf_rdw(c, at, &tag) || !elf_rdw(c, at + ent / 2, &val))
            break;
        if (tag == ELF_DT_NEEDED && d->n_needed < n_needed)
            d->needed[d->n_needed++] = dyn_string(c, val, i);
        else if (tag == ELF_DT_SONAME)
            d->soname = dyn_string(c, val, i);
        else if (tag == ELF_DT_RPATH)
            d->rpath = dyn_string(c, val, i);
        else if (tag == ELF_DT_RUNPATH)
            d->runpath = dyn_string(c, val, i);
    }
}

/* ---- dynamic symbols ---------------------------------------------------- */

/* Symbol count from DT_GNU_HASH: the highest bucket start, then its chain
 * to the entry with the low bit set (the end of the last chain). */
static bool gnu_hash_count(elf_ctx *c, uint64_t off, uint64_t *count)
{
    uint32_t nb, symoff, bloom, shift, b, v, top = 0;
    if (!elf_rd32(c, off, &nb) || !elf_rd32(c, off + 4, &symoff) || !elf_rd32(c, off + 8, &bloom) ||
        !elf_rd32(c, off + 12, &shift))
        return false;
    if (nb > HY_ELF_MAX_SYMBOLS || bloom > HY_ELF_MAX_SYMBOLS)
        return false;
    uint64_t buckets = off + 16 + (uint64_t)bloom * (c->e->is64 ? 8u : 4u);
    for (uint32_t i = 0; i < nb; i++) {
        if (!elf_rd32(c, buckets + 4ull * i, &b))
            return false;
        top = b > top ? b : top;
    }
    if (top == 0) {
        *count = symoff;
        return true;
    }
    if (top < symoff)
        return false;
    uint64_t chain = buckets + 4ull * nb;
    for (uint64_t k = top; k - top < HY_ELF_MAX_SYMBOLS; k++) {
        if (!elf_rd32(c, chain + 4 * (k - symoff), &v))
            return false;
        if (v & 1) {
            *count = k + 1;
            return true;
        }
    }
    return false; /* a chain without end */
}

/* Without .dynsym: DT_SYMTAB mapped through PT_LOAD, counted by DT_HASH's
 * nchain, DT_GNU_HASH, or the gap up to DT_STRTAB (the usual layout). */
static bool dynsyms_from_dynamic(elf_ctx *c, uint64_t *off, uint64_t *count)
{
    hy_elf_dynamic *d = &c->e->dyn;
    uint64_t avail, hoff, havail, symsz = c->e->is64 ? 24 : 16;
    uint32_t nchain;
    if (!d->symtab)
        return false;
    if (!elf_map_va(c, d->symtab, off, &avail)) {
        elf_anomaly(c, HY_ELF_AN_DYNAMIC_UNMAPPED, -1);
        return false;
    }
    if (d->hash && elf_map_va(c, d->hash, &hoff, &havail) && elf_rd32(c, hoff + 4, &nchain)) {
        *count = nchain;
    } else if (d->gnu_hash && elf_map_va(c, d->gnu_hash, &hoff, &havail) &&
               gnu_hash_count(c, hoff, count)) {
        /* counted */
    } else {
        if (d->hash || d->gnu_hash)
            elf_anomaly(c, HY_ELF_AN_HASH_BAD, -1);
        *count = d->strtab > d->symtab ? (d->strtab - d->symtab) / symsz : avail / symsz;
    }
    if (*count > avail / symsz) {
        elf_anomaly(c, HY_ELF_AN_HASH_BAD, -1);
        *count = avail / symsz;
    }
    c->e->dynsyms_from_segments = true;
    return true;
}

static void read_sym(const elf_ctx *c, uint64_t at, uint32_t *name, hy_elf_symbol *s)
{
    uint8_t info = 0, other = 0;
    if (c->e->is64) {
        elf_rd32(c, at, name);
        hy_rd_u8(c->p, c->n, (size_t)(at + 4), &info);
        hy_rd_u8(c->p, c->n, (size_t)(at + 5), &other);
        elf_rd16(c, at + 6, &s->shndx);
        elf_rd64(c, at + 8, &s->value);
        elf_rd64(c, at + 16, &s->size);
    } else {
        uint32_t v = 0, z = 0;
        elf_rd32(c, at, name);
        elf_rd32(c, at + 4, &v);
        elf_rd32(c, at + 8, &z);
        hy_rd_u8(c->p, c->n, (size_t)(at + 12), &info);
        hy_rd_u8(c->p, c->n, (size_t)(at + 13), &other);
        elf_rd16(c, at + 14, &s->shndx);
        s->value = v;
        s->size = z;
    }
    s->type = info & 0xf;
    s->bind = info >> 4;
    s->visibility = other & 3;
}

static void classify_sym(hy_elf *e, hy_elf_symbol *s, size_t i)
{
    bool global =
        s->bind == HY_STB_GLOBAL || s->bind == HY_STB_WEAK || s->bind == ELF_STB_GNU_UNIQUE;
    s->imported = i > 0 && s->shndx == ELF_SHN_UNDEF && s->name[0];
    s->exported = s->shndx != ELF_SHN_UNDEF && global &&
                  (s->visibility == HY_STV_DEFAULT || s->visibility == HY_STV_PROTECTED) &&
                  s->type != ELF_STT_SECTION && s->type != ELF_STT_FILE;
    e->n_imports += s->imported;
    e->n_exports += s->exported;
}

/* The table of .dynsym (and its string table) when the section is usable. */
static bool dynsyms_from_section(elf_ctx *c, uint64_t *off, uint64_t *count, uint64_t *stroff,
                                 uint64_t *strsize)
{
    const hy_elf_section *s;
    uint64_t symsz = c->e->is64 ? 24 : 16, size;
    if (c->sec_dynsym < 0)
        return false;
    s = &c->e->sections[c->sec_dynsym];
    if (s->offset >= c->n || !s->size)
        return false;
    if (s->entsize != symsz)
        elf_anomaly(c, HY_ELF_AN_BAD_ENTSIZE, c->sec_dynsym);
    *off = s->offset;
    size = s->size;
    clamp(c, off, &size);
    *count = size / symsz;
    if (!strtab_section(c, s->link, stroff, strsize)) {
        elf_anomaly(c, HY_ELF_AN_BAD_LINK, c->sec_dynsym);
        *stroff = c->dynstr_off;
        *strsize = c->have_dynstr ? c->dynstr_size : 0;
    }
    return true;
}

void elf_parse_dynsyms(elf_ctx *c)
{
    hy_elf *e = c->e;
    uint64_t off, count, stroff = c->dynstr_off, strsize = c->have_dynstr ? c->dynstr_size : 0;
    uint64_t symsz = e->is64 ? 24 : 16;
    if (!dynsyms_from_section(c, &off, &count, &stroff, &strsize) &&
        !dynsyms_from_dynamic(c, &off, &count))
        return;
    if (count > HY_ELF_MAX_SYMBOLS) {
        elf_anomaly(c, HY_ELF_AN_SYMBOLS_CAPPED, -1);
        count = HY_ELF_MAX_SYMBOLS;
    }
    if (!count)
        return;
    if (!(e->dynsyms = calloc((size_t)count, sizeof *e->dynsyms))) {
        c->nomem = true;
        return;
    }
    e->n_dynsyms = (size_t)count;
    for (size_t i = 0; i < e->n_dynsyms && !c->nomem; i++) {
        hy_elf_symbol *s = &e->dynsyms[i];
        uint32_t name = 0;
        read_sym(c, off + i * symsz, &name, s);
        s->name = name ? elf_str(c, stroff, strsize, name, (long)i) : "";
        classify_sym(e, s, i);
    }
}

void elf_parse_symtab(elf_ctx *c)
{
    hy_elf *e = c->e;
    hy_elf_symtab_summary *t = &e->symtab;
    uint64_t symsz = e->is64 ? 24 : 16, off, size;
    if (c->sec_symtab < 0)
        return;
    const hy_elf_section *s = &e->sections[c->sec_symtab];
    t->present = true;
    if (s->entsize != symsz)
        elf_anomaly(c, HY_ELF_AN_BAD_ENTSIZE, c->sec_symtab);
    off = s->offset;
    size = s->size;
    clamp(c, &off, &size);
    uint64_t count = size / symsz;
    if (count > HY_ELF_MAX_SYMBOLS) {
        elf_anomaly(c, HY_ELF_AN_SYMBOLS_CAPPED, c->sec_symtab);
        count = HY_ELF_MAX_SYMBOLS;
    }
    t->count = (size_t)count;
    for (uint64_t i = 1; i < count; i++) {
        hy_elf_symbol sym = {0};
        uint32_t name;
        read_sym(c, off + i * symsz, &name, &sym);
        t->functions += sym.type == HY_STT_FUNC;
        t->objects += sym.type == HY_STT_OBJECT;
        t->undefined += sym.shndx == ELF_SHN_UNDEF;
        t->globals += sym.bind != HY_STB_LOCAL;
    }
}

/* ---- notes -------------------------------------------------------------- */

static void note_gnu(elf_ctx *c, const hy_elf_note *nt)
{
    hy_elf *e = c->e;
    if (strcmp(nt->owner, "GNU") != 0)
        return;
    if (nt->type == ELF_NT_GNU_BUILD_ID && !e->build_id[0] && nt->desc_size) {
        size_t k = nt->desc_size < 64 ? nt->desc_size : 64;
        uint8_t id[64];
        if (!hy_rd_bytes(c->p, c->n, (size_t)nt->desc_offset, id, k))
            return;
        for (size_t i = 0; i < k; i++)
            snprintf(e->build_id + 2 * i, 3, "%02x", id[i]);
    } else if (nt->type == ELF_NT_GNU_ABI_TAG && nt->desc_size >= 16 && !e->has_abi_tag) {
        e->has_abi_tag = elf_rd32(c, nt->desc_offset, &e->abi_os) &&
                         elf_rd32(c, nt->desc_offset + 4, &e->abi_major) &&
                         elf_rd32(c, nt->desc_offset + 8, &e->abi_minor) &&
                         elf_rd32(c, nt->desc_offset + 12, &e->abi_patch);
    }
}

/* Room for one more note: the array doubles up to HY_ELF_MAX_NOTES. */
static bool grow_notes(elf_ctx *c)
{
    hy_elf *e = c->e;
    size_t cap = c->notes_cap ? c->notes_cap * 2 : 16;
    hy_elf_note *m;
    if (e->n_notes < c->notes_cap)
        return true;
    if (cap > HY_ELF_MAX_NOTES)
        cap = HY_ELF_MAX_NOTES;
    if (!(m = realloc(e->notes, cap * sizeof *m))) {
        c->nomem = true;
        return false;
    }
    e->notes = m;
    c->notes_cap = cap;
    return true;
}

/* Walks the notes of one area: namesz, descsz, type, then name and desc,
 * each padded to the area's alignment (4, or 8 for 8-aligned areas). */
static void walk_notes(elf_ctx *c, uint64_t off, uint64_t size, uint64_t align, long who)
{
    hy_elf *e = c->e;
    uint64_t a = align == 8 ? 8 : 4, end, pos = off;
    clamp(c, &off, &size);
    end = off + size;
    while (!c->nomem && end - pos >= 12) {
        uint32_t namesz, descsz, type;
        if (!elf_rd32(c, pos, &namesz) || !elf_rd32(c, pos + 4, &descsz) ||
            !elf_rd32(c, pos + 8, &type))
            break;
        /* padding counts from the note's start (12-byte header + name) */
        uint64_t name = pos + 12, desc = pos + ((12u + (uint64_t)namesz + a - 1) & ~(a - 1));
        uint64_t next = desc + ((descsz + a - 1) & ~(a - 1));
        if (desc > end || desc + descsz > end) {
            elf_anomaly(c, HY_ELF_AN_NOTE_BAD, who);
            return;
        }
        if (e->n_notes >= HY_ELF_MAX_NOTES) {
            elf_anomaly(c, HY_ELF_AN_NOTES_CAPPED, who);
            return;
        }
        if (!grow_notes(c))
            return;
        hy_elf_note *nt = &e->notes[e->n_notes++];
        nt->owner = namesz ? elf_str(c, name, namesz, 0, who) : "";
        nt->type = type;
        nt->desc_size = descsz;
        nt->desc_offset = desc;
        note_gnu(c, nt);
        if (next >= end)
            return;
        pos = next;
    }
}

void elf_parse_notes(elf_ctx *c)
{
    hy_elf *e = c->e;
    bool in_sections = false;
    for (size_t i = 0; i < e->n_sections; i++)
        in_sections |= e->sections[i].type == HY_SHT_NOTE;
    if (in_sections) {
        for (size_t i = 0; i < e->n_sections && !c->nomem; i++) {
            const hy_elf_section *s = &e->sections[i];
            if (s->type == HY_SHT_NOTE)
                walk_notes(c, s->offset, s->size, s->addralign, (long)i);
        }
        return;
    }
    for (size_t i = 0; i < e->n_segments && !c->nomem; i++) {
        const hy_elf_segment *s = &e->segments[i];
        if (s->type == HY_PT_NOTE)
            walk_notes(c, s->offset, s->filesz, s->align, (long)i);
    }
}
