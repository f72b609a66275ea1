/* A flow record as one Suricata-style EVE "flow" event, plus a "hayate"
 * object with the statistics Suricata does not log. */
#include "hayate/flow.h"

#include <math.h>
#include <stdio.h>

#include "hayate/json.h"
#include "net/community_id.h"

static const char *proto_name(uint8_t proto, char num[4])
{
    switch (proto) {
    case 1:
        return "ICMP";
    case 6:
        return "TCP";
    case 17:
        return "UDP";
    case 58:
        return "IPv6-ICMP";
    case 132:
        return "SCTP";
    default:
        snprintf(num, 4, "%u", proto);
        return num;
    }
}

static const char *end_name(hy_flow_end e)
{
    switch (e) {
    case HY_FLOW_END_IDLE:
        return "timeout";
    case HY_FLOW_END_ACTIVE:
        return "active_timeout";
    case HY_FLOW_END_TCP_CLOSED:
        return "tcp_closed";
    case HY_FLOW_END_EVICTED:
        return "evicted";
    case HY_FLOW_END_SHUTDOWN:
        return "shutdown";
    }
    return "unknown";
}

static const char *tcp_state_name(hy_tcp_state s)
{
    switch (s) {
    case HY_TCP_NONE:
        return "none";
    case HY_TCP_NEW:
        return "new";
    case HY_TCP_SYN_SENT:
        return "syn_sent";
    case HY_TCP_SYN_RECV:
        return "syn_recv";
    case HY_TCP_ESTABLISHED:
        return "established";
    case HY_TCP_CLOSING:
        return "closing";
    case HY_TCP_CLOSED:
        return "closed";
    }
    return "unknown";
}

/* Suricata's flow states: TCP from the handshake, others from seeing both
 * directions. */
static const char *flow_state_name(const hy_flow *f)
{
    if (f->proto == 6) {
        if (f->tcp_state == HY_TCP_CLOSED)
            return "closed";
        if (f->tcp_state == HY_TCP_ESTABLISHED || f->tcp_state == HY_TCP_CLOSING)
            return "established";
        return "new";
    }
    return f->dir[0].pkts && f->dir[1].pkts ? "established" : "new";
}

/* Whether sport/dport are the true ICMP type and code (one-way types) rather
 * than type and counterpart type (the spec's request/response pairs). */
static bool icmp_one_way(const hy_flow *f)
{
    uint16_t sp, dp;
    return hy__icmp_ports(f->proto, (uint8_t)f->sport, (uint8_t)f->dport, &sp, &dp);
}

/* {"min","mean","max","std"} with population std; zeros when n is 0. */
static void stats_obj(hy_json *j, const char *key, uint64_t n, double min, double max, double sum,
                      double sumsq, double scale, int decimals)
{
    double mean = n ? sum / (double)n : 0, var = n ? sumsq / (double)n - mean * mean : 0;
    hy_json_key(j, key);
    hy_json_obj_open(j);
    hy_json_kfixed(j, "min", n ? min / scale : 0, decimals);
    hy_json_kfixed(j, "mean", mean / scale, decimals);
    hy_json_kfixed(j, "max", n ? max / scale : 0, decimals);
    hy_json_kfixed(j, "std", var > 0 ? sqrt(var) / scale : 0, decimals);
    hy_json_obj_close(j);
}

static void endpoints(hy_json *j, const hy_flow *f)
{
    char a[46], b[46];
    bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;

    hy_addr_format(f->ip_version, f->src, a);
    hy_addr_format(f->ip_version, f->dst, b);
    hy_json_kstr(j, "src_ip", a);
    if (ports)
        hy_json_kuint(j, "src_port", f->sport);
    hy_json_kstr(j, "dest_ip", b);
    if (ports)
        hy_json_kuint(j, "dest_port", f->dport);
}

static void icmp_fields(hy_json *j, const hy_flow *f)
{
    if (f->proto != 1 && f->proto != 58)
        return;
    hy_json_kuint(j, "icmp_type", f->sport);
    if (icmp_one_way(f))
        hy_json_kuint(j, "icmp_code", f->dport);
    else if (f->dir[1].pkts)
        hy_json_kuint(j, "response_icmp_type", f->dport);
}

static void flow_obj(hy_json *j, const hy_flow *f)
{
    hy_json_key(j, "flow");
    hy_json_obj_open(j);
    hy_json_kuint(j, "pkts_toserver", f->dir[0].pkts);
    hy_json_kuint(j, "pkts_toclient", f->dir[1].pkts);
    hy_json_kuint(j, "bytes_toserver", f->dir[0].bytes);
    hy_json_kuint(j, "bytes_toclient", f->dir[1].bytes);
    hy_json_key(j, "start");
    hy_json_time(j, f->first_ns);
    hy_json_key(j, "end");
    hy_json_time(j, f->last_ns);
    /* Suricata's age: whole seconds of end minus whole seconds of start. */
    hy_json_kuint(j, "age", f->last_ns / 1000000000u - f->first_ns / 1000000000u);
    hy_json_kstr(j, "state", flow_state_name(f));
    hy_json_kstr(j, "reason", end_name(f->end));
    hy_json_obj_close(j);
}

static void tcp_obj(hy_json *j, const hy_flow *f)
{
    char hex[3][3];
    uint8_t ts = f->dir[0].tcp_flags, tc = f->dir[1].tcp_flags, all = ts | tc;

    static const char digits[] = "0123456789abcdef";
    const uint8_t v[3] = {all, ts, tc};
    for (int i = 0; i < 3; i++) {
        hex[i][0] = digits[v[i] >> 4];
        hex[i][1] = digits[v[i] & 15];
        hex[i][2] = '\0';
    }
    hy_json_key(j, "tcp");
    hy_json_obj_open(j);
    hy_json_kstr(j, "tcp_flags", hex[0]);
    hy_json_kstr(j, "tcp_flags_ts", hex[1]);
    hy_json_kstr(j, "tcp_flags_tc", hex[2]);
    hy_json_kbool(j, "syn", all & HY_TCP_SYN);
    hy_json_kbool(j, "fin", all & HY_TCP_FIN);
    hy_json_kbool(j, "rst", all & HY_TCP_RST);
    hy_json_kbool(j, "psh", all & HY_TCP_PSH);
    hy_json_kbool(j, "ack", all & HY_TCP_ACK);
    if (all & HY_TCP_URG)
        hy_json_kbool(j, "urg", true);
    if (all & HY_TCP_ECE)
        hy_json_kbool(j, "ecn", true);
    if (all & HY_TCP_CWR)
        hy_json_kbool(j, "cwr", true);
    hy_json_kstr(j, "state", tcp_state_name(f->tcp_state));
    hy_json_obj_close(j);
}

static void hayate_obj(hy_json *j, const hy_flow *f)
{
    static const char *const flag_names[8] = {"fin", "syn", "rst", "psh",
                                              "ack", "urg", "ece", "cwr"};
    static const char *const len_keys[2] = {"len_toserver", "len_toclient"};

    hy_json_key(j, "hayate");
    hy_json_obj_open(j);
    hy_json_kuint(j, "payload_bytes_toserver", f->dir[0].payload_bytes);
    hy_json_kuint(j, "payload_bytes_toclient", f->dir[1].payload_bytes);
    hy_json_kfixed(j, "duration", (double)(f->last_ns - f->first_ns) / 1e9, 9);
    for (int d = 0; d < 2; d++) {
        const hy_flow_dir *fd = &f->dir[d];
        stats_obj(j, len_keys[d], fd->pkts, fd->len_min, fd->len_max, fd->len_sum, fd->len_sumsq,
                  1.0, 3);
    }
    stats_obj(j, "iat", f->iat_n, (double)f->iat_min, (double)f->iat_max, f->iat_sum, f->iat_sumsq,
              1e9, 9);
    if (f->proto == 6) {
        hy_json_key(j, "flag_counts");
        hy_json_obj_open(j);
        for (int b = 0; b < 8; b++)
            hy_json_kuint(j, flag_names[b], f->flag_count[b]);
        hy_json_obj_close(j);
    }
    hy_json_key(j, "first_payloads");
    hy_json_arr_open(j);
    for (int i = 0; i < f->first_payload_n && i < HY_FLOW_FIRST_PAYLOADS; i++)
        hy_json_int(j, f->first_payloads[i]);
    hy_json_arr_close(j);
    hy_json_obj_close(j);
}

hy_err hy_flow_to_eve(const hy_flow *f, hy_buf *out)
{
    size_t start = out->len;
    char num[4];
    hy_json j;
    hy_err err;

    hy_json_init(&j, out);
    hy_json_obj_open(&j);
    hy_json_key(&j, "timestamp");
    hy_json_time(&j, f->first_ns);
    hy_json_kuint(&j, "flow_id", f->first_seq);
    hy_json_kstr(&j, "event_type", "flow");
    if (f->vlan) {
        hy_json_key(&j, "vlan");
        hy_json_arr_open(&j);
        hy_json_uint(&j, f->vlan);
        hy_json_arr_close(&j);
    }
    endpoints(&j, f);
    hy_json_kstr(&j, "proto", proto_name(f->proto, num));
    icmp_fields(&j, f);
    if (f->community_id[0])
        hy_json_kstr(&j, "community_id", f->community_id);
    flow_obj(&j, f);
    if (f->proto == 6)
        tcp_obj(&j, f);
    hayate_obj(&j, f);
    hy_json_obj_close(&j);
    err = hy_json_finish(&j);
    if (err != HY_OK && out->data) { /* leave the buffer as it was */
        out->len = start;
        out->data[start] = '\0';
    }
    return err;
}
