/* hy_attack_find_software: ATT&CK software named in a text.
 *
 * Every software name and alias becomes a needle keyed by its first two
 * bytes (lowercased); the text is scanned once, and at each position where a
 * word may start the needles of that key are tried. A match must be a whole
 * word: the byte before it (when the needle starts with a letter, digit or
 * '_') and the byte after it (when the needle ends with one) must not be a
 * letter, digit or '_'. A space in a name matches any run of blanks, so a
 * name broken across lines still matches.
 *
 * Case: needles of up to 3 bytes match case-sensitively, longer ones
 * case-insensitively (hayate/intel.h). Some ATT&CK software is named with an
 * everyday English word ("Play", "Agenda", "Page", "Wiper"); those match
 * only as written (case-sensitively), and the two lowercase command names
 * that are also common words ("at", "route") only as "at.exe"/"route.exe".
 * Needles of one byte are never used. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attack_int.h"

typedef struct needle {
    const char *s;
    size_t n;
    uint32_t entry; /* index into the tables */
    uint16_t key;   /* first two bytes, lowercased */
    uint32_t pre;   /* up to 4 first bytes lowercased, before any blank (a filter) */
    uint32_t mask;  /* the bytes of pre that count */
    bool exact;     /* case-sensitive */
    bool exe;       /* must be followed by ".exe" */
} needle;

/* ATT&CK software names and aliases that are everyday English words. */
static const char *const common_words[] = {
    "Agenda",   "Anchor",  "Aurora",  "Avenger",  "Bread",     "Cannon",    "Carbon",   "Chameleon",
    "Chaos",    "Charger", "Circles", "Covenant", "Crimson",   "Disco",     "Donut",    "Embargo",
    "Emissary", "Empire",  "Epic",    "Expand",   "Explosive", "Ferocious", "Flame",    "James",
    "Joker",    "Judy",    "Kevin",   "Mango",    "Meteor",    "Milan",     "Mosquito", "Ninja",
    "Octopus",  "Page",    "Ping",    "Play",     "Pony",      "Prestige",  "Proton",   "Responder",
    "Rover",    "Royal",   "Ruler",   "Samurai",  "Scorpion",  "Shark",     "Snake",    "Solar",
    "Soldier",  "Spark",   "Trinity", "Wiper",
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool word_byte(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_blank(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static uint16_t key_of(const char *s)
{
    return (uint16_t)(lower((unsigned char)s[0]) << 8 | lower((unsigned char)s[1]));
}

static int needle_cmp(const void *a, const void *b)
{
    const needle *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static hy_err add_needle(needle **v, size_t *n, size_t *alloc, const char *s, size_t len,
                         uint32_t entry)
{
    if (len < 2)
        return HY_OK;
    if (*n == *alloc) {
        size_t na = *alloc ? *alloc * 2 : 512;
        needle *nv = realloc(*v, na * sizeof *nv);
        if (!nv)
            return HY_ERR_NOMEM;
        *v = nv;
        *alloc = na;
    }
    needle *d = &(*v)[(*n)++];
    *d = (needle){.s = s, .n = len, .entry = entry, .key = key_of(s), .exact = len <= 3};
    for (size_t k = 0; k < 4 && k < len && s[k] != ' '; k++) {
        d->pre |= (uint32_t)lower((unsigned char)s[k]) << (8 * k);
        d->mask |= 0xffu << (8 * k);
    }
    for (size_t i = 0; i < sizeof common_words / sizeof *common_words && !d->exact; i++)
        d->exact = strlen(common_words[i]) == len && memcmp(common_words[i], s, len) == 0;
    d->exe = (len == 2 && memcmp(s, "at", 2) == 0) || (len == 5 && memcmp(s, "route", 5) == 0);
    return HY_OK;
}

/* Needles for every software name and alias of t, sorted by key. */
static hy_err build_needles(const hy_attack_tables *t, needle **out, size_t *count)
{
    size_t n = 0, alloc = 0;
    needle *v = NULL;
    hy_err rc = HY_OK;
    for (size_t i = 0; i < t->n && rc == HY_OK; i++) {
        const hy_attack_entry *e = &t->v[i];
        if (e->kind != HY_ATTACK_SOFTWARE)
            continue;
        rc = add_needle(&v, &n, &alloc, e->name, strlen(e->name), (uint32_t)i);
        for (const char *a = e->aliases; rc == HY_OK && a && *a;) {
            const char *bar = strchr(a, '|');
            size_t k = bar ? (size_t)(bar - a) : strlen(a);
            rc = add_needle(&v, &n, &alloc, a, k, (uint32_t)i);
            a += k + (bar ? 1 : 0);
        }
    }
    if (rc != HY_OK) {
        free(v);
        return rc;
    }
    if (n)
        qsort(v, n, sizeof *v, needle_cmp);
    *out = v;
    *count = n;
    return HY_OK;
}

/* Length of the text matched by needle d at text[i], or 0. */
static size_t match_at(const needle *d, const char *text, size_t len, size_t i)
{
    size_t j = i;
    for (size_t k = 0; k < d->n; k++) {
        int c = (unsigned char)d->s[k];
        if (c == ' ' && j < len && is_blank((unsigned char)text[j])) {
            while (j < len && is_blank((unsigned char)text[j]))
                j++;
            continue;
        }
        if (j >= len)
            return 0;
        int t = (unsigned char)text[j];
        if (d->exact ? t != c : lower(t) != lower(c))
            return 0;
        j++;
    }
    if (d->exe) {
        if (len - j < 4 || strncasecmp(text + j, ".exe", 4) != 0)
            return 0;
        j += 4;
    }
    if (word_byte((unsigned char)d->s[d->n - 1]) && j < len && word_byte((unsigned char)text[j]))
        return 0;
    return j - i;
}

typedef struct found {
    size_t first; /* offset of the first match */
    uint32_t entry;
} found;

static int found_cmp(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return (x->entry > y->entry) - (x->entry < y->entry);
}

#define NKEYS 65536u

/* text[i..i + 4) lowercased, one byte a lane (0 past the end). */
static uint32_t lower4(const char *text, size_t len, size_t i)
{
    uint32_t w = 0;
    for (size_t k = 0; k < 4 && i + k < len; k++)
        w |= (uint32_t)lower((unsigned char)text[i + k]) << (8 * k);
    return w;
}

/* Scans text and records each entry's first match in first[] (SIZE_MAX:
 * none). at[k]..at[k + 1] are the needles (sorted by key) of key k; each is
 * tried only when its first bytes agree (pre, mask), case aside. */
static void scan(const needle *v, const uint32_t *at, const char *text, size_t len,
                 size_t *first)
{
    uint64_t has[NKEYS / 64] = {0}; /* keys with needles: 8 KiB, not at[]'s 256 */
    uint8_t cls[256] = {0};         /* 1: a word byte, 2: a blank */
    for (uint32_t k = 0; k < NKEYS; k++)
        if (at[k] != at[k + 1])
            has[k / 64] |= 1ull << (k % 64);
    for (int c = 0; c < 256; c++)
        cls[c] = word_byte(c) ? 1 : is_blank(c) ? 2 : 0;
    for (size_t i = 0; i + 1 < len;) {
        uint8_t c = cls[(unsigned char)text[i]];
        if (c == 2) { /* no needle starts with a blank */
            i++;
            continue;
        }
        uint16_t key = key_of(text + i);
        if (has[key / 64] >> (key % 64) & 1) {
            uint32_t w = lower4(text, len, i);
            for (uint32_t k = at[key]; k < at[key + 1]; k++)
                if ((w & v[k].mask) == v[k].pre && first[v[k].entry] == SIZE_MAX &&
                    match_at(&v[k], text, len, i))
                    first[v[k].entry] = i;
        }
        i++;
        while (c == 1 && i < len && cls[(unsigned char)text[i]] == 1)
            i++; /* the rest of a word: no needle starting with a word byte starts there */
    }
}

/* The index of the needles (sorted by key) by key: NKEYS + 1 offsets. */
static uint32_t *index_needles(const needle *v, size_t nv)
{
    uint32_t *at = calloc(NKEYS + 1, sizeof *at);
    if (!at)
        return NULL;
    for (size_t k = 0; k < nv; k++)
        at[v[k].key + 1]++;
    for (size_t k = 0; k < NKEYS; k++)
        at[k + 1] += at[k];
    return at;
}

hy_err hy_attack_find_software(const hy_attack_tables *t, const char *text, size_t len,
                               const hy_attack_entry ***ids, size_t *count)
{
    needle *v = NULL;
    uint32_t *at = NULL;
    size_t nv = 0, *first = NULL, nf = 0;
    found *f = NULL;
    hy_err rc;

    if (!t || !ids || !count || (!text && len))
        return hy_err_set(HY_ERR_ARG, "attack software: NULL argument");
    *ids = NULL;
    *count = 0;
    if (len > HY_IOC_MAX_TEXT)
        return hy_err_set(HY_ERR_TOOBIG,
                          "attack software: a text of %zu bytes, more than the cap of %u", len,
                          HY_IOC_MAX_TEXT);
    if ((rc = build_needles(t, &v, &nv)) != HY_OK)
        return rc;
    if (!nv || len < 2)
        goto out;
    if (!(first = malloc(t->n * sizeof *first)) || !(f = malloc(t->n * sizeof *f)) ||
        !(at = index_needles(v, nv))) {
        rc = HY_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < t->n; i++)
        first[i] = SIZE_MAX;
    scan(v, at, text, len, first);
    for (size_t i = 0; i < t->n; i++)
        if (first[i] != SIZE_MAX)
            f[nf++] = (found){first[i], (uint32_t)i};
    if (!nf)
        goto out;
    qsort(f, nf, sizeof *f, found_cmp);
    if (!(*ids = malloc(nf * sizeof **ids))) {
        rc = HY_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < nf; i++)
        (*ids)[i] = &t->v[f[i].entry];
    *count = nf;
out:
    free(v);
    free(at);
    free(first);
    free(f);
    return rc;
}
