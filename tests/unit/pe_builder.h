/* A small PE image builder for the PE parser's tests (test_file_pe.c):
 * emits a valid PE32 or PE32+ image with five sections, an import table
 * (by name, by ordinal, one DLL without a name table), a delay-load table,
 * an export table with a forwarder, a three-level resource tree, a Rich
 * header, a TLS directory with two callbacks, a certificate table and an
 * overlay. pb_layout records where things are so tests can break them.
 *
 * Layout (file offset / RVA):
 *   0x000  DOS header + stub (the usual MSVC bytes), Rich header at 0x80
 *   0x100  "PE\0\0", COFF header, optional header, section table
 *   .text  0x0400 / 0x1000  raw 0x200, virtual 0x180 (entry at 0x1000)
 *   .rdata 0x0600 / 0x2000  raw 0xa00: imports, delay imports, exports, TLS
 *   .rsrc  0x1000 / 0x3000  raw 0x600: the resource tree and its data
 *   .data  0x1600 / 0x4000  raw 0x200 of zeros, virtual 0x300
 *   .bss   none   / 0x5000  virtual 0x100
 *   0x1800 certificate table (0x28 bytes), then 0x100 more overlay bytes */
#ifndef HY_TEST_PE_BUILDER_H
#define HY_TEST_PE_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PB_CAP           0x2000
#define PB_LFANEW        0x100u
#define PB_RDATA_RVA     0x2000u
#define PB_RDATA_OFF     0x600u
#define PB_RDATA_SIZE    0xa00u
#define PB_RSRC_RVA      0x3000u
#define PB_RSRC_OFF      0x1000u
#define PB_CERT_OFF      0x1800u
#define PB_CERT_LEN      0x28u
#define PB_OVERLAY_EXTRA 0x100u
#define PB_BASE32        0x10000000ull
#define PB_BASE64        0x140000000ull

typedef struct pb_layout {
    size_t len;          /* image size */
    bool plus;           /* PE32+ */
    size_t opt;          /* optional header offset */
    size_t sec;          /* section table offset */
    uint32_t imp_desc;   /* import descriptor table RVA */
    uint32_t exp_dir;    /* export directory RVA */
    uint32_t exp_names;  /* export name pointer table RVA */
    uint32_t tls_cbs;    /* TLS callback array RVA */
    uint32_t res_icon1;  /* file offset of the ICON type directory's first entry */
    uint64_t base;       /* image base */
    uint32_t res_a_off;  /* file offset of the largest resource's bytes */
    uint32_t rdata_used; /* bytes of .rdata filled (must stay below its size) */
} pb_layout;

/* The 0x80 bytes of the DOS header and stub that MSVC's linker writes, and
 * the Rich header of a real MSVC-linked program (published dump, key
 * 0x24ea4a1c, seven entries): its checksum covers those header bytes. */
static const uint8_t pb_dos_stub[0x80] = {
    0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00,
    0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0x00, 0x00, 0x00,
    0x0e, 0x1f, 0xba, 0x0e, 0x00, 0xb4, 0x09, 0xcd, 0x21, 0xb8, 0x01, 0x4c, 0xcd, 0x21, 0x54, 0x68,
    0x69, 0x73, 0x20, 0x70, 0x72, 0x6f, 0x67, 0x72, 0x61, 0x6d, 0x20, 0x63, 0x61, 0x6e, 0x6e, 0x6f,
    0x74, 0x20, 0x62, 0x65, 0x20, 0x72, 0x75, 0x6e, 0x20, 0x69, 0x6e, 0x20, 0x44, 0x4f, 0x53, 0x20,
    0x6d, 0x6f, 0x64, 0x65, 0x2e, 0x0d, 0x0d, 0x0a, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t pb_rich[0x50] = {
    0x58, 0x2b, 0x84, 0x77, 0x1c, 0x4a, 0xea, 0x24, 0x1c, 0x4a, 0xea, 0x24, 0x1c, 0x4a, 0xea, 0x24,
    0x92, 0x42, 0x8a, 0x24, 0x16, 0x4a, 0xea, 0x24, 0x9f, 0x42, 0xe5, 0x24, 0x14, 0x4a, 0xea, 0x24,
    0x9f, 0x42, 0xb7, 0x24, 0x39, 0x4a, 0xea, 0x24, 0x1c, 0x4a, 0xeb, 0x24, 0x21, 0x48, 0xea, 0x24,
    0x92, 0x42, 0xb5, 0x24, 0x5c, 0x4a, 0xea, 0x24, 0x9f, 0x42, 0xb4, 0x24, 0x1d, 0x4a, 0xea, 0x24,
    0x9f, 0x42, 0xb0, 0x24, 0x1d, 0x4a, 0xea, 0x24, 0x52, 0x69, 0x63, 0x68, 0x1c, 0x4a, 0xea, 0x24,
};

static void pb_w16(uint8_t *b, size_t o, uint16_t v)
{
    b[o] = (uint8_t)v;
    b[o + 1] = (uint8_t)(v >> 8);
}

static void pb_w32(uint8_t *b, size_t o, uint32_t v)
{
    pb_w16(b, o, (uint16_t)v);
    pb_w16(b, o + 2, (uint16_t)(v >> 16));
}

static void pb_w64(uint8_t *b, size_t o, uint64_t v)
{
    pb_w32(b, o, (uint32_t)v);
    pb_w32(b, o + 4, (uint32_t)(v >> 32));
}

/* Pointer-sized write: 4 bytes in PE32, 8 in PE32+. */
static void pb_wptr(uint8_t *b, const pb_layout *l, size_t o, uint64_t v)
{
    if (l->plus)
        pb_w64(b, o, v);
    else
        pb_w32(b, o, (uint32_t)v);
}

/* Bump allocator inside .rdata: returns the RVA of n fresh bytes. */
typedef struct pb_rd {
    uint8_t *b;
    uint32_t used;
} pb_rd;

static uint32_t pb_alloc(pb_rd *r, uint32_t n, uint32_t align)
{
    r->used = (r->used + align - 1) & ~(align - 1);
    uint32_t rva = PB_RDATA_RVA + r->used;
    r->used += n;
    return rva;
}

static size_t pb_off(uint32_t rdata_rva)
{
    return PB_RDATA_OFF + (rdata_rva - PB_RDATA_RVA);
}

static uint32_t pb_str(pb_rd *r, const char *s)
{
    uint32_t rva = pb_alloc(r, (uint32_t)strlen(s) + 1, 2);
    memcpy(r->b + pb_off(rva), s, strlen(s) + 1);
    return rva;
}

/* A hint/name entry; returns its RVA. */
static uint32_t pb_hint_name(pb_rd *r, uint16_t hint, const char *name)
{
    uint32_t rva = pb_alloc(r, 2 + (uint32_t)strlen(name) + 1, 2);
    pb_w16(r->b, pb_off(rva), hint);
    memcpy(r->b + pb_off(rva) + 2, name, strlen(name) + 1);
    return rva;
}

/* Imported function: a name, or (name NULL) an ordinal. */
typedef struct pb_fn {
    const char *name;
    uint16_t ord_or_hint;
} pb_fn;

/* A thunk array for fns (null-terminated); returns its RVA. */
static uint32_t pb_thunks(pb_rd *r, const pb_layout *l, const pb_fn *fns, size_t n)
{
    uint32_t ps = l->plus ? 8 : 4;
    uint64_t ord = l->plus ? 1ull << 63 : 1ull << 31;
    uint32_t rva = pb_alloc(r, ps * (uint32_t)(n + 1), ps);
    for (size_t i = 0; i < n; i++) {
        uint64_t v = fns[i].name ? pb_hint_name(r, fns[i].ord_or_hint, fns[i].name)
                                 : ord | fns[i].ord_or_hint;
        pb_wptr(r->b, l, pb_off(rva) + ps * i, v);
    }
    return rva;
}

static const pb_fn pb_k32[] = {{"GetProcAddress", 0x2b5}, {"LoadLibraryA", 0x3c1}};
static const pb_fn pb_ws2[] = {{NULL, 23}, {NULL, 115}};
static const pb_fn pb_ole[] = {{NULL, 2}};
static const pb_fn pb_u32[] = {{"MessageBoxA", 0x1f}, {NULL, 5}};
static const pb_fn pb_drv[] = {{"IoCreateDevice", 0}};
static const pb_fn pb_foo[] = {{"Thing", 1}};
static const pb_fn pb_adv[] = {{"RegOpenKeyExA", 0x270}};

/* The import table; the last DLL has no name table (IAT only). */
static void pb_imports(pb_rd *r, pb_layout *l, uint32_t *dirs)
{
    static const struct {
        const char *dll;
        const pb_fn *fns;
        size_t n;
    } dlls[] = {{"KERNEL32.dll", pb_k32, 2}, {"WS2_32.dll", pb_ws2, 2}, {"oleaut32.dll", pb_ole, 1},
                {"user32.dll", pb_u32, 2},   {"driver.sys", pb_drv, 1}, {"Foo.Bar", pb_foo, 1},
                {"ADVAPI32.dll", pb_adv, 1}};
    size_t nd = sizeof dlls / sizeof *dlls;
    uint32_t desc = pb_alloc(r, 20 * (uint32_t)(nd + 1), 4);
    uint32_t iat0 = 0, iat_end = 0;
    for (size_t i = 0; i < nd; i++) {
        bool last = i == nd - 1;
        uint32_t ilt = last ? 0 : pb_thunks(r, l, dlls[i].fns, dlls[i].n);
        uint32_t iat = pb_thunks(r, l, dlls[i].fns, dlls[i].n);
        uint32_t name = pb_str(r, dlls[i].dll);
        size_t o = pb_off(desc) + 20 * i;
        pb_w32(r->b, o, ilt);
        pb_w32(r->b, o + 12, name);
        pb_w32(r->b, o + 16, iat);
        iat0 = iat0 ? iat0 : iat;
        iat_end = iat + (uint32_t)((dlls[i].n + 1) * (l->plus ? 8 : 4));
    }
    l->imp_desc = desc;
    dirs[2 * 1] = desc;
    dirs[2 * 1 + 1] = 20 * (uint32_t)(nd + 1);
    dirs[2 * 12] = iat0;
    dirs[2 * 12 + 1] = iat_end - iat0;
}

/* One delay-load descriptor (RVA-based): dbghelp.dll, a name and an ordinal. */
static void pb_delay(pb_rd *r, pb_layout *l, uint32_t *dirs)
{
    static const pb_fn fns[] = {{"MiniDumpWriteDump", 7}, {NULL, 4}};
    uint32_t desc = pb_alloc(r, 64, 4);
    uint32_t name = pb_str(r, "dbghelp.dll");
    uint32_t intab = pb_thunks(r, l, fns, 2);
    uint32_t iat = pb_thunks(r, l, fns, 2);
    size_t o = pb_off(desc);
    pb_w32(r->b, o, 1);
    pb_w32(r->b, o + 4, name);
    pb_w32(r->b, o + 8, 0x4020); /* module handle slot in .data */
    pb_w32(r->b, o + 12, iat);
    pb_w32(r->b, o + 16, intab);
    dirs[2 * 13] = desc;
    dirs[2 * 13 + 1] = 64;
}

/* Exports of hytest.dll, ordinal base 5: alpha, beta, gamma (forwarded to
 * NTDLL.RtlAllocateHeap), an empty slot, and ordinal 9 without a name. */
static void pb_exports(pb_rd *r, pb_layout *l, uint32_t *dirs)
{
    uint32_t dir = pb_alloc(r, 40, 4);
    uint32_t funcs = pb_alloc(r, 5 * 4, 4);
    uint32_t names = pb_alloc(r, 3 * 4, 4);
    uint32_t ords = pb_alloc(r, 3 * 2, 4);
    uint32_t dll = pb_str(r, "hytest.dll");
    uint32_t n_alpha = pb_str(r, "alpha"), n_beta = pb_str(r, "beta"), n_gamma = pb_str(r, "gamma");
    uint32_t fwd = pb_str(r, "NTDLL.RtlAllocateHeap");
    size_t o = pb_off(dir);
    pb_w32(r->b, o + 4, 0x5f000000); /* timestamp */
    pb_w32(r->b, o + 12, dll);
    pb_w32(r->b, o + 16, 5);
    pb_w32(r->b, o + 20, 5);
    pb_w32(r->b, o + 24, 3);
    pb_w32(r->b, o + 28, funcs);
    pb_w32(r->b, o + 32, names);
    pb_w32(r->b, o + 36, ords);
    const uint32_t f[5] = {0x1010, 0x1020, fwd, 0, 0x1030};
    for (int i = 0; i < 5; i++)
        pb_w32(r->b, pb_off(funcs) + 4u * i, f[i]);
    const uint32_t nm[3] = {n_alpha, n_beta, n_gamma};
    for (int i = 0; i < 3; i++) {
        pb_w32(r->b, pb_off(names) + 4u * i, nm[i]);
        pb_w16(r->b, pb_off(ords) + 2u * i, (uint16_t)i);
    }
    l->exp_dir = dir;
    l->exp_names = names;
    dirs[0] = dir;
    dirs[1] = r->used + PB_RDATA_RVA - dir;
}

/* TLS directory: raw data in .data, callbacks at base+0x1040, base+0x1050. */
static void pb_tls(pb_rd *r, pb_layout *l, uint32_t *dirs)
{
    uint32_t ps = l->plus ? 8 : 4;
    uint32_t dir = pb_alloc(r, 4 * ps + 8, ps);
    uint32_t cbs = pb_alloc(r, 3 * ps, ps);
    size_t o = pb_off(dir);
    pb_wptr(r->b, l, o, l->base + 0x4100);
    pb_wptr(r->b, l, o + ps, l->base + 0x4110);
    pb_wptr(r->b, l, o + 2 * ps, l->base + 0x4120);
    pb_wptr(r->b, l, o + 3 * ps, l->base + cbs);
    pb_w32(r->b, o + 4 * ps, 0x10);
    pb_wptr(r->b, l, pb_off(cbs), l->base + 0x1040);
    pb_wptr(r->b, l, pb_off(cbs) + ps, l->base + 0x1050);
    l->tls_cbs = cbs;
    dirs[2 * 9] = dir;
    dirs[2 * 9 + 1] = 4 * ps + 8;
}

/* Resource directory header with its entry counts at .rsrc offset at. */
static void pb_res_dir(uint8_t *b, uint32_t at, uint16_t named, uint16_t ids)
{
    pb_w16(b, PB_RSRC_OFF + at + 12, named);
    pb_w16(b, PB_RSRC_OFF + at + 14, ids);
}

static void pb_res_ent(uint8_t *b, uint32_t dir, int i, uint32_t id, uint32_t to)
{
    pb_w32(b, PB_RSRC_OFF + dir + 16 + 8u * i, id);
    pb_w32(b, PB_RSRC_OFF + dir + 20 + 8u * i, to);
}

/* Five data entries at 0xe0, their bytes from 0x140: A 0x100 pseudo-random,
 * B 0x40 zeros, C 0x80 ramp, D 0x30 and E 0x20 text. */
static void pb_res_data(uint8_t *b, pb_layout *l)
{
    static const uint32_t size[5] = {0x100, 0x40, 0x80, 0x30, 0x20};
    uint32_t at = 0x140, x = 12345;
    for (int i = 0; i < 5; i++) {
        pb_w32(b, PB_RSRC_OFF + 0xe0 + 16u * i, PB_RSRC_RVA + at);
        pb_w32(b, PB_RSRC_OFF + 0xe0 + 16u * i + 4, size[i]);
        for (uint32_t k = 0; k < size[i]; k++) {
            x = x * 1103515245u + 12345u;
            uint8_t v = i == 0   ? (uint8_t)(x >> 16)
                        : i == 1 ? 0
                        : i == 2 ? (uint8_t)k
                                 : (uint8_t)('a' + k % 7);
            b[PB_RSRC_OFF + at + k] = v;
        }
        at += size[i];
    }
    l->res_a_off = PB_RSRC_OFF + 0x140;
}

/* The tree: "MYDATA"/101/0x409 -> A; ICON(3)/1/0x409 -> B, ICON/2/0x409 -> C;
 * VERSION(16)/1/{0x411 -> D, 0x409 -> E}. */
static void pb_resources(uint8_t *b, pb_layout *l, uint32_t *dirs)
{
    const uint32_t D = 0x80000000u;
    pb_res_dir(b, 0x00, 1, 2);
    pb_res_ent(b, 0x00, 0, D | 0x130, D | 0x28);
    pb_res_ent(b, 0x00, 1, 3, D | 0x58);
    pb_res_ent(b, 0x00, 2, 16, D | 0xa8);
    pb_res_dir(b, 0x28, 0, 1);
    pb_res_ent(b, 0x28, 0, 101, D | 0x40);
    pb_res_dir(b, 0x40, 0, 1);
    pb_res_ent(b, 0x40, 0, 0x409, 0xe0);
    pb_res_dir(b, 0x58, 0, 2);
    pb_res_ent(b, 0x58, 0, 1, D | 0x78);
    pb_res_ent(b, 0x58, 1, 2, D | 0x90);
    pb_res_dir(b, 0x78, 0, 1);
    pb_res_ent(b, 0x78, 0, 0x409, 0xf0);
    pb_res_dir(b, 0x90, 0, 1);
    pb_res_ent(b, 0x90, 0, 0x409, 0x100);
    pb_res_dir(b, 0xa8, 0, 1);
    pb_res_ent(b, 0xa8, 0, 1, D | 0xc0);
    pb_res_dir(b, 0xc0, 0, 2);
    pb_res_ent(b, 0xc0, 0, 0x411, 0x110);
    pb_res_ent(b, 0xc0, 1, 0x409, 0x120);
    pb_w16(b, PB_RSRC_OFF + 0x130, 6);
    for (int i = 0; i < 6; i++)
        pb_w16(b, PB_RSRC_OFF + 0x132 + 2u * i, (uint16_t) "MYDATA"[i]);
    pb_res_data(b, l);
    l->res_icon1 = PB_RSRC_OFF + 0x58 + 16;
    dirs[2 * 2] = PB_RSRC_RVA;
    dirs[2 * 2 + 1] = 0x350;
}

static void pb_section(uint8_t *b, size_t o, const char *name, const uint32_t v[5])
{
    memcpy(b + o, name, strlen(name));
    pb_w32(b, o + 8, v[0]);  /* virtual size */
    pb_w32(b, o + 12, v[1]); /* virtual address */
    pb_w32(b, o + 16, v[2]); /* raw size */
    pb_w32(b, o + 20, v[3]); /* raw pointer */
    pb_w32(b, o + 36, v[4]); /* characteristics */
}

static void pb_sections(uint8_t *b, const pb_layout *l)
{
    static const char *names[5] = {".text", ".rdata", ".rsrc", ".data", ".bss"};
    static const uint32_t v[5][5] = {{0x180, 0x1000, 0x200, 0x400, 0x60000020},
                                     {0xa00, 0x2000, 0xa00, 0x600, 0x40000040},
                                     {0x600, 0x3000, 0x600, 0x1000, 0x40000040},
                                     {0x300, 0x4000, 0x200, 0x1600, 0xc0000040},
                                     {0x100, 0x5000, 0, 0, 0xc0000080}};
    for (int i = 0; i < 5; i++)
        pb_section(b, l->sec + 40u * i, names[i], v[i]);
    for (uint32_t k = 0; k < 0x180; k++) /* code: a ramp of 64 values */
        b[0x400 + k] = (uint8_t)(k % 64);
}

/* The optional header up to the directories (values asserted by tests). */
static void pb_optional(uint8_t *b, const pb_layout *l)
{
    size_t o = l->opt, w = l->plus ? 8 : 4;
    pb_w16(b, o, l->plus ? 0x20b : 0x10b);
    b[o + 2] = 14;
    b[o + 3] = 29;
    pb_w32(b, o + 4, 0x200);
    pb_w32(b, o + 8, 0x1400);
    pb_w32(b, o + 12, 0x100);
    pb_w32(b, o + 16, 0x1000);
    pb_w32(b, o + 20, 0x1000);
    if (l->plus)
        pb_w64(b, o + 24, l->base);
    else {
        pb_w32(b, o + 24, 0x2000);
        pb_w32(b, o + 28, (uint32_t)l->base);
    }
    pb_w32(b, o + 32, 0x1000);
    pb_w32(b, o + 36, 0x200);
    const uint16_t vers[6] = {6, 0, 1, 2, 6, 1};
    for (int i = 0; i < 6; i++)
        pb_w16(b, o + 40 + 2u * i, vers[i]);
    pb_w32(b, o + 56, 0x6000);
    pb_w32(b, o + 60, 0x400);
    pb_w32(b, o + 64, 0x1234);
    pb_w16(b, o + 68, l->plus ? 3 : 2);
    pb_w16(b, o + 70, l->plus ? 0x8160 : 0x0140);
    pb_wptr(b, l, o + 72, 0x100000);
    pb_wptr(b, l, o + 72 + w, 0x1000);
    pb_wptr(b, l, o + 72 + 2 * w, 0x200000);
    pb_wptr(b, l, o + 72 + 3 * w, 0x2000);
    pb_w32(b, o + 76 + 4 * w, 16);
}

/* WIN_CERTIFICATE (revision 2.0, PKCS#7 signed data) then overlay bytes. */
static void pb_overlay(uint8_t *b, uint32_t *dirs)
{
    pb_w32(b, PB_CERT_OFF, PB_CERT_LEN);
    pb_w16(b, PB_CERT_OFF + 4, 0x0200);
    pb_w16(b, PB_CERT_OFF + 6, 0x0002);
    b[PB_CERT_OFF + 8] = 0x30; /* a DER SEQUENCE, as PKCS#7 starts */
    b[PB_CERT_OFF + 9] = 0x82;
    for (uint32_t k = 0; k < PB_OVERLAY_EXTRA; k++)
        b[PB_CERT_OFF + PB_CERT_LEN + k] = (uint8_t)(k * 37 + 11);
    dirs[2 * 4] = PB_CERT_OFF;
    dirs[2 * 4 + 1] = PB_CERT_LEN;
}

/* Builds the image into b (PB_CAP bytes) and returns its layout. */
static pb_layout pb_build(uint8_t *b, bool plus)
{
    pb_layout l = {.plus = plus, .base = plus ? PB_BASE64 : PB_BASE32};
    uint32_t dirs[32] = {0};
    pb_rd r = {b, 0};
    memset(b, 0, PB_CAP);
    memcpy(b, pb_dos_stub, sizeof pb_dos_stub);
    memcpy(b + 0x80, pb_rich, sizeof pb_rich);
    pb_w32(b, 0x3c, PB_LFANEW);
    memcpy(b + PB_LFANEW, "PE\0\0", 4);
    pb_w16(b, PB_LFANEW + 4, plus ? 0x8664 : 0x14c);
    pb_w16(b, PB_LFANEW + 6, 5);
    pb_w32(b, PB_LFANEW + 8, 0x5e0be100);
    pb_w16(b, PB_LFANEW + 20, plus ? 240 : 224);
    pb_w16(b, PB_LFANEW + 22, plus ? 0x0022 : 0x2102);
    l.opt = PB_LFANEW + 24;
    l.sec = l.opt + (plus ? 240 : 224);
    pb_optional(b, &l);
    pb_sections(b, &l);
    pb_imports(&r, &l, dirs);
    pb_delay(&r, &l, dirs);
    pb_exports(&r, &l, dirs);
    pb_tls(&r, &l, dirs);
    pb_resources(b, &l, dirs);
    pb_overlay(b, dirs);
    size_t d = l.opt + (plus ? 112 : 96);
    for (int i = 0; i < 32; i++)
        pb_w32(b, d + 4u * i, dirs[i]);
    l.rdata_used = r.used;
    l.len = PB_CERT_OFF + PB_CERT_LEN + PB_OVERLAY_EXTRA;
    return l;
}

#endif
