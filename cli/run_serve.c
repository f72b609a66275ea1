/* hayate run's HTTP API and live hooks: the API is started beside the
 * pipeline when serve.enabled and a store is configured (with no input,
 * hayate run serves until a signal); the API reads the running pipeline's
 * figures and asks it to reload models; so does SIGHUP. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hayate/clock.h"
#include "hayate/config.h"
#include "hayate/serve.h"

static volatile sig_atomic_t g_stop, g_hup;

/* The pipeline being fed now (NULL between runs), behind g_mu. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static hy_pipeline *g_live;
static struct {
    double at; /* CLOCK_MONOTONIC seconds of the last sample */
    uint64_t packets, alerts;
    double pps, aps;
} g_rate;
static pthread_t g_hup_thr;
static bool g_hup_started;
static pthread_mutex_t g_hup_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_hup_cv = PTHREAD_COND_INITIALIZER;
static bool g_hup_quit; /* behind g_hup_mu */

static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void on_hup(int sig)
{
    (void)sig;
    g_hup = 1;
}

/* Rates over at least half a second between looks. */
static void rates(hy_pipeline_live *out)
{
    double now = hy_clock_mono_s(), dt = now - g_rate.at;
    if (g_rate.at == 0 || out->packets < g_rate.packets) {
        g_rate.at = now;
        g_rate.packets = out->packets;
        g_rate.alerts = out->alerts;
    } else if (dt >= 0.5) {
        g_rate.pps = (double)(out->packets - g_rate.packets) / dt;
        g_rate.aps = (double)(out->alerts - g_rate.alerts) / dt;
        g_rate.at = now;
        g_rate.packets = out->packets;
        g_rate.alerts = out->alerts;
    }
    out->packets_per_s = g_rate.pps;
    out->alerts_per_s = g_rate.aps;
}

static void hook_figures(void *ud, hy_pipeline_live *out)
{
    (void)ud;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&g_mu);
    if (g_live) {
        hy_pipeline_live_get(g_live, out);
        rates(out);
    }
    pthread_mutex_unlock(&g_mu);
}

static hy_err hook_reload(void *ud)
{
    hy_err rc;
    (void)ud;
    pthread_mutex_lock(&g_mu);
    rc = g_live ? hy_pipeline_reload_models(g_live)
                : hy_err_set(HY_ERR_NOTFOUND, "no pipeline runs now: the next run loads the "
                                              "current model versions");
    pthread_mutex_unlock(&g_mu);
    return rc;
}

/* Turns SIGHUP into a reload, off the signal handler: looks every 100 ms
 * (a handler cannot signal a condition variable), and ends at once when
 * hy_cli_live_end asks (a plain sleep made every run wait up to 100 ms at
 * its end). */
static void *hup_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_hup_mu);
    while (!g_hup_quit) {
        uint64_t t = hy_clock_ns(CLOCK_REALTIME) + 100000000ull;
        struct timespec until = {.tv_sec = (time_t)(t / 1000000000ull),
                                 .tv_nsec = (long)(t % 1000000000ull)};
        pthread_cond_timedwait(&g_hup_cv, &g_hup_mu, &until);
        if (g_hup_quit || !g_hup)
            continue;
        g_hup = 0;
        pthread_mutex_unlock(&g_hup_mu);
        hy_err rc = hook_reload(NULL);
        if (rc == HY_OK)
            fprintf(stderr, "hayate: SIGHUP: reloading the current model versions\n");
        else
            hy_cli_error("SIGHUP reload", rc);
        pthread_mutex_lock(&g_hup_mu);
    }
    pthread_mutex_unlock(&g_hup_mu);
    return NULL;
}

void hy_cli_live_begin(hy_pipeline *p)
{
    pthread_mutex_lock(&g_mu);
    g_live = p;
    memset(&g_rate, 0, sizeof g_rate);
    pthread_mutex_unlock(&g_mu);
    signal(SIGHUP, on_hup);
    g_hup_quit = 0;
    g_hup_started = pthread_create(&g_hup_thr, NULL, hup_main, NULL) == 0;
}

void hy_cli_live_end(void)
{
    if (g_hup_started) {
        pthread_mutex_lock(&g_hup_mu);
        g_hup_quit = 1;
        pthread_cond_signal(&g_hup_cv);
        pthread_mutex_unlock(&g_hup_mu);
        pthread_join(g_hup_thr, NULL);
        g_hup_started = false;
    }
    signal(SIGHUP, SIG_DFL);
    pthread_mutex_lock(&g_mu);
    g_live = NULL;
    pthread_mutex_unlock(&g_mu);
}

int hy_cli_serve_start(const hy_config *cfg, hy_serve **out)
{
    const char *db = hy_config_str(cfg, "store.path");
    hy_serve_cfg sc = {.listen = hy_config_str(cfg, "serve.listen"),
                       .token = hy_config_str(cfg, "serve.token"),
                       .db_path = db,
                       .threads = (unsigned)hy_config_int(cfg, "serve.threads"),
                       .max_request = (size_t)hy_config_int(cfg, "serve.max_request"),
                       .max_upload = (size_t)hy_config_int(cfg, "serve.max_upload"),
                       .cors_origin = hy_config_str(cfg, "serve.cors_origin"),
                       .cfg = cfg,
                       .hooks = {.figures = hook_figures, .reload = hook_reload}};
    hy_err rc;
    *out = NULL;
    if (!hy_config_bool(cfg, "serve.enabled") || !*db)
        return HY_EXIT_OK;
    if ((rc = hy_serve_start(&sc, out)) != HY_OK) {
        hy_cli_error("serve", rc);
        return HY_EXIT_USAGE;
    }
    fprintf(stderr,
            "hayate: dashboard and API on http://%s/ (port %u), store %s; "
            "docs/serve.md\n",
            sc.listen, (unsigned)hy_serve_port(*out), db);
    return HY_EXIT_OK;
}

int hy_cli_serve_wait(void)
{
    struct timespec tick = {.tv_sec = 0, .tv_nsec = 100000000};
    g_stop = 0;
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    while (!g_stop)
        nanosleep(&tick, NULL);
    return HY_EXIT_OK;
}
