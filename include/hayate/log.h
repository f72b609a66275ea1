/* hayate: logging through a caller-supplied sink. lib/ never prints: it hands
 * messages to the hy_log it was given, and the front end decides where they go. */
#ifndef HAYATE_LOG_H
#define HAYATE_LOG_H

typedef enum hy_log_level {
    HY_LOG_ERROR = 0,
    HY_LOG_WARN,
    HY_LOG_INFO,
    HY_LOG_DEBUG
} hy_log_level;

typedef void (*hy_log_fn)(void *ud, hy_log_level level, const char *msg);

typedef struct hy_log {
    hy_log_fn fn;       /* NULL: messages are discarded */
    void *ud;
    hy_log_level level; /* messages above this level are discarded */
} hy_log;

/* Formats and delivers a message if log and log->fn are set and level passes.
 * Safe to call from any thread if fn is. */
void hy_logf(const hy_log *log, hy_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "error", "warn", "info", "debug". */
const char *hy_log_level_name(hy_log_level level);

/* Parses a level name; HY_ERR_CONFIG if unknown. */
#include "error.h"
hy_err hy_log_level_parse(const char *name, hy_log_level *out);

#endif
