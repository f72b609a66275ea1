/* Worker threads: checked pthread wrappers. */
#include "hayate/thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct hy_thread {
    pthread_t tid;
};

hy_err hy_thread_start(const char *name, hy_thread_fn fn, void *arg, hy_thread **out)
{
    hy_thread *t;
    char nm[16];
    int rc;

    if (!fn)
        return hy_err_set(HY_ERR_ARG, "thread: no function");
    t = calloc(1, sizeof *t);
    if (!t)
        return hy_err_set(HY_ERR_NOMEM, "thread: out of memory");
    rc = pthread_create(&t->tid, NULL, fn, arg);
    if (rc) {
        free(t);
        return hy_err_set(rc == EAGAIN ? HY_ERR_NOMEM : HY_ERR_INTERNAL,
                          "thread %s: pthread_create: %s", name ? name : "?", strerror(rc));
    }
    if (name) {
        /* The kernel keeps 15 bytes plus the NUL; naming is best effort. */
        snprintf(nm, sizeof nm, "%s", name);
        (void)pthread_setname_np(t->tid, nm);
    }
    *out = t;
    return HY_OK;
}

hy_err hy_thread_join(hy_thread *t, void **ret)
{
    void *r = NULL;
    int rc;

    if (!t)
        return hy_err_set(HY_ERR_ARG, "thread: join of NULL");
    rc = pthread_join(t->tid, &r);
    free(t);
    if (rc)
        return hy_err_set(HY_ERR_INTERNAL, "thread: pthread_join: %s", strerror(rc));
    if (ret)
        *ret = r;
    return HY_OK;
}

int hy_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > 4096 ? 4096 : (int)n;
}

double hy_thread_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}
