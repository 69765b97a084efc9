/* json_util.c: see json_util.h. */
#include "json_util.h"

#include <sodium.h>

static raati_code absent(const char *key, int required, raati_error *err)
{
    if (required)
        return raati_fail(err, RAATI_E_MISSING_FIELD, key, "%s is required", key);
    return RAATI_OK;
}

raati_code jfield_string(json_t *obj, const char *key, int required, const char **out, size_t *len,
                         raati_error *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return absent(key, required, err);
    if (!json_is_string(v))
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must be a string", key);
    *out = json_string_value(v);
    if (len)
        *len = json_string_length(v);
    return RAATI_OK;
}

raati_code jfield_int(json_t *obj, const char *key, int required, long long *out, int *present,
                      raati_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (present)
        *present = 0;
    if (!v || json_is_null(v))
        return absent(key, required, err);
    if (!json_is_integer(v))
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must be a whole number", key);
    *out = json_integer_value(v);
    if (present)
        *present = 1;
    return RAATI_OK;
}

raati_code jfield_bool(json_t *obj, const char *key, int required, int *out, int *present,
                       raati_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (present)
        *present = 0;
    if (!v || json_is_null(v))
        return absent(key, required, err);
    if (!json_is_boolean(v))
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must be true or false", key);
    *out = json_is_true(v);
    if (present)
        *present = 1;
    return RAATI_OK;
}

raati_code jfield_array(json_t *obj, const char *key, int required, json_t **out, raati_error *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return absent(key, required, err);
    if (!json_is_array(v))
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must be an array", key);
    *out = v;
    return RAATI_OK;
}

void jwipe_secrets(json_t *obj)
{
    static const char *const keys[] = {"password", "current_password", "new_password"};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        /* jansson owns the buffer and frees it with obj; nothing else reads it. */
        if (json_is_string(v))
            sodium_memzero((char *)json_string_value(v), json_string_length(v));
    }
}

json_t *jerror_object(const raati_error *err)
{
    json_t *e = json_pack("{s:s, s:s}", "code", raati_code_name(err->code), "message",
                          err->message[0] ? err->message : raati_code_name(err->code));
    if (e && err->field[0])
        json_object_set_new(e, "field", json_string(err->field));
    if (e && err->code == RAATI_E_RATE_LIMITED)
        json_object_set_new(e, "retry_after", json_integer(err->retry_after));
    if (e && err->code == RAATI_E_TOO_LONG)
        json_object_set_new(e, "limit", json_integer(err->limit));
    if (e && err->code == RAATI_E_WATCHED_WORD)
        json_object_set_new(e, "word", json_string(err->word));
    return e;
}

char *jerror_body(const raati_error *err)
{
    json_t *body = json_pack("{s:b, s:o}", "ok", 0, "error", jerror_object(err));
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    return s;
}
