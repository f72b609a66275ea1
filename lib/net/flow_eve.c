/* A flow record as one Suricata-style EVE "flow" event, plus a "hayate"
 * object with the statistics Suricata does not log. */
#include "hayate/flow.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hayate/json.h"
#include "net/community_id.h"

/* The record's keys are hayate's own literals: written without hy_json_key's
 * length and escape scans (4 % of a flow run's instructions). */
#define KUINT(j, lit, v)     (hy_json_key_lit(j, lit), hy_json_uint(j, v))
#define KSTR(j, lit, v)      (hy_json_key_lit(j, lit), hy_json_str(j, v))
#define KBOOL(j, lit, v)     (hy_json_key_lit(j, lit), hy_json_bool(j, v))
#define KFIXED(j, lit, v, d) (hy_json_key_lit(j, lit), hy_json_fixed(j, v, d))
#define KUINT_PLAIN(j, k, v) (hy_json_key_plain(j, k, strlen(k)), hy_json_uint(j, v))

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
    hy_json_key_plain(j, key, strlen(key));
    hy_json_obj_open(j);
    KFIXED(j, "min", n ? min / scale : 0, decimals);
    KFIXED(j, "mean", mean / scale, decimals);
    KFIXED(j, "max", n ? max / scale : 0, decimals);
    KFIXED(j, "std", var > 0 ? sqrt(var) / scale : 0, decimals);
    hy_json_obj_close(j);
}

static void endpoints(hy_json *j, const hy_flow *f)
{
    char a[46], b[46];
    bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;

    hy_addr_format(f->ip_version, f->src, a);
    hy_addr_format(f->ip_version, f->dst, b);
    KSTR(j, "src_ip", a);
    if (ports)
        KUINT(j, "src_port", f->sport);
    KSTR(j, "dest_ip", b);
    if (ports)
        KUINT(j, "dest_port", f->dport);
}

static void icmp_fields(hy_json *j, const hy_flow *f)
{
    if (f->proto != 1 && f->proto != 58)
        return;
    KUINT(j, "icmp_type", f->sport);
    if (icmp_one_way(f))
        KUINT(j, "icmp_code", f->dport);
    else if (f->dir[1].pkts)
        KUINT(j, "response_icmp_type", f->dport);
}

static void flow_obj(hy_json *j, const hy_flow *f)
{
    hy_json_key_lit(j, "flow");
    hy_json_obj_open(j);
    KUINT(j, "pkts_toserver", f->dir[0].pkts);
    KUINT(j, "pkts_toclient", f->dir[1].pkts);
    KUINT(j, "bytes_toserver", f->dir[0].bytes);
    KUINT(j, "bytes_toclient", f->dir[1].bytes);
    hy_json_key_lit(j, "start");
    hy_json_time(j, f->first_ns);
    hy_json_key_lit(j, "end");
    hy_json_time(j, f->last_ns);
    /* Suricata's age: whole seconds of end minus whole seconds of start. */
    KUINT(j, "age", f->last_ns / 1000000000u - f->first_ns / 1000000000u);
    KSTR(j, "state", flow_state_name(f));
    KSTR(j, "reason", end_name(f->end));
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
    hy_json_key_lit(j, "tcp");
    hy_json_obj_open(j);
    KSTR(j, "tcp_flags", hex[0]);
    KSTR(j, "tcp_flags_ts", hex[1]);
    KSTR(j, "tcp_flags_tc", hex[2]);
    KBOOL(j, "syn", all & HY_TCP_SYN);
    KBOOL(j, "fin", all & HY_TCP_FIN);
    KBOOL(j, "rst", all & HY_TCP_RST);
    KBOOL(j, "psh", all & HY_TCP_PSH);
    KBOOL(j, "ack", all & HY_TCP_ACK);
    if (all & HY_TCP_URG)
        KBOOL(j, "urg", true);
    if (all & HY_TCP_ECE)
        KBOOL(j, "ecn", true);
    if (all & HY_TCP_CWR)
        KBOOL(j, "cwr", true);
    KSTR(j, "state", tcp_state_name(f->tcp_state));
    hy_json_obj_close(j);
}

static void hayate_obj(hy_json *j, const hy_flow *f)
{
    static const char *const flag_names[8] = {"fin", "syn", "rst", "psh",
                                              "ack", "urg", "ece", "cwr"};
    static const char *const len_keys[2] = {"len_toserver", "len_toclient"};

    hy_json_key_lit(j, "hayate");
    hy_json_obj_open(j);
    KUINT(j, "payload_bytes_toserver", f->dir[0].payload_bytes);
    KUINT(j, "payload_bytes_toclient", f->dir[1].payload_bytes);
    KFIXED(j, "duration", (double)(f->last_ns - f->first_ns) / 1e9, 9);
    for (int d = 0; d < 2; d++) {
        const hy_flow_dir *fd = &f->dir[d];
        stats_obj(j, len_keys[d], fd->pkts, fd->len_min, fd->len_max, fd->len_sum, fd->len_sumsq,
                  1.0, 3);
    }
    stats_obj(j, "iat", f->iat_n, (double)f->iat_min, (double)f->iat_max, f->iat_sum, f->iat_sumsq,
              1e9, 9);
    if (f->proto == 6) {
        hy_json_key_lit(j, "flag_counts");
        hy_json_obj_open(j);
        for (int b = 0; b < 8; b++)
            KUINT_PLAIN(j, flag_names[b], f->flag_count[b]);
        hy_json_obj_close(j);
    }
    hy_json_key_lit(j, "first_payloads");
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
    hy_json_key_lit(&j, "timestamp");
    hy_json_time(&j, f->first_ns);
    KUINT(&j, "flow_id", f->first_seq);
    KSTR(&j, "event_type", "flow");
    if (f->vlan) {
        hy_json_key_lit(&j, "vlan");
        hy_json_arr_open(&j);
        hy_json_uint(&j, f->vlan);
        hy_json_arr_close(&j);
    }
    endpoints(&j, f);
    KSTR(&j, "proto", proto_name(f->proto, num));
    icmp_fields(&j, f);
    if (f->community_id[0])
        KSTR(&j, "community_id", f->community_id);
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
