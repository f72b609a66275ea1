/* Traffic generator: the classic libpcap file writer. Frames are built in
 * place inside one large output buffer (record header, link, IP and L4
 * headers, payload), checksummed there and flushed in big writes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/error.h"
#include "net/synth_int.h"

#define OUT_BUF   (4u << 20)
#define MAX_FRAME 2048u /* largest frame built: 1500-byte MTU + link headers */
#define REC_HDR   16u
#define ETH_MIN   60u /* minimum Ethernet frame without FCS: shorter ones are padded */

static const uint8_t gw_mac[6] = {0x00, 0x00, 0x5e, 0x00, 0x01, 0x01}; /* VRRP gateway */

static void wr16le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Internet checksum (RFC 1071) accumulated over native-endian 32-bit words;
 * the byte-order independence of the sum lets the result be stored natively. */
uint64_t hy__synth_csum_add(uint64_t s, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        s += (v >> 32) + (v & 0xffffffffu);
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        s += v;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        uint16_t v;
        memcpy(&v, p, 2);
        s += v;
        p += 2;
        n -= 2;
    }
    if (n) {
        uint8_t last[2] = {p[0], 0};
        uint16_t v;
        memcpy(&v, last, 2);
        s += v;
    }
    return s;
}

static uint16_t csum_fold(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

uint64_t hy__synth_csum_piece(uint64_t acc, uint64_t s, size_t at)
{
    if (!(at & 1))
        return acc + s;
    /* At an odd offset every byte changes half of its word: the folded sum
     * is byte-swapped. */
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return acc + (((s & 0xff) << 8) | (s >> 8));
}

static void flush(hy__synth *g)
{
    if (g->blen && g->err == HY_OK && fwrite(g->buf, 1, g->blen, g->fp) != g->blen)
        g->err = hy_err_set(HY_ERR_IO, "synth: write: %s", strerror(errno));
    g->blen = 0;
}

hy_err hy__synth_out_open(hy__synth *g, const char *path)
{
    uint8_t hdr[24];
    bool ns = g->cfg.nsec;

    g->buf = malloc(OUT_BUF);
    if (!g->buf)
        return hy_err_set(HY_ERR_NOMEM, "synth: output buffer");
    g->bcap = OUT_BUF;
    if (strcmp(path, "-") == 0) {
        g->fp = stdout;
    } else {
        g->fp = fopen(path, "wb");
        if (!g->fp)
            return hy_err_set(HY_ERR_IO, "synth: %s: %s", path, strerror(errno));
        g->close_fp = true;
    }
    /* Always little-endian, so the bytes do not depend on the host. */
    wr32le(hdr, ns ? 0xa1b23c4du : 0xa1b2c3d4u);
    wr16le(hdr + 4, 2);
    wr16le(hdr + 6, 4);
    wr32le(hdr + 8, 0);  /* thiszone */
    wr32le(hdr + 12, 0); /* sigfigs */
    wr32le(hdr + 16, g->cfg.snaplen);
    wr32le(hdr + 20, (uint32_t)g->cfg.linktype);
    memcpy(g->buf, hdr, sizeof hdr);
    g->blen = sizeof hdr;
    return HY_OK;
}

hy_err hy__synth_out_close(hy__synth *g)
{
    if (g->fp) {
        flush(g);
        if (fflush(g->fp) != 0 && g->err == HY_OK)
            g->err = hy_err_set(HY_ERR_IO, "synth: write: %s", strerror(errno));
        if (g->close_fp && fclose(g->fp) != 0 && g->err == HY_OK)
            g->err = hy_err_set(HY_ERR_IO, "synth: close: %s", strerror(errno));
        g->fp = NULL;
    }
    free(g->buf);
    g->buf = NULL;
    return g->err;
}

uint64_t hy__synth_random_fill(hy__synth *g, uint8_t *out, uint32_t n)
{
    uint64_t sum = 0;
    size_t at = 0;
    while (n) {
        uint32_t k = n < 2048 ? n : 2048;
        uint32_t off = (uint32_t)(hy__rng_next(&g->rng) >> 48) & ~1u; /* even, < 65536 */
        uint64_t s = g->rnd_sum[(off + (k & ~1u)) / 2] - g->rnd_sum[off / 2];
        if (k & 1)
            s = hy__synth_csum_add(s, g->rnd + off + k - 1, 1);
        memcpy(out, g->rnd + off, k);
        sum = hy__synth_csum_piece(sum, s, at);
        at += k;
        out += k;
        n -= k;
    }
    return sum;
}

static uint8_t *put_link(const hy__synth *g, const hy__flow *f, int dir, uint8_t *p)
{
    if (g->cfg.linktype != HY_SYNTH_LINKTYPE_ETHERNET)
        return p;
    memcpy(p, dir ? f->cmac : gw_mac, 6);
    memcpy(p + 6, dir ? gw_mac : f->cmac, 6);
    p += 12;
    if (g->cfg.vlan) {
        hy__wr16(p, 0x8100);
        hy__wr16(p + 2, g->cfg.vlan & 0x0fff);
        p += 4;
    }
    hy__wr16(p, f->v6 ? 0x86dd : 0x0800);
    return p + 2;
}

static uint8_t *put_ip(hy__flow *f, int dir, uint32_t l4len, uint8_t *p)
{
    const uint8_t *src = dir ? f->sip : f->cip, *dst = dir ? f->cip : f->sip;

    if (f->v6) {
        hy__wr32(p, 0x60000000u | (f->flowlabel[dir] & 0xfffff));
        hy__wr16(p + 4, (uint16_t)l4len);
        p[6] = f->proto;
        p[7] = f->ttl[dir];
        memcpy(p + 8, src, 16);
        memcpy(p + 24, dst, 16);
        return p + 40;
    }
    bool df = !(f->proto == 1 && f->os[dir] == HY__OS_WINDOWS);
    p[0] = 0x45;
    p[1] = 0;
    hy__wr16(p + 2, (uint16_t)(20 + l4len));
    hy__wr16(p + 4, f->ipid[dir]++);
    hy__wr16(p + 6, df ? 0x4000 : 0);
    p[8] = f->ttl[dir];
    p[9] = f->proto;
    p[10] = p[11] = 0;
    memcpy(p + 12, src, 4);
    memcpy(p + 16, dst, 4);
    uint16_t c = csum_fold(hy__synth_csum_add(0, p, 20));
    memcpy(p + 10, &c, 2);
    return p + 20;
}

void hy__synth_frame_begin(hy__synth *g, hy__flow *f, int dir, uint32_t hlen, uint32_t paylen,
                           hy__frame *fr)
{
    if (g->bcap - g->blen < REC_HDR + MAX_FRAME)
        flush(g);
    uint8_t *p = g->buf + g->blen;
    fr->rec = p;
    fr->proto = f->proto;
    fr->l3 = put_link(g, f, dir, p + REC_HDR);
    fr->l4 = put_ip(f, dir, hlen + paylen, fr->l3);
    fr->pay = fr->l4 + hlen;
    fr->l4hdr = hlen;
    fr->paylen = paylen;
    fr->paysum_ok = false;
    fr->paysum = 0;
}

/* Checksum of the L4 segment including the pseudo-header where one applies. */
static void l4_checksum(const hy__flow *f, hy__frame *fr)
{
    uint32_t l4len = fr->l4hdr + fr->paylen, len = l4len;
    uint8_t ph[40];
    uint64_t s = 0;
    size_t at;

    switch (fr->proto) {
    case 6:
        at = 16;
        break;
    case 17:
        at = 6;
        break;
    default:
        at = 2;
        break;
    }
    fr->l4[at] = fr->l4[at + 1] = 0;
    if (fr->paysum_ok) {
        s = fr->paysum;
        len = fr->l4hdr;
    }
    if (fr->proto != 1) {
        size_t alen = f->v6 ? 16 : 4;
        const uint8_t *ip = fr->l3 + (f->v6 ? 8 : 12); /* src then dst, contiguous */
        s = hy__synth_csum_add(s, ip, 2 * alen);
        memset(ph, 0, 8);
        if (f->v6) {
            hy__wr32(ph, l4len);
            ph[7] = fr->proto;
        } else {
            ph[1] = fr->proto;
            hy__wr16(ph + 2, (uint16_t)l4len);
        }
        s = hy__synth_csum_add(s, ph, f->v6 ? 8 : 4);
    }
    uint16_t c = csum_fold(hy__synth_csum_add(s, fr->l4, len));
    if (c == 0 && fr->proto == 17)
        c = 0xffff;
    memcpy(fr->l4 + at, &c, 2);
}

void hy__synth_frame_end(hy__synth *g, hy__flow *f, hy__frame *fr)
{
    uint8_t *data = fr->rec + REC_HDR;
    uint32_t len = (uint32_t)(fr->pay + fr->paylen - data);
    uint64_t t = f->t;

    l4_checksum(f, fr);
    if (g->cfg.linktype == HY_SYNTH_LINKTYPE_ETHERNET && len < ETH_MIN) {
        memset(data + len, 0, ETH_MIN - len);
        len = ETH_MIN;
    }
    uint32_t cap = len < g->cfg.snaplen ? len : g->cfg.snaplen;
    uint64_t sec = t / 1000000000u, frac = t % 1000000000u;
    if (!g->cfg.nsec)
        frac /= 1000;
    wr32le(fr->rec, (uint32_t)sec);
    wr32le(fr->rec + 4, (uint32_t)frac);
    wr32le(fr->rec + 8, cap);
    wr32le(fr->rec + 12, len);
    g->blen += REC_HDR + cap;

    uint64_t written = g->cfg.nsec ? t : t - t % 1000;
    if (g->st.packets == 0)
        g->st.first_ns = written;
    g->st.last_ns = written;
    g->st.packets++;
    g->st.bytes += len;
}
