/* hayate: streaming JSON writer into a capped hy_buf. Escapes per RFC 8259:
 * quotes, backslash and control characters; invalid UTF-8 is replaced by
 * U+FFFD so every line it writes is valid JSON. Commas are automatic. */
#ifndef HAYATE_JSON_H
#define HAYATE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define HY_JSON_MAX_DEPTH 32

typedef struct hy_json {
    hy_buf *out;
    int depth;
    bool need_comma[HY_JSON_MAX_DEPTH + 1];
    bool after_key;
    hy_err err; /* first error; later calls are no-ops once set */
} hy_json;

/* Starts writing into out (appends; does not reset it). */
void hy_json_init(hy_json *j, hy_buf *out);

/* Containers. Keys are given with hy_json_key before a value inside objects. */
void hy_json_obj_open(hy_json *j);
void hy_json_obj_close(hy_json *j);
void hy_json_arr_open(hy_json *j);
void hy_json_arr_close(hy_json *j);
void hy_json_key(hy_json *j, const char *key);
/* A key of n bytes that the caller knows needs no escaping: printable
 * ASCII without '"' or '\\' (hayate's own key names, never input). Skips
 * hy_json_key's length and escape scans, 4 % of a flow run's instructions;
 * the output is the same. Misplaced keys fail as in hy_json_key. */
void hy_json_key_plain(hy_json *j, const char *key, size_t n);
/* hy_json_key_plain for a string literal, its length from sizeof. Inline:
 * with the length a constant, the common case (room in the buffer, a key in
 * place) is a few stores; anything else takes hy_json_key_plain's path. */
#define hy_json_key_lit(j, lit) hy_json__key_inline((j), "" lit, sizeof(lit) - 1)

static inline void hy_json__key_inline(hy_json *j, const char *key, size_t n)
{
    hy_err e = HY_OK;
    char *w;
    /* misplaced keys and a buffer at its cap: hy_json_key_plain's errors */
    if (j->err || j->after_key || j->depth <= 0 || !(w = hy_buf_room(j->out, n + 4, &e))) {
        hy_json_key_plain(j, key, n);
        return;
    }
    size_t comma = j->need_comma[j->depth];
    w[0] = ',';
    w[comma] = '"';
    __builtin_memcpy(w + comma + 1, key, n);
    w[comma + 1 + n] = '"';
    w[comma + 2 + n] = ':';
    hy_buf_commit(j->out, comma + 3 + n);
    j->need_comma[j->depth] = true;
    j->after_key = true;
}

/* Values. */
void hy_json_str(hy_json *j, const char *s);            /* NULL writes null */
void hy_json_strn(hy_json *j, const char *s, size_t n); /* may contain NUL */
void hy_json_int(hy_json *j, int64_t v);
void hy_json_uint(hy_json *j, uint64_t v);
void hy_json_double(hy_json *j, double v); /* non-finite writes null */
/* A double rounded to at most `decimals` (0..9) places, trailing zeros
 * dropped: fast, for statistics and times. Huge or non-finite values fall
 * back to hy_json_double. */
void hy_json_fixed(hy_json *j, double v, int decimals);
void hy_json_bool(hy_json *j, bool v);
void hy_json_null(hy_json *j);
/* Inserts already-serialised JSON text verbatim (caller guarantees validity). */
void hy_json_raw(hy_json *j, const char *text);

/* Key + value shorthands for objects. */
void hy_json_kstr(hy_json *j, const char *k, const char *v);
void hy_json_kint(hy_json *j, const char *k, int64_t v);
void hy_json_kuint(hy_json *j, const char *k, uint64_t v);
void hy_json_kdouble(hy_json *j, const char *k, double v);
void hy_json_kbool(hy_json *j, const char *k, bool v);
void hy_json_kfixed(hy_json *j, const char *k, double v, int decimals);

/* Writes an ISO-8601 UTC timestamp with microseconds and "+0000" offset, as
 * Suricata does: "2024-01-02T03:04:05.678901+0000". */
void hy_json_time(hy_json *j, uint64_t ts_ns);

/* Starts writing into out inside an object that already exists as text:
 * obj[0..n) (a JSON object, trailing blanks allowed) is appended without
 * its closing '}', and j is left inside it, so keys added next join its
 * members and hy_json_obj_close closes it. HY_ERR_FORMAT when obj does not
 * start with '{' and end with '}' (its inside is not checked). */
hy_err hy_json_extend(hy_json *j, hy_buf *out, const char *obj, size_t n);

/* HY_OK, or the first error met (TOOBIG, NOMEM, ARG for misuse). */
hy_err hy_json_finish(const hy_json *j);

/* Formats ts_ns as above into out (at least 32 bytes). */
void hy_time_format(uint64_t ts_ns, char out[32]);

/* The value formatters behind the writer, for a caller that lays out a
 * record of its own literal keys itself (the flow EVE line): each writes the
 * value's text at p exactly as the writer would and returns its end; the
 * fixed and time formatters may also write a NUL there, so the caller
 * provides the room given. */
char *hy_put_uint(char *p, uint64_t v);              /* at most 20 bytes */
char *hy_put_int(char *p, int64_t v);                /* at most 20 bytes */
char *hy_put_fixed(char *p, double v, int decimals); /* hy_json_fixed; 32 bytes of room */
char *hy_put_time(char *p, uint64_t ts_ns);          /* hy_json_time unquoted: 31 bytes,
                                                      * 32 of room */

#endif
