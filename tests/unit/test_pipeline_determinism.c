/* The pipeline gives byte-identical output for any thread count, with
 * engines of both kinds (sharded packet engine, threaded flow engine). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hayate/capture.h"
#include "hayate/pipeline.h"
#include "hayate/synth.h"
#include "net/shard.h"
#include "pipeline/internal.h"
#include "testutil.h"

/* --- a sharded engine: alerts on SYNs to port 22 (a per-packet property) --- */
static hy_err syn_create(const hy_engine_env *env, void **state)
{
    (void)env;
    *state = malloc(1);
    return *state ? HY_OK : HY_ERR_NOMEM;
}

static void t_destroy(void *state)
{
    free(state);
}

static hy_err syn_event(void *state, const hy_event *ev, const hy_emit *emit)
{
    const hy_pkt *p = ev->u.pkt;
    hy_alert *a;
    char subj[64];
    (void)state;
    if (p->proto != 6 || (p->tcp_flags & (HY_TCP_SYN | HY_TCP_ACK)) != HY_TCP_SYN ||
        p->dport != 22)
        return HY_OK;
    hy_addr_format(p->ip_version, p->src, subj);
    hy_err rc = hy_alert_create(ev->ts_ns, "tsyn", "tsyn.ssh_syn", 3, 0.5, "SYN to ssh", subj,
                                ev->seq, &a);
    return rc == HY_OK ? hy_emit_alert(emit, a) : rc;
}

static const hy_engine t_syn = {
    .name = "tsyn", .summary = "test", .consumes = HY_EV_BIT(HY_EV_PACKET), .sharded = true,
    .create = syn_create, .destroy = t_destroy, .on_event = syn_event};

/* --- a flow engine: alerts on big flows, and a per-tick summary --- */
typedef struct fstate {
    uint64_t flows_in_tick, big;
} fstate;

static hy_err fl_create(const hy_engine_env *env, void **state)
{
    (void)env;
    *state = calloc(1, sizeof(fstate));
    return *state ? HY_OK : HY_ERR_NOMEM;
}

static hy_err fl_event(void *state, const hy_event *ev, const hy_emit *emit)
{
    fstate *s = state;
    const hy_flow *f = ev->u.flow;
    hy_alert *a;
    char subj[64];
    s->flows_in_tick++;
    if (f->dir[0].pkts + f->dir[1].pkts < 40)
        return HY_OK;
    s->big++;
    hy_addr_format(f->ip_version, f->dst, subj);
    hy_err rc = hy_alert_create(f->last_ns, "tflow", "tflow.big", 2, 0.9, "big flow", subj,
                                f->first_seq, &a);
    return rc == HY_OK ? hy_emit_alert(emit, a) : rc;
}

static hy_err fl_tick(void *state, uint64_t now, bool final, const hy_emit *emit)
{
    fstate *s = state;
    hy_alert *a;
    char subj[32];
    if (!s->flows_in_tick)
        return HY_OK;
    snprintf(subj, sizeof subj, "%llu", (unsigned long long)s->flows_in_tick);
    s->flows_in_tick = 0;
    hy_err rc = hy_alert_create(now, "tflow", final ? "tflow.final" : "tflow.tick", 4, 0.1,
                                "flows closed in tick", subj, now, &a);
    return rc == HY_OK ? hy_emit_alert(emit, a) : rc;
}

static const hy_engine t_flow = {
    .name = "tflow", .summary = "test", .consumes = HY_EV_BIT(HY_EV_FLOW),
    .create = fl_create, .destroy = t_destroy, .on_event = fl_event, .tick = fl_tick};

/* --- a combining engine: shards count bare SYNs, the global instance sums
 * the parts and alerts each tick with the tick's count and at the end with
 * the total --- */
typedef struct sumstate {
    uint64_t n, total;
    bool global;
} sumstate;

static hy_err sum_create(const hy_engine_env *env, void **state)
{
    sumstate *s = calloc(1, sizeof(sumstate));
    if (!s)
        return HY_ERR_NOMEM;
    s->global = env->shard < 0;
    *state = s;
    return HY_OK;
}

static bool bare_syn(const hy_pkt *p)
{
    return p->proto == 6 && (p->tcp_flags & (HY_TCP_SYN | HY_TCP_ACK)) == HY_TCP_SYN;
}

static hy_err sum_event(void *state, const hy_event *ev, const hy_emit *emit)
{
    (void)emit;
    ((sumstate *)state)->n += bare_syn(ev->u.pkt);
    return HY_OK;
}

static void *sum_partial(void *state, uint64_t now)
{
    sumstate *s = state;
    uint64_t *part;
    (void)now;
    if (!s->n || !(part = malloc(sizeof *part)))
        return NULL;
    *part = s->n;
    s->n = 0;
    return part;
}

static hy_err sum_combine(void *state, void *part)
{
    ((sumstate *)state)->n += *(uint64_t *)part;
    free(part);
    return HY_OK;
}

static hy_err sum_tick(void *state, uint64_t now, bool final, const hy_emit *emit)
{
    sumstate *s = state;
    hy_alert *a;
    char subj[32];
    hy_err rc;
    if (!s->global) /* shards only count; partial() hands the count over */
        return HY_OK;
    if (s->n) {
        snprintf(subj, sizeof subj, "%llu", (unsigned long long)s->n);
        s->total += s->n;
        s->n = 0;
        if ((rc = hy_alert_create(now, "tsum", "tsum.tick", 4, 0.1, "SYNs", subj, now, &a)) ||
            (rc = hy_emit_alert(emit, a)))
            return rc;
    }
    if (!final || !s->total)
        return HY_OK;
    snprintf(subj, sizeof subj, "%llu", (unsigned long long)s->total);
    rc = hy_alert_create(now, "tsum", "tsum.total", 4, 0.1, "SYNs", subj, now, &a);
    return rc == HY_OK ? hy_emit_alert(emit, a) : rc;
}

static const hy_engine t_sum = {
    .name = "tsum", .summary = "test", .consumes = HY_EV_BIT(HY_EV_PACKET), .sharded = true,
    .create = sum_create, .destroy = t_destroy, .on_event = sum_event, .tick = sum_tick,
    .partial = sum_partial, .combine = sum_combine, .free_partial = free};

static const char *make_capture(const char *name, uint64_t seed, hy_synth_stats *st)
{
    static char path[512];
    hy_synth_cfg sc;
    hy_synth_cfg_default(&sc);
    sc.seed = seed;
    sc.flows = 3000;
    sc.packets = 60000;
    sc.duration_s = 30;
    snprintf(path, sizeof path, "%s/%s", hy_test_tmpdir(), name);
    assert_int_equal(hy_synth_traffic(&sc, path, st), HY_OK);
    return path;
}

/* Runs the whole pipeline over path with n threads, the capture thread
 * keeping share % of the flows; returns the EVE text. */
static char *run_share(const char *path, int threads, int share, uint64_t tick_ns, size_t max_flows,
                       hy_pipeline_stats *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    const hy_engine *engines[] = {&t_syn, &t_flow, &t_sum};
    hy_pipeline_cfg pc = {.threads = threads,
                          .capture_share = share,
                          .tick_ns = tick_ns,
                          .eve = mem,
                          .eve_flows = true,
                          .engines = engines,
                          .n_engines = 3};
    hy_pipeline *p;
    hy_source *src;
    hy_source_cfg scfg = {0};

    hy_flow_cfg_default(&pc.flow);
    if (max_flows)
        pc.flow.max_flows = max_flows;
    assert_non_null(mem);
    assert_int_equal(hy_source_open_offline(path, &scfg, &src), HY_OK);
    assert_int_equal(hy_pipeline_create(&pc, &p), HY_OK);
    assert_int_equal(hy_pipeline_feed(p, src, NULL, NULL, NULL), HY_OK);
    assert_int_equal(hy_pipeline_finish(p), HY_OK);
    hy_pipeline_stats_get(p, st);
    hy_pipeline_destroy(p);
    hy_source_close(src);
    fclose(mem);
    return text;
}

static char *run_cap(const char *path, int threads, uint64_t tick_ns, size_t max_flows,
                     hy_pipeline_stats *st)
{
    return run_share(path, threads, 0, tick_ns, max_flows, st);
}

/* Occurrences of needle in hay: a plain scan (ASan's strstr measures the
 * whole haystack on every call, quadratic over megabytes of EVE text). */
static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, m = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (*p == *needle && strncmp(p, needle, m) == 0)
            n++;
    return n;
}

/* Bare SYNs in the capture, counted without the pipeline. */
static uint64_t count_syns(const char *path)
{
    hy_source *src;
    hy_source_cfg scfg = {0};
    hy_raw_pkt raw;
    hy_decode_stats ds = {0};
    uint64_t n = 0;
    assert_int_equal(hy_source_open_offline(path, &scfg, &src), HY_OK);
    while (hy_source_next(src, &raw) == HY_OK) {
        hy_pkt p = {.data = raw.data, .caplen = raw.caplen, .wirelen = raw.wirelen,
                    .linktype = raw.linktype};
        hy_decode(&p, &ds);
        n += bare_syn(&p);
    }
    hy_source_close(src);
    return n;
}

/* The value of the "subject" of the first alert of this kind. */
static uint64_t subject_of(const char *text, const char *kind)
{
    const char *k = strstr(text, kind), *s;
    assert_non_null(k);
    s = strstr(k, "\"subject\":\"");
    assert_non_null(s);
    return strtoull(s + 11, NULL, 10);
}

static void check_threads(uint64_t tick_ns)
{
    hy_synth_stats ss;
    hy_pipeline_stats st1, stn;
    const char *path = make_capture("det.pcap", 42, &ss);
    char *one = run_cap(path, 1, tick_ns, 0, &st1);

    assert_int_equal(st1.packets, ss.packets);
    assert_true(st1.cpu_collector == 0 && st1.cpu_workers == 0); /* all inline */
    assert_int_equal(st1.flows, ss.flows); /* no flow split or merged */
    assert_int_equal(count(one, "\"event_type\":\"flow\""), st1.flows);
    assert_true(count(one, "tsyn.ssh_syn") > 0);
    assert_true(count(one, "tflow.big") > 0);
    assert_true(count(one, "tflow.tick") > 0);
    assert_true(count(one, "tsum.tick") > 1);
    assert_int_equal(subject_of(one, "tsum.total"), count_syns(path));
    assert_int_equal(count(one, "\"event_type\":\"alert\""), st1.alerts);
    /* threads, and the capture thread's share: none, some, the most */
    static const int runs[][2] = {{2, 0}, {2, 25}, {2, 50}, {3, 0}, {3, 17}, {4, 12}};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        int n = runs[r][0], share = runs[r][1];
        char *many = run_share(path, n, share, tick_ns, 0, &stn);
        assert_int_equal(stn.flows, st1.flows);
        assert_int_equal(stn.alerts, st1.alerts);
        /* thread CPU is reported: workers did the packets, the collector ran */
        assert_true(stn.cpu_workers > 0 && stn.cpu_worker_max <= stn.cpu_workers);
        assert_true(stn.cpu_collector > 0);
        if (strcmp(one, many) != 0) {
            size_t i = 0;
            while (one[i] && one[i] == many[i])
                i++;
            fail_msg("threads=%d share=%d%% output differs from threads=1 at byte %zu", n, share,
                     i);
        }
        free(many);
    }
    free(one);
}

static void test_same_output_any_threads(void **state)
{
    (void)state;
    check_threads(1000000000ull);
}

static void test_same_output_fine_ticks(void **state)
{
    (void)state;
    check_threads(10000000ull); /* 10 ms ticks: many barriers, small batches */
}

static void test_different_input_differs(void **state)
{
    hy_synth_stats ss;
    hy_pipeline_stats st;
    (void)state;
    char *a = run_cap(make_capture("a.pcap", 1, &ss), 2, 1000000000ull, 0, &st);
    char *b = run_cap(make_capture("b.pcap", 2, &ss), 2, 1000000000ull, 0, &st);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

/* Appends one Ethernet/IPv4/TCP SYN record to a classic pcap image. */
static size_t put_syn(uint8_t *b, uint32_t usec, uint32_t src, uint32_t dst, uint16_t sp,
                      uint16_t dp)
{
    uint8_t *f = b + 16;
    uint32_t len = 14 + 20 + 20;
    uint32_t hdr[4] = {1700000000u + usec / 1000000u, usec % 1000000u, len, len};
    memcpy(b, hdr, 16);
    memset(f, 0, len);
    f[12] = 0x08;
    f[14] = 0x45, f[17] = 40, f[22] = 64, f[23] = 6;
    for (int i = 0; i < 4; i++) {
        f[26 + i] = (uint8_t)(src >> (24 - 8 * i));
        f[30 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    f[34] = (uint8_t)(sp >> 8), f[35] = (uint8_t)sp;
    f[36] = (uint8_t)(dp >> 8), f[37] = (uint8_t)dp;
    f[46] = 0x50, f[47] = 0x02; /* data offset 5, SYN */
    return 16 + len;
}

/* The shard-hash slot of IPv4 packets between src and dst: with a capture
 * share of s %, slots below HY__SLOTS * s / 100 are the capture thread's. */
static uint32_t slot_of(uint32_t src, uint32_t dst)
{
    uint8_t b[16 + 54];
    uint32_t keep;
    put_syn(b, 0, src, dst, 1, 2);
    return hy_shard_hash(HY_LINK_ETHERNET, b + 16, 54, &keep) & (HY__SLOTS - 1);
}

/* A port scan between one address pair (so one shard) at the flow cap, with
 * a trickle of other traffic on another shard: every SYN evicts a flow, so
 * one worker emits a flow per packet while the other says almost nothing.
 * Before marks and heartbeats this filled the busy worker's stream while the
 * merge waited on the idle one, and the run hung. */
static void test_skewed_shards_at_cap_finish(void **state)
{
    (void)state;
    /* evicted flows: more than a worker's input and stream queues hold */
    enum { SYNS = 150000 };
    size_t cap = 24 + (size_t)(SYNS + SYNS / 500 + 1) * 70, n = 24;
    uint8_t *img = malloc(cap);
    const uint32_t ghdr[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};
    char path[512];
    hy_pipeline_stats st;

    assert_non_null(img);
    memcpy(img, ghdr, 24);
    uint32_t scan = 0x0a000001, quiet = 0x0a090909;
    /* the scan on a threaded worker, the quiet pair on the capture thread's
     * shard, with shares of 33 and 50 % */
    while (slot_of(scan, 0x0a000002) < HY__SLOTS / 2)
        scan++;
    while (slot_of(quiet, 0x0a080808) >= HY__SLOTS * 33 / 100)
        quiet++;
    for (uint32_t i = 0; i < SYNS; i++) {
        n += put_syn(img + n, i * 5, scan, 0x0a000002, (uint16_t)(40000 + i / 60000),
                     (uint16_t)(1 + i % 60000));
        if (i % 500 == 0)
            n += put_syn(img + n, i * 5, quiet, 0x0a080808, 5555, 80);
    }
    snprintf(path, sizeof path, "%s/skew.pcap", hy_test_tmpdir());
    hy_test_write_file(path, img, n);
    free(img);
    /* the scan's pair on a threaded worker and (share 50) on the capture
     * thread's own shard */
    static const int runs[][2] = {{1, 0}, {2, 0}, {3, 0}, {2, 50}, {3, 33}};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        char *out = run_share(path, runs[r][0], runs[r][1], 1000000000ull, 1024, &st);
        assert_int_equal(st.packets, SYNS + SYNS / 500);
        assert_int_equal(st.flows, SYNS + 1); /* every scan port, plus the other pair */
        assert_int_equal(count(out, "\"event_type\":\"flow\""), SYNS + 1);
        free(out);
    }
}

/* run.capture_share: -1 gives 40 / threads (under a worker's share, as the
 * capture thread also reads and routes), none with a live interface; a
 * value set is kept. */
static int share_of(const char *threads, const char *share, const char *iface)
{
    hy_config *c;
    hy_pipeline_cfg pc;
    const hy_engine *engines[1];
    assert_int_equal(hy_config_create(&c), HY_OK);
    assert_int_equal(hy_config_set(c, "run.threads", threads), HY_OK);
    if (share)
        assert_int_equal(hy_config_set(c, "run.capture_share", share), HY_OK);
    if (iface)
        assert_int_equal(hy_config_set(c, "input.interface", iface), HY_OK);
    assert_int_equal(hy_pipeline_cfg_from_config(c, engines, 1, &pc), HY_OK);
    hy_config_destroy(c);
    return pc.capture_share;
}

static void test_capture_share_config(void **state)
{
    (void)state;
    assert_int_equal(share_of("2", NULL, NULL), 20);
    assert_int_equal(share_of("4", NULL, NULL), 10);
    assert_int_equal(share_of("2", NULL, "eth0"), 0);
    assert_int_equal(share_of("2", "40", "eth0"), 40);
    assert_int_equal(share_of("2", "0", NULL), 0);
}

static atomic_ulong g_seen_flows;
static void seen_flow(void *ud, const hy_flow *f)
{
    (void)ud, (void)f;
    atomic_fetch_add(&g_seen_flows, 1);
}

/* Flows a threaded worker exports reach the collector's observers before
 * the pipeline finishes, even when the capture thread's own shard has said
 * nothing since: a feed's end marks that shard's stream. A port scan at
 * the flow cap on the worker's side (every SYN evicts a flow) and one
 * packet on the capture thread's side, all inside one tick and under the
 * 4,096 packets of the routine marks. */
static void test_feed_end_marks_capture_shard(void **state)
{
    enum { SYNS = 3000 };
    uint8_t *img = malloc(24 + (size_t)(SYNS + 1) * 70);
    const uint32_t ghdr[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};
    uint32_t scan = 0x0a000001, quiet = 0x0a090909;
    size_t n = 24;
    char path[512];
    (void)state;
    assert_non_null(img);
    while (slot_of(scan, 0x0a000002) < HY__SLOTS / 2) /* a threaded worker's, at 50 % */
        scan++;
    while (slot_of(quiet, 0x0a080808) >= HY__SLOTS / 2) /* the capture thread's */
        quiet++;
    memcpy(img, ghdr, 24);
    n += put_syn(img + n, 0, quiet, 0x0a080808, 5555, 80);
    for (uint32_t i = 0; i < SYNS; i++)
        n += put_syn(img + n, 10 + i, scan, 0x0a000002, 40000, (uint16_t)(1 + i));
    snprintf(path, sizeof path, "%s/feedend.pcap", hy_test_tmpdir());
    hy_test_write_file(path, img, n);
    free(img);

    hy_pipeline_cfg pc = {
        .threads = 2, .capture_share = 50, .tick_ns = 1000000000ull, .on_flow = seen_flow};
    hy_pipeline *p;
    hy_source *src;
    hy_source_cfg scfg = {0};
    hy_flow_cfg_default(&pc.flow);
    pc.flow.max_flows = 1024;
    atomic_store(&g_seen_flows, 0);
    assert_int_equal(hy_source_open_offline(path, &scfg, &src), HY_OK);
    assert_int_equal(hy_pipeline_create(&pc, &p), HY_OK);
    assert_int_equal(hy_pipeline_feed(p, src, NULL, NULL, NULL), HY_OK);
    /* the worker's share of the cap is 513: the rest were evicted */
    for (int i = 0; i < 500 && atomic_load(&g_seen_flows) < SYNS - 600; i++)
        usleep(10000);
    assert_true(atomic_load(&g_seen_flows) >= SYNS - 600);
    assert_int_equal(hy_pipeline_finish(p), HY_OK);
    assert_int_equal(atomic_load(&g_seen_flows), SYNS + 1);
    hy_pipeline_destroy(p);
    hy_source_close(src);
}

static hy_err bad_create(const hy_engine_env *env, void **state)
{
    (void)env, (void)state;
    return hy_err_set(HY_ERR_CONFIG, "tbad: refuses to start");
}

static const hy_engine t_bad = {.name = "tbad", .summary = "test", .consumes = HY_EV_BIT(HY_EV_FLOW),
                                .create = bad_create, .destroy = t_destroy, .on_event = fl_event};
static const hy_engine t_pkt_unsharded = {
    .name = "tpkt", .summary = "test", .consumes = HY_EV_BIT(HY_EV_PACKET),
    .create = syn_create, .destroy = t_destroy, .on_event = syn_event};

/* Engines that cannot start fail pipeline creation cleanly (ASan checks that
 * nothing leaks or is used after free), for either thread mode. */
static void test_engine_start_failures(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 3; threads += 2) {
        const hy_engine *bad[] = {&t_syn, &t_flow, &t_bad};
        const hy_engine *pkt[] = {&t_pkt_unsharded};
        hy_pipeline_cfg pc = {.threads = threads, .tick_ns = 1000000000ull, .engines = bad,
                              .n_engines = 3};
        hy_pipeline *p = NULL;
        hy_flow_cfg_default(&pc.flow);
        assert_int_equal(hy_pipeline_create(&pc, &p), HY_ERR_CONFIG);
        assert_null(p);
        pc.engines = pkt;
        pc.n_engines = 1;
        assert_int_equal(hy_pipeline_create(&pc, &p), HY_ERR_UNSUPPORTED);
        assert_non_null(strstr(hy_err_detail(), "must be sharded"));
        assert_null(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_output_any_threads),
        cmocka_unit_test(test_capture_share_config),
        cmocka_unit_test(test_feed_end_marks_capture_shard),
        cmocka_unit_test(test_same_output_fine_ticks),
        cmocka_unit_test(test_different_input_differs),
        cmocka_unit_test(test_engine_start_failures),
        cmocka_unit_test(test_skewed_shards_at_cap_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
