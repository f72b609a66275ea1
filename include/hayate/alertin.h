/* hayate: alerts from outside, as the screen engine reads them (issue 7).
 *
 * Three formats, all untrusted:
 *   - Suricata EVE JSON lines (event_type "alert", with its flow, http, dns
 *     and tls context where present; other event types are skipped, not
 *     errors), and a JSON array of such objects (what some exports write);
 *   - hayate's own alerts, which are EVE lines with a hayate{} object;
 *   - Snort/Suricata fast.log lines.
 * A parse fills a hy_alert_in whose strings are slices into a parser-owned
 * arena, valid until the next parse on the same parser. No allocation per
 * line once the arena has grown to the longest line. */
#ifndef HAYATE_ALERTIN_H
#define HAYATE_ALERTIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define HY_ALERTIN_MAX_LINE (1u << 20) /* longest line read; longer ones are malformed */
#define HY_ALERTIN_MAX_DEPTH 64        /* JSON nesting accepted */

/* A string slice (decoded: JSON escapes resolved, valid UTF-8 not
 * guaranteed beyond what the input held). p is never NULL: "" when absent. */
typedef struct hy_str {
    const char *p;
    uint32_t n;
} hy_str;

typedef enum hy_alertin_fmt {
    HY_ALERTIN_EVE = 1,     /* a Suricata EVE alert */
    HY_ALERTIN_HAYATE = 2,  /* an EVE line written by hayate (hayate{} present) */
    HY_ALERTIN_FASTLOG = 3, /* a fast.log line */
} hy_alertin_fmt;

typedef struct hy_alert_in {
    hy_alertin_fmt fmt;
    uint64_t ts_ns;          /* "timestamp", converted to UTC */
    uint64_t flow_id;        /* 0 when absent */
    /* The signature. sig_key identifies it for counting: (gid << 32) | sid
     * for Suricata/Snort; for hayate's alerts (1 << 63) | a 63-bit FNV-1a
     * hash of hayate.kind, with sid 0. */
    uint64_t sig_key;
    uint32_t gid, sid, rev;
    int severity;            /* alert.severity / [Priority: n]: 1 high..; 0 unknown */
    hy_str signature, category, action;
    /* Endpoints: ip_version 0 when the line names none. */
    uint8_t ip_version;      /* 4 or 6 */
    uint8_t src[16], dst[16];/* IPv4 in the first 4 bytes */
    uint16_t sport, dport;
    uint8_t proto;           /* IANA number from "proto" ("TCP" 6, "UDP" 17,
                                "ICMP" 1, "IPv6-ICMP" 58, or a number); 0 unknown */
    hy_str app_proto, in_iface;
    /* Context objects (fields empty / 0 when absent). */
    hy_str http_host, http_url, http_method, http_user_agent;
    int http_status;
    hy_str dns_rrname, dns_rrtype;
    hy_str tls_sni, tls_subject, tls_issuer, tls_version, tls_ja3;
    uint64_t flow_pkts_toserver, flow_pkts_toclient;
    uint64_t flow_bytes_toserver, flow_bytes_toclient;
    uint64_t flow_start_ns;
    /* hayate's own alerts: hayate.engine, hayate.kind, hayate.score, and
     * hayate.id (empty otherwise). */
    hy_str hy_engine, hy_kind, hy_id;
    double hy_score;
    /* The input object exactly as read (for output that carries the original
     * fields): the line without its newline, or one array element's text. */
    hy_str raw;
} hy_alert_in;

/* The sig_key of a hayate alert of this kind: (1 << 63) | 63 bits of the
 * 64-bit FNV-1a of kind, as hy_alertin_parse gives hayate's EVE lines. */
uint64_t hy_alertin_kind_key(const char *kind, size_t n);

/* Copies src into dst with every string moved into store (reset first;
 * its cap must hold them all, HY_ERR_TOOBIG otherwise): dst stays valid
 * while store is not changed, whatever the parser does next. */
struct hy_buf;
hy_err hy_alertin_copy(hy_alert_in *dst, struct hy_buf *store, const hy_alert_in *src);

typedef struct hy_alertin_parser hy_alertin_parser;

/* A parser with an empty arena. */
hy_err hy_alertin_parser_create(hy_alertin_parser **out);
void hy_alertin_parser_destroy(hy_alertin_parser *p);

/* Parses one line of n bytes (no newline needed; a trailing "\r" is
 * ignored), auto-detecting EVE JSON ('{' first) or fast.log. Returns:
 *   HY_OK: *a is filled;
 *   HY_ERR_NOTFOUND: a well-formed line that is not an alert (another EVE
 *     event_type, a blank line): skip it, it is not malformed;
 *   HY_ERR_FORMAT: malformed (bad JSON, missing timestamp or signature id,
 *     a bad address...); the detail says what, without the line number
 *     (the caller knows it).
 * Never reads past line[n). */
hy_err hy_alertin_parse(hy_alertin_parser *p, const char *line, size_t n, hy_alert_in *a);

/* Reads alerts from a stream: EVE JSON lines, a JSON array of alert objects
 * (the first non-blank byte is '['; the array is read whole, at most
 * HY_MAX_JSON_DOC bytes), or fast.log lines, decided per line. */
typedef struct hy_alertin_reader hy_alertin_reader;

typedef struct hy_alertin_stats {
    uint64_t lines;          /* lines (or array elements) read */
    uint64_t alerts;         /* parsed into alerts */
    uint64_t skipped;        /* well-formed, not alerts */
    uint64_t malformed;      /* counted, never fatal */
    uint64_t first_bad_line; /* 1-based line of the first malformed one (0: none) */
    char first_bad[160];     /* what was wrong with it */
} hy_alertin_stats;

/* Reads from f (not closed by the reader); name labels errors ("eve.json",
 * "-" for stdin). */
hy_err hy_alertin_reader_create(FILE *f, const char *name, hy_alertin_reader **out);
void hy_alertin_reader_destroy(hy_alertin_reader *r);

/* The next alert, skipping (and counting) non-alerts and malformed lines.
 * HY_OK with *a filled (valid until the next call); HY_ERR_NOTFOUND at the
 * end of the stream; HY_ERR_IO when reading fails (the detail names the
 * stream). *line_no gets the 1-based line of the alert (array: of the
 * element's start), when not NULL. */
hy_err hy_alertin_next(hy_alertin_reader *r, hy_alert_in *a, uint64_t *line_no);

/* What the reader has seen so far. */
void hy_alertin_stats_get(const hy_alertin_reader *r, hy_alertin_stats *st);

#endif
