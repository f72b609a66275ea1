/* hayate run/analyze: external IDS alerts for the screen engine, from
 * input.alerts (files, folders, stdin) and input.alerts_follow (growing
 * files followed like tail -F until SIGINT/SIGTERM). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "hayate/config.h"
#include "hayate/follow.h"
#include "hayate/pipeline.h"

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
            return rc == HY_ERR_NOTFOUND || rc == HY_ERR_UNSUPPORTED ? HY_EXIT_USAGE
                                                                     : HY_EXIT_FAIL;
        }
        report(paths[i], &st);
    }
    return HY_EXIT_OK;
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One followed file: the lines that are there now (up to a burst). */
static hy_err follow_once(hy_follow *f, hy_alertin_parser *ps, hy_pipeline *p, const char *path,
                          hy_alertin_stats *st, bool *got)
{
    const char *line;
    size_t n;
    hy_alert_in a;
    hy_err rc;
    for (int k = 0; k < 65536 && (rc = hy_follow_next(f, &line, &n, 0)) == HY_OK; k++) {
        *got = true;
        st->lines++;
        hy_err e = hy_alertin_parse(ps, line, n, &a);
        if (e == HY_OK) {
            st->alerts++;
            if ((rc = hy_pipeline_feed_alert(p, &a)) != HY_OK)
                return rc;
        } else if (e == HY_ERR_NOTFOUND) {
            st->skipped++;
        } else if (st->malformed++ < 10) {
            fprintf(stderr, "hayate: %s: line %llu: %s\n", path, (unsigned long long)st->lines,
                    hy_err_detail());
        }
    }
    return rc == HY_ERR_AGAIN || rc == HY_OK ? HY_OK : rc;
}

int hy_cli_follow_alerts(const hy_config *cfg, hy_pipeline *p, volatile sig_atomic_t *stop)
{
    size_t n = 0;
    const char *const *paths = hy_config_list(cfg, "input.alerts_follow", &n);
    hy_follow **fw = n ? calloc(n, sizeof *fw) : NULL;
    hy_alertin_stats *st = n ? calloc(n, sizeof *st) : NULL;
    hy_alertin_parser *ps = NULL;
    hy_follow_opts o = {.from_start = true};
    hy_err rc = n && (!fw || !st) ? HY_ERR_NOMEM : hy_alertin_parser_create(&ps);
    for (size_t i = 0; rc == HY_OK && i < n; i++)
        if ((rc = hy_follow_create(paths[i], &o, &fw[i])) != HY_OK)
            hy_cli_error(paths[i], rc);
    while (rc == HY_OK && n && !*stop) {
        bool got = false;
        for (size_t i = 0; rc == HY_OK && i < n; i++)
            rc = follow_once(fw[i], ps, p, paths[i], &st[i], &got);
        if (rc == HY_OK && !got) { /* quiet: let event time follow the clock */
            struct timespec step = {0, 100 * 1000000L};
            nanosleep(&step, NULL);
            rc = hy_pipeline_idle(p, wall_ns());
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (st && fw && fw[i])
            report(paths[i], &st[i]);
        if (fw)
            hy_follow_destroy(fw[i]);
    }
    hy_alertin_parser_destroy(ps);
    free(fw);
    free(st);
    if (rc != HY_OK) {
        hy_cli_error("follow", rc);
        return HY_EXIT_FAIL;
    }
    return HY_EXIT_OK;
}
