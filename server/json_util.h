/* json_util.h: typed field access on parsed requests, and error objects.
 * Each getter checks the JSON type before use and fails with
 * missing_field / invalid_field naming the key. */
#ifndef RAATI_JSON_UTIL_H
#define RAATI_JSON_UTIL_H

#include <jansson.h>

#include "error.h"

/* *out is the string (borrowed from obj), or NULL when absent and optional. */
raati_code jfield_string(json_t *obj, const char *key, int required, const char **out, size_t *len,
                         raati_error *err);
/* *present says whether key was there; *out is untouched when it was not. */
raati_code jfield_int(json_t *obj, const char *key, int required, long long *out, int *present,
                      raati_error *err);
raati_code jfield_bool(json_t *obj, const char *key, int required, int *out, int *present,
                       raati_error *err);
/* *out is the array (borrowed), or NULL when absent and optional. */
raati_code jfield_array(json_t *obj, const char *key, int required, json_t **out, raati_error *err);

/* Overwrites the password fields of a handled request (password,
 * current_password, new_password) so no plaintext outlives it in memory. */
void jwipe_secrets(json_t *obj);

/* {"code": ..., "message": ..., "field"?: ..., "retry_after"?: ...}; the
 * caller owns the result. */
json_t *jerror_object(const raati_error *err);
/* {"ok": false, "error": {...}} as a compact string the caller frees. */
char *jerror_body(const raati_error *err);

#endif
