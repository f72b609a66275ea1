/* GET /api/stats and GET /metrics: the server's own counters (responses by
 * status class, uptime) and the store's row counts. */
#include "serve/serve_int.h"

#include <stdio.h>
#include <time.h>

static const char *const tables[] = {"alerts", "feedback", "flows", "series", "runs",
                                     "capture_stats"};
#define NTABLES (sizeof tables / sizeof tables[0])

typedef struct figures {
    double uptime_s;
    unsigned long long answered[6];
    uint64_t rows[NTABLES];
} figures;

static hy_err gather(hy_serve *s, figures *f)
{
    struct timespec ts;
    hy_err rc = HY_OK;
    clock_gettime(CLOCK_REALTIME, &ts);
    f->uptime_s = ((double)ts.tv_sec * 1e9 + (double)ts.tv_nsec - (double)s->started_ns) / 1e9;
    for (int k = 2; k <= 5; k++)
        f->answered[k] = atomic_load(&s->answered[k]);
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < NTABLES && rc == HY_OK; i++)
        rc = hy_store_count(s->store, tables[i], &f->rows[i]);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

hy_err hy__route_stats(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    figures f = {0};
    hy_buf b;
    hy_json j;
    hy_err rc;
    (void)r;
    if ((rc = gather(s, &f)) != HY_OK)
        return hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    hy_buf_init(&b, 1 << 16);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kfixed(&j, "uptime_s", f.uptime_s, 3);
    hy_json_key(&j, "responses");
    hy_json_obj_open(&j);
    for (int k = 2; k <= 5; k++) {
        char cls[4] = {(char)('0' + k), 'x', 'x', 0};
        hy_json_kuint(&j, cls, f.answered[k]);
    }
    hy_json_obj_close(&j);
    hy_json_key(&j, "store");
    hy_json_obj_open(&j);
    for (size_t i = 0; i < NTABLES; i++)
        hy_json_kuint(&j, tables[i], f.rows[i]);
    hy_json_obj_close(&j);
    hy_json_obj_close(&j);
    if ((rc = hy_json_finish(&j)) == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}

hy_err hy__route_metrics(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    figures f = {0};
    hy_buf b;
    hy_err rc;
    (void)r;
    if ((rc = gather(s, &f)) != HY_OK)
        return hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    hy_buf_init(&b, 1 << 16);
    rc = hy_buf_adds(&b, "# HELP hayate_up_seconds Seconds since the API started.\n"
                         "# TYPE hayate_up_seconds gauge\n");
    if (rc == HY_OK)
        rc = hy_buf_addf(&b, "hayate_up_seconds %.3f\n", f.uptime_s);
    if (rc == HY_OK)
        rc = hy_buf_adds(&b, "# HELP hayate_http_responses_total HTTP responses by status "
                             "class.\n# TYPE hayate_http_responses_total counter\n");
    for (int k = 2; k <= 5 && rc == HY_OK; k++)
        rc = hy_buf_addf(&b, "hayate_http_responses_total{class=\"%dxx\"} %llu\n", k,
                         f.answered[k]);
    if (rc == HY_OK)
        rc = hy_buf_adds(&b, "# HELP hayate_store_rows Rows in the store's tables.\n"
                             "# TYPE hayate_store_rows gauge\n");
    for (size_t i = 0; i < NTABLES && rc == HY_OK; i++)
        rc = hy_buf_addf(&b, "hayate_store_rows{table=\"%s\"} %llu\n", tables[i],
                         (unsigned long long)f.rows[i]);
    if (rc == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "text/plain; version=0.0.4", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}
