/* YARA rule scanning (include/hayate/yara.h, docs/malware.md) on libyara's
 * public API: one compiler per rule set, a YR_RULES shared read-only by all
 * threads, one YR_SCANNER per thread. */
#include "hayate/yara.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yara.h>

struct hy_yara_rules {
    YR_RULES *yr;
    size_t nrules;
    char **warn; /* kept warnings */
    size_t nwarn, nwarn_total;
};

struct hy_yara_scanner {
    YR_SCANNER *yr;
    const hy_yara_rules *rules;
};

/* ---- libyara's process-wide state ------------------------------------- */

/* libyara keeps process-wide tables (modules, thread keys); its own init
 * count is not thread-safe, so this one guards it. */
static pthread_mutex_t lib_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned lib_refs;

static hy_err lib_acquire(void)
{
    hy_err e = HY_OK;
    pthread_mutex_lock(&lib_mu);
    if (lib_refs == 0) {
        int rc = yr_initialize();
        if (rc != ERROR_SUCCESS)
            e = hy_err_set(HY_ERR_INTERNAL, "yara: yr_initialize failed (%d)", rc);
    }
    if (e == HY_OK)
        lib_refs++;
    pthread_mutex_unlock(&lib_mu);
    return e;
}

static void lib_release(void)
{
    pthread_mutex_lock(&lib_mu);
    if (lib_refs > 0 && --lib_refs == 0)
        yr_finalize();
    pthread_mutex_unlock(&lib_mu);
}

/* ---- compiling -------------------------------------------------------- */

typedef struct compile_ctx {
    hy_yara_rules *r;
    char err[1024]; /* the first errors, "; "-separated */
    size_t nerr;
    bool nomem;
} compile_ctx;

/* Appends "file:line: msg" to err (cut at its size). */
static void err_append(compile_ctx *c, const char *file, int line, const char *msg)
{
    size_t used = strlen(c->err);
    if (c->nerr++ >= HY_YARA_MAX_ERRORS || used + 1 >= sizeof c->err)
        return;
    snprintf(c->err + used, sizeof c->err - used, "%s%s:%d: %s", used ? "; " : "", file, line, msg);
}

static void warn_add(compile_ctx *c, const char *file, int line, const char *msg)
{
    hy_yara_rules *r = c->r;
    r->nwarn_total++;
    if (r->nwarn >= HY_YARA_MAX_WARNINGS)
        return;
    if (!r->warn && !(r->warn = calloc(HY_YARA_MAX_WARNINGS, sizeof *r->warn))) {
        c->nomem = true;
        return;
    }
    int len = snprintf(NULL, 0, "%s:%d: %s", file, line, msg);
    char *w = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!w) {
        c->nomem = true;
        return;
    }
    snprintf(w, (size_t)len + 1, "%s:%d: %s", file, line, msg);
    r->warn[r->nwarn++] = w;
}

static void compiler_cb(int level, const char *file, int line, const YR_RULE *rule, const char *msg,
                        void *user)
{
    (void)rule;
    compile_ctx *c = user;
    const char *f = file ? file : "<string>";
    msg = msg ? msg : "(no message)";
    if (level == YARA_ERROR_LEVEL_WARNING)
        warn_add(c, f, line, msg);
    else
        err_append(c, f, line, msg);
}

static void rules_destroy(hy_yara_rules *r)
{
    if (!r)
        return;
    if (r->yr)
        yr_rules_destroy(r->yr);
    for (size_t i = 0; i < r->nwarn; i++)
        free(r->warn[i]);
    free(r->warn);
    free(r);
}

/* Starts a rule set and its compiler (holding a libyara reference). */
static hy_err compile_begin(compile_ctx *c, YR_COMPILER **comp)
{
    memset(c, 0, sizeof *c);
    *comp = NULL;
    hy_err e = lib_acquire();
    if (e != HY_OK)
        return e;
    if (!(c->r = calloc(1, sizeof *c->r))) {
        lib_release();
        return hy_err_set(HY_ERR_NOMEM, "yara: out of memory");
    }
    if (yr_compiler_create(comp) != ERROR_SUCCESS) {
        rules_destroy(c->r);
        lib_release();
        return hy_err_set(HY_ERR_NOMEM, "yara: yr_compiler_create failed");
    }
    yr_compiler_set_callback(*comp, compiler_cb, c);
    return HY_OK;
}

/* Ends compiling: on e == HY_OK takes the rules into *out; otherwise (or
 * if that fails) frees everything and releases the libyara reference. */
static hy_err compile_end(compile_ctx *c, YR_COMPILER *comp, hy_err e, hy_yara_rules **out)
{
    if (e == HY_OK && c->nomem)
        e = hy_err_set(HY_ERR_NOMEM, "yara: out of memory");
    if (e == HY_OK && yr_compiler_get_rules(comp, &c->r->yr) != ERROR_SUCCESS)
        e = hy_err_set(HY_ERR_NOMEM, "yara: yr_compiler_get_rules failed");
    yr_compiler_destroy(comp);
    if (e != HY_OK) {
        rules_destroy(c->r);
        lib_release();
        return e;
    }
    YR_RULE *rule;
    yr_rules_foreach(c->r->yr, rule) c->r->nrules++;
    *out = c->r;
    return HY_OK;
}

static hy_err compile_error(compile_ctx *c)
{
    return hy_err_set(HY_ERR_FORMAT, "yara: %zu error%s: %s", c->nerr, c->nerr == 1 ? "" : "s",
                      c->err);
}

hy_err hy_yara_compile_string(const char *src, const char *ns, hy_yara_rules **out)
{
    if (out)
        *out = NULL;
    if (!src || !out)
        return hy_err_set(HY_ERR_ARG, "yara: NULL source or output");
    if (strnlen(src, HY_YARA_MAX_RULE_BYTES + 1) > HY_YARA_MAX_RULE_BYTES)
        return hy_err_set(HY_ERR_TOOBIG, "yara: rule source over %u bytes", HY_YARA_MAX_RULE_BYTES);
    compile_ctx c;
    YR_COMPILER *comp;
    hy_err e = compile_begin(&c, &comp);
    if (e != HY_OK)
        return e;
    if (yr_compiler_add_string(comp, src, ns ? ns : "default") != 0 || c.nerr)
        e = compile_error(&c);
    return compile_end(&c, comp, e, out);
}

/* ---- rule folders ----------------------------------------------------- */

typedef struct rule_file {
    char *path;      /* full path */
    const char *rel; /* inside path: relative to its folder */
} rule_file;

typedef struct file_list {
    rule_file *f;
    size_t n, cap;
} file_list;

static bool is_rule_name(const char *name)
{
    size_t k = strlen(name);
    if (name[0] == '.')
        return false;
    return (k > 4 && strcasecmp(name + k - 4, ".yar") == 0) ||
           (k > 5 && strcasecmp(name + k - 5, ".yara") == 0);
}

static hy_err list_push(file_list *l, const char *path, size_t root_len)
{
    if (l->n >= HY_YARA_MAX_RULE_FILES)
        return hy_err_set(HY_ERR_TOOBIG, "yara: over %u rule files", HY_YARA_MAX_RULE_FILES);
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        rule_file *nf = realloc(l->f, nc * sizeof *nf);
        if (!nf)
            return hy_err_set(HY_ERR_NOMEM, "yara: out of memory");
        l->f = nf;
        l->cap = nc;
    }
    char *p = strdup(path);
    if (!p)
        return hy_err_set(HY_ERR_NOMEM, "yara: out of memory");
    l->f[l->n].path = p;
    l->f[l->n].rel = p + root_len + (p[root_len] == '/');
    l->n++;
    return HY_OK;
}

/* Adds the rule files under dir (not following symlinked folders). */
static hy_err walk(file_list *l, const char *dir, size_t root_len, int depth)
{
    if (depth > HY_YARA_MAX_DEPTH)
        return hy_err_set(HY_ERR_TOOBIG, "yara: %s: folders nested over %d deep", dir,
                          HY_YARA_MAX_DEPTH);
    DIR *d = opendir(dir);
    if (!d)
        return hy_err_set(errno == ENOENT ? HY_ERR_NOTFOUND : HY_ERR_IO, "yara: %s: %s", dir,
                          strerror(errno));
    hy_err e = HY_OK;
    char path[HY_MAX_PATH];
    struct dirent *de;
    while (e == HY_OK && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int k = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (k < 0 || (size_t)k >= sizeof path) {
            e = hy_err_set(HY_ERR_TOOBIG, "yara: %s: path too long", dir);
            break;
        }
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && de->d_name[0] != '.')
            e = walk(l, path, root_len, depth + 1);
        else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && is_rule_name(de->d_name))
            e = list_push(l, path, root_len);
    }
    closedir(d);
    return e;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const rule_file *)a)->path, ((const rule_file *)b)->path);
}

/* Compiles one rule file under namespace rel. */
static hy_err add_file(compile_ctx *c, YR_COMPILER *comp, const rule_file *rf)
{
    FILE *f = fopen(rf->path, "rb");
    if (!f)
        return hy_err_set(HY_ERR_IO, "yara: %s: %s", rf->path, strerror(errno));
    struct stat st;
    hy_err e = HY_OK;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        e = hy_err_set(HY_ERR_IO, "yara: %s: not a regular file", rf->path);
    else if ((uint64_t)st.st_size > HY_YARA_MAX_RULE_BYTES)
        e = hy_err_set(HY_ERR_TOOBIG, "yara: %s: over %u bytes", rf->path, HY_YARA_MAX_RULE_BYTES);
    else if (yr_compiler_add_file(comp, f, rf->rel, rf->path) != 0 || c->nerr)
        e = compile_error(c);
    fclose(f);
    return e;
}

static void list_free(file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->f[i].path);
    free(l->f);
}

/* Lists the rule files of all folders: each folder's sorted by path. */
static hy_err list_dirs(const char *const *dirs, size_t n, file_list *l)
{
    for (size_t i = 0; i < n; i++) {
        if (!dirs[i] || !dirs[i][0])
            return hy_err_set(HY_ERR_ARG, "yara: folder %zu is NULL or empty", i);
        size_t root_len = strlen(dirs[i]);
        while (root_len > 1 && dirs[i][root_len - 1] == '/')
            root_len--;
        char root[HY_MAX_PATH];
        if (root_len >= sizeof root)
            return hy_err_set(HY_ERR_TOOBIG, "yara: folder path too long");
        memcpy(root, dirs[i], root_len);
        root[root_len] = '\0';
        size_t first = l->n;
        hy_err e = walk(l, root, root_len, 0);
        if (e != HY_OK)
            return e;
        if (l->n > first)
            qsort(l->f + first, l->n - first, sizeof *l->f, cmp_path);
    }
    if (l->n == 0)
        return hy_err_set(HY_ERR_ARG, "yara: no *.yar or *.yara file in the %zu folder%s", n,
                          n == 1 ? "" : "s");
    return HY_OK;
}

hy_err hy_yara_compile_dirs(const char *const *dirs, size_t n, hy_yara_rules **out)
{
    if (out)
        *out = NULL;
    if (!dirs || n == 0 || !out)
        return hy_err_set(HY_ERR_ARG, "yara: no folders or NULL output");
    file_list l = {0};
    hy_err e = list_dirs(dirs, n, &l);
    if (e != HY_OK) {
        list_free(&l);
        return e;
    }
    compile_ctx c;
    YR_COMPILER *comp;
    e = compile_begin(&c, &comp);
    if (e != HY_OK) {
        list_free(&l);
        return e;
    }
    /* libyara refuses more files after a failed one, so stop at the first */
    for (size_t i = 0; i < l.n && e == HY_OK; i++)
        e = add_file(&c, comp, &l.f[i]);
    e = compile_end(&c, comp, e, out);
    list_free(&l);
    return e;
}

void hy_yara_rules_free(hy_yara_rules *r)
{
    if (!r)
        return;
    rules_destroy(r);
    lib_release();
}

size_t hy_yara_rule_count(const hy_yara_rules *r)
{
    return r ? r->nrules : 0;
}

size_t hy_yara_warnings(const hy_yara_rules *r, const char *const **list, size_t *total)
{
    if (list)
        *list = r ? (const char *const *)r->warn : NULL;
    if (total)
        *total = r ? r->nwarn_total : 0;
    return r ? r->nwarn : 0;
}

/* ---- scanning --------------------------------------------------------- */

hy_err hy_yara_scanner_create(const hy_yara_rules *r, hy_yara_scanner **out)
{
    if (out)
        *out = NULL;
    if (!r || !out)
        return hy_err_set(HY_ERR_ARG, "yara: NULL rules or output");
    hy_yara_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return hy_err_set(HY_ERR_NOMEM, "yara: out of memory");
    /* libyara's scanner takes non-const rules but only reads them */
    if (yr_scanner_create(r->yr, &s->yr) != ERROR_SUCCESS) {
        free(s);
        return hy_err_set(HY_ERR_NOMEM, "yara: yr_scanner_create failed");
    }
    s->rules = r;
    /* our buffers are in memory, not mapped files: no SIGBUS guard needed */
    yr_scanner_set_flags(s->yr, SCAN_FLAGS_REPORT_RULES_MATCHING | SCAN_FLAGS_NO_TRYCATCH);
    *out = s;
    return HY_OK;
}

void hy_yara_scanner_destroy(hy_yara_scanner *s)
{
    if (!s)
        return;
    yr_scanner_destroy(s->yr);
    free(s);
}

typedef struct scan_ctx {
    hy_yara_match *out;
    size_t cap, n, total;
    const YR_RULE *table;
} scan_ctx;

/* Copies src into dst[size]; true when it was cut. */
static bool copy_str(char *dst, size_t size, const char *src)
{
    size_t k = src ? strnlen(src, size) : 0;
    bool cut = k == size;
    if (cut)
        k = size - 1;
    memcpy(dst, src ? src : "", k);
    dst[k] = '\0';
    return cut;
}

static void fill_meta(hy_yara_match *m, const YR_RULE *rule)
{
    const YR_META *meta;
    yr_rule_metas_foreach(rule, meta)
    {
        if (m->nmeta >= HY_YARA_MAX_META) {
            m->truncated = true;
            break;
        }
        hy_yara_meta *d = &m->meta[m->nmeta++];
        m->truncated |= copy_str(d->key, sizeof d->key, meta->identifier);
        if (meta->type == META_TYPE_STRING)
            m->truncated |= copy_str(d->value, sizeof d->value, meta->string);
        else if (meta->type == META_TYPE_BOOLEAN)
            snprintf(d->value, sizeof d->value, "%s", meta->integer ? "true" : "false");
        else
            snprintf(d->value, sizeof d->value, "%lld", (long long)meta->integer);
    }
}

static void fill_match(hy_yara_match *m, YR_SCAN_CONTEXT *ctx, const YR_RULE *rule, size_t idx)
{
    memset(m, 0, sizeof *m);
    m->index = (uint32_t)idx;
    m->truncated |= copy_str(m->rule, sizeof m->rule, rule->identifier);
    m->truncated |= copy_str(m->ns, sizeof m->ns, rule->ns ? rule->ns->name : "");
    const char *tag;
    yr_rule_tags_foreach(rule, tag)
    {
        if (m->ntags >= HY_YARA_MAX_TAGS) {
            m->truncated = true;
            break;
        }
        m->truncated |= copy_str(m->tags[m->ntags++], HY_YARA_MAX_IDENT, tag);
    }
    fill_meta(m, rule);
    const YR_STRING *s;
    /* the per-string count, not a walk of the match list: libyara's
     * notebook leaves YR_MATCH records misaligned; private strings' matches
     * are not reported, as yara -s does not show them */
    yr_rule_strings_foreach(rule, s)
    {
        int32_t k = ctx->matches[s->idx].count;
        if (!STRING_IS_PRIVATE(s) && k > 0)
            m->nstrings += (uint64_t)k;
        if (k >= YR_MAX_STRING_MATCHES)
            m->truncated = true;
    }
}

static int scan_cb(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
    scan_ctx *c = user;
    if (msg != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE; /* includes TOO_MANY_MATCHES: keep scanning */
    const YR_RULE *rule = data;
    if (RULE_IS_PRIVATE(rule))
        return CALLBACK_CONTINUE;
    c->total++;
    if (c->n < c->cap)
        fill_match(&c->out[c->n++], ctx, rule, (size_t)(rule - c->table));
    return CALLBACK_CONTINUE;
}

static hy_err scan_result(int rc, const scan_ctx *c, const hy_yara_scanner *s, unsigned timeout_s)
{
    if (rc == ERROR_SCAN_TIMEOUT)
        return hy_err_set(HY_ERR_AGAIN, "yara: scan timed out after %u s (%zu rule%s matched)",
                          timeout_s, c->n, c->n == 1 ? "" : "s");
    if (rc == ERROR_INSUFFICIENT_MEMORY)
        return hy_err_set(HY_ERR_NOMEM, "yara: out of memory while scanning");
    if (rc != ERROR_SUCCESS) {
        const YR_RULE *bad = yr_scanner_last_error_rule(s->yr);
        return hy_err_set(HY_ERR_INTERNAL, "yara: scan failed (libyara error %d%s%s)", rc,
                          bad ? " in rule " : "", bad ? bad->identifier : "");
    }
    if (c->total > c->cap)
        return hy_err_set(HY_ERR_TOOBIG, "yara: %zu rules matched, %zu kept", c->total, c->cap);
    return HY_OK;
}

hy_err hy_yara_scan(const hy_yara_rules *r, hy_yara_scanner **scratch, const uint8_t *p, size_t n,
                    unsigned timeout_s, hy_yara_match *out, size_t cap, size_t *nmatch)
{
    static const uint8_t empty[1];
    if (nmatch)
        *nmatch = 0;
    if (!r || !nmatch || (!p && n) || (!out && cap))
        return hy_err_set(HY_ERR_ARG, "yara: NULL rules, data or output");
    if (timeout_s > (unsigned)INT32_MAX)
        return hy_err_set(HY_ERR_ARG, "yara: timeout %u s out of range", timeout_s);
    hy_yara_scanner *tmp = NULL, *s;
    hy_err e = HY_OK;
    if (scratch && *scratch) {
        s = *scratch;
        if (s->rules != r)
            return hy_err_set(HY_ERR_ARG, "yara: scanner was made for other rules");
    } else {
        e = hy_yara_scanner_create(r, &tmp);
        if (e != HY_OK)
            return e;
        s = tmp;
        if (scratch) {
            *scratch = tmp;
            tmp = NULL;
        }
    }
    scan_ctx c = {.out = out, .cap = cap, .table = r->yr->rules_table};
    yr_scanner_set_callback(s->yr, scan_cb, &c);
    yr_scanner_set_timeout(s->yr, (int)timeout_s);
    int rc = yr_scanner_scan_mem(s->yr, n ? p : empty, n);
    yr_scanner_set_callback(s->yr, scan_cb, NULL);
    *nmatch = c.n;
    e = scan_result(rc, &c, s, timeout_s);
    hy_yara_scanner_destroy(tmp);
    return e;
}

const char *hy_yara_meta_get(const hy_yara_match *m, const char *key)
{
    if (!m || !key)
        return NULL;
    for (size_t i = 0; i < m->nmeta && i < HY_YARA_MAX_META; i++)
        if (strcmp(m->meta[i].key, key) == 0)
            return m->meta[i].value;
    return NULL;
}
