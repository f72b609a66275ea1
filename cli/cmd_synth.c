/* `hayate synth traffic`: writes seeded, realistic mixed traffic to a pcap. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "hayate/error.h"
#include "hayate/synth.h"

static const char usage_text[] =
    "Usage: hayate synth traffic [OPTIONS] -o FILE\n"
    "\n"
    "Writes seeded, deterministic, realistic mixed traffic as a pcap file: many\n"
    "clients (10.0.0.0/8, 2001:db8::/32) talking to fewer servers of Zipf-like\n"
    "popularity over TCP (handshake, HTTP, TLS, SSH, FIN or RST teardown), UDP\n"
    "(DNS, NTP, QUIC-like, RTP) and ICMP echo, in overlapping flows. The same\n"
    "seed and options give a byte-identical file.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE     where to write the pcap; \"-\" is stdout (required)\n"
    "      --seed N          PRNG seed (default 1)\n"
    "      --flows N         flows, each a distinct 5-tuple (default 1000)\n"
    "      --packets N       packet target; generation stops there (default 50000;\n"
    "                        0: about 50 per flow, no cap)\n"
    "      --duration S      time span in seconds, fractions allowed (default 60)\n"
    "      --hosts N         client hosts (default 1000)\n"
    "      --servers N       server hosts (default 200)\n"
    "      --ipv6 PCT        share of flows over IPv6 (default 10)\n"
    "      --vlan ID         tag every frame with 802.1Q VLAN ID (default: none)\n"
    "      --mix T/U/I       TCP/UDP/ICMP shares of flows, summing to 100\n"
    "                        (default 80/15/5)\n"
    "      --start TIME      first packet time, ISO-8601 UTC or epoch seconds\n"
    "                        (default 2024-01-01T00:00:00Z)\n"
    "      --snaplen N       cut frames to N bytes (default 65535)\n"
    "      --nsec            nanosecond timestamps (default: microseconds)\n"
    "      --raw             raw IP link type (101) instead of Ethernet\n"
    "  -v, --verbose         print a summary on stderr (default: only on a terminal)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 failure (e.g. cannot write), 2 usage error.\n"
    "Example: hayate synth traffic --seed 7 --flows 2000 --packets 60000 -o t.pcap\n";

enum {
    O_SEED = 256,
    O_FLOWS,
    O_PACKETS,
    O_DURATION,
    O_HOSTS,
    O_SERVERS,
    O_IPV6,
    O_VLAN,
    O_MIX,
    O_START,
    O_SNAPLEN,
    O_NSEC,
    O_RAW
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"seed", required_argument, NULL, O_SEED},
    {"flows", required_argument, NULL, O_FLOWS},
    {"packets", required_argument, NULL, O_PACKETS},
    {"duration", required_argument, NULL, O_DURATION},
    {"hosts", required_argument, NULL, O_HOSTS},
    {"servers", required_argument, NULL, O_SERVERS},
    {"ipv6", required_argument, NULL, O_IPV6},
    {"vlan", required_argument, NULL, O_VLAN},
    {"mix", required_argument, NULL, O_MIX},
    {"start", required_argument, NULL, O_START},
    {"snaplen", required_argument, NULL, O_SNAPLEN},
    {"nsec", no_argument, NULL, O_NSEC},
    {"raw", no_argument, NULL, O_RAW},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hayate synth: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'hayate synth traffic --help'.\n");
    return HY_EXIT_USAGE;
}

/* Parses a decimal unsigned integer no larger than max. */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_mix(const char *s, hy_synth_cfg *cfg)
{
    unsigned t, u, i;
    int n = 0;
    if (sscanf(s, "%u/%u/%u%n", &t, &u, &i, &n) != 3 || s[n] || t + u + i != 100 || t > 100 ||
        u > 100)
        return false;
    cfg->tcp_pct = t;
    cfg->udp_pct = u;
    cfg->icmp_pct = i;
    return true;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(void *ud, uint64_t done, uint64_t total, uint64_t packets)
{
    hy_cli_progress *p = ud;
    double el = mono_now() - p->t0;
    int pct = total ? (int)(done * 100 / total) : 0;
    if (!p->on)
        return;
    if (pct > 100)
        pct = 100;
    fprintf(stderr, "\r%s [%-30.*s] %3d%%  %llu pkts  %.2f Mpkt/s", p->label, pct * 30 / 100,
            "==============================", pct, (unsigned long long)packets,
            el > 0 ? (double)packets / el / 1e6 : 0.0);
}

/* Parses one option into cfg; returns -1 when fine, else an exit code. */
static int apply_opt(int c, const char *a, hy_synth_cfg *cfg, const char **out, bool *verbose)
{
    uint64_t v;
    char *end;

    switch (c) {
    case 'o':
        *out = a;
        break;
    case 'v':
        *verbose = true;
        break;
    case O_NSEC:
        cfg->nsec = true;
        break;
    case O_RAW:
        cfg->linktype = HY_SYNTH_LINKTYPE_RAW;
        break;
    case O_SEED:
        if (!parse_u64(a, UINT64_MAX, &cfg->seed))
            return usage_error("--seed: not an unsigned number: '%s'", a);
        break;
    case O_FLOWS:
        if (!parse_u64(a, UINT32_MAX, &cfg->flows))
            return usage_error("--flows: not a count: '%s'", a);
        break;
    case O_PACKETS:
        if (!parse_u64(a, UINT64_MAX, &cfg->packets))
            return usage_error("--packets: not a count: '%s'", a);
        break;
    case O_DURATION:
        errno = 0;
        cfg->duration_s = strtod(a, &end);
        if (errno || end == a || *end || !isfinite(cfg->duration_s) || cfg->duration_s < 0.001)
            return usage_error("--duration: not a number of seconds >= 0.001: '%s'", a);
        break;
    case O_HOSTS:
        if (!parse_u64(a, HY_SYNTH_MAX_HOSTS, &v) || v == 0)
            return usage_error("--hosts: need 1 to 4194304: '%s'", a);
        cfg->hosts = (uint32_t)v;
        break;
    case O_SERVERS:
        if (!parse_u64(a, HY_SYNTH_MAX_SERVERS, &v) || v == 0)
            return usage_error("--servers: need 1 to 1000000: '%s'", a);
        cfg->servers = (uint32_t)v;
        break;
    case O_IPV6:
        if (!parse_u64(a, 100, &v))
            return usage_error("--ipv6: need a percentage 0..100: '%s'", a);
        cfg->ipv6_pct = (unsigned)v;
        break;
    case O_VLAN:
        if (!parse_u64(a, 4094, &v))
            return usage_error("--vlan: need a VLAN id 0..4094: '%s'", a);
        cfg->vlan = (uint16_t)v;
        break;
    case O_MIX:
        if (!parse_mix(a, cfg))
            return usage_error("--mix: need TCP/UDP/ICMP percentages summing to 100: '%s'", a);
        break;
    case O_START:
        if (!hy_cli_parse_time(a, &cfg->start_ns))
            return usage_error("--start: not an ISO-8601 UTC time or epoch seconds: '%s'", a);
        break;
    case O_SNAPLEN:
        if (!parse_u64(a, 262144, &v) || v < 64)
            return usage_error("--snaplen: need 64 to 262144: '%s'", a);
        cfg->snaplen = (uint32_t)v;
        break;
    default:
        return usage_error("%s", "unknown option");
    }
    return -1;
}

static int synth_traffic(int argc, char **argv)
{
    hy_synth_cfg cfg;
    hy_synth_stats st;
    hy_cli_progress prog;
    const char *out = NULL;
    bool verbose = false;
    int c, rc;

    hy_synth_cfg_default(&cfg);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:vh", long_opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return HY_EXIT_OK;
        }
        if (c == '?' || c == ':')
            return usage_error("bad or incomplete option '%s'", argv[optind - 1]);
        if ((rc = apply_opt(c, optarg, &cfg, &out, &verbose)) >= 0)
            return rc;
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!out)
        return usage_error("%s", "no output file: give -o FILE (or -o - for stdout)");
    if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
        return usage_error("%s", "refusing to write a pcap to a terminal");

    hy_cli_progress_init(&prog, "synth");
    cfg.progress = progress;
    cfg.progress_ud = &prog;
    hy_err e = hy_synth_traffic(&cfg, out, &st);
    hy_cli_progress_end(&prog);
    if (e != HY_OK) {
        const char *d = hy_err_detail();
        fprintf(stderr, "hayate: %s\n", d && *d ? d : hy_err_str(e));
        return e == HY_ERR_ARG || e == HY_ERR_UNSUPPORTED ? HY_EXIT_USAGE : HY_EXIT_FAIL;
    }
    if (verbose || isatty(STDERR_FILENO))
        fprintf(stderr,
                "hayate synth: %llu packets, %llu flows (%llu tcp, %llu udp, %llu icmp), "
                "%llu bytes, %.3f s -> %s\n",
                (unsigned long long)st.packets, (unsigned long long)st.flows,
                (unsigned long long)st.tcp_flows, (unsigned long long)st.udp_flows,
                (unsigned long long)st.icmp_flows, (unsigned long long)st.bytes,
                (double)(st.last_ns - st.first_ns) / 1e9, out);
    return HY_EXIT_OK;
}

int hy_cmd_synth(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_text, stdout);
        return HY_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "traffic") != 0) {
        fprintf(stderr, "hayate synth: %s%s\n%s",
                argc < 2 ? "missing subcommand" : "unknown subcommand: ", argc < 2 ? "" : argv[1],
                "Usage: hayate synth traffic [OPTIONS] -o FILE\n");
        return HY_EXIT_USAGE;
    }
    return synth_traffic(argc - 1, argv + 1);
}
