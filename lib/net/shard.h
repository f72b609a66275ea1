/* hayate internal: the shard key of a raw frame, computed without a full
 * decode so the capture thread can route packets to decode/flow workers. */
#ifndef HAYATE_NET_SHARD_H
#define HAYATE_NET_SHARD_H

#include <stdbool.h>
#include <stdint.h>

/* Symmetric hash of (outer VLAN, IP version, protocol, address pair): equal
 * for both directions of a flow and for every fragment of a datagram (ports
 * are left out because later fragments carry none). Frames that are not IP,
 * or too short to tell, hash to 0. Reads only inside [data, data+caplen).
 *
 * *keep gets how many leading bytes of the frame hy_decode reads: the link,
 * IP and transport headers with their options (the whole frame when that is
 * not known cheaply: IPv6 extension headers, loopback, not IP), at most
 * caplen. Decoding a copy of only these bytes with hy_pkt.have set to their
 * count gives every decoded field the whole frame gives (fuzz_decode and
 * test_keep_headers check it). */
uint32_t hy_shard_hash(int linktype, const uint8_t *data, uint32_t caplen, uint32_t *keep);

/* hy_shard_hash without its fast path for untagged Ethernet with IPv4 or
 * IPv6: the same results for every frame (fuzz_decode checks it). */
uint32_t hy__shard_hash_general(int linktype, const uint8_t *data, uint32_t caplen, uint32_t *keep);

/* hy_shard_hash's fast path alone, for an Ethernet frame: true with *hash
 * and *keep set when it handles the frame (untagged IPv4 that is not a later
 * fragment, or IPv6 without extension headers, headers captured), false
 * (nothing set) when hy_shard_hash falls back to the general path. */
bool hy__shard_fast(const uint8_t *data, uint32_t caplen, uint32_t *hash, uint32_t *keep);

#endif
