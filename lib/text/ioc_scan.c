/* The IOC scanner: one pass over the refanged text. A byte-class table
 * finds the places an indicator can start (an alphanumeric after a
 * non-alphanumeric, and '\', '%', '/', '~', ':', '@'); each is handed to
 * the hand-written recognisers that can start with it, which return how
 * far they consumed. A word no recogniser takes is skipped whole, and a
 * dotted name ("a.b.evil.com", "1.2.3.4.5") is consumed whole even when it
 * is rejected, so no recogniser ever starts inside one. */
#include <stdint.h>
#include <string.h>

#include "text/ioc_int.h"

/* The HY__C_* classes (ioc_int.h) of every byte; bytes from 0x80 on are
 * none (indicators are ASCII). */
const uint16_t hy__cls[256] = {
    /* clang-format off */
    /* 0x00 */ 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000,
    /* 0x08 */ 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000,
    /* 0x10 */ 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000,
    /* 0x18 */ 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000, 0x000,
    /* 0x20 */ 0x000, 0x060, 0x000, 0x060, 0x060, 0x1e0, 0x060, 0x060,
    /* 0x28 */ 0x060, 0x060, 0x020, 0x0f0, 0x020, 0x0e8, 0x0e0, 0x130,
    /* 0x30 */ 0x1fe, 0x1fe, 0x1fe, 0x1fe, 0x1fe, 0x1fe, 0x1fe, 0x1fe,
    /* 0x38 */ 0x1fe, 0x1fe, 0x120, 0x020, 0x000, 0x020, 0x000, 0x020,
    /* 0x40 */ 0x160, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x1f9,
    /* 0x48 */ 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9,
    /* 0x50 */ 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9,
    /* 0x58 */ 0x1f9, 0x1f9, 0x1f9, 0x060, 0x100, 0x060, 0x000, 0x0e8,
    /* 0x60 */ 0x000, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x1fd, 0x1f9,
    /* 0x68 */ 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9,
    /* 0x70 */ 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9, 0x1f9,
    /* 0x78 */ 0x1f9, 0x1f9, 0x1f9, 0x040, 0x000, 0x040, 0x160, 0x000,
    /* 0x80-0xff: nothing */
    /* clang-format on */
};

void hy__emit(hy__scan *sc, hy_ioc_type t, size_t start, size_t end, const char *v, size_t vlen)
{
    if (sc->err == HY_OK && vlen > 0 && vlen <= HY_IOC_MAX_VALUE)
        sc->err = sc->emit(sc->ud, t, start, end, v, vlen);
}

#if defined(__SSE2__) && !defined(HY_SCAN_SCALAR)
#include <emmintrin.h>

/* The bytes of v that are not ASCII letters or digits, as a bit mask. */
static inline unsigned not_alnum(__m128i v)
{
    __m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
    return ~(unsigned)_mm_movemask_epi8(_mm_or_si128(digit, alpha)) & 0xffffu;
}
#endif

size_t hy__alnum_end(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__) && !defined(HY_SCAN_SCALAR)
    while (i + 16 <= n) {
        unsigned m = not_alnum(_mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        if (m)
            return i + (unsigned)__builtin_ctz(m);
        i += 16;
    }
#endif
    while (i < n && hy__is(s[i], HY__C_ALNUM))
        i++;
    return i;
}

static size_t alnum_end(const hy__scan *sc, size_t i)
{
    return hy__alnum_end((const unsigned char *)sc->s, i, sc->n);
}

/* Recognisers for a word s[i..j) followed by ':'. */
static size_t after_colon(hy__scan *sc, size_t i, size_t j)
{
    size_t e;
    if ((e = hy__scan_url(sc, i)))
        return e;
    if (j - i == 1 && hy__is((unsigned char)sc->s[i], HY__C_ALPHA) && j + 1 < sc->n &&
        sc->s[j + 1] == '\\')
        return hy__scan_drive_path(sc, i);
    if ((e = hy__scan_mac(sc, i)) || (e = hy__scan_ssdeep(sc, i, j)))
        return e;
    return hy__scan_ipv6(sc, i);
}

/* First letters of the words hy__scan_word recognises (CVE, ATT&CK ids,
 * ASN, registry hives, JA3). */
static const uint8_t word_first[256] = {
    ['C'] = 1, ['c'] = 1, ['T'] = 1, ['G'] = 1, ['S'] = 1, ['A'] = 1,
    ['H'] = 1, ['h'] = 1, ['J'] = 1, ['j'] = 1,
};

/* Everything that can start at the word s[i..j). */
static size_t at_word(hy__scan *sc, size_t i)
{
    size_t j = alnum_end(sc, i), e = 0;
    unsigned char nc = j < sc->n ? (unsigned char)sc->s[j] : 0;

    /* hy__scan_word's own first test, inline: most words are none of
     * CVE-, T1234, AS123, HKLM or JA3 */
    if (j - i >= 2 && j - i <= 13 && word_first[(unsigned char)sc->s[i]] &&
        (e = hy__scan_word(sc, i, j)))
        return e;
    switch (nc) {
    case ':':
        e = after_colon(sc, i, j);
        break;
    case '+':
        e = hy__scan_url(sc, i);
        break;
    case '-':
        if (!(e = hy__scan_mac(sc, i)) && !(e = hy__scan_url(sc, i)))
            e = hy__scan_dotted(sc, i);
        break;
    case '.':
        if (!(e = hy__scan_url(sc, i)))
            e = hy__scan_dotted(sc, i);
        break;
    case '_':
        e = hy__scan_dotted(sc, i);
        break;
    case '@':
        return j; /* the local part of an e-mail address: see '@' */
    default:
        break;
    }
    if (e || j - i < 14)
        return e ? e : j;
    if (!hy__emit_hash(sc, i, j))
        hy__scan_coin(sc, i, j);
    return j;
}

/* The recognisers for a non-alphanumeric trigger at s[i]. */
static size_t at_punct(hy__scan *sc, size_t i)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    unsigned char c = s[i], prev = i ? s[i - 1] : 0, next = i + 1 < sc->n ? s[i + 1] : 0;

    switch (c) {
    case '\\':
        return next == '\\' && prev != '\\' ? hy__scan_unc_path(sc, i) : 0;
    case '%':
        return hy__is(prev, HY__C_ALNUM) ? 0 : hy__scan_env_path(sc, i);
    case '/':
        if (hy__is(prev, HY__C_ALNUM) || (prev && strchr("/:.<-_~\\", prev)))
            return 0;
        return hy__scan_unix_path(sc, i);
    case '~':
        return next == '/' && !hy__is(prev, HY__C_LABEL) ? hy__scan_unix_path(sc, i) : 0;
    case ':':
        return next == ':' && prev != ':' && !hy__is(prev, HY__C_ALNUM) ? hy__scan_ipv6(sc, i) : 0;
    case '@':
        return hy__scan_email(sc, i);
    default:
        return 0;
    }
}

void hy__scan_run(hy__scan *sc)
{
    const unsigned char *s = (const unsigned char *)sc->s;
    size_t n = sc->n, i = 0, e, resume = 0;

    while (i < n && sc->err == HY_OK) {
        unsigned char c = s[i];
        if (!(hy__cls[c] & HY__C_TRIG)) {
            i++;
            continue;
        }
        if (hy__cls[c] & HY__C_ALNUM) {
            /* a word start, or where a recogniser stopped on purpose
             * ("...xhttps://": two URLs run together) */
            if (i > 0 && hy__is(s[i - 1], HY__C_ALNUM) && i != resume)
                e = alnum_end(sc, i);
            else
                e = at_word(sc, i);
        } else {
            e = at_punct(sc, i);
        }
        resume = e > i ? e : 0;
        i = e > i ? e : i + 1;
    }
}
