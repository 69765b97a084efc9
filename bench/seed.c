/* seed.c: raati_seed, the benchmarks' database. Creates a fresh database
 * with the server's own code (migrations, member_create, session_create,
 * period_create, topic_create): N members, one open period with one topic,
 * and a session per member whose cookie tokens go to a file, one a line,
 * for the load generator.
 *
 *   raati_seed --db PATH --members N [--password PW --password-members K]
 *              --tokens FILE
 *
 * Prints {"period_id":..,"topic_id":..,"members":N} on stdout. Everything
 * is written in one transaction, so 15,000 members take a second or two. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "discussions.h"
#include "forum.h"
#include "log.h"
#include "members.h"
#include "periods.h"
#include "times.h"

#define DAY_MS (24 * 3600 * 1000LL)

static void usage(void)
{
    fprintf(stderr, "usage: raati_seed --db PATH --members N [--password PW "
                    "--password-members K] --tokens FILE\n");
    exit(2);
}

static long parse_count(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > 1000000)
        usage();
    return v;
}

/* Member i (from 1): bench<i>@raati.example, "Jäsen <i>". */
static int add_member(db *d, const config *cfg, long i, const char *hash, int64_t *id)
{
    registration reg;
    memset(&reg, 0, sizeof reg);
    snprintf(reg.email, sizeof reg.email, "bench%ld@raati.example", i);
    snprintf(reg.display_name, sizeof reg.display_name, "Jäsen %ld", i);
    reg.birth_year = 1950 + (int)(i % 55);
    snprintf(reg.municipality, sizeof reg.municipality, "%s",
             cfg->municipalities.items[i % cfg->municipalities.count].id);
    reg.language = LANG_FI;
    snprintf(reg.privacy_version, sizeof reg.privacy_version, "%s", cfg->privacy_version);
    raati_error err = {0};
    if (member_create(d, &reg, hash, id, &err)) {
        fprintf(stderr, "raati_seed: member %ld: %s\n", i, err.message);
        return -1;
    }
    return 0;
}

/* The open period ("Kuormitusjakso", open since an hour ago, ends in 30
 * days) and its one topic, opened by the first member acting as a
 * moderator. */
static int add_topic(db *d, const config *cfg, int64_t author, int64_t *period_id,
                     int64_t *topic_id)
{
    forum_ctx f;
    forum_ctx_init(&f, d, cfg, author, ROLE_MODERATOR, forum_last_seq(d) + 1);
    char starts[TIME_ISO_SIZE], ends[TIME_ISO_SIZE];
    time_iso(f.now_ms - DAY_MS / 24, starts);
    time_iso(f.now_ms + 30 * DAY_MS, ends);
    raati_error err = {0};
    json_t *msg = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", "Kuormitusjakso", "description",
                            "Suorituskykymittausten jakso.", "starts_at", starts, "ends_at", ends,
                            "status", "upcoming");
    raati_code rc = msg ? period_create(&f, msg, period_id, &err) : RAATI_E_INTERNAL;
    json_decref(msg);
    if (rc)
        goto fail;
    f.seq++;
    msg = json_pack("{s:I, s:s, s:s}", "period_id", (json_int_t)*period_id, "title",
                    "Kuormitustesti", "body", "Tässä ketjussa mitataan viestien välitystä.");
    int64_t opening;
    rc = msg ? topic_create(&f, msg, topic_id, &opening, &err) : RAATI_E_INTERNAL;
    json_decref(msg);
    if (rc || forum_save_seq(d, f.seq, &err))
        goto fail;
    return 0;
fail:
    fprintf(stderr, "raati_seed: period/topic: %s\n", err.message);
    return -1;
}

int main(int argc, char **argv)
{
    const char *db_path = NULL, *tokens_path = NULL, *password = NULL;
    long members = -1, password_members = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (!strcmp(argv[i], "--db"))
            db_path = argv[++i];
        else if (!strcmp(argv[i], "--tokens"))
            tokens_path = argv[++i];
        else if (!strcmp(argv[i], "--password"))
            password = argv[++i];
        else if (!strcmp(argv[i], "--members"))
            members = parse_count(argv[++i]);
        else if (!strcmp(argv[i], "--password-members"))
            password_members = parse_count(argv[++i]);
        else
            usage();
    }
    if (!db_path || !tokens_path || members < 1 || (password_members > 0 && !password))
        usage();
    log_set_level(LOG_WARN);

    config cfg;
    config_defaults(&cfg);
    raati_error err = {0};
    if (config_finish(&cfg, 8080, &err) || auth_init()) {
        fprintf(stderr, "raati_seed: could not initialise: %s\n", err.message);
        return 1;
    }
    /* Argon2id is slow on purpose: hash the password once and share it.
     * Members without the password get the dummy hash nothing matches. */
    char hash[AUTH_HASH_MAX];
    if (password && auth_hash_password(password, strlen(password), hash))
        return 1;

    db *d = NULL;
    if (db_open(&d, db_path, &err)) {
        fprintf(stderr, "raati_seed: %s: %s\n", db_path, err.message);
        return 1;
    }
    FILE *tokens = fopen(tokens_path, "w");
    if (!tokens) {
        fprintf(stderr, "raati_seed: %s: %s\n", tokens_path, strerror(errno));
        db_close(d);
        return 1;
    }
    int64_t first = 0, period_id = 0, topic_id = 0;
    if (db_begin(d))
        goto fail;
    for (long i = 1; i <= members; i++) {
        int64_t id, session;
        char token[AUTH_TOKEN_CHARS + 1];
        if (add_member(d, &cfg, i, i <= password_members ? hash : auth_dummy_hash(), &id) ||
            session_create(d, id, token, &session))
            goto fail;
        fprintf(tokens, "%s\n", token);
        if (i == 1)
            first = id;
    }
    /* They joined a month ago: not new members, whom stricter limits hold. */
    if (db_exec(d, "UPDATE member SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', "
                   "'-30 days'), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 days')") ||
        add_topic(d, &cfg, first, &period_id, &topic_id) || db_commit(d))
        goto fail;
    if (fclose(tokens)) {
        tokens = NULL;
        fprintf(stderr, "raati_seed: %s: %s\n", tokens_path, strerror(errno));
        goto fail_closed;
    }
    db_close(d);
    printf("{\"period_id\":%lld,\"topic_id\":%lld,\"members\":%ld}\n", (long long)period_id,
           (long long)topic_id, members);
    return 0;
fail:
    fclose(tokens);
fail_closed:
    db_rollback(d);
    db_close(d);
    fprintf(stderr, "raati_seed: seeding failed\n");
    return 1;
}
