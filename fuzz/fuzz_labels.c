/* Fuzzes the family-labels parser (hy_labels_parse): any bytes either parse
 * into labels whose every family is printable and within its cap, or are
 * refused with a detail naming a line; never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/labels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_labels *l = NULL;
    hy_err rc = hy_labels_parse("fuzz", data, size, &l);
    if (rc != HY_OK) {
        if (l || (rc != HY_ERR_NOMEM && !strstr(hy_err_detail(), "fuzz: line ")))
            abort();
        return 0;
    }
    /* look up the first hash-looking field of the input, if any */
    if (size >= 40) {
        char h[65];
        size_t k = size >= 64 ? 64 : 40;
        memcpy(h, data, k);
        h[k] = '\0';
        const char *f = hy_labels_find(l, NULL, k == 40 ? h : NULL, k == 64 ? h : NULL);
        if (f && (strlen(f) == 0 || strlen(f) > HY_LABEL_MAX_FAMILY))
            abort();
    }
    hy_labels_free(l);
    return 0;
}
