/* Per-bin aggregates of darknet traffic: per (class, protocol, port) and per
 * source. Adding and merging use only sums, minima and maxima, set unions
 * (hy_uset) and bottom-k selections by hash, so a bin merged from any split
 * of its packets is the same bin. */
#include "darknet_int.h"

#include <stdlib.h>
#include <string.h>

#define ADDR_SEED 0x6461726b6e657431ull /* "darknet1" */
#define PORT_SEED 0x706f72747365656full

static void port_free(void *v)
{
    dn_port_agg *a = v;
    hy_uset_free(&a->srcs);
    hy_uset_free(&a->dsts);
    free(a);
}

hy_err dn_bin_create(uint64_t index, const dn_limits *lim, dn_bin **out)
{
    dn_bin *b = calloc(1, sizeof *b);
    hy_err rc;
    if (!b)
        return HY_ERR_NOMEM;
    b->index = index;
    if ((rc = hy_map_create(lim->max_ports, port_free, &b->ports)) != HY_OK ||
        (rc = hy_map_create(lim->max_sources, free, &b->srcs)) != HY_OK) {
        dn_bin_destroy(b);
        return rc;
    }
    *out = b;
    return HY_OK;
}

void dn_bin_destroy(dn_bin *b)
{
    if (!b)
        return;
    hy_map_destroy(b->ports);
    hy_map_destroy(b->srcs);
    free(b);
}

static uint64_t addr_hash(const dn_addr *a)
{
    return hy_hash64(a, sizeof *a, ADDR_SEED);
}

void dn_bottom_k(uint64_t *hs, void *items, size_t isz, uint32_t *n, uint32_t k, uint64_t h,
                     const void *item)
{
    uint32_t i = 0;
    while (i < *n && hs[i] < h)
        i++;
    if ((i < *n && hs[i] == h) || i >= k)
        return;
    uint32_t last = *n < k ? *n : k - 1; /* entries that stay, from i on */
    memmove(&hs[i + 1], &hs[i], (last - i) * sizeof *hs);
    memmove((char *)items + (i + 1) * isz, (char *)items + i * isz, (last - i) * isz);
    hs[i] = h;
    memcpy((char *)items + i * isz, item, isz);
    if (*n < k)
        (*n)++;
}

static void port_key(const hy_pkt *p, dn_class cls, uint8_t key[4])
{
    uint16_t port = p->dport;
    if (p->proto == 1 || p->proto == 58)
        port = p->icmp_type;
    else if (cls == DN_BACKSCATTER)
        port = p->sport; /* the attacked service answers from its port */
    key[0] = (uint8_t)cls;
    key[1] = p->proto;
    key[2] = (uint8_t)(port >> 8);
    key[3] = (uint8_t)port;
}

static hy_err get_port(dn_bin *b, const dn_limits *lim, const uint8_t key[4], dn_port_agg **out)
{
    dn_port_agg *a = hy_map_get(b->ports, key, 4);
    hy_err rc;
    if (!a) {
        if (!(a = calloc(1, sizeof *a)))
            return HY_ERR_NOMEM;
        a->cls = key[0];
        a->proto = key[1];
        a->port = (uint16_t)(key[2] << 8 | key[3]);
        hy_uset_init(&a->srcs, lim->exact_cap);
        hy_uset_init(&a->dsts, lim->exact_cap);
        if ((rc = hy_map_put(b->ports, key, 4, a)) != HY_OK) {
            port_free(a);
            return rc;
        }
    }
    *out = a;
    return HY_OK;
}

static hy_err get_src(dn_bin *b, const dn_addr *addr, dn_src_agg **out)
{
    dn_src_agg *s = hy_map_get(b->srcs, addr, sizeof *addr);
    hy_err rc;
    if (!s) {
        if (!(s = calloc(1, sizeof *s)))
            return HY_ERR_NOMEM;
        s->addr = *addr;
        s->first_ns = UINT64_MAX;
        s->dst_min = UINT64_MAX;
        if ((rc = hy_map_put(b->srcs, addr, sizeof *addr, s)) != HY_OK) {
            free(s);
            return rc;
        }
    }
    *out = s;
    return HY_OK;
}

hy_err dn_bin_add(dn_bin *b, const dn_limits *lim, const hy_pkt *p, dn_class cls, uint8_t fp)
{
    uint8_t key[4];
    dn_addr src = {.ipv = p->ip_version}, dst = {.ipv = p->ip_version};
    dn_port_agg *a;
    dn_src_agg *s;
    hy_err rc;

    memcpy(src.a, p->src, 16);
    memcpy(dst.a, p->dst, 16);
    uint64_t sh = addr_hash(&src), dh = addr_hash(&dst);
    b->packets[cls]++;
    port_key(p, cls, key);
    if ((rc = get_port(b, lim, key, &a)) == HY_OK) {
        a->packets++;
        for (size_t i = 0; i < dn_nfps; i++)
            a->fp_packets[i] += (fp >> i) & 1;
        if ((rc = hy_uset_add(&a->srcs, sh)) != HY_OK ||
            (rc = hy_uset_add(&a->dsts, dh)) != HY_OK)
            return rc;
        dn_bottom_k(a->sample_h, a->sample, sizeof *a->sample, &a->nsample, DN_SAMPLE, sh, &src);
    } else if (rc != HY_ERR_TOOBIG) {
        return rc;
    }
    if ((rc = get_src(b, &src, &s)) == HY_ERR_TOOBIG) {
        b->srcs_dropped++;
        return HY_OK;
    }
    if (rc != HY_OK)
        return rc;
    s->packets++;
    s->scan_packets += cls == DN_SCAN;
    if (cls == DN_SCAN && lim->bin_ns) {
        uint64_t k = p->ts_ns % lim->bin_ns * DN_SUB / lim->bin_ns;
        if (s->sub[k] < UINT16_MAX)
            s->sub[k]++;
    }
    s->first_ns = p->ts_ns < s->first_ns ? p->ts_ns : s->first_ns;
    s->last_ns = p->ts_ns > s->last_ns ? p->ts_ns : s->last_ns;
    s->fp_bits |= fp;
    if (cls != DN_SCAN)
        return HY_OK; /* a source's ports and targets are those it scans */
    s->dst_min = dh < s->dst_min ? dh : s->dst_min;
    s->dst_max = dh > s->dst_max ? dh : s->dst_max;
    uint32_t pv = (uint32_t)key[1] << 16 | (uint32_t)(key[2] << 8 | key[3]);
    dn_bottom_k(s->port_h, s->port_v, sizeof *s->port_v, &s->nports, DN_KMV,
             hy_hash64(&pv, sizeof pv, PORT_SEED), &pv);
    return HY_OK;
}

typedef struct merge_ctx {
    dn_bin *dst;
    const dn_limits *lim;
    hy_err rc;
} merge_ctx;

static int merge_port(const void *key, size_t klen, void *value, void *ud)
{
    merge_ctx *m = ud;
    const dn_port_agg *s = value;
    dn_port_agg *d;
    (void)klen;
    if ((m->rc = get_port(m->dst, m->lim, key, &d)) != HY_OK) {
        if (m->rc != HY_ERR_TOOBIG)
            return 1;
        m->rc = HY_OK; /* over the port cap: this port is not kept */
        return 0;
    }
    d->packets += s->packets;
    for (size_t i = 0; i < DN_MAX_FP; i++)
        d->fp_packets[i] += s->fp_packets[i];
    if ((m->rc = hy_uset_merge(&d->srcs, &s->srcs)) != HY_OK ||
        (m->rc = hy_uset_merge(&d->dsts, &s->dsts)) != HY_OK)
        return 1;
    for (uint32_t i = 0; i < s->nsample; i++)
        dn_bottom_k(d->sample_h, d->sample, sizeof *d->sample, &d->nsample, DN_SAMPLE,
                 s->sample_h[i], &s->sample[i]);
    return 0;
}

static int merge_src(const void *key, size_t klen, void *value, void *ud)
{
    merge_ctx *m = ud;
    const dn_src_agg *s = value;
    dn_src_agg *d;
    (void)klen;
    (void)key;
    if ((m->rc = get_src(m->dst, &s->addr, &d)) != HY_OK) {
        if (m->rc != HY_ERR_TOOBIG)
            return 1;
        m->dst->srcs_dropped += s->packets;
        m->rc = HY_OK;
        return 0;
    }
    d->packets += s->packets;
    d->scan_packets += s->scan_packets;
    for (int k = 0; k < DN_SUB; k++)
        d->sub[k] = (uint16_t)(d->sub[k] + s->sub[k] > UINT16_MAX ? UINT16_MAX
                                                                    : d->sub[k] + s->sub[k]);
    d->first_ns = s->first_ns < d->first_ns ? s->first_ns : d->first_ns;
    d->last_ns = s->last_ns > d->last_ns ? s->last_ns : d->last_ns;
    d->fp_bits |= s->fp_bits;
    d->dst_min = s->dst_min < d->dst_min ? s->dst_min : d->dst_min;
    d->dst_max = s->dst_max > d->dst_max ? s->dst_max : d->dst_max;
    for (uint32_t i = 0; i < s->nports; i++)
        dn_bottom_k(d->port_h, d->port_v, sizeof *d->port_v, &d->nports, DN_KMV, s->port_h[i],
                 &s->port_v[i]);
    return 0;
}

hy_err dn_bin_merge(dn_bin *dst, const dn_bin *src, const dn_limits *lim)
{
    merge_ctx m = {.dst = dst, .lim = lim, .rc = HY_OK};
    for (int c = 0; c < DN__CLASSES; c++)
        dst->packets[c] += src->packets[c];
    dst->srcs_dropped += src->srcs_dropped;
    hy_map_each(src->ports, merge_port, &m);
    if (m.rc == HY_OK)
        hy_map_each(src->srcs, merge_src, &m);
    return m.rc;
}

typedef struct collect_ctx {
    void **v;
    size_t n;
} collect_ctx;

static int collect(const void *key, size_t klen, void *value, void *ud)
{
    collect_ctx *c = ud;
    (void)key;
    (void)klen;
    c->v[c->n++] = value;
    return 0;
}

static int port_cmp(const void *x, const void *y)
{
    const dn_port_agg *a = *(dn_port_agg *const *)x, *b = *(dn_port_agg *const *)y;
    uint32_t ka = (uint32_t)a->cls << 24 | (uint32_t)a->proto << 16 | a->port;
    uint32_t kb = (uint32_t)b->cls << 24 | (uint32_t)b->proto << 16 | b->port;
    return (ka > kb) - (ka < kb);
}

static hy_err sorted(hy_map *m, int (*cmp)(const void *, const void *), void ***out, size_t *n)
{
    collect_ctx c = {.v = malloc((hy_map_count(m) + 1) * sizeof(void *))};
    if (!c.v)
        return HY_ERR_NOMEM;
    hy_map_each(m, collect, &c);
    qsort(c.v, c.n, sizeof *c.v, cmp);
    *out = c.v;
    *n = c.n;
    return HY_OK;
}

hy_err dn_bin_ports(const dn_bin *b, dn_port_agg ***out, size_t *n)
{
    return sorted(b->ports, port_cmp, (void ***)out, n);
}

uint64_t dn_src_ports(const dn_src_agg *s)
{
    if (s->nports < DN_KMV)
        return s->nports;
    /* k-minimum-values estimate: (k - 1) / (k-th smallest hash / 2^64) */
    double hk = (double)s->port_h[DN_KMV - 1] / 18446744073709551616.0;
    return hk > 0 ? (uint64_t)((DN_KMV - 1) / hk + 0.5) : DN_KMV;
}

static int by_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

hy_err dn_count_ports(uint32_t *pv, size_t n, dn_count **out, size_t *nout)
{
    dn_count *v;
    *out = NULL;
    *nout = 0;
    if (!n)
        return HY_OK;
    qsort(pv, n, sizeof *pv, by_u32);
    if (!(v = malloc(n * sizeof *v)))
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (*nout && ((uint32_t)v[*nout - 1].proto << 16 | v[*nout - 1].port) == pv[i]) {
            v[*nout - 1].n++;
            continue;
        }
        v[(*nout)++] = (dn_count){.proto = (uint8_t)(pv[i] >> 16), .port = (uint16_t)pv[i], .n = 1};
    }
    *out = v;
    return HY_OK;
}
