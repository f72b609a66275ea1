/* Text of PDF documents (lib/text/pdf.c) on PDFs made here: hand-written
 * ones (Helvetica, a computed xref table, optionally encrypted with the
 * standard security handler) and cairo's. Pages and form feeds, truncated
 * and garbage input, encryption, the page and output caps, quiet stderr. */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <openssl/evp.h>

#include "hayate/text.h"

enum { PLAIN, NEEDS_PASSWORD, OWNER_ONLY };

static const uint8_t pad[32] = {0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E,
                                0x56, 0xFF, 0xFA, 0x01, 0x08, 0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68,
                                0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A};

static void rc4(const uint8_t *key, size_t klen, uint8_t *buf, size_t n)
{
    uint8_t s[256], t;
    unsigned i, j = 0;
    for (i = 0; i < 256; i++)
        s[i] = (uint8_t)i;
    for (i = 0; i < 256; i++) {
        j = (j + s[i] + key[i % klen]) & 255;
        t = s[i], s[i] = s[j], s[j] = t;
    }
    i = j = 0;
    for (size_t k = 0; k < n; k++) {
        i = (i + 1) & 255;
        j = (j + s[i]) & 255;
        t = s[i], s[i] = s[j], s[j] = t;
        buf[k] ^= s[(s[i] + s[j]) & 255];
    }
}

static void md5(const void *p, size_t n, uint8_t out[16])
{
    assert_int_equal(EVP_Digest(p, n, out, NULL, EVP_md5(), NULL), 1);
}

static void add_hex(hy_buf *b, const uint8_t *p, size_t n)
{
    hy_buf_addc(b, '<');
    for (size_t i = 0; i < n; i++)
        hy_buf_addf(b, "%02X", p[i]);
    hy_buf_addc(b, '>');
}

/* A PDF whose page i shows the line pages[i] (no parentheses or backslashes)
 * in Helvetica; malloc'd, its size in *len. NEEDS_PASSWORD adds an /Encrypt
 * dictionary whose /U the empty password does not match; OWNER_ONLY one it
 * matches (revision 2, 40-bit RC4), with the content streams encrypted. */
static uint8_t *make_pdf(const char *const *pages, size_t npages, int enc, size_t *len)
{
    size_t nobj = 3 + 2 * npages + (enc != PLAIN), *off = calloc(nobj + 1, sizeof *off);
    uint8_t owner[32], user[32], id[16], key[16], in[32 + 32 + 4 + 16];
    const uint8_t perms[4] = {0xFC, 0xFF, 0xFF, 0xFF}; /* /P -4 */
    hy_buf b;
    assert_non_null(off);
    memset(owner, 0x11, sizeof owner);
    for (size_t i = 0; i < 16; i++)
        id[i] = (uint8_t)(i * 7 + 1);
    memcpy(in, pad, 32); /* the empty user password, padded */
    memcpy(in + 32, owner, 32);
    memcpy(in + 64, perms, 4);
    memcpy(in + 68, id, 16);
    md5(in, sizeof in, key); /* the file key is its first 5 bytes */
    memcpy(user, pad, 32);
    rc4(key, 5, user, 32);
    if (enc == NEEDS_PASSWORD)
        user[0] ^= 0xFF;

    hy_buf_init(&b, 64u << 20);
    hy_buf_adds(&b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    off[1] = b.len;
    hy_buf_adds(&b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = b.len;
    hy_buf_addf(&b, "2 0 obj\n<< /Type /Pages /Count %zu /Kids [", npages);
    for (size_t i = 0; i < npages; i++)
        hy_buf_addf(&b, " %zu 0 R", 4 + 2 * i);
    hy_buf_adds(&b, " ] >>\nendobj\n");
    off[3] = b.len;
    hy_buf_adds(&b, "3 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                    "/Encoding /WinAnsiEncoding >>\nendobj\n");
    for (size_t i = 0; i < npages; i++) {
        size_t pg = 4 + 2 * i, ct = pg + 1;
        char content[512];
        int n = pages[i][0] ? snprintf(content, sizeof content, "BT /F1 18 Tf 72 700 Td (%s) Tj ET",
                                       pages[i])
                            : 0;
        assert_true(n >= 0 && (size_t)n < sizeof content);
        off[pg] = b.len;
        hy_buf_addf(&b,
                    "%zu 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                    "/Resources << /Font << /F1 3 0 R >> >> /Contents %zu 0 R >>\nendobj\n",
                    pg, ct);
        if (enc == OWNER_ONLY) {
            uint8_t okin[10], okey[16];
            memcpy(okin, key, 5);
            okin[5] = (uint8_t)ct, okin[6] = (uint8_t)(ct >> 8), okin[7] = (uint8_t)(ct >> 16);
            okin[8] = okin[9] = 0;
            md5(okin, sizeof okin, okey);
            rc4(okey, 10, (uint8_t *)content, (size_t)n);
        }
        off[ct] = b.len;
        hy_buf_addf(&b, "%zu 0 obj\n<< /Length %d >>\nstream\n", ct, n);
        hy_buf_add(&b, content, (size_t)n);
        hy_buf_adds(&b, "\nendstream\nendobj\n");
    }
    if (enc != PLAIN) {
        off[nobj] = b.len;
        hy_buf_addf(&b, "%zu 0 obj\n<< /Filter /Standard /V 1 /R 2 /P -4 /O ", nobj);
        add_hex(&b, owner, 32);
        hy_buf_adds(&b, " /U ");
        add_hex(&b, user, 32);
        hy_buf_adds(&b, " >>\nendobj\n");
    }
    size_t xref = b.len;
    hy_buf_addf(&b, "xref\n0 %zu\n0000000000 65535 f \n", nobj + 1);
    for (size_t i = 1; i <= nobj; i++)
        hy_buf_addf(&b, "%010zu 00000 n \n", off[i]);
    hy_buf_addf(&b, "trailer\n<< /Size %zu /Root 1 0 R", nobj + 1);
    if (enc != PLAIN) {
        hy_buf_addf(&b, " /Encrypt %zu 0 R /ID [", nobj);
        add_hex(&b, id, 16);
        add_hex(&b, id, 16);
        hy_buf_adds(&b, "]");
    }
    assert_int_equal(hy_buf_addf(&b, " >>\nstartxref\n%zu\n%%%%EOF\n", xref), HY_OK);
    free(off);
    return (uint8_t *)hy_buf_take(&b, len);
}

/* The text of pdf, checking the return code; caller frees. */
static char *text(const char *name, const uint8_t *pdf, size_t n, hy_err want)
{
    hy_buf out;
    hy_buf_init(&out, HY_TEXT_MAX_OUTPUT);
    hy_err rc = hy_text_from_pdf(name, pdf, n, &out);
    if (rc != want)
        fail_msg("pdf: %s (%s), wanted %s", hy_err_str(rc), hy_err_detail(), hy_err_str(want));
    if (rc != HY_OK)
        assert_int_equal(out.len, 0);
    char *s = hy_buf_take(&out, NULL);
    return s ? s : strdup("");
}

static size_t count_char(const char *s, char c)
{
    size_t k = 0;
    for (; *s; s++)
        k += *s == c;
    return k;
}

static void test_pages(void **st)
{
    (void)st;
    static const char *const two[] = {"Hello evil.com page one", "Second page 1.2.3.4"};
    size_t n;
    uint8_t *pdf = make_pdf(two, 2, PLAIN, &n);
    char *t = text("two.pdf", pdf, n, HY_OK);
    char *ff = strchr(t, '\f');
    assert_non_null(ff);
    assert_int_equal(count_char(t, '\f'), 1);
    assert_non_null(strstr(t, "Hello evil.com page one"));
    assert_true(strstr(t, "Hello evil.com page one") < ff);
    assert_non_null(strstr(ff, "Second page 1.2.3.4"));
    free(t);
    /* hy_text_from_doc knows it by its magic whatever the name */
    hy_buf out;
    hy_buf_init(&out, 1 << 20);
    assert_int_equal(hy_text_from_doc("report.txt", pdf, n, &out), HY_OK);
    assert_non_null(strstr(out.data, "Second page"));
    hy_buf_free(&out);
    free(pdf);

    /* an empty page still takes its form feed */
    static const char *const three[] = {"alpha", "", "gamma"};
    pdf = make_pdf(three, 3, PLAIN, &n);
    t = text("three.pdf", pdf, n, HY_OK);
    assert_int_equal(count_char(t, '\f'), 2);
    ff = strstr(t, "\f\f");
    assert_non_null(ff);
    assert_non_null(strstr(t, "alpha"));
    assert_non_null(strstr(ff, "gamma"));
    free(t);
    free(pdf);
}

static void test_broken(void **st)
{
    (void)st;
    static const char *const one[] = {"Truncation test text"};
    size_t n;
    uint8_t *pdf = make_pdf(one, 1, PLAIN, &n);
    static const char *const bad[] = {
        "",
        "%PDF-",
        "%PDF-1.4\n",
        "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ngarbage\n",
        "hello, not a PDF at all",
        "%PDF-1.4\ntrailer\n<< /Root 1 0 R >>\nstartxref\n999999\n%%EOF\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        free(text("bad.pdf", (const uint8_t *)bad[i], strlen(bad[i]), HY_ERR_FORMAT));
        assert_non_null(strstr(hy_err_detail(), "bad.pdf"));
    }
    /* cut at the header and in the first object: no catalog, FORMAT */
    free(text("cut.pdf", pdf, 12, HY_ERR_FORMAT));
    free(text("cut.pdf", pdf, 40, HY_ERR_FORMAT));
    /* cut anywhere: a clean error or some text, never a crash */
    for (size_t cut = 0; cut < n; cut += 5) {
        hy_buf out;
        hy_buf_init(&out, 1 << 20);
        hy_err rc = hy_text_from_pdf("cut.pdf", pdf, cut, &out);
        assert_true(rc == HY_OK || rc == HY_ERR_FORMAT);
        hy_buf_free(&out);
    }
    /* bytes flipped in the page's content stream */
    uint8_t *bent = malloc(n);
    memcpy(bent, pdf, n);
    for (size_t i = n / 3; i < n / 2; i += 3)
        bent[i] = (uint8_t)(bent[i] * 31 + 7);
    hy_buf out;
    hy_buf_init(&out, 1 << 20);
    hy_err rc = hy_text_from_pdf("bent.pdf", bent, n, &out);
    assert_true(rc == HY_OK || rc == HY_ERR_FORMAT);
    hy_buf_free(&out);
    free(bent);
    free(pdf);
}

static void test_encrypted(void **st)
{
    (void)st;
    static const char *const one[] = {"Secret text 10.0.0.1"};
    size_t n;
    uint8_t *pdf = make_pdf(one, 1, NEEDS_PASSWORD, &n);
    free(text("locked.pdf", pdf, n, HY_ERR_UNSUPPORTED));
    assert_non_null(strstr(hy_err_detail(), "locked.pdf"));
    assert_non_null(strstr(hy_err_detail(), "encrypted"));
    free(pdf);
    /* an owner password alone does not keep the text from being read */
    pdf = make_pdf(one, 1, OWNER_ONLY, &n);
    char *t = text("owner.pdf", pdf, n, HY_OK);
    assert_non_null(strstr(t, "Secret text 10.0.0.1"));
    free(t);
    free(pdf);
}

static void test_caps(void **st)
{
    (void)st;
    size_t np = HY_TEXT_MAX_PAGES + 1, n;
    const char **pages = malloc(np * sizeof *pages);
    for (size_t i = 0; i < np; i++)
        pages[i] = "p";
    uint8_t *pdf = make_pdf(pages, np, PLAIN, &n);
    free(text("many.pdf", pdf, n, HY_ERR_TOOBIG));
    assert_non_null(strstr(hy_err_detail(), "pages"));
    free(pdf);
    free(pages);

    static const char *const one[] = {"This line is longer than the cap"};
    pdf = make_pdf(one, 1, PLAIN, &n);
    hy_buf out;
    hy_buf_init(&out, 20);
    assert_int_equal(hy_buf_adds(&out, "keep"), HY_OK);
    assert_int_equal(hy_text_from_pdf("cap.pdf", pdf, n, &out), HY_ERR_TOOBIG);
    assert_non_null(strstr(hy_err_detail(), "cap.pdf"));
    assert_string_equal(out.data, "keep");
    assert_int_equal(hy_text_from_pdf("a", NULL, 3, &out), HY_ERR_ARG);
    assert_int_equal(hy_text_from_pdf("a", pdf, n, NULL), HY_ERR_ARG);
    assert_int_equal(hy_text_from_pdf("big.pdf", pdf, (size_t)HY_TEXT_MAX_INPUT + 1, &out),
                     HY_ERR_TOOBIG);
    hy_buf_free(&out);
    free(pdf);
}

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
    return hy_buf_add(closure, data, len) == HY_OK ? CAIRO_STATUS_SUCCESS
                                                   : CAIRO_STATUS_WRITE_ERROR;
}

/* A user font (every glyph a bar, glyph = code point): cairo writes it as a
 * Type 3 font with a ToUnicode map, and needs no installed font for it. */
static cairo_status_t bar_glyph(cairo_scaled_font_t *sf, unsigned long glyph, cairo_t *cr,
                                cairo_text_extents_t *ext)
{
    (void)sf;
    (void)glyph;
    cairo_rectangle(cr, 0.1, -0.7, 0.4, 0.7);
    cairo_fill(cr);
    ext->x_advance = 0.6;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t code_point_glyph(cairo_scaled_font_t *sf, unsigned long uc,
                                       unsigned long *glyph)
{
    (void)sf;
    *glyph = uc;
    return CAIRO_STATUS_SUCCESS;
}

static void test_cairo(void **st)
{
    (void)st;
    hy_buf b;
    hy_buf_init(&b, 16u << 20);
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_buf, &b, 400, 300);
    cairo_t *cr = cairo_create(s);
    cairo_font_face_t *face = cairo_user_font_face_create();
    cairo_user_font_face_set_render_glyph_func(face, bar_glyph);
    cairo_user_font_face_set_unicode_to_glyph_func(face, code_point_glyph);
    cairo_set_font_face(cr, face);
    cairo_set_font_size(cr, 14);
    cairo_move_to(cr, 20, 40);
    cairo_show_text(cr, "Cairo page one mentions evil.example");
    cairo_show_page(cr);
    cairo_move_to(cr, 20, 40);
    cairo_show_text(cr, "Cairo page two lists 192.0.2.7");
    cairo_show_page(cr);
    assert_int_equal(cairo_status(cr), CAIRO_STATUS_SUCCESS);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
    cairo_font_face_destroy(face);
    cairo_debug_reset_static_data();

    char *t = text("cairo.pdf", (const uint8_t *)b.data, b.len, HY_OK);
    assert_int_equal(count_char(t, '\f'), 1);
    assert_non_null(strstr(t, "Cairo page one mentions evil.example"));
    assert_non_null(strstr(strchr(t, '\f'), "Cairo page two lists 192.0.2.7"));
    free(t);
    hy_buf_free(&b);
}

static void test_quiet(void **st)
{
    (void)st;
    static const char *const one[] = {"quiet"};
    size_t n;
    uint8_t *pdf = make_pdf(one, 1, PLAIN, &n);
    char path[300];
    unsetenv("G_MESSAGES_DEBUG"); /* which would print poppler's messages */
    snprintf(path, sizeof path, "%s/stderr.txt", hy_test_tmpdir());
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    int saved = dup(2);
    fflush(stderr);
    assert_int_equal(dup2(fileno(f), 2), 2);
    free(text("q.pdf", (const uint8_t *)"%PDF-1.4\ngarbage", 16, HY_ERR_FORMAT));
    for (size_t cut = 30; cut < n; cut += 37) {
        hy_buf out;
        hy_buf_init(&out, 1 << 20);
        (void)hy_text_from_pdf("cut.pdf", pdf, cut, &out);
        hy_buf_free(&out);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(ftell(f), 0);
    fclose(f);
    free(pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages),     cmocka_unit_test(test_broken),
        cmocka_unit_test(test_encrypted), cmocka_unit_test(test_caps),
        cmocka_unit_test(test_cairo),     cmocka_unit_test(test_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
