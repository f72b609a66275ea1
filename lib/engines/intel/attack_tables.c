/* The ATT&CK tables: lookups, the TSV form (load, parse, write) and the
 * tactic -> kill-chain phase map (hayate/intel.h).
 *
 * TSV (data/attack/attack.tsv): '#' lines are comments ("# from: ..." keeps
 * the provenance); every other non-empty line holds seven tab-separated
 * fields, ids strictly increasing (strcmp order):
 *
 *   id  kind  name  tactics  aliases  domain  is_malware
 *   T1059.003  technique  Command and Scripting Interpreter: Windows Command Shell
 *              execution  (empty)  enterprise-attack  0
 *
 * kind is technique, tactic, group or software; tactics is a comma-separated
 * list of tactic shortnames ([a-z0-9-]); aliases is '|'-separated; is_malware
 * is 0 or 1. In name and aliases a backslash escapes: \\ \t \n \r and \xHH
 * (other control bytes); fields are valid UTF-8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attack_int.h"
#include "core/utf8.h"
#include "hayate/io.h"

/* ---- entries ---- */

void hy__attack_entry_clear(hy_attack_entry *e)
{
    free(e->name);
    free(e->tactics);
    free(e->aliases);
    free(e->domain);
    memset(e, 0, sizeof *e);
}

void hy_attack_tables_free(hy_attack_tables *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        hy__attack_entry_clear(&t->v[i]);
    free(t->v);
    free(t->sources);
    free(t);
}

hy_err hy__attack_push(hy_attack_tables *t, const hy_attack_entry *e)
{
    if (t->n >= HY_ATTACK_MAX_ENTRIES)
        return hy_err_set(HY_ERR_TOOBIG, "attack tables: more than %u entries",
                          HY_ATTACK_MAX_ENTRIES);
    if (t->n == t->alloc) {
        size_t na = t->alloc ? t->alloc * 2 : 256;
        hy_attack_entry *nv = realloc(t->v, na * sizeof *nv);
        if (!nv)
            return HY_ERR_NOMEM;
        t->v = nv;
        t->alloc = na;
    }
    hy_attack_entry *d = &t->v[t->n];
    *d = *e;
    d->name = strdup(e->name ? e->name : "");
    d->tactics = strdup(e->tactics ? e->tactics : "");
    d->aliases = strdup(e->aliases ? e->aliases : "");
    d->domain = strdup(e->domain ? e->domain : "");
    if (!d->name || !d->tactics || !d->aliases || !d->domain) {
        hy__attack_entry_clear(d);
        return HY_ERR_NOMEM;
    }
    t->n++;
    return HY_OK;
}

static const char *const kind_names[] = {"technique", "tactic", "group", "software"};

const char *hy__attack_kind_name(hy_attack_kind k)
{
    return (unsigned)k < 4 ? kind_names[k] : "unknown";
}

bool hy__attack_kind_parse(const char *s, hy_attack_kind *k)
{
    for (unsigned i = 0; i < 4; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *k = (hy_attack_kind)i;
            return true;
        }
    return false;
}

bool hy__attack_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n < 2 || n >= HY_ATTACK_ID_MAX || id[0] < 'A' || id[0] > 'Z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '.'))
            return false;
    return true;
}

static int entry_cmp(const void *k, const void *e)
{
    return strcmp(k, ((const hy_attack_entry *)e)->id);
}

const hy_attack_entry *hy_attack_find(const hy_attack_tables *t, const char *id)
{
    if (!t || !id || !t->n)
        return NULL;
    return bsearch(id, t->v, t->n, sizeof *t->v, entry_cmp);
}

size_t hy_attack_count(const hy_attack_tables *t)
{
    return t ? t->n : 0;
}

const hy_attack_entry *hy_attack_at(const hy_attack_tables *t, size_t i)
{
    return t && i < t->n ? &t->v[i] : NULL;
}

/* ---- the kill chain ----
 *
 * ATT&CK tactic shortname            Lockheed Martin Cyber Kill Chain phase
 * (Enterprise; ICS and Mobile reuse the shared names)
 *   reconnaissance                   reconnaissance
 *   resource-development             weaponization
 *   initial-access                   delivery
 *   execution                        exploitation
 *   privilege-escalation             exploitation
 *   persistence                      installation
 *   defense-evasion                  installation
 *   evasion (ICS)                    installation
 *   credential-access                actions-on-objectives
 *   discovery                        actions-on-objectives
 *   lateral-movement                 actions-on-objectives
 *   collection                       actions-on-objectives
 *   command-and-control              command-and-control
 *   exfiltration                     actions-on-objectives
 *   impact                           actions-on-objectives
 *   inhibit-response-function (ICS)  actions-on-objectives
 *   impair-process-control (ICS)     actions-on-objectives
 *   network-effects (Mobile)         actions-on-objectives
 *   remote-service-effects (Mobile)  actions-on-objectives
 *
 * The phase names are those of STIX's "lockheed-martin-cyber-kill-chain". */
static const struct {
    const char *tactic, *phase;
} killchain[] = {
    {"reconnaissance", "reconnaissance"},
    {"resource-development", "weaponization"},
    {"initial-access", "delivery"},
    {"execution", "exploitation"},
    {"privilege-escalation", "exploitation"},
    {"persistence", "installation"},
    {"defense-evasion", "installation"},
    {"evasion", "installation"},
    {"credential-access", "actions-on-objectives"},
    {"discovery", "actions-on-objectives"},
    {"lateral-movement", "actions-on-objectives"},
    {"collection", "actions-on-objectives"},
    {"command-and-control", "command-and-control"},
    {"exfiltration", "actions-on-objectives"},
    {"impact", "actions-on-objectives"},
    {"inhibit-response-function", "actions-on-objectives"},
    {"impair-process-control", "actions-on-objectives"},
    {"network-effects", "actions-on-objectives"},
    {"remote-service-effects", "actions-on-objectives"},
};

const char *hy_attack_killchain_phase(const char *tactic)
{
    for (size_t i = 0; tactic && i < sizeof killchain / sizeof *killchain; i++)
        if (strcmp(tactic, killchain[i].tactic) == 0)
            return killchain[i].phase;
    return NULL;
}

/* ---- TSV: parsing ---- */

#define NFIELDS 7

typedef struct tsv_ctx {
    const char *name; /* for details */
    size_t line;
    hy_attack_tables *t;
} tsv_ctx;

static int hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Unescapes field f[0..n) into a new string (*out, caller frees); checks the
 * cap and that the result is UTF-8 without NUL bytes. */
static hy_err unescape(const tsv_ctx *x, const char *what, const char *f, size_t n, size_t cap,
                       char **out)
{
    char *s = malloc(n + 1);
    size_t o = 0;
    if (!s)
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (c == '\\') {
            char e = i + 1 < n ? f[i + 1] : '\0';
            int hi = i + 2 < n ? hexval((unsigned char)f[i + 2]) : -1;
            int lo = i + 3 < n ? hexval((unsigned char)f[i + 3]) : -1;
            if (e == '\\' || e == 't' || e == 'n' || e == 'r') {
                c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : '\\';
                i++;
            } else if (e == 'x' && hi >= 0 && lo >= 0 && (hi || lo)) {
                c = (char)(hi << 4 | lo);
                i += 3;
            } else {
                free(s);
                return hy_err_set(HY_ERR_FORMAT,
                                  "%s: line %zu: %s: bad escape (\\\\ \\t \\n \\r \\xHH)", x->name,
                                  x->line, what);
            }
        }
        s[o++] = c;
    }
    s[o] = '\0';
    for (size_t i = 0; i < o;) {
        int k = hy_utf8_seq((const uint8_t *)s, o, i);
        if (k < 1) {
            free(s);
            return hy_err_set(HY_ERR_FORMAT, "%s: line %zu: %s: not valid UTF-8", x->name, x->line,
                              what);
        }
        i += (size_t)k;
    }
    if (o > cap || memchr(s, '\0', o)) {
        free(s);
        return hy_err_set(HY_ERR_FORMAT, "%s: line %zu: %s: %s", x->name, x->line, what,
                          o > cap ? "too long" : "holds a NUL byte");
    }
    *out = s;
    return HY_OK;
}

/* True when s[0..n) is made only of bytes in set, plus ranges a-z and 0-9
 * when lower is set. */
static bool chars_ok(const char *s, size_t n, const char *set, bool lower)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!(lower && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) &&
            !memchr(set, c, strlen(set)))
            return false;
    }
    return true;
}

/* Checks the plain (unescaped) fields: id, kind, tactics, domain, is_malware. */
static hy_err check_plain(tsv_ctx *x, const char *f[NFIELDS], const size_t n[NFIELDS],
                          hy_attack_entry *e)
{
    char kind[16];
    if (n[0] >= HY_ATTACK_ID_MAX)
        return hy_err_set(HY_ERR_FORMAT, "%s: line %zu: id longer than %u bytes", x->name, x->line,
                          HY_ATTACK_ID_MAX - 1);
    memcpy(e->id, f[0], n[0]);
    e->id[n[0]] = '\0';
    if (strlen(e->id) != n[0] || !hy__attack_id_ok(e->id))
        return hy_err_set(HY_ERR_FORMAT, "%s: line %zu: bad id (2 to 15 of A-Z 0-9 '.')", x->name,
                          x->line);
    if (x->t->n && strcmp(x->t->v[x->t->n - 1].id, e->id) >= 0)
        return hy_err_set(HY_ERR_FORMAT,
                          "%s: line %zu: id %s is a duplicate or out of order (ids must increase)",
                          x->name, x->line, e->id);
    snprintf(kind, sizeof kind, "%.*s", n[1] < 15 ? (int)n[1] : 15, f[1]);
    if (n[1] >= sizeof kind || strlen(kind) != n[1] || !hy__attack_kind_parse(kind, &e->kind))
        return hy_err_set(HY_ERR_FORMAT,
                          "%s: line %zu: kind must be technique, tactic, group or software",
                          x->name, x->line);
    if (n[3] > HY_ATTACK_MAX_LIST || !chars_ok(f[3], n[3], ",-", true) ||
        (e->kind == HY_ATTACK_TACTIC && n[3] == 0))
        return hy_err_set(HY_ERR_FORMAT,
                          "%s: line %zu: tactics must be shortnames (a-z 0-9 '-') "
                          "separated by ','",
                          x->name, x->line);
    if (n[5] == 0 || n[5] > HY_ATTACK_MAX_DOMAIN || !chars_ok(f[5], n[5], "-", true))
        return hy_err_set(HY_ERR_FORMAT, "%s: line %zu: domain must be 1 to %u of a-z 0-9 '-'",
                          x->name, x->line, HY_ATTACK_MAX_DOMAIN);
    if (n[6] != 1 || (f[6][0] != '0' && f[6][0] != '1'))
        return hy_err_set(HY_ERR_FORMAT, "%s: line %zu: is_malware must be 0 or 1", x->name,
                          x->line);
    e->is_malware = f[6][0] == '1';
    if (!(e->tactics = strndup(f[3], n[3])) || !(e->domain = strndup(f[5], n[5])))
        return HY_ERR_NOMEM;
    return HY_OK;
}

/* Parses one data line (l[0..n), no newline) and appends its entry. */
static hy_err parse_line(tsv_ctx *x, const char *l, size_t n)
{
    const char *f[NFIELDS];
    size_t fl[NFIELDS], nf = 0, start = 0;
    hy_attack_entry e = {0};
    hy_err rc;

    for (size_t i = 0; i <= n; i++) {
        if (i < n && l[i] != '\t')
            continue;
        if (nf < NFIELDS) {
            f[nf] = l + start;
            fl[nf] = i - start;
        }
        nf++;
        start = i + 1;
    }
    if (nf != NFIELDS)
        return hy_err_set(HY_ERR_FORMAT,
                          "%s: line %zu: %zu tab-separated fields, expected %d "
                          "(id kind name tactics aliases domain is_malware)",
                          x->name, x->line, nf, NFIELDS);
    if ((rc = check_plain(x, f, fl, &e)) != HY_OK ||
        (rc = unescape(x, "name", f[2], fl[2], HY_ATTACK_MAX_NAME, &e.name)) != HY_OK ||
        (rc = unescape(x, "aliases", f[4], fl[4], HY_ATTACK_MAX_LIST, &e.aliases)) != HY_OK)
        goto out;
    if (!e.name[0]) {
        rc = hy_err_set(HY_ERR_FORMAT, "%s: line %zu: empty name", x->name, x->line);
        goto out;
    }
    rc = hy__attack_push(x->t, &e);
out:
    hy__attack_entry_clear(&e);
    return rc;
}

/* Keeps a "# from: ..." comment as the provenance. */
static hy_err parse_comment(tsv_ctx *x, const char *l, size_t n)
{
    static const char tag[] = "# from: ";
    char *s = NULL;
    if (n < sizeof tag - 1 || memcmp(l, tag, sizeof tag - 1) != 0)
        return HY_OK;
    hy_err rc =
        unescape(x, "from", l + sizeof tag - 1, n - (sizeof tag - 1), HY_ATTACK_MAX_SOURCES, &s);
    if (rc == HY_OK) {
        free(x->t->sources);
        x->t->sources = s;
    }
    return rc;
}

hy_err hy_attack_tables_parse(const char *name, const void *data, size_t len,
                              hy_attack_tables **out)
{
    tsv_ctx x = {.name = name ? name : "attack tables"};
    const char *p = data;
    hy_err rc = HY_OK;

    if (!out || (!data && len))
        return hy_err_set(HY_ERR_ARG, "attack tables: NULL argument");
    *out = NULL;
    if (len > HY_ATTACK_MAX_TSV)
        return hy_err_set(HY_ERR_TOOBIG, "%s: %zu bytes, more than the cap of %u", x.name, len,
                          HY_ATTACK_MAX_TSV);
    if (!(x.t = calloc(1, sizeof *x.t)))
        return HY_ERR_NOMEM;
    for (size_t start = 0; start < len && rc == HY_OK;) {
        const char *nl = memchr(p + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - p) : len, n = end - start;
        x.line++;
        if (n && p[start + n - 1] == '\r')
            n--;
        if (n > HY_ATTACK_MAX_LINE)
            rc = hy_err_set(HY_ERR_TOOBIG, "%s: line %zu: longer than %u bytes", x.name, x.line,
                            HY_ATTACK_MAX_LINE);
        else if (n && p[start] == '#')
            rc = parse_comment(&x, p + start, n);
        else if (n)
            rc = parse_line(&x, p + start, n);
        start = end + 1;
    }
    if (rc != HY_OK) {
        hy_attack_tables_free(x.t);
        return rc;
    }
    *out = x.t;
    return HY_OK;
}

hy_err hy_attack_tables_load(const char *path, hy_attack_tables **out)
{
    hy_buf b;
    hy_err rc;
    if (!path || !out)
        return hy_err_set(HY_ERR_ARG, "attack tables: NULL argument");
    *out = NULL;
    hy_buf_init(&b, HY_ATTACK_MAX_TSV);
    rc = hy_buf_read_file(&b, path);
    if (rc == HY_ERR_TOOBIG)
        rc = hy_err_set(HY_ERR_TOOBIG, "%s: larger than the cap of %u bytes", path,
                        HY_ATTACK_MAX_TSV);
    if (rc == HY_OK)
        rc = hy_attack_tables_parse(path, b.data, b.len, out);
    hy_buf_free(&b);
    return rc;
}

/* ---- TSV: writing ---- */

static hy_err add_escaped(hy_buf *b, const char *s)
{
    hy_err rc = HY_OK;
    for (; *s && rc == HY_OK; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\')
            rc = hy_buf_adds(b, "\\\\");
        else if (c == '\t')
            rc = hy_buf_adds(b, "\\t");
        else if (c == '\n')
            rc = hy_buf_adds(b, "\\n");
        else if (c == '\r')
            rc = hy_buf_adds(b, "\\r");
        else if (c < 0x20 || c == 0x7f)
            rc = hy_buf_addf(b, "\\x%02x", c);
        else
            rc = hy_buf_addc(b, (char)c);
    }
    return rc;
}

hy_err hy__attack_tables_format(const hy_attack_tables *t, hy_buf *out)
{
    hy_err rc = hy_buf_adds(out, "# hayate ATT&CK tables (data/attack/README.md): id, kind, name, "
                                 "tactics, aliases, domain, is_malware\n");
    if (rc == HY_OK && t->sources && t->sources[0] &&
        (rc = hy_buf_adds(out, "# from: ")) == HY_OK &&
        (rc = add_escaped(out, t->sources)) == HY_OK)
        rc = hy_buf_addc(out, '\n');
    for (size_t i = 0; i < t->n && rc == HY_OK; i++) {
        const hy_attack_entry *e = &t->v[i];
        if ((rc = hy_buf_addf(out, "%s\t%s\t", e->id, hy__attack_kind_name(e->kind))) == HY_OK &&
            (rc = add_escaped(out, e->name)) == HY_OK &&
            (rc = hy_buf_addf(out, "\t%s\t", e->tactics)) == HY_OK &&
            (rc = add_escaped(out, e->aliases)) == HY_OK)
            rc = hy_buf_addf(out, "\t%s\t%d\n", e->domain, e->is_malware ? 1 : 0);
    }
    return rc;
}

hy_err hy_attack_tables_write(const hy_attack_tables *t, const char *path)
{
    hy_buf b;
    hy_err rc;
    if (!t || !path)
        return hy_err_set(HY_ERR_ARG, "attack tables: NULL argument");
    hy_buf_init(&b, HY_ATTACK_MAX_TSV);
    rc = hy__attack_tables_format(t, &b);
    if (rc == HY_ERR_TOOBIG)
        rc = hy_err_set(HY_ERR_TOOBIG, "%s: the tables pass the cap of %u bytes", path,
                        HY_ATTACK_MAX_TSV);
    if (rc == HY_OK)
        rc = hy_write_file_atomic(path, b.data ? b.data : "", b.len);
    hy_buf_free(&b);
    return rc;
}
