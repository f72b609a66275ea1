/* Internals shared by tree.c, tree_rf.c, nj.c, nj_fast.c and lineage.c. */
#ifndef HAYATE_ML_TREE_INT_H
#define HAYATE_ML_TREE_INT_H

#include <stddef.h>
#include <stdint.h>
#include "hayate/tree.h"

#define HY_TREE_NONE UINT32_MAX

struct hy_tree {
    size_t n;     /* leaves 0..n-1 */
    size_t nodes; /* 2n-2 (n >= 2), else 1 */
    uint32_t *nb; /* 3 per node */
    double *len;  /* beside nb */
    uint8_t *deg; /* 1 for leaves, 3 for internal nodes (n >= 3) */
};

/* Preorder of all nodes from root (order[0] == root), parent[] filled
 * (HY_TREE_NONE for root); children in adjacency order. HY_ERR_NOMEM. */
hy_err hy__tree_order(const hy_tree *t, uint32_t root, uint32_t *order, uint32_t *parent);

/* Checks d (n x n) as hy_nj documents; HY_ERR_ARG with a detail. */
hy_err hy__nj_check(const double *d, size_t n);

/* Neighbour joining on w, the packed lower triangle of an m x m matrix
 * (entry (i, j), j < i, at i (i - 1) / 2 + j; destroyed), whose slot s
 * holds node id[s] (destroyed). Appends its edges (2m - 3 for m >= 2) to e
 * at *ne; new internal nodes get ids *next, *next + 1, ... rs: m doubles
 * of scratch. No allocation. */
void hy__nj_run(double *w, size_t m, uint32_t *id, double *rs, uint32_t *next,
                hy_tree_edge *e, size_t *ne);

static inline size_t hy__tri(size_t i, size_t j)
{
    return i * (i - 1) / 2 + j; /* j < i */
}

#endif
