/* Which packets reach the darknet, what kind of traffic they are, and which
 * scanner made them. */
#include "darknet_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "a.b.c.d/n" or "v6::/n"; a bare address is a host prefix. */
static bool parse_one(const char *s, dn_prefix *p)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    long len;
    char *end;

    if (alen == 0 || alen >= sizeof buf)
        return false;
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    memset(p, 0, sizeof *p);
    if (inet_pton(AF_INET, buf, p->addr) == 1)
        p->ipv = 4;
    else if (inet_pton(AF_INET6, buf, p->addr) == 1)
        p->ipv = 6;
    else
        return false;
    len = p->ipv == 4 ? 32 : 128;
    if (slash) {
        len = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || len < 0 || len > (p->ipv == 4 ? 32 : 128))
            return false;
    }
    p->len = (uint8_t)len;
    /* clear host bits so matching compares whole bytes */
    for (int bit = p->len; bit < 128; bit++)
        p->addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
    return true;
}

hy_err dn_prefixes_parse(const char *const *items, size_t n, dn_prefixes *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return hy_err_set(HY_ERR_CONFIG, "darknet.prefixes: empty (give CIDRs or all)");
    if (!(out->v = calloc(n, sizeof *out->v)))
        return HY_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i], "all") == 0) {
            out->all = true;
            continue;
        }
        if (!parse_one(items[i], &out->v[out->n])) {
            dn_prefixes_free(out);
            return hy_err_set(HY_ERR_CONFIG,
                              "darknet.prefixes: '%s' is not an IPv4/IPv6 CIDR or 'all'",
                              items[i]);
        }
        out->n++;
    }
    return HY_OK;
}

void dn_prefixes_free(dn_prefixes *p)
{
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

static bool in_prefix(const dn_prefix *x, const uint8_t *a)
{
    int full = x->len / 8, rest = x->len % 8;
    if (memcmp(x->addr, a, (size_t)full) != 0)
        return false;
    return rest == 0 || ((a[full] ^ x->addr[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

bool dn_prefixes_match(const dn_prefixes *d, const hy_pkt *p)
{
    if (p->ip_version != 4 && p->ip_version != 6)
        return false;
    if (d->all)
        return true;
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].ipv == p->ip_version && in_prefix(&d->v[i], p->dst))
            return true;
    return false;
}

dn_class dn_classify(const hy_pkt *p)
{
    uint8_t f = p->tcp_flags;
    switch (p->proto) {
    case 6:
        if (!p->l4)
            return DN_OTHER;
        if (f & HY_TCP_RST)
            return DN_BACKSCATTER;
        if ((f & (HY_TCP_SYN | HY_TCP_ACK)) == HY_TCP_SYN)
            return DN_SCAN;
        if ((f & (HY_TCP_SYN | HY_TCP_ACK)) == (HY_TCP_SYN | HY_TCP_ACK))
            return DN_BACKSCATTER;
        return DN_OTHER;
    case 17:
        return p->l4 ? DN_SCAN : DN_OTHER;
    case 1: /* echo request; echo reply, unreachable, source quench, redirect, time exceeded, parameter problem */
        if (!p->l4)
            return DN_OTHER;
        if (p->icmp_type == 8)
            return DN_SCAN;
        if (p->icmp_type == 0 || p->icmp_type == 3 || p->icmp_type == 4 || p->icmp_type == 5 ||
            p->icmp_type == 11 || p->icmp_type == 12)
            return DN_BACKSCATTER;
        return DN_OTHER;
    case 58: /* echo request; errors 1-4 and echo reply */
        if (!p->l4)
            return DN_OTHER;
        if (p->icmp_type == 128)
            return DN_SCAN;
        if ((p->icmp_type >= 1 && p->icmp_type <= 4) || p->icmp_type == 129)
            return DN_BACKSCATTER;
        return DN_OTHER;
    default:
        return DN_OTHER;
    }
}

const char *dn_class_name(dn_class c)
{
    static const char *const names[] = {"scan", "backscatter", "other"};
    return c < DN__CLASSES ? names[c] : "other";
}

static const struct {
    const char *name;
    uint8_t proto;
} protos[] = {{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmp6", 58}};

const char *dn_proto_name(uint8_t proto)
{
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (protos[i].proto == proto)
            return protos[i].name;
    return "ip";
}

bool dn_port_parse(const char *s, uint8_t *proto, uint16_t *port)
{
    char name[8];
    unsigned p;
    int used = 0;
    if (sscanf(s, "%7[a-z0-9]/%u%n", name, &p, &used) != 2 || s[used] || p > 65535)
        return false;
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
        if (strcmp(name, protos[i].name) == 0) {
            *proto = protos[i].proto;
            *port = (uint16_t)p;
            return true;
        }
    return false;
}
