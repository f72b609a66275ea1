/* Fuzzes the PDF reader (hy_text_from_pdf, poppler underneath): any bytes
 * give valid UTF-8 text appended after what the buffer held, or a refusal
 * naming the input that leaves the buffer as it was; never a crash or a
 * hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "hayate/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_buf out;
    hy_buf_init(&out, 1u << 26);
    if (hy_buf_adds(&out, "seed|") != HY_OK)
        abort();
    hy_err rc = hy_text_from_pdf("fuzz.pdf", data, size, &out);
    if (rc != HY_OK) {
        if (out.len != 5 || (rc != HY_ERR_NOMEM && !strstr(hy_err_detail(), "fuzz.pdf")))
            abort();
        if (rc != HY_ERR_FORMAT && rc != HY_ERR_UNSUPPORTED && rc != HY_ERR_TOOBIG &&
            rc != HY_ERR_NOMEM)
            abort();
    } else {
        if (memcmp(out.data, "seed|", 5) != 0)
            abort();
        for (size_t i = 5; i < out.len;) {
            int k = hy_utf8_seq((const uint8_t *)out.data, out.len, i);
            if (k <= 0 || out.data[i] == '\0')
                abort();
            i += (size_t)k;
        }
    }
    hy_buf_free(&out);
    return 0;
}
