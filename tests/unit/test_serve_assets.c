/* The dashboard's embedded assets over real HTTP on loopback: every file
 * of web/ is served byte for byte with its content type and the security
 * headers; GET / is index.html; names outside the table (traversal,
 * encoded dots, slashes, case, unknown files) are 404; assets need no
 * token while /api still does; ETag and If-None-Match give 304 (counted
 * as 3xx in /api/stats). */
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hayate/serve.h"
#include "testutil.h"

#define CSP_START "default-src 'self'; img-src 'self' data:"
#define TOKEN     "tok-3141"

static char db[512];

typedef struct reply {
    int status;
    char *head; /* status line and headers */
    char *body;
    size_t body_len;
} reply;

static void reply_free(reply *r)
{
    free(r->head);
    free(r->body);
}

/* One request (headers given as "Name: value\r\n" lines) and the reply. */
static reply request(uint16_t port, const char *method, const char *path, const char *headers)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    char req[2048];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    size_t cap = 1 << 21, n = 0;
    char *buf = malloc(cap + 1);
    reply r = {0};
    int len = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n",
                       method, path, headers ? headers : "");
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0 && buf && len > 0 && (size_t)len < sizeof req);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(send(fd, req, (size_t)len, MSG_NOSIGNAL), len);
    for (ssize_t k; n < cap && (k = recv(fd, buf + n, cap - n, 0)) > 0;)
        n += (size_t)k;
    buf[n] = '\0';
    close(fd);
    sscanf(buf, "HTTP/1.%*d %d", &r.status);
    char *sep = strstr(buf, "\r\n\r\n");
    assert_non_null(sep);
    r.head = strndup(buf, (size_t)(sep - buf) + 2);
    r.body_len = n - (size_t)(sep + 4 - buf);
    r.body = malloc(r.body_len + 1);
    memcpy(r.body, sep + 4, r.body_len);
    r.body[r.body_len] = '\0';
    free(buf);
    return r;
}

static reply get(uint16_t port, const char *path, const char *headers)
{
    return request(port, "GET", path, headers);
}

/* The value of header name in r (case-insensitive name), or "" if none;
 * copied into out. */
static const char *header(const reply *r, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    out[0] = '\0';
    for (const char *line = strstr(r->head, "\r\n"); line && line[2];
         line = strstr(line + 2, "\r\n")) {
        const char *l = line + 2;
        if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1, *end = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            snprintf(out, cap, "%.*s", (int)(end - v), v);
            break;
        }
    }
    return out;
}

static hy_serve *start(const char *token)
{
    hy_serve_cfg c = {
        .listen = "127.0.0.1:0", .token = token, .db_path = db, .threads = 2, .max_request = 65536};
    hy_serve *s;
    assert_int_equal(hy_serve_start(&c, &s), HY_OK);
    return s;
}

static int setup(void **state)
{
    (void)state;
    snprintf(db, sizeof db, "%s/assets.db", hy_test_tmpdir());
    return 0;
}

/* Reads source-dir file web/name into a malloc'd buffer. */
static char *read_source(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/web/%s", hy_test_source_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void assert_security_headers(const reply *r)
{
    char v[512];
    if (strncmp(header(r, "Content-Security-Policy", v, sizeof v), CSP_START, strlen(CSP_START)))
        fail_msg("CSP is '%s'", v);
    assert_string_equal(header(r, "X-Content-Type-Options", v, sizeof v), "nosniff");
    assert_string_equal(header(r, "Cache-Control", v, sizeof v), "no-cache");
    assert_true(strlen(header(r, "ETag", v, sizeof v)) > 2 && v[0] == '"');
}

static void test_index_and_types(void **state)
{
    (void)state;
    hy_serve *s = start(NULL);
    uint16_t p = hy_serve_port(s);
    char v[256];
    size_t len;
    char *want = read_source("index.html", &len);

    reply r = get(p, "/", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Type", v, sizeof v), "text/html; charset=utf-8");
    assert_security_headers(&r);
    assert_int_equal(r.body_len, len);
    assert_memory_equal(r.body, want, len);
    reply_free(&r);

    r = get(p, "/ui/app.js", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Type", v, sizeof v), "text/javascript; charset=utf-8");
    assert_security_headers(&r);
    reply_free(&r);

    r = get(p, "/ui/style.css", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Type", v, sizeof v), "text/css; charset=utf-8");
    reply_free(&r);

    r = request(p, "POST", "/ui/app.js", NULL);
    assert_int_equal(r.status, 405);
    reply_free(&r);
    free(want);
    hy_serve_stop(s);
}

/* Every .html, .js, .css and .svg of web/ is served byte for byte. */
static void test_every_file(void **state)
{
    (void)state;
    hy_serve *s = start(NULL);
    uint16_t p = hy_serve_port(s);
    char dir[1024], path[512];
    size_t seen = 0;
    snprintf(dir, sizeof dir, "%s/web", hy_test_source_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || (strcmp(dot, ".html") && strcmp(dot, ".js") && strcmp(dot, ".css") &&
                     strcmp(dot, ".svg")))
            continue;
        size_t len;
        char *want = read_source(e->d_name, &len);
        snprintf(path, sizeof path, "/ui/%s", e->d_name);
        reply r = get(p, path, NULL);
        if (r.status != 200 || r.body_len != len || memcmp(r.body, want, len) != 0)
            fail_msg("%s: status %d, %zu bytes, want %zu", path, r.status, r.body_len, len);
        reply_free(&r);
        free(want);
        seen++;
    }
    closedir(d);
    assert_true(seen >= 4); /* index.html, app.js, style.css at least, and modules */
    hy_serve_stop(s);
}

static void test_no_traversal(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "/ui/../serve.c",
        "/ui/%2e%2e/x",
        "/ui/",
        "/ui/nope.js",
        "/ui/..%2fCMakeLists.txt",
        "/ui/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/ui/../../lib/serve/serve.c",
        "/ui//app.js",
        "/ui/./app.js",
        "/ui/APP.JS",
        "/ui/app.js/",
        "/ui/web/app.js",
        "/index.html",
        "/ui",
    };
    hy_serve *s = start(NULL);
    uint16_t p = hy_serve_port(s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reply r = get(p, bad[i], NULL);
        if (r.status != 404)
            fail_msg("%s answered %d", bad[i], r.status);
        assert_null(strstr(r.body, "#include"));
        reply_free(&r);
    }
    hy_serve_stop(s);
}

static void test_no_token_for_assets(void **state)
{
    (void)state;
    hy_serve *s = start(TOKEN);
    uint16_t p = hy_serve_port(s);
    reply r = get(p, "/", NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = get(p, "/ui/app.js", NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    r = get(p, "/api/alerts", NULL);
    assert_int_equal(r.status, 401);
    reply_free(&r);
    r = get(p, "/api/alerts", "Authorization: Bearer " TOKEN "\r\n");
    assert_int_equal(r.status, 200);
    reply_free(&r);
    hy_serve_stop(s);
}

static unsigned long long stat_3xx(uint16_t p)
{
    reply r = get(p, "/api/stats", NULL);
    unsigned long long n = 0;
    const char *at = strstr(r.body, "\"3xx\":");
    assert_int_equal(r.status, 200);
    assert_non_null(at);
    n = strtoull(at + 6, NULL, 10);
    reply_free(&r);
    return n;
}

static void test_etag(void **state)
{
    (void)state;
    hy_serve *s = start(NULL);
    uint16_t p = hy_serve_port(s);
    char etag[128], etag2[128], hdr[512];
    reply r = get(p, "/ui/style.css", NULL);
    assert_int_equal(r.status, 200);
    header(&r, "ETag", etag, sizeof etag);
    reply_free(&r);
    r = get(p, "/ui/app.js", NULL);
    assert_string_not_equal(header(&r, "ETag", etag2, sizeof etag2), etag);
    reply_free(&r);
    unsigned long long before = stat_3xx(p);

    snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag);
    r = get(p, "/ui/style.css", hdr);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body_len, 0);
    assert_security_headers(&r);
    reply_free(&r);
    snprintf(hdr, sizeof hdr, "If-None-Match: \"x\", W/%s\r\n", etag);
    r = get(p, "/ui/style.css", hdr);
    assert_int_equal(r.status, 304);
    reply_free(&r);
    snprintf(hdr, sizeof hdr, "If-None-Match: %s\r\n", etag2); /* another file's tag */
    r = get(p, "/ui/style.css", hdr);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 0);
    reply_free(&r);
    r = get(p, "/ui/style.css", "If-None-Match: \"0000\"\r\n");
    assert_int_equal(r.status, 200);
    reply_free(&r);
    assert_int_equal(stat_3xx(p), before + 2);
    hy_serve_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_and_types),
        cmocka_unit_test(test_every_file),
        cmocka_unit_test(test_no_traversal),
        cmocka_unit_test(test_no_token_for_assets),
        cmocka_unit_test(test_etag),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
