/* The webhook sink: each alert's EVE JSON object is POSTed to one URL by one
 * sender thread (a reused libcurl easy handle). The collector only appends
 * to a bounded in-memory queue and never waits: when the queue is full the
 * new alert skips the webhook (the store has it). Failed POSTs (network,
 * timeout, 5xx, 429) are retried with exponential backoff; other answers are
 * final. At shutdown the queue gets drain_ms to empty, then the rest is
 * counted undelivered; every wait is cut short at that deadline. */
#include "pipeline/sink_out.h"

#define CURL_DISABLE_TYPECHECK /* calls go through the table below */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/dynlib.h"
#include "hayate/clock.h"
#include "hayate/thread.h"

#define WH_BACKOFF_MS     250u /* first wait before a retry, doubled each time */
#define WH_BACKOFF_CAP_MS 30000u
#define WH_LOG_EVERY_NS   (60ull * 1000000000ull) /* repeated failures: one line a minute */
#define WH_MAX_URL        8192
#define WH_MAX_HEADER     4096
#define WH_MAX_STATUSES   8 /* distinct rejection statuses logged */

typedef struct wh_item {
    struct wh_item *next;
    size_t len;
    char json[]; /* NUL-terminated copy */
} wh_item;

struct hy__webhook {
    hy__webhook_cfg cfg; /* url and header point at the copies below */
    char *url, *header;
    const hy_log *log;
    CURL *curl;
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
    pthread_mutex_t mu;
    pthread_cond_t cv; /* queue grew, or stop requested (CLOCK_MONOTONIC) */
    bool mu_ok, cv_ok;
    wh_item *head, *tail;         /* under mu */
    size_t held;                  /* queued + in flight, under mu */
    bool stopping;                /* under mu */
    atomic_bool stop_flag;        /* stopping, for the progress callback */
    _Atomic uint64_t deadline_ns; /* drain deadline, set before stopping */
    hy_thread *thr;
    bool started, finished;
    /* collector side */
    uint64_t drop_logged_ns;
    bool drop_logged;
    /* sender side */
    bool failing;
    uint64_t fail_logged_ns, fail_quiet;
    long rejected[WH_MAX_STATUSES];
    size_t nrejected;
    _Atomic uint64_t delivered, retried, dropped, undelivered;
};

typedef enum wh_outcome { WH_DONE, WH_RETRY, WH_REJECT } wh_outcome;

/* libcurl is opened when a webhook sink is made, not at start-up
 * (core/dynlib.h). */
#define CURL_FNS(X)                                                                                \
    X(curl_global_init)                                                                            \
    X(curl_url)                                                                                    \
    X(curl_url_set)                                                                                \
    X(curl_url_get)                                                                                \
    X(curl_url_cleanup)                                                                            \
    X(curl_free)                                                                                   \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_easy_cleanup)                                                                           \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)
HY_DYNLIB(C, CURL_FNS, HY_SONAME_CURL, "the webhook sink", "libcurl4");

static pthread_once_t wh_once = PTHREAD_ONCE_INIT;
static CURLcode wh_init_rc = CURLE_FAILED_INIT; /* written once, under wh_once */

static void wh_global_init(void)
{
    wh_init_rc = C.curl_global_init(CURL_GLOBAL_DEFAULT);
}

static struct timespec ns_to_ts(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull),
                          .tv_nsec = (long)(ns % 1000000000ull)};
    return ts;
}

/* ---- configuration checks ---- */

static hy_err check_url(const char *url)
{
    CURLU *u;
    char *scheme = NULL;
    hy_err rc = HY_OK;

    if (!*url || strlen(url) > WH_MAX_URL)
        return hy_err_set(HY_ERR_CONFIG, "sink.webhook_url: empty or longer than %d bytes",
                          WH_MAX_URL);
    if (!(u = C.curl_url()))
        return hy_err_set(HY_ERR_NOMEM, "webhook: out of memory");
    if (C.curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        C.curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        rc = hy_err_set(HY_ERR_CONFIG, "sink.webhook_url: not a valid absolute URL");
    else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        rc = hy_err_set(HY_ERR_CONFIG, "sink.webhook_url: scheme '%.16s' (http or https only)",
                        scheme);
    C.curl_free(scheme);
    C.curl_url_cleanup(u);
    return rc;
}

static bool is_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One "Name: value" line: a token name, no control characters (no CR/LF
 * header injection). */
static hy_err check_header(const char *h)
{
    const char *colon = strchr(h, ':');

    if (strlen(h) > WH_MAX_HEADER)
        return hy_err_set(HY_ERR_CONFIG, "sink.webhook_header: longer than %d bytes",
                          WH_MAX_HEADER);
    for (const char *p = h; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
            return hy_err_set(HY_ERR_CONFIG, "sink.webhook_header: control character");
    if (!colon || colon == h)
        return hy_err_set(HY_ERR_CONFIG, "sink.webhook_header: want 'Name: value'");
    for (const char *p = h; p < colon; p++)
        if (!is_token_char(*p))
            return hy_err_set(HY_ERR_CONFIG, "sink.webhook_header: bad character in the name");
    return HY_OK;
}

/* ---- libcurl ---- */

static size_t wh_discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
    (void)ptr, (void)ud;
    return size * nmemb;
}

/* Aborts a transfer in flight once the drain deadline has passed. */
static int wh_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    hy__webhook *w = ud;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load(&w->stop_flag) &&
           hy_clock_ns(CLOCK_MONOTONIC) >= atomic_load(&w->deadline_ns);
}

static hy_err wh_curl_setup(hy__webhook *w)
{
    const char *lines[3] = {"Content-Type: application/json", "Expect:", w->header};
    CURLcode e = CURLE_OK;

    if (!(w->curl = C.curl_easy_init()))
        return hy_err_set(HY_ERR_NOMEM, "webhook: curl_easy_init failed");
    for (size_t i = 0; i < 3; i++) {
        struct curl_slist *t;
        if (!*lines[i])
            continue;
        if (!(t = C.curl_slist_append(w->headers, lines[i])))
            return hy_err_set(HY_ERR_NOMEM, "webhook: out of memory");
        w->headers = t;
    }
#define WH_SET(opt, val)                                                                           \
    do {                                                                                           \
        if (e == CURLE_OK)                                                                         \
            e = C.curl_easy_setopt(w->curl, opt, val);                                             \
    } while (0)
    WH_SET(CURLOPT_URL, w->url);
    WH_SET(CURLOPT_PROTOCOLS_STR, "http,https");
    WH_SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    WH_SET(CURLOPT_FOLLOWLOCATION, 0L);
    WH_SET(CURLOPT_NOSIGNAL, 1L);
    WH_SET(CURLOPT_HTTPHEADER, w->headers);
    WH_SET(CURLOPT_POST, 1L);
    WH_SET(CURLOPT_WRITEFUNCTION, wh_discard);
    WH_SET(CURLOPT_NOPROGRESS, 0L);
    WH_SET(CURLOPT_XFERINFOFUNCTION, wh_progress);
    WH_SET(CURLOPT_XFERINFODATA, w);
    WH_SET(CURLOPT_ERRORBUFFER, w->errbuf);
    WH_SET(CURLOPT_USERAGENT, "hayate/" HY_VERSION);
#undef WH_SET
    if (e != CURLE_OK)
        return hy_err_set(HY_ERR_CONFIG, "webhook: libcurl: %s", C.curl_easy_strerror(e));
    return HY_OK;
}

/* One POST; *status is the HTTP status when the exchange completed. During
 * the drain the attempt gets no more than the time left. */
static CURLcode wh_post(hy__webhook *w, const wh_item *it, long *status)
{
    int64_t t = w->cfg.timeout_ms;
    CURLcode cc;

    *status = 0;
    if (atomic_load(&w->stop_flag)) {
        uint64_t now = hy_clock_ns(CLOCK_MONOTONIC), dl = atomic_load(&w->deadline_ns);
        int64_t left = now >= dl ? 0 : (int64_t)((dl - now) / 1000000u);
        if (left <= 0)
            return CURLE_ABORTED_BY_CALLBACK;
        if (left < t)
            t = left;
    }
    w->errbuf[0] = '\0';
    C.curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, &it->json[0]);
    C.curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->len);
    C.curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, (long)t);
    C.curl_easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)t);
    cc = C.curl_easy_perform(w->curl);
    if (cc == CURLE_OK)
        C.curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, status);
    return cc;
}

static wh_outcome wh_classify(CURLcode cc, long status)
{
    if (cc != CURLE_OK)
        return WH_RETRY; /* connection, timeout, TLS, reset */
    if (status >= 200 && status < 300)
        return WH_DONE;
    if (status == 429 || status >= 500)
        return WH_RETRY;
    return WH_REJECT; /* other 4xx, and 1xx/3xx (redirects are not followed) */
}

/* ---- logging, a line at most a minute while the endpoint is down ---- */

static void wh_note_failure(hy__webhook *w, CURLcode cc, long status)
{
    char why[CURL_ERROR_SIZE + 32];
    uint64_t now = hy_clock_ns(CLOCK_MONOTONIC);

    if (cc != CURLE_OK)
        snprintf(why, sizeof why, "%s", w->errbuf[0] ? w->errbuf : C.curl_easy_strerror(cc));
    else
        snprintf(why, sizeof why, "HTTP %ld", status);
    if (!w->failing) {
        hy_logf(w->log, HY_LOG_WARN, "webhook: POST failed (%s); retrying with backoff", why);
        w->fail_logged_ns = now;
        w->fail_quiet = 0;
    } else if (now - w->fail_logged_ns >= WH_LOG_EVERY_NS) {
        hy_logf(w->log, HY_LOG_WARN,
                "webhook: still failing: %llu more failed POSTs in the last minute (last: %s)",
                (unsigned long long)w->fail_quiet + 1, why);
        w->fail_logged_ns = now;
        w->fail_quiet = 0;
    } else {
        w->fail_quiet++;
    }
    w->failing = true;
}

static void wh_note_success(hy__webhook *w)
{
    if (w->failing)
        hy_logf(w->log, HY_LOG_INFO, "webhook: delivering again");
    w->failing = false;
}

/* Logged once per distinct status. */
static void wh_note_reject(hy__webhook *w, long status)
{
    for (size_t i = 0; i < w->nrejected; i++)
        if (w->rejected[i] == status)
            return;
    if (w->nrejected == WH_MAX_STATUSES)
        return;
    w->rejected[w->nrejected++] = status;
    hy_logf(w->log, HY_LOG_WARN,
            "webhook: endpoint answered HTTP %ld; alerts so answered are not retried", status);
}

/* ---- the sender thread ---- */

/* Waits ms, cut short at the drain deadline; false once that has passed. */
static bool wh_backoff(hy__webhook *w, uint64_t ms)
{
    uint64_t until = hy_clock_ns(CLOCK_MONOTONIC) + ms * 1000000ull;
    bool go_on = true;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        uint64_t now = hy_clock_ns(CLOCK_MONOTONIC), end = until;
        struct timespec ts;
        if (w->stopping) {
            uint64_t dl = atomic_load(&w->deadline_ns);
            if (now >= dl) {
                go_on = false;
                break;
            }
            if (dl < end)
                end = dl;
        }
        if (now >= end)
            break;
        ts = ns_to_ts(end);
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return go_on;
}

static void wh_deliver(hy__webhook *w, const wh_item *it)
{
    uint64_t backoff = WH_BACKOFF_MS;

    for (int64_t attempt = 0;; attempt++) {
        long status;
        CURLcode cc = wh_post(w, it, &status);
        switch (wh_classify(cc, status)) {
        case WH_DONE:
            atomic_fetch_add(&w->delivered, 1);
            wh_note_success(w);
            return;
        case WH_REJECT:
            atomic_fetch_add(&w->undelivered, 1);
            wh_note_reject(w, status);
            return;
        case WH_RETRY:
            break;
        }
        if (cc != CURLE_ABORTED_BY_CALLBACK)
            wh_note_failure(w, cc, status);
        if (attempt >= w->cfg.retries || !wh_backoff(w, backoff)) {
            atomic_fetch_add(&w->undelivered, 1);
            return;
        }
        atomic_fetch_add(&w->retried, 1);
        backoff = backoff * 2 > WH_BACKOFF_CAP_MS ? WH_BACKOFF_CAP_MS : backoff * 2;
    }
}

static void *wh_main(void *arg)
{
    hy__webhook *w = arg;
    wh_item *it;

    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->head ||
            (w->stopping && hy_clock_ns(CLOCK_MONOTONIC) >= atomic_load(&w->deadline_ns)))
            break;
        it = w->head;
        w->head = it->next;
        if (!w->head)
            w->tail = NULL;
        pthread_mutex_unlock(&w->mu);
        wh_deliver(w, it);
        free(it);
        pthread_mutex_lock(&w->mu);
        w->held--;
    }
    while ((it = w->head)) { /* past the drain deadline */
        w->head = it->next;
        free(it);
        w->held--;
        atomic_fetch_add(&w->undelivered, 1);
    }
    w->tail = NULL;
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- public (internal) API ---- */

static hy_err wh_sync_init(hy__webhook *w)
{
    pthread_condattr_t ca;
    int e;

    if (pthread_mutex_init(&w->mu, NULL) != 0)
        return hy_err_set(HY_ERR_NOMEM, "webhook: mutex init failed");
    w->mu_ok = true;
    if (pthread_condattr_init(&ca) != 0)
        return hy_err_set(HY_ERR_NOMEM, "webhook: condattr init failed");
    e = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (e == 0)
        e = pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (e != 0)
        return hy_err_set(HY_ERR_NOMEM, "webhook: condition variable init failed");
    w->cv_ok = true;
    return HY_OK;
}

hy_err hy__webhook_create(const hy__webhook_cfg *wc, const hy_log *log, hy__webhook **out)
{
    hy__webhook *w = NULL;
    hy_err rc;

    if (!out || !wc || !wc->url)
        return hy_err_set(HY_ERR_ARG, "webhook: NULL argument");
    *out = NULL;
    if (wc->queue < 1 || wc->timeout_ms < 1 || wc->retries < 0 || wc->drain_ms < 0)
        return hy_err_set(HY_ERR_ARG, "webhook: queue and timeout must be >= 1, "
                                      "retries and drain_ms >= 0");
    if ((rc = hy_dynlib_load(&C_lib)) != HY_OK)
        return hy_err_set(rc, "webhook: %s", hy_err_detail());
    pthread_once(&wh_once, wh_global_init);
    if (wh_init_rc != CURLE_OK)
        return hy_err_set(HY_ERR_INTERNAL, "webhook: curl_global_init failed");
    if ((rc = check_url(wc->url)) != HY_OK ||
        (wc->header && *wc->header && (rc = check_header(wc->header)) != HY_OK))
        return rc;
    if (!(w = calloc(1, sizeof *w)))
        return hy_err_set(HY_ERR_NOMEM, "webhook: out of memory");
    w->cfg = *wc;
    w->log = log;
    w->url = strdup(wc->url);
    w->header = strdup(wc->header ? wc->header : "");
    if (!w->url || !w->header) {
        rc = hy_err_set(HY_ERR_NOMEM, "webhook: out of memory");
        goto out;
    }
    w->cfg.url = w->url;
    w->cfg.header = w->header;
    if ((rc = wh_sync_init(w)) != HY_OK || (rc = wh_curl_setup(w)) != HY_OK ||
        (rc = hy_thread_start("hy-webhook", wh_main, w, &w->thr)) != HY_OK)
        goto out;
    w->started = true;
    *out = w;
    return HY_OK;
out:
    hy__webhook_destroy(w);
    return rc;
}

hy_err hy__webhook_from_config(const hy_config *cfg, const hy_log *log, hy__webhook **out)
{
    hy__webhook_cfg wc;

    *out = NULL;
    if (!cfg || !*hy_config_str(cfg, "sink.webhook_url"))
        return HY_OK;
    wc = (hy__webhook_cfg){.url = hy_config_str(cfg, "sink.webhook_url"),
                           .header = hy_config_str(cfg, "sink.webhook_header"),
                           .timeout_ms = hy_config_int(cfg, "sink.webhook_timeout_ms"),
                           .retries = hy_config_int(cfg, "sink.webhook_retries"),
                           .queue = hy_config_int(cfg, "sink.webhook_queue"),
                           .drain_ms = hy_config_int(cfg, "sink.webhook_drain_ms")};
    return hy__webhook_create(&wc, log, out);
}

static void wh_note_drop(hy__webhook *w)
{
    uint64_t n = atomic_fetch_add(&w->dropped, 1) + 1, now = hy_clock_ns(CLOCK_MONOTONIC);

    if (w->drop_logged && now - w->drop_logged_ns < WH_LOG_EVERY_NS)
        return;
    hy_logf(w->log, HY_LOG_WARN,
            "webhook: queue of %lld alerts full; %llu alerts skipped the webhook so far "
            "(the store has them)",
            (long long)w->cfg.queue, (unsigned long long)n);
    w->drop_logged = true;
    w->drop_logged_ns = now;
}

void hy__webhook_send(hy__webhook *w, const char *json, size_t len)
{
    wh_item *it;
    bool take;

    if (!w || !json)
        return;
    pthread_mutex_lock(&w->mu);
    take = !w->stopping && w->held < (size_t)w->cfg.queue;
    pthread_mutex_unlock(&w->mu);
    if (!take || !(it = malloc(sizeof *it + len + 1))) {
        wh_note_drop(w);
        return;
    }
    memcpy(it->json, json, len);
    it->json[len] = '\0';
    it->len = len;
    it->next = NULL;
    pthread_mutex_lock(&w->mu);
    take = !w->stopping && w->held < (size_t)w->cfg.queue; /* only the sender shrinks held */
    if (take) {
        if (w->tail)
            w->tail->next = it;
        else
            w->head = it;
        w->tail = it;
        w->held++;
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    if (!take) {
        free(it);
        wh_note_drop(w);
    }
}

void hy__webhook_counts(const hy__webhook *w, hy__out_counts *c)
{
    memset(c, 0, sizeof *c);
    if (!w)
        return;
    c->delivered = atomic_load(&w->delivered);
    c->retried = atomic_load(&w->retried);
    c->dropped = atomic_load(&w->dropped);
    c->undelivered = atomic_load(&w->undelivered);
}

void hy__webhook_finish(hy__webhook *w)
{
    hy__out_counts c;

    if (!w || w->finished)
        return;
    w->finished = true;
    if (w->thr) {
        pthread_mutex_lock(&w->mu);
        atomic_store(&w->deadline_ns,
                     hy_clock_ns(CLOCK_MONOTONIC) + (uint64_t)w->cfg.drain_ms * 1000000ull);
        atomic_store(&w->stop_flag, true);
        w->stopping = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        hy_thread_join(w->thr, NULL);
        w->thr = NULL;
    }
    hy__webhook_counts(w, &c);
    if (!w->started || !(c.delivered || c.dropped || c.undelivered))
        return;
    hy_logf(w->log, c.dropped || c.undelivered ? HY_LOG_WARN : HY_LOG_INFO,
            "webhook: %llu alerts delivered, %llu retries, %llu skipped (queue full), "
            "%llu undelivered",
            (unsigned long long)c.delivered, (unsigned long long)c.retried,
            (unsigned long long)c.dropped, (unsigned long long)c.undelivered);
}

void hy__webhook_destroy(hy__webhook *w)
{
    wh_item *it;

    if (!w)
        return;
    hy__webhook_finish(w);
    while ((it = w->head)) { /* only when the thread never started */
        w->head = it->next;
        free(it);
    }
    if (w->curl)
        C.curl_easy_cleanup(w->curl);
    if (w->headers)
        C.curl_slist_free_all(w->headers);
    if (w->cv_ok)
        pthread_cond_destroy(&w->cv);
    if (w->mu_ok)
        pthread_mutex_destroy(&w->mu);
    free(w->url);
    free(w->header);
    free(w);
}
