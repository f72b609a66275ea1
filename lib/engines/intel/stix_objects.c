/* The object groups of a report's STIX bundle (stix.c): indicators,
 * vulnerabilities, attack-patterns, intrusion-sets, malware and tools, and
 * the relationships between them. Noise indicators are left out; values
 * that are not what their type says (a malformed CVE or ATT&CK id, an
 * indicator whose pattern does not check) are skipped, never fatal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix_int.h"

#define ATTACK_URL "https://attack.mitre.org/"

/* ---- small builders ---- */

static json_t *str_array(hy__stix *c, const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, hy__stix_str(v[i])) != 0)
            c->oom = true;
    if (!a)
        c->oom = true;
    return a;
}

/* external_references: [{source_name, external_id, url}]. */
static json_t *ext_ref(hy__stix *c, const char *source, const char *id, const char *url)
{
    json_t *r = json_object(), *a = json_array();
    hy__stix_set(c, r, "source_name", json_string(source));
    hy__stix_set(c, r, "external_id", json_string(id));
    if (url)
        hy__stix_set(c, r, "url", json_string(url));
    if (!a)
        json_decref(r);
    if (!a || json_array_append_new(a, r) != 0) /* consumes r */
        c->oom = true;
    return a;
}

/* Sets "aliases" from a '|'-separated list (nothing when empty). */
static void set_aliases(hy__stix *c, json_t *o, const char *list)
{
    json_t *a;
    if (!list || !*list)
        return;
    if (!(a = json_array())) {
        c->oom = true;
        return;
    }
    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t k = bar ? (size_t)(bar - p) : strlen(p);
        char *s = strndup(p, k);
        if (!s || json_array_append_new(a, hy__stix_str(s)) != 0)
            c->oom = true;
        free(s);
        p += k + (bar ? 1 : 0);
    }
    if (json_array_size(a))
        hy__stix_set(c, o, "aliases", a);
    else
        json_decref(a);
}

/* An ATT&CK id of the form P + 4 digits (+ ".NNN" when sub is set). */
static bool attack_id_ok(const char *id, size_t cap, char prefix, bool sub)
{
    size_t n = memchr(id, '\0', cap) ? strlen(id) : 0;
    if ((n != 5 && !(sub && n == 9)) || id[0] != prefix)
        return false;
    for (size_t i = 1; i < n; i++)
        if (i == 5 ? id[i] != '.' : (id[i] < '0' || id[i] > '9'))
            return false;
    return true;
}

/* ---- indicators ---- */

static hy_err one_indicator(hy__stix *c, const hy_ioc *ioc, hy_buf *pat)
{
    char id[HY_STIX_ID_MAX];
    bool dup;
    hy_buf_reset(pat);
    hy_err rc = hy_stix_pattern(ioc, pat);
    if (rc == HY_ERR_NOMEM || rc == HY_ERR_TOOBIG)
        return rc;
    if (rc != HY_OK)
        return HY_OK; /* not expressible, or not a valid value of its type */
    hy__stix_id("indicator", pat->data, id);
    json_t *o = hy__stix_sdo(c, "indicator", id, &dup);
    if (dup)
        return HY_OK;
    hy__stix_set(c, o, "name", hy__stix_str(ioc->value));
    hy__stix_set(c, o, "pattern", json_string(pat->data));
    hy__stix_set(c, o, "pattern_type", json_string("stix"));
    hy__stix_set(c, o, "pattern_version", json_string("2.1"));
    hy__stix_set(c, o, "valid_from", json_string(c->ts));
    const char *types[] = {"malicious-activity"};
    hy__stix_set(c, o, "indicator_types", str_array(c, types, 1));
    return o ? hy__stix_add(c, o, &c->indicators) : HY_ERR_NOMEM;
}

hy_err hy__stix_indicators(hy__stix *c)
{
    hy_buf pat;
    hy_err rc = HY_OK;
    hy_buf_init(&pat, HY_IOC_MAX_VALUE * 2 + 64);
    for (size_t i = 0; i < c->r->iocs.n && rc == HY_OK; i++)
        if (!c->r->iocs.v[i].noise && c->r->iocs.v[i].value)
            rc = one_indicator(c, &c->r->iocs.v[i], &pat);
    hy_buf_free(&pat);
    return rc;
}

/* ---- vulnerabilities ---- */

/* CVE-YYYY-NNNN..., the sequence 4+ digits without a leading zero past 4. */
static bool cve_ok(const char *v)
{
    size_t n = strlen(v), i;
    if (n < 13 || n > 32 || strncmp(v, "CVE-", 4) != 0 || v[8] != '-')
        return false;
    for (i = 4; i < n; i++)
        if (i != 8 && (v[i] < '0' || v[i] > '9'))
            return false;
    return n == 13 || v[9] != '0';
}

hy_err hy__stix_vulnerabilities(hy__stix *c)
{
    hy_err rc = HY_OK;
    for (size_t i = 0; i < c->r->iocs.n && rc == HY_OK; i++) {
        const hy_ioc *ioc = &c->r->iocs.v[i];
        char id[HY_STIX_ID_MAX], url[96];
        bool dup;
        if (ioc->type != HY_IOC_CVE || ioc->noise || !ioc->value || !cve_ok(ioc->value))
            continue;
        hy__stix_id("vulnerability", ioc->value, id);
        json_t *o = hy__stix_sdo(c, "vulnerability", id, &dup);
        if (dup)
            continue;
        snprintf(url, sizeof url, "https://www.cve.org/CVERecord?id=%s", ioc->value);
        hy__stix_set(c, o, "name", json_string(ioc->value));
        hy__stix_set(c, o, "external_references", ext_ref(c, "cve", ioc->value, url));
        rc = o ? hy__stix_add(c, o, NULL) : HY_ERR_NOMEM;
    }
    return rc;
}

/* ---- attack-patterns ---- */

/* The kill chain of an ATT&CK domain, as ATT&CK's own bundles name it. */
static const char *chain_of(const char *domain)
{
    if (domain && strcmp(domain, "ics-attack") == 0)
        return "mitre-ics-attack";
    if (domain && strcmp(domain, "mobile-attack") == 0)
        return "mitre-mobile-attack";
    return "mitre-attack";
}

static void add_phase(hy__stix *c, json_t *a, const char *chain, const char *phase)
{
    json_t *p, *v;
    size_t i;
    json_array_foreach(a, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "kill_chain_name")), chain) == 0 &&
            strcmp(json_string_value(json_object_get(v, "phase_name")), phase) == 0)
            return;
    }
    p = json_object();
    hy__stix_set(c, p, "kill_chain_name", json_string(chain));
    hy__stix_set(c, p, "phase_name", json_string(phase));
    if (!p || json_array_append_new(a, p) != 0)
        c->oom = true;
}

/* kill_chain_phases of a technique: its ATT&CK tactics, then the Lockheed
 * Martin phases they map to; NULL when the tables know no tactic. */
static json_t *phases_of(hy__stix *c, const hy_attack_entry *e)
{
    json_t *a = json_array();
    char tac[64];
    if (!a) {
        c->oom = true;
        return NULL;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (const char *p = e ? e->tactics : ""; *p;) {
            const char *comma = strchr(p, ',');
            size_t k = comma ? (size_t)(comma - p) : strlen(p);
            snprintf(tac, sizeof tac, "%.*s", (int)(k < sizeof tac ? k : sizeof tac - 1), p);
            const char *lm = hy_attack_killchain_phase(tac);
            if (pass == 0 && k && k < sizeof tac)
                add_phase(c, a, chain_of(e->domain), tac);
            else if (pass == 1 && lm)
                add_phase(c, a, "lockheed-martin-cyber-kill-chain", lm);
            p += k + (comma ? 1 : 0);
        }
    }
    if (!json_array_size(a)) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static hy_err one_attack_pattern(hy__stix *c, const char *tid)
{
    char id[HY_STIX_ID_MAX], url[96];
    const hy_attack_entry *e = hy_attack_find(c->tables, tid);
    bool dup;
    if (e && e->kind != HY_ATTACK_TECHNIQUE)
        e = NULL;
    hy__stix_id("attack-pattern", tid, id);
    json_t *o = hy__stix_sdo(c, "attack-pattern", id, &dup), *ph;
    if (dup)
        return HY_OK;
    if (tid[5] == '.')
        snprintf(url, sizeof url, ATTACK_URL "techniques/%.5s/%s/", tid, tid + 6);
    else
        snprintf(url, sizeof url, ATTACK_URL "techniques/%s/", tid);
    hy__stix_set(c, o, "name", hy__stix_str(e ? e->name : tid));
    hy__stix_set(c, o, "external_references", ext_ref(c, "mitre-attack", tid, url));
    if ((ph = phases_of(c, e)))
        hy__stix_set(c, o, "kill_chain_phases", ph);
    return o ? hy__stix_add(c, o, &c->patterns) : HY_ERR_NOMEM;
}

/* The report's techniques, then technique ids written in its text. */
hy_err hy__stix_attack_patterns(hy__stix *c)
{
    const hy_intel_report *r = c->r;
    hy_err rc = HY_OK;
    for (size_t i = 0; i < r->ntech && rc == HY_OK; i++)
        if (attack_id_ok(r->tech[i].id, sizeof r->tech[i].id, 'T', true))
            rc = one_attack_pattern(c, r->tech[i].id);
    for (size_t i = 0; i < r->iocs.n && rc == HY_OK; i++) {
        const hy_ioc *ioc = &r->iocs.v[i];
        if (ioc->type == HY_IOC_ATTACK_TECHNIQUE && !ioc->noise && ioc->value &&
            attack_id_ok(ioc->value, HY_ATTACK_ID_MAX, 'T', true))
            rc = one_attack_pattern(c, ioc->value);
    }
    return rc;
}

/* ---- intrusion-sets ---- */

hy_err hy__stix_intrusion_sets(hy__stix *c)
{
    hy_err rc = HY_OK;
    for (size_t i = 0; i < c->r->iocs.n && rc == HY_OK; i++) {
        const hy_ioc *ioc = &c->r->iocs.v[i];
        char id[HY_STIX_ID_MAX], url[96];
        bool dup;
        if (ioc->type != HY_IOC_ATTACK_GROUP || ioc->noise || !ioc->value ||
            !attack_id_ok(ioc->value, HY_ATTACK_ID_MAX, 'G', false))
            continue;
        const hy_attack_entry *e = hy_attack_find(c->tables, ioc->value);
        if (e && e->kind != HY_ATTACK_GROUP)
            e = NULL;
        hy__stix_id("intrusion-set", ioc->value, id);
        json_t *o = hy__stix_sdo(c, "intrusion-set", id, &dup);
        if (dup)
            continue;
        snprintf(url, sizeof url, ATTACK_URL "groups/%s/", ioc->value);
        hy__stix_set(c, o, "name", hy__stix_str(e ? e->name : ioc->value));
        set_aliases(c, o, e ? e->aliases : NULL);
        hy__stix_set(c, o, "external_references", ext_ref(c, "mitre-attack", ioc->value, url));
        rc = o ? hy__stix_add(c, o, NULL) : HY_ERR_NOMEM;
    }
    return rc;
}

/* ---- malware and tools ---- */

static hy_err one_software(hy__stix *c, const hy_attack_entry *e)
{
    const char *type = e->is_malware ? "malware" : "tool";
    char id[HY_STIX_ID_MAX], url[96];
    bool dup, known = attack_id_ok(e->id, sizeof e->id, 'S', false);
    if (!e->name || !*e->name)
        return HY_OK;
    hy__stix_id(type, known ? e->id : e->name, id);
    json_t *o = hy__stix_sdo(c, type, id, &dup);
    if (dup)
        return HY_OK;
    hy__stix_set(c, o, "name", hy__stix_str(e->name));
    if (e->is_malware)
        hy__stix_set(c, o, "is_family", json_true());
    set_aliases(c, o, e->aliases);
    if (known) {
        snprintf(url, sizeof url, ATTACK_URL "software/%s/", e->id);
        hy__stix_set(c, o, "external_references", ext_ref(c, "mitre-attack", e->id, url));
    }
    return o ? hy__stix_add(c, o, e->is_malware ? &c->malware : NULL) : HY_ERR_NOMEM;
}

/* The software the report names, then software ids written in its text
 * (when the tables know them: malware or tool). */
hy_err hy__stix_software(hy__stix *c)
{
    const hy_intel_report *r = c->r;
    hy_err rc = HY_OK;
    for (size_t i = 0; i < r->nsoftware && rc == HY_OK; i++)
        if (r->software[i] && r->software[i]->kind == HY_ATTACK_SOFTWARE)
            rc = one_software(c, r->software[i]);
    for (size_t i = 0; i < r->iocs.n && rc == HY_OK; i++) {
        const hy_ioc *ioc = &r->iocs.v[i];
        const hy_attack_entry *e;
        if (ioc->type == HY_IOC_ATTACK_SOFTWARE && !ioc->noise && ioc->value &&
            (e = hy_attack_find(c->tables, ioc->value)) && e->kind == HY_ATTACK_SOFTWARE)
            rc = one_software(c, e);
    }
    return rc;
}

/* ---- relationships ---- */

static hy_err relate(hy__stix *c, const char *src, const char *type, const char *dst)
{
    char id[HY_STIX_ID_MAX], *content = NULL;
    bool dup;
    if (asprintf(&content, "%s:%s:%s", src, type, dst) < 0)
        return HY_ERR_NOMEM;
    hy__stix_id("relationship", content, id);
    free(content);
    json_t *o = hy__stix_sdo(c, "relationship", id, &dup);
    if (dup)
        return HY_OK;
    hy__stix_set(c, o, "relationship_type", json_string(type));
    hy__stix_set(c, o, "source_ref", json_string(src));
    hy__stix_set(c, o, "target_ref", json_string(dst));
    return o ? hy__stix_add(c, o, NULL) : HY_ERR_NOMEM;
}

/* Each indicator indicates each malware; each malware uses each
 * attack-pattern of the report. */
hy_err hy__stix_relationships(hy__stix *c)
{
    size_t ni = c->indicators.n, nm = c->malware.n, np = c->patterns.n;
    hy_err rc = HY_OK;
    /* A report naming many families (a yearly review, a compendium) says
     * nothing about which indicator goes with which: no cross product. */
    if (nm > HY_STIX_LINK_MALWARE_MAX)
        return HY_OK;
    if (nm && (ni > HY_STIX_MAX_RELATIONSHIPS / nm || np > HY_STIX_MAX_RELATIONSHIPS / nm ||
               ni * nm + np * nm > HY_STIX_MAX_RELATIONSHIPS))
        return HY_OK; /* past the cap: the report's object_refs still hold them all */
    for (size_t m = 0; m < nm && rc == HY_OK; m++) {
        for (size_t i = 0; i < ni && rc == HY_OK; i++)
            rc = relate(c, c->indicators.v[i], "indicates", c->malware.v[m]);
        for (size_t p = 0; p < np && rc == HY_OK; p++)
            rc = relate(c, c->malware.v[m], "uses", c->patterns.v[p]);
    }
    return rc;
}
