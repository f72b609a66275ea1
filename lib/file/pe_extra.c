/* PE structures outside the import/export/resource tables (pe.h): the Rich
 * header between the DOS stub and the PE header, the TLS directory and its
 * callbacks, the overlay, and the certificate table (Authenticode). */
#include "pe_int.h"

#include <string.h>

#define RICH_MAGIC      0x68636952u /* "Rich" */
#define DANS_MAGIC      0x536e6144u /* "DanS" */
#define DOS_HEADER_SIZE 0x40u

static uint32_t rol32(uint32_t v, unsigned s)
{
    s &= 31;
    return s ? v << s | v >> (32 - s) : v;
}

/* The first "Rich" on a dword boundary between the DOS header and the PE
 * header (within HY_PE_MAX_RICH_SCAN bytes); 0 when none. */
static size_t find_rich(const hy__pe_ctx *c, size_t *lo)
{
    size_t hi = c->pe->e_lfanew < c->n ? c->pe->e_lfanew : c->n;
    *lo = DOS_HEADER_SIZE;
    if (hi > *lo + HY_PE_MAX_RICH_SCAN)
        hi = *lo + HY_PE_MAX_RICH_SCAN;
    for (size_t o = *lo; o + 8 <= hi; o += 4) {
        uint32_t v;
        if (hy_rd_u32le(c->p, c->n, o, &v) && v == RICH_MAGIC)
            return o;
    }
    return 0;
}

/* Decodes the entries between "DanS"+16 and "Rich" and checks the key:
 * the DanS offset, plus every header byte before it rotated left by its
 * index (e_lfanew excluded), plus each comp.id rotated left by its count. */
static void rich_entries(hy__pe_ctx *c, hy_pe_rich *r)
{
    uint32_t sum = r->offset;
    for (uint32_t i = 0; i < r->offset; i++) {
        uint8_t b = 0;
        if ((i < 0x3c || i >= 0x40) && hy_rd_u8(c->p, c->n, i, &b))
            sum += rol32(b, i);
    }
    if ((r->end - r->offset) % 8)
        hy__pe_anomaly(c, HY_PE_AN_RICH_BAD, -1, "Rich header entries ragged (%u bytes)",
                       r->end - r->offset - 16);
    for (size_t o = (size_t)r->offset + 16; o + 8 <= r->end; o += 8) {
        uint32_t id = 0, count = 0;
        hy_rd_u32le(c->p, c->n, o, &id);
        hy_rd_u32le(c->p, c->n, o + 4, &count);
        id ^= r->key;
        count ^= r->key;
        sum += rol32(id, count);
        if (r->n_entries < HY_PE_MAX_RICH_ENTRIES)
            r->entries[r->n_entries++] = (hy_pe_rich_entry){id, count};
        else if (r->n_entries++ == HY_PE_MAX_RICH_ENTRIES)
            hy__pe_anomaly(c, HY_PE_AN_RICH_BAD, -1, "more than %d Rich entries",
                           HY_PE_MAX_RICH_ENTRIES);
    }
    if (r->n_entries > HY_PE_MAX_RICH_ENTRIES)
        r->n_entries = HY_PE_MAX_RICH_ENTRIES;
    r->checksum = sum;
    r->checksum_ok = sum == r->key;
    if (!r->checksum_ok)
        hy__pe_anomaly(c, HY_PE_AN_RICH_CHECKSUM, -1,
                       "Rich key 0x%08x, checksum of header and entries 0x%08x", r->key, sum);
}

void hy__pe_rich(hy__pe_ctx *c)
{
    hy_pe_rich *r = &c->pe->rich;
    size_t lo, o = find_rich(c, &lo), d = 0;
    uint32_t key = 0, v;
    if (!o)
        return;
    hy_rd_u32le(c->p, c->n, o + 4, &key);
    for (size_t k = o; k >= lo + 4 && !d;) {
        k -= 4;
        if (hy_rd_u32le(c->p, c->n, k, &v) && (v ^ key) == DANS_MAGIC)
            d = k;
    }
    if (!d || o - d < 16) {
        hy__pe_anomaly(c, HY_PE_AN_RICH_BAD, -1,
                       "\"Rich\" at 0x%zx without \"DanS\" under key 0x%08x", o, key);
        return;
    }
    r->present = true;
    r->offset = (uint32_t)d;
    r->end = (uint32_t)o;
    r->key = key;
    for (int k = 1; k <= 3; k++)
        if (hy_rd_u32le(c->p, c->n, d + 4u * k, &v) && v != key) {
            hy__pe_anomaly(c, HY_PE_AN_RICH_BAD, -1, "Rich header padding not zero");
            break;
        }
    rich_entries(c, r);
}

static bool rd_ptr(const hy__pe_ctx *c, size_t off, uint64_t *v)
{
    uint32_t w;
    if (c->pe->pe32plus)
        return hy_rd_u64le(c->p, c->n, off, v);
    if (!hy_rd_u32le(c->p, c->n, off, &w))
        return false;
    *v = w;
    return true;
}

/* Reads the callback array (VAs up to a null entry). */
static void tls_callbacks(hy__pe_ctx *c, hy_pe_tls *t)
{
    hy_pe *pe = c->pe;
    uint64_t rel = t->callbacks_va - pe->image_base;
    size_t ps = pe->pe32plus ? 8 : 4, off;
    if (t->callbacks_va < pe->image_base || rel > UINT32_MAX ||
        !hy__pe_map(c, (uint32_t)rel, &off)) {
        hy__pe_anomaly(c, HY_PE_AN_TLS_BAD, -1, "TLS callback array at VA 0x%llx unmapped",
                       (unsigned long long)t->callbacks_va);
        return;
    }
    for (size_t i = 0;; i++) {
        uint64_t va;
        if (i == HY_PE_MAX_TLS_CALLBACKS) {
            hy__pe_anomaly(c, HY_PE_AN_TLS_CAPPED, -1, "more than %d TLS callbacks",
                           HY_PE_MAX_TLS_CALLBACKS);
            return;
        }
        if (!rd_ptr(c, off + i * ps, &va)) {
            hy__pe_anomaly(c, HY_PE_AN_TLS_BAD, (int32_t)i, "TLS callback %zu past end of file", i);
            return;
        }
        if (!va)
            return;
        t->callbacks[t->n_callbacks++] = va;
        if (va < pe->image_base || va - pe->image_base >= pe->size_image)
            hy__pe_anomaly(c, HY_PE_AN_TLS_CALLBACK_OUTSIDE, (int32_t)i,
                           "TLS callback %zu at VA 0x%llx outside the image", i,
                           (unsigned long long)va);
    }
}

void hy__pe_tls(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    hy_pe_tls *t = &pe->tls;
    size_t off, ps = pe->pe32plus ? 8 : 4;
    uint32_t rva = pe->dirs[HY_PE_DIR_TLS].rva;
    if (!rva || !hy__pe_map(c, rva, &off))
        return;
    if (!hy_fits(c->n, off, 4 * ps + 8)) {
        hy__pe_anomaly(c, HY_PE_AN_TLS_BAD, -1, "TLS directory past end of file");
        return;
    }
    t->present = true;
    rd_ptr(c, off, &t->start_va);
    rd_ptr(c, off + ps, &t->end_va);
    rd_ptr(c, off + 2 * ps, &t->index_va);
    rd_ptr(c, off + 3 * ps, &t->callbacks_va);
    hy_rd_u32le(c->p, c->n, off + 4 * ps, &t->zero_fill);
    hy_rd_u32le(c->p, c->n, off + 4 * ps + 4, &t->characteristics);
    if (t->callbacks_va)
        tls_callbacks(c, t);
}

/* End of the last thing the headers account for: section raw data and the
 * data directories (the certificate table excepted), as pefile counts it. */
static uint64_t mapped_end(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    uint64_t end = 0;
    for (size_t i = 0; i < pe->n_sections; i++) {
        uint64_t e = (uint64_t)hy__pe_sec_raw(pe, &pe->sections[i]) + pe->sections[i].raw_size;
        if (pe->sections[i].raw_size && e <= c->n && e > end)
            end = e;
    }
    for (int i = 0; i < HY_PE_NDIRS; i++) {
        size_t off;
        if (i == HY_PE_DIR_SECURITY || !pe->dirs[i].rva || !hy__pe_map(c, pe->dirs[i].rva, &off))
            continue;
        uint64_t e = (uint64_t)off + pe->dirs[i].size;
        if (e <= c->n && e > end)
            end = e;
    }
    return end;
}

static void cert(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    hy_pe_cert *ct = &pe->cert;
    const hy_pe_dir *d = &pe->dirs[HY_PE_DIR_SECURITY];
    if (!d->rva && !d->size)
        return;
    ct->present = true;
    ct->offset = d->rva; /* a file offset for this directory */
    ct->size = d->size;
    if (!d->rva || d->size < 8 || !hy_fits(c->n, d->rva, d->size)) {
        hy__pe_anomaly(c, HY_PE_AN_CERT_BAD, HY_PE_DIR_SECURITY,
                       "certificate table 0x%x+0x%x outside the file", d->rva, d->size);
        return;
    }
    hy_rd_u32le(c->p, c->n, d->rva, &ct->length);
    hy_rd_u16le(c->p, c->n, d->rva + 4u, &ct->revision);
    hy_rd_u16le(c->p, c->n, d->rva + 6u, &ct->type);
    bool ok = ct->length >= 8 && ct->length <= d->size &&
              (ct->revision == 0x100 || ct->revision == 0x200) && ct->type >= 1 && ct->type <= 4;
    if (!ok)
        hy__pe_anomaly(c, HY_PE_AN_CERT_BAD, HY_PE_DIR_SECURITY,
                       "implausible WIN_CERTIFICATE (length %u, revision 0x%x, type %u)",
                       ct->length, ct->revision, ct->type);
    ct->authenticode = ok && ct->type == HY_PE_CERT_PKCS_SIGNED;
    ct->in_overlay = pe->overlay_size && d->rva >= pe->overlay_offset;
}

void hy__pe_overlay_cert(hy__pe_ctx *c)
{
    hy_pe *pe = c->pe;
    uint64_t end = pe->n_sections ? mapped_end(c) : 0;
    if (end && end < c->n) {
        pe->overlay_offset = end;
        pe->overlay_size = c->n - end;
        pe->overlay_entropy = hy__pe_entropy(c, end, pe->overlay_size);
    }
    cert(c);
}
