/* Alert routes: GET /healthz, GET /api/alerts (filters, cursor pages in
 * either order), GET /api/alerts/{id} (and, split off its path,
 * GET /api/alerts/{id}/feedback: routes_feedback.c). Query parameters are
 * checked strictly: an unknown one, or a value that does not parse, is a
 * 400 naming it. */
#include "serve/serve_int.h"

#include <math.h>
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

/* order=asc (the default: oldest first, paged with after) or desc (newest
 * first, paged with before); a cursor against the order is a 400 naming
 * both. */
static bool read_order(hy_serve *s, struct MHD_Connection *c, hy_alert_filter *f,
                       const char *order, hy_err *rc)
{
    if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
        *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "order must be asc or desc");
        return false;
    }
    f->newest_first = order && strcmp(order, "desc") == 0;
    if (f->newest_first && f->after_id) {
        *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST,
                              "after pages order=asc; with order=desc page with before");
        return false;
    }
    if (!f->newest_first && f->before_id) {
        *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST,
                              "before pages order=desc; add order=desc (or page with after)");
        return false;
    }
    return true;
}

/* Fills f from the query string; on a bad one queues a 400 and returns
 * false. */
static bool read_filter(hy_serve *s, struct MHD_Connection *c, hy_alert_filter *f, hy_err *rc)
{
    unsigned long x;
    const char *v;
    static const char *const known[] = {"engine", "kind",    "severity", "from",
                                        "to",     "q",       "after",    "before",
                                        "order",  "limit",   "verdict",  NULL};
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
    if ((f->before_id = ARG("before")) && !hy__serve_valid_id(f->before_id)) {
        *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "before must be an alert id");
        return false;
    }
    return read_order(s, c, f, ARG("order"), rc);
#undef ARG
bad_severity:
    *rc = hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "severity must be 1..4");
    return false;
}

/* Bytes reserved for a page up front, per alert: darknet alerts' EVE text
 * is about 800 bytes, so a page rarely grows its buffer. */
#define PAGE_ALERT_BYTES 1024

typedef struct page {
    hy_buf *b;
    size_t n;
    bool uncertainty;
    char last[HY_ALERT_ID_LEN + 1];
    hy_err rc;
} page;

/* Appends one alert's stored EVE text (a JSON object) to the page. */
static int add_alert(void *ud, const hy_alert_eve *e)
{
    page *p = ud;
    if (e->len < 2 || e->eve[0] != '{') {
        p->rc = hy_err_set(HY_ERR_STORE, "alert %.26s: stored EVE text is not an object",
                           e->id);
        return 1;
    }
    if (p->n && (p->rc = hy_buf_addc(p->b, ',')) != HY_OK)
        return 1;
    if (p->uncertainty) { /* {"uncertainty":U, then the alert's own keys */
        double u = 1.0 - fabs(2.0 * e->score - 1.0);
        p->rc = hy_buf_addf(p->b, "{\"uncertainty\":%.6g%s", u < 0 ? 0.0 : u,
                            e->eve[1] == '}' ? "" : ",");
        if (p->rc == HY_OK)
            p->rc = hy_buf_add(p->b, e->eve + 1, e->len - 1);
    } else {
        p->rc = hy_buf_add(p->b, e->eve, e->len);
    }
    if (p->rc != HY_OK)
        return 1;
    size_t idn = strnlen(e->id, HY_ALERT_ID_LEN); /* not snprintf: per alert, it shows */
    memcpy(p->last, e->id, idn);
    p->last[idn] = '\0';
    p->n++;
    return 0;
}

hy_err hy__serve_alert_page(hy_serve *s, const hy_alert_filter *f, bool uncertainty, hy_buf *b)
{
    page p = {.b = b, .uncertainty = uncertainty};
    hy_err rc;
    char *room;
    size_t want = (f->limit ? f->limit : 1) * PAGE_ALERT_BYTES;
    if (!(room = hy_buf_room(b, want < b->cap ? want : b->cap, &rc)))
        return rc;
    if ((rc = hy_buf_adds(b, "{\"alerts\":[")) != HY_OK)
        return rc;
    rc = hy__serve_read_eve(s, f, add_alert, &p);
    if (rc == HY_OK)
        rc = p.rc;
    if (rc == HY_OK)
        rc = !uncertainty && f->limit && p.n == f->limit
                 ? hy_buf_addf(b, "],\"next\":\"%s\"}", p.last)
                 : hy_buf_adds(b, "],\"next\":null}");
    return rc;
}

/* Answers with a page for f, or (one) the alert f->id itself. */
static hy_err send_query(hy_serve *s, struct MHD_Connection *c, const hy_alert_filter *f,
                         bool one)
{
    hy_buf b;
    page p = {.b = &b};
    hy_err rc;
    hy_buf_init(&b, (size_t)PAGE_MAX << 16);
    if (one && (rc = hy__serve_read_eve(s, f, add_alert, &p)) == HY_OK)
        rc = p.rc;
    else if (!one)
        rc = hy__serve_alert_page(s, f, false, &b);
    if (rc != HY_OK)
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    else if (one && p.n == 0)
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

#define FEEDBACK_SUFFIX "/feedback"

hy_err hy__route_alert(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    hy_alert_filter f = {.id = r->arg, .limit = 1};
    size_t n = strlen(r->arg), sl = strlen(FEEDBACK_SUFFIX);
    if (n == HY_ALERT_ID_LEN + sl && strcmp(r->arg + HY_ALERT_ID_LEN, FEEDBACK_SUFFIX) == 0) {
        char id[HY_ALERT_ID_LEN + 1]; /* GET /api/alerts/{id}/feedback */
        memcpy(id, r->arg, HY_ALERT_ID_LEN);
        id[HY_ALERT_ID_LEN] = '\0';
        if (!hy__serve_valid_id(id))
            return hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no alert with this id");
        return hy__route_feedback_list(s, c, id);
    }
    if (!hy__serve_valid_id(r->arg))
        return hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no alert with this id");
    return send_query(s, c, &f, true);
}
