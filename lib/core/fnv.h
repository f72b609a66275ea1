/* hayate internal: FNV-1a (Fowler, Noll, Vo), 32- and 64-bit, plain and
 * with ASCII case folded. Seeds chain: pass a previous result as h. For
 * keys inside hayate (signature ids, text and word keys, service names,
 * n-gram sets), not for tables that face chosen input (hy_hash64). */
#ifndef HAYATE_CORE_FNV_H
#define HAYATE_CORE_FNV_H

#include <stddef.h>
#include <stdint.h>

#define HY_FNV32_INIT 2166136261u
#define HY_FNV64_INIT 0xcbf29ce484222325ull

static inline uint8_t hy_ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* One byte into a 64-bit hash. */
static inline uint64_t hy_fnv64_byte(uint64_t h, uint8_t c)
{
    return (h ^ c) * 0x100000001b3ull;
}

/* p[0..n) into a 64-bit hash; _lower folds ASCII A-Z to a-z first. */
static inline uint64_t hy_fnv64(uint64_t h, const void *p, size_t n)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        h = hy_fnv64_byte(h, s[i]);
    return h;
}

static inline uint64_t hy_fnv64_lower(uint64_t h, const void *p, size_t n)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        h = hy_fnv64_byte(h, hy_ascii_lower(s[i]));
    return h;
}

/* p[0..n) into a 32-bit hash. */
static inline uint32_t hy_fnv32(uint32_t h, const void *p, size_t n)
{
    const uint8_t *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h;
}

#endif
