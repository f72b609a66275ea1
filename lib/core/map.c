/* Open-addressing hash map with Robin Hood probing and backward-shift
 * deletion (no tombstones), so lookups stay short even after many deletes.
 * hy_hash64 is XXH64, written from its published specification. */
#include "hayate/map.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define HY_MAP_MIN_SLOTS 16
#define HY_MAP_SEED      0x68617961746521ull /* fixed: iteration order is reproducible */

typedef struct hy__slot {
    uint64_t hash;
    uint32_t dist; /* 0: empty; else 1 + distance from the home slot */
    size_t klen;
    char *key;
    void *value;
} hy__slot;

struct hy_map {
    hy__slot *slots;
    size_t nslots; /* a power of two */
    size_t count;
    size_t max_entries;
    hy_map_free_fn free_value;
};

/* ---- XXH64 ---- */

#define P64_1 0x9E3779B185EBCA87ull
#define P64_2 0xC2B2AE3D27D4EB4Full
#define P64_3 0x165667B19E3779F9ull
#define P64_4 0x85EBCA77C2B2AE63ull
#define P64_5 0x27D4EB2F165667C5ull

static inline uint64_t rotl64(uint64_t x, int r)
{
    return x << r | x >> (64 - r);
}

static inline uint64_t rd64le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static inline uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t xxh_round(uint64_t acc, uint64_t lane)
{
    acc += lane * P64_2;
    return rotl64(acc, 31) * P64_1;
}

static inline uint64_t xxh_merge(uint64_t acc, uint64_t v)
{
    acc ^= xxh_round(0, v);
    return acc * P64_1 + P64_4;
}

uint64_t hy_hash64(const void *data, size_t n, uint64_t seed)
{
    const uint8_t *p = data;
    size_t off = 0;
    uint64_t h;

    if (n >= 32) {
        uint64_t v1 = seed + P64_1 + P64_2, v2 = seed + P64_2, v3 = seed, v4 = seed - P64_1;
        for (; n - off >= 32; off += 32) {
            v1 = xxh_round(v1, rd64le(p + off));
            v2 = xxh_round(v2, rd64le(p + off + 8));
            v3 = xxh_round(v3, rd64le(p + off + 16));
            v4 = xxh_round(v4, rd64le(p + off + 24));
        }
        h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
        h = xxh_merge(h, v1);
        h = xxh_merge(h, v2);
        h = xxh_merge(h, v3);
        h = xxh_merge(h, v4);
    } else {
        h = seed + P64_5;
    }
    h += (uint64_t)n;
    for (; n - off >= 8; off += 8)
        h = rotl64(h ^ xxh_round(0, rd64le(p + off)), 27) * P64_1 + P64_4;
    if (n - off >= 4) {
        h = rotl64(h ^ (uint64_t)rd32le(p + off) * P64_1, 23) * P64_2 + P64_3;
        off += 4;
    }
    for (; off < n; off++)
        h = rotl64(h ^ (uint64_t)p[off] * P64_5, 11) * P64_1;
    h ^= h >> 33;
    h *= P64_2;
    h ^= h >> 29;
    h *= P64_3;
    h ^= h >> 32;
    return h;
}

/* ---- map ---- */

hy_err hy_map_create(size_t max_entries, hy_map_free_fn free_value, hy_map **out)
{
    hy_map *m = calloc(1, sizeof *m);
    if (!m)
        return hy_err_set(HY_ERR_NOMEM, "map: out of memory");
    m->slots = calloc(HY_MAP_MIN_SLOTS, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return hy_err_set(HY_ERR_NOMEM, "map: out of memory");
    }
    m->nslots = HY_MAP_MIN_SLOTS;
    m->max_entries = max_entries;
    m->free_value = free_value;
    *out = m;
    return HY_OK;
}

void hy_map_destroy(hy_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nslots; i++) {
        if (!m->slots[i].dist)
            continue;
        free(m->slots[i].key);
        if (m->free_value)
            m->free_value(m->slots[i].value);
    }
    free(m->slots);
    free(m);
}

static bool key_eq(const hy__slot *s, uint64_t h, const void *key, size_t klen)
{
    return s->hash == h && s->klen == klen && (klen == 0 || memcmp(s->key, key, klen) == 0);
}

/* Index of the key's slot, or SIZE_MAX. Stops early once the probe distance
 * exceeds the resident's: Robin Hood order means the key cannot be further. */
static size_t find(const hy_map *m, uint64_t h, const void *key, size_t klen)
{
    size_t mask = m->nslots - 1;
    size_t i = (size_t)h & mask;
    for (uint32_t d = 1;; d++, i = (i + 1) & mask) {
        const hy__slot *s = &m->slots[i];
        if (s->dist < d)
            return SIZE_MAX;
        if (key_eq(s, h, key, klen))
            return i;
    }
}

/* Places e (known absent) into slots; there is always a free slot. */
static void place(hy__slot *slots, size_t nslots, hy__slot e)
{
    size_t mask = nslots - 1;
    size_t i = (size_t)e.hash & mask;
    e.dist = 1;
    for (;; i = (i + 1) & mask, e.dist++) {
        if (!slots[i].dist) {
            slots[i] = e;
            return;
        }
        if (slots[i].dist < e.dist) { /* take from the rich */
            hy__slot t = slots[i];
            slots[i] = e;
            e = t;
        }
    }
}

static hy_err grow(hy_map *m)
{
    size_t n = m->nslots * 2;
    hy__slot *ns;

    if (n < m->nslots || n > SIZE_MAX / sizeof *ns)
        return hy_err_set(HY_ERR_NOMEM, "map: too many slots");
    ns = calloc(n, sizeof *ns);
    if (!ns)
        return hy_err_set(HY_ERR_NOMEM, "map: cannot grow to %zu slots", n);
    for (size_t i = 0; i < m->nslots; i++)
        if (m->slots[i].dist)
            place(ns, n, m->slots[i]);
    free(m->slots);
    m->slots = ns;
    m->nslots = n;
    return HY_OK;
}

hy_err hy_map_put(hy_map *m, const void *key, size_t klen, void *value)
{
    uint64_t h = hy_hash64(key, klen, HY_MAP_SEED);
    size_t i = find(m, h, key, klen);
    hy__slot e = {.hash = h, .klen = klen, .value = value};
    hy_err err;

    if (i != SIZE_MAX) {
        void *old = m->slots[i].value;
        m->slots[i].value = value;
        if (m->free_value && old != value)
            m->free_value(old);
        return HY_OK;
    }
    if (m->max_entries && m->count >= m->max_entries)
        return hy_err_set(HY_ERR_TOOBIG, "map: cap of %zu entries reached", m->max_entries);
    /* keep the load factor at or below 0.7 */
    if ((m->count + 1) * 10 > m->nslots * 7 && (err = grow(m)) != HY_OK)
        return err;
    e.key = malloc(klen ? klen : 1);
    if (!e.key)
        return hy_err_set(HY_ERR_NOMEM, "map: out of memory");
    if (klen)
        memcpy(e.key, key, klen);
    place(m->slots, m->nslots, e);
    m->count++;
    return HY_OK;
}

void *hy_map_get(const hy_map *m, const void *key, size_t klen)
{
    uint64_t h = hy_hash64(key, klen, HY_MAP_SEED);
    size_t i = find(m, h, key, klen);
    return i == SIZE_MAX ? NULL : m->slots[i].value;
}

hy_err hy_map_del(hy_map *m, const void *key, size_t klen)
{
    uint64_t h = hy_hash64(key, klen, HY_MAP_SEED);
    size_t i = find(m, h, key, klen);
    size_t mask = m->nslots - 1;

    if (i == SIZE_MAX)
        return HY_ERR_NOTFOUND;
    free(m->slots[i].key);
    if (m->free_value)
        m->free_value(m->slots[i].value);
    /* Backward shift: pull each displaced follower one step home. */
    for (;;) {
        size_t next = (i + 1) & mask;
        if (m->slots[next].dist <= 1)
            break;
        m->slots[i] = m->slots[next];
        m->slots[i].dist--;
        i = next;
    }
    memset(&m->slots[i], 0, sizeof m->slots[i]);
    m->count--;
    return HY_OK;
}

size_t hy_map_count(const hy_map *m)
{
    return m->count;
}

void hy_map_each(const hy_map *m, int (*fn)(const void *key, size_t klen, void *value, void *ud),
                 void *ud)
{
    for (size_t i = 0; i < m->nslots; i++) {
        const hy__slot *s = &m->slots[i];
        if (s->dist && fn(s->key, s->klen, s->value, ud))
            return;
    }
}
