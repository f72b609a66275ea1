/* The model registry: publish, list, use, rollback, integrity. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hayate/io.h"
#include "hayate/model.h"

static char g_dir[512];

static int setup(void **st)
{
    static int n;
    (void)st;
    snprintf(g_dir, sizeof g_dir, "%s/models%d", hy_test_tmpdir(), n++);
    return 0;
}

/* Trains nothing: writes text as a model file where publishing wants it. */
static unsigned publish(const char *engine, const char *text, const char *data_hash)
{
    char tmp[1024];
    unsigned v = 0;
    assert_int_equal(hy_model_tmp_path(g_dir, engine, tmp, sizeof tmp), HY_OK);
    hy_test_write_file(tmp, text, strlen(text));
    hy_model_publish p = {.engine = engine,
                          .model_tmp = tmp,
                          .feature_spec = "a,b",
                          .data_hash = data_hash,
                          .rows = 7,
                          .metrics_json = "{\"auc\":0.9}"};
    assert_int_equal(hy_model_publish_version(g_dir, &p, &v), HY_OK);
    struct stat sb;
    assert_int_not_equal(stat(tmp, &sb), 0); /* the temporary is gone */
    return v;
}

static void test_publish_list_current(void **st)
{
    hy_model_version *vs;
    size_t n;
    unsigned cur, v;
    char path[1024], h[65];
    (void)st;
    assert_int_equal(hy_model_list(g_dir, "darknet", &vs, &n, &cur), HY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(cur, 0);
    assert_int_equal(hy_model_current(g_dir, "darknet", &v, path, sizeof path), HY_ERR_NOTFOUND);
    assert_int_equal(publish("darknet", "one", "aa"), 1);
    assert_int_equal(publish("darknet", "two", "bb"), 2);
    assert_int_equal(hy_model_list(g_dir, "darknet", &vs, &n, &cur), HY_OK);
    assert_int_equal(n, 2);
    assert_int_equal(cur, 2);
    assert_int_equal(vs[0].version, 1);
    assert_string_equal(vs[1].data_hash, "bb");
    assert_int_equal(vs[1].rows, 7);
    hy_sha256_hex("two", 3, h);
    assert_string_equal(vs[1].model_hash, h);
    assert_non_null(strstr(vs[1].manifest, "\"metrics\":{\"auc\":0.9"));
    assert_non_null(strstr(vs[1].manifest, "\"feature_spec_hash\""));
    assert_true(vs[1].created_ns >= vs[0].created_ns && vs[0].created_ns > 0);
    hy_model_versions_free(vs, n);
    assert_int_equal(hy_model_current(g_dir, "darknet", &v, path, sizeof path), HY_OK);
    assert_int_equal(v, 2);
    assert_non_null(strstr(path, "/darknet/2.model"));
}

static void test_use_and_rollback(void **st)
{
    unsigned v = 0, cur;
    char path[1024];
    (void)st;
    publish("darknet", "one", "aa");
    publish("darknet", "two", "bb");
    publish("darknet", "three", "cc");
    assert_int_equal(hy_model_use(g_dir, "darknet", 1), HY_OK);
    assert_int_equal(hy_model_current(g_dir, "darknet", &cur, path, sizeof path), HY_OK);
    assert_int_equal(cur, 1);
    assert_int_equal(hy_model_rollback(g_dir, "darknet", &v), HY_ERR_NOTFOUND);
    assert_int_equal(hy_model_use(g_dir, "darknet", 9), HY_ERR_NOTFOUND);
    assert_int_equal(hy_model_use(g_dir, "darknet", 3), HY_OK);
    assert_int_equal(hy_model_rollback(g_dir, "darknet", &v), HY_OK);
    assert_int_equal(v, 2);
    assert_int_equal(hy_model_rollback(g_dir, "darknet", &v), HY_OK);
    assert_int_equal(v, 1);
    /* a new version after a rollback takes the next free number */
    assert_int_equal(publish("darknet", "four", "dd"), 4);
}

static void test_integrity(void **st)
{
    char path[1024], leaf[1024];
    unsigned v;
    hy_model_version *vs;
    size_t n;
    (void)st;
    publish("darknet", "good", "aa");
    assert_int_equal(hy_model_current(g_dir, "darknet", &v, path, sizeof path), HY_OK);
    hy_test_write_file(path, "tampered", 8);
    assert_int_equal(hy_model_current(g_dir, "darknet", &v, path, sizeof path), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "model_hash"));
    /* a manifest that does not parse, and one without its model, are skipped */
    snprintf(leaf, sizeof leaf, "%s/darknet/5.json", g_dir);
    hy_test_write_file(leaf, "{\"version\": 5,", 14);
    snprintf(leaf, sizeof leaf, "%s/darknet/6.json", g_dir);
    hy_test_write_file(leaf, "{\"version\":6,\"data_hash\":\"\",\"model_hash\":\"\"}", 43);
    snprintf(leaf, sizeof leaf, "%s/darknet/x.json", g_dir);
    hy_test_write_file(leaf, "{}", 2);
    assert_int_equal(hy_model_list(g_dir, "darknet", &vs, &n, &v), HY_OK);
    assert_int_equal(n, 1);
    hy_model_versions_free(vs, n);
}

static void test_bad_names(void **st)
{
    hy_model_version *vs;
    size_t n;
    unsigned cur;
    char tmp[256];
    (void)st;
    assert_int_equal(hy_model_list(g_dir, "../etc", &vs, &n, &cur), HY_ERR_ARG);
    assert_int_equal(hy_model_list(g_dir, "", &vs, &n, &cur), HY_ERR_ARG);
    assert_int_equal(hy_model_tmp_path(g_dir, "a/b", tmp, sizeof tmp), HY_ERR_ARG);
    assert_int_equal(hy_model_tmp_path(g_dir, "darknet", tmp, 8), HY_ERR_ARG);
}

static void test_atomic_write(void **st)
{
    char path[1024];
    hy_buf b;
    (void)st;
    snprintf(path, sizeof path, "%s/f.txt", hy_test_tmpdir());
    assert_int_equal(hy_write_file_atomic(path, "first", 5), HY_OK);
    assert_int_equal(hy_write_file_atomic(path, "second", 6), HY_OK);
    hy_buf_init(&b, 4);
    assert_int_equal(hy_buf_read_file(&b, path), HY_ERR_TOOBIG);
    hy_buf_free(&b);
    hy_buf_init(&b, 64);
    assert_int_equal(hy_buf_read_file(&b, path), HY_OK);
    assert_int_equal(b.len, 6);
    assert_string_equal(b.data, "second");
    hy_buf_free(&b);
    assert_int_equal(hy_write_file_atomic("/nonexistent-dir/x", "a", 1), HY_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_publish_list_current, setup),
        cmocka_unit_test_setup(test_use_and_rollback, setup),
        cmocka_unit_test_setup(test_integrity, setup),
        cmocka_unit_test_setup(test_bad_names, setup),
        cmocka_unit_test(test_atomic_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
