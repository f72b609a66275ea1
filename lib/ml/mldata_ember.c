/* Training data, EMBER vectorized features (elastic/ember
 * create_vectorized_features): X_*.dat holds little-endian float32 rows of
 * HY_EMBER_DIM values, y_*.dat one float32 label per row (0, 1, -1 for
 * unlabelled). Read in chunks of rows so the dense file (7.6 GB for
 * EMBER2018 train) is never held; only the sparse result grows. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hayate/ember.h"
#include "hayate/limits.h"
#include "mldata_int.h"

#define ROW_BYTES ((size_t)HY_EMBER_DIM * 4)
#define CHUNK_ROWS 64u

typedef struct ember_files {
    char x[HY_MAX_PATH], y[HY_MAX_PATH];
    FILE *fx, *fy;
    size_t rows; /* rows in X (and in y) */
} ember_files;

/* Derives the X and y paths: dir/X_train.dat and dir/y_train.dat, or the
 * given X_ file and its "y_" sibling. */
static hy_err ember_paths(const char *path, bool is_dir, ember_files *e)
{
    int nx, ny;
    if (is_dir) {
        nx = snprintf(e->x, sizeof e->x, "%s/X_train.dat", path);
        ny = snprintf(e->y, sizeof e->y, "%s/y_train.dat", path);
    } else {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        if (strncmp(base, "X_", 2) != 0)
            return hy_err_set(HY_ERR_ARG, "%s: an EMBER features file is named X_*.dat (its "
                              "labels are the y_*.dat beside it)", path);
        nx = snprintf(e->x, sizeof e->x, "%s", path);
        ny = snprintf(e->y, sizeof e->y, "%.*sy_%s", (int)(base - path), path, base + 2);
    }
    if (nx < 0 || ny < 0 || (size_t)nx >= sizeof e->x || (size_t)ny >= sizeof e->y)
        return hy_err_set(HY_ERR_TOOBIG, "%s: path longer than %u bytes", path, HY_MAX_PATH);
    return HY_OK;
}

/* Opens path as a regular file and returns its size in *size. */
static hy_err open_regular(const char *path, FILE **f, size_t *size)
{
    struct stat st;
    *f = fopen(path, "rb");
    if (!*f)
        return hy_err_set(errno == ENOENT ? HY_ERR_NOTFOUND : HY_ERR_IO, "%s: cannot open: %s",
                          path, strerror(errno));
    if (fstat(fileno(*f), &st) != 0 || !S_ISREG(st.st_mode))
        return hy_err_set(HY_ERR_ARG, "%s: not a regular file", path);
    *size = (size_t)st.st_size;
    return HY_OK;
}

static hy_err ember_open(ember_files *e)
{
    size_t xs, ys;
    hy_err rc = open_regular(e->x, &e->fx, &xs);
    if (rc != HY_OK)
        return rc;
    if (xs % ROW_BYTES != 0)
        return hy_err_set(HY_ERR_TRUNCATED, "%s: row %zu: cut after %zu of %zu bytes (the size, "
                          "%zu bytes, is not a whole number of %u-float32 rows)", e->x,
                          xs / ROW_BYTES, xs % ROW_BYTES, ROW_BYTES, xs, (unsigned)HY_EMBER_DIM);
    e->rows = xs / ROW_BYTES;
    if ((rc = open_regular(e->y, &e->fy, &ys)) != HY_OK)
        return rc;
    if (ys % 4 != 0)
        return hy_err_set(HY_ERR_TRUNCATED, "%s: row %zu: cut after %zu of 4 bytes", e->y, ys / 4,
                          ys % 4);
    if (ys / 4 != e->rows)
        return hy_err_set(HY_ERR_FORMAT, "%s has %zu rows but %s has %zu labels", e->x, e->rows,
                          e->y, ys / 4);
    return HY_OK;
}

static float le_float(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Reads n bytes or fails naming the file and the first row of the read. */
static hy_err read_exact(FILE *f, const char *path, void *buf, size_t n, size_t row)
{
    if (fread(buf, 1, n, f) == n)
        return HY_OK;
    if (ferror(f))
        return hy_err_set(HY_ERR_IO, "%s: row %zu: read failed: %s", path, row, strerror(errno));
    return hy_err_set(HY_ERR_TRUNCATED, "%s: row %zu: file ended early (it shrank while read)",
                      path, row);
}

/* Adds X row r (raw bytes at p) with its y label; -1 rows are skipped. */
static hy_err ember_row(const ember_files *e, hy__mld_build *b, const uint8_t *p, float y,
                        size_t r)
{
    if (y == -1.0f) {
        b->d->skipped++;
        return HY_OK;
    }
    if (y != 0.0f && y != 1.0f)
        return hy_err_set(HY_ERR_FORMAT, "%s: row %zu: label %g is not 0, 1 or -1", e->y, r,
                          (double)y);
    for (uint32_t j = 0; j < HY_EMBER_DIM; j++) {
        float v = le_float(p + 4 * (size_t)j);
        if (!isfinite(v))
            return hy_err_set(HY_ERR_FORMAT, "%s: row %zu: column %u is NaN or infinite", e->x, r,
                              j);
        hy_err rc = hy__mld_add(b, j, v);
        if (rc != HY_OK)
            return hy_err_set(rc, "%s: row %zu: %s", e->x, r, hy_err_detail());
    }
    hy_err rc = hy__mld_end_row(b, y);
    if (rc != HY_OK)
        return hy_err_set(rc, "%s: row %zu: %s", e->x, r, hy_err_detail());
    return HY_OK;
}

static hy_err ember_read(ember_files *e, hy__mld_build *b)
{
    uint8_t yb[CHUNK_ROWS * 4];
    uint8_t *xb = malloc(CHUNK_ROWS * ROW_BYTES);
    if (!xb)
        return hy_err_set(HY_ERR_NOMEM, "out of memory");
    hy_err rc = HY_OK;
    for (size_t r0 = 0; r0 < e->rows && rc == HY_OK; r0 += CHUNK_ROWS) {
        size_t m = e->rows - r0 < CHUNK_ROWS ? e->rows - r0 : CHUNK_ROWS;
        if ((rc = read_exact(e->fx, e->x, xb, m * ROW_BYTES, r0)) != HY_OK ||
            (rc = read_exact(e->fy, e->y, yb, m * 4, r0)) != HY_OK)
            break;
        for (size_t i = 0; i < m && rc == HY_OK; i++)
            rc = ember_row(e, b, xb + i * ROW_BYTES, le_float(yb + 4 * i), r0 + i);
    }
    free(xb);
    return rc;
}

hy_err hy__mld_ember_load(const char *path, bool is_dir, hy_mldata **out)
{
    ember_files e = {.fx = NULL, .fy = NULL};
    hy__mld_build b = {NULL, 0, 0, 0};
    hy_err rc = ember_paths(path, is_dir, &e);
    if (rc == HY_OK && (rc = ember_open(&e)) == HY_ERR_NOTFOUND && is_dir)
        hy_err_set(rc, "%s (EMBER data in a directory is X_train.dat and y_train.dat)",
                   hy_err_detail());
    if (rc == HY_OK)
        rc = hy__mld_build_init(&b);
    if (rc == HY_OK)
        rc = ember_read(&e, &b);
    if (rc == HY_OK) {
        b.d->cols = HY_EMBER_DIM;
        *out = hy__mld_build_take(&b);
    }
    hy__mld_build_free(&b);
    if (e.fx)
        fclose(e.fx);
    if (e.fy)
        fclose(e.fy);
    return rc;
}
