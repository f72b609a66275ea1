/* `hayate synth alerts`: a seeded SOC alert stream (Suricata EVE JSON) with
 * its ground truth, the benchmark input of `hayate screen`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "hayate/clock.h"
#include "hayate/error.h"
#include "hayate/synth_alerts.h"
#include "hayate/timeparse.h"

static const char usage_text[] =
    "Usage: hayate synth alerts [OPTIONS] -o FILE [--truth FILE]\n"
    "\n"
    "Writes a seeded, deterministic SOC alert stream as Suricata EVE JSON lines in\n"
    "time order, from a simulated network (10.0.0.0/16: workstations, critical\n"
    "servers, a DMZ) under an Emerging-Threats-like ruleset: users' policy and\n"
    "info alerts (heavy-tailed, daily and weekly cycle), internal vulnerability\n"
    "scanners on some nights, misconfigured hosts, nightly backups, internet\n"
    "background radiation, and a few attack campaigns (recon, exploit, C2,\n"
    "exfiltration) that share many signatures with the benign sources. The truth\n"
    "TSV has one line per alert: line, label, class, campaign, stage, host.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE     the EVE lines; \"-\" is stdout (required)\n"
    "      --truth FILE      the ground truth TSV (default: none)\n"
    "      --seed N          PRNG seed (default 1)\n"
    "      --days N          days, 1..366 (default 7)\n"
    "      --per-day N       benign alerts a day, averaged over a week,\n"
    "                        100..5000000 (default 20000)\n"
    "      --hosts N         workstations, 16..60000 (default 400)\n"
    "      --campaigns N     attack campaigns, 0..64 (default 4)\n"
    "      --campaign-days N length of each campaign, 1..14 (default: 1..3 at random)\n"
    "      --attack-share X  target share of attack alerts, 0.0005..0.05 (default 0.005)\n"
    "      --start TIME      ISO-8601 UTC or epoch seconds (default 2024-03-04T00:00:00Z)\n"
    "  -v, --verbose         print a summary on stderr (default: only on a terminal)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 failure (e.g. cannot write), 2 usage error.\n"
    "Example: hayate synth alerts --seed 7 -o alerts.json --truth alerts.truth.tsv\n";

enum { A_TRUTH = 256, A_SEED, A_DAYS, A_PERDAY, A_HOSTS, A_CAMPAIGNS, A_CDAYS, A_SHARE, A_START };

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"truth", required_argument, NULL, A_TRUTH},
    {"seed", required_argument, NULL, A_SEED},
    {"days", required_argument, NULL, A_DAYS},
    {"per-day", required_argument, NULL, A_PERDAY},
    {"hosts", required_argument, NULL, A_HOSTS},
    {"campaigns", required_argument, NULL, A_CAMPAIGNS},
    {"campaign-days", required_argument, NULL, A_CDAYS},
    {"attack-share", required_argument, NULL, A_SHARE},
    {"start", required_argument, NULL, A_START},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct sa_args {
    hy_synth_alerts_cfg cfg;
    const char *out, *truth;
    bool verbose;
} sa_args;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hayate synth alerts: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'hayate synth alerts --help'.\n");
    return HY_EXIT_USAGE;
}

/* A decimal unsigned integer in [lo, hi]. */
static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t v;
    if (!parse_u64(s, lo, hi, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Parses one option; -1 when fine, else an exit code. */
static int apply_opt(int c, const char *a, sa_args *o)
{
    hy_synth_alerts_cfg *cfg = &o->cfg;
    char *end;

    switch (c) {
    case 'o':
        o->out = a;
        break;
    case 'v':
        o->verbose = true;
        break;
    case A_TRUTH:
        o->truth = a;
        break;
    case A_SEED:
        if (!parse_u64(a, 0, UINT64_MAX, &cfg->seed))
            return usage_error("--seed: not an unsigned number: '%s'", a);
        break;
    case A_DAYS:
        if (!parse_u32(a, 1, HY_SYNTH_ALERTS_MAX_DAYS, &cfg->days))
            return usage_error("--days: need 1 to 366: '%s'", a);
        break;
    case A_PERDAY:
        if (!parse_u32(a, HY_SYNTH_ALERTS_MIN_PER_DAY, HY_SYNTH_ALERTS_MAX_PER_DAY, &cfg->per_day))
            return usage_error("--per-day: need 100 to 5000000: '%s'", a);
        break;
    case A_HOSTS:
        if (!parse_u32(a, HY_SYNTH_ALERTS_MIN_HOSTS, HY_SYNTH_ALERTS_MAX_HOSTS, &cfg->hosts))
            return usage_error("--hosts: need 16 to 60000: '%s'", a);
        break;
    case A_CAMPAIGNS:
        if (!parse_u32(a, 0, HY_SYNTH_ALERTS_MAX_CAMPAIGNS, &cfg->campaigns))
            return usage_error("--campaigns: need 0 to 64: '%s'", a);
        break;
    case A_CDAYS:
        if (!parse_u32(a, 1, HY_SYNTH_ALERTS_MAX_CAMPAIGN_DAYS, &cfg->campaign_days))
            return usage_error("--campaign-days: need 1 to 14: '%s'", a);
        break;
    case A_SHARE:
        errno = 0;
        cfg->attack_share = strtod(a, &end);
        if (errno || end == a || *end || !(cfg->attack_share >= 0.0005) ||
            !(cfg->attack_share <= 0.05))
            return usage_error("--attack-share: need a number 0.0005..0.05: '%s'", a);
        break;
    case A_START:
        if (!hy_time_parse(a, &cfg->start_ns) || cfg->start_ns > HY_SYNTH_ALERTS_MAX_START_NS)
            return usage_error("--start: not an ISO-8601 UTC time or epoch seconds before "
                               "2300: '%s'",
                               a);
        break;
    default:
        return usage_error("%s", "unknown option");
    }
    return -1;
}

static int gather(int argc, char **argv, sa_args *o)
{
    int c, rc;
    hy_synth_alerts_cfg_default(&o->cfg);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:vh", long_opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return HY_EXIT_OK;
        }
        if (c == '?' || c == ':')
            return usage_error("bad or incomplete option '%s'", argv[optind - 1]);
        if ((rc = apply_opt(c, optarg, o)) >= 0)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!o->out)
        return usage_error("%s", "no output file: give -o FILE (or -o - for stdout)");
    if (o->cfg.campaign_days > o->cfg.days)
        return usage_error("%s", "--campaign-days is longer than --days");
    if (o->truth && strcmp(o->truth, "/dev/null") != 0 &&
        (strcmp(o->truth, o->out) == 0 || strcmp(o->truth, "-") == 0))
        return usage_error("--truth: must be a file other than the output: '%s'", o->truth);
    return -1;
}

static void summary(const sa_args *o, const hy_synth_alerts_stats *st, double wall)
{
    fprintf(stderr,
            "hayate synth alerts: %llu alerts (%llu attack: %llu recon, %llu exploit, %llu c2, "
            "%llu exfil; %u campaigns), %u of %u signatures (%u shared), %.2f s (%.0f alerts/s)"
            " -> %s%s%s\n",
            (unsigned long long)st->alerts, (unsigned long long)st->attack_alerts,
            (unsigned long long)st->per_stage[HY_SA_RECON],
            (unsigned long long)st->per_stage[HY_SA_EXPLOIT],
            (unsigned long long)st->per_stage[HY_SA_C2],
            (unsigned long long)st->per_stage[HY_SA_EXFIL], st->campaigns, st->signatures,
            st->catalogue, st->shared_signatures, wall, wall > 0 ? (double)st->alerts / wall : 0.0,
            o->out, o->truth ? ", truth " : "", o->truth ? o->truth : "");
}

int hy_cmd_synth_alerts(int argc, char **argv)
{
    sa_args o = {0};
    hy_synth_alerts_stats st;
    FILE *eve = NULL, *truth = NULL;
    int rc = gather(argc, argv, &o);
    hy_err e;

    if (rc >= 0)
        return rc;
    if ((e = hy_synth_alerts_cfg_check(&o.cfg)) != HY_OK) {
        fprintf(stderr, "hayate: %s\n", hy_err_detail());
        return HY_EXIT_USAGE;
    }
    eve = strcmp(o.out, "-") == 0 ? stdout : fopen(o.out, "wb");
    if (!eve || (o.truth && !(truth = fopen(o.truth, "wb")))) {
        fprintf(stderr, "hayate: %s: %s\n", eve ? o.truth : o.out, strerror(errno));
        rc = HY_EXIT_FAIL;
        goto out;
    }
    double t0 = hy_clock_mono_s();
    e = hy_synth_alerts(&o.cfg, eve, truth, &st);
    double wall = hy_clock_mono_s() - t0;
    if (e != HY_OK) {
        const char *d = hy_err_detail();
        fprintf(stderr, "hayate: %s\n", d && *d ? d : hy_err_str(e));
        rc = e == HY_ERR_ARG ? HY_EXIT_USAGE : HY_EXIT_FAIL;
        goto out;
    }
    if (o.verbose || isatty(STDERR_FILENO))
        summary(&o, &st, wall);
    rc = HY_EXIT_OK;
out:
    if (eve && eve != stdout && fclose(eve) != 0 && rc == HY_EXIT_OK) {
        fprintf(stderr, "hayate: %s: %s\n", o.out, strerror(errno));
        rc = HY_EXIT_FAIL;
    }
    if (truth && fclose(truth) != 0 && rc == HY_EXIT_OK) {
        fprintf(stderr, "hayate: %s: %s\n", o.truth, strerror(errno));
        rc = HY_EXIT_FAIL;
    }
    return rc;
}
