/* hayate: the indicator lookup traffic engines match against (the hybrid
 * link between the intel engine and the packet path).
 *
 * A hy_ioc_match holds known-bad indicators (from the store's iocs table or
 * any other list) in hash tables, so a flow pays a few hash lookups, never
 * a scan: an IPv4/IPv6 address is looked up exactly and then under each
 * CIDR prefix length present (longest first); a domain is looked up with
 * each of its parent domains ("a.b.evil.com", "b.evil.com", "evil.com");
 * URLs, file hashes and JA3 fingerprints exactly (hex case-insensitive).
 * Built once, then read-only: lookups from many threads are safe. */
#ifndef HAYATE_IOCMATCH_H
#define HAYATE_IOCMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "ioc.h"

#define HY_IOC_MATCH_MAX_REPORTS 4u /* report ids kept per indicator */

typedef struct hy_ioc_match hy_ioc_match;

/* What a lookup found: the stored indicator and the reports it came from. */
typedef struct hy_ioc_hit {
    hy_ioc_type type;
    const char *value;                                /* as added (normalised) */
    const char *reports[HY_IOC_MATCH_MAX_REPORTS];    /* first reports naming it */
    size_t nreports;                                  /* all reports naming it */
} hy_ioc_hit;

/* An empty lookup holding at most max_entries indicators (0: 1<<24). */
hy_err hy_ioc_match_create(size_t max_entries, hy_ioc_match **out);
void hy_ioc_match_destroy(hy_ioc_match *m);

/* Adds an indicator named by report_id (may be NULL). Matchable types: ipv4,
 * ipv4-cidr, ipv6, domain, url, md5, sha1, sha256, sha512, ja3; others are
 * HY_ERR_UNSUPPORTED, a value that does not parse as its type HY_ERR_FORMAT,
 * past the cap HY_ERR_TOOBIG. Adding it again adds the report. */
hy_err hy_ioc_match_add(hy_ioc_match *m, hy_ioc_type type, const char *value,
                        const char *report_id);

/* Indicators held. */
size_t hy_ioc_match_count(const hy_ioc_match *m);

/* addr (4 bytes for family 4, 16 for 6) exactly, then within any CIDR held,
 * longest prefix first. */
bool hy_ioc_match_ip(const hy_ioc_match *m, int family, const uint8_t *addr, hy_ioc_hit *hit);
/* name[0..len) (any case, a trailing dot ignored) or its nearest parent. */
bool hy_ioc_match_domain(const hy_ioc_match *m, const char *name, size_t len, hy_ioc_hit *hit);
/* A URL exactly (scheme and host compared case-insensitively). */
bool hy_ioc_match_url(const hy_ioc_match *m, const char *url, hy_ioc_hit *hit);
/* An MD5, SHA-1, SHA-256 or SHA-512 in hex (any case). */
bool hy_ioc_match_hash(const hy_ioc_match *m, const char *hex, hy_ioc_hit *hit);
/* A JA3 or JA3S fingerprint (32 hex). */
bool hy_ioc_match_ja3(const hy_ioc_match *m, const char *hex, hy_ioc_hit *hit);

#endif
