/* The screener (lib/engines/screen): the context window, cluster
 * inheritance of a verdict, the never-seen-signature, vouched, new-pair and
 * routine rules, pairs keyed by the service an alert names, the label
 * queue, groups and their summaries, settings, model files, training rows
 * and determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "hayate/config.h"
#include "engines/screen/screen_learn.h"
#include "hayate/alert.h"
#include "hayate/buf.h"
#include "hayate/io.h"
#include "hayate/screen.h"

#define S_NS 1000000000ull
#define T0 (1709510400ull * S_NS) /* 2024-03-04T00:00:00Z */

/* An alert of sid between two IPv4 hosts (last octets) at second t. */
static hy_alert_in mk(uint32_t sid, unsigned src, unsigned dst, uint64_t t)
{
    hy_alert_in a;
    memset(&a, 0, sizeof a);
    a.fmt = HY_ALERTIN_EVE;
    a.ts_ns = T0 + t * S_NS;
    a.gid = 1;
    a.sid = sid;
    a.sig_key = (1ull << 32) | sid;
    a.severity = 2;
    a.signature = (hy_str){"ET TEST", 7};
    a.action = a.app_proto = a.in_iface = (hy_str){"", 0};
    /* categories by sid range: contexts are bags of categories */
    a.category = sid >= 30 && sid < 50 ? (hy_str){"A Network Trojan was detected", 29}
                 : sid < 30            ? (hy_str){"Misc activity", 13}
                                       : (hy_str){"Potentially Bad Traffic", 23};
    a.ip_version = 4;
    a.src[0] = 10, a.src[3] = (uint8_t)src;
    a.dst[0] = 10, a.dst[3] = (uint8_t)dst;
    a.sport = 40000;
    a.dport = 80;
    a.proto = 6;
    return a;
}

/* A screener with the default rules but a short warm-up; new_pair false
 * turns the new-pair rule off, so that tests of verdicts, which run within
 * minutes, are not all held for a person by it (it has its own tests). */
static hy_screen *new_screen_with(bool new_pair)
{
    hy_screen_cfg c;
    hy_screen *s = NULL;
    hy_screen_cfg_default(&c);
    c.warmup = 64;
    c.reservoir = 256;
    if (!new_pair)
        c.new_pair_ns = 0;
    assert_int_equal(hy_screen_create(&c, &s), HY_OK);
    return s;
}

static hy_screen *new_screen(void)
{
    return new_screen_with(false);
}

static hy_screen_result run(hy_screen *s, hy_alert_in a)
{
    hy_screen_result r;
    assert_int_equal(hy_screen_alert(s, &a, &r), HY_OK);
    return r;
}

static void test_context_window(void **st)
{
    (void)st;
    hy_screen *s = new_screen();
    hy_screen_result r = run(s, mk(100, 1, 2, 0));
    assert_int_equal(r.context_len, 0);
    for (unsigned i = 1; i <= 12; i++)
        r = run(s, mk(100 + i, 1, 2, i));
    assert_int_equal(r.context_len, 10); /* N = 10, though 12 came before */
    /* an alert in the other direction shares the same events once, not twice */
    r = run(s, mk(200, 2, 1, 20));
    assert_int_equal(r.context_len, 10);
    assert_float_equal(r.f[HY_SF_CTX_DISTINCT], 1.0, 1e-6);
    /* a third host has only what involved it */
    r = run(s, mk(201, 3, 1, 21));
    assert_int_equal(r.context_len, 10);
    r = run(s, mk(202, 3, 4, 22));
    assert_int_equal(r.context_len, 1);
    /* 25 hours later the window (24 h) is empty */
    r = run(s, mk(203, 3, 4, 22 + 25 * 3600));
    assert_int_equal(r.context_len, 0);
    hy_screen_destroy(s);
}

/* How long the host pair and each host have been raising alerts: 0 the
 * first time, log1p(seconds) after. */
static void test_age_features(void **st)
{
    (void)st;
    hy_screen *s = new_screen();
    hy_screen_result r = run(s, mk(100, 1, 2, 0));
    assert_float_equal(r.f[HY_SF_PAIR_AGE], 0, 1e-6);
    assert_float_equal(r.f[HY_SF_SRC_AGE], 0, 1e-6);
    assert_float_equal(r.f[HY_SF_DST_AGE], 0, 1e-6);
    r = run(s, mk(101, 2, 1, 3600)); /* the same pair, the other way round */
    assert_float_equal(r.f[HY_SF_PAIR_AGE], 0, 1e-6); /* pairs are directed */
    assert_float_equal(r.f[HY_SF_SRC_AGE], log1p(3600), 1e-3);
    r = run(s, mk(102, 1, 2, 7200));
    assert_float_equal(r.f[HY_SF_PAIR_AGE], log1p(7200), 1e-3);
    r = run(s, mk(103, 1, 3, 7300)); /* a new peer of an old host */
    assert_float_equal(r.f[HY_SF_PAIR_AGE], 0, 1e-6);
    assert_float_equal(r.f[HY_SF_SRC_AGE], log1p(7300), 1e-3);
    assert_float_equal(r.f[HY_SF_DST_AGE], 0, 1e-6);
    assert_int_equal(r.rule, HY_SCREEN_RULE_NEVER_SEEN);
    assert_string_equal(hy_screen_rule_name(r.rule), "never-seen");
    hy_screen_destroy(s);
}

/* Host h raises context sids ctx[0..n) then sid x; returns x's result. */
static hy_screen_result episode(hy_screen *s, unsigned h, unsigned peer, const uint32_t *ctx,
                                size_t n, uint32_t x, uint64_t *t)
{
    for (size_t i = 0; i < n; i++)
        run(s, mk(ctx[i], h, peer, (*t)++));
    return run(s, mk(x, h, peer, (*t)++));
}

static void test_cluster_inherits_verdict(void **st)
{
    (void)st;
    hy_screen *s = new_screen();
    const uint32_t benign_ctx[] = {11, 12, 11, 12};
    const uint32_t other_ctx[] = {31, 32, 33, 34};
    uint64_t t = 0;
    hy_screen_result r;
    /* many hosts repeat the same episode: one cluster for sid 50 */
    for (unsigned h = 1; h <= 20; h++)
        r = episode(s, h, 200, benign_ctx, 4, 50, &t);
    assert_int_not_equal(r.cluster, 0);
    assert_true(r.cluster_members >= 20);
    assert_int_not_equal(r.decision, HY_SCREEN_CLOSED); /* not judged yet */
    assert_non_null(strstr(r.reason, "not judged"));
    assert_int_equal(hy_screen_judge(s, r.cluster, HY_SCREEN_BENIGN, T0 + t * S_NS, "ana"),
                     HY_OK);
    hy_screen_result same = episode(s, 21, 200, benign_ctx, 4, 50, &t);
    assert_int_equal(same.cluster, r.cluster);
    assert_int_equal(same.inherited, HY_SCREEN_BENIGN);
    assert_true(same.confidence >= 0.6);
    assert_int_equal(same.decision, HY_SCREEN_CLOSED);
    assert_non_null(strstr(same.reason, "judged benign"));
    assert_non_null(strstr(same.reason, "by ana"));
    /* the same signature in another context is not covered by the verdict */
    run(s, mk(31, 30, 200, t++)); /* the others must not be never-seen */
    hy_screen_result odd = episode(s, 31, 201, other_ctx, 4, 50, &t);
    assert_int_not_equal(odd.cluster, r.cluster);
    assert_int_not_equal(odd.decision, HY_SCREEN_CLOSED);
    /* a malicious verdict escalates the cluster's next members */
    assert_int_equal(hy_screen_judge(s, odd.cluster, HY_SCREEN_MALICIOUS, T0 + t * S_NS, NULL),
                     HY_OK);
    hy_screen_result bad = episode(s, 32, 201, other_ctx, 4, 50, &t);
    assert_int_equal(bad.cluster, odd.cluster);
    assert_int_equal(bad.decision, HY_SCREEN_ESCALATE);
    assert_non_null(strstr(bad.reason, "judged malicious"));
    assert_true(bad.priority >= 0.9);
    assert_int_equal(hy_screen_judge(s, 12345, HY_SCREEN_BENIGN, 0, NULL), HY_ERR_NOTFOUND);
    hy_screen_destroy(s);
}

/* A judged-benign context from a host pair younger than new_pair_ns is
 * still read by a person; once the pair is older it inherits the verdict. */
static void test_new_pair_goes_to_a_human(void **st)
{
    (void)st;
    hy_screen *s = new_screen_with(true);
    const uint32_t ctx[] = {11, 12, 11, 12};
    uint64_t t = 0;
    hy_screen_result r;
    for (unsigned h = 1; h <= 20; h++)
        r = episode(s, h, 200, ctx, 4, 50, &t);
    assert_int_equal(r.rule, HY_SCREEN_RULE_NEW_PAIR);
    assert_int_equal(hy_screen_judge(s, r.cluster, HY_SCREEN_BENIGN, T0 + t * S_NS, NULL), HY_OK);
    r = episode(s, 21, 200, ctx, 4, 50, &t);
    assert_int_equal(r.inherited, HY_SCREEN_BENIGN);    /* the verdict reaches it... */
    assert_int_not_equal(r.decision, HY_SCREEN_CLOSED); /* ...but the pair is new */
    assert_int_equal(r.rule, HY_SCREEN_RULE_NEW_PAIR);
    assert_string_equal(hy_screen_rule_name(r.rule), "new-pair");
    assert_non_null(strstr(r.reason, "new host pair: first alert 0.0 h ago"));
    t += 25 * 3600; /* the same pair a day later */
    r = episode(s, 21, 200, ctx, 4, 50, &t);
    assert_int_equal(r.rule, HY_SCREEN_RULE_BENIGN);
    assert_int_equal(r.decision, HY_SCREEN_CLOSED);
    assert_int_equal(r.pair_age_ns, (25 * 3600 + 9) * S_NS); /* from t 100 to 90,109 */
    hy_screen_destroy(s);
    /* a pair whose first alert is at the epoch itself is still a pair */
    s = new_screen_with(true);
    hy_alert_in a = mk(7, 1, 2, 0);
    a.ts_ns = 0;
    run(s, a);
    a.ts_ns = 60 * S_NS;
    r = run(s, a);
    assert_int_equal(r.pair_age_ns, 60 * S_NS);
    assert_int_equal(r.rule, HY_SCREEN_RULE_NEW_PAIR);
    hy_screen_destroy(s);
}

/* A benign verdict on an alert vouches for its source and signature: that
 * source's later alerts of it close even towards a new host, other sources
 * and signatures do not, and a compromise judged later voids the vouch,
 * inside the taint window and after it; screen.vouch off ignores it. */
static void test_vouched_source(void **st)
{
    (void)st;
    for (int on = 0; on <= 1; on++) {
        hy_screen_cfg c;
        hy_screen *s = NULL;
        hy_screen_cfg_default(&c);
        c.warmup = 64;
        c.reservoir = 256;
        c.vouch = on;
        assert_int_equal(hy_screen_create(&c, &s), HY_OK);
        hy_screen_result r;
        for (unsigned h = 1; h <= 20; h++) /* sid 7 from host 5 towards 20 hosts */
            r = run(s, mk(7, 5, 100 + h, h));
        assert_int_equal(r.rule, HY_SCREEN_RULE_NEW_PAIR);
        hy_alert_in a = mk(7, 5, 130, 100);
        assert_int_equal(hy_screen_vouch(s, a.ip_version, a.src, a.sig_key, T0 + 50 * S_NS), HY_OK);
        r = run(s, a); /* a new host pair, but the analyst vouched for (5, sid 7) */
        assert_int_equal(r.rule, on ? HY_SCREEN_RULE_VOUCHED : HY_SCREEN_RULE_NEW_PAIR);
        assert_int_equal(r.decision, on ? HY_SCREEN_CLOSED : HY_SCREEN_REVIEW);
        if (on) {
            assert_true(r.vouched && r.vouch_ns == T0 + 50 * S_NS);
            assert_string_equal(hy_screen_rule_name(r.rule), "vouched");
            assert_non_null(
                strstr(r.reason, "judged this signature from this source benign on 03-04"));
        }
        r = run(s, mk(8, 5, 131, 101)); /* another signature from the same source */
        assert_int_not_equal(r.rule, HY_SCREEN_RULE_VOUCHED);
        r = run(s, mk(7, 6, 132, 102)); /* the same signature from another source */
        assert_int_not_equal(r.rule, HY_SCREEN_RULE_VOUCHED);
        a = mk(7, 5, 133, 103); /* the source judged compromised after the vouch */
        assert_int_equal(hy_screen_taint(s, 4, a.src, a.dst, T0 + 60 * S_NS, 9), HY_OK);
        r = run(s, a);
        assert_int_equal(r.rule, HY_SCREEN_RULE_TAINT);
        a.ts_ns = T0 + (60 + 8 * 86400) * S_NS; /* taint over: the vouch stays void */
        r = run(s, a);
        assert_false(r.vouched);
        assert_int_not_equal(r.rule, HY_SCREEN_RULE_VOUCHED);
        assert_int_equal(hy_screen_vouch(s, 5, a.src, 1, 0), HY_ERR_ARG);
        hy_screen_destroy(s);
    }
}

/* A formed cluster nobody judged: its alerts close as routine once their
 * host pair has been raising their signature for longer than routine_ns,
 * not before, and never with routine_ns 0; a signature new to an old pair
 * is not routine. */
static void test_routine_pair(void **st)
{
    (void)st;
    for (int on = 0; on < 2; on++) {
        hy_screen_cfg c;
        hy_screen *s = NULL;
        hy_screen_result r;
        hy_screen_cfg_default(&c);
        c.warmup = 64;
        c.routine_ns = on ? 86400 * S_NS : 0;
        assert_int_equal(hy_screen_create(&c, &s), HY_OK);
        for (uint64_t i = 0; i < 24; i++) { /* every 50 minutes: under a day */
            r = run(s, mk(80, 1, 2, i * 3000));
            assert_int_not_equal(r.decision, HY_SCREEN_CLOSED);
        }
        assert_int_equal(r.rule, HY_SCREEN_RULE_NEW_PAIR);
        r = run(s, mk(80, 1, 2, 86400 + 60));
        assert_int_equal(r.inherited, HY_SCREEN_UNJUDGED);
        if (on) {
            assert_int_equal(r.rule, HY_SCREEN_RULE_ROUTINE);
            assert_int_equal(r.decision, HY_SCREEN_CLOSED);
            assert_string_equal(hy_screen_rule_name(r.rule), "routine");
            assert_non_null(strstr(r.reason, "has raised it since 03-04 00:00"));
        } else {
            assert_int_equal(r.rule, HY_SCREEN_RULE_UNSURE);
        }
        run(s, mk(81, 3, 4, 86400 + 100)); /* sid 81 is known elsewhere */
        for (uint64_t i = 0; i < 5; i++) { /* and new to the old pair */
            r = run(s, mk(81, 1, 2, 86400 + 200 + i));
            assert_int_not_equal(r.rule, HY_SCREEN_RULE_ROUTINE);
            assert_int_not_equal(r.decision, HY_SCREEN_CLOSED);
        }
        assert_true(r.cluster_members >= 3);
        assert_true(r.pair_age_ns > 86400 * S_NS);
        assert_true(r.pair_sig_age_ns < 10 * S_NS);
        hy_screen_destroy(s);
    }
}

/* The pair of an alert that names a service (DNS query, TLS server name,
 * HTTP host) includes the name, case and a final dot aside: every host asks
 * the same resolver, and a new domain is a new peer. */
static void test_service_name_pairs(void **st)
{
    (void)st;
    hy_screen *s = new_screen();
    hy_alert_in a = mk(90, 1, 53, 0);
    a.dns_rrname = (hy_str){"a.example.com", 13};
    hy_screen_result r = run(s, a);
    assert_float_equal(r.f[HY_SF_PAIR_AGE], 0, 1e-6);
    a = mk(90, 1, 53, 3600);
    a.dns_rrname = (hy_str){"A.Example.COM.", 14};
    r = run(s, a);
    assert_float_equal(r.f[HY_SF_PAIR_AGE], log1p(3600), 1e-3);
    a = mk(90, 1, 53, 3700);
    a.dns_rrname = (hy_str){"b.example.com", 13};
    r = run(s, a);
    assert_float_equal(r.f[HY_SF_PAIR_AGE], 0, 1e-6);
    a = mk(90, 1, 53, 3800);
    a.tls_sni = (hy_str){"b.example.com", 13}; /* the same name by another field */
    r = run(s, a);
    assert_float_equal(r.f[HY_SF_PAIR_AGE], log1p(100), 1e-3);
    r = run(s, mk(90, 1, 53, 3900)); /* no name: the hosts alone */
    assert_float_equal(r.f[HY_SF_PAIR_AGE], 0, 1e-6);
    hy_screen_destroy(s);
}

static void test_never_seen_goes_to_a_human(void **st)
{
    (void)st;
    hy_screen *s = new_screen();
    uint64_t t = 0;
    hy_screen_result r;
    for (int i = 0; i < 50; i++)
        r = run(s, mk(7, 1, 2, t++));
    assert_int_equal(hy_screen_judge(s, r.cluster, HY_SCREEN_BENIGN, T0, NULL), HY_OK);
    r = run(s, mk(7, 1, 2, t++));
    assert_int_equal(r.decision, HY_SCREEN_CLOSED);
    /* a new signature in the very same context is never auto-closed */
    r = run(s, mk(8, 1, 2, t++));
    assert_true(r.never_seen);
    assert_int_not_equal(r.decision, HY_SCREEN_CLOSED);
    assert_non_null(strstr(r.reason, "never-seen"));
    r = run(s, mk(8, 1, 2, t++));
    assert_false(r.never_seen);
    hy_screen_destroy(s);
}

static void test_queue_orders_by_impact(void **st)
{
    (void)st;
    hy_screen *s = new_screen();
    hy_screen_ask ask[8];
    size_t n = 0;
    uint64_t t = 0;
    for (int i = 0; i < 30; i++)
        run(s, mk(60, 9, 10, t++)); /* a chatty pair */
    for (int i = 0; i < 3; i++)
        run(s, mk(61, 11, 12, t++));
    assert_int_equal(hy_screen_queue(s, ask, 8, &n), HY_OK);
    assert_true(n >= 2);
    assert_true(ask[0].members > ask[n - 1].members);
    assert_true(ask[0].impact >= ask[1].impact);
    /* judging the first takes it out of the queue */
    uint64_t first = ask[0].cluster;
    assert_int_equal(hy_screen_judge(s, first, HY_SCREEN_BENIGN, T0 + t * S_NS, NULL), HY_OK);
    assert_int_equal(hy_screen_queue(s, ask, 8, &n), HY_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(ask[i].cluster, first);
    hy_screen_destroy(s);
}

/* The queue's riskiest-cluster half skips what a compromised host raised:
 * those alerts escalate anyway, and would fill it with one intrusion. */
static void test_queue_skips_tainted(void **st)
{
    (void)st;
    hy_screen *s = new_screen();
    hy_screen_ask ask[2];
    size_t n = 0;
    uint64_t t = 0, tainted[10];
    hy_screen_result r;
    for (int i = 0; i < 40; i++)
        run(s, mk(92, 11, 12, t++)); /* the biggest cluster: asked first */
    hy_alert_in a = mk(1, 5, 6, t);
    assert_int_equal(hy_screen_taint(s, 4, a.src, a.dst, a.ts_ns, 1), HY_OK);
    for (int i = 0; i < 10; i++) {
        r = run(s, mk(90, 5, 6, ++t));
        assert_int_equal(r.rule, HY_SCREEN_RULE_TAINT);
        tainted[i] = r.cluster;
    }
    for (int i = 0; i < 3; i++)
        run(s, mk(91, 7, 8, ++t));
    assert_int_equal(hy_screen_queue(s, ask, 2, &n), HY_OK);
    assert_int_equal(n, 2);
    assert_true(ask[0].members >= 30);
    for (int i = 0; i < 10; i++)
        assert_int_not_equal(ask[1].cluster, tainted[i]);
    assert_true(ask[1].risk < 0.9);
    hy_screen_destroy(s);
}

static void test_determinism(void **st)
{
    (void)st;
    hy_screen *a = new_screen(), *b = new_screen();
    uint64_t x = 42;
    bool judged = false;
    for (unsigned i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t sid = (uint32_t)((x >> 33) % 40) * (uint32_t)((x >> 40) % 3 + 1);
        hy_alert_in al = mk(sid, (unsigned)(x >> 20) % 50, (unsigned)(x >> 28) % 7, i * 3);
        hy_screen_result ra = run(a, al), rb = run(b, al);
        assert_memory_equal(&ra, &rb, sizeof ra);
        if (i >= 10000 && !judged && ra.cluster) { /* the same verdict at the same point */
            judged = true;
            assert_int_equal(hy_screen_judge(a, ra.cluster, HY_SCREEN_BENIGN, al.ts_ns, NULL), HY_OK);
            assert_int_equal(hy_screen_judge(b, rb.cluster, HY_SCREEN_BENIGN, al.ts_ns, NULL), HY_OK);
        }
    }
    hy_screen_stats sa, sb;
    hy_screen_stats_get(a, &sa);
    hy_screen_stats_get(b, &sb);
    assert_true(sa.refits >= 1); /* the novelty model was fitted and used */
    assert_int_equal(sa.closed, sb.closed);
    assert_int_equal(sa.alerts, 20000);
    assert_true(judged);
    hy_screen_destroy(a);
    hy_screen_destroy(b);
}

static void test_groups_summary(void **st)
{
    (void)st;
    hy_screen_groups *g = NULL;
    hy_screen_group *v = NULL;
    size_t n = 0;
    hy_screen_result r;
    memset(&r, 0, sizeof r);
    r.decision = HY_SCREEN_CLOSED;
    r.cluster = 77;
    snprintf(r.reason, sizeof r.reason, "context cluster judged benign on 11-20 by analyst");
    assert_int_equal(hy_screen_groups_create(&g), HY_OK);
    for (unsigned i = 0; i < 1204; i++) {
        hy_alert_in a = mk(2100498, i % 200, 1, i);
        assert_int_equal(hy_screen_groups_add(g, &a, &r), HY_OK);
    }
    hy_screen_result esc = r;
    esc.decision = HY_SCREEN_ESCALATE;
    esc.priority = 0.9;
    snprintf(esc.reason, sizeof esc.reason, "rare");
    hy_alert_in a = mk(9, 1, 2, 5000);
    a.src[2] = 7;
    assert_int_equal(hy_screen_groups_add(g, &a, &esc), HY_OK);
    assert_int_equal(hy_screen_groups_list(g, &v, &n), HY_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].decision, HY_SCREEN_ESCALATE); /* escalated first */
    assert_int_equal(v[1].count, 1204);
    assert_non_null(strstr(v[1].summary, "1,204 alerts of sid 2100498 from 10.0.0.0/24"));
    assert_non_null(strstr(v[1].summary, "judged benign on 11-20"));
    free(v);
    hy_screen_groups_destroy(g);
}

static void test_settings(void **st)
{
    (void)st;
    hy_config *cfg = NULL;
    hy_screen_cfg c;
    struct hy_screen_net net;
    assert_int_equal(hy_config_create(&cfg), HY_OK);
    assert_int_equal(hy_config_append(cfg, "screen.critical", "10.0.1.0/24=0.9"), HY_OK);
    assert_int_equal(hy_config_append(cfg, "screen.critical", "2001:db8::/32"), HY_OK);
    assert_int_equal(hy_config_set(cfg, "screen.history", "5"), HY_OK);
    assert_int_equal(hy_screen_cfg_from_config(cfg, &c), HY_OK);
    assert_int_equal(c.history, 5);
    assert_float_equal(c.model_low, 0, 1e-9); /* the model never closes by default */
    assert_int_equal(c.new_pair_ns, 86400 * S_NS);
    assert_int_equal(hy_config_set(cfg, "screen.routine_s", "0"), HY_OK);
    assert_int_equal(hy_screen_cfg_from_config(cfg, &c), HY_OK);
    assert_int_equal(c.routine_ns, 0);
    assert_int_equal(c.n_critical, 2);
    assert_float_equal(c.critical[0].crit, 0.9, 1e-9);
    assert_int_equal(c.critical[1].ver, 6);
    assert_int_equal(hy_config_append(cfg, "screen.critical", "10.0.0.0/33"), HY_OK);
    assert_int_equal(hy_screen_cfg_from_config(cfg, &c), HY_ERR_CONFIG);
    hy_config_destroy(cfg);
    assert_int_equal(hy_screen_parse_net("192.168.1.7", &net), HY_OK);
    assert_int_equal(net.len, 32);
    assert_int_equal(hy_screen_parse_net("/8", &net), HY_ERR_FORMAT);
    assert_int_equal(hy_screen_parse_net("10.0.0.0/x", &net), HY_ERR_FORMAT);
    assert_int_equal(hy_screen_parse_net("::/129", &net), HY_ERR_FORMAT);
    /* criticality reaches the features */
    hy_screen_cfg_default(&c);
    assert_int_equal(hy_screen_parse_net("10.0.0.2/32", &c.critical[0]), HY_OK);
    c.n_critical = 1;
    hy_screen *s = NULL;
    assert_int_equal(hy_screen_create(&c, &s), HY_OK);
    hy_screen_result r = run(s, mk(1, 1, 2, 0));
    assert_float_equal(r.f[HY_SF_DST_CRIT], 1.0, 1e-6);
    assert_float_equal(r.f[HY_SF_SRC_CRIT], 0.0, 1e-6);
    assert_float_equal(r.f[HY_SF_SRC_INTERNAL], 1.0, 1e-6);
    hy_screen_destroy(s);
    c.history = 0;
    assert_int_equal(hy_screen_create(&c, &s), HY_ERR_ARG);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A verdict set before its cluster forms reaches it when it forms; a model
 * file carries such verdicts, and a bad one is refused whole. */
static void test_model_file(void **st)
{
    (void)st;
    char path[512], text[512];
    hy_screen *s = new_screen();
    hy_screen_result r;
    uint64_t t = 0;
    for (int i = 0; i < 10; i++)
        r = run(s, mk(70, 5, 6, t++));
    uint64_t id = r.cluster;
    hy_screen_destroy(s);
    snprintf(path, sizeof path, "%s/screen-model.json", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(text, sizeof text, "{\"engine\":\"screen\",\"format\":1,\"clusters\":[{\"id\":"
             "\"%016llx\",\"benign\":2,\"malicious\":0,\"time_ns\":5}],\"compromised\":[],"
             "\"gbm\":null}", (unsigned long long)id);
    write_text(path, text);
    s = new_screen();
    assert_int_equal(hy_screen_load_model(s, path), HY_OK);
    t = 0;
    for (int i = 0; i < 10; i++) /* the same input forms the same cluster */
        r = run(s, mk(70, 5, 6, t++));
    assert_int_equal(r.cluster, id);
    assert_int_equal(r.inherited, HY_SCREEN_BENIGN);
    assert_int_equal(r.decision, HY_SCREEN_CLOSED);
    static const char *const bad[] = {
        "{\"engine\":\"darknet\",\"format\":1,\"clusters\":[],\"compromised\":[],\"gbm\":null}",
        "{\"engine\":\"screen\",\"format\":1,\"clusters\":[{\"id\":\"zz\",\"benign\":1,"
        "\"malicious\":0,\"time_ns\":1}],\"compromised\":[],\"gbm\":null}",
        "{\"engine\":\"screen\",\"format\":1,\"clusters\":[{\"id\":\"0000000000000001\","
        "\"benign\":0,\"malicious\":0,\"time_ns\":1}],\"compromised\":[],\"gbm\":null}",
        "{\"engine\":\"screen\",\"format\":1,\"clusters\":[],\"compromised\":[{\"ip_version\":5,"
        "\"endpoints\":\"x\",\"time_ns\":1}],\"gbm\":null}",
        "{\"engine\":\"screen\",\"format\":1,\"clusters\":[],\"compromised\":[],\"gbm\":\"abc\"}",
        "{\"engine\":\"screen\",\"format\":1,\"clusters\":[],\"compromised\":[],\"gbm\":\"00ff\"}",
        "{\"engine\":\"screen\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_text(path, bad[i]);
        assert_int_equal(hy_screen_load_model(s, path), HY_ERR_FORMAT);
    }
    r = run(s, mk(70, 5, 6, t++)); /* the good verdict stays */
    assert_int_equal(r.decision, HY_SCREEN_CLOSED);
    assert_int_equal(hy_screen_judge_set(s, 99, 0, 0, 0, NULL), HY_ERR_ARG);
    remove(path);
    hy_screen_destroy(s);
}

/* Training columns from a stored screen.alert: today's features, and an
 * older alert's 20 with the newer ones missing; fewer is refused. */
static void test_training_row(void **st)
{
    (void)st;
    hy_alert a;
    hy_buf row;
    char ev[1024], list[512] = "";
    memset(&a, 0, sizeof a);
    strcpy(a.kind, "screen.alert");
    strcpy(a.id, "a1");
    a.ip_version = 4;
    a.time_ns = 5;
    for (int n = 19; n <= HY_SF__COUNT + 1; n++) {
        list[0] = '\0';
        for (int i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", i ? "," : "", i + 1);
        snprintf(ev, sizeof ev, "{\"screen\":{\"cluster\":\"00000000000000ab\"},"
                 "\"features\":[%s]}", list);
        a.evidence = ev;
        hy_buf_init(&row, 1 << 16);
        hy_err e = hy__scr_features(&a, &row);
        if (n < 20 || n > HY_SF__COUNT) {
            assert_int_equal(e, HY_ERR_FORMAT);
        } else {
            assert_int_equal(e, HY_OK);
            char *last = strrchr(row.data, ',');
            assert_string_equal(last + 1, n == HY_SF__COUNT ? "23" : "nan");
        }
        hy_buf_free(&row);
    }
    /* Pair features stored before pairs named their service are dropped. */
    list[0] = '\0';
    for (int i = 0; i < HY_SF__COUNT; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", i ? "," : "", i + 1);
    for (int v = 0; v <= 3; v++) {
        snprintf(ev, sizeof ev,
                 "{\"screen\":{\"cluster\":\"00000000000000ab\"},"
                 "\"features\":[%s]%s%.0d}",
                 list, v ? ",\"features_v\":" : "", v);
        a.evidence = ev;
        hy_buf_init(&row, 1 << 16);
        assert_int_equal(hy__scr_features(&a, &row), HY_OK);
        char *col = row.data;
        for (int k = 0; k < 6 + HY_SF_PAIR_RATE; k++) /* cluster..sig, then features */
            col = strchr(col, ',') + 1;
        assert_true(strncmp(col, v < 3 ? "nan," : "7,", v < 3 ? 4 : 2) == 0); /* feature 7 */
        for (int k = HY_SF_PAIR_RATE; k < HY_SF_PAIR_AGE; k++)
            col = strchr(col, ',') + 1;
        assert_true(strncmp(col, v < 3 ? "nan," : "21,", v < 3 ? 4 : 3) == 0); /* feature 21 */
        hy_buf_free(&row);
    }
    /* The signature column: the evidence's sig_key, else 0 (nothing to vouch for). */
    static const char *const sigs[][2] = {
        {",\"sig_key\":\"0000000100000007\"", ",0000000100000007,"},
        {"", ",0,"},
        {",\"sig_key\":\"xyz\"", ",0,"},
        {",\"sig_key\":7", ",0,"},
    };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        snprintf(ev, sizeof ev,
                 "{\"screen\":{\"cluster\":\"00000000000000ab\"},"
                 "\"features\":[%s]%s}",
                 list, sigs[i][0]);
        a.evidence = ev;
        hy_buf_init(&row, 1 << 16);
        assert_int_equal(hy__scr_features(&a, &row), HY_OK);
        char *col = row.data;
        for (int k = 0; k < 4; k++) /* cluster, ip_version, src, dst */
            col = strchr(col, ',') + 1;
        col = strchr(col, ','); /* after time_ns */
        assert_true(strncmp(col, sigs[i][1], strlen(sigs[i][1])) == 0);
        hy_buf_free(&row);
    }
}

/* hayate train screen: benign rows with a signature become vouched
 * sources in the model (format 2), attack rows compromised hosts; a
 * training set of the form before the sig column still trains; a model of
 * format 1 still loads, and a bad vouched entry is refused. */
static void test_train_vouches(void **st)
{
    (void)st;
    char dir[256], csv[320], model[320], text[1024];
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s", tmp);
    snprintf(csv, sizeof csv, "%s/screen-train-%d.csv", dir, (int)getpid());
    snprintf(model, sizeof model, "%s/screen-train-%d.json", dir, (int)getpid());
    hy_alert_in a = mk(7, 5, 6, 0);
    char src[33];
    for (int i = 0; i < 16; i++)
        snprintf(src + 2 * i, 3, "%02x", a.src[i]);
    for (int form = 2; form >= 1; form--) {
        FILE *f = fopen(csv, "w");
        assert_non_null(f);
        fprintf(f, "label,verdict,alert_id,cluster,ip_version,src,dst,time_ns,%s%s\n",
                form == 2 ? "sig," : "", HY_SCREEN_FEATURE_NAMES);
        for (int row = 0; row < 3; row++) { /* two benign verdicts, one attack */
            fprintf(f, "%d,%s,a%d,00000000000000ab,4,%s,%s,%llu%s", row == 2,
                    row == 2 ? "malicious" : "benign", row, src, src,
                    (unsigned long long)(T0 + (100 + row) * S_NS),
                    form == 2 ? (row == 2 ? ",0000000100000009" : ",0000000100000007") : "");
            for (int k = 0; k < HY_SF__COUNT; k++)
                fprintf(f, ",%d", row + k);
            fputc('\n', f);
        }
        for (int h = 0; form == 2 && h < 40; h++) { /* 40 more sources, each once */
            fprintf(f, "0,benign,b%d,00000000000000ac,4,0a0001%02x000000000000000000000000,%s,%llu,"
                    "0000000100000008", h, h, src, (unsigned long long)(T0 + 90 * S_NS));
            for (int k = 0; k < HY_SF__COUNT; k++)
                fprintf(f, ",%d", k);
            fputc('\n', f);
        }
        fclose(f);
        hy_screen_cfg c;
        hy_buf metrics;
        hy_screen_cfg_default(&c);
        hy_buf_init(&metrics, 1 << 16);
        assert_int_equal(hy__scr_train(&c, csv, model, &metrics), HY_OK);
        assert_non_null(
            strstr(metrics.data, form == 2 ? "\"sources_vouched\": 41," : "\"sources_vouched\": 0,"));
        hy_buf_free(&metrics);
        hy_screen *s = new_screen_with(true);
        assert_int_equal(hy_screen_load_model(s, model), HY_OK);
        run(s, mk(7, 9, 6, 150));                      /* sid 7 seen: not never-seen any more */
        hy_screen_result r = run(s, mk(7, 5, 6, 200)); /* host 5 compromised at 102 s */
        assert_int_equal(r.rule, HY_SCREEN_RULE_TAINT);
        hy_screen_destroy(s);
        s = new_screen_with(true);
        /* the same model without its compromised host and its supervised
         * model (three rows score anything): the vouch applies */
        hy_buf b;
        hy_buf_init(&b, 1 << 20);
        assert_int_equal(hy_buf_read_file(&b, model), HY_OK);
        char *comp = strstr(b.data, "\"compromised\":[");
        assert_non_null(comp);
        char *end = strchr(comp, ']');
        memmove(comp + 15, end, strlen(end) + 1);
        char *gbm = strstr(b.data, "\"gbm\":");
        assert_non_null(gbm);
        strcpy(gbm, "\"gbm\":null}");
        write_text(model, b.data);
        hy_buf_free(&b);
        assert_int_equal(hy_screen_load_model(s, model), HY_OK);
        run(s, mk(7, 9, 6, 150));
        r = run(s, mk(7, 5, 6, 200));
        assert_int_equal(r.rule, form == 2 ? HY_SCREEN_RULE_VOUCHED : HY_SCREEN_RULE_NEW_PAIR);
        hy_screen_destroy(s);
    }
    hy_screen *s = new_screen_with(true);
    snprintf(text, sizeof text,
             "{\"engine\":\"screen\",\"format\":1,\"clusters\":[],"
             "\"compromised\":[],\"gbm\":null}");
    write_text(model, text);
    assert_int_equal(hy_screen_load_model(s, model), HY_OK);
    static const char *const bad[] = {
        "{\"engine\":\"screen\",\"format\":2,\"clusters\":[],\"compromised\":[],\"gbm\":null}",
        "{\"engine\":\"screen\",\"format\":3,\"clusters\":[],\"compromised\":[],"
        "\"vouched\":[],\"gbm\":null}",
        "{\"engine\":\"screen\",\"format\":2,\"clusters\":[],\"compromised\":[],\"vouched\":"
        "[{\"ip_version\":4,\"src\":\"0a\",\"sig\":\"0000000100000007\",\"time_ns\":1}],"
        "\"gbm\":null}",
        "{\"engine\":\"screen\",\"format\":2,\"clusters\":[],\"compromised\":[],\"vouched\":"
        "[{\"ip_version\":4,\"src\":\"0a000005000000000000000000000000\",\"sig\":\"7\","
        "\"time_ns\":1}],\"gbm\":null}",
        "{\"engine\":\"screen\",\"format\":2,\"clusters\":[],\"compromised\":[],\"vouched\":"
        "[{\"ip_version\":4,\"src\":\"0a000005000000000000000000000000\",\"sig\":"
        "\"0000000100000007\",\"time_ns\":-1}],\"gbm\":null}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_text(model, bad[i]);
        assert_int_equal(hy_screen_load_model(s, model), HY_ERR_FORMAT);
    }
    hy_screen_destroy(s);
    remove(csv);
    remove(model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_context_window),
        cmocka_unit_test(test_age_features),
        cmocka_unit_test(test_cluster_inherits_verdict),
        cmocka_unit_test(test_new_pair_goes_to_a_human),
        cmocka_unit_test(test_routine_pair),
        cmocka_unit_test(test_service_name_pairs),
        cmocka_unit_test(test_never_seen_goes_to_a_human),
        cmocka_unit_test(test_vouched_source),
        cmocka_unit_test(test_queue_orders_by_impact),
        cmocka_unit_test(test_queue_skips_tainted),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_groups_summary),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_model_file),
        cmocka_unit_test(test_training_row),
        cmocka_unit_test(test_train_vouches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
