/* `hayate eval screen`: day-forward evaluation of alert screening with a
 * simulated analyst (docs/screen.md, "Evaluation"): on a generated SOC
 * stream with ground truth (hayate synth alerts), or on any EVE file with
 * a truth file, for one or more verdict budgets. Without truth it reports
 * what is measurable on unlabelled alerts: groups to read, and speed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "hayate/config.h"
#include "hayate/json.h"
#include "hayate/screen.h"
#include "hayate/synth_alerts.h"

#define MAX_BUDGETS 16

static const char usage_text[] =
    "Usage: hayate eval screen [OPTIONS]\n"
    "       hayate eval screen --alerts FILE [--truth FILE] [OPTIONS]\n"
    "Day-forward evaluation: alerts are screened in time order; at the end of each\n"
    "day a simulated analyst answers the label queue from the ground truth (at most\n"
    "BUDGET verdicts); the next day is screened with what was learnt. The first day\n"
    "is a warm-up (no verdicts yet): reported, not in the totals. Reports workload\n"
    "reduction, attack alerts missed, campaigns missed and escalation precision.\n"
    "  -a, --alerts FILE    alerts to screen (default: a generated stream)\n"
    "  -T, --truth FILE     their ground truth (hayate synth alerts --truth format)\n"
    "  -b, --budget LIST    verdicts per day, comma-separated (default 10,25,50,100)\n"
    "      --seed N         generated stream: seed (default 1)\n"
    "      --days N         generated stream: days (default 7)\n"
    "      --per-day N      generated stream: benign alerts per day (default 20000)\n"
    "      --no-model       no supervised model (clusters and novelty only)\n"
    "      --pos-weight W   weight of an attack verdict in the model (default 50)\n"
    "      --daily          print every day\n"
    "      --misses N       print the first N attack alerts auto-closed, with reasons\n"
    "      --rules          after the warm-up: alerts per decision rule, benign and attack\n"
    "  -s, --set KEY=VALUE  a screen.* setting\n"
    "  -f, --format FMT     table (default) or json\n"
    "  -h, --help\n"
    "Exit: 0 ok, 1 failure while running, 2 bad usage.\n";

typedef struct es_args {
    const char *alerts, *truth;
    unsigned budget[MAX_BUDGETS];
    size_t nbudget;
    hy_synth_alerts_cfg gen;
    bool model, daily, rules;
    unsigned long misses;
    double pos_weight;
    hy_fmt fmt;
} es_args;

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "hayate eval screen: %s%s\nTry 'hayate eval screen --help'.\n", msg,
            arg ? arg : "");
    return HY_EXIT_USAGE;
}

static bool parse_budgets(const char *s, es_args *a)
{
    char *end;
    a->nbudget = 0;
    while (*s && a->nbudget < MAX_BUDGETS) {
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > 1000000 || (*end && *end != ','))
            return false;
        a->budget[a->nbudget++] = (unsigned)v;
        s = *end ? end + 1 : end;
    }
    return a->nbudget > 0 && !*s;
}

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (end == s || *end || x < lo || x > hi)
        return false;
    *v = x;
    return true;
}

static int parse_args(int argc, char **argv, es_args *a, hy_config *cfg)
{
    enum { O_SEED = 256, O_DAYS, O_PERDAY, O_NOMODEL, O_POSW, O_DAILY, O_MISSES, O_RULES };
    static const struct option opts[] = {
        {"alerts", required_argument, NULL, 'a'}, {"truth", required_argument, NULL, 'T'},
        {"budget", required_argument, NULL, 'b'}, {"seed", required_argument, NULL, O_SEED},
        {"days", required_argument, NULL, O_DAYS}, {"per-day", required_argument, NULL, O_PERDAY},
        {"no-model", no_argument, NULL, O_NOMODEL}, {"pos-weight", required_argument, NULL, O_POSW},
        {"daily", no_argument, NULL, O_DAILY},    {"set", required_argument, NULL, 's'},
        {"misses", required_argument, NULL, O_MISSES}, {"rules", no_argument, NULL, O_RULES},
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int o, rc;
    uint64_t v;
    char *end;
    optind = 1;
    while ((o = getopt_long(argc, argv, "a:T:b:s:f:h", opts, NULL)) != -1) {
        switch (o) {
        case 'a': a->alerts = optarg; break;
        case 'T': a->truth = optarg; break;
        case 'b':
            if (!parse_budgets(optarg, a))
                return usage_error("--budget: a list of 0..1000000, not ", optarg);
            break;
        case O_SEED:
            if (!parse_u64(optarg, 0, UINT64_MAX, &a->gen.seed))
                return usage_error("--seed: not a number: ", optarg);
            break;
        case O_DAYS:
            if (!parse_u64(optarg, 2, 365, &v))
                return usage_error("--days must be 2..365, not ", optarg);
            a->gen.days = (unsigned)v;
            break;
        case O_PERDAY:
            if (!parse_u64(optarg, 100, 5000000, &v))
                return usage_error("--per-day must be 100..5000000, not ", optarg);
            a->gen.per_day = (uint32_t)v;
            break;
        case O_NOMODEL: a->model = false; break;
        case O_POSW:
            a->pos_weight = strtod(optarg, &end);
            if (*end || !(a->pos_weight > 0 && a->pos_weight <= 1e6))
                return usage_error("--pos-weight must be in (0, 1e6], not ", optarg);
            break;
        case O_DAILY: a->daily = true; break;
        case O_RULES: a->rules = true; break;
        case O_MISSES:
            if (!parse_u64(optarg, 0, 1000000, &v))
                return usage_error("--misses must be 0..1000000, not ", optarg);
            a->misses = (unsigned long)v;
            break;
        case 's':
            if ((rc = hy_cli_set_kv(cfg, optarg)) != HY_EXIT_OK)
                return rc;
            break;
        case 'f':
            if (!hy_cli_parse_format(optarg, &a->fmt) || a->fmt == HY_FMT_EVE)
                return usage_error("--format must be table or json, not ", optarg);
            break;
        case 'h': fputs(usage_text, stdout); return -1;
        default: return usage_error("bad option", NULL);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument: ", argv[optind]);
    if (a->truth && !a->alerts)
        return usage_error("--truth needs --alerts", NULL);
    return HY_EXIT_OK;
}

/* The alerts and truth as streams: the files given, or a generated pair. */
static int open_input(const es_args *a, FILE **alerts, FILE **truth)
{
    if (a->alerts) {
        if (!(*alerts = fopen(a->alerts, "r")))
            return usage_error("cannot open ", a->alerts);
        if (a->truth && !(*truth = fopen(a->truth, "r")))
            return usage_error("cannot open ", a->truth);
        return HY_EXIT_OK;
    }
    hy_synth_alerts_stats st;
    *alerts = tmpfile();
    *truth = tmpfile();
    if (!*alerts || !*truth) {
        hy_cli_error("eval screen: temporary file", HY_ERR_IO);
        return HY_EXIT_FAIL;
    }
    hy_err e = hy_synth_alerts(&a->gen, *alerts, *truth, &st);
    if (e != HY_OK) {
        hy_cli_error("eval screen: synth alerts", e);
        return e == HY_ERR_ARG ? HY_EXIT_USAGE : HY_EXIT_FAIL;
    }
    rewind(*alerts);
    rewind(*truth);
    return HY_OK;
}

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void print_day_row(const char *label, const hy_screen_eval_day *d)
{
    uint64_t read = d->escalated + d->review;
    uint64_t caught = d->attack_escalated + d->attack_review;
    printf("  %-12s %9llu %7.2f%% %8llu %7llu %6llu %7.3f%% %8.2f%% %8.1f%% %8llu\n", label,
           (unsigned long long)d->alerts, 100.0 - pct(read, d->alerts),
           (unsigned long long)d->escalated, (unsigned long long)d->attacks,
           (unsigned long long)d->attack_closed, pct(d->attack_closed, d->attacks),
           pct(caught, d->attacks), pct(d->attack_escalated, d->escalated),
           (unsigned long long)d->groups);
}

static void print_table(const es_args *a, unsigned budget, const hy_screen_eval *ev)
{
    printf("budget %u verdicts/day: %llu alerts screened at %.0f alerts/s; campaigns missed "
           "entirely %u of %u\n", budget, (unsigned long long)ev->st.alerts,
           ev->seconds > 0 ? (double)ev->st.alerts / ev->seconds : 0.0, ev->campaigns_missed,
           ev->campaigns);
    printf("  %-12s %9s %8s %8s %7s %6s %8s %9s %9s %8s\n", "day", "alerts", "reduced",
           "escalat", "attacks", "missed", "miss%", "caught%", "esc-prec", "groups");
    for (size_t i = 0; a->daily && i < ev->ndays; i++) {
        char t[32];
        hy_time_format(ev->day[i].day_ns, t);
        t[10] = '\0';
        print_day_row(i ? t : "warm-up", &ev->day[i]);
    }
    print_day_row("total", &ev->total);
}

static void json_day(hy_json *j, const hy_screen_eval_day *d)
{
    uint64_t read = d->escalated + d->review;
    hy_json_obj_open(j);
    hy_json_key(j, "day");
    hy_json_time(j, d->day_ns);
    hy_json_kuint(j, "alerts", d->alerts);
    hy_json_kuint(j, "escalated", d->escalated);
    hy_json_kuint(j, "review", d->review);
    hy_json_kuint(j, "closed", d->closed);
    hy_json_kfixed(j, "workload_reduction", 1.0 - pct(read, d->alerts) / 100, 6);
    hy_json_kuint(j, "attacks", d->attacks);
    hy_json_kuint(j, "attacks_escalated", d->attack_escalated);
    hy_json_kuint(j, "attacks_review", d->attack_review);
    hy_json_kuint(j, "attacks_missed", d->attack_closed);
    hy_json_kfixed(j, "escalation_precision", pct(d->attack_escalated, d->escalated) / 100, 6);
    hy_json_kuint(j, "groups", d->groups);
    hy_json_kuint(j, "verdicts", d->verdicts);
    hy_json_obj_close(j);
}

static void print_json(unsigned budget, const hy_screen_eval *ev)
{
    hy_buf b;
    hy_json j;
    hy_buf_init(&b, 1u << 24);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    hy_json_kuint(&j, "budget", budget);
    hy_json_kuint(&j, "campaigns", ev->campaigns);
    hy_json_kuint(&j, "campaigns_missed", ev->campaigns_missed);
    hy_json_kuint(&j, "unlabelled", ev->unlabelled);
    hy_json_kfixed(&j, "alerts_per_s", ev->seconds > 0 ? ev->st.alerts / ev->seconds : 0, 0);
    hy_json_key(&j, "total");
    json_day(&j, &ev->total);
    hy_json_key(&j, "days");
    hy_json_arr_open(&j);
    for (size_t i = 0; i < ev->ndays; i++)
        json_day(&j, &ev->day[i]);
    hy_json_arr_close(&j);
    hy_json_obj_close(&j);
    if (hy_json_finish(&j) == HY_OK)
        printf("%s\n", b.data);
    hy_buf_free(&b);
}

static const char *const stage_names[] = {"-", "recon", "exploit", "c2", "exfil"};

/* What the observer gathers: --misses lines left to print, --rules counts. */
typedef struct es_watch {
    unsigned long left;
    uint64_t rule[HY_SCREEN_RULE__COUNT][2]; /* [rule][attack] */
} es_watch;

/* --misses: attack alerts auto-closed after the warm-up, and why; --rules:
 * counts per decision rule. */
static void observe(void *ud, size_t day, const hy_alert_in *a, const hy_screen_truth *t,
                    const hy_screen_result *r)
{
    es_watch *w = ud;
    char ts[32];
    if (!day)
        return;
    if ((unsigned)r->rule < HY_SCREEN_RULE__COUNT)
        w->rule[r->rule][t->attack]++;
    if (!w->left || !t->attack || r->decision != HY_SCREEN_CLOSED)
        return;
    w->left--;
    hy_time_format(a->ts_ns, ts);
    printf("  missed: %.19s campaign %u %-7s sid %u %.*s: %s\n", ts, t->campaign,
           stage_names[t->stage < 5 ? t->stage : 0], a->sid,
           (int)(a->signature.n < 40 ? a->signature.n : 40), a->signature.p, r->reason);
}

/* --rules: which rule decided how many benign and attack alerts. */
static void print_rules(const es_watch *w)
{
    printf("  %-12s %9s %8s\n", "rule", "benign", "attack");
    for (int i = 0; i < HY_SCREEN_RULE__COUNT; i++)
        printf("  %-12s %9llu %8llu\n", hy_screen_rule_name((hy_screen_rule)i),
               (unsigned long long)w->rule[i][0], (unsigned long long)w->rule[i][1]);
}

static int run_budget(const es_args *a, const hy_screen_cfg *sc, FILE *alerts,
                      const hy_screen_truth *t, size_t nt, unsigned budget)
{
    hy_screen_eval_cfg ec = {.screen = *sc, .budget = budget, .model = a->model,
                             .pos_weight = a->pos_weight};
    es_watch w = {.left = a->misses};
    if (w.left || a->rules) {
        ec.observe = observe;
        ec.observe_ud = &w;
    }
    hy_alertin_reader *r = NULL;
    hy_screen_eval *ev = malloc(sizeof *ev);
    hy_err e = ev ? hy_alertin_reader_create(alerts, a->alerts ? a->alerts : "synth", &r)
                  : HY_ERR_NOMEM;
    rewind(alerts);
    if (e == HY_OK)
        e = hy_screen_eval_run(&ec, r, t, nt, ev);
    hy_alertin_reader_destroy(r);
    if (e != HY_OK)
        hy_cli_error("eval screen", e);
    else if (a->fmt == HY_FMT_JSON)
        print_json(budget, ev);
    else
        print_table(a, budget, ev);
    if (e == HY_OK && a->rules && a->fmt != HY_FMT_JSON)
        print_rules(&w);
    free(ev);
    return e == HY_OK ? HY_EXIT_OK : HY_EXIT_FAIL;
}

int hy_cmd_eval_screen(int argc, char **argv)
{
    es_args a = {.budget = {10, 25, 50, 100}, .nbudget = 4, .model = true, .pos_weight = 50};
    hy_config *cfg = NULL;
    hy_screen_cfg sc;
    FILE *alerts = NULL, *truth = NULL;
    hy_screen_truth *t = NULL;
    size_t nt = 0;
    int rc;
    hy_synth_alerts_cfg_default(&a.gen);
    if (hy_config_create(&cfg) != HY_OK)
        return HY_EXIT_FAIL;
    if ((rc = parse_args(argc, argv, &a, cfg)) == HY_EXIT_OK &&
        hy_screen_cfg_from_config(cfg, &sc) != HY_OK)
        rc = usage_error("", hy_err_detail());
    if (rc == HY_EXIT_OK)
        rc = open_input(&a, &alerts, &truth);
    if (rc == HY_EXIT_OK && truth &&
        hy_screen_truth_read(truth, a.truth ? a.truth : "synth truth", &t, &nt) != HY_OK)
        rc = usage_error("", hy_err_detail());
    for (size_t i = 0; rc == HY_EXIT_OK && i < a.nbudget; i++)
        rc = run_budget(&a, &sc, alerts, t, nt, truth ? a.budget[i] : 0);
    free(t);
    if (alerts)
        fclose(alerts);
    if (truth)
        fclose(truth);
    hy_config_destroy(cfg);
    return rc < 0 ? HY_EXIT_OK : rc;
}
