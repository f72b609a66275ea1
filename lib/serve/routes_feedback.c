/* POST /api/alerts/{id}/feedback: an analyst's verdict on an alert, parsed
 * strictly (a JSON object; known keys only; strings of bounded length) and
 * stored in one transaction. GET /api/alerts/{id}/feedback: the verdicts
 * recorded on it, newest first. */
#include "serve/serve_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hayate/clock.h"

#define SUFFIX "/feedback"

#define HISTORY_MAX   1000      /* verdicts listed at most (the newest) */
#define HISTORY_BYTES (32u << 20) /* 1,000 records of escaped capped strings fit */

typedef struct field {
    const char *key;
    size_t max;        /* longest value in bytes */
    bool required;
    const char **out;
} field;

/* Checks object j against fields; false with msg naming the bad one. */
static bool read_fields(json_t *j, field *f, size_t nf, char *msg, size_t cap)
{
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        size_t i = 0;
        while (i < nf && strcmp(key, f[i].key) != 0)
            i++;
        if (i == nf) {
            snprintf(msg, cap, "unknown key '%.40s'", key);
            return false;
        }
        if (!json_is_string(v) || json_string_length(v) > f[i].max) { /* jansson: no NUL */
            snprintf(msg, cap, "'%s' must be a string of at most %zu bytes", f[i].key, f[i].max);
            return false;
        }
        *f[i].out = json_string_value(v);
    }
    for (size_t i = 0; i < nf; i++)
        if (f[i].required && !*f[i].out) {
            snprintf(msg, cap, "'%s' is required", f[i].key);
            return false;
        }
    return true;
}

json_t *hy__feedback_parse(const char *body, size_t len, hy_feedback *fb, char *msg, size_t cap)
{
    json_error_t e;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    field f[] = {{"verdict", 32, true, &fb->verdict},
                 {"label", 128, false, &fb->label},
                 {"comment", 4096, false, &fb->comment},
                 {"analyst", 64, false, &fb->analyst}};
    if (!j) {
        snprintf(msg, cap, "body is not JSON: %s (line %d)", e.text, e.line);
        return NULL;
    }
    if (!json_is_object(j))
        snprintf(msg, cap, "body must be a JSON object");
    else if (!read_fields(j, f, sizeof f / sizeof f[0], msg, cap))
        ;
    else if (!hy_verdict_valid(fb->verdict))
        snprintf(msg, cap, "verdict must be true_positive, false_positive, benign or malicious");
    else
        return j;
    json_decref(j);
    return NULL;
}

static hy_err store_it(hy_serve *s, struct MHD_Connection *c, const hy_feedback *fb)
{
    hy_err rc;
    pthread_mutex_lock(&s->mu);
    rc = hy_store_put_feedback(s->store, fb);
    pthread_mutex_unlock(&s->mu);
    if (rc == HY_ERR_NOTFOUND)
        return hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no alert with this id");
    if (rc != HY_OK)
        return hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 1 << 16);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "alert_id", fb->alert_id);
    hy_json_kstr(&j, "verdict", fb->verdict);
    hy_json_kstr(&j, "label", fb->label);
    hy_json_kstr(&j, "comment", fb->comment);
    hy_json_kstr(&j, "analyst", fb->analyst);
    hy_json_key(&j, "time");
    hy_json_time(&j, fb->time_ns);
    hy_json_obj_close(&j);
    rc = hy_json_finish(&j);
    if (rc == HY_OK)
        rc = hy__serve_reply(s, c, MHD_HTTP_CREATED, "application/json", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}

hy_err hy__route_feedback(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    char id[64], msg[256];
    size_t n = strlen(r->arg), sl = strlen(SUFFIX);
    hy_feedback fb = {0};
    json_t *j;
    hy_err rc;

    if (n <= sl || n - sl >= sizeof id || strcmp(r->arg + n - sl, SUFFIX) != 0)
        return hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no such resource");
    memcpy(id, r->arg, n - sl);
    id[n - sl] = '\0';
    if (!hy__serve_valid_id(id))
        return hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no alert with this id");
    if (!(j = hy__feedback_parse(r->body, r->len, &fb, msg, sizeof msg)))
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "%s", msg);
    fb.alert_id = id;
    fb.time_ns = hy_clock_ns(CLOCK_REALTIME);
    rc = store_it(s, c, &fb);
    json_decref(j);
    return rc;
}

typedef struct history {
    hy_json *j;
    size_t n;
} history;

/* Appends one verdict record; stops at HISTORY_MAX or a full buffer. */
static int add_verdict(void *ud, const hy_feedback *f)
{
    history *h = ud;
    hy_json_obj_open(h->j);
    hy_json_kstr(h->j, "verdict", f->verdict);
    hy_json_kstr(h->j, "label", f->label);
    hy_json_kstr(h->j, "comment", f->comment);
    hy_json_kstr(h->j, "analyst", f->analyst);
    hy_json_key(h->j, "time");
    hy_json_time(h->j, f->time_ns);
    hy_json_obj_close(h->j);
    return ++h->n >= HISTORY_MAX || h->j->err != HY_OK; /* the buffer is full */
}

hy_err hy__route_feedback_list(hy_serve *s, struct MHD_Connection *c, const char *id)
{
    static const char *const known[] = {NULL};
    hy_err rc = HY_OK;
    hy_buf b;
    hy_json j;
    history h = {.j = &j};
    if (!hy__serve_known_params(s, c, known, &rc))
        return rc;
    hy_buf_init(&b, HISTORY_BYTES);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "alert", id);
    hy_json_key(&j, "feedback");
    hy_json_arr_open(&j);
    rc = hy__serve_read_feedback(s, id, add_verdict, &h);
    if (rc == HY_OK) {
        hy_json_arr_close(&j);
        hy_json_obj_close(&j);
        rc = hy_json_finish(&j);
        if (rc != HY_OK)
            hy_err_set(rc, "feedback of %s: %s", id, hy_err_str(rc));
    }
    if (rc == HY_ERR_NOTFOUND)
        rc = hy__serve_error(s, c, MHD_HTTP_NOT_FOUND, "no alert with this id");
    else if (rc != HY_OK)
        rc = hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", hy_err_detail());
    else
        rc = hy__serve_reply(s, c, MHD_HTTP_OK, "application/json", b.data, b.len);
    hy_buf_free(&b);
    return rc;
}
