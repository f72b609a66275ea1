/* hayate: plain text from documents, and sentences (lib/text).
 *
 * Reports arrive as plain text, HTML or PDF. hy_text_from_html uses
 * libxml2's HTML parser (scripts, styles and comments dropped, block
 * elements end lines); hy_text_from_pdf uses poppler-glib, page by page.
 * hy_text_sentences splits text into sentences without breaking inside
 * indicators ("evil.com", "1.2.3.4", "v2.15.0", "e.g."). All input is
 * untrusted and capped: HY_TEXT_MAX_INPUT bytes in, HY_TEXT_MAX_OUTPUT out. */
#ifndef HAYATE_TEXT_H
#define HAYATE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

#define HY_TEXT_MAX_INPUT (256u << 20)
#define HY_TEXT_MAX_OUTPUT (64u << 20)
#define HY_TEXT_MAX_PAGES 10000u
#define HY_TEXT_MAX_SENTENCES 4000000u

typedef enum hy_text_kind {
    HY_TEXT_PLAIN,
    HY_TEXT_HTML,
    HY_TEXT_PDF,
} hy_text_kind;

/* A byte range [start, end) of a text. */
typedef struct hy_span {
    size_t start, end;
} hy_span;

/* The kind of document buf[0..n) is, from its leading bytes ("%PDF-";
 * "<!doctype html", "<html", "<head", "<body" after blanks, any case),
 * else from name's extension (.pdf, .htm, .html), else plain. name may be
 * NULL. */
hy_text_kind hy_text_sniff(const uint8_t *buf, size_t n, const char *name);

/* Appends the visible text of the HTML document buf[0..n) to out as UTF-8.
 * name (may be NULL) prefixes errors. HY_ERR_FORMAT when libxml2 cannot
 * make a tree of it at all. */
hy_err hy_text_from_html(const char *name, const uint8_t *buf, size_t n, hy_buf *out);

/* Appends the text of the PDF document buf[0..n) to out as UTF-8, pages
 * separated by a form feed. HY_ERR_FORMAT (naming name) when poppler
 * cannot open it; encrypted documents are HY_ERR_UNSUPPORTED. */
hy_err hy_text_from_pdf(const char *name, const uint8_t *buf, size_t n, hy_buf *out);

/* Appends the text of a document of any kind above (sniffed) to out;
 * plain text is copied with invalid UTF-8 bytes replaced by U+FFFD. */
hy_err hy_text_from_doc(const char *name, const uint8_t *buf, size_t n, hy_buf *out);

/* Splits text[0..len) into sentences: *out (malloc'd, caller frees) gets
 * *count spans in order, blanks trimmed, empty sentences skipped. */
hy_err hy_text_sentences(const char *text, size_t len, hy_span **out, size_t *count);

#endif
