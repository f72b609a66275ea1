#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hayate/clock.h"
#include "hayate/config.h"
#include "hayate/decode.h"
#include "hayate/error.h"
#include "hayate/json.h"

void hy_cli_log_stderr(void *ud, hy_log_level level, const char *msg)
{
    (void)ud;
    fprintf(stderr, "hayate: %s: %s\n", hy_log_level_name(level), msg);
}

const hy_log hy_cli_log_info = {.fn = hy_cli_log_stderr, .ud = NULL, .level = HY_LOG_INFO};

void hy_cli_error(const char *what, int err)
{
    const char *d = hy_err_detail();
    fprintf(stderr, "hayate: %s: %s\n", what, d && *d ? d : hy_err_str((hy_err)err));
}

bool hy_cli_parse_format(const char *s, hy_fmt *out)
{
    static const char *const names[] = {"table", "json", "eve"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (hy_fmt)i;
            return true;
        }
    return false;
}

static const char *proto_name(uint8_t p)
{
    switch (p) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 1: return "ICMP";
    case 58: return "ICMPv6";
    default: return "IP";
    }
}

void hy_cli_table_flow_header(FILE *f)
{
    fprintf(f, "%-26s %-6s %-47s %-47s %8s %10s %s\n", "start", "proto", "client", "server",
            "pkts", "bytes", "state");
}

static void endpoint(char *out, size_t n, uint8_t v, const uint8_t *a, uint16_t port)
{
    char ip[46];
    hy_addr_format(v, a, ip);
    snprintf(out, n, v == 6 ? "[%s]:%u" : "%s:%u", ip, port);
}

void hy_cli_table_flow(FILE *f, const hy_flow *fl)
{
    static const char *const st[] = {"-", "new", "syn", "synack", "est", "closing", "closed"};
    char t[32], c[64], s[64];
    hy_time_format(fl->first_ns, t);
    endpoint(c, sizeof c, fl->ip_version, fl->src, fl->sport);
    endpoint(s, sizeof s, fl->ip_version, fl->dst, fl->dport);
    fprintf(f, "%-26.26s %-6s %-47s %-47s %8llu %10llu %s\n", t, proto_name(fl->proto), c, s,
            (unsigned long long)(fl->dir[0].pkts + fl->dir[1].pkts),
            (unsigned long long)(fl->dir[0].bytes + fl->dir[1].bytes),
            fl->tcp_state <= HY_TCP_CLOSED ? st[fl->tcp_state] : "?");
}

void hy_cli_table_alert_header(FILE *f)
{
    fprintf(f, "%-26s %-3s %-28s %-24s %s\n", "time", "sev", "kind", "subject", "title");
}

void hy_cli_table_alert(FILE *f, const hy_alert *a)
{
    char t[32];
    hy_time_format(a->time_ns, t);
    fprintf(f, "%-26.26s %-3d %-28s %-24s %s\n", t, a->severity, a->kind,
            a->subject ? a->subject : "", a->title ? a->title : "");
}

void hy_cli_progress_init(hy_cli_progress *p, const char *label)
{
    p->on = isatty(STDERR_FILENO);
    p->t0 = hy_clock_mono_s();
    p->label = label;
}

void hy_cli_progress_cb(void *ud, uint64_t done, uint64_t total, uint64_t packets)
{
    hy_cli_progress *p = ud;
    double el = hy_clock_mono_s() - p->t0;
    if (!p->on)
        return;
    if (total) {
        int pct = (int)(done * 100 / total), w = pct * 30 / 100;
        fprintf(stderr, "\r%-.30s [%.*s%*s] %3d%% %6.1f MB  %6.2f Mpkt/s", p->label, w,
                "==============================", 30 - w, "", pct, (double)done / 1e6,
                el > 0 ? (double)packets / el / 1e6 : 0.0);
    } else {
        fprintf(stderr, "\r%-.30s %6.1f MB  %llu pkts  %6.2f Mpkt/s", p->label,
                (double)done / 1e6, (unsigned long long)packets,
                el > 0 ? (double)packets / el / 1e6 : 0.0);
    }
}

void hy_cli_progress_end(hy_cli_progress *p)
{
    if (p->on)
        fprintf(stderr, "\r\033[K");
}

int hy_cli_set_kv(struct hy_config *cfg, const char *kv)
{
    const char *eq = strchr(kv, '=');
    char key[256];
    hy_err rc;
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof key) {
        fprintf(stderr, "hayate: --set expects KEY=VALUE, got '%s'\n", kv);
        return HY_EXIT_USAGE;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    if ((rc = hy_config_set(cfg, key, eq + 1)) != HY_OK) {
        hy_cli_error("--set", rc);
        return HY_EXIT_USAGE;
    }
    return HY_EXIT_OK;
}
