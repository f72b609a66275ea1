/* hayate: one error enum for the whole library, plus a thread-local detail
 * string that explains the last failure (in the manner of sqlite3_errmsg). */
#ifndef HAYATE_ERROR_H
#define HAYATE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hy_err {
    HY_OK = 0,
    HY_ERR_NOMEM,     /* allocation failed */
    HY_ERR_ARG,       /* caller passed an invalid argument */
    HY_ERR_IO,        /* read/write/open failed */
    HY_ERR_FORMAT,    /* untrusted input is malformed */
    HY_ERR_TRUNCATED, /* untrusted input ends early */
    HY_ERR_TOOBIG,    /* a cap from limits.h was hit */
    HY_ERR_NOTFOUND,  /* no such key, file, interface or record */
    HY_ERR_EXISTS,    /* already present */
    HY_ERR_CONFIG,    /* bad configuration key or value */
    HY_ERR_STORE,     /* the store (SQLite) failed */
    HY_ERR_CAPTURE,   /* libpcap failed */
    HY_ERR_UNSUPPORTED, /* valid input of a kind hayate does not handle */
    HY_ERR_AGAIN,     /* nothing available now; try again */
    HY_ERR_CLOSED,    /* the queue or source is closed / at end */
    HY_ERR_INTERNAL,  /* a broken invariant: a bug */
    HY_ERR__COUNT
} hy_err;

/* Short constant name of an error code, e.g. "format". Never NULL. */
const char *hy_err_str(hy_err e);

/* Detail of the last error set on this thread; "" when none. The pointer is
 * valid until the next hy_err_set on this thread. */
const char *hy_err_detail(void);

/* Sets this thread's detail string (printf format) and returns e, so callers
 * can write `return hy_err_set(HY_ERR_FORMAT, "%s: bad magic", path);`.
 * hy_err_detail() may be among the arguments (to prefix context). */
hy_err hy_err_set(hy_err e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Clears this thread's detail string. */
void hy_err_clear(void);

#ifdef __cplusplus
}
#endif
#endif
