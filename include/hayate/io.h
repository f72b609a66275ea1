/* hayate: small file I/O helpers shared by the model registry, the engines'
 * model files and the CLI. */
#ifndef HAYATE_IO_H
#define HAYATE_IO_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

/* Appends the whole file at path to b (NUL-terminated after its bytes);
 * HY_ERR_TOOBIG when it would pass b's cap, HY_ERR_IO naming the path. */
hy_err hy_buf_read_file(hy_buf *b, const char *path);

/* Writes n bytes to path atomically: a temporary file beside it, fsync,
 * rename(2). Readers see the old content or the new, never a part; a
 * failure leaves the old file and no temporary. */
hy_err hy_write_file_atomic(const char *path, const void *data, size_t n);

#endif
