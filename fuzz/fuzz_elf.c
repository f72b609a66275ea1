/* Fuzzes the ELF parser: any bytes either are refused as not ELF or give a
 * result whose every string ends in a NUL, whose counts respect the caps in
 * limits.h and whose anomaly list agrees with its counts, and a finite
 * feature vector (hy_elf_features); never a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "hayate/elf.h"
#include "hayate/elfvec.h"
#include "hayate/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const char *s)
{
    size_t k = strlen(s); /* ASan: must end inside its allocation */
    if (k > HY_ELF_MAX_STR)
        abort();
    return k;
}

static void check(const hy_elf *e)
{
    size_t sum = 0;
    if (e->n_segments > HY_ELF_MAX_PHDRS || e->n_sections > HY_ELF_MAX_SECTIONS ||
        e->n_dynsyms > HY_ELF_MAX_SYMBOLS || e->dyn.n_needed > HY_ELF_MAX_NEEDED ||
        e->n_notes > HY_ELF_MAX_NOTES || e->n_anomalies > HY_ELF_MAX_ANOMALIES ||
        e->n_imports + e->n_exports > e->n_dynsyms || e->symtab.count > HY_ELF_MAX_SYMBOLS)
        abort();
    for (size_t i = 0; i < e->n_sections; i++) {
        sum += touch(e->sections[i].name);
        if (e->sections[i].entropy > 8.0)
            abort();
    }
    for (size_t i = 0; i < e->n_segments; i++)
        if (e->segments[i].entropy > 8.0)
            abort();
    for (size_t i = 0; i < e->n_dynsyms; i++)
        sum += touch(e->dynsyms[i].name);
    for (size_t i = 0; i < e->dyn.n_needed; i++)
        sum += touch(e->dyn.needed[i]);
    for (size_t i = 0; i < e->n_notes; i++)
        sum += touch(e->notes[i].owner);
    if (e->interp)
        sum += touch(e->interp);
    if (e->dyn.soname)
        sum += touch(e->dyn.soname);
    if (e->dyn.rpath)
        sum += touch(e->dyn.rpath);
    if (e->dyn.runpath)
        sum += touch(e->dyn.runpath);
    if (e->entry_section >= (long)e->n_sections || strlen(e->build_id) % 2)
        abort();
    for (size_t i = 0; i < e->n_anomalies; i++) {
        hy_elf_anomaly_kind k = e->anomalies[i].kind;
        if (!hy_elf_has_anomaly(e, k) || e->anomaly_count[k] == 0)
            abort();
        sum += touch(hy_elf_anomaly_str(k));
    }
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_elf *e = NULL;
    hy_err rc = hy_elf_parse(data, size, &e);
    if (rc != HY_OK) {
        if (e || (size >= 4 && memcmp(data, "\177ELF", 4) == 0 && rc != HY_ERR_NOMEM))
            abort(); /* ELF magic always yields a result */
        return 0;
    }
    check(e);
    /* the feature vector of whatever parsed: finite, never a crash */
    static float v[HY_ELFVEC_DIM];
    if (hy_elf_features(data, size, e, v) != HY_OK)
        abort();
    for (size_t i = 0; i < HY_ELFVEC_DIM; i++)
        if (!isfinite(v[i]))
            abort();
    hy_elf_free(e);
    return 0;
}
