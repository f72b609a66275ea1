/* hayate: configuration. One file of `key = value` lines grouped under
 * `[section]` headers (the full key is section.key); `#` starts a comment.
 * Every key is declared in one table (hy_config_keys) with its type, default,
 * range and documentation; unknown keys and bad values are errors naming the
 * file and line. Command-line flags override the file through hy_config_set. */
#ifndef HAYATE_CONFIG_H
#define HAYATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

typedef enum hy_config_type {
    HY_CFG_STR,
    HY_CFG_INT,
    HY_CFG_BOOL,
    HY_CFG_LIST /* comma-separated strings; repeated lines append */
} hy_config_type;

typedef struct hy_config_key {
    const char *name;   /* "section.key" */
    hy_config_type type;
    const char *def;    /* default, as text */
    int64_t min, max;   /* for HY_CFG_INT */
    const char *doc;    /* one line */
} hy_config_key;

typedef struct hy_config hy_config;

/* The documented key table, terminated by an entry with name == NULL. */
extern const hy_config_key hy_config_keys[];

/* Creates a config holding every key at its default. */
hy_err hy_config_create(hy_config **out);
void hy_config_destroy(hy_config *c);

/* Reads a config file over the current values. Errors name path:line. */
hy_err hy_config_load(hy_config *c, const char *path);

/* Parses config text (name is used in error messages). */
hy_err hy_config_parse(hy_config *c, const char *name, const char *text, size_t len);

/* Sets one key from text, validating type and range (used for flags).
 * For lists the value replaces the list. */
hy_err hy_config_set(hy_config *c, const char *key, const char *value);

/* Appends one item, taken literally (commas included), to a list key. */
hy_err hy_config_append(hy_config *c, const char *key, const char *item);

/* Getters. The key must exist in the table (a bug otherwise: returns the
 * zero value). Strings stay valid until the key is set again or destroy. */
const char *hy_config_str(const hy_config *c, const char *key);
int64_t hy_config_int(const hy_config *c, const char *key);
bool hy_config_bool(const hy_config *c, const char *key);
/* List items; *n receives the count. */
const char *const *hy_config_list(const hy_config *c, const char *key, size_t *n);

#endif
