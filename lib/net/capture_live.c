/* Live capture from a network interface through libpcap. */
#include "net/capture_int.h"

#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>

#include "hayate/limits.h"

/* The read timeout: the kernel's block timeout and our poll's. */
static int hy__cap_live_timeout(const hy_source_cfg *cfg)
{
    return cfg && cfg->timeout_ms > 0 ? cfg->timeout_ms : HY__CAP_LIVE_TIMEOUT_MS;
}

/* "interface IF: <status>[: <libpcap message>][; hint]" for a failed step. */
static hy_err hy__cap_live_fail(pcap_t *p, const char *ifname, int status)
{
    const char *msg = p ? pcap_geterr(p) : "";
    const char *hint = "";
    if (status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_PROMISC_PERM_DENIED)
        hint = "; live capture needs root or CAP_NET_RAW";
    return hy_err_set(HY_ERR_CAPTURE, "interface %s: %s%s%s%s", ifname, pcap_statustostr(status),
                      *msg ? ": " : "", msg, hint);
}

static hy_err hy__cap_live_filter(pcap_t *p, const char *ifname, const char *expr)
{
    char eb[PCAP_ERRBUF_SIZE];
    bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
    if (pcap_lookupnet(ifname, &net, &mask, eb) != 0)
        mask = PCAP_NETMASK_UNKNOWN; /* no IPv4 address: only "ip broadcast" cares */
    struct bpf_program prog;
    if (pcap_compile(p, &prog, expr, 1, mask) != 0)
        return hy_err_set(HY_ERR_CONFIG, "bpf filter \"%s\": %s (interface %s)", expr,
                          pcap_geterr(p), ifname);
    int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc != 0)
        return hy_err_set(HY_ERR_CAPTURE, "interface %s: cannot set filter \"%s\": %s", ifname,
                          expr, pcap_geterr(p));
    return HY_OK;
}

/* Creates and activates the handle; activation warnings go to warn. */
static hy_err hy__cap_live_activate(const char *ifname, const hy_source_cfg *cfg, pcap_t **out,
                                    char *warn, size_t wcap)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(ifname, eb);
    if (!p)
        return hy_err_set(HY_ERR_CAPTURE, "interface %s: %s", ifname, eb);
    int snaplen = cfg && cfg->snaplen > 0 ? cfg->snaplen : (int)HY_MAX_SNAPLEN;
    if (snaplen > (int)HY_MAX_SNAPLEN)
        snaplen = (int)HY_MAX_SNAPLEN;
    pcap_set_snaplen(p, snaplen);
    pcap_set_promisc(p, cfg && cfg->promisc);
    pcap_set_timeout(p, hy__cap_live_timeout(cfg));
    pcap_set_immediate_mode(p, 0);
    pcap_set_buffer_size(p, HY__CAP_LIVE_BUFFER);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO); /* falls back to us */
    int rc = pcap_activate(p);
    if (rc < 0) {
        hy_err e = hy__cap_live_fail(p, ifname, rc);
        pcap_close(p);
        return e;
    }
    if (rc > 0)
        snprintf(warn, wcap, "interface %s: %s: %s", ifname, pcap_statustostr(rc), pcap_geterr(p));
    *out = p;
    return HY_OK;
}

hy_err hy_source_open_live(const char *ifname, const hy_source_cfg *cfg, hy_source **out)
{
    if (!ifname || !*ifname || !out)
        return hy_err_set(HY_ERR_ARG, "hy_source_open_live: NULL or empty argument");
    *out = NULL;
    if (strlen(ifname) >= sizeof((hy_capture_stats *)0)->source)
        return hy_err_set(HY_ERR_ARG, "interface name too long");
    char warn[PCAP_ERRBUF_SIZE + 128] = "";
    pcap_t *p = NULL;
    hy_source *s = NULL;
    hy_err e = hy__cap_live_activate(ifname, cfg, &p, warn, sizeof warn);
    if (e != HY_OK)
        return e;
    if (cfg && cfg->bpf && *cfg->bpf) {
        e = hy__cap_live_filter(p, ifname, cfg->bpf);
        if (e != HY_OK)
            goto out;
    }
    e = hy__cap_alloc(HY__CAP_LIVE, ifname, cfg, &s);
    if (e != HY_OK)
        goto out;
    s->p = p;
    p = NULL;
    s->linktype = pcap_datalink(s->p);
    s->nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
    /* Non-blocking reads and our own poll: with TPACKET_V3, a blocking read
     * on an interface where nothing matches never returns, so the time
     * would stop and nothing else would be served. */
    s->live_wait_ms = hy__cap_live_timeout(cfg);
    char eb[PCAP_ERRBUF_SIZE];
    s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    s->live_fd =
        s->wake_fd >= 0 && pcap_setnonblock(s->p, 1, eb) == 0 ? pcap_get_selectable_fd(s->p) : -1;
    if (*warn)
        hy__cap_warn(s, "%s", warn);
    *out = s;
out:
    if (p)
        pcap_close(p);
    return e;
}

hy_err hy__cap_live_next(hy_source *s, hy_raw_pkt *pkt)
{
    if (atomic_load(&s->brk))
        return hy_err_set(HY_ERR_CLOSED, "interface %s: stopped", s->name);
    struct pcap_pkthdr *h;
    const u_char *data;
    for (int waited = 0;; waited = 1) {
        int rc = pcap_next_ex(s->p, &h, &data);
        if (rc == 1) {
            hy__cap_fill(s, h, data, pkt);
            return HY_OK;
        }
        if (rc == PCAP_ERROR_BREAK || atomic_load(&s->brk))
            return hy_err_set(HY_ERR_CLOSED, "interface %s: stopped", s->name);
        if (rc != 0)
            return hy_err_set(HY_ERR_CAPTURE, "interface %s: %s", s->name, pcap_geterr(s->p));
        if (waited || s->live_fd < 0) /* a blocking handle has waited already */
            return HY_ERR_AGAIN;
        /* nothing ready: wait for the kernel to hand over a block (a signal
         * or the timeout ends the wait early: the caller reads again) */
        struct pollfd pf[2] = {{.fd = s->live_fd, .events = POLLIN},
                               {.fd = s->wake_fd, .events = POLLIN}};
        if (poll(pf, 2, s->live_wait_ms) <= 0 || atomic_load(&s->brk))
            return atomic_load(&s->brk)
                       ? hy_err_set(HY_ERR_CLOSED, "interface %s: stopped", s->name)
                       : HY_ERR_AGAIN;
    }
}

void hy__cap_live_stats(hy_source *s, hy_capture_stats *st)
{
    struct pcap_stat ps;
    if (s->p && pcap_stats(s->p, &ps) == 0) {
        st->kernel_dropped = ps.ps_drop;
        st->ifdrop = ps.ps_ifdrop;
    }
}
