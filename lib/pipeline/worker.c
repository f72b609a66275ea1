/* Decode/flow worker: decodes the packets of its shard, keeps its part of the
 * flow table, runs sharded engines, and writes one ordered stream of items. */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/internal.h"
#include "pipeline/models.h"

typedef struct hy__shard_engine {
    const hy_engine *e;
    void *state;
    unsigned model_gen;      /* models seen (models.h) */
    uint32_t bit;            /* 1 << its index in cfg.engines (file masks) */
} hy__shard_engine;

struct hy__worker {
    hy_pipeline *p;
    int shard;
    hy_flow_table *ft;
    hy_decode_stats dstats;
    hy__out_batch *out;
    uint64_t cur_seq;        /* merge key of items emitted now */
    uint64_t mark_seq;       /* threaded: stream known complete before this */
    bool threaded;           /* runs on its own thread, behind queues */
    bool ticking;            /* alerts go to tick_alerts to be sorted */
    hy_queue *inq, *freeq;
    hy_thread *thr;
    double cpu;              /* threaded: CPU seconds of its thread, at its end */
    hy_err err;
    bool render_eve;         /* flows go to EVE: render them here */
    bool flows;              /* keep the flow table */
    hy__shard_engine *sh;
    size_t n_sh;
    hy_alert **tick_alerts;
    size_t n_tick_alerts, cap_tick_alerts;
    hy_emit emit;
    uint8_t *fbuf;           /* the file being analysed (HY_EV_FILE) */
    size_t fcap;
    uint64_t files, file_bytes, files_unreadable;
};

static hy_err flush_out(hy__worker *w)
{
    hy__out_batch *b = w->out;
    w->out = NULL;
    w->mark_seq = w->cur_seq; /* its items up to here are visible now */
    if (!b)
        return HY_OK;
    return hy__pipeline_emit_batch(w->p, w->shard, b);
}

/* Appends a blank item to the current out batch, flushing a full one. */
static hy__item *next_item(hy__worker *w)
{
    if (w->out && w->out->n == HY__OUT_ITEMS && (w->err = flush_out(w)) != HY_OK)
        return NULL;
    if (!w->out && !(w->out = hy__out_batch_new(hy__pipeline_pool(w->p)))) {
        w->err = HY_ERR_NOMEM;
        return NULL;
    }
    return &w->out->it[w->out->n++];
}

static void on_flow(void *ud, const hy_flow *f)
{
    hy__worker *w = ud;
    hy__item *it = next_item(w);
    if (!it)
        return;
    it->seq = w->cur_seq;
    it->rank = HY__R_FLOW;
    it->alert = NULL;
    it->flow = *f;
    it->eve_off = it->eve_len = 0;
    if (w->render_eve) {
        hy_buf *t = &w->out->text;
        size_t start = t->len;
        if (hy_flow_to_eve(f, t) == HY_OK) {
            it->eve_off = (uint32_t)start;
            it->eve_len = (uint32_t)(t->len - start);
        } /* else the collector renders it and reports the error */
    }
    /* sharded engines that want flows (intel's indicator match) see each
     * of their shard's flows as it closes, right after the flow's item */
    hy_event ev = {.kind = HY_EV_FLOW, .ts_ns = f->last_ns, .seq = f->first_seq, .u.flow = f};
    for (size_t i = 0; i < w->n_sh && w->err == HY_OK; i++) {
        if (!(w->sh[i].e->consumes & HY_EV_BIT(HY_EV_FLOW)))
            continue;
        hy_err rc = w->sh[i].e->on_event(w->sh[i].state, &ev, &w->emit);
        if (rc != HY_OK)
            w->err = rc;
    }
}

static hy_err push_alert_item(hy__worker *w, hy_alert *a)
{
    hy__item *it = next_item(w);
    if (!it) {
        hy_alert_destroy(a);
        return w->err;
    }
    it->seq = w->cur_seq;
    it->rank = HY__R_ALERT;
    it->alert = a;
    return HY_OK;
}

/* Emit callback of sharded engines: packet-time alerts go straight into the
 * stream; tick-time alerts are sorted first so the merge stays total. */
static hy_err on_alert(void *ud, hy_alert *a)
{
    hy__worker *w = ud;
    if (!w->ticking)
        return push_alert_item(w, a);
    if (w->n_tick_alerts == w->cap_tick_alerts) {
        size_t ncap = w->cap_tick_alerts ? 2 * w->cap_tick_alerts : 16;
        hy_alert **na = realloc(w->tick_alerts, ncap * sizeof *na);
        if (!na) {
            hy_alert_destroy(a);
            return HY_ERR_NOMEM;
        }
        w->tick_alerts = na;
        w->cap_tick_alerts = ncap;
    }
    w->tick_alerts[w->n_tick_alerts++] = a;
    return HY_OK;
}

static int alert_ptr_cmp(const void *x, const void *y)
{
    return hy_alert_cmp(*(hy_alert *const *)x, *(hy_alert *const *)y);
}

static hy_err tick_engines(hy__worker *w, uint64_t now, bool final)
{
    hy_err rc = HY_OK;
    w->ticking = true;
    for (size_t i = 0; i < w->n_sh && rc == HY_OK; i++) {
        hy__models_sync(hy__pipeline_models(w->p), w->sh[i].e, w->sh[i].state,
                        &w->sh[i].model_gen, false);
        if (w->sh[i].e->tick)
            rc = w->sh[i].e->tick(w->sh[i].state, now, final, &w->emit);
    }
    w->ticking = false;
    if (w->n_tick_alerts > 1)
        qsort(w->tick_alerts, w->n_tick_alerts, sizeof *w->tick_alerts, alert_ptr_cmp);
    for (size_t i = 0; i < w->n_tick_alerts; i++) {
        hy_err e = push_alert_item(w, w->tick_alerts[i]);
        if (rc == HY_OK)
            rc = e;
    }
    w->n_tick_alerts = 0;
    for (size_t i = 0; i < w->n_sh && rc == HY_OK; i++) {
        const hy_engine *e = w->sh[i].e;
        void *part;
        hy__item *it;
        if (!e->partial || !(part = e->partial(w->sh[i].state, now)))
            continue;
        if (!(it = next_item(w))) {
            e->free_partial(part);
            return w->err;
        }
        it->seq = w->cur_seq;
        it->rank = HY__R_PART;
        it->alert = NULL;
        it->part = part;
        it->eng = e;
    }
    return rc;
}

/* Reads the whole regular file at path into w->fbuf (*n bytes); false
 * when it cannot (gone, not regular any more, over the cap, a read error). */
static bool read_file(hy__worker *w, const char *path, size_t *n)
{
    struct stat st;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    bool ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              (uint64_t)st.st_size <= HY_MAX_FILE_BYTES;
    if (ok && (size_t)st.st_size + 1 > w->fcap) {
        size_t cap = (size_t)st.st_size + 1;
        uint8_t *nb = realloc(w->fbuf, cap);
        ok = nb != NULL;
        if (ok) {
            w->fbuf = nb;
            w->fcap = cap;
        }
    }
    while (ok && got < (size_t)st.st_size) { /* a file that shrinks meanwhile ends early */
        ssize_t k = read(fd, w->fbuf + got, (size_t)st.st_size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            ok = k == 0;
            break;
        }
        got += (size_t)k;
    }
    if (fd >= 0)
        close(fd);
    *n = got;
    return ok;
}

/* One file for the engines that consume HY_EV_FILE. */
static hy_err process_file(hy__worker *w, const hy__pkt_ref *r, const char *path)
{
    size_t n = 0;
    w->cur_seq = r->seq;
    if (!read_file(w, path, &n)) {
        w->files_unreadable++;
        return w->err;
    }
    w->files++;
    w->file_bytes += n;
    hy_event ev = {.kind = HY_EV_FILE, .ts_ns = r->ts_ns, .seq = r->seq,
                   .u.file = {.path = path, .data = w->fbuf ? w->fbuf : (const uint8_t *)"",
                              .len = n}};
    for (size_t i = 0; i < w->n_sh; i++) {
        if (!(w->sh[i].e->consumes & HY_EV_BIT(HY_EV_FILE)) || !(r->engines & w->sh[i].bit))
            continue;
        hy_err rc = w->sh[i].e->on_event(w->sh[i].state, &ev, &w->emit);
        if (rc != HY_OK)
            return rc;
    }
    return w->err;
}

/* One external alert for the engines that consume HY_EV_ALERT_IN. */
static hy_err process_alert(hy__worker *w, const hy__pkt_ref *r, const uint8_t *data)
{
    hy_event ev = {.kind = HY_EV_ALERT_IN, .ts_ns = r->ts_ns, .seq = r->seq,
                   .u.record = {.source = "alert", .json = (const char *)data, .len = r->caplen}};
    w->cur_seq = r->seq;
    for (size_t i = 0; i < w->n_sh; i++) {
        if (!(w->sh[i].e->consumes & HY_EV_BIT(HY_EV_ALERT_IN)))
            continue;
        hy_err rc = w->sh[i].e->on_event(w->sh[i].state, &ev, &w->emit);
        if (rc != HY_OK)
            return rc;
    }
    return w->err;
}

static hy_err process_packet(hy__worker *w, const hy__pkt_ref *r, const uint8_t *data)
{
    hy_pkt pkt;
    if (r->linktype == HY__LINK_FILE)
        return process_file(w, r, (const char *)data);
    if (r->linktype == HY__LINK_ALERT)
        return process_alert(w, r, data);
    pkt.ts_ns = r->ts_ns;
    pkt.seq = r->seq;
    pkt.data = data;
    pkt.caplen = r->caplen;
    pkt.have = r->have;
    pkt.wirelen = r->wirelen;
    pkt.linktype = r->linktype;
    hy_decode(&pkt, &w->dstats);
    /* The packet's bytes stay behind: with more than one thread only its
     * headers reached this worker, so no engine may see more than the
     * decoded fields, whatever the thread count. */
    pkt.l3_len = pkt.l4_len = pkt.payload_len = 0;
    w->cur_seq = r->seq;
    if (w->flows)
        hy_flow_table_update(w->ft, &pkt);
    for (size_t i = 0; i < w->n_sh; i++) {
        hy_event ev = {.kind = HY_EV_PACKET, .ts_ns = r->ts_ns, .seq = r->seq, .u.pkt = &pkt};
        if (!(w->sh[i].e->consumes & HY_EV_BIT(HY_EV_PACKET)))
            continue;
        hy_err rc = w->sh[i].e->on_event(w->sh[i].state, &ev, &w->emit);
        if (rc != HY_OK)
            return rc;
    }
    return w->err;
}

static hy_err process_tick(hy__worker *w, const hy__in_batch *b)
{
    hy_err rc;
    bool final = b->type == HY__IN_FINAL;
    hy__item *it;

    w->cur_seq = b->tick_seq;
    if (final)
        hy_flow_table_flush(w->ft);
    else
        hy_flow_table_expire(w->ft, b->tick_ns);
    if ((rc = tick_engines(w, b->tick_ns, final)) != HY_OK)
        return rc;
    if (!(it = next_item(w)))
        return w->err;
    it->seq = b->tick_seq;
    it->rank = final ? HY__R_FINAL : HY__R_TICK;
    it->tick_ns = b->tick_ns;
    it->alert = NULL;
    return flush_out(w);
}

/* Threaded mode (after a packet batch, or from the capture thread for its
 * own shard): when the stream has said nothing for a while, a MARK at upto
 * tells the merge that nothing earlier will come from this worker. */
hy_err hy__worker_mark(hy__worker *w, uint64_t upto, bool force)
{
    hy__item *it;
    if (!w->threaded || upto - w->mark_seq < (force ? 1 : HY__MARK_EVERY))
        return HY_OK;
    if (!(it = next_item(w)))
        return w->err;
    it->seq = w->cur_seq = upto;
    it->rank = HY__R_MARK;
    it->alert = NULL;
    return flush_out(w);
}

hy_err hy__worker_process(hy__worker *w, hy__in_batch *b)
{
    if (b->type != HY__IN_PKTS)
        return process_tick(w, b);
    for (uint32_t i = 0; i < b->n; i++) {
        hy_err rc = process_packet(w, &b->pk[i], b->arena + b->pk[i].off);
        if (rc != HY_OK)
            return rc;
    }
    return hy__worker_mark(w, b->upto_seq, false);
}

hy_err hy__worker_packet(hy__worker *w, const hy__pkt_ref *r, const uint8_t *data)
{
    return process_packet(w, r, data);
}

static void *worker_main(void *arg)
{
    hy__worker *w = arg;
    void *item;
    bool final = false;

    while (!final && hy_queue_pop(w->inq, &item) == HY_OK) {
        hy__in_batch *b = item;
        final = b->type == HY__IN_FINAL;
        if (w->err == HY_OK)
            w->err = hy__worker_process(w, b);
        else if (final) /* keep the stream well-formed after an error */
            process_tick(w, b);
        b->n = b->used = 0;
        hy_queue_push(w->freeq, b);
    }
    w->cpu = hy_thread_cpu_s();
    return NULL;
}

static hy_err create_shard_engines(hy__worker *w)
{
    const hy_pipeline_cfg *cfg = hy__pipeline_cfg(w->p);
    hy_engine_env env = {.cfg = cfg->cfg, .log = cfg->log, .store_path = cfg->store_path,
                         .shard = w->shard,
                         .shards = cfg->threads};

    w->sh = calloc(cfg->n_engines ? cfg->n_engines : 1, sizeof *w->sh);
    if (!w->sh)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < cfg->n_engines; i++) {
        const hy_engine *e = cfg->engines[i];
        if (!e->sharded)
            continue;
        hy_err rc = e->create(&env, &w->sh[w->n_sh].state);
        if (rc != HY_OK)
            return rc;
        w->sh[w->n_sh].bit = i < 32 ? 1u << i : 0;
        w->sh[w->n_sh++].e = e;
        if ((rc = hy__models_sync(hy__pipeline_models(w->p), e, w->sh[w->n_sh - 1].state,
                                  &w->sh[w->n_sh - 1].model_gen, true)) != HY_OK)
            return rc;
    }
    return HY_OK;
}

hy_err hy__worker_create(hy_pipeline *p, int shard, hy__worker **out)
{
    const hy_pipeline_cfg *cfg = hy__pipeline_cfg(p);
    hy_flow_cfg fc = cfg->flow;
    hy_err rc = HY_ERR_NOMEM;
    hy__worker *w = calloc(1, sizeof *w);

    if (!w)
        return HY_ERR_NOMEM;
    w->p = p;
    w->shard = shard;
    w->emit = (hy_emit){.fn = on_alert, .ud = w};
    w->render_eve = cfg->eve && cfg->eve_flows;
    w->flows = !cfg->no_flows;
    /* The cap is over all workers; each shard gets its part, in proportion
     * to its share of the shard-hash slots. */
    fc.max_flows = fc.max_flows * hy__pipeline_slots(p, shard) / HY__SLOTS + 1;
    if ((rc = hy_flow_table_create(&fc, on_flow, w, &w->ft)) != HY_OK)
        goto out;
    if ((rc = create_shard_engines(w)) != HY_OK)
        goto out;
    w->threaded = cfg->threads > 1; /* its items go to the collector's queue */
    if (w->threaded && !hy__pipeline_inline(p, shard)) {
        if ((rc = hy_queue_create(HY_QUEUE_DEFAULT_CAP, &w->inq)) != HY_OK ||
            (rc = hy_queue_create(HY_QUEUE_DEFAULT_CAP + 4, &w->freeq)) != HY_OK)
            goto out;
    }
    *out = w;
    return HY_OK;
out:
    hy__worker_destroy(w);
    return rc;
}

hy_err hy__worker_start(hy__worker *w)
{
    char name[16];
    snprintf(name, sizeof name, "hy-flow%d", w->shard);
    return hy_thread_start(name, worker_main, w, &w->thr);
}

hy_err hy__worker_join(hy__worker *w)
{
    hy_err rc = HY_OK;
    if (w->thr) {
        rc = hy_thread_join(w->thr, NULL);
        w->thr = NULL;
    }
    return rc != HY_OK ? rc : w->err;
}

double hy__worker_cpu(const hy__worker *w)
{
    return w->cpu;
}

hy_queue *hy__worker_inq(hy__worker *w)
{
    return w->inq;
}

hy_queue *hy__worker_freeq(hy__worker *w)
{
    return w->freeq;
}

void hy__worker_file_stats(const hy__worker *w, uint64_t *files, uint64_t *bytes,
                           uint64_t *unreadable)
{
    *files += w->files;
    *bytes += w->file_bytes;
    *unreadable += w->files_unreadable;
}

void hy__worker_stats(const hy__worker *w, hy_decode_stats *d, hy_flow_stats *f)
{
    hy_flow_stats fs;
    hy_decode_stats_add(d, &w->dstats);
    hy_flow_table_stats(w->ft, &fs);
    f->created += fs.created;
    f->exported += fs.exported;
    f->evicted += fs.evicted;
    f->active += fs.active;
    f->no_ports_frags += fs.no_ports_frags;
}

void hy__worker_abort(hy__worker *w)
{
    if (!w || !w->thr)
        return;
    hy_queue_close(w->inq);
    hy_thread_join(w->thr, NULL);
    w->thr = NULL;
}

void hy__worker_destroy(hy__worker *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_sh; i++)
        w->sh[i].e->destroy(w->sh[i].state);
    free(w->sh);
    for (size_t i = 0; i < w->n_tick_alerts; i++)
        hy_alert_destroy(w->tick_alerts[i]);
    free(w->tick_alerts);
    free(w->fbuf);
    if (w->out)
        hy__out_batch_release(w->out);
    hy_flow_table_destroy(w->ft);
    hy_queue_destroy_items(w->inq, hy__in_batch_free);
    hy_queue_destroy_items(w->freeq, hy__in_batch_free);
    free(w);
}
