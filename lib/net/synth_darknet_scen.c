/* Darknet generator: the configuration (defaults and checks), preset
 * scenarios, and the parsers of its options (time spans, outbreak
 * specifications, prefixes, fingerprint names). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/synth.h"
#include "net/synth_int.h"

#define NS      1000000000ull
#define MIN_NS  (60ull * NS)
#define HOUR_NS (3600ull * NS)
#define DAY_NS  (86400ull * NS)

/* ---- configuration and its checks */

void hy_synth_darknet_cfg_default(hy_synth_darknet_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->start_ns = HY_SYNTH_START_NS;
    cfg->duration_ns = 3600 * NS;
    cfg->rate_pps = 200;
    cfg->prefix = HY_SYNTH_DN_PREFIX;
    cfg->prefix_len = HY_SYNTH_DN_PREFIX_LEN;
    cfg->daily_amplitude = 0.3;
    cfg->peak_hour = 15;
    cfg->scanners_per_day = 4;
    cfg->bursts_per_day = 3;
}

static hy_err check_window(const char *what, unsigned i, uint64_t start, uint64_t dur,
                           uint64_t total)
{
    if (dur < NS)
        return hy_err_set(HY_ERR_ARG, "synth darknet: %s %u: shorter than 1 s", what, i + 1);
    if (start >= total || dur > total - start)
        return hy_err_set(HY_ERR_ARG, "synth darknet: %s %u ends after the capture (%.0f s)", what,
                          i + 1, (double)total / 1e9);
    return HY_OK;
}

static hy_err check_outbreak(const hy_synth_darknet_outbreak *o, unsigned i, uint64_t total)
{
    hy_err e = check_window("outbreak", i, o->start_ns, o->duration_ns, total);
    if (e)
        return e;
    if (o->proto != 6 && o->proto != 17)
        return hy_err_set(HY_ERR_ARG, "synth darknet: outbreak %u: protocol must be tcp or udp",
                          i + 1);
    if (o->port == 0)
        return hy_err_set(HY_ERR_ARG, "synth darknet: outbreak %u: port 0", i + 1);
    if (o->hosts < 1 || o->hosts > HY_SYNTH_DN_MAX_HOSTS)
        return hy_err_set(HY_ERR_ARG, "synth darknet: outbreak %u: hosts must be 1..%u", i + 1,
                          HY_SYNTH_DN_MAX_HOSTS);
    if (o->ramp_ns > o->duration_ns)
        return hy_err_set(HY_ERR_ARG, "synth darknet: outbreak %u: ramp longer than duration",
                          i + 1);
    if ((unsigned)o->fp > HY_SYNTH_FP_MASSCAN)
        return hy_err_set(HY_ERR_ARG, "synth darknet: outbreak %u: unknown fingerprint", i + 1);
    if (o->proto != 6 && (o->fp == HY_SYNTH_FP_MIRAI || o->fp == HY_SYNTH_FP_MASSCAN))
        return hy_err_set(HY_ERR_ARG, "synth darknet: outbreak %u: fingerprint %s needs tcp", i + 1,
                          hy_synth_fp_name(o->fp));
    if (!(o->rate_ppm >= 0 && o->rate_ppm <= 600))
        return hy_err_set(HY_ERR_ARG, "synth darknet: outbreak %u: rate must be 0..600 per minute",
                          i + 1);
    return HY_OK;
}

static hy_err check_scanner(const hy_synth_darknet_scanner *s, unsigned i, uint64_t total)
{
    hy_err e = check_window("scanner", i, s->start_ns, s->duration_ns, total);
    if (e)
        return e;
    if (s->tool != HY_SYNTH_FP_ZMAP && s->tool != HY_SYNTH_FP_MASSCAN)
        return hy_err_set(HY_ERR_ARG, "synth darknet: scanner %u: tool must be zmap or masscan",
                          i + 1);
    if (s->proto != 6 && !(s->proto == 17 && s->tool == HY_SYNTH_FP_ZMAP))
        return hy_err_set(HY_ERR_ARG, "synth darknet: scanner %u: tcp (or udp for zmap)", i + 1);
    if (s->port == 0)
        return hy_err_set(HY_ERR_ARG, "synth darknet: scanner %u: port 0", i + 1);
    if (!(s->rate_pps >= 0 && s->rate_pps <= HY_SYNTH_DN_MAX_RATE))
        return hy_err_set(HY_ERR_ARG, "synth darknet: scanner %u: rate out of range", i + 1);
    return HY_OK;
}

static hy_err check_burst(const hy_synth_darknet_burst *b, unsigned i, uint64_t total)
{
    hy_err e = check_window("burst", i, b->start_ns, b->duration_ns, total);
    if (e)
        return e;
    if ((unsigned)b->reply > HY_SYNTH_BS_TTL)
        return hy_err_set(HY_ERR_ARG, "synth darknet: burst %u: unknown reply kind", i + 1);
    if (b->port == 0)
        return hy_err_set(HY_ERR_ARG, "synth darknet: burst %u: port 0", i + 1);
    if (b->victims < 1 || b->victims > HY_SYNTH_DN_MAX_VICTIMS)
        return hy_err_set(HY_ERR_ARG, "synth darknet: burst %u: victims must be 1..%u", i + 1,
                          HY_SYNTH_DN_MAX_VICTIMS);
    if (!(b->rate_pps > 0 && b->rate_pps <= HY_SYNTH_DN_MAX_RATE))
        return hy_err_set(HY_ERR_ARG, "synth darknet: burst %u: rate must be > 0 and <= 1e6",
                          i + 1);
    return HY_OK;
}

hy_err hy__dn_check_cfg(const hy_synth_darknet_cfg *c)
{
    hy_err e;
    uint64_t d = c->duration_ns;

    if (d < NS || d > HY_SYNTH_DN_MAX_DURATION)
        return hy_err_set(HY_ERR_ARG, "synth darknet: duration must be 1 s to 400 days");
    if (c->start_ns / NS + d / NS + 100 >= (1ull << 32))
        return hy_err_set(HY_ERR_ARG, "synth darknet: times beyond the year 2106 do not fit pcap");
    if (!(c->rate_pps >= 0 && c->rate_pps <= HY_SYNTH_DN_MAX_RATE))
        return hy_err_set(HY_ERR_ARG, "synth darknet: rate must be 0..1000000 packets/s");
    if (c->prefix_len < 8 || c->prefix_len > 32)
        return hy_err_set(HY_ERR_ARG, "synth darknet: prefix length must be 8..32");
    if (c->prefix_len < 32 && (c->prefix & (0xffffffffu >> c->prefix_len)))
        return hy_err_set(HY_ERR_ARG, "synth darknet: prefix has host bits set");
    if (!(c->daily_amplitude >= 0 && c->daily_amplitude <= 0.9))
        return hy_err_set(HY_ERR_ARG, "synth darknet: daily amplitude must be 0..0.9");
    if (!(c->peak_hour >= 0 && c->peak_hour < 24))
        return hy_err_set(HY_ERR_ARG, "synth darknet: peak hour must be 0..24");
    if (!(c->endemic_mirai_pct >= 0 && c->endemic_mirai_pct <= 100))
        return hy_err_set(HY_ERR_ARG, "synth darknet: endemic Mirai share must be 0..100 %%");
    if (!(c->scanners_per_day >= 0 && c->scanners_per_day <= 1000) ||
        !(c->bursts_per_day >= 0 && c->bursts_per_day <= 1000))
        return hy_err_set(HY_ERR_ARG, "synth darknet: scanners/bursts per day must be 0..1000");
    if (c->n_outbreaks > HY_SYNTH_DN_MAX_OUTBREAKS || c->n_scanners > HY_SYNTH_DN_MAX_SCANNERS ||
        c->n_bursts > HY_SYNTH_DN_MAX_BURSTS)
        return hy_err_set(HY_ERR_ARG,
                          "synth darknet: too many events (at most %d outbreaks, "
                          "%d scanners, %d bursts)",
                          HY_SYNTH_DN_MAX_OUTBREAKS, HY_SYNTH_DN_MAX_SCANNERS,
                          HY_SYNTH_DN_MAX_BURSTS);
    for (unsigned i = 0; i < c->n_outbreaks; i++)
        if ((e = check_outbreak(&c->outbreak[i], i, d)) != HY_OK)
            return e;
    for (unsigned i = 0; i < c->n_scanners; i++)
        if ((e = check_scanner(&c->scanner[i], i, d)) != HY_OK)
            return e;
    for (unsigned i = 0; i < c->n_bursts; i++)
        if ((e = check_burst(&c->burst[i], i, d)) != HY_OK)
            return e;
    if (memchr(c->name, 0, sizeof c->name) == NULL)
        return hy_err_set(HY_ERR_ARG, "synth darknet: scenario name not terminated");
    return HY_OK;
}

/* ---- names */

static const char *const fp_names[] = {"none", "mirai", "zmap", "masscan"};

const char *hy_synth_fp_name(hy_synth_fp fp)
{
    return (unsigned)fp < 4 ? fp_names[fp] : "unknown";
}

hy_err hy_synth_fp_parse(const char *s, hy_synth_fp *out)
{
    for (unsigned i = 0; s && i < 4; i++) {
        if (strcmp(s, fp_names[i]) == 0) {
            *out = (hy_synth_fp)i;
            return HY_OK;
        }
    }
    return hy_err_set(HY_ERR_ARG, "unknown fingerprint '%s' (none, mirai, zmap, masscan)",
                      s ? s : "");
}

/* ---- parsers */

static int unit_ns(const char *s, uint64_t *mult)
{
    if (strncmp(s, "ms", 2) == 0) {
        *mult = 1000000u;
        return 2;
    }
    switch (*s) {
    case 'd':
        *mult = DAY_NS;
        return 1;
    case 'h':
        *mult = HOUR_NS;
        return 1;
    case 'm':
        *mult = MIN_NS;
        return 1;
    case 's':
        *mult = NS;
        return 1;
    default:
        return 0;
    }
}

hy_err hy_synth_parse_span(const char *s, uint64_t *ns)
{
    double total = 0;
    const char *p = s;
    int parts = 0;

    if (!s || !*s)
        return hy_err_set(HY_ERR_ARG, "empty time span");
    while (*p) {
        size_t digits = strspn(p, "0123456789.");
        char *end;
        errno = 0;
        double v = digits ? strtod(p, &end) : 0;
        if (!digits || errno || end != p + digits || !isfinite(v) || v < 0)
            return hy_err_set(HY_ERR_ARG, "bad time span '%s' (e.g. 90, 3d, 6h, 1h30m, 45s)", s);
        uint64_t mult = NS;
        int ul = unit_ns(end, &mult);
        if (ul == 0 && (*end || parts > 0))
            return hy_err_set(HY_ERR_ARG, "bad time span '%s': units are d, h, m, s, ms", s);
        total += v * (double)mult;
        p = end + ul;
        parts++;
    }
    if (total > (double)HY_SYNTH_DN_MAX_DURATION)
        return hy_err_set(HY_ERR_ARG, "time span '%s' over 400 days", s);
    *ns = (uint64_t)llround(total);
    return HY_OK;
}

hy_err hy_synth_darknet_parse_prefix(const char *s, uint32_t *net, uint8_t *len)
{
    unsigned a[4], l;
    int n = 0;
    if (!s || sscanf(s, "%3u.%3u.%3u.%3u/%2u%n", &a[0], &a[1], &a[2], &a[3], &l, &n) != 5 || s[n] ||
        strchr(s, ' ') || strchr(s, '+') || strchr(s, '-'))
        return hy_err_set(HY_ERR_ARG, "bad prefix '%s' (A.B.C.D/LEN)", s ? s : "");
    if (a[0] > 255 || a[1] > 255 || a[2] > 255 || a[3] > 255)
        return hy_err_set(HY_ERR_ARG, "bad prefix '%s': octet over 255", s);
    if (l < 8 || l > 32)
        return hy_err_set(HY_ERR_ARG, "bad prefix '%s': length must be 8..32", s);
    uint32_t v = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
    uint32_t host = l == 32 ? 0 : 0xffffffffu >> l;
    if (v & host) {
        uint32_t m = v & ~host;
        return hy_err_set(HY_ERR_ARG, "prefix '%s' has host bits set (%u.%u.%u.%u/%u?)", s, m >> 24,
                          (m >> 16) & 255, (m >> 8) & 255, m & 255, l);
    }
    *net = v;
    *len = (uint8_t)l;
    return HY_OK;
}

static hy_err parse_count(const char *s, unsigned long max, const char *what, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = s[0] >= '0' && s[0] <= '9' ? strtoul(s, &end, 10) : 0;
    if (!(s[0] >= '0' && s[0] <= '9') || errno || *end || v < 1 || v > max)
        return hy_err_set(HY_ERR_ARG, "outbreak: %s must be 1..%lu, not '%s'", what, max, s);
    *out = v;
    return HY_OK;
}

static hy_err parse_proto_port(const char *s, hy_synth_darknet_outbreak *o)
{
    unsigned long port;
    const char *slash = strchr(s, '/');
    if (!slash)
        return hy_err_set(HY_ERR_ARG, "outbreak: '%s' is not proto/port (tcp/2323)", s);
    if ((size_t)(slash - s) == 3 && strncmp(s, "tcp", 3) == 0)
        o->proto = 6;
    else if ((size_t)(slash - s) == 3 && strncmp(s, "udp", 3) == 0)
        o->proto = 17;
    else
        return hy_err_set(HY_ERR_ARG, "outbreak: protocol of '%s' must be tcp or udp", s);
    hy_err e = parse_count(slash + 1, 65535, "port", &port);
    o->port = (uint16_t)port;
    return e;
}

hy_err hy_synth_darknet_parse_outbreak(const char *spec, hy_synth_darknet_outbreak *out)
{
    char buf[256], *f[8];
    unsigned n = 0;
    unsigned long hosts;
    hy_synth_darknet_outbreak o = {0};
    hy_err e;

    if (!spec || strlen(spec) >= sizeof buf)
        return hy_err_set(HY_ERR_ARG, "outbreak: missing or too long specification");
    strcpy(buf, spec);
    for (char *p = buf, *c; n < 8; p = c + 1) {
        f[n++] = p;
        if (!(c = strchr(p, ',')))
            break;
        *c = '\0';
    }
    if (n < 6 || n > 7)
        return hy_err_set(HY_ERR_ARG,
                          "outbreak '%s': need proto/port,start,duration,hosts,"
                          "ramp,fingerprint[,per-host probes per minute]",
                          spec);
    if ((e = parse_proto_port(f[0], &o)) != HY_OK)
        return e;
    if ((e = hy_synth_parse_span(f[1], &o.start_ns)) != HY_OK ||
        (e = hy_synth_parse_span(f[2], &o.duration_ns)) != HY_OK)
        return hy_err_set(e, "outbreak '%s': %s", spec, hy_err_detail());
    if (o.duration_ns == 0)
        return hy_err_set(HY_ERR_ARG, "outbreak '%s': zero duration", spec);
    if ((e = parse_count(f[3], HY_SYNTH_DN_MAX_HOSTS, "hosts", &hosts)) != HY_OK)
        return e;
    o.hosts = (uint32_t)hosts;
    if ((e = hy_synth_parse_span(f[4], &o.ramp_ns)) != HY_OK)
        return hy_err_set(e, "outbreak '%s': ramp: %s", spec, hy_err_detail());
    if (o.ramp_ns > o.duration_ns)
        return hy_err_set(HY_ERR_ARG, "outbreak '%s': ramp longer than the duration", spec);
    if ((e = hy_synth_fp_parse(f[5], &o.fp)) != HY_OK)
        return hy_err_set(e, "outbreak '%s': %s", spec, hy_err_detail());
    if (o.proto != 6 && (o.fp == HY_SYNTH_FP_MIRAI || o.fp == HY_SYNTH_FP_MASSCAN))
        return hy_err_set(HY_ERR_ARG, "outbreak '%s': fingerprint %s needs tcp", spec, f[5]);
    if (n == 7) {
        char *end;
        errno = 0;
        o.rate_ppm = strtod(f[6], &end);
        if (errno || end == f[6] || *end || !(o.rate_ppm > 0 && o.rate_ppm <= 600))
            return hy_err_set(HY_ERR_ARG,
                              "outbreak '%s': probes per minute must be > 0 and "
                              "<= 600",
                              spec);
    }
    *out = o;
    return HY_OK;
}

/* ---- presets */

static void add_ob(hy_synth_darknet_cfg *c, uint8_t proto, uint16_t port, double start_h,
                   double dur_h, uint32_t hosts, double ramp_min, hy_synth_fp fp, double ppm)
{
    hy_synth_darknet_outbreak *o = &c->outbreak[c->n_outbreaks++];
    o->proto = proto;
    o->port = port;
    o->start_ns = (uint64_t)(start_h * (double)HOUR_NS);
    o->duration_ns = (uint64_t)(dur_h * (double)HOUR_NS);
    o->hosts = hosts;
    o->ramp_ns = (uint64_t)(ramp_min * (double)MIN_NS);
    o->fp = fp;
    o->rate_ppm = ppm;
}

static void add_burst(hy_synth_darknet_cfg *c, hy_synth_bs_reply reply, uint16_t port,
                      double start_h, double dur_min, double pps, uint32_t victims)
{
    hy_synth_darknet_burst *b = &c->burst[c->n_bursts++];
    b->reply = reply;
    b->port = port;
    b->start_ns = (uint64_t)(start_h * (double)HOUR_NS);
    b->duration_ns = (uint64_t)(dur_min * (double)MIN_NS);
    b->rate_pps = pps;
    b->victims = victims;
}

static void add_scanner(hy_synth_darknet_cfg *c, hy_synth_fp tool, uint8_t proto, uint16_t port,
                        double start_h, double dur_min, double pps)
{
    hy_synth_darknet_scanner *s = &c->scanner[c->n_scanners++];
    s->tool = tool;
    s->proto = proto;
    s->port = port;
    s->start_ns = (uint64_t)(start_h * (double)HOUR_NS);
    s->duration_ns = (uint64_t)(dur_min * (double)MIN_NS);
    s->rate_pps = pps;
}

/* The standard set: three days at 50 packets/s of background, 1 % of it
 * from endemic Mirai bots, 4 scanners and 3 bursts a day at random. */
static const char *const standard_names[] = {
    "quiet",         "mirai-2323",   "mirai-23-busy",    "slow-445", "rare-37215",
    "zmap-6379",     "masscan-2375", "burst-5555",       "udp-5683", "small-slow-7547",
    "two-outbreaks", "slow-22",      "icmp-burst-52869",
};
#define N_STANDARD (sizeof standard_names / sizeof standard_names[0])

static void standard(unsigned i, hy_synth_darknet_cfg *c)
{
    const hy_synth_fp M = HY_SYNTH_FP_MIRAI, Z = HY_SYNTH_FP_ZMAP, S = HY_SYNTH_FP_MASSCAN,
                      N = HY_SYNTH_FP_NONE;
    c->seed = 1000 + i;
    c->duration_ns = 3 * DAY_NS;
    c->rate_pps = 50;
    c->endemic_mirai_pct = 1;
    switch (i) {
    case 1:
        add_ob(c, 6, 2323, 30, 12, 1000, 30, M, 4);
        break;
    case 2:
        add_ob(c, 6, 23, 40, 8, 120, 60, M, 2);
        break;
    case 3:
        add_ob(c, 6, 445, 20, 30, 2000, 480, N, 2);
        break;
    case 4:
        add_ob(c, 6, 37215, 50, 6, 200, 120, M, 4);
        break;
    case 5:
        add_ob(c, 6, 6379, 26, 4, 100, 20, Z, 6);
        break;
    case 6:
        add_ob(c, 6, 2375, 36, 14, 150, 360, S, 3);
        break;
    case 7: /* a Android-debug worm starting inside a SYN-flood backscatter burst */
        add_ob(c, 6, 5555, 44, 5, 500, 15, N, 4);
        add_burst(c, HY_SYNTH_BS_SYNACK, 80, 43.85, 50, 400, 2);
        break;
    case 8:
        add_ob(c, 17, 5683, 60, 8, 300, 60, N, 4);
        break;
    case 9:
        add_ob(c, 6, 7547, 12, 48, 50, 720, M, 3);
        break;
    case 10:
        add_ob(c, 6, 8291, 18, 10, 800, 180, S, 3);
        add_ob(c, 6, 23, 55, 6, 120, 20, M, 3);
        add_burst(c, HY_SYNTH_BS_RST, 443, 54.8, 40, 300, 1);
        break;
    case 11:
        add_ob(c, 6, 22, 30, 36, 1500, 960, N, 2);
        break;
    case 12:
        add_ob(c, 6, 52869, 64, 5, 250, 10, M, 4);
        add_burst(c, HY_SYNTH_BS_UNREACH, 53, 63.9, 45, 500, 1);
        break;
    default:
        break; /* quiet: no outbreak */
    }
}

/* The demo: 45 minutes, one clear Mirai-like outbreak on TCP 2323, one
 * ZMap sweep and one SYN-flood backscatter burst. */
static void demo(hy_synth_darknet_cfg *c)
{
    c->seed = 7;
    c->duration_ns = 45 * MIN_NS;
    c->rate_pps = 50;
    c->endemic_mirai_pct = 1;
    c->scanners_per_day = 0;
    c->bursts_per_day = 0;
    add_ob(c, 6, 2323, 10.0 / 60, 0.5, 300, 5, HY_SYNTH_FP_MIRAI, 6);
    add_scanner(c, HY_SYNTH_FP_ZMAP, 6, 8080, 3.0 / 60, 15, 40);
    add_burst(c, HY_SYNTH_BS_SYNACK, 443, 25.0 / 60, 6, 30, 1);
}

static const char *const sets[] = {"standard", "demo"};

const char *hy_synth_darknet_scenario_set(unsigned i)
{
    return i < sizeof sets / sizeof sets[0] ? sets[i] : NULL;
}

unsigned hy_synth_darknet_scenario_count(const char *name)
{
    if (name && strcmp(name, "standard") == 0)
        return N_STANDARD;
    if (name && strcmp(name, "demo") == 0)
        return 1;
    return 0;
}

hy_err hy_synth_darknet_scenario(const char *name, unsigned index, hy_synth_darknet_cfg *out)
{
    unsigned n = hy_synth_darknet_scenario_count(name);
    if (!out)
        return hy_err_set(HY_ERR_ARG, "synth darknet: no output configuration");
    if (n == 0)
        return hy_err_set(HY_ERR_NOTFOUND, "unknown scenario set '%s' (standard, demo)",
                          name ? name : "");
    if (index >= n)
        return hy_err_set(HY_ERR_NOTFOUND, "scenario set '%s' has indexes 0..%u, not %u", name,
                          n - 1, index);
    hy_synth_darknet_cfg_default(out);
    if (strcmp(name, "demo") == 0) {
        demo(out);
        snprintf(out->name, sizeof out->name, "demo/0");
    } else {
        standard(index, out);
        snprintf(out->name, sizeof out->name, "standard/%u %s", index, standard_names[index]);
    }
    return HY_OK;
}
