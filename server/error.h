/* error.h: Raati's one error enum. Every function that can fail returns a
 * raati_code; RAATI_OK (0) is success. Each code maps to the stable string
 * the protocol sends and to an HTTP status (docs/protocol.md, "Error codes"). */
#ifndef RAATI_ERROR_H
#define RAATI_ERROR_H

typedef enum {
    RAATI_OK = 0,
    RAATI_E_BAD_JSON,
    RAATI_E_NOT_OBJECT,
    RAATI_E_MISSING_FIELD,
    RAATI_E_INVALID_FIELD,
    RAATI_E_TOO_YOUNG,
    RAATI_E_UNKNOWN_TYPE,
    RAATI_E_BAD_CREDENTIALS,
    RAATI_E_UNAUTHENTICATED,
    RAATI_E_WRONG_PASSWORD,
    RAATI_E_FORBIDDEN,
    RAATI_E_BAD_ORIGIN,
    RAATI_E_NOT_FOUND,
    RAATI_E_METHOD_NOT_ALLOWED,
    RAATI_E_EMAIL_TAKEN,
    RAATI_E_TOO_LARGE,
    RAATI_E_LENGTH_REQUIRED,
    RAATI_E_UNSUPPORTED_MEDIA_TYPE,
    RAATI_E_RATE_LIMITED,
    RAATI_E_TOO_LONG,
    RAATI_E_LIMIT_REACHED,
    RAATI_E_PERIOD_NOT_OPEN,
    RAATI_E_PERIOD_CLOSED,
    RAATI_E_CONFLICT,
    RAATI_E_PERSONAL_ID,
    RAATI_E_SUSPENDED,
    RAATI_E_TOPIC_LOCKED,
    RAATI_E_WATCHED_WORD,
    RAATI_E_INTERNAL,
    RAATI_E_BUSY,
    RAATI_CODE_COUNT
} raati_code;

/* A failure as the client will see it: code, the request field at fault
 * (may be empty), a readable English message, for rate_limited the seconds
 * until a retry may succeed, for too_long the most characters allowed, and
 * for watched_word the word found. */
typedef struct {
    raati_code code;
    char field[32];
    char message[200];
    int retry_after;
    int limit;
    char word[104];
} raati_error;

/* The protocol's string for code, e.g. "invalid_field". Never NULL. */
const char *raati_code_name(raati_code code);
/* The HTTP status that goes with code. */
int raati_code_http_status(raati_code code);

/* Drops from s, in place, the bytes that are not part of a whole, valid
 * UTF-8 character (such as a character cut short by a length limit). */
void raati_utf8_scrub(char *s);

/* Fills err (if not NULL) and returns code, so callers can write
 * `return raati_fail(err, RAATI_E_INVALID_FIELD, "email", "...")`. */
raati_code raati_fail(raati_error *err, raati_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
