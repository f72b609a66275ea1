/* Fuzzes the feedback body parser of the HTTP API: any bytes are accepted
 * as a well-formed verdict or refused with a message, never crash or leak;
 * an accepted one has a valid verdict and fields within their caps. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_feedback fb = {0};
    char msg[256];
    json_t *j = hy__feedback_parse((const char *)data, size, &fb, msg, sizeof msg);
    if (!j) {
        if (!msg[0])
            abort();
        return 0;
    }
    if (!hy_verdict_valid(fb.verdict) || (fb.label && strlen(fb.label) > 128) ||
        (fb.comment && strlen(fb.comment) > 4096) || (fb.analyst && strlen(fb.analyst) > 64))
        abort();
    json_decref(j);
    return 0;
}
