/* hayate internal: shared state of the PE parser (pe.c: headers, sections,
 * RVA mapping, anomalies; pe_imports.c: import and delay-load tables and the
 * imphash; pe_exports.c; pe_res.c: resources; pe_extra.c: Rich header, TLS,
 * overlay, certificate table; pe_ordinals.c: ordinal name tables).
 * Every read of the file goes through core/bytes.h. */
#ifndef HAYATE_FILE_PE_INT_H
#define HAYATE_FILE_PE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "hayate/pe.h"

typedef struct hy__pe_arena hy__pe_arena;

/* Parse state: the input, the result being filled, and budgets. */
typedef struct hy__pe_ctx {
    const uint8_t *p;
    size_t n;
    hy_pe *pe;
    bool nomem;              /* an allocation failed: the parse ends with NOMEM */
    uint64_t entropy_budget; /* bytes left for hy_entropy */
    size_t n_import_fns;     /* functions kept so far, both import tables */
} hy__pe_ctx;

/* Records an anomaly with a printf detail (index -1 when none applies). */
void hy__pe_anomaly(hy__pe_ctx *c, hy_pe_anomaly_kind kind, int32_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copies len bytes plus a NUL into the result's arena. NULL on OOM. */
const char *hy__pe_strdup(hy__pe_ctx *c, const char *s, size_t len);

/* The NUL-terminated printable-ASCII string at file offset off, copied into
 * the arena. NULL when out of the file, empty, unterminated within
 * HY_PE_MAX_NAME bytes or not printable (or on OOM: c->nomem). */
const char *hy__pe_cstr(hy__pe_ctx *c, size_t off);

/* Entropy of [off, off+len) clamped to the file, charged to the budget;
 * -1 when the range is empty or the budget is spent (one anomaly). */
double hy__pe_entropy(hy__pe_ctx *c, uint64_t off, uint64_t len);

/* hy_pe_rva_to_offset for the result being built. */
bool hy__pe_map(const hy__pe_ctx *c, uint32_t rva, size_t *off);

/* Raw data start of a section as the loader reads it (rounded down to 512
 * bytes unless the file alignment is smaller). */
uint32_t hy__pe_sec_raw(const hy_pe *pe, const hy_pe_section *s);

/* The table walkers; each reads its data directory and records anomalies. */
void hy__pe_imports(hy__pe_ctx *c);
void hy__pe_delay_imports(hy__pe_ctx *c);
void hy__pe_exports(hy__pe_ctx *c);
void hy__pe_resources(hy__pe_ctx *c);
void hy__pe_rich(hy__pe_ctx *c);
void hy__pe_tls(hy__pe_ctx *c);
void hy__pe_overlay_cert(hy__pe_ctx *c);

/* Frees the import tables of a result (pe_imports.c). */
void hy__pe_free_imports(hy_pe *pe);

#endif
