/* The intel_reports and iocs tables (schema v8): reports the intel engine
 * analysed and their indicators (include/hayate/store.h, hy_intel_record). */
#include <stdint.h>
#include <string.h>

#include "store/sqlite_int.h"

static const char report_sql[] =
    "INSERT INTO intel_reports (id, sha256, title, source, time_ns, summary, stix)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET"
    " sha256 = excluded.sha256, title = excluded.title, source = excluded.source,"
    " time_ns = excluded.time_ns, summary = excluded.summary, stix = excluded.stix";
static const char drop_sql[] = "DELETE FROM iocs WHERE report_id = ?1";
static const char ioc_sql[] =
    "INSERT INTO iocs (report_id, type, value, noise, count) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT DO UPDATE SET count = count + excluded.count";

static int text(sqlite3_stmt *st, int i, const char *v)
{
    return v && *v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* Steps st (bound) once and resets it; SQLITE_OK when it ran. */
static int run(sqlite3_stmt *st, int rc)
{
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int put_report(sqlite3_stmt *st, const hy_intel_record *r)
{
    int rc = text(st, 1, r->id);
    const char *t[] = {r->sha256, r->title, r->source};
    for (int i = 0; i < 3 && rc == SQLITE_OK; i++)
        rc = text(st, i + 2, t[i]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 5, (sqlite3_int64)(r->time_ns > INT64_MAX ? INT64_MAX
                                                                              : r->time_ns));
    if (rc == SQLITE_OK)
        rc = text(st, 6, r->summary);
    if (rc == SQLITE_OK)
        rc = text(st, 7, r->stix);
    return run(st, rc);
}

static int put_ioc(sqlite3_stmt *st, const char *report_id, const hy_report_ioc *c)
{
    int rc = text(st, 1, report_id);
    if (rc == SQLITE_OK)
        rc = text(st, 2, c->type);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 3, c->value, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = text(st, 4, c->noise);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 5, c->count ? c->count : 1);
    return run(st, rc);
}

/* HY_ERR_ARG naming what report i lacks. */
static hy_err check(const hy_intel_record *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const hy_intel_record *r = v[i];
        if (!r || !r->id || !*r->id || !r->sha256 || !r->summary || !r->stix)
            return hy_err_set(HY_ERR_ARG, "put_reports: report %zu lacks an id, hash, summary"
                              " or bundle", i);
        if (r->niocs && !r->iocs)
            return hy_err_set(HY_ERR_ARG, "put_reports: report %s: NULL indicators", r->id);
        for (size_t k = 0; k < r->niocs; k++)
            if (!r->iocs[k].type || !*r->iocs[k].type || !r->iocs[k].value)
                return hy_err_set(HY_ERR_ARG, "put_reports: report %s: indicator %zu lacks a"
                                  " type or value", r->id, k);
    }
    return HY_OK;
}

/* One report: its row, then its indicators replacing the old ones. */
static hy_err put_one(hy__sq_store *s, sqlite3_stmt *const st[3], const hy_intel_record *r)
{
    sqlite3_stmt *rep = st[0], *drop = st[1], *ioc = st[2];
    if (put_report(rep, r) != SQLITE_OK)
        return hy__sq_fail(s, "put_reports", r->id);
    if (run(drop, sqlite3_bind_text(drop, 1, r->id, -1, SQLITE_STATIC)) != SQLITE_OK)
        return hy__sq_fail(s, "put_reports", r->id);
    for (size_t k = 0; k < r->niocs; k++)
        if (put_ioc(ioc, r->id, &r->iocs[k]) != SQLITE_OK)
            return hy__sq_fail(s, "put_reports", r->iocs[k].value);
    return HY_OK;
}

hy_err hy__sq_put_reports(hy__sq_store *s, const hy_intel_record *const *v, size_t n)
{
    sqlite3_stmt *st[3] = {NULL, NULL, NULL};
    hy_err err;
    if (!n)
        return HY_OK;
    if (!v)
        return hy_err_set(HY_ERR_ARG, "put_reports: NULL array");
    if ((err = check(v, n)) != HY_OK)
        return err;
    if (!(st[0] = hy__sq_get_stmt(s, report_sql)) || !(st[1] = hy__sq_get_stmt(s, drop_sql)) ||
        !(st[2] = hy__sq_get_stmt(s, ioc_sql))) {
        err = hy__sq_fail(s, "put_reports", "prepare");
        goto out;
    }
    if ((err = hy__sq_tx_begin(s, "put_reports")) != HY_OK)
        goto out;
    for (size_t i = 0; i < n && err == HY_OK; i++)
        err = put_one(s, st, v[i]);
    err = hy__sq_tx_end(s, err, "put_reports");
out:
    for (int i = 0; i < 3; i++)
        if (st[i])
            hy__sq_put_stmt(s, st[i]);
    return err;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

hy_err hy__sq_query_reports(hy__sq_store *s, const hy_report_filter *f, hy_report_cb cb,
                            void *ud)
{
    sqlite3_stmt *st;
    hy_err err = HY_OK;
    int rc;
    if (!f || !cb)
        return hy_err_set(HY_ERR_ARG, "query_reports: NULL argument");
    st = hy__sq_get_stmt(s, "SELECT id, sha256, title, source, time_ns, summary,"
                            " CASE WHEN ?4 THEN stix END FROM intel_reports"
                            " WHERE (?1 IS NULL OR id = ?1) AND time_ns < ?2"
                            " ORDER BY time_ns DESC, id DESC LIMIT ?3");
    if (!st)
        return hy__sq_fail(s, "query_reports", "prepare");
    rc = text(st, 1, f->id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 2, f->until_ns && f->until_ns <= INT64_MAX
                                           ? (sqlite3_int64)f->until_ns : INT64_MAX);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 3, f->limit && f->limit < INT64_MAX ? (sqlite3_int64)f->limit
                                                                        : -1);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 4, f->with_stix);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        hy_intel_record r = {.id = col(st, 0), .sha256 = col(st, 1), .title = col(st, 2),
                             .source = col(st, 3),
                             .time_ns = (uint64_t)sqlite3_column_int64(st, 4),
                             .summary = col(st, 5), .stix = col(st, 6)};
        if (cb(ud, &r)) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        err = hy__sq_fail(s, "query_reports", f->id ? f->id : "all");
    hy__sq_put_stmt(s, st);
    return err;
}

hy_err hy__sq_query_iocs(hy__sq_store *s, const char *report_id, bool with_noise,
                         hy_report_ioc_cb cb, void *ud)
{
    sqlite3_stmt *st;
    hy_err err = HY_OK;
    int rc;
    if (!cb)
        return hy_err_set(HY_ERR_ARG, "query_iocs: NULL callback");
    st = hy__sq_get_stmt(s, report_id
        ? "SELECT report_id, type, value, noise, count FROM iocs WHERE report_id = ?1"
          " AND (?2 OR noise IS NULL) ORDER BY type, value"
        : "SELECT report_id, type, value, noise, count FROM iocs"
          " WHERE ?1 IS NULL AND (?2 OR noise IS NULL) ORDER BY type, value, report_id");
    if (!st)
        return hy__sq_fail(s, "query_iocs", "prepare");
    rc = text(st, 1, report_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(st, 2, with_noise);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        hy_report_ioc c = {.type = col(st, 1), .value = col(st, 2), .noise = col(st, 3),
                           .count = (uint32_t)sqlite3_column_int64(st, 4)};
        if (c.type && c.value && cb(ud, col(st, 0), &c)) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        err = hy__sq_fail(s, "query_iocs", report_id ? report_id : "all");
    hy__sq_put_stmt(s, st);
    return err;
}
