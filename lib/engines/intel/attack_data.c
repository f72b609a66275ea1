/* Labelled sentences for the ATT&CK classifier: the data set and MITRE
 * TRAM's loaders (single_label.json, bootstrap-training-data.json, reports
 * annotated with the MITRE Annotation Toolkit), include/hayate/attack.h. */
#include "attack_model_int.h"
#include "hayate/io.h"
#include "hayate/limits.h"
#include "hayate/map.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the data set ---- */

hy_err hy_attack_data_create(hy_attack_data **out)
{
    if (!out)
        return hy_err_set(HY_ERR_ARG, "attack data: NULL output");
    hy_attack_data *d = calloc(1, sizeof *d);
    if (!d || hy_map_create(HY_ATTACK_MAX_CLASSES, NULL, &d->label_ix) != HY_OK ||
        hy_map_create(HY_ATTACK_MAX_GROUPS, NULL, &d->group_ix) != HY_OK) {
        hy_attack_data_free(d);
        *out = NULL;
        return hy_err_set(HY_ERR_NOMEM, "attack data: out of memory");
    }
    *out = d;
    return HY_OK;
}

void hy_attack_data_free(hy_attack_data *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->rows[i].text);
    for (size_t i = 0; i < d->nlabels; i++)
        free(d->labels[i]);
    for (size_t i = 0; i < d->ngroups; i++) {
        free(d->groups[i]);
        free(d->group_text[i]);
    }
    free(d->rows);
    free(d->labels);
    free(d->groups);
    free(d->group_text);
    free(d->group_len);
    hy_map_destroy(d->label_ix);
    hy_map_destroy(d->group_ix);
    free(d);
}

bool at_label_ok(const char *s, size_t n)
{
    if (n == 4 && memcmp(s, HY_ATTACK_NONE, 4) == 0)
        return true;
    if ((n != 5 && n != 9) || s[0] != 'T')
        return false;
    for (size_t i = 1; i < n; i++)
        if (i == 5 ? s[i] != '.' : (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

/* s[0..*n) without leading and trailing blanks (ASCII and U+00A0). */
static const char *trim(const char *s, size_t *n)
{
    for (;;) {
        if (*n && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) {
            s++, (*n)--;
        } else if (*n >= 2 && (uint8_t)s[0] == 0xc2 && (uint8_t)s[1] == 0xa0) {
            s += 2, *n -= 2;
        } else if (*n && (s[*n - 1] == ' ' || (s[*n - 1] >= '\t' && s[*n - 1] <= '\r'))) {
            (*n)--;
        } else if (*n >= 2 && (uint8_t)s[*n - 2] == 0xc2 && (uint8_t)s[*n - 1] == 0xa0) {
            *n -= 2;
        } else {
            return s;
        }
    }
}

/* Index of key in *names (interned through ix), added when new. */
static hy_err intern(hy_map *ix, char ***names, size_t *count, size_t cap, const char *key,
                     size_t klen, uint32_t *out)
{
    void *v = hy_map_get(ix, key, klen);
    if (v) {
        *out = (uint32_t)((uintptr_t)v - 1);
        return HY_OK;
    }
    if (*count >= cap)
        return hy_err_set(HY_ERR_TOOBIG, "attack data: more than %zu labels or groups", cap);
    char **p = realloc(*names, (*count + 1) * sizeof *p);
    if (!p)
        return hy_err_set(HY_ERR_NOMEM, "attack data: out of memory");
    *names = p;
    if (!(p[*count] = strndup(key, klen)))
        return hy_err_set(HY_ERR_NOMEM, "attack data: out of memory");
    hy_err rc = hy_map_put(ix, key, klen, (void *)(uintptr_t)(*count + 1));
    if (rc != HY_OK) {
        free(p[*count]);
        return rc;
    }
    *out = (uint32_t)(*count)++;
    return HY_OK;
}

static hy_err group_index(hy_attack_data *d, const char *group, uint32_t *gi)
{
    size_t gn = group ? strlen(group) : 0;
    const char *g = trim(group ? group : "", &gn);
    if (!gn)
        g = "(untitled)", gn = 10;
    size_t before = d->ngroups;
    hy_err rc = intern(d->group_ix, &d->groups, &d->ngroups, HY_ATTACK_MAX_GROUPS, g, gn, gi);
    if (rc != HY_OK || d->ngroups == before)
        return rc;
    char **t = realloc(d->group_text, d->ngroups * sizeof *t);
    if (t)
        d->group_text = t;
    size_t *l = realloc(d->group_len, d->ngroups * sizeof *l);
    if (l)
        d->group_len = l;
    if (!t || !l) {
        free(d->groups[--d->ngroups]);
        hy_map_del(d->group_ix, g, gn);
        return hy_err_set(HY_ERR_NOMEM, "attack data: out of memory");
    }
    d->group_text[*gi] = NULL;
    d->group_len[*gi] = 0;
    return HY_OK;
}

hy_err hy_attack_data_add(hy_attack_data *d, const char *text, size_t len, const char *label,
                          const char *group, hy_attack_source src)
{
    uint32_t li, gi;
    hy_err rc;
    if (!d || (!text && len) || !label)
        return hy_err_set(HY_ERR_ARG, "attack data: NULL argument");
    if (!at_label_ok(label, strlen(label)))
        return hy_err_set(HY_ERR_FORMAT, "label \"%.20s\" is neither none nor a technique id",
                          label);
    if (len > HY_ATTACK_MAX_TEXT)
        return hy_err_set(HY_ERR_FORMAT, "sentence of %zu bytes, more than %u", len,
                          HY_ATTACK_MAX_TEXT);
    if (d->n >= HY_ATTACK_MAX_ROWS)
        return hy_err_set(HY_ERR_TOOBIG, "more than %u sentences", HY_ATTACK_MAX_ROWS);
    if ((rc = intern(d->label_ix, &d->labels, &d->nlabels, HY_ATTACK_MAX_CLASSES, label,
                     strlen(label), &li)) != HY_OK ||
        (rc = group_index(d, group, &gi)) != HY_OK)
        return rc;
    if (d->n == d->cap) {
        size_t c = d->cap ? d->cap * 2 : 1024;
        hy_attack_row *p = realloc(d->rows, c * sizeof *p);
        if (!p)
            return hy_err_set(HY_ERR_NOMEM, "attack data: %zu sentences", c);
        d->rows = p;
        d->cap = c;
    }
    char *t = malloc(len + 1);
    if (!t)
        return hy_err_set(HY_ERR_NOMEM, "attack data: out of memory");
    if (len)
        memcpy(t, text, len);
    t[len] = '\0';
    d->rows[d->n++] = (hy_attack_row){t, len, li, gi, src};
    return HY_OK;
}

/* ---- JSON helpers ---- */

static hy_err json_parse(const char *name, const uint8_t *buf, size_t n, json_t **out)
{
    json_error_t je;
    if (!buf && n)
        return hy_err_set(HY_ERR_ARG, "%s: NULL buffer", name);
    if (n > HY_ATTACK_MAX_REPORT)
        return hy_err_set(HY_ERR_TOOBIG, "%s: %zu bytes, more than %u", name, n,
                          HY_ATTACK_MAX_REPORT);
    if (!(*out = json_loadb(n ? (const char *)buf : "", n, 0, &je)))
        return hy_err_set(HY_ERR_FORMAT, "%s: JSON line %d column %d: %s", name, je.line, je.column,
                          je.text);
    return HY_OK;
}

/* o's string field key: its bytes and length, or NULL. */
static const char *jstr(const json_t *o, const char *key, size_t *n)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return NULL;
    *n = json_string_length(v);
    return json_string_value(v);
}

/* Adds a row, prefixing an error with name and row. */
static hy_err add_row(hy_attack_data *d, const char *name, size_t row, const char *text, size_t len,
                      const char *label, const char *group, hy_attack_source src)
{
    hy_err rc = hy_attack_data_add(d, text, len, label, group, src);
    if (rc != HY_OK)
        return hy_err_set(rc, "%s: row %zu: %s", name, row, hy_err_detail());
    return HY_OK;
}

/* ---- single_label.json ---- */

hy_err hy_attack_parse_single_label(hy_attack_data *d, const char *name, const uint8_t *buf,
                                    size_t n)
{
    json_t *root = NULL;
    hy_err rc;
    name = name ? name : "single_label.json";
    if (!d)
        return hy_err_set(HY_ERR_ARG, "%s: NULL data set", name);
    if ((rc = json_parse(name, buf, n, &root)) != HY_OK)
        return rc;
    if (!json_is_array(root)) {
        rc = hy_err_set(HY_ERR_FORMAT, "%s: not a JSON array", name);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(root) && rc == HY_OK; i++) {
        const json_t *o = json_array_get(root, i);
        size_t tn = 0, ln = 0, gn = 0;
        const char *t = jstr(o, "text", &tn), *l = jstr(o, "label", &ln),
                   *g = jstr(o, "doc_title", &gn);
        if (!t || !l || !g || strlen(l) != ln || strlen(g) != gn) {
            rc = hy_err_set(HY_ERR_FORMAT,
                            "%s: row %zu: needs string fields text, label and "
                            "doc_title",
                            name, i);
            break;
        }
        t = trim(t, &tn);
        rc = add_row(d, name, i, t, tn, l, g, HY_ATTACK_SRC_SINGLE);
    }
out:
    json_decref(root);
    return rc;
}

/* ---- bootstrap-training-data.json ---- */

/* t[0..n) without "(Citation: ...)" parts, into out (n + 1 bytes). */
static size_t strip_citations(const char *t, size_t n, char *out)
{
    static const char tag[] = "(Citation:";
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        if (n - i >= sizeof tag - 1 && memcmp(t + i, tag, sizeof tag - 1) == 0) {
            const char *e = memchr(t + i, ')', n - i);
            if (e) {
                i = (size_t)(e - t) + 1;
                continue;
            }
        }
        out[k++] = t[i++];
    }
    out[k] = '\0';
    return k;
}

static hy_err bootstrap_row(hy_attack_data *d, const char *name, size_t i, const json_t *o)
{
    const json_t *maps = json_object_get(o, "mappings");
    size_t tn = 0, ln = 0;
    const char *t = jstr(o, "text", &tn);
    if (!t || !json_is_array(maps))
        return hy_err_set(HY_ERR_FORMAT, "%s: sentence %zu: needs \"text\" and \"mappings\"", name,
                          i);
    if (json_array_size(maps) != 1)
        return HY_OK; /* unmapped or multi-label: not a single-label example */
    const char *l = jstr(json_array_get(maps, 0), "attack_id", &ln);
    if (!l || strlen(l) != ln)
        return hy_err_set(HY_ERR_FORMAT, "%s: sentence %zu: mapping without attack_id", name, i);
    char *c = malloc(tn + 1);
    if (!c)
        return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", name);
    size_t cn = strip_citations(t, tn, c);
    const char *s = trim(c, &cn);
    hy_err rc = cn ? add_row(d, name, i, s, cn, l, "bootstrap", HY_ATTACK_SRC_BOOTSTRAP) : HY_OK;
    free(c);
    return rc;
}

hy_err hy_attack_parse_bootstrap(hy_attack_data *d, const char *name, const uint8_t *buf, size_t n)
{
    json_t *root = NULL;
    hy_err rc;
    name = name ? name : "bootstrap-training-data.json";
    if (!d)
        return hy_err_set(HY_ERR_ARG, "%s: NULL data set", name);
    if ((rc = json_parse(name, buf, n, &root)) != HY_OK)
        return rc;
    const json_t *s = json_object_get(root, "sentences");
    if (!json_is_array(s))
        rc = hy_err_set(HY_ERR_FORMAT, "%s: no \"sentences\" array", name);
    for (size_t i = 0; rc == HY_OK && i < json_array_size(s); i++)
        rc = bootstrap_row(d, name, i, json_array_get(s, i));
    json_decref(root);
    return rc;
}

/* ---- ATT&CK technique descriptions ---- */

/* t[0..n) without citations, HTML tags, and with Markdown links reduced to
 * their text ("[Mimikatz](https://...)" -> "Mimikatz"), into out (n + 1). */
static size_t strip_markup(const char *t, size_t n, char *out)
{
    char *c = malloc(n + 1);
    size_t k = 0, m;
    if (!c)
        return 0;
    m = strip_citations(t, n, c);
    for (size_t i = 0; i < m;) {
        const char *close = c[i] == '[' ? memchr(c + i, ']', m - i) : NULL;
        size_t j = close ? (size_t)(close - c) : 0;
        const char *end = close && j + 1 < m && c[j + 1] == '(' ? memchr(c + j, ')', m - j) : NULL;
        if (end) { /* a link: its text only */
            memcpy(out + k, c + i + 1, j - i - 1);
            k += j - i - 1;
            i = (size_t)(end - c) + 1;
            continue;
        }
        const char *gt = c[i] == '<' ? memchr(c + i, '>', m - i) : NULL;
        if (gt && gt - (c + i) < 16) { /* <code>, </code>, <br> */
            i = (size_t)(gt - c) + 1;
            continue;
        }
        out[k++] = c[i++];
    }
    out[k] = '\0';
    free(c);
    return k;
}

typedef hy_err (*sentence_fn)(void *ud, const char *t, size_t n);
static hy_err each_sentence(const char *s, size_t n, sentence_fn fn, void *ud);

/* What describe adds a description's sentences under. */
typedef struct described {
    hy_attack_data *d;
    const char *name, *id;
    size_t row;
} described;

static hy_err add_described(void *ud, const char *t, size_t n)
{
    const described *x = ud;
    if (n < 20 || n > HY_ATTACK_MAX_TEXT)
        return HY_OK;
    return add_row(x->d, x->name, x->row, t, n, x->id, "attack", HY_ATTACK_SRC_ATTACK);
}

/* The technique id of an attack-pattern ("T1003.001"), or NULL. */
static const char *technique_id(const json_t *o)
{
    const json_t *refs = json_object_get(o, "external_references");
    for (size_t i = 0; i < json_array_size(refs); i++) {
        const json_t *r = json_array_get(refs, i);
        const char *src = json_string_value(json_object_get(r, "source_name"));
        const char *id = json_string_value(json_object_get(r, "external_id"));
        if (src && id && strcmp(src, "mitre-attack") == 0 && at_label_ok(id, strlen(id)))
            return id;
    }
    return NULL;
}

/* Whether label id has a single_label row in d. */
static bool labelled(const hy_attack_data *d, const bool *single, const char *id)
{
    void *v = hy_map_get(d->label_ix, id, strlen(id));
    return v && single[(uintptr_t)v - 1];
}

/* One technique's name and description sentences, as rows labelled id. */
static hy_err describe(hy_attack_data *d, const char *name, size_t i, const json_t *o,
                       const char *id)
{
    size_t n = 0, k = 0;
    const char *t = jstr(o, "description", &n), *nm = jstr(o, "name", &k);
    hy_err rc = nm ? add_row(d, name, i, nm, k, id, "attack", HY_ATTACK_SRC_ATTACK) : HY_OK;
    char *c = t && rc == HY_OK ? malloc(n + 1) : NULL;
    if (!c)
        return t && rc == HY_OK ? hy_err_set(HY_ERR_NOMEM, "%s: out of memory", name) : rc;
    described x = {d, name, id, i};
    rc = each_sentence(c, strip_markup(t, n, c), add_described, &x);
    free(c);
    return rc;
}

hy_err hy_attack_parse_attack_descriptions(hy_attack_data *d, const char *name,
                                           const uint8_t *buf, size_t n)
{
    json_t *root = NULL;
    hy_err rc;
    name = name ? name : "enterprise-attack.json";
    if (!d)
        return hy_err_set(HY_ERR_ARG, "%s: NULL data set", name);
    if ((rc = json_parse(name, buf, n, &root)) != HY_OK)
        return rc;
    const json_t *objs = json_object_get(root, "objects");
    bool *single = calloc(d->nlabels + 1, sizeof *single);
    if (!json_is_array(objs))
        rc = hy_err_set(HY_ERR_FORMAT, "%s: not a STIX bundle (no \"objects\" array)", name);
    else if (!single)
        rc = hy_err_set(HY_ERR_NOMEM, "%s: out of memory", name);
    for (size_t i = 0; rc == HY_OK && i < d->n; i++)
        single[d->rows[i].label] |= d->rows[i].source == HY_ATTACK_SRC_SINGLE;
    for (size_t i = 0; rc == HY_OK && i < json_array_size(objs); i++) {
        const json_t *o = json_array_get(objs, i);
        const char *type = json_string_value(json_object_get(o, "type")), *id = technique_id(o);
        if (!type || strcmp(type, "attack-pattern") != 0 || !id ||
            json_is_true(json_object_get(o, "revoked")) ||
            json_is_true(json_object_get(o, "x_mitre_deprecated")))
            continue;
        if (labelled(d, single, id)) /* (sub-techniques under their parents' labels: no gain) */
            rc = describe(d, name, i, o, id);
    }
    free(single);
    json_decref(root);
    return rc;
}

/* ---- reports (.mjson) ---- */

typedef struct span {
    size_t a, b;    /* bytes of the signal */
    char label[10]; /* technique id, or "" for other annotations */
} span;

typedef struct report_ctx {
    const char *name, *sig;
    size_t len, ncp;
    size_t *cp2b; /* code point -> byte offset, ncp + 1 entries */
    span *sp;
    size_t nsp, cap;
} report_ctx;

/* The technique id at the end of an annotation set's type, "... (T1234.567)". */
static bool type_technique(const char *t, size_t n, char id[10])
{
    if (n < 7 || t[n - 1] != ')')
        return false;
    const char *o = memrchr(t, '(', n);
    size_t k = o ? (size_t)(t + n - 1 - (o + 1)) : 0;
    if (!o || !at_label_ok(o + 1, k) || k == 4)
        return false;
    memcpy(id, o + 1, k);
    id[k] = '\0';
    return true;
}

static hy_err push_span(report_ctx *x, size_t a, size_t b, const char *label)
{
    if (x->nsp >= HY_ATTACK_MAX_ANNOTS)
        return hy_err_set(HY_ERR_TOOBIG, "%s: more than %u annotations", x->name,
                          HY_ATTACK_MAX_ANNOTS);
    if (x->nsp == x->cap) {
        size_t c = x->cap ? x->cap * 2 : 64;
        span *p = realloc(x->sp, c * sizeof *p);
        if (!p)
            return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", x->name);
        x->sp = p;
        x->cap = c;
    }
    x->sp[x->nsp].a = x->cp2b[a];
    x->sp[x->nsp].b = x->cp2b[b];
    snprintf(x->sp[x->nsp++].label, sizeof x->sp->label, "%s", label);
    return HY_OK;
}

static hy_err aset_spans(report_ctx *x, size_t si, const json_t *set)
{
    size_t tn = 0;
    const char *type = jstr(set, "type", &tn);
    const json_t *an = json_object_get(set, "annots");
    char id[10] = "";
    if (!type || !json_is_array(an))
        return hy_err_set(HY_ERR_FORMAT, "%s: aset %zu: needs \"type\" and \"annots\"", x->name,
                          si);
    if ((tn == 4 && !memcmp(type, "zone", 4)) || (tn == 3 && !memcmp(type, "lex", 3)) ||
        (tn == 7 && !memcmp(type, "SEGMENT", 7)))
        return HY_OK; /* document structure, not content */
    type_technique(type, tn, id);
    for (size_t i = 0; i < json_array_size(an); i++) {
        const json_t *a = json_array_get(an, i);
        const json_t *s = json_array_get(a, 0), *e = json_array_get(a, 1);
        json_int_t ai = json_is_integer(s) ? json_integer_value(s) : -1;
        json_int_t bi = json_is_integer(e) ? json_integer_value(e) : -1;
        if (ai < 0 || bi < ai || (size_t)bi > x->ncp)
            return hy_err_set(HY_ERR_FORMAT,
                              "%s: aset %zu annotation %zu: not a span "
                              "[start, end] within the %zu-character signal",
                              x->name, si, i, x->ncp);
        hy_err rc = push_span(x, (size_t)ai, (size_t)bi, id);
        if (rc != HY_OK)
            return rc;
    }
    return HY_OK;
}

static hy_err map_code_points(report_ctx *x)
{
    x->cp2b = malloc((x->len + 1) * sizeof *x->cp2b);
    if (!x->cp2b)
        return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", x->name);
    size_t k = 0;
    for (size_t i = 0; i < x->len; i++)
        if (((uint8_t)x->sig[i] & 0xc0) != 0x80)
            x->cp2b[k++] = i;
    x->cp2b[k] = x->len;
    x->ncp = k;
    return HY_OK;
}

static int span_cmp(const void *p, const void *q)
{
    const span *a = p, *b = q;
    return (a->a > b->a) - (a->a < b->a);
}

/* Whether [a, b) overlaps a span; x->sp sorted by start, ends[i] the
 * largest end among sp[0..i]. */
static bool overlaps(const report_ctx *x, const size_t *ends, size_t a, size_t b)
{
    size_t lo = 0, hi = x->nsp; /* spans starting before b: [0, lo) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->sp[mid].a < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && ends[lo - 1] > a;
}

static bool sentence_end(const char *s, size_t n, size_t i, size_t *next)
{
    if (s[i] == '\n' || s[i] == '\r') {
        *next = i + 1;
        return true;
    }
    if (s[i] != '.' && s[i] != '!' && s[i] != '?')
        return false;
    size_t j = i + 1;
    while (j < n && (s[j] == ' ' || s[j] == '\t'))
        j++;
    if (j == i + 1 || j >= n)
        return j >= n;
    char c = s[j];
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '"' || c == '(' || c == '\'') {
        *next = j;
        return true;
    }
    return false;
}

static size_t word_count(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
    return w;
}

/* Calls fn with each sentence of s[0..n) (sentence_end), blanks trimmed
 * (possibly empty), in order; stops at fn's first error. */
static hy_err each_sentence(const char *s, size_t n, sentence_fn fn, void *ud)
{
    hy_err rc = HY_OK;
    size_t start = 0;
    for (size_t i = 0; i <= n && rc == HY_OK; i++) {
        size_t next = i + 1;
        if (i < n && !sentence_end(s, n, i, &next))
            continue;
        size_t len = (i < n && s[i] != '\n' && s[i] != '\r' ? i + 1 : i) - start;
        const char *t = trim(s + start, &len);
        start = next;
        rc = fn(ud, t, len);
        i = next - 1;
    }
    return rc;
}

/* What add_negatives needs per sentence. */
typedef struct neg_ctx {
    hy_attack_data *d;
    const report_ctx *x;
    const size_t *ends;
    const char *group;
    size_t row;
} neg_ctx;

static hy_err add_negative(void *ud, const char *t, size_t n)
{
    neg_ctx *g = ud;
    size_t a = (size_t)(t - g->x->sig);
    if (n < HY_ATTACK_NEG_MIN || n > HY_ATTACK_NEG_MAX || word_count(t, n) < 4 ||
        overlaps(g->x, g->ends, a, a + n))
        return HY_OK;
    return add_row(g->d, g->x->name, g->row++, t, n, HY_ATTACK_NONE, g->group,
                   HY_ATTACK_SRC_UNANNOTATED);
}

static hy_err add_negatives(hy_attack_data *d, const report_ctx *x, const char *group)
{
    size_t *ends = malloc((x->nsp + 1) * sizeof *ends);
    if (!ends)
        return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", x->name);
    for (size_t i = 0; i < x->nsp; i++)
        ends[i] = i && ends[i - 1] > x->sp[i].b ? ends[i - 1] : x->sp[i].b;
    neg_ctx g = {d, x, ends, group, 0};
    hy_err rc = each_sentence(x->sig, x->len, add_negative, &g);
    free(ends);
    return rc;
}

static hy_err add_spans(hy_attack_data *d, const report_ctx *x, const char *group)
{
    hy_err rc = HY_OK;
    for (size_t i = 0; i < x->nsp && rc == HY_OK; i++) {
        if (!x->sp[i].label[0])
            continue;
        size_t n = x->sp[i].b - x->sp[i].a;
        const char *t = trim(x->sig + x->sp[i].a, &n);
        if (n)
            rc = add_row(d, x->name, i, t, n, x->sp[i].label, group, HY_ATTACK_SRC_SPAN);
    }
    return rc;
}

/* The report's title (first line "title: ..."), else name, as a string. */
static char *report_title(const char *sig, size_t len, const char *name)
{
    if (len > 6 && memcmp(sig, "title:", 6) == 0) {
        const char *nl = memchr(sig, '\n', len);
        size_t n = (nl ? (size_t)(nl - sig) : len) - 6;
        const char *t = trim(sig + 6, &n);
        if (n)
            return strndup(t, n);
    }
    return strdup(name);
}

static hy_err report_body(hy_attack_data *d, report_ctx *x, const json_t *root, bool spans,
                          bool negatives)
{
    const json_t *sets = json_object_get(root, "asets");
    hy_err rc;
    if (!json_is_array(sets))
        return hy_err_set(HY_ERR_FORMAT, "%s: no \"asets\" array", x->name);
    if ((rc = map_code_points(x)) != HY_OK)
        return rc;
    for (size_t i = 0; i < json_array_size(sets) && rc == HY_OK; i++)
        rc = aset_spans(x, i, json_array_get(sets, i));
    if (rc != HY_OK)
        return rc;
    if (x->nsp)
        qsort(x->sp, x->nsp, sizeof *x->sp, span_cmp);
    char *title = report_title(x->sig, x->len, x->name);
    uint32_t gi;
    if (!title)
        return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", x->name);
    if ((rc = group_index(d, title, &gi)) == HY_OK && !d->group_text[gi]) {
        if (!(d->group_text[gi] = strndup(x->sig, x->len)))
            rc = hy_err_set(HY_ERR_NOMEM, "%s: out of memory", x->name);
        d->group_len[gi] = x->len;
    }
    if (rc == HY_OK && spans)
        rc = add_spans(d, x, title);
    if (rc == HY_OK && negatives)
        rc = add_negatives(d, x, title);
    free(title);
    return rc;
}

hy_err hy_attack_parse_report(hy_attack_data *d, const char *name, const uint8_t *buf, size_t n,
                              bool spans, bool negatives)
{
    json_t *root = NULL;
    report_ctx x = {.name = name ? name : "report"};
    hy_err rc;
    if (!d)
        return hy_err_set(HY_ERR_ARG, "%s: NULL data set", x.name);
    if ((rc = json_parse(x.name, buf, n, &root)) != HY_OK)
        return rc;
    if (!(x.sig = jstr(root, "signal", &x.len)) || strlen(x.sig) != x.len)
        rc = hy_err_set(HY_ERR_FORMAT, "%s: no \"signal\" string (or it holds a NUL)", x.name);
    else
        rc = report_body(d, &x, root, spans, negatives);
    free(x.cp2b);
    free(x.sp);
    json_decref(root);
    return rc;
}

/* ---- a TRAM folder ---- */

typedef hy_err (*parse_fn)(hy_attack_data *, const char *, const uint8_t *, size_t);

static hy_err load_file(hy_attack_data *d, const char *path, parse_fn fn, bool spans, bool neg)
{
    hy_buf b;
    hy_buf_init(&b, HY_ATTACK_MAX_REPORT);
    hy_err rc = hy_buf_read_file(&b, path);
    if (rc == HY_OK)
        rc = fn ? fn(d, path, (const uint8_t *)b.data, b.len)
                : hy_attack_parse_report(d, path, (const uint8_t *)b.data, b.len, spans, neg);
    hy_buf_free(&b);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .mjson files of dir, sorted. */
static hy_err list_reports(const char *dir, char ***names, size_t *n)
{
    DIR *dh = opendir(dir);
    struct dirent *e;
    hy_err rc = HY_OK;
    *names = NULL;
    *n = 0;
    if (!dh)
        return hy_err_set(HY_ERR_IO, "%s: cannot open the folder", dir);
    while ((e = readdir(dh)) && rc == HY_OK) {
        size_t l = strlen(e->d_name);
        if (l < 7 || strcmp(e->d_name + l - 6, ".mjson") != 0)
            continue;
        char **p = *n < HY_MAX_DIR_FILES ? realloc(*names, (*n + 1) * sizeof *p) : NULL;
        if (!p || !(p[*n] = strdup(e->d_name))) {
            if (p)
                *names = p;
            rc = hy_err_set(p ? HY_ERR_NOMEM : HY_ERR_TOOBIG, "%s: too many files", dir);
            break;
        }
        *names = p;
        (*n)++;
    }
    closedir(dh);
    if (*n)
        qsort(*names, *n, sizeof **names, name_cmp);
    return rc;
}

static hy_err load_reports(const char *tram_dir, unsigned what, hy_attack_data *d)
{
    char dir[HY_MAX_PATH], path[HY_MAX_PATH];
    char **names = NULL;
    size_t n = 0;
    snprintf(dir, sizeof dir, "%s/reports", tram_dir);
    hy_err rc = list_reports(dir, &names, &n);
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
            rc = hy_err_set(HY_ERR_ARG, "%s/%s: path too long", dir, names[i]);
            break;
        }
        rc = load_file(d, path, NULL, what & HY_ATTACK_LOAD_SPANS, what & HY_ATTACK_LOAD_NEGATIVES);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

hy_err hy_attack_load_tram(const char *tram_dir, unsigned what, hy_attack_data *d)
{
    char path[HY_MAX_PATH];
    hy_err rc = HY_OK;
    if (!tram_dir || !d || !what || (what & ~31u))
        return hy_err_set(HY_ERR_ARG, "attack data: bad arguments to hy_attack_load_tram");
    if (strlen(tram_dir) > HY_MAX_PATH - 64)
        return hy_err_set(HY_ERR_ARG, "attack data: folder name too long");
    if (what & HY_ATTACK_LOAD_SINGLE) {
        snprintf(path, sizeof path, "%s/single_label.json", tram_dir);
        rc = load_file(d, path, hy_attack_parse_single_label, false, false);
    }
    if (rc == HY_OK && (what & HY_ATTACK_LOAD_BOOTSTRAP)) {
        snprintf(path, sizeof path, "%s/bootstrap-training-data.json", tram_dir);
        rc = load_file(d, path, hy_attack_parse_bootstrap, false, false);
    }
    if (rc == HY_OK && (what & ~HY_ATTACK_LOAD_ATTACK) != HY_ATTACK_LOAD_SINGLE)
        rc = load_reports(tram_dir, what, d); /* their texts at least: the leak filter */
    if (rc == HY_OK && (what & HY_ATTACK_LOAD_ATTACK)) { /* after single_label: it filters */
        snprintf(path, sizeof path, "%s/../attack/enterprise-attack-core.json", tram_dir);
        rc = load_file(d, path, hy_attack_parse_attack_descriptions, false, false);
    }
    return rc;
}
