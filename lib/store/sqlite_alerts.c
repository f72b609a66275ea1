/* The SQLite backend's alert queries: the filter as one parameterised
 * SELECT, alerts rebuilt from rows (query_alerts) or passed on as their
 * stored EVE text (query_eve), the per-connection cache of prepared query
 * statements, and the rendering of EVE text for rows stored without it.
 * Every function here runs with the store's lock held. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "store/sqlite_int.h"

#define EVE_MAX       (1u << 20) /* rendered EVE text of one alert, as the API allowed */
#define RENDER_BATCH  256        /* rows per transaction when filling in EVE text */
#define RENDER_ROUNDS (1u << 26) /* batches at most (far more than any store holds) */

/* The columns row_alert reads, in its order. */
#define ALERT_COLS                                                                     \
    "id, time_ns, engine, kind, severity, score, title, subject, evidence, attack,"  \
    " community_id, src_ip, src_port, dest_ip, dest_port, proto"

hy_err hy__sq_fail(hy__sq_store *s, const char *what, const char *which)
{
    return hy_err_set(HY_ERR_STORE, "%s: %s: %s: %s", s->path, what, which,
                      sqlite3_errmsg(s->db));
}

sqlite3_stmt *hy__sq_get_stmt(hy__sq_store *s, const char *sql)
{
    hy__sq_cached *slot = NULL;
    sqlite3_stmt *st = NULL;
    for (unsigned i = 0; i < HY__SQ_QCACHE; i++) {
        hy__sq_cached *c = &s->qc[i];
        if (c->sql && !c->busy && strcmp(c->sql, sql) == 0) {
            c->busy = true;
            return c->st;
        }
        if (!slot && !c->sql)
            slot = c;
    }
    for (unsigned i = 0; !slot && i < HY__SQ_QCACHE; i++) { /* evict round-robin */
        hy__sq_cached *c = &s->qc[(s->qc_next + i) % HY__SQ_QCACHE];
        if (!c->busy) {
            s->qc_next = (s->qc_next + i + 1) % HY__SQ_QCACHE;
            sqlite3_finalize(c->st);
            free(c->sql);
            c->sql = NULL;
            c->st = NULL;
            slot = c;
        }
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, slot ? SQLITE_PREPARE_PERSISTENT : 0, &st, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(st);
        hy__sq_fail(s, "query", "prepare");
        return NULL;
    }
    if (slot && (slot->sql = strdup(sql)) != NULL) {
        slot->st = st;
        slot->busy = true;
    }
    return st; /* not cached when every entry is busy or strdup failed */
}

void hy__sq_put_stmt(hy__sq_store *s, sqlite3_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (unsigned i = 0; i < HY__SQ_QCACHE; i++)
        if (s->qc[i].st == st) {
            s->qc[i].busy = false;
            return;
        }
    sqlite3_finalize(st);
}

void hy__sq_cache_free(hy__sq_store *s)
{
    for (unsigned i = 0; i < HY__SQ_QCACHE; i++) {
        sqlite3_finalize(s->qc[i].st);
        free(s->qc[i].sql);
        s->qc[i].sql = NULL;
        s->qc[i].st = NULL;
        s->qc[i].busy = false;
    }
}

/* Upper bound of the strings starting with prefix p[0..n): p with its last
 * byte below 0xff incremented and the rest dropped; 0 when none exists. */
static size_t prefix_upper(const char *p, size_t n, char *hi)
{
    memcpy(hi, p, n);
    while (n && (unsigned char)hi[n - 1] == 0xff)
        n--;
    if (n)
        hi[n - 1] = (char)((unsigned char)hi[n - 1] + 1);
    return n;
}

/* Values bound to the dynamic query, in placeholder order. */
typedef struct qbind {
    int n;
    struct { const char *s; int len; sqlite3_int64 i; } v[14]; /* the most a filter binds: 13 */
} qbind;

static void qtext(qbind *b, const char *s, size_t len)
{
    b->v[b->n].s = s;
    b->v[b->n++].len = (int)len;
}

static void qint(qbind *b, sqlite3_int64 i)
{
    b->v[b->n].s = NULL;
    b->v[b->n++].i = i;
}

/* The kind condition: exact, or a prefix range when it ends in '*'. Returns
 * 0 when it can match nothing. */
static int where_kind(const hy_alert_filter *f, char *sql, size_t cap, int *len, qbind *b,
                      char *hi)
{
    size_t klen = f->kind ? strlen(f->kind) : 0;
#define W(cond) *len += snprintf(sql + *len, cap - (size_t)*len, " AND %s", cond)
    if (klen && f->kind[klen - 1] == '*') {
        if (klen - 1 > sizeof ((hy_alert *)0)->kind)
            return 0; /* longer than any stored kind */
        if (klen > 1) {
            size_t hn = prefix_upper(f->kind, klen - 1, hi);
            W("+kind >= ?");
            qtext(b, f->kind, klen - 1);
            if (hn) {
                W("+kind < ?");
                qtext(b, hi, hn);
            }
        }
    } else if (f->kind) {
        W("+kind = ?");
        qtext(b, f->kind, klen);
    }
#undef W
    return 1;
}

/* Builds "SELECT cols FROM alerts WHERE ... ORDER ... LIMIT ?" for a filter
 * into sql (>= 1024 bytes). Returns 0 when the filter can match nothing.
 * Engine, kind and severity are written +col so SQLite walks the alerts in
 * the page's order (the primary key, or alerts_uncertainty) and stops when
 * the page is full, instead of taking every match from their index and
 * sorting it: with ORDER BY id LIMIT n a dense filter reads about n rows
 * (0.05 ms for 100 of 10,000 alerts, against 2.6 ms through the index); a
 * rare one reads up to the whole table. newest_first walks the primary key
 * backwards the same way (ORDER BY id DESC, before_id its cursor): the
 * newest page of a large store reads about n rows too, with no sort. */
static int build_query(const hy_alert_filter *f, const char *cols, char *sql, size_t cap,
                       qbind *b, char *hi)
{
    int len = snprintf(sql, cap, "SELECT %s FROM alerts WHERE 1", cols);
#define W(cond) len += snprintf(sql + len, cap - (size_t)len, " AND %s", cond)
    if (f->engine) {
        W("+engine = ?");
        qtext(b, f->engine, strlen(f->engine));
    }
    if (!where_kind(f, sql, cap, &len, b, hi))
        return 0;
    if (f->max_severity) {
        W("+severity <= ?");
        qint(b, f->max_severity);
    }
    if (f->from_ns > (uint64_t)INT64_MAX)
        return 0;
    if (f->from_ns) {
        W("time_ns >= ?");
        qint(b, (sqlite3_int64)f->from_ns);
    }
    if (f->to_ns && f->to_ns <= (uint64_t)INT64_MAX) {
        W("time_ns < ?");
        qint(b, (sqlite3_int64)f->to_ns);
    }
    if (f->text && *f->text) {
        W("(instr(title, ?) > 0 OR instr(subject, ?) > 0)");
        qtext(b, f->text, strlen(f->text));
        qtext(b, f->text, strlen(f->text));
    }
    if (f->after_id) {
        W("id > ?");
        qtext(b, f->after_id, strlen(f->after_id));
    }
    if (f->before_id) {
        W("id < ?");
        qtext(b, f->before_id, strlen(f->before_id));
    }
    if (f->id) {
        W("id = ?");
        qtext(b, f->id, strlen(f->id));
    }
    if (f->verdict && strcmp(f->verdict, "none") == 0) {
        W("NOT EXISTS (SELECT 1 FROM feedback WHERE alert_id = alerts.id)");
    } else if (f->verdict) { /* the latest verdict on the alert */
        W("(SELECT verdict FROM feedback WHERE alert_id = alerts.id"
          " ORDER BY time DESC, id DESC LIMIT 1) = ?");
        qtext(b, f->verdict, strlen(f->verdict));
    }
    if (f->order == HY_ALERT_ORDER_IMPACT) /* the cluster's best-placed member only */
        W("id IN (SELECT id FROM (SELECT a2.id, row_number() OVER (PARTITION BY"
          " json_extract(a2.evidence, '$.screen.cluster') ORDER BY"
          " json_extract(a2.evidence, '$.screen.impact') DESC, a2.id) AS rn FROM alerts a2"
          " WHERE a2.engine = 'screen' AND a2.kind = 'screen.alert' AND NOT EXISTS"
          " (SELECT 1 FROM feedback WHERE alert_id = a2.id)) WHERE rn = 1)");
#undef W
    /* abs(score - 0.5) exactly as alerts_uncertainty spells it */
    snprintf(sql + len, cap - (size_t)len, "%s",
             f->order == HY_ALERT_ORDER_IMPACT
                 ? " ORDER BY json_extract(evidence, '$.screen.impact') DESC, id LIMIT ?"
             : f->order == HY_ALERT_ORDER_UNCERTAINTY ? " ORDER BY abs(score - 0.5), id LIMIT ?"
             : f->newest_first                      ? " ORDER BY id DESC LIMIT ?"
                                                    : " ORDER BY id LIMIT ?");
    qint(b, f->limit && f->limit < (size_t)INT64_MAX ? (sqlite3_int64)f->limit : -1);
    return 1;
}

/* Checks a filter; HY_ERR_ARG with the detail for one that makes no sense. */
static hy_err check_filter(const hy_alert_filter *f)
{
    if (f->max_severity < 0 || f->max_severity > 4)
        return hy_err_set(HY_ERR_ARG, "query_alerts: max_severity %d outside 0..4",
                          f->max_severity);
    if (f->order != HY_ALERT_ORDER_ID && f->order != HY_ALERT_ORDER_UNCERTAINTY &&
        f->order != HY_ALERT_ORDER_IMPACT)
        return hy_err_set(HY_ERR_ARG, "query_alerts: unknown order %d", (int)f->order);
    if (f->order != HY_ALERT_ORDER_ID && (f->after_id || f->before_id || f->newest_first))
        return hy_err_set(HY_ERR_ARG,
                          "query_alerts: after_id, before_id and newest_first need id order");
    return HY_OK;
}

/* The filter's statement, prepared (or from the cache) and bound; NULL
 * with *err set, or with *err HY_OK when the filter matches nothing. */
static sqlite3_stmt *filter_stmt(hy__sq_store *s, const hy_alert_filter *f, const char *cols,
                                 hy_err *err)
{
    char sql[1024], hi[sizeof ((hy_alert *)0)->kind]; /* every clause at once: ~750 */
    qbind b = {0};
    sqlite3_stmt *st;
    int rc = SQLITE_OK;
    if ((*err = check_filter(f)) != HY_OK || !build_query(f, cols, sql, sizeof sql, &b, hi))
        return NULL;
    if (!(st = hy__sq_get_stmt(s, sql))) {
        *err = HY_ERR_STORE;
        return NULL;
    }
    /* SQLITE_TRANSIENT for hi, a local; the caller's strings outlive the query */
    for (int i = 0; rc == SQLITE_OK && i < b.n; i++)
        rc = b.v[i].s ? sqlite3_bind_text(st, i + 1, b.v[i].s, b.v[i].len,
                                          b.v[i].s == hi ? SQLITE_TRANSIENT : SQLITE_STATIC)
                      : sqlite3_bind_int64(st, i + 1, b.v[i].i);
    if (rc != SQLITE_OK) {
        *err = hy__sq_fail(s, "query_alerts", "bind");
        hy__sq_put_stmt(s, st);
        return NULL;
    }
    return st;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
}

static void parse_addr(hy_alert *a, const char *s, uint8_t addr[16])
{
    if (!s)
        return;
    if (inet_pton(AF_INET, s, addr) == 1)
        a->ip_version = 4;
    else if (inet_pton(AF_INET6, s, addr) == 1)
        a->ip_version = 6;
}

/* Rebuilds an alert from a row of ALERT_COLS; its strings point into the
 * row. */
static void row_alert(sqlite3_stmt *st, hy_alert *a)
{
    memset(a, 0, sizeof *a);
    copy_col(a->id, sizeof a->id, st, 0);
    a->time_ns = (uint64_t)sqlite3_column_int64(st, 1);
    copy_col(a->engine, sizeof a->engine, st, 2);
    copy_col(a->kind, sizeof a->kind, st, 3);
    a->severity = sqlite3_column_int(st, 4);
    a->score = sqlite3_column_double(st, 5);
    a->title = (char *)sqlite3_column_text(st, 6);
    a->subject = (char *)sqlite3_column_text(st, 7);
    a->evidence = (char *)sqlite3_column_text(st, 8);
    a->attack = (char *)sqlite3_column_text(st, 9);
    copy_col(a->community_id, sizeof a->community_id, st, 10);
    if (sqlite3_column_type(st, 11) != SQLITE_NULL) {
        parse_addr(a, (const char *)sqlite3_column_text(st, 11), a->src);
        parse_addr(a, (const char *)sqlite3_column_text(st, 13), a->dst);
        a->sport = (uint16_t)sqlite3_column_int(st, 12);
        a->dport = (uint16_t)sqlite3_column_int(st, 14);
        a->proto = (uint8_t)sqlite3_column_int(st, 15);
    }
}

hy_err hy__sq_query_alerts(hy__sq_store *s, const hy_alert_filter *flt, hy_alert_cb cb,
                           void *ud)
{
    static const hy_alert_filter all;
    hy_err err = HY_OK;
    sqlite3_stmt *st;
    int rc;
    if (!cb)
        return hy_err_set(HY_ERR_ARG, "query_alerts: no callback");
    if (!(st = filter_stmt(s, flt ? flt : &all, ALERT_COLS, &err)))
        return err;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hy_alert a;
        row_alert(st, &a);
        if (cb(ud, &a)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (rc != SQLITE_DONE)
        err = hy__sq_fail(s, "query_alerts", "select");
    hy__sq_put_stmt(s, st);
    return err;
}

/* Renders the EVE text of alert id from its row into s->render. */
static hy_err render_row(hy__sq_store *s, const char *id, hy_alert_eve *e)
{
    sqlite3_stmt *st = hy__sq_get_stmt(s, "SELECT " ALERT_COLS " FROM alerts WHERE id = ?1");
    hy_err err = HY_OK;
    int rc;
    if (!st)
        return HY_ERR_STORE;
    if ((rc = sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT)) == SQLITE_OK &&
        (rc = sqlite3_step(st)) == SQLITE_ROW) {
        hy_alert a;
        row_alert(st, &a);
        hy_buf_reset(&s->render);
        if ((err = hy_alert_to_eve(&a, &s->render)) == HY_OK) {
            e->eve = s->render.data;
            e->len = s->render.len;
        }
    } else {
        err = hy__sq_fail(s, "query_eve", id);
    }
    hy__sq_put_stmt(s, st);
    return err;
}

hy_err hy__sq_query_eve(hy__sq_store *s, const hy_alert_filter *flt, hy_alert_eve_cb cb,
                        void *ud)
{
    static const hy_alert_filter all;
    hy_err err = HY_OK;
    sqlite3_stmt *st;
    int rc;
    if (!cb)
        return hy_err_set(HY_ERR_ARG, "query_eve: no callback");
    if (!(st = filter_stmt(s, flt ? flt : &all, "id, score, eve", &err)))
        return err;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        hy_alert_eve e = {.id = (const char *)sqlite3_column_text(st, 0),
                          .score = sqlite3_column_double(st, 1)};
        if (!e.id)
            continue; /* the primary key is never NULL */
        if (sqlite3_column_type(st, 2) == SQLITE_TEXT) {
            e.eve = (const char *)sqlite3_column_text(st, 2);
            e.len = (size_t)sqlite3_column_bytes(st, 2);
        } else if ((err = render_row(s, e.id, &e)) != HY_OK) {
            break;
        }
        if (cb(ud, &e)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    if (!err && rc != SQLITE_DONE)
        err = hy__sq_fail(s, "query_eve", "select");
    hy__sq_put_stmt(s, st);
    return err;
}

/* Renders and stores the EVE text of the next alert after *last lacking it;
 * *done when there is none. An alert that cannot be rendered keeps NULL
 * (readers render it, and fail, as before). */
static hy_err render_next(hy__sq_store *s, sqlite3_stmt *next, sqlite3_stmt *set, char *last,
                          bool *done)
{
    hy_alert a;
    hy_err err = HY_OK;
    int rc = sqlite3_bind_text(next, 1, last, -1, SQLITE_TRANSIENT);
    if (rc == SQLITE_OK && (rc = sqlite3_step(next)) == SQLITE_DONE) {
        *done = true;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        err = hy__sq_fail(s, "render EVE", "select");
        goto out;
    }
    row_alert(next, &a);
    snprintf(last, HY_ALERT_ID_LEN + 1, "%s", a.id);
    hy_buf_reset(&s->render);
    if (hy_alert_to_eve(&a, &s->render) != HY_OK)
        goto out;
    if ((rc = sqlite3_bind_text(set, 1, a.id, -1, SQLITE_TRANSIENT)) == SQLITE_OK &&
        (rc = sqlite3_bind_text(set, 2, s->render.data, (int)s->render.len, SQLITE_STATIC)) ==
            SQLITE_OK)
        rc = sqlite3_step(set);
    if (rc != SQLITE_DONE)
        err = hy__sq_fail(s, "render EVE", a.id);
out:
    sqlite3_reset(next);
    sqlite3_reset(set);
    sqlite3_clear_bindings(set);
    return err;
}

hy_err hy__sq_render_missing(hy__sq_store *s)
{
    sqlite3_stmt *next = NULL, *set = NULL;
    char last[HY_ALERT_ID_LEN + 1] = "";
    bool done = false;
    hy_err err = HY_OK;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " ALERT_COLS " FROM alerts INDEXED BY alerts_eve_missing"
                           " WHERE eve IS NULL AND id > ?1 ORDER BY id LIMIT 1",
                           -1, &next, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "UPDATE alerts SET eve = ?2 WHERE id = ?1", -1, &set,
                           NULL) != SQLITE_OK) {
        err = hy__sq_fail(s, "render EVE", "prepare");
        goto out;
    }
    /* Look first, outside a transaction: an open takes no write lock when
     * every alert has its text (the usual case). */
    int rc = sqlite3_bind_text(next, 1, "", 0, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(next);
    sqlite3_reset(next);
    if (rc == SQLITE_DONE)
        goto out;
    if (rc != SQLITE_ROW) {
        err = hy__sq_fail(s, "render EVE", "select");
        goto out;
    }
    for (unsigned round = 0; !done && !err && round < RENDER_ROUNDS; round++) {
        if ((err = hy__sqlite_exec(s->db, s->path, "render EVE", "BEGIN IMMEDIATE")))
            break;
        for (unsigned i = 0; i < RENDER_BATCH && !done && !err; i++)
            err = render_next(s, next, set, last, &done);
        if (!err)
            err = hy__sqlite_exec(s->db, s->path, "render EVE", "COMMIT");
        if (err && !sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
out:
    sqlite3_finalize(next);
    sqlite3_finalize(set);
    return err;
}
