/* Visible text of HTML documents (include/hayate/text.h), by libxml2's
 * forgiving HTML parser, which decodes entities and yields UTF-8.
 *
 * What counts as text, roughly as a browser's innerText would give it:
 * - script, style, noscript, template and iframe are dropped whole, and so
 *   is head except its title (which becomes the first line); comments are
 *   dropped;
 * - block elements end lines; p, h1-h6 and title are followed by a blank
 *   line; <br> ends a line; table cells are separated by a tab;
 * - inside pre, textarea, listing, plaintext and xmp whitespace is kept as
 *   is; elsewhere each run of blanks (U+00A0 too) becomes one space, and
 *   blanks at line ends are dropped;
 * - a link contributes its text only: its href is not added even when it
 *   differs from the text, so a link reading "the report" does not put the
 *   URL it points to into the text (attributes are never text);
 * - the text ends with a line end when there is any.
 * The parser never fetches anything (no DTDs, no entities from outside).
 * The tree is walked iteratively along parent links, so no depth can
 * exhaust the stack. libxml2's messages are swallowed during the parse.
 * Limits (HY_ERR_TOOBIG): see the caps below. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "core/utf8.h"
#include "hayate/text.h"
#include "text/doc_int.h"

#define HTML_OPTS                                                                                  \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |           \
     HTML_PARSE_COMPACT)
/* No XML_PARSE_HUGE: its limits (nesting, 10 MB text runs) keep libxml2's
 * work linear; hitting one is HY_ERR_TOOBIG. */

typedef struct html_walk {
    hy_buf *out;
    size_t base;      /* out->len when the call began */
    unsigned pre;     /* open elements whose whitespace is kept */
    unsigned nl_want; /* line ends owed before the next text (0..2) */
    unsigned nl_have; /* line ends at the end of the text so far */
    char sep;         /* ' ' or '\t' owed before the next text on a line, or 0 */
    bool any;         /* some text was written */
} html_walk;

enum { EL_INLINE, EL_SKIP, EL_LINE, EL_PARA, EL_BR, EL_CELL, EL_PRE, EL_HEAD };

static const struct {
    const char *name;
    int kind;
} elements[] = {
    {"script", EL_SKIP},   {"style", EL_SKIP},      {"noscript", EL_SKIP}, {"template", EL_SKIP},
    {"iframe", EL_SKIP},   {"head", EL_HEAD},       {"title", EL_PARA},    {"p", EL_PARA},
    {"h1", EL_PARA},       {"h2", EL_PARA},         {"h3", EL_PARA},       {"h4", EL_PARA},
    {"h5", EL_PARA},       {"h6", EL_PARA},         {"br", EL_BR},         {"td", EL_CELL},
    {"th", EL_CELL},       {"pre", EL_PRE},         {"textarea", EL_PRE},  {"listing", EL_PRE},
    {"plaintext", EL_PRE}, {"xmp", EL_PRE},         {"address", EL_LINE},  {"article", EL_LINE},
    {"aside", EL_LINE},    {"blockquote", EL_LINE}, {"body", EL_LINE},     {"caption", EL_LINE},
    {"center", EL_LINE},   {"dd", EL_LINE},         {"details", EL_LINE},  {"dialog", EL_LINE},
    {"dir", EL_LINE},      {"div", EL_LINE},        {"dl", EL_LINE},       {"dt", EL_LINE},
    {"fieldset", EL_LINE}, {"figcaption", EL_LINE}, {"figure", EL_LINE},   {"footer", EL_LINE},
    {"form", EL_LINE},     {"frameset", EL_LINE},   {"header", EL_LINE},   {"hgroup", EL_LINE},
    {"hr", EL_LINE},       {"html", EL_LINE},       {"legend", EL_LINE},   {"li", EL_LINE},
    {"main", EL_LINE},     {"menu", EL_LINE},       {"nav", EL_LINE},      {"noframes", EL_LINE},
    {"ol", EL_LINE},       {"option", EL_LINE},     {"section", EL_LINE},  {"summary", EL_LINE},
    {"table", EL_LINE},    {"tbody", EL_LINE},      {"tfoot", EL_LINE},    {"thead", EL_LINE},
    {"tr", EL_LINE},       {"ul", EL_LINE},
};

static int kind_of(const xmlNode *n)
{
    const char *name = (const char *)n->name;
    if (!name)
        return EL_INLINE;
    for (size_t i = 0; i < sizeof elements / sizeof *elements; i++)
        if (strcmp(name, elements[i].name) == 0)
            return elements[i].kind;
    return EL_INLINE;
}

static bool in_head(const xmlNode *n)
{
    return n->parent && n->parent->type == XML_ELEMENT_NODE && n->parent->name &&
           strcmp((const char *)n->parent->name, "head") == 0;
}

static hy_err put(html_walk *w, const void *p, size_t n)
{
    return hy__text_add_utf8(w->out, w->base, p, n);
}

/* Writes the line ends or separator owed before more text. */
static hy_err flush(html_walk *w)
{
    hy_err rc = HY_OK;
    if (w->any && w->nl_want > w->nl_have) {
        for (unsigned i = w->nl_have; i < w->nl_want && rc == HY_OK; i++)
            rc = put(w, "\n", 1);
        w->nl_have = w->nl_want;
    } else if (w->any && w->sep && w->nl_have == 0) {
        rc = put(w, &w->sep, 1);
    }
    w->nl_want = 0;
    w->sep = 0;
    return rc;
}

/* Line ends owed: at least n (so blocks next to each other share them). */
static void want_lines(html_walk *w, unsigned n)
{
    if (w->nl_want < n)
        w->nl_want = n;
}

/* Length of the blank at s[i] (ASCII blanks and U+00A0), else 0. */
static size_t blank_len(const unsigned char *s, size_t i, size_t n)
{
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f')
        return 1;
    return (s[i] == 0xC2 && i + 1 < n && s[i + 1] == 0xA0) ? 2 : 0;
}

/* Text whose whitespace is kept. */
static hy_err text_pre(html_walk *w, const unsigned char *s, size_t n)
{
    size_t tail = 0;
    hy_err rc = flush(w);
    if (rc == HY_OK)
        rc = put(w, s, n);
    while (tail < n && tail < 2 && s[n - 1 - tail] == '\n')
        tail++;
    w->nl_have = (tail == n ? w->nl_have : 0) + (unsigned)tail;
    if (w->nl_have > 2)
        w->nl_have = 2;
    w->any = true;
    return rc;
}

/* Text whose runs of blanks collapse to one space. */
static hy_err text_flow(html_walk *w, const unsigned char *s, size_t n)
{
    size_t i = 0;
    hy_err rc = HY_OK;
    while (i < n && rc == HY_OK) {
        size_t b = blank_len(s, i, n), j = i;
        if (b) {
            if (!w->sep)
                w->sep = ' ';
            i += b;
            continue;
        }
        while (j < n && !blank_len(s, j, n))
            j++;
        rc = flush(w);
        if (rc == HY_OK)
            rc = put(w, s + i, j - i);
        w->nl_have = 0;
        w->any = true;
        i = j;
    }
    return rc;
}

static hy_err text(html_walk *w, const xmlNode *n)
{
    const unsigned char *s = n->content;
    if (!s || in_head(n))
        return HY_OK;
    return w->pre ? text_pre(w, s, strlen((const char *)s))
                  : text_flow(w, s, strlen((const char *)s));
}

/* Opens element n; false when its content is to be skipped. */
static bool enter(html_walk *w, const xmlNode *n, int kind)
{
    if (kind == EL_SKIP || (in_head(n) && strcmp((const char *)n->name, "title") != 0))
        return false;
    if (kind == EL_BR)
        w->nl_want = (w->nl_want > w->nl_have ? w->nl_want : w->nl_have) + 1;
    if (kind == EL_BR && w->nl_want > 2)
        w->nl_want = 2;
    if (kind == EL_LINE || kind == EL_PRE)
        want_lines(w, 1);
    if (kind == EL_PARA)
        want_lines(w, 2);
    if (kind == EL_PRE)
        w->pre++;
    return true;
}

/* Closes element n, which was entered. */
static void leave(html_walk *w, const xmlNode *n)
{
    int kind = kind_of(n);
    if (kind == EL_LINE || kind == EL_PRE)
        want_lines(w, 1);
    if (kind == EL_PARA)
        want_lines(w, 2);
    if (kind == EL_PRE && w->pre)
        w->pre--;
    if (kind == EL_CELL && w->any && w->nl_want == 0)
        w->sep = '\t';
}

/* Walks the tree under doc in document order without recursion: each node is
 * visited once going down and once coming up, so the loop ends. */
static hy_err walk(html_walk *w, xmlNode *doc)
{
    xmlNode *n = doc->children;
    hy_err rc = HY_OK;
    while (n && rc == HY_OK) {
        bool down = false;
        if (n->type == XML_ELEMENT_NODE)
            down = enter(w, n, kind_of(n));
        else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
            rc = text(w, n);
        if (down && n->children) {
            n = n->children;
            continue;
        }
        if (down)
            leave(w, n);
        while (!n->next && n->parent && n->parent != doc) {
            n = n->parent;
            leave(w, n);
        }
        n = n->next;
    }
    if (rc == HY_OK && w->any && w->nl_have == 0)
        rc = put(w, "\n", 1);
    return rc;
}

/* libxml2 2.9's HTML parser checks each attribute of a tag against all the
 * earlier ones, so a tag of many attributes costs their square. The parser
 * pulls its input from on_read about 4 KB at a time; on_read stops giving it
 * more (end of input) once libxml2 has made room for more than
 * HTML_MAX_ATTR_SLOTS attribute names and values in one tag (between about
 * 5,600 and 11,000 attributes), or once repeated attributes (counted from
 * the parser's errors) may have cost HTML_MAX_DUP_WORK comparisons. Both
 * counts depend on the input only, so results stay deterministic. Nesting
 * is capped by libxml2 itself (256 elements without XML_PARSE_HUGE), which
 * bounds the cost of closing tags. */
#define HTML_MAX_ATTR_SLOTS 16384
#define HTML_MAX_DUP_WORK   200000000u

typedef struct html_src {
    const uint8_t *p;
    size_t n, at;
    bool keep_nul;          /* UTF-16/32 input: NULs are part of characters */
    htmlParserCtxtPtr ctxt; /* the parse reading this source */
    uint64_t dup_work;      /* comparisons spent on repeated attributes, at most */
    bool cut;               /* input withheld because of the caps above */
    bool conv_failed;       /* bytes invalid in the document's encoding */
} html_src;

/* libxml2's input callback. A NUL byte is read as a space: libxml2 would end
 * the document there. */
static int on_read(void *ctx, char *dst, int len)
{
    html_src *s = ctx;
    size_t k = s->n - s->at;
    if (s->ctxt->maxatts > HTML_MAX_ATTR_SLOTS || s->dup_work > HTML_MAX_DUP_WORK) {
        s->cut = true;
        return 0;
    }
    if (len <= 0)
        return 0;
    if (k > (size_t)len)
        k = (size_t)len;
    memcpy(dst, s->p + s->at, k);
    for (char *z = s->keep_nul ? NULL : memchr(dst, 0, k); z;
         z = memchr(z, 0, k - (size_t)(z - dst)))
        *z = ' ';
    s->at += k;
    return (int)k;
}

static int on_close(void *ctx)
{
    return 0;
}

/* Swallows libxml2's messages; notes failed conversions and counts the cost
 * of repeated attributes. */
static void on_error(void *ctx, xmlErrorPtr e)
{
    html_src *s = ctx;
    if (e && e->domain == XML_FROM_I18N)
        s->conv_failed = true;
    if (e && e->code == XML_ERR_ATTRIBUTE_REDEFINED && s->ctxt->maxatts > 0)
        s->dup_work += (uint64_t)s->ctxt->maxatts;
}

static void on_generic(void *ctx, const char *msg, ...)
{
}

/* True for input libxml2 reads as UTF-16 or UTF-32 (a byte order mark, or a
 * NUL among the first four bytes). */
static bool wide_input(const uint8_t *p, size_t n)
{
    if (n >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return true;
    return memchr(p, 0, n < 4 ? n : 4) != NULL;
}

/* "UTF-8" for input that is valid UTF-8, not ASCII and without a byte order
 * mark, else NULL (libxml2 decides: a BOM, a declared charset, else
 * ISO-8859-1 from the first byte that is not ASCII). Without this libxml2
 * would read undeclared UTF-8 as ISO-8859-1; with it a declared charset is
 * ignored, which is right for all but the rare text that is valid UTF-8 by
 * chance. */
static const char *encoding_of(const uint8_t *p, size_t n)
{
    bool high = false;
    if (wide_input(p, n) || (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0))
        return NULL;
    for (size_t i = 0; i < n;) {
        int k = hy_utf8_seq(p, n, i);
        if (k <= 0)
            return NULL;
        high |= k > 1;
        i += (size_t)k;
    }
    return high ? "UTF-8" : NULL;
}

/* The error for a parse that gave no tree or stopped early, else HY_OK. */
static hy_err parse_error(const char *name, const htmlParserCtxtPtr ctxt, const html_src *s,
                          bool have_doc)
{
    bool halted = ctxt->instate == XML_PARSER_EOF && ctxt->disableSAX;
    if (s->cut)
        return hy_err_set(HY_ERR_TOOBIG, "html: %s: a tag with thousands of attributes", name);
    if (halted && ctxt->errNo == XML_ERR_NO_MEMORY)
        return hy_err_set(HY_ERR_TOOBIG,
                          "html: %s: libxml2 stopped: a run of text over 10,000,000 bytes, or "
                          "out of memory",
                          name);
    if (halted && ctxt->errNo == XML_ERR_INTERNAL_ERROR)
        return hy_err_set(HY_ERR_TOOBIG,
                          "html: %s: elements nested deeper than libxml2's limit (%u)", name,
                          xmlParserMaxDepth);
    if (halted || !have_doc)
        return hy_err_set(HY_ERR_FORMAT, "html: %s: libxml2 could not parse it (error %d)", name,
                          ctxt->errNo);
    return HY_OK;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* Parses buf read in encoding enc (NULL: libxml2 decides) into *doc with
 * libxml2's messages swallowed on this thread (the previous handlers are put
 * back); *conv_failed tells whether bytes invalid in the encoding stopped it. */
static hy_err parse_as(const char *name, const uint8_t *buf, size_t n, const char *enc,
                       htmlDocPtr *doc, bool *conv_failed)
{
    xmlGenericErrorFunc gen = xmlGenericError;
    void *gen_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc st = xmlStructuredError;
    void *st_ctx = xmlStructuredErrorContext;
    html_src s = {.p = buf, .n = n, .keep_nul = wide_input(buf, n)};
    hy_err rc;

    *doc = NULL;
    pthread_once(&init_once, xmlInitParser);
    if (!(s.ctxt = htmlNewParserCtxt()))
        return hy_err_set(HY_ERR_NOMEM, "html: %s: out of memory", name);
    xmlSetGenericErrorFunc(NULL, on_generic);
    xmlSetStructuredErrorFunc(&s, on_error);
    *doc = htmlCtxtReadIO(s.ctxt, on_read, on_close, &s, NULL, enc, HTML_OPTS);
    xmlSetGenericErrorFunc(gen_ctx, gen);
    xmlSetStructuredErrorFunc(st_ctx, st);
    rc = parse_error(name, s.ctxt, &s, *doc != NULL);
    if (rc != HY_OK) {
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
    htmlFreeParserCtxt(s.ctxt);
    *conv_failed = s.conv_failed;
    return rc;
}

/* Parses buf into *doc. Bytes invalid in the declared charset make libxml2
 * stop there, losing the rest; the document is then read again as
 * ISO-8859-1, where every byte is valid: its ASCII (markup, and most
 * indicators) comes through whole, other text garbled. UTF-16/32 input is
 * not read again, as it would not be ASCII. */
static hy_err parse(const char *name, const uint8_t *buf, size_t n, htmlDocPtr *doc)
{
    bool conv_failed = false;
    hy_err rc = parse_as(name, buf, n, encoding_of(buf, n), doc, &conv_failed);
    if (rc != HY_OK || !conv_failed || wide_input(buf, n))
        return rc;
    xmlFreeDoc(*doc);
    return parse_as(name, buf, n, "ISO-8859-1", doc, &conv_failed);
}

hy_err hy_text_from_html(const char *name, const uint8_t *buf, size_t n, hy_buf *out)
{
    html_walk w = {.out = out};
    htmlDocPtr doc = NULL;
    hy_err rc = hy__text_check("html", name, buf, n, out);
    if (rc != HY_OK)
        return rc;
    name = hy__text_name(name);
    w.base = out->len;
    if (n == 0)
        return HY_OK;
    if ((rc = parse(name, buf, n, &doc)) != HY_OK)
        return rc;
    rc = walk(&w, (xmlNode *)doc);
    if (rc != HY_OK) {
        hy__text_rollback(out, w.base);
        rc = hy_err_set(rc, "html: %s: %s", name, hy_err_detail());
    }
    xmlFreeDoc(doc);
    return rc;
}
