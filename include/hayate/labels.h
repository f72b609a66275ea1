/* hayate: family labels for samples, read from a file of one
 * "HASH<separator>FAMILY" line per sample, such as AVClass's output or a
 * ground-truth table (the malware engine's malware.labels). HASH is an
 * MD5, SHA-1 or SHA-256 in hex (either case); the separator is a tab, a
 * comma or blanks; FAMILY is the rest of the line without surrounding
 * blanks: 1 to HY_LABEL_MAX_FAMILY printable ASCII bytes. Blank lines and
 * lines starting with '#' are skipped; "\r\n" ends are accepted. A hash
 * listed twice keeps its first family (the rest are counted). The file is
 * untrusted: a malformed line is HY_ERR_FORMAT naming the file and line,
 * a line over HY_LABEL_MAX_LINE or more than HY_LABEL_MAX_ENTRIES lines
 * HY_ERR_TOOBIG. */
#ifndef HAYATE_LABELS_H
#define HAYATE_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define HY_LABEL_MAX_FAMILY 64u
#define HY_LABEL_MAX_LINE 4096u
#define HY_LABEL_MAX_ENTRIES (1u << 24)
#define HY_LABEL_MAX_FILE (1u << 30) /* bytes of a labels file */

typedef struct hy_labels hy_labels;

/* Parses n bytes (name, or "<memory>" when NULL, prefixes errors). */
hy_err hy_labels_parse(const char *name, const uint8_t *buf, size_t n, hy_labels **out);
/* Reads and parses the file at path. */
hy_err hy_labels_load(const char *path, hy_labels **out);
/* The family of the sample with these digests (lowercase hex; any may be
 * NULL), SHA-256 first, then SHA-1, then MD5; NULL when unlabelled. */
const char *hy_labels_find(const hy_labels *l, const char *md5, const char *sha1,
                           const char *sha256);
/* Entries, and lines whose hash was already listed. */
size_t hy_labels_count(const hy_labels *l);
size_t hy_labels_duplicates(const hy_labels *l);
void hy_labels_free(hy_labels *l);

#endif
