/* Opening offline captures: one file, a stream, or stdin ("-"). */
#include "net/capture_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hayate/limits.h"

static hy_err hy__cap_errno(int err, const char *path)
{
    char buf[128];
    if (err == ENOENT)
        return hy_err_set(HY_ERR_NOTFOUND, "%s: no such file or directory", path);
    return hy_err_set(HY_ERR_IO, "%s: %s", path, strerror_r(err, buf, sizeof buf));
}

hy_err hy__cap_fopen(FILE *fp, const char *name, pcap_t **out)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    /* libpcap reads each record with two freads; a source is read by one
     * thread at a time, so stdio's lock per call is pure cost (15-20 % of
     * the read floor on a header-only capture). */
    __fsetlocking(fp, FSETLOCKING_BYCALLER);
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, eb);
    if (p) {
        *out = p;
        return HY_OK;
    }
    /* libpcap leaves fp open when it refuses it. */
    bool rderr = ferror(fp);
    bool empty = !rderr && ftell(fp) == 0;
    fclose(fp);
    if (rderr)
        return hy_err_set(HY_ERR_IO, "%s: %s", name, eb);
    if (empty)
        return hy_err_set(HY_ERR_FORMAT, "%s: empty file", name);
    return hy_err_set(HY_ERR_FORMAT, "%s: not a pcap or pcapng file (%s)", name, eb);
}

/* Regular files are read through a plain stdio stream with a buffer larger
 * than stdio's default; stdin and other non-seekable inputs through a
 * counting stream, whose ftell works on pipes. A cookie stream copies small
 * reads byte by byte (glibc's generic xsgetn), and libpcap reads each
 * record's 16-byte header that way: 7 % of a header-only run's
 * instructions, 3 % once the file stream's memcpy does it. */
#define HY__CAP_STREAM_BUF (256u << 10)

typedef struct hy__cap_stream {
    int fd;
    bool own;        /* close fd with the stream */
    uint64_t bytes;  /* read from fd so far */
    atomic_int *brk; /* stdin: the source's break flag, once it exists */
    char buf[];      /* stdio buffer */
} hy__cap_stream;

static ssize_t hy__cap_stream_read(void *c, char *buf, size_t n)
{
    hy__cap_stream *k = c;
    ssize_t r;
    do {
        r = read(k->fd, buf, n);
    } while (r < 0 && errno == EINTR && !(k->brk && atomic_load(k->brk)));
    if (r > 0)
        k->bytes += (uint64_t)r;
    return r;
}

/* Only ftell's "where am I" is supported. */
static int hy__cap_stream_seek(void *c, off64_t *off, int whence)
{
    hy__cap_stream *k = c;
    if (whence == SEEK_CUR && *off == 0) {
        *off = (off64_t)k->bytes;
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

static int hy__cap_stream_close(void *c)
{
    hy__cap_stream *k = c;
    if (k->own)
        close(k->fd);
    free(k); /* glibc no longer touches the buffer once close is called */
    return 0;
}

/* A stream over fd; on failure fd is closed when owned. */
static hy_err hy__cap_stream_open(int fd, bool own, const char *name, FILE **out,
                                  hy__cap_stream **ctx)
{
    hy__cap_stream *k = malloc(sizeof *k + HY__CAP_STREAM_BUF);
    FILE *fp = NULL;
    if (k) {
        *k = (hy__cap_stream){.fd = fd, .own = own};
        cookie_io_functions_t fns = {.read = hy__cap_stream_read,
                                     .seek = hy__cap_stream_seek,
                                     .close = hy__cap_stream_close};
        fp = fopencookie(k, "rb", fns);
    }
    if (!fp) {
        free(k);
        if (own)
            close(fd);
        return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", name);
    }
    setvbuf(fp, k->buf, _IOFBF, HY__CAP_STREAM_BUF);
    *out = fp;
    if (ctx)
        *ctx = k;
    return HY_OK;
}

/* A stdio stream over the regular file fd (closed on failure) using
 * s->iobuf. The seek to 0 makes glibc track the offset, so ftell (pcapng's
 * progress, per record) costs no lseek. */
static hy_err hy__cap_file_stream(hy_source *s, int fd, const char *path, FILE **out)
{
    FILE *fp = NULL;
    if (!s->iobuf)
        s->iobuf = malloc(HY__CAP_STREAM_BUF);
    if (s->iobuf)
        fp = fdopen(fd, "rb");
    if (!fp) {
        close(fd);
        return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", path);
    }
    setvbuf(fp, s->iobuf, _IOFBF, HY__CAP_STREAM_BUF);
    if (fseeko(fp, 0, SEEK_SET) != 0) {
        int err = errno;
        fclose(fp);
        return hy__cap_errno(err, path);
    }
    *out = fp;
    return HY_OK;
}

hy_err hy__cap_open_path(hy_source *s, const char *path, pcap_t **out, uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hy__cap_errno(errno, path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return hy__cap_errno(err, path);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return hy_err_set(HY_ERR_ARG, "%s: is a directory", path);
    }
    *size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        close(fd);
        return hy_err_set(HY_ERR_FORMAT, "%s: empty file", path);
    }
    FILE *fp;
    hy_err e = S_ISREG(st.st_mode) ? hy__cap_file_stream(s, fd, path, &fp)
                                   : hy__cap_stream_open(fd, true, path, &fp, NULL);
    if (e != HY_OK)
        return e;
    return hy__cap_fopen(fp, path, out);
}
hy_err hy__source_open_stream(FILE *fp, const char *name, uint64_t total, const hy_source_cfg *cfg,
                              hy_source **out)
{
    hy_source *s = NULL;
    pcap_t *p = NULL;
    hy_err e = hy__cap_alloc(HY__CAP_FILE, name, cfg, &s);
    if (e != HY_OK) {
        fclose(fp);
        return e;
    }
    const char *shown = strcmp(name, "-") == 0 ? "stdin" : s->name;
    e = hy__cap_fopen(fp, shown, &p);
    if (e != HY_OK)
        goto out;
    e = hy__cap_attach(s, p, shown, total);
    if (e != HY_OK)
        goto out;
    s->total = total;
    *out = s;
    return HY_OK;
out:
    hy_source_close(s);
    return e;
}

static hy_err hy__cap_open_stdin(const hy_source_cfg *cfg, hy_source **out)
{
    FILE *fp;
    hy__cap_stream *k;
    hy_err e = hy__cap_stream_open(fileno(stdin), false, "stdin", &fp, &k);
    if (e != HY_OK)
        return e;
    e = hy__source_open_stream(fp, "-", 0, cfg, out);
    if (e == HY_OK)
        k->brk = &(*out)->brk; /* a break interrupts a read blocked in EINTR */
    return e;
}

hy_err hy_source_open_offline(const char *path, const hy_source_cfg *cfg, hy_source **out)
{
    if (!path || !*path || !out)
        return hy_err_set(HY_ERR_ARG, "hy_source_open_offline: NULL or empty argument");
    *out = NULL;
    if (strlen(path) >= HY_MAX_PATH)
        return hy_err_set(HY_ERR_ARG, "capture path longer than %u bytes", HY_MAX_PATH);
    if (strcmp(path, "-") == 0)
        return hy__cap_open_stdin(cfg, out);

    struct stat st;
    if (stat(path, &st) != 0)
        return hy__cap_errno(errno, path);
    if (S_ISDIR(st.st_mode))
        return hy__cap_open_dir(path, cfg, out);

    pcap_t *p = NULL;
    uint64_t size = 0;
    hy_source *s = NULL;
    hy_err e = hy__cap_alloc(HY__CAP_FILE, path, cfg, &s);
    if (e != HY_OK)
        return e;
    if ((e = hy__cap_open_path(s, path, &p, &size)) != HY_OK) {
        hy_source_close(s);
        return e;
    }
    e = hy__cap_attach(s, p, s->name, size);
    if (e != HY_OK) {
        hy_source_close(s);
        return e;
    }
    s->total = size;
    *out = s;
    return HY_OK;
}
