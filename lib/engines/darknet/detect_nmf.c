/* The Dark-NMF detector (Han et al., TrustCom 2021; Dark-TRACER, IEEE
 * Access 2022): hosts infected by the same malware scan in step, so a
 * non-negative factorisation of their activity over time puts them in one
 * component.
 *
 * Every step_bins bins, the window of the last window_bins one-minute bins
 * becomes the matrix V (bins x hosts) of scan-packet counts of the hosts
 * seen in at least two of its bins (at most max_hosts: those seen in the
 * most bins, ties broken by a fixed-seed address hash). Each host's column
 * is scaled to a maximum of 1, so a group is hosts with the same time
 * profile, whatever their rates. V ~= W H is fitted for every rank 1..max_rank (NNDSVD + HALS,
 * deterministic) and the rank with the smallest description length kept.
 * A component's members are the hosts whose loading is at least 1 and at
 * least half the component's largest (the reference rule); a component
 * with two members or more is a synchronised group. A group's ports are
 * those scanned by at least 30% of its members and at least two. For each
 * port, the most members of one group on it is compared with the port's
 * usual number of hosts in a window (all of them, grouped or not: a moving
 * average over windows, seeded with the first figure during the warm-up):
 * the port fires when the group has at least min_port_hosts on it and at
 * least `growth` times the usual, once min_history windows have been seen.
 * A busy port (telnet, with its endemic bots) needs a group far larger than
 * its everyday crowd; a port nobody scanned needs min_port_hosts. */
#include "darknet_int.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/nmf.h"

#define NMF_ITERS     200
#define NMF_TOL       1e-4
#define GROUP_SHARE   0.3   /* of a group's members on a port */
#define MEMBER_ABS    1.0
#define MEMBER_REL    0.5
#define EWMA_ALPHA    (1.0 / 36)
#define HOST_SEED     0x6e6d66686f737473ull /* "nmfhosts" */

typedef struct host {
    dn_addr addr;
    uint64_t h;
    uint64_t last;      /* last bin with scan packets */
    uint32_t mask;      /* bit i: packets in bin last - i */
    uint32_t nports;
    uint64_t port_h[DN_KMV];
    uint32_t port_v[DN_KMV];
    uint16_t cnt[];     /* window_bins; bin i at i % window_bins */
} host;

typedef struct usual {
    double hosts;       /* moving average of the port's group hosts */
    uint64_t last;      /* window it was last updated */
} usual;

struct dn_nmf {
    dn_nmf_cfg cfg;
    hy_map *hosts;      /* dn_addr -> host */
    hy_map *ports;      /* (proto, port) -> usual */
    uint64_t step;      /* current step block (bin / step_bins) */
    bool have_step;
    uint64_t nwin;      /* windows evaluated */
};

hy_err dn_nmf_create(const dn_nmf_cfg *cfg, dn_nmf **out)
{
    dn_nmf *m;
    hy_err rc;
    if (cfg->window_bins < 2 || cfg->window_bins > 32 || cfg->step_bins < 1 || cfg->max_rank < 1 ||
        cfg->max_hosts < 2)
        return hy_err_set(HY_ERR_CONFIG, "darknet: bad Dark-NMF window, step, rank or hosts");
    if (!(m = calloc(1, sizeof *m)))
        return HY_ERR_NOMEM;
    m->cfg = *cfg;
    if ((rc = hy_map_create(cfg->max_sources, free, &m->hosts)) != HY_OK ||
        (rc = hy_map_create(65536, free, &m->ports)) != HY_OK) {
        dn_nmf_destroy(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

void dn_nmf_destroy(dn_nmf *m)
{
    if (!m)
        return;
    hy_map_destroy(m->hosts);
    hy_map_destroy(m->ports);
    free(m);
}

typedef struct add_ctx {
    dn_nmf *m;
    uint64_t index;
    hy_err rc;
} add_ctx;

static int add_src(const void *key, size_t klen, void *value, void *ud)
{
    add_ctx *c = ud;
    const dn_src_agg *s = value;
    uint32_t wb = c->m->cfg.window_bins;
    host *h;
    if (!s->scan_packets)
        return 0;
    if (!(h = hy_map_get(c->m->hosts, key, klen))) {
        if (!(h = calloc(1, sizeof *h + wb * sizeof(uint16_t)))) {
            c->rc = HY_ERR_NOMEM;
            return 1;
        }
        h->addr = s->addr;
        h->h = hy_hash64(&s->addr, sizeof s->addr, HOST_SEED);
        h->last = c->index;
        if ((c->rc = hy_map_put(c->m->hosts, key, klen, h)) != HY_OK) {
            free(h);
            if (c->rc != HY_ERR_TOOBIG)
                return 1;
            c->rc = HY_OK; /* full: the host is not tracked */
            return 0;
        }
    }
    /* the slots of the bins since the host was last seen are stale */
    uint64_t from = h->last + 1 + wb > c->index ? h->last + 1 : c->index + 1 - wb;
    for (uint64_t i = from; i < c->index; i++)
        h->cnt[i % wb] = 0;
    if (h->last != c->index)
        h->cnt[c->index % wb] = 0;
    uint64_t gap = c->index - h->last;
    h->mask = (gap >= 32 ? 0 : h->mask << gap) | 1;
    h->last = c->index;
    uint64_t v = h->cnt[c->index % wb] + s->scan_packets;
    h->cnt[c->index % wb] = (uint16_t)(v > UINT16_MAX ? UINT16_MAX : v);
    for (uint32_t i = 0; i < s->nports; i++)
        dn_bottom_k(h->port_h, h->port_v, sizeof *h->port_v, &h->nports, DN_KMV, s->port_h[i],
                    &s->port_v[i]);
    return 0;
}

/* A host's count in bin i of the window ending at `end` (0 if stale). */
static uint16_t count_at(const dn_nmf *m, const host *h, uint64_t i)
{
    return i <= h->last && i + m->cfg.window_bins > h->last ? h->cnt[i % m->cfg.window_bins] : 0;
}

typedef struct cand {
    host *h;
    uint32_t active;    /* bins of the window with packets */
} cand;

/* Whether a ranks before b: more active bins, then the smaller hash. */
static bool before(const cand *a, const cand *b)
{
    if (a->active != b->active)
        return a->active > b->active;
    if (a->h->h != b->h->h)
        return a->h->h < b->h->h;
    return memcmp(&a->h->addr, &b->h->addr, sizeof a->h->addr) < 0;
}

static void swap(cand *a, cand *b)
{
    cand t = *a;
    *a = *b;
    *b = t;
}

/* Keeps the k best candidates in heap v[0..*n) (the worst at the root). */
static void heap_offer(cand *v, size_t *n, size_t k, cand x)
{
    size_t i;
    if (*n == k) {
        if (!before(&x, &v[0]))
            return;
        v[0] = x; /* replace the worst and sift it down */
        for (i = 0;;) {
            size_t l = 2 * i + 1, r = l + 1, w = i;
            if (l < *n && before(&v[w], &v[l]))
                w = l;
            if (r < *n && before(&v[w], &v[r]))
                w = r;
            if (w == i)
                return;
            swap(&v[i], &v[w]);
            i = w;
        }
    }
    v[i = (*n)++] = x; /* append and sift up */
    while (i && before(&v[(i - 1) / 2], &v[i])) {
        swap(&v[i], &v[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

typedef struct pick_ctx {
    const dn_nmf *m;
    uint64_t end;
    cand *v;            /* heap of the best max_hosts */
    size_t n;
    dn_addr *old;       /* hosts out of the window: to drop */
    size_t nold;
} pick_ctx;

static int pick(const void *key, size_t klen, void *value, void *ud)
{
    pick_ctx *c = ud;
    host *h = value;
    uint32_t wb = c->m->cfg.window_bins;
    (void)key;
    (void)klen;
    if (h->last + wb <= c->end) {
        c->old[c->nold++] = h->addr;
        return 0;
    }
    uint32_t span = wb - (uint32_t)(c->end - h->last); /* window bins up to last */
    uint32_t active = (uint32_t)__builtin_popcount(span >= 32 ? h->mask
                                                              : h->mask & ((1u << span) - 1));
    if (active >= 2)
        heap_offer(c->v, &c->n, c->m->cfg.max_hosts, (cand){.h = h, .active = active});
    return 0;
}

static int by_activity(const void *x, const void *y)
{
    return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

/* V (window x p): each host's counts over the window, scaled to max 1. */
static void fill(const dn_nmf *m, const cand *v, size_t p, uint64_t end, double *V)
{
    uint32_t wb = m->cfg.window_bins;
    for (size_t j = 0; j < p; j++) {
        double mx = 0;
        for (uint32_t t = 0; t < wb; t++) {
            double k = count_at(m, v[j].h, end + 1 - wb + t);
            V[t * p + j] = k;
            mx = k > mx ? k : mx;
        }
        for (uint32_t t = 0; t < wb; t++)
            V[t * p + j] /= mx;
    }
}

/* Fits ranks 1..max_rank and keeps the one with the least description
 * length in H (k x p) and *k; Wt and Ht are scratch. H, Wt and Ht hold
 * max_rank rows or columns. */
static hy_err fit(const dn_nmf *m, const double *V, size_t p, double *H, double *Wt, double *Ht,
                  size_t *k)
{
    size_t mr = m->cfg.max_rank, rows = m->cfg.window_bins;
    double best = DBL_MAX;
    hy_nmf_cfg nc;
    hy_nmf_cfg_default(&nc);
    nc.max_iter = NMF_ITERS;
    nc.tol = NMF_TOL;
    mr = mr < rows ? mr : rows;
    mr = mr < p ? mr : p;
    *k = 0;
    for (size_t r = 1; r <= mr; r++) {
        double dl;
        hy_err rc;
        nc.rank = r;
        if ((rc = hy_nmf(V, rows, p, &nc, Wt, Ht, NULL, NULL)) != HY_OK ||
            (rc = hy_nmf_mdl(V, Wt, Ht, rows, r, p, &dl)) != HY_OK)
            return rc;
        if (dl < best) {
            best = dl;
            *k = r;
            memcpy(H, Ht, r * p * sizeof *H);
        }
    }
    return HY_OK;
}

/* The port figures of one window: for each port, the most members of one
 * group on it (and that group's size). */
typedef struct port_fig {
    uint8_t proto;
    uint16_t port;
    uint32_t hosts, group;
} port_fig;

static hy_err group_ports(const cand *v, size_t p, const double *H, size_t k, port_fig **out,
                          size_t *nout)
{
    bool *mem = malloc(p * sizeof *mem);
    uint32_t *pv = malloc((p * DN_KMV + 1) * sizeof *pv);
    port_fig *f = NULL;
    size_t nf = 0;
    hy_err rc = mem && pv ? HY_OK : HY_ERR_NOMEM;

    for (size_t c = 0; c < k && rc == HY_OK; c++) {
        size_t members = 0, m = 0, npc = 0;
        dn_count *pc = NULL;
        if ((rc = hy_nmf_members(H, k, p, c, MEMBER_ABS, MEMBER_REL, mem, &members)) != HY_OK ||
            members < 2)
            continue;
        for (size_t j = 0; j < p; j++)
            for (uint32_t q = 0; mem[j] && q < v[j].h->nports; q++)
                pv[m++] = v[j].h->port_v[q];
        if ((rc = dn_count_ports(pv, m, &pc, &npc)) != HY_OK)
            break;
        for (size_t i = 0; i < npc; i++) {
            if (pc[i].n < 2 || pc[i].n < GROUP_SHARE * (double)members)
                continue;
            size_t x = 0;
            while (x < nf && (f[x].proto != pc[i].proto || f[x].port != pc[i].port))
                x++;
            if (x == nf) {
                port_fig *g = realloc(f, (nf + 1) * sizeof *g);
                if (!g) {
                    rc = HY_ERR_NOMEM;
                    break;
                }
                f = g;
                f[nf++] = (port_fig){.proto = pc[i].proto, .port = pc[i].port};
            }
            if (pc[i].n > f[x].hosts) {
                f[x].hosts = pc[i].n;
                f[x].group = (uint32_t)members;
            }
        }
        free(pc);
    }
    free(mem);
    free(pv);
    if (rc != HY_OK) {
        free(f);
        return rc;
    }
    *out = f;
    *nout = nf;
    return HY_OK;
}

typedef struct win_info {
    size_t rank, hosts;
} win_info;

static const port_fig *fig_of(const port_fig *f, size_t nf, uint8_t proto, uint16_t port)
{
    for (size_t i = 0; i < nf; i++)
        if (f[i].proto == proto && f[i].port == port)
            return &f[i];
    return NULL;
}

/* For each port of the window's hosts (all[], sorted), compares the most
 * members of one group on it with the port's usual number of active hosts,
 * appends the ports that fire and moves the usual figures on. */
static hy_err judge(dn_nmf *m, const dn_count *all, size_t nall, const port_fig *f, size_t nf,
                    win_info wi, dn_finding **found, size_t *nfound)
{
    for (size_t i = 0; i < nall; i++) {
        uint8_t key[3] = {all[i].proto, (uint8_t)(all[i].port >> 8), (uint8_t)all[i].port};
        usual *u = hy_map_get(m->ports, key, 3);
        double was = u ? u->hosts * pow(1 - EWMA_ALPHA, (double)(m->nwin - u->last)) : 0;
        const port_fig *g = fig_of(f, nf, all[i].proto, all[i].port);
        if (g && m->nwin >= m->cfg.min_history && g->hosts >= m->cfg.min_port_hosts &&
            g->hosts >= m->cfg.growth * was) {
            dn_finding *nf2 = realloc(*found, (*nfound + 1) * sizeof *nf2);
            if (!nf2)
                return HY_ERR_NOMEM;
            *found = nf2;
            nf2[(*nfound)++] = (dn_finding){
                .proto = g->proto, .port = g->port, .sources = g->hosts, .baseline = was,
                .nmf = true, .nm = {.rank = (uint32_t)wi.rank, .win_hosts = (uint32_t)wi.hosts,
                                    .group = g->group, .hosts = g->hosts}};
        }
        if (!u) { /* first seen: its figure is the usual one */
            if (!(u = calloc(1, sizeof *u)))
                return HY_ERR_NOMEM;
            if (hy_map_put(m->ports, key, 3, u) != HY_OK) {
                free(u);
                continue; /* no room: the port keeps no usual figure */
            }
            was = m->nwin < m->cfg.min_history ? all[i].n : 0;
        }
        u->hosts = was + EWMA_ALPHA * (all[i].n - was);
        u->last = m->nwin;
    }
    return HY_OK;
}

/* Hosts per port among the window's p hosts. */
static hy_err all_ports(const cand *v, size_t p, dn_count **out, size_t *n)
{
    uint32_t *pv = malloc((p * DN_KMV + 1) * sizeof *pv);
    size_t m = 0;
    hy_err rc;
    if (!pv)
        return HY_ERR_NOMEM;
    for (size_t j = 0; j < p; j++)
        for (uint32_t q = 0; q < v[j].h->nports; q++)
            pv[m++] = v[j].h->port_v[q];
    rc = dn_count_ports(pv, m, out, n);
    free(pv);
    return rc;
}

/* Factorises the window ending at bin `end` and judges its groups. */
static hy_err run_window(dn_nmf *m, const cand *v, size_t p, uint64_t end, dn_finding **found,
                         size_t *nfound)
{
    size_t rows = m->cfg.window_bins, mr = m->cfg.max_rank, k = 0, nf = 0;
    double *V = malloc(rows * p * sizeof *V), *H = malloc(mr * p * sizeof *H);
    double *Wt = malloc(rows * mr * sizeof *Wt);
    double *Ht = malloc(mr * p * sizeof *Ht);
    port_fig *f = NULL;
    dn_count *all = NULL;
    size_t nall = 0;
    hy_err rc = V && H && Wt && Ht ? HY_OK : HY_ERR_NOMEM;

    if (rc == HY_OK) {
        fill(m, v, p, end, V);
        rc = fit(m, V, p, H, Wt, Ht, &k);
    }
    if (rc == HY_OK && k)
        rc = group_ports(v, p, H, k, &f, &nf);
    if (rc == HY_OK && (rc = all_ports(v, p, &all, &nall)) == HY_OK)
        rc = judge(m, all, nall, f, nf, (win_info){.rank = k, .hosts = p}, found, nfound);
    free(all);
    free(f);
    free(V);
    free(H);
    free(Wt);
    free(Ht);
    return rc;
}

/* The window ending at bin `end`: picks its hosts, drops the stale ones,
 * and runs the factorisation when there are at least two. */
static hy_err close_window(dn_nmf *m, uint64_t end, dn_finding **found, size_t *nfound)
{
    size_t n = hy_map_count(m->hosts);
    pick_ctx c = {.m = m, .end = end, .v = malloc((m->cfg.max_hosts + 1) * sizeof *c.v),
                  .old = malloc((n + 1) * sizeof *c.old)};
    hy_err rc = HY_OK;
    if (!c.v || !c.old) {
        free(c.v);
        free(c.old);
        return HY_ERR_NOMEM;
    }
    hy_map_each(m->hosts, pick, &c);
    for (size_t i = 0; i < c.nold; i++)
        hy_map_del(m->hosts, &c.old[i], sizeof c.old[i]);
    if (end + 1 >= m->cfg.window_bins && c.n >= 2) {
        qsort(c.v, c.n, sizeof *c.v, by_activity);
        rc = run_window(m, c.v, c.n, end, found, nfound);
        m->nwin++;
    }
    free(c.v);
    free(c.old);
    return rc;
}

hy_err dn_nmf_bin(dn_nmf *m, const dn_bin *b, dn_finding **found, size_t *nfound)
{
    uint64_t step = b->index / m->cfg.step_bins;
    add_ctx c = {.m = m, .index = b->index};
    hy_err rc;
    /* a bin past the step block: the block's window closed without its
     * last bin (no traffic then) */
    if (m->have_step && step != m->step &&
        (rc = close_window(m, (m->step + 1) * m->cfg.step_bins - 1, found, nfound)) != HY_OK)
        return rc;
    m->step = step;
    m->have_step = true;
    hy_map_each(b->srcs, add_src, &c);
    if (c.rc != HY_OK)
        return c.rc;
    if ((b->index + 1) % m->cfg.step_bins == 0) {
        m->have_step = false;
        return close_window(m, b->index, found, nfound);
    }
    return HY_OK;
}
