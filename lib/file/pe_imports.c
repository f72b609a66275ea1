/* PE import tables (include/hayate/pe.h): the import directory with its
 * name table (IAT as fallback), the delay-load directory, and the imphash. */
#include "pe_int.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMPORT_DESC_SIZE 20u
#define DELAY_DESC_SIZE  32u

static const char invalid_name[] = "*invalid*";

/* One descriptor's fields, whichever table it came from, as RVAs. */
typedef struct desc {
    uint32_t name, ilt, iat;
} desc;

/* Appends a function to dll; false when the cap stops the walk or on OOM. */
static bool add_fn(hy__pe_ctx *c, hy_pe_import_dll *dll, size_t *cap, hy_pe_import_fn fn)
{
    if (c->n_import_fns >= HY_PE_MAX_IMPORT_FUNCS) {
        hy__pe_anomaly(c, HY_PE_AN_IMPORTS_CAPPED, -1, "more than %d imported functions",
                       HY_PE_MAX_IMPORT_FUNCS);
        return false;
    }
    if (dll->n_fns == *cap) {
        size_t ncap = *cap ? 2 * *cap : 16;
        hy_pe_import_fn *f = realloc(dll->fns, ncap * sizeof *f);
        if (!f) {
            c->nomem = true;
            return false;
        }
        dll->fns = f;
        *cap = ncap;
    }
    dll->fns[dll->n_fns++] = fn;
    c->n_import_fns++;
    return true;
}

/* Reads one thunk; 0 ends the table. false when unreadable. */
static bool rd_thunk(const hy__pe_ctx *c, size_t off, uint64_t *v)
{
    if (c->pe->pe32plus)
        return hy_rd_u64le(c->p, c->n, off, v);
    uint32_t w;
    if (!hy_rd_u32le(c->p, c->n, off, &w))
        return false;
    *v = w;
    return true;
}

/* Decodes a non-zero thunk into fn. false for a malformed hint/name entry
 * (the anomaly is recorded; the walk goes on). */
static bool decode_thunk(hy__pe_ctx *c, uint64_t v, hy_pe_import_fn *fn, int32_t di)
{
    uint64_t ord_flag = c->pe->pe32plus ? 1ull << 63 : 1ull << 31;
    memset(fn, 0, sizeof *fn);
    if (v & ord_flag) {
        fn->ordinal = (uint16_t)v;
        return true;
    }
    size_t off;
    if (v > 0x7fffffff || !hy__pe_map(c, (uint32_t)v, &off) ||
        !hy_rd_u16le(c->p, c->n, off, &fn->hint) || !(fn->name = hy__pe_cstr(c, off + 2))) {
        if (!c->nomem)
            hy__pe_anomaly(c, HY_PE_AN_IMPORT_NAME, di,
                           "descriptor %d: import name at 0x%llx unreadable", di,
                           (unsigned long long)v);
        return false;
    }
    return true;
}

/* Walks the thunk array at file offset toff into dll. */
static void walk_thunks(hy__pe_ctx *c, hy_pe_import_dll *dll, size_t toff, int32_t di)
{
    size_t ps = c->pe->pe32plus ? 8 : 4, cap = 0;
    for (size_t j = 0; j < HY_PE_MAX_IMPORT_FUNCS && !c->nomem; j++) {
        uint64_t v;
        hy_pe_import_fn fn;
        if (!rd_thunk(c, toff + j * ps, &v)) {
            hy__pe_anomaly(c, HY_PE_AN_IMPORT_BAD, di, "descriptor %d: thunk %zu past end of file",
                           di, j);
            return;
        }
        if (v == 0)
            return;
        if (decode_thunk(c, v, &fn, di) && !add_fn(c, dll, &cap, fn))
            return;
    }
}

static const char *dll_name(hy__pe_ctx *c, uint32_t rva, int32_t di, hy_pe_anomaly_kind kind)
{
    size_t off;
    const char *s = NULL;
    if (hy__pe_map(c, rva, &off))
        s = hy__pe_cstr(c, off);
    if (!s && !c->nomem) {
        hy__pe_anomaly(c, kind, di, "descriptor %d: DLL name at rva 0x%x unreadable", di, rva);
        s = invalid_name;
    }
    return s;
}

/* Grows a DLL array by one zeroed entry; NULL on OOM. */
static hy_pe_import_dll *push_dll(hy__pe_ctx *c, hy_pe_import_dll **arr, size_t *n)
{
    hy_pe_import_dll *a = realloc(*arr, (*n + 1) * sizeof *a);
    if (!a) {
        c->nomem = true;
        return NULL;
    }
    *arr = a;
    memset(&a[*n], 0, sizeof *a);
    return &a[(*n)++];
}

/* True when this descriptor repeats an earlier one or its thunks lie in the
 * descriptor table (a table pointing at itself). */
static bool desc_loops(hy__pe_ctx *c, const desc *d, const hy_pe_import_dll *seen, size_t n,
                       uint32_t tab, uint32_t tab_len, int32_t di)
{
    for (size_t k = 0; k < n; k++)
        if (seen[k].name_rva == d->name && seen[k].ilt_rva == d->ilt && seen[k].iat_rva == d->iat) {
            hy__pe_anomaly(c, HY_PE_AN_IMPORT_LOOP, di, "import descriptor %d repeats %zu", di, k);
            return true;
        }
    uint32_t t = d->ilt ? d->ilt : d->iat;
    if (t >= tab && t - tab < tab_len) {
        hy__pe_anomaly(c, HY_PE_AN_IMPORT_LOOP, di,
                       "import descriptor %d thunks point into the descriptor table", di);
        return true;
    }
    return false;
}

/* The thunk table to read: the name table, else the IAT. */
static bool pick_thunks(hy__pe_ctx *c, const desc *d, hy_pe_import_dll *dll, size_t *toff,
                        int32_t di)
{
    if (d->ilt && hy__pe_map(c, d->ilt, toff))
        return true;
    if (d->iat && hy__pe_map(c, d->iat, toff)) {
        if (d->ilt)
            hy__pe_anomaly(c, HY_PE_AN_IAT_FALLBACK, di,
                           "descriptor %d: name table 0x%x unmapped, IAT read", di, d->ilt);
        dll->from_iat = true;
        return true;
    }
    hy__pe_anomaly(c, HY_PE_AN_IMPORT_BAD, di, "descriptor %d: no readable thunk table", di);
    return false;
}

void hy__pe_imports(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    uint32_t tab = pe->dirs[HY_PE_DIR_IMPORT].rva;
    size_t off;
    if (!tab || !hy__pe_map(c, tab, &off))
        return;
    for (uint32_t i = 0; i <= HY_PE_MAX_IMPORT_DLLS && !c->nomem; i++) {
        uint32_t f[5];
        int32_t di = (int32_t)i;
        if (i == HY_PE_MAX_IMPORT_DLLS) {
            hy__pe_anomaly(c, HY_PE_AN_IMPORTS_CAPPED, di, "more than %d import descriptors",
                           HY_PE_MAX_IMPORT_DLLS);
            return;
        }
        for (int k = 0; k < 5; k++)
            if (!hy_rd_u32le(c->p, c->n, off + IMPORT_DESC_SIZE * i + 4u * k, &f[k])) {
                hy__pe_anomaly(c, HY_PE_AN_IMPORT_BAD, di, "import descriptor %d past end of file",
                               di);
                return;
            }
        if (!(f[0] | f[1] | f[2] | f[3] | f[4]))
            return;
        desc d = {.name = f[3], .ilt = f[0], .iat = f[4]};
        if (desc_loops(c, &d, pe->imports, pe->n_imports, tab, IMPORT_DESC_SIZE * (i + 1), di))
            return;
        hy_pe_import_dll *dll = push_dll(c, &pe->imports, &pe->n_imports);
        size_t toff;
        if (!dll)
            return;
        dll->name_rva = d.name;
        dll->ilt_rva = d.ilt;
        dll->iat_rva = d.iat;
        dll->name = dll_name(c, d.name, di, HY_PE_AN_IMPORT_NAME);
        if (dll->name && pick_thunks(c, &d, dll, &toff, di))
            walk_thunks(c, dll, toff, di);
    }
}

/* Reads one delay-load descriptor at file offset o into d; false at the
 * terminating (all-zero) entry or when unreadable. */
static bool delay_desc(hy__pe_ctx *c, size_t o, desc *d, int32_t di)
{
    uint32_t f[8];
    for (int k = 0; k < 8; k++)
        if (!hy_rd_u32le(c->p, c->n, o + 4u * k, &f[k])) {
            hy__pe_anomaly(c, HY_PE_AN_DELAY_BAD, di, "delay descriptor %d past end of file", di);
            return false;
        }
    if (!(f[1] | f[3] | f[4]))
        return false;
    d->name = f[1];
    d->iat = f[3];
    d->ilt = f[4];
    if (!(f[0] & 1)) { /* version-1 descriptors hold VAs */
        uint64_t base = c->pe->image_base;
        d->name = (uint32_t)(d->name - base);
        d->iat = (uint32_t)(d->iat - base);
        d->ilt = (uint32_t)(d->ilt - base);
    }
    return true;
}

void hy__pe_delay_imports(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    uint32_t tab = pe->dirs[HY_PE_DIR_DELAY_IMPORT].rva;
    size_t off;
    if (!tab || !hy__pe_map(c, tab, &off))
        return;
    for (uint32_t i = 0; i < HY_PE_MAX_IMPORT_DLLS && !c->nomem; i++) {
        desc d;
        int32_t di = (int32_t)i;
        size_t toff;
        if (!delay_desc(c, off + DELAY_DESC_SIZE * i, &d, di))
            return;
        if (desc_loops(c, &d, pe->delay_imports, pe->n_delay_imports, tab,
                       DELAY_DESC_SIZE * (i + 1), di))
            return;
        hy_pe_import_dll *dll = push_dll(c, &pe->delay_imports, &pe->n_delay_imports);
        if (!dll)
            return;
        dll->name_rva = d.name;
        dll->ilt_rva = d.ilt;
        dll->iat_rva = d.iat;
        dll->name = dll_name(c, d.name, di, HY_PE_AN_DELAY_BAD);
        if (!dll->name)
            return;
        if (!hy__pe_map(c, d.ilt, &toff)) {
            hy__pe_anomaly(c, HY_PE_AN_DELAY_BAD, di,
                           "delay descriptor %d: name table 0x%x unmapped", di, d.ilt);
            continue;
        }
        walk_thunks(c, dll, toff, di);
    }
    if (!c->nomem)
        hy__pe_anomaly(c, HY_PE_AN_IMPORTS_CAPPED, -1, "more than %d delay descriptors",
                       HY_PE_MAX_IMPORT_DLLS);
}

void hy__pe_free_imports(hy_pe *pe)
{
    for (size_t i = 0; i < pe->n_imports; i++)
        free(pe->imports[i].fns);
    for (size_t i = 0; i < pe->n_delay_imports; i++)
        free(pe->delay_imports[i].fns);
    free(pe->imports);
    free(pe->delay_imports);
}

/* Appends s lowercased to the growing string *buf. */
static bool append_lower(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*cap - *len < n + 1) {
        size_t ncap = (*cap + n + 1) * 2;
        char *b = realloc(*buf, ncap);
        if (!b)
            return false;
        *buf = b;
        *cap = ncap;
    }
    for (size_t i = 0; i < n; i++)
        (*buf)[(*len)++] = (char)tolower((unsigned char)s[i]);
    (*buf)[*len] = '\0';
    return true;
}

/* Length of the DLL name without a .dll/.ocx/.sys extension. */
static size_t stem_len(const char *dll)
{
    const char *dot = strrchr(dll, '.');
    if (dot && (!strcasecmp(dot, ".dll") || !strcasecmp(dot, ".ocx") || !strcasecmp(dot, ".sys")))
        return (size_t)(dot - dll);
    return strlen(dll);
}

static bool append_fn(char **buf, size_t *len, size_t *cap, const hy_pe_import_dll *d,
                      const hy_pe_import_fn *f)
{
    char ord[16];
    const char *fn = f->name;
    if (!fn)
        fn = hy_pe_ordinal_name(d->name, f->ordinal);
    if (!fn) {
        snprintf(ord, sizeof ord, "ord%u", (unsigned)f->ordinal);
        fn = ord;
    }
    return (!*len || append_lower(buf, len, cap, ",", 1)) &&
           append_lower(buf, len, cap, d->name, stem_len(d->name)) &&
           append_lower(buf, len, cap, ".", 1) && append_lower(buf, len, cap, fn, strlen(fn));
}

static hy_err md5_hex(const char *s, size_t n, char out[33])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    if (EVP_Digest(s, n, d, &dl, EVP_md5(), NULL) != 1 || dl != 16)
        return hy_err_set(HY_ERR_INTERNAL, "pe: imphash: no MD5 digest");
    for (unsigned i = 0; i < dl; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    return HY_OK;
}

hy_err hy_pe_imphash(const hy_pe *pe, char out[33])
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    hy_err rc = HY_OK;
    if (!pe || !out)
        return hy_err_set(HY_ERR_ARG, "pe: imphash: NULL argument");
    out[0] = '\0';
    if (!pe->n_imports)
        return HY_OK;
    if (!append_lower(&buf, &len, &cap, "", 0))
        return hy_err_set(HY_ERR_NOMEM, "pe: imphash string");
    for (size_t i = 0; i < pe->n_imports && rc == HY_OK; i++)
        for (size_t j = 0; j < pe->imports[i].n_fns && rc == HY_OK; j++)
            if (!append_fn(&buf, &len, &cap, &pe->imports[i], &pe->imports[i].fns[j]))
                rc = hy_err_set(HY_ERR_NOMEM, "pe: imphash string");
    if (rc == HY_OK)
        rc = md5_hex(buf, len, out);
    free(buf);
    return rc;
}
