/* Reading Newick (hy_tree_from_newick): what hy_tree_newick writes reads
 * back to the same tree; rooted and unrooted tops, dissolved one-child
 * nodes, quoting, comments, blanks and underscores; hand-made bad texts
 * fail with the byte offset of the fault; the caps hold without recursion. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "hayate/buf.h"
#include "hayate/error.h"
#include "hayate/lineage.h"
#include "hayate/tree.h"

static hy_err parse(const char *s, const char *const *names, size_t n, hy_tree **t)
{
    return hy_tree_from_newick(s, strlen(s), names, n, t);
}

static size_t rf_of(const hy_tree *a, const hy_tree *b, size_t n)
{
    size_t rf = 99, max = 0;
    assert_int_equal(hy_tree_rf(a, b, n, &rf, &max), HY_OK);
    return rf;
}

/* Largest relative difference of the two trees' path lengths. */
static double path_diff(const hy_tree *a, const hy_tree *b, size_t n)
{
    double *x = malloc(n * n * sizeof *x), *y = malloc(n * n * sizeof *y), worst = 0;
    assert_int_equal(hy_tree_patristic(a, x), HY_OK);
    assert_int_equal(hy_tree_patristic(b, y), HY_OK);
    for (size_t i = 0; i < n * n; i++)
        worst = fmax(worst, fabs(x[i] - y[i]) / fmax(1, fabs(x[i])));
    free(x);
    free(y);
    return worst;
}

/* Path length between leaves i and j. */
static double dist(const hy_tree *t, size_t i, size_t j)
{
    size_t n = hy_tree_leaves(t);
    double *d = malloc(n * n * sizeof *d);
    assert_int_equal(hy_tree_patristic(t, d), HY_OK);
    double v = d[i * n + j];
    free(d);
    return v;
}

/* Written and read back, with names (some needing quotes) and without. */
static void test_newick_round_trip(void **state)
{
    (void)state;
    static const size_t sizes[] = {2, 3, 4, 7, 50, 600};
    static const char *odd[] = {"it's", "a b", "x_y", "(p,q)", "semi;colon", "[c]", "", "é"};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        hy_lineage_cfg c;
        hy_lineage *l = NULL;
        hy_lineage_cfg_default(&c);
        c.leaves = n;
        c.ancestor_bytes = 64;
        c.seed = 40 + s;
        assert_int_equal(hy_lineage_generate(&c, &l), HY_OK);
        char **names = calloc(n, sizeof *names);
        for (size_t i = 0; i < n; i++) {
            names[i] = malloc(40);
            snprintf(names[i], 40, "%s%zu", odd[i % 8], i);
        }
        for (int with = 0; with < 2; with++) {
            const char *const *nm = with ? (const char *const *)names : NULL;
            hy_buf b;
            hy_tree *t = NULL;
            hy_buf_init(&b, 1u << 24);
            assert_int_equal(hy_tree_newick(l->tree, nm, &b), HY_OK);
            assert_int_equal(hy_tree_from_newick(b.data, b.len, nm, n, &t), HY_OK);
            assert_int_equal(hy_tree_leaves(t), n);
            assert_int_equal(rf_of(t, l->tree, n), 0);
            assert_true(path_diff(t, l->tree, n) < 1e-5); /* %.6g lengths */
            hy_tree_free(t);
            hy_buf_free(&b);
        }
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        hy_lineage_free(l);
    }
}

static void test_newick_shapes(void **state)
{
    (void)state;
    const char *abcd[] = {"A", "B", "C", "D"};
    hy_tree *t = NULL, *u = NULL;
    /* A rooted top: the root's two edges (3 and 6) become one of 9. */
    assert_int_equal(parse("((A:1,B:2):3,(C:4,D:5):6);", abcd, 4, &t), HY_OK);
    assert_true(fabs(dist(t, 0, 2) - 14) < 1e-12);
    assert_true(fabs(dist(t, 1, 3) - 16) < 1e-12);
    /* The same tree with a three-way top has the same splits. */
    assert_int_equal(parse("(A:1,B:2,(C:4,D:5):9);", abcd, 4, &u), HY_OK);
    assert_int_equal(rf_of(t, u, 4), 0);
    assert_true(path_diff(t, u, 4) < 1e-12);
    hy_tree_free(u);
    /* Another topology differs by 2 (one split each). */
    assert_int_equal(parse("((A,C),(B,D));", abcd, 4, &u), HY_OK);
    assert_int_equal(rf_of(t, u, 4), 2);
    hy_tree_free(u);
    hy_tree_free(t);
    /* One-child nodes dissolve into their edge; internal labels, blanks,
     * comments and a root length are ignored; no lengths read as 0;
     * negative ones as 0. */
    assert_int_equal(
        parse(" ( ((A:1)x:2 , B:1)99:1 ,\n\t[note]C:-3, D : 2.5e0 )root:7 ; \n", abcd, 4, &t),
        HY_OK);
    assert_true(fabs(dist(t, 0, 1) - 4) < 1e-12);
    assert_true(fabs(dist(t, 0, 2) - 4) < 1e-12);
    assert_true(fabs(dist(t, 2, 3) - 2.5) < 1e-12);
    hy_tree_free(t);
    assert_int_equal(parse("(((A,B)));", abcd, 2, &t), HY_OK);
    assert_int_equal(hy_tree_leaves(t), 2);
    hy_tree_free(t);
    assert_int_equal(parse("((A:2));", abcd, 1, &t), HY_OK);
    assert_int_equal(hy_tree_leaves(t), 1);
    hy_tree_free(t);
    /* Quoted labels keep _ and take '' for a quote; unquoted _ is a blank
     * unless the name itself has the _. */
    const char *q[] = {"it's a", "b c", "x_y", "p_q"};
    assert_int_equal(parse("('it''s a':1,b_c:2,('x_y',p_q));", q, 4, &t), HY_OK);
    hy_tree_free(t);
    assert_int_equal(parse("('it''s a',b_c,(x y,p_q));", q, 4, &t), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "byte 16: leaf 'x' is not one of"));
    /* Decimal indices without names. */
    assert_int_equal(parse("(0,1,(2,3));", NULL, 4, &t), HY_OK);
    hy_tree_free(t);
    assert_int_equal(parse("(0,1,(2,4));", NULL, 4, &t), HY_ERR_ARG);
    assert_int_equal(parse("(0,1,(2,+3));", NULL, 4, &t), HY_ERR_ARG);
    assert_null(t);
}

typedef struct bad {
    const char *text;
    size_t n_names;
    hy_err err;
    const char *detail;
} bad;

static void test_newick_errors(void **state)
{
    (void)state;
    const char *names[] = {"A", "B", "C", "D"};
    static const bad cases[] = {
        {"(A,B,C)", 3, HY_ERR_ARG, "byte 7: expected ';', found the end"},
        {"(A,B,C);x", 3, HY_ERR_ARG, "byte 8: expected nothing after ';'"},
        {"(A,B,,C);", 3, HY_ERR_ARG, "byte 5: expected a leaf name or '(', found ','"},
        {"(A,B,C,D);", 4, HY_ERR_ARG, "byte 0: a node with 4 children"},
        {"((A,B,C),D);", 4, HY_ERR_ARG, "byte 1: a node with 3 children"},
        {"(A,B,Z);", 3, HY_ERR_ARG, "byte 5: leaf 'Z' is not one of the 3 names"},
        {"(A,B,A);", 3, HY_ERR_ARG, "byte 5: leaf 'A' again (first at byte 1)"},
        {"(A,B);", 3, HY_ERR_ARG, "2 leaves for 3 names; 'C' is missing"},
        {"(A:x,B,C);", 3, HY_ERR_ARG, "byte 3: 'x' is not a finite branch length"},
        {"(A:1e999,B,C);", 3, HY_ERR_ARG, "byte 3: '1e999' is not a finite"},
        {"(A:nan,B,C);", 3, HY_ERR_ARG, "byte 3: 'nan' is not a finite"},
        {"(A:,B,C);", 3, HY_ERR_ARG, "byte 3: expected a branch length after ':'"},
        {"('A,B,C);", 3, HY_ERR_ARG, "byte 1: a quoted label without its closing quote"},
        {"(A,B,C)[x;", 3, HY_ERR_ARG, "byte 7: a comment '[' without ']'"},
        {"(A,B,C));", 3, HY_ERR_ARG, "byte 7: expected ';', found ')'"},
        {"((A,B,C);", 3, HY_ERR_ARG, "byte 8: expected ',' or ')', found ';'"},
        {"(A B,C,D);", 4, HY_ERR_ARG, "byte 3: expected ',' or ')', found 'B'"},
        {"", 3, HY_ERR_ARG, "byte 0: expected a leaf name or '(', found the end"},
        {"();", 3, HY_ERR_ARG, "byte 1: expected a leaf name or '(', found ')'"},
        {"A;", 3, HY_ERR_ARG, "1 leaves for 3 names"},
        {"(A,(B,(C)));", 3, HY_OK, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hy_tree *t = (hy_tree *)1;
        hy_err e = parse(cases[i].text, names, cases[i].n_names, &t);
        if (e != cases[i].err)
            fail_msg("case %zu '%s': %d (%s)", i, cases[i].text, e, hy_err_detail());
        if (cases[i].detail && !strstr(hy_err_detail(), cases[i].detail))
            fail_msg("case %zu '%s': detail '%s'", i, cases[i].text, hy_err_detail());
        assert_true(e == HY_OK ? t != NULL : t == NULL);
        hy_tree_free(t);
    }
    /* A NUL inside the text is an unexpected byte, not its end. */
    hy_tree *t = NULL;
    assert_int_equal(hy_tree_from_newick("(A\0,B,C);", 9, names, 3, &t), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "byte 2: expected ',' or ')', found '?'"));
    /* Arguments. */
    const char *dup[] = {"A", "B", "A"}, *nul[] = {"A", NULL, "C"};
    assert_int_equal(parse("(A,B,C);", dup, 3, &t), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "'A' is given twice"));
    assert_int_equal(parse("(A,B,C);", nul, 3, &t), HY_ERR_ARG);
    assert_int_equal(parse("(A,B,C);", names, 0, &t), HY_ERR_ARG);
    assert_int_equal(hy_tree_from_newick(NULL, 3, names, 3, &t), HY_ERR_ARG);
    assert_int_equal(hy_tree_from_newick("(A,B,C);", 8, names, 3, NULL), HY_ERR_ARG);
    assert_int_equal(hy_tree_from_newick("x", (size_t)HY_NEWICK_MAX_BYTES + 1, names, 3, &t),
                     HY_ERR_TOOBIG);
    /* Long labels stop at the cap. */
    char *big = malloc(HY_NEWICK_MAX_LABEL + 16);
    memset(big, 'a', HY_NEWICK_MAX_LABEL + 8);
    memcpy(big + HY_NEWICK_MAX_LABEL + 8, ",B,C);", 7);
    big[0] = '(';
    assert_int_equal(parse(big, names, 3, &t), HY_ERR_TOOBIG);
    free(big);
}

/* A caterpillar of 30,000 leaves (30,000 deep) reads fine; nesting past
 * HY_NEWICK_MAX_DEPTH and node floods stop with TOOBIG. */
static void test_newick_deep(void **state)
{
    (void)state;
    size_t n = 30000;
    hy_buf b;
    hy_tree *t = NULL;
    hy_buf_init(&b, 1u << 26);
    for (size_t i = 0; i + 1 < n; i++)
        assert_int_equal(hy_buf_addc(&b, '('), HY_OK);
    assert_int_equal(hy_buf_adds(&b, "0:1"), HY_OK);
    for (size_t i = 1; i < n; i++)
        assert_int_equal(hy_buf_addf(&b, ",%zu:1):1", i), HY_OK);
    assert_int_equal(hy_buf_adds(&b, ";"), HY_OK);
    assert_int_equal(hy_tree_from_newick(b.data, b.len, NULL, n, &t), HY_OK);
    assert_int_equal(hy_tree_leaves(t), n);
    /* The same caterpillar from edges: leaf i > 1 hangs off internal node
     * n + i - 2, which links to the next (the top's two edges merged). */
    hy_tree_edge *e = malloc(2 * n * sizeof *e);
    hy_tree *w = NULL;
    size_t ne = 0;
    e[ne++] = (hy_tree_edge){0, (uint32_t)n, 1};
    e[ne++] = (hy_tree_edge){1, (uint32_t)n, 1};
    for (size_t i = 2; i + 1 < n; i++) {
        e[ne++] = (hy_tree_edge){(uint32_t)i, (uint32_t)(n + i - 1), 1};
        e[ne++] = (hy_tree_edge){(uint32_t)(n + i - 2), (uint32_t)(n + i - 1), 1};
    }
    e[ne++] = (hy_tree_edge){(uint32_t)(n - 1), (uint32_t)(2 * n - 3), 2};
    assert_int_equal(hy_tree_from_edges(n, e, ne, &w), HY_OK);
    assert_int_equal(rf_of(t, w, n), 0);
    hy_tree_free(w);
    free(e);
    hy_tree_free(t);
    hy_buf_reset(&b);
    for (size_t i = 0; i < HY_NEWICK_MAX_DEPTH + 1; i++)
        assert_int_equal(hy_buf_addc(&b, '('), HY_OK);
    assert_int_equal(hy_tree_from_newick(b.data, b.len, NULL, HY_NJ_FAST_MAX_LEAVES, &t),
                     HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "nested over"));
    assert_int_equal(hy_tree_from_newick(b.data, b.len, NULL, 10, &t), HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "over 44 nodes"));
    hy_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newick_round_trip),
        cmocka_unit_test(test_newick_shapes),
        cmocka_unit_test(test_newick_errors),
        cmocka_unit_test(test_newick_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
