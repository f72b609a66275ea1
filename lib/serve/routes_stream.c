/* GET /api/alerts/stream: server-sent events of new alerts.
 *
 * Each client remembers the id of the last alert it was sent. Its content
 * reader sends what it has pending, else reads the next alerts after that
 * id from the store (at most PAGE a time) as events ("id: ID", "event:
 * alert", "data: EVE JSON"); with nothing new it suspends its connection
 * (libmicrohttpd's suspend/resume: no pool thread waits on it). A waker
 * thread looks up the newest alert id every TICK_MS and resumes the clients
 * behind it, so an alert reaches every client within about TICK_MS of being
 * stored, whichever process stored it. A client that reconnects with
 * Last-Event-ID gets everything after it. */
#include "serve/serve_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE      64
#define TICK_MS   100
#define ID_BYTES  (HY_ALERT_ID_LEN + 1)

struct hy__sse {
    hy_serve *s;
    struct MHD_Connection *c;
    char last[ID_BYTES];   /* "" : none yet */
    hy_buf out;            /* events not yet handed to libmicrohttpd */
    size_t off;
    bool suspended;
    hy__sse *next;
};

typedef struct fill_ctx {
    hy__sse *x;
    hy_err rc;
} fill_ctx;

static int add_event(void *ud, const hy_alert_eve *e)
{
    fill_ctx *f = ud;
    hy_buf *out = &f->x->out;
    size_t start = out->len;
    if ((f->rc = hy_buf_addf(out, "id: %s\nevent: alert\ndata: ", e->id)) != HY_OK ||
        (f->rc = hy_buf_add(out, e->eve, e->len)) != HY_OK ||
        (f->rc = hy_buf_add(out, "\n\n", 2)) != HY_OK) {
        out->len = start; /* no half event */
        if (out->data)
            out->data[start] = '\0';
        return 1;
    }
    snprintf(f->x->last, sizeof f->x->last, "%s", e->id);
    return 0;
}

/* Reads the alerts after x->last into x->out. */
static hy_err fill(hy__sse *x)
{
    hy_alert_filter flt = {.after_id = x->last[0] ? x->last : NULL, .limit = PAGE};
    fill_ctx f = {.x = x};
    hy_err rc;
    x->out.len = 0;
    x->off = 0;
    rc = hy__serve_read_eve(x->s, &flt, add_event, &f);
    return rc != HY_OK ? rc : f.rc;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    hy__sse *x = cls;
    (void)pos;
    if (atomic_load(&x->s->stopping))
        return MHD_CONTENT_READER_END_OF_STREAM;
    if (x->off == x->out.len && fill(x) != HY_OK)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    if (x->off == x->out.len) { /* nothing new: sleep until the waker says so */
        pthread_mutex_lock(&x->s->sse_mu);
        x->suspended = true;
        MHD_suspend_connection(x->c);
        pthread_mutex_unlock(&x->s->sse_mu);
        return 0;
    }
    size_t n = x->out.len - x->off < max ? x->out.len - x->off : max;
    memcpy(buf, x->out.data + x->off, n);
    x->off += n;
    return (ssize_t)n;
}

static void release(void *cls)
{
    hy__sse *x = cls, **pp;
    pthread_mutex_lock(&x->s->sse_mu);
    for (pp = &x->s->sse; *pp && *pp != x; pp = &(*pp)->next)
        ;
    if (*pp)
        *pp = x->next;
    pthread_mutex_unlock(&x->s->sse_mu);
    hy_buf_free(&x->out);
    free(x);
}

static int take_id(void *ud, const hy_alert_eve *e)
{
    snprintf(ud, ID_BYTES, "%s", e->id);
    return 1;
}

/* The newest alert id in the store ("" when none). */
static hy_err newest(hy_serve *s, char id[ID_BYTES])
{
    hy_alert_filter f = {.newest_first = true, .limit = 1};
    id[0] = '\0';
    return hy__serve_read_eve(s, &f, take_id, id);
}

hy_err hy__route_stream(hy_serve *s, struct MHD_Connection *c, const hy__req *r)
{
    static const char *const known[] = {NULL};
    const char *from = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    hy__sse *x;
    hy_err rc = HY_OK;
    (void)r;
    if (!hy__serve_known_params(s, c, known, &rc))
        return rc;
    if (from && *from && !hy__serve_valid_id(from))
        return hy__serve_error(s, c, MHD_HTTP_BAD_REQUEST, "Last-Event-ID must be an alert id");
    if (!(x = calloc(1, sizeof *x)))
        return HY_ERR_NOMEM;
    x->s = s;
    x->c = c;
    hy_buf_init(&x->out, (size_t)PAGE << 20);
    if (from && *from)
        snprintf(x->last, sizeof x->last, "%s", from);
    else if ((rc = newest(s, x->last)) != HY_OK) {
        hy_buf_free(&x->out);
        free(x);
        return hy__serve_error(s, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s",
                               hy_err_detail());
    }
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, reader, x, release);
    if (!resp) {
        hy_buf_free(&x->out);
        free(x);
        return HY_ERR_NOMEM;
    }
    pthread_mutex_lock(&s->sse_mu);
    x->next = s->sse;
    s->sse = x;
    pthread_mutex_unlock(&s->sse_mu);
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    atomic_fetch_add(&s->answered[2], 1);
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp); /* release() runs when the connection ends */
    return ok == MHD_YES ? HY_OK : HY_ERR_IO;
}

/* Resumes the suspended clients behind `id` (all when id is NULL). */
static void wake(hy_serve *s, const char *id)
{
    pthread_mutex_lock(&s->sse_mu);
    for (hy__sse *x = s->sse; x; x = x->next)
        if (x->suspended && (!id || strcmp(x->last, id) < 0)) {
            x->suspended = false;
            MHD_resume_connection(x->c);
        }
    pthread_mutex_unlock(&s->sse_mu);
}

static void *waker(void *arg)
{
    hy_serve *s = arg;
    struct timespec tick = {.tv_sec = 0, .tv_nsec = TICK_MS * 1000000L};
    char id[ID_BYTES];
    while (!atomic_load(&s->stopping)) {
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&s->sse_mu);
        bool any = s->sse != NULL;
        pthread_mutex_unlock(&s->sse_mu);
        if (any && newest(s, id) == HY_OK && id[0])
            wake(s, id);
    }
    return NULL;
}

hy_err hy__sse_start(hy_serve *s)
{
    if (pthread_create(&s->sse_thr, NULL, waker, s) != 0)
        return hy_err_set(HY_ERR_IO, "serve: cannot start the event thread");
    s->sse_started = true;
    return HY_OK;
}

void hy__sse_stop(hy_serve *s)
{
    atomic_store(&s->stopping, true);
    if (s->sse_started)
        pthread_join(s->sse_thr, NULL);
    s->sse_started = false;
    wake(s, NULL); /* suspended clients end their stream before the daemon stops */
}
