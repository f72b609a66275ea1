/* Alerts from outside (include/hayate/alertin.h): the parser object, its
 * arena, the helpers both formats share, and the EVE JSON mapping.
 *
 * EVE lines are read in one pass with the jscan pull scanner: the top
 * object's members are matched against field tables (name, type, where the
 * value goes in hy_alert_in); context objects (alert, flow, http, dns, tls,
 * hayate) are walked with their own tables. A field of the wrong type or
 * value is remembered, the scan goes on (a well-formed non-alert line is
 * skipped, not malformed), and the first such error is reported at the end.
 * A repeated key overwrites the earlier value; a repeated context object
 * replaces the earlier one as a whole. */
#include "hayate/alertin.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/bytes.h"
#include "engines/screen/alertin_int.h"
#include "hayate/jscan.h"
#include "hayate/limits.h"
#include "core/fnv.h"

/* ---- parser and arena ---- */

hy_err hy_alertin_parser_create(hy_alertin_parser **out)
{
    hy_alertin_parser *p;
    if (!out)
        return hy_err_set(HY_ERR_ARG, "alertin: NULL argument");
    *out = NULL;
    if (!(p = calloc(1, sizeof *p)))
        return hy_err_set(HY_ERR_NOMEM, "alertin: out of memory");
    p->year = 1970;
    *out = p;
    return HY_OK;
}

void hy_alertin_parser_destroy(hy_alertin_parser *p)
{
    if (!p)
        return;
    free(p->arena);
    free(p);
}

/* Empties the arena with room for at least need bytes. */
static hy_err arena_reserve(hy_alertin_parser *p, size_t need)
{
    p->len = 0;
    if (need <= p->cap)
        return HY_OK;
    char *np = realloc(p->arena, need);
    if (!np)
        return hy_err_set(HY_ERR_NOMEM, "alertin: out of memory for a %zu-byte arena", need);
    p->arena = np;
    p->cap = need;
    return HY_OK;
}

bool hy__alertin_put(hy_alertin_parser *p, const char *s, size_t n, hy_str *out)
{
    if (!hy_fits(p->cap, p->len, n) || !hy_fits(p->cap, p->len + n, 1) || n > UINT32_MAX)
        return false;
    if (n)
        memcpy(p->arena + p->len, s, n);
    p->arena[p->len + n] = '\0';
    out->p = p->arena + p->len;
    out->n = (uint32_t)n;
    p->len += n + 1;
    return true;
}

char *hy__alertin_room(hy_alertin_parser *p, size_t *m)
{
    if (p->len + 1 >= p->cap)
        return NULL;
    *m = p->cap - p->len - 1; /* one byte kept for the NUL */
    return p->arena + p->len;
}

void hy__alertin_commit(hy_alertin_parser *p, size_t n, hy_str *out)
{
    p->arena[p->len + n] = '\0';
    out->p = p->arena + p->len;
    out->n = (uint32_t)n;
    p->len += n + 1;
}

/* ---- shared helpers ---- */

bool hy__alertin_ip(const char *s, size_t n, uint8_t out[16], uint8_t *ver)
{
    char tmp[64];
    bool v6;
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    v6 = memchr(tmp, ':', n) != NULL;
    memset(out, 0, 16);
    if (inet_pton(v6 ? AF_INET6 : AF_INET, tmp, out) != 1)
        return false;
    *ver = v6 ? 6 : 4;
    return true;
}

uint8_t hy__alertin_proto(const char *s, size_t n)
{
    static const struct {
        const char *name;
        uint8_t num;
    } names[] = {{"ICMP", 1},  {"IGMP", 2},        {"TCP", 6},     {"UDP", 17},
                 {"GRE", 47},  {"ESP", 50},        {"AH", 51},     {"IPV6-ICMP", 58},
                 {"ICMPV6", 58}, {"PIM", 103},     {"VRRP", 112},  {"SCTP", 132}};
    unsigned v = 0;
    size_t i = 0;
    if (n > 6 && strncasecmp(s, "PROTO:", 6) == 0) /* Suricata's fast.log: "PROTO:003" */
        i = 6;
    if (i < n && s[i] >= '0' && s[i] <= '9') {
        for (; i < n && v <= 255; i++) {
            if (s[i] < '0' || s[i] > '9')
                return 0;
            v = v * 10 + (unsigned)(s[i] - '0');
        }
        return v <= 255 ? (uint8_t)v : 0;
    }
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strlen(names[k].name) == n && strncasecmp(names[k].name, s, n) == 0)
            return names[k].num;
    return 0;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool hy__alertin_civil(int year, int mon, int day, int h, int mi, int sec, int64_t *out)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y = year, era, yoe, doy, doe;
    if (year < 1 || year > 9999 || mon < 1 || mon > 12 || day < 1 || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return false;
    if (day > mdays[mon - 1] + (mon == 2 && leap(year)))
        return false;
    /* Days from 1970-01-01 (the proleptic Gregorian calendar, by eras of 400
     * years as in H. Hinnant's days_from_civil). */
    y -= mon <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = (era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 + sec;
    return true;
}

/* The byte at i of t[0..n), or -1 past the end. */
static inline int ch(const char *t, size_t n, size_t i)
{
    return i < n ? (unsigned char)t[i] : -1;
}

/* cnt decimal digits at t[i] as *v. */
static bool dig(const char *t, size_t n, size_t i, int cnt, int *v)
{
    int x = 0;
    for (int k = 0; k < cnt; k++) {
        int c = ch(t, n, i + (size_t)k);
        if (c < '0' || c > '9')
            return false;
        x = x * 10 + (c - '0');
    }
    *v = x;
    return true;
}

/* ".fff..." at *i: nanoseconds (digits past the ninth are dropped). */
static bool iso_frac(const char *t, size_t n, size_t *i, uint64_t *frac)
{
    uint64_t f = 0;
    int k = 0, c;
    if (ch(t, n, *i) != '.')
        return true;
    for ((*i)++; (c = ch(t, n, *i)) >= '0' && c <= '9'; (*i)++, k++)
        if (k < 9)
            f = f * 10 + (uint64_t)(c - '0');
    if (k == 0)
        return false;
    for (; k < 9; k++)
        f *= 10;
    *frac = f;
    return true;
}

/* "Z", "+hh", "+hhmm", "+hh:mm" (or '-') at *i, as seconds east of UTC;
 * nothing at all is UTC. */
static bool iso_zone(const char *t, size_t n, size_t *i, int64_t *east)
{
    int c = ch(t, n, *i), oh, om = 0;
    *east = 0;
    if (c < 0)
        return true;
    if (c == 'Z' || c == 'z') {
        (*i)++;
        return true;
    }
    if ((c != '+' && c != '-') || !dig(t, n, *i + 1, 2, &oh))
        return false;
    *i += 3;
    if (ch(t, n, *i) == ':') {
        if (!dig(t, n, *i + 1, 2, &om))
            return false;
        *i += 3;
    } else if (dig(t, n, *i, 2, &om)) {
        *i += 2;
    }
    if (oh > 23 || om > 59)
        return false;
    *east = (c == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
    return true;
}

/* Suricata's "2017-11-04T12:49:53.341727+0000" (any fraction, any zone
 * form above, 'T' or ' ') as UTC nanoseconds; false before 1970 or past
 * uint64 nanoseconds (year 2554). */
static bool parse_iso(const char *t, size_t n, uint64_t *ns)
{
    int y, mo, d, h, mi, s;
    int64_t secs, east;
    uint64_t frac = 0;
    size_t i = 19;
    int sep = ch(t, n, 10);
    if (!dig(t, n, 0, 4, &y) || ch(t, n, 4) != '-' || !dig(t, n, 5, 2, &mo) ||
        ch(t, n, 7) != '-' || !dig(t, n, 8, 2, &d) || (sep != 'T' && sep != ' ') ||
        !dig(t, n, 11, 2, &h) || ch(t, n, 13) != ':' || !dig(t, n, 14, 2, &mi) ||
        ch(t, n, 16) != ':' || !dig(t, n, 17, 2, &s))
        return false;
    if (!iso_frac(t, n, &i, &frac) || !iso_zone(t, n, &i, &east) || i != n)
        return false;
    if (!hy__alertin_civil(y, mo, d, h, mi, s, &secs))
        return false;
    secs -= east;
    if (secs < 0 || (uint64_t)secs >= UINT64_MAX / 1000000000u)
        return false;
    *ns = (uint64_t)secs * 1000000000u + frac;
    return true;
}

/* ---- EVE field tables ---- */

enum ftype {
    F_STR,    /* hy_str */
    F_U64,    /* uint64_t */
    F_U32,    /* uint32_t */
    F_INT,    /* int, 0..INT_MAX */
    F_PORT,   /* uint16_t */
    F_TS,     /* uint64_t ns from an ISO time */
    F_DOUBLE, /* double */
    F_SRCIP,  /* src[16] and the src version */
    F_DSTIP,  /* dst[16] and the dst version */
    F_PROTO,  /* uint8_t from a name or number */
    F_EVENT,  /* event_type */
    F_OBJ,    /* an object walked with sub */
    F_ARR0,   /* an array whose first element (an object) is walked with sub */
};

enum seen {
    SEEN_TS = 1 << 0,
    SEEN_SID = 1 << 1,
    SEEN_GID = 1 << 2,
    SEEN_SRC = 1 << 3,
    SEEN_DST = 1 << 4,
    SEEN_HAYATE = 1 << 5,
};

typedef struct table table;

typedef struct field {
    const char *name;
    uint8_t len;
    uint8_t type;
    uint8_t flag;         /* SEEN_* set when the value is taken */
    uint16_t off;         /* where in hy_alert_in */
    const table *sub;     /* F_OBJ, F_ARR0 */
    const char *path;     /* for error details */
} field;

struct table {
    const field *f;
    size_t n;
};

#define FLD(nm, ty, fl, member, sb, path)                                                  \
    {nm, sizeof(nm) - 1, ty, fl, offsetof(hy_alert_in, member), sb, path}
#define TABLE(arr) {arr, sizeof arr / sizeof arr[0]}

static const field f_alert[] = {
    FLD("action", F_STR, 0, action, NULL, "alert.action"),
    FLD("gid", F_U32, SEEN_GID, gid, NULL, "alert.gid"),
    FLD("signature_id", F_U32, SEEN_SID, sid, NULL, "alert.signature_id"),
    FLD("rev", F_U32, 0, rev, NULL, "alert.rev"),
    FLD("signature", F_STR, 0, signature, NULL, "alert.signature"),
    FLD("category", F_STR, 0, category, NULL, "alert.category"),
    FLD("severity", F_INT, 0, severity, NULL, "alert.severity"),
};
static const field f_flow[] = {
    FLD("pkts_toserver", F_U64, 0, flow_pkts_toserver, NULL, "flow.pkts_toserver"),
    FLD("pkts_toclient", F_U64, 0, flow_pkts_toclient, NULL, "flow.pkts_toclient"),
    FLD("bytes_toserver", F_U64, 0, flow_bytes_toserver, NULL, "flow.bytes_toserver"),
    FLD("bytes_toclient", F_U64, 0, flow_bytes_toclient, NULL, "flow.bytes_toclient"),
    FLD("start", F_TS, 0, flow_start_ns, NULL, "flow.start"),
};
static const field f_http[] = {
    FLD("hostname", F_STR, 0, http_host, NULL, "http.hostname"),
    FLD("url", F_STR, 0, http_url, NULL, "http.url"),
    FLD("http_method", F_STR, 0, http_method, NULL, "http.http_method"),
    FLD("http_user_agent", F_STR, 0, http_user_agent, NULL, "http.http_user_agent"),
    FLD("status", F_INT, 0, http_status, NULL, "http.status"),
};
static const field f_dnsq[] = {
    FLD("rrname", F_STR, 0, dns_rrname, NULL, "dns.queries[0].rrname"),
    FLD("rrtype", F_STR, 0, dns_rrtype, NULL, "dns.queries[0].rrtype"),
};
static const table t_dnsq = TABLE(f_dnsq);
static const field f_dns[] = {
    FLD("rrname", F_STR, 0, dns_rrname, NULL, "dns.rrname"),
    FLD("rrtype", F_STR, 0, dns_rrtype, NULL, "dns.rrtype"),
    FLD("queries", F_ARR0, 0, fmt, &t_dnsq, "dns.queries"), /* Suricata 7 */
    FLD("query", F_ARR0, 0, fmt, &t_dnsq, "dns.query"),     /* Suricata 5/6 alerts */
};
static const field f_ja3[] = {
    FLD("hash", F_STR, 0, tls_ja3, NULL, "tls.ja3.hash"),
};
static const table t_ja3 = TABLE(f_ja3);
static const field f_tls[] = {
    FLD("sni", F_STR, 0, tls_sni, NULL, "tls.sni"),
    FLD("subject", F_STR, 0, tls_subject, NULL, "tls.subject"),
    FLD("issuerdn", F_STR, 0, tls_issuer, NULL, "tls.issuerdn"),
    FLD("version", F_STR, 0, tls_version, NULL, "tls.version"),
    FLD("ja3", F_OBJ, 0, fmt, &t_ja3, "tls.ja3"),
};
static const field f_hayate[] = {
    FLD("engine", F_STR, 0, hy_engine, NULL, "hayate.engine"),
    FLD("kind", F_STR, 0, hy_kind, NULL, "hayate.kind"),
    FLD("score", F_DOUBLE, 0, hy_score, NULL, "hayate.score"),
    FLD("id", F_STR, 0, hy_id, NULL, "hayate.id"),
};
static const table t_alert = TABLE(f_alert), t_flow = TABLE(f_flow), t_http = TABLE(f_http),
                   t_dns = TABLE(f_dns), t_tls = TABLE(f_tls), t_hayate = TABLE(f_hayate);
static const field f_top[] = {
    FLD("timestamp", F_TS, SEEN_TS, ts_ns, NULL, "timestamp"),
    FLD("flow_id", F_U64, 0, flow_id, NULL, "flow_id"),
    FLD("in_iface", F_STR, 0, in_iface, NULL, "in_iface"),
    FLD("event_type", F_EVENT, 0, fmt, NULL, "event_type"),
    FLD("src_ip", F_SRCIP, SEEN_SRC, src, NULL, "src_ip"),
    FLD("src_port", F_PORT, 0, sport, NULL, "src_port"),
    FLD("dest_ip", F_DSTIP, SEEN_DST, dst, NULL, "dest_ip"),
    FLD("dest_port", F_PORT, 0, dport, NULL, "dest_port"),
    FLD("proto", F_PROTO, 0, proto, NULL, "proto"),
    FLD("app_proto", F_STR, 0, app_proto, NULL, "app_proto"),
    FLD("alert", F_OBJ, 0, fmt, &t_alert, "alert"),
    FLD("flow", F_OBJ, 0, fmt, &t_flow, "flow"),
    FLD("http", F_OBJ, 0, fmt, &t_http, "http"),
    FLD("dns", F_OBJ, 0, fmt, &t_dns, "dns"),
    FLD("tls", F_OBJ, 0, fmt, &t_tls, "tls"),
    FLD("hayate", F_OBJ, SEEN_HAYATE, fmt, &t_hayate, "hayate"),
};
static const table t_top = TABLE(f_top);

/* ---- EVE mapping ---- */

typedef struct eve {
    hy_alertin_parser *p;
    const hy_jscan *s;
    hy_alert_in *a;
    int type;          /* event_type: 0 absent, 1 "alert", 2 another */
    unsigned seen;     /* SEEN_* */
    uint8_t src_ver, dst_ver;
    hy_err err;        /* the first field error */
    char why[160];
} eve;

static const hy_str empty = {"", 0};

static void fail(eve *e, const field *f, const char *what)
{
    if (e->err)
        return;
    e->err = HY_ERR_FORMAT;
    snprintf(e->why, sizeof e->why, "%s %s", f->path, what);
}

static void *slot(eve *e, const field *f)
{
    return (char *)e->a + f->off;
}

static void take_str(eve *e, const field *f, const hy_jval *v)
{
    size_t m, n;
    char *w;
    if (v->kind != HY_JSTR) {
        fail(e, f, "is not a string");
        return;
    }
    if (!(w = hy__alertin_room(e->p, &m)) || hy_jscan_str(e->s, v, w, m, &n) != HY_OK) {
        fail(e, f, "does not fit the arena (a bug)");
        return;
    }
    hy__alertin_commit(e->p, n, slot(e, f));
}

/* An unsigned integer up to max, or a failure. */
static bool take_uint(eve *e, const field *f, const hy_jval *v, uint64_t max, uint64_t *x)
{
    if (v->kind != HY_JNUM || hy_jscan_u64(e->s, v, x) != HY_OK || *x > max) {
        fail(e, f, "is not an integer in range");
        return false;
    }
    return true;
}

/* A short string's text (times, addresses, names) or a failure. */
static bool take_text(eve *e, const field *f, const hy_jval *v, char *buf, size_t cap,
                      const char **t, size_t *n)
{
    if (v->kind != HY_JSTR || hy_jscan_text(e->s, v, buf, cap, t, n) != HY_OK) {
        fail(e, f, "is not a short string");
        return false;
    }
    return true;
}

static void take_ts(eve *e, const field *f, const hy_jval *v)
{
    char buf[64];
    const char *t;
    size_t n;
    if (take_text(e, f, v, buf, sizeof buf, &t, &n) && !parse_iso(t, n, slot(e, f)))
        fail(e, f, "is not a valid time");
}

static void take_ip(eve *e, const field *f, const hy_jval *v, uint8_t *ver)
{
    char buf[64];
    const char *t;
    size_t n;
    if (take_text(e, f, v, buf, sizeof buf, &t, &n) && !hy__alertin_ip(t, n, slot(e, f), ver))
        fail(e, f, "is not an IP address");
}

static void take_proto(eve *e, const field *f, const hy_jval *v)
{
    char buf[32];
    const char *t;
    size_t n;
    uint64_t x;
    if (v->kind == HY_JNUM) {
        if (take_uint(e, f, v, 255, &x))
            e->a->proto = (uint8_t)x;
    } else if (take_text(e, f, v, buf, sizeof buf, &t, &n)) {
        e->a->proto = hy__alertin_proto(t, n);
    }
}

static void take_double(eve *e, const field *f, const hy_jval *v)
{
    if (v->kind != HY_JNUM || hy_jscan_double(e->s, v, slot(e, f)) != HY_OK)
        fail(e, f, "is not a finite number");
}

static void walk(eve *e, const table *t, const hy_jval *obj);

/* Clears what table t fills (a context object seen again replaces the
 * first). */
static void reset(eve *e, const table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const field *f = &t->f[i];
        switch (f->type) {
        case F_STR: *(hy_str *)slot(e, f) = empty; break;
        case F_U64:
        case F_TS: *(uint64_t *)slot(e, f) = 0; break;
        case F_U32: *(uint32_t *)slot(e, f) = 0; break;
        case F_INT: *(int *)slot(e, f) = 0; break;
        case F_DOUBLE: *(double *)slot(e, f) = 0; break;
        case F_OBJ:
        case F_ARR0: reset(e, f->sub); break;
        default: break;
        }
        e->seen &= ~(unsigned)f->flag;
    }
}

static void take_arr0(eve *e, const field *f, const hy_jval *v)
{
    hy_jiter it;
    hy_jval el;
    if (v->kind != HY_JARR) {
        fail(e, f, "is not an array");
        return;
    }
    if (hy_jscan_begin(e->s, v, &it) != HY_OK || hy_jscan_element(e->s, &it, &el) != HY_OK)
        return; /* empty */
    if (el.kind != HY_JOBJ)
        fail(e, f, "[0] is not an object");
    else
        walk(e, f->sub, &el);
}

static void take_number(eve *e, const field *f, const hy_jval *v)
{
    uint64_t x;
    switch (f->type) {
    case F_U64:
        if (take_uint(e, f, v, UINT64_MAX, &x))
            *(uint64_t *)slot(e, f) = x;
        break;
    case F_U32:
        if (take_uint(e, f, v, UINT32_MAX, &x))
            *(uint32_t *)slot(e, f) = (uint32_t)x;
        break;
    case F_INT:
        if (take_uint(e, f, v, INT32_MAX, &x))
            *(int *)slot(e, f) = (int)x;
        break;
    case F_PORT:
        if (take_uint(e, f, v, 65535, &x))
            *(uint16_t *)slot(e, f) = (uint16_t)x;
        break;
    default: take_double(e, f, v); break;
    }
}

/* Takes value v for field f; null counts as absent. */
static void take(eve *e, const field *f, const hy_jval *v)
{
    if (v->kind == HY_JNULL)
        return;
    e->seen |= f->flag;
    switch (f->type) {
    case F_STR: take_str(e, f, v); break;
    case F_TS: take_ts(e, f, v); break;
    case F_SRCIP: take_ip(e, f, v, &e->src_ver); break;
    case F_DSTIP: take_ip(e, f, v, &e->dst_ver); break;
    case F_PROTO: take_proto(e, f, v); break;
    case F_EVENT:
        if (v->kind != HY_JSTR)
            fail(e, f, "is not a string");
        else
            e->type = hy_jscan_is(e->s, v, "alert") ? 1 : 2;
        break;
    case F_OBJ:
        reset(e, f->sub);
        if (v->kind != HY_JOBJ)
            fail(e, f, "is not an object");
        else
            walk(e, f->sub, v);
        break;
    case F_ARR0: take_arr0(e, f, v); break;
    default: take_number(e, f, v); break;
    }
}

static const field *find(const table *t, const char *k, size_t n)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *nm = t->f[i].name;
        size_t j = 0;
        if (t->f[i].len != n)
            continue;
        while (j < n && nm[j] == k[j])
            j++;
        if (j == n)
            return &t->f[i];
    }
    return NULL;
}

/* Walks an object already validated by the scan that found it. */
static void walk(eve *e, const table *t, const hy_jval *obj)
{
    hy_jiter it;
    hy_jval k, v;
    char kb[32];
    const char *kt;
    size_t kn;
    const field *f;
    if (hy_jscan_begin(e->s, obj, &it) != HY_OK)
        return;
    while (hy_jscan_member(e->s, &it, &k, &v) == HY_OK)
        if (e->type != 2 && hy_jscan_text(e->s, &k, kb, sizeof kb, &kt, &kn) == HY_OK &&
            (f = find(t, kt, kn)))
            take(e, f, &v);
}

/* The top object, read and validated in one pass. */
static hy_err eve_scan(eve *e)
{
    hy_jval root, k, v;
    hy_jiter it;
    char kb[32];
    const char *kt;
    size_t kn;
    const field *f;
    hy_err rc = hy_jscan_root(e->s, &root);
    if (rc == HY_OK && root.kind != HY_JOBJ)
        return hy_err_set(HY_ERR_FORMAT, "not a JSON object");
    if (rc == HY_OK)
        rc = hy_jscan_begin(e->s, &root, &it);
    while (rc == HY_OK && (rc = hy_jscan_member(e->s, &it, &k, &v)) == HY_OK)
        if (e->type != 2 && hy_jscan_text(e->s, &k, kb, sizeof kb, &kt, &kn) == HY_OK &&
            (f = find(&t_top, kt, kn)))
            take(e, f, &v);
    if (rc != HY_ERR_NOTFOUND)
        return rc == HY_ERR_TRUNCATED ? HY_ERR_FORMAT : rc;
    return hy_jscan_finish(e->s, it.pos);
}

uint64_t hy_alertin_kind_key(const char *kind, size_t n)
{
    return 1ull << 63 | (hy_fnv64(HY_FNV64_INIT, kind, n) & 0x7fffffffffffffffull);
}

/* The checks that need the whole object. */
static hy_err eve_finish(eve *e)
{
    hy_alert_in *a = e->a;
    if (e->err)
        return hy_err_set(e->err, "%s", e->why);
    if (!(e->seen & SEEN_TS))
        return hy_err_set(HY_ERR_FORMAT, "timestamp missing");
    if ((e->seen & (SEEN_SRC | SEEN_DST)) == SEEN_SRC)
        return hy_err_set(HY_ERR_FORMAT, "dest_ip missing (src_ip present)");
    if ((e->seen & (SEEN_SRC | SEEN_DST)) == SEEN_DST)
        return hy_err_set(HY_ERR_FORMAT, "src_ip missing (dest_ip present)");
    if (e->src_ver != e->dst_ver)
        return hy_err_set(HY_ERR_FORMAT, "src_ip and dest_ip are of different IP versions");
    a->ip_version = e->src_ver;
    if ((e->seen & SEEN_HAYATE) && a->hy_kind.n > 0) {
        a->fmt = HY_ALERTIN_HAYATE;
        a->sid = 0;
        a->sig_key = hy_alertin_kind_key(a->hy_kind.p, a->hy_kind.n);
        return HY_OK;
    }
    if (!(e->seen & SEEN_SID))
        return hy_err_set(HY_ERR_FORMAT, "alert.signature_id missing");
    if (!(e->seen & SEEN_GID))
        a->gid = 1; /* Suricata's default generator */
    a->fmt = HY_ALERTIN_EVE;
    a->sig_key = (uint64_t)a->gid << 32 | a->sid;
    return HY_OK;
}

hy_err hy__alertin_eve(hy_alertin_parser *p, const char *line, size_t n, hy_alert_in *a)
{
    hy_jscan s;
    eve e = {.p = p, .s = &s, .a = a};
    hy_err rc;
    hy_jscan_init(&s, line, n, HY_ALERTIN_MAX_DEPTH);
    if ((rc = eve_scan(&e)) != HY_OK)
        return rc;
    if (e.type == 2)
        return hy_err_set(HY_ERR_NOTFOUND, "event_type is not \"alert\"");
    return eve_finish(&e);
}

/* ---- entry point ---- */

static const hy_alert_in blank = {
    .signature = {"", 0},       .category = {"", 0},        .action = {"", 0},
    .app_proto = {"", 0},       .in_iface = {"", 0},        .http_host = {"", 0},
    .http_url = {"", 0},        .http_method = {"", 0},     .http_user_agent = {"", 0},
    .dns_rrname = {"", 0},      .dns_rrtype = {"", 0},      .tls_sni = {"", 0},
    .tls_subject = {"", 0},     .tls_issuer = {"", 0},      .tls_version = {"", 0},
    .tls_ja3 = {"", 0},         .hy_engine = {"", 0},       .hy_kind = {"", 0},
    .hy_id = {"", 0},           .raw = {"", 0},
};

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

hy_err hy_alertin_parse(hy_alertin_parser *p, const char *line, size_t n, hy_alert_in *a)
{
    hy_err rc;
    if (!p || !a || (!line && n))
        return hy_err_set(HY_ERR_ARG, "alertin: NULL argument");
    *a = blank;
    while (n > 0 && is_space(ch(line, n, n - 1)))
        n--;
    while (n > 0 && is_space(ch(line, n, 0))) {
        line++;
        n--;
    }
    if (n == 0)
        return hy_err_set(HY_ERR_NOTFOUND, "blank line");
    if (n > HY_MAX_JSON_DOC) /* an array element may be longer than a line */
        return hy_err_set(HY_ERR_FORMAT, "input longer than %u bytes", HY_MAX_JSON_DOC);
    /* Raw copy + decoded strings (each at most its own span) + their NULs. */
    if ((rc = arena_reserve(p, 3 * n + 64)) != HY_OK)
        return rc;
    if (!hy__alertin_put(p, line, n, &a->raw))
        return hy_err_set(HY_ERR_INTERNAL, "alertin: arena too small");
    if (line[0] == '{')
        return hy__alertin_eve(p, a->raw.p, n, a);
    return hy__alertin_fast(p, a->raw.p, n, a);
}
