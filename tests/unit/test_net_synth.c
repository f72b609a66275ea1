/* Traffic generator: determinism, pcap validity, flow and packet counts,
 * checksums, TCP sequence/ack consistency, DNS pairing and the options. The
 * frames are parsed here with a minimal decoder of the test's own. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/synth.h"

#define MAX_FLOWS 4096

typedef struct tflow {
    uint8_t v, proto;
    uint8_t a[16], b[16]; /* a: first sender (client) */
    uint16_t pa, pb;
    uint32_t pkts;
    bool nxt_known[2];
    uint32_t nxt[2]; /* next sequence number per direction (0: client) */
    uint16_t dns_id;
    bool dns_query, dns_resp;
} tflow;

typedef struct scan {
    uint64_t records, bytes, first_ns, last_ns;
    uint32_t magic, linktype, snaplen, nflows;
    uint32_t v6_frames, vlan_frames, vlan_id, max_caplen, cut_frames;
    uint32_t bad_ip_csum, bad_l4_csum, tcp_not_syn_first, bad_seq, bad_ack, syn_no_mss;
    uint32_t ts_backwards, dns_unpaired, parse_errors, tcp_flows, udp_flows, icmp_flows;
    tflow *flows;
} scan;

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Plain RFC 1071 sum over big-endian 16-bit words. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += be16(p + i);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static bool csum_ok(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return s == 0xffff;
}

static tflow *find_flow(scan *sc, uint8_t v, uint8_t proto, const uint8_t *src, const uint8_t *dst,
                        uint16_t sp, uint16_t dp, int *dir)
{
    size_t al = v == 4 ? 4 : 16;
    for (uint32_t i = 0; i < sc->nflows; i++) {
        tflow *f = &sc->flows[i];
        if (f->v != v || f->proto != proto)
            continue;
        if (!memcmp(f->a, src, al) && !memcmp(f->b, dst, al) && f->pa == sp && f->pb == dp) {
            *dir = 0;
            return f;
        }
        if (!memcmp(f->a, dst, al) && !memcmp(f->b, src, al) && f->pa == dp && f->pb == sp) {
            *dir = 1;
            return f;
        }
    }
    assert_true(sc->nflows < MAX_FLOWS);
    tflow *f = &sc->flows[sc->nflows++];
    memset(f, 0, sizeof *f);
    f->v = v;
    f->proto = proto;
    memcpy(f->a, src, al);
    memcpy(f->b, dst, al);
    f->pa = sp;
    f->pb = dp;
    *dir = 0;
    if (proto == 6)
        sc->tcp_flows++;
    else if (proto == 17)
        sc->udp_flows++;
    else
        sc->icmp_flows++;
    return f;
}

static bool has_mss(const uint8_t *o, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (o[i] == 0)
            break;
        if (o[i] == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n || o[i + 1] < 2)
            return false;
        if (o[i] == 2 && o[i + 1] == 4)
            return true;
        i += o[i + 1];
    }
    return false;
}

static void check_tcp(scan *sc, tflow *f, int dir, const uint8_t *t, size_t l4len)
{
    uint8_t flags = t[13];
    size_t hl = (size_t)(t[12] >> 4) * 4;
    uint32_t seq = be32(t + 4), ack = be32(t + 8);
    uint32_t pay = (uint32_t)(l4len - hl);

    if (f->pkts == 0) {
        if ((flags & 0x12) != 0x02)
            sc->tcp_not_syn_first++;
        else if (!has_mss(t + 20, hl - 20))
            sc->syn_no_mss++;
    }
    if (!(flags & 0x04)) { /* a RST refusing a SYN carries seq 0 */
        if (f->nxt_known[dir] && seq != f->nxt[dir])
            sc->bad_seq++;
        f->nxt[dir] = seq + pay + ((flags & 0x02) ? 1 : 0) + (flags & 0x01);
        f->nxt_known[dir] = true;
    }
    if ((flags & 0x10) && f->nxt_known[!dir] && ack != f->nxt[!dir])
        sc->bad_ack++;
}

static void check_dns(scan *sc, tflow *f, const uint8_t *d, size_t n)
{
    if (n < 12 || be16(d + 4) != 1) {
        sc->dns_unpaired++;
        return;
    }
    if (!(d[2] & 0x80)) {
        f->dns_query = true;
        f->dns_id = be16(d);
    } else if (f->dns_query && be16(d) == f->dns_id) {
        f->dns_resp = true;
    }
}

static void parse_ip(scan *sc, const uint8_t *p, size_t n)
{
    uint8_t v = p[0] >> 4, proto;
    const uint8_t *src, *dst, *l4;
    size_t l4len;
    uint32_t ps = 0;
    int dir;

    if (v == 4) {
        size_t ihl = (size_t)(p[0] & 15) * 4;
        if (n < 20 || ihl != 20 || be16(p + 2) > n) {
            sc->parse_errors++;
            return;
        }
        if (!csum_ok(sum16(0, p, 20)))
            sc->bad_ip_csum++;
        proto = p[9];
        src = p + 12;
        dst = p + 16;
        l4 = p + 20;
        l4len = be16(p + 2) - 20u;
        if (proto != 1) {
            ps = sum16(ps, src, 8);
            ps += proto + (uint32_t)l4len;
        }
    } else if (v == 6) {
        if (n < 40 || 40u + be16(p + 4) > n) {
            sc->parse_errors++;
            return;
        }
        sc->v6_frames++;
        proto = p[6];
        src = p + 8;
        dst = p + 24;
        l4 = p + 40;
        l4len = be16(p + 4);
        ps = sum16(ps, src, 32);
        ps += proto + (uint32_t)l4len;
    } else {
        sc->parse_errors++;
        return;
    }
    if (!csum_ok(sum16(ps, l4, l4len)))
        sc->bad_l4_csum++;
    uint16_t sp = 0, dp = 0;
    if (proto == 6 || proto == 17) {
        sp = be16(l4);
        dp = be16(l4 + 2);
    }
    tflow *f = find_flow(sc, v, proto, src, dst, sp, dp, &dir);
    if (proto == 6)
        check_tcp(sc, f, dir, l4, l4len);
    else if (proto == 17 && (sp == 53 || dp == 53))
        check_dns(sc, f, l4 + 8, l4len - 8);
    f->pkts++;
}

/* Walks a whole capture: header, records, frames. */
static void scan_pcap(const char *path, scan *sc, bool parse)
{
    size_t len, off = 24;
    uint8_t *buf = slurp(path, &len);
    uint64_t prev = 0;

    memset(sc, 0, sizeof *sc);
    sc->flows = calloc(MAX_FLOWS, sizeof *sc->flows);
    assert_true(len >= 24);
    uint32_t magic = le32(buf);
    assert_true(magic == 0xa1b2c3d4u || magic == 0xa1b23c4du);
    sc->magic = magic;
    assert_int_equal(buf[4] | buf[5] << 8, 2);
    assert_int_equal(buf[6] | buf[7] << 8, 4);
    sc->snaplen = le32(buf + 16);
    sc->linktype = le32(buf + 20);
    while (off < len) {
        assert_true(off + 16 <= len);
        uint64_t frac = le32(buf + off + 4);
        uint64_t t = le32(buf + off) * 1000000000ull + (magic == 0xa1b2c3d4u ? frac * 1000 : frac);
        uint32_t cap = le32(buf + off + 8), wire = le32(buf + off + 12);
        assert_true(off + 16 + cap <= len);
        assert_true(cap <= wire && cap <= sc->snaplen);
        if (sc->records == 0)
            sc->first_ns = t;
        else if (t < prev)
            sc->ts_backwards++;
        prev = sc->last_ns = t;
        sc->records++;
        sc->bytes += wire;
        if (cap > sc->max_caplen)
            sc->max_caplen = cap;
        if (cap < wire)
            sc->cut_frames++;
        const uint8_t *p = buf + off + 16;
        size_t n = cap;
        if (parse && cap == wire) {
            if (sc->linktype == 1) {
                uint16_t et = be16(p + 12);
                p += 14, n -= 14;
                if (et == 0x8100) {
                    sc->vlan_frames++;
                    sc->vlan_id = be16(p) & 0xfff;
                    et = be16(p + 2);
                    p += 4, n -= 4;
                }
                if (et != 0x0800 && et != 0x86dd)
                    sc->parse_errors++;
            }
            parse_ip(sc, p, n);
        }
        off += 16 + cap;
    }
    for (uint32_t i = 0; i < sc->nflows; i++) {
        tflow *f = &sc->flows[i];
        if (f->proto == 17 && f->pb == 53 && !(f->dns_query && (f->dns_resp || f->pkts == 1)))
            sc->dns_unpaired++;
    }
    free(buf);
}

static void scan_free(scan *sc)
{
    free(sc->flows);
    sc->flows = NULL;
}

static void small_cfg(hy_synth_cfg *c)
{
    hy_synth_cfg_default(c);
    c->seed = 42;
    c->flows = 300;
    c->packets = 20000;
    c->duration_s = 30;
    c->hosts = 100;
    c->servers = 40;
}

static bool same_file(const char *a, const char *b)
{
    size_t la, lb;
    uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb);
    bool same = la == lb && memcmp(pa, pb, la) == 0;
    free(pa);
    free(pb);
    return same;
}

static void test_defaults(void **state)
{
    hy_synth_cfg c;
    (void)state;
    hy_synth_cfg_default(&c);
    assert_int_equal(c.start_ns, 1704067200000000000ull);
    assert_int_equal(c.tcp_pct + c.udp_pct + c.icmp_pct, 100);
    assert_int_equal(c.linktype, 1);
    assert_int_equal(c.vlan, 0);
    assert_true(c.flows > 0 && c.packets > 0 && c.hosts > c.servers);
}

static void test_deterministic(void **state)
{
    hy_synth_cfg c;
    hy_synth_stats s1, s2, s3;
    (void)state;
    small_cfg(&c);
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("d1.pcap"), &s1), HY_OK);
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("d2.pcap"), &s2), HY_OK);
    assert_true(same_file(hy_test_path("d1.pcap"), hy_test_path("d2.pcap")));
    assert_memory_equal(&s1, &s2, sizeof s1);
    c.seed = 43;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("d3.pcap"), &s3), HY_OK);
    assert_false(same_file(hy_test_path("d1.pcap"), hy_test_path("d3.pcap")));
}

static void test_valid_pcap(void **state)
{
    hy_synth_cfg c;
    hy_synth_stats st;
    scan sc;
    (void)state;
    small_cfg(&c);
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("v.pcap"), &st), HY_OK);
    scan_pcap(hy_test_path("v.pcap"), &sc, true);
    assert_int_equal(sc.magic, 0xa1b2c3d4u);
    assert_int_equal(sc.linktype, 1);
    assert_int_equal(sc.snaplen, 65535);
    assert_int_equal(sc.records, st.packets);
    assert_int_equal(sc.bytes, st.bytes);
    assert_int_equal(sc.first_ns, st.first_ns);
    assert_int_equal(sc.last_ns, st.last_ns);
    assert_int_equal(sc.first_ns, c.start_ns);
    assert_int_equal(sc.ts_backwards, 0);
    assert_int_equal(sc.cut_frames, 0);
    assert_int_equal(sc.parse_errors, 0);
    assert_int_equal(sc.bad_ip_csum, 0);
    assert_int_equal(sc.bad_l4_csum, 0);
    /* the span follows the duration */
    assert_true(st.last_ns - st.first_ns <= (uint64_t)(c.duration_s * 1e9));
    assert_true(st.last_ns - st.first_ns >= (uint64_t)(c.duration_s * 0.5e9));
    scan_free(&sc);
}

static void test_counts(void **state)
{
    hy_synth_cfg c;
    hy_synth_stats st;
    scan sc;
    (void)state;
    small_cfg(&c);
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("c.pcap"), &st), HY_OK);
    scan_pcap(hy_test_path("c.pcap"), &sc, true);
    assert_int_equal(st.flows, c.flows);
    assert_int_equal(sc.nflows, c.flows);
    assert_int_equal(sc.tcp_flows, st.tcp_flows);
    assert_int_equal(sc.udp_flows, st.udp_flows);
    assert_int_equal(sc.icmp_flows, st.icmp_flows);
    assert_true(st.tcp_flows > st.udp_flows && st.udp_flows > 0 && st.icmp_flows > 0);
    assert_true(st.packets <= c.packets);
    assert_true(st.packets >= c.packets * 97 / 100);
    scan_free(&sc);

    /* a bigger run keeps both targets */
    c.flows = 3000;
    c.packets = 150000;
    c.hosts = 500;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("c2.pcap"), &st), HY_OK);
    assert_int_equal(st.flows, 3000);
    assert_true(st.packets >= 150000 * 97 / 100 && st.packets <= 150000);
}

static void test_tcp_and_dns(void **state)
{
    hy_synth_cfg c;
    hy_synth_stats st;
    scan sc;
    (void)state;
    small_cfg(&c);
    c.ipv6_pct = 30;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("t.pcap"), &st), HY_OK);
    scan_pcap(hy_test_path("t.pcap"), &sc, true);
    assert_true(sc.tcp_flows > 100);
    assert_int_equal(sc.tcp_not_syn_first, 0);
    assert_int_equal(sc.syn_no_mss, 0);
    assert_int_equal(sc.bad_seq, 0);
    assert_int_equal(sc.bad_ack, 0);
    assert_int_equal(sc.dns_unpaired, 0);
    assert_true(sc.v6_frames > 0 && sc.v6_frames < st.packets);
    assert_int_equal(sc.bad_l4_csum, 0);
    scan_free(&sc);
}

static void test_options(void **state)
{
    hy_synth_cfg c;
    hy_synth_stats st;
    scan sc;
    (void)state;
    small_cfg(&c);
    c.vlan = 42;
    c.ipv6_pct = 100;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("o1.pcap"), &st), HY_OK);
    scan_pcap(hy_test_path("o1.pcap"), &sc, true);
    assert_int_equal(sc.vlan_frames, st.packets);
    assert_int_equal(sc.vlan_id, 42);
    assert_int_equal(sc.v6_frames, st.packets);
    assert_int_equal(st.ipv6_flows, st.flows);
    assert_int_equal(sc.nflows, c.flows);
    assert_int_equal(sc.bad_l4_csum, 0);
    scan_free(&sc);

    small_cfg(&c);
    c.ipv6_pct = 0;
    c.snaplen = 96;
    c.nsec = true;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("o2.pcap"), &st), HY_OK);
    scan_pcap(hy_test_path("o2.pcap"), &sc, false);
    assert_int_equal(sc.snaplen, 96);
    assert_int_equal(sc.max_caplen, 96);
    assert_true(sc.cut_frames > 0);
    assert_int_equal(sc.records, st.packets);
    assert_int_equal(sc.last_ns, st.last_ns);
    assert_int_equal(sc.magic, 0xa1b23c4du);
    scan_free(&sc);

    small_cfg(&c);
    c.linktype = HY_SYNTH_LINKTYPE_RAW;
    c.ipv6_pct = 0;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("o3.pcap"), &st), HY_OK);
    scan_pcap(hy_test_path("o3.pcap"), &sc, true);
    assert_int_equal(sc.linktype, 101);
    assert_int_equal(sc.v6_frames, 0);
    assert_int_equal(sc.parse_errors, 0);
    assert_int_equal(sc.nflows, c.flows);
    scan_free(&sc);
}

static void test_edges(void **state)
{
    hy_synth_cfg c;
    hy_synth_stats st;
    scan sc;
    (void)state;
    small_cfg(&c);
    c.flows = 0;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("e1.pcap"), &st), HY_OK);
    assert_int_equal(st.packets, 0);
    scan_pcap(hy_test_path("e1.pcap"), &sc, true);
    assert_int_equal(sc.records, 0);
    scan_free(&sc);

    /* fewer packets than flows: the cap wins */
    small_cfg(&c);
    c.flows = 100;
    c.packets = 50;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("e2.pcap"), &st), HY_OK);
    assert_int_equal(st.packets, 50);

    /* one host, one server: flows still distinct */
    small_cfg(&c);
    c.hosts = 1;
    c.servers = 1;
    c.flows = 200;
    c.packets = 5000;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("e3.pcap"), &st), HY_OK);
    scan_pcap(hy_test_path("e3.pcap"), &sc, true);
    assert_int_equal(sc.nflows, 200);
    assert_int_equal(sc.bad_seq + sc.bad_ack + sc.tcp_not_syn_first, 0);
    scan_free(&sc);

    /* no packet target: about 50 per flow */
    small_cfg(&c);
    c.packets = 0;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("e4.pcap"), &st), HY_OK);
    assert_int_equal(st.flows, c.flows);
    assert_true(st.packets > c.flows * 30 && st.packets < c.flows * 70);
}

static void test_errors(void **state)
{
    hy_synth_cfg c;
    hy_synth_stats st;
    (void)state;
    assert_int_equal(hy_synth_traffic(NULL, hy_test_path("x.pcap"), &st), HY_ERR_ARG);
    small_cfg(&c);
    assert_int_equal(hy_synth_traffic(&c, NULL, &st), HY_ERR_ARG);
    c.tcp_pct = 90;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("x.pcap"), &st), HY_ERR_ARG);
    small_cfg(&c);
    c.ipv6_pct = 101;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("x.pcap"), &st), HY_ERR_ARG);
    small_cfg(&c);
    c.linktype = 105;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("x.pcap"), &st), HY_ERR_UNSUPPORTED);
    small_cfg(&c);
    c.linktype = HY_SYNTH_LINKTYPE_RAW;
    c.vlan = 5;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("x.pcap"), &st), HY_ERR_ARG);
    small_cfg(&c);
    c.hosts = 1;
    c.flows = 70000; /* more than one host's ports */
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("x.pcap"), &st), HY_ERR_ARG);
    small_cfg(&c);
    c.duration_s = 0;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("x.pcap"), &st), HY_ERR_ARG);
    small_cfg(&c);
    c.snaplen = 10;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("x.pcap"), &st), HY_ERR_ARG);
    small_cfg(&c);
    assert_int_equal(hy_synth_traffic(&c, "/nonexistent-dir/x.pcap", &st), HY_ERR_IO);
    assert_non_null(strstr(hy_err_detail(), "nonexistent-dir"));
}

/* tcpdump, when installed, must read the file without complaint. */
static void test_tcpdump_reads(void **state)
{
    hy_synth_cfg c;
    hy_synth_stats st;
    char cmd[1200], line[256];
    (void)state;
    if (system("command -v tcpdump >/dev/null 2>&1") != 0)
        skip();
    small_cfg(&c);
    c.vlan = 7;
    c.ipv6_pct = 20;
    assert_int_equal(hy_synth_traffic(&c, hy_test_path("td.pcap"), &st), HY_OK);
    snprintf(cmd, sizeof cmd, "tcpdump -nn -r %s 2>%s | wc -l", hy_test_path("td.pcap"),
             hy_test_path("td.err"));
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(line, sizeof line, p));
    assert_int_equal(pclose(p), 0);
    assert_int_equal(strtoull(line, NULL, 10), st.packets);
    size_t n;
    uint8_t *err = slurp(hy_test_path("td.err"), &n);
    err[n] = '\0';
    assert_null(strstr((char *)err, "truncated"));
    assert_null(strstr((char *)err, "bogus"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_valid_pcap),    cmocka_unit_test(test_counts),
        cmocka_unit_test(test_tcp_and_dns),   cmocka_unit_test(test_options),
        cmocka_unit_test(test_edges),         cmocka_unit_test(test_errors),
        cmocka_unit_test(test_tcpdump_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
