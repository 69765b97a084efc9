/* auth.h: passwords (libsodium Argon2id), session tokens and sessions.
 * The password functions are slow (~75 ms, 64 MiB) and run on worker
 * threads only, never on the event loop. */
#ifndef RAATI_AUTH_H
#define RAATI_AUTH_H

#include <sodium.h>
#include <stdint.h>

#include "db.h"
#include "error.h"

#define AUTH_HASH_MAX crypto_pwhash_STRBYTES
#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_CHARS 43 /* url-safe base64 of 32 bytes, no padding */
#define AUTH_SESSION_DAYS 30
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 1024

/* sodium_init() and the dummy hash that unknown emails are checked against,
 * so they cost the same work as a wrong password. -1 on failure. */
int auth_init(void);
const char *auth_dummy_hash(void);

/* Hashes password into out (AUTH_HASH_MAX bytes). Worker threads only. */
raati_code auth_hash_password(const char *password, size_t len, char out[AUTH_HASH_MAX]);
/* 1 if password matches hash. Worker threads only. */
int auth_verify_password(const char *hash, const char *password, size_t len);
/* 1 if hash was made with weaker limits than today's. */
int auth_needs_rehash(const char *hash);

/* A session for member_id: writes the cookie token (AUTH_TOKEN_CHARS + 1
 * bytes) and stores only its hash. Runs inside the caller's transaction if
 * one is open. */
raati_code session_create(db *d, int64_t member_id, char *token, int64_t *session_id);
/* The member and session for a cookie token, if it is well-formed, known and
 * not expired; 0 otherwise. */
int64_t session_lookup(db *d, const char *token, int64_t *session_id);
/* Ends the session with this token; 0 if there was none. */
int64_t session_delete(db *d, const char *token);
/* Ends every session of member_id but keep_session_id. */
raati_code session_delete_others(db *d, int64_t member_id, int64_t keep_session_id);

#endif
