/* Intel routes over the store's intel_reports table (docs/serve.md):
 *   GET /api/intel/reports?limit=&before=    reports, newest first
 *   GET /api/intel/reports/{id}              one report's summary
 *   GET /api/intel/reports/{id}/stix         its STIX 2.1 bundle
 *   POST /api/analyze?type=report            a report in the body, analysed
 *                                            with the server's intel settings,
 *                                            stored, its summary answered
 * Query parameters are checked strictly as in routes_alerts.c. */
#include "serve/serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hayate/clock.h"
#include "hayate/config.h"
#include "hayate/intel.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500
#define BODY_MAX ((size_t)256 << 20)
#define ID_LEN 44 /* "report--" + 36 */

#define ARG(c, name) MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name)

/* Whether id is "report--" and a lowercase UUID. */
static bool valid_report_id(const char *id, size_t n)
{
    if (n != ID_LEN || strncmp(id, "report--", 8) != 0)
        return false;
    for (size_t i = 8; i < n; i++) {
        bool dash = i == 16 || i == 21 || i == 26 || i == 31;
        if (dash ? id[i] != '-' : !strchr("0123456789abcdef", id[i]) || !id[i])
            return false;
    }
    return true;
}

typedef struct page {
    hy_json j;
    size_t n;
    uint64_t last_ns;
} page;

static int add_item(void *ud, const hy_intel_record *r)
{
    page *p = ud;
    hy_json_obj_open(&p->j);
    hy_json_kstr(&p->j, "id", r->id);
    hy_json_kstr(&p->j, "title", r->title);
    hy_json_kstr(&p->j, "source", r->source);
    hy_json_kstr(&p->j, "sha256", r->sha256);
    hy_json_kuint(&p->j, "time_ns", r->time_ns);
    hy_json_key(&p->j, "summary");
    hy_json_raw(&p->j, r->summary);
    hy_json_obj_close(&p->j);
    p->n++;
    p->last_ns = r->time_ns;
    return 0;
}

hy_err hy__route_intel_reports(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    static const char *const known[] = {"limit", "before", NULL};
    hy_report_filter f = {.limit = LIST_DEFAULT};
    unsigned long x;
    const char *v;
    page p = {.n = 0};
    hy_err rc = HY_OK;
    (void)r;
    if (!hy__serve_known_params(s, c, known, &rc))
        return rc;
    if ((v = ARG(c, "limit"))) {
        if (!hy__serve_parse_uint(v, 1, LIST_MAX, &x))
            return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "limit must be 1..%d", LIST_MAX);
        f.limit = x;
    }
    if ((v = ARG(c, "before"))) {
        if (!hy__serve_parse_uint(v, 1, (unsigned long)INT64_MAX, &x))
            return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST,
                                   "before must be a time in ns since the epoch");
        f.until_ns = x;
    }
    hy_buf b;
    hy_buf_init(&b, BODY_MAX);
    hy_json_init(&p.j, &b);
    hy_json_obj_open(&p.j);
    hy_json_key(&p.j, "reports");
    hy_json_arr_open(&p.j);
    hy_store *st = hy__serve_store_take(s);
    rc = hy_store_query_reports(st, &f, add_item, &p);
    hy__serve_store_give(s, st);
    hy_json_arr_close(&p.j);
    hy_json_key(&p.j, "next");
    if (p.n == f.limit) {
        char next[24];
        snprintf(next, sizeof next, "%llu", (unsigned long long)p.last_ns);
        hy_json_str(&p.j, next); /* reports sharing that time are on one page */
    } else {
        hy_json_null(&p.j);
    }
    hy_json_obj_close(&p.j);
    if (rc == HY_OK)
        rc = hy_json_finish(&p.j);
    rc = rc == HY_OK ? hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len)
                     : hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s",
                                       hy_err_detail());
    hy_buf_free(&b);
    return rc;
}

typedef struct one {
    hy_buf *b;
    bool stix, found;
    hy_err err;
} one;

static int take_one(void *ud, const hy_intel_record *r)
{
    one *o = ud;
    o->found = true;
    o->err = hy_buf_adds(o->b, o->stix ? r->stix : r->summary);
    return 1;
}

/* GET /api/intel/reports/{id} and /api/intel/reports/{id}/stix */
hy_err hy__route_intel_report(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    size_t n = strlen(r->arg);
    hy_err rc = HY_OK;
    hy_buf b;
    one o = {.b = &b};
    char id[ID_LEN + 1];
    if (!hy__serve_known_params(s, c, (const char *const[]){NULL}, &rc))
        return rc;
    if (n > 5 && !strcmp(r->arg + n - 5, "/stix")) {
        o.stix = true;
        n -= 5;
    }
    if (!valid_report_id(r->arg, n))
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST,
                               "a report is named report--UUID (lowercase)");
    memcpy(id, r->arg, n);
    id[n] = '\0';
    hy_report_filter f = {.id = id, .limit = 1, .with_stix = o.stix};
    hy_buf_init(&b, BODY_MAX);
    hy_store *st = hy__serve_store_take(s);
    rc = hy_store_query_reports(st, &f, take_one, &o);
    hy__serve_store_give(s, st);
    if (rc == HY_OK)
        rc = o.err;
    if (rc != HY_OK)
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    else if (!o.found)
        rc = hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no report with this id");
    else
        rc = hy__serve_reply(s, c, MHD_HTTP_OK,
                             o.stix ? "application/stix+json;version=2.1" : "application/json",
                             b.data, b.len);
    hy_buf_free(&b);
    return rc;
}

/* Stores an analysed report with its indicators. */
static hy_err store_report(hy_serve *s, const hy_intel_result *res)
{
    hy_intel_record rec;
    hy_report_ioc *v;
    hy_err rc = hy_intel_record_of(res, &rec, &v);
    const hy_intel_record *one_rec = &rec;
    if (rc != HY_OK)
        return rc;
    pthread_mutex_lock(&s->mu);
    rc = s->store ? hy_store_put_reports(s->store, &one_rec, 1) : HY_OK;
    pthread_mutex_unlock(&s->mu);
    free(v);
    return rc;
}

/* The identity of the file at path (all zero when it cannot be read):
 * device, inode, size and modification time, so a replaced file differs. */
static hy__file_id file_identity(const char *path)
{
    hy__file_id id = {0};
    struct stat st;
    if (path && stat(path, &st) == 0)
        id = (hy__file_id){(uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
                           (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec};
    return id;
}

/* The server's analyser, with s->intel_mu held: made on first use and again
 * when the model or the tables file has changed on disk (hayate train intel
 * replaces the model atomically), so a report costs no model load. */
static hy_err shared_intel(hy_serve *s, hy_intel **out)
{
    const char *model = hy_config_str(s->cfg, "intel.model");
    const char *tables = hy_config_str(s->cfg, "intel.attack_tables");
    hy_intel_cfg ic = {.tables = tables,
                       .model = model,
                       .min_confidence =
                           (double)hy_config_int(s->cfg, "intel.min_confidence_pm") / 1000};
    hy__file_id ids[2] = {file_identity(model && *model ? model : HY_INTEL_DEFAULT_MODEL),
                          file_identity(tables && *tables ? tables : HY_INTEL_DEFAULT_TABLES)};
    if (s->intel && memcmp(ids, s->intel_files, sizeof ids) == 0) {
        *out = s->intel;
        return HY_OK;
    }
    hy_intel_destroy(s->intel);
    s->intel = NULL;
    hy_err rc = hy_intel_create(&ic, &s->intel);
    if (rc == HY_OK)
        memcpy(s->intel_files, ids, sizeof ids);
    *out = s->intel;
    return rc;
}

/* POST /api/analyze?type=report (routes_analyze.c hands it over). Reports
 * are analysed, stored and answered one at a time, by the server's one
 * analyser (lock order: intel_mu, then mu). */
hy_err hy__route_analyze_report(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    hy_intel *in = NULL;
    hy_intel_result res;
    hy_err rc;
    const char *name = ARG(c, "name");
    if (name && (strlen(name) > 255 || !*name))
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "name must be 1..255 bytes");
    pthread_mutex_lock(&s->intel_mu);
    if ((rc = shared_intel(s, &in)) != HY_OK) {
        pthread_mutex_unlock(&s->intel_mu);
        return hy__serve_error(s, c, MHD_HTTP_SERVICE_UNAVAILABLE, "intel: %s", hy_err_detail());
    }
    rc = hy_intel_analyse(in, name ? name : "upload", (const uint8_t *)r->body, r->len,
                          (int64_t)hy_clock_ns(CLOCK_REALTIME), &res);
    if (rc == HY_OK && (rc = store_report(s, &res)) != HY_OK)
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    else if (rc == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", res.summary.data,
                             res.summary.len);
    else
        rc = hy__serve_error(s, c,
                             rc == HY_ERR_NOMEM ? MHD_HTTP_INTERNAL_SERVER_ERROR
                                                : MHD_HTTP_BAD_REQUEST,
                             "report: %s", hy_err_detail());
    hy_intel_result_free(&res); /* it may point into the analyser: before unlocking */
    pthread_mutex_unlock(&s->intel_mu);
    return rc;
}
