/* libFuzzer target for hy_decode. Input: 2 bytes (big-endian) picking a link
 * type from the table below (modulo its size), then the frame. Checks that
 * every pointer the decoder hands out stays inside the frame, that the
 * stats count exactly one anomaly per packet, and that decoding only the
 * hy_shard_hash keep bytes (an exact-size copy: ASan sees any read past them)
 * gives every field decoding the whole frame gives, and that hy_shard_hash's
 * fast path agrees with its general path. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hayate/decode.h"
#include "net/shard.h"

static const int links[] = {
    HY_LINK_ETHERNET, HY_LINK_SLL,       HY_LINK_SLL2, HY_LINK_RAW,
    HY_LINK_DLT_RAW,  HY_LINK_DLT_RAW14, HY_LINK_IPV4, HY_LINK_IPV6,
    HY_LINK_NULL,     HY_LINK_LOOP,      9999, /* unsupported */
};

#include "fuzz_check.h"

static void check_span(const uint8_t *base, size_t n, const uint8_t *p, uint32_t len)
{
    if (!p) {
        CHECK(len == 0);
        return;
    }
    CHECK(p >= base && p <= base + n);
    CHECK(len <= (size_t)(base + n - p));
}

/* Decodes the first keep bytes of frame as the pipeline's workers do and
 * compares with p, the whole frame's decode (spans as offsets, cut at keep). */
static void check_kept(const hy_pkt *p, const uint8_t *frame, uint32_t n)
{
    uint32_t keep = 0, keep2 = 0;
    uint32_t h = hy_shard_hash(p->linktype, frame, n, &keep);
    CHECK(h == hy__shard_hash_general(p->linktype, frame, n, &keep2) && keep == keep2);
    CHECK(keep <= n);
    uint8_t *copy = malloc(keep ? keep : 1);
    CHECK(copy != NULL);
    memcpy(copy, frame, keep);
    hy_pkt a = *p, b;
    memset(&b, 0, sizeof b);
    b.data = copy;
    b.caplen = b.wirelen = n;
    b.linktype = p->linktype;
    b.have = keep;
    hy_decode(&b, NULL);
    const uint8_t **spa[3] = {&a.l3, &a.l4, &a.payload}, **spb[3] = {&b.l3, &b.l4, &b.payload};
    uint32_t *lna[3] = {&a.l3_len, &a.l4_len, &a.payload_len},
             *lnb[3] = {&b.l3_len, &b.l4_len, &b.payload_len};
    for (int i = 0; i < 3; i++) {
        CHECK(!*spa[i] == !*spb[i]);
        if (*spa[i]) {
            uint32_t off = (uint32_t)(*spa[i] - frame), max = off < keep ? keep - off : 0;
            CHECK(*spb[i] - copy == (ptrdiff_t)off);
            CHECK(*lnb[i] == (*lna[i] < max ? *lna[i] : max));
        }
        *spa[i] = *spb[i] = NULL;
        *lna[i] = *lnb[i] = 0;
    }
    a.data = b.data = NULL;
    b.have = 0;
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned sel = (unsigned)data[0] << 8 | data[1];
    const uint8_t *frame = data + 2;
    size_t n = size - 2;
    if (n > HY_MAX_SNAPLEN)
        return 0;

    hy_pkt p;
    memset(&p, 0, sizeof p); /* padding too: check_kept compares bytes */
    p.data = frame;
    p.caplen = p.wirelen = (uint32_t)n;
    p.linktype = links[sel % (sizeof links / sizeof links[0])];
    hy_decode_stats st = {0};
    hy_anom a = hy_decode(&p, &st);

    CHECK((unsigned)a < HY_ANOM__COUNT && a == p.anom);
    CHECK(st.packets == 1 && st.bytes == n);
    uint64_t sum = 0;
    for (int i = 0; i < HY_ANOM__COUNT; i++)
        sum += st.anom[i];
    CHECK(sum == 1 && st.anom[a] == 1);
    CHECK(hy_anom_name(a)[0] != '\0' && hy_anom_text(a)[0] != '\0');

    check_span(frame, n, p.l3, p.l3_len);
    check_span(frame, n, p.l4, p.l4_len);
    check_span(frame, n, p.payload, p.payload_len);
    if (p.l3 && p.l4)
        CHECK(p.l4 >= p.l3 && p.l4 + p.l4_len <= p.l3 + p.l3_len);
    if (p.l4 && p.payload)
        CHECK(p.payload >= p.l4 && p.payload + p.payload_len <= p.l4 + p.l4_len);
    CHECK(p.payload_len <= p.payload_wire_len || a != HY_ANOM_NONE);
    CHECK(p.vlan_count <= HY_MAX_VLAN_TAGS);
    CHECK(p.ip6_ext_count <= HY_MAX_IP6_EXT_HDRS);
    CHECK(p.tcp_opts.sack_blocks <= HY_MAX_TCP_SACK_BLOCKS);
    CHECK(p.ip_version == 0 || p.ip_version == 4 || p.ip_version == 6);
    if (p.ip_version == 0)
        CHECK(p.sport == 0 && p.dport == 0 && p.proto == 0 && !p.l4);
    if (p.is_frag && p.frag_off != 0)
        CHECK(p.sport == 0 && p.dport == 0 && !p.l4);
    if (a == HY_ANOM_NONE || a == HY_ANOM_SNAPLEN)
        CHECK(p.ip_version != 0);

    check_kept(&p, frame, (uint32_t)n);

    char addr[46], ref[46];
    hy_addr_format(p.ip_version, p.src, addr);
    hy_addr_format(p.ip_version, p.dst, addr);
    /* the hand-written formats against glibc's, on any 16 bytes */
    if (n >= 16) {
        hy_addr_format(6, frame + n - 16, addr);
        CHECK(inet_ntop(AF_INET6, frame + n - 16, ref, sizeof ref) && strcmp(addr, ref) == 0);
        hy_addr_format(4, frame + n - 4, addr);
        CHECK(inet_ntop(AF_INET, frame + n - 4, ref, sizeof ref) && strcmp(addr, ref) == 0);
    }
    return 0;
}
