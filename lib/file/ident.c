/* File typing with libmagic and ssdeep with libfuzzy (include/hayate/ident.h). */
#include "hayate/ident.h"

#include <fuzzy.h>
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(HY_SSDEEP_MAX >= FUZZY_MAX_RESULT, "HY_SSDEEP_MAX below libfuzzy's");

struct hy_typer {
    magic_t mime; /* MAGIC_MIME_TYPE */
    magic_t desc; /* the description */
};

/* Opens one cookie with flags and the default database. */
static hy_err open_cookie(int flags, magic_t *out)
{
    magic_t m = magic_open(flags | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS);
    if (!m)
        return hy_err_set(HY_ERR_NOMEM, "libmagic: cannot open a cookie");
    if (magic_load(m, NULL) != 0) {
        hy_err rc = hy_err_set(HY_ERR_IO, "libmagic: cannot load the magic database: %s",
                               magic_error(m) ? magic_error(m) : "unknown");
        magic_close(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

hy_err hy_typer_create(hy_typer **out)
{
    hy_typer *t = calloc(1, sizeof *t);
    hy_err rc;
    if (!t)
        return HY_ERR_NOMEM;
    if ((rc = open_cookie(MAGIC_MIME_TYPE, &t->mime)) != HY_OK ||
        (rc = open_cookie(MAGIC_NONE, &t->desc)) != HY_OK) {
        hy_typer_destroy(t);
        return rc;
    }
    *out = t;
    return HY_OK;
}

void hy_typer_destroy(hy_typer *t)
{
    if (!t)
        return;
    if (t->mime)
        magic_close(t->mime);
    if (t->desc)
        magic_close(t->desc);
    free(t);
}

hy_err hy_typer_type(hy_typer *t, const uint8_t *p, size_t n, char *mime, size_t mime_cap,
                     char *desc, size_t desc_cap)
{
    const char *m = magic_buffer(t->mime, p, n);
    const char *d = magic_buffer(t->desc, p, n);
    if (mime && mime_cap)
        snprintf(mime, mime_cap, "%s", m ? m : "application/octet-stream");
    if (desc && desc_cap)
        snprintf(desc, desc_cap, "%s", d ? d : "data");
    return HY_OK;
}

hy_err hy_ssdeep(const uint8_t *p, size_t n, char out[HY_SSDEEP_MAX])
{
    if (n > 0xffffffffu)
        return hy_err_set(HY_ERR_TOOBIG, "ssdeep: %zu bytes is past libfuzzy's 4 GiB", n);
    if (fuzzy_hash_buf(p, (uint32_t)n, out) != 0)
        return hy_err_set(HY_ERR_INTERNAL, "ssdeep: libfuzzy failed");
    return HY_OK;
}

int hy_ssdeep_compare(const char *a, const char *b)
{
    return fuzzy_compare(a, b);
}
