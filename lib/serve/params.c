/* Query-parameter helpers shared by the routes. */
#include "serve/serve_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct known_ctx {
    const char *const *known;
    const char *bad; /* first unknown parameter */
} known_ctx;

static enum MHD_Result check_name(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    known_ctx *a = cls;
    (void)kind;
    (void)value;
    for (size_t i = 0; a->known[i]; i++)
        if (strcmp(key, a->known[i]) == 0)
            return MHD_YES;
    a->bad = key;
    return MHD_NO;
}

bool hy__serve_known_params(hy_serve *s, struct MHD_Connection *c, const char *const *known,
                            hy_err *rc)
{
    known_ctx a = {.known = known};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_name, &a);
    if (!a.bad)
        return true;
    *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "unknown parameter '%.40s'", a.bad);
    return false;
}

bool hy__serve_parse_uint(const char *v, unsigned long lo, unsigned long hi, unsigned long *out)
{
    char *end;
    if (!v || !*v || *v == '-' || *v == '+' || *v == ' ')
        return false;
    unsigned long x = strtoul(v, &end, 10);
    if (*end || x < lo || x > hi)
        return false;
    *out = x;
    return true;
}
