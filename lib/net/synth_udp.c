/* Traffic generator: UDP and ICMP flows. DNS queries for server names with
 * EDNS and matching answers (A, AAAA, HTTPS no-data, NXDOMAIN), NTPv4
 * client/server exchanges, QUIC-like sessions (Initial long headers, then
 * short headers), RTP voice streams, and ICMP / ICMPv6 echo with the payloads
 * of Linux and Windows ping. */
#include <string.h>

#include "net/synth_int.h"

#define NTP_UNIX_OFFSET 2208988800ull
#define RTP_PTIME_NS    20000000u

static uint32_t clamp_ns(double v, double lo, double hi)
{
    return (uint32_t)(v < lo ? lo : v > hi ? hi : v);
}

static uint64_t gap(double ns)
{
    return ns < 200 ? 200 : (uint64_t)ns;
}

static void init_ip(hy__synth *g, hy__flow *f)
{
    f->ipid[0] = (uint16_t)hy__rng_next(&g->rng);
    f->ipid[1] = (uint16_t)hy__rng_next(&g->rng);
    f->flowlabel[0] = (uint32_t)hy__rng_next(&g->rng) & 0xfffff;
    f->flowlabel[1] = (uint32_t)hy__rng_next(&g->rng) & 0xfffff;
}

/* Starts a UDP datagram from dir with paylen bytes; returns the payload. */
static uint8_t *udp_begin(hy__synth *g, hy__flow *f, int dir, uint32_t paylen, hy__frame *fr)
{
    hy__synth_frame_begin(g, f, dir, 8, paylen, fr);
    hy__wr16(fr->l4, dir ? f->dport : f->sport);
    hy__wr16(fr->l4 + 2, dir ? f->sport : f->dport);
    hy__wr16(fr->l4 + 4, (uint16_t)(8 + paylen));
    return fr->pay;
}

static void finish(hy__synth *g, hy__flow *f, hy__frame *fr)
{
    hy__synth_frame_end(g, f, fr);
    f->left--;
}

/* ---- DNS: aux32 = server asked for, aux16 = id, aux64 = qtype | nx << 16 */

static size_t dns_name(const hy__synth *g, const hy__flow *f, uint8_t *out)
{
    char name[128];
    size_t n, o = 0;

    if (f->aux64 >> 16 & 1) { /* a name that does not exist */
        uint64_t h = hy__mix64(f->aux64 ^ ((uint64_t)f->id << 24) ^ g->cfg.seed);
        static const char *const l[8] = {"wpad",       "printer", "nas",    "intranet",
                                         "fileserver", "vpn",     "gitlab", "backup"};
        memcpy(name, l[h & 7], strlen(l[h & 7]) + 1);
        memcpy(name + strlen(name), ".corp.lan", 10);
        n = strlen(name);
    } else {
        n = hy__synth_server_name(g, f->aux32, name, sizeof name);
    }
    for (size_t i = 0; i <= n;) { /* labels */
        size_t j = i;
        while (j < n && name[j] != '.')
            j++;
        out[o++] = (uint8_t)(j - i);
        memcpy(out + o, name + i, j - i);
        o += j - i;
        i = j + 1;
    }
    out[o++] = 0;
    return o;
}

static uint8_t *put_opt(uint8_t *p, uint16_t udp_size)
{
    static const uint8_t opt[11] = {0, 0, 41, 0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(p, opt, 11);
    hy__wr16(p + 3, udp_size);
    return p + 11;
}

static size_t dns_message(hy__synth *g, hy__flow *f, bool resp, uint8_t *out)
{
    uint16_t qtype = (uint16_t)f->aux64;
    bool nx = f->aux64 >> 16 & 1;
    bool answer = resp && !nx && (qtype == 1 || qtype == 28);
    uint8_t *p = out;

    hy__wr16(p, f->aux16);
    hy__wr16(p + 2, resp ? (nx ? 0x8183 : 0x8180) : 0x0100);
    hy__wr16(p + 4, 1);
    hy__wr16(p + 6, answer);
    hy__wr16(p + 8, 0);
    hy__wr16(p + 10, 1);
    p += 12;
    p += dns_name(g, f, p);
    hy__wr16(p, qtype);
    hy__wr16(p + 2, 1);
    p += 4;
    if (answer) {
        uint8_t addr[16];
        bool v6 = qtype == 28;
        hy__synth_server_addr(f->aux32, v6, addr);
        hy__wr16(p, 0xc00c);
        hy__wr16(p + 2, qtype);
        hy__wr16(p + 4, 1);
        hy__wr32(p + 6, 60 * hy__rng_range(&g->rng, 1, 60));
        hy__wr16(p + 10, v6 ? 16 : 4);
        memcpy(p + 12, addr, v6 ? 16 : 4);
        p += 12 + (v6 ? 16 : 4);
    }
    p = put_opt(p, resp ? 1232 : 4096);
    return (size_t)(p - out);
}

/* ---- NTP */

static void ntp_ts(uint8_t *p, uint64_t ns)
{
    uint64_t frac = ((ns % 1000000000u) << 32) / 1000000000u;
    hy__wr32(p, (uint32_t)(ns / 1000000000u + NTP_UNIX_OFFSET));
    hy__wr32(p + 4, (uint32_t)frac);
}

static void ntp_packet(const hy__flow *f, bool resp, uint8_t *p)
{
    memset(p, 0, 48);
    if (!resp) {
        p[0] = 0x23; /* LI 0, version 4, mode 3 (client) */
        ntp_ts(p + 40, f->t);
        return;
    }
    uint64_t sent = f->aux64, recv = sent + f->rtt / 2;
    p[0] = 0x24; /* mode 4 (server) */
    p[1] = 2;    /* stratum */
    p[2] = 3;    /* poll */
    p[3] = 0xe9; /* precision 2^-23 */
    hy__wr32(p + 4, 0x00000120);
    hy__wr32(p + 8, 0x00000560);
    hy__wr32(p + 12, 0xc0000201 + (f->server & 0xff)); /* reference id: upstream */
    ntp_ts(p + 16, sent - 64000000000ull);
    ntp_ts(p + 24, sent);
    ntp_ts(p + 32, recv);
    ntp_ts(p + 40, recv + 25000);
}

/* ---- QUIC-like: aux64 = client connection id */

static uint32_t quic_size(hy__synth *g, uint32_t i, bool client)
{
    if (i < 3)
        return i == 1 ? hy__rng_range(&g->rng, 1200, 1252) : 1250;
    return client ? hy__rng_range(&g->rng, 33, 60) : hy__rng_range(&g->rng, 1000, 1350);
}

static void quic_packet(hy__synth *g, hy__flow *f, uint32_t i, bool client, uint8_t *p, uint32_t n)
{
    uint64_t ccid = f->aux64, scid = hy__mix64(ccid ^ 0x51);
    hy__synth_random_fill(g, p, n);
    if (i >= 3) { /* short header: fixed bit, destination connection id */
        p[0] = (uint8_t)(0x40 | (p[0] & 0x3f));
        uint64_t d = client ? scid : ccid;
        memcpy(p + 1, &d, 8);
        return;
    }
    uint64_t dcid = client ? (i == 0 ? hy__mix64(ccid ^ 0x1d) : scid) : ccid;
    uint64_t src = client ? ccid : scid;
    p[0] = i == 2 ? 0xe3 : 0xc3; /* long header: Initial, or Handshake */
    hy__wr32(p + 1, 1);          /* QUIC version 1 */
    p[5] = 8;
    memcpy(p + 6, &dcid, 8);
    p[14] = 8;
    memcpy(p + 15, &src, 8);
    size_t at = 23;
    if (i != 2)
        p[at++] = 0; /* no token */
    hy__wr16(p + at, (uint16_t)(0x4000 | (n - at - 2)));
}

/* ---- RTP: aux64 = stream seed */

static void rtp_packet(hy__synth *g, hy__flow *f, int dir, uint32_t k, uint8_t *p)
{
    uint64_t h = hy__mix64(f->aux64 ^ (uint64_t)dir);
    p[0] = 0x80;                 /* version 2 */
    p[1] = k == 0 ? 0x80 : 0x00; /* marker on the first packet, PCMU */
    hy__wr16(p + 2, (uint16_t)(h + k));
    hy__wr32(p + 4, (uint32_t)(h >> 16) + 160 * k);
    hy__wr32(p + 8, (uint32_t)(h >> 32));
    hy__synth_random_fill(g, p + 12, 160);
}

void hy__synth_udp_init(hy__synth *g, hy__flow *f)
{
    hy__rng *r = &g->rng;
    init_ip(g, f);
    f->ack_delay = hy__rng_range(r, 15000, 150000);
    switch (f->app) {
    case HY__APP_DNS: {
        unsigned u = hy__rng_below(r, 100);
        uint16_t qt = f->v6 ? (u < 60 ? 28 : 1) : (u < 75 ? 1 : u < 90 ? 28 : 65);
        bool nx = hy__rng_pct(r, 4);
        f->aux16 = (uint16_t)hy__rng_next(r);
        f->aux32 = hy__synth_pick_server(g);
        f->aux64 = qt | (uint64_t)nx << 16;
        f->rtt = hy__rng_pct(r, 70) ? clamp_ns(hy__synth_lognormal(r, 1.5e6, 0.6), 1e5, 1e9)
                                    : clamp_ns(hy__synth_lognormal(r, 40e6, 0.8), 1e6, 2e9);
        hy__synth_fit_time(g, f, f->rtt);
        break;
    }
    case HY__APP_NTP:
        f->rtt = clamp_ns(hy__synth_lognormal(r, 20e6, 0.8), 2e5, 1e9);
        hy__synth_fit_time(g, f, f->rtt);
        break;
    case HY__APP_QUIC:
        f->aux64 = hy__rng_next(r);
        f->rtt = clamp_ns(hy__synth_lognormal(r, 25e6, 1.0), 1e5, 8e8);
        f->gap[1] = clamp_ns(hy__synth_lognormal(r, 150e3, 1.0), 12e3, 12e6);
        f->srv_think = clamp_ns(hy__synth_lognormal(r, 2e6, 1.0), 5e4, 2e8);
        hy__synth_fit_time(g, f, 3.0 * f->rtt + (double)f->left * f->gap[1]);
        break;
    default: /* RTP: one packet per direction every 20 ms, interleaved */
        f->aux64 = hy__rng_next(r);
        f->gap[0] = RTP_PTIME_NS / 2;
        hy__synth_fit_time(g, f, (double)f->left * f->gap[0]);
        break;
    }
}

bool hy__synth_udp_step(hy__synth *g, hy__flow *f)
{
    uint32_t i = f->planned - f->left; /* index of this packet in the flow */
    uint8_t buf[512], *p;
    hy__frame fr;
    size_t n;

    switch (f->app) {
    case HY__APP_DNS:
        n = dns_message(g, f, i > 0, buf);
        memcpy(udp_begin(g, f, i > 0, (uint32_t)n, &fr), buf, n);
        finish(g, f, &fr);
        f->t += gap(f->rtt);
        break;
    case HY__APP_NTP:
        ntp_packet(f, i > 0, udp_begin(g, f, i > 0, 48, &fr));
        if (i == 0)
            f->aux64 = f->t;
        finish(g, f, &fr);
        f->t += gap(f->rtt);
        break;
    case HY__APP_QUIC: {
        bool client = i == 0 || i == 2 || (i >= 3 && (i - 3) % 3 == 2);
        uint32_t sz = quic_size(g, i, client);
        p = udp_begin(g, f, !client, sz, &fr);
        quic_packet(g, f, i, client, p, sz);
        finish(g, f, &fr);
        bool next_client = i + 1 == 2 || (i + 1 >= 3 && (i - 2) % 3 == 2);
        if (i == 0)
            f->t += gap(f->rtt);
        else if (i == 2)
            f->t += gap((double)f->rtt + f->srv_think);
        else
            f->t += gap(next_client ? f->ack_delay : f->gap[1]);
        break;
    }
    default:
        p = udp_begin(g, f, (int)(i & 1), 172, &fr);
        rtp_packet(g, f, (int)(i & 1), i / 2, p);
        finish(g, f, &fr);
        f->t += gap(f->gap[0]);
        break;
    }
    return f->left > 0;
}

/* ---- ICMP echo: aux16 = identifier, icmp_seq = next sequence, aux64 =
 * time of the last request */

void hy__synth_icmp_init(hy__synth *g, hy__flow *f)
{
    hy__rng *r = &g->rng;
    init_ip(g, f);
    f->aux16 = f->os[0] == HY__OS_WINDOWS ? 1 : (uint16_t)hy__rng_next(r);
    f->icmp_seq = f->os[0] == HY__OS_WINDOWS ? (uint16_t)hy__rng_range(r, 1, 60000) : 1;
    f->rtt = clamp_ns(hy__synth_lognormal(r, 20e6, 1.0), 1e5, 8e8);
    f->gap[0] = 1000000000u; /* one echo request a second */
    hy__synth_fit_time(g, f, (double)(f->left / 2 + 1) * f->gap[0]);
}

static uint32_t echo_payload(const hy__flow *f, uint8_t *p)
{
    if (f->os[0] == HY__OS_WINDOWS) {
        memcpy(p, "abcdefghijklmnopqrstuvwabcdefghi", 32);
        return 32;
    }
    uint64_t t = f->aux64, sec = t / 1000000000u, usec = t % 1000000000u / 1000;
    for (int b = 0; b < 8; b++) { /* struct timeval, little-endian */
        p[b] = (uint8_t)(sec >> (8 * b));
        p[8 + b] = (uint8_t)(usec >> (8 * b));
    }
    for (uint8_t b = 16; b < 56; b++)
        p[b] = b;
    return 56;
}

bool hy__synth_icmp_step(hy__synth *g, hy__flow *f)
{
    uint32_t i = f->planned - f->left;
    int dir = (int)(i & 1);
    uint8_t pay[56];
    hy__frame fr;

    if (dir == 0)
        f->aux64 = f->t;
    uint32_t n = echo_payload(f, pay);
    hy__synth_frame_begin(g, f, dir, 8, n, &fr);
    uint8_t *h = fr.l4;
    if (f->v6)
        h[0] = dir ? 129 : 128;
    else
        h[0] = dir ? 0 : 8;
    h[1] = 0;
    hy__wr16(h + 4, f->aux16);
    hy__wr16(h + 6, f->icmp_seq);
    memcpy(fr.pay, pay, n);
    finish(g, f, &fr);
    if (dir == 1) {
        f->icmp_seq++;
        f->t += gap((double)f->gap[0] - f->rtt);
    } else {
        f->t += gap(f->rtt);
    }
    return f->left > 0;
}
