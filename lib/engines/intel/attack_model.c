/* The ATT&CK sentence classifier: training with report-grouped inner
 * cross-validation and temperature calibration, prediction, and the model
 * file (include/hayate/attack.h).
 *
 * Inner cross-validation: the training rows are split into inner folds by
 * group (hy_attack_set.group; rows are their own groups when there are
 * fewer groups than folds). For each fold and each augmentation mode, the
 * TF-IDF is fitted on the other folds' rows (plus the augmentation rows
 * that quote none of the held-out texts), then one linear model per
 * (class-weight exponent, C) is trained and its decision values on the
 * held-out rows kept. The settings with the best out-of-fold micro-F1 over
 * technique classes win (ties: the earlier in grid order), and the
 * temperature is fitted on their out-of-fold decision values. The final
 * model is trained on all rows with those settings. The model file is
 * attack_file.c. */
#include "attack_model_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cfg {
    double C, cw;
    bool aug;
} cfg;

/* ---- options and arguments ---- */

void hy_attack_opts_default(hy_attack_opts *o)
{
    static const double cs[] = {0.25, 0.5, 1, 2};
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    hy_tfidf_opts_default(&o->tfidf);
    o->tfidf.max_features = 50000; /* 43 classes: a model file under 5 MB */
    o->solver = HY_LINEAR_SVM;
    o->eps = 0.01;
    memcpy(o->c_grid, cs, sizeof cs);
    o->n_c = 4;
    o->cw_grid[0] = 1;
    o->n_cw = 1;
    o->aug_modes = 2;
    o->row_weight = 2;
    o->inner_folds = 3;
    o->seed = 1;
    o->threads = 2;
}

static hy_err check_opts(const hy_attack_opts *o)
{
    hy_err rc = hy_tfidf_opts_check(&o->tfidf);
    if (rc != HY_OK)
        return rc;
    if (o->n_c < 1 || o->n_c > HY_ATTACK_MAX_GRID || o->n_cw < 1 || o->n_cw > HY_ATTACK_MAX_GRID)
        return hy_err_set(HY_ERR_ARG, "attack model: grids need 1..%u values", HY_ATTACK_MAX_GRID);
    for (unsigned i = 0; i < o->n_c; i++)
        if (!(o->c_grid[i] > 0 && o->c_grid[i] <= 1e6))
            return hy_err_set(HY_ERR_ARG, "attack model: C %g not in (0, 1e6]", o->c_grid[i]);
    for (unsigned i = 0; i < o->n_cw; i++)
        if (!(o->cw_grid[i] >= 0 && o->cw_grid[i] <= 2))
            return hy_err_set(HY_ERR_ARG, "attack model: class-weight exponent %g not in [0, 2]",
                              o->cw_grid[i]);
    if (o->aug_modes > 3 || o->inner_folds == 1 || o->inner_folds > HY_ATTACK_MAX_FOLDS ||
        o->row_weight < 1 || o->row_weight > 4)
        return hy_err_set(HY_ERR_ARG,
                          "attack model: aug_modes %u, inner_folds %u or row_weight "
                          "%u invalid",
                          o->aug_modes, o->inner_folds, o->row_weight);
    if (!(o->eps > 0 && o->eps <= 1) || o->threads < 1 || o->threads > HY_LINEAR_MAX_THREADS ||
        (o->solver != HY_LINEAR_LR && o->solver != HY_LINEAR_SVM))
        return hy_err_set(HY_ERR_ARG, "attack model: solver, eps or threads invalid");
    return HY_OK;
}

bool at_class_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > HY_ATTACK_MAX_LABEL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static hy_err check_set(const hy_attack_set *s)
{
    if (!s->text || !s->len || !s->label || !s->group || !s->classes ||
        (s->naug && (!s->aug_text || !s->aug_len || !s->aug_label)))
        return hy_err_set(HY_ERR_ARG, "attack model: NULL arrays in the training set");
    if (s->nclass < 2 || s->nclass > HY_ATTACK_MAX_CLASSES || s->n > HY_ATTACK_MAX_ROWS ||
        s->naug > HY_ATTACK_MAX_ROWS)
        return hy_err_set(HY_ERR_ARG, "attack model: %zu classes, %zu rows, %zu extra rows",
                          s->nclass, s->n, s->naug);
    for (size_t c = 0; c < s->nclass; c++) {
        if (!at_class_name_ok(s->classes[c]))
            return hy_err_set(HY_ERR_ARG, "attack model: class %zu has a bad name", c);
        for (size_t d = 0; d < c; d++)
            if (strcmp(s->classes[c], s->classes[d]) == 0)
                return hy_err_set(HY_ERR_ARG, "attack model: class %s twice", s->classes[c]);
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->label[i] >= s->nclass || s->group[i] >= s->ngroups || (!s->text[i] && s->len[i]))
            return hy_err_set(HY_ERR_ARG, "attack model: row %zu: bad label, group or text", i);
    for (size_t i = 0; i < s->naug; i++)
        if (s->aug_label[i] >= s->nclass || (!s->aug_text[i] && s->aug_len[i]))
            return hy_err_set(HY_ERR_ARG, "attack model: extra row %zu: bad label or text", i);
    return HY_OK;
}

static long none_index(char *const *classes, size_t n)
{
    for (size_t c = 0; c < n; c++)
        if (strcmp(classes[c], HY_ATTACK_NONE) == 0)
            return (long)c;
    return -1;
}

/* ---- fitting one split ---- */

/* Training texts and labels of one split (rows, then augmentation rows). */
typedef struct split {
    const char **text;
    size_t *len;
    uint32_t *y;
    size_t n;
} split;

static hy_err split_alloc(split *sp, size_t cap)
{
    sp->text = malloc((cap ? cap : 1) * sizeof *sp->text);
    sp->len = malloc((cap ? cap : 1) * sizeof *sp->len);
    sp->y = malloc((cap ? cap : 1) * sizeof *sp->y);
    sp->n = 0;
    if (!sp->text || !sp->len || !sp->y)
        return hy_err_set(HY_ERR_NOMEM, "attack model: %zu rows", cap);
    return HY_OK;
}

static void split_free(split *sp)
{
    free(sp->text);
    free(sp->len);
    free(sp->y);
}

/* Class weights (n / (present classes * n_c))^a of labels y[0..n). */
static void class_weights(const uint32_t *y, size_t n, size_t k, double a, double *w)
{
    size_t present = 0;
    for (size_t c = 0; c < k; c++)
        w[c] = 0;
    for (size_t i = 0; i < n; i++)
        w[y[i]]++;
    for (size_t c = 0; c < k; c++)
        present += w[c] > 0;
    for (size_t c = 0; c < k; c++)
        w[c] = w[c] > 0 && a > 0 ? pow((double)n / ((double)present * w[c]), a) : 1.0;
}

/* TF-IDF fitted on sp, and sp's rows as a matrix. */
static hy_err featurize(const hy_tfidf_opts *to, const split *sp, hy_tfidf **tf, hy_sparse *x)
{
    hy_err rc = hy_tfidf_fit(to, sp->text, sp->len, sp->n, tf);
    if (rc != HY_OK)
        return rc;
    hy_sparse_init(x, hy_tfidf_features(*tf));
    return hy_tfidf_transform_many(*tf, sp->text, sp->len, sp->n, x);
}

static hy_err train_linear(const hy_attack_opts *o, const cfg *c, const hy_sparse *x,
                           const split *sp, size_t k, const hy_linear *init, hy_linear **out)
{
    double *w = malloc(k * sizeof *w);
    if (!w)
        return hy_err_set(HY_ERR_NOMEM, "attack model: %zu classes", k);
    class_weights(sp->y, sp->n, k, c->cw, w);
    hy_linear_opts lo = {o->solver, c->C, o->eps, o->threads};
    hy_err rc = hy_linear_train_warm(x, sp->y, k, w, &lo, init, out);
    free(w);
    return rc;
}

/* ---- inner cross-validation ---- */

typedef struct inner {
    const hy_attack_set *s;
    const hy_attack_opts *o;
    const cfg *cf;
    size_t ncf;
    uint8_t *fold; /* per row */
    uint8_t *seen; /* ncf x n: scored out of fold */
    float *z;      /* ncf x n x nclass */
} inner;

/* Row i's fold: per group, or per row when fewer groups than folds hold
 * rows. */
static hy_err inner_folds(inner *in)
{
    const hy_attack_set *s = in->s;
    unsigned k = in->o->inner_folds;
    size_t present = 0;
    uint8_t *seen = calloc(s->ngroups + 1, 1);
    if (!seen)
        return hy_err_set(HY_ERR_NOMEM, "attack model: folds of %zu groups", s->ngroups);
    for (size_t i = 0; i < s->n; i++)
        if (!seen[s->group[i]])
            seen[s->group[i]] = 1, present++;
    free(seen);
    bool by_row = present < k;
    size_t ng = by_row ? s->n : s->ngroups;
    uint32_t *g = by_row ? malloc((s->n ? s->n : 1) * sizeof *g) : NULL;
    uint8_t *fg = malloc((ng ? ng : 1) * sizeof *fg);
    hy_err rc = HY_OK;
    if (!fg || (by_row && !g)) {
        rc = hy_err_set(HY_ERR_NOMEM, "attack model: folds of %zu rows", s->n);
        goto out;
    }
    for (size_t i = 0; by_row && i < s->n; i++)
        g[i] = (uint32_t)i;
    rc = at_group_folds(s->label, by_row ? g : s->group, s->n, ng, s->nclass, k, in->o->seed, fg);
    for (size_t i = 0; rc == HY_OK && i < s->n; i++)
        in->fold[i] = fg[by_row ? i : s->group[i]];
out:
    free(g);
    free(fg);
    return rc;
}

/* The texts an augmentation row must not quote: the held-out groups'
 * texts, else the held-out rows. */
static hy_err held_shingles(const inner *in, unsigned f, at_shingles **out)
{
    const hy_attack_set *s = in->s;
    const char **t = malloc((s->n + s->ngroups + 1) * sizeof *t);
    size_t *l = malloc((s->n + s->ngroups + 1) * sizeof *l), m = 0;
    uint8_t *used = calloc(s->ngroups + 1, 1);
    hy_err rc = HY_ERR_NOMEM;
    if (t && l && used) {
        for (size_t i = 0; i < s->n; i++) {
            if (in->fold[i] != f)
                continue;
            size_t g = s->group[i];
            if (s->group_text && s->group_text[g]) {
                if (!used[g]++)
                    t[m] = s->group_text[g], l[m++] = s->group_len[g];
            } else {
                t[m] = s->text[i], l[m++] = s->len[i];
            }
        }
        rc = at_shingles_build(t, l, m, out);
    } else {
        hy_err_set(rc, "attack model: out of memory");
    }
    free(t);
    free(l);
    free(used);
    return rc;
}

/* Fold f's training split with or without augmentation. */
static hy_err fold_split(const inner *in, unsigned f, bool aug, split *sp)
{
    const hy_attack_set *s = in->s;
    at_shingles *sh = NULL;
    unsigned reps = aug ? in->o->row_weight : 1;
    hy_err rc = split_alloc(sp, reps * s->n + (aug ? s->naug : 0));
    for (unsigned k = 0; k < reps; k++)
        for (size_t i = 0; rc == HY_OK && i < s->n; i++)
            if (in->fold[i] != f)
                sp->text[sp->n] = s->text[i], sp->len[sp->n] = s->len[i],
                sp->y[sp->n++] = s->label[i];
    if (rc == HY_OK && aug && s->naug && (rc = held_shingles(in, f, &sh)) == HY_OK)
        for (size_t i = 0; i < s->naug; i++)
            if (!at_shingles_hit(sh, s->aug_text[i], s->aug_len[i]))
                sp->text[sp->n] = s->aug_text[i], sp->len[sp->n] = s->aug_len[i],
                sp->y[sp->n++] = s->aug_label[i];
    at_shingles_free(sh);
    return rc;
}

/* Decision values of the held-out rows h (row ids ids) into in->z. */
static hy_err score_held(inner *in, size_t ci, const hy_linear *lin, const hy_sparse *h,
                         const size_t *ids)
{
    size_t k = in->s->nclass;
    double *z = malloc(k * sizeof *z);
    if (!z)
        return hy_err_set(HY_ERR_NOMEM, "attack model: out of memory");
    for (size_t r = 0; r < h->rows; r++) {
        size_t a = h->indptr[r];
        hy_linear_decision(lin, h->indices + a, h->values + a, h->indptr[r + 1] - a, z);
        float *dst = in->z + (ci * in->s->n + ids[r]) * k;
        for (size_t c = 0; c < k; c++)
            dst[c] = (float)z[c];
        in->seen[ci * in->s->n + ids[r]] = 1;
    }
    free(z);
    return HY_OK;
}

/* Trains every setting of augmentation mode aug on fold f's training
 * split and scores the held-out rows. A split left with a single class is
 * not scored. */
static hy_err run_fold_mode(inner *in, unsigned f, bool aug)
{
    const hy_attack_set *s = in->s;
    split sp = {0};
    hy_tfidf *tf = NULL;
    hy_sparse x, h;
    hy_linear *prev = NULL;
    double prev_cw = -1;
    size_t nh = 0, cap = s->n ? s->n : 1;
    size_t *ids = malloc(cap * sizeof *ids), *hl = malloc(cap * sizeof *hl);
    const char **ht = malloc(cap * sizeof *ht);
    hy_sparse_init(&x, 0);
    hy_sparse_init(&h, 0);
    hy_err rc = ids && ht && hl ? fold_split(in, f, aug, &sp)
                                : hy_err_set(HY_ERR_NOMEM, "attack model: out of memory");
    for (size_t i = 0; rc == HY_OK && i < s->n; i++)
        if (in->fold[i] == f)
            ids[nh] = i, ht[nh] = s->text[i], hl[nh++] = s->len[i];
    if (rc != HY_OK || !nh || (rc = featurize(&in->o->tfidf, &sp, &tf, &x)) != HY_OK)
        goto out;
    hy_sparse_init(&h, x.cols);
    if ((rc = hy_tfidf_transform_many(tf, ht, hl, nh, &h)) != HY_OK)
        goto out;
    /* along C (same exponent), each model starts from the previous one */
    for (size_t ci = 0; rc == HY_OK && ci < in->ncf; ci++) {
        hy_linear *lin = NULL;
        if (in->cf[ci].aug != aug)
            continue;
        const hy_linear *init = prev && in->cf[ci].cw == prev_cw ? prev : NULL;
        if ((rc = train_linear(in->o, &in->cf[ci], &x, &sp, s->nclass, init, &lin)) == HY_ERR_ARG) {
            hy_err_clear();
            rc = HY_OK;
            break;
        }
        if (rc == HY_OK)
            rc = score_held(in, ci, lin, &h, ids);
        hy_linear_free(prev);
        prev = lin;
        prev_cw = in->cf[ci].cw;
    }
out:
    hy_linear_free(prev);
    split_free(&sp);
    hy_tfidf_free(tf);
    hy_sparse_free(&x);
    hy_sparse_free(&h);
    free(ids);
    free(ht);
    free(hl);
    return rc;
}

/* Out-of-fold micro-F1 (techniques) of setting ci over the rows scored. */
static double cfg_score(const inner *in, size_t ci, long none, uint32_t *y, uint32_t *pred)
{
    size_t k = in->s->nclass, m = 0;
    for (size_t i = 0; i < in->s->n; i++) {
        if (!in->seen[ci * in->s->n + i])
            continue;
        const float *z = in->z + (ci * in->s->n + i) * k;
        uint32_t b = 0;
        for (uint32_t c = 1; c < k; c++)
            if (z[c] > z[b])
                b = c;
        y[m] = in->s->label[i];
        pred[m++] = b;
    }
    return m ? at_micro_f1_tech(y, pred, m, none) : -1;
}

/* The temperature fitted on setting ci's out-of-fold decision values. */
static hy_err fit_temperature(const inner *in, size_t ci, double *t)
{
    size_t k = in->s->nclass, n = in->s->n, m = 0;
    double *z = malloc((n * k + 1) * sizeof *z);
    uint32_t *y = malloc((n + 1) * sizeof *y);
    hy_err rc = HY_OK;
    if (!z || !y) {
        rc = hy_err_set(HY_ERR_NOMEM, "attack model: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (!in->seen[ci * n + i])
            continue;
        for (size_t c = 0; c < k; c++)
            z[m * k + c] = in->z[(ci * n + i) * k + c];
        y[m++] = in->s->label[i];
    }
    *t = 1.0;
    if (m)
        rc = hy_linear_fit_temperature(z, y, m, k, t);
out:
    free(z);
    free(y);
    return rc;
}

/* Runs the inner cross-validation: the best setting, its temperature and
 * out-of-fold micro-F1. */
static hy_err inner_cv(const hy_attack_set *s, const hy_attack_opts *o, const cfg *cf, size_t ncf,
                       long none, size_t *best, double *t, double *f1)
{
    inner in = {s, o, cf, ncf, NULL, NULL, NULL};
    uint32_t *y = malloc((s->n + 1) * sizeof *y), *pred = malloc((s->n + 1) * sizeof *pred);
    hy_err rc = HY_OK;
    in.fold = malloc(s->n + 1);
    in.seen = calloc(ncf * s->n + 1, 1);
    in.z = malloc((ncf * s->n * s->nclass + 1) * sizeof *in.z);
    if (!y || !pred || !in.fold || !in.seen || !in.z) {
        rc = hy_err_set(HY_ERR_NOMEM, "attack model: inner folds of %zu rows", s->n);
        goto out;
    }
    if ((rc = inner_folds(&in)) != HY_OK)
        goto out;
    for (unsigned f = 0; f < o->inner_folds && rc == HY_OK; f++)
        for (int aug = 0; aug < 2 && rc == HY_OK; aug++)
            for (size_t ci = 0; ci < ncf; ci++)
                if (cf[ci].aug == (bool)aug) {
                    rc = run_fold_mode(&in, f, aug);
                    break;
                }
    *best = 0;
    *f1 = -1;
    for (size_t ci = 0; rc == HY_OK && ci < ncf; ci++) {
        double sc = cfg_score(&in, ci, none, y, pred);
        if (sc > *f1)
            *best = ci, *f1 = sc;
    }
    if (rc == HY_OK)
        rc = fit_temperature(&in, *best, t);
out:
    free(y);
    free(pred);
    free(in.fold);
    free(in.seen);
    free(in.z);
    return rc;
}

/* ---- training ---- */

static hy_err model_classes(hy_attack_model *m, const char *const *names, size_t n)
{
    if (!(m->classes = calloc(n, sizeof *m->classes)))
        return hy_err_set(HY_ERR_NOMEM, "attack model: out of memory");
    m->nclass = n;
    for (size_t c = 0; c < n; c++)
        if (!(m->classes[c] = strdup(names[c])))
            return hy_err_set(HY_ERR_NOMEM, "attack model: out of memory");
    return HY_OK;
}

/* The final model on all rows (and all augmentation rows when c->aug). */
static hy_err train_final(const hy_attack_set *s, const hy_attack_opts *o, const cfg *c,
                          hy_attack_model *m)
{
    split sp = {0};
    hy_sparse x;
    hy_sparse_init(&x, 0);
    unsigned reps = c->aug ? o->row_weight : 1;
    hy_err rc = split_alloc(&sp, reps * s->n + (c->aug ? s->naug : 0));
    for (unsigned k = 0; k < reps; k++)
        for (size_t i = 0; rc == HY_OK && i < s->n; i++)
            sp.text[sp.n] = s->text[i], sp.len[sp.n] = s->len[i], sp.y[sp.n++] = s->label[i];
    for (size_t i = 0; rc == HY_OK && c->aug && i < s->naug; i++)
        sp.text[sp.n] = s->aug_text[i], sp.len[sp.n] = s->aug_len[i],
        sp.y[sp.n++] = s->aug_label[i];
    if (rc == HY_OK && (rc = featurize(&o->tfidf, &sp, &m->tf, &x)) == HY_OK)
        rc = train_linear(o, c, &x, &sp, s->nclass, NULL, &m->lin);
    m->info.train_rows = sp.n;
    split_free(&sp);
    hy_sparse_free(&x);
    return rc;
}

/* The settings to try, augmentation mode outermost, then exponent, then C. */
static size_t make_grid(const hy_attack_opts *o, bool have_aug, cfg *cf)
{
    unsigned modes = o->aug_modes ? o->aug_modes : 3;
    size_t n = 0;
    if (!have_aug)
        modes = 1;
    for (int aug = 0; aug < 2; aug++) {
        if (!(modes & (1u << aug)))
            continue;
        for (unsigned w = 0; w < o->n_cw; w++)
            for (unsigned c = 0; c < o->n_c; c++)
                cf[n++] = (cfg){o->c_grid[c], o->cw_grid[w], aug == 1};
    }
    return n;
}

hy_err hy_attack_model_train(const hy_attack_set *s, const hy_attack_opts *o, hy_attack_model **out)
{
    hy_attack_opts def;
    cfg cf[2 * HY_ATTACK_MAX_GRID * HY_ATTACK_MAX_GRID];
    size_t best = 0;
    double t = 1.0, f1 = -1;
    hy_err rc;
    if (!s || !out)
        return hy_err_set(HY_ERR_ARG, "attack model: NULL argument");
    *out = NULL;
    if (!o)
        hy_attack_opts_default(&def), o = &def;
    if ((rc = check_opts(o)) != HY_OK || (rc = check_set(s)) != HY_OK)
        return rc;
    size_t ncf = make_grid(o, s->naug > 0, cf);
    if (ncf == 0)
        return hy_err_set(HY_ERR_ARG, "attack model: no setting to try (aug_modes)");
    long none = none_index((char *const *)s->classes, s->nclass);
    if (o->inner_folds >= 2 && s->n >= o->inner_folds &&
        (rc = inner_cv(s, o, cf, ncf, none, &best, &t, &f1)) != HY_OK)
        return rc;
    hy_attack_model *m = calloc(1, sizeof *m);
    if (!m)
        return hy_err_set(HY_ERR_NOMEM, "attack model: out of memory");
    if ((rc = model_classes(m, s->classes, s->nclass)) == HY_OK &&
        (rc = train_final(s, o, &cf[best], m)) == HY_OK) {
        m->info = (hy_attack_model_info){s->nclass,
                                         hy_tfidf_features(m->tf),
                                         m->info.train_rows,
                                         cf[best].C,
                                         cf[best].cw,
                                         t,
                                         cf[best].aug,
                                         o->inner_folds,
                                         f1,
                                         hy_linear_unconverged(m->lin)};
        *out = m;
        return HY_OK;
    }
    hy_attack_model_free(m);
    return rc;
}

void hy_attack_model_free(hy_attack_model *m)
{
    if (!m)
        return;
    for (size_t c = 0; c < m->nclass && m->classes; c++)
        free(m->classes[c]);
    free(m->classes);
    hy_tfidf_free(m->tf);
    hy_linear_free(m->lin);
    free(m);
}

size_t hy_attack_model_classes(const hy_attack_model *m)
{
    return m ? m->nclass : 0;
}

const char *hy_attack_model_class(const hy_attack_model *m, size_t i)
{
    return m && i < m->nclass ? m->classes[i] : NULL;
}

const hy_attack_model_info *hy_attack_model_info_get(const hy_attack_model *m)
{
    return m ? &m->info : NULL;
}

/* ---- prediction ---- */

hy_err hy_attack_model_proba(const hy_attack_model *m, const char *s, size_t len, double *raw,
                             double *cal)
{
    hy_sparse x;
    if (!m || (!s && len))
        return hy_err_set(HY_ERR_ARG, "attack predict: NULL argument");
    double *z = malloc(m->nclass * sizeof *z);
    if (!z)
        return hy_err_set(HY_ERR_NOMEM, "attack predict: out of memory");
    hy_sparse_init(&x, hy_tfidf_features(m->tf));
    hy_err rc = hy_tfidf_transform(m->tf, s ? s : "", len, &x);
    if (rc == HY_OK)
        rc = hy_linear_decision(m->lin, x.indices, x.values, x.indptr[1], z);
    if (rc == HY_OK && raw)
        hy_linear_proba(z, m->nclass, 0, raw);
    if (rc == HY_OK && cal)
        hy_linear_proba(z, m->nclass, m->info.temperature, cal);
    hy_sparse_free(&x);
    free(z);
    return rc;
}

hy_err hy_attack_model_predict(const hy_attack_model *m, const char *s, size_t len,
                               hy_attack_pred *top, size_t k, size_t *nout)
{
    if (!m || !top || !nout)
        return hy_err_set(HY_ERR_ARG, "attack predict: NULL argument");
    *nout = 0;
    double *p = malloc(m->nclass * sizeof *p);
    if (!p)
        return hy_err_set(HY_ERR_NOMEM, "attack predict: out of memory");
    hy_err rc = hy_attack_model_proba(m, s, len, NULL, p);
    size_t want = k < m->nclass ? k : m->nclass;
    for (size_t j = 0; rc == HY_OK && j < want; j++) {
        size_t b = SIZE_MAX;
        for (size_t c = 0; c < m->nclass; c++)
            if (p[c] >= 0 && (b == SIZE_MAX || p[c] > p[b]))
                b = c;
        top[j] = (hy_attack_pred){(uint32_t)b, m->classes[b], p[b]};
        p[b] = -1;
        *nout = j + 1;
    }
    free(p);
    return rc;
}
