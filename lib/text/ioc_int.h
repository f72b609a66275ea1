/* hayate internal (lib/text): the pieces of IOC extraction shared between
 * refang.c, sentence.c, noise.c and the ioc_*.c recognisers.
 *
 * Extraction runs in four passes over one document: refang (copying the
 * text, remembering where lengths changed), the scanner (one pass over the
 * refanged copy, each recogniser a hand-written parser started from a word
 * start), then the collected indicators are mapped back to the original
 * offsets, sorted, and given their sentence by a forward sentence walk. */
#ifndef HAYATE_TEXT_IOC_INT_H
#define HAYATE_TEXT_IOC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpsl.h>

#include "hayate/ioc.h"
#include "hayate/text.h"

/* ---- refang (refang.c) ------------------------------------------------- */

/* Where output and input offsets stop moving together: from output offset
 * `out` on, output byte o came from input byte in + (o - out). */
typedef struct hy__anchor {
    size_t out, in;
} hy__anchor;

typedef struct hy__anchors {
    hy__anchor *v;
    size_t n, alloc;
} hy__anchors;

/* Appends the refanged in[0..n) to out and the anchors to an (which the
 * caller zero-initialises and frees with hy__anchors_free). */
hy_err hy__refang_run(const char *in, size_t n, hy_buf *out, hy__anchors *an);
/* The input offset of output offset o (o may be the output length). */
size_t hy__anchors_map(const hy__anchors *an, size_t o);
void hy__anchors_free(hy__anchors *an);

/* ---- sentences (sentence.c) -------------------------------------------- */

/* A forward walk over the sentences of s[0..n): hy_text_sentences collects
 * it, extraction streams it. */
typedef struct hy__sent_iter {
    const char *s;
    size_t n, pos;
} hy__sent_iter;

void hy__sent_init(hy__sent_iter *it, const char *s, size_t n);
/* The next sentence (blanks trimmed); false at the end of the text. */
bool hy__sent_next(hy__sent_iter *it, hy_span *out);

/* ---- public suffixes (ioc_net.c) ---------------------------------------- */

/* The process-wide public suffix list (loaded once; NULL if libpsl has
 * none). */
const psl_ctx_t *hy__psl(void);
/* s[0..n) (any case) is an ICANN top-level domain. */
bool hy__is_tld(const char *s, size_t n);

/* ---- the scanner (ioc_scan.c and the recognisers) ------------------------ */

/* Byte classes of the scanner. */
enum {
    HY__C_ALPHA = 1u << 0,
    HY__C_DIGIT = 1u << 1,
    HY__C_HEX = 1u << 2,
    HY__C_LABEL = 1u << 3, /* domain label byte: alnum, '-', '_' */
    HY__C_B64 = 1u << 4,   /* base64 alphabet (ssdeep) */
    HY__C_URL = 1u << 5,   /* may appear inside a URL */
    HY__C_PATH = 1u << 6,  /* may appear inside a path component */
    HY__C_LOCAL = 1u << 7, /* may appear in an e-mail local part */
    HY__C_TRIG = 1u << 8,  /* the scanner stops here */
};
#define HY__C_ALNUM (HY__C_ALPHA | HY__C_DIGIT)

/* The end of the run of HY__C_ALNUM bytes of s[0..n) from s[i] (i itself
 * when s[i] is not one): 16 bytes a step with SSE2, the same answer as a
 * byte-by-byte walk of hy__cls. */
size_t hy__alnum_end(const unsigned char *s, size_t i, size_t n);

extern const uint16_t hy__cls[256];

static inline bool hy__is(unsigned char c, unsigned cls)
{
    return (hy__cls[c] & cls) != 0;
}

/* One extraction's scanner state over the refanged text s[0..n). */
typedef struct hy__scan {
    const char *s;
    size_t n;
    size_t ja3_until; /* an MD5 starting at or before this is a JA3 */
    bool ja3;         /* ja3_until is set */
    hy_err err;       /* the first failure of emit; stops the scan */
    /* Called for every indicator found: span in s, normalised value. */
    hy_err (*emit)(void *ud, hy_ioc_type t, size_t start, size_t end, const char *v, size_t vlen);
    /* True when s[start..end) was written defanged in the original. */
    bool (*defanged)(void *ud, size_t start, size_t end);
    void *ud;
} hy__scan;

/* Runs the scanner over sc->s; failures land in sc->err. */
void hy__scan_run(hy__scan *sc);
/* Reports one indicator (no-op once sc->err is set). */
void hy__emit(hy__scan *sc, hy_ioc_type t, size_t start, size_t end, const char *v, size_t vlen);

/* Recognisers: each starts at s[i] (a word start it was dispatched to) and
 * returns the end of what it consumed, or 0 when nothing matched. */

/* ioc_net.c */
size_t hy__scan_url(hy__scan *sc, size_t i);
size_t hy__scan_email(hy__scan *sc, size_t at);
size_t hy__scan_dotted(hy__scan *sc, size_t i);
size_t hy__scan_ipv6(hy__scan *sc, size_t i);
size_t hy__scan_mac(hy__scan *sc, size_t i);

/* ioc_path.c */
size_t hy__scan_regkey(hy__scan *sc, size_t i);
size_t hy__scan_drive_path(hy__scan *sc, size_t i);
size_t hy__scan_env_path(hy__scan *sc, size_t i);
size_t hy__scan_unc_path(hy__scan *sc, size_t i);
size_t hy__scan_unix_path(hy__scan *sc, size_t i);
/* s[i..j) ends with an executable file extension (".exe", ".ps1", ...). */
bool hy__exec_ext(const char *s, size_t i, size_t j);

/* ioc_ids.c: the word's CVE, ATT&CK, ASN, registry hive or JA3 keyword;
 * ssdeep after a number and ':'. */
size_t hy__scan_word(hy__scan *sc, size_t i, size_t j);
size_t hy__scan_ssdeep(hy__scan *sc, size_t i, size_t j);
/* s[i..j) is a hash of 32/40/64/128 hex digits: emits it (as JA3 within a
 * JA3 keyword's reach) and returns true. */
bool hy__emit_hash(hy__scan *sc, size_t i, size_t j);

/* ioc_crypto.c: cryptocurrency addresses in the alphanumeric word s[i..j) */
bool hy__scan_coin(hy__scan *sc, size_t i, size_t j);
/* s[0..n) is a valid address (checksum included). */
bool hy__bitcoin_ok(const char *s, size_t n);
bool hy__ethereum_ok(const char *s, size_t n);
/* Keccak-256 (the pre-SHA-3 padding that Ethereum and Monero use). */
void hy__keccak256(const void *p, size_t n, uint8_t out[32]);

/* ---- noise (noise.c) --------------------------------------------------- */

/* Why the indicator (type t, normalised value v) is noise, or NULL. */
const char *hy__ioc_noise(hy_ioc_type t, const char *v);

#endif
