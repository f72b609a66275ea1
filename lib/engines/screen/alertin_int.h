/* hayate internal: shared pieces of the alert parsers (alertin*.c). */
#ifndef HAYATE_SCREEN_ALERTIN_INT_H
#define HAYATE_SCREEN_ALERTIN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hayate/alertin.h"

struct hy_alertin_parser {
    char *arena;  /* raw copy + decoded strings of the current input */
    size_t cap, len;
    int year;     /* for fast.log dates without one: 1970 */
};

/* Copies n bytes into the arena (NUL-terminated) as *out; false when the
 * arena reserved for this input is exhausted (a bug: it is sized first). */
bool hy__alertin_put(hy_alertin_parser *p, const char *s, size_t n, hy_str *out);

/* Room for m more bytes in the arena (hy_jscan_str writes there); NULL when
 * none is left. hy__alertin_commit then takes n of them plus a NUL. */
char *hy__alertin_room(hy_alertin_parser *p, size_t *m);
void hy__alertin_commit(hy_alertin_parser *p, size_t n, hy_str *out);

/* Parses an IPv4 or IPv6 address text of n bytes into out[16]; *ver 4 or 6.
 * False when it is neither. */
bool hy__alertin_ip(const char *s, size_t n, uint8_t out[16], uint8_t *ver);

/* IANA protocol number of a name ("TCP", "IPv6-ICMP", ...; any case) or a
 * decimal number; 0 when unknown. */
uint8_t hy__alertin_proto(const char *s, size_t n);

/* Seconds since the epoch of a UTC civil time; false when a field is out of
 * range (month 1..12, day within the month, hour < 24, minute < 60,
 * second <= 60, year 1..9999). */
bool hy__alertin_civil(int year, int mon, int day, int h, int mi, int sec, int64_t *out);

/* The two parsers behind hy_alertin_parse: line[0..n) trimmed, the arena
 * reset with the raw copy done, a zeroed with empty strings. */
hy_err hy__alertin_eve(hy_alertin_parser *p, const char *line, size_t n, hy_alert_in *a);
hy_err hy__alertin_fast(hy_alertin_parser *p, const char *line, size_t n, hy_alert_in *a);

#endif
