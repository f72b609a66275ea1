/* The model registry: versions of a learning engine's model under
 * models.dir/ENGINE/ (include/hayate/model.h; docs/MODELS.md). */
#include "hayate/model.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hayate/buf.h"
#include "hayate/io.h"
#include "hayate/json.h"

#define MANIFEST_CAP (1u << 20)

void hy_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char d[32];
    unsigned int dl = 0;
    EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

hy_err hy_sha256_file(const char *path, char out[65])
{
    unsigned char d[32], chunk[1 << 16];
    unsigned int dl = 0;
    size_t n;
    FILE *f = fopen(path, "rb");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    hy_err rc = HY_OK;
    if (!f || !ctx) {
        rc = hy_err_set(HY_ERR_IO, "%s: %s", path, f ? "no digest context" : strerror(errno));
        goto out;
    }
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        EVP_DigestUpdate(ctx, chunk, n);
    if (ferror(f)) {
        rc = hy_err_set(HY_ERR_IO, "%s: read failed", path);
        goto out;
    }
    EVP_DigestFinal_ex(ctx, d, &dl);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
out:
    if (f)
        fclose(f);
    EVP_MD_CTX_free(ctx);
    return rc;
}

static bool engine_ok(const char *e)
{
    size_t n = e ? strlen(e) : 0;
    return n > 0 && n < 64 && strspn(e, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* dir/engine[/leaf] into out. */
static hy_err path_of(char *out, size_t cap, const char *dir, const char *engine, const char *leaf)
{
    int n = leaf ? snprintf(out, cap, "%s/%s/%s", dir, engine, leaf)
                 : snprintf(out, cap, "%s/%s", dir, engine);
    if (n < 0 || (size_t)n >= cap)
        return hy_err_set(HY_ERR_ARG, "models: path under '%.60s' too long", dir);
    return HY_OK;
}

static hy_err mkdir_p(const char *dir, const char *engine)
{
    char p[PATH_MAX];
    hy_err rc;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return hy_err_set(HY_ERR_IO, "models: cannot create %s: %s", dir, strerror(errno));
    if ((rc = path_of(p, sizeof p, dir, engine, NULL)) != HY_OK)
        return rc;
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return hy_err_set(HY_ERR_IO, "models: cannot create %s: %s", p, strerror(errno));
    return HY_OK;
}

hy_err hy_model_tmp_path(const char *dir, const char *engine, char *path, size_t cap)
{
    char leaf[48];
    struct timespec ts;
    hy_err rc;
    if (!dir || !*dir || !engine_ok(engine))
        return hy_err_set(HY_ERR_ARG, "models: need a folder and an engine name");
    if ((rc = mkdir_p(dir, engine)) != HY_OK)
        return rc;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(leaf, sizeof leaf, ".train.%ld.%ld.tmp", (long)getpid(), (long)ts.tv_nsec);
    return path_of(path, cap, dir, engine, leaf);
}

static hy_err set_current(const char *dir, const char *engine, unsigned v)
{
    char p[PATH_MAX], text[24];
    hy_err rc = path_of(p, sizeof p, dir, engine, "CURRENT");
    int n = snprintf(text, sizeof text, "%u\n", v);
    return rc != HY_OK ? rc : hy_write_file_atomic(p, text, (size_t)n);
}

/* Reads CURRENT: 0 when absent or unreadable as a number. */
static unsigned read_current(const char *dir, const char *engine)
{
    char p[PATH_MAX], text[24] = {0};
    unsigned long v;
    char *end;
    FILE *f;
    if (path_of(p, sizeof p, dir, engine, "CURRENT") != HY_OK || !(f = fopen(p, "r")))
        return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    v = strtoul(text, &end, 10);
    return (end != text && (*end == '\n' || !*end) && v <= HY_MODEL_MAX_VERSIONS) ? (unsigned)v : 0;
}

static hy_err manifest_text(const hy_model_publish *p, unsigned v, const char *model_hash,
                            hy_buf *b)
{
    struct timespec ts;
    char spec[65];
    hy_json j;
    clock_gettime(CLOCK_REALTIME, &ts);
    hy_sha256_hex(p->feature_spec ? p->feature_spec : "",
                  p->feature_spec ? strlen(p->feature_spec) : 0, spec);
    hy_json_init(&j, b);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "engine", p->engine);
    hy_json_kuint(&j, "version", v);
    hy_json_key(&j, "created");
    hy_json_time(&j, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
    hy_json_kuint(&j, "created_ns", (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
    hy_json_kstr(&j, "feature_spec_hash", spec);
    hy_json_kstr(&j, "data_hash", p->data_hash ? p->data_hash : "");
    hy_json_kuint(&j, "data_rows", p->rows);
    hy_json_kstr(&j, "model_hash", model_hash);
    hy_json_key(&j, "metrics");
    hy_json_raw(&j, p->metrics_json && *p->metrics_json ? p->metrics_json : "{}");
    hy_json_obj_close(&j);
    hy_err rc = hy_json_finish(&j);
    return rc == HY_OK ? hy_buf_addc(b, '\n') : rc;
}

/* Links the model file as the first free version number above the newest. */
static hy_err link_model(const char *dir, const hy_model_publish *p, unsigned *v)
{
    size_t n = 0;
    unsigned cur = 0;
    hy_model_version *vs = NULL;
    hy_err rc = hy_model_list(dir, p->engine, &vs, &n, &cur);
    unsigned next = n ? vs[n - 1].version + 1 : 1;
    hy_model_versions_free(vs, n);
    if (rc != HY_OK)
        return rc;
    for (; next <= HY_MODEL_MAX_VERSIONS; next++) {
        char path[PATH_MAX], leaf[32];
        snprintf(leaf, sizeof leaf, "%u.model", next);
        if ((rc = path_of(path, sizeof path, dir, p->engine, leaf)) != HY_OK)
            return rc;
        if (link(p->model_tmp, path) == 0) {
            *v = next;
            return HY_OK;
        }
        if (errno != EEXIST)
            return hy_err_set(HY_ERR_IO, "models: cannot publish %s as %s: %s", p->model_tmp, path,
                              strerror(errno));
    }
    return hy_err_set(HY_ERR_TOOBIG, "models: %s has %d versions", p->engine,
                      HY_MODEL_MAX_VERSIONS);
}

hy_err hy_model_publish_version(const char *dir, const hy_model_publish *p, unsigned *version)
{
    char model_hash[65], path[PATH_MAX], leaf[32];
    unsigned v = 0;
    hy_buf b;
    hy_err rc;
    if (!dir || !*dir || !p || !engine_ok(p->engine) || !p->model_tmp)
        return hy_err_set(HY_ERR_ARG, "models: need a folder, an engine name and a model file");
    hy_buf_init(&b, MANIFEST_CAP);
    if ((rc = mkdir_p(dir, p->engine)) != HY_OK ||
        (rc = hy_sha256_file(p->model_tmp, model_hash)) != HY_OK ||
        (rc = link_model(dir, p, &v)) != HY_OK)
        goto out;
    unlink(p->model_tmp);
    snprintf(leaf, sizeof leaf, "%u.json", v);
    if ((rc = manifest_text(p, v, model_hash, &b)) != HY_OK ||
        (rc = path_of(path, sizeof path, dir, p->engine, leaf)) != HY_OK ||
        (rc = hy_write_file_atomic(path, b.data, b.len)) != HY_OK ||
        (rc = set_current(dir, p->engine, v)) != HY_OK)
        goto out;
    *version = v;
out:
    hy_buf_free(&b);
    return rc;
}

/* Reads and checks one manifest; false (skipped) when it does not parse. */
static bool read_manifest(const char *path, unsigned v, hy_model_version *out)
{
    json_error_t err;
    json_t *m = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    json_t *dh, *mh;
    bool ok = m && json_is_object(m) &&
              json_integer_value(json_object_get(m, "version")) == (json_int_t)v &&
              json_is_string(dh = json_object_get(m, "data_hash")) &&
              json_is_string(mh = json_object_get(m, "model_hash"));
    if (ok) {
        memset(out, 0, sizeof *out);
        out->version = v;
        out->created_ns = (uint64_t)json_integer_value(json_object_get(m, "created_ns"));
        out->rows = (uint64_t)json_integer_value(json_object_get(m, "data_rows"));
        snprintf(out->data_hash, sizeof out->data_hash, "%s", json_string_value(dh));
        snprintf(out->model_hash, sizeof out->model_hash, "%s", json_string_value(mh));
        ok = (out->manifest = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER)) != NULL;
    }
    json_decref(m);
    return ok;
}

static int by_version(const void *a, const void *b)
{
    unsigned x = ((const hy_model_version *)a)->version, y = ((const hy_model_version *)b)->version;
    return (x > y) - (x < y);
}

/* A version number from "N.json" (0 when the name is anything else). */
static unsigned json_leaf_version(const char *name)
{
    char *end;
    unsigned long v = strtoul(name, &end, 10);
    return (name[0] >= '1' && name[0] <= '9' && strcmp(end, ".json") == 0 &&
            v <= HY_MODEL_MAX_VERSIONS)
               ? (unsigned)v
               : 0;
}

hy_err hy_model_list(const char *dir, const char *engine, hy_model_version **out, size_t *n,
                     unsigned *current)
{
    char edir[PATH_MAX], path[PATH_MAX];
    hy_model_version *vs = NULL;
    size_t nv = 0, cap = 0;
    struct dirent *de;
    DIR *d;
    hy_err rc;
    *out = NULL;
    *n = 0;
    *current = 0;
    if (!dir || !engine_ok(engine))
        return hy_err_set(HY_ERR_ARG, "models: bad engine name '%.40s'", engine ? engine : "");
    if ((rc = path_of(edir, sizeof edir, dir, engine, NULL)) != HY_OK)
        return rc;
    if (!(d = opendir(edir)))
        return errno == ENOENT ? HY_OK
                               : hy_err_set(HY_ERR_IO, "models: %s: %s", edir, strerror(errno));
    while ((de = readdir(d))) {
        unsigned v = json_leaf_version(de->d_name);
        struct stat st;
        hy_model_version mv;
        if (!v || snprintf(path, sizeof path, "%s/%u.model", edir, v) >= (int)sizeof path ||
            stat(path, &st) != 0 ||
            snprintf(path, sizeof path, "%s/%s", edir, de->d_name) >= (int)sizeof path ||
            !read_manifest(path, v, &mv))
            continue;
        if (nv == cap) {
            size_t nc = cap ? cap * 2 : 8;
            hy_model_version *nvs = realloc(vs, nc * sizeof *nvs);
            if (!nvs) {
                free(mv.manifest);
                rc = HY_ERR_NOMEM;
                break;
            }
            vs = nvs;
            cap = nc;
        }
        vs[nv++] = mv;
    }
    closedir(d);
    if (rc != HY_OK) {
        hy_model_versions_free(vs, nv);
        return rc;
    }
    if (nv)
        qsort(vs, nv, sizeof *vs, by_version);
    *out = vs;
    *n = nv;
    *current = read_current(dir, engine);
    return HY_OK;
}

void hy_model_versions_free(hy_model_version *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].manifest);
    free(v);
}

/* Whether version v is among the published ones (its model's SHA-256 in
 * hash, when hash is not NULL). */
static hy_err find_version(const char *dir, const char *engine, unsigned v, bool *found,
                           unsigned *below, unsigned *current, char *hash)
{
    hy_model_version *vs;
    size_t n;
    hy_err rc = hy_model_list(dir, engine, &vs, &n, current);
    *found = false;
    *below = 0;
    for (size_t i = 0; rc == HY_OK && i < n; i++) {
        if (vs[i].version == v && hash)
            memcpy(hash, vs[i].model_hash, sizeof vs[i].model_hash);
        *found |= vs[i].version == v;
        if (vs[i].version < v)
            *below = vs[i].version;
    }
    hy_model_versions_free(vs, n);
    return rc;
}

hy_err hy_model_current(const char *dir, const char *engine, unsigned *version, char *path,
                        size_t path_cap)
{
    bool found;
    unsigned below, cur = 0;
    char leaf[32], want[65] = "", have[65];
    hy_err rc = find_version(dir, engine, read_current(dir, engine), &found, &below, &cur, want);
    if (rc != HY_OK)
        return rc;
    if (!cur || !found)
        return hy_err_set(HY_ERR_NOTFOUND, "models: %s has no current model", engine);
    snprintf(leaf, sizeof leaf, "%u.model", cur);
    if ((rc = path_of(path, path_cap, dir, engine, leaf)) != HY_OK ||
        (rc = hy_sha256_file(path, have)) != HY_OK)
        return rc;
    if (strcmp(want, have) != 0) /* corrupted or replaced since it was published */
        return hy_err_set(HY_ERR_FORMAT, "%s does not match its manifest's model_hash", path);
    *version = cur;
    return HY_OK;
}

hy_err hy_model_use(const char *dir, const char *engine, unsigned version)
{
    bool found;
    unsigned below, cur;
    hy_err rc = find_version(dir, engine, version, &found, &below, &cur, NULL);
    if (rc != HY_OK)
        return rc;
    if (!found)
        return hy_err_set(HY_ERR_NOTFOUND, "models: %s has no version %u", engine, version);
    return set_current(dir, engine, version);
}

hy_err hy_model_rollback(const char *dir, const char *engine, unsigned *version)
{
    bool found;
    unsigned below, cur = read_current(dir, engine);
    hy_err rc = find_version(dir, engine, cur ? cur : HY_MODEL_MAX_VERSIONS + 1, &found, &below,
                             &cur, NULL);
    if (rc != HY_OK)
        return rc;
    if (!cur || !below)
        return hy_err_set(HY_ERR_NOTFOUND, "models: %s has no version before %u", engine, cur);
    if ((rc = set_current(dir, engine, below)) == HY_OK)
        *version = below;
    return rc;
}
