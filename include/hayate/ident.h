/* hayate: identifying files (lib/file): the type by content (libmagic)
 * and the ssdeep context-triggered piecewise hash (libfuzzy). */
#ifndef HAYATE_IDENT_H
#define HAYATE_IDENT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* libmagic's database, loaded once per typer. A typer is not thread-safe:
 * give each thread (each engine instance) its own. */
typedef struct hy_typer hy_typer;

/* Loads the system's magic database. HY_ERR_IO with libmagic's message
 * when it cannot. */
hy_err hy_typer_create(hy_typer **out);
void hy_typer_destroy(hy_typer *t);

/* The MIME type ("application/x-dosexec") and the one-line description
 * ("PE32+ executable (DLL) (console) x86-64, for MS Windows") of n bytes.
 * Never fails on content: unknown bytes are "application/octet-stream" /
 * "data". Both outputs are NUL-terminated and cut to their cap. */
hy_err hy_typer_type(hy_typer *t, const uint8_t *p, size_t n, char *mime, size_t mime_cap,
                     char *desc, size_t desc_cap);

/* ssdeep's longest digest, "blocksize:hash1:hash2", with its NUL. */
#define HY_SSDEEP_MAX 148

/* The ssdeep digest of n bytes (thread-safe). HY_ERR_TOOBIG when n is past
 * what libfuzzy hashes (4 GiB). */
hy_err hy_ssdeep(const uint8_t *p, size_t n, char out[HY_SSDEEP_MAX]);

/* ssdeep's match score of two digests, 0 (unrelated) .. 100 (identical);
 * -1 when either is not a well-formed digest. */
int hy_ssdeep_compare(const char *a, const char *b);

#endif
