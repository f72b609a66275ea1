/* hayate internal: IPv6 facts shared by the decoder and the shard code. */
#ifndef HAYATE_NET_IP6_H
#define HAYATE_NET_IP6_H

#include <stdbool.h>
#include <stdint.h>

/* Whether next header nh is an extension header the decoder walks. */
static inline bool hy__ip6_is_ext(uint8_t nh)
{
    switch (nh) {
    case 0:   /* hop-by-hop */
    case 43:  /* routing */
    case 44:  /* fragment */
    case 51:  /* AH */
    case 60:  /* destination options */
    case 135: /* mobility */
        return true;
    default:
        return false;
    }
}

#endif
