/* results_page.c: see results_page.h. */
#include "results_page.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "markdown.h"
#include "results.h"
#include "strbuf.h"
#include "times.h"

/* ---- the texts of the pages ---- */

enum text {
    T_SKIP,
    T_LANG_GROUP,
    T_NAV,
    T_RESULTS,
    T_TAKE_PART,
    T_INDEX_INTRO,
    T_INDEX_EMPTY,
    T_PERIOD,
    T_PUBLISHED,
    T_UPDATED,
    T_NOT_PUBLISHED,
    T_SUMMARY,
    T_FINDINGS,
    T_FOLLOW_UPS,
    T_CONSIDERING,
    T_IN_PROGRESS,
    T_DONE,
    T_DECLINED,
    T_REASON,
    T_CHARTS,
    T_ANSWERED,    /* "%d vastaajaa" */
    T_RESPONDENTS, /* a survey's */
    T_MEAN,
    T_OPTION,
    T_VOTES,
    T_POINTS,
    T_SHARE,
    T_POINTS_NOTE,
    T_QUOTES,
    T_PARTICIPATION,
    T_PARTICIPANTS,
    T_POSTS,
    T_VOTES_CAST,
    T_RESPONSES,
    T_BY_AGE,
    T_BY_MUNICIPALITY,
    T_AGE_GROUP,
    T_MUNICIPALITY,
    T_UNKNOWN,
    T_SUPPRESSED_NOTE,
    T_ALL_RESULTS,
    T_FEED,
    T_STATEMENT,
    T_FOOTER_NAV,
    T_PREVIEW_DRAFT,
    T_PREVIEW_EDITS,
    T_FOLLOW_UP_COUNTS,
    T_FEED_SUBTITLE,
    T_PAGE_DESCRIPTION,
    T_COUNT
};

static const char *const texts[T_COUNT][LANG_COUNT] = {
    [T_SKIP] = {"Siirry pääsisältöön", "Hoppa till huvudinnehållet", "Skip to main content"},
    [T_LANG_GROUP] = {"Kieli", "Språk", "Language"},
    [T_NAV] = {"Päävalikko", "Huvudmeny", "Main menu"},
    [T_RESULTS] = {"Tulokset", "Resultat", "Results"},
    [T_TAKE_PART] = {"Osallistu", "Delta", "Take part"},
    [T_INDEX_INTRO] = {"Täällä kerrotaan, mitä asukkaiden keskusteluista, äänestyksistä ja "
                       "kyselyistä saatiin selville ja mitä niiden pohjalta on tehty.",
                       "Här berättar vi vad som framkom i invånarnas diskussioner, omröstningar "
                       "och enkäter och vad som har gjorts utifrån dem.",
                       "What residents' discussions, polls and surveys brought up, and what has "
                       "been done about it."},
    [T_INDEX_EMPTY] = {"Tuloksia ei ole vielä julkaistu.", "Inga resultat har publicerats ännu.",
                       "No results have been published yet."},
    [T_PERIOD] = {"Osallistumisaika", "Deltagandetid", "Participation period"},
    [T_PUBLISHED] = {"Julkaistu", "Publicerad", "Published"},
    [T_UPDATED] = {"päivitetty", "uppdaterad", "updated"},
    [T_NOT_PUBLISHED] = {"Ei vielä julkaistu", "Inte publicerad ännu", "Not published yet"},
    [T_SUMMARY] = {"Yhteenveto", "Sammanfattning", "Summary"},
    [T_FINDINGS] = {"Keskeiset havainnot", "Viktigaste iakttagelser", "Key findings"},
    [T_FOLLOW_UPS] = {"Mitä tapahtui", "Vad hände", "What happened"},
    [T_CONSIDERING] = {"harkinnassa", "övervägs", "being considered"},
    [T_IN_PROGRESS] = {"työn alla", "pågår", "in progress"},
    [T_DONE] = {"toteutettu", "genomfört", "done"},
    [T_DECLINED] = {"ei toteuteta", "genomförs inte", "will not be done"},
    [T_REASON] = {"Perustelu", "Motivering", "Reason"},
    [T_CHARTS] = {"Äänestykset ja kyselyt", "Omröstningar och enkäter", "Polls and surveys"},
    [T_ANSWERED] = {"%lld vastaajaa", "%lld svarande", "%lld respondents"},
    [T_RESPONDENTS] = {"Kyselyyn vastasi %lld henkilöä.", "%lld personer svarade på enkäten.",
                       "%lld people answered the survey."},
    [T_MEAN] = {"keskiarvo", "medelvärde", "mean"},
    [T_OPTION] = {"Vaihtoehto", "Alternativ", "Option"},
    [T_VOTES] = {"Vastauksia", "Svar", "Answers"},
    [T_POINTS] = {"Pisteet", "Poäng", "Points"},
    [T_SHARE] = {"Osuus vastaajista", "Andel av svarande", "Share of respondents"},
    [T_POINTS_NOTE] = {"Järjestykseen asettaminen: ensimmäiseksi asetettu vaihtoehto saa eniten "
                       "pisteitä.",
                       "Rangordning: det alternativ som rangordnats först får flest poäng.",
                       "Ranking: an option ranked first gets the most points."},
    [T_QUOTES] = {"Osallistujien sanoin", "Med deltagarnas ord", "In participants' words"},
    [T_PARTICIPATION] = {"Osallistuminen", "Deltagande", "Participation"},
    [T_PARTICIPANTS] = {"Osallistujia", "Deltagare", "Participants"},
    [T_POSTS] = {"Viestejä", "Inlägg", "Posts"},
    [T_VOTES_CAST] = {"Ääniä", "Röster", "Votes"},
    [T_RESPONSES] = {"Kyselyvastauksia", "Enkätsvar", "Survey responses"},
    [T_BY_AGE] = {"Osallistujat ikäryhmittäin", "Deltagare efter åldersgrupp",
                  "Participants by age group"},
    [T_BY_MUNICIPALITY] = {"Osallistujat kunnittain", "Deltagare efter kommun",
                           "Participants by municipality"},
    [T_AGE_GROUP] = {"Ikäryhmä", "Åldersgrupp", "Age group"},
    [T_MUNICIPALITY] = {"Kunta", "Kommun", "Municipality"},
    [T_UNKNOWN] = {"ei tiedossa", "okänd", "unknown"},
    [T_SUPPRESSED_NOTE] = {"Alle 5 hengen ryhmien lukuja ei näytetä, ettei ketään voi tunnistaa.",
                           "Siffror för grupper med färre än 5 personer visas inte, så att "
                           "ingen kan identifieras.",
                           "Figures for groups of fewer than 5 people are not shown, so that no "
                           "one can be identified."},
    [T_ALL_RESULTS] = {"Kaikki tulokset", "Alla resultat", "All results"},
    [T_FEED] = {"Atom-syöte", "Atom-flöde", "Atom feed"},
    [T_STATEMENT] = {"Saavutettavuusseloste", "Tillgänglighetsredogörelse",
                     "Accessibility statement"},
    [T_FOOTER_NAV] = {"Alatunniste", "Sidfot", "Footer"},
    [T_PREVIEW_DRAFT] = {"Esikatselu – tämä sivu ei ole julkinen.",
                         "Förhandsvisning – den här sidan är inte offentlig.",
                         "Preview – this page is not public."},
    [T_PREVIEW_EDITS] = {"Esikatselu: muutokset eivät ole vielä julkisia.",
                         "Förhandsvisning: ändringarna är inte offentliga ännu.",
                         "Preview: the changes are not public yet."},
    [T_FOLLOW_UP_COUNTS] = {"Seuranta", "Uppföljning", "Follow-up"},
    [T_FEED_SUBTITLE] = {"Julkaistut tulokset ja mitä niiden pohjalta on tehty.",
                         "Publicerade resultat och vad som har gjorts utifrån dem.",
                         "Published results and what has been done about them."},
    [T_PAGE_DESCRIPTION] = {"Asukkaiden osallistumisen tulokset.",
                            "Resultat av invånarnas deltagande.",
                            "Results of residents' participation."},
};

static const char *text(enum text t, int lang)
{
    return texts[t][lang];
}

static const char *const lang_names[LANG_COUNT] = {"Suomi", "Svenska", "English"};
static const char *const og_locales[LANG_COUNT] = {"fi_FI", "sv_FI", "en_GB"};

/* Where each public route lives; the Finnish path is the canonical one. */
const char *const results_mountpoints[RESULTS_MOUNT_COUNT] = {
    "/tulokset",
    "/results",
    "/resultat",
    "/tulokset.atom",
    "/results.atom",
    "/resultat.atom",
    "/saavutettavuusseloste",
    "/tillganglighetsredogorelse",
    "/accessibility",
};

int results_texts_missing(void)
{
    int missing = 0;
    for (int t = 0; t < T_COUNT; t++)
        for (int l = 0; l < LANG_COUNT; l++)
            missing += !texts[t][l] || !texts[t][l][0];
    return missing;
}

/* ---- a bounded buffer ---- */

/* A page is built in a strbuf capped at RESULTS_PAGE_MAX (past it, or out
 * of memory, the result is NULL). */
typedef strbuf buf;
#define BUF_INIT                                                                                   \
    {                                                                                              \
        .max = RESULTS_PAGE_MAX                                                                    \
    }

static void put(buf *b, const char *s)
{
    strbuf_put(b, s, strlen(s));
}

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        strbuf_put(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    strbuf_put(b, big, (size_t)n);
    free(big);
}

/* Escapes s for HTML text and attribute values, and for XML: the five
 * special characters, and control characters dropped (XML 1.0 has no way
 * to write them). */
static void esc(buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *c = s; *c; c++) {
        const char *rep = NULL;
        switch (*c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            if ((unsigned char)*c < 0x20 && *c != '\n' && *c != '\t' && *c != '\r')
                rep = "";
        }
        /* U+FFFE and U+FFFF are not characters XML allows: dropped. */
        if ((unsigned char)c[0] == 0xEF && (unsigned char)c[1] == 0xBF &&
            ((unsigned char)c[2] == 0xBE || (unsigned char)c[2] == 0xBF)) {
            strbuf_put(b, run, (size_t)(c - run));
            c += 2;
            run = c + 1;
            continue;
        }
        if (rep) {
            strbuf_put(b, run, (size_t)(c - run));
            put(b, rep);
            run = c + 1;
        }
    }
    put(b, run);
}

static char *finish(buf *b)
{
    if (b->failed) {
        free(b->s);
        return NULL;
    }
    return b->s ? b->s : strdup("");
}

/* ---- reading the documents ---- */

static const char *jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* 1 and *v if obj[key] is an integer. */
static int jint(json_t *obj, const char *key, long long *v)
{
    json_t *n = json_object_get(obj, key);
    if (!json_is_integer(n))
        return 0;
    *v = json_integer_value(n);
    return 1;
}

static long long jint_or(json_t *obj, const char *key, long long dflt)
{
    long long v;
    return jint(obj, key, &v) ? v : dflt;
}

/* The first n code points of valid UTF-8 s, cut at a word when it is
 * longer, with "…". */
static void put_excerpt(buf *b, const char *s, size_t max_chars)
{
    if (!s)
        return;
    size_t chars = 0, i = 0, last_space = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (chars == max_chars)
            break;
        if (s[i] == ' ' || s[i] == '\n')
            last_space = i;
        chars++;
    }
    if (!s[i]) {
        esc(b, s);
        return;
    }
    size_t cut = last_space > i / 2 ? last_space : i;
    char *part = strndup(s, cut);
    if (!part) {
        b->failed = 1;
        return;
    }
    while (cut && (part[cut - 1] == ' ' || part[cut - 1] == ',' || part[cut - 1] == '.'))
        part[--cut] = '\0';
    esc(b, part);
    put(b, "…");
    free(part);
}

/* ---- dates, in the server's local time ---- */

static const char *const months_en[12] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};

/* A date of an ISO time ("2026-11-22T08:05:57.123Z", local) or of a plain
 * "2026-11-22". 0 if s is neither. */
static int read_date(const char *s, struct tm *tm)
{
    memset(tm, 0, sizeof *tm);
    if (!s)
        return 0;
    int64_t ms;
    if (!time_parse_iso(s, &ms)) {
        time_t secs = (time_t)(ms / 1000);
        return localtime_r(&secs, tm) != NULL;
    }
    int y, m, d;
    char end;
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3 && m >= 1 && m <= 12 &&
        d >= 1 && d <= 31) {
        tm->tm_year = y - 1900;
        tm->tm_mon = m - 1;
        tm->tm_mday = d;
        return 1;
    }
    return 0;
}

/* <time datetime="2026-11-22">22.11.2026</time>, or nothing. */
static void put_date(buf *b, const char *iso, int lang)
{
    struct tm tm;
    if (!read_date(iso, &tm))
        return;
    putf(b, "<time datetime=\"%04d-%02d-%02d\">", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    if (lang == LANG_EN)
        putf(b, "%d %s %d", tm.tm_mday, months_en[tm.tm_mon], tm.tm_year + 1900);
    else
        putf(b, "%d.%d.%d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
    put(b, "</time>");
}

static void put_date_range(buf *b, json_t *from_to_obj, int lang)
{
    const char *from = jstr(from_to_obj, "starts_at"), *to = jstr(from_to_obj, "ends_at");
    struct tm tm;
    if (!read_date(from, &tm) && !read_date(to, &tm))
        return;
    putf(b, "<p class=\"results-meta\">%s: ", text(T_PERIOD, lang));
    put_date(b, from, lang);
    put(b, "–");
    put_date(b, to, lang);
    put(b, "</p>\n");
}

/* "Julkaistu 2.11.2026, päivitetty 20.11.2026" */
static void put_published(buf *b, const char *first, const char *latest, int updated, int lang)
{
    struct tm tm;
    if (!read_date(first, &tm)) {
        if (!latest)
            putf(b, "<p class=\"results-meta\">%s</p>\n", text(T_NOT_PUBLISHED, lang));
        return;
    }
    putf(b, "<p class=\"results-meta\">%s ", text(T_PUBLISHED, lang));
    put_date(b, first, lang);
    if (updated && read_date(latest, &tm)) {
        putf(b, ", %s ", text(T_UPDATED, lang));
        put_date(b, latest, lang);
    }
    put(b, "</p>\n");
}

/* ---- the frame every page shares ---- */

/* The public origin, e.g. "https://raati.example.fi". */
static const char *origin(const config *cfg)
{
    return cfg->origins[0];
}

static void put_site_name(buf *b, const config *cfg, int lang)
{
    if (cfg->region_name[lang][0]) {
        esc(b, cfg->region_name[lang]);
        put(b, " – ");
    }
    put(b, "Raati");
}

/* The head's shared part: everything after <title>. path is the page's
 * canonical path ("/tulokset/<slug>", escaped here) with no query. */
struct head {
    const char *title;       /* escaped here */
    const char *description; /* plain text, escaped here; may be NULL */
    const char *og_type;     /* "article" or "website" */
    const char *path;
    int noindex;
    const char *published, *modified; /* article times, may be NULL */
};

static void put_url(buf *b, const config *cfg, const char *path, int lang)
{
    esc(b, origin(cfg));
    esc(b, path);
    putf(b, "?lang=%s", config_lang_names[lang]);
}

static void put_head(buf *b, const config *cfg, int lang, const struct head *h)
{
    putf(b,
         "<!doctype html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"color-scheme\" content=\"light\">\n<title>",
         config_lang_names[lang]);
    esc(b, h->title);
    put(b, " – ");
    put_site_name(b, cfg, lang);
    put(b, "</title>\n");
    if (h->description && h->description[0]) {
        put(b, "<meta name=\"description\" content=\"");
        put_excerpt(b, h->description, 200);
        put(b, "\">\n");
    }
    if (h->noindex)
        put(b, "<meta name=\"robots\" content=\"noindex\">\n");
    putf(b, "<meta property=\"og:type\" content=\"%s\">\n<meta property=\"og:title\" content=\"",
         h->og_type);
    esc(b, h->title);
    put(b, "\">\n");
    if (h->description && h->description[0]) {
        put(b, "<meta property=\"og:description\" content=\"");
        put_excerpt(b, h->description, 200);
        put(b, "\">\n");
    }
    put(b, "<meta property=\"og:url\" content=\"");
    put_url(b, cfg, h->path, lang);
    put(b, "\">\n<meta property=\"og:site_name\" content=\"");
    put_site_name(b, cfg, lang);
    putf(b, "\">\n<meta property=\"og:locale\" content=\"%s\">\n", og_locales[lang]);
    for (int l = 0; l < LANG_COUNT; l++)
        if (l != lang)
            putf(b, "<meta property=\"og:locale:alternate\" content=\"%s\">\n", og_locales[l]);
    if (h->published)
        putf(b, "<meta property=\"article:published_time\" content=\"%s\">\n", h->published);
    if (h->modified)
        putf(b, "<meta property=\"article:modified_time\" content=\"%s\">\n", h->modified);
    put(b, "<link rel=\"canonical\" href=\"");
    put_url(b, cfg, h->path, lang);
    put(b, "\">\n");
    for (int l = 0; l < LANG_COUNT; l++) {
        putf(b, "<link rel=\"alternate\" hreflang=\"%s\" href=\"", config_lang_names[l]);
        put_url(b, cfg, h->path, l);
        put(b, "\">\n");
    }
    put(b, "<link rel=\"alternate\" hreflang=\"x-default\" href=\"");
    esc(b, origin(cfg));
    esc(b, h->path);
    putf(b, "\">\n<link rel=\"alternate\" type=\"application/atom+xml\" title=\"%s\" href=\"",
         text(T_FEED, lang));
    put_url(b, cfg, "/tulokset.atom", lang);
    put(b, "\">\n<link rel=\"stylesheet\" href=\"/css/raati.css\">\n"
           "<link rel=\"stylesheet\" href=\"/css/results.css\">\n</head>\n");
}

/* The header: the brand (a link to the index), the language switcher
 * (links to this page in each language; query adds e.g. "&preview=1") and
 * a link to the app. */
static void put_header(buf *b, const config *cfg, int lang, const char *path, const char *query)
{
    putf(b,
         "<body class=\"results-site\">\n<a class=\"skip-link\" href=\"#main\">%s</a>\n"
         "<header class=\"site-header\">\n<div class=\"container header-inner\">\n"
         "<a class=\"brand\" href=\"/tulokset?lang=%s\">\n",
         text(T_SKIP, lang), config_lang_names[lang]);
    put(b, "<svg class=\"brand-mark\" viewBox=\"0 0 32 32\" width=\"32\" height=\"32\" "
           "aria-hidden=\"true\" focusable=\"false\"><rect x=\"1\" y=\"1\" width=\"30\" "
           "height=\"30\" rx=\"8\" fill=\"#ffffff\"/><path d=\"M8 10.5c0-1.4 1.1-2.5 "
           "2.5-2.5h11c1.4 0 2.5 1.1 2.5 2.5v7c0 1.4-1.1 2.5-2.5 2.5H15l-4.5 4v-4h0c-1.4 "
           "0-2.5-1.1-2.5-2.5z\" fill=\"#0b4f8a\"/></svg>\n");
    putf(b, "<span class=\"brand-text\"><span class=\"brand-name\">Raati · %s</span>",
         text(T_RESULTS, lang));
    if (cfg->region_name[lang][0]) {
        put(b, "<span class=\"brand-region\">");
        esc(b, cfg->region_name[lang]);
        put(b, "</span>");
    }
    putf(b,
         "</span></a>\n<div class=\"header-tools\">\n"
         "<nav class=\"lang-switch\" aria-label=\"%s\"><ul class=\"lang-switch__list\">",
         text(T_LANG_GROUP, lang));
    for (int l = 0; l < LANG_COUNT; l++) {
        put(b, "<li><a class=\"lang-switch__link\" href=\"");
        esc(b, path);
        putf(b, "?lang=%s%s\" lang=\"%s\" hreflang=\"%s\"%s>%s</a></li>", config_lang_names[l],
             query ? query : "", config_lang_names[l], config_lang_names[l],
             l == lang ? " aria-current=\"true\"" : "", lang_names[l]);
    }
    putf(b,
         "</ul></nav>\n<nav class=\"site-nav\" aria-label=\"%s\"><ul class=\"site-nav__list\">"
         "<li><a class=\"site-nav__link\" href=\"/tulokset?lang=%s\">%s</a></li>"
         "<li><a class=\"site-nav__link\" href=\"/\">%s</a></li></ul></nav>\n"
         "</div>\n</div>\n</header>\n"
         "<main id=\"main\" tabindex=\"-1\" class=\"container site-main results-main\">\n",
         text(T_NAV, lang), config_lang_names[lang], text(T_RESULTS, lang),
         text(T_TAKE_PART, lang));
}

static void put_footer(buf *b, const config *cfg, int lang)
{
    const char *l = config_lang_names[lang];
    putf(b,
         "</main>\n<footer class=\"site-footer\">\n<div class=\"container footer-inner\">\n"
         "<nav aria-label=\"%s\"><ul class=\"results-footer__links\">"
         "<li><a href=\"/tulokset?lang=%s\">%s</a></li>"
         "<li><a href=\"/tulokset.atom?lang=%s\">%s</a></li>"
         "<li><a href=\"%s?lang=%s\">%s</a></li>"
         "<li><a href=\"/\">%s</a></li></ul></nav>\n<p>",
         text(T_FOOTER_NAV, lang), l, text(T_ALL_RESULTS, lang), l, text(T_FEED, lang),
         results_mountpoints[6 + lang], l, text(T_STATEMENT, lang), text(T_TAKE_PART, lang));
    put_site_name(b, cfg, lang);
    put(b, "</p>\n</div>\n</footer>\n</body>\n</html>\n");
}

/* ---- one period's page ---- */

static const struct status_info {
    const char *name;
    enum text label;
    const char *mark; /* a shape beside the word, so colour is never alone */
} statuses[] = {
    {"considering", T_CONSIDERING, "?"},
    {"in_progress", T_IN_PROGRESS, "→"},
    {"done", T_DONE, "✓"},
    {"declined", T_DECLINED, "✕"},
};
#define STATUS_COUNT (int)(sizeof statuses / sizeof statuses[0])

static int status_index(const char *name)
{
    for (int i = 0; name && i < STATUS_COUNT; i++)
        if (!strcmp(name, statuses[i].name))
            return i;
    return -1;
}

static void put_follow_up(buf *b, json_t *fu, int lang)
{
    int s = status_index(jstr(fu, "status"));
    long long id = jint_or(fu, "id", 0);
    putf(b, "<li class=\"follow-up follow-up--%s\" id=\"follow-up-%lld\">",
         s < 0 ? "other" : statuses[s].name, id);
    put(b, "<p class=\"follow-up__head\">");
    if (s >= 0)
        putf(b,
             "<span class=\"status status--%s\"><span class=\"status__mark\" "
             "aria-hidden=\"true\">%s</span> %s</span> ",
             statuses[s].name, statuses[s].mark, text(statuses[s].label, lang));
    put_date(b, jstr(fu, "date"), lang);
    put(b, "</p>");
    const char *t = jstr(fu, "text");
    if (t && t[0]) {
        put(b, "<p class=\"follow-up__text\">");
        esc(b, t);
        put(b, "</p>");
    }
    const char *reason = jstr(fu, "reason");
    if (reason && reason[0]) {
        putf(b, "<p class=\"follow-up__reason\"><strong>%s:</strong> ", text(T_REASON, lang));
        esc(b, reason);
        put(b, "</p>");
    }
    put(b, "</li>\n");
}

static void put_finding(buf *b, json_t *finding, int lang)
{
    long long id = jint_or(finding, "id", 0);
    putf(b, "<section class=\"finding\" id=\"finding-%lld\" aria-labelledby=\"finding-%lld-h\">\n",
         id, id);
    putf(b, "<h3 id=\"finding-%lld-h\">", id);
    esc(b, jstr(finding, "title"));
    put(b, "</h3>\n");
    const char *body = jstr(finding, "body_html");
    if (body)
        put(b, body); /* cmark's safe output */
    json_t *fus = json_object_get(finding, "follow_ups");
    if (json_array_size(fus)) {
        putf(b, "<h4 class=\"follow-ups__title\">%s</h4>\n<ol class=\"follow-ups\">\n",
             text(T_FOLLOW_UPS, lang));
        size_t i;
        json_t *fu;
        json_array_foreach(fus, i, fu) put_follow_up(b, fu, lang);
        put(b, "</ol>\n");
    }
    put(b, "</section>\n");
}

static void put_findings(buf *b, json_t *doc, int lang)
{
    json_t *findings = json_object_get(doc, "findings");
    if (!json_array_size(findings))
        return;
    putf(b,
         "<section class=\"results-section\" aria-labelledby=\"findings-h\">\n"
         "<h2 id=\"findings-h\">%s</h2>\n",
         text(T_FINDINGS, lang));
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f) put_finding(b, f, lang);
    put(b, "</section>\n");
}

/* A decimal with the language's mark: 3,4 or 3.4. */
static void put_decimal(buf *b, double v, int lang)
{
    char num[32];
    snprintf(num, sizeof num, "%.1f", v);
    if (lang != LANG_EN)
        for (char *c = num; *c; c++)
            if (*c == '.')
                *c = ',';
    put(b, num);
}

static void put_percent(buf *b, long long part, long long whole, int lang)
{
    long long pct = whole > 0 ? (part * 100 + whole / 2) / whole : 0;
    putf(b, lang == LANG_EN ? "%lld%%" : "%lld\u00a0%%", pct);
}

/* A bar label in the chart: SVG text does not wrap, so long ones are cut
 * (the table beside it has them whole). */
static void put_svg_label(buf *b, const char *label)
{
    put_excerpt(b, label ? label : "", 42);
}

#define CHART_WIDTH 320
#define CHART_ROW 40
#define CHART_BAR_MAX 264

/* The horizontal bars: decoration for sighted readers; the table carries
 * the numbers for everyone. */
static void put_chart_svg(buf *b, json_t *bars)
{
    long long max = 0;
    size_t i, n = json_array_size(bars);
    json_t *bar;
    json_array_foreach(bars, i, bar)
    {
        long long c = jint_or(bar, "count", 0);
        if (c > max)
            max = c;
    }
    int height = (int)n * CHART_ROW + 4;
    putf(b,
         "<svg class=\"chart__svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
         "aria-hidden=\"true\" focusable=\"false\">",
         CHART_WIDTH, height, CHART_WIDTH, height);
    json_array_foreach(bars, i, bar)
    {
        long long c = jint_or(bar, "count", 0);
        int y = (int)i * CHART_ROW;
        int w = max > 0 ? (int)(c * CHART_BAR_MAX / max) : 0;
        putf(b, "<text x=\"0\" y=\"%d\" font-size=\"13\" fill=\"#1b2430\">", y + 14);
        put_svg_label(b, jstr(bar, "label"));
        putf(b,
             "</text><rect x=\"0\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"#0b4f8a\"/>"
             "<rect x=\"0\" y=\"%d\" width=\"2\" height=\"16\" fill=\"#4a5563\"/>"
             "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#1b2430\">%lld</text>",
             y + 19, w, y + 19, w + 6, y + 32, c);
    }
    put(b, "</svg>\n");
}

/* The numbers of a chart as a table, in a region that scrolls sideways
 * (and can be reached by keyboard) when a narrow screen cannot hold it;
 * labelled by the chart's title, title_id. */
static void put_chart_table(buf *b, json_t *q, int ranking, const char *title_id, int lang)
{
    json_t *bars = json_object_get(q, "bars");
    long long voters = jint_or(q, "voters", 0);
    putf(b,
         "<div class=\"table-wrap chart__numbers\" role=\"region\" tabindex=\"0\" "
         "aria-labelledby=\"%s\">"
         "<table class=\"chart__table\"><thead><tr><th scope=\"col\">%s</th>"
         "<th scope=\"col\">%s</th>",
         title_id, text(T_OPTION, lang), text(ranking ? T_POINTS : T_VOTES, lang));
    if (!ranking)
        putf(b, "<th scope=\"col\">%s</th>", text(T_SHARE, lang));
    put(b, "</tr></thead><tbody>");
    size_t i;
    json_t *bar;
    json_array_foreach(bars, i, bar)
    {
        long long c = jint_or(bar, "count", 0);
        put(b, "<tr><th scope=\"row\">");
        esc(b, jstr(bar, "label"));
        putf(b, "</th><td>%lld</td>", c);
        if (!ranking) {
            put(b, "<td>");
            put_percent(b, c, voters, lang);
            put(b, "</td>");
        }
        put(b, "</tr>");
    }
    put(b, "</tbody></table></div>\n");
}

/* One poll or survey question: its caption, the bars and the numbers. */
static void put_chart(buf *b, json_t *q, const char *id_prefix, int lang)
{
    const char *kind = jstr(q, "kind");
    int ranking = kind && !strcmp(kind, "ranking");
    long long id = jint_or(q, "id", 0);
    putf(b, "<figure class=\"chart\" id=\"%s-%lld\">\n<figcaption>", id_prefix, id);
    putf(b, "<span class=\"chart__title\" id=\"%s-%lld-title\">", id_prefix, id);
    esc(b, jstr(q, "title"));
    put(b, "</span> <span class=\"chart__meta\">");
    putf(b, text(T_ANSWERED, lang), jint_or(q, "voters", 0));
    json_t *mean = json_object_get(q, "mean");
    if (json_is_number(mean)) {
        putf(b, ", %s ", text(T_MEAN, lang));
        put_decimal(b, json_number_value(mean), lang);
    }
    json_t *scale = json_object_get(q, "scale");
    const char *min_label = jstr(scale, "min_label"), *max_label = jstr(scale, "max_label");
    if (json_is_object(scale) && (min_label || max_label)) {
        put(b, " (");
        if (min_label) {
            putf(b, "%lld = ", jint_or(scale, "min", 0));
            esc(b, min_label);
        }
        if (min_label && max_label)
            put(b, ", ");
        if (max_label) {
            putf(b, "%lld = ", jint_or(scale, "max", 0));
            esc(b, max_label);
        }
        put(b, ")");
    }
    put(b, "</span>");
    if (ranking)
        putf(b, " <span class=\"chart__note\">%s</span>", text(T_POINTS_NOTE, lang));
    put(b, "</figcaption>\n<div class=\"chart__body\">\n");
    put_chart_svg(b, json_object_get(q, "bars"));
    char title_id[48];
    snprintf(title_id, sizeof title_id, "%s-%lld-title", id_prefix, id);
    put_chart_table(b, q, ranking, title_id, lang);
    put(b, "</div>\n</figure>\n");
}

static void put_charts(buf *b, json_t *doc, int lang)
{
    json_t *polls = json_object_get(doc, "polls"), *surveys = json_object_get(doc, "surveys");
    if (!json_array_size(polls) && !json_array_size(surveys))
        return;
    putf(b,
         "<section class=\"results-section\" aria-labelledby=\"charts-h\">\n"
         "<h2 id=\"charts-h\">%s</h2>\n",
         text(T_CHARTS, lang));
    size_t i, j;
    json_t *p, *s, *q;
    json_array_foreach(polls, i, p) put_chart(b, p, "poll", lang);
    json_array_foreach(surveys, i, s)
    {
        putf(b, "<section class=\"survey\" aria-labelledby=\"survey-%lld-h\">\n",
             jint_or(s, "id", 0));
        putf(b, "<h3 id=\"survey-%lld-h\">", jint_or(s, "id", 0));
        esc(b, jstr(s, "title"));
        put(b, "</h3>\n<p>");
        putf(b, text(T_RESPONDENTS, lang), jint_or(s, "respondents", 0));
        put(b, "</p>\n");
        json_array_foreach(json_object_get(s, "questions"), j, q) put_chart(b, q, "question", lang);
        put(b, "</section>\n");
    }
    put(b, "</section>\n");
}

static void put_quotes(buf *b, json_t *doc, int lang)
{
    json_t *quotes = json_object_get(doc, "quotes");
    if (!json_array_size(quotes))
        return;
    putf(b,
         "<section class=\"results-section\" aria-labelledby=\"quotes-h\">\n"
         "<h2 id=\"quotes-h\">%s</h2>\n",
         text(T_QUOTES, lang));
    size_t i;
    json_t *q;
    json_array_foreach(quotes, i, q)
    {
        put(b, "<blockquote class=\"quote\"><p>");
        esc(b, jstr(q, "text"));
        put(b, "</p></blockquote>\n");
    }
    put(b, "</section>\n");
}

/* A count, or "<5" when suppressed, or "–" for a suppressed group's other
 * columns. */
static void put_count(buf *b, json_t *obj, const char *key, const char *if_null)
{
    long long v;
    if (jint(obj, key, &v))
        putf(b, "%lld", v);
    else
        esc(b, if_null);
}

static void put_group_name(buf *b, const config *cfg, json_t *row, int by_age, int lang)
{
    const char *id = jstr(row, by_age ? "group" : "municipality");
    if (!id || !strcmp(id, "unknown")) {
        put(b, text(T_UNKNOWN, lang));
        return;
    }
    if (by_age) {
        /* "15-24" with an en dash, as numbers ranges are written */
        const char *dash = strchr(id, '-');
        if (dash) {
            strbuf_put(b, id, (size_t)(dash - id));
            put(b, "–");
            esc(b, dash + 1);
        } else {
            esc(b, id);
        }
        return;
    }
    const config_item *m = config_find_item(&cfg->municipalities, id);
    esc(b, m && m->name[lang][0] ? m->name[lang] : id);
}

static void put_breakdown(buf *b, const config *cfg, json_t *rows, int by_age, int lang)
{
    if (!json_array_size(rows))
        return;
    const char *hid = by_age ? "by-age-h" : "by-municipality-h";
    putf(b, "<h3 id=\"%s\">%s</h3>\n", hid, text(by_age ? T_BY_AGE : T_BY_MUNICIPALITY, lang));
    putf(b,
         "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-labelledby=\"%s\">"
         "<table class=\"figures-table\" aria-labelledby=\"%s\">"
         "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
         "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
         hid, hid, text(by_age ? T_AGE_GROUP : T_MUNICIPALITY, lang), text(T_PARTICIPANTS, lang),
         text(T_POSTS, lang), text(T_VOTES_CAST, lang));
    int suppressed = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        int hidden = json_is_true(json_object_get(row, "suppressed"));
        suppressed |= hidden || !json_is_integer(json_object_get(row, "participants"));
        put(b, "<tr><th scope=\"row\">");
        put_group_name(b, cfg, row, by_age, lang);
        put(b, "</th><td>");
        put_count(b, row, "participants", "<5");
        put(b, "</td><td>");
        put_count(b, row, "posts", "–");
        put(b, "</td><td>");
        put_count(b, row, "votes", "–");
        put(b, "</td></tr>");
    }
    put(b, "</tbody></table></div>\n");
    if (suppressed)
        putf(b, "<p class=\"table-note\">%s</p>\n", text(T_SUPPRESSED_NOTE, lang));
}

static void put_figures(buf *b, const config *cfg, json_t *doc, int lang)
{
    json_t *fig = json_object_get(doc, "figures");
    if (!json_is_object(fig))
        return;
    putf(b,
         "<section class=\"results-section\" aria-labelledby=\"figures-h\">\n"
         "<h2 id=\"figures-h\">%s</h2>\n<dl class=\"totals\">",
         text(T_PARTICIPATION, lang));
    static const struct {
        const char *key;
        enum text label;
    } totals[] = {{"participants", T_PARTICIPANTS},
                  {"posts", T_POSTS},
                  {"votes", T_VOTES_CAST},
                  {"responses", T_RESPONSES}};
    int suppressed = 0;
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
        putf(b, "<div class=\"totals__item\"><dt>%s</dt><dd>", text(totals[i].label, lang));
        suppressed |= !json_is_integer(json_object_get(fig, totals[i].key));
        put_count(b, fig, totals[i].key, "<5");
        put(b, "</dd></div>");
    }
    put(b, "</dl>\n");
    if (suppressed)
        putf(b, "<p class=\"table-note\">%s</p>\n", text(T_SUPPRESSED_NOTE, lang));
    put_breakdown(b, cfg, json_object_get(fig, "by_age_group"), 1, lang);
    put_breakdown(b, cfg, json_object_get(fig, "by_municipality"), 0, lang);
    put(b, "</section>\n");
}

static void put_preview_banner(buf *b, enum results_preview preview, int lang)
{
    if (preview == RESULTS_PUBLIC)
        return;
    putf(b, "<div class=\"preview-banner\"><p><strong>%s</strong></p></div>\n",
         text(preview == RESULTS_PREVIEW_DRAFT ? T_PREVIEW_DRAFT : T_PREVIEW_EDITS, lang));
}

char *results_page_html(const config *cfg, json_t *doc, int lang, enum results_preview preview)
{
    if (lang < 0 || lang >= LANG_COUNT || !json_is_object(doc))
        return NULL;
    buf b = BUF_INIT;
    json_t *period = json_object_get(doc, "period");
    const char *slug = jstr(doc, "slug");
    const char *title = jstr(period, "title");
    char path[128];
    snprintf(path, sizeof path, "/tulokset/%s", slug && results_slug_valid(slug) ? slug : "");
    const char *first = jstr(doc, "first_published_at"), *latest = jstr(doc, "published_at");
    long long version = jint_or(doc, "version", 0);
    struct head h = {
        .title = title ? title : text(T_RESULTS, lang),
        .description = jstr(doc, "summary_text"),
        .og_type = "article",
        .path = path,
        .noindex = preview != RESULTS_PUBLIC,
        .published = first,
        .modified = latest,
    };
    if (!h.description || !h.description[0])
        h.description = text(T_PAGE_DESCRIPTION, lang);
    put_head(&b, cfg, lang, &h);
    put_header(&b, cfg, lang, path, preview != RESULTS_PUBLIC ? "&amp;preview=1" : NULL);
    put_preview_banner(&b, preview, lang);
    put(&b, "<article class=\"results\">\n<header class=\"results-head\">\n<h1>");
    esc(&b, h.title);
    put(&b, "</h1>\n");
    put_date_range(&b, period, lang);
    put_published(&b, first, latest, version > 1, lang);
    put(&b, "</header>\n");
    const char *summary = jstr(doc, "summary_html");
    if (summary && summary[0])
        putf(&b,
             "<section class=\"results-section results-summary\" aria-labelledby=\"summary-h\">\n"
             "<h2 id=\"summary-h\">%s</h2>\n%s</section>\n",
             text(T_SUMMARY, lang), summary);
    put_findings(&b, doc, lang);
    put_charts(&b, doc, lang);
    put_quotes(&b, doc, lang);
    put_figures(&b, cfg, doc, lang);
    put(&b, "</article>\n");
    put_footer(&b, cfg, lang);
    return finish(&b);
}

/* ---- the index ---- */

static void put_follow_up_counts(buf *b, json_t *counts, int lang)
{
    int any = 0;
    for (int s = 0; s < STATUS_COUNT; s++) {
        long long n = jint_or(counts, statuses[s].name, 0);
        if (n <= 0)
            continue;
        putf(b, any ? ", " : "<p class=\"results-meta\">%s: ", text(T_FOLLOW_UP_COUNTS, lang));
        putf(b,
             "<span class=\"status status--%s\"><span class=\"status__mark\" "
             "aria-hidden=\"true\">%s</span> %s %lld</span>",
             statuses[s].name, statuses[s].mark, text(statuses[s].label, lang), n);
        any = 1;
    }
    if (any)
        put(b, "</p>\n");
}

static void put_index_item(buf *b, json_t *item, int lang)
{
    const char *slug = jstr(item, "slug");
    if (!slug || !results_slug_valid(slug))
        return;
    put(b, "<li class=\"results-item\">\n<h2 class=\"results-item__title\"><a href=\"/tulokset/");
    esc(b, slug);
    putf(b, "?lang=%s\">", config_lang_names[lang]);
    esc(b, jstr(item, "title"));
    put(b, "</a></h2>\n");
    put_date_range(b, item, lang);
    put_published(b, jstr(item, "first_published_at"), jstr(item, "published_at"),
                  json_is_true(json_object_get(item, "updated")), lang);
    const char *summary = jstr(item, "summary_text");
    if (summary && summary[0]) {
        put(b, "<p>");
        put_excerpt(b, summary, 240);
        put(b, "</p>\n");
    }
    put_follow_up_counts(b, json_object_get(item, "follow_ups"), lang);
    put(b, "</li>\n");
}

char *results_index_html(const config *cfg, json_t *index, int lang)
{
    if (lang < 0 || lang >= LANG_COUNT)
        return NULL;
    buf b = BUF_INIT;
    struct head h = {.title = text(T_RESULTS, lang),
                     .description = text(T_INDEX_INTRO, lang),
                     .og_type = "website",
                     .path = "/tulokset"};
    put_head(&b, cfg, lang, &h);
    put_header(&b, cfg, lang, "/tulokset", NULL);
    putf(&b, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", text(T_RESULTS, lang),
         text(T_INDEX_INTRO, lang));
    if (!json_array_size(index)) {
        putf(&b, "<p class=\"results-empty\">%s</p>\n", text(T_INDEX_EMPTY, lang));
    } else {
        put(&b, "<ol class=\"results-list\">\n");
        size_t i;
        json_t *item;
        json_array_foreach(index, i, item) put_index_item(&b, item, lang);
        put(&b, "</ol>\n");
    }
    put_footer(&b, cfg, lang);
    return finish(&b);
}

/* ---- the Atom feed ---- */

/* The host of the origin, for tag: URIs (no port: RFC 4151 wants a name). */
static void put_tag_host(buf *b, const config *cfg)
{
    const char *o = origin(cfg);
    const char *host = strstr(o, "://");
    host = host ? host + 3 : o;
    size_t n = strcspn(host, ":/");
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), host);
    esc(b, name);
}

static void put_feed_entry_head(buf *b, const config *cfg, json_t *e, int lang, const char *id)
{
    put(b, "<entry>\n<id>tag:");
    put_tag_host(b, cfg);
    putf(b, ",2026:%s</id>\n", id);
    put(b, "<link rel=\"alternate\" type=\"text/html\" href=\"");
    esc(b, origin(cfg));
    put(b, "/tulokset/");
    esc(b, jstr(e, "slug"));
    putf(b, "?lang=%s", config_lang_names[lang]);
}

/* Atom requires <updated>: an entry without a time of its own gets the
 * feed's. */
static void put_feed_times(buf *b, json_t *e, const char *feed_updated)
{
    const char *updated = jstr(e, "updated"), *published = jstr(e, "published");
    put(b, "<updated>");
    esc(b, updated ? updated : published ? published : feed_updated);
    put(b, "</updated>\n");
    if (published) {
        put(b, "<published>");
        esc(b, published);
        put(b, "</published>\n");
    }
}

static void put_feed_results(buf *b, const config *cfg, json_t *e, int lang,
                             const char *feed_updated)
{
    char id[128];
    snprintf(id, sizeof id, "results/%s", jstr(e, "slug"));
    put_feed_entry_head(b, cfg, e, lang, id);
    put(b, "\"/>\n<title>");
    esc(b, jstr(e, "title"));
    put(b, "</title>\n");
    put_feed_times(b, e, feed_updated);
    const char *summary = jstr(e, "summary_text");
    if (summary && summary[0]) {
        put(b, "<summary>");
        esc(b, summary);
        put(b, "</summary>\n");
    }
    put(b, "</entry>\n");
}

/* The finding's title, whether the feed gives it as a string or as an
 * object with a title. */
static const char *feed_finding_title(json_t *e)
{
    json_t *f = json_object_get(e, "finding");
    return json_is_object(f) ? jstr(f, "title") : json_string_value(f);
}

static void put_feed_follow_up(buf *b, const config *cfg, json_t *e, int lang,
                               const char *feed_updated)
{
    char id[64];
    long long fu_id = jint_or(e, "id", 0);
    snprintf(id, sizeof id, "follow-up/%lld", fu_id);
    put_feed_entry_head(b, cfg, e, lang, id);
    putf(b, "#follow-up-%lld\"/>\n<title>", fu_id);
    int s = status_index(jstr(e, "status"));
    esc(b, jstr(e, "title"));
    const char *finding = feed_finding_title(e);
    if (finding) {
        put(b, ": ");
        esc(b, finding);
    }
    if (s >= 0) {
        put(b, " – ");
        put(b, text(statuses[s].label, lang));
    }
    put(b, "</title>\n");
    put_feed_times(b, e, feed_updated);
    /* The content is HTML, written escaped into the XML. */
    buf html = BUF_INIT;
    const char *t = jstr(e, "text"), *reason = jstr(e, "reason");
    if (t && t[0]) {
        put(&html, "<p>");
        esc(&html, t);
        put(&html, "</p>");
    }
    if (reason && reason[0]) {
        putf(&html, "<p>%s: ", text(T_REASON, lang));
        esc(&html, reason);
        put(&html, "</p>");
    }
    if (html.failed)
        b->failed = 1;
    put(b, "<content type=\"html\">");
    esc(b, html.s);
    put(b, "</content>\n</entry>\n");
    free(html.s);
}

char *results_feed_xml(const config *cfg, json_t *feed, int lang)
{
    if (lang < 0 || lang >= LANG_COUNT)
        return NULL;
    buf b = BUF_INIT;
    const char *l = config_lang_names[lang];
    putf(&b,
         "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"%s\">\n<title>%s – ",
         l, text(T_RESULTS, lang));
    put_site_name(&b, cfg, lang);
    putf(&b, "</title>\n<subtitle>%s</subtitle>\n<id>tag:", text(T_FEED_SUBTITLE, lang));
    put_tag_host(&b, cfg);
    put(&b, ",2026:results</id>\n<updated>");
    /* The newest entry's time; an empty feed is as new as the server. */
    const char *updated = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(feed, i, e)
    {
        if ((updated = jstr(e, "updated")))
            break;
    }
    char now[TIME_ISO_SIZE];
    if (!updated) {
        time_iso(time_now_ms(), now);
        updated = now;
    }
    esc(&b, updated);
    put(&b, "</updated>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    esc(&b, origin(cfg));
    putf(&b, "/tulokset.atom?lang=%s\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"", l);
    esc(&b, origin(cfg));
    putf(&b, "/tulokset?lang=%s\"/>\n<author><name>", l);
    put_site_name(&b, cfg, lang);
    put(&b, "</name></author>\n");
    json_array_foreach(feed, i, e)
    {
        const char *kind = jstr(e, "kind"), *slug = jstr(e, "slug");
        if (!kind || !slug || !results_slug_valid(slug))
            continue;
        if (!strcmp(kind, "results"))
            put_feed_results(&b, cfg, e, lang, updated);
        else if (!strcmp(kind, "follow_up"))
            put_feed_follow_up(&b, cfg, e, lang, updated);
    }
    put(&b, "</feed>\n");
    return finish(&b);
}

/* ---- the accessibility statement ---- */

/* markdown_html() shifts headings two levels down, for posts under a
 * page's own; here "#" is a section of the statement: h2. cmark writes
 * heading tags bare, and text never holds '<', so this is safe. */
static void put_headings_up(buf *b, const char *html)
{
    const char *run = html;
    for (const char *c = html; *c; c++) {
        const char *d = c[0] == '<' && c[1] == 'h'                  ? c + 2
                        : c[0] == '<' && c[1] == '/' && c[2] == 'h' ? c + 3
                                                                    : NULL;
        if (!d || *d < '3' || *d > '6' || d[1] != '>')
            continue;
        strbuf_put(b, run, (size_t)(d - run));
        char level = (char)(*d - 1);
        strbuf_put(b, &level, 1);
        run = d + 1;
        c = d;
    }
    put(b, run);
}

/* s as markdown text: every ASCII punctuation mark backslash-escaped. */
static void put_md_text(buf *b, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\`*_{}[]()<>#+-.!|&\"'~", *s) && *s)
            put(b, "\\");
        strbuf_put(b, s, 1);
    }
}

static const char *const email_placeholders[LANG_COUNT] = {
    "**[sähköpostiosoite]**", "**[e-postadress]**", "**[email address]**"};

/* The statement's markdown with {{region}} and {{contact_email}} filled
 * in from the configuration. */
static char *fill_statement(const config *cfg, const char *md, int lang)
{
    buf b = BUF_INIT;
    const char *email = cfg->contact_email;
    int plain_email =
        email[0] && strspn(email, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789.@_+-") == strlen(email);
    for (const char *c = md; *c;) {
        if (!strncmp(c, "{{region}}", 10)) {
            put_md_text(&b, cfg->region_name[lang][0] ? cfg->region_name[lang] : "Raati");
            c += 10;
        } else if (!strncmp(c, "{{contact_email}}", 17)) {
            if (plain_email)
                putf(&b, "[%s](mailto:%s)", email, email);
            else if (email[0])
                put_md_text(&b, email);
            else
                put(&b, email_placeholders[lang]);
            c += 17;
        } else {
            size_t n = strcspn(c + 1, "{") + 1;
            strbuf_put(&b, c, n);
            c += n;
        }
    }
    return finish(&b);
}

char *results_statement_html(const config *cfg, const char *markdown, int lang)
{
    if (lang < 0 || lang >= LANG_COUNT)
        return NULL;
    char *filled = fill_statement(cfg, markdown ? markdown : "", lang);
    char *body = filled ? markdown_html(filled) : NULL;
    free(filled);
    if (!body)
        return NULL;
    buf b = BUF_INIT;
    struct head h = {.title = text(T_STATEMENT, lang),
                     .og_type = "website",
                     .path = results_mountpoints[6 + lang]};
    put_head(&b, cfg, lang, &h);
    put_header(&b, cfg, lang, h.path, NULL);
    putf(&b, "<article class=\"statement\">\n<h1>%s</h1>\n", text(T_STATEMENT, lang));
    put_headings_up(&b, body);
    put(&b, "</article>\n");
    put_footer(&b, cfg, lang);
    free(body);
    return finish(&b);
}

#define STATEMENT_FILE_MAX (256 * 1024)

/* The statement file for lang, the region's own before the template:
 * its path into path and 1, or 0 if neither exists. */
static int statement_path(const config *cfg, int lang, char *path, size_t size, long long *mtime)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", cfg->db_path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    struct stat st;
    snprintf(path, size, "%s/saavutettavuusseloste.%s.md", dir, config_lang_names[lang]);
    if (!stat(path, &st) && S_ISREG(st.st_mode)) {
        *mtime = (long long)st.st_mtime;
        return 1;
    }
    snprintf(path, size, "%s/statement/saavutettavuusseloste.%s.md", cfg->web_root,
             config_lang_names[lang]);
    if (!stat(path, &st) && S_ISREG(st.st_mode)) {
        *mtime = (long long)st.st_mtime;
        return 1;
    }
    return 0;
}

char *results_statement_markdown(const config *cfg, int lang, long long *mtime)
{
    char path[2200];
    *mtime = 0;
    if (!statement_path(cfg, lang, path, sizeof path, mtime))
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text_buf = malloc(STATEMENT_FILE_MAX + 1);
    size_t n = text_buf ? fread(text_buf, 1, STATEMENT_FILE_MAX, f) : 0;
    fclose(f);
    if (!text_buf)
        return NULL;
    text_buf[n] = '\0';
    return text_buf;
}

/* ---- routes, languages, ETags ---- */

int results_slug_valid(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
    return n > 0 && n <= RESULTS_SLUG_MAX && !s[n];
}

int results_route_parse(const char *path, results_route *route)
{
    memset(route, 0, sizeof *route);
    for (int i = 0; i < 3; i++) {
        const char *prefix = results_mountpoints[i];
        size_t n = strlen(prefix);
        if (strncmp(path, prefix, n))
            continue;
        const char *rest = path + n;
        if (!*rest || !strcmp(rest, "/")) {
            route->what = RESULTS_INDEX;
            return 1;
        }
        if (!strcmp(rest, ".atom")) {
            route->what = RESULTS_FEED;
            return 1;
        }
        if (*rest != '/')
            continue;
        if (results_slug_valid(rest + 1)) {
            route->what = RESULTS_PAGE;
            snprintf(route->slug, sizeof route->slug, "%s", rest + 1);
        }
        return 1;
    }
    for (int i = 6; i < RESULTS_MOUNT_COUNT; i++)
        if (!strcmp(path, results_mountpoints[i])) {
            route->what = RESULTS_STATEMENT;
            return 1;
        }
    return 0;
}

/* A q-value: "1", "0.8", "0.125"; -1 if it is none. Written by hand: strtod
 * would read the locale's decimal mark. */
static int read_q(const char *s, size_t n)
{
    if (!n || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * 1000, scale = 100;
    if (n > 1 && s[1] != '.')
        return -1;
    for (size_t i = 2; i < n && i < 5; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        q += (s[i] - '0') * scale;
        scale /= 10;
    }
    return q > 1000 ? 1000 : q;
}

int results_pick_lang(const char *lang_arg, const char *accept_language)
{
    int l = lang_arg ? config_lang_parse(lang_arg) : -1;
    if (l >= 0)
        return l;
    if (!accept_language)
        return LANG_FI;
    int q[LANG_COUNT] = {-1, -1, -1}, order[LANG_COUNT] = {0}, star = -1, pos = 0;
    for (const char *item = accept_language; *item;) {
        size_t len = strcspn(item, ",");
        /* "sv-FI;q=0.8": the tag, then parameters */
        const char *tag = item;
        while (tag < item + len && (*tag == ' ' || *tag == '\t'))
            tag++;
        size_t tag_len = strcspn(tag, ";, \t");
        if (tag + tag_len > item + len)
            tag_len = (size_t)(item + len - tag);
        int qv = 1000;
        for (const char *p = tag + tag_len; p < item + len; p++)
            if (*p == ';') {
                const char *v = p + 1;
                while (v < item + len && (*v == ' ' || *v == '\t'))
                    v++;
                if (item + len - v > 2 && (v[0] == 'q' || v[0] == 'Q') && v[1] == '=') {
                    size_t vn = strcspn(v + 2, ";, \t");
                    qv = read_q(v + 2, vn);
                    if (qv < 0)
                        qv = 0;
                }
            }
        size_t primary = strcspn(tag, "-;, \t");
        if (primary > tag_len)
            primary = tag_len;
        pos++;
        if (tag_len == 1 && tag[0] == '*') {
            star = qv > star ? qv : star;
        } else {
            for (int i = 0; i < LANG_COUNT; i++)
                if (primary == 2 && !strncasecmp(tag, config_lang_names[i], 2) && qv > q[i]) {
                    if (q[i] < 0)
                        order[i] = pos;
                    q[i] = qv;
                }
        }
        item += len;
        if (*item == ',')
            item++;
    }
    /* Languages not named take the q of "*", after every named one. */
    for (int i = 0; i < LANG_COUNT; i++)
        if (q[i] < 0) {
            q[i] = star;
            order[i] = 1000 + i;
        }
    int best = LANG_FI;
    for (int i = 1; i < LANG_COUNT; i++)
        if (q[i] > q[best] || (q[i] == q[best] && order[i] < order[best]))
            best = i;
    return q[best] > 0 ? best : LANG_FI;
}

int results_etag_matches(const char *if_none_match, const char *etag)
{
    size_t etag_len = strlen(etag);
    for (const char *p = if_none_match; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        size_t n = strcspn(p, ", \t");
        if (n == etag_len && !memcmp(p, etag, n))
            return 1;
        p += n;
    }
    return 0;
}

void results_etag(const char *body, size_t len, char *out)
{
    unsigned char hash[16];
    crypto_generichash(hash, sizeof hash, (const unsigned char *)body, len, NULL, 0);
    out[0] = '"';
    sodium_bin2hex(out + 1, 33, hash, sizeof hash);
    out[33] = '"';
    out[34] = '\0';
}

/* ---- the cache ---- */

typedef struct {
    enum results_what what; /* RESULTS_NONE: a free slot */
    int lang;
    char slug[RESULTS_SLUG_MAX + 1];
    unsigned long generation;
    long long mtime;   /* the statement file's */
    time_t checked_at; /* when the statement file was last looked at */
    unsigned long used;
    char *body;
    char etag[RESULTS_ETAG_SIZE];
    results_cached out;
} cache_entry;

static cache_entry cache[RESULTS_CACHE_MAX];
static unsigned long cache_clock;

static const char *content_type_of(enum results_what what)
{
    return what == RESULTS_FEED ? "application/atom+xml; charset=utf-8"
                                : "text/html; charset=utf-8";
}

static void entry_free(cache_entry *e)
{
    free(e->body);
    memset(e, 0, sizeof *e);
}

void results_cache_clear(void)
{
    for (int i = 0; i < RESULTS_CACHE_MAX; i++)
        entry_free(&cache[i]);
}

int results_cache_count(void)
{
    int n = 0;
    for (int i = 0; i < RESULTS_CACHE_MAX; i++)
        n += cache[i].what != RESULTS_NONE;
    return n;
}

static cache_entry *cache_find(enum results_what what, const char *slug, int lang)
{
    for (int i = 0; i < RESULTS_CACHE_MAX; i++) {
        cache_entry *e = &cache[i];
        if (e->what == what && e->lang == lang && !strcmp(e->slug, slug))
            return e;
    }
    return NULL;
}

/* A free slot, else the one used longest ago. */
static cache_entry *cache_slot(void)
{
    cache_entry *oldest = &cache[0];
    for (int i = 0; i < RESULTS_CACHE_MAX; i++) {
        if (cache[i].what == RESULTS_NONE)
            return &cache[i];
        if (cache[i].used < oldest->used)
            oldest = &cache[i];
    }
    entry_free(oldest);
    return oldest;
}

/* Whether e still holds what would be rendered now. */
static int entry_fresh(const config *cfg, cache_entry *e, unsigned long generation, time_t now)
{
    if (e->what != RESULTS_STATEMENT)
        return e->generation == generation;
    if (now - e->checked_at < RESULTS_STATEMENT_CHECK_SECS)
        return 1;
    char path[2200];
    long long mtime = 0;
    statement_path(cfg, e->lang, path, sizeof path, &mtime);
    e->checked_at = now;
    return mtime == e->mtime;
}

/* Renders what (and slug) in lang; NULL with *status 404 or 500. */
static char *render(db *d, const config *cfg, enum results_what what, const char *slug, int lang,
                    long long *mtime, int *status)
{
    json_t *data = NULL;
    char *body = NULL;
    *status = 500;
    switch (what) {
    case RESULTS_PAGE:
        data = results_page_document(d, cfg, slug, 0);
        if (!data)
            *status = 404;
        else
            body = results_page_html(cfg, data, lang, RESULTS_PUBLIC);
        break;
    case RESULTS_INDEX:
        data = results_index(d);
        body = data ? results_index_html(cfg, data, lang) : NULL;
        break;
    case RESULTS_FEED:
        data = results_feed(d);
        body = data ? results_feed_xml(cfg, data, lang) : NULL;
        break;
    case RESULTS_STATEMENT: {
        char *md = results_statement_markdown(cfg, lang, mtime);
        body = results_statement_html(cfg, md ? md : "", lang);
        free(md);
        break;
    }
    default:
        *status = 404;
    }
    json_decref(data);
    if (body)
        *status = 200;
    return body;
}

const results_cached *results_cache_get(db *d, const config *cfg, enum results_what what,
                                        const char *slug, int lang, int *status)
{
    if (what != RESULTS_PAGE)
        slug = "";
    if (!slug || lang < 0 || lang >= LANG_COUNT || strlen(slug) > RESULTS_SLUG_MAX) {
        *status = 404;
        return NULL;
    }
    unsigned long generation = results_generation();
    time_t now = time(NULL);
    cache_entry *e = cache_find(what, slug, lang);
    if (e && entry_fresh(cfg, e, generation, now)) {
        e->used = ++cache_clock;
        *status = 200;
        return &e->out;
    }
    long long mtime = 0;
    char *body = render(d, cfg, what, slug, lang, &mtime, status);
    if (!body) {
        if (e)
            entry_free(e); /* unpublished since */
        return NULL;
    }
    if (e)
        free(e->body);
    else
        e = cache_slot();
    e->what = what;
    e->lang = lang;
    snprintf(e->slug, sizeof e->slug, "%s", slug);
    e->generation = generation;
    e->mtime = mtime;
    e->checked_at = now;
    e->used = ++cache_clock;
    e->body = body;
    results_etag(body, strlen(body), e->etag);
    e->out = (results_cached){.body = e->body,
                              .len = strlen(body),
                              .etag = e->etag,
                              .content_type = content_type_of(what)};
    return &e->out;
}
