/* Visible text of HTML (lib/text/html.c): dropped elements, lines from
 * blocks, whitespace, entities, links, encodings, the caps (nesting, tags of
 * many attributes, output size) and libxml2 kept quiet. */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlerror.h>

#include "core/utf8.h"
#include "hayate/text.h"

/* The text of src (n bytes), checking the return code; caller frees. */
static char *text_n(const char *src, size_t n, hy_err want)
{
    hy_buf out;
    hy_buf_init(&out, HY_TEXT_MAX_OUTPUT);
    hy_err rc = hy_text_from_html("t.html", (const uint8_t *)src, n, &out);
    if (rc != want)
        fail_msg("html: %s (%s), wanted %s", hy_err_str(rc), hy_err_detail(), hy_err_str(want));
    if (rc != HY_OK)
        assert_int_equal(out.len, 0);
    char *s = hy_buf_take(&out, NULL);
    return s ? s : strdup("");
}

static char *text(const char *src)
{
    return text_n(src, strlen(src), HY_OK);
}

static void expect(const char *src, const char *want)
{
    char *got = text(src);
    if (strcmp(got, want) != 0)
        fail_msg("for %s\n got [%s]\nwant [%s]", src, got, want);
    free(got);
}

static bool valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int k = hy_utf8_seq((const uint8_t *)s, n, i);
        if (k <= 0)
            return false;
        i += (size_t)k;
    }
    return true;
}

static void test_dropped(void **st)
{
    (void)st;
    char *t = text("<!DOCTYPE html><html><head><title>The Title</title>"
                   "<meta charset=utf-8><style>p { color: red }</style>"
                   "<script>var secret = 'script-text';</script><link rel=x href=y></head>"
                   "<body><!-- a comment --><p>visible</p>"
                   "<noscript>noscript-text</noscript><template>tpl-text</template>"
                   "<script type=text/javascript>document.write('x')</script>"
                   "<iframe src=a>iframe-text</iframe><style>.b{}</style>end</body></html>");
    assert_string_equal(t, "The Title\n\nvisible\n\nend\n");
    free(t);
    /* a script with markup inside stays out whole */
    expect("<p>a</p><script>if (a < b && c > d) { x = '<p>no</p>'; }</script><p>b</p>", "a\n\nb\n");
}

static void test_blocks(void **st)
{
    (void)st;
    expect("<h1>Head</h1><p>one</p><p>two</p>", "Head\n\none\n\ntwo\n");
    expect("<div>a</div><div>b<div>c</div>d</div>", "a\nb\nc\nd\n");
    expect("<ul><li>one</li><li>two</li></ul><section>s</section><article>a</article>",
           "one\ntwo\ns\na\n");
    expect("a<br>b<br><br>c<br><br><br><br>d", "a\nb\n\nc\n\nd\n");
    expect("<table><tr><th>h1</th><th>h2</th></tr><tr><td>1</td><td>2</td><td>3</td></tr>"
           "</table>after",
           "h1\th2\n1\t2\t3\nafter\n");
    expect("<blockquote>q</blockquote><address>addr</address><hr>x", "q\naddr\nx\n");
    expect("<span>in</span><b>line</b> <i>stays</i> <em>on</em><code>one</code> line",
           "inline stays onone line\n");
    expect("", "");
    expect("   \n\t ", "");
    expect("<p></p><div> </div>", "");
}

static void test_whitespace(void **st)
{
    (void)st;
    expect("<p>  many   blanks\n\tand\r\nlines  </p>", "many blanks and lines\n");
    expect("<p>a&nbsp;&nbsp;b\xc2\xa0 c</p>", "a b c\n");
    expect("<pre>  keep\n    this  </pre>after", "  keep\n    this  \nafter\n");
    expect("<p>before</p><pre>line1\n\nline3\n</pre><p>after</p>",
           "before\n\nline1\n\nline3\n\nafter\n");
    expect("<textarea>  a\n  b</textarea>", "  a\n  b\n");
    expect("x <b> y </b> z", "x y z\n");
}

static void test_entities(void **st)
{
    (void)st;
    expect("<p>a &amp; b &lt;tag&gt; &#x41;&#66; &quot;q&quot; &copy; &eacute;</p>",
           "a & b <tag> AB \"q\" \xc2\xa9 \xc3\xa9\n");
    expect("<p>&#x1F600; &#233;</p>", "\xf0\x9f\x98\x80 \xc3\xa9\n");
    /* unknown entities stay as written */
    expect("<p>&bogus; &amp;amp;</p>", "&bogus; &amp;\n");
    /* entities never make markup */
    expect("<p>&lt;script&gt;x&lt;/script&gt;</p>", "<script>x</script>\n");
}

static void test_links(void **st)
{
    (void)st;
    /* the link's text only: its href is never injected */
    char *t = text("<p>See <a href=\"http://evil.example/payload\">the report</a> and "
                   "<a href=\"http://shown.example/\">http://shown.example/</a>.</p>"
                   "<img src=\"http://img.example/x.png\" alt=\"alt-text\">");
    assert_string_equal(t, "See the report and http://shown.example/.\n");
    assert_null(strstr(t, "evil.example"));
    assert_null(strstr(t, "img.example"));
    free(t);
}

static void test_encodings(void **st)
{
    (void)st;
    /* a declared charset is honoured: windows-1252 curly quotes */
    expect("<html><head><meta charset=\"windows-1252\"></head><body><p>\x93q\x94 caf\xe9</p>",
           "\xe2\x80\x9cq\xe2\x80\x9d caf\xc3\xa9\n");
    /* undeclared UTF-8 is read as UTF-8 */
    expect("<p>caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d</p>",
           "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d\n");
    /* undeclared bytes that are not UTF-8 still give valid UTF-8 */
    char *t = text("<p>bad \xff\xfe\xc3 bytes \xe2\x82</p><p>good \xc3\xa9</p>");
    assert_true(valid_utf8(t, strlen(t)));
    assert_non_null(strstr(t, "bytes"));
    free(t);
    /* Shift_JIS read as declared */
    expect("<meta charset=\"shift_jis\"><p>\x82\xa0 ok</p>", "\xe3\x81\x82 ok\n");
    /* bytes invalid in the declared charset do not lose the rest */
    t = text(
        "<meta charset=\"shift_jis\"><p>\x82\xa0 ok \x82 \xff\xfe bad</p><p>after evil.com</p>");
    assert_true(valid_utf8(t, strlen(t)));
    assert_non_null(strstr(t, "bad\n\nafter evil.com\n"));
    free(t);
    /* a UTF-8 byte order mark is not text */
    expect("\xef\xbb\xbf<p>bom</p>", "bom\n");
    /* UTF-16LE with a byte order mark */
    static const char u16[] = "\xff\xfe<\0p\0>\0h\0i\0 \0\xe9\0<\0/\0p\0>\0";
    t = text_n(u16, sizeof u16 - 1, HY_OK);
    assert_string_equal(t, "hi \xc3\xa9\n");
    free(t);
    /* a NUL byte reads as a blank instead of ending the document */
    static const char nul[] = "<p>a\0b</p><p>after</p>";
    t = text_n(nul, sizeof nul - 1, HY_OK);
    assert_string_equal(t, "a b\n\nafter\n");
    free(t);
}

static void test_append_and_args(void **st)
{
    (void)st;
    hy_buf out;
    hy_buf_init(&out, 1 << 20);
    assert_int_equal(hy_buf_adds(&out, "prefix|"), HY_OK);
    assert_int_equal(hy_text_from_html(NULL, (const uint8_t *)"<p>x</p>", 8, &out), HY_OK);
    assert_string_equal(out.data, "prefix|x\n");
    assert_int_equal(hy_text_from_html("a", NULL, 1, &out), HY_ERR_ARG);
    assert_int_equal(hy_text_from_html("a", (const uint8_t *)"x", 1, NULL), HY_ERR_ARG);
    assert_int_equal(hy_text_from_html("a", NULL, 0, &out), HY_OK);
    /* the input cap is checked before the bytes are read */
    assert_int_equal(
        hy_text_from_html("huge.html", (const uint8_t *)"x", (size_t)HY_TEXT_MAX_INPUT + 1, &out),
        HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "huge.html"));
    assert_string_equal(out.data, "prefix|x\n");
    hy_buf_free(&out);

    /* output past the buffer's cap: TOOBIG, and out as it was */
    hy_buf_init(&out, 16);
    assert_int_equal(hy_buf_adds(&out, "keep"), HY_OK);
    const char *src = "<p>this text is longer than sixteen bytes</p>";
    assert_int_equal(hy_text_from_html("cap.html", (const uint8_t *)src, strlen(src), &out),
                     HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "cap.html"));
    assert_int_equal(out.len, 4);
    assert_string_equal(out.data, "keep");
    hy_buf_free(&out);
}

/* n copies of s, NUL-terminated. */
static char *repeat(const char *s, size_t n)
{
    size_t k = strlen(s);
    char *r = malloc(k * n + 1);
    assert_non_null(r);
    for (size_t i = 0; i < n; i++)
        memcpy(r + i * k, s, k);
    r[k * n] = '\0';
    return r;
}

static void test_caps(void **st)
{
    (void)st;
    /* nesting past libxml2's limit: refused, no crash */
    char *deep = repeat("<div><span>", 200000);
    char *t = text_n(deep, strlen(deep), HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "nested deeper"));
    free(t);
    free(deep);
    /* nesting within it is fine */
    char *ok = repeat("<div>", 100);
    ok = realloc(ok, strlen(ok) + 8);
    strcat(ok, "inside");
    expect(ok, "inside\n");
    free(ok);

    /* a tag of 300,000 attributes costs libxml2 quadratic time: refused */
    size_t natt = 300000;
    char *attrs = malloc(natt * 12 + 32);
    size_t len = (size_t)sprintf(attrs, "<p");
    for (size_t i = 0; i < natt; i++)
        len += (size_t)sprintf(attrs + len, " a%zu=1", i);
    len += (size_t)sprintf(attrs + len, ">text</p>");
    t = text_n(attrs, len, HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "attributes"));
    free(t);
    /* so are thousands of distinct ones followed by millions of repeats */
    len = (size_t)sprintf(attrs, "<p");
    for (size_t i = 0; i < 5000; i++)
        len += (size_t)sprintf(attrs + len, " a%zu", i);
    while (len < natt * 10)
        len += (size_t)sprintf(attrs + len, " a4999");
    len += (size_t)sprintf(attrs + len, ">text</p>");
    t = text_n(attrs, len, HY_ERR_TOOBIG);
    free(t);
    /* a few hundred attributes and some repeats are fine */
    len = (size_t)sprintf(attrs, "<p");
    for (size_t i = 0; i < 500; i++)
        len += (size_t)sprintf(attrs + len, " a%zu=\"v\" a0=x", i);
    len += (size_t)sprintf(attrs + len, ">text</p>");
    t = text_n(attrs, len, HY_OK);
    assert_string_equal(t, "text\n");
    free(t);
    free(attrs);

    /* a run of text over libxml2's 10 MB: refused rather than cut */
    char *run = repeat("abcdefghij", 1100000);
    t = text_n(run, strlen(run), HY_ERR_TOOBIG);
    free(t);
    free(run);
}

static void test_big(void **st)
{
    (void)st;
    /* 8 MB of ordinary markup: every paragraph comes through */
    size_t n = 100000;
    char *src = repeat("<div class=\"x\"><p>Report <b>text</b> about evil.com &amp; 1.2.3.4.</p>"
                       "<a href=\"http://x/\">link</a></div>\n",
                       n);
    char *t = text_n(src, strlen(src), HY_OK);
    static const char para[] = "Report text about evil.com & 1.2.3.4.\n\nlink\n";
    size_t lines = 0, len = strlen(t);
    for (const char *p = t; (p = memmem(p, len - (size_t)(p - t), para, sizeof para - 1));
         p += sizeof para - 1)
        lines++;
    assert_int_equal(lines, n);
    assert_true(valid_utf8(t, strlen(t)));
    free(t);
    free(src);
}

static int quiet_calls;

static void count_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
    quiet_calls++;
}

static void test_quiet(void **st)
{
    (void)st;
    static const char *const bad[] = {
        "<p <<<>>> </b></i></table><tr><td>\x80\xff &#xffffffff; &#0; <!-- unclosed",
        "<html><body><p>x</p></body></html></html><body><head><title>late</title>",
        "<?xml version=\"1.0\" encoding=\"nonexistent-charset\"?><p>a</p>",
        "<meta charset=\"nonexistent-charset\"><p>a</p>",
    };
    char path[300];
    snprintf(path, sizeof path, "%s/stderr.txt", hy_test_tmpdir());
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    int saved = dup(2);
    assert_true(saved >= 0);
    fflush(stderr);
    assert_int_equal(dup2(fileno(f), 2), 2);
    /* the caller's handler is untouched and never called by our parse */
    xmlSetGenericErrorFunc(NULL, count_generic);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        free(text(bad[i]));
    assert_ptr_equal(xmlGenericError, count_generic);
    xmlSetGenericErrorFunc(NULL, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(ftell(f), 0);
    fclose(f);
    assert_int_equal(quiet_calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dropped),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_append_and_args),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_big),
        cmocka_unit_test(test_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
