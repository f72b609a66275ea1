/* hayate internal: shared libraries opened on first use.
 *
 * Libraries only some inputs or outputs need (poppler for PDF reports,
 * libcurl for the webhook sink) are opened with dlopen when first wanted
 * instead of being linked: with them linked, the dynamic loader resolved
 * their (and their own dependencies') symbols on every start of every
 * command, about half of hayate's start-up time (docs/CORE.md). Call sites
 * compile against the libraries' own headers and call through a table of
 * function pointers typed from them:
 *
 *   #define PDF_FNS(X) X(poppler_document_get_page) X(g_free)
 *   HY_DYNLIB(P, PDF_FNS, HY_SONAME_POPPLER_GLIB, "PDF input", "libpoppler-glib8");
 *   ... if ((rc = hy_dynlib_load(&P_lib)) != HY_OK) return rc; P.g_free(x);
 *
 * Sonames come from the build (CMakeLists.txt reads them off the libraries
 * pkg-config found), so the library opened is the one compiled against. */
#ifndef HAYATE_CORE_DYNLIB_H
#define HAYATE_CORE_DYNLIB_H

#include <stdatomic.h>
#include <stddef.h>

#include "hayate/error.h"

typedef void (*hy_dynlib_fn)(void);

typedef struct hy_dynlib {
    const char *soname;       /* what dlopen opens, e.g. "libcurl.so.4" */
    const char *purpose;      /* what needs it, for the error message */
    const char *package;      /* the Debian package that ships it */
    const char *const *names; /* symbols to resolve, NULL-terminated */
    void *table;              /* function pointers, names[i] at index i */
    size_t table_size;        /* its bytes: one pointer a name */
    /* Private: 0 not tried, 1 loaded, 2 could not load, 3 a bad table (err
     * says why). */
    atomic_int state;
    char err[320];
} hy_dynlib;

#define HY_DYNLIB_FIELD(f) __typeof__(&f) f;
#define HY_DYNLIB_NAME(f)  #f,

/* Declares the table `tab` (a struct with one typed function pointer for
 * each name FNS lists) and `tab##_lib`, the library that fills it. */
#define HY_DYNLIB(tab, FNS, so, why, pkg)                                                          \
    static struct {                                                                                \
        FNS(HY_DYNLIB_FIELD)                                                                       \
    } tab;                                                                                         \
    static const char *const tab##_names[] = {FNS(HY_DYNLIB_NAME) NULL};                           \
    static hy_dynlib tab##_lib = {.soname = (so),                                                  \
                                  .purpose = (why),                                                \
                                  .package = (pkg),                                                \
                                  .names = tab##_names,                                            \
                                  .table = &tab,                                                   \
                                  .table_size = sizeof tab}

/* Opens l->soname once (thread-safe; later calls return at once) and sets
 * every pointer of the table to its symbol's address. HY_OK when all
 * resolved; else HY_ERR_UNSUPPORTED naming the library, the package that
 * ships it, what needs it and dlerror's reason (HY_ERR_INTERNAL when the
 * table does not hold one pointer a name), the same on every later call;
 * the table must then not be called. */
hy_err hy_dynlib_load(hy_dynlib *l);

#endif
