/* Bidirectional flow table.
 *
 * Flow nodes live in slabs of CHUNK nodes, carved as needed and never beyond
 * max_flows; freed nodes go to a free list, so a packet never allocates. A
 * node is found through a chained hash of its canonical key (the smaller
 * (address, port) endpoint first) and sits on up to three intrusive lists:
 *   LRU    by last packet (moved to the tail on every packet): idle expiry
 *          and eviction at the cap take from the head;
 *   AGE    by creation: active-timeout expiry takes from the head;
 *   CLOSED by the time TCP reached CLOSED: the closed linger.
 * Each expired flow is therefore found in O(1). Later IP fragments take the
 * ports of their first fragment from a small fixed table. */
#include "hayate/flow.h"

#include <stdlib.h>
#include <string.h>

#include "net/community_id.h"

#define NIL           UINT32_MAX
#define CHUNK_SHIFT   10
#define CHUNK         (1u << CHUNK_SHIFT)
#define MIN_BUCKETS   1024u
#define MAX_FLOWS_CAP (1u << 30)
#define NS_PER_S      1000000000ull

/* First-fragment memory: fixed slots, probed in a short window; entries age
 * out after FRAG_TTL_NS (the usual reassembly timeout). */
#define FRAG_SLOTS  4096u
#define FRAG_PROBE  8u
#define FRAG_TTL_NS (30ull * NS_PER_S)

enum { L_LRU, L_AGE, L_CLOSED, L__N };

/* Canonical key as five words: the smaller (address, port) endpoint's
 * address, the other address, then ports, outer VLAN, IP version and protocol
 * packed in one word, so building, hashing and comparing stay in registers. */
typedef struct fkey {
    uint64_t w[5];
} fkey;

typedef struct link {
    uint32_t prev, next;
} link;

typedef struct node {
    fkey key; /* key, hash and chain share the first cache line */
    uint32_t hash;
    uint32_t hnext;    /* hash chain; the free list when unused */
    uint8_t swapped;   /* the client (first sender) is the key's second endpoint */
    uint8_t on_closed; /* on the CLOSED list */
    hy_flow f;
} __attribute__((aligned(64))) node;

typedef struct frag_ent {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint16_t sport, dport;
    uint8_t ipv, proto, used;
    uint64_t ts;
} frag_ent;

typedef struct sort_ent {
    uint64_t seq;
    uint32_t idx;
} sort_ent;

struct hy_flow_table {
    hy_flow_cfg cfg;
    hy_flow_out_fn out;
    void *ud;
    node **chunks;
    link **links; /* per chunk: L__N arrays of CHUNK links, apart from the
                   * nodes so list updates touch few cache lines */
    uint32_t nchunks, nalloc, free_head;
    uint32_t *buckets;
    uint32_t nbuckets, max_buckets; /* powers of two */
    struct {
        uint32_t head, tail;
    } lists[L__N];
    hy_flow_stats st;
    frag_ent *frags; /* FRAG_SLOTS, allocated at the first fragment */
    sort_ent *scratch;
    size_t scratch_n, scratch_cap;
    EVP_MD_CTX *md_ctx;
    EVP_MD *md;
};

static inline node *N(const hy_flow_table *t, uint32_t i)
{
    return &t->chunks[i >> CHUNK_SHIFT][i & (CHUNK - 1)];
}

static inline link *L(const hy_flow_table *t, int w, uint32_t i)
{
    return &t->links[i >> CHUNK_SHIFT][(uint32_t)w * CHUNK + (i & (CHUNK - 1))];
}

/* ---- intrusive lists ---- */

static void list_push(hy_flow_table *t, int w, uint32_t i)
{
    link *l = L(t, w, i);
    l->prev = t->lists[w].tail;
    l->next = NIL;
    if (t->lists[w].tail != NIL)
        L(t, w, t->lists[w].tail)->next = i;
    else
        t->lists[w].head = i;
    t->lists[w].tail = i;
}

static void list_del(hy_flow_table *t, int w, uint32_t i)
{
    link *l = L(t, w, i);
    if (l->prev != NIL)
        L(t, w, l->prev)->next = l->next;
    else
        t->lists[w].head = l->next;
    if (l->next != NIL)
        L(t, w, l->next)->prev = l->prev;
    else
        t->lists[w].tail = l->prev;
}

/* Moves i, on list w but not its tail, to the tail: list_del then
 * list_push, with i's links looked up once (every packet does this). */
static void list_to_tail(hy_flow_table *t, int w, uint32_t i)
{
    link *l = L(t, w, i);
    uint32_t tail = t->lists[w].tail;
    if (l->prev != NIL)
        L(t, w, l->prev)->next = l->next;
    else
        t->lists[w].head = l->next;
    L(t, w, l->next)->prev = l->prev; /* not the tail: a next exists */
    L(t, w, tail)->next = i;
    l->prev = tail;
    l->next = NIL;
    t->lists[w].tail = i;
}

/* ---- hashing ---- */

static inline uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t fmix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* Five multiply-rotate rounds over the 40-byte key, then a full avalanche.
 * The key is canonical, so the hash is the same for both directions. */
static uint32_t key_hash(const fkey *k)
{
    /* Independent multiplies (no serial chain), then a full avalanche. */
    uint64_t h = (k->w[0] ^ 0x243f6a8885a308d3ull) * 0x87c37b91114253d5ull +
                 (k->w[1] ^ 0x13198a2e03707344ull) * 0x4cf5ad432745937full +
                 (k->w[2] ^ 0xa4093822299f31d0ull) * 0x9e3779b97f4a7c15ull +
                 (k->w[3] ^ 0x082efa98ec4e6c89ull) * 0xc2b2ae3d27d4eb4full +
                 (k->w[4] ^ 0x452821e638d01377ull) * 0x165667b19e3779f9ull;
    return (uint32_t)fmix64(h ^ (h >> 29));
}

static inline bool key_eq(const fkey *x, const fkey *y)
{
    return ((x->w[0] ^ y->w[0]) | (x->w[1] ^ y->w[1]) | (x->w[2] ^ y->w[2]) | (x->w[3] ^ y->w[3]) |
            (x->w[4] ^ y->w[4])) == 0;
}

/* The flow of key k (hash h) and its node in *np, or NIL. */
static uint32_t lookup(const hy_flow_table *t, const fkey *k, uint32_t h, node **np)
{
    for (uint32_t i = t->buckets[h & (t->nbuckets - 1)]; i != NIL;) {
        node *n = N(t, i);
        if (n->hash == h && key_eq(&n->key, k)) {
            *np = n;
            return i;
        }
        i = n->hnext;
    }
    return NIL;
}

static void hash_insert(hy_flow_table *t, uint32_t i)
{
    node *n = N(t, i);
    uint32_t b = n->hash & (t->nbuckets - 1);
    n->hnext = t->buckets[b];
    t->buckets[b] = i;
}

static void hash_remove(hy_flow_table *t, uint32_t i)
{
    uint32_t *pp = &t->buckets[N(t, i)->hash & (t->nbuckets - 1)];
    while (*pp != i)
        pp = &N(t, *pp)->hnext;
    *pp = N(t, i)->hnext;
}

/* Doubles the bucket array while the load exceeds 1; on NOMEM the chains just
 * grow longer. */
static void maybe_grow(hy_flow_table *t)
{
    uint32_t nb = t->nbuckets * 2, *nbk;

    if (t->st.active < t->nbuckets || t->nbuckets >= t->max_buckets)
        return;
    nbk = malloc((size_t)nb * sizeof *nbk);
    if (!nbk)
        return;
    memset(nbk, 0xff, (size_t)nb * sizeof *nbk);
    free(t->buckets);
    t->buckets = nbk;
    t->nbuckets = nb;
    for (uint32_t i = t->lists[L_AGE].head; i != NIL; i = L(t, L_AGE, i)->next)
        hash_insert(t, i);
}

/* ---- node pool ---- */

static uint32_t node_alloc(hy_flow_table *t)
{
    uint32_t i = t->free_head, c;

    if (i != NIL) {
        t->free_head = N(t, i)->hnext;
        return i;
    }
    if (t->nalloc >= t->cfg.max_flows)
        return NIL;
    c = t->nalloc >> CHUNK_SHIFT;
    if (!t->chunks[c]) {
        size_t cnt = t->cfg.max_flows - (size_t)c * CHUNK;
        if (cnt > CHUNK)
            cnt = CHUNK;
        if (!t->links[c] && !(t->links[c] = malloc(L__N * CHUNK * sizeof(link))))
            return NIL;
        t->chunks[c] = aligned_alloc(_Alignof(node), cnt * sizeof(node));
        if (!t->chunks[c])
            return NIL;
    }
    return t->nalloc++;
}

static void node_free(hy_flow_table *t, uint32_t i)
{
    N(t, i)->hnext = t->free_head;
    t->free_head = i;
}

/* Takes the flow out of the hash and every list; the node stays allocated. */
static void detach(hy_flow_table *t, uint32_t i)
{
    node *n = N(t, i);
    hash_remove(t, i);
    list_del(t, L_LRU, i);
    list_del(t, L_AGE, i);
    if (n->on_closed)
        list_del(t, L_CLOSED, i);
    n->on_closed = 0;
    t->st.active--;
}

/* Fills the Community ID and hands a detached flow to the callback. */
static void emit(hy_flow_table *t, uint32_t i, hy_flow_end why)
{
    hy_flow *f = &N(t, i)->f;
    f->end = why;
    hy__community_id_ctx(t->md_ctx, t->md, t->cfg.community_seed, f->ip_version, f->proto, f->src,
                         f->dst, f->sport, f->dport, f->community_id);
    t->st.exported++;
    t->out(t->ud, f);
}

static void export_now(hy_flow_table *t, uint32_t i, hy_flow_end why)
{
    detach(t, i);
    emit(t, i, why);
    node_free(t, i);
}

/* ---- timeouts ---- */

static inline bool elapsed(uint64_t now, uint64_t then, uint64_t dur)
{
    return now >= then && now - then >= dur;
}

/* Whether f has ended as of now, and why (closed linger, then active, then
 * idle). A zero idle or active timeout disables it. */
static bool ended(const hy_flow_table *t, const hy_flow *f, uint64_t now, hy_flow_end *why)
{
    if (f->tcp_state == HY_TCP_CLOSED && elapsed(now, f->closed_ns, t->cfg.tcp_closed_ns))
        *why = HY_FLOW_END_TCP_CLOSED;
    else if (t->cfg.active_ns && elapsed(now, f->first_ns, t->cfg.active_ns))
        *why = HY_FLOW_END_ACTIVE;
    else if (t->cfg.idle_ns && elapsed(now, f->last_ns, t->cfg.idle_ns))
        *why = HY_FLOW_END_IDLE;
    else
        return false;
    return true;
}

/* ---- fragments ---- */

static uint32_t frag_slot(const hy_pkt *p, uint32_t id)
{
    uint64_t s[2], d[2], h;
    memcpy(s, p->src, 16);
    memcpy(d, p->dst, 16);
    h = (s[0] ^ rotl64(s[1], 17)) * 0x9e3779b97f4a7c15ull;
    h ^= (d[0] ^ rotl64(d[1], 29)) + ((uint64_t)id << 8 | p->proto);
    return (uint32_t)fmix64(h) & (FRAG_SLOTS - 1);
}

static bool frag_match(const frag_ent *e, const hy_pkt *p, uint32_t id)
{
    return e->used && e->id == id && e->ipv == p->ip_version && e->proto == p->proto &&
           memcmp(e->src, p->src, 16) == 0 && memcmp(e->dst, p->dst, 16) == 0;
}

static uint32_t frag_id(const hy_pkt *p)
{
    return p->ip_version == 6 ? p->frag_id : p->ip_id;
}

/* Remembers the ports of a first fragment: the matching slot, else a free or
 * stale one, else the oldest in the probe window. */
static void frag_remember(hy_flow_table *t, const hy_pkt *p, uint16_t sp, uint16_t dp)
{
    uint32_t id = frag_id(p), h, victim = NIL;
    frag_ent *e;

    if (!t->frags && !(t->frags = calloc(FRAG_SLOTS, sizeof *t->frags)))
        return;
    h = frag_slot(p, id);
    for (uint32_t k = 0; k < FRAG_PROBE; k++) {
        uint32_t s = (h + k) & (FRAG_SLOTS - 1);
        e = &t->frags[s];
        if (frag_match(e, p, id) || !e->used || elapsed(p->ts_ns, e->ts, FRAG_TTL_NS)) {
            victim = s;
            break;
        }
        if (victim == NIL || e->ts < t->frags[victim].ts)
            victim = s;
    }
    e = &t->frags[victim];
    memcpy(e->src, p->src, 16);
    memcpy(e->dst, p->dst, 16);
    e->id = id;
    e->ipv = p->ip_version;
    e->proto = p->proto;
    e->sport = sp;
    e->dport = dp;
    e->ts = p->ts_ns;
    e->used = 1;
}

static bool frag_find(const hy_flow_table *t, const hy_pkt *p, uint16_t *sp, uint16_t *dp)
{
    uint32_t id = frag_id(p), h;

    if (!t->frags)
        return false;
    h = frag_slot(p, id);
    for (uint32_t k = 0; k < FRAG_PROBE; k++) {
        const frag_ent *e = &t->frags[(h + k) & (FRAG_SLOTS - 1)];
        if (frag_match(e, p, id) && !elapsed(p->ts_ns, e->ts, FRAG_TTL_NS)) {
            *sp = e->sport;
            *dp = e->dport;
            return true;
        }
    }
    return false;
}

/* ---- keys ---- */

/* Ports of p as the flow sees them: TCP/UDP ports, ICMP type/code mapped as
 * Community ID does, or a later fragment's ports from its first fragment. */
static void pkt_ports(hy_flow_table *t, const hy_pkt *p, bool later, uint16_t *sp, uint16_t *dp)
{
    *sp = p->sport;
    *dp = p->dport;
    if (later) {
        if (!frag_find(t, p, sp, dp)) {
            *sp = *dp = 0;
            t->st.no_ports_frags++;
        }
        return;
    }
    if ((p->proto == 1 || p->proto == 58) && p->anom != HY_ANOM_TRUNC_ICMP &&
        p->anom != HY_ANOM_TRUNC_ICMP6 && p->l4)
        hy__icmp_ports(p->proto, p->icmp_type, p->icmp_code, sp, dp);
    if (p->is_frag)
        frag_remember(t, p, *sp, *dp);
}

/* Canonical key; *swapped tells whether p's sender is the key's second endpoint. */
static void make_key(const hy_pkt *p, uint16_t sp, uint16_t dp, fkey *k, bool *swapped)
{
    uint64_t a[2], b[2], a0, b0, a1, b1;
    uint16_t vlan = p->vlan_count ? p->vlan[0] : 0;

    memcpy(a, p->src, 16);
    memcpy(b, p->dst, 16);
    /* big-endian words compare as memcmp does */
    a0 = __builtin_bswap64(a[0]), b0 = __builtin_bswap64(b[0]);
    a1 = __builtin_bswap64(a[1]), b1 = __builtin_bswap64(b[1]);
    *swapped = a0 > b0 || (a0 == b0 && (a1 > b1 || (a1 == b1 && sp > dp)));
    k->w[0] = *swapped ? b[0] : a[0];
    k->w[1] = *swapped ? b[1] : a[1];
    k->w[2] = *swapped ? a[0] : b[0];
    k->w[3] = *swapped ? a[1] : b[1];
    k->w[4] = (uint64_t)(*swapped ? dp : sp) | (uint64_t)(*swapped ? sp : dp) << 16 |
              (uint64_t)vlan << 32 | (uint64_t)p->ip_version << 48 | (uint64_t)p->proto << 56;
}

/* ---- per-packet accounting ---- */

static void tcp_track(hy_flow_table *t, node *n, uint32_t i, int d, uint8_t fl, uint64_t ts)
{
    hy_flow *f = &n->f;

    if (f->tcp_state == HY_TCP_CLOSED)
        return;
    if (fl & (HY_TCP_RST | HY_TCP_FIN)) {
        if ((fl & HY_TCP_RST) || (f->dir[0].tcp_flags & f->dir[1].tcp_flags & HY_TCP_FIN)) {
            f->tcp_state = HY_TCP_CLOSED;
            f->closed_ns = ts;
            n->on_closed = 1;
            list_push(t, L_CLOSED, i);
        } else {
            f->tcp_state = HY_TCP_CLOSING;
        }
        return;
    }
    fl &= HY_TCP_SYN | HY_TCP_ACK;
    if (f->tcp_state == HY_TCP_SYN_SENT && d == 1 && fl == (HY_TCP_SYN | HY_TCP_ACK))
        f->tcp_state = HY_TCP_SYN_RECV;
    else if (f->tcp_state == HY_TCP_SYN_RECV && d == 0 && fl == HY_TCP_ACK)
        f->tcp_state = HY_TCP_ESTABLISHED;
}

/* Counts p in flow i (node n, direction d). */
static void account(hy_flow_table *t, node *n, uint32_t i, const hy_pkt *p, int d, bool later)
{
    hy_flow *f = &n->f;
    hy_flow_dir *fd = &f->dir[d];
    uint32_t len = p->ip_len ? p->ip_len : p->wirelen;
    double dl = len;

    if (f->dir[0].pkts + f->dir[1].pkts) {
        uint64_t dt = p->ts_ns > f->last_ns ? p->ts_ns - f->last_ns : 0;
        double dd = (double)dt;
        if (f->iat_n == 0 || dt < f->iat_min)
            f->iat_min = dt;
        if (dt > f->iat_max)
            f->iat_max = dt;
        f->iat_n++;
        f->iat_sum += dd;
        f->iat_sumsq += dd * dd;
    }
    if (p->ts_ns > f->last_ns)
        f->last_ns = p->ts_ns;
    if (fd->pkts == 0 || len < fd->len_min)
        fd->len_min = len;
    if (len > fd->len_max)
        fd->len_max = len;
    fd->pkts++;
    fd->bytes += len;
    fd->payload_bytes += p->payload_wire_len;
    fd->len_sum += dl;
    fd->len_sumsq += dl * dl;
    if (p->payload_wire_len && f->first_payload_n < HY_FLOW_FIRST_PAYLOADS)
        f->first_payloads[f->first_payload_n++] =
            d ? -(int32_t)p->payload_wire_len : (int32_t)p->payload_wire_len;
    if (p->proto == 6 && !later) {
        uint8_t fl = p->tcp_flags;
        for (unsigned m = fl; m; m &= m - 1) /* the set bits only: usually one to three */
            f->flag_count[__builtin_ctz(m)]++;
        fd->tcp_flags |= fl;
        tcp_track(t, n, i, d, fl, p->ts_ns);
    }
}

/* A new flow for p (the client is p's sender); evicts the least recently
 * active flow when the table is full. */
static uint32_t flow_new(hy_flow_table *t, const fkey *k, uint32_t h, bool swapped, const hy_pkt *p,
                         uint16_t sp, uint16_t dp, bool later, node **np)
{
    uint32_t i = NIL;
    node *n;
    hy_flow *f;

    if (t->st.active < t->cfg.max_flows)
        i = node_alloc(t);
    if (i == NIL && t->lists[L_LRU].head != NIL) {
        t->st.evicted++;
        export_now(t, t->lists[L_LRU].head, HY_FLOW_END_EVICTED);
        i = node_alloc(t);
    }
    if (i == NIL)
        return NIL;
    n = N(t, i);
    n->key = *k;
    n->hash = h;
    n->swapped = swapped;
    n->on_closed = 0;
    f = &n->f;
    memset(f, 0, sizeof *f);
    f->ip_version = p->ip_version;
    f->proto = p->proto;
    f->vlan = p->vlan_count ? p->vlan[0] : 0;
    memcpy(f->src, p->src, 16);
    memcpy(f->dst, p->dst, 16);
    f->sport = sp;
    f->dport = dp;
    f->hash = h;
    f->first_ns = f->last_ns = p->ts_ns;
    f->first_seq = p->seq;
    if (p->proto == 6)
        f->tcp_state = !later && (p->tcp_flags & (HY_TCP_SYN | HY_TCP_ACK)) == HY_TCP_SYN
                           ? HY_TCP_SYN_SENT
                           : HY_TCP_NEW;
    t->st.active++;
    t->st.created++;
    maybe_grow(t);
    hash_insert(t, i);
    list_push(t, L_LRU, i);
    list_push(t, L_AGE, i);
    *np = n;
    return i;
}

const hy_flow *hy_flow_table_update(hy_flow_table *t, const hy_pkt *p)
{
    bool later, swapped;
    uint16_t sp, dp;
    uint32_t h, i;
    hy_flow_end why;
    fkey k;
    node *n = NULL;

    if (p->ip_version != 4 && p->ip_version != 6)
        return NULL;
    later = p->is_frag && p->frag_off != 0;
    pkt_ports(t, p, later, &sp, &dp);
    make_key(p, sp, dp, &k, &swapped);
    h = key_hash(&k);
    i = lookup(t, &k, h, &n);
    if (i != NIL) {
        /* Flows that ended before this packet are exported now, whether or not
         * an expire call came between; a bare SYN on a closed flow starts a new
         * connection (port reuse). */
        if (ended(t, &n->f, p->ts_ns, &why)) {
            export_now(t, i, why);
            i = NIL;
        } else if (n->f.tcp_state == HY_TCP_CLOSED && !later &&
                   (p->tcp_flags & (HY_TCP_SYN | HY_TCP_ACK)) == HY_TCP_SYN) {
            export_now(t, i, HY_FLOW_END_TCP_CLOSED);
            i = NIL;
        }
    }
    if (i == NIL) {
        i = flow_new(t, &k, h, swapped, p, sp, dp, later, &n);
        if (i == NIL)
            return NULL;
    } else if (t->lists[L_LRU].tail != i) {
        list_to_tail(t, L_LRU, i);
    }
    account(t, n, i, p, swapped != n->swapped, later);
    return &n->f;
}

/* ---- expiry and flush ---- */

static int cmp_seq(const void *a, const void *b)
{
    const sort_ent *x = a, *y = b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Detaches flow i into the scratch set; false when the set cannot grow. */
static bool collect(hy_flow_table *t, uint32_t i, hy_flow_end why)
{
    if (t->scratch_n == t->scratch_cap) {
        size_t nc = t->scratch_cap ? t->scratch_cap * 2 : 256;
        sort_ent *ns = realloc(t->scratch, nc * sizeof *ns);
        if (!ns)
            return false;
        t->scratch = ns;
        t->scratch_cap = nc;
    }
    detach(t, i);
    N(t, i)->f.end = why;
    t->scratch[t->scratch_n].seq = N(t, i)->f.first_seq;
    t->scratch[t->scratch_n++].idx = i;
    return true;
}

/* Exports the scratch set in ascending first_seq order and frees its nodes. */
static void drain(hy_flow_table *t)
{
    if (t->scratch_n == 0)
        return;
    qsort(t->scratch, t->scratch_n, sizeof *t->scratch, cmp_seq);
    for (size_t k = 0; k < t->scratch_n; k++) {
        uint32_t i = t->scratch[k].idx;
        emit(t, i, N(t, i)->f.end);
        node_free(t, i);
    }
    t->scratch_n = 0;
}

/* Collects ended flows from the head of list w while its head has ended;
 * false if the scratch set could not grow. */
static bool sweep(hy_flow_table *t, int w, uint64_t now)
{
    hy_flow_end why;
    uint32_t i;

    while ((i = t->lists[w].head) != NIL && ended(t, &N(t, i)->f, now, &why))
        if (!collect(t, i, why))
            return false;
    return true;
}

void hy_flow_table_expire(hy_flow_table *t, uint64_t now_ns)
{
    /* Each list is ordered by the time its timeout is measured from, so a
     * head that has not ended stops that walk; ended() takes the reason with
     * the closed linger first, whichever list found the flow. */
    if (sweep(t, L_CLOSED, now_ns) && (!t->cfg.active_ns || sweep(t, L_AGE, now_ns)) &&
        t->cfg.idle_ns)
        sweep(t, L_LRU, now_ns);
    drain(t);
}

void hy_flow_table_flush(hy_flow_table *t)
{
    while (t->lists[L_AGE].head != NIL) {
        while (t->lists[L_AGE].head != NIL)
            if (!collect(t, t->lists[L_AGE].head, HY_FLOW_END_SHUTDOWN))
                break;
        if (t->scratch_n == 0) { /* no memory even to sort: export in age order */
            export_now(t, t->lists[L_AGE].head, HY_FLOW_END_SHUTDOWN);
            continue;
        }
        drain(t);
    }
}

/* ---- lifecycle ---- */

void hy_flow_cfg_default(hy_flow_cfg *cfg)
{
    cfg->max_flows = HY_DEFAULT_FLOW_MAX;
    cfg->idle_ns = HY_DEFAULT_FLOW_IDLE_S * NS_PER_S;
    cfg->active_ns = HY_DEFAULT_FLOW_ACTIVE_S * NS_PER_S;
    cfg->tcp_closed_ns = HY_DEFAULT_TCP_CLOSED_S * NS_PER_S;
    cfg->community_seed = 0;
}

hy_err hy_flow_table_create(const hy_flow_cfg *cfg, hy_flow_out_fn out, void *ud,
                            hy_flow_table **tp)
{
    hy_flow_table *t = NULL;
    hy_err err = HY_ERR_NOMEM;

    if (!cfg || !out || !tp || cfg->max_flows == 0 || cfg->max_flows > MAX_FLOWS_CAP)
        return hy_err_set(HY_ERR_ARG, "flow table: max_flows must be 1..%u", MAX_FLOWS_CAP);
    t = calloc(1, sizeof *t);
    if (!t)
        goto out;
    t->cfg = *cfg;
    t->out = out;
    t->ud = ud;
    t->free_head = NIL;
    for (int w = 0; w < L__N; w++)
        t->lists[w].head = t->lists[w].tail = NIL;
    t->nchunks = (uint32_t)((cfg->max_flows + CHUNK - 1) / CHUNK);
    t->chunks = calloc(t->nchunks, sizeof *t->chunks);
    t->links = calloc(t->nchunks, sizeof *t->links);
    t->max_buckets = MIN_BUCKETS;
    while (t->max_buckets < cfg->max_flows)
        t->max_buckets *= 2;
    t->nbuckets = MIN_BUCKETS;
    t->buckets = malloc((size_t)t->nbuckets * sizeof *t->buckets);
    if (!t->chunks || !t->links || !t->buckets)
        goto out;
    memset(t->buckets, 0xff, (size_t)t->nbuckets * sizeof *t->buckets);
    /* Without a fetched SHA-1 the Community ID falls back to the slow path. */
    t->md_ctx = EVP_MD_CTX_new();
    t->md = EVP_MD_fetch(NULL, "SHA1", NULL);
    *tp = t;
    return HY_OK;
out:
    hy_flow_table_destroy(t);
    return hy_err_set(err, "flow table: out of memory");
}

void hy_flow_table_destroy(hy_flow_table *t)
{
    if (!t)
        return;
    for (uint32_t c = 0; c < t->nchunks; c++) {
        if (t->chunks)
            free(t->chunks[c]);
        if (t->links)
            free(t->links[c]);
    }
    free(t->chunks);
    free(t->links);
    free(t->buckets);
    free(t->frags);
    free(t->scratch);
    EVP_MD_CTX_free(t->md_ctx);
    EVP_MD_free(t->md);
    free(t);
}

void hy_flow_table_stats(const hy_flow_table *t, hy_flow_stats *st)
{
    *st = t->st;
}
