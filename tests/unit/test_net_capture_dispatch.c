/* hy_source_dispatch gives exactly what hy_source_next gives, packet for
 * packet, with the same end, statistics and warning: classic pcap written by
 * libpcap, a hand-built pcapng, captures cut at every byte of their last
 * records, a bad pcapng block, a directory, a BPF filter, and any max; and a
 * callback's error stops it. */
#include "testutil.h"

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hayate/capture.h"

/* What a reader saw: every packet's fields and bytes, then the end. */
typedef struct seen {
    uint8_t *log; /* per packet: ts, caplen, wirelen, linktype, then the bytes */
    size_t n, cap;
    unsigned pkts;
    hy_err end;
    hy_capture_stats st;
    char warning[2048];
    unsigned fail_at; /* dispatch: the callback fails on this packet (1-based); 0 never */
} seen;

static void log_put(seen *w, const void *d, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2;
        w->log = realloc(w->log, w->cap);
        assert_non_null(w->log);
    }
    memcpy(w->log + w->n, d, n);
    w->n += n;
}

static hy_err record(void *ud, const hy_raw_pkt *p)
{
    seen *w = ud;
    if (w->fail_at && w->pkts + 1 == w->fail_at)
        return hy_err_set(HY_ERR_IO, "test: callback fails");
    w->pkts++;
    log_put(w, &p->ts_ns, sizeof p->ts_ns);
    log_put(w, &p->caplen, sizeof p->caplen);
    log_put(w, &p->wirelen, sizeof p->wirelen);
    log_put(w, &p->linktype, sizeof p->linktype);
    log_put(w, p->data, p->caplen);
    return HY_OK;
}

static void finish(seen *w, hy_source *s, hy_err end)
{
    w->end = end;
    hy_source_stats(s, &w->st);
    snprintf(w->warning, sizeof w->warning, "%s", hy_source_warning(s));
    hy_source_close(s);
}

static void read_next(const char *path, const char *bpf, seen *w)
{
    hy_source_cfg cfg = {.bpf = bpf};
    hy_source *s = NULL;
    hy_raw_pkt p;
    hy_err e;
    assert_int_equal(hy_source_open_offline(path, &cfg, &s), HY_OK);
    while ((e = hy_source_next(s, &p)) == HY_OK)
        record(w, &p);
    finish(w, s, e);
}

static void read_dispatch(const char *path, const char *bpf, int max, seen *w)
{
    hy_source_cfg cfg = {.bpf = bpf};
    hy_source *s = NULL;
    hy_err e;
    assert_int_equal(hy_source_open_offline(path, &cfg, &s), HY_OK);
    for (int calls = 0; (e = hy_source_dispatch(s, max, record, w)) == HY_OK; calls++)
        assert_true(calls < 100000); /* it ends */
    finish(w, s, e);
}

/* Both readers on path (with bpf, NULL for none) agree for several max;
 * returns the packets read. */
static unsigned same_reads(const char *path, const char *bpf)
{
    seen a = {0};
    read_next(path, bpf, &a);
    static const int maxes[] = {1, 2, 7, 256};
    for (size_t i = 0; i < sizeof maxes / sizeof *maxes; i++) {
        seen b = {0};
        read_dispatch(path, bpf, maxes[i], &b);
        assert_int_equal(b.pkts, a.pkts);
        assert_int_equal(b.n, a.n);
        if (a.n)
            assert_memory_equal(b.log, a.log, a.n);
        assert_int_equal(b.end, a.end);
        assert_int_equal(b.st.received, a.st.received);
        assert_int_equal(b.st.bytes, a.st.bytes);
        assert_int_equal(b.st.truncated, a.st.truncated);
        assert_int_equal(b.st.first_ns, a.st.first_ns);
        assert_int_equal(b.st.last_ns, a.st.last_ns);
        assert_string_equal(b.warning, a.warning);
        free(b.log);
    }
    free(a.log);
    return a.pkts;
}

/* Ethernet + IPv4 + UDP (i even) or TCP frame i, 60 + i % 40 bytes. */
static uint32_t frame(unsigned i, uint8_t *f)
{
    uint32_t n = 60 + i % 40;
    memset(f, 0, n);
    f[12] = 0x08;
    f[14] = 0x45;
    f[16] = (uint8_t)((n - 14) >> 8), f[17] = (uint8_t)(n - 14);
    f[22] = 64;
    f[23] = i % 2 ? 6 : 17;
    f[26] = 10, f[29] = (uint8_t)(1 + i % 7); /* 10.0.0.x */
    f[30] = 10, f[33] = 200;
    f[34] = (uint8_t)(i >> 8), f[35] = (uint8_t)i, f[37] = 53;
    if (i % 2)
        f[46] = 0x50;
    for (uint32_t k = 54; k < n; k++)
        f[k] = (uint8_t)(i * 31 + k);
    return n;
}

/* A classic pcap of n frames written by libpcap (nanosecond stamps from
 * t0); the last frame's capture length is cut to 50 bytes of its 80+. */
static const char *write_pcap(const char *name, unsigned n, uint64_t t0)
{
    const char *path = hy_test_path(name);
    pcap_t *p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    assert_non_null(p);
    pcap_dumper_t *d = pcap_dump_open(p, path);
    assert_non_null(d);
    for (unsigned i = 0; i < n; i++) {
        uint8_t f[128];
        uint64_t ts = t0 + i * 1234567ull;
        struct pcap_pkthdr h = {.caplen = frame(i, f)};
        h.len = h.caplen;
        if (i + 1 == n)
            h.caplen = 50;
        h.ts.tv_sec = (time_t)(ts / 1000000000u);
        h.ts.tv_usec = (suseconds_t)(ts % 1000000000u); /* ns in a ns file */
        pcap_dump((u_char *)d, &h, f);
    }
    pcap_dump_close(d);
    pcap_close(p);
    return path;
}

static void put32(uint8_t *b, size_t *o, uint32_t v)
{
    memcpy(b + *o, &v, 4);
    *o += 4;
}

/* A pcapng (section, one Ethernet interface in microseconds, n enhanced
 * packet blocks); its size in *len. */
static const char *write_pcapng(const char *name, unsigned n, size_t *len)
{
    static uint8_t b[1 << 16];
    size_t o = 0;
    put32(b, &o, 0x0a0d0d0a), put32(b, &o, 28), put32(b, &o, 0x1a2b3c4d);
    put32(b, &o, 1), put32(b, &o, 0xffffffff), put32(b, &o, 0xffffffff), put32(b, &o, 28);
    put32(b, &o, 1), put32(b, &o, 20), put32(b, &o, 1), put32(b, &o, 0), put32(b, &o, 20);
    for (unsigned i = 0; i < n; i++) {
        uint8_t f[128];
        uint32_t fl = frame(i, f), pad = (4 - fl % 4) % 4, bl = 32 + fl + pad;
        uint64_t us = 1700000000000000ull + i * 1000ull;
        put32(b, &o, 6), put32(b, &o, bl), put32(b, &o, 0);
        put32(b, &o, (uint32_t)(us >> 32)), put32(b, &o, (uint32_t)us);
        put32(b, &o, fl), put32(b, &o, fl);
        memcpy(b + o, f, fl);
        memset(b + o + fl, 0, pad);
        o += fl + pad;
        put32(b, &o, bl);
    }
    const char *path = hy_test_path(name);
    hy_test_write_file(path, b, o);
    *len = o;
    return path;
}

/* The first len bytes of file from into file to. */
static const char *cut(const char *from, size_t len, const char *to)
{
    size_t n = 0;
    uint8_t *d = hy_test_read_file(from, &n);
    assert_non_null(d);
    assert_true(len <= n);
    const char *path = hy_test_path(to);
    hy_test_write_file(path, d, len);
    free(d);
    return path;
}

static void test_pcap_and_filter(void **state)
{
    (void)state;
    const char *path = write_pcap("a.pcap", 600, 1700000000000000000ull);
    assert_int_equal(same_reads(path, NULL), 600);
    assert_int_equal(same_reads(path, "udp"), 300);
    assert_int_equal(same_reads(path, "tcp and host 10.0.0.3"), 43);
}

/* Every cut inside the last two records: the same packets, the same
 * "truncated after packet N (byte offset ...)" warning. */
static void test_cuts(void **state)
{
    (void)state;
    char path[600], png[600]; /* hy_test_path's buffers rotate */
    snprintf(path, sizeof path, "%s", write_pcap("c.pcap", 40, 1700000000000000000ull));
    size_t n = 0;
    free(hy_test_read_file(path, &n));
    size_t last2 = 16 + 50 + 16 + (60 + 38 % 40);
    for (size_t len = n - last2; len < n; len++) {
        unsigned got = same_reads(cut(path, len, "cut.pcap"), NULL);
        assert_true(got == 38 || got == 39);
    }
    size_t ng = 0;
    snprintf(png, sizeof png, "%s", write_pcapng("b.pcapng", 30, &ng));
    assert_int_equal(same_reads(png, NULL), 30);
    for (size_t len = ng - 200; len < ng; len += 3)
        assert_true(same_reads(cut(png, len, "cut.pcapng"), NULL) < 30);
}

/* A pcapng block whose length is not a multiple of 4 ends the file. */
static void test_bad_block(void **state)
{
    (void)state;
    size_t ng = 0;
    const char *png = write_pcapng("bad.pcapng", 5, &ng);
    uint8_t *d = hy_test_read_file(png, &ng);
    assert_non_null(d);
    size_t epb2 = 28 + 20 + (32 + 60); /* frame 0 is 60 bytes: no padding */
    uint32_t thirteen = 13;
    memcpy(d + epb2 + 4, &thirteen, 4);
    hy_test_write_file(png, d, ng);
    free(d);
    assert_int_equal(same_reads(png, NULL), 1);
}

/* Two files, read in time order: the later-named one first. */
static void test_directory(void **state)
{
    (void)state;
    char dir[600];
    snprintf(dir, sizeof dir, "%s", hy_test_path("d"));
    assert_int_equal(mkdir(dir, 0700), 0);
    write_pcap("d/x.pcap", 300, 1700000500000000000ull);
    write_pcap("d/y.pcap", 200, 1700000000000000000ull);
    size_t ng = 0;
    write_pcapng("d/z.pcapng", 9, &ng);
    assert_int_equal(same_reads(dir, NULL), 509);
}

/* A callback error stops the read at once and comes back unchanged. */
static void test_callback_error(void **state)
{
    (void)state;
    const char *path = write_pcap("e.pcap", 100, 1700000000000000000ull);
    static const int maxes[] = {1, 10, 256};
    for (size_t i = 0; i < sizeof maxes / sizeof *maxes; i++) {
        seen w = {.fail_at = 25};
        hy_source *s = NULL;
        hy_err e;
        assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
        while ((e = hy_source_dispatch(s, maxes[i], record, &w)) == HY_OK)
            ;
        assert_int_equal(e, HY_ERR_IO);
        assert_non_null(strstr(hy_err_detail(), "callback fails"));
        assert_int_equal(w.pkts, 24);
        hy_source_close(s);
        free(w.log);
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    const char *path = write_pcap("f.pcap", 3, 1700000000000000000ull);
    hy_source *s = NULL;
    seen w = {0};
    assert_int_equal(hy_source_open_offline(path, NULL, &s), HY_OK);
    assert_int_equal(hy_source_dispatch(s, 0, record, &w), HY_ERR_ARG);
    assert_int_equal(hy_source_dispatch(s, 8, NULL, &w), HY_ERR_ARG);
    assert_int_equal(hy_source_dispatch(NULL, 8, record, &w), HY_ERR_ARG);
    assert_int_equal(hy_source_dispatch(s, 8, record, &w), HY_OK);
    assert_int_equal(w.pkts, 3);
    assert_int_equal(hy_source_dispatch(s, 8, record, &w), HY_ERR_CLOSED);
    hy_source_close(s);
    free(w.log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_and_filter), cmocka_unit_test(test_cuts),
        cmocka_unit_test(test_bad_block),       cmocka_unit_test(test_directory),
        cmocka_unit_test(test_callback_error),  cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
