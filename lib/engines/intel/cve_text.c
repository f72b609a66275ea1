/* Affected-version statements in CVE description prose (include/hayate/cve.h).
 *
 * The text is cut into tokens (words, versions, punctuation, sentence ends)
 * and each sentence is scanned left to right for the phrasings CVE
 * descriptions use: "X through Y", "before X", "X and earlier", "versions
 * X, Y and Z", ">= X, < Y", "starting with version X", with exclusions cut
 * out of the ranges before them and fixes ("fixed in X", "upgrade to X",
 * "X fixes this issue") kept apart. A bare version with no such phrasing
 * ("PaperCut NG 22.0.5", "Windows 8.1") is not taken as a statement: those
 * name products at least as often as they bound versions. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/cve.h"

enum { T_WORD, T_VER, T_COMMA, T_LP, T_RP, T_LT, T_LE, T_GT, T_GE, T_DASH, T_END, T_OTHER, T_NONE };

typedef struct tok {
    uint8_t k;
    uint32_t off, len;
    char w[24]; /* T_WORD: lowercase; "" when longer */
} tok;

typedef struct rvec {
    hy_cve_range *r;
    size_t n, cap;
} rvec;

/* One list item: a version, or a range written around it. */
enum { IT_POINT, IT_RANGE, IT_UPTO, IT_FROM };
typedef struct item {
    uint8_t kind;
    bool incl2;   /* IT_RANGE: its upper bound is inclusive */
    size_t v, v2; /* tokens of the version(s) */
    size_t a, b;  /* the item's tokens [a, b), without an alias in parentheses */
} item;

#define MAX_ITEMS         64
#define MAX_ALIAS_TOKENS  12
#define MAX_PHRASE        160
#define MAX_PRODUCT_WORDS 5

typedef struct ctx {
    const char *s;
    tok *t;
    size_t nt;
    size_t sb, se;         /* the sentence's tokens [sb, se) */
    size_t first;          /* its first range in ranges */
    size_t prod_a, prod_b; /* its product's tokens [prod_a, prod_b), when prod_b > prod_a */
    bool upgrade;          /* "upgrade"/"update" seen in it */
    rvec ranges, fixed;
} ctx;

static const tok end_tok = {.k = T_END};

static const tok *at(const ctx *c, size_t i)
{
    return i < c->se ? &c->t[i] : &end_tok;
}

static bool is(const tok *t, const char *w)
{
    return t->k == T_WORD && strcmp(t->w, w) == 0;
}

static bool in_set(const tok *t, const char *const *set)
{
    for (; t->k == T_WORD && *set; set++)
        if (strcmp(t->w, *set) == 0)
            return true;
    return false;
}

static const char *const version_words[] = {"version", "versions", "release", "releases", NULL};
static const char *const fix_verbs[] = {
    "fix",       "fixes",      "fixed",   "address",  "addresses", "resolve", "resolves",
    "remediate", "remediates", "correct", "corrects", "patch",     "patches", NULL};
static const char *const stopwords[] = {"a",       "an",        "the",       "in",
                                        "on",      "of",        "for",       "and",
                                        "or",      "with",      "to",        "by",
                                        "at",      "as",        "all",       "from",
                                        "note",    "versions",  "version",   "releases",
                                        "release", "users",     "before",    "prior",
                                        "when",    "if",        "this",      "that",
                                        "these",   "it",        "its",       "affected",
                                        "some",    "any",       "certain",   "is",
                                        "are",     "was",       "were",      "be",
                                        "been",    "may",       "can",       "which",
                                        "since",   "starting",  "after",     "until",
                                        "between", "through",   "up",        "but",
                                        "except",  "excluding", "including", "also",
                                        "only",    "both",      "either",    "multiple",
                                        "several", "other",     "such",      "there",
                                        "where",   "while",     "security",  "vulnerability",
                                        "issue",   NULL};

/* ---- tokens ---- */

/* Whether c is one of set (never for NUL, which strchr would find). */
static bool one_of(const char *set, char c)
{
    return c != '\0' && strchr(set, c) != NULL;
}

static bool ver_char(char ch)
{
    return isalnum((unsigned char)ch) || one_of("._*~+-", ch);
}

/* A version token starting at s[i] (a digit, or "v" and a digit): its
 * length, or 0. Bare integers ("2021", "9") are not versions in prose. */
static size_t ver_len(const char *s, size_t n, size_t i)
{
    size_t j = i;
    hy_cve_version v;
    if (i > 0 && (isalnum((unsigned char)s[i - 1]) || one_of("._-/:@$#", s[i - 1])))
        return 0;
    while (j < n && j - i < HY_CVE_MAX_VERSION && ver_char(s[j]))
        j++;
    while (j > i && one_of(".-+_~", s[j - 1]))
        j--;
    if (j == i || (j < n && ver_char(s[j]) && !one_of(".-+_~", s[j])))
        return 0;
    if (hy_cve_version_parse(s + i, j - i, NULL, &v) != HY_OK)
        return 0;
    if (v.nnum < 2 && !v.wildcard && v.rank == 0 && !v.tag[0])
        return 0;
    return j - i;
}

static bool push_tok(tok **t, size_t *nt, size_t *cap, uint8_t k, size_t off, size_t len,
                     const char *s)
{
    if (*nt == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        tok *p = realloc(*t, nc * sizeof *p);
        if (!p)
            return false;
        *t = p;
        *cap = nc;
    }
    tok *x = &(*t)[(*nt)++];
    memset(x, 0, sizeof *x);
    x->k = k;
    x->off = (uint32_t)off;
    x->len = (uint32_t)len;
    if (k == T_WORD && len < sizeof x->w)
        for (size_t i = 0; i < len; i++)
            x->w[i] = (char)tolower((unsigned char)s[off + i]);
    return true;
}

static size_t word_len(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && (isalnum((unsigned char)s[j]) || one_of("_-'", s[j]) ||
                     (s[j] == '.' && j + 1 < n && isalnum((unsigned char)s[j + 1]))))
        j++;
    return j - i;
}

/* One token at s[i]: its kind and length (0 for white space). */
static size_t next_tok(const char *s, size_t n, size_t i, uint8_t *k)
{
    unsigned char ch = (unsigned char)s[i];
    size_t l;
    *k = T_OTHER;
    if (isspace(ch)) {
        size_t j = i + 1;
        if (ch == '\n') /* a blank line ends a sentence */
            for (; j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'); j++)
                ;
        if (ch == '\n' && j < n && s[j] == '\n') {
            *k = T_END;
            return j + 1 - i;
        }
        *k = T_NONE; /* white space */
        return 1;
    }
    if (isdigit(ch) ||
        ((ch == 'v' || ch == 'V') && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
        if ((l = ver_len(s, n, i)) > 0) {
            *k = T_VER;
            return l;
        }
    }
    if (isalnum(ch)) {
        *k = T_WORD;
        return word_len(s, n, i);
    }
    if (one_of(".!?", (char)ch)) {
        *k = (i + 1 == n || isspace((unsigned char)s[i + 1])) ? T_END : T_OTHER;
        return 1;
    }
    static const char single[] = ";,()[]";
    static const uint8_t kinds[] = {T_END, T_COMMA, T_LP, T_RP, T_LP, T_RP};
    const char *p = ch ? strchr(single, (char)ch) : NULL;
    if (p) {
        *k = kinds[p - single];
        return 1;
    }
    if (ch == '<' || ch == '>') {
        bool eq = i + 1 < n && s[i + 1] == '=';
        *k = ch == '<' ? (eq ? T_LE : T_LT) : (eq ? T_GE : T_GT);
        return eq ? 2 : 1;
    }
    if (ch == '-' && i > 0 && isspace((unsigned char)s[i - 1]) && i + 1 < n &&
        isspace((unsigned char)s[i + 1])) {
        *k = T_DASH;
        return 1;
    }
    if (ch == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
        ((unsigned char)s[i + 2] == 0x93 || (unsigned char)s[i + 2] == 0x94)) {
        *k = T_DASH; /* en and em dashes */
        return 3;
    }
    if (ch == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x89 &&
        ((unsigned char)s[i + 2] == 0xA4 || (unsigned char)s[i + 2] == 0xA5)) {
        *k = (unsigned char)s[i + 2] == 0xA4 ? T_LE : T_GE; /* "≤", "≥" */
        return 3;
    }
    for (l = 1; i + l < n && ((unsigned char)s[i + l] & 0xC0) == 0x80; l++)
        ; /* one UTF-8 character */
    return l;
}

static hy_err tokenize(const char *s, size_t n, tok **out, size_t *nt)
{
    size_t cap = 0;
    *out = NULL;
    *nt = 0;
    for (size_t i = 0; i < n;) {
        uint8_t k;
        size_t l = next_tok(s, n, i, &k);
        if (k <= T_OTHER && !push_tok(out, nt, &cap, k, i, l, s))
            return HY_ERR_NOMEM;
        i += l;
    }
    return HY_OK;
}

/* ---- strings ---- */

/* Text of tokens [a, b) with runs of white space as one space, at most
 * MAX_PHRASE bytes, appended to d (size MAX_PHRASE + 1) at *dl. */
static void add_span(const ctx *c, size_t a, size_t b, char *d, size_t *dl)
{
    if (a >= b)
        return;
    const char *s = c->s + c->t[a].off;
    size_t n = c->t[b - 1].off + c->t[b - 1].len - c->t[a].off;
    if (*dl && *dl < MAX_PHRASE)
        d[(*dl)++] = ' ';
    for (size_t i = 0; i < n && *dl < MAX_PHRASE; i++) {
        if (isspace((unsigned char)s[i])) {
            if (*dl && d[*dl - 1] != ' ')
                d[(*dl)++] = ' ';
        } else {
            d[(*dl)++] = s[i];
        }
    }
    d[*dl] = '\0';
}

static char *tok_str(const ctx *c, size_t i)
{
    return strndup(c->s + c->t[i].off, c->t[i].len);
}

/* A word that may be part of a product name: capitalised or with a digit. */
static bool product_word(const ctx *c, size_t i)
{
    const tok *t = &c->t[i];
    if (t->k != T_WORD || in_set(t, stopwords))
        return false;
    for (size_t j = 0; j < t->len; j++)
        if (isupper((unsigned char)c->s[t->off + j]) || isdigit((unsigned char)c->s[t->off + j]))
            return true;
    return false;
}

/* The product named right before token i ("Apache Log4j2" 2.0-beta9...),
 * else the sentence's last one; NULL when none. */
static char *product_before(ctx *c, size_t i)
{
    size_t a = i;
    while (a > c->sb && a + MAX_PRODUCT_WORDS > i && product_word(c, a - 1))
        a--;
    if (a < i) {
        c->prod_a = a;
        c->prod_b = i;
    }
    if (c->prod_b <= c->prod_a)
        return NULL;
    char buf[MAX_PHRASE + 1];
    size_t n = 0;
    buf[0] = '\0';
    add_span(c, c->prod_a, c->prod_b, buf, &n);
    return strdup(buf);
}

/* ---- output ---- */

static hy_cve_range *new_range(rvec *v)
{
    if (v->n == HY_CVE_MAX_RANGES)
        return NULL;
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 16;
        hy_cve_range *p = realloc(v->r, nc * sizeof *p);
        if (!p)
            return NULL;
        v->r = p;
        v->cap = nc;
    }
    hy_cve_range *r = &v->r[v->n++];
    memset(r, 0, sizeof *r);
    return r;
}

static void range_clear(hy_cve_range *r)
{
    free(r->product);
    free(r->low);
    free(r->high);
    free(r->type);
    free(r->source);
    free(r->origin);
    memset(r, 0, sizeof *r);
}

void hy_cve_ranges_free(hy_cve_range *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++)
        range_clear(&r[i]);
    free(r);
}

/* Appends a range with bounds at tokens lo and hi (SIZE_MAX: open) stated
 * by the phrase of tokens [pa, pb) and the item [ia, ib). */
static hy_err emit(ctx *c, rvec *v, size_t lo, bool lo_incl, size_t hi, bool hi_incl, size_t pa,
                   size_t pb, const item *it)
{
    char phrase[MAX_PHRASE + 1];
    size_t pl = 0;
    phrase[0] = '\0';
    add_span(c, pa, pb, phrase, &pl);
    add_span(c, it->a, it->b, phrase, &pl);
    size_t n0 = v->n;
    hy_cve_range *r = new_range(v);
    if (!r)
        return v->n == HY_CVE_MAX_RANGES
                   ? hy_err_set(HY_ERR_TOOBIG, "more than %u version ranges", HY_CVE_MAX_RANGES)
                   : HY_ERR_NOMEM;
    r->low_incl = lo_incl;
    r->high_incl = hi_incl;
    r->product = product_before(c, pa < pb ? pa : it->a);
    r->source = strdup("text");
    r->origin = strdup(phrase);
    if (lo != SIZE_MAX)
        r->low = tok_str(c, lo);
    if (hi != SIZE_MAX)
        r->high = tok_str(c, hi);
    if (!r->source || !r->origin || (lo != SIZE_MAX && !r->low) || (hi != SIZE_MAX && !r->high)) {
        range_clear(r);
        v->n = n0;
        return HY_ERR_NOMEM;
    }
    return HY_OK;
}

/* ---- phrases ---- */

/* A version keyword at i is skipped. */
static size_t skip_version_word(const ctx *c, size_t i)
{
    return in_set(at(c, i), version_words) ? i + 1 : i;
}

/* An upper-bound connector at i ("through", "before", "prior to", "up to
 * and including", "<", "-"): the index after it, *incl; 0 when none. */
static size_t connector(const ctx *c, size_t i, bool *incl)
{
    const tok *t = at(c, i);
    static const char *const incl_words[] = {"through", "thru", "to", NULL};
    static const char *const excl_words[] = {"before", "until", "till", "below", NULL};
    if (is(t, "to") && c->upgrade)
        return 0; /* "upgrade from 1.2 to 1.3" */
    if (in_set(t, incl_words) || t->k == T_DASH || t->k == T_LE)
        return *incl = true, i + 1;
    if (in_set(t, excl_words) || t->k == T_LT)
        return *incl = false, i + 1;
    if ((is(t, "prior") || is(t, "earlier") || is(t, "older") || is(t, "lower")) &&
        (is(at(c, i + 1), "to") || is(at(c, i + 1), "than")))
        return *incl = false, i + 2;
    if (is(t, "up") && is(at(c, i + 1), "to")) {
        const tok *a = at(c, i + 2), *b = at(c, i + 3), *d = at(c, i + 4);
        *incl = true;
        if (a->k == T_COMMA && is(b, "and") && is(d, "including")) /* "up to, and including," */
            return i + 5 + (at(c, i + 5)->k == T_COMMA);
        if (is(a, "and") && is(b, "including"))
            return i + 4;
        if (a->k == T_LP && (is(b, "including") || is(b, "excluding")) && d->k == T_RP)
            return *incl = is(b, "including"), i + 5;
        if (is(a, "but") && is(b, "not") && is(d, "including"))
            return *incl = false, i + 5;
        return i + 2;
    }
    return 0;
}

/* What may follow a version: "through Y", "and earlier", "and later". */
static size_t range_tail(const ctx *c, size_t j, item *it)
{
    static const char *const earlier[] = {"earlier", "prior", "before",   "lower",
                                          "below",   "older", "previous", NULL};
    static const char *const later[] = {"later", "above", "newer", "higher", "greater", "up", NULL};
    bool incl;
    size_t k = connector(c, skip_version_word(c, j), &incl);
    if (k && at(c, skip_version_word(c, k))->k == T_VER) {
        k = skip_version_word(c, k);
        it->kind = IT_RANGE;
        it->v2 = k;
        it->incl2 = incl;
        return k + 1;
    }
    const tok *t = at(c, j);
    if (is(t, "onwards") || is(t, "onward"))
        return it->kind = IT_FROM, j + 1;
    if (!is(t, "and") && !is(t, "or"))
        return 0;
    k = j + 1 + is(at(c, j + 1), "all");
    if (in_set(at(c, k), earlier))
        it->kind = IT_UPTO;
    else if (in_set(at(c, k), later))
        it->kind = IT_FROM;
    else
        return 0;
    return skip_version_word(c, k + 1);
}

/* Parentheses at i holding an alias or remark ("(13.0.6)", "(Java 8)",
 * "(Build 63914)"): the index after them; 0 when they say more. */
static size_t alias_end(const ctx *c, size_t i)
{
    static const char *const busy[] = {"excluding", "except", "fixed",   "but",        "including",
                                       "prior",     "before", "through", "unaffected", NULL};
    if (at(c, i)->k != T_LP)
        return 0;
    for (size_t j = i + 1; j < c->se && j <= i + MAX_ALIAS_TOKENS; j++) {
        const tok *t = at(c, j);
        if (t->k == T_RP)
            return j + 1;
        if (t->k == T_LP || in_set(t, busy))
            return 0;
    }
    return 0;
}

/* A list of versions at j ("A, B (alias), and C"), each optionally a range
 * unless points_only; the index after it. */
static size_t parse_list(const ctx *c, size_t j, bool points_only, item *items, size_t *n)
{
    *n = 0;
    while (at(c, j)->k == T_VER && *n < MAX_ITEMS) {
        item *it = &items[(*n)++];
        memset(it, 0, sizeof *it);
        it->a = it->v = j;
        it->v2 = SIZE_MAX;
        size_t k = points_only ? 0 : range_tail(c, j + 1, it);
        j = k ? k : j + 1;
        it->b = j;
        if ((k = alias_end(c, j)) != 0)
            j = k;
        k = j + (at(c, j)->k == T_COMMA);
        k += is(at(c, k), "and") || is(at(c, k), "or");
        if (k == j || at(c, k)->k != T_VER)
            break;
        j = k;
    }
    return j;
}

/* "fix this issue", ", which fixes the ..." after a list at j: the index
 * after it, else 0. */
static size_t fix_follows(const ctx *c, size_t j)
{
    static const char *const objects[] = {"this", "the", "these", "it", "both", NULL};
    j += at(c, j)->k == T_COMMA;
    j += is(at(c, j), "which") || is(at(c, j), "that");
    if (!in_set(at(c, j), fix_verbs) || !in_set(at(c, j + 1), objects))
        return 0;
    j += 2;
    return j + (is(at(c, j), "issue") || is(at(c, j), "vulnerability") || is(at(c, j), "flaw") ||
                is(at(c, j), "problem"));
}

/* "are affected", "is vulnerable" after a list at j. */
static bool affected_follows(const ctx *c, size_t j)
{
    if (!is(at(c, j), "is") && !is(at(c, j), "are"))
        return false;
    j += 1 + is(at(c, j + 1), "also");
    return is(at(c, j), "affected") || is(at(c, j), "vulnerable");
}

/* Each item's version as a fixed point, all stated by the phrase [pa, pb). */
static hy_err emit_fixed(ctx *c, const item *items, size_t n, size_t pa, size_t pb)
{
    hy_err rc = HY_OK;
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        item p = items[i];
        p.a = p.b = 0; /* the phrase says it all */
        rc = emit(c, &c->fixed, p.v, true, p.v, true, pa, pb, &p);
    }
    return rc;
}

/* The items of a list as affected ranges; points only when points is set.
 * The phrase [pa, pb) (a starter such as "versions") prefixes the first. */
static hy_err emit_items(ctx *c, const item *items, size_t n, bool points, size_t pa, size_t pb)
{
    hy_err rc = HY_OK;
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        const item *it = &items[i];
        size_t a = i ? pb : pa;
        if (it->kind == IT_RANGE)
            rc = emit(c, &c->ranges, it->v, true, it->v2, it->incl2, a, pb, it);
        else if (it->kind == IT_UPTO)
            rc = emit(c, &c->ranges, SIZE_MAX, false, it->v, true, a, pb, it);
        else if (it->kind == IT_FROM)
            rc = emit(c, &c->ranges, it->v, true, SIZE_MAX, false, a, pb, it);
        else if (points)
            rc = emit(c, &c->ranges, it->v, true, it->v, true, a, pb, it);
    }
    return rc;
}

/* A list starting with a version at i. */
static hy_err at_version(ctx *c, size_t i, size_t *next)
{
    item items[MAX_ITEMS];
    size_t n, j = parse_list(c, i, false, items, &n);
    size_t npoints = 0;
    size_t f = fix_follows(c, j);
    *next = j;
    if (f)
        return emit_fixed(c, items, n, i, f);
    for (size_t k = 0; k < n; k++)
        npoints += items[k].kind == IT_POINT;
    bool points = affected_follows(c, j) || (npoints >= 2 && i > c->sb && product_word(c, i - 1));
    return emit_items(c, items, n, points, i, i);
}

/* "versions A, B and C", "all A and B versions" at i. */
static hy_err at_keyword(ctx *c, size_t i, size_t *next)
{
    item items[MAX_ITEMS];
    size_t n;
    if (at(c, i + 1)->k != T_VER || (i > c->sb && is(at(c, i - 1), "from")))
        return HY_OK; /* "From version 2.16.0, this was removed": not a range */
    *next = parse_list(c, i + 1, false, items, &n);
    size_t f = fix_follows(c, *next);
    if (f)
        return emit_fixed(c, items, n, i, f);
    return emit_items(c, items, n, true, i, i + 1);
}

/* "before A, B and C", "prior to X", "< X", "up to and including X". */
static hy_err at_upper(ctx *c, size_t i, size_t *next)
{
    item items[MAX_ITEMS];
    bool incl;
    size_t n, k = connector(c, i, &incl);
    if (!k || is(at(c, i), "to") || at(c, i)->k == T_DASH)
        return HY_OK; /* "to" and "-" only join two versions */
    size_t j = skip_version_word(c, k);
    if (at(c, j)->k != T_VER)
        return HY_OK;
    *next = parse_list(c, j, true, items, &n);
    hy_err rc = HY_OK;
    for (size_t m = 0; m < n && rc == HY_OK; m++)
        rc = emit(c, &c->ranges, SIZE_MAX, false, items[m].v, incl, i, j, &items[m]);
    return rc;
}

/* "since X", "starting with version X", "after X", ">= X[, < Y]". */
static hy_err at_lower(ctx *c, size_t i, size_t *next)
{
    const tok *t = at(c, i);
    size_t k = 0;
    bool incl = true, hincl = false;
    if (is(t, "since") || t->k == T_GE)
        k = i + 1;
    else if ((is(t, "starting") || is(t, "beginning")) &&
             (is(at(c, i + 1), "with") || is(at(c, i + 1), "from") || is(at(c, i + 1), "in") ||
              is(at(c, i + 1), "at")))
        k = i + 2;
    else if (is(t, "after") || t->k == T_GT)
        k = i + 1, incl = false;
    else if ((is(t, "later") || is(t, "newer") || is(t, "greater") || is(t, "higher")) &&
             is(at(c, i + 1), "than"))
        k = i + 2, incl = false;
    if (!k || at(c, k = skip_version_word(c, k))->k != T_VER)
        return HY_OK;
    item it = {.kind = IT_FROM, .v = k, .v2 = SIZE_MAX, .a = k, .b = k + 1};
    size_t j = k + 1, hi = SIZE_MAX;
    j += at(c, j)->k == T_COMMA;
    j += is(at(c, j), "and");
    size_t h = is(at(c, j), "to") ? 0 : connector(c, j, &hincl);
    if (h && at(c, h = skip_version_word(c, h))->k == T_VER) {
        hi = h;
        it.b = h + 1;
    }
    *next = it.b;
    return emit(c, &c->ranges, k, incl, hi, hincl, i, k, &it);
}

/* "between X and Y". */
static hy_err at_between(ctx *c, size_t i, size_t *next)
{
    size_t k = skip_version_word(c, i + 1);
    if (at(c, k)->k != T_VER || !is(at(c, k + 1), "and") || at(c, k + 2)->k != T_VER)
        return HY_OK;
    item it = {.kind = IT_RANGE, .v = k, .v2 = k + 2, .a = k, .b = k + 3};
    *next = k + 3;
    return emit(c, &c->ranges, k, true, k + 2, true, i, k, &it);
}

/* "fixed in X", "patched in versions X and Y", "upgrade ... to X". */
static hy_err at_fix(ctx *c, size_t i, size_t *next)
{
    static const char *const done[] = {"fixed",     "patched",    "resolved", "addressed",
                                       "corrected", "remediated", NULL};
    item items[MAX_ITEMS];
    size_t n, k;
    if (in_set(at(c, i), done) && is(at(c, i + 1), "in"))
        k = i + 2;
    else if (is(at(c, i), "to") && c->upgrade)
        k = i + 1;
    else
        return HY_OK;
    k = skip_version_word(c, k);
    if (at(c, k)->k != T_VER)
        return HY_OK;
    *next = parse_list(c, k, true, items, &n);
    return emit_fixed(c, items, n, i, *next);
}

/* A copy of r's product, source and origin with the given bounds. */
static hy_err piece(const hy_cve_range *r, const char *lo, bool lo_incl, const char *hi,
                    bool hi_incl, hy_cve_range *p)
{
    memset(p, 0, sizeof *p);
    p->low_incl = lo_incl;
    p->high_incl = hi_incl;
    if ((lo && !(p->low = strdup(lo))) || (hi && !(p->high = strdup(hi))) ||
        (r->product && !(p->product = strdup(r->product))) ||
        (r->source && !(p->source = strdup(r->source))) ||
        (r->origin && !(p->origin = strdup(r->origin)))) {
        range_clear(p);
        return HY_ERR_NOMEM;
    }
    return HY_OK;
}

/* Cuts range x out of range ri of v: the pieces below and above x
 * replace it (none when x covers it; v unchanged when they are apart). */
static hy_err cut(rvec *v, size_t ri, const hy_cve_range *x)
{
    hy__cve_bound rlo, rhi, xlo, xhi;
    hy_cve_range r = v->r[ri], pieces[2];
    size_t np = 0;
    if (hy__cve_bound_parse(r.low, r.low_incl, NULL, false, &rlo) != HY_OK ||
        hy__cve_bound_parse(r.high, r.high_incl, NULL, true, &rhi) != HY_OK ||
        hy__cve_bound_parse(x->low, x->low_incl, NULL, false, &xlo) != HY_OK ||
        hy__cve_bound_parse(x->high, x->high_incl, NULL, true, &xhi) != HY_OK ||
        !hy__cve_overlap(&rlo, &rhi, &xlo, &xhi))
        return HY_OK;
    hy__cve_bound bhi = xlo, alo = xhi; /* below: [r.low, x.low); above: (x.high, r.high] */
    bhi.incl = !xlo.incl;
    alo.incl = !xhi.incl;
    hy_err rc = HY_OK;
    if (xlo.set && !hy__cve_empty(&rlo, &bhi))
        rc = piece(&r, r.low, r.low_incl, x->low, !x->low_incl, &pieces[np++]);
    if (rc == HY_OK && xhi.set && !hy__cve_empty(&alo, &rhi))
        rc = piece(&r, x->high, !x->high_incl, r.high, r.high_incl, &pieces[np++]);
    if (rc == HY_OK && np == 2 && !new_range(v))
        rc = v->n == HY_CVE_MAX_RANGES
                 ? hy_err_set(HY_ERR_TOOBIG, "more than %u version ranges", HY_CVE_MAX_RANGES)
                 : HY_ERR_NOMEM;
    if (rc != HY_OK) {
        for (size_t i = 0; i < np; i++)
            range_clear(&pieces[i]);
        return rc;
    }
    range_clear(&v->r[ri]);
    if (np == 2) /* new_range made room at the end: shift the rest up one */
        memmove(&v->r[ri + 2], &v->r[ri + 1], (v->n - ri - 2) * sizeof v->r[0]);
    else if (np == 0)
        memmove(&v->r[ri], &v->r[ri + 1], (--v->n - ri) * sizeof v->r[0]);
    for (size_t i = 0; i < np; i++)
        v->r[ri + i] = pieces[i];
    return HY_OK;
}

/* "(excluding security releases A, B, and C)": cut them out of this
 * sentence's ranges. */
static hy_err at_exclusion(ctx *c, size_t i, size_t *next)
{
    static const char *const fillers[] = {"security", "releases", "release", "versions", "version",
                                          "for",      "the",      "fixed",   "patch",    NULL};
    item items[MAX_ITEMS];
    size_t n, k;
    const tok *t = at(c, i), *u = at(c, i + 1);
    if (is(t, "excluding"))
        k = i + 1;
    else if (is(t, "except"))
        k = i + 1 + is(u, "for");
    else if ((is(t, "other") && is(u, "than")) || (is(t, "but") && is(u, "not")) ||
             (is(t, "apart") && is(u, "from")))
        k = i + 2;
    else
        return HY_OK;
    for (int f = 0; f < 3 && in_set(at(c, k), fillers); f++)
        k++;
    if (at(c, k)->k != T_VER)
        return HY_OK;
    *next = parse_list(c, k, false, items, &n);
    rvec ex = {0};
    ctx sub = *c;
    sub.ranges = ex;
    hy_err rc = emit_items(&sub, items, n, true, k, k);
    for (size_t e = 0; rc == HY_OK && e < sub.ranges.n; e++)
        for (size_t r = c->first; rc == HY_OK && r < c->ranges.n;) {
            size_t before = c->ranges.n;
            rc = cut(&c->ranges, r, &sub.ranges.r[e]);
            r += c->ranges.n + 1 > before ? c->ranges.n + 1 - before : 0;
        }
    hy_cve_ranges_free(sub.ranges.r, sub.ranges.n);
    return rc;
}

/* ---- driver ---- */

/* Whether the sentence says versions are not affected. */
static bool denies(const ctx *c)
{
    static const char *const states[] = {"affected", "vulnerable", "impacted", NULL};
    for (size_t i = c->sb; i < c->se; i++) {
        const tok *t = &c->t[i];
        if (is(t, "unaffected") ||
            (is(t, "not") && (in_set(at(c, i + 1), states) || in_set(at(c, i + 2), states))))
            return true;
    }
    return false;
}

static hy_err scan_sentence(ctx *c)
{
    static const char *const upgrade_words[] = {"upgrade",  "upgrading", "upgraded", "update",
                                                "updating", "updated",   "migrate",  NULL};
    hy_err rc = HY_OK;
    c->first = c->ranges.n;
    c->prod_a = c->prod_b = 0;
    c->upgrade = false;
    for (size_t i = c->sb; i < c->se && rc == HY_OK;) {
        const tok *t = &c->t[i];
        size_t next = 0;
        if (t->k == T_VER) {
            rc = at_version(c, i, &next);
        } else if (t->k == T_LT || t->k == T_LE) {
            rc = at_upper(c, i, &next);
        } else if (t->k == T_GT || t->k == T_GE) {
            rc = at_lower(c, i, &next);
        } else if (t->k == T_WORD) {
            if (in_set(t, upgrade_words))
                c->upgrade = true;
            if (in_set(t, version_words) || is(t, "all"))
                rc = at_keyword(c, i, &next);
            else if (is(t, "between"))
                rc = at_between(c, i, &next);
            if (rc == HY_OK && !next)
                rc = at_fix(c, i, &next);
            if (rc == HY_OK && !next)
                rc = at_exclusion(c, i, &next);
            if (rc == HY_OK && !next)
                rc = at_upper(c, i, &next);
            if (rc == HY_OK && !next)
                rc = at_lower(c, i, &next);
        }
        i = next > i ? next : i + 1;
    }
    if (rc == HY_OK && denies(c)) /* "versions before 2.0 are not affected" */
        while (c->ranges.n > c->first)
            range_clear(&c->ranges.r[--c->ranges.n]);
    return rc;
}

hy_err hy_cve_text_parse(const char *text, size_t len, hy_cve_range **out, size_t *n,
                         hy_cve_range **fixed, size_t *nfixed)
{
    ctx c;
    hy_err rc;
    if (!out || !n || (!text && len) || (!fixed) != (!nfixed))
        return hy_err_set(HY_ERR_ARG, "cve text: NULL argument");
    *out = NULL;
    *n = 0;
    if (fixed)
        *fixed = NULL, *nfixed = 0;
    if (len > HY_CVE_MAX_TEXT)
        return hy_err_set(HY_ERR_TOOBIG, "cve text: %zu bytes (the cap is %u)", len,
                          HY_CVE_MAX_TEXT);
    memset(&c, 0, sizeof c);
    c.s = text;
    if ((rc = tokenize(text, len, &c.t, &c.nt)) != HY_OK)
        goto out;
    for (size_t i = 0; i < c.nt && rc == HY_OK;) {
        size_t e = i;
        while (e < c.nt && c.t[e].k != T_END)
            e++;
        c.sb = i;
        c.se = e;
        rc = scan_sentence(&c);
        i = e + 1;
    }
out:
    free(c.t);
    if (rc != HY_OK) {
        hy_cve_ranges_free(c.ranges.r, c.ranges.n);
        hy_cve_ranges_free(c.fixed.r, c.fixed.n);
        return rc == HY_ERR_NOMEM ? hy_err_set(rc, "cve text: out of memory") : rc;
    }
    *out = c.ranges.n ? c.ranges.r : (free(c.ranges.r), NULL);
    *n = c.ranges.n;
    if (fixed) {
        *fixed = c.fixed.n ? c.fixed.r : (free(c.fixed.r), NULL);
        *nfixed = c.fixed.n;
    } else {
        hy_cve_ranges_free(c.fixed.r, c.fixed.n);
    }
    return HY_OK;
}

hy_err hy_cve_text_ranges(const char *text, size_t len, hy_cve_range **out, size_t *n)
{
    return hy_cve_text_parse(text, len, out, n, NULL, NULL);
}
