/* Shared helpers for the cmocka unit tests. */
#ifndef HY_TESTUTIL_H
#define HY_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hayate/decode.h"

/* Makes a fresh temporary directory (removed at exit) and returns its path. */
const char *hy_test_tmpdir(void);

/* hy_test_tmpdir()/name, in one of 8 static buffers used in turn (copy a
 * path that must outlive 7 more calls). */
const char *hy_test_path(const char *name);

/* Repository root (from HY_SOURCE_DIR, else "."). */
const char *hy_test_source_dir(void);

/* ../shared/data next to the repo, or NULL when absent. */
const char *hy_test_shared_data(void);

/* Writes len bytes to path; fails the test on error. */
void hy_test_write_file(const char *path, const void *data, size_t len);

/* A whole file, malloc'd, its size in *n; NULL when it is missing, empty or
 * unreadable (callers skip). */
uint8_t *hy_test_read_file(const char *path, size_t *n);

/* A decoded IPv4 TCP SYN (addresses host order) with sequence number and
 * IP ID, as the decoder would fill it. */
hy_pkt hy_test_syn4(uint32_t src, uint32_t dst, uint16_t dport, uint32_t seq, uint16_t ipid);

#endif
