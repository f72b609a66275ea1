/* The SQLite backend of hy_store: WAL mode, one transaction per call through
 * prepared statements, schema migrations in schema.c, alert queries in
 * sqlite_alerts.c. One SQLite connection per store; its calls are
 * serialised by a lock, so a sink thread and the main thread may share it.
 * Readers wanting concurrency open their own (hy_store_open_sqlite_reader). */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hayate/buf.h"
#include "hayate/store.h"
#include "store/sqlite_int.h"

#define HY__FLOW_EVE_MAX (1u << 20)

/* Cached statements: X(name, sql). */
#define SQ_STMTS(X)                                                                  \
    X(BEGIN, "BEGIN IMMEDIATE")                                                      \
    X(COMMIT, "COMMIT")                                                              \
    X(ALERT,                                                                         \
      "INSERT INTO alerts (id, time_ns, engine, kind, severity, score, title,"       \
      " subject, evidence, attack, community_id, src_ip, src_port, dest_ip,"        \
      " dest_port, proto, eve) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"   \
      " ?11, ?12, ?13, ?14, ?15, ?16, ?17) ON CONFLICT (id) DO NOTHING")            \
    X(FLOW,                                                                          \
      "INSERT INTO flows (run_id, flow_id, first_ns, last_ns, src_ip, src_port,"    \
      " dest_ip, dest_port, proto, vlan, community_id, pkts_toserver,"              \
      " pkts_toclient, bytes_toserver, bytes_toclient, state, reason, eve)"         \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"  \
      " ?16, ?17, ?18) ON CONFLICT (run_id, flow_id) DO UPDATE SET"                 \
      " first_ns = excluded.first_ns, last_ns = excluded.last_ns,"                  \
      " community_id = excluded.community_id,"                                      \
      " pkts_toserver = excluded.pkts_toserver, pkts_toclient = excluded.pkts_toclient," \
      " bytes_toserver = excluded.bytes_toserver,"                                  \
      " bytes_toclient = excluded.bytes_toclient, state = excluded.state,"          \
      " reason = excluded.reason, eve = excluded.eve")                              \
    X(STATS,                                                                         \
      "INSERT INTO capture_stats (run_id, source, received, bytes, kernel_dropped," \
      " ifdrop, hayate_dropped, decode_errors, truncated, first_ns, last_ns)"       \
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"                      \
      " ON CONFLICT (run_id, source) DO UPDATE SET received = excluded.received,"   \
      " bytes = excluded.bytes, kernel_dropped = excluded.kernel_dropped,"          \
      " ifdrop = excluded.ifdrop, hayate_dropped = excluded.hayate_dropped,"        \
      " decode_errors = excluded.decode_errors, truncated = excluded.truncated,"    \
      " first_ns = excluded.first_ns, last_ns = excluded.last_ns")                  \
    X(RUN_BEGIN,                                                                     \
      "INSERT INTO runs (id, started, info) VALUES (?1, ?2, ?3)"                    \
      " ON CONFLICT (id) DO UPDATE SET ended = NULL,"                               \
      " info = coalesce(excluded.info, info)")                                      \
    X(RUN_END, "UPDATE runs SET ended = ?2 WHERE id = ?1")                        \
    X(SERIES,                                                                        \
      "INSERT OR REPLACE INTO series (series, key, time_ns, value)"                 \
      " VALUES (?1, ?2, ?3, ?4)")                                                   \
    X(FEEDBACK,                                                                      \
      "INSERT INTO feedback (alert_id, verdict, label, comment, analyst, time)"     \
      " SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM alerts WHERE id = ?1)")

enum {
#define SQ_ENUM(name, sql) SQ_##name,
    SQ_STMTS(SQ_ENUM)
#undef SQ_ENUM
    SQ__COUNT
};

static const char *const sq_sql[SQ__COUNT] = {
#define SQ_TEXT(name, sql) [SQ_##name] = sql,
    SQ_STMTS(SQ_TEXT)
#undef SQ_TEXT
};

_Static_assert(SQ__COUNT <= HY__SQ_STMTS, "raise HY__SQ_STMTS");

typedef hy__sq_store sq_store;

static sq_store *sq(hy_store *s)
{
    return (sq_store *)s;
}

/* Binds a text, or NULL for a NULL pointer (or "" when empty_null). */
static int bind_text(sqlite3_stmt *st, int i, const char *s, int empty_null)
{
    if (!s || (empty_null && !*s))
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static int bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
    return sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* Steps a write statement once, then resets it for the next use. */
static int step_done(sqlite3_stmt *st, int rc)
{
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static hy_err tx_begin(sq_store *s, const char *what)
{
    if (step_done(s->st[SQ_BEGIN], SQLITE_OK) != SQLITE_OK)
        return hy_err_set(HY_ERR_STORE, "%s: %s: begin: %s", s->path, what,
                          sqlite3_errmsg(s->db));
    return HY_OK;
}

/* Commits when err is HY_OK, else rolls back (keeping err's detail). */
static hy_err tx_end(sq_store *s, hy_err err, const char *what)
{
    if (!err && step_done(s->st[SQ_COMMIT], SQLITE_OK) != SQLITE_OK)
        err = hy_err_set(HY_ERR_STORE, "%s: %s: commit: %s", s->path, what,
                         sqlite3_errmsg(s->db));
    /* SQLite may already have rolled back on its own (e.g. SQLITE_FULL). */
    if (err && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

hy_err hy__sq_tx_begin(sq_store *s, const char *what)
{
    return tx_begin(s, what);
}

hy_err hy__sq_tx_end(sq_store *s, hy_err err, const char *what)
{
    return tx_end(s, err, what);
}

static hy_err row_fail(sq_store *s, const char *what, const char *which, int rc)
{
    (void)rc; /* sqlite3_errmsg carries the reason */
    return hy_err_set(HY_ERR_STORE, "%s: %s: %s: %s", s->path, what, which,
                      sqlite3_errmsg(s->db));
}

/* Text of an address of a flow or alert; "" when it has no IP. */
static int addr_text(uint8_t ip_version, const uint8_t addr[16], char out[INET6_ADDRSTRLEN])
{
    out[0] = '\0';
    if (ip_version != 4 && ip_version != 6)
        return 0;
    return inet_ntop(ip_version == 6 ? AF_INET6 : AF_INET, addr, out, INET6_ADDRSTRLEN) != NULL;
}

/* Binds an alert's columns and its EVE text (rendered into s->eve; NULL
 * when it cannot be rendered, as for an alert over the cap: readers then
 * render it from the row, and fail, as they did before stored text). */
static int bind_alert(sq_store *s, sqlite3_stmt *st, const hy_alert *a)
{
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    int ip = addr_text(a->ip_version, a->src, src) && addr_text(a->ip_version, a->dst, dst);
    int rc = SQLITE_OK;
#define B(x) do { if (rc == SQLITE_OK) rc = (x); } while (0)
    B(bind_text(st, 1, a->id, 1));
    B(bind_u64(st, 2, a->time_ns));
    B(bind_text(st, 3, a->engine, 1));
    B(bind_text(st, 4, a->kind, 1));
    B(sqlite3_bind_int(st, 5, a->severity));
    B(sqlite3_bind_double(st, 6, a->score));
    B(bind_text(st, 7, a->title, 0));
    B(bind_text(st, 8, a->subject, 0));
    B(bind_text(st, 9, a->evidence ? a->evidence : "{}", 0));
    B(bind_text(st, 10, a->attack, 1));
    B(bind_text(st, 11, a->community_id, 1));
    if (ip) {
        B(bind_text(st, 12, src, 0));
        B(sqlite3_bind_int(st, 13, a->sport));
        B(bind_text(st, 14, dst, 0));
        B(sqlite3_bind_int(st, 15, a->dport));
        B(sqlite3_bind_int(st, 16, a->proto));
    }
    hy_buf_reset(&s->eve);
    if (hy_alert_to_eve(a, &s->eve) == HY_OK && s->eve.data)
        B(sqlite3_bind_text(st, 17, s->eve.data, (int)s->eve.len, SQLITE_STATIC));
#undef B
    return rc;
}

static hy_err sq_put_alerts_l(hy_store *hs, hy_alert *const *a, size_t n)
{
    sq_store *s = sq(hs);
    hy_err err;
    if (!n)
        return HY_OK;
    if (!a)
        return hy_err_set(HY_ERR_ARG, "put_alerts: NULL array");
    if ((err = tx_begin(s, "put_alerts")))
        return err;
    for (size_t i = 0; i < n && !err; i++) {
        int rc;
        if (!a[i]) {
            err = hy_err_set(HY_ERR_ARG, "put_alerts: alert %zu is NULL", i);
            break;
        }
        rc = step_done(s->st[SQ_ALERT], bind_alert(s, s->st[SQ_ALERT], a[i]));
        if (rc != SQLITE_OK)
            err = row_fail(s, "put_alerts", a[i]->id, rc);
    }
    return tx_end(s, err, "put_alerts");
}

static hy_err sq_put_series_l(hy_store *hs, const hy_series_point *p, size_t n)
{
    sq_store *s = sq(hs);
    sqlite3_stmt *st = s->st[SQ_SERIES];
    hy_err err;
    if (!n)
        return HY_OK;
    if (!p)
        return hy_err_set(HY_ERR_ARG, "put_series: NULL array");
    if ((err = tx_begin(s, "put_series")))
        return err;
    for (size_t i = 0; i < n && !err; i++) {
        int rc = SQLITE_OK;
        if (!p[i].series || !p[i].key || !p[i].json) {
            err = hy_err_set(HY_ERR_ARG, "put_series: point %zu lacks a field", i);
            break;
        }
        if ((rc = bind_text(st, 1, p[i].series, 0)) == SQLITE_OK &&
            (rc = bind_text(st, 2, p[i].key, 0)) == SQLITE_OK &&
            (rc = bind_u64(st, 3, p[i].time_ns)) == SQLITE_OK)
            rc = bind_text(st, 4, p[i].json, 0);
        if ((rc = step_done(st, rc)) != SQLITE_OK)
            err = row_fail(s, "put_series", p[i].key, rc);
    }
    return tx_end(s, err, "put_series");
}

static hy_err sq_put_feedback_l(hy_store *hs, const hy_feedback *f)
{
    sq_store *s = sq(hs);
    sqlite3_stmt *st = s->st[SQ_FEEDBACK];
    hy_err err;
    int rc;
    if (!f || !f->alert_id || !hy_verdict_valid(f->verdict))
        return hy_err_set(HY_ERR_ARG, "put_feedback: no alert id or an unknown verdict");
    if ((err = tx_begin(s, "put_feedback")))
        return err;
    if ((rc = bind_text(st, 1, f->alert_id, 0)) == SQLITE_OK &&
        (rc = bind_text(st, 2, f->verdict, 0)) == SQLITE_OK &&
        (rc = bind_text(st, 3, f->label, 1)) == SQLITE_OK &&
        (rc = bind_text(st, 4, f->comment, 1)) == SQLITE_OK &&
        (rc = bind_text(st, 5, f->analyst, 1)) == SQLITE_OK)
        rc = bind_u64(st, 6, f->time_ns);
    if ((rc = step_done(st, rc)) != SQLITE_OK)
        err = row_fail(s, "put_feedback", f->alert_id, rc);
    else if (sqlite3_changes(s->db) != 1)
        err = hy_err_set(HY_ERR_NOTFOUND, "put_feedback: no alert %s", f->alert_id);
    return tx_end(s, err, "put_feedback");
}

/* One statement, so the alert's existence and its verdicts are read from
 * the same snapshot: the alert's row (by its key) left-joined with its
 * verdicts, newest first, walked backwards on feedback_alert_time (alert_id,
 * time, then the rowid: no sort). One row with a NULL verdict id when
 * nobody judged it; none when there is no such alert. */
#define FEEDBACK_SQL                                                                 \
    "SELECT f.id, f.verdict, f.label, f.comment, f.analyst, f.time FROM alerts a"    \
    " LEFT JOIN feedback f ON f.alert_id = a.id WHERE a.id = ?1"                     \
    " ORDER BY f.time DESC, f.id DESC"

static hy_err sq_query_feedback_l(hy_store *hs, const char *alert_id, hy_feedback_cb cb,
                                  void *ud)
{
    sq_store *s = sq(hs);
    sqlite3_stmt *st;
    hy_err err = HY_OK;
    bool found = false;
    int rc;
    if (!alert_id || !cb)
        return hy_err_set(HY_ERR_ARG, "query_feedback: NULL alert id or callback");
    if (!(st = hy__sq_get_stmt(s, FEEDBACK_SQL)))
        return HY_ERR_STORE;
    rc = bind_text(st, 1, alert_id, 0);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        found = true;
        rc = SQLITE_OK;
        if (sqlite3_column_type(st, 0) == SQLITE_NULL)
            continue; /* the alert, with no verdict */
        hy_feedback f = {.alert_id = alert_id,
                         .verdict = (const char *)sqlite3_column_text(st, 1),
                         .label = (const char *)sqlite3_column_text(st, 2),
                         .comment = (const char *)sqlite3_column_text(st, 3),
                         .analyst = (const char *)sqlite3_column_text(st, 4),
                         .time_ns = (uint64_t)sqlite3_column_int64(st, 5)};
        if (!f.verdict)
            f.verdict = ""; /* NOT NULL in the schema */
        if (cb(ud, &f)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        err = row_fail(s, "query_feedback", alert_id, rc);
    else if (!found)
        err = hy_err_set(HY_ERR_NOTFOUND, "query_feedback: no alert %.64s", alert_id);
    hy__sq_put_stmt(s, st);
    return err;
}

bool hy_verdict_valid(const char *v)
{
    static const char *const ok[] = {"true_positive", "false_positive", "benign", "malicious"};
    for (size_t i = 0; v && i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(v, ok[i]) == 0)
            return true;
    return false;
}

static const char *tcp_state_name(hy_tcp_state t)
{
    static const char *const names[] = {"none", "new", "syn_sent", "syn_recv",
                                        "established", "closing", "closed"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

static const char *flow_end_name(hy_flow_end e)
{
    static const char *const names[] = {"idle", "active", "tcp_closed", "evicted", "shutdown"};
    return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "unknown";
}

static int bind_flow(sq_store *s, sqlite3_stmt *st, const hy_flow *f)
{
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    int rc = SQLITE_OK;
    if (!addr_text(f->ip_version, f->src, src) || !addr_text(f->ip_version, f->dst, dst))
        return SQLITE_MISMATCH;
    hy_buf_reset(&s->eve);
    if (hy_flow_to_eve(f, &s->eve) != HY_OK || !s->eve.data)
        return SQLITE_ABORT;
#define B(x) do { if (rc == SQLITE_OK) rc = (x); } while (0)
    B(bind_text(st, 1, s->run_id, 0));
    B(bind_u64(st, 2, f->first_seq));
    B(bind_u64(st, 3, f->first_ns));
    B(bind_u64(st, 4, f->last_ns));
    B(bind_text(st, 5, src, 0));
    B(sqlite3_bind_int(st, 6, f->sport));
    B(bind_text(st, 7, dst, 0));
    B(sqlite3_bind_int(st, 8, f->dport));
    B(sqlite3_bind_int(st, 9, f->proto));
    B(sqlite3_bind_int(st, 10, f->vlan));
    B(bind_text(st, 11, f->community_id, 1));
    B(bind_u64(st, 12, f->dir[0].pkts));
    B(bind_u64(st, 13, f->dir[1].pkts));
    B(bind_u64(st, 14, f->dir[0].bytes));
    B(bind_u64(st, 15, f->dir[1].bytes));
    B(bind_text(st, 16, tcp_state_name(f->tcp_state), 0));
    B(bind_text(st, 17, flow_end_name(f->end), 0));
    B(sqlite3_bind_text(st, 18, s->eve.data, (int)s->eve.len, SQLITE_TRANSIENT));
#undef B
    return rc;
}

static hy_err sq_put_flows_l(hy_store *hs, const hy_flow *const *f, size_t n)
{
    sq_store *s = sq(hs);
    hy_err err;
    if (!n)
        return HY_OK;
    if (!f)
        return hy_err_set(HY_ERR_ARG, "put_flows: NULL array");
    if (!s->run_id)
        return hy_err_set(HY_ERR_ARG, "put_flows: no current run (call hy_store_begin_run)");
    if ((err = tx_begin(s, "put_flows")))
        return err;
    for (size_t i = 0; i < n && !err; i++) {
        char which[48];
        int rc;
        if (!f[i]) {
            err = hy_err_set(HY_ERR_ARG, "put_flows: flow %zu is NULL", i);
            break;
        }
        snprintf(which, sizeof which, "flow %llu", (unsigned long long)f[i]->first_seq);
        rc = step_done(s->st[SQ_FLOW], bind_flow(s, s->st[SQ_FLOW], f[i]));
        if (rc == SQLITE_MISMATCH)
            err = hy_err_set(HY_ERR_ARG, "%s: put_flows: %s: IP version %u", s->path, which,
                             f[i]->ip_version);
        else if (rc == SQLITE_ABORT)
            err = hy_err_set(HY_ERR_STORE, "%s: put_flows: %s: no EVE line", s->path, which);
        else if (rc != SQLITE_OK)
            err = row_fail(s, "put_flows", which, rc);
    }
    return tx_end(s, err, "put_flows");
}

static hy_err sq_put_capture_stats_l(hy_store *hs, const char *run_id, const hy_capture_stats *c)
{
    sq_store *s = sq(hs);
    sqlite3_stmt *st = s->st[SQ_STATS];
    hy_err err;
    int rc = SQLITE_OK;
    if (!run_id)
        run_id = s->run_id;
    if (!run_id || !c)
        return hy_err_set(HY_ERR_ARG, "put_capture_stats: no run id or no stats");
    if ((err = tx_begin(s, "put_capture_stats")))
        return err;
#define B(x) do { if (rc == SQLITE_OK) rc = (x); } while (0)
    B(bind_text(st, 1, run_id, 0));
    B(sqlite3_bind_text(st, 2, c->source, (int)strnlen(c->source, sizeof c->source),
                        SQLITE_TRANSIENT));
    B(bind_u64(st, 3, c->received));
    B(bind_u64(st, 4, c->bytes));
    B(bind_u64(st, 5, c->kernel_dropped));
    B(bind_u64(st, 6, c->ifdrop));
    B(bind_u64(st, 7, c->hayate_dropped));
    B(bind_u64(st, 8, c->decode_errors));
    B(sqlite3_bind_int(st, 9, c->truncated));
    B(bind_u64(st, 10, c->first_ns));
    B(bind_u64(st, 11, c->last_ns));
#undef B
    rc = step_done(st, rc);
    if (rc != SQLITE_OK)
        err = row_fail(s, "put_capture_stats", run_id, rc);
    return tx_end(s, err, "put_capture_stats");
}

static hy_err sq_begin_run_l(hy_store *hs, const char *run_id, const char *info)
{
    sq_store *s = sq(hs);
    sqlite3_stmt *st = s->st[SQ_RUN_BEGIN];
    char *copy;
    int rc = SQLITE_OK;
    if (!run_id || !*run_id)
        return hy_err_set(HY_ERR_ARG, "begin_run: empty run id");
    copy = strdup(run_id);
    if (!copy)
        return hy_err_set(HY_ERR_NOMEM, "begin_run: out of memory");
#define B(x) do { if (rc == SQLITE_OK) rc = (x); } while (0)
    B(bind_text(st, 1, run_id, 0));
    B(bind_u64(st, 2, hy__sqlite_now_ns()));
    B(bind_text(st, 3, info, 0));
#undef B
    rc = step_done(st, rc);
    if (rc != SQLITE_OK) {
        free(copy);
        return row_fail(s, "begin_run", run_id, rc);
    }
    free(s->run_id);
    s->run_id = copy;
    return HY_OK;
}

static hy_err sq_end_run_l(hy_store *hs, uint64_t ended_ns)
{
    sq_store *s = sq(hs);
    sqlite3_stmt *st = s->st[SQ_RUN_END];
    int rc = SQLITE_OK;
    if (!s->run_id)
        return hy_err_set(HY_ERR_ARG, "end_run: no current run");
    rc = bind_text(st, 1, s->run_id, 0);
    if (rc == SQLITE_OK)
        rc = bind_u64(st, 2, ended_ns);
    rc = step_done(st, rc);
    if (rc != SQLITE_OK)
        return row_fail(s, "end_run", s->run_id, rc);
    free(s->run_id);
    s->run_id = NULL;
    return HY_OK;
}

/* Tables count() accepts; the name never reaches SQL otherwise. */
static const struct { const char *name, *sql; } count_sql[] = {
    {"alerts", "SELECT count(*) FROM alerts"},
    {"flows", "SELECT count(*) FROM flows"},
    {"capture_stats", "SELECT count(*) FROM capture_stats"},
    {"runs", "SELECT count(*) FROM runs"},
    {"feedback", "SELECT count(*) FROM feedback"},
    {"series", "SELECT count(*) FROM series"},
    {"samples", "SELECT count(*) FROM samples"},
    {"intel_reports", "SELECT count(*) FROM intel_reports"},
    {"iocs", "SELECT count(*) FROM iocs"},
};

static hy_err sq_count_l(hy_store *hs, const char *table, uint64_t *n)
{
    sq_store *s = sq(hs);
    const char *sql = NULL;
    sqlite3_stmt *st = NULL;
    hy_err err = HY_OK;
    int rc;
    if (!table || !n)
        return hy_err_set(HY_ERR_ARG, "count: NULL argument");
    for (size_t i = 0; i < sizeof count_sql / sizeof count_sql[0]; i++)
        if (!strcmp(table, count_sql[i].name))
            sql = count_sql[i].sql;
    if (!sql)
        return hy_err_set(HY_ERR_ARG, "count: unknown table \"%.64s\"", table);
    rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *n = (uint64_t)sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        err = row_fail(s, "count", table, rc);
    sqlite3_finalize(st);
    return err;
}

static hy_err sq_query_series_l(hy_store *hs, const hy_series_filter *f, hy_series_cb cb,
                                void *ud)
{
    sq_store *s = sq(hs);
    sqlite3_stmt *st = NULL;
    hy_err err = HY_OK;
    int rc;
    if (!f || !f->series || !f->key || !cb)
        return hy_err_set(HY_ERR_ARG, "query_series: NULL argument");
    rc = sqlite3_prepare_v2(s->db,
                            "SELECT time_ns, value FROM series WHERE series = ?1 AND key = ?2"
                            " AND time_ns >= ?3 AND time_ns < ?4 ORDER BY time_ns LIMIT ?5",
                            -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = bind_text(st, 1, f->series, 0)) == SQLITE_OK &&
        (rc = bind_text(st, 2, f->key, 0)) == SQLITE_OK &&
        (rc = sqlite3_bind_int64(st, 3, f->from_ns > INT64_MAX ? INT64_MAX
                                                               : (sqlite3_int64)f->from_ns)) ==
            SQLITE_OK &&
        (rc = sqlite3_bind_int64(st, 4, !f->to_ns || f->to_ns > INT64_MAX
                                            ? INT64_MAX
                                            : (sqlite3_int64)f->to_ns)) == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 5, f->limit && f->limit < INT64_MAX ? (sqlite3_int64)f->limit
                                                                         : -1);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (cb(ud, (uint64_t)sqlite3_column_int64(st, 0), v ? v : "{}")) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        err = row_fail(s, "query_series", f->key, rc);
    sqlite3_finalize(st);
    return err;
}

/* Every operation holds the store's (recursive) lock, so threads may share a
 * store and a query callback may call back into it. */
#define SQ_LOCKED_AS(name, inner, params, args)                                      \
    static hy_err name params                                                        \
    {                                                                                \
        sq_store *s = sq(hs);                                                        \
        hy_err err;                                                                  \
        pthread_mutex_lock(&s->mu);                                                  \
        err = inner args;                                                            \
        pthread_mutex_unlock(&s->mu);                                                \
        return err;                                                                  \
    }
#define SQ_LOCKED(name, params, args) SQ_LOCKED_AS(name, name##_l, params, args)

SQ_LOCKED(sq_begin_run, (hy_store *hs, const char *run_id, const char *info),
          (hs, run_id, info))
SQ_LOCKED(sq_end_run, (hy_store *hs, uint64_t ended_ns), (hs, ended_ns))
SQ_LOCKED(sq_put_alerts, (hy_store *hs, hy_alert *const *a, size_t n), (hs, a, n))
SQ_LOCKED(sq_put_flows, (hy_store *hs, const hy_flow *const *f, size_t n), (hs, f, n))
SQ_LOCKED(sq_put_series, (hy_store *hs, const hy_series_point *p, size_t n), (hs, p, n))
SQ_LOCKED_AS(sq_put_samples, hy__sq_put_samples,
             (hy_store *hs, const hy_sample *const *v, size_t n), (s, v, n))
SQ_LOCKED_AS(sq_query_samples, hy__sq_query_samples,
             (hy_store *hs, const hy_sample_filter *f, hy_sample_cb cb, void *ud),
             (s, f, cb, ud))
SQ_LOCKED_AS(sq_put_reports, hy__sq_put_reports,
             (hy_store *hs, const hy_intel_record *const *v, size_t n), (s, v, n))
SQ_LOCKED_AS(sq_query_reports, hy__sq_query_reports,
             (hy_store *hs, const hy_report_filter *f, hy_report_cb cb, void *ud),
             (s, f, cb, ud))
SQ_LOCKED_AS(sq_query_iocs, hy__sq_query_iocs,
             (hy_store *hs, const char *report_id, bool with_noise, hy_report_ioc_cb cb,
              void *ud),
             (s, report_id, with_noise, cb, ud))
SQ_LOCKED(sq_put_capture_stats, (hy_store *hs, const char *run_id, const hy_capture_stats *c),
          (hs, run_id, c))
SQ_LOCKED_AS(sq_query_alerts, hy__sq_query_alerts,
             (hy_store *hs, const hy_alert_filter *flt, hy_alert_cb cb, void *ud),
             (s, flt, cb, ud))
SQ_LOCKED_AS(sq_query_eve, hy__sq_query_eve,
             (hy_store *hs, const hy_alert_filter *flt, hy_alert_eve_cb cb, void *ud),
             (s, flt, cb, ud))
SQ_LOCKED(sq_count, (hy_store *hs, const char *table, uint64_t *n), (hs, table, n))
SQ_LOCKED(sq_put_feedback, (hy_store *hs, const hy_feedback *f), (hs, f))
SQ_LOCKED(sq_query_feedback,
          (hy_store *hs, const char *alert_id, hy_feedback_cb cb, void *ud),
          (hs, alert_id, cb, ud))
SQ_LOCKED(sq_query_series, (hy_store *hs, const hy_series_filter *f, hy_series_cb cb, void *ud),
          (hs, f, cb, ud))

static void sq_close(hy_store *hs)
{
    sq_store *s = sq(hs);
    if (!s)
        return;
    for (int i = 0; i < SQ__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    hy__sq_cache_free(s);
    sqlite3_close(s->db);
    hy_buf_free(&s->eve);
    hy_buf_free(&s->render);
    free(s->run_id);
    free(s->path);
    if (s->mu_init)
        pthread_mutex_destroy(&s->mu);
    free(s);
}

static const hy_store_ops sq_ops = {
    .backend = "sqlite",
    .begin_run = sq_begin_run,
    .end_run = sq_end_run,
    .put_alerts = sq_put_alerts,
    .put_flows = sq_put_flows,
    .put_capture_stats = sq_put_capture_stats,
    .put_series = sq_put_series,
    .query_alerts = sq_query_alerts,
    .count = sq_count,
    .put_feedback = sq_put_feedback,
    .query_series = sq_query_series,
    .query_eve = sq_query_eve,
    .query_feedback = sq_query_feedback,
    .put_samples = sq_put_samples,
    .put_reports = sq_put_reports,
    .query_samples = sq_query_samples,
    .query_reports = sq_query_reports,
    .query_iocs = sq_query_iocs,
    .close = sq_close,
};

/* A reader only queries: the dispatchers answer HY_ERR_UNSUPPORTED for the
 * rest. */
static const hy_store_ops sq_reader_ops = {
    .backend = "sqlite (read-only)",
    .query_alerts = sq_query_alerts,
    .count = sq_count,
    .query_series = sq_query_series,
    .query_eve = sq_query_eve,
    .query_feedback = sq_query_feedback,
    .query_samples = sq_query_samples,
    .query_reports = sq_query_reports,
    .query_iocs = sq_query_iocs,
    .close = sq_close,
};

/* PRAGMAs for a writer: WAL so readers never block the writer, NORMAL sync
 * (durable at checkpoints; a crash loses at most the last transactions),
 * foreign keys enforced, and wait up to 5 s for a lock. Then the schema is
 * migrated and alerts stored without EVE text get it. */
static hy_err sq_configure(sq_store *s)
{
    hy_err err;
    sqlite3_busy_timeout(s->db, 5000);
    if ((err = hy__sqlite_exec(s->db, s->path, "journal_mode", "PRAGMA journal_mode = WAL")) ||
        (err = hy__sqlite_exec(s->db, s->path, "synchronous", "PRAGMA synchronous = NORMAL")) ||
        (err = hy__sqlite_exec(s->db, s->path, "foreign_keys", "PRAGMA foreign_keys = ON")) ||
        (err = hy__sqlite_migrate(s->db, s->path)))
        return err;
    return hy__sq_render_missing(s);
}

static hy_err init_lock(sq_store *s)
{
    pthread_mutexattr_t at;
    int rc = pthread_mutexattr_init(&at);
    if (!rc) {
        pthread_mutexattr_settype(&at, PTHREAD_MUTEX_RECURSIVE);
        rc = pthread_mutex_init(&s->mu, &at);
        pthread_mutexattr_destroy(&at);
    }
    if (rc)
        return hy_err_set(HY_ERR_NOMEM, "store: cannot create lock");
    s->mu_init = true;
    return HY_OK;
}

/* A store with its lock and buffers, and its connection opened with flags
 * (not yet configured). */
static hy_err sq_open(const char *path, int flags, const hy_store_ops *ops, sq_store **out)
{
    sq_store *s = calloc(1, sizeof *s);
    hy_err err = HY_OK;
    int rc;
    if (!s || !(s->path = strdup(path))) {
        err = hy_err_set(HY_ERR_NOMEM, "store: out of memory");
        goto out;
    }
    s->base.ops = ops;
    hy_buf_init(&s->eve, HY__FLOW_EVE_MAX);
    hy_buf_init(&s->render, HY__FLOW_EVE_MAX);
    if ((err = init_lock(s)))
        goto out;
    rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        err = hy_err_set(HY_ERR_STORE, "%s: cannot open: %s", path,
                         s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 0);
out:
    if (err && s) {
        sq_close(&s->base);
        s = NULL;
    }
    *out = s;
    return err;
}

hy_err hy_store_open_sqlite(const char *path, hy_store **out)
{
    sq_store *s = NULL;
    hy_err err;
    if (!path || !out)
        return hy_err_set(HY_ERR_ARG, "store: NULL path or out");
    *out = NULL;
    if ((err = sq_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &sq_ops, &s)) ||
        (err = sq_configure(s)))
        goto out;
    for (int i = 0; i < SQ__COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, sq_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK) {
            err = hy_err_set(HY_ERR_STORE, "%s: prepare: %s", path, sqlite3_errmsg(s->db));
            goto out;
        }
    }
    *out = &s->base;
    s = NULL;
out:
    if (s)
        sq_close(&s->base);
    return err;
}

hy_err hy_store_open_sqlite_reader(const char *path, hy_store **out)
{
    sq_store *s = NULL;
    int64_t v = 0;
    hy_err err;
    if (!path || !out)
        return hy_err_set(HY_ERR_ARG, "store: NULL path or out");
    *out = NULL;
    /* NOMUTEX: one thread at a time uses a reader, under the store's lock */
    if ((err = sq_open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, &sq_reader_ops, &s)))
        return err;
    sqlite3_busy_timeout(s->db, 5000);
    /* Pages read through a map of the file, not copied into each
     * connection's cache (2 MB by default, less than a store): 1.6x the
     * pages/s at random cursors on 10,000 alerts (docs/BENCHMARKS.md). Best
     * effort: without it a reader still reads, only slower. */
    sqlite3_exec(s->db, "PRAGMA mmap_size = 268435456", NULL, NULL, NULL);
    if (!(err = hy__sqlite_version(s->db, path, &v)) && v != hy_store_schema_latest())
        err = hy_err_set(HY_ERR_STORE,
                         "%s: schema version %lld, not %d: open it for writing first (which"
                         " migrates it)", path, (long long)v, hy_store_schema_latest());
    if (err) {
        sq_close(&s->base);
        return err;
    }
    *out = &s->base;
    return HY_OK;
}
