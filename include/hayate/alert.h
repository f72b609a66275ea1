/* hayate: the alert, the one shape of every finding (DESIGN §3). */
#ifndef HAYATE_ALERT_H
#define HAYATE_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

#define HY_ALERT_ID_LEN 26 /* ULID text: 48-bit ms time + 80 bits, base32 */

typedef struct hy_alert {
    char id[HY_ALERT_ID_LEN + 1]; /* sortable by time, unique */
    uint64_t time_ns;             /* event time of the finding */
    char engine[32];              /* "darknet" */
    char kind[64];                /* "darknet.outbreak" */
    int severity;                 /* 1 high .. 4 info (as in Suricata) */
    double score;                 /* 0..1 */
    char *title;                  /* owned */
    char *subject;                /* owned: IP, port, hash, report id */
    char *evidence;               /* owned: JSON object text ("{}" if none) */
    char *attack;                 /* owned: comma-separated ATT&CK ids or NULL */
    char community_id[40];        /* "" when not about a flow */
    /* Flow context for EVE's top-level fields; ip_version 0 when absent. */
    uint8_t ip_version, proto;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
} hy_alert;

/* Allocates an alert with the given identity fields, copies title and
 * subject, and derives a deterministic id from time, engine, kind, subject and
 * discriminator (so the same offline input always yields the same ids). */
hy_err hy_alert_create(uint64_t time_ns, const char *engine, const char *kind,
                       int severity, double score, const char *title,
                       const char *subject, uint64_t discriminator, hy_alert **out);

/* Deep copy. */
hy_err hy_alert_dup(const hy_alert *a, hy_alert **out);

/* Replaces the evidence JSON object text (validated to start with '{'). */
hy_err hy_alert_set_evidence(hy_alert *a, const char *json_object);

/* Replaces the ATT&CK ids (comma-separated, e.g. "T1046,T1595.001"). */
hy_err hy_alert_set_attack(hy_alert *a, const char *ids);

void hy_alert_destroy(hy_alert *a);

/* Appends a as one EVE JSON line (no newline): top-level timestamp,
 * event_type "alert", src/dest fields when known, an alert{} object with
 * signature/category/severity, and a hayate{} object with the rest. */
hy_err hy_alert_to_eve(const hy_alert *a, hy_buf *out);

/* Total order used to make output independent of thread count:
 * by time, then engine, kind, subject, id. */
int hy_alert_cmp(const hy_alert *a, const hy_alert *b);

/* Encodes a ULID from a millisecond time and 80 bits of entropy. */
void hy_ulid_encode(uint64_t ms, const uint8_t rnd[10], char out[HY_ALERT_ID_LEN + 1]);

#endif
