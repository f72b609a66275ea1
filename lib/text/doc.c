/* Documents of any kind to text (include/hayate/text.h): sniffing the kind,
 * plain text made valid UTF-8, and the helpers the HTML and PDF readers share
 * (lib/text/doc_int.h).
 *
 * Output rule for every reader: the text one call appends may be at most
 * HY_TEXT_MAX_OUTPUT bytes (and must fit the buffer's own cap). A longer text
 * is HY_ERR_TOOBIG, never silently cut, and out is left as it was before the
 * call, as it is on any other error. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "hayate/text.h"
#include "text/doc_int.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */
#define SNIFF_SCAN  1024u          /* leading bytes examined for an HTML tag */

const char *hy__text_name(const char *name)
{
    return name ? name : "<memory>";
}

hy_err hy__text_check(const char *what, const char *name, const void *buf, size_t n,
                      const hy_buf *out)
{
    if (!out || (!buf && n))
        return hy_err_set(HY_ERR_ARG, "%s: NULL argument", what);
    if (n > HY_TEXT_MAX_INPUT)
        return hy_err_set(HY_ERR_TOOBIG, "%s: %s is %zu bytes, more than the %u allowed", what,
                          hy__text_name(name), n, HY_TEXT_MAX_INPUT);
    return HY_OK;
}

void hy__text_rollback(hy_buf *out, size_t base)
{
    if (out->data && out->len > base) {
        out->len = base;
        out->data[base] = '\0';
    }
}

/* Appends k bytes if the call's output stays within HY_TEXT_MAX_OUTPUT. */
static hy_err add_capped(hy_buf *out, size_t base, const void *p, size_t k)
{
    if (k > HY_TEXT_MAX_OUTPUT || out->len - base > HY_TEXT_MAX_OUTPUT - k)
        return hy_err_set(HY_ERR_TOOBIG, "text: more than %u bytes of text", HY_TEXT_MAX_OUTPUT);
    return hy_buf_add(out, p, k);
}

hy_err hy__text_add_utf8(hy_buf *out, size_t base, const void *s, size_t n)
{
    const uint8_t *p = s;
    size_t run = 0; /* start of the pending run of valid bytes */
    size_t i = 0;
    hy_err rc = HY_OK;

    while (i < n && rc == HY_OK) {
        int k = p[i] ? hy_utf8_seq(p, n, i) : -1;
        if (k > 0) {
            i += (size_t)k;
            continue;
        }
        if (i > run)
            rc = add_capped(out, base, p + run, i - run);
        if (rc == HY_OK)
            rc = add_capped(out, base, REPLACEMENT, 3);
        i += (size_t)-k;
        run = i;
    }
    if (rc == HY_OK && n > run)
        rc = add_capped(out, base, p + run, n - run);
    return rc;
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* True when p[0..n) starts with the ASCII word w (any case) followed by the
 * end, a blank, '>' or '/'. */
static bool starts_tag(const uint8_t *p, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n < k || strncasecmp((const char *)p, w, k) != 0)
        return false;
    return n == k || is_blank(p[k]) || p[k] == '>' || p[k] == '/';
}

/* When p[i..) opens with open, the offset just past the close that ends it
 * within the first lim bytes; else i (no such block) or lim (unclosed). */
static size_t skip_block(const uint8_t *p, size_t lim, size_t i, const char *open,
                         const char *close)
{
    size_t ko = strlen(open), kc = strlen(close);
    if (lim - i < ko || memcmp(p + i, open, ko) != 0)
        return i;
    const uint8_t *end = memmem(p + i + ko, lim - i - ko, close, kc);
    return end ? (size_t)(end - p) + kc : lim;
}

/* Offset of the first byte after a UTF-8 BOM, blanks, comments ("<!-- saved
 * from url -->" precedes many saved pages) and an XML declaration (XHTML),
 * all within the first SNIFF_SCAN bytes; n when nothing else is there. */
static size_t skip_preamble(const uint8_t *p, size_t n)
{
    size_t lim = n < SNIFF_SCAN ? n : SNIFF_SCAN, i = 0, next;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < lim) {
        if (is_blank(p[i]))
            next = i + 1;
        else if ((next = skip_block(p, lim, i, "<!--", "-->")) == i &&
                 (next = skip_block(p, lim, i, "<?xml", "?>")) == i)
            return i;
        i = next;
    }
    return n;
}

/* The kind named by name's extension (after the last '/' and '.'). */
static hy_text_kind kind_of_name(const char *name)
{
    const char *base = strrchr(name, '/');
    const char *dot = strrchr(base ? base + 1 : name, '.');
    if (!dot)
        return HY_TEXT_PLAIN;
    if (strcasecmp(dot, ".pdf") == 0)
        return HY_TEXT_PDF;
    if (strcasecmp(dot, ".htm") == 0 || strcasecmp(dot, ".html") == 0)
        return HY_TEXT_HTML;
    return HY_TEXT_PLAIN;
}

hy_text_kind hy_text_sniff(const uint8_t *buf, size_t n, const char *name)
{
    static const char *const tags[] = {"<!doctype html", "<html", "<head", "<body"};
    if (!buf)
        n = 0;
    if (n >= 5 && memcmp(buf, "%PDF-", 5) == 0)
        return HY_TEXT_PDF;
    size_t i = skip_preamble(buf, n);
    for (size_t t = 0; t < sizeof tags / sizeof *tags; t++)
        if (i < n && starts_tag(buf + i, n - i, tags[t]))
            return HY_TEXT_HTML;
    return name ? kind_of_name(name) : HY_TEXT_PLAIN;
}

/* Plain text: a leading UTF-8 BOM dropped, the rest made valid UTF-8. */
static hy_err from_plain(const char *name, const uint8_t *buf, size_t n, hy_buf *out)
{
    size_t base = out->len;
    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        n -= 3;
    }
    hy_err rc = hy__text_add_utf8(out, base, buf, n);
    if (rc != HY_OK) {
        hy__text_rollback(out, base);
        return hy_err_set(rc, "text: %s: %s", hy__text_name(name), hy_err_detail());
    }
    return HY_OK;
}

hy_err hy_text_from_doc(const char *name, const uint8_t *buf, size_t n, hy_buf *out)
{
    hy_err rc = hy__text_check("text", name, buf, n, out);
    if (rc != HY_OK)
        return rc;
    switch (hy_text_sniff(buf, n, name)) {
    case HY_TEXT_HTML:
        return hy_text_from_html(name, buf, n, out);
    case HY_TEXT_PDF:
        return hy_text_from_pdf(name, buf, n, out);
    case HY_TEXT_PLAIN:
        break;
    }
    return from_plain(name, buf, n, out);
}
