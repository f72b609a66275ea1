/* hayate internal: helpers shared by the document-to-text readers
 * (lib/text/doc.c, html.c, pdf.c). */
#ifndef HAYATE_TEXT_DOC_INT_H
#define HAYATE_TEXT_DOC_INT_H

#include <stddef.h>

#include "hayate/buf.h"
#include "hayate/error.h"

/* Appends s[0..n) to out as valid UTF-8: each invalid sequence (its maximal
 * invalid subpart) and each NUL byte becomes U+FFFD. HY_ERR_TOOBIG when the
 * bytes appended since out->len was base would pass HY_TEXT_MAX_OUTPUT or
 * the buffer's cap; NOMEM. On error out may hold part of s: callers roll
 * back with hy__text_rollback. */
hy_err hy__text_add_utf8(hy_buf *out, size_t base, const void *s, size_t n);

/* Cuts out back to base bytes (what it held before a failed call). */
void hy__text_rollback(hy_buf *out, size_t base);

/* Checks the arguments every reader shares and the input cap; what names the
 * input in errors ("html", "pdf", "text"). */
hy_err hy__text_check(const char *what, const char *name, const void *buf, size_t n,
                      const hy_buf *out);

/* name, or "<memory>" when NULL. */
const char *hy__text_name(const char *name);

#endif
