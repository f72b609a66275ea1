/* hayate internal: shared libraries opened on first use.
 *
 * Libraries only some inputs or outputs need (poppler for PDF reports,
 * libcurl for the webhook sink) are opened with dlopen when first wanted
 * instead of being linked: with them linked, the dynamic loader resolved
 * their (and their own dependencies') symbols on every start of every
 * command, about half of hayate's start-up time (docs/CORE.md). Call sites
 * compile against the libraries' own headers and call through a table of
 * function pointers declared with HY_DYNLIB_FIELD:
 *
 *   #define PDF_FNS(X) X(poppler_document_get_page) X(g_free)
 *   static struct { PDF_FNS(HY_DYNLIB_FIELD) } P;
 *   static const char *const p_names[] = {PDF_FNS(HY_DYNLIB_NAME) NULL};
 *   #define P_SLOT(f) HY_DYNLIB_SLOT(P, f)
 *   static void *const p_slots[] = {PDF_FNS(P_SLOT)};
 *   static hy_dynlib p_lib = {HY_SONAME_POPPLER, "PDF text", "libpoppler-glib8",
 *                             p_names, p_slots};
 *   ... if ((rc = hy_dynlib_load(&p_lib)) != HY_OK) return rc; P.g_free(x);
 *
 * Sonames come from the build (CMakeLists.txt reads them off the libraries
 * pkg-config found), so the library opened is the one compiled against. */
#ifndef HAYATE_CORE_DYNLIB_H
#define HAYATE_CORE_DYNLIB_H

#include <stdatomic.h>

#include "hayate/error.h"

#define HY_DYNLIB_FIELD(f)     __typeof__(&f) f;
#define HY_DYNLIB_NAME(f)      #f,
#define HY_DYNLIB_SLOT(tab, f) (void *)&(tab).f,

typedef struct hy_dynlib {
    const char *soname;       /* what dlopen opens, e.g. "libcurl.so.4" */
    const char *purpose;      /* what needs it, for the error message */
    const char *package;      /* the Debian package that ships it */
    const char *const *names; /* symbols to resolve, NULL-terminated */
    void *const *slots;       /* for names[i]: the function pointer to set */
    /* Private: 0 not tried, 1 loaded, 2 failed (err says why). */
    atomic_int state;
    char err[320];
} hy_dynlib;

/* Opens l->soname once (thread-safe; later calls return at once) and sets
 * every slot to its symbol's address. HY_OK when all resolved; else
 * HY_ERR_UNSUPPORTED naming the library, the package that ships it, what
 * needs it and dlerror's reason, the same on every later call; the slots
 * must then not be called. */
hy_err hy_dynlib_load(hy_dynlib *l);

#endif
