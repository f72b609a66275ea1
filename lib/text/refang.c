/* Refanging (ioc.h: hy_refang): undoes the defanging styles analysts use,
 * in one pass. Bytes that cannot start a defang are copied through a
 * trigger-table test; at a trigger a small hand-written matcher decides.
 * Every replacement is no longer than what it replaces, so the output fits
 * in n bytes and output offsets map back through a sparse list of anchors
 * (one per replacement that changes the length).
 *
 * Styles (case-insensitive unless noted):
 *   schemes   hxxp hXXp hxxps h**p hxtp fxp sfxp xxxx xxxxs, "[http]"
 *             (found looking back from their separator);
 *             separators ":", "[:]", "(:)", "[://]", ":[//]", ":\/\/",
 *             extra slashes and blanks ("http ://", "http:// x", ":///")
 *   dots      [.] (.) {.} <.> [,] [dot] (dot) {dot} [punto] [punkt] with
 *             blanks inside ("[ . ]"), odd brackets ("].[", "[.", ".]"),
 *             "\.", "-dot-", " dot " (only before a TLD or another dot)
 *   at signs  [@] (@) {@} [at] (at) [arroba], " [at] ", " @ ", " AT "
 *             (between lowercase letters), " at " (only when the domain
 *             is spelled with a word dot: "bob at example dot com")
 *   others    [:] [/] [//] [-], "\/", commas in a URL host
 *             ("http://example,com"), a stray "[" after "://". */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text/ioc_int.h"

typedef struct rf {
    const char *in;
    size_t n;
    char *o; /* output: room for n bytes */
    size_t ol;
    hy__anchors *an;
    hy_err err;
} rf;

/* Bytes that may start a defang. */
static const uint8_t trig[256] = {
    [' '] = 1, ['['] = 1,  ['('] = 1, ['{'] = 1, ['<'] = 1, [']'] = 1,
    ['.'] = 1, ['\\'] = 1, ['-'] = 1, [','] = 1, [':'] = 1,
};

static bool is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

static bool is_label(unsigned char c)
{
    return is_alnum(c) || c == '-' || c == '_';
}

static bool is_local(unsigned char c)
{
    return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '%';
}

static bool is_lower_or_digit(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The input byte at i, or 0 past the end. */
static unsigned char peek(const rf *r, size_t i)
{
    return i < r->n ? (unsigned char)r->in[i] : 0;
}

/* The last output byte, or 0. */
static unsigned char left(const rf *r)
{
    return r->ol ? (unsigned char)r->o[r->ol - 1] : 0;
}

/* in[i..) starts with word w (w lowercase; case-insensitive). */
static bool word_at(const rf *r, size_t i, const char *w)
{
    size_t k = 0;
    for (; w[k]; k++) {
        unsigned char c = i + k < r->n ? (unsigned char)r->in[i + k] : 0;
        if ((is_alpha(c) ? c | 0x20 : c) != (unsigned char)w[k])
            return false;
    }
    return true;
}

/* in[i..) starts with exactly "dot" or "DOT" (not "Dot"). */
static bool dot_word(const rf *r, size_t i, const char *lo, const char *up)
{
    size_t k = strlen(lo);
    return i + k <= r->n && (!memcmp(r->in + i, lo, k) || !memcmp(r->in + i, up, k));
}

static size_t skip_spaces(const rf *r, size_t i, size_t max)
{
    size_t k = 0;
    while (k < max && peek(r, i + k) == ' ')
        k++;
    return i + k;
}

static void anchor_push(rf *r, size_t out, size_t in)
{
    if (r->an->n == r->an->alloc) {
        size_t na = r->an->alloc ? r->an->alloc * 2 : 64;
        hy__anchor *v = realloc(r->an->v, na * sizeof *v);
        if (!v) {
            r->err = hy_err_set(HY_ERR_NOMEM, "refang: out of memory");
            return;
        }
        r->an->v = v;
        r->an->alloc = na;
    }
    r->an->v[r->an->n++] = (hy__anchor){out, in};
}

/* Writes rep[0..k) for the input bytes [from, to); returns to - from, or 0
 * (nothing written) if rep would be longer than what it replaces. */
static size_t put(rf *r, size_t from, size_t to, const char *rep, size_t k)
{
    if (k > to - from)
        return 0;
    memcpy(r->o + r->ol, rep, k);
    r->ol += k;
    if (k != to - from)
        anchor_push(r, r->ol, to);
    return to - from;
}

/* ---- schemes ------------------------------------------------------------ */

/* The scheme a defanged word in[i..i+len) stands for, or NULL. */
static const char *scheme_of(const char *w, size_t len)
{
    char lw[8];
    for (size_t k = 0; k < len; k++)
        lw[k] = (char)(w[k] >= 'A' && w[k] <= 'Z' ? w[k] | 0x20 : w[k]);
    lw[len] = '\0';
    if ((len == 4 || len == 5) && lw[0] == 'h' && lw[3] == 'p' && strchr("tx*_", lw[1]) &&
        strchr("tx*_", lw[2]) && (len == 4 || lw[4] == 's'))
        return len == 4 ? "http" : "https";
    if ((len == 3 || len == 4) && lw[0] == 'f' && strchr("tx", lw[1]) && lw[2] == 'p' &&
        (len == 3 || lw[3] == 's'))
        return len == 3 ? "ftp" : "ftps";
    if (len == 4 && !strcmp(lw, "sftp"))
        return "sftp";
    if (len == 4 && !strcmp(lw, "sfxp"))
        return "sftp";
    if (len == 4 && !strcmp(lw, "xxxx"))
        return "http";
    if (len == 5 && (!strcmp(lw, "xxxxs") || !strcmp(lw, "xxxxx")))
        return "https";
    return NULL;
}

/* One slash token at k ("/", "\/", "[/]", "[//]"): slashes it holds, and
 * its length in *len; 0 if none. */
static int slash_token(const rf *r, size_t k, size_t *len)
{
    if (peek(r, k) == '/')
        return *len = 1, 1;
    if (peek(r, k) == '\\' && peek(r, k + 1) == '/')
        return *len = 2, 1;
    if (peek(r, k) == '[' && peek(r, k + 1) == '/' && peek(r, k + 2) == ']')
        return *len = 3, 1;
    if (peek(r, k) == '[' && peek(r, k + 1) == '/' && peek(r, k + 2) == '/' &&
        peek(r, k + 3) == ']')
        return *len = 4, 2;
    return 0;
}

/* The end of a "://" separator in any of its defanged spellings at j, or
 * 0. *exact is set when it is literally "://". */
static size_t sep_end(const rf *r, size_t j, bool *exact)
{
    size_t k = skip_spaces(r, j, 2), tl = 0;
    int slashes = 0, s;
    char o = (char)peek(r, k);

    *exact = false;
    if (o == ':') {
        k++;
    } else if (strchr("[({", o) && o && peek(r, k + 1) == ':' && peek(r, k + 2) == '/' &&
               peek(r, k + 3) == '/' && strchr("])}", peek(r, k + 4)) && peek(r, k + 4)) {
        k += 5;
        slashes = 2;
    } else if (strchr("[({", o) && o && peek(r, k + 1) == ':' && strchr("])}", peek(r, k + 2)) &&
               peek(r, k + 2)) {
        k += 3;
    } else {
        return 0;
    }
    if (!slashes) {
        k = skip_spaces(r, k, 2);
        for (int t = 0; t < 6 && (s = slash_token(r, k, &tl)) > 0; t++) {
            slashes += s;
            k += tl;
        }
        if (slashes < 2 || slashes > 3)
            return 0;
    }
    if (peek(r, k) == ' ' && (k = skip_spaces(r, k, 2), !is_alnum(peek(r, k))))
        return 0;
    *exact = k - j == 3 && !memcmp(r->in + j, "://", 3);
    return is_alnum(peek(r, k)) || peek(r, k) == '[' ? k : 0;
}

/* At a possible "://" separator at i: the scheme word just copied to the
 * output. A defanged one ("hxxp", "fxp", "xxxx") is rewritten in place
 * (every replacement has the same length), then the separator. */
static size_t rf_scheme(rf *r, size_t i)
{
    size_t len = 0, w, e;
    const char *sch;
    bool exact;

    while (len < 8 && len < r->ol) {
        unsigned char c = (unsigned char)r->o[r->ol - 1 - len];
        if (!is_alpha(c) && c != '*' && c != '_')
            break;
        len++;
    }
    w = r->ol - len;
    while (len && !is_alpha((unsigned char)r->o[w])) /* "**hxxp": markdown, not "h**p" */
        w++, len--;
    if (len < 3 || len > 5 || (w > 0 && is_alnum((unsigned char)r->o[w - 1])))
        return 0;
    if (!(sch = scheme_of(r->o + w, len)) || strlen(sch) != len || !(e = sep_end(r, i, &exact)))
        return 0;
    bool fanged = !strncasecmp(r->o + w, sch, len);
    if (fanged && exact)
        return 0;
    if (!fanged)
        memcpy(r->o + w, sch, len);
    if (exact) { /* only the word changed */
        memcpy(r->o + r->ol, "://", 3);
        r->ol += 3;
        return 3;
    }
    return put(r, i, e, "://", 3);
}

/* ---- brackets ----------------------------------------------------------- */

enum { K_NONE, K_DOT, K_COLON, K_SEP, K_SLASH, K_AT, K_HYPHEN, K_SCHEME };

typedef struct bform {
    int kind;
    bool word;       /* spelled as a word ("dot", "at") */
    const char *rep; /* replacement */
    size_t end;      /* after the closer */
} bform;

/* The token inside a bracket at k: its kind, replacement and length. */
static int inner_token(const rf *r, size_t k, const char **rep, size_t *len, bool *word)
{
    static const struct {
        const char *s;
        int kind;
        const char *rep;
        bool word;
    } tok[] = {
        {"://", K_SEP, "://", false},     {"//", K_SLASH, "//", false},
        {"/", K_SLASH, "/", false},       {".", K_DOT, ".", false},
        {",", K_DOT, ".", false},         {":", K_COLON, ":", false},
        {"@", K_AT, "@", false},          {"-", K_HYPHEN, "-", false},
        {"dot", K_DOT, ".", true},        {"punto", K_DOT, ".", true},
        {"punkt", K_DOT, ".", true},      {"arroba", K_AT, "@", true},
        {"at", K_AT, "@", true},          {"https", K_SCHEME, "https", true},
        {"http", K_SCHEME, "http", true},
    };
    for (size_t t = 0; t < sizeof tok / sizeof tok[0]; t++) {
        size_t l = strlen(tok[t].s);
        if (!word_at(r, k, tok[t].s))
            continue;
        if (tok[t].word && is_alpha(peek(r, k + l)))
            continue;
        *rep = tok[t].rep;
        *len = l;
        *word = tok[t].word;
        return tok[t].kind;
    }
    return K_NONE;
}

/* Parses "<opener> blanks token blanks <closer>" at i. */
static bool parse_bracket(const rf *r, size_t i, bform *f)
{
    unsigned char o = peek(r, i), c;
    size_t k = skip_spaces(r, i + 1, 3), len = 0;

    f->kind = inner_token(r, k, &f->rep, &len, &f->word);
    if (f->kind == K_NONE)
        return false;
    k = skip_spaces(r, k + len, 3);
    c = peek(r, k);
    if (!c || !strchr("])}>", c))
        return false;
    if ((o == '<') != (c == '>') || (o == '<' && f->kind != K_DOT))
        return false;
    f->end = k + 1;
    return true;
}

/* Whether a bracket form fits its neighbours L (last output byte) and R. */
static bool bracket_context(int kind, bool square, bool word, unsigned char L, unsigned char R)
{
    switch (kind) {
    case K_DOT:
        return (square && !word) || (is_label(L) && is_alnum(R));
    case K_COLON:
        return square || (is_alnum(L) && (R == '/' || is_alnum(R)));
    case K_SEP:
        return square || is_alpha(L);
    case K_SLASH:
        return square || (L > ' ' && R > ' ');
    case K_AT:
        return (square && !word) || (is_local(L) && L != '.' && is_alnum(R));
    case K_HYPHEN:
        return square && is_alnum(L) && is_alnum(R);
    default:
        return false;
    }
}

static size_t rf_bracket(rf *r, size_t i)
{
    bform f;
    bool exact;
    size_t e;
    char rep[16];

    if (!parse_bracket(r, i, &f))
        return 0;
    if (f.kind == K_SCHEME) {
        if (is_alnum(left(r)) || !(e = sep_end(r, f.end, &exact)))
            return 0;
        size_t sl = strlen(f.rep);
        memcpy(rep, f.rep, sl);
        memcpy(rep + sl, "://", 3);
        return put(r, i, e, rep, sl + 3);
    }
    if (!bracket_context(f.kind, r->in[i] == '[', f.word, left(r), peek(r, f.end)))
        return 0;
    return put(r, i, f.end, f.rep, strlen(f.rep));
}

static bool label_continues(const rf *r, size_t k);

/* "www[.example", "www].[example", "www[.[example": a dot with stray
 * square brackets around it, between alphanumerics, before a TLD or
 * another dot ("array[.5]" stays). */
static size_t rf_odd_dot(rf *r, size_t i)
{
    size_t k = i;
    if (!is_alnum(left(r)))
        return 0;
    if (r->in[k] == '[' || r->in[k] == ']')
        k++;
    if (peek(r, k) != '.')
        return 0;
    k++;
    if (peek(r, k) == '[' || peek(r, k) == ']')
        k++;
    if (k - i < 2 || !is_alnum(peek(r, k)) || !label_continues(r, k))
        return 0;
    return put(r, i, k, ".", 1);
}

/* "http://[example.com": a '[' right after "://" that opens no IPv6
 * literal. */
static size_t rf_host_bracket(rf *r, size_t i)
{
    if (r->ol < 3 || memcmp(r->o + r->ol - 3, "://", 3) || !is_alnum(peek(r, i + 1)))
        return 0;
    for (size_t k = i + 1; k < r->n && k < i + 64; k++) {
        unsigned char c = (unsigned char)r->in[k];
        if (c == ']')
            return 0; /* "[v6]" stays */
        if (!is_alnum(c) && c != ':' && c != '.')
            break;
    }
    return put(r, i, i + 1, "", 0);
}

/* ---- spelled-out dots and at signs ------------------------------------- */

/* Length of a dot written at m in any style (plain "." only if plain_ok,
 * then followed by an alphanumeric); 0 if none. */
static size_t dot_form(const rf *r, size_t m, bool plain_ok)
{
    bform f;
    unsigned char c = peek(r, m);
    if (c == '.' && (peek(r, m + 1) == '[' || peek(r, m + 1) == ']'))
        return is_alnum(peek(r, m + 2)) ? 2 : 0; /* ".[", ".]" */
    if (c == '.')
        return plain_ok && is_alnum(peek(r, m + 1)) ? 1 : 0;
    if (c && strchr("[({<", c) && parse_bracket(r, m, &f) && f.kind == K_DOT &&
        (plain_ok || f.word))
        return f.end - m;
    if (c == ' ') {
        size_t k = skip_spaces(r, m, 3);
        if (dot_word(r, k, "dot", "DOT") && peek(r, k + 3) == ' ')
            return skip_spaces(r, k + 3, 3) - m;
        if (peek(r, k) && strchr("[({", peek(r, k)) && parse_bracket(r, k, &f) && f.kind == K_DOT &&
            (plain_ok || f.word))
            return skip_spaces(r, f.end, 3) - m;
    }
    if (c == '-' && dot_word(r, m + 1, "dot", "DOT") && peek(r, m + 4) == '-')
        return 5;
    if (c == '\\' && peek(r, m + 1) == '.' && is_alnum(peek(r, m + 2)))
        return 2;
    if (c == '[' || c == ']') { /* "[.", "].[", "].]" */
        size_t k = m + 1 + (peek(r, m + 1) == '.' ? 1 : 0);
        if (k == m + 1)
            return 0;
        k += peek(r, k) == '[' || peek(r, k) == ']';
        return is_alnum(peek(r, k)) ? k - m : 0;
    }
    return 0;
}

/* The label at k ends in another dot, or is a TLD. */
static bool label_continues(const rf *r, size_t k)
{
    size_t m = k;
    while (m < r->n && m - k < 63 && is_label((unsigned char)r->in[m]))
        m++;
    if (m == k)
        return false;
    return dot_form(r, m, true) || hy__is_tld(r->in + k, m - k);
}

/* The label at k is followed by a dot in some style (only spelled-out
 * ones when words_only): the right side of an e-mail address. */
static bool domain_follows(const rf *r, size_t k, bool words_only)
{
    size_t m = k;
    while (m < r->n && m - k < 63 && is_label((unsigned char)r->in[m]))
        m++;
    return m > k && dot_form(r, m, !words_only) > 0;
}

/* The word before the output end is one that " dot " never follows in a
 * host name ("the dot com bubble", "polka dot"). */
static bool stop_word_left(const rf *r)
{
    static const char *const stop[] = {"the", "a", "an", "polka", "of", "and", "or", "per", "to"};
    size_t k = r->ol;
    while (k > 0 && r->ol - k < 8 && is_alpha((unsigned char)r->o[k - 1]))
        k--;
    if (k > 0 && is_label((unsigned char)r->o[k - 1]))
        return false;
    for (size_t t = 0; t < sizeof stop / sizeof stop[0]; t++)
        if (strlen(stop[t]) == r->ol - k && !strncasecmp(r->o + k, stop[t], r->ol - k))
            return true;
    return false;
}

/* "-dot-" before a TLD or another dot. */
static size_t rf_hyphen_dot(rf *r, size_t i)
{
    if (!is_label(left(r)) || !dot_word(r, i + 1, "dot", "DOT") || peek(r, i + 4) != '-' ||
        !is_alnum(peek(r, i + 5)) || !label_continues(r, i + 5))
        return 0;
    return put(r, i, i + 5, ".", 1);
}

/* Blanks, then a bracket form (" [dot] ", " (at) "), a spelled-out dot
 * (" dot " before a TLD or another dot) or an at sign (" @ ", " AT "
 * between lowercase, " at " when the domain spells its dots out). */
static size_t rf_spaced(rf *r, size_t i)
{
    size_t k = skip_spaces(r, i, 3), e = 0;
    unsigned char L = left(r), c = peek(r, k);
    bool words_only = false;
    const char *rep = "@";
    bform f;

    if (c && strchr("[({", c) && parse_bracket(r, k, &f) && (f.kind == K_DOT || f.kind == K_AT)) {
        e = f.end;
        rep = f.rep;
        if (f.kind == K_DOT) {
            e = skip_spaces(r, e, 3);
            return is_label(L) && is_alnum(peek(r, e)) ? put(r, i, e, ".", 1) : 0;
        }
    } else if (dot_word(r, k, "dot", "DOT") && peek(r, k + 3) == ' ') {
        e = skip_spaces(r, k + 3, 3);
        if (!is_label(L) || !is_alnum(peek(r, e)) || stop_word_left(r) || !label_continues(r, e))
            return 0;
        return put(r, i, e, ".", 1);
    } else if (c == '@' && k > i) {
        e = k + 1;
    } else if (k + 2 < r->n && !memcmp(r->in + k, "at", 2) && peek(r, k + 2) == ' ') {
        e = k + 2;
        words_only = true;
    } else if (k + 2 < r->n && !memcmp(r->in + k, "AT", 2) && peek(r, k + 2) == ' ' &&
               is_lower_or_digit(L)) {
        e = k + 2;
    } else {
        return 0;
    }
    e = skip_spaces(r, e, 3);
    if (!is_local(L) || L == '.' || !is_alnum(peek(r, e)) ||
        (c == 'A' && !is_lower_or_digit(peek(r, e))) || !domain_follows(r, e, words_only))
        return 0;
    return put(r, i, e, rep, 1);
}

/* ---- the rest ------------------------------------------------------------ */

/* "\." between alphanumerics before a TLD or another dot ("evil\.com",
 * not "Users\.ssh") or between digits ("10\.0\.0\.1"), and "\/". */
static size_t rf_backslash(rf *r, size_t i)
{
    unsigned char c = peek(r, i + 1);
    if (c == '/')
        return put(r, i, i + 2, "/", 1);
    if (c == '.' && is_alnum(left(r)) && is_alnum(peek(r, i + 2)) &&
        (label_continues(r, i + 2) || (is_digit(left(r)) && is_digit(peek(r, i + 2)))))
        return put(r, i, i + 2, ".", 1);
    return 0;
}

/* A comma between alphanumerics inside a URL host ("http://example,com"). */
static size_t rf_host_comma(rf *r, size_t i)
{
    size_t k = r->ol;
    if (!is_alnum(left(r)) || !is_alnum(peek(r, i + 1)))
        return 0;
    while (k > 0 && r->ol - k < 253 &&
           (is_alnum((unsigned char)r->o[k - 1]) || r->o[k - 1] == '.' || r->o[k - 1] == '-'))
        k--;
    if (k < 3 || memcmp(r->o + k - 3, "://", 3))
        return 0;
    return put(r, i, i + 1, ".", 1);
}

/* Tries every style that can start at trigger byte in[i]; returns the
 * input bytes consumed (the replacement written), 0 for none. */
static size_t try_at(rf *r, size_t i)
{
    size_t m = 0;
    switch (r->in[i]) {
    case '[':
    case '(':
    case '{':
    case '<':
        if (!(m = rf_scheme(r, i)) && !(m = rf_bracket(r, i)) && r->in[i] == '[')
            m = rf_host_bracket(r, i);
        if (!m && r->in[i] == '[')
            m = rf_odd_dot(r, i);
        return m;
    case ']':
    case '.':
        return rf_odd_dot(r, i);
    case ' ':
        return peek(r, i + 1) == ':' ? rf_scheme(r, i) : rf_spaced(r, i);
    case ':':
        return rf_scheme(r, i);
    case '-':
        return rf_hyphen_dot(r, i);
    case '\\':
        return rf_backslash(r, i);
    default: /* ',' */
        return rf_host_comma(r, i);
    }
}

/* Bytes after a blank that may start a defang (" dot ", " at ", " @ ",
 * " [at] ", " ://"). */
static const uint8_t after_blank[256] = {
    [' '] = 1, ['d'] = 1, ['D'] = 1, ['a'] = 1, ['A'] = 1,
    ['@'] = 1, ['['] = 1, ['('] = 1, ['{'] = 1, [':'] = 1,
};

/* A cheap look at the bytes after trigger in[i]: false when no style
 * try_at knows can start there (most blanks, dots and hyphens of prose),
 * so the common case costs a few compares instead of a call. */
static inline bool worth_trying(const char *in, size_t n, size_t i)
{
    unsigned char c = (unsigned char)in[i], d = i + 1 < n ? (unsigned char)in[i + 1] : 0,
                  e = i + 2 < n ? (unsigned char)in[i + 2] : 0;
    switch (c) {
    case ' ':
        if (!after_blank[d])
            return false;
        if ((d | 0x20) == 'a') /* " at " */
            return (e | 0x20) == 't';
        if ((d | 0x20) == 'd') /* " dot " */
            return (e | 0x20) == 'o';
        return true;
    case '.': /* rf_odd_dot needs a bracket after the dot */
        return d == '[' || d == ']';
    case '-': /* rf_hyphen_dot: "-dot-" */
        return (d | 0x20) == 'd';
    default:
        return true;
    }
}

#if defined(__SSE2__) && !defined(HY_REFANG_SCALAR) /* the test builds both */
#include <emmintrin.h>

static inline __m128i eq(__m128i v, char c)
{
    return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

/* Copies the bytes from in[i] on, 16 at a time, up to the first one
 * worth_trying could accept (a superset: triggers other than blank, dot and
 * hyphen, and those three before a byte that may continue a defang); the
 * scalar loop takes over there, and for the last 16 bytes. Returns the new
 * i; *ol advances alike. The output never outruns the input (ol <= i), so
 * 16-byte stores stay inside the n bytes of room. */
static size_t copy_plain(const char *in, size_t n, size_t i, char *o, size_t *ol)
{
    const __m128i low = _mm_set1_epi8(0x20);
    while (i + 17 <= n) {
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
        __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(in + i + 1));
        __m128i dl = _mm_or_si128(d, low);
        __m128i m = _mm_or_si128(_mm_or_si128(eq(c, '['), eq(c, '(')),
                                 _mm_or_si128(eq(c, '{'), eq(c, '<')));
        m = _mm_or_si128(m, _mm_or_si128(_mm_or_si128(eq(c, ']'), eq(c, '\\')),
                                         _mm_or_si128(eq(c, ','), eq(c, ':'))));
        __m128i blank_next = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(eq(d, ' '), eq(dl, 'd')), _mm_or_si128(eq(dl, 'a'), eq(d, '@'))),
            _mm_or_si128(_mm_or_si128(eq(d, '['), eq(d, '(')), _mm_or_si128(eq(d, '{'), eq(d, ':'))));
        m = _mm_or_si128(m, _mm_and_si128(eq(c, ' '), blank_next));
        m = _mm_or_si128(m, _mm_and_si128(eq(c, '.'), _mm_or_si128(eq(d, '['), eq(d, ']'))));
        m = _mm_or_si128(m, _mm_and_si128(eq(c, '-'), eq(dl, 'd')));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        _mm_storeu_si128((__m128i *)(void *)(o + *ol), c);
        unsigned k = bits ? (unsigned)__builtin_ctz(bits) : 16;
        i += k;
        *ol += k;
        if (bits)
            break;
    }
    return i;
}
#else
static size_t copy_plain(const char *in, size_t n, size_t i, char *o, size_t *ol)
{
    (void)in, (void)n, (void)o, (void)ol;
    return i; /* the scalar loop does it all */
}
#endif

hy_err hy__refang_run(const char *in, size_t n, hy_buf *out, hy__anchors *an)
{
    hy_err rc = HY_OK;
    rf r = {.in = in, .n = n, .an = an};

    if (!n)
        return HY_OK;
    if (!(r.o = hy_buf_room(out, n, &rc)))
        return rc;
    char *o = r.o;
    size_t ol = 0;
    for (size_t i = 0; i < n && r.err == HY_OK;) {
        i = copy_plain(in, n, i, o, &ol); /* the common case, 16 bytes a step */
        while (i < n && !trig[(unsigned char)in[i]])
            o[ol++] = in[i++];
        if (i == n)
            break;
        if (worth_trying(in, n, i)) {
            size_t m;
            r.ol = ol;
            m = try_at(&r, i);
            ol = r.ol;
            if (m) {
                i += m;
                continue;
            }
        }
        o[ol++] = in[i++];
    }
    r.ol = ol;
    if (r.err != HY_OK)
        return r.err;
    hy_buf_commit(out, r.ol);
    return HY_OK;
}

size_t hy__anchors_map(const hy__anchors *an, size_t o)
{
    size_t lo = 0, hi = an->n;
    while (lo < hi) { /* first anchor with out > o */
        size_t mid = lo + (hi - lo) / 2;
        if (an->v[mid].out <= o)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return o;
    return an->v[lo - 1].in + (o - an->v[lo - 1].out);
}

void hy__anchors_free(hy__anchors *an)
{
    free(an->v);
    an->v = NULL;
    an->n = an->alloc = 0;
}

hy_err hy_refang(const char *in, size_t n, hy_buf *out, uint32_t **map)
{
    hy__anchors an = {0};
    size_t base;
    hy_err rc;

    if (map)
        *map = NULL;
    if (!out || (!in && n))
        return hy_err_set(HY_ERR_ARG, "refang: NULL %s", out ? "input" : "output buffer");
    if (n > HY_IOC_MAX_TEXT)
        return hy_err_set(HY_ERR_TOOBIG, "refang: %zu bytes exceeds the cap of %u", n,
                          HY_IOC_MAX_TEXT);
    base = out->len;
    rc = hy__refang_run(in, n, out, &an);
    if (rc == HY_OK && map) {
        size_t m = out->len - base, a = 0;
        uint32_t *mp = malloc((m + 1) * sizeof *mp);
        if (!mp) {
            rc = hy_err_set(HY_ERR_NOMEM, "refang: out of memory for the offset map");
            out->len = base;
            if (out->data)
                out->data[base] = '\0';
            goto out;
        }
        for (size_t o = 0; o <= m; o++) {
            while (a < an.n && an.v[a].out <= o)
                a++;
            mp[o] = (uint32_t)(a ? an.v[a - 1].in + (o - an.v[a - 1].out) : o);
        }
        mp[m] = (uint32_t)n;
        *map = mp;
    }
out:
    hy__anchors_free(&an);
    return rc;
}
