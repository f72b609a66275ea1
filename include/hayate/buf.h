/* hayate: growable byte buffer with a hard size cap (like curl's dynbuf). */
#ifndef HAYATE_BUF_H
#define HAYATE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct hy_buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len;
    size_t alloc;
    size_t cap;   /* appends that would exceed cap fail with HY_ERR_TOOBIG */
} hy_buf;

/* Initialises an empty buffer that may grow to at most cap bytes. */
void hy_buf_init(hy_buf *b, size_t cap);

/* Frees the storage; the buffer is empty and reusable afterwards. */
void hy_buf_free(hy_buf *b);

/* Empties the buffer, keeping its storage. */
void hy_buf_reset(hy_buf *b);

/* Appends n bytes. On error (NOMEM, TOOBIG) the buffer is unchanged. */
hy_err hy_buf_add(hy_buf *b, const void *p, size_t n);

/* Appends a NUL-terminated string. */
hy_err hy_buf_adds(hy_buf *b, const char *s);

/* Appends one byte. */
hy_err hy_buf_addc(hy_buf *b, char c);

/* Appends printf-formatted text. */
hy_err hy_buf_addf(hy_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Detaches and returns the storage (caller frees); the buffer becomes empty.
 * Returns NULL when the buffer never held anything. */
char *hy_buf_take(hy_buf *b, size_t *len);

#endif
