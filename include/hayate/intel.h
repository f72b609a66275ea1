/* hayate: the intel engine's report model, ATT&CK tables and STIX 2.1
 * output (lib/engines/intel).
 *
 * A report (a vendor write-up, a blog post, a CISA advisory) is turned into
 * a hy_intel_report: its indicators (ioc.h), the ATT&CK techniques its
 * sentences describe (attack.h), the tactics and Lockheed Martin kill-chain
 * phases they imply, the malware families it names, and findings about
 * inconsistent intelligence. hy_stix_bundle writes that as a STIX 2.1
 * bundle whose ids are UUIDv5 of the content, so a re-run gives the same
 * bytes. */
#ifndef HAYATE_INTEL_H
#define HAYATE_INTEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "ioc.h"

#define HY_ATTACK_ID_MAX 16u /* "T1059.003", "TA0001", "G0007", "S0154" + NUL */

/* ---- ATT&CK tables (data/attack/attack.tsv, built from the ATT&CK STIX bundles) ---- */

typedef enum hy_attack_kind {
    HY_ATTACK_TECHNIQUE, /* attack-pattern (sub-techniques too) */
    HY_ATTACK_TACTIC,    /* x-mitre-tactic */
    HY_ATTACK_GROUP,     /* intrusion-set */
    HY_ATTACK_SOFTWARE,  /* malware or tool */
} hy_attack_kind;

/* One ATT&CK object the product needs at run time. */
typedef struct hy_attack_entry {
    hy_attack_kind kind;
    char id[HY_ATTACK_ID_MAX]; /* external_id, e.g. "T1059.003" */
    char *name;                /* "Command and Scripting Interpreter: Windows Command Shell" */
    char *tactics;             /* techniques: comma-separated tactic shortnames
                                  ("execution,persistence"); tactics: their shortname;
                                  else "" */
    char *aliases;             /* groups and software: '|'-separated aliases, else "" */
    char *domain;              /* "enterprise-attack", "ics-attack" or "mobile-attack" */
    bool is_malware;           /* software: malware (true) or tool (false) */
} hy_attack_entry;

typedef struct hy_attack_tables hy_attack_tables;

/* Loads the tables from a TSV file written by hy_attack_tables_write (the
 * product ships data/attack/attack.tsv). Untrusted: malformed lines are
 * HY_ERR_FORMAT naming the file and line; capped in size. */
hy_err hy_attack_tables_load(const char *path, hy_attack_tables **out);
/* Builds the tables from one or more ATT&CK STIX 2.x bundles (the JSON of
 * enterprise-attack, ics-attack, mobile-attack), skipping revoked and
 * deprecated objects. */
hy_err hy_attack_tables_from_stix(const char *const *paths, size_t npaths, hy_attack_tables **out);
/* Writes the tables as TSV, atomically (temporary file + rename). */
hy_err hy_attack_tables_write(const hy_attack_tables *t, const char *path);
/* The entry with this id (exact, e.g. "T1059.003"), or NULL. */
const hy_attack_entry *hy_attack_find(const hy_attack_tables *t, const char *id);
/* Entries, and the i-th one (in id order). */
size_t hy_attack_count(const hy_attack_tables *t);
const hy_attack_entry *hy_attack_at(const hy_attack_tables *t, size_t i);
void hy_attack_tables_free(hy_attack_tables *t);

/* The Lockheed Martin kill-chain phase of an ATT&CK tactic shortname
 * ("initial-access" -> "delivery"), or NULL for an unknown tactic. The
 * table is documented in docs/intel.md. */
const char *hy_attack_killchain_phase(const char *tactic);

/* Software (malware and tools) named in text[0..len): each distinct entry
 * whose name or alias occurs as a whole word (case-sensitive for names of
 * up to 3 characters and for names that are everyday words, such as
 * "Play" or "Wiper"; else case-insensitive) is appended to *ids (malloc'd
 * array of entry pointers, caller frees) in order of first occurrence.
 * Tools named like commands ("at", "route") count only as "at.exe" or
 * "route.exe"; one-letter names never count. */
hy_err hy_attack_find_software(const hy_attack_tables *t, const char *text, size_t len,
                               const hy_attack_entry ***ids, size_t *count);

/* ---- a report ---- */

/* A technique found in a report: the best confidence of its sentences. */
typedef struct hy_intel_technique {
    char id[HY_ATTACK_ID_MAX];
    double confidence;        /* calibrated probability, 0..1 */
    uint32_t sentences;       /* sentences classified as it */
    size_t sent_start, sent_end; /* its most confident sentence */
} hy_intel_technique;

/* Something wrong with the intelligence itself (intel.inconsistency). */
typedef struct hy_intel_finding {
    char *kind;    /* "cve-version-mismatch", ... */
    char *subject; /* "CVE-2021-44228" */
    char *detail;  /* human-readable explanation */
} hy_intel_finding;

typedef struct hy_intel_report {
    char id[72];          /* "report--" + UUIDv5 of the text */
    char *title;          /* first line / <title> / PDF title; may be NULL */
    char *source;         /* file name, URL or "stdin"; may be NULL */
    int64_t time_ns;      /* when it was analysed (or the file's mtime) */
    const char *text;     /* the plain text the offsets refer to (not owned) */
    size_t text_len;
    hy_ioc_list iocs;
    hy_intel_technique *tech;
    size_t ntech;
    const hy_attack_entry **software; /* malware and tools named (not owned) */
    size_t nsoftware;
    hy_intel_finding *findings;
    size_t nfindings;
} hy_intel_report;

/* The UUIDv5 (RFC 9562, SHA-1) of name in namespace ns (16 bytes), written
 * as 36 lowercase characters + NUL into out. */
void hy_uuid5(const uint8_t ns[16], const void *name, size_t len, char out[37]);

/* Appends a STIX 2.1 bundle for r to out: an identity (hayate), a report
 * with object_refs, an indicator per indicator of compromise that STIX
 * patterns can express (noise excluded), a vulnerability per CVE,
 * attack-patterns with mitre-attack external references (tables may be
 * NULL: then names are the ids), malware/tool objects for named software,
 * and relationships (each indicator indicates each malware, each malware
 * uses each attack-pattern) when the report names at most 3 malware
 * families (a report naming more — a yearly review — does not say which
 * indicator goes with which; the report's object_refs hold them all). Ids are UUIDv5 of type + canonical content; timestamps
 * are r->time_ns. Deterministic: the same report gives the same bytes. */
hy_err hy_stix_bundle(const hy_intel_report *r, const hy_attack_tables *tables, hy_buf *out);

/* Appends the STIX pattern for one indicator ("[ipv4-addr:value = '1.2.3.4']",
 * "[file:hashes.'SHA-256' = '...']"), quotes and backslashes escaped;
 * HY_ERR_UNSUPPORTED for types STIX patterns do not express. */
hy_err hy_stix_pattern(const hy_ioc *ioc, hy_buf *out);

/* ---- the analyser: a document in, a report out ---- */

#define HY_INTEL_DEFAULT_TABLES HY_DATA_DIR "/attack/attack.tsv"
#define HY_INTEL_DEFAULT_MODEL HY_DATA_DIR "/attack/model.hyl"

typedef struct hy_intel_cfg {
    const char *tables;     /* ATT&CK tables (TSV); NULL or "": the shipped ones */
    const char *model;      /* sentence classifier; NULL or "": the shipped one;
                               "none": no technique annotation */
    double min_confidence;  /* a sentence names a technique at this calibrated
                               probability or more (0: 0.5) */
} hy_intel_cfg;

typedef struct hy_intel hy_intel;

/* Loads the tables and the model. A missing or malformed file is
 * HY_ERR_CONFIG naming it. The analyser is read-only once made: several
 * threads may analyse with it at once. */
hy_err hy_intel_create(const hy_intel_cfg *cfg, hy_intel **out);
void hy_intel_destroy(hy_intel *in);
/* Its ATT&CK tables. */
const hy_attack_tables *hy_intel_tables(const hy_intel *in);

/* Everything hy_intel_analyse makes of one document. */
typedef struct hy_intel_result {
    hy_intel_report report; /* report.text points into text */
    hy_buf text;            /* the document's plain text */
    char sha256[65];        /* of the document as received */
    hy_buf summary;         /* JSON object: docs/intel.md, "Summary" */
    hy_buf stix;            /* the STIX 2.1 bundle */
} hy_intel_result;

/* Analyses the document doc[0..n) (plain text, HTML, PDF or a CVE JSON 5
 * record; name, which may be NULL, is its source and prefixes errors) at
 * time_ns: text, indicators, techniques, tactics and kill-chain phases,
 * software, findings, the summary and the bundle. *out is zeroed first;
 * free it with hy_intel_result_free (on error too). Unreadable documents
 * are HY_ERR_FORMAT/UNSUPPORTED naming name. */
hy_err hy_intel_analyse(const hy_intel *in, const char *name, const uint8_t *doc, size_t n,
                        int64_t time_ns, hy_intel_result *out);
void hy_intel_result_free(hy_intel_result *r);

struct hy_intel_record;
struct hy_report_ioc;
/* The store record of res (store.h), borrowing res's strings: *iocs
 * (malloc'd, the caller frees it; NULL for none) holds its indicators.
 * Valid while res is. */
hy_err hy_intel_record_of(const hy_intel_result *res, struct hy_intel_record *rec,
                          struct hy_report_ioc **iocs);

#endif
