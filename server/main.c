/* main.c: the raati command line: serve, user add, user role. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "members.h"
#include "moderation.h"

static void usage(FILE *out)
{
    fprintf(out, "raati " RAATI_VERSION " - resident participation in health and social services\n"
                 "\n"
                 "Usage:\n"
                 "  raati serve [options]          run the server\n"
                 "  raati user add --db PATH --email E --name N --role ROLE\n"
                 "                                 create an account\n"
                 "  raati user role --db PATH --email E --role ROLE\n"
                 "                                 change an account's role\n"
                 "  raati user password --db PATH --email E\n"
                 "                                 set a new password for someone who forgot\n"
                 "                                 theirs; ends all their sessions\n"
                 "  raati --help | --version\n"
                 "\n"
                 "Roles: member, moderator, admin. A password is read from the terminal, or\n"
                 "as one line of standard input; never from the command line.\n"
                 "\n"
                 "Options of serve (each also an environment variable):\n");
    config_print_help(out);
}

/* Reads a password: twice with echo off from a terminal, else one line of
 * stdin. Never from argv, so it stays out of ps and shell history. */
static int read_password(char *buf, size_t size)
{
    int tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    for (int round = 0; round < (tty ? 2 : 1); round++) {
        char *dst = round ? buf + size / 2 : buf;
        size_t cap = tty ? size / 2 : size;
        if (tty) {
            fprintf(stderr, round ? "Again: " : "Password: ");
            tcgetattr(STDIN_FILENO, &old);
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        char *got = fgets(dst, (int)cap, stdin);
        if (tty) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
            fprintf(stderr, "\n");
        }
        if (!got)
            return -1;
        dst[strcspn(dst, "\r\n")] = '\0';
    }
    if (tty && strcmp(buf, buf + size / 2)) {
        fprintf(stderr, "raati: the passwords differ\n");
        return -1;
    }
    return 0;
}

/* Reads a new password and hashes it into hash; prints why not on failure. */
static int new_password_hash(char hash[AUTH_HASH_MAX])
{
    char password[2 * (AUTH_PASSWORD_MAX + 2)];
    raati_error err = {0};
    if (read_password(password, sizeof password)) {
        fprintf(stderr, "raati: no password given\n");
        return -1;
    }
    size_t len = strlen(password);
    int rc =
        member_check_password(len, "password", &err) || auth_hash_password(password, len, hash);
    sodium_memzero(password, sizeof password);
    if (rc)
        fprintf(stderr, "raati: %s\n",
                err.message[0] ? err.message : "could not hash the password");
    return rc ? -1 : 0;
}

struct user_args {
    const char *db, *email, *name, *role_name;
    int role;
};

/* Writes the audit entry of a command-line change to the member with
 * email (the actor is the command line). */
static void cli_audit(db *d, const char *action, const char *email, json_t *details)
{
    forum_ctx f;
    raati_error err = {0};
    char norm[256];
    int64_t id = 0;
    char name[128] = "";
    forum_ctx_init(&f, d, NULL, 0, ROLE_ADMIN, 0);
    if (member_normalize_email(email, norm, &err))
        return;
    sqlite3_stmt *st = db_prepare(d, "SELECT id, display_name FROM member WHERE email = ?");
    if (st) {
        sqlite3_bind_text(st, 1, norm, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 1));
        }
        sqlite3_reset(st);
    }
    if (audit_add(&f, action, "member", id, name, "", details, &err))
        fprintf(stderr, "raati: could not write the audit log: %s\n", err.message);
}

static int user_add(db *d, const struct user_args *u)
{
    char hash[AUTH_HASH_MAX];
    raati_error err = {0};
    int64_t id;
    if (new_password_hash(hash))
        return 1;
    if (member_add_staff(d, u->email, u->name, u->role, hash, &id, &err)) {
        fprintf(stderr, "raati: %s\n", err.message);
        return 1;
    }
    json_t *details = json_pack("{s:s}", "role", role_name(u->role));
    cli_audit(d, "user.add", u->email, details);
    json_decref(details);
    printf("Added %s (%s) as %s, member id %lld.\n", u->email, u->name, role_name(u->role),
           (long long)id);
    return 0;
}

static int user_role(db *d, const struct user_args *u)
{
    raati_error err = {0};
    if (member_set_role(d, u->email, u->role, &err)) {
        fprintf(stderr, "raati: %s\n", err.message);
        return 1;
    }
    json_t *details = json_pack("{s:s}", "to", role_name(u->role));
    cli_audit(d, "user.role", u->email, details);
    json_decref(details);
    printf("%s is now %s.\n", u->email, role_name(u->role));
    return 0;
}

static int user_password(db *d, const struct user_args *u)
{
    char email[256], hash[AUTH_HASH_MAX], old_hash[AUTH_HASH_MAX];
    raati_error err = {0};
    int64_t id;
    if (member_normalize_email(u->email, email, &err) ||
        member_login_info(d, email, &id, old_hash)) {
        fprintf(stderr, "raati: no member has the email %s\n", u->email);
        return 1;
    }
    if (new_password_hash(hash))
        return 1;
    /* Every session ends: whoever forgot the password may not be the only
     * one who had it. */
    if (db_begin(d) || member_set_password(d, id, hash) || session_delete_others(d, id, 0) ||
        db_commit(d)) {
        db_rollback(d);
        fprintf(stderr, "raati: could not save the password\n");
        return 1;
    }
    cli_audit(d, "user.password", email, NULL);
    printf("New password set for %s; their sessions have ended.\n", email);
    return 0;
}

static int cmd_user(int argc, char **argv)
{
    static const struct {
        const char *name;
        const char *const opts[5];
        int (*run)(db *d, const struct user_args *u);
    } subs[] = {
        {"add", {"--db", "--email", "--name", "--role", NULL}, user_add},
        {"role", {"--db", "--email", "--role", NULL}, user_role},
        {"password", {"--db", "--email", NULL}, user_password},
    };
    int k = -1;
    for (int i = 0; argc > 0 && i < 3; i++)
        if (!strcmp(argv[0], subs[i].name))
            k = i;
    if (k < 0) {
        fprintf(stderr, "raati: unknown command 'user %s'\nSee raati --help.\n",
                argc > 0 ? argv[0] : "");
        return 2;
    }
    argc--;
    argv++;
    /* Every option is required and takes a value. */
    for (int i = 0; i < argc; i += 2) {
        int known = 0;
        for (const char *const *o = subs[k].opts; *o; o++)
            known |= !strcmp(argv[i], *o);
        if (!known || i + 1 >= argc) {
            fprintf(stderr, "raati: %s '%s'\n", known ? "missing a value after" : "unknown option",
                    argv[i]);
            return 2;
        }
    }
    struct user_args u = {0};
    for (const char *const *o = subs[k].opts; *o; o++) {
        const char *v = NULL;
        for (int i = 0; i + 1 < argc; i += 2)
            if (!strcmp(argv[i], *o))
                v = argv[i + 1];
        if (!v) {
            fprintf(stderr, "raati: user %s needs %s\n", subs[k].name, *o);
            return 2;
        }
        if (!strcmp(*o, "--db"))
            u.db = v;
        else if (!strcmp(*o, "--email"))
            u.email = v;
        else if (!strcmp(*o, "--name"))
            u.name = v;
        else
            u.role_name = v;
    }
    if (u.role_name && (u.role = role_parse(u.role_name)) < 0) {
        fprintf(stderr, "raati: role must be member, moderator or admin, not '%s'\n", u.role_name);
        return 2;
    }
    if (auth_init()) {
        fprintf(stderr, "raati: libsodium failed to start\n");
        return 1;
    }
    raati_error err = {0};
    db *d;
    if (db_open(&d, u.db, &err)) {
        fprintf(stderr, "raati: %s\n", err.message);
        return 1;
    }
    int status = subs[k].run(d, &u);
    db_close(d);
    return status;
}

static int cmd_serve(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    config cfg;
    raati_error err = {0};
    config_defaults(&cfg);
    if (config_from_env(&cfg, &err) || config_from_args(&cfg, argc, argv, &err)) {
        fprintf(stderr, "raati: %s\nSee raati --help.\n", err.message);
        return 2;
    }
    int level = log_level_parse(cfg.log_level);
    if (level < 0) {
        fprintf(stderr, "raati: log level must be debug, info, warn or error\n");
        return 2;
    }
    log_set_level((log_level)level);
    return app_serve(&cfg);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("raati " RAATI_VERSION "\n");
        return 0;
    }
    if (!strcmp(argv[1], "serve"))
        return cmd_serve(argc - 2, argv + 2);
    if (!strcmp(argv[1], "user"))
        return cmd_user(argc - 2, argv + 2);
    fprintf(stderr, "raati: unknown command '%s'\nSee raati --help.\n", argv[1]);
    return 2;
}
