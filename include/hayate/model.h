/* hayate: the model registry (DESIGN §3, storage, models, feedback).
 *
 * A learning engine's models live in DIR/ENGINE/ (DIR is models.dir):
 *   N.model    the model itself, in the engine's own format;
 *   N.json     its manifest: engine, version, creation time, feature-spec
 *              hash, training-data hash and rows, the model file's SHA-256,
 *              and the metrics training measured;
 *   CURRENT    the version in use (a decimal number and a newline).
 * Versions are 1, 2, 3... A version exists once both files are there; the
 * model file is published first (link(2), so two trainers never share a
 * number), then the manifest (rename(2)), then CURRENT (rename(2)): a crash
 * at any point leaves the previous state readable and nothing half-written.
 * rollback moves CURRENT to the newest version below it. */
#ifndef HAYATE_MODEL_H
#define HAYATE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HY_MODEL_MAX_VERSIONS 4096

/* One published version. */
typedef struct hy_model_version {
    unsigned version;
    uint64_t created_ns;
    char data_hash[65];  /* hex SHA-256 of the training set */
    char model_hash[65]; /* hex SHA-256 of N.model */
    uint64_t rows;       /* training rows */
    char *manifest;      /* the whole manifest text (malloc'd) */
} hy_model_version;

/* What train produced, to publish. */
typedef struct hy_model_publish {
    const char *engine;
    const char *model_tmp;    /* a file written completely (it is linked, then unlinked) */
    const char *feature_spec; /* text whose SHA-256 is the feature-spec hash */
    const char *data_hash;    /* hex SHA-256 of the training set */
    uint64_t rows;
    const char *metrics_json; /* a JSON object, or NULL */
} hy_model_publish;

/* Publishes a new version of p->engine under dir (created if needed) and
 * makes it current; *version gets its number. HY_ERR_ARG for an engine name
 * that is not [a-z0-9_]+; HY_ERR_IO naming the path that failed. */
hy_err hy_model_publish_version(const char *dir, const hy_model_publish *p, unsigned *version);

/* A fresh path for train's output inside DIR/ENGINE/ (created if needed),
 * so that publishing can link it: the same file system. */
hy_err hy_model_tmp_path(const char *dir, const char *engine, char *path, size_t cap);

/* The published versions of engine, ascending (*out malloc'd; free with
 * hy_model_versions_free), and the current one (0: none). A manifest that
 * does not parse is skipped. No folder: zero versions, HY_OK. */
hy_err hy_model_list(const char *dir, const char *engine, hy_model_version **out, size_t *n,
                     unsigned *current);
void hy_model_versions_free(hy_model_version *v, size_t n);

/* The current version and the path of its model file (path_cap bytes).
 * HY_ERR_NOTFOUND when the engine has no current model; HY_ERR_FORMAT when
 * the model file's SHA-256 is not its manifest's model_hash. */
hy_err hy_model_current(const char *dir, const char *engine, unsigned *version, char *path,
                        size_t path_cap);

/* Makes version current; HY_ERR_NOTFOUND when it is not published. */
hy_err hy_model_use(const char *dir, const char *engine, unsigned version);

/* Makes the newest version below the current one current (*version gets
 * it); HY_ERR_NOTFOUND when there is none. */
hy_err hy_model_rollback(const char *dir, const char *engine, unsigned *version);

/* Hex SHA-256 of a file's bytes (out: 65 bytes). */
hy_err hy_sha256_file(const char *path, char out[65]);
/* Hex SHA-256 of n bytes. */
void hy_sha256_hex(const void *p, size_t n, char out[65]);

#endif
