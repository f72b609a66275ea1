/* hy_alert: creation with deterministic ULIDs, EVE serialisation, ordering. */
#include "hayate/alert.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "hayate/json.h"
#include "core/fnv.h"

static const char hy__crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Bit k (0 = most significant) of the 128-bit big-endian value v. */
static unsigned bit_at(const uint8_t v[16], int k)
{
    return (v[k >> 3] >> (7 - (k & 7))) & 1u;
}

void hy_ulid_encode(uint64_t ms, const uint8_t rnd[10], char out[HY_ALERT_ID_LEN + 1])
{
    uint8_t v[16];
    for (int i = 0; i < 6; i++)
        v[i] = (uint8_t)(ms >> (8 * (5 - i)));
    memcpy(v + 6, rnd, 10);
    /* 26 chars x 5 bits = 130 bits: the value is left-padded with 2 zero
     * bits, so the first char carries only the top 3 bits. Time above
     * 48 bits is dropped, as the spec's 48-bit field requires. */
    for (int c = 0; c < HY_ALERT_ID_LEN; c++) {
        unsigned x = 0;
        for (int b = 0; b < 5; b++) {
            int k = c * 5 + b - 2;
            x = (x << 1) | (k < 0 ? 0u : bit_at(v, k));
        }
        out[c] = hy__crockford[x];
    }
    out[HY_ALERT_ID_LEN] = '\0';
}

static void put_u64be(uint8_t p[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * (7 - i)));
}

/* The 80 "random" bits: SHA-256 of the identity, so ids are reproducible. */
static hy_err derive_rnd(uint64_t time_ns, const char *engine, const char *kind,
                         const char *subject, uint64_t disc, uint8_t rnd[10])
{
    uint8_t t[8], d[8], md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    hy_err err = HY_ERR_INTERNAL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return hy_err_set(HY_ERR_NOMEM, "alert id: no digest context");
    put_u64be(t, time_ns);
    put_u64be(d, disc);
    /* NUL separators keep ("ab","c") and ("a","bc") apart. */
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, t, sizeof t) != 1 ||
        EVP_DigestUpdate(ctx, engine, strlen(engine) + 1) != 1 ||
        EVP_DigestUpdate(ctx, kind, strlen(kind) + 1) != 1 ||
        EVP_DigestUpdate(ctx, subject, strlen(subject) + 1) != 1 ||
        EVP_DigestUpdate(ctx, d, sizeof d) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen < 10) {
        hy_err_set(err, "alert id: SHA-256 failed");
        goto out;
    }
    memcpy(rnd, md, 10);
    err = HY_OK;
out:
    EVP_MD_CTX_free(ctx);
    return err;
}

static hy_err copy_name(char *dst, size_t cap, const char *src, const char *what)
{
    size_t n;
    if (!src || !*src)
        return hy_err_set(HY_ERR_ARG, "alert: %s is required", what);
    n = strlen(src);
    if (n >= cap)
        return hy_err_set(HY_ERR_ARG, "alert: %s \"%.40s...\" longer than %zu bytes",
                          what, src, cap - 1);
    memcpy(dst, src, n + 1);
    return HY_OK;
}

hy_err hy_alert_create(uint64_t time_ns, const char *engine, const char *kind,
                       int severity, double score, const char *title,
                       const char *subject, uint64_t discriminator, hy_alert **out)
{
    hy_err err;
    uint8_t rnd[10];
    hy_alert *a = NULL;

    if (!out)
        return hy_err_set(HY_ERR_ARG, "alert: out is NULL");
    *out = NULL;
    if (!title || !subject)
        return hy_err_set(HY_ERR_ARG, "alert: title and subject are required");
    if (severity < 1 || severity > 4)
        return hy_err_set(HY_ERR_ARG, "alert: severity %d outside 1..4", severity);
    if (!(score >= 0.0 && score <= 1.0)) /* also rejects NaN */
        return hy_err_set(HY_ERR_ARG, "alert: score %g outside 0..1", score);
    a = calloc(1, sizeof *a);
    if (!a)
        return hy_err_set(HY_ERR_NOMEM, "alert: out of memory");
    if ((err = copy_name(a->engine, sizeof a->engine, engine, "engine")) ||
        (err = copy_name(a->kind, sizeof a->kind, kind, "kind")))
        goto out;
    a->time_ns = time_ns;
    a->severity = severity;
    a->score = score;
    a->title = strdup(title);
    a->subject = strdup(subject);
    a->evidence = strdup("{}");
    if (!a->title || !a->subject || !a->evidence) {
        err = hy_err_set(HY_ERR_NOMEM, "alert: out of memory");
        goto out;
    }
    if ((err = derive_rnd(time_ns, engine, kind, subject, discriminator, rnd)))
        goto out;
    hy_ulid_encode(time_ns / 1000000u, rnd, a->id);
    *out = a;
    a = NULL;
out:
    hy_alert_destroy(a);
    return err;
}

static hy_err dup_str(char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return HY_OK;
    *dst = strdup(src);
    return *dst ? HY_OK : hy_err_set(HY_ERR_NOMEM, "alert: out of memory");
}

hy_err hy_alert_dup(const hy_alert *a, hy_alert **out)
{
    hy_err err;
    hy_alert *c;
    if (!a || !out)
        return hy_err_set(HY_ERR_ARG, "alert dup: NULL argument");
    *out = NULL;
    c = malloc(sizeof *c);
    if (!c)
        return hy_err_set(HY_ERR_NOMEM, "alert: out of memory");
    *c = *a;
    c->title = c->subject = c->evidence = c->attack = NULL;
    if ((err = dup_str(&c->title, a->title)) || (err = dup_str(&c->subject, a->subject)) ||
        (err = dup_str(&c->evidence, a->evidence)) || (err = dup_str(&c->attack, a->attack))) {
        hy_alert_destroy(c);
        return err;
    }
    *out = c;
    return HY_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

hy_err hy_alert_set_evidence(hy_alert *a, const char *json_object)
{
    const char *p = json_object, *e;
    char *copy;
    if (!a || !json_object)
        return hy_err_set(HY_ERR_ARG, "alert evidence: NULL argument");
    while (is_space(*p))
        p++;
    e = p + strlen(p);
    while (e > p && is_space(e[-1]))
        e--;
    if (e - p < 2 || *p != '{' || e[-1] != '}')
        return hy_err_set(HY_ERR_ARG, "alert evidence: not a JSON object");
    copy = strndup(p, (size_t)(e - p));
    if (!copy)
        return hy_err_set(HY_ERR_NOMEM, "alert: out of memory");
    free(a->evidence);
    a->evidence = copy;
    return HY_OK;
}

hy_err hy_alert_set_attack(hy_alert *a, const char *ids)
{
    char *copy = NULL;
    if (!a)
        return hy_err_set(HY_ERR_ARG, "alert attack: NULL alert");
    if (ids && *ids) {
        for (const char *p = ids; *p; p++) {
            char c = *p;
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == ','))
                return hy_err_set(HY_ERR_ARG, "alert attack: bad character in \"%.64s\"", ids);
        }
        copy = strdup(ids);
        if (!copy)
            return hy_err_set(HY_ERR_NOMEM, "alert: out of memory");
    }
    free(a->attack);
    a->attack = copy;
    return HY_OK;
}

void hy_alert_destroy(hy_alert *a)
{
    if (!a)
        return;
    free(a->title);
    free(a->subject);
    free(a->evidence);
    free(a->attack);
    free(a);
}

/* FNV-1a of kind, kept to 31 bits and non-zero so consumers that read
 * signature_id as a signed 32-bit integer see a positive value. */
static uint32_t signature_id(const char *kind)
{
    uint32_t h = hy_fnv32(HY_FNV32_INIT, kind, strlen(kind)) & 0x7fffffffu;
    return h ? h : 1u;
}

/* Protocol name as Suricata writes it in EVE; other numbers as decimal text
 * in num. */
static const char *proto_name(uint8_t proto, char num[4])
{
    switch (proto) {
    case 1: return "ICMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 47: return "GRE";
    case 58: return "IPv6-ICMP";
    case 132: return "SCTP";
    default:
        snprintf(num, 4, "%u", proto);
        return num;
    }
}

static int has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132;
}

static void eve_addrs(hy_json *j, const hy_alert *a)
{
    char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], num[4];
    int af = a->ip_version == 6 ? AF_INET6 : AF_INET;
    if (!inet_ntop(af, a->src, s, sizeof s) || !inet_ntop(af, a->dst, d, sizeof d))
        return;
    hy_json_kstr(j, "src_ip", s);
    if (has_ports(a->proto))
        hy_json_kuint(j, "src_port", a->sport);
    hy_json_kstr(j, "dest_ip", d);
    if (has_ports(a->proto))
        hy_json_kuint(j, "dest_port", a->dport);
    hy_json_kstr(j, "proto", proto_name(a->proto, num));
}

static void eve_attack(hy_json *j, const char *attack)
{
    hy_json_key(j, "attack");
    hy_json_arr_open(j);
    for (const char *p = attack; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n)
            hy_json_strn(j, p, n);
        p += n;
        if (*p == ',')
            p++;
    }
    hy_json_arr_close(j);
}

hy_err hy_alert_to_eve(const hy_alert *a, hy_buf *out)
{
    hy_json j;
    hy_err err;
    size_t start;
    if (!a || !out)
        return hy_err_set(HY_ERR_ARG, "alert eve: NULL argument");
    start = out->len;
    hy_json_init(&j, out);
    hy_json_obj_open(&j);
    hy_json_key(&j, "timestamp");
    hy_json_time(&j, a->time_ns);
    hy_json_kstr(&j, "event_type", "alert");
    if (a->ip_version == 4 || a->ip_version == 6)
        eve_addrs(&j, a);
    if (a->community_id[0])
        hy_json_kstr(&j, "community_id", a->community_id);

    hy_json_key(&j, "alert");
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "action", "allowed");
    hy_json_kint(&j, "gid", 1);
    hy_json_kuint(&j, "signature_id", signature_id(a->kind));
    hy_json_kint(&j, "rev", 1);
    hy_json_kstr(&j, "signature", a->title ? a->title : "");
    hy_json_kstr(&j, "category", a->kind);
    hy_json_kint(&j, "severity", a->severity);
    hy_json_obj_close(&j);

    hy_json_key(&j, "hayate");
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "id", a->id);
    hy_json_kstr(&j, "engine", a->engine);
    hy_json_kstr(&j, "kind", a->kind);
    hy_json_kdouble(&j, "score", a->score);
    hy_json_kstr(&j, "subject", a->subject ? a->subject : "");
    hy_json_key(&j, "evidence");
    hy_json_raw(&j, a->evidence && *a->evidence ? a->evidence : "{}");
    eve_attack(&j, a->attack);
    hy_json_obj_close(&j);
    hy_json_obj_close(&j);

    err = hy_json_finish(&j);
    if (err) {
        /* Leave out as it was: no half-written line. */
        if (out->data) {
            out->len = start;
            out->data[start] = '\0';
        }
        return hy_err_set(err, "alert %s: cannot write EVE line (%s)", a->id, hy_err_str(err));
    }
    return HY_OK;
}

static int cmp_str(const char *x, const char *y)
{
    if (!x || !y)
        return (x != NULL) - (y != NULL);
    return strcmp(x, y);
}

int hy_alert_cmp(const hy_alert *a, const hy_alert *b)
{
    int c;
    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    if ((c = strcmp(a->engine, b->engine)) || (c = strcmp(a->kind, b->kind)) ||
        (c = cmp_str(a->subject, b->subject)))
        return c;
    return strcmp(a->id, b->id);
}
