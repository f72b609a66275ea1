/* Internal to lib/store: pieces of the SQLite backend shared across files. */
#ifndef HY_STORE_SQLITE_INT_H
#define HY_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "hayate/error.h"

/* Brings db (opened from path) to hy_store_schema_latest(), one migration
 * per transaction. Refuses databases from a newer hayate and SQLite files
 * that are not hayate stores. */
hy_err hy__sqlite_migrate(sqlite3 *db, const char *path);

/* Runs sql (one or more statements, no rows wanted). On failure sets the
 * detail "PATH: what: sqlite message" and returns HY_ERR_STORE. */
hy_err hy__sqlite_exec(sqlite3 *db, const char *path, const char *what, const char *sql);

/* Wall-clock nanoseconds since the epoch: run and migration bookkeeping only,
 * never event time. */
uint64_t hy__sqlite_now_ns(void);

#endif
