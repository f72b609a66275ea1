/* Configuration: the key table, a line parser for the file format described
 * in config.h and docs/CONFIG.md, and typed getters. Loading is all or
 * nothing: a file is applied to a copy of the values, which replaces the
 * current ones only when every line was good. */
#include "hayate/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "hayate/limits.h"

/* Keep docs/CONFIG.md and config/hayate.conf in step with this table. */
const hy_config_key hy_config_keys[] = {
    {"run.threads", HY_CFG_INT, "1", 1, 64, "decode/flow worker threads"},
    {"run.capture_share", HY_CFG_INT, "-1", -1, 50,
     "with run.threads > 1: percent of the flows the capture thread decodes and meters itself "
     "(-1: 40 / run.threads, or 0 with a live interface)"},
    {"run.tick_ms", HY_CFG_INT, "1000", 10, 60000,
     "event-time tick interval that drives flow timeouts and engine windows"},
    {"run.log_level", HY_CFG_STR, "info", 0, 0, "log level: error, warn, info or debug"},
    {"input.files", HY_CFG_LIST, "", 0, 0,
     "capture files, directories of captures, or - for stdin"},
    {"input.samples", HY_CFG_LIST, "", 0, 0,
     "files, or folders of files, for the malware engine (docs/malware.md)"},
    {"input.reports", HY_CFG_LIST, "", 0, 0,
     "threat reports, or folders of them, for the intel engine (docs/intel.md)"},
    {"input.spool", HY_CFG_LIST, "", 0, 0,
     "folders of samples watched by hayate run: each file dropped in goes to the malware engine "
     "once"},
    {"input.reports_spool", HY_CFG_LIST, "", 0, 0,
     "folders of reports watched by hayate run: each file dropped in goes to the intel engine "
     "once"},
    {"input.spool_interval", HY_CFG_INT, "2", 1, 3600,
     "seconds between scans of input.spool and input.reports_spool"},
    {"input.spool_settle", HY_CFG_INT, "1", 0, 3600,
     "seconds a spool file's size and mtime must stay unchanged before it is taken"},
    {"input.alerts", HY_CFG_LIST, "", 0, 0,
     "IDS alerts for the screen engine: eve.json / fast.log files, folders of them, or - (stdin)"},
    {"input.alerts_follow", HY_CFG_LIST, "", 0, 0,
     "growing alert files the screen engine follows like tail -F (across rotation) until stopped"},
    {"input.interface", HY_CFG_STR, "", 0, 0, "live interface to capture on"},
    {"input.bpf", HY_CFG_STR, "", 0, 0, "BPF filter applied to every input"},
    {"input.snaplen", HY_CFG_INT, "262144", 64, 262144,
     "bytes kept of each packet on live capture"},
    {"input.promisc", HY_CFG_BOOL, "true", 0, 0, "put the live interface in promiscuous mode"},
    {"flow.max", HY_CFG_INT, "1000000", 1024, 100000000,
     "flow-table cap over all workers, oldest evicted beyond"},
    {"flow.idle_timeout", HY_CFG_INT, "60", 1, 86400,
     "seconds without packets before a flow is exported"},
    {"flow.active_timeout", HY_CFG_INT, "1800", 1, 86400,
     "seconds after which a long-lived flow is exported and restarted"},
    {"flow.tcp_closed_timeout", HY_CFG_INT, "5", 0, 3600,
     "seconds a closed TCP flow lingers before export"},
    {"flow.community_id_seed", HY_CFG_INT, "0", 0, 65535, "Community ID hash seed"},
    {"flow.enabled", HY_CFG_BOOL, "true", 0, 0,
     "keep the flow table (false: no flow records, e.g. on a telescope)"},
    {"output.eve", HY_CFG_STR, "", 0, 0, "EVE JSON lines file, - for stdout, empty for none"},
    {"output.eve_flows", HY_CFG_BOOL, "false", 0, 0, "also write flow records to the EVE output"},
    {"store.path", HY_CFG_STR, "hayate.db", 0, 0, "SQLite store, empty to disable"},
    {"store.flows", HY_CFG_BOOL, "true", 0, 0, "store flow records"},
    {"store.batch", HY_CFG_INT, "512", 1, 100000, "rows per write transaction"},
    {"models.dir", HY_CFG_STR, "models", 0, 0,
     "learning engines' model versions live in DIR/ENGINE/ (docs/MODELS.md)"},
    {"sink.webhook_url", HY_CFG_STR, "", 0, 0,
     "POST each alert's EVE JSON to this http(s) URL (empty: off)"},
    {"sink.webhook_header", HY_CFG_STR, "", 0, 0,
     "one extra request header line, such as 'Authorization: Bearer x' (empty: none)"},
    {"sink.webhook_timeout_ms", HY_CFG_INT, "5000", 100, 600000,
     "webhook: connect and total time allowed for one POST, in ms"},
    {"sink.webhook_retries", HY_CFG_INT, "5", 0, 100,
     "webhook: times a POST that failed (network, timeout, 5xx, 429) is tried again"},
    {"sink.webhook_queue", HY_CFG_INT, "10000", 1, 10000000,
     "webhook: alerts held in memory; beyond, new alerts skip the webhook (still stored)"},
    {"sink.webhook_drain_ms", HY_CFG_INT, "2000", 0, 600000,
     "webhook: time allowed at shutdown to deliver what is queued, in ms"},
    {"sink.syslog_target", HY_CFG_STR, "", 0, 0,
     "syslog: local (syslog(3)), udp:HOST:PORT or unix:/PATH (RFC 5424), empty: off"},
    {"sink.syslog_facility", HY_CFG_STR, "local5", 0, 0,
     "syslog facility: user, daemon or local0..local7"},
    {"sink.syslog_ident", HY_CFG_STR, "hayate", 0, 0, "syslog APP-NAME (1..48 printable ASCII)"},
    {"serve.enabled", HY_CFG_BOOL, "true", 0, 0,
     "hayate run serves the HTTP API (docs/serve.md) while it runs, and on its own with no input"},
    {"serve.listen", HY_CFG_STR, "127.0.0.1:8080", 0, 0,
     "API address ADDR:PORT or [V6]:PORT; anything but loopback needs serve.token"},
    {"serve.token", HY_CFG_STR, "", 0, 0,
     "bearer token every API request must carry (empty: none, loopback only)"},
    {"serve.threads", HY_CFG_INT, "4", 1, 64, "API request threads"},
    {"serve.max_request", HY_CFG_INT, "65536", 16384, 67108864,
     "API request size cap in bytes (headers and body)"},
    {"serve.max_upload", HY_CFG_INT, "67108864", 65536, 1073741824,
     "bytes of a capture POSTed to /api/analyze"},
    {"serve.cors_origin", HY_CFG_STR, "", 0, 0,
     "an origin (https://soc.example) allowed to call the API from a browser; empty: none"},
    {"engines.enabled", HY_CFG_LIST, "", 0, 0, "engines to run: darknet, malware, intel, screen"},
    {"intel.attack_tables", HY_CFG_STR, "", 0, 0,
     "ATT&CK tables (TSV from `hayate intel attack-tables`); empty: the shipped "
     "data/attack/attack.tsv"},
    {"intel.model", HY_CFG_STR, "", 0, 0,
     "the sentence classifier; empty: the shipped data/attack/model.hyl; none: no technique "
     "annotation"},
    {"intel.min_confidence_pm", HY_CFG_INT, "500", 1, 1000,
     "calibrated probability, in thousandths, at which a sentence names a technique"},
    {"intel.match", HY_CFG_INT, "1", 0, 1,
     "1: flows to or from an indicator of a stored report raise intel.match"},
    {"intel.match_max", HY_CFG_INT, "1000000", 1, 100000000,
     "indicators loaded from the store for traffic matching"},
    {"intel.match_window_s", HY_CFG_INT, "3600", 0, 604800,
     "one intel.match per indicator and direction in this many seconds (0: every tick)"},
    {"screen.history", HY_CFG_INT, "10", 1, 64,
     "screen: context length N, the previous alerts of an alert's source or destination"},
    {"screen.window_s", HY_CFG_INT, "86400", 1, 31536000,
     "screen: context window; older alerts are not context"},
    {"screen.rate_s", HY_CFG_INT, "3600", 1, 31536000,
     "screen: half-life of the per-signature, per-host and per-pair decayed counts"},
    {"screen.eps_pm", HY_CFG_INT, "300", 1, 999,
     "screen: cluster radius, cosine distance between contexts, in thousandths"},
    {"screen.context", HY_CFG_STR, "category", 0, 0,
     "screen: what a context counts, category (the rules' classes) or signature"},
    {"screen.min_members", HY_CFG_INT, "3", 1, 1000000,
     "screen: members a context cluster needs before its alerts may be auto-closed"},
    {"screen.floor_pm", HY_CFG_INT, "600", 0, 1000,
     "screen: confidence, in thousandths, an inherited verdict needs; below it a human looks"},
    {"screen.escalate_pm", HY_CFG_INT, "600", 0, 1000,
     "screen: priority, in thousandths, at which an alert no verdict covers is escalated"},
    {"screen.taint_s", HY_CFG_INT, "604800", 0, 31536000,
     "screen: an internal host in an alert judged malicious escalates all its alerts this long"},
    {"screen.pos_weight", HY_CFG_INT, "50", 1, 100000,
     "screen: training weight of an attack verdict (a missed attack costs this many extra looks)"},
    {"screen.group_s", HY_CFG_INT, "3600", 1, 31536000,
     "screen: hayate run summarises auto-closed alerts per group this often (event time)"},
    {"screen.emit_closed", HY_CFG_BOOL, "false", 0, 0,
     "screen: hayate run also emits each auto-closed alert, not only its group's summary"},
    {"screen.own", HY_CFG_BOOL, "true", 0, 0,
     "screen: with the screen engine on, hayate's own alerts get evidence.screen too (in their own "
     "context)"},
    {"screen.model_high_pm", HY_CFG_INT, "500", 0, 1000,
     "screen: supervised p(attack), in thousandths, that escalates"},
    {"screen.model_low_pm", HY_CFG_INT, "0", 0, 1000,
     "screen: supervised p(attack), in thousandths, under which an alert of a formed cluster "
     "not judged yet closes (0: never)"},
    {"screen.new_pair_s", HY_CFG_INT, "86400", 0, 31536000,
     "screen: an alert whose host pair (with the service name it names) first alerted less "
     "than this ago is never auto-closed"},
    {"screen.routine_s", HY_CFG_INT, "86400", 0, 31536000,
     "screen: an alert of a formed cluster whose host pair has raised its signature for longer "
     "than this closes as routine (0: never)"},
    {"screen.vouch", HY_CFG_BOOL, "true", 0, 0,
     "screen: an analyst's benign verdict on an alert auto-closes that source's later alerts of "
     "the same signature, until the source is judged compromised"},
    {"screen.warmup", HY_CFG_INT, "2048", 16, 10000000,
     "screen: alerts seen before the first novelty model (isolation forest) is fitted"},
    {"screen.refit_s", HY_CFG_INT, "86400", 60, 31536000,
     "screen: the novelty model is refitted this often, in event time"},
    {"screen.critical", HY_CFG_LIST, "", 0, 0,
     "screen: critical networks, CIDR or CIDR=weight (0..1, default 1): asset criticality"},
    {"screen.home", HY_CFG_LIST, "", 0, 0,
     "screen: internal networks (CIDR); empty: RFC 1918, 100.64.0.0/10 and fc00::/7"},
    {"malware.yara_rules", HY_CFG_LIST, "", 0, 0,
     "folders of YARA rules (*.yar, *.yara) the malware engine scans every file with"},
    {"malware.yara_timeout_s", HY_CFG_INT, "10", 0, 3600,
     "seconds one file's YARA scan may take (0: no limit)"},
    {"malware.labels", HY_CFG_STR, "", 0, 0,
     "a file of HASH<tab>FAMILY lines (AVClass output, ground truth): families for the samples it "
     "names"},
    {"malware.threshold_pm", HY_CFG_INT, "500", 1, 1000,
     "model score, in thousandths, at which a file is malicious"},
    {"malware.suspicious_pm", HY_CFG_INT, "200", 0, 1000,
     "model score, in thousandths, at which a file is suspicious"},
    {"malware.core_distance", HY_CFG_INT, "30", 0, 1000,
     "TLSH distance of a family's tight core (closer: a known variant, no new_variant alert)"},
    {"malware.family_distance", HY_CFG_INT, "50", 1, 1000,
     "TLSH distance under which a sample joins its nearest known sample's family"},
    {"malware.index_max", HY_CFG_INT, "100000", 100, 10000000,
     "known samples (newest first) held in memory for nearest-sample search"},
    {"malware.rounds", HY_CFG_INT, "200", 1, 10000, "training: boosting rounds"},
    {"malware.max_depth", HY_CFG_INT, "8", 1, 32, "training: tree depth"},
    {"malware.eta_pm", HY_CFG_INT, "100", 1, 1000, "training: learning rate in thousandths"},
    {"darknet.prefixes", HY_CFG_LIST, "", 0, 0,
     "darknet address space: IPv4/IPv6 CIDRs, or all for a capture taken at a telescope"},
    {"darknet.bin_s", HY_CFG_INT, "60", 1, 3600, "aggregation bin in seconds"},
    {"darknet.exact_sources", HY_CFG_INT, "1024", 16, 10000000,
     "unique sources and destinations are exact up to this, then HyperLogLog"},
    {"darknet.max_sources", HY_CFG_INT, "1000000", 1000, 100000000,
     "sources tracked per bin and shard (packets of others counted as dropped)"},
    {"darknet.max_ports", HY_CFG_INT, "400000", 1000, 10000000,
     "(class, protocol, port) aggregates per bin and shard"},
    {"darknet.history_bins", HY_CFG_INT, "1440", 4, 100000,
     "bins of per-port history (a day of one-minute bins): seasonal baseline"},
    {"darknet.recent_bins", HY_CFG_INT, "60", 2, 50000,
     "bins in the recent baseline, and the warm-up before anything fires"},
    {"darknet.max_history_ports", HY_CFG_INT, "8192", 16, 1000000, "ports with per-port history"},
    {"darknet.z", HY_CFG_INT, "8", 1, 1000, "robust z-score for the change detector to fire"},
    {"darknet.min_sources", HY_CFG_INT, "10", 1, 10000000,
     "unique sources a port needs in a bin to fire"},
    {"darknet.min_ratio", HY_CFG_INT, "3", 1, 1000,
     "and this multiple of its baseline (change detector)"},
    {"darknet.new_port_sources", HY_CFG_INT, "10", 1, 10000000,
     "unique sources in a bin that make a port with no history an outbreak"},
    {"darknet.raised_ports", HY_CFG_LIST, "", 0, 0,
     "ports whose change thresholds are raised (tcp/23, udp/5683): hayate run adds those "
     "analysts marked false positive"},
    {"darknet.raise_factor", HY_CFG_INT, "4", 1, 1000,
     "a raised port's z, minimum sources and ratio are multiplied by this"},
    {"darknet.scanner_packets", HY_CFG_INT, "3000", 1, 1000000000,
     "packets in one bin that make a single source a heavy scanner"},
    {"darknet.incident_idle_bins", HY_CFG_INT, "60", 1, 100000,
     "quiet bins after which an outbreak incident closes"},
    {"darknet.glasso_hosts", HY_CFG_INT, "1000", 0, 5000,
     "graphical lasso: hosts per window, sampled by seeded hash (0: detector off)"},
    {"darknet.glasso_window_bins", HY_CFG_INT, "10", 5, 600,
     "graphical lasso: bins per window (rows are 50-second sub-windows)"},
    {"darknet.glasso_seed", HY_CFG_INT, "1", 0, 2147483647, "graphical lasso: host sampling seed"},
    {"darknet.glasso_rho_min_pct", HY_CFG_INT, "40", 1, 500, "graphical lasso: smallest rho x 100"},
    {"darknet.glasso_rho_max_pct", HY_CFG_INT, "90", 1, 500, "graphical lasso: largest rho x 100"},
    {"darknet.glasso_rho_step_pct", HY_CFG_INT, "10", 1, 500, "graphical lasso: rho step x 100"},
    {"darknet.glasso_history", HY_CFG_INT, "432", 4, 100000,
     "graphical lasso: windows of densities for the variance-ratio rule (3 days)"},
    {"darknet.glasso_min_history", HY_CFG_INT, "72", 2, 100000,
     "graphical lasso: windows of history before it fires"},
    {"darknet.glasso_port_hosts", HY_CFG_INT, "20", 1, 1000000,
     "graphical lasso: hosts on a port for attribution level 1"},
    {"darknet.glasso_port_share_pct", HY_CFG_INT, "10", 1, 100,
     "graphical lasso: share of the window's hosts for levels 1 and 2, in percent"},
    {"darknet.glasso_growth", HY_CFG_INT, "6", 1, 1000,
     "graphical lasso: a port's share must be this multiple of its usual share"},
    {"darknet.long_baseline_bins", HY_CFG_INT, "360", 0, 100000,
     "change detection: bins of input before the long baseline (the day so far) is used; 0: off"},
    {"darknet.persist_window", HY_CFG_INT, "10", 1, 32, "persistent sources: bins looked back"},
    {"darknet.persist_bins", HY_CFG_INT, "5", 1, 32,
     "persistent sources: bins of the window a source must be seen scanning a port in"},
    {"darknet.persist_new_bins", HY_CFG_INT, "360", 0, 100000,
     "persistent sources: only those first seen on the port within this many bins count (0: all)"},
    {"darknet.persist_pairs", HY_CFG_INT, "2000000", 1000, 100000000,
     "persistent sources: (source, port) pairs tracked"},
    {"darknet.nmf_hosts", HY_CFG_INT, "1000", 0, 5000,
     "Dark-NMF: hosts per window, the most active (0: detector off)"},
    {"darknet.nmf_window_bins", HY_CFG_INT, "30", 4, 32,
     "Dark-NMF: bins per window (one row each)"},
    {"darknet.nmf_step_bins", HY_CFG_INT, "10", 1, 600,
     "Dark-NMF: bins between windows (windows overlap when below the window)"},
    {"darknet.nmf_max_rank", HY_CFG_INT, "10", 1, 30,
     "Dark-NMF: ranks 1..this are fitted; the minimum description length picks one"},
    {"darknet.nmf_port_hosts", HY_CFG_INT, "20", 2, 1000000,
     "Dark-NMF: a group's hosts on a port for it to fire"},
    {"darknet.nmf_growth", HY_CFG_INT, "6", 1, 1000,
     "Dark-NMF: and this multiple of the port's usual group hosts"},
    {"darknet.nmf_min_history", HY_CFG_INT, "18", 1, 100000,
     "Dark-NMF: windows of history before it fires"},
    {NULL, 0, NULL, 0, 0, NULL},
};

/* String keys restricted to a set of words ("a|b|c"). */
static const struct {
    const char *key;
    const char *choices;
} hy__choices[] = {
    {"run.log_level", "error|warn|info|debug"},
    {"sink.syslog_facility", "user|daemon|local0|local1|local2|local3|local4|local5|local6|local7"},
};

typedef struct cfg_val {
    char *s;      /* STR */
    int64_t i;    /* INT */
    bool b;       /* BOOL */
    char **items; /* LIST, NULL-terminated once non-empty */
    size_t n;
} cfg_val;

struct hy_config {
    size_t nkeys;
    cfg_val *v;
};

typedef char msgbuf[256];

static size_t key_count(void)
{
    size_t n = 0;
    while (hy_config_keys[n].name)
        n++;
    return n;
}

static ptrdiff_t key_index(const char *name)
{
    for (size_t i = 0; hy_config_keys[i].name; i++)
        if (strcmp(hy_config_keys[i].name, name) == 0)
            return (ptrdiff_t)i;
    return -1;
}

static void val_free(cfg_val *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static void vals_free(cfg_val *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        val_free(&v[i]);
    free(v);
}

static hy_err list_append(cfg_val *v, const char *item, size_t len)
{
    char **items;
    char *copy;

    items = realloc(v->items, (v->n + 2) * sizeof *items);
    if (!items)
        return HY_ERR_NOMEM;
    v->items = items;
    copy = strndup(item, len);
    if (!copy)
        return HY_ERR_NOMEM;
    items[v->n++] = copy;
    items[v->n] = NULL;
    return HY_OK;
}

static hy_err val_copy(cfg_val *dst, const cfg_val *src)
{
    memset(dst, 0, sizeof *dst);
    dst->i = src->i;
    dst->b = src->b;
    if (src->s && !(dst->s = strdup(src->s)))
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < src->n; i++)
        if (list_append(dst, src->items[i], strlen(src->items[i])))
            return HY_ERR_NOMEM;
    return HY_OK;
}

static bool parse_int(const char *t, int64_t *out)
{
    char *end;
    long long v;

    if (!((*t >= '0' && *t <= '9') || ((*t == '-' || *t == '+') && t[1] >= '0' && t[1] <= '9')))
        return false;
    errno = 0;
    v = strtoll(t, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *t, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(t, yes[i]) == 0 || strcasecmp(t, no[i]) == 0) {
            *out = strcasecmp(t, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

static bool in_choices(const char *choices, const char *t)
{
    size_t n = strlen(t);
    for (const char *p = choices; *p;) {
        size_t w = strcspn(p, "|");
        if (w == n && strncmp(p, t, n) == 0)
            return true;
        p += w + (p[w] == '|');
    }
    return false;
}

/* Checks and stores one scalar value; on failure writes why into msg. */
static hy_err set_scalar(const hy_config_key *k, cfg_val *v, const char *t, msgbuf msg)
{
    int64_t i;
    bool b;
    char *s;

    switch (k->type) {
    case HY_CFG_INT:
        if (!parse_int(t, &i)) {
            snprintf(msg, sizeof(msgbuf), "%s: '%.40s' is not a decimal integer", k->name, t);
            return HY_ERR_CONFIG;
        }
        if (i < k->min || i > k->max) {
            snprintf(msg, sizeof(msgbuf), "%s: %lld is out of range (%lld..%lld)", k->name,
                     (long long)i, (long long)k->min, (long long)k->max);
            return HY_ERR_CONFIG;
        }
        v->i = i;
        return HY_OK;
    case HY_CFG_BOOL:
        if (!parse_bool(t, &b)) {
            snprintf(msg, sizeof(msgbuf), "%s: '%.40s' is not a boolean (true/false)", k->name, t);
            return HY_ERR_CONFIG;
        }
        v->b = b;
        return HY_OK;
    case HY_CFG_STR:
        for (size_t c = 0; c < sizeof hy__choices / sizeof hy__choices[0]; c++) {
            if (strcmp(hy__choices[c].key, k->name) == 0 &&
                !in_choices(hy__choices[c].choices, t)) {
                snprintf(msg, sizeof(msgbuf), "%s: '%.40s' is not one of %s", k->name, t,
                         hy__choices[c].choices);
                return HY_ERR_CONFIG;
            }
        }
        if (!(s = strdup(t)))
            return HY_ERR_NOMEM;
        free(v->s);
        v->s = s;
        return HY_OK;
    default:
        snprintf(msg, sizeof(msgbuf), "%s: not a scalar key", k->name);
        return HY_ERR_INTERNAL;
    }
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Replaces a list with the comma-separated items of t (trimmed; empty items
 * are dropped). No quoting: this is the form flags use. */
static hy_err set_list_plain(cfg_val *v, const char *t)
{
    cfg_val nv = {0};
    hy_err err = HY_OK;

    while (*t) {
        size_t w = strcspn(t, ",");
        size_t a = 0, b = w;
        while (a < b && is_space(t[a]))
            a++;
        while (b > a && is_space(t[b - 1]))
            b--;
        if (b > a && (err = list_append(&nv, t + a, b - a)) != HY_OK)
            break;
        t += w + (t[w] == ',');
    }
    if (err) {
        val_free(&nv);
        return err;
    }
    val_free(v);
    *v = nv;
    return HY_OK;
}

static hy_err cfg_set(cfg_val *vals, const char *key, const char *value, msgbuf msg)
{
    ptrdiff_t i = key_index(key);
    const hy_config_key *k;
    cfg_val nv = {0};
    hy_err err;

    if (i < 0) {
        snprintf(msg, sizeof(msgbuf), "unknown key '%.64s'", key);
        return HY_ERR_CONFIG;
    }
    k = &hy_config_keys[i];
    if (k->type == HY_CFG_LIST) {
        err = set_list_plain(&vals[i], value);
        if (err)
            snprintf(msg, sizeof(msgbuf), "%s: out of memory", key);
        return err;
    }
    err = set_scalar(k, &nv, value, msg);
    if (err)
        return err;
    val_free(&vals[i]);
    vals[i] = nv;
    return HY_OK;
}

static hy_err vals_defaults(cfg_val **out, size_t n)
{
    cfg_val *v = calloc(n, sizeof *v);
    msgbuf msg;

    if (!v)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (cfg_set(v, hy_config_keys[i].name, hy_config_keys[i].def, msg) != HY_OK) {
            vals_free(v, n);
            return hy_err_set(HY_ERR_INTERNAL, "config: bad default: %s", msg);
        }
    }
    *out = v;
    return HY_OK;
}

hy_err hy_config_create(hy_config **out)
{
    hy_config *c = calloc(1, sizeof *c);
    hy_err err;

    if (!c)
        return hy_err_set(HY_ERR_NOMEM, "config: out of memory");
    c->nkeys = key_count();
    err = vals_defaults(&c->v, c->nkeys);
    if (err) {
        free(c);
        return err == HY_ERR_NOMEM ? hy_err_set(err, "config: out of memory") : err;
    }
    *out = c;
    return HY_OK;
}

void hy_config_destroy(hy_config *c)
{
    if (!c)
        return;
    vals_free(c->v, c->nkeys);
    free(c);
}

hy_err hy_config_set(hy_config *c, const char *key, const char *value)
{
    msgbuf msg = "";
    hy_err err;

    if (!key || !value)
        return hy_err_set(HY_ERR_ARG, "config: NULL key or value");
    err = cfg_set(c->v, key, value, msg);
    if (err == HY_ERR_NOMEM)
        return hy_err_set(err, "config: out of memory");
    if (err)
        return hy_err_set(err, "%s", msg);
    return HY_OK;
}

/* ---- file parsing ---- */

/* Parser state while reading one text. */
typedef struct parse_ctx {
    cfg_val *vals;
    char section[64]; /* "" before the first header */
    msgbuf msg;
} parse_ctx;

#define PARSE_FAIL(ctx, ...)                                                                       \
    do {                                                                                           \
        snprintf((ctx)->msg, sizeof(msgbuf), __VA_ARGS__);                                         \
        return HY_ERR_CONFIG;                                                                      \
    } while (0)

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static const char *skip_space(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/* True at the end of the line or at a comment (p follows whitespace). */
static bool at_end(const char *p)
{
    return *p == '\0' || *p == '#';
}

static bool section_known(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; hy_config_keys[i].name; i++)
        if (strncmp(hy_config_keys[i].name, s, n) == 0 && hy_config_keys[i].name[n] == '.')
            return true;
    return false;
}

static hy_err parse_section(parse_ctx *ctx, const char *p)
{
    const char *a = skip_space(p + 1), *b = a;
    size_t n;

    while (is_name_char(*b))
        b++;
    n = (size_t)(b - a);
    p = skip_space(b);
    if (*p != ']' || n == 0)
        PARSE_FAIL(ctx, "bad section header (expected [name])");
    if (!at_end(skip_space(p + 1)))
        PARSE_FAIL(ctx, "unexpected text after section header");
    if (n >= sizeof ctx->section)
        PARSE_FAIL(ctx, "unknown section '%.40s'", a);
    memcpy(ctx->section, a, n);
    ctx->section[n] = '\0';
    if (!section_known(ctx->section))
        PARSE_FAIL(ctx, "unknown section '%s'", ctx->section);
    return HY_OK;
}

/* Reads a double-quoted string at *pp (which points at the quote) into out,
 * unescaping \" and \\. out has room for the whole line. */
static hy_err parse_quoted(parse_ctx *ctx, const char **pp, char *out)
{
    const char *p = *pp + 1;
    size_t n = 0;

    for (; *p != '"'; p++) {
        if (*p == '\0')
            PARSE_FAIL(ctx, "unterminated quoted value");
        if (*p == '\\') {
            p++;
            if (*p != '"' && *p != '\\')
                PARSE_FAIL(ctx, "bad escape in quoted value (only \\\" and \\\\)");
        }
        out[n++] = *p;
    }
    out[n] = '\0';
    *pp = p + 1;
    return HY_OK;
}

/* Reads one value (quoted, or bare up to a stop character, whitespace-'#'
 * comment or the end of the line; trimmed) into out. */
static hy_err parse_item(parse_ctx *ctx, const char **pp, const char *stop, char *out)
{
    const char *p = skip_space(*pp);
    size_t n = 0;

    if (*p == '"') {
        if (parse_quoted(ctx, &p, out))
            return HY_ERR_CONFIG;
        *pp = skip_space(p);
        return HY_OK;
    }
    while (*p && !strchr(stop, *p) && !(*p == '#' && (n == 0 || is_space(p[-1]))))
        out[n++] = *p++;
    while (n > 0 && is_space(out[n - 1]))
        n--;
    out[n] = '\0';
    *pp = p;
    return HY_OK;
}

static hy_err parse_value(parse_ctx *ctx, ptrdiff_t ki, const char *p, char *tmp)
{
    const hy_config_key *k = &hy_config_keys[ki];
    cfg_val *v = &ctx->vals[ki];
    hy_err err;

    if (k->type != HY_CFG_LIST) {
        if (parse_item(ctx, &p, "", tmp))
            return HY_ERR_CONFIG;
        if (!at_end(p))
            PARSE_FAIL(ctx, "%s: unexpected text after quoted value", k->name);
        err = set_scalar(k, v, tmp, ctx->msg);
        if (err == HY_ERR_NOMEM)
            PARSE_FAIL(ctx, "out of memory");
        return err;
    }
    for (;;) {
        if (parse_item(ctx, &p, ",", tmp))
            return HY_ERR_CONFIG;
        if (*tmp && list_append(v, tmp, strlen(tmp)))
            PARSE_FAIL(ctx, "out of memory");
        if (*p == ',') {
            p++;
            continue;
        }
        if (!at_end(p))
            PARSE_FAIL(ctx, "%s: unexpected text after quoted item", k->name);
        return HY_OK;
    }
}

/* Parses one line (NUL-terminated, no newline); tmp holds a line's worth. */
static hy_err parse_line(parse_ctx *ctx, const char *line, char *tmp)
{
    const char *p = skip_space(line), *kend;
    char full[160];
    ptrdiff_t ki;
    size_t klen;

    if (at_end(p))
        return HY_OK;
    if (*p == '[')
        return parse_section(ctx, p);
    for (kend = p; is_name_char(*kend) || *kend == '.'; kend++)
        ;
    klen = (size_t)(kend - p);
    if (klen == 0 || *skip_space(kend) != '=')
        PARSE_FAIL(ctx, "expected 'key = value'");
    if (memchr(p, '.', klen) || !ctx->section[0]) {
        if (!memchr(p, '.', klen))
            PARSE_FAIL(ctx, "key '%.*s' outside a section (write section.key)", (int)klen, p);
        snprintf(full, sizeof full, "%.*s", (int)(klen < 100 ? klen : 100), p);
    } else {
        snprintf(full, sizeof full, "%s.%.*s", ctx->section, (int)(klen < 90 ? klen : 90), p);
    }
    ki = klen < 90 ? key_index(full) : -1;
    if (ki < 0)
        PARSE_FAIL(ctx, "unknown key '%s'", full);
    return parse_value(ctx, ki, skip_space(kend) + 1, tmp);
}

/* Rejects NUL, control characters other than tab, and invalid UTF-8. */
static hy_err check_bytes(parse_ctx *ctx, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        int seq = hy_utf8_seq(p, n, i);
        if (seq < 0)
            PARSE_FAIL(ctx, "invalid UTF-8 at column %zu", i + 1);
        if (p[i] == 0)
            PARSE_FAIL(ctx, "NUL byte at column %zu", i + 1);
        if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
            PARSE_FAIL(ctx, "control character 0x%02x at column %zu", p[i], i + 1);
        i += (size_t)seq;
    }
    return HY_OK;
}

static hy_err parse_all(parse_ctx *ctx, const char *name, const uint8_t *text, size_t len)
{
    static const uint8_t bom[3] = {0xEF, 0xBB, 0xBF};
    char *line = NULL, *tmp = NULL;
    size_t off = 0, lineno = 0;
    hy_err err = HY_OK;

    if (len >= 3 && memcmp(text, bom, 3) == 0)
        off = 3;
    line = malloc(HY_MAX_CONFIG_LINE + 1);
    tmp = malloc(HY_MAX_CONFIG_LINE + 1);
    if (!line || !tmp) {
        err = hy_err_set(HY_ERR_NOMEM, "config: out of memory");
        goto out;
    }
    while (off < len) {
        const uint8_t *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
        size_t next = off + n + (nl ? 1 : 0);

        lineno++;
        if (n && text[off + n - 1] == '\r')
            n--;
        if (n > HY_MAX_CONFIG_LINE) {
            snprintf(ctx->msg, sizeof(msgbuf), "line longer than %u bytes", HY_MAX_CONFIG_LINE);
            err = HY_ERR_CONFIG;
        } else if (!(err = check_bytes(ctx, text + off, n))) {
            memcpy(line, text + off, n);
            line[n] = '\0';
            err = parse_line(ctx, line, tmp);
        }
        if (err) {
            err = hy_err_set(err == HY_ERR_NOMEM ? err : HY_ERR_CONFIG, "%s:%zu: %s", name, lineno,
                             ctx->msg);
            goto out;
        }
        off = next;
    }
out:
    free(line);
    free(tmp);
    return err;
}

hy_err hy_config_parse(hy_config *c, const char *name, const char *text, size_t len)
{
    parse_ctx ctx = {0};
    hy_err err = HY_OK;

    if (!name)
        name = "(config)";
    if (!text && len)
        return hy_err_set(HY_ERR_ARG, "%s: NULL text", name);
    if (len > HY_MAX_CONFIG_BYTES)
        return hy_err_set(HY_ERR_CONFIG, "%s: file larger than %u bytes", name,
                          HY_MAX_CONFIG_BYTES);
    ctx.vals = calloc(c->nkeys, sizeof *ctx.vals);
    if (!ctx.vals)
        return hy_err_set(HY_ERR_NOMEM, "config: out of memory");
    for (size_t i = 0; i < c->nkeys; i++) {
        if (val_copy(&ctx.vals[i], &c->v[i])) {
            err = hy_err_set(HY_ERR_NOMEM, "config: out of memory");
            goto out;
        }
    }
    if (len)
        err = parse_all(&ctx, name, (const uint8_t *)text, len);
    if (!err) { /* commit */
        cfg_val *old = c->v;
        c->v = ctx.vals;
        ctx.vals = old;
    }
out:
    vals_free(ctx.vals, c->nkeys);
    return err;
}

hy_err hy_config_load(hy_config *c, const char *path)
{
    FILE *f = NULL;
    char *text = NULL;
    size_t n;
    hy_err err;

    if (!path)
        return hy_err_set(HY_ERR_ARG, "config: NULL path");
    f = fopen(path, "rb");
    if (!f)
        return hy_err_set(errno == ENOENT ? HY_ERR_NOTFOUND : HY_ERR_IO, "%s: %s", path,
                          strerror(errno));
    text = malloc(HY_MAX_CONFIG_BYTES + 1);
    if (!text) {
        err = hy_err_set(HY_ERR_NOMEM, "config: out of memory");
        goto out;
    }
    /* Read one byte past the cap so an oversized file is detected. */
    n = fread(text, 1, HY_MAX_CONFIG_BYTES + 1, f);
    if (ferror(f)) {
        err = hy_err_set(HY_ERR_IO, "%s: read error", path);
        goto out;
    }
    err = hy_config_parse(c, path, text, n);
out:
    free(text);
    fclose(f);
    return err;
}

/* ---- getters ---- */

static const cfg_val *get(const hy_config *c, const char *key, hy_config_type type)
{
    ptrdiff_t i = key ? key_index(key) : -1;
    if (i < 0 || hy_config_keys[i].type != type)
        return NULL;
    return &c->v[i];
}

const char *hy_config_str(const hy_config *c, const char *key)
{
    const cfg_val *v = get(c, key, HY_CFG_STR);
    return v && v->s ? v->s : "";
}

int64_t hy_config_int(const hy_config *c, const char *key)
{
    const cfg_val *v = get(c, key, HY_CFG_INT);
    return v ? v->i : 0;
}

bool hy_config_bool(const hy_config *c, const char *key)
{
    const cfg_val *v = get(c, key, HY_CFG_BOOL);
    return v ? v->b : false;
}

const char *const *hy_config_list(const hy_config *c, const char *key, size_t *n)
{
    static const char *const empty[1] = {NULL};
    const cfg_val *v = get(c, key, HY_CFG_LIST);

    if (n)
        *n = v ? v->n : 0;
    return v && v->n ? (const char *const *)v->items : empty;
}

hy_err hy_config_append(hy_config *c, const char *key, const char *item)
{
    ptrdiff_t i = key ? key_index(key) : -1;
    if (i < 0 || hy_config_keys[i].type != HY_CFG_LIST || !item)
        return hy_err_set(HY_ERR_CONFIG, "config: %s is not a list key", key ? key : "(null)");
    if (!*item)
        return hy_err_set(HY_ERR_CONFIG, "config: %s: empty item", key);
    return list_append(&c->v[i], item, strlen(item));
}
