/* Indicators recognised from one word and what follows it: hashes (whole
 * hex words of 32/40/64/128 digits; an MD5 within 20 bytes after a
 * "JA3"/"JA3S" keyword is a JA3 fingerprint instead), ssdeep digests,
 * CVE ids, MITRE ATT&CK ids (T1234, T1234.001, TA0001, G0001, S0001;
 * upper case only), autonomous systems ("AS13335", "ASN 13335"; upper
 * case only, since "as 2" is English) and registry hives. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "text/ioc_int.h"

#define JA3_REACH 20u

static bool is_c(const char *s, size_t k, size_t n, unsigned cls)
{
    return k < n && hy__is((unsigned char)s[k], cls);
}

static bool all_c(const char *s, size_t i, size_t j, unsigned cls)
{
    for (size_t k = i; k < j; k++)
        if (!hy__is((unsigned char)s[k], cls))
            return false;
    return true;
}

bool hy__emit_hash(hy__scan *sc, size_t i, size_t j)
{
    static const hy_ioc_type by_len[] = {[32 / 8] = HY_IOC_MD5,
                                         [40 / 8] = HY_IOC_SHA1,
                                         [64 / 8] = HY_IOC_SHA256,
                                         [128 / 8] = HY_IOC_SHA512};
    size_t len = j - i;
    char v[129];
    hy_ioc_type t;

    if ((len != 32 && len != 40 && len != 64 && len != 128) || !all_c(sc->s, i, j, HY__C_HEX))
        return false;
    for (size_t k = 0; k < len; k++)
        v[k] = (char)(sc->s[i + k] | (sc->s[i + k] >= 'A' ? 0x20 : 0));
    t = by_len[len / 8];
    if (t == HY_IOC_MD5 && sc->ja3 && i <= sc->ja3_until)
        t = HY_IOC_JA3;
    hy__emit(sc, t, i, j, v, len);
    return true;
}

/* ---- ssdeep ------------------------------------------------------------- */

/* A base64 run from k of 1..max bytes; its end or 0. */
static size_t b64_run(const char *s, size_t n, size_t k, size_t max)
{
    size_t e = k;
    while (e < n && e - k <= max && hy__is((unsigned char)s[e], HY__C_B64))
        e++;
    return e > k && e - k <= max ? e : 0;
}

size_t hy__scan_ssdeep(hy__scan *sc, size_t i, size_t j)
{
    const char *s = sc->s;
    size_t n = sc->n, h1, h2;
    unsigned long bs = 0;

    if (j - i > 10 || !all_c(s, i, j, HY__C_DIGIT))
        return 0;
    for (size_t k = i; k < j; k++)
        bs = bs * 10 + (unsigned long)(s[k] - '0');
    if (bs < 3 || bs % 3 || ((bs / 3) & (bs / 3 - 1)))
        return 0; /* block sizes are 3 * 2^k */
    if (!(h1 = b64_run(s, n, j + 1, 64)) || h1 - (j + 1) < 3 || h1 >= n || s[h1] != ':')
        return 0;
    if (!(h2 = b64_run(s, n, h1 + 1, 64)) || h2 - (h1 + 1) < 2 || (h2 < n && s[h2] == ':'))
        return 0;
    if (all_c(s, j + 1, h1, HY__C_DIGIT) && all_c(s, h1 + 1, h2, HY__C_DIGIT))
        return 0; /* a time of day */
    hy__emit(sc, HY_IOC_SSDEEP, i, h2, s + i, h2 - i);
    return h2;
}

/* ---- ids ------------------------------------------------------------------ */

static size_t scan_cve(hy__scan *sc, size_t i, size_t j)
{
    const char *s = sc->s;
    size_t n = sc->n, k = j + 6, e;
    char v[24];

    if (k + 4 > n || s[j] != '-' || !all_c(s, j + 1, j + 5, HY__C_DIGIT) || s[j + 5] != '-')
        return 0;
    for (e = k; e < n && e - k < 8 && is_c(s, e, n, HY__C_DIGIT); e++)
        ;
    if (e - k < 4 || e - k > 7 || is_c(s, e, n, HY__C_ALNUM) ||
        (s[j + 1] != '1' && s[j + 1] != '2'))
        return 0;
    memcpy(v, "CVE", 3);
    memcpy(v + 3, s + j, e - j);
    hy__emit(sc, HY_IOC_CVE, i, e, v, 3 + (e - j));
    return e;
}

static size_t scan_attack(hy__scan *sc, size_t i, size_t j)
{
    const char *s = sc->s;
    size_t n = sc->n, len = j - i;
    hy_ioc_type t;

    if (len == 6 && s[i] == 'T' && s[i + 1] == 'A' && s[i + 2] == '0' &&
        all_c(s, i + 2, j, HY__C_DIGIT))
        t = HY_IOC_ATTACK_TACTIC;
    else if (len != 5 || !strchr("TGS", s[i]) || (s[i + 1] != '0' && s[i + 1] != '1') ||
             !all_c(s, i + 1, j, HY__C_DIGIT))
        return 0;
    else
        t = s[i] == 'T'   ? HY_IOC_ATTACK_TECHNIQUE
            : s[i] == 'G' ? HY_IOC_ATTACK_GROUP
                          : HY_IOC_ATTACK_SOFTWARE;
    if (t == HY_IOC_ATTACK_TECHNIQUE && j + 1 < n && s[j] == '.' &&
        is_c(s, j + 1, n, HY__C_DIGIT)) {
        if (j + 4 > n || !all_c(s, j + 1, j + 4, HY__C_DIGIT) || is_c(s, j + 4, n, HY__C_ALNUM) ||
            (j + 5 < n && s[j + 4] == '.' && is_c(s, j + 5, n, HY__C_DIGIT)))
            return 0;
        j += 4; /* a sub-technique */
    }
    hy__emit(sc, t, i, j, s + i, j - i);
    return j;
}

static size_t scan_asn(hy__scan *sc, size_t i, size_t j)
{
    const char *s = sc->s;
    size_t n = sc->n, k = j, d;
    unsigned long long v = 0;
    char out[16];

    if (j - i > 3 && s[i + 2] == 'N' && all_c(s, i + 3, j, HY__C_DIGIT))
        k = i + 3; /* "ASN13335" */
    else if (j - i > 2 && all_c(s, i + 2, j, HY__C_DIGIT))
        k = i + 2; /* "AS13335" */
    else if (j - i == 2 || (j - i == 3 && s[i + 2] == 'N')) {
        if (k < n && s[k] == ':')
            k++;
        if (k < n && s[k] == ' ')
            k++;
        if (k == j)
            return 0;
    } else {
        return 0;
    }
    for (d = k; d < n && d - k < 10 && is_c(s, d, n, HY__C_DIGIT); d++)
        v = v * 10 + (unsigned)(s[d] - '0');
    if (d == k || v == 0 || v > 4294967295ull || is_c(s, d, n, HY__C_ALNUM) ||
        (d + 1 < n && (s[d] == '.' || s[d] == ',') && is_c(s, d + 1, n, HY__C_DIGIT)))
        return 0;
    int w = snprintf(out, sizeof out, "AS%llu", v);
    hy__emit(sc, HY_IOC_ASN, i, d, out, (size_t)w);
    return d;
}

size_t hy__scan_word(hy__scan *sc, size_t i, size_t j)
{
    const char *s = sc->s;
    size_t len = j - i;

    if (len < 2 || len > 13)
        return 0;
    switch (s[i]) {
    case 'C':
    case 'c':
        return len == 3 && (s[i + 1] | 0x20) == 'v' && (s[i + 2] | 0x20) == 'e' ? scan_cve(sc, i, j)
                                                                                : 0;
    case 'T':
    case 'G':
    case 'S':
        return len == 5 || len == 6 ? scan_attack(sc, i, j) : 0;
    case 'A':
        return s[i + 1] == 'S' ? scan_asn(sc, i, j) : 0;
    case 'H':
    case 'h':
        return len >= 3 && len <= 4 && (s[i + 1] | 0x20) == 'k' ? hy__scan_regkey(sc, i) : 0;
    case 'J':
    case 'j':
        if ((len == 3 || len == 4) && (s[i + 1] | 0x20) == 'a' && s[i + 2] == '3' &&
            (len == 3 || (s[i + 3] | 0x20) == 's')) {
            sc->ja3 = true;
            sc->ja3_until = j + JA3_REACH;
            return j;
        }
        return 0;
    default:
        return 0;
    }
}
