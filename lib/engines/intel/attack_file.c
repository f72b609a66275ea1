/* The ATT&CK classifier's model file: writing (atomic) and reading
 * (untrusted), in the format documented in include/hayate/attack.h. */
#include "attack_model_int.h"
#include "hayate/ember.h" /* hy_murmur3_32 */
#include "hayate/io.h"

#include <stdlib.h>
#include <string.h>

#define FILE_MAGIC "HYATTACK"
#define FILE_SEED  0x48594154u

static hy_err put_u32(hy_buf *b, uint32_t v)
{
    uint8_t e[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return hy_buf_add(b, e, 4);
}

static hy_err put_u64(hy_buf *b, uint64_t v)
{
    hy_err rc = put_u32(b, (uint32_t)v);
    return rc == HY_OK ? put_u32(b, (uint32_t)(v >> 32)) : rc;
}

static hy_err put_f64(hy_buf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return put_u64(b, u);
}

static hy_err model_bytes(const hy_attack_model *m, hy_buf *b)
{
    const hy_attack_model_info *in = &m->info;
    hy_err rc = hy_buf_add(b, FILE_MAGIC, 8);
    if (rc == HY_OK)
        rc = put_u32(b, HY_ATTACK_MODEL_VERSION);
    if (rc == HY_OK)
        rc = put_u32(b, 0);
    if (rc == HY_OK)
        rc = put_u32(b, (uint32_t)m->nclass);
    for (size_t c = 0; c < m->nclass && rc == HY_OK; c++)
        if ((rc = hy_buf_addc(b, (char)strlen(m->classes[c]))) == HY_OK)
            rc = hy_buf_adds(b, m->classes[c]);
    if (rc == HY_OK)
        rc = put_f64(b, in->temperature);
    if (rc == HY_OK)
        rc = put_f64(b, in->C);
    if (rc == HY_OK)
        rc = put_f64(b, in->cw_power);
    if (rc == HY_OK)
        rc = put_u32(b, in->augmented);
    if (rc == HY_OK)
        rc = put_u32(b, in->inner_folds);
    if (rc == HY_OK)
        rc = put_u64(b, in->train_rows);
    if (rc == HY_OK)
        rc = put_f64(b, in->inner_micro_f1);
    if (rc == HY_OK)
        rc = hy_tfidf_save(m->tf, b);
    if (rc == HY_OK)
        rc = hy_linear_save(m->lin, b);
    if (rc == HY_OK)
        rc = put_u32(b, hy_murmur3_32(b->data, b->len, FILE_SEED));
    return rc;
}

hy_err hy_attack_model_save(const hy_attack_model *m, const char *path)
{
    hy_buf b;
    if (!m || !path)
        return hy_err_set(HY_ERR_ARG, "attack model save: NULL argument");
    hy_buf_init(&b, HY_ATTACK_MAX_MODEL);
    hy_err rc = model_bytes(m, &b);
    if (rc != HY_OK)
        rc = hy_err_set(rc, "%s: %s", path, hy_err_detail());
    else
        rc = hy_write_file_atomic(path, b.data, b.len);
    hy_buf_free(&b);
    return rc;
}

/* A reader over untrusted bytes. */
typedef struct rd {
    const uint8_t *p;
    size_t n, off;
    bool short_read;
} rd;

static uint32_t rd_u32(rd *r)
{
    if (r->n - r->off < 4) {
        r->short_read = true;
        r->off = r->n;
        return 0;
    }
    const uint8_t *p = r->p + r->off;
    r->off += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd_u64(rd *r)
{
    uint64_t lo = rd_u32(r);
    return lo | (uint64_t)rd_u32(r) << 32;
}

static double rd_f64(rd *r)
{
    uint64_t u = rd_u64(r);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static hy_err parse_classes(const char *name, rd *r, hy_attack_model *m)
{
    uint32_t n = rd_u32(r);
    if (r->short_read)
        return hy_err_set(HY_ERR_TRUNCATED, "%s: ends in the header", name);
    if (n < 2 || n > HY_ATTACK_MAX_CLASSES)
        return hy_err_set(HY_ERR_FORMAT, "%s: %u classes, not in 2..%u", name, n,
                          HY_ATTACK_MAX_CLASSES);
    if (!(m->classes = calloc(n, sizeof *m->classes)))
        return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", name);
    m->nclass = n;
    for (uint32_t c = 0; c < n; c++) {
        size_t l = r->off < r->n ? r->p[r->off++] : 0;
        if (!l || r->n - r->off < l)
            return hy_err_set(l ? HY_ERR_TRUNCATED : HY_ERR_FORMAT,
                              "%s: class %u: name missing or cut", name, c);
        if (!(m->classes[c] = strndup((const char *)r->p + r->off, l)))
            return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", name);
        r->off += l;
        if (strlen(m->classes[c]) != l || !at_class_name_ok(m->classes[c]))
            return hy_err_set(HY_ERR_FORMAT, "%s: class %u: bad name", name, c);
        for (uint32_t d = 0; d < c; d++)
            if (strcmp(m->classes[c], m->classes[d]) == 0)
                return hy_err_set(HY_ERR_FORMAT, "%s: class %s twice", name, m->classes[c]);
    }
    return HY_OK;
}

static hy_err parse_info(const char *name, rd *r, hy_attack_model *m)
{
    hy_attack_model_info *in = &m->info;
    in->temperature = rd_f64(r);
    in->C = rd_f64(r);
    in->cw_power = rd_f64(r);
    uint32_t aug = rd_u32(r);
    in->inner_folds = rd_u32(r);
    in->train_rows = (size_t)rd_u64(r);
    in->inner_micro_f1 = rd_f64(r);
    in->classes = m->nclass;
    if (r->short_read)
        return hy_err_set(HY_ERR_TRUNCATED, "%s: ends in the header", name);
    if (!(in->temperature >= 0.01 && in->temperature <= 100) || !(in->C > 0 && in->C <= 1e6) ||
        !(in->cw_power >= 0 && in->cw_power <= 2) || aug > 1 ||
        in->inner_folds > HY_ATTACK_MAX_FOLDS ||
        !(in->inner_micro_f1 >= -1 && in->inner_micro_f1 <= 1))
        return hy_err_set(HY_ERR_FORMAT, "%s: temperature %g, C %g or other setting invalid", name,
                          in->temperature, in->C);
    in->augmented = aug;
    return HY_OK;
}

static hy_err parse_sections(const char *name, rd *r, hy_attack_model *m)
{
    size_t used = 0;
    hy_err rc = hy_tfidf_load(r->p + r->off, r->n - r->off, &used, &m->tf);
    if (rc != HY_OK)
        return hy_err_set(rc, "%s: %s", name, hy_err_detail());
    r->off += used;
    if ((rc = hy_linear_load(r->p + r->off, r->n - r->off, &used, &m->lin)) != HY_OK)
        return hy_err_set(rc, "%s: %s", name, hy_err_detail());
    r->off += used;
    if (hy_linear_classes(m->lin) != m->nclass ||
        hy_linear_features(m->lin) != hy_tfidf_features(m->tf))
        return hy_err_set(HY_ERR_FORMAT,
                          "%s: weights for %zu classes x %zu features, the model "
                          "has %zu x %zu",
                          name, hy_linear_classes(m->lin), hy_linear_features(m->lin), m->nclass,
                          hy_tfidf_features(m->tf));
    m->info.features = hy_tfidf_features(m->tf);
    m->info.unconverged = hy_linear_unconverged(m->lin);
    return HY_OK;
}

hy_err hy_attack_model_parse(const char *name, const uint8_t *buf, size_t n, hy_attack_model **out)
{
    hy_attack_model *m = NULL;
    rd r = {buf, n, 0, false};
    hy_err rc;
    name = name ? name : "attack model";
    if (!out || (!buf && n))
        return hy_err_set(HY_ERR_ARG, "%s: NULL argument", name);
    *out = NULL;
    if (n > HY_ATTACK_MAX_MODEL)
        return hy_err_set(HY_ERR_FORMAT, "%s: %zu bytes, more than %u", name, n,
                          HY_ATTACK_MAX_MODEL);
    if (n < 20 || memcmp(buf, FILE_MAGIC, 8) != 0)
        return hy_err_set(HY_ERR_FORMAT, "%s: not a hayate ATT&CK model (magic)", name);
    uint32_t sum = (uint32_t)buf[n - 4] | (uint32_t)buf[n - 3] << 8 | (uint32_t)buf[n - 2] << 16 |
                   (uint32_t)buf[n - 1] << 24;
    if (hy_murmur3_32(buf, n - 4, FILE_SEED) != sum)
        return hy_err_set(HY_ERR_FORMAT, "%s: checksum mismatch (damaged or cut file)", name);
    r.n = n - 4;
    r.off = 8;
    uint32_t ver = rd_u32(&r), flags = rd_u32(&r);
    if (ver != HY_ATTACK_MODEL_VERSION || flags)
        return hy_err_set(HY_ERR_FORMAT, "%s: version %u flags %u; this build reads version %u",
                          name, ver, flags, HY_ATTACK_MODEL_VERSION);
    if (!(m = calloc(1, sizeof *m)))
        return hy_err_set(HY_ERR_NOMEM, "%s: out of memory", name);
    if ((rc = parse_classes(name, &r, m)) == HY_OK && (rc = parse_info(name, &r, m)) == HY_OK &&
        (rc = parse_sections(name, &r, m)) == HY_OK && r.off != r.n)
        rc = hy_err_set(HY_ERR_FORMAT, "%s: %zu unexpected bytes after the weights", name,
                        r.n - r.off);
    if (rc != HY_OK) {
        hy_attack_model_free(m);
        return rc;
    }
    *out = m;
    return HY_OK;
}

hy_err hy_attack_model_load(const char *path, hy_attack_model **out)
{
    hy_buf b;
    if (!path || !out)
        return hy_err_set(HY_ERR_ARG, "attack model load: NULL argument");
    *out = NULL;
    hy_buf_init(&b, HY_ATTACK_MAX_MODEL);
    hy_err rc = hy_buf_read_file(&b, path);
    if (rc == HY_ERR_TOOBIG)
        rc = hy_err_set(HY_ERR_FORMAT, "%s: larger than %u bytes", path, HY_ATTACK_MAX_MODEL);
    else if (rc == HY_OK)
        rc = hy_attack_model_parse(path, (const uint8_t *)b.data, b.len, out);
    hy_buf_free(&b);
    return rc;
}
