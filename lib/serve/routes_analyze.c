/* POST /api/analyze: a capture (pcap or pcapng) in the body, run through a
 * pipeline of its own with the server's engines and settings (no store),
 * answered with its findings; with ?type=report a threat report, analysed
 * by the intel engine's analyser and stored (routes_intel.c). One analysis at a time (429 otherwise); the
 * body is capped by serve.max_upload. */
#include "serve/serve_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hayate/capture.h"
#include "hayate/config.h"
#include "hayate/pipeline.h"

#define MAX_ALERTS 10000

typedef struct found {
    hy_json j;
    hy_buf one;
    size_t n, dropped;
} found;

static void on_alert(void *ud, const hy_alert *a)
{
    found *f = ud;
    if (f->n == MAX_ALERTS) {
        f->dropped++;
        return;
    }
    hy_buf_reset(&f->one);
    if (hy_alert_to_eve(a, &f->one) == HY_OK) {
        hy_json_raw(&f->j, f->one.data);
        f->n++;
    }
}

/* Writes the body to a private temporary file; its path in path. */
static hy_err spool(const hy__req *r, char *path, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    int fd;
    snprintf(path, cap, "%s/hayate-analyze-XXXXXX", dir && *dir ? dir : "/tmp");
    if ((fd = mkstemp(path)) < 0)
        return hy_err_set(HY_ERR_IO, "analyze: cannot spool the upload: %s", strerror(errno));
    bool ok = write(fd, r->body, r->len) == (ssize_t)r->len;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        unlink(path);
        return hy_err_set(HY_ERR_IO, "analyze: cannot spool the upload");
    }
    return HY_OK;
}

/* Runs the capture at path; the findings go into f, the figures into st. */
static hy_err run(hy_serve *s, const char *path, found *f, hy_pipeline_stats *st, bool *bad_input)
{
    const hy_engine *engines[64];
    hy_pipeline_cfg pc;
    hy_source_cfg sc = {0};
    hy_source *src = NULL;
    hy_pipeline *p = NULL;
    hy_capture_stats cs;
    hy_err rc;
    *bad_input = false;
    if ((rc = hy_pipeline_cfg_from_config(s->cfg, engines, 64, &pc)) != HY_OK)
        return rc;
    pc.threads = 1;
    pc.on_alert = on_alert;
    pc.observer_ud = f;
    if ((rc = hy_source_open_offline(path, &sc, &src)) != HY_OK) {
        *bad_input = rc != HY_ERR_NOMEM && rc != HY_ERR_IO;
        return rc;
    }
    if ((rc = hy_pipeline_create(&pc, &p)) == HY_OK) {
        memset(&cs, 0, sizeof cs);
        rc = hy_pipeline_feed(p, src, NULL, NULL, &cs);
        hy_err e = hy_pipeline_finish(p);
        rc = rc != HY_OK ? rc : e;
        hy_pipeline_stats_get(p, st);
        *bad_input = rc == HY_ERR_FORMAT || rc == HY_ERR_TRUNCATED || rc == HY_ERR_CAPTURE;
    }
    hy_pipeline_destroy(p);
    hy_source_close(src);
    return rc;
}

static hy_err answer(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    char path[4096];
    found f = {.n = 0};
    hy_pipeline_stats st = {0};
    hy_buf b;
    bool bad = false;
    hy_err rc;
    if ((rc = spool(r, path, sizeof path)) != HY_OK)
        return hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", hy_err_detail());
    hy_buf_init(&b, 256u << 20);
    hy_buf_init(&f.one, 1u << 20);
    hy_json_init(&f.j, &b);
    hy_json_obj_open(&f.j);
    hy_json_key(&f.j, "alerts");
    hy_json_arr_open(&f.j);
    rc = run(s, path, &f, &st, &bad);
    unlink(path);
    hy_json_arr_close(&f.j);
    hy_json_kuint(&f.j, "alerts_not_shown", f.dropped);
    hy_json_kuint(&f.j, "packets", st.packets);
    hy_json_kuint(&f.j, "bytes", st.bytes);
    hy_json_kuint(&f.j, "flows", st.flows);
    uint64_t anomalies = 0;
    for (int i = 1; i < HY_ANOM__COUNT; i++)
        anomalies += st.decode.anom[i];
    hy_json_kuint(&f.j, "decode_anomalies", anomalies);
    hy_json_obj_close(&f.j);
    if (rc != HY_OK)
        rc = hy__serve_error(s, c, bad ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR,
                             "upload: %s", hy_err_detail());
    else if ((rc = hy_json_finish(&f.j)) == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len);
    else
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "findings over the cap");
    hy_buf_free(&f.one);
    hy_buf_free(&b);
    return rc;
}

hy_err hy__route_analyze(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    static const char *const known[] = {"type", "name", NULL};
    static pthread_mutex_t one = PTHREAD_MUTEX_INITIALIZER;
    hy_err rc = HY_OK;
    const char *type = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "type");
    bool report = type && strcmp(type, "report") == 0;
    if (!hy__serve_known_params(s, c, known, &rc))
        return rc;
    if (type && !report && strcmp(type, "capture") != 0)
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "type must be capture or report");
    if (!s->cfg)
        return hy__serve_error(s, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                               "this server has no engine settings to analyze with");
    if (r->len == 0)
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST,
                               report ? "the body must be a report (text, HTML, PDF or a CVE"
                                        " record)"
                                      : "the body must be a capture (pcap or pcapng)");
    if (pthread_mutex_trylock(&one) != 0)
        return hy__serve_error(s, c, MHD_HTTP_TOO_MANY_REQUESTS,
                               "another analysis is running; try again");
    rc = report ? hy__route_analyze_report(s, c, r) : answer(s, c, r);
    pthread_mutex_unlock(&one);
    return rc;
}
