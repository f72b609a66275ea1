/* Directory sources: the capture files directly inside one directory (not
 * recursive, dotfiles ignored), read one after another in the order of their
 * first packets. Rotated captures do not overlap, so this is a merge. */
#include "net/capture_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hayate/limits.h"

#define HY__CAP_SKIP_NAMED 10 /* skipped files named in the warning */

typedef struct hy__names {
    char **v;
    size_t n, cap;
} hy__names;

static hy_err hy__names_push(hy__names *l, char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return hy_err_set(HY_ERR_NOMEM, "capture: out of memory listing a directory");
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return HY_OK;
}

static void hy__names_free(hy__names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static int hy__cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int hy__cmp_file(const void *a, const void *b)
{
    const hy__cap_file *x = a, *y = b;
    if (x->first_ns != y->first_ns)
        return x->first_ns < y->first_ns ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* Full paths of the regular, non-hidden files in dir, sorted by name. */
static hy_err hy__cap_list(const char *dir, hy__names *out)
{
    char buf[128];
    DIR *d = opendir(dir);
    if (!d)
        return hy_err_set(errno == ENOENT ? HY_ERR_NOTFOUND : HY_ERR_IO, "%s: %s", dir,
                          strerror_r(errno, buf, sizeof buf));
    size_t dl = strlen(dir);
    const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";
    hy_err e = HY_OK;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *full;
        if (asprintf(&full, "%s%s%s", dir, sep, de->d_name) < 0) {
            e = hy_err_set(HY_ERR_NOMEM, "capture: out of memory listing a directory");
            goto out;
        }
        struct stat st;
        if (strlen(full) >= HY_MAX_PATH || stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(full);
            continue;
        }
        if (out->n >= HY_MAX_DIR_FILES) {
            free(full);
            e = hy_err_set(HY_ERR_TOOBIG, "%s: more than %u files in directory", dir,
                           HY_MAX_DIR_FILES);
            goto out;
        }
        e = hy__names_push(out, full);
        if (e != HY_OK) {
            free(full);
            goto out;
        }
    }
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, hy__cmp_str);
out:
    closedir(d);
    return e;
}

/* Opens one file to learn its first packet's time, and checks that the
 * filter compiles for its link type. */
static hy_err hy__cap_probe(hy_source *s, const char *path, hy__cap_file *f)
{
    pcap_t *p = NULL;
    uint64_t size = 0;
    hy_err e = hy__cap_open_path(s, path, &p, &size);
    if (e != HY_OK)
        return e;
    if (s->bpf) {
        struct bpf_program prog;
        e = hy__cap_compile(s, p, path, &prog);
        if (e != HY_OK)
            goto out;
        pcap_freecode(&prog);
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    bool nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    f->first_ns = pcap_next_ex(p, &h, &data) == 1 ? hy__cap_ts_ns(&h->ts, nano) : UINT64_MAX;
    f->size = size;
out:
    pcap_close(p);
    return e;
}

/* Appends the base name of path to a ", "-separated list in buf. */
static void hy__cap_list_name(char *buf, size_t cap, const char *path)
{
    const char *base = strrchr(path, '/');
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", base ? base + 1 : path);
}

hy_err hy__cap_open_dir(const char *path, const hy_source_cfg *cfg, hy_source **out)
{
    hy__names names = {0};
    hy_source *s = NULL;
    char skipped[1024] = "";
    size_t nskipped = 0;
    hy_err e = hy__cap_alloc(HY__CAP_DIR, path, cfg, &s);
    if (e != HY_OK)
        return e;
    e = hy__cap_list(path, &names);
    if (e != HY_OK)
        goto out;
    if (names.n && !(s->files = calloc(names.n, sizeof *s->files))) {
        e = hy_err_set(HY_ERR_NOMEM, "capture: out of memory listing a directory");
        goto out;
    }
    for (size_t i = 0; i < names.n; i++) {
        hy__cap_file *f = &s->files[s->nfiles];
        e = hy__cap_probe(s, names.v[i], f);
        if (e == HY_ERR_CONFIG || e == HY_ERR_NOMEM)
            goto out;
        if (e != HY_OK) {
            if (nskipped++ < HY__CAP_SKIP_NAMED)
                hy__cap_list_name(skipped, sizeof skipped, names.v[i]);
            continue;
        }
        f->path = names.v[i];
        names.v[i] = NULL;
        s->nfiles++;
        s->total += f->size;
    }
    if (nskipped > HY__CAP_SKIP_NAMED)
        hy__cap_list_name(skipped, sizeof skipped, "...");
    if (s->nfiles == 0) {
        e = hy_err_set(HY_ERR_FORMAT, "%s: no pcap or pcapng files in directory%s%s%s", path,
                       nskipped ? " (not captures: " : "", skipped, nskipped ? ")" : "");
        goto out;
    }
    e = HY_OK;
    qsort(s->files, s->nfiles, sizeof *s->files, hy__cmp_file);
    if (nskipped)
        hy__cap_warn(s, "%s: skipped %zu files that are not captures: %s", path, nskipped, skipped);
    *out = s;
    s = NULL;
out:
    hy__names_free(&names);
    hy_source_close(s);
    return e;
}

hy_err hy__cap_dir_advance(hy_source *s)
{
    while (s->next_file < s->nfiles) {
        hy__cap_file *f = &s->files[s->next_file++];
        pcap_t *p = NULL;
        uint64_t size = 0;
        hy_err e = hy__cap_open_path(s, f->path, &p, &size);
        if (e == HY_OK)
            return hy__cap_attach(s, p, f->path, size);
        hy__cap_warn(s, "%s", hy_err_detail()); /* vanished or changed since listed */
        s->done_base += f->size;
    }
    return HY_ERR_CLOSED;
}
