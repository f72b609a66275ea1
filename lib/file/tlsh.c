/* TLSH (include/hayate/tlsh.h, docs/malware.md), written from the paper
 * (Oliver, Cheng, Chen, CTC 2013) and the published digest format.
 *
 * Every 5-byte window (c0 newest .. c4 oldest) adds one to six buckets,
 * each chosen by a Pearson hash of a salt and three of the window's bytes;
 * a Pearson hash of the two newest bytes chains into the checksum. The
 * digest is the checksum, the length class and the quartile ratios, then
 * two bits per bucket: the quartile of the bucket counts it falls in. */
#include "hayate/tlsh.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Pearson's (1990) sample permutation of 0..255, which TLSH uses. */
/* clang-format off */
static const uint8_t T[256] = {
    1, 87, 49, 12, 176, 178, 102, 166, 121, 193, 6, 84, 249, 230, 44, 163,
    14, 197, 213, 181, 161, 85, 218, 80, 64, 239, 24, 226, 236, 142, 38, 200,
    110, 177, 104, 103, 141, 253, 255, 50, 77, 101, 81, 18, 45, 96, 31, 222,
    25, 107, 190, 70, 86, 237, 240, 34, 72, 242, 20, 214, 244, 227, 149, 235,
    97, 234, 57, 22, 60, 250, 82, 175, 208, 5, 127, 199, 111, 62, 135, 248,
    174, 169, 211, 58, 66, 154, 106, 195, 245, 171, 17, 187, 182, 179, 0, 243,
    132, 56, 148, 75, 128, 133, 158, 100, 130, 126, 91, 13, 153, 246, 216, 219,
    119, 68, 223, 78, 83, 88, 201, 99, 122, 11, 92, 32, 136, 114, 52, 10,
    138, 30, 48, 183, 156, 35, 61, 26, 143, 74, 251, 94, 129, 162, 63, 152,
    170, 7, 115, 167, 241, 206, 3, 150, 55, 59, 151, 220, 90, 53, 23, 131,
    125, 173, 15, 238, 79, 95, 89, 16, 105, 137, 225, 224, 217, 160, 37, 123,
    118, 73, 2, 157, 46, 116, 9, 145, 134, 228, 207, 212, 202, 215, 69, 229,
    27, 188, 67, 124, 168, 252, 42, 4, 29, 108, 21, 247, 19, 205, 39, 203,
    233, 40, 186, 147, 198, 192, 155, 33, 164, 191, 98, 204, 165, 180, 117, 76,
    140, 36, 210, 172, 41, 54, 159, 8, 185, 232, 113, 196, 231, 47, 146, 120,
    51, 65, 28, 144, 254, 221, 93, 189, 194, 139, 112, 43, 71, 109, 184, 209,
};

/* The length class of n bytes is the index of the first entry >= n: a
 * log scale (base 1.5 up to 656 bytes, 1.3 up to 3199, then 1.1) as the
 * reference tabulates it; the table, not a recomputed log, is the format. */
static const uint32_t topval[170] = {
    1u, 2u, 3u, 5u, 7u, 11u, 17u, 25u, 38u, 57u, 86u, 129u, 194u, 291u, 437u, 656u, 854u, 1110u,
    1443u, 1876u, 2439u, 3171u, 3475u, 3823u, 4205u, 4626u, 5088u, 5597u, 6157u, 6772u, 7450u,
    8195u, 9014u, 9916u, 10907u, 11998u, 13198u, 14518u, 15970u, 17567u, 19323u, 21256u, 23382u,
    25720u, 28292u, 31121u, 34233u, 37656u, 41422u, 45564u, 50121u, 55133u, 60646u, 66711u, 73382u,
    80721u, 88793u, 97672u, 107439u, 118183u, 130002u, 143002u, 157302u, 173032u, 190335u, 209369u,
    230306u, 253337u, 278670u, 306538u, 337191u, 370911u, 408002u, 448802u, 493682u, 543050u,
    597356u, 657091u, 722800u, 795081u, 874589u, 962048u, 1058252u, 1164078u, 1280486u, 1408534u,
    1549388u, 1704327u, 1874759u, 2062236u, 2268459u, 2495305u, 2744836u, 3019320u, 3321252u,
    3653374u, 4018711u, 4420582u, 4862641u, 5348905u, 5883796u, 6472176u, 7119394u, 7831333u,
    8614467u, 9475909u, 10423501u, 11465851u, 12612437u, 13873681u, 15261050u, 16787154u, 18465870u,
    20312458u, 22343706u, 24578077u, 27035886u, 29739474u, 32713425u, 35984770u, 39583245u,
    43541573u, 47895730u, 52685306u, 57953837u, 63749221u, 70124148u, 77136564u, 84850228u,
    93335252u, 102668779u, 112935659u, 124229227u, 136652151u, 150317384u, 165349128u, 181884040u,
    200072456u, 220079703u, 242087671u, 266296456u, 292926096u, 322218735u, 354440623u, 389884688u,
    428873168u, 471760495u, 518936559u, 570830240u, 627913311u, 690704607u, 759775136u, 835752671u,
    919327967u, 1011260767u, 1112386880u, 1223623232u, 1345985727u, 1480584256u, 1628642751u,
    1791507135u, 1970657856u, 2167723648u, 2384496256u, 2622945920u, 2885240448u, 3173764736u,
    3491141248u, 3840255616u, 4224281216u,
};
/* clang-format on */

/* T[salt] of the checksum (salt 0) and of the six triplets (salts 2, 3,
 * 5, 7, 11, 13). */
enum { S0 = 1, S2 = 49, S3 = 12, S5 = 178, S7 = 166, S11 = 84, S13 = 230 };

/* Pearson hash of a salt (given as s = T[salt]) and three bytes. */
#define PEARSON(s, a, b, c) T[T[T[(s) ^ (a)] ^ (b)] ^ (c)]

/* Adds the six triplets of the window ending at p[i] to the buckets. */
#define TRIPLETS(b, c0, c1, c2, c3, c4)                                                            \
    do {                                                                                           \
        (b)[PEARSON(S2, c0, c1, c2)]++;                                                            \
        (b)[PEARSON(S3, c0, c1, c3)]++;                                                            \
        (b)[PEARSON(S5, c0, c2, c3)]++;                                                            \
        (b)[PEARSON(S7, c0, c2, c4)]++;                                                            \
        (b)[PEARSON(S11, c0, c1, c4)]++;                                                           \
        (b)[PEARSON(S13, c0, c3, c4)]++;                                                           \
    } while (0)

/* The first two Pearson steps of each hash depend on the newest byte and
 * one other only, so they are tabulated per byte pair (448 KiB, filled
 * once): P1[c0][c1] holds them for the triplets of salts 2, 3 and 11 and
 * for the checksum, P2[c0][c2] for salts 5 and 7, P3[c0][c3] for salt 13.
 * A window then costs three table reads and seven steps, not 21. */
static uint32_t P1[256][256];
static uint16_t P2[256][256];
static uint8_t P3[256][256];

#define STEP2(s, a, b) T[T[(s) ^ (a)] ^ (b)]

static void pairs_init(void)
{
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            P1[a][b] = (uint32_t)STEP2(S2, a, b) | (uint32_t)STEP2(S3, a, b) << 8 |
                       (uint32_t)STEP2(S11, a, b) << 16 | (uint32_t)STEP2(S0, a, b) << 24;
            P2[a][b] = (uint16_t)(STEP2(S5, a, b) | STEP2(S7, a, b) << 8);
            P3[a][b] = STEP2(S13, a, b);
        }
}

/* Windows ending at p[from..to-1] (each has 4 bytes before it), with a
 * 1-byte checksum. This is the per-byte loop: no calls, no branches; the
 * same sums as TRIPLETS through the pair tables. */
static void run1(hy_tlsh *ctx, const uint8_t *p, size_t from, size_t to)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    uint32_t *b = ctx->bucket;
    unsigned chk = ctx->checksum[0];
    /* the window rides in registers: the bucket stores may alias p */
    unsigned c1 = p[from - 1], c2 = p[from - 2], c3 = p[from - 3], c4 = p[from - 4];
    pthread_once(&once, pairs_init);
    for (size_t i = from; i < to; i++) {
        unsigned c0 = p[i];
        uint32_t x = P1[c0][c1];
        unsigned y = P2[c0][c2], z = P3[c0][c3];
        chk = T[(x >> 24) ^ chk];
        b[T[(x & 0xff) ^ c2]]++;         /* salt 2: c0 c1 c2 */
        b[T[((x >> 8) & 0xff) ^ c3]]++;  /* salt 3: c0 c1 c3 */
        b[T[(y & 0xff) ^ c3]]++;         /* salt 5: c0 c2 c3 */
        b[T[(y >> 8) ^ c4]]++;           /* salt 7: c0 c2 c4 */
        b[T[((x >> 16) & 0xff) ^ c4]]++; /* salt 11: c0 c1 c4 */
        b[T[z ^ c4]]++;                  /* salt 13: c0 c3 c4 */
        c4 = c3, c3 = c2, c2 = c1, c1 = c0;
    }
    ctx->checksum[0] = (uint8_t)chk;
}

/* As run1 with the 3-byte checksum: each byte salted by the one before. */
static void run3(hy_tlsh *ctx, const uint8_t *p, size_t from, size_t to)
{
    uint32_t *b = ctx->bucket;
    unsigned k0 = ctx->checksum[0], k1 = ctx->checksum[1], k2 = ctx->checksum[2];
    unsigned c1 = p[from - 1], c2 = p[from - 2], c3 = p[from - 3], c4 = p[from - 4];
    for (size_t i = from; i < to; i++) {
        unsigned c0 = p[i];
        k0 = PEARSON(S0, c0, c1, k0);
        k1 = PEARSON(T[k0], c0, c1, k1);
        k2 = PEARSON(T[k1], c0, c1, k2);
        TRIPLETS(b, c0, c1, c2, c3, c4);
        c4 = c3, c3 = c2, c2 = c1, c1 = c0;
    }
    ctx->checksum[0] = (uint8_t)k0;
    ctx->checksum[1] = (uint8_t)k1;
    ctx->checksum[2] = (uint8_t)k2;
}

static void run(hy_tlsh *ctx, const uint8_t *p, size_t from, size_t to)
{
    if (from >= to)
        return;
    if (ctx->opts.checksum_len == 3)
        run3(ctx, p, from, to);
    else
        run1(ctx, p, from, to);
}

hy_err hy_tlsh_init(hy_tlsh *ctx, const hy_tlsh_opts *opts)
{
    hy_tlsh_opts o = opts ? *opts : (hy_tlsh_opts){0};
    if (!ctx)
        return hy_err_set(HY_ERR_ARG, "tlsh: NULL context");
    o.buckets = o.buckets ? o.buckets : 128;
    o.checksum_len = o.checksum_len ? o.checksum_len : 1;
    if (o.buckets != 128 && o.buckets != 256)
        return hy_err_set(HY_ERR_ARG, "tlsh: %u buckets (128 or 256)", o.buckets);
    if (o.checksum_len != 1 && o.checksum_len != 3)
        return hy_err_set(HY_ERR_ARG, "tlsh: %u-byte checksum (1 or 3)", o.checksum_len);
    memset(ctx, 0, sizeof *ctx);
    ctx->opts = o;
    return HY_OK;
}

hy_err hy_tlsh_update(hy_tlsh *ctx, const void *data, size_t n)
{
    const uint8_t *p = data;
    uint8_t head[8];
    size_t k = n < 4 ? n : 4, first;
    if (!ctx || (!p && n))
        return hy_err_set(HY_ERR_ARG, "tlsh: NULL %s", ctx ? "data" : "context");
    if (!n)
        return HY_OK;
    /* the windows ending in the first 4 bytes reach into the saved ones;
     * a window needs 5 bytes fed in all */
    memcpy(head, ctx->window, 4);
    memcpy(head + 4, p, k);
    first = ctx->len >= 4 ? 4 : 8 - (size_t)ctx->len;
    run(ctx, head, first, 4 + k);
    run(ctx, p, 4, n);
    memcpy(ctx->window, n >= 4 ? p + n - 4 : head + k, 4);
    ctx->len += n;
    return HY_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The three quartile points of the first nb bucket counts: the values at
 * ranks nb/4, nb/2 and 3nb/4 (1-based) in ascending order. */
static void quartiles(const uint32_t *bucket, unsigned nb, uint32_t q[3])
{
    uint32_t s[256];
    memcpy(s, bucket, nb * sizeof *s);
    qsort(s, nb, sizeof *s, cmp_u32);
    q[0] = s[nb / 4 - 1];
    q[1] = s[nb / 2 - 1];
    q[2] = s[nb - nb / 4 - 1];
}

static uint8_t length_class(uint64_t n)
{
    unsigned lo = 0, hi = 170; /* first index with topval >= n, 170 when none */
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (topval[mid] >= n)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (uint8_t)lo;
}

/* (q * 100 / q3) mod 16 in single precision, as the format defines it
 * (it differs from exact division only past 2^24 / 100 per bucket). */
static uint8_t qratio(uint32_t q, uint32_t q3)
{
    float r = (float)q * 100.0f / (float)q3;
    return (uint8_t)((uint32_t)r & 15);
}

/* 2 bits per bucket: 0 up to q1, 1 up to q2, 2 up to q3, 3 above. In text
 * order the body reads the buckets from the last to the first. */
static void encode_body(const uint32_t *bucket, unsigned nb, const uint32_t q[3], uint8_t *body)
{
    unsigned nbytes = nb / 4;
    for (unsigned i = 0; i < nbytes; i++) {
        unsigned code = 0;
        for (unsigned j = 0; j < 4; j++) {
            uint32_t v = bucket[4 * i + j];
            unsigned c = v <= q[0] ? 0 : v <= q[1] ? 1 : v <= q[2] ? 2 : 3;
            code |= c << (2 * j);
        }
        body[nbytes - 1 - i] = (uint8_t)code;
    }
}

hy_err hy_tlsh_final_digest(const hy_tlsh *ctx, hy_tlsh_digest *out)
{
    unsigned nb, nonzero = 0;
    uint64_t min;
    uint32_t q[3];
    if (!ctx || !out)
        return hy_err_set(HY_ERR_ARG, "tlsh: NULL %s", ctx ? "output" : "context");
    memset(out, 0, sizeof *out);
    nb = ctx->opts.buckets;
    if (nb != 128 && nb != 256)
        return hy_err_set(HY_ERR_ARG, "tlsh: context not initialised");
    min = ctx->opts.conservative ? HY_TLSH_MIN_CONSERVATIVE : HY_TLSH_MIN_LEN;
    if (ctx->len < min)
        return hy_err_set(HY_ERR_ARG, "tlsh: %llu bytes is too short (minimum %llu)",
                          (unsigned long long)ctx->len, (unsigned long long)min);
    if (ctx->len > HY_TLSH_MAX_LEN)
        return hy_err_set(HY_ERR_TOOBIG, "tlsh: %llu bytes is past the 4 GiB limit",
                          (unsigned long long)ctx->len);
    for (unsigned i = 0; i < nb; i++)
        nonzero += ctx->bucket[i] != 0;
    quartiles(ctx->bucket, nb, q);
    /* too uniform: no digest unless more than half the buckets are used
     * (which also keeps q3, the ratios' divisor, above 0) */
    if (q[2] == 0 || nonzero <= nb / 2)
        return hy_err_set(HY_ERR_ARG, "tlsh: input too uniform (%u of %u buckets used)", nonzero,
                          nb);
    out->buckets = (uint16_t)nb;
    out->checksum_len = (uint8_t)ctx->opts.checksum_len;
    memcpy(out->checksum, ctx->checksum, 3);
    if (out->checksum_len == 1)
        out->checksum[1] = out->checksum[2] = 0;
    out->lvalue = length_class(ctx->len);
    out->q1ratio = qratio(q[0], q[2]);
    out->q2ratio = qratio(q[1], q[2]);
    encode_body(ctx->bucket, nb, q, out->body);
    return HY_OK;
}

static const char hexdig[] = "0123456789ABCDEF";

/* One byte as two hex digits, low nibble first when swap (the header's
 * convention), at out. */
static char *put_hex(char *out, unsigned v, int swap)
{
    *out++ = hexdig[swap ? v & 15 : v >> 4];
    *out++ = hexdig[swap ? v >> 4 : v & 15];
    return out;
}

static bool valid_variant(const hy_tlsh_digest *d)
{
    return (d->buckets == 128 || d->buckets == 256) &&
           (d->checksum_len == 1 || d->checksum_len == 3) && d->q1ratio < 16 && d->q2ratio < 16;
}

static size_t text_len(unsigned buckets, unsigned checksum_len)
{
    return 2u * checksum_len + 4 + buckets / 2;
}

hy_err hy_tlsh_format(const hy_tlsh_digest *d, bool no_prefix, char *out, size_t cap)
{
    char *o = out;
    if (out && cap)
        out[0] = '\0';
    if (!d || !out || !valid_variant(d))
        return hy_err_set(HY_ERR_ARG, "tlsh: %s",
                          d && out ? "not a digest variant" : "NULL argument");
    if (cap < text_len(d->buckets, d->checksum_len) + (no_prefix ? 0 : 2) + 1)
        return hy_err_set(HY_ERR_ARG, "tlsh: output buffer of %zu bytes is too small", cap);
    if (!no_prefix) {
        *o++ = 'T';
        *o++ = '1';
    }
    for (unsigned i = 0; i < d->checksum_len; i++)
        o = put_hex(o, d->checksum[i], 1);
    o = put_hex(o, d->lvalue, 1);
    *o++ = hexdig[d->q1ratio];
    *o++ = hexdig[d->q2ratio];
    for (unsigned i = 0; i < d->buckets / 4u; i++)
        o = put_hex(o, d->body[i], 0);
    *o = '\0';
    return HY_OK;
}

hy_err hy_tlsh_final(const hy_tlsh *ctx, char *out, size_t cap)
{
    hy_tlsh_digest d;
    hy_err rc;
    if (out && cap)
        out[0] = '\0';
    if (!out)
        return hy_err_set(HY_ERR_ARG, "tlsh: NULL output");
    if ((rc = hy_tlsh_final_digest(ctx, &d)) != HY_OK)
        return rc;
    return hy_tlsh_format(&d, ctx->opts.no_prefix, out, cap);
}

hy_err hy_tlsh_hash(const void *p, size_t n, const hy_tlsh_opts *opts, char *out, size_t cap)
{
    hy_tlsh ctx;
    hy_err rc;
    if (out && cap)
        out[0] = '\0';
    if ((rc = hy_tlsh_init(&ctx, opts)) != HY_OK || (rc = hy_tlsh_update(&ctx, p, n)) != HY_OK)
        return rc;
    return hy_tlsh_final(&ctx, out, cap);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Two hex digits at s as a byte, nibbles swapped when swap. */
static unsigned get_hex(const char *s, int swap)
{
    unsigned hi = (unsigned)hexval(s[0]), lo = (unsigned)hexval(s[1]);
    return swap ? (lo << 4 | hi) : (hi << 4 | lo);
}

hy_err hy_tlsh_parse(const char *text, hy_tlsh_digest *out)
{
    static const struct {
        unsigned buckets, checksum_len;
    } kinds[4] = {{128, 1}, {128, 3}, {256, 1}, {256, 3}};
    const char *s = text;
    size_t n;
    unsigned k;
    if (out)
        memset(out, 0, sizeof *out);
    if (!text || !out)
        return hy_err_set(HY_ERR_ARG, "tlsh: NULL argument");
    if (s[0] == 'T' && s[1] == '1')
        s += 2;
    n = strnlen(s, HY_TLSH_TEXT_MAX);
    for (k = 0; k < 4 && text_len(kinds[k].buckets, kinds[k].checksum_len) != n; k++)
        ;
    if (k == 4)
        return hy_err_set(HY_ERR_FORMAT, "tlsh: not a digest (%zu%s hex digits)", n,
                          n == HY_TLSH_TEXT_MAX ? " or more" : "");
    for (size_t i = 0; i < n; i++)
        if (hexval(s[i]) < 0)
            return hy_err_set(HY_ERR_FORMAT, "tlsh: not a hex digit at offset %zu",
                              (size_t)(s - text) + i);
    out->buckets = (uint16_t)kinds[k].buckets;
    out->checksum_len = (uint8_t)kinds[k].checksum_len;
    for (unsigned i = 0; i < out->checksum_len; i++, s += 2)
        out->checksum[i] = (uint8_t)get_hex(s, 1);
    out->lvalue = (uint8_t)get_hex(s, 1);
    out->q1ratio = (uint8_t)hexval(s[2]);
    out->q2ratio = (uint8_t)hexval(s[3]);
    s += 4;
    for (unsigned i = 0; i < out->buckets / 4u; i++, s += 2)
        out->body[i] = (uint8_t)get_hex(s, 0);
    return HY_OK;
}

/* The shorter way around a circle of range values from x to y. */
static unsigned mod_diff(unsigned x, unsigned y, unsigned range)
{
    unsigned d = x > y ? x - y : y - x;
    return d < range - d ? d : range - d;
}

/* Distance of two body bytes: per 2-bit code, the difference, except
 * that opposite quartiles (0 and 3) count 6. */
static unsigned body_byte_diff(unsigned a, unsigned b)
{
    unsigned d = 0;
    for (unsigned j = 0; j < 4; j++, a >>= 2, b >>= 2) {
        unsigned x = a & 3, y = b & 3, e = x > y ? x - y : y - x;
        d += e == 3 ? 6 : e;
    }
    return d;
}

int hy_tlsh_diff(const hy_tlsh_digest *a, const hy_tlsh_digest *b, bool with_length)
{
    unsigned d = 0, q;
    if (!a || !b || !valid_variant(a) || !valid_variant(b) || a->buckets != b->buckets ||
        a->checksum_len != b->checksum_len) {
        hy_err_set(HY_ERR_ARG, "tlsh: %s",
                   a && b ? "digests of different variants" : "NULL digest");
        return -1;
    }
    if (with_length) {
        unsigned l = mod_diff(a->lvalue, b->lvalue, 256);
        d += l <= 1 ? l : l * 12;
    }
    q = mod_diff(a->q1ratio, b->q1ratio, 16);
    d += q <= 1 ? q : (q - 1) * 12;
    q = mod_diff(a->q2ratio, b->q2ratio, 16);
    d += q <= 1 ? q : (q - 1) * 12;
    d += memcmp(a->checksum, b->checksum, a->checksum_len) != 0;
    for (unsigned i = 0; i < a->buckets / 4u; i++)
        d += body_byte_diff(a->body[i], b->body[i]);
    return (int)d;
}
