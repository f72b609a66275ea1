/* hayate internal: the HTTP server's state and the route handlers
 * (docs/serve.md). */
#ifndef HAYATE_SERVE_INT_H
#define HAYATE_SERVE_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>

#include "hayate/buf.h"
#include "hayate/json.h"
#include "hayate/serve.h"
#include "hayate/store.h"

struct hy_serve {
    struct MHD_Daemon *d;
    uint16_t port;
    char token[256];
    hy_store *store;     /* one read connection, behind mu */
    pthread_mutex_t mu;
};

/* A route: method and path (prefix: the rest of the URL is the argument). */
typedef struct hy__route {
    const char *method, *path;
    bool prefix;
    hy_err (*fn)(hy_serve *s, struct MHD_Connection *c, const char *arg);
} hy__route;

/* Queues a response with a copy of body. */
hy_err hy__serve_reply(struct MHD_Connection *c, unsigned status, const char *type,
                       const char *body, size_t len);
/* Queues {"error": "<formatted message>"} with the status. */
hy_err hy__serve_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* GET /healthz: "ok". */
hy_err hy__route_healthz(hy_serve *s, struct MHD_Connection *c, const char *arg);
/* GET /api/alerts?engine=&kind=&severity=&from=&to=&q=&after=&limit= */
hy_err hy__route_alerts(hy_serve *s, struct MHD_Connection *c, const char *arg);
/* GET /api/alerts/{id} */
hy_err hy__route_alert(hy_serve *s, struct MHD_Connection *c, const char *arg);

#endif
