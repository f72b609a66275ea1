/* Host indicators: registry keys, Windows paths (drive, %VARIABLE%, UNC),
 * Unix paths under the usual roots, and file names with an executable
 * extension. A path whose last component is such a file name also yields
 * that file name.
 *
 * Key and path components may hold blanks ("Windows NT", "Program Files
 * (x86)") only where the text after the blank runs on into another '\',
 * or anywhere when the whole indicator sits inside quotes. Trailing
 * punctuation and unbalanced closing brackets are not part of it, and a
 * doubled backslash (from JSON or C strings) counts as one. */
#include <string.h>
#include <strings.h>

#include "text/ioc_int.h"

#define PATH_MAX_LEN HY_IOC_MAX_VALUE

static bool is_c(const char *s, size_t k, size_t n, unsigned cls)
{
    return k < n && hy__is((unsigned char)s[k], cls);
}

bool hy__exec_ext(const char *s, size_t i, size_t j)
{
    /* by length: "|ext|ext|" */
    static const char *const ext[] = {
        [2] = "|js|so|sh|py|pl|",
        [3] = "|exe|dll|scr|ps1|bat|cmd|vbs|vbe|jse|wsf|wsh|hta|jar|msi|msp|lnk|sys|drv|ocx|"
              "cpl|pif|elf|pyw|php|jsp|asp|apk|dmg|chm|msc|reg|inf|xll|scf|",
        [4] = "|psm1|psd1|bash|aspx|",
        [6] = "|gadget|",
        [11] = "|application|",
    };
    char e[16];
    size_t k = j;
    while (k > i && j - k <= 11 && s[k - 1] != '.')
        k--;
    if (k <= i + 1 || s[k - 1] != '.' || j - k > 11 || !ext[j - k])
        return false;
    e[0] = '|';
    for (size_t t = 0; t < j - k; t++)
        e[t + 1] = (char)(s[k + t] >= 'A' && s[k + t] <= 'Z' ? s[k + t] | 0x20 : s[k + t]);
    e[j - k + 1] = '|';
    e[j - k + 2] = '\0';
    return strstr(ext[j - k], e) != NULL;
}

/* ---- backslash paths and keys ---------------------------------------------- */

typedef struct bspath {
    size_t end;  /* after the last component */
    size_t last; /* start of the last component */
    size_t ncomp;
} bspath;

/* The quote character the indicator at i sits in, or 0. */
static char quote_before(const char *s, size_t i)
{
    return i > 0 && strchr("\"'`", s[i - 1]) && s[i - 1] ? s[i - 1] : 0;
}

static const char *const hives[] = {"HKEY_LOCAL_MACHINE",
                                    "HKEY_CURRENT_USER",
                                    "HKEY_CLASSES_ROOT",
                                    "HKEY_USERS",
                                    "HKEY_CURRENT_CONFIG",
                                    "HKEY_PERFORMANCE_DATA",
                                    "HKLM",
                                    "HKCU",
                                    "HKCR",
                                    "HKU",
                                    "HKCC"};

/* s[0..n) names a registry hive (any case). */
static bool is_hive(const char *s, size_t n)
{
    for (size_t t = 0; t < sizeof hives / sizeof hives[0]; t++)
        if (strlen(hives[t]) == n && !strncasecmp(s, hives[t], n))
            return true;
    return false;
}

/* A blank at k inside a component continues it: the words after it run
 * on into a '\' (before any other blank or stop), or we are in quotes. */
static bool blank_continues(const char *s, size_t n, size_t k, char quote)
{
    size_t m = k + 1, blanks = 0;
    if (quote)
        return m < n && s[m] != quote && hy__is((unsigned char)s[m], HY__C_PATH);
    /* plain words ("Program Files (x86)\", "Windows NT\"), at most three */
    for (; m < n && m - k < 64; m++) {
        unsigned char c = (unsigned char)s[m];
        if (c == ' ' && s[m - 1] != ' ' && ++blanks <= 2)
            continue;
        if (!hy__is(c, HY__C_ALNUM) && !strchr("()-_&'", c))
            break;
    }
    if (m <= k + 1 || m >= n || s[m] != '\\' || s[m - 1] == ' ' || (m + 1 < n && s[m + 1] == '\\'))
        return false;
    size_t w = m; /* "...\Run and HKCU\..." starts another key */
    while (w > k + 1 && s[w - 1] != ' ')
        w--;
    return !is_hive(s + w, m - w);
}

/* Trims trailing punctuation and unbalanced ')' and ']' from the component
 * [b, e). */
static size_t trim_component(const char *s, size_t b, size_t e)
{
    long paren = 0, square = 0;
    for (size_t k = b; k < e; k++) {
        paren += s[k] == '(' ? 1 : s[k] == ')' ? -1 : 0;
        square += s[k] == '[' ? 1 : s[k] == ']' ? -1 : 0;
    }
    while (e > b) {
        char c = s[e - 1];
        if (strchr(".,;!' ", c))
            e--;
        else if (c == ')' && paren < 0)
            e--, paren++;
        else if (c == ']' && square < 0)
            e--, square++;
        else
            break;
    }
    return e;
}

/* Components "\a\b c\d" from k (s[k] == '\'). */
static void bs_components(const char *s, size_t n, size_t k, char quote, bspath *p)
{
    size_t start = k;
    p->end = k;
    p->ncomp = 0;
    while (k < n && s[k] == '\\' && k - start < PATH_MAX_LEN) {
        size_t b = k, e;
        while (b < n && s[b] == '\\' && b - k < 2)
            b++;
        for (e = b; e < n && e - start < PATH_MAX_LEN; e++) {
            unsigned char c = (unsigned char)s[e];
            if (c == ' ' && blank_continues(s, n, e, quote))
                continue;
            if (!hy__is(c, HY__C_PATH) || c == quote)
                break;
        }
        e = trim_component(s, b, e);
        if (e == b)
            break;
        p->last = b;
        p->end = e;
        p->ncomp++;
        k = e;
    }
}

/* The value of s[i..e) with doubled backslashes (past prefix bytes) single. */
static size_t squeeze(const char *s, size_t i, size_t e, size_t prefix, char *v)
{
    size_t vl = 0;
    for (size_t k = i; k < e && vl < PATH_MAX_LEN; k++) {
        if (k >= i + prefix && s[k] == '\\' && k > i && s[k - 1] == '\\')
            continue;
        v[vl++] = s[k];
    }
    return vl;
}

/* The last component s[b..e) of a path, when it is a plain program name
 * (letters, digits, '.', '-', '_'), is a file name indicator too. */
static void emit_last_name(hy__scan *sc, size_t b, size_t e)
{
    if (!is_c(sc->s, b, e, HY__C_ALNUM) || !hy__exec_ext(sc->s, b, e))
        return;
    for (size_t k = b; k < e; k++)
        if (!hy__is((unsigned char)sc->s[k], HY__C_LABEL) && sc->s[k] != '.')
            return;
    hy__emit(sc, HY_IOC_FILENAME, b, e, sc->s + b, e - b);
}

/* Emits the path [i, p->end) and its last component when a program name. */
static size_t emit_bs(hy__scan *sc, hy_ioc_type t, size_t i, size_t prefix, const bspath *p)
{
    char v[PATH_MAX_LEN + 1];
    size_t vl = squeeze(sc->s, i, p->end, prefix, v);
    hy__emit(sc, t, i, p->end, v, vl);
    if (t == HY_IOC_WIN_PATH)
        emit_last_name(sc, p->last, p->end);
    return p->end;
}

size_t hy__scan_regkey(hy__scan *sc, size_t i)
{
    const char *s = sc->s;
    size_t n = sc->n, k = 0;
    bspath p;

    for (size_t t = 0; t < sizeof hives / sizeof hives[0] && !k; t++) {
        size_t l = strlen(hives[t]);
        if (i + l < n && !strncasecmp(s + i, hives[t], l) && !is_c(s, i + l, n, HY__C_LABEL))
            k = i + l;
    }
    if (!k)
        return 0;
    if (s[k] == ':' && k + 1 < n && s[k + 1] == '\\')
        k++; /* PowerShell's "HKLM:\" */
    if (s[k] != '\\')
        return 0;
    bs_components(s, n, k, quote_before(s, i), &p);
    if (!p.ncomp)
        return 0;
    return emit_bs(sc, HY_IOC_REGKEY, i, 0, &p);
}

size_t hy__scan_drive_path(hy__scan *sc, size_t i)
{
    bspath p;
    bs_components(sc->s, sc->n, i + 2, quote_before(sc->s, i), &p);
    if (!p.ncomp)
        return 0;
    return emit_bs(sc, HY_IOC_WIN_PATH, i, 0, &p);
}

size_t hy__scan_env_path(hy__scan *sc, size_t i)
{
    const char *s = sc->s;
    size_t n = sc->n, k = i + 1;
    bspath p;

    while (k < n && k - i <= 40 &&
           (is_c(s, k, n, HY__C_ALNUM) || s[k] == '_' || s[k] == '(' || s[k] == ')'))
        k++;
    if (k == i + 1 || k + 1 >= n || s[k] != '%' || s[k + 1] != '\\')
        return 0;
    bs_components(s, n, k + 1, quote_before(s, i), &p);
    if (!p.ncomp)
        return 0;
    return emit_bs(sc, HY_IOC_WIN_PATH, i, 0, &p);
}

size_t hy__scan_unc_path(hy__scan *sc, size_t i)
{
    const char *s = sc->s;
    size_t n = sc->n, k = i + 2;
    bspath p;

    if (k < n && (s[k] == '.' || s[k] == '?') && k + 1 < n && s[k + 1] == '\\') {
        k++; /* "\\.\pipe\x", "\\?\C:\x" */
    } else {
        while (k < n && k - i < 2 + 255 &&
               (is_c(s, k, n, HY__C_LABEL) || s[k] == '.' || s[k] == '$' || s[k] == '@'))
            k++;
        if (k == i + 2 || !is_c(s, i + 2, n, HY__C_ALNUM))
            return 0;
    }
    bs_components(s, n, k, quote_before(s, i), &p);
    if (!p.ncomp)
        return 0;
    return emit_bs(sc, HY_IOC_WIN_PATH, i, 2, &p);
}

/* ---- Unix paths ------------------------------------------------------------ */

static bool unix_root(const char *s, size_t n)
{
    static const char *const r[] = {
        "etc",     "tmp",   "var",    "usr",          "bin",     "sbin",   "home",
        "root",    "opt",   "dev",    "proc",         "lib",     "lib32",  "lib64",
        "boot",    "sys",   "run",    "mnt",          "media",   "srv",    "snap",
        "Library", "Users", "System", "Applications", "Volumes", "private"};
    for (size_t t = 0; t < sizeof r / sizeof r[0]; t++)
        if (strlen(r[t]) == n && !memcmp(s, r[t], n))
            return true;
    return false;
}

static bool unix_char(unsigned char c)
{
    return hy__is(c, HY__C_ALNUM) || (c && strchr("._+@%~,=-", c));
}

size_t hy__scan_unix_path(hy__scan *sc, size_t i)
{
    const char *s = sc->s;
    size_t n = sc->n, k = i + 1, ncomp = 0, last = i, end = i;

    if (s[i] == '~') {
        k = i + 2;
    } else {
        while (k < n && k - i <= 13 && hy__is((unsigned char)s[k], HY__C_ALPHA))
            k++;
        if (k >= n || s[k] != '/' || !unix_root(s + i + 1, k - i - 1))
            return 0;
        k++;
    }
    for (;;) {
        size_t b = k;
        while (k < n && k - i < PATH_MAX_LEN && unix_char((unsigned char)s[k]))
            k++;
        size_t e = k;
        while (e > b && (s[e - 1] == '.' || s[e - 1] == ','))
            e--; /* sentence punctuation */
        if (e == b)
            break;
        ncomp++;
        last = b;
        end = e;
        if (e < n && s[e] == '/' && e + 1 < n && unix_char((unsigned char)s[e + 1]) &&
            e - i < PATH_MAX_LEN)
            k = e + 1;
        else
            break;
    }
    if (!ncomp)
        return 0;
    hy__emit(sc, HY_IOC_UNIX_PATH, i, end, s + i, end - i);
    emit_last_name(sc, last, end);
    return end;
}
