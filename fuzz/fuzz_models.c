/* Fuzzes the files of the feedback loop, chosen by the first byte:
 *   0: a darknet model file (dn_model_parse);
 *   1: a darknet training set (dn_train_rows, through a file);
 *   2: a model manifest (hy_model_list, through a models folder).
 * Any bytes are accepted or refused with a message; never a crash, a leak
 * or a hang. An accepted model has sorted factors in 1..1000. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engines/darknet/darknet_int.h"
#include "hayate/io.h"
#include "hayate/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char g_dir[64];

static void model(const uint8_t *d, size_t n)
{
    dn_port_factor *f = NULL;
    size_t nf = 0;
    if (dn_model_parse((const char *)d, n, &f, &nf) == HY_OK) {
        for (size_t i = 0; i < nf; i++)
            if (f[i].factor < 1 || f[i].factor > 1000 || (i && f[i].pv <= f[i - 1].pv))
                abort();
    } else if (!*hy_err_detail() || f) {
        abort();
    }
    free(f);
}

static void training_set(const uint8_t *d, size_t n)
{
    static const dn_detect_cfg c = {.history_bins = 20,
                                    .recent_bins = 5,
                                    .z = 5,
                                    .min_sources = 10,
                                    .min_ratio = 3,
                                    .new_port_k = 20};
    char in[128], out[128];
    hy_buf m;
    snprintf(in, sizeof in, "%s/set.csv", g_dir);
    snprintf(out, sizeof out, "%s/out.model", g_dir);
    if (hy_write_file_atomic(in, d, n) != HY_OK)
        return;
    hy_buf_init(&m, 1 << 16);
    dn_train_rows(&c, in, out, &m);
    hy_buf_free(&m);
}

static void manifest(const uint8_t *d, size_t n)
{
    char path[128];
    hy_model_version *vs = NULL;
    size_t nv = 0;
    unsigned cur;
    snprintf(path, sizeof path, "%s/fz", g_dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/fz/1.model", g_dir);
    hy_write_file_atomic(path, "m", 1);
    snprintf(path, sizeof path, "%s/fz/1.json", g_dir);
    if (hy_write_file_atomic(path, d, n) != HY_OK)
        return;
    if (hy_model_list(g_dir, "fz", &vs, &nv, &cur) == HY_OK && nv > 1)
        abort();
    hy_model_versions_free(vs, nv);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    (void)remove(path); /* best effort: keep going */
    return 0;
}

/* The scratch folder goes when the fuzzer exits (runs end with exit()). */
static void remove_dir(void)
{
    if (g_dir[0])
        nftw(g_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_dir[0]) {
        snprintf(g_dir, sizeof g_dir, "/tmp/hayate-fuzz-models-%ld", (long)getpid());
        mkdir(g_dir, 0755);
        atexit(remove_dir);
    }
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0:
        model(data + 1, size - 1);
        break;
    case 1:
        training_set(data + 1, size - 1);
        break;
    default:
        manifest(data + 1, size - 1);
        break;
    }
    return 0;
}
