/* `hayate synth alerts`: determinism, every EVE line against the fields a
 * SOC pipeline reads, the truth line by line, the attack share, campaign
 * stages against the plan, the heavy tail of signatures, signatures shared
 * by attacks and benign sources, time order, the daily cycle, the
 * catalogue, bad configurations and write errors. One stream is generated
 * in the group setup and parsed once. */
#include "testutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/screen/synth_alerts_int.h"
#include "hayate/synth_alerts.h"

typedef struct rec {
    uint32_t sid;
    char ts[40];
    int hour, cls, stage;
    uint32_t camp;
    bool attack;
} rec;

typedef struct stream {
    hy_synth_alerts_cfg cfg;
    hy_synth_alerts_stats st;
    char *eve, *truth;
    size_t neve, ntruth;
    rec *r;
    size_t n;
} stream;

static stream S;

static void gen(const hy_synth_alerts_cfg *cfg, char **eve, size_t *ne, char **tr, size_t *nt,
                hy_synth_alerts_stats *st)
{
    FILE *fe = open_memstream(eve, ne), *ft = tr ? open_memstream(tr, nt) : NULL;
    assert_non_null(fe);
    assert_int_equal(hy_synth_alerts(cfg, fe, ft, st), HY_OK);
    assert_int_equal(fclose(fe), 0);
    if (ft)
        assert_int_equal(fclose(ft), 0);
}

static void test_cfg(hy_synth_alerts_cfg *cfg)
{
    hy_synth_alerts_cfg_default(cfg);
    cfg->seed = 42;
    cfg->days = 3;
    cfg->per_day = 8000;
    cfg->hosts = 150;
    cfg->campaigns = 3;
}

static int class_of(const char *s)
{
    for (int c = 0; c < HY_SA_CLASSES; c++)
        if (strcmp(s, hy_synth_alerts_class_name(c)) == 0)
            return c;
    return -1;
}

static int stage_of(const char *s)
{
    for (int c = 0; c < HY_SA_STAGES; c++)
        if (strcmp(s, hy_synth_alerts_stage_name(c)) == 0)
            return c;
    return -1;
}

/* Parses one truth line "line label class campaign stage host" into r. */
static void parse_truth(char *line, size_t want_line, rec *r)
{
    char *f[6], *save = NULL;
    int k = 0;
    for (char *t = strtok_r(line, "\t", &save); t && k < 6; t = strtok_r(NULL, "\t", &save))
        f[k++] = t;
    assert_int_equal(k, 6);
    assert_int_equal(strtoull(f[0], NULL, 10), want_line);
    r->attack = strcmp(f[1], "attack") == 0;
    assert_true(r->attack || strcmp(f[1], "benign") == 0);
    r->cls = class_of(f[2]);
    assert_true(r->cls >= 0);
    assert_int_equal(r->attack, r->cls == HY_SA_ATTACK);
    r->camp = (uint32_t)strtoul(f[3], NULL, 10);
    r->stage = stage_of(f[4]);
    assert_true(r->stage >= 0);
    assert_int_equal(r->attack, r->camp > 0);
    assert_int_equal(r->attack, r->stage > 0);
    assert_int_equal(strncmp(f[5], "10.0.", 5), 0); /* an internal host */
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static json_int_t jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static void check_app(json_t *o, const char *app)
{
    json_t *x;
    if (strcmp(app, "http") == 0) {
        assert_non_null(x = json_object_get(o, "http"));
        jstr(x, "hostname");
        assert_true(jstr(x, "url")[0] == '/');
        assert_true(strcmp(jstr(x, "http_method"), "GET") == 0 ||
                    strcmp(jstr(x, "http_method"), "POST") == 0);
        assert_string_equal(jstr(x, "protocol"), "HTTP/1.1");
        assert_true(jint(x, "status") >= 200 && jint(x, "status") < 600);
        assert_true(jint(x, "length") >= 0);
    } else if (strcmp(app, "dns") == 0) {
        assert_non_null(x = json_object_get(o, "dns"));
        jstr(x, "type");
        assert_true(strlen(jstr(x, "rrname")) > 0);
        jstr(x, "rrtype");
    } else if (strcmp(app, "tls") == 0) {
        assert_non_null(x = json_object_get(o, "tls"));
        assert_int_equal(strncmp(jstr(x, "version"), "TLS 1.", 6), 0);
        assert_int_equal(strlen(jstr(json_object_get(x, "ja3"), "hash")), 32);
        if (strcmp(jstr(x, "version"), "TLS 1.3") != 0)
            jstr(x, "issuerdn");
    }
}

/* Checks one EVE line's fields and fills the signature and time of r. */
static void parse_eve(const char *line, size_t n, rec *r)
{
    json_error_t err;
    json_t *o = json_loadb(line, n, 0, &err), *a, *f;
    assert_non_null(o);
    snprintf(r->ts, sizeof r->ts, "%s", jstr(o, "timestamp"));
    assert_int_equal(strlen(r->ts), 31);
    assert_string_equal(r->ts + 26, "+0000");
    r->hour = atoi(r->ts + 11);
    assert_true(jint(o, "flow_id") > 0 && jint(o, "flow_id") < (1ll << 52));
    jstr(o, "in_iface");
    assert_string_equal(jstr(o, "event_type"), "alert");
    jstr(o, "src_ip");
    jstr(o, "dest_ip");
    const char *proto = jstr(o, "proto");
    if (strcmp(proto, "ICMP") != 0) {
        assert_true(jint(o, "src_port") > 0 && jint(o, "src_port") < 65536);
        assert_true(jint(o, "dest_port") > 0 && jint(o, "dest_port") < 65536);
    }
    assert_non_null(a = json_object_get(o, "alert"));
    assert_string_equal(jstr(a, "action"), "allowed");
    assert_int_equal(jint(a, "gid"), 1);
    r->sid = (uint32_t)jint(a, "signature_id");
    assert_true(r->sid >= 2000000 && r->sid < 2600000);
    assert_true(jint(a, "rev") >= 1);
    assert_true(strlen(jstr(a, "signature")) > 8);
    jstr(a, "category");
    assert_true(jint(a, "severity") >= 1 && jint(a, "severity") <= 3);
    assert_non_null(f = json_object_get(o, "flow"));
    jint(f, "pkts_toserver");
    jint(f, "pkts_toclient");
    assert_true(jint(f, "bytes_toserver") > 0);
    jint(f, "bytes_toclient");
    assert_true(strcmp(jstr(f, "start"), r->ts) <= 0);
    if (json_object_get(o, "app_proto"))
        check_app(o, jstr(o, "app_proto"));
    json_decref(o);
}

static int setup(void **state)
{
    (void)state;
    test_cfg(&S.cfg);
    gen(&S.cfg, &S.eve, &S.neve, &S.truth, &S.ntruth, &S.st);
    S.r = calloc(S.st.alerts + 1, sizeof *S.r);
    return S.r ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(S.eve);
    free(S.truth);
    free(S.r);
    return 0;
}

/* Every line of both streams, parsed; the truth lines match the alerts. */
static void test_lines_and_truth(void **state)
{
    (void)state;
    char *p = S.eve, *end = S.eve + S.neve, *t = S.truth, *nl;
    assert_non_null(nl = strchr(t, '\n'));
    assert_int_equal(strncmp(t, "#line\tlabel\tclass\tcampaign\tstage\thost\n", 38), 0);
    t = nl + 1;
    while (p < end) {
        assert_non_null(nl = memchr(p, '\n', (size_t)(end - p)));
        assert_true(S.n < S.st.alerts);
        parse_eve(p, (size_t)(nl - p), &S.r[S.n]);
        p = nl + 1;
        char *tn = strchr(t, '\n');
        assert_non_null(tn);
        *tn = '\0';
        parse_truth(t, S.n + 1, &S.r[S.n]);
        t = tn + 1;
        S.n++;
    }
    assert_int_equal(S.n, S.st.alerts);
    assert_true(t == S.truth + S.ntruth); /* as many truth lines as alerts */
    assert_true(S.n > 15000);
}

static void test_deterministic(void **state)
{
    (void)state;
    char *e2, *t2, *e3;
    size_t ne2, nt2, ne3;
    hy_synth_alerts_stats st;
    hy_synth_alerts_cfg cfg = S.cfg;
    gen(&cfg, &e2, &ne2, &t2, &nt2, &st);
    assert_int_equal(ne2, S.neve);
    assert_int_equal(nt2, S.ntruth);
    assert_memory_equal(e2, S.eve, ne2);
    assert_int_equal(st.alerts, S.st.alerts);
    cfg.seed++;
    gen(&cfg, &e3, &ne3, NULL, NULL, NULL); /* no truth stream is fine */
    assert_true(ne3 != S.neve || memcmp(e3, S.eve, ne3) != 0);
    free(e2);
    free(t2);
    free(e3);
}

static void test_time_order_and_cycle(void **state)
{
    (void)state;
    uint64_t day = 0, night = 0;
    for (size_t i = 1; i < S.n; i++)
        assert_true(strcmp(S.r[i - 1].ts, S.r[i].ts) <= 0);
    for (size_t i = 0; i < S.n; i++) {
        if (S.r[i].cls != HY_SA_POLICY)
            continue;
        day += S.r[i].hour >= 9 && S.r[i].hour < 17;
        night += S.r[i].hour < 8; /* also eight hours */
    }
    assert_true(day > 4 * night);
    assert_true(night > 0);
    assert_int_equal(strncmp(S.r[0].ts, "2024-03-04T00:", 14), 0);
    assert_int_equal(strncmp(S.r[S.n - 1].ts, "2024-03-06T23:", 14), 0);
}

static void test_attack_share_and_stages(void **state)
{
    (void)state;
    uint32_t seen[4][HY_SA_STAGES] = {{0}};
    uint64_t attack = 0, per_class[HY_SA_CLASSES] = {0};
    for (size_t i = 0; i < S.n; i++) {
        per_class[S.r[i].cls]++;
        if (!S.r[i].attack)
            continue;
        attack++;
        assert_true(S.r[i].camp >= 1 && S.r[i].camp <= 3);
        seen[S.r[i].camp][S.r[i].stage]++;
    }
    double share = (double)attack / (double)S.n;
    assert_true(share >= 0.002 && share <= 0.01);
    assert_int_equal(attack, S.st.attack_alerts);
    for (int c = 0; c < HY_SA_CLASSES; c++) {
        assert_int_equal(per_class[c], S.st.per_class[c]);
        assert_true(per_class[c] > 0); /* every source spoke */
    }
    for (uint32_t k = 1; k <= 3; k++) {
        hy_synth_alerts_campaign_info in;
        assert_int_equal(hy_synth_alerts_campaign(&S.cfg, k, &in), HY_OK);
        assert_int_equal(in.id, k);
        assert_true(in.n_hosts >= 1 && in.n_hosts <= 3);
        assert_true(in.end_ns > in.start_ns && in.end_ns - in.start_ns <= 3 * 86400e9);
        for (int s = HY_SA_RECON; s < HY_SA_STAGES; s++) {
            assert_true(seen[k][s] > 0); /* all four stages */
            assert_int_equal(seen[k][s], in.alerts[s]);
        }
    }
    hy_synth_alerts_campaign_info in;
    assert_int_equal(hy_synth_alerts_campaign(&S.cfg, 0, &in), HY_ERR_NOTFOUND);
    assert_int_equal(hy_synth_alerts_campaign(&S.cfg, 4, &in), HY_ERR_NOTFOUND);
}

static int cmp_desc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void test_heavy_tail_and_sharing(void **state)
{
    (void)state;
    uint32_t *ben = calloc(3000000, sizeof *ben);
    uint8_t *att = calloc(3000000, 1);
    uint64_t nb = 0, top = 0, shared_alerts = 0, attack = 0;
    uint32_t distinct = 0, shared = 0;
    assert_non_null(ben);
    assert_non_null(att);
    for (size_t i = 0; i < S.n; i++) {
        uint32_t k = S.r[i].sid - 2000000;
        if (S.r[i].attack)
            att[k] = 1;
        else
            ben[k]++, nb++;
    }
    for (uint32_t k = 0; k < 3000000; k++) {
        distinct += ben[k] || att[k];
        shared += ben[k] && att[k];
    }
    for (size_t i = 0; i < S.n; i++)
        if (S.r[i].attack) {
            attack++;
            shared_alerts += ben[S.r[i].sid - 2000000] > 0;
        }
    assert_true(distinct >= 100);
    assert_int_equal(distinct, S.st.signatures);
    assert_int_equal(shared, S.st.shared_signatures);
    assert_true(shared >= 10);
    assert_true(shared_alerts * 2 > attack); /* most attack alerts hide in common signatures */
    assert_true(shared_alerts < attack);     /* but not all */
    qsort(ben, 3000000, sizeof *ben, cmp_desc);
    for (int i = 0; i < 10; i++)
        top += ben[i];
    assert_true((double)top > 0.5 * (double)nb);
    assert_true(ben[0] < nb / 2); /* no single signature is everything */
    free(ben);
    free(att);
}

static void test_catalogue(void **state)
{
    (void)state;
    uint32_t pools[P__COUNT] = {0};
    assert_true(hy__sa_nsigs >= 250);
    for (uint32_t i = 0; i < hy__sa_nsigs; i++) {
        const sa_sig *s = &hy__sa_sigs[i];
        pools[s->pool]++;
        assert_true(s->cat < C__COUNT && s->app < A__COUNT);
        assert_true(s->proto == 6 || s->proto == 17 || s->proto == 1);
        for (uint32_t j = 0; j < i; j++)
            assert_true(hy__sa_sigs[j].sid != s->sid);
        if (strncmp(s->name, "SURICATA ", 9) == 0)
            assert_true(s->sid >= 2200000 && s->sid < 2300000);
        if (strncmp(s->name, "GPL ", 4) == 0)
            assert_true(s->sid >= 2100000 && s->sid < 2104000);
        if (strncmp(s->name, "ET ", 3) == 0)
            assert_true(s->sid < 2100000 || (s->sid >= 2400000 && s->sid < 2600000));
    }
    assert_true(pools[P_POL] >= 150);
    char out[64];
    assert_int_equal(hy__sa_hint("a.###.b", 7, 0, out, sizeof out), 7);
    assert_true(strchr(out, '#') == NULL);
    assert_int_equal(hy__sa_hint("@", 7, IP4(10, 0, 2, 10), out, sizeof out), 9);
    assert_string_equal(out, "10.0.2.10");
    assert_int_equal(hy__sa_hint(NULL, 7, 0, out, sizeof out), 0);
    hy__sa_hint("x|y|z", 9, 0, out, sizeof out);
    assert_true(strlen(out) == 1 && strchr("xyz", out[0]));
}

static void expect_arg(const hy_synth_alerts_cfg *cfg, const char *field)
{
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    assert_int_equal(hy_synth_alerts(cfg, f, NULL, NULL), HY_ERR_ARG);
    assert_non_null(strstr(hy_err_detail(), field));
    fclose(f);
}

static void test_bad_cfg(void **state)
{
    (void)state;
    hy_synth_alerts_cfg c;
    test_cfg(&c), c.days = 0, expect_arg(&c, "days");
    test_cfg(&c), c.days = 367, expect_arg(&c, "days");
    test_cfg(&c), c.per_day = 99, expect_arg(&c, "per_day");
    test_cfg(&c), c.per_day = 5000001, expect_arg(&c, "per_day");
    test_cfg(&c), c.hosts = 15, expect_arg(&c, "hosts");
    test_cfg(&c), c.campaigns = 65, expect_arg(&c, "campaigns");
    test_cfg(&c), c.campaign_days = 4, expect_arg(&c, "campaign_days");
    test_cfg(&c), c.attack_share = NAN, expect_arg(&c, "attack_share");
    test_cfg(&c), c.attack_share = 0.2, expect_arg(&c, "attack_share");
    test_cfg(&c), c.start_ns = UINT64_MAX, expect_arg(&c, "start");
    assert_int_equal(hy_synth_alerts(NULL, stdout, NULL, NULL), HY_ERR_ARG);
    test_cfg(&c);
    assert_int_equal(hy_synth_alerts(&c, NULL, NULL, NULL), HY_ERR_ARG);
    hy_synth_alerts_campaign_info in;
    c.days = 0;
    assert_int_equal(hy_synth_alerts_campaign(&c, 1, &in), HY_ERR_ARG);
}

static void test_small_and_write_error(void **state)
{
    (void)state;
    hy_synth_alerts_cfg c;
    hy_synth_alerts_stats st;
    char *e;
    size_t n;
    hy_synth_alerts_cfg_default(&c);
    c.days = 1, c.per_day = 100, c.hosts = 16, c.campaigns = 0;
    gen(&c, &e, &n, NULL, NULL, &st);
    assert_int_equal(st.attack_alerts, 0);
    assert_int_equal(st.campaigns, 0);
    assert_true(st.alerts > 30 && st.alerts < 300);
    free(e);
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        return; /* not Linux */
    hy_synth_alerts_cfg_default(&c);
    c.days = 1;
    assert_int_equal(hy_synth_alerts(&c, full, NULL, NULL), HY_ERR_IO);
    fclose(full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_and_truth),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_time_order_and_cycle),
        cmocka_unit_test(test_attack_share_and_stages),
        cmocka_unit_test(test_heavy_tail_and_sharing),
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_bad_cfg),
        cmocka_unit_test(test_small_and_write_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
