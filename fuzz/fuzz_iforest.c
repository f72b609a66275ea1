/* Fuzzes hy_iforest_load on arbitrary bytes. A refusal must come with a
 * detail and no model; an accepted model must score every probe in (0, 1]
 * and save back to exactly the bytes it was read from (the loader consumes
 * all of them). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/buf.h"
#include "hayate/iforest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Probe k: zeros, huge values, NaN, and values taken from the input. */
static void probe(float *x, size_t cols, int k, const uint8_t *d, size_t n)
{
    for (size_t c = 0; c < cols; c++) {
        switch (k) {
        case 0:
            x[c] = 0;
            break;
        case 1:
            x[c] = (c & 1) ? 3e38f : -3e38f;
            break;
        case 2:
            x[c] = NAN;
            break;
        default:
            x[c] = n ? (float)((int)d[(c * 7 + (size_t)k) % n] - 128) / 16.0f : 0;
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_iforest *f = (hy_iforest *)&size; /* the loader must reset it */
    if (hy_iforest_load(data, size, &f) != HY_OK) {
        if (f || !*hy_err_detail())
            abort();
        return 0;
    }
    size_t cols = hy_iforest_cols(f);
    float *x = malloc(cols * sizeof *x);
    if (!x)
        abort();
    for (int k = 0; k < 5; k++) {
        probe(x, cols, k, data, size);
        double s = hy_iforest_score(f, x, cols);
        if (!(s > 0 && s <= 1))
            abort();
    }
    hy_buf b;
    hy_buf_init(&b, size + 1);
    if (hy_iforest_save(f, &b) != HY_OK || b.len != size || memcmp(b.data, data, size) != 0)
        abort();
    hy_buf_free(&b);
    free(x);
    hy_iforest_destroy(f);
    return 0;
}
