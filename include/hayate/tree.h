/* hayate: phylogenetic trees of samples (malware families).
 *
 * A hy_tree is an unrooted binary tree with branch lengths: leaves 0..n-1
 * are the samples (by index), internal nodes n..2n-3 have three neighbours
 * each. Trees come from neighbour joining on a distance matrix (hy_nj, the
 * Studier-Keppler O(n^3) form of Saitou & Nei 1987), from its faster
 * cluster-then-join variant (hy_nj_fast, after He et al., ICONIP 2019 and
 * IEEE Access 11, 2023), or from an edge list (hy_tree_from_edges). They
 * print as Newick and compare by Robinson-Foulds distance. Distances
 * between binaries come from hy_ncd (normalised compression distance,
 * Cilibrasi & Vitanyi 2005, with zstd). Functions are reentrant; results do
 * not depend on thread counts. */
#ifndef HAYATE_TREE_H
#define HAYATE_TREE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

/* Largest n for hy_nj (its working copy is n (n - 1) / 2 doubles, 1.6 GB) and
 * for hy_nj_fast, which keeps n * k distances and works per cluster
 * (a cluster is still capped at HY_NJ_MAX_LEAVES). */
#define HY_NJ_MAX_LEAVES 20000u
#define HY_NJ_FAST_MAX_LEAVES 100000u

/* Largest distance accepted: sums over a row stay finite. */
#define HY_NJ_MAX_DIST 1e100

typedef struct hy_tree hy_tree;

typedef struct hy_tree_edge {
    uint32_t a, b; /* node ids: < n leaves, n..2n-3 internal */
    double len;    /* finite, >= 0 */
} hy_tree_edge;

/* Builds a tree on n_leaves leaves from its 2n-3 edges (n >= 2; n == 1: no
 * edges). Each leaf 0..n-1 must have exactly one edge, each internal node
 * n..2n-3 exactly three, and the edges must connect all nodes.
 * HY_ERR_ARG (detail names the fault): NULL pointers, n 0 or above
 * HY_NJ_FAST_MAX_LEAVES, a wrong edge count, an id out of range, a
 * self-loop, a wrong degree, a negative or non-finite length, a cycle.
 * HY_ERR_NOMEM. *out is NULL on error. */
hy_err hy_tree_from_edges(size_t n_leaves, const hy_tree_edge *edges, size_t n_edges,
                          hy_tree **out);

/* Frees the tree (NULL is fine). */
void hy_tree_free(hy_tree *t);

/* Leaves (n) and nodes (2n-2 for n >= 2, else 1). */
size_t hy_tree_leaves(const hy_tree *t);
size_t hy_tree_nodes(const hy_tree *t);

/* Writes node v's neighbours and branch lengths (up to 3 each; either
 * array may be NULL) and returns its degree; 0 when v is out of range. */
size_t hy_tree_neighbours(const hy_tree *t, size_t v, uint32_t nb[3], double len[3]);

/* Fills d (n x n, row-major) with the path length between every two
 * leaves. HY_ERR_ARG on NULL; HY_ERR_NOMEM. */
hy_err hy_tree_patristic(const hy_tree *t, double *d);

/* Appends the tree in Newick format, ending in ";\n". The unrooted tree is
 * written from its last internal node (NJ's final three-way join), so the
 * top level has three children. names[i] labels leaf i (NULL array: the
 * decimal index). A name is written in single quotes, with each internal '
 * doubled, when it is empty or holds a blank, a control byte or one of
 * ()[]':;,_ (an unquoted _ reads as a blank in Newick). Lengths use %.6g.
 * n == 1: "name;", n == 2: "(a:len,b:0);". HY_ERR_ARG on NULL t or buf;
 * HY_ERR_TOOBIG / HY_ERR_NOMEM from the buffer (its earlier content kept,
 * a partial tree may follow). */
hy_err hy_tree_newick(const hy_tree *t, const char *const *names, hy_buf *buf);

/* Caps of hy_tree_from_newick: text size, one label or length, nesting. */
#define HY_NEWICK_MAX_BYTES (256u << 20)
#define HY_NEWICK_MAX_LABEL 4096u
#define HY_NEWICK_MAX_DEPTH (2u * HY_NJ_FAST_MAX_LEAVES)

/* Reads one tree in Newick format from s[0..n) (need not be
 * NUL-terminated), leaves matched by label to names[0..n_names) (names
 * NULL: labels are decimal indices 0..n_names-1, as hy_tree_newick writes
 * them without names), and builds the unrooted binary tree on those leaves:
 * leaf i is names[i]. Accepted: quoted labels ('it''s'), unquoted ones (an
 * unquoted label that matches no name is tried again with each _ read as a
 * blank), [comments], blanks between tokens, internal node labels
 * (ignored), missing lengths (0), negative lengths (read as 0, as some NJ
 * programs print them). The top level may have two children (a rooted
 * tree: its two edges become one) or three; a node with one child is
 * dissolved into its edge. Every name must label exactly one leaf.
 * HY_ERR_ARG (detail: "newick: byte K: ...", K counted from 0, naming what
 * was expected or found): NULL pointers, n_names 0 or above
 * HY_NJ_FAST_MAX_LEAVES, duplicate or NULL names, bad syntax, a missing
 * ';' or text after it, an unnamed, unknown or repeated leaf, a node with
 * more than two children (more than three at the top), a length that is
 * not a finite number, leaves missing; HY_ERR_TOOBIG: n above
 * HY_NEWICK_MAX_BYTES, a label above HY_NEWICK_MAX_LABEL, nesting above
 * HY_NEWICK_MAX_DEPTH, more than 4 n_names + 4 nodes; HY_ERR_NOMEM. No
 * recursion: memory O(n_names + nodes). *out is NULL on error. */
hy_err hy_tree_from_newick(const char *s, size_t n, const char *const *names, size_t n_names,
                           hy_tree **out);

/* Bytes of a label drawn by hy_tree_svg; a longer one is cut (at a
 * character boundary) and ends in "...". */
#define HY_TREE_SVG_MAX_LABEL 256u

/* Appends the tree as a standalone SVG 1.1 document (no scripts, no
 * external references): a rectangular phylogram rooted at the midpoint of
 * the longest leaf-to-leaf path (that path's two ends found by a double
 * farthest-leaf sweep, lowest index on ties), branch lengths to scale
 * (the deepest leaf 600 px from the left) with a scale bar (omitted when
 * every length is 0), one row of 16 px per leaf in ladderised order (the
 * smaller clade first), each leaf labelled by a <text class="leaf"> element.
 * labels[i] names leaf i (NULL array or entry: the decimal index); labels
 * are untrusted: XML specials are escaped, control bytes, invalid UTF-8 and
 * XML non-characters become '?', and a label is cut at
 * HY_TREE_SVG_MAX_LABEL bytes. Size: about 250 bytes per leaf plus its
 * escaped label (at most 6 x HY_TREE_SVG_MAX_LABEL). The same tree and
 * labels give the same bytes. HY_ERR_ARG on NULL t or buf, or lengths whose
 * sums overflow; HY_ERR_TOOBIG / HY_ERR_NOMEM from the buffer (its earlier
 * content kept, a partial document may follow). */
hy_err hy_tree_svg(const hy_tree *t, const char *const *labels, hy_buf *buf);

/* Robinson-Foulds distance between two unrooted trees on the same n
 * leaves: the number of non-trivial bipartitions in one tree but not the
 * other. *max gets the number of non-trivial bipartitions of both (2(n-3)
 * for binary trees, n >= 3), so rf / max (0 when max is 0) is the
 * normalised form in [0, 1]. Splits are compared by 128-bit hashes (a
 * random key per leaf, XOR over the side without leaf 0; Hash-RF, Sul &
 * Williams 2006): a collision needs about 2^64 splits. HY_ERR_ARG: NULL
 * pointers, a tree whose leaf count is not n. HY_ERR_NOMEM. */
hy_err hy_tree_rf(const hy_tree *a, const hy_tree *b, size_t n, size_t *rf, size_t *max);

/* Neighbour joining (Saitou & Nei 1987, as Studier & Keppler 1988) on d, a
 * symmetric n x n row-major matrix of finite distances in
 * [0, HY_NJ_MAX_DIST] (the diagonal is ignored; symmetry within 1e-9
 * relative, and the lower triangle is used). Joins the pair minimising
 * Q(i,j) = (r-2) d(i,j) - R(i) - R(j) over the r clusters left, the lowest
 * index pair on a tie; a negative branch length is set to 0 and its sibling
 * gets d(i,j) (negative lengths have no meaning for samples). O(n^3) time,
 * O(n^2) memory. n = 1: one leaf; n = 2: one edge d(0,1); n = 3: a star.
 * HY_ERR_ARG: NULL pointers, n 0, a bad entry (detail names it);
 * HY_ERR_TOOBIG: n above HY_NJ_MAX_LEAVES; HY_ERR_NOMEM. */
hy_err hy_nj(const double *d, size_t n, hy_tree **out);

/* Distances for a batch of m pairs: out[k] = distance between samples
 * pairs[2k] and pairs[2k+1] (always different). Must be finite, >= 0,
 * symmetric and the same on every call. Non-OK aborts the caller. */
typedef hy_err (*hy_dist_fn)(void *ctx, const uint32_t *pairs, size_t m, double *out);

typedef struct hy_nj_fast_opts {
    size_t clusters; /* k skeleton centres, <= min(n, 4096); 0: round(1.35 sqrt(n));
                        below 3: plain NJ */
    size_t min_n;    /* n below this: plain NJ on the full matrix (>= 3) */
} hy_nj_fast_opts;

/* clusters 0 (1.35 sqrt n), min_n 16. */
void hy_nj_fast_opts_default(hy_nj_fast_opts *o);

/* The cluster-then-join variant: k centres by farthest-first traversal, an
 * NJ skeleton over them, every sample placed on the skeleton edge where it
 * branches off (clusters = samples per edge), an NJ subtree per cluster
 * with outgroups for the two sides of its edge, grafted in place of the
 * edge (see nj_fast.c and docs/malware.md). Asks fn only for the distances
 * it needs: n k plus those within clusters (about n^2 / (4k)), not
 * n^2 / 2; *n_dist (may be NULL) gets the count asked. Deterministic. On an
 * exact tree metric (positive edges) it returns the NJ tree. Fewer than 3
 * distinct centres or n < min_n: plain NJ on all distances. HY_ERR_ARG:
 * NULL fn or out, n 0, bad opts or a bad distance from fn; HY_ERR_TOOBIG:
 * n above HY_NJ_FAST_MAX_LEAVES or a cluster above HY_NJ_MAX_LEAVES; fn's
 * error; HY_ERR_NOMEM. */
hy_err hy_nj_fast_fn(hy_dist_fn fn, void *ctx, size_t n, const hy_nj_fast_opts *opts,
                     hy_tree **out, size_t *n_dist);

/* hy_nj_fast_fn on a full matrix, checked as hy_nj does (opts NULL: the
 * defaults). */
hy_err hy_nj_fast(const double *d, size_t n, const hy_nj_fast_opts *opts, hy_tree **out);

/* ---- Normalised compression distance (zstd, level HY_NCD_LEVEL) ---- */

/* Compression level, fixed so distances compare across runs (zstd's
 * default: on generated lineages levels 3, 9 and 19 gave trees as close to
 * the truth, level 9 at 6x the time); the window always covers the two
 * blobs of a pair (see docs/malware.md). */
#define HY_NCD_LEVEL 3
/* Largest blob (two of them must fit one zstd window of 2^27 bytes). */
#define HY_NCD_MAX_BLOB (64u << 20)
#define HY_NCD_MAX_BLOBS HY_NJ_FAST_MAX_LEAVES

/* NCD(a, b) = (C(ab) - min(C(a), C(b))) / max(C(a), C(b)), C the zstd
 * frame size; near 0 for equal blobs, about 1 for unrelated ones, may
 * slightly exceed 1, clamped at 0. Empty blobs are fine. HY_ERR_ARG: NULL with a non-zero
 * length, a NULL d, a blob above HY_NCD_MAX_BLOB; HY_ERR_NOMEM;
 * HY_ERR_INTERNAL if zstd fails. */
hy_err hy_ncd(const void *a, size_t na, const void *b, size_t nb, double *d);

/* N blobs with each C(x) computed once; pair distances computed on
 * `threads` threads. The blobs are borrowed and must outlive the set. */
typedef struct hy_ncd_set hy_ncd_set;

/* HY_ERR_ARG: NULL pointers, n 0 or above HY_NCD_MAX_BLOBS, threads 0 or
 * above HY_MAX_THREADS, a blob as for hy_ncd. HY_ERR_NOMEM;
 * HY_ERR_INTERNAL (zstd). */
hy_err hy_ncd_set_create(const void *const *blobs, const size_t *lens, size_t n,
                         unsigned threads, hy_ncd_set **out);
void hy_ncd_set_destroy(hy_ncd_set *s);

/* A hy_dist_fn (ctx: the set): out[k] = NCD of the pair, C(xy) taken on
 * the lower-indexed blob followed by the other (so symmetric, and equal to
 * hy_ncd_set_matrix's entry); d(i, i) = 0. The same bits for any thread
 * count. HY_ERR_ARG on an index >= n. */
hy_err hy_ncd_set_pairs(void *set, const uint32_t *pairs, size_t m, double *out);

/* The full n x n matrix, symmetric, C(x_i x_j) taken for i < j only, zero
 * diagonal, NCD clamped at 0. */
hy_err hy_ncd_set_matrix(hy_ncd_set *s, double *d);

/* hy_ncd_set_create + hy_ncd_set_matrix + destroy. */
hy_err hy_ncd_matrix(const void *const *blobs, const size_t *lens, size_t n, unsigned threads,
                     double *d);

#endif
