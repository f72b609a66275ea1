/* Process-wide set-up of lib/ml. */
#include "hayate/ml.h"

#include <cblas.h>
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void blas_single_thread(void)
{
    openblas_set_num_threads(1);
}

void hy_ml_init(void)
{
    pthread_once(&once, blas_single_thread);
}
