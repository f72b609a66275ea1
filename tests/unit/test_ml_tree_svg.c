/* Tree pictures (hy_tree_svg): document structure, leaves at x proportional
 * to their distance from the midpoint root, escaping of hostile labels,
 * determinism, small and degenerate trees, argument checks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "hayate/buf.h"
#include "hayate/error.h"
#include "hayate/lineage.h"
#include "hayate/tree.h"

static size_t count(const char *s, const char *what)
{
    size_t c = 0, k = strlen(what);
    for (const char *p = s; (p = strstr(p, what)) != NULL; p += k)
        c++;
    return c;
}

static char *svg_of(const hy_tree *t, const char *const *labels)
{
    hy_buf b;
    hy_buf_init(&b, 64u << 20);
    assert_int_equal(hy_tree_svg(t, labels, &b), HY_OK);
    assert_non_null(b.data);
    return b.data; /* the caller frees */
}

/* x and y of the <text class="leaf"> whose content is exactly label. */
static void leaf_xy(const char *svg, const char *label, double *x, double *y)
{
    char want[64];
    snprintf(want, sizeof want, ">%s</text>", label);
    const char *end = strstr(svg, want), *start = end;
    assert_non_null(end);
    assert_null(strstr(end + 1, want)); /* exactly once */
    while (start > svg && strncmp(start, "<text", 5) != 0)
        start--;
    assert_int_equal(sscanf(start, "<text class=\"leaf\" x=\"%lf\" y=\"%lf\">", x, y), 2);
}

static hy_lineage *make_lineage(size_t n, uint64_t seed)
{
    hy_lineage_cfg c;
    hy_lineage *l = NULL;
    hy_lineage_cfg_default(&c);
    c.leaves = n;
    c.ancestor_bytes = 64;
    c.seed = seed;
    assert_int_equal(hy_lineage_generate(&c, &l), HY_OK);
    return l;
}

static char **names_of(size_t n)
{
    char **v = calloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = malloc(24);
        snprintf(v[i], 24, "L%zu", i);
    }
    return v;
}

static void names_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* A plain document: one leaf text each, the scale bar's text, one line per
 * branch, per internal node's connector and for the bar; no script. */
static void test_svg_structure(void **state)
{
    (void)state;
    size_t n = 50;
    hy_lineage *l = make_lineage(n, 3);
    char **names = names_of(n);
    char *s = svg_of(l->tree, (const char *const *)names);
    assert_int_equal(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"", 36), 0);
    assert_non_null(strstr(s, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""));
    assert_string_equal(s + strlen(s) - 7, "</svg>\n");
    assert_int_equal(count(s, "<svg"), 1);
    assert_int_equal(count(s, "<text class=\"leaf\""), n);
    assert_int_equal(count(s, "<text"), n + 1);
    assert_int_equal(count(s, "</text>"), n + 1);
    assert_int_equal(count(s, "<line"), (2 * n - 2) + (n - 1) + 1);
    assert_int_equal(count(s, "<g"), count(s, "</g>"));
    assert_null(strstr(s, "script"));
    assert_null(strstr(s, "href"));
    /* Every leaf on its own row, rows 16 px apart. */
    double *ys = malloc(n * sizeof *ys), x;
    for (size_t i = 0; i < n; i++)
        leaf_xy(s, names[i], &x, &ys[i]);
    double lowest = INFINITY;
    for (size_t i = 0; i < n; i++)
        lowest = fmin(lowest, ys[i]);
    for (size_t i = 0; i < n; i++) {
        size_t below = 0;
        for (size_t j = 0; j < n; j++)
            below += ys[j] < ys[i];
        assert_true(fabs(ys[i] - (lowest + 16.0 * (double)below)) < 1e-9);
    }
    free(ys);
    free(s);
    names_free(names, n);
    hy_lineage_free(l);
}

/* Distance of every leaf from the midpoint of the longest leaf-to-leaf
 * path, from path lengths alone: leaf i meets the path a..b (length D) at
 * p = (d(a,i) + D - d(b,i)) / 2 from a, h = d(a,i) - p off it, so it is
 * h + |p - D/2| from the midpoint. */
static void midpoint_depths(const hy_tree *t, size_t n, double *depth)
{
    double *d = malloc(n * n * sizeof *d);
    size_t a = 0, b = 1;
    assert_int_equal(hy_tree_patristic(t, d), HY_OK);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (d[i * n + j] > d[a * n + b])
                a = i, b = j;
    double D = d[a * n + b];
    for (size_t i = 0; i < n; i++) {
        double p = (d[a * n + i] + D - d[b * n + i]) / 2;
        depth[i] = (d[a * n + i] - p) + fabs(p - D / 2);
    }
    free(d);
}

/* x of each label = x0 + s * depth for one s > 0: branches to scale. */
static void check_scaled(const hy_tree *t, size_t n, char **names)
{
    char *s = svg_of(t, (const char *const *)names);
    double *depth = malloc(n * sizeof *depth), *xs = malloc(n * sizeof *xs), y;
    size_t lo = 0, hi = 0;
    midpoint_depths(t, n, depth);
    for (size_t i = 0; i < n; i++) {
        leaf_xy(s, names[i], &xs[i], &y);
        lo = depth[i] < depth[lo] ? i : lo;
        hi = depth[i] > depth[hi] ? i : hi;
    }
    double scale = (xs[hi] - xs[lo]) / (depth[hi] - depth[lo]);
    assert_true(scale > 0);
    assert_true(fabs(xs[hi] - 615) < 0.01); /* the deepest leaf: 10 + 600 + 5 */
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(xs[i] - (xs[lo] + scale * (depth[i] - depth[lo]))) < 0.05);
    free(depth);
    free(xs);
    free(s);
}

static void test_svg_to_scale(void **state)
{
    (void)state;
    /* By hand: A-u 1, B-u 2, u-v 3, v-C 4, v-D 1. The longest path B..C is
     * 9, its midpoint 2.5 along u-v: A 3.5, B 4.5, C 4.5, D 1.5 deep. */
    const hy_tree_edge e[] = {{0, 4, 1}, {1, 4, 2}, {4, 5, 3}, {5, 2, 4}, {5, 3, 1}};
    const char *lab[] = {"A", "B", "C", "D"};
    const double want[] = {3.5, 4.5, 4.5, 1.5};
    hy_tree *t = NULL;
    double x[4], y;
    assert_int_equal(hy_tree_from_edges(4, e, 5, &t), HY_OK);
    char *s = svg_of(t, lab);
    for (int i = 0; i < 4; i++)
        leaf_xy(s, lab[i], &x[i], &y);
    for (int i = 0; i < 4; i++)
        assert_true(fabs(x[i] - (15 + want[i] * 600 / 4.5)) < 0.01);
    /* Scale bar: a fifth of 4.5 rounds down to 0.5, 0.5 * 600 / 4.5 px long. */
    assert_non_null(strstr(s, ">0.5</text>"));
    assert_non_null(strstr(s, "x1=\"10.00\" y1=\"92.00\" x2=\"76.67\" y2=\"92.00\""));
    free(s);
    hy_tree_free(t);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        size_t n = 10 + 17 * (size_t)seed;
        hy_lineage *l = make_lineage(n, seed);
        char **names = names_of(n);
        check_scaled(l->tree, n, names);
        names_free(names, n);
        hy_lineage_free(l);
    }
}

/* Text between '>' and '<' never holds a raw '<', and '&' only starts one
 * of the five entities; the bytes are UTF-8 without control bytes. */
static void check_clean(const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        assert_true(c >= 0x20 || c == '\n');
        assert_true(c != 0x7f);
        if (c == '&')
            assert_true(!strncmp(p, "&amp;", 5) || !strncmp(p, "&lt;", 4) ||
                        !strncmp(p, "&gt;", 4) || !strncmp(p, "&quot;", 6) ||
                        !strncmp(p, "&apos;", 6));
        if (c == '<')
            assert_true(p[1] == '/' || p[1] == '?' || (p[1] >= 'a' && p[1] <= 'z'));
    }
}

static void test_svg_escaping(void **state)
{
    (void)state;
    const hy_tree_edge e[] = {{0, 3, 1}, {1, 3, 2}, {2, 3, 3}};
    char longname[1001];
    memset(longname, 'x', 1000);
    longname[1000] = '\0';
    const char *lab[] = {"<script>alert(1)</script>&\"'", "ok\x01\x7f\xff\xc3(\xef\xbf\xbe\xc3\xa9",
                         longname};
    hy_tree *t = NULL;
    assert_int_equal(hy_tree_from_edges(3, e, 3, &t), HY_OK);
    char *s = svg_of(t, lab);
    check_clean(s);
    assert_non_null(strstr(s, ">&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;</text>"));
    assert_null(strstr(s, "<script"));
    /* Controls, a stray byte, a cut sequence and U+FFFE each become one '?'; the
     * well-formed e-acute stays. */
    assert_non_null(strstr(s, ">ok???"
                              "?(?\xc3\xa9</text>"));
    char cut[HY_TREE_SVG_MAX_LABEL + 16];
    memset(cut, 'x', HY_TREE_SVG_MAX_LABEL);
    snprintf(cut + HY_TREE_SVG_MAX_LABEL, 16, "...</text>");
    assert_non_null(strstr(s, cut));
    assert_null(strstr(s, "xxxx...x"));
    free(s);
    hy_tree_free(t);
}

static void test_svg_deterministic(void **state)
{
    (void)state;
    hy_lineage *l = make_lineage(200, 9), *m = make_lineage(200, 10);
    char *a = svg_of(l->tree, NULL), *b = svg_of(l->tree, NULL), *c = svg_of(m->tree, NULL);
    assert_string_equal(a, b);
    assert_true(strcmp(a, c) != 0);
    assert_non_null(strstr(a, ">199</text>")); /* NULL labels: indices */
    free(a);
    free(b);
    free(c);
    hy_lineage_free(l);
    hy_lineage_free(m);
}

static void test_svg_small_and_degenerate(void **state)
{
    (void)state;
    hy_tree *t = NULL;
    hy_buf b;
    /* One leaf; two leaves; all lengths zero (no scale bar). */
    assert_int_equal(hy_tree_from_edges(1, NULL, 0, &t), HY_OK);
    char *s = svg_of(t, NULL);
    assert_int_equal(count(s, "<text"), 1);
    free(s);
    hy_tree_free(t);
    const hy_tree_edge two[] = {{0, 1, 2}};
    assert_int_equal(hy_tree_from_edges(2, two, 1, &t), HY_OK);
    s = svg_of(t, NULL);
    assert_int_equal(count(s, "<text class=\"leaf\""), 2);
    double x0, x1, y;
    leaf_xy(s, "0", &x0, &y);
    leaf_xy(s, "1", &x1, &y);
    assert_true(fabs(x0 - 615) < 0.01 && fabs(x1 - 615) < 0.01); /* root at the middle */
    free(s);
    hy_tree_free(t);
    const hy_tree_edge zero[] = {{0, 4, 0}, {1, 4, 0}, {4, 5, 0}, {5, 2, 0}, {5, 3, 0}};
    assert_int_equal(hy_tree_from_edges(4, zero, 5, &t), HY_OK);
    s = svg_of(t, NULL);
    assert_int_equal(count(s, "<text"), 4);
    leaf_xy(s, "3", &x0, &y);
    assert_true(fabs(x0 - 15) < 0.01);
    free(s);
    hy_tree_free(t);
    /* Lengths whose sums overflow. */
    const hy_tree_edge huge[] = {{0, 3, 1e308}, {1, 3, 1e308}, {2, 3, 1e308}};
    assert_int_equal(hy_tree_from_edges(3, huge, 3, &t), HY_OK);
    hy_buf_init(&b, 1u << 20);
    assert_int_equal(hy_tree_svg(t, NULL, &b), HY_ERR_ARG);
    assert_int_equal(hy_tree_svg(NULL, NULL, &b), HY_ERR_ARG);
    assert_int_equal(hy_tree_svg(t, NULL, NULL), HY_ERR_ARG);
    hy_buf_free(&b);
    hy_tree_free(t);
    /* The buffer's cap is honoured. */
    hy_lineage *l = make_lineage(100, 2);
    hy_buf_init(&b, 4096);
    assert_int_equal(hy_tree_svg(l->tree, NULL, &b), HY_ERR_TOOBIG);
    assert_true(b.len <= 4096);
    hy_buf_free(&b);
    hy_lineage_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_svg_structure),
        cmocka_unit_test(test_svg_to_scale),
        cmocka_unit_test(test_svg_escaping),
        cmocka_unit_test(test_svg_deterministic),
        cmocka_unit_test(test_svg_small_and_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
