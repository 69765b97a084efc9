/* demo.c: see demo.h. */
#include "demo.h"

#include <string.h>

#include "auth.h"
#include "log.h"
#include "members.h"

static const struct demo_login {
    const char *email, *name, *password, *role;
} logins[] = {
    {"jasen@raati.example", "Maija Asukas", "Asukas-2026!", "member"},
    {"moderaattori@raati.example", "Mikko Moderaattori", "Moderaattori-2026!", "moderator"},
    {"admin@raati.example", "Aino Ylläpitäjä", "Yllapito-2026!", "admin"},
};

/* Residents of the demo community; they sign in with the member password. */
static const struct demo_resident {
    const char *email, *name;
    int birth_year;
    const char *municipality, *interests;
} residents[] = {
    {"jasen@raati.example", "Maija Asukas", 1968, "hyvinkaa", "ikaihmiset,digipalvelut"},
    {"pekka@raati.example", "Pekka Virtanen", 1951, "jarvenpaa", "ikaihmiset,terveyspalvelut"},
    {"leena@raati.example", "Leena K.", 1984, "tuusula", "perhepalvelut,mielenterveys"},
    {"sara@raati.example", "Sara", 2009, "nurmijarvi", "mielenterveys,digipalvelut"},
    {"ahmed@raati.example", "Ahmed H.", 1990, "jarvenpaa", "perhepalvelut,digipalvelut"},
    {"tuula@raati.example", "Tuula Nieminen", 1947, "mantsala", "ikaihmiset,vammaispalvelut"},
    {"jussi@raati.example", "Jussi", 1976, "pornainen", "vammaispalvelut,terveyspalvelut"},
    {"emilia@raati.example", "Emilia Laine", 1999, "hyvinkaa", "mielenterveys,perhepalvelut"},
};

void demo_print_logins(FILE *out, const char *url)
{
    fprintf(out, "\nRaati demo community at %s\n", url);
    for (size_t i = 0; i < sizeof logins / sizeof logins[0]; i++)
        fprintf(out, "  %-10s %-30s password: %s\n", logins[i].role, logins[i].email,
                logins[i].password);
    fprintf(out, "\n");
    fflush(out);
}

static int meta_get(db *d, const char *key)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT 1 FROM meta WHERE key = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

static int insert_resident(db *d, const config *cfg, const struct demo_resident *r,
                           const char *hash)
{
    registration reg;
    memset(&reg, 0, sizeof reg);
    snprintf(reg.email, sizeof reg.email, "%s", r->email);
    snprintf(reg.display_name, sizeof reg.display_name, "%s", r->name);
    reg.birth_year = r->birth_year;
    /* A region configured with other municipalities gets its first one. */
    const config_item *m = config_find_item(&cfg->municipalities, r->municipality);
    snprintf(reg.municipality, sizeof reg.municipality, "%s",
             m ? m->id : cfg->municipalities.items[0].id);
    char list[128];
    snprintf(list, sizeof list, "%s", r->interests);
    char *save = NULL;
    for (char *id = strtok_r(list, ",", &save); id; id = strtok_r(NULL, ",", &save))
        if (config_find_item(&cfg->interest_areas, id))
            snprintf(reg.interests[reg.interest_count++], 32, "%s", id);
    reg.language = LANG_FI;
    snprintf(reg.privacy_version, sizeof reg.privacy_version, "%s", cfg->privacy_version);
    int64_t id;
    raati_error err = {0};
    if (member_create(d, &reg, hash, &id, &err)) {
        log_error("demo.seed_failed", "reason=\"%s\"", err.message);
        return -1;
    }
    return 0;
}

int demo_seed(db *d, const config *cfg)
{
    if (meta_get(d, "demo_seeded_at") > 0) {
        log_info("demo.kept", "reason=already_seeded");
        return 0;
    }
    if (member_count(d) > 0) {
        log_warn("demo.skipped", "reason=\"the database already has members\"");
        return 0;
    }
    char hashes[3][AUTH_HASH_MAX];
    for (int i = 0; i < 3; i++)
        if (auth_hash_password(logins[i].password, strlen(logins[i].password), hashes[i]))
            return -1;
    if (db_begin(d))
        return -1;
    raati_error err = {0};
    for (size_t i = 0; i < sizeof residents / sizeof residents[0]; i++)
        if (insert_resident(d, cfg, &residents[i], hashes[0]))
            goto fail;
    for (int i = 1; i < 3; i++)
        if (member_add_staff(d, logins[i].email, logins[i].name, role_parse(logins[i].role),
                             hashes[i], NULL, &err)) {
            log_error("demo.seed_failed", "reason=\"%s\"", err.message);
            goto fail;
        }
    if (db_exec(d, "INSERT INTO meta (key, value) "
                   "VALUES ('demo_seeded_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))") ||
        db_commit(d))
        goto fail;
    log_info("demo.seeded", "members=%zu", sizeof residents / sizeof residents[0] + 2);
    return 0;
fail:
    db_rollback(d);
    return -1;
}
