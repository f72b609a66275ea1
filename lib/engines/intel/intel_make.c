/* The analyser's life (intel.h): hy_intel_create loads the ATT&CK tables
 * and the sentence classifier; in_classify asks the classifier about one
 * sentence; in_cve_doc reads a CVE JSON 5 record as a report whose text
 * is its description and whose findings are its inconsistencies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/intel/intel_int.h"
#include "hayate/attack.h"
#include "hayate/cve.h"
#include "hayate/text.h"

#define TOP_K 2

void hy_intel_destroy(hy_intel *in)
{
    if (!in)
        return;
    hy_attack_tables_free(in->tables);
    hy_attack_model_free(in->model);
    free(in);
}

const hy_attack_tables *hy_intel_tables(const hy_intel *in)
{
    return in ? in->tables : NULL;
}

hy_err hy_intel_create(const hy_intel_cfg *cfg, hy_intel **out)
{
    hy_intel *in = calloc(1, sizeof *in);
    const char *tables = cfg && cfg->tables && *cfg->tables ? cfg->tables : HY_INTEL_DEFAULT_TABLES;
    const char *model = cfg && cfg->model && *cfg->model ? cfg->model : HY_INTEL_DEFAULT_MODEL;
    hy_err rc;
    *out = NULL;
    if (!in)
        return HY_ERR_NOMEM;
    in->min_confidence = cfg && cfg->min_confidence > 0 ? cfg->min_confidence : 0.5;
    if ((rc = hy_attack_tables_load(tables, &in->tables)) != HY_OK ||
        (strcmp(model, "none") != 0 && (rc = hy_attack_model_load(model, &in->model)) != HY_OK)) {
        hy_intel_destroy(in);
        return rc == HY_ERR_NOMEM ? rc : hy_err_set(HY_ERR_CONFIG, "intel: %s", hy_err_detail());
    }
    *out = in;
    return HY_OK;
}

/* The report's entry for technique id, appended when new; NULL: memory. */
static hy_intel_technique *tech_slot(hy_intel_report *r, const char *id)
{
    for (size_t i = 0; i < r->ntech; i++)
        if (!strcmp(r->tech[i].id, id))
            return &r->tech[i];
    hy_intel_technique *v = realloc(r->tech, (r->ntech + 1) * sizeof *v);
    if (!v)
        return NULL;
    r->tech = v;
    v += r->ntech++;
    memset(v, 0, sizeof *v);
    snprintf(v->id, sizeof v->id, "%s", id);
    return v;
}

hy_err in_classify(const hy_intel *in, hy_intel_report *r, size_t start, size_t end)
{
    hy_attack_pred top[TOP_K];
    size_t n = 0;
    hy_err rc = hy_attack_model_predict(in->model, r->text + start, end - start, top, TOP_K, &n);
    if (rc != HY_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (top[i].prob < in->min_confidence || !strcmp(top[i].name, HY_ATTACK_NONE))
            continue;
        hy_intel_technique *t = tech_slot(r, top[i].name);
        if (!t)
            return HY_ERR_NOMEM;
        t->sentences++;
        if (top[i].prob > t->confidence) {
            t->confidence = top[i].prob;
            t->sent_start = start;
            t->sent_end = end;
        }
    }
    return HY_OK;
}

bool in_is_document(const uint8_t *p, size_t n, const char *name)
{
    size_t head = n < 4096 ? n : 4096, odd = 0;
    if (hy_text_sniff(p, n, name) != HY_TEXT_PLAIN)
        return true;
    for (size_t i = 0; i < head; i++) {
        if (p[i] == 0)
            return false;
        odd += p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t' && p[i] != '\f';
    }
    return odd * 10 <= head; /* UTF-8 text has few control bytes */
}

/* Whether doc looks like a CVE JSON 5 record: a JSON object naming its
 * data type early on. */
static bool cve_like(const uint8_t *doc, size_t n)
{
    size_t i = 0;
    while (i < n && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\r' || doc[i] == '\n'))
        i++;
    if (i == n || doc[i] != '{')
        return false;
    size_t head = n - i < 4096 ? n - i : 4096;
    return memmem(doc + i, head, "\"CVE_RECORD\"", 12) != NULL;
}

/* Moves the record's findings into the report. */
static hy_err take_findings(hy_cve_report *c, hy_intel_report *r)
{
    r->findings = c->findings;
    r->nfindings = c->nfindings;
    c->findings = NULL;
    c->nfindings = 0;
    return HY_OK;
}

hy_err in_cve_doc(const hy_intel *in, const char *name, const uint8_t *doc, size_t n,
                  hy_intel_result *out)
{
    hy_cve_report c;
    hy_err rc;
    (void)in;
    if (!cve_like(doc, n))
        return HY_ERR_UNSUPPORTED;
    memset(&c, 0, sizeof c);
    if ((rc = hy_cve_check(name, doc, n, &c)) != HY_OK)
        return rc == HY_ERR_UNSUPPORTED ? hy_err_set(HY_ERR_FORMAT, "%s", hy_err_detail()) : rc;
    rc = hy_buf_adds(&out->text, c.description ? c.description : "");
    if (rc == HY_OK && !(out->report.title = strdup(c.id)))
        rc = HY_ERR_NOMEM;
    if (rc == HY_OK)
        rc = take_findings(&c, &out->report);
    hy_cve_report_free(&c);
    return rc;
}
