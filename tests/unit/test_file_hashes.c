/* Cryptographic hashes and entropy of file bytes. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "hayate/file.h"

static void test_known_digests(void **st)
{
    hy_file_hashes h;
    (void)st;
    assert_int_equal(hy_file_hashes_of((const uint8_t *)"abc", 3, &h), HY_OK);
    assert_string_equal(h.md5, "900150983cd24fb0d6963f7d28e17f72");
    assert_string_equal(h.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_string_equal(h.sha256,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(hy_file_hashes_of(NULL, 0, &h), HY_OK);
    assert_string_equal(h.md5, "d41d8cd98f00b204e9800998ecf8427e");
}

static void test_long_input_in_pieces(void **st)
{
    static uint8_t buf[200000];
    hy_file_hashes h;
    (void)st;
    memset(buf, 'a', sizeof buf);
    assert_int_equal(hy_file_hashes_of(buf, sizeof buf, &h), HY_OK);
    /* python3 -c "import hashlib; print(hashlib.sha1(b'a'*200000).hexdigest())" */
    assert_string_equal(h.sha1, "ec99adda39f462070e2c7ecbc8433e70dc9fb54c");
}

static void test_entropy(void **st)
{
    uint8_t all[256], same[64];
    (void)st;
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    memset(same, 7, sizeof same);
    assert_true(fabs(hy_entropy(all, sizeof all) - 8.0) < 1e-12);
    assert_true(hy_entropy(same, sizeof same) == 0.0);
    assert_true(fabs(hy_entropy((const uint8_t *)"ab", 2) - 1.0) < 1e-12);
    assert_true(hy_entropy(NULL, 0) == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_digests),
        cmocka_unit_test(test_long_input_in_pieces),
        cmocka_unit_test(test_entropy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
