/* hetu.h: finding Finnish personal identity codes (henkilötunnus) in text,
 * so a post that would publish one is stopped first (issue "Moderation",
 * the guardrail for health data). A code is DDMMYY, a century sign, a
 * three-digit individual number and a check character, and counts only
 * when its date exists and its check character is right. */
#ifndef RAATI_HETU_H
#define RAATI_HETU_H

#include <stddef.h>

#include "error.h"

/* The byte offset of the first valid code in text (UTF-8, len bytes) that
 * stands on its own (no letter or digit right before or after it), or -1. */
long hetu_find(const char *text, size_t len);

/* Whether the 11 bytes at s are a valid code. */
int hetu_valid(const char *s);

/* personal_id naming field when text holds a valid code; RAATI_OK if not. */
raati_code hetu_refuse(const char *field, const char *text, raati_error *err);

#endif
