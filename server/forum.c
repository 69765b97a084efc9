/* forum.c: see forum.h. */
#include "forum.h"

#include <sodium.h>

#include "log.h"

void forum_ctx_init(forum_ctx *f, db *d, const config *cfg, int64_t member_id, int role,
                    int64_t seq)
{
    f->db = d;
    f->cfg = cfg;
    f->member_id = member_id;
    f->role = role;
    f->now_ms = time_now_ms();
    time_iso(f->now_ms, f->now);
    f->seq = seq;
    f->replayed = 0;
}

raati_code forum_id(json_t *msg, const char *key, int required, int64_t *out, raati_error *err)
{
    json_t *v = json_object_get(msg, key);
    *out = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return raati_fail(err, RAATI_E_MISSING_FIELD, key, "%s is required", key);
        return RAATI_OK;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must be a positive whole number",
                          key);
    *out = json_integer_value(v);
    return RAATI_OK;
}

json_t *forum_col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? json_string((const char *)s) : json_null();
}

raati_code forum_exec(db *d, const char *sql, const int64_t *v, int n, const char *const *t, int nt,
                      const char *what, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save %s", what);
    for (int i = 0; i < n; i++)
        sqlite3_bind_int64(st, i + 1, v[i]);
    for (int i = 0; i < nt; i++)
        t[i] ? sqlite3_bind_text(st, n + i + 1, t[i], -1, SQLITE_TRANSIENT)
             : sqlite3_bind_null(st, n + i + 1);
    return forum_step(d, st, what, err);
}

raati_code forum_step(db *d, sqlite3_stmt *st, const char *what, raati_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return RAATI_OK;
    log_error("db.write_failed", "what=%s error=\"%s\"", what, sqlite3_errmsg(db_handle(d)));
    return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save %s", what);
}

int forum_due_ids(forum_ctx *f, const char *sql, int64_t *ids, int max)
{
    sqlite3_stmt *st = db_prepare(f->db, sql);
    int n = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, max);
    while (n < max && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

int64_t forum_last_seq(db *d)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq'");
    int64_t seq = 0;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        seq = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return seq;
}

raati_code forum_save_seq(db *d, int64_t seq, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(d, "UPDATE meta SET value = ? WHERE key = 'seq'");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the sequence");
    sqlite3_bind_int64(st, 1, seq);
    return forum_step(d, st, "the sequence", err);
}

raati_code forum_secret_key(forum_ctx *f, const char *insert_sql, int64_t id, raati_error *err)
{
    unsigned char key[32];
    sqlite3_stmt *st = db_prepare(f->db, insert_sql);
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the key");
    randombytes_buf(key, sizeof key);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob(st, 2, key, sizeof key, SQLITE_TRANSIENT);
    sodium_memzero(key, sizeof key);
    return forum_step(f->db, st, "the key", err);
}

int forum_secret_tag(db *d, const char *key_sql, int64_t id, int64_t member_id,
                     unsigned char tag[32])
{
    sqlite3_stmt *st = db_prepare(d, key_sql);
    int rc = -1;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        unsigned char mid[8];
        for (int i = 0; i < 8; i++)
            mid[i] = (unsigned char)((uint64_t)member_id >> (8 * i));
        rc = crypto_generichash(tag, 32, mid, sizeof mid, sqlite3_column_blob(st, 0), 32);
    }
    sqlite3_reset(st);
    return rc;
}

int64_t forum_random_id(void)
{
    return (int64_t)(((uint64_t)randombytes_random() << 31) ^ randombytes_random()) + 1;
}

int forum_close_due(forum_ctx *f, const char *due_sql, int (*close)(forum_ctx *, int64_t),
                    int64_t *ids, int max)
{
    int n = forum_due_ids(f, due_sql, ids, max), closed = 0;
    for (int i = 0; i < n; i++) {
        if (closed)
            f->seq++; /* each its own number, as periods */
        if (db_exec(f->db, "SAVEPOINT due_close"))
            break;
        if (!close(f, ids[i])) {
            db_exec(f->db, "RELEASE due_close");
            ids[closed++] = ids[i];
        } else {
            db_exec(f->db, "ROLLBACK TO due_close");
            db_exec(f->db, "RELEASE due_close");
            if (closed)
                f->seq--;
        }
    }
    return closed;
}

int64_t forum_next_due_ms(db *d, const char *sql)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    int64_t ms = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t[0] == '0')
            ms = 0;
        else if (time_parse_iso(t, &ms))
            ms = -1;
    }
    if (st)
        sqlite3_reset(st);
    return ms;
}

int64_t forum_member_row(db *d, int secret, const char *key_sql, const char *by_tag,
                         const char *by_member, int64_t owner, int64_t member_id)
{
    unsigned char tag[32];
    if (secret && forum_secret_tag(d, key_sql, owner, member_id, tag))
        return 0; /* the key is gone: nothing links the member to a row */
    sqlite3_stmt *st = db_prepare(d, secret ? by_tag : by_member);
    int64_t id = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, owner);
        if (secret)
            sqlite3_bind_blob(st, 2, tag, 32, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, 2, member_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    sodium_memzero(tag, sizeof tag);
    return id;
}

int64_t forum_member_age_ms(db *d, int64_t member_id, int64_t now_ms)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT created_at FROM member WHERE id = ?");
    int64_t joined = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, member_id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        time_parse_iso((const char *)sqlite3_column_text(st, 0), &joined);
    sqlite3_reset(st);
    return joined ? now_ms - joined : 0;
}

void forum_name_of(db *d, const char *sql, int64_t id, char name[256])
{
    sqlite3_stmt *st = db_prepare(d, sql);
    name[0] = '\0';
    if (!st)
        return;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(name, 256, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    raati_utf8_scrub(name);
}

json_t *forum_page(db *d, sqlite3_stmt *st, int limit, json_t *(*one)(db *, int64_t), int64_t *next)
{
    int64_t *ids = malloc(sizeof *ids * (size_t)(limit + 1));
    int n = 0;
    *next = 0;
    while (ids && n <= limit && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!ids)
        return NULL;
    if (n > limit) { /* one row more than asked: there is a next page */
        n--;
        *next = ids[n - 1];
    }
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        json_t *x = one(d, ids[i]);
        if (x)
            json_array_append_new(arr, x);
    }
    free(ids);
    return arr;
}
