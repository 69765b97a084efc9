/* surveys.c: see surveys.h. */
#include "surveys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json_util.h"
#include "log.h"
#include "markdown.h"
#include "members.h"
#include "periods.h"
#include "question.h"
#include "strbuf.h"

static const char *const statuses[] = {"draft", "open", "closed"};
enum { S_DRAFT, S_OPEN, S_CLOSED };

struct survey_row {
    int64_t id, period_id;
    int secret, allow_edit, status, responses;
};

static int load(db *d, int64_t id, struct survey_row *s)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT period_id, secret, allow_edit, status, responses "
                                     "FROM survey WHERE id = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        s->id = id;
        s->period_id = sqlite3_column_int64(st, 0);
        s->secret = sqlite3_column_int(st, 1);
        s->allow_edit = sqlite3_column_int(st, 2);
        s->status = question_index_of(statuses, 3, (const char *)sqlite3_column_text(st, 3));
        s->responses = sqlite3_column_int(st, 4);
    }
    sqlite3_reset(st);
    return found ? 0 : -1;
}

raati_code survey_period(db *d, int64_t id, int role, int64_t *period_id, int *draft,
                         raati_error *err)
{
    struct survey_row s;
    period_status status;
    if (load(d, id, &s) || period_visible(d, s.period_id, role, &status, NULL) ||
        (s.status == S_DRAFT && role < ROLE_MODERATOR))
        return raati_fail(err, RAATI_E_NOT_FOUND, "survey_id", "no such survey");
    *period_id = s.period_id;
    if (draft)
        *draft = s.status == S_DRAFT;
    return RAATI_OK;
}

/* ---- questions as stored ---- */

struct qrow {
    int64_t id;
    int required;
    struct question_rules r;
};

/* The survey's questions in order, with their option ids; how many, or -1. */
static int load_questions(db *d, int64_t survey_id, struct qrow *qs)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT id, kind, required, coalesce(min_picks, 0), coalesce(max_picks, 0), "
                      "coalesce(scale_min, 0), coalesce(scale_max, 0) FROM survey_question "
                      "WHERE survey_id = ? ORDER BY position");
    int n = 0;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, survey_id);
    while (n < SURVEY_QUESTIONS_MAX && sqlite3_step(st) == SQLITE_ROW) {
        struct qrow *q = &qs[n++];
        memset(q, 0, sizeof *q);
        q->id = sqlite3_column_int64(st, 0);
        q->r.kind =
            question_index_of(question_kinds, Q_KINDS, (const char *)sqlite3_column_text(st, 1));
        q->required = sqlite3_column_int(st, 2);
        q->r.min_picks = sqlite3_column_int(st, 3);
        q->r.max_picks = sqlite3_column_int(st, 4);
        q->r.scale_min = sqlite3_column_int(st, 5);
        q->r.scale_max = sqlite3_column_int(st, 6);
    }
    sqlite3_reset(st);
    st = db_prepare(d, "SELECT id FROM survey_option WHERE question_id = ? ORDER BY position");
    if (!st)
        return -1;
    for (int i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, qs[i].id);
        while (qs[i].r.n_options < QUESTION_OPTIONS_MAX && sqlite3_step(st) == SQLITE_ROW)
            qs[i].r.option_ids[qs[i].r.n_options++] = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    return n;
}

static json_t *questions_json(db *d, int64_t survey_id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT id, kind, text, help, required, min_picks, max_picks, scale_min, scale_max, "
           "scale_min_label, scale_max_label FROM survey_question WHERE survey_id = ? "
           "ORDER BY position");
    json_t *arr = json_array();
    if (!st)
        return arr;
    sqlite3_bind_int64(st, 1, survey_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int kind =
            question_index_of(question_kinds, Q_KINDS, (const char *)sqlite3_column_text(st, 1));
        json_t *scale = kind == Q_SCALE
                            ? json_pack("{s:i, s:i, s:o, s:o}", "min", sqlite3_column_int(st, 7),
                                        "max", sqlite3_column_int(st, 8), "min_label",
                                        forum_col_text(st, 9), "max_label", forum_col_text(st, 10))
                            : json_null();
        json_t *q = json_pack(
            "{s:I, s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:[]}", "id",
            (json_int_t)sqlite3_column_int64(st, 0), "kind", kind >= 0 ? question_kinds[kind] : "",
            "text", forum_col_text(st, 2), "help", forum_col_text(st, 3), "required",
            sqlite3_column_int(st, 4), "min_picks",
            kind == Q_MULTIPLE ? json_integer(sqlite3_column_int(st, 5)) : json_null(), "max_picks",
            kind == Q_MULTIPLE ? json_integer(sqlite3_column_int(st, 6)) : json_null(), "scale",
            scale, "options");
        if (q)
            json_array_append_new(arr, q);
    }
    sqlite3_reset(st);
    st = db_prepare(d, "SELECT id, label FROM survey_option WHERE question_id = ? "
                       "ORDER BY position");
    for (size_t i = 0; st && i < json_array_size(arr); i++) {
        json_t *q = json_array_get(arr, i), *options = json_object_get(q, "options");
        sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(q, "id")));
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(options, json_pack("{s:I, s:o}", "id",
                                                     (json_int_t)sqlite3_column_int64(st, 0),
                                                     "label", forum_col_text(st, 1)));
        sqlite3_reset(st);
    }
    return arr;
}

/* ---- a member's response ---- */

static int tag_of(db *d, int64_t survey_id, int64_t member_id, unsigned char tag[32])
{
    return forum_secret_tag(d, "SELECT key FROM survey_key WHERE survey_id = ?", survey_id,
                            member_id, tag);
}

/* The member's response id, or 0. */
static int64_t response_of(db *d, const struct survey_row *s, int64_t member_id)
{
    if (s->secret && s->status != S_OPEN)
        return 0;
    return forum_member_row(d, s->secret, "SELECT key FROM survey_key WHERE survey_id = ?",
                            "SELECT id FROM survey_response WHERE survey_id = ? AND voter_tag = ?",
                            "SELECT id FROM survey_response WHERE survey_id = ? AND member_id = ?",
                            s->id, member_id);
}

static int has_submitted(db *d, int64_t survey_id, int64_t member_id)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT 1 FROM survey_respondent WHERE survey_id = ? AND member_id = ?");
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, survey_id);
    sqlite3_bind_int64(st, 2, member_id);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

static json_t *my_response(db *d, const struct survey_row *s, int64_t member_id)
{
    int64_t id = response_of(d, s, member_id);
    if (!id)
        return has_submitted(d, s->id, member_id)
                   ? json_pack("{s:s, s:n, s:n, s:n}", "status", "submitted", "answers",
                               "updated_at", "submitted_at")
                   : json_null();
    sqlite3_stmt *st = db_prepare(
        d, "SELECT status, answers, updated_at, submitted_at FROM survey_response WHERE id = ?");
    json_t *o = json_null();
    if (!st)
        return o;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        json_t *answers = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
        json_decref(o);
        o = json_pack("{s:o, s:o, s:o, s:o}", "status", forum_col_text(st, 0), "answers",
                      answers ? answers : json_object(), "updated_at", forum_col_text(st, 2),
                      "submitted_at", forum_col_text(st, 3));
    }
    sqlite3_reset(st);
    return o ? o : json_null();
}

json_t *survey_json(db *d, int64_t id, const forum_ctx *f)
{
    struct survey_row s;
    if (load(d, id, &s))
        return NULL;
    sqlite3_stmt *st =
        db_prepare(d, "SELECT title, intro, status, closes_at, opened_at, "
                      "closed_at, created_at, seq, template FROM survey WHERE id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:I, s:I, s:o, s:o, s:b, s:b, s:o, s:o, s:o, s:o, s:i, s:o, s:I}", "id",
                      (json_int_t)id, "period_id", (json_int_t)s.period_id, "title",
                      forum_col_text(st, 0), "intro", forum_col_text(st, 1), "secret", s.secret,
                      "allow_edit", s.allow_edit, "status", forum_col_text(st, 2), "closes_at",
                      forum_col_text(st, 3), "opened_at", forum_col_text(st, 4), "closed_at",
                      forum_col_text(st, 5), "responses", s.responses, "created_at",
                      forum_col_text(st, 6), "seq", (json_int_t)sqlite3_column_int64(st, 7));
    if (o)
        json_object_set_new(o, "template", forum_col_text(st, 8));
    sqlite3_reset(st);
    if (!o)
        return NULL;
    json_object_set_new(o, "questions", questions_json(d, id));
    if (f)
        json_object_set_new(o, "my_response", my_response(d, &s, f->member_id));
    return o;
}

/* Up to max ids that sql (?1 the period, ?2 since) selects, in order. */
static int ids_of(db *d, const char *sql, int64_t period_id, int64_t since, int64_t *ids, int max)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    int n = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, period_id);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_int64(st, 2, since);
    while (n < max && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

json_t *survey_list(const forum_ctx *f, int64_t period_id)
{
    int64_t ids[500];
    int n = ids_of(f->db,
                   f->role >= ROLE_MODERATOR ? "SELECT id FROM survey WHERE period_id = ?1 "
                                               "ORDER BY id DESC LIMIT 500"
                                             : "SELECT id FROM survey WHERE period_id = ?1 AND "
                                               "status != 'draft' ORDER BY id DESC LIMIT 500",
                   period_id, 0, ids, 500);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *s = survey_json(f->db, ids[i], f);
        if (s)
            json_array_append_new(arr, s);
    }
    return arr;
}

json_t *survey_changes(db *d, int64_t period_id, int64_t since, const forum_ctx *f)
{
    int64_t ids[500];
    int n = ids_of(d,
                   "SELECT id FROM survey WHERE period_id = ?1 AND seq > ?2 AND "
                   "status != 'draft' ORDER BY seq LIMIT 500",
                   period_id, since, ids, 500);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        json_t *s = survey_json(d, ids[i], f);
        if (!s) {
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, json_pack("{s:s, s:s, s:O, s:o}", "type", "event", "event",
                                             "survey.changed", "seq", json_object_get(s, "seq"),
                                             "data", s));
    }
    return arr;
}

/* ---- writing ---- */

static raati_code touch(forum_ctx *f, int64_t id, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(f->db, "UPDATE survey SET seq = ? WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the survey");
    sqlite3_bind_int64(st, 1, f->seq);
    sqlite3_bind_int64(st, 2, id);
    return forum_step(f->db, st, "the survey", err);
}

/* Runs one write statement with ?1 bound to id. */
static raati_code exec_id(forum_ctx *f, const char *sql, int64_t id, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(f->db, sql);
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the survey");
    sqlite3_bind_int64(st, 1, id);
    return forum_step(f->db, st, "the survey", err);
}

/* A question as a request gives it. */
struct qdef {
    char *text, *help;
    int required;
    struct question_spec spec;
};

static void qdefs_free(struct qdef *defs, int n)
{
    for (int i = 0; i < n; i++) {
        free(defs[i].text);
        free(defs[i].help);
        question_spec_free(&defs[i].spec);
    }
}

/* Reads msg's questions into defs (the caller frees n of them). */
static raati_code read_questions(json_t *msg, struct qdef *defs, int *n, raati_error *err)
{
    json_t *arr;
    raati_code rc;
    *n = 0;
    if ((rc = jfield_array(msg, "questions", 1, &arr, err)))
        return rc;
    if (json_array_size(arr) < 1 || json_array_size(arr) > SURVEY_QUESTIONS_MAX)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "questions", "a survey has 1 to %d questions",
                          SURVEY_QUESTIONS_MAX);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *q = json_array_get(arr, i);
        char prefix[40];
        const char *kind_s;
        struct qdef *d = &defs[(*n)++];
        memset(d, 0, sizeof *d);
        snprintf(prefix, sizeof prefix, "questions.%d.", (int)i);
        if (!json_is_object(q)) {
            raati_fail(err, RAATI_E_INVALID_FIELD, NULL, "question %d must be an object", (int)i);
            snprintf(err->field, sizeof err->field, "questions.%d", (int)i);
            return RAATI_E_INVALID_FIELD;
        }
        int kind = -1;
        if (!(rc = jfield_string(q, "kind", 1, &kind_s, NULL, err)) &&
            (kind = question_index_of(question_kinds, Q_KINDS, kind_s)) < 0)
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "kind",
                            "kind must be single, multiple, scale, ranking, short_text or "
                            "long_text");
        if (!rc)
            rc = text_field(q, "text", 1, 1, QUESTION_TEXT_MAX, &d->text, err);
        if (!rc)
            rc = text_field(q, "help", 0, 0, QUESTION_HELP_MAX, &d->help, err);
        if (!rc)
            rc = jfield_bool(q, "required", 0, &d->required, NULL, err);
        if (rc) {
            char field[80];
            snprintf(field, sizeof field, "%s%s", prefix, err->field);
            snprintf(err->field, sizeof err->field, "%.31s", field);
            return rc;
        }
        if ((rc = question_read_spec(q, kind, prefix, &d->spec, err)))
            return rc;
    }
    return RAATI_OK;
}

static raati_code write_questions(forum_ctx *f, int64_t survey_id, const struct qdef *defs, int n,
                                  raati_error *err)
{
    raati_code rc;
    for (int i = 0; i < n; i++) {
        const struct qdef *d = &defs[i];
        const struct question_spec *q = &d->spec;
        sqlite3_stmt *st = db_prepare(
            f->db, "INSERT INTO survey_question (survey_id, position, kind, text, help, required, "
                   "min_picks, max_picks, scale_min, scale_max, scale_min_label, "
                   "scale_max_label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the survey");
        sqlite3_bind_int64(st, 1, survey_id);
        sqlite3_bind_int(st, 2, i);
        sqlite3_bind_text(st, 3, question_kinds[q->kind], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, d->text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, d->help ? d->help : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 6, d->required);
        for (int k = 7; k <= 12; k++)
            sqlite3_bind_null(st, k);
        if (q->kind == Q_MULTIPLE) {
            sqlite3_bind_int(st, 7, q->min_picks);
            sqlite3_bind_int(st, 8, q->max_picks);
        } else if (q->kind == Q_SCALE) {
            sqlite3_bind_int(st, 9, q->scale_min);
            sqlite3_bind_int(st, 10, q->scale_max);
            sqlite3_bind_text(st, 11, q->min_label ? q->min_label : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 12, q->max_label ? q->max_label : "", -1, SQLITE_TRANSIENT);
        }
        if ((rc = forum_step(f->db, st, "the survey's questions", err)))
            return rc;
        int64_t qid = sqlite3_last_insert_rowid(db_handle(f->db));
        for (int k = 0; k < q->n_options; k++) {
            st = db_prepare(f->db, "INSERT INTO survey_option (question_id, position, label) "
                                   "VALUES (?, ?, ?)");
            if (!st)
                return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the survey");
            sqlite3_bind_int64(st, 1, qid);
            sqlite3_bind_int(st, 2, k);
            sqlite3_bind_text(st, 3, q->labels[k], -1, SQLITE_TRANSIENT);
            if ((rc = forum_step(f->db, st, "the survey's options", err)))
                return rc;
        }
    }
    return RAATI_OK;
}

/* ---- the feedback template ---- */

static const struct feedback_text {
    const char *title, *intro, *effect, *effect_opts[4], *satisfied, *low, *high, *good, *better,
        *again, *again_opts[3];
} feedback[LANG_COUNT] = {
    {"Palaute: ",
     "Kiitos, että osallistuit! Vastaa muutamaan kysymykseen. Vastaukset ovat nimettömiä.",
     "Koitko, että osallistumisellasi oli vaikutusta?",
     {"Kyllä", "Jonkin verran", "En", "En osaa sanoa"},
     "Kuinka tyytyväinen olit tähän osallistumiseen kokonaisuutena?",
     "Erittäin tyytymätön",
     "Erittäin tyytyväinen",
     "Mikä toimi hyvin?",
     "Mitä pitäisi tehdä toisin?",
     "Osallistuisitko uudelleen?",
     {"Kyllä", "Ehkä", "En"}},
    {"Respons: ",
     "Tack för att du deltog! Svara på några frågor. Svaren är anonyma.",
     "Upplevde du att ditt deltagande hade betydelse?",
     {"Ja", "Delvis", "Nej", "Vet inte"},
     "Hur nöjd var du med deltagandet som helhet?",
     "Mycket missnöjd",
     "Mycket nöjd",
     "Vad fungerade bra?",
     "Vad borde göras annorlunda?",
     "Skulle du delta igen?",
     {"Ja", "Kanske", "Nej"}},
    {"Feedback: ",
     "Thank you for taking part! Please answer a few questions. Your answers are anonymous.",
     "Did you feel that taking part made a difference?",
     {"Yes", "Somewhat", "No", "Can't say"},
     "How satisfied were you with taking part, all in all?",
     "Very dissatisfied",
     "Very satisfied",
     "What worked well?",
     "What should be done differently?",
     "Would you take part again?",
     {"Yes", "Maybe", "No"}},
};

/* Cuts s to at most max characters, at a character boundary. */
static void cut_chars(char *s, size_t max)
{
    size_t chars = 0;
    for (char *p = s; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80 && ++chars > max) {
            *p = '\0';
            return;
        }
}

/* survey.create's fields for the feedback template, in msg's language or
 * the moderator's own. */
static json_t *feedback_template(forum_ctx *f, json_t *msg, int64_t period_id, raati_error *err)
{
    const char *lang_s = NULL;
    if (jfield_string(msg, "language", 0, &lang_s, NULL, err))
        return NULL;
    int lang = lang_s ? question_index_of(config_lang_names, LANG_COUNT, lang_s) : -1;
    if (lang_s && lang < 0) {
        raati_fail(err, RAATI_E_INVALID_FIELD, "language", "language must be fi, sv or en");
        return NULL;
    }
    char title[1024] = "";
    sqlite3_stmt *st = db_prepare(
        f->db, "SELECT (SELECT title FROM period WHERE id = ?), language FROM member WHERE id = ?");
    if (st) {
        sqlite3_bind_int64(st, 1, period_id);
        sqlite3_bind_int64(st, 2, f->member_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            if (lang < 0 && sqlite3_column_text(st, 1))
                lang = question_index_of(config_lang_names, LANG_COUNT,
                                         (const char *)sqlite3_column_text(st, 1));
            if (lang < 0)
                lang = 0;
            snprintf(title, sizeof title, "%s%s", feedback[lang].title,
                     sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
        }
        sqlite3_reset(st);
    }
    if (lang < 0)
        lang = 0;
    if (!title[0])
        snprintf(title, sizeof title, "%s", feedback[lang].title);
    cut_chars(title, SURVEY_TITLE_MAX);
    const struct feedback_text *t = &feedback[lang];
    return json_pack("{s:I, s:s, s:s, s:b, s:b, s:[{s:s, s:s, s:b, s:[s, s, s, s]}, "
                     "{s:s, s:s, s:b, s:{s:i, s:i, s:s, s:s}}, {s:s, s:s}, {s:s, s:s}, "
                     "{s:s, s:s, s:[s, s, s]}]}",
                     "period_id", (json_int_t)period_id, "title", title, "intro", t->intro,
                     "secret", 1, "allow_edit", 0, "questions", "kind", "single", "text", t->effect,
                     "required", 1, "options", t->effect_opts[0], t->effect_opts[1],
                     t->effect_opts[2], t->effect_opts[3], "kind", "scale", "text", t->satisfied,
                     "required", 1, "scale", "min", 1, "max", 5, "min_label", t->low, "max_label",
                     t->high, "kind", "long_text", "text", t->good, "kind", "long_text", "text",
                     t->better, "kind", "single", "text", t->again, "options", t->again_opts[0],
                     t->again_opts[1], t->again_opts[2]);
}

raati_code survey_create(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err)
{
    int64_t period_id;
    period_status status;
    const char *template_s = NULL;
    char *title = NULL, *intro = NULL;
    struct qdef defs[SURVEY_QUESTIONS_MAX];
    int n = 0, secret = 0, allow_edit = 0;
    char closes_iso[TIME_ISO_SIZE] = "";
    json_t *owned = NULL;
    raati_code rc;
    if ((rc = forum_id(msg, "period_id", 1, &period_id, err)) ||
        (rc = jfield_string(msg, "template", 0, &template_s, NULL, err)) ||
        (rc = period_visible(f->db, period_id, f->role, &status, err)))
        return rc;
    if (status == PERIOD_CLOSED)
        return period_writable(status, err);
    if (template_s) {
        if (strcmp(template_s, "feedback"))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "template", "template must be feedback");
        int64_t ids[1];
        if (ids_of(f->db,
                   "SELECT id FROM survey WHERE period_id = ?1 AND template = 'feedback' AND "
                   "status != 'closed' LIMIT 1",
                   period_id, 0, ids, 1))
            return raati_fail(err, RAATI_E_CONFLICT, "template",
                              "the period has a feedback survey already (survey %lld): open that "
                              "one, or close it first",
                              (long long)ids[0]);
        if (!(msg = owned = feedback_template(f, msg, period_id, err)))
            return err && err->code ? err->code
                                    : raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    }
    if ((rc = text_field(msg, "title", 1, 1, SURVEY_TITLE_MAX, &title, err)) ||
        (rc = text_field(msg, "intro", 0, 0, SURVEY_INTRO_MAX, &intro, err)) ||
        (rc = jfield_bool(msg, "secret", 0, &secret, NULL, err)) ||
        (rc = jfield_bool(msg, "allow_edit", 0, &allow_edit, NULL, err)) ||
        (rc = read_questions(msg, defs, &n, err)) ||
        (rc =
             period_closing_time(f, period_id, json_object_get(msg, "closes_at"), closes_iso, err)))
        goto out;
    sqlite3_stmt *st = db_prepare(
        f->db, "INSERT INTO survey (period_id, title, intro, secret, allow_edit, closes_at, "
               "created_by, created_at, seq, template) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the survey");
        goto out;
    }
    sqlite3_bind_int64(st, 1, period_id);
    sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, intro ? intro : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, secret);
    sqlite3_bind_int(st, 5, allow_edit);
    if (closes_iso[0])
        sqlite3_bind_text(st, 6, closes_iso, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, f->member_id);
    sqlite3_bind_text(st, 8, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, f->seq);
    template_s ? sqlite3_bind_text(st, 10, template_s, -1, SQLITE_TRANSIENT)
               : sqlite3_bind_null(st, 10);
    if ((rc = forum_step(f->db, st, "the survey", err)))
        goto out;
    *id = sqlite3_last_insert_rowid(db_handle(f->db));
    rc = write_questions(f, *id, defs, n, err);
out:
    qdefs_free(defs, n);
    free(title);
    free(intro);
    json_decref(owned);
    return rc;
}

raati_code survey_update(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err)
{
    struct survey_row s;
    period_status status;
    char *title = NULL, *intro = NULL;
    struct qdef defs[SURVEY_QUESTIONS_MAX];
    int n = 0, secret = 0, allow_edit = 0, has_secret = 0, has_edit = 0;
    char closes_iso[TIME_ISO_SIZE] = "";
    json_t *closes = json_object_get(msg, "closes_at"),
           *questions = json_object_get(msg, "questions");
    raati_code rc;
    if ((rc = forum_id(msg, "survey_id", 1, id, err)))
        return rc;
    if (load(f->db, *id, &s) || period_visible(f->db, s.period_id, f->role, &status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "survey_id", "no such survey");
    if (s.status == S_CLOSED)
        return raati_fail(err, RAATI_E_CONFLICT, NULL, "the survey is closed");
    if (status == PERIOD_CLOSED)
        return period_writable(status, err); /* period_closed */
    if (s.status != S_DRAFT && questions && !json_is_null(questions))
        return raati_fail(err, RAATI_E_CONFLICT, "questions",
                          "the survey is open: its questions can no longer change");
    if ((rc = text_field(msg, "title", 0, 1, SURVEY_TITLE_MAX, &title, err)) ||
        (rc = text_field(msg, "intro", 0, 0, SURVEY_INTRO_MAX, &intro, err)) ||
        (rc = jfield_bool(msg, "secret", 0, &secret, &has_secret, err)) ||
        (rc = jfield_bool(msg, "allow_edit", 0, &allow_edit, &has_edit, err)) ||
        (questions && !json_is_null(questions) && (rc = read_questions(msg, defs, &n, err))) ||
        (rc = period_closing_time(f, s.period_id, closes, closes_iso, err)))
        goto out;
    if (s.status != S_DRAFT && has_secret && secret != s.secret) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "secret",
                        "the survey is open: whether it is secret can no longer change");
        goto out;
    }
    sqlite3_stmt *st = db_prepare(
        f->db, "UPDATE survey SET title = coalesce(?2, title), intro = coalesce(?3, intro), "
               "secret = coalesce(?4, secret), allow_edit = coalesce(?5, allow_edit), "
               "closes_at = CASE WHEN ?6 THEN ?7 ELSE closes_at END WHERE id = ?1");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the survey");
        goto out;
    }
    sqlite3_bind_int64(st, 1, s.id);
    title ? sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 2);
    intro ? sqlite3_bind_text(st, 3, intro, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 3);
    has_secret ? sqlite3_bind_int(st, 4, secret) : sqlite3_bind_null(st, 4);
    has_edit ? sqlite3_bind_int(st, 5, allow_edit) : sqlite3_bind_null(st, 5);
    sqlite3_bind_int(st, 6, closes != NULL);
    closes_iso[0] ? sqlite3_bind_text(st, 7, closes_iso, -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(st, 7);
    if ((rc = forum_step(f->db, st, "the survey", err)))
        goto out;
    if (n && ((rc = exec_id(f, "DELETE FROM survey_question WHERE survey_id = ?1", s.id, err)) ||
              (rc = write_questions(f, s.id, defs, n, err))))
        goto out;
    rc = touch(f, s.id, err);
out:
    qdefs_free(defs, n);
    free(title);
    free(intro);
    return rc;
}

/* Deletes the survey's responses one by one in a random order. A long
 * answer's tail sits in overflow pages numbered in the order responses
 * were written; freed pages are reused last-freed first, so deleting in
 * any fixed order would hand the rewritten rows pages that still tell
 * that order. */
static raati_code delete_shuffled(forum_ctx *f, int64_t survey_id, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(f->db, "SELECT id FROM survey_response WHERE survey_id = ?");
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    raati_code rc = RAATI_OK;
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the survey");
    sqlite3_bind_int64(st, 1, survey_id);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *grown = realloc(ids, cap * sizeof *ids);
            if (!grown)
                rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
            else
                ids = grown;
        }
        if (!rc)
            ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    for (size_t i = n; !rc && i > 1; i--) { /* Fisher-Yates */
        size_t k = randombytes_uniform((uint32_t)i);
        int64_t x = ids[i - 1];
        ids[i - 1] = ids[k];
        ids[k] = x;
    }
    for (size_t i = 0; !rc && i < n; i++)
        rc = exec_id(f, "DELETE FROM survey_response WHERE id = ?1", ids[i], err);
    free(ids);
    return rc;
}

/* Rows written one by one sit in their pages in the order they were
 * written: survey_respondent (which names members) and survey_response
 * (random ids) would pair up by it. When a secret survey closes, both are
 * copied out, deleted (secure_delete zeroes the cells; responses in a
 * random order, see delete_shuffled) and written back sorted by key. */
static raati_code rewrite_in_key_order(forum_ctx *f, int64_t survey_id, raati_error *err)
{
    static const char *const copy[] = {
        "DELETE FROM temp.survey_rewrite",
        "INSERT INTO temp.survey_rewrite (id, answers) SELECT id, answers FROM survey_response "
        "WHERE survey_id = ?1"};
    static const char *const steps[] = {
        "INSERT INTO survey_response (id, survey_id, status, answers) SELECT id, ?1, "
        "'submitted', answers FROM temp.survey_rewrite ORDER BY id",
        "DELETE FROM temp.survey_rewrite",
        "INSERT INTO temp.survey_rewrite (id) SELECT member_id FROM survey_respondent "
        "WHERE survey_id = ?1",
        "DELETE FROM survey_respondent WHERE survey_id = ?1",
        "INSERT INTO survey_respondent (survey_id, member_id) SELECT ?1, id FROM "
        "temp.survey_rewrite ORDER BY id",
        "DELETE FROM temp.survey_rewrite"};
    raati_code rc = RAATI_OK;
    if (db_exec(f->db, "CREATE TEMP TABLE IF NOT EXISTS survey_rewrite "
                       "(id INTEGER PRIMARY KEY, answers TEXT)"))
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the survey");
    for (size_t i = 0; !rc && i < sizeof copy / sizeof copy[0]; i++)
        rc = exec_id(f, copy[i], survey_id, err);
    if (!rc)
        rc = delete_shuffled(f, survey_id, err);
    for (size_t i = 0; !rc && i < sizeof steps / sizeof steps[0]; i++)
        rc = exec_id(f, steps[i], survey_id, err);
    return rc;
}

static raati_code close_survey(forum_ctx *f, const struct survey_row *s, raati_error *err)
{
    raati_code rc;
    sqlite3_stmt *st = db_prepare(f->db, "UPDATE survey SET status = 'closed', closed_at = ? "
                                         "WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the survey");
    sqlite3_bind_text(st, 1, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, s->id);
    if ((rc = forum_step(f->db, st, "the survey", err)) ||
        (rc = exec_id(f, "DELETE FROM survey_response WHERE survey_id = ?1 AND status = 'started'",
                      s->id, err)))
        return rc;
    if (s->secret &&
        ((rc = exec_id(f, "UPDATE survey_response SET voter_tag = NULL WHERE survey_id = ?1", s->id,
                       err)) ||
         (rc = exec_id(f, "DELETE FROM survey_key WHERE survey_id = ?1", s->id, err)) ||
         (rc = rewrite_in_key_order(f, s->id, err))))
        return rc;
    return RAATI_OK;
}

raati_code survey_transition(forum_ctx *f, int64_t id, const char *action, raati_error *err)
{
    struct survey_row s;
    period_status status;
    raati_code rc;
    if (load(f->db, id, &s) || period_visible(f->db, s.period_id, f->role, &status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "survey_id", "no such survey");
    if (!strcmp(action, "delete")) {
        if (s.status != S_DRAFT)
            return raati_fail(err, RAATI_E_CONFLICT, NULL,
                              "only a draft can be deleted; close the survey instead");
        return exec_id(f, "DELETE FROM survey WHERE id = ?1", id, err);
    }
    if (!strcmp(action, "close")) {
        if (s.status != S_OPEN)
            return raati_fail(err, RAATI_E_CONFLICT, NULL, "the survey is not open");
        if ((rc = close_survey(f, &s, err)))
            return rc;
        return touch(f, id, err);
    }
    if (s.status != S_DRAFT)
        return raati_fail(err, RAATI_E_CONFLICT, NULL, "the survey has been opened already");
    if (status == PERIOD_CLOSED)
        return period_writable(status, err);
    sqlite3_stmt *st = db_prepare(f->db, "SELECT 1 FROM survey WHERE id = ? AND closes_at <= ?");
    int past = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, f->now, -1, SQLITE_TRANSIENT);
        past = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
    }
    if (past)
        return raati_fail(err, RAATI_E_CONFLICT, "closes_at",
                          "the survey's closing time has passed: change closes_at first");
    if (s.secret && (rc = forum_secret_key(f,
                                           "INSERT INTO survey_key (survey_id, key) "
                                           "VALUES (?, ?)",
                                           id, err)))
        return rc;
    st = db_prepare(f->db, "UPDATE survey SET status = 'open', opened_at = ? WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not open the survey");
    sqlite3_bind_text(st, 1, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    if ((rc = forum_step(f->db, st, "the survey", err)))
        return rc;
    return touch(f, id, err);
}

/* ---- answering ---- */

/* Names the field answers.<id>. */
static raati_code answer_field(raati_code rc, const char *key, raati_error *err)
{
    if (rc && err) {
        snprintf(err->field, sizeof err->field, "answers.%.20s", key);
        raati_utf8_scrub(err->field);
    }
    return rc;
}

/* Checks answers against the questions and writes the kept ones (unanswered
 * left out) into *out; with submit, every required question must be there. */
static raati_code read_answers(json_t *answers, const struct qrow *qs, int nq, int submit,
                               json_t **out, raati_error *err)
{
    const char *key;
    json_t *v;
    raati_code rc;
    *out = NULL;
    if (!answers || json_is_null(answers))
        return raati_fail(err, RAATI_E_MISSING_FIELD, "answers", "answers is required");
    if (!json_is_object(answers))
        return raati_fail(err, RAATI_E_INVALID_FIELD, "answers",
                          "answers must be an object from question ids to answers");
    json_t *kept = json_object();
    json_object_foreach(answers, key, v)
    {
        const struct qrow *q = NULL;
        size_t digits = strspn(key, "0123456789");
        for (int i = 0; digits && !key[digits] && digits < 16 && key[0] != '0' && i < nq; i++)
            if (qs[i].id == atoll(key))
                q = &qs[i];
        if (!q) {
            json_decref(kept);
            return answer_field(raati_fail(err, RAATI_E_INVALID_FIELD, NULL,
                                           "%.20s is not a question of this survey", key),
                                key, err);
        }
        if (json_is_null(v) || (json_is_array(v) && !json_array_size(v)))
            continue;
        if (json_is_string(v) && !(q->r.kind == Q_SHORT_TEXT || q->r.kind == Q_LONG_TEXT)) {
            /* "" (or only spaces) is unanswered, whatever the kind */
            char *text = NULL;
            json_t *wrap = json_pack("{s:O}", "a", v);
            rc = text_field(wrap, "a", 0, 0, 1, &text, NULL);
            json_decref(wrap);
            int blank = !rc && text && !text[0];
            free(text);
            if (blank)
                continue;
        }
        char qkey[24];
        snprintf(qkey, sizeof qkey, "%lld", (long long)q->id);
        if (q->r.kind == Q_SHORT_TEXT || q->r.kind == Q_LONG_TEXT) {
            char *text = NULL;
            json_t *wrap = json_pack("{s:O}", "a", v);
            rc = text_field(wrap, "a", 0, 0,
                            q->r.kind == Q_SHORT_TEXT ? QUESTION_SHORT_TEXT_MAX
                                                      : QUESTION_LONG_TEXT_MAX,
                            &text, err);
            json_decref(wrap);
            if (rc) {
                free(text);
                json_decref(kept);
                return answer_field(rc, key, err);
            }
            if (text && text[0])
                json_object_set_new(kept, qkey, json_string(text));
            free(text);
            continue;
        }
        int64_t choices[QUESTION_OPTIONS_MAX];
        int n = 0, value = 0;
        if ((rc = question_check_answer(&q->r, v, NULL, choices, &n, &value, err))) {
            json_decref(kept);
            return answer_field(rc, key, err);
        }
        json_t *norm;
        if (q->r.kind == Q_SCALE) {
            norm = json_integer(value);
        } else if (q->r.kind == Q_SINGLE) {
            norm = json_integer(choices[0]);
        } else {
            norm = json_array();
            for (int i = 0; i < n; i++)
                json_array_append_new(norm, json_integer(choices[i]));
        }
        json_object_set_new(kept, qkey, norm);
    }
    for (int i = 0; submit && i < nq; i++) {
        char qkey[24];
        snprintf(qkey, sizeof qkey, "%lld", (long long)qs[i].id);
        if (qs[i].required && !json_object_get(kept, qkey)) {
            json_decref(kept);
            return answer_field(
                raati_fail(err, RAATI_E_MISSING_FIELD, NULL, "question %s is required", qkey), qkey,
                err);
        }
    }
    *out = kept;
    return RAATI_OK;
}

raati_code survey_answer(forum_ctx *f, json_t *msg, int submit, int64_t *id, int *submitted,
                         raati_error *err)
{
    struct survey_row s;
    period_status status;
    struct qrow qs[SURVEY_QUESTIONS_MAX];
    json_t *kept = NULL;
    char *text = NULL;
    raati_code rc;
    *submitted = 0;
    if ((rc = forum_id(msg, "survey_id", 1, id, err)))
        return rc;
    if (load(f->db, *id, &s) || period_visible(f->db, s.period_id, f->role, &status, NULL) ||
        (s.status == S_DRAFT && f->role < ROLE_MODERATOR))
        return raati_fail(err, RAATI_E_NOT_FOUND, "survey_id", "no such survey");
    if ((rc = period_writable(status, err)))
        return rc;
    if (s.status != S_OPEN)
        return raati_fail(err, RAATI_E_CONFLICT, NULL,
                          s.status == S_DRAFT ? "the survey is not open yet"
                                              : "the survey is closed");
    int64_t response = response_of(f->db, &s, f->member_id);
    int was_submitted = 0;
    if (response) {
        sqlite3_stmt *st = db_prepare(f->db, "SELECT status = 'submitted' FROM survey_response "
                                             "WHERE id = ?");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the response");
        sqlite3_bind_int64(st, 1, response);
        was_submitted = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
        sqlite3_reset(st);
    }
    if (was_submitted && !submit)
        return raati_fail(err, RAATI_E_CONFLICT, NULL, "the response is submitted already%s",
                          s.allow_edit ? ": send survey.submit to change it" : "");
    if (was_submitted && !s.allow_edit)
        return raati_fail(err, RAATI_E_CONFLICT, NULL,
                          "the response is submitted already, and this survey does not allow "
                          "changing it");
    int nq = load_questions(f->db, s.id, qs);
    if (nq < 0)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the survey");
    if ((rc = read_answers(json_object_get(msg, "answers"), qs, nq, submit, &kept, err)))
        return rc;
    if (!(text = json_dumps(kept, JSON_COMPACT | JSON_SORT_KEYS))) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        goto out;
    }
    sqlite3_stmt *st;
    const char *now = s.secret ? NULL : f->now;
    if (response) {
        st = db_prepare(f->db, "UPDATE survey_response SET answers = ?2, status = ?3, "
                               "updated_at = ?4, submitted_at = coalesce(submitted_at, ?5) "
                               "WHERE id = ?1");
    } else {
        unsigned char tag[32];
        if (s.secret && tag_of(f->db, s.id, f->member_id, tag)) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "the survey's key is missing");
            goto out;
        }
        response = s.secret ? forum_random_id() : 0;
        st = db_prepare(f->db, "INSERT INTO survey_response (id, answers, status, updated_at, "
                               "submitted_at, survey_id, member_id, voter_tag) "
                               "VALUES (nullif(?1, 0), ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        if (st) {
            sqlite3_bind_int64(st, 6, s.id);
            if (s.secret) {
                sqlite3_bind_null(st, 7);
                sqlite3_bind_blob(st, 8, tag, 32, SQLITE_TRANSIENT);
            } else {
                sqlite3_bind_int64(st, 7, f->member_id);
                sqlite3_bind_null(st, 8);
            }
        }
        sodium_memzero(tag, sizeof tag);
    }
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the response");
        goto out;
    }
    sqlite3_bind_int64(st, 1, response);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, submit ? "submitted" : "started", -1, SQLITE_STATIC);
    now ? sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 4);
    submit &&now ? sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 5);
    if ((rc = forum_step(f->db, st, "the response", err)))
        goto out;
    *submitted = submit;
    if (!submit || was_submitted) {
        rc = submit ? touch(f, s.id, err) : RAATI_OK;
        goto out;
    }
    /* A first submission: one more response, the member is a respondent,
     * and it counts as taking part (a secret one leaves no time behind). */
    if ((rc = exec_id(f, "UPDATE survey SET responses = responses + 1 WHERE id = ?1", s.id, err)))
        goto out;
    st = db_prepare(f->db, "INSERT INTO survey_respondent (survey_id, member_id) VALUES (?, ?)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the response");
        goto out;
    }
    sqlite3_bind_int64(st, 1, s.id);
    sqlite3_bind_int64(st, 2, f->member_id);
    if ((rc = forum_step(f->db, st, "the response", err)))
        goto out;
    st = s.secret ? db_prepare(f->db, "INSERT INTO participation (period_id, member_id, "
                                      "responses, first_at, last_at) SELECT ?1, ?2, 1, "
                                      "created_at, created_at FROM survey WHERE id = ?4 AND "
                                      "?3 IS NULL ON CONFLICT (period_id, member_id) DO UPDATE "
                                      "SET responses = responses + 1")
                  : db_prepare(f->db, "INSERT INTO participation (period_id, member_id, "
                                      "responses, first_at, last_at) VALUES (?1, ?2, 1, ?3, ?3) "
                                      "ON CONFLICT (period_id, member_id) DO UPDATE SET "
                                      "responses = responses + 1, first_at = min(first_at, ?3), "
                                      "last_at = max(last_at, ?3)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save participation");
        goto out;
    }
    sqlite3_bind_int64(st, 1, s.period_id);
    sqlite3_bind_int64(st, 2, f->member_id);
    now ? sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 3);
    if (s.secret)
        sqlite3_bind_int64(st, 4, s.id);
    if ((rc = forum_step(f->db, st, "participation", err)))
        goto out;
    rc = touch(f, s.id, err);
out:
    free(text);
    json_decref(kept);
    return rc;
}

/* ---- results ---- */

/* Calls each(response answers, member id or 0, ctx) for every submitted
 * response, in the order they were submitted (a secret survey: by id). */
static int each_response(db *d, int64_t survey_id,
                         void (*each)(json_t *answers, sqlite3_stmt *row, void *ctx), void *ctx)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT r.answers, m.id, m.display_name, m.email, r.submitted_at "
                      "FROM survey_response r LEFT JOIN member m ON m.id = r.member_id "
                      "WHERE r.survey_id = ? AND r.status = 'submitted' "
                      "ORDER BY r.submitted_at IS NULL, r.submitted_at, r.id");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, survey_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *answers = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
        if (answers)
            each(answers, st, ctx);
        json_decref(answers);
    }
    sqlite3_reset(st);
    return 0;
}

struct tally_ctx {
    const struct qrow *qs;
    int nq;
    struct question_tally *tallies;
    json_t *texts; /* per question: an array, or NULL */
    long long *answered;
};

static void tally_each(json_t *answers, sqlite3_stmt *row, void *ctx)
{
    struct tally_ctx *x = ctx;
    for (int i = 0; i < x->nq; i++) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)x->qs[i].id);
        json_t *v = json_object_get(answers, key);
        if (!v)
            continue;
        x->answered[i]++;
        const struct question_rules *r = &x->qs[i].r;
        if (r->kind == Q_SHORT_TEXT || r->kind == Q_LONG_TEXT) {
            json_t *t = json_pack("{s:O}", "text", v);
            if (t && sqlite3_column_type(row, 1) != SQLITE_NULL)
                json_object_set_new(t, "by",
                                    json_pack("{s:I, s:o}", "id",
                                              (json_int_t)sqlite3_column_int64(row, 1),
                                              "display_name", forum_col_text(row, 2)));
            json_array_append_new(json_array_get(x->texts, i), t);
            continue;
        }
        int64_t choices[QUESTION_OPTIONS_MAX];
        int n = 0, value = 0;
        if (question_check_answer(r, v, NULL, choices, &n, &value, NULL) == RAATI_OK)
            question_tally_add(r, &x->tallies[i], choices, n, value);
    }
}

raati_code survey_results(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    struct survey_row s;
    int64_t id, period_id;
    struct qrow qs[SURVEY_QUESTIONS_MAX];
    static struct question_tally tallies[SURVEY_QUESTIONS_MAX];
    long long answered[SURVEY_QUESTIONS_MAX] = {0};
    raati_code rc;
    if ((rc = forum_id(msg, "survey_id", 1, &id, err)) ||
        (rc = survey_period(f->db, id, f->role, &period_id, NULL, err)))
        return rc;
    int nq = load(f->db, id, &s) ? -1 : load_questions(f->db, id, qs);
    if (nq < 0)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the survey");
    memset(tallies, 0, sizeof tallies);
    struct tally_ctx x = {qs, nq, tallies, json_array(), answered};
    for (int i = 0; i < nq; i++)
        json_array_append_new(x.texts, json_array());
    each_response(f->db, id, tally_each, &x);
    json_t *questions = json_array();
    for (int i = 0; i < nq; i++) {
        json_t *q = json_pack("{s:I, s:I}", "id", (json_int_t)qs[i].id, "answered",
                              (json_int_t)answered[i]);
        if (qs[i].r.kind == Q_SHORT_TEXT || qs[i].r.kind == Q_LONG_TEXT) {
            json_object_set(q, "texts", json_array_get(x.texts, i));
        } else {
            tallies[i].voters = answered[i];
            json_object_set_new(q, "results", question_results(&qs[i].r, &tallies[i]));
        }
        json_array_append_new(questions, q);
    }
    json_decref(x.texts);
    long long started = 0;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT count(*) FROM survey_response "
                                         "WHERE survey_id = ? AND status = 'started'");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            started = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    json_object_set_new(reply, "survey_id", json_integer(id));
    json_object_set_new(reply, "responses", json_integer(s.responses));
    json_object_set_new(reply, "started", json_integer(started));
    json_object_set_new(reply, "questions", questions);
    return RAATI_OK;
}

/* ---- closing by the clock ---- */

static int close_due(forum_ctx *f, int64_t id)
{
    struct survey_row s;
    if (load(f->db, id, &s) || close_survey(f, &s, NULL) || touch(f, id, NULL))
        return -1;
    log_info("survey.closed", "survey=%lld secret=%d by=clock", (long long)id, s.secret);
    return 0;
}

int survey_apply_due(forum_ctx *f, int64_t *ids, int max)
{
    return forum_close_due(f,
                           "SELECT s.id FROM survey s JOIN period r ON r.id = s.period_id WHERE "
                           "s.status = 'open' AND (s.closes_at <= ?1 OR r.status = 'closed') "
                           "ORDER BY s.id LIMIT ?2",
                           close_due, ids, max);
}

int64_t survey_next_due_ms(db *d)
{
    return forum_next_due_ms(
        d, "SELECT CASE WHEN EXISTS (SELECT 1 FROM survey s JOIN period r ON r.id = s.period_id "
           "WHERE s.status = 'open' AND r.status = 'closed') THEN '0' "
           "ELSE (SELECT min(closes_at) FROM survey WHERE status = 'open') END");
}

int survey_is_secret(db *d, int64_t id)
{
    struct survey_row s;
    return !load(d, id, &s) && s.secret;
}

/* ---- CSV ---- */

struct buf {
    strbuf out;
    char sep; /* between cells */
};

static void put(struct buf *b, const char *s, size_t n)
{
    strbuf_put(&b->out, s, n);
}

/* One quoted cell; text a spreadsheet would run as a formula gets a '. */
static void cell(struct buf *b, const char *s, int first)
{
    if (!first)
        put(b, &b->sep, 1);
    put(b, "\"", 1);
    if (s && strchr("=+-@\t\r", s[0]) && s[0])
        put(b, "'", 1);
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '"')
            put(b, "\"", 1); /* a quote is doubled */
        put(b, p, 1);
    }
    put(b, "\"", 1);
}

struct csv_ctx {
    struct buf *b;
    const struct qrow *qs;
    int nq, secret, row;
    json_t *labels; /* option id (as a string) -> label */
};

static void csv_each(json_t *answers, sqlite3_stmt *row, void *ctx)
{
    struct csv_ctx *x = ctx;
    char num[24];
    snprintf(num, sizeof num, "%d", ++x->row);
    cell(x->b, num, 1);
    if (!x->secret) {
        cell(x->b, (const char *)sqlite3_column_text(row, 2), 0);
        cell(x->b, (const char *)sqlite3_column_text(row, 3), 0);
        int64_t ms;
        char local[TIME_ISO_SIZE] = "";
        if (sqlite3_column_text(row, 4) &&
            !time_parse_iso((const char *)sqlite3_column_text(row, 4), &ms))
            time_local(ms, local);
        cell(x->b, local, 0);
    }
    for (int i = 0; i < x->nq; i++) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)x->qs[i].id);
        json_t *v = json_object_get(answers, key);
        int kind = x->qs[i].r.kind;
        if (!v) {
            cell(x->b, "", 0);
        } else if (json_is_string(v)) {
            cell(x->b, json_string_value(v), 0);
        } else if (kind == Q_SCALE) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            cell(x->b, num, 0);
        } else {
            strbuf joined = {0};
            size_t k;
            json_t *id, *list = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
            json_array_foreach(list, k, id)
            {
                snprintf(key, sizeof key, "%lld", (long long)json_integer_value(id));
                const char *label = json_string_value(json_object_get(x->labels, key));
                if (k)
                    strbuf_put(&joined, kind == Q_RANKING ? " > " : "; ", 3 - (kind != Q_RANKING));
                strbuf_put(&joined, label ? label : "", label ? strlen(label) : 0);
            }
            json_decref(list);
            cell(x->b, joined.s ? joined.s : "", 0);
            free(joined.s);
        }
    }
    put(x->b, "\r\n", 2);
}

char *survey_csv(db *d, int64_t id, int lang, char sep, raati_error *err)
{
    static const char *const heads[LANG_COUNT][4] = {{"Vastaus", "Nimi", "Sähköposti", "Lähetetty"},
                                                     {"Svar", "Namn", "E-post", "Skickat"},
                                                     {"Response", "Name", "Email", "Submitted"}};
    struct survey_row s;
    struct qrow qs[SURVEY_QUESTIONS_MAX];
    if (lang < 0 || lang >= LANG_COUNT)
        lang = 0;
    if (load(d, id, &s))
        return raati_fail(err, RAATI_E_NOT_FOUND, NULL, "no such survey"), NULL;
    int nq = load_questions(d, id, qs);
    json_t *questions = questions_json(d, id), *labels = json_object();
    if (nq < 0 || !questions || !labels) {
        json_decref(questions);
        json_decref(labels);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the survey"), NULL;
    }
    struct buf b = {.sep = sep};
    put(&b, "\xEF\xBB\xBF", 3);
    cell(&b, heads[lang][0], 1);
    for (int k = 1; !s.secret && k < 4; k++)
        cell(&b, heads[lang][k], 0);
    size_t i, k;
    json_t *q, *o;
    json_array_foreach(questions, i, q)
    {
        cell(&b, json_string_value(json_object_get(q, "text")), 0);
        json_array_foreach(json_object_get(q, "options"), k, o)
        {
            char key[24];
            snprintf(key, sizeof key, "%lld",
                     (long long)json_integer_value(json_object_get(o, "id")));
            json_object_set(labels, key, json_object_get(o, "label"));
        }
    }
    put(&b, "\r\n", 2);
    struct csv_ctx x = {&b, qs, nq, s.secret, 0, labels};
    int failed = each_response(d, id, csv_each, &x);
    json_decref(questions);
    json_decref(labels);
    if (failed || b.out.failed) {
        free(b.out.s);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not build the export"), NULL;
    }
    return b.out.s;
}
