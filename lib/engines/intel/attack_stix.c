/* hy_attack_tables_from_stix: the ATT&CK STIX bundles (enterprise-attack,
 * ics-attack, mobile-attack) -> the tables.
 *
 * Taken: attack-pattern (techniques), x-mitre-tactic, intrusion-set (groups),
 * malware and tool (software) with a "mitre-attack" external id; revoked and
 * deprecated objects are skipped. A technique's tactics are the phase names
 * of its ATT&CK kill chains (mitre-attack, mitre-ics-attack,
 * mitre-mobile-attack); a sub-technique is named "Parent: Sub" as ATT&CK's
 * site does. Groups and software that several domains share (G0034 is in
 * all three) become one entry: the first domain of enterprise, ics, mobile,
 * with the aliases of all. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attack_int.h"

static const char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The object's ATT&CK id (external_id of its "mitre-attack" reference). */
static const char *attack_id(const json_t *o)
{
    const json_t *refs = json_object_get(o, "external_references"), *r;
    size_t i;
    json_array_foreach(refs, i, r)
    {
        const char *src = jstr(r, "source_name"), *id = jstr(r, "external_id");
        if (src && id && strcmp(src, "mitre-attack") == 0)
            return id;
    }
    return NULL;
}

static bool skipped(const json_t *o)
{
    return json_is_true(json_object_get(o, "revoked")) ||
           json_is_true(json_object_get(o, "x_mitre_deprecated"));
}

/* A shortname or domain: 1 to max of a-z 0-9 '-'. */
static bool slug_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* Appends item to the sep-separated list in b unless it is there already. */
static hy_err list_add(hy_buf *b, const char *item, char sep)
{
    size_t n = strlen(item);
    for (const char *p = b->data; p && *p;) {
        const char *e = strchr(p, sep);
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && memcmp(p, item, n) == 0)
            return HY_OK;
        p += k + (e ? 1 : 0);
    }
    hy_err rc = b->len ? hy_buf_addc(b, sep) : HY_OK;
    return rc == HY_OK ? hy_buf_add(b, item, n) : rc;
}

/* Appends every item of the sep-separated list s to b. */
static hy_err list_merge(hy_buf *b, const char *s, char sep)
{
    hy_err rc = HY_OK;
    char item[HY_ATTACK_MAX_NAME + 1];
    while (s && *s && rc == HY_OK) {
        const char *e = strchr(s, sep);
        size_t k = e ? (size_t)(e - s) : strlen(s);
        if (k && k <= HY_ATTACK_MAX_NAME) {
            memcpy(item, s, k);
            item[k] = '\0';
            rc = list_add(b, item, sep);
        }
        s += k + (e ? 1 : 0);
    }
    return rc;
}

static hy_err tactics_of(const json_t *o, hy_attack_kind kind, hy_buf *b)
{
    const json_t *phases = json_object_get(o, "kill_chain_phases"), *p;
    const char *s;
    size_t i;
    hy_err rc = HY_OK;
    if (kind == HY_ATTACK_TACTIC)
        return slug_ok(s = jstr(o, "x_mitre_shortname"), 64) ? hy_buf_adds(b, s) : HY_OK;
    if (kind != HY_ATTACK_TECHNIQUE)
        return HY_OK;
    json_array_foreach(phases, i, p)
    {
        const char *chain = jstr(p, "kill_chain_name"), *ph = jstr(p, "phase_name");
        size_t n = chain ? strlen(chain) : 0;
        if (rc == HY_OK && n >= 12 && strncmp(chain, "mitre-", 6) == 0 &&
            strcmp(chain + n - 6, "attack") == 0 && slug_ok(ph, 64))
            rc = list_add(b, ph, ',');
    }
    return rc;
}

static hy_err aliases_of(const json_t *o, hy_attack_kind kind, const char *name, hy_buf *b)
{
    const json_t *a = json_object_get(o, kind == HY_ATTACK_GROUP ? "aliases" : "x_mitre_aliases"),
                 *v;
    size_t i;
    hy_err rc = HY_OK;
    if (kind != HY_ATTACK_GROUP && kind != HY_ATTACK_SOFTWARE)
        return HY_OK;
    json_array_foreach(a, i, v)
    {
        const char *s = json_string_value(v);
        if (rc == HY_OK && s && *s && !strchr(s, '|') && strcmp(s, name) != 0 &&
            strlen(s) <= HY_ATTACK_MAX_NAME)
            rc = list_add(b, s, '|');
    }
    return rc;
}

static bool kind_of(const char *type, hy_attack_kind *k)
{
    static const struct {
        const char *type;
        hy_attack_kind kind;
    } map[] = {{"attack-pattern", HY_ATTACK_TECHNIQUE},
               {"x-mitre-tactic", HY_ATTACK_TACTIC},
               {"intrusion-set", HY_ATTACK_GROUP},
               {"malware", HY_ATTACK_SOFTWARE},
               {"tool", HY_ATTACK_SOFTWARE}};
    for (size_t i = 0; type && i < sizeof map / sizeof *map; i++)
        if (strcmp(type, map[i].type) == 0) {
            *k = map[i].kind;
            return true;
        }
    return false;
}

/* The object's domain: the bundle's (from its matrix), else its own first
 * x_mitre_domains entry, else enterprise-attack. */
static const char *domain_of(const json_t *o, const char *bundle_domain)
{
    const char *d = json_string_value(json_array_get(json_object_get(o, "x_mitre_domains"), 0));
    if (bundle_domain)
        return bundle_domain;
    return slug_ok(d, HY_ATTACK_MAX_DOMAIN) ? d : "enterprise-attack";
}

static hy_err add_object(hy_attack_tables *t, const char *path, const json_t *o,
                         const char *bdomain)
{
    hy_attack_entry e = {0};
    const char *id = attack_id(o), *name = jstr(o, "name");
    hy_buf tac, al;
    hy_err rc;

    if (!kind_of(jstr(o, "type"), &e.kind) || skipped(o) || !hy__attack_id_ok(id) || !name ||
        !*name)
        return HY_OK;
    if (strlen(name) > HY_ATTACK_MAX_NAME)
        return hy_err_set(HY_ERR_FORMAT, "%s: %s: name longer than %u bytes", path, id,
                          HY_ATTACK_MAX_NAME);
    hy_buf_init(&tac, HY_ATTACK_MAX_LIST);
    hy_buf_init(&al, HY_ATTACK_MAX_LIST);
    if ((rc = tactics_of(o, e.kind, &tac)) != HY_OK ||
        (rc = aliases_of(o, e.kind, name, &al)) != HY_OK) {
        if (rc == HY_ERR_TOOBIG)
            rc = hy_err_set(HY_ERR_TOOBIG, "%s: %s: tactics or aliases longer than %u bytes", path,
                            id, HY_ATTACK_MAX_LIST);
        goto out;
    }
    if (e.kind == HY_ATTACK_TACTIC && !tac.len)
        goto out; /* a tactic without a shortname is of no use */
    snprintf(e.id, sizeof e.id, "%s", id);
    e.name = (char *)name;
    e.tactics = tac.data ? tac.data : "";
    e.aliases = al.data ? al.data : "";
    e.domain = (char *)domain_of(o, bdomain);
    e.is_malware = strcmp(jstr(o, "type"), "malware") == 0;
    rc = hy__attack_push(t, &e);
out:
    hy_buf_free(&tac);
    hy_buf_free(&al);
    return rc;
}

/* The bundle's domain from its (live) x-mitre-matrix, e.g. "ics-attack". */
static const char *bundle_domain(const json_t *objs)
{
    const json_t *o;
    size_t i;
    json_array_foreach(objs, i, o)
    {
        const char *type = jstr(o, "type"), *id = attack_id(o);
        size_t n = id ? strlen(id) : 0;
        if (type && strcmp(type, "x-mitre-matrix") == 0 && !skipped(o) && n > 7 &&
            strcmp(id + n - 7, "-attack") == 0 && slug_ok(id, HY_ATTACK_MAX_DOMAIN))
            return id;
    }
    return NULL;
}

/* Appends the bundle's provenance: "ICS ATT&CK 18.1", else the file name. */
static hy_err add_source(hy_buf *src, const json_t *objs, const char *path)
{
    const json_t *o;
    size_t i;
    const char *base = strrchr(path, '/');
    hy_err rc = src->len ? hy_buf_adds(src, ", ") : HY_OK;
    json_array_foreach(objs, i, o)
    {
        const char *type = jstr(o, "type"), *name = jstr(o, "name"),
                   *ver = jstr(o, "x_mitre_version");
        if (type && strcmp(type, "x-mitre-collection") == 0 && name && ver)
            return rc == HY_OK ? hy_buf_addf(src, "%.200s %.32s", name, ver) : rc;
    }
    return rc == HY_OK ? hy_buf_addf(src, "%.200s", base ? base + 1 : path) : rc;
}

static hy_err load_bundle(hy_attack_tables *t, const char *path, hy_buf *src)
{
    struct stat st;
    json_error_t jerr;
    json_t *root, *objs, *o;
    size_t i;
    hy_err rc = HY_OK;

    if (stat(path, &st) != 0)
        return hy_err_set(HY_ERR_IO, "%s: cannot read", path);
    if (st.st_size > (off_t)HY_ATTACK_MAX_BUNDLE)
        return hy_err_set(HY_ERR_TOOBIG, "%s: larger than the cap of %u bytes", path,
                          HY_ATTACK_MAX_BUNDLE);
    if (!(root = json_load_file(path, 0, &jerr)))
        return hy_err_set(jerr.line < 0 ? HY_ERR_IO : HY_ERR_FORMAT, "%s: line %d: %s", path,
                          jerr.line, jerr.text);
    objs = json_object_get(root, "objects");
    if (!json_is_array(objs)) {
        json_decref(root);
        return hy_err_set(HY_ERR_FORMAT, "%s: not a STIX bundle (no \"objects\" array)", path);
    }
    const char *bdomain = bundle_domain(objs);
    json_array_foreach(objs, i, o)
    {
        if (rc == HY_OK && json_is_object(o))
            rc = add_object(t, path, o, bdomain);
    }
    if (rc == HY_OK && add_source(src, objs, path) == HY_ERR_NOMEM)
        rc = HY_ERR_NOMEM; /* past its cap the provenance is only cut short */
    json_decref(root);
    return rc;
}

static int domain_rank(const char *d)
{
    static const char *const order[] = {"enterprise-attack", "ics-attack", "mobile-attack"};
    for (int i = 0; i < 3; i++)
        if (strcmp(d, order[i]) == 0)
            return i;
    return 3;
}

/* Id, then the preferred domain; the rest only makes the order total. */
static int merge_cmp(const void *a, const void *b)
{
    const hy_attack_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (!c)
        c = domain_rank(x->domain) - domain_rank(y->domain);
    if (!c)
        c = strcmp(x->domain, y->domain);
    if (!c)
        c = (int)x->kind - (int)y->kind;
    if (!c)
        c = strcmp(x->name, y->name);
    if (!c)
        c = strcmp(x->tactics, y->tactics);
    if (!c)
        c = strcmp(x->aliases, y->aliases);
    return c ? c : (int)x->is_malware - (int)y->is_malware;
}

/* Folds the lists of d into k (same id). */
static hy_err merge_into(hy_attack_entry *k, const hy_attack_entry *d)
{
    hy_buf tac, al;
    hy_err rc;
    hy_buf_init(&tac, HY_ATTACK_MAX_LIST);
    hy_buf_init(&al, HY_ATTACK_MAX_LIST);
    if ((rc = list_merge(&tac, k->tactics, ',')) == HY_OK &&
        (rc = list_merge(&tac, d->tactics, ',')) == HY_OK &&
        (rc = list_merge(&al, k->aliases, '|')) == HY_OK &&
        (rc = list_merge(&al, d->aliases, '|')) == HY_OK) {
        char *nt = strdup(tac.data ? tac.data : ""), *na = strdup(al.data ? al.data : "");
        if (!nt || !na) {
            free(nt);
            free(na);
            rc = HY_ERR_NOMEM;
        } else {
            free(k->tactics);
            free(k->aliases);
            k->tactics = nt;
            k->aliases = na;
        }
    }
    hy_buf_free(&tac);
    hy_buf_free(&al);
    return rc;
}

/* Sorts, merges entries sharing an id, then names sub-techniques. */
static hy_err finish(hy_attack_tables *t)
{
    size_t k = 0;
    hy_err rc = HY_OK;
    if (t->n)
        qsort(t->v, t->n, sizeof *t->v, merge_cmp);
    for (size_t i = 0; i < t->n; i++) {
        if (k && strcmp(t->v[k - 1].id, t->v[i].id) == 0) {
            if (rc == HY_OK)
                rc = merge_into(&t->v[k - 1], &t->v[i]);
            hy__attack_entry_clear(&t->v[i]);
        } else {
            t->v[k++] = t->v[i];
        }
    }
    t->n = k;
    for (size_t i = 0; i < t->n && rc == HY_OK; i++) {
        hy_attack_entry *e = &t->v[i];
        char parent[HY_ATTACK_ID_MAX], *dot = strchr(e->id, '.'), *nn;
        if (e->kind != HY_ATTACK_TECHNIQUE || !dot)
            continue;
        snprintf(parent, sizeof parent, "%.*s", (int)(dot - e->id), e->id);
        const hy_attack_entry *p = hy_attack_find(t, parent);
        if (!p || p->kind != HY_ATTACK_TECHNIQUE ||
            strlen(p->name) + 2 + strlen(e->name) > HY_ATTACK_MAX_NAME)
            continue;
        if (asprintf(&nn, "%s: %s", p->name, e->name) < 0)
            return HY_ERR_NOMEM;
        free(e->name);
        e->name = nn;
    }
    return rc;
}

hy_err hy_attack_tables_from_stix(const char *const *paths, size_t npaths, hy_attack_tables **out)
{
    hy_attack_tables *t;
    hy_buf src;
    hy_err rc = HY_OK;

    if (!out)
        return hy_err_set(HY_ERR_ARG, "attack tables: NULL argument");
    *out = NULL;
    if (!paths || !npaths || npaths > HY_ATTACK_MAX_BUNDLES)
        return hy_err_set(HY_ERR_ARG, "attack tables: give 1 to %u STIX bundles",
                          HY_ATTACK_MAX_BUNDLES);
    for (size_t i = 0; i < npaths; i++)
        if (!paths[i])
            return hy_err_set(HY_ERR_ARG, "attack tables: NULL path");
    if (!(t = calloc(1, sizeof *t)))
        return HY_ERR_NOMEM;
    hy_buf_init(&src, HY_ATTACK_MAX_SOURCES);
    for (size_t i = 0; i < npaths && rc == HY_OK; i++)
        rc = load_bundle(t, paths[i], &src);
    if (rc == HY_OK)
        rc = finish(t);
    if (rc == HY_OK && src.len && !(t->sources = strdup(src.data)))
        rc = HY_ERR_NOMEM;
    hy_buf_free(&src);
    if (rc != HY_OK) {
        hy_attack_tables_free(t);
        return rc;
    }
    *out = t;
    return HY_OK;
}
