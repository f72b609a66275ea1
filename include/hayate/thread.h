/* hayate: worker threads (thin, checked wrappers over pthreads). */
#ifndef HAYATE_THREAD_H
#define HAYATE_THREAD_H

#include "error.h"

typedef struct hy_thread hy_thread;
typedef void *(*hy_thread_fn)(void *arg);

/* Starts fn(arg) on a new thread named name (shown in top/gdb; truncated to
 * 15 chars). */
hy_err hy_thread_start(const char *name, hy_thread_fn fn, void *arg, hy_thread **out);

/* Waits for the thread, stores its return value in *ret if ret is not NULL,
 * and frees the handle. */
hy_err hy_thread_join(hy_thread *t, void **ret);

/* CPU seconds (user + system) the calling thread has used so far. */
double hy_thread_cpu_s(void);

/* Number of online CPUs (at least 1). */
int hy_cpu_count(void);

#endif
