/* `hayate synth traffic`: writes seeded, realistic mixed traffic to a pcap.
 * `hayate synth darknet`: network-telescope traffic plus its ground truth.
 * `hayate synth lineage`: files evolved down a known tree, plus that tree. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hayate/clock.h"
#include "hayate/timeparse.h"
#include "commands.h"
#include "hayate/buf.h"
#include "hayate/error.h"
#include "hayate/io.h"
#include "hayate/lineage.h"
#include "hayate/synth.h"
#include "hayate/tree.h"

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

static void progress(void *ud, uint64_t done, uint64_t total, uint64_t packets)
{
    hy_cli_progress *p = ud;
    double el = hy_clock_mono_s() - p->t0;
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
        if (!hy_time_parse(a, &cfg->start_ns))
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

/* ---- hayate synth darknet */

static const char dn_usage_text[] =
    "Usage: hayate synth darknet [OPTIONS] -o FILE\n"
    "       hayate synth darknet --scenario SET [--index I] -o FILE\n"
    "       hayate synth darknet --list-scenarios\n"
    "\n"
    "Writes seeded, deterministic network-telescope traffic as an Ethernet pcap,\n"
    "plus a ground-truth JSON file: background radiation (daily cycle, Zipf mix of\n"
    "ports and sources), backscatter bursts, ZMap and Masscan research scanners,\n"
    "and injected outbreaks of coordinated scanning with a fingerprint.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE       the pcap; \"-\" is stdout (required)\n"
    "      --truth FILE        ground truth JSON (default: FILE with .pcap replaced\n"
    "                          by .truth.json; none for stdout unless given)\n"
    "      --seed N            PRNG seed (default 1)\n"
    "      --duration SPAN     time span: seconds or 3d, 6h, 90m, 1h30m (default 1h)\n"
    "      --rate PPS          mean background packets/s (default 200)\n"
    "      --darknet CIDR      telescope prefix (default 198.18.0.0/15, RFC 2544)\n"
    "      --start TIME        RFC 3339 time or epoch seconds\n"
    "                          (default 2024-01-01T00:00:00Z)\n"
    "      --outbreak SPEC     inject an outbreak (repeatable):\n"
    "                          proto/port,start,duration,hosts,ramp,fingerprint[,ppm]\n"
    "                          times relative to the start with units; fingerprint\n"
    "                          none, mirai, zmap or masscan; ppm: probes per minute\n"
    "                          per host (default 4). Example:\n"
    "                          --outbreak tcp/2323,20m,30m,300,5m,mirai\n"
    "      --scenario SET      start from preset set SET (standard, demo); the\n"
    "                          other options then override it\n"
    "      --index I           scenario I of the set (default 0)\n"
    "      --list-scenarios    list the presets and exit\n"
    "      --endemic-mirai PCT share of background from long-present Mirai bots\n"
    "                          (default 0)\n"
    "      --scanners-per-day X  research scanners placed at random (default 4)\n"
    "      --bursts-per-day X    backscatter bursts placed at random (default 3)\n"
    "      --amplitude X       daily swing of the background, 0..0.9 (default 0.3)\n"
    "  -v, --verbose           print a summary on stderr (default: on a terminal)\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 success, 1 failure (e.g. cannot write), 2 usage error.\n"
    "Example: hayate synth darknet --scenario demo -o demo/darknet.pcap\n";

enum {
    D_TRUTH = 300,
    D_SEED,
    D_DURATION,
    D_RATE,
    D_DARKNET,
    D_START,
    D_OUTBREAK,
    D_SCENARIO,
    D_INDEX,
    D_LIST,
    D_ENDEMIC,
    D_SCANNERS,
    D_BURSTS,
    D_AMPLITUDE
};

static const struct option dn_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"truth", required_argument, NULL, D_TRUTH},
    {"seed", required_argument, NULL, D_SEED},
    {"duration", required_argument, NULL, D_DURATION},
    {"rate", required_argument, NULL, D_RATE},
    {"darknet", required_argument, NULL, D_DARKNET},
    {"start", required_argument, NULL, D_START},
    {"outbreak", required_argument, NULL, D_OUTBREAK},
    {"scenario", required_argument, NULL, D_SCENARIO},
    {"index", required_argument, NULL, D_INDEX},
    {"list-scenarios", no_argument, NULL, D_LIST},
    {"endemic-mirai", required_argument, NULL, D_ENDEMIC},
    {"scanners-per-day", required_argument, NULL, D_SCANNERS},
    {"bursts-per-day", required_argument, NULL, D_BURSTS},
    {"amplitude", required_argument, NULL, D_AMPLITUDE},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int dn_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hayate synth darknet: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'hayate synth darknet --help'.\n");
    return HY_EXIT_USAGE;
}

static bool parse_real(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* RFC 3339 with a numeric offset ("...T09:00:00+09:00"), or what
 * hy_time_parse takes (Z, date only, epoch seconds). */
static bool parse_start(const char *s, uint64_t *ns)
{
    char buf[64];
    const char *t = strchr(s, 'T');
    size_t n = strlen(s);
    int sign = 0;
    unsigned hh, mm;

    if (n >= sizeof buf)
        return false;
    if (t && n >= 6 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':' && s + n - 6 > t &&
        sscanf(s + n - 5, "%2u:%2u", &hh, &mm) == 2 && hh < 24 && mm < 60) {
        sign = s[n - 6] == '+' ? 1 : -1;
        memcpy(buf, s, n - 6);
        buf[n - 6] = '\0';
    } else {
        memcpy(buf, s, n + 1);
    }
    if (!hy_time_parse(buf, ns))
        return false;
    if (sign) {
        uint64_t off = ((uint64_t)hh * 3600 + mm * 60) * 1000000000ull;
        if (sign > 0 && *ns < off)
            return false;
        *ns = sign > 0 ? *ns - off : *ns + off;
    }
    return true;
}

/* "3d" style spans for listings: 72h, 43h51m, 90s. */
static void span_str(uint64_t ns, char out[24])
{
    unsigned long long s = ns / 1000000000ull, h = s / 3600, m = s % 3600 / 60, r = s % 60;
    int n = 0;
    out[0] = '\0';
    if (h)
        n += snprintf(out + n, (size_t)(24 - n), "%lluh", h);
    if (m)
        n += snprintf(out + n, (size_t)(24 - n), "%llum", m);
    if (r || s == 0)
        snprintf(out + n, (size_t)(24 - n), "%llus", r);
}

static int dn_list(void)
{
    hy_synth_darknet_cfg c;
    const char *set;
    char a[24], b[24], r[24];

    for (unsigned s = 0; (set = hy_synth_darknet_scenario_set(s)) != NULL; s++) {
        for (unsigned i = 0; i < hy_synth_darknet_scenario_count(set); i++) {
            if (hy_synth_darknet_scenario(set, i, &c) != HY_OK)
                return HY_EXIT_FAIL;
            span_str(c.duration_ns, a);
            printf("%-22s %s, %g pps, seed %llu\n", c.name, a, c.rate_pps,
                   (unsigned long long)c.seed);
            if (c.n_outbreaks == 0)
                printf("    no outbreak\n");
            for (unsigned k = 0; k < c.n_outbreaks; k++) {
                const hy_synth_darknet_outbreak *o = &c.outbreak[k];
                span_str(o->start_ns, a);
                span_str(o->duration_ns, b);
                span_str(o->ramp_ns, r);
                printf("    outbreak %s/%u at %s for %s, %u hosts, ramp %s, %s, %g/min\n",
                       o->proto == 6 ? "tcp" : "udp", o->port, a, b, o->hosts, r,
                       hy_synth_fp_name(o->fp), o->rate_ppm);
            }
            for (unsigned k = 0; k < c.n_scanners; k++) {
                span_str(c.scanner[k].start_ns, a);
                span_str(c.scanner[k].duration_ns, b);
                printf("    %s scanner on %s/%u at %s for %s\n",
                       hy_synth_fp_name(c.scanner[k].tool), c.scanner[k].proto == 6 ? "tcp" : "udp",
                       c.scanner[k].port, a, b);
            }
            for (unsigned k = 0; k < c.n_bursts; k++) {
                span_str(c.burst[k].start_ns, a);
                span_str(c.burst[k].duration_ns, b);
                printf("    backscatter burst on port %u at %s for %s\n", c.burst[k].port, a, b);
            }
        }
    }
    return HY_EXIT_OK;
}

/* Options gathered before the configuration is built (a scenario first). */
typedef struct dn_args {
    const char *out, *truth, *scenario;
    unsigned index;
    bool verbose, list;
    const char *outbreaks[HY_SYNTH_DN_MAX_OUTBREAKS];
    unsigned n_outbreaks;
    int codes[32];
    const char *vals[32];
    unsigned n;
} dn_args;

static int dn_gather(int argc, char **argv, dn_args *a)
{
    int c;
    uint64_t v;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:vh", dn_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(dn_usage_text, stdout);
            return HY_EXIT_OK;
        case '?':
        case ':':
            return dn_usage_error("bad or incomplete option '%s'", argv[optind - 1]);
        case 'o':
            a->out = optarg;
            break;
        case 'v':
            a->verbose = true;
            break;
        case D_TRUTH:
            a->truth = optarg;
            break;
        case D_SCENARIO:
            a->scenario = optarg;
            break;
        case D_LIST:
            a->list = true;
            break;
        case D_INDEX:
            if (!parse_u64(optarg, 1000, &v))
                return dn_usage_error("--index: not a scenario index: '%s'", optarg);
            a->index = (unsigned)v;
            break;
        case D_OUTBREAK:
            if (a->n_outbreaks == HY_SYNTH_DN_MAX_OUTBREAKS)
                return dn_usage_error("%s", "too many --outbreak options");
            a->outbreaks[a->n_outbreaks++] = optarg;
            break;
        default:
            if (a->n == 32)
                return dn_usage_error("%s", "too many options");
            a->codes[a->n] = c;
            a->vals[a->n++] = optarg;
        }
    }
    if (optind < argc)
        return dn_usage_error("unexpected argument '%s'", argv[optind]);
    return -1;
}

static int dn_apply(int c, const char *s, hy_synth_darknet_cfg *cfg)
{
    switch (c) {
    case D_SEED:
        if (!parse_u64(s, UINT64_MAX, &cfg->seed))
            return dn_usage_error("--seed: not an unsigned number: '%s'", s);
        break;
    case D_DURATION:
        if (hy_synth_parse_span(s, &cfg->duration_ns) != HY_OK || cfg->duration_ns < 1000000000ull)
            return dn_usage_error("--duration: need a span of 1 s to 400 d (3d, 6h, 90m, "
                                  "3600): '%s'",
                                  s);
        break;
    case D_RATE:
        if (!parse_real(s, 0, HY_SYNTH_DN_MAX_RATE, &cfg->rate_pps))
            return dn_usage_error("--rate: need packets/s from 0 to 1000000: '%s'", s);
        break;
    case D_DARKNET:
        if (hy_synth_darknet_parse_prefix(s, &cfg->prefix, &cfg->prefix_len) != HY_OK)
            return dn_usage_error("--darknet: %s", hy_err_detail());
        break;
    case D_START:
        if (!parse_start(s, &cfg->start_ns))
            return dn_usage_error("--start: not an RFC 3339 time or epoch seconds: '%s'", s);
        break;
    case D_ENDEMIC:
        if (!parse_real(s, 0, 100, &cfg->endemic_mirai_pct))
            return dn_usage_error("--endemic-mirai: need a percentage 0..100: '%s'", s);
        break;
    case D_SCANNERS:
        if (!parse_real(s, 0, 1000, &cfg->scanners_per_day))
            return dn_usage_error("--scanners-per-day: need 0..1000: '%s'", s);
        break;
    case D_BURSTS:
        if (!parse_real(s, 0, 1000, &cfg->bursts_per_day))
            return dn_usage_error("--bursts-per-day: need 0..1000: '%s'", s);
        break;
    case D_AMPLITUDE:
        if (!parse_real(s, 0, 0.9, &cfg->daily_amplitude))
            return dn_usage_error("--amplitude: need 0..0.9: '%s'", s);
        break;
    default:
        return dn_usage_error("%s", "unknown option");
    }
    return -1;
}

/* X.pcap -> X.truth.json; other names get .truth.json appended. */
static char *dn_truth_path(const char *out)
{
    size_t n = strlen(out);
    char *p = malloc(n + 16);
    if (!p)
        return NULL;
    memcpy(p, out, n + 1);
    if (n > 5 && strcmp(out + n - 5, ".pcap") == 0)
        p[n - 5] = '\0';
    strcat(p, ".truth.json");
    return p;
}

static int dn_build(const dn_args *a, hy_synth_darknet_cfg *cfg)
{
    int rc;
    if (a->scenario) {
        if (hy_synth_darknet_scenario(a->scenario, a->index, cfg) != HY_OK)
            return dn_usage_error("--scenario: %s", hy_err_detail());
    } else {
        hy_synth_darknet_cfg_default(cfg);
        if (a->index)
            return dn_usage_error("%s", "--index needs --scenario");
    }
    for (unsigned i = 0; i < a->n; i++)
        if ((rc = dn_apply(a->codes[i], a->vals[i], cfg)) >= 0)
            return rc;
    for (unsigned i = 0; i < a->n_outbreaks; i++) {
        if (cfg->n_outbreaks == HY_SYNTH_DN_MAX_OUTBREAKS)
            return dn_usage_error("%s", "too many outbreaks");
        if (hy_synth_darknet_parse_outbreak(a->outbreaks[i], &cfg->outbreak[cfg->n_outbreaks]) !=
            HY_OK)
            return dn_usage_error("--outbreak: %s", hy_err_detail());
        cfg->n_outbreaks++;
    }
    return -1;
}

static int synth_darknet(int argc, char **argv)
{
    dn_args a = {0};
    hy_synth_darknet_cfg cfg;
    hy_synth_darknet_stats st;
    hy_cli_progress prog;
    char *truth = NULL;
    int rc;

    if ((rc = dn_gather(argc, argv, &a)) >= 0)
        return rc;
    if (a.list)
        return dn_list();
    if ((rc = dn_build(&a, &cfg)) >= 0)
        return rc;
    if (!a.out)
        return dn_usage_error("%s", "no output file: give -o FILE (or -o - for stdout)");
    if (strcmp(a.out, "-") == 0 && isatty(STDOUT_FILENO))
        return dn_usage_error("%s", "refusing to write a pcap to a terminal");
    if (!a.truth && strcmp(a.out, "-") != 0 && !(truth = dn_truth_path(a.out))) {
        fprintf(stderr, "hayate: out of memory\n");
        return HY_EXIT_FAIL;
    }
    hy_cli_progress_init(&prog, "synth");
    cfg.progress = progress;
    cfg.progress_ud = &prog;
    double t0 = hy_clock_mono_s();
    hy_err e = hy_synth_darknet(&cfg, a.out, a.truth ? a.truth : truth, &st);
    double wall = hy_clock_mono_s() - t0;
    hy_cli_progress_end(&prog);
    if (e != HY_OK) {
        const char *d = hy_err_detail();
        fprintf(stderr, "hayate: %s\n", d && *d ? d : hy_err_str(e));
        free(truth);
        return e == HY_ERR_ARG || e == HY_ERR_UNSUPPORTED ? HY_EXIT_USAGE : HY_EXIT_FAIL;
    }
    if (a.verbose || isatty(STDERR_FILENO))
        fprintf(stderr,
                "hayate synth darknet: %llu packets (background %llu, outbreak %llu, scanner "
                "%llu, backscatter %llu), %u events, %.2f s wall (%.0f pkt/s) -> %s%s%s\n",
                (unsigned long long)st.packets, (unsigned long long)st.background,
                (unsigned long long)st.outbreak, (unsigned long long)st.scanner,
                (unsigned long long)st.backscatter, st.events, wall,
                wall > 0 ? (double)st.packets / wall : 0.0, a.out,
                a.truth || truth ? ", truth " : "",
                a.truth ? a.truth
                : truth ? truth
                        : "");
    free(truth);
    return HY_EXIT_OK;
}

/* ---- hayate synth lineage */

static const char ln_usage_text[] =
    "Usage: hayate synth lineage --leaves N --bytes B [OPTIONS] --out DIR\n"
    "\n"
    "Writes files with a known phylogeny, to test tree building: a random\n"
    "ancestor of B bytes (words of a small vocabulary, so it compresses like\n"
    "code) evolves down a random binary tree, taking substitutions, insertions,\n"
    "deletions and block moves in proportion to branch length. The N tips go to\n"
    "DIR/s0000, DIR/s0001, ... (DIR is created, or must be empty) and the true\n"
    "tree, as Newick with the same leaf names, to DIR/../truth: outside DIR, so\n"
    "`hayate tree DIR --truth FILE` sees only the samples. Deterministic for a\n"
    "seed.\n"
    "\n"
    "Options:\n"
    "      --leaves N        tips, 2..100000 (required)\n"
    "      --bytes B         ancestor size, 64..16777216 (required; tips drift\n"
    "                        around it); N x B at most 2 GiB\n"
    "      --seed S          PRNG seed (default 1)\n"
    "      --rate R          mutation events per KiB per unit of branch length,\n"
    "                        0..1000 (default 4; branches are 0.5..1.5 long)\n"
    "      --out DIR         where the tips go (required)\n"
    "      --truth FILE      where the true tree goes (default DIR/../truth)\n"
    "  -v, --verbose         print a summary on stderr\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 success, 1 failure (e.g. cannot write), 2 usage error.\n"
    "Example: hayate synth lineage --leaves 64 --bytes 8192 --out /tmp/lin/s\n";

enum { L_LEAVES = 256, L_BYTES, L_SEED, L_RATE, L_OUT, L_TRUTH };

static const struct option ln_opts[] = {
    {"leaves", required_argument, NULL, L_LEAVES},
    {"bytes", required_argument, NULL, L_BYTES},
    {"seed", required_argument, NULL, L_SEED},
    {"rate", required_argument, NULL, L_RATE},
    {"out", required_argument, NULL, L_OUT},
    {"truth", required_argument, NULL, L_TRUTH},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct ln_args {
    hy_lineage_cfg cfg;
    const char *out, *truth;
    bool verbose, have_leaves, have_bytes;
} ln_args;

static int ln_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hayate synth lineage: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'hayate synth lineage --help'.\n");
    return HY_EXIT_USAGE;
}

static int ln_apply(int c, const char *a, ln_args *l)
{
    uint64_t v;
    switch (c) {
    case L_LEAVES:
        if (!parse_u64(a, HY_LINEAGE_MAX_LEAVES, &v) || v < 2)
            return ln_usage_error("--leaves: need 2 to 100000: '%s'", a);
        l->cfg.leaves = (size_t)v;
        l->have_leaves = true;
        break;
    case L_BYTES:
        if (!parse_u64(a, HY_LINEAGE_MAX_BYTES, &v) || v < 64)
            return ln_usage_error("--bytes: need 64 to 16777216: '%s'", a);
        l->cfg.ancestor_bytes = (size_t)v;
        l->have_bytes = true;
        break;
    case L_SEED:
        if (!parse_u64(a, UINT64_MAX, &l->cfg.seed))
            return ln_usage_error("--seed: not an unsigned number: '%s'", a);
        break;
    case L_RATE:
        if (!parse_real(a, 0, 1000, &l->cfg.rate))
            return ln_usage_error("--rate: need a number 0..1000: '%s'", a);
        break;
    case L_OUT:
        l->out = a;
        break;
    case L_TRUTH:
        l->truth = a;
        break;
    case 'v':
        l->verbose = true;
        break;
    default:
        return ln_usage_error("%s", "unknown option");
    }
    return -1;
}

/* Creates dir, or checks that the existing one is empty (stale samples
 * from a larger run would join the tree). */
static hy_err ln_make_dir(const char *dir)
{
    if (mkdir(dir, 0755) == 0)
        return HY_OK;
    if (errno != EEXIST)
        return hy_err_set(HY_ERR_IO, "%s: %s", dir, strerror(errno));
    DIR *d = opendir(dir);
    if (!d)
        return hy_err_set(HY_ERR_IO, "%s: %s", dir, strerror(errno));
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty ? HY_OK : hy_err_set(HY_ERR_EXISTS, "%s: not empty", dir);
}

/* The tips as dir/sNNNN, the true tree to truth. */
static hy_err ln_write(const hy_lineage *l, const char *dir, const char *truth)
{
    size_t n = l->n, plen = strlen(dir) + 40;
    int width = 4;
    for (size_t m = n - 1; m >= 10000; m /= 10)
        width++;
    char **names = calloc(n, sizeof *names), *path = malloc(plen);
    hy_buf nwk;
    hy_err rc = names && path ? ln_make_dir(dir) : HY_ERR_NOMEM;
    hy_buf_init(&nwk, 1u << 30);
    for (size_t i = 0; i < n && rc == HY_OK; i++) {
        char num[24];
        int k = snprintf(num, sizeof num, "%zu", i);
        if (!(names[i] = malloc((size_t)width + sizeof num))) {
            rc = HY_ERR_NOMEM;
            break;
        }
        names[i][0] = 's';
        memset(names[i] + 1, '0', (size_t)(k < width ? width - k : 0));
        strcpy(names[i] + 1 + (k < width ? width - k : 0), num);
        snprintf(path, plen, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(l->data[i], 1, l->len[i], f) == l->len[i];
        if ((f && fclose(f) != 0) || !ok)
            rc = hy_err_set(HY_ERR_IO, "%s: %s", path, strerror(errno));
    }
    if (rc == HY_OK && (rc = hy_tree_newick(l->tree, (const char *const *)names, &nwk)) == HY_OK)
        rc = hy_write_file_atomic(truth, nwk.data, nwk.len);
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    free(path);
    hy_buf_free(&nwk);
    return rc;
}

static int synth_lineage(int argc, char **argv)
{
    ln_args a = {0};
    hy_lineage *l = NULL;
    char *truth = NULL;
    int c, rc;
    hy_lineage_cfg_default(&a.cfg);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", ln_opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(ln_usage_text, stdout);
            return HY_EXIT_OK;
        }
        if (c == '?' || c == ':')
            return ln_usage_error("bad or incomplete option '%s'", argv[optind - 1]);
        if ((rc = ln_apply(c, optarg, &a)) >= 0)
            return rc;
    }
    if (optind < argc)
        return ln_usage_error("unexpected argument '%s'", argv[optind]);
    if (!a.have_leaves || !a.have_bytes || !a.out)
        return ln_usage_error("%s", "--leaves, --bytes and --out are required");
    if ((double)a.cfg.leaves * (double)a.cfg.ancestor_bytes > (double)HY_LINEAGE_MAX_TOTAL)
        return ln_usage_error("%s", "--leaves x --bytes is over 2 GiB");
    if (!a.truth && (truth = malloc(strlen(a.out) + 16)) != NULL)
        sprintf(truth, "%s/../truth", a.out);
    hy_err e = a.truth || truth ? hy_lineage_generate(&a.cfg, &l) : HY_ERR_NOMEM;
    if (e == HY_OK)
        e = ln_write(l, a.out, a.truth ? a.truth : truth);
    if (e != HY_OK) {
        const char *d = hy_err_detail();
        fprintf(stderr, "hayate: synth lineage: %s\n", d && *d ? d : hy_err_str(e));
        rc = e == HY_ERR_ARG || e == HY_ERR_EXISTS ? HY_EXIT_USAGE : HY_EXIT_FAIL;
    } else {
        if (a.verbose || isatty(STDERR_FILENO))
            fprintf(stderr, "hayate synth lineage: %zu files -> %s, true tree -> %s\n", l->n, a.out,
                    a.truth ? a.truth : truth);
        rc = HY_EXIT_OK;
    }
    hy_lineage_free(l);
    free(truth);
    return rc;
}

int hy_cmd_synth(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_text, stdout);
        fputs("\n", stdout);
        fputs(dn_usage_text, stdout);
        fputs("\n", stdout);
        fputs(ln_usage_text, stdout);
        fputs("\nUsage: hayate synth alerts [OPTIONS] -o FILE [--truth FILE]"
              " (see 'hayate synth alerts --help')\n",
              stdout);
        return HY_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "darknet") == 0)
        return synth_darknet(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "lineage") == 0)
        return synth_lineage(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "alerts") == 0)
        return hy_cmd_synth_alerts(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "traffic") != 0) {
        fprintf(stderr, "hayate synth: %s%s\n%s",
                argc < 2 ? "missing subcommand" : "unknown subcommand: ", argc < 2 ? "" : argv[1],
                "Usage: hayate synth traffic [OPTIONS] -o FILE\n"
                "       hayate synth darknet [OPTIONS] -o FILE\n"
                "       hayate synth lineage --leaves N --bytes B --out DIR\n"
                "       hayate synth alerts [OPTIONS] -o FILE [--truth FILE]\n");
        return HY_EXIT_USAGE;
    }
    return synth_traffic(argc - 1, argv + 1);
}
