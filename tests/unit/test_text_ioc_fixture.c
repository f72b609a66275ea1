/* Per-type precision and recall of IOC extraction on generated prose.
 *
 * A seeded generator writes filler sentences (with look-alikes that must
 * not count: versions, abbreviations, file names of documents, times,
 * UUIDs, detection names, "the dot com era", ...) and embeds indicators of
 * every type, fanged and defanged in the styles analysts use, at sentence
 * ends before '.', in parentheses, quotes, back-ticks, markdown emphasis
 * and links, HTML-ish tags, brackets and bullet lists. The truth is the
 * set of (type, normalised value) pairs each embedded indicator must
 * yield, including the host of a URL, the domain of an e-mail address and
 * the file name ending a path. Every type must reach 0.98 precision and
 * recall over its distinct values. Bitcoin addresses carry real checksums
 * (SHA-256 from OpenSSL here); Monero and EIP-55 use the library's
 * Keccak-256, which test_text_ioc.c checks against published vectors. */
#include "testutil.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/ioc.h"
#include "text/ioc_int.h"

#define ITEMS_PER_TYPE 150

static uint64_t rng = 0x5DEECE66DCAFEull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)((rng >> 11) % n);
}

#define PICK(a) (a)[rnd(sizeof(a) / sizeof((a)[0]))]

/* ---- the truth ---------------------------------------------------------- */

typedef struct tset {
    char **v;
    size_t n, alloc;
} tset;

static void tadd(tset *t, hy_ioc_type type, const char *v)
{
    if (t->n == t->alloc) {
        t->alloc = t->alloc ? t->alloc * 2 : 1024;
        t->v = realloc(t->v, t->alloc * sizeof *t->v);
        assert_non_null(t->v);
    }
    size_t len = strlen(v) + 4;
    t->v[t->n] = malloc(len);
    assert_non_null(t->v[t->n]);
    snprintf(t->v[t->n++], len, "%02d %s", (int)type, v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void tsort(tset *t)
{
    size_t w = 0;
    qsort(t->v, t->n, sizeof *t->v, cmp_str);
    for (size_t i = 0; i < t->n; i++) {
        if (w && !strcmp(t->v[w - 1], t->v[i]))
            free(t->v[i]);
        else
            t->v[w++] = t->v[i];
    }
    t->n = w;
}

static bool thas(const tset *t, const char *key)
{
    return bsearch(&key, t->v, t->n, sizeof *t->v, cmp_str) != NULL;
}

static void tfree(tset *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
}

/* ---- pieces ------------------------------------------------------------------ */

static void word(char *out, size_t lo, size_t hi)
{
    static const char a[] = "abcdefghijklmnopqrstuvwxyz",
                      an[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t n = lo + rnd((uint32_t)(hi - lo + 1));
    out[0] = a[rnd(26)];
    for (size_t i = 1; i < n; i++)
        out[i] = an[rnd(36)];
    out[n] = '\0';
}

static void hexs(char *out, size_t n, bool upper)
{
    const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (size_t i = 0; i < n; i++)
        out[i] = d[rnd(16)];
    out[n] = '\0';
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s |= 0x20;
}

/* in with its dots defanged: every dot, or only the last one. */
static void defang_dots(const char *in, char *out, bool all)
{
    static const char *const style[] = {"[.]", "(.)", "{.}", "[dot]", "(dot)", "[ . ]", "[.]"};
    const char *st = PICK(style), *last = strrchr(in, '.');
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '.' && (all || p == last)) {
            strcpy(out + o, st);
            o += strlen(st);
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

static void domain(char *v)
{
    static const char *const tld[] = {"com",    "net", "org", "ru",  "info",   "xyz",  "top",
                                      "io",     "cn",  "de",  "biz", "online", "site", "co.uk",
                                      "com.br", "in",  "fr",  "su",  "cc",     "pw"};
    char w[16];
    v[0] = '\0';
    for (uint32_t s = rnd(3); s > 0; s--) {
        word(w, 3, 8);
        strcat(strcat(v, w), ".");
    }
    word(w, 4, 10);
    strcat(v, w);
    if (rnd(4) == 0) {
        word(w, 3, 6);
        strcat(strcat(v, "-"), w);
    }
    strcat(strcat(v, "."), PICK(tld));
}

static void ipv4(char *v)
{
    sprintf(v, "%u.%u.%u.%u", 11 + rnd(212), rnd(256), rnd(256), 1 + rnd(254));
}

static void ipv6(char *v, char *text)
{
    uint8_t a[16];
    uint16_t g[8];
    uint32_t z = rnd(5), at = rnd(8 - z + 1 > 8 ? 8 : 8 - z + 1);
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(i == 0 ? 0x2000 + rnd(0x2000) : rnd(4) ? rnd(0x10000) : rnd(16));
    for (uint32_t i = at; i < at + z && i < 8; i++)
        g[i] = 0;
    if (g[0] == 0)
        g[0] = 0x2a01;
    for (int i = 0; i < 8; i++)
        a[2 * i] = (uint8_t)(g[i] >> 8), a[2 * i + 1] = (uint8_t)g[i];
    inet_ntop(AF_INET6, a, v, 64);
    switch (rnd(3)) {
    case 0:
        strcpy(text, v);
        break;
    case 1:
        sprintf(text, "%x:%x:%x:%x:%x:%x:%x:%x", g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
        break;
    default:
        sprintf(text, "%04X:%04X:%04X:%04X:%04X:%04X:%04X:%04X", g[0], g[1], g[2], g[3], g[4], g[5],
                g[6], g[7]);
    }
}

/* ---- checksummed addresses ---------------------------------------------------- */

static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Base58 of p[0..n), one '1' per leading zero byte. */
static void base58(const uint8_t *p, size_t n, char *out)
{
    uint8_t d[64] = {0};
    size_t nd = 0, z = 0, o = 0;
    while (z < n && !p[z])
        z++;
    for (size_t i = z; i < n; i++) {
        unsigned carry = p[i];
        for (size_t k = 0; k < nd; k++) {
            carry += (unsigned)d[k] << 8;
            d[k] = (uint8_t)(carry % 58);
            carry /= 58;
        }
        while (carry) {
            d[nd++] = (uint8_t)(carry % 58);
            carry /= 58;
        }
    }
    while (z--)
        out[o++] = '1';
    while (nd)
        out[o++] = b58[d[--nd]];
    out[o] = '\0';
}

static void bitcoin_b58(char *v)
{
    uint8_t p[25], h[32];
    unsigned l;
    p[0] = rnd(2) ? 0 : 5;
    for (int i = 1; i < 21; i++)
        p[i] = (uint8_t)rnd(256);
    EVP_Digest(p, 21, h, &l, EVP_sha256(), NULL);
    EVP_Digest(h, 32, h, &l, EVP_sha256(), NULL);
    memcpy(p + 21, h, 4);
    base58(p, 25, v);
}

static uint32_t polymod(const uint8_t *v, size_t n)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t c = 1;
    for (size_t i = 0; i < n; i++) {
        uint8_t top = (uint8_t)(c >> 25);
        c = ((c & 0x1ffffff) << 5) ^ v[i];
        for (int k = 0; k < 5; k++)
            if ((top >> k) & 1)
                c ^= gen[k];
    }
    return c;
}

static void bitcoin_bech32(char *v)
{
    static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    uint8_t d[100] = {3, 3, 0, 2, 3}, prog[32];
    size_t nd = 5, plen = rnd(2) ? 20 : 32, bits = 0;
    unsigned ver = plen == 32 && rnd(2) ? 1 : 0, acc = 0;
    for (size_t i = 0; i < plen; i++)
        prog[i] = (uint8_t)rnd(256);
    d[nd++] = (uint8_t)ver;
    for (size_t i = 0; i < plen; i++) {
        acc = acc << 8 | prog[i];
        for (bits += 8; bits >= 5; bits -= 5)
            d[nd++] = (acc >> (bits - 5)) & 31;
    }
    if (bits)
        d[nd++] = (acc << (5 - bits)) & 31;
    memset(d + nd, 0, 6);
    uint32_t pm = polymod(d, nd + 6) ^ (ver ? 0x2bc830a3u : 1u);
    for (int i = 0; i < 6; i++)
        d[nd + i] = (pm >> (5 * (5 - i))) & 31;
    strcpy(v, "bc1");
    for (size_t i = 5; i < nd + 6; i++)
        v[3 + i - 5] = cs[d[i]];
    v[3 + nd + 6 - 5] = '\0';
}

static void monero(char *v)
{
    uint8_t b[77], h[32];
    size_t nb = rnd(4) ? 69 : 77, o = 0;
    b[0] = nb == 77 ? 19 : rnd(2) ? 18 : 42;
    for (size_t i = 1; i < nb - 4; i++)
        b[i] = (uint8_t)rnd(256);
    hy__keccak256(b, nb - 4, h);
    memcpy(b + nb - 4, h, 4);
    for (size_t i = 0; i < nb; i += 8) { /* 8 bytes -> 11 chars, 5 bytes -> 7 */
        size_t k = nb - i < 8 ? nb - i : 8, chars = k == 8 ? 11 : 7;
        uint64_t x = 0;
        for (size_t j = 0; j < k; j++)
            x = x << 8 | b[i + j];
        for (size_t j = chars; j-- > 0; x /= 58)
            v[o + j] = b58[x % 58];
        o += chars;
    }
    v[o] = '\0';
}

static void ethereum(char *v, char *text)
{
    uint8_t h[32];
    strcpy(v, "0x");
    hexs(v + 2, 40, false);
    strcpy(text, v);
    if (rnd(2)) { /* EIP-55 capitals */
        hy__keccak256(v + 2, 40, h);
        for (int i = 0; i < 40; i++)
            if (text[i + 2] >= 'a' && ((h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf) >= 8)
                text[i + 2] ^= 0x20;
    }
}

/* ---- one indicator: its text, and what it must yield -------------------------- */

static const char *const exec_ext[] = {"exe", "dll", "ps1", "bat", "vbs", "scr",
                                       "lnk", "hta", "msi", "jar", "sys", "cmd"};

static void name_with_ext(char *out, bool unix_ext)
{
    static const char *const uext[] = {"sh", "py", "so", "elf"};
    char w[16], w2[16];
    word(w, 3, 9);
    switch (rnd(4)) {
    case 0:
        word(w2, 2, 5);
        sprintf(out, "%s_%s", w, w2);
        break;
    case 1:
        sprintf(out, "%s-%u", w, rnd(100));
        break;
    case 2:
        sprintf(out, "%c%s", 'A' + rnd(26), w);
        break;
    default:
        strcpy(out, w);
    }
    if (!unix_ext && rnd(8) == 0)
        strcat(out, ".pdf"); /* a double extension */
    strcat(strcat(out, "."), unix_ext ? PICK(uext) : PICK(exec_ext));
}

static void gen_url(char *text, tset *t)
{
    static const char *const sch[] = {"http", "http", "https", "https", "ftp", "tcp", "smb", "ws"};
    static const char *const hx[] = {"hxxp", "hXXp"}, *const hxs[] = {"hxxps", "hXXps"};
    static const char *const seps[] = {"://", "[://]", "[:]//"};
    char host[300], htext[300], hval[300], path[200] = "", port[8] = "", w[16], v[1024];
    const char *s = PICK(sch), *st = s, *sep = "://";
    uint32_t kind = rnd(10);
    bool def = rnd(2);

    if (kind < 7) {
        domain(host);
        strcpy(hval, host);
        tadd(t, HY_IOC_DOMAIN, host);
    } else if (kind < 9) {
        ipv4(host);
        strcpy(hval, host);
        tadd(t, HY_IOC_IPV4, host);
    } else {
        char v6[64], v6t[64];
        ipv6(v6, v6t);
        sprintf(host, "[%s]", v6t);
        sprintf(hval, "[%s]", v6);
        tadd(t, HY_IOC_IPV6, v6);
        def = false;
    }
    if (def)
        defang_dots(host, htext, rnd(2));
    else
        strcpy(htext, host);
    if (rnd(3) == 0)
        sprintf(port, ":%u", 1 + rnd(65535));
    for (uint32_t n = rnd(4); n > 0; n--) {
        word(w, 2, 8);
        strcat(strcat(path, "/"), w);
    }
    if (rnd(2)) {
        word(w, 3, 8);
        strcat(strcat(strcat(path, "/"), w), rnd(2) ? ".php" : ".html");
    }
    if (rnd(3) == 0)
        sprintf(path + strlen(path), "%s?id=%u&k=a%u", path[0] ? "" : "/", rnd(1000), rnd(9));
    if (def) {
        st = !strcmp(s, "http")    ? PICK(hx)
             : !strcmp(s, "https") ? PICK(hxs)
             : !strcmp(s, "ftp")   ? "fxp"
                                   : s;
        sep = PICK(seps);
    }
    sprintf(v, "%s://%s%s%s", s, hval, port, path);
    tadd(t, HY_IOC_URL, v);
    sprintf(text, "%s%s%s%s%s", st, sep, htext, port, path);
}

static void gen_email(char *text, tset *t)
{
    static const char *const at[] = {"@", "@", "[@]", "(at)", "[at]", " [at] ", "(@)"};
    char local[40], w[16], dom[300], dtext[400], v[400];
    word(local, 3, 8);
    switch (rnd(4)) {
    case 0:
        word(w, 2, 6);
        strcat(strcat(local, "."), w);
        break;
    case 1:
        sprintf(local + strlen(local), "_%u", rnd(100));
        break;
    case 2:
        word(w, 2, 4);
        strcat(strcat(local, "+"), w);
        break;
    default:
        break;
    }
    domain(dom);
    if (rnd(2))
        defang_dots(dom, dtext, rnd(2));
    else
        strcpy(dtext, dom);
    sprintf(v, "%s@%s", local, dom);
    tadd(t, HY_IOC_EMAIL, v);
    tadd(t, HY_IOC_DOMAIN, dom);
    sprintf(text, "%s%s%s", local, PICK(at), dtext);
}

static void gen_winpath(char *text, tset *t)
{
    static const char *const env[] = {"%APPDATA%", "%TEMP%", "%ProgramData%", "%LOCALAPPDATA%"};
    char a[16], b[16], name[40], v[300];
    word(a, 3, 8);
    word(b, 3, 8);
    name_with_ext(name, false);
    switch (rnd(6)) {
    case 0:
        sprintf(v, "C:\\Users\\%s\\AppData\\Roaming\\%s\\%s", a, b, name);
        break;
    case 1:
        sprintf(v, "%s\\%s\\%s", PICK(env), a, name);
        break;
    case 2:
        sprintf(v, "\\\\%s\\%s$\\%s\\%s", a, b, "Temp", name);
        break;
    case 3:
        sprintf(v, "C:\\Program Files (x86)\\%c%s %c%s\\%s", 'A' + rnd(26), a, 'A' + rnd(26), b,
                name);
        break;
    case 4:
        sprintf(v, "c:\\windows\\system32\\%s", name);
        break;
    default:
        sprintf(v, "C:\\ProgramData\\%s\\%s", a, b);
        name[0] = '\0';
    }
    tadd(t, HY_IOC_WIN_PATH, v);
    if (name[0])
        tadd(t, HY_IOC_FILENAME, name);
    strcpy(text, v);
}

static void gen_unixpath(char *text, tset *t)
{
    char a[16], b[16], name[40], v[300];
    word(a, 3, 8);
    word(b, 3, 8);
    name_with_ext(name, true);
    switch (rnd(6)) {
    case 0:
        sprintf(v, "/tmp/.%s/%s", a, name);
        break;
    case 1:
        sprintf(v, "/etc/cron.d/%s", a);
        name[0] = '\0';
        break;
    case 2:
        sprintf(v, "/usr/local/bin/%s", a);
        name[0] = '\0';
        break;
    case 3:
        sprintf(v, "~/.config/%s/%s", a, name);
        break;
    case 4:
        sprintf(v, "/home/%s/.ssh/authorized_keys", a);
        name[0] = '\0';
        break;
    default:
        sprintf(v, "/dev/shm/%s/%s", b, name);
    }
    tadd(t, HY_IOC_UNIX_PATH, v);
    if (name[0])
        tadd(t, HY_IOC_FILENAME, name);
    strcpy(text, v);
}

static void gen_regkey(char *text, tset *t)
{
    static const char *const hive[] = {"HKLM",
                                       "HKCU",
                                       "HKCR",
                                       "HKU",
                                       "HKEY_LOCAL_MACHINE",
                                       "HKEY_CURRENT_USER",
                                       "HKEY_CLASSES_ROOT"};
    static const char *const comp[] = {
        "Software", "SOFTWARE", "Microsoft", "Windows",    "CurrentVersion",
        "Run",      "RunOnce",  "Policies",  "System",     "CurrentControlSet",
        "Services", "Classes",  "Explorer",  "Windows NT", "Winlogon"};
    char v[400], w[16];
    strcpy(v, PICK(hive));
    for (uint32_t n = 2 + rnd(4); n > 0; n--) {
        const char *c = PICK(comp);
        strcat(v, "\\");
        if (n == 1 && rnd(2)) {
            word(w, 4, 10);
            strcat(v, w);
        } else if (n == 1 && strchr(c, ' ')) {
            strcat(v, "Run");
        } else if (rnd(8) == 0) {
            char g[40];
            hexs(g, 8, true);
            sprintf(v + strlen(v), "{%s-1F2E}", g);
        } else {
            strcat(v, c);
        }
    }
    tadd(t, HY_IOC_REGKEY, v);
    strcpy(text, v);
}

static void gen_simple(hy_ioc_type type, char *text, tset *t)
{
    char v[256], x[64];
    switch (type) {
    case HY_IOC_MD5:
    case HY_IOC_SHA1:
    case HY_IOC_SHA256:
    case HY_IOC_SHA512: {
        size_t n = type == HY_IOC_MD5      ? 32
                   : type == HY_IOC_SHA1   ? 40
                   : type == HY_IOC_SHA256 ? 64
                                           : 128;
        hexs(text, n, rnd(4) == 0);
        strcpy(v, text);
        lower(v);
        break;
    }
    case HY_IOC_SSDEEP: {
        char h1[80], h2[80];
        static const char b64[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n1 = 20 + rnd(45), n2 = 8 + rnd(25);
        for (size_t i = 0; i < n1; i++)
            h1[i] = b64[rnd(64)];
        for (size_t i = 0; i < n2; i++)
            h2[i] = b64[rnd(62)]; /* no trailing '+' or '/' questions */
        h1[n1] = h2[n2] = '\0';
        sprintf(v, "%u:%s:%s", 3u << rnd(14), h1, h2);
        strcpy(text, v);
        break;
    }
    case HY_IOC_CVE:
        sprintf(v, "CVE-%u-%0*u", 1999 + rnd(26), 4 + (int)rnd(2), rnd(30000));
        strcpy(text, v);
        if (rnd(4) == 0)
            memcpy(text, "cve", 3);
        break;
    case HY_IOC_ATTACK_TECHNIQUE:
        sprintf(v, "T1%03u", rnd(1000));
        if (rnd(2))
            sprintf(v + 5, ".%03u", 1 + rnd(20));
        strcpy(text, v);
        break;
    case HY_IOC_ATTACK_TACTIC:
        sprintf(v, "TA0%03u", 1 + rnd(999));
        strcpy(text, v);
        break;
    case HY_IOC_ATTACK_GROUP:
        sprintf(v, "G%04u", 1 + rnd(1100));
        strcpy(text, v);
        break;
    case HY_IOC_ATTACK_SOFTWARE:
        sprintf(v, "S%04u", 1 + rnd(1100));
        strcpy(text, v);
        break;
    case HY_IOC_FILENAME:
        name_with_ext(v, rnd(6) == 0);
        strcpy(text, v);
        break;
    case HY_IOC_BITCOIN:
        if (rnd(2)) {
            bitcoin_b58(v);
            strcpy(text, v);
        } else {
            bitcoin_bech32(v);
            strcpy(text, v);
            if (rnd(4) == 0)
                for (char *p = text; *p; p++)
                    *p = (char)(*p >= 'a' && *p <= 'z' ? *p ^ 0x20 : *p);
        }
        break;
    case HY_IOC_MONERO:
        monero(v);
        strcpy(text, v);
        break;
    case HY_IOC_ETHEREUM:
        ethereum(v, text);
        break;
    case HY_IOC_ASN: {
        static const char *const f[] = {"AS%u", "ASN %u", "AS %u", "ASN%u", "ASN: %u"};
        uint32_t n = 1 + rnd(400000);
        sprintf(text, PICK(f), n);
        sprintf(v, "AS%u", n);
        break;
    }
    case HY_IOC_MAC: {
        char sep = rnd(2) ? ':' : '-';
        bool up = rnd(2);
        for (int i = 0; i < 6; i++) {
            hexs(x, 2, up);
            sprintf(text + 3 * i, "%s%c", x, sep);
        }
        text[17] = '\0';
        strcpy(v, text);
        lower(v);
        for (int i = 2; i < 17; i += 3)
            v[i] = ':';
        break;
    }
    default: { /* HY_IOC_JA3 */
        static const char *const kw[] = {"JA3 %s", "JA3S: %s", "ja3 hash %s", "JA3=%s"};
        hexs(v, 32, false);
        sprintf(text, PICK(kw), v);
        break;
    }
    }
    tadd(t, type, v);
}

static void gen_item(hy_ioc_type type, char *text, tset *t)
{
    char v[400], w[400];
    switch (type) {
    case HY_IOC_IPV4:
        ipv4(v);
        if (rnd(2))
            defang_dots(v, text, rnd(2));
        else
            strcpy(text, v);
        break;
    case HY_IOC_IPV4_CIDR:
        ipv4(w);
        *strrchr(w, '.') = '\0';
        snprintf(v, sizeof v, "%.20s.0/%u", w, 8 + rnd(23));
        if (rnd(2))
            defang_dots(v, text, true);
        else
            strcpy(text, v);
        break;
    case HY_IOC_IPV6:
        ipv6(v, text);
        break;
    case HY_IOC_DOMAIN:
        domain(v);
        if (rnd(2))
            defang_dots(v, text, rnd(2));
        else if (rnd(5) == 0)
            for (size_t i = 0; (text[i] = (char)(v[i] >= 'a' && v[i] <= 'z' ? v[i] ^ 0x20 : v[i]));
                 i++)
                ;
        else
            strcpy(text, v);
        break;
    case HY_IOC_URL:
        gen_url(text, t);
        return;
    case HY_IOC_EMAIL:
        gen_email(text, t);
        return;
    case HY_IOC_WIN_PATH:
        gen_winpath(text, t);
        return;
    case HY_IOC_UNIX_PATH:
        gen_unixpath(text, t);
        return;
    case HY_IOC_REGKEY:
        gen_regkey(text, t);
        return;
    default:
        gen_simple(type, text, t);
        return;
    }
    tadd(t, type, v);
}

/* ---- the document ------------------------------------------------------------- */

static const char *const words[] = {
    "the",       "attackers", "used",        "loader",  "which",       "then",     "contacted",
    "server",    "operators", "deployed",    "payload", "observed",    "campaign", "victims",
    "network",   "analysts",  "report",      "malware", "persistence", "through",  "scheduled",
    "tasks",     "and",       "credentials", "stolen",  "from",        "browsers", "lateral",
    "movement",  "followed",  "shortly",     "after",   "initial",     "access",   "phishing",
    "documents", "macros",    "were",        "enabled", "by",          "users"};

/* Look-alikes that must yield nothing. */
static const char *const decoys[] = {"e.g.",
                                     "i.e.",
                                     "U.S.",
                                     "etc.",
                                     "v2.15.0",
                                     "version 3.1.4",
                                     "3.5%",
                                     "10:30",
                                     "12:30:45",
                                     "2021-03-04",
                                     "report.pdf",
                                     "readme.txt",
                                     "invoice.docx",
                                     "data.csv",
                                     "Node.js",
                                     "Fig. 3",
                                     "No. 5",
                                     "section 4.2.1",
                                     "AS well",
                                     "T-shirt",
                                     "G20",
                                     "S3 buckets",
                                     "as 2 files",
                                     "mid-2020",
                                     "x86_64",
                                     "Win32",
                                     "AES-256",
                                     "SHA-256",
                                     "MD5",
                                     "C2",
                                     "C&C",
                                     "UTF-8",
                                     "base64",
                                     "0x41",
                                     "e-mail",
                                     "and/or",
                                     "24/7",
                                     "http",
                                     "www",
                                     "COVID-19",
                                     "the dot com era",
                                     "a polka dot tie",
                                     "look at the logs",
                                     "at home",
                                     "a7f3c9",
                                     "deadbeef",
                                     "550e8400-e29b-41d4-a716-446655440000",
                                     "d41d8cd98f00b204e9800998ecf8427e0",
                                     "1.2.3.4.5",
                                     "999.1.1.1",
                                     "Trojan.Win32.Agent.cz",
                                     "HKLM hive",
                                     "C: drive",
                                     "std::string",
                                     "a::b",
                                     "12:00 PM",
                                     "MS17-010",
                                     "3.14159",
                                     "$1,000",
                                     "@handle",
                                     "user@",
                                     "1:1",
                                     "C++",
                                     "C#",
                                     ".NET",
                                     "Ph.D.",
                                     "a.m.",
                                     "archive.zip",
                                     "notes.md",
                                     "f_in.read()",
                                     "the end.Next",
                                     "CVE-2021",
                                     "T-1059",
                                     "10.0",
                                     "1,2,3,4"};

static const char *const contexts[] = {
    "%s",       "%s",        "%s.",         "%s.",  "(%s)", "\"%s\"",   "'%s'", "`%s`",
    "**%s**",   "<b>%s</b>", "<td>%s</td>", "[%s]", "%s,",  "\n- %s\n", "%s;",  "{\"ioc\": \"%s\"}",
    "value=%s", "IOC: %s",   "%s!",         "%s?"};

static void add_words(hy_buf *d, size_t min_chars, bool capital)
{
    size_t start = d->len;
    while (d->len - start < min_chars) {
        const char *w = PICK(words);
        if (d->len > start)
            assert_int_equal(hy_buf_addc(d, ' '), HY_OK);
        if (capital && d->len == start) {
            assert_int_equal(hy_buf_addc(d, (char)(w[0] ^ 0x20)), HY_OK);
            w++;
        }
        assert_int_equal(hy_buf_adds(d, w), HY_OK);
    }
}

/* One sentence holding indicator text (in a random context), or the next
 * item of a list when the sentence before left one open. */
static void add_sentence(hy_buf *d, hy_ioc_type type, const char *text)
{
    static bool open_list;
    const char *ctx = type == HY_IOC_URL && rnd(6) == 0 ? "[the link](%s)" : PICK(contexts);
    bool ends = !strcmp(ctx, "%s.");
    if (open_list) {
        assert_int_equal(hy_buf_adds(d, rnd(2) ? ", " : " and "), HY_OK);
        assert_int_equal(hy_buf_addf(d, ctx, text), HY_OK);
    } else {
        add_words(d, 10, true);
        if (rnd(3) == 0) {
            assert_int_equal(hy_buf_addc(d, ' '), HY_OK);
            assert_int_equal(hy_buf_adds(d, PICK(decoys)), HY_OK);
        }
        assert_int_equal(hy_buf_addc(d, ' '), HY_OK);
        assert_int_equal(hy_buf_addf(d, ctx, text), HY_OK);
    }
    open_list = !ends && type != HY_IOC_JA3 && rnd(3) == 0;
    if (open_list)
        return;
    if (!ends) {
        assert_int_equal(hy_buf_addc(d, ' '), HY_OK);
        add_words(d, 24, false); /* beyond a JA3 keyword's reach */
        assert_int_equal(hy_buf_addc(d, '.'), HY_OK);
    }
    assert_int_equal(hy_buf_adds(d, rnd(8) ? " " : "\n\n"), HY_OK);
}

typedef struct score {
    size_t tp, fp, fn;
} score;

static void test_precision_recall(void **state)
{
    hy_buf doc;
    tset truth = {0};
    hy_ioc_list l = {0};
    score sc[HY_IOC__COUNT] = {{0}};
    char text[1024], key[HY_IOC_MAX_VALUE + 8];
    size_t shown = 0;
    (void)state;

    hy_buf_init(&doc, 64u << 20);
    for (int r = 0; r < ITEMS_PER_TYPE; r++)
        for (unsigned t = 0; t < HY_IOC__COUNT; t++) {
            gen_item((hy_ioc_type)t, text, &truth);
            add_sentence(&doc, (hy_ioc_type)t, text);
        }
    tsort(&truth);
    if (getenv("HY_FIXTURE_DUMP"))
        hy_test_write_file(getenv("HY_FIXTURE_DUMP"), doc.data, doc.len);
    assert_int_equal(hy_ioc_extract(doc.data, doc.len, NULL, &l), HY_OK);

    tset got = {0};
    for (size_t i = 0; i < l.n; i++) {
        snprintf(key, sizeof key, "%02d %s", (int)l.v[i].type, l.v[i].value);
        if (thas(&truth, key)) {
            sc[l.v[i].type].tp++;
        } else {
            sc[l.v[i].type].fp++;
            if (shown++ < 20)
                printf("  false positive: %s \"%.*s\"\n", key, (int)(l.v[i].end - l.v[i].start),
                       doc.data + l.v[i].start);
        }
        tadd(&got, l.v[i].type, l.v[i].value);
    }
    tsort(&got);
    for (size_t i = 0; i < truth.n; i++)
        if (!thas(&got, truth.v[i])) {
            sc[atoi(truth.v[i])].fn++;
            if (shown++ < 40)
                printf("  missed: %s\n", truth.v[i]);
        }

    printf("%-18s %6s %5s %5s %7s %7s\n", "type", "tp", "fp", "fn", "prec", "recall");
    for (unsigned t = 0; t < HY_IOC__COUNT; t++) {
        double p = sc[t].tp + sc[t].fp ? (double)sc[t].tp / (double)(sc[t].tp + sc[t].fp) : 0;
        double rc = sc[t].tp + sc[t].fn ? (double)sc[t].tp / (double)(sc[t].tp + sc[t].fn) : 0;
        printf("%-18s %6zu %5zu %5zu %7.4f %7.4f\n", hy_ioc_type_name((hy_ioc_type)t), sc[t].tp,
               sc[t].fp, sc[t].fn, p, rc);
        assert_true(sc[t].tp >= ITEMS_PER_TYPE / 2);
        assert_true(p >= 0.98);
        assert_true(rc >= 0.98);
    }
    printf("document: %zu bytes, %zu distinct indicators\n", doc.len, l.n);
    tfree(&got);
    tfree(&truth);
    hy_ioc_list_free(&l);
    hy_buf_free(&doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precision_recall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
