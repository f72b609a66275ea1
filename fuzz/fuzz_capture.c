/* Fuzz target for capture files: the input is a pcap or pcapng file, opened
 * from a memory stream through the same path as files and stdin, and read to
 * the end, without and with a BPF filter, each time by hy_source_next and by
 * hy_source_dispatch (which must give the same packets, end, statistics and
 * warning). Checks the invariants hy_source promises to its consumers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fnv.h"
#include "hayate/capture.h"
#include "hayate/limits.h"
#include "net/capture_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one read saw. */
typedef struct seen {
    uint64_t n, bytes, digest; /* digest: FNV-1a over every packet's fields and bytes */
    hy_capture_stats st;
    char warning[HY__CAP_WARN_MAX];
} seen;

static hy_err take(void *ud, const hy_raw_pkt *pkt)
{
    seen *w = ud;
    if (pkt->caplen > HY_MAX_SNAPLEN || pkt->wirelen < pkt->caplen)
        __builtin_trap();
    w->digest = hy_fnv64(w->digest, &pkt->ts_ns, sizeof pkt->ts_ns);
    w->digest = hy_fnv64(w->digest, &pkt->caplen, sizeof pkt->caplen);
    w->digest = hy_fnv64(w->digest, &pkt->wirelen, sizeof pkt->wirelen);
    w->digest = hy_fnv64(w->digest, &pkt->linktype, sizeof pkt->linktype);
    w->digest = hy_fnv64(w->digest, pkt->data, pkt->caplen); /* every byte readable */
    w->n++;
    w->bytes += pkt->caplen;
    return HY_OK;
}

/* Reads the whole input by hy_source_next (max 0) or hy_source_dispatch
 * with max packets a call into *w; false when it is not a capture. */
static bool read_all(uint8_t *copy, size_t size, const char *bpf, int max, seen *w)
{
    FILE *fp = fmemopen(copy, size, "rb");
    if (!fp)
        return false;
    hy_source_cfg cfg = {.bpf = bpf};
    hy_source *s = NULL;
    if (hy__source_open_stream(fp, "fuzz", size, &cfg, &s) != HY_OK)
        return false;
    hy_raw_pkt pkt;
    hy_err e;
    *w = (seen){.digest = HY_FNV64_INIT};
    if (max) {
        while ((e = hy_source_dispatch(s, max, take, w)) == HY_OK)
            ;
    } else {
        while ((e = hy_source_next(s, &pkt)) == HY_OK)
            take(w, &pkt);
    }
    if (e != HY_ERR_CLOSED)
        __builtin_trap();
    hy_source_stats(s, &w->st);
    snprintf(w->warning, sizeof w->warning, "%s", hy_source_warning(s));
    uint64_t done, total;
    hy_source_progress(s, &done, &total);
    if (w->st.received != w->n || w->st.bytes != w->bytes || done > total || total != size)
        __builtin_trap();
    if (w->n && w->st.first_ns > w->st.last_ns)
        __builtin_trap();
    if (w->st.truncated && !strstr(w->warning, "fuzz: truncated after packet"))
        __builtin_trap();
    hy_source_close(s);
    return true;
}

/* Both read paths agree on the input. */
static void read_both(uint8_t *copy, size_t size, const char *bpf, int max)
{
    seen a, b;
    if (!read_all(copy, size, bpf, 0, &a))
        return;
    if (!read_all(copy, size, bpf, max, &b))
        __builtin_trap(); /* opened once, so opens again */
    if (a.n != b.n || a.bytes != b.bytes || a.digest != b.digest ||
        a.st.received != b.st.received || a.st.truncated != b.st.truncated ||
        a.st.first_ns != b.st.first_ns || a.st.last_ns != b.st.last_ns ||
        strcmp(a.warning, b.warning) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > (4u << 20))
        return 0;
    uint8_t *copy = malloc(size); /* fmemopen wants a writable buffer */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    int max = 1 + data[size - 1] % 64; /* packets a dispatch call */
    read_both(copy, size, NULL, max);
    read_both(copy, size, "udp or (tcp and port 80)", max);
    free(copy);
    return 0;
}
