/* SQLite schema and its migrations. migrations[i] takes a store from version
 * i to i + 1; each runs in its own transaction together with the row that
 * records it in schema_version. Never edit a released migration: append. */
#include <stdio.h>
#include <time.h>

#include "hayate/clock.h"
#include "hayate/store.h"
#include "store/sqlite_int.h"

static const char *const migrations[] = {
    /* v1: runs, alerts, feedback, flows, capture statistics. Times are
     * nanoseconds since the epoch; addresses are text as in EVE. */
    "CREATE TABLE runs ("
    " id TEXT PRIMARY KEY,"
    " started INTEGER NOT NULL,"
    " ended INTEGER,"
    " info TEXT);"

    "CREATE TABLE alerts ("
    " id TEXT PRIMARY KEY,"
    " time_ns INTEGER NOT NULL,"
    " engine TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " severity INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
    " score REAL NOT NULL CHECK (score >= 0 AND score <= 1),"
    " title TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " evidence TEXT NOT NULL CHECK (json_valid(evidence)),"
    " attack TEXT,"
    " community_id TEXT,"
    " src_ip TEXT, src_port INTEGER,"
    " dest_ip TEXT, dest_port INTEGER,"
    " proto INTEGER);"
    "CREATE INDEX alerts_time ON alerts(time_ns);"
    "CREATE INDEX alerts_engine_kind ON alerts(engine, kind);"
    "CREATE INDEX alerts_severity ON alerts(severity);"

    "CREATE TABLE feedback ("
    " id INTEGER PRIMARY KEY,"
    " alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,"
    " verdict TEXT NOT NULL,"
    " label TEXT,"
    " comment TEXT,"
    " analyst TEXT,"
    " time INTEGER NOT NULL);"
    "CREATE INDEX feedback_alert ON feedback(alert_id);"

    "CREATE TABLE flows ("
    " run_id TEXT NOT NULL REFERENCES runs(id),"
    " flow_id INTEGER NOT NULL,"
    " first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"
    " src_ip TEXT NOT NULL, src_port INTEGER,"
    " dest_ip TEXT NOT NULL, dest_port INTEGER,"
    " proto INTEGER NOT NULL, vlan INTEGER,"
    " community_id TEXT,"
    " pkts_toserver INTEGER, pkts_toclient INTEGER,"
    " bytes_toserver INTEGER, bytes_toclient INTEGER,"
    " state TEXT, reason TEXT,"
    " eve TEXT NOT NULL,"
    " PRIMARY KEY (run_id, flow_id));"
    "CREATE INDEX flows_first ON flows(first_ns);"
    "CREATE INDEX flows_community ON flows(community_id);"

    "CREATE TABLE capture_stats ("
    " run_id TEXT NOT NULL REFERENCES runs(id),"
    " source TEXT NOT NULL,"
    " received INTEGER, bytes INTEGER,"
    " kernel_dropped INTEGER, ifdrop INTEGER, hayate_dropped INTEGER,"
    " decode_errors INTEGER, truncated INTEGER,"
    " first_ns INTEGER, last_ns INTEGER,"
    " PRIMARY KEY (run_id, source));",

    /* v2: engines' time series (darknet per-port counts per bin); a point
     * written again (the same capture analysed twice) replaces the old. */
    "CREATE TABLE series ("
    " series TEXT NOT NULL, key TEXT NOT NULL, time_ns INTEGER NOT NULL,"
    " value TEXT NOT NULL,"
    " PRIMARY KEY (series, key, time_ns)) WITHOUT ROWID;"
    "CREATE INDEX series_time ON series(series, time_ns);",

    /* v3: each alert's EVE JSON text (hy_alert_to_eve), written with the
     * alert so the API serves it without rendering. NULL for rows written
     * before (or by another tool): a writer's open renders them
     * (alerts_eve_missing finds them without a scan), and readers render a
     * NULL one from the row. */
    ("ALTER TABLE alerts ADD COLUMN eve TEXT;"
     "CREATE INDEX alerts_eve_missing ON alerts(id) WHERE eve IS NULL;"),

    /* v4: the label queue's order (least sure first): uncertainty
     * 1 - |2*score - 1| descends as abs(score - 0.5) ascends; id breaks
     * ties. Queries must spell the expression the same way to use it. */
    "CREATE INDEX alerts_uncertainty ON alerts(abs(score - 0.5), id);",

    /* v5: an alert's verdicts newest first (query_feedback, and the latest
     * verdict the verdict filter compares) read in index order: (alert_id,
     * time), the rowid last breaking ties. It serves every lookup by
     * alert_id (the foreign key's included), so the v1 index on alert_id
     * alone goes. */
    ("CREATE INDEX IF NOT EXISTS feedback_alert_time ON feedback(alert_id, time);"
     "DROP INDEX IF EXISTS feedback_alert;"),

    /* v6: files the malware engine analysed, once per SHA-256; newest first
     * and by imphash read in index order. */
    ("CREATE TABLE samples ("
     " sha256 TEXT PRIMARY KEY, md5 TEXT NOT NULL, sha1 TEXT NOT NULL,"
     " size INTEGER NOT NULL, mime TEXT, ssdeep TEXT, tlsh TEXT, imphash TEXT, name TEXT,"
     " first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL, report TEXT NOT NULL)"
     " WITHOUT ROWID;"
     "CREATE INDEX samples_first ON samples(first_ns, sha256);"
     "CREATE INDEX samples_imphash ON samples(imphash) WHERE imphash IS NOT NULL;"),

    /* v7: the engine's verdict on a sample (its family, the model's score
     * and the verdict word), so families and verdicts are queried without
     * parsing reports, and its feature sketch for similarity; a family's
     * members read in index order. */
    ("ALTER TABLE samples ADD COLUMN family TEXT;"
     "ALTER TABLE samples ADD COLUMN sketch BLOB;"
     "ALTER TABLE samples ADD COLUMN score REAL;"
     "ALTER TABLE samples ADD COLUMN verdict TEXT;"
     "CREATE INDEX samples_family ON samples(family, first_ns) WHERE family IS NOT NULL;"),

    /* v8: reports the intel engine analysed (a summary and the STIX
     * bundle), once per report id, newest first in index order; their
     * indicators, read by value for the traffic lookup (hy_ioc_match). */
    ("CREATE TABLE intel_reports ("
     " id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, title TEXT, source TEXT,"
     " time_ns INTEGER NOT NULL, summary TEXT NOT NULL, stix TEXT NOT NULL) WITHOUT ROWID;"
     "CREATE INDEX intel_reports_time ON intel_reports(time_ns, id);"
     "CREATE TABLE iocs ("
     " report_id TEXT NOT NULL REFERENCES intel_reports(id) ON DELETE CASCADE,"
     " type TEXT NOT NULL, value TEXT NOT NULL, noise TEXT, count INTEGER NOT NULL,"
     " PRIMARY KEY (report_id, type, value)) WITHOUT ROWID;"
     "CREATE INDEX iocs_value ON iocs(type, value);"),
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int hy_store_schema_latest(void)
{
    return N_MIGRATIONS;
}

uint64_t hy__sqlite_now_ns(void)
{
    return hy_clock_ns(CLOCK_REALTIME);
}

hy_err hy__sqlite_exec(sqlite3 *db, const char *path, const char *what, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return HY_OK;
    if (sqlite3_errcode(db) == SQLITE_NOTADB)
        return hy_err_set(HY_ERR_STORE, "%s: not an SQLite database", path);
    return hy_err_set(HY_ERR_STORE, "%s: %s: %s", path, what, sqlite3_errmsg(db));
}

/* One integer from a single-row query; *v is left alone when no row. */
static hy_err query_int(sqlite3 *db, const char *path, const char *sql, int64_t *v)
{
    sqlite3_stmt *st = NULL;
    hy_err err = HY_OK;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *v = sqlite3_column_int64(st, 0);
            rc = SQLITE_DONE;
        }
    }
    if (rc != SQLITE_DONE) {
        if (sqlite3_errcode(db) == SQLITE_NOTADB)
            err = hy_err_set(HY_ERR_STORE, "%s: not an SQLite database", path);
        else
            err = hy_err_set(HY_ERR_STORE, "%s: reading schema version: %s", path,
                             sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return err;
}

/* Current version; 0 for an empty database. A database with tables but no
 * schema_version is someone else's: refuse to write into it. */
hy_err hy__sqlite_version(sqlite3 *db, const char *path, int64_t *v)
{
    int64_t has = 0, tables = 0;
    hy_err err;
    *v = 0;
    if ((err = query_int(db, path,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                         " AND name = 'schema_version'", &has)))
        return err;
    if (!has) {
        if ((err = query_int(db, path,
                             "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                             " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", &tables)))
            return err;
        if (tables)
            return hy_err_set(HY_ERR_STORE, "%s: an SQLite database but not a hayate store"
                              " (no schema_version table)", path);
        return HY_OK;
    }
    if ((err = query_int(db, path, "SELECT coalesce(max(version), 0) FROM schema_version", v)))
        return err;
    if (*v > N_MIGRATIONS)
        return hy_err_set(HY_ERR_STORE, "%s: schema version %lld is newer than this hayate"
                          " supports (%d); upgrade hayate", path, (long long)*v, N_MIGRATIONS);
    if (*v < 0)
        return hy_err_set(HY_ERR_STORE, "%s: bad schema version %lld", path, (long long)*v);
    return HY_OK;
}

/* Applies migration number v (to version v + 1) unless another process did
 * already; *v is updated to the version after the transaction. */
static hy_err apply_one(sqlite3 *db, const char *path, int64_t *v)
{
    char rec[128];
    hy_err err;
    if ((err = hy__sqlite_exec(db, path, "begin migration", "BEGIN IMMEDIATE")))
        return err;
    /* Re-read under the write lock: a concurrent open may have migrated. */
    if ((err = hy__sqlite_exec(db, path, "schema_version",
                               "CREATE TABLE IF NOT EXISTS schema_version ("
                               " version INTEGER NOT NULL, applied_at INTEGER NOT NULL)")) ||
        (err = hy__sqlite_version(db, path, v)))
        goto out;
    if (*v >= N_MIGRATIONS)
        goto out;
    snprintf(rec, sizeof rec, "INSERT INTO schema_version VALUES (%lld, %llu)",
             (long long)*v + 1, (unsigned long long)hy__sqlite_now_ns());
    if ((err = hy__sqlite_exec(db, path, "migration", migrations[*v])) ||
        (err = hy__sqlite_exec(db, path, "migration", rec)))
        goto out;
    err = hy__sqlite_exec(db, path, "commit migration", "COMMIT");
    if (!err)
        ++*v;
out:
    if (!sqlite3_get_autocommit(db)) {
        if (err)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        else
            err = hy__sqlite_exec(db, path, "commit", "COMMIT");
    }
    return err;
}

hy_err hy__sqlite_migrate(sqlite3 *db, const char *path)
{
    int64_t v = 0;
    hy_err err = hy__sqlite_version(db, path, &v);
    while (!err && v < N_MIGRATIONS) {
        int64_t before = v;
        err = apply_one(db, path, &v);
        if (!err && v <= before)
            err = hy_err_set(HY_ERR_INTERNAL, "%s: migration %lld made no progress", path,
                             (long long)before);
    }
    return err;
}
