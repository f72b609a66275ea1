/* Fuzzes the ATT&CK classifier's readers of untrusted input, chosen by the
 * first byte (mod 8):
 *   0: a model file (hy_attack_model_parse), as given;
 *   4: the same with its last 4 bytes replaced by the right checksum, so
 *      the fuzzer reaches the parser behind the checksum;
 *   1, 5: single_label.json (hy_attack_parse_single_label);
 *   2: bootstrap-training-data.json (hy_attack_parse_bootstrap);
 *   6: an ATT&CK STIX bundle's technique descriptions
 *      (hy_attack_parse_attack_descriptions), over rows labelled T1003.001
 *      and T1059 so that matching techniques are described;
 *   3, 7: an annotated report, .mjson (hy_attack_parse_report).
 * Any bytes are accepted or refused with a message; never a crash, a leak
 * or a hang. An accepted model classifies a sentence with probabilities
 * summing to 1; accepted data rows have valid labels and groups and texts
 * within the caps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/attack.h"
#include "hayate/ember.h" /* hy_murmur3_32 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void model(const uint8_t *d, size_t n)
{
    hy_attack_model *m = NULL;
    if (hy_attack_model_parse("fuzz.hyl", d, n, &m) != HY_OK) {
        if (!*hy_err_detail() || m)
            abort();
        return;
    }
    static const char s[] = "The actor used cmd.exe to download a payload from 10.0.0.1.";
    double *p = malloc(hy_attack_model_classes(m) * sizeof *p);
    hy_attack_pred top[3];
    size_t k = 0;
    if (!p || hy_attack_model_proba(m, s, sizeof s - 1, p, p) != HY_OK ||
        hy_attack_model_predict(m, s, sizeof s - 1, top, 3, &k) != HY_OK || k < 2)
        abort();
    double sum = 0;
    for (size_t c = 0; c < hy_attack_model_classes(m); c++)
        sum += p[c];
    if (!(fabs(sum - 1) < 1e-6) || !top[0].name || top[0].prob < top[1].prob)
        abort();
    free(p);
    hy_attack_model_free(m);
}

static void rows(int kind, const uint8_t *d, size_t n)
{
    hy_attack_data *ds = NULL;
    hy_err rc;
    if (hy_attack_data_create(&ds) != HY_OK)
        return;
    if (kind == 6 && (hy_attack_data_add(ds, "seed", 4, "T1003.001", "g", HY_ATTACK_SRC_SINGLE) ||
                      hy_attack_data_add(ds, "seed", 4, "T1059", "g", HY_ATTACK_SRC_SINGLE)))
        abort();
    if (kind == 6)
        rc = hy_attack_parse_attack_descriptions(ds, "fuzz.json", d, n);
    else if (kind == 1)
        rc = hy_attack_parse_single_label(ds, "fuzz.json", d, n);
    else if (kind == 2)
        rc = hy_attack_parse_bootstrap(ds, "fuzz.json", d, n);
    else
        rc = hy_attack_parse_report(ds, "fuzz.mjson", d, n, true, true);
    if (rc != HY_OK && !*hy_err_detail())
        abort();
    for (size_t i = 0; i < ds->n; i++) {
        const hy_attack_row *r = &ds->rows[i];
        if (r->label >= ds->nlabels || r->group >= ds->ngroups || r->len > HY_ATTACK_MAX_TEXT ||
            strlen(r->text) > r->len)
            abort();
    }
    hy_attack_data_free(ds);
}

/* The model bytes with a valid checksum in their last 4 bytes. */
static void model_summed(const uint8_t *d, size_t n)
{
    if (n < 4)
        return;
    uint8_t *c = malloc(n);
    if (!c)
        return;
    memcpy(c, d, n);
    uint32_t h = hy_murmur3_32(c, n - 4, 0x48594154u);
    for (int i = 0; i < 4; i++)
        c[n - 4 + i] = (uint8_t)(h >> (8 * i));
    model(c, n);
    free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned k = data[0] % 8;
    if (k == 0)
        model(data + 1, size - 1);
    else if (k == 4)
        model_summed(data + 1, size - 1);
    else
        rows(k == 6 ? 6 : (int)(k % 4), data + 1, size - 1);
    return 0;
}
