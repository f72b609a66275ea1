/* SQLite store: schema/migrations, refusal of foreign files, WAL, alert round
 * trip and filters, all-or-nothing batches, flows, capture statistics,
 * stored EVE text and reader connections, the uncertainty order. */
#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/store.h"
#include "testutil.h"

#define T0 1704164645000000000ull

static int db_seq;

/* A fresh database path in the test's temporary directory. */
static const char *new_path(char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/db%d.sqlite", hy_test_tmpdir(), ++db_seq);
    return buf;
}

static hy_store *open_ok(const char *path)
{
    hy_store *s = NULL;
    hy_err e = hy_store_open_sqlite(path, &s);
    if (e != HY_OK)
        fail_msg("open %s: %s: %s", path, hy_err_str(e), hy_err_detail());
    return s;
}

static uint64_t count(hy_store *s, const char *table)
{
    uint64_t n = ~0ull;
    assert_int_equal(hy_store_count(s, table, &n), HY_OK);
    return n;
}

/* One integer or text from a direct SQLite connection (independent check). */
static sqlite3_int64 sql_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    sqlite3_int64 v;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static char *sql_text(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *v;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = strdup(sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "(null)");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

/* Takes a store back to schema version 2 (before stored EVE text, the
 * uncertainty index and the feedback (alert_id, time) index), as an older
 * hayate left it. */
static void to_v2(const char *path)
{
    sql_exec(path, "DROP TABLE iocs; DROP TABLE intel_reports;"
                   " DROP TABLE samples; DROP INDEX alerts_uncertainty;"
                   " DROP INDEX alerts_eve_missing;"
                   " DROP INDEX feedback_alert_time;"
                   " CREATE INDEX feedback_alert ON feedback(alert_id);"
                   " ALTER TABLE alerts DROP COLUMN eve;"
                   " DELETE FROM schema_version WHERE version > 2");
}

static hy_alert *mk(uint64_t t, const char *engine, const char *kind, int sev,
                    const char *title, const char *subject, uint64_t disc)
{
    hy_alert *a = NULL;
    assert_int_equal(hy_alert_create(t, engine, kind, sev, 0.25 * sev, title, subject, disc, &a),
                     HY_OK);
    return a;
}

static void free_all(hy_alert **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        hy_alert_destroy(v[i]);
}

/* Collects copies of the alerts a query returns. */
typedef struct got {
    hy_alert *a[1100];
    size_t n, stop_after;
} got;

static int collect(void *ud, const hy_alert *a)
{
    got *g = ud;
    assert_true(g->n < sizeof g->a / sizeof g->a[0]);
    assert_int_equal(hy_alert_dup(a, &g->a[g->n]), HY_OK);
    g->n++;
    return g->stop_after && g->n >= g->stop_after;
}

static void got_free(got *g)
{
    free_all(g->a, g->n);
    g->n = 0;
}

static void test_schema_fresh_and_reopen(void **st)
{
    char path[512];
    hy_store *s;
    hy_alert *a[3];
    got g = {0};
    (void)st;
    new_path(path, sizeof path);
    s = open_ok(path);
    assert_int_equal(hy_store_schema_latest(), 8);
    assert_int_equal(sql_int(path, "SELECT max(version) FROM schema_version"), 8);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM schema_version"), 8);
    assert_true(sql_int(path, "SELECT min(applied_at) FROM schema_version") > 1600000000000000000);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND"
                                   " name IN ('runs','alerts','feedback','flows','capture_stats')"),
                     5);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND"
                                   " name IN ('alerts_time','alerts_engine_kind','alerts_severity',"
                                   "'alerts_eve_missing','alerts_uncertainty',"
                                   "'feedback_alert_time')"),
                     6);
    /* WAL: persistent in the file, seen by an independent connection. */
    {
        char *mode = sql_text(path, "PRAGMA journal_mode");
        assert_string_equal(mode, "wal");
        free(mode);
    }
    for (int i = 0; i < 3; i++)
        a[i] = mk(T0 + i * 1000000ull, "darknet", "darknet.outbreak", 2, "t", "s", (uint64_t)i);
    assert_int_equal(hy_store_put_alerts(s, a, 3), HY_OK);
    assert_int_equal(count(s, "alerts"), 3);
    hy_store_close(s);

    s = open_ok(path); /* reopen: data kept, no second migration */
    assert_int_equal(count(s, "alerts"), 3);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM schema_version"), 8);
    assert_int_equal(hy_store_query_alerts(s, NULL, collect, &g), HY_OK);
    assert_int_equal(g.n, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(g.a[i]->id, a[i]->id);
    got_free(&g);
    /* Idempotent: the same alerts again add nothing. */
    assert_int_equal(hy_store_put_alerts(s, a, 3), HY_OK);
    assert_int_equal(count(s, "alerts"), 3);
    hy_store_close(s);
    free_all(a, 3);
}

static void test_empty_file_is_migrated(void **st)
{
    char path[512];
    hy_store *s;
    (void)st;
    hy_test_write_file(new_path(path, sizeof path), "", 0);
    s = open_ok(path);
    assert_int_equal(sql_int(path, "SELECT max(version) FROM schema_version"),
                     hy_store_schema_latest());
    assert_int_equal(count(s, "alerts"), 0);
    assert_int_equal(count(s, "feedback"), 0);
    hy_store_close(s);
}

static void test_newer_version_refused(void **st)
{
    char path[512], want[600];
    hy_store *s = (hy_store *)0x1;
    (void)st;
    new_path(path, sizeof path);
    hy_store_close(open_ok(path));
    sql_exec(path, "INSERT INTO schema_version VALUES (99, 0)");
    assert_int_equal(hy_store_open_sqlite(path, &s), HY_ERR_STORE);
    assert_null(s);
    snprintf(want, sizeof want, "%s: schema version 99 is newer than this hayate supports (%d)",
             path, hy_store_schema_latest());
    assert_non_null(strstr(hy_err_detail(), want));
}

/* A version-1 store (before the series table) is migrated on open, and
 * series points are inserted, replaced by (series, key, time) and counted. */
static void test_series_and_migration_from_v1(void **st)
{
    char path[512];
    hy_store *s;
    (void)st;
    new_path(path, sizeof path);
    hy_store_close(open_ok(path));
    to_v2(path);
    sql_exec(path, "DROP TABLE series; DELETE FROM schema_version WHERE version = 2");
    s = open_ok(path);
    assert_int_equal(sql_int(path, "SELECT max(version) FROM schema_version"),
                     hy_store_schema_latest());
    hy_series_point p[3] = {
        {.series = "darknet", .key = "tcp/23", .time_ns = 60, .json = "{\"sources\":5}"},
        {.series = "darknet", .key = "tcp/23", .time_ns = 120, .json = "{\"sources\":7}"},
        {.series = "darknet", .key = "udp/53", .time_ns = 60, .json = "{\"sources\":1}"},
    };
    assert_int_equal(hy_store_put_series(s, p, 3), HY_OK);
    p[0].json = "{\"sources\":6}"; /* the same point again replaces it */
    assert_int_equal(hy_store_put_series(s, p, 1), HY_OK);
    assert_int_equal(count(s, "series"), 3);
    hy_store_close(s);
    assert_int_equal(sql_int(path, "SELECT json_extract(value, '$.sources') FROM series"
                                   " WHERE key = 'tcp/23' AND time_ns = 60"), 6);
    s = open_ok(path);
    p[1].key = NULL; /* a bad point: nothing of the batch lands */
    p[0].time_ns = 999;
    assert_int_equal(hy_store_put_series(s, p, 2), HY_ERR_ARG);
    assert_int_equal(count(s, "series"), 3);
    hy_store_close(s);
}

static void test_garbage_refused(void **st)
{
    char path[512], want[600];
    char junk[4096];
    hy_store *s = NULL;
    (void)st;
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)('a' + i % 26);
    hy_test_write_file(new_path(path, sizeof path), junk, sizeof junk);
    assert_int_equal(hy_store_open_sqlite(path, &s), HY_ERR_STORE);
    assert_null(s);
    snprintf(want, sizeof want, "%s: not an SQLite database", path);
    assert_string_equal(hy_err_detail(), want);

    hy_test_write_file(new_path(path, sizeof path), "hello\n", 6);
    assert_int_equal(hy_store_open_sqlite(path, &s), HY_ERR_STORE);
    snprintf(want, sizeof want, "%s: not an SQLite database", path);
    assert_string_equal(hy_err_detail(), want);

    /* Somebody else's SQLite database is not written into. */
    new_path(path, sizeof path);
    sql_exec(path, "CREATE TABLE places (url TEXT)");
    assert_int_equal(hy_store_open_sqlite(path, &s), HY_ERR_STORE);
    assert_non_null(strstr(hy_err_detail(), "not a hayate store"));
    assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master"), 1);

    /* A directory cannot be opened. */
    assert_int_equal(hy_store_open_sqlite(hy_test_tmpdir(), &s), HY_ERR_STORE);
    assert_non_null(strstr(hy_err_detail(), hy_test_tmpdir()));
}

static void assert_alert_eq(const hy_alert *x, const hy_alert *y)
{
    assert_string_equal(x->id, y->id);
    assert_true(x->time_ns == y->time_ns);
    assert_string_equal(x->engine, y->engine);
    assert_string_equal(x->kind, y->kind);
    assert_int_equal(x->severity, y->severity);
    assert_true(x->score == y->score);
    assert_string_equal(x->title, y->title);
    assert_string_equal(x->subject, y->subject);
    assert_string_equal(x->evidence, y->evidence);
    if (x->attack || y->attack)
        assert_string_equal(x->attack, y->attack);
    assert_string_equal(x->community_id, y->community_id);
    assert_int_equal(x->ip_version, y->ip_version);
    if (x->ip_version) {
        assert_int_equal(x->proto, y->proto);
        assert_memory_equal(x->src, y->src, 16);
        assert_memory_equal(x->dst, y->dst, 16);
        assert_int_equal(x->sport, y->sport);
        assert_int_equal(x->dport, y->dport);
    }
}

static void test_alert_round_trip(void **st)
{
    char path[512];
    hy_store *s;
    hy_alert *a[3];
    got g = {0};
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    a[0] = mk(T0 + 123456789, "tls", "tls.ja3.bad", 1, "Known-bad JA3 \"x\"\n", "10.1.2.3", 0);
    assert_int_equal(hy_alert_set_evidence(a[0], "{\"ja3\":\"e7d7\",\"n\":[1,2.5]}"), HY_OK);
    assert_int_equal(hy_alert_set_attack(a[0], "T1071.001"), HY_OK);
    strcpy(a[0]->community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    a[0]->ip_version = 6;
    a[0]->proto = 6;
    inet_pton(AF_INET6, "2001:db8::1", a[0]->src);
    inet_pton(AF_INET6, "2001:db8:0:1::ff", a[0]->dst);
    a[0]->sport = 65535;
    a[0]->dport = 443;
    a[1] = mk(T0 + 223456789, "nids", "nids.anomaly", 3, "RMSE high", "192.0.2.1", 0);
    a[1]->score = 0.123456789012345;
    a[1]->ip_version = 4;
    a[1]->proto = 17;
    inet_pton(AF_INET, "192.0.2.1", a[1]->src);
    inet_pton(AF_INET, "198.51.100.255", a[1]->dst);
    a[1]->sport = 53;
    a[1]->dport = 0;
    a[2] = mk(T0 + 323456789, "malware", "malware.verdict", 4, "", "", 0); /* no flow */
    assert_int_equal(hy_store_put_alerts(s, a, 3), HY_OK);
    assert_int_equal(hy_store_query_alerts(s, NULL, collect, &g), HY_OK);
    assert_int_equal(g.n, 3);
    for (int i = 0; i < 3; i++)
        assert_alert_eq(g.a[i], a[i]);
    assert_null(g.a[2]->attack);
    assert_int_equal(g.a[2]->ip_version, 0);
    got_free(&g);
    /* Empty community id and no IP are stored as NULL, not "". */
    assert_int_equal(sql_int(path, "SELECT count(*) FROM alerts WHERE community_id IS NULL AND"
                                   " src_ip IS NULL AND attack IS NULL"), 1);
    hy_store_close(s);
    free_all(a, 3);
}

/* Reference filter, applied in C to the inserted alerts. */
static int matches(const hy_alert *a, const hy_alert_filter *f)
{
    size_t kl = f->kind ? strlen(f->kind) : 0;
    if (f->engine && strcmp(a->engine, f->engine))
        return 0;
    if (kl && f->kind[kl - 1] == '*') {
        if (strncmp(a->kind, f->kind, kl - 1))
            return 0;
    } else if (f->kind && strcmp(a->kind, f->kind)) {
        return 0;
    }
    if (f->max_severity && a->severity > f->max_severity)
        return 0;
    if (f->from_ns && a->time_ns < f->from_ns)
        return 0;
    if (f->to_ns && a->time_ns >= f->to_ns)
        return 0;
    if (f->text && !strstr(a->title, f->text) && !strstr(a->subject, f->text))
        return 0;
    return 1;
}

static int cmp_id(const void *x, const void *y)
{
    return strcmp((*(hy_alert *const *)x)->id, (*(hy_alert *const *)y)->id);
}

static void check_filter(hy_store *s, hy_alert **all, size_t n, const hy_alert_filter *f,
                         size_t want_min)
{
    got g = {0};
    size_t k = 0;
    assert_int_equal(hy_store_query_alerts(s, f, collect, &g), HY_OK);
    for (size_t i = 0; i < n; i++) {
        if (!matches(all[i], f))
            continue;
        if (f->limit && k >= f->limit)
            break;
        assert_true(k < g.n);
        assert_string_equal(g.a[k]->id, all[i]->id);
        k++;
    }
    assert_int_equal(g.n, k);
    assert_true(k >= want_min);
    got_free(&g);
}

static void test_filters(void **st)
{
    static const char *const engines[] = {"darknet", "darknet", "tls", "nids"};
    static const char *const kinds[] = {"darknet.outbreak", "darknet.scanner", "tls.ja3.bad",
                                        "darknet/"};
    char path[512], title[64], subject[64];
    hy_alert *all[200];
    hy_store *s;
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    for (size_t i = 0; i < 200; i++) {
        snprintf(title, sizeof title, "title %zu%s", i, i % 7 == 0 ? " Mirai" : "");
        snprintf(subject, sizeof subject, "10.0.%zu.%zu", i / 50, i % 50);
        all[i] = mk(T0 + i * 1000000000ull, engines[i % 4], kinds[i % 4], 1 + (int)(i % 4) % 4,
                    title, subject, i);
    }
    assert_int_equal(hy_store_put_alerts(s, all, 200), HY_OK);
    qsort(all, 200, sizeof all[0], cmp_id); /* the store returns id order */
    check_filter(s, all, 200, &(hy_alert_filter){.engine = "darknet"}, 100);
    check_filter(s, all, 200, &(hy_alert_filter){.kind = "darknet.scanner"}, 50);
    check_filter(s, all, 200, &(hy_alert_filter){.kind = "darknet.*"}, 100);
    check_filter(s, all, 200, &(hy_alert_filter){.kind = "darknet*"}, 150);
    check_filter(s, all, 200, &(hy_alert_filter){.kind = "*"}, 200);
    check_filter(s, all, 200, &(hy_alert_filter){.kind = "darknet"}, 0);
    check_filter(s, all, 200, &(hy_alert_filter){.max_severity = 2}, 100);
    check_filter(s, all, 200,
                 &(hy_alert_filter){.from_ns = T0 + 10000000000ull, .to_ns = T0 + 20000000000ull},
                 10);
    check_filter(s, all, 200, &(hy_alert_filter){.text = "Mirai"}, 29);
    check_filter(s, all, 200, &(hy_alert_filter){.text = "10.0.3."}, 50);
    check_filter(s, all, 200, &(hy_alert_filter){.text = "zzz"}, 0);
    check_filter(s, all, 200,
                 &(hy_alert_filter){.engine = "darknet", .kind = "darknet.*", .max_severity = 1,
                                    .text = "Mirai", .limit = 3},
                 3);
    /* every clause at once (no verdicts yet: "none" keeps them all) */
    check_filter(s, all, 200,
                 &(hy_alert_filter){.engine = "darknet", .kind = "darknet.*", .max_severity = 4,
                                    .from_ns = T0, .to_ns = T0 + 300000000000ull,
                                    .text = "Mirai", .after_id = "0", .verdict = "none",
                                    .limit = 100},
                 14);
    {
        hy_feedback fb = {.alert_id = all[0]->id, .verdict = "benign", .time_ns = T0};
        hy_feedback nope = {.alert_id = "01ARZ3NDEKTSV4RRFFQ69G5FAV", .verdict = "benign"};
        got g = {0};
        assert_int_equal(hy_store_put_feedback(s, &fb), HY_OK);
        assert_int_equal(hy_store_put_feedback(s, &nope), HY_ERR_NOTFOUND);
        fb.verdict = "maybe";
        assert_int_equal(hy_store_put_feedback(s, &fb), HY_ERR_ARG);
        hy_alert_filter f = {.verdict = "benign"};
        assert_int_equal(hy_store_query_alerts(s, &f, collect, &g), HY_OK);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.a[0]->id, all[0]->id);
        got_free(&g);
    }
    /* A kind with LIKE metacharacters is taken literally. */
    check_filter(s, all, 200, &(hy_alert_filter){.kind = "darknet_%*"}, 0);
    {
        hy_alert_filter f = {.max_severity = 5};
        got g = {0};
        assert_int_equal(hy_store_query_alerts(s, &f, collect, &g), HY_ERR_ARG);
        g.stop_after = 4; /* a callback returning non-zero stops the query */
        assert_int_equal(hy_store_query_alerts(s, NULL, collect, &g), HY_OK);
        assert_int_equal(g.n, 4);
        got_free(&g);
    }
    hy_store_close(s);
    free_all(all, 200);
}

static void test_pagination(void **st)
{
    char path[512];
    hy_alert *all[1000];
    hy_store *s;
    got g = {0};
    char last[HY_ALERT_ID_LEN + 1] = "";
    size_t total = 0, pages = 0;
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    for (size_t i = 0; i < 1000; i++) /* many share a millisecond */
        all[i] = mk(T0 + (i / 3) * 1000000ull, "darknet", "darknet.outbreak", 2, "t", "s", i);
    assert_int_equal(hy_store_put_alerts(s, all, 1000), HY_OK);
    assert_int_equal(count(s, "alerts"), 1000);
    qsort(all, 1000, sizeof all[0], cmp_id);
    for (;;) {
        hy_alert_filter f = {.after_id = last[0] ? last : NULL, .limit = 100};
        assert_int_equal(hy_store_query_alerts(s, &f, collect, &g), HY_OK);
        if (!g.n)
            break;
        assert_int_equal(g.n, 100);
        for (size_t i = 0; i < g.n; i++) {
            assert_string_equal(g.a[i]->id, all[total + i]->id);
            if (i)
                assert_true(strcmp(g.a[i - 1]->id, g.a[i]->id) < 0);
        }
        total += g.n;
        pages++;
        strcpy(last, g.a[g.n - 1]->id);
        got_free(&g);
    }
    assert_int_equal(total, 1000);
    assert_int_equal(pages, 10);
    hy_store_close(s);
    free_all(all, 1000);
}

static void test_batch_all_or_nothing(void **st)
{
    char path[512];
    hy_alert *a[10];
    hy_store *s;
    char *saved;
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    for (int i = 0; i < 10; i++)
        a[i] = mk(T0 + (uint64_t)i * 1000000ull, "darknet", "darknet.outbreak", 2, "t", "s",
                  (uint64_t)i);
    a[9]->severity = 9; /* violates the CHECK constraint */
    assert_int_equal(hy_store_put_alerts(s, a, 10), HY_ERR_STORE);
    assert_non_null(strstr(hy_err_detail(), "CHECK constraint failed"));
    assert_non_null(strstr(hy_err_detail(), a[9]->id));
    assert_int_equal(count(s, "alerts"), 0);
    a[9]->severity = 2;

    saved = a[9]->title;
    a[9]->title = NULL; /* NOT NULL */
    assert_int_equal(hy_store_put_alerts(s, a, 10), HY_ERR_STORE);
    assert_non_null(strstr(hy_err_detail(), "NOT NULL"));
    assert_int_equal(count(s, "alerts"), 0);
    a[9]->title = saved;

    free(a[9]->evidence);
    a[9]->evidence = strdup("{\"broken\":"); /* not JSON */
    assert_int_equal(hy_store_put_alerts(s, a, 10), HY_ERR_STORE);
    assert_int_equal(count(s, "alerts"), 0);
    assert_int_equal(hy_alert_set_evidence(a[9], "{}"), HY_OK);

    /* The statements were reset: the fixed batch goes in whole. */
    assert_int_equal(hy_store_put_alerts(s, a, 10), HY_OK);
    assert_int_equal(count(s, "alerts"), 10);
    assert_int_equal(hy_store_put_alerts(s, a, 0), HY_OK);
    assert_int_equal(hy_store_put_alerts(s, NULL, 3), HY_ERR_ARG);
    hy_store_close(s);
    free_all(a, 10);
}

static void mk_flow(hy_flow *f, uint64_t seq, int v6)
{
    memset(f, 0, sizeof *f);
    f->ip_version = v6 ? 6 : 4;
    f->proto = v6 ? 17 : 6;
    f->vlan = v6 ? 0 : 42;
    if (v6) {
        inet_pton(AF_INET6, "2001:db8::a", f->src);
        inet_pton(AF_INET6, "2001:db8::b", f->dst);
    } else {
        inet_pton(AF_INET, "192.0.2.1", f->src);
        inet_pton(AF_INET, "198.51.100.2", f->dst);
    }
    f->sport = 40000;
    f->dport = v6 ? 53 : 80;
    f->first_ns = T0 + seq;
    f->last_ns = T0 + seq + 5000000000ull;
    f->first_seq = seq;
    f->dir[0].pkts = 10 + seq;
    f->dir[1].pkts = 8;
    f->dir[0].bytes = 1000;
    f->dir[1].bytes = 123456789012ull;
    f->tcp_state = v6 ? HY_TCP_NONE : HY_TCP_CLOSED;
    f->end = v6 ? HY_FLOW_END_IDLE : HY_FLOW_END_TCP_CLOSED;
    if (!v6)
        strcpy(f->community_id, "1:abc=");
}

static void test_flows_and_runs(void **st)
{
    char path[512];
    hy_flow fl[3];
    const hy_flow *fp[3] = {&fl[0], &fl[1], &fl[2]};
    hy_store *s;
    char *txt;
    json_t *j;
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    mk_flow(&fl[0], 7, 0);
    mk_flow(&fl[1], 9, 1);
    mk_flow(&fl[2], 11, 0);
    assert_int_equal(hy_store_put_flows(s, fp, 2), HY_ERR_ARG); /* no run yet */
    assert_int_equal(hy_store_end_run(s, 1), HY_ERR_ARG);
    assert_int_equal(hy_store_begin_run(s, "run-1", "hayate analyze x.pcap"), HY_OK);
    assert_int_equal(count(s, "runs"), 1);

    fl[2].ip_version = 0; /* last row fails: nothing of the batch lands */
    assert_int_equal(hy_store_put_flows(s, fp, 3), HY_ERR_ARG);
    assert_int_equal(count(s, "flows"), 0);
    fl[2].ip_version = 4;
    assert_int_equal(hy_store_put_flows(s, fp, 3), HY_OK);
    assert_int_equal(count(s, "flows"), 3);
    assert_int_equal(hy_store_put_flows(s, fp, 3), HY_OK); /* upsert by (run, flow_id) */
    assert_int_equal(count(s, "flows"), 3);

    assert_int_equal(sql_int(path, "SELECT pkts_toserver FROM flows WHERE flow_id = 9"), 19);
    assert_int_equal(sql_int(path, "SELECT bytes_toclient FROM flows WHERE flow_id = 7"),
                     123456789012ll);
    assert_int_equal(sql_int(path, "SELECT vlan FROM flows WHERE flow_id = 7"), 42);
    assert_int_equal(sql_int(path, "SELECT first_ns FROM flows WHERE flow_id = 11"), T0 + 11);
    txt = sql_text(path, "SELECT src_ip || ' ' || dest_ip || ' ' || state || ' ' || reason ||"
                         " ' ' || ifnull(community_id, '-') FROM flows WHERE flow_id = 9");
    assert_string_equal(txt, "2001:db8::a 2001:db8::b none idle -");
    free(txt);
    txt = sql_text(path, "SELECT state || ' ' || reason || ' ' || community_id || ' ' || run_id"
                         " FROM flows WHERE flow_id = 7");
    assert_string_equal(txt, "closed tcp_closed 1:abc= run-1");
    free(txt);
    txt = sql_text(path, "SELECT eve FROM flows WHERE flow_id = 7");
    j = json_loads(txt, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "event_type")), "flow");
    assert_int_equal(json_integer_value(json_object_get(j, "flow_id")), 7);
    json_decref(j);
    free(txt);

    /* Another run keeps its own flow ids. */
    assert_int_equal(hy_store_end_run(s, T0 + 99), HY_OK);
    assert_int_equal(sql_int(path, "SELECT ended FROM runs WHERE id = 'run-1'"), T0 + 99);
    assert_int_equal(hy_store_put_flows(s, fp, 1), HY_ERR_ARG); /* run ended */
    assert_int_equal(hy_store_begin_run(s, "run-2", NULL), HY_OK);
    assert_int_equal(hy_store_put_flows(s, fp, 3), HY_OK);
    assert_int_equal(count(s, "flows"), 6);
    assert_int_equal(count(s, "runs"), 2);
    /* Resuming run-1 keeps its info and clears its end. */
    assert_int_equal(hy_store_begin_run(s, "run-1", NULL), HY_OK);
    txt = sql_text(path, "SELECT info || ' ' || ifnull(ended, 'open') FROM runs WHERE id = 'run-1'");
    assert_string_equal(txt, "hayate analyze x.pcap open");
    free(txt);
    assert_int_equal(hy_store_begin_run(s, "", NULL), HY_ERR_ARG);
    hy_store_close(s);
}

static void test_capture_stats(void **st)
{
    char path[512];
    hy_capture_stats cs;
    hy_store *s;
    char *txt;
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    memset(&cs, 0, sizeof cs);
    strcpy(cs.source, "/data/x.pcap");
    cs.received = 1000;
    cs.bytes = 5000000000ull;
    cs.kernel_dropped = 1;
    cs.ifdrop = 2;
    cs.hayate_dropped = 3;
    cs.decode_errors = 4;
    cs.truncated = 1;
    cs.first_ns = T0;
    cs.last_ns = T0 + 1;
    assert_int_equal(hy_store_put_capture_stats(s, NULL, &cs), HY_ERR_ARG); /* no run */
    /* Unknown run: the foreign key refuses it. */
    assert_int_equal(hy_store_put_capture_stats(s, "nope", &cs), HY_ERR_STORE);
    assert_non_null(strstr(hy_err_detail(), "FOREIGN KEY"));
    assert_int_equal(hy_store_begin_run(s, "r", NULL), HY_OK);
    assert_int_equal(hy_store_put_capture_stats(s, "r", &cs), HY_OK);
    cs.received = 2000; /* a later report for the same source replaces it */
    assert_int_equal(hy_store_put_capture_stats(s, NULL, &cs), HY_OK);
    strcpy(cs.source, "eth0");
    assert_int_equal(hy_store_put_capture_stats(s, NULL, &cs), HY_OK);
    assert_int_equal(count(s, "capture_stats"), 2);
    txt = sql_text(path, "SELECT printf('%d %d %d %d %d %d %d %d %d', received, bytes,"
                         " kernel_dropped, ifdrop, hayate_dropped, decode_errors, truncated,"
                         " first_ns, last_ns - first_ns) FROM capture_stats"
                         " WHERE source = '/data/x.pcap' AND run_id = 'r'");
    assert_string_equal(txt, "2000 5000000000 1 2 3 4 1 1704164645000000000 1");
    free(txt);
    hy_store_close(s);
}

static void test_count_rejects_names(void **st)
{
    char path[512];
    hy_store *s;
    uint64_t n = 0;
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    assert_int_equal(hy_store_count(s, "alerts; DROP TABLE alerts", &n), HY_ERR_ARG);
    assert_int_equal(hy_store_count(s, "sqlite_master", &n), HY_ERR_ARG);
    assert_int_equal(hy_store_count(s, "schema_version", &n), HY_ERR_ARG);
    assert_int_equal(hy_store_count(s, NULL, &n), HY_ERR_ARG);
    assert_int_equal(count(s, "alerts"), 0);
    assert_int_equal(count(s, "runs"), 0);
    hy_store_close(s);
    assert_int_equal(hy_store_count(NULL, "alerts", &n), HY_ERR_ARG);
    hy_store_close(NULL);
}

typedef struct writer {
    hy_store *s;
    uint64_t base;
    hy_err err;
} writer;

/* 200 batches of 10 alerts, each batch its own transaction. */
static void *write_batches(void *ud)
{
    writer *w = ud;
    for (uint64_t b = 0; b < 200 && !w->err; b++) {
        hy_alert *a[10];
        for (uint64_t i = 0; i < 10; i++)
            if (hy_alert_create(T0 + w->base + b * 10 + i, "x", "x.y", 1, 0, "t", "s", 0, &a[i]))
                abort();
        w->err = hy_store_put_alerts(w->s, a, 10);
        free_all(a, 10);
    }
    return NULL;
}

static void run_writers(hy_store *s1, hy_store *s2, uint64_t off)
{
    writer w[2] = {{s1, off, HY_OK}, {s2, off + 1000000000ull, HY_OK}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, write_batches, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(w[0].err, HY_OK);
    assert_int_equal(w[1].err, HY_OK);
}

static void test_concurrent_writers(void **st)
{
    char path[512];
    hy_store *s, *s2;
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    run_writers(s, s, 0); /* one store shared by two threads: calls serialised */
    assert_int_equal(count(s, "alerts"), 4000);
    s2 = open_ok(path); /* two connections: WAL + busy timeout */
    run_writers(s, s2, 5000000000ull);
    assert_int_equal(count(s2, "alerts"), 8000);
    hy_store_close(s2);
    hy_store_close(s);
}

/* Collects what query_eve passes on. */
typedef struct got_eve {
    char *eve[64];
    char id[64][HY_ALERT_ID_LEN + 1];
    double score[64];
    size_t n;
} got_eve;

static int collect_eve(void *ud, const hy_alert_eve *e)
{
    got_eve *g = ud;
    assert_true(g->n < 64);
    assert_int_equal(strlen(e->eve), e->len);
    g->eve[g->n] = strdup(e->eve);
    snprintf(g->id[g->n], sizeof g->id[0], "%s", e->id);
    g->score[g->n++] = e->score;
    return 0;
}

static void got_eve_free(got_eve *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->eve[i]);
    g->n = 0;
}

/* The EVE text of a as hy_alert_to_eve writes it (caller frees). */
static char *eve_of(const hy_alert *a)
{
    hy_buf b;
    hy_buf_init(&b, 1u << 20);
    assert_int_equal(hy_alert_to_eve(a, &b), HY_OK);
    return b.data;
}

/* query_eve on s gives, in id order, exactly the EVE text of v[0..n). */
static void expect_eve(hy_store *s, hy_alert **v, size_t n)
{
    got_eve g = {0};
    assert_int_equal(hy_store_query_eve(s, NULL, collect_eve, &g), HY_OK);
    assert_int_equal(g.n, n);
    for (size_t i = 0; i < n; i++) {
        char *want = eve_of(v[i]);
        assert_string_equal(g.id[i], v[i]->id);
        assert_string_equal(g.eve[i], want);
        assert_true(g.score[i] == v[i]->score);
        free(want);
    }
    got_eve_free(&g);
}

/* Alerts are stored with their EVE text; a row without it (an older
 * hayate's, or another tool's) is rendered on read and filled in at the
 * next writer's open, and a version-2 store gets it by migrating. A reader
 * connection only reads, sees later commits, and refuses an old schema. */
static void test_eve_stored_and_rendered(void **st)
{
    char path[512], upd[256];
    hy_alert *a[4];
    hy_store *s, *r = NULL;
    hy_feedback fb = {.verdict = "benign", .time_ns = 5};
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    for (int i = 0; i < 4; i++)
        a[i] = mk(T0 + (uint64_t)i * 1000000ull, "darknet", "darknet.outbreak", 1 + i, "t\"1",
                  "tcp/23", (uint64_t)i);
    a[1]->ip_version = 4;
    a[1]->proto = 6;
    a[1]->src[0] = 192;
    a[1]->dst[0] = 10;
    a[1]->sport = 4444;
    a[1]->dport = 23;
    assert_int_equal(hy_alert_set_attack(a[2], "T1046,T1595.001"), HY_OK);
    assert_int_equal(hy_alert_set_evidence(a[3], "{\"sources\":[1,2,3]}"), HY_OK);
    assert_int_equal(hy_store_put_alerts(s, a, 3), HY_OK);
    qsort(a, 3, sizeof a[0], cmp_id);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM alerts WHERE eve IS NULL"), 0);
    expect_eve(s, a, 3);
    fb.alert_id = a[0]->id; /* a verdict is not part of the EVE text */
    assert_int_equal(hy_store_put_feedback(s, &fb), HY_OK);
    expect_eve(s, a, 3);

    snprintf(upd, sizeof upd, "UPDATE alerts SET eve = NULL WHERE id = '%s'", a[1]->id);
    sql_exec(path, upd);
    assert_int_equal(hy_store_open_sqlite_reader(path, &r), HY_OK);
    expect_eve(r, a, 3); /* rendered from the row */
    assert_int_equal(hy_store_put_alerts(r, &a[3], 1), HY_ERR_UNSUPPORTED);
    assert_int_equal(hy_store_put_alerts(s, &a[3], 1), HY_OK);
    qsort(a, 4, sizeof a[0], cmp_id);
    expect_eve(r, a, 4); /* a commit after the reader opened */
    assert_int_equal(count(r, "alerts"), 4);
    hy_store_close(r);
    hy_store_close(s);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM alerts WHERE eve IS NULL"), 1);
    s = open_ok(path); /* a writer's open fills it in */
    assert_int_equal(sql_int(path, "SELECT count(*) FROM alerts WHERE eve IS NULL"), 0);
    hy_store_close(s);

    to_v2(path); /* an older hayate's store: readers refuse, writers migrate */
    assert_int_equal(hy_store_open_sqlite_reader(path, &r), HY_ERR_STORE);
    assert_null(r);
    assert_non_null(strstr(hy_err_detail(), "schema version 2"));
    s = open_ok(path);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM alerts WHERE eve IS NULL"), 0);
    expect_eve(s, a, 4);
    hy_store_close(s);
    free_all(a, 4);
}

static double uncertainty(double score)
{
    return 1.0 - fabs(2.0 * score - 1.0);
}

/* Most uncertain first, then by id: the order the label queue wants. */
static int cmp_uncertain(const void *x, const void *y)
{
    const hy_alert *a = *(hy_alert *const *)x, *b = *(hy_alert *const *)y;
    double ua = uncertainty(a->score), ub = uncertainty(b->score);
    if (ua != ub)
        return ua > ub ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Whether SQLite's plan for sql names index. */
static bool plan_uses(const char *path, const char *sql, const char *index)
{
    char q[1024];
    sqlite3 *db;
    sqlite3_stmt *stmt;
    bool found = false;
    snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &stmt, NULL), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        found |= strstr((const char *)sqlite3_column_text(stmt, 3), index) != NULL;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return found;
}

/* HY_ALERT_ORDER_UNCERTAINTY with verdict "none": unjudged alerts, least
 * sure first, ties by id, through the expression index; the engine filter
 * and limit apply; a cursor or newest_first with it is refused. */
static void test_uncertainty_order(void **st)
{
    static const double scores[] = {0.5, 0.9, 0.1, 0.25, 0.75, 1.0, 0.0, 0.6, 0.75, 0.45};
    enum { N = sizeof scores / sizeof scores[0] };
    char path[512];
    hy_alert *a[N], *want[N];
    size_t nw = 0;
    hy_store *s;
    got g = {0};
    got_eve ge = {0};
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    for (size_t i = 0; i < N; i++)
        assert_int_equal(hy_alert_create(T0 + i * 1000000ull, i % 3 ? "darknet" : "screen",
                                         "x.y", 2, scores[i], "t", "s", i, &a[i]),
                         HY_OK);
    assert_int_equal(hy_store_put_alerts(s, a, N), HY_OK);
    hy_feedback fb = {.alert_id = a[0]->id, .verdict = "malicious", .time_ns = 1};
    assert_int_equal(hy_store_put_feedback(s, &fb), HY_OK); /* the most uncertain one */
    fb.alert_id = a[2]->id;
    assert_int_equal(hy_store_put_feedback(s, &fb), HY_OK);
    for (size_t i = 0; i < N; i++)
        if (i != 0 && i != 2)
            want[nw++] = a[i];
    qsort(want, nw, sizeof want[0], cmp_uncertain);

    hy_alert_filter f = {.order = HY_ALERT_ORDER_UNCERTAINTY, .verdict = "none"};
    assert_int_equal(hy_store_query_alerts(s, &f, collect, &g), HY_OK);
    assert_int_equal(g.n, nw);
    for (size_t i = 0; i < nw; i++) {
        assert_string_equal(g.a[i]->id, want[i]->id);
        assert_true(strcmp(g.a[i]->id, a[0]->id) != 0 && strcmp(g.a[i]->id, a[2]->id) != 0);
        if (i)
            assert_true(uncertainty(g.a[i - 1]->score) >= uncertainty(g.a[i]->score));
    }
    got_free(&g);
    assert_int_equal(hy_store_query_eve(s, &f, collect_eve, &ge), HY_OK);
    assert_int_equal(ge.n, nw);
    for (size_t i = 0; i < nw; i++)
        assert_string_equal(ge.id[i], want[i]->id);
    got_eve_free(&ge);

    f.engine = "screen"; /* the same order, one engine's, at most 2 */
    f.limit = 2;
    assert_int_equal(hy_store_query_alerts(s, &f, collect, &g), HY_OK);
    size_t k = 0;
    for (size_t i = 0; i < nw && k < 2; i++)
        if (strcmp(want[i]->engine, "screen") == 0)
            assert_string_equal(g.a[k++]->id, want[i]->id);
    assert_int_equal(g.n, k);
    assert_int_equal(k, 2);
    got_free(&g);

    f.after_id = a[1]->id;
    assert_int_equal(hy_store_query_alerts(s, &f, collect, &g), HY_ERR_ARG);
    f.after_id = NULL;
    f.newest_first = true;
    assert_int_equal(hy_store_query_eve(s, &f, collect_eve, &ge), HY_ERR_ARG);
    f.newest_first = false;
    f.order = (hy_alert_order)7;
    assert_int_equal(hy_store_query_alerts(s, &f, collect, &g), HY_ERR_ARG);
    assert_int_equal(g.n + ge.n, 0);
    assert_true(plan_uses(path,
                          "SELECT id FROM alerts WHERE +engine = 'screen' AND NOT EXISTS"
                          " (SELECT 1 FROM feedback WHERE alert_id = alerts.id)"
                          " ORDER BY abs(score - 0.5), id LIMIT 50",
                          "alerts_uncertainty"));
    hy_store_close(s);
    free_all(a, N);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_fresh_and_reopen),
        cmocka_unit_test(test_empty_file_is_migrated),
        cmocka_unit_test(test_newer_version_refused),
        cmocka_unit_test(test_garbage_refused),
        cmocka_unit_test(test_alert_round_trip),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_pagination),
        cmocka_unit_test(test_batch_all_or_nothing),
        cmocka_unit_test(test_flows_and_runs),
        cmocka_unit_test(test_capture_stats),
        cmocka_unit_test(test_count_rejects_names),
        cmocka_unit_test(test_concurrent_writers),
        cmocka_unit_test(test_series_and_migration_from_v1),
        cmocka_unit_test(test_eve_stored_and_rendered),
        cmocka_unit_test(test_uncertainty_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
