/* hayate internal: the one bounds-check helper for reads inside untrusted
 * bytes. Every parser reads through these; none indexes raw input directly. */
#ifndef HAYATE_CORE_BYTES_H
#define HAYATE_CORE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* True when [off, off+n) lies inside a buffer of len bytes (overflow-safe). */
static inline bool hy_fits(size_t len, size_t off, size_t n)
{
    return off <= len && n <= len - off;
}

/* Each reader stores the value and returns true, or returns false and leaves
 * *v untouched when the read would leave [0, len). */
static inline bool hy_rd_u8(const uint8_t *p, size_t len, size_t off, uint8_t *v)
{
    if (!hy_fits(len, off, 1))
        return false;
    *v = p[off];
    return true;
}

static inline bool hy_rd_u16be(const uint8_t *p, size_t len, size_t off, uint16_t *v)
{
    if (!hy_fits(len, off, 2))
        return false;
    *v = (uint16_t)((uint16_t)p[off] << 8 | p[off + 1]);
    return true;
}

static inline bool hy_rd_u32be(const uint8_t *p, size_t len, size_t off, uint32_t *v)
{
    if (!hy_fits(len, off, 4))
        return false;
    *v = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 |
         p[off + 3];
    return true;
}

static inline bool hy_rd_u64be(const uint8_t *p, size_t len, size_t off, uint64_t *v)
{
    uint32_t hi, lo;
    if (!hy_rd_u32be(p, len, off, &hi) || !hy_rd_u32be(p, len, off + 4, &lo))
        return false;
    *v = (uint64_t)hi << 32 | lo;
    return true;
}

static inline bool hy_rd_u16le(const uint8_t *p, size_t len, size_t off, uint16_t *v)
{
    if (!hy_fits(len, off, 2))
        return false;
    *v = (uint16_t)(p[off] | (uint16_t)p[off + 1] << 8);
    return true;
}

static inline bool hy_rd_u32le(const uint8_t *p, size_t len, size_t off, uint32_t *v)
{
    if (!hy_fits(len, off, 4))
        return false;
    *v = p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
         (uint32_t)p[off + 3] << 24;
    return true;
}

static inline bool hy_rd_u64le(const uint8_t *p, size_t len, size_t off, uint64_t *v)
{
    uint32_t lo, hi;
    if (!hy_rd_u32le(p, len, off, &lo) || !hy_rd_u32le(p, len, off + 4, &hi))
        return false;
    *v = (uint64_t)hi << 32 | lo;
    return true;
}

/* Copies n bytes at off into dst; false when out of bounds. */
static inline bool hy_rd_bytes(const uint8_t *p, size_t len, size_t off, void *dst, size_t n)
{
    if (!hy_fits(len, off, n))
        return false;
    memcpy(dst, p + off, n);
    return true;
}

/* Little-endian u32 at p, for writers and for readers that checked the
 * bounds of a whole record already (hy_fits). */
static inline void hy_put_u32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t hy_get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A float's bits and back (IEEE 754 binary32). */
static inline uint32_t hy_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline float hy_bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

#endif
