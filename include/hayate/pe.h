/* hayate: PE32/PE32+ parser for static analysis of untrusted Windows
 * executables (lib/file/pe*.c, docs/malware.md). Built from Microsoft's
 * PE/COFF specification, plus the two undocumented structures analysts rely
 * on: the Rich header and the overlay.
 *
 * A file with an MZ header whose e_lfanew leads to "PE\0\0" always yields a
 * result, however broken: what could be read, plus a list of anomalies.
 * Every table walk is capped (limits.h, "PE"); every name must be printable
 * ASCII ending in a NUL within HY_PE_MAX_NAME bytes. */
#ifndef HAYATE_PE_H
#define HAYATE_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "limits.h"

/* Constants from the specification that callers test against. */
enum {
    HY_PE_MAGIC_PE32 = 0x10b,
    HY_PE_MAGIC_PE32PLUS = 0x20b,
    HY_PE_MACHINE_I386 = 0x14c,
    HY_PE_MACHINE_AMD64 = 0x8664,
    HY_PE_MACHINE_ARM64 = 0xaa64,
    HY_PE_FILE_EXECUTABLE = 0x0002, /* COFF characteristics */
    HY_PE_FILE_DLL = 0x2000,
    HY_PE_SCN_CODE = 0x00000020, /* section characteristics */
    HY_PE_SCN_INIT_DATA = 0x00000040,
    HY_PE_SCN_UNINIT_DATA = 0x00000080,
    HY_PE_SCN_EXECUTE = 0x20000000,
    HY_PE_SCN_READ = 0x40000000,
    HY_PE_SCN_WRITE = 0x80000000,
    HY_PE_NDIRS = 16, /* data directories */
    HY_PE_DIR_EXPORT = 0,
    HY_PE_DIR_IMPORT = 1,
    HY_PE_DIR_RESOURCE = 2,
    HY_PE_DIR_EXCEPTION = 3,
    HY_PE_DIR_SECURITY = 4, /* its "rva" is a file offset */
    HY_PE_DIR_BASERELOC = 5,
    HY_PE_DIR_DEBUG = 6,
    HY_PE_DIR_TLS = 9,
    HY_PE_DIR_LOAD_CONFIG = 10,
    HY_PE_DIR_BOUND_IMPORT = 11,
    HY_PE_DIR_IAT = 12,
    HY_PE_DIR_DELAY_IMPORT = 13,
    HY_PE_DIR_CLR = 14,
    HY_PE_CERT_PKCS_SIGNED = 0x0002, /* WIN_CERTIFICATE wCertificateType */
};

/* Everything odd the parser saw. Kinds stay below 64 (one bit each). */
typedef enum hy_pe_anomaly_kind {
    HY_PE_AN_COFF_TRUNCATED,       /* COFF file header cut by the end of the file */
    HY_PE_AN_OPT_TRUNCATED,        /* optional header cut by the end of the file */
    HY_PE_AN_OPT_MAGIC,            /* optional header magic neither PE32 nor PE32+ */
    HY_PE_AN_OPT_SIZE,             /* SizeOfOptionalHeader too small for what it holds */
    HY_PE_AN_RVA_COUNT,            /* NumberOfRvaAndSizes above 16 (16 read) */
    HY_PE_AN_ALIGNMENT,            /* file/section alignment not a power of two or out of order */
    HY_PE_AN_IMAGE_BASE,           /* image base not a multiple of 64 KiB */
    HY_PE_AN_NO_SECTIONS,          /* NumberOfSections is 0 */
    HY_PE_AN_SECTIONS_MANY,        /* more than 96 sections (HY_PE_MAX_SECTIONS kept) */
    HY_PE_AN_SECTION_TABLE_TRUNC,  /* section table past the end of the file */
    HY_PE_AN_SECTION_RAW_PAST_END, /* section raw data past the end of the file */
    HY_PE_AN_SECTION_OVERLAP,      /* two sections' virtual ranges overlap */
    HY_PE_AN_SECTION_NAME,         /* section name with non-printable bytes */
    HY_PE_AN_SECTION_WX,           /* section both writable and executable */
    HY_PE_AN_SIZE_OF_IMAGE,        /* SizeOfImage below the end of the last section */
    HY_PE_AN_ENTRY_OUTSIDE,        /* entry point outside every section */
    HY_PE_AN_ENTRY_NOT_EXEC,       /* entry point in a section that is not executable */
    HY_PE_AN_DIR_OUTSIDE,          /* a data directory maps to no file bytes */
    HY_PE_AN_IMPORT_BAD,           /* import descriptor or thunk unreadable */
    HY_PE_AN_IMPORT_LOOP,          /* import descriptor repeated or its thunks in the table */
    HY_PE_AN_IMPORT_NAME,          /* DLL or function name unreadable or not printable */
    HY_PE_AN_IMPORTS_CAPPED,       /* more imports than HY_PE_MAX_IMPORT_DLLS/FUNCS */
    HY_PE_AN_IAT_FALLBACK,         /* import name table unusable: names read from the IAT */
    HY_PE_AN_DELAY_BAD,            /* delay-load descriptor or name table unreadable */
    HY_PE_AN_EXPORT_BAD,           /* export directory or address table unreadable */
    HY_PE_AN_EXPORT_NAME,          /* export name pointer out of range or name invalid */
    HY_PE_AN_EXPORT_ORDINAL,       /* name ordinal beyond NumberOfFunctions */
    HY_PE_AN_EXPORTS_CAPPED,       /* more exports than HY_PE_MAX_EXPORTS */
    HY_PE_AN_RESOURCE_BAD,         /* resource directory, entry or data out of range */
    HY_PE_AN_RESOURCE_LOOP,        /* a resource directory reached twice */
    HY_PE_AN_RESOURCE_DEPTH,       /* resource tree not type/name/language deep */
    HY_PE_AN_RESOURCES_CAPPED,     /* more resource directories or entries than the caps */
    HY_PE_AN_RICH_BAD,             /* "Rich" without "DanS" under its key, or ragged */
    HY_PE_AN_RICH_CHECKSUM,        /* Rich key is not the checksum of header and entries */
    HY_PE_AN_TLS_BAD,              /* TLS directory or callback array unreadable */
    HY_PE_AN_TLS_CALLBACK_OUTSIDE, /* TLS callback address outside the image */
    HY_PE_AN_TLS_CAPPED,           /* more TLS callbacks than HY_PE_MAX_TLS_CALLBACKS */
    HY_PE_AN_CERT_BAD,             /* certificate table outside the file or implausible */
    HY_PE_AN_ENTROPY_BUDGET,       /* entropy skipped: HY_PE_ENTROPY_FACTOR x size spent */
    HY_PE_AN__COUNT
} hy_pe_anomaly_kind;

typedef struct hy_pe_anomaly {
    hy_pe_anomaly_kind kind;
    int32_t index;   /* section, directory, descriptor or entry; -1 when none */
    char detail[96]; /* e.g. "section 3 raw data past end of file" */
} hy_pe_anomaly;

typedef struct hy_pe_dir {
    uint32_t rva, size;
} hy_pe_dir;

typedef struct hy_pe_section {
    char name[9]; /* the 8 raw bytes up to a NUL; non-printable bytes as '?' */
    uint32_t vsize, va, raw_size, raw_ptr, characteristics;
    double entropy; /* of its raw bytes inside the file; -1 when none */
} hy_pe_section;

typedef struct hy_pe_import_fn {
    const char *name; /* NULL when imported by ordinal */
    uint16_t ordinal; /* when name is NULL */
    uint16_t hint;    /* when imported by name */
} hy_pe_import_fn;

typedef struct hy_pe_import_dll {
    const char *name; /* "*invalid*" when unreadable */
    uint32_t name_rva, ilt_rva, iat_rva;
    bool from_iat; /* no usable import name table: names read from the IAT */
    hy_pe_import_fn *fns;
    size_t n_fns;
} hy_pe_import_dll;

typedef struct hy_pe_export {
    uint32_t ordinal;      /* OrdinalBase + index in the address table */
    uint32_t rva;          /* export address table entry */
    const char *name;      /* NULL when exported by ordinal only */
    const char *forwarder; /* "DLL.Function" when rva lies in the export directory */
} hy_pe_export;

typedef struct hy_pe_exports {
    bool present;
    const char *dll_name;                                   /* NULL when unreadable */
    uint32_t timestamp, ordinal_base, n_functions, n_names; /* raw header values */
    hy_pe_export *e; /* named exports in name-table order, then ordinal-only ones */
    size_t n;
} hy_pe_exports;

typedef struct hy_pe_res_type {
    uint32_t id;   /* RT_* (3 icon, 16 version...) when name is "" */
    char name[32]; /* a named type, its UTF-16 as ASCII ('?' beyond) */
    uint32_t count;
    uint64_t bytes;
} hy_pe_res_type;

typedef struct hy_pe_res_item {
    uint32_t type_id;
    char type_name[32];
    uint32_t lang; /* the language-level id (an LCID such as 0x409) */
    uint32_t rva, size;
    double entropy; /* of the bytes inside the file; -1 when unmapped */
} hy_pe_res_item;

typedef struct hy_pe_resources {
    bool present;
    uint32_t count;      /* resource data entries */
    uint64_t total_size; /* sum of their sizes */
    hy_pe_res_type types[HY_PE_MAX_RES_TYPES];
    size_t n_types;
    uint32_t langs[HY_PE_MAX_RES_LANGS]; /* distinct, in order met */
    size_t n_langs;
    hy_pe_res_item largest[HY_PE_RES_LARGEST]; /* by size, largest first */
    size_t n_largest;
} hy_pe_resources;

typedef struct hy_pe_rich_entry {
    uint32_t comp_id; /* product id << 16 | build number */
    uint32_t count;
} hy_pe_rich_entry;

typedef struct hy_pe_rich {
    bool present;         /* "Rich" found and "DanS" decoded under its key */
    uint32_t offset, end; /* file offsets of "DanS" and of "Rich" */
    uint32_t key;         /* the XOR key stored after "Rich" */
    uint32_t checksum;    /* computed over the DOS header, stub and entries */
    bool checksum_ok;     /* checksum == key */
    hy_pe_rich_entry entries[HY_PE_MAX_RICH_ENTRIES];
    size_t n_entries;
} hy_pe_rich;

typedef struct hy_pe_tls {
    bool present;
    uint64_t start_va, end_va, index_va, callbacks_va; /* virtual addresses */
    uint32_t zero_fill, characteristics;
    uint64_t callbacks[HY_PE_MAX_TLS_CALLBACKS]; /* VAs, up to the null entry */
    size_t n_callbacks;
} hy_pe_tls;

typedef struct hy_pe_cert {
    bool present;          /* security directory non-empty */
    uint32_t offset, size; /* from the directory: a file offset, not an RVA */
    uint32_t length;       /* first WIN_CERTIFICATE: dwLength, wRevision, type */
    uint16_t revision, type;
    bool authenticode; /* inside the file, plausible header, PKCS#7 signed data */
    bool in_overlay;   /* starts at or after the overlay start */
} hy_pe_cert;

typedef struct hy_pe {
    size_t file_size;
    uint32_t e_lfanew;
    /* COFF file header */
    uint16_t machine, n_sections_raw, opt_size, characteristics;
    uint32_t timestamp, symtab_ptr, n_symbols;
    /* optional header; has_opt when the magic was read and known */
    bool has_opt, pe32plus, is_dll;
    uint16_t magic;
    uint8_t linker_major, linker_minor;
    uint32_t size_code, size_init_data, size_uninit_data, entry, base_code, base_data;
    uint64_t image_base;
    uint32_t section_align, file_align;
    uint16_t os_major, os_minor, image_major, image_minor, subsys_major, subsys_minor;
    uint32_t win32_version, size_image, size_headers, checksum;
    uint16_t subsystem, dll_characteristics;
    uint64_t stack_reserve, stack_commit, heap_reserve, heap_commit;
    uint32_t loader_flags, n_rva_sizes;
    hy_pe_dir dirs[HY_PE_NDIRS]; /* zero beyond the ones read */
    /* tables */
    hy_pe_section *sections;
    size_t n_sections;     /* kept (<= HY_PE_MAX_SECTIONS and what the file holds) */
    int32_t entry_section; /* section holding the entry point; -1 if none */
    hy_pe_import_dll *imports, *delay_imports;
    size_t n_imports, n_delay_imports;
    hy_pe_exports exports;
    hy_pe_resources res;
    hy_pe_rich rich;
    hy_pe_tls tls;
    uint64_t overlay_offset, overlay_size; /* size 0: no overlay */
    double overlay_entropy;                /* -1 when no overlay */
    hy_pe_cert cert;
    /* anomalies: the first few of each kind in order, a count and bit per kind */
    hy_pe_anomaly anomalies[HY_PE_MAX_ANOMALIES];
    size_t n_anomalies;
    uint32_t anomaly_count[HY_PE_AN__COUNT];
    uint64_t anomaly_mask; /* bit k set when kind k was seen */
    void *priv;            /* string arena */
} hy_pe;

/* Parses n bytes at p. On HY_OK *out is a heap result the caller frees with
 * hy_pe_free, even for a malformed file (partial contents + anomalies).
 * HY_ERR_FORMAT (detail says why) when there is no MZ header, e_lfanew lies
 * outside the file or no "PE\0\0" is there; HY_ERR_ARG on NULL out (or NULL p
 * with n > 0); HY_ERR_NOMEM. *out is NULL on error. */
hy_err hy_pe_parse(const uint8_t *p, size_t n, hy_pe **out);

/* Frees a result from hy_pe_parse; NULL is a no-op. */
void hy_pe_free(hy_pe *pe);

/* True when kind was seen while parsing pe. */
bool hy_pe_has_anomaly(const hy_pe *pe, hy_pe_anomaly_kind kind);

/* Short constant name of an anomaly kind ("section_raw_past_end"). Never NULL. */
const char *hy_pe_anomaly_str(hy_pe_anomaly_kind kind);

/* File offset of an RVA through the section table (headers map 1:1 below the
 * first section). False when it falls in no file-backed bytes. */
bool hy_pe_rva_to_offset(const hy_pe *pe, uint32_t rva, size_t *off);

/* The import hash as pefile computes it: for each import (not delay-load)
 * in order, "dll.function" lowercased, dll without a .dll/.ocx/.sys
 * extension, an ordinal as its name from pefile's ws2_32/wsock32/oleaut32
 * tables or "ord<N>"; joined by ',' and MD5'd to 32 hex digits. out is ""
 * when there are no imports. HY_ERR_NOMEM; HY_ERR_INTERNAL (no digest). */
hy_err hy_pe_imphash(const hy_pe *pe, char out[33]);

/* Name of an ordinal import from those published tables ("socket" for
 * ws2_32.dll ordinal 23, dll compared case-insensitively); NULL if unknown. */
const char *hy_pe_ordinal_name(const char *dll, uint16_t ordinal);

#endif
