/* hayate CLI: shared helpers of the subcommands. Exit codes (documented in
 * `hayate --help` and the README): */
#ifndef HAYATE_CLI_H
#define HAYATE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hayate/alert.h"
#include "hayate/flow.h"
#include "hayate/log.h"

#define HY_EXIT_OK 0      /* success */
#define HY_EXIT_FAIL 1    /* failure while running (I/O, store, capture) */
#define HY_EXIT_USAGE 2   /* bad usage, bad config, unusable input */

int hy_cmd_run(int argc, char **argv);
int hy_cmd_analyze(int argc, char **argv);
int hy_cmd_alerts(int argc, char **argv);

/* Output formats of commands that print records. */
typedef enum { HY_FMT_TABLE, HY_FMT_JSON, HY_FMT_EVE } hy_fmt;

/* Parses "table", "json" or "eve"; false if unknown. */
bool hy_cli_parse_format(const char *s, hy_fmt *out);

/* A logger printing "hayate: level: msg" to stderr. */
extern const hy_log hy_cli_log_info;
void hy_cli_log_stderr(void *ud, hy_log_level level, const char *msg);

/* Starts hayate run's HTTP API when serve.enabled and store.path are set
 * (*out NULL otherwise) and prints where it listens; HY_EXIT_USAGE when it
 * cannot (bad address, no token for a public one, port taken). */
struct hy_config;
struct hy_serve;
int hy_cli_serve_start(const struct hy_config *cfg, struct hy_serve **out);
/* Blocks until SIGINT or SIGTERM (serving meanwhile); HY_EXIT_OK. */
int hy_cli_serve_wait(void);
/* Makes p the pipeline the API's figures and reloads reach, and turns
 * SIGHUP into a model reload, until hy_cli_live_end. */
struct hy_pipeline;
void hy_cli_live_begin(struct hy_pipeline *p);
void hy_cli_live_end(void);

/* hayate run/analyze: feeds every input.alerts path to the screen engine
 * (HY_EXIT_USAGE for a path that cannot be read). */
#include <signal.h>
int hy_cli_feed_alerts(const struct hy_config *cfg, struct hy_pipeline *p);

/* hayate run's inputs that never end (run_watch.c): the input.alerts_follow
 * files and the input.spool folders. hy_cli_watch_open makes *out (NULL when
 * there are none; HY_EXIT_FAIL, said on stderr, when one cannot be set up).
 * hy_cli_watch_step takes what is there now: new lines of each followed file
 * (a bounded burst) and, when input.spool_interval has passed or the last
 * scan left files, a scan of each folder; it is a hy_pipeline_poll_fn, so a
 * live capture serves it too. hy_cli_watch_run steps until *stop, waiting
 * 100 ms whenever nothing came. hy_cli_watch_close reports what each input
 * took (when say) and frees w (NULL is fine). */
typedef struct hy_cli_watch hy_cli_watch;
int hy_cli_watch_open(const struct hy_config *cfg, hy_cli_watch **out);
hy_err hy_cli_watch_step(void *w, struct hy_pipeline *p);
int hy_cli_watch_run(hy_cli_watch *w, struct hy_pipeline *p, volatile sig_atomic_t *stop);
void hy_cli_watch_close(hy_cli_watch *w, bool say);

/* Applies a -s/--set "KEY=VALUE" to cfg (kv is not changed); prints what
 * is wrong and returns HY_EXIT_USAGE for a missing '=' or a bad key or
 * value, HY_EXIT_OK otherwise. */
struct hy_config;
int hy_cli_set_kv(struct hy_config *cfg, const char *kv);

/* Prints "hayate: <what>: <error detail or name>" to stderr. */
void hy_cli_error(const char *what, int err);


/* Table rows for terminals. */
void hy_cli_table_flow_header(FILE *f);
void hy_cli_table_flow(FILE *f, const hy_flow *fl);
void hy_cli_table_alert_header(FILE *f);
void hy_cli_table_alert(FILE *f, const hy_alert *a);

/* Progress bar on stderr (only when stderr is a terminal). */
typedef struct hy_cli_progress {
    bool on;
    double t0;
    const char *label;
} hy_cli_progress;
void hy_cli_progress_init(hy_cli_progress *p, const char *label);
void hy_cli_progress_cb(void *ud, uint64_t done, uint64_t total, uint64_t packets);
void hy_cli_progress_end(hy_cli_progress *p);

#endif
