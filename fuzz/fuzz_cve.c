/* Fuzzes the CVE check from memory: the CVE JSON 5 record reader
 * (hy_cve_check) and the prose parser (hy_cve_text_parse) on the same
 * bytes. A record is either checked (every range and finding well formed,
 * every prose bound a comparable version) or refused with a detail naming
 * the input; the prose parser returns ranges whose bounds parse and whose
 * order is antisymmetric; never a crash, a leak or a hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/cve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bound(const char *s)
{
    hy_cve_version v;
    if (s && hy_cve_version_parse(s, strlen(s), NULL, &v) != HY_OK)
        abort();
}

static void check_ranges(const hy_cve_range *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!r[i].source || !r[i].origin || strlen(r[i].origin) > 1000)
            abort();
        check_bound(r[i].low);
        check_bound(r[i].high);
        if (r[i].low && r[i].high) {
            int ab, ba;
            if (hy_cve_version_compare(r[i].low, r[i].high, NULL, &ab) != HY_OK ||
                hy_cve_version_compare(r[i].high, r[i].low, NULL, &ba) != HY_OK ||
                (ab > 0) != (ba < 0) || (ab == 0) != (ba == 0))
                abort();
        }
    }
}

static void fuzz_record(const uint8_t *data, size_t size)
{
    hy_cve_report r;
    hy_err rc = hy_cve_check("fuzz", data, size, &r);
    if (rc != HY_OK) {
        if (r.ndata || r.ntext || r.nfindings || r.nnotes || r.description ||
            (rc != HY_ERR_NOMEM && !strstr(hy_err_detail(), "fuzz")))
            abort();
        return;
    }
    if (strncmp(r.id, "CVE-", 4) != 0 || r.nfindings > HY_CVE_MAX_FINDINGS ||
        r.nnotes > HY_CVE_MAX_NOTES || r.ndata > HY_CVE_MAX_DATA)
        abort();
    for (size_t i = 0; i < r.nfindings; i++)
        if (!r.findings[i].kind || strncmp(r.findings[i].kind, "cve-version-", 12) != 0 ||
            strcmp(r.findings[i].subject, r.id) != 0 || !r.findings[i].detail[0])
            abort();
    for (size_t i = 0; i < r.ndata; i++)
        if (!r.data[i].source || !r.data[i].origin)
            abort();
    check_ranges(r.text, r.ntext);
    check_ranges(r.fixed, r.nfixed);
    hy_cve_report_free(&r);
}

static void fuzz_text(const uint8_t *data, size_t size)
{
    hy_cve_range *r = NULL, *f = NULL;
    size_t n = 99, nf = 99;
    hy_err rc = hy_cve_text_parse((const char *)data, size, &r, &n, &f, &nf);
    if (rc != HY_OK) {
        if (rc != HY_ERR_TOOBIG && rc != HY_ERR_NOMEM)
            abort();
        if (r || f || n || nf)
            abort();
        return;
    }
    check_ranges(r, n);
    check_ranges(f, nf);
    for (size_t i = 0; i < nf; i++)
        if (!f[i].low || !f[i].high || strcmp(f[i].low, f[i].high) != 0)
            abort();
    hy_cve_ranges_free(r, n);
    hy_cve_ranges_free(f, nf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_record(data, size);
    fuzz_text(data, size);
    return 0;
}
