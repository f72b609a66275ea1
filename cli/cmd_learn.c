/* hayate dataset | train | model: the feedback loop's offline half
 * (docs/MODELS.md). Verdicts in the store -> a training set -> a new model
 * version -> the current version a running hayate loads on SIGHUP. */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "hayate/buf.h"
#include "hayate/config.h"
#include "hayate/engine.h"
#include "hayate/io.h"
#include "hayate/json.h"
#include "hayate/model.h"
#include "hayate/store.h"

#define DATASET_CAP (256u << 20)

static const char dataset_usage[] =
    "usage: hayate dataset build ENGINE [-c FILE] [--db PATH] [-o FILE]\n"
    "Joins the engine's stored alerts with analysts' latest verdicts into a CSV\n"
    "training set: label (1 true_positive|malicious, 0 false_positive|benign),\n"
    "verdict, alert_id, then the engine's feature columns.\n"
    "  -c, --config FILE    config file (store.path)\n"
    "      --db PATH        the store (default: store.path)\n"
    "  -o, --out FILE       where to write (default dataset-ENGINE.csv)\n"
    "  -s, --set KEY=VAL    set any config key\n"
    "Exit: 0 ok, 1 store or write failure, 2 bad usage or an engine that does not learn.\n";

static const char train_usage[] =
    "usage: hayate train ENGINE [-c FILE] [--data FILE | --db PATH] [--models DIR]\n"
    "Trains a new model version from a training set (hayate dataset build; without\n"
    "--data one is built from the store first), records its metrics and data hash\n"
    "in a manifest, and makes it current. A running hayate run loads it on SIGHUP\n"
    "or POST /api/models/reload. (hayate train intel --help: the intel engine's\n"
    "ATT&CK classifier, trained on MITRE TRAM's data.)\n"
    "  -c, --config FILE    config file (engine settings, store.path, models.dir)\n"
    "      --data FILE      the training set\n"
    "      --db PATH        the store to build it from (default: store.path)\n"
    "      --models DIR     model folder (default: models.dir)\n"
    "  -s, --set KEY=VAL    set any config key\n"
    "Exit: 0 ok, 1 failure, 2 bad usage, bad data or no labelled rows.\n";

static const char model_usage[] =
    "usage: hayate model list ENGINE [--format table|json]\n"
    "       hayate model use ENGINE VERSION\n"
    "       hayate model rollback ENGINE\n"
    "  [-c FILE] [--models DIR] [-s KEY=VAL]\n"
    "Lists an engine's model versions (* marks the current one), makes one current,\n"
    "or goes back to the one before. hayate run loads the current version at start,\n"
    "on SIGHUP and on POST /api/models/reload.\n"
    "Exit: 0 ok, 1 failure, 2 bad usage or no such version.\n";

typedef struct learn_opts {
    hy_config *cfg;
    const char *out, *data;
    hy_fmt fmt;
    bool fmt_set;
    int nargs;
    char **args;
} learn_opts;

enum { OPT_DB = 256, OPT_MODELS, OPT_DATA, OPT_FORMAT };

/* Parses the options the three commands share; the words left go to args. */
static int parse(int argc, char **argv, const char *usage, learn_opts *o)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"set", required_argument, 0, 's'},
                                         {"db", required_argument, 0, OPT_DB},
                                         {"models", required_argument, 0, OPT_MODELS},
                                         {"data", required_argument, 0, OPT_DATA},
                                         {"out", required_argument, 0, 'o'},
                                         {"format", required_argument, 0, OPT_FORMAT},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    hy_err rc = HY_OK;
    if (hy_config_create(&o->cfg) != HY_OK)
        return HY_EXIT_FAIL;
    optind = 0;
    while ((c = getopt_long(argc, argv, "c:s:o:h", opts, NULL)) != -1 && rc == HY_OK) {
        switch (c) {
        case 'c':
            rc = hy_config_load(o->cfg, optarg);
            break;
        case 's':
            if (hy_cli_set_kv(o->cfg, optarg) != HY_EXIT_OK)
                return HY_EXIT_USAGE;
            break;
        case OPT_DB:
            rc = hy_config_set(o->cfg, "store.path", optarg);
            break;
        case OPT_MODELS:
            rc = hy_config_set(o->cfg, "models.dir", optarg);
            break;
        case OPT_DATA:
            o->data = optarg;
            break;
        case 'o':
            o->out = optarg;
            break;
        case OPT_FORMAT:
            o->fmt_set = true;
            if (!hy_cli_parse_format(optarg, &o->fmt)) {
                fprintf(stderr, "hayate: unknown format '%s'\n", optarg);
                return HY_EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            fputs(usage, stderr);
            return HY_EXIT_USAGE;
        }
    }
    if (rc != HY_OK) {
        hy_cli_error("option", rc);
        return HY_EXIT_USAGE;
    }
    o->nargs = argc - optind;
    o->args = argv + optind;
    return HY_EXIT_OK;
}

/* The engine named, if it learns (from verdicts when verdicts is set);
 * prints why not otherwise. */
static const hy_engine *learner(const char *name, bool verdicts)
{
    const hy_engine *e = hy_engine_find(name);
    if (!e) {
        fprintf(stderr, "hayate: unknown engine '%s'\n", name);
        return NULL;
    }
    if (!e->train || (verdicts && !e->features)) {
        fprintf(stderr, "hayate: engine %s does not learn from %s\n", name,
                e->train ? "verdicts (give it --data FILE)" : "data");
        return NULL;
    }
    return e;
}

/* ---- dataset build ---- */

static const char *const verdicts[] = {"true_positive", "malicious", "false_positive", "benign"};

typedef struct rows_ctx {
    const hy_engine *e;
    const char *verdict;
    char **lines; /* "id\tline" so sorting by id is a string sort */
    size_t n, cap;
    hy_buf row;
    uint64_t skipped;
    hy_err rc;
} rows_ctx;

static int add_row(void *ud, const hy_alert *a)
{
    rows_ctx *r = ud;
    int label = strcmp(r->verdict, "true_positive") == 0 || strcmp(r->verdict, "malicious") == 0;
    hy_buf_reset(&r->row);
    hy_err rc = hy_buf_addf(&r->row, "%s\t%d,%s,%s,", a->id, label, r->verdict, a->id);
    if (rc == HY_OK)
        rc = r->e->features(a, &r->row);
    if (rc == HY_ERR_UNSUPPORTED || rc == HY_ERR_FORMAT) {
        if (rc == HY_ERR_FORMAT)
            fprintf(stderr, "hayate: skipped: %s\n", hy_err_detail());
        r->skipped++;
        return 0;
    }
    if (rc == HY_OK && r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 256;
        char **nl = realloc(r->lines, nc * sizeof *nl);
        if (!nl)
            rc = HY_ERR_NOMEM;
        else {
            r->lines = nl;
            r->cap = nc;
        }
    }
    if (rc == HY_OK && !(r->lines[r->n] = strdup(r->row.data)))
        rc = HY_ERR_NOMEM;
    if (rc != HY_OK) {
        r->rc = rc;
        return 1;
    }
    r->n++;
    return 0;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Writes the training set of engine e from the store at db to out; *rows
 * gets its data rows. */
static hy_err build_dataset(const hy_engine *e, const char *db, const char *out, uint64_t *rows)
{
    rows_ctx r = {.e = e};
    hy_store *s = NULL;
    hy_buf file;
    hy_err rc;
    hy_buf_init(&r.row, 1 << 16);
    hy_buf_init(&file, DATASET_CAP);
    if ((rc = hy_store_open_sqlite(db, &s)) != HY_OK)
        goto out;
    for (size_t i = 0; i < sizeof verdicts / sizeof *verdicts && rc == HY_OK; i++) {
        hy_alert_filter f = {.engine = e->name, .verdict = verdicts[i]};
        r.verdict = verdicts[i];
        rc = hy_store_query_alerts(s, &f, add_row, &r);
        if (rc == HY_OK)
            rc = r.rc;
    }
    if (rc != HY_OK)
        goto out;
    if (r.n)
        qsort(r.lines, r.n, sizeof *r.lines, by_str);
    rc = hy_buf_addf(&file, "label,verdict,alert_id,%s\n", e->feature_spec);
    for (size_t i = 0; i < r.n && rc == HY_OK; i++)
        if ((rc = hy_buf_adds(&file, strchr(r.lines[i], '\t') + 1)) == HY_OK)
            rc = hy_buf_addc(&file, '\n');
    if (rc == HY_OK)
        rc = hy_write_file_atomic(out, file.data, file.len);
    *rows = r.n;
    if (r.skipped)
        fprintf(stderr, "hayate: %llu alerts with verdicts are not %s training rows\n",
                (unsigned long long)r.skipped, e->name);
out:
    for (size_t i = 0; i < r.n; i++)
        free(r.lines[i]);
    free(r.lines);
    hy_buf_free(&r.row);
    hy_buf_free(&file);
    hy_store_close(s);
    return rc;
}

int hy_cmd_dataset(int argc, char **argv)
{
    learn_opts o = {0};
    const hy_engine *e;
    char outbuf[128], hash[65];
    uint64_t rows = 0;
    hy_err rc;
    int ret = parse(argc, argv, dataset_usage, &o);
    if (ret != HY_EXIT_OK)
        goto out;
    if (o.nargs != 2 || strcmp(o.args[0], "build") != 0) {
        fputs(dataset_usage, stderr);
        ret = HY_EXIT_USAGE;
        goto out;
    }
    if (!(e = learner(o.args[1], true))) {
        ret = HY_EXIT_USAGE;
        goto out;
    }
    snprintf(outbuf, sizeof outbuf, "dataset-%s.csv", e->name);
    if ((rc = build_dataset(e, hy_config_str(o.cfg, "store.path"), o.out ? o.out : outbuf,
                            &rows)) != HY_OK ||
        (rc = hy_sha256_file(o.out ? o.out : outbuf, hash)) != HY_OK) {
        hy_cli_error("dataset", rc);
        ret = HY_EXIT_FAIL;
        goto out;
    }
    printf("%s: %llu rows, sha256 %s\n", o.out ? o.out : outbuf, (unsigned long long)rows, hash);
out:
    hy_config_destroy(o.cfg);
    return ret < 0 ? HY_EXIT_OK : ret;
}

/* ---- train ---- */

static uint64_t data_rows(const char *path)
{
    uint64_t n = 0;
    int ch;
    FILE *f = fopen(path, "r");
    while (f && (ch = fgetc(f)) != EOF)
        n += ch == '\n';
    if (f)
        fclose(f);
    return n ? n - 1 : 0; /* the header */
}

/* Whether path holds a training set of hayate dataset build. */
static bool is_dataset(const char *path)
{
    static const char head[] = "label,verdict,alert_id,";
    char buf[sizeof head];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof head - 1, f) : 0;
    if (f)
        fclose(f);
    return n == sizeof head - 1 && memcmp(buf, head, n) == 0;
}

/* The top-level "rows" of the metrics an engine that reads its own data
 * formats reports (0: none, or metrics that are not a JSON object). */
static uint64_t metrics_rows(const char *metrics)
{
    json_t *root = metrics ? json_loads(metrics, 0, NULL) : NULL;
    json_t *r = json_object_get(root, "rows");
    uint64_t n =
        json_is_integer(r) && json_integer_value(r) > 0 ? (uint64_t)json_integer_value(r) : 0;
    json_decref(root);
    return n;
}

/* Trains e on data into a new version under dir; prints it. */
static int train_publish(const hy_engine *e, const hy_config *cfg, const char *data,
                         const char *dir)
{
    hy_engine_env env = {
        .cfg = cfg, .log = &hy_cli_log_info, .shard = e->combine ? -1 : 0, .shards = 1};
    char tmp[4096], hash[65];
    void *state = NULL;
    unsigned v = 0;
    hy_buf metrics;
    hy_err rc;
    uint64_t rows = is_dataset(data) ? data_rows(data) : 1; /* else the engine counts */
    if (!rows) {
        fprintf(stderr,
                "hayate: %s has no labelled rows: give verdicts first "
                "(POST /api/alerts/ID/feedback)\n",
                data);
        return HY_EXIT_USAGE;
    }
    hy_buf_init(&metrics, 1 << 20);
    if ((rc = hy_sha256_file(data, hash)) != HY_OK ||
        (rc = hy_model_tmp_path(dir, e->name, tmp, sizeof tmp)) != HY_OK ||
        (rc = e->create(&env, &state)) != HY_OK ||
        (rc = e->train(state, data, tmp, &metrics)) != HY_OK)
        goto out;
    uint64_t read = metrics_rows(metrics.data); /* what the engine read, whatever the format */
    if (read)
        rows = read;
    hy_model_publish p = {.engine = e->name,
                          .model_tmp = tmp,
                          .feature_spec = e->feature_spec,
                          .data_hash = hash,
                          .rows = rows,
                          .metrics_json = metrics.data};
    if ((rc = hy_model_publish_version(dir, &p, &v)) == HY_OK)
        printf("%s: model version %u (%llu rows, data sha256 %.16s...) is current\n"
               "metrics: %s\n",
               e->name, v, (unsigned long long)rows, hash, metrics.data);
out:
    if (rc != HY_OK)
        unlink(tmp);
    if (state)
        e->destroy(state);
    hy_buf_free(&metrics);
    if (rc != HY_OK) {
        hy_cli_error("train", rc);
        return rc == HY_ERR_FORMAT || rc == HY_ERR_CONFIG ? HY_EXIT_USAGE : HY_EXIT_FAIL;
    }
    return HY_EXIT_OK;
}

int hy_cmd_train(int argc, char **argv)
{
    learn_opts o = {0};
    const hy_engine *e;
    char built[4096] = "";
    const char *dir;
    uint64_t rows;
    hy_err rc;
    int ret;
    if (argc >= 2 && strcmp(argv[1], "intel") == 0) /* learns from TRAM, not verdicts */
        return hy_cmd_train_intel(argc - 1, argv + 1);
    ret = parse(argc, argv, train_usage, &o);
    if (ret != HY_EXIT_OK)
        goto out;
    if (o.nargs != 1) {
        fputs(train_usage, stderr);
        ret = HY_EXIT_USAGE;
        goto out;
    }
    if (!(e = learner(o.args[0], !o.data))) {
        ret = HY_EXIT_USAGE;
        goto out;
    }
    dir = hy_config_str(o.cfg, "models.dir");
    if (!o.data) { /* build it from the store, beside the models */
        if ((rc = hy_model_tmp_path(dir, e->name, built, sizeof built)) != HY_OK ||
            (rc = build_dataset(e, hy_config_str(o.cfg, "store.path"), built, &rows)) != HY_OK) {
            hy_cli_error("dataset", rc);
            ret = HY_EXIT_FAIL;
            goto out;
        }
        o.data = built;
    }
    ret = train_publish(e, o.cfg, o.data, dir);
out:
    if (built[0])
        unlink(built);
    hy_config_destroy(o.cfg);
    return ret < 0 ? HY_EXIT_OK : ret;
}

/* ---- model list | use | rollback ---- */

static void print_versions(const hy_model_version *vs, size_t n, unsigned cur, hy_fmt fmt)
{
    if (fmt != HY_FMT_TABLE) {
        for (size_t i = 0; i < n; i++)
            printf("{\"current\":%s,\"manifest\":%s}\n", vs[i].version == cur ? "true" : "false",
                   vs[i].manifest);
        return;
    }
    printf("  %-8s %-20s %8s  %-16s %s\n", "VERSION", "CREATED", "ROWS", "DATA", "MODEL");
    for (size_t i = 0; i < n; i++) {
        char when[32];
        hy_time_format(vs[i].created_ns, when);
        when[19] = '\0';
        printf("%c %-8u %-20s %8llu  %.16s %.16s\n", vs[i].version == cur ? '*' : ' ',
               vs[i].version, when, (unsigned long long)vs[i].rows, vs[i].data_hash,
               vs[i].model_hash);
    }
}

static int model_cmd(learn_opts *o, const char *dir)
{
    const char *verb = o->args[0], *engine = o->args[1];
    hy_err rc = HY_OK;
    unsigned v = 0;
    if (strcmp(verb, "list") == 0 && o->nargs == 2) {
        hy_model_version *vs = NULL;
        size_t n = 0;
        if ((rc = hy_model_list(dir, engine, &vs, &n, &v)) == HY_OK) {
            if (!n && o->fmt == HY_FMT_TABLE)
                printf("%s: no model versions under %s\n", engine, dir);
            else
                print_versions(vs, n, v, o->fmt);
        }
        hy_model_versions_free(vs, n);
    } else if (strcmp(verb, "use") == 0 && o->nargs == 3) {
        char *end;
        unsigned long x = strtoul(o->args[2], &end, 10);
        if (*end || !x || x > HY_MODEL_MAX_VERSIONS)
            rc = hy_err_set(HY_ERR_ARG, "'%s' is not a version number", o->args[2]);
        else if ((rc = hy_model_use(dir, engine, (unsigned)x)) == HY_OK)
            printf("%s: version %lu is current\n", engine, x);
    } else if (strcmp(verb, "rollback") == 0 && o->nargs == 2) {
        if ((rc = hy_model_rollback(dir, engine, &v)) == HY_OK)
            printf("%s: rolled back to version %u\n", engine, v);
    } else {
        fputs(model_usage, stderr);
        return HY_EXIT_USAGE;
    }
    if (rc != HY_OK) {
        hy_cli_error("model", rc);
        return rc == HY_ERR_NOTFOUND || rc == HY_ERR_ARG ? HY_EXIT_USAGE : HY_EXIT_FAIL;
    }
    if (strcmp(verb, "list") != 0)
        printf("a running hayate loads it on SIGHUP or POST /api/models/reload\n");
    return HY_EXIT_OK;
}

int hy_cmd_model(int argc, char **argv)
{
    learn_opts o = {0};
    int ret = parse(argc, argv, model_usage, &o);
    if (ret == HY_EXIT_OK) {
        if (!o.fmt_set)
            o.fmt = isatty(STDOUT_FILENO) ? HY_FMT_TABLE : HY_FMT_JSON;
        if (o.nargs < 2) {
            fputs(model_usage, stderr);
            ret = HY_EXIT_USAGE;
        } else if (!learner(o.args[1], false)) {
            ret = HY_EXIT_USAGE;
        } else {
            ret = model_cmd(&o, hy_config_str(o.cfg, "models.dir"));
        }
    }
    hy_config_destroy(o.cfg);
    return ret < 0 ? HY_EXIT_OK : ret;
}
