/* The syslog sink. "local" hands alerts to syslog(3); "udp:HOST:PORT" and
 * "unix:/PATH" (a datagram socket) get RFC 5424 messages that hayate writes
 * itself:  <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - - MSG  with the alert's
 * time in RFC 3339 UTC and its EVE JSON line as MSG. Sends are non-blocking:
 * a failure or a full socket buffer is counted as a drop, never waited on. */
#include "pipeline/sink_out.h"

#include <errno.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "hayate/clock.h"

#define SL_IDENT_MAX    48  /* RFC 5424 APP-NAME */
#define SL_HOST_MAX     255 /* RFC 5424 HOSTNAME */
#define SL_LOG_EVERY_NS (60ull * 1000000000ull)

struct hy__syslog {
    bool local; /* syslog(3) */
    int fd;     /* else a datagram socket, -1 when local */
    struct sockaddr_storage addr;
    socklen_t alen;
    int facility; /* 0..23 */
    char ident[SL_IDENT_MAX + 1];
    char host[SL_HOST_MAX + 1];
    long pid;
    char *msg; /* HY__SYSLOG_MAX bytes */
    const hy_log *log;
    bool fail_logged;
    uint64_t fail_logged_ns;
    _Atomic uint64_t sent, dropped;
};

static const struct {
    const char *name;
    int code;
} sl_facilities[] = {
    {"user", 1},    {"daemon", 3},  {"local0", 16}, {"local1", 17}, {"local2", 18},
    {"local3", 19}, {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23},
};

int hy__syslog_severity(int hy_severity)
{
    switch (hy_severity) {
    case 1:
        return 2; /* crit */
    case 2:
        return 3; /* err */
    case 3:
        return 4; /* warning */
    default:
        return hy_severity < 1 ? 2 : 6; /* out of range: the nearer end (info) */
    }
}

static hy_err parse_facility(const char *name, int *out)
{
    for (size_t i = 0; i < sizeof sl_facilities / sizeof sl_facilities[0]; i++) {
        if (strcmp(sl_facilities[i].name, name) == 0) {
            *out = sl_facilities[i].code;
            return HY_OK;
        }
    }
    return hy_err_set(HY_ERR_CONFIG, "sink.syslog_facility: '%.32s' (user, daemon, local0..local7)",
                      name);
}

/* RFC 5424 header fields are printable US-ASCII without spaces. */
static bool printusascii(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126)
            return false;
    return true;
}

static void local_hostname(char out[SL_HOST_MAX + 1])
{
    char h[SL_HOST_MAX + 1] = "";
    size_t n = 0;

    if (gethostname(h, sizeof h) == 0) {
        h[SL_HOST_MAX] = '\0';
        for (size_t i = 0; h[i] && n < SL_HOST_MAX; i++)
            if ((unsigned char)h[i] >= 33 && (unsigned char)h[i] <= 126)
                out[n++] = h[i];
    }
    if (n == 0)
        out[n++] = '-';
    out[n] = '\0';
}

static hy_err open_udp(hy__syslog *s, const char *spec)
{
    char host[256];
    const char *colon = strrchr(spec, ':'), *h = spec;
    size_t hl;
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;
    int e;

    if (!colon || !colon[1] || colon == spec)
        return hy_err_set(HY_ERR_CONFIG, "sink.syslog_target: want udp:HOST:PORT");
    hl = (size_t)(colon - spec);
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') { /* [v6]:port */
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= sizeof host)
        return hy_err_set(HY_ERR_CONFIG, "sink.syslog_target: bad host");
    memcpy(host, h, hl);
    host[hl] = '\0';
    if ((e = getaddrinfo(host, colon + 1, &hints, &res)) != 0 || !res)
        return hy_err_set(HY_ERR_CONFIG, "sink.syslog_target: %.64s port %.16s: %s", host,
                          colon + 1, gai_strerror(e));
    if (res->ai_addrlen > sizeof s->addr) {
        freeaddrinfo(res);
        return hy_err_set(HY_ERR_CONFIG, "sink.syslog_target: address too long");
    }
    memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
    s->alen = res->ai_addrlen;
    s->fd = socket(res->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    freeaddrinfo(res);
    if (s->fd < 0)
        return hy_err_set(HY_ERR_IO, "syslog: socket: %s", strerror(errno));
    return HY_OK;
}

static hy_err open_unix(hy__syslog *s, const char *path)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&s->addr;
    size_t n = strlen(path);

    if (path[0] != '/' || n >= sizeof un->sun_path)
        return hy_err_set(HY_ERR_CONFIG,
                          "sink.syslog_target: unix: wants an absolute path under %zu bytes",
                          sizeof un->sun_path);
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, n + 1);
    s->alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        return hy_err_set(HY_ERR_IO, "syslog: socket: %s", strerror(errno));
    return HY_OK;
}

hy_err hy__syslog_create(const hy__syslog_cfg *sc, const hy_log *log, hy__syslog **out)
{
    hy__syslog *s = NULL;
    hy_err rc;
    int fac = 0;

    if (!out || !sc || !sc->target || !sc->facility || !sc->ident)
        return hy_err_set(HY_ERR_ARG, "syslog: NULL argument");
    *out = NULL;
    if ((rc = parse_facility(sc->facility, &fac)) != HY_OK)
        return rc;
    if (!printusascii(sc->ident, SL_IDENT_MAX))
        return hy_err_set(HY_ERR_CONFIG,
                          "sink.syslog_ident: 1..%d printable ASCII characters, no spaces",
                          SL_IDENT_MAX);
    if (!(s = calloc(1, sizeof *s)) || !(s->msg = malloc(HY__SYSLOG_MAX))) {
        rc = hy_err_set(HY_ERR_NOMEM, "syslog: out of memory");
        goto out;
    }
    s->fd = -1;
    s->facility = fac;
    s->log = log;
    s->pid = (long)getpid();
    snprintf(s->ident, sizeof s->ident, "%s", sc->ident);
    local_hostname(s->host);
    if (strcmp(sc->target, "local") == 0) {
        s->local = true;
        openlog(s->ident, LOG_PID | LOG_NDELAY, fac << 3);
    } else if (strncmp(sc->target, "udp:", 4) == 0) {
        rc = open_udp(s, sc->target + 4);
    } else if (strncmp(sc->target, "unix:", 5) == 0) {
        rc = open_unix(s, sc->target + 5);
    } else {
        rc = hy_err_set(HY_ERR_CONFIG,
                        "sink.syslog_target: '%.64s' (local, udp:HOST:PORT or unix:/PATH)",
                        sc->target);
    }
    if (rc != HY_OK)
        goto out;
    *out = s;
    return HY_OK;
out:
    hy__syslog_destroy(s);
    return rc;
}

hy_err hy__syslog_from_config(const hy_config *cfg, const hy_log *log, hy__syslog **out)
{
    hy__syslog_cfg sc;

    *out = NULL;
    if (!cfg || !*hy_config_str(cfg, "sink.syslog_target"))
        return HY_OK;
    sc = (hy__syslog_cfg){.target = hy_config_str(cfg, "sink.syslog_target"),
                          .facility = hy_config_str(cfg, "sink.syslog_facility"),
                          .ident = hy_config_str(cfg, "sink.syslog_ident")};
    return hy__syslog_create(&sc, log, out);
}

/* RFC 3339 UTC with microseconds: 2024-05-01T12:00:00.000123Z (32 bytes;
 * 64 keeps the compiler sure). */
static void rfc3339(uint64_t time_ns, char out[64])
{
    time_t sec = (time_t)(time_ns / 1000000000ull);
    unsigned usec = (unsigned)(time_ns % 1000000000ull / 1000u);
    struct tm tm;

    if (!gmtime_r(&sec, &tm) || tm.tm_year + 1900 > 9999) {
        snprintf(out, 64, "-"); /* NILVALUE */
        return;
    }
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
}

/* Bytes of json that fit in room without splitting a UTF-8 sequence. */
static size_t utf8_fit(const char *json, size_t len, size_t room)
{
    size_t n = len <= room ? len : room;
    if (n < len)
        while (n > 0 && ((unsigned char)json[n] & 0xC0) == 0x80)
            n--;
    return n;
}

/* Builds the RFC 5424 datagram in s->msg; returns its length. */
static size_t format_5424(hy__syslog *s, const hy_alert *a, const char *json, size_t len)
{
    char ts[64];
    int pri = s->facility * 8 + hy__syslog_severity(a->severity);
    int h;
    size_t m;

    rfc3339(a->time_ns, ts);
    h = snprintf(s->msg, HY__SYSLOG_MAX, "<%d>1 %s %s %s %ld - - ", pri, ts, s->host, s->ident,
                 s->pid);
    if (h < 0 || (size_t)h >= HY__SYSLOG_MAX) /* cannot happen: fields are capped */
        return 0;
    m = utf8_fit(json, len, HY__SYSLOG_MAX - (size_t)h);
    memcpy(s->msg + h, json, m);
    return (size_t)h + m;
}

static void note_fail(hy__syslog *s, int err)
{
    uint64_t now = hy_clock_ns(CLOCK_MONOTONIC);
    if (s->fail_logged && now - s->fail_logged_ns < SL_LOG_EVERY_NS)
        return;
    hy_logf(s->log, HY_LOG_WARN, "syslog: send failed (%s); %llu alerts not sent so far",
            err == EAGAIN || err == EWOULDBLOCK ? "socket buffer full" : strerror(err),
            (unsigned long long)atomic_load(&s->dropped));
    s->fail_logged = true;
    s->fail_logged_ns = now;
}

void hy__syslog_send(hy__syslog *s, const hy_alert *a, const char *json, size_t len)
{
    size_t n;
    int err;

    if (!s || !a || !json)
        return;
    if (s->local) {
        size_t m = utf8_fit(json, len, HY__SYSLOG_MAX);
        syslog(hy__syslog_severity(a->severity), "%.*s", (int)m, json);
        atomic_fetch_add(&s->sent, 1);
        return;
    }
    n = format_5424(s, a, json, len);
    if (n && sendto(s->fd, s->msg, n, MSG_DONTWAIT | MSG_NOSIGNAL,
                    (const struct sockaddr *)&s->addr, s->alen) == (ssize_t)n) {
        atomic_fetch_add(&s->sent, 1);
        return;
    }
    err = n ? errno : EMSGSIZE;
    atomic_fetch_add(&s->dropped, 1);
    note_fail(s, err);
}

void hy__syslog_counts(const hy__syslog *s, hy__out_counts *c)
{
    memset(c, 0, sizeof *c);
    if (!s)
        return;
    c->delivered = atomic_load(&s->sent);
    c->dropped = atomic_load(&s->dropped);
}

void hy__syslog_destroy(hy__syslog *s)
{
    if (!s)
        return;
    if (s->msg && (atomic_load(&s->sent) || atomic_load(&s->dropped)))
        hy_logf(s->log, atomic_load(&s->dropped) ? HY_LOG_WARN : HY_LOG_INFO,
                "syslog: %llu alerts sent, %llu not sent",
                (unsigned long long)atomic_load(&s->sent),
                (unsigned long long)atomic_load(&s->dropped));
    if (s->local)
        closelog();
    if (s->fd >= 0)
        close(s->fd);
    free(s->msg);
    free(s);
}
