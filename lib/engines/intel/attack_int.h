/* Internal to the ATT&CK tables (lib/engines/intel/attack_{tables,stix,
 * software}.c): caps on the untrusted TSV and STIX inputs, the tables'
 * layout, and the helpers the three files share. */
#ifndef HY_ENGINES_INTEL_ATTACK_INT_H
#define HY_ENGINES_INTEL_ATTACK_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "hayate/buf.h"
#include "hayate/error.h"
#include "hayate/intel.h"

#define HY_ATTACK_MAX_ENTRIES 100000u      /* entries in the tables */
#define HY_ATTACK_MAX_NAME    1024u        /* bytes of a name */
#define HY_ATTACK_MAX_LIST    16384u       /* bytes of a tactics or aliases list */
#define HY_ATTACK_MAX_DOMAIN  64u          /* bytes of a domain */
#define HY_ATTACK_MAX_SOURCES 4096u        /* bytes of the "# from:" provenance */
#define HY_ATTACK_MAX_LINE    65536u       /* bytes of one TSV line */
#define HY_ATTACK_MAX_TSV     (16u << 20)  /* bytes of a TSV file */
#define HY_ATTACK_MAX_BUNDLE  (256u << 20) /* bytes of one STIX bundle */
#define HY_ATTACK_MAX_BUNDLES 16u          /* bundles merged at once */

struct hy_attack_tables {
    hy_attack_entry *v; /* sorted by id (strcmp) */
    size_t n, alloc;
    char *sources; /* provenance ("# from: ..."), or NULL */
};

/* Frees e's strings and zeroes it. */
void hy__attack_entry_clear(hy_attack_entry *e);
/* Appends a copy of e (its strings duplicated; NULL ones become "").
 * HY_ERR_TOOBIG past HY_ATTACK_MAX_ENTRIES, HY_ERR_NOMEM. */
hy_err hy__attack_push(hy_attack_tables *t, const hy_attack_entry *e);
/* "technique", "tactic", "group", "software" ("unknown" otherwise). */
const char *hy__attack_kind_name(hy_attack_kind k);
/* The kind named s; false when s names none. */
bool hy__attack_kind_parse(const char *s, hy_attack_kind *k);
/* Whether id is 2..15 of A-Z 0-9 '.', starting with a letter. */
bool hy__attack_id_ok(const char *id);
/* The tables from TSV text data[0..len) (untrusted); name prefixes errors. */
hy_err hy_attack_tables_parse(const char *name, const void *data, size_t len,
                              hy_attack_tables **out);
/* Appends the tables' TSV form to out. */
hy_err hy__attack_tables_format(const hy_attack_tables *t, hy_buf *out);

#endif
