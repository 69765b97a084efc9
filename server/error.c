/* error.c: names and HTTP statuses of raati_code. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int http;
} codes[RAATI_CODE_COUNT] = {
    [RAATI_OK] = {"ok", 200},
    [RAATI_E_BAD_JSON] = {"bad_json", 400},
    [RAATI_E_NOT_OBJECT] = {"not_object", 400},
    [RAATI_E_MISSING_FIELD] = {"missing_field", 400},
    [RAATI_E_INVALID_FIELD] = {"invalid_field", 400},
    [RAATI_E_TOO_YOUNG] = {"too_young", 400},
    [RAATI_E_UNKNOWN_TYPE] = {"unknown_type", 400},
    [RAATI_E_BAD_CREDENTIALS] = {"bad_credentials", 401},
    [RAATI_E_UNAUTHENTICATED] = {"unauthenticated", 401},
    [RAATI_E_WRONG_PASSWORD] = {"wrong_password", 400},
    [RAATI_E_FORBIDDEN] = {"forbidden", 403},
    [RAATI_E_BAD_ORIGIN] = {"bad_origin", 403},
    [RAATI_E_NOT_FOUND] = {"not_found", 404},
    [RAATI_E_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405},
    [RAATI_E_EMAIL_TAKEN] = {"email_taken", 409},
    [RAATI_E_TOO_LARGE] = {"too_large", 413},
    [RAATI_E_LENGTH_REQUIRED] = {"length_required", 411},
    [RAATI_E_UNSUPPORTED_MEDIA_TYPE] = {"unsupported_media_type", 415},
    [RAATI_E_RATE_LIMITED] = {"rate_limited", 429},
    [RAATI_E_TOO_LONG] = {"too_long", 400},
    [RAATI_E_LIMIT_REACHED] = {"limit_reached", 400},
    [RAATI_E_PERIOD_NOT_OPEN] = {"period_not_open", 409},
    [RAATI_E_PERIOD_CLOSED] = {"period_closed", 409},
    [RAATI_E_CONFLICT] = {"conflict", 409},
    [RAATI_E_PERSONAL_ID] = {"personal_id", 400},
    [RAATI_E_TOPIC_LOCKED] = {"topic_locked", 409},
    [RAATI_E_WATCHED_WORD] = {"watched_word", 400},
    [RAATI_E_SUSPENDED] = {"suspended", 403},
    [RAATI_E_INTERNAL] = {"internal", 500},
    [RAATI_E_BUSY] = {"busy", 503},
};

const char *raati_code_name(raati_code code)
{
    if ((unsigned)code >= RAATI_CODE_COUNT || !codes[code].name)
        return "internal";
    return codes[code].name;
}

int raati_code_http_status(raati_code code)
{
    if ((unsigned)code >= RAATI_CODE_COUNT || !codes[code].http)
        return 500;
    return codes[code].http;
}

void raati_utf8_scrub(char *s)
{
    unsigned char *in = (unsigned char *)s, *out = in;
    while (*in) {
        int n = *in < 0x80             ? 1
                : (*in & 0xE0) == 0xC0 ? 2
                : (*in & 0xF0) == 0xE0 ? 3
                : (*in & 0xF8) == 0xF0 ? 4
                                       : 0;
        int ok = n > 0 && !(n == 2 && *in < 0xC2) && !(n == 4 && *in > 0xF4);
        for (int i = 1; ok && i < n; i++)
            ok = (in[i] & 0xC0) == 0x80;
        if (ok && n == 3)
            ok = !(*in == 0xE0 && in[1] < 0xA0) && !(*in == 0xED && in[1] >= 0xA0);
        if (ok && n == 4)
            ok = !(*in == 0xF0 && in[1] < 0x90) && !(*in == 0xF4 && in[1] >= 0x90);
        if (!ok) {
            in++; /* a byte of a cut or broken character: dropped */
            continue;
        }
        for (int i = 0; i < n; i++)
            *out++ = *in++;
    }
    *out = '\0';
}

raati_code raati_fail(raati_error *err, raati_code code, const char *field, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* A quoted value cut short may end (or, with %.20s, pause) mid
     * character; JSON must be valid UTF-8. */
    raati_utf8_scrub(err->field);
    raati_utf8_scrub(err->message);
    return code;
}
