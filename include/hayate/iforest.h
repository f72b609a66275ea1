/* hayate: isolation forest (Liu, Ting & Zhou, ICDM 2008; TKDD 6(1), 2012),
 * the label-free novelty score of the screen engine.
 *
 * Each of t trees is grown on psi = min(sample, rows) rows drawn without
 * replacement. A node splits on an attribute chosen uniformly among those
 * not constant in its rows, at a value uniform in (min, max); rows with
 * x[q] < value go left. A node becomes a leaf at depth ceil(log2 psi), with
 * one row, or when every attribute is constant. The path length of x in a
 * tree is its leaf's depth plus c(size) (the mean depth of an unsuccessful
 * BST search over the rows the leaf still holds), with
 * c(n) = 2 H(n - 1) - 2 (n - 1) / n, H(i) = ln(i) + 0.5772156649,
 * c(2) = 1, c(n < 2) = 0; the score is 2^(-E[h(x)] / c(psi)).
 *
 * Everything is deterministic: the forest's own PRNG (xoshiro256**, seeded
 * through splitmix64) makes the same input and parameters give the same
 * model bytes on any run. Nodes sit in one flat array (16 bytes a node),
 * so scoring touches no allocator and a model is read-only:
 * hy_iforest_score is thread-safe. A leaf keeps its path length as a float,
 * so a score is the formula's to within a relative 1e-7. */
#ifndef HAYATE_IFOREST_H
#define HAYATE_IFOREST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

/* Caps, for fitting and for loading untrusted model bytes:
 *   HY_IFOREST_MAX_TREES   trees in a forest;
 *   HY_IFOREST_MAX_SAMPLE  subsample size psi (a tree holds at most
 *                          HY_IFOREST_MAX_NODES(psi) = 2 psi - 1 nodes, each
 *                          split cutting a set of >= 2 rows in two non-empty
 *                          parts, and is at most ceil(log2 psi) deep);
 *   HY_IFOREST_MAX_COLS    attributes per row.
 * A model's bytes grow with its node count (16 bytes a node), so a loader
 * never allocates more than about what it was handed. */
#define HY_IFOREST_MAX_TREES      4096u
#define HY_IFOREST_MAX_SAMPLE     65536u
#define HY_IFOREST_MAX_COLS       1024u
#define HY_IFOREST_MAX_NODES(psi) (2u * (uint32_t)(psi)-1u)

/* Binary form version written by hy_iforest_save. */
#define HY_IFOREST_VERSION 1u

typedef struct hy_iforest_params {
    unsigned trees;  /* t, 1..HY_IFOREST_MAX_TREES */
    unsigned sample; /* psi asked for, 2..HY_IFOREST_MAX_SAMPLE (fewer rows: all) */
    uint64_t seed;   /* PRNG seed; any value */
} hy_iforest_params;

typedef struct hy_iforest hy_iforest;

/* The paper's defaults: 100 trees, sample 256, seed 1. */
void hy_iforest_params_default(hy_iforest_params *p);

/* Grows a forest on x, rows x cols floats row by row. HY_ERR_ARG (detail
 * names the fault): NULL pointers, rows < 2, cols 0 or above
 * HY_IFOREST_MAX_COLS, rows * cols overflowing, parameters out of range, a
 * non-finite value (detail "row R col C"). HY_ERR_NOMEM. Memory is
 * O(trees * psi + cols), whatever rows is. *out is NULL on error. */
hy_err hy_iforest_fit(const float *x, size_t rows, size_t cols, const hy_iforest_params *p,
                      hy_iforest **out);

/* Anomaly score of one row x[cols] in (0, 1]: about 0.5 for typical points,
 * near 1 for easily isolated ones, well below 0.5 for dense ones. NaN
 * values in x go right at every split. Returns NaN when f or x is NULL or
 * cols differs from hy_iforest_cols(f). Thread-safe. */
double hy_iforest_score(const hy_iforest *f, const float *x, size_t cols);

/* Attributes per row the forest was fitted on (0 for NULL). */
size_t hy_iforest_cols(const hy_iforest *f);

/* Trees, and the subsample size psi actually used (0 for NULL). */
size_t hy_iforest_trees(const hy_iforest *f);
size_t hy_iforest_psi(const hy_iforest *f);

/* Appends f's binary form to out, all little-endian, fixed widths:
 *   "HYIF", u32 version, u32 trees, u32 sample, u64 seed, u32 cols, u32 psi,
 *   then per tree: u32 nodes, and per node (16 bytes)
 *     internal: u32 attribute, f32 threshold, u32 left, u32 right
 *               (indices within the tree, both greater than the node's own)
 *     leaf:     u32 0xffffffff, u32 0, u32 size (rows left, >= 1), u32 0.
 * HY_ERR_ARG on NULLs; HY_ERR_TOOBIG / HY_ERR_NOMEM from the buffer. */
hy_err hy_iforest_save(const hy_iforest *f, hy_buf *out);

/* Reads hy_iforest_save's form from buf[0..n), untrusted; all n bytes must
 * be consumed. HY_ERR_TRUNCATED when it ends early; HY_ERR_FORMAT (detail
 * names the tree, node and fault) for a bad magic or version, counts out of
 * the caps above, an attribute >= cols, a non-finite threshold, a child
 * index not forward inside its tree, a node with other than one parent, a
 * node deeper than ceil(log2 psi), a leaf size outside 1..psi or leaf sizes
 * not summing to psi, non-zero padding, trailing bytes; HY_ERR_ARG on
 * NULLs; HY_ERR_NOMEM. An accepted model saves back to the same bytes and
 * scores exactly as the saved one. *out is NULL on error. */
hy_err hy_iforest_load(const void *buf, size_t n, hy_iforest **out);

/* Frees f (NULL is fine). */
void hy_iforest_destroy(hy_iforest *f);

#endif
