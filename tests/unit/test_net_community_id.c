/* Community ID v1: the published test vectors of the reference
 * implementation (pycommunityid), plus a cross-check against a hash input
 * built by hand here with an independent base64 encoder. */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "hayate/flow.h"

typedef struct vec {
    uint8_t proto;
    const char *src, *dst;
    uint16_t sport, dport;
    const char *seed0, *seed1;
} vec;

/* From pycommunityid's tests (seed 0 base64, seed 1 base64). */
static const vec vectors[] = {
    {6, "128.232.110.120", "66.35.250.204", 34855, 80,
     "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {6, "66.35.250.204", "128.232.110.120", 80, 34855,
     "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {6, "10.0.0.1", "10.0.0.2", 10, 11569,
     "1:SXBGMX1lBOwhhoDrZynfROxnhnM=", "1:HmBRGR+fUyXF4t8WEtal7Y0gEAo="},
    {17, "192.168.1.52", "8.8.8.8", 54585, 53,
     "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {17, "8.8.8.8", "192.168.1.52", 53, 54585,
     "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {132, "192.168.170.8", "192.168.170.56", 7, 80,
     "1:jQgCxbku+pNGw8WPbEc/TS/uTpQ=", "1:Y1/0jQg6e+I3ZwZZ9LP65DNbTXU="},
    {132, "192.168.170.56", "192.168.170.8", 80, 7,
     "1:jQgCxbku+pNGw8WPbEc/TS/uTpQ=", "1:Y1/0jQg6e+I3ZwZZ9LP65DNbTXU="},
    /* ICMP echo request and reply share the ID; type 0 ignores its code. */
    {1, "192.168.0.89", "192.168.0.1", 8, 0,
     "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    {1, "192.168.0.1", "192.168.0.89", 0, 8,
     "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    {1, "192.168.0.1", "192.168.0.89", 0, 20,
     "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    /* Type 20 is one-way: the code is hashed, so codes differ. */
    {1, "192.168.0.89", "192.168.0.1", 20, 0,
     "1:3o2RFccXzUgjl7zDpqmY7yJi8rI=", "1:lCXHHxavE1Vq3oX9NH5ladQg02o="},
    {1, "192.168.0.89", "192.168.0.1", 20, 1,
     "1:tz/fHIDUHs19NkixVVoOZywde+I=", "1:Ie3wmFyxiEyikbsbcO03d2nh+PM="},
    /* ICMPv6 neighbour solicitation / advertisement pair. */
    {58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    {58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0,
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    /* ICMPv6 time exceeded is one-way: direction matters. */
    {58, "3ffe:507:0:1:260:97ff:fe07:69ea", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
     "1:NdobDX8PQNJbAyfkWxhtL2Pqp5w=", "1:OlOWx9psIbBFi7lOCw/4MhlKR9M="},
    {58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:507:0:1:260:97ff:fe07:69ea", 3, 0,
     "1:/OGBt9BN1ofenrmSPWYicpij2Vc=", "1:Ij4ZxnC87/MXzhOjvH2vHu7LRmE="},
    /* A protocol without ports hashes the addresses only. */
    {46, "10.1.24.4", "10.1.12.1", 0, 0,
     "1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=", "1:BK3BVW3U2eemuwVQVN3zd/GULno="},
    {46, "10.1.12.1", "10.1.24.4", 0, 0,
     "1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=", "1:BK3BVW3U2eemuwVQVN3zd/GULno="},
};

static uint8_t parse_addr(const char *s, uint8_t a[16])
{
    memset(a, 0, 16);
    if (inet_pton(AF_INET, s, a) == 1)
        return 4;
    assert_int_equal(inet_pton(AF_INET6, s, a), 1);
    return 6;
}

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vec *v = &vectors[i];
        uint8_t s[16], d[16], ipv = parse_addr(v->src, s);
        char out[40];
        parse_addr(v->dst, d);
        hy_community_id(0, ipv, v->proto, s, d, v->sport, v->dport, out);
        if (strcmp(out, v->seed0) != 0)
            fail_msg("vector %zu seed 0: %s, want %s", i, out, v->seed0);
        hy_community_id(1, ipv, v->proto, s, d, v->sport, v->dport, out);
        if (strcmp(out, v->seed1) != 0)
            fail_msg("vector %zu seed 1: %s, want %s", i, out, v->seed1);
    }
}

/* Base64 written out here, independent of the library's encoder. */
static void b64(const uint8_t *in, size_t n, char *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = al[v >> 18 & 63];
        out[o++] = al[v >> 12 & 63];
        out[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? al[v & 63] : '=';
    }
    out[o] = '\0';
}

/* The TCP vector's hash input, byte by byte, against the published hex
 * digest and the library's string. */
static void test_hand_built_input(void **state)
{
    static const uint8_t in[] = {
        0x00, 0x00,           /* seed 0 */
        66,   35,   250, 204, /* smaller address first */
        128,  232,  110, 120, /* */
        6,    0,              /* proto, pad */
        0x00, 0x50,           /* 80 */
        0x88, 0x27,           /* 34855 */
    };
    static const uint8_t want[20] = {0x2d, 0x05, 0x3d, 0xa9, 0x99, 0x4a, 0xf8, 0x1e, 0x45, 0xdc,
                                     0xa0, 0xe6, 0x7a, 0xfe, 0xa6, 0xe4, 0xf3, 0x22, 0x6e, 0xb8};
    uint8_t dig[20], s[16], d[16];
    char enc[40], lib[40];

    (void)state;
    SHA1(in, sizeof in, dig);
    assert_memory_equal(dig, want, 20);
    b64(dig, 20, enc + 2);
    enc[0] = '1', enc[1] = ':';
    parse_addr("128.232.110.120", s);
    parse_addr("66.35.250.204", d);
    hy_community_id(0, 4, 6, s, d, 34855, 80, lib);
    assert_string_equal(lib, enc);
}

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The test's own reading of the spec for TCP/UDP: random tuples (with equal
 * addresses now and then, so the ports decide the order). */
static void test_random_cross_check(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;

    (void)state;
    for (int it = 0; it < 2000; it++) {
        uint8_t s[16] = {0}, d[16] = {0}, in[40], dig[20];
        uint8_t ipv = (rng_next(&x) & 1) ? 6 : 4, proto = (rng_next(&x) & 1) ? 6 : 17;
        size_t al = ipv == 6 ? 16 : 4, n = 0;
        uint16_t sp = (uint16_t)rng_next(&x), dp = (uint16_t)rng_next(&x);
        uint16_t seed = (it % 3 == 0) ? 0 : (uint16_t)rng_next(&x);
        char want[40], got[40];
        const uint8_t *lo, *hi;
        uint16_t plo, phi;
        int c;

        for (size_t i = 0; i < al; i++) {
            s[i] = (uint8_t)rng_next(&x);
            d[i] = (it % 5 == 0) ? s[i] : (uint8_t)rng_next(&x);
        }
        if (it % 7 == 0) /* only the last byte differs */
            memcpy(d, s, al), d[al - 1] ^= 1;
        c = memcmp(s, d, al);
        if (c < 0 || (c == 0 && sp < dp))
            lo = s, hi = d, plo = sp, phi = dp;
        else
            lo = d, hi = s, plo = dp, phi = sp;
        in[n++] = (uint8_t)(seed >> 8), in[n++] = (uint8_t)seed;
        memcpy(in + n, lo, al), n += al;
        memcpy(in + n, hi, al), n += al;
        in[n++] = proto, in[n++] = 0;
        in[n++] = (uint8_t)(plo >> 8), in[n++] = (uint8_t)plo;
        in[n++] = (uint8_t)(phi >> 8), in[n++] = (uint8_t)phi;
        assert_int_equal(n % 4, 0);
        SHA1(in, n, dig);
        want[0] = '1', want[1] = ':';
        b64(dig, 20, want + 2);
        hy_community_id(seed, ipv, proto, s, d, sp, dp, got);
        assert_string_equal(got, want);
        hy_community_id(seed, ipv, proto, d, s, dp, sp, got); /* direction-free */
        assert_string_equal(got, want);
        assert_int_equal(strlen(got), 30);
    }
}

static void test_seed_changes_id(void **state)
{
    uint8_t s[16], d[16];
    char a[40], b[40];

    (void)state;
    parse_addr("2001:db8::1", s);
    parse_addr("2001:db8::2", d);
    hy_community_id(0, 6, 6, s, d, 40000, 443, a);
    hy_community_id(1, 6, 6, s, d, 40000, 443, b);
    assert_string_not_equal(a, b);
    hy_community_id(1, 6, 6, d, s, 443, 40000, a);
    assert_string_equal(a, b);
    /* IPv6 echo request and reply: one ID. */
    hy_community_id(0, 6, 58, s, d, 128, 0, a);
    hy_community_id(0, 6, 58, d, s, 129, 0, b);
    assert_string_equal(a, b);
    /* Equal addresses: the ports order the endpoints. */
    hy_community_id(0, 6, 17, s, s, 5000, 53, a);
    hy_community_id(0, 6, 17, s, s, 53, 5000, b);
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_hand_built_input),
        cmocka_unit_test(test_random_cross_check),
        cmocka_unit_test(test_seed_changes_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
