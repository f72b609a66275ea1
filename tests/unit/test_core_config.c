/* hy_config: the key table and its defaults, the file format, lists,
 * overrides, every error (with its path:line detail), and the shipped
 * example configs and docs. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/config.h"
#include "hayate/limits.h"

static hy_config *new_config(void)
{
    hy_config *c = NULL;
    assert_int_equal(hy_config_create(&c), HY_OK);
    return c;
}

static hy_err parse(hy_config *c, const char *text)
{
    return hy_config_parse(c, "test.conf", text, strlen(text));
}

/* Parses text, expects HY_ERR_CONFIG and a detail starting with want. */
static void expect_error(const char *text, size_t len, const char *want)
{
    hy_config *c = new_config();
    hy_err e = hy_config_parse(c, "t.conf", text, len);
    if (e != HY_ERR_CONFIG || strncmp(hy_err_detail(), want, strlen(want)) != 0)
        fail_msg("for %.60s: got %d '%s', want '%s'", text, e, hy_err_detail(), want);
    hy_config_destroy(c);
}

#define EXPECT_ERROR(lit, want) expect_error(lit, sizeof(lit) - 1, want)

static void test_key_table(void **state)
{
    static const char *const names[] = {
        "run.threads",
        "run.capture_share",
        "run.tick_ms",
        "run.log_level",
        "input.files",
        "input.samples",
        "input.reports",
        "input.spool",
        "input.reports_spool",
        "input.spool_interval",
        "input.spool_settle",
        "input.alerts",
        "input.alerts_follow",
        "input.interface",
        "input.bpf",
        "input.snaplen",
        "input.promisc",
        "flow.max",
        "flow.idle_timeout",
        "flow.active_timeout",
        "flow.tcp_closed_timeout",
        "flow.community_id_seed",
        "flow.enabled",
        "output.eve",
        "output.eve_flows",
        "store.path",
        "store.flows",
        "store.batch",
        "models.dir",
        "sink.webhook_url",
        "sink.webhook_header",
        "sink.webhook_timeout_ms",
        "sink.webhook_retries",
        "sink.webhook_queue",
        "sink.webhook_drain_ms",
        "sink.syslog_target",
        "sink.syslog_facility",
        "sink.syslog_ident",
        "serve.enabled",
        "serve.listen",
        "serve.token",
        "serve.threads",
        "serve.max_request",
        "serve.max_upload",
        "serve.cors_origin",
        "engines.enabled",
        "intel.attack_tables",
        "intel.model",
        "intel.min_confidence_pm",
        "intel.match",
        "intel.match_max",
        "intel.match_window_s",
        "screen.history",
        "screen.window_s",
        "screen.rate_s",
        "screen.eps_pm",
        "screen.context",
        "screen.min_members",
        "screen.floor_pm",
        "screen.escalate_pm",
        "screen.taint_s",
        "screen.pos_weight",
        "screen.group_s",
        "screen.emit_closed",
        "screen.own",
        "screen.model_high_pm",
        "screen.model_low_pm",
        "screen.new_pair_s",
        "screen.routine_s",
        "screen.vouch",
        "screen.warmup",
        "screen.refit_s",
        "screen.critical",
        "screen.home",
        "malware.yara_rules",
        "malware.yara_timeout_s",
        "malware.labels",
        "malware.threshold_pm",
        "malware.suspicious_pm",
        "malware.core_distance",
        "malware.family_distance",
        "malware.index_max",
        "malware.rounds",
        "malware.max_depth",
        "malware.eta_pm",
        "darknet.prefixes",
        "darknet.bin_s",
        "darknet.exact_sources",
        "darknet.max_sources",
        "darknet.max_ports",
        "darknet.history_bins",
        "darknet.recent_bins",
        "darknet.max_history_ports",
        "darknet.z",
        "darknet.min_sources",
        "darknet.min_ratio",
        "darknet.new_port_sources",
        "darknet.raised_ports",
        "darknet.raise_factor",
        "darknet.scanner_packets",
        "darknet.incident_idle_bins",
        "darknet.glasso_hosts",
        "darknet.glasso_window_bins",
        "darknet.glasso_seed",
        "darknet.glasso_rho_min_pct",
        "darknet.glasso_rho_max_pct",
        "darknet.glasso_rho_step_pct",
        "darknet.glasso_history",
        "darknet.glasso_min_history",
        "darknet.glasso_port_hosts",
        "darknet.glasso_port_share_pct",
        "darknet.glasso_growth",
        "darknet.long_baseline_bins",
        "darknet.persist_window",
        "darknet.persist_bins",
        "darknet.persist_new_bins",
        "darknet.persist_pairs",
        "darknet.nmf_hosts",
        "darknet.nmf_window_bins",
        "darknet.nmf_step_bins",
        "darknet.nmf_max_rank",
        "darknet.nmf_port_hosts",
        "darknet.nmf_growth",
        "darknet.nmf_min_history",
    };
    size_t n = 0;
    while (hy_config_keys[n].name) {
        assert_true(n < sizeof names / sizeof names[0]);
        assert_string_equal(hy_config_keys[n].name, names[n]);
        assert_non_null(hy_config_keys[n].doc);
        assert_true(strlen(hy_config_keys[n].doc) > 5);
        n++;
    }
    assert_int_equal(n, sizeof names / sizeof names[0]);
}

/* Every default parses as its type, lies in range, and is what the getters
 * return on a fresh config. */
static void test_defaults(void **state)
{
    hy_config *c = new_config();
    for (size_t i = 0; hy_config_keys[i].name; i++) {
        const hy_config_key *k = &hy_config_keys[i];
        char *end;
        size_t n;
        switch (k->type) {
        case HY_CFG_INT: {
            long long v = strtoll(k->def, &end, 10);
            assert_true(*k->def && *end == '\0');
            assert_true(k->min <= k->max);
            assert_true(v >= k->min && v <= k->max);
            assert_int_equal(hy_config_int(c, k->name), v);
            break;
        }
        case HY_CFG_BOOL:
            assert_true(strcmp(k->def, "true") == 0 || strcmp(k->def, "false") == 0);
            assert_int_equal(hy_config_bool(c, k->name), strcmp(k->def, "true") == 0);
            break;
        case HY_CFG_STR:
            assert_string_equal(hy_config_str(c, k->name), k->def);
            break;
        case HY_CFG_LIST:
            assert_string_equal(k->def, "");
            assert_null(hy_config_list(c, k->name, &n)[0]);
            assert_int_equal(n, 0);
            break;
        }
        /* setting the default text explicitly is accepted */
        assert_int_equal(hy_config_set(c, k->name, k->def), HY_OK);
    }
    /* defaults agree with limits.h */
    assert_int_equal(hy_config_int(c, "flow.max"), HY_DEFAULT_FLOW_MAX);
    assert_int_equal(hy_config_int(c, "flow.idle_timeout"), HY_DEFAULT_FLOW_IDLE_S);
    assert_int_equal(hy_config_int(c, "flow.active_timeout"), HY_DEFAULT_FLOW_ACTIVE_S);
    assert_int_equal(hy_config_int(c, "flow.tcp_closed_timeout"), HY_DEFAULT_TCP_CLOSED_S);
    assert_int_equal(hy_config_int(c, "input.snaplen"), HY_MAX_SNAPLEN);
    assert_int_equal(hy_config_int(c, "store.batch"), HY_STORE_BATCH_ROWS);
    assert_int_equal(hy_config_int(c, "run.threads"), 1);
    assert_int_equal(hy_config_int(c, "run.tick_ms"), 1000);
    assert_string_equal(hy_config_str(c, "run.log_level"), "info");
    assert_string_equal(hy_config_str(c, "store.path"), "hayate.db");
    assert_true(hy_config_bool(c, "input.promisc"));
    assert_false(hy_config_bool(c, "output.eve_flows"));
    assert_true(hy_config_bool(c, "store.flows"));
    hy_config_destroy(c);
    hy_config_destroy(NULL);
}

static void test_parse_full(void **state)
{
    hy_config *c = new_config();
    const char *text = "# hayate test config\n"
                       "run.threads = 4   # fully qualified, outside a section\n"
                       "\n"
                       "[run]\n"
                       "  tick_ms=250\n"
                       "log_level = debug\n"
                       "[ input ]   # comment after a header\n"
                       "bpf = \"tcp port 80 # not a comment\"\n"
                       "interface = eth#0\n"
                       "snaplen = +1500\n"
                       "promisc = off\n"
                       "[output]\n"
                       "eve = \"say \\\"hi\\\" \\\\ there\"\n"
                       "eve_flows = YES\n"
                       "[store]\n"
                       "flow.max = 2048\n" /* fully qualified inside a section */
                       "path =\n"
                       "flows = 0\n"
                       "batch = 100000\n";
    assert_int_equal(parse(c, text), HY_OK);
    assert_int_equal(hy_config_int(c, "run.threads"), 4);
    assert_int_equal(hy_config_int(c, "run.tick_ms"), 250);
    assert_string_equal(hy_config_str(c, "run.log_level"), "debug");
    assert_string_equal(hy_config_str(c, "input.bpf"), "tcp port 80 # not a comment");
    assert_string_equal(hy_config_str(c, "input.interface"), "eth#0");
    assert_int_equal(hy_config_int(c, "input.snaplen"), 1500);
    assert_false(hy_config_bool(c, "input.promisc"));
    assert_string_equal(hy_config_str(c, "output.eve"), "say \"hi\" \\ there");
    assert_true(hy_config_bool(c, "output.eve_flows"));
    assert_int_equal(hy_config_int(c, "flow.max"), 2048);
    assert_string_equal(hy_config_str(c, "store.path"), "");
    assert_false(hy_config_bool(c, "store.flows"));
    assert_int_equal(hy_config_int(c, "store.batch"), 100000);
    /* untouched keys keep their defaults */
    assert_int_equal(hy_config_int(c, "flow.idle_timeout"), 60);
    hy_config_destroy(c);
}

static void test_bools_and_line_endings(void **state)
{
    static const struct {
        const char *v;
        bool want;
    } cases[] = {{"true", 1}, {"false", 0}, {"yes", 1}, {"no", 0},   {"on", 1},
                 {"off", 0},  {"1", 1},     {"0", 0},   {"True", 1}, {"OFF", 0}};
    hy_config *c = new_config();
    char line[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(line, sizeof line, "output.eve_flows = %s\r\n", cases[i].v);
        assert_int_equal(parse(c, line), HY_OK);
        assert_int_equal(hy_config_bool(c, "output.eve_flows"), cases[i].want);
    }
    /* UTF-8 BOM, CRLF, no final newline, non-ASCII value */
    assert_int_equal(parse(c, "\xEF\xBB\xBF[store]\r\npath = caf\xC3\xA9.db"), HY_OK);
    assert_string_equal(hy_config_str(c, "store.path"), "caf\xC3\xA9.db");
    assert_int_equal(hy_config_parse(c, "empty", "", 0), HY_OK);
    hy_config_destroy(c);
}

static void test_lists(void **state)
{
    hy_config *c = new_config();
    size_t n;
    const char *const *l;

    assert_int_equal(parse(c, "[input]\n"
                              "files = a.pcap, b.pcap\n"
                              "files = dir/ ,\"with, comma.pcap\", \"q\\\"\" # comment\n"
                              "files =\n"
                              "files = last file.pcap,\n"),
                     HY_OK);
    l = hy_config_list(c, "input.files", &n);
    assert_int_equal(n, 6);
    assert_string_equal(l[0], "a.pcap");
    assert_string_equal(l[1], "b.pcap");
    assert_string_equal(l[2], "dir/");
    assert_string_equal(l[3], "with, comma.pcap");
    assert_string_equal(l[4], "q\"");
    assert_string_equal(l[5], "last file.pcap");
    assert_null(l[6]);

    /* a second file appends too */
    assert_int_equal(parse(c, "input.files = -\n"), HY_OK);
    l = hy_config_list(c, "input.files", &n);
    assert_int_equal(n, 7);
    assert_string_equal(l[6], "-");

    /* hy_config_append takes an item literally, commas included */
    assert_int_equal(hy_config_append(c, "input.files", "odd, name.pcap"), HY_OK);
    l = hy_config_list(c, "input.files", &n);
    assert_int_equal(n, 8);
    assert_string_equal(l[7], "odd, name.pcap");
    assert_int_equal(hy_config_append(c, "store.path", "x"), HY_ERR_CONFIG);
    assert_int_equal(hy_config_append(c, "input.files", ""), HY_ERR_CONFIG);

    /* hy_config_set replaces, splitting on commas */
    assert_int_equal(hy_config_set(c, "input.files", " x.pcap , y.pcap,,"), HY_OK);
    l = hy_config_list(c, "input.files", &n);
    assert_int_equal(n, 2);
    assert_string_equal(l[0], "x.pcap");
    assert_string_equal(l[1], "y.pcap");
    assert_int_equal(hy_config_set(c, "input.files", ""), HY_OK);
    l = hy_config_list(c, "input.files", &n);
    assert_int_equal(n, 0);
    assert_null(l[0]);

    assert_int_equal(hy_config_set(c, "engines.enabled", "darknet,tls"), HY_OK);
    l = hy_config_list(c, "engines.enabled", NULL);
    assert_string_equal(l[0], "darknet");
    assert_string_equal(l[1], "tls");
    hy_config_destroy(c);
}

static void test_set_overrides(void **state)
{
    hy_config *c = new_config();
    assert_int_equal(parse(c, "[run]\nthreads = 8\n"), HY_OK);
    assert_int_equal(hy_config_set(c, "run.threads", "2"), HY_OK);
    assert_int_equal(hy_config_int(c, "run.threads"), 2);
    assert_int_equal(hy_config_set(c, "input.bpf", "  host 10.0.0.1 # literal  "), HY_OK);
    assert_string_equal(hy_config_str(c, "input.bpf"), "  host 10.0.0.1 # literal  ");
    assert_int_equal(hy_config_set(c, "store.flows", "no"), HY_OK);
    assert_false(hy_config_bool(c, "store.flows"));

    /* errors leave the value alone */
    assert_int_equal(hy_config_set(c, "run.threads", "65"), HY_ERR_CONFIG);
    assert_string_equal(hy_err_detail(), "run.threads: 65 is out of range (1..64)");
    assert_int_equal(hy_config_set(c, "run.threads", "0"), HY_ERR_CONFIG);
    assert_int_equal(hy_config_set(c, "run.threads", "2x"), HY_ERR_CONFIG);
    assert_int_equal(hy_config_set(c, "run.threads", ""), HY_ERR_CONFIG);
    assert_int_equal(hy_config_set(c, "run.threads", "0x10"), HY_ERR_CONFIG);
    assert_int_equal(hy_config_set(c, "run.threads", "99999999999999999999"), HY_ERR_CONFIG);
    assert_int_equal(hy_config_int(c, "run.threads"), 2);
    assert_int_equal(hy_config_set(c, "store.flows", "maybe"), HY_ERR_CONFIG);
    assert_false(hy_config_bool(c, "store.flows"));
    assert_int_equal(hy_config_set(c, "run.log_level", "loud"), HY_ERR_CONFIG);
    assert_non_null(strstr(hy_err_detail(), "error|warn|info|debug"));
    assert_string_equal(hy_config_str(c, "run.log_level"), "info");
    assert_int_equal(hy_config_set(c, "run.log_level", "warn"), HY_OK);
    assert_string_equal(hy_config_str(c, "run.log_level"), "warn");
    assert_int_equal(hy_config_set(c, "run.nope", "1"), HY_ERR_CONFIG);
    assert_string_equal(hy_err_detail(), "unknown key 'run.nope'");
    assert_int_equal(hy_config_set(c, NULL, "1"), HY_ERR_ARG);

    /* range edges */
    assert_int_equal(hy_config_set(c, "flow.tcp_closed_timeout", "0"), HY_OK);
    assert_int_equal(hy_config_set(c, "flow.community_id_seed", "65535"), HY_OK);
    assert_int_equal(hy_config_set(c, "flow.community_id_seed", "65536"), HY_ERR_CONFIG);
    assert_int_equal(hy_config_set(c, "flow.max", "1023"), HY_ERR_CONFIG);
    assert_int_equal(hy_config_set(c, "flow.max", "100000000"), HY_OK);
    assert_int_equal(hy_config_int(c, "flow.max"), 100000000);
    hy_config_destroy(c);
}

static void test_getters_misuse(void **state)
{
    hy_config *c = new_config();
    size_t n = 9;
    assert_string_equal(hy_config_str(c, "no.such"), "");
    assert_string_equal(hy_config_str(c, "run.threads"), ""); /* wrong type */
    assert_int_equal(hy_config_int(c, "run.log_level"), 0);
    assert_false(hy_config_bool(c, "no.such"));
    assert_null(hy_config_list(c, "run.threads", &n)[0]);
    assert_int_equal(n, 0);
    hy_config_destroy(c);
}

static void test_errors(void **state)
{
    EXPECT_ERROR("[nosuch]\n", "t.conf:1: unknown section 'nosuch'");
    EXPECT_ERROR("\n\n[run]\nfoo = 1\n", "t.conf:4: unknown key 'run.foo'");
    EXPECT_ERROR("bogus.key = 1\n", "t.conf:1: unknown key 'bogus.key'");
    EXPECT_ERROR("threads = 1\n", "t.conf:1: key 'threads' outside a section");
    EXPECT_ERROR("[run]\nthreads = 0\n", "t.conf:2: run.threads: 0 is out of range (1..64)");
    EXPECT_ERROR("[run]\nthreads = two\n", "t.conf:2: run.threads: 'two' is not a decimal");
    EXPECT_ERROR("[run]\nthreads = \n", "t.conf:2: run.threads: '' is not a decimal");
    EXPECT_ERROR("[run]\nthreads = \"4\" x\n", "t.conf:2: run.threads: unexpected text");
    EXPECT_ERROR("[store]\nflows = maybe\n", "t.conf:2: store.flows: 'maybe' is not a boolean");
    EXPECT_ERROR("[run]\nlog_level = chatty\n", "t.conf:2: run.log_level: 'chatty' is not one");
    EXPECT_ERROR("[run]\nthreads\n", "t.conf:2: expected 'key = value'");
    EXPECT_ERROR("[run]\n= 3\n", "t.conf:2: expected 'key = value'");
    EXPECT_ERROR("[run\n", "t.conf:1: bad section header");
    EXPECT_ERROR("[]\n", "t.conf:1: bad section header");
    EXPECT_ERROR("[run] x\n", "t.conf:1: unexpected text after section header");
    EXPECT_ERROR("input.bpf = \"open\n", "t.conf:1: unterminated quoted value");
    EXPECT_ERROR("input.bpf = \"a\\nb\"\n", "t.conf:1: bad escape");
    EXPECT_ERROR("input.files = \"a\" b\n", "t.conf:1: input.files: unexpected text");
    EXPECT_ERROR("input.bpf = a\0b\n", "t.conf:1: NUL byte at column 14");
    EXPECT_ERROR("# ok\ninput.bpf = \xC3\x28\n", "t.conf:2: invalid UTF-8 at column 13");
    EXPECT_ERROR("input.bpf = \xED\xA0\x80\n", "t.conf:1: invalid UTF-8");
    EXPECT_ERROR("input.bpf = \xC0\xAF\n", "t.conf:1: invalid UTF-8");
    EXPECT_ERROR("input.bpf = a\x1b[31m\n", "t.conf:1: control character 0x1b");
    EXPECT_ERROR("input.bpf = a\rb\n", "t.conf:1: control character 0x0d");
}

static void test_size_limits(void **state)
{
    size_t n = HY_MAX_CONFIG_LINE;
    char *text = malloc(HY_MAX_CONFIG_BYTES + 2);
    hy_config *c = new_config();

    /* a line of exactly HY_MAX_CONFIG_LINE bytes is fine, one more is not */
    memcpy(text, "input.bpf = ", 12);
    memset(text + 12, 'x', n - 12);
    text[n] = '\n';
    assert_int_equal(hy_config_parse(c, "t.conf", text, n + 1), HY_OK);
    assert_int_equal(strlen(hy_config_str(c, "input.bpf")), n - 12);
    text[n] = 'x';
    text[n + 1] = '\n';
    expect_error(text, n + 2, "t.conf:1: line longer than 4096 bytes");

    /* file size: exactly the cap parses, one byte more does not */
    memset(text, '\n', HY_MAX_CONFIG_BYTES + 1);
    assert_int_equal(hy_config_parse(c, "t.conf", text, HY_MAX_CONFIG_BYTES), HY_OK);
    assert_int_equal(hy_config_parse(c, "t.conf", text, HY_MAX_CONFIG_BYTES + 1), HY_ERR_CONFIG);
    assert_string_equal(hy_err_detail(), "t.conf: file larger than 1048576 bytes");

    char path[512];
    snprintf(path, sizeof path, "%s/big.conf", hy_test_tmpdir());
    hy_test_write_file(path, text, HY_MAX_CONFIG_BYTES + 1);
    assert_int_equal(hy_config_load(c, path), HY_ERR_CONFIG);
    assert_non_null(strstr(hy_err_detail(), "file larger than"));
    free(text);
    hy_config_destroy(c);
}

static void test_all_or_nothing(void **state)
{
    hy_config *c = new_config();
    size_t n;
    assert_int_equal(parse(c, "[run]\nthreads = 4\n[input]\nfiles = a\nfiles = b\nsnaplen = 1\n"),
                     HY_ERR_CONFIG);
    assert_string_equal(hy_err_detail(),
                        "test.conf:6: input.snaplen: 1 is out of range (64..262144)");
    assert_int_equal(hy_config_int(c, "run.threads"), 1);
    hy_config_list(c, "input.files", &n);
    assert_int_equal(n, 0);
    hy_config_destroy(c);
}

static void test_load(void **state)
{
    hy_config *c = new_config();
    char path[512];
    const char *text = "[flow]\nidle_timeout = 30\n";

    snprintf(path, sizeof path, "%s/x.conf", hy_test_tmpdir());
    hy_test_write_file(path, text, strlen(text));
    assert_int_equal(hy_config_load(c, path), HY_OK);
    assert_int_equal(hy_config_int(c, "flow.idle_timeout"), 30);

    text = "[flow]\nidle_timeout = 30\nidle_timeout = -1\n";
    hy_test_write_file(path, text, strlen(text));
    assert_int_equal(hy_config_load(c, path), HY_ERR_CONFIG);
    char want[600];
    snprintf(want, sizeof want, "%s:3: flow.idle_timeout: -1 is out of range (1..86400)", path);
    assert_string_equal(hy_err_detail(), want);

    snprintf(path, sizeof path, "%s/missing.conf", hy_test_tmpdir());
    assert_int_equal(hy_config_load(c, path), HY_ERR_NOTFOUND);
    assert_int_equal(hy_config_load(c, hy_test_tmpdir()), HY_ERR_IO); /* a directory */
    hy_config_destroy(c);
}

/* The repository root: HY_SOURCE_DIR (set by ctest), else derived from this
 * file's path so the binary also runs on its own. */
static const char *repo_dir(void)
{
    static char dir[512];
    const char *env = getenv("HY_SOURCE_DIR");
    const char *tail = strstr(__FILE__, "/tests/unit/");

    if (env && *env)
        return env;
    if (!tail)
        return hy_test_source_dir();
    snprintf(dir, sizeof dir, "%.*s", (int)(tail - __FILE__), __FILE__);
    return dir;
}

static char *read_repo_file(const char *rel)
{
    char path[1024];
    FILE *f;
    char *text;
    long n;

    snprintf(path, sizeof path, "%s/%s", repo_dir(), rel);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (set HY_SOURCE_DIR)", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

/* config/hayate.conf names every key at its default; docs/CONFIG.md lists
 * every key; config/demo.conf has what `make run` needs. */
static void test_shipped_files(void **state)
{
    hy_config *c = new_config(), *d = new_config();
    char *ex = read_repo_file("config/hayate.conf");
    char *doc = read_repo_file("docs/CONFIG.md");
    char path[1024], needle[128];

    snprintf(path, sizeof path, "%s/config/hayate.conf", repo_dir());
    assert_int_equal(hy_config_load(c, path), HY_OK);
    for (size_t i = 0; hy_config_keys[i].name; i++) {
        const hy_config_key *k = &hy_config_keys[i];
        const char *dot = strchr(k->name, '.');
        size_t n1, n2;
        snprintf(needle, sizeof needle, "\n%s =", dot + 1);
        if (!strstr(ex, needle))
            fail_msg("config/hayate.conf lacks %s", k->name);
        snprintf(needle, sizeof needle, "`%s`", k->name);
        if (!strstr(doc, needle))
            fail_msg("docs/CONFIG.md lacks %s", k->name);
        switch (k->type) {
        case HY_CFG_INT:
            assert_int_equal(hy_config_int(c, k->name), hy_config_int(d, k->name));
            break;
        case HY_CFG_BOOL:
            assert_int_equal(hy_config_bool(c, k->name), hy_config_bool(d, k->name));
            break;
        case HY_CFG_STR:
            assert_string_equal(hy_config_str(c, k->name), hy_config_str(d, k->name));
            break;
        case HY_CFG_LIST:
            hy_config_list(c, k->name, &n1);
            hy_config_list(d, k->name, &n2);
            assert_int_equal(n1, n2);
            break;
        }
    }
    free(ex);
    free(doc);

    snprintf(path, sizeof path, "%s/config/demo.conf", repo_dir());
    assert_int_equal(hy_config_load(d, path), HY_OK);
    size_t n;
    const char *const *files = hy_config_list(d, "input.files", &n);
    assert_int_equal(n, 2);
    assert_string_equal(files[0], "demo/traffic.pcap");
    assert_string_equal(files[1], "demo/darknet.pcap");
    const char *const *pfx = hy_config_list(d, "darknet.prefixes", &n);
    assert_int_equal(n, 1);
    assert_string_equal(pfx[0], "198.18.0.0/15");
    assert_int_equal(hy_config_int(d, "darknet.recent_bins"), 10);
    assert_string_equal(hy_config_str(d, "store.path"), "demo/hayate.db");
    assert_string_equal(hy_config_str(d, "output.eve"), "demo/eve.json");
    assert_true(hy_config_bool(d, "output.eve_flows"));
    assert_int_equal(hy_config_int(d, "run.threads"), 2);
    hy_config_destroy(c);
    hy_config_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_table),      cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_parse_full),     cmocka_unit_test(test_bools_and_line_endings),
        cmocka_unit_test(test_lists),          cmocka_unit_test(test_set_overrides),
        cmocka_unit_test(test_getters_misuse), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_size_limits),    cmocka_unit_test(test_all_or_nothing),
        cmocka_unit_test(test_load),           cmocka_unit_test(test_shipped_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
