/* Darknet generator: the packets. Background probes (TCP SYN with the
 * options of the sender's stack, UDP probes with the payloads scanners
 * send, ICMP echo), outbreak and research-scanner probes with their
 * fingerprints, and backscatter (SYN-ACK with retransmissions, RST, ICMP
 * errors quoting the spoofed packet). Frames go through the pcap writer of
 * synth_pcap.c. */
#include <stdio.h>
#include <string.h>

#include "net/synth_int.h"

#define ZMAP_IPID 54321u
#define FL_SYN    0x02
#define FL_RST    0x04
#define FL_ACK    0x10
#define FIX_TRIES 16

/* Destination ports of background radiation, most probed first; the mix
 * is Zipf-like over this order, plus a uniform tail. 0 marks ICMP echo. */
static const struct {
    uint8_t proto;
    uint16_t port;
} bg_ports[] = {
    {6, 23},    {6, 445},    {1, 0},     {6, 22},    {6, 80},   {6, 8080},   {17, 53},   {6, 443},
    {6, 3389},  {6, 2323},   {17, 123},  {6, 5555},  {6, 1433}, {17, 161},   {6, 3306},  {17, 1900},
    {6, 81},    {6, 8443},   {17, 5060}, {6, 6379},  {6, 5900}, {6, 21},     {17, 137},  {6, 25},
    {6, 7547},  {6, 8081},   {17, 19},   {6, 8088},  {6, 9200}, {17, 11211}, {6, 2375},  {6, 135},
    {17, 389},  {6, 139},    {6, 1723},  {17, 5353}, {6, 8000}, {6, 8888},   {17, 3702}, {6, 5432},
    {6, 110},   {17, 27015}, {6, 143},   {6, 2222},  {17, 111}, {6, 9000},   {17, 500},  {6, 49152},
    {17, 1434}, {6, 3128},
};
#define BG_PORTS   (sizeof bg_ports / sizeof bg_ports[0])
#define BG_TAIL    10 /* % of background to uniformly random ports */
#define BG_HOME    85 /* % of a source's probes to its own favourite service */
#define ZIPF_PORTS 1.05

/* ---- frames */

static uint16_t fold(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* IPv4 header checksum stored natively (the sum is byte-order independent). */
static void ip_csum(uint8_t *ip)
{
    ip[10] = ip[11] = 0;
    uint16_t c = fold(hy__synth_csum_add(0, ip, 20));
    memcpy(ip + 10, &c, 2);
}

static void frame_start(hy__dn *g, const hy__dn_hdr *h, uint8_t proto, uint32_t hlen,
                        uint32_t paylen, hy__frame *fr)
{
    hy__flow *f = &g->f;
    f->proto = proto;
    f->t = h->t;
    hy__wr32(f->cip, h->src);
    hy__wr32(f->sip, h->dst);
    f->ttl[0] = h->ttl;
    f->ipid[0] = h->ipid;
    f->os[0] = HY__OS_LINUX;
    hy__synth_frame_begin(g->w, f, 0, hlen, paylen, fr);
    bool df = (fr->l3[6] & 0x40) != 0;
    if (df != h->df) {
        fr->l3[6] = h->df ? 0x40 : 0;
        ip_csum(fr->l3);
    }
}

void hy__dn_emit_tcp(hy__dn *g, const hy__dn_hdr *h, uint16_t sport, uint16_t dport, uint32_t seq,
                     uint32_t ack, uint8_t flags, uint16_t win, const uint8_t *opt, uint32_t olen)
{
    hy__frame fr;
    frame_start(g, h, 6, 20 + olen, 0, &fr);
    uint8_t *p = fr.l4;
    hy__wr16(p, sport);
    hy__wr16(p + 2, dport);
    hy__wr32(p + 4, seq);
    hy__wr32(p + 8, ack);
    p[12] = (uint8_t)(((20 + olen) / 4) << 4);
    p[13] = flags;
    hy__wr16(p + 14, win);
    p[16] = p[17] = p[18] = p[19] = 0;
    if (olen)
        memcpy(p + 20, opt, olen);
    hy__synth_frame_end(g->w, &g->f, &fr);
}

void hy__dn_emit_udp(hy__dn *g, const hy__dn_hdr *h, uint16_t sport, uint16_t dport,
                     const uint8_t *pay, uint32_t len)
{
    hy__frame fr;
    frame_start(g, h, 17, 8, len, &fr);
    hy__wr16(fr.l4, sport);
    hy__wr16(fr.l4 + 2, dport);
    hy__wr16(fr.l4 + 4, (uint16_t)(8 + len));
    if (len)
        memcpy(fr.pay, pay, len);
    hy__synth_frame_end(g->w, &g->f, &fr);
}

void hy__dn_emit_icmp(hy__dn *g, const hy__dn_hdr *h, uint8_t type, uint8_t code, uint32_t rest,
                      const uint8_t *pay, uint32_t len)
{
    hy__frame fr;
    frame_start(g, h, 1, 8, len, &fr);
    fr.l4[0] = type;
    fr.l4[1] = code;
    hy__wr32(fr.l4 + 4, rest);
    if (len)
        memcpy(fr.pay, pay, len);
    hy__synth_frame_end(g->w, &g->f, &fr);
}

/* ---- fingerprints */

static uint16_t masscan_id(uint32_t dst, uint16_t dport, uint32_t seq)
{
    return (uint16_t)((dst ^ dport ^ seq) & 0xffff);
}

static uint16_t rand_id(hy__rng *r)
{
    return (uint16_t)(hy__rng_next(r) >> 48);
}

static uint32_t rand_seq(hy__rng *r)
{
    return (uint32_t)hy__rng_next(r);
}

/* A seq other than dst whose Masscan ID is not 54321 (last resort). */
static uint32_t safe_seq(uint32_t dst, uint16_t dport)
{
    uint32_t x = (uint32_t)(dport ^ ZMAP_IPID ^ 1u) & 0xffff;
    return dst ^ 0x10000u ^ x;
}

void hy__dn_fp_apply(uint8_t fp, uint32_t dst, uint16_t dport, bool tcp, uint32_t *seq,
                     uint16_t *ipid, hy__rng *r)
{
    unsigned i;
    switch (fp) {
    case HY_SYNTH_FP_MIRAI: /* the Masscan ID of seq == dst is dport */
        *seq = dst;
        for (i = 0; i < FIX_TRIES && (*ipid == ZMAP_IPID || *ipid == dport); i++)
            *ipid = rand_id(r);
        if (i == FIX_TRIES)
            *ipid =
                (uint16_t)(dport ^ 1) == ZMAP_IPID ? (uint16_t)(dport ^ 2) : (uint16_t)(dport ^ 1);
        return;
    case HY_SYNTH_FP_ZMAP:
    case HY_SYNTH_FP_MASSCAN:
        if (tcp) {
            for (i = 0; i < FIX_TRIES && (*seq == dst || masscan_id(dst, dport, *seq) == ZMAP_IPID);
                 i++)
                *seq = rand_seq(r);
            if (i == FIX_TRIES)
                *seq = safe_seq(dst, dport);
        }
        *ipid = fp == HY_SYNTH_FP_ZMAP ? (uint16_t)ZMAP_IPID : masscan_id(dst, dport, *seq);
        return;
    default:
        if (tcp) {
            for (i = 0; i < FIX_TRIES && *seq == dst; i++)
                *seq = rand_seq(r);
            if (*seq == dst)
                *seq = dst ^ 1;
        }
        for (i = 0; i < FIX_TRIES &&
                    (*ipid == ZMAP_IPID || (tcp && *ipid == masscan_id(dst, dport, *seq)));
             i++)
            *ipid = rand_id(r);
        if (i == FIX_TRIES) {
            uint16_t m = tcp ? masscan_id(dst, dport, *seq) : (uint16_t)ZMAP_IPID;
            *ipid = (uint16_t)(m ^ 1) == ZMAP_IPID ? (uint16_t)(m ^ 2) : (uint16_t)(m ^ 1);
        }
        return;
    }
}

/* ---- options and payloads */

uint32_t hy__dn_syn_opts(uint8_t style, uint32_t tsval, uint8_t *o)
{
    static const uint8_t win_opts[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};
    switch (style) {
    case HY__DN_STYLE_LINUX: /* MSS, SACK_PERM, TS, NOP, WS */
        o[0] = 2, o[1] = 4, o[2] = 0x05, o[3] = 0xb4;
        o[4] = 4, o[5] = 2;
        o[6] = 8, o[7] = 10;
        hy__wr32(o + 8, tsval);
        hy__wr32(o + 12, 0);
        o[16] = 1, o[17] = 3, o[18] = 3, o[19] = 7;
        return 20;
    case HY__DN_STYLE_WINDOWS: /* MSS, NOP, WS, NOP, NOP, SACK_PERM */
        memcpy(o, win_opts, sizeof win_opts);
        return 12;
    case HY__DN_STYLE_MSS:
        o[0] = 2, o[1] = 4, o[2] = 0x05, o[3] = 0xb4;
        return 4;
    default:
        return 0;
    }
}

static uint32_t put_str(uint8_t *out, uint32_t at, const char *s)
{
    size_t n = strlen(s);
    memcpy(out + at, s, n);
    return at + (uint32_t)n;
}

/* DNS query: header, name, type, class, and EDNS OPT half the time. */
static uint32_t dns_query(hy__rng *r, uint8_t *o)
{
    static const char *const names[] = {"\6google\3com",   "\7example\3com", "\3isc\3org",
                                        "\7version\4bind", "\3www\6qq\3com", ""};
    static const uint16_t types[] = {1, 1, 255, 16, 1, 2};
    unsigned k = hy__rng_below(r, 6);
    bool edns = hy__rng_pct(r, 50);
    hy__wr16(o, (uint16_t)hy__rng_next(r));
    hy__wr16(o + 2, k == 3 ? 0x0000 : 0x0100);
    hy__wr16(o + 4, 1);
    hy__wr16(o + 6, 0);
    hy__wr16(o + 8, 0);
    hy__wr16(o + 10, edns);
    uint32_t n = put_str(o, 12, names[k]);
    o[n++] = 0;
    hy__wr16(o + n, types[k]);
    hy__wr16(o + n + 2, k == 3 ? 3 : 1); /* version.bind is CHAOS */
    n += 4;
    if (edns) {
        static const uint8_t opt[11] = {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0};
        memcpy(o + n, opt, sizeof opt);
        n += sizeof opt;
    }
    return n;
}

static uint32_t snmp_get(hy__rng *r, uint8_t *o)
{
    static const uint8_t tpl[43] = {
        0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, 'p',  'u',  'b',  'l',  'i',  'c',  0xa0, 0x1c,
        0x02, 0x04, 0,    0,    0,    0,    0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30,
        0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00};
    memcpy(o, tpl, sizeof tpl);
    hy__wr32(o + 17, (uint32_t)hy__rng_next(r) & 0x7fffffff);
    return sizeof tpl;
}

static uint32_t netbios_stat(hy__rng *r, uint8_t *o)
{
    hy__wr16(o, (uint16_t)hy__rng_next(r));
    static const uint8_t hdr[10] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(o + 2, hdr, sizeof hdr);
    o[12] = 0x20;
    memcpy(o + 13, "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 32);
    static const uint8_t tail[5] = {0, 0, 0x21, 0, 1};
    memcpy(o + 45, tail, sizeof tail);
    return 50;
}

static uint32_t sip_options(hy__rng *r, uint8_t *o)
{
    unsigned tag = (unsigned)hy__rng_next(r);
    int n = snprintf((char *)o, 256,
                     "OPTIONS sip:100@127.0.0.1 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-%u\r\n"
                     "Max-Forwards: 70\r\nTo: <sip:100@127.0.0.1>\r\n"
                     "From: <sip:100@127.0.0.1>;tag=%08x\r\nCall-ID: %u\r\n"
                     "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                     tag % 100000, tag, tag / 7);
    return n > 0 && n < 256 ? (uint32_t)n : 0;
}

static uint32_t ntp_probe(hy__rng *r, uint8_t *o)
{
    if (hy__rng_pct(r, 40)) { /* mode 7 monlist request */
        static const uint8_t monlist[8] = {0x17, 0x00, 0x03, 0x2a, 0, 0, 0, 0};
        memcpy(o, monlist, sizeof monlist);
        return sizeof monlist;
    }
    memset(o, 0, 48);
    o[0] = 0xe3; /* LI 3, version 4, client */
    hy__wr32(o + 40, (uint32_t)hy__rng_next(r));
    hy__wr32(o + 44, (uint32_t)hy__rng_next(r));
    return 48;
}

uint32_t hy__dn_udp_payload(uint16_t port, hy__rng *r, uint8_t *o)
{
    switch (port) {
    case 53:
        return dns_query(r, o);
    case 123:
        return ntp_probe(r, o);
    case 161:
        return snmp_get(r, o);
    case 137:
        return netbios_stat(r, o);
    case 5060:
        return sip_options(r, o);
    case 1900:
        return put_str(o, 0,
                       "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                       "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n");
    case 11211: {
        static const uint8_t mc[15] = {0, 1, 0, 0, 0, 1, 0, 0, 's', 't', 'a', 't', 's', '\r', '\n'};
        memcpy(o, mc, sizeof mc);
        return sizeof mc;
    }
    case 27015:
        memcpy(o, "\xff\xff\xff\xffTSource Engine Query", 25);
        return 25;
    case 111: { /* portmap DUMP call */
        memset(o, 0, 40);
        hy__wr32(o, (uint32_t)hy__rng_next(r));
        hy__wr32(o + 8, 2);
        hy__wr32(o + 12, 100000);
        hy__wr32(o + 16, 2);
        hy__wr32(o + 20, 4);
        return 40;
    }
    case 5683: /* CoAP GET /.well-known/core */
        o[0] = 0x40, o[1] = 0x01;
        hy__wr16(o + 2, (uint16_t)hy__rng_next(r));
        o[4] = 0xbb;
        memcpy(o + 5, ".well-known", 11);
        o[16] = 0x04;
        memcpy(o + 17, "core", 4);
        return 21;
    case 1434:
        o[0] = 0x02;
        return 1;
    case 389: { /* CLDAP rootDSE search, (objectclass=*) */
        static const uint8_t cldap[39] = {
            0x30, 0x25, 0x02, 0x01, 0x01, 0x63, 0x20, 0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a,
            0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, 0x87, 0x0b,
            'o',  'b',  'j',  'e',  'c',  't',  'c',  'l',  'a',  's',  's',  0x30, 0x00};
        memcpy(o, cldap, sizeof cldap);
        return sizeof cldap;
    }
    case 500: /* IKEv2 IKE_SA_INIT header from an initiator */
        memset(o, 0, 28);
        hy__wr32(o, (uint32_t)hy__rng_next(r));
        hy__wr32(o + 4, (uint32_t)hy__rng_next(r));
        o[17] = 0x20;
        o[18] = 34;
        o[19] = 0x08;
        hy__wr32(o + 24, 28);
        return 28;
    case 3702: /* the short WS-Discovery trigger of reflection scans */
        return put_str(o, 0, "<:/>");
    case 19:
        o[0] = 0x0a;
        return 1;
    case 5353: {
        memset(o, 0, 12);
        hy__wr16(o + 4, 1);
        uint32_t n = put_str(o, 12, "\x09_services\x07_dns-sd\x04_udp\x05local");
        o[n++] = 0;
        hy__wr16(o + n, 12);
        hy__wr16(o + n + 2, 1);
        return n + 4;
    }
    default:
        return 0;
    }
}

/* ---- background */

/* Service of a background probe: the source's favourite one most of the
 * time, else one drawn from the whole mix; proto 1 is ICMP echo. */
static void bg_service(hy__rng *r, uint64_t h, uint8_t *proto, uint16_t *port)
{
    double u = hy__rng_pct(r, BG_HOME) ? (double)(h >> 11) * 0x1.0p-53 : hy__rng_unit(r);
    if (u < BG_TAIL / 100.0) {
        *proto = u < BG_TAIL * 0.85 / 100.0 ? 6 : 17;
        *port = (uint16_t)hy__rng_range(r, 1, 65535);
        return;
    }
    u = (u - BG_TAIL / 100.0) / (1.0 - BG_TAIL / 100.0);
    uint32_t k = hy__dn_zipf_u(u, BG_PORTS, ZIPF_PORTS);
    *proto = bg_ports[k].proto;
    *port = bg_ports[k].port;
}

static uint8_t style_of(uint64_t h)
{
    unsigned k = (unsigned)((h >> 24) % 100);
    return k < 40   ? HY__DN_STYLE_LINUX
           : k < 60 ? HY__DN_STYLE_WINDOWS
           : k < 85 ? HY__DN_STYLE_BARE
                    : HY__DN_STYLE_MSS;
}

static uint8_t ttl_of(uint8_t style, uint64_t h)
{
    unsigned hops = 6 + (unsigned)((h >> 40) % 20), init;
    if (style == HY__DN_STYLE_LINUX)
        init = 64;
    else if (style == HY__DN_STYLE_WINDOWS)
        init = 128;
    else
        init = (h >> 33) & 1 ? 64 : 255;
    return (uint8_t)(init - hops);
}

static uint16_t eph_port(hy__rng *r, uint8_t style, uint64_t h)
{
    if (style == HY__DN_STYLE_LINUX)
        return (uint16_t)hy__rng_range(r, 32768, 60999);
    if (style == HY__DN_STYLE_WINDOWS)
        return (uint16_t)hy__rng_range(r, 49152, 65535);
    if ((h >> 50) & 1) /* raw tools often keep one source port */
        return (uint16_t)(1024 + (h >> 52) % 64512);
    return (uint16_t)hy__rng_range(r, 1024, 65535);
}

static void bg_tcp(hy__dn *g, hy__dn_hdr *hd, uint64_t h, uint16_t dport)
{
    hy__rng *r = &g->bg_rng;
    uint8_t style = style_of(h), opt[20];
    static const uint16_t bare_win[4] = {1024, 5840, 14600, 65535};
    uint16_t win = style == HY__DN_STYLE_LINUX     ? ((h >> 5) & 1 ? 64240 : 29200)
                   : style == HY__DN_STYLE_WINDOWS ? ((h >> 5) & 1 ? 64240 : 8192)
                   : style == HY__DN_STYLE_MSS     ? 1024
                                                   : bare_win[(h >> 6) & 3];
    uint32_t tsval = (uint32_t)(hd->t / 1000000u + (uint32_t)h);
    uint32_t olen = hy__dn_syn_opts(style, tsval, opt);
    uint32_t seq = (uint32_t)hy__rng_next(r);
    hd->ttl = ttl_of(style, h);
    hd->df = style <= HY__DN_STYLE_WINDOWS;
    hd->ipid = rand_id(r);
    hy__dn_fp_apply(HY_SYNTH_FP_NONE, hd->dst, dport, true, &seq, &hd->ipid, r);
    hy__dn_emit_tcp(g, hd, eph_port(r, style, h), dport, seq, 0, FL_SYN, win, opt, olen);
}

static void bg_udp(hy__dn *g, hy__dn_hdr *hd, uint64_t h, uint16_t dport)
{
    hy__rng *r = &g->bg_rng;
    uint8_t pay[256], style = style_of(h);
    uint32_t n = hy__dn_udp_payload(dport, r, pay);
    if (n == 0) {
        n = hy__rng_below(r, 33);
        for (uint32_t i = 0; i < n; i++)
            pay[i] = (uint8_t)hy__rng_next(r);
    }
    hd->ttl = ttl_of(style, h);
    hd->df = style == HY__DN_STYLE_LINUX;
    hd->ipid = rand_id(r);
    hy__dn_fp_apply(HY_SYNTH_FP_NONE, hd->dst, dport, false, NULL, &hd->ipid, r);
    hy__dn_emit_udp(g, hd, eph_port(r, style, h), dport, pay, n);
}

static void bg_echo(hy__dn *g, hy__dn_hdr *hd, uint64_t h)
{
    hy__rng *r = &g->bg_rng;
    uint8_t pay[56], style = style_of(h);
    uint32_t n = 0;
    if (style == HY__DN_STYLE_LINUX) {
        hy__wr32(pay, (uint32_t)(hd->t / 1000000000u));
        hy__wr32(pay + 4, (uint32_t)(hd->t / 1000u % 1000000u));
        for (n = 8; n < 56; n++)
            pay[n] = (uint8_t)(n + 8);
    } else if (style == HY__DN_STYLE_WINDOWS) {
        for (n = 0; n < 32; n++)
            pay[n] = (uint8_t)('a' + n % 23);
    }
    hd->ttl = ttl_of(style, h);
    hd->df = false;
    hd->ipid = rand_id(r);
    hy__dn_fp_apply(HY_SYNTH_FP_NONE, hd->dst, 0, false, NULL, &hd->ipid, r);
    uint32_t rest = (uint32_t)(((h >> 16) & 0xffff) << 16) | hy__rng_below(r, 4096);
    hy__dn_emit_icmp(g, hd, 8, 0, rest, pay, n);
}

/* A long-present Mirai bot: telnet 23 mostly, 2323 else, seq == dst. */
static void endemic_mirai(hy__dn *g, hy__dn_hdr *hd)
{
    hy__rng *r = &g->bg_rng;
    uint32_t rank = hy__dn_zipf(r, g->endemic_pop, 0.5);
    hd->src = hy__dn_bg_source(g, rank, 1, hd->t);
    uint64_t h = hy__mix64(hd->src ^ g->bg_key);
    uint16_t dport = hy__rng_pct(r, 85) ? 23 : 2323;
    uint32_t seq = 0;
    hd->ttl = (uint8_t)(64 - 6 - (h >> 40) % 20);
    hd->df = false;
    hd->ipid = rand_id(r);
    hy__dn_fp_apply(HY_SYNTH_FP_MIRAI, hd->dst, dport, true, &seq, &hd->ipid, r);
    hy__dn_emit_tcp(g, hd, (uint16_t)(h >> 48), dport, seq, 0, FL_SYN, (uint16_t)hy__rng_next(r),
                    NULL, 0);
    g->st.endemic++;
}

void hy__dn_bg_packet(hy__dn *g, uint64_t t)
{
    hy__rng *r = &g->bg_rng;
    hy__dn_hdr hd = {.t = t};
    hd.dst = hy__dn_dark_addr(g, r);
    if (g->cfg.endemic_mirai_pct > 0 && hy__rng_unit(r) * 100 < g->cfg.endemic_mirai_pct) {
        endemic_mirai(g, &hd);
        return;
    }
    uint32_t rank = hy__dn_zipf(r, g->bg_pop, 0.9);
    hd.src = hy__dn_bg_source(g, rank, 0, t);
    uint64_t h = hy__mix64(hd.src ^ g->bg_key ^ 0x5eed);
    uint8_t proto;
    uint16_t port;
    bg_service(r, h, &proto, &port);
    if (proto == 6)
        bg_tcp(g, &hd, h, port);
    else if (proto == 17)
        bg_udp(g, &hd, h, port);
    else
        bg_echo(g, &hd, h);
}

/* ---- outbreaks and scanners */

void hy__dn_outbreak_packet(hy__dn *g, hy__dn_event *e, uint32_t host, uint64_t t)
{
    hy__rng *r = &e->rng;
    hy__dn_hdr hd = {.t = t, .src = g->addrs[e->src0 + host]};
    uint64_t h = hy__mix64(hd.src ^ e->key);
    uint8_t opt[20];
    uint32_t olen = 0, seq = (uint32_t)hy__rng_next(r);
    uint16_t sport, win;
    unsigned hops = 6 + (unsigned)((h >> 40) % 20);

    hd.dst = hy__dn_dark_addr(g, r);
    hd.ipid = rand_id(r);
    if (e->proto == 17) {
        hd.ttl = (uint8_t)((e->fp == HY_SYNTH_FP_ZMAP ? 255 : 64) - hops);
        hd.df = e->fp != HY_SYNTH_FP_ZMAP;
        hy__dn_fp_apply(e->fp, hd.dst, e->port, false, NULL, &hd.ipid, r);
        hy__dn_emit_udp(g, &hd, (uint16_t)hy__rng_range(r, 32768, 60999), e->port, e->payload,
                        e->paylen);
        return;
    }
    switch (e->fp) {
    case HY_SYNTH_FP_MIRAI: /* raw SYN, no options, random window, one source port */
        hd.ttl = (uint8_t)(64 - hops);
        hd.df = false;
        sport = (uint16_t)(h >> 48);
        win = (uint16_t)hy__rng_next(r);
        break;
    case HY_SYNTH_FP_ZMAP:
        hd.ttl = (uint8_t)(255 - hops);
        hd.df = false;
        sport = (uint16_t)(32768 + (hy__mix64(hd.dst ^ h) % 28233));
        win = 65535;
        olen = hy__dn_syn_opts(HY__DN_STYLE_MSS, 0, opt);
        break;
    case HY_SYNTH_FP_MASSCAN:
        hd.ttl = (uint8_t)(255 - hops);
        hd.df = false;
        sport = (uint16_t)(40000 + (h >> 48) % 21000);
        win = 1024;
        break;
    default: /* a worm using the OS stack: Linux SYN */
        hd.ttl = (uint8_t)(64 - hops);
        hd.df = true;
        sport = (uint16_t)hy__rng_range(r, 32768, 60999);
        win = 64240;
        olen = hy__dn_syn_opts(HY__DN_STYLE_LINUX, (uint32_t)(t / 1000000u + (uint32_t)h), opt);
        break;
    }
    hy__dn_fp_apply(e->fp, hd.dst, e->port, true, &seq, &hd.ipid, r);
    hy__dn_emit_tcp(g, &hd, sport, e->port, seq, 0, FL_SYN, win, opt, olen);
}

void hy__dn_scanner_packet(hy__dn *g, hy__dn_event *e, uint64_t t, uint32_t dst)
{
    hy__rng *r = &e->rng;
    hy__dn_hdr hd = {.t = t, .src = g->addrs[e->src0], .dst = dst, .df = false};
    uint64_t v = hy__mix64(dst ^ e->key); /* validation / SYN cookie */
    uint8_t opt[20], pay[256];
    uint32_t seq = (uint32_t)v, olen = 0;

    hd.ttl = (uint8_t)(255 - 4 - (e->key >> 40) % 12);
    hd.ipid = rand_id(r);
    if (e->fp == HY_SYNTH_FP_ZMAP) {
        uint16_t sport = (uint16_t)(32768 + (v >> 40) % 28233);
        hy__dn_fp_apply(HY_SYNTH_FP_ZMAP, dst, e->port, e->proto == 6, &seq, &hd.ipid, r);
        if (e->proto == 17) {
            uint32_t n = hy__dn_udp_payload(e->port, r, pay);
            hy__dn_emit_udp(g, &hd, sport, e->port, pay, n);
            return;
        }
        olen = hy__dn_syn_opts(HY__DN_STYLE_MSS, 0, opt);
        hy__dn_emit_tcp(g, &hd, sport, e->port, seq, 0, FL_SYN, 65535, opt, olen);
        return;
    }
    hy__dn_fp_apply(HY_SYNTH_FP_MASSCAN, dst, e->port, true, &seq, &hd.ipid, r);
    hy__dn_emit_tcp(g, &hd, e->sport, e->port, seq, 0, FL_SYN, 1024, NULL, 0);
}

/* ---- backscatter */

static void retx_push(hy__dn_event *e, unsigned level, const hy__dn_retx *x)
{
    if (level >= HY__DN_RETX_LEVELS || level >= e->retries || x->t >= e->end)
        return;
    hy__dn_ring *q = &e->q[level];
    if (!q->v || q->n == q->cap) /* full: that retransmission is lost */
        return;
    q->v[(q->head + q->n) & (q->cap - 1)] = *x;
    q->n++;
}

/* The quoted spoofed packet of an ICMP error: IPv4 header + 8 bytes. */
static uint32_t quote(hy__dn_event *e, uint32_t spoofed, uint32_t victim, bool expired, uint8_t *o)
{
    hy__rng *r = &e->rng;
    uint16_t len = (uint16_t)(28 + hy__rng_below(r, 64));
    o[0] = 0x45;
    o[1] = 0;
    hy__wr16(o + 2, e->inner_proto == 6 ? (uint16_t)40 : len);
    hy__wr16(o + 4, rand_id(r));
    hy__wr16(o + 6, 0);
    o[8] = expired ? 1 : (uint8_t)hy__rng_range(r, 30, 240);
    o[9] = e->inner_proto;
    hy__wr32(o + 12, spoofed);
    hy__wr32(o + 16, victim);
    ip_csum(o);
    hy__wr16(o + 20, (uint16_t)hy__rng_range(r, 1024, 65535));
    hy__wr16(o + 22, e->port);
    if (e->inner_proto == 6) {
        hy__wr32(o + 24, (uint32_t)hy__rng_next(r));
    } else {
        hy__wr16(o + 24, (uint16_t)(len - 20));
        hy__wr16(o + 26, (uint16_t)hy__rng_next(r));
    }
    return 28;
}

static void burst_icmp(hy__dn *g, hy__dn_event *e, hy__dn_hdr *hd, uint32_t v)
{
    hy__rng *r = &e->rng;
    uint32_t victim = g->addrs[e->src0 + v];
    uint8_t q[28];
    bool ttl = e->reply == HY_SYNTH_BS_TTL;
    uint64_t h = hy__mix64(victim ^ e->key);
    hd->src = ttl ? g->addrs[e->src0 + e->hosts + v] : victim;
    hd->ttl = (uint8_t)(((h >> 9) & 1 ? 255 : 64) - 8 - (h >> 40) % 16);
    hd->df = false;
    hd->ipid = rand_id(r);
    hy__dn_fp_apply(HY_SYNTH_FP_NONE, hd->dst, 0, false, NULL, &hd->ipid, r);
    uint32_t n = quote(e, hd->dst, victim, ttl, q);
    uint8_t type = ttl ? 11 : 3, code = ttl ? 0 : e->inner_proto == 17 ? 3 : 13;
    hy__dn_emit_icmp(g, hd, type, code, 0, q, n);
}

void hy__dn_burst_packet(hy__dn *g, hy__dn_event *e, uint64_t t, const hy__dn_retx *x)
{
    hy__rng *r = &e->rng;
    hy__dn_hdr hd = {.t = t};
    uint8_t opt[4];
    uint32_t v = x ? x->victim : hy__rng_below(r, e->hosts);
    uint32_t victim = g->addrs[e->src0 + v];
    uint64_t h = hy__mix64(victim ^ e->key);

    hd.dst = x ? x->dst : hy__dn_dark_addr(g, r);
    if (e->reply >= HY_SYNTH_BS_UNREACH) {
        burst_icmp(g, e, &hd, v);
        return;
    }
    hd.src = victim;
    hd.ttl = (uint8_t)(((h >> 9) & 1 ? 128 : 64) - 8 - (h >> 40) % 16);
    hd.df = true;
    hd.ipid = rand_id(r);
    uint16_t dport = x ? x->dport : (uint16_t)hy__rng_range(r, 1024, 65535);
    if (e->reply == HY_SYNTH_BS_RST) {
        bool rst_ack = hy__rng_pct(r, 30);
        uint32_t seq = rst_ack ? 0 : (uint32_t)hy__rng_next(r);
        uint32_t ack = rst_ack ? (uint32_t)hy__rng_next(r) : 0;
        hy__dn_fp_apply(HY_SYNTH_FP_NONE, hd.dst, dport, true, &seq, &hd.ipid, r);
        hy__dn_emit_tcp(g, &hd, e->port, dport, seq, ack,
                        (uint8_t)(FL_RST | (rst_ack ? FL_ACK : 0)), 0, NULL, 0);
        return;
    }
    uint32_t seq = x ? x->seq : (uint32_t)hy__rng_next(r);
    uint32_t ack = x ? x->ack : (uint32_t)hy__rng_next(r);
    hy__dn_fp_apply(HY_SYNTH_FP_NONE, hd.dst, dport, true, &seq, &hd.ipid, r);
    uint32_t olen = hy__dn_syn_opts(HY__DN_STYLE_MSS, 0, opt);
    uint16_t win = (h >> 9) & 1 ? 8192 : 29200;
    hy__dn_emit_tcp(g, &hd, e->port, dport, seq, ack, FL_SYN | FL_ACK, win, opt, olen);
    /* Linux-style backoff: again after 1 s, then 2, 4, 8, 16 s. */
    unsigned level = x ? x->level + 1u : 0u;
    hy__dn_retx nx = {.t = t + (1000000000ull << level),
                      .dst = hd.dst,
                      .seq = seq,
                      .ack = ack,
                      .dport = dport,
                      .victim = (uint8_t)v,
                      .level = (uint8_t)level};
    retx_push(e, level, &nx);
}
