/* EMBER v2 feature vector: the byte-level groups (histogram, byte/entropy
 * histogram, strings), the feature hasher and the assembly. The PE groups
 * are in ember_pe.c. features.py computes its entropies with numpy float32
 * arithmetic; np_sum_f32 reproduces numpy's pairwise summation order so the
 * entropy bin a window lands in matches. */
#include "hayate/ember.h"
#include "hayate/file.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define EMBER_WINDOW     2048u
#define EMBER_STEP       1024u
#define EMBER_MIN_STRING 5u

const hy_ember_group hy_ember_groups[HY_EMBER_NGROUPS] = {
    {"histogram", HY_EMBER_HISTOGRAM_OFF, HY_EMBER_HISTOGRAM_DIM},
    {"byteentropy", HY_EMBER_BYTEENTROPY_OFF, HY_EMBER_BYTEENTROPY_DIM},
    {"strings", HY_EMBER_STRINGS_OFF, HY_EMBER_STRINGS_DIM},
    {"general", HY_EMBER_GENERAL_OFF, HY_EMBER_GENERAL_DIM},
    {"header", HY_EMBER_HEADER_OFF, HY_EMBER_HEADER_DIM},
    {"section", HY_EMBER_SECTION_OFF, HY_EMBER_SECTION_DIM},
    {"imports", HY_EMBER_IMPORTS_OFF, HY_EMBER_IMPORTS_DIM},
    {"exports", HY_EMBER_EXPORTS_OFF, HY_EMBER_EXPORTS_DIM},
    {"datadirectories", HY_EMBER_DATADIR_OFF, HY_EMBER_DATADIR_DIM},
};

const char *hy_ember_group_name(size_t dim)
{
    for (size_t g = 0; g < HY_EMBER_NGROUPS; g++)
        if (dim >= hy_ember_groups[g].offset &&
            dim < hy_ember_groups[g].offset + hy_ember_groups[g].dim)
            return hy_ember_groups[g].name;
    return NULL;
}

void hy_ember_hash_add(double *bins, size_t nbins, const char *s, size_t n, double value)
{
    if (!bins || nbins == 0 || (!s && n > 0))
        return;
    int32_t h = (int32_t)hy_murmur3_32(s, n, 0);
    int64_t mag = h < 0 ? -(int64_t)h : (int64_t)h; /* |INT32_MIN| is 2^31 */
    bins[(size_t)(mag % (int64_t)nbins)] += h >= 0 ? value : -value;
}

/* numpy's float32 add.reduce: identity 0 plus a pairwise sum (blocks of at
 * most 128 summed with eight accumulators, halves split on multiples of 8). */
static float np_pairwise_f32(const float *a, size_t n)
{
    if (n < 8) {
        float r = 0.0f;
        for (size_t i = 0; i < n; i++)
            r += a[i];
        return r;
    }
    if (n <= 128) {
        float r[8];
        size_t i;
        for (int j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++)
                r[j] += a[i + (size_t)j];
        float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return np_pairwise_f32(a, n2) + np_pairwise_f32(a + n2, n - n2);
}

static float np_sum_f32(const float *a, size_t n)
{
    return 0.0f + np_pairwise_f32(a, n);
}

/* -sum p log2 p over the nonzero counts, p = count / div, all in float32. */
static float entropy_f32(const uint64_t *c, size_t nbins, float div)
{
    float t[96];
    size_t k = 0;
    for (size_t i = 0; i < nbins && k < 96; i++)
        if (c[i]) {
            float p = (float)c[i] / div;
            t[k++] = -p * log2f(p);
        }
    return np_sum_f32(t, k);
}

/* Counts scaled by their numpy float32 sum; zeros when the sum is 0. */
static void normalise_counts(const uint64_t *c, size_t nbins, float *out)
{
    float f[256];
    for (size_t i = 0; i < nbins; i++)
        f[i] = (float)c[i];
    float sum = np_sum_f32(f, nbins);
    for (size_t i = 0; i < nbins; i++)
        out[i] = sum > 0.0f ? f[i] / sum : 0.0f;
}

static void byte_histogram(const uint8_t *p, size_t n, float *out)
{
    uint64_t c[256];
    hy_byte_counts(p, n, c);
    normalise_counts(c, 256, out);
}

/* One window of nibble counts c: they go to the row of its entropy bin.
 * p is count / window even for a file shorter than the window. */
static void entropy_window(const uint64_t *c, uint64_t *hist)
{
    float h = entropy_f32(c, 16, (float)EMBER_WINDOW) * 2.0f;
    int bin = (int)(h * 2.0f);
    bin = bin < 0 ? 0 : bin > 15 ? 15 : bin;
    for (int k = 0; k < 16; k++)
        hist[16 * bin + k] += c[k];
}

/* High-nibble counts of n bytes. */
static void nibbles(const uint8_t *p, size_t n, uint64_t *c)
{
    uint32_t a[16] = {0}, b[16] = {0};
    size_t i = 0;
    for (; i + 1 < n; i += 2) { /* two arrays: no store-to-load chains */
        a[p[i] >> 4]++;
        b[p[i + 1] >> 4]++;
    }
    if (i < n)
        a[p[i] >> 4]++;
    for (int k = 0; k < 16; k++)
        c[k] = (uint64_t)a[k] + b[k];
}

/* Windows of EMBER_WINDOW bytes start every EMBER_STEP (half a window)
 * while a whole window fits: each window is two consecutive steps, so
 * every step's nibbles are counted once and used twice. */
static void byte_entropy_histogram(const uint8_t *p, size_t n, float *out)
{
    _Static_assert(EMBER_WINDOW == 2 * EMBER_STEP, "a window is two steps");
    uint64_t hist[256] = {0}, prev[16], cur[16], w[16];
    if (n < EMBER_WINDOW) {
        nibbles(p, n, w);
        entropy_window(w, hist);
    } else {
        nibbles(p, EMBER_STEP, prev);
        for (size_t off = 0; off <= n - EMBER_WINDOW; off += EMBER_STEP) {
            nibbles(p + off + EMBER_STEP, EMBER_STEP, cur);
            for (int k = 0; k < 16; k++)
                w[k] = prev[k] + cur[k];
            entropy_window(w, hist);
            memcpy(prev, cur, sizeof prev);
        }
    }
    normalise_counts(hist, 256, out);
}

static bool ieq(const uint8_t *p, const char *lit, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        uint8_t c = p[i] >= 'A' && p[i] <= 'Z' ? (uint8_t)(p[i] + 32) : p[i];
        if (c != (uint8_t)lit[i])
            return false;
    }
    return true;
}

typedef struct str_counts {
    uint64_t nstrings, printables, paths, urls, registry, mz;
    uint64_t dist[96];
} str_counts;

/* Non-overlapping matches of features.py's patterns starting at p[i]; each
 * pattern cannot overlap itself, so counting every start is findall's count. */
static void count_patterns(const uint8_t *p, size_t n, size_t i, str_counts *s)
{
    size_t left = n - i;
    if (left >= 3 && ieq(p + i, "c:\\", 3))
        s->paths++;
    if (left >= 7 && ieq(p + i, "http://", 7))
        s->urls++;
    else if (left >= 8 && ieq(p + i, "https://", 8))
        s->urls++;
    if (left >= 5 && memcmp(p + i, "HKEY_", 5) == 0)
        s->registry++;
    if (left >= 2 && p[i] == 'M' && p[i + 1] == 'Z')
        s->mz++;
}

/* Bytes a pattern of count_patterns can start with: c, C (c:\), h, H
 * (http, https, HKEY_), M (MZ). */
static bool may_start(uint8_t c)
{
    /* one bit per byte 0x40..0x7f: C (0x43), H (0x48), M (0x4d), c, h */
    const uint64_t m = 1ull << 3 | 1ull << 8 | 1ull << 13 | 1ull << 35 | 1ull << 40;
    return (c & 0xc0) == 0x40 && (m >> (c & 0x3f)) & 1;
}

static bool printable(uint8_t c) /* [\x20-\x7f] */
{
    return (uint8_t)(c - 0x20) < 0x60;
}

static void strings_group(const uint8_t *p, size_t n, float *out)
{
    str_counts s;
    memset(&s, 0, sizeof s);
    for (size_t i = 0; i < n;) {
        while (i < n && !printable(p[i]))
            i++;
        size_t start = i;
        for (; i < n && printable(p[i]); i++)
            if (may_start(p[i])) /* every pattern is printable */
                count_patterns(p, n, i, &s);
        size_t run = i - start;
        if (run >= EMBER_MIN_STRING) {
            s.nstrings++;
            s.printables += run;
            for (size_t k = start; k < i; k++)
                s.dist[p[k] - 0x20]++;
        }
    }
    out[0] = (float)s.nstrings;
    out[1] = s.nstrings ? (float)((double)s.printables / (double)s.nstrings) : 0.0f;
    out[2] = (float)s.printables;
    double div = s.printables ? (double)s.printables : 1.0;
    for (int k = 0; k < 96; k++)
        out[3 + k] = (float)((double)s.dist[k] / div);
    out[99] = s.printables ? entropy_f32(s.dist, 96, (float)s.printables) : 0.0f;
    out[100] = (float)s.paths;
    out[101] = (float)s.urls;
    out[102] = (float)s.registry;
    out[103] = (float)s.mz;
}

hy_err hy_ember_generic_groups(const uint8_t *p, size_t n, float out[HY_EMBER_GENERIC_DIM])
{
    if (!out || (!p && n > 0))
        return hy_err_set(HY_ERR_ARG, "ember: NULL %s", out ? "bytes" : "output");
    memset(out, 0, sizeof(float) * HY_EMBER_GENERIC_DIM);
    byte_histogram(p, n, out + HY_EMBER_HISTOGRAM_OFF);
    byte_entropy_histogram(p, n, out + HY_EMBER_BYTEENTROPY_OFF);
    strings_group(p, n, out + HY_EMBER_STRINGS_OFF);
    return HY_OK;
}

hy_err hy_ember_features(const uint8_t *p, size_t n, const hy_pe *pe, float out[HY_EMBER_DIM])
{
    hy_err rc = hy_ember_generic_groups(p, n, out);
    if (rc != HY_OK)
        return rc;
    hy_ember_pe_groups(n, pe, out);
    return HY_OK;
}
