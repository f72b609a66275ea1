/* hayate run's HTTP API: started beside the pipeline when serve.enabled and
 * a store is configured; with no input, hayate run serves until a signal. */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "hayate/config.h"
#include "hayate/serve.h"

static volatile sig_atomic_t g_stop;

static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
}

int hy_cli_serve_start(const hy_config *cfg, hy_serve **out)
{
    const char *db = hy_config_str(cfg, "store.path");
    hy_serve_cfg sc = {.listen = hy_config_str(cfg, "serve.listen"),
                       .token = hy_config_str(cfg, "serve.token"),
                       .db_path = db,
                       .threads = (unsigned)hy_config_int(cfg, "serve.threads"),
                       .max_request = (size_t)hy_config_int(cfg, "serve.max_request")};
    hy_err rc;
    *out = NULL;
    if (!hy_config_bool(cfg, "serve.enabled") || !*db)
        return HY_EXIT_OK;
    if ((rc = hy_serve_start(&sc, out)) != HY_OK) {
        hy_cli_error("serve", rc);
        return HY_EXIT_USAGE;
    }
    fprintf(stderr, "hayate: API on %s (port %u), store %s; docs/serve.md\n", sc.listen,
            (unsigned)hy_serve_port(*out), db);
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
