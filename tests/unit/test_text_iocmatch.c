/* hy_ioc_match: exact and CIDR address lookups (longest prefix), domains
 * with their parents, URLs with case-folded heads, hashes and JA3, report
 * ids kept per indicator, bad values refused, and the cap. */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "hayate/iocmatch.h"

static void ip4(const char *s, uint8_t a[4])
{
    assert_int_equal(inet_pton(AF_INET, s, a), 1);
}

static void test_ip_and_cidr(void **state)
{
    hy_ioc_match *m;
    hy_ioc_hit h;
    uint8_t a[4], a6[16];
    assert_int_equal(hy_ioc_match_create(0, &m), HY_OK);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_IPV4, "203.0.113.7", "report--a"), HY_OK);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_IPV4_CIDR, "198.51.100.77/24", "report--b"), HY_OK);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_IPV4_CIDR, "198.51.100.128/25", "report--c"), HY_OK);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_IPV6, "2001:db8::1", NULL), HY_OK);
    ip4("203.0.113.7", a);
    assert_true(hy_ioc_match_ip(m, 4, a, &h));
    assert_int_equal(h.type, HY_IOC_IPV4);
    assert_string_equal(h.reports[0], "report--a");
    ip4("203.0.113.8", a);
    assert_false(hy_ioc_match_ip(m, 4, a, &h));
    ip4("198.51.100.200", a); /* in both: the /25 wins */
    assert_true(hy_ioc_match_ip(m, 4, a, &h));
    assert_string_equal(h.value, "198.51.100.128/25");
    ip4("198.51.100.5", a);
    assert_true(hy_ioc_match_ip(m, 4, a, &h));
    assert_string_equal(h.reports[0], "report--b");
    ip4("198.51.101.5", a);
    assert_false(hy_ioc_match_ip(m, 4, a, NULL));
    assert_int_equal(inet_pton(AF_INET6, "2001:0db8:0:0::1", a6), 1);
    assert_true(hy_ioc_match_ip(m, 6, a6, &h));
    assert_int_equal(h.nreports, 0);
    assert_false(hy_ioc_match_ip(m, 5, a6, &h));
    assert_int_equal(hy_ioc_match_count(m), 4);
    hy_ioc_match_destroy(m);
}

static void test_domains(void **state)
{
    hy_ioc_match *m;
    hy_ioc_hit h;
    assert_int_equal(hy_ioc_match_create(0, &m), HY_OK);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_DOMAIN, "Evil.Example.", "r1"), HY_OK);
    assert_true(hy_ioc_match_domain(m, "evil.example", 12, &h));
    assert_true(hy_ioc_match_domain(m, "CDN.a.EVIL.example.", 19, &h));
    assert_string_equal(h.value, "Evil.Example.");
    assert_false(hy_ioc_match_domain(m, "notevil.example", 15, &h));
    assert_false(hy_ioc_match_domain(m, "example", 7, &h));
    assert_false(hy_ioc_match_domain(m, "", 0, &h));
    assert_false(hy_ioc_match_domain(m, ".", 1, &h));
    hy_ioc_match_destroy(m);
}

static void test_urls_hashes(void **state)
{
    hy_ioc_match *m;
    hy_ioc_hit h;
    const char *md5 = "D41D8CD98F00B204E9800998ECF8427E";
    assert_int_equal(hy_ioc_match_create(0, &m), HY_OK);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_URL, "HTTP://Evil.Example:8080/Path?q=A", "r"), HY_OK);
    assert_true(hy_ioc_match_url(m, "http://evil.example:8080/Path?q=A", &h));
    assert_false(hy_ioc_match_url(m, "http://evil.example:8080/path?q=A", &h)); /* path keeps case */
    assert_false(hy_ioc_match_url(m, "no scheme", &h));
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_MD5, md5, "r"), HY_OK);
    assert_true(hy_ioc_match_hash(m, "d41d8cd98f00b204e9800998ecf8427e", &h));
    assert_int_equal(h.type, HY_IOC_MD5);
    assert_false(hy_ioc_match_ja3(m, "d41d8cd98f00b204e9800998ecf8427e", &h)); /* another namespace */
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_JA3, "e7d705a3286e19ea42f587b344ee6865", "r"), HY_OK);
    assert_true(hy_ioc_match_ja3(m, "E7D705A3286E19EA42F587B344EE6865", &h));
    assert_false(hy_ioc_match_hash(m, "abc", &h));
    hy_ioc_match_destroy(m);
}

static void test_reports_and_refusals(void **state)
{
    hy_ioc_match *m;
    hy_ioc_hit h;
    uint8_t a[4];
    char id[16];
    assert_int_equal(hy_ioc_match_create(3, &m), HY_OK);
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "r%d", i % 5); /* r0 twice: counted once */
        assert_int_equal(hy_ioc_match_add(m, HY_IOC_IPV4, "192.0.2.1", id), HY_OK);
    }
    ip4("192.0.2.1", a);
    assert_true(hy_ioc_match_ip(m, 4, a, &h));
    assert_int_equal(h.nreports, 5);
    assert_string_equal(h.reports[3], "r3");
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_IPV4, "192.0.2.300", NULL), HY_ERR_FORMAT);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_IPV4_CIDR, "192.0.2.0/33", NULL), HY_ERR_FORMAT);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_IPV4_CIDR, "192.0.2.0/", NULL), HY_ERR_FORMAT);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_SHA1, "zz", NULL), HY_ERR_FORMAT);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_CVE, "CVE-2021-44228", NULL), HY_ERR_UNSUPPORTED);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_DOMAIN, "a.example", NULL), HY_OK);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_DOMAIN, "b.example", NULL), HY_OK);
    assert_int_equal(hy_ioc_match_add(m, HY_IOC_DOMAIN, "c.example", NULL), HY_ERR_TOOBIG);
    assert_int_equal(hy_ioc_match_count(m), 3);
    hy_ioc_match_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ip_and_cidr),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_urls_hashes),
        cmocka_unit_test(test_reports_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
