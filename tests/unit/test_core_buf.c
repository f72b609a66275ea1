/* hy_buf: growth, the cap, NUL termination, printf, take. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "hayate/buf.h"

static void test_empty_and_add(void **state)
{
    hy_buf b;
    hy_buf_init(&b, 1024);
    assert_null(b.data);
    assert_int_equal(b.len, 0);

    assert_int_equal(hy_buf_add(&b, NULL, 0), HY_OK); /* zero bytes: still a C string */
    assert_non_null(b.data);
    assert_string_equal(b.data, "");

    assert_int_equal(hy_buf_adds(&b, "hello"), HY_OK);
    assert_int_equal(hy_buf_addc(&b, ' '), HY_OK);
    assert_int_equal(hy_buf_add(&b, "world!!", 5), HY_OK);
    assert_int_equal(b.len, 11);
    assert_string_equal(b.data, "hello world");
    assert_true(b.alloc > b.len);
    hy_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_growth_doubles(void **state)
{
    hy_buf b;
    size_t last = 0, grows = 0;
    hy_buf_init(&b, 1u << 20);
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(hy_buf_addc(&b, (char)('a' + i % 26)), HY_OK);
        if (b.alloc != last) {
            if (last)
                assert_int_equal(b.alloc, last * 2);
            last = b.alloc;
            grows++;
        }
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(b.len, 100000);
    assert_true(grows < 20); /* amortised: log2(100000/64) + 1 */
    for (size_t i = 0; i < b.len; i++)
        assert_int_equal(b.data[i], 'a' + (int)(i % 26));
    hy_buf_free(&b);
}

static void test_cap_leaves_buffer_unchanged(void **state)
{
    hy_buf b;
    hy_buf_init(&b, 10);
    assert_int_equal(hy_buf_adds(&b, "0123456"), HY_OK);
    char *before = b.data;
    size_t alloc = b.alloc;

    assert_int_equal(hy_buf_adds(&b, "7890"), HY_ERR_TOOBIG);
    assert_int_equal(b.len, 7);
    assert_ptr_equal(b.data, before);
    assert_int_equal(b.alloc, alloc);
    assert_string_equal(b.data, "0123456");
    assert_true(strstr(hy_err_detail(), "cap") != NULL);

    assert_int_equal(hy_buf_addf(&b, "%d", 1234), HY_ERR_TOOBIG);
    assert_string_equal(b.data, "0123456");
    assert_int_equal(hy_buf_add(&b, "x", SIZE_MAX), HY_ERR_TOOBIG); /* no overflow */

    /* exactly up to the cap is fine */
    assert_int_equal(hy_buf_adds(&b, "789"), HY_OK);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    assert_int_equal(hy_buf_addc(&b, 'x'), HY_ERR_TOOBIG);
    assert_int_equal(hy_buf_add(&b, NULL, 0), HY_OK);
    assert_true(b.alloc <= 11); /* never allocates beyond cap + NUL */
    hy_buf_free(&b);

    hy_buf_init(&b, 0); /* cap 0: only the empty string fits */
    assert_int_equal(hy_buf_addc(&b, 'x'), HY_ERR_TOOBIG);
    assert_null(b.data);
    hy_buf_free(&b);
}

static void test_addf(void **state)
{
    hy_buf b;
    char big[500];
    hy_buf_init(&b, 4096);
    assert_int_equal(hy_buf_addf(&b, "%s=%d;", "a", 1), HY_OK);
    assert_int_equal(hy_buf_addf(&b, "%05.1f|%x", 3.14159, 255u), HY_OK);
    assert_string_equal(b.data, "a=1;003.1|ff");
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(hy_buf_addf(&b, "[%s]", big), HY_OK); /* crosses growth */
    assert_int_equal(b.len, 12 + 2 + 499);
    assert_int_equal(b.data[13], 'z');
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    hy_buf_free(&b);
}

static void test_reset_and_take(void **state)
{
    hy_buf b;
    size_t len = 99;
    hy_buf_init(&b, 100);
    assert_null(hy_buf_take(&b, &len)); /* never held anything */
    assert_int_equal(len, 0);

    assert_int_equal(hy_buf_adds(&b, "abc"), HY_OK);
    size_t alloc = b.alloc;
    hy_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(b.alloc, alloc);
    assert_int_equal(hy_buf_adds(&b, "xyz"), HY_OK);

    char *p = hy_buf_take(&b, &len);
    assert_string_equal(p, "xyz");
    assert_int_equal(len, 3);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 100); /* reusable with the same cap */
    free(p);
    assert_int_equal(hy_buf_adds(&b, "again"), HY_OK);
    assert_string_equal(b.data, "again");
    hy_buf_free(&b);
    hy_buf_free(&b); /* idempotent */
}

static void test_binary_data(void **state)
{
    hy_buf b;
    const char bin[] = {'a', 0, 'b', 0};
    hy_buf_init(&b, 64);
    assert_int_equal(hy_buf_add(&b, bin, sizeof bin), HY_OK);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, bin, 4);
    assert_int_equal(b.data[4], '\0');
    hy_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_add),
        cmocka_unit_test(test_growth_doubles),
        cmocka_unit_test(test_cap_leaves_buffer_unchanged),
        cmocka_unit_test(test_addf),
        cmocka_unit_test(test_reset_and_take),
        cmocka_unit_test(test_binary_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
