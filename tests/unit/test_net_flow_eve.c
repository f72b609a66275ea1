/* EVE flow records of random flows with extreme values: every record
 * parses (jansson) and every field reads back as the flow's value, with the
 * optional members (ports, ICMP, VLAN, tcp, flag counts, community_id)
 * present exactly when they should be. The record is laid out by hand, not
 * by the JSON writer, so this is its check against the writer's rules. */
#include "testutil.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "hayate/flow.h"
#include "hayate/json.h"

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A value of up to 63 bits (jansson reads integers as int64), often an
 * extreme one. */
static uint64_t wild(uint64_t *s)
{
    switch (rng(s) % 5) {
    case 0:
        return 0;
    case 1:
        return (uint64_t)INT64_MAX;
    case 2:
        return rng(s) % 1000;
    default:
        return rng(s) >> (1 + rng(s) % 63);
    }
}

static double wild_double(uint64_t *s)
{
    switch (rng(s) % 4) {
    case 0:
        return 0;
    case 1:
        return 1e300; /* past fixed formatting: the shortest round trip */
    default:
        return (double)(rng(s) >> 20) / 7.0;
    }
}

static void random_flow(uint64_t *s, hy_flow *f)
{
    static const uint8_t protos[] = {1, 6, 17, 58, 132, 47, 0, 255};
    memset(f, 0, sizeof *f);
    f->ip_version = rng(s) & 1 ? 4 : 6;
    f->proto = protos[rng(s) % sizeof protos];
    f->vlan = rng(s) & 1 ? (uint16_t)(rng(s) % 4096) : 0;
    for (int i = 0; i < 16; i++) {
        f->src[i] = (uint8_t)rng(s);
        f->dst[i] = (uint8_t)rng(s);
    }
    f->sport = (uint16_t)rng(s);
    f->dport = (uint16_t)rng(s);
    if (f->proto == 1 || f->proto == 58) {
        f->sport = (uint8_t)f->sport;
        f->dport = (uint8_t)f->dport;
    }
    f->first_seq = wild(s);
    f->first_ns = rng(s) % (4102444800ull * 1000000000ull); /* before 2100 */
    f->last_ns = f->first_ns + (rng(s) & 1 ? 0 : rng(s) % (86400ull * 1000000000ull));
    for (int d = 0; d < 2; d++) {
        hy_flow_dir *fd = &f->dir[d];
        fd->pkts = rng(s) & 3 ? wild(s) : 0;
        fd->bytes = wild(s);
        fd->payload_bytes = wild(s);
        fd->len_min = (uint32_t)rng(s);
        fd->len_max = (uint32_t)rng(s);
        fd->len_sum = wild_double(s);
        fd->len_sumsq = wild_double(s);
        fd->tcp_flags = (uint8_t)rng(s);
    }
    f->iat_n = rng(s) & 3 ? wild(s) : 0;
    f->iat_min = rng(s) % 1000000000000ull;
    f->iat_max = rng(s) % 1000000000000ull;
    f->iat_sum = wild_double(s);
    f->iat_sumsq = wild_double(s);
    f->tcp_state = (hy_tcp_state)(rng(s) % 7);
    for (int b = 0; b < 8; b++)
        f->flag_count[b] = (uint32_t)rng(s);
    f->first_payload_n = (uint8_t)(rng(s) % (HY_FLOW_FIRST_PAYLOADS + 1));
    for (int i = 0; i < HY_FLOW_FIRST_PAYLOADS; i++)
        f->first_payloads[i] = i == 0 && rng(s) % 4 == 0 ? INT32_MIN : (int32_t)rng(s);
    f->end = (hy_flow_end)(rng(s) % 5);
    if (rng(s) & 1)
        hy_community_id(0, f->ip_version, f->proto, f->src, f->dst, f->sport, f->dport,
                        f->community_id);
}

static json_t *get(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        fail_msg("member %s missing", key);
    return v;
}

static void int_is(json_t *o, const char *key, int64_t want)
{
    json_t *v = get(o, key);
    assert_true(json_is_integer(v));
    if (json_integer_value(v) != want)
        fail_msg("%s: %" PRId64 " != %" PRId64, key, (int64_t)json_integer_value(v), want);
}

static void str_is(json_t *o, const char *key, const char *want)
{
    json_t *v = get(o, key);
    assert_true(json_is_string(v));
    assert_string_equal(json_string_value(v), want);
}

/* A fixed-point value: within half a unit of its last place, or exactly the
 * double when it was too big for fixed places. */
static void fixed_is(json_t *o, const char *key, double want, int decimals)
{
    json_t *v = get(o, key);
    double got = json_number_value(v), tol = 0.5 * pow(10, -decimals) + 1e-15 * fabs(want);
    assert_true(json_is_number(v));
    if (fabs(want) * pow(10, decimals) >= 9e15)
        tol = 0;
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: %.17g != %.17g", key, got, want);
}

static void stats_are(json_t *o, uint64_t n, double min, double max, double sum, double sumsq,
                      double scale, int decimals)
{
    double mean = n ? sum / (double)n : 0, var = n ? sumsq / (double)n - mean * mean : 0;
    assert_true(json_is_object(o));
    assert_int_equal(json_object_size(o), 4);
    fixed_is(o, "min", n ? min / scale : 0, decimals);
    fixed_is(o, "mean", mean / scale, decimals);
    fixed_is(o, "max", n ? max / scale : 0, decimals);
    fixed_is(o, "std", var > 0 ? sqrt(var) / scale : 0, decimals);
}

static void check_endpoints(json_t *o, const hy_flow *f)
{
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    int af = f->ip_version == 4 ? AF_INET : AF_INET6;
    bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;
    assert_non_null(inet_ntop(af, f->src, a, sizeof a));
    assert_non_null(inet_ntop(af, f->dst, b, sizeof b));
    str_is(o, "src_ip", a);
    str_is(o, "dest_ip", b);
    assert_int_equal(json_object_get(o, "src_port") != NULL, ports);
    assert_int_equal(json_object_get(o, "dest_port") != NULL, ports);
    if (ports) {
        int_is(o, "src_port", f->sport);
        int_is(o, "dest_port", f->dport);
    }
    assert_int_equal(json_object_get(o, "icmp_type") != NULL, f->proto == 1 || f->proto == 58);
    assert_int_equal(json_object_get(o, "vlan") != NULL, f->vlan != 0);
    if (f->vlan)
        assert_int_equal(json_integer_value(json_array_get(get(o, "vlan"), 0)), f->vlan);
}

static void check_tcp(json_t *o, const hy_flow *f)
{
    static const char *const names[8] = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"};
    uint8_t ts = f->dir[0].tcp_flags, tc = f->dir[1].tcp_flags, all = ts | tc;
    char hex[3];
    json_t *t = json_object_get(o, "tcp"), *fc = json_object_get(get(o, "hayate"), "flag_counts");
    assert_int_equal(t != NULL, f->proto == 6);
    assert_int_equal(fc != NULL, f->proto == 6);
    if (f->proto != 6)
        return;
    snprintf(hex, sizeof hex, "%02x", all);
    str_is(t, "tcp_flags", hex);
    snprintf(hex, sizeof hex, "%02x", ts);
    str_is(t, "tcp_flags_ts", hex);
    snprintf(hex, sizeof hex, "%02x", tc);
    str_is(t, "tcp_flags_tc", hex);
    for (int b = 0; b < 5; b++)
        assert_int_equal(json_is_true(get(t, names[b])), (all >> b) & 1);
    assert_int_equal(json_object_get(t, "urg") != NULL, (all & HY_TCP_URG) != 0);
    assert_int_equal(json_object_get(t, "ecn") != NULL, (all & HY_TCP_ECE) != 0);
    assert_int_equal(json_object_get(t, "cwr") != NULL, (all & HY_TCP_CWR) != 0);
    for (int b = 0; b < 8; b++)
        int_is(fc, names[b], f->flag_count[b]);
}

static void check_record(const hy_flow *f, const char *text)
{
    json_error_t je;
    char t[32];
    json_t *o = json_loads(text, 0, &je), *fl, *hy, *fp;
    if (!o)
        fail_msg("bad JSON (%s at %d): %s", je.text, je.position, text);
    hy_time_format(f->first_ns, t);
    str_is(o, "timestamp", t);
    int_is(o, "flow_id", (int64_t)f->first_seq);
    str_is(o, "event_type", "flow");
    check_endpoints(o, f);
    assert_int_equal(json_object_get(o, "community_id") != NULL, f->community_id[0] != 0);
    if (f->community_id[0])
        str_is(o, "community_id", f->community_id);
    fl = get(o, "flow");
    int_is(fl, "pkts_toserver", (int64_t)f->dir[0].pkts);
    int_is(fl, "pkts_toclient", (int64_t)f->dir[1].pkts);
    int_is(fl, "bytes_toserver", (int64_t)f->dir[0].bytes);
    int_is(fl, "bytes_toclient", (int64_t)f->dir[1].bytes);
    str_is(fl, "start", t);
    hy_time_format(f->last_ns, t);
    str_is(fl, "end", t);
    int_is(fl, "age", (int64_t)(f->last_ns / 1000000000u - f->first_ns / 1000000000u));
    check_tcp(o, f);
    hy = get(o, "hayate");
    int_is(hy, "payload_bytes_toserver", (int64_t)f->dir[0].payload_bytes);
    int_is(hy, "payload_bytes_toclient", (int64_t)f->dir[1].payload_bytes);
    fixed_is(hy, "duration", (double)(f->last_ns - f->first_ns) / 1e9, 9);
    stats_are(get(hy, "len_toserver"), f->dir[0].pkts, f->dir[0].len_min, f->dir[0].len_max,
              f->dir[0].len_sum, f->dir[0].len_sumsq, 1.0, 3);
    stats_are(get(hy, "len_toclient"), f->dir[1].pkts, f->dir[1].len_min, f->dir[1].len_max,
              f->dir[1].len_sum, f->dir[1].len_sumsq, 1.0, 3);
    stats_are(get(hy, "iat"), f->iat_n, (double)f->iat_min, (double)f->iat_max, f->iat_sum,
              f->iat_sumsq, 1e9, 9);
    fp = get(hy, "first_payloads");
    assert_int_equal(json_array_size(fp), f->first_payload_n);
    for (size_t i = 0; i < json_array_size(fp); i++)
        assert_int_equal(json_integer_value(json_array_get(fp, i)), f->first_payloads[i]);
    json_decref(o);
}

static void test_random_records(void **state)
{
    uint64_t s = 0x243f6a8885a308d3ull;
    hy_flow f;
    hy_buf b;
    (void)state;
    hy_buf_init(&b, 1 << 20);
    for (int i = 0; i < 20000; i++) {
        random_flow(&s, &f);
        hy_buf_reset(&b);
        assert_int_equal(hy_buf_adds(&b, "x"), HY_OK); /* records append */
        assert_int_equal(hy_flow_to_eve(&f, &b), HY_OK);
        assert_int_equal(b.data[0], 'x');
        assert_null(strchr(b.data, '\n'));
        check_record(&f, b.data + 1);
    }
    hy_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
