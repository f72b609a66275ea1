/* hayate features: the malware engine's feature vector of files as
 * training data (libsvm or CSV lines), so a labelled corpus becomes a
 * set for hayate train malware --data and hayate eval malware. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "hayate/buf.h"
#include "hayate/io.h"
#include "hayate/limits.h"
#include "hayate/malware.h"
#include "hayate/pipeline.h"

static const char usage[] =
    "usage: hayate features [--label 0|1] [--format libsvm|csv] PATH...\n"
    "Writes the malware engine's feature vector (docs/malware.md, \"Features\":\n"
    "EMBER v2's 2,381 dimensions, then the ELF groups; 4,510 in all) of every\n"
    "regular file under each PATH to stdout, one line per file in path order:\n"
    "libsvm (label then index:value for the non-zero values, indices from 0)\n"
    "or CSV (label then all values). Cat the output of a benign and a\n"
    "malicious corpus into one file for hayate train malware --data.\n"
    "      --label L        the label written on each line (default 0)\n"
    "      --format F       libsvm (default) or csv\n"
    "Exit: 0 ok, 1 failure, 2 bad usage or unreadable PATH.\n";

/* One line for the vector v. */
static void put_line(FILE *out, int label, const float *v, bool csv)
{
    fprintf(out, "%d", label);
    for (size_t i = 0; i < HY_MALWARE_DIM; i++) {
        if (csv)
            fprintf(out, ",%.9g", v[i]);
        else if (v[i] != 0.0f)
            fprintf(out, " %zu:%.9g", i, v[i]);
    }
    fputc('\n', out);
}

/* Every file under path; unreadable files are counted, not fatal. */
static int one_path(const char *path, int label, bool csv, float *v, size_t *skipped)
{
    hy_file_entry *f = NULL;
    size_t n = 0;
    hy_buf b;
    hy_err rc = hy_file_list(path, &f, &n, NULL);
    if (rc != HY_OK) {
        hy_cli_error(path, rc);
        return HY_EXIT_USAGE;
    }
    hy_buf_init(&b, HY_MAX_FILE_BYTES);
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        b.len = 0;
        if (hy_buf_read_file(&b, f[i].path) != HY_OK) {
            (*skipped)++;
            continue;
        }
        if ((rc = hy_malware_vector((const uint8_t *)b.data, b.len, v)) == HY_OK)
            put_line(stdout, label, v, csv);
    }
    hy_buf_free(&b);
    hy_file_list_free(f, n);
    if (rc != HY_OK)
        hy_cli_error(path, rc);
    return rc == HY_OK ? HY_EXIT_OK : HY_EXIT_FAIL;
}

int hy_cmd_features(int argc, char **argv)
{
    enum { O_LABEL = 256, O_FORMAT };
    static const struct option opts[] = {{"label", required_argument, 0, O_LABEL},
                                         {"format", required_argument, 0, O_FORMAT},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c, label = 0, r = HY_EXIT_OK;
    bool csv = false;
    size_t skipped = 0;
    float *v;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_LABEL:
            if (strcmp(optarg, "0") && strcmp(optarg, "1"))
                r = HY_EXIT_USAGE;
            label = optarg[0] == '1';
            break;
        case O_FORMAT:
            csv = strcmp(optarg, "csv") == 0;
            if (!csv && strcmp(optarg, "libsvm"))
                r = HY_EXIT_USAGE;
            break;
        case 'h': fputs(usage, stdout); return HY_EXIT_OK;
        default: r = HY_EXIT_USAGE;
        }
    }
    if (r != HY_EXIT_OK || optind >= argc) {
        fputs(usage, stderr);
        return HY_EXIT_USAGE;
    }
    if (!(v = malloc(HY_MALWARE_DIM * sizeof *v)))
        return HY_EXIT_FAIL;
    for (int i = optind; i < argc && r == HY_EXIT_OK; i++)
        r = one_path(argv[i], label, csv, v, &skipped);
    free(v);
    if (skipped)
        fprintf(stderr, "hayate: features: %zu unreadable files skipped\n", skipped);
    if (fflush(stdout) != 0 && r == HY_EXIT_OK)
        r = HY_EXIT_FAIL;
    return r;
}
