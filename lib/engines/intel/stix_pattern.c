/* hy_stix_pattern: one indicator of compromise as a STIX 2.1 pattern.
 *
 *   ipv4, ipv4-cidr     [ipv4-addr:value = '...']      (a CIDR keeps its /len)
 *   ipv6                [ipv6-addr:value = '...']
 *   domain              [domain-name:value = '...']
 *   url                 [url:value = '...']
 *   email               [email-addr:value = '...']
 *   md5 ... ssdeep      [file:hashes.'MD5' = '...'] ('SHA-1', 'SHA-256', 'SHA-512', 'SSDEEP')
 *   filename            [file:name = '...']
 *   windows/unix path   [directory:path = '...']
 *   registry-key        [windows-registry-key:key = '...']
 *   mac                 [mac-addr:value = '...']
 *   asn                 [autonomous-system:number = 13335]
 *
 * CVEs and ATT&CK ids become objects of their own, and STIX 2.1 has no
 * observable for cryptocurrency addresses or JA3 fingerprints: those are
 * HY_ERR_UNSUPPORTED. Every pattern written passes hy_stix_pattern_check. */
#include <stdlib.h>
#include <string.h>

#include "hayate/intel.h"
#include "hayate/stix_check.h"

/* The object path compared for each type, or NULL. */
static const char *path_of(hy_ioc_type t)
{
    switch (t) {
    case HY_IOC_IPV4:
    case HY_IOC_IPV4_CIDR:
        return "ipv4-addr:value";
    case HY_IOC_IPV6:
        return "ipv6-addr:value";
    case HY_IOC_DOMAIN:
        return "domain-name:value";
    case HY_IOC_URL:
        return "url:value";
    case HY_IOC_EMAIL:
        return "email-addr:value";
    case HY_IOC_MD5:
        return "file:hashes.'MD5'";
    case HY_IOC_SHA1:
        return "file:hashes.'SHA-1'";
    case HY_IOC_SHA256:
        return "file:hashes.'SHA-256'";
    case HY_IOC_SHA512:
        return "file:hashes.'SHA-512'";
    case HY_IOC_SSDEEP:
        return "file:hashes.'SSDEEP'";
    case HY_IOC_FILENAME:
        return "file:name";
    case HY_IOC_WIN_PATH:
    case HY_IOC_UNIX_PATH:
        return "directory:path";
    case HY_IOC_REGKEY:
        return "windows-registry-key:key";
    case HY_IOC_MAC:
        return "mac-addr:value";
    default:
        return NULL;
    }
}

static const char *why_not(hy_ioc_type t)
{
    switch (t) {
    case HY_IOC_CVE:
        return "a CVE id (written as a vulnerability object)";
    case HY_IOC_ATTACK_TECHNIQUE:
    case HY_IOC_ATTACK_TACTIC:
    case HY_IOC_ATTACK_GROUP:
    case HY_IOC_ATTACK_SOFTWARE:
        return "an ATT&CK id (written as an ATT&CK object)";
    case HY_IOC_BITCOIN:
    case HY_IOC_MONERO:
    case HY_IOC_ETHEREUM:
        return "a cryptocurrency address (no STIX 2.1 observable)";
    case HY_IOC_JA3:
        return "a JA3 fingerprint (no STIX 2.1 observable)";
    default:
        return "an unknown indicator type";
    }
}

/* "AS13335" -> 13335; false unless AS + 1 to 10 digits within 32 bits. */
static bool asn_parse(const char *v, unsigned long long *out)
{
    unsigned long long n = 0;
    size_t i = 2, len = strlen(v);
    if (len < 3 || len > 12 || (v[0] != 'A' && v[0] != 'a') || (v[1] != 'S' && v[1] != 's'))
        return false;
    for (; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        n = n * 10 + (unsigned long long)(v[i] - '0');
    }
    *out = n;
    return n <= 0xffffffffull;
}

static hy_err add_quoted(hy_buf *out, const char *v)
{
    hy_err rc = hy_buf_addc(out, '\'');
    for (; *v && rc == HY_OK; v++)
        rc = (*v == '\'' || *v == '\\') ? hy_buf_addf(out, "\\%c", *v) : hy_buf_addc(out, *v);
    return rc == HY_OK ? hy_buf_addc(out, '\'') : rc;
}

hy_err hy_stix_pattern(const hy_ioc *ioc, hy_buf *out)
{
    const char *path;
    size_t mark, vlen;
    unsigned long long asn;
    hy_err rc;

    if (!ioc || !out || !ioc->value)
        return hy_err_set(HY_ERR_ARG, "stix pattern: NULL argument");
    vlen = strlen(ioc->value);
    if (!vlen || vlen > HY_IOC_MAX_VALUE)
        return hy_err_set(HY_ERR_ARG, "stix pattern: a value of %zu bytes (1 to %u)", vlen,
                          HY_IOC_MAX_VALUE);
    mark = out->len;
    if (ioc->type == HY_IOC_ASN) {
        if (!asn_parse(ioc->value, &asn))
            return hy_err_set(HY_ERR_FORMAT, "stix pattern: '%.32s' is not AS + a 32-bit number",
                              ioc->value);
        rc = hy_buf_addf(out, "[autonomous-system:number = %llu]", asn);
    } else if ((path = path_of(ioc->type))) {
        if ((rc = hy_buf_addf(out, "[%s = ", path)) == HY_OK &&
            (rc = add_quoted(out, ioc->value)) == HY_OK)
            rc = hy_buf_addc(out, ']');
    } else {
        return hy_err_set(HY_ERR_UNSUPPORTED, "stix pattern: %s has no STIX pattern",
                          why_not(ioc->type));
    }
    if (rc == HY_OK && (rc = hy_stix_pattern_check(out->data + mark, out->len - mark)) != HY_OK)
        rc = hy_err_set(HY_ERR_FORMAT, "%s", hy_err_detail());
    if (rc != HY_OK && out->data) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    return rc;
}
