/* The screener's supervised model: cost-sensitive gradient-boosted trees
 * over the alert features, trained from analysts' verdicts. */
#include "engines/screen/screen_int.h"

#include <math.h>
#include <stdlib.h>

#include "hayate/gbm.h"
#include "hayate/mldata.h"

/* The rows as a sparse set (zeros are absent, as hy_gbm expects; so are
 * NaN, features missing from an older alert). */
static hy_err to_mldata(const float *x, const float *y, size_t rows, hy_mldata **out)
{
    hy_mldata *d = calloc(1, sizeof *d);
    size_t nnz = 0;
    if (!d)
        return hy_err_set(HY_ERR_NOMEM, "screen: training set");
    d->rows = rows;
    d->cols = HY_SF__COUNT;
    d->indptr = malloc((rows + 1) * sizeof *d->indptr);
    d->indices = malloc(rows * HY_SF__COUNT * sizeof *d->indices);
    d->values = malloc(rows * HY_SF__COUNT * sizeof *d->values);
    d->labels = malloc(rows * sizeof *d->labels);
    if (!d->indptr || !d->indices || !d->values || !d->labels) {
        hy_mldata_free(d);
        return hy_err_set(HY_ERR_NOMEM, "screen: training set");
    }
    for (size_t r = 0; r < rows; r++) {
        d->indptr[r] = nnz;
        for (uint32_t c = 0; c < HY_SF__COUNT; c++) {
            float v = x[r * HY_SF__COUNT + c];
            if (v != 0 && !isnan(v)) {
                d->indices[nnz] = c;
                d->values[nnz++] = v;
            }
        }
        d->labels[r] = y[r] > 0.5f ? 1.0f : 0.0f;
    }
    d->indptr[rows] = nnz;
    *out = d;
    return HY_OK;
}

hy_err hy_screen_train_model(const float *x, const float *y, size_t rows, double pos_weight,
                             struct hy_gbm **out)
{
    hy_mldata *d = NULL;
    hy_gbm_params p;
    if (!x || !y || !out || rows < 2 || !(pos_weight > 0))
        return hy_err_set(HY_ERR_ARG, "screen: model needs >= 2 rows and a positive weight");
    hy_err e = to_mldata(x, y, rows, &d);
    if (e != HY_OK)
        return e;
    hy_gbm_params_default(&p);
    p.rounds = 100;
    p.max_depth = 4;
    p.colsample = 1;
    p.pos_weight = pos_weight;
    p.threads = 1;
    e = hy_gbm_train(d, &p, out);
    hy_mldata_free(d);
    return e;
}
