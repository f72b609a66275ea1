/* Fuzzes the JSON scanner (lib/core/jscan.c) differentially against
 * jansson: a whole input is accepted by hy_jscan_doc iff json_loadb(...,
 * JSON_DECODE_ANY | JSON_ALLOW_NUL) accepts it, except where the two differ
 * by design (jscan.h): jansson refuses invalid UTF-8 and numbers beyond
 * int64/double (jscan checks the grammar only), and jansson's depth cap
 * (2048) counts scalars as a level where jscan counts containers only;
 * jansson also refuses \u0000 inside an object key (its keys are C
 * strings), which JSON allows and jscan flags in hy_jval.nul.
 * Inputs holding a raw NUL byte are not compared: jansson's json_loadb
 * drops such bytes ("[1\0]" parses, "3\0garbage" does not), jscan refuses
 * them. Any other disagreement aborts. Then the one-pass walk (root, members,
 * elements, finish) must agree with hy_jscan_doc, and every string, key and
 * number it meets is decoded / converted: never a crash or an over-read. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/jscan.h"

#define JANSSON_DEPTH 2048 /* JSON_PARSER_DEFAULT_DEPTH */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes string v; its decoded length never exceeds its text. */
static void check_str(const hy_jscan *s, const hy_jval *v)
{
    size_t span = v->end - v->off, n = 0;
    char *buf = malloc(span);
    if (!buf)
        abort();
    if (hy_jscan_str(s, v, buf, span, &n) != HY_OK || n > span - 2)
        abort();
    if (!v->nul && memchr(buf, '\0', n))
        abort();
    free(buf);
}

static void check_scalar(const hy_jscan *s, const hy_jval *v)
{
    uint64_t u;
    int64_t i;
    double d;
    if (v->end <= v->off || v->end > s->n)
        abort();
    if (v->kind == HY_JSTR)
        check_str(s, v);
    if (v->kind == HY_JNUM) {
        hy_err a = hy_jscan_u64(s, v, &u), b = hy_jscan_i64(s, v, &i);
        if (a == HY_OK && b == HY_OK && (uint64_t)i != u)
            abort();
        (void)hy_jscan_double(s, v, &d);
    }
}

/* Walks container v: HY_OK when all of it is valid. */
static hy_err walk(const hy_jscan *s, const hy_jval *v)
{
    hy_jiter it;
    hy_jval k, x;
    hy_err rc = hy_jscan_begin(s, v, &it);
    while (rc == HY_OK) {
        rc = v->kind == HY_JOBJ ? hy_jscan_member(s, &it, &k, &x) : hy_jscan_element(s, &it, &x);
        if (rc != HY_OK)
            break;
        if (v->kind == HY_JOBJ)
            check_str(s, &k);
        if (x.depth != v->depth + 1)
            abort();
        if (x.kind == HY_JOBJ || x.kind == HY_JARR) {
            hy_jval again = x;
            if (x.end <= x.off || (rc = walk(s, &again)) != HY_OK)
                abort(); /* member() validated it already */
        } else {
            check_scalar(s, &x);
        }
    }
    if (rc != HY_ERR_NOTFOUND)
        return rc;
    if (it.pos > s->n || s->p[it.pos - 1] != it.close)
        abort();
    return v->depth == 1 ? hy_jscan_finish(s, it.pos) : HY_OK;
}

/* The one-pass reading of the whole input. */
static hy_err one_pass(const hy_jscan *s)
{
    hy_jval root;
    hy_err rc = hy_jscan_root(s, &root);
    if (rc != HY_OK)
        return rc;
    if (root.kind != HY_JOBJ && root.kind != HY_JARR) {
        check_scalar(s, &root);
        return hy_jscan_finish(s, root.end);
    }
    return walk(s, &root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_jscan s;
    hy_jval root;
    json_error_t e;
    json_t *j;
    bool ours, theirs;

    hy_jscan_init(&s, data, size, JANSSON_DEPTH);
    ours = hy_jscan_doc(&s, &root) == HY_OK;
    if (ours && (root.off > root.end || root.end > size))
        abort();
    /* The one-pass walk accepts exactly what hy_jscan_doc accepts. */
    if ((one_pass(&s) == HY_OK) != ours)
        abort();
    if (memchr(data, '\0', size))
        return 0;
    j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    theirs = j != NULL;
    json_decref(j);
    if (ours && !theirs) {
        enum json_error_code c = json_error_code(&e);
        hy_jscan shallower;
        hy_jval r2;
        hy_jscan_init(&shallower, data, size, JANSSON_DEPTH - 1);
        /* jansson keeps keys as C strings: \u0000 in a key is its limit,
         * not a JSON error */
        if (c != json_error_invalid_utf8 && c != json_error_numeric_overflow &&
            c != json_error_null_byte_in_key &&
            !(c == json_error_stack_overflow && hy_jscan_doc(&shallower, &r2) != HY_OK))
            abort();
    }
    if (!ours && theirs)
        abort();
    return 0;
}
