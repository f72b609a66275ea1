/* The samples table (schema v6, verdicts v7): files the malware engine analysed, once
 * per SHA-256 (include/hayate/store.h, hy_sample). */
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"

static const char upsert_sql[] =
    "INSERT INTO samples (sha256, md5, sha1, size, mime, ssdeep, tlsh, imphash, name,"
    " first_ns, last_ns, report, family, score, verdict, sketch)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    " ON CONFLICT(sha256) DO UPDATE SET"
    " first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns),"
    " name = coalesce(name, excluded.name), mime = excluded.mime, ssdeep = excluded.ssdeep,"
    " tlsh = excluded.tlsh, imphash = excluded.imphash, report = excluded.report,"
    " family = excluded.family, score = excluded.score, verdict = excluded.verdict,"
    " sketch = excluded.sketch";

static int text(sqlite3_stmt *st, int i, const char *v)
{
    return v && *v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_sample(sqlite3_stmt *st, const hy_sample *v)
{
    int rc = SQLITE_OK;
    const char *t[] = {v->sha256, v->md5, v->sha1};
    for (int i = 0; i < 3 && rc == SQLITE_OK; i++)
        rc = text(st, i + 1, t[i]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 4, (sqlite3_int64)v->size);
    const char *u[] = {v->mime, v->ssdeep, v->tlsh, v->imphash, v->name};
    for (int i = 0; i < 5 && rc == SQLITE_OK; i++)
        rc = text(st, i + 5, u[i]);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 10, (sqlite3_int64)v->first_ns);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 11, (sqlite3_int64)v->last_ns);
    if (rc == SQLITE_OK)
        rc = text(st, 12, v->report);
    if (rc == SQLITE_OK)
        rc = text(st, 13, v->family);
    if (rc == SQLITE_OK)
        rc = v->has_score ? sqlite3_bind_double(st, 14, v->score) : sqlite3_bind_null(st, 14);
    if (rc == SQLITE_OK)
        rc = text(st, 15, v->verdict);
    if (rc == SQLITE_OK)
        rc = v->sketch && v->sketch_len
                 ? sqlite3_bind_blob(st, 16, v->sketch, (int)v->sketch_len, SQLITE_STATIC)
                 : sqlite3_bind_null(st, 16);
    return rc;
}

/* A sample seen again whose analysis was skipped: its seen times only. */
static const char touch_sql[] = "UPDATE samples SET first_ns = min(first_ns, coalesce(nullif(?2, 0), first_ns)),"
                                " last_ns = max(last_ns, ?3), family = coalesce(?4, family)"
                                " WHERE sha256 = ?1";

static int bind_touch(sqlite3_stmt *st, const hy_sample *v)
{
    int rc = text(st, 1, v->sha256);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)v->first_ns);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)v->last_ns);
    if (rc == SQLITE_OK)
        rc = text(st, 4, v->family);
    return rc;
}

/* Runs st once for v with its binder, then resets it. */
static int step_one(sqlite3_stmt *st, int (*bind)(sqlite3_stmt *, const hy_sample *),
                    const hy_sample *v)
{
    int rc = bind(st, v);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_DONE)
        rc = SQLITE_OK;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

hy_err hy__sq_put_samples(hy__sq_store *s, const hy_sample *const *v, size_t n)
{
    sqlite3_stmt *up = NULL, *touch = NULL;
    hy_err err;
    if (!n)
        return HY_OK;
    if (!v)
        return hy_err_set(HY_ERR_ARG, "put_samples: NULL array");
    for (size_t i = 0; i < n; i++)
        if (!v[i] || !v[i]->sha256 || !*v[i]->sha256 ||
            (v[i]->report && (!v[i]->md5 || !v[i]->sha1)))
            return hy_err_set(HY_ERR_ARG, "put_samples: sample %zu lacks a hash", i);
    if (!(up = hy__sq_get_stmt(s, upsert_sql)) || !(touch = hy__sq_get_stmt(s, touch_sql))) {
        err = hy__sq_fail(s, "put_samples", "prepare");
        goto out;
    }
    if ((err = hy__sq_tx_begin(s, "put_samples")) != HY_OK)
        goto out;
    for (size_t i = 0; i < n && err == HY_OK; i++) {
        int rc = v[i]->report ? step_one(up, bind_sample, v[i]) : step_one(touch, bind_touch, v[i]);
        if (rc != SQLITE_OK)
            err = hy__sq_fail(s, "put_samples", v[i]->sha256);
    }
    err = hy__sq_tx_end(s, err, "put_samples");
out:
    if (up)
        hy__sq_put_stmt(s, up);
    if (touch)
        hy__sq_put_stmt(s, touch);
    return err;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

hy_err hy__sq_query_samples(hy__sq_store *s, const hy_sample_filter *f, hy_sample_cb cb, void *ud)
{
    sqlite3_stmt *st;
    hy_err err = HY_OK;
    int rc = SQLITE_OK;
    if (!f || !cb)
        return hy_err_set(HY_ERR_ARG, "query_samples: NULL argument");
    st = hy__sq_get_stmt(
        s, "SELECT sha256, md5, sha1, size, mime, ssdeep, tlsh, imphash, name, first_ns,"
           " last_ns, report, family, score, verdict, sketch FROM samples"
           " WHERE (?1 IS NULL OR sha256 = ?1) AND (?2 IS NULL OR imphash = ?2)"
           " AND (?5 IS NULL OR family = ?5) AND first_ns >= ?3 AND first_ns < ?6"
           " ORDER BY first_ns DESC, sha256 DESC LIMIT ?4");
    if (!st)
        return hy__sq_fail(s, "query_samples", "prepare");
    if ((rc = text(st, 1, f->sha256)) == SQLITE_OK && (rc = text(st, 2, f->imphash)) == SQLITE_OK &&
        (rc = sqlite3_bind_int64(
             st, 3, (sqlite3_int64)(f->since_ns > INT64_MAX ? INT64_MAX : f->since_ns))) ==
            SQLITE_OK)
        rc = sqlite3_bind_int64(st, 4,
                                f->limit && f->limit < INT64_MAX ? (sqlite3_int64)f->limit : -1);
    if (rc == SQLITE_OK)
        rc = text(st, 5, f->family);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 6,
                                f->until_ns && f->until_ns <= INT64_MAX ? (sqlite3_int64)f->until_ns
                                                                        : INT64_MAX);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        hy_sample v = {.sha256 = col(st, 0),
                       .md5 = col(st, 1),
                       .sha1 = col(st, 2),
                       .size = (uint64_t)sqlite3_column_int64(st, 3),
                       .mime = col(st, 4),
                       .ssdeep = col(st, 5),
                       .tlsh = col(st, 6),
                       .imphash = col(st, 7),
                       .name = col(st, 8),
                       .first_ns = (uint64_t)sqlite3_column_int64(st, 9),
                       .last_ns = (uint64_t)sqlite3_column_int64(st, 10),
                       .report = col(st, 11),
                       .family = col(st, 12),
                       .has_score = sqlite3_column_type(st, 13) != SQLITE_NULL,
                       .score = sqlite3_column_double(st, 13),
                       .verdict = col(st, 14),
                       .sketch = sqlite3_column_blob(st, 15),
                       .sketch_len = (size_t)sqlite3_column_bytes(st, 15)};
        rc = cb(ud, &v) ? SQLITE_DONE : SQLITE_OK;
        if (rc == SQLITE_DONE)
            break;
    }
    if (rc != SQLITE_DONE)
        err = hy__sq_fail(s, "query_samples", f->sha256 ? f->sha256 : "all");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    hy__sq_put_stmt(s, st);
    return err;
}
