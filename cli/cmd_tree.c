/* hayate tree: a phylogenetic tree of files (docs/malware.md, "Phylogeny"):
 * pairwise distances (NCD with zstd, or TLSH), neighbour joining (or the
 * fast place-on-a-skeleton variant), Newick on stdout; optionally an SVG
 * picture whose leaves show each file's hash, name and, from a store, its
 * family and first-seen date. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "hayate/buf.h"
#include "hayate/file.h"
#include "hayate/io.h"
#include "hayate/malware.h"
#include "hayate/pipeline.h"
#include "hayate/store.h"
#include "hayate/tlsh.h"
#include "hayate/tree.h"

#define TREE_MAX_BYTES  (4ull << 30) /* all files held at once */
#define TREE_MAX_TEXT   (256u << 20) /* Newick or SVG output */
#define TREE_FAMILY_MAX 64           /* bytes of a family name shown */

static const char usage[] =
    "usage: hayate tree PATH [--distance ncd|tlsh] [--fast] [-t N] [--svg FILE [--db DB]]\n"
    "                        [--truth FILE]\n"
    "       hayate tree --family NAME --db DB [--svg FILE]\n"
    "Builds a phylogenetic tree of every regular file under PATH (recursively,\n"
    "links not followed) and prints it as Newick, leaves named by their path\n"
    "under PATH. With --family, the tree of that family's samples in the store\n"
    "(its 2,000 newest with a TLSH digest), by TLSH distance from the stored\n"
    "digests (the files are not needed), leaves named by file name (with\n"
    "@SHORT_HASH when two share one); neighbour joining, the fast variant above\n"
    "500 samples.\n"
    "      --distance D     ncd (normalised compression distance with zstd; the\n"
    "                       default) or tlsh (TLSH distance; every file needs a\n"
    "                       digest: 50 bytes or more, not too uniform)\n"
    "      --fast           the cluster-then-join variant (faster on thousands)\n"
    "  -t, --threads N      threads for the NCD pairs (the tree is the same)\n"
    "      --svg FILE       also draw the tree as SVG (rooted at the midpoint of\n"
    "                       the longest path, lengths to scale); each leaf shows\n"
    "                       the first 12 hex digits of its SHA-256 and its name\n"
    "      --db DB          and, for a file this store knows (by SHA-256), its\n"
    "                       family and first-seen date (UTC); opened read-only\n"
    "      --truth FILE     compare with a known tree (Newick, leaves named as\n"
    "                       here, e.g. from `hayate synth lineage`) and print\n"
    "                       rf=X max=Y normalised=X/Y on stderr (Robinson-Foulds)\n"
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
    const char *svg, *db, *truth, *family;
} tree_opts;

/* The fast variant on NCD: only the pairs it asks for are compressed (n k
 * plus those within clusters, not n^2 / 2), the same values as the
 * matrix's entries. */
static hy_err ncd_fast(const corpus *c, unsigned threads, hy_tree **t)
{
    const void **blobs = calloc(c->n, sizeof *blobs);
    size_t *lens = calloc(c->n, sizeof *lens);
    hy_ncd_set *set = NULL;
    hy_nj_fast_opts fo;
    hy_err rc = blobs && lens ? HY_OK : HY_ERR_NOMEM;
    for (size_t i = 0; i < c->n && rc == HY_OK; i++) {
        blobs[i] = c->data[i].data ? c->data[i].data : "";
        lens[i] = c->data[i].len;
    }
    hy_nj_fast_opts_default(&fo);
    if (rc == HY_OK && (rc = hy_ncd_set_create(blobs, lens, c->n, threads, &set)) == HY_OK)
        rc = hy_nj_fast_fn(hy_ncd_set_pairs, set, c->n, &fo, t, NULL);
    hy_ncd_set_destroy(set);
    free(blobs);
    free(lens);
    return rc;
}

/* The distances and the tree on them. */
static hy_err make_tree(const corpus *c, const tree_opts *o, hy_tree **t)
{
    hy_nj_fast_opts fo;
    if (o->fast && !o->tlsh)
        return ncd_fast(c, o->threads, t);
    double *d = malloc(c->n * c->n * sizeof *d);
    hy_err rc = d ? HY_OK : HY_ERR_NOMEM;
    if (rc == HY_OK)
        rc = o->tlsh ? tlsh_matrix(c, d) : ncd_matrix(c, o->threads, d);
    hy_nj_fast_opts_default(&fo);
    if (rc == HY_OK)
        rc = o->fast ? hy_nj_fast(d, c->n, &fo, t) : hy_nj(d, c->n, t);
    free(d);
    return rc;
}

/* What a store knows of one SHA-256. */
typedef struct known {
    bool found;
    uint64_t first_ns;
    char family[TREE_FAMILY_MAX + 1];
} known;

static int on_sample(void *ud, const hy_sample *s)
{
    known *k = ud;
    k->found = true;
    k->first_ns = s->first_ns;
    snprintf(k->family, sizeof k->family, "%s", s->family ? s->family : "");
    return 1;
}

/* Leaf i's picture label: "hash12  name[  family][  YYYY-MM-DD]" (the date
 * of first_ns in UTC). */
static hy_err leaf_label(const corpus *c, size_t i, hy_store *db, char **out)
{
    hy_file_hashes h;
    known k = {0};
    char date[32] = "";
    hy_buf b;
    const uint8_t *p = (const uint8_t *)(c->data[i].data ? c->data[i].data : "");
    hy_err rc = hy_file_hashes_of(p, c->data[i].len, &h);
    if (rc == HY_OK && db) {
        hy_sample_filter f = {.sha256 = h.sha256, .limit = 1};
        rc = hy_store_query_samples(db, &f, on_sample, &k);
    }
    if (rc != HY_OK)
        return rc;
    if (k.found && k.first_ns) {
        time_t sec = (time_t)(k.first_ns / 1000000000u);
        struct tm tm;
        if (gmtime_r(&sec, &tm))
            strftime(date, sizeof date, "%Y-%m-%d", &tm);
    }
    hy_buf_init(&b, 1u << 20);
    rc = hy_buf_addf(&b, "%.12s  %s%s%s%s%s", h.sha256, c->names[i], k.family[0] ? "  " : "",
                     k.family, date[0] ? "  " : "", date);
    *out = rc == HY_OK ? hy_buf_take(&b, NULL) : NULL;
    hy_buf_free(&b);
    return rc;
}

/* The SVG picture, written atomically (a temporary file, then rename). */
static hy_err write_svg(const hy_tree *t, const corpus *c, const tree_opts *o)
{
    hy_store *db = NULL;
    char **labels = calloc(c->n, sizeof *labels);
    hy_buf out;
    hy_err rc = labels ? HY_OK : HY_ERR_NOMEM;
    hy_buf_init(&out, TREE_MAX_TEXT);
    if (rc == HY_OK && o->db && (rc = hy_store_open_sqlite_reader(o->db, &db)) != HY_OK)
        rc = hy_err_set(rc, "--db %s: %s", o->db, hy_err_detail());
    for (size_t i = 0; i < c->n && rc == HY_OK; i++)
        rc = leaf_label(c, i, db, &labels[i]);
    if (rc == HY_OK)
        rc = hy_tree_svg(t, (const char *const *)labels, &out);
    if (rc == HY_OK)
        rc = hy_write_file_atomic(o->svg, out.data, out.len);
    for (size_t i = 0; labels && i < c->n; i++)
        free(labels[i]);
    free(labels);
    hy_buf_free(&out);
    if (db)
        hy_store_close(db);
    return rc;
}

/* Robinson-Foulds distance to the tree in the Newick file at path. */
static hy_err compare(const hy_tree *t, const corpus *c, const char *path)
{
    hy_buf text;
    hy_tree *truth = NULL;
    size_t rf = 0, max = 0;
    hy_buf_init(&text, HY_NEWICK_MAX_BYTES);
    hy_err rc = hy_buf_read_file(&text, path);
    if (rc == HY_OK && (rc = hy_tree_from_newick(text.data ? text.data : "", text.len, c->names,
                                                 c->n, &truth)) != HY_OK)
        rc = hy_err_set(rc, "--truth %s: %s", path, hy_err_detail());
    if (rc == HY_OK && (rc = hy_tree_rf(t, truth, c->n, &rf, &max)) == HY_OK)
        fprintf(stderr, "rf=%zu max=%zu normalised=%.4f\n", rf, max,
                max ? (double)rf / (double)max : 0.0);
    hy_tree_free(truth);
    hy_buf_free(&text);
    return rc;
}

/* Unique Newick names for the family's leaves: the stored file name, with
 * "@" and the short hash when another leaf has the same name (or none). */
static hy_err family_names(const hy_sample_tree *t, char ***out)
{
    char **v = calloc(t->n, sizeof *v);
    if (!v)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < t->n; i++) {
        const char *nm = t->leaves[i].name ? t->leaves[i].name : "";
        bool dup = !*nm;
        for (size_t j = 0; j < t->n && !dup; j++)
            dup = j != i && t->leaves[j].name && strcmp(t->leaves[j].name, nm) == 0;
        size_t cap = strlen(nm) + 16;
        if (!(v[i] = malloc(cap))) {
            hy_sample_tree_labels_free(v, i);
            return HY_ERR_NOMEM;
        }
        snprintf(v[i], cap, dup ? "%s@%.12s" : "%s", nm, t->leaves[i].sha256);
    }
    *out = v;
    return HY_OK;
}

/* The picture of a family tree: hy_sample_tree_labels' labels. */
static hy_err family_svg(const hy_sample_tree *t, const char *path)
{
    char **labels = NULL;
    hy_buf out;
    hy_buf_init(&out, TREE_MAX_TEXT);
    hy_err rc = hy_sample_tree_labels(t, &labels);
    if (rc == HY_OK && (rc = hy_tree_svg(t->tree, (const char *const *)labels, &out)) == HY_OK)
        rc = hy_write_file_atomic(path, out.data, out.len);
    hy_sample_tree_labels_free(labels, labels ? t->n : 0);
    hy_buf_free(&out);
    return rc;
}

/* hayate tree --family NAME --db DB: the family's stored samples. */
static int build_family(const tree_opts *o)
{
    hy_store *db = NULL;
    hy_sample_tree *t = NULL;
    char **names = NULL;
    hy_buf out;
    hy_err rc = hy_store_open_sqlite_reader(o->db, &db);
    hy_buf_init(&out, TREE_MAX_TEXT);
    if (rc != HY_OK)
        rc = hy_err_set(rc, "--db %s: %s", o->db, hy_err_detail());
    else
        rc = hy_sample_tree_collect(db, o->family, HY_SAMPLE_TREE_MAX, &t);
    if (rc == HY_OK && (rc = hy_sample_tree_join(t)) == HY_OK &&
        (rc = family_names(t, &names)) == HY_OK &&
        (rc = hy_tree_newick(t->tree, (const char *const *)names, &out)) == HY_OK)
        fputs(out.data, stdout); /* hy_tree_newick ends the line */
    if (rc == HY_OK && o->svg)
        rc = family_svg(t, o->svg);
    if (rc == HY_OK && t->omitted)
        fprintf(stderr, "hayate: tree: %zu samples of %s have no usable TLSH digest\n",
                t->omitted, o->family);
    if (rc != HY_OK)
        hy_cli_error("tree", rc);
    hy_sample_tree_labels_free(names, names ? t->n : 0);
    hy_sample_tree_free(t);
    hy_buf_free(&out);
    if (db)
        hy_store_close(db);
    return rc == HY_OK ? HY_EXIT_OK
           : rc == HY_ERR_NOMEM || rc == HY_ERR_INTERNAL || rc == HY_ERR_STORE ? HY_EXIT_FAIL
                                                                              : HY_EXIT_USAGE;
}

static int build(const char *root, const tree_opts *o)
{
    corpus c = {0};
    hy_tree *t = NULL;
    hy_buf out;
    hy_err rc = load(root, &c);
    hy_buf_init(&out, TREE_MAX_TEXT);
    if (rc == HY_OK)
        rc = make_tree(&c, o, &t);
    if (rc == HY_OK && (rc = hy_tree_newick(t, c.names, &out)) == HY_OK)
        fputs(out.data, stdout); /* hy_tree_newick ends the line */
    if (rc == HY_OK && o->truth)
        rc = compare(t, &c, o->truth);
    if (rc == HY_OK && o->svg)
        rc = write_svg(t, &c, o);
    if (rc != HY_OK)
        hy_cli_error("tree", rc);
    hy_tree_free(t);
    hy_buf_free(&out);
    corpus_free(&c);
    if (rc == HY_OK)
        return HY_EXIT_OK;
    return rc == HY_ERR_NOMEM || rc == HY_ERR_INTERNAL || rc == HY_ERR_IO || rc == HY_ERR_STORE
               ? HY_EXIT_FAIL
               : HY_EXIT_USAGE;
}

enum { OPT_DISTANCE = 256, OPT_FAST, OPT_SVG, OPT_DB, OPT_TRUTH, OPT_FAMILY };

int hy_cmd_tree(int argc, char **argv)
{
    static const struct option opts[] = {{"distance", required_argument, 0, OPT_DISTANCE},
                                         {"fast", no_argument, 0, OPT_FAST},
                                         {"svg", required_argument, 0, OPT_SVG},
                                         {"db", required_argument, 0, OPT_DB},
                                         {"truth", required_argument, 0, OPT_TRUTH},
                                         {"family", required_argument, 0, OPT_FAMILY},
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
        case OPT_SVG:
            o.svg = optarg;
            break;
        case OPT_DB:
            o.db = optarg;
            break;
        case OPT_TRUTH:
            o.truth = optarg;
            break;
        case OPT_FAMILY:
            o.family = optarg;
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
    if (o.family) {
        if (optind != argc || !o.db || o.truth) {
            fputs("hayate: tree: --family NAME needs --db DB and no PATH or --truth\n", stderr);
            return HY_EXIT_USAGE;
        }
        return build_family(&o);
    }
    if (optind != argc - 1) {
        fputs(usage, stderr);
        return HY_EXIT_USAGE;
    }
    if (o.db && !o.svg) {
        fputs("hayate: tree: --db labels the picture; it needs --svg FILE\n", stderr);
        return HY_EXIT_USAGE;
    }
    return build(argv[optind], &o);
}
