/* Process-wide set-up of lib/ml. */
#include "hayate/ml.h"

#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

/* OpenBLAS's pthread build starts its server threads when it is loaded;
 * each spins (sched_yield) for about 2^28 cycles before it sleeps, ~0.1 s
 * of a core per process start. With one thread per call they are never
 * used, so they are stopped. blas_thread_shutdown_ is exported by OpenBLAS
 * (its fork handling uses it) but not declared in a header, and the serial
 * and OpenMP builds lack it: it is looked up, and a call that needs threads
 * later starts them again inside OpenBLAS. */
static void blas_single_thread(void)
{
    openblas_set_num_threads(1);
    int (*shutdown)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "blas_thread_shutdown_");
    if (shutdown)
        shutdown();
}

void hy_ml_init(void)
{
    pthread_once(&once, blas_single_thread);
}
