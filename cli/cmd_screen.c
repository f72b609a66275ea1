/* `hayate screen`: screens security-appliance alerts (Suricata EVE JSON,
 * a JSON array of them, fast.log, hayate's own alerts) from files,
 * folders, stdin or a followed file, and prints the ranked queue: a table
 * of groups (escalated first, auto-closed groups summarised), or with
 * --format json every input alert with a "screen" object added. */
#include <arpa/inet.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "commands.h"
#include "hayate/config.h"
#include "hayate/follow.h"
#include "hayate/json.h"
#include "hayate/pipeline.h"
#include "hayate/screen.h"

static const char usage_text[] =
    "Usage: hayate screen [OPTIONS] FILE|DIR|-...\n"
    "       hayate screen --follow FILE [OPTIONS]\n"
    "Screens alerts (Suricata eve.json lines or a JSON array, fast.log, hayate's\n"
    "own alerts): each gets a priority (0..1), a decision (escalate, needs-review,\n"
    "auto-closed) and the reason (docs/screen.md).\n"
    "  -c, --config FILE    read screen.* settings from FILE\n"
    "  -s, --set KEY=VALUE  set a config key (e.g. screen.critical=10.0.1.0/24)\n"
    "  -f, --format FMT     table (default): groups, escalated first;\n"
    "                       json: every alert, its fields plus \"screen\"{}\n"
    "  -n, --limit N        groups a human reads shown in the table (default 50)\n"
    "      --follow         follow one growing file like tail -F, across rotation\n"
    "      --model FILE     what hayate train screen learnt from verdicts (judged\n"
    "                       clusters, compromised hosts, the supervised model)\n"
    "  -h, --help\n"
    "Exit: 0 ok, 1 failure while running, 2 bad usage or unreadable input.\n";

typedef struct scr_slot scr_slot;

typedef struct scr_cli {
    hy_fmt fmt;
    size_t limit;
    bool follow;
    const char *model;
    hy_screen *s;
    hy_screen_groups *groups;
    hy_alertin_parser *parser;
    hy_buf out;
    scr_slot *slot;              /* HY_SCREEN_BATCH */
    size_t nslots;
    uint64_t lines, alerts, skipped, malformed;
} scr_cli;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "hayate screen: %s%s\nTry 'hayate screen --help'.\n", msg, arg ? arg : "");
    return HY_EXIT_USAGE;
}

/* The alert as JSON: its own object (or, for fast.log, one built from its
 * fields) with "screen":{...} added last. */
static void write_screen_obj(hy_json *j, const hy_screen_result *r)
{
    hy_json_key(j, "screen");
    hy_json_obj_open(j);
    hy_screen_result_json(j, r);
    hy_json_obj_close(j);
}

static void write_fast_fields(hy_json *j, const hy_alert_in *a)
{
    hy_json_key(j, "timestamp");
    hy_json_time(j, a->ts_ns);
    hy_json_kstr(j, "event_type", "alert");
    if (a->ip_version) {
        char ip[64];
        inet_ntop(a->ip_version == 4 ? AF_INET : AF_INET6, a->src, ip, sizeof ip);
        hy_json_kstr(j, "src_ip", ip);
        hy_json_kuint(j, "src_port", a->sport);
        inet_ntop(a->ip_version == 4 ? AF_INET : AF_INET6, a->dst, ip, sizeof ip);
        hy_json_kstr(j, "dest_ip", ip);
        hy_json_kuint(j, "dest_port", a->dport);
    }
    hy_json_key(j, "alert");
    hy_json_obj_open(j);
    hy_json_kuint(j, "gid", a->gid);
    hy_json_kuint(j, "signature_id", a->sid);
    hy_json_kuint(j, "rev", a->rev);
    hy_json_key(j, "signature");
    hy_json_strn(j, a->signature.p, a->signature.n);
    hy_json_key(j, "category");
    hy_json_strn(j, a->category.p, a->category.n);
    hy_json_kint(j, "severity", a->severity);
    hy_json_obj_close(j);
}

static hy_err print_json(scr_cli *c, const hy_alert_in *a, const hy_screen_result *r)
{
    hy_json j;
    hy_buf_reset(&c->out);
    if (a->fmt != HY_ALERTIN_FASTLOG) {
        hy_err rc = hy_json_extend(&j, &c->out, a->raw.p, a->raw.n);
        if (rc != HY_OK)
            return rc;
    } else {
        hy_json_init(&j, &c->out);
        hy_json_obj_open(&j);
        write_fast_fields(&j, a);
    }
    write_screen_obj(&j, r);
    hy_json_obj_close(&j);
    hy_err e = hy_json_finish(&j);
    if (e == HY_OK)
        e = hy_buf_addc(&c->out, '\n');
    if (e == HY_OK && fwrite(c->out.data, 1, c->out.len, stdout) != c->out.len)
        e = hy_err_set(HY_ERR_IO, "stdout: write failed");
    return e;
}

/* An alert whose decision waits for its batch: what output needs of it,
 * copied (the parser reuses its memory). */
struct scr_slot {
    hy_alert_in a;
    hy_screen_result r;
    hy_buf text; /* its strings */
};

/* Decisions for the batch, then its output. */
static hy_err settle(scr_cli *c)
{
    hy_err e = hy_screen_flush(c->s);
    for (size_t i = 0; e == HY_OK && i < c->nslots; i++)
        e = c->fmt == HY_FMT_TABLE ? hy_screen_groups_add(c->groups, &c->slot[i].a, &c->slot[i].r)
                                   : print_json(c, &c->slot[i].a, &c->slot[i].r);
    c->nslots = 0;
    return e;
}

static hy_err one(scr_cli *c, const hy_alert_in *a)
{
    scr_slot *k = &c->slot[c->nslots];
    hy_err e = hy_alertin_copy(&k->a, &k->text, a);
    if (e == HY_OK)
        e = hy_screen_push(c->s, &k->a, &k->r);
    c->alerts++;
    if (e != HY_OK)
        return e;
    if (++c->nslots == HY_SCREEN_BATCH || c->follow) /* followed: at once */
        return settle(c);
    return HY_OK;
}

/* Every alert of one stream. */
static hy_err screen_stream(scr_cli *c, FILE *f, const char *name)
{
    hy_alertin_reader *rd = NULL;
    hy_alertin_stats st;
    hy_alert_in a;
    hy_err e = hy_alertin_reader_create(f, name, &rd);
    while (e == HY_OK && !stop_flag && (e = hy_alertin_next(rd, &a, NULL)) == HY_OK)
        e = one(c, &a);
    if (e == HY_ERR_NOTFOUND)
        e = HY_OK;
    if (rd) {
        hy_alertin_stats_get(rd, &st);
        c->lines += st.lines;
        c->skipped += st.skipped;
        c->malformed += st.malformed;
        if (st.malformed)
            fprintf(stderr, "hayate screen: %s: %llu malformed line%s, the first at line %llu: "
                    "%s\n", name, (unsigned long long)st.malformed, st.malformed == 1 ? "" : "s",
                    (unsigned long long)st.first_bad_line, st.first_bad);
    }
    hy_alertin_reader_destroy(rd);
    return e;
}

static hy_err screen_path(scr_cli *c, const char *path)
{
    if (strcmp(path, "-") == 0)
        return screen_stream(c, stdin, "-");
    hy_file_entry *v = NULL;
    size_t n = 0;
    hy_err e = hy_file_list_upto(path, UINT64_MAX, &v, &n, NULL); /* streamed: any size */
    for (size_t i = 0; e == HY_OK && i < n && !stop_flag; i++) {
        FILE *f = fopen(v[i].path, "r");
        if (!f) {
            fprintf(stderr, "hayate screen: %s: cannot open\n", v[i].path);
            continue;
        }
        e = screen_stream(c, f, v[i].path);
        fclose(f);
    }
    hy_file_list_free(v, n);
    return e;
}

/* tail -F: lines as they come, until SIGINT/SIGTERM. */
static hy_err screen_follow(scr_cli *c, const char *path)
{
    hy_follow *fw = NULL;
    hy_follow_opts o = {.from_start = true};
    hy_alert_in a;
    const char *line;
    size_t n;
    hy_err e = hy_follow_create(path, &o, &fw);
    while (e == HY_OK && !stop_flag) {
        e = hy_follow_next(fw, &line, &n, 200);
        if (e == HY_ERR_AGAIN) {
            fflush(stdout);
            e = HY_OK;
            continue;
        }
        if (e != HY_OK)
            break;
        c->lines++;
        hy_err pe = hy_alertin_parse(c->parser, line, n, &a);
        if (pe == HY_OK)
            e = one(c, &a);
        else if (pe == HY_ERR_NOTFOUND)
            c->skipped++;
        else if (++c->malformed <= 10)
            fprintf(stderr, "hayate screen: %s: line %llu: %s\n", path,
                    (unsigned long long)c->lines, hy_err_detail());
    }
    hy_follow_destroy(fw);
    return e;
}

static void print_table(scr_cli *c)
{
    hy_screen_group *v = NULL;
    size_t n = 0, shown = 0, closed = 0, closed_alerts = 0;
    if (hy_screen_groups_list(c->groups, &v, &n) != HY_OK)
        return;
    printf("%-12s %5s %8s  %-26s %-40.40s %s\n", "decision", "prio", "alerts", "last", "signature",
           "reason");
    for (size_t i = 0; i < n; i++) {
        char t[32];
        if (v[i].decision == HY_SCREEN_CLOSED) {
            closed++;
            closed_alerts += v[i].count;
            continue;
        }
        if (shown++ >= c->limit)
            continue;
        hy_time_format(v[i].last_ns, t);
        printf("%-12s %5.2f %8llu  %-26.26s %-40.40s %s\n", hy_screen_decision_name(v[i].decision),
               v[i].priority, (unsigned long long)v[i].count, t, v[i].signature, v[i].reason);
    }
    if (shown > c->limit)
        printf("... %zu more groups to read (--limit)\n", shown - c->limit);
    printf("\n%zu auto-closed groups (%zu alerts):\n", closed, closed_alerts);
    for (size_t i = 0, k = 0; i < n && k < c->limit; i++)
        if (v[i].decision == HY_SCREEN_CLOSED && ++k)
            printf("  %s\n", v[i].summary);
    free(v);
}

static int parse_args(int argc, char **argv, scr_cli *c, hy_config *cfg)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"set", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'}, {"limit", required_argument, NULL, 'n'},
        {"follow", no_argument, NULL, 'F'},       {"model", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int o, rc;
    char *end;
    optind = 1;
    while ((o = getopt_long(argc, argv, "c:s:f:n:h", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            if (hy_config_load(cfg, optarg) != HY_OK)
                return usage_error("", hy_err_detail());
            break;
        case 's':
            if ((rc = hy_cli_set_kv(cfg, optarg)) != HY_EXIT_OK)
                return rc;
            break;
        case 'f':
            if (!hy_cli_parse_format(optarg, &c->fmt) || c->fmt == HY_FMT_EVE)
                return usage_error("--format must be table or json, not ", optarg);
            break;
        case 'n':
            c->limit = strtoul(optarg, &end, 10);
            if (*end || !c->limit || c->limit > 1000000)
                return usage_error("--limit must be 1..1000000, not ", optarg);
            break;
        case 'F': c->follow = true; break;
        case 'm': c->model = optarg; break;
        case 'h': fputs(usage_text, stdout); return -1;
        default: return usage_error("bad option", NULL);
        }
    }
    if (optind >= argc)
        return usage_error("no input: give eve.json files, folders or -", NULL);
    if (c->follow && argc - optind != 1)
        return usage_error("--follow takes exactly one file", NULL);
    return HY_EXIT_OK;
}

static int setup(scr_cli *c, const hy_config *cfg)
{
    hy_screen_cfg sc;
    if (hy_screen_cfg_from_config(cfg, &sc) != HY_OK)
        return usage_error("", hy_err_detail());
    if (!(c->slot = calloc(HY_SCREEN_BATCH, sizeof *c->slot)))
        return HY_EXIT_FAIL;
    for (size_t i = 0; i < HY_SCREEN_BATCH; i++)
        hy_buf_init(&c->slot[i].text, (size_t)HY_ALERTIN_MAX_LINE * 2);
    if (hy_screen_create(&sc, &c->s) != HY_OK || hy_screen_groups_create(&c->groups) != HY_OK ||
        hy_alertin_parser_create(&c->parser) != HY_OK) {
        hy_cli_error("screen", HY_ERR_NOMEM);
        return HY_EXIT_FAIL;
    }
    if (c->model && hy_screen_load_model(c->s, c->model) != HY_OK)
        return usage_error("--model: ", hy_err_detail());
    return HY_EXIT_OK;
}

int hy_cmd_screen(int argc, char **argv)
{
    scr_cli c = {.fmt = HY_FMT_TABLE, .limit = 50};
    hy_config *cfg = NULL;
    int rc;
    if (hy_config_create(&cfg) != HY_OK)
        return HY_EXIT_FAIL;
    rc = parse_args(argc, argv, &c, cfg);
    if (rc == HY_EXIT_OK)
        rc = setup(&c, cfg);
    if (rc == HY_EXIT_OK) {
        hy_err e = HY_OK;
        hy_buf_init(&c.out, (size_t)HY_ALERTIN_MAX_LINE * 2);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        for (int i = optind; e == HY_OK && i < argc && !stop_flag; i++)
            e = c.follow ? screen_follow(&c, argv[i]) : screen_path(&c, argv[i]);
        if (e == HY_OK)
            e = settle(&c);
        if (e == HY_OK && c.fmt == HY_FMT_TABLE)
            print_table(&c);
        fflush(stdout);
        hy_screen_stats st;
        hy_screen_stats_get(c.s, &st);
        if (e == HY_OK || c.lines) /* a summary of nothing read would hide the error */
            fprintf(stderr, "hayate screen: %llu alerts: %llu escalated, %llu need review, %llu "
                    "auto-closed; %llu malformed, %llu not alerts\n",
                    (unsigned long long)c.alerts, (unsigned long long)st.escalated,
                    (unsigned long long)st.review, (unsigned long long)st.closed,
                    (unsigned long long)c.malformed, (unsigned long long)c.skipped);
        if (e != HY_OK) {
            hy_cli_error("screen", e);
            rc = e == HY_ERR_NOTFOUND || e == HY_ERR_UNSUPPORTED ? HY_EXIT_USAGE : HY_EXIT_FAIL;
        }
        hy_buf_free(&c.out);
    }
    for (size_t i = 0; c.slot && i < HY_SCREEN_BATCH; i++)
        hy_buf_free(&c.slot[i].text);
    free(c.slot);
    hy_screen_destroy(c.s);
    hy_screen_groups_destroy(c.groups);
    hy_alertin_parser_destroy(c.parser);
    hy_config_destroy(cfg);
    return rc < 0 ? HY_EXIT_OK : rc;
}
