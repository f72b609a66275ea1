/* Fuzzes the HTML reader (hy_text_from_html), and plain text through
 * hy_text_from_doc: any bytes give valid UTF-8 text without NULs appended
 * after what the buffer held, or a refusal naming the input that leaves the
 * buffer as it was; never a crash, a leak or a hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "hayate/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(hy_err rc, const hy_buf *out, size_t base)
{
    if (rc != HY_OK) {
        if (out->len != base || (rc != HY_ERR_NOMEM && !strstr(hy_err_detail(), "fuzz")))
            abort();
        if (rc != HY_ERR_FORMAT && rc != HY_ERR_TOOBIG && rc != HY_ERR_NOMEM)
            abort();
        return;
    }
    if (out->len < base || memcmp(out->data, "seed|", base) != 0)
        abort();
    for (size_t i = base; i < out->len;) {
        int k = hy_utf8_seq((const uint8_t *)out->data, out->len, i);
        if (k <= 0 || out->data[i] == '\0')
            abort();
        i += (size_t)k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_buf out;
    hy_buf_init(&out, 1u << 26);
    if (hy_buf_adds(&out, "seed|") != HY_OK)
        abort();
    check(hy_text_from_html("fuzz.html", data, size, &out), &out, 5);
    if (hy_text_sniff(data, size, NULL) == HY_TEXT_PLAIN) {
        hy_buf_reset(&out);
        if (hy_buf_adds(&out, "seed|") != HY_OK)
            abort();
        check(hy_text_from_doc("fuzz.txt", data, size, &out), &out, 5);
    }
    hy_buf_free(&out);
    return 0;
}
