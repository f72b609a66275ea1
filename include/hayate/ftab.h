/* hayate: a flat hash table for hot paths. Keys and values have a fixed
 * size set at creation and live inline in the slots (open addressing,
 * linear probing, load at most 5/8), so a lookup touches one slot instead
 * of a slot, a key and a value allocated apart, as hy_map does. Entries
 * are never removed. Keys are compared byte for byte; hashes are XXH64
 * (hy_hash64) with a fixed seed.
 *
 * A pointer to a value stays valid until the next hy_ftab_put (which may
 * grow the table and move every value). */
#ifndef HAYATE_FTAB_H
#define HAYATE_FTAB_H
#include <stdbool.h>
#include <stddef.h>
#include "error.h"

typedef struct hy_ftab hy_ftab;

/* A table of keys of key_size bytes (1..256) and values of value_size
 * bytes (1..4096), at most max_entries of them (0: no limit).
 * HY_ERR_ARG for sizes out of range, HY_ERR_NOMEM. */
hy_err hy_ftab_create(size_t key_size, size_t value_size, size_t max_entries, hy_ftab **out);
void hy_ftab_destroy(hy_ftab *t);

/* The value stored under key (key_size bytes), or NULL. */
void *hy_ftab_get(const hy_ftab *t, const void *key);

/* The value stored under key; when there is none, a zeroed value is
 * inserted and *created (if not NULL) set. NULL when the table already
 * holds max_entries or memory runs out (the table is unchanged then). */
void *hy_ftab_put(hy_ftab *t, const void *key, bool *created);

size_t hy_ftab_count(const hy_ftab *t);

/* Calls fn for every entry, in slot order (the same for the same inserts). */
void hy_ftab_each(const hy_ftab *t, void (*fn)(void *ud, const void *key, void *value),
                  void *ud);
#endif
