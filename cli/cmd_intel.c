/* hayate intel: threat reports to indicators, ATT&CK techniques and STIX
 * 2.1 (docs/intel.md). `extract` prints what a report holds, `stix` writes
 * its bundle, `attack-tables` builds the ATT&CK tables the engine ships. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "hayate/buf.h"
#include "hayate/intel.h"
#include "hayate/io.h"
#include "hayate/text.h"

static const char usage[] =
    "usage: hayate intel extract FILE|- [--format table|json] [--tables TSV] [--model M]\n"
    "       hayate intel stix FILE|- -o BUNDLE.json [--tables TSV] [--model M]\n"
    "       hayate intel attack-tables -o TSV BUNDLE.json...\n"
    "extract: reads a report (plain text, HTML, PDF or a CVE JSON 5 record; '-'\n"
    "is stdin) and prints its indicators (type, value, offsets, noise reason),\n"
    "the ATT&CK techniques its sentences describe, its tactics and kill-chain\n"
    "phases, the software it names and findings about inconsistent data.\n"
    "--format json prints the summary object of docs/intel.md.\n"
    "stix: writes the report's STIX 2.1 bundle, dated by the file's modification\n"
    "time, so the same file gives the same bytes on every run.\n"
    "attack-tables: the technique, tactic, group and software tables from\n"
    "ATT&CK STIX bundles (enterprise, ics, mobile), written atomically.\n"
    "      --tables TSV     ATT&CK tables (default: the shipped data/attack/attack.tsv)\n"
    "      --model M        sentence classifier (default: the shipped one; none: off)\n"
    "      --min-confidence P  probability at which a sentence names a technique (0.5)\n"
    "Exit: 0 ok, 1 failure, 2 bad usage or an unreadable report.\n";

typedef struct opts {
    const char *out, *tables, *model;
    double min_conf;
    bool json;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                       {"tables", required_argument, NULL, 'T'},
                                       {"model", required_argument, NULL, 'm'},
                                       {"min-confidence", required_argument, NULL, 'c'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "table"))
                goto bad;
            o->json = !strcmp(optarg, "json");
            break;
        case 'T': o->tables = optarg; break;
        case 'm': o->model = optarg; break;
        case 'o': o->out = optarg; break;
        case 'c':
            o->min_conf = strtod(optarg, &end);
            if (*end || !(o->min_conf > 0 && o->min_conf <= 1))
                goto bad;
            break;
        case 'h': fputs(usage, stdout); return -1;
        default: goto bad;
        }
    }
    return HY_EXIT_OK;
bad:
    fputs(usage, stderr);
    return HY_EXIT_USAGE;
}

/* The whole report at path ("-": stdin), capped. */
static hy_err read_input(const char *path, hy_buf *b)
{
    hy_buf_init(b, HY_TEXT_MAX_INPUT);
    if (strcmp(path, "-") != 0)
        return hy_buf_read_file(b, path);
    char chunk[65536];
    size_t k;
    hy_err rc = HY_OK;
    while (rc == HY_OK && (k = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        rc = hy_buf_add(b, chunk, k);
    if (rc == HY_ERR_TOOBIG)
        return hy_err_set(rc, "stdin: more than %u bytes", HY_TEXT_MAX_INPUT);
    return rc == HY_OK && ferror(stdin) ? hy_err_set(HY_ERR_IO, "stdin: read error") : rc;
}

/* A file's modification time (so a re-run gives the same bundle); the
 * clock for stdin. */
static int64_t doc_time(const char *path)
{
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0)
        return (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    return (int64_t)time(NULL) * 1000000000;
}

static void print_table(const hy_intel *in, const hy_intel_result *res)
{
    const hy_intel_report *r = &res->report;
    printf("report  %s\ntitle   %s\nsha256  %s\n\n", r->id, r->title ? r->title : "-",
           res->sha256);
    printf("%-16s %-10s %-6s %s\n", "TYPE", "OFFSET", "COUNT", "VALUE  [noise]");
    for (size_t i = 0; i < r->iocs.n; i++) {
        const hy_ioc *c = &r->iocs.v[i];
        printf("%-16s %-10zu %-6u %s%s%s%s\n", hy_ioc_type_name(c->type), c->start, c->count,
               c->value, c->noise ? "  [noise: " : "", c->noise ? c->noise : "",
               c->noise ? "]" : "");
    }
    printf("\n%-10s %-6s %s\n", "TECHNIQUE", "CONF", "NAME");
    for (size_t i = 0; i < r->ntech; i++) {
        const hy_attack_entry *e = hy_attack_find(hy_intel_tables(in), r->tech[i].id);
        printf("%-10s %-6.3f %s\n", r->tech[i].id, r->tech[i].confidence, e ? e->name : "");
    }
    for (size_t i = 0; i < r->nsoftware; i++)
        printf("%s %s %s\n", i ? "        " : "\nsoftware", r->software[i]->id,
               r->software[i]->name);
    for (size_t i = 0; i < r->nfindings; i++)
        printf("%s %s: %s\n", i ? "        " : "\nfinding ", r->findings[i].subject,
               r->findings[i].detail);
}

/* extract and stix: analyse one report, then print or write. */
static int analyse(int argc, char **argv, bool stix)
{
    opts o = {0};
    hy_intel *in = NULL;
    hy_intel_result res = {0};
    hy_buf doc = {0};
    hy_err rc;
    int ret = parse(argc, argv, &o);
    if (ret)
        return ret < 0 ? HY_EXIT_OK : ret;
    if (optind != argc - 1 || (stix && !o.out)) {
        fputs(usage, stderr);
        return HY_EXIT_USAGE;
    }
    hy_intel_cfg ic = {.tables = o.tables, .model = o.model, .min_confidence = o.min_conf};
    if ((rc = hy_intel_create(&ic, &in)) != HY_OK) {
        hy_cli_error("intel", rc);
        return HY_EXIT_USAGE;
    }
    if ((rc = read_input(argv[optind], &doc)) != HY_OK ||
        (rc = hy_intel_analyse(in, argv[optind], (const uint8_t *)doc.data, doc.len,
                               doc_time(argv[optind]), &res)) != HY_OK) {
        hy_cli_error("intel", rc); /* the detail names the input */
        ret = rc == HY_ERR_NOMEM ? HY_EXIT_FAIL : HY_EXIT_USAGE;
    } else if (stix) {
        if ((rc = hy_write_file_atomic(o.out, res.stix.data, res.stix.len)) != HY_OK) {
            hy_cli_error(o.out, rc);
            ret = HY_EXIT_FAIL;
        }
    } else if (o.json) {
        printf("%s\n", res.summary.data);
    } else {
        print_table(in, &res);
    }
    hy_intel_result_free(&res);
    hy_buf_free(&doc);
    hy_intel_destroy(in);
    return ret;
}

static int attack_tables(int argc, char **argv)
{
    opts o = {0};
    hy_attack_tables *t = NULL;
    hy_err rc;
    int ret = parse(argc, argv, &o);
    if (ret)
        return ret < 0 ? HY_EXIT_OK : ret;
    if (optind >= argc || !o.out) {
        fputs(usage, stderr);
        return HY_EXIT_USAGE;
    }
    if ((rc = hy_attack_tables_from_stix((const char *const *)argv + optind,
                                         (size_t)(argc - optind), &t)) != HY_OK) {
        hy_cli_error("attack-tables", rc);
        return HY_EXIT_USAGE;
    }
    if ((rc = hy_attack_tables_write(t, o.out)) != HY_OK) {
        hy_cli_error(o.out, rc);
        ret = HY_EXIT_FAIL;
    } else {
        fprintf(stderr, "hayate: %zu ATT&CK entries written to %s\n", hy_attack_count(t), o.out);
    }
    hy_attack_tables_free(t);
    return ret;
}

int hy_cmd_intel(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? HY_EXIT_USAGE : HY_EXIT_OK;
    }
    if (!strcmp(argv[1], "extract"))
        return analyse(argc - 1, argv + 1, false);
    if (!strcmp(argv[1], "stix"))
        return analyse(argc - 1, argv + 1, true);
    if (!strcmp(argv[1], "attack-tables"))
        return attack_tables(argc - 1, argv + 1);
    fprintf(stderr, "hayate intel: unknown subcommand '%s'\n", argv[1]);
    fputs(usage, stderr);
    return HY_EXIT_USAGE;
}
