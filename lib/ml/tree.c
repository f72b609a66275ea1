/* Unrooted binary trees: construction from edges, path lengths, Newick.
 *
 * Storage is an adjacency table: node v's neighbours are nb[3v..3v+deg[v]),
 * with the branch lengths beside them. Every walk is iterative (a caterpillar
 * tree of 20,000 leaves is 10,000 levels deep). */
#include "hayate/tree.h"
#include "tree_int.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hy_tree_free(hy_tree *t)
{
    if (!t)
        return;
    free(t->nb);
    free(t->len);
    free(t->deg);
    free(t);
}

size_t hy_tree_leaves(const hy_tree *t)
{
    return t ? t->n : 0;
}

size_t hy_tree_nodes(const hy_tree *t)
{
    return t ? t->nodes : 0;
}

size_t hy_tree_neighbours(const hy_tree *t, size_t v, uint32_t nb[3], double len[3])
{
    if (!t || v >= t->nodes)
        return 0;
    for (size_t k = 0; k < t->deg[v]; k++) {
        if (nb)
            nb[k] = t->nb[3 * v + k];
        if (len)
            len[k] = t->len[3 * v + k];
    }
    return t->deg[v];
}

static hy_err tree_alloc(size_t n, hy_tree **out)
{
    hy_tree *t = calloc(1, sizeof *t);
    if (!t)
        return hy_err_set(HY_ERR_NOMEM, "tree: out of memory");
    t->n = n;
    t->nodes = n >= 2 ? 2 * n - 2 : 1;
    t->nb = malloc(3 * t->nodes * sizeof *t->nb);
    t->len = malloc(3 * t->nodes * sizeof *t->len);
    t->deg = calloc(t->nodes, sizeof *t->deg);
    if (!t->nb || !t->len || !t->deg) {
        hy_tree_free(t);
        return hy_err_set(HY_ERR_NOMEM, "tree: out of memory for %zu leaves", n);
    }
    *out = t;
    return HY_OK;
}

/* Adds one end of edge a-b; false when a is already full. */
static bool add_half(hy_tree *t, uint32_t a, uint32_t b, double len)
{
    unsigned cap = a < t->n ? 1 : 3;
    if (t->deg[a] >= cap)
        return false;
    t->nb[3 * (size_t)a + t->deg[a]] = b;
    t->len[3 * (size_t)a + t->deg[a]] = len;
    t->deg[a]++;
    return true;
}

static hy_err check_edge(const hy_tree *t, const hy_tree_edge *e, size_t i)
{
    if (e->a >= t->nodes || e->b >= t->nodes)
        return hy_err_set(HY_ERR_ARG, "tree: edge %zu: node %u out of range (%zu nodes)", i,
                          e->a >= t->nodes ? e->a : e->b, t->nodes);
    if (e->a == e->b)
        return hy_err_set(HY_ERR_ARG, "tree: edge %zu: self-loop at node %u", i, e->a);
    if (!isfinite(e->len) || e->len < 0)
        return hy_err_set(HY_ERR_ARG, "tree: edge %zu: bad length %g", i, e->len);
    return HY_OK;
}

/* Every node reachable from node 0 (edges == nodes - 1 then means no
 * cycle). */
static hy_err check_connected(const hy_tree *t)
{
    uint32_t *stack = malloc(t->nodes * sizeof *stack);
    bool *seen = calloc(t->nodes, sizeof *seen);
    hy_err err = HY_OK;
    size_t sp = 0, count = 1;
    if (!stack || !seen) {
        err = hy_err_set(HY_ERR_NOMEM, "tree: out of memory");
        goto out;
    }
    stack[sp++] = 0;
    seen[0] = true;
    while (sp) {
        uint32_t v = stack[--sp];
        for (unsigned k = 0; k < t->deg[v]; k++) {
            uint32_t w = t->nb[3 * (size_t)v + k];
            if (!seen[w]) {
                seen[w] = true;
                stack[sp++] = w;
                count++;
            }
        }
    }
    if (count != t->nodes)
        err = hy_err_set(HY_ERR_ARG, "tree: edges do not connect all %zu nodes (a cycle)",
                         t->nodes);
out:
    free(stack);
    free(seen);
    return err;
}

hy_err hy_tree_from_edges(size_t n, const hy_tree_edge *edges, size_t n_edges, hy_tree **out)
{
    hy_tree *t = NULL;
    hy_err err;
    if (!out)
        return hy_err_set(HY_ERR_ARG, "tree: NULL out");
    *out = NULL;
    if (n == 0 || n > HY_NJ_FAST_MAX_LEAVES)
        return hy_err_set(HY_ERR_ARG, "tree: %zu leaves (1..%u)", n, HY_NJ_FAST_MAX_LEAVES);
    if (n_edges != (n >= 2 ? 2 * n - 3 : 0))
        return hy_err_set(HY_ERR_ARG, "tree: %zu edges for %zu leaves (need %zu)", n_edges, n,
                          n >= 2 ? 2 * n - 3 : 0);
    if (n_edges && !edges)
        return hy_err_set(HY_ERR_ARG, "tree: NULL edges");
    if ((err = tree_alloc(n, &t)) != HY_OK)
        return err;
    for (size_t i = 0; i < n_edges; i++) {
        const hy_tree_edge *e = &edges[i];
        if ((err = check_edge(t, e, i)) != HY_OK)
            goto out;
        if (!add_half(t, e->a, e->b, e->len) || !add_half(t, e->b, e->a, e->len)) {
            err = hy_err_set(HY_ERR_ARG, "tree: edge %zu: node %u has too many edges", i,
                             t->deg[e->a] >= (e->a < n ? 1 : 3) ? e->a : e->b);
            goto out;
        }
    }
    for (size_t v = 0; v < t->nodes && n >= 2; v++)
        if (t->deg[v] != (v < n ? 1 : 3)) {
            err = hy_err_set(HY_ERR_ARG, "tree: node %zu has %u edges (need %u)", v,
                             t->deg[v], v < n ? 1u : 3u);
            goto out;
        }
    if (n >= 2 && (err = check_connected(t)) != HY_OK)
        goto out;
    *out = t;
    t = NULL;
out:
    hy_tree_free(t);
    return err;
}

hy_err hy__tree_order(const hy_tree *t, uint32_t root, uint32_t *order, uint32_t *parent)
{
    uint32_t *stack = malloc(t->nodes * sizeof *stack);
    size_t sp = 0, at = 0;
    if (!stack)
        return hy_err_set(HY_ERR_NOMEM, "tree: out of memory");
    stack[sp++] = root;
    parent[root] = HY_TREE_NONE;
    while (sp) {
        uint32_t v = stack[--sp];
        order[at++] = v;
        /* Pushed in reverse so children are visited in adjacency order. */
        for (unsigned k = t->deg[v]; k-- > 0;) {
            uint32_t w = t->nb[3 * (size_t)v + k];
            if (w == parent[v])
                continue;
            parent[w] = v;
            stack[sp++] = w;
        }
    }
    free(stack);
    return HY_OK;
}

hy_err hy_tree_patristic(const hy_tree *t, double *d)
{
    if (!t || !d)
        return hy_err_set(HY_ERR_ARG, "tree: NULL argument");
    size_t n = t->n, nodes = t->nodes;
    uint32_t *order = malloc(nodes * sizeof *order), *parent = malloc(nodes * sizeof *parent);
    double *dist = malloc(nodes * sizeof *dist);
    hy_err err = HY_OK;
    if (!order || !parent || !dist) {
        err = hy_err_set(HY_ERR_NOMEM, "tree: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if ((err = hy__tree_order(t, (uint32_t)i, order, parent)) != HY_OK)
            goto out;
        dist[i] = 0;
        for (size_t o = 1; o < nodes; o++) {
            uint32_t v = order[o], p = parent[v];
            for (unsigned k = 0; k < t->deg[v]; k++)
                if (t->nb[3 * (size_t)v + k] == p)
                    dist[v] = dist[p] + t->len[3 * (size_t)v + k];
        }
        for (size_t j = 0; j < n; j++)
            d[i * n + j] = dist[j];
    }
out:
    free(order);
    free(parent);
    free(dist);
    return err;
}

/* ---- Newick ---- */

static bool needs_quotes(const char *s)
{
    if (!*s)
        return true;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == 0x7f || strchr("()[]':;,_", c))
            return true;
    }
    return false;
}

static hy_err put_name(hy_buf *b, const char *const *names, uint32_t leaf)
{
    if (!names || !names[leaf])
        return hy_buf_addf(b, "%u", leaf);
    const char *s = names[leaf];
    if (!needs_quotes(s))
        return hy_buf_adds(b, s);
    hy_err err = hy_buf_addc(b, '\'');
    for (; *s && err == HY_OK; s++)
        err = *s == '\'' ? hy_buf_add(b, "''", 2) : hy_buf_addc(b, *s);
    return err == HY_OK ? hy_buf_addc(b, '\'') : err;
}

static hy_err put_len(hy_buf *b, double len)
{
    return hy_buf_addf(b, ":%.6g", len == 0 ? 0.0 : len);
}

typedef struct nw_frame {
    uint32_t v, parent;
    double len; /* to parent */
    uint8_t k, done;
} nw_frame;

/* Writes the subtree hanging from root (all neighbours are children). */
static hy_err newick_walk(const hy_tree *t, const char *const *names, hy_buf *b, uint32_t root,
                          nw_frame *st)
{
    size_t sp = 0;
    hy_err err = HY_OK;
    st[sp++] = (nw_frame){root, HY_TREE_NONE, 0, 0, 0};
    while (sp && err == HY_OK) {
        nw_frame *f = &st[sp - 1];
        if (f->v < t->n) {
            err = put_name(b, names, f->v);
            if (err == HY_OK && f->parent != HY_TREE_NONE)
                err = put_len(b, f->len);
            sp--;
            continue;
        }
        if (f->k == 0 && f->done == 0 && (err = hy_buf_addc(b, '(')) != HY_OK)
            break;
        while (f->k < t->deg[f->v] && t->nb[3 * (size_t)f->v + f->k] == f->parent)
            f->k++;
        if (f->k < t->deg[f->v]) {
            size_t at = 3 * (size_t)f->v + f->k++;
            if (f->done++ && (err = hy_buf_addc(b, ',')) != HY_OK)
                break;
            st[sp++] = (nw_frame){t->nb[at], f->v, t->len[at], 0, 0};
            continue;
        }
        err = hy_buf_addc(b, ')');
        if (err == HY_OK && f->parent != HY_TREE_NONE)
            err = put_len(b, f->len);
        sp--;
    }
    return err;
}

hy_err hy_tree_newick(const hy_tree *t, const char *const *names, hy_buf *buf)
{
    if (!t || !buf)
        return hy_err_set(HY_ERR_ARG, "tree: NULL argument");
    hy_err err;
    if (t->n == 1) {
        err = put_name(buf, names, 0);
        return err == HY_OK ? hy_buf_adds(buf, ";\n") : err;
    }
    if (t->n == 2) {
        if ((err = hy_buf_addc(buf, '(')) != HY_OK || (err = put_name(buf, names, 0)) != HY_OK ||
            (err = put_len(buf, t->len[0])) != HY_OK || (err = hy_buf_addc(buf, ',')) != HY_OK ||
            (err = put_name(buf, names, 1)) != HY_OK || (err = put_len(buf, 0)) != HY_OK)
            return err;
        return hy_buf_adds(buf, ");\n");
    }
    nw_frame *st = malloc(t->nodes * sizeof *st);
    if (!st)
        return hy_err_set(HY_ERR_NOMEM, "tree: out of memory");
    err = newick_walk(t, names, buf, (uint32_t)(t->nodes - 1), st);
    free(st);
    return err == HY_OK ? hy_buf_adds(buf, ";\n") : err;
}
