/* The public results pages (server/results_page.c): rendering hand-made
 * results documents, the index and the feed, escaping every text, routes,
 * languages, ETags and the statement's cache. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "results_page.h"

static config cfg;

#define XSS_TAG "<script>alert(1)</script>"
#define XSS_ATTR "\"><img src=x onerror=alert(1)>"
#define XSS_ALL XSS_TAG XSS_ATTR " &amp;"

static int contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* No payload got through as markup, and "&amp;" was escaped again. */
static int escaped(const char *html)
{
    return html && !strstr(html, "<script") && !strstr(html, "<img") &&
           !strstr(html, "onerror=alert(1)>") && !strstr(html, "\"><img") &&
           strstr(html, "&amp;amp;");
}

static json_t *bars(const char *a, int na, const char *b, int nb)
{
    return json_pack("[{s:s, s:i}, {s:s, s:i}]", "label", a, "count", na, "label", b, "count", nb);
}

/* A results document as results_page_document() makes it; every text t. */
static json_t *make_doc(const char *t)
{
    json_t *follow_ups =
        json_pack("[{s:i, s:i, s:s, s:s, s:s, s:n}, {s:i, s:i, s:s, s:s, s:s, s:s}, "
                  "{s:i, s:i, s:s, s:s, s:s, s:n}, {s:i, s:i, s:s, s:s, s:s, s:n}]",
                  "id", 9, "finding_id", 5, "date", "2026-11-15", "status", "in_progress", "text",
                  t, "reason", "id", 10, "finding_id", 5, "date", "2026-11-16", "status",
                  "declined", "text", t, "reason", t, "id", 11, "finding_id", 5, "date",
                  "2026-11-17", "status", "done", "text", t, "reason", "id", 12, "finding_id", 5,
                  "date", "2026-11-18", "status", "considering", "text", "", "reason");
    json_t *finding = json_pack("{s:i, s:s, s:s, s:o}", "id", 5, "title", t, "body_html",
                                "<p>Havainnon <em>teksti</em>.</p>", "follow_ups", follow_ups);
    json_t *poll =
        json_pack("{s:i, s:s, s:s, s:i, s:o, s:n, s:n}", "id", 8, "title", t, "kind", "multiple",
                  "voters", 23, "bars", bars(t, 19, "Kuvat", 7), "mean", "scale");
    json_t *ranking =
        json_pack("{s:i, s:s, s:s, s:i, s:o, s:n, s:n}", "id", 81, "title", "Järjestys", "kind",
                  "ranking", "voters", 10, "bars", bars("Eka", 30, "Toka", 20), "mean", "scale");
    json_t *scale_q =
        json_pack("{s:i, s:s, s:s, s:i, s:o, s:f, s:{s:i, s:i, s:s, s:s}}", "id", 21, "title", t,
                  "kind", "scale", "voters", 14, "bars", bars("1", 4, "2", 10), "mean", 1.714,
                  "scale", "min", 1, "max", 2, "min_label", t, "max_label", "Hyvä");
    json_t *survey = json_pack("{s:i, s:s, s:i, s:[o]}", "id", 2, "title", t, "respondents", 14,
                               "questions", scale_q);
    json_t *ages = json_pack(
        "[{s:s, s:n, s:n, s:n, s:b}, {s:s, s:i, s:i, s:i, s:b}, {s:s, s:n, s:n, s:n, s:b}]",
        "group", "15-24", "participants", "posts", "votes", "suppressed", 1, "group", "25-44",
        "participants", 20, "posts", 80, "votes", 30, "suppressed", 0, "group", "unknown",
        "participants", "posts", "votes", "suppressed", 1);
    json_t *munis = json_pack("[{s:s, s:i, s:i, s:i, s:b}, {s:s, s:i, s:i, s:i, s:b}]",
                              "municipality", "hyvinkaa", "participants", 12, "posts", 50, "votes",
                              20, "suppressed", 0, "municipality", "unknown", "participants", 19,
                              "posts", 70, "votes", 25, "suppressed", 0);
    json_t *figures =
        json_pack("{s:i, s:i, s:i, s:n, s:o, s:o}", "participants", 31, "posts", 120, "votes", 45,
                  "responses", "by_age_group", ages, "by_municipality", munis);
    return json_pack("{s:s, s:{s:i, s:s, s:s, s:s}, s:s, s:s, s:[o], s:[o, o], s:[o], "
                     "s:[{s:i, s:s}], s:o, s:i, s:s, s:s}",
                     "slug", "potilasohjeet-2026", "period", "id", 3, "title", t, "starts_at",
                     "2026-10-01T06:00:00.000Z", "ends_at", "2026-10-31T21:59:00.000Z",
                     "summary_html", "<p>Asukkaat toivoivat <strong>lyhyempiä</strong>.</p>",
                     "summary_text", t, "findings", finding, "polls", poll, ranking, "surveys",
                     survey, "quotes", "id", 3, "text", t, "figures", figures, "version", 2,
                     "first_published_at", "2026-11-01T23:30:00.000Z", "published_at",
                     "2026-11-20T12:30:00.000Z");
}

static void texts_are_complete(void)
{
    CHECK(results_texts_missing() == 0);
}

static void routes_are_read(void)
{
    results_route r;
    CHECK(results_route_parse("/tulokset", &r) && r.what == RESULTS_INDEX);
    CHECK(results_route_parse("/results/", &r) && r.what == RESULTS_INDEX);
    CHECK(results_route_parse("/resultat.atom", &r) && r.what == RESULTS_FEED);
    CHECK(results_route_parse("/tulokset/potilasohjeet-2026", &r) && r.what == RESULTS_PAGE);
    CHECK_STR(r.slug, "potilasohjeet-2026");
    CHECK(results_route_parse("/results/a", &r) && r.what == RESULTS_PAGE);
    /* ours, but naming nothing: a 404 */
    CHECK(results_route_parse("/tulokset/Iso", &r) && r.what == RESULTS_NONE);
    CHECK(results_route_parse("/tulokset/a/b", &r) && r.what == RESULTS_NONE);
    CHECK(results_route_parse("/tulokset/a.b", &r) && r.what == RESULTS_NONE);
    char long_slug[100] = "/tulokset/";
    memset(long_slug + 10, 'a', 81);
    CHECK(results_route_parse(long_slug, &r) && r.what == RESULTS_NONE);
    long_slug[90] = '\0'; /* 80 characters */
    CHECK(results_route_parse(long_slug, &r) && r.what == RESULTS_PAGE);
    CHECK(results_route_parse("/accessibility", &r) && r.what == RESULTS_STATEMENT);
    CHECK(results_route_parse("/saavutettavuusseloste", &r) && r.what == RESULTS_STATEMENT);
    CHECK(results_route_parse("/tillganglighetsredogorelse", &r) && r.what == RESULTS_STATEMENT);
    CHECK(!results_route_parse("/tuloksetx", &r));
    CHECK(!results_route_parse("/tulokset.atomx", &r));
    CHECK(!results_route_parse("/api/config", &r));
    CHECK(!results_route_parse("/", &r));
    CHECK(!results_slug_valid(""));
    CHECK(!results_slug_valid("a b"));
    CHECK(!results_slug_valid("<x>"));
}

static void language_is_picked(void)
{
    CHECK(results_pick_lang(NULL, NULL) == LANG_FI);
    CHECK(results_pick_lang("sv", "en") == LANG_SV);
    CHECK(results_pick_lang("de", "en") == LANG_EN); /* an unknown lang is ignored */
    CHECK(results_pick_lang(NULL, "sv-FI") == LANG_SV);
    CHECK(results_pick_lang(NULL, "en-GB;q=0.8, sv-FI;q=0.9") == LANG_SV);
    CHECK(results_pick_lang(NULL, "de-DE, en-GB;q=0.8, fi;q=0.7") == LANG_EN);
    CHECK(results_pick_lang(NULL, "en, sv") == LANG_EN); /* equal q: the first named */
    CHECK(results_pick_lang(NULL, "de, *;q=0.1") == LANG_FI);
    CHECK(results_pick_lang(NULL, "fi;q=0, *") == LANG_SV);
    CHECK(results_pick_lang(NULL, "de, fr") == LANG_FI);
    CHECK(results_pick_lang(NULL, "EN-us ; Q=0.5") == LANG_EN);
    CHECK(results_pick_lang(NULL, "sv;q=bogus, en;q=0.2") == LANG_EN);
    CHECK(results_pick_lang(NULL, "svx, en") == LANG_EN);
    CHECK(results_pick_lang(NULL, ",,;,") == LANG_FI);
}

static void etags_match(void)
{
    char etag[RESULTS_ETAG_SIZE];
    results_etag("abc", 3, etag);
    CHECK(strlen(etag) == 34 && etag[0] == '"' && etag[33] == '"');
    CHECK(results_etag_matches(etag, etag));
    char list[128];
    snprintf(list, sizeof list, "\"zz\", W/%s", etag);
    CHECK(results_etag_matches(list, etag));
    CHECK(results_etag_matches("*", etag));
    CHECK(!results_etag_matches("\"zz\"", etag));
    CHECK(!results_etag_matches("", etag));
    char other[RESULTS_ETAG_SIZE];
    results_etag("abd", 3, other);
    CHECK(strcmp(other, etag));
}

static void page_shows_the_document(void)
{
    json_t *doc = make_doc("Ohjeet ovat liian pitkiä");
    char *html = results_page_html(&cfg, doc, LANG_FI, RESULTS_PUBLIC);
    CHECK(html && !strncmp(html, "<!doctype html>\n<html lang=\"fi\">", 32));
    CHECK(contains(html, "<h1>Ohjeet ovat liian pitkiä</h1>"));
    CHECK(contains(html, "<meta property=\"og:type\" content=\"article\">"));
    CHECK(contains(html, "<meta property=\"og:url\" content=\"https://raati.example.fi/tulokset/"
                         "potilasohjeet-2026?lang=fi\">"));
    CHECK(contains(html, "og:locale\" content=\"fi_FI\""));
    CHECK(contains(html, "og:locale:alternate\" content=\"sv_FI\""));
    CHECK(contains(html, "article:modified_time\" content=\"2026-11-20T12:30:00.000Z\""));
    CHECK(contains(html, "<link rel=\"canonical\""));
    CHECK(contains(html, "hreflang=\"sv\" href=\"https://raati.example.fi/tulokset/"));
    CHECK(contains(html, "type=\"application/atom+xml\""));
    CHECK(contains(html, "Keski-Uudenmaan hyvinvointialue – Raati"));
    /* published in Helsinki on 2 November, 1.11. 23:30 UTC */
    CHECK(contains(html, "Julkaistu <time datetime=\"2026-11-02\">2.11.2026</time>, päivitetty "
                         "<time datetime=\"2026-11-20\">20.11.2026</time>"));
    CHECK(contains(html, "<time datetime=\"2026-10-01\">1.10.2026</time>–"));
    CHECK(contains(html, "<p>Asukkaat toivoivat <strong>lyhyempiä</strong>.</p>"));
    CHECK(contains(html, "<p>Havainnon <em>teksti</em>.</p>"));
    CHECK(contains(html, "Keskeiset havainnot"));
    CHECK(contains(html, "Mitä tapahtui"));
    CHECK(contains(html, "työn alla") && contains(html, "ei toteuteta") &&
          contains(html, "toteutettu") && contains(html, "harkinnassa"));
    CHECK(contains(html, "<strong>Perustelu:</strong> Ohjeet"));
    CHECK(count_of(html, "<strong>Perustelu:") == 1);
    CHECK(contains(html, "id=\"follow-up-10\""));
    CHECK(contains(html, "<time datetime=\"2026-11-15\">15.11.2026</time>"));
    /* charts: a figure, the bars hidden from screen readers, the numbers */
    CHECK(count_of(html, "<figure class=\"chart\"") == 3);
    CHECK(count_of(html, "aria-hidden=\"true\" focusable=\"false\"") == 4); /* + the logo */
    CHECK(contains(html, "viewBox=\"0 0 320 "));
    CHECK(contains(html, "23 vastaajaa"));
    CHECK(contains(html, "<td>19</td><td>83\u00a0%</td>"));
    CHECK(contains(html, "<th scope=\"col\">Pisteet</th>"));
    CHECK(contains(html, "keskiarvo 1,7"));
    CHECK(contains(html, "Kyselyyn vastasi 14 henkilöä."));
    /* quotes, participation */
    CHECK(contains(html, "Osallistujien sanoin"));
    CHECK(contains(html, "<blockquote class=\"quote\"><p>Ohjeet ovat liian pitkiä</p>"));
    CHECK(contains(html, "<dd>31</dd>"));
    CHECK(contains(html, "<dt>Kyselyvastauksia</dt><dd>&lt;5</dd>"));
    CHECK(contains(html, "<th scope=\"row\">15–24</th><td>&lt;5</td><td>–</td><td>–</td>"));
    CHECK(contains(html, "<th scope=\"row\">Hyvinkää</th><td>12</td>"));
    CHECK(contains(html, "<th scope=\"row\">ei tiedossa</th><td>&lt;5</td>"));
    CHECK(contains(html, "Alle 5 hengen ryhmien lukuja ei näytetä"));
    CHECK(contains(html, "href=\"/saavutettavuusseloste?lang=fi\""));
    CHECK(contains(html, "href=\"/tulokset.atom?lang=fi\""));
    CHECK(contains(html, "aria-current=\"true\">Suomi</a>"));
    CHECK(contains(html, "lang=\"sv\" hreflang=\"sv\">Svenska</a>"));
    CHECK(!contains(html, "noindex") && !contains(html, "Esikatselu"));
    /* the CSP allows no inline styles */
    CHECK(!contains(html, "style=") && !contains(html, "<style"));
    free(html);
    json_decref(doc);
}

static void page_in_english_and_swedish(void)
{
    json_t *doc = make_doc("Instructions");
    char *en = results_page_html(&cfg, doc, LANG_EN, RESULTS_PUBLIC);
    CHECK(contains(en, "<html lang=\"en\">"));
    CHECK(contains(en, "Published <time datetime=\"2026-11-02\">2 November 2026</time>, updated"));
    CHECK(contains(en, "will not be done") && contains(en, "<td>83%</td>"));
    CHECK(contains(en, "mean 1.7"));
    CHECK(contains(en, "<th scope=\"row\">unknown</th>"));
    CHECK(contains(en, "og:locale\" content=\"en_GB\""));
    CHECK(contains(en, "href=\"/accessibility?lang=en\""));
    char *sv = results_page_html(&cfg, doc, LANG_SV, RESULTS_PUBLIC);
    CHECK(contains(sv, "Publicerad <time datetime=\"2026-11-02\">2.11.2026</time>"));
    CHECK(contains(sv, "genomförs inte") && contains(sv, "Med deltagarnas ord"));
    free(en);
    free(sv);
    /* one version only: no "updated" */
    json_object_set_new(doc, "version", json_integer(1));
    char *fi = results_page_html(&cfg, doc, LANG_FI, RESULTS_PUBLIC);
    CHECK(contains(fi, "Julkaistu") && !contains(fi, "päivitetty"));
    free(fi);
    json_decref(doc);
}

static void page_escapes_every_text(void)
{
    json_t *doc = make_doc(XSS_ALL);
    for (int l = 0; l < LANG_COUNT; l++) {
        char *html = results_page_html(&cfg, doc, l, RESULTS_PUBLIC);
        CHECK(escaped(html));
        CHECK(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x"));
        free(html);
    }
    /* a municipality whose configured name is hostile */
    config evil = cfg;
    snprintf(evil.municipalities.items[0].name[0], 96, "%s", XSS_ALL);
    snprintf(evil.region_name[0], 128, "%s", XSS_ALL);
    char *html = results_page_html(&evil, doc, LANG_FI, RESULTS_PUBLIC);
    CHECK(escaped(html));
    free(html);
    /* a slug that is no slug never reaches a URL */
    json_object_set_new(doc, "slug", json_string(XSS_ATTR));
    html = results_page_html(&cfg, doc, LANG_FI, RESULTS_PUBLIC);
    CHECK(escaped(html) && contains(html, "/tulokset/?lang=fi\""));
    free(html);
    json_decref(doc);
}

static void description_is_cut_at_a_word(void)
{
    char long_text[1200] = "";
    for (int i = 0; i < 60; i++)
        strcat(long_text, "sanoja ja ");
    json_t *doc = make_doc("Otsikko");
    json_object_set_new(doc, "summary_text", json_string(long_text));
    char *html = results_page_html(&cfg, doc, LANG_FI, RESULTS_PUBLIC);
    const char *d = strstr(html, "<meta name=\"description\" content=\"");
    CHECK(d != NULL);
    if (d) {
        d += strlen("<meta name=\"description\" content=\"");
        const char *end = strchr(d, '"');
        CHECK(end && end - d <= 205 && end - d > 150);
        CHECK(end && !strncmp(end - 4, "a…", 4)); /* "ja…" */
    }
    free(html);
    json_decref(doc);
}

static void preview_has_a_banner(void)
{
    json_t *doc = make_doc("Luonnos");
    json_object_set_new(doc, "version", json_null());
    json_object_set_new(doc, "first_published_at", json_null());
    json_object_set_new(doc, "published_at", json_null());
    char *html = results_page_html(&cfg, doc, LANG_FI, RESULTS_PREVIEW_DRAFT);
    CHECK(contains(html, "<meta name=\"robots\" content=\"noindex\">"));
    CHECK(contains(html, "Esikatselu – tämä sivu ei ole julkinen."));
    CHECK(contains(html, "Ei vielä julkaistu"));
    CHECK(contains(html, "?lang=sv&amp;preview=1"));
    free(html);
    html = results_page_html(&cfg, doc, LANG_FI, RESULTS_PREVIEW_EDITS);
    CHECK(contains(html, "Esikatselu: muutokset eivät ole vielä julkisia."));
    free(html);
    json_decref(doc);
}

static json_t *make_index(const char *t)
{
    return json_pack("[{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:{s:i, s:i, s:i, s:i}}, "
                     "{s:s, s:s, s:n, s:n, s:s, s:s, s:b, s:s, s:{}}]",
                     "slug", "uusi", "title", t, "starts_at", "2026-10-01T06:00:00.000Z", "ends_at",
                     "2026-10-31T21:59:00.000Z", "first_published_at", "2026-11-02T09:00:00.000Z",
                     "published_at", "2026-11-20T12:30:00.000Z", "updated", 1, "summary_text", t,
                     "follow_ups", "considering", 0, "in_progress", 1, "done", 2, "declined", 0,
                     "slug", "vanha", "title", "Vanha", "starts_at", "ends_at",
                     "first_published_at", "2026-03-02T09:00:00.000Z", "published_at",
                     "2026-03-02T09:00:00.000Z", "updated", 0, "summary_text", "", "follow_ups");
}

static void index_lists_pages(void)
{
    json_t *empty = json_array();
    char *html = results_index_html(&cfg, empty, LANG_FI);
    CHECK(contains(html, "<h1>Tulokset</h1>"));
    CHECK(contains(html, "Tuloksia ei ole vielä julkaistu."));
    free(html);
    html = results_index_html(&cfg, empty, LANG_SV);
    CHECK(contains(html, "<h1>Resultat</h1>") && contains(html, "Inga resultat"));
    free(html);
    json_decref(empty);

    json_t *index = make_index("Hyvä potilasohje");
    html = results_index_html(&cfg, index, LANG_FI);
    CHECK(contains(html, "<a href=\"/tulokset/uusi?lang=fi\">Hyvä potilasohje</a>"));
    CHECK(strstr(html, "/tulokset/uusi") < strstr(html, "/tulokset/vanha"));
    CHECK(contains(html, "päivitetty <time datetime=\"2026-11-20\">"));
    CHECK(contains(html, "työn alla 1") && contains(html, "toteutettu 2"));
    CHECK(!contains(html, "harkinnassa"));
    CHECK(count_of(html, "Seuranta:") == 1);
    CHECK(contains(html, "og:type\" content=\"website\""));
    free(html);
    json_decref(index);

    index = make_index(XSS_ALL);
    html = results_index_html(&cfg, index, LANG_EN);
    CHECK(escaped(html));
    free(html);
    json_decref(index);
}

static json_t *make_feed(const char *t)
{
    return json_pack("[{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, "
                     "{s:s, s:s, s:s, s:s, s:s, s:s}]",
                     "kind", "follow_up", "id", 9, "slug", "uusi", "title", t, "finding", t, "date",
                     "2026-11-15", "status", "declined", "text", t, "reason", t, "updated",
                     "2026-11-21T08:10:00.000Z", "kind", "results", "slug", "uusi", "title", t,
                     "updated", "2026-11-20T12:30:00.000Z", "published", "2026-11-02T09:00:00.000Z",
                     "summary_text", t);
}

static void feed_is_atom(void)
{
    json_t *feed = make_feed("Potilasohje");
    char *xml = results_feed_xml(&cfg, feed, LANG_FI);
    CHECK(xml && !strncmp(xml,
                          "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns="
                          "\"http://www.w3.org/2005/Atom\" xml:lang=\"fi\">",
                          90));
    CHECK(contains(xml, "<id>tag:raati.example.fi,2026:results</id>"));
    CHECK(contains(xml, "<updated>2026-11-21T08:10:00.000Z</updated>\n<link rel=\"self\""));
    CHECK(contains(xml, "<id>tag:raati.example.fi,2026:follow-up/9</id>"));
    CHECK(contains(xml, "<id>tag:raati.example.fi,2026:results/uusi</id>"));
    CHECK(contains(xml, "href=\"https://raati.example.fi/tulokset/uusi?lang=fi#follow-up-9\""));
    CHECK(contains(xml, "<title>Potilasohje: Potilasohje – ei toteuteta</title>"));
    CHECK(contains(xml, "<content type=\"html\">&lt;p&gt;Potilasohje&lt;/p&gt;&lt;p&gt;"
                        "Perustelu: Potilasohje&lt;/p&gt;</content>"));
    CHECK(contains(xml, "<published>2026-11-02T09:00:00.000Z</published>"));
    CHECK(count_of(xml, "<entry>") == 2 && count_of(xml, "</entry>") == 2);
    free(xml);
    json_decref(feed);

    feed = make_feed(XSS_ALL);
    xml = results_feed_xml(&cfg, feed, LANG_EN);
    CHECK(xml && !contains(xml, "<script") && !contains(xml, "<img"));
    /* in content, HTML-escaped and then XML-escaped */
    CHECK(contains(xml, "&amp;lt;script&amp;gt;"));
    free(xml);
    json_decref(feed);

    json_t *empty = json_array();
    xml = results_feed_xml(&cfg, empty, LANG_SV);
    CHECK(contains(xml, "<updated>") && !contains(xml, "<entry>"));
    free(xml);
    json_decref(empty);
}

static void statement_is_filled_and_cached(void)
{
    char *html = results_statement_html(&cfg,
                                        "Teksti {{region}}.\n\n# Palaute\n\n"
                                        "- {{contact_email}}\n\n## Osa\n",
                                        LANG_FI);
    CHECK(contains(html, "<h1>Saavutettavuusseloste</h1>"));
    CHECK(contains(html, "<h2>Palaute</h2>") && contains(html, "<h3>Osa</h3>"));
    CHECK(contains(html, "Keski-Uudenmaan hyvinvointialue."));
    CHECK(contains(html, "mailto:palaute@raati.example.fi"));
    free(html);

    /* the templates in the web root */
    int status = 0;
    const results_cached *c =
        results_cache_get(NULL, &cfg, RESULTS_STATEMENT, NULL, LANG_SV, &status);
    CHECK(c && status == 200);
    CHECK(c && contains(c->body, "Tillgänglighetsredogörelse"));
    CHECK(c && contains(c->body, "Regionförvaltningsverket i Södra Finland"));
    CHECK(c && contains(c->body, "mailto:palaute@raati.example.fi"));
    CHECK(c && !contains(c->body, "{{"));
    CHECK(c && !strcmp(c->content_type, "text/html; charset=utf-8"));
    const char *body = c ? c->body : NULL;
    char etag[RESULTS_ETAG_SIZE];
    snprintf(etag, sizeof etag, "%s", c ? c->etag : "");
    c = results_cache_get(NULL, &cfg, RESULTS_STATEMENT, NULL, LANG_SV, &status);
    CHECK(c && c->body == body && !strcmp(c->etag, etag)); /* a hit */
    CHECK(results_cache_count() == 1);
    for (int l = 0; l < LANG_COUNT; l++) {
        c = results_cache_get(NULL, &cfg, RESULTS_STATEMENT, NULL, l, &status);
        CHECK(c && contains(c->body, "WCAG 2.1"));
    }
    CHECK(results_cache_count() == 3);
    results_cache_clear();
    CHECK(results_cache_count() == 0);
}

int main(void)
{
    setenv("TZ", "Europe/Helsinki", 1);
    tzset();
    config_defaults(&cfg);
    snprintf(cfg.origins[0], sizeof cfg.origins[0], "https://raati.example.fi");
    snprintf(cfg.contact_email, sizeof cfg.contact_email, "palaute@raati.example.fi");
    snprintf(cfg.db_path, sizeof cfg.db_path, "/nonexistent/raati.db");
    /* the web root beside this file's folder: tests/unit/ -> web/ */
    snprintf(cfg.web_root, sizeof cfg.web_root, "%s", __FILE__);
    char *cut = strstr(cfg.web_root, "tests/unit/");
    if (cut)
        strcpy(cut, "web");
    config_parse_items(&cfg.municipalities, "hyvinkaa=Hyvinkää/Hyvinge/Hyvinkää",
                       &(raati_error){0});

    RUN(texts_are_complete);
    RUN(routes_are_read);
    RUN(language_is_picked);
    RUN(etags_match);
    RUN(page_shows_the_document);
    RUN(page_in_english_and_swedish);
    RUN(page_escapes_every_text);
    RUN(description_is_cut_at_a_word);
    RUN(preview_has_a_banner);
    RUN(index_lists_pages);
    RUN(feed_is_atom);
    RUN(statement_is_filled_and_cached);
    return CHECK_DONE();
}
