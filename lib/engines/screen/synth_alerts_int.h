/* hayate internal: `hayate synth alerts`. synth_alerts.c sets up and
 * generates the benign sources, synth_alerts_plan.c holds segments and
 * plans the campaigns, synth_alerts_eve.c writes EVE lines and truth (with
 * the category names and the pools alerts are dressed with), and
 * synth_alerts_sigs.c holds the signature catalogue. */
#ifndef HAYATE_SYNTH_ALERTS_INT_H
#define HAYATE_SYNTH_ALERTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hayate/buf.h"
#include "hayate/synth_alerts.h"

/* ---- the seeded generator: splitmix64 (Steele, Lea & Flood 2014) */

typedef struct sa_rng {
    uint64_t s;
} sa_rng;

static inline uint64_t sa_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A hash of two words: seeds of independent streams. */
static inline uint64_t sa_hash(uint64_t a, uint64_t b)
{
    return sa_mix(a + 0x9e3779b97f4a7c15ull * (b + 1) + sa_mix(b ^ 0x5851f42d4c957f2dull));
}

static inline uint64_t sa_next(sa_rng *r)
{
    r->s += 0x9e3779b97f4a7c15ull;
    return sa_mix(r->s);
}

/* Uniform in [0, 1). */
static inline double sa_unif(sa_rng *r)
{
    return (double)(sa_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n) for n >= 1 (multiply-shift; bias below 2^-32). */
static inline uint32_t sa_below(sa_rng *r, uint32_t n)
{
    return (uint32_t)(((sa_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* ---- the catalogue */

typedef enum sa_cat {
    C_NOTSUSP,
    C_UNKNOWN,
    C_ATTLEAK,
    C_INFOLEAK,
    C_LARGELEAK,
    C_ATTDOS,
    C_ATTUSER,
    C_ATTADMIN,
    C_RPC,
    C_EXEC,
    C_SUSPSTR,
    C_SUSPFILE,
    C_BADLOGIN,
    C_TROJAN,
    C_UNUSUALPORT,
    C_SCAN,
    C_NONSTD,
    C_DECODE,
    C_WEBVULN,
    C_WEBATK,
    C_MISC,
    C_MISCATK,
    C_ICMP,
    C_POLV,
    C_DEFLOGIN,
    C_BAD,
    C_EXTIP,
    C_C2DOM,
    C_PUP,
    C_SOCENG,
    C_MINING,
    C_C2,
    C__COUNT
} sa_cat;

typedef enum sa_app {
    A_NONE, /* no app_proto written */
    A_HTTP,
    A_TLS,
    A_DNS,
    A_SMB,
    A_SSH,
    A_NTP,
    A_SMTP,
    A_FTP,
    A_RDP,
    A_KRB5,
    A_DCERPC,
    A_SNMP,
    A_SIP,
    A_LDAP,
    A_DHCP,
    A_FAILED,
    A__COUNT
} sa_app;

/* Which benign source raises a signature as its own. */
typedef enum sa_pool {
    P_POL,  /* users' policy/info alerts, in Zipf rank order */
    P_SCAN, /* scans: scanners, background, recon */
    P_WEB,  /* web application attacks */
    P_EXP,  /* exploits */
    P_MAL,  /* malware command and control: attacks only */
    P_REP,  /* poor-reputation source lists: background */
    P_BAK,  /* backup transfers */
    P_MISC, /* protocol anomalies of broken clients */
    P__COUNT
} sa_pool;

enum {
    F_TOCLIENT = 1 << 0, /* matches the server's reply: src/dst written swapped */
    F_INTERNAL = 1 << 1, /* the server is an internal one (by port) */
    F_C2 = 1 << 2,       /* benign signature that C2 traffic also raises */
    F_EXFIL = 1 << 3,    /* ... that exfiltration also raises */
    F_LAT = 1 << 4,      /* ... that lateral movement also raises */
    F_DL = 1 << 5,       /* ... that a first-stage download also raises */
    F_IREC = 1 << 6,     /* ... that internal reconnaissance also raises */
    F_MISC = 1 << 7,     /* a misconfigured host may repeat it */
    F_BAK = 1 << 8,      /* backups raise it */
    F_PUBDNS = 1 << 9,   /* DNS straight to a public resolver */
    F_MCAST = 1 << 10,   /* to a broadcast/multicast group (by port) */
    F_IPREP = 1 << 11,   /* matches a listed address, whatever the protocol */
};

/* One signature. Hints dress its alerts; each is NULL or alternatives
 * separated by '|', one picked per (host, signature); '#' becomes a random
 * hex digit, a lone "@" the server's address. host: HTTP Host, TLS SNI or
 * DNS name. url: HTTP URL (a leading "POST " sets the method), TLS
 * version, or DNS rrtype. aux: HTTP User-Agent ("-": none), or TLS issuer. */
typedef struct sa_sig {
    uint32_t sid;
    uint16_t rev;
    uint8_t cat;   /* sa_cat */
    uint8_t pool;  /* sa_pool */
    uint8_t app;   /* sa_app */
    uint8_t proto; /* 6, 17 or 1 */
    uint16_t port; /* the server port; 0: varies */
    uint16_t flags;
    const char *name;
    const char *host, *url, *aux;
} sa_sig;

extern const sa_sig hy__sa_sigs[];
extern const uint32_t hy__sa_nsigs;
extern const char *const hy__sa_cat_name[C__COUNT];
extern const uint8_t hy__sa_cat_prio[C__COUNT];
extern const char *const hy__sa_app_name[A__COUNT];

/* Dressing pools. */
extern const char *const hy__sa_browser_ua[];
extern const uint32_t hy__sa_n_browser_ua;
extern const char *const hy__sa_sites[]; /* ordinary sites users visit */
extern const uint32_t hy__sa_n_sites;
extern const char *const hy__sa_issuers[]; /* public CAs */
extern const uint32_t hy__sa_n_issuers;
extern const char *const hy__sa_c2_domains[]; /* patterns for attackers' names */
extern const uint32_t hy__sa_n_c2_domains;

/* Picks one alternative of hint by seed into out (NUL-terminated, cut at
 * cap - 1), filling '#' with hex digits from seed; "@" becomes the dotted
 * address ip. Returns the length written; 0 for a NULL or empty hint. */
size_t hy__sa_hint(const char *hint, uint64_t seed, uint32_t ip, char *out, size_t cap);

/* Dotted quad of ip (host order) into out (16 bytes); returns the length. */
size_t hy__sa_ip(uint32_t ip, char *out);

/* ---- the generator's state */

#define H_NS   3600000000000ull
#define DAY_NS (24 * H_NS)
#define MIN_NS 60000000000ull
#define IP4(a, b, c, d)                                                                            \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define MAX_POOL      256 /* signatures in one pool */
#define MAX_SEG_SIGS  48
#define MAX_CAMP_SEGS 14
#define N_BG_SOURCES  4000
#define MAX_MISCONFIG 6

/* Critical servers (10.0.1.0/24) and the DMZ (10.0.2.0/24, from SV_WWW). */
enum {
    SV_DC1,
    SV_DC2,
    SV_DB1,
    SV_DB2,
    SV_FILES,
    SV_BACKUP,
    SV_MAIL,
    SV_DNS,
    SV_INTRA,
    SV_PRINT,
    SV_WWW,
    SV_SHOP,
    SV_API,
    SV_VPN,
    SV_MX,
    SV__COUNT
};
extern const uint32_t hy__sa_server_ip[SV__COUNT];

/* Flow shapes. */
enum { SZ_PROBE, SZ_SMALL, SZ_WEB, SZ_BEACON, SZ_UPLOAD, SZ_BULK, SZ_DNS };

/* One alert before writing; src is the client, dst the server (a
 * F_TOCLIENT signature's alert is written the other way round). */
typedef struct sa_ev {
    uint64_t ts, rnd, cseed; /* cseed: the (host or campaign, signature) dressing seed */
    uint32_t seq, src, dst, host;
    uint16_t sport, dport, sig;
    uint8_t cls, stage, camp, size;
} sa_ev;

/* How a segment's alerts are addressed. */
enum {
    K_INOUT,   /* inside victim <-> peer outside, by the signature's direction */
    K_LATERAL, /* inside -> peer, both internal; the truth host is the peer */
    K_SWEEP,   /* inside -> hosts in turn (internal recon) */
    K_SCAN,    /* scanner -> hosts in turn; the truth host is the target */
    K_BACKUP,  /* server -> backup server */
};

/* n alerts over [a, b): alert i in slot i, jittered by jit (1: anywhere in
 * its slot, 0.3: near its middle, i.e. periodic). */
typedef struct sa_seg {
    uint64_t a, b, seed;
    uint32_t n;
    float jit;
    uint8_t cls, stage, camp, kind; /* camp: 1-based, 0 benign */
    uint8_t c2app;                  /* the campaign's C2 protocol */
    uint16_t dport;                 /* for signatures without a port, and C2 */
    uint32_t inside, peer, host;
    uint32_t first, ntargets; /* K_SWEEP/K_SCAN: host indices walked */
    uint32_t nsig;
    uint16_t sig[MAX_SEG_SIGS];
    uint16_t cw[MAX_SEG_SIGS]; /* cumulative, out of 65535 */
    float wt[MAX_SEG_SIGS];
} sa_seg;

typedef struct sa_camp {
    hy_synth_alerts_campaign_info info;
    uint64_t seed;
    uint8_t c2app, ua, blend; /* blend: the implant's TLS looks like the host's browser */
    char domain[64];          /* its C2 name */
    const char *path;         /* URL pattern for C2 signatures without one */
    uint32_t nseg;
    sa_seg seg[MAX_CAMP_SEGS];
} sa_camp;

typedef struct sa_scanner {
    uint8_t dow_mask, hour, hours; /* nights it scans (bit 0 Monday), from hour:00 */
    uint32_t first, ntargets;
    double per_session;
    uint32_t nsig;
    uint16_t sig[MAX_SEG_SIGS], cw[MAX_SEG_SIGS];
} sa_scanner;

typedef struct sa_misconfig {
    uint16_t sig, dport;
    uint32_t client, server;
    bool user;     /* a workstation: on in office hours */
    bool periodic; /* on a retry timer rather than at random */
    double share;
    uint32_t first_day, last_day; /* days from the start it misbehaves */
} sa_misconfig;

typedef struct sa_ctx {
    hy_synth_alerts_cfg cfg;
    uint64_t end_ns;
    uint32_t nhosts; /* servers + workstations */
    double user_mean;
    uint16_t pool[P__COUNT][MAX_POOL];
    uint32_t npool[P__COUNT];
    double cdf[P__COUNT][MAX_POOL];
    uint32_t pol_m[MAX_POOL], pol_off[MAX_POOL], pol_step[MAX_POOL];
    double bg_cdf[N_BG_SOURCES];
    uint32_t nscan, nmis, nbak, ncamp;
    sa_scanner scan[2];
    sa_misconfig mis[MAX_MISCONFIG];
    uint16_t bak_sig[MAX_SEG_SIGS], bak_cw[MAX_SEG_SIGS];
    sa_seg tmp;
    sa_camp *camp;
    sa_ev *ev;
    size_t nev, capev;
    hy_err err;
    /* output */
    FILE *feve, *ftruth;
    hy_buf eve, truth;
    uint8_t used[1024]; /* per signature: 1 benign, 2 attack */
    hy_synth_alerts_stats st;
} sa_ctx;

/* synth_alerts.c: setup, addresses and the benign sources. */
hy_err hy__sa_ctx_init(sa_ctx *c, const hy_synth_alerts_cfg *cfg);
void hy__sa_ctx_free(sa_ctx *c);
/* Address of host i: servers first, then workstations from 10.0.16.1. */
uint32_t hy__sa_host_ip(const sa_ctx *c, uint32_t i);
/* A stable external address for hash h (cloud, CDN or documentation). */
uint32_t hy__sa_ext_ip(uint64_t h);
/* The server an internal client reaches for signature s. */
uint32_t hy__sa_server_for(const sa_ctx *c, const sa_sig *s, uint64_t cseed, uint32_t client,
                           sa_rng *r);
/* The flow shape (SZ_*) of an alert of s. */
uint8_t hy__sa_size_for(const sa_sig *s, int cls, int stage);
/* Index of the first cdf entry above u. */
uint32_t hy__sa_cdf_pick(const double *cdf, uint32_t n, double u);
/* A new zeroed alert at the end of c->ev (its seq set); NULL with c->err. */
sa_ev *hy__sa_push(sa_ctx *c);
/* Fills the parts of e every client-to-server alert shares. */
void hy__sa_client_event(sa_ev *e, uint16_t sig, uint32_t client, uint32_t server, int cls,
                         sa_rng *r);

/* synth_alerts_plan.c: segments, and the campaigns into c->camp. */
hy_err hy__sa_plan(sa_ctx *c);
/* Adds sig to g with relative weight w (once; at most MAX_SEG_SIGS). */
void hy__sa_seg_add(sa_seg *g, uint16_t sig, double w);
/* Turns g's weights into its cumulative thresholds. */
void hy__sa_seg_finish(sa_seg *g);
/* Pushes the alerts of g that fall in [t0, t1). */
void hy__sa_emit_seg(sa_ctx *c, const sa_seg *g, uint64_t t0, uint64_t t1);

/* synth_alerts_eve.c: output. */
/* Formats e as an EVE line and its truth line; flushes every megabyte. */
hy_err hy__sa_write(sa_ctx *c, const sa_ev *e);
/* Writes the buffers out (and fflush()es the streams when all). */
hy_err hy__sa_flush(sa_ctx *c, bool all);
/* Counts the signatures used into c->st. */
void hy__sa_stats_finish(sa_ctx *c);

#endif
