/* hayate: files as evidence (lib/file, docs/malware.md): cryptographic
 * hashes and byte entropy. The similarity hashes (tlsh.h), the executable
 * parsers (pe.h, elf.h) and file typing build on these. */
#ifndef HAYATE_FILE_H
#define HAYATE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Hex digests of one file's bytes. */
typedef struct hy_file_hashes {
    char md5[33], sha1[41], sha256[65];
} hy_file_hashes;

/* MD5, SHA-1 and SHA-256 of n bytes at p (OpenSSL's EVP), in one pass.
 * HY_ERR_INTERNAL when the crypto library refuses (no digest context). */
hy_err hy_file_hashes_of(const uint8_t *p, size_t n, hy_file_hashes *out);

/* SHA-256 of n bytes at p as 64 lowercase hex digits and a NUL. */
hy_err hy_file_sha256(const uint8_t *p, size_t n, char out[65]);

/* Shannon entropy of n bytes in bits per byte, 0..8 (0 for n == 0). */
double hy_entropy(const uint8_t *p, size_t n);

/* The count of each byte value in n bytes at p. */
void hy_byte_counts(const uint8_t *p, size_t n, uint64_t count[256]);

#endif
