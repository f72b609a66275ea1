/* hy_stix_bundle: a report as a STIX 2.1 bundle (hayate/intel.h).
 *
 * Objects, in this order: the identity of hayate (identity_class "system"),
 * the report (object_refs: every other object), indicators, vulnerabilities,
 * attack-patterns, intrusion-sets, malware and tools, relationships
 * (stix_objects.c). Every SDO and SRO carries spec_version "2.1",
 * created_by_ref the identity, and created = modified = r->time_ns to the
 * millisecond; the identity's own timestamps are fixed so that it is one
 * object across all bundles. Ids are type--UUIDv5 of "type:content" in
 * hayate's namespace, the content being the canonical value (the pattern of
 * an indicator, a CVE or ATT&CK id, relationship ends), so the same report
 * gives the same ids. The JSON is written by jansson with sorted keys and
 * two-space indentation: the same report gives the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "stix_int.h"

/* hayate's UUIDv5 namespace: UUIDv5(DNS namespace, "hayate.stix") =
 * 67156e1f-3ab1-5c3e-a6c3-7e1d18a7eba5. */
static const uint8_t hayate_ns[16] = {0x67, 0x15, 0x6e, 0x1f, 0x3a, 0xb1, 0x5c, 0x3e,
                                      0xa6, 0xc3, 0x7e, 0x1d, 0x18, 0xa7, 0xeb, 0xa5};

#define IDENTITY_TIME "2025-01-01T00:00:00.000Z"

void hy__stix_id(const char *type, const char *content, char out[HY_STIX_ID_MAX])
{
    char uuid[37], small[256], *name = small;
    size_t tl = strlen(type), cl = strlen(content), n = tl + 1 + cl;
    if (n > sizeof small && !(name = malloc(n)))
        name = NULL;
    if (name) {
        memcpy(name, type, tl);
        name[tl] = ':';
        memcpy(name + tl + 1, content, cl);
        hy_uuid5(hayate_ns, name, n, uuid);
    } else {
        hy_uuid5(hayate_ns, content, cl, uuid); /* out of memory: still a stable id */
    }
    if (name != small)
        free(name);
    snprintf(out, HY_STIX_ID_MAX, "%.40s--%s", type, uuid);
}

json_t *hy__stix_str(const char *s)
{
    size_t n = strlen(s), o = 0;
    bool valid = true;
    for (size_t i = 0; i < n && valid;) {
        int k = hy_utf8_seq((const uint8_t *)s, n, i);
        valid = k > 0;
        i += k > 0 ? (size_t)k : 0;
    }
    if (valid)
        return json_stringn(s, n);
    char *fixed = malloc(n * 3 + 1);
    if (!fixed)
        return NULL;
    for (size_t i = 0; i < n;) {
        int k = hy_utf8_seq((const uint8_t *)s, n, i);
        if (k > 0) {
            memcpy(fixed + o, s + i, (size_t)k);
            o += (size_t)k;
            i += (size_t)k;
        } else {
            memcpy(fixed + o, "\xef\xbf\xbd", 3);
            o += 3;
            i += (size_t)-k;
        }
    }
    json_t *j = json_stringn(fixed, o);
    free(fixed);
    return j;
}

void hy__stix_set(hy__stix *c, json_t *o, const char *k, json_t *v)
{
    if (!o) {
        json_decref(v);
        c->oom = true;
    } else if (json_object_set_new(o, k, v) != 0) { /* consumes v, NULL included */
        c->oom = true;
    }
}

static json_t *common(hy__stix *c, const char *type, const char *id, const char *ts)
{
    json_t *o = json_object();
    if (!o) {
        c->oom = true;
        return NULL;
    }
    hy__stix_set(c, o, "type", json_string(type));
    hy__stix_set(c, o, "spec_version", json_string("2.1"));
    hy__stix_set(c, o, "id", json_string(id));
    hy__stix_set(c, o, "created", json_string(ts));
    hy__stix_set(c, o, "modified", json_string(ts));
    return o;
}

json_t *hy__stix_sdo(hy__stix *c, const char *type, const char *id, bool *dup)
{
    *dup = json_object_get(c->seen, id) != NULL;
    if (*dup)
        return NULL;
    json_t *o = common(c, type, id, c->ts);
    hy__stix_set(c, o, "created_by_ref", json_string(c->identity));
    return o;
}

static hy_err ids_push(hy__stix_ids *l, const char *id)
{
    if (l->n == l->alloc) {
        size_t na = l->alloc ? l->alloc * 2 : 16;
        void *nv = realloc(l->v, na * sizeof *l->v);
        if (!nv)
            return HY_ERR_NOMEM;
        l->v = nv;
        l->alloc = na;
    }
    snprintf(l->v[l->n++], HY_STIX_ID_MAX, "%s", id);
    return HY_OK;
}

hy_err hy__stix_add(hy__stix *c, json_t *o, hy__stix_ids *ids)
{
    const char *id = json_string_value(json_object_get(o, "id"));
    hy_err rc = HY_OK;
    if (c->oom || !id || json_object_set_new(c->seen, id, json_true()) != 0)
        rc = HY_ERR_NOMEM;
    else if (ids)
        rc = ids_push(ids, id);
    if (rc != HY_OK) {
        json_decref(o);
        return rc;
    }
    return json_array_append_new(c->objects, o) == 0 ? HY_OK : HY_ERR_NOMEM; /* consumes o */
}

/* ---- the bundle ---- */

/* r->time_ns as "YYYY-MM-DDTHH:MM:SS.mmmZ"; false before 1970 (an int64
 * of nanoseconds ends in 2262, so the year always has four digits). */
static bool stix_time(int64_t ns, char out[80])
{
    struct tm tm;
    time_t s = (time_t)(ns / 1000000000);
    if (ns < 0 || !gmtime_r(&s, &tm))
        return false;
    snprintf(out, 80, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ns / 1000000 % 1000));
    return true;
}

/* True when id is "report--" + a UUID as STIX identifiers allow. */
static bool report_id_ok(const char *id, size_t cap)
{
    static const char form[] = "report--xxxxxxxx-xxxx-Vxxx-Rxxx-xxxxxxxxxxxx";
    if (!memchr(id, '\0', cap) || strlen(id) != sizeof form - 1)
        return false;
    for (size_t i = 0; i < sizeof form - 1; i++) {
        char f = form[i], c = id[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if ((f == 'x' && !hex) || (f == 'V' && (c < '1' || c > '5')) ||
            (f == 'R' && !strchr("89abAB", c)) || (f != 'x' && f != 'V' && f != 'R' && f != c))
            return false;
    }
    return true;
}

static hy_err add_identity(hy__stix *c)
{
    hy__stix_id("identity", "hayate", c->identity);
    json_t *o = common(c, "identity", c->identity, IDENTITY_TIME);
    hy__stix_set(c, o, "name", json_string("hayate"));
    hy__stix_set(c, o, "identity_class", json_string("system"));
    hy__stix_set(c, o, "description",
                 json_string("hayate, a cyberattack analysis platform: "
                             "intelligence extracted from reports"));
    return o ? hy__stix_add(c, o, NULL) : HY_ERR_NOMEM;
}

/* The report: its id (r->id when it is a valid one, else derived from the
 * text), name, and object_refs to every other object. */
static json_t *make_report(hy__stix *c, char id[HY_STIX_ID_MAX])
{
    const hy_intel_report *r = c->r;
    if (report_id_ok(r->id, sizeof r->id)) {
        snprintf(id, HY_STIX_ID_MAX, "%s", r->id);
    } else {
        char uuid[37];
        const char *name = r->title ? r->title : r->source ? r->source : "";
        if (r->text && r->text_len)
            hy_uuid5(hayate_ns, r->text, r->text_len, uuid);
        else
            hy_uuid5(hayate_ns, name, strlen(name), uuid);
        snprintf(id, HY_STIX_ID_MAX, "report--%s", uuid);
    }
    json_t *o = common(c, "report", id, c->ts), *refs = json_array(), *v;
    size_t i;
    hy__stix_set(c, o, "created_by_ref", json_string(c->identity));
    hy__stix_set(c, o, "name",
                 hy__stix_str(r->title && *r->title     ? r->title
                              : r->source && *r->source ? r->source
                                                        : id));
    if (r->source && *r->source) {
        char *d = NULL;
        if (asprintf(&d, "Indicators, ATT&CK techniques and software extracted by hayate from %s.",
                     r->source) < 0)
            c->oom = true;
        else
            hy__stix_set(c, o, "description", hy__stix_str(d));
        free(d);
    }
    hy__stix_set(c, o, "published", json_string(c->ts));
    json_t *types = json_array();
    if (!types || json_array_append_new(types, json_string("threat-report")) != 0)
        c->oom = true;
    hy__stix_set(c, o, "report_types", types);
    json_array_foreach(c->objects, i, v)
    {
        if (!refs || json_array_append(refs, json_object_get(v, "id")) != 0)
            c->oom = true;
    }
    hy__stix_set(c, o, "object_refs", refs);
    return o;
}

/* The bundle id: UUIDv5 of the report id and every object id. */
static hy_err bundle_id(hy__stix *c, const char *report_id, char out[HY_STIX_ID_MAX])
{
    hy_buf b;
    json_t *v;
    size_t i;
    char uuid[37];
    hy_err rc;
    hy_buf_init(&b, (size_t)1 << 30);
    rc = hy_buf_adds(&b, report_id);
    json_array_foreach(c->objects, i, v)
    {
        if (rc == HY_OK)
            rc = hy_buf_addf(&b, ",%s", json_string_value(json_object_get(v, "id")));
    }
    if (rc == HY_OK) {
        hy_uuid5(hayate_ns, b.data, b.len, uuid);
        snprintf(out, HY_STIX_ID_MAX, "bundle--%s", uuid);
    }
    hy_buf_free(&b);
    return rc;
}

typedef struct dump_ctx {
    hy_buf *out;
    hy_err err;
} dump_ctx;

static int dump_cb(const char *buf, size_t size, void *data)
{
    dump_ctx *d = data;
    if (d->err == HY_OK)
        d->err = hy_buf_add(d->out, buf, size);
    return d->err == HY_OK ? 0 : -1;
}

/* Wraps the report and the objects in a bundle and appends its JSON; out
 * is unchanged on failure. */
static hy_err write_bundle(hy__stix *c, hy_buf *out)
{
    char rid[HY_STIX_ID_MAX], bid[HY_STIX_ID_MAX];
    size_t mark = out->len;
    json_t *report = make_report(c, rid), *bundle = NULL;
    hy_err rc = bundle_id(c, rid, bid);
    dump_ctx d = {out, HY_OK};

    if (rc == HY_OK && (c->oom || !report))
        rc = HY_ERR_NOMEM;
    if (rc != HY_OK) {
        json_decref(report);
        return rc;
    }
    if (json_array_insert_new(c->objects, 1, report) != 0 || !(bundle = json_object()))
        return HY_ERR_NOMEM;
    hy__stix_set(c, bundle, "type", json_string("bundle"));
    hy__stix_set(c, bundle, "id", json_string(bid));
    hy__stix_set(c, bundle, "objects", json_incref(c->objects));
    if (c->oom)
        rc = HY_ERR_NOMEM;
    else if (json_dump_callback(bundle, dump_cb, &d, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
        rc = d.err != HY_OK ? d.err : HY_ERR_NOMEM;
    if (rc == HY_OK)
        rc = hy_buf_addc(out, '\n');
    if (rc == HY_ERR_TOOBIG)
        hy_err_set(rc, "stix bundle: larger than the output's cap of %zu bytes", out->cap);
    if (rc != HY_OK && out->data) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    json_decref(bundle);
    return rc;
}

hy_err hy_stix_bundle(const hy_intel_report *r, const hy_attack_tables *tables, hy_buf *out)
{
    hy__stix c = {.r = r, .tables = tables};
    hy_err rc;

    if (!r || !out)
        return hy_err_set(HY_ERR_ARG, "stix bundle: NULL argument");
    if ((r->iocs.n && !r->iocs.v) || (r->ntech && !r->tech) || (r->nsoftware && !r->software))
        return hy_err_set(HY_ERR_ARG, "stix bundle: a count without its array");
    if (!stix_time(r->time_ns, c.ts))
        return hy_err_set(HY_ERR_ARG, "stix bundle: time %lld ns is before 1970",
                          (long long)r->time_ns);
    if (!(c.objects = json_array()) || !(c.seen = json_object())) {
        rc = HY_ERR_NOMEM;
        goto out;
    }
    if ((rc = add_identity(&c)) != HY_OK || (rc = hy__stix_indicators(&c)) != HY_OK ||
        (rc = hy__stix_vulnerabilities(&c)) != HY_OK ||
        (rc = hy__stix_attack_patterns(&c)) != HY_OK ||
        (rc = hy__stix_intrusion_sets(&c)) != HY_OK || (rc = hy__stix_software(&c)) != HY_OK ||
        (rc = hy__stix_relationships(&c)) != HY_OK)
        goto out;
    rc = write_bundle(&c, out);
out:
    json_decref(c.objects);
    json_decref(c.seen);
    free(c.indicators.v);
    free(c.malware.v);
    free(c.patterns.v);
    if (rc == HY_ERR_NOMEM)
        hy_err_set(rc, "stix bundle: out of memory");
    return rc;
}
