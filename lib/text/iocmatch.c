/* The indicator lookup (iocmatch.h): one hash map whose keys are a tag
 * byte plus the normalised value ('4' + 4 address bytes, 'c' + prefix
 * length + masked address, '6' + 16 bytes, 'd' + lowercase domain, 'u' +
 * URL with lowercase scheme and host, 'h' + lowercase hex digest, 'j' +
 * lowercase JA3). CIDR lookups try only the prefix lengths present. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/iocmatch.h"
#include "hayate/map.h"

#define KEY_MAX (HY_IOC_MAX_VALUE + 2)

typedef struct entry {
    hy_ioc_type type;
    char *value;
    char *reports[HY_IOC_MATCH_MAX_REPORTS];
    size_t nreports;
} entry;

struct hy_ioc_match {
    hy_map *map;
    uint64_t v4_lens; /* bit L: some ipv4-cidr of prefix length L is held */
};

static void entry_free(void *p)
{
    entry *e = p;
    if (!e)
        return;
    free(e->value);
    for (size_t i = 0; i < HY_IOC_MATCH_MAX_REPORTS; i++)
        free(e->reports[i]);
    free(e);
}

hy_err hy_ioc_match_create(size_t max_entries, hy_ioc_match **out)
{
    hy_ioc_match *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m)
        return HY_ERR_NOMEM;
    hy_err rc = hy_map_create(max_entries ? max_entries : (1u << 24), entry_free, &m->map);
    if (rc != HY_OK) {
        free(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

void hy_ioc_match_destroy(hy_ioc_match *m)
{
    if (!m)
        return;
    hy_map_destroy(m->map);
    free(m);
}

size_t hy_ioc_match_count(const hy_ioc_match *m)
{
    return m ? hy_map_count(m->map) : 0;
}

/* Lowercase copy of s[0..n) after tag into key; false when too long. */
static bool lower_key(char tag, const char *s, size_t n, char *key, size_t *klen)
{
    if (n + 1 > KEY_MAX)
        return false;
    key[0] = tag;
    for (size_t i = 0; i < n; i++)
        key[i + 1] = (char)tolower((unsigned char)s[i]);
    *klen = n + 1;
    return true;
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* Masks the bits of a[0..bytes) beyond prefix length len. */
static void mask(uint8_t *a, size_t bytes, unsigned len)
{
    for (size_t i = 0; i < bytes; i++) {
        unsigned keep = len >= 8 * (i + 1) ? 8 : (len > 8 * i ? len - 8 * (unsigned)i : 0);
        a[i] &= (uint8_t)(0xffu << (8 - keep));
    }
}

/* An ipv4-cidr key: 'c', the length, the masked address. */
static void cidr_key(const uint8_t a[4], unsigned len, char key[6])
{
    uint8_t m[4];
    memcpy(m, a, 4);
    mask(m, 4, len);
    key[0] = 'c';
    key[1] = (char)len;
    memcpy(key + 2, m, 4);
}

/* Length of the scheme://host part of url, for lowercasing. */
static size_t url_head(const char *url, size_t n)
{
    const char *p = strstr(url, "://");
    if (!p)
        return 0;
    size_t i = (size_t)(p - url) + 3;
    while (i < n && url[i] != '/' && url[i] != '?' && url[i] != '#')
        i++;
    return i;
}

/* The map key of a value of type t; HY_ERR_FORMAT/UNSUPPORTED otherwise. */
static hy_err make_key(hy_ioc_match *m, hy_ioc_type t, const char *v, char *key, size_t *klen)
{
    size_t n = strlen(v);
    uint8_t a[16];
    if (n > HY_IOC_MAX_VALUE)
        return hy_err_set(HY_ERR_FORMAT, "indicator of %zu bytes is too long", n);
    switch (t) {
    case HY_IOC_IPV4:
    case HY_IOC_IPV6:
        if (inet_pton(t == HY_IOC_IPV4 ? AF_INET : AF_INET6, v, a) != 1)
            break;
        key[0] = t == HY_IOC_IPV4 ? '4' : '6';
        memcpy(key + 1, a, t == HY_IOC_IPV4 ? 4 : 16);
        *klen = t == HY_IOC_IPV4 ? 5 : 17;
        return HY_OK;
    case HY_IOC_IPV4_CIDR: {
        const char *slash = strchr(v, '/');
        char ip[16];
        char *end;
        if (!slash || (size_t)(slash - v) >= sizeof ip || !isdigit((unsigned char)slash[1]))
            break;
        long len = strtol(slash + 1, &end, 10);
        memcpy(ip, v, (size_t)(slash - v));
        ip[slash - v] = '\0';
        if (*end || len < 0 || len > 32 || inet_pton(AF_INET, ip, a) != 1)
            break;
        cidr_key(a, (unsigned)len, key);
        *klen = 6;
        m->v4_lens |= 1ull << len;
        return HY_OK;
    }
    case HY_IOC_DOMAIN:
        if (n && v[n - 1] == '.')
            n--;
        if (n == 0 || !lower_key('d', v, n, key, klen))
            break;
        return HY_OK;
    case HY_IOC_URL: {
        size_t h = url_head(v, n);
        if (!h || !lower_key('u', v, h, key, klen))
            break;
        memcpy(key + 1 + h, v + h, n - h);
        *klen = n + 1;
        return HY_OK;
    }
    case HY_IOC_MD5:
    case HY_IOC_SHA1:
    case HY_IOC_SHA256:
    case HY_IOC_SHA512:
    case HY_IOC_JA3:
        if ((n != 32 && n != 40 && n != 64 && n != 128) || !is_hex(v, n) ||
            (t == HY_IOC_JA3 && n != 32))
            break;
        lower_key(t == HY_IOC_JA3 ? 'j' : 'h', v, n, key, klen);
        return HY_OK;
    default:
        return hy_err_set(HY_ERR_UNSUPPORTED, "indicators of type %s are not matched in traffic",
                          hy_ioc_type_name(t));
    }
    return hy_err_set(HY_ERR_FORMAT, "'%.64s' is not a valid %s", v, hy_ioc_type_name(t));
}

/* Adds report_id to e unless it is already there. */
static hy_err add_report(entry *e, const char *report_id)
{
    if (!report_id)
        return HY_OK;
    size_t k = e->nreports < HY_IOC_MATCH_MAX_REPORTS ? e->nreports : HY_IOC_MATCH_MAX_REPORTS;
    for (size_t i = 0; i < k; i++)
        if (strcmp(e->reports[i], report_id) == 0)
            return HY_OK;
    if (k < HY_IOC_MATCH_MAX_REPORTS && !(e->reports[k] = strdup(report_id)))
        return HY_ERR_NOMEM;
    e->nreports++;
    return HY_OK;
}

hy_err hy_ioc_match_add(hy_ioc_match *m, hy_ioc_type type, const char *value,
                        const char *report_id)
{
    char key[KEY_MAX];
    size_t klen = 0;
    hy_err rc;
    if (!m || !value)
        return hy_err_set(HY_ERR_ARG, "hy_ioc_match_add: NULL argument");
    if ((rc = make_key(m, type, value, key, &klen)) != HY_OK)
        return rc;
    entry *e = hy_map_get(m->map, key, klen);
    if (!e) {
        if (!(e = calloc(1, sizeof *e)) || !(e->value = strdup(value))) {
            free(e);
            return HY_ERR_NOMEM;
        }
        e->type = type;
        if ((rc = hy_map_put(m->map, key, klen, e)) != HY_OK) {
            entry_free(e);
            return rc == HY_ERR_TOOBIG ? hy_err_set(rc, "the indicator lookup is full") : rc;
        }
    }
    return add_report(e, report_id);
}

/* Fills hit from the entry under key; false when absent. */
static bool get(const hy_ioc_match *m, const char *key, size_t klen, hy_ioc_hit *hit)
{
    const entry *e = hy_map_get(m->map, key, klen);
    if (!e)
        return false;
    if (hit) {
        memset(hit, 0, sizeof *hit);
        hit->type = e->type;
        hit->value = e->value;
        for (size_t i = 0; i < HY_IOC_MATCH_MAX_REPORTS && i < e->nreports; i++)
            hit->reports[i] = e->reports[i];
        hit->nreports = e->nreports;
    }
    return true;
}

bool hy_ioc_match_ip(const hy_ioc_match *m, int family, const uint8_t *addr, hy_ioc_hit *hit)
{
    char key[17];
    if (!m || !addr || (family != 4 && family != 6))
        return false;
    key[0] = family == 4 ? '4' : '6';
    memcpy(key + 1, addr, family == 4 ? 4 : 16);
    if (get(m, key, family == 4 ? 5 : 17, hit))
        return true;
    if (family != 4)
        return false;
    for (int len = 32; len >= 0; len--) {
        if (!(m->v4_lens & (1ull << len)))
            continue;
        cidr_key(addr, (unsigned)len, key);
        if (get(m, key, 6, hit))
            return true;
    }
    return false;
}

bool hy_ioc_match_domain(const hy_ioc_match *m, const char *name, size_t len, hy_ioc_hit *hit)
{
    char key[KEY_MAX];
    size_t klen;
    if (!m || !name)
        return false;
    if (len && name[len - 1] == '.')
        len--;
    if (len == 0 || !lower_key('d', name, len, key, &klen))
        return false;
    /* key[1..klen) is the name; try it, then after each dot */
    for (size_t i = 1; i < klen; i++) {
        if (i > 1 && key[i - 1] != '.')
            continue;
        char save = key[i - 1];
        key[i - 1] = 'd';
        bool ok = get(m, key + i - 1, klen - i + 1, hit);
        key[i - 1] = save;
        if (ok)
            return true;
    }
    return false;
}

bool hy_ioc_match_url(const hy_ioc_match *m, const char *url, hy_ioc_hit *hit)
{
    char key[KEY_MAX];
    size_t klen, n = url ? strlen(url) : 0, h = url ? url_head(url, n) : 0;
    if (!m || !h || !lower_key('u', url, h, key, &klen) || n + 1 > KEY_MAX)
        return false;
    memcpy(key + 1 + h, url + h, n - h);
    return get(m, key, n + 1, hit);
}

/* A hex lookup under tag, for the lengths allowed. */
static bool hex_get(const hy_ioc_match *m, char tag, const char *hex, hy_ioc_hit *hit)
{
    char key[KEY_MAX];
    size_t klen = 0, n = hex ? strlen(hex) : 0;
    if (!m || (n != 32 && n != 40 && n != 64 && n != 128) || !is_hex(hex, n))
        return false;
    lower_key(tag, hex, n, key, &klen);
    return get(m, key, klen, hit);
}

bool hy_ioc_match_hash(const hy_ioc_match *m, const char *hex, hy_ioc_hit *hit)
{
    return hex_get(m, 'h', hex, hit);
}

bool hy_ioc_match_ja3(const hy_ioc_match *m, const char *hex, hy_ioc_hit *hit)
{
    return hex && strlen(hex) == 32 && hex_get(m, 'j', hex, hit);
}
