/* ratelimit.h: fixed-window counters keyed by a string (an email, an
 * address), in bounded memory. A full table forgets its oldest window
 * first. Event-loop only (not thread-safe). */
#ifndef RAATI_RATELIMIT_H
#define RAATI_RATELIMIT_H

#include <time.h>

typedef struct ratelimit ratelimit;

/* At most limit hits per window_secs per key. NULL on out of memory. */
ratelimit *ratelimit_new(int limit, int window_secs);
void ratelimit_free(ratelimit *rl);
/* 0 if key may proceed now; else seconds until it may. Counts nothing. */
int ratelimit_check(ratelimit *rl, const char *key, time_t now);
/* Counts one hit for key. */
void ratelimit_hit(ratelimit *rl, const char *key, time_t now);
/* Forgets key (e.g. failures after a successful sign-in). */
void ratelimit_clear(ratelimit *rl, const char *key);

#endif
