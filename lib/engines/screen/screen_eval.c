/* Day-forward evaluation of the screener with a simulated analyst, and
 * the ground-truth reader (hayate synth alerts' truth TSV). */
#include "engines/screen/screen_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hayate/gbm.h"

#define DAY_NS (86400ull * 1000000000ull)
#define EVAL_MAX_ALERTS (64u << 20) /* alerts whose features are kept for the model */

static int stage_of(const char *s)
{
    static const char *const names[] = {"-", "recon", "exploit", "c2", "exfil"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* One truth line: line, label, class, campaign, stage, host. */
static hy_err truth_line(char *l, const char *name, uint64_t no, size_t *line, hy_screen_truth *t)
{
    char *f[6], *save = NULL;
    int k = 0;
    for (char *p = strtok_r(l, "\t\r\n", &save); p && k < 6; p = strtok_r(NULL, "\t\r\n", &save))
        f[k++] = p;
    char *end;
    unsigned long ln = k == 6 ? strtoul(f[0], &end, 10) : 0;
    unsigned long camp = k == 6 ? strtoul(f[3], &end, 10) : 0;
    int stage = k == 6 ? stage_of(f[4]) : -1;
    bool attack = k == 6 && strcmp(f[1], "attack") == 0;
    if (k != 6 || ln == 0 || ln > (1ul << 32) || camp >= HY_SCREEN_MAX_CAMPAIGNS || stage < 0 ||
        (!attack && strcmp(f[1], "benign") != 0) || attack != (camp > 0))
        return hy_err_set(HY_ERR_FORMAT, "%s:%llu: not a truth line (line, label, class, "
                          "campaign < %d, stage, host)", name, (unsigned long long)no,
                          HY_SCREEN_MAX_CAMPAIGNS);
    *line = ln;
    *t = (hy_screen_truth){.known = true, .attack = attack, .campaign = (uint16_t)camp,
                           .stage = (uint8_t)stage};
    return HY_OK;
}

hy_err hy_screen_truth_read(FILE *f, const char *name, hy_screen_truth **v, size_t *n)
{
    char *l = NULL;
    size_t cap = 0, len = 0, alloc = 0;
    hy_screen_truth *t = NULL;
    hy_err e = HY_OK;
    uint64_t no = 0;
    while (getline(&l, &cap, f) > 0) {
        size_t line = 0;
        hy_screen_truth one;
        no++;
        if (l[0] == '#' || l[0] == '\n')
            continue;
        if ((e = truth_line(l, name, no, &line, &one)) != HY_OK)
            break;
        if (line >= alloc) {
            size_t na = alloc ? alloc : 4096;
            while (na <= line)
                na *= 2;
            hy_screen_truth *nt = realloc(t, na * sizeof *nt);
            if (!nt) {
                e = hy_err_set(HY_ERR_NOMEM, "%s: truth", name);
                break;
            }
            memset(nt + alloc, 0, (na - alloc) * sizeof *nt);
            t = nt;
            alloc = na;
        }
        t[line] = one;
        if (line + 1 > len)
            len = line + 1;
    }
    free(l);
    if (e == HY_OK && ferror(f))
        e = hy_err_set(HY_ERR_IO, "%s: read error", name);
    if (e != HY_OK) {
        free(t);
        return e;
    }
    *v = t;
    *n = len;
    return HY_OK;
}

/* What the evaluation keeps per alert screened. */
typedef struct ev_state {
    const hy_screen_eval_cfg *c;
    hy_screen *s;
    const hy_screen_truth *truth;
    size_t ntruth;
    hy_screen_truth *by_seq;    /* truth of each alert, by screener seq */
    struct ev_ends {
        uint8_t ver;
        uint8_t src[16], dst[16];
        uint32_t sid;
        uint64_t sig_key;
    } * ends;
    float *feat;                /* features by seq (NULL when too many) */
    size_t nseq, capseq;
    float *tx, *ty;             /* the verdicts so far, as training rows */
    size_t nrows, caprows;
    hy_map *groups;             /* clusters read by a human today */
    uint64_t camp_alerts[HY_SCREEN_MAX_CAMPAIGNS], camp_caught[HY_SCREEN_MAX_CAMPAIGNS];
} ev_state;

static hy_err keep(ev_state *st, const hy_screen_truth *t, const hy_alert_in *a,
                   const hy_screen_result *r)
{
    if (st->nseq == st->capseq) {
        size_t cap = st->capseq ? st->capseq * 2 : 65536;
        hy_screen_truth *b = realloc(st->by_seq, cap * sizeof *b);
        if (!b)
            return hy_err_set(HY_ERR_NOMEM, "eval screen: alerts");
        st->by_seq = b;
        struct ev_ends *en = realloc(st->ends, cap * sizeof *en);
        if (!en)
            return hy_err_set(HY_ERR_NOMEM, "eval screen: alerts");
        st->ends = en;
        if (st->feat || st->nseq == 0) {
            float *f = cap <= EVAL_MAX_ALERTS ? realloc(st->feat, cap * HY_SF__COUNT * sizeof *f)
                                              : NULL;
            if (!f) {
                free(st->feat); /* past the cap: no supervised model */
                st->feat = NULL;
            } else {
                st->feat = f;
            }
        }
        st->capseq = cap;
    }
    st->by_seq[st->nseq] = *t;
    st->ends[st->nseq].ver = a->ip_version;
    memcpy(st->ends[st->nseq].src, a->src, 16);
    memcpy(st->ends[st->nseq].dst, a->dst, 16);
    st->ends[st->nseq].sid = a->sid;
    st->ends[st->nseq].sig_key = a->sig_key;
    if (st->feat)
        memcpy(st->feat + st->nseq * HY_SF__COUNT, r->f, sizeof r->f);
    st->nseq++;
    return HY_OK;
}

static void count(ev_state *st, hy_screen_eval_day *d, const hy_screen_truth *t,
                  const hy_screen_result *r, bool scored)
{
    bool read = r->decision != HY_SCREEN_CLOSED;
    d->alerts++;
    d->escalated += r->decision == HY_SCREEN_ESCALATE;
    d->review += r->decision == HY_SCREEN_REVIEW;
    d->closed += !read;
    if (read && hy_map_get(st->groups, &r->cluster, sizeof r->cluster) == NULL &&
        hy_map_put(st->groups, &r->cluster, sizeof r->cluster, (void *)1) == HY_OK)
        d->groups++;
    if (!t->attack)
        return;
    d->attacks++;
    d->attack_escalated += r->decision == HY_SCREEN_ESCALATE;
    d->attack_review += r->decision == HY_SCREEN_REVIEW;
    d->attack_closed += !read;
    if (scored) {
        st->camp_alerts[t->campaign]++;
        st->camp_caught[t->campaign] += read;
    }
}

static hy_err add_row(ev_state *st, uint64_t seq, bool attack)
{
    if (!st->feat || seq >= st->nseq)
        return HY_OK;
    if (st->nrows == st->caprows) {
        size_t cap = st->caprows ? st->caprows * 2 : 1024;
        float *x = realloc(st->tx, cap * HY_SF__COUNT * sizeof *x);
        if (x)
            st->tx = x;
        float *y = x ? realloc(st->ty, cap * sizeof *y) : NULL;
        if (!y)
            return hy_err_set(HY_ERR_NOMEM, "eval screen: verdicts");
        st->ty = y;
        st->caprows = cap;
    }
    memcpy(st->tx + st->nrows * HY_SF__COUNT, st->feat + seq * HY_SF__COUNT,
           HY_SF__COUNT * sizeof(float));
    st->ty[st->nrows++] = attack;
    return HY_OK;
}

/* The analyst's end of day: up to budget verdicts from the label queue,
 * then (optionally) a new supervised model from every verdict so far. */
static hy_err end_of_day(ev_state *st, uint64_t day_end, hy_screen_eval_day *d)
{
    unsigned b = st->c->budget;
    hy_screen_ask *ask = b ? malloc(b * sizeof *ask) : NULL;
    size_t n = 0;
    hy_err e = b && !ask ? hy_err_set(HY_ERR_NOMEM, "eval screen: queue") : HY_OK;
    if (e == HY_OK && b)
        e = hy_screen_queue(st->s, ask, b, &n);
    bool pos = false, neg = false;
    for (size_t i = 0; e == HY_OK && i < n; i++) {
        const hy_screen_truth *t = ask[i].seq < st->nseq ? &st->by_seq[ask[i].seq] : NULL;
        if (!t || !t->known)
            continue;
        e = hy_screen_judge(st->s, ask[i].cluster,
                            t->attack ? HY_SCREEN_MALICIOUS : HY_SCREEN_BENIGN, day_end,
                            "analyst");
        const struct ev_ends *en = &st->ends[ask[i].seq];
        if (e == HY_OK && t->attack && en->ver)
            e = hy_screen_taint(st->s, en->ver, en->src, en->dst, day_end, en->sid);
        if (e == HY_OK && !t->attack && en->ver)
            e = hy_screen_vouch(st->s, en->ver, en->src, en->sig_key, day_end);
        if (e == HY_OK)
            e = add_row(st, ask[i].seq, t->attack);
        d->verdicts++;
    }
    free(ask);
    for (size_t i = 0; i < st->nrows; i++)
        st->ty[i] > 0.5f ? (pos = true) : (neg = true);
    if (e == HY_OK && st->c->model && pos && neg) {
        struct hy_gbm *m = NULL;
        if ((e = hy_screen_train_model(st->tx, st->ty, st->nrows, st->c->pos_weight, &m)) == HY_OK)
            hy_screen_set_model(st->s, m);
    }
    return e;
}

static void add_day(hy_screen_eval_day *t, const hy_screen_eval_day *d)
{
    t->alerts += d->alerts, t->attacks += d->attacks;
    t->escalated += d->escalated, t->review += d->review, t->closed += d->closed;
    t->attack_escalated += d->attack_escalated, t->attack_review += d->attack_review;
    t->attack_closed += d->attack_closed, t->groups += d->groups, t->verdicts += d->verdicts;
}

static hy_err next_day(ev_state *st, hy_screen_eval *out, uint64_t day)
{
    hy_screen_eval_day *d = &out->day[out->ndays - 1];
    hy_err e = end_of_day(st, d->day_ns + DAY_NS, d);
    if (e != HY_OK)
        return e;
    if (out->ndays > 1)
        add_day(&out->total, d);
    if (out->ndays >= HY_SCREEN_EVAL_MAX_DAYS)
        return hy_err_set(HY_ERR_TOOBIG, "eval screen: more than %d days",
                          HY_SCREEN_EVAL_MAX_DAYS);
    hy_map_destroy(st->groups);
    st->groups = NULL;
    if ((e = hy_map_create(0, NULL, &st->groups)) != HY_OK)
        return e;
    out->day[out->ndays++] = (hy_screen_eval_day){.day_ns = day};
    return HY_OK;
}

/* Alerts screened but not yet counted: their decisions wait for the batch. */
typedef struct ev_batch {
    hy_screen_result r[HY_SCREEN_BATCH];
    const hy_screen_truth *t[HY_SCREEN_BATCH];
    size_t n;
} ev_batch;

static hy_err settle(ev_state *st, ev_batch *b, hy_screen_eval *out, const hy_alert_in *a)
{
    clock_t t0 = clock();
    hy_err e = hy_screen_flush(st->s);
    out->seconds += (double)(clock() - t0) / CLOCKS_PER_SEC;
    for (size_t i = 0; e == HY_OK && i < b->n; i++) {
        count(st, &out->day[out->ndays - 1], b->t[i], &b->r[i], out->ndays > 1);
        if (st->c->observe) /* then batches are of one: a is that alert */
            st->c->observe(st->c->observe_ud, out->ndays - 1, a, b->t[i], &b->r[i]);
    }
    b->n = 0;
    return e;
}

static hy_err eval_loop(ev_state *st, ev_batch *b, hy_alertin_reader *r, hy_screen_eval *out)
{
    hy_alert_in a;
    uint64_t line;
    hy_err e;
    static const hy_screen_truth none = {0};
    while ((e = hy_alertin_next(r, &a, &line)) == HY_OK) {
        uint64_t day = a.ts_ns / DAY_NS * DAY_NS;
        if (out->ndays == 0)
            out->day[out->ndays++] = (hy_screen_eval_day){.day_ns = day};
        else if (day > out->day[out->ndays - 1].day_ns &&
                 ((e = settle(st, b, out, NULL)) != HY_OK || (e = next_day(st, out, day)) != HY_OK))
            return e;
        const hy_screen_truth *t = line < st->ntruth ? &st->truth[line] : &none;
        clock_t t0 = clock();
        e = hy_screen_push(st->s, &a, &b->r[b->n]);
        out->seconds += (double)(clock() - t0) / CLOCKS_PER_SEC;
        if (e != HY_OK || (e = keep(st, t, &a, &b->r[b->n])) != HY_OK)
            return e;
        out->unlabelled += !t->known;
        b->t[b->n++] = t;
        if ((b->n == HY_SCREEN_BATCH || st->c->observe) && (e = settle(st, b, out, &a)) != HY_OK)
            return e;
    }
    if (e != HY_ERR_NOTFOUND || (e = settle(st, b, out, NULL)) != HY_OK)
        return e;
    if (out->ndays > 1)
        add_day(&out->total, &out->day[out->ndays - 1]);
    return HY_OK;
}

hy_err hy_screen_eval_run(const hy_screen_eval_cfg *c, hy_alertin_reader *r,
                          const hy_screen_truth *v, size_t n, hy_screen_eval *out)
{
    ev_state st = {.c = c, .truth = v, .ntruth = v ? n : 0};
    if (!c || !r || !out || (c->model && !(c->pos_weight > 0)))
        return hy_err_set(HY_ERR_ARG, "eval screen: bad arguments");
    memset(out, 0, sizeof *out);
    hy_err e = hy_screen_create(&c->screen, &st.s);
    if (e == HY_OK)
        e = hy_map_create(0, NULL, &st.groups);
    ev_batch *b = e == HY_OK ? calloc(1, sizeof *b) : NULL;
    if (e == HY_OK && !b)
        e = hy_err_set(HY_ERR_NOMEM, "eval screen: batch");
    if (e == HY_OK)
        e = eval_loop(&st, b, r, out);
    free(b);
    for (size_t k = 1; e == HY_OK && k < HY_SCREEN_MAX_CAMPAIGNS; k++) {
        out->campaigns += st.camp_alerts[k] > 0;
        out->campaigns_missed += st.camp_alerts[k] > 0 && st.camp_caught[k] == 0;
    }
    if (st.s)
        hy_screen_stats_get(st.s, &out->st);
    hy_screen_destroy(st.s);
    hy_map_destroy(st.groups);
    free(st.by_seq);
    free(st.ends);
    free(st.feat);
    free(st.tx);
    free(st.ty);
    return e;
}
