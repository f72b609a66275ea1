/* hy_follow: appends, partial lines, rename rotation, copytruncate, a file
 * that appears late or vanishes, from_start false, overlong lines, timeouts.
 * Real files in a temporary folder, poll_ms 10. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hayate/follow.h"

static void append(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

static void appends(const char *path, const char *s)
{
    append(path, s, strlen(s));
}

static hy_follow *follow(const char *path, bool from_start, size_t max_line)
{
    hy_follow_opts o = {.from_start = from_start, .max_line = max_line, .poll_ms = 10};
    hy_follow *f = NULL;
    assert_int_equal(hy_follow_create(path, &o, &f), HY_OK);
    assert_non_null(f);
    return f;
}

static void expect_line(hy_follow *f, const char *want)
{
    const char *line = NULL;
    size_t n = 0;
    hy_err rc = hy_follow_next(f, &line, &n, 2000);
    if (rc != HY_OK)
        fail_msg("wanted \"%s\", got %s (%s)", want, hy_err_str(rc), hy_err_detail());
    assert_int_equal(n, strlen(want));
    assert_memory_equal(line, want, n);
    assert_int_equal(line[n], '\0');
}

static void expect_again(hy_follow *f, int timeout_ms)
{
    const char *line = NULL;
    size_t n = 0;
    hy_err rc = hy_follow_next(f, &line, &n, timeout_ms);
    if (rc != HY_ERR_AGAIN)
        fail_msg("wanted again, got %s: \"%.*s\"", hy_err_str(rc), rc == HY_OK ? (int)n : 0,
                 rc == HY_OK ? line : "");
}

static hy_follow_stats stats(const hy_follow *f)
{
    hy_follow_stats st;
    hy_follow_stats_get(f, &st);
    return st;
}

static void test_appends_in_order(void **state)
{
    const char *p = hy_test_path("grow.log");
    char all[64 * 1000], want[32];
    size_t len = 0, pos = 0, step = 1;
    appends(p, "");
    hy_follow *f = follow(p, true, 0);
    expect_again(f, 0);
    for (int i = 0; i < 1000; i++)
        len += (size_t)snprintf(all + len, sizeof all - len, "line %d %s\n", i, i % 7 ? "" : "x");
    /* appends of growing odd sizes, most of them cut mid-line */
    int next = 0;
    while (pos < len) {
        size_t k = pos + step > len ? len - pos : step;
        append(p, all + pos, k);
        pos += k;
        step = step * 3 % 997 + 1;
        const char *line;
        size_t n;
        while (hy_follow_next(f, &line, &n, 0) == HY_OK) {
            snprintf(want, sizeof want, "line %d %s", next, next % 7 ? "" : "x");
            assert_int_equal(n, strlen(want));
            assert_memory_equal(line, want, n);
            next++;
        }
    }
    assert_int_equal(next, 1000);
    expect_again(f, 0);
    hy_follow_stats st = stats(f);
    assert_int_equal(st.lines, 1000);
    assert_int_equal(st.bytes, len);
    assert_int_equal(st.rotations + st.truncations + st.overlong, 0);
    hy_follow_destroy(f);
}

static void test_long_lines_across_chunks(void **state)
{
    const char *p = hy_test_path("long.log");
    size_t sz = 150000;
    char *big = malloc(sz + 1);
    assert_non_null(big);
    for (int i = 0; i < 4; i++) {
        memset(big, 'a' + i, sz);
        big[sz] = '\n';
        append(p, big, sz + 1);
    }
    hy_follow *f = follow(p, true, 0);
    for (int i = 0; i < 4; i++) {
        const char *line;
        size_t n;
        assert_int_equal(hy_follow_next(f, &line, &n, 2000), HY_OK);
        assert_int_equal(n, sz);
        assert_int_equal(line[0], 'a' + i);
        assert_int_equal(line[n - 1], 'a' + i);
        assert_null(memchr(line, 'a' + i + 1, n));
    }
    expect_again(f, 0);
    assert_int_equal(stats(f).overlong, 0);
    hy_follow_destroy(f);
    free(big);
}

static void test_partial_line_held(void **state)
{
    const char *p = hy_test_path("partial.log");
    appends(p, "hel");
    hy_follow *f = follow(p, true, 0);
    expect_again(f, 0);
    expect_again(f, 30);
    appends(p, "lo\nwor");
    expect_line(f, "hello");
    expect_again(f, 20);
    appends(p, "ld\n\n");
    expect_line(f, "world");
    expect_line(f, ""); /* an empty line is a line */
    expect_again(f, 0);
    assert_int_equal(stats(f).lines, 3);
    hy_follow_destroy(f);
}

static void test_rename_rotation(void **state)
{
    const char *p = hy_test_path("eve.json");
    const char *old = hy_test_path("eve.json.1");
    const char *old2 = hy_test_path("eve.json.2");
    appends(p, "a\nb\n");
    hy_follow *f = follow(p, true, 0);
    expect_line(f, "a");
    expect_line(f, "b");
    expect_again(f, 0);

    /* the writer keeps its descriptor across the rename, as Suricata does
     * until it is told to reopen */
    int w = open(p, O_WRONLY | O_APPEND);
    assert_true(w >= 0);
    assert_int_equal(write(w, "c\n", 2), 2);
    assert_int_equal(rename(p, old), 0);
    assert_int_equal(write(w, "d\ne", 3), 3); /* e is never terminated */
    assert_int_equal(close(w), 0);
    expect_line(f, "c");
    expect_line(f, "d");
    expect_again(f, 30); /* path gone, e held: no error */
    appends(p, "f\ng\n");
    expect_line(f, "e");
    expect_line(f, "f");
    expect_line(f, "g");
    expect_again(f, 30);
    assert_int_equal(stats(f).rotations, 1);

    /* a second rotation with the new file already present at the first poll */
    appends(p, "h\n");
    assert_int_equal(rename(p, old2), 0);
    appends(old2, "i\n");
    appends(p, "j\n");
    expect_line(f, "h");
    expect_line(f, "i");
    expect_line(f, "j");
    expect_again(f, 30);
    hy_follow_stats st = stats(f);
    assert_int_equal(st.rotations, 2);
    assert_int_equal(st.lines, 10);
    assert_int_equal(st.truncations, 0);
    hy_follow_destroy(f);
}

static void test_copytruncate(void **state)
{
    const char *p = hy_test_path("trunc.log");
    appends(p, "first line\nsecond line\n");
    hy_follow *f = follow(p, true, 0);
    expect_line(f, "first line");
    expect_line(f, "second line");
    expect_again(f, 0);
    int w = open(p, O_WRONLY | O_APPEND);
    assert_true(w >= 0);
    assert_int_equal(ftruncate(w, 0), 0);
    assert_int_equal(write(w, "c\n", 2), 2);
    assert_int_equal(close(w), 0);
    expect_line(f, "c");
    expect_again(f, 30);
    appends(p, "d\n");
    expect_line(f, "d");
    hy_follow_stats st = stats(f);
    assert_int_equal(st.truncations, 1);
    assert_int_equal(st.rotations, 0);
    assert_int_equal(st.lines, 4);
    hy_follow_destroy(f);
}

static void test_created_after_follower(void **state)
{
    const char *p = hy_test_path("late.log");
    hy_follow *f = follow(p, false, 0); /* from_start false: a new file is still read whole */
    expect_again(f, 0);
    expect_again(f, 30);
    appends(p, "x\ny\n");
    expect_line(f, "x");
    expect_line(f, "y");
    expect_again(f, 0);
    assert_int_equal(stats(f).rotations, 0);
    hy_follow_destroy(f);
}

static void test_path_vanishes(void **state)
{
    const char *p = hy_test_path("vanish.log");
    appends(p, "one\n");
    hy_follow *f = follow(p, true, 0);
    expect_line(f, "one");
    assert_int_equal(unlink(p), 0);
    for (int i = 0; i < 3; i++)
        expect_again(f, 25);
    appends(p, "two\n");
    expect_line(f, "two");
    assert_int_equal(stats(f).rotations, 1);
    hy_follow_destroy(f);
}

static void test_from_end_skips_existing(void **state)
{
    const char *p = hy_test_path("end.log");
    appends(p, "old1\nold2\npar");
    hy_follow *f = follow(p, false, 0);
    expect_again(f, 0);
    expect_again(f, 20);
    appends(p, "tial\nnew1\n");
    expect_line(f, "new1"); /* the cut line "partial" is dropped */
    appends(p, "new2\n");
    expect_line(f, "new2");
    expect_again(f, 0);
    hy_follow_stats st = stats(f);
    assert_int_equal(st.lines, 2);
    assert_int_equal(st.overlong, 0);
    hy_follow_destroy(f);

    hy_follow *g = NULL; /* default options read from the start */
    assert_int_equal(hy_follow_create(p, NULL, &g), HY_OK);
    expect_line(g, "old1");
    hy_follow_destroy(g);
}

static void test_overlong_skipped(void **state)
{
    const char *p = hy_test_path("overlong.log");
    char buf[64];
    hy_follow *f = follow(p, true, 16);
    memset(buf, 'x', 16);
    buf[16] = '\0';
    appends(p, "short\n");
    appends(p, buf);
    appends(p, "\n"); /* exactly max_line: kept */
    appends(p, buf);
    appends(p, "y\n"); /* one over: skipped */
    appends(p, "next\n");
    expect_line(f, "short");
    expect_line(f, buf);
    expect_line(f, "next");
    assert_int_equal(stats(f).overlong, 1);

    /* far longer than max_line and than one read chunk, written in parts */
    size_t part = 100000;
    char *big = malloc(part);
    assert_non_null(big);
    memset(big, 'z', part);
    for (int i = 0; i < 3; i++) {
        append(p, big, part);
        expect_again(f, 20);
    }
    appends(p, "tail\nafter\n");
    expect_line(f, "after");
    expect_again(f, 0);
    hy_follow_stats st = stats(f);
    assert_int_equal(st.overlong, 2);
    assert_int_equal(st.lines, 4);
    free(big);
    hy_follow_destroy(f);
}

static void test_timeout_returns_again(void **state)
{
    const char *p = hy_test_path("quiet.log");
    appends(p, "only\n");
    hy_follow *f = follow(p, true, 0);
    expect_line(f, "only");
    expect_again(f, 0);
    expect_again(f, 50);
    assert_int_equal(stats(f).lines, 1);
    hy_follow_destroy(f);
}

static void test_args_and_errors(void **state)
{
    hy_follow *f = NULL;
    hy_follow_opts big = {.max_line = HY_FOLLOW_MAX_LINE_CAP + 1};
    hy_follow_opts slow = {.poll_ms = HY_FOLLOW_POLL_MS_CAP + 1};
    const char *line;
    size_t n;
    assert_int_equal(hy_follow_create(NULL, NULL, &f), HY_ERR_ARG);
    assert_int_equal(hy_follow_create("", NULL, &f), HY_ERR_ARG);
    assert_int_equal(hy_follow_create(hy_test_path("a"), NULL, NULL), HY_ERR_ARG);
    assert_int_equal(hy_follow_create(hy_test_path("a"), &big, &f), HY_ERR_ARG);
    assert_int_equal(hy_follow_create(hy_test_path("a"), &slow, &f), HY_ERR_ARG);
    assert_null(f);
    assert_int_equal(hy_follow_create(hy_test_tmpdir(), NULL, &f), HY_ERR_IO);
    assert_null(f);
    assert_true(strstr(hy_err_detail(), "not a regular file") != NULL);

    /* the path turns up as a directory: a real error, not a wait */
    const char *d = hy_test_path("becomes_dir");
    f = follow(d, true, 0);
    assert_int_equal(hy_follow_next(f, &line, &n, -1), HY_ERR_ARG);
    assert_int_equal(hy_follow_next(f, NULL, &n, 0), HY_ERR_ARG);
    expect_again(f, 0);
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(hy_follow_next(f, &line, &n, 0), HY_ERR_IO);
    hy_follow_destroy(f);
    hy_follow_destroy(NULL);

    hy_follow_stats st = {.lines = 5};
    hy_follow_stats_get(NULL, &st);
    assert_int_equal(st.lines, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appends_in_order),
        cmocka_unit_test(test_long_lines_across_chunks),
        cmocka_unit_test(test_partial_line_held),
        cmocka_unit_test(test_rename_rotation),
        cmocka_unit_test(test_copytruncate),
        cmocka_unit_test(test_created_after_follower),
        cmocka_unit_test(test_path_vanishes),
        cmocka_unit_test(test_from_end_skips_existing),
        cmocka_unit_test(test_overlong_skipped),
        cmocka_unit_test(test_timeout_returns_again),
        cmocka_unit_test(test_args_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
