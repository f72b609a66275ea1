/* Internals shared by nj_fast.c (distances, seeding) and nj_fast_place.c
 * (centre tree, placement, grafting). */
#ifndef HAYATE_ML_NJ_INT_H
#define HAYATE_ML_NJ_INT_H

#include <stddef.h>
#include <stdint.h>
#include "hayate/tree.h"

typedef struct hy__fast_job {
    hy_dist_fn fn;
    void *ctx;
    size_t n, k;     /* samples, centres (k may drop while seeding) */
    size_t stride;   /* row stride of dm: the k asked for */
    uint32_t *req;   /* pending pairs for fn */
    double *reqd;
    double **dst;    /* where each pending answer goes */
    size_t req_cap, asked;
    double *dm;      /* n x stride: each sample's distance to each centre */
    uint32_t *cen;   /* the k centres (sample indices) */
    int32_t *cidx;   /* centre index of each sample, -1 if none */
    size_t known;    /* columns 0..known-1 of dm are filled */
} hy__fast_job;

/* Growable scratch for one NJ run on m slots. */
typedef struct hy__fast_scratch {
    uint32_t *pairs;
    double *w, *rs;
    uint32_t *id;
    size_t npairs, nw, nrs, nid;
} hy__fast_scratch;

/* out[q] = d(p[2q], p[2q+1]) for m pairs: from dm when one is a centre
 * with a filled column, else asked from fn in batches. */
hy_err hy__fast_get(hy__fast_job *j, const uint32_t *p, size_t m, double *out);

/* Room in s for NJ on m slots and the pair list of its matrix. */
hy_err hy__fast_scratch_for(hy__fast_scratch *s, size_t m);

/* Centre tree, placement of every sample on one of its edges, one NJ
 * subtree per edge, grafted together (j->k >= 3). */
hy_err hy__fast_build(hy__fast_job *j, hy__fast_scratch *sc, hy_tree **out);

#endif
