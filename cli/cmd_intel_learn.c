/* hayate train intel / hayate eval intel: the ATT&CK sentence classifier
 * (docs/intel.md, "The model"). train fits it on MITRE TRAM's data and
 * writes it atomically (by default over the shipped data/attack/model.hyl);
 * eval runs the report-grouped cross-validation and prints its protocol,
 * its figures and the published anchor beside them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "hayate/attack.h"
#include "hayate/buf.h"
#include "hayate/intel.h"

#define DEFAULT_TRAM "../shared/data/intel/tram"

static const char usage[] =
    "usage: hayate train intel [--tram DIR] [-o MODEL]\n"
    "       hayate eval intel [--tram DIR] [--folds K] [--seed N] [--negatives]\n"
    "                         [--class-weight A]\n"
    "                         [--no-bootstrap] [--no-attack-descriptions] [--min-support N]\n"
    "train: fits the ATT&CK sentence classifier as the product ships it (TF-IDF\n"
    "word and character n-grams, liblinear linear SVM, temperature-scaled) on\n"
    "MITRE TRAM's labelled sentences, with the reports' unannotated sentences as\n"
    "none, and writes it atomically to MODEL (default: the shipped\n"
    "" HY_INTEL_DEFAULT_MODEL ").\n"
    "eval: report-grouped K-fold cross-validation (no report on both sides)\n"
    "over the techniques with at least N sentences (20) plus a none class;\n"
    "prints the protocol, micro-F1 (all classes, and techniques only), macro-F1,\n"
    "calibration error and per-class figures, beside TRAM's published anchor.\n"
    "--negatives also scores the reports' unannotated sentences as none (the\n"
    "shipped model's data); --no-negatives leaves them out of train.\n"
    "--class-weight A weighs class c by (rows / (classes * rows_c))^A, 0..2\n"
    "(eval: 1, balanced; the shipped model: 0).\n"
    "Both train on the names and description sentences of the evaluated\n"
    "techniques in DIR/../attack/enterprise-attack-core.json too (ATT&CK);\n"
    "--no-attack-descriptions leaves them out.\n"
    "      --tram DIR       TRAM data: single_label.json, bootstrap-training-data.json,\n"
    "                       reports/ (default: " DEFAULT_TRAM ")\n"
    "Exit: 0 ok, 1 failure, 2 bad usage or unreadable data.\n";

typedef struct opts {
    const char *tram, *out;
    hy_attack_eval_opts ev;
} opts;

/* Parses the flags over the defaults of eval (the protocol) or,
 * with shipped, of the model the product ships (hy_attack_eval_opts_shipped). */
static int parse(int argc, char **argv, opts *o, bool shipped)
{
    static const struct option lo[] = {
        {"tram", required_argument, NULL, 't'},   {"output", required_argument, NULL, 'o'},
        {"folds", required_argument, NULL, 'k'},  {"seed", required_argument, NULL, 'S'},
        {"min-support", required_argument, NULL, 'm'},
        {"no-negatives", no_argument, NULL, 'N'}, {"no-bootstrap", no_argument, NULL, 'B'},
        {"negatives", no_argument, NULL, 'P'}, {"class-weight", required_argument, NULL, 'w'},
        {"no-attack-descriptions", no_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int c;
    char *end;
    unsigned long v;
    o->tram = DEFAULT_TRAM;
    if (shipped)
        hy_attack_eval_opts_shipped(&o->ev);
    else
        hy_attack_eval_opts_default(&o->ev);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        switch (c) {
        case 't': o->tram = optarg; break;
        case 'o': o->out = optarg; break;
        case 'N': o->ev.report_negatives = false; break;
        case 'P': o->ev.report_negatives = true; break;
        case 'w':
            o->ev.model.cw_grid[0] = strtod(optarg, &end);
            o->ev.model.n_cw = 1;
            if (*end || !*optarg || !(o->ev.model.cw_grid[0] >= 0 && o->ev.model.cw_grid[0] <= 2))
                goto bad;
            break;
        case 'B': o->ev.bootstrap = false; break;
        case 'A': o->ev.attack_desc = false; break;
        case 'k': case 'S': case 'm':
            v = strtoul(optarg, &end, 10);
            if (*end || !*optarg || (c == 'k' && (v < 2 || v > HY_ATTACK_MAX_FOLDS)) ||
                (c == 'm' && (v < 1 || v > 100000)))
                goto bad;
            if (c == 'k')
                o->ev.folds = (unsigned)v;
            else if (c == 'S')
                o->ev.seed = v;
            else
                o->ev.min_support = (uint32_t)v;
            break;
        case 'h': fputs(usage, stdout); return -1;
        default: goto bad;
        }
    }
    if (optind != argc)
        goto bad;
    return HY_EXIT_OK;
bad:
    fputs(usage, stderr);
    return HY_EXIT_USAGE;
}

int hy_cmd_train_intel(int argc, char **argv)
{
    opts o = {0};
    hy_attack_model *m = NULL;
    hy_err rc;
    int ret = parse(argc, argv, &o, true);
    if (ret)
        return ret < 0 ? HY_EXIT_OK : ret;
    const char *out = o.out ? o.out : HY_INTEL_DEFAULT_MODEL;
    if ((rc = hy_attack_train_tram(o.tram, &o.ev, &m)) != HY_OK) {
        hy_cli_error("train intel", rc);
        return rc == HY_ERR_NOMEM ? HY_EXIT_FAIL : HY_EXIT_USAGE;
    }
    const hy_attack_model_info *in = hy_attack_model_info_get(m);
    if ((rc = hy_attack_model_save(m, out)) != HY_OK) {
        hy_cli_error(out, rc);
        ret = HY_EXIT_FAIL;
    } else {
        printf("model %s: %zu classes, %zu features, %zu sentences; C %.3g, class-weight "
               "exponent %.2g, temperature %.3f, inner micro-F1 (techniques) %.4f\n",
               out, in->classes, in->features, in->train_rows, in->C, in->cw_power,
               in->temperature, in->inner_micro_f1);
    }
    hy_attack_model_free(m);
    return ret;
}

int hy_cmd_eval_intel(int argc, char **argv)
{
    opts o = {0};
    hy_attack_eval_result r;
    hy_buf b;
    hy_err rc;
    int ret = parse(argc, argv, &o, false);
    if (ret)
        return ret < 0 ? HY_EXIT_OK : ret;
    memset(&r, 0, sizeof r);
    hy_buf_init(&b, 1u << 24);
    if ((rc = hy_attack_eval_protocol(&o.ev, &b)) == HY_OK)
        printf("%s\n", b.data);
    fflush(stdout);
    if (rc == HY_OK && (rc = hy_attack_eval_tram(o.tram, &o.ev, &r)) == HY_OK) {
        hy_buf_reset(&b);
        if ((rc = hy_attack_eval_format(&r, &b)) == HY_OK)
            printf("%s\nanchor: TRAM's notebooks on their 18-technique split: logistic regression "
                   "micro-F1 0.855, fastText 0.859, BERT 0.906 (target here: >= 0.87)\n"
                   "hayate: micro-F1 %.4f (all classes), %.4f (techniques only)\n",
                   b.data, r.micro_f1_all, r.micro_f1_tech);
    }
    if (rc != HY_OK) {
        hy_cli_error("eval intel", rc);
        ret = rc == HY_ERR_NOMEM ? HY_EXIT_FAIL : HY_EXIT_USAGE;
    }
    hy_attack_eval_result_free(&r);
    hy_buf_free(&b);
    return ret;
}
