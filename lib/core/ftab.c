/* Flat hash table: a slot is [hash][key][value], padded to 8 bytes each;
 * hash 0 marks an empty slot (a real hash of 0 is stored as 1). */
#include "hayate/ftab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/map.h"

#define FTAB_SEED      0x6674616268617961ull /* fixed: slot order is reproducible */
#define FTAB_MIN_SLOTS 64u

struct hy_ftab {
    unsigned char *slots;
    size_t nslots;      /* a power of two */
    size_t count, max;
    size_t ksize, vsize;
    size_t koff, voff;  /* of the key and the value in a slot */
    size_t stride;
};

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

hy_err hy_ftab_create(size_t key_size, size_t value_size, size_t max_entries, hy_ftab **out)
{
    if (!out || key_size < 1 || key_size > 256 || value_size < 1 || value_size > 4096)
        return hy_err_set(HY_ERR_ARG, "ftab: key or value size out of range");
    hy_ftab *t = calloc(1, sizeof *t);
    if (!t)
        return hy_err_set(HY_ERR_NOMEM, "ftab: table");
    t->ksize = key_size;
    t->vsize = value_size;
    t->max = max_entries;
    t->koff = sizeof(uint64_t);
    t->voff = t->koff + pad8(key_size);
    t->stride = t->voff + pad8(value_size);
    t->nslots = FTAB_MIN_SLOTS;
    if (!(t->slots = calloc(t->nslots, t->stride))) {
        free(t);
        return hy_err_set(HY_ERR_NOMEM, "ftab: table");
    }
    *out = t;
    return HY_OK;
}

void hy_ftab_destroy(hy_ftab *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t);
}

static uint64_t key_hash(const hy_ftab *t, const void *key)
{
    uint64_t h = hy_hash64(key, t->ksize, FTAB_SEED);
    return h ? h : 1;
}

static unsigned char *slot(const hy_ftab *t, size_t i)
{
    return t->slots + i * t->stride;
}

/* The slot holding key, or the empty slot where it would go. */
static unsigned char *probe(const hy_ftab *t, uint64_t h, const void *key)
{
    size_t mask = t->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        unsigned char *s = slot(t, i);
        uint64_t sh;
        memcpy(&sh, s, sizeof sh);
        if (sh == 0 || (sh == h && memcmp(s + t->koff, key, t->ksize) == 0))
            return s;
    }
}

void *hy_ftab_get(const hy_ftab *t, const void *key)
{
    if (!t || !key)
        return NULL;
    unsigned char *s = probe(t, key_hash(t, key), key);
    uint64_t sh;
    memcpy(&sh, s, sizeof sh);
    return sh ? s + t->voff : NULL;
}

/* Doubles the slots when one more entry would load them over 5/8. */
static hy_err grow(hy_ftab *t)
{
    size_t want = t->nslots * 2;
    if ((t->count + 1) * 8 <= t->nslots * 5)
        return HY_OK;
    if (t->nslots > SIZE_MAX / 2 / t->stride)
        return hy_err_set(HY_ERR_NOMEM, "ftab: too many entries");
    unsigned char *old = t->slots;
    size_t oldn = t->nslots;
    if (!(t->slots = calloc(want, t->stride))) {
        t->slots = old;
        return hy_err_set(HY_ERR_NOMEM, "ftab: growing to %zu slots", want);
    }
    t->nslots = want;
    for (size_t i = 0; i < oldn; i++) {
        unsigned char *s = old + i * t->stride;
        uint64_t h;
        memcpy(&h, s, sizeof h);
        if (h)
            memcpy(probe(t, h, s + t->koff), s, t->stride);
    }
    free(old);
    return HY_OK;
}

void *hy_ftab_put(hy_ftab *t, const void *key, bool *created)
{
    if (created)
        *created = false;
    if (!t || !key)
        return NULL;
    uint64_t h = key_hash(t, key), sh;
    unsigned char *s = probe(t, h, key);
    memcpy(&sh, s, sizeof sh);
    if (sh)
        return s + t->voff;
    if ((t->max && t->count >= t->max) || grow(t) != HY_OK)
        return NULL;
    s = probe(t, h, key); /* the slots may have moved */
    memcpy(s, &h, sizeof h);
    memcpy(s + t->koff, key, t->ksize);
    memset(s + t->voff, 0, t->stride - t->voff);
    t->count++;
    if (created)
        *created = true;
    return s + t->voff;
}

size_t hy_ftab_count(const hy_ftab *t)
{
    return t ? t->count : 0;
}

void hy_ftab_each(const hy_ftab *t, void (*fn)(void *ud, const void *key, void *value),
                  void *ud)
{
    for (size_t i = 0; t && fn && i < t->nslots; i++) {
        unsigned char *s = slot(t, i);
        uint64_t h;
        memcpy(&h, s, sizeof h);
        if (h)
            fn(ud, s + t->koff, s + t->voff);
    }
}
