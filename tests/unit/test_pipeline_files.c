/* Files through the pipeline (hy_pipeline_feed_files): the folder walk's
 * order and skips, HY_EV_FILE reaching the file engines with the file's
 * bytes, and the same findings in the same order for any thread count. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hayate/pipeline.h"

/* A sharded file engine: one alert per file naming it, with its length and
 * the sum of its bytes (so the bytes must have arrived whole). */
/* Bytes each shard's instance was given (shards 0..3), for the balance test. */
static uint64_t g_shard_bytes[4];

static hy_err f_create(const hy_engine_env *env, void **state)
{
    int *shard = calloc(1, sizeof *shard);
    if (shard)
        *shard = env->shard;
    *state = shard;
    return *state ? HY_OK : HY_ERR_NOMEM;
}

static void f_destroy(void *state)
{
    free(state);
}

static hy_err f_event(void *state, const hy_event *ev, const hy_emit *emit)
{
    char ev_json[96];
    const char *base = strrchr(ev->u.file.path, '/');
    uint64_t sum = 0;
    hy_alert *a;
    int shard = *(const int *)state;
    assert_int_equal(ev->kind, HY_EV_FILE);
    if (shard >= 0 && shard < 4)
        g_shard_bytes[shard] += ev->u.file.len;
    for (size_t i = 0; i < ev->u.file.len; i++)
        sum += ev->u.file.data[i];
    hy_err rc = hy_alert_create(ev->ts_ns, "tfile", "tfile.seen", 4, 0.5, "a file",
                                base ? base + 1 : ev->u.file.path, ev->seq, &a);
    snprintf(ev_json, sizeof ev_json, "{\"len\":%zu,\"sum\":%llu}", ev->u.file.len,
             (unsigned long long)sum);
    if (rc == HY_OK && (rc = hy_alert_set_evidence(a, ev_json)) != HY_OK)
        hy_alert_destroy(a);
    return rc == HY_OK ? hy_emit_alert(emit, a) : rc;
}

static const hy_engine t_file = {.name = "tfile",
                                 .summary = "test",
                                 .consumes = HY_EV_BIT(HY_EV_FILE),
                                 .sharded = true,
                                 .create = f_create,
                                 .destroy = f_destroy,
                                 .on_event = f_event};

static char g_dir[512];

static void put(const char *rel, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", g_dir, rel);
    hy_test_write_file(path, text, strlen(text));
}

/* A tree: a.txt, b.bin, empty, sub/c.bin, sub/deeper/d, and a symlink. */
static void make_tree(void)
{
    char path[1024], target[1024];
    snprintf(g_dir, sizeof g_dir, "%s/samples", hy_test_tmpdir());
    mkdir(g_dir, 0755);
    snprintf(path, sizeof path, "%s/sub", g_dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sub/deeper", g_dir);
    mkdir(path, 0755);
    put("b.bin", "\x01\x02\x03");
    put("a.txt", "hello");
    put("empty", "");
    put("sub/c.bin", "cc");
    put("sub/deeper/d", "dddd");
    snprintf(target, sizeof target, "%s/a.txt", g_dir);
    snprintf(path, sizeof path, "%s/link", g_dir);
    assert_int_equal(symlink(target, path), 0);
}

/* A files-only pipeline of threads workers running engines[0..n), EVE to
 * eve (may be NULL). */
static hy_pipeline *new_pipeline(int threads, const hy_engine **engines, size_t n, FILE *eve)
{
    hy_pipeline_cfg pc = {.threads = threads,
                          .tick_ns = 1000000000ull,
                          .eve = eve,
                          .no_flows = true,
                          .engines = engines,
                          .n_engines = n};
    hy_pipeline *p;
    hy_flow_cfg_default(&pc.flow);
    assert_int_equal(hy_pipeline_create(&pc, &p), HY_OK);
    return p;
}

static char *run(const char *path, int threads, hy_files_stats *fs, hy_pipeline_stats *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    const hy_engine *engines[] = {&t_file};
    hy_pipeline *p = new_pipeline(threads, engines, 1, mem);
    assert_int_equal(hy_pipeline_feed_files(p, path, NULL, NULL, NULL, fs), HY_OK);
    assert_int_equal(hy_pipeline_finish(p), HY_OK);
    hy_pipeline_stats_get(p, st);
    hy_pipeline_destroy(p);
    fclose(mem);
    return text;
}

static void test_order_and_skips(void **st)
{
    hy_files_stats fs;
    hy_pipeline_stats ps;
    (void)st;
    make_tree();
    char *one = run(g_dir, 1, &fs, &ps);
    const char *order[] = {"\"a.txt\"", "\"b.bin\"", "\"empty\"", "\"c.bin\"", "\"d\""};
    const char *at = one;
    for (size_t i = 0; i < 5; i++) {
        const char *hit = strstr(at, order[i]);
        if (!hit)
            fail_msg("%s missing or out of order in:\n%s", order[i], one);
        at = hit;
    }
    assert_non_null(strstr(one, "\"len\":3,\"sum\":6"));   /* b.bin's bytes arrived */
    assert_non_null(strstr(one, "\"len\":5,\"sum\":532")); /* hello */
    assert_int_equal(fs.files, 5);
    assert_int_equal(fs.skipped, 1); /* the symlink */
    assert_int_equal(ps.files_read, 5);
    assert_int_equal(ps.file_bytes, 14);
    assert_int_equal(ps.alerts, 5);
    for (int t = 2; t <= 3; t++) {
        char *many = run(g_dir, t, &fs, &ps);
        assert_string_equal(one, many);
        free(many);
    }
    free(one);
}

static void test_one_file_and_errors(void **st)
{
    hy_files_stats fs;
    hy_pipeline_stats ps;
    char path[1024];
    (void)st;
    snprintf(path, sizeof path, "%s/sub/c.bin", g_dir);
    char *one = run(path, 2, &fs, &ps);
    assert_non_null(strstr(one, "\"c.bin\""));
    assert_int_equal(ps.alerts, 1);
    free(one);

    const hy_engine *engines[] = {&t_file};
    hy_pipeline *p = new_pipeline(1, engines, 1, NULL);
    assert_int_equal(hy_pipeline_feed_files(p, "/nonexistent/samples", NULL, NULL, NULL, NULL),
                     HY_ERR_NOTFOUND);
    assert_non_null(strstr(hy_err_detail(), "/nonexistent/samples"));
    assert_int_equal(hy_pipeline_feed_files(p, "/dev/null", NULL, NULL, NULL, NULL),
                     HY_ERR_UNSUPPORTED);
    hy_pipeline_destroy(p);
}

/* Alerts of a run over g_dir with both engines, files addressed to engine;
 * *rc is the feed's result. */
static size_t count_to(const char *engine, int threads, hy_err *rc)
{
    hy_engine t_other = t_file; /* a second file engine under another name */
    t_other.name = "tother";
    const hy_engine *engines[] = {&t_file, &t_other};
    hy_pipeline_stats ps;
    hy_pipeline *p = new_pipeline(threads, engines, 2, NULL);
    *rc = hy_pipeline_feed_files(p, g_dir, engine, NULL, NULL, NULL);
    assert_int_equal(hy_pipeline_finish(p), HY_OK);
    hy_pipeline_stats_get(p, &ps);
    hy_pipeline_destroy(p);
    return ps.alerts;
}

/* Files addressed to one engine reach it alone (samples are not reports);
 * NULL reaches every file engine; a name no enabled engine has is refused
 * before anything is fed. */
static void test_addressed_to_one_engine(void **st)
{
    hy_err rc;
    (void)st;
    for (int t = 1; t <= 2; t++) {
        assert_int_equal(count_to("tother", t, &rc), 5);
        assert_int_equal(rc, HY_OK);
        assert_int_equal(count_to(NULL, t, &rc), 10);
        assert_int_equal(rc, HY_OK);
    }
    assert_int_equal(count_to("malware", 1, &rc), 0);
    assert_int_equal(rc, HY_ERR_CONFIG);
    assert_non_null(strstr(hy_err_detail(), "malware"));
}

#define MIB (1u << 20)

/* Writes n files of mib[i] MiB (zeros) named f0, f1, ... into a new folder
 * sub of the test folder, listed in v[0..n) in that order; the folder. */
static const char *sized_files(const char *sub, const unsigned *mib, size_t n, hy_file_entry *v)
{
    static char dir[600];
    char *zeros = calloc(4, MIB);
    assert_non_null(zeros);
    snprintf(dir, sizeof dir, "%s/%s", hy_test_tmpdir(), sub);
    mkdir(dir, 0755);
    for (size_t i = 0; i < n; i++) {
        char path[700];
        assert_true(mib[i] <= 4);
        snprintf(path, sizeof path, "%s/f%zu", dir, i);
        hy_test_write_file(path, zeros, (size_t)mib[i] * MIB);
        memset(&v[i], 0, sizeof v[i]);
        v[i].path = strdup(path);
        v[i].size = (uint64_t)mib[i] * MIB;
    }
    free(zeros);
    memset(g_shard_bytes, 0, sizeof g_shard_bytes);
    return dir;
}

/* With two workers, files go by work, not in turn: a 3 MiB file and three
 * of 1 MiB (in that order) give each worker 3 MiB (in turn: 4 and 2). */
static void test_balanced_by_size(void **st)
{
    hy_files_stats fs;
    hy_pipeline_stats ps;
    hy_file_entry v[4];
    const unsigned mib[] = {3, 1, 1, 1};
    (void)st;
    free(run(sized_files("balance", mib, 4, v), 2, &fs, &ps));
    assert_int_equal(ps.files_read, 4);
    assert_int_equal(g_shard_bytes[0], 3 * MIB);
    assert_int_equal(g_shard_bytes[1], 3 * MIB);
    for (int i = 0; i < 4; i++)
        free(v[i].path);
}

/* Each list of files is balanced on its own: after a list that gave worker 0
 * a 3 MiB file, the next list's two files of 1 MiB go one to each worker
 * (counting on from the first list, both would go to worker 1). */
static void test_balance_per_list(void **st)
{
    const hy_engine *engines[] = {&t_file};
    hy_file_entry v[3];
    const unsigned mib[] = {3, 1, 1};
    (void)st;
    sized_files("perlist", mib, 3, v);
    hy_pipeline *p = new_pipeline(2, engines, 1, NULL);
    assert_int_equal(hy_pipeline_feed_list(p, v, 1, NULL, NULL, NULL), HY_OK);
    assert_int_equal(hy_pipeline_feed_list(p, v + 1, 2, NULL, NULL, NULL), HY_OK);
    assert_int_equal(hy_pipeline_finish(p), HY_OK);
    hy_pipeline_destroy(p);
    assert_int_equal(g_shard_bytes[0], 4 * MIB);
    assert_int_equal(g_shard_bytes[1], MIB);
    for (int i = 0; i < 3; i++)
        free(v[i].path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_skips),
        cmocka_unit_test(test_one_file_and_errors),
        cmocka_unit_test(test_addressed_to_one_engine),
        cmocka_unit_test(test_balanced_by_size),
        cmocka_unit_test(test_balance_per_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
