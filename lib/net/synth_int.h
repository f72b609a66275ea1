/* hayate internal: shared pieces of the traffic generator (synth*.c): the
 * PRNG, the per-flow state, the generator context and the frame writer. */
#ifndef HAYATE_NET_SYNTH_INT_H
#define HAYATE_NET_SYNTH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hayate/synth.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 (Vigna's definitions) */

typedef struct hy__rng {
    uint64_t s[4];
} hy__rng;

static inline uint64_t hy__splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Stateless 64-bit hash of x (one splitmix64 step). */
static inline uint64_t hy__mix64(uint64_t x)
{
    return hy__splitmix64(&x);
}

static inline void hy__rng_seed(hy__rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = hy__splitmix64(&seed);
}

static inline uint64_t hy__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t hy__rng_next(hy__rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = hy__rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = hy__rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n) (multiply-shift; the bias is far below what matters). */
static inline uint32_t hy__rng_below(hy__rng *r, uint32_t n)
{
    return (uint32_t)(((hy__rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t hy__rng_range(hy__rng *r, uint32_t lo, uint32_t hi)
{
    return lo + hy__rng_below(r, hi - lo + 1);
}

/* Uniform in [0, 1). */
static inline double hy__rng_unit(hy__rng *r)
{
    return (double)(hy__rng_next(r) >> 11) * 0x1.0p-53;
}

/* True with probability pct/100. */
static inline bool hy__rng_pct(hy__rng *r, unsigned pct)
{
    return hy__rng_below(r, 100) < pct;
}

/* Exponential with the given mean. */
double hy__synth_exp(hy__rng *r, double mean);
/* Log-normal with the given median and shape sigma. */
double hy__synth_lognormal(hy__rng *r, double median, double sigma);

/* ---- flows */

enum {
    /* TCP */
    HY__APP_HTTP = 1,
    HY__APP_TLS,
    HY__APP_SSH,
    HY__APP_TCP_OTHER,
    /* UDP */
    HY__APP_DNS,
    HY__APP_NTP,
    HY__APP_QUIC,
    HY__APP_RTP,
    /* ICMP */
    HY__APP_PING
};

enum { HY__OS_LINUX = 0, HY__OS_WINDOWS, HY__OS_MAC };

/* One application message (a request or a response) on a TCP direction. */
typedef struct hy__msg {
    uint64_t seed; /* regenerates the structured prefix */
    uint32_t len;  /* total bytes */
    uint32_t off;  /* bytes already sent */
    uint16_t pre;  /* structured prefix length (always inside the first segment) */
    uint8_t kind;  /* HY__MSG_* */
    uint8_t pad_;
    uint32_t aux;  /* HTTP: body length */
    uint32_t secs; /* Unix time when planned (HTTP Date) */
} hy__msg;

enum {
    HY__MSG_RANDOM = 0,
    HY__MSG_HTTP_REQ,
    HY__MSG_HTTP_RESP,
    HY__MSG_HTTP_POST,
    HY__MSG_TLS_CH,
    HY__MSG_TLS_SH,
    HY__MSG_TLS_APP,
    HY__MSG_SSH_BANNER
};

typedef struct hy__flow {
    uint64_t t;            /* time of the next packet */
    uint64_t last_data[2]; /* time of the last data segment per direction */
    uint32_t id;           /* flow ordinal */
    uint32_t host, server; /* client index; server index (UINT32_MAX: not a server) */
    uint32_t left;         /* packets still to emit */
    uint32_t planned;      /* packets planned in all */
    uint8_t proto, app, v6, phase;
    uint8_t os[2], ttl[2];        /* [0] client, [1] server */
    uint8_t ts_ok, ws[2], closer; /* closer: 0 client, 1 server, 2 RST */
    uint8_t cip[16], sip[16];
    uint8_t cmac[6];
    uint16_t sport, dport;
    uint16_t ipid[2], win[2], mss;
    uint32_t flowlabel[2];
    uint32_t seq[2]; /* next sequence number per direction */
    uint32_t tsoff[2], tsval[2];
    /* data phase of TCP: rounds of request and response */
    uint32_t data_left, rounds_left, round;
    uint32_t r_n[4]; /* client segs, server acks, server segs, client acks */
    uint8_t r_stage, r_unacked, upload, r_kind;
    hy__msg msg[2];
    /* timing, ns */
    uint32_t rtt, gap[2], think, srv_think, ack_delay;
    /* UDP / ICMP */
    uint32_t aux32;
    uint16_t aux16, icmp_seq;
    uint64_t aux64;
} hy__flow;

/* ---- generator context */

#define HY__RND_BYTES 65536u

typedef struct hy__heap_ent {
    uint64_t t;
    uint32_t id, slot;
} hy__heap_ent;

typedef struct hy__synth {
    hy_synth_cfg cfg;
    hy__rng rng;
    hy_synth_stats st;
    hy_err err; /* first write error */
    FILE *fp;
    bool close_fp;
    uint8_t *buf; /* output buffer of records */
    size_t blen, bcap;
    uint64_t end_ns;      /* start + duration */
    uint32_t *host_ports; /* flows started per host (ephemeral ports) */
    uint32_t *host_pings; /* ping targets used per host */
    uint32_t host_mult;   /* scrambles client popularity rank -> index */
    hy__flow *pool;
    uint32_t *free_slots;
    uint32_t pool_n, pool_cap, free_n;
    hy__heap_ent *heap;
    uint32_t heap_n, heap_cap;
    /* flow budget */
    uint64_t budget; /* packets not yet planned */
    uint64_t started;
    uint64_t next_start;
    double fixed_share, fixed_mean;
    uint8_t rnd[HY__RND_BYTES + 2048]; /* random payload source */
    uint64_t *rnd_sum;                 /* prefix sums of rnd's native 16-bit words */
} hy__synth;

/* ---- synth.c: identities */

/* Address of client h (10.x.y.z or 2001:db8:0:x::y) into out (v4 in out[0..3]). */
void hy__synth_host_addr(uint32_t h, bool v6, uint8_t out[16]);
/* Address of server s (172.16.0.0/12 or 2001:db8:5e::/48). */
void hy__synth_server_addr(uint32_t s, bool v6, uint8_t out[16]);
/* Address of DNS resolver r (10.0.0.53 + r, 2001:db8::53 + r). */
void hy__synth_resolver_addr(uint32_t r, bool v6, uint8_t out[16]);
/* A stable pseudo-random word describing server s. */
uint64_t hy__synth_server_hash(const hy__synth *g, uint32_t s);
/* Server index by Zipf-like popularity. */
uint32_t hy__synth_pick_server(hy__synth *g);

/* ---- synth_pcap.c: the record writer */

typedef struct hy__frame {
    uint8_t *rec; /* record header */
    uint8_t *l3, *l4, *pay;
    uint32_t l4hdr, paylen;
    uint8_t proto;
    bool paysum_ok; /* paysum holds the payload's checksum sum */
    uint64_t paysum;
} hy__frame;

/* Opens path ("-": stdout) and writes the file header. */
hy_err hy__synth_out_open(hy__synth *g, const char *path);
/* Flushes and closes; returns the first write error. */
hy_err hy__synth_out_close(hy__synth *g);
/* Starts a frame of f sent by dir (0 client, 1 server) with an L4 header of
 * hlen bytes and paylen payload bytes; fills the link and IP headers. */
void hy__synth_frame_begin(hy__synth *g, hy__flow *f, int dir, uint32_t hlen, uint32_t paylen,
                           hy__frame *fr);
/* Completes the L4 checksum and the record header, stamped f->t. */
void hy__synth_frame_end(hy__synth *g, hy__flow *f, hy__frame *fr);
/* Copies n pseudo-random bytes to out; returns their checksum sum (as if
 * they started at an even offset), in O(1) per 2 KiB from prefix sums. */
uint64_t hy__synth_random_fill(hy__synth *g, uint8_t *out, uint32_t n);
/* Adds the RFC 1071 sum of n bytes at p to s (native-endian accumulation). */
uint64_t hy__synth_csum_add(uint64_t s, const uint8_t *p, size_t n);
/* Adds the sum s of a piece placed at offset at of a checksummed run. */
uint64_t hy__synth_csum_piece(uint64_t acc, uint64_t s, size_t at);

static inline void hy__wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void hy__wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- synth_tcp.c / synth_udp.c: per-protocol flows */

/* Sets up a TCP flow of f->left packets starting at f->t. */
void hy__synth_tcp_init(hy__synth *g, hy__flow *f);
/* Emits the next packet of f and advances f->t; false when f is finished. */
bool hy__synth_tcp_step(hy__synth *g, hy__flow *f);
void hy__synth_udp_init(hy__synth *g, hy__flow *f);
bool hy__synth_udp_step(hy__synth *g, hy__flow *f);
void hy__synth_icmp_init(hy__synth *g, hy__flow *f);
bool hy__synth_icmp_step(hy__synth *g, hy__flow *f);

/* Scales the flow's timing so that about `packets` packets fit before the end. */
void hy__synth_fit_time(const hy__synth *g, hy__flow *f, double est_ns);

/* ---- synth_app.c / synth_tls.c: payloads */

/* Writes the DNS name of server s (e.g. "www.kalomi.com") into out; returns its length. */
size_t hy__synth_server_name(const hy__synth *g, uint32_t s, char *out, size_t cap);
/* Plans message dir of the current round: nseg segments of at most mss bytes. */
void hy__synth_msg_plan(hy__synth *g, hy__flow *f, int dir, uint8_t kind, uint32_t nseg,
                        uint32_t mss);
/* Writes the next n bytes of message dir to out and advances it; returns
 * their checksum sum (hy__synth_csum_add convention). */
uint64_t hy__synth_msg_fill(hy__synth *g, hy__flow *f, int dir, uint8_t *out, uint32_t n);
/* TLS: the ClientHello / ServerHello+ChangeCipherSpec prefix from seed into
 * out (NULL: length only); returns the length. */
size_t hy__synth_tls_client_hello(const hy__synth *g, const hy__flow *f, uint64_t seed,
                                  uint8_t *out);
size_t hy__synth_tls_server_hello(const hy__synth *g, const hy__flow *f, uint64_t seed,
                                  uint8_t *out);

/* ---- synth_darknet*.c: network-telescope traffic (hayate synth darknet) */

enum { HY__DN_OUTBREAK = 0, HY__DN_SCANNER, HY__DN_BURST };
enum { HY__DN_STYLE_LINUX = 0, HY__DN_STYLE_WINDOWS, HY__DN_STYLE_BARE, HY__DN_STYLE_MSS };

#define HY__DN_RETX_LEVELS 5

/* A SYN-ACK retransmission waiting in a FIFO of its level. */
typedef struct hy__dn_retx {
    uint64_t t;
    uint32_t dst, seq, ack;
    uint16_t dport;
    uint8_t victim, level;
} hy__dn_retx;

typedef struct hy__dn_ring {
    hy__dn_retx *v;
    uint32_t cap, head, n;
} hy__dn_ring;

/* One event of the truth file, with its emission state. */
typedef struct hy__dn_event {
    uint8_t kind, proto, fp, reply, inner_proto, retries;
    bool auto_placed;
    uint16_t port, sport;
    uint64_t start, end, ramp; /* absolute ns; packets lie in [start, end) */
    uint32_t hosts;            /* outbreak hosts, burst victims, 1 for a scanner */
    double rate;               /* outbreak: per-host ppm; others: pps */
    uint32_t src0, nsrc;       /* source addresses in hy__dn.addrs */
    uint32_t em0;              /* first emitter */
    uint64_t key;              /* per-event hash key */
    hy__rng rng;
    uint64_t slot_ns;     /* outbreak: length of an on/off slot */
    unsigned duty_pct;    /* outbreak: share of slots on */
    uint8_t payload[256]; /* outbreak over UDP: the probe every host sends */
    uint16_t paylen;
    uint64_t next_i, size; /* scanner: sweep position, addresses to sweep */
    double gap_ns;         /* scanner: between probes */
    uint64_t next_new;     /* burst: next new reply */
    hy__dn_ring q[HY__DN_RETX_LEVELS];
    uint64_t packets, first_ns, last_ns;
} hy__dn_event;

typedef struct hy__dn_ent {
    uint64_t t;
    uint32_t em;
} hy__dn_ent;

typedef struct hy__dn {
    hy_synth_darknet_cfg cfg;
    hy__synth *w; /* frame writer (its cfg, buffer and stats) */
    hy__flow f;   /* scratch header fields for the writer */
    hy_synth_darknet_stats st;
    uint64_t start, end, expected;
    uint32_t net, host_bits;
    uint64_t bg_key;
    hy__rng bg_rng;
    double bg_max; /* thinning bound of the background rate, per ns */
    uint32_t bg_pop, endemic_pop;
    hy__dn_event *ev;
    uint32_t nev;
    uint32_t *addrs; /* event sources, in join order per event */
    uint64_t *first; /* first packet time of each event source */
    uint32_t naddrs;
    uint32_t *aset; /* open-addressing set of event sources (0: empty) */
    uint32_t aset_mask;
    uint32_t *em_ev, *em_host; /* emitter -> event (UINT32_MAX: background), host */
    uint32_t nem;
    hy__dn_ent *heap;
    uint32_t heap_n;
} hy__dn;

/* IPv4 + L4 header fields of one darknet packet (addresses host order). */
typedef struct hy__dn_hdr {
    uint64_t t;
    uint32_t src, dst;
    uint16_t ipid;
    uint8_t ttl;
    bool df;
} hy__dn_hdr;

/* synth_darknet_pkt.c: frames */
void hy__dn_emit_tcp(hy__dn *g, const hy__dn_hdr *h, uint16_t sport, uint16_t dport, uint32_t seq,
                     uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt, uint32_t olen);
void hy__dn_emit_udp(hy__dn *g, const hy__dn_hdr *h, uint16_t sport, uint16_t dport,
                     const uint8_t *pay, uint32_t len);
void hy__dn_emit_icmp(hy__dn *g, const hy__dn_hdr *h, uint8_t type, uint8_t code, uint32_t rest,
                      const uint8_t *pay, uint32_t len);
/* SYN options of a style; returns their length (<= 20). */
uint32_t hy__dn_syn_opts(uint8_t style, uint32_t tsval, uint8_t *out);
/* Typical probe payload for a UDP port (DNS, NTP, SNMP, SSDP, SIP, ...);
 * returns its length (<= 256), 0 when the port has none. */
uint32_t hy__dn_udp_payload(uint16_t port, hy__rng *r, uint8_t *out);
/* Picks seq (TCP) and IP ID so that exactly the fingerprint fp holds. */
void hy__dn_fp_apply(uint8_t fp, uint32_t dst, uint16_t dport, bool tcp, uint32_t *seq,
                     uint16_t *ipid, hy__rng *r);
/* Background, outbreak, scanner and backscatter packets. */
void hy__dn_bg_packet(hy__dn *g, uint64_t t);
void hy__dn_outbreak_packet(hy__dn *g, hy__dn_event *e, uint32_t host, uint64_t t);
void hy__dn_scanner_packet(hy__dn *g, hy__dn_event *e, uint64_t t, uint32_t dst);
/* A new backscatter reply at t (queues SYN-ACK retransmissions), or a
 * queued retransmission x when x is set. */
void hy__dn_burst_packet(hy__dn *g, hy__dn_event *e, uint64_t t, const hy__dn_retx *x);

/* synth_darknet.c: shared helpers */
/* Random address of the telescope. */
uint32_t hy__dn_dark_addr(hy__dn *g, hy__rng *r);
/* A keyed bijection on [0, 2^bits) (bits 0..32). */
uint32_t hy__dn_perm(uint32_t x, unsigned bits, uint64_t key);
/* Continuous power law rank in [0, n) with exponent a (a != 1). */
uint32_t hy__dn_zipf(hy__rng *r, uint32_t n, double a);
/* The same rank from a given uniform u in [0, 1). */
uint32_t hy__dn_zipf_u(double u, uint32_t n, double a);
/* Background source `rank` of population pop (0 general, 1 endemic Mirai) at t. */
uint32_t hy__dn_bg_source(hy__dn *g, uint32_t rank, unsigned pop, uint64_t t);

/* synth_darknet_scen.c: HY_OK, or HY_ERR_ARG with a detail naming the field. */
hy_err hy__dn_check_cfg(const hy_synth_darknet_cfg *c);

/* synth_darknet_truth.c */
hy_err hy__dn_truth_write(const hy__dn *g, const char *path);
/* RFC 3339 UTC ("2024-01-01T00:00:00Z", with .ffffff when not whole). */
void hy__dn_rfc3339(uint64_t ns, char out[40]);

#endif
