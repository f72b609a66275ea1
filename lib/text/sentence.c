/* Sentence splitting (text.h: hy_text_sentences), one forward pass.
 *
 * A sentence ends at '.', '!' or '?' (runs of them, then closing quotes or
 * brackets) followed by a blank or the end of the text, unless the next
 * word starts in lower case ("e.g. the", a line-wrapped ". and") or the
 * '.' ends an abbreviation: a single letter ("J. Smith"), single letters
 * joined by dots ("U.S.", "i.e.") or a short list ("Dr.", "Fig.", "vs.").
 * A '.' not followed by a blank never ends one, so "evil.com", "1.2.3.4"
 * and "v2.15.0" stay whole. It also ends at a blank line, before a bulleted
 * line, at a form feed (a PDF page) and after the CJK full stop and
 * full-width '!' and '?'. A single newline is a wrapped line, not an end. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text/ioc_int.h"

/* Bytes at which a sentence may end. */
static const uint8_t stop[256] = {
    ['.'] = 1, ['!'] = 1, ['?'] = 1, ['\n'] = 1, ['\f'] = 1, [0xE3] = 1, [0xEF] = 1,
};

static bool blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool at3(const char *s, size_t n, size_t i, unsigned a, unsigned b, unsigned c)
{
    return i + 2 < n && (unsigned char)s[i] == a && (unsigned char)s[i + 1] == b &&
           (unsigned char)s[i + 2] == c;
}

/* The word ending just before the '.' at i (from start on) is an
 * abbreviation. */
static bool abbreviation(const char *s, size_t start, size_t i)
{
    static const char *const abbr[] = {
        "mr",   "mrs",  "ms",  "dr",   "prof", "sr",  "jr",  "st",  "vs",     "inc", "ltd",
        "co",   "corp", "fig", "figs", "no",   "nos", "vol", "pp",  "approx", "ca",  "cf",
        "al",   "dept", "est", "jan",  "feb",  "mar", "apr", "jun", "jul",    "aug", "sep",
        "sept", "oct",  "nov", "dec",  "ph.d", "rev", "ver", "gen", "col",    "lt",  "sgt"};
    size_t b = i;
    bool single = true;
    size_t seg = 0;

    while (b > start && i - b < 32 && !blank((unsigned char)s[b - 1]) && s[b - 1] != '(' &&
           s[b - 1] != '"' && s[b - 1] != '\'')
        b--;
    if (b == i)
        return false;
    for (size_t k = b; k < i; k++) { /* "U.S", "e.g": single letters joined by dots */
        if (s[k] == '.') {
            single = single && seg == 1;
            seg = 0;
        } else {
            seg += ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z') ? 1 : 2;
        }
    }
    if (single && seg == 1)
        return true;
    for (size_t t = 0; t < sizeof abbr / sizeof abbr[0]; t++)
        if (strlen(abbr[t]) == i - b && !strncasecmp(s + b, abbr[t], i - b))
            return true;
    return false;
}

/* Where the sentence ends if the punctuation at i ends it (after closing
 * quotes and brackets), else 0. */
static size_t terminal(const char *s, size_t n, size_t start, size_t i)
{
    size_t j = i + 1, m;
    while (j < n && (s[j] == '.' || s[j] == '!' || s[j] == '?'))
        j++;
    for (;;) {
        if (j < n && strchr("\"')]*_", s[j]) && s[j])
            j++;
        else if (at3(s, n, j, 0xE2, 0x80, 0x99) || at3(s, n, j, 0xE2, 0x80, 0x9D))
            j += 3;
        else
            break;
    }
    if (j < n && !blank((unsigned char)s[j]))
        return 0;
    for (m = j; m < n && blank((unsigned char)s[m]); m++)
        ;
    if (m < n && s[m] >= 'a' && s[m] <= 'z')
        return 0;
    if (s[i] == '.' && j == i + 1 && abbreviation(s, start, i))
        return 0;
    return j;
}

/* A newline at i that ends a paragraph: a blank line or a bullet follows. */
static bool paragraph(const char *s, size_t n, size_t i)
{
    size_t m = i + 1;
    while (m < n && (s[m] == ' ' || s[m] == '\t' || s[m] == '\r'))
        m++;
    if (m >= n || s[m] == '\n' || s[m] == '\f')
        return true;
    if ((s[m] == '-' || s[m] == '*') && m + 1 < n && s[m + 1] == ' ')
        return true;
    return at3(s, n, m, 0xE2, 0x80, 0xA2); /* "•" */
}

/* The end of the sentence starting at start. */
static size_t sentence_end(const char *s, size_t n, size_t start)
{
    for (size_t i = start; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t e;
        if (!stop[c])
            continue;
        if (c == '\n') {
            if (paragraph(s, n, i))
                return i + 1;
        } else if (c == '\f') {
            return i + 1;
        } else if (c == 0xE3) {
            if (at3(s, n, i, 0xE3, 0x80, 0x82)) /* "。" */
                return i + 3;
        } else if (c == 0xEF) {
            if (at3(s, n, i, 0xEF, 0xBC, 0x81) || at3(s, n, i, 0xEF, 0xBC, 0x9F))
                return i + 3;
        } else if ((e = terminal(s, n, start, i))) {
            return e;
        }
    }
    return n;
}

void hy__sent_init(hy__sent_iter *it, const char *s, size_t n)
{
    it->s = s;
    it->n = n;
    it->pos = 0;
}

bool hy__sent_next(hy__sent_iter *it, hy_span *out)
{
    const char *s = it->s;
    size_t start = it->pos, end;

    while (start < it->n && blank((unsigned char)s[start]))
        start++;
    if (start >= it->n) {
        it->pos = it->n;
        return false;
    }
    end = sentence_end(s, it->n, start);
    it->pos = end;
    while (end > start && blank((unsigned char)s[end - 1]))
        end--;
    out->start = start;
    out->end = end;
    return true;
}

hy_err hy_text_sentences(const char *text, size_t len, hy_span **out, size_t *count)
{
    hy__sent_iter it;
    hy_span sp, *v = NULL;
    size_t n = 0, alloc = 0;

    if (!out || !count || (!text && len))
        return hy_err_set(HY_ERR_ARG, "sentences: NULL %s", !text ? "text" : "output");
    *out = NULL;
    *count = 0;
    if (len > HY_TEXT_MAX_INPUT)
        return hy_err_set(HY_ERR_TOOBIG, "sentences: %zu bytes exceeds the cap of %u", len,
                          HY_TEXT_MAX_INPUT);
    hy__sent_init(&it, text, len);
    while (hy__sent_next(&it, &sp)) {
        if (n == HY_TEXT_MAX_SENTENCES) {
            free(v);
            return hy_err_set(HY_ERR_TOOBIG, "sentences: more than %u", HY_TEXT_MAX_SENTENCES);
        }
        if (n == alloc) {
            size_t na = alloc ? alloc * 2 : 64;
            hy_span *nv = realloc(v, na * sizeof *nv);
            if (!nv) {
                free(v);
                return hy_err_set(HY_ERR_NOMEM, "sentences: out of memory");
            }
            v = nv;
            alloc = na;
        }
        v[n++] = sp;
    }
    *out = v;
    *count = n;
    return HY_OK;
}
