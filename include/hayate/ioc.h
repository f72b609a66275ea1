/* hayate: indicators of compromise in free text (lib/text).
 *
 * hy_refang undoes the defanging styles analysts use so that an indicator
 * cannot be clicked ("hxxp://evil[.]com", "1.2.3[.]4", "user[at]host(.)org"),
 * keeping a map from every output byte back to the input byte it came from.
 * hy_ioc_extract refangs the text, finds every indicator of the types below
 * in one pass, validates domains against the public suffix list (libpsl),
 * merges duplicates, and marks — never drops — indicators that are noise
 * (private or reserved addresses, documentation domains, sinkholes,
 * well-known benign infrastructure) with the reason. Offsets always refer
 * to the caller's original (defanged) text. All input is untrusted: output
 * is capped (HY_IOC_MAX_*), nothing is read outside [text, text + len). */
#ifndef HAYATE_IOC_H
#define HAYATE_IOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

#define HY_IOC_MAX_TEXT (256u << 20) /* bytes of one document */
#define HY_IOC_MAX_VALUE 2048u       /* bytes of one indicator's value */
#define HY_IOC_MAX_COUNT 1000000u    /* distinct indicators of one document */

typedef enum hy_ioc_type {
    HY_IOC_IPV4,       /* "ipv4": dotted quad, no leading zeros kept */
    HY_IOC_IPV4_CIDR,  /* "ipv4-cidr": a.b.c.d/len, len 0..32 */
    HY_IOC_IPV6,       /* "ipv6": RFC 5952 canonical text */
    HY_IOC_DOMAIN,     /* "domain": lowercase, registrable under the PSL */
    HY_IOC_URL,        /* "url": any scheme://, with port, path and query */
    HY_IOC_EMAIL,      /* "email": local@domain, domain lowercase */
    HY_IOC_MD5,        /* "md5": 32 hex, lowercase */
    HY_IOC_SHA1,       /* "sha1": 40 hex */
    HY_IOC_SHA256,     /* "sha256": 64 hex */
    HY_IOC_SHA512,     /* "sha512": 128 hex */
    HY_IOC_SSDEEP,     /* "ssdeep": blocksize:hash:hash */
    HY_IOC_CVE,        /* "cve": CVE-YYYY-NNNN+, uppercase */
    HY_IOC_ATTACK_TECHNIQUE, /* "attack-technique": T1234 or T1234.001 */
    HY_IOC_ATTACK_TACTIC,    /* "attack-tactic": TA0001 */
    HY_IOC_ATTACK_GROUP,     /* "attack-group": G0001 */
    HY_IOC_ATTACK_SOFTWARE,  /* "attack-software": S0001 */
    HY_IOC_REGKEY,     /* "registry-key": HKLM\..., hive names expanded as written */
    HY_IOC_WIN_PATH,   /* "windows-path": C:\..., %APPDATA%\..., \\server\share\... */
    HY_IOC_UNIX_PATH,  /* "unix-path": /etc/..., /tmp/..., ~/... */
    HY_IOC_FILENAME,   /* "filename": a name with an executable extension (.exe, .dll, .ps1, ...) */
    HY_IOC_BITCOIN,    /* "bitcoin": base58 P2PKH/P2SH (checksum verified) or bech32 */
    HY_IOC_MONERO,     /* "monero": 95- or 106-character base58 address */
    HY_IOC_ETHEREUM,   /* "ethereum": 0x + 40 hex */
    HY_IOC_ASN,        /* "asn": AS + number, as "AS13335" */
    HY_IOC_MAC,        /* "mac": six octets, lowercase, colon-separated */
    HY_IOC_JA3,        /* "ja3": an MD5 introduced as a JA3/JA3S fingerprint */
    HY_IOC__COUNT
} hy_ioc_type;

/* The type's stable name (the strings above); "unknown" when out of range. */
const char *hy_ioc_type_name(hy_ioc_type t);
/* The type named name (exact, as hy_ioc_type_name writes it); HY_ERR_NOTFOUND
 * otherwise. */
hy_err hy_ioc_type_parse(const char *name, hy_ioc_type *out);

/* One distinct indicator of a document. */
typedef struct hy_ioc {
    hy_ioc_type type;
    char *value;              /* normalised fanged value, NUL-terminated (owned) */
    size_t start, end;        /* first occurrence: [start, end) in the original text */
    size_t sent_start, sent_end; /* the sentence holding the first occurrence */
    uint32_t count;           /* occurrences merged into this one */
    bool defanged;            /* the first occurrence was written defanged */
    const char *noise;        /* NULL, or why it is noise (static string) */
} hy_ioc;

typedef struct hy_ioc_list {
    hy_ioc *v;
    size_t n, alloc;
} hy_ioc_list;

typedef struct hy_ioc_opts {
    uint32_t types; /* bit (1u << type) per wanted type; 0 means all */
} hy_ioc_opts;

/* Writes the refanged form of in[0..n) to out (appended) and, when map is
 * not NULL, a malloc'd array of out->len + 1 input offsets: map[i] is the
 * offset in `in` of the byte that produced output byte i (map[out->len] ==
 * n). When out was not empty, the map covers only the bytes this call
 * appended (map[0] is for the first of them). Text that is not defanged is
 * copied unchanged. HY_ERR_TOOBIG past HY_IOC_MAX_TEXT or out's cap. */
hy_err hy_refang(const char *in, size_t n, hy_buf *out, uint32_t **map);

/* Extracts the indicators of text[0..len) (UTF-8 or any bytes; opts may be
 * NULL) into out, which the caller zero-initialises; they come in order of
 * first occurrence. Fails only on memory, caps or arguments (out is then
 * left empty); malformed text just yields fewer indicators. */
hy_err hy_ioc_extract(const char *text, size_t len, const hy_ioc_opts *opts, hy_ioc_list *out);

/* Frees the values and the array; the list is empty and reusable. */
void hy_ioc_list_free(hy_ioc_list *l);

#endif
