/* hayate: a syntax checker for STIX 2.1 patterns (lib/engines/intel).
 *
 * Checks a pattern against the STIX 2.1 patterning grammar (STIX 2.1 part 9,
 * the OASIS ANTLR grammar STIXPattern.g4): observation expressions joined by
 * AND, OR and FOLLOWEDBY, their START/STOP, WITHIN and REPEATS qualifiers,
 * comparison expressions, object paths and every literal form (strings with
 * only \' and \\ escapes, t'...' timestamps with ranged fields, h'...' hex,
 * b'...' base64, signed integers and floats, true/false). On top of the
 * grammar it applies the two checks the OASIS pattern validator makes: a
 * qualifier type used twice on one bracketed observation expression, and a
 * hashes.<algorithm> value that does not fit its algorithm. The input is
 * untrusted; the checker reads nothing outside [pattern, pattern + len) and
 * is bounded in length and nesting. */
#ifndef HAYATE_STIX_CHECK_H
#define HAYATE_STIX_CHECK_H

#include <stddef.h>

#include "error.h"

#define HY_STIX_PATTERN_MAX_LEN   (1u << 20) /* bytes of one pattern */
#define HY_STIX_PATTERN_MAX_DEPTH 64         /* nested parentheses, both levels */

/* HY_OK when pattern[0..len) is a valid STIX 2.1 pattern; HY_ERR_FORMAT with
 * a detail naming the byte offset and what was expected otherwise;
 * HY_ERR_TOOBIG past the length or nesting cap; HY_ERR_ARG for NULL with a
 * non-zero len. The pattern need not be NUL-terminated. */
hy_err hy_stix_pattern_check(const char *pattern, size_t len);

#endif
