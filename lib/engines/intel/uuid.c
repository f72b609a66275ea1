/* Name-based UUIDs, version 5 (RFC 9562 section 5.5): SHA-1 over the
 * namespace's 16 bytes followed by the name; the first 16 bytes of the digest
 * with the version (5) in the high nibble of byte 6 and the variant (10xx)
 * in the high bits of byte 8. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hayate/intel.h"

static void uuid_format(const uint8_t u[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

/* Writes the nil UUID when OpenSSL cannot hash (out of memory): callers get
 * a well-formed id either way. */
void hy_uuid5(const uint8_t ns[16], const void *name, size_t len, char out[37])
{
    uint8_t d[EVP_MAX_MD_SIZE] = {0};
    unsigned int dl = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestInit_ex2(ctx, EVP_sha1(), NULL) == 1 &&
              EVP_DigestUpdate(ctx, ns, 16) == 1 &&
              (len == 0 || EVP_DigestUpdate(ctx, name, len) == 1) &&
              EVP_DigestFinal_ex(ctx, d, &dl) == 1 && dl == 20;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        memset(d, 0, sizeof d);
    } else {
        d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);
        d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
    }
    uuid_format(d, out);
}
