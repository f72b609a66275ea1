/* IOC extraction (lib/text/ioc*.c, noise.c): hand-made cases for every
 * type (found, normalised, and the look-alikes that must not be), offsets
 * in the original text, merging, sentences, noise reasons, the type
 * filter, checksum vectors, arguments and caps, and iocextract's test
 * strings (../shared/data/intel/ioc/iocextract, skipped when absent).
 * The per-type precision/recall fixture is test_text_ioc_fixture.c. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/ioc.h"
#include "text/ioc_int.h"

/* Extracts from s (all types). */
static void extract(const char *s, hy_ioc_list *l)
{
    memset(l, 0, sizeof *l);
    assert_int_equal(hy_ioc_extract(s, strlen(s), NULL, l), HY_OK);
}

static const hy_ioc *find(const hy_ioc_list *l, hy_ioc_type t, const char *v)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].type == t && !strcmp(l->v[i].value, v))
            return &l->v[i];
    return NULL;
}

static void dump(const char *s, const hy_ioc_list *l)
{
    printf("  in \"%s\":\n", s);
    for (size_t i = 0; i < l->n; i++)
        printf("    %s %s [%zu,%zu)\n", hy_ioc_type_name(l->v[i].type), l->v[i].value,
               l->v[i].start, l->v[i].end);
}

typedef struct want {
    const char *text;
    hy_ioc_type type;
    const char *value; /* NULL: the text holds no indicator of this type */
    const char *span;  /* the original text of the first occurrence, or NULL */
} want;

static void check_wants(const want *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hy_ioc_list l;
        extract(w[i].text, &l);
        if (w[i].value) {
            const hy_ioc *io = find(&l, w[i].type, w[i].value);
            if (!io) {
                dump(w[i].text, &l);
                fail_msg("case %zu: no %s \"%s\"", i, hy_ioc_type_name(w[i].type), w[i].value);
            }
            if (w[i].span && (io->end - io->start != strlen(w[i].span) ||
                              memcmp(w[i].text + io->start, w[i].span, strlen(w[i].span))))
                fail_msg("case %zu: span \"%.*s\", want \"%s\"", i, (int)(io->end - io->start),
                         w[i].text + io->start, w[i].span);
        } else {
            for (size_t k = 0; k < l.n; k++)
                if (l.v[k].type == w[i].type) {
                    dump(w[i].text, &l);
                    fail_msg("case %zu: unexpected %s", i, hy_ioc_type_name(w[i].type));
                }
        }
        hy_ioc_list_free(&l);
    }
}

/* The 16-byte word scan agrees with the byte table: every byte value at
 * every position of a word, words of every length up to 40, at the end of
 * the text or not. */
static void test_alnum_end(void **state)
{
    (void)state;
    unsigned char s[64];
    for (unsigned b = 0; b < 256; b++)
        for (size_t k = 0; k < 40; k++) {
            for (size_t q = 0; q < sizeof s; q++)
                s[q] = (unsigned char)"aZ09mQx7"[q % 8];
            s[k] = (unsigned char)b;
            size_t end = hy__is((unsigned char)b, HY__C_ALNUM) ? sizeof s : k;
            assert_int_equal(hy__alnum_end(s, 0, sizeof s), end);
            size_t cut = k + 3 < sizeof s ? k + 3 : sizeof s; /* the text ends soon after */
            assert_int_equal(hy__alnum_end(s, 0, cut), end < cut ? end : cut);
            assert_int_equal(hy__alnum_end(s, k, k), k); /* empty */
        }
}

static void test_type_names(void **state)
{
    hy_ioc_type t;
    (void)state;
    for (unsigned i = 0; i < HY_IOC__COUNT; i++) {
        assert_int_equal(hy_ioc_type_parse(hy_ioc_type_name((hy_ioc_type)i), &t), HY_OK);
        assert_int_equal(t, i);
    }
    assert_string_equal(hy_ioc_type_name(HY_IOC_ATTACK_TECHNIQUE), "attack-technique");
    assert_string_equal(hy_ioc_type_name(HY_IOC__COUNT), "unknown");
    assert_int_equal(hy_ioc_type_parse("IPv4", &t), HY_ERR_NOTFOUND);
    assert_int_equal(hy_ioc_type_parse(NULL, &t), HY_ERR_ARG);
}

static void test_network(void **state)
{
    static const want w[] = {
        {"C2 at 45.33.2.1.", HY_IOC_IPV4, "45.33.2.1", "45.33.2.1"},
        {"C2 at 45[.]33[.]2[.]1:443", HY_IOC_IPV4, "45.33.2.1", "45[.]33[.]2[.]1"},
        {"padded 045.033.002.001 here", HY_IOC_IPV4, "45.33.2.1", NULL},
        {"block 45.33.2.0/24 now", HY_IOC_IPV4_CIDR, "45.33.2.0/24", "45.33.2.0/24"},
        {"v1.2.3.4 and 1.2.3.4.5 and 300.1.1.1", HY_IOC_IPV4, NULL, NULL},
        {"host 2001:db8:0:0:0:0:0:1 up", HY_IOC_IPV6, "2001:db8::1", NULL},
        {"(fe80::1ff:fe23:4567:890a).", HY_IOC_IPV6, "fe80::1ff:fe23:4567:890a", NULL},
        {"loopback ::1 only", HY_IOC_IPV6, "::1", "::1"},
        {"std::string a::b 12:30:45 Abc::Def", HY_IOC_IPV6, NULL, NULL},
        {"Visit evil-site.co.uk.", HY_IOC_DOMAIN, "evil-site.co.uk", "evil-site.co.uk"},
        {"See EVIL.COM now", HY_IOC_DOMAIN, "evil.com", NULL},
        {"hosted on a1b2.duckdns.org today", HY_IOC_DOMAIN, "a1b2.duckdns.org", NULL},
        {"x 3x55o3u2b7cjs54e.onion y", HY_IOC_DOMAIN, "3x55o3u2b7cjs54e.onion", NULL},
        {"invoice.pdf readme.txt setup.exe config.js e.g. i.e. U.S. v2.15.0", HY_IOC_DOMAIN, NULL,
         NULL},
        {"end of it.Next sentence and f_in.read() and AppData\\Fasta.ski", HY_IOC_DOMAIN, NULL,
         NULL},
        {"Trojan.Win32.Agent.cz and b.ne x", HY_IOC_DOMAIN, NULL, NULL},
        {"archive.zip and notes.md", HY_IOC_DOMAIN, NULL, NULL},
        {"get hxxp://archive[.]zip/x", HY_IOC_DOMAIN, "archive.zip", NULL},
        {"www.update.zip", HY_IOC_DOMAIN, "www.update.zip", NULL},
        {"co.uk alone", HY_IOC_DOMAIN, NULL, NULL},
        {"Go to hxxps://evil[.]com:8443/a/b.php?x=1&y=2).", HY_IOC_URL,
         "https://evil.com:8443/a/b.php?x=1&y=2", "hxxps://evil[.]com:8443/a/b.php?x=1&y=2"},
        {"Go to hxxps://evil[.]com:8443/a", HY_IOC_DOMAIN, "evil.com", "evil[.]com"},
        {"[link](http://Evil.COM/Path)", HY_IOC_URL, "http://evil.com/Path", NULL},
        {"smb://10.0.0.5/share and", HY_IOC_URL, "smb://10.0.0.5/share", NULL},
        {"smb://10.0.0.5/share and", HY_IOC_IPV4, "10.0.0.5", NULL},
        {"ws://[2001:db8::7]:81/x", HY_IOC_IPV6, "2001:db8::7", NULL},
        {"ws://[2001:db8::7]:81/x", HY_IOC_URL, "ws://[2001:db8::7]:81/x", NULL},
        {"file:///etc/passwd", HY_IOC_URL, "file:///etc/passwd", NULL},
        {"ref techniquet1078https://attack.mitre.org/x", HY_IOC_URL, "https://attack.mitre.org/x",
         "https://attack.mitre.org/x"},
        {"a https://a.com/xhttps://b.com/y b", HY_IOC_URL, "https://b.com/y", NULL},
        {"see https://a.com/report[4] and", HY_IOC_URL, "https://a.com/report", NULL},
        {"foo://bar and http://intranet/x", HY_IOC_URL, NULL, NULL},
        {"mail Bob.Smith+x@Example-Mail.COM.", HY_IOC_EMAIL, "Bob.Smith+x@example-mail.com",
         "Bob.Smith+x@Example-Mail.COM"},
        {"mail bob[at]evil[.]org", HY_IOC_EMAIL, "bob@evil.org", "bob[at]evil[.]org"},
        {"mail bob[at]evil[.]org", HY_IOC_DOMAIN, "evil.org", "evil[.]org"},
        {"@handle and a@b and x@localhost", HY_IOC_EMAIL, NULL, NULL},
        {"00:1A:2B:3C:4D:5E", HY_IOC_MAC, "00:1a:2b:3c:4d:5e", NULL},
        {"mac 00-1a-2b-3c-4d-5e.", HY_IOC_MAC, "00:1a:2b:3c:4d:5e", "00-1a-2b-3c-4d-5e"},
        {"00:11:22:33:44:55:66 and 00:11:22:33:44", HY_IOC_MAC, NULL, NULL},
    };
    (void)state;
    check_wants(w, sizeof w / sizeof w[0]);
}

static void test_ids_and_hashes(void **state)
{
    static const want w[] = {
        {"md5 D41D8CD98F00B204E9800998ECF8427E.", HY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e",
         NULL},
        {"x da39a3ee5e6b4b0d3255bfef95601890afd80709 y", HY_IOC_SHA1,
         "da39a3ee5e6b4b0d3255bfef95601890afd80709", NULL},
        {"sample_e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.bin",
         HY_IOC_SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL},
        {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.exe", HY_IOC_FILENAME,
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.exe", NULL},
        {"a d41d8cd98f00b204e9800998ecf8427e0 and 0d41d8cd98f00b204e9800998ecf8427e b", HY_IOC_MD5,
         NULL, NULL},
        {"uuid 550e8400-e29b-41d4-a716-446655440000 and adc83b191b1c6ea0fd8b46cd9f32e592fc",
         HY_IOC_MD5, NULL, NULL},
        {"JA3: 72a589da586844d7f0818ce684948eea.", HY_IOC_JA3, "72a589da586844d7f0818ce684948eea",
         NULL},
        {"ja3s_hash=b742b407517bac9536a77a7b0fee28e9", HY_IOC_JA3,
         "b742b407517bac9536a77a7b0fee28e9", NULL},
        {"JA3 is a method. Sample hash 72a589da586844d7f0818ce684948eea", HY_IOC_MD5,
         "72a589da586844d7f0818ce684948eea", NULL},
        {"ssdeep 96:s4Ud1Lj96tHHlZDrwciQmA5kzo/4QTfnSb9cwp:hCcO9Zl5rwciAkztSr8 x", HY_IOC_SSDEEP,
         "96:s4Ud1Lj96tHHlZDrwciQmA5kzo/4QTfnSb9cwp:hCcO9Zl5rwciAkztSr8", NULL},
        {"at 12:30:45 and 10:1234:56 and 7:abcdef:gh", HY_IOC_SSDEEP, NULL, NULL},
        {"patch cve-2021-44228, CVE-2017-0144.", HY_IOC_CVE, "CVE-2021-44228", "cve-2021-44228"},
        {"CVE-2017-0144.", HY_IOC_CVE, "CVE-2017-0144", NULL},
        {"CVE-21-1 and CVE-2021-123", HY_IOC_CVE, NULL, NULL},
        {"uses T1059.001 and T1566.", HY_IOC_ATTACK_TECHNIQUE, "T1059.001", "T1059.001"},
        {"uses T1059.001 and T1566.", HY_IOC_ATTACK_TECHNIQUE, "T1566", NULL},
        {"tactic TA0001 group G0016 tool S0154", HY_IOC_ATTACK_TACTIC, "TA0001", NULL},
        {"tactic TA0001 group G0016 tool S0154", HY_IOC_ATTACK_GROUP, "G0016", NULL},
        {"tactic TA0001 group G0016 tool S0154", HY_IOC_ATTACK_SOFTWARE, "S0154", NULL},
        {"t1059 T12345 T1059.12 G20 S3", HY_IOC_ATTACK_TECHNIQUE, NULL, NULL},
        {"announced by AS13335 (Cloudflare)", HY_IOC_ASN, "AS13335", NULL},
        {"ASN 9009 and ASN: 16509", HY_IOC_ASN, "AS16509", NULL},
        {"AS 0174 here", HY_IOC_ASN, "AS174", NULL},
        {"as 2 files, AS well, AS0, ASN 3.5", HY_IOC_ASN, NULL, NULL},
    };
    (void)state;
    check_wants(w, sizeof w / sizeof w[0]);
}

static void test_host_paths(void **state)
{
    static const want w[] = {
        {"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon.", HY_IOC_REGKEY,
         "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon", NULL},
        {"set HKEY_CURRENT_USER\\Software\\Classes\\CLSID\\{2735412E-7F64}\\InProcServer32 now",
         HY_IOC_REGKEY,
         "HKEY_CURRENT_USER\\Software\\Classes\\CLSID\\{2735412E-7F64}\\InProcServer32", NULL},
        {"\"HKCU\\Software\\My App\\Run Key\"", HY_IOC_REGKEY, "HKCU\\Software\\My App\\Run Key",
         NULL},
        {"HKLM:\\\\Software\\\\Evil key", HY_IOC_REGKEY, "HKLM:\\Software\\Evil", NULL},
        {"HKLM alone and HKLM\\", HY_IOC_REGKEY, NULL, NULL},
        {"HKLM\\Software\\Run and HKCU\\Software\\X", HY_IOC_REGKEY, "HKLM\\Software\\Run",
         "HKLM\\Software\\Run"},
        {"HKLM\\Software\\Run and HKCU\\Software\\X", HY_IOC_REGKEY, "HKCU\\Software\\X", NULL},
        {"dropped C:\\Program Files (x86)\\Evil Co\\evil.exe, then", HY_IOC_WIN_PATH,
         "C:\\Program Files (x86)\\Evil Co\\evil.exe", NULL},
        {"dropped C:\\Program Files (x86)\\Evil Co\\evil.exe, then", HY_IOC_FILENAME, "evil.exe",
         NULL},
        {"(%APPDATA%\\Microsoft\\upd.ps1)", HY_IOC_WIN_PATH, "%APPDATA%\\Microsoft\\upd.ps1", NULL},
        {"copied to \\\\fileserver01\\c$\\Temp\\a.bat.", HY_IOC_WIN_PATH,
         "\\\\fileserver01\\c$\\Temp\\a.bat", NULL},
        {"pipe \\\\.\\pipe\\msagent_12 open", HY_IOC_WIN_PATH, "\\\\.\\pipe\\msagent_12", NULL},
        {"C:\\ and c: drive and 5:\\x", HY_IOC_WIN_PATH, NULL, NULL},
        {"wrote /tmp/.x/kworker.sh and /etc/cron.d/job.", HY_IOC_UNIX_PATH, "/tmp/.x/kworker.sh",
         NULL},
        {"wrote /tmp/.x/kworker.sh and /etc/cron.d/job.", HY_IOC_UNIX_PATH, "/etc/cron.d/job",
         NULL},
        {"wrote /tmp/.x/kworker.sh and /etc/cron.d/job.", HY_IOC_FILENAME, "kworker.sh", NULL},
        {"key ~/.ssh/authorized_keys", HY_IOC_UNIX_PATH, "~/.ssh/authorized_keys", NULL},
        {"and/or 24/7 </div> /etc /foo/bar http://x.com/etc/passwd", HY_IOC_UNIX_PATH, NULL, NULL},
        {"ran Invoice.pdf.exe and svchost.exe.", HY_IOC_FILENAME, "Invoice.pdf.exe", NULL},
        {"ran payload.ps1", HY_IOC_FILENAME, "payload.ps1", NULL},
        {"ran install.sh", HY_IOC_FILENAME, "install.sh", NULL},
        {"Node.js and report.pdf and evil.com", HY_IOC_FILENAME, NULL, NULL},
    };
    (void)state;
    check_wants(w, sizeof w / sizeof w[0]);
}

static void test_coins(void **state)
{
    static const want w[] = {
        {"pay 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.", HY_IOC_BITCOIN,
         "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", NULL},
        {"pay 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", HY_IOC_BITCOIN,
         "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", NULL},
        {"pay BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", HY_IOC_BITCOIN,
         "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", NULL},
        {"pay bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", HY_IOC_BITCOIN,
         "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", NULL},
        {"bad 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb and bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
         HY_IOC_BITCOIN, NULL, NULL},
        {"bad Bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", HY_IOC_BITCOIN, NULL, NULL},
        {"xmr 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wf"
         "n3RVGQBEP3A.",
         HY_IOC_MONERO,
         "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVG"
         "QB"
         "EP3A",
         NULL},
        {"xmr 44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wf"
         "n3RVGQBEP3B",
         HY_IOC_MONERO, NULL, NULL},
        {"eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", HY_IOC_ETHEREUM,
         "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", NULL},
        {"eth 0xde709f2102306220921060314715629080e2fb77", HY_IOC_ETHEREUM,
         "0xde709f2102306220921060314715629080e2fb77", NULL},
        {"eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", HY_IOC_ETHEREUM, NULL, NULL},
        {"eth 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed1", HY_IOC_ETHEREUM, NULL, NULL},
    };
    (void)state;
    check_wants(w, sizeof w / sizeof w[0]);
}

/* Published Keccak-256 and EIP-55 vectors. */
static void test_checksums(void **state)
{
    static const char *const eip55[] = {
        "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0x27b1fdb04752bbc536007a920d24acb045561c26", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"};
    static const uint8_t empty[32] = {0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c,
                                      0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
                                      0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b,
                                      0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70};
    static const uint8_t abc[4] = {0x4e, 0x03, 0x65, 0x7a};
    uint8_t h[32], big[300];
    (void)state;

    hy__keccak256("", 0, h);
    assert_memory_equal(h, empty, 32);
    hy__keccak256("abc", 3, h);
    assert_memory_equal(h, abc, 4);
    memset(big, 'a', sizeof big); /* more than one 136-byte block */
    hy__keccak256(big, sizeof big, h);
    for (size_t i = 0; i < sizeof eip55 / sizeof eip55[0]; i++) {
        char bad[43];
        assert_true(hy__ethereum_ok(eip55[i], 42));
        memcpy(bad, eip55[i], 43);
        for (size_t k = 2; k < 42; k++)
            if (bad[k] >= 'a' && bad[k] <= 'f') {
                bad[k] ^= 0x20; /* flip the case of one letter */
                break;
            } else if (bad[k] >= 'A' && bad[k] <= 'F') {
                bad[k] ^= 0x20;
                break;
            }
        if (strcmp(bad, eip55[i]) && strpbrk(bad + 2, "abcdef") && strpbrk(bad + 2, "ABCDEF"))
            assert_false(hy__ethereum_ok(bad, 42));
    }
    assert_true(hy__bitcoin_ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 42));
    assert_false(hy__bitcoin_ok("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", 42));
}

/* Offsets point into the original text; repeats merge; sentences. */
static void test_offsets_merge_sentences(void **state)
{
    const char *s = "First contact was evil[.]com today. Later EVIL.com and evil.com again.\n\n"
                    "Hash: d41d8cd98f00b204e9800998ecf8427e.";
    hy_ioc_list l;
    const hy_ioc *d, *h;
    (void)state;

    extract(s, &l);
    d = find(&l, HY_IOC_DOMAIN, "evil.com");
    assert_non_null(d);
    assert_int_equal(d->count, 3);
    assert_true(d->defanged);
    assert_int_equal(d->start, strstr(s, "evil[.]com") - s);
    assert_int_equal(d->end, d->start + strlen("evil[.]com"));
    assert_int_equal(d->sent_start, 0);
    assert_int_equal(d->sent_end, strstr(s, "today.") + 6 - s);
    h = find(&l, HY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e");
    assert_non_null(h);
    assert_false(h->defanged);
    assert_int_equal(h->sent_start, strstr(s, "Hash:") - s);
    assert_int_equal(h->sent_end, strlen(s));
    assert_null(h->noise);
    for (size_t i = 1; i < l.n; i++) /* order of first occurrence */
        assert_true(l.v[i - 1].start <= l.v[i].start);
    hy_ioc_list_free(&l);
    assert_int_equal(l.n, 0);
    assert_null(l.v);
}

static void test_noise(void **state)
{
    static const struct {
        hy_ioc_type t;
        const char *v, *why; /* why: a word the reason holds, or NULL for none */
    } c[] = {
        {HY_IOC_IPV4, "10.1.2.3", "1918"},
        {HY_IOC_IPV4, "172.31.0.1", "1918"},
        {HY_IOC_IPV4, "192.168.1.1", "1918"},
        {HY_IOC_IPV4, "127.0.0.1", "loopback"},
        {HY_IOC_IPV4, "169.254.1.1", "link-local"},
        {HY_IOC_IPV4, "224.0.0.251", "multicast"},
        {HY_IOC_IPV4, "198.51.100.7", "5737"},
        {HY_IOC_IPV4, "100.64.0.1", "6598"},
        {HY_IOC_IPV4, "255.255.255.255", "broadcast"},
        {HY_IOC_IPV4, "8.8.8.8", "DNS"},
        {HY_IOC_IPV4, "131.253.18.12", "sinkhole"},
        {HY_IOC_IPV4, "45.33.2.1", NULL},
        {HY_IOC_IPV4, "172.32.0.1", NULL},
        {HY_IOC_IPV4_CIDR, "10.0.0.0/8", "1918"},
        {HY_IOC_IPV6, "2001:db8::1", "3849"},
        {HY_IOC_IPV6, "fe80::1", "link-local"},
        {HY_IOC_IPV6, "fd00::5", "4193"},
        {HY_IOC_IPV6, "::1", "loopback"},
        {HY_IOC_IPV6, "::ffff:10.0.0.1", "1918"},
        {HY_IOC_IPV6, "2606:4700:4700::1111", "DNS"},
        {HY_IOC_IPV6, "2a01:4f8::1", NULL},
        {HY_IOC_DOMAIN, "example.com", "2606"},
        {HY_IOC_DOMAIN, "www.example.org", "2606"},
        {HY_IOC_DOMAIN, "host.test", "2606"},
        {HY_IOC_DOMAIN, "dc1.corp.local", "6762"},
        {HY_IOC_DOMAIN, "update.microsoft.com", "benign"},
        {HY_IOC_DOMAIN, "notmicrosoft.com", NULL},
        {HY_IOC_DOMAIN, "sinkhole.shadowserver.org", "sinkhole"},
        {HY_IOC_URL, "http://user@192.168.0.1:80/x", "1918"},
        {HY_IOC_URL, "https://[2001:db8::2]/", "3849"},
        {HY_IOC_URL, "https://evil.com/", NULL},
        {HY_IOC_EMAIL, "a@example.net", "2606"},
        {HY_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e", NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const char *r = hy__ioc_noise(c[i].t, c[i].v);
        if (c[i].why ? !r || !strstr(r, c[i].why) : r != NULL)
            fail_msg("noise(%s) = %s, want %s", c[i].v, r ? r : "none",
                     c[i].why ? c[i].why : "none");
    }
    /* and through extraction: marked, never dropped */
    hy_ioc_list l;
    extract("from 192.168.1.10 to 8.8.8.8", &l);
    assert_int_equal(l.n, 2);
    assert_non_null(l.v[0].noise);
    assert_non_null(l.v[1].noise);
    hy_ioc_list_free(&l);
}

static void test_filter_args_caps(void **state)
{
    const char *s = "evil.com 1.2.3.4 d41d8cd98f00b204e9800998ecf8427e";
    hy_ioc_opts o = {.types = 1u << HY_IOC_IPV4 | 1u << HY_IOC_MD5};
    hy_ioc_list l = {0};
    (void)state;

    assert_int_equal(hy_ioc_extract(s, strlen(s), &o, &l), HY_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[0].type, HY_IOC_IPV4);
    assert_int_equal(l.v[1].type, HY_IOC_MD5);
    assert_int_equal(hy_ioc_extract(s, strlen(s), NULL, &l), HY_ERR_ARG); /* not empty */
    hy_ioc_list_free(&l);
    assert_int_equal(hy_ioc_extract(NULL, 3, NULL, &l), HY_ERR_ARG);
    assert_int_equal(hy_ioc_extract(s, 3, NULL, NULL), HY_ERR_ARG);
    assert_int_equal(hy_ioc_extract(s, (size_t)HY_IOC_MAX_TEXT + 1, NULL, &l), HY_ERR_TOOBIG);
    assert_int_equal(hy_ioc_extract(NULL, 0, NULL, &l), HY_OK);
    assert_int_equal(l.n, 0);
    hy_ioc_list_free(NULL);
}

/* iocextract's test strings: what each valid line must yield (the refanged
 * indicator it spells), and invalid lines yield nothing at all. Lines
 * without a scheme ("192[.]168[.]0[.]1:80/path") are an address or a
 * domain here: a URL needs a scheme. */
static const struct {
    const char *line;
    hy_ioc_type t;
    const char *v;
} iocx[] = {
    {"01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b", HY_IOC_SHA256,
     "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b"},
    {"192.168.0.1", HY_IOC_IPV4, "192.168.0.1"},
    {"192[.]168[.]0[.]1", HY_IOC_IPV4, "192.168.0.1"},
    {"68b329da9893e34099c7d8ad5cb9c940", HY_IOC_MD5, "68b329da9893e34099c7d8ad5cb9c940"},
    {"adc83b19e793491b1c6ea0fd8b46cd9f32e592fc", HY_IOC_SHA1,
     "adc83b19e793491b1c6ea0fd8b46cd9f32e592fc"},
    {"be688838ca8686e5c90689bf2ab585cef1137c999b48c70b92f67a5c34dc15697b5d11c982ed6d71be1e1e7f7b4e"
     "0733884aa97c3f7a339a8ed03577cf74be09",
     HY_IOC_SHA512,
     "be688838ca8686e5c90689bf2ab585cef1137c999b48c70b92f67a5c34dc15697b5d11c982ed6d71be1e1e7f7b4e"
     "0733884aa97c3f7a339a8ed03577cf74be09"},
    {"http://123.123.123.123/test", HY_IOC_URL, "http://123.123.123.123/test"},
    {"http://192.168.0.1", HY_IOC_URL, "http://192.168.0.1"},
    {"http://192.168.0.1:80/path", HY_IOC_URL, "http://192.168.0.1:80/path"},
    {"http://192[.]168[.]0[.]1", HY_IOC_URL, "http://192.168.0.1"},
    {"http://192[.]168[.]0[.]1:80/path", HY_IOC_URL, "http://192.168.0.1:80/path"},
    {"http://[example.com", HY_IOC_URL, "http://example.com"},
    {"http://[fdc4:2581:575b:5a72:0000:0000:0000:0001]:80/path", HY_IOC_URL,
     "http://[fdc4:2581:575b:5a72::1]:80/path"},
    {"http://ex4mple.com", HY_IOC_URL, "http://ex4mple.com"},
    {"http://exa-mple.com", HY_IOC_URL, "http://exa-mple.com"},
    {"http://example.com", HY_IOC_URL, "http://example.com"},
    {"http://example.com/", HY_IOC_URL, "http://example.com/"},
    {"http://example.com:80/path", HY_IOC_URL, "http://example.com:80/path"},
    {"http://example.com[/]test", HY_IOC_URL, "http://example.com/test"},
    {"http://example[.]com", HY_IOC_URL, "http://example.com"},
    {"http://example[.]com/", HY_IOC_URL, "http://example.com/"},
    {"http://example[.]com/[.]", HY_IOC_URL, "http://example.com/"}, /* the path's "." trimmed */
    {"http://example[.]com/[.].com", HY_IOC_URL, "http://example.com/..com"},
    {"http://fdc4:2581:575b:5a72:0000:0000:0000:0001", HY_IOC_URL,
     "http://[fdc4:2581:575b:5a72::1]"},
    {"hxxp://example.com", HY_IOC_URL, "http://example.com"},
    {"hxxp://example[.]com", HY_IOC_URL, "http://example.com"},
    {"hxxp://example[.]com/", HY_IOC_URL, "http://example.com/"},
    {"tcp://192[.]168[.]0[.]1:80/path", HY_IOC_URL, "tcp://192.168.0.1:80/path"},
    {"tcp://[fdc4:2581:575b:5a72:0000:0000:0000:0001]:80/path", HY_IOC_URL,
     "tcp://[fdc4:2581:575b:5a72::1]:80/path"},
    {"192[.]168[.]0[.]1:80/path", HY_IOC_IPV4, "192.168.0.1"},
    {"192[.]168[.]0[.]1:9090/url", HY_IOC_IPV4, "192.168.0.1"},
    {"192[.]168[dot]0[.]1", HY_IOC_IPV4, "192.168.0.1"},
    {"192[.]188[dot]0[.]1:9090/url", HY_IOC_IPV4, "192.188.0.1"},
    {"example[.]com", HY_IOC_DOMAIN, "example.com"},
    {"example[.]com/", HY_IOC_DOMAIN, "example.com"},
    {"http://example(.)com/", HY_IOC_URL, "http://example.com/"},
    {"http://example,com/", HY_IOC_URL, "http://example.com/"},
    {"http://example[.com/", HY_IOC_URL, "http://example.com/"},
    {"hxxp://example[dot]com/", HY_IOC_URL, "http://example.com/"},
    {"short[.]is", HY_IOC_DOMAIN, "short.is"},
    {"tcp://example[.]com/", HY_IOC_URL, "tcp://example.com/"},
    {"tcp://example[.]com:80/", HY_IOC_URL, "tcp://example.com:80/"},
};

/* Calls fn on every line of file (in dir); false when it cannot be read. */
static bool each_line(const char *dir, const char *file, void (*fn)(const char *line, void *ud),
                      void *ud)
{
    char path[1024], line[1024];
    size_t n = 0;
    char *p;

    snprintf(path, sizeof path, "%s/intel/ioc/iocextract/%s", dir, file);
    if (!(p = (char *)hy_test_read_file(path, &n)))
        return false;
    for (size_t a = 0; a < n;) {
        size_t e = a;
        while (e < n && p[e] != '\n')
            e++;
        if (e > a && e - a < sizeof line) {
            memcpy(line, p + a, e - a);
            line[e - a] = '\0';
            fn(line, ud);
        }
        a = e + 1;
    }
    free(p);
    return true;
}

static void check_valid(const char *line, void *ud)
{
    size_t *count = ud;
    hy_ioc_list l;
    for (size_t i = 0; i < sizeof iocx / sizeof iocx[0]; i++) {
        if (strcmp(iocx[i].line, line))
            continue;
        extract(line, &l);
        if (!find(&l, iocx[i].t, iocx[i].v)) {
            dump(line, &l);
            fail_msg("valid \"%s\": no %s %s", line, hy_ioc_type_name(iocx[i].t), iocx[i].v);
        }
        hy_ioc_list_free(&l);
        (*count)++;
        return;
    }
    fail_msg("valid \"%s\" has no expectation in the test's table", line);
}

static void check_invalid(const char *line, void *ud)
{
    hy_ioc_list l;
    extract(line, &l);
    if (l.n) {
        dump(line, &l);
        fail_msg("invalid \"%s\" yielded %zu indicators", line, l.n);
    }
    hy_ioc_list_free(&l);
    (*(size_t *)ud)++;
}

static void test_iocextract_data(void **state)
{
    const char *dir = hy_test_shared_data();
    size_t valid = 0, invalid = 0, n = 0;
    char path[1024];
    char *all;
    hy_ioc_list l;
    (void)state;

    if (!dir || !each_line(dir, "valid.txt", check_valid, &valid)) {
        printf("iocextract: SKIP: ../shared/data/intel/ioc/iocextract absent\n");
        skip();
    }
    assert_true(each_line(dir, "invalid.txt", check_invalid, &invalid));
    /* the whole input file at once yields every expected indicator */
    snprintf(path, sizeof path, "%s/intel/ioc/iocextract/input.txt", dir);
    all = (char *)hy_test_read_file(path, &n);
    assert_non_null(all);
    memset(&l, 0, sizeof l);
    assert_int_equal(hy_ioc_extract(all, n, NULL, &l), HY_OK);
    for (size_t i = 0; i < sizeof iocx / sizeof iocx[0]; i++)
        if (!find(&l, iocx[i].t, iocx[i].v))
            fail_msg("input.txt: no %s %s", hy_ioc_type_name(iocx[i].t), iocx[i].v);
    printf("iocextract: %zu valid lines extracted, %zu invalid lines yield nothing\n", valid,
           invalid);
    assert_int_equal(valid, 46);
    assert_int_equal(invalid, 10);
    hy_ioc_list_free(&l);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alnum_end),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_ids_and_hashes),
        cmocka_unit_test(test_host_paths),
        cmocka_unit_test(test_coins),
        cmocka_unit_test(test_checksums),
        cmocka_unit_test(test_offsets_merge_sentences),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_filter_args_caps),
        cmocka_unit_test(test_iocextract_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
