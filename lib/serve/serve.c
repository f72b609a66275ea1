/* The HTTP server: address and token rules, the libmicrohttpd daemon, the
 * per-request checks (method, size, auth) and the routing table. Routes
 * live in routes_*.c. */
#include "serve/serve_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/clock.h"
#include "hayate/intel.h"

/* Splits "ADDR:PORT" or "[V6]:PORT" into a socket address. */
static hy_err parse_listen(const char *s, struct sockaddr_storage *ss, bool *v6)
{
    char host[64];
    const char *colon, *h = s;
    size_t hl;
    char *end;
    long port;

    if (!s || !*s)
        return hy_err_set(HY_ERR_CONFIG, "serve: empty listen address");
    if (*s == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':')
            return hy_err_set(HY_ERR_CONFIG, "serve: bad listen address '%s' ([V6]:PORT)", s);
        h = s + 1;
        hl = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        if (!(colon = strrchr(s, ':')))
            return hy_err_set(HY_ERR_CONFIG, "serve: listen address '%s' lacks :PORT", s);
        hl = (size_t)(colon - s);
    }
    port = strtol(colon + 1, &end, 10);
    if (hl == 0 || hl >= sizeof host || *end || colon[1] == '\0' || port < 0 || port > 65535)
        return hy_err_set(HY_ERR_CONFIG, "serve: bad listen address '%s'", s);
    memcpy(host, h, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *v6 = false;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *v6 = true;
    } else {
        return hy_err_set(HY_ERR_CONFIG, "serve: '%s' is not an IP address", host);
    }
    return HY_OK;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

hy_err hy__serve_reply(hy_serve *s, struct MHD_Connection *c, unsigned status, const char *type,
                       const char *body, size_t len)
{
    if (status / 100 >= 2 && status / 100 <= 5)
        atomic_fetch_add(&s->answered[status / 100], 1);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return HY_ERR_NOMEM;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    if (s->cors[0]) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", s->cors);
        MHD_add_response_header(r, "Vary", "Origin");
    }
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok == MHD_YES ? HY_OK : HY_ERR_IO;
}

hy_err hy__serve_error(hy_serve *s, struct MHD_Connection *c, unsigned status, const char *fmt,
                       ...)
{
    char msg[256];
    hy_buf b;
    hy_json j;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hy_buf_init(&b, 4096);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "error", msg);
    hy_json_obj_close(&j);
    hy_err rc = hy_json_finish(&j);
    if (rc == HY_OK)
        rc = hy__serve_reply(s, c, status, "application/json", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}

/* Constant-time check of "Bearer TOKEN". */
static bool authorised(const hy_serve *s, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    size_t tl = strlen(s->token);
    unsigned char diff = 0;
    if (!s->token[0])
        return true;
    if (!h || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != tl)
        return false;
    for (size_t i = 0; i < tl; i++)
        diff |= (unsigned char)(h[7 + i] ^ s->token[i]);
    return diff == 0;
}

/* The dashboard's static files hold no data, and a browser cannot add a
 * header to a page load: they are served without the token; every /api
 * request still needs it (docs/serve.md). */
static bool is_asset(const char *url)
{
    return strcmp(url, "/") == 0 || strncmp(url, "/ui/", 4) == 0;
}

typedef struct req_state {
    hy_buf body;     /* up to max_body bytes */
    bool too_big;
} req_state;

/* A CORS preflight (only when serve.cors_origin is set): the configured
 * origin may send GET and POST with the Authorization header. It carries no
 * data, so it needs no token (browsers send none with a preflight). */
static hy_err cors_preflight(hy_serve *s, struct MHD_Connection *c)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return HY_ERR_NOMEM;
    atomic_fetch_add(&s->answered[2], 1);
    MHD_add_response_header(r, "Access-Control-Allow-Origin", s->cors);
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", "Authorization, Content-Type");
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    MHD_add_response_header(r, "Vary", "Origin");
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return ok == MHD_YES ? HY_OK : HY_ERR_IO;
}

/* Tried in order: the first whose method and path match. */
static const hy__route routes[] = {
    {"GET", "/healthz", false, hy__route_healthz},
    {"GET", "/metrics", false, hy__route_metrics},
    {"GET", "/api/stats", false, hy__route_stats},
    {"GET", "/api/alerts", false, hy__route_alerts},
    {"GET", "/api/darknet/series", false, hy__route_darknet_series},
    {"GET", "/api/malware/samples", false, hy__route_malware_samples},
    {"GET", "/api/malware/samples/", true, hy__route_malware_sample},
    {"GET", "/api/malware/tree", false, hy__route_malware_tree},
    {"GET", "/api/intel/reports", false, hy__route_intel_reports},
    {"GET", "/api/intel/reports/", true, hy__route_intel_report},
    {"GET", "/api/alerts/stream", false, hy__route_stream},
    {"POST", "/api/alerts/", true, hy__route_feedback},
    {"GET", "/api/alerts/", true, hy__route_alert},
    {"GET", "/api/label-queue", false, hy__route_label_queue},
    {"POST", "/api/analyze", false, hy__route_analyze},
    {"GET", "/api/models", false, hy__route_models},
    {"POST", "/api/models/reload", false, hy__route_models_reload},
    {"GET", "/", false, hy__route_index},
    {"GET", "/ui/", true, hy__route_asset},
};

static enum MHD_Result dispatch(hy_serve *s, struct MHD_Connection *c, const char *url,
                                const char *method, const hy_buf *body)
{
    bool path_known = false;
    hy_err rc;
    if (s->cors[0] && strcmp(method, "OPTIONS") == 0)
        return cors_preflight(s, c) == HY_OK ? MHD_YES : MHD_NO;
    if (!authorised(s, c) && !is_asset(url))
        rc = hy__serve_error(s, c, MHD_HTTP_UNAUTHORIZED, "missing or wrong bearer token");
    else {
        for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
            const hy__route *r = &routes[i];
            size_t n = strlen(r->path);
            bool match = r->prefix ? strncmp(url, r->path, n) == 0 && url[n]
                                   : strcmp(url, r->path) == 0;
            if (!match)
                continue;
            path_known = true;
            hy__req q = {.arg = r->prefix ? url + n : NULL, .body = body->data ? body->data : "",
                         .len = body->len};
            if (strcmp(method, r->method) == 0)
                return r->fn(s, c, &q) == HY_OK ? MHD_YES : MHD_NO;
        }
        rc = path_known ? hy__serve_error(s, c, MHD_HTTP_METHOD_NOT_ALLOWED,
                                          "method %.16s not allowed here", method)
                        : hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no such resource");
    }
    return rc == HY_OK ? MHD_YES : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    hy_serve *s = cls;
    req_state *st = *con_cls;
    (void)version;
    (void)upload_data;
    hy_err rc;
    if (!st) { /* first call: headers only */
        if (!(st = calloc(1, sizeof *st)))
            return MHD_NO;
        hy_buf_init(&st->body, strcmp(url, "/api/analyze") == 0 ? s->max_upload : s->max_body);
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_data_size) { /* body: kept up to the cap, the rest dropped */
        if (!st->too_big && hy_buf_add(&st->body, upload_data, *upload_data_size) != HY_OK)
            st->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->too_big)
        rc = hy__serve_error(s, c, MHD_HTTP_CONTENT_TOO_LARGE, "body over %zu bytes",
                             st->body.cap);
    else if (st->body.len && strcmp(method, "GET") == 0)
        rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "this resource takes no body");
    else
        return dispatch(s, c, url, method, &st->body);
    return rc == HY_OK ? MHD_YES : MHD_NO;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode code)
{
    req_state *st = *con_cls;
    (void)cls;
    (void)c;
    (void)code;
    if (st)
        hy_buf_free(&st->body);
    free(st);
    *con_cls = NULL;
}

/* An idle read-only connection, a new one while under rd_max, or NULL. */
static hy_store *reader_take(hy_serve *s)
{
    hy_store *r = NULL;
    bool open_one = false;
    pthread_mutex_lock(&s->rd_mu);
    if (s->rd_nidle)
        r = s->rd_idle[--s->rd_nidle];
    else if (!s->rd_failed && s->rd_open < s->rd_max) {
        s->rd_open++; /* counted now, opened outside the lock */
        open_one = true;
    }
    pthread_mutex_unlock(&s->rd_mu);
    if (open_one && hy_store_open_sqlite_reader(s->db_path, &r) != HY_OK) {
        pthread_mutex_lock(&s->rd_mu);
        s->rd_open--;
        s->rd_failed = true;
        pthread_mutex_unlock(&s->rd_mu);
        r = NULL;
    }
    return r;
}

static void reader_give(hy_serve *s, hy_store *r)
{
    pthread_mutex_lock(&s->rd_mu);
    s->rd_idle[s->rd_nidle++] = r; /* rd_nidle <= rd_open <= rd_max <= the array */
    pthread_mutex_unlock(&s->rd_mu);
}

hy_store *hy__serve_store_take(hy_serve *s)
{
    hy_store *r = reader_take(s);
    if (r)
        return r;
    pthread_mutex_lock(&s->mu);
    return s->store;
}

void hy__serve_store_give(hy_serve *s, hy_store *st)
{
    if (st == s->store)
        pthread_mutex_unlock(&s->mu);
    else
        reader_give(s, st);
}

hy_err hy_serve_start(const hy_serve_cfg *cfg, hy_serve **out)
{
    struct sockaddr_storage ss;
    bool v6 = false;
    hy_serve *s;
    hy_err rc;

    if ((rc = parse_listen(cfg->listen, &ss, &v6)) != HY_OK)
        return rc;
    if (!is_loopback(&ss) && (!cfg->token || !cfg->token[0]))
        return hy_err_set(HY_ERR_CONFIG,
                          "serve: refusing to listen on %s without a token (serve.token)",
                          cfg->listen);
    if (!(s = calloc(1, sizeof *s)))
        return HY_ERR_NOMEM;
    snprintf(s->token, sizeof s->token, "%s", cfg->token ? cfg->token : "");
    if (cfg->token && strlen(cfg->token) >= sizeof s->token) {
        free(s);
        return hy_err_set(HY_ERR_CONFIG, "serve: token longer than %zu bytes",
                          sizeof s->token - 1);
    }
    s->max_body = cfg->max_request;
    s->max_upload = cfg->max_upload ? cfg->max_upload : cfg->max_request;
    s->cfg = cfg->cfg;
    s->hooks = cfg->hooks;
    if (cfg->cors_origin && strlen(cfg->cors_origin) >= sizeof s->cors) {
        free(s);
        return hy_err_set(HY_ERR_CONFIG, "serve: CORS origin longer than %zu bytes",
                          sizeof s->cors - 1);
    }
    snprintf(s->cors, sizeof s->cors, "%s", cfg->cors_origin ? cfg->cors_origin : "");
    s->started_ns = hy_clock_ns(CLOCK_REALTIME);
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->sse_mu, NULL);
    pthread_mutex_init(&s->rd_mu, NULL);
    pthread_mutex_init(&s->intel_mu, NULL);
    s->rd_max = cfg->threads < HY__SERVE_READERS ? cfg->threads + 1 : HY__SERVE_READERS;
    if (!cfg->db_path || !(s->db_path = strdup(cfg->db_path)))
        s->rd_failed = true; /* the writer below says what is wrong */
    if ((rc = hy_store_open_sqlite(cfg->db_path, &s->store)) != HY_OK) {
        hy_serve_stop(s);
        return rc;
    }
    s->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            (v6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL,
        on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        cfg->threads ? cfg->threads : 1u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        cfg->max_request < 16384 ? (size_t)16384 : cfg->max_request,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    if (!s->d) {
        hy_serve_stop(s);
        return hy_err_set(HY_ERR_IO, "serve: cannot listen on %s", cfg->listen);
    }
    if ((rc = hy__sse_start(s)) != HY_OK) {
        hy_serve_stop(s);
        return rc;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    *out = s;
    return HY_OK;
}

uint16_t hy_serve_port(const hy_serve *s)
{
    return s->port;
}

void hy_serve_stop(hy_serve *s)
{
    if (!s)
        return;
    hy__sse_stop(s); /* resumes the stream clients so they can end */
    if (s->d)
        MHD_stop_daemon(s->d);
    while (s->rd_nidle) /* every reader is idle once the daemon has stopped */
        hy_store_close(s->rd_idle[--s->rd_nidle]);
    free(s->db_path);
    hy_store_close(s->store);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->sse_mu);
    pthread_mutex_destroy(&s->rd_mu);
    pthread_mutex_destroy(&s->intel_mu);
    hy_intel_destroy(s->intel);
    free(s);
}
