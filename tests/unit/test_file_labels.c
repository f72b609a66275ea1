/* Family labels by hash (lib/file/labels.c): the accepted forms (tab,
 * comma, blanks, any case, CRLF, comments), lookup order, duplicates, and
 * every refusal naming its line. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "hayate/labels.h"

#define SHA1 "0058780b175c3ce5e244f595951f611b8a24bee2"
#define MD5 "d41d8cd98f00b204e9800998ecf8427e"
#define SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static hy_labels *parse(const char *text, hy_err want)
{
    hy_labels *l = NULL;
    hy_err rc = hy_labels_parse("t.tsv", (const uint8_t *)text, strlen(text), &l);
    if (rc != want)
        fail_msg("parse: %d (%s), wanted %d", rc, hy_err_detail(), want);
    return l;
}

static void test_forms(void **st)
{
    (void)st;
    hy_labels *l = parse("# sha1\tfamily\n" SHA1 "\tCASINO\r\n"
                         "\n" MD5 ",  mirai v2  \n" "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 gafgyt\n"
                         SHA1 "\tOTHER\n",
                         HY_OK);
    assert_int_equal(hy_labels_count(l), 3);
    assert_int_equal(hy_labels_duplicates(l), 1);
    assert_string_equal(hy_labels_find(l, NULL, SHA1, NULL), "CASINO"); /* the first kept */
    assert_string_equal(hy_labels_find(l, MD5, NULL, NULL), "mirai v2");
    assert_string_equal(hy_labels_find(l, MD5, SHA1, SHA256), "gafgyt"); /* SHA-256 first */
    assert_string_equal(hy_labels_find(l, MD5, SHA1, NULL), "CASINO");
    assert_null(hy_labels_find(l, "00", NULL, NULL));
    assert_null(hy_labels_find(NULL, MD5, NULL, NULL));
    hy_labels_free(l);
    l = parse("", HY_OK);
    assert_int_equal(hy_labels_count(l), 0);
    hy_labels_free(l);
}

static void test_refusals(void **st)
{
    static const struct {
        const char *text, *what;
        hy_err rc;
    } bad[] = {
        {"abc\tfam\n", "line 1: expected an MD5", HY_ERR_FORMAT},
        {SHA1 "\n", "line 1: expected", HY_ERR_FORMAT},
        {"# c\n" SHA1 "x\tfam\n", "line 2: expected", HY_ERR_FORMAT},
        {SHA1 "\t \n", "line 1: the family must be 1 to 64", HY_ERR_FORMAT},
        {SHA1 "\t" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
         "the family must be 1 to 64", HY_ERR_FORMAT},
        {SHA1 "\tfa\001m\n", "printable ASCII", HY_ERR_FORMAT},
        {SHA1 "\tf\xc3\xa9\n", "printable ASCII", HY_ERR_FORMAT},
    };
    hy_labels *l;
    (void)st;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        l = parse(bad[i].text, bad[i].rc);
        assert_null(l);
        if (!strstr(hy_err_detail(), bad[i].what) || !strstr(hy_err_detail(), "t.tsv"))
            fail_msg("case %zu: '%s'", i, hy_err_detail());
    }
    static char big[HY_LABEL_MAX_LINE + 100];
    memset(big, 'a', sizeof big - 1);
    assert_null(parse(big, HY_ERR_TOOBIG));
    assert_non_null(strstr(hy_err_detail(), "line 1"));
    assert_int_not_equal(hy_labels_load("/nonexistent/labels.tsv", &l), HY_OK);
    assert_non_null(strstr(hy_err_detail(), "/nonexistent/labels.tsv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
