/* Migrations and the refusal of a newer database. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "db.h"

static void migrations_apply_in_order(void)
{
    db *d;
    raati_error err = {0};
    CHECK(db_open(&d, ":memory:", &err) == RAATI_OK);
    CHECK(db_schema_version(d) == db_migration_count);
    CHECK(db_migration_count >= 1);
    CHECK_STR(db_migrations[0].name, "001_members.sql");
    for (int i = 1; i < db_migration_count; i++)
        CHECK(strcmp(db_migrations[i - 1].name, db_migrations[i].name) < 0);
    CHECK(db_ping(d));
    db_close(d);
}

static void newer_database_is_refused(void)
{
    char path[] = "/tmp/raati-test-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    db *d;
    raati_error err = {0};
    CHECK(db_open(&d, path, &err) == RAATI_OK);
    CHECK(db_exec(d, "PRAGMA user_version = 999") == RAATI_OK);
    db_close(d);
    CHECK(db_open(&d, path, &err) != RAATI_OK);
    CHECK(d == NULL);
    CHECK(strstr(err.message, "999") != NULL);
    CHECK(strstr(err.message, "newer") != NULL);
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static void reopening_keeps_data(void)
{
    char path[] = "/tmp/raati-test-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    db *d;
    raati_error err = {0};
    db_open(&d, path, &err);
    CHECK(db_exec(d, "INSERT INTO meta (key, value) VALUES ('k', 'v')") == RAATI_OK);
    db_close(d);
    CHECK(db_open(&d, path, &err) == RAATI_OK);
    sqlite3_stmt *st = db_prepare(d, "SELECT value FROM meta WHERE key = 'k'");
    CHECK(st && sqlite3_step(st) == SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(st, 0), "v");
    sqlite3_reset(st);
    db_close(d);
    unlink(path);
}

int main(void)
{
    RUN(migrations_apply_in_order);
    RUN(newer_database_is_refused);
    RUN(reopening_keeps_data);
    return CHECK_DONE();
}
