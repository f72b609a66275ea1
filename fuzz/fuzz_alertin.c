/* Fuzzes the external-alert parsers (lib/engines/screen/alertin*.c):
 * hy_alertin_parse on the whole input, each of its lines, and the reader
 * over fmemopen of the bytes. Invariants: only OK / NOTFOUND / FORMAT come
 * back; an alert's strings are NUL-terminated slices inside the parser's
 * arena (or the empty string); ip_version is 0, 4 or 6; fmt and sig_key
 * agree; the reader's stats add up (lines == alerts + skipped + malformed)
 * and, for line input, match parsing the lines one by one. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/screen/alertin_int.h"
#include "hayate/alertin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const hy_alertin_parser *p, hy_str s)
{
    if (!s.p || s.p[s.n] != '\0')
        abort();
    if (s.n > 0 && (s.p < p->arena || s.p + s.n >= p->arena + p->cap))
        abort();
}

static void check_alert(const hy_alertin_parser *p, const hy_alert_in *a, size_t n)
{
    const hy_str all[] = {a->signature,   a->category,    a->action,      a->app_proto,
                          a->in_iface,    a->http_host,   a->http_url,    a->http_method,
                          a->http_user_agent, a->dns_rrname, a->dns_rrtype, a->tls_sni,
                          a->tls_subject, a->tls_issuer,  a->tls_version, a->tls_ja3,
                          a->hy_engine,   a->hy_kind,     a->hy_id,       a->raw};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        check_str(p, all[i]);
    if (a->raw.n == 0 || a->raw.n > n)
        abort();
    if (a->ip_version != 0 && a->ip_version != 4 && a->ip_version != 6)
        abort();
    if (a->fmt == HY_ALERTIN_HAYATE) {
        if (!(a->sig_key >> 63) || a->sid != 0 || a->hy_kind.n == 0)
            abort();
    } else if (a->fmt == HY_ALERTIN_EVE || a->fmt == HY_ALERTIN_FASTLOG) {
        if (a->sig_key != ((uint64_t)a->gid << 32 | a->sid))
            abort();
    } else {
        abort();
    }
}

/* Parses one input; the outcome is 0 alert, 1 skipped, 2 malformed. */
static int parse_one(hy_alertin_parser *p, const char *s, size_t n)
{
    hy_alert_in a;
    hy_err rc = hy_alertin_parse(p, s, n, &a);
    if (rc == HY_OK) {
        check_alert(p, &a, n);
        return 0;
    }
    if (rc == HY_ERR_NOTFOUND)
        return 1;
    if (rc != HY_ERR_FORMAT || !hy_err_detail()[0])
        abort();
    return 2;
}

/* True when the reader will take the input as one JSON array. */
static bool array_input(const uint8_t *d, size_t n)
{
    size_t i = 0;
    while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
        i++;
    return i < n && d[i] == '[';
}

static void check_reader(hy_alertin_parser *p, const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "r");
    hy_alertin_reader *r = NULL;
    hy_alertin_stats st;
    hy_alert_in a;
    uint64_t ln, alerts = 0, prev = 0, want[3] = {0, 0, 0};
    hy_err rc;
    if (!f)
        return;
    if (hy_alertin_reader_create(f, "fuzz", &r) != HY_OK)
        abort();
    while ((rc = hy_alertin_next(r, &a, &ln)) == HY_OK) {
        if (ln == 0 || ln < prev || a.ip_version > 6)
            abort();
        prev = ln;
        alerts++;
    }
    if (rc != HY_ERR_NOTFOUND)
        abort();
    hy_alertin_stats_get(r, &st);
    if (st.lines != st.alerts + st.skipped + st.malformed || st.alerts != alerts ||
        (st.malformed > 0) != (st.first_bad_line > 0))
        abort();
    hy_alertin_reader_destroy(r);
    fclose(f);
    if (array_input(data, size))
        return;
    for (size_t i = 0; i < size;) { /* the same lines, one by one */
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        size_t end = nl ? (size_t)(nl - data) : size;
        want[parse_one(p, (const char *)data + i, end - i)]++;
        i = end + 1;
    }
    if (want[0] != st.alerts || want[1] != st.skipped || want[2] != st.malformed)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hy_alertin_parser *p = NULL;
    if (hy_alertin_parser_create(&p) != HY_OK)
        abort();
    parse_one(p, (const char *)data, size);
    if (size > 0)
        check_reader(p, data, size);
    hy_alertin_parser_destroy(p);
    return 0;
}
