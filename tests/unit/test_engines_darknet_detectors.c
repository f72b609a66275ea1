/* The darknet engine's slower-signal detectors on planted bins: the long
 * baseline catches a slow ramp the hour-long one follows up; persistent
 * sources count the sources that come back bin after bin, not the one-off
 * background or a sweep; Dark-NMF fires on a new synchronised group and
 * not on the steady group that was always there. */
#include <stdlib.h>
#include <string.h>

#include "engines/darknet/darknet_int.h"
#include "testutil.h"

#define MIN_NS 60000000000ull
#define DARK   0xc6120000u /* 198.18.0.0 */

/* Feeds counts[i] for bin i to the persistent series of a fresh detector;
 * returns the first bin that fired, or -1. */
static int first_persist_raised(const uint32_t *counts, int n, uint32_t long_min,
                                const uint32_t *raised, size_t nraised)
{
    dn_detect_cfg c = {.history_bins = 480, .recent_bins = 30, .z = 8, .min_sources = 10,
                       .min_ratio = 3, .new_port_k = 10, .max_ports = 100,
                       .long_min_bins = long_min, .raised = raised, .nraised = nraised,
                       .raise = 4};
    dn_detect *d;
    int fired = -1;
    assert_int_equal(dn_detect_create(&c, &d), HY_OK);
    for (int i = 0; i < n && fired < 0; i++) {
        dn_count one = {.proto = 6, .port = 7547, .n = counts[i]};
        dn_finding *f = NULL;
        size_t nf = 0;
        assert_int_equal(dn_detect_persist(d, 500 + (uint64_t)i, &one, counts[i] ? 1 : 0, &f, &nf),
                         HY_OK);
        if (nf) {
            fired = i;
            assert_true(f[0].persist);
            assert_false(f[0].change);
            assert_int_equal(f[0].persistent, counts[i]);
        }
        free(f);
    }
    dn_detect_destroy(d);
    return fired;
}

static int first_persist(const uint32_t *counts, int n, uint32_t long_min)
{
    return first_persist_raised(counts, n, long_min, NULL, 0);
}

/* A port analysts marked false positive needs raise x the change to fire;
 * other ports are unaffected. */
static void test_raised_port(void **state)
{
    (void)state;
    const uint32_t mine[] = {6u << 16 | 7547}, other[] = {6u << 16 | 23};
    uint32_t s[300];
    unsigned seed = 3;
    for (int i = 0; i < 300; i++)
        s[i] = 2 + (uint32_t)(rand_r(&seed) % 3) + (i >= 200 ? 38 : 0); /* x13 step */
    assert_int_equal(first_persist_raised(s, 300, 0, NULL, 0), 200);
    assert_int_equal(first_persist_raised(s, 300, 0, other, 1), 200);
    assert_int_equal(first_persist_raised(s, 300, 0, mine, 1), -1); /* z 21 < 4 x 8 */
    for (int i = 200; i < 300; i++)
        s[i] += 160; /* a far bigger step still fires */
    assert_int_equal(first_persist_raised(s, 300, 0, mine, 1), 200);
}

static void test_long_baseline_catches_a_slow_ramp(void **state)
{
    (void)state;
    uint32_t s[400];
    unsigned seed = 5;
    /* 150 bins around 3, then a ramp of 0.4 per bin on top */
    for (int i = 0; i < 400; i++)
        s[i] = 2 + (uint32_t)(rand_r(&seed) % 3) + (i > 150 ? (uint32_t)((i - 150) * 2 / 5) : 0);
    assert_int_equal(first_persist(s, 400, 0), -1); /* the hour's median follows it up */
    int at = first_persist(s, 400, 60);
    assert_true(at > 150 && at < 200);
    /* the same background without the ramp never fires */
    for (int i = 0; i < 400; i++)
        s[i] = 2 + (uint32_t)(rand_r(&seed) % 3);
    assert_int_equal(first_persist(s, 400, 60), -1);
}

static const dn_limits lim = {.exact_cap = 64, .max_sources = 100000, .max_ports = 10000,
                              .bin_ns = MIN_NS};

/* Adds one SYN from src to port in bin b (at second `sec` of it). */
static void syn_in(dn_bin *b, uint32_t src, uint16_t port, unsigned sec)
{
    hy_pkt p = hy_test_syn4(src, DARK | (src & 0xffff), port, 1, 2);
    p.ts_ns = b->index * MIN_NS + (uint64_t)sec * 1000000000ull;
    assert_int_equal(dn_bin_add(b, &lim, &p, DN_SCAN, 0), HY_OK);
}

/* Bin i: 200 one-off sources on tcp/23, 5 steady ones, a sweep of 20 ports,
 * and from bin 30 on, 40 bots on tcp/23. */
static dn_bin *bin_of(uint64_t i)
{
    dn_bin *b;
    assert_int_equal(dn_bin_create(i, &lim, &b), HY_OK);
    for (uint32_t k = 0; k < 200; k++)
        syn_in(b, 0x0a000000u + (uint32_t)i * 1000 + k, 23, k % 60);
    for (uint32_t k = 0; k < 5; k++)
        syn_in(b, 0x0b000000u + k, 23, 10);
    for (uint16_t q = 0; q < 20; q++)
        syn_in(b, 0x0c000001u, (uint16_t)(1000 + q), 20);
    for (uint32_t k = 0; i >= 30 && k < 40; k++)
        syn_in(b, 0x0d000000u + k, 23, 30);
    return b;
}

static uint32_t persistent_on(const dn_count *v, size_t n, uint16_t port)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].proto == 6 && v[i].port == port)
            return v[i].n;
    return 0;
}

static void test_persistent_sources(void **state)
{
    (void)state;
    dn_persist_cfg c = {.window = 10, .min_bins = 5, .max_pairs = 100000};
    dn_persist *p;
    assert_int_equal(dn_persist_create(&c, &p), HY_OK);
    for (uint64_t i = 0; i < 60; i++) {
        dn_bin *b = bin_of(i);
        dn_count *v = NULL;
        size_t n = 0;
        assert_int_equal(dn_persist_bin(p, b, &v, &n), HY_OK);
        uint32_t want = i < 4 ? 0 : i < 34 ? 5 : 45; /* seen in 5 bins: counted from the 5th */
        assert_int_equal(persistent_on(v, n, 23), want);
        for (uint16_t q = 0; q < 20; q++)
            assert_int_equal(persistent_on(v, n, (uint16_t)(1000 + q)), 0); /* a sweep */
        free(v);
        dn_bin_destroy(b);
    }
    dn_persist_destroy(p);
    /* a window longer than the mask, or a threshold above it, is refused */
    c.window = 33;
    assert_int_equal(dn_persist_create(&c, &p), HY_ERR_CONFIG);
    c.window = 10;
    c.min_bins = 11;
    assert_int_equal(dn_persist_create(&c, &p), HY_ERR_CONFIG);
}

/* Bin i for Dark-NMF: one-off background on assorted ports, 30 endemic bots
 * on tcp/23 every bin, and from bin `from` on 40 hosts on tcp/5555 that
 * scan in step: in even bins only. */
static dn_bin *nmf_bin(uint64_t i, uint64_t from)
{
    dn_bin *b;
    assert_int_equal(dn_bin_create(i, &lim, &b), HY_OK);
    for (uint32_t k = 0; k < 300; k++)
        syn_in(b, 0x0a000000u + (uint32_t)i * 1000 + k, (uint16_t)(80 + k % 7), k % 60);
    for (uint32_t k = 0; k < 30; k++)
        for (uint32_t r = 0; r < 1 + (k + i) % 3; r++)
            syn_in(b, 0x0b000000u + k, 23, r * 10);
    for (uint32_t k = 0; i >= from && i % 2 == 0 && k < 40; k++)
        for (uint32_t r = 0; r < 3; r++)
            syn_in(b, 0x0d000000u + k, 5555, r * 15);
    return b;
}

static void test_nmf_new_synchronised_group(void **state)
{
    (void)state;
    dn_nmf_cfg c = {.window_bins = 30, .step_bins = 10, .max_hosts = 200, .max_rank = 4,
                    .min_port_hosts = 20, .growth = 6, .min_history = 4, .max_sources = 100000};
    const uint64_t from = 100;
    dn_nmf *m;
    int on5555 = -1, on23 = 0;
    assert_int_equal(dn_nmf_create(&c, &m), HY_OK);
    for (uint64_t i = 0; i < 150; i++) {
        dn_bin *b = nmf_bin(i, from);
        dn_finding *f = NULL;
        size_t n = 0;
        assert_int_equal(dn_nmf_bin(m, b, &f, &n), HY_OK);
        for (size_t k = 0; k < n; k++) {
            assert_true(f[k].nmf);
            if (f[k].port == 5555 && on5555 < 0) {
                on5555 = (int)i;
                assert_true(f[k].nm.hosts >= 20 && f[k].nm.hosts <= 40);
                assert_true(f[k].nm.group >= f[k].nm.hosts);
            }
            on23 += f[k].port == 23;
        }
        free(f);
        dn_bin_destroy(b);
    }
    dn_nmf_destroy(m);
    assert_int_equal(on23, 0);                        /* the steady group is usual */
    assert_true(on5555 >= (int)from && on5555 < (int)from + 30); /* within a window */
    c.max_rank = 0;
    assert_int_equal(dn_nmf_create(&c, &m), HY_ERR_CONFIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_baseline_catches_a_slow_ramp),
        cmocka_unit_test(test_persistent_sources),
        cmocka_unit_test(test_raised_port),
        cmocka_unit_test(test_nmf_new_synchronised_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
