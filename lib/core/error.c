#include "hayate/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char hy__detail[512];

static const char *const hy__err_names[HY_ERR__COUNT] = {
    [HY_OK] = "ok",
    [HY_ERR_NOMEM] = "out of memory",
    [HY_ERR_ARG] = "invalid argument",
    [HY_ERR_IO] = "i/o error",
    [HY_ERR_FORMAT] = "malformed input",
    [HY_ERR_TRUNCATED] = "truncated input",
    [HY_ERR_TOOBIG] = "limit exceeded",
    [HY_ERR_NOTFOUND] = "not found",
    [HY_ERR_EXISTS] = "already exists",
    [HY_ERR_CONFIG] = "configuration error",
    [HY_ERR_STORE] = "store error",
    [HY_ERR_CAPTURE] = "capture error",
    [HY_ERR_UNSUPPORTED] = "unsupported",
    [HY_ERR_AGAIN] = "try again",
    [HY_ERR_CLOSED] = "closed",
    [HY_ERR_INTERNAL] = "internal error",
};

const char *hy_err_str(hy_err e)
{
    if ((unsigned)e >= HY_ERR__COUNT || !hy__err_names[e])
        return "unknown error";
    return hy__err_names[e];
}

const char *hy_err_detail(void)
{
    return hy__detail;
}

hy_err hy_err_set(hy_err e, const char *fmt, ...)
{
    char tmp[sizeof hy__detail]; /* the arguments may be hy_err_detail() itself */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(hy__detail, tmp, sizeof tmp);
    return e;
}

void hy_err_clear(void)
{
    hy__detail[0] = '\0';
}
