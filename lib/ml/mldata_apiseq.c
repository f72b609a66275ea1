/* Training data, APISEQ rows (MalBehavD-V1): a sample id, a 0/1 label and
 * a Windows API-call sequence, turned into hashed unigram and bigram counts
 * (scikit-learn FeatureHasher semantics through hy_ember_hash_add) stored
 * as sign(c) * log1p(|c|). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hayate/ember.h"
#include "hayate/limits.h"
#include "mldata_int.h"

/* Allocates the per-row bins and the bigram buffer on first use. */
static hy_err ensure_buffers(hy__mld_text *t)
{
    if (!t->bins)
        t->bins = malloc(HY_MLDATA_APISEQ_DIM * sizeof *t->bins);
    if (!t->scratch)
        t->scratch = malloc((size_t)HY_MLDATA_MAX_LINE + 2);
    if (!t->bins || !t->scratch)
        return hy_err_set(HY_ERR_NOMEM, "out of memory");
    return HY_OK;
}

static bool is_header(const hy__mld_field *f)
{
    return f->n == 6 && strncasecmp(f->p, "sha256", 6) == 0;
}

/* Reads the label field: "0" or "1". */
static hy_err apiseq_label(hy__mld_fields *it, float *label)
{
    hy__mld_field f;
    char shown[48];
    int k = hy__mld_next_field(it, &f);
    if (k < 0)
        return HY_ERR_FORMAT;
    if (k == 0)
        return hy_err_set(HY_ERR_FORMAT, "missing label (only a sample id)");
    if (f.n != 1 || (f.p[0] != '0' && f.p[0] != '1'))
        return hy_err_set(HY_ERR_FORMAT, "label \"%s\" is not 0 or 1", hy__mld_show(shown, f.p, f.n));
    *label = f.p[0] == '1' ? 1.0f : 0.0f;
    return HY_OK;
}

/* Hashes the calls of the rest of the line into t->bins. A bigram is "a>b"
 * built in t->scratch (both names lie in one line, so it fits). */
static hy_err hash_calls(hy__mld_text *t, hy__mld_fields *it)
{
    hy__mld_field f, prev = {NULL, 0};
    int k;
    memset(t->bins, 0, HY_MLDATA_APISEQ_DIM * sizeof *t->bins);
    while ((k = hy__mld_next_field(it, &f)) == 1) {
        if (f.n == 0)
            continue; /* padding cells */
        hy_ember_hash_add(t->bins, HY_MLDATA_APISEQ_DIM, f.p, f.n, 1.0);
        if (prev.p) {
            memcpy(t->scratch, prev.p, prev.n);
            t->scratch[prev.n] = '>';
            memcpy(t->scratch + prev.n + 1, f.p, f.n);
            hy_ember_hash_add(t->bins, HY_MLDATA_APISEQ_DIM, t->scratch, prev.n + 1 + f.n, 1.0);
        }
        prev = f;
    }
    return k < 0 ? HY_ERR_FORMAT : HY_OK;
}

hy_err hy__mld_apiseq_line(hy__mld_text *t, const char *s, size_t n)
{
    hy__mld_fields it = {s, s + n, false};
    hy__mld_field id;
    float label = 0.0f;
    hy_err rc = ensure_buffers(t);
    if (rc != HY_OK)
        return rc;
    if (hy__mld_next_field(&it, &id) < 0)
        return HY_ERR_FORMAT;
    if (t->b.d->rows == 0 && is_header(&id))
        return HY_OK; /* "sha256,labels,0,1,..." */
    if (id.n == 0)
        return hy_err_set(HY_ERR_FORMAT, "empty sample id");
    if ((rc = apiseq_label(&it, &label)) != HY_OK || (rc = hash_calls(t, &it)) != HY_OK)
        return rc;
    for (uint32_t j = 0; j < HY_MLDATA_APISEQ_DIM; j++) {
        double c = t->bins[j];
        if (c != 0.0 && (rc = hy__mld_add(&t->b, j, (float)copysign(log1p(fabs(c)), c))) != HY_OK)
            return rc;
    }
    return hy__mld_end_row(&t->b, label);
}
