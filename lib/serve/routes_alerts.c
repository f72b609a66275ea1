/* Alert routes: GET /healthz, GET /api/alerts (filters, cursor pages),
 * GET /api/alerts/{id}. Query parameters are checked strictly: an unknown
 * one, or a value that does not parse, is a 400 naming it. */
#include "serve/serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/timeparse.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX     1000

hy_err hy__route_healthz(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    (void)r;
    return hy__serve_reply(s, c, MHD_HTTP_OK, "text/plain", "ok\n", 3);
}

/* Crockford base32 as in the alert ids (ULIDs), 26 characters. */
bool hy__serve_valid_id(const char *id)
{
    static const char ok[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    size_t n = strlen(id);
    return n == HY_ALERT_ID_LEN && strspn(id, ok) == n;
}

/* Fills f from the query string; on a bad one queues a 400 and returns
 * false. */
static bool read_filter(hy_serve *s, struct MHD_Connection *c, hy_alert_filter *f, hy_err *rc)
{
    unsigned long x;
    const char *v;
    static const char *const known[] = {"engine", "kind",  "severity", "from",    "to",
                                        "q",      "after", "limit",    "verdict", NULL};
#define ARG(name) MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name)
    if (!hy__serve_known_params(s, c, known, rc))
        return false;
    f->engine = ARG("engine");
    f->kind = ARG("kind");
    f->text = ARG("q");
    f->limit = PAGE_DEFAULT;
    if ((v = ARG("severity"))) {
        if (!hy__serve_parse_uint(v, 1, 4, &x))
            goto bad_severity;
        f->max_severity = (int)x;
    }
    if ((v = ARG("limit"))) {
        if (!hy__serve_parse_uint(v, 1, PAGE_MAX, &x)) {
            *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "limit must be 1..%d", PAGE_MAX);
            return false;
        }
        f->limit = x;
    }
    if (((v = ARG("from")) && !hy_time_parse(v, &f->from_ns)) ||
        ((v = ARG("to")) && !hy_time_parse(v, &f->to_ns))) {
        *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST,
                              "from/to must be epoch seconds or ISO-8601 UTC");
        return false;
    }
    if ((f->verdict = ARG("verdict")) && strcmp(f->verdict, "none") != 0 &&
        !hy_verdict_valid(f->verdict)) {
        *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST,
                              "verdict must be true_positive, false_positive, benign, "
                              "malicious or none");
        return false;
    }
    if ((f->after_id = ARG("after")) && !hy__serve_valid_id(f->after_id)) {
        *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "after must be an alert id");
        return false;
    }
    return true;
#undef ARG
bad_severity:
    *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "severity must be 1..4");
    return false;
}

typedef struct page {
    hy_json j;
    hy_buf *b, one;
    size_t n;
    char last[HY_ALERT_ID_LEN + 1];
    hy_err rc;
} page;

static int add_alert(void *ud, const hy_alert *a)
{
    page *p = ud;
    p->one.len = 0;
    if ((p->rc = hy_alert_to_eve(a, &p->one)) != HY_OK)
        return 1; /* data stays NUL-terminated */
    hy_json_raw(&p->j, p->one.data);
    snprintf(p->last, sizeof p->last, "%s", a->id);
    p->n++;
    return 0;
}

/* Runs the filter and writes {"alerts": [EVE...], "next": id|null} (or, for
 * one, the alert itself) into b. */
static hy_err query(hy_serve *s, const hy_alert_filter *f, bool one, hy_buf *b, size_t *n)
{
    page p = {.b = b};
    hy_err rc;
    hy_buf_init(&p.one, 1 << 20);
    hy_json_init(&p.j, b);
    if (!one) {
        hy_json_obj_open(&p.j);
        hy_json_key(&p.j, "alerts");
        hy_json_arr_open(&p.j);
    }
    pthread_mutex_lock(&s->mu);
    rc = hy_store_query_alerts(s->store, f, add_alert, &p);
    pthread_mutex_unlock(&s->mu);
    if (rc == HY_OK)
        rc = p.rc;
    if (!one) {
        hy_json_arr_close(&p.j);
        hy_json_key(&p.j, "next");
        if (f->limit && p.n == f->limit)
            hy_json_str(&p.j, p.last);
        else
            hy_json_null(&p.j);
        hy_json_obj_close(&p.j);
    }
    if (rc == HY_OK)
        rc = hy_json_finish(&p.j);
    hy_buf_free(&p.one);
    *n = p.n;
    return rc;
}

static hy_err send_query(hy_serve *s, struct MHD_Connection *c, const hy_alert_filter *f,
                         bool one)
{
    hy_buf b;
    size_t n = 0;
    hy_err rc;
    hy_buf_init(&b, (size_t)PAGE_MAX << 16);
    rc = query(s, f, one, &b, &n);
    if (rc != HY_OK)
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    else if (one && n == 0)
        rc = hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no alert with this id");
    else
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}

hy_err hy__route_alerts(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    hy_alert_filter f = {0};
    hy_err rc = HY_OK;
    (void)r;
    if (!read_filter(s, c, &f, &rc))
        return rc;
    return send_query(s, c, &f, false);
}

hy_err hy__route_alert(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    hy_alert_filter f = {.id = r->arg, .limit = 1};
    if (!hy__serve_valid_id(r->arg))
        return hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no alert with this id");
    return send_query(s, c, &f, true);
}
