/* Passwords, tokens and sessions. */
#include "auth.h"
#include "check.h"
#include "members.h"

static void passwords_verify(void)
{
    char hash[AUTH_HASH_MAX];
    CHECK(auth_hash_password("oikea salasana", 14, hash) == RAATI_OK);
    CHECK(!strncmp(hash, "$argon2id$", 10));
    CHECK(auth_verify_password(hash, "oikea salasana", 14));
    CHECK(!auth_verify_password(hash, "väärä salasana", 15));
    CHECK(!auth_needs_rehash(hash));
    CHECK(!auth_verify_password(auth_dummy_hash(), "", 0));
}

static void sessions_store_only_a_hash(void)
{
    db *d;
    raati_error err = {0};
    db_open(&d, ":memory:", &err);
    int64_t member, session = 0, found_session = 0;
    member_add_staff(d, "a@example.fi", "A", ROLE_MEMBER, "$x", &member, &err);
    char token[AUTH_TOKEN_CHARS + 1];
    CHECK(session_create(d, member, token, &session) == RAATI_OK);
    CHECK(strlen(token) == AUTH_TOKEN_CHARS);
    CHECK(session_lookup(d, token, &found_session) == member);
    CHECK(found_session == session);

    sqlite3_stmt *st;
    sqlite3_prepare_v2(db_handle(d), "SELECT count(*) FROM session WHERE token_hash = ?", -1, &st,
                       NULL);
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    sqlite3_step(st);
    CHECK(sqlite3_column_int(st, 0) == 0);
    sqlite3_finalize(st);

    char forged[AUTH_TOKEN_CHARS + 1];
    memcpy(forged, token, sizeof forged);
    forged[0] = forged[0] == 'A' ? 'B' : 'A';
    CHECK(session_lookup(d, forged, NULL) == 0);
    CHECK(session_lookup(d, "short", NULL) == 0);
    CHECK(session_lookup(d, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", NULL) == 0);
    CHECK(session_lookup(d, NULL, NULL) == 0);

    CHECK(session_delete(d, token) == session);
    CHECK(session_lookup(d, token, NULL) == 0);
    db_close(d);
}

static void password_change_ends_other_sessions(void)
{
    db *d;
    raati_error err = {0};
    db_open(&d, ":memory:", &err);
    int64_t member, keep, other;
    member_add_staff(d, "a@example.fi", "A", ROLE_MEMBER, "$x", &member, &err);
    char t1[AUTH_TOKEN_CHARS + 1], t2[AUTH_TOKEN_CHARS + 1];
    session_create(d, member, t1, &keep);
    session_create(d, member, t2, &other);
    CHECK(session_delete_others(d, member, keep) == RAATI_OK);
    CHECK(session_lookup(d, t1, NULL) == member);
    CHECK(session_lookup(d, t2, NULL) == 0);
    db_close(d);
}

int main(void)
{
    if (auth_init())
        return 1;
    RUN(passwords_verify);
    RUN(sessions_store_only_a_hash);
    RUN(password_change_ends_other_sessions);
    return CHECK_DONE();
}
