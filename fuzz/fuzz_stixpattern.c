/* Fuzzes the STIX 2.1 pattern checker (hy_stix_pattern_check): any bytes
 * are accepted or refused with a detail, never a crash, a hang or a read
 * past the input; an accepted pattern stays valid inside parentheses (a
 * compound observation expression) unless that passes the nesting cap. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/stix_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy of exactly size bytes, so ASan sees any read past the end */
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    hy_err rc = hy_stix_pattern_check(p, size);
    if (rc != HY_OK && rc != HY_ERR_FORMAT && rc != HY_ERR_TOOBIG)
        abort();
    if (rc != HY_OK && !hy_err_detail()[0])
        abort();
    if (rc == HY_OK && size + 3 <= HY_STIX_PATTERN_MAX_LEN) {
        /* "(" P "\n)": the newline ends a trailing line comment */
        char *w = malloc(size + 3);
        if (w) {
            w[0] = '(';
            memcpy(w + 1, p, size);
            w[size + 1] = '\n';
            w[size + 2] = ')';
            hy_err r2 = hy_stix_pattern_check(w, size + 3);
            if (r2 != HY_OK && r2 != HY_ERR_TOOBIG)
                abort();
            free(w);
        }
    }
    free(p);
    return 0;
}
