/* demo.c: see demo.h. */
#include "demo.h"

#include <string.h>

#include "actions.h"
#include "auth.h"
#include "discussions.h"
#include "log.h"
#include "members.h"
#include "moderation.h"
#include "periods.h"
#include "polls.h"
#include "reports.h"
#include "results.h"
#include "surveys.h"
#include "words.h"

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

#include "demo_forum.inc"

#define DEMO_FORUM_SEEDED                                                                          \
    "INSERT INTO meta (key, value) "                                                               \
    "VALUES ('demo_forum_seeded_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"

static int64_t period_count(db *d)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT count(*) FROM period");
    int64_t n = 0;
    if (!st)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

#define HOUR_MS (3600 * 1000LL)
#define DAY_MS (24 * HOUR_MS)

static int64_t member_id_of(db *d, const char *email)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT id FROM member WHERE email = ?");
    int64_t id = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

/* The one id sql (?1 bound to id) selects, or 0. */
static int64_t one_id(db *d, const char *sql, int64_t id)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    int64_t v = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return v;
}

/* Acts as author at hours_ago with the next sequence number. */
static void act_as(forum_ctx *f, int64_t member, int role, int64_t base_ms, double hours_ago)
{
    f->member_id = member;
    f->role = role;
    f->now_ms = base_ms - (int64_t)(hours_ago * HOUR_MS);
    time_iso(f->now_ms, f->now);
    f->seq++;
}

static int64_t demo_period(forum_ctx *f, const char *title, const char *description,
                           const char *prematerial, int64_t starts_ms, int64_t ends_ms,
                           const char *areas)
{
    char starts[TIME_ISO_SIZE], ends[TIME_ISO_SIZE];
    time_iso(starts_ms, starts);
    time_iso(ends_ms, ends);
    json_t *msg = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "title", title, "description",
                            description, "prematerial", prematerial, "starts_at", starts, "ends_at",
                            ends, "status", "upcoming", "interest_areas", areas);
    int64_t id = 0;
    raati_error err = {0};
    if (!msg || period_create(f, msg, &id, &err)) {
        log_error("demo.seed_failed", "reason=\"period: %s\"", err.message);
        id = 0;
    }
    json_decref(msg);
    return id;
}

#include "demo_results.inc"

/* A short survey in the open period, answered by four members (and half
 * answered by a fifth). */
static int seed_survey(forum_ctx *f, const int64_t *people, int64_t period_id, int64_t now,
                       raati_error *err)
{
    act_as(f, people[MOD], ROLE_MODERATOR, now, 120);
    json_t *msg = json_pack(
        "{s:I, s:s, s:s, s:b, s:b, s:[{s:s, s:s, s:b, s:{s:i, s:i, s:s, s:s}}, "
        "{s:s, s:s, s:s, s:[s, s, s, s]}, {s:s, s:s, s:s}, {s:s, s:s}]}",
        "period_id", (json_int_t)period_id, "title", "Potilasohjeet omassa arjessasi", "intro",
        "Neljä lyhyttä kysymystä siitä, miten luet potilasohjeita. Vastaaminen vie pari "
        "minuuttia, ja voit tallentaa vastauksesi ja jatkaa myöhemmin.",
        "secret", 1, "allow_edit", 1, "questions", "kind", "scale", "text",
        "Kuinka helppoa potilasohjeiden lukeminen on sinulle yleensä?", "required", 1, "scale",
        "min", 1, "max", 5, "min_label", "Hyvin vaikeaa", "max_label", "Hyvin helppoa", "kind",
        "multiple", "text", "Missä muodossa luet ohjeita mieluiten?", "help",
        "Valitse kaikki sopivat.", "options", "Paperilla", "Omaolossa tai muussa verkkopalvelussa",
        "Puhelimen viestinä", "Joku lukee ne kanssani", "kind", "short_text", "text",
        "Mikä sana ohjeissa on jäänyt sinulle epäselväksi?", "help",
        "Esimerkiksi lääketieteellinen termi tai lyhenne.", "kind", "long_text", "text",
        "Kerro tilanteesta, jossa ohje auttoi tai ei auttanut.");
    int64_t survey = 0, ignored;
    int submitted;
    raati_code rc = msg ? survey_create(f, msg, &survey, err) : RAATI_E_INTERNAL;
    json_decref(msg);
    act_as(f, people[MOD], ROLE_MODERATOR, now, 119);
    if (rc || (rc = survey_transition(f, survey, "open", err)))
        return -1;
    json_t *sv = survey_json(f->db, survey, NULL);
    json_t *qs = json_object_get(sv, "questions");
    int64_t q[4], first_option = 0;
    for (int i = 0; i < 4; i++)
        q[i] = json_integer_value(json_object_get(json_array_get(qs, (size_t)i), "id"));
    first_option = json_integer_value(json_object_get(
        json_array_get(json_object_get(json_array_get(qs, 1), "options"), 0), "id"));
    json_decref(sv);
    static const struct {
        int scale, picks[2];
        const char *word, *story;
        int submit;
    } answers[] = {
        {4, {0, 1}, "paastota", NULL, 1},
        {2,
         {3, -1},
         "vasta-aihe",
         "Leikkausohjeessa luki, että verenohennus tauotetaan, mutta "
         "ei sitä, kuka siitä päättää. Soitin kolmesti.",
         1},
        {5, {1, 2}, NULL, "Kuvat siitä, mistä ovesta mennään sisään, auttoivat paljon.", 1},
        {3, {0, -1}, "NPO", NULL, 1},
        {4, {1, -1}, NULL, NULL, 0}};
    for (int i = 0; i < 5; i++) {
        act_as(f, people[i + 2], ROLE_MEMBER, now, 100 - 15 * i);
        json_t *a = json_object(), *picks = json_array();
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)q[0]);
        json_object_set_new(a, key, json_integer(answers[i].scale));
        for (int k = 0; k < 2 && answers[i].picks[k] >= 0; k++)
            json_array_append_new(picks, json_integer(first_option + answers[i].picks[k]));
        snprintf(key, sizeof key, "%lld", (long long)q[1]);
        json_object_set_new(a, key, picks);
        snprintf(key, sizeof key, "%lld", (long long)q[2]);
        if (answers[i].word)
            json_object_set_new(a, key, json_string(answers[i].word));
        snprintf(key, sizeof key, "%lld", (long long)q[3]);
        if (answers[i].story)
            json_object_set_new(a, key, json_string(answers[i].story));
        msg = json_pack("{s:I, s:o}", "survey_id", (json_int_t)survey, "answers", a);
        rc = msg ? survey_answer(f, msg, answers[i].submit, &ignored, &submitted, err)
                 : RAATI_E_INTERNAL;
        json_decref(msg);
        if (rc)
            return -1;
    }
    return 0;
}

/* Three activity periods: one open with lively threads, one upcoming and
 * one closed, as a region would have them in the middle of a season. */
/* The moderators' side: a watched word, an earlier report kept, one
 * report waiting in the queue, and their audit entries (with the
 * periods' creation). */
static int seed_moderation(forum_ctx *f, const int64_t *people, const int64_t *periods,
                           int64_t topic, int64_t now, raati_error *err)
{
    static const char *const period_titles[] = {"Hyvä potilasohje", "Terveysaseman ajanvaraus"};
    for (int i = 0; i < 2; i++) {
        act_as(f, people[MOD], ROLE_MODERATOR, now, 150 - i);
        json_t *fields = json_pack("{s:[s, s, s, s, s]}", "fields", "title", "description",
                                   "starts_at", "ends_at", "interest_areas");
        raati_code rc =
            audit_add(f, "period.create", "period", periods[i], period_titles[i], "", fields, err);
        json_decref(fields);
        if (rc)
            return -1;
    }
    act_as(f, people[MOD], ROLE_MODERATOR, now, 140);
    json_t *msg =
        json_pack("{s:s, s:s, s:s}", "word", "idioot*", "action", "replace", "replacement", "***");
    int64_t id;
    raati_code rc = msg ? word_add(f, msg, &id, err) : RAATI_E_INTERNAL;
    json_decref(msg);
    if (rc)
        return -1;
    /* Two posts that members reported: one kept, one still waiting. */
    static const struct {
        int author, reporters[2];
        const char *body, *reason, *text, *kept;
        double hours_ago;
    } reported[] = {
        {6,
         {2, 5},
         "Turha näistä ohjeista on puhua, kun kukaan ei kuitenkaan lue niitä. Koko jakso on "
         "ajanhukkaa.",
         "asiaton",
         "",
         "Jyrkkä, mutta asiallinen mielipide aiheesta.",
         30},
        {3,
         {1, 4},
         "Tilaa suolistoa puhdistava yrttikuuri ennen tähystystä, -50 % koodilla RAATI: "
         "www.yrttikauppa.example",
         "roskaposti",
         "Mainos, ei liity keskusteluun.",
         NULL,
         5},
    };
    for (int i = 0; i < 2; i++) {
        int64_t post, item;
        act_as(f, people[reported[i].author], ROLE_MEMBER, now, reported[i].hours_ago);
        msg = json_pack("{s:I, s:s}", "topic_id", (json_int_t)topic, "body", reported[i].body);
        rc = msg ? post_create(f, msg, &post, err) : RAATI_E_INTERNAL;
        json_decref(msg);
        for (int k = 0; k < 2 && !rc; k++) {
            act_as(f, people[reported[i].reporters[k]], ROLE_MEMBER, now,
                   reported[i].hours_ago - 1 - k);
            msg = json_pack("{s:I, s:s, s:s}", "post_id", (json_int_t)post, "reason",
                            reported[i].reason, "text", k ? "" : reported[i].text);
            rc = msg ? report_create(f, msg, &item, err) : RAATI_E_INTERNAL;
            json_decref(msg);
        }
        if (!rc && reported[i].kept) {
            act_as(f, people[MOD], ROLE_MODERATOR, now, reported[i].hours_ago - 4);
            msg = json_pack("{s:I, s:s, s:s}", "item_id", (json_int_t)item, "action", "keep",
                            "reason", reported[i].kept);
            int64_t post_id;
            const char *event;
            int created;
            rc = msg ? queue_act(f, msg, &item, &post_id, &event, &created, err) : RAATI_E_INTERNAL;
            json_decref(msg);
        }
        if (rc)
            return -1;
    }
    return 0;
}

static int seed_forum(db *d, const config *cfg)
{
    int64_t people[9], now = time_now_ms();
    for (int i = 0; i < 8; i++)
        people[i] = member_id_of(d, residents[i].email);
    people[MOD] = member_id_of(d, logins[1].email);
    /* The demo's members joined today: they are seeded as if they had
     * been here long enough not to be pre-moderated. */
    config seed_cfg = *cfg;
    seed_cfg.premoderate_days = 0;
    forum_ctx f;
    forum_ctx_init(&f, d, &seed_cfg, people[MOD], ROLE_MODERATOR, 0);
    raati_error err = {0};
    int64_t periods[2];
    act_as(&f, people[MOD], ROLE_MODERATOR, now, 0);
    periods[0] =
        demo_period(&f, "Hyvä potilasohje",
                    "Millainen on potilasohje, jonka ymmärtää ensimmäisellä lukukerralla?\n\n"
                    "Hyvinvointialue uudistaa tutkimuksiin ja toimenpiteisiin valmistavia ohjeita. "
                    "Tällä jaksolla kerätään asukkaiden kokemuksia: **mikä ohjeissa auttaa, mikä "
                    "hämmentää ja mitä niistä puuttuu**. Keskustelujen tulokset viedään ohjeita "
                    "kirjoittavalle tiimille, ja kerromme tulossivulla, mitä niille tehtiin.",
                    "Lue ennen keskustelua esimerkkiohje *Suolen tähystykseen valmistautuminen* "
                    "(2 sivua). Kiinnitä huomiota:\n\n"
                    "- mitä pitää tehdä ja milloin\n- mitä sanoja et ymmärtänyt\n"
                    "- mistä saat apua, jos jokin on epäselvää",
                    now - 6 * DAY_MS, now + 15 * DAY_MS, "terveyspalvelut");
    act_as(&f, people[MOD], ROLE_MODERATOR, now, 0);
    int64_t upcoming =
        demo_period(&f, "Digipalvelut arjessa",
                    "Omaolo, chat ja etävastaanotto: mikä niissä toimii ja missä tarvitsette apua? "
                    "Jakso avautuu pian; ilmoittaudu mukaan valitsemalla kiinnostuksen kohteeksi "
                    "digipalvelut.",
                    "", now + 9 * DAY_MS, now + 30 * DAY_MS, "digipalvelut");
    act_as(&f, people[MOD], ROLE_MODERATOR, now, 0);
    periods[1] = demo_period(&f, "Terveysaseman ajanvaraus",
                             "Miten ajan saaminen terveysasemalle sujuu, ja mitä "
                             "siinä pitäisi muuttaa?",
                             "", now - 60 * DAY_MS, now + DAY_MS, "terveyspalvelut");
    if (!periods[0] || !upcoming || !periods[1])
        return -1;

    int64_t topics[sizeof demo_topics / sizeof demo_topics[0]];
    int64_t posts[sizeof demo_posts / sizeof demo_posts[0]];
    for (size_t i = 0; i < sizeof demo_topics / sizeof demo_topics[0]; i++) {
        const struct demo_topic *t = &demo_topics[i];
        act_as(&f, people[t->author], ROLE_MODERATOR, now, t->hours_ago);
        json_t *msg = json_pack("{s:I, s:s, s:s}", "period_id", (json_int_t)periods[t->period],
                                "title", t->title, "body", t->body);
        int64_t opening;
        raati_code rc = msg ? topic_create(&f, msg, &topics[i], &opening, &err) : RAATI_E_INTERNAL;
        json_decref(msg);
        if (rc)
            goto fail;
    }
    for (size_t i = 0; i < sizeof demo_posts / sizeof demo_posts[0]; i++) {
        const struct demo_post *p = &demo_posts[i];
        act_as(&f, people[p->author], p->author == MOD ? ROLE_MODERATOR : ROLE_MEMBER, now,
               p->hours_ago);
        json_t *msg =
            json_pack("{s:I, s:s}", "topic_id", (json_int_t)topics[p->topic], "body", p->body);
        if (msg && p->parent >= 0)
            json_object_set_new(msg, "parent_id", json_integer(posts[p->parent]));
        raati_code rc = msg ? post_create(&f, msg, &posts[i], &err) : RAATI_E_INTERNAL;
        json_decref(msg);
        if (rc)
            goto fail;
    }
    for (size_t i = 0; i < sizeof demo_reactions / sizeof demo_reactions[0]; i++) {
        const struct demo_reaction *r = &demo_reactions[i];
        act_as(&f, people[r->member], ROLE_MEMBER, now, demo_posts[r->post].hours_ago - 1);
        json_t *msg =
            json_pack("{s:I, s:s}", "post_id", (json_int_t)posts[r->post], "reaction", r->kind);
        json_t *reply = json_object();
        int changed;
        const char *kind;
        raati_code rc = msg && reply ? reaction_set(&f, msg, 1, reply, &changed, &kind, &err)
                                     : RAATI_E_INTERNAL;
        json_decref(msg);
        json_decref(reply);
        if (rc)
            goto fail;
    }
    /* A live poll in the open period, on its first topic, with some votes. */
    act_as(&f, people[MOD], ROLE_MODERATOR, now, 100);
    json_t *msg =
        json_pack("{s:I, s:I, s:s, s:s, s:s, s:[s, s, s, s, s], s:i, s:i, s:s, s:b}", "period_id",
                  (json_int_t)periods[0], "topic_id", (json_int_t)topics[0], "question",
                  "Mikä tekee potilasohjeesta hyvän?", "help", "Valitse enintään kolme tärkeintä.",
                  "kind", "multiple", "options", "Selkeä, arkinen kieli", "Kuvat ja piirrokset",
                  "Aikataulu kellonaikoina", "Yhteystiedot heti alussa", "Selkokielinen versio",
                  "min_picks", 1, "max_picks", 3, "results_visibility", "always", "secret", 1);
    int64_t poll = 0;
    raati_code prc = msg ? poll_create(&f, msg, &poll, &err) : RAATI_E_INTERNAL;
    json_decref(msg);
    if (prc)
        goto fail;
    static const int picks[][3] = {{0, 2, 3},  {0, 1, -1}, {1, 4, -1},
                                   {0, 3, -1}, {0, 2, 4},  {3, -1, -1}};
    int64_t first_option = 0;
    sqlite3_stmt *fo = db_prepare(d, "SELECT min(id) FROM poll_option WHERE poll_id = ?");
    if (fo) {
        sqlite3_bind_int64(fo, 1, poll);
        if (sqlite3_step(fo) == SQLITE_ROW)
            first_option = sqlite3_column_int64(fo, 0);
        sqlite3_reset(fo);
    }
    for (int i = 0; i < 6; i++) {
        act_as(&f, people[i + 1], ROLE_MEMBER, now, 90 - 10 * i);
        json_t *answer = json_array();
        for (int k = 0; k < 3 && picks[i][k] >= 0; k++)
            json_array_append_new(answer, json_integer(first_option + picks[i][k]));
        msg = json_pack("{s:I, s:o}", "poll_id", (json_int_t)poll, "answer", answer);
        int64_t voted;
        prc = msg ? poll_vote(&f, msg, &voted, &err) : RAATI_E_INTERNAL;
        json_decref(msg);
        if (prc)
            goto fail;
    }
    int64_t season_poll = 0, season_posts_ids[sizeof season_posts / sizeof season_posts[0]];
    if (seed_survey(&f, people, periods[0], now, &err) ||
        seed_moderation(&f, people, periods, topics[2], now, &err) ||
        seed_season(&f, people, periods[1], topics[3], now, &season_poll, season_posts_ids, &err))
        goto fail;
    /* Each member has read a topic up to their own latest post in it. */
    if (db_exec(d, "INSERT INTO topic_read (member_id, topic_id, read_upto) "
                   "SELECT author_id, topic_id, max(id) FROM post GROUP BY author_id, topic_id"))
        return -1;
    /* The season's first period ended five weeks ago. */
    char starts[TIME_ISO_SIZE], ends[TIME_ISO_SIZE];
    time_iso(now - 60 * DAY_MS, starts);
    time_iso(now - 35 * DAY_MS, ends);
    sqlite3_stmt *st = db_prepare(d, "UPDATE period SET status = 'closed', starts_at = ?, "
                                     "ends_at = ?, seq = ? WHERE id = ?");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, starts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, ends, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, ++f.seq);
    sqlite3_bind_int64(st, 4, periods[1]);
    if (forum_step(d, st, "the demo period", &err))
        goto fail;
    /* Quoted: a post of the closed period's topic, a season resident's,
     * and another (a season resident may be missing in an older demo). */
    int64_t quoted[3] = {posts[20], season_posts_ids[1] ? season_posts_ids[1] : posts[21],
                         posts[22]};
    if (seed_results(&f, people, periods[1], season_poll, quoted, now, &err) ||
        forum_save_seq(d, f.seq, &err))
        goto fail;
    return 0;
fail:
    log_error("demo.seed_failed", "reason=\"discussions: %s\"", err.message);
    return -1;
}

int demo_seed(db *d, const config *cfg)
{
    if (meta_get(d, "demo_seeded_at") > 0) {
        /* A demo seeded by a Raati before activity periods gets them now. */
        if (meta_get(d, "demo_forum_seeded_at") > 0 || period_count(d) > 0) {
            log_info("demo.kept", "reason=already_seeded");
            return 0;
        }
        if (db_begin(d))
            return -1;
        if (seed_forum(d, cfg) || db_exec(d, DEMO_FORUM_SEEDED) || db_commit(d)) {
            db_rollback(d);
            return -1;
        }
        log_info("demo.seeded", "what=periods");
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
    for (size_t i = 0; i < SEASON_RESIDENTS; i++)
        if (insert_resident(d, cfg, &season_residents[i], hashes[0]))
            goto fail;
    for (int i = 1; i < 3; i++)
        if (member_add_staff(d, logins[i].email, logins[i].name, role_parse(logins[i].role),
                             hashes[i], NULL, &err)) {
            log_error("demo.seed_failed", "reason=\"%s\"", err.message);
            goto fail;
        }
    if (seed_forum(d, cfg) || db_exec(d, DEMO_FORUM_SEEDED))
        goto fail;
    if (db_exec(d, "INSERT INTO meta (key, value) "
                   "VALUES ('demo_seeded_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))") ||
        db_commit(d))
        goto fail;
    log_info("demo.seeded", "members=%zu",
             sizeof residents / sizeof residents[0] + SEASON_RESIDENTS + 2);
    return 0;
fail:
    db_rollback(d);
    return -1;
}
