/* results.c: see results.h. */
#include "results.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "markdown.h"
#include "members.h"
#include "periods.h"
#include "polls.h"
#include "surveys.h"

static unsigned long generation = 1;

unsigned long results_generation(void)
{
    return generation;
}

void results_touch(void)
{
    generation++;
}

/* ---- small helpers ---- */

/* One integer that sql (?1 bound to id) selects, or fallback. */
static int64_t one_int(db *d, const char *sql, int64_t id, int64_t fallback)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    int64_t v = fallback;
    if (!st)
        return v;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return v;
}

static int64_t results_of_period(db *d, int64_t period_id)
{
    return one_int(d, "SELECT id FROM results WHERE period_id = ?", period_id, 0);
}

/* The ids of a JSON array of positive integers (at most max, no repeats)
 * into ids; field names it in errors. NULL or absent: none. */
static raati_code id_list(json_t *msg, const char *field, int max, int64_t *ids, int *n,
                          raati_error *err)
{
    json_t *arr = json_object_get(msg, field);
    *n = 0;
    if (!arr || json_is_null(arr))
        return RAATI_OK;
    if (!json_is_array(arr))
        return raati_fail(err, RAATI_E_INVALID_FIELD, field, "%s must be a list of ids", field);
    if ((int)json_array_size(arr) > max)
        return raati_fail(err, RAATI_E_INVALID_FIELD, field, "at most %d %s", max, field);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return raati_fail(err, RAATI_E_INVALID_FIELD, field, "%s must be a list of ids", field);
        for (int k = 0; k < *n; k++)
            if (ids[k] == json_integer_value(v))
                return raati_fail(err, RAATI_E_INVALID_FIELD, field, "%s lists %lld twice", field,
                                  (long long)ids[k]);
        ids[(*n)++] = json_integer_value(v);
    }
    return RAATI_OK;
}

/* src with the characters in drop left out and white space folded to
 * single spaces (none at the ends); a new string, NULL when out of memory.
 * An image's "!" before "[" goes with the brackets when they are dropped. */
static char *fold_text(const char *src, const char *drop)
{
    size_t o = 0;
    char *out = malloc(strlen(src) + 4);
    if (!out)
        return NULL;
    int space = 0;
    for (const char *s = src; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (strchr(drop, c) || (c == '!' && s[1] == '[' && strchr(drop, '[')))
            continue;
        if (isspace(c)) {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = 0;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

/* Plain text of markdown src for a description: marks dropped, white
 * space folded, cut at a word before max bytes (with an ellipsis). */
static json_t *plain_excerpt(const char *src, size_t max)
{
    char *out = fold_text(src, "*_#>`[]");
    if (!out)
        return json_string("");
    size_t o = strlen(out);
    if (o > max) {
        size_t cut = max;
        while (cut > 0 && out[cut] != ' ')
            cut--;
        if (cut == 0) /* one long word: cut before a UTF-8 continuation byte */
            for (cut = max; cut > 0 && ((unsigned char)out[cut] & 0xC0) == 0x80; cut--)
                ;
        memcpy(out + cut, "…", sizeof "…");
    }
    json_t *j = json_string(out);
    free(out);
    return j ? j : json_string("");
}

/* ---- slugs ---- */

/* Folds title to lower-case ASCII words joined by '-': ä, å → a, ö → o,
 * other letters outside ASCII dropped. */
static void slugify(const char *title, char out[RESULTS_SLUG_MAX + 1])
{
    size_t o = 0;
    int dash = 0;
    for (const unsigned char *s = (const unsigned char *)title; *s && o < RESULTS_SLUG_MAX - 8;
         s++) {
        char c = 0;
        if (isalnum(*s))
            c = (char)tolower(*s);
        else if (*s == 0xC3 && s[1]) {
            unsigned char n = s[1];
            if (n == 0xA4 || n == 0x84 || n == 0xA5 || n == 0x85 || n == 0xA1 || n == 0xA0 ||
                n == 0xA2)
                c = 'a';
            else if (n == 0xB6 || n == 0x96 || n == 0xB3 || n == 0xB8 || n == 0x98)
                c = 'o';
            else if (n == 0xA9 || n == 0xA8 || n == 0x89)
                c = 'e';
            else if (n == 0xBC || n == 0x9C || n == 0xBA)
                c = 'u';
            s++;
        } else if (*s >= 0x80) {
            continue; /* other characters outside ASCII */
        }
        if (!c) {
            dash = o > 0;
            continue;
        }
        if (dash)
            out[o++] = '-';
        dash = 0;
        out[o++] = c;
    }
    out[o] = '\0';
    if (!o)
        snprintf(out, RESULTS_SLUG_MAX + 1, "tulokset");
}

/* A slug for the period no other page has. */
static void unique_slug(db *d, const char *title, char slug[RESULTS_SLUG_MAX + 1])
{
    char base[RESULTS_SLUG_MAX + 1];
    slugify(title, base);
    snprintf(slug, RESULTS_SLUG_MAX + 1, "%s", base);
    sqlite3_stmt *st = db_prepare(d, "SELECT 1 FROM results WHERE slug = ?");
    for (int n = 2; st && n < 10000; n++) {
        sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
        int taken = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
        if (!taken)
            return;
        snprintf(slug, RESULTS_SLUG_MAX + 1, "%.70s-%d", base, n);
    }
}

/* ---- reading the working copy ---- */

static json_t *follow_up_json(sqlite3_stmt *st)
{
    return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)sqlite3_column_int64(st, 0), "finding_id",
                     (json_int_t)sqlite3_column_int64(st, 1), "date", forum_col_text(st, 2),
                     "status", forum_col_text(st, 3), "text", forum_col_text(st, 4), "reason",
                     forum_col_text(st, 5), "created_at", forum_col_text(st, 6), "updated_at",
                     forum_col_text(st, 7));
}

#define FOLLOW_UP_COLUMNS "id, finding_id, date, status, text, reason, created_at, updated_at"

static json_t *follow_ups_of(db *d, int64_t finding_id)
{
    json_t *list = json_array();
    sqlite3_stmt *st = db_prepare(d, "SELECT " FOLLOW_UP_COLUMNS " FROM follow_up "
                                     "WHERE finding_id = ? ORDER BY date, id");
    if (!st || !list)
        return list;
    sqlite3_bind_int64(st, 1, finding_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(list, follow_up_json(st));
    sqlite3_reset(st);
    return list;
}

static json_t *follow_up_by_id(db *d, int64_t id)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT " FOLLOW_UP_COLUMNS " FROM follow_up WHERE id = ?");
    json_t *j = NULL;
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        j = follow_up_json(st);
    sqlite3_reset(st);
    return j;
}

/* The findings in order; with follow-ups when asked. */
static json_t *findings_of(db *d, int64_t results_id, int with_follow_ups)
{
    json_t *list = json_array();
    int64_t ids[RESULTS_FINDINGS_MAX];
    int n = 0;
    sqlite3_stmt *st = db_prepare(d, "SELECT id, title, body, body_html FROM finding "
                                     "WHERE results_id = ? ORDER BY position");
    if (!st || !list)
        return list;
    sqlite3_bind_int64(st, 1, results_id);
    while (n < RESULTS_FINDINGS_MAX && sqlite3_step(st) == SQLITE_ROW) {
        ids[n++] = sqlite3_column_int64(st, 0);
        json_array_append_new(list, json_pack("{s:I, s:o, s:o, s:o}", "id",
                                              (json_int_t)sqlite3_column_int64(st, 0), "title",
                                              forum_col_text(st, 1), "body", forum_col_text(st, 2),
                                              "body_html", forum_col_text(st, 3)));
    }
    sqlite3_reset(st);
    for (int i = 0; with_follow_ups && i < n; i++)
        json_object_set_new(json_array_get(list, i), "follow_ups", follow_ups_of(d, ids[i]));
    return list;
}

static json_t *items_of(db *d, int64_t results_id, const char *kind)
{
    json_t *list = json_array();
    sqlite3_stmt *st = db_prepare(d, "SELECT item_id FROM results_item WHERE results_id = ? "
                                     "AND kind = ? ORDER BY position");
    if (!st || !list)
        return list;
    sqlite3_bind_int64(st, 1, results_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(list, json_integer(sqlite3_column_int64(st, 0)));
    sqlite3_reset(st);
    return list;
}

/* Whether a quote shows to the public now, as SQL over q (quote), p
 * (its post) and m (the post's author). */
#define QUOTE_SHOWN                                                                                \
    "(q.withdrawn_at IS NULL AND p.status = 'published' AND p.deleted_at IS NULL AND "             \
    "m.quote_consent = 1)"

static json_t *quotes_of(db *d, int64_t results_id)
{
    json_t *list = json_array();
    sqlite3_stmt *st =
        db_prepare(d, "SELECT q.id, q.post_id, t.id, t.title, q.text, " QUOTE_SHOWN
                      ", q.withdrawn_at IS NOT NULL FROM quote q JOIN post p ON p.id = q.post_id "
                      "JOIN topic t ON t.id = p.topic_id JOIN member m ON m.id = p.author_id "
                      "WHERE q.results_id = ? AND q.removed = 0 ORDER BY q.position");
    if (!st || !list)
        return list;
    sqlite3_bind_int64(st, 1, results_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(
            list, json_pack("{s:I, s:I, s:{s:I, s:o}, s:o, s:b, s:b}", "id",
                            (json_int_t)sqlite3_column_int64(st, 0), "post_id",
                            (json_int_t)sqlite3_column_int64(st, 1), "topic", "id",
                            (json_int_t)sqlite3_column_int64(st, 2), "title", forum_col_text(st, 3),
                            "text", forum_col_text(st, 4), "shown", sqlite3_column_int(st, 5),
                            "withdrawn", sqlite3_column_int(st, 6)));
    sqlite3_reset(st);
    return list;
}

/* The results object (docs/protocol.md, "The results object"). */
static json_t *results_json(db *d, int64_t id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT r.period_id, r.slug, r.status, r.rev, r.version, "
           "r.published_rev IS NOT NULL AND r.published_rev <> r.rev, r.first_published_at, "
           "r.published_at, r.updated_at, r.updated_by, m.display_name, r.summary, "
           "r.summary_html, r.show_figures FROM results r JOIN member m ON m.id = r.updated_by "
           "WHERE r.id = ?");
    json_t *j = NULL;
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        j = json_pack("{s:I, s:I, s:o, s:o, s:I, s:I, s:b, s:o, s:o, s:o, s:{s:I, s:o}, s:o, "
                      "s:o, s:b}",
                      "id", (json_int_t)id, "period_id", (json_int_t)sqlite3_column_int64(st, 0),
                      "slug", forum_col_text(st, 1), "status", forum_col_text(st, 2), "rev",
                      (json_int_t)sqlite3_column_int64(st, 3), "version",
                      (json_int_t)sqlite3_column_int64(st, 4), "changed_since_publish",
                      sqlite3_column_int(st, 5), "first_published_at", forum_col_text(st, 6),
                      "published_at", forum_col_text(st, 7), "updated_at", forum_col_text(st, 8),
                      "updated_by", "id", (json_int_t)sqlite3_column_int64(st, 9), "display_name",
                      forum_col_text(st, 10), "summary", forum_col_text(st, 11), "summary_html",
                      forum_col_text(st, 12), "show_figures", sqlite3_column_int(st, 13));
    sqlite3_reset(st);
    if (!j)
        return NULL;
    json_object_set_new(j, "findings", findings_of(d, id, 1));
    json_object_set_new(j, "polls", items_of(d, id, "poll"));
    json_object_set_new(j, "surveys", items_of(d, id, "survey"));
    json_object_set_new(j, "quotes", quotes_of(d, id));
    return j;
}

/* ---- figures ---- */

/* Suppresses the groups of one breakdown (docs/protocol.md, "The results
 * document"): fewer than RESULTS_SMALL_GROUP participants (but some) hide
 * their counts; a lone hidden group takes the next smallest with it. */
static void suppress_groups(json_t *groups)
{
    size_t i;
    json_t *g;
    int hidden = 0;
    json_array_foreach(groups, i, g)
    {
        json_int_t n = json_integer_value(json_object_get(g, "participants"));
        int small = n > 0 && n < RESULTS_SMALL_GROUP;
        json_object_set_new(g, "suppressed", json_boolean(small));
        hidden += small;
    }
    if (hidden == 1) {
        json_t *next = NULL;
        json_int_t least = 0;
        json_array_foreach(groups, i, g)
        {
            json_int_t n = json_integer_value(json_object_get(g, "participants"));
            if (n > 0 && !json_is_true(json_object_get(g, "suppressed")) && (!next || n < least)) {
                next = g;
                least = n;
            }
        }
        if (next)
            json_object_set_new(next, "suppressed", json_true());
    }
    json_array_foreach(groups, i, g)
    {
        if (!json_is_true(json_object_get(g, "suppressed")))
            continue;
        json_object_set_new(g, "participants", json_null());
        json_object_set_new(g, "posts", json_null());
        json_object_set_new(g, "votes", json_null());
    }
}

/* The period's participation as a page shows it, small groups suppressed. */
static json_t *figures_of(const forum_ctx *f, int64_t period_id)
{
    forum_ctx staff = *f;
    staff.role = ROLE_ADMIN;
    json_t *p = json_object();
    raati_error err = {0};
    if (!p || period_participation(&staff, period_id, p, &err)) {
        json_decref(p);
        return NULL;
    }
    json_t *fig = json_object();
    const char *keys[] = {"participants", "posts", "votes", "responses"};
    int small_total = json_integer_value(json_object_get(p, "participants")) < RESULTS_SMALL_GROUP;
    for (int k = 0; k < 4; k++)
        json_object_set_new(fig, keys[k],
                            small_total ? json_null() : json_incref(json_object_get(p, keys[k])));
    json_object_set_new(fig, "total_suppressed", json_boolean(small_total));
    json_t *ages = json_incref(json_object_get(p, "by_age_group"));
    json_t *munis = json_incref(json_object_get(p, "by_municipality"));
    suppress_groups(ages);
    suppress_groups(munis);
    json_object_set_new(fig, "by_age_group", ages);
    json_object_set_new(fig, "by_municipality", munis);
    json_decref(p);
    return fig;
}

/* ---- charts ---- */

/* The label of option id in options ([{id, label}]), or "". */
static const char *option_label(json_t *options, int64_t id)
{
    size_t i;
    json_t *o;
    json_array_foreach(options, i, o) if (json_integer_value(json_object_get(o, "id")) ==
                                          id) return json_string_value(json_object_get(o, "label"));
    return "";
}

/* A chart (docs/protocol.md, "The results document") of a question of
 * kind with options and scale (as polls and surveys show them) and its
 * results. */
static json_t *chart_of(int64_t id, const char *title, const char *kind, json_t *options,
                        json_t *scale, json_t *results)
{
    json_t *bars = json_array();
    json_t *mean = json_null();
    size_t i;
    json_t *r;
    if (results && !strcmp(kind, "scale")) {
        json_array_foreach(json_object_get(results, "values"), i, r)
        {
            char label[16];
            snprintf(label, sizeof label, "%lld",
                     (long long)json_integer_value(json_object_get(r, "value")));
            json_array_append_new(bars, json_pack("{s:s, s:O}", "label", label, "count",
                                                  json_object_get(r, "count")));
        }
        json_decref(mean);
        mean = json_deep_copy(json_object_get(results, "mean"));
    } else if (results) {
        int ranking = !strcmp(kind, "ranking");
        json_array_foreach(json_object_get(results, "options"), i, r)
        {
            int64_t oid = json_integer_value(json_object_get(r, "id"));
            json_array_append_new(
                bars, json_pack("{s:s, s:O}", "label", option_label(options, oid), "count",
                                json_object_get(r, ranking ? "points" : "count")));
        }
    }
    json_int_t voters = json_integer_value(json_object_get(results, "voters"));
    return json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:O}", "id", (json_int_t)id, "title",
                     title ? title : "", "kind", kind ? kind : "single", "voters", voters, "bars",
                     bars, "mean", mean ? mean : json_null(), "scale", scale ? scale : json_null());
}

static json_t *poll_chart(db *d, int64_t poll_id)
{
    json_t *p = poll_json(d, poll_id, NULL);
    json_t *ev = poll_results_event(d, poll_id);
    json_t *c = NULL;
    if (p && ev)
        c = chart_of(poll_id, json_string_value(json_object_get(p, "question")),
                     json_string_value(json_object_get(p, "kind")), json_object_get(p, "options"),
                     json_object_get(p, "scale"), json_object_get(ev, "results"));
    json_decref(p);
    json_decref(ev);
    return c;
}

static json_t *survey_charts(const forum_ctx *f, int64_t survey_id)
{
    forum_ctx staff = *f;
    staff.role = ROLE_ADMIN;
    json_t *sv = survey_json(f->db, survey_id, NULL);
    json_t *res = json_object(), *msg = json_pack("{s:I}", "survey_id", (json_int_t)survey_id);
    raati_error err = {0};
    json_t *out = NULL;
    if (sv && res && msg && !survey_results(&staff, msg, res, &err)) {
        json_t *questions = json_array();
        size_t i;
        json_t *q;
        json_array_foreach(json_object_get(sv, "questions"), i, q)
        {
            json_t *qr = json_array_get(json_object_get(res, "questions"), i);
            json_t *r = json_object_get(qr, "results");
            if (!r) /* a text question: free texts are never on the page */
                continue;
            json_array_append_new(questions, chart_of(json_integer_value(json_object_get(q, "id")),
                                                      json_string_value(json_object_get(q, "text")),
                                                      json_string_value(json_object_get(q, "kind")),
                                                      json_object_get(q, "options"),
                                                      json_object_get(q, "scale"), r));
        }
        out = json_pack("{s:I, s:O, s:O, s:o}", "id", (json_int_t)survey_id, "title",
                        json_object_get(sv, "title"), "respondents",
                        json_object_get(res, "responses"), "questions", questions);
    }
    json_decref(sv);
    json_decref(res);
    json_decref(msg);
    return out;
}

/* ---- the document ---- */

static int words_of(const char *text, const char *body);

/* The results document of the working copy (version fields null). */
static json_t *build_document(const forum_ctx *f, int64_t id)
{
    db *d = f->db;
    sqlite3_stmt *st = db_prepare(
        d, "SELECT r.slug, r.period_id, p.title, p.starts_at, p.ends_at, r.summary, "
           "r.summary_html, r.show_figures FROM results r JOIN period p ON p.id = r.period_id "
           "WHERE r.id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *doc = NULL;
    int64_t period_id = 0;
    int show_figures = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        period_id = sqlite3_column_int64(st, 1);
        show_figures = sqlite3_column_int(st, 7);
        doc = json_pack("{s:o, s:{s:I, s:o, s:o, s:o}, s:o, s:o}", "slug", forum_col_text(st, 0),
                        "period", "id", (json_int_t)period_id, "title", forum_col_text(st, 2),
                        "starts_at", forum_col_text(st, 3), "ends_at", forum_col_text(st, 4),
                        "summary_html", forum_col_text(st, 6), "summary_text",
                        plain_excerpt((const char *)sqlite3_column_text(st, 5), 300));
    }
    sqlite3_reset(st);
    if (!doc)
        return NULL;
    json_t *findings = findings_of(d, id, 0), *polls = json_array(), *surveys = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(findings, i, v)
    {
        json_object_del(v, "body");
    }
    json_t *ids = items_of(d, id, "poll");
    json_array_foreach(ids, i, v)
    {
        json_t *c = poll_chart(d, json_integer_value(v));
        if (c)
            json_array_append_new(polls, c);
    }
    json_decref(ids);
    ids = items_of(d, id, "survey");
    json_array_foreach(ids, i, v)
    {
        json_t *c = survey_charts(f, json_integer_value(v));
        if (c)
            json_array_append_new(surveys, c);
    }
    json_decref(ids);
    json_t *quotes = json_array();
    st = db_prepare(d, "SELECT id, text FROM quote WHERE results_id = ? AND removed = 0 "
                       "ORDER BY position");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(quotes, json_pack("{s:I, s:o}", "id",
                                                    (json_int_t)sqlite3_column_int64(st, 0), "text",
                                                    forum_col_text(st, 1)));
        sqlite3_reset(st);
    }
    json_t *figures = show_figures ? figures_of(f, period_id) : NULL;
    json_object_set_new(doc, "findings", findings);
    json_object_set_new(doc, "polls", polls);
    json_object_set_new(doc, "surveys", surveys);
    json_object_set_new(doc, "quotes", quotes);
    json_object_set_new(doc, "figures", figures ? figures : json_null());
    json_object_set_new(doc, "version", json_null());
    json_object_set_new(doc, "first_published_at", json_null());
    json_object_set_new(doc, "published_at", json_null());
    return doc;
}

/* Adds the live parts to a document: each finding's follow-ups, and only
 * the quotes that show now. */
static void add_live_parts(db *d, json_t *doc)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "findings"), i, v)
    {
        json_object_set_new(v, "follow_ups",
                            follow_ups_of(d, json_integer_value(json_object_get(v, "id"))));
    }
    /* A quote shows while it would be allowed now, and while its words
     * are still the post's (an edit may have taken them out). */
    json_t *quotes = json_object_get(doc, "quotes");
    sqlite3_stmt *st =
        db_prepare(d, "SELECT " QUOTE_SHOWN ", p.body FROM quote q JOIN post p ON p.id = q.post_id "
                      "JOIN member m ON m.id = p.author_id WHERE q.id = ?");
    for (i = 0; st && i < json_array_size(quotes);) {
        json_t *q = json_array_get(quotes, i);
        sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(q, "id")));
        int shown = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) &&
                    words_of(json_string_value(json_object_get(q, "text")),
                             (const char *)sqlite3_column_text(st, 1));
        sqlite3_reset(st);
        if (shown)
            i++;
        else
            json_array_remove(quotes, i);
    }
}

json_t *results_page_document(db *d, const config *cfg, const char *slug, int preview)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT r.id, r.status, r.version, r.first_published_at, r.published_at, v.document "
           "FROM results r LEFT JOIN results_version v ON v.results_id = r.id AND "
           "v.version = r.version WHERE r.slug = ?");
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
    json_t *doc = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        int published = !strcmp((const char *)sqlite3_column_text(st, 1), "published");
        int64_t version = sqlite3_column_int64(st, 2);
        json_t *first = forum_col_text(st, 3), *last = forum_col_text(st, 4);
        const char *stored = (const char *)sqlite3_column_text(st, 5);
        if (!preview && published && stored) {
            doc = json_loads(stored, 0, NULL);
        } else if (preview) {
            sqlite3_reset(st); /* build_document reads with statements of its own */
            forum_ctx f;
            forum_ctx_init(&f, d, cfg, 0, ROLE_ADMIN, 0);
            doc = build_document(&f, id);
            if (doc) {
                json_object_set_new(doc, "version", version ? json_integer(version) : json_null());
                json_object_set(doc, "first_published_at", first);
                json_object_set(doc, "published_at", last);
            }
        }
        json_decref(first);
        json_decref(last);
    }
    sqlite3_reset(st);
    if (doc)
        add_live_parts(d, doc);
    return doc;
}

/* The latest follow-up's status of each finding in a published page's
 * newest version, counted. */
static json_t *status_counts(db *d, int64_t results_id)
{
    json_t *counts = json_pack("{s:i, s:i, s:i, s:i}", "considering", 0, "in_progress", 0, "done",
                               0, "declined", 0);
    sqlite3_stmt *st =
        db_prepare(d, "SELECT (SELECT u.status FROM follow_up u WHERE u.finding_id = "
                      "json_extract(j.value, '$.id') ORDER BY u.date DESC, u.id DESC LIMIT 1) AS s "
                      "FROM results r JOIN results_version v ON v.results_id = r.id AND "
                      "v.version = r.version, json_each(v.document, '$.findings') j "
                      "WHERE r.id = ? AND s IS NOT NULL");
    if (!st || !counts)
        return counts;
    sqlite3_bind_int64(st, 1, results_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        json_object_set_new(counts, s,
                            json_integer(json_integer_value(json_object_get(counts, s)) + 1));
    }
    sqlite3_reset(st);
    return counts;
}

json_t *results_index(db *d)
{
    json_t *list = json_array();
    int64_t ids[512];
    int n = 0;
    sqlite3_stmt *st =
        db_prepare(d, "SELECT r.id, r.slug, json_extract(v.document, '$.period.title'), "
                      "json_extract(v.document, '$.period.starts_at'), "
                      "json_extract(v.document, '$.period.ends_at'), r.first_published_at, "
                      "r.published_at, r.version > 1, json_extract(v.document, '$.summary_text') "
                      "FROM results r JOIN results_version v ON v.results_id = r.id AND "
                      "v.version = r.version WHERE r.status = 'published' "
                      "ORDER BY r.first_published_at DESC, r.id DESC LIMIT 512");
    if (!st || !list)
        return list;
    while (sqlite3_step(st) == SQLITE_ROW) {
        ids[n++] = sqlite3_column_int64(st, 0);
        json_array_append_new(
            list,
            json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "slug", forum_col_text(st, 1),
                      "title", forum_col_text(st, 2), "starts_at", forum_col_text(st, 3), "ends_at",
                      forum_col_text(st, 4), "first_published_at", forum_col_text(st, 5),
                      "published_at", forum_col_text(st, 6), "updated", sqlite3_column_int(st, 7),
                      "summary_text", forum_col_text(st, 8)));
    }
    sqlite3_reset(st);
    for (int i = 0; i < n; i++)
        json_object_set_new(json_array_get(list, i), "follow_ups", status_counts(d, ids[i]));
    return list;
}

json_t *results_feed(db *d)
{
    json_t *list = json_array();
    sqlite3_stmt *st = db_prepare(
        d, "SELECT 'results', r.slug, json_extract(v.document, '$.period.title'), "
           "r.published_at AS updated, r.first_published_at, "
           "json_extract(v.document, '$.summary_text'), NULL, NULL, NULL, NULL, NULL, NULL "
           "FROM results r JOIN results_version v ON v.results_id = r.id AND "
           "v.version = r.version WHERE r.status = 'published' "
           "UNION ALL "
           "SELECT 'follow_up', r.slug, json_extract(v.document, '$.period.title'), "
           "u.updated_at AS updated, u.created_at, NULL, u.id, "
           "json_extract(j.value, '$.title'), u.date, u.status, u.text, u.reason "
           "FROM results r JOIN results_version v ON v.results_id = r.id AND "
           "v.version = r.version, json_each(v.document, '$.findings') j "
           "JOIN follow_up u ON u.finding_id = json_extract(j.value, '$.id') "
           "WHERE r.status = 'published' "
           "ORDER BY updated DESC LIMIT ?");
    if (!st || !list)
        return list;
    sqlite3_bind_int(st, 1, RESULTS_FEED_MAX);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int results = !strcmp((const char *)sqlite3_column_text(st, 0), "results");
        json_t *e =
            json_pack("{s:s, s:o, s:o, s:o, s:o}", "kind", results ? "results" : "follow_up",
                      "slug", forum_col_text(st, 1), "title", forum_col_text(st, 2), "updated",
                      forum_col_text(st, 3), "published", forum_col_text(st, 4));
        if (results)
            json_object_set_new(e, "summary_text", forum_col_text(st, 5));
        else {
            json_object_set_new(e, "id", json_integer(sqlite3_column_int64(st, 6)));
            json_object_set_new(e, "finding", forum_col_text(st, 7));
            json_object_set_new(e, "date", forum_col_text(st, 8));
            json_object_set_new(e, "status", forum_col_text(st, 9));
            json_object_set_new(e, "text", forum_col_text(st, 10));
            json_object_set_new(e, "reason", forum_col_text(st, 11));
        }
        json_array_append_new(list, e);
    }
    sqlite3_reset(st);
    return list;
}

json_t *results_notice_link(db *d, int64_t period_id)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT p.title, r.slug FROM period p LEFT JOIN results r "
                                     "ON r.period_id = p.id WHERE p.id = ?");
    json_t *j = NULL;
    if (!st)
        return json_null();
    sqlite3_bind_int64(st, 1, period_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *slug = (const char *)sqlite3_column_text(st, 1);
        char url[RESULTS_SLUG_MAX + 16] = "";
        if (slug)
            snprintf(url, sizeof url, "/tulokset/%s", slug);
        j = json_pack("{s:I, s:o, s:o, s:o}", "period_id", (json_int_t)period_id, "title",
                      forum_col_text(st, 0), "slug", forum_col_text(st, 1), "url",
                      slug ? json_string(url) : json_null());
    }
    sqlite3_reset(st);
    return j ? j : json_null();
}

/* ---- moderators ---- */

/* The period id of msg, visible to moderators and not a draft. */
static raati_code period_arg(forum_ctx *f, json_t *msg, int64_t *period_id, period_status *status,
                             raati_error *err)
{
    raati_code rc = forum_id(msg, "period_id", 1, period_id, err);
    if (!rc)
        rc = period_visible(f->db, *period_id, f->role, status, err);
    if (!rc && *status == PERIOD_DRAFT)
        rc = raati_fail(err, RAATI_E_NOT_FOUND, "period_id",
                        "a draft period has no results: announce it first");
    return rc;
}

/* reply.results: the page's results object (or null). */
static raati_code reply_results(forum_ctx *f, int64_t id, json_t *reply, raati_error *err)
{
    json_t *r = id ? results_json(f->db, id) : json_null();
    if (!r)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the results back");
    json_object_set_new(reply, "results", r);
    return RAATI_OK;
}

raati_code results_get(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t period_id;
    period_status status;
    raati_code rc = period_arg(f, msg, &period_id, &status, err);
    if (rc || (rc = reply_results(f, results_of_period(f->db, period_id), reply, err)))
        return rc;
    json_t *figures = figures_of(f, period_id);
    json_object_set_new(reply, "period", period_json(f->db, period_id));
    json_object_set_new(reply, "polls", poll_list(f, period_id, 0));
    json_object_set_new(reply, "surveys", survey_list(f, period_id));
    json_object_set_new(reply, "figures", figures ? figures : json_null());
    return RAATI_OK;
}

/* ---- results.save ---- */

/* Whether text is words of body: each part of text between ellipses
 * ("…" or "...") appears in body, in order, when both are compared with
 * markdown marks dropped and white space folded. */
static int words_of(const char *text, const char *body)
{
    char *t = fold_text(text, "*_#>`\\"), *b = fold_text(body, "*_#>`\\");
    int ok = t && b;
    const char *at = b;
    for (char *part = t; ok && part && *part;) {
        char *end = part, *next = NULL;
        char *e1 = strstr(part, "…"), *e2 = strstr(part, "...");
        if (e1 && (!e2 || e1 < e2)) {
            end = e1;
            next = e1 + strlen("…");
        } else if (e2) {
            end = e2;
            next = e2 + 3;
        } else {
            end = part + strlen(part);
        }
        while (end > part && end[-1] == ' ')
            end--;
        while (*part == ' ')
            part++;
        if (end > part) {
            char saved = *end;
            *end = '\0';
            const char *found = strstr(at, part);
            *end = saved;
            if (!found)
                ok = 0;
            else
                at = found + (end - part);
        }
        part = next;
    }
    free(t);
    free(b);
    return ok;
}

/* A post that can be quoted in period_id's page: its body into *body. */
static raati_code quotable_post(db *d, int64_t period_id, int64_t post_id, char **body,
                                const char *what, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT p.body, t.period_id = ?2, p.status = 'published' AND p.deleted_at IS NULL "
           "AND t.status = 'published', m.quote_consent AND NOT EXISTS (SELECT 1 FROM quote w "
           "WHERE w.post_id = p.id AND w.withdrawn_at IS NOT NULL) FROM post p "
           "JOIN topic t ON t.id = p.topic_id JOIN member m ON m.id = p.author_id WHERE p.id = ?1");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the post");
    sqlite3_bind_int64(st, 1, post_id);
    sqlite3_bind_int64(st, 2, period_id);
    raati_code rc = RAATI_OK;
    *body = NULL;
    if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_int(st, 1))
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "quotes",
                        "%s: post %lld is not in this period's discussions", what,
                        (long long)post_id);
    else if (!sqlite3_column_int(st, 2))
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "quotes",
                        "%s: post %lld is hidden, pending or deleted", what, (long long)post_id);
    else if (!sqlite3_column_int(st, 3))
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "quotes",
                        "%s: the post's author does not let it be quoted", what);
    else
        *body = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (!rc && !*body)
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    return rc;
}

/* Checks that each id of kind ("poll", "survey") is a closed one of the
 * period. */
static raati_code check_items(db *d, int64_t period_id, const char *kind, const int64_t *ids, int n,
                              raati_error *err)
{
    const char *sql = !strcmp(kind, "poll")
                          ? "SELECT period_id = ?2, status = 'closed' FROM poll WHERE id = ?1"
                          : "SELECT period_id = ?2, status = 'closed' FROM survey WHERE id = ?1";
    const char *field = !strcmp(kind, "poll") ? "polls" : "surveys";
    sqlite3_stmt *st = db_prepare(d, sql);
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the %s", field);
    raati_code rc = RAATI_OK;
    for (int i = 0; !rc && i < n; i++) {
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int64(st, 2, period_id);
        if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_int(st, 0))
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, field, "%s %lld is not in this period",
                            kind, (long long)ids[i]);
        else if (!sqlite3_column_int(st, 1))
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, field,
                            "%s %lld is still open: close it before showing its results", kind,
                            (long long)ids[i]);
        sqlite3_reset(st);
    }
    return rc;
}

struct finding_in {
    int64_t id;
    char *title, *body;
};
struct quote_in {
    int64_t id, post_id;
    char *text;
};
struct save_in {
    int64_t rev;
    char *summary;
    int show_figures; /* -1: unchanged */
    struct finding_in findings[RESULTS_FINDINGS_MAX];
    int nfindings;
    int64_t polls[RESULTS_ITEMS_MAX], surveys[RESULTS_ITEMS_MAX];
    int npolls, nsurveys;
    struct quote_in quotes[RESULTS_QUOTES_MAX];
    int nquotes;
};

static void save_in_free(struct save_in *in)
{
    free(in->summary);
    for (int i = 0; i < in->nfindings; i++)
        free(in->findings[i].title), free(in->findings[i].body);
    for (int i = 0; i < in->nquotes; i++)
        free(in->quotes[i].text);
}

/* An array field of objects, at most max. */
static raati_code object_list(json_t *msg, const char *field, int max, json_t **arr,
                              raati_error *err)
{
    *arr = json_object_get(msg, field);
    if (!*arr || json_is_null(*arr)) {
        *arr = NULL;
        return RAATI_OK;
    }
    if (!json_is_array(*arr))
        return raati_fail(err, RAATI_E_INVALID_FIELD, field, "%s must be a list", field);
    if ((int)json_array_size(*arr) > max)
        return raati_fail(err, RAATI_E_INVALID_FIELD, field, "at most %d %s", max, field);
    size_t i;
    json_t *v;
    json_array_foreach(*arr, i, v) if (!json_is_object(v)) return raati_fail(
        err, RAATI_E_INVALID_FIELD, field, "%s[%zu] must be an object", field, i);
    return RAATI_OK;
}

/* Re-labels an error about a field of an entry as one about the list, so
 * a form can put it next to the list; the message says which entry. */
static raati_code entry_error(raati_code rc, const char *list, size_t i, raati_error *err)
{
    if (rc && err->field[0] && strcmp(err->field, list)) {
        char msg[sizeof err->message + 64];
        snprintf(msg, sizeof msg, "%s[%zu].%s: %s", list, i, err->field, err->message);
        snprintf(err->message, sizeof err->message, "%.*s", (int)sizeof err->message - 1, msg);
        snprintf(err->field, sizeof err->field, "%s", list);
    }
    return rc;
}

static raati_code parse_save(json_t *msg, struct save_in *in, raati_error *err)
{
    json_t *rev = json_object_get(msg, "rev"), *arr, *v;
    raati_code rc;
    size_t i;
    if (!rev || json_is_null(rev))
        return raati_fail(err, RAATI_E_MISSING_FIELD, "rev", "rev is required (0 for a new page)");
    if (!json_is_integer(rev) || json_integer_value(rev) < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "rev", "rev must be a whole number");
    in->rev = json_integer_value(rev);
    if ((rc = text_field(msg, "summary", 0, 0, RESULTS_SUMMARY_MAX, &in->summary, err)))
        return rc;
    json_t *sf = json_object_get(msg, "show_figures");
    in->show_figures = -1;
    if (sf && !json_is_null(sf)) {
        if (!json_is_boolean(sf))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "show_figures",
                              "show_figures must be true or false");
        in->show_figures = json_is_true(sf);
    }
    if ((rc = object_list(msg, "findings", RESULTS_FINDINGS_MAX, &arr, err)))
        return rc;
    json_array_foreach(arr, i, v)
    {
        struct finding_in *fi = &in->findings[in->nfindings++];
        if ((rc = entry_error(forum_id(v, "id", 0, &fi->id, err), "findings", i, err)) ||
            (rc = entry_error(
                 text_field(v, "title", 1, 1, RESULTS_FINDING_TITLE_MAX, &fi->title, err),
                 "findings", i, err)) ||
            (rc = entry_error(text_field(v, "body", 0, 0, RESULTS_FINDING_BODY_MAX, &fi->body, err),
                              "findings", i, err)))
            return rc;
        for (int k = 0; fi->id && k < in->nfindings - 1; k++)
            if (in->findings[k].id == fi->id)
                return raati_fail(err, RAATI_E_INVALID_FIELD, "findings",
                                  "findings[%zu]: finding %lld is listed twice", i,
                                  (long long)fi->id);
    }
    if ((rc = id_list(msg, "polls", RESULTS_ITEMS_MAX, in->polls, &in->npolls, err)) ||
        (rc = id_list(msg, "surveys", RESULTS_ITEMS_MAX, in->surveys, &in->nsurveys, err)) ||
        (rc = object_list(msg, "quotes", RESULTS_QUOTES_MAX, &arr, err)))
        return rc;
    json_array_foreach(arr, i, v)
    {
        struct quote_in *q = &in->quotes[in->nquotes++];
        if ((rc = entry_error(forum_id(v, "id", 0, &q->id, err), "quotes", i, err)) ||
            (rc = entry_error(forum_id(v, "post_id", 0, &q->post_id, err), "quotes", i, err)) ||
            (rc = entry_error(text_field(v, "text", 1, 1, RESULTS_QUOTE_MAX, &q->text, err),
                              "quotes", i, err)))
            return rc;
        if (!q->id == !q->post_id)
            return raati_fail(err, RAATI_E_INVALID_FIELD, "quotes",
                              "quotes[%zu] needs either an id (a quote kept) or a post_id (a new "
                              "one)",
                              i);
        for (int k = 0; q->id && k < in->nquotes - 1; k++)
            if (in->quotes[k].id == q->id)
                return raati_fail(err, RAATI_E_INVALID_FIELD, "quotes",
                                  "quotes[%zu]: quote %lld is listed twice", i, (long long)q->id);
    }
    return RAATI_OK;
}

/* Creates the page of a period: a slug from its title. */
static raati_code results_create(forum_ctx *f, int64_t period_id, int64_t *id, raati_error *err)
{
    char title[256], slug[RESULTS_SLUG_MAX + 1];
    forum_name_of(f->db, "SELECT title FROM period WHERE id = ?", period_id, title);
    unique_slug(f->db, title, slug);
    int64_t v[3] = {period_id, f->member_id, f->member_id};
    const char *t[3] = {slug, f->now, f->now};
    raati_code rc =
        forum_exec(f->db,
                   "INSERT INTO results (period_id, created_by, updated_by, slug, created_at, "
                   "updated_at, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
                   v, 3, t, 3, "the results", err);
    *id = rc ? 0 : sqlite3_last_insert_rowid(db_handle(f->db));
    return rc;
}

/* Writes the findings: keeps, updates and adds those listed, in order,
 * and removes the rest (refused for one with follow-ups). */
static raati_code save_findings(forum_ctx *f, int64_t id, const struct save_in *in,
                                raati_error *err)
{
    raati_code rc = RAATI_OK;
    for (int i = 0; i < in->nfindings; i++)
        if (in->findings[i].id && one_int(f->db, "SELECT results_id FROM finding WHERE id = ?",
                                          in->findings[i].id, 0) != id)
            return raati_fail(err, RAATI_E_INVALID_FIELD, "findings",
                              "findings[%d]: finding %lld is not on this page", i,
                              (long long)in->findings[i].id);
    /* Those left out go, unless they have follow-ups. */
    sqlite3_stmt *st = db_prepare(f->db, "SELECT f.id, f.title, EXISTS (SELECT 1 FROM follow_up u "
                                         "WHERE u.finding_id = f.id) FROM finding f "
                                         "WHERE f.results_id = ?");
    int64_t gone[RESULTS_FINDINGS_MAX];
    int ngone = 0;
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the findings");
    sqlite3_bind_int64(st, 1, id);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        int64_t fid = sqlite3_column_int64(st, 0);
        int listed = 0;
        for (int i = 0; i < in->nfindings; i++)
            listed |= in->findings[i].id == fid;
        if (listed)
            continue;
        if (sqlite3_column_int(st, 2))
            rc = raati_fail(err, RAATI_E_CONFLICT, "findings",
                            "the finding \"%s\" has follow-ups: remove them before the finding",
                            (const char *)sqlite3_column_text(st, 1));
        else if (ngone < RESULTS_FINDINGS_MAX)
            gone[ngone++] = fid;
    }
    sqlite3_reset(st);
    for (int i = 0; !rc && i < ngone; i++)
        rc = forum_exec(f->db, "DELETE FROM finding WHERE id = ?", &gone[i], 1, NULL, 0,
                        "the findings", err);
    for (int i = 0; !rc && i < in->nfindings; i++) {
        const struct finding_in *fi = &in->findings[i];
        char *html = markdown_html(fi->body ? fi->body : "");
        if (!html)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        int64_t v[3] = {fi->id, id, i};
        const char *t[3] = {fi->title, fi->body ? fi->body : "", html};
        rc = fi->id
                 ? forum_exec(f->db,
                              "UPDATE finding SET position = ?3, title = ?4, body = ?5, "
                              "body_html = ?6 WHERE id = ?1 AND results_id = ?2",
                              v, 3, t, 3, "the findings", err)
                 : forum_exec(f->db,
                              "INSERT INTO finding (results_id, position, title, body, body_html) "
                              "SELECT ?2, ?3, ?4, ?5, ?6 WHERE ?1 = 0",
                              v, 3, t, 3, "the findings", err);
        free(html);
    }
    return rc;
}

static raati_code save_items(forum_ctx *f, int64_t id, int64_t period_id, const char *kind,
                             const int64_t *ids, int n, raati_error *err)
{
    raati_code rc = check_items(f->db, period_id, kind, ids, n, err);
    int64_t v[3] = {id, 0, 0};
    const char *t[1] = {kind};
    if (!rc)
        rc = forum_exec(f->db, "DELETE FROM results_item WHERE results_id = ?1 AND kind = ?2", v, 1,
                        t, 1, "the results", err);
    for (int i = 0; !rc && i < n; i++) {
        v[1] = ids[i];
        v[2] = i;
        rc = forum_exec(f->db,
                        "INSERT INTO results_item (results_id, item_id, position, kind) "
                        "VALUES (?1, ?2, ?3, ?4)",
                        v, 3, t, 1, "the results", err);
    }
    return rc;
}

/* Writes the quotes: those listed in order, the rest taken off the working
 * copy (their rows stay: a published version may still show them). */
static raati_code save_quotes(forum_ctx *f, int64_t id, int64_t period_id, const struct save_in *in,
                              raati_error *err)
{
    raati_code rc = forum_exec(f->db, "UPDATE quote SET removed = 1 WHERE results_id = ?", &id, 1,
                               NULL, 0, "the quotes", err);
    for (int i = 0; !rc && i < in->nquotes; i++) {
        const struct quote_in *q = &in->quotes[i];
        int64_t post_id = q->post_id;
        char what[32], *body = NULL;
        snprintf(what, sizeof what, "quotes[%d]", i);
        if (q->id) {
            sqlite3_stmt *st = db_prepare(f->db, "SELECT post_id FROM quote WHERE id = ? AND "
                                                 "results_id = ?");
            post_id = 0;
            if (st) {
                sqlite3_bind_int64(st, 1, q->id);
                sqlite3_bind_int64(st, 2, id);
                if (sqlite3_step(st) == SQLITE_ROW)
                    post_id = sqlite3_column_int64(st, 0);
                sqlite3_reset(st);
            }
            if (!post_id)
                return raati_fail(err, RAATI_E_INVALID_FIELD, "quotes",
                                  "%s: quote %lld is not on this page", what, (long long)q->id);
        }
        if ((rc = quotable_post(f->db, period_id, post_id, &body, what, err)))
            return rc;
        if (!words_of(q->text, body))
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "quotes",
                            "%s: a quote must be words of the post (mark what is left out "
                            "with …)",
                            what);
        free(body);
        if (rc)
            return rc;
        int64_t v[4] = {q->id, id, post_id, i};
        const char *t[2] = {q->text, f->now};
        rc = q->id
                 ? forum_exec(f->db,
                              "UPDATE quote SET position = ?4, text = ?5, removed = 0 "
                              "WHERE id = ?1 AND results_id = ?2 AND post_id = ?3",
                              v, 4, t, 1, "the quotes", err)
                 : forum_exec(f->db,
                              "INSERT INTO quote (results_id, post_id, position, text, created_at) "
                              "SELECT ?2, ?3, ?4, ?5, ?6 WHERE ?1 = 0",
                              v, 4, t, 2, "the quotes", err);
    }
    return rc;
}

raati_code results_save(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t period_id;
    period_status status;
    struct save_in in;
    memset(&in, 0, sizeof in);
    raati_code rc = period_arg(f, msg, &period_id, &status, err);
    if (!rc)
        rc = parse_save(msg, &in, err);
    if (rc)
        goto out;
    int64_t id = results_of_period(f->db, period_id);
    int64_t rev = id ? one_int(f->db, "SELECT rev FROM results WHERE id = ?", id, 0) : 0;
    if (rev != in.rev) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "rev",
                        "someone saved these results in between (now at rev %lld): reload them "
                        "and edit again",
                        (long long)rev);
        goto out;
    }
    if (!id && (rc = results_create(f, period_id, &id, err)))
        goto out;
    char *html = markdown_html(in.summary ? in.summary : "");
    if (!html) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        goto out;
    }
    int64_t v[3] = {id, f->member_id, in.show_figures};
    const char *t[3] = {in.summary ? in.summary : "", html, f->now};
    rc = forum_exec(
        f->db,
        "UPDATE results SET rev = rev + 1, updated_by = ?2, show_figures = CASE WHEN ?3 < 0 "
        "THEN show_figures ELSE ?3 END, summary = ?4, summary_html = ?5, updated_at = ?6 "
        "WHERE id = ?1",
        v, 3, t, 3, "the results", err);
    free(html);
    if (!rc)
        rc = save_findings(f, id, &in, err);
    if (!rc)
        rc = save_items(f, id, period_id, "poll", in.polls, in.npolls, err);
    if (!rc)
        rc = save_items(f, id, period_id, "survey", in.surveys, in.nsurveys, err);
    if (!rc)
        rc = save_quotes(f, id, period_id, &in, err);
    if (!rc)
        rc = reply_results(f, id, reply, err);
out:
    save_in_free(&in);
    return rc;
}

/* ---- publishing ---- */

/* Tells every member who took part in the period (kind, with period_id),
 * but the moderator who made the change. */
static raati_code tell_participants(forum_ctx *f, int64_t period_id, const char *kind,
                                    raati_error *err)
{
    int64_t v[3] = {period_id, f->seq, f->member_id};
    const char *t[2] = {kind, f->now};
    return forum_exec(f->db,
                      "INSERT INTO notice (member_id, period_id, seq, kind, created_at) "
                      "SELECT x.member_id, ?1, ?2, ?4, ?5 FROM participation x "
                      "WHERE x.period_id = ?1 AND x.member_id <> ?3 ORDER BY x.member_id",
                      v, 3, t, 2, "the notices", err);
}

/* Tells the authors of the version's quotes that show and have not been
 * told yet. (A quote that starts to show later, when its author consents
 * again, is told of at the next publish.) */
static raati_code tell_quoted(forum_ctx *f, int64_t id, int64_t period_id, json_t *doc,
                              raati_error *err)
{
    size_t i;
    json_t *q;
    raati_code rc = RAATI_OK;
    json_array_foreach(json_object_get(doc, "quotes"), i, q)
    {
        int64_t v[4] = {json_integer_value(json_object_get(q, "id")), id, period_id, f->seq};
        const char *t[2] = {"post.quoted", f->now}, *now = f->now;
        if ((rc = forum_exec(
                 f->db,
                 "INSERT INTO notice (member_id, post_id, quote_id, period_id, seq, kind, "
                 "created_at) SELECT p.author_id, q.post_id, q.id, ?3, ?4, ?5, ?6 "
                 "FROM quote q JOIN post p ON p.id = q.post_id JOIN member m ON "
                 "m.id = p.author_id WHERE q.id = ?1 AND q.results_id = ?2 AND "
                 "q.told_at IS NULL AND " QUOTE_SHOWN,
                 v, 4, t, 2, "the notices", err)))
            return rc;
        if (sqlite3_changes(db_handle(f->db)) &&
            (rc = forum_exec(f->db, "UPDATE quote SET told_at = ?2 WHERE id = ?1", v, 1, &now, 1,
                             "the quotes", err)))
            return rc;
    }
    return rc;
}

raati_code results_publish(forum_ctx *f, json_t *msg, int publish, json_t *reply, raati_error *err)
{
    int64_t period_id;
    period_status status;
    raati_code rc = period_arg(f, msg, &period_id, &status, err);
    if (rc)
        return rc;
    int64_t id = results_of_period(f->db, period_id);
    if (!id)
        return raati_fail(err, RAATI_E_NOT_FOUND, "period_id",
                          "the period has no results yet: save them first");
    int published =
        one_int(f->db, "SELECT status = 'published' FROM results WHERE id = ?", id, 0) != 0;
    if (!publish) {
        if (!published)
            return raati_fail(err, RAATI_E_CONFLICT, NULL, "the results are not published");
        rc = forum_exec(f->db, "UPDATE results SET status = 'unpublished' WHERE id = ?", &id, 1,
                        NULL, 0, "the results", err);
        if (!rc)
            results_touch();
        return rc ? rc : reply_results(f, id, reply, err);
    }
    if (status != PERIOD_CLOSED)
        return raati_fail(err, RAATI_E_CONFLICT, "period_id",
                          "the period is still %s: results are published once it has closed",
                          period_status_name(status));
    if (!one_int(f->db,
                 "SELECT summary <> '' OR EXISTS (SELECT 1 FROM finding WHERE results_id = ?1) "
                 "FROM results WHERE id = ?1",
                 id, 0))
        return raati_fail(err, RAATI_E_INVALID_FIELD, "summary",
                          "write a summary or at least one finding before publishing");
    int first =
        one_int(f->db, "SELECT first_published_at IS NULL FROM results WHERE id = ?", id, 0) != 0;
    json_t *doc = build_document(f, id);
    if (!doc)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not build the page");
    int64_t version = one_int(f->db, "SELECT version FROM results WHERE id = ?", id, 0) + 1;
    char *first_at = NULL;
    if (!first) {
        sqlite3_stmt *st = db_prepare(f->db, "SELECT first_published_at FROM results WHERE id = ?");
        if (st) {
            sqlite3_bind_int64(st, 1, id);
            if (sqlite3_step(st) == SQLITE_ROW)
                first_at = strdup((const char *)sqlite3_column_text(st, 0));
            sqlite3_reset(st);
        }
    }
    json_object_set_new(doc, "version", json_integer(version));
    json_object_set_new(doc, "first_published_at", json_string(first_at ? first_at : f->now));
    json_object_set_new(doc, "published_at", json_string(f->now));
    free(first_at);
    char *text = json_dumps(doc, JSON_COMPACT);
    int64_t v[3] = {id, version, f->member_id};
    const char *t[2] = {f->now, text};
    rc = text ? forum_exec(f->db,
                           "INSERT INTO results_version (results_id, version, published_by, "
                           "published_at, document) VALUES (?1, ?2, ?3, ?4, ?5)",
                           v, 3, t, 2, "the version", err)
              : raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    free(text);
    if (!rc)
        rc = forum_exec(
            f->db,
            "UPDATE results SET status = 'published', version = ?2, published_rev = rev, "
            "first_published_at = coalesce(first_published_at, ?3), published_at = ?3 "
            "WHERE id = ?1",
            v, 2, t, 1, "the results", err);
    if (!rc && first)
        rc = tell_participants(f, period_id, "results.published", err);
    if (!rc)
        rc = tell_quoted(f, id, period_id, doc, err);
    json_decref(doc);
    if (!rc)
        results_touch();
    return rc ? rc : reply_results(f, id, reply, err);
}

raati_code results_versions(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t period_id;
    period_status status;
    raati_code rc = period_arg(f, msg, &period_id, &status, err);
    if (rc)
        return rc;
    json_t *list = json_array();
    sqlite3_stmt *st =
        db_prepare(f->db, "SELECT v.version, v.published_at, v.published_by, m.display_name "
                          "FROM results_version v JOIN results r ON r.id = v.results_id "
                          "JOIN member m ON m.id = v.published_by WHERE r.period_id = ? "
                          "ORDER BY v.version DESC");
    if (!st || !list) {
        json_decref(list);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the versions");
    }
    sqlite3_bind_int64(st, 1, period_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(list, json_pack("{s:I, s:o, s:{s:I, s:o}}", "version",
                                              (json_int_t)sqlite3_column_int64(st, 0),
                                              "published_at", forum_col_text(st, 1), "published_by",
                                              "id", (json_int_t)sqlite3_column_int64(st, 2),
                                              "display_name", forum_col_text(st, 3)));
    sqlite3_reset(st);
    json_object_set_new(reply, "versions", list);
    return RAATI_OK;
}

#define QUOTABLE_PAGE 100

raati_code results_quotable(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t period_id, topic_id = 0, before = 0;
    period_status status;
    raati_code rc = period_arg(f, msg, &period_id, &status, err);
    if (!rc)
        rc = forum_id(msg, "topic_id", 0, &topic_id, err);
    if (!rc)
        rc = forum_id(msg, "before", 0, &before, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = db_prepare(
        f->db, "SELECT p.id, t.id, t.title, p.body, p.created_at FROM post p "
               "JOIN topic t ON t.id = p.topic_id JOIN member m ON m.id = p.author_id "
               "WHERE t.period_id = ?1 AND (?2 = 0 OR t.id = ?2) AND (?3 = 0 OR p.id < ?3) "
               "AND p.status = 'published' AND p.deleted_at IS NULL AND t.status = 'published' "
               "AND m.quote_consent = 1 AND NOT EXISTS (SELECT 1 FROM quote w WHERE "
               "w.post_id = p.id AND w.withdrawn_at IS NOT NULL) ORDER BY p.id DESC LIMIT ?4");
    json_t *posts = json_array();
    if (!st || !posts) {
        json_decref(posts);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the posts");
    }
    sqlite3_bind_int64(st, 1, period_id);
    sqlite3_bind_int64(st, 2, topic_id);
    sqlite3_bind_int64(st, 3, before);
    sqlite3_bind_int(st, 4, QUOTABLE_PAGE + 1);
    int64_t last = 0;
    int n = 0, more = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == QUOTABLE_PAGE) {
            more = 1;
            break;
        }
        last = sqlite3_column_int64(st, 0);
        json_array_append_new(posts, json_pack("{s:I, s:{s:I, s:o}, s:o, s:o}", "id",
                                               (json_int_t)last, "topic", "id",
                                               (json_int_t)sqlite3_column_int64(st, 1), "title",
                                               forum_col_text(st, 2), "body", forum_col_text(st, 3),
                                               "created_at", forum_col_text(st, 4)));
        n++;
    }
    sqlite3_reset(st);
    json_object_set_new(reply, "posts", posts);
    json_object_set_new(reply, "next_before", more ? json_integer(last) : json_null());
    return RAATI_OK;
}

/* ---- follow-ups ---- */

/* A real calendar date, YYYY-MM-DD. */
static int valid_date(const char *s)
{
    int y, m, d;
    char extra;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || y < 2000 || y > 2200 || m < 1 ||
        m > 12 || d < 1)
        return 0;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

static raati_code parse_follow_up(json_t *msg, char **date, const char **status, char **text,
                                  char **reason, raati_error *err)
{
    static const char *const statuses[] = {"considering", "in_progress", "done", "declined"};
    raati_code rc = text_field(msg, "date", 1, 1, 10, date, err);
    if (!rc && !valid_date(*date))
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "date", "date must be a real date, YYYY-MM-DD");
    json_t *s = json_object_get(msg, "status");
    *status = NULL;
    if (!rc && (!s || json_is_null(s)))
        rc = raati_fail(err, RAATI_E_MISSING_FIELD, "status", "status is required");
    for (int i = 0; !rc && !*status && i < 4; i++)
        if (json_is_string(s) && !strcmp(json_string_value(s), statuses[i]))
            *status = statuses[i];
    if (!rc && !*status)
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "status",
                        "status must be considering, in_progress, done or declined");
    if (!rc)
        rc = text_field(msg, "text", 0, 0, FOLLOW_UP_TEXT_MAX, text, err);
    if (!rc)
        rc = text_field(msg, "reason", 0, 0, FOLLOW_UP_REASON_MAX, reason, err);
    if (!rc && *reason && !**reason) {
        free(*reason);
        *reason = NULL;
    }
    if (!rc && !strcmp(*status, "declined") && !*reason)
        rc = raati_fail(err, RAATI_E_MISSING_FIELD, "reason",
                        "say why it will not be done: reason is required for declined");
    if (!rc && strcmp(*status, "declined") && *reason)
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "reason", "a reason goes only with declined");
    return rc;
}

/* The page and period of a finding, and whether the public sees it (on
 * the published page's newest version); not_found if there is none. */
static raati_code finding_page(db *d, int64_t finding_id, int64_t *results_id, int64_t *period_id,
                               int *published, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT r.id, r.period_id, r.status = 'published' AND EXISTS (SELECT 1 FROM "
           "results_version v, json_each(v.document, '$.findings') j WHERE v.results_id = r.id "
           "AND v.version = r.version AND json_extract(j.value, '$.id') = f.id) "
           "FROM finding f JOIN results r ON r.id = f.results_id WHERE f.id = ?");
    raati_code rc = RAATI_OK;
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the finding");
    sqlite3_bind_int64(st, 1, finding_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *results_id = sqlite3_column_int64(st, 0);
        *period_id = sqlite3_column_int64(st, 1);
        *published = sqlite3_column_int(st, 2);
    } else {
        rc = raati_fail(err, RAATI_E_NOT_FOUND, "finding_id", "no such finding");
    }
    sqlite3_reset(st);
    return rc;
}

raati_code follow_up_change(forum_ctx *f, const char *which, json_t *msg, json_t *reply,
                            raati_error *err)
{
    int add = !strcmp(which, "add"), del = !strcmp(which, "delete");
    int64_t id = 0, finding_id = 0, results_id = 0, period_id = 0;
    int published = 0;
    char *date = NULL, *text = NULL, *reason = NULL;
    const char *status = NULL;
    raati_code rc = add ? forum_id(msg, "finding_id", 1, &finding_id, err)
                        : forum_id(msg, "follow_up_id", 1, &id, err);
    if (!rc && !add &&
        !(finding_id = one_int(f->db, "SELECT finding_id FROM follow_up WHERE id = ?", id, 0)))
        rc = raati_fail(err, RAATI_E_NOT_FOUND, "follow_up_id", "no such follow-up");
    if (!rc)
        rc = finding_page(f->db, finding_id, &results_id, &period_id, &published, err);
    if (!rc && !del)
        rc = parse_follow_up(msg, &date, &status, &text, &reason, err);
    if (rc)
        goto out;
    int64_t v[3] = {id, finding_id, f->member_id};
    const char *t[5] = {date, status, text ? text : "", reason, f->now};
    if (add) {
        rc =
            forum_exec(f->db,
                       "INSERT INTO follow_up (finding_id, created_by, date, status, text, reason, "
                       "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                       v + 1, 2, t, 5, "the follow-up", err);
        id = sqlite3_last_insert_rowid(db_handle(f->db));
        if (!rc && published)
            rc = tell_participants(f, period_id, "follow_up.added", err);
    } else if (del) {
        rc = forum_exec(f->db, "DELETE FROM follow_up WHERE id = ?", &id, 1, NULL, 0,
                        "the follow-up", err);
    } else {
        rc = forum_exec(f->db,
                        "UPDATE follow_up SET date = ?4, status = ?5, text = ?6, reason = ?7, "
                        "updated_at = ?8 WHERE id = ?1 AND finding_id = ?2 AND ?3 = ?3",
                        v, 3, t, 5, "the follow-up", err);
    }
    if (!rc && !del) {
        json_t *fu = follow_up_by_id(f->db, id);
        rc = fu ? RAATI_OK : raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read it back");
        json_object_set_new(reply, "follow_up", fu ? fu : json_null());
    } else if (!rc) {
        json_object_set_new(reply, "follow_up_id", json_integer(id));
    }
    if (!rc)
        rc = reply_results(f, results_id, reply, err);
    if (!rc)
        results_touch();
out:
    free(date);
    free(text);
    free(reason);
    return rc;
}

/* ---- quotes, for their authors ---- */

raati_code quote_withdraw(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t id;
    raati_code rc = forum_id(msg, "quote_id", 1, &id, err);
    if (rc)
        return rc;
    if (one_int(f->db,
                "SELECT p.author_id FROM quote q JOIN post p ON p.id = q.post_id WHERE q.id = ?",
                id, 0) != f->member_id)
        return raati_fail(err, RAATI_E_NOT_FOUND, "quote_id", "no such quote of your posts");
    const char *now = f->now;
    rc = forum_exec(f->db,
                    "UPDATE quote SET withdrawn_at = coalesce(withdrawn_at, ?2) WHERE id = ?1", &id,
                    1, &now, 1, "the quote", err);
    if (!rc) {
        results_touch();
        json_object_set_new(reply, "quote_id", json_integer(id));
    }
    return rc;
}
