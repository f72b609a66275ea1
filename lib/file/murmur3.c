/* MurmurHash3 x86_32 (Austin Appleby, public domain algorithm), written from
 * its published description: 4-byte little-endian blocks mixed with c1, c2
 * and rotations, a 1-3 byte tail, then the fmix32 finaliser. Used for
 * scikit-learn-compatible feature hashing (include/hayate/ember.h). */
#include "hayate/ember.h"

static uint32_t rotl32(uint32_t x, unsigned r)
{
    return (x << r) | (x >> (32u - r));
}

static uint32_t mix_k(uint32_t k)
{
    k *= 0xcc9e2d51u;
    k = rotl32(k, 15);
    return k * 0x1b873593u;
}

uint32_t hy_murmur3_32(const void *data, size_t n, uint32_t seed)
{
    const uint8_t *p = data;
    uint32_t h = seed;
    size_t nblocks = n / 4;
    for (size_t i = 0; i < nblocks; i++) {
        const uint8_t *b = p + 4 * i;
        uint32_t k =
            (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        h ^= mix_k(k);
        h = rotl32(h, 13);
        h = h * 5u + 0xe6546b64u;
    }
    const uint8_t *t = p + 4 * nblocks;
    uint32_t k = 0;
    switch (n & 3) {
    case 3:
        k ^= (uint32_t)t[2] << 16;
        /* fall through */
    case 2:
        k ^= (uint32_t)t[1] << 8;
        /* fall through */
    case 1:
        k ^= t[0];
        h ^= mix_k(k);
        break;
    default:
        break;
    }
    h ^= (uint32_t)n; /* the algorithm folds the length in modulo 2^32 */
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}
