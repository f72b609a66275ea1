/* Cryptographic hashes and byte entropy of files (include/hayate/file.h). */
#include "hayate/file.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void hex(const unsigned char *d, unsigned n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

hy_err hy_file_hashes_of(const uint8_t *p, size_t n, hy_file_hashes *out)
{
    const EVP_MD *md[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
    char *dst[3] = {out->md5, out->sha1, out->sha256};
    EVP_MD_CTX *ctx[3] = {EVP_MD_CTX_new(), EVP_MD_CTX_new(), EVP_MD_CTX_new()};
    hy_err rc = HY_OK;
    for (int k = 0; k < 3 && rc == HY_OK; k++)
        if (!ctx[k] || EVP_DigestInit_ex(ctx[k], md[k], NULL) != 1)
            rc = hy_err_set(HY_ERR_INTERNAL, "hashes: no digest context");
    /* one pass over the bytes, in cache-sized pieces for all three */
    for (size_t off = 0; rc == HY_OK && off < n; off += 1u << 16) {
        size_t k = n - off < (1u << 16) ? n - off : (1u << 16);
        for (int d = 0; d < 3; d++)
            EVP_DigestUpdate(ctx[d], p + off, k);
    }
    for (int k = 0; k < 3 && rc == HY_OK; k++) {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned int dl = 0;
        EVP_DigestFinal_ex(ctx[k], d, &dl);
        hex(d, dl, dst[k]);
    }
    for (int k = 0; k < 3; k++)
        EVP_MD_CTX_free(ctx[k]);
    return rc;
}

hy_err hy_file_sha256(const uint8_t *p, size_t n, char out[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    if (!EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL) || dl != 32)
        return hy_err_set(HY_ERR_INTERNAL, "hashes: SHA-256 failed");
    hex(d, dl, out);
    return HY_OK;
}

void hy_byte_counts(const uint8_t *p, size_t n, uint64_t count[256])
{
    /* four partial arrays, so consecutive equal bytes do not wait on each
     * other's increments; 32-bit, flushed before they could overflow */
    uint32_t c[4][256];
    size_t i = 0;
    memset(count, 0, 256 * sizeof *count);
    while (i < n) {
        size_t end = n - i > (1u << 30) ? i + (1u << 30) : n;
        memset(c, 0, sizeof c);
        for (; i + 4 <= end; i += 4) {
            c[0][p[i]]++;
            c[1][p[i + 1]]++;
            c[2][p[i + 2]]++;
            c[3][p[i + 3]]++;
        }
        for (; i < end; i++)
            c[0][p[i]]++;
        for (int b = 0; b < 256; b++)
            count[b] += (uint64_t)c[0][b] + c[1][b] + c[2][b] + c[3][b];
    }
}

double hy_entropy(const uint8_t *p, size_t n)
{
    uint64_t count[256];
    double h = 0;
    if (!n)
        return 0;
    hy_byte_counts(p, n, count);
    for (int b = 0; b < 256; b++)
        if (count[b]) {
            double q = (double)count[b] / (double)n;
            h -= q * log2(q);
        }
    return h;
}
