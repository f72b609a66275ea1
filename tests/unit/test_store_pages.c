/* SQLite store, newest first: descending id order and the before_id
 * cursor (every alert once when paging back through them all, filters
 * applied the same way, both query paths, no sort in the plan), and an
 * alert's verdict history (query_feedback: newest first, ties in the order
 * stored, not found vs never judged, on readers too, the v5 migration). */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/store.h"
#include "testutil.h"

#define T0 1704164645000000000ull
#define N_PAGED 1000

static int db_seq;

static const char *new_path(char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/pages%d.sqlite", hy_test_tmpdir(), ++db_seq);
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

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
}

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

/* SQLite's plan for sql, its detail lines joined by " | " into out. */
static void plan_of(const char *path, const char *sql, char *out, size_t cap)
{
    char q[1024];
    sqlite3 *db;
    sqlite3_stmt *stmt;
    size_t n = 0;
    snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, q, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", q, sqlite3_errmsg(db));
    out[0] = '\0';
    while (sqlite3_step(stmt) == SQLITE_ROW && n < cap)
        n += (size_t)snprintf(out + n, cap - n, " | %s", (const char *)sqlite3_column_text(stmt, 3));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

/* The plan of sql walks `index` and sorts nothing (no temporary B-tree). */
static void expect_index_order(const char *path, const char *sql, const char *index)
{
    char plan[2048];
    plan_of(path, sql, plan, sizeof plan);
    if (!strstr(plan, index) || strstr(plan, "TEMP B-TREE"))
        fail_msg("%s\n  plan:%s\n  (wanted %s and no TEMP B-TREE)", sql, plan, index);
}

static hy_alert *mk(uint64_t t, const char *engine, const char *kind, int sev, const char *title,
                    const char *subject, uint64_t disc)
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

static int cmp_id(const void *x, const void *y)
{
    return strcmp((*(hy_alert *const *)x)->id, (*(hy_alert *const *)y)->id);
}

/* The ids a query returned, in its order. */
typedef struct ids {
    char id[N_PAGED + 8][HY_ALERT_ID_LEN + 1];
    size_t n;
} ids;

static int collect(void *ud, const hy_alert *a)
{
    ids *g = ud;
    assert_true(g->n < sizeof g->id / sizeof g->id[0]);
    snprintf(g->id[g->n++], HY_ALERT_ID_LEN + 1, "%s", a->id);
    return 0;
}

static int collect_eve(void *ud, const hy_alert_eve *e)
{
    ids *g = ud;
    assert_true(g->n < sizeof g->id / sizeof g->id[0]);
    assert_true(e->len > 2 && e->eve[0] == '{' && strstr(e->eve, e->id));
    snprintf(g->id[g->n++], HY_ALERT_ID_LEN + 1, "%s", e->id);
    return 0;
}

/* Runs f through both query paths; they must agree. Returns the ids. */
static ids *query_both(hy_store *s, const hy_alert_filter *f)
{
    ids *g = calloc(1, sizeof *g), *e = calloc(1, sizeof *e);
    assert_true(g && e);
    assert_int_equal(hy_store_query_alerts(s, f, collect, g), HY_OK);
    assert_int_equal(hy_store_query_eve(s, f, collect_eve, e), HY_OK);
    assert_int_equal(g->n, e->n);
    for (size_t i = 0; i < g->n; i++)
        assert_string_equal(g->id[i], e->id[i]);
    free(e);
    return g;
}

/* 1,000 alerts, many sharing a millisecond; all[] sorted by id. */
static hy_store *paged_store(char *path, size_t cap, hy_alert **all)
{
    hy_store *s = open_ok(new_path(path, cap));
    for (size_t i = 0; i < N_PAGED; i++)
        all[i] = mk(T0 + (i / 3) * 1000000ull, i % 2 ? "darknet" : "screen",
                    i % 2 ? "darknet.outbreak" : "screen.top", 1 + (int)(i % 4), "t", "s", i);
    assert_int_equal(hy_store_put_alerts(s, all, N_PAGED), HY_OK);
    qsort(all, N_PAGED, sizeof all[0], cmp_id);
    return s;
}

/* newest_first: the newest page, then each page the ids strictly below the
 * last one seen (before_id); together every alert exactly once, newest
 * first, in 10 full pages and an empty one. */
static void test_newest_first_pages(void **st)
{
    char path[512];
    hy_alert *all[N_PAGED];
    char before[HY_ALERT_ID_LEN + 1] = "";
    size_t total = 0, pages = 0;
    (void)st;
    hy_store *s = paged_store(path, sizeof path, all);
    for (int round = 0; round < 100; round++) { /* 11 needed */
        hy_alert_filter f = {.newest_first = true, .before_id = before[0] ? before : NULL,
                             .limit = 100};
        ids *g = query_both(s, &f);
        if (!g->n) {
            free(g);
            break;
        }
        assert_int_equal(g->n, 100);
        for (size_t i = 0; i < g->n; i++) {
            /* all[] ascending: the k-th newest is all[N - 1 - k] */
            assert_string_equal(g->id[i], all[N_PAGED - 1 - (total + i)]->id);
            if (before[0])
                assert_true(strcmp(g->id[i], before) < 0);
            if (i)
                assert_true(strcmp(g->id[i - 1], g->id[i]) > 0);
        }
        total += g->n;
        pages++;
        snprintf(before, sizeof before, "%s", g->id[g->n - 1]);
        free(g);
    }
    assert_int_equal(total, N_PAGED);
    assert_int_equal(pages, 10);

    /* before_id in ascending order, and both bounds at once in either */
    hy_alert_filter f = {.before_id = all[10]->id};
    ids *g = query_both(s, &f);
    assert_int_equal(g->n, 10);
    for (size_t i = 0; i < 10; i++)
        assert_string_equal(g->id[i], all[i]->id);
    free(g);
    f = (hy_alert_filter){.after_id = all[500]->id, .before_id = all[506]->id,
                          .newest_first = true};
    g = query_both(s, &f);
    assert_int_equal(g->n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(g->id[i], all[505 - i]->id);
    free(g);
    f.newest_first = false;
    g = query_both(s, &f);
    assert_int_equal(g->n, 5);
    assert_string_equal(g->id[0], all[501]->id);
    free(g);
    /* the oldest id: nothing before it; an id below every one: nothing */
    f = (hy_alert_filter){.newest_first = true, .before_id = all[0]->id};
    g = query_both(s, &f);
    assert_int_equal(g->n, 0);
    free(g);
    f.before_id = "00000000000000000000000000";
    g = query_both(s, &f);
    assert_int_equal(g->n, 0);
    free(g);
    /* the label queue's order takes no cursor */
    f = (hy_alert_filter){.order = HY_ALERT_ORDER_UNCERTAINTY, .before_id = all[5]->id};
    ids none = {0};
    assert_int_equal(hy_store_query_alerts(s, &f, collect, &none), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "before_id"));
    assert_int_equal(none.n, 0);
    hy_store_close(s);
    free_all(all, N_PAGED);
}

/* Reference filter in C (no verdicts set here but those in latest[]). */
static bool matches(const hy_alert *a, const hy_alert_filter *f, const char *latest)
{
    size_t kl = f->kind ? strlen(f->kind) : 0;
    if (f->engine && strcmp(a->engine, f->engine))
        return false;
    if (kl && f->kind[kl - 1] == '*' ? strncmp(a->kind, f->kind, kl - 1) != 0
                                     : f->kind && strcmp(a->kind, f->kind) != 0)
        return false;
    if (f->max_severity && a->severity > f->max_severity)
        return false;
    if ((f->from_ns && a->time_ns < f->from_ns) || (f->to_ns && a->time_ns >= f->to_ns))
        return false;
    if (f->text && !strstr(a->title, f->text) && !strstr(a->subject, f->text))
        return false;
    if (f->before_id && strcmp(a->id, f->before_id) >= 0)
        return false;
    if (f->verdict && strcmp(f->verdict, "none") == 0)
        return latest == NULL;
    if (f->verdict)
        return latest && strcmp(latest, f->verdict) == 0;
    return true;
}

/* The store's answer to f (newest first) is the reference's, newest first,
 * cut at the limit; at least want_min of them. */
static void check_desc(hy_store *s, hy_alert **all, const char **latest, size_t n,
                       const hy_alert_filter *f, size_t want_min)
{
    ids *g = query_both(s, f);
    size_t k = 0;
    assert_true(f->newest_first);
    for (size_t i = n; i-- > 0 && (!f->limit || k < f->limit);) {
        if (!matches(all[i], f, latest[i]))
            continue;
        assert_true(k < g->n);
        assert_string_equal(g->id[k], all[i]->id);
        k++;
    }
    assert_int_equal(g->n, k);
    assert_true(k >= want_min);
    free(g);
}

/* Every filter applies the same newest first as oldest first. */
static void test_newest_first_filters(void **st)
{
    static const char *const engines[] = {"darknet", "darknet", "tls", "nids"};
    static const char *const kinds[] = {"darknet.outbreak", "darknet.scanner", "tls.ja3.bad",
                                        "nids.x"};
    char path[512], title[64], subject[64];
    hy_alert *all[200];
    const char *latest[200] = {0};
    (void)st;
    hy_store *s = open_ok(new_path(path, sizeof path));
    for (size_t i = 0; i < 200; i++) {
        snprintf(title, sizeof title, "title %zu%s", i, i % 7 == 0 ? " Mirai" : "");
        snprintf(subject, sizeof subject, "10.0.%zu.%zu", i / 50, i % 50);
        all[i] = mk(T0 + i * 1000000000ull, engines[i % 4], kinds[i % 4], 1 + (int)(i % 4),
                    title, subject, i);
    }
    assert_int_equal(hy_store_put_alerts(s, all, 200), HY_OK);
    qsort(all, 200, sizeof all[0], cmp_id);
    for (size_t i = 0; i < 200; i += 9) { /* verdicts; the later one counts */
        hy_feedback fb = {.alert_id = all[i]->id, .verdict = "benign", .time_ns = 10};
        assert_int_equal(hy_store_put_feedback(s, &fb), HY_OK);
        latest[i] = "benign";
        if (i % 2) {
            fb.verdict = "malicious";
            fb.time_ns = 20;
            assert_int_equal(hy_store_put_feedback(s, &fb), HY_OK);
            latest[i] = "malicious";
        }
    }
    const char *mid = all[120]->id;
#define D(...) (&(hy_alert_filter){.newest_first = true, __VA_ARGS__})
    check_desc(s, all, latest, 200, D(.limit = 0), 200);
    check_desc(s, all, latest, 200, D(.engine = "darknet", .limit = 7), 7);
    check_desc(s, all, latest, 200, D(.kind = "darknet.*", .before_id = mid), 50);
    check_desc(s, all, latest, 200, D(.kind = "tls.ja3.bad", .limit = 3, .before_id = mid), 3);
    check_desc(s, all, latest, 200, D(.max_severity = 2, .limit = 30), 30);
    check_desc(s, all, latest, 200,
               D(.from_ns = T0 + 10000000000ull, .to_ns = T0 + 90000000000ull, .limit = 20), 20);
    check_desc(s, all, latest, 200, D(.text = "Mirai", .before_id = mid), 10);
    check_desc(s, all, latest, 200, D(.verdict = "malicious"), 11);
    check_desc(s, all, latest, 200, D(.verdict = "benign", .before_id = mid), 5);
    check_desc(s, all, latest, 200, D(.verdict = "none", .limit = 50, .before_id = mid), 50);
    /* every clause at once (the longest statement the filter builds) */
    check_desc(s, all, latest, 200,
               D(.engine = "darknet", .kind = "darknet.*", .max_severity = 4, .from_ns = T0,
                 .to_ns = T0 + 300000000000ull, .text = "Mirai", .after_id = "0",
                 .before_id = all[199]->id, .verdict = "none", .limit = 100),
               10);
#undef D
    hy_store_close(s);

    /* No sort: newest first walks the primary key's index backwards, with
     * or without the cursor and with the filters the dashboard sends (the
     * text as sqlite_alerts.c's build_query writes it). */
    static const char *const sqls[] = {
        "SELECT id, score, eve FROM alerts WHERE 1 ORDER BY id DESC LIMIT ?",
        "SELECT id, score, eve FROM alerts WHERE 1 AND id < ? ORDER BY id DESC LIMIT ?",
        "SELECT id, score, eve FROM alerts WHERE 1 AND +engine = ? AND +kind >= ?"
        " AND +kind < ? AND +severity <= ? AND (instr(title, ?) > 0 OR instr(subject, ?) > 0)"
        " AND id < ? AND (SELECT verdict FROM feedback WHERE alert_id = alerts.id"
        " ORDER BY time DESC, id DESC LIMIT 1) = ? ORDER BY id DESC LIMIT ?",
        "SELECT id, score, eve FROM alerts WHERE 1 AND +engine = ? AND id < ? AND NOT EXISTS"
        " (SELECT 1 FROM feedback WHERE alert_id = alerts.id) ORDER BY id DESC LIMIT ?",
    };
    for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++)
        expect_index_order(path, sqls[i], "sqlite_autoindex_alerts_1");
    /* the latest verdict (the verdict filter's subquery) by index too */
    expect_index_order(path,
                       "SELECT verdict FROM feedback WHERE alert_id = ?"
                       " ORDER BY time DESC, id DESC LIMIT 1",
                       "feedback_alert_time");
    free_all(all, 200);
}

/* A verdict as query_feedback passed it on. */
typedef struct fbrow {
    char verdict[32], label[32], comment[64], analyst[32];
    bool has_label, has_comment, has_analyst;
    uint64_t time_ns;
} fbrow;

typedef struct fbrows {
    fbrow r[16];
    size_t n, stop_after;
} fbrows;

static void copy_opt(char *dst, size_t cap, const char *src, bool *has)
{
    *has = src != NULL;
    snprintf(dst, cap, "%s", src ? src : "");
}

static int collect_fb(void *ud, const hy_feedback *f)
{
    fbrows *g = ud;
    assert_true(g->n < 16);
    fbrow *r = &g->r[g->n++];
    assert_non_null(f->alert_id);
    snprintf(r->verdict, sizeof r->verdict, "%s", f->verdict);
    copy_opt(r->label, sizeof r->label, f->label, &r->has_label);
    copy_opt(r->comment, sizeof r->comment, f->comment, &r->has_comment);
    copy_opt(r->analyst, sizeof r->analyst, f->analyst, &r->has_analyst);
    r->time_ns = f->time_ns;
    return g->stop_after && g->n >= g->stop_after;
}

/* An alert's verdicts newest first (time, then the order stored), with
 * their fields; none for an alert nobody judged; HY_ERR_NOTFOUND for an
 * alert the store lacks; the same on a reader; the verdict filter agrees
 * that the first is the latest. */
static void test_feedback_history(void **st)
{
    char path[512];
    hy_alert *a[3];
    hy_store *s, *r = NULL;
    fbrows g = {0};
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    for (int i = 0; i < 3; i++)
        a[i] = mk(T0 + (uint64_t)i, "darknet", "darknet.outbreak", 2, "t", "s", (uint64_t)i);
    assert_int_equal(hy_store_put_alerts(s, a, 3), HY_OK);
    /* stored out of time order; two at the same time */
    const hy_feedback fb[] = {
        {.alert_id = a[0]->id, .verdict = "benign", .time_ns = 500, .analyst = "kai"},
        {.alert_id = a[0]->id, .verdict = "malicious", .time_ns = 900, .label = "mirai",
         .comment = "C2 seen", .analyst = "ren"},
        {.alert_id = a[0]->id, .verdict = "false_positive", .time_ns = 700, .comment = ""},
        {.alert_id = a[0]->id, .verdict = "true_positive", .time_ns = 700},
        {.alert_id = a[1]->id, .verdict = "benign", .time_ns = 800},
    };
    for (size_t i = 0; i < sizeof fb / sizeof fb[0]; i++)
        assert_int_equal(hy_store_put_feedback(s, &fb[i]), HY_OK);
    static const char *const want[] = {"malicious", "true_positive", "false_positive", "benign"};
    static const uint64_t want_t[] = {900, 700, 700, 500};
    for (int pass = 0; pass < 2; pass++) { /* the writer, then a reader */
        hy_store *q = pass ? r : s;
        memset(&g, 0, sizeof g);
        assert_int_equal(hy_store_query_feedback(q, a[0]->id, collect_fb, &g), HY_OK);
        assert_int_equal(g.n, 4);
        for (size_t i = 0; i < 4; i++) {
            assert_string_equal(g.r[i].verdict, want[i]);
            assert_true(g.r[i].time_ns == want_t[i]);
        }
        assert_true(g.r[0].has_label && g.r[0].has_comment && g.r[0].has_analyst);
        assert_string_equal(g.r[0].label, "mirai");
        assert_string_equal(g.r[0].comment, "C2 seen");
        assert_string_equal(g.r[0].analyst, "ren");
        assert_false(g.r[1].has_label || g.r[1].has_comment || g.r[1].has_analyst);
        assert_false(g.r[2].has_comment); /* "" is stored as none */
        assert_string_equal(g.r[3].analyst, "kai");

        memset(&g, 0, sizeof g); /* never judged: no call, not an error */
        assert_int_equal(hy_store_query_feedback(q, a[2]->id, collect_fb, &g), HY_OK);
        assert_int_equal(g.n, 0);
        assert_int_equal(hy_store_query_feedback(q, "01ARZ3NDEKTSV4RRFFQ69G5FAV", collect_fb, &g),
                         HY_ERR_NOTFOUND);
        assert_non_null(strstr(hy_err_detail(), "01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        g.stop_after = 2; /* a callback returning non-zero stops */
        assert_int_equal(hy_store_query_feedback(q, a[0]->id, collect_fb, &g), HY_OK);
        assert_int_equal(g.n, 2);
        assert_int_equal(hy_store_query_feedback(q, NULL, collect_fb, &g), HY_ERR_ARG);
        assert_int_equal(hy_store_query_feedback(q, a[0]->id, NULL, NULL), HY_ERR_ARG);
        if (!pass)
            assert_int_equal(hy_store_open_sqlite_reader(path, &r), HY_OK);
    }
    hy_store_close(r);
    /* the verdict filter takes the same one as the latest */
    ids *m = calloc(1, sizeof *m);
    hy_alert_filter f = {.verdict = "malicious"};
    assert_int_equal(hy_store_query_alerts(s, &f, collect, m), HY_OK);
    assert_int_equal(m->n, 1);
    assert_string_equal(m->id[0], a[0]->id);
    free(m);
    assert_int_equal(hy_store_query_feedback(NULL, a[0]->id, collect_fb, &g), HY_ERR_ARG);
    hy_store_close(s);
    expect_index_order(path,
                       "SELECT f.id, f.verdict, f.label, f.comment, f.analyst, f.time FROM"
                       " alerts a LEFT JOIN feedback f ON f.alert_id = a.id WHERE a.id = ?1"
                       " ORDER BY f.time DESC, f.id DESC",
                       "feedback_alert_time");
    free_all(a, 3);
}

/* A version-4 store (feedback indexed on alert_id alone) gets
 * feedback_alert_time in place of feedback_alert, keeping its verdicts. */
static void test_migration_v5(void **st)
{
    char path[512];
    hy_alert *a;
    hy_store *s;
    fbrows g = {0};
    (void)st;
    s = open_ok(new_path(path, sizeof path));
    assert_int_equal(hy_store_schema_latest(), 8);
    a = mk(T0, "darknet", "darknet.outbreak", 2, "t", "s", 0);
    assert_int_equal(hy_store_put_alerts(s, &a, 1), HY_OK);
    hy_store_close(s);
    sql_exec(path, "DROP TABLE iocs; DROP TABLE intel_reports;"
                   " DROP TABLE samples; DROP INDEX feedback_alert_time;"
                   " CREATE INDEX feedback_alert ON feedback(alert_id);"
                   " DELETE FROM schema_version WHERE version > 4");
    char ins[256];
    snprintf(ins, sizeof ins,
             "INSERT INTO feedback (alert_id, verdict, time) VALUES ('%s', 'benign', 1),"
             " ('%s', 'malicious', 2)", a->id, a->id);
    sql_exec(path, ins);
    s = open_ok(path);
    assert_int_equal(sql_int(path, "SELECT max(version) FROM schema_version"),
                     hy_store_schema_latest());
    assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                   " AND name = 'feedback_alert_time'"), 1);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                   " AND name = 'feedback_alert'"), 0);
    assert_int_equal(hy_store_query_feedback(s, a->id, collect_fb, &g), HY_OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.r[0].verdict, "malicious");
    hy_store_close(s);
    hy_alert_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newest_first_pages),
        cmocka_unit_test(test_newest_first_filters),
        cmocka_unit_test(test_feedback_history),
        cmocka_unit_test(test_migration_v5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
