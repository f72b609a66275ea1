/* File I/O helpers (include/hayate/io.h). */
#include "hayate/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

hy_err hy_buf_read_file(hy_buf *b, const char *path)
{
    char chunk[1 << 16];
    size_t n;
    hy_err rc = HY_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return hy_err_set(HY_ERR_IO, "%s: %s", path, strerror(errno));
    while (rc == HY_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = hy_buf_add(b, chunk, n);
    if (rc == HY_OK && ferror(f))
        rc = hy_err_set(HY_ERR_IO, "%s: read failed", path);
    else if (rc == HY_ERR_TOOBIG)
        rc = hy_err_set(HY_ERR_TOOBIG, "%s: larger than %zu bytes", path, b->cap);
    else if (rc == HY_OK)
        rc = hy_buf_addc(b, '\0');
    if (rc == HY_OK)
        b->len--; /* the NUL stays after the bytes */
    fclose(f);
    return rc;
}

hy_err hy_write_file_atomic(const char *path, const void *data, size_t n)
{
    char tmp[PATH_MAX];
    struct timespec ts;
    int fd;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%ld", path, (long)getpid(), (long)ts.tv_nsec) >=
        (int)sizeof tmp)
        return hy_err_set(HY_ERR_ARG, "%.80s: path too long", path);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
        return hy_err_set(HY_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    bool ok = write(fd, data, n) == (ssize_t)n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return hy_err_set(HY_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    return HY_OK;
}
