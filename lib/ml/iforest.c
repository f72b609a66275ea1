/* Isolation forest (Liu, Ting & Zhou, ICDM 2008; TKDD 2012): fitting,
 * scoring and the binary form. Trees are grown iteratively (explicit
 * stack) into one flat node array; a node's children are absolute indices
 * in memory and indices within the tree on disk.
 *
 * In memory a leaf points at itself and holds its whole path length
 * (depth + c(size)), so a walk takes every tree exactly height steps with
 * no leaf test and no branch on the data, many trees in lockstep, their
 * loads overlapping instead of waiting on each other. Scoring walks a
 * second copy of the trees in heap layout (struct hy_iforest) when the
 * height allows it, and the node array otherwise; both give the same
 * scores. */
#include "core/bytes.h"
#include "hayate/iforest.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define IF_LEAF       0xffffffffu
#define IF_EULER      0.5772156649
#define IF_HEADER     32u /* magic .. psi */
#define IF_NODE_BYTES 16u
#define IF_TRIES      8  /* random attribute draws before a full scan */
#define IF_LANES      16 /* trees walked in lockstep when scoring */
#define IF_HEAP_LANES 16 /* the same over the heap layout (the lane loop unrolled) */
#define IF_HEAP_MAX_H 12 /* heap layout for trees of height up to this (psi <= 4096) */

_Static_assert(HY_IFOREST_MAX_COLS <= 0x10000u, "attributes fit if_node.attr");
_Static_assert(HY_IFOREST_MAX_SAMPLE <= 0x10000u, "leaf sizes - 1 fit if_node.size1");
_Static_assert(IF_LANES <= HY_IFOREST_MAX_TREES, "lanes");

typedef struct if_node {
    uint16_t attr;     /* internal: attribute (< HY_IFOREST_MAX_COLS); leaf: 0 */
    uint16_t size1;    /* leaf: rows it holds - 1; internal: 0 */
    float val;         /* internal: threshold; leaf: path length depth + c(size) */
    uint32_t child[2]; /* absolute: x[attr] < val -> child[0]; a leaf: itself, twice */
} if_node;

/* An internal node of the heap layout (below). */
typedef struct if_hnode {
    float val;
    uint32_t attr;
} if_hnode;

struct hy_iforest {
    uint32_t trees, sample, cols, psi;
    uint64_t seed;
    uint32_t *root; /* trees + 1 offsets: tree t is nodes[root[t] .. root[t + 1]) */
    if_node *nodes;
    uint32_t height; /* ceil(log2 psi): no leaf is deeper */
    double norm;     /* c(psi) */
    /* The same trees as complete binary trees of the height, for scoring:
     * node i's children are 2i + 1 and 2i + 2, so a step loads 8 bytes and
     * no child index. A leaf above the last level becomes splits that may
     * go either way, every last-level slot under it holding its path
     * length. Tree t: hin[t * (2^h - 1) ..], hleaf[t * 2^h ..]. NULL when
     * the height is over IF_HEAP_MAX_H (memory) or allocation failed. */
    if_hnode *hin;
    float *hleaf;
};

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */

typedef struct if_rng {
    uint64_t s[4];
} if_rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(if_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(if_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

/* Uniform in [0, 1) with 53 random bits. */
static double rng_unit(if_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

/* Uniform in [0, n), n >= 1 (bias below 2^-53 n: negligible here). */
static size_t rng_below(if_rng *r, size_t n)
{
    size_t k = (size_t)(rng_unit(r) * (double)n);
    return k < n ? k : n - 1;
}

/* ---- shared helpers ---- */

/* Mean depth of an unsuccessful search in a BST of n keys. */
static double if_c(uint32_t n)
{
    if (n > 2)
        return 2.0 * (log(n - 1.0) + IF_EULER) - 2.0 * (n - 1.0) / n;
    return n == 2 ? 1.0 : 0.0;
}

/* ceil(log2 psi), psi >= 2. */
static uint32_t if_height(uint32_t psi)
{
    uint32_t l = 0;
    while (l < 32 && (1ull << l) < psi)
        l++;
    return l;
}

static void iforest_free(hy_iforest *f)
{
    if (!f)
        return;
    free(f->root);
    free(f->nodes);
    free(f->hin);
    free(f->hleaf);
    free(f);
}

/* A forest shell with its root offsets and c table; nodes come later. */
static hy_iforest *iforest_alloc(uint32_t trees, uint32_t sample, uint32_t cols, uint32_t psi,
                                 uint64_t seed)
{
    hy_iforest *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->trees = trees;
    f->sample = sample;
    f->cols = cols;
    f->psi = psi;
    f->seed = seed;
    f->root = calloc((size_t)trees + 1, sizeof *f->root);
    if (!f->root) {
        iforest_free(f);
        return NULL;
    }
    f->height = if_height(psi);
    f->norm = if_c(psi);
    return f;
}

void hy_iforest_params_default(hy_iforest_params *p)
{
    if (!p)
        return;
    p->trees = 100;
    p->sample = 256;
    p->seed = 1;
}

void hy_iforest_destroy(hy_iforest *f)
{
    iforest_free(f);
}

size_t hy_iforest_cols(const hy_iforest *f)
{
    return f ? f->cols : 0;
}

size_t hy_iforest_trees(const hy_iforest *f)
{
    return f ? f->trees : 0;
}

size_t hy_iforest_psi(const hy_iforest *f)
{
    return f ? f->psi : 0;
}

/* Builds the heap layout of tree t from its nodes: a walk from the root
 * with an explicit stack (node, heap index, depth). */
static void heap_tree(hy_iforest *f, uint32_t t, uint32_t *stack)
{
    uint32_t h = f->height, nin = (1u << h) - 1, n = 0;
    if_hnode *in = f->hin + (size_t)t * nin;
    float *leaf = f->hleaf + ((size_t)t << h);
    stack[n++] = f->root[t], stack[n++] = 0, stack[n++] = 0;
    while (n) {
        uint32_t d = stack[--n], j = stack[--n], at = stack[--n];
        const if_node *nd = &f->nodes[at];
        if (nd->child[0] != at) { /* internal: depth < h (checked when fitted or loaded) */
            in[j] = (if_hnode){nd->val, nd->attr};
            for (int c = 1; c >= 0; c--)
                stack[n++] = nd->child[c], stack[n++] = 2 * j + 1 + (uint32_t)c,
                stack[n++] = d + 1;
            continue;
        }
        /* a leaf at depth d: its last-level descendants are 2^(h-d) slots */
        uint32_t span = 1u << (h - d), first = (j + 1) * span - 1 - nin;
        for (uint32_t k = 0; k < span; k++)
            leaf[first + k] = nd->val;
        /* above the last level, it and its descendants split any way */
        for (uint32_t l = 0; d + l < h; l++) {
            uint32_t lo = (j + 1) * (1u << l) - 1;
            for (uint32_t k = 0; k < (1u << l); k++)
                in[lo + k] = (if_hnode){0, 0};
        }
    }
}

/* The heap layout of every tree (see struct hy_iforest); without it
 * (height over IF_HEAP_MAX_H, or no memory) scoring walks the nodes. */
static void heap_build(hy_iforest *f)
{
    uint32_t h = f->height;
    if (h > IF_HEAP_MAX_H || h == 0)
        return;
    uint32_t *stack = malloc(3 * (2u * HY_IFOREST_MAX_NODES(f->psi) + 2) * sizeof *stack);
    f->hin = malloc((size_t)f->trees * ((1u << h) - 1) * sizeof *f->hin);
    f->hleaf = malloc(((size_t)f->trees << h) * sizeof *f->hleaf);
    if (stack && f->hin && f->hleaf) {
        for (uint32_t t = 0; t < f->trees; t++)
            heap_tree(f, t, stack);
    } else {
        free(f->hin);
        free(f->hleaf);
        f->hin = NULL;
        f->hleaf = NULL;
    }
    free(stack);
}

/* Scoring over the heap layout: IF_LANES trees in lockstep, exactly height
 * steps each; sums in the same order as the node walk, so the same score.
 * Inlined with a constant h, the lanes' offsets become constants too. */
static inline __attribute__((always_inline)) double heap_score_h(const hy_iforest *f,
                                                                 const float *x, uint32_t h)
{
    uint32_t nin = (1u << h) - 1, t0 = 0;
    double sum = 0;
    for (; t0 + IF_HEAP_LANES <= f->trees; t0 += IF_HEAP_LANES) {
        const if_hnode *base = f->hin + (size_t)t0 * nin;
        uint32_t at[IF_HEAP_LANES] = {0};
        for (uint32_t step = 0; step < h; step++) {
#pragma GCC unroll 16
            for (uint32_t k = 0; k < IF_HEAP_LANES; k++) {
                const if_hnode *p = &base[k * nin + at[k]];
                /* the grandchildren's line, for the step after next (an
                 * address past the tree is harmless: a prefetch never faults) */
                __builtin_prefetch((const void *)((uintptr_t)base +
                                                  (k * nin + 4 * at[k] + 3) * sizeof *base));
                at[k] = 2 * at[k] + 1 + !(x[p->attr] < p->val);
            }
        }
        for (uint32_t k = 0; k < IF_HEAP_LANES; k++)
            sum += f->hleaf[((size_t)(t0 + k) << h) + at[k] - nin];
    }
    for (; t0 < f->trees; t0++) { /* the trees left over, one by one */
        const if_hnode *in = f->hin + (size_t)t0 * nin;
        uint32_t at = 0;
        for (uint32_t step = 0; step < h; step++)
            at = 2 * at + 1 + !(x[in[at].attr] < in[at].val);
        sum += f->hleaf[((size_t)t0 << h) + at - nin];
    }
    return exp2(-(sum / f->trees) / f->norm);
}

static double heap_score(const hy_iforest *f, const float *x)
{
    switch (f->height) { /* the default subsample (256) and its neighbours */
    case 7: return heap_score_h(f, x, 7);
    case 8: return heap_score_h(f, x, 8);
    case 9: return heap_score_h(f, x, 9);
    default: return heap_score_h(f, x, f->height);
    }
}

double hy_iforest_score(const hy_iforest *f, const float *x, size_t cols)
{
    if (!f || !x || cols != f->cols)
        return NAN;
    if (f->hin)
        return heap_score(f, x);
    const if_node *nd = f->nodes;
    double h = 0;
    for (uint32_t t0 = 0; t0 < f->trees; t0 += IF_LANES) {
        uint32_t at[IF_LANES], n = f->trees - t0 < IF_LANES ? f->trees - t0 : IF_LANES;
        for (uint32_t k = 0; k < IF_LANES; k++)
            at[k] = f->root[t0 + (k < n ? k : 0)]; /* spare lanes repeat tree t0 */
        for (uint32_t step = 0; step < f->height; step++)
            for (uint32_t k = 0; k < IF_LANES; k++) {
                const if_node *p = &nd[at[k]];
                at[k] = p->child[!(x[p->attr] < p->val)];
            }
        for (uint32_t k = 0; k < n; k++)
            h += nd[at[k]].val;
    }
    return exp2(-(h / f->trees) / f->norm);
}

/* ---- fitting ---- */

typedef struct if_span {
    uint32_t node, lo, hi, depth;
} if_span;

typedef struct if_work {
    const float *x;
    size_t rows, cols;
    uint32_t psi, height;
    size_t *idx; /* the tree's psi rows, partitioned in place */
    size_t *set; /* open-addressing set of sampled rows + 1 (0: empty) */
    size_t set_mask;
    uint32_t *cand; /* cols: attributes not constant in a node */
    if_span *stack; /* psi entries: open nodes never exceed leaves */
    if_rng rng;
} if_work;

/* Adds row to the sample set; false when it was already there. */
static bool set_add(if_work *w, size_t row)
{
    size_t h = (size_t)(((uint64_t)row * 0x9e3779b97f4a7c15ull) >> 17) & w->set_mask;
    for (size_t probe = 0; probe <= w->set_mask; probe++) {
        size_t *e = &w->set[(h + probe) & w->set_mask];
        if (*e == row + 1)
            return false;
        if (!*e) {
            *e = row + 1;
            return true;
        }
    }
    return false; /* unreachable: the table is at most half full */
}

/* Draws psi distinct rows (Floyd's algorithm: psi draws, O(psi) memory). */
static void sample_rows(if_work *w)
{
    if (w->rows == w->psi) {
        for (size_t i = 0; i < w->psi; i++)
            w->idx[i] = i;
        return;
    }
    memset(w->set, 0, (w->set_mask + 1) * sizeof *w->set);
    size_t k = 0;
    for (size_t j = w->rows - w->psi; j < w->rows; j++) {
        size_t t = rng_below(&w->rng, j + 1);
        if (set_add(w, t)) {
            w->idx[k++] = t;
        } else {
            set_add(w, j);
            w->idx[k++] = j;
        }
    }
}

/* Range of attribute q over the node's rows idx[lo..hi). */
static void attr_range(const if_work *w, uint32_t q, uint32_t lo, uint32_t hi, float *mn, float *mx)
{
    float a = w->x[w->idx[lo] * w->cols + q], b = a;
    for (uint32_t i = lo + 1; i < hi; i++) {
        float v = w->x[w->idx[i] * w->cols + q];
        a = v < a ? v : a;
        b = v > b ? v : b;
    }
    *mn = a;
    *mx = b;
}

/* Picks an attribute uniformly among the node's non-constant ones (random
 * draws first, which accept uniformly among them; then a full scan) and a
 * threshold in (min, max]. false when every attribute is constant. */
static bool pick_split(if_work *w, uint32_t lo, uint32_t hi, uint32_t *attr, float *thr)
{
    float mn = 0, mx = 0;
    bool found = false;
    for (int k = 0; k < IF_TRIES && !found; k++) {
        *attr = (uint32_t)rng_below(&w->rng, w->cols);
        attr_range(w, *attr, lo, hi, &mn, &mx);
        found = mn < mx;
    }
    if (!found) {
        size_t n = 0;
        for (uint32_t q = 0; q < w->cols; q++) {
            attr_range(w, q, lo, hi, &mn, &mx);
            if (mn < mx)
                w->cand[n++] = q;
        }
        if (!n)
            return false;
        *attr = w->cand[rng_below(&w->rng, n)];
        attr_range(w, *attr, lo, hi, &mn, &mx);
    }
    double v = mn + rng_unit(&w->rng) * ((double)mx - mn);
    float t = (float)v; /* <= mx: mx is a float and rounding is monotone */
    *thr = t > mn ? t : nextafterf(mn, INFINITY);
    return true;
}

/* Moves rows with x[q] < t to the front of idx[lo..hi); returns the cut. */
static uint32_t partition(if_work *w, uint32_t q, float t, uint32_t lo, uint32_t hi)
{
    uint32_t i = lo, j = hi;
    while (i < j) {
        if (w->x[w->idx[i] * w->cols + q] < t) {
            i++;
        } else {
            size_t tmp = w->idx[i];
            w->idx[i] = w->idx[--j];
            w->idx[j] = tmp;
        }
    }
    return i;
}

/* Grows one tree from w->idx into f->nodes starting at *next (absolute). */
static hy_err grow_tree(if_work *w, if_node *nodes, uint32_t base, uint32_t *next)
{
    uint32_t cap = base + HY_IFOREST_MAX_NODES(w->psi), sp = 0;
    *next = base + 1;
    w->stack[sp++] = (if_span){base, 0, w->psi, 0};
    while (sp) {
        if_span s = w->stack[--sp];
        if_node *nd = &nodes[s.node];
        uint32_t q = 0;
        float t = 0;
        if (s.depth >= w->height || s.hi - s.lo < 2 || !pick_split(w, s.lo, s.hi, &q, &t)) {
            float ph = (float)(s.depth + if_c(s.hi - s.lo));
            *nd = (if_node){0, (uint16_t)(s.hi - s.lo - 1), ph, {s.node, s.node}};
            continue;
        }
        if (*next + 2 > cap || sp + 2 > w->psi)
            return hy_err_set(HY_ERR_INTERNAL, "iforest: tree overflows %u nodes", cap - base);
        uint32_t cut = partition(w, q, t, s.lo, s.hi);
        *nd = (if_node){(uint16_t)q, 0, t, {*next, *next + 1}};
        w->stack[sp++] = (if_span){*next + 1, cut, s.hi, s.depth + 1};
        w->stack[sp++] = (if_span){*next, s.lo, cut, s.depth + 1};
        *next += 2;
    }
    return HY_OK;
}

static hy_err fit_check(const float *x, size_t rows, size_t cols, const hy_iforest_params *p,
                        hy_iforest **out)
{
    if (!x || !p || !out)
        return hy_err_set(HY_ERR_ARG, "iforest fit: NULL argument");
    if (rows < 2)
        return hy_err_set(HY_ERR_ARG, "iforest fit: %zu rows, need at least 2", rows);
    if (cols < 1 || cols > HY_IFOREST_MAX_COLS)
        return hy_err_set(HY_ERR_ARG, "iforest fit: %zu columns not in 1..%u", cols,
                          HY_IFOREST_MAX_COLS);
    if (rows > SIZE_MAX / cols / sizeof *x)
        return hy_err_set(HY_ERR_ARG, "iforest fit: %zu x %zu matrix too large", rows, cols);
    if (p->trees < 1 || p->trees > HY_IFOREST_MAX_TREES)
        return hy_err_set(HY_ERR_ARG, "iforest fit: %u trees not in 1..%u", p->trees,
                          HY_IFOREST_MAX_TREES);
    if (p->sample < 2 || p->sample > HY_IFOREST_MAX_SAMPLE)
        return hy_err_set(HY_ERR_ARG, "iforest fit: sample %u not in 2..%u", p->sample,
                          HY_IFOREST_MAX_SAMPLE);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            if (!isfinite(x[r * cols + c]))
                return hy_err_set(HY_ERR_ARG, "iforest fit: row %zu col %zu is not finite", r, c);
    return HY_OK;
}

static void work_free(if_work *w)
{
    free(w->idx);
    free(w->set);
    free(w->cand);
    free(w->stack);
}

static bool work_init(if_work *w, const float *x, size_t rows, size_t cols, uint32_t psi,
                      uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->x = x;
    w->rows = rows;
    w->cols = cols;
    w->psi = psi;
    w->height = if_height(psi);
    w->set_mask = 1;
    while (w->set_mask + 1 < 2 * (size_t)psi)
        w->set_mask = 2 * w->set_mask + 1;
    w->idx = malloc(psi * sizeof *w->idx);
    w->set = malloc((w->set_mask + 1) * sizeof *w->set);
    w->cand = malloc(cols * sizeof *w->cand);
    w->stack = malloc(psi * sizeof *w->stack);
    rng_seed(&w->rng, seed);
    return w->idx && w->set && w->cand && w->stack;
}

hy_err hy_iforest_fit(const float *x, size_t rows, size_t cols, const hy_iforest_params *p,
                      hy_iforest **out)
{
    hy_err rc = fit_check(x, rows, cols, p, out);
    if (rc != HY_OK) {
        if (out)
            *out = NULL;
        return rc;
    }
    *out = NULL;
    uint32_t psi = rows < p->sample ? (uint32_t)rows : p->sample;
    size_t max_nodes = (size_t)p->trees * HY_IFOREST_MAX_NODES(psi);
    if_work w;
    hy_iforest *f = iforest_alloc(p->trees, p->sample, (uint32_t)cols, psi, p->seed);
    bool ok = work_init(&w, x, rows, cols, psi, p->seed);
    if (f && max_nodes <= SIZE_MAX / sizeof *f->nodes)
        f->nodes = malloc(max_nodes * sizeof *f->nodes);
    if (!f || !ok || !f->nodes) {
        rc = hy_err_set(HY_ERR_NOMEM, "iforest fit: %u trees of %u rows", p->trees, psi);
        goto out;
    }
    uint32_t next = 0;
    for (uint32_t t = 0; t < f->trees && rc == HY_OK; t++) {
        f->root[t] = next;
        sample_rows(&w);
        rc = grow_tree(&w, f->nodes, f->root[t], &next);
    }
    f->root[f->trees] = next;
    if (rc != HY_OK)
        goto out;
    if_node *shrunk = realloc(f->nodes, (size_t)next * sizeof *f->nodes);
    if (shrunk)
        f->nodes = shrunk;
    heap_build(f);
    *out = f;
    f = NULL;
out:
    work_free(&w);
    iforest_free(f);
    return rc;
}

/* ---- binary form ---- */

hy_err hy_iforest_save(const hy_iforest *f, hy_buf *out)
{
    if (!f || !out)
        return hy_err_set(HY_ERR_ARG, "iforest save: NULL argument");
    size_t need = IF_HEADER + (size_t)f->trees * 4 + (size_t)f->root[f->trees] * IF_NODE_BYTES;
    hy_err rc = HY_OK;
    uint8_t *p = (uint8_t *)hy_buf_room(out, need, &rc);
    if (!p)
        return rc;
    memcpy(p, "HYIF", 4);
    hy_put_u32le(p + 4, HY_IFOREST_VERSION);
    hy_put_u32le(p + 8, f->trees);
    hy_put_u32le(p + 12, f->sample);
    hy_put_u32le(p + 16, (uint32_t)f->seed);
    hy_put_u32le(p + 20, (uint32_t)(f->seed >> 32));
    hy_put_u32le(p + 24, f->cols);
    hy_put_u32le(p + 28, f->psi);
    uint8_t *q = p + IF_HEADER;
    for (uint32_t t = 0; t < f->trees; t++) {
        uint32_t base = f->root[t], end = f->root[t + 1];
        hy_put_u32le(q, end - base);
        q += 4;
        for (uint32_t i = base; i < end; i++, q += IF_NODE_BYTES) {
            const if_node *nd = &f->nodes[i];
            bool leaf = nd->child[0] == i;
            hy_put_u32le(q, leaf ? IF_LEAF : nd->attr);
            hy_put_u32le(q + 4, leaf ? 0 : hy_f32_bits(nd->val));
            hy_put_u32le(q + 8, leaf ? nd->size1 + 1u : nd->child[0] - base);
            hy_put_u32le(q + 12, leaf ? 0 : nd->child[1] - base);
        }
    }
    hy_buf_commit(out, need);
    return HY_OK;
}

/* Header fields in range; *trees etc. set. */
static hy_err load_header(const uint8_t *p, size_t n, hy_iforest_params *pr, uint32_t *cols,
                          uint32_t *psi)
{
    if (n < IF_HEADER)
        return hy_err_set(HY_ERR_TRUNCATED, "iforest: header needs %u bytes, %zu given", IF_HEADER,
                          n);
    if (memcmp(p, "HYIF", 4) != 0)
        return hy_err_set(HY_ERR_FORMAT, "iforest: bad magic (not HYIF)");
    uint32_t ver = hy_get_u32le(p + 4);
    if (ver != HY_IFOREST_VERSION)
        return hy_err_set(HY_ERR_FORMAT, "iforest: version %u, expected %u", ver,
                          HY_IFOREST_VERSION);
    pr->trees = hy_get_u32le(p + 8);
    pr->sample = hy_get_u32le(p + 12);
    pr->seed = hy_get_u32le(p + 16) | (uint64_t)hy_get_u32le(p + 20) << 32;
    *cols = hy_get_u32le(p + 24);
    *psi = hy_get_u32le(p + 28);
    if (pr->trees < 1 || pr->trees > HY_IFOREST_MAX_TREES)
        return hy_err_set(HY_ERR_FORMAT, "iforest: %u trees not in 1..%u", pr->trees,
                          HY_IFOREST_MAX_TREES);
    if (pr->sample < 2 || pr->sample > HY_IFOREST_MAX_SAMPLE)
        return hy_err_set(HY_ERR_FORMAT, "iforest: sample %u not in 2..%u", pr->sample,
                          HY_IFOREST_MAX_SAMPLE);
    if (*cols < 1 || *cols > HY_IFOREST_MAX_COLS)
        return hy_err_set(HY_ERR_FORMAT, "iforest: %u columns not in 1..%u", *cols,
                          HY_IFOREST_MAX_COLS);
    if (*psi < 2 || *psi > pr->sample)
        return hy_err_set(HY_ERR_FORMAT, "iforest: psi %u not in 2..sample %u", *psi, pr->sample);
    return HY_OK;
}

/* Walks the per-tree node counts: each in range, the bytes all present and
 * all consumed. Sets *total to the forest's node count. */
static hy_err load_sizes(const uint8_t *p, size_t n, uint32_t trees, uint32_t psi, size_t *total)
{
    size_t off = IF_HEADER, sum = 0;
    for (uint32_t t = 0; t < trees; t++) {
        if (n - off < 4)
            return hy_err_set(HY_ERR_TRUNCATED, "iforest: tree %u: node count missing", t);
        uint32_t m = hy_get_u32le(p + off);
        if (m < 1 || m > HY_IFOREST_MAX_NODES(psi))
            return hy_err_set(HY_ERR_FORMAT, "iforest: tree %u: %u nodes not in 1..%u", t, m,
                              HY_IFOREST_MAX_NODES(psi));
        off += 4;
        if ((n - off) / IF_NODE_BYTES < m)
            return hy_err_set(HY_ERR_TRUNCATED,
                              "iforest: tree %u: %u nodes need %zu bytes, "
                              "%zu left",
                              t, m, (size_t)m * IF_NODE_BYTES, n - off);
        off += (size_t)m * IF_NODE_BYTES;
        sum += m;
    }
    if (off != n)
        return hy_err_set(HY_ERR_FORMAT, "iforest: %zu trailing bytes", n - off);
    *total = sum;
    return HY_OK;
}

/* Reads and checks tree t's m nodes from p into f->nodes[base ..].
 * depth[] (m entries, scratch) tracks each node's depth; 0xff: no parent
 * seen yet. Parents precede children, so each node's parent count is final
 * when the node itself is reached. */
static hy_err load_tree(hy_iforest *f, uint32_t t, const uint8_t *p, uint32_t m, uint32_t base,
                        uint8_t *depth)
{
    uint32_t height = f->height;
    uint64_t rows = 0;
    memset(depth, 0xff, m);
    depth[0] = 0;
    for (uint32_t i = 0; i < m; i++, p += IF_NODE_BYTES) {
        uint32_t a = hy_get_u32le(p), th = hy_get_u32le(p + 4), l = hy_get_u32le(p + 8), r = hy_get_u32le(p + 12);
        if (depth[i] == 0xff)
            return hy_err_set(HY_ERR_FORMAT, "iforest: tree %u node %u: no parent", t, i);
        if (a == IF_LEAF) {
            if (th || r || l < 1 || l > f->psi)
                return hy_err_set(HY_ERR_FORMAT,
                                  "iforest: tree %u node %u: leaf of size %u "
                                  "(or padding %u/%u) invalid",
                                  t, i, l, th, r);
            rows += l;
            float ph = (float)(depth[i] + if_c(l));
            f->nodes[base + i] = (if_node){0, (uint16_t)(l - 1), ph, {base + i, base + i}};
            continue;
        }
        if (a >= f->cols)
            return hy_err_set(HY_ERR_FORMAT,
                              "iforest: tree %u node %u: attribute %u >= %u "
                              "columns",
                              t, i, a, f->cols);
        if (!isfinite(hy_bits_f32(th)))
            return hy_err_set(HY_ERR_FORMAT, "iforest: tree %u node %u: threshold not finite", t,
                              i);
        if (l <= i || l >= m || r <= i || r >= m)
            return hy_err_set(HY_ERR_FORMAT,
                              "iforest: tree %u node %u: children %u, %u not "
                              "in %u..%u",
                              t, i, l, r, i + 1, m - 1);
        if (depth[i] >= height)
            return hy_err_set(HY_ERR_FORMAT,
                              "iforest: tree %u node %u: split below the "
                              "height limit %u",
                              t, i, height);
        if (depth[l] != 0xff || depth[r] != 0xff || l == r)
            return hy_err_set(HY_ERR_FORMAT,
                              "iforest: tree %u node %u: a child has two "
                              "parents",
                              t, i);
        depth[l] = depth[r] = (uint8_t)(depth[i] + 1);
        f->nodes[base + i] = (if_node){(uint16_t)a, 0, hy_bits_f32(th), {base + l, base + r}};
    }
    if (rows != f->psi)
        return hy_err_set(HY_ERR_FORMAT, "iforest: tree %u: leaves hold %llu rows, not psi %u", t,
                          (unsigned long long)rows, f->psi);
    return HY_OK;
}

hy_err hy_iforest_load(const void *buf, size_t n, hy_iforest **out)
{
    if (!out || (!buf && n))
        return hy_err_set(HY_ERR_ARG, "iforest load: NULL argument");
    *out = NULL;
    const uint8_t *p = buf;
    hy_iforest_params pr = {0};
    uint32_t cols = 0, psi = 0;
    size_t total = 0;
    uint8_t *depth = NULL;
    hy_err rc = load_header(p, n, &pr, &cols, &psi);
    if (rc == HY_OK)
        rc = load_sizes(p, n, pr.trees, psi, &total);
    if (rc != HY_OK)
        return rc;
    hy_iforest *f = iforest_alloc(pr.trees, pr.sample, cols, psi, pr.seed);
    depth = malloc(HY_IFOREST_MAX_NODES(psi));
    if (f)
        f->nodes = malloc(total * sizeof *f->nodes);
    if (!f || !f->nodes || !depth) {
        rc = hy_err_set(HY_ERR_NOMEM, "iforest load: %zu nodes", total);
        goto out;
    }
    size_t off = IF_HEADER;
    uint32_t base = 0;
    for (uint32_t t = 0; t < pr.trees && rc == HY_OK; t++) {
        uint32_t m = hy_get_u32le(p + off);
        f->root[t] = base;
        rc = load_tree(f, t, p + off + 4, m, base, depth);
        off += 4 + (size_t)m * IF_NODE_BYTES;
        base += m;
    }
    f->root[pr.trees] = base;
    if (rc != HY_OK)
        goto out;
    heap_build(f);
    *out = f;
    f = NULL;
out:
    free(depth);
    iforest_free(f);
    return rc;
}
