/* libFuzzer target for the darknet engine's untrusted inputs: its prefix
 * list (config text) and the packets it aggregates. Input: a line of
 * comma-separated prefixes, a newline, then an Ethernet frame. Every prefix
 * list must parse or be refused cleanly; every frame decodes, is matched,
 * classed and fingerprinted, and goes into a bin that is merged into a
 * second one and listed: no crash, no leak, and the merged bin counts the
 * packet once per class. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engines/darknet/darknet_int.h"

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits the first line into at most 16 NUL-terminated items. */
static size_t items_of(char *line, const char **items)
{
    size_t n = 0;
    for (char *tok = strtok(line, ","); tok && n < 16; tok = strtok(NULL, ","))
        items[n++] = tok;
    return n;
}

static void one_packet(const dn_prefixes *pfx, const uint8_t *frame, size_t len)
{
    dn_limits lim = {.exact_cap = 4, .max_sources = 64, .max_ports = 64,
                     .bin_ns = 60000000000ull};
    hy_decode_stats st = {0};
    hy_pkt p = {.data = frame, .caplen = (uint32_t)len, .wirelen = (uint32_t)len,
                .linktype = HY_LINK_ETHERNET, .ts_ns = 1700000000000000000ull};
    dn_bin *a = NULL, *b = NULL;
    dn_port_agg **ports = NULL;
    size_t n = 0;

    hy_decode(&p, &st);
    dn_prefixes_match(pfx, &p);
    dn_class cls = dn_classify(&p);
    CHECK(cls < DN__CLASSES);
    uint8_t fp = dn_fingerprint(&p);
    if (p.ip_version != 4 && p.ip_version != 6)
        return;
    CHECK(dn_bin_create(1, &lim, &a) == HY_OK && dn_bin_create(1, &lim, &b) == HY_OK);
    CHECK(dn_bin_add(a, &lim, &p, cls, fp) == HY_OK);
    CHECK(dn_bin_merge(b, a, &lim) == HY_OK);
    CHECK(b->packets[cls] == 1);
    CHECK(dn_bin_ports(b, &ports, &n) == HY_OK && n == 1 && ports[0]->packets == 1);
    free(ports);
    dn_bin_destroy(a);
    dn_bin_destroy(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size < 512 ? size : 512);
    const char *items[16];
    dn_prefixes pfx;
    char line[513];
    size_t ll;

    if (!nl)
        return 0;
    ll = (size_t)(nl - data);
    memcpy(line, data, ll);
    line[ll] = '\0';
    size_t n = items_of(line, items);
    if (dn_prefixes_parse(items, n, &pfx) != HY_OK)
        return 0; /* refused with a message: fine */
    one_packet(&pfx, nl + 1, size - ll - 1);
    dn_prefixes_free(&pfx);
    return 0;
}
