/* A flow record as one Suricata-style EVE "flow" event, plus a "hayate"
 * object with the statistics Suricata does not log. */
#include "hayate/flow.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hayate/json.h"
#include "net/community_id.h"

/* The record is laid out by a cursor in a stack buffer rather than through
 * hy_json's writer: every key is one of the literals below and every string
 * value needs no escaping (addresses, the names in the tables below, hex,
 * base64, times), so the writer's comma and nesting bookkeeping bought
 * nothing and cost ~15,000 instructions a flow, 18 % of a header-only run.
 * Values go through the writer's own formatters (hy_put_*), so the text is
 * what hy_json would write. REC_MAX bounds the longest record with room
 * to spare: a flow with every counter, length and time at its maximum, 8
 * first payloads of INT32_MIN, doubles that need %.17g, all TCP flags and
 * a full Community ID field renders in 1,461 bytes. */
#define REC_MAX 4096

/* Appends a string literal (its length a constant) and advances p. */
#define LIT(p, lit) (memcpy((p), "" lit, sizeof(lit) - 1), (p) += sizeof(lit) - 1)
/* A literal (the key and its punctuation), then an unsigned value. */
#define LIT_UINT(p, lit, v) (LIT(p, lit), (p) = hy_put_uint((p), (v)))

/* "s[0..n)" for a string that needs no escaping. */
static char *put_str(char *p, const char *s, size_t n)
{
    *p++ = '"';
    memcpy(p, s, n);
    p += n;
    *p++ = '"';
    return p;
}

/* One of this file's names (a NUL-terminated literal). */
static char *put_name(char *p, const char *name)
{
    return put_str(p, name, strlen(name));
}

static char *put_bool(char *p, bool v)
{
    if (v)
        LIT(p, "true");
    else
        LIT(p, "false");
    return p;
}

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

/* The rest of {"min":..,"mean":..,"max":..,"std":..} after the caller's
 * ,"key":{"min": with population std; zeros when n is 0. */
static char *stats_obj(char *p, uint64_t n, double min, double max, double sum, double sumsq,
                       double scale, int decimals)
{
    double mean = n ? sum / (double)n : 0, var = n ? sumsq / (double)n - mean * mean : 0;
    p = hy_put_fixed(p, n ? min / scale : 0, decimals);
    LIT(p, ",\"mean\":");
    p = hy_put_fixed(p, mean / scale, decimals);
    LIT(p, ",\"max\":");
    p = hy_put_fixed(p, n ? max / scale : 0, decimals);
    LIT(p, ",\"std\":");
    p = hy_put_fixed(p, var > 0 ? sqrt(var) / scale : 0, decimals);
    *p++ = '}';
    return p;
}

static char *endpoints(char *p, const hy_flow *f)
{
    char a[46];
    bool ports = f->proto == 6 || f->proto == 17 || f->proto == 132;

    hy_addr_format(f->ip_version, f->src, a);
    LIT(p, ",\"src_ip\":");
    p = put_str(p, a, strnlen(a, sizeof a));
    if (ports)
        LIT_UINT(p, ",\"src_port\":", f->sport);
    hy_addr_format(f->ip_version, f->dst, a);
    LIT(p, ",\"dest_ip\":");
    p = put_str(p, a, strnlen(a, sizeof a));
    if (ports)
        LIT_UINT(p, ",\"dest_port\":", f->dport);
    return p;
}

static char *icmp_fields(char *p, const hy_flow *f)
{
    if (f->proto != 1 && f->proto != 58)
        return p;
    LIT_UINT(p, ",\"icmp_type\":", f->sport);
    if (icmp_one_way(f)) {
        LIT_UINT(p, ",\"icmp_code\":", f->dport);
    } else if (f->dir[1].pkts) {
        LIT_UINT(p, ",\"response_icmp_type\":", f->dport);
    }
    return p;
}

static char *flow_obj(char *p, const hy_flow *f)
{
    LIT_UINT(p, ",\"flow\":{\"pkts_toserver\":", f->dir[0].pkts);
    LIT_UINT(p, ",\"pkts_toclient\":", f->dir[1].pkts);
    LIT_UINT(p, ",\"bytes_toserver\":", f->dir[0].bytes);
    LIT_UINT(p, ",\"bytes_toclient\":", f->dir[1].bytes);
    LIT(p, ",\"start\":\"");
    p = hy_put_time(p, f->first_ns);
    LIT(p, "\",\"end\":\"");
    p = hy_put_time(p, f->last_ns);
    /* Suricata's age: whole seconds of end minus whole seconds of start. */
    LIT_UINT(p, "\",\"age\":", f->last_ns / 1000000000u - f->first_ns / 1000000000u);
    LIT(p, ",\"state\":");
    p = put_name(p, flow_state_name(f));
    LIT(p, ",\"reason\":");
    p = put_name(p, end_name(f->end));
    *p++ = '}';
    return p;
}

/* Two lowercase hex digits of v. */
static char *put_hex2(char *p, uint8_t v)
{
    static const char digits[] = "0123456789abcdef";
    p[0] = digits[v >> 4];
    p[1] = digits[v & 15];
    return p + 2;
}

static char *tcp_obj(char *p, const hy_flow *f)
{
    uint8_t ts = f->dir[0].tcp_flags, tc = f->dir[1].tcp_flags, all = ts | tc;

    LIT(p, ",\"tcp\":{\"tcp_flags\":\"");
    p = put_hex2(p, all);
    LIT(p, "\",\"tcp_flags_ts\":\"");
    p = put_hex2(p, ts);
    LIT(p, "\",\"tcp_flags_tc\":\"");
    p = put_hex2(p, tc);
    LIT(p, "\",\"syn\":");
    p = put_bool(p, all & HY_TCP_SYN);
    LIT(p, ",\"fin\":");
    p = put_bool(p, all & HY_TCP_FIN);
    LIT(p, ",\"rst\":");
    p = put_bool(p, all & HY_TCP_RST);
    LIT(p, ",\"psh\":");
    p = put_bool(p, all & HY_TCP_PSH);
    LIT(p, ",\"ack\":");
    p = put_bool(p, all & HY_TCP_ACK);
    if (all & HY_TCP_URG)
        LIT(p, ",\"urg\":true");
    if (all & HY_TCP_ECE)
        LIT(p, ",\"ecn\":true");
    if (all & HY_TCP_CWR)
        LIT(p, ",\"cwr\":true");
    LIT(p, ",\"state\":");
    p = put_name(p, tcp_state_name(f->tcp_state));
    *p++ = '}';
    return p;
}

static char *hayate_obj(char *p, const hy_flow *f)
{
    /* seven bytes each */
    static const char flag_keys[8][8] = {"{\"fin\":", ",\"syn\":", ",\"rst\":", ",\"psh\":",
                                         ",\"ack\":", ",\"urg\":", ",\"ece\":", ",\"cwr\":"};
    const hy_flow_dir *d0 = &f->dir[0], *d1 = &f->dir[1];

    LIT_UINT(p, ",\"hayate\":{\"payload_bytes_toserver\":", d0->payload_bytes);
    LIT_UINT(p, ",\"payload_bytes_toclient\":", d1->payload_bytes);
    LIT(p, ",\"duration\":");
    p = hy_put_fixed(p, (double)(f->last_ns - f->first_ns) / 1e9, 9);
    LIT(p, ",\"len_toserver\":{\"min\":");
    p = stats_obj(p, d0->pkts, d0->len_min, d0->len_max, d0->len_sum, d0->len_sumsq, 1.0, 3);
    LIT(p, ",\"len_toclient\":{\"min\":");
    p = stats_obj(p, d1->pkts, d1->len_min, d1->len_max, d1->len_sum, d1->len_sumsq, 1.0, 3);
    LIT(p, ",\"iat\":{\"min\":");
    p = stats_obj(p, f->iat_n, (double)f->iat_min, (double)f->iat_max, f->iat_sum, f->iat_sumsq,
                  1e9, 9);
    if (f->proto == 6) {
        LIT(p, ",\"flag_counts\":");
        for (int b = 0; b < 8; b++) {
            memcpy(p, flag_keys[b], 7);
            p = hy_put_uint(p + 7, f->flag_count[b]);
        }
        *p++ = '}';
    }
    LIT(p, ",\"first_payloads\":[");
    for (int i = 0; i < f->first_payload_n && i < HY_FLOW_FIRST_PAYLOADS; i++) {
        if (i)
            *p++ = ',';
        p = hy_put_int(p, f->first_payloads[i]);
    }
    LIT(p, "]}");
    return p;
}

hy_err hy_flow_to_eve(const hy_flow *f, hy_buf *out)
{
    char rec[REC_MAX], num[4], *p = rec;

    LIT(p, "{\"timestamp\":\"");
    p = hy_put_time(p, f->first_ns);
    LIT_UINT(p, "\",\"flow_id\":", f->first_seq);
    LIT(p, ",\"event_type\":\"flow\"");
    if (f->vlan) {
        LIT_UINT(p, ",\"vlan\":[", f->vlan);
        *p++ = ']';
    }
    p = endpoints(p, f);
    LIT(p, ",\"proto\":");
    p = put_name(p, proto_name(f->proto, num));
    p = icmp_fields(p, f);
    if (f->community_id[0]) {
        LIT(p, ",\"community_id\":");
        p = put_str(p, f->community_id, strnlen(f->community_id, sizeof f->community_id));
    }
    p = flow_obj(p, f);
    if (f->proto == 6)
        p = tcp_obj(p, f);
    p = hayate_obj(p, f);
    *p++ = '}';
    /* hy_buf_add leaves the buffer as it was when the line does not fit */
    return hy_buf_add(out, rec, (size_t)(p - rec));
}
