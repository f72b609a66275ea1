/* Documents of any kind (lib/text/doc.c): sniffing the kind from the bytes
 * and the name, plain text made valid UTF-8 (bad sequences, NULs, a BOM),
 * dispatch to the HTML reader, the caps and the arguments. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/text.h"

#define FFFD "\xef\xbf\xbd"

static hy_text_kind sniff(const char *s, const char *name)
{
    return hy_text_sniff((const uint8_t *)s, strlen(s), name);
}

static void test_sniff(void **st)
{
    (void)st;
    assert_int_equal(sniff("%PDF-1.7\n...", NULL), HY_TEXT_PDF);
    assert_int_equal(sniff("%PDF-1.7", "notes.txt"), HY_TEXT_PDF); /* bytes beat the name */
    assert_int_equal(sniff(" %PDF-1.7", NULL), HY_TEXT_PLAIN);     /* only at offset 0 */
    assert_int_equal(sniff("%PDF", NULL), HY_TEXT_PLAIN);
    assert_int_equal(sniff("<!DOCTYPE html><p>x", NULL), HY_TEXT_HTML);
    assert_int_equal(sniff("<!doctype HTML>", NULL), HY_TEXT_HTML);
    assert_int_equal(sniff("\n\t  <HTML lang=en>", NULL), HY_TEXT_HTML);
    assert_int_equal(sniff("<html>", NULL), HY_TEXT_HTML);
    assert_int_equal(sniff("<html", NULL), HY_TEXT_HTML);
    assert_int_equal(sniff("<head><title>", NULL), HY_TEXT_HTML);
    assert_int_equal(sniff("<Body>", NULL), HY_TEXT_HTML);
    assert_int_equal(sniff("\xef\xbb\xbf<html>", NULL), HY_TEXT_HTML);
    assert_int_equal(sniff("<!-- saved from url=(0014)about:internet -->\r\n<html>", NULL),
                     HY_TEXT_HTML);
    assert_int_equal(sniff("<!-- unclosed comment <html>", NULL), HY_TEXT_PLAIN);
    assert_int_equal(
        sniff("<?xml version=\"1.0\"?>\n<!-- c --><!DOCTYPE html PUBLIC \"-//W3C\">", NULL),
        HY_TEXT_HTML);
    assert_int_equal(sniff("<?xml version=\"1.0\"?><data/>", NULL), HY_TEXT_PLAIN);
    assert_int_equal(sniff("<htmlx>", NULL), HY_TEXT_PLAIN);
    assert_int_equal(sniff("<p>just a paragraph</p>", NULL), HY_TEXT_PLAIN);
    assert_int_equal(sniff("text that mentions <html> later", NULL), HY_TEXT_PLAIN);
    assert_int_equal(sniff("", NULL), HY_TEXT_PLAIN);
    assert_int_equal(hy_text_sniff(NULL, 10, "x.pdf"), HY_TEXT_PDF);
    /* the name decides when the bytes do not */
    assert_int_equal(sniff("<p>x</p>", "report.HTML"), HY_TEXT_HTML);
    assert_int_equal(sniff("<p>x</p>", "dir/report.htm"), HY_TEXT_HTML);
    assert_int_equal(sniff("junk", "/tmp/a.b/report.Pdf"), HY_TEXT_PDF);
    assert_int_equal(sniff("junk", "/tmp/a.pdf/report"), HY_TEXT_PLAIN);
    assert_int_equal(sniff("junk", "report.pdf.txt"), HY_TEXT_PLAIN);
    assert_int_equal(sniff("junk", "pdf"), HY_TEXT_PLAIN);
    /* a comment longer than the sniffing window hides the tag */
    char big[2100] = "<!--";
    memset(big + 4, 'x', 2000);
    strcpy(big + 2004, "--><html>");
    assert_int_equal(sniff(big, NULL), HY_TEXT_PLAIN);
}

/* hy_text_from_doc on n bytes of s; checks the code; caller frees. */
static char *doc(const char *name, const char *s, size_t n, hy_err want)
{
    hy_buf out;
    hy_buf_init(&out, HY_TEXT_MAX_OUTPUT);
    hy_err rc = hy_text_from_doc(name, (const uint8_t *)s, n, &out);
    if (rc != want)
        fail_msg("doc: %s (%s), wanted %s", hy_err_str(rc), hy_err_detail(), hy_err_str(want));
    char *t = hy_buf_take(&out, NULL);
    return t ? t : strdup("");
}

static void expect_plain(const char *s, size_t n, const char *want)
{
    char *t = doc("t.txt", s, n, HY_OK);
    if (strcmp(t, want) != 0)
        fail_msg("got [%s] want [%s]", t, want);
    free(t);
}

static void test_plain(void **st)
{
    (void)st;
    expect_plain("plain ascii\nlines\r\n", 19, "plain ascii\nlines\r\n");
    expect_plain("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
                 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    expect_plain("\357\273\277bom", 6, "bom");
    expect_plain("a\357\273\277b", 5, "a\357\273\277b"); /* only a leading BOM goes */
    expect_plain("a\0b", 3, "a" FFFD "b");
    expect_plain("\xff", 1, FFFD);
    expect_plain("a\x80\x80z", 4, "a" FFFD FFFD "z");         /* stray continuations */
    expect_plain("\xc0\xaf", 2, FFFD FFFD);                   /* overlong */
    expect_plain("\xe0\x80\xaf", 3, FFFD FFFD FFFD);          /* overlong, 3 bytes */
    expect_plain("\xed\xa0\x80", 3, FFFD FFFD FFFD);          /* a surrogate */
    expect_plain("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD); /* past U+10FFFF */
    expect_plain("\xe2\x82", 2, FFFD);                        /* truncated at the end */
    expect_plain("\xe2\x82x", 3, FFFD "x");                   /* one U+FFFD per maximal part */
    expect_plain("\xf0\x9f\x98", 3, FFFD);
    expect_plain("", 0, "");
    /* Latin-1 text is not guessed at: each high byte is replaced */
    expect_plain("na\xefve", 5, "na" FFFD "ve");
}

static void test_dispatch(void **st)
{
    (void)st;
    const char *h = "<html><body><script>x()</script><p>para &amp; text</p></body></html>";
    char *t = doc("page.txt", h, strlen(h), HY_OK);
    assert_string_equal(t, "para & text\n");
    free(t);
    /* by name */
    h = "<p>named &lt;b&gt;</p>";
    t = doc("page.html", h, strlen(h), HY_OK);
    assert_string_equal(t, "named <b>\n");
    free(t);
    t = doc(NULL, h, strlen(h), HY_OK); /* plain: kept as written */
    assert_string_equal(t, h);
    free(t);
    /* a .pdf name on bytes poppler cannot read */
    t = doc("fake.pdf", "not really", 10, HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "fake.pdf"));
    free(t);
}

static void test_caps(void **st)
{
    (void)st;
    hy_buf out;
    hy_buf_init(&out, 1 << 20);
    assert_int_equal(hy_text_from_doc("a", NULL, 1, &out), HY_ERR_ARG);
    assert_int_equal(hy_text_from_doc("a", (const uint8_t *)"x", 1, NULL), HY_ERR_ARG);
    assert_int_equal(hy_text_from_doc("a", NULL, 0, &out), HY_OK);
    assert_int_equal(out.len, 0);
    assert_int_equal(
        hy_text_from_doc("huge.txt", (const uint8_t *)"x", (size_t)HY_TEXT_MAX_INPUT + 1, &out),
        HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "huge.txt"));
    /* the buffer's cap: TOOBIG and out as it was */
    assert_int_equal(hy_buf_adds(&out, "keep"), HY_OK);
    out.cap = 10;
    assert_int_equal(hy_text_from_doc("t.txt", (const uint8_t *)"0123456789", 10, &out),
                     HY_ERR_TOOBIG);
    assert_string_equal(out.data, "keep");
    assert_int_equal(out.len, 4);
    hy_buf_free(&out);

    /* replacement triples the size: past HY_TEXT_MAX_OUTPUT is TOOBIG */
    size_t n = HY_TEXT_MAX_OUTPUT / 3 + 1;
    char *bad = malloc(n);
    assert_non_null(bad);
    memset(bad, 0xff, n);
    hy_buf_init(&out, SIZE_MAX);
    assert_int_equal(hy_text_from_doc("ff.txt", (const uint8_t *)bad, n, &out), HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "ff.txt"));
    assert_int_equal(out.len, 0);
    /* one byte less fits exactly */
    assert_int_equal(hy_text_from_doc("ff.txt", (const uint8_t *)bad, n - 1, &out), HY_OK);
    assert_int_equal(out.len, 3 * (n - 1));
    assert_true(out.len <= HY_TEXT_MAX_OUTPUT);
    hy_buf_free(&out);
    free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
