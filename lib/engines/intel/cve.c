/* The CVE inconsistency check (include/hayate/cve.h): reads a CVE JSON 5
 * record's structured affected data (CNA and ADP affected[], CPE
 * configurations), parses its description (cve_text.c), and reports where
 * the two disagree. */
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hayate/cve.h"
#include "hayate/limits.h"

#define PATH_MAX_LEN 320

typedef struct chk {
    const char *name;
    hy_cve_report *r;
    size_t cap_data, cap_find, cap_notes;
    size_t ncpe;              /* CPE nodes and matches walked */
    bool findings_full;       /* a note said so */
    hy__cve_bound *dlo, *dhi; /* parsed bounds of r->data */
    char **dprod;             /* normalised product of each r->data, NULL if unnamed */
    size_t *ga, ngroups;      /* r->data[ga[g] .. ga[g + 1]) share a source */
    size_t *s1, *s2;          /* scratch index arrays of r->ndata */
} chk;

/* ---- report building ---- */

/* Writes a JSON path into a PATH_MAX_LEN buffer (cut short if longer). */
static void pathf(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pathf(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, PATH_MAX_LEN, fmt, ap);
    va_end(ap);
}

static hy_err grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return HY_OK;
    size_t nc = *cap ? *cap * 2 : 16;
    void *q = realloc(*p, nc * size);
    if (!q)
        return HY_ERR_NOMEM;
    *p = q;
    *cap = nc;
    return HY_OK;
}

static hy_err note(chk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static hy_err note(chk *k, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    if (k->r->nnotes >= HY_CVE_MAX_NOTES)
        return HY_OK;
    if (grow((void **)&k->r->notes, &k->cap_notes, k->r->nnotes, sizeof(char *)) != HY_OK)
        return HY_ERR_NOMEM;
    va_start(ap, fmt);
    int rc = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (rc < 0)
        return HY_ERR_NOMEM;
    k->r->notes[k->r->nnotes++] = s;
    return HY_OK;
}

static hy_err finding(chk *k, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static hy_err finding(chk *k, const char *kind, const char *fmt, ...)
{
    va_list ap;
    char *d = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&d, fmt, ap);
    va_end(ap);
    if (n < 0)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < k->r->nfindings; i++)
        if (strcmp(k->r->findings[i].kind, kind) == 0 && strcmp(k->r->findings[i].detail, d) == 0) {
            free(d);
            return HY_OK;
        }
    if (k->r->nfindings >= HY_CVE_MAX_FINDINGS) {
        free(d);
        if (k->findings_full)
            return HY_OK;
        k->findings_full = true;
        return note(k, "more than %u findings: the rest were dropped", HY_CVE_MAX_FINDINGS);
    }
    if (grow((void **)&k->r->findings, &k->cap_find, k->r->nfindings, sizeof(hy_intel_finding)) !=
        HY_OK) {
        free(d);
        return HY_ERR_NOMEM;
    }
    hy_intel_finding *f = &k->r->findings[k->r->nfindings];
    f->kind = strdup(kind);
    f->subject = strdup(k->r->id);
    f->detail = d;
    if (!f->kind || !f->subject) {
        free(f->kind);
        free(f->subject);
        free(d);
        return HY_ERR_NOMEM;
    }
    k->r->nfindings++;
    return HY_OK;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Appends a structured range (strings copied). */
static hy_err add_data(chk *k, const char *product, const char *lo, bool lo_incl, const char *hi,
                       bool hi_incl, const char *type, const char *source, const char *origin)
{
    if (k->r->ndata >= HY_CVE_MAX_DATA)
        return hy_err_set(HY_ERR_TOOBIG, "%s: %s: more than %u structured version ranges", k->name,
                          origin, HY_CVE_MAX_DATA);
    if (grow((void **)&k->r->data, &k->cap_data, k->r->ndata, sizeof(hy_cve_range)) != HY_OK)
        return HY_ERR_NOMEM;
    hy_cve_range *r = &k->r->data[k->r->ndata];
    memset(r, 0, sizeof *r);
    r->low_incl = lo_incl;
    r->high_incl = hi_incl;
    r->product = dup_or_null(product);
    r->low = dup_or_null(lo);
    r->high = dup_or_null(hi);
    r->type = dup_or_null(type);
    r->source = strdup(source);
    r->origin = strdup(origin);
    k->r->ndata++;
    if ((product && !r->product) || (lo && !r->low) || (hi && !r->high) || (type && !r->type) ||
        !r->source || !r->origin)
        return HY_ERR_NOMEM;
    return HY_OK;
}

/* ---- JSON access ---- */

static const char *type_name(int t)
{
    switch (t) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "a value";
    }
}

/* The member key of obj at path: NULL when absent (an error when required),
 * HY_ERR_FORMAT when of another JSON type than t. */
static hy_err member(const chk *k, json_t *obj, const char *path, const char *key, int t,
                     bool required, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return hy_err_set(HY_ERR_FORMAT, "%s: %s%s%s: missing", k->name, path, *path ? "." : "",
                              key);
        return HY_OK;
    }
    bool ok = t == JSON_TRUE ? json_is_boolean(v) : (int)json_typeof(v) == t;
    if (!ok)
        return hy_err_set(HY_ERR_FORMAT, "%s: %s%s%s: expected %s", k->name, path, *path ? "." : "",
                          key, type_name(t));
    *out = v;
    return HY_OK;
}

static hy_err member_str(const chk *k, json_t *obj, const char *path, const char *key,
                         bool required, const char **out)
{
    json_t *v;
    hy_err rc = member(k, obj, path, key, JSON_STRING, required, &v);
    *out = v ? json_string_value(v) : NULL;
    return rc;
}

/* An array member no longer than cap. */
static hy_err member_arr(const chk *k, json_t *obj, const char *path, const char *key, size_t cap,
                         json_t **out)
{
    hy_err rc = member(k, obj, path, key, JSON_ARRAY, false, out);
    if (rc == HY_OK && *out && json_array_size(*out) > cap)
        return hy_err_set(HY_ERR_TOOBIG, "%s: %s.%s: %zu entries (the cap is %zu)", k->name, path,
                          key, json_array_size(*out), cap);
    return rc;
}

static hy_err elem_obj(const chk *k, json_t *arr, size_t i, const char *path, json_t **out)
{
    *out = json_array_get(arr, i);
    if (!json_is_object(*out))
        return hy_err_set(HY_ERR_FORMAT, "%s: %s[%zu]: expected an object", k->name, path, i);
    return HY_OK;
}

/* ---- affected[] ---- */

/* A data version as a comparable string: "22.0.5 (Build 63914)" -> "22.0.5". */
static void clean_version(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);
    const char *p = strstr(s, " (");
    if (p && n && s[n - 1] == ')')
        n = (size_t)(p - s);
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), s);
}

typedef struct seg_in {
    const char *product, *type, *source, *path;
    const char *lo, *hi; /* cleaned strings; NULL when open */
    bool hi_incl;
    hy__cve_bound blo, bhi;
    const char *hi_bad; /* the reason the upper bound is incomparable, or NULL */
} seg_in;

/* Emits [lo, hi] (strings) when affected and not empty. */
static hy_err segment(chk *k, const seg_in *s, const char *lo, bool lo_incl,
                      const hy__cve_bound *blo, const char *hi, bool hi_incl,
                      const hy__cve_bound *bhi, bool affected, bool last)
{
    if (!affected)
        return HY_OK;
    if (last && s->hi_bad)
        return note(k, "%s: an affected range ends at an incomparable version (%s); skipped",
                    s->path, s->hi_bad);
    if (hy__cve_empty(blo, bhi) && !(last && lo == s->lo))
        return HY_OK; /* a change at the very start or end of the range */
    if (hy__cve_empty(blo, bhi))
        return note(k,
                    "%s: the range %s .. %s is empty in version order (versionType %s); "
                    "skipped",
                    s->path, lo ? lo : "(open)", hi ? hi : "(open)", s->type ? s->type : "unset");
    return add_data(k, s->product, lo, lo_incl, hi, hi_incl, s->type, s->source, s->path);
}

static bool valid_status(const char *s)
{
    return !strcmp(s, "affected") || !strcmp(s, "unaffected") || !strcmp(s, "unknown");
}

typedef struct change {
    const char *at;
    bool affected;
    hy_cve_version v;
} change;

static int change_cmp(const void *a, const void *b)
{
    return hy_cve_version_cmp(&((const change *)a)->v, &((const change *)b)->v);
}

/* changes[] of one version entry, parsed and sorted; *n = 0 with a note when
 * one is incomparable. */
static hy_err read_changes(chk *k, json_t *arr, const char *path, const char *type, change *ch,
                           size_t *n)
{
    char p[PATH_MAX_LEN];
    *n = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *c;
        const char *at, *st;
        hy_err rc;
        pathf(p, "%s.changes", path);
        if ((rc = elem_obj(k, arr, i, p, &c)) != HY_OK)
            return rc;
        pathf(p, "%s.changes[%zu]", path, i);
        if ((rc = member_str(k, c, p, "at", true, &at)) != HY_OK ||
            (rc = member_str(k, c, p, "status", true, &st)) != HY_OK)
            return rc;
        if (!valid_status(st))
            return hy_err_set(HY_ERR_FORMAT,
                              "%s: %s.status: expected affected, unaffected or unknown", k->name,
                              p);
        if (hy_cve_version_parse(at, strlen(at), type, &ch[*n].v) != HY_OK) {
            *n = 0;
            return note(k, "%s.at: %s; the changes were ignored", p, hy_err_detail());
        }
        ch[*n].at = at;
        ch[(*n)++].affected = strcmp(st, "affected") == 0;
    }
    qsort(ch, *n, sizeof *ch, change_cmp);
    return HY_OK;
}

/* A versions[] entry with lessThan or lessThanOrEqual, split at its changes. */
static hy_err ranged_version(chk *k, seg_in *s, bool affected, json_t *changes)
{
    change ch[HY_CVE_MAX_CHANGES];
    size_t n = 0;
    hy_err rc = HY_OK;
    if (changes && (rc = read_changes(k, changes, s->path, s->type, ch, &n)) != HY_OK)
        return rc;
    const char *lo = s->lo;
    bool lo_incl = true;
    hy__cve_bound blo = s->blo;
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        hy__cve_bound at = {.set = true, .incl = false, .v = ch[i].v};
        if (s->bhi.set) {
            int c = hy_cve_version_cmp(&ch[i].v, &s->bhi.v);
            if (c > 0 || (c == 0 && !s->bhi.incl))
                break; /* past the end of the range */
        }
        rc = segment(k, s, lo, lo_incl, &blo, ch[i].at, false, &at, affected, false);
        lo = ch[i].at;
        lo_incl = true;
        blo = at;
        blo.incl = true;
        affected = ch[i].affected;
    }
    if (rc == HY_OK)
        rc = segment(k, s, lo, lo_incl, &blo, s->hi, s->hi_incl, &s->bhi, affected, true);
    return rc;
}

static hy_err one_version(chk *k, json_t *ver, const char *path, const char *product,
                          const char *source)
{
    const char *v, *st, *lt, *le, *type;
    json_t *changes;
    char lo[HY_CVE_MAX_VERSION + 1], hi[HY_CVE_MAX_VERSION + 1];
    hy_err rc;
    if ((rc = member_str(k, ver, path, "version", true, &v)) != HY_OK ||
        (rc = member_str(k, ver, path, "status", true, &st)) != HY_OK ||
        (rc = member_str(k, ver, path, "lessThan", false, &lt)) != HY_OK ||
        (rc = member_str(k, ver, path, "lessThanOrEqual", false, &le)) != HY_OK ||
        (rc = member_str(k, ver, path, "versionType", false, &type)) != HY_OK ||
        (rc = member_arr(k, ver, path, "changes", HY_CVE_MAX_CHANGES, &changes)) != HY_OK)
        return rc;
    if (!valid_status(st))
        return hy_err_set(HY_ERR_FORMAT, "%s: %s.status: expected affected, unaffected or unknown",
                          k->name, path);
    bool affected = strcmp(st, "affected") == 0;
    seg_in s = {.product = product, .type = type, .source = source, .path = path};
    clean_version(v, lo, sizeof lo);
    if (!lt && !le) {
        if (!affected)
            return HY_OK;
        if (hy__cve_bound_parse(lo, true, type, true, &s.bhi) != HY_OK)
            return note(k, "%s.version: %s; skipped", path, hy_err_detail());
        if (!s.bhi.set)
            return note(k, "%s.version: '*' names no single version; skipped", path);
        return add_data(k, product, lo, true, lo, true, type, source, path);
    }
    if (lt && le &&
        (rc = note(k, "%s: both lessThan and lessThanOrEqual; lessThan used", path)) != HY_OK)
        return rc;
    clean_version(lt ? lt : le, hi, sizeof hi);
    s.hi_incl = !lt;
    if (hy__cve_bound_parse(lo, true, type, false, &s.blo) != HY_OK) {
        /* "Apache Log4j2" below 2.16.0: every version below; "13.1-FIPS"
         * below 37.164: a scheme of its own */
        if (isdigit((unsigned char)lo[0]))
            return note(k, "%s.version: %s; skipped", path, hy_err_detail());
        if ((rc = note(k, "%s.version: %s; taken as no lower bound", path, hy_err_detail())) !=
            HY_OK)
            return rc;
    } else if (s.blo.set) {
        s.lo = lo;
    }
    if (hy__cve_bound_parse(hi, s.hi_incl, type, true, &s.bhi) != HY_OK)
        s.hi_bad = hy_err_detail();
    else if (s.bhi.set)
        s.hi = hi;
    char why[200];
    if (s.hi_bad) { /* the detail changes with the next error: keep a copy */
        snprintf(why, sizeof why, "%s", s.hi_bad);
        s.hi_bad = why;
    }
    return ranged_version(k, &s, affected, changes);
}

/* One affected[] entry: its versions, or its defaultStatus alone. */
static hy_err one_affected(chk *k, json_t *e, const char *path, const char *source)
{
    const char *product, *vendor, *pkg, *def;
    json_t *versions;
    char p[PATH_MAX_LEN];
    hy_err rc;
    if ((rc = member_str(k, e, path, "product", false, &product)) != HY_OK ||
        (rc = member_str(k, e, path, "vendor", false, &vendor)) != HY_OK ||
        (rc = member_str(k, e, path, "packageName", false, &pkg)) != HY_OK ||
        (rc = member_str(k, e, path, "defaultStatus", false, &def)) != HY_OK ||
        (rc = member_arr(k, e, path, "versions", HY_CVE_MAX_VERSIONS, &versions)) != HY_OK)
        return rc;
    char prod[HY_CVE_MAX_PRODUCT];
    snprintf(prod, sizeof prod, "%s", product ? product : pkg ? pkg : "");
    bool all = def && strcmp(def, "affected") == 0;
    if (!versions || json_array_size(versions) == 0) {
        if (!all)
            return HY_OK;
        pathf(p, "%s.defaultStatus", path);
        return add_data(k, prod[0] ? prod : NULL, NULL, false, NULL, false, NULL, source, p);
    }
    if (all && (rc = note(k,
                          "%s: defaultStatus affected with versions listed: only the listed "
                          "affected ranges are compared",
                          path)) != HY_OK)
        return rc;
    for (size_t i = 0; i < json_array_size(versions) && rc == HY_OK; i++) {
        json_t *v;
        pathf(p, "%s.versions", path);
        if ((rc = elem_obj(k, versions, i, p, &v)) != HY_OK)
            return rc;
        pathf(p, "%s.versions[%zu]", path, i);
        rc = one_version(k, v, p, prod[0] ? prod : NULL, source);
    }
    return rc;
}

/* ---- CPE configurations (cpeApplicability, NVD configurations) ---- */

/* Field f (0-based) of a CPE 2.3 formatted string, unescaped, into buf. */
static bool cpe_field(const char *cpe, int f, char *buf, size_t size)
{
    int i = 0;
    size_t n = 0;
    for (const char *p = cpe; *p; p++) {
        if (*p == '\\' && p[1]) {
            if (i == f && n + 1 < size)
                buf[n++] = p[1];
            p++;
        } else if (*p == ':') {
            if (i++ == f)
                break;
        } else if (i == f && n + 1 < size) {
            buf[n++] = *p;
        }
    }
    buf[n] = '\0';
    return i >= f;
}

static hy_err cpe_match(chk *k, json_t *m, const char *path, const char *source)
{
    json_t *vuln;
    const char *crit, *uri, *si, *se, *ei, *ee;
    char product[HY_CVE_MAX_PRODUCT], version[HY_CVE_MAX_VERSION + 1];
    hy_err rc;
    if ((rc = member(k, m, path, "vulnerable", JSON_TRUE, false, &vuln)) != HY_OK ||
        (rc = member_str(k, m, path, "criteria", false, &crit)) != HY_OK ||
        (rc = member_str(k, m, path, "cpe23Uri", false, &uri)) != HY_OK ||
        (rc = member_str(k, m, path, "versionStartIncluding", false, &si)) != HY_OK ||
        (rc = member_str(k, m, path, "versionStartExcluding", false, &se)) != HY_OK ||
        (rc = member_str(k, m, path, "versionEndIncluding", false, &ei)) != HY_OK ||
        (rc = member_str(k, m, path, "versionEndExcluding", false, &ee)) != HY_OK)
        return rc;
    crit = crit ? crit : uri;
    if (!crit)
        return hy_err_set(HY_ERR_FORMAT, "%s: %s.criteria: missing", k->name, path);
    if (vuln && json_is_false(vuln))
        return HY_OK;
    if (strncmp(crit, "cpe:2.3:", 8) != 0 || !cpe_field(crit, 5, version, sizeof version))
        return note(k, "%s: '%.80s' is not a CPE 2.3 name; skipped", path, crit);
    cpe_field(crit, 4, product, sizeof product);
    const char *lo = si ? si : se, *hi = ei ? ei : ee;
    if (!lo && !hi && strcmp(version, "*") != 0) {
        if (strcmp(version, "-") == 0)
            return note(k, "%s: the CPE names no version; skipped", path);
        lo = hi = version;
        si = ei = version;
    }
    hy__cve_bound b;
    if ((lo && hy__cve_bound_parse(lo, true, NULL, false, &b) != HY_OK) ||
        (hi && hy__cve_bound_parse(hi, true, NULL, true, &b) != HY_OK))
        return note(k, "%s: %s; skipped", path, hy_err_detail());
    return add_data(k, product, lo, lo == si, hi, hi == ei, NULL, source, path);
}

static hy_err cpe_nodes(chk *k, json_t *nodes, const char *path, const char *source, int depth)
{
    char p[PATH_MAX_LEN];
    hy_err rc = HY_OK;
    if (!json_is_array(nodes))
        return hy_err_set(HY_ERR_FORMAT, "%s: %s: expected an array", k->name, path);
    if (depth > HY_CVE_MAX_CPE_DEPTH)
        return hy_err_set(HY_ERR_TOOBIG, "%s: %s: CPE nodes nested over %d deep", k->name, path,
                          HY_CVE_MAX_CPE_DEPTH);
    for (size_t i = 0; i < json_array_size(nodes) && rc == HY_OK; i++) {
        json_t *node, *neg, *matches, *alt, *children;
        if (++k->ncpe > HY_CVE_MAX_CPE)
            return hy_err_set(HY_ERR_TOOBIG, "%s: %s: more than %u CPE nodes and matches", k->name,
                              path, HY_CVE_MAX_CPE);
        if ((rc = elem_obj(k, nodes, i, path, &node)) != HY_OK)
            return rc;
        pathf(p, "%s[%zu]", path, i);
        if ((rc = member(k, node, p, "negate", JSON_TRUE, false, &neg)) != HY_OK ||
            (rc = member_arr(k, node, p, "cpeMatch", HY_CVE_MAX_CPE, &matches)) != HY_OK ||
            (rc = member_arr(k, node, p, "cpe_match", HY_CVE_MAX_CPE, &alt)) != HY_OK ||
            (rc = member_arr(k, node, p, "children", HY_CVE_MAX_CPE, &children)) != HY_OK)
            return rc;
        if (neg && json_is_true(neg)) {
            rc = note(k, "%s: a negated CPE node; skipped", p);
            continue;
        }
        matches = matches ? matches : alt;
        const char *key = matches == alt ? "cpe_match" : "cpeMatch";
        for (size_t j = 0; j < json_array_size(matches) && rc == HY_OK; j++) {
            json_t *m;
            char mp[PATH_MAX_LEN];
            if (++k->ncpe > HY_CVE_MAX_CPE)
                return hy_err_set(HY_ERR_TOOBIG, "%s: %s: more than %u CPE nodes and matches",
                                  k->name, p, HY_CVE_MAX_CPE);
            pathf(mp, "%s.%s", p, key);
            if ((rc = elem_obj(k, matches, j, mp, &m)) != HY_OK)
                return rc;
            pathf(mp, "%s.%s[%zu]", p, key, j);
            rc = cpe_match(k, m, mp, source);
        }
        if (rc == HY_OK && children) {
            pathf(p, "%s[%zu].children", path, i);
            rc = cpe_nodes(k, children, p, source, depth + 1);
        }
    }
    return rc;
}

/* cpeApplicability[] / configurations[] of a container or record: the
 * elements holding CPE nodes (CVE JSON 5's configurations are prose and
 * are skipped). */
static hy_err cpe_configs(chk *k, json_t *obj, const char *path, const char *key,
                          const char *source)
{
    json_t *cfg = json_object_get(obj, key);
    char p[PATH_MAX_LEN];
    hy_err rc = HY_OK;
    if (!cfg || json_is_null(cfg))
        return HY_OK;
    if (json_is_object(cfg)) { /* NVD 1.1: {"nodes": [...]} */
        json_t *nodes = json_object_get(cfg, "nodes");
        pathf(p, "%s%s%s.nodes", path, *path ? "." : "", key);
        return nodes ? cpe_nodes(k, nodes, p, source, 0) : HY_OK;
    }
    if (!json_is_array(cfg))
        return hy_err_set(HY_ERR_FORMAT, "%s: %s%s%s: expected an array", k->name, path,
                          *path ? "." : "", key);
    if (json_array_size(cfg) > HY_CVE_MAX_CPE)
        return hy_err_set(HY_ERR_TOOBIG, "%s: %s.%s: too many entries", k->name, path, key);
    for (size_t i = 0; i < json_array_size(cfg) && rc == HY_OK; i++) {
        json_t *e = json_array_get(cfg, i), *nodes = json_object_get(e, "nodes");
        if (!nodes)
            continue;
        pathf(p, "%s%s%s[%zu].nodes", path, *path ? "." : "", key, i);
        rc = cpe_nodes(k, nodes, p, source, 0);
    }
    return rc;
}

/* One container (cna or an adp): affected[] and CPE configurations. */
static hy_err container(chk *k, json_t *c, const char *path, const char *source)
{
    json_t *aff;
    char p[PATH_MAX_LEN];
    hy_err rc = member_arr(k, c, path, "affected", HY_CVE_MAX_AFFECTED, &aff);
    for (size_t i = 0; rc == HY_OK && i < json_array_size(aff); i++) {
        json_t *e;
        pathf(p, "%s.affected", path);
        if ((rc = elem_obj(k, aff, i, p, &e)) != HY_OK)
            return rc;
        pathf(p, "%s.affected[%zu]", path, i);
        rc = one_affected(k, e, p, source);
    }
    if (rc == HY_OK)
        rc = cpe_configs(k, c, path, "cpeApplicability", source);
    if (rc == HY_OK)
        rc = cpe_configs(k, c, path, "configurations", source);
    return rc;
}

/* ---- the record ---- */

static bool valid_cve_id(const char *s)
{
    size_t n = strlen(s), i;
    if (n < 13 || n >= HY_CVE_ID_MAX || strncmp(s, "CVE-", 4) != 0 || s[8] != '-')
        return false;
    for (i = 4; i < n; i++)
        if (i != 8 && !isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* The first English description (else the first one). */
static hy_err read_description(chk *k, json_t *cna)
{
    json_t *descs, *first = NULL, *en = NULL;
    hy_err rc = member_arr(k, cna, "containers.cna", "descriptions", HY_CVE_MAX_AFFECTED, &descs);
    for (size_t i = 0; rc == HY_OK && i < json_array_size(descs); i++) {
        const char *lang, *value;
        json_t *d;
        char p[PATH_MAX_LEN];
        if ((rc = elem_obj(k, descs, i, "containers.cna.descriptions", &d)) != HY_OK)
            return rc;
        pathf(p, "containers.cna.descriptions[%zu]", i);
        if ((rc = member_str(k, d, p, "lang", true, &lang)) != HY_OK ||
            (rc = member_str(k, d, p, "value", true, &value)) != HY_OK)
            return rc;
        first = first ? first : d;
        if (!en && strncasecmp(lang, "en", 2) == 0)
            en = d;
    }
    json_t *pick = en ? en : first;
    if (rc != HY_OK || !pick)
        return rc;
    if (!(k->r->description = strdup(json_string_value(json_object_get(pick, "value")))))
        return HY_ERR_NOMEM;
    return HY_OK;
}

static hy_err read_record(chk *k, json_t *root)
{
    json_t *meta, *cons, *cna, *adp;
    const char *dt, *id;
    hy_err rc;
    if (!json_is_object(root))
        return hy_err_set(HY_ERR_FORMAT, "%s: expected a JSON object (a CVE record)", k->name);
    if ((rc = member_str(k, root, "", "dataType", false, &dt)) != HY_OK)
        return rc;
    if (dt && strcmp(dt, "CVE_RECORD") != 0)
        return hy_err_set(HY_ERR_UNSUPPORTED,
                          "%s: dataType '%.40s' is not a CVE record "
                          "(CVE_RECORD)",
                          k->name, dt);
    if ((rc = member(k, root, "", "cveMetadata", JSON_OBJECT, true, &meta)) != HY_OK ||
        (rc = member_str(k, meta, "cveMetadata", "cveId", true, &id)) != HY_OK)
        return rc;
    if (!valid_cve_id(id))
        return hy_err_set(HY_ERR_FORMAT, "%s: cveMetadata.cveId: '%.40s' is not a CVE id", k->name,
                          id);
    snprintf(k->r->id, sizeof k->r->id, "%s", id);
    if ((rc = member(k, root, "", "containers", JSON_OBJECT, true, &cons)) != HY_OK ||
        (rc = member(k, cons, "containers", "cna", JSON_OBJECT, true, &cna)) != HY_OK ||
        (rc = member_arr(k, cons, "containers", "adp", HY_CVE_MAX_CONTAINERS, &adp)) != HY_OK ||
        (rc = read_description(k, cna)) != HY_OK ||
        (rc = container(k, cna, "containers.cna", "CNA")) != HY_OK)
        return rc;
    for (size_t i = 0; i < json_array_size(adp) && rc == HY_OK; i++) {
        json_t *a, *pm;
        const char *sn = NULL;
        char p[PATH_MAX_LEN], src[80];
        if ((rc = elem_obj(k, adp, i, "containers.adp", &a)) != HY_OK)
            return rc;
        pathf(p, "containers.adp[%zu]", i);
        if ((rc = member(k, a, p, "providerMetadata", JSON_OBJECT, false, &pm)) != HY_OK ||
            (pm && (rc = member_str(k, pm, "providerMetadata", "shortName", false, &sn)) != HY_OK))
            return rc;
        if (sn)
            snprintf(src, sizeof src, "ADP %.60s", sn);
        else
            snprintf(src, sizeof src, "ADP %zu", i);
        rc = container(k, a, p, src);
    }
    return rc == HY_OK ? cpe_configs(k, root, "", "configurations", "NVD") : rc;
}

/* ---- comparison ---- */

/* Lowercase words of a product name, one space apart; false when it names
 * none ("n/a", ""). */
static bool norm_product(const char *s, char *out, size_t size)
{
    size_t n = 0;
    if (!s || strcasecmp(s, "n/a") == 0)
        return false;
    for (; *s && n + 2 < size; s++) {
        if (isalnum((unsigned char)*s))
            out[n++] = (char)tolower((unsigned char)*s);
        else if (n && out[n - 1] != ' ')
            out[n++] = ' ';
    }
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return n > 0;
}

/* Whether text product tp (normalised; NULL: unnamed) may be data product
 * dp's: 2 when the names match, 1 when either is unnamed, 0 otherwise. */
static int product_match(const char *tp, const char *dp)
{
    if (!tp || !dp)
        return 1;
    return strstr(tp, dp) || strstr(dp, tp) ? 2 : 0;
}

/* Data ranges of source group g about product tp: those naming it, else
 * all of the group's, into k->s1. */
static size_t candidates(const chk *k, size_t g, const char *tp)
{
    size_t n = 0;
    for (size_t i = k->ga[g]; i < k->ga[g + 1]; i++)
        if (product_match(tp, k->dprod[i]) == 2)
            k->s1[n++] = i;
    for (size_t i = k->ga[g]; !n && i < k->ga[g + 1]; i++)
        k->s1[n++] = i;
    return n;
}

/* A range's bounds as words: "from 2.0-beta9 below 2.3.1", "below 4.0.4",
 * "every version". */
static void range_words(const hy_cve_range *r, char *buf, size_t size)
{
    char lo[160], hi[160];
    hy__cve_bound_str(r->low, r->low_incl, false, lo, sizeof lo);
    hy__cve_bound_str(r->high, r->high_incl, true, hi, sizeof hi);
    if (r->low && r->high && strcmp(r->low, r->high) == 0 && r->low_incl && r->high_incl)
        snprintf(buf, size, "%.128s only", r->low);
    else if (r->low || r->high)
        snprintf(buf, size, "%s%s%s", r->low ? lo : "", r->low && r->high ? " " : "",
                 r->high ? hi : "");
    else
        snprintf(buf, size, "every version");
}

static const char *label(const hy_cve_range *t, const hy_cve_range *d)
{
    return t->product ? t->product : d && d->product ? d->product : "(unnamed product)";
}

/* A bound of text range t against its partner d (upper or lower). */
static hy_err bound_finding(chk *k, const hy_cve_range *t, const hy_cve_range *d, bool upper,
                            bool missing)
{
    char tb[160], db[160];
    hy__cve_bound_str(upper ? t->high : t->low, upper ? t->high_incl : t->low_incl, upper, tb,
                      sizeof tb);
    hy__cve_bound_str(upper ? d->high : d->low, upper ? d->high_incl : d->low_incl, upper, db,
                      sizeof db);
    if (missing)
        return finding(k, "cve-version-missing-bound",
                       "%s: %s bound missing: the description (\"%s\") says %s; the %s data (%s) "
                       "gives %s",
                       label(t, d), upper ? "upper" : "lower", t->origin, tb, d->source, d->origin,
                       db);
    return finding(k, "cve-version-mismatch",
                   "%s: %s bound differs: the description (\"%s\") says %s; the %s data (%s) "
                   "says %s",
                   label(t, d), upper ? "upper" : "lower", t->origin, tb, d->source, d->origin, db);
}

static hy_err check_upper(chk *k, const hy_cve_range *t, const hy__cve_bound *thi, const size_t *ov,
                          size_t nov)
{
    size_t best = hy__cve_upper_partner(thi, k->dlo, k->dhi, ov, nov);
    if (best == SIZE_MAX)
        return HY_OK;
    return bound_finding(k, t, &k->r->data[best], true, !k->dhi[best].set);
}

static hy_err check_lower(chk *k, const hy_cve_range *t, const hy__cve_bound *tlo, const size_t *ov,
                          size_t nov)
{
    size_t best = hy__cve_lower_partner(tlo, k->dlo, ov, nov);
    if (best == SIZE_MAX)
        return HY_OK;
    return bound_finding(k, t, &k->r->data[best], false, !k->dlo[best].set);
}

/* Unaffected versions between the data ranges ov (inside text range t). */
static hy_err check_gaps(chk *k, const hy_cve_range *t, size_t *ov, size_t nov)
{
    hy__cve_sort_by_lower(ov, nov, k->dlo);
    size_t top = ov[0]; /* the range reaching highest so far */
    for (size_t i = 1; i < nov; i++) {
        const hy__cve_bound *h = &k->dhi[top], *l = &k->dlo[ov[i]];
        if (!h->set)
            return HY_OK;
        hy__cve_bound glo = *h, ghi = *l;
        glo.incl = !h->incl;
        ghi.incl = !l->incl;
        if (l->set && !hy__cve_empty(&glo, &ghi)) {
            const hy_cve_range *a = &k->r->data[top], *b = &k->r->data[ov[i]];
            char lo[160], hi[160];
            hy__cve_bound_str(a->high, !a->high_incl, false, lo, sizeof lo);
            hy__cve_bound_str(b->low, !b->low_incl, true, hi, sizeof hi);
            hy_err rc = finding(k, "cve-version-mismatch",
                                "%s: the description (\"%s\") states one affected range; the %s "
                                "data (%s, %s) leaves out the versions %s and %s",
                                label(t, a), t->origin, a->source, a->origin, b->origin, lo, hi);
            if (rc != HY_OK)
                return rc;
        }
        const hy__cve_bound *nh = &k->dhi[ov[i]];
        if (!nh->set || hy_cve_version_cmp(&nh->v, &h->v) > 0)
            top = ov[i];
    }
    return HY_OK;
}

/* Text range t against the data ranges k->s1[0..nc) of one source. */
static hy_err check_source(chk *k, const hy_cve_range *t, const hy__cve_bound *tlo,
                           const hy__cve_bound *thi, size_t nc)
{
    size_t nov = 0, *ov = k->s2;
    hy_err rc = HY_OK;
    for (size_t j = 0; j < nc; j++)
        if (hy__cve_overlap(tlo, thi, &k->dlo[k->s1[j]], &k->dhi[k->s1[j]]))
            ov[nov++] = k->s1[j];
    if (nov == 0) {
        const hy_cve_range *d = &k->r->data[k->s1[0]];
        char tw[330], dw[330];
        range_words(t, tw, sizeof tw);
        range_words(d, dw, sizeof dw);
        return finding(k, "cve-version-uncovered",
                       "%s: the description (\"%s\") says %s; no affected range in the %s data "
                       "overlaps it (%zu range%s, such as %s at %s)",
                       label(t, d), t->origin, tw, d->source, nc, nc == 1 ? "" : "s", dw,
                       d->origin);
    }
    if (thi->set)
        rc = check_upper(k, t, thi, ov, nov);
    if (rc == HY_OK && tlo->set)
        rc = check_lower(k, t, tlo, ov, nov);
    if (rc == HY_OK && tlo->set && thi->set && nov > 1)
        rc = check_gaps(k, t, ov, nov);
    return rc;
}

static hy_err check_text(chk *k, const hy_cve_range *t)
{
    hy__cve_bound lo, hi;
    char tp[HY_CVE_MAX_PRODUCT];
    bool named = norm_product(t->product, tp, sizeof tp);
    if (hy__cve_bound_parse(t->low, t->low_incl, NULL, false, &lo) != HY_OK ||
        hy__cve_bound_parse(t->high, t->high_incl, NULL, true, &hi) != HY_OK)
        return note(k, "description: \"%s\": %s", t->origin, hy_err_detail());
    if (k->r->ndata == 0) {
        char tw[330];
        range_words(t, tw, sizeof tw);
        return finding(k, "cve-version-unstructured",
                       "%s: the description (\"%s\") says %s, but no structured entry holds a "
                       "comparable version",
                       label(t, NULL), t->origin, tw);
    }
    hy_err rc = HY_OK;
    for (size_t g = 0; g < k->ngroups && rc == HY_OK; g++)
        rc = check_source(k, t, &lo, &hi, candidates(k, g, named ? tp : NULL));
    return rc;
}

/* A version the text calls fixed that the data marks affected. */
static hy_err check_fixed(chk *k, const hy_cve_range *f)
{
    hy_cve_version v;
    char fp[HY_CVE_MAX_PRODUCT];
    bool named = norm_product(f->product, fp, sizeof fp);
    hy_err rc = HY_OK;
    if (hy_cve_version_parse(f->low, strlen(f->low), NULL, &v) != HY_OK)
        return HY_OK;
    for (size_t g = 0; g < k->ngroups && rc == HY_OK; g++) {
        size_t nc = candidates(k, g, named ? fp : NULL);
        for (size_t j = 0; j < nc; j++) {
            const hy_cve_range *d = &k->r->data[k->s1[j]];
            if (!hy__cve_contains(&k->dlo[k->s1[j]], &k->dhi[k->s1[j]], &v))
                continue;
            char dw[330];
            range_words(d, dw, sizeof dw);
            rc = finding(k, "cve-version-fixed-affected",
                         "%s: the description (\"%s\") names %s as fixed; the %s data (%s) marks "
                         "it affected (%s)",
                         label(f, d), f->origin, f->low, d->source, d->origin, dw);
            break;
        }
    }
    return rc;
}

/* Parsed bounds, normalised products and source groups of the data. */
static hy_err prepare(chk *k)
{
    size_t n = k->r->ndata ? k->r->ndata : 1;
    k->s1 = malloc(n * sizeof *k->s1);
    k->s2 = malloc(n * sizeof *k->s2);
    k->ga = malloc((n + 1) * sizeof *k->ga);
    k->dprod = calloc(n, sizeof *k->dprod);
    k->dlo = calloc(n, sizeof *k->dlo);
    k->dhi = calloc(n, sizeof *k->dhi);
    if (!k->s1 || !k->s2 || !k->ga || !k->dprod || !k->dlo || !k->dhi)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < k->r->ndata; i++) {
        const hy_cve_range *d = &k->r->data[i];
        char p[HY_CVE_MAX_PRODUCT];
        if (hy__cve_bound_parse(d->low, d->low_incl, d->type, false, &k->dlo[i]) != HY_OK ||
            hy__cve_bound_parse(d->high, d->high_incl, d->type, true, &k->dhi[i]) != HY_OK)
            return hy_err_set(HY_ERR_INTERNAL, "%s: %s: a stored bound no longer parses", k->name,
                              d->origin);
        if (norm_product(d->product, p, sizeof p) && !(k->dprod[i] = strdup(p)))
            return HY_ERR_NOMEM;
        if (i == 0 || strcmp(d->source, k->r->data[i - 1].source) != 0)
            k->ga[k->ngroups++] = i;
    }
    k->ga[k->ngroups] = k->r->ndata;
    return HY_OK;
}

static hy_err compare(chk *k)
{
    hy_err rc = prepare(k);
    for (size_t i = 0; i < k->r->ntext && rc == HY_OK; i++)
        rc = check_text(k, &k->r->text[i]);
    for (size_t i = 0; i < k->r->nfixed && rc == HY_OK; i++)
        rc = check_fixed(k, &k->r->fixed[i]);
    return rc;
}

static hy_err parse_text(chk *k)
{
    const char *d = k->r->description;
    size_t len = d ? strlen(d) : 0;
    hy_err rc = HY_OK;
    if (len > HY_CVE_MAX_TEXT) {
        len = HY_CVE_MAX_TEXT;
        rc =
            note(k, "description: only its first %u bytes were read for versions", HY_CVE_MAX_TEXT);
    }
    if (rc == HY_OK && d)
        rc = hy_cve_text_parse(d, len, &k->r->text, &k->r->ntext, &k->r->fixed, &k->r->nfixed);
    if (rc != HY_OK && rc != HY_ERR_NOMEM)
        rc = hy_err_set(rc, "%s: containers.cna.descriptions: %s", k->name, hy_err_detail());
    return rc;
}

hy_err hy_cve_check(const char *name, const uint8_t *json, size_t n, hy_cve_report *out)
{
    json_error_t e;
    json_t *root = NULL;
    hy_err rc;
    if (!out || (!json && n))
        return hy_err_set(HY_ERR_ARG, "cve: NULL argument");
    memset(out, 0, sizeof *out);
    chk k = {.name = name ? name : "<memory>", .r = out};
    if (n == 0)
        return hy_err_set(HY_ERR_FORMAT, "%s: empty input", k.name);
    if (n > HY_MAX_JSON_DOC)
        return hy_err_set(HY_ERR_TOOBIG, "%s: %zu bytes (the cap is %u)", k.name, n,
                          HY_MAX_JSON_DOC);
    if (!(root = json_loadb((const char *)json, n, JSON_REJECT_DUPLICATES, &e))) {
        rc = hy_err_set(HY_ERR_FORMAT, "%s: JSON error at line %d, column %d: %s", k.name, e.line,
                        e.column, e.text);
        goto out;
    }
    if ((rc = read_record(&k, root)) == HY_OK && (rc = parse_text(&k)) == HY_OK)
        rc = compare(&k);
out:
    json_decref(root);
    for (size_t i = 0; k.dprod && i < out->ndata; i++)
        free(k.dprod[i]);
    free(k.dprod);
    free(k.dlo);
    free(k.dhi);
    free(k.ga);
    free(k.s1);
    free(k.s2);
    if (rc != HY_OK) {
        hy_cve_report_free(out);
        if (rc == HY_ERR_NOMEM)
            hy_err_set(rc, "%s: out of memory", k.name);
    }
    return rc;
}

void hy_cve_report_free(hy_cve_report *r)
{
    if (!r)
        return;
    free(r->description);
    hy_cve_ranges_free(r->data, r->ndata);
    hy_cve_ranges_free(r->text, r->ntext);
    hy_cve_ranges_free(r->fixed, r->nfixed);
    for (size_t i = 0; i < r->nfindings; i++) {
        free(r->findings[i].kind);
        free(r->findings[i].subject);
        free(r->findings[i].detail);
    }
    free(r->findings);
    for (size_t i = 0; i < r->nnotes; i++)
        free(r->notes[i]);
    free(r->notes);
    memset(r, 0, sizeof *r);
}
