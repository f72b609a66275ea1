/* hayate: the EMBER feature vector (feature version 2, 2,381 floats) of a
 * file, so models trained on EMBER-format data (Anderson & Roth 2018, the
 * elastic/ember repository's features.py) score hayate's files. Layout and
 * semantics follow features.py; where it relies on LIEF, the values come
 * from hy_pe (docs/malware.md, "EMBER features", lists each mapping). */
#ifndef HAYATE_EMBER_H
#define HAYATE_EMBER_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "pe.h"

/* Group offsets and sizes, in features.py's PEFeatureExtractor order. */
enum {
    HY_EMBER_HISTOGRAM_OFF = 0, /* ByteHistogram: 256, byte counts / total */
    HY_EMBER_HISTOGRAM_DIM = 256,
    HY_EMBER_BYTEENTROPY_OFF = 256, /* ByteEntropyHistogram: 16 entropy x 16 nibble bins */
    HY_EMBER_BYTEENTROPY_DIM = 256,
    HY_EMBER_STRINGS_OFF = 512, /* StringExtractor */
    HY_EMBER_STRINGS_DIM = 104,
    HY_EMBER_GENERIC_DIM = 616, /* histogram + byteentropy + strings: format-agnostic */
    HY_EMBER_GENERAL_OFF = 616, /* GeneralFileInfo */
    HY_EMBER_GENERAL_DIM = 10,
    HY_EMBER_HEADER_OFF = 626, /* HeaderFileInfo */
    HY_EMBER_HEADER_DIM = 62,
    HY_EMBER_SECTION_OFF = 688, /* SectionInfo */
    HY_EMBER_SECTION_DIM = 255,
    HY_EMBER_IMPORTS_OFF = 943, /* ImportsInfo: 256 libraries + 1024 "lib:function" */
    HY_EMBER_IMPORTS_DIM = 1280,
    HY_EMBER_EXPORTS_OFF = 2223, /* ExportsInfo */
    HY_EMBER_EXPORTS_DIM = 128,
    HY_EMBER_DATADIR_OFF = 2351, /* DataDirectories: 15 x (size, rva) */
    HY_EMBER_DATADIR_DIM = 30,
    HY_EMBER_DIM = 2381,
    HY_EMBER_NGROUPS = 9,
};

/* One feature group: features.py's name ("histogram", "byteentropy",
 * "strings", "general", "header", "section", "imports", "exports",
 * "datadirectories"), its offset and size. */
typedef struct hy_ember_group {
    const char *name;
    size_t offset, dim;
} hy_ember_group;

/* The nine groups in vector order (HY_EMBER_NGROUPS entries). */
extern const hy_ember_group hy_ember_groups[HY_EMBER_NGROUPS];

/* Name of the group holding dimension dim; NULL when dim >= HY_EMBER_DIM. */
const char *hy_ember_group_name(size_t dim);

/* MurmurHash3 x86_32 of n bytes at p (Appleby's published algorithm). */
uint32_t hy_murmur3_32(const void *p, size_t n, uint32_t seed);

/* scikit-learn FeatureHasher (alternate_sign) for one feature: h is the
 * signed MurmurHash3 (seed 0) of the n bytes at s, bins[|h| mod nbins] +=
 * value when h >= 0, -= value otherwise. input_type "string" is value 1;
 * "pair" (name, value) passes the value. */
void hy_ember_hash_add(double *bins, size_t nbins, const char *s, size_t n, double value);

/* The EMBER v2 vector of n bytes at p into out. pe is hy_pe_parse's result
 * for the same bytes, or NULL when the file is not a PE or did not parse: the
 * PE groups then hold what features.py gives when LIEF fails (zeros, except
 * the header's hashed empty machine/subsystem/magic strings). An empty file
 * gives zeros where EMBER would divide by zero. HY_ERR_ARG on NULL out or
 * NULL p with n > 0. Deterministic; O(n) time, no allocation. */
hy_err hy_ember_features(const uint8_t *p, size_t n, const hy_pe *pe, float out[HY_EMBER_DIM]);

/* The format-agnostic groups (histogram, byteentropy, strings) of n bytes at
 * p into out[0..HY_EMBER_GENERIC_DIM); the first dims of both
 * hy_ember_features and hy_elf_features. HY_ERR_ARG on NULL out or NULL p
 * with n > 0. Deterministic; O(n) time, no allocation. */
hy_err hy_ember_generic_groups(const uint8_t *p, size_t n, float out[HY_EMBER_GENERIC_DIM]);

/* The PE groups alone (general from offset HY_EMBER_GENERAL_OFF to the end),
 * written to out + HY_EMBER_GENERAL_OFF; used by hy_ember_features. */
void hy_ember_pe_groups(size_t file_size, const hy_pe *pe, float out[HY_EMBER_DIM]);

#endif
