/* auth.c: see auth.h. */
#include "auth.h"

#include <string.h>

#include "log.h"

static char dummy_hash[AUTH_HASH_MAX];

int auth_init(void)
{
    if (sodium_init() < 0)
        return -1;
    /* A random password nobody knows: verifying against it always fails. */
    unsigned char secret[16];
    randombytes_buf(secret, sizeof secret);
    if (auth_hash_password((const char *)secret, sizeof secret, dummy_hash))
        return -1;
    sodium_memzero(secret, sizeof secret);
    return 0;
}

const char *auth_dummy_hash(void)
{
    return dummy_hash;
}

raati_code auth_hash_password(const char *password, size_t len, char out[AUTH_HASH_MAX])
{
    if (crypto_pwhash_str(out, password, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        log_error("auth.hash_failed", "reason=out_of_memory");
        return RAATI_E_BUSY;
    }
    return RAATI_OK;
}

int auth_verify_password(const char *hash, const char *password, size_t len)
{
    return crypto_pwhash_str_verify(hash, password, len) == 0;
}

int auth_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

static int token_hash(const char *token, unsigned char hash[32])
{
    if (!token || strlen(token) != AUTH_TOKEN_CHARS)
        return -1;
    for (const char *c = token; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            return -1;
    crypto_generichash(hash, 32, (const unsigned char *)token, AUTH_TOKEN_CHARS, NULL, 0);
    return 0;
}

raati_code session_create(db *d, int64_t member_id, char *token, int64_t *session_id)
{
    unsigned char raw[AUTH_TOKEN_BYTES], hash[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(token, AUTH_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(token, hash);
    sqlite3_stmt *st =
        db_prepare(d, "INSERT INTO session (member_id, token_hash, expires_at) "
                      "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+30 days'))");
    if (!st)
        return RAATI_E_INTERNAL;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_blob(st, 2, hash, sizeof hash, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("session.create_failed", "error=\"%s\"", sqlite3_errmsg(db_handle(d)));
        return RAATI_E_INTERNAL;
    }
    if (session_id)
        *session_id = sqlite3_last_insert_rowid(db_handle(d));
    return RAATI_OK;
}

int64_t session_lookup(db *d, const char *token, int64_t *session_id)
{
    unsigned char hash[32];
    if (token_hash(token, hash))
        return 0;
    sqlite3_stmt *st = db_prepare(d, "SELECT id, member_id FROM session WHERE token_hash = ? "
                                     "AND expires_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
    if (!st)
        return 0;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    int64_t member = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (session_id)
            *session_id = sqlite3_column_int64(st, 0);
        member = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return member;
}

int64_t session_delete(db *d, const char *token)
{
    unsigned char hash[32];
    if (token_hash(token, hash))
        return 0;
    sqlite3_stmt *st = db_prepare(d, "DELETE FROM session WHERE token_hash = ? RETURNING id");
    if (!st)
        return 0;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    int64_t id = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

raati_code session_delete_others(db *d, int64_t member_id, int64_t keep_session_id)
{
    sqlite3_stmt *st = db_prepare(d, "DELETE FROM session WHERE member_id = ? AND id != ?");
    if (!st)
        return RAATI_E_INTERNAL;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, keep_session_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? RAATI_OK : RAATI_E_INTERNAL;
}
