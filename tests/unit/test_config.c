/* Settings: lists, flags, environment, public URL origins. */
#include <stdlib.h>

#include "check.h"
#include "config.h"

static void defaults_have_region_lists(void)
{
    config c;
    config_defaults(&c);
    CHECK(c.port == 8080);
    CHECK(c.max_message == 131072);
    CHECK(c.municipalities.count == 6);
    CHECK(config_find_item(&c.municipalities, "hyvinkaa") != NULL);
    CHECK_STR(config_find_item(&c.municipalities, "pornainen")->name[LANG_SV], "Borgnäs");
    CHECK(config_find_item(&c.interest_areas, "digipalvelut") != NULL);
    CHECK_STR(c.region_name[LANG_FI], "Keski-Uudenmaan hyvinvointialue");
}

static void items_fall_back_to_finnish(void)
{
    config_items it;
    raati_error err = {0};
    CHECK(config_parse_items(&it, "a=Yksi;b=Kaksi/Två", &err) == RAATI_OK);
    CHECK(it.count == 2);
    CHECK_STR(it.items[0].name[LANG_EN], "Yksi");
    CHECK_STR(it.items[1].name[LANG_SV], "Två");
    CHECK_STR(it.items[1].name[LANG_EN], "Kaksi");
}

static void bad_items_are_refused(void)
{
    config_items it;
    raati_error err = {0};
    CHECK(config_parse_items(&it, "", &err) != RAATI_OK);
    CHECK(config_parse_items(&it, "Iso=Nimi", &err) != RAATI_OK);
    CHECK(config_parse_items(&it, "a=x;a=y", &err) != RAATI_OK);
    CHECK(config_parse_items(&it, "novalue", &err) != RAATI_OK);
    CHECK(config_parse_items(&it, "a=1/2/3/4", &err) != RAATI_OK);
    CHECK(config_parse_items(&it, "a=", &err) != RAATI_OK);
}

static void flags_override_environment(void)
{
    config c;
    raati_error err = {0};
    config_defaults(&c);
    setenv("RAATI_PORT", "9000", 1);
    setenv("RAATI_DEMO", "1", 1);
    CHECK(config_from_env(&c, &err) == RAATI_OK);
    CHECK(c.port == 9000 && c.demo == 1);
    char *argv[] = {"--port", "9100", "--max-message=2048", "--trust-proxy"};
    CHECK(config_from_args(&c, 4, argv, &err) == RAATI_OK);
    CHECK(c.port == 9100 && c.max_message == 2048 && c.trust_proxy == 1);
    unsetenv("RAATI_PORT");
    unsetenv("RAATI_DEMO");
}

static void bad_flags_are_refused(void)
{
    config c;
    raati_error err = {0};
    config_defaults(&c);
    char *unknown[] = {"--nope", "1"};
    CHECK(config_from_args(&c, 2, unknown, &err) == RAATI_E_INVALID_FIELD);
    char *range[] = {"--port", "70000"};
    CHECK(config_from_args(&c, 2, range, &err) == RAATI_E_INVALID_FIELD);
    char *novalue[] = {"--db"};
    CHECK(config_from_args(&c, 1, novalue, &err) == RAATI_E_MISSING_FIELD);
    char *notnum[] = {"--workers", "two"};
    CHECK(config_from_args(&c, 2, notnum, &err) == RAATI_E_INVALID_FIELD);
}

static void public_url_becomes_origin(void)
{
    config c;
    raati_error err = {0};
    config_defaults(&c);
    snprintf(c.public_url, sizeof c.public_url, "https://Raati.Example.fi:443/foo/");
    CHECK(config_finish(&c, 8080, &err) == RAATI_OK);
    CHECK(c.origin_count == 1 && c.secure == 1);
    CHECK_STR(c.origins[0], "https://raati.example.fi");

    config_defaults(&c);
    CHECK(config_finish(&c, 4321, &err) == RAATI_OK);
    CHECK(c.origin_count == 2 && c.secure == 0);
    CHECK_STR(c.origins[0], "http://localhost:4321");
    CHECK_STR(c.origins[1], "http://127.0.0.1:4321");

    config_defaults(&c);
    snprintf(c.public_url, sizeof c.public_url, "ftp://x");
    CHECK(config_finish(&c, 1, &err) != RAATI_OK);
}

int main(void)
{
    RUN(defaults_have_region_lists);
    RUN(items_fall_back_to_finnish);
    RUN(bad_items_are_refused);
    RUN(flags_override_environment);
    RUN(bad_flags_are_refused);
    RUN(public_url_becomes_origin);
    return CHECK_DONE();
}
