/* PE resource directory (include/hayate/pe.h): the type / name / language
 * tree walked depth-first, each directory at most once, summarised as
 * counts per type, languages, total size and the largest few resources. */
#include "pe_int.h"

#include <string.h>

typedef struct res_walk {
    size_t base; /* file offset of the root directory */
    uint32_t visited[HY_PE_MAX_RES_DIRS];
    size_t n_visited, entries;
    bool stop; /* a cap was hit: the walk ends */
    /* the type being walked */
    uint32_t type_id;
    char type_name[32];
    long type_slot; /* in res.types; -1 when the type cap was hit */
} res_walk;

/* A named entry's UTF-16 string as ASCII ('?' for anything else). */
static bool res_name(hy__pe_ctx *c, const res_walk *w, uint32_t off, char out[32])
{
    uint16_t len;
    size_t o = w->base + off;
    if (!hy_rd_u16le(c->p, c->n, o, &len))
        return false;
    size_t k = 0;
    for (; k < len && k < 31; k++) {
        uint16_t ch;
        if (!hy_rd_u16le(c->p, c->n, o + 2 + 2 * k, &ch))
            return false;
        out[k] = ch >= 0x20 && ch <= 0x7e ? (char)ch : '?';
    }
    out[k] = '\0';
    return true;
}

static void set_type(hy__pe_ctx *c, res_walk *w, uint32_t id)
{
    hy_pe_resources *r = &c->pe->res;
    w->type_id = id & 0x80000000 ? 0 : id;
    w->type_name[0] = '\0';
    if ((id & 0x80000000) && !res_name(c, w, id & 0x7fffffff, w->type_name)) {
        hy__pe_anomaly(c, HY_PE_AN_RESOURCE_BAD, -1, "resource type name at 0x%x unreadable",
                       id & 0x7fffffff);
        strcpy(w->type_name, "?");
    }
    for (size_t i = 0; i < r->n_types; i++)
        if (r->types[i].id == w->type_id && !strcmp(r->types[i].name, w->type_name)) {
            w->type_slot = (long)i;
            return;
        }
    w->type_slot = -1;
    if (r->n_types == HY_PE_MAX_RES_TYPES) {
        hy__pe_anomaly(c, HY_PE_AN_RESOURCES_CAPPED, -1, "more than %d resource types",
                       HY_PE_MAX_RES_TYPES);
        return;
    }
    hy_pe_res_type *t = &r->types[r->n_types];
    memset(t, 0, sizeof *t);
    t->id = w->type_id;
    memcpy(t->name, w->type_name, sizeof t->name);
    w->type_slot = (long)r->n_types++;
}

static void note_lang(hy_pe_resources *r, uint32_t lang)
{
    for (size_t i = 0; i < r->n_langs; i++)
        if (r->langs[i] == lang)
            return;
    if (r->n_langs < HY_PE_MAX_RES_LANGS)
        r->langs[r->n_langs++] = lang;
}

/* Keeps the HY_PE_RES_LARGEST largest resources, largest first (earlier
 * ones win ties). */
static void note_largest(hy_pe_resources *r, const hy_pe_res_item *it)
{
    size_t k = r->n_largest;
    while (k > 0 && r->largest[k - 1].size < it->size)
        k--;
    if (k >= HY_PE_RES_LARGEST)
        return;
    size_t last = r->n_largest < HY_PE_RES_LARGEST ? r->n_largest : HY_PE_RES_LARGEST - 1;
    memmove(&r->largest[k + 1], &r->largest[k], (last - k) * sizeof *it);
    r->largest[k] = *it;
    if (r->n_largest < HY_PE_RES_LARGEST)
        r->n_largest++;
}

static void leaf(hy__pe_ctx *c, res_walk *w, uint32_t rel, uint32_t lang)
{
    hy_pe_resources *r = &c->pe->res;
    hy_pe_res_item it = {.type_id = w->type_id, .lang = lang, .entropy = -1};
    size_t off;
    if (!hy_rd_u32le(c->p, c->n, w->base + rel, &it.rva) ||
        !hy_rd_u32le(c->p, c->n, w->base + rel + 4, &it.size)) {
        hy__pe_anomaly(c, HY_PE_AN_RESOURCE_BAD, -1, "resource data entry at 0x%x past end of file",
                       rel);
        return;
    }
    memcpy(it.type_name, w->type_name, sizeof it.type_name);
    if (it.size && (!hy__pe_map(c, it.rva, &off) || !hy_fits(c->n, off, it.size)))
        hy__pe_anomaly(c, HY_PE_AN_RESOURCE_BAD, -1,
                       "resource data at rva 0x%x (%u bytes) outside the file", it.rva, it.size);
    r->count++;
    r->total_size += it.size;
    if (w->type_slot >= 0) {
        r->types[w->type_slot].count++;
        r->types[w->type_slot].bytes += it.size;
    }
    note_lang(r, lang);
    note_largest(r, &it);
}

/* Marks directory rel as visited; false when it was already (a loop) or
 * the directory cap is hit. */
static bool visit(hy__pe_ctx *c, res_walk *w, uint32_t rel)
{
    for (size_t i = 0; i < w->n_visited; i++)
        if (w->visited[i] == rel) {
            hy__pe_anomaly(c, HY_PE_AN_RESOURCE_LOOP, -1,
                           "resource directory at 0x%x reached twice", rel);
            return false;
        }
    if (w->n_visited == HY_PE_MAX_RES_DIRS) {
        hy__pe_anomaly(c, HY_PE_AN_RESOURCES_CAPPED, -1, "more than %d resource directories",
                       HY_PE_MAX_RES_DIRS);
        w->stop = true;
        return false;
    }
    w->visited[w->n_visited++] = rel;
    return true;
}

static void walk_dir(hy__pe_ctx *c, res_walk *w, uint32_t rel, int level);

static void walk_entry(hy__pe_ctx *c, res_walk *w, uint32_t id, uint32_t to, int level)
{
    if (level == 0)
        set_type(c, w, id);
    if (to & 0x80000000) {
        if (level >= 2)
            hy__pe_anomaly(c, HY_PE_AN_RESOURCE_DEPTH, -1,
                           "resource directory 0x%x below the language level", to & 0x7fffffff);
        else
            walk_dir(c, w, to & 0x7fffffff, level + 1);
        return;
    }
    if (level != 2)
        hy__pe_anomaly(c, HY_PE_AN_RESOURCE_DEPTH, -1, "resource data entry at level %d", level);
    leaf(c, w, to, level == 2 && !(id & 0x80000000) ? id : 0);
}

static void walk_dir(hy__pe_ctx *c, res_walk *w, uint32_t rel, int level)
{
    uint16_t n_named, n_ids;
    size_t o = w->base + rel;
    if (!visit(c, w, rel))
        return;
    if (!hy_rd_u16le(c->p, c->n, o + 12, &n_named) || !hy_rd_u16le(c->p, c->n, o + 14, &n_ids)) {
        hy__pe_anomaly(c, HY_PE_AN_RESOURCE_BAD, -1, "resource directory at 0x%x past end of file",
                       rel);
        return;
    }
    for (uint32_t i = 0; i < (uint32_t)n_named + n_ids && !w->stop; i++) {
        uint32_t id, to;
        if (w->entries++ == HY_PE_MAX_RES_ENTRIES) {
            hy__pe_anomaly(c, HY_PE_AN_RESOURCES_CAPPED, -1, "more than %d resource entries",
                           HY_PE_MAX_RES_ENTRIES);
            w->stop = true;
            return;
        }
        if (!hy_rd_u32le(c->p, c->n, o + 16 + 8 * (size_t)i, &id) ||
            !hy_rd_u32le(c->p, c->n, o + 20 + 8 * (size_t)i, &to)) {
            hy__pe_anomaly(c, HY_PE_AN_RESOURCE_BAD, -1,
                           "resource entry %u of directory 0x%x past end of file", i, rel);
            return;
        }
        walk_entry(c, w, id, to, level);
    }
}

void hy__pe_resources(hy__pe_ctx *c)
{
    hy_pe_resources *r = &c->pe->res;
    uint32_t rva = c->pe->dirs[HY_PE_DIR_RESOURCE].rva;
    res_walk w;
    if (!rva || !hy__pe_map(c, rva, &w.base))
        return;
    w.n_visited = w.entries = 0;
    w.stop = false;
    w.type_id = 0;
    w.type_name[0] = '\0';
    w.type_slot = -1;
    r->present = true;
    walk_dir(c, &w, 0, 0);
    for (size_t i = 0; i < r->n_largest; i++) {
        size_t off;
        if (r->largest[i].size && hy__pe_map(c, r->largest[i].rva, &off))
            r->largest[i].entropy = hy__pe_entropy(c, off, r->largest[i].size);
    }
}
