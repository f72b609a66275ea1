/* hayate: follow a growing text file line by line, as `tail -F` does. It
 * survives appends, rotation by rename (logrotate's default), copytruncate
 * and a path that is missing for a while. The screen engine uses it to read
 * Suricata's eve.json. It polls with stat(2); there is no thread inside. */
#ifndef HAYATE_FOLLOW_H
#define HAYATE_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HY_FOLLOW_MAX_LINE_DEFAULT ((size_t)1 << 20) /* 1 MiB */
#define HY_FOLLOW_MAX_LINE_CAP ((size_t)1 << 30)     /* largest max_line accepted */
#define HY_FOLLOW_POLL_MS_DEFAULT 200u
#define HY_FOLLOW_POLL_MS_CAP 60000u

typedef struct hy_follow_opts {
    bool from_start;  /* true: read the existing content first; false: start
                       * at the current end (tail -F -n0) */
    size_t max_line;  /* longer lines are skipped whole and counted; 0: 1 MiB */
    unsigned poll_ms; /* stat(2) period while idle; 0: 200 */
} hy_follow_opts;

typedef struct hy_follow_stats {
    uint64_t lines;       /* lines returned */
    uint64_t bytes;       /* bytes read, over all files */
    uint64_t rotations;   /* switches to a new file at the path */
    uint64_t truncations; /* times the file shrank below the read offset */
    uint64_t overlong;    /* lines longer than max_line, skipped */
} hy_follow_stats;

typedef struct hy_follow hy_follow;

/* Starts following path (opts NULL: defaults). The file need not exist yet:
 * a file that appears later is read from its start. With from_start false an
 * existing file is read from its current end, and a line cut there is
 * dropped up to its newline. HY_ERR_ARG on bad arguments, HY_ERR_IO when the
 * path exists but is not a readable regular file. */
hy_err hy_follow_create(const char *path, const hy_follow_opts *opts, hy_follow **out);

/* Next complete line, without its '\n', in *line / *n; the bytes are also
 * NUL-terminated and stay valid until the next call on f. Waits up to
 * timeout_ms (0: do not wait) in poll_ms steps. HY_ERR_AGAIN when no line
 * completed in time (an unterminated last line is held until its newline,
 * except when the file is rotated: then the old file's last bytes are a
 * line). After a rename rotation the old file is read to its end before the
 * new one is opened from its start; a truncation below the read offset
 * restarts at offset 0. HY_ERR_ARG for NULL arguments or timeout_ms < 0,
 * HY_ERR_IO on a read error or when the path becomes a directory. */
hy_err hy_follow_next(hy_follow *f, const char **line, size_t *n, int timeout_ms);

/* Copies the counters into *st (all zero when f is NULL). */
void hy_follow_stats_get(const hy_follow *f, hy_follow_stats *st);

/* Closes the file and frees f. NULL is ok. */
void hy_follow_destroy(hy_follow *f);

#endif
