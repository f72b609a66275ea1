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

/* Slow path of hy_buf_room: grows the buffer; NULL with *err set (TOOBIG
 * past the cap, NOMEM) when it cannot. */
char *hy__buf_room_slow(hy_buf *b, size_t n, hy_err *err);

/* Room to append n bytes: returns where they go, or NULL with *err set (the
 * buffer unchanged). The caller writes at most n bytes there, then calls
 * hy_buf_commit with the count written. */
static inline char *hy_buf_room(hy_buf *b, size_t n, hy_err *err)
{
    if (n < b->alloc - b->len && n <= b->cap - b->len)
        return b->data + b->len;
    return hy__buf_room_slow(b, n, err);
}

/* Takes n bytes written after hy_buf_room into the buffer. */
static inline void hy_buf_commit(hy_buf *b, size_t n)
{
    b->len += n;
    b->data[b->len] = '\0';
}

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
