/* hayate run / hayate analyze: sources -> pipeline -> sinks. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hayate/clock.h"
#include "hayate/capture.h"
#include "hayate/config.h"
#include "hayate/pipeline.h"
#include "hayate/serve.h"

#define MAX_SOURCES 256
#define WATCH_POLL_MS 200 /* followed files and spool folders during a live capture */

typedef struct run_ctx {
    bool analyze;
    hy_config *cfg;
    hy_fmt fmt;
    bool flows;                /* analyze --flows */
    const char *db;            /* analyze --db */
    hy_source *src[MAX_SOURCES];
    const char *src_name[MAX_SOURCES];
    int nsrc;
    FILE *eve;
    bool eve_owned;
    hy_store *store;
    hy_log log;
    const hy_engine *engines[64];
    bool may_serve;            /* run: the API is on, so no input is fine */
    size_t nalerts;            /* input.alerts and input.alerts_follow paths */
    size_t nsamples;           /* input.samples and input.reports paths */
    size_t nspool;             /* run: input.spool and input.reports_spool folders */
    const char *store_path;    /* the store's file (config memory), or NULL */
    hy_serve *api;
} run_ctx;

static hy_pipeline *volatile g_pipeline; /* for the signal handler only */
static volatile sig_atomic_t g_stop;     /* SIGINT/SIGTERM came */

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    if (g_pipeline)
        hy_pipeline_stop(g_pipeline);
}

static const char run_usage[] =
    "usage: hayate run [-c FILE] [options]\n"
    "Runs the platform: sources, engines and sinks from the config file; flags\n"
    "override it. Runs until the input ends or SIGINT/SIGTERM, then flushes.\n"
    "Spool folders and followed files are served during a live capture too.\n"
    "Serves the HTTP API on the store meanwhile (serve.*; docs/serve.md); with\n"
    "no input it only serves, until SIGINT/SIGTERM.\n"
    "  -c, --config FILE    config file (see docs/CONFIG.md)\n"
    "  -r, --read PATH      capture file, directory of captures, or - (repeatable)\n"
    "  -i, --interface IF   capture live on IF\n"
    "  -f, --bpf EXPR       BPF filter\n"
    "  -t, --threads N      decode/flow worker threads\n"
    "      --eve FILE       EVE JSON lines output (- for stdout)\n"
    "      --flows          also write flow records to the EVE output\n"
    "      --db PATH        SQLite store (empty string: none)\n"
    "      --darknet SPEC   run the darknet engine on CIDR[,CIDR...] or all\n"
    "      --samples PATH   analyse a file or every file under a folder with the\n"
    "                       malware engine (repeatable; input.samples)\n"
    "      --spool DIR      watch DIR: files dropped in are analysed once each by\n"
    "                       the malware engine, until SIGINT/SIGTERM (repeatable;\n"
    "                       input.spool; docs/malware.md)\n"
    "      --reports DIR    watch DIR for threat reports (text, HTML, PDF, CVE\n"
    "                       records) for the intel engine (input.reports_spool;\n"
    "                       docs/intel.md)\n"
    "      --alerts PATH    screen IDS alerts (eve.json, fast.log, a folder, -) with the\n"
    "                       screen engine (repeatable; input.alerts; docs/screen.md)\n"
    "      --follow-alerts F  follow a growing eve.json like tail -F (input.alerts_follow)\n"
    "      --listen A:P     API address (default 127.0.0.1:8080; port 0: any)\n"
    "  -s, --set KEY=VAL    set any config key\n"
    "  -h, --help\n"
    "Exit: 0 ok, 1 failure while running, 2 bad usage, config or input.\n";

static const char analyze_usage[] =
    "usage: hayate analyze [options] PATH...   (or --samples/--reports PATH alone)\n"
    "Analyzes captures (pcap, pcapng, directories, - for stdin) and prints the\n"
    "findings: a table on a terminal, EVE JSON lines otherwise.\n"
    "      --flows          print flow records too\n"
    "      --format F       table, json or eve\n"
    "  -t, --threads N      decode/flow worker threads (output is identical)\n"
    "  -f, --bpf EXPR       BPF filter\n"
    "      --db PATH        also store the results in an SQLite store\n"
    "      --darknet SPEC   run the darknet engine; SPEC is the darknet address\n"
    "                       space as CIDR[,CIDR...] (IPv4/IPv6), or all for a\n"
    "                       capture taken at a telescope\n"
    "      --samples PATH   analyse a file or every file under a folder with the\n"
    "                       malware engine; with --db the samples are stored\n"
    "                       (repeatable)\n"
    "      --reports PATH   analyse a threat report or every file under a folder\n"
    "                       with the intel engine; with --db the reports and their\n"
    "                       indicators are stored (repeatable; docs/intel.md)\n"
    "  -s, --set KEY=VAL    set any config key\n"
    "  -h, --help\n"
    "Exit: 0 ok, 1 failure while running, 2 bad usage or a file that is not a capture.\n";

static int set_key(run_ctx *c, const char *key, const char *val)
{
    hy_err rc = hy_config_set(c->cfg, key, val);
    if (rc != HY_OK) {
        hy_cli_error("option", rc);
        return HY_EXIT_USAGE;
    }
    return HY_EXIT_OK;
}

static int add_input(run_ctx *c, const char *path)
{
    hy_err rc = hy_config_append(c->cfg, "input.files", path);
    if (rc != HY_OK) {
        hy_cli_error("input", rc);
        return HY_EXIT_USAGE;
    }
    return HY_EXIT_OK;
}

enum {
    OPT_EVE = 256,
    OPT_FLOWS,
    OPT_DB,
    OPT_FORMAT,
    OPT_DARKNET,
    OPT_LISTEN,
    OPT_SAMPLES,
    OPT_SPOOL,
    OPT_REPORTS,
    OPT_ALERTS,
    OPT_FOLLOW_ALERTS
};

static int parse_args(run_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"read", required_argument, 0, 'r'},
        {"interface", required_argument, 0, 'i'}, {"bpf", required_argument, 0, 'f'},
        {"threads", required_argument, 0, 't'}, {"set", required_argument, 0, 's'},
        {"eve", required_argument, 0, OPT_EVE}, {"flows", no_argument, 0, OPT_FLOWS},
        {"db", required_argument, 0, OPT_DB}, {"format", required_argument, 0, OPT_FORMAT},
        {"darknet", required_argument, 0, OPT_DARKNET}, {"help", no_argument, 0, 'h'},
        {"samples", required_argument, 0, OPT_SAMPLES},
        {"spool", required_argument, 0, OPT_SPOOL},
        {"reports", required_argument, 0, OPT_REPORTS},
        {"alerts", required_argument, 0, OPT_ALERTS},
        {"follow-alerts", required_argument, 0, OPT_FOLLOW_ALERTS},
        {"listen", required_argument, 0, OPT_LISTEN}, {0, 0, 0, 0}};
    const char *usage = c->analyze ? analyze_usage : run_usage;
    int o, r = 0;
    bool fmt_set = false;

    optind = 0;
    while (r == 0 && (o = getopt_long(argc, argv, "c:r:i:f:t:s:h", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            if (hy_config_load(c->cfg, optarg) != HY_OK) {
                hy_cli_error("config", HY_ERR_CONFIG);
                r = HY_EXIT_USAGE;
            }
            break;
        case 'r': r = add_input(c, optarg); break;
        case 'i': r = set_key(c, "input.interface", optarg); break;
        case 'f': r = set_key(c, "input.bpf", optarg); break;
        case 't': r = set_key(c, "run.threads", optarg); break;
        case OPT_EVE: r = set_key(c, "output.eve", optarg); break;
        case OPT_FLOWS:
            c->flows = true;
            r = set_key(c, "output.eve_flows", "true");
            break;
        case OPT_DB: c->db = optarg; r = set_key(c, "store.path", optarg); break;
        case OPT_LISTEN:
            if (c->analyze) {
                fprintf(stderr, "hayate: analyze does not serve; use hayate run --listen\n");
                r = HY_EXIT_USAGE;
            } else {
                r = set_key(c, "serve.listen", optarg);
            }
            break;
        case OPT_DARKNET:
            if ((r = set_key(c, "darknet.prefixes", optarg)) == 0 &&
                hy_config_append(c->cfg, "engines.enabled", "darknet") != HY_OK)
                r = HY_EXIT_USAGE;
            break;
        case OPT_SAMPLES:
            if (hy_config_append(c->cfg, "input.samples", optarg) != HY_OK ||
                hy_config_append(c->cfg, "engines.enabled", "malware") != HY_OK)
                r = HY_EXIT_USAGE;
            break;
        case OPT_SPOOL:
            if (c->analyze) {
                fprintf(stderr, "hayate: analyze does not watch folders; use hayate run --spool\n");
                r = HY_EXIT_USAGE;
            } else if (hy_config_append(c->cfg, "input.spool", optarg) != HY_OK ||
                       hy_config_append(c->cfg, "engines.enabled", "malware") != HY_OK) {
                r = HY_EXIT_USAGE;
            }
            break;
        case OPT_REPORTS: /* analyze: once; run: a watched folder */
            if (hy_config_append(c->cfg, c->analyze ? "input.reports" : "input.reports_spool",
                                 optarg) != HY_OK ||
                hy_config_append(c->cfg, "engines.enabled", "intel") != HY_OK)
                r = HY_EXIT_USAGE;
            break;
        case OPT_ALERTS:
        case OPT_FOLLOW_ALERTS:
            if (o == OPT_FOLLOW_ALERTS && c->analyze) {
                fprintf(stderr, "hayate: analyze does not follow files; use hayate run\n");
                r = HY_EXIT_USAGE;
            } else if (hy_config_append(c->cfg, o == OPT_ALERTS ? "input.alerts"
                                                                : "input.alerts_follow",
                                        optarg) != HY_OK ||
                       hy_config_append(c->cfg, "engines.enabled", "screen") != HY_OK) {
                r = HY_EXIT_USAGE;
            }
            break;
        case OPT_FORMAT:
            if (!hy_cli_parse_format(optarg, &c->fmt)) {
                fprintf(stderr, "hayate: --format: unknown format '%s' (table, json, eve)\n",
                        optarg);
                r = HY_EXIT_USAGE;
            }
            fmt_set = true;
            break;
        case 's': r = hy_cli_set_kv(c->cfg, optarg); break;
        case 'h': fputs(usage, stdout); return -1;
        default: fputs(usage, stderr); return HY_EXIT_USAGE;
        }
    }
    if (r)
        return r;
    if (c->analyze) {
        size_t nsamples = 0, nreports = 0, nalerts = 0;
        hy_config_list(c->cfg, "input.samples", &nsamples);
        hy_config_list(c->cfg, "input.reports", &nreports);
        hy_config_list(c->cfg, "input.alerts", &nalerts);
        if (optind >= argc && !nsamples && !nreports && !nalerts) {
            fputs(analyze_usage, stderr);
            return HY_EXIT_USAGE;
        }
        for (int i = optind; i < argc && r == 0; i++)
            r = add_input(c, argv[i]);
        if (!fmt_set)
            c->fmt = isatty(STDOUT_FILENO) ? HY_FMT_TABLE : HY_FMT_EVE;
    } else if (optind < argc) {
        fprintf(stderr, "hayate: run: unexpected argument '%s' (use -r for files)\n",
                argv[optind]);
        return HY_EXIT_USAGE;
    }
    return r;
}

/* The input.spool and input.reports_spool folders must be folders. */
static int check_spool(run_ctx *c)
{
    static const char *const keys[] = {"input.spool", "input.reports_spool"};
    struct stat sb;
    c->nspool = 0;
    for (size_t k = 0; k < 2; k++) {
        size_t n;
        const char *const *dirs = hy_config_list(c->cfg, keys[k], &n);
        for (size_t i = 0; i < n; i++)
            if (stat(dirs[i], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                fprintf(stderr, "hayate: %s: %s is not a folder\n", keys[k], dirs[i]);
                return HY_EXIT_USAGE;
            }
        c->nspool += n;
    }
    return HY_EXIT_OK;
}

/* Opens every source before anything is written, so a bad input fails early
 * with nothing written. */
static int open_sources(run_ctx *c)
{
    size_t n;
    const char *const *files = hy_config_list(c->cfg, "input.files", &n);
    const char *ifname = hy_config_str(c->cfg, "input.interface");
    const char *bpf = hy_config_str(c->cfg, "input.bpf");
    hy_source_cfg sc = {.bpf = *bpf ? bpf : NULL,
                        .snaplen = (int)hy_config_int(c->cfg, "input.snaplen"),
                        .promisc = hy_config_bool(c->cfg, "input.promisc"),
                        .timeout_ms = 200};
    hy_err rc;

    for (size_t i = 0; i < n; i++) {
        if (c->nsrc == MAX_SOURCES) {
            fprintf(stderr, "hayate: more than %d inputs\n", MAX_SOURCES);
            return HY_EXIT_USAGE;
        }
        if ((rc = hy_source_open_offline(files[i], &sc, &c->src[c->nsrc])) != HY_OK) {
            hy_cli_error("input", rc);
            return HY_EXIT_USAGE;
        }
        c->src_name[c->nsrc++] = files[i];
    }
    if (*ifname) {
        if (c->nsrc == MAX_SOURCES)
            return HY_EXIT_USAGE;
        if ((rc = hy_source_open_live(ifname, &sc, &c->src[c->nsrc])) != HY_OK) {
            hy_cli_error("input", rc);
            return HY_EXIT_USAGE;
        }
        c->src_name[c->nsrc++] = ifname;
    }
    size_t nsamples = 0, nreports = 0;
    hy_config_list(c->cfg, "input.samples", &nsamples);
    hy_config_list(c->cfg, "input.reports", &nreports);
    nsamples += nreports;
    c->nsamples = nsamples;
    if (!c->analyze && check_spool(c) != HY_EXIT_OK)
        return HY_EXIT_USAGE;
    size_t nalerts = 0, nfollow = 0;
    hy_config_list(c->cfg, "input.alerts", &nalerts);
    hy_config_list(c->cfg, "input.alerts_follow", &nfollow);
    c->nalerts = nalerts + nfollow;
    if (c->nsrc == 0 && !nsamples && !c->nspool && !nalerts && !nfollow && !c->analyze &&
        !c->may_serve) {
        fprintf(stderr, "hayate: run: no input (set input.files, input.interface, "
                        "input.spool or input.alerts, or use -r/-i/--spool/--alerts/--reports)\n");
        return HY_EXIT_USAGE;
    }
    return HY_EXIT_OK;
}

/* Files of a role need their engine: refused before anything is written. */
static int check_file_engines(run_ctx *c, const hy_pipeline_cfg *pc)
{
    static const char *const keys[][2] = {{"input.samples", "malware"},
                                          {"input.spool", "malware"},
                                          {"input.reports", "intel"},
                                          {"input.reports_spool", "intel"}};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        size_t n = 0;
        bool on = false;
        hy_config_list(c->cfg, keys[k][0], &n);
        for (size_t i = 0; i < pc->n_engines; i++)
            on |= strcmp(pc->engines[i]->name, keys[k][1]) == 0;
        if (n && !on) {
            fprintf(stderr,
                    "hayate: %s: its files go to the %s engine, which is not in "
                    "engines.enabled\n",
                    keys[k][0], keys[k][1]);
            return HY_EXIT_USAGE;
        }
    }
    return HY_EXIT_OK;
}

static int resolve_engines(run_ctx *c)
{
    hy_pipeline_cfg pc; /* filled again by fill_pipeline_cfg, after the flags */
    hy_err rc = hy_pipeline_cfg_from_config(c->cfg, c->engines, 64, &pc);
    if (rc != HY_OK) {
        hy_cli_error("config", rc);
        return HY_EXIT_USAGE;
    }
    return check_file_engines(c, &pc);
}

static int open_outputs(run_ctx *c)
{
    const char *eve = hy_config_str(c->cfg, "output.eve");
    const char *db = hy_config_str(c->cfg, "store.path");
    hy_err rc;

    if (c->analyze) {
        eve = c->fmt == HY_FMT_TABLE ? "" : "-";
        db = c->db ? c->db : "";
    }
    if (strcmp(eve, "-") == 0) {
        c->eve = stdout;
    } else if (*eve) {
        if (!(c->eve = fopen(eve, "a"))) {
            fprintf(stderr, "hayate: output.eve: cannot open %s: %s\n", eve, strerror(errno));
            return HY_EXIT_USAGE;
        }
        c->eve_owned = true;
    }
    if (c->eve)
        setvbuf(c->eve, NULL, _IOFBF, 1 << 20);
    if (*db && (rc = hy_store_open_sqlite(db, &c->store)) != HY_OK) {
        hy_cli_error("store", rc);
        return HY_EXIT_USAGE;
    }
    c->store_path = *db ? db : NULL;
    return HY_EXIT_OK;
}

static void table_flow(void *ud, const hy_flow *f)
{
    (void)ud;
    hy_cli_table_flow(stdout, f);
}

static void table_alert(void *ud, const hy_alert *a)
{
    (void)ud;
    hy_cli_table_alert(stdout, a);
}

static void make_run_id(char out[40])
{
    struct timespec ts;
    uint8_t rnd[10];
    char ulid[HY_ALERT_ID_LEN + 1];
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
    for (int i = 0; i < 10; i++, x = x * 6364136223846793005ull + 1442695040888963407ull)
        rnd[i] = (uint8_t)(x >> 56);
    hy_ulid_encode((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000, rnd, ulid);
    snprintf(out, 40, "run-%s", ulid);
}

static void fill_pipeline_cfg(run_ctx *c, hy_pipeline_cfg *pc)
{
    hy_pipeline_cfg_from_config(c->cfg, c->engines, 64, pc); /* checked in resolve_engines */
    pc->eve = c->eve;
    pc->store = c->store;
    pc->store_path = c->store_path;
    pc->log = &c->log;
    if (c->analyze && c->fmt == HY_FMT_TABLE) {
        pc->on_flow = c->flows ? table_flow : NULL;
        pc->on_alert = table_alert;
        if (c->flows)
            hy_cli_table_flow_header(stdout);
        else
            hy_cli_table_alert_header(stdout);
    }
}

static void print_summary(const hy_pipeline_stats *st, double secs)
{
    fprintf(stderr,
            "hayate: %llu packets (%.1f MB) in %.2f s (%.2f Mpkt/s); %llu flows; %llu alerts\n",
            (unsigned long long)st->packets, (double)st->bytes / 1e6, secs,
            secs > 0 ? (double)st->packets / secs / 1e6 : 0.0, (unsigned long long)st->flows,
            (unsigned long long)st->alerts);
    for (int i = 1; i < HY_ANOM__COUNT; i++)
        if (st->decode.anom[i])
            fprintf(stderr, "hayate:   decode: %llu packets: %s\n",
                    (unsigned long long)st->decode.anom[i], hy_anom_text((hy_anom)i));
    if (st->flow.evicted)
        fprintf(stderr, "hayate:   %llu flows evicted at the flow cap\n",
                (unsigned long long)st->flow.evicted);
    if (st->hayate_dropped)
        fprintf(stderr, "hayate:   %llu packets dropped by hayate (overload)\n",
                (unsigned long long)st->hayate_dropped);
    if (st->cpu_collector > 0)
        fprintf(stderr,
                "hayate:   CPU s: capture %.2f, workers %.2f (busiest %.2f), collector %.2f\n",
                st->cpu_capture, st->cpu_workers, st->cpu_worker_max, st->cpu_collector);
}

/* Feeds every source in turn, records its capture statistics. */
static int feed_all(run_ctx *c, hy_pipeline *p, const char *run_id)
{
    int ret = HY_EXIT_OK;
    for (int i = 0; i < c->nsrc; i++) {
        hy_capture_stats cs;
        hy_cli_progress prog;
        memset(&cs, 0, sizeof cs);
        hy_cli_progress_init(&prog, c->src_name[i]);
        hy_err rc = hy_pipeline_feed(p, c->src[i], hy_cli_progress_cb, &prog, &cs);
        hy_cli_progress_end(&prog);
        if (rc != HY_OK) {
            hy_cli_error(c->src_name[i], rc);
            ret = HY_EXIT_FAIL;
        }
        if (*hy_source_warning(c->src[i]))
            fprintf(stderr, "hayate: warning: %s\n", hy_source_warning(c->src[i]));
        if (hy_source_is_live(c->src[i]) || cs.kernel_dropped || cs.ifdrop || cs.hayate_dropped)
            fprintf(stderr,
                    "hayate: %s: %llu received, dropped: %llu by the kernel, %llu by the "
                    "interface, %llu by hayate\n",
                    c->src_name[i], (unsigned long long)cs.received,
                    (unsigned long long)cs.kernel_dropped, (unsigned long long)cs.ifdrop,
                    (unsigned long long)cs.hayate_dropped);
        if (c->store && hy_store_put_capture_stats(c->store, run_id, &cs) != HY_OK)
            hy_cli_error("store", HY_ERR_STORE);
        if (ret != HY_EXIT_OK)
            break;
    }
    return ret;
}

/* Feeds every path of the list key to engine. */
static int feed_paths(run_ctx *c, hy_pipeline *p, const char *key, const char *engine)
{
    size_t n = 0;
    const char *const *paths = hy_config_list(c->cfg, key, &n);
    for (size_t i = 0; i < n; i++) {
        hy_files_stats fs = {0};
        hy_cli_progress prog;
        hy_cli_progress_init(&prog, paths[i]);
        hy_err rc = hy_pipeline_feed_files(p, paths[i], engine, hy_cli_progress_cb, &prog, &fs);
        hy_cli_progress_end(&prog);
        if (rc != HY_OK) {
            hy_cli_error(paths[i], rc);
            return rc == HY_ERR_NOTFOUND || rc == HY_ERR_UNSUPPORTED || rc == HY_ERR_CONFIG
                       ? HY_EXIT_USAGE
                       : HY_EXIT_FAIL;
        }
        fprintf(stderr, "hayate: %s: %llu files, %llu skipped (links, devices, over %u MiB)\n",
                paths[i], (unsigned long long)fs.files, (unsigned long long)fs.skipped,
                HY_MAX_FILE_BYTES >> 20);
    }
    return HY_EXIT_OK;
}

/* Feeds every input.samples path to the malware engine, then every
 * input.reports path to the intel engine, after the packets. */
static int feed_samples(run_ctx *c, hy_pipeline *p)
{
    int r = feed_paths(c, p, "input.samples", "malware");
    return r == HY_EXIT_OK ? feed_paths(c, p, "input.reports", "intel") : r;
}

static int execute(run_ctx *c)
{
    hy_pipeline_cfg pc;
    hy_pipeline *p = NULL;
    hy_pipeline_stats st;
    hy_cli_watch *w = NULL;
    char run_id[40];
    double t0 = hy_clock_mono_s();
    int ret;
    hy_err rc;

    make_run_id(run_id);
    fill_pipeline_cfg(c, &pc);
    if (c->store && hy_store_begin_run(c->store, run_id, c->analyze ? "analyze" : "run") != HY_OK)
        hy_cli_error("store", HY_ERR_STORE);
    if ((rc = hy_pipeline_create(&pc, &p)) != HY_OK) {
        hy_cli_error("pipeline", rc);
        /* an engine refusing its configuration is bad usage, not a failure */
        return rc == HY_ERR_CONFIG ? HY_EXIT_USAGE : HY_EXIT_FAIL;
    }
    g_pipeline = p;
    hy_cli_live_begin(p);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    /* the inputs that never end are served during live captures too */
    ret = c->analyze ? HY_EXIT_OK : hy_cli_watch_open(c->cfg, &w);
    if (w)
        hy_pipeline_set_poll(p, hy_cli_watch_step, w, WATCH_POLL_MS);
    if (ret == HY_EXIT_OK)
        ret = feed_all(c, p, run_id);
    if (ret == HY_EXIT_OK)
        ret = feed_samples(c, p);
    if (ret == HY_EXIT_OK)
        ret = hy_cli_feed_alerts(c->cfg, p);
    if (ret == HY_EXIT_OK && w && !g_stop)
        ret = hy_cli_watch_run(w, p, &g_stop);
    if ((rc = hy_pipeline_finish(p)) != HY_OK) {
        hy_cli_error("pipeline", rc);
        ret = HY_EXIT_FAIL;
    }
    hy_cli_watch_close(w, true);
    g_pipeline = NULL;
    hy_cli_live_end();
    hy_pipeline_stats_get(p, &st);
    hy_pipeline_destroy(p);
    if (c->store && hy_store_end_run(c->store, (uint64_t)time(NULL) * 1000000000ull) != HY_OK)
        hy_cli_error("store", HY_ERR_STORE);
    if (st.store_errors)
        ret = HY_EXIT_FAIL;
    print_summary(&st, hy_clock_mono_s() - t0);
    return ret;
}

typedef struct raise_ctx {
    hy_config *cfg;
    size_t n;
    hy_err rc;
} raise_ctx;

static int raise_port(void *ud, const hy_alert *a)
{
    raise_ctx *r = ud;
    size_t n;
    const char *const *have = hy_config_list(r->cfg, "darknet.raised_ports", &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(have[i], a->subject) == 0)
            return 0;
    if ((r->rc = hy_config_append(r->cfg, "darknet.raised_ports", a->subject)) != HY_OK)
        return 1;
    r->n++;
    return 0;
}

/* Analysts' false-positive verdicts on darknet outbreaks raise those ports'
 * thresholds for this run (darknet.raised_ports). */
static int raise_from_verdicts(run_ctx *c)
{
    hy_alert_filter f = {.kind = "darknet.outbreak", .verdict = "false_positive"};
    raise_ctx r = {.cfg = c->cfg};
    bool darknet = false;
    size_t n;
    const char *const *names = hy_config_list(c->cfg, "engines.enabled", &n);
    for (size_t i = 0; i < n; i++)
        darknet |= strcmp(names[i], "darknet") == 0;
    if (c->analyze || !darknet || !c->store) /* analyze: the capture alone decides */
        return HY_EXIT_OK;
    if (hy_store_query_alerts(c->store, &f, raise_port, &r) != HY_OK || r.rc != HY_OK) {
        hy_cli_error("store", HY_ERR_STORE);
        return HY_EXIT_FAIL;
    }
    if (r.n)
        fprintf(stderr, "hayate: darknet: %zu port(s) marked false positive by analysts: "
                        "thresholds raised\n", r.n);
    return HY_EXIT_OK;
}

static void ctx_free(run_ctx *c)
{
    for (int i = 0; i < c->nsrc; i++)
        hy_source_close(c->src[i]);
    if (c->eve_owned)
        fclose(c->eve);
    else if (c->eve)
        fflush(c->eve);
    if (c->store)
        hy_store_close(c->store);
    hy_config_destroy(c->cfg);
}

static int run_common(bool analyze, int argc, char **argv)
{
    run_ctx c = {.analyze = analyze};
    hy_log_level lvl;
    int r;

    if (hy_config_create(&c.cfg) != HY_OK)
        return HY_EXIT_FAIL;
    if ((r = parse_args(&c, argc, argv)) != 0) {
        ctx_free(&c);
        return r < 0 ? HY_EXIT_OK : r;
    }
    c.log = hy_cli_log_info;
    if (hy_log_level_parse(hy_config_str(c.cfg, "run.log_level"), &lvl) == HY_OK)
        c.log.level = lvl;
    c.may_serve = !analyze && hy_config_bool(c.cfg, "serve.enabled") &&
                  *hy_config_str(c.cfg, "store.path");
    if ((r = resolve_engines(&c)) == 0 && (r = open_sources(&c)) == 0 &&
        (r = open_outputs(&c)) == 0 && (r = raise_from_verdicts(&c)) == 0 &&
        (analyze || (r = hy_cli_serve_start(c.cfg, &c.api)) == 0))
        r = c.nsrc || c.nsamples || c.nspool || c.nalerts || analyze ? execute(&c)
                                                                      : hy_cli_serve_wait();
    hy_serve_stop(c.api);
    ctx_free(&c);
    return r;
}

int hy_cmd_run(int argc, char **argv)
{
    return run_common(false, argc, argv);
}

int hy_cmd_analyze(int argc, char **argv)
{
    return run_common(true, argc, argv);
}
