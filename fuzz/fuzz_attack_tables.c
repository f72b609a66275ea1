/* Fuzzes the ATT&CK tables loader (hy_attack_tables_parse, the in-memory
 * form of hy_attack_tables_load): any bytes either load, or are refused
 * with a detail naming the line; loaded tables write back to TSV that loads
 * to the same tables (byte-identical on the second round), every entry is
 * found by its id, and the software finder runs over the input as text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/intel/attack_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_attack_tables *t = NULL, *t2 = NULL;
    const hy_attack_entry **ids = NULL;
    size_t n = 0;
    hy_buf a, b;
    hy_err rc = hy_attack_tables_parse("fuzz", data, size, &t);
    if (rc != HY_OK) {
        if (t || (rc != HY_ERR_NOMEM && !strstr(hy_err_detail(), "fuzz: line ")))
            abort();
        return 0;
    }
    hy_buf_init(&a, HY_ATTACK_MAX_TSV);
    hy_buf_init(&b, HY_ATTACK_MAX_TSV);
    if (hy__attack_tables_format(t, &a) != HY_OK ||
        hy_attack_tables_parse("round", a.data ? a.data : "", a.len, &t2) != HY_OK ||
        hy_attack_count(t2) != hy_attack_count(t) || hy__attack_tables_format(t2, &b) != HY_OK ||
        a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        abort();
    for (size_t i = 0; i < hy_attack_count(t); i++) {
        const hy_attack_entry *e = hy_attack_at(t, i);
        if (hy_attack_find(t, e->id) != e || strcmp(hy_attack_at(t2, i)->name, e->name) != 0)
            abort();
        if (e->kind == HY_ATTACK_TACTIC && !e->tactics[0])
            abort();
    }
    if (hy_attack_find_software(t, (const char *)data, size, &ids, &n) == HY_OK)
        for (size_t i = 0; i < n; i++)
            if (ids[i]->kind != HY_ATTACK_SOFTWARE)
                abort();
    free(ids);
    hy_buf_free(&a);
    hy_buf_free(&b);
    hy_attack_tables_free(t2);
    hy_attack_tables_free(t);
    return 0;
}
