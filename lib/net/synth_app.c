/* Traffic generator: application payloads carried by TCP messages. Each
 * message is a structured prefix (HTTP header, TLS hello, SSH banner) that
 * is regenerated from a per-message seed when its first segment is written,
 * followed by filler: random bytes, or TLS application-data records framed
 * consistently across segments. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "net/synth_int.h"

#define TLS_REC    16401u /* body of a full TLS 1.3 record: 16384 + type + tag */
#define PREFIX_MAX 1024u

static const char *const syllables[32] = {"ka",  "lo",  "mi",  "net", "ra",  "su",  "to",  "vi",
                                          "zen", "qu",  "dex", "ly",  "mo",  "pi",  "sha", "tek",
                                          "ur",  "wa",  "xo",  "yu",  "cor", "fin", "gal", "hub",
                                          "ion", "jet", "kin", "lux", "nov", "opt", "pix", "rex"};
static const char *const tlds[10] = {"com", "com", "com", "net",   "org",
                                     "io",  "jp",  "de",  "co.uk", "dev"};
static const char *const prefixes[8] = {"www.", "api.", "cdn.", "static.", "mail.", "", "", "www."};

size_t hy__synth_server_name(const hy__synth *g, uint32_t s, char *out, size_t cap)
{
    uint64_t h = hy__mix64(hy__synth_server_hash(g, s) ^ 0x6e616d65ull);
    char word[32];
    size_t w = 0;
    unsigned nsyl = 2 + (unsigned)((h >> 3) & 1);

    for (unsigned i = 0; i < nsyl; i++) {
        const char *sy = syllables[(h >> (4 + 5 * i)) & 31];
        size_t l = strlen(sy);
        memcpy(word + w, sy, l);
        w += l;
    }
    word[w] = '\0';
    int n = snprintf(out, cap, "%s%s.%s", prefixes[h & 7], word, tlds[(h >> 20) % 10]);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* ---- HTTP */

static const char *user_agent(uint8_t os)
{
    switch (os) {
    case HY__OS_WINDOWS:
        return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
               "Gecko) Chrome/120.0.0.0 Safari/537.36";
    case HY__OS_MAC:
        return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
               "like Gecko) Version/17.2 Safari/605.1.15";
    default:
        return "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    }
}

static void http_path(hy__rng *r, char *out, size_t cap)
{
    switch (hy__rng_below(r, 6)) {
    case 0:
        snprintf(out, cap, "/");
        break;
    case 1:
        snprintf(out, cap, "/index.html");
        break;
    case 2:
        snprintf(out, cap, "/api/v1/items/%u", hy__rng_below(r, 100000));
        break;
    case 3:
        snprintf(out, cap, "/static/js/app.%08x.js", (uint32_t)hy__rng_next(r));
        break;
    case 4:
        snprintf(out, cap, "/images/%u.jpg", hy__rng_below(r, 5000));
        break;
    default:
        snprintf(out, cap, "/search?q=%s%s", syllables[hy__rng_below(r, 32)],
                 syllables[hy__rng_below(r, 32)]);
        break;
    }
}

/* The HTTP header of message m (body length m->aux) into out; its length. */
static size_t http_header(const hy__synth *g, const hy__flow *f, const hy__msg *m, char *out)
{
    hy__rng r;
    char host[96], path[64];
    int n;

    hy__rng_seed(&r, m->seed);
    hy__synth_server_name(g, f->server, host, sizeof host);
    if (f->dport != 80)
        snprintf(host + strlen(host), sizeof host - strlen(host), ":%u", f->dport);
    if (m->kind == HY__MSG_HTTP_RESP) {
        /* Bodies are random bytes: types whose dissectors would call them malformed are avoided. */
        static const char *const types[4] = {"text/html; charset=utf-8", "application/octet-stream",
                                             "application/wasm", "text/plain"};
        static const char *const servers[3] = {"nginx/1.22.1", "Apache/2.4.57 (Debian)",
                                               "cloudflare"};
        char date[40];
        time_t t = (time_t)m->secs;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        bool nf = hy__rng_pct(&r, 4);
        n = snprintf(out, PREFIX_MAX,
                     "HTTP/1.1 %s\r\nServer: %s\r\nDate: %s\r\nContent-Type: %s\r\n"
                     "Content-Length: %u\r\nConnection: keep-alive\r\n\r\n",
                     nf ? "404 Not Found" : "200 OK", servers[hy__rng_below(&r, 3)], date,
                     types[nf ? 0 : hy__rng_below(&r, 4)], m->aux);
    } else if (m->kind == HY__MSG_HTTP_POST) {
        n = snprintf(out, PREFIX_MAX,
                     "POST /api/v1/upload HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                     "Accept: */*\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: %u\r\n\r\n",
                     host, user_agent(f->os[0]), m->aux);
    } else {
        http_path(&r, path, sizeof path);
        n = snprintf(out, PREFIX_MAX,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
                     "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n",
                     path, host, user_agent(f->os[0]));
    }
    return n < 0 ? 0 : (size_t)n;
}

static uint32_t digits(uint32_t v)
{
    uint32_t d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

/* Sizes an HTTP message with a body to total bytes: header plus a body whose
 * Content-Length is exact. The header grows with the digits of the length. */
static void http_size(const hy__synth *g, const hy__flow *f, hy__msg *m, uint32_t total)
{
    char tmp[PREFIX_MAX];
    m->aux = 0;
    uint32_t fixed = (uint32_t)http_header(g, f, m, tmp) - 1; /* without the "0" */
    if (total < fixed + 1)
        total = fixed + 1;
    m->aux = 0;
    for (uint32_t d = 1; d <= 10; d++) {
        if (total >= fixed + d && digits(total - fixed - d) == d) {
            m->aux = total - fixed - d;
            break;
        }
    }
    m->pre = (uint16_t)(fixed + digits(m->aux));
    m->len = m->pre + m->aux;
}

/* ---- SSH */

static size_t ssh_banner(const hy__synth *g, const hy__flow *f, int dir, char *out)
{
    static const char *const srv[3] = {"OpenSSH_8.9p1 Ubuntu-3ubuntu0.10",
                                       "OpenSSH_9.2p1 Debian-2+deb12u3", "OpenSSH_7.4"};
    const char *v;
    if (dir)
        v = srv[hy__synth_server_hash(g, f->server) % 3];
    else
        v = f->os[0] == HY__OS_WINDOWS ? "PuTTY_Release_0.81"
            : f->os[0] == HY__OS_MAC   ? "OpenSSH_9.6"
                                       : "OpenSSH_9.2p1 Debian-2+deb12u3";
    int n = snprintf(out, PREFIX_MAX, "SSH-2.0-%s\r\n", v);
    return n < 0 ? 0 : (size_t)n;
}

/* ---- planning and filling */

static size_t prefix(const hy__synth *g, const hy__flow *f, int dir, const hy__msg *m, uint8_t *out)
{
    switch (m->kind) {
    case HY__MSG_HTTP_REQ:
    case HY__MSG_HTTP_POST:
    case HY__MSG_HTTP_RESP:
        return http_header(g, f, m, (char *)out);
    case HY__MSG_TLS_CH:
        return hy__synth_tls_client_hello(g, f, m->seed, out);
    case HY__MSG_TLS_SH:
        return hy__synth_tls_server_hello(g, f, m->seed, out);
    case HY__MSG_SSH_BANNER:
        return ssh_banner(g, f, dir, (char *)out);
    default:
        return 0;
    }
}

/* Keeps the last TLS record non-empty: a tail of 1..5 bytes past a record
 * boundary would be a bare header. */
static void tls_frame_fix(hy__msg *m, uint32_t nseg, uint32_t mss)
{
    uint32_t rs = TLS_REC + 5, r = (m->len - m->pre) % rs;
    if (r < 1 || r > 5)
        return;
    uint32_t tail = m->len - (nseg - 1) * mss;
    if (tail > r)
        m->len -= r;
    else
        m->len += 6 - r;
}

void hy__synth_msg_plan(hy__synth *g, hy__flow *f, int dir, uint8_t kind, uint32_t nseg,
                        uint32_t mss)
{
    hy__msg *m = &f->msg[dir];
    uint8_t tmp[PREFIX_MAX];

    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->seed = hy__rng_next(&g->rng);
    m->secs = (uint32_t)(f->t / 1000000000u);
    if (!nseg)
        return;
    uint32_t tail = dir == 0 && nseg == 1 ? hy__rng_range(&g->rng, 40, mss < 900 ? mss : 900)
                                          : hy__rng_range(&g->rng, 1, mss);
    uint32_t base = (nseg - 1) * mss + tail;
    switch (kind) {
    case HY__MSG_HTTP_REQ:
    case HY__MSG_TLS_CH: /* always one segment */
        m->len = m->pre = (uint16_t)prefix(g, f, dir, m, tmp);
        break;
    case HY__MSG_HTTP_POST:
    case HY__MSG_HTTP_RESP:
        http_size(g, f, m, base);
        break;
    case HY__MSG_SSH_BANNER:
    case HY__MSG_TLS_SH:
        m->pre = (uint16_t)prefix(g, f, dir, m, tmp);
        m->len = base > m->pre ? base : m->pre;
        if (kind == HY__MSG_TLS_SH)
            tls_frame_fix(m, nseg, mss);
        break;
    case HY__MSG_TLS_APP:
        m->len = base > 22 ? base : 22;
        tls_frame_fix(m, nseg, mss);
        break;
    default:
        m->len = base;
        break;
    }
}

/* Application-data records over [pos, pos+n) of the framed region; returns
 * the checksum sum of what it wrote starting at offset at of the segment. */
static uint64_t tls_records(hy__synth *g, const hy__msg *m, uint8_t *out, uint32_t pos, uint32_t n,
                            size_t at)
{
    uint32_t rs = TLS_REC + 5, region = m->len - m->pre;
    uint64_t sum = 0;
    while (n) {
        uint32_t q = pos - m->pre, j = q / rs, w = q % rs, k;
        if (w < 5) {
            uint32_t body = region - j * rs - 5;
            if (body > TLS_REC)
                body = TLS_REC;
            uint8_t h[5] = {0x17, 3, 3, (uint8_t)(body >> 8), (uint8_t)body};
            k = 5 - w < n ? 5 - w : n;
            memcpy(out, h + w, k);
            sum = hy__synth_csum_piece(sum, hy__synth_csum_add(0, out, k), at);
        } else {
            k = rs - w < n ? rs - w : n;
            sum = hy__synth_csum_piece(sum, hy__synth_random_fill(g, out, k), at);
        }
        out += k;
        pos += k;
        n -= k;
        at += k;
    }
    return sum;
}

uint64_t hy__synth_msg_fill(hy__synth *g, hy__flow *f, int dir, uint8_t *out, uint32_t n)
{
    hy__msg *m = &f->msg[dir];
    uint32_t pos = m->off;
    uint64_t sum = 0;
    size_t at = 0;

    if (pos < m->pre) {
        uint8_t tmp[PREFIX_MAX];
        prefix(g, f, dir, m, tmp);
        uint32_t k = m->pre - pos < n ? m->pre - pos : n;
        memcpy(out, tmp + pos, k);
        sum = hy__synth_csum_add(0, out, k);
        at = k;
        pos += k;
        n -= k;
    }
    if (n) {
        if (m->kind == HY__MSG_TLS_SH || m->kind == HY__MSG_TLS_APP)
            sum = hy__synth_csum_piece(sum, tls_records(g, m, out + at, pos, n, 0), at);
        else
            sum = hy__synth_csum_piece(sum, hy__synth_random_fill(g, out + at, n), at);
        pos += n;
    }
    m->off = pos;
    return sum;
}
