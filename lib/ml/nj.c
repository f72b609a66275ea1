/* Neighbour joining (Saitou & Nei 1987) in Studier & Keppler's O(n^3)
 * form.
 *
 * With r clusters left and row sums R(i) = sum_k d(i, k), each step joins
 * the pair minimising Q(i, j) = (r - 2) d(i, j) - R(i) - R(j) into a new
 * node u with
 *   L(i) = d(i, j) / 2 + (R(i) - R(j)) / (2 (r - 2)),  L(j) = d(i, j) - L(i),
 *   d(u, k) = (d(i, k) + d(j, k) - d(i, j)) / 2.
 *
 * Layout: the packed lower triangle of the matrix, rows of the active
 * clusters kept in slots 0..r-1 (u takes the lower slot of the pair, the
 * last slot moves into the higher one), so the Q search walks contiguous
 * memory; R is updated from the d(u, k) the step computes anyway, so a step
 * costs O(r) beside the O(r^2) search. The search computes, per row i,
 * min_j ((r - 2) d(i, j) - R(j)) (vectorised) and only then subtracts
 * R(i). Measured (2 cores, loaded): n = 2,000 in about 1-2 s. */
#include "hayate/tree.h"
#include "tree_int.h"

#include <math.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

hy_err hy__nj_check(const double *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(d[i * n + i]) || d[i * n + i] < 0)
            return hy_err_set(HY_ERR_ARG, "nj: d[%zu][%zu] = %g (need finite, >= 0)", i, i,
                              d[i * n + i]);
        for (size_t j = 0; j < i; j++) {
            double a = d[i * n + j], b = d[j * n + i];
            if (!(a >= 0 && a <= HY_NJ_MAX_DIST))
                return hy_err_set(HY_ERR_ARG, "nj: d[%zu][%zu] = %g (need 0..%g)", i, j, a,
                                  HY_NJ_MAX_DIST);
            if (!(fabs(a - b) <= 1e-9 * fmax(a, b)))
                return hy_err_set(HY_ERR_ARG, "nj: not symmetric: d[%zu][%zu] = %.17g, "
                                  "d[%zu][%zu] = %.17g", i, j, a, j, i, b);
        }
    }
    return HY_OK;
}

/* min over j < i of f * row[j] - rs[j]: SSE2 (x86-64's baseline) takes
 * four entries a step in two independent lanes; no index is tracked here. */
static double row_min(const double *row, const double *rs, size_t i, double f)
{
    size_t j = 0;
    double m = INFINITY;
#if defined(__SSE2__)
    __m128d vf = _mm_set1_pd(f), m0 = _mm_set1_pd(INFINITY), m1 = m0;
    for (; j + 4 <= i; j += 4) {
        m0 = _mm_min_pd(m0, _mm_sub_pd(_mm_mul_pd(vf, _mm_loadu_pd(row + j)),
                                       _mm_loadu_pd(rs + j)));
        m1 = _mm_min_pd(m1, _mm_sub_pd(_mm_mul_pd(vf, _mm_loadu_pd(row + j + 2)),
                                       _mm_loadu_pd(rs + j + 2)));
    }
    m0 = _mm_min_pd(m0, m1);
    m = fmin(_mm_cvtsd_f64(m0), _mm_cvtsd_f64(_mm_unpackhi_pd(m0, m0)));
#endif
    for (; j < i; j++) {
        double q = f * row[j] - rs[j];
        m = q < m ? q : m;
    }
    return m;
}

/* First j < i with the least f * row[j] - rs[j]. */
static size_t row_arg(const double *row, const double *rs, size_t i, double f)
{
    size_t arg = 0;
    double m = INFINITY;
    for (size_t j = 0; j < i; j++) {
        double q = f * row[j] - rs[j];
        if (q < m) {
            m = q;
            arg = j;
        }
    }
    return arg;
}

/* The pair (a < b) minimising Q: rows by their minimum (SIMD), the first
 * row with the least value wins and is then rescanned for its first
 * minimising column; so ties go to the lowest row b, then lowest a. */
static void nj_min_pair(const double *w, size_t r, const double *rs, size_t *pa, size_t *pb)
{
    double best = INFINITY, f = (double)(r - 2);
    size_t bb = 1;
    for (size_t i = 1; i < r; i++) {
        double m = row_min(w + hy__tri(i, 0), rs, i, f) - rs[i];
        if (m < best) {
            best = m;
            bb = i;
        }
    }
    *pa = row_arg(w + hy__tri(bb, 0), rs, bb, f);
    *pb = bb;
}

/* Entry (i, k) of the packed matrix, i != k. */
static inline double *cell(double *w, size_t i, size_t k)
{
    return i > k ? &w[hy__tri(i, k)] : &w[hy__tri(k, i)];
}

static void emit(hy_tree_edge *e, size_t *ne, uint32_t a, uint32_t b, double len)
{
    e[*ne] = (hy_tree_edge){a, b, len};
    (*ne)++;
}

/* Joins slots a < b into a new node in slot a; moves slot r-1 into b. */
static void nj_join(double *w, size_t r, size_t a, size_t b, uint32_t *id, double *rs,
                    uint32_t u, hy_tree_edge *e, size_t *ne)
{
    double dab = w[hy__tri(b, a)], la = dab / 2 + (rs[a] - rs[b]) / (2.0 * (double)(r - 2));
    double lb = dab - la, ru = 0;
    if (la < 0) { /* clamped: negative lengths mean nothing for samples */
        la = 0;
        lb = dab;
    } else if (lb < 0) {
        lb = 0;
        la = dab;
    }
    emit(e, ne, u, id[a], la);
    emit(e, ne, u, id[b], lb);
    for (size_t k = 0; k < r; k++) {
        if (k == a || k == b)
            continue;
        double *cak = cell(w, a, k), dak = *cak, dbk = *cell(w, b, k);
        double duk = (dak + dbk - dab) / 2;
        *cak = duk;
        rs[k] += duk - dak - dbk;
        ru += duk;
    }
    rs[a] = ru;
    id[a] = u;
    size_t last = r - 1;
    if (b != last) {
        for (size_t j = 0; j < b; j++)
            w[hy__tri(b, j)] = w[hy__tri(last, j)];
        for (size_t i = b + 1; i < last; i++)
            w[hy__tri(i, b)] = w[hy__tri(last, i)];
        rs[b] = rs[last];
        id[b] = id[last];
    }
}

void hy__nj_run(double *w, size_t m, uint32_t *id, double *rs, uint32_t *next,
                hy_tree_edge *e, size_t *ne)
{
    if (m < 2)
        return;
    if (m == 2) {
        emit(e, ne, id[0], id[1], w[0]);
        return;
    }
    for (size_t i = 0; i < m; i++)
        rs[i] = 0;
    for (size_t i = 1; i < m; i++)
        for (size_t j = 0; j < i; j++) {
            rs[i] += w[hy__tri(i, j)];
            rs[j] += w[hy__tri(i, j)];
        }
    for (size_t r = m; r > 3; r--) {
        size_t a, b;
        nj_min_pair(w, r, rs, &a, &b);
        nj_join(w, r, a, b, id, rs, (*next)++, e, ne);
    }
    double d01 = w[hy__tri(1, 0)], d02 = w[hy__tri(2, 0)], d12 = w[hy__tri(2, 1)];
    double l[3] = {(d01 + d02 - d12) / 2, (d01 + d12 - d02) / 2, (d02 + d12 - d01) / 2};
    uint32_t u = (*next)++;
    for (int k = 0; k < 3; k++)
        emit(e, ne, u, id[k], l[k] < 0 ? 0 : l[k]);
}

hy_err hy_nj(const double *d, size_t n, hy_tree **out)
{
    if (!out)
        return hy_err_set(HY_ERR_ARG, "nj: NULL out");
    *out = NULL;
    if (!d || n == 0)
        return hy_err_set(HY_ERR_ARG, "nj: %s", d ? "no samples" : "NULL matrix");
    if (n > HY_NJ_MAX_LEAVES)
        return hy_err_set(HY_ERR_TOOBIG, "nj: %zu samples (at most %u)", n, HY_NJ_MAX_LEAVES);
    hy_err err = hy__nj_check(d, n);
    if (err != HY_OK)
        return err;
    double *w = malloc((n * (n - 1) / 2 + 1) * sizeof *w), *rs = malloc(n * sizeof *rs);
    uint32_t *id = malloc(n * sizeof *id), next = (uint32_t)n;
    hy_tree_edge *e = malloc((2 * n) * sizeof *e);
    size_t ne = 0;
    if (!w || !rs || !id || !e) {
        err = hy_err_set(HY_ERR_NOMEM, "nj: out of memory for %zu samples", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        id[i] = (uint32_t)i;
        for (size_t j = 0; j < i; j++)
            w[hy__tri(i, j)] = d[i * n + j];
    }
    hy__nj_run(w, n, id, rs, &next, e, &ne);
    err = hy_tree_from_edges(n, e, ne, out);
out:
    free(w);
    free(rs);
    free(id);
    free(e);
    return err;
}
