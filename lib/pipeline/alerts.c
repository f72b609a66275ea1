/* External alerts into the pipeline: files, folders and stdin of EVE
 * lines, JSON arrays or fast.log (hy_alertin_reader), each alert fed to
 * the HY_EV_ALERT_IN engines in input order (docs/screen.md). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hayate/pipeline.h"

/* Adds what one stream's reader saw to the running totals. */
static void add_stats(hy_alertin_stats *st, const hy_alertin_stats *one, const char *name)
{
    if (!st)
        return;
    if (one->malformed && !st->malformed) {
        st->first_bad_line = one->first_bad_line;
        snprintf(st->first_bad, sizeof st->first_bad, "%.40s:%llu: %.90s", name,
                 (unsigned long long)one->first_bad_line, one->first_bad);
    }
    st->lines += one->lines;
    st->alerts += one->alerts;
    st->skipped += one->skipped;
    st->malformed += one->malformed;
}

static hy_err feed_stream(hy_pipeline *p, FILE *f, const char *name, hy_alertin_stats *st)
{
    hy_alertin_reader *r = NULL;
    hy_alertin_stats one;
    hy_alert_in a;
    hy_err rc = hy_alertin_reader_create(f, name, &r);
    while (rc == HY_OK && (rc = hy_alertin_next(r, &a, NULL)) == HY_OK)
        rc = hy_pipeline_feed_alert(p, &a);
    if (rc == HY_ERR_NOTFOUND)
        rc = HY_OK;
    if (r) {
        hy_alertin_stats_get(r, &one);
        add_stats(st, &one, name);
    }
    hy_alertin_reader_destroy(r);
    return rc;
}

hy_err hy_pipeline_feed_alerts(hy_pipeline *p, const char *path, hy_alertin_stats *st)
{
    hy_file_entry *v = NULL;
    size_t n = 0;
    if (!p || !path)
        return hy_err_set(HY_ERR_ARG, "feed alerts: NULL argument");
    if (strcmp(path, "-") == 0)
        return feed_stream(p, stdin, "-", st);
    hy_err rc = hy_file_list_upto(path, UINT64_MAX, &v, &n, NULL); /* streamed: any size */
    for (size_t i = 0; rc == HY_OK && i < n; i++) {
        FILE *f = fopen(v[i].path, "r");
        if (!f) {
            rc = hy_err_set(HY_ERR_IO, "%s: cannot open", v[i].path);
            break;
        }
        rc = feed_stream(p, f, v[i].path, st);
        fclose(f);
    }
    hy_file_list_free(v, n);
    return rc;
}
