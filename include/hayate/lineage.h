/* hayate: generated lineages of byte strings with a known phylogeny.
 *
 * A random ancestor (words of a small random vocabulary, so it compresses
 * like code does) evolves down a random binary tree (Yule process: a random
 * tip splits in two until there are `leaves` tips); along each branch it
 * takes substitutions, insertions, deletions and block moves, their number
 * proportional to the branch length. The tips are the samples, labelled in
 * a random order, and the true tree comes with them. Deterministic for a
 * seed. Tests of tree building use it; so will `hayate synth`. */
#ifndef HAYATE_LINEAGE_H
#define HAYATE_LINEAGE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "tree.h"

#define HY_LINEAGE_MAX_LEAVES HY_NJ_FAST_MAX_LEAVES
#define HY_LINEAGE_MAX_BYTES (1u << 24)   /* ancestor size */
#define HY_LINEAGE_MAX_TOTAL (1ull << 31) /* leaves * ancestor size */

typedef struct hy_lineage_cfg {
    size_t leaves;         /* 2..HY_LINEAGE_MAX_LEAVES */
    size_t ancestor_bytes; /* 64..HY_LINEAGE_MAX_BYTES */
    size_t vocab;          /* words in the ancestor's vocabulary, 1..65536 */
    double rate;           /* mutation events per KiB per unit of branch length, 0..1000 */
    double min_branch;     /* branch lengths uniform in [min_branch, max_branch], */
    double max_branch;     /* 0 < min <= max <= 100 */
    uint64_t seed;
} hy_lineage_cfg;

typedef struct hy_lineage {
    size_t n;       /* samples (tips) */
    uint8_t **data; /* sample i: data[i][0..len[i]) */
    size_t *len;
    hy_tree *tree;  /* the true tree, unrooted (the root's two edges merged) */
} hy_lineage;

/* 64 leaves of 8 KiB, a 64-word vocabulary, rate 4, branches 0.5..1.5,
 * seed 1. */
void hy_lineage_cfg_default(hy_lineage_cfg *cfg);

/* Generates a lineage. HY_ERR_ARG: NULL pointers or a field out of range
 * (detail names it); HY_ERR_NOMEM. *out is NULL on error. */
hy_err hy_lineage_generate(const hy_lineage_cfg *cfg, hy_lineage **out);

/* Frees everything (NULL is fine). */
void hy_lineage_free(hy_lineage *l);

#endif
