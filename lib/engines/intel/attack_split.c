/* Report-grouped fold assignment, and the word shingles that keep
 * training-only sentences quoting a held-out report out of training
 * (attack_model_int.h). */
#include "attack_model_int.h"
#include "core/fnv.h"

#include <stdlib.h>
#include <string.h>

/* ---- report-grouped folds ---- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

typedef struct grp {
    size_t size;
    uint64_t key;
    uint32_t id;
} grp;

static int grp_cmp(const void *p, const void *q)
{
    const grp *a = p, *b = q;
    if (a->size != b->size)
        return a->size < b->size ? 1 : -1;
    return (a->key > b->key) - (a->key < b->key);
}

/* Rows of each group, CSR (start[g]..start[g + 1] in rows_of). */
static hy_err group_rows(const uint32_t *group, size_t n, size_t ngroups, size_t **start,
                         size_t **rows_of)
{
    *start = calloc(ngroups + 1, sizeof **start);
    *rows_of = malloc((n ? n : 1) * sizeof **rows_of);
    if (!*start || !*rows_of)
        return hy_err_set(HY_ERR_NOMEM, "folds: %zu rows", n);
    for (size_t i = 0; i < n; i++)
        (*start)[group[i] + 1]++;
    for (size_t g = 0; g < ngroups; g++)
        (*start)[g + 1] += (*start)[g];
    size_t *fill = malloc((ngroups + 1) * sizeof *fill);
    if (!fill)
        return hy_err_set(HY_ERR_NOMEM, "folds: %zu groups", ngroups);
    memcpy(fill, *start, (ngroups + 1) * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        (*rows_of)[fill[group[i]]++] = i;
    free(fill);
    return HY_OK;
}

/* The fold for group g: where its rows' classes (and its size) are least
 * represented so far, relative to their totals. */
static unsigned best_fold(const uint32_t *label, const size_t *rows, size_t m, size_t nclass,
                          unsigned k, const double *cnt, const double *tot, size_t n)
{
    unsigned best = 0;
    double bc = 0;
    for (unsigned f = 0; f < k; f++) {
        const double *cf = cnt + (size_t)f * (nclass + 1);
        double c = (double)m * cf[nclass] / (double)n;
        for (size_t i = 0; i < m; i++)
            c += cf[label[rows[i]]] / tot[label[rows[i]]];
        if (f == 0 || c < bc)
            best = f, bc = c;
    }
    return best;
}

hy_err at_group_folds(const uint32_t *label, const uint32_t *group, size_t n, size_t ngroups,
                      size_t nclass, unsigned k, uint64_t seed, uint8_t *fold_of_group)
{
    size_t *start = NULL, *rows_of = NULL;
    double *cnt = NULL, *tot = NULL;
    grp *g = NULL;
    hy_err rc;
    if (!label || !group || !fold_of_group || k < 2 || k > HY_ATTACK_MAX_FOLDS || !nclass)
        return hy_err_set(HY_ERR_ARG, "folds: bad arguments (k %u)", k);
    for (size_t i = 0; i < n; i++)
        if (group[i] >= ngroups || label[i] >= nclass)
            return hy_err_set(HY_ERR_ARG, "folds: row %zu has group or label out of range", i);
    if ((rc = group_rows(group, n, ngroups, &start, &rows_of)) != HY_OK)
        goto out;
    cnt = calloc((size_t)k * (nclass + 1), sizeof *cnt);
    tot = calloc(nclass, sizeof *tot);
    g = malloc((ngroups ? ngroups : 1) * sizeof *g);
    if (!cnt || !tot || !g) {
        rc = hy_err_set(HY_ERR_NOMEM, "folds: %zu groups", ngroups);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        tot[label[i]]++;
    for (size_t i = 0; i < ngroups; i++)
        g[i] = (grp){start[i + 1] - start[i], mix64(seed ^ mix64(i + 1)), (uint32_t)i};
    qsort(g, ngroups, sizeof *g, grp_cmp);
    for (size_t i = 0; i < ngroups; i++) {
        const size_t *r = rows_of + start[g[i].id];
        unsigned f = best_fold(label, r, g[i].size, nclass, k, cnt, tot, n ? n : 1);
        double *cf = cnt + (size_t)f * (nclass + 1);
        for (size_t j = 0; j < g[i].size; j++)
            cf[label[r[j]]]++;
        cf[nclass] += (double)g[i].size;
        fold_of_group[g[i].id] = (uint8_t)f;
    }
out:
    free(start);
    free(rows_of);
    free(cnt);
    free(tot);
    free(g);
    return rc;
}

/* ---- shingles ---- */

#define SH_MIN 4u
#define SH_MAX 8u

struct at_shingles {
    uint64_t *h;
    size_t n, cap;
};

/* Hashes of the lowercase words (runs of ASCII letters and digits, and
 * bytes >= 0x80) of t[0..n). */
static hy_err words_of(const char *t, size_t n, uint64_t **w, size_t *nw, size_t *cap)
{
    *nw = 0;
    for (size_t i = 0; i < n;) {
        uint64_t h = HY_FNV64_INIT;
        size_t j = i;
        for (; j < n; j++) {
            unsigned char c = (unsigned char)t[j];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c >= 0x80))
                break;
            h = hy_fnv64_byte(h, hy_ascii_lower(c));
        }
        if (j == i) {
            i++;
            continue;
        }
        if (*nw == *cap) {
            size_t c = *cap ? *cap * 2 : 256;
            uint64_t *p = realloc(*w, c * sizeof *p);
            if (!p)
                return hy_err_set(HY_ERR_NOMEM, "shingles: out of memory");
            *w = p;
            *cap = c;
        }
        (*w)[(*nw)++] = h;
        i = j;
    }
    return HY_OK;
}

static uint64_t run_hash(const uint64_t *w, size_t m)
{
    uint64_t h = mix64(m);
    for (size_t i = 0; i < m; i++)
        h = mix64(h ^ w[i]) + i;
    return h;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static hy_err sh_push(at_shingles *s, uint64_t h)
{
    if (s->n == s->cap) {
        size_t c = s->cap ? s->cap * 2 : 4096;
        uint64_t *p = realloc(s->h, c * sizeof *p);
        if (!p)
            return hy_err_set(HY_ERR_NOMEM, "shingles: out of memory");
        s->h = p;
        s->cap = c;
    }
    s->h[s->n++] = h;
    return HY_OK;
}

hy_err at_shingles_build(const char *const *text, const size_t *len, size_t n, at_shingles **out)
{
    uint64_t *w = NULL;
    size_t nw = 0, cap = 0;
    hy_err rc = HY_OK;
    at_shingles *s = calloc(1, sizeof *s);
    if (!s)
        return hy_err_set(HY_ERR_NOMEM, "shingles: out of memory");
    for (size_t t = 0; t < n && rc == HY_OK; t++) {
        if (!text[t] || (rc = words_of(text[t], len[t], &w, &nw, &cap)) != HY_OK)
            continue;
        for (size_t m = SH_MIN; m <= SH_MAX && rc == HY_OK; m++)
            for (size_t i = 0; i + m <= nw && rc == HY_OK; i++)
                rc = sh_push(s, run_hash(w + i, m));
    }
    free(w);
    if (rc != HY_OK) {
        at_shingles_free(s);
        return rc;
    }
    if (s->n)
        qsort(s->h, s->n, sizeof *s->h, u64_cmp);
    *out = s;
    return HY_OK;
}

static bool sh_has(const at_shingles *s, uint64_t h)
{
    return s->n && bsearch(&h, s->h, s->n, sizeof h, u64_cmp);
}

bool at_shingles_hit(const at_shingles *s, const char *text, size_t len)
{
    uint64_t *w = NULL;
    size_t nw = 0, cap = 0;
    bool hit = true;
    if (s && text && words_of(text, len, &w, &nw, &cap) == HY_OK && nw >= SH_MIN) {
        hit = false;
        size_t m = nw < SH_MAX ? nw : SH_MAX;
        for (size_t i = 0; i + m <= nw && !hit; i++)
            hit = sh_has(s, run_hash(w + i, m));
    }
    free(w);
    return hit;
}

void at_shingles_free(at_shingles *s)
{
    if (!s)
        return;
    free(s->h);
    free(s);
}
