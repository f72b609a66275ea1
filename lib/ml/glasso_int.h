/* Private to lib/ml: the graphical lasso's block solver (glasso_bcd.c),
 * driven by glasso.c. */
#ifndef HY_ML_GLASSO_INT_H
#define HY_ML_GLASSO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "hayate/glasso.h"

typedef struct hy__gl_block hy__gl_block;

/* Workspace for blocks of up to m nodes. */
hy_err hy__gl_block_create(size_t m, hy__gl_block **out);
void hy__gl_block_destroy(hy__gl_block *w);

/* Solves the graphical lasso of S (p x p) restricted to the nodes
 * idx[0..m), m >= 2, and writes that block of Theta (unsymmetrised) and W;
 * other entries are left alone. With warm, starts from the block's entries
 * already in Theta and W (falling back to a cold start when that breaks
 * down). *sweeps gets the number of sweeps. HY_ERR_TOOBIG when not
 * converged (the block is still written), HY_ERR_ARG when S is found not
 * positive (semi)definite. */
hy_err hy__gl_block_solve(hy__gl_block *w, const double *S, size_t p, const size_t *idx, size_t m,
                          double rho, const hy_glasso_cfg *cfg, bool warm, double *Theta, double *W,
                          int *sweeps);

#endif
