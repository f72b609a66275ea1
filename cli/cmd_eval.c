/* `hayate eval darknet`: runs a named scenario set of generated telescope
 * traffic through the darknet engine and scores its alerts against the
 * injected outbreaks: recall, precision, detection delay and false alerts
 * per day, per detector and combined. Traffic is generated into a pipe and
 * read back, so days of it need no disk. */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "hayate/capture.h"
#include "hayate/config.h"
#include "hayate/darknet_eval.h"
#include "hayate/pipeline.h"
#include "hayate/synth.h"

extern const hy_engine hy_engine_darknet;

static const char usage_text[] =
    "usage: hayate eval darknet [options]\n"
    "Generates each scenario of a named set (hayate synth darknet --list-scenarios),\n"
    "runs the darknet engine on it and scores the outbreak alerts against the\n"
    "injected outbreaks: recall (outbreaks of at least --min-hosts hosts), precision,\n"
    "median and maximum detection delay, and false alerts per day, per detector and\n"
    "combined.\n"
    "      --set NAME       scenario set (default standard)\n"
    "      --index I        only scenario I of the set\n"
    "      --min-hosts N    smallest outbreak that must be found (default 50)\n"
    "  -t, --threads N      decode/flow worker threads (results are identical)\n"
    "  -s, --set-key K=V    set a config key (e.g. darknet.z=6)\n"
    "  -h, --help\n"
    "Exit: 0 ok, 1 failure while running, 2 bad usage.\n"
    "Other engines: hayate eval malware|intel|screen --help.\n";

typedef struct gen_job {
    hy_synth_darknet_cfg cfg;
    char path[32];
    int wfd;   /* the pipe's write end: closed when done, so the reader sees EOF */
    hy_err rc;
} gen_job;

static void *gen_main(void *arg)
{
    gen_job *g = arg;
    hy_synth_darknet_stats st;
    g->rc = hy_synth_darknet(&g->cfg, g->path, NULL, &st);
    close(g->wfd);
    return NULL;
}

typedef struct hits {
    hy_dn_hit *v;
    size_t n, cap;
    bool nomem;
} hits;

static void on_alert(void *ud, const hy_alert *a)
{
    hits *h = ud;
    hy_dn_hit x;
    if (!hy_dn_hit_from_alert(a, &x))
        return;
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 64;
        hy_dn_hit *nv = realloc(h->v, nc * sizeof *nv);
        if (!nv) {
            h->nomem = true;
            return;
        }
        h->v = nv;
        h->cap = nc;
    }
    h->v[h->n++] = x;
}

/* Runs the engine over the scenario's traffic, generated into a pipe. */
static hy_err run_scenario(const hy_synth_darknet_cfg *sc, hy_config *cfg, int threads, hits *h)
{
    const hy_engine *engines[] = {&hy_engine_darknet};
    hy_pipeline_cfg pc = {.threads = threads, .tick_ns = 1000000000ull, .engines = engines,
                          .n_engines = 1, .cfg = cfg, .log = &hy_cli_log_info,
                          .on_alert = on_alert, .observer_ud = h};
    char rpath[32], prefix[32];
    hy_source_cfg scfg = {0};
    hy_source *src = NULL;
    hy_pipeline *p = NULL;
    gen_job g = {.cfg = *sc};
    pthread_t thr;
    int fd[2];
    hy_err rc;

    snprintf(prefix, sizeof prefix, "%u.%u.%u.%u/%u", sc->prefix >> 24, (sc->prefix >> 16) & 255,
             (sc->prefix >> 8) & 255, sc->prefix & 255, sc->prefix_len);
    if ((rc = hy_config_set(cfg, "darknet.prefixes", prefix)) != HY_OK)
        return rc;
    hy_flow_cfg_default(&pc.flow);
    pc.no_flows = true; /* flows are not scored */
    if (pipe(fd) != 0)
        return hy_err_set(HY_ERR_IO, "eval: pipe failed");
    snprintf(g.path, sizeof g.path, "/dev/fd/%d", fd[1]);
    g.wfd = fd[1];
    snprintf(rpath, sizeof rpath, "/dev/fd/%d", fd[0]);
    if (pthread_create(&thr, NULL, gen_main, &g) != 0) {
        close(fd[0]);
        close(fd[1]);
        return hy_err_set(HY_ERR_INTERNAL, "eval: cannot start the generator");
    }
    rc = hy_source_open_offline(rpath, &scfg, &src);
    if (rc == HY_OK && (rc = hy_pipeline_create(&pc, &p)) == HY_OK) {
        rc = hy_pipeline_feed(p, src, NULL, NULL, NULL);
        hy_err e = hy_pipeline_finish(p);
        rc = rc != HY_OK ? rc : e;
    }
    close(fd[0]); /* a generator still writing gets EPIPE and stops */
    pthread_join(thr, NULL);
    hy_pipeline_destroy(p);
    hy_source_close(src);
    if (rc == HY_OK && g.rc != HY_OK)
        rc = g.rc;
    return rc == HY_OK && h->nomem ? HY_ERR_NOMEM : rc;
}

static void print_scores(const char *title, const hy_dn_score *s)
{
    printf("\n%s\n\n| detector | recall | precision | median delay | max delay | false alerts/day |\n"
           "|---|---:|---:|---:|---:|---:|\n", title);
    for (int d = 0; d <= HY_DN_DETECTORS; d++) {
        double rec = s[d].outbreaks ? (double)s[d].found / s[d].outbreaks : 0;
        double prec = s[d].found + s[d].false_alerts
                          ? (double)s[d].found / (s[d].found + s[d].false_alerts)
                          : 0;
        printf("| %s | %.1f%% (%u/%u) | %.1f%% | %.1f min | %.1f min | %.2f |\n",
               hy_dn_detector_names[d], 100 * rec, s[d].found, s[d].outbreaks, 100 * prec,
               hy_dn_score_median_delay(&s[d]) / 60, hy_dn_score_max_delay(&s[d]) / 60,
               s[d].days > 0 ? s[d].false_alerts / s[d].days : 0);
    }
    fflush(stdout);
}

/* Scores scenario i of set into total; prints its own line. */
static int eval_one(const char *set, unsigned i, hy_config *cfg, int threads, unsigned min_hosts,
                    hy_dn_score *total)
{
    hy_synth_darknet_cfg sc;
    hy_dn_truth t[HY_SYNTH_DN_MAX_OUTBREAKS];
    hy_dn_score one[HY_DN_DETECTORS + 1] = {0};
    hits h = {0};
    hy_err rc;
    char title[160];

    if ((rc = hy_synth_darknet_scenario(set, i, &sc)) != HY_OK) {
        hy_cli_error("eval", rc);
        return HY_EXIT_USAGE;
    }
    for (uint32_t k = 0; k < sc.n_outbreaks; k++)
        t[k] = (hy_dn_truth){.proto = sc.outbreak[k].proto, .port = sc.outbreak[k].port,
                             .start_ns = sc.start_ns + sc.outbreak[k].start_ns,
                             .end_ns = sc.start_ns + sc.outbreak[k].start_ns +
                                       sc.outbreak[k].duration_ns,
                             .hosts = sc.outbreak[k].hosts};
    if ((rc = run_scenario(&sc, cfg, threads, &h)) != HY_OK) {
        hy_cli_error("eval", rc);
        free(h.v);
        return HY_EXIT_FAIL;
    }
    rc = hy_dn_score_add(one, t, sc.n_outbreaks, h.v, h.n, sc.duration_ns, min_hosts,
                         3600ull * 1000000000ull);
    if (rc == HY_OK)
        rc = hy_dn_score_add(total, t, sc.n_outbreaks, h.v, h.n, sc.duration_ns, min_hosts,
                             3600ull * 1000000000ull);
    snprintf(title, sizeof title, "#### %s %u: %s (%.1f days, %u outbreaks)", set, i,
             sc.name[0] ? sc.name : "-", (double)sc.duration_ns / 86400e9, sc.n_outbreaks);
    print_scores(title, one);
    for (int d = 0; d <= HY_DN_DETECTORS; d++)
        hy_dn_score_free(&one[d]);
    free(h.v);
    return rc == HY_OK ? HY_EXIT_OK : HY_EXIT_FAIL;
}

int hy_cmd_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, 0, 'S'}, {"index", required_argument, 0, 'i'},
        {"min-hosts", required_argument, 0, 'm'}, {"threads", required_argument, 0, 't'},
        {"set-key", required_argument, 0, 's'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *set = "standard";
    long index = -1, min_hosts = 50, threads = 1;
    hy_dn_score total[HY_DN_DETECTORS + 1] = {0};
    hy_config *cfg;
    int o, r = HY_EXIT_OK;

    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(usage_text, stdout);
        return HY_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "malware") == 0)
        return hy_cmd_eval_malware(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "intel") == 0)
        return hy_cmd_eval_intel(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "screen") == 0)
        return hy_cmd_eval_screen(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "darknet") != 0) {
        fputs(usage_text, stderr);
        return HY_EXIT_USAGE;
    }
    if (hy_config_create(&cfg) != HY_OK)
        return HY_EXIT_FAIL;
    signal(SIGPIPE, SIG_IGN); /* a generator cut short sees EPIPE, not a signal */
    optind = 0;
    argc--, argv++;
    while (r == HY_EXIT_OK && (o = getopt_long(argc, argv, "t:s:h", opts, NULL)) != -1) {
        switch (o) {
        case 'S': set = optarg; break;
        case 'i': index = strtol(optarg, NULL, 10); break;
        case 'm': min_hosts = strtol(optarg, NULL, 10); break;
        case 't': threads = strtol(optarg, NULL, 10); break;
        case 's': r = hy_cli_set_kv(cfg, optarg); break;
        case 'h': fputs(usage_text, stdout); hy_config_destroy(cfg); return HY_EXIT_OK;
        default: r = HY_EXIT_USAGE;
        }
    }
    unsigned n = hy_synth_darknet_scenario_count(set);
    if (r == HY_EXIT_OK && (n == 0 || index >= (long)n || threads < 1 || threads > 64 ||
                            min_hosts < 1)) {
        fprintf(stderr, "hayate eval: bad --set, --index, --threads or --min-hosts\n");
        r = HY_EXIT_USAGE;
    }
    if (r != HY_EXIT_OK)
        fputs(usage_text, stderr);
    printf("## hayate eval darknet: set %s, %d thread(s), outbreaks of %ld+ hosts\n", set,
           (int)threads, min_hosts);
    for (unsigned i = 0; i < n && r == HY_EXIT_OK; i++)
        if (index < 0 || (unsigned)index == i)
            r = eval_one(set, i, cfg, (int)threads, (unsigned)min_hosts, total);
    if (r == HY_EXIT_OK)
        print_scores("### All scenarios", total);
    for (int d = 0; d <= HY_DN_DETECTORS; d++)
        hy_dn_score_free(&total[d]);
    hy_config_destroy(cfg);
    return r;
}
