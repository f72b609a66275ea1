/* hayate internal: shared state of the ELF parser (elf.c: header, program
 * and section headers, checks; elf_dyn.c: dynamic section, symbols, notes).
 * Every read of the file goes through core/bytes.h via the readers below. */
#ifndef HAYATE_FILE_ELF_INT_H
#define HAYATE_FILE_ELF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "hayate/elf.h"

/* Section types, tags and flags used only inside the parser. */
enum {
    ELF_SHN_UNDEF = 0,
    ELF_SHN_XINDEX = 0xffff,
    ELF_PN_XNUM = 0xffff,
    ELF_DT_NULL = 0,
    ELF_DT_NEEDED = 1,
    ELF_DT_HASH = 4,
    ELF_DT_STRTAB = 5,
    ELF_DT_SYMTAB = 6,
    ELF_DT_STRSZ = 10,
    ELF_DT_SYMENT = 11,
    ELF_DT_INIT = 12,
    ELF_DT_FINI = 13,
    ELF_DT_SONAME = 14,
    ELF_DT_RPATH = 15,
    ELF_DT_TEXTREL = 22,
    ELF_DT_BIND_NOW = 24,
    ELF_DT_RUNPATH = 29,
    ELF_DT_FLAGS = 30,
    ELF_DT_GNU_HASH = 0x6ffffef5,
    ELF_DT_FLAGS_1 = 0x6ffffffb,
    ELF_DF_TEXTREL = 0x4,
    ELF_DF_BIND_NOW = 0x8,
    ELF_DF_1_NOW = 0x1,
    ELF_DF_1_PIE = 0x08000000,
    ELF_SHF_ALLOC = 0x2,
    ELF_STT_SECTION = 3,
    ELF_STT_FILE = 4,
    ELF_STB_GNU_UNIQUE = 10,
    ELF_NT_GNU_ABI_TAG = 1,
    ELF_NT_GNU_BUILD_ID = 3,
};

typedef struct elf_arena_block elf_arena_block;

/* Parse state: the input, the result being filled, and budgets. */
typedef struct elf_ctx {
    const uint8_t *p;
    size_t n;
    hy_elf *e;
    bool nomem;                               /* an allocation failed: the parse ends with NOMEM */
    uint64_t entropy_budget;                  /* bytes left for hy_entropy */
    uint64_t str_budget;                      /* string bytes left to scan and copy */
    long sec_dynamic, sec_dynsym, sec_symtab; /* first of each type; -1 none */
    long seg_dynamic;                         /* first PT_DYNAMIC; -1 none */
    bool have_dynstr;                         /* the dynamic string table, clamped */
    uint64_t dynstr_off, dynstr_size;
    size_t notes_cap; /* entries allocated in e->notes */
    elf_arena_block *arena;
} elf_ctx;

/* Bounds-checked reads in the file's byte order (false when out of range). */
bool elf_rd16(const elf_ctx *c, uint64_t off, uint16_t *v);
bool elf_rd32(const elf_ctx *c, uint64_t off, uint32_t *v);
bool elf_rd64(const elf_ctx *c, uint64_t off, uint64_t *v);
/* A class-sized word (Elf32_Addr/Off/Word widened, or Elf64 8 bytes). */
bool elf_rdw(const elf_ctx *c, uint64_t off, uint64_t *v);

/* True when [off, off+len) lies inside the file (overflow-safe). */
bool elf_in_file(const elf_ctx *c, uint64_t off, uint64_t len);

/* Records an anomaly (index -1 when none applies). */
void elf_anomaly(elf_ctx *c, hy_elf_anomaly_kind kind, long index);

/* Copies a NUL-terminated string into the result's arena. NULL on OOM. */
const char *elf_strdup(elf_ctx *c, const char *s, size_t len);

/* The string at idx of a table at file range [tab, tab+size) (already
 * clamped to the file): must start inside and end in a NUL inside. Returns
 * "" and records an anomaly (index `who`) otherwise. Never NULL. */
const char *elf_str(elf_ctx *c, uint64_t tab, uint64_t size, uint64_t idx, long who);

/* File offset of virtual address va through the PT_LOAD segments (then
 * allocated sections); *avail = file bytes readable from there within that
 * segment. False when no segment maps va to file bytes. */
bool elf_map_va(const elf_ctx *c, uint64_t va, uint64_t *off, uint64_t *avail);

/* Entropy of a file range clamped to the file, within the budget; -1 when
 * empty, outside the file, or over budget (then an anomaly). */
double elf_entropy(elf_ctx *c, uint64_t off, uint64_t len);

/* elf_dyn.c: the dynamic section, dynamic symbols, .symtab counts, notes. */
void elf_parse_dynamic(elf_ctx *c);
void elf_parse_dynsyms(elf_ctx *c);
void elf_parse_symtab(elf_ctx *c);
void elf_parse_notes(elf_ctx *c);

#endif
