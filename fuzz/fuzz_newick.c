/* libFuzzer target for the Newick reader (hy_tree_from_newick in
 * include/hayate/tree.h). Input: 1 byte of options (bits 0-5: names - 1,
 * bit 6: leaves named by decimal index instead of the fixed names below),
 * then the text. Checks that
 *  - a refusal is HY_ERR_ARG or HY_ERR_TOOBIG with a "newick: " detail and
 *    no tree;
 *  - an accepted tree has every name as a leaf, writes back as Newick that
 *    reads again to the same splits (Robinson-Foulds 0), and draws as SVG. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/buf.h"
#include "hayate/tree.h"

#include "fuzz_check.h"

#define MAX_NAMES 64

/* Names that need quoting or the _ rule, numbered so they differ. */
static void make_names(char buf[MAX_NAMES][16], const char *names[MAX_NAMES])
{
    static const char *const stem[] = {"a", "b_", "c d", "e'f", "(g)", "h\xc3\xa9"};
    for (int i = 0; i < MAX_NAMES; i++) {
        snprintf(buf[i], sizeof buf[i], "%s%d", stem[i % 6], i);
        names[i] = buf[i];
    }
}

static void check_tree(const hy_tree *t, const char *const *names, size_t n)
{
    hy_buf b;
    hy_tree *again = NULL;
    size_t rf = 1, max = 0;
    CHECK(hy_tree_leaves(t) == n);
    hy_buf_init(&b, 1u << 24);
    CHECK(hy_tree_newick(t, names, &b) == HY_OK);
    CHECK(hy_tree_from_newick(b.data, b.len, names, n, &again) == HY_OK);
    CHECK(hy_tree_rf(t, again, n, &rf, &max) == HY_OK);
    CHECK(rf == 0);
    hy_buf_reset(&b);
    hy_err e = hy_tree_svg(again, names, &b); /* ARG: lengths whose sums overflow */
    CHECK(e == HY_OK || e == HY_ERR_ARG);
    hy_tree_free(again);
    hy_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[MAX_NAMES][16];
    const char *fixed[MAX_NAMES];
    hy_tree *t = (hy_tree *)&buf; /* must come back NULL on error */
    if (size < 1)
        return 0;
    size_t n = 1 + (data[0] & 63u);
    const char *const *names = NULL;
    if (!(data[0] & 64u)) {
        make_names(buf, fixed);
        names = fixed;
    }
    hy_err e = hy_tree_from_newick((const char *)data + 1, size - 1, names, n, &t);
    if (e != HY_OK) {
        CHECK(t == NULL);
        CHECK(e == HY_ERR_ARG || e == HY_ERR_TOOBIG);
        CHECK(strncmp(hy_err_detail(), "newick: ", 8) == 0 ||
              strncmp(hy_err_detail(), "tree: ", 6) == 0);
        return 0;
    }
    check_tree(t, names, n);
    hy_tree_free(t);
    return 0;
}
