/* times.h: UTC times as the database and protocol write them:
 * 2026-11-22T08:05:57.123Z (ISO 8601, milliseconds, Z), which sort as text. */
#ifndef RAATI_TIMES_H
#define RAATI_TIMES_H

#include <stdint.h>

#define TIME_ISO_SIZE 32

/* Milliseconds since the epoch, from the real-time clock. */
int64_t time_now_ms(void);
/* Writes ms as ISO 8601 UTC with milliseconds into buf (TIME_ISO_SIZE). */
void time_iso(int64_t ms, char *buf);
/* Parses YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z (a UTC time; fractions past
 * milliseconds are dropped). Returns 0 and sets *ms, or -1 if s is not
 * exactly that or names no real date. */
int time_parse_iso(const char *s, int64_t *ms);
/* Writes ms as local time (the TZ the process was given: --time-zone)
 * "2026-11-22 10:05:57", which spreadsheets read as a date and time, into
 * buf (TIME_ISO_SIZE). */
void time_local(int64_t ms, char *buf);

#endif
