/* Internal to lib/store: pieces of the SQLite backend shared across files. */
#ifndef HY_STORE_SQLITE_INT_H
#define HY_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "hayate/buf.h"
#include "hayate/error.h"
#include "hayate/store.h"

#define HY__SQ_STMTS  16 /* room for the write statements prepared at open */
#define HY__SQ_QCACHE 8  /* query statements kept prepared per connection */

/* A query statement kept prepared, keyed by its SQL text. */
typedef struct hy__sq_cached {
    char *sql;
    sqlite3_stmt *st;
    bool busy; /* stepping now (a callback may query again: it gets its own) */
} hy__sq_cached;

/* One SQLite connection: a writer (hy_store_open_sqlite) or a read-only
 * reader (hy_store_open_sqlite_reader). */
typedef struct hy__sq_store {
    hy_store base; /* first: a hy_store * is a hy__sq_store * */
    sqlite3 *db;
    char *path;
    char *run_id;  /* current run, or NULL */
    sqlite3_stmt *st[HY__SQ_STMTS];
    hy__sq_cached qc[HY__SQ_QCACHE];
    unsigned qc_next; /* the entry replaced next when all are taken */
    hy_buf eve;    /* scratch for flow and alert EVE lines written */
    hy_buf render; /* scratch for EVE rendered on read */
    pthread_mutex_t mu;
    bool mu_init;
} hy__sq_store;

/* Brings db (opened from path) to hy_store_schema_latest(), one migration
 * per transaction. Refuses databases from a newer hayate and SQLite files
 * that are not hayate stores. */
hy_err hy__sqlite_migrate(sqlite3 *db, const char *path);

/* The schema version of db (0 when empty); HY_ERR_STORE for a database
 * that is not a hayate store or is newer than this build. */
hy_err hy__sqlite_version(sqlite3 *db, const char *path, int64_t *v);

/* Runs sql (one or more statements, no rows wanted). On failure sets the
 * detail "PATH: what: sqlite message" and returns HY_ERR_STORE. */
hy_err hy__sqlite_exec(sqlite3 *db, const char *path, const char *what, const char *sql);

/* Wall-clock nanoseconds since the epoch: run and migration bookkeeping only,
 * never event time. */
uint64_t hy__sqlite_now_ns(void);

/* sqlite_alerts.c: the alert queries, run with the store's lock held. */
hy_err hy__sq_query_alerts(hy__sq_store *s, const hy_alert_filter *flt, hy_alert_cb cb,
                           void *ud);
hy_err hy__sq_query_eve(hy__sq_store *s, const hy_alert_filter *flt, hy_alert_eve_cb cb,
                        void *ud);
/* Renders and stores the EVE text of alerts stored without it (schema v3
 * on a store written before, or rows inserted by another tool), in
 * transactions of a few hundred rows. Writers call it at open. */
hy_err hy__sq_render_missing(hy__sq_store *s);
/* A prepared statement for sql from the connection's cache (preparing it on
 * a miss), or NULL with the detail set; give it back with hy__sq_put_stmt. */
sqlite3_stmt *hy__sq_get_stmt(hy__sq_store *s, const char *sql);
/* Resets st, clears its bindings and returns it to the cache (finalising it
 * when it was not cached). */
void hy__sq_put_stmt(hy__sq_store *s, sqlite3_stmt *st);
/* Finalises every cached statement. */
void hy__sq_cache_free(hy__sq_store *s);
/* "PATH: what: which: sqlite message" as the detail; returns HY_ERR_STORE. */
hy_err hy__sq_fail(hy__sq_store *s, const char *what, const char *which);

/* A write transaction (sqlite_store.c): begin, then end committing when err
 * is HY_OK and rolling back otherwise (err is returned). */
hy_err hy__sq_tx_begin(hy__sq_store *s, const char *what);
hy_err hy__sq_tx_end(hy__sq_store *s, hy_err err, const char *what);

/* The samples table (sqlite_samples.c); callers hold the store's lock. */
hy_err hy__sq_put_samples(hy__sq_store *s, const hy_sample *const *v, size_t n);
hy_err hy__sq_query_samples(hy__sq_store *s, const hy_sample_filter *f, hy_sample_cb cb,
                            void *ud);

/* The intel_reports and iocs tables (sqlite_reports.c); callers hold the
 * store's lock. */
hy_err hy__sq_put_reports(hy__sq_store *s, const hy_intel_record *const *v, size_t n);
hy_err hy__sq_query_reports(hy__sq_store *s, const hy_report_filter *f, hy_report_cb cb,
                            void *ud);
hy_err hy__sq_query_iocs(hy__sq_store *s, const char *report_id, bool with_noise,
                         hy_report_ioc_cb cb, void *ud);
#endif
