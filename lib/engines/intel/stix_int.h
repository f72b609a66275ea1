/* hayate internal: the STIX 2.1 bundle writer (stix.c, stix_objects.c). */
#ifndef HAYATE_ENGINES_INTEL_STIX_INT_H
#define HAYATE_ENGINES_INTEL_STIX_INT_H

#include <jansson.h>

#include "hayate/intel.h"

#define HY_STIX_ID_MAX            80       /* "attack-pattern--" + UUID + NUL, with room */
#define HY_STIX_MAX_RELATIONSHIPS 1000000u /* relationships of one bundle */
#define HY_STIX_LINK_MALWARE_MAX 3u /* families a report may name and still get indicates/uses */

/* Ids of the objects written, by kind (for relationships). */
typedef struct hy__stix_ids {
    char (*v)[HY_STIX_ID_MAX];
    size_t n, alloc;
} hy__stix_ids;

typedef struct hy__stix {
    const hy_intel_report *r;
    const hy_attack_tables *tables;
    json_t *objects; /* the bundle's objects, the report excluded */
    json_t *seen;    /* ids written so far (a set) */
    char ts[80];     /* r->time_ns as a STIX timestamp */
    char identity[HY_STIX_ID_MAX];
    bool oom; /* a jansson allocation failed */
    hy__stix_ids indicators, malware, patterns;
} hy__stix;

/* type--UUIDv5(hayate's namespace, "type:content"). */
void hy__stix_id(const char *type, const char *content, char out[HY_STIX_ID_MAX]);

/* A JSON string of s, invalid UTF-8 replaced by U+FFFD (NULL on OOM). */
json_t *hy__stix_str(const char *s);

/* Sets o[k] = v (taking v); records OOM when v is NULL or the set fails. */
void hy__stix_set(hy__stix *c, json_t *o, const char *k, json_t *v);

/* A new object of type with the common properties (spec_version, id,
 * created, modified, created_by_ref) for id; NULL when id was written
 * already (*dup set) or on OOM (c->oom set). */
json_t *hy__stix_sdo(hy__stix *c, const char *type, const char *id, bool *dup);

/* Appends o (taken) to the bundle and its id to ids (may be NULL). */
hy_err hy__stix_add(hy__stix *c, json_t *o, hy__stix_ids *ids);

/* The object groups of stix_objects.c, in bundle order. */
hy_err hy__stix_indicators(hy__stix *c);
hy_err hy__stix_vulnerabilities(hy__stix *c);
hy_err hy__stix_attack_patterns(hy__stix *c);
hy_err hy__stix_intrusion_sets(hy__stix *c);
hy_err hy__stix_software(hy__stix *c);
hy_err hy__stix_relationships(hy__stix *c);

#endif
