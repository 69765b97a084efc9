/* db.h: the SQLite connection: pragmas, migrations, cached statements and
 * transactions. One db per thread; the event loop owns the server's. */
#ifndef RAATI_DB_H
#define RAATI_DB_H

#include <sqlite3.h>

#include "error.h"

struct db_migration {
    const char *name; /* e.g. "001_members.sql" */
    const char *sql;
};
/* Generated from the schema folder by schema/embed.cmake, sorted by name. */
extern const struct db_migration db_migrations[];
extern const int db_migration_count;

typedef struct db db;

/* How long a statement waits for another process's lock. */
#define DB_BUSY_TIMEOUT_MS 5000

/* Opens (creating if needed, with its parent directory) the database at
 * path, sets WAL, synchronous=FULL, foreign keys and busy_timeout, and
 * applies pending migrations. ":memory:" works for tests. On failure *out is
 * NULL and err says why (a database newer than this binary is refused). */
raati_code db_open(db **out, const char *path, raati_error *err);
/* Finalizes cached statements and closes. Accepts NULL. */
void db_close(db *d);
sqlite3 *db_handle(db *d);

/* A prepared statement for sql, kept for the life of d and keyed by the
 * sql pointer (pass string literals). It comes reset with no bindings; the
 * caller calls sqlite3_reset() when done so no read stays open. NULL on a
 * prepare error, which is logged. */
sqlite3_stmt *db_prepare(db *d, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. rollback accepts being called when no
 * transaction is open. */
raati_code db_begin(db *d);
/* fn(ctx) is called at the start of every db_begin(): the server's commit
 * group (forum_routes.c) commits there before another transaction opens. */
void db_on_begin(db *d, void (*fn)(void *ctx), void *ctx);
/* BEGIN IMMEDIATE without calling the hook: the commit group's own. */
raati_code db_begin_group(db *d);
/* PRAGMA synchronous: 1 NORMAL (a commit writes the log but does not wait
 * for the disk), 2 FULL (the default here). Only outside a transaction. */
raati_code db_synchronous(db *d, int level);
raati_code db_commit(db *d);
/* SAVEPOINT change / RELEASE change / ROLLBACK TO change and RELEASE: one
 * change inside a larger transaction (the commit group). */
raati_code db_savepoint(db *d);
raati_code db_release(db *d);
void db_rollback_savepoint(db *d);
void db_rollback(db *d);
/* Runs sql (no results) outside the cache. */
raati_code db_exec(db *d, const char *sql);
/* PRAGMA user_version: the number of migrations applied. */
int db_schema_version(db *d);
/* 1 if a trivial query answers. */
int db_ping(db *d);

#endif
