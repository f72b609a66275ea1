#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static void rm_tmpdir(void)
{
    char cmd[300];
    if (tmpdir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", tmpdir);
    }
}

const char *hy_test_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/hytest.XXXXXX");
        if (!mkdtemp(tmpdir))
            fail_msg("mkdtemp failed");
        atexit(rm_tmpdir);
    }
    return tmpdir;
}

const char *hy_test_source_dir(void)
{
    const char *d = getenv("HY_SOURCE_DIR");
    return d && *d ? d : ".";
}

const char *hy_test_shared_data(void)
{
    static char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/../shared/data", hy_test_source_dir());
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? path : NULL;
}

void hy_test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s", path);
    if (len && fwrite(data, 1, len, f) != len)
        fail_msg("short write to %s", path);
    fclose(f);
}

uint8_t *hy_test_read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL;
    long len;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (p = malloc((size_t)len)) && fread(p, 1, (size_t)len, f) == (size_t)len)
        *n = (size_t)len;
    else {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

hy_pkt hy_test_syn4(uint32_t src, uint32_t dst, uint16_t dport, uint32_t seq, uint16_t ipid)
{
    static const uint8_t l4[20];
    hy_pkt p = {.ip_version = 4, .proto = 6, .l4 = l4, .tcp_flags = HY_TCP_SYN,
                .dport = dport, .sport = 40000, .tcp_seq = seq, .ip_id = ipid};
    for (int i = 0; i < 4; i++) {
        p.src[i] = (uint8_t)(src >> (24 - 8 * i));
        p.dst[i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    return p;
}

const char *hy_test_path(const char *name)
{
    static char p[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", hy_test_tmpdir(), name);
    return p[k];
}
