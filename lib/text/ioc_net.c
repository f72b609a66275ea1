/* Network indicators: dotted names (domains, IPv4 and CIDR, file names),
 * URLs, e-mail addresses, IPv6 and MAC addresses.
 *
 * A domain is lowercase letters, digits, '-' and '_' in labels of at most
 * 63 bytes, 253 in all; its last label must be an ICANN top-level domain
 * of the public suffix list (libpsl, no implicit '*' rule) or a reserved
 * one (RFC 2606/6761/6762: test, example, invalid, localhost, local; kept
 * so they can be marked as noise), and the whole name must not itself be
 * a public suffix ("co.uk"). A TLD written in mixed case ("end.Next") is
 * taken for a missing blank between sentences.
 *
 * File extensions that are also TLDs need evidence: a name ending in .zip,
 * .mov, .md or .one, or in an executable extension that is a TLD (.sh,
 * .py, .so) is a domain only when it was written defanged, is a URL host
 * or e-mail domain, is followed by a port or path, or starts with "www.";
 * otherwise ".sh", ".py" and ".so" names are file names and the others
 * nothing. Extensions that are no TLD (.exe, .dll, .js, .pdf, .txt, .doc)
 * never make a domain, by the list itself. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "text/ioc_int.h"

#define NAME_MAX_LEN 253

static const psl_ctx_t *psl_ctx;
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

static void psl_load(void)
{
    /* the newer of the built-in list and the system's file; kept for the
     * life of the process (read-only after this) */
    psl_ctx_t *latest = psl_latest(NULL);
    psl_ctx = latest ? latest : psl_builtin();
}

const psl_ctx_t *hy__psl(void)
{
    pthread_once(&psl_once, psl_load);
    return psl_ctx;
}

static bool is_c(const char *s, size_t k, size_t n, unsigned cls)
{
    return k < n && hy__is((unsigned char)s[k], cls);
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    for (size_t k = 0; k < n; k++)
        dst[k] = (char)(src[k] >= 'A' && src[k] <= 'Z' ? src[k] | 0x20 : src[k]);
    dst[n] = '\0';
}

bool hy__is_tld(const char *s, size_t n)
{
    char low[64];
    const psl_ctx_t *psl = hy__psl();
    bool puny = n > 4 && !strncasecmp(s, "xn--", 4);

    if (n < 2 || n > 63 || !psl)
        return false;
    for (size_t k = puny ? 4 : 0; k < n; k++)
        if (!hy__is((unsigned char)s[k], puny ? HY__C_ALNUM : HY__C_ALPHA))
            return false;
    lower_copy(low, s, n);
    return psl_is_public_suffix2(psl, low, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
}

/* TLDs reserved for testing and local use, accepted so they can be marked. */
static bool reserved_tld(const char *low)
{
    static const char *const r[] = {"test", "example", "invalid", "localhost", "local"};
    for (size_t k = 0; k < sizeof r / sizeof r[0]; k++)
        if (!strcmp(low, r[k]))
            return true;
    return false;
}

/* ---- dotted names --------------------------------------------------------- */

typedef struct dname {
    size_t start, end;
    size_t nl;        /* labels */
    size_t last;      /* start of the last label */
    size_t first_end; /* end of the first label */
    bool numeric;     /* every label is 1-3 digits */
    bool bad;         /* a label or the name too long, or a label edged by '-' */
} dname;

static void parse_name(const char *s, size_t i, size_t lim, dname *d)
{
    size_t k = i;
    *d = (dname){.start = i, .numeric = true};
    for (;;) {
        size_t ls = k;
        bool digits = true;
        while (k < lim && hy__is((unsigned char)s[k], HY__C_LABEL)) {
            digits = digits && hy__is((unsigned char)s[k], HY__C_DIGIT);
            k++;
        }
        if (k == ls)
            break;
        if (k - ls > 63 || s[ls] == '-' || s[k - 1] == '-')
            d->bad = true;
        d->numeric = d->numeric && digits && k - ls <= 3;
        if (d->nl++ == 0)
            d->first_end = k;
        d->last = ls;
        if (k + 1 < lim && s[k] == '.' && hy__is((unsigned char)s[k + 1], HY__C_LABEL))
            k++;
        else
            break;
    }
    d->end = k;
    if (k - i > NAME_MAX_LEN)
        d->bad = true;
}

/* The name's last label is a usable TLD (lowercase copy of the name in low);
 * strict (a name standing alone in prose) also rejects a mixed-case TLD. */
static bool tld_ok(const char *s, const dname *d, const char *low, bool strict)
{
    const char *tld = low + (d->last - d->start);
    size_t tl = d->end - d->last;
    bool upper = false, lower = false;

    for (size_t k = d->last; k < d->end; k++) {
        upper = upper || (s[k] >= 'A' && s[k] <= 'Z');
        lower = lower || (s[k] >= 'a' && s[k] <= 'z');
    }
    if (strict && upper && lower)
        return false; /* "sentence.Next": a missing blank, not a domain */
    if (reserved_tld(tld))
        return true;
    if (!hy__is_tld(tld, tl))
        return false;
    return psl_is_public_suffix2(hy__psl(), low, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) == 0;
}

/* A label of an anti-virus detection name ("Trojan.Win32.Agent.cz"). */
static bool av_label(const char *low, size_t n)
{
    static const char *const av[] = {"win32",  "win64",    "w32",         "w64",  "msil",
                                     "trojan", "hacktool", "behaveslike", "heur", "androidos"};
    for (size_t k = 0; k < sizeof av / sizeof av[0]; k++)
        if (strlen(av[k]) == n && !memcmp(low, av[k], n))
            return true;
    return false;
}

/* Shapes that pass the TLD test but are not host names: a one-letter name
 * under a TLD that short links do not use ("b.ne" from assembly, "f.id"
 * from SQL), a detection name, an upper-case TLD after lower case. */
static bool odd_name(const char *s, const dname *d, const char *low, bool strict)
{
    static const char *const short_ok[] = {"com", "co",  "me", "io", "ly", "gd", "mp",
                                           "net", "org", "ru", "cn", "de", "us", "tk"};
    const char *tld = low + (d->last - d->start);
    bool lower = false, tld_upper = true;

    if (strict && d->nl == 2 && d->first_end - d->start == 1) {
        bool ok = false;
        for (size_t k = 0; k < sizeof short_ok / sizeof short_ok[0] && !ok; k++)
            ok = !strcmp(tld, short_ok[k]);
        if (!ok)
            return true;
    }
    for (size_t k = d->start, b = d->start; k <= d->last; k++) {
        if (k == d->last || s[k] == '.') {
            if (k > b && av_label(low + (b - d->start), k - b))
                return true;
            b = k + 1;
        } else {
            lower = lower || (s[k] >= 'a' && s[k] <= 'z');
        }
    }
    for (size_t k = d->last; k < d->end; k++)
        tld_upper = tld_upper && s[k] >= 'A' && s[k] <= 'Z';
    return strict && tld_upper && lower;
}

/* The dotted name is a domain (see the file comment); strict for a name
 * standing alone, not for a URL host or an e-mail domain. */
static bool name_is_domain(const char *s, const dname *d, char *low, bool strict)
{
    if (d->bad || d->nl < 2 || d->numeric)
        return false;
    lower_copy(low, s + d->start, d->end - d->start);
    return tld_ok(s, d, low, strict) && !odd_name(s, d, low, strict);
}

/* Parses and validates a host name s[i..lim) of a URL or an e-mail address
 * as a domain (or "localhost"); its end, or 0. */
static size_t host_domain(const hy__scan *sc, size_t i, size_t lim, char *low, size_t *lowlen)
{
    dname d;
    parse_name(sc->s, i, lim, &d);
    if (d.nl == 1 && d.end - i == 9 && !strncasecmp(sc->s + i, "localhost", 9)) {
        lower_copy(low, sc->s + i, 9);
        *lowlen = 9;
        return d.end;
    }
    if (!name_is_domain(sc->s, &d, low, false))
        return 0;
    *lowlen = d.end - i;
    return d.end;
}

/* s[i..j) is a dotted quad: writes its canonical text (no leading zeros). */
static bool ipv4_text(const char *s, size_t i, size_t j, char *out, size_t *outlen)
{
    unsigned v[4], nv = 0, cur = 0, digits = 0;
    for (size_t k = i; k <= j; k++) {
        if (k == j || s[k] == '.') {
            if (!digits || digits > 3 || cur > 255 || nv == 4)
                return false;
            v[nv++] = cur;
            cur = digits = 0;
        } else if (s[k] >= '0' && s[k] <= '9') {
            cur = cur * 10 + (unsigned)(s[k] - '0');
            digits++;
        } else {
            return false;
        }
    }
    if (nv != 4)
        return false;
    int w = snprintf(out, 16, "%u.%u.%u.%u", v[0], v[1], v[2], v[3]);
    *outlen = (size_t)w;
    return true;
}

static bool http_at(const char *s, size_t n, size_t e)
{
    return (e + 7 <= n && !memcmp(s + e, "http://", 7)) ||
           (e + 8 <= n && !memcmp(s + e, "https://", 8));
}

/* Consumes a path, query and fragment from k; returns its end with
 * trailing punctuation, a footnote mark ("[4]") and unbalanced closing
 * brackets trimmed. */
static size_t url_tail(const char *s, size_t n, size_t k)
{
    size_t e = k;
    long paren = 0, square = 0;
    while (e < n && hy__is((unsigned char)s[e], HY__C_URL)) {
        if (s[e] == 'h' && e > k && hy__is((unsigned char)s[e - 1], HY__C_ALNUM) &&
            http_at(s, n, e))
            break; /* "...scanninghttps://next": two URLs run together */
        paren += s[e] == '(' ? 1 : s[e] == ')' ? -1 : 0;
        square += s[e] == '[' ? 1 : s[e] == ']' ? -1 : 0;
        e++;
    }
    while (e > k) {
        char c = s[e - 1];
        size_t f = e - 1;
        if (c == ']' && f > k) { /* a footnote mark "[4]" */
            while (f > k && hy__is((unsigned char)s[f - 1], HY__C_DIGIT) && e - f < 5)
                f--;
            if (f < e - 1 && f > k && s[f - 1] == '[') {
                e = f - 1;
                square = 0;
                continue;
            }
        }
        if (strchr(".,;:!?'*([", c))
            e--;
        else if (c == ')' && paren < 0)
            e--, paren++;
        else if (c == ']' && square < 0)
            e--, square++;
        else
            break;
    }
    return e;
}

/* A port (":1".."65535") at k; its end, or k. */
static size_t port_end(const char *s, size_t n, size_t k)
{
    size_t e = k + 1;
    unsigned long v = 0;
    if (k >= n || s[k] != ':')
        return k;
    while (e < n && e - k <= 5 && s[e] >= '0' && s[e] <= '9')
        v = v * 10 + (unsigned long)(s[e++] - '0');
    if (e == k + 1 || v == 0 || v > 65535 || is_c(s, e, n, HY__C_ALNUM))
        return k;
    return e;
}

/* After a host written without a scheme: its port and path belong to it. */
static size_t host_tail(const char *s, size_t n, size_t e)
{
    e = port_end(s, n, e);
    if (e < n && s[e] == '/')
        e = url_tail(s, n, e);
    return e;
}

/* ---- dotted names: IPv4, CIDR, domain, file name ------------------------- */

static size_t emit_ipv4(hy__scan *sc, const dname *d)
{
    const char *s = sc->s;
    size_t n = sc->n, e = d->end, vl;
    char v[24];

    if (!ipv4_text(s, d->start, d->end, v, &vl))
        return d->end;
    if (e + 1 < n && s[e] == '/' && is_c(s, e + 1, n, HY__C_DIGIT)) {
        size_t k = e + 1;
        unsigned len = 0;
        while (k < n && k - e <= 2 && s[k] >= '0' && s[k] <= '9')
            len = len * 10 + (unsigned)(s[k++] - '0');
        if (len <= 32 && !is_c(s, k, n, HY__C_ALNUM) &&
            !(k + 1 < n && s[k] == '.' && is_c(s, k + 1, n, HY__C_DIGIT))) {
            vl += (size_t)snprintf(v + vl, sizeof v - vl, "/%u", len);
            hy__emit(sc, HY_IOC_IPV4_CIDR, d->start, k, v, vl);
            return host_tail(s, n, k);
        }
    }
    hy__emit(sc, HY_IOC_IPV4, d->start, e, v, vl);
    return host_tail(s, n, e);
}

/* Names of web technologies that end in ".js" but are not files. */
static bool js_tech(const char *s, size_t n)
{
    static const char *const t[] = {"node",   "vue",     "react",   "next",   "nuxt",     "three",
                                    "d3",     "express", "angular", "ember",  "backbone", "chart",
                                    "moment", "socket",  "p5",      "alpine", "nest",     "deno"};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strlen(t[k]) == n && !strncasecmp(s, t[k], n))
            return true;
    return false;
}

/* Whether a name ending in an extension-like TLD has evidence of being
 * a host (see the file comment). */
static bool host_evidence(hy__scan *sc, const dname *d, const char *low)
{
    const char *s = sc->s;
    size_t e = d->end;
    if (!strncmp(low, "www.", 4))
        return true;
    if (e < sc->n && (s[e] == '/' || (s[e] == ':' && is_c(s, e + 1, sc->n, HY__C_DIGIT))))
        return true;
    return sc->defanged && sc->defanged(sc->ud, d->start, d->end);
}

static bool ext_needs_evidence(const char *tld)
{
    static const char *const t[] = {"zip", "mov", "md", "one", "app", "java", "sh", "py", "so"};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (!strcmp(tld, t[k]))
            return true;
    return false;
}

static void emit_filename(hy__scan *sc, const dname *d)
{
    const char *s = sc->s;
    size_t bl = d->last - 1 - d->start;
    if (d->end - d->start > 255 || (d->end - d->last == 2 && !strncasecmp(s + d->last, "js", 2) &&
                                    d->nl == 2 && js_tech(s + d->start, bl)))
        return;
    hy__emit(sc, HY_IOC_FILENAME, d->start, d->end, s + d->start, d->end - d->start);
}

/* Hashes among the alphanumeric runs of a name that is no domain. */
static void name_hashes(hy__scan *sc, const dname *d)
{
    for (size_t k = d->start; k < d->end;) {
        size_t e = k;
        while (e < d->end && hy__is((unsigned char)sc->s[e], HY__C_ALNUM))
            e++;
        if (e - k >= 32)
            hy__emit_hash(sc, k, e);
        k = e + 1;
    }
}

/* A dotted name: an IPv4 address or CIDR block, a domain, a file name, or
 * nothing. A name right after a '\\' (a path component) or before a '('
 * (a method call, "f_in.read(") is never a domain. */
size_t hy__scan_dotted(hy__scan *sc, size_t i)
{
    const char *s = sc->s;
    char low[NAME_MAX_LEN + 1];
    dname d;

    parse_name(s, i, sc->n, &d);
    if (d.nl < 2)
        return 0;
    if (d.end < sc->n && s[d.end] == '@')
        return d.end; /* an e-mail local part */
    if (d.numeric)
        return d.nl == 4 ? emit_ipv4(sc, &d) : d.end;
    bool code = (i > 0 && s[i - 1] == '\\') || (d.end < sc->n && s[d.end] == '(');
    if (!code && name_is_domain(s, &d, low, true)) {
        const char *tld = low + (d.last - d.start);
        if (!ext_needs_evidence(tld) || host_evidence(sc, &d, low)) {
            hy__emit(sc, HY_IOC_DOMAIN, d.start, d.end, low, d.end - d.start);
            return host_tail(s, sc->n, d.end);
        }
    }
    if (hy__exec_ext(s, d.start, d.end))
        emit_filename(sc, &d);
    name_hashes(sc, &d); /* "<sha256>.bin", "sample_<md5>.exe" */
    return d.end;
}

/* ---- URLs and e-mail -------------------------------------------------------- */

typedef struct host {
    hy_ioc_type type; /* HY_IOC__COUNT: no indicator (empty or single label) */
    char text[NAME_MAX_LEN + 3];
    size_t len, start, end;
} host;

static size_t ipv6_parse(const char *s, size_t i, size_t lim, uint8_t a[16], char *txt);

static size_t count_colons(const char *s, size_t i, size_t j)
{
    size_t c = 0;
    for (size_t k = i; k < j && c < 2; k++)
        c += s[k] == ':';
    return c;
}

/* The host of a URL at s[h..ae) (ae: end of the authority). */
static bool url_host(const hy__scan *sc, size_t h, size_t ae, host *out)
{
    const char *s = sc->s;
    uint8_t a[16];
    char t[64];
    size_t e;
    dname d;

    out->start = h;
    out->type = HY_IOC__COUNT;
    if (h < ae && s[h] == '[') {
        if (!(e = ipv6_parse(s, h + 1, ae, a, t)) || e >= ae || s[e] != ']')
            return false;
        out->len = (size_t)snprintf(out->text, sizeof out->text, "[%s]", t);
        out->type = HY_IOC_IPV6;
        out->end = e + 1;
        return true;
    }
    if (count_colons(s, h, ae) >= 2 && (e = ipv6_parse(s, h, ae, a, t)) == ae) {
        out->len = (size_t)snprintf(out->text, sizeof out->text, "[%s]", t);
        out->type = HY_IOC_IPV6;
        out->end = e;
        return true;
    }
    parse_name(s, h, ae, &d);
    if (d.numeric && d.nl == 4 && ipv4_text(s, h, d.end, out->text, &out->len)) {
        out->type = HY_IOC_IPV4;
        out->end = d.end;
        return true;
    }
    if ((e = host_domain(sc, h, ae, out->text, &out->len))) {
        out->type = d.nl > 1 ? HY_IOC_DOMAIN : HY_IOC__COUNT;
        out->end = e;
        return true;
    }
    return false;
}

/* A long scheme is text run together with a URL ("techniquet1078https"):
 * the start of the well-known scheme it ends with, or 0. */
static size_t known_scheme_suffix(const char *s, size_t i, size_t k)
{
    static const char *const sch[] = {"https", "http", "hxxps", "hxxp", "sftp", "ftps", "ftp"};
    for (size_t t = 0; t < sizeof sch / sizeof sch[0]; t++) {
        size_t l = strlen(sch[t]);
        if (k - i > l && !strncasecmp(s + k - l, sch[t], l))
            return k - l;
    }
    return 0;
}

size_t hy__scan_url(hy__scan *sc, size_t i)
{
    const char *s = sc->s;
    size_t n = sc->n, k = i, a, ae, h, e, vl;
    char v[HY_IOC_MAX_VALUE + 1];
    host hs;

    while (k < n && k - i < 40 &&
           (is_c(s, k, n, HY__C_ALNUM) || s[k] == '+' || s[k] == '-' || s[k] == '.'))
        k++;
    if (!is_c(s, i, n, HY__C_ALPHA) || k + 3 > n || memcmp(s + k, "://", 3))
        return 0;
    if (k - i > 10 && !(i = known_scheme_suffix(s, i, k)))
        return 0;
    a = k + 3;
    for (ae = a; ae < n && hy__is((unsigned char)s[ae], HY__C_URL) && !strchr("/?#", s[ae]); ae++)
        ;
    h = a;
    for (size_t m = a; m < ae && m - a < 256; m++)
        if (s[m] == '@')
            h = m + 1; /* user information before the last '@' */
    if (h == ae && k - i == 4 && !strncasecmp(s + i, "file", 4)) {
        hs = (host){.type = HY_IOC__COUNT, .start = h, .end = h};
    } else if (!url_host(sc, h, ae, &hs)) {
        return 0;
    }
    e = port_end(s, n, hs.end);
    if (e < n && strchr("/?#", s[e]) && s[e])
        e = url_tail(s, n, e);
    vl = 0;
    if ((hs.start - i) + hs.len + (e - hs.end) <= HY_IOC_MAX_VALUE) {
        lower_copy(v, s + i, k - i);
        memcpy(v + (k - i), s + k, hs.start - k);
        vl = hs.start - i;
        memcpy(v + vl, hs.text, hs.len);
        vl += hs.len;
        memcpy(v + vl, s + hs.end, e - hs.end);
        vl += e - hs.end;
        hy__emit(sc, HY_IOC_URL, i, e, v, vl);
    }
    if (hs.type != HY_IOC__COUNT) {
        size_t off = hs.type == HY_IOC_IPV6 ? 1 : 0; /* drop the brackets */
        hy__emit(sc, hs.type, hs.start, hs.end, hs.text + off, hs.len - 2 * off);
    }
    return e;
}

size_t hy__scan_email(hy__scan *sc, size_t at)
{
    const char *s = sc->s;
    char v[64 + 1 + NAME_MAX_LEN + 1], low[NAME_MAX_LEN + 1];
    size_t b = at, e, ll;

    while (b > 0 && at - b <= 64 && hy__is((unsigned char)s[b - 1], HY__C_LOCAL))
        b--;
    if (at - b > 64)
        return 0;
    while (b < at && !hy__is((unsigned char)s[b], HY__C_ALNUM))
        b++;
    if (b == at || s[at - 1] == '.')
        return 0;
    if (!(e = host_domain(sc, at + 1, sc->n, low, &ll)) || !memchr(low, '.', ll))
        return 0;
    memcpy(v, s + b, at - b);
    v[at - b] = '@';
    memcpy(v + (at - b) + 1, low, ll);
    hy__emit(sc, HY_IOC_EMAIL, b, e, v, (at - b) + 1 + ll);
    hy__emit(sc, HY_IOC_DOMAIN, at + 1, e, low, ll);
    return e;
}

/* ---- IPv6 and MAC ----------------------------------------------------------- */

/* The longest IPv6 literal at s[i..lim) (a trailing '.' or ':' dropped):
 * its end (0 if none), its 16 bytes and canonical text. */
static size_t ipv6_parse(const char *s, size_t i, size_t lim, uint8_t a[16], char *txt)
{
    char buf[48];
    size_t k = i;
    while (k < lim && k - i < 45 && (is_c(s, k, lim, HY__C_HEX) || s[k] == ':' || s[k] == '.'))
        k++;
    if (k - i == 45 && k < lim && (is_c(s, k, lim, HY__C_HEX) || s[k] == ':'))
        return 0;
    for (int t = 0; t < 3 && k > i + 1; t++) {
        memcpy(buf, s + i, k - i);
        buf[k - i] = '\0';
        if (inet_pton(AF_INET6, buf, a) == 1) {
            inet_ntop(AF_INET6, a, txt, 46);
            return k;
        }
        if (s[k - 1] != '.' && s[k - 1] != ':')
            break;
        k--;
    }
    return 0;
}

/* An IPv6 literal that prose rarely produces by accident: some group of
 * two or more digits (or a leading "::"), and hex letters of one case. */
static bool ipv6_plausible(const char *s, size_t i, size_t e)
{
    bool upper = false, lower = false, group2 = e - i > 2 && s[i] == ':' && s[i + 1] == ':';
    size_t run = 0;
    for (size_t k = i; k < e; k++) {
        char c = s[k];
        upper = upper || (c >= 'A' && c <= 'F');
        lower = lower || (c >= 'a' && c <= 'f');
        run = (c == ':' || c == '.') ? 0 : run + 1;
        group2 = group2 || run >= 2;
    }
    return group2 && !(upper && lower);
}

size_t hy__scan_ipv6(hy__scan *sc, size_t i)
{
    const char *s = sc->s;
    size_t n = sc->n, e;
    uint8_t a[16];
    char t[64];

    if (i > 0 && (s[i - 1] == ':' || s[i - 1] == '.'))
        return 0;
    if (!(e = ipv6_parse(s, i, n, a, t)) || is_c(s, e, n, HY__C_ALNUM) || !ipv6_plausible(s, i, e))
        return 0;
    hy__emit(sc, HY_IOC_IPV6, i, e, t, strlen(t));
    if (e + 1 < n && s[e] == '/' && is_c(s, e + 1, n, HY__C_DIGIT)) {
        size_t k = e + 1;
        while (k < n && k - e <= 3 && is_c(s, k, n, HY__C_DIGIT))
            k++;
        if (!is_c(s, k, n, HY__C_ALNUM))
            e = k; /* a prefix length: part of the text, not of the value */
    }
    return e;
}

size_t hy__scan_mac(hy__scan *sc, size_t i)
{
    const char *s = sc->s;
    size_t n = sc->n, e = i + 17;
    char sep, v[18];

    if (e > n)
        return 0;
    sep = s[i + 2];
    if (sep != ':' && sep != '-')
        return 0;
    if (i >= 2 && s[i - 1] == sep && is_c(s, i - 2, n, HY__C_HEX))
        return 0;
    for (size_t g = 0; g < 6; g++) {
        size_t p = i + 3 * g;
        if (!is_c(s, p, n, HY__C_HEX) || !is_c(s, p + 1, n, HY__C_HEX) ||
            (g < 5 && s[p + 2] != sep))
            return 0;
        lower_copy(v + 3 * g, s + p, 2);
        v[3 * g + 2] = ':';
    }
    if (is_c(s, e, n, HY__C_ALNUM) || (e + 1 < n && s[e] == sep && is_c(s, e + 1, n, HY__C_HEX)))
        return 0;
    hy__emit(sc, HY_IOC_MAC, i, e, v, 17);
    return e;
}
