/* Packet sources over libpcap: the object, the read loop shared by files,
 * stdin and directories, and the accessors. Opening lives in
 * capture_file.c, capture_dir.c and capture_live.c. */
#include "net/capture_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hayate/limits.h"

hy_err hy__cap_alloc(int kind, const char *name, const hy_source_cfg *cfg, hy_source **out)
{
    hy_source *s = calloc(1, sizeof *s);
    if (!s)
        return hy_err_set(HY_ERR_NOMEM, "capture: out of memory");
    s->kind = kind;
    s->name = strdup(name);
    if (cfg && cfg->bpf && *cfg->bpf)
        s->bpf = strdup(cfg->bpf);
    if (!s->name || (cfg && cfg->bpf && *cfg->bpf && !s->bpf)) {
        free(s->name);
        free(s->bpf);
        free(s);
        return hy_err_set(HY_ERR_NOMEM, "capture: out of memory");
    }
    s->cur = s->name;
    atomic_init(&s->done, 0);
    atomic_init(&s->brk, 0);
    s->live_fd = s->wake_fd = -1;
    snprintf(s->st.source, sizeof s->st.source, "%s", name);
    *out = s;
    return HY_OK;
}

void hy__cap_warn(hy_source *s, const char *fmt, ...)
{
    size_t n = strlen(s->warning);
    if (n + 3 >= sizeof s->warning)
        return;
    if (n) {
        memcpy(s->warning + n, "; ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->warning + n, sizeof s->warning - n, fmt, ap);
    va_end(ap);
}

hy_err hy__cap_compile(hy_source *s, pcap_t *p, const char *file, struct bpf_program *prog)
{
    if (pcap_compile(p, prog, s->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0)
        return hy_err_set(HY_ERR_CONFIG, "bpf filter \"%s\": %s (%s)", s->bpf, pcap_geterr(p),
                          file);
    return HY_OK;
}

static void hy__cap_set_done(hy_source *s)
{
    atomic_store_explicit(&s->done, s->done_base + s->cur_off, memory_order_relaxed);
}

hy_err hy__cap_attach(hy_source *s, pcap_t *p, const char *cur, uint64_t size)
{
    s->p = p;
    s->cur = cur;
    s->linktype = pcap_datalink(p);
    s->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    s->cur_pkts = 0;
    s->cur_off = 0;
    s->cur_size = size;
    s->classic = pcap_major_version(p) == 2; /* pcapng reports 1 */
    FILE *f = pcap_file(p);
    long off = f ? ftell(f) : -1;
    if (off > 0)
        s->cur_off = (uint64_t)off;
    hy__cap_set_done(s);
    if (s->bpf) {
        hy_err e = hy__cap_compile(s, p, cur, &s->prog);
        if (e != HY_OK) {
            hy__cap_detach(s);
            return e;
        }
        s->have_prog = true;
    }
    return HY_OK;
}

void hy__cap_detach(hy_source *s)
{
    if (s->have_prog)
        pcap_freecode(&s->prog);
    s->have_prog = false;
    if (s->p)
        pcap_close(s->p);
    s->p = NULL;
}

/* The current file ended (EOF, cut record or bad block): count it as read. */
static void hy__cap_finish_file(hy_source *s)
{
    FILE *f = pcap_file(s->p);
    long off = f ? ftell(f) : -1;
    if (off > 0 && (uint64_t)off > s->cur_off)
        s->cur_off = (uint64_t)off;
    s->done_base += s->cur_size > s->cur_off ? s->cur_size : s->cur_off;
    s->cur_off = 0;
    hy__cap_set_done(s);
    hy__cap_detach(s);
    if (s->kind != HY__CAP_DIR)
        s->ended = true;
}

static void hy__cap_note_truncated(hy_source *s)
{
    s->st.truncated = 1;
    hy__cap_warn(s, "%s: truncated after packet %llu (byte offset %llu): %s", s->cur,
                 (unsigned long long)s->cur_pkts, (unsigned long long)s->cur_off,
                 pcap_geterr(s->p));
}

static hy_err hy__cap_closed(hy_source *s)
{
    if (s->st.truncated)
        return hy_err_set(HY_ERR_CLOSED, "%s", s->warning);
    if (atomic_load(&s->brk))
        return hy_err_set(HY_ERR_CLOSED, "%s: stopped", s->name);
    return hy_err_set(HY_ERR_CLOSED, "%s: end of input", s->name);
}

/* Counts one record read from the current file (offset, progress); false
 * when the offline filter rejects it. */
static inline bool hy__cap_record(hy_source *s, const struct pcap_pkthdr *h, const u_char *data)
{
    s->cur_pkts++;
    if (s->classic) { /* record = 16-byte header + caplen: no ftell */
        s->cur_off += 16u + h->caplen;
    } else {
        long off = ftell(pcap_file(s->p));
        if (off >= 0)
            s->cur_off = (uint64_t)off;
    }
    hy__cap_set_done(s);
    return !s->have_prog || pcap_offline_filter(&s->prog, h, data);
}

/* Makes a file current when none is: HY_OK with s->p set, HY_ERR_CLOSED
 * (s->ended) when the input is over or stopped, or an error. */
static hy_err hy__cap_current(hy_source *s)
{
    for (;;) {
        if (s->ended || atomic_load(&s->brk))
            return hy__cap_closed(s);
        if (s->p)
            return HY_OK;
        hy_err e = hy__cap_dir_advance(s);
        if (e == HY_ERR_CLOSED)
            s->ended = true;
        else if (e != HY_OK)
            return e;
    }
}

/* Files, stdin and directories: a cut record or a bad block ends the file
 * (the packets before it were all returned); a directory goes on with its
 * next file. */
static hy_err hy__cap_offline_next(hy_source *s, hy_raw_pkt *pkt)
{
    for (;;) {
        hy_err e = hy__cap_current(s);
        if (e != HY_OK)
            return e;
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(s->p, &h, &data);
        if (rc == 1) {
            if (!hy__cap_record(s, h, data))
                continue;
            hy__cap_fill(s, h, data, pkt);
            return HY_OK;
        }
        if (rc != PCAP_ERROR_BREAK && !atomic_load(&s->brk))
            hy__cap_note_truncated(s);
        hy__cap_finish_file(s);
    }
}

/* hy_source_dispatch's state during one pcap_dispatch. */
typedef struct hy__cap_disp {
    hy_source *s;
    hy_source_pkt_fn fn;
    void *ud;
    hy_err rc;  /* fn's first error: the call's later packets are skipped */
    unsigned n; /* packets given to fn */
} hy__cap_disp;

static void hy__cap_disp_one(u_char *u, const struct pcap_pkthdr *h, const u_char *data)
{
    hy__cap_disp *c = (hy__cap_disp *)u;
    hy_raw_pkt pkt;
    if (c->rc != HY_OK || !hy__cap_record(c->s, h, data))
        return;
    hy__cap_fill(c->s, h, data, &pkt);
    c->n++;
    c->rc = c->fn(c->ud, &pkt);
}

/* The error path mirrors hy__cap_offline_next: pcap_dispatch returns the
 * packets it gave (0 at the end of the file), or PCAP_ERROR for a cut
 * record or a bad block after giving those before it. */
hy_err hy_source_dispatch(hy_source *s, int max, hy_source_pkt_fn fn, void *ud)
{
    if (!s || !fn || max < 1 || s->kind == HY__CAP_LIVE)
        return hy_err_set(HY_ERR_ARG, "hy_source_dispatch: an offline source, a function "
                                      "and max >= 1");
    for (;;) {
        hy_err e = hy__cap_current(s);
        if (e != HY_OK)
            return e;
        hy__cap_disp c = {.s = s, .fn = fn, .ud = ud, .rc = HY_OK};
        int rc = pcap_dispatch(s->p, max, hy__cap_disp_one, (u_char *)&c);
        if (c.rc != HY_OK)
            return c.rc;
        if (rc > 0)
            return HY_OK;
        if (rc == PCAP_ERROR_BREAK) /* not asked for on files; the loop's top sees a break */
            continue;
        if (rc < 0 && !atomic_load(&s->brk))
            hy__cap_note_truncated(s);
        hy__cap_finish_file(s);
        if (c.n)
            return HY_OK;
    }
}

hy_err hy_source_next(hy_source *s, hy_raw_pkt *pkt)
{
    if (!s || !pkt)
        return hy_err_set(HY_ERR_ARG, "hy_source_next: NULL argument");
    if (s->kind == HY__CAP_LIVE)
        return hy__cap_live_next(s, pkt);
    return hy__cap_offline_next(s, pkt);
}

/* Only an atomic store and, for live handles, pcap_breakloop (which on
 * Linux sets a flag and writes to an eventfd): safe in a signal handler. */
void hy_source_break(hy_source *s)
{
    if (!s)
        return;
    atomic_store(&s->brk, 1);
    if (s->kind == HY__CAP_LIVE && s->wake_fd >= 0) { /* wakes hy__cap_live_next's poll */
        uint64_t one = 1;
        ssize_t w = write(s->wake_fd, &one, sizeof one);
        (void)w; /* a full counter is awake already */
    }
    if (s->kind == HY__CAP_LIVE && s->p)
        pcap_breakloop(s->p);
}

bool hy_source_is_live(const hy_source *s)
{
    return s && s->kind == HY__CAP_LIVE;
}

void hy_source_progress(const hy_source *s, uint64_t *done, uint64_t *total)
{
    uint64_t d = 0, t = 0;
    if (s && s->kind != HY__CAP_LIVE) {
        d = atomic_load_explicit(&s->done, memory_order_relaxed);
        t = s->total;
        if (t && d > t)
            d = t; /* a file that grew while read */
    }
    if (done)
        *done = d;
    if (total)
        *total = t;
}

void hy_source_stats(hy_source *s, hy_capture_stats *st)
{
    if (!st)
        return;
    if (!s) {
        memset(st, 0, sizeof *st);
        return;
    }
    *st = s->st;
    if (s->kind == HY__CAP_LIVE)
        hy__cap_live_stats(s, st);
}

const char *hy_source_warning(const hy_source *s)
{
    return s ? s->warning : "";
}

void hy_source_close(hy_source *s)
{
    if (!s)
        return;
    hy__cap_detach(s);
    if (s->wake_fd >= 0)
        close(s->wake_fd);
    for (size_t i = 0; i < s->nfiles; i++)
        free(s->files[i].path);
    free(s->files);
    free(s->iobuf); /* after the detach: its stream used it */
    free(s->bpf);
    free(s->name);
    free(s);
}
