/* Feeding files to the file engines (hy_pipeline_feed_files): the folder
 * walk, in byte order of the paths so the sequence numbers, and with them
 * the output, are the same on every run. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipeline/internal.h"

typedef hy_file_entry entry;

typedef struct walk {
    entry *e;
    size_t n, cap;
    uint64_t max_bytes;
    hy_files_stats st;
} walk;

static hy_err keep(walk *w, const char *path, const struct stat *sb)
{
    if (w->n == HY_MAX_FEED_FILES) {
        w->st.skipped++;
        return HY_OK;
    }
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 256;
        entry *ne = realloc(w->e, nc * sizeof *ne);
        if (!ne)
            return HY_ERR_NOMEM;
        w->e = ne;
        w->cap = nc;
    }
    if (!(w->e[w->n].path = strdup(path)))
        return HY_ERR_NOMEM;
    w->e[w->n].size = (uint64_t)sb->st_size;
    w->e[w->n].dev = (uint64_t)sb->st_dev;
    w->e[w->n].ino = (uint64_t)sb->st_ino;
    w->e[w->n++].mtime_ns =
        (uint64_t)sb->st_mtim.tv_sec * 1000000000ull + (uint64_t)sb->st_mtim.tv_nsec;
    return HY_OK;
}

/* Collects the regular files under dir (depth levels below the top). */
static hy_err walk_dir(walk *w, const char *dir, int depth)
{
    char path[HY_MAX_PATH];
    struct dirent *de;
    struct stat sb;
    hy_err rc = HY_OK;
    DIR *d = opendir(dir);
    if (!d) {
        w->st.unreadable++;
        return HY_OK;
    }
    while (rc == HY_OK && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path ||
            lstat(path, &sb) != 0) {
            w->st.unreadable++;
            continue;
        }
        if (S_ISDIR(sb.st_mode) && depth < HY_MAX_FEED_DEPTH)
            rc = walk_dir(w, path, depth + 1);
        else if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size <= w->max_bytes)
            rc = keep(w, path, &sb);
        else
            w->st.skipped++; /* links, devices, too deep, too big */
    }
    closedir(d);
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

hy_err hy_file_list(const char *path, hy_file_entry **out, size_t *n, hy_files_stats *st)
{
    return hy_file_list_upto(path, HY_MAX_FILE_BYTES, out, n, st);
}

hy_err hy_file_list_upto(const char *path, uint64_t max_bytes, hy_file_entry **out, size_t *n,
                         hy_files_stats *st)
{
    walk w = {.max_bytes = max_bytes};
    struct stat sb;
    hy_err rc = HY_OK;
    *out = NULL;
    *n = 0;
    if (stat(path, &sb) != 0)
        return hy_err_set(errno == ENOENT ? HY_ERR_NOTFOUND : HY_ERR_IO, "%s: %s", path,
                          strerror(errno));
    if (S_ISDIR(sb.st_mode))
        rc = walk_dir(&w, path, 0);
    else if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size <= max_bytes)
        rc = keep(&w, path, &sb);
    else
        rc = hy_err_set(HY_ERR_UNSUPPORTED, "%s: not a regular file or folder, or over %llu MiB",
                        path, (unsigned long long)(max_bytes >> 20));
    if (rc == HY_OK && w.n)
        qsort(w.e, w.n, sizeof *w.e, by_path);
    w.st.files = w.n;
    if (st)
        *st = w.st;
    if (rc != HY_OK) {
        hy_file_list_free(w.e, w.n);
        return rc;
    }
    *out = w.e;
    *n = w.n;
    return HY_OK;
}

void hy_file_list_free(hy_file_entry *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].path);
    free(v);
}

hy_err hy_pipeline_feed_list(hy_pipeline *p, const hy_file_entry *v, size_t n, const char *engine,
                             hy_progress_fn progress, void *ud)
{
    uint32_t mask;
    hy_err rc = hy__pipeline_file_engines(p, engine, &mask);
    if (rc == HY_OK)
        hy__pipeline_files_begin(p);
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        rc = hy__pipeline_route_file(p, v[i].path, v[i].mtime_ns, v[i].size, mask);
        if (progress && (i & 255) == 255)
            progress(ud, i + 1, n, i + 1);
    }
    return rc;
}

hy_err hy_pipeline_feed_files(hy_pipeline *p, const char *path, const char *engine,
                              hy_progress_fn progress, void *ud, hy_files_stats *st)
{
    hy_file_entry *v = NULL;
    size_t n = 0;
    uint32_t mask;
    hy_err rc = hy__pipeline_file_engines(p, engine, &mask); /* before the walk */
    if (rc == HY_OK)
        rc = hy_file_list(path, &v, &n, st);
    if (rc == HY_OK)
        rc = hy_pipeline_feed_list(p, v, n, engine, progress, ud);
    hy_file_list_free(v, n);
    return rc;
}
