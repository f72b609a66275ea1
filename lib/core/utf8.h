/* hayate internal: strict UTF-8 validation (RFC 3629), shared by the JSON
 * writer (which replaces bad sequences) and the config parser (which rejects
 * them). */
#ifndef HAYATE_CORE_UTF8_H
#define HAYATE_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

/* Examines the sequence starting at p[off] (off < len). Returns its length
 * (1..4) when it is one valid scalar value, or minus the length of the
 * maximal invalid subpart (so -1..-3) to be replaced by one U+FFFD: overlongs,
 * surrogates, values above U+10FFFF, stray continuation bytes and truncated
 * sequences are all invalid. */
static inline int hy_utf8_seq(const uint8_t *p, size_t len, size_t off)
{
    uint8_t c = 0, b = 0;
    uint8_t lo = 0x80, hi = 0xBF;
    int need;

    if (!hy_rd_u8(p, len, off, &c))
        return -1;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3;
    else
        return -1; /* continuation byte, C0/C1 (always overlong) or F5..FF */
    /* The second byte's range excludes overlongs, surrogates and > U+10FFFF. */
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    for (int i = 1; i <= need; i++) {
        if (!hy_rd_u8(p, len, off + (size_t)i, &b) || b < lo || b > hi)
            return -i;
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

#endif
