/* Reading Newick trees (hy_tree_from_newick).
 *
 * Grammar (Felsenstein's Newick, as PHYLIP and most tools write it):
 *   tree    := subtree ';'
 *   subtree := '(' subtree (',' subtree)* ')' [label] [':' length]
 *            | label [':' length]
 *   label   := quoted ('...' with '' for a quote) | unquoted (up to one of
 *              ()[]':;, or a blank)
 * with blanks and [comments] allowed between tokens.
 *
 * The parser is a loop over two states (at the start of a subtree, after
 * one) with the open node as the only context: nodes are stored in
 * preorder with their parent, so closing a ')' steps to the parent and no
 * recursion or stack grows with the depth. The parsed rooted tree is then
 * turned into an unrooted one: nodes with one child dissolve into their
 * edge, a root with two children becomes one edge between them. */
#include "hayate/tree.h"
#include "tree_int.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NW_MAX_NUMBER 64 /* characters of a length */

typedef struct pnode {
    uint32_t parent; /* HY_TREE_NONE for the root */
    uint32_t nkid;
    uint32_t leaf; /* name index, or HY_TREE_NONE for an internal node */
    uint32_t off;  /* where it starts in the text */
    double len;
} pnode;

typedef struct name_ref {
    const char *s;
    uint32_t i;
} name_ref;

typedef struct parser {
    const char *s;
    size_t n, pos;
    const char *const *names;
    size_t n_names;
    name_ref *sorted;  /* names by strcmp, for lookup */
    uint32_t *seen_at; /* per name: node that has it, or HY_TREE_NONE */
    pnode *nd;
    size_t nn, cap, max_nodes, leaves;
    char *label; /* the label being read, NUL-terminated */
    size_t label_len;
    bool label_quoted;
} parser;

/* Up to 48 bytes of t for an error message, unprintable bytes as '?'. */
static const char *shown(const char *t, size_t len, char out[52])
{
    size_t k = 0;
    for (; k < len && k < 48; k++)
        out[k] = t[k] > 0x20 && t[k] < 0x7f ? t[k] : '?';
    if (k < len)
        out[k++] = '.', out[k++] = '.', out[k++] = '.';
    out[k] = '\0';
    return out;
}

static hy_err syntax(const parser *p, size_t at, const char *what)
{
    char b[52];
    if (at >= p->n)
        return hy_err_set(HY_ERR_ARG, "newick: byte %zu: %s, found the end of the text", at, what);
    return hy_err_set(HY_ERR_ARG, "newick: byte %zu: %s, found '%s'", at, what,
                      shown(p->s + at, 1, b));
}

/* Skips blanks and [comments]. */
static hy_err skip_blank(parser *p)
{
    while (p->pos < p->n) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            p->pos++;
        } else if (c == '[') {
            const char *end = memchr(p->s + p->pos, ']', p->n - p->pos);
            if (!end)
                return hy_err_set(HY_ERR_ARG, "newick: byte %zu: a comment '[' without ']'",
                                  p->pos);
            p->pos = (size_t)(end - p->s) + 1;
        } else {
            break;
        }
    }
    return HY_OK;
}

static bool is_delim(unsigned char c)
{
    return c <= ' ' || c == 0x7f || strchr("()[]':;,", c) != NULL;
}

static hy_err label_add(parser *p, char c)
{
    if (p->label_len == HY_NEWICK_MAX_LABEL)
        return hy_err_set(HY_ERR_TOOBIG, "newick: byte %zu: a label over %u bytes", p->pos,
                          HY_NEWICK_MAX_LABEL);
    p->label[p->label_len++] = c;
    p->label[p->label_len] = '\0';
    return HY_OK;
}

/* Reads a label (possibly empty) into p->label. */
static hy_err read_label(parser *p)
{
    hy_err err;
    p->label_len = 0;
    p->label[0] = '\0';
    p->label_quoted = p->pos < p->n && p->s[p->pos] == '\'';
    if (!p->label_quoted) {
        while (p->pos < p->n && !is_delim((unsigned char)p->s[p->pos]))
            if ((err = label_add(p, p->s[p->pos++])) != HY_OK)
                return err;
        return HY_OK;
    }
    size_t open = p->pos++;
    for (;;) {
        if (p->pos >= p->n)
            return hy_err_set(HY_ERR_ARG,
                              "newick: byte %zu: a quoted label without its "
                              "closing quote",
                              open);
        char c = p->s[p->pos++];
        if (c == '\'') {
            if (p->pos >= p->n || p->s[p->pos] != '\'')
                return HY_OK;
            p->pos++;
        }
        if (c == '\0')
            return hy_err_set(HY_ERR_ARG, "newick: byte %zu: a NUL byte in a label", p->pos - 1);
        if ((err = label_add(p, c)) != HY_OK)
            return err;
    }
}

/* Reads ":length" if present into *len (0 when absent). */
static hy_err read_length(parser *p, double *len)
{
    hy_err err;
    *len = 0;
    if ((err = skip_blank(p)) != HY_OK || p->pos >= p->n || p->s[p->pos] != ':')
        return err;
    p->pos++;
    if ((err = skip_blank(p)) != HY_OK)
        return err;
    size_t at = p->pos, k = 0;
    char num[NW_MAX_NUMBER + 1], *end;
    while (p->pos < p->n && !is_delim((unsigned char)p->s[p->pos]) && k < NW_MAX_NUMBER)
        num[k++] = p->s[p->pos++];
    num[k] = '\0';
    if (k == 0)
        return syntax(p, at, "expected a branch length after ':'");
    double v = strtod(num, &end); /* overflow gives inf; underflow a tiny value */
    if (*end || !isfinite(v) || (p->pos < p->n && !is_delim((unsigned char)p->s[p->pos]))) {
        char b[52];
        return hy_err_set(HY_ERR_ARG, "newick: byte %zu: '%s' is not a finite branch length", at,
                          shown(p->s + at, p->pos - at, b));
    }
    *len = v > 0 ? v : 0; /* negative lengths (some NJ programs) read as 0 */
    return HY_OK;
}

static int ref_cmp(const void *a, const void *b)
{
    return strcmp(((const name_ref *)a)->s, ((const name_ref *)b)->s);
}

/* Index of name s, or HY_TREE_NONE. */
static uint32_t lookup(const parser *p, const char *s)
{
    if (!p->names) {
        char *end;
        if (*s < '0' || *s > '9')
            return HY_TREE_NONE;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        return *end || errno || v >= p->n_names ? HY_TREE_NONE : (uint32_t)v;
    }
    name_ref key = {s, 0};
    const name_ref *r = bsearch(&key, p->sorted, p->n_names, sizeof key, ref_cmp);
    return r ? r->i : HY_TREE_NONE;
}

/* The name index of the label just read (at byte at). */
static hy_err leaf_index(parser *p, size_t at, uint32_t *out)
{
    char b[52];
    if (p->label_len == 0)
        return syntax(p, at, "expected a leaf name or '('");
    if (strlen(p->label) != p->label_len)
        return hy_err_set(HY_ERR_ARG, "newick: byte %zu: a NUL byte in a label", at);
    uint32_t i = lookup(p, p->label);
    if (i == HY_TREE_NONE && !p->label_quoted && strchr(p->label, '_')) {
        for (char *c = p->label; *c; c++)
            *c = *c == '_' ? ' ' : *c;
        i = lookup(p, p->label);
    }
    if (i == HY_TREE_NONE)
        return hy_err_set(HY_ERR_ARG, "newick: byte %zu: leaf '%s' is not one of the %zu names", at,
                          shown(p->label, p->label_len, b), p->n_names);
    if (p->seen_at[i] != HY_TREE_NONE)
        return hy_err_set(HY_ERR_ARG, "newick: byte %zu: leaf '%s' again (first at byte %u)", at,
                          shown(p->label, p->label_len, b), p->nd[p->seen_at[i]].off);
    *out = i;
    return HY_OK;
}

/* Appends a node under parent. */
static hy_err new_node(parser *p, uint32_t parent, size_t at, uint32_t *out)
{
    if (p->nn == p->max_nodes)
        return hy_err_set(HY_ERR_TOOBIG, "newick: byte %zu: over %zu nodes for %zu leaves", at,
                          p->max_nodes, p->n_names);
    if (p->nn == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        pnode *nd = realloc(p->nd, cap * sizeof *nd);
        if (!nd)
            return hy_err_set(HY_ERR_NOMEM, "newick: out of memory");
        p->nd = nd;
        p->cap = cap;
    }
    p->nd[p->nn] = (pnode){parent, 0, HY_TREE_NONE, (uint32_t)at, 0};
    if (parent != HY_TREE_NONE)
        p->nd[parent].nkid++;
    *out = (uint32_t)p->nn++;
    return HY_OK;
}

/* A leaf: its label, then its length. */
static hy_err parse_leaf(parser *p, uint32_t cur)
{
    size_t at = p->pos;
    uint32_t v = 0, i = 0;
    hy_err err;
    if ((err = read_label(p)) != HY_OK || (err = leaf_index(p, at, &i)) != HY_OK ||
        (err = new_node(p, cur, at, &v)) != HY_OK)
        return err;
    p->nd[v].leaf = i;
    p->seen_at[i] = v;
    p->leaves++;
    return read_length(p, &p->nd[v].len);
}

/* The text into p->nd (preorder, parents set). */
static hy_err parse(parser *p)
{
    uint32_t cur = HY_TREE_NONE, v;
    size_t depth = 0;
    bool start = true; /* at the start of a subtree, else after one */
    hy_err err;
    for (;;) {
        if ((err = skip_blank(p)) != HY_OK)
            return err;
        char c = p->pos < p->n ? p->s[p->pos] : '\0';
        if (start && c == '(') {
            if (++depth > HY_NEWICK_MAX_DEPTH)
                return hy_err_set(HY_ERR_TOOBIG, "newick: byte %zu: nested over %u deep", p->pos,
                                  HY_NEWICK_MAX_DEPTH);
            if ((err = new_node(p, cur, p->pos, &cur)) != HY_OK)
                return err;
            p->pos++;
        } else if (start) {
            if ((err = parse_leaf(p, cur)) != HY_OK)
                return err;
            start = false;
        } else if (c == ',' && cur != HY_TREE_NONE) {
            p->pos++;
            start = true;
        } else if (c == ')' && cur != HY_TREE_NONE) {
            p->pos++;
            if ((err = skip_blank(p)) != HY_OK || (err = read_label(p)) != HY_OK ||
                (err = read_length(p, &p->nd[cur].len)) != HY_OK)
                return err;
            v = cur;
            cur = p->nd[v].parent;
            depth--;
        } else if (c == ';' && cur == HY_TREE_NONE && p->pos < p->n) {
            p->pos++;
            break;
        } else {
            return syntax(p, p->pos, cur == HY_TREE_NONE ? "expected ';'" : "expected ',' or ')'");
        }
    }
    if ((err = skip_blank(p)) != HY_OK)
        return err;
    if (p->pos < p->n)
        return syntax(p, p->pos, "expected nothing after ';'");
    return HY_OK;
}

/* Sorted names; duplicates and NULLs refused. */
static hy_err index_names(parser *p)
{
    p->sorted = malloc(p->n_names * sizeof *p->sorted);
    if (!p->sorted)
        return hy_err_set(HY_ERR_NOMEM, "newick: out of memory");
    for (size_t i = 0; i < p->n_names; i++) {
        if (!p->names[i])
            return hy_err_set(HY_ERR_ARG, "newick: names[%zu] is NULL", i);
        p->sorted[i] = (name_ref){p->names[i], (uint32_t)i};
    }
    qsort(p->sorted, p->n_names, sizeof *p->sorted, ref_cmp);
    for (size_t i = 1; i < p->n_names; i++)
        if (strcmp(p->sorted[i - 1].s, p->sorted[i].s) == 0) {
            char b[52];
            return hy_err_set(HY_ERR_ARG, "newick: the name '%s' is given twice",
                              shown(p->sorted[i].s, strlen(p->sorted[i].s), b));
        }
    return HY_OK;
}

/* Turns the parsed rooted tree into edges of the unrooted one (see the top
 * of the file) and builds it. */
static hy_err to_tree(const parser *p, hy_tree **out)
{
    size_t nn = p->nn, n = p->n_names, ne = 0, ns = 0, next = n;
    uint32_t r = 0, side[2] = {0, 0};
    double side_len[2] = {0, 0};
    while (p->nd[r].nkid == 1) /* a node's first child follows it in preorder */
        r++;
    uint32_t *id = malloc(nn * sizeof *id), *up = malloc(nn * sizeof *up);
    double *acc = malloc(nn * sizeof *acc);
    hy_tree_edge *e = malloc((2 * n + 1) * sizeof *e);
    hy_err err = HY_OK;
    if (!id || !up || !acc || !e) {
        err = hy_err_set(HY_ERR_NOMEM, "newick: out of memory");
        goto out;
    }
    bool join = p->nd[r].nkid == 2; /* a rooted top: its two edges become one */
    for (size_t v = r; v < nn && err == HY_OK; v++) {
        const pnode *d = &p->nd[v];
        uint32_t max = v == r ? 3 : 2;
        if (d->nkid > max)
            err = hy_err_set(HY_ERR_ARG,
                             "newick: byte %u: a node with %u children (a binary "
                             "tree has at most %u%s)",
                             d->off, d->nkid, max, v == r ? " at the top" : "");
        id[v] = d->leaf != HY_TREE_NONE            ? d->leaf
                : d->nkid == 1 || (v == r && join) ? HY_TREE_NONE
                                                   : (uint32_t)next++;
    }
    for (size_t v = r + 1; v < nn && err == HY_OK; v++) {
        uint32_t par = p->nd[v].parent;
        bool through = par != r && id[par] == HY_TREE_NONE; /* a dissolved node */
        up[v] = through ? up[par] : par;
        acc[v] = p->nd[v].len + (through ? acc[par] : 0);
        if (id[v] == HY_TREE_NONE)
            continue;
        if (up[v] == r && join && ns < 2) {
            side[ns] = id[v];
            side_len[ns++] = acc[v];
        } else if (ne < 2 * n) {
            e[ne++] = (hy_tree_edge){id[v], id[up[v]], acc[v]};
        }
    }
    if (err == HY_OK && join && ns == 2)
        e[ne++] = (hy_tree_edge){side[0], side[1], side_len[0] + side_len[1]};
    if (err == HY_OK)
        err = hy_tree_from_edges(n, e, ne, out);
out:
    free(id);
    free(up);
    free(acc);
    free(e);
    return err;
}

/* Names the first name no leaf had. */
static hy_err missing_leaves(const parser *p)
{
    size_t i = 0;
    char b[52];
    while (i < p->n_names && p->seen_at[i] != HY_TREE_NONE)
        i++;
    if (!p->names)
        return hy_err_set(HY_ERR_ARG, "newick: %zu leaves for %zu names; leaf %zu is missing",
                          p->leaves, p->n_names, i);
    return hy_err_set(HY_ERR_ARG, "newick: %zu leaves for %zu names; '%s' is missing", p->leaves,
                      p->n_names, shown(p->names[i], strlen(p->names[i]), b));
}

hy_err hy_tree_from_newick(const char *s, size_t n, const char *const *names, size_t n_names,
                           hy_tree **out)
{
    parser p = {.s = s, .n = n, .names = names, .n_names = n_names};
    hy_err err = HY_OK;
    if (!out)
        return hy_err_set(HY_ERR_ARG, "newick: NULL out");
    *out = NULL;
    if (!s && n)
        return hy_err_set(HY_ERR_ARG, "newick: NULL text");
    if (n_names == 0 || n_names > HY_NJ_FAST_MAX_LEAVES)
        return hy_err_set(HY_ERR_ARG, "newick: %zu names (1..%u)", n_names, HY_NJ_FAST_MAX_LEAVES);
    if (n > HY_NEWICK_MAX_BYTES)
        return hy_err_set(HY_ERR_TOOBIG, "newick: %zu bytes (at most %u)", n, HY_NEWICK_MAX_BYTES);
    p.max_nodes = 4 * n_names + 4;
    p.seen_at = malloc(n_names * sizeof *p.seen_at);
    p.label = malloc(HY_NEWICK_MAX_LABEL + 1);
    if (!p.seen_at || !p.label) {
        err = hy_err_set(HY_ERR_NOMEM, "newick: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_names; i++)
        p.seen_at[i] = HY_TREE_NONE;
    if ((names && (err = index_names(&p)) != HY_OK) || (err = parse(&p)) != HY_OK)
        goto out;
    if (p.leaves != n_names) {
        err = missing_leaves(&p);
        goto out;
    }
    err = to_tree(&p, out);
out:
    free(p.sorted);
    free(p.seen_at);
    free(p.nd);
    free(p.label);
    return err;
}
