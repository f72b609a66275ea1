/* Internals of the training-data loaders (include/hayate/mldata.h): the CSR
 * builder every format fills, the line-by-line text parser, the EMBER .dat
 * reader. */
#ifndef HY_ML_MLDATA_INT_H
#define HY_ML_MLDATA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hayate/mldata.h"

/* A hy_mldata being filled row by row, growing geometrically up to the
 * caps of limits.h. */
typedef struct hy__mld_build {
    hy_mldata *d;
    size_t nnz;               /* values stored, the open row's included */
    size_t cap_rows, cap_nnz; /* allocated entries of labels / indices, values */
} hy__mld_build;

/* An empty data set (indptr[0] = 0). HY_ERR_NOMEM. */
hy_err hy__mld_build_init(hy__mld_build *b);

/* Appends value v at column col (< HY_MLDATA_MAX_COLS, above the row's last
 * column) to the open row; cols grows to col + 1; a zero is not stored.
 * HY_ERR_TOOBIG past HY_MLDATA_MAX_NNZ, HY_ERR_NOMEM. */
hy_err hy__mld_add(hy__mld_build *b, uint32_t col, float v);

/* Closes the open row with its label (values added since the last row
 * are its own). HY_ERR_TOOBIG past
 * HY_MLDATA_MAX_ROWS, HY_ERR_NOMEM. */
hy_err hy__mld_end_row(hy__mld_build *b, float label);

/* Hands over the data set (the builder is empty afterwards). */
hy_mldata *hy__mld_build_take(hy__mld_build *b);

/* Frees what the builder holds. */
void hy__mld_build_free(hy__mld_build *b);

/* Line-by-line parser state of the text formats. */
typedef struct hy__mld_text {
    const char *name;      /* for errors */
    hy_mldata_format fmt;  /* AUTO until the first content line decides */
    hy__mld_build b;
    size_t line;           /* 1-based number of the line being parsed */
    bool started;          /* a content line was seen */
    size_t width;          /* CSV: fields per row, 0 until known */
    size_t width_line;     /* CSV: the line that fixed width */
    double *bins;          /* APISEQ: HY_MLDATA_APISEQ_DIM counts */
    char *scratch;         /* APISEQ: a bigram's text */
} hy__mld_text;

/* Starts a parse of format fmt (AUTO or a text format) named name. */
hy_err hy__mld_text_init(hy__mld_text *t, const char *name, hy_mldata_format fmt);

/* Parses the next line (n bytes at s, no '\n'); errors name file and line. */
hy_err hy__mld_text_line(hy__mld_text *t, const char *s, size_t n);

/* Ends the parse: *out gets the data set. */
hy_err hy__mld_text_finish(hy__mld_text *t, hy_mldata **out);

/* Frees the parser (after finish too). */
void hy__mld_text_free(hy__mld_text *t);

/* One comma-separated field: [p, p + n), quotes removed. */
typedef struct hy__mld_field {
    const char *p;
    size_t n;
} hy__mld_field;

/* Cursor over the comma-separated fields of one line. */
typedef struct hy__mld_fields {
    const char *p, *end;
    bool done;
} hy__mld_fields;

/* Next field into *f: 1 when there is one, 0 at the end of the line, -1 on
 * a quoting error (detail set). Unquoted fields are trimmed of blanks. */
int hy__mld_next_field(hy__mld_fields *it, hy__mld_field *f);

/* Number parse results. */
typedef enum { HY__MLD_NUM_OK, HY__MLD_NUM_BAD, HY__MLD_NUM_NONFINITE, HY__MLD_NUM_RANGE } hy__mld_num;

/* Parses n bytes at s as a decimal float (C syntax without hex, NaN or
 * infinity; finite as float) into *v. NONFINITE: a NaN or infinity
 * spelling; RANGE: beyond float's range. */
hy__mld_num hy__mld_number(const char *s, size_t n, double *v);

/* Writes s[0..n) to out (size >= 48) for an error message: at most 32
 * bytes, non-printable bytes as '?', "..." when cut. */
const char *hy__mld_show(char *out, const char *s, size_t n);

/* The per-format line parsers (the line is non-blank, '\r' removed). */
hy_err hy__mld_libsvm_line(hy__mld_text *t, const char *s, size_t n);
hy_err hy__mld_csv_line(hy__mld_text *t, const char *s, size_t n);
hy_err hy__mld_apiseq_line(hy__mld_text *t, const char *s, size_t n);

/* True when the first content line s[0..n) looks like libsvm: its second
 * blank-separated token is "digits:..." or "qid:...". */
bool hy__mld_looks_libsvm(const char *s, size_t n);

/* Reads an EMBER X/y pair: path is a directory (X_train.dat, y_train.dat
 * in it) or an X_ file. */
hy_err hy__mld_ember_load(const char *path, bool is_dir, hy_mldata **out);

#endif
