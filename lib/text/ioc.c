/* IOC extraction (ioc.h): refang, scan, map back, merge, sort, sentences.
 * The scanner reports each occurrence with its span in the refanged copy;
 * here it is mapped to the original text through the refang anchors, its
 * (type, value) looked up in a hash map so repeats only count, and marked
 * as noise. At the end the indicators are sorted by first occurrence and
 * one forward walk over the original's sentences gives each its own. */
#include <stdlib.h>
#include <string.h>

#include "hayate/map.h"
#include "text/ioc_int.h"

static const char *const type_names[HY_IOC__COUNT] = {
    [HY_IOC_IPV4] = "ipv4",
    [HY_IOC_IPV4_CIDR] = "ipv4-cidr",
    [HY_IOC_IPV6] = "ipv6",
    [HY_IOC_DOMAIN] = "domain",
    [HY_IOC_URL] = "url",
    [HY_IOC_EMAIL] = "email",
    [HY_IOC_MD5] = "md5",
    [HY_IOC_SHA1] = "sha1",
    [HY_IOC_SHA256] = "sha256",
    [HY_IOC_SHA512] = "sha512",
    [HY_IOC_SSDEEP] = "ssdeep",
    [HY_IOC_CVE] = "cve",
    [HY_IOC_ATTACK_TECHNIQUE] = "attack-technique",
    [HY_IOC_ATTACK_TACTIC] = "attack-tactic",
    [HY_IOC_ATTACK_GROUP] = "attack-group",
    [HY_IOC_ATTACK_SOFTWARE] = "attack-software",
    [HY_IOC_REGKEY] = "registry-key",
    [HY_IOC_WIN_PATH] = "windows-path",
    [HY_IOC_UNIX_PATH] = "unix-path",
    [HY_IOC_FILENAME] = "filename",
    [HY_IOC_BITCOIN] = "bitcoin",
    [HY_IOC_MONERO] = "monero",
    [HY_IOC_ETHEREUM] = "ethereum",
    [HY_IOC_ASN] = "asn",
    [HY_IOC_MAC] = "mac",
    [HY_IOC_JA3] = "ja3",
};

const char *hy_ioc_type_name(hy_ioc_type t)
{
    return (unsigned)t < HY_IOC__COUNT ? type_names[t] : "unknown";
}

hy_err hy_ioc_type_parse(const char *name, hy_ioc_type *out)
{
    if (!name || !out)
        return hy_err_set(HY_ERR_ARG, "ioc type: NULL argument");
    for (unsigned t = 0; t < HY_IOC__COUNT; t++)
        if (!strcmp(name, type_names[t])) {
            *out = (hy_ioc_type)t;
            return HY_OK;
        }
    return hy_err_set(HY_ERR_NOTFOUND, "no indicator type named '%.64s'", name);
}

void hy_ioc_list_free(hy_ioc_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].value);
    free(l->v);
    l->v = NULL;
    l->n = l->alloc = 0;
}

/* ---- extraction ------------------------------------------------------------ */

typedef struct xstate {
    const char *orig, *ref;
    const hy__anchors *an;
    uint32_t types;
    hy_map *seen; /* type byte + value -> index + 1 in out */
    hy_ioc_list *out;
} xstate;

/* Whether refanged ref[rs..re) differs from the original bytes it came from. */
static bool span_changed(const xstate *x, size_t rs, size_t re, size_t os, size_t oe)
{
    return oe - os != re - rs || memcmp(x->orig + os, x->ref + rs, re - rs) != 0;
}

static bool on_defanged(void *ud, size_t rs, size_t re)
{
    const xstate *x = ud;
    return span_changed(x, rs, re, hy__anchors_map(x->an, rs), hy__anchors_map(x->an, re));
}

static hy_err list_grow(hy_ioc_list *l)
{
    size_t na = l->alloc ? l->alloc * 2 : 64;
    hy_ioc *v;
    if (l->n < l->alloc)
        return HY_OK;
    if (l->n >= HY_IOC_MAX_COUNT)
        return hy_err_set(HY_ERR_TOOBIG, "ioc: more than %u distinct indicators", HY_IOC_MAX_COUNT);
    if (!(v = realloc(l->v, na * sizeof *v)))
        return hy_err_set(HY_ERR_NOMEM, "ioc: out of memory for the indicator list");
    l->v = v;
    l->alloc = na;
    return HY_OK;
}

static hy_err on_emit(void *ud, hy_ioc_type t, size_t rs, size_t re, const char *v, size_t vl)
{
    xstate *x = ud;
    char key[1 + HY_IOC_MAX_VALUE];
    hy_ioc *io;
    void *hit;
    hy_err rc;

    if (!(x->types & (1u << t)))
        return HY_OK;
    key[0] = (char)('a' + t);
    memcpy(key + 1, v, vl);
    if ((hit = hy_map_get(x->seen, key, vl + 1))) {
        io = &x->out->v[(uintptr_t)hit - 1];
        io->count += io->count < UINT32_MAX;
        return HY_OK;
    }
    if ((rc = list_grow(x->out)) != HY_OK)
        return rc;
    io = &x->out->v[x->out->n];
    memset(io, 0, sizeof *io);
    if (!(io->value = malloc(vl + 1)))
        return hy_err_set(HY_ERR_NOMEM, "ioc: out of memory for a value");
    memcpy(io->value, v, vl);
    io->value[vl] = '\0';
    if ((rc = hy_map_put(x->seen, key, vl + 1, (void *)(uintptr_t)(x->out->n + 1))) != HY_OK) {
        free(io->value);
        return rc;
    }
    io->type = t;
    io->start = hy__anchors_map(x->an, rs);
    io->end = hy__anchors_map(x->an, re);
    io->defanged = span_changed(x, rs, re, io->start, io->end);
    io->count = 1;
    io->noise = hy__ioc_noise(t, io->value);
    x->out->n++;
    return HY_OK;
}

static int by_start(const void *a, const void *b)
{
    const hy_ioc *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1; /* the enclosing one first */
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return strcmp(x->value, y->value);
}

/* Gives each indicator (sorted by start) the sentence of its first byte. */
static void assign_sentences(const char *text, size_t len, hy_ioc_list *l)
{
    hy__sent_iter it;
    hy_span sp = {0, 0};
    bool have = false;

    hy__sent_init(&it, text, len);
    for (size_t i = 0; i < l->n; i++) {
        hy_ioc *io = &l->v[i];
        while ((!have || sp.end <= io->start) && (have = hy__sent_next(&it, &sp)))
            ;
        if (have && sp.start <= io->start && io->start < sp.end) {
            io->sent_start = sp.start;
            io->sent_end = sp.end;
        } else {
            io->sent_start = io->start; /* unreachable: indicators are never blank */
            io->sent_end = io->end;
        }
    }
}

hy_err hy_ioc_extract(const char *text, size_t len, const hy_ioc_opts *opts, hy_ioc_list *out)
{
    hy__anchors an = {0};
    hy_buf ref;
    xstate x = {0};
    hy__scan sc = {0};
    hy_err rc;

    if (!out || (!text && len))
        return hy_err_set(HY_ERR_ARG, "ioc: NULL %s", out ? "text" : "output list");
    if (out->n)
        return hy_err_set(HY_ERR_ARG, "ioc: the output list must start empty");
    if (len > HY_IOC_MAX_TEXT)
        return hy_err_set(HY_ERR_TOOBIG, "ioc: %zu bytes exceeds the cap of %u", len,
                          HY_IOC_MAX_TEXT);
    if (!hy__psl())
        return hy_err_set(HY_ERR_INTERNAL, "ioc: libpsl has no public suffix list");
    hy_buf_init(&ref, HY_IOC_MAX_TEXT);
    if ((rc = hy__refang_run(text, len, &ref, &an)) != HY_OK)
        goto out;
    if ((rc = hy_map_create(HY_IOC_MAX_COUNT, NULL, &x.seen)) != HY_OK)
        goto out;
    x.orig = text;
    x.ref = ref.data ? ref.data : "";
    x.an = &an;
    x.types = opts && opts->types ? opts->types : ~0u;
    x.out = out;
    sc.s = x.ref;
    sc.n = ref.len;
    sc.emit = on_emit;
    sc.defanged = on_defanged;
    sc.ud = &x;
    hy__scan_run(&sc);
    if ((rc = sc.err) != HY_OK)
        goto out;
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, by_start);
    assign_sentences(text, len, out);
out:
    if (rc != HY_OK)
        hy_ioc_list_free(out);
    hy_map_destroy(x.seen);
    hy_buf_free(&ref);
    hy__anchors_free(&an);
    return rc;
}
