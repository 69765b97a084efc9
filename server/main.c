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

static void usage(FILE *out)
{
    fprintf(out, "raati " RAATI_VERSION " - resident participation in health and social services\n"
                 "\n"
                 "Usage:\n"
                 "  raati serve [options]          run the server\n"
                 "  raati user add --db PATH --email E --name N --role ROLE\n"
                 "                                 create an account; the password is read from\n"
                 "                                 the terminal, or one line of standard input\n"
                 "  raati user role --db PATH --email E --role ROLE\n"
                 "                                 change an account's role\n"
                 "  raati --help | --version\n"
                 "\n"
                 "Roles: member, moderator, admin.\n"
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

/* Finds --name value pairs for the user commands. */
static const char *arg(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return NULL;
}

static int check_args(int argc, char **argv, const char *const *allowed)
{
    for (int i = 0; i < argc; i += 2) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= !strcmp(argv[i], *a);
        if (!ok || i + 1 >= argc) {
            fprintf(stderr, "raati: %s '%s'\n", ok ? "missing a value after" : "unknown option",
                    argv[i]);
            return -1;
        }
    }
    return 0;
}

static int cmd_user(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[0];
    argc--;
    argv++;
    static const char *const add_opts[] = {"--db", "--email", "--name", "--role", NULL};
    static const char *const role_opts[] = {"--db", "--email", "--role", NULL};
    int add = !strcmp(sub, "add");
    if (!add && strcmp(sub, "role")) {
        fprintf(stderr, "raati: unknown command 'user %s'\n", sub);
        return 2;
    }
    if (check_args(argc, argv, add ? add_opts : role_opts))
        return 2;
    const char *path = arg(argc, argv, "--db"), *email = arg(argc, argv, "--email"),
               *name = arg(argc, argv, "--name"), *role_s = arg(argc, argv, "--role");
    if (!path || !email || !role_s || (add && !name)) {
        fprintf(stderr, "raati: user %s needs --db, --email%s and --role\n", sub,
                add ? ", --name" : "");
        return 2;
    }
    int role = role_parse(role_s);
    if (role < 0) {
        fprintf(stderr, "raati: role must be member, moderator or admin, not '%s'\n", role_s);
        return 2;
    }
    if (auth_init()) {
        fprintf(stderr, "raati: libsodium failed to start\n");
        return 1;
    }
    raati_error err = {0};
    db *d;
    if (db_open(&d, path, &err)) {
        fprintf(stderr, "raati: %s\n", err.message);
        return 1;
    }
    int status = 1;
    if (add) {
        char password[2 * (AUTH_PASSWORD_MAX + 2)];
        char hash[AUTH_HASH_MAX];
        size_t len;
        if (read_password(password, sizeof password)) {
            fprintf(stderr, "raati: no password given\n");
            goto out;
        }
        len = strlen(password);
        if (member_check_password(len, "password", &err) ||
            auth_hash_password(password, len, hash)) {
            sodium_memzero(password, sizeof password);
            fprintf(stderr, "raati: %s\n",
                    err.message[0] ? err.message : "could not hash the password");
            goto out;
        }
        sodium_memzero(password, sizeof password);
        int64_t id;
        if (member_add_staff(d, email, name, role, hash, &id, &err)) {
            fprintf(stderr, "raati: %s\n", err.message);
            goto out;
        }
        printf("Added %s (%s) as %s, member id %lld.\n", email, name, role_name(role),
               (long long)id);
    } else {
        if (member_set_role(d, email, role, &err)) {
            fprintf(stderr, "raati: %s\n", err.message);
            goto out;
        }
        printf("%s is now %s.\n", email, role_name(role));
    }
    status = 0;
out:
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
