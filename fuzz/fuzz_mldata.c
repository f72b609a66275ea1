/* libFuzzer target for the training-data text parsers (include/hayate/
 * mldata.h). Input: 1 byte picking the format (low 2 bits: libsvm, CSV,
 * APISEQ, AUTO), then the text. Checks that
 *  - a refusal leaves *out NULL and names the input and a line;
 *  - an accepted data set is well-formed CSR: indptr from 0, non-decreasing,
 *    indices ascending within a row and below cols, values finite and
 *    non-zero, labels 0 or 1, APISEQ exactly HY_MLDATA_APISEQ_DIM columns;
 *  - splitting it by an input-picked mask keeps every row, and 2-fold
 *    stratified folds are deterministic and in range. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/mldata.h"

#include "fuzz_check.h"

static void check_csr(const hy_mldata *d, hy_mldata_format fmt)
{
    CHECK(d->indptr[0] == 0);
    if (fmt == HY_MLDATA_APISEQ)
        CHECK(d->cols == HY_MLDATA_APISEQ_DIM);
    for (size_t r = 0; r < d->rows; r++) {
        CHECK(d->indptr[r + 1] >= d->indptr[r]);
        CHECK(d->labels[r] == 0.0f || d->labels[r] == 1.0f);
        for (size_t i = d->indptr[r]; i < d->indptr[r + 1]; i++) {
            CHECK(d->indices[i] < d->cols);
            CHECK(i == d->indptr[r] || d->indices[i] > d->indices[i - 1]);
            CHECK(isfinite(d->values[i]) && d->values[i] != 0.0f);
        }
    }
    CHECK(d->skipped == 0);
}

static void check_split_folds(const hy_mldata *d, const uint8_t *data, size_t size)
{
    uint8_t *mask = malloc(d->rows + 1), *f1 = malloc(d->rows + 1), *f2 = malloc(d->rows + 1);
    CHECK(mask && f1 && f2);
    for (size_t r = 0; r < d->rows; r++)
        mask[r] = size ? data[r % size] & 1 : 0;
    hy_mldata *tr = NULL, *te = NULL;
    CHECK(hy_mldata_split(d, mask, &tr, &te) == HY_OK);
    CHECK(tr->rows + te->rows == d->rows);
    CHECK(tr->indptr[tr->rows] + te->indptr[te->rows] == d->indptr[d->rows]);
    hy_mldata_free(tr);
    hy_mldata_free(te);
    if (d->rows >= 2) {
        CHECK(hy_mldata_folds(d, 2, d->rows, f1) == HY_OK);
        CHECK(hy_mldata_folds(d, 2, d->rows, f2) == HY_OK);
        CHECK(memcmp(f1, f2, d->rows) == 0);
        for (size_t r = 0; r < d->rows; r++)
            CHECK(f1[r] < 2);
    }
    free(mask);
    free(f1);
    free(f2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const hy_mldata_format fmts[4] = {HY_MLDATA_LIBSVM, HY_MLDATA_CSV, HY_MLDATA_APISEQ,
                                             HY_MLDATA_AUTO};
    if (size < 1)
        return 0;
    hy_mldata_format fmt = fmts[data[0] & 3];
    hy_mldata *d = (hy_mldata *)&d; /* must be overwritten */
    hy_err rc = hy_mldata_parse("fuzz", data + 1, size - 1, fmt, &d);
    if (rc != HY_OK) {
        CHECK(d == NULL);
        CHECK(rc != HY_ERR_INTERNAL && rc != HY_ERR_ARG);
        CHECK(strncmp(hy_err_detail(), "fuzz: line ", 11) == 0);
        return 0;
    }
    CHECK(d != NULL);
    check_csr(d, fmt);
    check_split_folds(d, data + 1, size - 1);
    hy_mldata_free(d);
    return 0;
}
