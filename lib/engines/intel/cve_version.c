/* Version order for the CVE check (include/hayate/cve.h): dotted numbers
 * with pre- and post-release suffixes, SemVer pre-release rules, branch
 * wildcards, and the range-bound operations built on them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hayate/cve.h"

#define MAX_DIGITS 18 /* fits a uint64_t */

/* Suffix words and their rank: <0 pre-release, 0 the release, >0 after it. */
static const struct {
    const char *word;
    int8_t rank;
} suffixes[] = {
    {"dev", -6},   {"snapshot", -6},  {"alpha", -5},  {"a", -5},       {"beta", -4}, {"b", -4},
    {"m", -3},     {"milestone", -3}, {"pre", -2},    {"preview", -2}, {"rc", -1},   {"cr", -1},
    {"ga", 0},     {"final", 0},      {"release", 0}, {"p", 1},        {"patch", 1}, {"pl", 1},
    {"post", 1},   {"sp", 1},         {"u", 1},       {"update", 1},   {"h", 1},     {"hf", 1},
    {"hotfix", 1}, {"r", 1},          {"rev", 1},     {"build", 1},
};

static int suffix_rank(const char *w, size_t n, int8_t *rank)
{
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (strlen(suffixes[i].word) == n && strncasecmp(suffixes[i].word, w, n) == 0) {
            *rank = suffixes[i].rank;
            return 1;
        }
    return 0;
}

static hy_err refuse(const char *s, size_t len, const char *why)
{
    int n = len > 64 ? 64 : (int)len;
    return hy_err_set(HY_ERR_UNSUPPORTED, "'%.*s%s' is not a comparable version: %s", n, s,
                      len > 64 ? "..." : "", why);
}

/* Digits at s[*p..len) into *v; 0 when there are none or too many. */
static int take_number(const char *s, size_t len, size_t *p, uint64_t *v)
{
    size_t i = *p;
    uint64_t x = 0;
    while (i < len && isdigit((unsigned char)s[i]) && i - *p < MAX_DIGITS)
        x = x * 10 + (uint64_t)(s[i++] - '0');
    if (i == *p || (i < len && isdigit((unsigned char)s[i])))
        return 0;
    *v = x;
    *p = i;
    return 1;
}

/* A SemVer pre-release and/or build suffix at s[p..len) ("-rc.1+b5"). */
static hy_err semver_suffix(const char *s, size_t len, size_t p, hy_cve_version *v)
{
    size_t start = p + 1, end;
    if (s[p] == '-') {
        for (end = start; end < len && s[end] != '+'; end++)
            if (!isalnum((unsigned char)s[end]) && s[end] != '.' && s[end] != '-')
                return refuse(s, len, "bad character in the SemVer pre-release");
        if (end == start || end - start >= sizeof v->tag)
            return refuse(s, len, "empty or overlong SemVer pre-release");
        memcpy(v->tag, s + start, end - start);
        v->tag[end - start] = '\0';
        size_t w = 0;
        while (w < end - start && isalpha((unsigned char)v->tag[w]))
            w++;
        v->rank = -1;
        if (w && suffix_rank(v->tag, w, &v->rank) && v->rank >= 0)
            v->rank = -1; /* any SemVer pre-release precedes the release */
        size_t q = w + (w < end - start && (v->tag[w] == '.' || v->tag[w] == '-'));
        uint64_t t = 0;
        if (take_number(v->tag, end - start, &q, &t))
            v->tag_num = t;
        p = end;
    }
    if (p < len && s[p] == '+') { /* build metadata: ignored for order */
        for (end = p + 1; end < len; end++)
            if (!isalnum((unsigned char)s[end]) && s[end] != '.' && s[end] != '-')
                return refuse(s, len, "bad character in the SemVer build metadata");
        p = len;
    }
    return p == len ? HY_OK : refuse(s, len, "trailing characters");
}

/* A suffix word with an optional number ("-beta9", "rc1", ".RELEASE", "-h1",
 * "-2") at s[p..len). */
static hy_err word_suffix(const char *s, size_t len, size_t p, hy_cve_version *v)
{
    if (s[p] && strchr("-_~.+", s[p]))
        p++;
    size_t w = p;
    while (w < len && isalpha((unsigned char)s[w]))
        w++;
    if (w == p) { /* "2.4.1-1": a package revision, after the release */
        v->rank = 1;
    } else if (w - p >= sizeof v->tag || !suffix_rank(s + p, w - p, &v->rank)) {
        return refuse(s, len, "unknown suffix");
    } else if (v->rank != 0) { /* "ga", "final", ".RELEASE": the release itself */
        for (size_t i = p; i < w; i++)
            v->tag[i - p] = (char)tolower((unsigned char)s[i]);
        v->tag[w - p] = '\0';
    }
    if (w < len && (s[w] == '.' || s[w] == '-' || s[w] == '_') && w > p)
        w++;
    if (w < len && !take_number(s, len, &w, &v->tag_num))
        return refuse(s, len, "trailing characters");
    if (w == p && v->rank == 1 && v->tag_num == 0 && w == len)
        return refuse(s, len, "a separator with nothing after it");
    return w == len ? HY_OK : refuse(s, len, "trailing characters");
}

hy_err hy_cve_version_parse(const char *s, size_t len, const char *type, hy_cve_version *out)
{
    size_t p = 0;
    if (!s || !out)
        return hy_err_set(HY_ERR_ARG, "cve version: NULL argument");
    memset(out, 0, sizeof *out);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    while (len && isspace((unsigned char)*s))
        s++, len--;
    if (type && strcasecmp(type, "git") == 0)
        return refuse(s, len, "versionType git: commit ids have no order");
    if (len == 0)
        return hy_err_set(HY_ERR_UNSUPPORTED, "an empty version is not comparable");
    if (len > HY_CVE_MAX_VERSION)
        return refuse(s, len, "longer than 128 bytes");
    out->semver = type && strcasecmp(type, "semver") == 0;
    if ((s[0] == 'v' || s[0] == 'V') && len > 1 && isdigit((unsigned char)s[1]))
        p = 1;
    for (;;) {
        if (out->nnum == HY_CVE_VERSION_PARTS)
            return refuse(s, len, "more than 8 numeric components");
        if (!take_number(s, len, &p, &out->num[out->nnum]))
            return refuse(s, len, "expected a number");
        out->nnum++;
        if (p + 1 < len && s[p] == '.' && isdigit((unsigned char)s[p + 1])) {
            p++;
            continue;
        }
        if (p + 1 < len && s[p] == '.' && s[p + 1] && strchr("xX*", s[p + 1]) &&
            (p + 2 == len || !isalnum((unsigned char)s[p + 2]))) {
            out->wildcard = true;
            p += 2;
        }
        break;
    }
    if (p == len)
        return HY_OK;
    if (out->wildcard)
        return refuse(s, len, "characters after a wildcard");
    if (out->semver && (s[p] == '-' || s[p] == '+'))
        return semver_suffix(s, len, p, out);
    return word_suffix(s, len, p, out);
}

/* SemVer 2.0 pre-release precedence of two dot-separated identifier lists. */
static int semver_tags(const char *a, const char *b)
{
    while (*a && *b) {
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        bool na = la > 0 && strspn(a, "0123456789") >= la;
        bool nb = lb > 0 && strspn(b, "0123456789") >= lb;
        int c;
        if (na && nb) {
            c = la != lb ? (la < lb ? -1 : 1) : strncmp(a, b, la);
        } else if (na != nb) {
            c = na ? -1 : 1; /* numeric identifiers sort first */
        } else {
            c = strncmp(a, b, la < lb ? la : lb);
            if (c == 0 && la != lb)
                c = la < lb ? -1 : 1;
        }
        if (c)
            return c;
        a += la + (a[la] == '.');
        b += lb + (b[lb] == '.');
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int suffix_cmp(const hy_cve_version *a, const hy_cve_version *b)
{
    bool pa = a->semver ? a->tag[0] != '\0' : a->rank != 0;
    bool pb = b->semver ? b->tag[0] != '\0' : b->rank != 0;
    if (a->semver && b->semver) {
        if (!pa || !pb)
            return pa == pb ? 0 : pa ? -1 : 1;
        return semver_tags(a->tag, b->tag);
    }
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->tag_num != b->tag_num)
        return a->tag_num < b->tag_num ? -1 : 1;
    int c = strcmp(a->tag, b->tag);
    return c < 0 ? -1 : c > 0;
}

int hy_cve_version_cmp(const hy_cve_version *a, const hy_cve_version *b)
{
    int n = a->nnum > b->nnum ? a->nnum : b->nnum;
    for (int i = 0; i < n; i++) {
        if ((a->wildcard && i >= a->nnum) || (b->wildcard && i >= b->nnum))
            return 0;
        uint64_t x = i < a->nnum ? a->num[i] : 0, y = i < b->nnum ? b->num[i] : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (a->wildcard || b->wildcard)
        return 0;
    return suffix_cmp(a, b);
}

hy_err hy_cve_version_compare(const char *a, const char *b, const char *type, int *cmp)
{
    hy_cve_version va, vb;
    hy_err rc;
    if (!a || !b || !cmp)
        return hy_err_set(HY_ERR_ARG, "cve version: NULL argument");
    if ((rc = hy_cve_version_parse(a, strlen(a), type, &va)) != HY_OK ||
        (rc = hy_cve_version_parse(b, strlen(b), type, &vb)) != HY_OK)
        return rc;
    *cmp = hy_cve_version_cmp(&va, &vb);
    return HY_OK;
}

static bool same_numbers(const hy_cve_version *a, const hy_cve_version *b)
{
    int n = a->nnum > b->nnum ? a->nnum : b->nnum;
    for (int i = 0; i < n; i++)
        if ((i < a->nnum ? a->num[i] : 0) != (i < b->nnum ? b->num[i] : 0))
            return false;
    return true;
}

bool hy_cve_version_next(const hy_cve_version *a, const hy_cve_version *b)
{
    if (!a || !b || a->wildcard || b->wildcard || hy_cve_version_cmp(a, b) >= 0)
        return false;
    bool a_pre = a->semver ? a->tag[0] != '\0' : a->rank < 0;
    if (same_numbers(a, b)) {
        if (a_pre && b->rank == 0 && !(b->semver && b->tag[0]))
            return true; /* "2.0-rc1" -> "2.0" */
        return a->rank == b->rank && strcmp(a->tag, b->tag) == 0 && b->tag_num == a->tag_num + 1;
    }
    if (a_pre || b->rank != 0 || (b->semver && b->tag[0]))
        return false;
    int n = a->nnum > b->nnum ? a->nnum : b->nnum;
    for (int k = 0; k < n; k++) {
        uint64_t x = k < a->nnum ? a->num[k] : 0, y = k < b->nnum ? b->num[k] : 0;
        if (x == y)
            continue;
        if (y != x + 1)
            return false;
        for (int i = k + 1; i < b->nnum; i++)
            if (b->num[i] != 0)
                return false;
        return true;
    }
    return false;
}

/* ---- bounds and ranges ---- */

hy_err hy__cve_bound_parse(const char *s, bool incl, const char *type, bool upper,
                           hy__cve_bound *out)
{
    memset(out, 0, sizeof *out);
    if (!s || strcmp(s, "*") == 0 || (!upper && (strcmp(s, "0") == 0 || s[0] == '\0')))
        return HY_OK;
    hy_err rc = hy_cve_version_parse(s, strlen(s), type, &out->v);
    if (rc == HY_OK) {
        out->set = true;
        out->incl = incl;
    }
    return rc;
}

/* lo <= hi: some version is at or above lo and at or below hi. */
static bool lo_le_hi(const hy__cve_bound *lo, const hy__cve_bound *hi)
{
    if (!lo->set || !hi->set)
        return true;
    int c = hy_cve_version_cmp(&lo->v, &hi->v);
    if (c > 0)
        return false;
    if (c == 0)
        return (lo->incl && hi->incl) || lo->v.wildcard || hi->v.wildcard;
    /* (2.12.2, 2.12.3): nothing between a release and the next one */
    return lo->incl || hi->incl || !hy_cve_version_next(&lo->v, &hi->v);
}

bool hy__cve_overlap(const hy__cve_bound *alo, const hy__cve_bound *ahi, const hy__cve_bound *blo,
                     const hy__cve_bound *bhi)
{
    return lo_le_hi(alo, ahi) && lo_le_hi(blo, bhi) && lo_le_hi(alo, bhi) && lo_le_hi(blo, ahi);
}

bool hy__cve_contains(const hy__cve_bound *lo, const hy__cve_bound *hi, const hy_cve_version *v)
{
    hy__cve_bound p = {.set = true, .incl = true, .v = *v};
    return lo_le_hi(lo, &p) && lo_le_hi(&p, hi);
}

bool hy__cve_empty(const hy__cve_bound *lo, const hy__cve_bound *hi)
{
    return !lo_le_hi(lo, hi);
}

bool hy__cve_same_bound(const hy__cve_bound *a, const hy__cve_bound *b, bool upper)
{
    if (!a->set || !b->set)
        return a->set == b->set;
    int c = hy_cve_version_cmp(&a->v, &b->v);
    if (a->v.wildcard || b->v.wildcard)
        return c == 0;
    if (c == 0)
        return a->incl == b->incl;
    if (a->incl == b->incl)
        return false;
    /* the inclusive bound of one and the exclusive bound of the other at
     * the next release: "through 2.14.1" ~ "below 2.15.0", "after 2.3.1" ~
     * "from 2.4" */
    const hy__cve_bound *in = a->incl ? a : b, *ex = a->incl ? b : a;
    return upper ? hy_cve_version_next(&in->v, &ex->v) : hy_cve_version_next(&ex->v, &in->v);
}

void hy__cve_bound_str(const char *s, bool incl, bool upper, char *buf, size_t size)
{
    if (!s)
        snprintf(buf, size, "%s", upper ? "no upper bound" : "no lower bound");
    else if (upper)
        snprintf(buf, size, "%s %.120s", incl ? "up to and including" : "below", s);
    else
        snprintf(buf, size, "%s %.120s", incl ? "from" : "after", s);
}

static int common_prefix(const hy_cve_version *a, const hy_cve_version *b)
{
    int i = 0;
    while (i < a->nnum && i < b->nnum && a->num[i] == b->num[i])
        i++;
    return i;
}

size_t hy__cve_upper_partner(const hy__cve_bound *thi, const hy__cve_bound *lo,
                             const hy__cve_bound *hi, const size_t *ov, size_t nov)
{
    size_t best = SIZE_MAX;
    int best_score = -2;
    for (size_t j = 0; j < nov; j++) {
        const hy__cve_bound *h = &hi[ov[j]];
        if (hy__cve_same_bound(thi, h, true))
            return SIZE_MAX;
        hy__cve_bound l = lo[ov[j]], u = *h;
        l.incl = u.incl = true;
        int score = !h->set                             ? -1
                    : hy__cve_contains(&l, &u, &thi->v) ? 100
                                                        : common_prefix(&thi->v, &h->v);
        if (score > best_score ||
            (score == best_score && h->set && hy_cve_version_cmp(&h->v, &hi[best].v) > 0)) {
            best = ov[j];
            best_score = score;
        }
    }
    return best;
}

/* Whether lower bound a sorts before b (open first, inclusive first). */
static bool lower_before(const hy__cve_bound *a, const hy__cve_bound *b)
{
    if (!a->set || !b->set)
        return !a->set && b->set;
    int c = hy_cve_version_cmp(&a->v, &b->v);
    return c < 0 || (c == 0 && a->incl && !b->incl);
}

size_t hy__cve_lower_partner(const hy__cve_bound *tlo, const hy__cve_bound *lo, const size_t *ov,
                             size_t nov)
{
    size_t best = SIZE_MAX;
    for (size_t j = 0; j < nov; j++) {
        if (hy__cve_same_bound(tlo, &lo[ov[j]], false))
            return SIZE_MAX;
        if (best == SIZE_MAX || lower_before(&lo[ov[j]], &lo[best]))
            best = ov[j];
    }
    return best;
}

static int by_lower(const void *a, const void *b, void *lows)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const hy__cve_bound *lo = lows;
    if (lower_before(&lo[x], &lo[y]))
        return -1;
    if (lower_before(&lo[y], &lo[x]))
        return 1;
    return x < y ? -1 : x > y; /* qsort is not stable: keep the given order */
}

void hy__cve_sort_by_lower(size_t *ov, size_t nov, const hy__cve_bound *lo)
{
    qsort_r(ov, nov, sizeof *ov, by_lower, (void *)lo);
}
