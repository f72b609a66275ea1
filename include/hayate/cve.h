/* hayate: the intel engine's CVE inconsistency check (lib/engines/intel).
 *
 * A CVE record states its affected versions twice: in the prose of its
 * description ("Apache Log4j2 2.0-beta9 through 2.15.0 (excluding security
 * releases 2.12.2, 2.12.3, and 2.3.1)") and in structured data (CVE JSON 5
 * containers.cna.affected[], the ADP containers' affected[], and CPE
 * configurations: cpeApplicability or NVD-style configurations). When the
 * two disagree, someone patching by the data is misled. hy_cve_check reads
 * one CVE JSON 5 record, parses both, and reports each disagreement as an
 * intel finding (intel.h):
 *
 *   cve-version-mismatch       a bound differs in value or inclusivity
 *                              ("through 2.15.0" vs "lessThan 2.15.0"), or
 *                              the data marks unaffected versions inside a
 *                              range the text states without exceptions
 *   cve-version-missing-bound  the text gives a bound the data lacks
 *   cve-version-uncovered      a range the text states overlaps no affected
 *                              range of the data
 *   cve-version-unstructured   the text states versions, but no structured
 *                              entry holds a comparable version
 *   cve-version-fixed-affected the text names a fixed version the data
 *                              marks affected
 *
 * To stay clear of false alarms the comparison is lenient where prose is
 * loose: a missing lower bound in the text ("before 4.0.4") or a missing
 * upper bound ("5.6.0 and later") is not a finding, a text wildcard ("all
 * 12.1.x versions") matches any data bound in that branch, and an exclusive
 * bound matches an inclusive one at the next plausible release ("after
 * 2.3.1" ~ "from 2.4"). Versions of type "git" and strings that are not
 * dotted versions are incomparable: they are skipped and the reason lands in
 * the report's notes. */
#ifndef HAYATE_CVE_H
#define HAYATE_CVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "intel.h"

/* Caps on untrusted records (HY_MAX_JSON_DOC caps the record's bytes). */
#define HY_CVE_MAX_TEXT       (64u << 10) /* description bytes parsed for versions */
#define HY_CVE_MAX_RANGES     1024u       /* ranges stated in prose (and fixed versions) */
#define HY_CVE_MAX_DATA       8192u       /* structured ranges, all containers */
#define HY_CVE_MAX_AFFECTED   4096u       /* affected[] entries per container */
#define HY_CVE_MAX_VERSIONS   4096u       /* versions[] per affected entry */
#define HY_CVE_MAX_CHANGES    256u        /* changes[] per version */
#define HY_CVE_MAX_CONTAINERS 64u         /* ADP containers */
#define HY_CVE_MAX_CPE        8192u       /* CPE nodes and matches walked */
#define HY_CVE_MAX_CPE_DEPTH  8           /* nesting of CPE node children */
#define HY_CVE_MAX_FINDINGS   256u        /* findings kept (further ones: a note) */
#define HY_CVE_MAX_NOTES      256u        /* notes kept */
#define HY_CVE_MAX_VERSION    128u        /* bytes of one version string */
#define HY_CVE_MAX_PRODUCT    256u        /* bytes of a product name kept */
#define HY_CVE_VERSION_PARTS  8           /* numeric components of a version */
#define HY_CVE_ID_MAX         32u         /* "CVE-2021-44228" + NUL, with room */

/* A range of versions. Bounds are the version strings as written; NULL is
 * an open bound. A single version is low == high, both inclusive. */
typedef struct hy_cve_range {
    char *product; /* as written (data: affected[].product); NULL if unnamed */
    char *low;     /* NULL = no lower bound */
    bool low_incl;
    char *high; /* NULL = no upper bound */
    bool high_incl;
    char *type;   /* data: versionType ("semver", "custom", ...) or NULL */
    char *source; /* "text", "CNA", "ADP CISA-ADP", ... */
    char *origin; /* text: the phrase ("2.0-beta9 through 2.15.0");
                     data: the JSON path ("containers.cna.affected[0].versions[0]") */
} hy_cve_range;

/* One CVE record, checked. All strings are malloc'd and owned. */
typedef struct hy_cve_report {
    char id[HY_CVE_ID_MAX]; /* cveMetadata.cveId */
    char *description;      /* the first English description; NULL if none */
    hy_cve_range *data;     /* affected ranges from the structured data */
    size_t ndata;
    hy_cve_range *text; /* affected ranges the description states */
    size_t ntext;
    hy_cve_range *fixed; /* versions the description says fix it (points) */
    size_t nfixed;
    hy_intel_finding *findings; /* kind "cve-version-...", subject = id */
    size_t nfindings;
    char **notes; /* what could not be compared, and why */
    size_t nnotes;
} hy_cve_report;

/* Affected ranges stated in prose text[0..len) (UTF-8 or ASCII), in text
 * order: "before X", "prior to X", "X through Y", "from X before Y", "X and
 * earlier", "up to and including X", "versions X to Y", "< X", ">= X, < Y",
 * "X and later", "starting with version X", lists ("before A, B and C",
 * "versions A, B and C", "all A and B versions", "Foo A, B and C allow"),
 * with exclusions ("(excluding security releases A, B)") cut out of the
 * ranges before them. Not ranges: a lone version after a product ("Windows
 * 8.1"), bare integers ("Office 2016"), fixes ("fixed in X", "upgrade to
 * X"), and sentences saying versions are "not affected". *out is a
 * malloc'd array (free with hy_cve_ranges_free), NULL when *n is 0.
 * HY_ERR_TOOBIG past HY_CVE_MAX_TEXT bytes or HY_CVE_MAX_RANGES ranges. */
hy_err hy_cve_text_ranges(const char *text, size_t len, hy_cve_range **out, size_t *n);

/* As hy_cve_text_ranges, and also the versions the text says fix the issue
 * ("fixed in X", "upgrade to X", "X and Y fix this issue") as points in
 * *fixed (may be NULL when not wanted). */
hy_err hy_cve_text_parse(const char *text, size_t len, hy_cve_range **out, size_t *n,
                         hy_cve_range **fixed, size_t *nfixed);

/* Frees n ranges and the array. */
void hy_cve_ranges_free(hy_cve_range *r, size_t n);

/* Checks one CVE JSON 5 record json[0..n) (untrusted; name, or "<memory>"
 * when NULL, prefixes errors) and fills *out: id, description, the
 * structured and prose ranges, findings and notes. Malformed JSON and
 * wrong types are HY_ERR_FORMAT naming the input and the JSON path at fault
 * ("x.json: containers.cna.affected[0].versions: expected an array"); a
 * record that is not a CVE record (dataType) HY_ERR_UNSUPPORTED; caps
 * HY_ERR_TOOBIG. On error *out is left empty (nothing to free). */
hy_err hy_cve_check(const char *name, const uint8_t *json, size_t n, hy_cve_report *out);

/* Frees what *r holds and empties it; NULL is a no-op. */
void hy_cve_report_free(hy_cve_report *r);

/* ---- versions (cve_version.c) ---- */

/* A parsed version: numeric components ("2.15.0"), an optional trailing
 * wildcard ("16.1.x": matches the whole branch) and an optional suffix
 * ("-beta9", "rc1", "-h1"). Missing components are 0: "2.15" == "2.15.0". */
typedef struct hy_cve_version {
    uint64_t num[HY_CVE_VERSION_PARTS];
    uint8_t nnum;
    bool wildcard;    /* a final "x", "X" or "*" component */
    bool semver;      /* suffix compared by SemVer 2.0 pre-release rules */
    int8_t rank;      /* non-semver suffix: <0 pre-release (dev < alpha < beta <
                         milestone < rc), 0 none, >0 post-release (patch, hotfix) */
    uint64_t tag_num; /* number after the suffix word ("beta9": 9) */
    char tag[32];     /* the suffix, lowercase, without its leading separator */
} hy_cve_version;

/* Parses s[0..len) of versionType type (NULL, "semver", "custom", ... ;
 * "git" is always refused). A leading "v" is accepted; SemVer build
 * metadata ("+b1") is ignored. HY_ERR_UNSUPPORTED with the reason in the
 * detail when s is not a comparable version ("n/a", "log4j-core*",
 * "13.1-FIPS", a git commit); HY_ERR_ARG on NULL. */
hy_err hy_cve_version_parse(const char *s, size_t len, const char *type, hy_cve_version *out);

/* Order of two parsed versions: <0, 0 or >0. A wildcard compares equal to
 * every version of its branch. Pre-releases sort before their release
 * ("2.0-beta9" < "2.0"), post-releases after ("10.2.9-h1" > "10.2.9"). */
int hy_cve_version_cmp(const hy_cve_version *a, const hy_cve_version *b);

/* Compares two version strings of one versionType: *cmp <0, 0 or >0.
 * HY_ERR_UNSUPPORTED (reason in the detail) when either is incomparable. */
hy_err hy_cve_version_compare(const char *a, const char *b, const char *type, int *cmp);

/* True when b could be the release right after a: a component of a plus
 * one with the later ones zero ("2.3.1" -> "2.3.2", "2.4", "3.0"), a
 * pre-release's own release ("2.0-rc1" -> "2.0"), or the next pre-release
 * ("beta9" -> "beta10"). Wildcards are never adjacent. */
bool hy_cve_version_next(const hy_cve_version *a, const hy_cve_version *b);

/* ---- internal to lib/engines/intel/cve*.c (not for callers) ---- */

/* A range bound, parsed. */
typedef struct hy__cve_bound {
    bool set; /* false: open */
    bool incl;
    hy_cve_version v;
} hy__cve_bound;

/* Whether [alo, ahi] and [blo, bhi] share a version. */
bool hy__cve_overlap(const hy__cve_bound *alo, const hy__cve_bound *ahi, const hy__cve_bound *blo,
                     const hy__cve_bound *bhi);
/* Whether version v lies in [lo, hi]. */
bool hy__cve_contains(const hy__cve_bound *lo, const hy__cve_bound *hi, const hy_cve_version *v);
/* Whether [lo, hi] holds no version (next-release adjacency counts:
 * (2.12.2, 2.12.3) is empty). */
bool hy__cve_empty(const hy__cve_bound *lo, const hy__cve_bound *hi);
/* Whether two bounds (both lower, or both upper when upper) cut the
 * versions at the same place, allowing for wildcards and adjacency. */
bool hy__cve_same_bound(const hy__cve_bound *a, const hy__cve_bound *b, bool upper);
/* Of the ranges [lo[i], hi[i]] for i in ov[0..nov), the one whose upper
 * bound text bound thi should be compared with: SIZE_MAX when one has the
 * same bound; else the range thi's version falls in, else the one of the
 * nearest branch (longest common prefix), the highest on a tie. */
size_t hy__cve_upper_partner(const hy__cve_bound *thi, const hy__cve_bound *lo,
                             const hy__cve_bound *hi, const size_t *ov, size_t nov);
/* Likewise for a lower bound: SIZE_MAX when one has the same bound, else
 * the range starting lowest. */
size_t hy__cve_lower_partner(const hy__cve_bound *tlo, const hy__cve_bound *lo, const size_t *ov,
                             size_t nov);
/* Sorts the indices ov[0..nov) by their lower bounds lo[ov[i]] (open
 * first; ties keep index order). */
void hy__cve_sort_by_lower(size_t *ov, size_t nov, const hy__cve_bound *lo);
/* Parses a bound string (NULL: open; "0", "*" or "" as a lower bound: open). */
hy_err hy__cve_bound_parse(const char *s, bool incl, const char *type, bool upper,
                           hy__cve_bound *out);
/* "below 2.15.0", "up to and including 2.15.0", "from 2.0-beta9", "after
 * 2.3.1", "no lower bound" ... into buf (size at least 160). */
void hy__cve_bound_str(const char *s, bool incl, bool upper, char *buf, size_t size);

#endif
