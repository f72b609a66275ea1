/* hayate: non-negative matrix factorisation V ~= W H (Frobenius loss) and the
 * helpers the darknet engine's Dark-NMF detector (Han et al., TrustCom 2021;
 * IEEE Access 2022) reads off the factors.
 *
 * V is m x n (Dark-NMF: m one-minute bins of a 30-minute window, n source
 * hosts, entries packet counts), W is m x k (time profiles), H is k x n (host
 * loadings). All matrices are row-major doubles. Initialisation is NNDSVD
 * (Boutsidis & Gallopoulos 2008) and the updates are HALS (Cichocki & Phan
 * 2009), so the result is deterministic: no random start, BLAS used
 * single-threaded. Functions are reentrant. */
#ifndef HAYATE_NMF_H
#define HAYATE_NMF_H

#include <stdbool.h>
#include <stddef.h>
#include "error.h"

/* Largest m * n accepted by hy_nmf (a 512 MB input) and largest single
 * dimension (LAPACK and BLAS take int sizes). */
#define HY_NMF_MAX_ELEMS (1u << 26)
#define HY_NMF_MAX_DIM   (1u << 24)

/* Largest entry of V accepted: squares and sums of squares must stay finite
 * (packet counts are far below it). */
#define HY_NMF_MAX_VALUE 1e100

/* Called after each iteration (iter 0: the initial factors) with the current
 * Frobenius error ||V - W H||_F; a test hook for monotonicity. */
typedef void (*hy_nmf_trace_fn)(void *ctx, int iter, double err);

typedef struct hy_nmf_cfg {
    size_t rank;           /* k, 1 <= k <= min(m, n) */
    int max_iter;          /* outer iterations (one W and one H update each) */
    double tol;            /* stop when |e_prev - e| / e_prev < tol, e the
                              Frobenius error; also stops when e == 0 */
    hy_nmf_trace_fn trace; /* optional, NULL: none */
    void *trace_ctx;
} hy_nmf_cfg;

/* rank 2, max_iter 500, tol 1e-6, no trace. Dark-NMF runs every rank
 * 1..10 on each window (see docs). */
void hy_nmf_cfg_default(hy_nmf_cfg *cfg);

/* Factorises V (m x n, entries finite, >= 0 and <= HY_NMF_MAX_VALUE) into W
 * (m x k) and H (k x n), k = cfg->rank, minimising ||V - W H||_F.
 * Output scaling: every column of W sums to 1 (a time profile), so H[c][j]
 * is the mass (packets) of column j that component c explains and
 * sum_c H[c][j] = sum_t (W H)[t][j]. While iterating (on V / max V) every
 * entry stays >= 1e-15, so no component dies; outputs are >= 0.
 * Writes the relative error ||V - W H||_F / ||V||_F to *rel_err and the
 * iterations run to *iters (either may be NULL); *iters == cfg->max_iter
 * means the tolerance was not reached (or only on the last iteration),
 * which is not an error. A zero V is valid: W = 1/m, H = 0, *rel_err = 0,
 * *iters = 0, no trace call.
 * HY_ERR_ARG: NULL pointers, m or n 0 or too large, rank 0 or > min(m, n),
 * max_iter < 1, tol < 0 or not finite, a negative, NaN, infinite or too
 * large entry of V (the detail names the first one). HY_ERR_NOMEM;
 * HY_ERR_INTERNAL if the SVD fails. W and H are unspecified on error. */
hy_err hy_nmf(const double *V, size_t m, size_t n, const hy_nmf_cfg *cfg, double *W, double *H,
              double *rel_err, int *iters);

/* Assigns each column j of H (k x n, entries finite and >= 0) to the
 * component c with the largest share H[c][j] / sum_c' H[c'][j] (lowest c on
 * a tie) when that share is >= min_share, else group[j] = -1 (also for a
 * zero column). Meaningful on hy_nmf's output scaling, where the share is
 * the fraction of host j's traffic that component c explains.
 * HY_ERR_ARG: NULL pointers, k or n 0, min_share not in [0, 1], a negative
 * or non-finite H entry. */
hy_err hy_nmf_groups(const double *H, size_t k, size_t n, double min_share, int *group);

/* Dark-NMF's member rule on row c of H (k x n): member[j] is true when
 * H[c][j] >= abs_min and H[c][j] >= rel_frac * max_j' H[c][j']; *count
 * gets the number of members (0 when no entry reaches abs_min). The
 * reference uses abs_min 1 packet and rel_frac 0.5, and flags the component
 * when *count >= 2. HY_ERR_ARG: NULL pointers, c >= k, n 0, abs_min or
 * rel_frac negative or not finite, rel_frac > 1. */
hy_err hy_nmf_members(const double *H, size_t k, size_t n, size_t c, double abs_min,
                      double rel_frac, bool *member, size_t *count);

/* Per-component activation over time: A[t][c] = W[t][c] * sum_j H[c][j]
 * (m x k), the packets per bin that component c explains (the reference's
 * normalised W). HY_ERR_ARG: NULL pointers or a zero size. */
hy_err hy_nmf_activation(const double *W, const double *H, size_t m, size_t k, size_t n, double *A);

/* Minimum description length of a rank-k fit under i.i.d. Gaussian residuals
 * (Yamauchi et al. 2012, as in the reference's optional rank choice):
 *   s = ||V - W H||_F^2 / (m n),
 *   dl = (m n / 2) (log(2 pi s) + 1) + ((m k + k n - k^2) / 2) log(m n / (2 pi)),
 * with s floored at DBL_MIN so an exact fit stays finite. The rank with the
 * smallest dl is the MDL choice. HY_ERR_ARG: NULL pointers, zero sizes,
 * k > min(m, n). */
hy_err hy_nmf_mdl(const double *V, const double *W, const double *H, size_t m, size_t k, size_t n,
                  double *dl);

#endif
