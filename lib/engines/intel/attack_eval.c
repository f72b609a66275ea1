/* Evaluation of the ATT&CK sentence classifier on MITRE TRAM data:
 * report-grouped k-fold cross-validation with per-class and micro/macro F1
 * and calibration error, the protocol's description, and the training of
 * the shipped model (include/hayate/attack.h). */
#include "attack_model_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/clock.h"
#include "core/fnv.h"

#define ECE_BINS 15u

/* ---- metrics ---- */

double at_micro_f1_tech(const uint32_t *y, const uint32_t *pred, size_t n, long none)
{
    size_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++) {
        bool yt = (long)y[i] != none, pt = (long)pred[i] != none;
        if (yt && pt && y[i] == pred[i]) {
            tp++;
            continue;
        }
        fp += pt;
        fn += yt;
    }
    return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

static double ece(const double *conf, const uint8_t *right, size_t n)
{
    double cs[ECE_BINS] = {0}, acc[ECE_BINS] = {0}, cnt[ECE_BINS] = {0}, e = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned b = (unsigned)(conf[i] * ECE_BINS);
        b = b >= ECE_BINS ? ECE_BINS - 1 : b;
        cs[b] += conf[i];
        acc[b] += right[i];
        cnt[b]++;
    }
    for (unsigned b = 0; b < ECE_BINS; b++)
        if (cnt[b] > 0)
            e += fabs(acc[b] - cs[b]) / (double)(n ? n : 1);
    return e;
}

static double f1_of(double p, double r)
{
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

/* ---- the classes of a protocol ---- */

typedef struct classmap {
    char **names; /* none first, then techniques in id order */
    size_t n;
    uint32_t *of_label; /* data label -> class */
    size_t relabelled;  /* evaluated rows of rarer techniques, now none */
} classmap;

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void classmap_free(classmap *cm)
{
    free(cm->names);
    free(cm->of_label);
}

/* Techniques with min_support evaluated (non-bootstrap) rows, plus none. */
static hy_err classmap_make(const hy_attack_data *d, uint32_t min_support, classmap *cm)
{
    size_t *cnt = calloc(d->nlabels + 1, sizeof *cnt);
    cm->names = calloc(d->nlabels + 1, sizeof *cm->names);
    cm->of_label = calloc(d->nlabels + 1, sizeof *cm->of_label);
    cm->n = 1;
    cm->relabelled = 0;
    if (!cnt || !cm->names || !cm->of_label) {
        free(cnt);
        return hy_err_set(HY_ERR_NOMEM, "attack eval: out of memory");
    }
    for (size_t i = 0; i < d->n; i++)
        cnt[d->rows[i].label] += d->rows[i].source != HY_ATTACK_SRC_BOOTSTRAP &&
                                 d->rows[i].source != HY_ATTACK_SRC_ATTACK;
    cm->names[0] = HY_ATTACK_NONE;
    for (size_t l = 0; l < d->nlabels; l++)
        if (strcmp(d->labels[l], HY_ATTACK_NONE) != 0 && cnt[l] >= min_support && cnt[l] > 0)
            cm->names[cm->n++] = d->labels[l];
    qsort(cm->names + 1, cm->n - 1, sizeof *cm->names, str_cmp);
    for (size_t l = 0; l < d->nlabels; l++) {
        char **hit = bsearch(&d->labels[l], cm->names + 1, cm->n - 1, sizeof *cm->names, str_cmp);
        cm->of_label[l] = hit ? (uint32_t)(hit - cm->names) : 0;
        if (!hit && strcmp(d->labels[l], HY_ATTACK_NONE) != 0)
            cm->relabelled += cnt[l];
    }
    free(cnt);
    return HY_OK;
}

/* ---- the protocol's rows ---- */

typedef struct evset {
    classmap cm;
    size_t n, naug, aug_dups;
    const char **text, **aug_text;
    size_t *len, *aug_len;
    uint32_t *label, *group, *aug_label;
} evset;

static void evset_free(evset *e)
{
    classmap_free(&e->cm);
    free(e->text);
    free(e->len);
    free(e->label);
    free(e->group);
    free(e->aug_text);
    free(e->aug_len);
    free(e->aug_label);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* FNV-1a of t, ASCII-lowercased, blanks collapsed, ends trimmed. */
static uint64_t text_key(const char *t, size_t n)
{
    uint64_t h = HY_FNV64_INIT;
    bool blank = false, any = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == ' ' || (c >= '\t' && c <= '\r')) {
            blank = any;
            continue;
        }
        if (blank)
            h = hy_fnv64_byte(h, ' ');
        blank = false;
        any = true;
        h = hy_fnv64_byte(h, hy_ascii_lower(c));
    }
    return h;
}

typedef struct keyed {
    uint64_t key;
    size_t i;
} keyed;

static int keyed_cmp(const void *p, const void *q)
{
    const keyed *a = p, *b = q;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* Drops augmentation rows repeating an evaluated row or an earlier
 * augmentation row (same text up to case and blanks): in training folds
 * they add nothing, in test folds they would leak. */
static hy_err drop_duplicates(evset *e)
{
    uint64_t *k = malloc((e->n + 1) * sizeof *k);
    keyed *a = malloc((e->naug + 1) * sizeof *a);
    uint8_t *drop = calloc(e->naug + 1, 1);
    if (!k || !a || !drop) {
        free(k), free(a), free(drop);
        return hy_err_set(HY_ERR_NOMEM, "attack eval: out of memory");
    }
    for (size_t i = 0; i < e->n; i++)
        k[i] = text_key(e->text[i], e->len[i]);
    qsort(k, e->n, sizeof *k, u64_cmp);
    for (size_t i = 0; i < e->naug; i++)
        a[i] = (keyed){text_key(e->aug_text[i], e->aug_len[i]), i};
    qsort(a, e->naug, sizeof *a, keyed_cmp);
    for (size_t j = 0; j < e->naug; j++)
        drop[a[j].i] = (j && a[j].key == a[j - 1].key) ||
                       (e->n && bsearch(&a[j].key, k, e->n, sizeof *k, u64_cmp));
    size_t kept = 0;
    for (size_t i = 0; i < e->naug; i++) {
        if (drop[i]) {
            e->aug_dups++;
            continue;
        }
        e->aug_text[kept] = e->aug_text[i], e->aug_len[kept] = e->aug_len[i];
        e->aug_label[kept++] = e->aug_label[i];
    }
    e->naug = kept;
    free(k);
    free(a);
    free(drop);
    return HY_OK;
}

static hy_err evset_make(const hy_attack_data *d, const hy_attack_eval_opts *o, evset *e)
{
    size_t n = d->n ? d->n : 1;
    memset(e, 0, sizeof *e);
    hy_err rc = classmap_make(d, o->min_support, &e->cm);
    e->text = malloc(n * sizeof *e->text);
    e->len = malloc(n * sizeof *e->len);
    e->label = malloc(n * sizeof *e->label);
    e->group = malloc(n * sizeof *e->group);
    e->aug_text = malloc(n * sizeof *e->aug_text);
    e->aug_len = malloc(n * sizeof *e->aug_len);
    e->aug_label = malloc(n * sizeof *e->aug_label);
    if (rc == HY_OK && (!e->text || !e->len || !e->label || !e->group || !e->aug_text ||
                        !e->aug_len || !e->aug_label))
        rc = hy_err_set(HY_ERR_NOMEM, "attack eval: out of memory");
    for (size_t i = 0; rc == HY_OK && i < d->n; i++) {
        const hy_attack_row *r = &d->rows[i];
        uint32_t c = e->cm.of_label[r->label];
        if (r->source == HY_ATTACK_SRC_ATTACK) { /* a technique of the classes only */
            if (o->attack_desc && c != 0)
                e->aug_text[e->naug] = r->text, e->aug_len[e->naug] = r->len,
                e->aug_label[e->naug++] = c;
        } else if (r->source == HY_ATTACK_SRC_BOOTSTRAP) {
            if (o->bootstrap)
                e->aug_text[e->naug] = r->text, e->aug_len[e->naug] = r->len,
                e->aug_label[e->naug++] = c;
        } else if (r->source != HY_ATTACK_SRC_UNANNOTATED || o->report_negatives) {
            e->text[e->n] = r->text, e->len[e->n] = r->len, e->label[e->n] = c;
            e->group[e->n++] = r->group;
        }
    }
    return rc == HY_OK ? drop_duplicates(e) : rc;
}

static hy_attack_set evset_view(const hy_attack_data *d, const evset *e)
{
    return (hy_attack_set){e->n,
                           e->text,
                           e->len,
                           e->label,
                           e->group,
                           d->ngroups,
                           (const char *const *)d->group_text,
                           d->group_len,
                           e->cm.n,
                           (const char *const *)e->cm.names,
                           e->naug,
                           e->aug_text,
                           e->aug_len,
                           e->aug_label};
}

/* ---- one outer fold ---- */

typedef struct outcome {
    uint32_t *pred;
    double *conf_raw, *conf_cal, *nll_raw, *nll_cal;
} outcome;

/* Shingles of fold f's test texts: whole reports where known, else rows. */
static hy_err test_shingles(const hy_attack_data *d, const evset *e, const uint8_t *fog, unsigned f,
                            at_shingles **out)
{
    const char **t = malloc((e->n + d->ngroups + 1) * sizeof *t);
    size_t *l = malloc((e->n + d->ngroups + 1) * sizeof *l), m = 0;
    uint8_t *used = calloc(d->ngroups + 1, 1);
    hy_err rc = hy_err_set(HY_ERR_NOMEM, "attack eval: out of memory");
    if (t && l && used) {
        for (size_t i = 0; i < e->n; i++) {
            uint32_t g = e->group[i];
            if (fog[g] != f)
                continue;
            if (d->group_text[g]) {
                if (!used[g]++)
                    t[m] = d->group_text[g], l[m++] = d->group_len[g];
            } else {
                t[m] = e->text[i], l[m++] = e->len[i];
            }
        }
        rc = at_shingles_build(t, l, m, out);
    }
    free(t);
    free(l);
    free(used);
    return rc;
}

/* e restricted to the rows outside fold f, augmentation rows that quote a
 * test text dropped (counted in *dropped). */
static hy_err train_view(const hy_attack_data *d, const evset *e, const uint8_t *fog, unsigned f,
                         evset *tr, size_t *dropped)
{
    at_shingles *sh = NULL;
    size_t n = e->n + e->naug + 1;
    memset(tr, 0, sizeof *tr);
    tr->text = malloc(n * sizeof *tr->text);
    tr->len = malloc(n * sizeof *tr->len);
    tr->label = malloc(n * sizeof *tr->label);
    tr->group = malloc(n * sizeof *tr->group);
    if (!tr->text || !tr->len || !tr->label || !tr->group)
        return hy_err_set(HY_ERR_NOMEM, "attack eval: out of memory");
    for (size_t i = 0; i < e->n; i++)
        if (fog[e->group[i]] != f)
            tr->text[tr->n] = e->text[i], tr->len[tr->n] = e->len[i],
            tr->label[tr->n] = e->label[i], tr->group[tr->n++] = e->group[i];
    /* the augmentation rows kept follow the rows in the same arrays */
    tr->aug_text = tr->text + tr->n;
    tr->aug_len = tr->len + tr->n;
    tr->aug_label = tr->label + tr->n;
    hy_err rc = e->naug ? test_shingles(d, e, fog, f, &sh) : HY_OK;
    for (size_t i = 0; rc == HY_OK && i < e->naug; i++) {
        if (at_shingles_hit(sh, e->aug_text[i], e->aug_len[i])) {
            (*dropped)++;
            continue;
        }
        tr->aug_text[tr->naug] = e->aug_text[i], tr->aug_len[tr->naug] = e->aug_len[i];
        tr->aug_label[tr->naug++] = e->aug_label[i];
    }
    at_shingles_free(sh);
    return rc;
}

static void train_view_free(evset *tr)
{
    free(tr->text);
    free(tr->len);
    free(tr->label);
    free(tr->group);
}

static hy_err score_fold(const hy_attack_model *m, const evset *e, const uint8_t *fog, unsigned f,
                         outcome *oc, size_t *ntest)
{
    size_t k = e->cm.n;
    double *raw = malloc(k * sizeof *raw), *cal = malloc(k * sizeof *cal);
    hy_err rc = raw && cal ? HY_OK : hy_err_set(HY_ERR_NOMEM, "attack eval: out of memory");
    for (size_t i = 0; rc == HY_OK && i < e->n; i++) {
        if (fog[e->group[i]] != f)
            continue;
        if ((rc = hy_attack_model_proba(m, e->text[i], e->len[i], raw, cal)) != HY_OK)
            break;
        uint32_t b = 0;
        for (uint32_t c = 1; c < k; c++)
            if (cal[c] > cal[b])
                b = c;
        oc->pred[i] = b;
        oc->conf_raw[i] = raw[b];
        oc->conf_cal[i] = cal[b];
        oc->nll_raw[i] = -log(fmax(raw[e->label[i]], 1e-300));
        oc->nll_cal[i] = -log(fmax(cal[e->label[i]], 1e-300));
        (*ntest)++;
    }
    free(raw);
    free(cal);
    return rc;
}

static hy_err run_fold(const hy_attack_data *d, const evset *e, const hy_attack_eval_opts *o,
                       const uint8_t *fog, unsigned f, outcome *oc, hy_attack_eval_result *r)
{
    evset tr;
    hy_attack_model *m = NULL;
    hy_err rc = train_view(d, e, fog, f, &tr, &r->aug_dropped);
    if (rc == HY_OK) {
        tr.cm = e->cm;
        hy_attack_set s = evset_view(d, &tr);
        rc = hy_attack_model_train(&s, &o->model, &m);
    }
    if (rc == HY_OK && (rc = score_fold(m, e, fog, f, oc, &r->fold_test[f])) == HY_OK) {
        const hy_attack_model_info *in = hy_attack_model_info_get(m);
        r->fold_c[f] = in->C;
        r->fold_cw[f] = in->cw_power;
        r->fold_t[f] = in->temperature;
        r->fold_aug[f] = in->augmented;
    }
    hy_attack_model_free(m);
    train_view_free(&tr);
    return rc;
}

/* ---- the whole evaluation ---- */

void hy_attack_eval_opts_default(hy_attack_eval_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    hy_attack_opts_default(&o->model);
    o->folds = 5;
    o->min_support = 20;
    o->report_negatives = false;
    o->bootstrap = true;
    o->attack_desc = true;
    o->seed = 42;
}

void hy_attack_eval_opts_shipped(hy_attack_eval_opts *o)
{
    if (!o)
        return;
    hy_attack_eval_opts_default(o);
    o->report_negatives = true;
    o->model.c_grid[0] = 0.5;
    o->model.n_c = 1;
    o->model.cw_grid[0] = 0;
    o->model.n_cw = 1;
    o->model.inner_folds = 2;
}

/* Per-class, micro and macro figures from the predictions. */
static hy_err summarise(const evset *e, const outcome *oc, const uint8_t *fog,
                        hy_attack_eval_result *r)
{
    size_t k = e->cm.n, tp = 0, fp = 0, fn = 0, right = 0, nc = 0, nt = 0;
    uint8_t *ok = malloc(e->n + 1);
    if (!(r->cls = calloc(k, sizeof *r->cls)) || !ok) {
        free(ok);
        return hy_err_set(HY_ERR_NOMEM, "attack eval: out of memory");
    }
    r->ncls = k;
    for (size_t i = 0; i < e->n; i++) {
        hy_attack_class_metrics *t = &r->cls[e->label[i]], *p = &r->cls[oc->pred[i]];
        t->support++;
        p->predicted++;
        ok[i] = oc->pred[i] == e->label[i];
        t->correct += ok[i];
        right += ok[i];
        r->nll_raw += oc->nll_raw[i] / (double)e->n;
        r->nll_cal += oc->nll_cal[i] / (double)e->n;
        r->technique_sentences += e->label[i] != 0;
    }
    r->none_sentences = e->n - r->technique_sentences;
    for (size_t c = 0; c < k; c++) {
        hy_attack_class_metrics *m = &r->cls[c];
        snprintf(m->name, sizeof m->name, "%s", e->cm.names[c]);
        m->precision = m->predicted ? (double)m->correct / m->predicted : 0;
        m->recall = m->support ? (double)m->correct / m->support : 0;
        m->f1 = f1_of(m->precision, m->recall);
        if (m->support) {
            r->macro_f1_all += m->f1, nc++;
            if (c)
                r->macro_f1_tech += m->f1, nt++;
        }
        if (c)
            tp += m->correct, fp += m->predicted - m->correct, fn += m->support - m->correct;
    }
    r->macro_f1_all /= nc ? (double)nc : 1;
    r->macro_f1_tech /= nt ? (double)nt : 1;
    r->micro_f1_all = e->n ? (double)right / (double)e->n : 0;
    r->micro_p_tech = tp + fp ? (double)tp / (double)(tp + fp) : 0;
    r->micro_r_tech = tp + fn ? (double)tp / (double)(tp + fn) : 0;
    r->micro_f1_tech = f1_of(r->micro_p_tech, r->micro_r_tech);
    r->ece_raw = ece(oc->conf_raw, ok, e->n);
    r->ece_cal = ece(oc->conf_cal, ok, e->n);
    uint32_t *y = malloc((e->n + 1) * sizeof *y), *p = malloc((e->n + 1) * sizeof *p);
    for (unsigned f = 0; y && p && f < r->folds; f++) {
        size_t a = 0, m = 0;
        for (size_t i = 0; i < e->n; i++)
            if (fog[e->group[i]] == f)
                y[m] = e->label[i], p[m++] = oc->pred[i], a += ok[i];
        r->fold_micro_all[f] = m ? (double)a / (double)m : 0;
        r->fold_micro_tech[f] = at_micro_f1_tech(y, p, m, 0);
    }
    free(y);
    free(p);
    free(ok);
    return HY_OK;
}

static hy_err check_eval_opts(const hy_attack_eval_opts *o)
{
    if (o->folds < 2 || o->folds > HY_ATTACK_MAX_FOLDS)
        return hy_err_set(HY_ERR_ARG, "attack eval: folds %u not in 2..%u", o->folds,
                          HY_ATTACK_MAX_FOLDS);
    return HY_OK;
}

hy_err hy_attack_eval_data(const hy_attack_data *d, const hy_attack_eval_opts *o,
                           hy_attack_eval_result *out)
{
    evset e;
    outcome oc = {0};
    uint8_t *fog = NULL;
    double t0 = hy_clock_mono_s();
    hy_err rc;
    if (!d || !o || !out)
        return hy_err_set(HY_ERR_ARG, "attack eval: NULL argument");
    memset(out, 0, sizeof *out);
    memset(&e, 0, sizeof e);
    if ((rc = check_eval_opts(o)) != HY_OK || (rc = evset_make(d, o, &e)) != HY_OK)
        goto out;
    size_t n = e.n + 1;
    fog = malloc(d->ngroups + 1);
    oc.pred = calloc(n, sizeof *oc.pred);
    oc.conf_raw = calloc(n, sizeof(double));
    oc.conf_cal = calloc(n, sizeof(double));
    oc.nll_raw = calloc(n, sizeof(double));
    oc.nll_cal = calloc(n, sizeof(double));
    if (!fog || !oc.pred || !oc.conf_raw || !oc.conf_cal || !oc.nll_raw || !oc.nll_cal) {
        rc = hy_err_set(HY_ERR_NOMEM, "attack eval: out of memory");
        goto out;
    }
    out->folds = o->folds;
    out->sentences = e.n;
    out->relabelled_none = e.cm.relabelled;
    out->aug_offered = e.naug;
    out->aug_duplicates = e.aug_dups;
    memset(fog, 0, d->ngroups + 1);
    for (size_t i = 0; i < e.n; i++)
        if (!fog[e.group[i]])
            fog[e.group[i]] = 1, out->reports++;
    if ((rc = at_group_folds(e.label, e.group, e.n, d->ngroups, e.cm.n, o->folds, o->seed, fog)) !=
        HY_OK)
        goto out;
    for (size_t i = 0; i < d->n; i++)
        out->negatives += d->rows[i].source == HY_ATTACK_SRC_UNANNOTATED && o->report_negatives;
    for (unsigned f = 0; f < o->folds && rc == HY_OK; f++)
        rc = run_fold(d, &e, o, fog, f, &oc, out);
    if (rc == HY_OK)
        rc = summarise(&e, &oc, fog, out);
out:
    out->seconds = hy_clock_mono_s() - t0;
    if (rc != HY_OK)
        hy_attack_eval_result_free(out);
    evset_free(&e);
    free(fog);
    free(oc.pred);
    free(oc.conf_raw);
    free(oc.conf_cal);
    free(oc.nll_raw);
    free(oc.nll_cal);
    return rc;
}

void hy_attack_eval_result_free(hy_attack_eval_result *r)
{
    if (!r)
        return;
    free(r->cls);
    r->cls = NULL;
    r->ncls = 0;
}

static unsigned tram_parts(const hy_attack_eval_opts *o)
{
    return HY_ATTACK_LOAD_SINGLE | (o->report_negatives ? HY_ATTACK_LOAD_NEGATIVES : 0) |
           (o->bootstrap ? HY_ATTACK_LOAD_BOOTSTRAP : 0) |
           (o->attack_desc ? HY_ATTACK_LOAD_ATTACK : 0);
}

hy_err hy_attack_eval_tram(const char *tram_dir, const hy_attack_eval_opts *o,
                           hy_attack_eval_result *out)
{
    hy_attack_data *d = NULL;
    if (!tram_dir || !o || !out)
        return hy_err_set(HY_ERR_ARG, "attack eval: NULL argument");
    hy_err rc = hy_attack_data_create(&d);
    if (rc == HY_OK && (rc = hy_attack_load_tram(tram_dir, tram_parts(o), d)) == HY_OK)
        rc = hy_attack_eval_data(d, o, out);
    hy_attack_data_free(d);
    return rc;
}

hy_err hy_attack_train_tram(const char *tram_dir, const hy_attack_eval_opts *o,
                            hy_attack_model **out)
{
    hy_attack_data *d = NULL;
    evset e;
    bool made = false;
    if (!tram_dir || !o || !out)
        return hy_err_set(HY_ERR_ARG, "attack train: NULL argument");
    *out = NULL;
    hy_err rc = hy_attack_data_create(&d);
    if (rc == HY_OK && (rc = hy_attack_load_tram(tram_dir, tram_parts(o), d)) == HY_OK &&
        (made = true, rc = evset_make(d, o, &e)) == HY_OK) {
        hy_attack_set s = evset_view(d, &e);
        rc = hy_attack_model_train(&s, &o->model, out);
    }
    if (made)
        evset_free(&e);
    hy_attack_data_free(d);
    return rc;
}

/* ---- text ---- */

hy_err hy_attack_eval_protocol(const hy_attack_eval_opts *o, hy_buf *out)
{
    const hy_attack_opts *m;
    hy_buf b;
    if (!o || !out)
        return hy_err_set(HY_ERR_ARG, "attack eval: NULL argument");
    m = &o->model;
    hy_buf_init(&b, 1u << 16);
    hy_buf_addf(
        &b,
        "Data: MITRE TRAM single_label.json (one technique per sentence, doc_title = report)%s.\n"
        "Classes: every technique with at least %u evaluated sentences, plus 'none'. 'none' ="
        " sentences of rarer techniques (relabelled)%s.\n",
        o->report_negatives ? " plus the unannotated sentences of reports/*.mjson" : "",
        (unsigned)o->min_support,
        o->report_negatives ? " and report sentences (20..1000 bytes, 4+ words) overlapping no"
                              " annotation of the report's .mjson"
                            : "");
    hy_buf_addf(
        &b,
        "Splits: %u-fold cross-validation grouped by report (a report's sentences, annotated or"
        " not, are all in one fold; reports matched by title); folds assigned greedily, largest"
        " report first, to balance classes (seed %llu).\n",
        o->folds, (unsigned long long)o->seed);
    if (o->bootstrap)
        hy_buf_adds(&b, "Augmentation: bootstrap-training-data.json sentences may join the"
                        " training folds only (never evaluated); repeats of an evaluated"
                        " sentence (case and blanks ignored) are removed outright, and one"
                        " whose 8-word run (all of it, if shorter) occurs in a test-fold"
                        " report's text or test sentence is dropped for that fold.\n");
    if (o->attack_desc)
        hy_buf_adds(&b, "Augmentation: the names and description sentences of the evaluated"
                        " techniques in ../attack/enterprise-attack-core.json (ATT&CK) join the"
                        " training folds likewise.\n");
    hy_buf_addf(&b,
                "Model per fold: TF-IDF (words, word bigrams, char %u..%u-grams in word boundaries,"
                " 2^%u hash buckets, min_df %u, top %u features, sublinear tf, L2) + one-vs-rest %s"
                " (liblinear). Settings chosen inside the training folds only, by %u-fold"
                " report-grouped inner cross-validation (best out-of-fold technique-only micro-F1):"
                " C in {",
                m->tfidf.char_min, m->tfidf.char_max, m->tfidf.hash_bits, (unsigned)m->tfidf.min_df,
                (unsigned)m->tfidf.max_features,
                m->solver == HY_LINEAR_LR ? "L2 logistic regression" : "L2 squared-hinge SVM",
                m->inner_folds);
    for (unsigned i = 0; i < m->n_c; i++)
        hy_buf_addf(&b, "%s%g", i ? ", " : "", m->c_grid[i]);
    hy_buf_adds(&b, "}, class-weight exponent in {");
    for (unsigned i = 0; i < m->n_cw; i++)
        hy_buf_addf(&b, "%s%g", i ? ", " : "", m->cw_grid[i]);
    unsigned modes = m->aug_modes ? m->aug_modes : 3;
    hy_buf_addf(&b,
                "}%s. Calibration: temperature on softmax(z/T) fitted (NLL) on the inner"
                " out-of-fold decision values of the chosen settings.\n",
                !o->bootstrap ? ""
                : modes == 3  ? ", with and without augmentation"
                : modes == 2  ? ", with augmentation"
                              : ", without augmentation");
    if (o->bootstrap && (modes & 2) && m->row_weight > 1)
        hy_buf_addf(&b,
                    "With augmentation each evaluated-data training sentence is repeated %u"
                    " times (a row weight: liblinear has none).\n",
                    m->row_weight);
    hy_buf_adds(
        &b,
        "Scores (test folds pooled): micro-F1 over all classes incl. none (single-label: equals"
        " accuracy); micro-F1 over technique classes only (NER-style: a technique predicted for"
        " a none or other-technique sentence is a false positive, a technique sentence predicted"
        " otherwise a false negative); macro-F1 over classes with support (all, and techniques"
        " only); top-label ECE (15 equal-width bins) of the uncalibrated (one-vs-rest sigmoids"
        " normalised) and calibrated probabilities.\n");
    hy_err rc = b.data ? hy_buf_add(out, b.data, b.len) : HY_ERR_NOMEM;
    hy_buf_free(&b);
    return rc;
}

hy_err hy_attack_eval_format(const hy_attack_eval_result *r, hy_buf *out)
{
    if (!r || !out)
        return hy_err_set(HY_ERR_ARG, "attack eval: NULL argument");
    hy_buf_addf(out,
                "sentences %zu (techniques %zu, none %zu: %zu relabelled rare-technique,"
                " %zu unannotated report sentences), reports %zu, folds %u, classes %zu\n",
                r->sentences, r->technique_sentences, r->none_sentences, r->relabelled_none,
                r->negatives, r->reports, r->folds, r->ncls);
    hy_buf_addf(out,
                "augmentation: %zu bootstrap sentences offered (%zu repeats of evaluated"
                " sentences removed), %zu fold-drops for quoting a test report\n",
                r->aug_offered, r->aug_duplicates, r->aug_dropped);
    hy_buf_addf(out, "micro-F1 all classes (= accuracy) %.4f\n", r->micro_f1_all);
    hy_buf_addf(out, "micro-F1 techniques only %.4f (P %.4f, R %.4f)\n", r->micro_f1_tech,
                r->micro_p_tech, r->micro_r_tech);
    hy_buf_addf(out, "macro-F1 all %.4f, techniques %.4f\n", r->macro_f1_all, r->macro_f1_tech);
    hy_buf_addf(out, "ECE uncalibrated %.4f -> calibrated %.4f; NLL %.4f -> %.4f\n", r->ece_raw,
                r->ece_cal, r->nll_raw, r->nll_cal);
    for (unsigned f = 0; f < r->folds; f++)
        hy_buf_addf(out,
                    "fold %u: %zu test sentences, micro-F1 all %.4f tech %.4f; chosen C %g,"
                    " class-weight exponent %g, augmentation %s, T %.3f\n",
                    f, r->fold_test[f], r->fold_micro_all[f], r->fold_micro_tech[f], r->fold_c[f],
                    r->fold_cw[f], r->fold_aug[f] ? "yes" : "no", r->fold_t[f]);
    hy_buf_adds(out, "class        support  predicted  P       R       F1\n");
    for (size_t c = 0; c < r->ncls; c++)
        hy_buf_addf(out, "%-12s %7u  %9u  %.4f  %.4f  %.4f\n", r->cls[c].name, r->cls[c].support,
                    r->cls[c].predicted, r->cls[c].precision, r->cls[c].recall, r->cls[c].f1);
    hy_buf_addf(out, "time %.1f s\n", r->seconds);
    return HY_OK;
}
