/* Family labels of samples by hash (include/hayate/labels.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/buf.h"
#include "hayate/io.h"
#include "hayate/labels.h"
#include "hayate/map.h"

struct hy_labels {
    hy_map *m; /* lowercase hex hash -> family (malloc'd) */
    size_t dups;
};

static bool is_sep(char c)
{
    return c == '\t' || c == ',' || c == ' ';
}

/* One content line (no line end) into l; *why says what is wrong. */
static hy_err add_line(hy_labels *l, const char *s, size_t n, const char **why)
{
    char hash[65], fam[HY_LABEL_MAX_FAMILY + 1];
    size_t h = 0, i, end = n;
    while (h < n && h < 64 && s[h] && strchr("0123456789abcdefABCDEF", s[h]))
        h++;
    if ((h != 32 && h != 40 && h != 64) || h == n || !is_sep(s[h])) {
        *why = "expected an MD5, SHA-1 or SHA-256 in hex, then a tab, comma or blank";
        return HY_ERR_FORMAT;
    }
    for (i = 0; i < h; i++)
        hash[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
    hash[h] = '\0';
    for (i = h; i < n && is_sep(s[i]); i++)
        ;
    while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    if (end == i || end - i > HY_LABEL_MAX_FAMILY) {
        *why = "the family must be 1 to 64 bytes";
        return HY_ERR_FORMAT;
    }
    for (size_t k = i; k < end; k++)
        if ((unsigned char)s[k] < 0x20 || (unsigned char)s[k] > 0x7e) {
            *why = "the family must be printable ASCII";
            return HY_ERR_FORMAT;
        }
    memcpy(fam, s + i, end - i);
    fam[end - i] = '\0';
    if (hy_map_get(l->m, hash, h)) {
        l->dups++;
        return HY_OK;
    }
    char *v = strdup(fam);
    if (!v)
        return HY_ERR_NOMEM;
    hy_err rc = hy_map_put(l->m, hash, h, v);
    if (rc != HY_OK) {
        free(v);
        *why = "more than 16,777,216 labels";
    }
    return rc;
}

hy_err hy_labels_parse(const char *name, const uint8_t *buf, size_t n, hy_labels **out)
{
    hy_labels *l;
    hy_err rc = HY_OK;
    size_t line = 0;
    const char *why = "out of memory";
    name = name ? name : "<memory>";
    if (!out || (!buf && n))
        return hy_err_set(HY_ERR_ARG, "labels: NULL argument");
    *out = NULL;
    if (!(l = calloc(1, sizeof *l)) || hy_map_create(HY_LABEL_MAX_ENTRIES, free, &l->m) != HY_OK) {
        free(l);
        return HY_ERR_NOMEM;
    }
    for (size_t at = 0; at < n && rc == HY_OK;) {
        const char *s = (const char *)buf + at;
        const char *nl = memchr(s, '\n', n - at);
        size_t len = nl ? (size_t)(nl - s) : n - at;
        at += len + (nl != NULL);
        line++;
        if (len && s[len - 1] == '\r')
            len--;
        if (len > HY_LABEL_MAX_LINE) {
            rc = HY_ERR_TOOBIG;
            why = "a line over 4,096 bytes";
        } else if (len && s[0] != '#') {
            rc = add_line(l, s, len, &why);
        }
    }
    if (rc != HY_OK) {
        hy_labels_free(l);
        return rc == HY_ERR_NOMEM ? rc : hy_err_set(rc, "%s: line %zu: %s", name, line, why);
    }
    *out = l;
    return HY_OK;
}

hy_err hy_labels_load(const char *path, hy_labels **out)
{
    hy_buf b;
    hy_err rc;
    if (!path || !out)
        return hy_err_set(HY_ERR_ARG, "labels: NULL argument");
    hy_buf_init(&b, HY_LABEL_MAX_FILE);
    if ((rc = hy_buf_read_file(&b, path)) == HY_OK)
        rc = hy_labels_parse(path, (const uint8_t *)b.data, b.len, out);
    else
        rc = hy_err_set(rc, "%s: %s", path, hy_err_detail());
    hy_buf_free(&b);
    return rc;
}

const char *hy_labels_find(const hy_labels *l, const char *md5, const char *sha1,
                           const char *sha256)
{
    const char *h[] = {sha256, sha1, md5};
    const size_t len[] = {64, 40, 32};
    for (int i = 0; l && i < 3; i++)
        if (h[i] && strlen(h[i]) == len[i]) {
            const char *f = hy_map_get(l->m, h[i], len[i]);
            if (f)
                return f;
        }
    return NULL;
}

size_t hy_labels_count(const hy_labels *l)
{
    return l ? hy_map_count(l->m) : 0;
}

size_t hy_labels_duplicates(const hy_labels *l)
{
    return l ? l->dups : 0;
}

void hy_labels_free(hy_labels *l)
{
    if (!l)
        return;
    hy_map_destroy(l->m);
    free(l);
}
