/* Shared libraries opened on first use (lib/core/dynlib.h). */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(hy_dynlib_fn) == sizeof(void *), "dlsym results fit the table");

static pthread_mutex_t dynlib_mu = PTHREAD_MUTEX_INITIALIZER;

/* Opens and resolves; 1 on success, else 2 (cannot load) or 3 (a bad
 * table) with l->err set. Under dynlib_mu. */
static int open_and_resolve(hy_dynlib *l)
{
    size_t n = 0;
    while (l->names[n])
        n++;
    if (n * sizeof(hy_dynlib_fn) != l->table_size) { /* a table is pointers only */
        snprintf(l->err, sizeof l->err, "%s: table of %zu bytes for %zu symbols", l->soname,
                 l->table_size, n);
        return 3;
    }
    void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(l->err, sizeof l->err,
                 "%s needs %s (Debian package %s), which cannot be loaded: %s", l->purpose,
                 l->soname, l->package, why ? why : "unknown reason");
        return 2;
    }
    for (size_t i = 0; l->names[i]; i++) {
        (void)dlerror();
        void *sym = dlsym(h, l->names[i]);
        if (!sym) {
            snprintf(l->err, sizeof l->err, "%s needs %s (Debian package %s), which lacks %s",
                     l->purpose, l->soname, l->package, l->names[i]);
            dlclose(h);
            return 2;
        }
        /* POSIX: a function pointer has an object pointer's representation */
        memcpy((char *)l->table + i * sizeof(hy_dynlib_fn), &sym, sizeof sym);
    }
    return 1; /* the handle stays open for the life of the process */
}

hy_err hy_dynlib_load(hy_dynlib *l)
{
    int st = atomic_load_explicit(&l->state, memory_order_acquire);
    if (st == 0) {
        pthread_mutex_lock(&dynlib_mu);
        st = atomic_load_explicit(&l->state, memory_order_relaxed);
        if (st == 0) {
            st = open_and_resolve(l);
            atomic_store_explicit(&l->state, st, memory_order_release);
        }
        pthread_mutex_unlock(&dynlib_mu);
    }
    if (st == 1)
        return HY_OK;
    return hy_err_set(st == 3 ? HY_ERR_INTERNAL : HY_ERR_UNSUPPORTED, "%s", l->err);
}
