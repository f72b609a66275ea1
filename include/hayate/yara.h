/* hayate: YARA rule scanning through libyara (lib/file/yara.c,
 * docs/malware.md). Rule folders compile once into a read-only rule set
 * shared by every thread; each thread scans with its own scanner.
 *
 * libyara is initialised by the first rule set created and finalised when
 * the last one is freed (a process-wide, mutex-guarded reference count), so
 * a program that frees all its rule sets leaves nothing behind. */
#ifndef HAYATE_YARA_H
#define HAYATE_YARA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "limits.h"

typedef struct hy_yara_rules hy_yara_rules;
typedef struct hy_yara_scanner hy_yara_scanner;

/* One metadata entry of a matched rule. Integers are written in decimal,
 * booleans as "true"/"false". */
typedef struct hy_yara_meta {
    char key[HY_YARA_MAX_IDENT];
    char value[HY_YARA_MAX_META_VALUE];
} hy_yara_meta;

/* A matched rule. Names and values longer than their fields are cut
 * (and `truncated` set), as are tags and metadata past their caps. */
typedef struct hy_yara_match {
    char rule[HY_YARA_MAX_IDENT]; /* identifier */
    char ns[HY_YARA_MAX_NS];      /* rule file path relative to its folder */
    char tags[HY_YARA_MAX_TAGS][HY_YARA_MAX_IDENT];
    size_t ntags;
    hy_yara_meta meta[HY_YARA_MAX_META]; /* in the rule's order */
    size_t nmeta;
    uint64_t nstrings; /* string matches (occurrences, all strings) */
    uint32_t index;    /* the rule's position in the rule set */
    bool truncated;    /* something above was cut, or a string hit libyara's match cap */
} hy_yara_match;

/* Compiles every *.yar / *.yara file (case-insensitive; dot files skipped)
 * under the n folders, recursively, in byte order of path within each folder
 * and folders in the order given. Each file's namespace is its path relative
 * to its folder. HY_ERR_FORMAT when a file does not compile (detail: the
 * file, line and libyara's message for the first errors), HY_ERR_TOOBIG
 * past the HY_YARA_* caps, HY_ERR_IO/NOTFOUND for unreadable folders,
 * HY_ERR_ARG when no rule file is found. *out is NULL on failure. */
hy_err hy_yara_compile_dirs(const char *const *dirs, size_t n, hy_yara_rules **out);

/* Compiles rule source text (at most HY_YARA_MAX_RULE_BYTES) into a rule set
 * whose namespace is ns (NULL: "default"). Errors as above, naming the
 * file "<string>". */
hy_err hy_yara_compile_string(const char *src, const char *ns, hy_yara_rules **out);

/* Frees a rule set (NULL is a no-op); every scanner made for it must be
 * destroyed first. Finalises libyara when it was the last rule set. */
void hy_yara_rules_free(hy_yara_rules *r);

/* Number of rules in the set. */
size_t hy_yara_rule_count(const hy_yara_rules *r);

/* The compile warnings kept ("file:line: message", at most
 * HY_YARA_MAX_WARNINGS); returns how many are in *list (NULL allowed).
 * *total (NULL allowed) gets the number issued. Valid while r lives. */
size_t hy_yara_warnings(const hy_yara_rules *r, const char *const **list, size_t *total);

/* Makes a scanner for r: one per thread (a scanner is not thread-safe;
 * the rules are). HY_ERR_ARG on NULLs, HY_ERR_NOMEM. */
hy_err hy_yara_scanner_create(const hy_yara_rules *r, hy_yara_scanner **out);

/* Frees a scanner; NULL is a no-op. */
void hy_yara_scanner_destroy(hy_yara_scanner *s);

/* Scans n bytes with r. scratch: this thread's scanner slot; a NULL *scratch
 * gets a new scanner (the caller destroys it), and a NULL scratch uses a
 * temporary one. timeout_s 0 means none. Matched rules (private rules
 * excluded) go to out[0..*nmatch) in rule-definition order.
 * HY_ERR_AGAIN when the scan timed out ("yara: scan timed out after N s")
 * and HY_ERR_TOOBIG when more than cap rules matched; in both cases
 * out[0..*nmatch) holds what was found. HY_ERR_ARG on bad arguments or a
 * scanner made for other rules; HY_ERR_INTERNAL on other libyara errors. */
hy_err hy_yara_scan(const hy_yara_rules *r, hy_yara_scanner **scratch, const uint8_t *p, size_t n,
                    unsigned timeout_s, hy_yara_match *out, size_t cap, size_t *nmatch);

/* The value of metadata key in m, or NULL (e.g. "family", "author"). */
const char *hy_yara_meta_get(const hy_yara_match *m, const char *key);

#endif
