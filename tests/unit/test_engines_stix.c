/* STIX 2.1 output (lib/engines/intel/stix*.c, uuid.c): UUIDv5 against RFC
 * 9562's example, the pattern of every indicator type (escaping, refusals),
 * and bundles of realistic reports (every indicator type, noise, techniques
 * of three domains, CVEs, groups, software; an empty report; no tables;
 * hostile strings): object counts, ids, timestamps, references,
 * relationships, determinism, every pattern through hy_stix_pattern_check,
 * and every bundle through the OASIS JSON Schemas with node
 * (tests/stix/validate.mjs; skipped without node, its node_modules or
 * ../shared). */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engines/intel/attack_int.h"
#include "hayate/intel.h"
#include "hayate/stix_check.h"

#define TIME_NS   1718000000123456789LL /* 2024-06-10T06:13:20.123Z */
#define STIX_TIME "2024-06-10T06:13:20.123Z"

static const char tables_tsv[] =
    "G0034\tgroup\tSandworm Team\t\tELECTRUM|Voodoo Bear\tenterprise-attack\t0\n"
    "S0002\tsoftware\tMimikatz\t\t\tenterprise-attack\t0\n"
    "S0154\tsoftware\tCobalt Strike\t\t\tenterprise-attack\t1\n"
    "S0367\tsoftware\tEmotet\t\tGeodo\tenterprise-attack\t1\n"
    "T0831\ttechnique\tManipulation of Control\timpair-process-control\t\tics-attack\t0\n"
    "T1059.003\ttechnique\tCommand and Scripting Interpreter: Windows Command Shell\texecution\t\t"
    "enterprise-attack\t0\n"
    "T1071.001\ttechnique\tApplication Layer Protocol: Web Protocols\tcommand-and-control\t\t"
    "enterprise-attack\t0\n"
    "T1566.001\ttechnique\tPhishing: Spearphishing "
    "Attachment\tinitial-access\t\tenterprise-attack\t0\n"
    "TA0001\ttactic\tInitial Access\tinitial-access\t\tenterprise-attack\t0\n";

/* ---- UUIDv5 ---- */

static void test_uuid5(void **st)
{
    static const uint8_t dns[16] = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
    char a[37], b[37];
    (void)st;
    hy_uuid5(dns, "www.example.com", 15, a); /* RFC 9562, appendix A.4 */
    assert_string_equal(a, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
    hy_uuid5(dns, "www.example.org", 15, b);
    assert_string_not_equal(a, b);
    assert_int_equal(b[14], '5');
    assert_non_null(strchr("89ab", b[19]));
    hy_uuid5(dns, "", 0, b);
    assert_int_equal(strlen(b), 36);
}

/* ---- patterns ---- */

static hy_ioc mk(hy_ioc_type t, const char *v)
{
    return (hy_ioc){.type = t, .value = (char *)v, .count = 1};
}

static void test_patterns(void **st)
{
    static const struct {
        hy_ioc_type t;
        const char *v, *want;
    } ok[] = {
        {HY_IOC_IPV4, "185.220.101.47", "[ipv4-addr:value = '185.220.101.47']"},
        {HY_IOC_IPV4_CIDR, "45.77.0.0/16", "[ipv4-addr:value = '45.77.0.0/16']"},
        {HY_IOC_IPV6, "2a03:2880:f10c:83:face:b00c:0:25de",
         "[ipv6-addr:value = '2a03:2880:f10c:83:face:b00c:0:25de']"},
        {HY_IOC_DOMAIN, "evil-cdn.net", "[domain-name:value = 'evil-cdn.net']"},
        {HY_IOC_URL, "http://evil-cdn.net/gate.php?q='a'",
         "[url:value = 'http://evil-cdn.net/gate.php?q=\\'a\\'']"},
        {HY_IOC_EMAIL, "billing@evil-cdn.net", "[email-addr:value = 'billing@evil-cdn.net']"},
        {HY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e",
         "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']"},
        {HY_IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709",
         "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"},
        {HY_IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         "[file:hashes.'SHA-256' = "
         "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"},
        {HY_IOC_SSDEEP, "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C",
         "[file:hashes.'SSDEEP' = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']"},
        {HY_IOC_FILENAME, "it's.exe", "[file:name = 'it\\'s.exe']"},
        {HY_IOC_REGKEY, "HKLM\\Software\\Run",
         "[windows-registry-key:key = 'HKLM\\\\Software\\\\Run']"},
        {HY_IOC_WIN_PATH, "C:\\Users\\Public\\", "[directory:path = 'C:\\\\Users\\\\Public\\\\']"},
        {HY_IOC_UNIX_PATH, "/tmp/.X11-unix/.rsync", "[directory:path = '/tmp/.X11-unix/.rsync']"},
        {HY_IOC_MAC, "00:1a:2b:3c:4d:5e", "[mac-addr:value = '00:1a:2b:3c:4d:5e']"},
        {HY_IOC_ASN, "AS13335", "[autonomous-system:number = 13335]"},
        {HY_IOC_ASN, "AS4294967295", "[autonomous-system:number = 4294967295]"},
    };
    static const hy_ioc_type unsupported[] = {
        HY_IOC_CVE,          HY_IOC_ATTACK_TECHNIQUE, HY_IOC_ATTACK_TACTIC,
        HY_IOC_ATTACK_GROUP, HY_IOC_ATTACK_SOFTWARE,  HY_IOC_BITCOIN,
        HY_IOC_MONERO,       HY_IOC_ETHEREUM,         HY_IOC_JA3,
        HY_IOC__COUNT};
    hy_buf b;
    (void)st;
    hy_buf_init(&b, 1 << 16);
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        hy_ioc ioc = mk(ok[i].t, ok[i].v);
        hy_buf_reset(&b);
        assert_int_equal(hy_stix_pattern(&ioc, &b), HY_OK);
        assert_string_equal(b.data, ok[i].want);
        assert_int_equal(hy_stix_pattern_check(b.data, b.len), HY_OK);
    }
    /* appends: what was there stays */
    hy_buf_reset(&b);
    hy_buf_adds(&b, "x");
    hy_ioc ioc = mk(HY_IOC_IPV4, "1.2.3.4");
    assert_int_equal(hy_stix_pattern(&ioc, &b), HY_OK);
    assert_string_equal(b.data, "x[ipv4-addr:value = '1.2.3.4']");
    hy_buf_reset(&b);
    hy_buf_adds(&b, "x");
    for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++) {
        ioc = mk(unsupported[i], "CVE-2021-44228");
        assert_int_equal(hy_stix_pattern(&ioc, &b), HY_ERR_UNSUPPORTED);
        assert_string_equal(b.data, "x");
    }
    /* values that are not what their type says: refused, out unchanged */
    static const struct {
        hy_ioc_type t;
        const char *v;
    } bad[] = {
        {HY_IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"},
        {HY_IOC_MD5, "not-a-hash"},
        {HY_IOC_ASN, "AS4294967296"},
        {HY_IOC_ASN, "13335"},
        {HY_IOC_ASN, "ASx"},
        {HY_IOC_URL, "http://x/\xff"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ioc = mk(bad[i].t, bad[i].v);
        assert_int_equal(hy_stix_pattern(&ioc, &b), HY_ERR_FORMAT);
        assert_string_equal(b.data, "x");
    }
    ioc = mk(HY_IOC_URL, "");
    assert_int_equal(hy_stix_pattern(&ioc, &b), HY_ERR_ARG);
    ioc.value = NULL;
    assert_int_equal(hy_stix_pattern(&ioc, &b), HY_ERR_ARG);
    assert_int_equal(hy_stix_pattern(NULL, &b), HY_ERR_ARG);
    /* the buffer's cap */
    hy_buf small;
    hy_buf_init(&small, 8);
    ioc = mk(HY_IOC_IPV4, "1.2.3.4");
    assert_int_equal(hy_stix_pattern(&ioc, &small), HY_ERR_TOOBIG);
    assert_int_equal(small.len, 0);
    hy_buf_free(&small);
    hy_buf_free(&b);
}

/* ---- bundles ---- */

typedef struct fixture {
    hy_ioc iocs[40];
    hy_intel_technique tech[8];
    const hy_attack_entry *sw[8];
    hy_intel_report r;
    const char *patterns[40]; /* the indicator patterns expected */
    size_t npatterns;
} fixture;

static void add(fixture *f, hy_ioc_type t, const char *v, const char *noise, const char *pattern)
{
    f->iocs[f->r.iocs.n++] = (hy_ioc){.type = t, .value = (char *)v, .noise = noise, .count = 1};
    if (pattern)
        f->patterns[f->npatterns++] = pattern;
}

static const char report_text[] = "APT report text: Emotet and Cobalt Strike seen with Mimikatz.";

/* A report with an indicator of every type, noise, three domains'
 * techniques, CVEs, a group and software. */
static void full_report(fixture *f, const hy_attack_tables *t)
{
    memset(f, 0, sizeof *f);
    f->r.iocs.v = f->iocs;
    add(f, HY_IOC_IPV4, "185.220.101.47", NULL, "[ipv4-addr:value = '185.220.101.47']");
    add(f, HY_IOC_IPV4, "10.0.0.5", "private address", NULL);
    add(f, HY_IOC_IPV4_CIDR, "45.77.0.0/16", NULL, "[ipv4-addr:value = '45.77.0.0/16']");
    add(f, HY_IOC_IPV6, "2a03:2880:f10c:83:face:b00c:0:25de", NULL,
        "[ipv6-addr:value = '2a03:2880:f10c:83:face:b00c:0:25de']");
    add(f, HY_IOC_DOMAIN, "evil-cdn.net", NULL, "[domain-name:value = 'evil-cdn.net']");
    add(f, HY_IOC_DOMAIN, "example.com", "documentation domain", NULL);
    add(f, HY_IOC_URL, "http://evil-cdn.net/gate.php?id=1&q='a'", NULL,
        "[url:value = 'http://evil-cdn.net/gate.php?id=1&q=\\'a\\'']");
    add(f, HY_IOC_EMAIL, "billing@evil-cdn.net", NULL,
        "[email-addr:value = 'billing@evil-cdn.net']");
    add(f, HY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e", NULL,
        "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']");
    add(f, HY_IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", NULL,
        "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']");
    add(f, HY_IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL,
        "[file:hashes.'SHA-256' = "
        "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']");
    add(f, HY_IOC_SHA512,
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d287"
        "7eec2f63b931bd47417a81a538327af927da3e",
        NULL,
        "[file:hashes.'SHA-512' = "
        "'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d28"
        "77eec2f63b931bd47417a81a538327af927da3e']");
    add(f, HY_IOC_SSDEEP, "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C", NULL,
        "[file:hashes.'SSDEEP' = '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C']");
    add(f, HY_IOC_CVE, "CVE-2021-44228", NULL, NULL);
    add(f, HY_IOC_CVE, "CVE-2017-0144", NULL, NULL);
    add(f, HY_IOC_CVE, "CVE-17-1", NULL, NULL); /* malformed: no vulnerability */
    add(f, HY_IOC_ATTACK_TECHNIQUE, "T1566.001", NULL, NULL);
    add(f, HY_IOC_ATTACK_TECHNIQUE, "T1059.003", NULL, NULL); /* also a classified technique */
    add(f, HY_IOC_ATTACK_TACTIC, "TA0001", NULL, NULL);
    add(f, HY_IOC_ATTACK_GROUP, "G0034", NULL, NULL);
    add(f, HY_IOC_ATTACK_SOFTWARE, "S0002", NULL, NULL);
    add(f, HY_IOC_REGKEY, "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater", NULL,
        "[windows-registry-key:key = "
        "'HKLM\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\updater']");
    add(f, HY_IOC_WIN_PATH, "C:\\Users\\Public\\Libraries\\", NULL,
        "[directory:path = 'C:\\\\Users\\\\Public\\\\Libraries\\\\']");
    add(f, HY_IOC_UNIX_PATH, "/tmp/.X11-unix/.rsync", NULL,
        "[directory:path = '/tmp/.X11-unix/.rsync']");
    add(f, HY_IOC_FILENAME, "invoice_2024.pdf.exe", NULL, "[file:name = 'invoice_2024.pdf.exe']");
    add(f, HY_IOC_BITCOIN, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", NULL, NULL);
    add(f, HY_IOC_MONERO,
        "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQ"
        "BEP3A",
        NULL, NULL);
    add(f, HY_IOC_ETHEREUM, "0x52908400098527886E0F7030069857D2E4169EE7", NULL, NULL);
    add(f, HY_IOC_ASN, "AS13335", NULL, "[autonomous-system:number = 13335]");
    add(f, HY_IOC_MAC, "00:1a:2b:3c:4d:5e", NULL, "[mac-addr:value = '00:1a:2b:3c:4d:5e']");
    add(f, HY_IOC_JA3, "e7d705a3286e19ea42f587b344ee6865", NULL, NULL);
    add(f, HY_IOC_IPV4, "185.220.101.47", NULL, NULL); /* a duplicate: one indicator */
    f->tech[0] = (hy_intel_technique){.id = "T1059.003", .confidence = 0.93, .sentences = 2};
    f->tech[1] = (hy_intel_technique){.id = "T1071.001", .confidence = 0.71, .sentences = 1};
    f->tech[2] = (hy_intel_technique){.id = "T0831", .confidence = 0.55, .sentences = 1};
    f->tech[3] =
        (hy_intel_technique){.id = "T12", .confidence = 0.5, .sentences = 1}; /* malformed */
    f->r.tech = f->tech;
    f->r.ntech = 4;
    f->sw[0] = hy_attack_find(t, "S0367");
    f->sw[1] = hy_attack_find(t, "S0154");
    f->sw[2] = hy_attack_find(t, "S0002");
    assert_non_null(f->sw[0]);
    assert_non_null(f->sw[1]);
    assert_non_null(f->sw[2]);
    f->r.software = f->sw;
    f->r.nsoftware = 3;
    snprintf(f->r.id, sizeof f->r.id, "report--8a1b9a52-3d2c-5f0e-9a0b-1c2d3e4f5a6b");
    f->r.title = "Energy sector intrusions with Emotet and Cobalt Strike";
    f->r.source = "https://example.org/blog/energy-intrusions";
    f->r.time_ns = TIME_NS;
    f->r.text = report_text;
    f->r.text_len = sizeof report_text - 1;
}

static json_t *bundle_json(const hy_intel_report *r, const hy_attack_tables *t, hy_buf *b)
{
    json_error_t jerr;
    json_t *j;
    hy_buf_reset(b);
    assert_int_equal(hy_stix_bundle(r, t, b), HY_OK);
    assert_non_null(b->data);
    assert_int_equal(b->data[b->len - 1], '\n');
    if (!(j = json_loadb(b->data, b->len, 0, &jerr)))
        fail_msg("bundle is not JSON: %s", jerr.text);
    return j;
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* type--UUID (version 1..5, variant 10xx), the type as given. */
static void check_id(const char *id, const char *type)
{
    size_t tl = strlen(type);
    assert_non_null(id);
    if (strncmp(id, type, tl) != 0 || strncmp(id + tl, "--", 2) != 0 || strlen(id) != tl + 38)
        fail_msg("id %s is not %s--<uuid>", id, type);
    const char *u = id + tl + 2;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", u[i]));
    }
    assert_int_equal(u[14], '5');
    assert_non_null(strchr("89ab", u[19]));
}

typedef struct counts {
    size_t identity, report, indicator, vulnerability, attack_pattern, intrusion_set, malware, tool,
        relationship, total;
} counts;

/* Checks what every bundle must satisfy and counts objects by type. */
static counts check_bundle(const json_t *j, const char *ts)
{
    counts c = {0};
    const json_t *objs = json_object_get(j, "objects"), *o, *report = NULL;
    json_t *ids = json_object();
    const char *identity = NULL;
    size_t i;
    assert_string_equal(jstr(j, "type"), "bundle");
    check_id(jstr(j, "id"), "bundle");
    assert_null(json_object_get(j, "spec_version"));
    assert_true(json_array_size(objs) >= 2);
    json_array_foreach(objs, i, o)
    {
        const char *type = jstr(o, "type"), *id = jstr(o, "id");
        assert_non_null(type);
        check_id(id, type);
        assert_string_equal(jstr(o, "spec_version"), "2.1");
        assert_null(json_object_get(ids, id)); /* unique */
        json_object_set_new(ids, id, json_true());
        c.total++;
        if (strcmp(type, "identity") == 0) {
            assert_int_equal(i, 0);
            identity = id;
            assert_string_equal(jstr(o, "identity_class"), "system");
            assert_string_equal(jstr(o, "name"), "hayate");
            continue;
        }
        assert_string_equal(jstr(o, "created"), ts);
        assert_string_equal(jstr(o, "modified"), ts);
        assert_string_equal(jstr(o, "created_by_ref"), identity);
        if (strcmp(type, "report") == 0) {
            assert_int_equal(i, 1);
            report = o;
            c.report++;
            assert_string_equal(jstr(o, "published"), ts);
            assert_string_equal(
                json_string_value(json_array_get(json_object_get(o, "report_types"), 0)),
                "threat-report");
        } else if (strcmp(type, "indicator") == 0) {
            c.indicator++;
            const char *p = jstr(o, "pattern");
            assert_string_equal(jstr(o, "pattern_type"), "stix");
            assert_string_equal(jstr(o, "valid_from"), ts);
            assert_string_equal(
                json_string_value(json_array_get(json_object_get(o, "indicator_types"), 0)),
                "malicious-activity");
            if (hy_stix_pattern_check(p, strlen(p)) != HY_OK)
                fail_msg("pattern %s: %s", p, hy_err_detail());
        } else if (strcmp(type, "vulnerability") == 0) {
            c.vulnerability++;
            const json_t *r = json_array_get(json_object_get(o, "external_references"), 0);
            assert_string_equal(jstr(r, "source_name"), "cve");
            assert_string_equal(jstr(r, "external_id"), jstr(o, "name"));
        } else if (strcmp(type, "attack-pattern") == 0) {
            c.attack_pattern++;
        } else if (strcmp(type, "intrusion-set") == 0) {
            c.intrusion_set++;
        } else if (strcmp(type, "malware") == 0) {
            c.malware++;
            assert_true(json_is_true(json_object_get(o, "is_family")));
        } else if (strcmp(type, "tool") == 0) {
            c.tool++;
            assert_null(json_object_get(o, "is_family"));
        } else if (strcmp(type, "relationship") == 0) {
            c.relationship++;
            assert_non_null(json_object_get(ids, jstr(o, "source_ref")));
            assert_non_null(json_object_get(ids, jstr(o, "target_ref")));
        } else {
            fail_msg("unexpected object type %s", type);
        }
    }
    c.identity = 1;
    assert_non_null(identity);
    assert_non_null(report);
    /* object_refs: every object but the report, in bundle order */
    const json_t *refs = json_object_get(report, "object_refs");
    assert_int_equal(json_array_size(refs), c.total - 1);
    size_t k = 0;
    json_array_foreach(objs, i, o)
    {
        if (o != report)
            assert_string_equal(json_string_value(json_array_get(refs, k++)), jstr(o, "id"));
    }
    json_decref(ids);
    return c;
}

static const json_t *find_by_name(const json_t *j, const char *type, const char *name)
{
    const json_t *o;
    size_t i;
    json_array_foreach(json_object_get(j, "objects"), i, o)
    {
        if (strcmp(jstr(o, "type"), type) == 0 && jstr(o, "name") &&
            strcmp(jstr(o, "name"), name) == 0)
            return o;
    }
    return NULL;
}

static bool has_phase(const json_t *o, const char *chain, const char *phase)
{
    const json_t *p;
    size_t i;
    json_array_foreach(json_object_get(o, "kill_chain_phases"), i, p)
    {
        if (strcmp(jstr(p, "kill_chain_name"), chain) == 0 &&
            strcmp(jstr(p, "phase_name"), phase) == 0)
            return true;
    }
    return false;
}

static const char *save(const char *name, const hy_buf *b)
{
    static char paths[8][300];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 300, "%s/%s", hy_test_tmpdir(), name);
    hy_test_write_file(p, b->data, b->len);
    return p;
}

static char bundle_files[8][300];
static size_t nbundle_files;

static void keep(const char *name, const hy_buf *b)
{
    snprintf(bundle_files[nbundle_files++], 300, "%s", save(name, b));
}

static hy_attack_tables *test_tables(void)
{
    hy_attack_tables *t = NULL;
    assert_int_equal(hy_attack_tables_parse("tables", tables_tsv, sizeof tables_tsv - 1, &t),
                     HY_OK);
    return t;
}

static void test_full_bundle(void **st)
{
    hy_attack_tables *t = test_tables();
    fixture *f = calloc(1, sizeof *f), *g = calloc(1, sizeof *g);
    hy_buf b, b2;
    json_t *j;
    const json_t *o, *v;
    size_t i;
    (void)st;
    assert_non_null(f);
    assert_non_null(g);
    hy_buf_init(&b, 1 << 24);
    hy_buf_init(&b2, 1 << 24);
    full_report(f, t);
    j = bundle_json(&f->r, t, &b);
    counts c = check_bundle(j, STIX_TIME);
    assert_int_equal(c.indicator, f->npatterns);
    assert_int_equal(c.vulnerability, 2);
    assert_int_equal(c.attack_pattern, 4);
    assert_int_equal(c.intrusion_set, 1);
    assert_int_equal(c.malware, 2);
    assert_int_equal(c.tool, 1);
    assert_int_equal(c.relationship, c.malware * (c.indicator + c.attack_pattern));
    assert_int_equal(c.total, 2 + c.indicator + 2 + 4 + 1 + 3 + c.relationship);
    /* the indicator patterns are exactly the expected ones, in IOC order */
    size_t k = 0;
    json_array_foreach(json_object_get(j, "objects"), i, o)
    {
        if (strcmp(jstr(o, "type"), "indicator") == 0)
            assert_string_equal(jstr(o, "pattern"), f->patterns[k++]);
    }
    /* the report */
    o = json_array_get(json_object_get(j, "objects"), 1);
    assert_string_equal(jstr(o, "id"), f->r.id);
    assert_string_equal(jstr(o, "name"), f->r.title);
    assert_non_null(strstr(jstr(o, "description"), f->r.source));
    /* attack-patterns: names, references, both kill chains */
    assert_non_null(o = find_by_name(j, "attack-pattern",
                                     "Command and Scripting Interpreter: Windows Command Shell"));
    v = json_array_get(json_object_get(o, "external_references"), 0);
    assert_string_equal(jstr(v, "source_name"), "mitre-attack");
    assert_string_equal(jstr(v, "external_id"), "T1059.003");
    assert_string_equal(jstr(v, "url"), "https://attack.mitre.org/techniques/T1059/003/");
    assert_true(has_phase(o, "mitre-attack", "execution"));
    assert_true(has_phase(o, "lockheed-martin-cyber-kill-chain", "exploitation"));
    assert_non_null(o = find_by_name(j, "attack-pattern", "Manipulation of Control"));
    assert_true(has_phase(o, "mitre-ics-attack", "impair-process-control"));
    assert_true(has_phase(o, "lockheed-martin-cyber-kill-chain", "actions-on-objectives"));
    v = json_array_get(json_object_get(o, "external_references"), 0);
    assert_string_equal(jstr(v, "url"), "https://attack.mitre.org/techniques/T0831/");
    assert_non_null(o = find_by_name(j, "attack-pattern", "Phishing: Spearphishing Attachment"));
    assert_true(has_phase(o, "lockheed-martin-cyber-kill-chain", "delivery"));
    /* software and the group */
    assert_non_null(o = find_by_name(j, "malware", "Emotet"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(o, "aliases"), 0)),
                        "Geodo");
    assert_null(find_by_name(j, "malware", "Mimikatz"));
    assert_non_null(find_by_name(j, "tool", "Mimikatz"));
    assert_non_null(o = find_by_name(j, "intrusion-set", "Sandworm Team"));
    assert_int_equal(json_array_size(json_object_get(o, "aliases")), 2);
    assert_non_null(find_by_name(j, "vulnerability", "CVE-2021-44228"));
    assert_null(find_by_name(j, "vulnerability", "CVE-17-1"));
    /* nothing from noise or unsupported types */
    assert_null(strstr(b.data, "10.0.0.5"));
    assert_null(strstr(b.data, "example.com'"));
    assert_null(strstr(b.data, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"));
    assert_null(strstr(b.data, "e7d705a3286e19ea42f587b344ee6865"));
    keep("full.json", &b);
    /* determinism: the same bytes again, and from a copy of the report */
    full_report(g, t);
    assert_int_equal(hy_stix_bundle(&g->r, t, &b2), HY_OK);
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);
    /* another time: other timestamps, the same ids */
    g->r.time_ns += 86400LL * 1000000000LL;
    hy_buf_reset(&b2);
    assert_int_equal(hy_stix_bundle(&g->r, t, &b2), HY_OK);
    assert_int_not_equal(memcmp(b.data, b2.data, b.len < b2.len ? b.len : b2.len), 0);
    json_t *j2 = json_loadb(b2.data, b2.len, 0, NULL);
    assert_non_null(j2);
    check_bundle(j2, "2024-06-11T06:13:20.123Z");
    json_array_foreach(json_object_get(j, "objects"), i, o)
    {
        assert_string_equal(jstr(o, "id"),
                            jstr(json_array_get(json_object_get(j2, "objects"), i), "id"));
    }
    json_decref(j2);
    json_decref(j);
    hy_buf_free(&b);
    hy_buf_free(&b2);
    free(f);
    free(g);
    hy_attack_tables_free(t);
}

static void test_small_bundles(void **st)
{
    hy_attack_tables *t = test_tables();
    hy_intel_report r = {.time_ns = 0};
    fixture *f = calloc(1, sizeof *f);
    hy_buf b;
    json_t *j;
    counts c;
    (void)st;
    hy_buf_init(&b, 1 << 24);
    /* empty: the identity and the report, which refers to it */
    j = bundle_json(&r, NULL, &b);
    c = check_bundle(j, "1970-01-01T00:00:00.000Z");
    assert_int_equal(c.total, 2);
    const json_t *rep = json_array_get(json_object_get(j, "objects"), 1);
    check_id(jstr(rep, "id"), "report");
    assert_string_equal(jstr(rep, "name"), jstr(rep, "id"));
    assert_null(json_object_get(rep, "description"));
    keep("empty.json", &b);
    json_decref(j);
    /* no tables: technique names are their ids, no kill chain, no software */
    full_report(f, t);
    f->r.title = NULL;
    f->r.id[0] = '\0';
    j = bundle_json(&f->r, NULL, &b);
    c = check_bundle(j, STIX_TIME);
    assert_int_equal(c.attack_pattern, 4);
    const json_t *o = find_by_name(j, "attack-pattern", "T1059.003");
    assert_non_null(o);
    assert_null(json_object_get(o, "kill_chain_phases"));
    assert_non_null(find_by_name(j, "intrusion-set", "G0034"));
    assert_int_equal(c.tool, 1); /* r->software still names Mimikatz; S0002 alone is unknown */
    rep = json_array_get(json_object_get(j, "objects"), 1);
    assert_string_equal(jstr(rep, "name"), f->r.source);
    keep("notables.json", &b);
    json_decref(j);
    /* hostile strings: invalid UTF-8, quotes, control bytes; bad values skipped */
    memset(f, 0, sizeof *f);
    f->r.iocs.v = f->iocs;
    add(f, HY_IOC_URL, "http://x.test/\xff\xfe", NULL, NULL);
    add(f, HY_IOC_SHA256, "abc", NULL, NULL);
    add(f, HY_IOC_ASN, "AS99999999999", NULL, NULL);
    add(f, HY_IOC_FILENAME, "a'b\\c\"d\n\te.exe", NULL, "[file:name = 'a\\'b\\\\c\"d\n\te.exe']");
    f->r.title = "Bad \xc3\x28 title with \"quotes\" and \x01";
    f->r.source = "stdin";
    f->r.time_ns = TIME_NS;
    j = bundle_json(&f->r, t, &b);
    c = check_bundle(j, STIX_TIME);
    assert_int_equal(c.indicator, 1);
    assert_string_equal(jstr(find_by_name(j, "indicator", "a'b\\c\"d\n\te.exe"), "pattern"),
                        f->patterns[0]);
    rep = json_array_get(json_object_get(j, "objects"), 1);
    assert_string_equal(jstr(rep, "name"), "Bad \xef\xbf\xbd( title with \"quotes\" and \x01");
    keep("hostile.json", &b);
    json_decref(j);
    free(f);
    hy_buf_free(&b);
    hy_attack_tables_free(t);
}

static void test_bundle_refusals(void **st)
{
    hy_intel_report r = {.time_ns = TIME_NS};
    hy_buf b;
    (void)st;
    hy_buf_init(&b, 1 << 26);
    assert_int_equal(hy_stix_bundle(NULL, NULL, &b), HY_ERR_ARG);
    assert_int_equal(hy_stix_bundle(&r, NULL, NULL), HY_ERR_ARG);
    r.time_ns = -1;
    assert_int_equal(hy_stix_bundle(&r, NULL, &b), HY_ERR_ARG);
    r.time_ns = TIME_NS;
    r.iocs.n = 3;
    assert_int_equal(hy_stix_bundle(&r, NULL, &b), HY_ERR_ARG);
    r.iocs.n = 0;
    assert_int_equal(b.len, 0);
    /* the output cap: TOOBIG, what was there kept */
    hy_buf small;
    hy_buf_init(&small, 600);
    hy_buf_adds(&small, "prefix");
    assert_int_equal(hy_stix_bundle(&r, NULL, &small), HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "output's cap of 600"));
    assert_string_equal(small.data, "prefix");
    hy_buf_free(&small);
    /* many families by 1,000 indicators */
    enum { NM = 1001, NI = 1000 };
    hy_attack_entry *mw = calloc(NM, sizeof *mw);
    const hy_attack_entry **sw = calloc(NM, sizeof *sw);
    hy_ioc *iocs = calloc(NI, sizeof *iocs);
    char(*names)[32] = calloc(NM + NI, sizeof *names);
    assert_true(mw && sw && iocs && names);
    for (int i = 0; i < NM; i++) {
        snprintf(names[i], 32, "family%d", i);
        mw[i] = (hy_attack_entry){.kind = HY_ATTACK_SOFTWARE,
                                  .name = names[i],
                                  .aliases = "",
                                  .tactics = "",
                                  .domain = "enterprise-attack",
                                  .is_malware = true};
        snprintf(mw[i].id, sizeof mw[i].id, "S%04d", i);
        sw[i] = &mw[i];
    }
    for (int i = 0; i < NI; i++) {
        snprintf(names[NM + i], 32, "10.%d.%d.1", i / 256, i % 256);
        iocs[i] = (hy_ioc){.type = HY_IOC_IPV4, .value = names[NM + i]};
    }
    r.software = sw;
    r.nsoftware = NM;
    r.iocs.v = iocs;
    r.iocs.n = NI;
    /* a report naming more than 3 families gets no cross product */
    assert_int_equal(hy_stix_bundle(&r, NULL, &b), HY_OK);
    assert_null(strstr(b.data, "\"relationship--"));
    assert_non_null(strstr(b.data, "\"malware--"));
    hy_buf_reset(&b);
    r.nsoftware = 3; /* 3 families: each indicator indicates each */
    assert_int_equal(hy_stix_bundle(&r, NULL, &b), HY_OK);
    size_t rels = 0;
    for (const char *p = b.data; (p = strstr(p, "\"type\": \"relationship\"")); p++)
        rels++;
    assert_int_equal(rels, 3 * NI);
    free(mw);
    free(sw);
    free(iocs);
    free(names);
    hy_buf_free(&b);
}

/* The bundles of the tests above, and one with the shipped ATT&CK tables,
 * through the OASIS JSON Schemas. */
static void test_schema_validation(void **st)
{
    char cmd[4096], mods[1200], log[1300], schemas[1300];
    const char *src = hy_test_source_dir(), *data = hy_test_shared_data();
    hy_attack_tables *real = NULL;
    (void)st;
    snprintf(mods, sizeof mods, "%s/tests/stix/node_modules/ajv/package.json", src);
    snprintf(schemas, sizeof schemas, "%s/intel/stix-schemas/schemas",
             data ? data : "/nonexistent");
    snprintf(cmd, sizeof cmd, "%s/data/attack/attack.tsv", src);
    if (hy_attack_tables_load(cmd, &real) == HY_OK) {
        fixture *f = calloc(1, sizeof *f);
        hy_buf b;
        assert_non_null(f);
        hy_buf_init(&b, 1 << 24);
        full_report(f, real);
        json_t *j = bundle_json(&f->r, real, &b);
        counts c = check_bundle(j, STIX_TIME);
        assert_int_equal(c.attack_pattern, 4);
        assert_non_null(
            find_by_name(j, "attack-pattern", "Application Layer Protocol: Web Protocols"));
        keep("real_tables.json", &b);
        json_decref(j);
        hy_buf_free(&b);
        free(f);
        hy_attack_tables_free(real);
    }
    if (!data || access(schemas, R_OK) != 0) {
        print_message("stix: SKIP schema validation: ../shared absent\n");
        return;
    }
    if (system("command -v node >/dev/null 2>&1") != 0 || access(mods, R_OK) != 0) {
        print_message("stix: SKIP schema validation: node or tests/stix/node_modules missing "
                      "(npm ci --prefix tests/stix)\n");
        return;
    }
    snprintf(log, sizeof log, "%s/validate.log", hy_test_tmpdir());
    size_t o = (size_t)snprintf(cmd, sizeof cmd, "node '%s/tests/stix/validate.mjs' --schemas '%s'",
                                src, schemas);
    for (size_t i = 0; i < nbundle_files; i++)
        o += (size_t)snprintf(cmd + o, sizeof cmd - o, " '%s'", bundle_files[i]);
    snprintf(cmd + o, sizeof cmd - o, " >'%s' 2>&1", log);
    int rc = system(cmd);
    size_t n = 0;
    uint8_t *out = hy_test_read_file(log, &n);
    char *text = out ? strndup((char *)out, n) : NULL;
    print_message("%s", text ? text : "(no output)\n");
    free(out);
    free(text);
    assert_true(nbundle_files >= 4);
    assert_int_equal(rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid5),           cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_full_bundle),     cmocka_unit_test(test_small_bundles),
        cmocka_unit_test(test_bundle_refusals), cmocka_unit_test(test_schema_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
