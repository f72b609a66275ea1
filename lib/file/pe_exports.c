/* PE export directory (include/hayate/pe.h): the DLL name, then one entry
 * per name (in name-table order) and one per unnamed non-zero address, with
 * forwarders ("DLL.Function") recognised by an address inside the directory. */
#include "pe_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct exp_tabs {
    size_t funcs, names, ords; /* file offsets of the three tables */
    uint32_t nf, nn;           /* entries walked (capped) */
    uint32_t dir, dir_size;    /* the export directory's range, for forwarders */
    size_t cap;                /* allocated entries in pe->exports.e */
} exp_tabs;

static bool push(hy__pe_ctx *c, exp_tabs *t, const hy_pe_export *x)
{
    hy_pe_exports *ex = &c->pe->exports;
    if (ex->n == t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 16;
        hy_pe_export *e = realloc(ex->e, ncap * sizeof *e);
        if (!e) {
            c->nomem = true;
            return false;
        }
        ex->e = e;
        t->cap = ncap;
    }
    ex->e[ex->n++] = *x;
    return true;
}

/* The forwarder string when rva points inside the export directory. */
static const char *forwarder(hy__pe_ctx *c, const exp_tabs *t, uint32_t rva, uint32_t ordinal)
{
    size_t off;
    const char *s = NULL;
    if (rva < t->dir || rva - t->dir >= t->dir_size)
        return NULL;
    if (hy__pe_map(c, rva, &off))
        s = hy__pe_cstr(c, off);
    if (!s && !c->nomem)
        hy__pe_anomaly(c, HY_PE_AN_EXPORT_NAME, (int32_t)ordinal,
                       "export ordinal %u forwarder at 0x%x unreadable", ordinal, rva);
    return s;
}

/* Adds the export at address-table index idx (name may be NULL). */
static bool add(hy__pe_ctx *c, exp_tabs *t, uint32_t idx, const char *name)
{
    hy_pe_export x = {.ordinal = c->pe->exports.ordinal_base + idx, .name = name};
    if (!hy_rd_u32le(c->p, c->n, t->funcs + 4u * idx, &x.rva)) {
        hy__pe_anomaly(c, HY_PE_AN_EXPORT_BAD, (int32_t)idx, "export address %u past end of file",
                       idx);
        return false;
    }
    if (x.rva == 0 && !name)
        return true;
    x.forwarder = forwarder(c, t, x.rva, x.ordinal);
    return !c->nomem && push(c, t, &x);
}

static void walk_names(hy__pe_ctx *c, exp_tabs *t, uint8_t *named)
{
    for (uint32_t i = 0; i < t->nn && !c->nomem; i++) {
        uint32_t nrva;
        uint16_t idx;
        size_t off;
        const char *name = NULL;
        if (!hy_rd_u32le(c->p, c->n, t->names + 4u * i, &nrva) ||
            !hy_rd_u16le(c->p, c->n, t->ords + 2u * i, &idx)) {
            hy__pe_anomaly(c, HY_PE_AN_EXPORT_NAME, (int32_t)i,
                           "export name pointer %u past end of file", i);
            return;
        }
        if (idx >= t->nf) {
            hy__pe_anomaly(c, HY_PE_AN_EXPORT_ORDINAL, (int32_t)i,
                           "export name %u ordinal index %u beyond %u functions", i, idx, t->nf);
            continue;
        }
        if (hy__pe_map(c, nrva, &off))
            name = hy__pe_cstr(c, off);
        if (!name) {
            if (!c->nomem)
                hy__pe_anomaly(c, HY_PE_AN_EXPORT_NAME, (int32_t)i,
                               "export name %u pointer 0x%x out of range or invalid", i, nrva);
            continue;
        }
        named[idx] = 1;
        if (!add(c, t, idx, name))
            return;
    }
}

/* Maps the three tables; false when the exports cannot be walked at all. */
static bool locate_tables(hy__pe_ctx *c, size_t off, exp_tabs *t)
{
    hy_pe_exports *ex = &c->pe->exports;
    uint32_t af = 0, an = 0, ao = 0;
    hy_rd_u32le(c->p, c->n, off + 28, &af);
    hy_rd_u32le(c->p, c->n, off + 32, &an);
    hy_rd_u32le(c->p, c->n, off + 36, &ao);
    t->nf = ex->n_functions;
    t->nn = ex->n_names;
    if (t->nf > HY_PE_MAX_EXPORTS || t->nn > HY_PE_MAX_EXPORTS) {
        hy__pe_anomaly(c, HY_PE_AN_EXPORTS_CAPPED, -1, "%u functions, %u names (cap %d)", t->nf,
                       t->nn, HY_PE_MAX_EXPORTS);
        t->nf = t->nf > HY_PE_MAX_EXPORTS ? HY_PE_MAX_EXPORTS : t->nf;
        t->nn = t->nn > HY_PE_MAX_EXPORTS ? HY_PE_MAX_EXPORTS : t->nn;
    }
    if (t->nf && !hy__pe_map(c, af, &t->funcs)) {
        hy__pe_anomaly(c, HY_PE_AN_EXPORT_BAD, -1, "export address table 0x%x unmapped", af);
        return false;
    }
    if (t->nn && (!hy__pe_map(c, an, &t->names) || !hy__pe_map(c, ao, &t->ords))) {
        hy__pe_anomaly(c, HY_PE_AN_EXPORT_NAME, -1, "export name tables (0x%x, 0x%x) out of range",
                       an, ao);
        t->nn = 0;
    }
    return true;
}

void hy__pe_exports(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    hy_pe_exports *ex = &pe->exports;
    exp_tabs t = {.dir = pe->dirs[HY_PE_DIR_EXPORT].rva,
                  .dir_size = pe->dirs[HY_PE_DIR_EXPORT].size};
    size_t off, name_off;
    uint32_t name_rva = 0;
    if (!t.dir || !hy__pe_map(c, t.dir, &off))
        return;
    if (!hy_fits(c->n, off, 40)) {
        hy__pe_anomaly(c, HY_PE_AN_EXPORT_BAD, -1, "export directory past end of file");
        return;
    }
    ex->present = true;
    hy_rd_u32le(c->p, c->n, off + 4, &ex->timestamp);
    hy_rd_u32le(c->p, c->n, off + 12, &name_rva);
    hy_rd_u32le(c->p, c->n, off + 16, &ex->ordinal_base);
    hy_rd_u32le(c->p, c->n, off + 20, &ex->n_functions);
    hy_rd_u32le(c->p, c->n, off + 24, &ex->n_names);
    if (hy__pe_map(c, name_rva, &name_off))
        ex->dll_name = hy__pe_cstr(c, name_off);
    if (!ex->dll_name && !c->nomem)
        hy__pe_anomaly(c, HY_PE_AN_EXPORT_NAME, -1, "export DLL name at 0x%x unreadable", name_rva);
    if (c->nomem || !locate_tables(c, off, &t) || !t.nf)
        return;
    uint8_t *named = calloc(t.nf, 1);
    if (!named) {
        c->nomem = true;
        return;
    }
    walk_names(c, &t, named);
    for (uint32_t i = 0; i < t.nf && !c->nomem; i++)
        if (!named[i] && !add(c, &t, i, NULL))
            break;
    free(named);
}
