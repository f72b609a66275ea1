/* GET /api/label-queue: the alerts nobody has judged yet, the ones the
 * engines are least sure about first (uncertainty 1 - |2*score - 1|, ties
 * by id), for analysts to label; with engine=screen, one alert per context
 * cluster, the clusters whose verdict would change the most alerts first
 * (evidence.screen.impact). Each item is the alert's EVE object with
 * "uncertainty" as its first key; "next" is always null: labelling changes
 * the queue, so a client asks again rather than paging. */
#include "serve/serve_int.h"

#include <string.h>

#define QUEUE_DEFAULT 50
#define QUEUE_MAX     1000

hy_err hy__route_label_queue(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    static const char *const known[] = {"engine", "kind", "limit", NULL};
    hy_alert_filter f = {.verdict = "none", .order = HY_ALERT_ORDER_UNCERTAINTY,
                         .limit = QUEUE_DEFAULT};
    unsigned long x;
    const char *v;
    hy_buf b;
    hy_err rc = HY_OK;
    (void)r;
    if (!hy__serve_known_params(s, c, known, &rc))
        return rc;
    f.engine = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "engine");
    if (f.engine && strcmp(f.engine, "screen") == 0)
        f.order = HY_ALERT_ORDER_IMPACT; /* active learning: the biggest unjudged clusters */
    f.kind = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kind");
    if ((v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit"))) {
        if (!hy__serve_parse_uint(v, 1, QUEUE_MAX, &x))
            return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "limit must be 1..%d",
                                   QUEUE_MAX);
        f.limit = x;
    }
    hy_buf_init(&b, (size_t)QUEUE_MAX << 16);
    if ((rc = hy__serve_alert_page(s, &f, true, &b)) != HY_OK)
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    else
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}
