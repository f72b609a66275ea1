/* hayate: TLSH, the Trend Micro Locality Sensitive Hash (Oliver, Cheng and
 * Chen, "TLSH - A Locality Sensitive Hash", CTC 2013), as its published
 * digest format: similar inputs get digests at a small distance
 * (docs/malware.md). Written from the paper and the format description;
 * its digests and distances are those of the reference tool. */
#ifndef HAYATE_TLSH_H
#define HAYATE_TLSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Longest digest text ("T1" + 138 hex digits for 256 buckets and a
 * 3-byte checksum) with its NUL. */
#define HY_TLSH_TEXT_MAX 141
/* The text of the default variant: "T1" + 70 hex digits, with its NUL. */
#define HY_TLSH_TEXT_LEN 73
/* Inputs shorter than this have no digest (HY_TLSH_MIN_CONSERVATIVE in
 * conservative mode); longer than HY_TLSH_MAX_LEN are refused. */
#define HY_TLSH_MIN_LEN          50u
#define HY_TLSH_MIN_CONSERVATIVE 256u
#define HY_TLSH_MAX_LEN          0xFFFFFFFFull

/* The build variants of the reference, as runtime options. A zeroed
 * struct (or NULL) is the product default: 128 buckets, 1-byte checksum,
 * 50-byte minimum, "T1" text. */
typedef struct hy_tlsh_opts {
    unsigned buckets;      /* 128 or 256 (0: 128) */
    unsigned checksum_len; /* 1 or 3 bytes (0: 1) */
    bool conservative;     /* require HY_TLSH_MIN_CONSERVATIVE bytes */
    bool no_prefix;        /* old text form, without the "T1" version */
} hy_tlsh_opts;

/* A digest's fields, decoded. body[] is in text order (body[0] is the
 * first body byte after the header; 4 buckets of 2 bits per byte). */
typedef struct hy_tlsh_digest {
    uint16_t buckets;     /* 128 or 256 */
    uint8_t checksum_len; /* 1 or 3 */
    uint8_t checksum[3];
    uint8_t lvalue;   /* log-scale length class */
    uint8_t q1ratio;  /* (q1 * 100 / q3) mod 16 */
    uint8_t q2ratio;  /* (q2 * 100 / q3) mod 16 */
    uint8_t body[64]; /* buckets / 4 bytes used */
} hy_tlsh_digest;

/* A hashing context. It owns no memory: keep it on the stack or inside
 * another object; there is nothing to destroy. */
typedef struct hy_tlsh {
    uint32_t bucket[256]; /* triplet counts (only the first opts.buckets count) */
    uint64_t len;         /* bytes fed so far */
    uint8_t window[4];    /* the last 4 bytes fed, oldest first */
    uint8_t checksum[3];
    hy_tlsh_opts opts; /* normalised */
} hy_tlsh;

/* Starts a context with opts (NULL: defaults). HY_ERR_ARG when ctx is
 * NULL or buckets/checksum_len are not one of the values above. */
hy_err hy_tlsh_init(hy_tlsh *ctx, const hy_tlsh_opts *opts);

/* Feeds n bytes (p may be NULL when n is 0). Any chunking gives the same
 * digest as one call. HY_ERR_ARG on NULL arguments. */
hy_err hy_tlsh_update(hy_tlsh *ctx, const void *p, size_t n);

/* The digest of everything fed so far; ctx is left unchanged (more may be
 * fed and final called again). HY_ERR_ARG with a detail when the input is
 * too short or too uniform to have a digest (the reference's "TNULL"),
 * HY_ERR_TOOBIG past HY_TLSH_MAX_LEN bytes. */
hy_err hy_tlsh_final_digest(const hy_tlsh *ctx, hy_tlsh_digest *out);

/* As hy_tlsh_final_digest, written as text into out (cap bytes, NUL
 * included; HY_TLSH_TEXT_MAX always suffices). HY_ERR_ARG when cap is
 * too small; out is "" on any error. */
hy_err hy_tlsh_final(const hy_tlsh *ctx, char *out, size_t cap);

/* One shot: init, update and final over n bytes at p. */
hy_err hy_tlsh_hash(const void *p, size_t n, const hy_tlsh_opts *opts, char *out, size_t cap);

/* Writes d as text: upper-case hex, "T1" first unless no_prefix.
 * HY_ERR_ARG when d is not a valid variant or cap is too small. */
hy_err hy_tlsh_format(const hy_tlsh_digest *d, bool no_prefix, char *out, size_t cap);

/* Parses a whole NUL-terminated digest text: "T1" + 70, 74, 134 or 138
 * hex digits (128/256 buckets, 1/3-byte checksum; either case), or the
 * same digits without "T1" (the old form). Anything else, "TNULL"
 * included, is HY_ERR_FORMAT with a detail; out is then zeroed. */
hy_err hy_tlsh_parse(const char *text, hy_tlsh_digest *out);

/* The reference distance between two digests: 0 for the same digest,
 * larger for less similar inputs (no upper bound; with_length adds the
 * length-class term). Symmetric. -1 (HY_ERR_ARG set) when either is NULL
 * or the two are of different variants. */
int hy_tlsh_diff(const hy_tlsh_digest *a, const hy_tlsh_digest *b, bool with_length);

#endif
