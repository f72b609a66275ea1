/* The webhook and syslog alert sinks: delivery, retries, rejection, a bounded
 * queue that never blocks, shutdown that never hangs on a dead endpoint, the
 * store still holding every alert, and the RFC 5424 datagrams. The webhook
 * receiver is a small HTTP/1.1 server on 127.0.0.1 in a thread of the test. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hayate/capture.h"
#include "hayate/config.h"
#include "hayate/pipeline.h"
#include "hayate/synth.h"
#include "pipeline/sink.h"
#include "pipeline/sink_out.h"
#include "testutil.h"

/* ---- log capture ---- */

typedef struct logcap {
    pthread_mutex_t mu;
    char text[32768];
    size_t len;
} logcap;

static void log_fn(void *ud, hy_log_level level, const char *msg)
{
    logcap *l = ud;
    (void)level;
    pthread_mutex_lock(&l->mu);
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", msg);
    if (n > 0)
        l->len += (size_t)n < sizeof l->text - l->len ? (size_t)n : sizeof l->text - l->len - 1;
    pthread_mutex_unlock(&l->mu);
}

/* Declares a log capture lc and a hy_log log writing to it. */
#define LOGCAP(lc, log)                                                                            \
    logcap lc = {.mu = PTHREAD_MUTEX_INITIALIZER};                                                 \
    hy_log log = {.fn = log_fn, .ud = &lc, .level = HY_LOG_DEBUG}

/* A config with the given key, value pairs (NULL-terminated) set. */
static hy_config *conf(const char *const *kv)
{
    hy_config *c;
    assert_int_equal(hy_config_create(&c), HY_OK);
    for (; kv[0]; kv += 2)
        assert_int_equal(hy_config_set(c, kv[0], kv[1]), HY_OK);
    return c;
}

static size_t count_str(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* ---- the webhook receiver ---- */

#define RX_MAX 64

typedef struct rx {
    int lfd;
    unsigned port;
    bool silent;    /* accept, never answer */
    int fail_first; /* answer fail_status to this many requests, then ok_status */
    int fail_status, ok_status;
    pthread_mutex_t mu;
    char *bodies[RX_MAX]; /* bodies of requests answered ok_status */
    size_t nbodies, requests, accepted;
    char *failed0;   /* body of the first failed request */
    bool headers_ok; /* every request had the content type and the extra header */
    int held[RX_MAX];
    size_t nheld;
    atomic_bool stop;
    pthread_t thr;
} rx;

/* Reads one request; returns its body (malloc) or NULL. */
static char *rx_read(int fd, bool *hdr_ok)
{
    size_t cap = 1 << 20, len = 0, clen = 0;
    char *buf = malloc(cap + 1), *end = NULL, *body = NULL, *cl;
    struct timeval tv = {.tv_sec = 10};

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (buf && len < cap) {
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if (!end && (end = strstr(buf, "\r\n\r\n"))) {
            *end = '\0';
            cl = strcasestr(buf, "\r\nContent-Length:");
            clen = cl ? strtoul(cl + 17, NULL, 10) : 0;
            *hdr_ok = strcasestr(buf, "\r\nContent-Type: application/json") &&
                      strstr(buf, "\r\nX-Test: yes") && strncmp(buf, "POST /hook ", 11) == 0;
            *end = '\r';
        }
        if (end && len >= (size_t)(end + 4 - buf) + clen) {
            body = strndup(end + 4, clen);
            break;
        }
    }
    free(buf);
    return body;
}

static void rx_serve(rx *r, int fd)
{
    bool hdr_ok = false;
    char *body = rx_read(fd, &hdr_ok), reply[128];
    int status;

    pthread_mutex_lock(&r->mu);
    status = (int)r->requests < r->fail_first ? r->fail_status : r->ok_status;
    r->requests++;
    r->headers_ok = r->headers_ok && hdr_ok && body;
    if (body && status == r->ok_status && r->nbodies < RX_MAX) {
        r->bodies[r->nbodies++] = body;
        body = NULL;
    } else if (body && !r->failed0) {
        r->failed0 = body;
        body = NULL;
    }
    pthread_mutex_unlock(&r->mu);
    free(body);
    snprintf(reply, sizeof reply, "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
             status);
    if (write(fd, reply, strlen(reply)) < 0) {
        /* the client gave up; nothing to do */
    }
    close(fd);
}

static void *rx_main(void *arg)
{
    rx *r = arg;
    while (!atomic_load(&r->stop)) {
        struct pollfd p = {.fd = r->lfd, .events = POLLIN};
        int fd;
        if (poll(&p, 1, 50) <= 0 || (fd = accept(r->lfd, NULL, NULL)) < 0)
            continue;
        pthread_mutex_lock(&r->mu);
        r->accepted++;
        pthread_mutex_unlock(&r->mu);
        if (r->silent && r->nheld < RX_MAX)
            r->held[r->nheld++] = fd;
        else if (r->silent)
            close(fd);
        else
            rx_serve(r, fd);
    }
    return NULL;
}

/* A bound TCP socket on 127.0.0.1, port 0; listening when listen_too. */
static int tcp_socket(bool listen_too, unsigned *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    if (listen_too)
        assert_int_equal(listen(fd, 64), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void rx_start(rx *r)
{
    pthread_mutex_init(&r->mu, NULL);
    r->headers_ok = true;
    r->lfd = tcp_socket(true, &r->port);
    assert_int_equal(pthread_create(&r->thr, NULL, rx_main, r), 0);
}

static void rx_stop(rx *r)
{
    atomic_store(&r->stop, true);
    pthread_join(r->thr, NULL);
    close(r->lfd);
    for (size_t i = 0; i < r->nheld; i++)
        close(r->held[i]);
    pthread_mutex_destroy(&r->mu);
}

static void rx_free(rx *r)
{
    for (size_t i = 0; i < r->nbodies; i++)
        free(r->bodies[i]);
    free(r->failed0);
}

/* ---- alerts ---- */

static hy_alert *make_alert(unsigned i, int severity, const char *title)
{
    hy_alert *a;
    char subj[32];
    snprintf(subj, sizeof subj, "10.0.0.%u", i % 250);
    assert_int_equal(hy_alert_create(1700000000123456789ull + i * 1000000000ull, "ttest",
                                     "ttest.kind", severity, 0.5, title, subj, i, &a),
                     HY_OK);
    return a;
}

static char *eve_of(const hy_alert *a)
{
    hy_buf b;
    char *s;
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy_alert_to_eve(a, &b), HY_OK);
    s = strndup(b.data, b.len);
    hy_buf_free(&b);
    return s;
}

static hy__webhook_cfg wh_cfg(char *url, size_t n, unsigned port)
{
    snprintf(url, n, "http://127.0.0.1:%u/hook", port);
    return (hy__webhook_cfg){.url = url,
                             .header = "X-Test: yes",
                             .timeout_ms = 10000,
                             .retries = 5,
                             .queue = 100,
                             .drain_ms = 60000};
}

/* (a) 503, 503, then 200s: each alert arrives once, in order, intact. */
static void test_webhook_retry_then_deliver(void **state)
{
    rx r = {.fail_first = 2, .fail_status = 503, .ok_status = 200};
    LOGCAP(lc, log);
    char url[128], *eve[5];
    hy__webhook *w;
    hy__out_counts c;
    (void)state;

    rx_start(&r);
    hy__webhook_cfg wc = wh_cfg(url, sizeof url, r.port);
    assert_int_equal(hy__webhook_create(&wc, &log, &w), HY_OK);
    for (unsigned i = 0; i < 5; i++) {
        hy_alert *a = make_alert(i, 1 + (int)i % 4, "retry test");
        eve[i] = eve_of(a);
        hy__webhook_send(w, eve[i], strlen(eve[i]));
        hy_alert_destroy(a);
    }
    hy__webhook_finish(w); /* drains: the queue empties well before 60 s */
    hy__webhook_counts(w, &c);
    assert_int_equal(c.delivered, 5);
    assert_int_equal(c.retried, 2);
    assert_int_equal(c.dropped, 0);
    assert_int_equal(c.undelivered, 0);
    hy__webhook_destroy(w);
    rx_stop(&r);
    assert_int_equal(r.requests, 7);
    assert_true(r.headers_ok);
    assert_int_equal(r.nbodies, 5);
    assert_string_equal(r.failed0, eve[0]);
    for (unsigned i = 0; i < 5; i++) {
        json_t *j = json_loads(r.bodies[i], 0, NULL);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "event_type")), "alert");
        json_decref(j);
        assert_string_equal(r.bodies[i], eve[i]);
        free(eve[i]);
    }
    rx_free(&r);
    assert_int_equal(count_str(lc.text, "POST failed"), 1); /* not one line per failure */
    assert_non_null(strstr(lc.text, "delivering again"));
}

/* (b) 400: final, not retried, logged once. */
static void test_webhook_rejected_not_retried(void **state)
{
    rx r = {.fail_first = 1 << 30, .fail_status = 400, .ok_status = 200};
    LOGCAP(lc, log);
    char url[128];
    hy__webhook *w;
    hy__out_counts c;
    (void)state;

    rx_start(&r);
    hy__webhook_cfg wc = wh_cfg(url, sizeof url, r.port);
    assert_int_equal(hy__webhook_create(&wc, &log, &w), HY_OK);
    for (unsigned i = 0; i < 3; i++) {
        hy_alert *a = make_alert(i, 2, "rejected");
        char *e = eve_of(a);
        hy__webhook_send(w, e, strlen(e));
        free(e);
        hy_alert_destroy(a);
    }
    hy__webhook_finish(w);
    hy__webhook_counts(w, &c);
    hy__webhook_destroy(w);
    rx_stop(&r);
    assert_int_equal(c.delivered, 0);
    assert_int_equal(c.retried, 0);
    assert_int_equal(c.undelivered, 3);
    assert_int_equal(r.requests, 3);
    assert_true(r.headers_ok);
    rx_free(&r);
    assert_int_equal(count_str(lc.text, "HTTP 400"), 1);
}

/* (c) a dead port, through the sink and the config keys: 100 alerts into a
 * queue of 4 return at once (96 dropped), and destroy ends at the drain
 * deadline. */
static void test_webhook_dead_port_never_blocks(void **state)
{
    unsigned port;
    int fd = tcp_socket(false, &port); /* bound, not listening: refused */
    LOGCAP(lc, log);
    hy_config *cfg;
    hy__sink *s;
    char url[64];
    uint64_t delivered, retried, dropped, undelivered;
    (void)state;

    snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
    cfg = conf((const char *[]){"sink.webhook_url", url, "sink.webhook_queue", "4",
                                "sink.webhook_drain_ms", "200", NULL});
    hy_pipeline_cfg pc = {.cfg = cfg, .log = &log};
    assert_int_equal(hy__sink_create(&pc, &s), HY_OK);
    for (unsigned i = 0; i < 100; i++)
        assert_int_equal(hy__sink_alert(s, make_alert(i, 3, "dead port")), HY_OK);
    hy__sink_webhook_counts(s, &delivered, &retried, &dropped, &undelivered);
    assert_int_equal(dropped, 96);
    assert_int_equal(delivered, 0);
    hy__sink_destroy(s);
    assert_non_null(strstr(lc.text, "0 alerts delivered"));
    assert_non_null(strstr(lc.text, "96 skipped (queue full), 4 undelivered"));
    assert_int_equal(count_str(lc.text, "queue of 4 alerts full"), 1);
    hy_config_destroy(cfg);
    close(fd);
}

/* (c) a server that never answers, with a POST timeout longer than the test
 * runner allows: only the drain deadline can end destroy. */
static void test_webhook_silent_server_drain_deadline(void **state)
{
    rx r = {.silent = true};
    char url[128];
    hy__webhook *w;
    hy__out_counts c;
    size_t accepted = 0;
    (void)state;

    rx_start(&r);
    hy__webhook_cfg wc = wh_cfg(url, sizeof url, r.port);
    wc.timeout_ms = 600000;
    wc.queue = 4;
    wc.drain_ms = 300;
    assert_int_equal(hy__webhook_create(&wc, NULL, &w), HY_OK);
    for (unsigned i = 0; i < 100; i++)
        hy__webhook_send(w, "{\"x\":1}", 7);
    hy__webhook_counts(w, &c);
    assert_int_equal(c.dropped, 96);
    /* let the first POST reach the server, so one is in flight at shutdown */
    for (int i = 0; i < 1000 && !accepted; i++) {
        usleep(10000);
        pthread_mutex_lock(&r.mu);
        accepted = r.accepted;
        pthread_mutex_unlock(&r.mu);
    }
    assert_true(accepted > 0);
    hy__webhook_destroy(w);
    rx_stop(&r);
    rx_free(&r);
}

/* (d) the full pipeline with a store, a dead webhook and a syslog socket
 * nobody reads: the store holds every alert. */
static hy_err syn_create(const hy_engine_env *env, void **st)
{
    (void)env;
    *st = malloc(1);
    return *st ? HY_OK : HY_ERR_NOMEM;
}

static hy_err syn_event(void *st, const hy_event *ev, const hy_emit *emit)
{
    const hy_pkt *p = ev->u.pkt;
    hy_alert *a;
    char subj[32];
    (void)st;
    if (p->proto != 6 || (p->tcp_flags & (HY_TCP_SYN | HY_TCP_ACK)) != HY_TCP_SYN)
        return HY_OK;
    snprintf(subj, sizeof subj, "%llu", (unsigned long long)ev->seq);
    hy_err rc = hy_alert_create(ev->ts_ns, "tsyn", "tsyn.syn", 3, 0.5, "SYN", subj, ev->seq, &a);
    return rc == HY_OK ? hy_emit_alert(emit, a) : rc;
}

static const hy_engine t_syn = {.name = "tsyn",
                                .summary = "test",
                                .consumes = HY_EV_BIT(HY_EV_PACKET),
                                .sharded = true,
                                .create = syn_create,
                                .destroy = free,
                                .on_event = syn_event};

static void test_pipeline_store_keeps_everything(void **state)
{
    unsigned port;
    int fd = tcp_socket(false, &port);
    LOGCAP(lc, log);
    char path[512], db[512], url[64], sock[600];
    hy_synth_cfg sc;
    hy_synth_stats ss;
    hy_config *cfg;
    hy_store *store;
    hy_source *src;
    hy_source_cfg scfg = {0};
    hy_pipeline *p;
    hy_pipeline_stats st;
    uint64_t n = 0;
    const hy_engine *engines[] = {&t_syn};
    (void)state;

    hy_synth_cfg_default(&sc);
    sc.seed = 7, sc.flows = 400, sc.packets = 6000, sc.duration_s = 10;
    snprintf(path, sizeof path, "%s/sinks.pcap", hy_test_tmpdir());
    snprintf(db, sizeof db, "%s/sinks.db", hy_test_tmpdir());
    snprintf(sock, sizeof sock, "unix:%s/nobody.sock", hy_test_tmpdir());
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
    assert_int_equal(hy_synth_traffic(&sc, path, &ss), HY_OK);
    cfg = conf((const char *[]){"sink.webhook_url", url, "sink.webhook_queue", "8",
                                "sink.webhook_retries", "1", "sink.webhook_drain_ms", "100",
                                "sink.syslog_target", sock, NULL});
    assert_int_equal(hy_store_open_sqlite(db, &store), HY_OK);
    assert_int_equal(hy_store_begin_run(store, "sinks", NULL), HY_OK);
    hy_pipeline_cfg pc = {.threads = 2,
                          .tick_ns = 1000000000ull,
                          .store = store,
                          .store_batch = 64,
                          .engines = engines,
                          .n_engines = 1,
                          .cfg = cfg,
                          .log = &log};
    hy_flow_cfg_default(&pc.flow);
    assert_int_equal(hy_source_open_offline(path, &scfg, &src), HY_OK);
    assert_int_equal(hy_pipeline_create(&pc, &p), HY_OK);
    assert_int_equal(hy_pipeline_feed(p, src, NULL, NULL, NULL), HY_OK);
    assert_int_equal(hy_pipeline_finish(p), HY_OK);
    hy_pipeline_stats_get(p, &st);
    hy_pipeline_destroy(p);
    hy_source_close(src);
    assert_true(st.alerts > 8);
    assert_int_equal(st.store_errors, 0);
    assert_int_equal(hy_store_count(store, "alerts", &n), HY_OK);
    assert_int_equal(n, st.alerts);
    hy_store_close(store);
    assert_non_null(strstr(lc.text, "webhook: 0 alerts delivered"));
    assert_non_null(strstr(lc.text, "syslog: 0 alerts sent"));
    hy_config_destroy(cfg);
    close(fd);
}

/* ---- (e) syslog ---- */

/* Parses "<PRI>1 TS HOST APP PROCID - - MSG" and checks it against a. */
static void check_5424(const char *d, size_t n, int facility, const char *app, const hy_alert *a,
                       bool whole)
{
    char ts[64], host[256], appn[64], proc[32], *msg;
    int pri, used = 0;
    char *eve = eve_of(a);
    static const int sev[] = {0, 2, 3, 4, 6};
    char *copy = strndup(d, n);

    assert_int_equal(
        sscanf(copy, "<%d>1 %63s %255s %63s %31s - - %n", &pri, ts, host, appn, proc, &used), 5);
    assert_true(used > 0);
    assert_int_equal(pri, facility * 8 + sev[a->severity]);
    assert_string_equal(ts, "2023-11-14T22:13:20.123456Z"); /* a->time_ns, RFC 3339 UTC */
    assert_string_equal(appn, app);
    assert_int_equal(strtol(proc, NULL, 10), (long)getpid());
    msg = copy + used;
    if (whole) {
        assert_string_equal(msg, eve);
        json_t *j = json_loads(msg, 0, NULL);
        assert_non_null(j);
        json_decref(j);
    } else { /* truncated to the cap, MSG a prefix of the EVE line */
        assert_int_equal(n, HY__SYSLOG_MAX);
        assert_true(strlen(msg) < strlen(eve));
        assert_memory_equal(msg, eve, strlen(msg));
    }
    free(copy);
    free(eve);
}

static void test_syslog_udp(void **state)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    struct timeval tv = {.tv_sec = 10};
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    char target[64], buf[16384];
    hy_config *cfg;
    hy__sink *s;
    uint64_t sent, dropped;
    (void)state;

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    snprintf(target, sizeof target, "udp:127.0.0.1:%u", ntohs(a.sin_port));
    cfg = conf(
        (const char *[]){"sink.syslog_target", target, "sink.syslog_ident", "hayate-test", NULL});
    hy_pipeline_cfg pc = {.cfg = cfg};
    assert_int_equal(hy__sink_create(&pc, &s), HY_OK);
    for (int sev = 1; sev <= 4; sev++) {
        hy_alert *al4 = make_alert(0, sev, "udp"), *copy;
        assert_int_equal(hy_alert_dup(al4, &copy), HY_OK);
        assert_int_equal(hy__sink_alert(s, al4), HY_OK);
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        assert_true(n > 0);
        check_5424(buf, (size_t)n, 21, "hayate-test", copy, true); /* local5 */
        hy_alert_destroy(copy);
    }
    hy__sink_syslog_counts(s, &sent, &dropped);
    assert_int_equal(sent, 4);
    assert_int_equal(dropped, 0);
    hy__sink_destroy(s);
    hy_config_destroy(cfg);
    close(fd);
}

static void test_syslog_unix_and_truncation(void **state)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = 10};
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    char target[200], buf[16384], *big = malloc(20001);
    hy__syslog_cfg sc = {.target = target, .facility = "user", .ident = "hy"};
    hy__syslog *s;
    hy__out_counts c;
    (void)state;

    assert_true(fd >= 0 && big);
    snprintf(un.sun_path, sizeof un.sun_path, "%s/syslog.sock", hy_test_tmpdir());
    assert_int_equal(bind(fd, (struct sockaddr *)&un, sizeof un), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    snprintf(target, sizeof target, "unix:%s", un.sun_path);
    assert_int_equal(hy__syslog_create(&sc, NULL, &s), HY_OK);
    memset(big, 'x', 20000);
    big[20000] = '\0';
    for (int k = 0; k < 2; k++) {
        hy_alert *a = make_alert(0, 2, k ? big : "unix");
        char *eve = eve_of(a);
        hy__syslog_send(s, a, eve, strlen(eve));
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        assert_true(n > 0);
        check_5424(buf, (size_t)n, 1, "hy", a, k == 0); /* user */
        free(eve);
        hy_alert_destroy(a);
    }
    hy__syslog_counts(s, &c);
    assert_int_equal(c.delivered, 2);
    hy__syslog_destroy(s);
    free(big);
    close(fd);
}

/* Bad settings fail sink creation with HY_ERR_CONFIG; the severity map. */
static void test_bad_settings(void **state)
{
    const char *hook = "sink.webhook_url", *sys = "sink.syslog_target";
    const char *const bad[][5] = {
        {hook, "ftp://127.0.0.1/x", NULL},
        {hook, "not a url", NULL},
        {hook, "http://127.0.0.1:9/", "sink.webhook_header", "X-Test", NULL},
        {sys, "tcp:1.2.3.4:514", NULL},
        {sys, "unix:relative", NULL},
        {sys, "udp:127.0.0.1", NULL},
        {sys, "udp:127.0.0.1:9", "sink.syslog_ident", "has space", NULL},
    };
    hy__webhook_cfg wc = {
        .url = "http://127.0.0.1:9/", .header = "X-A: 1\r\nX-B: 2", .timeout_ms = 100, .queue = 1};
    hy__webhook *w = NULL;
    hy_config *cfg;
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hy__sink *s = NULL;
        cfg = conf(bad[i]);
        hy_pipeline_cfg pc = {.cfg = cfg};
        if (hy__sink_create(&pc, &s) != HY_ERR_CONFIG)
            fail_msg("%s = %s accepted", bad[i][2] ? bad[i][2] : bad[i][0],
                     bad[i][2] ? bad[i][3] : bad[i][1]);
        assert_null(s);
        hy_config_destroy(cfg);
    }
    /* a header with CR/LF cannot smuggle in a second header */
    assert_int_equal(hy__webhook_create(&wc, NULL, &w), HY_ERR_CONFIG);
    assert_null(w);
    assert_int_equal(hy_config_create(&cfg), HY_OK);
    assert_int_equal(hy_config_set(cfg, "sink.syslog_facility", "kern"), HY_ERR_CONFIG);
    hy_config_destroy(cfg);
    assert_int_equal(hy__syslog_severity(1), 2); /* crit */
    assert_int_equal(hy__syslog_severity(2), 3); /* err */
    assert_int_equal(hy__syslog_severity(3), 4); /* warning */
    assert_int_equal(hy__syslog_severity(4), 6); /* info */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_webhook_retry_then_deliver),
        cmocka_unit_test(test_webhook_rejected_not_retried),
        cmocka_unit_test(test_webhook_dead_port_never_blocks),
        cmocka_unit_test(test_webhook_silent_server_drain_deadline),
        cmocka_unit_test(test_pipeline_store_keeps_everything),
        cmocka_unit_test(test_syslog_udp),
        cmocka_unit_test(test_syslog_unix_and_truncation),
        cmocka_unit_test(test_bad_settings),
    };
    setenv("no_proxy", "*", 1); /* the receivers are on loopback */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
