/* libFuzzer target for hy_pe_parse: any bytes parse or are refused as not a
 * PE, never crash. A result must respect its caps, every string it hands out
 * must be printable ASCII within HY_PE_MAX_NAME, mapped RVAs must land in the
 * file, the imphash must succeed, and the EMBER vector must be finite. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/ember.h"
#include "hayate/pe.h"

#include "fuzz_check.h"

static void check_str(const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    CHECK(n > 0 && n < HY_PE_MAX_NAME);
    for (size_t i = 0; i < n; i++)
        CHECK(s[i] >= 0x20 && s[i] <= 0x7e);
}

static void check_imports(const hy_pe_import_dll *d, size_t n, size_t *total)
{
    for (size_t i = 0; i < n; i++) {
        CHECK(d[i].name != NULL);
        if (strcmp(d[i].name, "*invalid*"))
            check_str(d[i].name);
        for (size_t j = 0; j < d[i].n_fns; j++)
            check_str(d[i].fns[j].name);
        *total += d[i].n_fns;
    }
}

static void check(const hy_pe *pe, size_t size)
{
    size_t total = 0, off;
    char ih[33];
    CHECK(pe->file_size == size);
    CHECK(pe->n_sections <= HY_PE_MAX_SECTIONS && pe->n_sections <= pe->n_sections_raw);
    CHECK(pe->n_anomalies <= HY_PE_MAX_ANOMALIES);
    CHECK(pe->n_imports <= HY_PE_MAX_IMPORT_DLLS);
    CHECK(pe->n_delay_imports <= HY_PE_MAX_IMPORT_DLLS);
    check_imports(pe->imports, pe->n_imports, &total);
    check_imports(pe->delay_imports, pe->n_delay_imports, &total);
    CHECK(total <= HY_PE_MAX_IMPORT_FUNCS);
    CHECK(pe->exports.n <= 2u * HY_PE_MAX_EXPORTS);
    check_str(pe->exports.dll_name);
    for (size_t i = 0; i < pe->exports.n; i++) {
        check_str(pe->exports.e[i].name);
        check_str(pe->exports.e[i].forwarder);
    }
    CHECK(pe->res.n_types <= HY_PE_MAX_RES_TYPES && pe->res.n_largest <= HY_PE_RES_LARGEST);
    CHECK(pe->res.count <= HY_PE_MAX_RES_ENTRIES);
    CHECK(pe->tls.n_callbacks <= HY_PE_MAX_TLS_CALLBACKS);
    CHECK(pe->rich.n_entries <= HY_PE_MAX_RICH_ENTRIES);
    CHECK(pe->overlay_offset + pe->overlay_size <= size);
    for (size_t i = 0; i < pe->n_sections; i++)
        CHECK(pe->sections[i].entropy >= -1.0 && pe->sections[i].entropy <= 8.0);
    if (hy_pe_rva_to_offset(pe, pe->entry, &off))
        CHECK(off < size);
    CHECK(hy_pe_imphash(pe, ih) == HY_OK);
    CHECK(ih[0] == '\0' ? pe->n_imports == 0 : strlen(ih) == 32);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_pe *pe = NULL;
    hy_err rc = hy_pe_parse(data, size, &pe);
    CHECK(rc == HY_OK || rc == HY_ERR_FORMAT);
    CHECK((rc == HY_OK) == (pe != NULL));
    if (pe)
        check(pe, size);
    /* the EMBER vector of the parse (or of the bytes alone): finite */
    static float v[HY_EMBER_DIM];
    CHECK(hy_ember_features(data, size, pe, v) == HY_OK);
    for (size_t i = 0; i < HY_EMBER_DIM; i++)
        CHECK(isfinite(v[i]));
    hy_pe_free(pe);
    return 0;
}
