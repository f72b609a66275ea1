/* Noise marking (ioc.h): indicators that are real but tell nothing about
 * an attacker. Addresses: the special-purpose registries (RFC 6890 and the
 * RFCs named in each reason). Domains: documentation and reserved names
 * (RFC 2606, 6761, 6762, 8375). Sinkholes: a small built-in list of
 * addresses and name-server zones that public sinkhole lists (e.g. the
 * one L. Carhart published in 2017, maltrail's) attribute to the operators
 * named in the reason. Benign infrastructure: public DNS resolvers and a
 * few platforms every report mentions; a domain matches its subdomains.
 * A URL is judged by its host, an e-mail address by its domain. */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "text/ioc_int.h"

typedef struct v4net {
    uint32_t net;
    unsigned len;
    const char *why;
} v4net;

#define PRIV   "private address (RFC 1918)"
#define DOC4   "documentation address (RFC 5737)"
#define DNS    "public DNS resolver"
#define MSFT   "sinkhole (Microsoft DCU)"
#define CYMRU  "sinkhole (Team Cymru)"
#define BENIGN "well-known benign domain"

static const v4net v4[] = {
    {0x00000000, 8, "this network (RFC 1122)"},
    {0x0A000000, 8, PRIV},
    {0x64400000, 10, "shared address space (RFC 6598)"},
    {0x7F000000, 8, "loopback (RFC 1122)"},
    {0xA9FE0000, 16, "link-local (RFC 3927)"},
    {0xAC100000, 12, PRIV},
    {0xC0000000, 24, "IETF protocol assignment (RFC 6890)"},
    {0xC0000200, 24, DOC4},
    {0xC0586300, 24, "6to4 relay anycast (RFC 7526)"},
    {0xC0A80000, 16, PRIV},
    {0xC6120000, 15, "benchmarking (RFC 2544)"},
    {0xC6336400, 24, DOC4},
    {0xCB007100, 24, DOC4},
    {0xE0000000, 4, "multicast (RFC 5771)"},
    {0xFFFFFFFF, 32, "limited broadcast (RFC 919)"},
    {0xF0000000, 4, "reserved (RFC 1112)"},
    /* sinkholes */
    {0x83FD120B, 32, MSFT},                            /* 131.253.18.11 */
    {0x83FD120C, 32, MSFT},                            /* 131.253.18.12 */
    {0xC7028900, 24, MSFT},                            /* 199.2.137.0/24 */
    {0xCC5F633B, 32, MSFT},                            /* 204.95.99.59 */
    {0x5270B8C5, 32, "sinkhole (Shadowserver)"},       /* 82.112.184.197 */
    {0x2666961D, 32, CYMRU},                           /* 38.102.150.29 */
    {0x26E5467D, 32, CYMRU},                           /* 38.229.70.125 */
    {0x4805416F, 32, "sinkhole (Palo Alto Networks)"}, /* 72.5.65.111 */
    /* public resolvers */
    {0x08080808, 32, DNS}, /* 8.8.8.8 */
    {0x08080404, 32, DNS}, /* 8.8.4.4 */
    {0x01010101, 32, DNS}, /* 1.1.1.1 */
    {0x01000001, 32, DNS}, /* 1.0.0.1 */
    {0x09090909, 32, DNS}, /* 9.9.9.9 */
    {0x95707070, 32, DNS}, /* 149.112.112.112 */
    {0xD043DEDE, 32, DNS}, /* 208.67.222.222 */
    {0xD043DCDC, 32, DNS}, /* 208.67.220.220 */
};

typedef struct v6net {
    uint8_t net[16];
    unsigned len;
    const char *why;
} v6net;

static const v6net v6[] = {
    {{0}, 128, "unspecified address (RFC 4291)"},
    {{[15] = 1}, 128, "loopback (RFC 4291)"},
    {{0x01, 0x00}, 64, "discard prefix (RFC 6666)"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation address (RFC 3849)"},
    {{0x3f, 0xff}, 20, "documentation address (RFC 9637)"},
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, "benchmarking (RFC 5180)"},
    {{0xfc}, 7, "unique local address (RFC 4193)"},
    {{0xfe, 0x80}, 10, "link-local (RFC 4291)"},
    {{0xfe, 0xc0}, 10, "site-local (RFC 3879)"},
    {{0xff}, 8, "multicast (RFC 4291)"},
    {{0x20, 0x01, 0x48, 0x60, 0x48, 0x60, [14] = 0x88, 0x88}, 128, DNS},
    {{0x20, 0x01, 0x48, 0x60, 0x48, 0x60, [14] = 0x88, 0x44}, 128, DNS},
    {{0x26, 0x06, 0x47, 0x00, 0x47, 0x00, [14] = 0x11, 0x11}, 128, DNS},
    {{0x26, 0x06, 0x47, 0x00, 0x47, 0x00, [14] = 0x10, 0x01}, 128, DNS},
    {{0x26, 0x20, 0x00, 0xfe, [14] = 0x00, 0xfe}, 128, DNS},
    {{0x26, 0x20, 0x00, 0xfe, [14] = 0x00, 0x09}, 128, DNS},
};

typedef struct dname {
    const char *name;
    const char *why;
} dname;

/* A name matches an entry when equal to it or a subdomain of it. */
static const dname names[] = {
    {"example.com", "documentation domain (RFC 2606)"},
    {"example.net", "documentation domain (RFC 2606)"},
    {"example.org", "documentation domain (RFC 2606)"},
    {"test", "reserved TLD (RFC 2606)"},
    {"example", "reserved TLD (RFC 2606)"},
    {"invalid", "reserved TLD (RFC 2606)"},
    {"localhost", "loopback name (RFC 6761)"},
    {"local", "multicast DNS name (RFC 6762)"},
    {"home.arpa", "home network name (RFC 8375)"},
    /* sinkholes */
    {"sinkhole.shadowserver.org", "sinkhole (Shadowserver)"},
    {"microsoftinternetsafety.net", MSFT},
    {"kryptoslogicsinkhole.com", "sinkhole (Kryptos Logic)"},
    {"kryptoslogicsinkhole.net", "sinkhole (Kryptos Logic)"},
    {"kryptoslogicsinkhole.org", "sinkhole (Kryptos Logic)"},
    {"kryptoslogicsinkhole.me", "sinkhole (Kryptos Logic)"},
    {"arbor-sinkhole.net", "sinkhole (Arbor/NETSCOUT)"},
    {"asertdns.com", "sinkhole (Arbor/NETSCOUT)"},
    {"sinkhole.paloaltonetworks.com", "sinkhole (Palo Alto Networks)"},
    {"iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com", "sinkhole (WannaCry kill switch)"},
    /* benign infrastructure */
    {"google.com", BENIGN},
    {"googleapis.com", BENIGN},
    {"gstatic.com", BENIGN},
    {"youtube.com", BENIGN},
    {"microsoft.com", BENIGN},
    {"windowsupdate.com", BENIGN},
    {"windows.com", BENIGN},
    {"microsoftonline.com", BENIGN},
    {"office.com", BENIGN},
    {"live.com", BENIGN},
    {"bing.com", BENIGN},
    {"msftncsi.com", BENIGN},
    {"msftconnecttest.com", BENIGN},
    {"apple.com", BENIGN},
    {"icloud.com", BENIGN},
    {"amazon.com", BENIGN},
    {"github.com", BENIGN},
    {"mozilla.org", BENIGN},
    {"cloudflare.com", BENIGN},
    {"wikipedia.org", BENIGN},
    {"w3.org", BENIGN},
    {"twitter.com", BENIGN},
    {"facebook.com", BENIGN},
    {"linkedin.com", BENIGN},
    {"yahoo.com", BENIGN},
    {"digicert.com", BENIGN},
    {"letsencrypt.org", BENIGN},
    {"verisign.com", BENIGN},
    {"virustotal.com", BENIGN},
    {"mitre.org", BENIGN},
};

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned len)
{
    unsigned full = len / 8, rest = len % 8;
    if (memcmp(a, net, full))
        return false;
    return !rest || ((a[full] ^ net[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

static const char *noise_v4(uint32_t a)
{
    for (size_t k = 0; k < sizeof v4 / sizeof v4[0]; k++) {
        uint32_t mask = v4[k].len ? ~0u << (32 - v4[k].len) : 0;
        if ((a & mask) == v4[k].net)
            return v4[k].why;
    }
    return NULL;
}

static const char *noise_v6(const uint8_t a[16])
{
    static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (!memcmp(a, mapped, 12))
        return noise_v4((uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 |
                        a[15]);
    for (size_t k = 0; k < sizeof v6 / sizeof v6[0]; k++)
        if (prefix_match(a, v6[k].net, v6[k].len))
            return v6[k].why;
    return NULL;
}

static const char *noise_name(const char *d, size_t n)
{
    while (n && d[n - 1] == '.')
        n--;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t l = strlen(names[k].name);
        if (n >= l && !strncasecmp(d + n - l, names[k].name, l) && (n == l || d[n - l - 1] == '.'))
            return names[k].why;
    }
    return NULL;
}

/* Any host text: IPv4, IPv6 (brackets allowed) or a name. */
static const char *noise_host(const char *h, size_t n)
{
    char buf[256];
    struct in_addr a4;
    uint8_t a6[16];

    if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
        h++, n -= 2;
    if (!n || n >= sizeof buf)
        return NULL;
    memcpy(buf, h, n);
    buf[n] = '\0';
    if (inet_pton(AF_INET, buf, &a4) == 1)
        return noise_v4(ntohl(a4.s_addr));
    if (inet_pton(AF_INET6, buf, a6) == 1)
        return noise_v6(a6);
    return noise_name(buf, n);
}

/* The host part of a URL value. */
static const char *noise_url(const char *v)
{
    const char *h = strstr(v, "://"), *e;
    if (!h)
        return NULL;
    h += 3;
    e = h + strcspn(h, "/?#");
    for (const char *p = h; p < e; p++)
        if (*p == '@')
            h = p + 1;
    if (*h == '[') {
        const char *c = memchr(h, ']', (size_t)(e - h));
        return c ? noise_host(h, (size_t)(c - h) + 1) : NULL;
    }
    const char *c = memchr(h, ':', (size_t)(e - h));
    return noise_host(h, (size_t)((c ? c : e) - h));
}

const char *hy__ioc_noise(hy_ioc_type t, const char *v)
{
    const char *p;
    switch (t) {
    case HY_IOC_IPV4:
    case HY_IOC_IPV6:
    case HY_IOC_DOMAIN:
        return noise_host(v, strlen(v));
    case HY_IOC_IPV4_CIDR:
        p = strchr(v, '/');
        return noise_host(v, p ? (size_t)(p - v) : strlen(v));
    case HY_IOC_URL:
        return noise_url(v);
    case HY_IOC_EMAIL:
        p = strrchr(v, '@');
        return p ? noise_name(p + 1, strlen(p + 1)) : NULL;
    default:
        return NULL;
    }
}
