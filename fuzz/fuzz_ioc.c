/* Fuzzes refanging, IOC extraction and sentence splitting (lib/text) on
 * any bytes: the refang map is monotone and ends at the input length, every
 * indicator has a non-empty value within the cap, an in-bounds span inside
 * its sentence and a count, indicators come in order, sentences are
 * ordered, disjoint and non-empty; never a crash, a hang or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hayate/ioc.h"
#include "hayate/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_refang(const char *in, size_t n)
{
    hy_buf out;
    uint32_t *map = NULL;

    hy_buf_init(&out, HY_IOC_MAX_TEXT);
    if (hy_refang(in, n, &out, &map) != HY_OK)
        abort();
    if (out.len > n || !map || map[out.len] != n)
        abort();
    for (size_t i = 0; i < out.len; i++)
        if (map[i] >= n || (i && map[i] <= map[i - 1]))
            abort();
    free(map);
    hy_buf_free(&out);
}

static void check_extract(const char *in, size_t n, uint32_t types)
{
    hy_ioc_opts o = {.types = types};
    hy_ioc_list l = {0};

    if (hy_ioc_extract(in, n, &o, &l) != HY_OK)
        abort();
    for (size_t i = 0; i < l.n; i++) {
        const hy_ioc *io = &l.v[i];
        size_t vl = io->value ? strlen(io->value) : 0;
        if (io->type >= HY_IOC__COUNT || !vl || vl > HY_IOC_MAX_VALUE || !io->count)
            abort();
        if (io->start >= io->end || io->end > n || io->sent_start > io->start ||
            io->start >= io->sent_end || io->sent_end > n)
            abort();
        if (i && l.v[i - 1].start > io->start)
            abort();
        if (types && !(types & (1u << io->type)))
            abort();
    }
    hy_ioc_list_free(&l);
}

static void check_sentences(const char *in, size_t n)
{
    hy_span *v = NULL;
    size_t count = 0, last = 0;

    if (hy_text_sentences(in, n, &v, &count) != HY_OK)
        abort();
    for (size_t i = 0; i < count; i++) {
        if (v[i].start < last || v[i].start >= v[i].end || v[i].end > n)
            abort();
        last = v[i].end;
    }
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    uint32_t types = 0;

    check_refang(in, size);
    check_sentences(in, size);
    check_extract(in, size, 0);
    if (size >= 4) { /* again with a type filter taken from the input */
        memcpy(&types, data, 4);
        check_extract(in, size, types & ((1u << HY_IOC__COUNT) - 1));
    }
    return 0;
}
