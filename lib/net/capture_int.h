/* hayate internal: the hy_source object shared by capture.c (files, stdin,
 * the read loop), capture_dir.c (directories) and capture_live.c. */
#ifndef HAYATE_NET_CAPTURE_INT_H
#define HAYATE_NET_CAPTURE_INT_H

#include <pcap/pcap.h>
#include <stdatomic.h>
#include <stdio.h>

#include "hayate/capture.h"
#include "hayate/limits.h"

#define HY__CAP_WARN_MAX        2048u
#define HY__CAP_LIVE_TIMEOUT_MS 200
#define HY__CAP_LIVE_BUFFER     (32 << 20)

enum hy__cap_kind { HY__CAP_FILE, HY__CAP_DIR, HY__CAP_LIVE };

/* One capture file of a directory source. */
typedef struct hy__cap_file {
    char *path;
    uint64_t first_ns; /* first packet's time; UINT64_MAX when it has none */
    uint64_t size;
} hy__cap_file;

struct hy_source {
    int kind;
    char *name;      /* path, "-", directory or interface */
    char *bpf;       /* filter expression or NULL */
    pcap_t *p;       /* current handle; NULL between files */
    const char *cur; /* file being read, for messages */
    int linktype;
    bool nano; /* p gives nanosecond timestamps */
    bool have_prog;
    struct bpf_program prog; /* offline filter compiled for p */
    uint64_t cur_pkts;       /* records read from the current file */
    uint64_t cur_off;        /* byte offset after the last whole record */
    bool classic;            /* classic pcap: offsets by arithmetic, not ftell */
    uint64_t cur_size;       /* size of the current file, 0 if unknown */
    uint64_t done_base;      /* directory: bytes of the files already read */
    uint64_t total;          /* all input bytes, 0 if unknown */
    _Atomic uint64_t done;   /* read by progress bars on other threads */
    atomic_int brk;          /* set by hy_source_break */
    int live_fd;             /* live: the handle's selectable fd, or -1 */
    int wake_fd;             /* live: eventfd hy_source_break writes, or -1 */
    int live_wait_ms;        /* live: how long a read waits for packets */
    bool ended;
    char *iobuf;         /* stdio buffer of the regular file being read */
    hy__cap_file *files; /* directory: files in reading order */
    size_t nfiles, next_file;
    hy_capture_stats st;
    char warning[HY__CAP_WARN_MAX];
};

/* Allocates a source of the given kind named name (copied, also into
 * st.source) with cfg's filter copied. */
hy_err hy__cap_alloc(int kind, const char *name, const hy_source_cfg *cfg, hy_source **out);

/* Wraps fp (always taken over) in an offline handle with ns timestamps.
 * Fails with HY_ERR_FORMAT naming name: empty input or not a capture. */
hy_err hy__cap_fopen(FILE *fp, const char *name, pcap_t **out);

/* Opens the capture file at path for s; *size from fstat. A regular file
 * is read through s->iobuf (allocated here), so s may have one such handle
 * open at a time and must close it before s->iobuf goes. NOTFOUND or IO when
 * it cannot be opened, FORMAT when empty or not a capture; detail names it. */
hy_err hy__cap_open_path(hy_source *s, const char *path, pcap_t **out, uint64_t *size);

/* Compiles s->bpf for handle p (offline filters run in userland so every
 * record is counted). HY_ERR_CONFIG naming the expression and file. */
hy_err hy__cap_compile(hy_source *s, pcap_t *p, const char *file, struct bpf_program *prog);

/* Makes p (taken over) the current handle of s, reading file cur of size
 * bytes (0 if unknown). */
hy_err hy__cap_attach(hy_source *s, pcap_t *p, const char *cur, uint64_t size);

/* Closes the current handle and its filter. */
void hy__cap_detach(hy_source *s);

/* Appends a warning to s->warning, "; "-separated, cut at the buffer end. */
void hy__cap_warn(hy_source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* libpcap time to ns since the epoch: negative seconds give 0, overflow
 * saturates at UINT64_MAX. Inline: once for every packet read. */
static inline uint64_t hy__cap_ts_ns(const struct timeval *tv, bool nano)
{
    if (tv->tv_sec < 0)
        return 0; /* pcapng seconds past INT64_MAX: garbage */
    uint64_t sec = (uint64_t)tv->tv_sec;
    uint64_t frac = tv->tv_usec < 0 ? 0 : (uint64_t)tv->tv_usec; /* garbage: lost */
    if (!nano)
        frac *= 1000u; /* tv_usec is at most a 32-bit value from a file */
    /* Below these bounds (any 32-bit fraction times 1000) the sum cannot
     * overflow: the usual case costs two comparisons, not the division. */
    bool safe = sec < 18446000000u && frac < (1ull << 42);
    if (!safe && sec > (UINT64_MAX - frac) / 1000000000u)
        return UINT64_MAX;
    return sec * 1000000000u + frac;
}

/* Fills pkt from a libpcap record and counts it in s->st. */
static inline void hy__cap_fill(hy_source *s, const struct pcap_pkthdr *h, const u_char *data,
                                hy_raw_pkt *pkt)
{
    uint32_t cap = h->caplen > HY_MAX_SNAPLEN ? HY_MAX_SNAPLEN : h->caplen;
    pkt->ts_ns = hy__cap_ts_ns(&h->ts, s->nano);
    pkt->data = data;
    pkt->caplen = cap;
    pkt->wirelen = h->len < cap ? cap : h->len; /* keep wirelen >= caplen */
    pkt->linktype = s->linktype;

    hy_capture_stats *st = &s->st;
    if (st->received == 0 || pkt->ts_ns < st->first_ns)
        st->first_ns = pkt->ts_ns;
    if (st->received == 0 || pkt->ts_ns > st->last_ns)
        st->last_ns = pkt->ts_ns;
    st->received++;
    st->bytes += cap;
}

/* Opens a directory source (see capture.h). */
hy_err hy__cap_open_dir(const char *path, const hy_source_cfg *cfg, hy_source **out);

/* Directory: makes the next readable file current. HY_ERR_CLOSED when none
 * is left; files that fail to open are skipped with a warning. */
hy_err hy__cap_dir_advance(hy_source *s);

/* Live read: HY_OK, HY_ERR_AGAIN on timeout, HY_ERR_CLOSED after a break. */
hy_err hy__cap_live_next(hy_source *s, hy_raw_pkt *pkt);

/* Live: kernel counters into st. */
void hy__cap_live_stats(hy_source *s, hy_capture_stats *st);

/* Opens a capture held in a stream (taken over, closed on failure too):
 * stdin and the fuzz target use it. name is used in messages; total is the
 * stream size for progress, 0 if unknown. */
hy_err hy__source_open_stream(FILE *fp, const char *name, uint64_t total, const hy_source_cfg *cfg,
                              hy_source **out);

#endif
