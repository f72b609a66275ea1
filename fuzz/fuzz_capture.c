/* Fuzz target for capture files: the input is a pcap or pcapng file, opened
 * from a memory stream through the same path as files and stdin, and read to
 * the end, once without and once with a BPF filter. Checks the invariants
 * hy_source promises to its consumers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/capture.h"
#include "hayate/limits.h"
#include "net/capture_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(uint8_t *copy, size_t size, const char *bpf)
{
    FILE *fp = fmemopen(copy, size, "rb");
    if (!fp)
        return;
    hy_source_cfg cfg = {.bpf = bpf};
    hy_source *s = NULL;
    if (hy__source_open_stream(fp, "fuzz", size, &cfg, &s) != HY_OK)
        return;
    hy_raw_pkt pkt;
    uint64_t n = 0, bytes = 0, sink = 0;
    hy_err e;
    while ((e = hy_source_next(s, &pkt)) == HY_OK) {
        if (pkt.caplen > HY_MAX_SNAPLEN || pkt.wirelen < pkt.caplen)
            __builtin_trap();
        for (uint32_t i = 0; i < pkt.caplen; i++) /* every byte readable */
            sink += pkt.data[i];
        n++;
        bytes += pkt.caplen;
    }
    if (e != HY_ERR_CLOSED)
        __builtin_trap();
    hy_capture_stats st;
    hy_source_stats(s, &st);
    uint64_t done, total;
    hy_source_progress(s, &done, &total);
    if (st.received != n || st.bytes != bytes || done > total || total != size)
        __builtin_trap();
    if (n && st.first_ns > st.last_ns)
        __builtin_trap();
    if (st.truncated && !strstr(hy_source_warning(s), "fuzz: truncated after packet"))
        __builtin_trap();
    (void)sink;
    hy_source_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > (4u << 20))
        return 0;
    uint8_t *copy = malloc(size); /* fmemopen wants a writable buffer */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    read_all(copy, size, NULL);
    read_all(copy, size, "udp or (tcp and port 80)");
    free(copy);
    return 0;
}
