/* hayate run: the inputs that never end, served together. Followed
 * eve.json files (input.alerts_follow, like tail -F) and spool folders
 * (input.spool) are taken in by one step function: called by the pipeline
 * between packets while a live capture runs (hy_pipeline_set_poll), and in
 * a loop of its own once the captures have ended, until SIGINT/SIGTERM. So
 * a sensor can capture, follow Suricata's alerts and take samples and
 * reports at the same time. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "hayate/clock.h"
#include "hayate/config.h"
#include "hayate/follow.h"
#include "hayate/pipeline.h"

/* Lines taken from one followed file per step: a burst bounded so that a
 * live capture is read again soon. */
#define FOLLOW_BURST 4096

struct hy_cli_watch {
    const char *const *fpaths; /* input.alerts_follow (config memory) */
    size_t nf;
    hy_follow **fw;
    hy_alertin_stats *fst;
    hy_alertin_parser *ps;
    const char **dirs; /* input.spool, then input.reports_spool (config memory) */
    size_t nd;
    hy_spool **sp;
    bool *failing;         /* per folder: could not be listed last time */
    uint64_t taken;        /* spool files taken in all */
    unsigned interval_ms;  /* input.spool_interval */
    uint64_t next_scan_ns; /* CLOCK_MONOTONIC */
    bool more;             /* the last scan left due files */
    bool busy;             /* the last step took something */
};

static void report(const char *what, const hy_alertin_stats *st)
{
    fprintf(stderr, "hayate: %s: %llu alerts, %llu other events, %llu malformed\n", what,
            (unsigned long long)st->alerts, (unsigned long long)st->skipped,
            (unsigned long long)st->malformed);
    if (st->malformed)
        fprintf(stderr, "hayate: %s: the first malformed line: %s\n", what, st->first_bad);
}

int hy_cli_feed_alerts(const hy_config *cfg, hy_pipeline *p)
{
    size_t n = 0;
    const char *const *paths = hy_config_list(cfg, "input.alerts", &n);
    for (size_t i = 0; i < n; i++) {
        hy_alertin_stats st = {0};
        hy_err rc = hy_pipeline_feed_alerts(p, paths[i], &st);
        if (rc != HY_OK) {
            hy_cli_error(paths[i], rc);
            return rc == HY_ERR_NOTFOUND || rc == HY_ERR_UNSUPPORTED ? HY_EXIT_USAGE : HY_EXIT_FAIL;
        }
        report(paths[i], &st);
    }
    return HY_EXIT_OK;
}

/* One followed file: the lines that are there now, up to a burst. */
static hy_err follow_once(hy_cli_watch *w, size_t i, hy_pipeline *p)
{
    hy_alertin_stats *st = &w->fst[i];
    const char *line;
    size_t n;
    hy_alert_in a;
    hy_err rc;
    for (int k = 0; k < FOLLOW_BURST && (rc = hy_follow_next(w->fw[i], &line, &n, 0)) == HY_OK;
         k++) {
        w->busy = true;
        st->lines++;
        hy_err e = hy_alertin_parse(w->ps, line, n, &a);
        if (e == HY_OK) {
            st->alerts++;
            if ((rc = hy_pipeline_feed_alert(p, &a)) != HY_OK)
                return rc;
        } else if (e == HY_ERR_NOTFOUND) {
            st->skipped++;
        } else if (st->malformed++ < 10) {
            fprintf(stderr, "hayate: %s: line %llu: %s\n", w->fpaths[i],
                    (unsigned long long)st->lines, hy_err_detail());
        }
    }
    return rc == HY_ERR_AGAIN || rc == HY_OK ? HY_OK : rc;
}

/* One scan of spool folder i. A folder that cannot be listed (removed,
 * unmounted) is warned about once and tried again at the next scan. */
static hy_err scan_spool(hy_cli_watch *w, size_t i, hy_pipeline *p)
{
    hy_files_stats fs;
    bool again;
    hy_err rc = hy_pipeline_spool_scan(p, w->sp[i], &fs, &again);
    if (rc == HY_ERR_NOTFOUND || rc == HY_ERR_IO || rc == HY_ERR_UNSUPPORTED) {
        if (!w->failing[i])
            fprintf(stderr, "hayate: warning: spool: %s; trying again\n", hy_err_detail());
        w->failing[i] = true;
        return HY_OK;
    }
    if (rc != HY_OK)
        return rc;
    if (w->failing[i])
        fprintf(stderr, "hayate: spool: %s: readable again\n", w->dirs[i]);
    w->failing[i] = false;
    if (fs.files)
        fprintf(stderr, "hayate: spool: %s: %llu files taken (%.1f MB)\n", w->dirs[i],
                (unsigned long long)fs.files, (double)fs.bytes / 1e6);
    w->more |= again;
    w->busy |= fs.files > 0;
    w->taken += fs.files;
    return HY_OK;
}

hy_err hy_cli_watch_step(void *ud, hy_pipeline *p)
{
    hy_cli_watch *w = ud;
    hy_err rc = HY_OK;
    w->busy = false;
    for (size_t i = 0; i < w->nf && rc == HY_OK; i++)
        rc = follow_once(w, i, p);
    uint64_t now = hy_clock_ns(CLOCK_MONOTONIC);
    if (rc != HY_OK || !w->nd || (now < w->next_scan_ns && !w->more))
        return rc;
    w->more = false;
    w->next_scan_ns = now + (uint64_t)w->interval_ms * 1000000ull;
    /* a spool file's event time: when taken */
    if ((rc = hy_pipeline_idle(p, hy_clock_ns(CLOCK_REALTIME))) != HY_OK)
        return rc;
    for (size_t i = 0; i < w->nd && rc == HY_OK; i++)
        rc = scan_spool(w, i, p);
    return rc;
}

int hy_cli_watch_open(const hy_config *cfg, hy_cli_watch **out)
{
    hy_cli_watch *w = calloc(1, sizeof *w);
    hy_follow_opts fo = {.from_start = true};
    hy_spool_cfg sc = {.settle_s = (unsigned)hy_config_int(cfg, "input.spool_settle")};
    size_t n_samples = 0;
    hy_err rc = w ? HY_OK : HY_ERR_NOMEM;
    *out = NULL;
    if (w) {
        w->fpaths = hy_config_list(cfg, "input.alerts_follow", &w->nf);
        size_t ns, nr;
        const char *const *s = hy_config_list(cfg, "input.spool", &ns);
        const char *const *r = hy_config_list(cfg, "input.reports_spool", &nr);
        w->nd = ns + nr;
        w->interval_ms = (unsigned)hy_config_int(cfg, "input.spool_interval") * 1000u;
        w->fw = calloc(w->nf + 1, sizeof *w->fw);
        w->fst = calloc(w->nf + 1, sizeof *w->fst);
        w->dirs = calloc(w->nd + 1, sizeof *w->dirs);
        w->sp = calloc(w->nd + 1, sizeof *w->sp);
        w->failing = calloc(w->nd + 1, sizeof *w->failing);
        if (!w->fw || !w->fst || !w->dirs || !w->sp || !w->failing)
            rc = HY_ERR_NOMEM;
        for (size_t i = 0; rc == HY_OK && i < w->nd; i++)
            w->dirs[i] = i < ns ? s[i] : r[i - ns];
        n_samples = ns;
    }
    if (rc == HY_OK && w->nf)
        rc = hy_alertin_parser_create(&w->ps);
    for (size_t i = 0; rc == HY_OK && i < w->nf; i++)
        if ((rc = hy_follow_create(w->fpaths[i], &fo, &w->fw[i])) != HY_OK)
            hy_cli_error(w->fpaths[i], rc);
    for (size_t i = 0; rc == HY_OK && i < w->nd; i++) {
        sc.dir = w->dirs[i];
        sc.engine = i < n_samples ? "malware" : "intel"; /* samples, then reports */
        rc = hy_spool_create(&sc, &w->sp[i]);
    }
    if (rc != HY_OK || (!w->nf && !w->nd)) {
        hy_cli_watch_close(w, false);
        if (rc != HY_OK)
            hy_cli_error("watch", rc);
        return rc == HY_OK ? HY_EXIT_OK : HY_EXIT_FAIL;
    }
    if (w->nd)
        fprintf(stderr, "hayate: spool: watching %zu folder(s) every %u s until SIGINT/SIGTERM\n",
                w->nd, w->interval_ms / 1000u);
    *out = w;
    return HY_EXIT_OK;
}

int hy_cli_watch_run(hy_cli_watch *w, hy_pipeline *p, volatile sig_atomic_t *stop)
{
    hy_err rc = HY_OK;
    while (rc == HY_OK && !*stop) {
        if ((rc = hy_cli_watch_step(w, p)) != HY_OK || w->busy || w->more)
            continue;
        /* quiet: wait a little, and let event time follow the clock */
        struct timespec step = {0, 100 * 1000000L};
        nanosleep(&step, NULL);
        rc = hy_pipeline_idle(p, hy_clock_ns(CLOCK_REALTIME));
    }
    if (rc != HY_OK) {
        hy_cli_error("watch", rc);
        return HY_EXIT_FAIL;
    }
    return HY_EXIT_OK;
}

void hy_cli_watch_close(hy_cli_watch *w, bool say)
{
    if (!w)
        return;
    for (size_t i = 0; w->fw && w->fst && i < w->nf; i++) {
        if (say && w->fw[i])
            report(w->fpaths[i], &w->fst[i]);
        hy_follow_destroy(w->fw[i]);
    }
    for (size_t i = 0; w->sp && i < w->nd; i++)
        hy_spool_destroy(w->sp[i]);
    if (say && w->nd)
        fprintf(stderr, "hayate: spool: %llu files taken in all\n", (unsigned long long)w->taken);
    hy_alertin_parser_destroy(w->ps);
    free(w->fw);
    free(w->fst);
    free(w->dirs);
    free(w->sp);
    free(w->failing);
    free(w);
}
