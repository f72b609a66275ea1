/* Trees as SVG pictures: a rectangular phylogram.
 *
 * Rooting: an unrooted tree has no top, so it is drawn from the midpoint of
 * its longest leaf-to-leaf path (midpoint rooting, Farris 1972): leaf a is
 * the leaf farthest from leaf 0 and b the leaf farthest from a (with
 * non-negative lengths this double sweep finds a longest path; ties go to
 * the lowest index), and the root is the point D/2 from a on the path a..b
 * of length D. It sits on an edge (u, v) at offset x from u; the drawing
 * splits that edge into root-u (x) and root-v (len - x), so the root always
 * has two children.
 *
 * Layout: a node is drawn at x = left + depth * scale (depth: path length
 * from the root, scale: plot width / deepest leaf), so horizontal branches
 * are to scale; leaves take one row each, in ladderised order (at every
 * node the child with fewer leaves first, adjacency order on a tie), and an
 * internal node sits halfway between its first and last child. A scale bar
 * of a round length (1, 2 or 5 times a power of ten, about a fifth of the
 * deepest leaf) is drawn under the leaves.
 *
 * Labels are untrusted (file names): every byte of text goes through
 * put_label, which escapes the five XML specials, replaces control bytes,
 * invalid UTF-8 and non-characters with '?', and cuts a label at
 * HY_TREE_SVG_MAX_LABEL bytes. All numbers are printed with fixed formats,
 * so the same tree gives the same bytes. */
#include "hayate/tree.h"
#include "tree_int.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define SVG_LEFT      10.0
#define SVG_TOP       20.0
#define SVG_PLOT_W    600.0 /* the deepest leaf's x, less SVG_LEFT */
#define SVG_ROW_H     16.0
#define SVG_GAP       5.0 /* between a leaf and its label */
#define SVG_CHAR_W    7.3 /* a 12 px monospace glyph's advance, about 0.6 em */
#define SVG_MIN_DEPTH 1e-300

/* The tree hung from a virtual root (id t->nodes); every other node has a
 * parent and up to two children. */
typedef struct view {
    size_t nv; /* t->nodes + 1 */
    uint32_t root;
    uint32_t *par, *kid, *order; /* kid: 2 per node */
    uint8_t *nk;
    uint32_t *nleaf;
    double *plen, *depth, *y;
    double maxdepth;
} view;

static void view_free(view *w)
{
    free(w->par);
    free(w->kid);
    free(w->order);
    free(w->nk);
    free(w->nleaf);
    free(w->plen);
    free(w->depth);
    free(w->y);
}

static hy_err view_alloc(view *w, size_t nodes)
{
    size_t nv = nodes + 1;
    w->nv = nv;
    w->root = (uint32_t)nodes;
    w->par = malloc(nv * sizeof *w->par);
    w->kid = malloc(2 * nv * sizeof *w->kid);
    w->order = malloc(nv * sizeof *w->order);
    w->nk = calloc(nv, sizeof *w->nk);
    w->nleaf = calloc(nv, sizeof *w->nleaf);
    w->plen = calloc(nv, sizeof *w->plen);
    w->depth = calloc(nv, sizeof *w->depth);
    w->y = calloc(nv, sizeof *w->y);
    if (!w->par || !w->kid || !w->order || !w->nk || !w->nleaf || !w->plen || !w->depth || !w->y)
        return hy_err_set(HY_ERR_NOMEM, "tree svg: out of memory for %zu nodes", nodes);
    return HY_OK;
}

/* Path lengths from src to every node; order/par from hy__tree_order. */
static hy_err dist_from(const hy_tree *t, uint32_t src, uint32_t *order, uint32_t *par,
                        double *dist)
{
    hy_err err = hy__tree_order(t, src, order, par);
    if (err != HY_OK)
        return err;
    dist[src] = 0;
    for (size_t o = 1; o < t->nodes; o++) {
        uint32_t v = order[o];
        for (unsigned k = 0; k < t->deg[v]; k++)
            if (t->nb[3 * (size_t)v + k] == par[v])
                dist[v] = dist[par[v]] + t->len[3 * (size_t)v + k];
    }
    return HY_OK;
}

/* The leaf other than src farthest from it (lowest index on a tie). */
static uint32_t farthest_leaf(const hy_tree *t, uint32_t src, const double *dist)
{
    uint32_t best = src == 0 ? 1 : 0;
    for (uint32_t i = 0; i < t->n; i++)
        if (i != src && dist[i] > dist[best])
            best = i;
    return best;
}

static double edge_len(const hy_tree *t, uint32_t a, uint32_t b)
{
    for (unsigned k = 0; k < t->deg[a]; k++)
        if (t->nb[3 * (size_t)a + k] == b)
            return t->len[3 * (size_t)a + k];
    return 0;
}

/* The midpoint of a longest leaf-to-leaf path: edge (u, v), x from u. */
static hy_err midpoint(const hy_tree *t, uint32_t *pu, uint32_t *pv, double *px)
{
    uint32_t *order = malloc(t->nodes * sizeof *order), *par = malloc(t->nodes * sizeof *par);
    double *dist = malloc(t->nodes * sizeof *dist);
    hy_err err = HY_OK;
    if (!order || !par || !dist) {
        err = hy_err_set(HY_ERR_NOMEM, "tree svg: out of memory");
        goto out;
    }
    if ((err = dist_from(t, 0, order, par, dist)) != HY_OK)
        goto out;
    uint32_t a = farthest_leaf(t, 0, dist);
    if ((err = dist_from(t, a, order, par, dist)) != HY_OK)
        goto out;
    uint32_t b = farthest_leaf(t, a, dist), v = b;
    double half = dist[b] / 2;
    if (!isfinite(dist[b])) {
        err = hy_err_set(HY_ERR_ARG, "tree svg: branch lengths too large to draw");
        goto out;
    }
    while (dist[par[v]] > half) /* ends at a's neighbour: dist[a] == 0 */
        v = par[v];
    *pu = par[v];
    *pv = v;
    double len = edge_len(t, par[v], v), x = half - dist[par[v]];
    *px = x < 0 ? 0 : x > len ? len : x;
out:
    free(order);
    free(par);
    free(dist);
    return err;
}

/* Parents, children and a top-down (breadth-first) order in w->order of the
 * tree hung from the root on edge (u, v) at x from u. */
static void hang(const hy_tree *t, view *w, uint32_t u, uint32_t v, double x)
{
    uint32_t *q = w->order;
    size_t at = 1, end = 0;
    double luv = edge_len(t, u, v);
    w->par[w->root] = HY_TREE_NONE;
    w->nk[w->root] = 2;
    w->kid[2 * (size_t)w->root] = u;
    w->kid[2 * (size_t)w->root + 1] = v;
    w->par[u] = w->par[v] = w->root;
    w->plen[u] = x;
    w->plen[v] = luv - x < 0 ? 0 : luv - x;
    q[end++] = w->root;
    q[end++] = u;
    q[end++] = v;
    while (at < end) {
        uint32_t c = q[at++];
        uint32_t skip = c == u ? v : c == v ? u : w->par[c];
        for (unsigned k = 0; k < t->deg[c]; k++) {
            uint32_t g = t->nb[3 * (size_t)c + k];
            if (g == skip)
                continue;
            w->kid[2 * (size_t)c + w->nk[c]++] = g;
            w->par[g] = c;
            w->plen[g] = t->len[3 * (size_t)c + k];
            q[end++] = g;
        }
    }
}

/* Depths, leaf counts, ladderised children, leaf rows and node heights.
 * w->order holds a top-down order on entry (parents before children). */
static void place(const hy_tree *t, view *w, uint32_t *stack)
{
    size_t nv = w->nv, sp = 0, at = 0, row = 0;
    w->maxdepth = 0;
    for (size_t o = 1; o < nv; o++) {
        uint32_t c = w->order[o];
        w->depth[c] = w->depth[w->par[c]] + w->plen[c];
    }
    for (size_t o = nv; o-- > 0;) {
        uint32_t c = w->order[o], *k = w->kid + 2 * (size_t)c;
        w->nleaf[c] = c < t->n ? 1 : 0;
        for (unsigned q = 0; q < w->nk[c]; q++)
            w->nleaf[c] += w->nleaf[k[q]];
        if (w->nk[c] == 2 && w->nleaf[k[0]] > w->nleaf[k[1]]) {
            uint32_t s = k[0];
            k[0] = k[1];
            k[1] = s;
        }
    }
    stack[sp++] = w->root;
    while (sp) { /* preorder with the first child first */
        uint32_t c = stack[--sp];
        w->order[at++] = c;
        if (c < t->n) {
            w->y[c] = SVG_TOP + (double)row++ * SVG_ROW_H;
            w->maxdepth = fmax(w->maxdepth, w->depth[c]);
        }
        for (unsigned q = w->nk[c]; q-- > 0;)
            stack[sp++] = w->kid[2 * (size_t)c + q];
    }
    for (size_t o = nv; o-- > 0;) {
        uint32_t c = w->order[o];
        if (w->nk[c])
            w->y[c] =
                (w->y[w->kid[2 * (size_t)c]] + w->y[w->kid[2 * (size_t)c + w->nk[c] - 1]]) / 2;
    }
}

/* Length of the well-formed UTF-8 sequence at s (n >= 1 bytes left, up to
 * 4 looked at), 0 if there is none; *bad when it is not an XML character
 * one would want drawn (controls, C1 controls, U+FFFE, U+FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n, bool *bad)
{
    unsigned char c = s[0];
    *bad = false;
    if (c < 0x80) {
        *bad = c < 0x20 || c == 0x7f;
        return 1;
    }
    size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    if (len == 0 || len > n)
        return 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed) /* surrogates */
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    *bad = (c == 0xc2 && s[1] < 0xa0) || (c == 0xef && s[1] == 0xbf && s[2] >= 0xbe);
    return len;
}

static const char *entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&apos;";
    default:
        return NULL;
    }
}

/* Writes label s escaped (b NULL: only counts); *glyphs gets the number of
 * characters drawn. A byte that starts no well-formed sequence is one '?',
 * a well-formed but unwanted character is one '?'. */
static hy_err put_label(hy_buf *b, const char *s, size_t *glyphs)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t used = 0, g = 0;
    hy_err err = HY_OK;
    while (p[used] && err == HY_OK) {
        size_t left = 0;
        bool bad;
        while (left < 4 && p[used + left])
            left++;
        size_t k = utf8_len(p + used, left, &bad), step = k ? k : 1;
        if (used + step > HY_TREE_SVG_MAX_LABEL) {
            g += 3;
            err = b ? hy_buf_adds(b, "...") : HY_OK;
            break;
        }
        const char *ent = k == 1 ? entity(p[used]) : NULL;
        if (b)
            err = !k || bad ? hy_buf_addc(b, '?')
                  : ent     ? hy_buf_adds(b, ent)
                            : hy_buf_add(b, p + used, k);
        used += step;
        g++;
    }
    *glyphs = g;
    return err;
}

/* Leaf i's label: labels[i], else its decimal index. */
static const char *label_of(const char *const *labels, size_t i, char tmp[24])
{
    if (labels && labels[i])
        return labels[i];
    snprintf(tmp, 24, "%zu", i);
    return tmp;
}

/* A round length (1, 2 or 5 times a power of ten) near a fifth of max. */
static double bar_len(double max)
{
    double target = max / 5, p = pow(10, floor(log10(target))), m = target / p;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

static hy_err put_header(hy_buf *b, double width, double height)
{
    return hy_buf_addf(b,
                       "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                       "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n"
                       "<desc>Phylogram rooted at the midpoint of the longest leaf-to-leaf "
                       "path; branch lengths to scale.</desc>\n"
                       "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
                       width, height, width, height);
}

static hy_err put_branches(hy_buf *b, const view *w, double scale)
{
    hy_err err = hy_buf_adds(b, "<g fill=\"none\" stroke=\"#000\" stroke-width=\"1\">\n");
    for (size_t o = 0; o < w->nv && err == HY_OK; o++) {
        uint32_t c = w->order[o];
        double x = SVG_LEFT + w->depth[c] * scale;
        if (c != w->root)
            err = hy_buf_addf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
                              SVG_LEFT + w->depth[w->par[c]] * scale, w->y[c], x, w->y[c]);
        if (err == HY_OK && w->nk[c])
            err = hy_buf_addf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", x,
                              w->y[w->kid[2 * (size_t)c]], x,
                              w->y[w->kid[2 * (size_t)c + w->nk[c] - 1]]);
    }
    return err == HY_OK ? hy_buf_adds(b, "</g>\n") : err;
}

static hy_err put_leaves(hy_buf *b, const hy_tree *t, const view *w, const char *const *labels,
                         double scale)
{
    char tmp[24];
    size_t g;
    hy_err err = hy_buf_adds(
        b, "<g font-family=\"monospace\" font-size=\"12\" fill=\"#000\" xml:space=\"preserve\">\n");
    for (size_t o = 0; o < w->nv && err == HY_OK; o++) {
        uint32_t c = w->order[o];
        if (c >= t->n)
            continue;
        err = hy_buf_addf(b, "<text class=\"leaf\" x=\"%.2f\" y=\"%.2f\">",
                          SVG_LEFT + w->depth[c] * scale + SVG_GAP, w->y[c] + 4);
        if (err == HY_OK)
            err = put_label(b, label_of(labels, c, tmp), &g);
        if (err == HY_OK)
            err = hy_buf_adds(b, "</text>\n");
    }
    return err == HY_OK ? hy_buf_adds(b, "</g>\n") : err;
}

static hy_err put_scale(hy_buf *b, double maxdepth, double scale, double y)
{
    double len = bar_len(maxdepth), x2 = SVG_LEFT + len * scale;
    return hy_buf_addf(b,
                       "<g class=\"scale\">\n"
                       "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000\" "
                       "stroke-width=\"1\"/>\n"
                       "<text class=\"scale\" x=\"%.2f\" y=\"%.2f\" font-family=\"monospace\" "
                       "font-size=\"12\">%g</text>\n</g>\n",
                       SVG_LEFT, y, x2, y, x2 + SVG_GAP, y + 4, len);
}

/* The whole picture once the view is placed. */
static hy_err draw(const hy_tree *t, const view *w, const char *const *labels, hy_buf *b)
{
    char tmp[24];
    size_t most = 0, g;
    for (size_t i = 0; i < t->n; i++) {
        put_label(NULL, label_of(labels, i, tmp), &g);
        most = g > most ? g : most;
    }
    bool bar = w->maxdepth > SVG_MIN_DEPTH;
    double scale = bar ? SVG_PLOT_W / w->maxdepth : 0;
    double below = SVG_TOP + (double)t->n * SVG_ROW_H;
    double width = ceil(SVG_LEFT + SVG_PLOT_W + SVG_GAP + (double)most * SVG_CHAR_W + SVG_LEFT);
    double height = below + (bar ? 2 * SVG_ROW_H : 0);
    hy_err err = put_header(b, width, height);
    if (err == HY_OK)
        err = put_branches(b, w, scale);
    if (err == HY_OK)
        err = put_leaves(b, t, w, labels, scale);
    if (err == HY_OK && bar)
        err = put_scale(b, w->maxdepth, scale, below + SVG_ROW_H / 2);
    return err == HY_OK ? hy_buf_adds(b, "</svg>\n") : err;
}

hy_err hy_tree_svg(const hy_tree *t, const char *const *labels, hy_buf *buf)
{
    if (!t || !buf)
        return hy_err_set(HY_ERR_ARG, "tree svg: NULL argument");
    view w = {0};
    uint32_t u = 0, v = 0;
    double x = 0;
    hy_err err = view_alloc(&w, t->nodes);
    if (err == HY_OK && t->n >= 2 && (err = midpoint(t, &u, &v, &x)) == HY_OK)
        hang(t, &w, u, v, x);
    if (err == HY_OK && t->n == 1) { /* the root's only child is the leaf */
        w.order[0] = w.root;
        w.order[1] = 0;
        w.par[w.root] = HY_TREE_NONE;
        w.par[0] = w.root;
        w.nk[w.root] = 1;
        w.kid[2 * (size_t)w.root] = 0;
    }
    uint32_t *stack = err == HY_OK ? malloc(w.nv * sizeof *stack) : NULL;
    if (err == HY_OK && !stack)
        err = hy_err_set(HY_ERR_NOMEM, "tree svg: out of memory");
    if (err == HY_OK) {
        place(t, &w, stack);
        if (!isfinite(w.maxdepth))
            err = hy_err_set(HY_ERR_ARG, "tree svg: branch lengths too large to draw");
    }
    if (err == HY_OK)
        err = draw(t, &w, labels, buf);
    free(stack);
    view_free(&w);
    return err;
}
