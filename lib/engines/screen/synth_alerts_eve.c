/* `hayate synth alerts`: writing alerts as Suricata EVE JSON lines (with
 * http, dns or tls context dressed from the signature's hints) and their
 * truth, through buffers flushed every megabyte. */
#include <string.h>

#include "hayate/json.h"
#include "synth_alerts_int.h"

#define FLUSH_BYTES (1u << 20)
#define N_BROWSERS  5 /* the first entries of hy__sa_browser_ua */

const char *const hy__sa_cat_name[C__COUNT] = {
    [C_NOTSUSP] = "Not Suspicious Traffic",
    [C_UNKNOWN] = "Unknown Traffic",
    [C_ATTLEAK] = "Attempted Information Leak",
    [C_INFOLEAK] = "Information Leak",
    [C_LARGELEAK] = "Large Scale Information Leak",
    [C_ATTDOS] = "Attempted Denial of Service",
    [C_ATTUSER] = "Attempted User Privilege Gain",
    [C_ATTADMIN] = "Attempted Administrator Privilege Gain",
    [C_RPC] = "Decode of an RPC Query",
    [C_EXEC] = "Executable code was detected",
    [C_SUSPSTR] = "A suspicious string was detected",
    [C_SUSPFILE] = "A suspicious filename was detected",
    [C_BADLOGIN] = "An attempted login using a suspicious username was detected",
    [C_TROJAN] = "A Network Trojan was detected",
    [C_UNUSUALPORT] = "A client was using an unusual port",
    [C_SCAN] = "Detection of a Network Scan",
    [C_NONSTD] = "Detection of a non-standard protocol or event",
    [C_DECODE] = "Generic Protocol Command Decode",
    [C_WEBVULN] = "access to a potentially vulnerable web application",
    [C_WEBATK] = "Web Application Attack",
    [C_MISC] = "Misc activity",
    [C_MISCATK] = "Misc Attack",
    [C_ICMP] = "Generic ICMP event",
    [C_POLV] = "Potential Corporate Privacy Violation",
    [C_DEFLOGIN] = "Attempt to login by a default username and password",
    [C_BAD] = "Potentially Bad Traffic",
    [C_EXTIP] = "Device Retrieving External IP Address Detected",
    [C_C2DOM] = "Domain Observed Used for C2 Detected",
    [C_PUP] = "Possibly Unwanted Program Detected",
    [C_SOCENG] = "Possible Social Engineering Attempted",
    [C_MINING] = "Crypto Currency Mining Activity Detected",
    [C_C2] = "Malware Command and Control Activity Detected",
};

/* classification.config priorities, 4 folded into 3. */
const uint8_t hy__sa_cat_prio[C__COUNT] = {
    [C_NOTSUSP] = 3, [C_UNKNOWN] = 3,  [C_ATTLEAK] = 2,  [C_INFOLEAK] = 2, [C_LARGELEAK] = 2,
    [C_ATTDOS] = 2,  [C_ATTUSER] = 1,  [C_ATTADMIN] = 1, [C_RPC] = 2,      [C_EXEC] = 1,
    [C_SUSPSTR] = 3, [C_SUSPFILE] = 2, [C_BADLOGIN] = 2, [C_TROJAN] = 1,   [C_UNUSUALPORT] = 2,
    [C_SCAN] = 3,    [C_NONSTD] = 2,   [C_DECODE] = 3,   [C_WEBVULN] = 2,  [C_WEBATK] = 1,
    [C_MISC] = 3,    [C_MISCATK] = 2,  [C_ICMP] = 3,     [C_POLV] = 1,     [C_DEFLOGIN] = 2,
    [C_BAD] = 2,     [C_EXTIP] = 2,    [C_C2DOM] = 1,    [C_PUP] = 2,      [C_SOCENG] = 2,
    [C_MINING] = 2,  [C_C2] = 1,
};

const char *const hy__sa_app_name[A__COUNT] = {
    [A_NONE] = NULL,   [A_HTTP] = "http",     [A_TLS] = "tls",   [A_DNS] = "dns", [A_SMB] = "smb",
    [A_SSH] = "ssh",   [A_NTP] = "ntp",       [A_SMTP] = "smtp", [A_FTP] = "ftp", [A_RDP] = "rdp",
    [A_KRB5] = "krb5", [A_DCERPC] = "dcerpc", [A_SNMP] = "snmp", [A_SIP] = "sip", [A_LDAP] = "ldap",
    [A_DHCP] = "dhcp", [A_FAILED] = "failed",
};

const char *const hy__sa_browser_ua[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.3 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/121.0.0.0 Safari/537.36",
    "Microsoft-Delivery-Optimization/10.0",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)",
};
const uint32_t hy__sa_n_browser_ua = sizeof hy__sa_browser_ua / sizeof hy__sa_browser_ua[0];

const char *const hy__sa_sites[] = {
    "www.bbc.co.uk",           "news.ycombinator.com",      "www.wikipedia.org",
    "cdn.jsdelivr.net",        "fonts.gstatic.com",         "www.linkedin.com",
    "outlook.office365.com",   "login.microsoftonline.com", "www.salesforce.com",
    "static.zdassets.com",     "cdn.shopify.com",           "www.weather.example",
    "portal.supplier-net.com", "intranet.partner-firm.com", "updates.vendortools.net",
    "api.travelbook.example",
};
const uint32_t hy__sa_n_sites = sizeof hy__sa_sites / sizeof hy__sa_sites[0];

const char *const hy__sa_issuers[] = {
    "C=US, O=Let's Encrypt, CN=R3",
    "C=US, O=DigiCert Inc, CN=DigiCert TLS RSA SHA256 2020 CA1",
    "C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 07",
    "C=US, O=Google Trust Services LLC, CN=GTS CA 1C3",
    ("C=GB, ST=Greater Manchester, L=Salford, O=Sectigo Limited, CN=Sectigo RSA Domain "
     "Validation Secure Server CA"),
    "C=US, O=Amazon, CN=Amazon RSA 2048 M02",
};
const uint32_t hy__sa_n_issuers = sizeof hy__sa_issuers / sizeof hy__sa_issuers[0];

const char *const hy__sa_c2_domains[] = {
    "cdn-static-####.com",   "update-check-##.net",  "msoffice-telemetry.org",
    "cloud-sync-####.info",  "api.metrics-####.io",  "img.fastcdn-##.net",
    "login-verify-####.com", "status.edge-####.app", "assets.jscdn-####.org",
};
const uint32_t hy__sa_n_c2_domains = sizeof hy__sa_c2_domains / sizeof hy__sa_c2_domains[0];

size_t hy__sa_ip(uint32_t ip, char *out)
{
    char *p = out;
    for (int i = 3; i >= 0; i--) {
        unsigned o = (ip >> (8 * i)) & 0xff;
        if (o >= 100)
            *p++ = (char)('0' + o / 100);
        if (o >= 10)
            *p++ = (char)('0' + o / 10 % 10);
        *p++ = (char)('0' + o % 10);
        if (i)
            *p++ = '.';
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t hy__sa_hint(const char *hint, uint64_t seed, uint32_t ip, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    uint32_t alts = 1, k;
    const char *p, *e;
    size_t n = 0;
    sa_rng r = {seed};

    out[0] = '\0';
    if (!hint || !*hint || cap < 17)
        return 0;
    for (p = hint; *p; p++)
        alts += *p == '|';
    k = sa_below(&r, alts);
    for (p = hint; k; p++)
        k -= *p == '|';
    e = strchr(p, '|');
    if (!e)
        e = p + strlen(p);
    if (e - p == 1 && *p == '@')
        return hy__sa_ip(ip, out);
    for (uint64_t bits = sa_next(&r), used = 0; p < e && n + 1 < cap; p++) {
        if (*p != '#') {
            out[n++] = *p;
            continue;
        }
        if (used == 16) {
            bits = sa_next(&r);
            used = 0;
        }
        out[n++] = hex[(bits >> (4 * used++)) & 15];
    }
    out[n] = '\0';
    return n;
}

static const char *const site_paths[] = {
    "/",
    "/index.html",
    "/api/v1/items?page=#",
    "/assets/app.########.js",
    "/images/banner-###.png",
    "/search?q=######",
    "/news/2024/03/#####.html",
    "/static/css/main.####.css",
};

typedef struct flowsz {
    uint64_t ps, pc, bs, bc, dur;
} flowsz;

static uint64_t between(sa_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + (uint64_t)(sa_unif(r) * (double)(hi - lo + 1));
}

static void flow_size(const sa_ev *e, flowsz *f)
{
    sa_rng r = {e->rnd ^ 0xf10f};
    switch (e->size) {
    case SZ_PROBE:
        f->ps = between(&r, 1, 2);
        f->pc = between(&r, 0, 1);
        f->bs = f->ps * 60;
        f->bc = f->pc * 54;
        f->dur = between(&r, 0, 3000000);
        break;
    case SZ_DNS:
        f->ps = 1;
        f->pc = between(&r, 0, 1);
        f->bs = between(&r, 70, 140);
        f->bc = f->pc * between(&r, 90, 480);
        f->dur = between(&r, 0, 40000000);
        break;
    case SZ_BEACON: /* implants send about the same every time */
        f->ps = between(&r, 6, 8);
        f->pc = between(&r, 5, 7);
        f->bs = between(&r, 940, 1060);
        f->bc = between(&r, 1480, 1640);
        f->dur = between(&r, 150000000, 420000000);
        break;
    case SZ_UPLOAD:
        f->ps = between(&r, 2000, 60000);
        f->pc = f->ps / 2 + between(&r, 0, 100);
        f->bs = f->ps * between(&r, 1200, 1448);
        f->bc = f->pc * 66;
        f->dur = between(&r, 30, 600) * 1000000000ull;
        break;
    case SZ_BULK:
        f->ps = between(&r, 10000, 900000);
        f->pc = f->ps / 2;
        f->bs = f->ps * 1448;
        f->bc = f->pc * 66;
        f->dur = between(&r, 60, 3600) * 1000000000ull;
        break;
    case SZ_WEB:
        f->ps = between(&r, 4, 40);
        f->pc = between(&r, 4, 90);
        f->bs = f->ps * between(&r, 100, 600);
        f->bc = f->pc * between(&r, 300, 1400);
        f->dur = between(&r, 20000000, 20000000000ull);
        break;
    default:
        f->ps = between(&r, 2, 6);
        f->pc = between(&r, 1, 5);
        f->bs = f->ps * between(&r, 60, 300);
        f->bc = f->pc * between(&r, 60, 600);
        f->dur = between(&r, 1000000, 500000000);
        break;
    }
}

static const sa_camp *camp_of(const sa_ctx *c, const sa_ev *e)
{
    return e->camp ? &c->camp[e->camp - 1] : NULL;
}

/* The name a client asked for: the hint, the campaign's C2, or a site. */
static void server_name(const sa_ctx *c, const sa_ev *e, const sa_sig *s, uint64_t seed, char *out,
                        size_t cap)
{
    const sa_camp *k = camp_of(c, e);
    if (s->host)
        hy__sa_hint(s->host, seed, e->dst, out, cap);
    else if (k)
        hy__sa_hint(k->domain, 0, 0, out, cap);
    else
        hy__sa_hint(hy__sa_sites[e->cseed % hy__sa_n_sites], seed, 0, out, cap);
}

static const char *browser_ua(uint32_t client)
{
    return hy__sa_browser_ua[sa_hash(client, 0x0a) % N_BROWSERS];
}

static int http_status(const sa_ev *e, const sa_sig *s)
{
    static const int probe[10] = {404, 404, 404, 404, 404, 404, 403, 400, 200, 301};
    static const int other[4] = {304, 301, 404, 204};
    if (s->flags & F_TOCLIENT)
        return 200;
    if (e->cls == HY_SA_BACKGROUND || e->cls == HY_SA_SCANNER || e->stage == HY_SA_RECON)
        return probe[e->rnd % 10];
    if (e->stage == HY_SA_EXPLOIT && e->src != e->host) /* inbound: mostly works */
        return e->rnd % 5 ? 200 : 500;
    return e->rnd % 20 ? 200 : other[e->rnd / 20 % 4];
}

static void dress_http(const sa_ctx *c, hy_json *j, const sa_ev *e, const sa_sig *s,
                       const flowsz *f)
{
    const sa_camp *k = camp_of(c, e);
    char host[128], url[512], ua[256];
    const char *method = "GET", *u = url;
    uint64_t useed = k ? e->cseed : e->rnd; /* benign URLs vary, beacons do not */
    int status = http_status(e, s);

    server_name(c, e, s, e->cseed, host, sizeof host);
    hy__sa_hint(s->url ? s->url
                : k    ? k->path
                       : site_paths[e->rnd % 8],
                useed, e->dst, url, sizeof url);
    if (strncmp(url, "POST ", 5) == 0) {
        method = "POST";
        u = url + 5;
    }
    if (s->aux)
        hy__sa_hint(s->aux, e->cseed, e->dst, ua, sizeof ua);
    else
        hy__sa_hint(k ? hy__sa_browser_ua[k->ua] : browser_ua(e->src), 0, 0, ua, sizeof ua);
    hy_json_key(j, "http");
    hy_json_obj_open(j);
    hy_json_kstr(j, "hostname", host);
    hy_json_kstr(j, "url", u);
    if (strcmp(ua, "-") != 0)
        hy_json_kstr(j, "http_user_agent", ua);
    hy_json_kstr(j, "http_method", method);
    hy_json_kstr(j, "protocol", "HTTP/1.1");
    hy_json_kint(j, "status", status);
    hy_json_kuint(j, "length", status == 200 ? f->bc - f->bc / 10 : 120 + e->rnd % 1100);
    hy_json_obj_close(j);
}

static void dress_tls(const sa_ctx *c, hy_json *j, const sa_ev *e, const sa_sig *s)
{
    const sa_camp *k = camp_of(c, e);
    char sni[128], ver[24], iss[192], sub[200], ja3[33];
    uint64_t key, a, b;
    bool by_ip;

    server_name(c, e, s, e->cseed, sni, sizeof sni);
    by_ip = s->host && strcmp(s->host, "@") == 0;
    if (s->url)
        hy__sa_hint(s->url, 0, 0, ver, sizeof ver);
    else
        strcpy(ver, s->aux || sa_hash(e->cseed, 0x7152) % 100 >= 65 ? "TLS 1.2" : "TLS 1.3");
    if (k)
        key = k->blend ? sa_hash(0x1a3b, sa_hash(e->src, 0x0a) % N_BROWSERS)
                       : sa_hash(k->seed, 0x1a3);
    else
        key = (e->cseed & 7) < 6 ? sa_hash(0x1a3b, sa_hash(e->src, 0x0a) % N_BROWSERS)
                                 : sa_hash(s->sid, 0x1a3);
    a = sa_mix(key);
    b = sa_mix(key ^ 0x3a3);
    for (int i = 0; i < 16; i++) {
        ja3[i] = "0123456789abcdef"[a >> (4 * i) & 15];
        ja3[16 + i] = "0123456789abcdef"[b >> (4 * i) & 15];
    }
    ja3[32] = '\0';
    hy_json_key(j, "tls");
    hy_json_obj_open(j);
    if (strcmp(ver, "TLS 1.3") != 0) { /* certificates are encrypted in 1.3 */
        if (s->aux)
            hy__sa_hint(s->aux, e->cseed, e->dst, iss, sizeof iss);
        else
            hy__sa_hint(hy__sa_issuers[e->cseed % hy__sa_n_issuers], 0, 0, iss, sizeof iss);
        if (by_ip)
            memcpy(sub, iss, sizeof iss);
        else
            snprintf(sub, sizeof sub, "CN=%s", sni);
        hy_json_kstr(j, "subject", sub);
        hy_json_kstr(j, "issuerdn", iss);
    }
    if (!by_ip)
        hy_json_kstr(j, "sni", sni);
    hy_json_kstr(j, "version", ver);
    hy_json_key(j, "ja3");
    hy_json_obj_open(j);
    hy_json_kstr(j, "hash", ja3);
    hy_json_obj_close(j);
    hy_json_obj_close(j);
}

static void dress_dns(const sa_ctx *c, hy_json *j, const sa_ev *e, const sa_sig *s)
{
    const sa_camp *k = camp_of(c, e);
    char name[192], type[24];
    bool tunnel = (s->flags & F_EXFIL) || (s->url && strcmp(s->url, "TXT") == 0);

    if (k && tunnel) { /* the campaign's own tunnel: fresh labels every query */
        sa_rng r = {e->rnd};
        size_t n =
            hy__sa_hint("################################.", sa_next(&r), 0, name, sizeof name);
        hy__sa_hint(k->domain, 0, 0, name + n, sizeof name - n);
    } else {
        server_name(c, e, s, tunnel ? e->rnd : e->cseed, name, sizeof name);
    }
    if (s->url)
        hy__sa_hint(s->url, 0, 0, type, sizeof type);
    else
        strcpy(type, e->rnd % 5 ? "A" : "AAAA");
    hy_json_key(j, "dns");
    hy_json_obj_open(j);
    hy_json_kstr(j, "type", s->flags & F_TOCLIENT ? "answer" : "query");
    hy_json_kuint(j, "id", e->rnd >> 16 & 0xffff);
    hy_json_kstr(j, "rrname", name);
    hy_json_kstr(j, "rrtype", type);
    hy_json_kuint(j, "tx_id", 0);
    hy_json_obj_close(j);
}

static void put_ip(hy_json *j, const char *key, uint32_t ip)
{
    char b[16];
    hy__sa_ip(ip, b);
    hy_json_kstr(j, key, b);
}

static bool in_dmz(uint32_t ip)
{
    return (ip & 0xffffff00u) == IP4(10, 0, 2, 0);
}

static void put_alert(hy_json *j, const sa_sig *s)
{
    hy_json_key(j, "alert");
    hy_json_obj_open(j);
    hy_json_kstr(j, "action", "allowed");
    hy_json_kuint(j, "gid", 1);
    hy_json_kuint(j, "signature_id", s->sid);
    hy_json_kuint(j, "rev", s->rev);
    hy_json_kstr(j, "signature", s->name);
    hy_json_kstr(j, "category", hy__sa_cat_name[s->cat]);
    hy_json_kuint(j, "severity", hy__sa_cat_prio[s->cat]);
    hy_json_obj_close(j);
}

static void put_eve(const sa_ctx *c, hy_json *j, const sa_ev *e)
{
    const sa_sig *s = &hy__sa_sigs[e->sig];
    bool rev = s->flags & F_TOCLIENT;
    const char *proto = s->proto == 6 ? "TCP" : s->proto == 17 ? "UDP" : "ICMP";
    flowsz f;

    flow_size(e, &f);
    hy_json_obj_open(j);
    hy_json_key(j, "timestamp");
    hy_json_time(j, e->ts);
    hy_json_kuint(j, "flow_id", sa_mix(e->rnd ^ 0xf1) & ((1ull << 52) - 1));
    hy_json_kstr(j, "in_iface", in_dmz(e->src) || in_dmz(e->dst) ? "ens1f1" : "ens1f0");
    hy_json_kstr(j, "event_type", "alert");
    put_ip(j, "src_ip", rev ? e->dst : e->src);
    if (s->proto != 1)
        hy_json_kuint(j, "src_port", rev ? e->dport : e->sport);
    put_ip(j, "dest_ip", rev ? e->src : e->dst);
    if (s->proto != 1)
        hy_json_kuint(j, "dest_port", rev ? e->sport : e->dport);
    hy_json_kstr(j, "proto", proto);
    if (s->proto == 1) {
        hy_json_kuint(j, "icmp_type", 8);
        hy_json_kuint(j, "icmp_code", 0);
    }
    if (s->app == A_HTTP || s->app == A_TLS || s->app == A_DNS)
        hy_json_kuint(j, "tx_id", 0);
    put_alert(j, s);
    if (s->app == A_HTTP)
        dress_http(c, j, e, s, &f);
    else if (s->app == A_TLS)
        dress_tls(c, j, e, s);
    else if (s->app == A_DNS)
        dress_dns(c, j, e, s);
    if (hy__sa_app_name[s->app])
        hy_json_kstr(j, "app_proto", hy__sa_app_name[s->app]);
    hy_json_key(j, "flow");
    hy_json_obj_open(j);
    hy_json_kuint(j, "pkts_toserver", f.ps);
    hy_json_kuint(j, "pkts_toclient", f.pc);
    hy_json_kuint(j, "bytes_toserver", f.bs);
    hy_json_kuint(j, "bytes_toclient", f.bc);
    hy_json_key(j, "start");
    hy_json_time(j, e->ts > f.dur ? e->ts - f.dur : 0);
    hy_json_obj_close(j);
    hy_json_obj_close(j);
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* One truth line, formatted by hand: printf would double the run time. */
static hy_err put_truth(sa_ctx *c, const sa_ev *e)
{
    const char *label = e->cls == HY_SA_ATTACK ? "attack" : "benign";
    const char *cls = hy_synth_alerts_class_name(e->cls);
    const char *stage = hy_synth_alerts_stage_name(e->stage);
    hy_err err = HY_OK;
    char *w = hy_buf_room(&c->truth, 96, &err), *p = w;
    if (!w)
        return err;
    p = put_u64(p, c->st.alerts);
    *p++ = '\t';
    memcpy(p, label, 6);
    p += 6;
    *p++ = '\t';
    p = stpcpy(p, cls);
    *p++ = '\t';
    p = put_u64(p, e->camp);
    *p++ = '\t';
    p = stpcpy(p, stage);
    *p++ = '\t';
    p += hy__sa_ip(e->host, p);
    *p++ = '\n';
    hy_buf_commit(&c->truth, (size_t)(p - w));
    return HY_OK;
}

hy_err hy__sa_write(sa_ctx *c, const sa_ev *e)
{
    hy_json j;
    hy_err err;
    size_t before = c->eve.len;

    hy_json_init(&j, &c->eve);
    put_eve(c, &j, e);
    if ((err = hy_json_finish(&j)) != HY_OK || (err = hy_buf_addc(&c->eve, '\n')) != HY_OK)
        return hy_err_set(err, "synth alerts: cannot format alert %llu",
                          (unsigned long long)c->st.alerts + 1);
    c->st.eve_bytes += c->eve.len - before;
    if (!c->st.alerts++)
        c->st.first_ns = e->ts;
    c->st.last_ns = e->ts;
    c->st.per_class[e->cls]++;
    c->st.per_stage[e->stage]++;
    c->st.attack_alerts += e->cls == HY_SA_ATTACK;
    c->used[e->sig] |= e->cls == HY_SA_ATTACK ? 2 : 1;
    if (c->ftruth && (err = put_truth(c, e)) != HY_OK)
        return err;
    return c->eve.len >= FLUSH_BYTES || c->truth.len >= FLUSH_BYTES ? hy__sa_flush(c, false)
                                                                    : HY_OK;
}

hy_err hy__sa_flush(sa_ctx *c, bool all)
{
    if (c->eve.len && fwrite(c->eve.data, 1, c->eve.len, c->feve) != c->eve.len)
        return hy_err_set(HY_ERR_IO, "synth alerts: cannot write the alerts");
    hy_buf_reset(&c->eve);
    if (c->ftruth && c->truth.len &&
        fwrite(c->truth.data, 1, c->truth.len, c->ftruth) != c->truth.len)
        return hy_err_set(HY_ERR_IO, "synth alerts: cannot write the truth");
    hy_buf_reset(&c->truth);
    if (all && (fflush(c->feve) != 0 || (c->ftruth && fflush(c->ftruth) != 0)))
        return hy_err_set(HY_ERR_IO, "synth alerts: cannot flush the output");
    return HY_OK;
}

void hy__sa_stats_finish(sa_ctx *c)
{
    c->st.campaigns = c->ncamp;
    c->st.catalogue = hy__sa_nsigs;
    for (uint32_t i = 0; i < hy__sa_nsigs; i++) {
        c->st.signatures += c->used[i] != 0;
        c->st.shared_signatures += c->used[i] == 3;
    }
}
