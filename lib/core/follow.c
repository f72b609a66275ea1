/* Line follower (include/hayate/follow.h). One buffer holds the unread
 * bytes: at most max_line of a partial line plus one read chunk, so memory
 * stays bounded whatever the file holds. A line that outgrows max_line is
 * dropped and its remaining bytes are skipped up to the next '\n'. The path
 * is checked (stat: size, then device and inode) only when a read finds
 * the end of the open file. */
#include "hayate/follow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hayate/limits.h"

#define HY__CHUNK ((size_t)1 << 16)
#define HY__BUDGET 256 /* reads per call before an expired deadline ends it */

enum hy__skip {
    HY__KEEP,     /* collecting a line */
    HY__OVERLONG, /* dropping a line longer than max_line (counted) */
    HY__FRAGMENT, /* dropping the tail of a line begun before our start */
};

struct hy_follow {
    char *path;
    size_t max_line;
    unsigned poll_ms;
    int fd; /* -1 while the path has never been opened */
    dev_t dev;
    ino_t ino;
    off_t off;     /* read offset in fd */
    bool rotating; /* the path names another file: drain fd, then switch */
    enum hy__skip skip;
    char *buf;
    size_t alloc;
    size_t start; /* first unread byte */
    size_t scan;  /* bytes before this are known to hold no '\n' */
    size_t len;
    hy_follow_stats st;
};

static int64_t hy__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hy__sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* an EINTR just ends the step early */
}

/* Opens the path; *opened stays false when it does not exist. at_end: read
 * from the current end, dropping a line cut there. */
static hy_err hy__open(hy_follow *f, bool at_end, bool *opened)
{
    struct stat st;
    off_t end = 0;
    char last = '\n';
    hy_err rc = HY_OK;
    int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

    *opened = false;
    if (fd < 0) {
        if (errno == ENOENT)
            return HY_OK;
        return hy_err_set(HY_ERR_IO, "follow: %s: %s", f->path, strerror(errno));
    }
    if (fstat(fd, &st) != 0) {
        rc = hy_err_set(HY_ERR_IO, "follow: %s: %s", f->path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = hy_err_set(HY_ERR_IO, "follow: %s: not a regular file", f->path);
        goto out;
    }
    if (at_end && (end = lseek(fd, 0, SEEK_END)) < 0) {
        rc = hy_err_set(HY_ERR_IO, "follow: %s: seek: %s", f->path, strerror(errno));
        goto out;
    }
    if (end > 0 && pread(fd, &last, 1, end - 1) != 1)
        last = '\n';
out:
    if (rc != HY_OK) {
        close(fd);
        return rc;
    }
    if (f->fd >= 0)
        close(f->fd);
    f->fd = fd;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    f->off = end;
    if (last != '\n')
        f->skip = HY__FRAGMENT;
    *opened = true;
    return HY_OK;
}

/* Finds the next complete line in the buffer, dropping overlong lines and
 * fragments; false when more bytes are needed. */
static bool hy__find_line(hy_follow *f, const char **line, size_t *n)
{
    for (;;) {
        char *p = memchr(f->buf + f->scan, '\n', f->len - f->scan);
        if (!p) {
            f->scan = f->len;
            if (f->skip == HY__KEEP && f->len - f->start > f->max_line)
                f->skip = HY__OVERLONG;
            if (f->skip != HY__KEEP)
                f->start = f->len;
            return false;
        }
        size_t end = (size_t)(p - f->buf), begin = f->start;
        f->start = f->scan = end + 1;
        if (f->skip != HY__KEEP || end - begin > f->max_line) {
            if (f->skip != HY__FRAGMENT)
                f->st.overlong++;
            f->skip = HY__KEEP;
            continue;
        }
        *p = '\0';
        *line = f->buf + begin;
        *n = end - begin;
        f->st.lines++;
        return true;
    }
}

/* Makes room for one chunk plus a NUL: compacts, then grows up to
 * max_line + chunk + 1 (enough, since at most max_line bytes are kept). */
static hy_err hy__room(hy_follow *f)
{
    size_t need, cap = f->max_line + HY__CHUNK + 1, na;
    char *nb;

    if (f->alloc - f->len >= HY__CHUNK + 1)
        return HY_OK;
    if (f->start > 0) {
        memmove(f->buf, f->buf + f->start, f->len - f->start);
        f->len -= f->start;
        f->scan -= f->start;
        f->start = 0;
    }
    need = f->len + HY__CHUNK + 1;
    if (f->alloc >= need)
        return HY_OK;
    na = f->alloc * 2 > need ? f->alloc * 2 : need;
    if (na > cap)
        na = cap;
    if (na < need)
        return hy_err_set(HY_ERR_INTERNAL, "follow: %zu bytes kept, over the cap", f->len);
    if (!(nb = realloc(f->buf, na)))
        return hy_err_set(HY_ERR_NOMEM, "follow: out of memory (%zu bytes)", na);
    f->buf = nb;
    f->alloc = na;
    return HY_OK;
}

/* The old file is read to its end: hands out its unterminated last line,
 * then switches to the file now at the path. */
static hy_err hy__finish_old(hy_follow *f, const char **line, size_t *n, bool *got)
{
    bool opened;
    hy_err rc;

    if (f->skip == HY__OVERLONG)
        f->st.overlong++;
    if (f->skip != HY__KEEP) {
        f->skip = HY__KEEP;
        f->start = f->scan = f->len;
    } else if (f->len > f->start) {
        f->buf[f->len] = '\0'; /* hy__room kept a byte for it */
        *line = f->buf + f->start;
        *n = f->len - f->start;
        f->start = f->scan = f->len;
        f->st.lines++;
        *got = true;
        return HY_OK;
    }
    if ((rc = hy__open(f, false, &opened)) != HY_OK)
        return rc;
    f->rotating = false;
    if (!opened) /* gone again: stay on the old file */
        return HY_ERR_AGAIN;
    f->st.rotations++;
    return HY_OK;
}

/* The open file is read to its end: checks for truncation and rotation.
 * HY_OK when there may be more to read, HY_ERR_AGAIN when idle. */
static hy_err hy__at_eof(hy_follow *f, const char **line, size_t *n, bool *got)
{
    struct stat st;

    if (f->rotating)
        return hy__finish_old(f, line, n, got);
    if (fstat(f->fd, &st) != 0)
        return hy_err_set(HY_ERR_IO, "follow: %s: %s", f->path, strerror(errno));
    if (st.st_size < f->off) { /* copytruncate; a held partial line is kept, as tail -F does */
        if (lseek(f->fd, 0, SEEK_SET) != 0)
            return hy_err_set(HY_ERR_IO, "follow: %s: seek: %s", f->path, strerror(errno));
        f->off = 0;
        f->st.truncations++;
        return HY_OK;
    }
    if (stat(f->path, &st) != 0) {
        if (errno == ENOENT) /* renamed or removed; a writer may still use fd */
            return HY_ERR_AGAIN;
        return hy_err_set(HY_ERR_IO, "follow: %s: %s", f->path, strerror(errno));
    }
    if (st.st_dev != f->dev || st.st_ino != f->ino) {
        f->rotating = true; /* read fd once more: bytes written since */
        return HY_OK;
    }
    return HY_ERR_AGAIN;
}

/* One step: opens the file, or reads one chunk, or handles its end. */
static hy_err hy__fill(hy_follow *f, const char **line, size_t *n, bool *got)
{
    ssize_t r;
    hy_err rc;

    if (f->fd < 0) {
        bool opened;
        if ((rc = hy__open(f, false, &opened)) != HY_OK)
            return rc;
        return opened ? HY_OK : HY_ERR_AGAIN;
    }
    if ((rc = hy__room(f)) != HY_OK)
        return rc;
    do
        r = read(f->fd, f->buf + f->len, HY__CHUNK);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return hy_err_set(HY_ERR_IO, "follow: %s: read: %s", f->path, strerror(errno));
    if (r == 0)
        return hy__at_eof(f, line, n, got);
    f->len += (size_t)r;
    f->off += r;
    f->st.bytes += (uint64_t)r;
    return HY_OK;
}

hy_err hy_follow_create(const char *path, const hy_follow_opts *opts, hy_follow **out)
{
    hy_follow_opts o = {.from_start = true};
    hy_follow *f = NULL;
    bool opened;
    hy_err rc = HY_OK;

    if (!out)
        return hy_err_set(HY_ERR_ARG, "follow: out is NULL");
    *out = NULL;
    if (!path || !*path || strlen(path) >= HY_MAX_PATH)
        return hy_err_set(HY_ERR_ARG, "follow: path is empty or too long");
    if (opts)
        o = *opts;
    if (o.max_line == 0)
        o.max_line = HY_FOLLOW_MAX_LINE_DEFAULT;
    if (o.poll_ms == 0)
        o.poll_ms = HY_FOLLOW_POLL_MS_DEFAULT;
    if (o.max_line > HY_FOLLOW_MAX_LINE_CAP || o.poll_ms > HY_FOLLOW_POLL_MS_CAP)
        return hy_err_set(HY_ERR_ARG, "follow: max_line %zu (cap %zu) or poll_ms %u (cap %u)",
                          o.max_line, HY_FOLLOW_MAX_LINE_CAP, o.poll_ms, HY_FOLLOW_POLL_MS_CAP);
    if (!(f = calloc(1, sizeof *f)) || !(f->path = strdup(path))) {
        rc = hy_err_set(HY_ERR_NOMEM, "follow: out of memory");
        goto out;
    }
    f->fd = -1;
    f->max_line = o.max_line;
    f->poll_ms = o.poll_ms;
    rc = hy__open(f, !o.from_start, &opened);
out:
    if (rc != HY_OK) {
        hy_follow_destroy(f);
        return rc;
    }
    *out = f;
    return HY_OK;
}

hy_err hy_follow_next(hy_follow *f, const char **line, size_t *n, int timeout_ms)
{
    int64_t deadline, left;
    int steps = 0;
    hy_err rc;

    if (!f || !line || !n || timeout_ms < 0)
        return hy_err_set(HY_ERR_ARG, "follow: NULL argument or negative timeout");
    deadline = hy__now_ms() + timeout_ms;
    for (;;) {
        bool got = false;
        if (f->len > f->start && hy__find_line(f, line, n))
            return HY_OK;
        rc = hy__fill(f, line, n, &got);
        if (got)
            return HY_OK;
        if (rc == HY_OK) {
            if (++steps < HY__BUDGET || hy__now_ms() < deadline)
                continue;
            left = 0; /* data keeps coming but no line ends: give up for now */
        } else if (rc == HY_ERR_AGAIN) {
            left = deadline - hy__now_ms();
        } else {
            return rc;
        }
        if (left <= 0)
            return hy_err_set(HY_ERR_AGAIN, "follow: %s: no complete line within %d ms",
                              f->path, timeout_ms);
        hy__sleep_ms(left < f->poll_ms ? left : f->poll_ms);
    }
}

void hy_follow_stats_get(const hy_follow *f, hy_follow_stats *st)
{
    if (!st)
        return;
    if (!f) {
        memset(st, 0, sizeof *st);
        return;
    }
    *st = f->st;
}

void hy_follow_destroy(hy_follow *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    free(f->buf);
    free(f->path);
    free(f);
}
