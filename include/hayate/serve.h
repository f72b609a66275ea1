/* hayate: the HTTP API (docs/serve.md), served with libmicrohttpd in
 * thread-pool mode over what the store holds.
 *
 * Security model: it listens on loopback by default; any other address is
 * refused unless a token is configured, and with a token every request
 * needs "Authorization: Bearer TOKEN" (401 otherwise). Requests are capped
 * in size and time; query parameters are parsed strictly (400 naming the
 * parameter). Responses are JSON (errors: {"error": "..."}). */
#ifndef HAYATE_SERVE_H
#define HAYATE_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "error.h"
#include "pipeline.h"

/* Hooks into the process that runs the pipeline (hayate run). Each may be
 * NULL; they are called from request threads, so must be thread-safe. */
typedef struct hy_serve_hooks {
    /* Fills the live figures (all zero and running false when no
     * pipeline runs now). */
    void (*figures)(void *ud, hy_pipeline_live *out);
    /* Reloads every learning engine's current model version without
     * dropping events; HY_OK or an error with its detail set. */
    hy_err (*reload)(void *ud);
    void *ud;
} hy_serve_hooks;

typedef struct hy_serve_cfg {
    const char *listen;  /* "ADDR:PORT" or "[V6]:PORT"; port 0: any free one */
    const char *token;   /* NULL or "": none (loopback only) */
    const char *db_path; /* the SQLite store to serve */
    unsigned threads;    /* request threads (thread pool), >= 1 */
    size_t max_request;  /* bytes per request (headers and body) */
    size_t max_upload;   /* bytes of a POST /api/analyze body (0: max_request) */
    const char *cors_origin; /* NULL or "": no CORS headers (browsers block
                                other origins); else that exact origin */
    const struct hy_config *cfg; /* engines' settings and models.dir, for
                                    /api/analyze and /api/models (or NULL) */
    hy_serve_hooks hooks;
} hy_serve_cfg;

typedef struct hy_serve hy_serve;

/* Opens the store and starts serving. HY_ERR_CONFIG for a bad address or a
 * non-loopback address without a token (the detail says which);
 * HY_ERR_IO when the address cannot be bound or the store not opened. */
hy_err hy_serve_start(const hy_serve_cfg *cfg, hy_serve **out);

/* The port actually bound (useful with port 0). */
uint16_t hy_serve_port(const hy_serve *s);

/* Stops serving (in-flight requests finish) and frees everything. NULL ok. */
void hy_serve_stop(hy_serve *s);

#endif
