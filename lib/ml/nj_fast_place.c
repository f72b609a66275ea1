/* The cluster-then-join variant's tree work: the skeleton over the
 * centres, placing samples on its edges, and one NJ subtree per edge
 * grafted in the edge's place (see nj_fast.c for the method).
 *
 * Skeleton ids are local: centre c is node c, internal nodes k..2k-3. In
 * the final tree a centre is its sample index and skeleton internal node i
 * gets id n + (i - k); subtrees take ids after those. */
#include "hayate/tree.h"
#include "nj_int.h"
#include "tree_int.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct skeleton {
    size_t k, nodes;    /* nodes = 2k - 2 */
    hy_tree_edge *e;    /* 2k - 3 edges */
    uint32_t *nb, *eid; /* 3 per node: neighbour, edge index */
    uint8_t *deg;
    uint32_t *child;    /* per edge: the end farther from centre 0 */
    uint32_t *tin, *tout; /* preorder interval of each node's subtree */
    double *dt;         /* nodes x nodes path lengths */
    double *off;        /* (2k-3) x k: see place() */
    double *in;         /* (2k-3) x k: 1 when centre c is below the edge's child */
    size_t *nin;        /* centres below each edge's child */
} skeleton;

static void skel_free(skeleton *s)
{
    free(s->e);
    free(s->nb);
    free(s->eid);
    free(s->deg);
    free(s->child);
    free(s->tin);
    free(s->tout);
    free(s->dt);
    free(s->off);
    free(s->in);
    free(s->nin);
}

static bool below(const skeleton *s, size_t c, size_t e)
{
    uint32_t ch = s->child[e];
    return s->tin[c] >= s->tin[ch] && s->tin[c] < s->tout[ch];
}

/* Roots the skeleton at centre 0: child of each edge, preorder intervals,
 * then every node's distance to every other. */
static void skel_index(skeleton *s, uint32_t *stack, uint32_t *par, uint32_t *order)
{
    size_t sp = 0, at = 0, nodes = s->nodes;
    stack[sp++] = 0;
    par[0] = HY_TREE_NONE;
    while (sp) {
        uint32_t v = stack[--sp];
        s->tin[v] = (uint32_t)at;
        order[at++] = v;
        for (unsigned q = 0; q < s->deg[v]; q++) {
            uint32_t w = s->nb[3 * v + q];
            if (w == par[v])
                continue;
            par[w] = v;
            s->child[s->eid[3 * v + q]] = w;
            stack[sp++] = w;
        }
    }
    for (size_t v = 0; v < nodes; v++)
        s->tout[v] = s->tin[v] + 1;
    for (size_t o = nodes; o-- > 1;) /* children before parents */
        s->tout[par[order[o]]] += s->tout[order[o]] - s->tin[order[o]];
    for (size_t src = 0; src < nodes; src++) {
        double *d = s->dt + src * nodes;
        sp = 0;
        stack[sp++] = (uint32_t)src;
        par[src] = HY_TREE_NONE;
        d[src] = 0;
        while (sp) {
            uint32_t v = stack[--sp];
            for (unsigned q = 0; q < s->deg[v]; q++) {
                uint32_t w = s->nb[3 * v + q];
                if (w == par[v])
                    continue;
                par[w] = v;
                d[w] = d[v] + s->e[s->eid[3 * v + q]].len;
                stack[sp++] = w;
            }
        }
    }
}

/* NJ over the centres, from their distances in dm. */
static hy_err skel_build(hy__fast_job *j, hy__fast_scratch *sc, skeleton *s)
{
    size_t k = j->k, nodes = 2 * k - 2, ne = 0;
    uint32_t next = (uint32_t)k;
    hy_err err = hy__fast_scratch_for(sc, nodes);
    s->k = k;
    s->nodes = nodes;
    s->e = malloc(2 * k * sizeof *s->e);
    s->nb = malloc(3 * nodes * sizeof *s->nb);
    s->eid = malloc(3 * nodes * sizeof *s->eid);
    s->deg = calloc(nodes, sizeof *s->deg);
    s->child = malloc(2 * k * sizeof *s->child);
    s->tin = malloc(nodes * sizeof *s->tin);
    s->tout = malloc(nodes * sizeof *s->tout);
    s->dt = malloc(nodes * nodes * sizeof *s->dt);
    s->off = malloc(2 * k * k * sizeof *s->off);
    s->in = malloc(2 * k * k * sizeof *s->in);
    s->nin = calloc(2 * k, sizeof *s->nin);
    if (err != HY_OK)
        return err;
    if (!s->e || !s->nb || !s->eid || !s->deg || !s->child || !s->tin || !s->tout || !s->dt ||
        !s->off || !s->in || !s->nin)
        return hy_err_set(HY_ERR_NOMEM, "nj fast: out of memory for %zu centres", k);
    for (size_t a = 0; a < k; a++) {
        sc->id[a] = (uint32_t)a;
        for (size_t b = 0; b < a; b++)
            sc->w[hy__tri(a, b)] = j->dm[j->cen[a] * j->stride + b];
    }
    hy__nj_run(sc->w, k, sc->id, sc->rs, &next, s->e, &ne);
    for (size_t q = 0; q < ne; q++) {
        uint32_t a = s->e[q].a, b = s->e[q].b;
        s->nb[3 * a + s->deg[a]] = b;
        s->eid[3 * a + s->deg[a]++] = (uint32_t)q;
        s->nb[3 * b + s->deg[b]] = a;
        s->eid[3 * b + s->deg[b]++] = (uint32_t)q;
    }
    /* sc->pairs holds nodes (nodes - 1) + 2 >= 3 nodes entries (nodes >= 4). */
    uint32_t *buf = sc->pairs;
    skel_index(s, buf, buf + nodes, buf + 2 * nodes);
    for (size_t e = 0; e < ne; e++) {
        uint32_t ch = s->child[e], p = s->e[e].a == ch ? s->e[e].b : s->e[e].a;
        for (size_t c = 0; c < k; c++) {
            bool b = below(s, c, e);
            s->in[e * k + c] = b;
            s->nin[e] += b;
            s->off[e * k + c] = b ? s->dt[ch * nodes + c] + s->e[e].len : s->dt[p * nodes + c];
        }
    }
    return HY_OK;
}

/* The skeleton edge where sample x branches off: the edge (p, ch), offset
 * t from p and pendant length l that fit x's distances to all k centres
 * best in least squares. A centre c on p's side is at t + dt(p, c) from the
 * attachment point, one below ch at (L - t) + dt(ch, c); so with
 * r_c = d(x, c) - off_e(c) (off: dt(p, c), or dt(ch, c) + L), the model is
 * r_c = l + t on p's side and l - t below ch, solved in closed form, t
 * clamped to [0, L] and l to >= 0. Using every centre averages the noise
 * of single distances away (a rule from three distances, such as the
 * Gromov product alone, misplaces samples under 10% noise). O(k) per edge. */
static size_t place(const hy__fast_job *j, const skeleton *s, size_t x)
{
    const double *y = j->dm + x * j->stride;
    size_t k = s->k, best = 0;
    double best_sse = INFINITY;
    for (size_t e = 0; e < 2 * k - 3; e++) {
        const double *off = s->off + e * k, *in = s->in + e * k;
        double sr = 0, sr2 = 0, sb = 0, sb2 = 0;
        for (size_t c = 0; c < k; c++) {
            double r = y[c] - off[c];
            sr += r;
            sr2 += r * r;
            sb += in[c] * r;
            sb2 += in[c] * r * r;
        }
        double nb = (double)s->nin[e], na = (double)k - nb, sa = sr - sb, sa2 = sr2 - sb2;
        double len = s->e[e].len, t = (sa / na - sb / nb) / 2;
        t = t < 0 ? 0 : t > len ? len : t;
        double l = (sa - na * t + sb + nb * t) / (double)k;
        l = l < 0 ? 0 : l;
        double u = l + t, v = l - t;
        double sse = sa2 - 2 * u * sa + na * u * u + sb2 - 2 * v * sb + nb * v * v;
        if (sse < best_sse) {
            best_sse = sse;
            best = e;
        }
    }
    return best;
}

typedef struct grafting {
    hy_tree_edge *e; /* the final tree's edges */
    size_t ne;
    uint32_t next;   /* next free internal id */
} grafting;

static uint32_t gid(const hy__fast_job *j, size_t local)
{
    return local < j->k ? j->cen[local] : (uint32_t)(j->n + local - j->k);
}

static void link(grafting *g, uint32_t a, uint32_t b, double len)
{
    g->e[g->ne++] = (hy_tree_edge){a, b, len > 0 ? len : 0};
}

/* Mean of dx[c] over the centres on side `side` of edge e (below its child
 * or not); with e == SIZE_MAX, over all centres but `skip`. */
static double side_mean(const skeleton *s, const double *dx, size_t e, bool side, size_t skip)
{
    double sum = 0;
    size_t cnt = 0;
    for (size_t c = 0; c < s->k; c++)
        if (e == SIZE_MAX ? c != skip : below(s, c, e) == side) {
            sum += dx[c];
            cnt++;
        }
    return cnt ? sum / (double)cnt : 0;
}

/* Mean skeleton distance between the centres on the two sides of e. */
static double across(const hy__fast_job *j, const skeleton *s, size_t e)
{
    double sum = 0;
    size_t cnt = 0;
    for (size_t a = 0; a < s->k; a++)
        for (size_t b = 0; b < s->k; b++)
            if (!below(s, a, e) && below(s, b, e)) {
                sum += j->dm[j->cen[a] * j->stride + b];
                cnt++;
            }
    return sum / (double)cnt;
}

/* NJ on the cluster mem[0..m) of edge e plus its outgroups (one for a
 * pendant edge, two otherwise), then the subtree replaces the edge. */
static hy_err graft_edge(hy__fast_job *j, const skeleton *s, size_t e, const uint32_t *mem,
                         size_t m, hy__fast_scratch *sc, hy_tree_edge *tmp, grafting *g)
{
    const uint32_t oa = (uint32_t)(2 * j->n), ob = oa + 1;
    uint32_t a = s->e[e].a, b = s->e[e].b;
    bool pendant = a < s->k || b < s->k;
    size_t leaf = a < s->k ? a : b, ch = s->child[e], p = ch == a ? b : a;
    size_t slots = m + (pendant ? 1 : 2), nt = 0;
    hy_err err;
    if (slots > HY_NJ_MAX_LEAVES)
        return hy_err_set(HY_ERR_TOOBIG, "nj fast: a cluster of %zu samples (at most %u)", m,
                          HY_NJ_MAX_LEAVES - 2);
    if ((err = hy__fast_scratch_for(sc, slots)) != HY_OK)
        return err;
    size_t q = 0;
    for (size_t x = 1; x < m; x++)
        for (size_t y = 0; y < x; y++, q++) {
            sc->pairs[2 * q] = mem[x];
            sc->pairs[2 * q + 1] = mem[y];
        }
    if ((err = hy__fast_get(j, sc->pairs, q, sc->w)) != HY_OK)
        return err;
    for (size_t x = 0; x < m; x++) {
        const double *dx = j->dm + (size_t)mem[x] * j->stride;
        sc->id[x] = mem[x];
        if (pendant) {
            sc->w[hy__tri(m, x)] = side_mean(s, dx, SIZE_MAX, false, leaf);
        } else {
            sc->w[hy__tri(m, x)] = side_mean(s, dx, e, false, 0);
            sc->w[hy__tri(m + 1, x)] = side_mean(s, dx, e, true, 0);
        }
    }
    sc->id[m] = oa;
    if (!pendant) {
        sc->id[m + 1] = ob;
        sc->w[hy__tri(m + 1, m)] = across(j, s, e);
    }
    hy__nj_run(sc->w, slots, sc->id, sc->rs, &g->next, tmp, &nt);
    for (size_t t = 0; t < nt; t++) {
        hy_tree_edge *te = &tmp[t];
        bool is_a = te->a == oa || te->b == oa, is_b = te->a == ob || te->b == ob;
        uint32_t att = (is_a || is_b) ? (te->a >= oa ? te->b : te->a) : 0;
        const double *dp = s->dt + p * s->nodes, *dc = s->dt + ch * s->nodes;
        if (is_a && pendant) /* the outgroup is every centre but the leaf, seen from p */
            link(g, gid(j, leaf == a ? b : a), att,
                 te->len - side_mean(s, s->dt + (leaf == a ? b : a) * s->nodes, SIZE_MAX, false,
                                     leaf));
        else if (is_a)
            link(g, gid(j, p), att, te->len - side_mean(s, dp, e, false, 0));
        else if (is_b)
            link(g, att, gid(j, ch), te->len - side_mean(s, dc, e, true, 0));
        else
            link(g, te->a, te->b, te->len);
    }
    return HY_OK;
}

hy_err hy__fast_build(hy__fast_job *j, hy__fast_scratch *sc, hy_tree **out)
{
    skeleton s = {0};
    grafting g = {malloc(2 * j->n * sizeof *g.e), 0, (uint32_t)(j->n + j->k - 2)};
    size_t n = j->n, k = j->k, ned = 2 * k - 3;
    size_t *grp = malloc(n * sizeof *grp), *start = calloc(ned + 1, sizeof *start);
    size_t *fill = malloc(ned * sizeof *fill);
    uint32_t *mem = malloc(n * sizeof *mem);
    hy_tree_edge *tmp = malloc(2 * (n + 2) * sizeof *tmp);
    hy_err err = skel_build(j, sc, &s);
    if (err == HY_OK && (!g.e || !grp || !start || !fill || !mem || !tmp))
        err = hy_err_set(HY_ERR_NOMEM, "nj fast: out of memory for %zu samples", n);
    if (err != HY_OK)
        goto out;
    for (size_t x = 0; x < n; x++)
        grp[x] = place(j, &s, x);
    for (size_t c = 0; c < k; c++) /* a centre sits on its own edge */
        grp[j->cen[c]] = s.eid[3 * c];
    for (size_t x = 0; x < n; x++)
        start[grp[x] + 1]++;
    for (size_t e = 0; e < ned; e++)
        start[e + 1] += start[e];
    memcpy(fill, start, ned * sizeof *fill);
    for (size_t x = 0; x < n; x++)
        mem[fill[grp[x]]++] = (uint32_t)x;
    for (size_t e = 0; e < ned && err == HY_OK; e++) {
        size_t m = start[e + 1] - start[e];
        uint32_t a = s.e[e].a, b = s.e[e].b;
        bool pendant = a < k || b < k;
        if (m == 0 || (pendant && m == 1)) /* the edge as the skeleton has it */
            link(&g, gid(j, a), gid(j, b), s.e[e].len);
        else
            err = graft_edge(j, &s, e, mem + start[e], m, sc, tmp, &g);
    }
    if (err == HY_OK)
        err = hy_tree_from_edges(n, g.e, g.ne, out);
out:
    skel_free(&s);
    free(g.e);
    free(grp);
    free(start);
    free(fill);
    free(mem);
    free(tmp);
    return err;
}
