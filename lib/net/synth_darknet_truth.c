/* Darknet generator: the ground-truth JSON written next to the pcap. It
 * holds the parameters, the telescope prefix, the time span, the packet
 * counts, and every event (outbreaks, research scanners, backscatter
 * bursts) with its sources and what was actually emitted. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hayate/json.h"
#include "net/synth_int.h"

#define TRUTH_CAP (512u << 20)

void hy__dn_rfc3339(uint64_t ns, char out[40])
{
    time_t s = (time_t)(ns / 1000000000u);
    unsigned us = (unsigned)(ns % 1000000000u / 1000u);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    if (us)
        snprintf(out + n, 40 - n, ".%06uZ", us);
    else
        snprintf(out + n, 40 - n, "Z");
}

static void addr_str(uint32_t a, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static void ktime(hy_json *j, const char *k, uint64_t ns)
{
    char key[32], buf[40];
    snprintf(key, sizeof key, "%s_ns", k);
    hy_json_kuint(j, key, ns);
    hy__dn_rfc3339(ns, buf);
    hy_json_kstr(j, k, buf);
}

static const char *proto_name(uint8_t p)
{
    return p == 6 ? "tcp" : p == 17 ? "udp" : "icmp";
}

static const char *reply_name(uint8_t r)
{
    static const char *const names[] = {"syn-ack", "rst", "icmp-unreachable", "icmp-time-exceeded"};
    return r < 4 ? names[r] : "unknown";
}

static void addr_list(hy_json *j, const char *k, const uint32_t *a, uint32_t n)
{
    char s[16];
    hy_json_key(j, k);
    hy_json_arr_open(j);
    for (uint32_t i = 0; i < n; i++) {
        addr_str(a[i], s);
        hy_json_str(j, s);
    }
    hy_json_arr_close(j);
}

static void event_kind_fields(hy_json *j, const hy__dn *g, const hy__dn_event *e)
{
    const uint32_t *src = g->addrs + e->src0;
    switch (e->kind) {
    case HY__DN_OUTBREAK:
        hy_json_kstr(j, "kind", "outbreak");
        hy_json_kfixed(j, "rate_ppm", e->rate, 3);
        hy_json_kfixed(j, "onoff_slot_s", (double)e->slot_ns / 1e9, 3);
        hy_json_kuint(j, "onoff_duty_pct", e->duty_pct);
        addr_list(j, "sources", src, e->nsrc);
        hy_json_key(j, "source_first_ns"); /* first probe of each host as in the pcap */
        hy_json_arr_open(j);
        for (uint32_t i = 0; i < e->nsrc; i++)
            hy_json_uint(j, g->first[e->src0 + i] - g->first[e->src0 + i] % 1000);
        hy_json_arr_close(j);
        break;
    case HY__DN_SCANNER:
        hy_json_kstr(j, "kind", "scanner");
        hy_json_kstr(j, "tool", hy_synth_fp_name((hy_synth_fp)e->fp));
        hy_json_kfixed(j, "rate_pps", e->rate, 3);
        hy_json_kuint(j, "sweep_addresses", e->size);
        addr_list(j, "sources", src, e->nsrc);
        break;
    default: {
        bool ttl = e->reply == HY_SYNTH_BS_TTL;
        hy_json_kstr(j, "kind", "backscatter");
        hy_json_kstr(j, "reply", reply_name(e->reply));
        hy_json_kstr(j, "attacked_proto", proto_name(e->inner_proto));
        hy_json_kfixed(j, "rate_pps", e->rate, 3);
        hy_json_kuint(j, "retransmissions", e->retries);
        addr_list(j, "victims", src, e->hosts);
        addr_list(j, "sources", ttl ? src + e->hosts : src, e->hosts);
        break;
    }
    }
}

static void event_obj(hy_json *j, const hy__dn *g, const hy__dn_event *e, uint32_t id)
{
    hy_json_obj_open(j);
    hy_json_kuint(j, "id", id);
    event_kind_fields(j, g, e);
    hy_json_kstr(j, "proto", proto_name(e->proto));
    hy_json_kuint(j, "port", e->port);
    ktime(j, "start", e->start);
    ktime(j, "end", e->end);
    hy_json_kfixed(j, "duration_s", (double)(e->end - e->start) / 1e9, 6);
    hy_json_kuint(j, "hosts", e->hosts);
    hy_json_kfixed(j, "ramp_s", (double)e->ramp / 1e9, 6);
    hy_json_kstr(j, "fingerprint",
                 e->kind == HY__DN_BURST ? "none" : hy_synth_fp_name((hy_synth_fp)e->fp));
    hy_json_kbool(j, "random_placement", e->auto_placed);
    hy_json_kuint(j, "packets", e->packets);
    if (e->packets) {
        ktime(j, "first_packet", e->first_ns);
        ktime(j, "last_packet", e->last_ns);
    }
    hy_json_kuint(j, "sources_total", e->kind == HY__DN_BURST ? e->hosts : e->nsrc);
    hy_json_obj_close(j);
}

static void header(hy_json *j, const hy__dn *g)
{
    const hy_synth_darknet_cfg *c = &g->cfg;
    char pfx[24], a[16];

    hy_json_kstr(j, "generator", "hayate synth darknet");
    hy_json_kuint(j, "format", 1);
    if (c->name[0])
        hy_json_kstr(j, "scenario", c->name);
    hy_json_kuint(j, "seed", c->seed);
    addr_str(c->prefix, a);
    snprintf(pfx, sizeof pfx, "%s/%u", a, c->prefix_len);
    hy_json_kstr(j, "darknet", pfx);
    hy_json_kuint(j, "darknet_addresses", 1ull << g->host_bits);
    ktime(j, "start", g->start);
    ktime(j, "end", g->end);
    hy_json_kfixed(j, "duration_s", (double)(g->end - g->start) / 1e9, 6);
    hy_json_key(j, "parameters");
    hy_json_obj_open(j);
    hy_json_kfixed(j, "rate_pps", c->rate_pps, 6);
    hy_json_kfixed(j, "daily_amplitude", c->daily_amplitude, 6);
    hy_json_kfixed(j, "peak_hour_utc", c->peak_hour, 6);
    hy_json_kfixed(j, "endemic_mirai_pct", c->endemic_mirai_pct, 6);
    hy_json_kfixed(j, "scanners_per_day", c->scanners_per_day, 6);
    hy_json_kfixed(j, "bursts_per_day", c->bursts_per_day, 6);
    hy_json_kuint(j, "background_sources", g->bg_pop);
    hy_json_kuint(j, "endemic_sources", g->endemic_pop);
    hy_json_obj_close(j);
    hy_json_key(j, "fingerprints");
    hy_json_obj_open(j);
    hy_json_kstr(j, "mirai", "tcp.seq == ip.dst");
    hy_json_kstr(j, "zmap", "ip.id == 54321");
    hy_json_kstr(j, "masscan", "ip.id == (ip.dst ^ tcp.dport ^ tcp.seq) & 0xffff");
    hy_json_obj_close(j);
    hy_json_key(j, "stats");
    hy_json_obj_open(j);
    hy_json_kuint(j, "packets", g->st.packets);
    hy_json_kuint(j, "bytes", g->st.bytes);
    hy_json_kuint(j, "background", g->st.background);
    hy_json_kuint(j, "endemic_mirai", g->st.endemic);
    hy_json_kuint(j, "outbreak", g->st.outbreak);
    hy_json_kuint(j, "scanner", g->st.scanner);
    hy_json_kuint(j, "backscatter", g->st.backscatter);
    hy_json_obj_close(j);
}

static hy_err write_file(const char *path, const hy_buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return hy_err_set(HY_ERR_IO, "synth darknet: %s: %s", path, strerror(errno));
    size_t n = fwrite(b->data, 1, b->len, f);
    int err = n != b->len ? errno : 0;
    if (fclose(f) != 0 && !err)
        err = errno ? errno : EIO;
    if (err)
        return hy_err_set(HY_ERR_IO, "synth darknet: %s: %s", path, strerror(err));
    return HY_OK;
}

hy_err hy__dn_truth_write(const hy__dn *g, const char *path)
{
    hy_buf b;
    hy_json j;
    hy_err e;

    hy_buf_init(&b, TRUTH_CAP);
    hy_json_init(&j, &b);
    hy_json_obj_open(&j);
    header(&j, g);
    hy_json_key(&j, "events");
    hy_json_arr_open(&j);
    for (uint32_t i = 0; i < g->nev; i++)
        event_obj(&j, g, &g->ev[i], i);
    hy_json_arr_close(&j);
    hy_json_obj_close(&j);
    if ((e = hy_json_finish(&j)) != HY_OK) {
        e = hy_err_set(e, "synth darknet: truth JSON: %s", hy_err_str(e));
        goto out;
    }
    if ((e = hy_buf_addc(&b, '\n')) != HY_OK)
        goto out;
    e = write_file(path, &b);
out:
    hy_buf_free(&b);
    return e;
}
