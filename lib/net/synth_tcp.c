/* Traffic generator: TCP flows. A flow of n packets is a three-way handshake
 * with OS-specific options, rounds of request and response (with delayed
 * ACKs, uploads now and then), then FIN/ACK teardown or a RST. Sequence and
 * acknowledgement numbers are exact: every ACK acknowledges all the peer sent. */
#include <string.h>

#include "net/synth_int.h"

enum { T_SYN, T_SYNACK, T_HS_ACK, T_REFUSE, T_DATA, T_FIN1, T_FIN2, T_FIN3, T_RST, T_DONE };
enum { K_CSEG = 0, K_SACK, K_SSEG, K_CACK }; /* packets of a round */
enum { CLOSE_CLIENT = 0, CLOSE_SERVER = 1, CLOSE_RST = 2 };

#define FL_FIN     0x01
#define FL_SYN     0x02
#define FL_RST     0x04
#define FL_PSH     0x08
#define FL_ACK     0x10
#define MAX_GAP    5000000000.0 /* keeps flows well inside flow-table idle timeouts */
#define UPLOAD_PCT 8

static uint32_t clamp_ns(double v, double lo, double hi)
{
    return (uint32_t)(v < lo ? lo : v > hi ? hi : v);
}

static uint64_t gap(double ns)
{
    return ns < 200 ? 200 : ns > MAX_GAP ? (uint64_t)MAX_GAP : (uint64_t)ns;
}

/* Rounds of a flow with d data packets: mostly few, sometimes many. */
static uint32_t plan_rounds(hy__synth *g, uint32_t d)
{
    uint32_t r = 1, max = d / 3 ? d / 3 : 1;
    while (r < max && r < 1000 && hy__rng_pct(&g->rng, 60))
        r++;
    return r;
}

void hy__synth_tcp_init(hy__synth *g, hy__flow *f)
{
    hy__rng *r = &g->rng;
    uint32_t n = f->left, close_pkts = 0;
    uint16_t cmss = f->v6 ? 1440 : 1460, smss = hy__rng_pct(r, 90) ? cmss : cmss - 80;

    f->seq[0] = (uint32_t)hy__rng_next(r);
    f->seq[1] = (uint32_t)hy__rng_next(r);
    f->tsoff[0] = (uint32_t)hy__rng_next(r);
    f->tsoff[1] = (uint32_t)hy__rng_next(r);
    f->ipid[0] = (uint16_t)hy__rng_next(r);
    f->ipid[1] = (uint16_t)hy__rng_next(r);
    f->flowlabel[0] = (uint32_t)hy__rng_next(r) & 0xfffff;
    f->flowlabel[1] = (uint32_t)hy__rng_next(r) & 0xfffff;
    f->ts_ok = f->os[0] != HY__OS_WINDOWS && f->os[1] == HY__OS_LINUX;
    f->ws[0] = f->os[0] == HY__OS_WINDOWS ? 8 : f->os[0] == HY__OS_MAC ? 6 : 7;
    f->ws[1] = f->os[1] == HY__OS_WINDOWS ? 8 : 7;
    f->win[0] = (uint16_t)hy__rng_range(r, 250, 2100);
    f->win[1] = (uint16_t)hy__rng_range(r, 250, 2100);
    f->mss = (uint16_t)((cmss < smss ? cmss : smss) - (f->ts_ok ? 12 : 0));

    f->rtt = clamp_ns(hy__synth_lognormal(r, 25e6, 1.0), 1e5, 8e8);
    f->gap[0] = clamp_ns(hy__synth_lognormal(r, 40e3, 0.5), 5e3, 2e6);
    f->gap[1] = clamp_ns(hy__synth_lognormal(r, 120e3, 1.0), 12e3, 12e6);
    f->think = clamp_ns(hy__synth_lognormal(r, 300e6, 1.2), 1e6, 4e9);
    f->srv_think = clamp_ns(hy__synth_lognormal(r, 2e6, 1.2), 5e4, 5e8);
    f->ack_delay = hy__rng_range(r, 15000, 150000);

    if (n <= 5) {
        f->closer = CLOSE_RST;
        close_pkts = n >= 4;
    } else if (n == 6) {
        f->closer = hy__rng_below(r, 2) ? CLOSE_SERVER : CLOSE_CLIENT;
    } else {
        unsigned u = hy__rng_below(r, 100);
        f->closer = u < 55 ? CLOSE_CLIENT : u < 85 ? CLOSE_SERVER : CLOSE_RST;
    }
    if (n >= 6)
        close_pkts = f->closer == CLOSE_RST ? 1 : 3;
    f->aux16 = hy__rng_pct(r, 70) ? 0 : 1; /* who sends the RST */
    if (n < 6)
        f->aux16 = 0;
    f->data_left = n > 3 + close_pkts ? n - 3 - close_pkts : 0;
    f->rounds_left = f->data_left ? plan_rounds(g, f->data_left) : 0;
    f->phase = T_SYN;

    double rounds = f->rounds_left;
    double est = (double)f->rtt * (2 + rounds) + rounds * ((double)f->think + f->srv_think) +
                 (double)n * f->gap[1] * 0.7 + f->think;
    hy__synth_fit_time(g, f, est);
}

/* ---- one segment */

static uint32_t tsval_now(const hy__synth *g, const hy__flow *f, int dir)
{
    return f->tsoff[dir] + (uint32_t)((f->t - g->cfg.start_ns) / 1000000u);
}

static uint8_t *opt_ts(uint8_t *p, uint32_t val, uint32_t ecr)
{
    p[0] = 8;
    p[1] = 10;
    hy__wr32(p + 2, val);
    hy__wr32(p + 6, ecr);
    return p + 10;
}

static uint8_t *opt_mss(uint8_t *p, uint16_t mss)
{
    p[0] = 2;
    p[1] = 4;
    hy__wr16(p + 2, mss);
    return p + 4;
}

static uint8_t *opt_ws(uint8_t *p, uint8_t shift)
{
    p[0] = 3;
    p[1] = 3;
    p[2] = shift;
    return p + 3;
}

static uint8_t *opt_sack_ok(uint8_t *p)
{
    p[0] = 4;
    p[1] = 2;
    return p + 2;
}

/* SYN options in the order each OS sends them. */
static size_t syn_options(const hy__synth *g, hy__flow *f, uint8_t *o)
{
    uint8_t *p = o;
    uint16_t mss = f->v6 ? 1440 : 1460;
    uint32_t tv = f->tsval[0] = tsval_now(g, f, 0);

    switch (f->os[0]) {
    case HY__OS_WINDOWS: /* MSS, NOP, WS, NOP, NOP, SACK_PERM */
        p = opt_mss(p, mss);
        *p++ = 1;
        p = opt_ws(p, f->ws[0]);
        *p++ = 1;
        *p++ = 1;
        p = opt_sack_ok(p);
        break;
    case HY__OS_MAC: /* MSS, NOP, WS, NOP, NOP, TS, SACK_PERM, EOL, EOL */
        p = opt_mss(p, mss);
        *p++ = 1;
        p = opt_ws(p, f->ws[0]);
        *p++ = 1;
        *p++ = 1;
        p = opt_ts(p, tv, 0);
        p = opt_sack_ok(p);
        *p++ = 0;
        *p++ = 0;
        break;
    default: /* Linux: MSS, SACK_PERM, TS, NOP, WS */
        p = opt_mss(p, mss);
        p = opt_sack_ok(p);
        p = opt_ts(p, tv, 0);
        *p++ = 1;
        p = opt_ws(p, f->ws[0]);
        break;
    }
    return (size_t)(p - o);
}

static size_t synack_options(const hy__synth *g, hy__flow *f, uint8_t *o)
{
    uint8_t *p = o;
    uint16_t mss = (uint16_t)(f->mss + (f->ts_ok ? 12 : 0));

    p = opt_mss(p, mss);
    if (f->ts_ok) { /* Linux: MSS, SACK_PERM, TS, NOP, WS */
        p = opt_sack_ok(p);
        p = opt_ts(p, f->tsval[1] = tsval_now(g, f, 1), f->tsval[0]);
    } else { /* MSS, NOP, NOP, SACK_PERM, NOP, WS */
        *p++ = 1;
        *p++ = 1;
        p = opt_sack_ok(p);
    }
    *p++ = 1;
    p = opt_ws(p, f->ws[1]);
    return (size_t)(p - o);
}

static uint16_t syn_window(const hy__flow *f, int dir)
{
    if (dir == 0)
        return f->os[0] == HY__OS_MAC ? 65535 : 64240;
    if (f->os[1] == HY__OS_WINDOWS)
        return 65535;
    return f->v6 ? 64800 : 65160;
}

/* Emits one segment from dir; paylen bytes come from message dir. */
static void emit(hy__synth *g, hy__flow *f, int dir, uint8_t flags, uint32_t paylen)
{
    uint8_t opts[40];
    size_t olen = 0;
    uint32_t seq = f->seq[dir], ack = (flags & FL_ACK) ? f->seq[!dir] : 0;
    uint16_t win = f->win[dir];
    hy__frame fr;

    if (flags & FL_SYN) {
        olen = dir ? synack_options(g, f, opts) : syn_options(g, f, opts);
        win = syn_window(f, dir);
    } else if (flags & FL_RST) {
        win = 0;
        if (f->phase == T_REFUSE)
            seq = 0;
    } else if (f->ts_ok) {
        opts[0] = opts[1] = 1;
        f->tsval[dir] = tsval_now(g, f, dir);
        opt_ts(opts + 2, f->tsval[dir], f->tsval[!dir]);
        olen = 12;
    }
    hy__synth_frame_begin(g, f, dir, (uint32_t)(20 + olen), paylen, &fr);
    uint8_t *h = fr.l4;
    hy__wr16(h, dir ? f->dport : f->sport);
    hy__wr16(h + 2, dir ? f->sport : f->dport);
    hy__wr32(h + 4, seq);
    hy__wr32(h + 8, ack);
    h[12] = (uint8_t)(((20 + olen) / 4) << 4);
    h[13] = flags;
    hy__wr16(h + 14, win);
    h[16] = h[17] = h[18] = h[19] = 0;
    memcpy(h + 20, opts, olen);
    fr.paysum = paylen ? hy__synth_msg_fill(g, f, dir, fr.pay, paylen) : 0;
    fr.paysum_ok = true;
    hy__synth_frame_end(g, f, &fr);
    f->seq[dir] += paylen + ((flags & (FL_SYN | FL_FIN)) ? 1 : 0);
    f->left--;
}

/* ---- rounds of request and response */

/* The next packet of the round, or -1 when it is complete. Receivers ACK
 * every second segment; spare ACKs go out early, missing ones at the end. */
static int round_next(hy__flow *f)
{
    if (f->r_stage == 0) {
        uint32_t segs = f->r_n[K_CSEG], acks = f->r_n[K_SACK];
        if (acks && (segs == 0 || (f->r_unacked && (f->r_unacked >= 2 || acks > (segs + 1) / 2))))
            return K_SACK;
        if (segs)
            return K_CSEG;
        f->r_stage = 1;
        f->r_unacked = 0;
    }
    uint32_t segs = f->r_n[K_SSEG], acks = f->r_n[K_CACK];
    if (acks && (segs == 0 || (f->r_unacked && (f->r_unacked >= 2 || acks > (segs + 1) / 2))))
        return K_CACK;
    if (segs)
        return K_SSEG;
    return -1;
}

/* Largest x with x + floor(x / 2) <= m: segments that m packets carry when
 * every second one is ACKed (an odd last one is ACKed by what follows). */
static uint32_t segs_for(uint32_t m)
{
    uint32_t x = 2 * m / 3;
    while (x && x + x / 2 > m)
        x--;
    while ((x + 1) + (x + 1) / 2 <= m)
        x++;
    return x;
}

static void round_start(hy__synth *g, hy__flow *f)
{
    uint32_t d = f->data_left, rl = f->rounds_left, a;
    uint8_t kc = HY__MSG_RANDOM, ks = HY__MSG_RANDOM;

    if (rl <= 1) {
        a = d;
    } else {
        double share = (double)d / rl * (0.3 + 1.4 * hy__rng_unit(&g->rng));
        uint32_t hi = d - (rl - 1);
        a = share < 1 ? 1 : share > hi ? hi : (uint32_t)share;
    }
    if (f->rounds_left)
        f->rounds_left--;
    f->round++;
    bool first = f->round == 1;
    f->upload = a >= 5 && !(first && (f->app == HY__APP_TLS || f->app == HY__APP_SSH)) &&
                hy__rng_pct(&g->rng, UPLOAD_PCT);
    memset(f->r_n, 0, sizeof f->r_n);
    if (a == 1) {
        f->r_n[K_CSEG] = 1;
    } else if (f->upload) {
        f->r_n[K_CSEG] = segs_for(a - 1);
        f->r_n[K_SACK] = a - 1 - f->r_n[K_CSEG];
        f->r_n[K_SSEG] = 1;
    } else {
        f->r_n[K_CSEG] = 1;
        f->r_n[K_SSEG] = segs_for(a - 1);
        f->r_n[K_CACK] = a - 1 - f->r_n[K_SSEG];
    }
    switch (f->app) {
    case HY__APP_HTTP:
        kc = f->r_n[K_CSEG] > 1 || f->upload ? HY__MSG_HTTP_POST : HY__MSG_HTTP_REQ;
        ks = HY__MSG_HTTP_RESP;
        break;
    case HY__APP_TLS:
        kc = first ? HY__MSG_TLS_CH : HY__MSG_TLS_APP;
        ks = first ? HY__MSG_TLS_SH : HY__MSG_TLS_APP;
        break;
    case HY__APP_SSH:
        if (first)
            kc = ks = HY__MSG_SSH_BANNER;
        break;
    default:
        break;
    }
    hy__synth_msg_plan(g, f, 0, kc, f->r_n[K_CSEG], f->mss);
    hy__synth_msg_plan(g, f, 1, ks, f->r_n[K_SSEG], f->mss);
    f->r_stage = 0;
    f->r_unacked = 0;
    f->r_kind = (uint8_t)round_next(f);
}

/* Time from a packet of kind k to the next one of kind nk in the same round. */
static uint64_t round_gap(const hy__flow *f, int k, int nk)
{
    switch (nk) {
    case K_CSEG:
        if (k == K_SACK && f->last_data[0] + f->gap[0] > f->t)
            return gap((double)(f->last_data[0] + f->gap[0] - f->t));
        return gap(f->gap[0]);
    case K_SSEG:
        if (k == K_CSEG || k == K_SACK)
            return gap((double)f->rtt + f->srv_think);
        if (k == K_CACK && f->last_data[1] + f->gap[1] > f->t)
            return gap((double)(f->last_data[1] + f->gap[1] - f->t));
        return gap(f->gap[1]);
    default:
        return gap(f->ack_delay);
    }
}

static void close_phase(hy__synth *g, hy__flow *f)
{
    f->phase = f->closer == CLOSE_RST ? T_RST : T_FIN1;
    f->t += gap(hy__synth_exp(&g->rng, f->think));
}

static void data_step(hy__synth *g, hy__flow *f)
{
    int k = f->r_kind, dir = (k == K_SACK || k == K_SSEG);
    hy__msg *m = &f->msg[dir];

    if (k == K_CSEG || k == K_SSEG) {
        uint32_t n = m->len - m->off < f->mss ? m->len - m->off : f->mss;
        bool last = m->off + n == m->len;
        emit(g, f, dir, FL_ACK | (last ? FL_PSH : 0), n);
        f->last_data[dir] = f->t;
        f->r_unacked++;
    } else {
        emit(g, f, dir, FL_ACK, 0);
        f->r_unacked = 0;
    }
    f->r_n[k]--;
    f->data_left--;
    int nk = round_next(f);
    if (nk >= 0) {
        f->t += round_gap(f, k, nk);
        f->r_kind = (uint8_t)nk;
    } else if (f->data_left) {
        bool quick = f->app == HY__APP_TLS && f->round == 1;
        round_start(g, f);
        f->t += quick ? gap(2.0 * f->ack_delay) : gap(hy__synth_exp(&g->rng, f->think));
    } else {
        close_phase(g, f);
    }
}

bool hy__synth_tcp_step(hy__synth *g, hy__flow *f)
{
    int c = f->closer == CLOSE_SERVER, rst = f->aux16;

    switch (f->phase) {
    case T_SYN:
        emit(g, f, 0, FL_SYN, 0);
        f->phase = f->left == 1 ? T_REFUSE : T_SYNACK;
        f->t += gap(f->rtt);
        break;
    case T_SYNACK:
        emit(g, f, 1, FL_SYN | FL_ACK, 0);
        f->phase = f->left == 1 ? T_RST : T_HS_ACK;
        f->t += gap(f->ack_delay);
        break;
    case T_HS_ACK:
        emit(g, f, 0, FL_ACK, 0);
        if (f->data_left) {
            f->phase = T_DATA;
            round_start(g, f);
            f->t += gap(f->ack_delay);
        } else {
            close_phase(g, f);
        }
        break;
    case T_REFUSE:
        emit(g, f, 1, FL_RST | FL_ACK, 0);
        f->phase = T_DONE;
        break;
    case T_DATA:
        data_step(g, f);
        break;
    case T_FIN1:
        emit(g, f, c, FL_FIN | FL_ACK, 0);
        f->phase = T_FIN2;
        f->t += gap(c ? f->ack_delay : f->rtt);
        break;
    case T_FIN2:
        emit(g, f, !c, FL_FIN | FL_ACK, 0);
        f->phase = T_FIN3;
        f->t += gap(c ? f->rtt : f->ack_delay);
        break;
    case T_FIN3:
        emit(g, f, c, FL_ACK, 0);
        f->phase = T_DONE;
        break;
    case T_RST:
        emit(g, f, rst, FL_RST | FL_ACK, 0);
        f->phase = T_DONE;
        break;
    default:
        return false;
    }
    return f->left > 0 && f->phase != T_DONE;
}
