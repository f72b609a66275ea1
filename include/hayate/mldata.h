/* hayate: labelled training data for the malware model (hayate train
 * malware --data FILE), read from untrusted files into one sparse CSR matrix.
 *
 * Formats:
 *  - libsvm / svmlight: "label idx:val idx:val ... [# comment]". Indices are
 *    used as-is as 0-based column numbers (a 1-based file leaves column 0
 *    empty); they must strictly ascend and stay below HY_MLDATA_MAX_COLS.
 *    A label > 0 is malicious (1), anything else benign (0), so both 0/1 and
 *    -1/+1 files work. "qid:" tokens (ranking data) are HY_ERR_UNSUPPORTED.
 *  - CSV: the label (same rule as libsvm) then dense feature values, comma
 *    separated. The first line is a header when some field is neither empty
 *    nor a number. Every row has the header's (else the first row's) field
 *    count; empty, NaN and infinite values are errors. Fields may be
 *    double-quoted (taken verbatim between the quotes, no embedded newlines).
 *  - EMBER vectorized (elastic/ember create_vectorized_features): X_*.dat is
 *    raw little-endian float32 rows of HY_EMBER_DIM (2,381) values, its
 *    labels are in the file named by replacing the leading "X_" with "y_"
 *    (float32 per row: 0, 1, or -1 = unlabelled, skipped and counted). Given
 *    a directory, X_train.dat and y_train.dat in it are read (train only).
 *    Read in chunks; rows in errors count from 0 as in numpy.
 *  - APISEQ (MalBehavD-V1): "sha256,labels,0,1,..." then per row a sample
 *    id, a label 0 or 1 and a Windows API-call sequence (empty cells are
 *    ignored). Features: each call (unigram) and each pair of consecutive
 *    calls, as the text "a>b" (bigram), counted with scikit-learn
 *    FeatureHasher semantics (hy_ember_hash_add: signed MurmurHash3, seed 0,
 *    alternate sign) into HY_MLDATA_APISEQ_DIM columns; a bin's count c is
 *    stored as sign(c) * log1p(|c|).
 * In all text formats, blank lines and lines starting with '#' are skipped
 * ('#' also starts a comment inside a libsvm line), "\r\n" line ends are
 * accepted, and a line is at most HY_MLDATA_MAX_LINE bytes.
 *
 * Errors are HY_ERR_FORMAT (malformed), HY_ERR_TRUNCATED (a cut .dat),
 * HY_ERR_TOOBIG (a cap of limits.h), HY_ERR_UNSUPPORTED (qid), HY_ERR_IO,
 * HY_ERR_NOMEM, HY_ERR_ARG; the detail names the file, then "line N" (text,
 * from 1) or "row N" (.dat, from 0), then the fault. Functions are
 * reentrant. */
#ifndef HAYATE_MLDATA_H
#define HAYATE_MLDATA_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Columns of an APISEQ data set (hashed unigrams and bigrams). */
#define HY_MLDATA_APISEQ_DIM 4096u

typedef enum {
    HY_MLDATA_UNKNOWN = -1, /* hy_mldata_format_from_name: no such format */
    HY_MLDATA_AUTO,         /* decide from the path and the first content line */
    HY_MLDATA_LIBSVM,
    HY_MLDATA_CSV,
    HY_MLDATA_EMBER,
    HY_MLDATA_APISEQ
} hy_mldata_format;

typedef struct hy_mldata {
    size_t rows, cols; /* cols = 1 + largest column index seen (or the declared width) */
    size_t *indptr;    /* CSR: rows + 1 offsets; row r is [indptr[r], indptr[r + 1]) */
    uint32_t *indices; /* column of each stored value, ascending within a row */
    float *values;     /* stored values, finite; zeros are NOT stored (0 means "absent") */
    float *labels;     /* per row: 0 (benign) or 1 (malicious) */
    size_t skipped;    /* rows dropped: unlabelled (EMBER -1) */
} hy_mldata;

/* Reads the data set at path (a file; for EMBER also a directory) in format
 * fmt. AUTO: a directory or a name ending in ".dat" is EMBER; otherwise the
 * first content line decides: starting "sha256,labels" is APISEQ, an
 * "idx:val" second token is libsvm, else CSV. Only regular files are read.
 * Zero rows is not an error. *out (free with hy_mldata_free) is NULL on
 * error. HY_ERR_ARG: NULL pointers, a bad fmt, a directory for a text
 * format; see the top of this file for the rest. */
hy_err hy_mldata_load(const char *path, hy_mldata_format fmt, hy_mldata **out);

/* Parses n bytes at buf (a text format or AUTO; EMBER is HY_ERR_ARG) as
 * hy_mldata_load would a file; name (NULL: "<memory>") prefixes errors. */
hy_err hy_mldata_parse(const char *name, const uint8_t *buf, size_t n, hy_mldata_format fmt,
                       hy_mldata **out);

/* The format named s, case-insensitively: "auto", "libsvm" (or
 * "svmlight"), "csv", "ember", "apiseq"; HY_MLDATA_UNKNOWN (-1) for any
 * other string or NULL. */
hy_mldata_format hy_mldata_format_from_name(const char *s);

/* Frees d (NULL is fine). */
void hy_mldata_free(hy_mldata *d);

/* Splits d by row: rows with in_test[r] != 0 go to *test, the others to
 * *train, in order; both keep d's cols and have skipped 0 (either may have
 * 0 rows). HY_ERR_ARG on NULL pointers, HY_ERR_NOMEM; outputs NULL on
 * error. */
hy_err hy_mldata_split(const hy_mldata *d, const uint8_t *in_test, hy_mldata **train,
                       hy_mldata **test);

/* Assigns each row of d a fold 0..k-1 in fold[0..rows), stratified: the
 * rows of each label are shuffled (seeded, deterministic) and dealt round
 * robin, the second label continuing where the first stopped, so every
 * fold holds floor or ceil of n_label / k rows of each label and
 * floor or ceil of rows / k in all. HY_ERR_ARG: NULL pointers, k < 2,
 * k > 255 or k > rows. HY_ERR_NOMEM. */
hy_err hy_mldata_folds(const hy_mldata *d, unsigned k, uint64_t seed, uint8_t *fold);

#endif
