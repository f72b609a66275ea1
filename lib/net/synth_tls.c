/* Traffic generator: TLS 1.3 hellos (RFC 8446 layout). Clients follow one
 * of three profiles modelled on common stacks (a Chromium-like one with
 * GREASE and padding, a Firefox-like one, an OpenSSL/curl-like one), so JA3
 * and JA4 fingerprints vary realistically; servers answer with a ServerHello
 * and a ChangeCipherSpec record. */
#include <string.h>

#include "net/synth_int.h"

enum { P_CHROME = 0, P_FIREFOX, P_CURL };

typedef struct profile {
    const uint16_t *ciphers, *exts, *groups, *sigalgs, *versions;
    uint8_t n_ciphers, n_exts, n_groups, n_sigalgs, n_versions;
    bool grease, p256_share;
} profile;

#define GREASE 0x0a0a /* placeholder: replaced by a random GREASE value */
#define N(a)   (uint8_t)(sizeof(a) / sizeof((a)[0]))

static const uint16_t chrome_ciphers[] = {GREASE, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f,
                                          0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                                          0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t chrome_exts[] = {GREASE, 0x0000, 0x0017, 0xff01, 0x000a, 0x000b,
                                       0x0023, 0x0010, 0x0005, 0x000d, 0x0012, 0x0033,
                                       0x002d, 0x002b, 0x001b, GREASE, 0x0015};
static const uint16_t chrome_groups[] = {GREASE, 0x001d, 0x0017, 0x0018};
static const uint16_t chrome_sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0503,
                                          0x0805, 0x0501, 0x0806, 0x0601};
static const uint16_t chrome_versions[] = {GREASE, 0x0304, 0x0303};

static const uint16_t firefox_ciphers[] = {0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9,
                                           0xcca8, 0xc02c, 0xc030, 0xc00a, 0xc009, 0xc013,
                                           0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const uint16_t firefox_exts[] = {0x0000, 0x0017, 0xff01, 0x000a, 0x000b, 0x0023, 0x0010,
                                        0x0005, 0x0022, 0x0033, 0x002b, 0x000d, 0x002d, 0x001c};
static const uint16_t firefox_groups[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101};
static const uint16_t firefox_sigalgs[] = {0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806,
                                           0x0401, 0x0501, 0x0601, 0x0203, 0x0201};
static const uint16_t firefox_versions[] = {0x0304, 0x0303};

static const uint16_t curl_ciphers[] = {
    0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f,
    0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009,
    0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff};
static const uint16_t curl_exts[] = {0x0000, 0x000b, 0x000a, 0x0023, 0x0010, 0x0016,
                                     0x0017, 0x0031, 0x000d, 0x002b, 0x002d, 0x0033};
static const uint16_t curl_groups[] = {0x001d, 0x0017, 0x001e, 0x0019, 0x0018};
static const uint16_t curl_sigalgs[] = {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a,
                                        0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601};
static const uint16_t curl_versions[] = {0x0304, 0x0303};

static const profile profiles[3] = {
    {chrome_ciphers, chrome_exts, chrome_groups, chrome_sigalgs, chrome_versions, N(chrome_ciphers),
     N(chrome_exts), N(chrome_groups), N(chrome_sigalgs), N(chrome_versions), true, false},
    {firefox_ciphers, firefox_exts, firefox_groups, firefox_sigalgs, firefox_versions,
     N(firefox_ciphers), N(firefox_exts), N(firefox_groups), N(firefox_sigalgs),
     N(firefox_versions), false, true},
    {curl_ciphers, curl_exts, curl_groups, curl_sigalgs, curl_versions, N(curl_ciphers),
     N(curl_exts), N(curl_groups), N(curl_sigalgs), N(curl_versions), false, false},
};

typedef struct bw {
    uint8_t *p;
    hy__rng r;
    uint16_t grease[4]; /* ciphers, extensions, groups/shares, versions */
} bw;

static void put8(bw *w, uint8_t v)
{
    *w->p++ = v;
}

static void put16(bw *w, uint16_t v)
{
    hy__wr16(w->p, v);
    w->p += 2;
}

static void put_rand(bw *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *w->p++ = (uint8_t)(hy__rng_next(&w->r) >> 56);
}

/* Writes a 16-bit list of values, GREASE placeholders replaced by g. */
static void put_list16(bw *w, const uint16_t *v, uint8_t n, uint16_t g)
{
    for (uint8_t i = 0; i < n; i++)
        put16(w, v[i] == GREASE ? g : v[i]);
}

/* Remembers where a length goes; len_end fills it with the bytes since. */
static uint8_t *len_mark(bw *w, size_t width)
{
    uint8_t *at = w->p;
    w->p += width;
    return at;
}

static void len_end(bw *w, uint8_t *at, size_t width)
{
    size_t n = (size_t)(w->p - at) - width;
    if (width == 3)
        *at++ = (uint8_t)(n >> 16);
    if (width >= 2)
        *at++ = (uint8_t)(n >> 8);
    *at = (uint8_t)n;
}

/* Legacy session id shared by a flow's ClientHello and ServerHello. */
static void session_id(const hy__synth *g, const hy__flow *f, uint8_t out[32])
{
    uint64_t x = g->cfg.seed ^ ((uint64_t)f->id << 20) ^ 0x5e55;
    for (int i = 0; i < 4; i++) {
        uint64_t v = hy__splitmix64(&x);
        memcpy(out + 8 * i, &v, 8);
    }
}

static void ext_body(bw *w, const hy__synth *g, const hy__flow *f, const profile *pr, uint16_t id)
{
    uint8_t *l, *l2;
    switch (id) {
    case 0x0000: { /* server_name */
        char name[96];
        size_t n = hy__synth_server_name(g, f->server, name, sizeof name);
        l = len_mark(w, 2);
        put8(w, 0);
        put16(w, (uint16_t)n);
        memcpy(w->p, name, n);
        w->p += n;
        len_end(w, l, 2);
        break;
    }
    case 0x000a: /* supported_groups */
        l = len_mark(w, 2);
        put_list16(w, pr->groups, pr->n_groups, w->grease[2]);
        len_end(w, l, 2);
        break;
    case 0x000b: /* ec_point_formats */
        if (pr == &profiles[P_CURL]) {
            put8(w, 3), put8(w, 0), put8(w, 1), put8(w, 2);
        } else {
            put8(w, 1), put8(w, 0);
        }
        break;
    case 0x000d: /* signature_algorithms */
        l = len_mark(w, 2);
        put_list16(w, pr->sigalgs, pr->n_sigalgs, 0);
        len_end(w, l, 2);
        break;
    case 0x0010: /* ALPN: h2, http/1.1 */
        l = len_mark(w, 2);
        put8(w, 2);
        memcpy(w->p, "h2", 2), w->p += 2;
        put8(w, 8);
        memcpy(w->p, "http/1.1", 8), w->p += 8;
        len_end(w, l, 2);
        break;
    case 0x0005: /* status_request: OCSP, no responders or extensions */
        put8(w, 1), put16(w, 0), put16(w, 0);
        break;
    case 0x001b: /* compress_certificate: brotli */
        put8(w, 2), put16(w, 2);
        break;
    case 0x001c: /* record_size_limit */
        put16(w, 0x4001);
        break;
    case 0x0022: /* delegated_credentials */
        put16(w, 8), put16(w, 0x0403), put16(w, 0x0503), put16(w, 0x0603), put16(w, 0x0203);
        break;
    case 0x002b: /* supported_versions */
        put8(w, (uint8_t)(2 * pr->n_versions));
        put_list16(w, pr->versions, pr->n_versions, w->grease[3]);
        break;
    case 0x002d: /* psk_key_exchange_modes: psk_dhe_ke */
        put8(w, 1), put8(w, 1);
        break;
    case 0x0033: /* key_share */
        l2 = len_mark(w, 2);
        if (pr->grease)
            put16(w, w->grease[2]), put16(w, 1), put8(w, 0);
        put16(w, 0x001d), put16(w, 32), put_rand(w, 32);
        if (pr->p256_share)
            put16(w, 0x0017), put16(w, 65), put8(w, 4), put_rand(w, 64);
        len_end(w, l2, 2);
        break;
    case 0xff01: /* renegotiation_info: empty */
        put8(w, 0);
        break;
    default: /* empty-bodied: extended_master_secret, session_ticket, SCT, ETM, PHA */
        break;
    }
}

size_t hy__synth_tls_client_hello(const hy__synth *g, const hy__flow *f, uint64_t seed,
                                  uint8_t *out)
{
    bw w = {.p = out};
    uint8_t sid[32], *rec, *hs, *exts;
    int greases = 0;

    hy__rng_seed(&w.r, seed);
    unsigned u = hy__rng_below(&w.r, 100);
    const profile *pr = &profiles[f->os[0] == HY__OS_WINDOWS ? (u < 80 ? P_CHROME : P_FIREFOX)
                                  : u < 50                   ? P_CHROME
                                  : u < 80                   ? P_FIREFOX
                                                             : P_CURL];
    for (int i = 0; i < 4; i++) /* 0x0a0a, 0x1a1a, ... 0xfafa */
        w.grease[i] = (uint16_t)(0x0a0a + 0x1010 * (hy__rng_below(&w.r, 16)));
    session_id(g, f, sid);

    put8(&w, 0x16), put16(&w, 0x0301);
    rec = len_mark(&w, 2);
    put8(&w, 1);
    hs = len_mark(&w, 3);
    put16(&w, 0x0303);
    put_rand(&w, 32);
    put8(&w, 32);
    memcpy(w.p, sid, 32), w.p += 32;
    put16(&w, (uint16_t)(2 * pr->n_ciphers));
    put_list16(&w, pr->ciphers, pr->n_ciphers, w.grease[0]);
    put8(&w, 1), put8(&w, 0);
    exts = len_mark(&w, 2);
    for (uint8_t i = 0; i < pr->n_exts; i++) {
        uint16_t id = pr->exts[i];
        if (id == 0x0015) { /* padding: BoringSSL pads a 256..511-byte hello to 512 */
            size_t hl = (size_t)(w.p - hs) - 3 + 4;
            size_t pad = hl > 0xff && hl < 0x200 ? 0x200 - hl : 0;
            if (pad) {
                pad = pad >= 5 ? pad - 4 : 1;
                put16(&w, 0x0015), put16(&w, (uint16_t)pad);
                memset(w.p, 0, pad), w.p += pad;
            }
            continue;
        }
        if (id == GREASE) {
            uint16_t gv = greases++ ? (uint16_t)(w.grease[1] ^ 0x1010) : w.grease[1];
            put16(&w, gv);
            put16(&w, greases == 2);
            if (greases == 2)
                put8(&w, 0);
            continue;
        }
        put16(&w, id);
        uint8_t *l = len_mark(&w, 2);
        ext_body(&w, g, f, pr, id);
        len_end(&w, l, 2);
    }
    len_end(&w, exts, 2);
    len_end(&w, hs, 3);
    len_end(&w, rec, 2);
    return (size_t)(w.p - out);
}

size_t hy__synth_tls_server_hello(const hy__synth *g, const hy__flow *f, uint64_t seed,
                                  uint8_t *out)
{
    static const uint16_t suites[3] = {0x1301, 0x1302, 0x1303};
    bw w = {.p = out};
    uint8_t sid[32], *rec, *hs, *exts, *l;
    uint64_t sh = hy__synth_server_hash(g, f->server);
    bool versions_first = (sh >> 40) & 1;

    hy__rng_seed(&w.r, seed);
    session_id(g, f, sid);
    put8(&w, 0x16), put16(&w, 0x0303);
    rec = len_mark(&w, 2);
    put8(&w, 2);
    hs = len_mark(&w, 3);
    put16(&w, 0x0303);
    put_rand(&w, 32);
    put8(&w, 32);
    memcpy(w.p, sid, 32), w.p += 32;
    put16(&w, suites[(sh >> 41) % 3]);
    put8(&w, 0);
    exts = len_mark(&w, 2);
    for (int i = 0; i < 2; i++) {
        if ((i == 0) == versions_first) {
            put16(&w, 0x002b), put16(&w, 2), put16(&w, 0x0304);
        } else {
            put16(&w, 0x0033);
            l = len_mark(&w, 2);
            put16(&w, 0x001d), put16(&w, 32), put_rand(&w, 32);
            len_end(&w, l, 2);
        }
    }
    len_end(&w, exts, 2);
    len_end(&w, hs, 3);
    len_end(&w, rec, 2);
    static const uint8_t ccs[6] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    memcpy(w.p, ccs, sizeof ccs), w.p += sizeof ccs;
    return (size_t)(w.p - out);
}
