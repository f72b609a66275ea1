/* hayate internal: Community ID v1 pieces shared by the flow table. */
#ifndef HAYATE_NET_COMMUNITY_ID_H
#define HAYATE_NET_COMMUNITY_ID_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

/* Maps an ICMP (proto 1) or ICMPv6 (proto 58) type/code to the port pair of
 * the Community ID spec: sport = type; dport = the counterpart type for
 * request/response pairs, else the code. Returns true for one-way types
 * (endpoints are then never swapped). */
bool hy__icmp_ports(uint8_t proto, uint8_t type, uint8_t code, uint16_t *sport, uint16_t *dport);

/* hy_community_id with a caller-owned digest context and a fetched SHA-1, so
 * hot paths skip the per-call algorithm lookup. ctx or md NULL: falls back. */
void hy__community_id_ctx(EVP_MD_CTX *ctx, const EVP_MD *md, uint16_t seed, uint8_t ip_version,
                          uint8_t proto, const uint8_t src[16], const uint8_t dst[16],
                          uint16_t sport, uint16_t dport, char out[40]);

#endif
