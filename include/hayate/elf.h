/* hayate: ELF parser for static analysis of untrusted executables
 * (lib/file/elf*.c, docs/malware.md). ELF32 and ELF64, little and big
 * endian. Built from the System V ABI (gABI) and the GNU extensions that
 * Linux binaries use (DT_GNU_HASH, DT_FLAGS_1, GNU notes).
 *
 * A file that starts with the ELF magic always yields a result, however
 * broken: what could be read, plus a list of anomalies. Every table walk is
 * capped (limits.h, "ELF"); every string must end in a NUL inside its table. */
#ifndef HAYATE_ELF_H
#define HAYATE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A few constants from the specification that callers test against. */
enum {
    HY_ELF_CLASS32 = 1,
    HY_ELF_CLASS64 = 2,
    HY_ELF_DATA_LSB = 1,
    HY_ELF_DATA_MSB = 2,
    HY_ET_REL = 1,
    HY_ET_EXEC = 2,
    HY_ET_DYN = 3,
    HY_ET_CORE = 4,
    HY_PT_LOAD = 1,
    HY_PT_DYNAMIC = 2,
    HY_PT_INTERP = 3,
    HY_PT_NOTE = 4,
    HY_PT_PHDR = 6,
    HY_PF_X = 1,
    HY_PF_W = 2,
    HY_PF_R = 4,
    HY_SHT_PROGBITS = 1,
    HY_SHT_SYMTAB = 2,
    HY_SHT_STRTAB = 3,
    HY_SHT_HASH = 5,
    HY_SHT_DYNAMIC = 6,
    HY_SHT_NOTE = 7,
    HY_SHT_NOBITS = 8,
    HY_SHT_DYNSYM = 11,
    HY_STT_NOTYPE = 0,
    HY_STT_OBJECT = 1,
    HY_STT_FUNC = 2,
    HY_STB_LOCAL = 0,
    HY_STB_GLOBAL = 1,
    HY_STB_WEAK = 2,
    HY_STV_DEFAULT = 0,
    HY_STV_PROTECTED = 3,
    HY_EM_386 = 3,
    HY_EM_MIPS = 8,
    HY_EM_PPC = 20,
    HY_EM_ARM = 40,
    HY_EM_X86_64 = 62,
    HY_EM_AARCH64 = 183,
};

/* Everything odd the parser saw. Kinds stay below 64 (one bit each). */
typedef enum hy_elf_anomaly_kind {
    HY_ELF_AN_HEADER_TRUNCATED,  /* file shorter than the ELF header */
    HY_ELF_AN_BAD_CLASS,         /* EI_CLASS neither 32 nor 64: nothing more read */
    HY_ELF_AN_BAD_DATA,          /* EI_DATA neither LSB nor MSB: nothing more read */
    HY_ELF_AN_BAD_VERSION,       /* EI_VERSION or e_version is not 1 */
    HY_ELF_AN_BAD_EHSIZE,        /* e_ehsize is not the header size of the class */
    HY_ELF_AN_BAD_PHENTSIZE,     /* e_phentsize wrong for the class */
    HY_ELF_AN_BAD_SHENTSIZE,     /* e_shentsize wrong for the class */
    HY_ELF_AN_PHDRS_PAST_END,    /* program header table past end of file */
    HY_ELF_AN_PHDRS_CAPPED,      /* more program headers than HY_ELF_MAX_PHDRS */
    HY_ELF_AN_SHDRS_PAST_END,    /* section header table past end of file */
    HY_ELF_AN_SHDRS_CAPPED,      /* more sections than HY_ELF_MAX_SECTIONS */
    HY_ELF_AN_NO_SECTIONS,       /* executable or library without section headers */
    HY_ELF_AN_SHSTRNDX_RANGE,    /* e_shstrndx out of range */
    HY_ELF_AN_SHSTRTAB_TYPE,     /* e_shstrndx names a section that is not SHT_STRTAB */
    HY_ELF_AN_SECTION_PAST_END,  /* section file range past end */
    HY_ELF_AN_SEGMENT_PAST_END,  /* segment file range past end */
    HY_ELF_AN_SEGMENT_FILESZ,    /* segment p_filesz > p_memsz */
    HY_ELF_AN_SEGMENT_WRAPS,     /* segment address or offset range wraps around */
    HY_ELF_AN_SEGMENT_WX,           /* PT_LOAD both writable and executable (packers) */
    HY_ELF_AN_SEGMENTS_OVERLAP,  /* two PT_LOAD memory ranges overlap */
    HY_ELF_AN_SEGMENTS_UNSORTED, /* PT_LOAD entries not in ascending p_vaddr */
    HY_ELF_AN_NO_LOAD,           /* executable or library without PT_LOAD */
    HY_ELF_AN_ENTRY_OUTSIDE,     /* entry point outside any PT_LOAD */
    HY_ELF_AN_ENTRY_NOT_EXEC,    /* entry point in a PT_LOAD without PF_X */
    HY_ELF_AN_MULTIPLE_INTERP,   /* more than one PT_INTERP */
    HY_ELF_AN_INTERP_BAD,        /* PT_INTERP past end or not NUL-terminated */
    HY_ELF_AN_MULTIPLE_DYNAMIC,  /* more than one PT_DYNAMIC or SHT_DYNAMIC */
    HY_ELF_AN_DYNAMIC_MISMATCH,  /* .dynamic and PT_DYNAMIC at different offsets */
    HY_ELF_AN_DYNAMIC_NO_NULL,   /* dynamic section without DT_NULL */
    HY_ELF_AN_DYNAMIC_CAPPED,    /* more dynamic entries than HY_ELF_MAX_DYNAMIC */
    HY_ELF_AN_DYNAMIC_UNMAPPED,  /* a DT_* address maps to no file bytes */
    HY_ELF_AN_NEEDED_CAPPED,     /* more DT_NEEDED than HY_ELF_MAX_NEEDED */
    HY_ELF_AN_STR_OFFSET,        /* string offset outside its table */
    HY_ELF_AN_STR_UNTERMINATED,  /* string not NUL-terminated within its table */
    HY_ELF_AN_STR_TOO_LONG,      /* string longer than HY_ELF_MAX_STR: truncated */
    HY_ELF_AN_BAD_LINK,          /* sh_link names no string table */
    HY_ELF_AN_BAD_ENTSIZE,       /* symbol or dynamic table with a wrong sh_entsize */
    HY_ELF_AN_SYMBOLS_CAPPED,    /* more symbols than HY_ELF_MAX_SYMBOLS */
    HY_ELF_AN_HASH_BAD,          /* DT_HASH / DT_GNU_HASH unreadable or chain unending */
    HY_ELF_AN_NOTE_BAD,          /* note entry past the end of its section/segment */
    HY_ELF_AN_NOTES_CAPPED,      /* more notes than HY_ELF_MAX_NOTES */
    HY_ELF_AN_ENTROPY_BUDGET,    /* entropy skipped: HY_ELF_ENTROPY_FACTOR x size spent */
    HY_ELF_AN_STR_BUDGET,        /* strings skipped: HY_ELF_STR_FACTOR x size scanned */
    HY_ELF_AN__COUNT
} hy_elf_anomaly_kind;

typedef struct hy_elf_anomaly {
    hy_elf_anomaly_kind kind;
    int32_t index; /* segment, section, dynamic entry or symbol; -1 when none */
} hy_elf_anomaly;

typedef struct hy_elf_segment {
    uint32_t type, flags; /* PT_*, PF_* */
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
    double entropy; /* of the file bytes (PT_LOAD only, clamped to the file); -1 if none */
} hy_elf_segment;

typedef struct hy_elf_section {
    const char *name; /* from the section-name table; "" when absent or invalid */
    uint32_t name_off, type, link, info;
    uint64_t flags, addr, offset, size, addralign, entsize;
    double entropy; /* of the file bytes (clamped); -1 for NOBITS, empty or out of file */
} hy_elf_section;

typedef struct hy_elf_symbol {
    const char *name; /* never NULL */
    uint64_t value, size;
    uint8_t type, bind, visibility; /* STT_*, STB_*, STV_* */
    uint16_t shndx;
    bool imported; /* undefined here, resolved from a DT_NEEDED library */
    bool exported; /* defined, global or weak, default or protected visibility */
} hy_elf_symbol;

typedef struct hy_elf_note {
    const char *owner; /* "GNU", "Go", ...; "" when invalid */
    uint32_t type, desc_size;
    uint64_t desc_offset; /* in the file */
} hy_elf_note;

/* The dynamic section as the loader reads it. Addresses are virtual. */
typedef struct hy_elf_dynamic {
    bool present;
    bool from_segments;    /* found through PT_DYNAMIC (no usable .dynamic section) */
    uint64_t offset, size; /* file range of the table */
    size_t entries;        /* entries read, DT_NULL included */
    const char **needed;   /* DT_NEEDED names in order */
    size_t n_needed;
    const char *soname, *rpath, *runpath; /* NULL when absent */
    uint64_t flags, flags_1;              /* DT_FLAGS, DT_FLAGS_1 */
    bool bind_now;                        /* DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW */
    bool textrel;                         /* DT_TEXTREL or DF_TEXTREL */
    uint64_t strtab, strsz, symtab, syment, hash, gnu_hash, init, fini;
} hy_elf_dynamic;

/* Counts over .symtab (the link-time symbol table stripping removes). */
typedef struct hy_elf_symtab_summary {
    bool present;
    size_t count, functions, objects, undefined, globals;
} hy_elf_symtab_summary;

typedef struct hy_elf {
    size_t file_size;
    /* identification */
    uint8_t ei_class, ei_data, ei_version, osabi, abiversion;
    bool is64, big_endian;
    /* header, raw values */
    uint16_t type, machine;
    uint32_t version, flags;
    uint64_t entry, phoff, shoff;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
    /* tables, after extended numbering (PN_XNUM, SHN_XINDEX) and caps */
    hy_elf_segment *segments;
    size_t n_segments;
    hy_elf_section *sections;
    size_t n_sections;
    long entry_section; /* allocated section holding the entry (EXEC/DYN); -1 if none */
    const char *interp; /* PT_INTERP; NULL when absent */
    hy_elf_dynamic dyn;
    hy_elf_symbol *dynsyms; /* .dynsym, index 0 (the null symbol) included */
    size_t n_dynsyms, n_imports, n_exports;
    bool dynsyms_from_segments; /* located through DT_SYMTAB and a hash table */
    hy_elf_symtab_summary symtab;
    hy_elf_note *notes;
    size_t n_notes;
    char build_id[2 * 64 + 1]; /* hex of NT_GNU_BUILD_ID (first 64 bytes); "" if none */
    bool has_abi_tag;          /* NT_GNU_ABI_TAG: OS (0 Linux) and minimum kernel */
    uint32_t abi_os, abi_major, abi_minor, abi_patch;
    /* classification */
    bool is_pie, is_static, stripped, has_sections;
    /* anomalies: the first few of each kind in order, a count and bit per kind */
    hy_elf_anomaly *anomalies;
    size_t n_anomalies;
    uint32_t anomaly_count[HY_ELF_AN__COUNT];
    uint64_t anomaly_mask; /* bit k set when kind k was seen */
    void *priv;            /* string arena */
} hy_elf;

/* Parses n bytes at p. On HY_OK *out is a heap result the caller frees with
 * hy_elf_free, even for a malformed file (partial contents + anomalies).
 * HY_ERR_FORMAT when the bytes do not start with the ELF magic, HY_ERR_ARG on
 * NULL out (or NULL p with n > 0), HY_ERR_NOMEM; *out is NULL on error. */
hy_err hy_elf_parse(const uint8_t *p, size_t n, hy_elf **out);

/* Frees a result from hy_elf_parse; NULL is a no-op. */
void hy_elf_free(hy_elf *e);

/* True when kind was seen while parsing e. */
bool hy_elf_has_anomaly(const hy_elf *e, hy_elf_anomaly_kind kind);

/* One-line description of an anomaly kind. Never NULL. */
const char *hy_elf_anomaly_str(hy_elf_anomaly_kind kind);

/* Short names for e_machine ("x86-64", "ARM", "MIPS"...) and e_type ("EXEC",
 * "DYN"...); "unknown" for values the table lacks. */
const char *hy_elf_machine_str(uint16_t machine);
const char *hy_elf_type_str(uint16_t type);

/* The dynamic symbol with this exact name, or NULL. */
const hy_elf_symbol *hy_elf_find_dynsym(const hy_elf *e, const char *name);

#endif
