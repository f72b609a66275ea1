/* A report's summary JSON (docs/intel.md, "Summary"): its indicators with
 * offsets, sentence and noise reason, counts per noise reason, techniques,
 * tactics and kill-chain phases, software and findings. It is what
 * `hayate intel extract --format json` prints, what the store keeps and
 * what GET /api/intel/reports/{id} serves. */
#include <string.h>

#include "engines/intel/intel_int.h"
#include "hayate/json.h"

#define SENTENCE_MAX 400 /* bytes of a sentence quoted in the summary */

static const char *const tactic_order[] = {
    "reconnaissance", "resource-development", "initial-access", "execution",
    "persistence", "privilege-escalation", "defense-evasion", "credential-access",
    "discovery", "lateral-movement", "collection", "command-and-control",
    "exfiltration", "impact"};
#define N_TACTICS (sizeof tactic_order / sizeof tactic_order[0])

static const char *const phase_order[] = {
    "reconnaissance", "weaponization", "delivery", "exploitation",
    "installation", "command-and-control", "actions-on-objectives"};
#define N_PHASES (sizeof phase_order / sizeof phase_order[0])

const char *in_tactic_name(unsigned i)
{
    return i < N_TACTICS ? tactic_order[i] : NULL;
}

const char *in_phase_name(unsigned k)
{
    return k < N_PHASES ? phase_order[k] : NULL;
}

/* Marks the tactics of one comma-separated list (and their phases). */
static void mark(const char *list, uint32_t *tactics, uint32_t *phases)
{
    const char *p = list;
    while (p && *p) {
        size_t n = strcspn(p, ",");
        for (unsigned i = 0; i < N_TACTICS; i++)
            if (strlen(tactic_order[i]) == n && !strncmp(p, tactic_order[i], n))
                *tactics |= 1u << i;
        char t[48];
        if (n < sizeof t) {
            memcpy(t, p, n);
            t[n] = '\0';
            const char *ph = hy_attack_killchain_phase(t);
            for (unsigned k = 0; ph && k < N_PHASES; k++)
                if (!strcmp(ph, phase_order[k]))
                    *phases |= 1u << k;
        }
        p += n + (p[n] == ',');
    }
}

void in_tactics(const hy_intel *in, const hy_intel_report *r, uint32_t *tactics, uint32_t *phases)
{
    *tactics = *phases = 0;
    for (size_t i = 0; i < r->ntech; i++) {
        const hy_attack_entry *e = in && in->tables ? hy_attack_find(in->tables, r->tech[i].id)
                                                    : NULL;
        /* a sub-technique without its own row takes its parent's tactics */
        if (!e && in && in->tables && strchr(r->tech[i].id, '.')) {
            char parent[HY_ATTACK_ID_MAX];
            size_t n = strcspn(r->tech[i].id, ".");
            memcpy(parent, r->tech[i].id, n);
            parent[n] = '\0';
            e = hy_attack_find(in->tables, parent);
        }
        if (e)
            mark(e->tactics, tactics, phases);
    }
}

/* The text of [start, end), capped, as a JSON string. */
static void quote(hy_json *j, const hy_intel_report *r, size_t start, size_t end)
{
    if (end > r->text_len)
        end = r->text_len;
    if (start >= end) {
        hy_json_str(j, "");
        return;
    }
    size_t n = end - start;
    if (n > SENTENCE_MAX) {
        n = SENTENCE_MAX;
        while (n > 0 && ((unsigned char)r->text[start + n] & 0xc0) == 0x80)
            n--; /* do not cut a UTF-8 sequence */
    }
    hy_json_strn(j, r->text + start, n);
}

static void iocs(hy_json *j, const hy_intel_report *r)
{
    hy_json_key(j, "iocs");
    hy_json_arr_open(j);
    for (size_t i = 0; i < r->iocs.n; i++) {
        const hy_ioc *c = &r->iocs.v[i];
        hy_json_obj_open(j);
        hy_json_kstr(j, "type", hy_ioc_type_name(c->type));
        hy_json_kstr(j, "value", c->value);
        hy_json_kuint(j, "start", c->start);
        hy_json_kuint(j, "end", c->end);
        hy_json_kuint(j, "count", c->count);
        hy_json_kbool(j, "defanged", c->defanged);
        hy_json_kbool(j, "noise", c->noise != NULL);
        hy_json_kstr(j, "noise_reason", c->noise);
        hy_json_key(j, "sentence");
        quote(j, r, c->sent_start, c->sent_end);
        hy_json_obj_close(j);
    }
    hy_json_arr_close(j);
}

#define MAX_REASONS 64

/* "hygiene": indicators, how many are noise, and how many per reason (in
 * order of first appearance; reasons are a small fixed set). */
static void hygiene(hy_json *j, const hy_intel_report *r)
{
    const char *why[MAX_REASONS];
    size_t count[MAX_REASONS], nwhy = 0, noise = 0;
    for (size_t i = 0; i < r->iocs.n; i++) {
        const char *w = r->iocs.v[i].noise;
        size_t k = 0;
        if (!w)
            continue;
        noise++;
        while (k < nwhy && strcmp(why[k], w) != 0)
            k++;
        if (k == nwhy && nwhy < MAX_REASONS) {
            why[nwhy] = w;
            count[nwhy++] = 0;
        }
        if (k < nwhy)
            count[k]++;
    }
    hy_json_key(j, "hygiene");
    hy_json_obj_open(j);
    hy_json_kuint(j, "iocs", r->iocs.n);
    hy_json_kuint(j, "noise", noise);
    hy_json_key(j, "reasons");
    hy_json_obj_open(j);
    for (size_t k = 0; k < nwhy; k++)
        hy_json_kuint(j, why[k], count[k]);
    hy_json_obj_close(j);
    hy_json_obj_close(j);
}

static void techniques(hy_json *j, const hy_intel *in, const hy_intel_report *r)
{
    hy_json_key(j, "techniques");
    hy_json_arr_open(j);
    for (size_t i = 0; i < r->ntech; i++) {
        const hy_intel_technique *t = &r->tech[i];
        const hy_attack_entry *e = in && in->tables ? hy_attack_find(in->tables, t->id) : NULL;
        hy_json_obj_open(j);
        hy_json_kstr(j, "id", t->id);
        hy_json_kstr(j, "name", e ? e->name : NULL);
        hy_json_kfixed(j, "confidence", t->confidence, 3);
        hy_json_kuint(j, "sentences", t->sentences);
        hy_json_key(j, "sentence");
        quote(j, r, t->sent_start, t->sent_end);
        hy_json_obj_close(j);
    }
    hy_json_arr_close(j);
}

void in_json_names(hy_json *j, const char *key, uint32_t bits, const char *(*name)(unsigned))
{
    hy_json_key(j, key);
    hy_json_arr_open(j);
    for (unsigned i = 0; name(i); i++)
        if (bits & (1u << i))
            hy_json_str(j, name(i));
    hy_json_arr_close(j);
}

static void software_findings(hy_json *j, const hy_intel_report *r)
{
    hy_json_key(j, "software");
    hy_json_arr_open(j);
    for (size_t i = 0; i < r->nsoftware; i++) {
        hy_json_obj_open(j);
        hy_json_kstr(j, "id", r->software[i]->id);
        hy_json_kstr(j, "name", r->software[i]->name);
        hy_json_kstr(j, "kind", r->software[i]->is_malware ? "malware" : "tool");
        hy_json_obj_close(j);
    }
    hy_json_arr_close(j);
    hy_json_key(j, "findings");
    hy_json_arr_open(j);
    for (size_t i = 0; i < r->nfindings; i++) {
        hy_json_obj_open(j);
        hy_json_kstr(j, "kind", r->findings[i].kind);
        hy_json_kstr(j, "subject", r->findings[i].subject);
        hy_json_kstr(j, "detail", r->findings[i].detail);
        hy_json_obj_close(j);
    }
    hy_json_arr_close(j);
}

hy_err in_summary(const hy_intel *in, const hy_intel_report *r, const char *sha256, hy_buf *out)
{
    hy_json j;
    uint32_t tactics, phases;
    in_tactics(in, r, &tactics, &phases);
    hy_json_init(&j, out);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "id", r->id);
    hy_json_kstr(&j, "title", r->title);
    hy_json_kstr(&j, "source", r->source);
    hy_json_kstr(&j, "sha256", sha256);
    hy_json_key(&j, "time");
    hy_json_time(&j, r->time_ns > 0 ? (uint64_t)r->time_ns : 0);
    hy_json_kuint(&j, "text_bytes", r->text_len);
    iocs(&j, r);
    hygiene(&j, r);
    techniques(&j, in, r);
    in_json_names(&j, "tactics", tactics, in_tactic_name);
    in_json_names(&j, "kill_chain", phases, in_phase_name);
    software_findings(&j, r);
    hy_json_obj_close(&j);
    return hy_json_finish(&j);
}
