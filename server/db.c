/* db.c: see db.h. */
#include "db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#define DB_CACHE_MAX 256

struct db {
    sqlite3 *h;
    void (*on_begin)(void *ctx); /* db_on_begin() */
    void *on_begin_ctx;
    int cached;
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[DB_CACHE_MAX];
};

sqlite3 *db_handle(db *d)
{
    return d->h;
}

raati_code db_exec(db *d, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("db.exec_failed", "error=\"%s\"", msg ? msg : "?");
        sqlite3_free(msg);
        return RAATI_E_INTERNAL;
    }
    return RAATI_OK;
}

int db_schema_version(db *d)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(d->h, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int db_ping(db *d)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT 1");
    int ok = st && sqlite3_step(st) == SQLITE_ROW;
    if (st)
        sqlite3_reset(st);
    return ok;
}

static raati_code migrate(db *d, raati_error *err)
{
    int have = db_schema_version(d);
    if (have < 0)
        return raati_fail(err, RAATI_E_INTERNAL, "db", "cannot read the schema version: %s",
                          sqlite3_errmsg(d->h));
    if (have > db_migration_count)
        return raati_fail(err, RAATI_E_INTERNAL, "db",
                          "the database has schema version %d, newer than this raati "
                          "(version " RAATI_VERSION ", schema version %d): upgrade raati "
                          "or restore a backup made by this version",
                          have, db_migration_count);
    for (int i = have; i < db_migration_count; i++) {
        char *msg = NULL;
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", i + 1);
        if (sqlite3_exec(d->h, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(d->h, db_migrations[i].sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(d->h, pragma, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(d->h, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            raati_fail(err, RAATI_E_INTERNAL, "db", "migration %s failed: %s",
                       db_migrations[i].name, msg ? msg : sqlite3_errmsg(d->h));
            sqlite3_free(msg);
            sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
            return RAATI_E_INTERNAL;
        }
        log_info("db.migrated", "migration=%s schema_version=%d", db_migrations[i].name, i + 1);
    }
    return RAATI_OK;
}

/* Creates the directory holding path, one level, if it is missing. */
static void make_parent_dir(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return;
    *slash = '\0';
    if (mkdir(dir, 0750) == 0)
        log_info("db.created_dir", "dir=%s", dir);
}

raati_code db_open(db **out, const char *path, raati_error *err)
{
    *out = NULL;
    db *d = calloc(1, sizeof *d);
    if (!d)
        return raati_fail(err, RAATI_E_INTERNAL, "db", "out of memory");
    if (strcmp(path, ":memory:"))
        make_parent_dir(path);
    /* No allocation statistics: they take a global mutex on every one of
     * SQLite's mallocs. (Refused once SQLite is initialized; harmless.) */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    /* A connection is only ever used by the thread that opened it (the
     * event loop), so it needs no mutex of its own. */
    if (sqlite3_open_v2(path, &d->h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        raati_fail(err, RAATI_E_INTERNAL, "db", "cannot open database %s: %s", path,
                   d->h ? sqlite3_errmsg(d->h) : "out of memory");
        db_close(d);
        return RAATI_E_INTERNAL;
    }
    sqlite3_extended_result_codes(d->h, 1);
    sqlite3_busy_timeout(d->h, DB_BUSY_TIMEOUT_MS);
    /* FULL: an acknowledged write survives power loss, not only a crash of
     * the process; docs/architecture.md explains the choice. */
    if (db_exec(d, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                   "PRAGMA foreign_keys=ON; PRAGMA trusted_schema=OFF; "
                   /* Deleted content is overwritten, so a closed secret
                    * poll's erased voter tags leave no trace in the file. */
                   "PRAGMA secure_delete=ON") ||
        migrate(d, err)) {
        if (err && err->code == RAATI_OK)
            raati_fail(err, RAATI_E_INTERNAL, "db", "cannot set up database %s: %s", path,
                       sqlite3_errmsg(d->h));
        db_close(d);
        return err ? err->code : RAATI_E_INTERNAL;
    }
    *out = d;
    return RAATI_OK;
}

void db_close(db *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->cached; i++)
        sqlite3_finalize(d->cache[i].stmt);
    sqlite3_close(d->h);
    free(d);
}

sqlite3_stmt *db_prepare(db *d, const char *sql)
{
    for (int i = 0; i < d->cached; i++)
        if (d->cache[i].sql == sql) {
            sqlite3_reset(d->cache[i].stmt);
            sqlite3_clear_bindings(d->cache[i].stmt);
            return d->cache[i].stmt;
        }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("db.prepare_failed", "error=\"%s\"", sqlite3_errmsg(d->h));
        return NULL;
    }
    /* The cache is sized for every statement in the code base; running out
     * means DB_CACHE_MAX needs raising, not a silent leak per call. */
    if (d->cached == DB_CACHE_MAX) {
        log_error("db.cache_full", "max=%d", DB_CACHE_MAX);
        sqlite3_finalize(st);
        return NULL;
    }
    d->cache[d->cached].sql = sql;
    d->cache[d->cached].stmt = st;
    d->cached++;
    return st;
}

void db_on_begin(db *d, void (*fn)(void *ctx), void *ctx)
{
    d->on_begin = fn;
    d->on_begin_ctx = ctx;
}

/* Runs one cached statement that returns no rows. */
static raati_code run(db *d, const char *sql)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    if (!st)
        return RAATI_E_INTERNAL;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("db.exec_failed", "error=\"%s\"", sqlite3_errmsg(d->h));
        return RAATI_E_INTERNAL;
    }
    return RAATI_OK;
}

raati_code db_begin(db *d)
{
    if (d->on_begin)
        d->on_begin(d->on_begin_ctx);
    return run(d, "BEGIN IMMEDIATE");
}
raati_code db_begin_group(db *d)
{
    return run(d, "BEGIN IMMEDIATE");
}
raati_code db_synchronous(db *d, int level)
{
    return run(d, level == 1 ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
}
raati_code db_commit(db *d)
{
    return run(d, "COMMIT");
}
raati_code db_savepoint(db *d)
{
    return run(d, "SAVEPOINT change");
}
raati_code db_release(db *d)
{
    return run(d, "RELEASE change");
}
void db_rollback_savepoint(db *d)
{
    if (run(d, "ROLLBACK TO change") == RAATI_OK)
        run(d, "RELEASE change");
}
void db_rollback(db *d)
{
    if (!sqlite3_get_autocommit(d->h))
        sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
}
