/* fast.log lines, as Suricata and Snort write them:
 *
 *   11/04/2017-12:49:53.341727  [**] [1:2010937:2] ET POLICY ... [**]
 *     [Classification: Potentially Bad Traffic] [Priority: 2] {TCP}
 *     10.0.254.32:38728 -> 10.0.0.27:3306                       (one line)
 *
 * Dates: MM/DD/YYYY (Suricata), MM/DD/YY (old Suricata, Snort -y: 70..99
 * are 19YY, the rest 20YY) or MM/DD (Snort without -y: the year is the
 * parser's, 1970, as no public setter exists yet). Times are taken as UTC: fast.log
 * carries no zone (Suricata and Snort write local time unless told
 * otherwise). Optional: a "[Drop] " or "[wDrop] " prefix before "[**]"
 * (action "blocked" / "wdrop"; none: "allowed"), a quoted message (Snort 3),
 * [Classification: ...] ("(null)" is none), [Priority: n] (the severity),
 * other bracketed items ([Raw pkt: ...], [AppID: ...]: skipped), and the
 * "{PROTO} src -> dst" tail (decoder events have none: ip_version 0).
 * Endpoints: a.b.c.d[:port], [v6][:port], or v6 with the port after the last
 * colon (Suricata prints v6 in full, so that split is unambiguous; for a
 * compressed v6 address the port reading is tried first for both ends, then
 * none). ICMP's type and code, which Suricata prints where ports go, are not
 * kept as ports (as in EVE, where ICMP has none). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/bytes.h"
#include "engines/screen/alertin_int.h"

typedef struct cur {
    const char *t;
    size_t n, i;
} cur;

/* The byte k after the cursor, or -1 past the end: the one bounds check. */
static inline int peek(const cur *c, size_t k)
{
    return hy_fits(c->n, c->i, k + 1) ? (unsigned char)c->t[c->i + k] : -1;
}

static bool lit(cur *c, const char *s)
{
    size_t m = strlen(s);
    if (!hy_fits(c->n, c->i, m) || memcmp(c->t + c->i, s, m) != 0)
        return false;
    c->i += m;
    return true;
}

static size_t spaces(cur *c)
{
    size_t k = 0;
    while (peek(c, 0) == ' ' || peek(c, 0) == '\t') {
        c->i++;
        k++;
    }
    return k;
}

/* Decimal digits (1..maxd of them) at the cursor, at most max. */
static bool num(cur *c, size_t maxd, uint64_t max, uint64_t *v, size_t *nd)
{
    uint64_t x = 0;
    size_t k = 0;
    int d;
    while (k < maxd && (d = peek(c, 0)) >= '0' && d <= '9') {
        x = x * 10 + (uint64_t)(d - '0');
        c->i++;
        k++;
    }
    if (nd)
        *nd = k;
    if (k == 0 || x > max || (k == maxd && (d = peek(c, 0)) >= '0' && d <= '9'))
        return false;
    *v = x;
    return true;
}

/* Exactly two digits. */
static bool two(cur *c, int *v)
{
    uint64_t x;
    size_t nd;
    if (!num(c, 2, 99, &x, &nd) || nd != 2)
        return false;
    *v = (int)x;
    return true;
}

/* "MM/DD[/YY|/YYYY]-" */
static bool fast_date(cur *c, int year0, int *y, int *mo, int *d)
{
    uint64_t x;
    size_t nd;
    *y = year0;
    if (!two(c, mo) || !lit(c, "/") || !two(c, d))
        return false;
    if (lit(c, "/")) {
        if (!num(c, 4, 9999, &x, &nd) || (nd != 2 && nd != 4))
            return false;
        *y = nd == 4 ? (int)x : (x < 70 ? 2000 : 1900) + (int)x;
    }
    return lit(c, "-");
}

/* "MM/DD[/YYYY]-HH:MM:SS[.ffffff]" as UTC nanoseconds. */
static bool fast_time(cur *c, int year0, uint64_t *ns)
{
    int y, mo, d, h, mi, s, k = 0, ch;
    int64_t secs;
    uint64_t frac = 0;
    if (!fast_date(c, year0, &y, &mo, &d) || !two(c, &h) || !lit(c, ":") || !two(c, &mi) ||
        !lit(c, ":") || !two(c, &s))
        return false;
    if (lit(c, ".")) {
        for (; (ch = peek(c, 0)) >= '0' && ch <= '9'; c->i++, k++)
            if (k < 9)
                frac = frac * 10 + (uint64_t)(ch - '0');
        if (k == 0)
            return false;
        for (; k < 9; k++)
            frac *= 10;
    }
    if (!hy__alertin_civil(y, mo, d, h, mi, s, &secs) || secs < 0 ||
        (uint64_t)secs >= UINT64_MAX / 1000000000u)
        return false;
    *ns = (uint64_t)secs * 1000000000u + frac;
    return true;
}

/* "[gid:sid:rev]" */
static bool sig_ids(cur *c, hy_alert_in *a)
{
    uint64_t g, s, r;
    if (!lit(c, "[") || !num(c, 10, UINT32_MAX, &g, NULL) || !lit(c, ":") ||
        !num(c, 10, UINT32_MAX, &s, NULL) || !lit(c, ":") ||
        !num(c, 10, UINT32_MAX, &r, NULL) || !lit(c, "]"))
        return false;
    a->gid = (uint32_t)g;
    a->sid = (uint32_t)s;
    a->rev = (uint32_t)r;
    return true;
}

/* [from, to) without surrounding blanks. */
static void trim(const char *t, size_t *from, size_t *to)
{
    while (*from < *to && (t[*from] == ' ' || t[*from] == '\t'))
        (*from)++;
    while (*to > *from && (t[*to - 1] == ' ' || t[*to - 1] == '\t'))
        (*to)--;
}

/* The message up to " [**]", quotes of Snort 3 removed. */
static hy_err message(hy_alertin_parser *p, cur *c, hy_alert_in *a)
{
    const char *end = memmem(c->t + c->i, c->n - c->i, " [**]", 5);
    size_t from = c->i, to;
    if (!end)
        return hy_err_set(HY_ERR_FORMAT, "fast.log: no \"[**]\" after the message");
    to = (size_t)(end - c->t);
    trim(c->t, &from, &to);
    if (to - from >= 2 && c->t[from] == '"' && c->t[to - 1] == '"') {
        from++;
        to--;
    }
    if (!hy__alertin_put(p, c->t + from, to - from, &a->signature))
        return hy_err_set(HY_ERR_INTERNAL, "alertin: arena too small");
    c->i = (size_t)(end - c->t) + 5;
    return HY_OK;
}

/* The text up to the next byte end (the cursor moves past it), trimmed;
 * false when there is none. */
static bool upto(cur *c, char end, size_t *from, size_t *to)
{
    const char *e = memchr(c->t + c->i, end, c->n - c->i);
    if (!e)
        return false;
    *from = c->i;
    *to = (size_t)(e - c->t);
    c->i = *to + 1;
    trim(c->t, from, to);
    return true;
}

typedef struct endpoint {
    uint8_t addr[16];
    uint8_t ver;
    uint16_t port;
} endpoint;

/* ":port" (or nothing) in s[0..n). */
static bool opt_port(const char *s, size_t n, uint16_t *port)
{
    cur c = {s, n, 0};
    uint64_t x;
    *port = 0;
    if (n == 0)
        return true;
    if (!lit(&c, ":") || !num(&c, 5, 65535, &x, NULL) || c.i != n)
        return false;
    *port = (uint16_t)x;
    return true;
}

/* One endpoint; with_port decides how an unbracketed v6 text is read. */
static bool endpoint_parse(const char *s, size_t n, bool with_port, endpoint *e)
{
    const char *colon = memchr(s, ':', n), *last = colon;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        size_t in = close ? (size_t)(close - s) : 0;
        return close && hy__alertin_ip(s + 1, in - 1, e->addr, &e->ver) &&
               opt_port(close + 1, n - in - 1, &e->port);
    }
    if (!colon) {
        e->port = 0;
        return hy__alertin_ip(s, n, e->addr, &e->ver) && e->ver == 4;
    }
    for (const char *q = colon; q; q = memchr(q + 1, ':', n - (size_t)(q + 1 - s)))
        last = q;
    if (last == colon || with_port) { /* v4:port, or v6 then :port */
        size_t an = (size_t)(last - s);
        return hy__alertin_ip(s, an, e->addr, &e->ver) && (e->ver == 6) == (last != colon) &&
               opt_port(last, n - an, &e->port) && an > 0;
    }
    e->port = 0;
    return hy__alertin_ip(s, n, e->addr, &e->ver) && e->ver == 6;
}

/* A token up to a blank or the end. */
static void token(cur *c, size_t *from, size_t *to)
{
    int ch;
    *from = c->i;
    while ((ch = peek(c, 0)) >= 0 && ch != ' ' && ch != '\t')
        c->i++;
    *to = c->i;
}

/* Both endpoints: with ports if both read so, else both without. */
static bool endpoints(const cur *c, size_t sf, size_t st, size_t df, size_t dt, hy_alert_in *a)
{
    endpoint s, d;
    bool ok = false;
    for (int with_port = 1; with_port >= 0 && !ok; with_port--)
        ok = endpoint_parse(c->t + sf, st - sf, with_port, &s) &&
             endpoint_parse(c->t + df, dt - df, with_port, &d) && s.ver == d.ver;
    if (!ok)
        return false;
    a->ip_version = s.ver;
    memcpy(a->src, s.addr, 16);
    memcpy(a->dst, d.addr, 16);
    if (a->proto != 1 && a->proto != 58) {
        a->sport = s.port;
        a->dport = d.port;
    }
    return true;
}

/* "{PROTO} src -> dst" at the cursor ('{'), up to the end of the line. */
static hy_err tail(cur *c, hy_alert_in *a)
{
    size_t pf, pt, sf, st, df, dt;
    c->i++;
    if (!upto(c, '}', &pf, &pt))
        return hy_err_set(HY_ERR_FORMAT, "fast.log: no '}' after the protocol");
    a->proto = hy__alertin_proto(c->t + pf, pt - pf);
    spaces(c);
    token(c, &sf, &st);
    spaces(c);
    if (!lit(c, "->"))
        return hy_err_set(HY_ERR_FORMAT, "fast.log: no \"->\" between the endpoints");
    spaces(c);
    token(c, &df, &dt);
    spaces(c);
    if (c->i != c->n)
        return hy_err_set(HY_ERR_FORMAT, "fast.log: text after the destination");
    if (!endpoints(c, sf, st, df, dt, a))
        return hy_err_set(HY_ERR_FORMAT, "fast.log: bad endpoint address or port");
    return HY_OK;
}

/* One bracketed item after the message. */
static hy_err item(hy_alertin_parser *p, cur *c, hy_alert_in *a)
{
    size_t f, t;
    uint64_t x;
    if (lit(c, "[Classification:")) {
        if (!upto(c, ']', &f, &t))
            return hy_err_set(HY_ERR_FORMAT, "fast.log: unclosed [Classification: ...]");
        if (t - f == 6 && memcmp(c->t + f, "(null)", 6) == 0)
            t = f;
        if (!hy__alertin_put(p, c->t + f, t - f, &a->category))
            return hy_err_set(HY_ERR_INTERNAL, "alertin: arena too small");
        return HY_OK;
    }
    if (lit(c, "[Priority:")) {
        spaces(c);
        if (!num(c, 9, 999999999, &x, NULL) || (spaces(c), !lit(c, "]")))
            return hy_err_set(HY_ERR_FORMAT, "fast.log: bad [Priority: n]");
        a->severity = (int)x;
        return HY_OK;
    }
    if (!upto(c, ']', &f, &t))
        return hy_err_set(HY_ERR_FORMAT, "fast.log: unclosed '['");
    return HY_OK;
}

/* The prefix up to the message: action, "[**]", "[gid:sid:rev]". */
static hy_err head(hy_alertin_parser *p, cur *c, hy_alert_in *a)
{
    const char *action = "allowed";
    if (!fast_time(c, p->year, &a->ts_ns))
        return hy_err_set(HY_ERR_FORMAT,
                          "fast.log: bad timestamp (MM/DD[/YYYY]-HH:MM:SS[.ffffff] expected)");
    if (!spaces(c))
        return hy_err_set(HY_ERR_FORMAT, "fast.log: no blank after the timestamp");
    if (lit(c, "[Drop]"))
        action = "blocked";
    else if (lit(c, "[wDrop]"))
        action = "wdrop";
    spaces(c);
    if (!lit(c, "[**]"))
        return hy_err_set(HY_ERR_FORMAT, "fast.log: \"[**]\" expected after the timestamp");
    spaces(c);
    if (!sig_ids(c, a))
        return hy_err_set(HY_ERR_FORMAT, "fast.log: bad [gid:sid:rev]");
    if (!hy__alertin_put(p, action, strlen(action), &a->action))
        return hy_err_set(HY_ERR_INTERNAL, "alertin: arena too small");
    return HY_OK;
}

hy_err hy__alertin_fast(hy_alertin_parser *p, const char *line, size_t n, hy_alert_in *a)
{
    cur c = {line, n, 0};
    hy_err rc;
    if ((rc = head(p, &c, a)) != HY_OK || (rc = message(p, &c, a)) != HY_OK)
        return rc;
    /* Each pass consumes at least one byte, so the loop ends. */
    while (spaces(&c), c.i < c.n) {
        int k = peek(&c, 0);
        if (k == '{') {
            if ((rc = tail(&c, a)) != HY_OK)
                return rc;
            break;
        }
        if (k != '[')
            return hy_err_set(HY_ERR_FORMAT, "fast.log: unexpected text after the message");
        if ((rc = item(p, &c, a)) != HY_OK)
            return rc;
    }
    a->fmt = HY_ALERTIN_FASTLOG;
    a->sig_key = (uint64_t)a->gid << 32 | a->sid;
    return HY_OK;
}
