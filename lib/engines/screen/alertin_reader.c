/* The alert reader (hy_alertin_reader_*): lines, or one JSON array.
 *
 * Lines are cut from a growable input buffer refilled by fread; a line
 * longer than HY_ALERTIN_MAX_LINE is consumed without being kept (only its
 * length is tracked) and counted malformed. The stream's first non-blank
 * byte decides the mode: '[' reads the whole stream (at most
 * HY_MAX_JSON_DOC bytes) and walks the array with the scanner, each element
 * parsed like a line and numbered by the line where it starts. The array's
 * own syntax is validated as it is walked; where it breaks, the rest cannot
 * be split into elements, so that is one malformed entry and the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/screen/alertin_int.h"
#include "hayate/jscan.h"
#include "hayate/limits.h"

#define CHUNK (64u << 10)

enum mode { M_START, M_LINES, M_LOAD, M_ARRAY, M_END };

struct hy_alertin_reader {
    FILE *f;
    char name[64];
    hy_alertin_parser *p;
    enum mode mode;
    char *buf;          /* input not yet consumed: [pos, len) */
    size_t len, pos, cap;
    bool eof;
    char *line;         /* the current line (lines mode) */
    size_t line_len, line_cap;
    uint64_t line_no;   /* lines consumed */
    hy_jscan js;        /* array mode: over buf[0..len) */
    hy_jiter it;
    size_t nl_pos;      /* newlines counted in buf[0..nl_pos) */
    uint64_t nl_count;
    hy_alertin_stats st;
};

hy_err hy_alertin_reader_create(FILE *f, const char *name, hy_alertin_reader **out)
{
    hy_alertin_reader *r;
    hy_err rc;
    if (!f || !out)
        return hy_err_set(HY_ERR_ARG, "alertin reader: NULL argument");
    *out = NULL;
    if (!(r = calloc(1, sizeof *r)))
        return hy_err_set(HY_ERR_NOMEM, "alertin reader: out of memory");
    if ((rc = hy_alertin_parser_create(&r->p)) != HY_OK) {
        free(r);
        return rc;
    }
    r->f = f;
    snprintf(r->name, sizeof r->name, "%s", name ? name : "-");
    *out = r;
    return HY_OK;
}

void hy_alertin_reader_destroy(hy_alertin_reader *r)
{
    if (!r)
        return;
    hy_alertin_parser_destroy(r->p);
    free(r->buf);
    free(r->line);
    free(r);
}

void hy_alertin_stats_get(const hy_alertin_reader *r, hy_alertin_stats *st)
{
    if (r && st)
        *st = r->st;
}

/* Reads up to CHUNK more bytes at buf[len] (growing buf, at most
 * HY_MAX_JSON_DOC + CHUNK in all); sets eof at the end. */
static hy_err fill(hy_alertin_reader *r)
{
    size_t got;
    if (r->pos == r->len && r->mode == M_LINES)
        r->pos = r->len = 0;
    if (r->cap - r->len < CHUNK) {
        size_t ncap = r->cap * 2 > r->len + CHUNK ? r->cap * 2 : r->len + CHUNK;
        char *nb = realloc(r->buf, ncap);
        if (!nb)
            return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", r->name);
        r->buf = nb;
        r->cap = ncap;
    }
    got = fread(r->buf + r->len, 1, CHUNK, r->f);
    r->len += got;
    if (got == 0) {
        if (ferror(r->f))
            return hy_err_set(HY_ERR_IO, "%s: read error", r->name);
        r->eof = true;
    }
    return HY_OK;
}

/* Counts a malformed entry at line ln with the current error detail. */
static void malformed(hy_alertin_reader *r, uint64_t ln)
{
    r->st.malformed++;
    if (r->st.malformed == 1) {
        r->st.first_bad_line = ln;
        snprintf(r->st.first_bad, sizeof r->st.first_bad, "%s", hy_err_detail());
    }
}

/* Appends n bytes to the current line unless it is already too long. */
static hy_err line_add(hy_alertin_reader *r, const char *s, size_t n, bool *overlong)
{
    if (*overlong || n == 0)
        return HY_OK;
    if (n > HY_ALERTIN_MAX_LINE - r->line_len) {
        *overlong = true;
        return HY_OK;
    }
    if (r->line_len + n > r->line_cap) {
        size_t ncap = r->line_cap ? r->line_cap : 4096;
        char *nl;
        while (ncap < r->line_len + n)
            ncap *= 2;
        if (!(nl = realloc(r->line, ncap)))
            return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", r->name);
        r->line = nl;
        r->line_cap = ncap;
    }
    memcpy(r->line + r->line_len, s, n);
    r->line_len += n;
    return HY_OK;
}

/* The next line into r->line: HY_OK, HY_ERR_NOTFOUND at the end, HY_ERR_IO.
 * *overlong when it was cut (its bytes dropped). */
static hy_err next_line(hy_alertin_reader *r, bool *overlong)
{
    bool any = false;
    hy_err rc;
    r->line_len = 0;
    *overlong = false;
    for (;;) {
        const char *s, *nl;
        size_t avail, take;
        if (r->pos == r->len) {
            if (r->eof)
                return any ? HY_OK : HY_ERR_NOTFOUND;
            if ((rc = fill(r)) != HY_OK)
                return rc;
            continue;
        }
        s = r->buf + r->pos;
        avail = r->len - r->pos;
        nl = memchr(s, '\n', avail);
        take = nl ? (size_t)(nl - s) : avail;
        if ((rc = line_add(r, s, take, overlong)) != HY_OK)
            return rc;
        any = true;
        r->pos += take + (nl != NULL);
        if (nl)
            return HY_OK;
    }
}

/* Decides the mode from the first non-blank byte (buffered, not consumed). */
static hy_err start(hy_alertin_reader *r)
{
    size_t i = 0;
    hy_err rc;
    for (;;) {
        while (i < r->len && (r->buf[i] == ' ' || r->buf[i] == '\t' || r->buf[i] == '\r' ||
                              r->buf[i] == '\n'))
            i++;
        if (i < r->len || r->eof || r->len > HY_ALERTIN_MAX_LINE)
            break;
        if ((rc = fill(r)) != HY_OK)
            return rc;
    }
    r->mode = i < r->len && r->buf[i] == '[' ? M_LOAD : M_LINES;
    return HY_OK;
}

/* Array mode: the whole stream in buf, then the walk set up. Too big: one
 * malformed entry and the end. */
static hy_err array_load(hy_alertin_reader *r)
{
    hy_jval root;
    hy_err rc;
    while (!r->eof && r->len <= HY_MAX_JSON_DOC)
        if ((rc = fill(r)) != HY_OK)
            return rc;
    r->mode = M_END;
    if (r->len > HY_MAX_JSON_DOC) {
        hy_err_set(HY_ERR_TOOBIG, "JSON array larger than %u bytes", HY_MAX_JSON_DOC);
        r->st.lines++;
        malformed(r, 1);
        return HY_OK;
    }
    hy_jscan_init(&r->js, r->buf, r->len, HY_ALERTIN_MAX_DEPTH + 1);
    if (hy_jscan_root(&r->js, &root) != HY_OK || hy_jscan_begin(&r->js, &root, &r->it) != HY_OK) {
        r->st.lines++;
        malformed(r, 1);
        return HY_OK;
    }
    r->mode = M_ARRAY;
    return HY_OK;
}

/* 1-based line of byte off of the array text. */
static uint64_t line_of(hy_alertin_reader *r, size_t off)
{
    while (r->nl_pos < off && r->nl_pos < r->len) {
        const char *nl = memchr(r->buf + r->nl_pos, '\n', off - r->nl_pos);
        if (!nl) {
            r->nl_pos = off;
            break;
        }
        r->nl_count++;
        r->nl_pos = (size_t)(nl - r->buf) + 1;
    }
    return r->nl_count + 1;
}

/* Counts the outcome of one parse; true when it is an alert. */
static bool tally(hy_alertin_reader *r, hy_err rc, uint64_t ln)
{
    r->st.lines++;
    if (rc == HY_OK) {
        r->st.alerts++;
        return true;
    }
    if (rc == HY_ERR_NOTFOUND)
        r->st.skipped++;
    else
        malformed(r, ln);
    return false;
}

/* The next array element: HY_OK with an alert, HY_ERR_NOTFOUND at the end. */
static hy_err array_next(hy_alertin_reader *r, hy_alert_in *a, uint64_t *ln)
{
    hy_jval v;
    hy_err rc;
    while (r->mode == M_ARRAY) {
        rc = hy_jscan_element(&r->js, &r->it, &v);
        if (rc == HY_ERR_NOTFOUND) {
            r->mode = M_END;
            if (hy_jscan_finish(&r->js, r->it.pos) != HY_OK)
                tally(r, HY_ERR_FORMAT, line_of(r, r->it.pos));
            break;
        }
        if (rc != HY_OK) {
            r->mode = M_END;
            tally(r, HY_ERR_FORMAT, line_of(r, r->it.pos));
            break;
        }
        *ln = line_of(r, v.off);
        if (v.kind != HY_JOBJ)
            rc = hy_err_set(HY_ERR_FORMAT, "array element is not an object");
        else
            rc = hy_alertin_parse(r->p, r->buf + v.off, v.end - v.off, a);
        if (tally(r, rc, *ln))
            return HY_OK;
    }
    return HY_ERR_NOTFOUND;
}

/* The next line that is an alert: HY_OK, HY_ERR_NOTFOUND at the end. */
static hy_err lines_next(hy_alertin_reader *r, hy_alert_in *a, uint64_t *ln)
{
    bool overlong;
    hy_err rc;
    while ((rc = next_line(r, &overlong)) == HY_OK) {
        *ln = ++r->line_no;
        if (overlong)
            rc = hy_err_set(HY_ERR_FORMAT, "line longer than %u bytes", HY_ALERTIN_MAX_LINE);
        else
            rc = hy_alertin_parse(r->p, r->line, r->line_len, a);
        if (tally(r, rc, *ln))
            return HY_OK;
    }
    if (rc == HY_ERR_NOTFOUND)
        r->mode = M_END;
    return rc;
}

hy_err hy_alertin_next(hy_alertin_reader *r, hy_alert_in *a, uint64_t *line_no)
{
    uint64_t ln = 0;
    hy_err rc;
    if (!r || !a)
        return hy_err_set(HY_ERR_ARG, "alertin reader: NULL argument");
    if (r->mode == M_START && (rc = start(r)) != HY_OK)
        return rc;
    if (r->mode == M_LOAD && (rc = array_load(r)) != HY_OK)
        return rc;
    if (r->mode == M_LINES)
        rc = lines_next(r, a, &ln);
    else if (r->mode == M_ARRAY)
        rc = array_next(r, a, &ln);
    else
        rc = HY_ERR_NOTFOUND;
    if (rc == HY_OK && line_no)
        *line_no = ln;
    if (rc == HY_ERR_NOTFOUND)
        hy_err_set(HY_ERR_NOTFOUND, "%s: end of stream", r->name);
    return rc;
}
