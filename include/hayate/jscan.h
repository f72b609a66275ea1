/* hayate: a validating JSON pull scanner over a byte span (RFC 8259, strict).
 *
 * Zero allocation: values are described by their span in the input; strings
 * are decoded only on request into a caller buffer. Objects and arrays are
 * walked member by member; every value handed out has been fully validated
 * (strings with their escapes and surrogate pairs, numbers per the grammar,
 * literals, nesting up to max_depth). A root is read in one pass: locate it
 * with hy_jscan_root, walk it, then hy_jscan_finish checks nothing but
 * whitespace follows.
 *
 * Differences from jansson's json_loadb: invalid UTF-8 inside strings is
 * accepted (bytes are passed through); numbers are checked against the
 * grammar only, so integers beyond int64 and reals beyond double are valid
 * here (hy_jscan_u64/i64/double report them as HY_ERR_TOOBIG); duplicate
 * keys are not detected; "\u0000" is accepted (hy_jval.nul tells), as
 * jansson does with JSON_ALLOW_NUL. End-of-iteration HY_ERR_NOTFOUND sets no
 * error detail (it is the normal end of a loop). */
#ifndef HAYATE_JSCAN_H
#define HAYATE_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HY_JSCAN_DEPTH_CAP 4096 /* largest max_depth accepted */

typedef enum hy_jkind {
    HY_JNONE = 0,
    HY_JOBJ,
    HY_JARR,
    HY_JSTR,
    HY_JNUM,
    HY_JTRUE,
    HY_JFALSE,
    HY_JNULL,
} hy_jkind;

typedef struct hy_jscan {
    const uint8_t *p;
    size_t n;
    int max_depth; /* containers nest at most this deep; the root is depth 1 */
} hy_jscan;

/* One value: [off, end) is its text (strings with their quotes). end is 0
 * for a root container located but not yet walked. */
typedef struct hy_jval {
    hy_jkind kind;
    int depth;   /* 1 for the root, +1 per enclosing container */
    size_t off, end;
    bool esc;    /* a string holding at least one escape */
    bool nul;    /* a string holding \u0000 */
} hy_jval;

/* Position inside an object or array being walked. */
typedef struct hy_jiter {
    size_t pos;    /* next byte to read; after the end: just past the close */
    int depth;     /* depth of the container */
    uint8_t close; /* '}' or ']' */
    bool done;
    uint64_t count; /* members or elements returned so far */
} hy_jiter;

/* Prepares to scan data[0..n); max_depth is clamped to 1..HY_JSCAN_DEPTH_CAP.
 * data must stay valid while s is used. */
void hy_jscan_init(hy_jscan *s, const void *data, size_t n, int max_depth);

/* Validates the whole input as one JSON text (any value, surrounding
 * whitespace allowed, nothing else). HY_OK with *root describing it;
 * HY_ERR_FORMAT or HY_ERR_TRUNCATED with the byte offset in the detail. */
hy_err hy_jscan_doc(const hy_jscan *s, hy_jval *root);

/* Locates the root value after leading whitespace. Scalars are validated and
 * get their end; containers are not (end 0): walk them with hy_jscan_begin
 * and hy_jscan_member/element, then call hy_jscan_finish with it.pos.
 * HY_ERR_TRUNCATED on empty input, HY_ERR_FORMAT on a bad first byte. */
hy_err hy_jscan_root(const hy_jscan *s, hy_jval *root);

/* HY_OK when only whitespace follows offset end (the root's end);
 * HY_ERR_FORMAT "trailing bytes" otherwise. */
hy_err hy_jscan_finish(const hy_jscan *s, size_t end);

/* Starts walking the object or array v (from hy_jscan_root, a member, an
 * element or hy_jscan_doc). HY_ERR_ARG when v is not a container,
 * HY_ERR_FORMAT when it is nested deeper than max_depth. */
hy_err hy_jscan_begin(const hy_jscan *s, const hy_jval *v, hy_jiter *it);

/* The next member of an object: *key (a string) and *val, fully validated.
 * HY_ERR_NOTFOUND after the last one (it->pos is then just past '}');
 * HY_ERR_FORMAT / HY_ERR_TRUNCATED on bad JSON (the walk cannot go on);
 * HY_ERR_ARG when it walks an array. */
hy_err hy_jscan_member(const hy_jscan *s, hy_jiter *it, hy_jval *key, hy_jval *val);

/* The next element of an array, as hy_jscan_member. */
hy_err hy_jscan_element(const hy_jscan *s, hy_jiter *it, hy_jval *val);

/* Decodes the string v into buf[0..cap) (escapes resolved, surrogate pairs
 * joined into UTF-8; "\u0000" yields a NUL byte); *n gets its length, and
 * buf is NUL-terminated when room is left. HY_ERR_TOOBIG when it does not fit
 * (nothing useful in buf), HY_ERR_ARG when v is not a string. */
hy_err hy_jscan_str(const hy_jscan *s, const hy_jval *v, char *buf, size_t cap, size_t *n);

/* The text of string v without copying when it holds no escapes (*out points
 * into the input), else decoded into buf as hy_jscan_str. Meant for keys and
 * short enumerations. */
hy_err hy_jscan_text(const hy_jscan *s, const hy_jval *v, char *buf, size_t cap,
                     const char **out, size_t *n);

/* True when string v decodes to exactly lit (NUL-terminated). */
bool hy_jscan_is(const hy_jscan *s, const hy_jval *v, const char *lit);

/* An integer number: HY_ERR_FORMAT when v is not a number without fraction or
 * exponent (or, for u64, is negative); HY_ERR_TOOBIG when out of range. */
hy_err hy_jscan_u64(const hy_jscan *s, const hy_jval *v, uint64_t *out);
hy_err hy_jscan_i64(const hy_jscan *s, const hy_jval *v, int64_t *out);

/* Any number as a double (strtod on a bounded copy: assumes LC_NUMERIC is
 * "C", which hayate never changes). HY_ERR_TOOBIG when it overflows a double
 * or is longer than 127 bytes; HY_ERR_FORMAT when v is not a number. */
hy_err hy_jscan_double(const hy_jscan *s, const hy_jval *v, double *out);

#endif
