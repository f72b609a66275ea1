/* hayate: set-up shared by the numerical methods of lib/ml. */
#ifndef HAYATE_ML_H
#define HAYATE_ML_H

/* Makes BLAS single-threaded, once per process (idempotent, thread-safe):
 * results then never depend on the thread count, and OpenBLAS's own worker
 * threads are stopped (they would spin ~0.1 s of a core after start-up).
 * Every lib/ml entry point that uses BLAS calls it; engines call it when
 * they start, and the CLI's main before anything else. */
void hy_ml_init(void);

#endif
