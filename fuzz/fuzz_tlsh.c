/* libFuzzer target for TLSH (include/hayate/tlsh.h). Input: 1 byte of
 * options (bit 0: 256 buckets, bit 1: 3-byte checksum, bit 2:
 * conservative, bit 3: no "T1"), then the data. Checks that
 *  - the data streamed in chunks whose sizes the data itself picks gives
 *    the one-shot digest, and that digest parses back to itself at
 *    distance 0;
 *  - the data read as text either is refused by the parser or parses to a
 *    digest that formats back to the same text (case aside) and has
 *    symmetric, non-negative distances to the hashed one and to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hayate/tlsh.h"

#include "fuzz_check.h"

/* Streams p in chunks of 1..64 bytes, each size taken from the byte at
 * the chunk's start; returns final's result and text. */
static hy_err hash_chunked(const uint8_t *p, size_t n, const hy_tlsh_opts *o, char *out)
{
    hy_tlsh ctx;
    CHECK(hy_tlsh_init(&ctx, o) == HY_OK);
    for (size_t off = 0; off < n;) {
        size_t k = 1 + p[off] % 64u;
        k = k < n - off ? k : n - off;
        CHECK(hy_tlsh_update(&ctx, p + off, k) == HY_OK);
        off += k;
    }
    return hy_tlsh_final(&ctx, out, HY_TLSH_TEXT_MAX);
}

static void check_hash(const uint8_t *p, size_t n, const hy_tlsh_opts *o, hy_tlsh_digest *d,
                       int *have)
{
    char one[HY_TLSH_TEXT_MAX], parts[HY_TLSH_TEXT_MAX], again[HY_TLSH_TEXT_MAX];
    hy_err rc = hy_tlsh_hash(p, n, o, one, sizeof one);
    CHECK(hash_chunked(p, n, o, parts) == rc);
    CHECK(strcmp(one, parts) == 0);
    *have = rc == HY_OK;
    if (rc != HY_OK) {
        CHECK(one[0] == '\0' && (rc == HY_ERR_ARG || rc == HY_ERR_TOOBIG));
        return;
    }
    CHECK(hy_tlsh_parse(one, d) == HY_OK);
    CHECK(hy_tlsh_format(d, o->no_prefix, again, sizeof again) == HY_OK);
    CHECK(strcmp(one, again) == 0);
    CHECK(hy_tlsh_diff(d, d, true) == 0);
}

static void check_text(const uint8_t *p, size_t n, const hy_tlsh_digest *hashed, int have)
{
    char text[HY_TLSH_TEXT_MAX + 8], again[HY_TLSH_TEXT_MAX];
    hy_tlsh_digest d;
    size_t k = n < sizeof text - 1 ? n : sizeof text - 1;
    memcpy(text, p, k);
    text[k] = '\0';
    if (hy_tlsh_parse(text, &d) != HY_OK)
        return;
    int prefixed = text[0] == 'T' && text[1] == '1';
    CHECK(hy_tlsh_format(&d, !prefixed, again, sizeof again) == HY_OK);
    CHECK(strcasecmp(text, again) == 0);
    CHECK(hy_tlsh_diff(&d, &d, false) == 0);
    if (have) {
        int ab = hy_tlsh_diff(&d, hashed, true), ba = hy_tlsh_diff(hashed, &d, true);
        CHECK(ab == ba);
        CHECK(ab >= -1);
        CHECK((ab == -1) ==
              (d.buckets != hashed->buckets || d.checksum_len != hashed->checksum_len));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_tlsh_digest hashed;
    int have = 0;
    if (size < 1)
        return 0;
    hy_tlsh_opts o = {.buckets = data[0] & 1 ? 256 : 128,
                      .checksum_len = data[0] & 2 ? 3 : 1,
                      .conservative = (data[0] & 4) != 0,
                      .no_prefix = (data[0] & 8) != 0};
    check_hash(data + 1, size - 1, &o, &hashed, &have);
    check_text(data + 1, size - 1, &hashed, have);
    return 0;
}
