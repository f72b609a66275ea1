/* hy_alertin: external alerts in their real formats. Suricata EVE lines
 * (every field of hy_alert_in on at least one line), timestamps in all their
 * forms, non-alert event types, malformed lines and their details,
 * duplicates, hayate's own EVE written by hy_alert_to_eve, fast.log variants
 * of Suricata and Snort, and the reader over lines and arrays; then the
 * shared datasets (cptc2017, suricata-sample-data) when present. */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/alert.h"
#include "hayate/alertin.h"
#include "hayate/limits.h"

static const char CPTC[] =
    "{\"timestamp\":\"2017-11-04T12:49:53.341727+0000\",\"flow_id\":59664468358879,"
    "\"in_iface\":\"eth0\",\"event_type\":\"alert\",\"src_ip\":\"10.0.254.32\","
    "\"src_port\":38728,\"dest_ip\":\"10.0.0.27\",\"dest_port\":3306,\"proto\":\"TCP\","
    "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":2010937,\"rev\":2,"
    "\"signature\":\"ET POLICY Suspicious inbound to mySQL port 3306\",\"category\":"
    "\"Potentially Bad Traffic\",\"severity\":2},\"payload\":\"\",\"stream\":0,\"packet\":"
    "\"BtpJ9SzOBtfw1JK8CABFAAAsJ44AAC8GUgMKAP4gCgAAG5dIDOorzKFjAAAAAGACBAAQiQAAAgQFtA==\","
    "\"packet_info\":{\"linktype\":1}}";

static const char HTTP[] =
    "{\"timestamp\": \"2017-03-24T14:01:29.933314-0600\", \"flow_id\": 1846490110167913, "
    "\"pcap_cnt\": 194268, \"event_type\": \"alert\", \"src_ip\": \"10.10.8.168\", "
    "\"src_port\": 1698, \"dest_ip\": \"169.55.0.224\", \"dest_port\": 80, \"proto\": \"TCP\", "
    "\"tx_id\": 0, \"alert\": {\"action\": \"allowed\", \"gid\": 1, \"signature_id\": 2006380, "
    "\"rev\": 12, \"signature\": \"ET POLICY Outgoing Basic Auth Base64 HTTP Password "
    "detected unencrypted\", \"category\": \"Potential Corporate Privacy Violation\", "
    "\"severity\": 1}, \"http\": {\"hostname\": \"www.internetdownloadmanager.com\", \"url\": "
    "\"/data/update623.txt?v=628b1\", \"http_user_agent\": \"Mozilla/5.0 (Windows NT 6.1; "
    "Trident/7.0; rv:11.0) like Gecko\", \"http_content_type\": \"text/plain\", "
    "\"http_refer\": \"http://www.internetdownloadmanager.com/data/\", \"http_method\": "
    "\"POST\", \"protocol\": \"HTTP/1.1\", \"status\": 200, \"length\": 4937}, \"app_proto\": "
    "\"http\", \"flow\": {\"pkts_toserver\": 4, \"pkts_toclient\": 3, \"bytes_toserver\": 744, "
    "\"bytes_toclient\": 5411, \"start\": \"2017-03-24T14:01:29.854889-0600\"}}";

static const char TLS[] =
    "{\"timestamp\":\"2023-05-01T10:00:00.5Z\",\"flow_id\":7,\"event_type\":\"alert\","
    "\"src_ip\":\"2001:db8::10\",\"src_port\":51000,\"dest_ip\":\"2001:db8::443\","
    "\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"alert\":{\"gid\":1,"
    "\"signature_id\":2028371,\"rev\":3,\"signature\":\"ET JA3 Hash - Suspicious\","
    "\"category\":\"Unknown Traffic\",\"severity\":3,\"metadata\":{\"x\":[\"y\"]}},"
    "\"tls\":{\"subject\":\"CN=evil.example\",\"issuerdn\":\"CN=Evil CA\",\"serial\":\"01\","
    "\"sni\":\"evil.example\",\"version\":\"TLS 1.2\",\"ja3\":{\"hash\":"
    "\"e7d705a3286e19ea42f587b344ee6865\",\"string\":\"771,49195,0-10,29,0\"},"
    "\"ja3s\":{\"hash\":\"ffff\"}}}";

static const char DNS7[] =
    "{\"timestamp\":\"2024-02-01T00:00:01.000001+0100\",\"event_type\":\"alert\","
    "\"src_ip\":\"192.168.1.10\",\"src_port\":5353,\"dest_ip\":\"8.8.8.8\",\"dest_port\":53,"
    "\"proto\":\"UDP\",\"app_proto\":\"dns\",\"alert\":{\"signature_id\":2027863,"
    "\"signature\":\"ET INFO Observed DNS Query to .cloud TLD\"},\"dns\":{\"queries\":"
    "[{\"type\":\"query\",\"id\":3,\"rrname\":\"bad.example.cloud\",\"rrtype\":\"AAAA\"},"
    "{\"rrname\":\"second.example\"}]}}";

static hy_alertin_parser *P;

static int setup(void **state)
{
    return hy_alertin_parser_create(&P) == HY_OK ? 0 : -1;
}

static int teardown(void **state)
{
    hy_alertin_parser_destroy(P);
    return 0;
}

static hy_alert_in parse_ok(const char *line)
{
    hy_alert_in a;
    hy_err rc = hy_alertin_parse(P, line, strlen(line), &a);
    if (rc != HY_OK)
        fail_msg("%s: %s (%s)", line, hy_err_str(rc), hy_err_detail());
    return a;
}

/* Parses line expecting rc, and a detail containing want (when not NULL). */
static void parse_fails(const char *line, hy_err want_rc, const char *want)
{
    hy_alert_in a;
    hy_err rc = hy_alertin_parse(P, line, strlen(line), &a);
    if (rc != want_rc)
        fail_msg("%s: %s, expected %s (%s)", line, hy_err_str(rc), hy_err_str(want_rc),
                 hy_err_detail());
    if (want && !strstr(hy_err_detail(), want))
        fail_msg("%s: detail \"%s\" lacks \"%s\"", line, hy_err_detail(), want);
}

static void str_is(hy_str s, const char *want)
{
    assert_non_null(s.p);
    assert_int_equal(s.n, strlen(want));
    assert_memory_equal(s.p, want, s.n);
    assert_int_equal(s.p[s.n], '\0');
}

static void ip_is(const uint8_t *addr, int ver, const char *text)
{
    uint8_t want[16] = {0};
    assert_int_equal(inet_pton(ver == 6 ? AF_INET6 : AF_INET, text, want), 1);
    assert_memory_equal(addr, want, 16);
}

static void test_eve_cptc_line(void **state)
{
    hy_alert_in a = parse_ok(CPTC);
    assert_int_equal(a.fmt, HY_ALERTIN_EVE);
    assert_true(a.ts_ns == 1509799793341727000ull);
    assert_true(a.flow_id == 59664468358879ull);
    assert_int_equal(a.gid, 1);
    assert_int_equal(a.sid, 2010937);
    assert_int_equal(a.rev, 2);
    assert_true(a.sig_key == (1ull << 32 | 2010937));
    assert_int_equal(a.severity, 2);
    str_is(a.signature, "ET POLICY Suspicious inbound to mySQL port 3306");
    str_is(a.category, "Potentially Bad Traffic");
    str_is(a.action, "allowed");
    assert_int_equal(a.ip_version, 4);
    ip_is(a.src, 4, "10.0.254.32");
    ip_is(a.dst, 4, "10.0.0.27");
    assert_int_equal(a.sport, 38728);
    assert_int_equal(a.dport, 3306);
    assert_int_equal(a.proto, 6);
    str_is(a.in_iface, "eth0");
    str_is(a.app_proto, "");
    str_is(a.http_host, "");
    assert_int_equal(a.http_status, 0);
    str_is(a.hy_kind, "");
    assert_true(a.flow_start_ns == 0);
    str_is(a.raw, CPTC);
}

static void test_eve_http_flow(void **state)
{
    hy_alert_in a = parse_ok(HTTP);
    /* 13:59:22 local at -0600 is 19:59:22 UTC, and so on. */
    assert_true(a.ts_ns == (1490385562ull + 127) * 1000000000ull + 933314000ull);
    assert_true(a.flow_start_ns == (1490385562ull + 127) * 1000000000ull + 854889000ull);
    str_is(a.http_host, "www.internetdownloadmanager.com");
    str_is(a.http_url, "/data/update623.txt?v=628b1");
    str_is(a.http_method, "POST");
    str_is(a.http_user_agent, "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko");
    assert_int_equal(a.http_status, 200);
    str_is(a.app_proto, "http");
    assert_true(a.flow_pkts_toserver == 4 && a.flow_pkts_toclient == 3);
    assert_true(a.flow_bytes_toserver == 744 && a.flow_bytes_toclient == 5411);
    assert_int_equal(a.severity, 1);
    str_is(a.in_iface, "");
}

static void test_eve_tls_v6(void **state)
{
    hy_alert_in a = parse_ok(TLS);
    assert_true(a.ts_ns == 1682935200500000000ull);
    assert_int_equal(a.ip_version, 6);
    ip_is(a.src, 6, "2001:db8::10");
    ip_is(a.dst, 6, "2001:db8::443");
    assert_int_equal(a.dport, 443);
    str_is(a.tls_sni, "evil.example");
    str_is(a.tls_subject, "CN=evil.example");
    str_is(a.tls_issuer, "CN=Evil CA");
    str_is(a.tls_version, "TLS 1.2");
    str_is(a.tls_ja3, "e7d705a3286e19ea42f587b344ee6865");
    str_is(a.action, "");
    assert_int_equal(a.rev, 3);
}

static void test_eve_dns_forms(void **state)
{
    hy_alert_in a = parse_ok(DNS7);
    str_is(a.dns_rrname, "bad.example.cloud");
    str_is(a.dns_rrtype, "AAAA");
    assert_int_equal(a.proto, 17);
    assert_int_equal(a.gid, 1); /* absent: Suricata's default */
    assert_true(a.ts_ns == 1706742001000001000ull);
    a = parse_ok("{\"timestamp\":\"2024-02-01T00:00:00Z\",\"event_type\":\"alert\","
                 "\"alert\":{\"signature_id\":5},\"dns\":{\"type\":\"query\",\"id\":1,"
                 "\"rrname\":\"v2.example\",\"rrtype\":\"TXT\"}}");
    str_is(a.dns_rrname, "v2.example");
    str_is(a.dns_rrtype, "TXT");
    assert_int_equal(a.ip_version, 0);
    a = parse_ok("{\"timestamp\":\"2024-02-01T00:00:00Z\",\"event_type\":\"alert\","
                 "\"alert\":{\"signature_id\":5},\"dns\":{\"query\":[{\"type\":\"query\","
                 "\"rrname\":\"old.example\",\"rrtype\":\"MX\"}]}}");
    str_is(a.dns_rrname, "old.example");
    str_is(a.dns_rrtype, "MX");
    a = parse_ok("{\"timestamp\":\"2024-02-01T00:00:00Z\",\"alert\":{\"signature_id\":5},"
                 "\"dns\":{\"queries\":[]}}");
    str_is(a.dns_rrname, "");
}

static void test_eve_escapes_and_proto(void **state)
{
    hy_alert_in a = parse_ok(
        "{\"timestamp\":\"2020-01-01T00:00:00Z\",\"event_type\":\"al\\u0065rt\","
        "\"src_ip\":\"::ffff:10.0.0.1\",\"dest_ip\":\"fe80::1\",\"proto\":\"IPv6-ICMP\","
        "\"alert\":{\"signature_id\":9,\"signature\":\"quote \\\" tab \\t \\u00e9 \\ud83d\\ude00\"}}");
    str_is(a.signature, "quote \" tab \t \xc3\xa9 \xf0\x9f\x98\x80");
    assert_int_equal(a.proto, 58);
    assert_int_equal(a.ip_version, 6);
    a = parse_ok("{\"timestamp\":\"2020-01-01T00:00:00Z\",\"proto\":\"47\","
                 "\"alert\":{\"signature_id\":9}}");
    assert_int_equal(a.proto, 47);
    a = parse_ok("{\"timestamp\":\"2020-01-01T00:00:00Z\",\"proto\":132,"
                 "\"alert\":{\"signature_id\":9}}");
    assert_int_equal(a.proto, 132);
    a = parse_ok("{\"timestamp\":\"2020-01-01T00:00:00Z\",\"proto\":\"icmp\","
                 "\"alert\":{\"signature_id\":9}}");
    assert_int_equal(a.proto, 1);
    a = parse_ok("{\"timestamp\":\"2020-01-01T00:00:00Z\",\"proto\":\"QUIC-ish\","
                 "\"alert\":{\"signature_id\":9}}");
    assert_int_equal(a.proto, 0);
}

/* A minimal alert with the given timestamp text (JSON-ready). */
static hy_err ts_parse(const char *ts, uint64_t *ns)
{
    char line[256];
    hy_alert_in a;
    hy_err rc;
    snprintf(line, sizeof line,
             "{\"timestamp\":%s,\"event_type\":\"alert\",\"alert\":{\"signature_id\":1}}", ts);
    rc = hy_alertin_parse(P, line, strlen(line), &a);
    *ns = a.ts_ns;
    return rc;
}

static void test_timestamps(void **state)
{
    static const struct {
        const char *ts;
        uint64_t ns;
    } good[] = {
        {"\"2017-11-04T12:49:53.341727+0000\"", 1509799793341727000ull},
        {"\"2017-11-04T12:49:53.341727Z\"", 1509799793341727000ull},
        {"\"2017-11-04T06:49:53.341727-0600\"", 1509799793341727000ull},
        {"\"2017-11-04T18:19:53.341727+05:30\"", 1509799793341727000ull},
        {"\"2017-11-04T18:19:53.341727+0530\"", 1509799793341727000ull},
        {"\"2017-11-04T13:49:53.341727+01\"", 1509799793341727000ull},
        {"\"2017-11-04 12:49:53.341727\"", 1509799793341727000ull},
        {"\"2017-11-04T12:49:53+0000\"", 1509799793000000000ull},
        {"\"2017-11-04T12:49:53.3z\"", 1509799793300000000ull},
        {"\"2017-11-04T12:49:53.123456789123Z\"", 1509799793123456789ull},
        {"\"2016-02-29T00:00:00Z\"", 1456704000000000000ull},
        {"\"1970-01-01T00:00:00Z\"", 0},
        {"\"2000-03-01T00:00:00Z\"", 951868800000000000ull},
    };
    static const char *bad[] = {
        "\"2017-13-04T12:49:53Z\"",  "\"2017-02-30T00:00:00Z\"",      "\"2017-11-04T24:00:00Z\"",
        "\"1969-12-31T23:59:59Z\"",  "\"2017-11-04\"",                "\"2017-11-04T12:49:53.Z\"",
        "\"2017-11-04T12:49:53+1\"", "\"2017-11-04T12:49:53 +0000\"", "\"\"",
        "\"1970-01-01T00:00:00+0100\"", "\"2017-11-04T12:49:53Zx\"",  "12345",
        "\"2017-11-04T12:60:00Z\"",  "\"2017-11-04T12:49:53+24:00\"", "\"2600-01-01T00:00:00Z\"",
        "\"2017-11-04T12:49:53+05:\"", "\"17-11-04T12:49:53Z\"",      "null",
    };
    uint64_t ns;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (ts_parse(good[i].ts, &ns) != HY_OK)
            fail_msg("%s refused: %s", good[i].ts, hy_err_detail());
        if (ns != good[i].ns)
            fail_msg("%s: %llu", good[i].ts, (unsigned long long)ns);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (ts_parse(bad[i], &ns) != HY_ERR_FORMAT)
            fail_msg("%s accepted", bad[i]);
        if (!strstr(hy_err_detail(), "timestamp"))
            fail_msg("%s: detail %s", bad[i], hy_err_detail());
    }
}

static void test_non_alerts_and_blank(void **state)
{
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"event_type\":\"flow\","
                "\"src_ip\":\"1.2.3.4\",\"flow\":{\"age\":3}}", HY_ERR_NOTFOUND, NULL);
    parse_fails("{\"event_type\":\"stats\",\"stats\":{\"uptime\":1}}", HY_ERR_NOTFOUND, NULL);
    /* A non-alert with odd fields before its event_type is still skipped. */
    parse_fails("{\"src_ip\":\"not-an-ip\",\"event_type\":\"dns\"}", HY_ERR_NOTFOUND, NULL);
    parse_fails("", HY_ERR_NOTFOUND, NULL);
    parse_fails("   \t\r", HY_ERR_NOTFOUND, NULL);
    /* ...but bad JSON is malformed whatever its event_type. */
    parse_fails("{\"event_type\":\"flow\",\"x\":}", HY_ERR_FORMAT, "json");
    parse_fails("{\"event_type\":\"flow\"} trailing", HY_ERR_FORMAT, "trailing");
}

static void test_malformed_details(void **state)
{
    parse_fails("{\"event_type\":\"alert\",\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT,
                "timestamp missing");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"event_type\":\"alert\","
                "\"alert\":{\"gid\":1}}", HY_ERR_FORMAT, "alert.signature_id missing");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"event_type\":\"alert\"}",
                HY_ERR_FORMAT, "alert.signature_id missing");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"alert\":{\"signature_id\":\"7\"}}",
                HY_ERR_FORMAT, "alert.signature_id");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"alert\":{\"signature_id\":4294967296}}",
                HY_ERR_FORMAT, "alert.signature_id");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"src_port\":\"80\","
                "\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT, "src_port");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"dest_port\":65536,"
                "\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT, "dest_port");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"src_ip\":\"10.0.0.256\","
                "\"dest_ip\":\"10.0.0.1\",\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT,
                "src_ip");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"src_ip\":\"10.0.0.2\","
                "\"dest_ip\":\"::1\",\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT,
                "IP versions");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"src_ip\":\"10.0.0.2\","
                "\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT, "dest_ip missing");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"http\":{\"hostname\":5},"
                "\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT, "http.hostname");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"alert\":[1]}", HY_ERR_FORMAT,
                "alert is not an object");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"flow\":{\"start\":\"x\"},"
                "\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT, "flow.start");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"event_type\":7,"
                "\"alert\":{\"signature_id\":1}}", HY_ERR_FORMAT, "event_type");
    parse_fails("[1,2]", HY_ERR_FORMAT, "fast.log");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\"", HY_ERR_FORMAT, "json");
    parse_fails("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"alert\":{\"signature_id\":1}}}",
                HY_ERR_FORMAT, "trailing");
}

static void test_unknown_and_duplicates(void **state)
{
    hy_alert_in a = parse_ok(
        "{\"zzz\":{\"deep\":[[[{\"a\":null}]]],\"s\":\"\\u0041\"},\"timestamp\":\"2017-11-04T"
        "12:49:53Z\",\"alert\":{\"signature_id\":1,\"unknown\":[true,false],\"signature_id\":2,"
        "\"rev\":1},\"alert\":{\"signature_id\":3,\"signature\":\"second\"},\"n\":-1.5e-3,"
        "\"http\":{\"hostname\":null,\"url\":\"/u\"},\"hayate\":{\"other\":1},"
        "\"\\u0074imestamp\":\"2017-11-04T12:49:54Z\"}");
    assert_int_equal(a.sid, 3);     /* the second alert{} replaces the first */
    assert_int_equal(a.rev, 0);     /* ...as a whole */
    str_is(a.signature, "second");
    str_is(a.http_host, "");        /* null: absent */
    str_is(a.http_url, "/u");
    assert_true(a.ts_ns == 1509799794000000000ull); /* escaped key, last wins */
    assert_int_equal(a.fmt, HY_ALERTIN_EVE); /* hayate{} without kind */
}

static void test_hayate_roundtrip(void **state)
{
    hy_alert *al = NULL;
    hy_buf b;
    hy_alert_in a;
    uint64_t ts = 1700000000123456000ull;
    assert_int_equal(hy_alert_create(ts, "darknet", "darknet.outbreak", 2, 0.75,
                                     "Outbreak on port 23/tcp", "port 23", 7, &al),
                     HY_OK);
    al->ip_version = 4;
    al->proto = 6;
    assert_int_equal(inet_pton(AF_INET, "192.0.2.1", al->src), 1);
    assert_int_equal(inet_pton(AF_INET, "198.51.100.2", al->dst), 1);
    al->sport = 40000;
    al->dport = 23;
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy_alert_to_eve(al, &b), HY_OK);
    a = parse_ok(b.data);
    assert_int_equal(a.fmt, HY_ALERTIN_HAYATE);
    assert_true(a.sig_key == 0x82145e94ffc6970dull); /* 1<<63 | FNV-1a-64 of the kind */
    assert_int_equal(a.sid, 0);
    str_is(a.hy_engine, "darknet");
    str_is(a.hy_kind, "darknet.outbreak");
    str_is(a.hy_id, al->id);
    assert_true(a.hy_score == 0.75);
    assert_true(a.ts_ns == ts);
    assert_int_equal(a.severity, 2);
    str_is(a.signature, "Outbreak on port 23/tcp");
    assert_int_equal(a.ip_version, 4);
    ip_is(a.src, 4, "192.0.2.1");
    assert_int_equal(a.dport, 23);
    assert_int_equal(a.proto, 6);
    str_is(a.raw, b.data);
    hy_buf_free(&b);
    hy_alert_destroy(al);
}

static void test_line_endings_and_arena(void **state)
{
    char *big = malloc(200000), line[1024];
    hy_alert_in a;
    size_t n;
    assert_non_null(big);
    n = (size_t)snprintf(big, 200000,
                         "{\"timestamp\":\"2017-11-04T12:49:53Z\",\"alert\":{\"signature_id\":1,"
                         "\"signature\":\"%0150000d\"}}\r\n", 0);
    assert_int_equal(hy_alertin_parse(P, big, n, &a), HY_OK);
    assert_int_equal(a.signature.n, 150000);
    assert_int_equal(a.raw.n, n - 2); /* without "\r\n" */
    snprintf(line, sizeof line, "%s\r", CPTC);
    assert_int_equal(hy_alertin_parse(P, line, strlen(line), &a), HY_OK);
    str_is(a.raw, CPTC);
    str_is(a.category, "Potentially Bad Traffic");
    assert_int_equal(hy_alertin_parse(NULL, line, 1, &a), HY_ERR_ARG);
    assert_int_equal(hy_alertin_parse(P, NULL, 1, &a), HY_ERR_ARG);
    assert_int_equal(hy_alertin_parse(P, line, 1, NULL), HY_ERR_ARG);
    free(big);
}

static void test_fastlog_suricata(void **state)
{
    hy_alert_in a = parse_ok(
        "11/04/2017-12:49:53.341727  [**] [1:2010937:2] ET POLICY Suspicious inbound to mySQL "
        "port 3306 [**] [Classification: Potentially Bad Traffic] [Priority: 2] {TCP} "
        "10.0.254.32:38728 -> 10.0.0.27:3306");
    assert_int_equal(a.fmt, HY_ALERTIN_FASTLOG);
    assert_true(a.ts_ns == 1509799793341727000ull);
    assert_int_equal(a.gid, 1);
    assert_int_equal(a.sid, 2010937);
    assert_int_equal(a.rev, 2);
    assert_true(a.sig_key == (1ull << 32 | 2010937));
    str_is(a.signature, "ET POLICY Suspicious inbound to mySQL port 3306");
    str_is(a.category, "Potentially Bad Traffic");
    str_is(a.action, "allowed");
    assert_int_equal(a.severity, 2);
    assert_int_equal(a.proto, 6);
    assert_int_equal(a.ip_version, 4);
    ip_is(a.src, 4, "10.0.254.32");
    ip_is(a.dst, 4, "10.0.0.27");
    assert_int_equal(a.sport, 38728);
    assert_int_equal(a.dport, 3306);
    /* IPv6 as Suricata prints it: in full, the port after the last colon. */
    a = parse_ok("11/04/2017-12:49:53.341727  [**] [1:1:1] v6 [**] [Classification: (null)] "
                 "[Priority: 1] {TCP} 2001:0db8:0000:0000:0000:0000:0000:0001:80 -> "
                 "2001:0db8:0000:0000:0000:0000:0000:0002:44321");
    assert_int_equal(a.ip_version, 6);
    ip_is(a.src, 6, "2001:db8::1");
    ip_is(a.dst, 6, "2001:db8::2");
    assert_int_equal(a.sport, 80);
    assert_int_equal(a.dport, 44321);
    str_is(a.category, "");
    /* Drop prefixes, decoder events without endpoints, "PROTO:nnn". */
    a = parse_ok("11/04/2017-12:49:53.341727  [Drop] [**] [1:2:3] dropped [**] "
                 "[Classification: A] [Priority: 1] {TCP} 1.1.1.1:1 -> 2.2.2.2:2");
    str_is(a.action, "blocked");
    a = parse_ok("11/04/2017-12:49:53.341727  [wDrop] [**] [1:2:3] would [**] "
                 "[Classification: A] [Priority: 1] {UDP} 1.1.1.1:1 -> 2.2.2.2:2");
    str_is(a.action, "wdrop");
    assert_int_equal(a.proto, 17);
    a = parse_ok("11/04/2017-12:49:53.341727  [**] [1:2200003:2] SURICATA IPv4 truncated "
                 "packet [**] [Classification: Generic Protocol Command Decode] [Priority: 3] "
                 "[**] [Raw pkt: 00 11 22 ] [pcap file packet: 5]");
    assert_int_equal(a.ip_version, 0);
    assert_int_equal(a.sid, 2200003);
    a = parse_ok("11/04/2017-12:49:53.341727  [**] [1:5:1] ggp [**] [Classification: x] "
                 "[Priority: 3] {PROTO:003} 1.2.3.4 -> 5.6.7.8");
    assert_int_equal(a.proto, 3);
    assert_int_equal(a.ip_version, 4);
    /* ICMP: Suricata prints type and code where ports go; not kept. */
    a = parse_ok("11/04/2017-12:49:53.341727  [**] [1:2100366:8] GPL ICMP_INFO PING *NIX [**] "
                 "[Classification: Misc activity] [Priority: 3] {ICMP} 1.2.3.4:8 -> 5.6.7.8:0");
    assert_int_equal(a.proto, 1);
    assert_int_equal(a.sport, 0);
    ip_is(a.dst, 4, "5.6.7.8");
}

static void test_fastlog_snort(void **state)
{
    /* No year: 1970 (documented). */
    hy_alert_in a = parse_ok("01/22-10:26:15.123456  [**] [1:2000:1] Snort msg [**] "
                             "[Priority: 3] {UDP} 192.168.1.5:53 -> 10.1.1.1:5353");
    assert_true(a.ts_ns == 1851975123456000ull);
    str_is(a.category, "");
    assert_int_equal(a.severity, 3);
    /* Two-digit year, ICMP without ports. */
    a = parse_ok("11/04/17-12:49:53.341727  [**] [1:2100366:8] GPL ICMP_INFO PING [**] "
                 "[Classification: Misc activity] [Priority: 3] {ICMP} 1.2.3.4 -> 5.6.7.8");
    assert_true(a.ts_ns == 1509799793341727000ull);
    assert_int_equal(a.ip_version, 4);
    ip_is(a.src, 4, "1.2.3.4");
    assert_int_equal(a.sport, 0);
    /* Snort 3: one blank, quoted message. */
    a = parse_ok("07/16-09:23:39.153899 [**] [1:1000000:0] \"Log4j exploit\" [**] "
                 "[Priority: 0] {TCP} 192.168.1.2:50284 -> 192.168.2.3:80");
    str_is(a.signature, "Log4j exploit");
    assert_int_equal(a.dport, 80);
    /* Bracketed v6 and compressed v6 without ports. */
    a = parse_ok("11/04/2017-12:49:53  [**] [3:4:5] b [**] {UDP} [2001:db8::1]:53 -> "
                 "[2001:db8::2]:5353");
    ip_is(a.src, 6, "2001:db8::1");
    assert_int_equal(a.sport, 53);
    assert_int_equal(a.dport, 5353);
    assert_true(a.sig_key == (3ull << 32 | 4));
    a = parse_ok("11/04/2017-12:49:53  [**] [1:4:5] c [**] {IPv6-ICMP} fe80::1 -> ff02::1");
    ip_is(a.src, 6, "fe80::1");
    ip_is(a.dst, 6, "ff02::1");
    assert_int_equal(a.proto, 58);
}

static void test_fastlog_bad(void **state)
{
    const char *bad[] = {
        "garbage",
        "11/04/2017-12:49:53.341727  [**] [1:2] x [**] {TCP} 1.2.3.4:1 -> 5.6.7.8:2",
        "13/04/2017-12:49:53.341727  [**] [1:2:3] x [**] {TCP} 1.2.3.4:1 -> 5.6.7.8:2",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] no close {TCP} 1.2.3.4:1 -> 5.6.7.8:2",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] x [**] {TCP} 1.2.3.4:99999 -> 5.6.7.8:2",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] x [**] {TCP} 1.2.3.4:1 -> ",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] x [**] {TCP} 1.2.3.4:1 -> 5.6.7.8:2 extra",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] x [**] {TCP} 1.2.3.4:1 -> ::1",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] x [**] {TCP 1.2.3.4:1 -> 5.6.7.8:2",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] x [**] [Priority: high] {TCP} 1.2.3.4 -> 5.6.7.8",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] x [**] [Classification: open",
        "11/04/2017-12:49:53.341727  [**] [1:2:3] x [**] stray {TCP} 1.2.3.4 -> 5.6.7.8",
        "11/04/2017-12:49:53.341727[**] [1:2:3] x [**]",
        "11/04/2017-12:49:53.341727  [**] [1:4294967296:3] x [**]",
        "11/04/2017-12:49:53.  [**] [1:2:3] x [**]",
        "11/04/2017-12:49:53  [**] [1:2:3] x [**] {UDP} [2001:db8::1:53 -> [::2]:1",
        "11/04/2017-12:49:53  [**] [1:2:3] x [**] {UDP} [2001:db8::1]x -> [::2]:1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hy_alert_in a;
        hy_err rc = hy_alertin_parse(P, bad[i], strlen(bad[i]), &a);
        if (rc != HY_ERR_FORMAT)
            fail_msg("%s: %s", bad[i], hy_err_str(rc));
        if (!strstr(hy_err_detail(), "fast.log"))
            fail_msg("%s: detail %s", bad[i], hy_err_detail());
    }
}

/* Opens text (len bytes) as a stream and reads all alerts; line numbers of
 * the alerts into lines[] (at most max). */
static size_t read_all(const char *text, size_t len, hy_alertin_stats *st, uint64_t *lines,
                       size_t max)
{
    FILE *f = fmemopen((void *)text, len, "r");
    hy_alertin_reader *r = NULL;
    hy_alert_in a;
    uint64_t ln;
    size_t k = 0;
    hy_err rc;
    assert_non_null(f);
    assert_int_equal(hy_alertin_reader_create(f, "test", &r), HY_OK);
    while ((rc = hy_alertin_next(r, &a, &ln)) == HY_OK) {
        assert_true(a.fmt >= HY_ALERTIN_EVE && a.fmt <= HY_ALERTIN_FASTLOG);
        if (k < max)
            lines[k] = ln;
        k++;
    }
    assert_int_equal(rc, HY_ERR_NOTFOUND);
    assert_int_equal(hy_alertin_next(r, &a, &ln), HY_ERR_NOTFOUND);
    hy_alertin_stats_get(r, st);
    assert_true(st->lines == st->alerts + st->skipped + st->malformed);
    assert_int_equal(st->alerts, k);
    hy_alertin_reader_destroy(r);
    fclose(f);
    return k;
}

static void test_reader_lines(void **state)
{
    size_t big = HY_ALERTIN_MAX_LINE + 100, len = 0;
    char *text = malloc(big + 8192);
    hy_alertin_stats st;
    uint64_t lines[8] = {0};
    assert_non_null(text);
#define ADD(s) (memcpy(text + len, s, strlen(s)), len += strlen(s))
    ADD(CPTC);                                                               /* 1 */
    ADD("\n\n");                                                             /* 2: blank */
    ADD("{\"timestamp\":\"2017-11-04T12:49:53Z\",\"event_type\":\"flow\"}\n"); /* 3 */
    ADD("{\"timestamp\": broken\n");                                         /* 4 */
    ADD("11/04/2017-12:49:53.341727  [**] [1:2:3] m [**] {TCP} 1.2.3.4:1 -> 5.6.7.8:2\n");
    memset(text + len, 'x', big);                                            /* 6 */
    len += big;
    ADD("\n");
    ADD(CPTC);                                                               /* 7 */
    ADD("\r\ngarbage\n");                                                    /* 8 */
    ADD(CPTC);                                                               /* 9, no \n */
#undef ADD
    assert_int_equal(read_all(text, len, &st, lines, 8), 4);
    assert_int_equal(st.lines, 9);
    assert_int_equal(st.alerts, 4);
    assert_int_equal(st.skipped, 2);
    assert_int_equal(st.malformed, 3);
    assert_int_equal(st.first_bad_line, 4);
    assert_non_null(strstr(st.first_bad, "json"));
    assert_int_equal(lines[0], 1);
    assert_int_equal(lines[1], 5);
    assert_int_equal(lines[2], 7);
    assert_int_equal(lines[3], 9);
    /* The overlong line alone. */
    memset(text, 'y', big);
    text[big] = '\n';
    assert_int_equal(read_all(text, big + 1, &st, lines, 8), 0);
    assert_int_equal(st.malformed, 1);
    assert_int_equal(st.first_bad_line, 1);
    assert_non_null(strstr(st.first_bad, "longer than"));
    /* Empty stream. */
    assert_int_equal(read_all("", 0, &st, lines, 8), 0);
    assert_int_equal(st.lines, 0);
    free(text);
}

static void test_reader_array(void **state)
{
    char text[8192];
    hy_alertin_stats st;
    uint64_t lines[8] = {0};
    snprintf(text, sizeof text,
             "\n\n  [\n"                                          /* lines 1-3 */
             "  %s,\n"                                            /* 4 */
             "  {\"event_type\":\"stats\",\"stats\":{}},\n"      /* 5 */
             "  {\n   \"timestamp\":\"2017-11-04T12:49:53Z\",\n" /* 6 */
             "   \"event_type\":\"alert\"\n  },\n"
             "  5,\n"                                             /* 10 */
             "  %s\n]\n",                                         /* 11 */
             CPTC, HTTP);
    assert_int_equal(read_all(text, strlen(text), &st, lines, 8), 2);
    assert_int_equal(st.lines, 5);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.malformed, 2);
    assert_int_equal(st.first_bad_line, 6);
    assert_non_null(strstr(st.first_bad, "signature_id"));
    assert_int_equal(lines[0], 4);
    assert_int_equal(lines[1], 11);
    /* A broken array: what comes before the break, then one malformed. */
    snprintf(text, sizeof text, "[%s,\n{\"a\":1 \"b\"},%s]", CPTC, CPTC);
    assert_int_equal(read_all(text, strlen(text), &st, lines, 8), 1);
    assert_int_equal(st.malformed, 1);
    assert_int_equal(st.first_bad_line, 2);
    /* Trailing bytes after the array. */
    snprintf(text, sizeof text, "[%s] x", CPTC);
    assert_int_equal(read_all(text, strlen(text), &st, lines, 8), 1);
    assert_int_equal(st.malformed, 1);
    assert_non_null(strstr(st.first_bad, "trailing"));
    /* Empty array. */
    assert_int_equal(read_all("[ ]", 3, &st, lines, 8), 0);
    assert_int_equal(st.lines, 0);
}

static void test_reader_array_too_big(void **state)
{
    size_t n = HY_MAX_JSON_DOC + 10;
    char *text = malloc(n);
    hy_alertin_stats st;
    uint64_t lines[1];
    assert_non_null(text);
    memset(text, ' ', n);
    text[0] = '[';
    text[n - 1] = ']';
    assert_int_equal(read_all(text, n, &st, lines, 1), 0);
    assert_int_equal(st.lines, 1);
    assert_int_equal(st.malformed, 1);
    assert_non_null(strstr(st.first_bad, "larger than"));
    free(text);
}

static void test_reader_args(void **state)
{
    hy_alertin_reader *r = NULL;
    hy_alert_in a;
    assert_int_equal(hy_alertin_reader_create(NULL, "x", &r), HY_ERR_ARG);
    assert_int_equal(hy_alertin_next(NULL, &a, NULL), HY_ERR_ARG);
    hy_alertin_reader_destroy(NULL);
    hy_alertin_parser_destroy(NULL);
}

/* Reads path whole with the reader; returns the stats. */
static void read_path(const char *path, hy_alertin_stats *st)
{
    FILE *f = fopen(path, "rb");
    hy_alertin_reader *r = NULL;
    hy_alert_in a;
    hy_err rc;
    if (!f)
        fail_msg("cannot open %s", path);
    assert_int_equal(hy_alertin_reader_create(f, path, &r), HY_OK);
    while ((rc = hy_alertin_next(r, &a, NULL)) == HY_OK)
        assert_true(a.ts_ns > 0 && a.sid > 0 && a.signature.n > 0);
    assert_int_equal(rc, HY_ERR_NOTFOUND);
    hy_alertin_stats_get(r, st);
    hy_alertin_reader_destroy(r);
    fclose(f);
}

static void test_shared_datasets(void **state)
{
    const char *d = hy_test_shared_data();
    static const char *cptc[] = {"cptc2017_NationalTeam3_eve_alerts.json",
                                 "cptc2017_NationalTeam5_eve_alerts.json",
                                 "cptc2017_NationalTeam7_eve_alerts.json"};
    char path[1024];
    hy_alertin_stats st;
    uint64_t alerts = 0, malformed = 0;
    FILE *probe;
    if (!d)
        skip();
    snprintf(path, sizeof path, "%s/alerts/cptc2017/%s", d, cptc[0]);
    if (!(probe = fopen(path, "rb")))
        skip();
    fclose(probe);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/alerts/cptc2017/%s", d, cptc[i]);
        read_path(path, &st);
        alerts += st.alerts;
        malformed += st.malformed;
        if (st.malformed)
            fail_msg("%s line %llu: %s", path, (unsigned long long)st.first_bad_line,
                     st.first_bad);
    }
    assert_int_equal(alerts, 9977);
    assert_int_equal(malformed, 0);
    snprintf(path, sizeof path, "%s/alerts/suricata-sample-data/wrccdc-2017/alerts-only.json", d);
    read_path(path, &st);
    assert_int_equal(st.alerts, 161);
    assert_int_equal(st.malformed, 0);
    snprintf(path, sizeof path,
             "%s/alerts/suricata-sample-data/first-org-conf-2015/alerts-only.json", d);
    read_path(path, &st);
    assert_int_equal(st.alerts, 136);
    assert_int_equal(st.malformed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eve_cptc_line),
        cmocka_unit_test(test_eve_http_flow),
        cmocka_unit_test(test_eve_tls_v6),
        cmocka_unit_test(test_eve_dns_forms),
        cmocka_unit_test(test_eve_escapes_and_proto),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_non_alerts_and_blank),
        cmocka_unit_test(test_malformed_details),
        cmocka_unit_test(test_unknown_and_duplicates),
        cmocka_unit_test(test_hayate_roundtrip),
        cmocka_unit_test(test_line_endings_and_arena),
        cmocka_unit_test(test_fastlog_suricata),
        cmocka_unit_test(test_fastlog_snort),
        cmocka_unit_test(test_fastlog_bad),
        cmocka_unit_test(test_reader_lines),
        cmocka_unit_test(test_reader_array),
        cmocka_unit_test(test_reader_array_too_big),
        cmocka_unit_test(test_reader_args),
        cmocka_unit_test(test_shared_datasets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
