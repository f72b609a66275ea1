/* The HTTP API over real HTTP on loopback: health, alert pages with
 * filters and cursors (oldest and newest first), one alert, its verdict
 * history, strict parameters (400 naming them),
 * unknown paths and methods, bodies where none belongs, oversized requests
 * (the server keeps serving), the token rules, the label queue, and pages
 * asked for by several clients at once. */
#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hayate/serve.h"
#include "hayate/store.h"
#include "testutil.h"

#define N_ALERTS 5

static char db[512];

/* A store with five alerts: three darknet (severity 2), two screen (4). */
static void make_store(void)
{
    hy_store *s;
    hy_alert *a[N_ALERTS];
    snprintf(db, sizeof db, "%s/serve.db", hy_test_tmpdir());
    assert_int_equal(hy_store_open_sqlite(db, &s), HY_OK);
    for (int i = 0; i < N_ALERTS; i++) {
        char subject[32];
        snprintf(subject, sizeof subject, "tcp/%d", 1000 + i);
        assert_int_equal(hy_alert_create(1700000000000000000ull + (uint64_t)i * 60000000000ull,
                                         i < 3 ? "darknet" : "screen",
                                         i < 3 ? "darknet.outbreak" : "screen.top", i < 3 ? 2 : 4,
                                         0.5, "a title", subject, (uint64_t)i, &a[i]),
                         HY_OK);
    }
    assert_int_equal(hy_store_put_alerts(s, a, N_ALERTS), HY_OK);
    hy_series_point pts[] = {
        {"darknet", "tcp/23", 1700000060000000000ull, "{\"sources\":7}"},
        {"darknet", "tcp/23", 1700000000000000000ull, "{\"sources\":5}"},
        {"darknet", "backscatter/tcp/80", 1700000000000000000ull, "{\"sources\":2}"},
        {"darknet", "all", 1700000000000000000ull, "{\"sources\":99}"},
    };
    assert_int_equal(hy_store_put_series(s, pts, 4), HY_OK);
    for (int i = 0; i < N_ALERTS; i++)
        hy_alert_destroy(a[i]);
    hy_store_close(s);
}

typedef struct reply {
    int status;
    char *body;
} reply;

/* Sends raw request text to the server and reads the whole reply. */
static reply send_raw(uint16_t port, const char *req, size_t len)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    reply r = {0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0 && buf);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server may close on an oversized request */
        off += (size_t)w;
    }
    for (ssize_t k; n < cap && (k = recv(fd, buf + n, cap - n, 0)) > 0;)
        n += (size_t)k;
    buf[n] = '\0';
    close(fd);
    sscanf(buf, "HTTP/1.%*d %d", &r.status);
    char *body = strstr(buf, "\r\n\r\n");
    r.body = strdup(body ? body + 4 : "");
    free(buf);
    return r;
}

static reply get(uint16_t port, const char *path, const char *auth)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: x\r\n%s%s%sConnection: close\r\n\r\n", path,
                     auth ? "Authorization: " : "", auth ? auth : "", auth ? "\r\n" : "");
    return send_raw(port, req, (size_t)n);
}

static reply post(uint16_t port, const char *path, const char *body, size_t len)
{
    size_t cap = len + 512;
    char *req = malloc(cap);
    int n = snprintf(req, cap,
                     "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     path, len);
    memcpy(req + n, body, len);
    reply r = send_raw(port, req, (size_t)n + len);
    free(req);
    return r;
}

static json_t *json_of(const reply *r)
{
    json_error_t e;
    json_t *j = json_loads(r->body, 0, &e);
    if (!j)
        fail_msg("not JSON (%s): %s", e.text, r->body);
    return j;
}

/* GETs a page of alerts; returns how many it holds, and whether "next" is
 * null. */
static size_t page_size(uint16_t port, const char *path, bool *last)
{
    reply r = get(port, path, NULL);
    assert_int_equal(r.status, 200);
    json_t *j = json_of(&r);
    size_t n = json_array_size(json_object_get(j, "alerts"));
    *last = json_is_null(json_object_get(j, "next"));
    json_decref(j);
    free(r.body);
    return n;
}

static hy_serve *start(const char *listen, const char *token)
{
    hy_serve_cfg c = {.listen = listen, .token = token, .db_path = db, .threads = 2,
                      .max_request = 65536};
    hy_serve *s;
    assert_int_equal(hy_serve_start(&c, &s), HY_OK);
    assert_true(hy_serve_port(s) > 0);
    return s;
}

static void test_alert_pages(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    uint16_t p = hy_serve_port(s);
    reply r = get(p, "/healthz", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    free(r.body);

    bool last = false;
    assert_int_equal(page_size(p, "/api/alerts", &last), N_ALERTS);
    assert_true(last);

    /* two pages of 3 and 2 through the cursor */
    r = get(p, "/api/alerts?limit=3", NULL);
    json_t *j = json_of(&r);
    assert_int_equal(json_array_size(json_object_get(j, "alerts")), 3);
    char path[128], id[64];
    snprintf(id, sizeof id, "%s",
             json_string_value(json_object_get(
                 json_object_get(json_array_get(json_object_get(j, "alerts"), 0), "hayate"),
                 "id")));
    snprintf(path, sizeof path, "/api/alerts?limit=3&after=%s",
             json_string_value(json_object_get(j, "next")));
    json_decref(j);
    free(r.body);
    assert_int_equal(page_size(p, path, &last), 2);
    assert_true(last);

    /* filters */
    assert_int_equal(page_size(p, "/api/alerts?engine=screen", &last), 2);
    assert_int_equal(page_size(p, "/api/alerts?severity=2&q=tcp/1001", &last), 1);
    assert_int_equal(page_size(p, "/api/alerts?kind=darknet.*", &last), 3);

    /* one alert, and one that is not there */
    snprintf(path, sizeof path, "/api/alerts/%s", id);
    r = get(p, path, NULL);
    assert_int_equal(r.status, 200);
    j = json_of(&r);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "hayate"), "id")), id);
    json_decref(j);
    free(r.body);
    r = get(p, "/api/alerts/01ARZ3NDEKTSV4RRFFQ69G5FAV", NULL);
    assert_int_equal(r.status, 404);
    free(r.body);
    hy_serve_stop(s);
}

static void expect(uint16_t p, const char *path, int status, const char *in_body)
{
    reply r = get(p, path, NULL);
    assert_int_equal(r.status, status);
    if (in_body && !strstr(r.body, in_body))
        fail_msg("%s: '%s' not in %s", path, in_body, r.body);
    free(r.body);
}

typedef struct wanted {
    const char *path;
    int status;
    const char *in_body;
} wanted;

static void expect_all(uint16_t p, const wanted *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect(p, w[i].path, w[i].status, w[i].in_body);
}

static void test_bad_requests(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    uint16_t p = hy_serve_port(s);
    static const wanted bad[] = {
        {"/api/alerts?severity=0", 400, "severity"},
        {"/api/alerts?severity=2x", 400, "severity"},
        {"/api/alerts?limit=100000", 400, "limit"},
        {"/api/alerts?from=yesterday", 400, "from/to"},
        {"/api/alerts?after=../../etc", 400, "after"},
        {"/api/alerts?colour=red", 400, "colour"},
        {"/api/alerts/../../etc/passwd", 404, NULL},
        {"/nope", 404, "no such"},
    };
    expect_all(p, bad, sizeof bad / sizeof bad[0]);

    const char post[] = "POST /api/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                        "Connection: close\r\n\r\n";
    reply r = send_raw(p, post, sizeof post - 1);
    assert_int_equal(r.status, 405);
    free(r.body);
    const char body[] = "GET /api/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        "Connection: close\r\n\r\nhello";
    r = send_raw(p, body, sizeof body - 1);
    assert_int_equal(r.status, 400);
    free(r.body);

    /* a 1 MB header: refused, and the server keeps serving */
    size_t big = 1 << 20;
    char *huge = malloc(big + 128);
    int n = snprintf(huge, 128, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(huge + n, 'a', big);
    memcpy(huge + n + big, "\r\n\r\n", 5);
    r = send_raw(p, huge, (size_t)n + big + 4);
    assert_true(r.status == 0 || (r.status >= 400 && r.status < 500));
    free(r.body);
    free(huge);
    expect(p, "/healthz", 200, "ok");
    hy_serve_stop(s);
}

static uint64_t feedback_rows(void)
{
    hy_store *st;
    uint64_t n = 0;
    assert_int_equal(hy_store_open_sqlite(db, &st), HY_OK);
    assert_int_equal(hy_store_count(st, "feedback", &n), HY_OK);
    hy_store_close(st);
    return n;
}

/* Posts body to the first alert's feedback path; checks the status and
 * that the message holds `want`. */
static void feedback(uint16_t p, const char *id, const char *body, int status, const char *want)
{
    char path[128];
    snprintf(path, sizeof path, "/api/alerts/%s/feedback", id);
    reply r = post(p, path, body, strlen(body));
    if (r.status != status || (want && !strstr(r.body, want)))
        fail_msg("%s -> %d %s (wanted %d, '%s')", body, r.status, r.body, status,
                 want ? want : "");
    free(r.body);
}

static void test_feedback(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    uint16_t p = hy_serve_port(s);
    reply r = get(p, "/api/alerts?limit=1", NULL);
    json_t *j = json_of(&r);
    char id[64];
    snprintf(id, sizeof id, "%s",
             json_string_value(json_object_get(
                 json_object_get(json_array_get(json_object_get(j, "alerts"), 0), "hayate"),
                 "id")));
    json_decref(j);
    free(r.body);
    uint64_t before = feedback_rows();

    feedback(p, id, "{\"verdict\":\"false_positive\",\"comment\":\"research scanner\","
                    "\"analyst\":\"kai\"}",
             201, "\"verdict\":\"false_positive\"");
    assert_int_equal(feedback_rows(), before + 1);
    feedback(p, id, "{verdict: 1}", 400, "not JSON");
    feedback(p, id, "[\"true_positive\"]", 400, "JSON object");
    feedback(p, id, "{\"verdict\":\"maybe\"}", 400, "verdict must be");
    feedback(p, id, "{\"label\":\"mirai\"}", 400, "'verdict' is required");
    feedback(p, id, "{\"verdict\":\"benign\",\"colour\":\"red\"}", 400, "unknown key");
    feedback(p, id, "{\"verdict\":\"benign\",\"label\":7}", 400, "'label' must be");
    feedback(p, id, "{\"verdict\":\"benign\",\"verdict\":\"malicious\"}", 400, "not JSON");
    feedback(p, id, "{\"verdict\":\"benign\",\"label\":\"a\\u0000b\"}", 400, "not JSON");
    feedback(p, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "{\"verdict\":\"benign\"}", 404, "no alert");
    feedback(p, "../../x", "{\"verdict\":\"benign\"}", 404, NULL);
    assert_int_equal(feedback_rows(), before + 1); /* nothing refused was stored */
    bool last;
    assert_int_equal(page_size(p, "/api/alerts?verdict=false_positive", &last), 1);
    assert_int_equal(page_size(p, "/api/alerts?verdict=none", &last), N_ALERTS - 1);
    assert_int_equal(page_size(p, "/api/alerts?verdict=benign", &last), 0);
    feedback(p, id, "{\"verdict\":\"true_positive\"}", 201, NULL); /* the latest counts */
    assert_int_equal(page_size(p, "/api/alerts?verdict=false_positive", &last), 0);
    assert_int_equal(page_size(p, "/api/alerts?verdict=true_positive", &last), 1);
    expect(p, "/api/alerts?verdict=maybe", 400, "verdict");

    /* a body over the cap: 413, and the server keeps serving */
    size_t big = 100000;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[big] = '\0';
    char path[128];
    snprintf(path, sizeof path, "/api/alerts/%s/feedback", id);
    r = post(p, path, huge, big);
    assert_int_equal(r.status, 413);
    free(r.body);
    free(huge);
    expect(p, "/healthz", 200, "ok");
    hy_serve_stop(s);
}

/* The alert ids of a page in its order (at most 8) and its "next" (""
 * when null); returns how many. */
static size_t page_ids(uint16_t p, const char *path, char got[8][64], char next[64])
{
    reply r = get(p, path, NULL);
    if (r.status != 200)
        fail_msg("%s -> %d %s", path, r.status, r.body);
    json_t *j = json_of(&r), *v = json_object_get(j, "alerts");
    size_t n = json_array_size(v);
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++)
        snprintf(got[i], 64, "%s",
                 json_string_value(json_object_get(
                     json_object_get(json_array_get(v, i), "hayate"), "id")));
    json_t *nx = json_object_get(j, "next");
    snprintf(next, 64, "%s", json_is_string(nx) ? json_string_value(nx) : "");
    json_decref(j);
    free(r.body);
    return n;
}

/* order=desc: newest first, "next" the page's oldest id, before=NEXT the
 * following page; every alert once, the reverse of the ascending pages;
 * filters apply; a cursor against the order is a 400 naming it. */
static void test_newest_first(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    uint16_t p = hy_serve_port(s);
    char asc[8][64], got[8][64], next[64], path[160];
    assert_int_equal(page_ids(p, "/api/alerts?order=asc", asc, next), N_ALERTS);
    assert_string_equal(next, "");
    assert_true(strcmp(asc[0], asc[1]) < 0);
    size_t seen = 0;
    snprintf(path, sizeof path, "/api/alerts?order=desc&limit=2");
    for (int round = 0; round < 10; round++) {
        size_t n = page_ids(p, path, got, next);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(got[i], asc[N_ALERTS - 1 - (seen + i)]);
        seen += n;
        if (!next[0])
            break;
        assert_int_equal(n, 2);
        assert_string_equal(next, got[n - 1]); /* the page's oldest */
        snprintf(path, sizeof path, "/api/alerts?limit=2&before=%s&order=desc", next);
    }
    assert_int_equal(seen, N_ALERTS);

    /* filters, newest first: the two screen alerts are the newest two */
    assert_int_equal(page_ids(p, "/api/alerts?engine=screen&order=desc", got, next), 2);
    assert_string_equal(got[0], asc[4]);
    assert_string_equal(got[1], asc[3]);
    snprintf(path, sizeof path, "/api/alerts?order=desc&kind=darknet.*&before=%s&limit=1", asc[2]);
    assert_int_equal(page_ids(p, path, got, next), 1);
    assert_string_equal(got[0], asc[1]);
    assert_string_equal(next, asc[1]);

    char bad[4][256];
    snprintf(bad[0], sizeof bad[0], "/api/alerts?order=desc&after=%s", asc[1]);
    snprintf(bad[1], sizeof bad[1], "/api/alerts?before=%s", asc[1]);
    snprintf(bad[2], sizeof bad[2], "/api/alerts?order=asc&before=%s", asc[1]);
    snprintf(bad[3], sizeof bad[3], "/api/alerts?order=desc&before=%s&after=%s", asc[3], asc[1]);
    const wanted w[] = {
        {bad[0], 400, "after pages order=asc"},
        {bad[1], 400, "before pages order=desc"},
        {bad[2], 400, "before pages order=desc"},
        {bad[3], 400, "with order=desc page with before"},
        {"/api/alerts?order=newest", 400, "order must be asc or desc"},
        {"/api/alerts?order=", 400, "order must be"},
        {"/api/alerts?order=desc&before=../../etc", 400, "before must be an alert id"},
    };
    expect_all(p, w, sizeof w / sizeof w[0]);
    hy_serve_stop(s);
}

/* GETs an alert's verdict history: checks the alert id and the shape of
 * every record; the verdicts in order into v (at most 4), comment of the
 * first into c0. Returns how many. */
static size_t history(uint16_t p, const char *id, char v[4][32], char c0[64])
{
    char path[128];
    snprintf(path, sizeof path, "/api/alerts/%s/feedback", id);
    reply r = get(p, path, NULL);
    if (r.status != 200)
        fail_msg("%s -> %d %s", path, r.status, r.body);
    json_t *j = json_of(&r), *fb = json_object_get(j, "feedback");
    assert_string_equal(json_string_value(json_object_get(j, "alert")), id);
    assert_true(json_is_array(fb));
    size_t n = json_array_size(fb);
    assert_true(n <= 4);
    c0[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(fb, i);
        assert_int_equal(json_object_size(e), 5);
        const char *t = json_string_value(json_object_get(e, "time"));
        assert_true(t && strlen(t) == 31 && t[10] == 'T'); /* as the POST's record */
        snprintf(v[i], 32, "%s", json_string_value(json_object_get(e, "verdict")));
        json_t *label = json_object_get(e, "label"), *who = json_object_get(e, "analyst");
        assert_true(json_is_null(label) || json_is_string(label));
        assert_true(json_is_null(who) || json_is_string(who));
        if (!i && json_is_string(json_object_get(e, "comment")))
            snprintf(c0, 64, "%s", json_string_value(json_object_get(e, "comment")));
    }
    json_decref(j);
    free(r.body);
    return n;
}

/* GET /api/alerts/{id}/feedback: empty for an alert nobody judged, the
 * verdicts newest first once posted, 404 for an alert not in the store or
 * a malformed id, strict parameters; GET /api/alerts/{id} still answers. */
static void test_feedback_history(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    uint16_t p = hy_serve_port(s);
    char ids[8][64], next[64], v[4][32], c0[64], path[160];
    assert_int_equal(page_ids(p, "/api/alerts", ids, next), N_ALERTS);
    const char *id = ids[2]; /* test_feedback judged ids[0] */
    assert_int_equal(history(p, id, v, c0), 0);
    feedback(p, id, "{\"verdict\":\"benign\",\"analyst\":\"kai\"}", 201, NULL);
    struct timespec ms2 = {.tv_nsec = 2000000}; /* distinct times (microsecond text) */
    nanosleep(&ms2, NULL);
    feedback(p, id, "{\"verdict\":\"malicious\",\"comment\":\"C2 \\\"x\\\"\"}", 201, NULL);
    assert_int_equal(history(p, id, v, c0), 2);
    assert_string_equal(v[0], "malicious");
    assert_string_equal(v[1], "benign");
    assert_string_equal(c0, "C2 \"x\"");
    assert_int_equal(history(p, ids[1], v, c0), 0); /* others untouched */
    bool last;
    assert_int_equal(page_size(p, "/api/alerts?verdict=malicious", &last), 1);

    snprintf(path, sizeof path, "/api/alerts/%s", id); /* the alert itself */
    expect(p, path, 200, "\"event_type\":\"alert\"");
    snprintf(path, sizeof path, "/api/alerts/%s/feedback?limit=1", id);
    expect(p, path, 400, "'limit'");
    snprintf(path, sizeof path, "/api/alerts/%s/feedbacks", id);
    expect(p, path, 404, NULL);
    snprintf(path, sizeof path, "/api/alerts/%s/feedback/x", id);
    expect(p, path, 404, NULL);
    /* more verdicts than listed: the newest 1,000 */
    hy_store *st;
    assert_int_equal(hy_store_open_sqlite(db, &st), HY_OK);
    for (uint64_t i = 1; i <= 1005; i++) {
        hy_feedback fb = {.alert_id = ids[3], .verdict = i % 2 ? "benign" : "malicious",
                          .time_ns = 1700000000000000000ull + i * 1000000ull};
        assert_int_equal(hy_store_put_feedback(st, &fb), HY_OK);
    }
    hy_store_close(st);
    snprintf(path, sizeof path, "/api/alerts/%s/feedback", ids[3]);
    reply r = get(p, path, NULL);
    assert_int_equal(r.status, 200);
    json_t *j = json_of(&r), *fb = json_object_get(j, "feedback");
    assert_int_equal(json_array_size(fb), 1000);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fb, 0), "time")),
                        "2023-11-14T22:13:21.005000+0000"); /* the 1,005th */
    assert_string_equal(json_string_value(json_object_get(json_array_get(fb, 999), "time")),
                        "2023-11-14T22:13:20.006000+0000"); /* the 6th */
    json_decref(j);
    free(r.body);

    static const wanted bad[] = {
        {"/api/alerts/01ARZ3NDEKTSV4RRFFQ69G5FAV/feedback", 404, "no alert"},
        {"/api/alerts/01ARZ3NDEKTSV4RRFFQ69G5FA!/feedback", 404, "no alert"},
        {"/api/alerts/../feedback", 404, NULL},
        {"/api/alerts//feedback", 404, NULL},
    };
    expect_all(p, bad, sizeof bad / sizeof bad[0]);
    hy_serve_stop(s);
}

/* The values of a series reply's points, "5,7". */
static void series_values(uint16_t p, const char *path, char *out, size_t cap)
{
    reply r = get(p, path, NULL);
    assert_int_equal(r.status, 200);
    json_t *j = json_of(&r), *pts = json_object_get(j, "points");
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(pts); i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%lld", i ? "," : "",
                              json_integer_value(json_object_get(
                                  json_object_get(json_array_get(pts, i), "value"), "sources")));
    json_decref(j);
    free(r.body);
}

static void test_darknet_series(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    uint16_t p = hy_serve_port(s);
    char v[128];
    series_values(p, "/api/darknet/series?proto=tcp&port=23", v, sizeof v);
    assert_string_equal(v, "5,7"); /* in time order */
    series_values(p, "/api/darknet/series?proto=tcp&port=23&from=1700000030", v, sizeof v);
    assert_string_equal(v, "7");
    series_values(p, "/api/darknet/series?proto=tcp&port=23&limit=1", v, sizeof v);
    assert_string_equal(v, "5");
    series_values(p, "/api/darknet/series?proto=tcp&port=80&class=backscatter", v, sizeof v);
    assert_string_equal(v, "2");
    series_values(p, "/api/darknet/series?proto=all", v, sizeof v);
    assert_string_equal(v, "99");
    series_values(p, "/api/darknet/series?proto=udp&port=53", v, sizeof v);
    assert_string_equal(v, "");
    static const wanted bad[] = {
        {"/api/darknet/series?proto=sctp&port=1", 400, "proto"},
        {"/api/darknet/series?proto=tcp&port=70000", 400, "port"},
        {"/api/darknet/series?proto=tcp", 400, "port"},
        {"/api/darknet/series?proto=tcp&port=23&class=weird", 400, "class"},
        {"/api/darknet/series?proto=tcp&port=23&key=x", 400, "key"},
        {"/api/darknet/series?proto=tcp&port=23&limit=0", 400, "limit"},
    };
    expect_all(p, bad, sizeof bad / sizeof bad[0]);
    hy_serve_stop(s);
}

static void test_stats_and_metrics(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    uint16_t p = hy_serve_port(s);
    expect(p, "/healthz", 200, "ok");
    expect(p, "/nope", 404, NULL);
    expect(p, "/api/alerts?limit=0", 400, NULL);
    reply r = get(p, "/api/stats", NULL);
    assert_int_equal(r.status, 200);
    json_t *j = json_of(&r);
    json_t *resp = json_object_get(j, "responses");
    assert_int_equal(json_integer_value(json_object_get(resp, "2xx")), 1);
    assert_int_equal(json_integer_value(json_object_get(resp, "4xx")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "store"), "alerts")),
                     N_ALERTS);
    json_t *up = json_object_get(j, "uptime_s");
    assert_true(json_is_number(up) && json_number_value(up) >= 0 && json_number_value(up) < 60);
    json_decref(j);
    free(r.body);
    r = get(p, "/metrics", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "# TYPE hayate_http_responses_total counter\n"));
    assert_non_null(strstr(r.body, "hayate_http_responses_total{class=\"2xx\"} 2\n"));
    assert_non_null(strstr(r.body, "hayate_store_rows{table=\"alerts\"} 5\n"));
    free(r.body);
    hy_serve_stop(s);
}

static void test_token(void **state)
{
    (void)state;
    hy_serve_cfg c = {.listen = "0.0.0.0:0", .db_path = db, .threads = 1, .max_request = 65536};
    hy_serve *s;
    /* anything but loopback needs a token */
    assert_int_equal(hy_serve_start(&c, &s), HY_ERR_CONFIG);
    c.listen = "127.0.0.1";
    assert_int_equal(hy_serve_start(&c, &s), HY_ERR_CONFIG);
    c.listen = "localhost:80";
    assert_int_equal(hy_serve_start(&c, &s), HY_ERR_CONFIG);
    c.listen = "127.0.0.1:99999";
    assert_int_equal(hy_serve_start(&c, &s), HY_ERR_CONFIG);

    s = start("127.0.0.1:0", "s3cret-token");
    uint16_t p = hy_serve_port(s);
    reply r = get(p, "/api/alerts", NULL);
    assert_int_equal(r.status, 401);
    free(r.body);
    r = get(p, "/api/alerts", "Bearer wrong-token!");
    assert_int_equal(r.status, 401);
    free(r.body);
    r = get(p, "/api/alerts", "Bearer s3cret-token");
    assert_int_equal(r.status, 200);
    free(r.body);
    hy_serve_stop(s);
}

/* Opens a stream (HTTP/1.0: no chunking) resuming after `after` (NULL:
 * none); returns the socket. */
static int stream_open(uint16_t port, const char *after)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct timeval tv = {.tv_sec = 5};
    char req[256];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int n = snprintf(req, sizeof req, "GET /api/alerts/stream HTTP/1.0\r\n%s%s%s\r\n",
                     after ? "Last-Event-ID: " : "", after ? after : "", after ? "\r\n" : "");
    assert_int_equal(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
    return fd;
}

/* Reads from fd until `events` events have come (or 5 s pass); buf gets
 * all of it. Returns the events seen. */
static int stream_read(int fd, int events, char *buf, size_t cap, size_t *len)
{
    int seen = 0;
    while (seen < events && *len < cap - 1) {
        ssize_t k = recv(fd, buf + *len, cap - 1 - *len, 0);
        if (k <= 0)
            break;
        *len += (size_t)k;
        buf[*len] = '\0';
        seen = 0;
        for (const char *q = buf; (q = strstr(q, "event: alert\n")); q++)
            seen++;
    }
    return seen;
}

/* Stores one more alert (another connection, as the pipeline would). */
static void store_one(int i, char id[64])
{
    hy_store *st;
    hy_alert *a;
    assert_int_equal(hy_store_open_sqlite(db, &st), HY_OK);
    assert_int_equal(hy_alert_create(1800000000000000000ull + (uint64_t)i * 1000000000ull,
                                     "darknet", "darknet.outbreak", 1, 0.9, "late", "tcp/9",
                                     (uint64_t)i, &a),
                     HY_OK);
    snprintf(id, 64, "%s", a->id);
    assert_int_equal(hy_store_put_alerts(st, &a, 1), HY_OK);
    hy_alert_destroy(a);
    hy_store_close(st);
}

static void test_stream(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    uint16_t p = hy_serve_port(s);
    char ids[N_ALERTS][64], fresh[64], fresh2[64];
    size_t cap = 1 << 20, len = 0, len2 = 0;
    char *buf = malloc(cap), *buf2 = malloc(cap);
    reply r = get(p, "/api/alerts", NULL);
    json_t *j = json_of(&r), *v = json_object_get(j, "alerts");
    for (int i = 0; i < N_ALERTS; i++)
        snprintf(ids[i], sizeof ids[i], "%s",
                 json_string_value(json_object_get(
                     json_object_get(json_array_get(v, (size_t)i), "hayate"), "id")));
    json_decref(j);
    free(r.body);

    /* resume after the second: the three after it, in order */
    int fd = stream_open(p, ids[1]);
    assert_int_equal(stream_read(fd, 3, buf, cap, &len), 3);
    assert_non_null(strstr(buf, "text/event-stream"));
    char *a2 = strstr(buf, ids[2]), *a3 = strstr(buf, ids[3]), *a4 = strstr(buf, ids[4]);
    assert_true(a2 && a3 && a4 && a2 < a3 && a3 < a4);
    const char *body = strstr(buf, "\r\n\r\n");
    assert_non_null(body);
    assert_null(strstr(body, ids[0])); /* nothing up to Last-Event-ID */
    assert_null(strstr(body, ids[1]));

    /* a second client without Last-Event-ID gets only what comes next */
    int fd2 = stream_open(p, NULL);
    struct timespec ms300 = {.tv_nsec = 300000000};
    nanosleep(&ms300, NULL); /* both suspended, waiting */
    store_one(1, fresh);
    assert_int_equal(stream_read(fd, 4, buf, cap, &len), 4);
    assert_non_null(strstr(buf, fresh));
    assert_int_equal(stream_read(fd2, 1, buf2, cap, &len2), 1);
    assert_non_null(strstr(buf2, fresh));
    assert_null(strstr(buf2, ids[4]));
    store_one(2, fresh2);
    assert_int_equal(stream_read(fd2, 2, buf2, cap, &len2), 2);
    assert_non_null(strstr(buf2, fresh2));
    close(fd2);
    expect(p, "/healthz", 200, "ok"); /* suspended streams hold no pool thread */
    hy_serve_stop(s); /* with a client still connected and suspended */
    close(fd);

    s = start("127.0.0.1:0", NULL);
    fd = stream_open(hy_serve_port(s), "../../etc");
    len = 0;
    stream_read(fd, 1, buf, cap, &len);
    assert_non_null(strstr(buf, " 400 "));
    close(fd);
    hy_serve_stop(s);
    free(buf);
    free(buf2);
}

/* The label queue's own store: six alerts of known scores over two
 * engines. ids[i] gets alert i's id. */
static void make_queue_store(const char *path, const double *scores, size_t n, char ids[][64])
{
    hy_store *st;
    assert_int_equal(hy_store_open_sqlite(path, &st), HY_OK);
    for (size_t i = 0; i < n; i++) {
        hy_alert *a;
        assert_int_equal(hy_alert_create(1700000000000000000ull + i * 1000000000ull,
                                         i % 2 ? "malware" : "darknet", "x.queue", 3, scores[i],
                                         "queued", "s", i, &a),
                         HY_OK);
        snprintf(ids[i], 64, "%s", a->id);
        assert_int_equal(hy_store_put_alerts(st, &a, 1), HY_OK);
        hy_alert_destroy(a);
    }
    hy_store_close(st);
}

/* GETs a label-queue page; checks each item is an EVE alert whose
 * "uncertainty" is 1 - |2*score - 1| of its own score, in descending
 * order; writes the ids in order into got (at most 8). */
static size_t queue_ids(uint16_t p, const char *path, char got[8][64])
{
    reply r = get(p, path, NULL);
    if (r.status != 200)
        fail_msg("%s -> %d %s", path, r.status, r.body);
    json_t *j = json_of(&r), *v = json_object_get(j, "alerts");
    size_t n = json_array_size(v);
    double prev = 2;
    assert_true(n <= 8);
    assert_true(json_is_null(json_object_get(j, "next")));
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(v, i), *h = json_object_get(it, "hayate");
        double u = json_number_value(json_object_get(it, "uncertainty"));
        double score = json_number_value(json_object_get(h, "score"));
        assert_string_equal(json_string_value(json_object_get(it, "event_type")), "alert");
        assert_true(fabs(u - (1 - fabs(2 * score - 1))) < 1e-6);
        assert_true(u <= prev);
        prev = u;
        snprintf(got[i], 64, "%s", json_string_value(json_object_get(h, "id")));
    }
    json_decref(j);
    free(r.body);
    return n;
}

/* GET /api/label-queue: unjudged alerts, least sure first, ties by id;
 * engine, kind and limit; a verdict takes an alert off the queue at once;
 * strict parameters. */
static void test_label_queue(void **state)
{
    static const double scores[] = {0.5, 0.9, 0.25, 0.75, 0.0, 0.6};
    char qdb[600], ids[6][64], got[8][64];
    (void)state;
    snprintf(qdb, sizeof qdb, "%s/queue.db", hy_test_tmpdir());
    make_queue_store(qdb, scores, 6, ids);
    hy_serve_cfg c = {.listen = "127.0.0.1:0", .db_path = qdb, .threads = 2,
                      .max_request = 65536};
    hy_serve *s;
    assert_int_equal(hy_serve_start(&c, &s), HY_OK);
    uint16_t p = hy_serve_port(s);

    /* 0.5, then 0.6, then 0.25 and 0.75 (a tie: by id), 0.9, 0.0 */
    static const int order[] = {0, 5, 2, 3, 1, 4};
    assert_int_equal(queue_ids(p, "/api/label-queue", got), 6);
    for (int i = 0; i < 6; i++)
        assert_string_equal(got[i], ids[order[i]]);
    assert_true(strcmp(ids[2], ids[3]) < 0);

    feedback(p, ids[0], "{\"verdict\":\"benign\"}", 201, NULL);
    assert_int_equal(queue_ids(p, "/api/label-queue?limit=2", got), 2);
    assert_string_equal(got[0], ids[5]);
    assert_string_equal(got[1], ids[2]);
    assert_int_equal(queue_ids(p, "/api/label-queue?engine=malware", got), 3);
    assert_string_equal(got[0], ids[5]);
    assert_string_equal(got[1], ids[3]);
    assert_string_equal(got[2], ids[1]);
    assert_int_equal(queue_ids(p, "/api/label-queue?kind=x.*&engine=darknet", got), 2);
    assert_int_equal(queue_ids(p, "/api/label-queue?kind=other", got), 0);
    static const wanted bad[] = {
        {"/api/label-queue?colour=red", 400, "'colour'"},
        {"/api/label-queue?after=01ARZ3NDEKTSV4RRFFQ69G5FAV", 400, "'after'"},
        {"/api/label-queue?limit=0", 400, "limit"},
        {"/api/label-queue?limit=1001", 400, "limit"},
        {"/api/label-queue?limit=5x", 400, "limit"},
    };
    expect_all(p, bad, sizeof bad / sizeof bad[0]);
    hy_serve_stop(s);
}

typedef struct pager {
    uint16_t port;
    int ok;
} pager;

static void *pages_thread(void *arg)
{
    pager *g = arg;
    for (int i = 0; i < 40; i++) {
        reply r = get(g->port, i % 2 ? "/api/alerts?limit=2" : "/api/alerts?engine=screen",
                      NULL);
        g->ok += r.status == 200 && strstr(r.body, "\"alerts\":[{") != NULL;
        free(r.body);
    }
    return NULL;
}

/* Pages asked for at once from several clients: every one answered (the
 * pool's read connections, one per request in flight). */
static void test_parallel_pages(void **state)
{
    (void)state;
    hy_serve *s = start("127.0.0.1:0", NULL);
    pthread_t t[4];
    pager g[4];
    for (int i = 0; i < 4; i++) {
        g[i] = (pager){.port = hy_serve_port(s)};
        assert_int_equal(pthread_create(&t[i], NULL, pages_thread, &g[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(g[i].ok, 40);
    }
    hy_serve_stop(s);
}

static int setup(void **state)
{
    (void)state;
    make_store();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert_pages),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_feedback),
        cmocka_unit_test(test_newest_first),
        cmocka_unit_test(test_feedback_history), /* after test_feedback: adds verdicts */
        cmocka_unit_test(test_darknet_series),
        cmocka_unit_test(test_stats_and_metrics),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_label_queue),
        cmocka_unit_test(test_parallel_pages),
        cmocka_unit_test(test_stream), /* last: it adds alerts */
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
