/* Robinson-Foulds distance between unrooted trees on the same leaves.
 *
 * Each edge of an unrooted tree splits the leaves in two; the edges whose
 * both ends are internal give the non-trivial splits. Rooting at leaf 0,
 * the split of edge (parent, v) is named by the leaves under v. A split is
 * hashed as the XOR of per-leaf 128-bit keys over those leaves (Sul &
 * Williams' Hash-RF), so each tree yields n - 3 keys in O(n); sorting and
 * merging the two key lists counts the shared splits. */
#include "hayate/tree.h"
#include "tree_int.h"

#include <stdlib.h>

typedef struct split_key {
    uint64_t hi, lo;
} split_key;

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static int key_cmp(const void *pa, const void *pb)
{
    const split_key *a = pa, *b = pb;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* The sorted keys of t's non-trivial splits; *count of them. */
static hy_err tree_splits(const hy_tree *t, split_key **keys, size_t *count)
{
    size_t nodes = t->nodes, c = 0;
    uint32_t *order = malloc(nodes * sizeof *order), *parent = malloc(nodes * sizeof *parent);
    split_key *h = malloc(nodes * sizeof *h), *out = malloc(nodes * sizeof *out);
    hy_err err = HY_OK;
    if (!order || !parent || !h || !out) {
        err = hy_err_set(HY_ERR_NOMEM, "tree: out of memory for splits");
        goto out;
    }
    if ((err = hy__tree_order(t, 0, order, parent)) != HY_OK)
        goto out;
    for (size_t v = 0; v < nodes; v++)
        h[v] = v < t->n ? (split_key){splitmix64(2 * v + 1), splitmix64(2 * v + 2)}
                        : (split_key){0, 0};
    /* Reverse preorder visits children before parents. */
    for (size_t o = nodes; o-- > 1;) {
        uint32_t v = order[o], p = parent[v];
        h[p].hi ^= h[v].hi;
        h[p].lo ^= h[v].lo;
        if (v >= t->n && p >= t->n)
            out[c++] = h[v];
    }
    qsort(out, c, sizeof *out, key_cmp);
    *keys = out;
    *count = c;
    out = NULL;
out:
    free(order);
    free(parent);
    free(h);
    free(out);
    return err;
}

hy_err hy_tree_rf(const hy_tree *a, const hy_tree *b, size_t n, size_t *rf, size_t *max)
{
    if (!a || !b || !rf || !max)
        return hy_err_set(HY_ERR_ARG, "tree rf: NULL argument");
    if (a->n != n || b->n != n)
        return hy_err_set(HY_ERR_ARG, "tree rf: trees have %zu and %zu leaves, not %zu", a->n,
                          b->n, n);
    split_key *ka = NULL, *kb = NULL;
    size_t na = 0, nb = 0, common = 0;
    hy_err err;
    if ((err = tree_splits(a, &ka, &na)) != HY_OK || (err = tree_splits(b, &kb, &nb)) != HY_OK)
        goto out;
    for (size_t i = 0, j = 0; i < na && j < nb;) {
        int c = key_cmp(&ka[i], &kb[j]);
        if (c == 0)
            common++;
        i += c <= 0;
        j += c >= 0;
    }
    *rf = na + nb - 2 * common;
    *max = na + nb;
out:
    free(ka);
    free(kb);
    return err;
}
