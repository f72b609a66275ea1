/* Sentence splitting (lib/text/sentence.c): where sentences end and where
 * they must not (indicators, versions, abbreviations), paragraphs, bullets,
 * pages, trimming, the coverage invariants on random text, and the caps. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/text.h"

/* Splits s and checks the sentences are exactly want[0..n). */
static void expect(const char *s, const char *const *want, size_t n)
{
    hy_span *v = NULL;
    size_t count = 0;

    assert_int_equal(hy_text_sentences(s, strlen(s), &v, &count), HY_OK);
    if (count != n) {
        for (size_t i = 0; i < count; i++)
            printf("  [%zu] \"%.*s\"\n", i, (int)(v[i].end - v[i].start), s + v[i].start);
        fail_msg("\"%s\": %zu sentences, want %zu", s, count, n);
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = v[i].end - v[i].start;
        if (len != strlen(want[i]) || memcmp(s + v[i].start, want[i], len))
            fail_msg("\"%s\": sentence %zu is \"%.*s\", want \"%s\"", s, i, (int)len,
                     s + v[i].start, want[i]);
    }
    free(v);
}

#define EXPECT(s, ...)                                                                             \
    do {                                                                                           \
        static const char *const w_[] = {__VA_ARGS__};                                             \
        expect(s, w_, sizeof w_ / sizeof w_[0]);                                                   \
    } while (0)

static void test_basic(void **state)
{
    (void)state;
    EXPECT("Hello world. This is a test.", "Hello world.", "This is a test.");
    EXPECT("Visit evil.com. Then run 1.2.3.4 now! Really? Yes.", "Visit evil.com.",
           "Then run 1.2.3.4 now!", "Really?", "Yes.");
    EXPECT("Wait... What happened?", "Wait...", "What happened?");
    EXPECT("No final stop", "No final stop");
    EXPECT("  Padded.   ", "Padded.");
}

/* Dots that do not end a sentence. */
static void test_no_break(void **state)
{
    (void)state;
    EXPECT("Log4j v2.15.0 was patched. It was not enough.", "Log4j v2.15.0 was patched.",
           "It was not enough.");
    EXPECT("See e.g. the U.S. Government report. Dr. Smith agreed.",
           "See e.g. the U.S. Government report.", "Dr. Smith agreed.");
    EXPECT("J. Smith wrote it. Fig. 3 shows the flow.", "J. Smith wrote it.",
           "Fig. 3 shows the flow.");
    EXPECT("The file was renamed. and later deleted.", "The file was renamed. and later deleted.");
    EXPECT("Contact evil[.]com or hxxp://bad.example/a.php. Next step.",
           "Contact evil[.]com or hxxp://bad.example/a.php.", "Next step.");
    EXPECT("The hash d41d8cd98f00b204e9800998ecf8427e.exe ran. Done.",
           "The hash d41d8cd98f00b204e9800998ecf8427e.exe ran.", "Done.");
}

static void test_quotes_and_brackets(void **state)
{
    (void)state;
    EXPECT("He said \"stop.\" Then he left.", "He said \"stop.\"", "Then he left.");
    EXPECT("(It was fast.) Then slow.", "(It was fast.)", "Then slow.");
    EXPECT("It is **done.** Next.", "It is **done.**", "Next.");
    EXPECT("She wrote \xE2\x80\x9Cyes.\xE2\x80\x9D Then left.",
           "She wrote \xE2\x80\x9Cyes.\xE2\x80\x9D", "Then left.");
}

static void test_paragraphs(void **state)
{
    (void)state;
    EXPECT("Title\n\nBody text here", "Title", "Body text here");
    EXPECT("Title\r\n  \r\nBody", "Title", "Body");
    EXPECT("IOCs:\n- evil.com\n- bad.net\n", "IOCs:", "- evil.com", "- bad.net");
    EXPECT("List\n\xE2\x80\xA2 one\n\xE2\x80\xA2 two", "List", "\xE2\x80\xA2 one",
           "\xE2\x80\xA2 two");
    EXPECT("The actor used\nthe loader.", "The actor used\nthe loader.");
    EXPECT("page one\fpage two", "page one", "page two");
    EXPECT("\xE6\x94\xBB\xE6\x92\x83\xE3\x80\x82\xE6\xAC\xA1",
           "\xE6\x94\xBB\xE6\x92\x83\xE3\x80\x82", "\xE6\xAC\xA1");
}

static void test_empty(void **state)
{
    hy_span *v = (hy_span *)state;
    size_t count = 7;
    (void)state;

    assert_int_equal(hy_text_sentences("", 0, &v, &count), HY_OK);
    assert_int_equal(count, 0);
    free(v);
    assert_int_equal(hy_text_sentences(" \n\t\r\f ", 6, &v, &count), HY_OK);
    assert_int_equal(count, 0);
    free(v);
    assert_int_equal(hy_text_sentences(NULL, 0, &v, &count), HY_OK);
    assert_int_equal(count, 0);
    free(v);
}

static void test_args_and_caps(void **state)
{
    hy_span *v = NULL;
    size_t count = 0, n = 4000001, len = 4 * n;
    char *big;
    (void)state;

    assert_int_equal(hy_text_sentences("x", 1, NULL, &count), HY_ERR_ARG);
    assert_int_equal(hy_text_sentences("x", 1, &v, NULL), HY_ERR_ARG);
    assert_int_equal(hy_text_sentences(NULL, 1, &v, &count), HY_ERR_ARG);
    assert_int_equal(hy_text_sentences("x", (size_t)HY_TEXT_MAX_INPUT + 1, &v, &count),
                     HY_ERR_TOOBIG);
    assert_null(v);
    big = malloc(len);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        memcpy(big + 4 * i, "Go. ", 4);
    assert_int_equal(hy_text_sentences(big, len, &v, &count), HY_ERR_TOOBIG);
    assert_null(v);
    assert_int_equal(hy_text_sentences(big, len - 4, &v, &count), HY_OK);
    assert_int_equal(count, n - 1);
    free(v);
    free(big);
}

/* On random text: sentences are in order, disjoint, non-empty, trimmed,
 * and cover every non-blank byte. */
static void test_invariants(void **state)
{
    static const char alpha[] = "abcXYZ .!?\n\n\f\"')e.g.U.S.1.2 \t-*";
    uint64_t rng = 0xD1B54A32D192ED03ull;
    char buf[2048];
    (void)state;

    for (int t = 0; t < 500; t++) {
        size_t n = 1 + t * 3 % sizeof buf, last = 0;
        hy_span *v = NULL;
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            buf[i] = alpha[rng % (sizeof alpha - 1)];
        }
        assert_int_equal(hy_text_sentences(buf, n, &v, &count), HY_OK);
        for (size_t i = 0; i < count; i++) {
            assert_true(v[i].start < v[i].end && v[i].end <= n && v[i].start >= last);
            assert_false(strchr(" \t\n\r\f\v", buf[v[i].start]));
            assert_false(strchr(" \t\n\r\f\v", buf[v[i].end - 1]));
            for (size_t k = last; k < v[i].start; k++)
                assert_true(strchr(" \t\n\r\f\v", buf[k]) != NULL);
            last = v[i].end;
        }
        for (size_t k = last; k < n; k++)
            assert_true(strchr(" \t\n\r\f\v", buf[k]) != NULL);
        free(v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_no_break),
        cmocka_unit_test(test_quotes_and_brackets),
        cmocka_unit_test(test_paragraphs),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_args_and_caps),
        cmocka_unit_test(test_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
