/* STIX 2.1 pattern syntax checker (hayate/stix_check.h).
 *
 * Written from the STIX 2.1 patterning grammar (STIXPattern.g4). The lexer
 * follows ANTLR's rules: the longest token wins ("t'...'" is a timestamp
 * when the whole literal fits, "0123" is two integers), keywords are upper
 * case and exact ("within" is an identifier), whitespace includes the Unicode
 * spaces the grammar lists, and comments are skipped. Tokens the parser
 * never accepts (a stray quote, '/', '^', a character outside the grammar)
 * are reported where they occur. The parser is recursive descent over the
 * grammar with its left recursion turned into loops:
 *
 *   pattern     := obs_seq EOF
 *   obs_seq     := obs_or  (FOLLOWEDBY obs_or)*
 *   obs_or      := obs_and (OR obs_and)*
 *   obs_and     := obs     (AND obs)*
 *   obs         := ('[' cmp_or ']' | '(' obs_seq ')') qualifier*
 *   qualifier   := START ts STOP ts | WITHIN (int+|float+) SECONDS | REPEATS int+ TIMES
 *   cmp_or      := cmp_and (OR cmp_and)*
 *   cmp_and     := test (AND test)*
 *   test        := '(' cmp_or ')' | EXISTS path
 *                | path NOT? (= | != ) primitive | path NOT? (< <= > >=) orderable
 *                | path NOT? IN '(' [primitive (',' primitive)*] ')'
 *                | path NOT? (LIKE | MATCHES | ISSUBSET | ISSUPERSET) string
 *   path        := type ':' (ident | string) ('.' (ident | string) | '[' (int | '*') ']')*
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "hayate/stix_check.h"

typedef enum tok_kind {
    TK_EOF,
    TK_LBRACK,
    TK_RBRACK,
    TK_LPAREN,
    TK_RPAREN,
    TK_COLON,
    TK_DOT,
    TK_COMMA,
    TK_STAR,
    TK_PLUS,
    TK_MINUS,
    TK_POWER,
    TK_DIVIDE,
    TK_EQ,
    TK_NEQ,
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE,
    TK_AND,
    TK_OR,
    TK_NOT,
    TK_FOLLOWEDBY,
    TK_LIKE,
    TK_MATCHES,
    TK_ISSUPERSET,
    TK_ISSUBSET,
    TK_EXISTS,
    TK_LAST,
    TK_IN,
    TK_START,
    TK_STOP,
    TK_SECONDS,
    TK_TRUE,
    TK_FALSE,
    TK_WITHIN,
    TK_REPEATS,
    TK_TIMES,
    TK_IDENT,        /* [a-zA-Z_][a-zA-Z0-9_]* */
    TK_IDENT_HYPHEN, /* the same with at least one '-' (object types only) */
    TK_INT_POS,
    TK_INT_NEG,
    TK_FLOAT_POS,
    TK_FLOAT_NEG,
    TK_STRING,
    TK_BINARY,
    TK_HEX,
    TK_TIMESTAMP,
} tok_kind;

typedef struct tok {
    tok_kind k;
    size_t off, len;
} tok;

typedef struct chk {
    const char *p;
    size_t n;
    size_t pos; /* lexer position */
    tok cur;    /* the lookahead token */
    int depth;
    hy_err err; /* the first error; parsing unwinds once set */
} chk;

static const struct {
    const char *word;
    tok_kind k;
} keywords[] = {
    {"AND", TK_AND},
    {"OR", TK_OR},
    {"NOT", TK_NOT},
    {"FOLLOWEDBY", TK_FOLLOWEDBY},
    {"LIKE", TK_LIKE},
    {"MATCHES", TK_MATCHES},
    {"ISSUPERSET", TK_ISSUPERSET},
    {"ISSUBSET", TK_ISSUBSET},
    {"EXISTS", TK_EXISTS},
    {"LAST", TK_LAST},
    {"IN", TK_IN},
    {"START", TK_START},
    {"STOP", TK_STOP},
    {"SECONDS", TK_SECONDS},
    {"true", TK_TRUE},
    {"false", TK_FALSE},
    {"WITHIN", TK_WITHIN},
    {"REPEATS", TK_REPEATS},
    {"TIMES", TK_TIMES},
};

/* The byte at i, or -1 past the end: the one bounds check of the lexer. */
static int at(const chk *c, size_t i)
{
    return i < c->n ? (unsigned char)c->p[i] : -1;
}

static bool is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_alpha_(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_hex(int ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool is_b64(int ch)
{
    return is_alpha_(ch) ? ch != '_' : (is_digit(ch) || ch == '+' || ch == '/');
}

/* Describes the token at off (up to 24 bytes, non-printables escaped). */
static void describe(const chk *c, const tok *t, char out[112])
{
    size_t o = 0, n = t->len > 24 ? 24 : t->len;
    if (t->k == TK_EOF) {
        snprintf(out, 112, "the end of the pattern");
        return;
    }
    out[o++] = '\'';
    for (size_t i = 0; i < n; i++) {
        int ch = at(c, t->off + i);
        if (ch >= 0x20 && ch < 0x7f)
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, 5, "\\x%02x", ch & 0xff);
    }
    if (n < t->len)
        o += (size_t)snprintf(out + o, 4, "...");
    out[o++] = '\'';
    out[o] = '\0';
}

static bool fail_at(chk *c, size_t off, const char *what)
{
    if (c->err == HY_OK)
        c->err = hy_err_set(HY_ERR_FORMAT, "stix pattern: offset %zu: %s", off, what);
    return false;
}

static bool expected(chk *c, const char *what)
{
    char found[112], msg[256];
    describe(c, &c->cur, found);
    snprintf(msg, sizeof msg, "expected %s, found %s", what, found);
    return fail_at(c, c->cur.off, msg);
}

/* The code point of the valid UTF-8 sequence of n bytes at i. */
static uint32_t code_point(const chk *c, size_t i, int n)
{
    static const uint8_t lead_mask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t cp = (uint32_t)at(c, i) & lead_mask[n];
    for (int k = 1; k < n; k++)
        cp = cp << 6 | ((uint32_t)at(c, i + (size_t)k) & 0x3f);
    return cp;
}

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
           cp == 0x205f || cp == 0x3000;
}

/* Skips whitespace, block comments and line comments. An unterminated block
 * comment is not a comment (ANTLR lexes it as '/' '*'). */
static void skip_blank(chk *c)
{
    while (c->pos < c->n) {
        int ch = at(c, c->pos);
        if (ch == '/' && at(c, c->pos + 1) == '*') {
            const char *end = NULL;
            if (c->pos + 2 < c->n)
                end = memmem(c->p + c->pos + 2, c->n - c->pos - 2, "*/", 2);
            if (!end)
                return;
            c->pos = (size_t)(end - c->p) + 2;
        } else if (ch == '/' && at(c, c->pos + 1) == '/') {
            while (c->pos < c->n && at(c, c->pos) != '\n' && at(c, c->pos) != '\r')
                c->pos++;
        } else {
            int n = hy_utf8_seq((const uint8_t *)c->p, c->n, c->pos);
            if (n < 1 || !is_space_cp(code_point(c, c->pos, n)))
                return;
            c->pos += (size_t)n;
        }
    }
}

/* Length of a number token at i ('+'/'-' sign, int or float), 0 if none;
 * *is_float tells which. Longest match, as the lexer picks. */
static size_t lex_number(const chk *c, size_t i, bool *is_float)
{
    size_t j = i, k, flen = 0, ilen = 0;
    if (at(c, j) == '+' || at(c, j) == '-')
        j++;
    for (k = j; is_digit(at(c, k)); k++)
        ;
    if (at(c, k) == '.' && is_digit(at(c, k + 1))) {
        for (k++; is_digit(at(c, k)); k++)
            ;
        flen = k - i;
    }
    if (at(c, j) == '0') {
        ilen = j + 1 - i;
    } else if (is_digit(at(c, j))) {
        for (k = j; is_digit(at(c, k)); k++)
            ;
        ilen = k - i;
    }
    *is_float = flen > ilen;
    return *is_float ? flen : ilen;
}

/* Two digits at i forming a value in [lo, hi]. */
static bool two_digits(const chk *c, size_t i, int lo, int hi)
{
    if (!is_digit(at(c, i)) || !is_digit(at(c, i + 1)))
        return false;
    int v = (at(c, i) - '0') * 10 + (at(c, i + 1) - '0');
    return v >= lo && v <= hi;
}

/* Length of t'YYYY-MM-DDTHH:MM:SS[.frac]Z' at i, or 0. */
static size_t lex_timestamp(const chk *c, size_t i)
{
    size_t j = i + 2;
    for (int k = 0; k < 4; k++)
        if (!is_digit(at(c, j++)))
            return 0;
    if (at(c, j) != '-' || !two_digits(c, j + 1, 1, 12) || at(c, j + 3) != '-' ||
        !two_digits(c, j + 4, 1, 31) || at(c, j + 6) != 'T' || !two_digits(c, j + 7, 0, 23) ||
        at(c, j + 9) != ':' || !two_digits(c, j + 10, 0, 59) || at(c, j + 12) != ':' ||
        !two_digits(c, j + 13, 0, 60))
        return 0;
    j += 15;
    if (at(c, j) == '.') {
        if (!is_digit(at(c, ++j)))
            return 0;
        while (is_digit(at(c, j)))
            j++;
    }
    if (at(c, j) != 'Z' || at(c, j + 1) != '\'')
        return 0;
    return j + 2 - i;
}

/* Length of h'(hex hex)*' at i, or 0. */
static size_t lex_hex(const chk *c, size_t i)
{
    size_t j = i + 2;
    while (is_hex(at(c, j)))
        j++;
    if (at(c, j) != '\'' || (j - i - 2) % 2)
        return 0;
    return j + 1 - i;
}

/* Length of b'base64' at i (non-empty, padded to a multiple of 4), or 0. */
static size_t lex_binary(const chk *c, size_t i)
{
    size_t j = i + 2, chars, pad = 0;
    while (is_b64(at(c, j)))
        j++;
    chars = j - i - 2;
    while (at(c, j) == '=' && pad < 2)
        j++, pad++;
    if (at(c, j) != '\'')
        return 0;
    if (pad == 0 ? (chars == 0 || chars % 4) : chars % 4 != 4 - pad)
        return 0;
    return j + 1 - i;
}

/* Lexes a string literal at i into *t; false with the error set on a bad
 * escape or a missing closing quote. */
static bool lex_string(chk *c, size_t i, tok *t)
{
    size_t j = i + 1;
    for (;;) {
        int ch = at(c, j);
        if (ch < 0)
            return fail_at(c, i, "unterminated string literal");
        if (ch == '\'')
            break;
        if (ch == '\\') {
            if (at(c, j + 1) != '\'' && at(c, j + 1) != '\\')
                return fail_at(
                    c, j, "invalid escape in a string literal (only \\' and \\\\ are allowed)");
            j++;
        }
        j++;
    }
    *t = (tok){TK_STRING, i, j + 1 - i};
    return true;
}

/* Identifiers, keywords and the t'', h'' and b'' literals. */
static bool lex_word(chk *c, size_t i, tok *t)
{
    size_t j = i + 1;
    bool hyphen = false;
    while (is_alpha_(at(c, j)) || is_digit(at(c, j)) || at(c, j) == '-')
        hyphen |= at(c, j++) == '-';
    if (j == i + 1 && at(c, j) == '\'' && strchr("thb", at(c, i))) {
        int ch = at(c, i);
        size_t n = ch == 't' ? lex_timestamp(c, i) : ch == 'h' ? lex_hex(c, i) : lex_binary(c, i);
        if (!n)
            return fail_at(c, i,
                           ch == 't' ? "malformed timestamp literal (t'YYYY-MM-DDTHH:MM:SS[.s]Z')"
                           : ch == 'h'
                               ? "malformed hex literal (h' followed by pairs of hex digits)"
                               : "malformed binary literal (b' followed by padded base64)");
        *t = (tok){ch == 't' ? TK_TIMESTAMP : ch == 'h' ? TK_HEX : TK_BINARY, i, n};
        return true;
    }
    *t = (tok){hyphen ? TK_IDENT_HYPHEN : TK_IDENT, i, j - i};
    for (size_t k = 0; !hyphen && k < sizeof keywords / sizeof *keywords; k++)
        if (strlen(keywords[k].word) == t->len && memcmp(keywords[k].word, c->p + i, t->len) == 0)
            t->k = keywords[k].k;
    return true;
}

/* Operators and punctuation; false (error set) for a character outside the grammar. */
static bool lex_punct(chk *c, size_t i, tok *t)
{
    static const char single[] = "[]():,*^/";
    static const tok_kind single_k[] = {TK_LBRACK, TK_RBRACK, TK_LPAREN, TK_RPAREN, TK_COLON,
                                        TK_COMMA,  TK_STAR,   TK_POWER,  TK_DIVIDE};
    int ch = at(c, i), nx = at(c, i + 1);
    const char *s = ch > 0 && ch < 0x80 ? strchr(single, ch) : NULL;
    *t = (tok){TK_EOF, i, 1};
    if (s)
        t->k = single_k[s - single];
    else if (ch == '=')
        t->k = TK_EQ, t->len = nx == '=' ? 2 : 1;
    else if (ch == '!' && nx == '=')
        t->k = TK_NEQ, t->len = 2;
    else if (ch == '<')
        t->k = nx == '>'   ? TK_NEQ
               : nx == '=' ? TK_LE
                           : TK_LT,
        t->len = nx == '>' || nx == '=' ? 2 : 1;
    else if (ch == '>')
        t->k = nx == '=' ? TK_GE : TK_GT, t->len = nx == '=' ? 2 : 1;
    else {
        char msg[96];
        int n = hy_utf8_seq((const uint8_t *)c->p, c->n, i);
        if (ch >= 0x20 && ch < 0x7f)
            snprintf(msg, sizeof msg, "unexpected character '%c'", ch);
        else if (n > 1)
            snprintf(msg, sizeof msg, "unexpected character U+%04X", (unsigned)code_point(c, i, n));
        else
            snprintf(msg, sizeof msg, "unexpected byte 0x%02x", (unsigned)ch);
        return fail_at(c, i, msg);
    }
    return true;
}

/* Reads the next token into c->cur; on a lexical error c->cur is EOF. */
static bool next(chk *c)
{
    tok t;
    bool ok, is_float;
    size_t i, n;

    skip_blank(c);
    i = c->pos;
    int ch = at(c, i);
    if (ch < 0) {
        c->cur = (tok){TK_EOF, i, 0};
        return true;
    }
    if (ch == '\'') {
        ok = lex_string(c, i, &t);
    } else if (is_alpha_(ch)) {
        ok = lex_word(c, i, &t);
    } else if (ch == '+' || ch == '-' || ch == '.' || is_digit(ch)) {
        ok = true;
        if ((n = lex_number(c, i, &is_float)))
            t = (tok){is_float ? (ch == '-' ? TK_FLOAT_NEG : TK_FLOAT_POS)
                               : (ch == '-' ? TK_INT_NEG : TK_INT_POS),
                      i, n};
        else
            t = (tok){ch == '+' ? TK_PLUS : ch == '-' ? TK_MINUS : TK_DOT, i, 1};
    } else {
        ok = lex_punct(c, i, &t);
    }
    if (!ok) {
        c->cur = (tok){TK_EOF, i, 0};
        return false;
    }
    c->cur = t;
    c->pos = t.off + t.len;
    return true;
}

static bool accept(chk *c, tok_kind k)
{
    return c->cur.k == k && next(c);
}

static bool expect(chk *c, tok_kind k, const char *what)
{
    return c->cur.k == k ? next(c) : expected(c, what);
}

/* ---- hashes.<algorithm> values (the OASIS validator's object check) ---- */

static const struct {
    const char *name; /* upper case, '-' removed */
    uint8_t lens[6];  /* accepted hex lengths; 0 ends (SSDEEP: none) */
} hash_algos[] = {
    {"MD5", {32}},        {"MD6", {32, 40, 56, 64, 96, 128}},
    {"RIPEMD160", {40}},  {"SHA1", {40}},
    {"SHA224", {56}},     {"SHA256", {64}},
    {"SHA384", {96}},     {"SHA512", {128}},
    {"SHA3224", {56}},    {"SHA3256", {64}},
    {"SHA3384", {96}},    {"SHA3512", {128}},
    {"WHIRLPOOL", {128}}, {"TLSH", {70, 72}},
    {"SSDEEP", {0}},
};

/* The last key of an object path, when the path goes through "hashes". */
typedef struct path_info {
    bool hashes;             /* a component is the key "hashes" */
    bool last_is_key;        /* the last component is a key (not an index) */
    size_t key_off, key_len; /* its text, quotes excluded */
} path_info;

static bool hash_value_ok(const char *v, size_t n, size_t algo)
{
    if (strcmp(hash_algos[algo].name, "SSDEEP") == 0) {
        if (n < 1 || n > 128)
            return false;
        for (size_t i = 0; i < n; i++)
            if (!is_b64((unsigned char)v[i]) && v[i] != ':' && v[i] != '.')
                return false;
        return true;
    }
    size_t hex = 0;
    bool tlsh = strcmp(hash_algos[algo].name, "TLSH") == 0 && n == 72 && v[0] == 'T' && v[1] == '1';
    for (size_t i = tlsh ? 2 : 0; i < n && is_hex((unsigned char)v[i]); i++)
        hex++;
    if (hex != n - (tlsh ? 2 : 0))
        return false;
    for (size_t k = 0; k < sizeof hash_algos[algo].lens && hash_algos[algo].lens[k]; k++)
        if (n == hash_algos[algo].lens[k] && (n != 72 || tlsh))
            return true;
    return false;
}

/* Checks a string compared with a hashes.<algorithm> path. */
static bool check_hash(chk *c, const path_info *pi, const tok *lit)
{
    char name[16];
    size_t n = 0;
    if (!pi->hashes || !pi->last_is_key || lit->k != TK_STRING || pi->key_len > 32)
        return true;
    for (size_t i = 0; i < pi->key_len && n + 1 < sizeof name; i++) {
        int ch = at(c, pi->key_off + i);
        if (ch != '-')
            name[n++] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    }
    name[n] = '\0';
    for (size_t a = 0; a < sizeof hash_algos / sizeof *hash_algos; a++) {
        if (strcmp(name, hash_algos[a].name) != 0)
            continue;
        if (hash_value_ok(c->p + lit->off + 1, lit->len - 2, a))
            return true;
        char msg[160];
        snprintf(msg, sizeof msg, "'%.*s%s' is not a valid %.*s hash",
                 lit->len - 2 > 64 ? 64 : (int)lit->len - 2, c->p + lit->off + 1,
                 lit->len - 2 > 64 ? "..." : "", (int)pi->key_len, c->p + pi->key_off);
        return fail_at(c, lit->off, msg);
    }
    return true;
}

/* ---- the parser ---- */

static bool obs_seq(chk *c);
static bool cmp_or(chk *c);

static bool enter(chk *c)
{
    if (++c->depth <= HY_STIX_PATTERN_MAX_DEPTH)
        return true;
    if (c->err == HY_OK)
        c->err =
            hy_err_set(HY_ERR_TOOBIG, "stix pattern: offset %zu: parentheses nested deeper than %d",
                       c->cur.off, HY_STIX_PATTERN_MAX_DEPTH);
    return false;
}

/* One path component key (identifier or quoted); records it in pi. */
static bool path_key(chk *c, path_info *pi, const char *what)
{
    tok t = c->cur;
    if (t.k == TK_IDENT_HYPHEN)
        return fail_at(c, t.off, "property names may not contain '-' unless quoted ('name')");
    if (t.k != TK_IDENT && t.k != TK_STRING)
        return expected(c, what);
    size_t off = t.k == TK_STRING ? t.off + 1 : t.off, len = t.k == TK_STRING ? t.len - 2 : t.len;
    pi->hashes |= len == 6 && memcmp(c->p + off, "hashes", 6) == 0;
    pi->last_is_key = true;
    pi->key_off = off;
    pi->key_len = len;
    return next(c);
}

static bool object_path(chk *c, path_info *pi)
{
    memset(pi, 0, sizeof *pi);
    if (c->cur.k != TK_IDENT && c->cur.k != TK_IDENT_HYPHEN)
        return expected(c, "an object type (as in file:name)");
    if (!next(c) || !expect(c, TK_COLON, "':' after the object type"))
        return false;
    if (!path_key(c, pi, "a property name after ':'"))
        return false;
    for (;;) {
        if (accept(c, TK_DOT)) {
            if (!path_key(c, pi, "a property name after '.'"))
                return false;
        } else if (c->cur.k == TK_LBRACK) {
            if (!next(c))
                return false;
            if (c->cur.k != TK_INT_POS && c->cur.k != TK_INT_NEG && c->cur.k != TK_STAR)
                return expected(c, "a list index (an integer or '*')");
            pi->last_is_key = false;
            if (!next(c) || !expect(c, TK_RBRACK, "']' after the list index"))
                return false;
        } else {
            return c->err == HY_OK;
        }
    }
}

static bool is_orderable(tok_kind k)
{
    return k == TK_INT_POS || k == TK_INT_NEG || k == TK_FLOAT_POS || k == TK_FLOAT_NEG ||
           k == TK_STRING || k == TK_BINARY || k == TK_HEX || k == TK_TIMESTAMP;
}

static bool primitive(chk *c, const path_info *pi, bool orderable_only)
{
    tok t = c->cur;
    if (!is_orderable(t.k) && (orderable_only || (t.k != TK_TRUE && t.k != TK_FALSE)))
        return expected(c, orderable_only ? "a number, string, binary, hex or timestamp literal"
                                          : "a literal value");
    return check_hash(c, pi, &t) && next(c);
}

static bool set_literal(chk *c, const path_info *pi)
{
    if (!expect(c, TK_LPAREN, "'(' to start the IN set"))
        return false;
    if (accept(c, TK_RPAREN))
        return true;
    do {
        if (!primitive(c, pi, false))
            return false;
    } while (accept(c, TK_COMMA));
    return c->err == HY_OK && expect(c, TK_RPAREN, "',' or ')' in the IN set");
}

static bool prop_test(chk *c)
{
    path_info pi;
    if (c->cur.k == TK_LPAREN) {
        bool ok = enter(c) && next(c) && cmp_or(c) && expect(c, TK_RPAREN, "')' or AND/OR");
        c->depth--;
        return ok;
    }
    if (c->cur.k == TK_EXISTS)
        return next(c) && object_path(c, &pi);
    if (!object_path(c, &pi) || (c->cur.k == TK_NOT && !next(c)))
        return false;
    switch (c->cur.k) {
    case TK_EQ:
    case TK_NEQ:
        return next(c) && primitive(c, &pi, false);
    case TK_LT:
    case TK_LE:
    case TK_GT:
    case TK_GE:
        return next(c) && primitive(c, &pi, true);
    case TK_IN:
        return next(c) && set_literal(c, &pi);
    case TK_LIKE:
    case TK_MATCHES:
    case TK_ISSUBSET:
    case TK_ISSUPERSET:
        return next(c) && expect(c, TK_STRING, "a quoted string");
    default:
        return expected(c, "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, "
                           "ISSUBSET, ISSUPERSET)");
    }
}

static bool cmp_and(chk *c)
{
    do {
        if (!prop_test(c))
            return false;
    } while (accept(c, TK_AND));
    return c->err == HY_OK;
}

static bool cmp_or(chk *c)
{
    do {
        if (!cmp_and(c))
            return false;
    } while (accept(c, TK_OR));
    return c->err == HY_OK;
}

/* Qualifiers after one observation expression; a type may appear once on a
 * bracketed expression (the OASIS validator's rule). */
static bool qualifiers(chk *c, bool simple)
{
    unsigned seen = 0, bit;
    for (;;) {
        size_t off = c->cur.off;
        const char *name;
        if (c->cur.k == TK_START) {
            bit = 1, name = "START/STOP";
            if (!next(c) || !expect(c, TK_TIMESTAMP, "a timestamp (t'...') after START") ||
                !expect(c, TK_STOP, "STOP") ||
                !expect(c, TK_TIMESTAMP, "a timestamp (t'...') after STOP"))
                return false;
        } else if (c->cur.k == TK_WITHIN) {
            bit = 2, name = "WITHIN";
            if (!next(c))
                return false;
            if (c->cur.k != TK_INT_POS && c->cur.k != TK_FLOAT_POS)
                return expected(c, "a positive number after WITHIN");
            if (!next(c) || !expect(c, TK_SECONDS, "SECONDS"))
                return false;
        } else if (c->cur.k == TK_REPEATS) {
            bit = 4, name = "REPEATS";
            if (!next(c) || !expect(c, TK_INT_POS, "a positive integer after REPEATS") ||
                !expect(c, TK_TIMES, "TIMES"))
                return false;
        } else {
            return true;
        }
        if (simple && (seen & bit)) {
            char msg[96];
            snprintf(msg, sizeof msg, "duplicate %s qualifier on one observation expression", name);
            return fail_at(c, off, msg);
        }
        seen |= bit;
    }
}

static bool obs(chk *c)
{
    bool simple = c->cur.k == TK_LBRACK, ok;
    if (simple) {
        ok = next(c) && cmp_or(c) && expect(c, TK_RBRACK, "']' or AND/OR");
    } else if (c->cur.k == TK_LPAREN) {
        ok = enter(c) && next(c) && obs_seq(c) && expect(c, TK_RPAREN, "')' or AND/OR/FOLLOWEDBY");
        c->depth--;
    } else {
        return expected(c, "'[' or '(' to start an observation expression");
    }
    return ok && qualifiers(c, simple);
}

static bool obs_and(chk *c)
{
    do {
        if (!obs(c))
            return false;
    } while (accept(c, TK_AND));
    return c->err == HY_OK;
}

static bool obs_or(chk *c)
{
    do {
        if (!obs_and(c))
            return false;
    } while (accept(c, TK_OR));
    return c->err == HY_OK;
}

static bool obs_seq(chk *c)
{
    do {
        if (!obs_or(c))
            return false;
    } while (accept(c, TK_FOLLOWEDBY));
    return c->err == HY_OK;
}

hy_err hy_stix_pattern_check(const char *pattern, size_t len)
{
    chk c = {.p = pattern, .n = len};
    if (!pattern && len)
        return hy_err_set(HY_ERR_ARG, "stix pattern: NULL pattern");
    if (len > HY_STIX_PATTERN_MAX_LEN)
        return hy_err_set(HY_ERR_TOOBIG, "stix pattern: %zu bytes, more than the cap of %u", len,
                          HY_STIX_PATTERN_MAX_LEN);
    for (size_t i = 0; i < len;) {
        int n = hy_utf8_seq((const uint8_t *)pattern, len, i);
        if (n < 1)
            return hy_err_set(HY_ERR_FORMAT, "stix pattern: offset %zu: invalid UTF-8", i);
        i += (size_t)n;
    }
    if (next(&c)) {
        if (c.cur.k == TK_EOF)
            return hy_err_set(HY_ERR_FORMAT, "stix pattern: empty pattern");
        if (obs_seq(&c))
            expect(&c, TK_EOF, "the end of the pattern or AND/OR/FOLLOWEDBY");
    }
    return c.err;
}
