/* GET / and GET /ui/{name}: the dashboard (web/), compiled into the binary
 * by cmake/embed_assets.cmake as the table hy__web_assets[]. A name is
 * looked up by exact match in that table and nothing else: no file is ever
 * opened, so no path can reach outside it ("..", encoded dots and slashes
 * simply match no entry: 404). Responses point at the table's memory
 * (MHD_RESPMEM_PERSISTENT), carry a strict Content-Security-Policy, and an
 * ETag (a hash of the content, computed at build time) that If-None-Match
 * turns into a 304. */
#include "serve/serve_int.h"

#include <string.h>

#include "web_assets.h"

#define CSP "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'"

static const hy__web_asset *find(const char *name)
{
    for (size_t i = 0; i < hy__web_nassets; i++)
        if (strcmp(hy__web_assets[i].name, name) == 0)
            return &hy__web_assets[i];
    return NULL;
}

/* Whether If-None-Match (a list of entity tags, or "*") names etag; a weak
 * tag (W/"...") matches too, as the weak comparison of RFC 9110 says. */
static bool not_modified(struct MHD_Connection *c, const char *etag)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    if (!h)
        return false;
    if (strcmp(h, "*") == 0)
        return true;
    return strstr(h, etag) != NULL; /* etag is quoted: no partial match */
}

static hy_err send_asset(hy_serve *s, struct MHD_Connection *c, const hy__web_asset *a)
{
    bool same = not_modified(c, a->etag);
    unsigned status = same ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        same ? 0 : a->len, same ? NULL : (void *)a->data, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return HY_ERR_NOMEM;
    atomic_fetch_add(&s->answered[status / 100], 1);
    MHD_add_response_header(r, "Content-Type", a->type);
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "ETag", a->etag);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok == MHD_YES ? HY_OK : HY_ERR_IO;
}

hy_err hy__route_index(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    const hy__web_asset *a = find("index.html");
    (void)r;
    if (!a)
        return hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no dashboard in this build");
    return send_asset(s, c, a);
}

hy_err hy__route_asset(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    const hy__web_asset *a = find(r->arg);
    if (!a)
        return hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no such asset");
    return send_asset(s, c, a);
}
