#include "hayate/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hy_logf(const hy_log *log, hy_log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (!log || !log->fn || level > log->level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log->fn(log->ud, level, msg);
}

static const char *const hy__level_names[] = {"error", "warn", "info", "debug"};

const char *hy_log_level_name(hy_log_level level)
{
    if ((unsigned)level > HY_LOG_DEBUG)
        return "?";
    return hy__level_names[level];
}

hy_err hy_log_level_parse(const char *name, hy_log_level *out)
{
    for (int i = 0; i <= HY_LOG_DEBUG; i++) {
        if (name && strcmp(name, hy__level_names[i]) == 0) {
            *out = (hy_log_level)i;
            return HY_OK;
        }
    }
    return hy_err_set(HY_ERR_CONFIG, "unknown log level '%s' (error, warn, info, debug)",
                      name ? name : "");
}
