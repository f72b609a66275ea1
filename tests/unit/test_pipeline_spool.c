/* Spool folders (hy_spool_due, hy_pipeline_spool_scan, hy_pipeline_idle):
 * a file is taken once, only after it has settled, again when rewritten,
 * not when renamed; the per-scan limit and the remembered-set cap; and a
 * real folder scanned into a running pipeline whose findings arrive while
 * it idles, for one and two threads. */
#include "testutil.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hayate/limits.h"
#include "hayate/pipeline.h"

#define SEC 1000000000ull

static hy_file_entry ent(const char *path, uint64_t ino, uint64_t size, uint64_t mtime_s)
{
    return (hy_file_entry){
        .path = (char *)path, .mtime_ns = mtime_s * SEC, .size = size, .dev = 7, .ino = ino};
}

static hy_spool *spool(unsigned settle_s, size_t remember, size_t per_scan)
{
    hy_spool_cfg c = {.dir = "/nonexistent/spool",
                      .settle_s = settle_s,
                      .remember = remember,
                      .per_scan = per_scan};
    hy_spool *s = NULL;
    assert_int_equal(hy_spool_create(&c, &s), HY_OK);
    return s;
}

/* Runs one decision at now (seconds) and returns the taken ones as a
 * string of first letters of their paths, in list order. */
static const char *due(hy_spool *s, const hy_file_entry *v, size_t n, double now_s)
{
    static char out[64];
    bool take[16];
    size_t nd = 99, k = 0;
    assert_true(n <= 16);
    assert_int_equal(hy_spool_due(s, v, n, (uint64_t)(now_s * 1e9), take, &nd), HY_OK);
    for (size_t i = 0; i < n; i++)
        if (take[i])
            out[k++] = v[i].path[0];
    out[k] = 0;
    assert_int_equal(nd, k);
    return out;
}

static void test_settle_and_once(void **st)
{
    (void)st;
    hy_spool *s = spool(1, 0, 0);
    hy_file_entry v[3] = {ent("a", 1, 10, 100), ent("b", 2, 20, 100), ent("c", 3, 1, 100)};
    assert_string_equal(due(s, v, 2, 10.0), "");   /* first seen: waiting */
    assert_string_equal(due(s, v, 2, 10.5), "");   /* not a second yet */
    assert_string_equal(due(s, v, 3, 11.0), "ab"); /* settled; c only just seen */
    assert_string_equal(due(s, v, 3, 12.0), "c");
    assert_string_equal(due(s, v, 3, 20.0), ""); /* each taken once */
    /* c grows at every scan (a file being written): never settled */
    for (int i = 0; i < 5; i++) {
        v[2].size += 100;
        v[2].mtime_ns += SEC;
        assert_string_equal(due(s, v, 3, 21.0 + 2 * i), "");
    }
    assert_string_equal(due(s, v, 3, 29.5), "");
    assert_string_equal(due(s, v, 3, 30.0), "c"); /* stopped: taken again */
    /* a renamed (same inode, size, time) is not new; b rewritten is */
    v[0].path = "x-renamed";
    v[1].mtime_ns += 5 * SEC;
    assert_string_equal(due(s, v, 3, 40.0), "");
    assert_string_equal(due(s, v, 3, 41.0), "b");
    /* a vanished file is forgotten by the waiting set, not by the taken one */
    v[1].size = 99;
    assert_string_equal(due(s, v, 1, 42.0), "");
    assert_string_equal(due(s, v, 3, 43.0), ""); /* b's new state seen afresh */
    assert_string_equal(due(s, v, 3, 44.0), "b");
    hy_spool_destroy(s);

    s = spool(0, 0, 0); /* settle 0: taken at first sight */
    assert_string_equal(due(s, v, 3, 1.0), "xbc");
    assert_string_equal(due(s, v, 3, 1.0), "");
    assert_string_equal(due(s, v, 0, 2.0), "");
    hy_spool_destroy(s);
}

static void test_per_scan_and_cap(void **st)
{
    (void)st;
    hy_file_entry v[5] = {ent("a", 1, 1, 1), ent("b", 2, 1, 1), ent("c", 3, 1, 1),
                          ent("d", 4, 1, 1), ent("e", 5, 1, 1)};
    hy_spool *s = spool(1, 0, 2);
    assert_string_equal(due(s, v, 5, 0.0), "");
    assert_string_equal(due(s, v, 5, 1.0), "ab"); /* the rest stay settled */
    assert_string_equal(due(s, v, 5, 1.0), "cd");
    assert_string_equal(due(s, v, 5, 1.0), "e");
    assert_string_equal(due(s, v, 5, 9.0), "");
    hy_spool_destroy(s);

    /* remember 3: the oldest taken is forgotten first */
    s = spool(0, 3, 0);
    assert_string_equal(due(s, v, 3, 0.0), "abc");
    assert_string_equal(due(s, v + 3, 1, 1.0), "d"); /* a forgotten */
    hy_file_entry w[3] = {v[2], v[3], v[0]};
    assert_string_equal(due(s, w, 3, 2.0), "a"); /* c, d remembered; b forgotten now */
    assert_string_equal(due(s, v + 1, 1, 3.0), "b");
    /* the same file twice in one listing (hard links) is remembered once */
    hy_file_entry h[2] = {ent("h", 9, 5, 5), ent("i", 9, 5, 5)};
    assert_string_equal(due(s, h, 2, 4.0), "hi");
    assert_string_equal(due(s, h, 2, 5.0), "");
    hy_spool_destroy(s);
}

static void test_args(void **st)
{
    (void)st;
    hy_spool *s = (hy_spool *)&s;
    hy_spool_cfg c = {.dir = ""};
    assert_int_equal(hy_spool_create(&c, &s), HY_ERR_ARG);
    assert_null(s);
    c.dir = "/tmp";
    c.settle_s = 3601;
    assert_int_equal(hy_spool_create(&c, &s), HY_ERR_ARG);
    c.settle_s = 0;
    c.remember = HY_MAX_FEED_FILES + 1u;
    assert_int_equal(hy_spool_create(&c, &s), HY_ERR_ARG);
    c.remember = 0;
    c.per_scan = HY_MAX_FEED_FILES + 1u;
    assert_int_equal(hy_spool_create(&c, &s), HY_ERR_ARG);
    c.per_scan = 0;
    assert_int_equal(hy_spool_create(&c, &s), HY_OK);
    size_t nd = 7;
    assert_int_equal(hy_spool_due(s, NULL, 1, 0, NULL, &nd), HY_ERR_ARG);
    assert_int_equal(nd, 0);
    hy_spool_destroy(s);
    hy_spool_destroy(NULL);
}

/* A sharded file engine: one alert per file, naming it. */
static hy_err f_create(const hy_engine_env *env, void **state)
{
    (void)env;
    *state = calloc(1, 1);
    return *state ? HY_OK : HY_ERR_NOMEM;
}

static void f_destroy(void *state)
{
    free(state);
}

static hy_err f_event(void *state, const hy_event *ev, const hy_emit *emit)
{
    const char *base = strrchr(ev->u.file.path, '/');
    hy_alert *a;
    (void)state;
    char evidence[48];
    hy_err rc = hy_alert_create(ev->ts_ns, "tspool", "tspool.seen", 4, 0.5, "a file",
                                base ? base + 1 : ev->u.file.path, ev->seq, &a);
    snprintf(evidence, sizeof evidence, "{\"seq\":%llu}", (unsigned long long)ev->seq);
    if (rc == HY_OK && (rc = hy_alert_set_evidence(a, evidence)) != HY_OK)
        hy_alert_destroy(a);
    return rc == HY_OK ? hy_emit_alert(emit, a) : rc;
}

static const hy_engine t_file = {.name = "tspool",
                                 .summary = "test",
                                 .consumes = HY_EV_BIT(HY_EV_FILE),
                                 .sharded = true,
                                 .create = f_create,
                                 .destroy = f_destroy,
                                 .on_event = f_event};

typedef struct seen {
    atomic_int n;
    char names[32][16]; /* subjects in final order */
    uint64_t seq[32];   /* their files' sequence numbers (evidence) */
} seen;

static void on_alert(void *ud, const hy_alert *a)
{
    seen *s = ud;
    int i = atomic_load(&s->n);
    if (i < 32) {
        snprintf(s->names[i], sizeof s->names[i], "%s", a->subject);
        unsigned long long q = 0;
        sscanf(a->evidence, "{\"seq\":%llu}", &q);
        s->seq[i] = q;
    }
    atomic_store(&s->n, i + 1);
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* Idles the pipeline (event time a few seconds on) until want alerts
 * arrived or 10 s passed; returns how many arrived. */
static int idle_until(hy_pipeline *p, seen *s, int want, uint64_t *clock)
{
    for (int i = 0; i < 200 && atomic_load(&s->n) < want; i++) {
        *clock += 2 * SEC;
        assert_int_equal(hy_pipeline_idle(p, *clock), HY_OK);
        usleep(50000);
    }
    return atomic_load(&s->n);
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    hy_test_write_file(path, text, strlen(text));
}

static uint64_t scan(hy_pipeline *p, hy_spool *s)
{
    hy_files_stats fs;
    bool more = true;
    assert_int_equal(hy_pipeline_spool_scan(p, s, &fs, &more), HY_OK);
    assert_false(more);
    return fs.files;
}

static void run_folder(const char *dir, int threads)
{
    const hy_engine *engines[] = {&t_file};
    seen sn;
    memset(&sn, 0, sizeof sn);
    hy_pipeline_cfg pc = {.threads = threads,
                          .tick_ns = SEC,
                          .no_flows = true,
                          .engines = engines,
                          .n_engines = 1,
                          .on_alert = on_alert,
                          .observer_ud = &sn};
    hy_spool_cfg sc = {.dir = dir, .settle_s = 0};
    char from[1024], to[1024];
    hy_pipeline *p;
    hy_spool *s;
    uint64_t clock = wall_ns();
    hy_flow_cfg_default(&pc.flow);
    assert_int_equal(hy_pipeline_create(&pc, &p), HY_OK);
    assert_int_equal(hy_spool_create(&sc, &s), HY_OK);
    put(dir, "one", "1");
    put(dir, "two", "22");
    assert_int_equal(scan(p, s), 2);
    assert_int_equal(scan(p, s), 0);
    /* the findings arrive while the pipeline idles, before finish */
    assert_int_equal(idle_until(p, &sn, 2, &clock), 2);
    put(dir, "three", "333");
    put(dir, "two-copy", "22");
    snprintf(from, sizeof from, "%s/one", dir);
    snprintf(to, sizeof to, "%s/one-renamed", dir);
    assert_int_equal(rename(from, to), 0);
    assert_int_equal(scan(p, s), 2);
    assert_int_equal(idle_until(p, &sn, 4, &clock), 4);
    /* rewritten with another time: taken again */
    struct timespec t[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
    snprintf(from, sizeof from, "%s/three", dir);
    assert_int_equal(utimensat(AT_FDCWD, from, t, 0), 0);
    assert_int_equal(scan(p, s), 1);
    assert_int_equal(scan(p, s), 0);
    assert_int_equal(hy_pipeline_finish(p), HY_OK);
    assert_int_equal(atomic_load(&sn.n), 5);
    const char *want[] = {"one", "two", "three", "two-copy", "three"};
    for (int i = 0; i < 5; i++) {
        assert_string_equal(sn.names[i], want[i]);
        if (i)
            assert_true(sn.seq[i] > sn.seq[i - 1]); /* one sequence across scans */
    }
    assert_int_equal(hy_pipeline_idle(p, clock), HY_ERR_ARG); /* after finish */
    hy_spool_destroy(s);
    hy_pipeline_destroy(p);
}

static void test_scan_into_pipeline(void **st)
{
    char dir[512];
    (void)st;
    for (int threads = 1; threads <= 2; threads++) {
        snprintf(dir, sizeof dir, "%s/spool%d", hy_test_tmpdir(), threads);
        assert_int_equal(mkdir(dir, 0755), 0);
        run_folder(dir, threads);
    }
    /* a folder that is gone: named, and nothing is forgotten */
    const hy_engine *engines[] = {&t_file};
    hy_pipeline_cfg pc = {
        .threads = 1, .tick_ns = SEC, .no_flows = true, .engines = engines, .n_engines = 1};
    hy_spool_cfg sc = {.dir = "/nonexistent/spool"};
    hy_pipeline *p;
    hy_spool *s;
    hy_files_stats fs = {.files = 9};
    hy_flow_cfg_default(&pc.flow);
    assert_int_equal(hy_pipeline_create(&pc, &p), HY_OK);
    assert_int_equal(hy_spool_create(&sc, &s), HY_OK);
    assert_int_equal(hy_pipeline_spool_scan(p, s, &fs, NULL), HY_ERR_NOTFOUND);
    assert_non_null(strstr(hy_err_detail(), "/nonexistent/spool"));
    assert_int_equal(fs.files, 0);
    hy_spool_destroy(s);
    hy_pipeline_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settle_and_once),
        cmocka_unit_test(test_per_scan_and_cap),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_scan_into_pipeline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
