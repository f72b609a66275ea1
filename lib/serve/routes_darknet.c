/* GET /api/darknet/series: the darknet engine's per-bin series of one port
 * (or the telescope's totals) for charts. */
#include "serve/serve_int.h"

#include <stdio.h>
#include <string.h>

#include "hayate/timeparse.h"

#define POINTS_DEFAULT 1440
#define POINTS_MAX     20160 /* two weeks of one-minute bins */

typedef struct points {
    hy_json j;
    size_t n;
} points;

static int add_point(void *ud, uint64_t t, const char *value)
{
    points *p = ud;
    hy_json_obj_open(&p->j);
    hy_json_key(&p->j, "time");
    hy_json_time(&p->j, t);
    hy_json_key(&p->j, "value");
    hy_json_raw(&p->j, value); /* written by the engine as a JSON object */
    hy_json_obj_close(&p->j);
    p->n++;
    return 0;
}

/* The series key from proto (tcp, udp, icmp, icmp6 or all), port and
 * class (scan, backscatter or other); NULL with a message when bad. */
static const char *key_of(struct MHD_Connection *c, char *key, size_t cap, const char **why)
{
    static const char *const protos[] = {"tcp", "udp", "icmp", "icmp6"};
    const char *proto = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "proto");
    const char *port = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "port");
    const char *cls = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "class");
    unsigned long pn;
    bool known = false;
    if (proto && strcmp(proto, "all") == 0 && !port && !cls)
        return snprintf(key, cap, "all") > 0 ? key : NULL;
    for (size_t i = 0; proto && i < sizeof protos / sizeof protos[0]; i++)
        known |= strcmp(proto, protos[i]) == 0;
    if (!known) {
        *why = "proto must be tcp, udp, icmp, icmp6 or all";
        return NULL;
    }
    if (!hy__serve_parse_uint(port, 0, 65535, &pn)) {
        *why = "port must be 0..65535 (the ICMP type for icmp)";
        return NULL;
    }
    if (cls && strcmp(cls, "scan") && strcmp(cls, "backscatter") && strcmp(cls, "other")) {
        *why = "class must be scan, backscatter or other";
        return NULL;
    }
    if (!cls || strcmp(cls, "scan") == 0)
        snprintf(key, cap, "%s/%lu", proto, pn);
    else
        snprintf(key, cap, "%s/%s/%lu", cls, proto, pn);
    return key;
}

hy_err hy__route_darknet_series(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    static const char *const known[] = {"proto", "port", "class", "from", "to", "limit", NULL};
    char key[64];
    const char *why = NULL, *v;
    hy_series_filter f = {.series = "darknet", .limit = POINTS_DEFAULT};
    unsigned long lim;
    hy_err rc = HY_OK;
    (void)r;
    if (!hy__serve_known_params(s, c, known, &rc))
        return rc;
    if (!(f.key = key_of(c, key, sizeof key, &why)))
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "%s", why ? why : "bad key");
    if (((v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from")) &&
         !hy_time_parse(v, &f.from_ns)) ||
        ((v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to")) &&
         !hy_time_parse(v, &f.to_ns)))
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST,
                               "from/to must be epoch seconds or ISO-8601 UTC");
    if ((v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit"))) {
        if (!hy__serve_parse_uint(v, 1, POINTS_MAX, &lim))
            return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "limit must be 1..%d", POINTS_MAX);
        f.limit = lim;
    }
    hy_buf b;
    points p = {0};
    hy_buf_init(&b, (size_t)POINTS_MAX * 512);
    hy_json_init(&p.j, &b);
    hy_json_obj_open(&p.j);
    hy_json_kstr(&p.j, "series", "darknet");
    hy_json_kstr(&p.j, "key", f.key);
    hy_json_key(&p.j, "points");
    hy_json_arr_open(&p.j);
    hy_store *st = hy__serve_store_take(s);
    rc = hy_store_query_series(st, &f, add_point, &p);
    hy__serve_store_give(s, st);
    hy_json_arr_close(&p.j);
    hy_json_obj_close(&p.j);
    if (rc == HY_OK)
        rc = hy_json_finish(&p.j);
    if (rc == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len);
    else
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    hy_buf_free(&b);
    return rc;
}
