/* The cluster-then-join variant of neighbour joining: distances, seeding
 * and the entry points (the tree work is in nj_fast_place.c).
 *
 * He, Han, Isawa, Takahashi, Kijima, Takeuchi, Nakao (ICONIP 2019; IEEE
 * Access 11, 2023) split the specimens into clusters first, build a small
 * tree per cluster and join the trees, so most of the (n^2 + n) / 2
 * compressions of plain NJ on NCD are never made. Here:
 *
 *  1. k centres by farthest-first traversal (Gonzalez 1985: from sample 0,
 *     each next centre the sample farthest from all chosen ones, lowest
 *     index on a tie). On a tree metric the farthest samples are tips at
 *     the ends of the lineages, so the centres span the whole tree. Costs
 *     n k distances, which every later step reuses.
 *  2. An NJ tree over the centres (the skeleton).
 *  3. Each sample is placed on the skeleton edge where it branches off:
 *     from its nearest centre c, the Gromov product
 *     (d(x, c) + d(c, c') - d(x, c')) / 2, largest over the other centres
 *     c', is how far along the path c..c' it leaves. The samples on one
 *     edge form a cluster; a cluster is then a set of clades hanging off
 *     that edge, not a Voronoi cell that may cut across lineages.
 *  4. NJ per cluster with one outgroup per side of its edge (each member's
 *     mean distance to the centres on that side: on a tree metric that is
 *     a leaf beyond the edge's end, so the outgroups join exactly where the
 *     edge's ends are), and the subtree replaces the edge.
 *
 * On an exact tree metric with positive edges the result is the NJ tree.
 * Distances come in batches from the caller's function; none is asked
 * twice (a pair lies in one cluster, and pairs with a centre are read from
 * its column). */
#include "hayate/tree.h"
#include "nj_int.h"
#include "tree_int.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FAST_MAX_CENTRES 4096u
/* Default centres per sqrt(n). On NCD of generated lineages (n = 64 to
 * 2,000, 4-6 seeds each) 1.35 sqrt(n) centres took the fast tree's
 * normalised RF to the truth from 0.13-0.19 (sqrt(n)) to 0.12-0.14, at
 * 2,000 from 0.151 to 0.122 (plain NJ: 0.119), for about 10% more
 * distances (more, smaller clusters; bench/tree.sh, docs/BENCHMARKS.md). */
#define FAST_CENTRES_PER_ROOT 1.35
#define FAST_REQ_CAP 65536u

/* Asks fn for the m pending pairs; answers land at j->dst[q]. */
static hy_err flush(hy__fast_job *j, size_t m)
{
    if (m == 0)
        return HY_OK;
    hy_err err = j->fn(j->ctx, j->req, m, j->reqd);
    if (err != HY_OK)
        return err;
    j->asked += m;
    for (size_t q = 0; q < m; q++) {
        double v = j->reqd[q];
        if (!(v >= 0 && v <= HY_NJ_MAX_DIST))
            return hy_err_set(HY_ERR_ARG, "nj fast: distance %u-%u = %g (need 0..%g)",
                              j->req[2 * q], j->req[2 * q + 1], v, HY_NJ_MAX_DIST);
        *j->dst[q] = v;
    }
    return HY_OK;
}

/* Known without asking: d(x, x) = 0, and a centre's distances are in dm
 * once its column is filled (centres 0..j->known - 1). */
static bool known(const hy__fast_job *j, uint32_t a, uint32_t b, double *v)
{
    if (a == b) {
        *v = 0;
        return true;
    }
    if (j->cidx[b] >= 0 && (size_t)j->cidx[b] < j->known) {
        *v = j->dm[(size_t)a * j->stride + (size_t)j->cidx[b]];
        return true;
    }
    if (j->cidx[a] >= 0 && (size_t)j->cidx[a] < j->known) {
        *v = j->dm[(size_t)b * j->stride + (size_t)j->cidx[a]];
        return true;
    }
    return false;
}

hy_err hy__fast_get(hy__fast_job *j, const uint32_t *p, size_t m, double *out)
{
    size_t pend = 0;
    hy_err err;
    for (size_t q = 0; q < m; q++) {
        uint32_t a = p[2 * q], b = p[2 * q + 1];
        if (known(j, a, b, &out[q]))
            continue;
        if (pend == j->req_cap) {
            if ((err = flush(j, pend)) != HY_OK)
                return err;
            pend = 0;
        }
        j->req[2 * pend] = a < b ? a : b; /* lower index first, as a matrix's i < j */
        j->req[2 * pend + 1] = a < b ? b : a;
        j->dst[pend++] = &out[q];
    }
    return flush(j, pend);
}

/* Column c of dm: every sample's distance to centre cen[c]. Each pair is
 * asked once over all columns: pairs with earlier centres come from their
 * columns. */
static hy_err centre_column(hy__fast_job *j, size_t c, uint32_t *pairs, double *tmp)
{
    for (size_t x = 0; x < j->n; x++) {
        pairs[2 * x] = (uint32_t)x;
        pairs[2 * x + 1] = j->cen[c];
    }
    hy_err err = hy__fast_get(j, pairs, j->n, tmp);
    for (size_t x = 0; x < j->n && err == HY_OK; x++)
        j->dm[x * j->stride + c] = tmp[x];
    if (err == HY_OK)
        j->known = c + 1;
    return err;
}

/* Farthest-first centres; j->k drops when every sample sits on a centre. */
static hy_err seed_centres(hy__fast_job *j, uint32_t *pairs, double *tmp, double *mind)
{
    hy_err err;
    size_t want = j->k;
    j->cen[0] = 0;
    j->cidx[0] = 0;
    for (size_t x = 0; x < j->n; x++)
        mind[x] = INFINITY;
    for (size_t c = 0; c < want; c++) {
        if ((err = centre_column(j, c, pairs, tmp)) != HY_OK)
            return err;
        size_t far = 0;
        for (size_t x = 0; x < j->n; x++) {
            mind[x] = fmin(mind[x], j->dm[x * j->stride + c]);
            if (mind[x] > mind[far])
                far = x;
        }
        if (c + 1 < want) {
            if (mind[far] <= 0) {
                j->k = c + 1;
                break;
            }
            j->cen[c + 1] = (uint32_t)far;
            j->cidx[far] = (int32_t)(c + 1);
        }
    }
    return HY_OK;
}

/* Grows a scratch array to hold at least want elements of size sz. */
static hy_err need(void **p, size_t *have, size_t want, size_t sz)
{
    if (want <= *have)
        return HY_OK;
    void *q = realloc(*p, want * sz);
    if (!q)
        return hy_err_set(HY_ERR_NOMEM, "nj fast: out of memory (%zu x %zu bytes)", want, sz);
    *p = q;
    *have = want;
    return HY_OK;
}

static void scratch_free(hy__fast_scratch *s)
{
    free(s->pairs);
    free(s->w);
    free(s->rs);
    free(s->id);
}

/* Room for NJ on m slots (and the pair list of its matrix). */
hy_err hy__fast_scratch_for(hy__fast_scratch *s, size_t m)
{
    size_t tri = m * (m - 1) / 2 + 1;
    hy_err err;
    if ((err = need((void **)&s->pairs, &s->npairs, 2 * tri, sizeof *s->pairs)) != HY_OK ||
        (err = need((void **)&s->w, &s->nw, tri, sizeof *s->w)) != HY_OK ||
        (err = need((void **)&s->rs, &s->nrs, m, sizeof *s->rs)) != HY_OK)
        return err;
    return need((void **)&s->id, &s->nid, m, sizeof *s->id);
}

/* Plain NJ on the full matrix asked from fn (small n, or one cluster). */
static hy_err full(hy__fast_job *j, hy__fast_scratch *sc, hy_tree **out)
{
    size_t n = j->n, ne = 0;
    uint32_t next = (uint32_t)n;
    hy_tree_edge *e = malloc(2 * n * sizeof *e);
    hy_err err = HY_OK;
    if (n > HY_NJ_MAX_LEAVES)
        err = hy_err_set(HY_ERR_TOOBIG, "nj fast: %zu samples in one cluster (at most %u)", n,
                         HY_NJ_MAX_LEAVES);
    else if (!e)
        err = hy_err_set(HY_ERR_NOMEM, "nj fast: out of memory");
    else if ((err = hy__fast_scratch_for(sc, n)) == HY_OK) {
        size_t m = 0;
        for (size_t a = 0; a < n; a++) {
            sc->id[a] = (uint32_t)a;
            for (size_t b = 0; b < a; b++, m++) {
                sc->pairs[2 * m] = (uint32_t)a;
                sc->pairs[2 * m + 1] = (uint32_t)b;
            }
        }
        if ((err = hy__fast_get(j, sc->pairs, m, sc->w)) == HY_OK) {
            hy__nj_run(sc->w, n, sc->id, sc->rs, &next, e, &ne);
            err = hy_tree_from_edges(n, e, ne, out);
        }
    }
    free(e);
    return err;
}

void hy_nj_fast_opts_default(hy_nj_fast_opts *o)
{
    if (!o)
        return;
    o->clusters = 0;
    o->min_n = 16;
}

static hy_err check_opts(const hy_nj_fast_opts *o, size_t n)
{
    if (o->min_n < 3)
        return hy_err_set(HY_ERR_ARG, "nj fast: min_n %zu (at least 3)", o->min_n);
    if (o->clusters > n || o->clusters > FAST_MAX_CENTRES)
        return hy_err_set(HY_ERR_ARG, "nj fast: %zu centres for %zu samples (at most %u)",
                          o->clusters, n, FAST_MAX_CENTRES);
    return HY_OK;
}

static hy_err job_init(hy__fast_job *j, size_t n, size_t k)
{
    j->n = n;
    j->k = j->stride = k;
    j->req_cap = FAST_REQ_CAP;
    j->req = malloc(2 * FAST_REQ_CAP * sizeof *j->req);
    j->reqd = malloc(FAST_REQ_CAP * sizeof *j->reqd);
    j->dst = malloc(FAST_REQ_CAP * sizeof *j->dst);
    j->dm = malloc(n * k * sizeof *j->dm);
    j->cen = malloc(k * sizeof *j->cen);
    j->cidx = malloc(n * sizeof *j->cidx);
    if (!j->req || !j->reqd || !j->dst || !j->dm || !j->cen || !j->cidx)
        return hy_err_set(HY_ERR_NOMEM, "nj fast: out of memory for %zu samples", n);
    for (size_t x = 0; x < n; x++)
        j->cidx[x] = -1;
    return HY_OK;
}

static void job_free(hy__fast_job *j)
{
    free(j->req);
    free(j->reqd);
    free(j->dst);
    free(j->dm);
    free(j->cen);
    free(j->cidx);
}

hy_err hy_nj_fast_fn(hy_dist_fn fn, void *ctx, size_t n, const hy_nj_fast_opts *opts,
                     hy_tree **out, size_t *n_dist)
{
    hy_nj_fast_opts o;
    hy__fast_job j = {.fn = fn, .ctx = ctx};
    hy__fast_scratch sc = {0};
    double *tmp = NULL, *mind = NULL;
    hy_err err;
    if (!out || !fn)
        return hy_err_set(HY_ERR_ARG, "nj fast: NULL %s", out ? "fn" : "out");
    *out = NULL;
    if (n == 0)
        return hy_err_set(HY_ERR_ARG, "nj fast: no samples");
    if (n > HY_NJ_FAST_MAX_LEAVES)
        return hy_err_set(HY_ERR_TOOBIG, "nj fast: %zu samples (at most %u)", n,
                          HY_NJ_FAST_MAX_LEAVES);
    hy_nj_fast_opts_default(&o);
    if (opts && (err = check_opts(opts, n)) != HY_OK)
        return err;
    if (opts)
        o = *opts;
    size_t k = o.clusters ? o.clusters : (size_t)lround(FAST_CENTRES_PER_ROOT * sqrt((double)n));
    if (k > FAST_MAX_CENTRES || k > n)
        k = FAST_MAX_CENTRES < n ? FAST_MAX_CENTRES : n;
    if ((err = job_init(&j, n, k < 1 ? 1 : k)) != HY_OK)
        goto out;
    if (n < o.min_n || j.k < 3) {
        err = full(&j, &sc, out);
        goto out;
    }
    tmp = malloc(n * sizeof *tmp);
    mind = malloc(n * sizeof *mind);
    if (!tmp || !mind || (err = hy__fast_scratch_for(&sc, 64)) != HY_OK ||
        (err = need((void **)&sc.pairs, &sc.npairs, 2 * n, sizeof *sc.pairs)) != HY_OK) {
        err = err ? err : hy_err_set(HY_ERR_NOMEM, "nj fast: out of memory");
        goto out;
    }
    if ((err = seed_centres(&j, sc.pairs, tmp, mind)) != HY_OK)
        goto out;
    /* Fewer than 3 distinct centres: (nearly) all samples coincide. */
    err = j.k < 3 ? full(&j, &sc, out) : hy__fast_build(&j, &sc, out);
out:
    if (n_dist)
        *n_dist = j.asked;
    job_free(&j);
    scratch_free(&sc);
    free(tmp);
    free(mind);
    return err;
}

typedef struct mat_ctx {
    const double *d;
    size_t n;
} mat_ctx;

static hy_err mat_dist(void *ctx, const uint32_t *p, size_t m, double *out)
{
    const mat_ctx *c = ctx;
    for (size_t q = 0; q < m; q++) {
        size_t a = p[2 * q], b = p[2 * q + 1];
        out[q] = a > b ? c->d[a * c->n + b] : c->d[b * c->n + a];
    }
    return HY_OK;
}

hy_err hy_nj_fast(const double *d, size_t n, const hy_nj_fast_opts *opts, hy_tree **out)
{
    if (!out)
        return hy_err_set(HY_ERR_ARG, "nj fast: NULL out");
    *out = NULL;
    if (!d || n == 0)
        return hy_err_set(HY_ERR_ARG, "nj fast: %s", d ? "no samples" : "NULL matrix");
    if (n > HY_NJ_MAX_LEAVES)
        return hy_err_set(HY_ERR_TOOBIG, "nj fast: %zu samples (at most %u)", n,
                          HY_NJ_MAX_LEAVES);
    hy_err err = hy__nj_check(d, n);
    if (err != HY_OK)
        return err;
    mat_ctx c = {d, n};
    return hy_nj_fast_fn(mat_dist, &c, n, opts, out, NULL);
}
