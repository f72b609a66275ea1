#include "pipeline/runner.h"

#include "pipeline/models.h"

#include <stdio.h>
#include <stdlib.h>

struct hy__runner {
    const hy_engine *e;
    void *state;
    int idx;
    hy_emit emit;        /* what the engine calls */
    hy_emit inline_emit; /* inline mode target */
    hy_queue *q;         /* threaded: batches in */
    hy_queue *alertq;    /* threaded: messages out */
    hy_thread *thr;
    hy_err err;
    hy__models *models;
    unsigned model_gen;
};

static hy_err post(hy__runner *r, hy_alert *a)
{
    hy__runner_msg *m = malloc(sizeof *m);
    if (!m) {
        hy_alert_destroy(a);
        return HY_ERR_NOMEM;
    }
    m->runner = r->idx;
    m->alert = a;
    hy_err rc = hy_queue_push(r->alertq, m);
    if (rc != HY_OK) {
        hy_alert_destroy(a);
        free(m);
    }
    return rc;
}

static hy_err emit_threaded(void *ud, hy_alert *a)
{
    return post(ud, a);
}

/* Runs the items of b. After an engine error the remaining events are
 * skipped, but watermarks still go out so the collector never waits forever. */
static hy_err run_batch(hy__runner *r, const hy__out_batch *b, bool *final)
{
    hy_err rc = HY_OK;
    for (uint32_t i = 0; i < b->n; i++) {
        const hy__item *it = &b->it[i];
        if (it->rank == HY__R_FLOW) {
            if (rc == HY_OK && (r->e->consumes & HY_EV_BIT(HY_EV_FLOW))) {
                hy_event ev = {.kind = HY_EV_FLOW, .ts_ns = it->flow.last_ns,
                               .seq = it->flow.first_seq, .u.flow = &it->flow};
                rc = r->e->on_event(r->state, &ev, &r->emit);
            }
        } else if (it->rank == HY__R_TICK || it->rank == HY__R_FINAL) {
            *final = it->rank == HY__R_FINAL;
            hy__models_sync(r->models, r->e, r->state, &r->model_gen, false);
            if (rc == HY_OK && r->e->tick)
                rc = r->e->tick(r->state, it->tick_ns, *final, &r->emit);
            if (r->alertq) {
                hy_err w = post(r, NULL);
                if (rc == HY_OK)
                    rc = w;
            }
        }
    }
    return rc;
}

static void *runner_main(void *arg)
{
    hy__runner *r = arg;
    void *item;
    bool final = false;

    while (!final && hy_queue_pop(r->q, &item) == HY_OK) {
        hy__out_batch *b = item;
        hy_err rc = run_batch(r, b, &final);
        if (rc != HY_OK && r->err == HY_OK)
            r->err = rc;
        hy__out_batch_release(b);
    }
    return NULL;
}

hy_err hy__runner_create(const hy_engine *e, const hy_engine_env *env, int idx,
                         const hy_emit *inline_emit, hy__models *models, hy_queue *alertq,
                         hy__runner **out)
{
    hy_err rc;
    hy__runner *r = calloc(1, sizeof *r);
    if (!r)
        return HY_ERR_NOMEM;
    r->e = e;
    r->idx = idx;
    r->alertq = alertq;
    r->inline_emit = *inline_emit;
    r->emit = alertq ? (hy_emit){.fn = emit_threaded, .ud = r} : r->inline_emit;
    if (alertq && (rc = hy_queue_create(HY_QUEUE_DEFAULT_CAP, &r->q)) != HY_OK)
        goto out;
    if ((rc = e->create(env, &r->state)) != HY_OK)
        goto out;
    r->models = models;
    if ((rc = hy__models_sync(models, e, r->state, &r->model_gen, true)) != HY_OK) {
        e->destroy(r->state);
        goto out;
    }
    *out = r;
    return HY_OK;
out:
    hy_queue_destroy(r->q);
    free(r);
    return rc;
}

hy_err hy__runner_deliver(hy__runner *r, hy__out_batch *b)
{
    bool final = false;
    hy_err rc;
    if (r->q)
        return hy_queue_try_push(r->q, b);
    rc = run_batch(r, b, &final);
    hy__out_batch_release(b);
    return rc;
}

hy_err hy__runner_start(hy__runner *r)
{
    char name[16];
    if (!r->q)
        return HY_OK;
    snprintf(name, sizeof name, "hy-%s", r->e->name);
    return hy_thread_start(name, runner_main, r, &r->thr);
}

hy_err hy__runner_join(hy__runner *r)
{
    hy_err rc = HY_OK;
    if (r->thr) {
        rc = hy_thread_join(r->thr, NULL);
        r->thr = NULL;
    }
    return rc != HY_OK ? rc : r->err;
}

bool hy__runner_threaded(const hy__runner *r)
{
    return r->q != NULL;
}

void hy__runner_abort(hy__runner *r)
{
    if (!r || !r->thr)
        return;
    hy_queue_close(r->q);
    hy_thread_join(r->thr, NULL);
    r->thr = NULL;
}

void hy__runner_destroy(hy__runner *r)
{
    if (!r)
        return;
    hy_queue_destroy_items(r->q, hy__out_batch_drop);
    if (r->state)
        r->e->destroy(r->state);
    free(r);
}
