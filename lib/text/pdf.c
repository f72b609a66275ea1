/* Text of PDF documents (include/hayate/text.h), by poppler-glib.
 *
 * Pages are read in order and separated by a form feed (none after the
 * last); a page poppler cannot load counts as empty, so page numbers still
 * follow the form feeds. A document of more than HY_TEXT_MAX_PAGES pages is
 * HY_ERR_TOOBIG, as is a text longer than HY_TEXT_MAX_OUTPUT; out is left as
 * it was on any error.
 *
 * Encryption: a document that needs a password (the empty user password
 * does not open it) is HY_ERR_UNSUPPORTED. One encrypted with an owner
 * password only opens with the empty user password, as in any viewer, and
 * its text is read.
 *
 * poppler reports syntax problems through an error callback that
 * poppler-glib routes to g_log at info level (domain "Poppler"), which GLib's
 * default handler prints only when G_MESSAGES_DEBUG asks for it; so nothing
 * reaches stderr by default and there is nothing to silence. */
#include <glib.h>
#include <limits.h>
#include <poppler.h>
#include <string.h>

#include "core/dynlib.h"
#include "hayate/text.h"
#include "text/doc_int.h"

/* poppler-glib (and GLib through it) is opened on the first PDF, not at
 * start-up (core/dynlib.h). */
#define PDF_FNS(X)                                                                                 \
    X(poppler_document_new_from_bytes)                                                             \
    X(poppler_document_get_n_pages)                                                                \
    X(poppler_document_get_page)                                                                   \
    X(poppler_page_get_text)                                                                       \
    X(poppler_error_quark)                                                                         \
    X(g_bytes_new_static)                                                                          \
    X(g_bytes_unref)                                                                               \
    X(g_error_matches)                                                                             \
    X(g_error_free)                                                                                \
    X(g_free)                                                                                      \
    X(g_object_unref)
HY_DYNLIB(P, PDF_FNS, HY_SONAME_POPPLER_GLIB, "PDF input", "libpoppler-glib8");

/* Appends the text of every page of doc, form feeds between pages. */
static hy_err add_pages(PopplerDocument *doc, int pages, hy_buf *out, size_t base)
{
    hy_err rc = HY_OK;
    for (int i = 0; i < pages && rc == HY_OK; i++) {
        PopplerPage *page = P.poppler_document_get_page(doc, i);
        char *t = page ? P.poppler_page_get_text(page) : NULL;
        if (i > 0)
            rc = hy__text_add_utf8(out, base, "\f", 1);
        if (rc == HY_OK && t)
            rc = hy__text_add_utf8(out, base, t, strlen(t));
        P.g_free(t);
        if (page)
            P.g_object_unref(page);
    }
    return rc;
}

/* The error for a document poppler refused to open. */
static hy_err open_error(const char *name, const GError *err)
{
    if (err && P.g_error_matches(err, P.poppler_error_quark(), POPPLER_ERROR_ENCRYPTED))
        return hy_err_set(HY_ERR_UNSUPPORTED, "pdf: %s: encrypted, and needs a password", name);
    return hy_err_set(HY_ERR_FORMAT, "pdf: %s: poppler cannot open it: %s", name,
                      err && err->message ? err->message : "unknown error");
}

hy_err hy_text_from_pdf(const char *name, const uint8_t *buf, size_t n, hy_buf *out)
{
    GBytes *bytes = NULL;
    GError *err = NULL;
    PopplerDocument *doc = NULL;
    size_t base;
    int pages;
    hy_err rc = hy__text_check("pdf", name, buf, n, out);
    if (rc != HY_OK)
        return rc;
    _Static_assert(HY_TEXT_MAX_INPUT <= INT_MAX, "poppler takes an int size");
    name = hy__text_name(name);
    if ((rc = hy_dynlib_load(&P_lib)) != HY_OK)
        return hy_err_set(rc, "pdf: %s: %s", name, hy_err_detail());
    base = out->len;
    bytes = P.g_bytes_new_static(n ? buf : (const uint8_t *)"", n);
    doc = P.poppler_document_new_from_bytes(bytes, NULL, &err);
    if (!doc) {
        rc = open_error(name, err);
        goto out;
    }
    pages = P.poppler_document_get_n_pages(doc);
    if (pages < 0 || (unsigned)pages > HY_TEXT_MAX_PAGES) {
        rc = hy_err_set(HY_ERR_TOOBIG, "pdf: %s: %d pages, more than the %u allowed", name, pages,
                        HY_TEXT_MAX_PAGES);
        goto out;
    }
    rc = add_pages(doc, pages, out, base);
    if (rc != HY_OK) {
        hy__text_rollback(out, base);
        rc = hy_err_set(rc, "pdf: %s: %s", name, hy_err_detail());
    }
out:
    if (err)
        P.g_error_free(err);
    if (doc)
        P.g_object_unref(doc);
    P.g_bytes_unref(bytes);
    return rc;
}
