/* hy_source: pcap (us/ns, both byte orders) and pcapng files built byte by
 * byte, errors that name the file, truncation, directories, BPF filters,
 * stdin (file and pipe) and live capture on lo. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hayate/capture.h"
#include "hayate/limits.h"

/* ---- byte builder ---- */

typedef struct bb {
    uint8_t *p;
    size_t n, cap;
    bool be;
} bb;

static void bb_put(bb *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (n)
        memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void bb_u16(bb *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    if (b->be) {
        x[0] = (uint8_t)(v >> 8);
        x[1] = (uint8_t)v;
    }
    bb_put(b, x, 2);
}

static void bb_u32(bb *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[b->be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
    bb_put(b, x, 4);
}

static void bb_zero(bb *b, size_t n)
{
    static const uint8_t z[8];
    while (n) {
        size_t k = n < 8 ? n : 8;
        bb_put(b, z, k);
        n -= k;
    }
}

/* ---- packets ---- */

typedef struct tpkt {
    uint32_t sec, frac; /* frac in the file's unit (us or ns) */
    uint8_t data[128];
    uint32_t caplen, wirelen;
} tpkt;

/* Ethernet + IPv4 + UDP (proto 17) or TCP (6) to dport with plen payload. */
static uint32_t mk_frame(uint8_t *f, uint8_t proto, uint16_t dport, uint32_t plen)
{
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    uint32_t l4 = proto == 6 ? 20 : 8;
    uint32_t iplen = 20 + l4 + plen;
    memcpy(f, eth, 14);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8);
    ip[3] = (uint8_t)iplen;
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, (uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
    uint8_t *t = ip + 20;
    memset(t, 0, l4);
    t[0] = 0x9c;
    t[1] = 0x40; /* sport 40000 */
    t[2] = (uint8_t)(dport >> 8);
    t[3] = (uint8_t)dport;
    if (proto == 6) {
        t[12] = 0x50;
        t[13] = 0x02;
    } else {
        t[4] = (uint8_t)((8 + plen) >> 8);
        t[5] = (uint8_t)(8 + plen);
    }
    for (uint32_t i = 0; i < plen; i++)
        t[l4 + i] = (uint8_t)(i * 7 + proto);
    return 14 + iplen;
}

/* Three packets: UDP/53, TCP/80, UDP/123 (the last cut: wirelen > caplen).
 * Times base+0, base+1, base+2 seconds; fractions grow with i. */
static void mk_pkts(tpkt *p, uint32_t base, bool nano)
{
    memset(p, 0, 3 * sizeof *p);
    p[0].caplen = p[0].wirelen = mk_frame(p[0].data, 17, 53, 10);
    p[1].caplen = p[1].wirelen = mk_frame(p[1].data, 6, 80, 20);
    p[2].caplen = mk_frame(p[2].data, 17, 123, 30);
    p[2].wirelen = p[2].caplen + 100;
    for (int i = 0; i < 3; i++) {
        p[i].sec = base + (uint32_t)i;
        p[i].frac = nano ? 123456789u + (uint32_t)i : 123456u + (uint32_t)i;
    }
}

static uint64_t exp_ns(const tpkt *p, bool nano)
{
    return (uint64_t)p->sec * 1000000000u + (nano ? p->frac : (uint64_t)p->frac * 1000u);
}

static void mk_pcap(bb *b, bool be, bool nano, uint32_t linktype, uint32_t snaplen, const tpkt *p,
                    int n)
{
    b->be = be;
    bb_u32(b, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
    bb_u16(b, 2);
    bb_u16(b, 4);
    bb_u32(b, 0);
    bb_u32(b, 0);
    bb_u32(b, snaplen);
    bb_u32(b, linktype);
    for (int i = 0; i < n; i++) {
        bb_u32(b, p[i].sec);
        bb_u32(b, p[i].frac);
        bb_u32(b, p[i].caplen);
        bb_u32(b, p[i].wirelen);
        bb_put(b, p[i].data, p[i].caplen);
    }
}

/* pcapng: SHB + IDB (if_tsresol 9 when nano, else the 10^-6 default) + EPBs. */
static void mk_pcapng(bb *b, bool be, bool nano, uint16_t linktype, const tpkt *p, int n)
{
    b->be = be;
    bb_u32(b, 0x0A0D0D0A);
    bb_u32(b, 28);
    bb_u32(b, 0x1A2B3C4D);
    bb_u16(b, 1);
    bb_u16(b, 0);
    bb_u32(b, 0xffffffffu);
    bb_u32(b, 0xffffffffu);
    bb_u32(b, 28);

    uint32_t idb_len = nano ? 32 : 20;
    bb_u32(b, 1);
    bb_u32(b, idb_len);
    bb_u16(b, linktype);
    bb_u16(b, 0);
    bb_u32(b, 65535);
    if (nano) {
        bb_u16(b, 9); /* if_tsresol */
        bb_u16(b, 1);
        bb_put(b, (uint8_t[]){9, 0, 0, 0}, 4);
        bb_u32(b, 0); /* opt_endofopt */
    }
    bb_u32(b, idb_len);

    for (int i = 0; i < n; i++) {
        uint64_t ts = nano ? (uint64_t)p[i].sec * 1000000000u + p[i].frac
                           : (uint64_t)p[i].sec * 1000000u + p[i].frac;
        uint32_t pad = (4 - p[i].caplen % 4) % 4;
        uint32_t len = 32 + p[i].caplen + pad;
        bb_u32(b, 6);
        bb_u32(b, len);
        bb_u32(b, 0);
        bb_u32(b, (uint32_t)(ts >> 32));
        bb_u32(b, (uint32_t)ts);
        bb_u32(b, p[i].caplen);
        bb_u32(b, p[i].wirelen);
        bb_put(b, p[i].data, p[i].caplen);
        bb_zero(b, pad);
        bb_u32(b, len);
    }
}

static const char *write_bb(const char *name, bb *b)
{
    const char *path = hy_test_path(name);
    hy_test_write_file(path, b->p, b->n);
    free(b->p);
    memset(b, 0, sizeof *b);
    return path;
}

static void check_pkt(const hy_raw_pkt *got, const tpkt *want, bool nano, int linktype)
{
    assert_int_equal(got->ts_ns, exp_ns(want, nano));
    assert_int_equal(got->caplen, want->caplen);
    assert_int_equal(got->wirelen, want->wirelen);
    assert_int_equal(got->linktype, linktype);
    assert_memory_equal(got->data, want->data, want->caplen);
}

/* Reads a whole file and checks all three packets and the stats. */
static void roundtrip(const char *path, bool nano, const tpkt *p)
{
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    assert_false(hy_source_is_live(s));
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hy_source_next(s, &pkt), HY_OK);
        check_pkt(&pkt, &p[i], nano, DLT_EN10MB);
    }
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED); /* stays closed */
    hy_capture_stats st;
    hy_source_stats(s, &st);
    assert_string_equal(st.source, path);
    assert_int_equal(st.received, 3);
    assert_int_equal(st.bytes, p[0].caplen + p[1].caplen + p[2].caplen);
    assert_int_equal(st.first_ns, exp_ns(&p[0], nano));
    assert_int_equal(st.last_ns, exp_ns(&p[2], nano));
    assert_int_equal(st.truncated, 0);
    assert_string_equal(hy_source_warning(s), "");
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    uint64_t done, total;
    hy_source_progress(s, &done, &total);
    assert_int_equal(total, (uint64_t)sb.st_size);
    assert_int_equal(done, total);
    hy_source_close(s);
}

static void test_pcap_variants(void **state)
{
    tpkt p[3];
    bb b = {0};
    static const struct {
        bool be, nano;
        const char *name;
    } v[] = {{false, false, "us_le.pcap"},
             {false, true, "ns_le.pcap"},
             {true, false, "us_be.pcap"},
             {true, true, "ns_be.pcap"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        mk_pkts(p, 1700000000u + (uint32_t)i * 10, v[i].nano);
        mk_pcap(&b, v[i].be, v[i].nano, 1, 65535, p, 3);
        roundtrip(write_bb(v[i].name, &b), v[i].nano, p);
    }
}

static void test_pcapng_variants(void **state)
{
    tpkt p[3];
    bb b = {0};
    mk_pkts(p, 1600000000u, true);
    mk_pcapng(&b, false, true, 1, p, 3);
    roundtrip(write_bb("ns_le.pcapng", &b), true, p);
    mk_pkts(p, 1600000100u, false);
    mk_pcapng(&b, true, false, 1, p, 3);
    roundtrip(write_bb("us_be.pcapng", &b), false, p);
}

static void test_progress_midway(void **state)
{
    tpkt p[3];
    bb b = {0};
    mk_pkts(p, 1700000000u, false);
    mk_pcap(&b, false, false, 1, 65535, p, 3);
    const char *path = write_bb("progress.pcap", &b);
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    uint64_t done, total;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    hy_source_progress(s, &done, &total);
    assert_int_equal(done, 24);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    hy_source_progress(s, &done, &total);
    assert_int_equal(done, 24 + 16 + p[0].caplen);
    assert_int_equal(total, 24 + 48 + p[0].caplen + p[1].caplen + p[2].caplen);
    hy_source_close(s);
}

static void test_not_capture(void **state)
{
    const char *path = hy_test_path("notes.txt");
    const char *text = "this is not a capture file, just some text\n";
    hy_test_write_file(path, text, strlen(text));
    hy_source *s = NULL;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_ERR_FORMAT);
    assert_null(s);
    assert_non_null(strstr(hy_err_detail(), path));
    assert_non_null(strstr(hy_err_detail(), "not a pcap or pcapng file ("));
}

static void test_missing_and_empty(void **state)
{
    hy_source *s = NULL;
    const char *path = hy_test_path("does-not-exist.pcap");
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_ERR_NOTFOUND);
    assert_non_null(strstr(hy_err_detail(), path));

    path = hy_test_path("empty.pcap");
    hy_test_write_file(path, "", 0);
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_ERR_FORMAT);
    char want[600];
    snprintf(want, sizeof want, "%s: empty file", path);
    assert_string_equal(hy_err_detail(), want);
    assert_null(s);

    assert_int_equal(hy_source_open_offline(NULL, NULL, &s), HY_ERR_ARG);
    assert_int_equal(hy_source_open_offline("", NULL, &s), HY_ERR_ARG);
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_next(NULL, &pkt), HY_ERR_ARG);
    hy_source_close(NULL);
    assert_string_equal(hy_source_warning(NULL), "");
}

static void test_header_only(void **state)
{
    bb b = {0};
    mk_pcap(&b, false, false, 1, 65535, NULL, 0);
    const char *path = write_bb("header_only.pcap", &b);
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    hy_capture_stats st;
    hy_source_stats(s, &st);
    assert_int_equal(st.received, 0);
    assert_int_equal(st.truncated, 0);
    hy_source_close(s);
}

/* Writes the first cut bytes of a three-packet file and expects npkts
 * packets, then CLOSED with truncated=1 and a warning at byte offset off. */
static void expect_truncated(const char *name, bb *full, size_t cut, int npkts, const tpkt *p,
                             bool nano, uint64_t off)
{
    const char *path = hy_test_path(name);
    hy_test_write_file(path, full->p, cut);
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    for (int i = 0; i < npkts; i++) {
        assert_int_equal(hy_source_next(s, &pkt), HY_OK);
        check_pkt(&pkt, &p[i], nano, DLT_EN10MB);
    }
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    char want[700];
    snprintf(want, sizeof want, "%s: truncated after packet %d (byte offset %llu): ", path, npkts,
             (unsigned long long)off);
    assert_non_null(strstr(hy_err_detail(), want));
    assert_true(strncmp(hy_source_warning(s), want, strlen(want)) == 0);
    assert_non_null(strstr(hy_source_warning(s), "truncated"));
    hy_capture_stats st;
    hy_source_stats(s, &st);
    assert_int_equal(st.truncated, 1);
    assert_int_equal(st.received, (uint64_t)npkts);
    uint64_t done, total;
    hy_source_progress(s, &done, &total);
    assert_int_equal(total, cut);
    assert_int_equal(done, cut);
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    hy_source_close(s);
}

static void test_truncated(void **state)
{
    tpkt p[3];
    bb b = {0};
    mk_pkts(p, 1700000000u, true);
    mk_pcap(&b, false, true, 1, 65535, p, 3);
    size_t rec3 = 24 + 32 + p[0].caplen + p[1].caplen;
    expect_truncated("cut_data.pcap", &b, rec3 + 16 + p[2].caplen / 2, 2, p, true, rec3);
    expect_truncated("cut_hdr.pcap", &b, rec3 + 7, 2, p, true, rec3);
    expect_truncated("cut_first.pcap", &b, 24 + 16 + 3, 0, p, true, 24);

    /* Inside the global header: not a capture at all. */
    const char *path = hy_test_path("cut_global.pcap");
    hy_test_write_file(path, b.p, 10);
    hy_source *s = NULL;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), path));
    free(b.p);

    /* pcapng cut inside the second EPB. */
    memset(&b, 0, sizeof b);
    mk_pcapng(&b, false, true, 1, p, 3);
    size_t epb2 = 28 + 32 + 32 + p[0].caplen + (4 - p[0].caplen % 4) % 4;
    expect_truncated("cut.pcapng", &b, epb2 + 20, 1, p, true, epb2);
    free(b.p);
}

/* A bad pcapng block (length not a multiple of 4) ends the file the same way. */
static void test_pcapng_bad_block(void **state)
{
    tpkt p[3];
    bb b = {0};
    mk_pkts(p, 1700000000u, true);
    mk_pcapng(&b, false, true, 1, p, 3);
    size_t epb2 = 28 + 32 + 32 + p[0].caplen + (4 - p[0].caplen % 4) % 4;
    b.p[epb2 + 4] = 0x0d; /* block length 13 */
    b.p[epb2 + 5] = b.p[epb2 + 6] = b.p[epb2 + 7] = 0;
    const char *path = write_bb("bad_block.pcapng", &b);
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    hy_capture_stats st;
    hy_source_stats(s, &st);
    assert_int_equal(st.truncated, 1);
    assert_int_equal(st.received, 1);
    assert_non_null(strstr(hy_source_warning(s), "truncated after packet 1"));
    hy_source_close(s);
}

static void test_directory(void **state)
{
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s", hy_test_path("rot")); /* hy_test_path's buffers rotate */
    assert_int_equal(mkdir(dir, 0700), 0);
    tpkt a[3], b3[3], c[3];
    bb b = {0};
    mk_pkts(a, 2000, false); /* second */
    mk_pcap(&b, false, false, 1, 65535, a, 3);
    write_bb("rot/a.pcap", &b);
    mk_pkts(b3, 3000, true); /* third: raw IP link type */
    for (int i = 0; i < 3; i++) {
        memmove(b3[i].data, b3[i].data + 14, b3[i].caplen - 14);
        b3[i].caplen -= 14;
        b3[i].wirelen -= 14;
    }
    mk_pcapng(&b, false, true, 101, b3, 3);
    write_bb("rot/b.pcapng", &b);
    mk_pkts(c, 1000, true); /* first */
    mk_pcap(&b, true, true, 1, 65535, c, 3);
    write_bb("rot/c.pcap", &b);
    hy_test_write_file(hy_test_path("rot/notes.txt"), "hello\n", 6);
    hy_test_write_file(hy_test_path("rot/.hidden"), "junk", 4);
    assert_int_equal(mkdir(hy_test_path("rot/sub"), 0700), 0);

    hy_source *s = NULL;
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_open_offline(dir, NULL, &s), HY_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hy_source_next(s, &pkt), HY_OK);
        check_pkt(&pkt, &c[i], true, DLT_EN10MB);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hy_source_next(s, &pkt), HY_OK);
        check_pkt(&pkt, &a[i], false, DLT_EN10MB);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hy_source_next(s, &pkt), HY_OK);
        check_pkt(&pkt, &b3[i], true, DLT_RAW);
    }
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    hy_capture_stats st;
    hy_source_stats(s, &st);
    assert_string_equal(st.source, dir);
    assert_int_equal(st.received, 9);
    assert_int_equal(st.first_ns, exp_ns(&c[0], true));
    assert_int_equal(st.last_ns, exp_ns(&b3[2], true));
    assert_int_equal(st.truncated, 0);
    const char *w = hy_source_warning(s);
    assert_non_null(strstr(w, dir));
    assert_non_null(strstr(w, "notes.txt"));
    assert_null(strstr(w, ".hidden"));
    uint64_t done, total, sum = 0;
    struct stat sb;
    static const char *const names[] = {"rot/a.pcap", "rot/b.pcapng", "rot/c.pcap"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(stat(hy_test_path(names[i]), &sb), 0);
        sum += (uint64_t)sb.st_size;
    }
    hy_source_progress(s, &done, &total);
    assert_int_equal(total, sum);
    assert_int_equal(done, sum);
    hy_source_close(s);

    /* The filter applies per file, whatever its link type. */
    hy_source_cfg cfg = {.bpf = "udp port 123"};
    assert_int_equal(hy_source_open_offline(dir, &cfg, &s), HY_OK);
    const tpkt *want[] = {&c[2], &a[2], &b3[2]};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hy_source_next(s, &pkt), HY_OK);
        assert_int_equal(pkt.ts_ns, exp_ns(want[i], i != 1));
    }
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    hy_source_close(s);

    /* A truncated file in the middle: the directory goes on after it. */
    mk_pcap(&b, false, false, 1, 65535, a, 3);
    b.n -= 5;
    write_bb("rot/a.pcap", &b);
    assert_int_equal(hy_source_open_offline(dir, NULL, &s), HY_OK);
    int n = 0;
    while (hy_source_next(s, &pkt) == HY_OK)
        n++;
    assert_int_equal(n, 8);
    hy_source_stats(s, &st);
    assert_int_equal(st.truncated, 1);
    snprintf(path, sizeof path, "%s/a.pcap: truncated after packet 2", dir);
    assert_non_null(strstr(hy_source_warning(s), path));
    assert_non_null(strstr(hy_err_detail(), path));
    hy_source_close(s);
}

static void test_directory_without_captures(void **state)
{
    const char *dir = hy_test_path("nocap");
    assert_int_equal(mkdir(dir, 0700), 0);
    hy_source *s = NULL;
    assert_int_equal(hy_source_open_offline(dir, NULL, &s), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), dir));
    hy_test_write_file(hy_test_path("nocap/readme.md"), "# no\n", 5);
    assert_int_equal(hy_source_open_offline(dir, NULL, &s), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), dir));
    assert_non_null(strstr(hy_err_detail(), "readme.md"));
    assert_null(s);
}

static void test_bpf_offline(void **state)
{
    tpkt p[3];
    bb b = {0};
    mk_pkts(p, 1700000000u, false);
    mk_pcap(&b, false, false, 1, 65535, p, 3);
    const char *path = write_bb("bpf.pcap", &b);
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    hy_source_cfg cfg = {.bpf = "udp port 53"};
    assert_int_equal(hy_source_open_offline(path, &cfg, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    check_pkt(&pkt, &p[0], false, DLT_EN10MB);
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    hy_capture_stats st;
    hy_source_stats(s, &st);
    assert_int_equal(st.received, 1);
    hy_source_close(s);

    cfg.bpf = "tcp dst port 80";
    assert_int_equal(hy_source_open_offline(path, &cfg, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    check_pkt(&pkt, &p[1], false, DLT_EN10MB);
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    hy_source_close(s);

    /* A cut file with a filter still counts records in the warning. */
    mk_pcap(&b, false, false, 1, 65535, p, 3);
    b.n -= 3;
    path = write_bb("bpf_cut.pcap", &b);
    cfg.bpf = "tcp";
    assert_int_equal(hy_source_open_offline(path, &cfg, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    assert_non_null(strstr(hy_source_warning(s), "truncated after packet 2"));
    hy_source_close(s);

    cfg.bpf = "udp port 53 and and";
    assert_int_equal(hy_source_open_offline(path, &cfg, &s), HY_ERR_CONFIG);
    assert_null(s);
    assert_non_null(strstr(hy_err_detail(), "\"udp port 53 and and\""));
    assert_non_null(strstr(hy_err_detail(), "syntax error"));
}

static void test_caplen_clamp(void **state)
{
    /* USBPCAP allows 1 MiB records in libpcap; hayate clamps to its cap. */
    bb b = {0};
    uint32_t n = HY_MAX_SNAPLEN + 1000;
    mk_pcap(&b, false, true, 249, 1u << 20, NULL, 0);
    bb_u32(&b, 5);
    bb_u32(&b, 6);
    bb_u32(&b, n);
    bb_u32(&b, n + 1);
    uint8_t *data = calloc(1, n);
    assert_non_null(data);
    data[HY_MAX_SNAPLEN - 1] = 0xab;
    bb_put(&b, data, n);
    free(data);
    const char *path = write_bb("usb.pcap", &b);
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    hy_err e = hy_source_next(s, &pkt);
    if (e != HY_OK) {
        /* an older libpcap refuses the record: then no clamp is needed */
        assert_int_equal(e, HY_ERR_CLOSED);
    } else {
        assert_int_equal(pkt.caplen, HY_MAX_SNAPLEN);
        assert_int_equal(pkt.wirelen, n + 1);
        assert_int_equal(pkt.data[HY_MAX_SNAPLEN - 1], 0xab);
        assert_int_equal(pkt.ts_ns, 5000000006u);
    }
    hy_source_close(s);
}

static void test_garbage_times(void **state)
{
    /* pcapng with 1-second resolution and all-ones time: seconds overflow
     * time_t in libpcap, hayate clamps rather than wrapping. */
    bb b = {0};
    b.be = false;
    bb_u32(&b, 0x0A0D0D0A);
    bb_u32(&b, 28);
    bb_u32(&b, 0x1A2B3C4D);
    bb_u16(&b, 1);
    bb_u16(&b, 0);
    bb_u32(&b, 0xffffffffu);
    bb_u32(&b, 0xffffffffu);
    bb_u32(&b, 28);
    bb_u32(&b, 1);
    bb_u32(&b, 32);
    bb_u16(&b, 1);
    bb_u16(&b, 0);
    bb_u32(&b, 65535);
    bb_u16(&b, 9);
    bb_u16(&b, 1);
    bb_put(&b, (uint8_t[]){0, 0, 0, 0}, 4); /* 10^0 */
    bb_u32(&b, 0);
    bb_u32(&b, 32);
    bb_u32(&b, 6);
    bb_u32(&b, 36);
    bb_u32(&b, 0);
    bb_u32(&b, 0xffffffffu);
    bb_u32(&b, 0xffffffffu);
    bb_u32(&b, 4);
    bb_u32(&b, 4);
    bb_u32(&b, 0x01020304);
    bb_u32(&b, 36);
    const char *path = write_bb("garbage_ts.pcapng", &b);
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    assert_int_equal(pkt.ts_ns, 0);
    assert_int_equal(pkt.caplen, 4);
    hy_source_close(s);

    /* A nanosecond pcap with an out-of-range fraction is just converted. */
    tpkt p[3];
    mk_pkts(p, 10, true);
    p[0].frac = 0xffffffffu;
    mk_pcap(&b, false, true, 1, 65535, p, 1);
    path = write_bb("garbage_frac.pcap", &b);
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    assert_int_equal(pkt.ts_ns, 10000000000u); /* libpcap gives -1: clamped to 0 */
    hy_source_close(s);

    /* Seconds past 2^31 (after 2038) are unsigned in the format. */
    mk_pkts(p, 0x80000001u, false);
    mk_pcap(&b, true, false, 1, 65535, p, 1);
    path = write_bb("y2038.pcap", &b);
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    assert_int_equal(pkt.ts_ns, 0x80000001ull * 1000000000u + p[0].frac * 1000ull);
    hy_source_close(s);
}

static void test_break_offline(void **state)
{
    tpkt p[3];
    bb b = {0};
    mk_pkts(p, 1700000000u, false);
    mk_pcap(&b, false, false, 1, 65535, p, 3);
    const char *path = write_bb("break.pcap", &b);
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    assert_int_equal(hy_source_next(s, &pkt), HY_OK);
    hy_source_break(s);
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_CLOSED);
    assert_non_null(strstr(hy_err_detail(), "stopped"));
    hy_capture_stats st;
    hy_source_stats(s, &st);
    assert_int_equal(st.truncated, 0);
    hy_source_close(s);
}

/* ---- stdin, in a child so the test's own stdin is untouched ---- */

/* Child: reads "-" and checks count, first time and progress; exit code 0
 * when all hold. Uses _exit so the parent's tmpdir cleanup does not run. */
static void child_read_stdin(int npkts, uint64_t first_ns, uint64_t size, int truncated)
{
    hy_source *s = NULL;
    hy_raw_pkt pkt;
    if (hy_source_open_offline("-", NULL, &s) != HY_OK)
        _exit(10);
    int n = 0;
    hy_err e;
    while ((e = hy_source_next(s, &pkt)) == HY_OK) {
        if (n == 0 && pkt.ts_ns != first_ns)
            _exit(11);
        n++;
    }
    hy_capture_stats st;
    hy_source_stats(s, &st);
    uint64_t done, total;
    hy_source_progress(s, &done, &total);
    int rc = 0;
    if (e != HY_ERR_CLOSED || n != npkts)
        rc = 12;
    else if (strcmp(st.source, "-") != 0 || done != size || total != 0)
        rc = 13;
    else if (st.truncated != truncated)
        rc = 14;
    else if (truncated && !strstr(hy_source_warning(s), "stdin: truncated after packet"))
        rc = 15;
    hy_source_close(s);
    _exit(rc);
}

static int wait_child(pid_t pid)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_stdin(void **state)
{
    tpkt p[3];
    bb b = {0};
    mk_pkts(p, 1700000000u, false);
    mk_pcapng(&b, false, false, 1, p, 3);
    size_t size = b.n;
    uint8_t *bytes = malloc(size);
    assert_non_null(bytes);
    memcpy(bytes, b.p, size);
    const char *path = write_bb("stdin.pcapng", &b);
    fflush(NULL);

    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(path, "rb", stdin))
            _exit(9);
        child_read_stdin(3, exp_ns(&p[0], false), size, 0);
    }
    assert_int_equal(wait_child(pid), 0);

    /* A pipe, cut inside the last block: progress and the offset still work. */
    for (int cut = 0; cut < 2; cut++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[1]);
            if (dup2(fds[0], 0) < 0)
                _exit(9);
            close(fds[0]);
            child_read_stdin(cut ? 2 : 3, exp_ns(&p[0], false), cut ? size - 6 : size, cut);
        }
        close(fds[0]);
        size_t len = cut ? size - 6 : size;
        assert_int_equal(write(fds[1], bytes, len), (ssize_t)len);
        close(fds[1]);
        assert_int_equal(wait_child(pid), 0);
    }
    free(bytes);
}

/* ---- live ---- */

static void test_live_nonexistent(void **state)
{
    hy_source *s = NULL;
    hy_err e = hy_source_open_live("hy-nonexistent0", NULL, &s);
    assert_int_equal(e, HY_ERR_CAPTURE);
    assert_null(s);
    assert_non_null(strstr(hy_err_detail(), "interface hy-nonexistent0: "));
    assert_int_equal(hy_source_open_live(NULL, NULL, &s), HY_ERR_ARG);
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *breaker(void *arg)
{
    usleep(300 * 1000);
    hy_source_break(arg);
    return NULL;
}

/* Breaks a read that a regression would leave blocked for ever. */
static void *late_breaker(void *arg)
{
    usleep(3000 * 1000);
    hy_source_break(arg);
    return NULL;
}

static void test_live_lo(void **state)
{
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(rx >= 0 && tx >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(rx, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(rx, (struct sockaddr *)&a, &alen), 0);
    char filter[128];
    snprintf(filter, sizeof filter, "udp and dst host 127.0.0.1 and dst port %u",
             ntohs(a.sin_port));

    hy_source *s = NULL;
    hy_source_cfg cfg = {.bpf = filter, .timeout_ms = 100};
    hy_err e = hy_source_open_live("lo", &cfg, &s);
    if (e != HY_OK) {
        fprintf(stdout, "skipping live capture on lo: %s\n", hy_err_detail());
        close(rx);
        close(tx);
        skip();
    }
    assert_true(hy_source_is_live(s));
    static const char msg[] = "hayate-capture-probe";
    uint64_t before = wall_ns();
    assert_int_equal(sendto(tx, msg, sizeof msg, 0, (struct sockaddr *)&a, sizeof a),
                     (ssize_t)sizeof msg);
    hy_raw_pkt pkt;
    bool found = false;
    for (int i = 0; i < 100 && !found; i++) {
        e = hy_source_next(s, &pkt);
        if (e == HY_ERR_AGAIN)
            continue;
        assert_int_equal(e, HY_OK);
        found = pkt.caplen >= sizeof msg &&
                memcmp(pkt.data + pkt.caplen - sizeof msg, msg, sizeof msg) == 0;
    }
    uint64_t after = wall_ns();
    assert_true(found);
    assert_int_equal(pkt.linktype, DLT_EN10MB);
    assert_int_equal(pkt.caplen, 14 + 20 + 8 + sizeof msg);
    assert_true(pkt.ts_ns + 1000000000u >= before && pkt.ts_ns <= after + 1000000000u);
    hy_capture_stats st;
    hy_source_stats(s, &st);
    assert_string_equal(st.source, "lo");
    assert_true(st.received >= 1);
    uint64_t done = 1, total = 1;
    hy_source_progress(s, &done, &total);
    assert_int_equal(done + total, 0);
    hy_source_close(s);

    /* A break from another thread ends a blocking read. */
    cfg.timeout_ms = 10000;
    assert_int_equal(hy_source_open_live("lo", &cfg, &s), HY_OK);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, breaker, s), 0);
    uint64_t t0 = wall_ns();
    do
        e = hy_source_next(s, &pkt);
    while (e == HY_ERR_AGAIN || e == HY_OK);
    assert_int_equal(e, HY_ERR_CLOSED);
    assert_true(wall_ns() - t0 < 5000000000u);
    pthread_join(th, NULL);
    hy_source_close(s);

    /* A quiet interface (nothing matches the filter) still returns after
     * the timeout, so event time moves on: a blocking TPACKET_V3 read
     * never would. */
    cfg.timeout_ms = 100;
    assert_int_equal(hy_source_open_live("lo", &cfg, &s), HY_OK);
    assert_int_equal(pthread_create(&th, NULL, late_breaker, s), 0);
    t0 = wall_ns();
    assert_int_equal(hy_source_next(s, &pkt), HY_ERR_AGAIN);
    assert_true(wall_ns() - t0 < 2000000000u);
    pthread_join(th, NULL);
    hy_source_close(s);

    cfg.bpf = "not a filter (";
    assert_int_equal(hy_source_open_live("lo", &cfg, &s), HY_ERR_CONFIG);
    assert_non_null(strstr(hy_err_detail(), "not a filter ("));
    close(rx);
    close(tx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_variants),
        cmocka_unit_test(test_pcapng_variants),
        cmocka_unit_test(test_progress_midway),
        cmocka_unit_test(test_not_capture),
        cmocka_unit_test(test_missing_and_empty),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_pcapng_bad_block),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_directory_without_captures),
        cmocka_unit_test(test_bpf_offline),
        cmocka_unit_test(test_caplen_clamp),
        cmocka_unit_test(test_garbage_times),
        cmocka_unit_test(test_break_offline),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_live_nonexistent),
        cmocka_unit_test(test_live_lo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
