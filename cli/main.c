/* hayate: command-line front end. Each subcommand lives in its own file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hayate/ml.h"
#include "commands.h"

typedef struct hy_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} hy_cmd;

static int cmd_version(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("hayate %s\n", HY_VERSION);
    return HY_EXIT_OK;
}

static const hy_cmd cmds[] = {
    {"run", hy_cmd_run, "run the platform from a config file until input ends or a signal"},
    {"analyze", hy_cmd_analyze, "analyze captures and print the findings"},
    {"alerts", hy_cmd_alerts, "list and filter alerts in the store"},
    {"synth", hy_cmd_synth, "generate deterministic synthetic inputs (traffic, darknet, alerts)"},
    {"features", hy_cmd_features, "the malware feature vector of files, as training data"},
    {"eval", hy_cmd_eval, "measure an engine: darknet on scenario sets, malware on labelled data"},
    {"dataset", hy_cmd_dataset, "build a training set from analysts' verdicts in the store"},
    {"train", hy_cmd_train, "train a new model version of a learning engine"},
    {"model", hy_cmd_model, "list model versions, make one current, roll back"},
    {"tree", hy_cmd_tree, "a phylogenetic tree of files (NCD or TLSH, neighbour joining)"},
    {"screen", hy_cmd_screen, "screen IDS alerts (eve.json, fast.log): escalate the few that matter"},
    {"intel", hy_cmd_intel, "threat reports to indicators, ATT&CK techniques and STIX 2.1"},
    {"version", cmd_version, "print the version"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: hayate COMMAND [options]   (hayate COMMAND --help for details)\n\n");
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
    fprintf(f, "\nExit status: 0 success, 1 failure while running, 2 bad usage, bad\n"
               "configuration or unusable input (e.g. a file that is not a capture).\n");
}

int main(int argc, char **argv)
{
    hy_ml_init(); /* stops OpenBLAS's idle threads before they spin */
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? HY_EXIT_USAGE : HY_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(0, NULL);
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hayate: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return HY_EXIT_USAGE;
}
