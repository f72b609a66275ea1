/* The graphical-lasso detector (Han et al., TrustCom 2019; IEICE Trans.
 * 2020): hosts infected by the same malware scan in step, so the precision
 * matrix of their packet counts over time grows dense.
 *
 * Each window (window_bins one-minute bins) builds the matrix of 50-second
 * sub-windows x active source hosts (scan packets; hosts with at least two;
 * at most max_hosts, those with the smallest seeded address hash), takes
 * logs (zero -> 0.1), the sample covariance, and the graphical lasso for rho
 * from rho_min to rho_max. The density of the precision matrix's non-zero
 * off-diagonal entries is the signal. For each rho, the iterative
 * variance-ratio rule over the last `history` windows' densities (plus this
 * one) says whether this window is an outlier; the window alerts when it is
 * for at least half of the rho values. Ports are then attributed by their
 * share of the window's hosts: level 1 with >= min_port_share and >=
 * min_port_hosts hosts, level 2 with the share but fewer hosts; a port is
 * reported when its share is also `growth` times its usual share (a moving
 * average over windows), so the busy ports of the background radiation,
 * which always hold a large share, do not fire when the outlier is
 * elsewhere. */
#include "darknet_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/glasso.h"

#define SUB_PER_ROW 5      /* 10-second sub-bins per 50-second row */
#define EWMA_ALPHA  (1.0 / 36)

typedef struct win_src {
    dn_addr addr;
    uint64_t h;
    uint64_t packets;
    uint64_t dst_min, dst_max; /* equal: one darknet target (level 4) */
    uint32_t nports;
    uint64_t port_h[DN_KMV];
    uint32_t port_v[DN_KMV];
    uint16_t cnt[]; /* window_bins * DN_SUB */
} win_src;

typedef struct port_share {
    double usual;   /* moving average of the share */
    uint64_t last;  /* window it was last updated */
} port_share;

struct dn_glasso {
    dn_glasso_cfg cfg;
    size_t nrho;
    uint64_t win;          /* current window index */
    bool have_win;
    hy_map *srcs;          /* dn_addr -> win_src */
    double *dens;          /* nrho x history ring */
    uint64_t ndens;        /* windows recorded */
    hy_map *ports;         /* (proto, port) -> port_share */
};

hy_err dn_glasso_create(const dn_glasso_cfg *cfg, dn_glasso **out)
{
    dn_glasso *g = calloc(1, sizeof *g);
    hy_err rc = HY_ERR_NOMEM;
    if (!g)
        return HY_ERR_NOMEM;
    g->cfg = *cfg;
    g->nrho = (size_t)floor((cfg->rho_max - cfg->rho_min) / cfg->rho_step + 1e-9) + 1;
    if (cfg->window_bins * DN_SUB % SUB_PER_ROW || cfg->history < 4 || g->nrho > 64) {
        free(g);
        return hy_err_set(HY_ERR_CONFIG, "darknet: bad graphical-lasso window or rho range");
    }
    if (!(g->dens = calloc(g->nrho * cfg->history, sizeof *g->dens)) ||
        (rc = hy_map_create(cfg->max_sources, free, &g->srcs)) != HY_OK ||
        (rc = hy_map_create(65536, free, &g->ports)) != HY_OK) {
        dn_glasso_destroy(g);
        return rc;
    }
    *out = g;
    return HY_OK;
}

void dn_glasso_destroy(dn_glasso *g)
{
    if (!g)
        return;
    hy_map_destroy(g->srcs);
    hy_map_destroy(g->ports);
    free(g->dens);
    free(g);
}

typedef struct add_ctx {
    dn_glasso *g;
    uint32_t slot; /* the bin's place in the window */
    hy_err rc;
} add_ctx;

static int add_src(const void *key, size_t klen, void *value, void *ud)
{
    add_ctx *c = ud;
    const dn_src_agg *s = value;
    size_t ncnt = (size_t)c->g->cfg.window_bins * DN_SUB;
    win_src *w;
    if (!s->scan_packets)
        return 0;
    if (!(w = hy_map_get(c->g->srcs, key, klen))) {
        if (!(w = calloc(1, sizeof *w + ncnt * sizeof(uint16_t)))) {
            c->rc = HY_ERR_NOMEM;
            return 1;
        }
        w->addr = s->addr;
        w->h = hy_hash64(&s->addr, sizeof s->addr, c->g->cfg.seed);
        w->dst_min = UINT64_MAX;
        if ((c->rc = hy_map_put(c->g->srcs, key, klen, w)) != HY_OK) {
            free(w);
            if (c->rc != HY_ERR_TOOBIG)
                return 1;
            c->rc = HY_OK; /* window full: the host is not sampled */
            return 0;
        }
    }
    w->packets += s->scan_packets;
    w->dst_min = s->dst_min < w->dst_min ? s->dst_min : w->dst_min;
    w->dst_max = s->dst_max > w->dst_max ? s->dst_max : w->dst_max;
    for (int k = 0; k < DN_SUB; k++) {
        uint32_t v = w->cnt[c->slot * DN_SUB + k] + s->sub[k];
        w->cnt[c->slot * DN_SUB + k] = (uint16_t)(v > UINT16_MAX ? UINT16_MAX : v);
    }
    for (uint32_t i = 0; i < s->nports; i++)
        dn_bottom_k(w->port_h, w->port_v, sizeof *w->port_v, &w->nports, DN_KMV, s->port_h[i],
                    &s->port_v[i]);
    return 0;
}

typedef struct pick_ctx {
    win_src **v;
    size_t n;
} pick_ctx;

static int pick(const void *key, size_t klen, void *value, void *ud)
{
    pick_ctx *c = ud;
    win_src *w = value;
    (void)key;
    (void)klen;
    if (w->packets >= 2)
        c->v[c->n++] = w;
    return 0;
}

static int by_hash(const void *x, const void *y)
{
    const win_src *a = *(win_src *const *)x, *b = *(win_src *const *)y;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    return memcmp(&a->addr, &b->addr, sizeof a->addr);
}

/* Densities of the window over the rho values (dens[nrho]); p hosts. */
static hy_err densities(dn_glasso *g, win_src **v, size_t p, double *dens)
{
    size_t rows = (size_t)g->cfg.window_bins * DN_SUB / SUB_PER_ROW;
    double *X = malloc(rows * p * sizeof *X), *S = malloc(p * p * sizeof *S);
    double *T = malloc(p * p * sizeof *T), *W = malloc(p * p * sizeof *W);
    hy_err rc = HY_ERR_NOMEM;
    if (!X || !S || !T || !W)
        goto out;
    size_t q = 0; /* hosts kept: a host with the same count in every row has
                   * zero variance and an unbounded precision: left out */
    for (size_t j = 0; j < p; j++) {
        bool flat = true;
        for (size_t r = 0; r < rows; r++) {
            uint32_t c = 0;
            for (int k = 0; k < SUB_PER_ROW; k++)
                c += v[j]->cnt[r * SUB_PER_ROW + (size_t)k];
            X[r * p + q] = log(c ? (double)c : 0.1);
            flat &= r == 0 || X[r * p + q] == X[q];
        }
        q += !flat;
    }
    if (q < 2) {
        memset(dens, 0, g->nrho * sizeof *dens);
        rc = HY_OK;
        goto out;
    }
    for (size_t r = 1; r < rows; r++) /* close the gaps the flat hosts left */
        memmove(&X[r * q], &X[r * p], q * sizeof *X);
    p = q;
    if ((rc = hy_cov(X, rows, p, S)) != HY_OK)
        goto out;
    for (size_t i = 0; i < g->nrho; i++) {
        double rho = g->cfg.rho_min + (double)i * g->cfg.rho_step;
        rc = i ? hy_glasso_warm(S, p, rho, NULL, T, W, NULL) : hy_glasso(S, p, rho, NULL, T, W, NULL);
        if (rc != HY_OK && rc != HY_ERR_TOOBIG) /* not converged: the last iterate */
            goto out;
        dens[i] = hy_glasso_density(T, p, 1e-8);
    }
    rc = HY_OK;
out:
    free(X);
    free(S);
    free(T);
    free(W);
    return rc;
}

/* Whether this window's densities are outliers for at least half the rhos;
 * records them in the history either way. */
static hy_err judge(dn_glasso *g, const double *dens, bool *alert)
{
    uint32_t hist = g->cfg.history, have = g->ndens < hist ? (uint32_t)g->ndens : hist;
    double x[hist + 1];
    bool out[hist + 1];
    size_t votes = 0, nout;
    hy_err rc;

    *alert = false;
    for (size_t i = 0; i < g->nrho && g->ndens >= g->cfg.min_history; i++) {
        for (uint32_t k = 0; k < have; k++)
            x[k] = g->dens[i * hist + (g->ndens - have + k) % hist];
        x[have] = dens[i];
        if ((rc = hy_varratio_outliers(x, have + 1, HY_VARRATIO_DEFAULT, out, &nout)) != HY_OK)
            return rc;
        votes += out[have] && dens[i] > 0;
    }
    *alert = votes * 2 >= g->nrho && votes > 0;
    for (size_t i = 0; i < g->nrho; i++)
        g->dens[i * hist + g->ndens % hist] = dens[i];
    g->ndens++;
    return HY_OK;
}

/* Hosts per port among the window's sampled hosts, sorted by port. */
static hy_err port_counts(win_src **v, size_t p, dn_count **out, size_t *n)
{
    size_t m = 0;
    uint32_t *pv = malloc((p * DN_KMV + 1) * sizeof *pv);
    hy_err rc;
    if (!pv)
        return HY_ERR_NOMEM;
    for (size_t j = 0; j < p; j++)
        for (uint32_t k = 0; k < v[j]->nports; k++)
            pv[m++] = v[j]->port_v[k];
    rc = dn_count_ports(pv, m, out, n);
    free(pv);
    return rc;
}

static bool scans(const win_src *w, uint32_t pv)
{
    for (uint32_t k = 0; k < w->nports; k++)
        if (w->port_v[k] == pv)
            return true;
    return false;
}

static int by_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Level 4: more than 70 % of the port's hosts, and of their packets, aimed
 * at one darknet address (hosts that hit only that address). */
static bool one_target(win_src **v, size_t p, uint32_t pv)
{
    uint64_t *t = malloc((p + 1) * sizeof *t), best = 0, pk_all = 0, pk_best = 0;
    size_t m = 0, hosts = 0, run = 0, most = 0;
    if (!t)
        return false;
    for (size_t j = 0; j < p; j++) {
        if (!scans(v[j], pv))
            continue;
        hosts++;
        pk_all += v[j]->packets;
        if (v[j]->dst_min == v[j]->dst_max)
            t[m++] = v[j]->dst_min;
    }
    qsort(t, m, sizeof *t, by_u64);
    for (size_t i = 0; i < m; i++) {
        run = i && t[i] == t[i - 1] ? run + 1 : 1;
        if (run > most) {
            most = run;
            best = t[i];
        }
    }
    free(t);
    for (size_t j = 0; most && j < p; j++)
        if (v[j]->dst_min == best && v[j]->dst_max == best && scans(v[j], pv))
            pk_best += v[j]->packets;
    return most * 10 > hosts * 7 && pk_best * 10 > pk_all * 7;
}

/* Attributes an alerting window to ports (and moves every port's usual
 * share on); appends findings. */
static hy_err attribute(dn_glasso *g, win_src **v, size_t p, const double *dens, bool alert,
                        dn_finding **found, size_t *nfound)
{
    size_t n;
    dn_count *pc;
    double mean = 0;
    hy_err rc = port_counts(v, p, &pc, &n);
    if (rc != HY_OK)
        return rc;
    for (size_t i = 0; i < g->nrho; i++)
        mean += dens[i] / (double)g->nrho;
    for (size_t i = 0; i < n; i++) {
        uint8_t key[3] = {pc[i].proto, (uint8_t)(pc[i].port >> 8), (uint8_t)pc[i].port};
        double share = (double)pc[i].n / (double)p;
        port_share *ps = hy_map_get(g->ports, key, 3);
        double usual = ps ? ps->usual * pow(1 - EWMA_ALPHA, (double)(g->win - ps->last)) : 0;
        uint8_t level = share >= g->cfg.min_port_share
                            ? (pc[i].n >= g->cfg.min_port_hosts ? 1 : 2)
                            : 3;
        if (alert && level <= 2 && share >= g->cfg.growth * usual) {
            if (one_target(v, p, (uint32_t)pc[i].proto << 16 | pc[i].port))
                level = 4;
            dn_finding *nf = realloc(*found, (*nfound + 1) * sizeof *nf);
            if (!nf) {
                free(pc);
                return HY_ERR_NOMEM;
            }
            *found = nf;
            nf[(*nfound)++] = (dn_finding){.proto = key[0], .port = pc[i].port,
                                           .sources = pc[i].n, .baseline = usual * (double)p,
                                           .glasso = true,
                                           .gl = {.level = level, .win_hosts = (uint32_t)p,
                                                  .port_hosts = pc[i].n, .density = mean}};
        }
        if (share < 0.01)
            continue;
        if (!ps) {
            if (!(ps = calloc(1, sizeof *ps)))
                continue;
            if (hy_map_put(g->ports, key, 3, ps) != HY_OK) {
                free(ps);
                continue;
            }
        }
        ps->usual = usual + EWMA_ALPHA * (share - usual);
        ps->last = g->win;
    }
    free(pc);
    return HY_OK;
}

/* Runs the detector over the finished window and starts the next. */
static hy_err close_window(dn_glasso *g, dn_finding **found, size_t *nfound)
{
    size_t n = hy_map_count(g->srcs), p;
    pick_ctx c = {.v = malloc((n + 1) * sizeof(win_src *))};
    double dens[64] = {0};
    bool alert = false;
    hy_err rc = HY_OK;

    if (!c.v)
        return HY_ERR_NOMEM;
    hy_map_each(g->srcs, pick, &c);
    qsort(c.v, c.n, sizeof *c.v, by_hash);
    p = c.n < g->cfg.max_hosts ? c.n : g->cfg.max_hosts;
    if (p >= 3 && (rc = densities(g, c.v, p, dens)) == HY_OK &&
        (rc = judge(g, dens, &alert)) == HY_OK)
        rc = attribute(g, c.v, p, dens, alert, found, nfound);
    free(c.v);
    hy_map_destroy(g->srcs);
    g->srcs = NULL;
    hy_err e = hy_map_create(g->cfg.max_sources, free, &g->srcs);
    return rc != HY_OK ? rc : e;
}

hy_err dn_glasso_bin(dn_glasso *g, const dn_bin *b, dn_finding **found, size_t *nfound)
{
    uint64_t w = b->index / g->cfg.window_bins;
    add_ctx c = {.g = g, .slot = (uint32_t)(b->index % g->cfg.window_bins)};
    hy_err rc;
    if (g->have_win && w != g->win && (rc = close_window(g, found, nfound)) != HY_OK)
        return rc;
    g->win = w;
    g->have_win = true;
    hy_map_each(b->srcs, add_src, &c);
    if (c.rc != HY_OK)
        return c.rc;
    if (c.slot == g->cfg.window_bins - 1) {
        g->have_win = false;
        return close_window(g, found, nfound);
    }
    return HY_OK;
}
