/* Growable byte buffer with a hard cap. Storage doubles as it grows; one byte
 * beyond len always holds a NUL so data can be used as a C string. */
#include "hayate/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HY_BUF_MIN_ALLOC 64

void hy_buf_init(hy_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void hy_buf_free(hy_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void hy_buf_reset(hy_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Makes room for n more bytes plus the NUL; the buffer is unchanged on error. */
static hy_err hy__buf_reserve(hy_buf *b, size_t n)
{
    size_t want, nalloc;
    char *p;

    if (n > b->cap || b->len > b->cap - n)
        return hy_err_set(HY_ERR_TOOBIG, "buffer: %zu + %zu bytes exceeds cap %zu", b->len, n,
                          b->cap);
    if (b->len + n == SIZE_MAX)
        return hy_err_set(HY_ERR_NOMEM, "buffer: size overflow");
    want = b->len + n + 1;
    if (want <= b->alloc)
        return HY_OK;
    nalloc = b->alloc ? b->alloc : HY_BUF_MIN_ALLOC;
    while (nalloc < want)
        nalloc = nalloc > SIZE_MAX / 2 ? want : nalloc * 2;
    if (nalloc > b->cap + 1 && b->cap < SIZE_MAX)
        nalloc = b->cap + 1; /* never allocate beyond what the cap can use */
    p = realloc(b->data, nalloc);
    if (!p)
        return hy_err_set(HY_ERR_NOMEM, "buffer: cannot grow to %zu bytes", nalloc);
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->alloc = nalloc;
    return HY_OK;
}

char *hy__buf_room_slow(hy_buf *b, size_t n, hy_err *err)
{
    *err = hy__buf_reserve(b, n);
    return *err == HY_OK ? b->data + b->len : NULL;
}

hy_err hy_buf_add(hy_buf *b, const void *p, size_t n)
{
    /* Fast path: room in the allocation and under the cap. */
    if (n && n < b->alloc - b->len && n <= b->cap - b->len) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return HY_OK;
    }
    hy_err err = hy__buf_reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return HY_OK;
}

hy_err hy_buf_adds(hy_buf *b, const char *s)
{
    return hy_buf_add(b, s, strlen(s));
}

hy_err hy_buf_addc(hy_buf *b, char c)
{
    return hy_buf_add(b, &c, 1);
}

hy_err hy_buf_addf(hy_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    int n;
    hy_err err;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        err = hy_err_set(HY_ERR_ARG, "buffer: bad format string");
        goto out;
    }
    err = hy__buf_reserve(b, (size_t)n);
    if (err)
        goto out;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
    b->len += (size_t)n;
out:
    va_end(ap2);
    va_end(ap);
    return err;
}

char *hy_buf_take(hy_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}
