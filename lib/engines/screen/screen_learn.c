/* The screen engine learns from analysts' verdicts (docs/screen.md):
 * hayate dataset build screen writes one row per judged screen.alert (its
 * cluster, endpoints, time and features); hayate train screen turns the
 * rows into verdict counts per cluster, hosts judged compromised, the
 * (source, signature) pairs judged benign, and a cost-sensitive XGBoost
 * model; a running engine loads them on reload. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/screen/screen_learn.h"
#include "hayate/ftab.h"
#include "hayate/gbm.h"
#include "hayate/io.h"
#include "hayate/json.h"

#define MODEL_MAX (256u << 20) /* bytes of a model file */
#define MAX_ROWS (16u << 20)   /* rows of a training set */

typedef struct scr_jcluster {
    uint64_t id, ts;
    uint32_t benign, malicious;
} scr_jcluster;

typedef struct scr_jhost {
    uint8_t ver, src[16], dst[16];
    uint64_t ts;
} scr_jhost;

/* A source and signature an analyst judged benign (hy_screen_vouch). */
typedef struct scr_jvouch {
    uint8_t ver, src[16];
    uint64_t sig, ts;
} scr_jvouch;

struct scr_model {
    scr_jcluster *cl;
    size_t ncl;
    scr_jhost *hosts;
    size_t nhosts;
    scr_jvouch *vouch;
    size_t nvouch;
    uint8_t *gbm;
    size_t gbm_len;
};

void hy__scr_model_free(scr_model *m)
{
    if (!m)
        return;
    free(m->cl);
    free(m->hosts);
    free(m->vouch);
    free(m->gbm);
    free(m);
}

static void hex(hy_buf *b, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        hy_buf_addf(b, "%02x", p[i]);
}

static bool unhex(const char *s, size_t n, uint8_t *out)
{
    if (strlen(s) != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdef", s[2 * i]) ||
            !strchr("0123456789abcdef", s[2 * i + 1]))
            return false;
        out[i] = (uint8_t)v;
    }
    return true;
}

hy_err hy__scr_features(const hy_alert *a, hy_buf *row)
{
    json_error_t err;
    json_t *ev, *cl, *f;
    hy_err rc = HY_OK;
    if (strcmp(a->kind, "screen.alert") != 0)
        return HY_ERR_UNSUPPORTED;
    if (!(ev = json_loads(a->evidence, JSON_REJECT_DUPLICATES, &err)))
        return hy_err_set(HY_ERR_FORMAT, "alert %s: evidence is not JSON: %s", a->id, err.text);
    cl = json_object_get(json_object_get(ev, "screen"), "cluster");
    f = json_object_get(ev, "features");
    if (!json_is_string(cl) || strlen(json_string_value(cl)) > 16 || !json_is_array(f) ||
        json_array_size(f) < SCR_FEATURES_V1 || json_array_size(f) > HY_SF__COUNT)
        rc = hy_err_set(HY_ERR_FORMAT, "alert %s: evidence lacks screen.cluster or the %d "
                        "features (%d before hayate 2026-11-26)", a->id, HY_SF__COUNT,
                        SCR_FEATURES_V1);
    if (rc == HY_OK)
        rc = hy_buf_addf(row, "%s,%u,", *json_string_value(cl) ? json_string_value(cl) : "0",
                         a->ip_version);
    if (rc == HY_OK) {
        hex(row, a->src, 16);
        hy_buf_addc(row, ',');
        hex(row, a->dst, 16);
        rc = hy_buf_addf(row, ",%llu", (unsigned long long)a->time_ns);
    }
    const char *sig = json_string_value(json_object_get(ev, "sig_key"));
    uint8_t raw[8];
    if (rc == HY_OK) /* 0: stored before alerts carried it, so nothing to vouch for */
        rc = hy_buf_addf(row, ",%s", sig && unhex(sig, 8, raw) ? sig : "0");
    json_int_t ver = json_integer_value(json_object_get(ev, "features_v")); /* 0 if none */
    for (size_t i = 0; rc == HY_OK && i < HY_SF__COUNT; i++) {
        json_t *v = json_array_get(f, i);
        bool by_address =
            ver < SCR_FEATURES_VERSION && (i == HY_SF_PAIR_RATE || i == HY_SF_PAIR_AGE);
        if (i >= json_array_size(f) || by_address)
            rc = hy_buf_addf(row, ",nan"); /* an older alert: missing, as XGBoost takes it */
        else
            rc = json_is_number(v) ? hy_buf_addf(row, ",%.6g", json_number_value(v))
                                   : hy_err_set(HY_ERR_FORMAT,
                                                "alert %s: feature %zu not a number", a->id, i);
    }
    json_decref(ev);
    return rc;
}

/* ---- training */

typedef struct rows {
    float *x, *y;
    size_t n, cap;
    bool with_sig; /* the training set has the sig column */
    hy_ftab *vix;  /* (ver, src, sig) -> index + 1 in m.vouch */
    scr_model m;
} rows;

static hy_err add_cluster(scr_model *m, uint64_t id, bool attack, uint64_t ts)
{
    size_t i = 0;
    while (i < m->ncl && m->cl[i].id != id)
        i++;
    if (i == m->ncl) {
        scr_jcluster *n = realloc(m->cl, (m->ncl + 1) * sizeof *n);
        if (!n)
            return hy_err_set(HY_ERR_NOMEM, "train screen: clusters");
        m->cl = n;
        m->cl[m->ncl++] = (scr_jcluster){.id = id};
    }
    attack ? m->cl[i].malicious++ : m->cl[i].benign++;
    if (ts > m->cl[i].ts)
        m->cl[i].ts = ts;
    return HY_OK;
}

static hy_err add_host(scr_model *m, const scr_jhost *h)
{
    scr_jhost *n = realloc(m->hosts, (m->nhosts + 1) * sizeof *n);
    if (!n)
        return hy_err_set(HY_ERR_NOMEM, "train screen: hosts");
    m->hosts = n;
    m->hosts[m->nhosts++] = *h;
    return HY_OK;
}

/* A benign verdict on an alert of signature sig from h's source: the
 * latest such verdict per (source, signature). */
static hy_err add_vouch(rows *r, const scr_jhost *h, uint64_t sig)
{
    uint8_t key[1 + 16 + 8];
    bool created = false;
    key[0] = h->ver;
    memcpy(key + 1, h->src, 16);
    memcpy(key + 17, &sig, 8);
    if (!r->vix &&
        hy_ftab_create(sizeof key, sizeof(size_t), HY_SCREEN_MAX_PAIRS, &r->vix) != HY_OK)
        return hy_err_set(HY_ERR_NOMEM, "train screen: vouched sources");
    size_t *ix = hy_ftab_put(r->vix, key, &created);
    if (!ix)
        return HY_OK; /* past the cap: that pair is not vouched for */
    size_t nv = r->m.nvouch;
    if (created && (nv == 0 || (nv >= 16 && !(nv & (nv - 1))))) { /* full: double */
        scr_jvouch *n = realloc(r->m.vouch, (nv ? 2 * nv : 16) * sizeof *n);
        if (!n)
            return hy_err_set(HY_ERR_NOMEM, "train screen: vouched sources");
        r->m.vouch = n;
    }
    if (created) {
        r->m.vouch[r->m.nvouch] = (scr_jvouch){.ver = h->ver, .sig = sig};
        memcpy(r->m.vouch[r->m.nvouch].src, h->src, 16);
        *ix = ++r->m.nvouch;
    }
    if (h->ts > r->m.vouch[*ix - 1].ts)
        r->m.vouch[*ix - 1].ts = h->ts;
    return HY_OK;
}

/* One row: label,verdict,alert_id,cluster,ip_version,src,dst,time_ns[,sig],f... */
static hy_err parse_row(rows *r, char *line, const char *name, size_t no)
{
    size_t lead = r->with_sig ? 9 : 8, k = 0;
    char *f[9 + HY_SF__COUNT], *save = NULL, *end;
    unsigned long long sig = 0;
    for (char *p = strtok_r(line, ",\r\n", &save); p && k < lead + HY_SF__COUNT;
         p = strtok_r(NULL, ",\r\n", &save))
        f[k++] = p;
    scr_jhost h = {0};
    unsigned long long id = k == lead + HY_SF__COUNT ? strtoull(f[3], &end, 16) : 0;
    bool ok = k == lead + HY_SF__COUNT && (!strcmp(f[0], "0") || !strcmp(f[0], "1")) && !*end;
    h.ver = ok ? (uint8_t)atoi(f[4]) : 0;
    ok = ok && (h.ver == 0 || h.ver == 4 || h.ver == 6) && unhex(f[5], 16, h.src) &&
         unhex(f[6], 16, h.dst);
    h.ts = ok ? strtoull(f[7], &end, 10) : 0;
    ok = ok && !*end;
    if (ok && r->with_sig) {
        sig = strtoull(f[8], &end, 16);
        ok = !*end && strlen(f[8]) <= 16 && f[8][0] != '-' && f[8][0] != '+';
    }
    if (!ok || r->n >= MAX_ROWS)
        return hy_err_set(HY_ERR_FORMAT, "%s:%zu: not a screen training row (%s)", name, no,
                          HY_SCREEN_FEATURE_SPEC);
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        float *x = realloc(r->x, cap * HY_SF__COUNT * sizeof *x), *y = x ? realloc(r->y, cap * sizeof *y) : NULL;
        if (x)
            r->x = x;
        if (!y)
            return hy_err_set(HY_ERR_NOMEM, "train screen: rows");
        r->y = y;
        r->cap = cap;
    }
    for (size_t i = 0; i < HY_SF__COUNT; i++) {
        double v = strtod(f[lead + i], &end);
        if (*end || !(isnan(v) || (v > -1e9 && v < 1e9)))
            return hy_err_set(HY_ERR_FORMAT, "%s:%zu: feature %zu is not a number", name, no, i);
        r->x[r->n * HY_SF__COUNT + i] = (float)v;
    }
    bool attack = f[0][0] == '1';
    r->y[r->n++] = attack;
    hy_err rc = id ? add_cluster(&r->m, id, attack, h.ts) : HY_OK;
    if (rc == HY_OK && attack && h.ver)
        rc = add_host(&r->m, &h);
    if (rc == HY_OK && !attack && h.ver && sig)
        rc = add_vouch(r, &h, sig);
    return rc;
}

static hy_err read_rows(const char *path, rows *r)
{
    static const char header[] = "label,verdict,alert_id," HY_SCREEN_FEATURE_SPEC;
    static const char header_v1[] = /* before the sig column (2026-11-28) */
        "label,verdict,alert_id,cluster,ip_version,src,dst,time_ns," HY_SCREEN_FEATURE_NAMES;
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, no = 0;
    hy_err rc = HY_OK;
    if (!f)
        return hy_err_set(HY_ERR_NOTFOUND, "%s: cannot open", path);
    while (rc == HY_OK && getline(&line, &cap, f) > 0) {
        if (++no == 1) {
            r->with_sig = strncmp(line, header, sizeof header - 1) == 0;
            if (!r->with_sig && strncmp(line, header_v1, sizeof header_v1 - 1) != 0)
                rc = hy_err_set(HY_ERR_FORMAT, "%s: not a screen training set (hayate dataset "
                                "build screen): the header differs", path);
            continue;
        }
        rc = parse_row(r, line, path, no);
    }
    free(line);
    fclose(f);
    return rc;
}

/* The model file's "compromised" array: hosts of malicious verdicts. */
static void put_hosts(hy_json *j, const scr_model *m)
{
    hy_json_key(j, "compromised");
    hy_json_arr_open(j);
    for (size_t i = 0; i < m->nhosts; i++) {
        hy_buf h;
        hy_buf_init(&h, 256);
        hex(&h, m->hosts[i].src, 16);
        hy_buf_addc(&h, ',');
        hex(&h, m->hosts[i].dst, 16);
        hy_json_obj_open(j);
        hy_json_kuint(j, "ip_version", m->hosts[i].ver);
        hy_json_kstr(j, "endpoints", h.data);
        hy_json_kuint(j, "time_ns", m->hosts[i].ts);
        hy_json_obj_close(j);
        hy_buf_free(&h);
    }
    hy_json_arr_close(j);
}

/* The model file's "vouched" array: (source, signature) of benign verdicts. */
static void put_vouched(hy_json *j, const scr_model *m)
{
    hy_json_key(j, "vouched");
    hy_json_arr_open(j);
    for (size_t i = 0; i < m->nvouch; i++) {
        char src[33], sig[17];
        for (int k = 0; k < 16; k++)
            snprintf(src + 2 * k, 3, "%02x", m->vouch[i].src[k]);
        snprintf(sig, sizeof sig, "%016llx", (unsigned long long)m->vouch[i].sig);
        hy_json_obj_open(j);
        hy_json_kuint(j, "ip_version", m->vouch[i].ver);
        hy_json_kstr(j, "src", src);
        hy_json_kstr(j, "sig", sig);
        hy_json_kuint(j, "time_ns", m->vouch[i].ts);
        hy_json_obj_close(j);
    }
    hy_json_arr_close(j);
}

static hy_err model_json(const rows *r, const hy_buf *gbm, hy_buf *out)
{
    hy_json j;
    char id[24];
    hy_json_init(&j, out);
    hy_json_obj_open(&j);
    hy_json_kstr(&j, "engine", "screen");
    hy_json_kint(&j, "format", 2);
    hy_json_key(&j, "clusters");
    hy_json_arr_open(&j);
    for (size_t i = 0; i < r->m.ncl; i++) {
        snprintf(id, sizeof id, "%016llx", (unsigned long long)r->m.cl[i].id);
        hy_json_obj_open(&j);
        hy_json_kstr(&j, "id", id);
        hy_json_kuint(&j, "benign", r->m.cl[i].benign);
        hy_json_kuint(&j, "malicious", r->m.cl[i].malicious);
        hy_json_kuint(&j, "time_ns", r->m.cl[i].ts);
        hy_json_obj_close(&j);
    }
    hy_json_arr_close(&j);
    put_hosts(&j, &r->m);
    put_vouched(&j, &r->m);
    hy_json_key(&j, "gbm");
    if (gbm->len) {
        hy_buf h;
        hy_buf_init(&h, (size_t)MODEL_MAX);
        hex(&h, (const uint8_t *)gbm->data, gbm->len);
        hy_json_str(&j, h.data);
        hy_buf_free(&h);
    } else {
        hy_json_null(&j);
    }
    hy_json_obj_close(&j);
    return hy_json_finish(&j);
}

hy_err hy__scr_train(const hy_screen_cfg *c, const char *dataset, const char *model_out,
                     hy_buf *metrics)
{
    rows r = {0};
    hy_buf gbm, out;
    struct hy_gbm *m = NULL;
    size_t pos = 0;
    hy_buf_init(&gbm, HY_GBM_MAX_MODEL);
    hy_buf_init(&out, MODEL_MAX);
    hy_err rc = read_rows(dataset, &r);
    for (size_t i = 0; i < r.n; i++)
        pos += r.y[i] > 0.5f;
    if (rc == HY_OK && r.n == 0)
        rc = hy_err_set(HY_ERR_FORMAT, "%s: no judged screen.alert rows", dataset);
    if (rc == HY_OK && pos && pos < r.n &&
        (rc = hy_screen_train_model(r.x, r.y, r.n, c->pos_weight, &m)) == HY_OK)
        rc = hy_gbm_save(m, &gbm);
    if (rc == HY_OK)
        rc = model_json(&r, &gbm, &out);
    if (rc == HY_OK)
        rc = hy_buf_addf(metrics,
                         "{\"rows\": %zu, \"attacks\": %zu, \"clusters_judged\": %zu, "
                         "\"hosts_compromised\": %zu, \"sources_vouched\": %zu, "
                         "\"supervised_model\": %s, \"pos_weight\": %g}",
                         r.n, pos, r.m.ncl, r.m.nhosts, r.m.nvouch, gbm.len ? "true" : "false",
                         c->pos_weight);
    if (rc == HY_OK)
        rc = hy_write_file_atomic(model_out, out.data, out.len);
    hy_gbm_free(m);
    hy_buf_free(&gbm);
    hy_buf_free(&out);
    free(r.x);
    free(r.y);
    free(r.m.cl);
    free(r.m.hosts);
    free(r.m.vouch);
    hy_ftab_destroy(r.vix);
    return rc;
}

/* ---- the model file */

static hy_err load_clusters(json_t *a, scr_model *m, const char *path)
{
    size_t n = json_array_size(a);
    if (!json_is_array(a) || n > HY_SCREEN_MAX_CLUSTERS)
        return hy_err_set(HY_ERR_FORMAT, "%s: clusters must be an array of at most %u",
                          path, HY_SCREEN_MAX_CLUSTERS);
    if (n && !(m->cl = calloc(n, sizeof *m->cl)))
        return hy_err_set(HY_ERR_NOMEM, "%s: clusters", path);
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(a, i), *id = json_object_get(c, "id");
        json_t *b = json_object_get(c, "benign"), *mal = json_object_get(c, "malicious");
        json_t *t = json_object_get(c, "time_ns");
        uint8_t raw[8];
        if (!json_is_string(id) || !unhex(json_string_value(id), 8, raw) || !json_is_integer(b) ||
            !json_is_integer(mal) || !json_is_integer(t) || json_integer_value(b) < 0 ||
            json_integer_value(mal) < 0 || json_integer_value(b) > UINT32_MAX ||
            json_integer_value(mal) > UINT32_MAX ||
            json_integer_value(b) + json_integer_value(mal) == 0 || json_integer_value(t) < 0)
            return hy_err_set(HY_ERR_FORMAT, "%s: clusters[%zu]: needs id (16 hex digits), "
                              "benign and malicious counts (not both 0) and time_ns", path, i);
        uint64_t v = 0;
        for (int k = 0; k < 8; k++)
            v = v << 8 | raw[k];
        m->cl[i] = (scr_jcluster){.id = v, .benign = (uint32_t)json_integer_value(b),
                                  .malicious = (uint32_t)json_integer_value(mal),
                                  .ts = (uint64_t)json_integer_value(t)};
    }
    m->ncl = n;
    return HY_OK;
}

static hy_err load_hosts(json_t *a, scr_model *m, const char *path)
{
    size_t n = json_array_size(a);
    if (!json_is_array(a) || n > HY_SCREEN_MAX_HOSTS)
        return hy_err_set(HY_ERR_FORMAT, "%s: compromised must be an array of at most %u",
                          path, HY_SCREEN_MAX_HOSTS);
    if (n && !(m->hosts = calloc(n, sizeof *m->hosts)))
        return hy_err_set(HY_ERR_NOMEM, "%s: hosts", path);
    for (size_t i = 0; i < n; i++) {
        json_t *h = json_array_get(a, i), *v = json_object_get(h, "ip_version");
        json_t *e = json_object_get(h, "endpoints"), *t = json_object_get(h, "time_ns");
        const char *s = json_string_value(e);
        char src[33];
        scr_jhost *o = &m->hosts[i];
        if (!json_is_integer(v) || (json_integer_value(v) != 4 && json_integer_value(v) != 6) ||
            !s || strlen(s) != 65 || s[32] != ',' || !json_is_integer(t) ||
            json_integer_value(t) < 0)
            return hy_err_set(HY_ERR_FORMAT, "%s: compromised[%zu]: needs ip_version 4 or 6, "
                              "endpoints (hex,hex) and time_ns", path, i);
        memcpy(src, s, 32);
        src[32] = '\0';
        if (!unhex(src, 16, o->src) || !unhex(s + 33, 16, o->dst))
            return hy_err_set(HY_ERR_FORMAT, "%s: compromised[%zu]: endpoints not hex", path, i);
        o->ver = (uint8_t)json_integer_value(v);
        o->ts = (uint64_t)json_integer_value(t);
    }
    m->nhosts = n;
    return HY_OK;
}

static hy_err load_vouched(json_t *a, scr_model *m, const char *path)
{
    size_t n = json_array_size(a);
    if (!json_is_array(a) || n > HY_SCREEN_MAX_PAIRS)
        return hy_err_set(HY_ERR_FORMAT, "%s: vouched must be an array of at most %u", path,
                          (unsigned)HY_SCREEN_MAX_PAIRS);
    if (n && !(m->vouch = calloc(n, sizeof *m->vouch)))
        return hy_err_set(HY_ERR_NOMEM, "%s: vouched", path);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(a, i), *v = json_object_get(o, "ip_version");
        json_t *t = json_object_get(o, "time_ns");
        const char *src = json_string_value(json_object_get(o, "src"));
        const char *sig = json_string_value(json_object_get(o, "sig"));
        scr_jvouch *w = &m->vouch[i];
        uint8_t raw[8];
        if (!json_is_integer(v) || (json_integer_value(v) != 4 && json_integer_value(v) != 6) ||
            !src || !unhex(src, 16, w->src) || !sig || !unhex(sig, 8, raw) || !json_is_integer(t) ||
            json_integer_value(t) < 0)
            return hy_err_set(HY_ERR_FORMAT,
                              "%s: vouched[%zu]: needs ip_version 4 or 6, src "
                              "(32 hex digits), sig (16 hex digits) and time_ns",
                              path, i);
        for (int k = 0; k < 8; k++)
            w->sig = w->sig << 8 | raw[k];
        w->ver = (uint8_t)json_integer_value(v);
        w->ts = (uint64_t)json_integer_value(t);
    }
    m->nvouch = n;
    return HY_OK;
}

static hy_err load_gbm(json_t *g, scr_model *m, const char *path)
{
    const char *s = json_string_value(g);
    size_t n = s ? strlen(s) : 0;
    struct hy_gbm *check = NULL;
    if (json_is_null(g))
        return HY_OK;
    if (!s || n % 2 || n / 2 > HY_GBM_MAX_MODEL)
        return hy_err_set(HY_ERR_FORMAT, "%s: gbm must be hex text or null", path);
    if (!(m->gbm = malloc(n / 2 + 1)))
        return hy_err_set(HY_ERR_NOMEM, "%s: gbm", path);
    for (size_t i = 0; i < n / 2; i++) {
        char two[3] = {s[2 * i], s[2 * i + 1], '\0'};
        if (!unhex(two, 1, &m->gbm[i]))
            return hy_err_set(HY_ERR_FORMAT, "%s: gbm is not hex", path);
    }
    m->gbm_len = n / 2;
    hy_err rc = hy_gbm_load(m->gbm, m->gbm_len, &check); /* refuse it now, not at apply */
    if (rc == HY_OK && hy_gbm_features(check) > HY_SF__COUNT)
        rc = hy_err_set(HY_ERR_FORMAT, "%s: the model needs %zu features; screening has %d",
                        path, hy_gbm_features(check), HY_SF__COUNT);
    else if (rc != HY_OK)
        rc = hy_err_set(rc, "%s: gbm: %s", path, hy_err_detail());
    hy_gbm_free(check);
    return rc;
}

hy_err hy__scr_model_load(const char *path, scr_model **out)
{
    hy_buf b;
    json_error_t err;
    json_t *root = NULL;
    scr_model *m = calloc(1, sizeof *m);
    hy_buf_init(&b, MODEL_MAX);
    hy_err rc = m ? hy_buf_read_file(&b, path) : hy_err_set(HY_ERR_NOMEM, "screen model");
    if (rc == HY_OK && !(root = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &err)))
        rc = hy_err_set(HY_ERR_FORMAT, "%s:%d: %s", path, err.line, err.text);
    json_int_t format = json_integer_value(json_object_get(root, "format"));
    if (rc == HY_OK &&
        (!json_is_string(json_object_get(root, "engine")) ||
         strcmp(json_string_value(json_object_get(root, "engine")), "screen") ||
         !json_is_integer(json_object_get(root, "format")) || (format != 1 && format != 2)))
        rc = hy_err_set(HY_ERR_FORMAT, "%s: not a screen model of format 1 or 2", path);
    if (rc == HY_OK)
        rc = load_clusters(json_object_get(root, "clusters"), m, path);
    if (rc == HY_OK)
        rc = load_hosts(json_object_get(root, "compromised"), m, path);
    if (rc == HY_OK && format == 2) /* format 1: before the vouched sources */
        rc = load_vouched(json_object_get(root, "vouched"), m, path);
    if (rc == HY_OK)
        rc = load_gbm(json_object_get(root, "gbm"), m, path);
    json_decref(root);
    hy_buf_free(&b);
    if (rc != HY_OK) {
        hy__scr_model_free(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

hy_err hy__scr_model_apply(const scr_model *m, hy_screen *s)
{
    hy_err rc = HY_OK;
    struct hy_gbm *g = NULL;
    for (size_t i = 0; rc == HY_OK && i < m->ncl; i++)
        rc = hy_screen_judge_set(s, m->cl[i].id, m->cl[i].benign, m->cl[i].malicious,
                                 m->cl[i].ts, "analyst");
    for (size_t i = 0; rc == HY_OK && i < m->nhosts; i++)
        rc = hy_screen_taint(s, m->hosts[i].ver, m->hosts[i].src, m->hosts[i].dst,
                             m->hosts[i].ts, 0);
    for (size_t i = 0; rc == HY_OK && i < m->nvouch; i++)
        rc = hy_screen_vouch(s, m->vouch[i].ver, m->vouch[i].src, m->vouch[i].sig, m->vouch[i].ts);
    if (rc == HY_OK && m->gbm_len && (rc = hy_gbm_load(m->gbm, m->gbm_len, &g)) == HY_OK)
        hy_screen_set_model(s, g);
    else if (rc == HY_OK && !m->gbm_len)
        hy_screen_set_model(s, NULL); /* verdicts of one class: no supervised model */
    return rc;
}

hy_err hy_screen_load_model(hy_screen *s, const char *path)
{
    scr_model *m = NULL;
    if (!s || !path)
        return hy_err_set(HY_ERR_ARG, "screen: load_model needs a screener and a path");
    hy_err rc = hy__scr_model_load(path, &m);
    if (rc == HY_OK)
        rc = hy__scr_model_apply(m, s);
    hy__scr_model_free(m);
    return rc;
}
