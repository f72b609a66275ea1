/* hayate: set-up shared by the numerical methods of lib/ml. */
#ifndef HAYATE_ML_H
#define HAYATE_ML_H

/* Makes BLAS single-threaded, once per process (idempotent, thread-safe):
 * results then never depend on the thread count, and OpenBLAS's own worker
 * threads do not spin beside hayate's. Every lib/ml entry point that uses
 * BLAS calls it; engines call it when they start. */
void hy_ml_init(void);

#endif
