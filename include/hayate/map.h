/* hayate: open-addressing hash map from byte-string keys to pointers.
 * Keys are copied; values are borrowed unless a free callback is given. */
#ifndef HAYATE_MAP_H
#define HAYATE_MAP_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef struct hy_map hy_map;
typedef void (*hy_map_free_fn)(void *value);

/* Creates a map. max_entries caps growth (0: no cap); free_value, if not NULL,
 * is called on values that are replaced, deleted or left at destroy. */
hy_err hy_map_create(size_t max_entries, hy_map_free_fn free_value, hy_map **out);

/* Frees the map, its keys, and (with a free callback) its values. NULL is ok. */
void hy_map_destroy(hy_map *m);

/* Inserts or replaces. HY_ERR_TOOBIG when the cap is reached. */
hy_err hy_map_put(hy_map *m, const void *key, size_t klen, void *value);

/* Returns the value, or NULL when absent. */
void *hy_map_get(const hy_map *m, const void *key, size_t klen);

/* Removes the key; HY_ERR_NOTFOUND when absent. */
hy_err hy_map_del(hy_map *m, const void *key, size_t klen);

/* Number of entries. */
size_t hy_map_count(const hy_map *m);

/* Calls fn for each entry, in unspecified order; stop by returning non-zero.
 * The map must not be modified during the walk. */
void hy_map_each(const hy_map *m,
                 int (*fn)(const void *key, size_t klen, void *value, void *ud),
                 void *ud);

/* 64-bit hash of bytes (seeded), used by the map and the flow table. */
uint64_t hy_hash64(const void *p, size_t n, uint64_t seed);

#endif
