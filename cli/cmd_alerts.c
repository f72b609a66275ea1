/* hayate alerts: list and filter what the store holds. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hayate/timeparse.h"
#include "hayate/buf.h"
#include "hayate/store.h"

static const char usage[] =
    "usage: hayate alerts [--db PATH] [filters] [--format table|json|eve] [--summary]\n"
    "Lists alerts in the store, oldest first.\n"
    "      --db PATH        SQLite store (default hayate.db)\n"
    "  -e, --engine NAME    only this engine\n"
    "  -k, --kind KIND      only this kind (a trailing * matches a prefix)\n"
    "  -S, --severity N     severity N or higher (1 high .. 4 info)\n"
    "      --since TIME     from TIME (ISO-8601 UTC or epoch seconds)\n"
    "      --until TIME     before TIME\n"
    "  -q, --text S         title or subject contains S\n"
    "      --verdict V      the latest verdict is V (true_positive, false_positive,\n"
    "                       benign, malicious), or none for alerts nobody judged\n"
    "      --newest-first   newest alerts first\n"
    "      --after ID       page: alerts after this id\n"
    "  -n, --limit N        at most N alerts\n"
    "      --summary        counts of what the store holds\n"
    "Exit: 0 ok, 1 store failure, 2 bad usage.\n";

typedef struct out_ctx {
    hy_fmt fmt;
    hy_buf line;
    uint64_t n;
} out_ctx;

static int print_alert(void *ud, const hy_alert *a)
{
    out_ctx *o = ud;
    o->n++;
    if (o->fmt == HY_FMT_TABLE) {
        hy_cli_table_alert(stdout, a);
        return 0;
    }
    hy_buf_reset(&o->line);
    if (hy_alert_to_eve(a, &o->line) == HY_OK)
        printf("%s\n", o->line.data);
    return 0;
}

static int summary(hy_store *s, const char *db)
{
    static const char *const tables[] = {"runs", "capture_stats", "flows", "alerts"};
    printf("store %s:\n", db);
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        uint64_t n = 0;
        if (hy_store_count(s, tables[i], &n) != HY_OK) {
            hy_cli_error("store", HY_ERR_STORE);
            return HY_EXIT_FAIL;
        }
        printf("  %-14s %llu\n", tables[i], (unsigned long long)n);
    }
    return HY_EXIT_OK;
}

enum { OPT_DB = 256, OPT_SINCE, OPT_UNTIL, OPT_AFTER, OPT_FORMAT, OPT_SUMMARY, OPT_VERDICT,
       OPT_NEWEST };

int hy_cmd_alerts(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, OPT_DB}, {"engine", required_argument, 0, 'e'},
        {"kind", required_argument, 0, 'k'}, {"severity", required_argument, 0, 'S'},
        {"since", required_argument, 0, OPT_SINCE}, {"until", required_argument, 0, OPT_UNTIL},
        {"text", required_argument, 0, 'q'}, {"after", required_argument, 0, OPT_AFTER},
        {"limit", required_argument, 0, 'n'}, {"format", required_argument, 0, OPT_FORMAT},
        {"summary", no_argument, 0, OPT_SUMMARY}, {"help", no_argument, 0, 'h'},
        {"verdict", required_argument, 0, OPT_VERDICT},
        {"newest-first", no_argument, 0, OPT_NEWEST},
        {0, 0, 0, 0}};
    hy_alert_filter f = {0};
    out_ctx o = {.fmt = isatty(STDOUT_FILENO) ? HY_FMT_TABLE : HY_FMT_EVE};
    const char *db = "hayate.db";
    bool want_summary = false;
    hy_store *s = NULL;
    char *end;
    int opt, ret = HY_EXIT_OK;

    optind = 0;
    while ((opt = getopt_long(argc, argv, "e:k:S:q:n:h", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_DB: db = optarg; break;
        case 'e': f.engine = optarg; break;
        case 'k': f.kind = optarg; break;
        case 'q': f.text = optarg; break;
        case OPT_AFTER: f.after_id = optarg; break;
        case OPT_SUMMARY: want_summary = true; break;
        case OPT_NEWEST: f.newest_first = true; break;
        case OPT_VERDICT:
            if (strcmp(optarg, "none") != 0 && !hy_verdict_valid(optarg)) {
                fprintf(stderr, "hayate: --verdict: unknown verdict '%s'\n", optarg);
                return HY_EXIT_USAGE;
            }
            f.verdict = optarg;
            break;
        case 'S':
            f.max_severity = (int)strtol(optarg, &end, 10);
            if (*end || f.max_severity < 1 || f.max_severity > 4) {
                fprintf(stderr, "hayate: --severity: expected 1..4, got '%s'\n", optarg);
                return HY_EXIT_USAGE;
            }
            break;
        case 'n':
            f.limit = (size_t)strtoull(optarg, &end, 10);
            if (*end || *optarg == '-') {
                fprintf(stderr, "hayate: --limit: expected a count, got '%s'\n", optarg);
                return HY_EXIT_USAGE;
            }
            break;
        case OPT_SINCE:
        case OPT_UNTIL:
            if (!hy_time_parse(optarg, opt == OPT_SINCE ? &f.from_ns : &f.to_ns)) {
                fprintf(stderr, "hayate: bad time '%s' (ISO-8601 UTC or epoch seconds)\n",
                        optarg);
                return HY_EXIT_USAGE;
            }
            break;
        case OPT_FORMAT:
            if (!hy_cli_parse_format(optarg, &o.fmt)) {
                fprintf(stderr, "hayate: --format: unknown format '%s'\n", optarg);
                return HY_EXIT_USAGE;
            }
            break;
        case 'h': fputs(usage, stdout); return HY_EXIT_OK;
        default: fputs(usage, stderr); return HY_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "hayate: alerts: unexpected argument '%s'\n", argv[optind]);
        return HY_EXIT_USAGE;
    }
    if (access(db, F_OK) != 0) {
        fprintf(stderr, "hayate: store %s: no such file\n", db);
        return HY_EXIT_USAGE;
    }
    if (hy_store_open_sqlite(db, &s) != HY_OK) {
        hy_cli_error("store", HY_ERR_STORE);
        return HY_EXIT_USAGE;
    }
    if (want_summary) {
        ret = summary(s, db);
    } else {
        hy_buf_init(&o.line, 1u << 20);
        if (o.fmt == HY_FMT_TABLE)
            hy_cli_table_alert_header(stdout);
        if (hy_store_query_alerts(s, &f, print_alert, &o) != HY_OK) {
            hy_cli_error("store", HY_ERR_STORE);
            ret = HY_EXIT_FAIL;
        }
        hy_buf_free(&o.line);
    }
    hy_store_close(s);
    return ret;
}
