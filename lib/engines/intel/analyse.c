/* The intel analyser (intel.h, hy_intel_analyse): a document becomes
 * plain text, indicators, techniques per sentence, tactics, software,
 * findings, a summary and a STIX bundle. One function serves the engine,
 * `hayate intel` and POST /api/analyze. */
#include <stdlib.h>
#include <string.h>

#include "engines/intel/intel_int.h"
#include "hayate/file.h"
#include "hayate/store.h"
#include "hayate/text.h"

#define TITLE_MAX 200

/* The hayate namespace for report ids (a fixed random UUID). */
static const uint8_t report_ns[16] = {0x6b, 0x1e, 0x3c, 0x52, 0x0f, 0x7a, 0x4d, 0x18,
                                      0x9a, 0x41, 0x2c, 0x83, 0xd5, 0x6e, 0x90, 0x27};

/* The first line of text with letters in it, trimmed and capped, or NULL. */
static char *first_line(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        bool letters = false;
        while (e < n && t[e] != '\n' && t[e] != '\f' && t[e] != '\r') {
            letters |= (t[e] >= 'A' && t[e] <= 'Z') || (t[e] >= 'a' && t[e] <= 'z');
            e++;
        }
        if (letters) {
            while (i < e && (t[i] == ' ' || t[i] == '\t'))
                i++;
            while (e > i && (t[e - 1] == ' ' || t[e - 1] == '\t'))
                e--;
            size_t len = e - i < TITLE_MAX ? e - i : TITLE_MAX;
            while (len > 0 && len < e - i && ((unsigned char)t[i + len] & 0xc0) == 0x80)
                len--;
            return strndup(t + i, len);
        }
        i = e + 1;
    }
    return NULL;
}

static void findings_free(hy_intel_report *r)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        free(r->findings[i].kind);
        free(r->findings[i].subject);
        free(r->findings[i].detail);
    }
    free(r->findings);
    r->findings = NULL;
    r->nfindings = 0;
}

void hy_intel_result_free(hy_intel_result *r)
{
    if (!r)
        return;
    hy_ioc_list_free(&r->report.iocs);
    free(r->report.tech);
    free(r->report.software);
    findings_free(&r->report);
    free(r->report.title);
    free(r->report.source);
    hy_buf_free(&r->text);
    hy_buf_free(&r->summary);
    hy_buf_free(&r->stix);
    memset(r, 0, sizeof *r);
}

/* The document's text (a CVE record's findings too), hash, id and title. */
static hy_err read_doc(const hy_intel *in, const char *name, const uint8_t *doc, size_t n,
                       hy_intel_result *out)
{
    hy_err rc;
    if ((rc = hy_file_sha256(doc, n, out->sha256)) != HY_OK)
        return rc;
    if ((rc = in_cve_doc(in, name, doc, n, out)) != HY_ERR_UNSUPPORTED)
        return rc; /* a CVE record: its text and findings, or its error */
    if ((rc = hy_text_from_doc(name, doc, n, &out->text)) != HY_OK)
        return rc;
    out->report.title = first_line(out->text.data ? out->text.data : "", out->text.len);
    return HY_OK;
}

/* Techniques of every sentence, merged per technique (best sentence). */
static hy_err annotate(const hy_intel *in, hy_intel_report *r)
{
    hy_span *sp = NULL;
    size_t ns = 0;
    hy_err rc;
    if (!in->model)
        return HY_OK;
    if ((rc = hy_text_sentences(r->text, r->text_len, &sp, &ns)) != HY_OK)
        return rc;
    for (size_t i = 0; i < ns && rc == HY_OK; i++)
        rc = in_classify(in, r, sp[i].start, sp[i].end);
    free(sp);
    return rc;
}

hy_err hy_intel_analyse(const hy_intel *in, const char *name, const uint8_t *doc, size_t n,
                        int64_t time_ns, hy_intel_result *out)
{
    hy_intel_report *r = &out->report;
    hy_err rc;
    memset(out, 0, sizeof *out);
    hy_buf_init(&out->text, HY_TEXT_MAX_OUTPUT);
    hy_buf_init(&out->summary, (size_t)1 << 30);
    hy_buf_init(&out->stix, (size_t)1 << 30);
    if (!in || (!doc && n))
        return hy_err_set(HY_ERR_ARG, "hy_intel_analyse: NULL argument");
    if ((rc = read_doc(in, name, doc ? doc : (const uint8_t *)"", n, out)) != HY_OK)
        return rc;
    r->text = out->text.data ? out->text.data : "";
    r->text_len = out->text.len;
    r->time_ns = time_ns;
    if (name && !(r->source = strdup(name)))
        return HY_ERR_NOMEM;
    memcpy(r->id, "report--", 8);
    hy_uuid5(report_ns, out->sha256, 64, r->id + 8);
    if ((rc = hy_ioc_extract(r->text, r->text_len, NULL, &r->iocs)) != HY_OK ||
        (rc = annotate(in, r)) != HY_OK ||
        (rc = hy_attack_find_software(in->tables, r->text, r->text_len, &r->software,
                                      &r->nsoftware)) != HY_OK ||
        (rc = in_summary(in, r, out->sha256, &out->summary)) != HY_OK)
        return rc;
    return hy_stix_bundle(r, in->tables, &out->stix);
}

hy_err hy_intel_record_of(const hy_intel_result *res, hy_intel_record *rec, hy_report_ioc **iocs)
{
    const hy_intel_report *r = &res->report;
    hy_report_ioc *v = r->iocs.n ? calloc(r->iocs.n, sizeof *v) : NULL;
    *iocs = v;
    if (r->iocs.n && !v)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < r->iocs.n; i++)
        v[i] = (hy_report_ioc){.type = hy_ioc_type_name(r->iocs.v[i].type),
                               .value = r->iocs.v[i].value,
                               .noise = r->iocs.v[i].noise,
                               .count = r->iocs.v[i].count};
    *rec = (hy_intel_record){.id = r->id, .sha256 = res->sha256, .title = r->title,
                             .source = r->source,
                             .time_ns = (uint64_t)(r->time_ns > 0 ? r->time_ns : 0),
                             .summary = res->summary.data ? res->summary.data : "{}",
                             .stix = res->stix.data ? res->stix.data : "{}",
                             .iocs = v, .niocs = r->iocs.n};
    return HY_OK;
}
