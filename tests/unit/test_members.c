/* The member register against an in-memory database. */
#include <jansson.h>

#include "auth.h"
#include "check.h"
#include "db.h"
#include "members.h"

static config cfg;

static json_t *valid_body(void)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:[s], s:b, s:s}", "email", " Maija@Example.FI ",
                     "display_name", "  Maija  ", "password", "pitkä salasana", "birth_year", 1980,
                     "municipality", "hyvinkaa", "interest_areas", "digipalvelut",
                     "privacy_consent", 1, "privacy_notice_version", "2026-1");
}

static raati_code parse_with(const char *key, json_t *value, raati_error *err)
{
    registration r;
    json_t *b = valid_body();
    if (value)
        json_object_set_new(b, key, value);
    else
        json_object_del(b, key);
    raati_code rc = member_parse_registration(&cfg, b, &r, err);
    json_decref(b);
    return rc;
}

static void registration_is_normalized(void)
{
    registration r;
    raati_error err = {0};
    json_t *b = valid_body();
    CHECK(member_parse_registration(&cfg, b, &r, &err) == RAATI_OK);
    CHECK_STR(r.email, "maija@example.fi");
    CHECK_STR(r.display_name, "Maija");
    CHECK(r.interest_count == 1 && r.language == LANG_FI);
    json_decref(b);
}

static void each_rule_names_its_field(void)
{
    raati_error err = {0};
    int year = current_year();
    struct {
        const char *key;
        json_t *value;
        raati_code code;
    } cases[] = {
        {"email", NULL, RAATI_E_MISSING_FIELD},
        {"email", json_string("no-at-sign"), RAATI_E_INVALID_FIELD},
        {"email", json_string("a@b"), RAATI_E_INVALID_FIELD},
        {"email", json_string("a b@c.fi"), RAATI_E_INVALID_FIELD},
        {"email", json_integer(5), RAATI_E_INVALID_FIELD},
        {"display_name", json_string("   "), RAATI_E_INVALID_FIELD},
        {"display_name", json_string("a\nb"), RAATI_E_INVALID_FIELD},
        {"display_name",
         json_string("a\xc2\x85"
                     "b"),
         RAATI_E_INVALID_FIELD},
        {"display_name",
         json_string("evil\xe2\x80\xae"
                     "txt.exe"),
         RAATI_E_INVALID_FIELD},
        {"display_name",
         json_string("1234567890123456789012345678901234567890123456789012345678901"),
         RAATI_E_INVALID_FIELD},
        {"password", json_string("short"), RAATI_E_INVALID_FIELD},
        {"birth_year", json_string("1980"), RAATI_E_INVALID_FIELD},
        {"birth_year", json_integer(year - 14), RAATI_E_TOO_YOUNG},
        {"birth_year", json_integer(year + 1), RAATI_E_INVALID_FIELD},
        {"birth_year", json_integer(year - 121), RAATI_E_INVALID_FIELD},
        {"municipality", json_string("helsinki"), RAATI_E_INVALID_FIELD},
        {"interest_areas", json_string("digipalvelut"), RAATI_E_INVALID_FIELD},
        {"interest_areas", json_pack("[s]", "golf"), RAATI_E_INVALID_FIELD},
        {"interest_areas", json_pack("[s,s]", "digipalvelut", "digipalvelut"),
         RAATI_E_INVALID_FIELD},
        {"privacy_consent", json_false(), RAATI_E_INVALID_FIELD},
        {"privacy_consent", NULL, RAATI_E_MISSING_FIELD},
        {"privacy_notice_version", json_string("2025-1"), RAATI_E_INVALID_FIELD},
        {"language", json_string("de"), RAATI_E_INVALID_FIELD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        raati_code rc = parse_with(cases[i].key, cases[i].value, &err);
        if (rc != cases[i].code || strcmp(err.field, cases[i].key))
            fprintf(stderr, "case %zu (%s): got %s field %s\n", i, cases[i].key,
                    raati_code_name(rc), err.field);
        CHECK(rc == cases[i].code);
        CHECK_STR(err.field, cases[i].key);
    }
}

static void invisible_names_are_refused(void)
{
    raati_error err = {0};
    CHECK(parse_with("display_name", json_string("\xe2\x80\x8b\xe2\x80\x8b"), &err) ==
          RAATI_E_INVALID_FIELD); /* two zero-width spaces */
    CHECK(parse_with("display_name", json_string("\xc2\xa0\xe3\x80\x80"), &err) ==
          RAATI_E_INVALID_FIELD); /* no-break and ideographic space only */
    CHECK(parse_with("display_name", json_string("Anna\xc2\xa0Kaisa"), &err) == RAATI_OK);
    CHECK(parse_with("display_name", json_string("Ma\xc2\xadija"), &err) ==
          RAATI_E_INVALID_FIELD); /* soft hyphen */
}

static void nordic_capitals_in_emails_are_lowered(void)
{
    char out[256];
    raati_error err = {0};
    CHECK(member_normalize_email("\xc3\x85SA.\xc3\x85STR\xc3\x96M@EXEMPEL.FI", out, &err) ==
          RAATI_OK);
    CHECK_STR(out, "\xc3\xa5sa.\xc3\xa5str\xc3\xb6m@exempel.fi");
    CHECK(member_normalize_email("x\xc3\x97y@example.fi", out, &err) == RAATI_OK);
    CHECK_STR(out, "x\xc3\x97y@example.fi"); /* the multiplication sign stays */
}

static void names_count_characters_not_bytes(void)
{
    raati_error err = {0};
    /* 60 characters, 120 bytes. */
    CHECK(parse_with("display_name",
                     json_string("ääääääääääääääääääääääääääääääääääääääääääääääääääääääääääää"),
                     &err) == RAATI_OK);
}

static void age_fifteen_this_year_may_join(void)
{
    raati_error err = {0};
    CHECK(parse_with("birth_year", json_integer(current_year() - 15), &err) == RAATI_OK);
}

static void create_and_read_back(void)
{
    db *d;
    raati_error err = {0};
    CHECK(db_open(&d, ":memory:", &err) == RAATI_OK);
    registration r;
    json_t *b = valid_body();
    CHECK(member_parse_registration(&cfg, b, &r, &err) == RAATI_OK);
    int64_t id = 0;
    CHECK(db_begin(d) == RAATI_OK);
    CHECK(member_create(d, &r, "$argon2id$fake", &id, &err) == RAATI_OK);
    CHECK(db_commit(d) == RAATI_OK);
    CHECK(member_email_taken(d, "maija@example.fi"));

    json_t *m = member_json(d, id);
    CHECK(m != NULL);
    CHECK_STR(json_string_value(json_object_get(m, "role")), "member");
    CHECK(json_integer_value(json_object_get(m, "birth_year")) == 1980);
    CHECK(json_array_size(json_object_get(m, "interest_areas")) == 1);
    json_t *consent = json_object_get(m, "privacy_consent");
    CHECK_STR(json_string_value(json_object_get(consent, "version")), "2026-1");
    CHECK(json_object_get(m, "password_hash") == NULL);
    json_decref(m);

    /* The same email again, any case, is taken and writes nothing. */
    int64_t again;
    CHECK(member_create(d, &r, "$argon2id$fake", &again, &err) == RAATI_E_EMAIL_TAKEN);
    CHECK(member_count(d) == 1);
    json_decref(b);
    db_close(d);
}

static void update_is_all_or_nothing(void)
{
    db *d;
    raati_error err = {0};
    db_open(&d, ":memory:", &err);
    int64_t id;
    CHECK(member_add_staff(d, "mod@example.fi", "Mod", ROLE_MODERATOR, "$x", &id, &err) == 0);
    json_t *bad = json_pack("{s:s, s:s}", "display_name", "Uusi", "municipality", "oslo");
    CHECK(member_update(d, &cfg, id, bad, &err) == RAATI_E_INVALID_FIELD);
    CHECK_STR(err.field, "municipality");
    json_t *m = member_json(d, id);
    CHECK_STR(json_string_value(json_object_get(m, "display_name")), "Mod");
    CHECK(json_is_null(json_object_get(m, "birth_year")));
    json_decref(m);

    json_t *good = json_pack("{s:s, s:[s,s], s:s}", "display_name", "Uusi", "interest_areas",
                             "perhepalvelut", "ikaihmiset", "language", "sv");
    CHECK(member_update(d, &cfg, id, good, &err) == RAATI_OK);
    m = member_json(d, id);
    CHECK_STR(json_string_value(json_object_get(m, "display_name")), "Uusi");
    CHECK_STR(json_string_value(json_object_get(m, "language")), "sv");
    CHECK(json_array_size(json_object_get(m, "interest_areas")) == 2);
    json_decref(m);
    json_decref(bad);
    json_decref(good);
    db_close(d);
}

static void roles_change(void)
{
    db *d;
    raati_error err = {0};
    db_open(&d, ":memory:", &err);
    int64_t id;
    member_add_staff(d, "a@example.fi", "A", ROLE_MEMBER, "$x", &id, &err);
    CHECK(member_role(d, id) == ROLE_MEMBER);
    CHECK(member_set_role(d, "A@Example.fi", ROLE_MODERATOR, &err) == RAATI_OK);
    CHECK(member_role(d, id) == ROLE_MODERATOR);
    CHECK(member_set_role(d, "nobody@example.fi", ROLE_ADMIN, &err) == RAATI_E_NOT_FOUND);
    CHECK(role_parse("admin") == ROLE_ADMIN && role_parse("root") < 0);
    db_close(d);
}

int main(void)
{
    config_defaults(&cfg);
    RUN(registration_is_normalized);
    RUN(each_rule_names_its_field);
    RUN(names_count_characters_not_bytes);
    RUN(invisible_names_are_refused);
    RUN(nordic_capitals_in_emails_are_lowered);
    RUN(age_fifteen_this_year_may_join);
    RUN(create_and_read_back);
    RUN(update_is_all_or_nothing);
    RUN(roles_change);
    return CHECK_DONE();
}
