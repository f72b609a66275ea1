/* hayate: a fixed-length feature vector for ELF files, analogous to EMBER v2
 * for PE (ember.h). The first HY_EMBER_GENERIC_DIM floats are EMBER's
 * format-agnostic groups (byte histogram, byte/entropy histogram, strings),
 * identical to hy_ember_features'; the ELF groups that follow mirror EMBER's
 * PE groups and take their values from hy_elf. Strings are hashed with
 * hy_ember_hash_add (scikit-learn FeatureHasher semantics). docs/malware.md,
 * "ELF features", lists every field. */
#ifndef HAYATE_ELFVEC_H
#define HAYATE_ELFVEC_H

#include <stddef.h>
#include <stdint.h>

#include "elf.h"
#include "ember.h"
#include "error.h"

/* Group offsets and sizes. */
enum {
    HY_ELFVEC_GENERIC_DIM = HY_EMBER_GENERIC_DIM, /* histogram, byteentropy, strings */
    HY_ELFVEC_GENERAL_OFF = 616,                  /* sizes, presence flags, table counts */
    HY_ELFVEC_GENERAL_DIM = 16,
    HY_ELFVEC_HEADER_OFF = 632, /* 20 numbers, then 6 hashed blocks of 10 */
    HY_ELFVEC_HEADER_DIM = 80,
    HY_ELFVEC_HEADER_HBINS = 10,
    HY_ELFVEC_SECTION_OFF = 712, /* 5 counts, then 6 hashed blocks of 50 */
    HY_ELFVEC_SECTION_DIM = 305,
    HY_ELFVEC_SECTION_HBINS = 50,
    HY_ELFVEC_SEGMENT_OFF = 1017, /* 6 counts, then 5 hashed blocks of 50 */
    HY_ELFVEC_SEGMENT_DIM = 256,
    HY_ELFVEC_SEGMENT_HBINS = 50,
    HY_ELFVEC_IMPORTS_OFF = 1273, /* 256 DT_NEEDED libraries + 1024 undefined dynsyms */
    HY_ELFVEC_IMPORTS_DIM = 1280,
    HY_ELFVEC_IMPORTS_LIBS = 256,
    HY_ELFVEC_IMPORTS_SYMS = 1024,
    HY_ELFVEC_EXPORTS_OFF = 2553, /* 128, exported dynsyms */
    HY_ELFVEC_EXPORTS_DIM = 128,
    HY_ELFVEC_ANOMALIES_OFF = 2681, /* count per hy_elf_anomaly_kind (kinds < 64) */
    HY_ELFVEC_ANOMALIES_DIM = 64,
    HY_ELFVEC_DIM = 2745,
    HY_ELFVEC_NGROUPS = 10,
};

/* The ten groups in vector order: "histogram", "byteentropy", "strings",
 * "general", "header", "section", "segment", "imports", "exports",
 * "anomalies". Same type as EMBER's table. */
extern const hy_ember_group hy_elfvec_groups[HY_ELFVEC_NGROUPS];

/* Name of the group holding dimension dim; NULL when dim >= HY_ELFVEC_DIM. */
const char *hy_elfvec_group_name(size_t dim);

/* The ELF vector of n bytes at p into out. elf is hy_elf_parse's result for
 * the same bytes, or NULL when the file is not an ELF or did not parse: the
 * ELF groups are then zero except the file size and the header's hashed
 * empty type/machine/OS-ABI strings (as EMBER does when LIEF fails).
 * HY_ERR_ARG on NULL out or NULL p with n > 0. Deterministic; O(n + size of
 * the parsed tables) time, no allocation. */
hy_err hy_elf_features(const uint8_t *p, size_t n, const hy_elf *elf, float out[HY_ELFVEC_DIM]);

#endif
