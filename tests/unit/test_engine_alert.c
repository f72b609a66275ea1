/* hy_alert: validation, deterministic ULIDs, EVE output, ordering. */
#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/alert.h"
#include "hayate/buf.h"
#include "testutil.h"

#define T0 1704164645678901234ull /* 2024-01-02T03:04:05.678901234Z */

static hy_alert *mk(uint64_t t, const char *engine, const char *kind, const char *subject,
                    uint64_t disc)
{
    hy_alert *a = NULL;
    assert_int_equal(hy_alert_create(t, engine, kind, 2, 0.5, "a title", subject, disc, &a),
                     HY_OK);
    assert_non_null(a);
    return a;
}

static void test_ulid_known(void **st)
{
    /* From the ULID spec: ulid(1469918176385) -> 01ARYZ6S41TSV4RRFFQ69G5FAV. */
    const uint8_t rnd[10] = {0xd6, 0x76, 0x4c, 0x61, 0xef, 0xb9, 0x93, 0x02, 0xbd, 0x5b};
    const uint8_t zero[10] = {0}, ones[10] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                              0xff, 0xff, 0xff, 0xff, 0xff};
    char id[HY_ALERT_ID_LEN + 1];
    (void)st;
    hy_ulid_encode(1469918176385ull, rnd, id);
    assert_string_equal(id, "01ARYZ6S41TSV4RRFFQ69G5FAV");
    hy_ulid_encode(0, zero, id);
    assert_string_equal(id, "00000000000000000000000000");
    hy_ulid_encode((1ull << 48) - 1, ones, id);
    assert_string_equal(id, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    assert_int_equal(strlen(id), HY_ALERT_ID_LEN);
}

static void test_create_validates(void **st)
{
    hy_alert *a = (hy_alert *)0x1;
    char e32[33], k64[65];
    (void)st;
    memset(e32, 'e', 32), e32[32] = '\0';
    memset(k64, 'k', 64), k64[64] = '\0';
    assert_int_equal(hy_alert_create(T0, "x", "x.y", 1, 0, NULL, "s", 0, &a), HY_ERR_ARG);
    assert_null(a);
    assert_int_equal(hy_alert_create(T0, "x", "x.y", 1, 0, "t", NULL, 0, &a), HY_ERR_ARG);
    assert_int_equal(hy_alert_create(T0, NULL, "x.y", 1, 0, "t", "s", 0, &a), HY_ERR_ARG);
    assert_int_equal(hy_alert_create(T0, "", "x.y", 1, 0, "t", "s", 0, &a), HY_ERR_ARG);
    assert_int_equal(hy_alert_create(T0, "x", "x.y", 0, 0, "t", "s", 0, &a), HY_ERR_ARG);
    assert_int_equal(hy_alert_create(T0, "x", "x.y", 5, 0, "t", "s", 0, &a), HY_ERR_ARG);
    assert_int_equal(hy_alert_create(T0, "x", "x.y", 1, -0.01, "t", "s", 0, &a), HY_ERR_ARG);
    assert_int_equal(hy_alert_create(T0, "x", "x.y", 1, 1.01, "t", "s", 0, &a), HY_ERR_ARG);
    assert_int_equal(hy_alert_create(T0, "x", "x.y", 1, NAN, "t", "s", 0, &a), HY_ERR_ARG);
    assert_int_equal(hy_alert_create(T0, e32, "x.y", 1, 0, "t", "s", 0, &a), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), "engine"));
    assert_int_equal(hy_alert_create(T0, "x", k64, 1, 0, "t", "s", 0, &a), HY_ERR_ARG);
    assert_null(a);

    /* Longest names that fit, boundary scores and severities. */
    e32[31] = '\0';
    k64[63] = '\0';
    assert_int_equal(hy_alert_create(T0, e32, k64, 4, 1.0, "t", "", 0, &a), HY_OK);
    assert_string_equal(a->engine, e32);
    assert_string_equal(a->kind, k64);
    assert_string_equal(a->evidence, "{}");
    assert_null(a->attack);
    assert_string_equal(a->community_id, "");
    assert_int_equal(a->ip_version, 0);
    assert_int_equal(a->severity, 4);
    assert_true(a->score == 1.0);
    hy_alert_destroy(a);
    assert_int_equal(hy_alert_create(0, "x", "x.y", 1, 0.0, "t", "s", 0, &a), HY_OK);
    assert_memory_equal(a->id, "0000000000", 10);
    hy_alert_destroy(a);
    hy_alert_destroy(NULL);
}

static void test_id_deterministic(void **st)
{
    hy_alert *a = mk(T0, "darknet", "darknet.outbreak", "port 23/tcp", 7);
    hy_alert *b = mk(T0, "darknet", "darknet.outbreak", "port 23/tcp", 7);
    hy_alert *c = mk(T0, "darknet", "darknet.outbreak", "port 23/tcp", 8);
    hy_alert *d = mk(T0, "darknet", "darknet.outbreak", "port 22/tcp", 7);
    hy_alert *e = mk(T0 + 1000000, "darknet", "darknet.outbreak", "port 23/tcp", 7);
    (void)st;
    /* Known answers: SHA-256(u64be time | engine NUL | kind NUL | subject NUL |
     * u64be discriminator)[0..10) as the 80 bits, computed independently. */
    assert_string_equal(a->id, "01HK421PSEBWBKTXWPC2E8WJD8");
    assert_string_equal(c->id, "01HK421PSE91Q1ZDZ3PZGVAMM7");
    assert_string_equal(a->id, b->id);
    assert_string_not_equal(a->id, d->id);
    /* Same millisecond: same 10-char time prefix. */
    assert_memory_equal(a->id, d->id, 10);
    /* Later millisecond sorts after, whatever the random part. */
    assert_true(strcmp(a->id, e->id) < 0);
    assert_true(strcmp(c->id, e->id) < 0);
    assert_true(strcmp(d->id, e->id) < 0);
    hy_alert_destroy(a), hy_alert_destroy(b), hy_alert_destroy(c);
    hy_alert_destroy(d), hy_alert_destroy(e);
}

static void test_evidence_attack_dup(void **st)
{
    hy_alert *a = mk(T0, "tls", "tls.ja3.bad", "10.0.0.1", 0), *c = NULL;
    (void)st;
    assert_int_equal(hy_alert_set_evidence(a, " \n{\"hits\":3} \n"), HY_OK);
    assert_string_equal(a->evidence, "{\"hits\":3}");
    assert_int_equal(hy_alert_set_evidence(a, "[1]"), HY_ERR_ARG);
    assert_int_equal(hy_alert_set_evidence(a, ""), HY_ERR_ARG);
    assert_int_equal(hy_alert_set_evidence(a, "{"), HY_ERR_ARG);
    assert_int_equal(hy_alert_set_evidence(a, NULL), HY_ERR_ARG);
    assert_string_equal(a->evidence, "{\"hits\":3}"); /* unchanged on error */
    assert_int_equal(hy_alert_set_attack(a, "T1046,T1595.001"), HY_OK);
    assert_string_equal(a->attack, "T1046,T1595.001");
    assert_int_equal(hy_alert_set_attack(a, "T1046\",\"x"), HY_ERR_ARG);
    assert_string_equal(a->attack, "T1046,T1595.001");

    assert_int_equal(hy_alert_dup(a, &c), HY_OK);
    assert_ptr_not_equal(c->title, a->title);
    assert_ptr_not_equal(c->evidence, a->evidence);
    assert_ptr_not_equal(c->attack, a->attack);
    assert_string_equal(c->id, a->id);
    assert_string_equal(c->evidence, a->evidence);
    assert_string_equal(c->attack, a->attack);
    assert_int_equal(hy_alert_cmp(a, c), 0);
    assert_int_equal(hy_alert_set_attack(c, NULL), HY_OK);
    assert_null(c->attack);
    assert_string_equal(a->attack, "T1046,T1595.001");
    hy_alert_destroy(a);
    hy_alert_destroy(c);
}

/* Serialises a and parses the line back. */
static json_t *eve(const hy_alert *a)
{
    hy_buf b;
    json_error_t je;
    json_t *j;
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy_alert_to_eve(a, &b), HY_OK);
    assert_null(memchr(b.data, '\n', b.len));
    j = json_loads(b.data, 0, &je);
    if (!j)
        fail_msg("EVE line does not parse: %s: %s", je.text, b.data);
    hy_buf_free(&b);
    return j;
}

static const char *jstr(json_t *o, const char *path_a, const char *path_b)
{
    json_t *v = json_object_get(o, path_a);
    if (path_b)
        v = json_object_get(v, path_b);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static json_int_t jint(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    if (b)
        v = json_object_get(v, b);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static void test_eve_flow_alert(void **st)
{
    hy_alert *a = NULL;
    json_t *j, *h, *ev, *att;
    (void)st;
    assert_int_equal(hy_alert_create(T0, "darknet", "darknet.outbreak", 1, 0.875,
                                     "Outbreak on \"23/tcp\"\n", "port 23/tcp", 7, &a), HY_OK);
    assert_int_equal(hy_alert_set_evidence(a, "{\"sources\":412,\"z\":[1.5,2],\"n\":{\"k\":\"v\"}}"),
                     HY_OK);
    assert_int_equal(hy_alert_set_attack(a, "T1046,T1595.001"), HY_OK);
    strcpy(a->community_id, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    a->ip_version = 4;
    a->proto = 6;
    inet_pton(AF_INET, "192.0.2.10", a->src);
    inet_pton(AF_INET, "203.0.113.7", a->dst);
    a->sport = 51234;
    a->dport = 23;
    j = eve(a);
    assert_string_equal(jstr(j, "timestamp", NULL), "2024-01-02T03:04:05.678901+0000");
    assert_string_equal(jstr(j, "event_type", NULL), "alert");
    assert_string_equal(jstr(j, "src_ip", NULL), "192.0.2.10");
    assert_int_equal(jint(j, "src_port", NULL), 51234);
    assert_string_equal(jstr(j, "dest_ip", NULL), "203.0.113.7");
    assert_int_equal(jint(j, "dest_port", NULL), 23);
    assert_string_equal(jstr(j, "proto", NULL), "TCP");
    assert_string_equal(jstr(j, "community_id", NULL), "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
    assert_string_equal(jstr(j, "alert", "action"), "allowed");
    assert_int_equal(jint(j, "alert", "gid"), 1);
    assert_int_equal(jint(j, "alert", "signature_id"), 727118381); /* FNV-1a & 0x7fffffff */
    assert_int_equal(jint(j, "alert", "rev"), 1);
    assert_string_equal(jstr(j, "alert", "signature"), "Outbreak on \"23/tcp\"\n");
    assert_string_equal(jstr(j, "alert", "category"), "darknet.outbreak");
    assert_int_equal(jint(j, "alert", "severity"), 1);
    h = json_object_get(j, "hayate");
    assert_string_equal(jstr(h, "id", NULL), "01HK421PSEBWBKTXWPC2E8WJD8");
    assert_string_equal(jstr(h, "engine", NULL), "darknet");
    assert_string_equal(jstr(h, "kind", NULL), "darknet.outbreak");
    assert_string_equal(jstr(h, "subject", NULL), "port 23/tcp");
    assert_true(json_is_real(json_object_get(h, "score")));
    assert_true(json_real_value(json_object_get(h, "score")) == 0.875);
    ev = json_object_get(h, "evidence");
    assert_true(json_is_object(ev));
    assert_int_equal(json_integer_value(json_object_get(ev, "sources")), 412);
    assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "n"), "k")), "v");
    att = json_object_get(h, "attack");
    assert_int_equal(json_array_size(att), 2);
    assert_string_equal(json_string_value(json_array_get(att, 0)), "T1046");
    assert_string_equal(json_string_value(json_array_get(att, 1)), "T1595.001");
    json_decref(j);
    hy_alert_destroy(a);
}

static void test_eve_minimal_and_v6(void **st)
{
    hy_alert *a = mk(T0, "malware", "malware.verdict", "e3b0c442", 0);
    json_t *j;
    (void)st;
    j = eve(a);
    assert_null(json_object_get(j, "src_ip"));
    assert_null(json_object_get(j, "src_port"));
    assert_null(json_object_get(j, "proto"));
    assert_null(json_object_get(j, "community_id"));
    assert_true(json_is_object(json_object_get(json_object_get(j, "hayate"), "evidence")));
    assert_int_equal(json_object_size(json_object_get(json_object_get(j, "hayate"), "evidence")), 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "hayate"), "attack")), 0);
    json_decref(j);

    /* IPv6 ICMP: addresses and proto name, no ports. */
    a->ip_version = 6;
    a->proto = 58;
    inet_pton(AF_INET6, "2001:db8::1", a->src);
    inet_pton(AF_INET6, "2001:db8::2", a->dst);
    a->sport = 128;
    j = eve(a);
    assert_string_equal(jstr(j, "src_ip", NULL), "2001:db8::1");
    assert_string_equal(jstr(j, "dest_ip", NULL), "2001:db8::2");
    assert_string_equal(jstr(j, "proto", NULL), "IPv6-ICMP");
    assert_null(json_object_get(j, "src_port"));
    json_decref(j);
    a->proto = 250; /* unnamed: the number as text */
    j = eve(a);
    assert_string_equal(jstr(j, "proto", NULL), "250");
    json_decref(j);
    hy_alert_destroy(a);
}

static void test_eve_too_big_leaves_buffer(void **st)
{
    hy_alert *a = mk(T0, "intel", "intel.ioc", "example.com", 0);
    hy_buf b;
    (void)st;
    hy_buf_init(&b, 64);
    assert_int_equal(hy_buf_adds(&b, "prefix"), HY_OK);
    assert_int_not_equal(hy_alert_to_eve(a, &b), HY_OK);
    assert_int_equal(b.len, 6);
    assert_string_equal(b.data, "prefix");
    hy_buf_free(&b);
    hy_alert_destroy(a);
}

static int cmp_pp(const void *x, const void *y)
{
    return hy_alert_cmp(*(hy_alert *const *)x, *(hy_alert *const *)y);
}

static void test_cmp_order(void **st)
{
    /* Expected order after sorting. */
    hy_alert *v[6];
    hy_alert *s[6];
    static const int perm[6] = {4, 2, 5, 0, 3, 1};
    (void)st;
    v[0] = mk(T0, "darknet", "darknet.outbreak", "a", 0);
    v[1] = mk(T0, "darknet", "darknet.outbreak", "b", 0);
    v[2] = mk(T0, "darknet", "darknet.scanner", "a", 0);
    v[3] = mk(T0, "tls", "tls.ja3.bad", "a", 0);
    v[4] = mk(T0 + 1, "darknet", "darknet.outbreak", "a", 0);
    v[5] = mk(T0 + 1, "darknet", "darknet.outbreak", "a", 1);
    if (strcmp(v[4]->id, v[5]->id) > 0) { /* same fields but id: id decides */
        hy_alert *t = v[4];
        v[4] = v[5], v[5] = t;
    }
    for (int i = 0; i < 6; i++)
        s[perm[i]] = v[i];
    qsort(s, 6, sizeof s[0], cmp_pp);
    for (int i = 0; i < 6; i++)
        assert_ptr_equal(s[i], v[i]);
    assert_true(hy_alert_cmp(v[0], v[1]) < 0 && hy_alert_cmp(v[1], v[0]) > 0);
    assert_true(hy_alert_cmp(v[3], v[4]) < 0); /* time beats engine */
    for (int i = 0; i < 6; i++)
        hy_alert_destroy(v[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ulid_known),
        cmocka_unit_test(test_create_validates),
        cmocka_unit_test(test_id_deterministic),
        cmocka_unit_test(test_evidence_attack_dup),
        cmocka_unit_test(test_eve_flow_alert),
        cmocka_unit_test(test_eve_minimal_and_v6),
        cmocka_unit_test(test_eve_too_big_leaves_buffer),
        cmocka_unit_test(test_cmp_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
