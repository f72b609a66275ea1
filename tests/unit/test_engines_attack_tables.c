/* The ATT&CK tables (lib/engines/intel/attack_*.c): the TSV form (escapes,
 * comments, order, every refusal naming its line, caps, byte-exact round
 * trip), the tactic -> kill-chain map, building from STIX bundles
 * (revoked/deprecated skipped, sub-technique names, domains merged), the
 * software finder's word, case and order rules, and the shipped
 * data/attack/attack.tsv against the ATT&CK bundles in ../shared (skipped
 * when absent). HY_ATTACK_TSV_OUT=FILE writes the tables rebuilt from those
 * bundles to FILE (how data/attack/attack.tsv is made, data/attack/README.md). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/intel/attack_int.h"
#include "hayate/intel.h"

static hy_attack_tables *parse(const char *text, hy_err want)
{
    hy_attack_tables *t = NULL;
    hy_err rc = hy_attack_tables_parse("t.tsv", text, strlen(text), &t);
    if (rc != want)
        fail_msg("parse: %s (%s), wanted %s", hy_err_str(rc), hy_err_detail(), hy_err_str(want));
    return t;
}

#define TSV                                                                                        \
    "# hayate ATT&CK tables\n"                                                                     \
    "# from: test \\\\ data\n"                                                                     \
    "G0007\tgroup\tAPT28\t\tFancy Bear|Sofacy\tenterprise-attack\t0\n"                             \
    "S0154\tsoftware\tCobalt Strike\t\t\tenterprise-attack\t1\r\n"                                 \
    "\n"                                                                                           \
    "S0367\tsoftware\tEmotet\t\tGeodo\tenterprise-attack\t1\n"                                     \
    "T1059\ttechnique\tCommand and Scripting Interpreter\texecution\t\tenterprise-attack\t0\n"     \
    "T1059.003\ttechnique\tCommand and Scripting Interpreter: Windows Command "                    \
    "Shell\texecution\t\t"                                                                         \
    "enterprise-attack\t0\n"                                                                       \
    "T1566\ttechnique\tPhish\\ting\\\\ \\x01 "                                                     \
    "\\n\tinitial-access,execution\t\tenterprise-attack\t0\n"                                      \
    "TA0001\ttactic\tInitial Access\tinitial-access\t\tenterprise-attack\t0\n"

static void test_tsv(void **st)
{
    hy_attack_tables *t = parse(TSV, HY_OK), *t2;
    const hy_attack_entry *e;
    hy_buf a, b;
    (void)st;
    assert_int_equal(hy_attack_count(t), 7);
    assert_string_equal(hy_attack_at(t, 0)->id, "G0007");
    assert_string_equal(hy_attack_at(t, 6)->id, "TA0001");
    assert_null(hy_attack_at(t, 7));
    for (size_t i = 1; i < hy_attack_count(t); i++)
        assert_true(strcmp(hy_attack_at(t, i - 1)->id, hy_attack_at(t, i)->id) < 0);
    assert_non_null(e = hy_attack_find(t, "T1059.003"));
    assert_int_equal(e->kind, HY_ATTACK_TECHNIQUE);
    assert_string_equal(e->name, "Command and Scripting Interpreter: Windows Command Shell");
    assert_string_equal(e->tactics, "execution");
    assert_string_equal(e->domain, "enterprise-attack");
    assert_non_null(e = hy_attack_find(t, "T1566"));
    assert_string_equal(e->name, "Phish\ting\\ \x01 \n");
    assert_string_equal(e->tactics, "initial-access,execution");
    assert_non_null(e = hy_attack_find(t, "S0154"));
    assert_true(e->is_malware);
    assert_string_equal(e->aliases, "");
    assert_string_equal(hy_attack_find(t, "G0007")->aliases, "Fancy Bear|Sofacy");
    assert_int_equal(hy_attack_find(t, "TA0001")->kind, HY_ATTACK_TACTIC);
    assert_null(hy_attack_find(t, "T1059.00"));
    assert_null(hy_attack_find(t, "t1059"));
    assert_null(hy_attack_find(NULL, "T1059"));
    assert_null(hy_attack_find(t, NULL));
    assert_int_equal(hy_attack_count(NULL), 0);
    /* format -> parse -> format is byte-identical, the provenance kept */
    hy_buf_init(&a, 1 << 20);
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy__attack_tables_format(t, &a), HY_OK);
    assert_non_null(strstr(a.data, "# from: test \\\\ data\n"));
    assert_non_null(strstr(a.data, "Phish\\ting\\\\ \\x01 \\n\t"));
    assert_int_equal(hy_attack_tables_parse("a", a.data, a.len, &t2), HY_OK);
    assert_int_equal(hy__attack_tables_format(t2, &b), HY_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    /* write (atomically) and load back */
    char path[300];
    snprintf(path, sizeof path, "%s/attack.tsv", hy_test_tmpdir());
    assert_int_equal(hy_attack_tables_write(t2, path), HY_OK);
    hy_attack_tables_free(t2);
    assert_int_equal(hy_attack_tables_load(path, &t2), HY_OK);
    assert_int_equal(hy_attack_count(t2), 7);
    assert_string_equal(hy_attack_find(t2, "S0367")->aliases, "Geodo");
    hy_attack_tables_free(t2);
    hy_buf_free(&a);
    hy_buf_free(&b);
    hy_attack_tables_free(t);
    /* empty and comment-only documents are empty tables */
    t = parse("", HY_OK);
    assert_int_equal(hy_attack_count(t), 0);
    assert_null(hy_attack_find(t, "T1059"));
    hy_attack_tables_free(t);
    hy_attack_tables_free(parse("# nothing\n\n", HY_OK));
}

static void test_tsv_refusals(void **st)
{
    static const struct {
        const char *text, *what;
    } bad[] = {
        {"T1\ttechnique\tx\t\t\td\t0\nT1\ttechnique\ty\t\t\td\t0\n",
         "line 2: id T1 is a duplicate"},
        {"T2\ttechnique\tx\t\t\td\t0\nT1\ttechnique\ty\t\t\td\t0\n",
         "line 2: id T1 is a duplicate or out of order"},
        {"# c\nT1\ttechnique\tx\t\t\td\n", "line 2: 6 tab-separated fields, expected 7"},
        {"T1\ttechnique\tx\t\t\td\t0\t\n", "line 1: 8 tab-separated"},
        {"t1\ttechnique\tx\t\t\td\t0\n", "line 1: bad id"},
        {"T1 \ttechnique\tx\t\t\td\t0\n", "bad id"},
        {"T1234567890123456\ttechnique\tx\t\t\td\t0\n", "id longer"},
        {"T1\tmalware\tx\t\t\td\t0\n", "kind must be"},
        {"T1\ttechnique\t\t\t\td\t0\n", "empty name"},
        {"T1\ttechnique\tx\tExecution\t\td\t0\n", "tactics must be"},
        {"TA1\ttactic\tx\t\t\td\t0\n", "tactics must be"},
        {"T1\ttechnique\tx\t\t\t\t0\n", "domain must be"},
        {"T1\ttechnique\tx\t\t\tD\t0\n", "domain must be"},
        {"T1\ttechnique\tx\t\t\td\t2\n", "is_malware must be 0 or 1"},
        {"T1\ttechnique\tx\\q\t\t\td\t0\n", "name: bad escape"},
        {"T1\ttechnique\tx\\\t\t\td\t0\n", "name: bad escape"},
        {"T1\ttechnique\tx\\x0\t\t\td\t0\n", "bad escape"},
        {"T1\ttechnique\tx\\x00\t\t\td\t0\n", "bad escape"},
        {"T1\ttechnique\tx\xff\t\t\td\t0\n", "name: not valid UTF-8"},
        {"T1\ttechnique\tx\t\ta\\xc3\td\t0\n", "aliases: not valid UTF-8"},
    };
    hy_attack_tables *t;
    (void)st;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hy_err rc = hy_attack_tables_parse("t.tsv", bad[i].text, strlen(bad[i].text), &t);
        assert_int_equal(rc, HY_ERR_FORMAT);
        assert_null(t);
        if (!strstr(hy_err_detail(), bad[i].what) || !strstr(hy_err_detail(), "t.tsv"))
            fail_msg("case %zu: '%s' lacks '%s'", i, hy_err_detail(), bad[i].what);
    }
    static const char nul[] = "T1\ttech\0nique\tx\t\t\td\t0\n";
    assert_int_equal(hy_attack_tables_parse("t.tsv", nul, sizeof nul - 1, &t), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "kind must be"));
    static const char nul2[] = "T1\ttechnique\tx\0y\t\t\td\t0\n";
    assert_int_equal(hy_attack_tables_parse("t.tsv", nul2, sizeof nul2 - 1, &t), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "NUL"));
    /* caps */
    char *big = malloc(HY_ATTACK_MAX_LINE + 64);
    assert_non_null(big);
    int n = sprintf(big, "T1\ttechnique\t");
    memset(big + n, 'a', HY_ATTACK_MAX_LINE);
    strcpy(big + n + HY_ATTACK_MAX_LINE, "\t\t\td\t0\n");
    assert_int_equal(hy_attack_tables_parse("t.tsv", big, strlen(big), &t), HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "line 1: longer than"));
    n = sprintf(big, "T1\ttechnique\t");
    memset(big + n, 'a', HY_ATTACK_MAX_NAME + 1);
    strcpy(big + n + HY_ATTACK_MAX_NAME + 1, "\t\t\td\t0\n");
    assert_int_equal(hy_attack_tables_parse("t.tsv", big, strlen(big), &t), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "name: too long"));
    free(big);
    assert_int_equal(hy_attack_tables_parse("t.tsv", "x", (size_t)HY_ATTACK_MAX_TSV + 1, &t),
                     HY_ERR_TOOBIG);
    assert_int_equal(hy_attack_tables_parse("t.tsv", NULL, 1, &t), HY_ERR_ARG);
    assert_int_equal(hy_attack_tables_parse("t.tsv", "", 0, NULL), HY_ERR_ARG);
    assert_int_equal(hy_attack_tables_load("/nonexistent/attack.tsv", &t), HY_ERR_IO);
    assert_null(t);
    assert_non_null(strstr(hy_err_detail(), "/nonexistent/attack.tsv"));
    assert_int_equal(hy_attack_tables_write(NULL, "/tmp/x"), HY_ERR_ARG);
}

static void test_killchain(void **st)
{
    static const char *const map[][2] = {
        {"reconnaissance", "reconnaissance"},
        {"resource-development", "weaponization"},
        {"initial-access", "delivery"},
        {"execution", "exploitation"},
        {"privilege-escalation", "exploitation"},
        {"persistence", "installation"},
        {"defense-evasion", "installation"},
        {"credential-access", "actions-on-objectives"},
        {"discovery", "actions-on-objectives"},
        {"lateral-movement", "actions-on-objectives"},
        {"collection", "actions-on-objectives"},
        {"command-and-control", "command-and-control"},
        {"exfiltration", "actions-on-objectives"},
        {"impact", "actions-on-objectives"},
        {"evasion", "installation"},
        {"inhibit-response-function", "actions-on-objectives"},
        {"impair-process-control", "actions-on-objectives"},
        {"network-effects", "actions-on-objectives"},
        {"remote-service-effects", "actions-on-objectives"},
    };
    (void)st;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        const char *p = hy_attack_killchain_phase(map[i][0]);
        assert_non_null(p);
        assert_string_equal(p, map[i][1]);
    }
    assert_null(hy_attack_killchain_phase("Execution"));
    assert_null(hy_attack_killchain_phase("execution "));
    assert_null(hy_attack_killchain_phase(""));
    assert_null(hy_attack_killchain_phase(NULL));
}

static const char *write_tmp(const char *name, const char *text)
{
    static char path[8][300];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 300, "%s/%s", hy_test_tmpdir(), name);
    hy_test_write_file(p, text, strlen(text));
    return p;
}

#define REF(id)                                                                                    \
    "\"external_references\":[{\"source_name\":\"capec\",\"external_id\":\"CAPEC-1\"},"            \
    "{\"source_name\":\"mitre-attack\",\"external_id\":\"" id "\"}]"

static void test_from_stix(void **st)
{
    const char *ent = write_tmp(
        "ent.json",
        "{\"type\":\"bundle\",\"objects\":["
        "{\"type\":\"x-mitre-matrix\"," REF(
            "enterprise-attack") "},"
                                 "{\"type\":\"attack-pattern\",\"name\":\"Command and Scripting "
                                 "Interpreter\"," REF(
                                     "T1059") ","
                                              " \"kill_chain_phases\":[{\"kill_chain_name\":"
                                              "\"mitre-attack\",\"phase_name\":\"execution\"},"
                                              "  "
                                              "{\"kill_chain_name\":\"lockheed\",\"phase_name\":"
                                              "\"delivery\"},"
                                              "  "
                                              "{\"kill_chain_name\":\"mitre-attack\",\"phase_"
                                              "name\":\"execution\"}]},"
                                              "{\"type\":\"attack-pattern\",\"name\":\"Windows "
                                              "Command Shell\"," REF(
                                                  "T1059.003") ","
                                                               " \"kill_chain_phases\":[{\"kill_"
                                                               "chain_name\":\"mitre-attack\","
                                                               "\"phase_name\":\"execution\"}]},"
                                                               "{\"type\":\"attack-pattern\","
                                                               "\"name\":\"Old\",\"revoked\":"
                                                               "true," REF(
                                                                   "T1000") "},"
                                                                            "{\"type\":\"attack-"
                                                                            "pattern\",\"name\":"
                                                                            "\"Older\",\"x_mitre_"
                                                                            "deprecated\":"
                                                                            "true," REF(
                                                                                "T1001") "},"
                                                                                         "{\"type\""
                                                                                         ":\"attack"
                                                                                         "-pattern"
                                                                                         "\","
                                                                                         "\"name\":"
                                                                                         "\"No "
                                                                                         "id\"},"
                                                                                         "{\"type\""
                                                                                         ":\"attack"
                                                                                         "-pattern"
                                                                                         "\","
                                                                                         "\"name\":"
                                                                                         "\"Bad "
                                                                                         "id\""
                                                                                         "," REF(
                                                                                             "not "
                                                                                             "an "
                                                                                             "id") "},"
                                                                                                   "{\"type\":\"x-mitre-tactic\",\"name\":\"Execution\",\"x_mitre_shortname\":\"execution\"," REF(
                                                                                                       "TA0002") "},"
                                                                                                                 "{\"type\":\"x-mitre-tactic\",\"name\":\"No shortname\"," REF(
                                                                                                                     "TA0099") "},"
                                                                                                                               "{\"type\":\"intrusion-set\",\"name\":\"Sandworm Team\",\"aliases\":[\"Sandworm Team\",\"ELECTRUM\",\"a|b\"]," REF(
                                                                                                                                   "G0034") "},"
                                                                                                                                            "{\"type\":\"malware\",\"name\":\"Emotet\",\"x_mitre_aliases\":[\"Emotet\",\"Geodo\"]," REF(
                                                                                                                                                "S0367") "},"
                                                                                                                                                         "{\"type\":\"tool\",\"name\":\"at\"," REF(
                                                                                                                                                             "S0110") "},"
                                                                                                                                                                      "{\"type\":\"campaign\",\"name\":\"C\"," REF(
                                                                                                                                                                          "C0001") "},"
                                                                                                                                                                                   "{\"type\":\"identity\",\"name\":\"MITRE\"}, 17, \"x\"]}");
    const char *ics = write_tmp(
        "ics.json",
        "{\"type\":\"bundle\",\"objects\":["
        "{\"type\":\"x-mitre-collection\",\"name\":\"ICS ATT&CK\",\"x_mitre_version\":\"18.1\"},"
        "{\"type\":\"x-mitre-matrix\"," REF(
            "ics-attack") "},"
                          "{\"type\":\"intrusion-set\",\"name\":\"Sandworm "
                          "Team\",\"aliases\":[\"Sandworm Team\",\"IRIDIUM\",\"ELECTRUM\"]," REF(
                              "G0034") "},"
                                       "{\"type\":\"attack-pattern\",\"name\":\"Manipulation of "
                                       "Control\"," REF(
                                           "T0831") ","
                                                    " \"kill_chain_phases\":[{\"kill_chain_name\":"
                                                    "\"mitre-ics-attack\",\"phase_name\":\"impair-"
                                                    "process-control\"}]}]}");
    const char *paths[2] = {ics, ent}, *one[1];
    hy_attack_tables *t, *t2;
    const hy_attack_entry *e;
    (void)st;
    assert_int_equal(hy_attack_tables_from_stix(paths, 2, &t), HY_OK);
    assert_int_equal(hy_attack_count(t), 7);
    assert_non_null(e = hy_attack_find(t, "T1059.003"));
    assert_string_equal(e->name, "Command and Scripting Interpreter: Windows Command Shell");
    assert_string_equal(hy_attack_find(t, "T1059")->tactics, "execution");
    assert_null(hy_attack_find(t, "T1000"));
    assert_null(hy_attack_find(t, "T1001"));
    assert_null(hy_attack_find(t, "TA0099"));
    assert_null(hy_attack_find(t, "C0001"));
    assert_string_equal(hy_attack_find(t, "TA0002")->tactics, "execution");
    assert_non_null(e = hy_attack_find(t, "G0034"));
    assert_string_equal(e->domain,
                        "enterprise-attack"); /* the preferred domain, whatever the order */
    assert_string_equal(e->aliases, "ELECTRUM|IRIDIUM");
    assert_non_null(e = hy_attack_find(t, "T0831"));
    assert_string_equal(e->domain, "ics-attack");
    assert_string_equal(e->tactics, "impair-process-control");
    assert_true(hy_attack_find(t, "S0367")->is_malware);
    assert_string_equal(hy_attack_find(t, "S0367")->aliases, "Geodo");
    assert_false(hy_attack_find(t, "S0110")->is_malware);
    assert_non_null(t->sources);
    assert_string_equal(t->sources, "ICS ATT&CK 18.1, ent.json");
    /* the same tables whichever order the bundles come in */
    const char *rev[2] = {ent, ics};
    hy_buf a, b;
    hy_buf_init(&a, 1 << 20);
    hy_buf_init(&b, 1 << 20);
    assert_int_equal(hy_attack_tables_from_stix(rev, 2, &t2), HY_OK);
    hy__attack_tables_format(t, &a);
    hy__attack_tables_format(t2, &b);
    const char *la = strchr(a.data, '\n') + 1, *lb = strchr(b.data, '\n') + 1;
    la = strchr(la, '\n') + 1, lb = strchr(lb, '\n') + 1; /* past the "# from:" lines */
    assert_string_equal(la, lb);
    hy_buf_free(&a);
    hy_buf_free(&b);
    hy_attack_tables_free(t2);
    hy_attack_tables_free(t);
    /* refusals */
    one[0] = write_tmp("bad.json", "{\"type\":\"bundle\",\n \"objects\": [1,]}");
    assert_int_equal(hy_attack_tables_from_stix(one, 1, &t), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "bad.json: line 2"));
    one[0] = write_tmp("notbundle.json", "{\"type\":\"bundle\"}");
    assert_int_equal(hy_attack_tables_from_stix(one, 1, &t), HY_ERR_FORMAT);
    assert_non_null(strstr(hy_err_detail(), "not a STIX bundle"));
    one[0] = "/nonexistent/x.json";
    assert_int_equal(hy_attack_tables_from_stix(one, 1, &t), HY_ERR_IO);
    assert_null(t);
    assert_int_equal(hy_attack_tables_from_stix(one, 0, &t), HY_ERR_ARG);
    assert_int_equal(hy_attack_tables_from_stix(NULL, 1, &t), HY_ERR_ARG);
}

#define SOFTWARE_TSV                                                                               \
    "S0002\tsoftware\tMimikatz\t\t\tenterprise-attack\t0\n"                                        \
    "S0039\tsoftware\tNet\t\tnet.exe\tenterprise-attack\t0\n"                                      \
    "S0110\tsoftware\tat\t\tat.exe\tenterprise-attack\t0\n"                                        \
    "S0154\tsoftware\tCobalt Strike\t\t\tenterprise-attack\t1\n"                                   \
    "S0367\tsoftware\tEmotet\t\tGeodo\tenterprise-attack\t1\n"                                     \
    "S1062\tsoftware\tS.O.V.A.\t\t\tmobile-attack\t1\n"                                            \
    "S1073\tsoftware\tRoyal\t\t\tenterprise-attack\t1\n"                                           \
    "S1999\tsoftware\tX\t\t\tenterprise-attack\t1\n"                                               \
    "T1059\ttechnique\tEmotet Technique\texecution\t\tenterprise-attack\t0\n"

static void find(const hy_attack_tables *t, const char *text, const char *want)
{
    const hy_attack_entry **ids = NULL;
    size_t n = 0;
    char got[256] = "";
    assert_int_equal(hy_attack_find_software(t, text, strlen(text), &ids, &n), HY_OK);
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "", ids[i]->id);
    if (strcmp(got, want) != 0)
        fail_msg("'%s': found '%s', wanted '%s'", text, got, want);
    assert_true(n == 0 || ids != NULL);
    free(ids);
}

static void test_find_software(void **st)
{
    hy_attack_tables *t = parse(SOFTWARE_TSV, HY_OK);
    const hy_attack_entry **ids;
    size_t n;
    (void)st;
    find(t, "", "");
    find(t, "The actor dropped Emotet, then COBALT STRIKE and mimikatz.", "S0367,S0154,S0002");
    find(t, "geodo (Emotet) again: GEODO", "S0367");
    find(t, "Emotets and xEmotet and Emotet_x are not names", "");
    find(t, "Cobalt\n   Strike beacons", "S0154");
    find(t, "CobaltStrike", "");
    find(t, "they ran net user and NET view", "");
    find(t, "they ran Net user, then net.exe", "S0039");
    find(t, "look at this at 10:00", "");
    find(t, "scheduled with at.exe /every", "S0110");
    find(t, "Royal ransomware, a royal pain", "S1073");
    find(t, "a royal pain", "");
    find(t, "the S.O.V.A. banker; S.O.V.A.x", "S1062");
    find(t, "X marks the spot", ""); /* one-byte names are never used */
    find(t, "Mimikatz", "S0002");
    find(t, "Emotet Technique", "S0367"); /* only software */
    assert_int_equal(hy_attack_find_software(t, NULL, 1, &ids, &n), HY_ERR_ARG);
    assert_int_equal(hy_attack_find_software(NULL, "x", 1, &ids, &n), HY_ERR_ARG);
    /* not NUL-terminated: the length bounds the search */
    assert_int_equal(hy_attack_find_software(t, "EmotetMimikatz", 6, &ids, &n), HY_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ids[0]->id, "S0367");
    free(ids);
    hy_attack_tables_free(t);
}

/* The ATT&CK bundles in ../shared: sensible tables, equal to the shipped
 * data/attack/attack.tsv (regenerate it when this fails after an update). */
static void test_real_bundles(void **st)
{
    const char *data = hy_test_shared_data(), *out = getenv("HY_ATTACK_TSV_OUT");
    char p[3][1200], shipped[1200];
    const char *paths[3] = {p[0], p[1], p[2]};
    hy_attack_tables *t, *ship;
    size_t kinds[4] = {0};
    (void)st;
    if (!data) {
        print_message("attack tables: SKIP real bundles: ../shared absent\n");
        return;
    }
    snprintf(p[0], sizeof p[0], "%s/intel/attack/enterprise-attack-core.json", data);
    snprintf(p[1], sizeof p[1], "%s/intel/attack/ics-attack.json", data);
    snprintf(p[2], sizeof p[2], "%s/intel/attack/mobile-attack-17.1.json", data);
    assert_int_equal(hy_attack_tables_from_stix(paths, 3, &t), HY_OK);
    for (size_t i = 0; i < hy_attack_count(t); i++)
        kinds[hy_attack_at(t, i)->kind]++;
    print_message(
        "attack tables: %zu entries: %zu techniques, %zu tactics, %zu groups, %zu software "
        "(from %s)\n",
        hy_attack_count(t), kinds[0], kinds[1], kinds[2], kinds[3], t->sources);
    assert_true(kinds[HY_ATTACK_TECHNIQUE] > 800 && kinds[HY_ATTACK_TACTIC] >= 36);
    assert_true(kinds[HY_ATTACK_GROUP] > 150 && kinds[HY_ATTACK_SOFTWARE] > 700);
    const hy_attack_entry *e = hy_attack_find(t, "T1059.003");
    assert_non_null(e);
    assert_string_equal(e->name, "Command and Scripting Interpreter: Windows Command Shell");
    assert_string_equal(e->tactics, "execution");
    assert_string_equal(hy_attack_find(t, "TA0108")->domain, "ics-attack");
    assert_string_equal(hy_attack_find(t, "G0034")->domain, "enterprise-attack");
    for (size_t i = 0; i < hy_attack_count(t); i++)
        for (const char *s = hy_attack_at(t, i)->tactics; *s;) {
            char tac[64];
            size_t k = strcspn(s, ",");
            snprintf(tac, sizeof tac, "%.*s", (int)k, s);
            if (!hy_attack_killchain_phase(tac))
                fail_msg("%s: tactic %s has no kill-chain phase", hy_attack_at(t, i)->id, tac);
            s += k + (s[k] == ',');
        }
    if (out && *out) {
        assert_int_equal(hy_attack_tables_write(t, out), HY_OK);
        print_message("attack tables: wrote %s\n", out);
    }
    snprintf(shipped, sizeof shipped, "%s/data/attack/attack.tsv", hy_test_source_dir());
    if (hy_attack_tables_load(shipped, &ship) == HY_OK) {
        hy_buf a, b;
        hy_buf_init(&a, HY_ATTACK_MAX_TSV);
        hy_buf_init(&b, HY_ATTACK_MAX_TSV);
        assert_int_equal(hy__attack_tables_format(t, &a), HY_OK);
        assert_int_equal(hy__attack_tables_format(ship, &b), HY_OK);
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
            fail_msg("%s differs from the tables rebuilt from ../shared: regenerate it "
                     "(data/attack/README.md)",
                     shipped);
        print_message("attack tables: %s (%zu bytes) matches the bundles\n", shipped, b.len);
        hy_buf_free(&a);
        hy_buf_free(&b);
        hy_attack_tables_free(ship);
    } else {
        print_message("attack tables: SKIP shipped table: %s\n", hy_err_detail());
    }
    hy_attack_tables_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tsv),           cmocka_unit_test(test_tsv_refusals),
        cmocka_unit_test(test_killchain),     cmocka_unit_test(test_from_stix),
        cmocka_unit_test(test_find_software), cmocka_unit_test(test_real_bundles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
