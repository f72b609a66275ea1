/* hayate tree: a phylogenetic tree of files (docs/malware.md, "Phylogeny"):
 * pairwise distances (NCD with zstd, or TLSH), neighbour joining (or the
 * fast place-on-a-skeleton variant), Newick on stdout. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "hayate/buf.h"
#include "hayate/io.h"
#include "hayate/pipeline.h"
#include "hayate/tlsh.h"
#include "hayate/tree.h"

#define TREE_MAX_BYTES (4ull << 30) /* all files held at once */

static const char usage[] =
    "usage: hayate tree PATH [--distance ncd|tlsh] [--fast] [-t N]\n"
    "Builds a phylogenetic tree of every regular file under PATH (recursively,\n"
    "links not followed) and prints it as Newick, leaves named by their path\n"
    "under PATH.\n"
    "      --distance D     ncd (normalised compression distance with zstd; the\n"
    "                       default) or tlsh (TLSH distance; every file needs a\n"
    "                       digest: 50 bytes or more, not too uniform)\n"
    "      --fast           the cluster-then-join variant (faster on thousands)\n"
    "  -t, --threads N      threads for the NCD pairs (the tree is the same)\n"
    "Exit: 0 ok, 1 failure, 2 bad usage, fewer than 3 files or unusable files.\n";

typedef struct corpus {
    hy_file_entry *f;
    size_t n;
    hy_buf *data; /* each file's bytes */
    const char **names;
} corpus;

static void corpus_free(corpus *c)
{
    for (size_t i = 0; c->data && i < c->n; i++)
        hy_buf_free(&c->data[i]);
    free(c->data);
    free(c->names);
    hy_file_list_free(c->f, c->n);
}

/* Lists and reads every file under root. */
static hy_err load(const char *root, corpus *c)
{
    size_t skip = strlen(root), total = 0;
    hy_err rc = hy_file_list(root, &c->f, &c->n, NULL);
    if (rc != HY_OK)
        return rc;
    if (c->n < 3 || c->n > HY_NJ_MAX_LEAVES)
        return hy_err_set(HY_ERR_ARG, "%s: %zu files; a tree needs 3 to %u", root, c->n,
                          HY_NJ_MAX_LEAVES);
    if (!(c->data = calloc(c->n, sizeof *c->data)) || !(c->names = calloc(c->n, sizeof *c->names)))
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < c->n && rc == HY_OK; i++) {
        const char *name = c->f[i].path;
        if (strncmp(name, root, skip) == 0 && name[skip] == '/')
            name += skip + 1;
        c->names[i] = name;
        total += c->f[i].size;
        hy_buf_init(&c->data[i], HY_NCD_MAX_BLOB);
        if (total > TREE_MAX_BYTES)
            rc = hy_err_set(HY_ERR_TOOBIG, "%s: over %llu GiB of files", root,
                            (unsigned long long)(TREE_MAX_BYTES >> 30));
        else
            rc = hy_buf_read_file(&c->data[i], c->f[i].path);
    }
    return rc;
}

/* TLSH distances; a file without a digest is named in the error. */
static hy_err tlsh_matrix(const corpus *c, double *d)
{
    hy_tlsh_digest *g = calloc(c->n, sizeof *g);
    hy_err rc = g ? HY_OK : HY_ERR_NOMEM;
    for (size_t i = 0; i < c->n && rc == HY_OK; i++) {
        hy_tlsh t;
        if ((rc = hy_tlsh_init(&t, NULL)) == HY_OK &&
            (rc = hy_tlsh_update(&t, c->data[i].data, c->data[i].len)) == HY_OK &&
            (rc = hy_tlsh_final_digest(&t, &g[i])) != HY_OK)
            rc = hy_err_set(rc, "%s: no TLSH digest (%s); use --distance ncd", c->names[i],
                            hy_err_detail());
    }
    for (size_t i = 0; i < c->n && rc == HY_OK; i++)
        for (size_t j = 0; j < c->n; j++)
            d[i * c->n + j] = i == j ? 0 : (double)hy_tlsh_diff(&g[i], &g[j], true);
    free(g);
    return rc;
}

static hy_err ncd_matrix(const corpus *c, unsigned threads, double *d)
{
    const void **blobs = calloc(c->n, sizeof *blobs);
    size_t *lens = calloc(c->n, sizeof *lens);
    hy_err rc = blobs && lens ? HY_OK : HY_ERR_NOMEM;
    for (size_t i = 0; i < c->n && rc == HY_OK; i++) {
        blobs[i] = c->data[i].data ? c->data[i].data : "";
        lens[i] = c->data[i].len;
    }
    if (rc == HY_OK)
        rc = hy_ncd_matrix(blobs, lens, c->n, threads, d);
    free(blobs);
    free(lens);
    return rc;
}

typedef struct tree_opts {
    bool tlsh, fast;
    unsigned threads;
} tree_opts;

static int build(const char *root, const tree_opts *o)
{
    corpus c = {0};
    double *d = NULL;
    hy_tree *t = NULL;
    hy_buf out;
    hy_nj_fast_opts fo;
    hy_err rc = load(root, &c);
    hy_buf_init(&out, 256u << 20);
    if (rc == HY_OK && !(d = malloc(c.n * c.n * sizeof *d)))
        rc = HY_ERR_NOMEM;
    if (rc == HY_OK)
        rc = o->tlsh ? tlsh_matrix(&c, d) : ncd_matrix(&c, o->threads, d);
    hy_nj_fast_opts_default(&fo);
    if (rc == HY_OK)
        rc = o->fast ? hy_nj_fast(d, c.n, &fo, &t) : hy_nj(d, c.n, &t);
    if (rc == HY_OK && (rc = hy_tree_newick(t, c.names, &out)) == HY_OK)
        printf("%s\n", out.data);
    if (rc != HY_OK)
        hy_cli_error("tree", rc);
    hy_tree_free(t);
    hy_buf_free(&out);
    free(d);
    corpus_free(&c);
    if (rc == HY_OK)
        return HY_EXIT_OK;
    return rc == HY_ERR_NOMEM || rc == HY_ERR_INTERNAL ? HY_EXIT_FAIL : HY_EXIT_USAGE;
}

enum { OPT_DISTANCE = 256, OPT_FAST };

int hy_cmd_tree(int argc, char **argv)
{
    static const struct option opts[] = {{"distance", required_argument, 0, OPT_DISTANCE},
                                         {"fast", no_argument, 0, OPT_FAST},
                                         {"threads", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    long nproc = sysconf(_SC_NPROCESSORS_ONLN);
    tree_opts o = {.threads = nproc > 0 && nproc <= 64 ? (unsigned)nproc : 1};
    char *end;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_DISTANCE:
            if (strcmp(optarg, "tlsh") != 0 && strcmp(optarg, "ncd") != 0) {
                fprintf(stderr, "hayate: --distance: ncd or tlsh, not '%s'\n", optarg);
                return HY_EXIT_USAGE;
            }
            o.tlsh = strcmp(optarg, "tlsh") == 0;
            break;
        case OPT_FAST:
            o.fast = true;
            break;
        case 't':
            o.threads = (unsigned)strtoul(optarg, &end, 10);
            if (*end || o.threads < 1 || o.threads > 64) {
                fprintf(stderr, "hayate: --threads: 1..64, not '%s'\n", optarg);
                return HY_EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage, stdout);
            return HY_EXIT_OK;
        default:
            fputs(usage, stderr);
            return HY_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return HY_EXIT_USAGE;
    }
    return build(argv[optind], &o);
}
