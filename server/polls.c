/* polls.c: see polls.h. */
#include "polls.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "log.h"
#include "markdown.h"
#include "members.h"
#include "periods.h"
#include "question.h"

/* Loosest first: a poll with votes may only move right. */
static const char *const visibilities[] = {"always", "after_vote", "after_close", "moderators"};
enum { V_ALWAYS, V_AFTER_VOTE, V_AFTER_CLOSE, V_MODERATORS };

/* The parts of a poll row the rules need. */
struct poll_row {
    int64_t id, period_id, topic_id;
    int kind, visibility, secret, closed, voters;
    int min_picks, max_picks, scale_min, scale_max;
};

static int load(db *d, int64_t id, struct poll_row *p)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT period_id, coalesce(topic_id, 0), kind, results_visibility, secret, "
                      "status = 'closed', voters, coalesce(min_picks, 0), coalesce(max_picks, 0), "
                      "coalesce(scale_min, 0), coalesce(scale_max, 0) FROM poll WHERE id = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        p->id = id;
        p->period_id = sqlite3_column_int64(st, 0);
        p->topic_id = sqlite3_column_int64(st, 1);
        p->kind = question_index_of(question_kinds, Q_CHOICE_KINDS,
                                    (const char *)sqlite3_column_text(st, 2));
        p->visibility =
            question_index_of(visibilities, 4, (const char *)sqlite3_column_text(st, 3));
        p->secret = sqlite3_column_int(st, 4);
        p->closed = sqlite3_column_int(st, 5);
        p->voters = sqlite3_column_int(st, 6);
        p->min_picks = sqlite3_column_int(st, 7);
        p->max_picks = sqlite3_column_int(st, 8);
        p->scale_min = sqlite3_column_int(st, 9);
        p->scale_max = sqlite3_column_int(st, 10);
    }
    sqlite3_reset(st);
    return found ? 0 : -1;
}

raati_code poll_period(db *d, int64_t poll_id, int role, int64_t *period_id, raati_error *err)
{
    struct poll_row p;
    period_status status;
    if (load(d, poll_id, &p) || period_visible(d, p.period_id, role, &status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "poll_id", "no such poll");
    *period_id = p.period_id;
    return RAATI_OK;
}

static int has_voted(db *d, int64_t poll_id, int64_t member_id)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT 1 FROM poll_voter WHERE poll_id = ? AND member_id = ?");
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, poll_id);
    sqlite3_bind_int64(st, 2, member_id);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

static int visible_for(const struct poll_row *p, int voted, int role)
{
    if (role >= ROLE_MODERATOR || p->visibility == V_ALWAYS)
        return 1;
    if (p->visibility == V_AFTER_VOTE)
        return voted || p->closed;
    if (p->visibility == V_AFTER_CLOSE)
        return p->closed;
    return 0;
}

int poll_results_visible(db *d, int64_t poll_id, int64_t member_id, int role)
{
    struct poll_row p;
    if (load(d, poll_id, &p))
        return 0;
    return visible_for(&p, member_id && has_voted(d, poll_id, member_id), role);
}

static int voter_tag(db *d, int64_t poll_id, int64_t member_id, unsigned char tag[32])
{
    return forum_secret_tag(d, "SELECT key FROM poll_key WHERE poll_id = ?", poll_id, member_id,
                            tag);
}

/* The member's ballot id in the poll, or 0. */
static int64_t ballot_of(db *d, const struct poll_row *p, int64_t member_id)
{
    if (p->secret && p->closed)
        return 0;
    return forum_member_row(d, p->secret, "SELECT key FROM poll_key WHERE poll_id = ?",
                            "SELECT id FROM ballot WHERE poll_id = ? AND voter_tag = ?",
                            "SELECT id FROM ballot WHERE poll_id = ? AND member_id = ?", p->id,
                            member_id);
}

/* A ballot's answer as the protocol writes it. */
static json_t *answer_of(db *d, const struct poll_row *p, int64_t ballot_id)
{
    sqlite3_stmt *st;
    if (p->kind == Q_SCALE) {
        st = db_prepare(d, "SELECT value FROM ballot WHERE id = ?");
        json_t *v = json_null();
        if (!st)
            return v;
        sqlite3_bind_int64(st, 1, ballot_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = json_integer(sqlite3_column_int64(st, 0));
        sqlite3_reset(st);
        return v;
    }
    st = db_prepare(d, "SELECT c.option_id FROM ballot_choice c JOIN poll_option o ON o.id = "
                       "c.option_id WHERE c.ballot_id = ? ORDER BY c.rank, o.position");
    json_t *arr = json_array();
    if (!st)
        return arr;
    sqlite3_bind_int64(st, 1, ballot_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(arr, json_integer(sqlite3_column_int64(st, 0)));
    sqlite3_reset(st);
    if (p->kind == Q_SINGLE) {
        json_t *one = json_incref(json_array_get(arr, 0));
        json_decref(arr);
        return one ? one : json_null();
    }
    return arr;
}

/* The poll as a question: its kind, picks, scale and option ids. */
static int rules_of(db *d, const struct poll_row *p, struct question_rules *r)
{
    memset(r, 0, sizeof *r);
    r->kind = p->kind;
    r->min_picks = p->min_picks;
    r->max_picks = p->max_picks;
    r->scale_min = p->scale_min;
    r->scale_max = p->scale_max;
    sqlite3_stmt *st =
        db_prepare(d, "SELECT id FROM poll_option WHERE poll_id = ? ORDER BY position");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, p->id);
    while (r->n_options < QUESTION_OPTIONS_MAX && sqlite3_step(st) == SQLITE_ROW)
        r->option_ids[r->n_options++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

static json_t *results(db *d, const struct poll_row *p)
{
    struct question_rules r;
    struct question_tally t = {.voters = p->voters};
    sqlite3_stmt *st;
    rules_of(d, p, &r);
    if (p->kind == Q_SCALE) {
        st = db_prepare(d, "SELECT value, count(*) FROM ballot WHERE poll_id = ? GROUP BY value");
        if (st) {
            sqlite3_bind_int64(st, 1, p->id);
            while (sqlite3_step(st) == SQLITE_ROW) {
                int v = sqlite3_column_int(st, 0);
                if (v >= p->scale_min && v <= p->scale_max && v >= 0 && v <= 10)
                    t.values[v] = sqlite3_column_int64(st, 1);
            }
            sqlite3_reset(st);
        }
        return question_results(&r, &t);
    }
    st = db_prepare(d, "SELECT c.option_id, count(*), sum(c.rank) FROM ballot_choice c "
                       "JOIN ballot b ON b.id = c.ballot_id WHERE b.poll_id = ? "
                       "GROUP BY c.option_id");
    if (st) {
        sqlite3_bind_int64(st, 1, p->id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int k = question_option_index(&r, sqlite3_column_int64(st, 0));
            if (k >= 0) {
                t.counts[k] = sqlite3_column_int64(st, 1);
                t.rank_sums[k] = sqlite3_column_int64(st, 2);
            }
        }
        sqlite3_reset(st);
    }
    return question_results(&r, &t);
}

json_t *poll_results_event(db *d, int64_t id)
{
    struct poll_row p;
    if (load(d, id, &p))
        return NULL;
    return json_pack("{s:I, s:o}", "poll_id", (json_int_t)id, "results", results(d, &p));
}

json_t *poll_json(db *d, int64_t id, const forum_ctx *f)
{
    struct poll_row p;
    if (load(d, id, &p))
        return NULL;
    sqlite3_stmt *st = db_prepare(
        d, "SELECT question, help, min_picks, max_picks, scale_min, scale_max, scale_min_label, "
           "scale_max_label, results_visibility, closes_at, closed_at, created_at, seq, status "
           "FROM poll WHERE id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        json_t *scale =
            p.kind == Q_SCALE
                ? json_pack("{s:i, s:i, s:o, s:o}", "min", p.scale_min, "max", p.scale_max,
                            "min_label", forum_col_text(st, 6), "max_label", forum_col_text(st, 7))
                : json_null();
        o = json_pack(
            "{s:I, s:I, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, "
            "s:i, s:o, s:I}",
            "id", (json_int_t)id, "period_id", (json_int_t)p.period_id, "topic_id",
            p.topic_id ? json_integer(p.topic_id) : json_null(), "question", forum_col_text(st, 0),
            "help", forum_col_text(st, 1), "kind", question_kinds[p.kind], "min_picks", json_null(),
            "max_picks", json_null(), "scale", scale, "results_visibility", forum_col_text(st, 8),
            "secret", p.secret, "status", forum_col_text(st, 13), "closes_at",
            forum_col_text(st, 9), "closed_at", forum_col_text(st, 10), "voters", p.voters,
            "created_at", forum_col_text(st, 11), "seq", (json_int_t)sqlite3_column_int64(st, 12));
        if (o && p.kind == Q_MULTIPLE) {
            json_object_set_new(o, "min_picks", json_integer(p.min_picks));
            json_object_set_new(o, "max_picks", json_integer(p.max_picks));
        }
    }
    sqlite3_reset(st);
    if (!o)
        return NULL;
    json_t *options = json_array();
    st = db_prepare(d, "SELECT id, label FROM poll_option WHERE poll_id = ? ORDER BY position");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(options, json_pack("{s:I, s:o}", "id",
                                                     (json_int_t)sqlite3_column_int64(st, 0),
                                                     "label", forum_col_text(st, 1)));
        sqlite3_reset(st);
    }
    json_object_set_new(o, "options", options);
    if (f) {
        int voted = has_voted(d, id, f->member_id);
        int64_t ballot = voted ? ballot_of(d, &p, f->member_id) : 0;
        json_object_set_new(o, "voted", json_boolean(voted));
        json_object_set_new(o, "my_answer", ballot ? answer_of(d, &p, ballot) : json_null());
        json_object_set_new(o, "results",
                            visible_for(&p, voted, f->role) ? results(d, &p) : json_null());
    }
    return o;
}

json_t *poll_list(const forum_ctx *f, int64_t period_id, int64_t topic_id)
{
    sqlite3_stmt *st = db_prepare(f->db, "SELECT id FROM poll WHERE period_id = ?1 AND "
                                         "(?2 = 0 OR topic_id = ?2) ORDER BY id DESC LIMIT 500");
    json_t *arr = json_array();
    if (!st)
        return arr;
    sqlite3_bind_int64(st, 1, period_id);
    sqlite3_bind_int64(st, 2, topic_id);
    int64_t ids[500];
    int n = 0;
    while (n < 500 && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (int i = 0; i < n; i++) {
        json_t *p = poll_json(f->db, ids[i], f);
        if (p)
            json_array_append_new(arr, p);
    }
    return arr;
}

/* ---- writing ---- */

static raati_code touch(forum_ctx *f, int64_t id, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(f->db, "UPDATE poll SET seq = ? WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the poll");
    sqlite3_bind_int64(st, 1, f->seq);
    sqlite3_bind_int64(st, 2, id);
    return forum_step(f->db, st, "the poll", err);
}

static raati_code new_key(forum_ctx *f, int64_t id, raati_error *err)
{
    return forum_secret_key(f, "INSERT INTO poll_key (poll_id, key) VALUES (?, ?)", id, err);
}

raati_code poll_create(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err)
{
    int64_t period_id, topic_id;
    period_status status;
    const char *kind_s, *vis_s;
    char *question = NULL, *help = NULL;
    struct question_spec q = {0};
    int secret = 0, has_secret;
    raati_code rc;
    if ((rc = forum_id(msg, "period_id", 1, &period_id, err)) ||
        (rc = forum_id(msg, "topic_id", 0, &topic_id, err)) ||
        (rc = text_field(msg, "question", 1, 1, QUESTION_TEXT_MAX, &question, err)) ||
        (rc = text_field(msg, "help", 0, 0, QUESTION_HELP_MAX, &help, err)) ||
        (rc = jfield_string(msg, "kind", 1, &kind_s, NULL, err)) ||
        (rc = jfield_string(msg, "results_visibility", 1, &vis_s, NULL, err)) ||
        (rc = jfield_bool(msg, "secret", 0, &secret, &has_secret, err)))
        goto out;
    int kind = question_index_of(question_kinds, Q_CHOICE_KINDS, kind_s),
        vis = question_index_of(visibilities, 4, vis_s);
    if (kind < 0) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "kind",
                        "kind must be single, multiple, scale or ranking");
        goto out;
    }
    if (vis < 0) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "results_visibility",
                        "results_visibility must be always, after_vote, after_close or "
                        "moderators");
        goto out;
    }
    if ((rc = period_visible(f->db, period_id, f->role, &status, err)))
        goto out;
    if (status == PERIOD_CLOSED) {
        rc = period_writable(status, err);
        goto out;
    }
    if (topic_id) {
        int64_t tp = 0;
        sqlite3_stmt *st = db_prepare(f->db, "SELECT period_id FROM topic WHERE id = ?");
        if (st) {
            sqlite3_bind_int64(st, 1, topic_id);
            if (sqlite3_step(st) == SQLITE_ROW)
                tp = sqlite3_column_int64(st, 0);
            sqlite3_reset(st);
        }
        if (tp != period_id) {
            rc = raati_fail(err, RAATI_E_NOT_FOUND, "topic_id", "no such topic in this period");
            goto out;
        }
    }
    if ((rc = question_read_spec(msg, kind, "", &q, err)))
        goto out;
    char closes_iso[TIME_ISO_SIZE] = "";
    if ((rc =
             period_closing_time(f, period_id, json_object_get(msg, "closes_at"), closes_iso, err)))
        goto out;
    sqlite3_stmt *st =
        db_prepare(f->db, "INSERT INTO poll (period_id, topic_id, question, help, kind, min_picks, "
                          "max_picks, scale_min, scale_max, scale_min_label, scale_max_label, "
                          "results_visibility, secret, closes_at, created_by, created_at, seq) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the poll");
        goto out;
    }
    sqlite3_bind_int64(st, 1, period_id);
    if (topic_id)
        sqlite3_bind_int64(st, 2, topic_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, question, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, help ? help : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, question_kinds[kind], -1, SQLITE_STATIC);
    if (kind == Q_MULTIPLE) {
        sqlite3_bind_int(st, 6, q.min_picks);
        sqlite3_bind_int(st, 7, q.max_picks);
    } else {
        sqlite3_bind_null(st, 6);
        sqlite3_bind_null(st, 7);
    }
    if (kind == Q_SCALE) {
        sqlite3_bind_int(st, 8, q.scale_min);
        sqlite3_bind_int(st, 9, q.scale_max);
        sqlite3_bind_text(st, 10, q.min_label ? q.min_label : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 11, q.max_label ? q.max_label : "", -1, SQLITE_TRANSIENT);
    } else {
        for (int i = 8; i <= 11; i++)
            sqlite3_bind_null(st, i);
    }
    sqlite3_bind_text(st, 12, visibilities[vis], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 13, secret);
    if (closes_iso[0])
        sqlite3_bind_text(st, 14, closes_iso, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 14);
    sqlite3_bind_int64(st, 15, f->member_id);
    sqlite3_bind_text(st, 16, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 17, f->seq);
    if ((rc = forum_step(f->db, st, "the poll", err)))
        goto out;
    *id = sqlite3_last_insert_rowid(db_handle(f->db));
    for (int i = 0; i < q.n_options; i++) {
        st = db_prepare(f->db,
                        "INSERT INTO poll_option (poll_id, position, label) VALUES (?, ?, ?)");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the poll");
            goto out;
        }
        sqlite3_bind_int64(st, 1, *id);
        sqlite3_bind_int(st, 2, i);
        sqlite3_bind_text(st, 3, q.labels[i], -1, SQLITE_TRANSIENT);
        if ((rc = forum_step(f->db, st, "the poll's options", err)))
            goto out;
    }
    if (secret)
        rc = new_key(f, *id, err);
out:
    free(question);
    free(help);
    question_spec_free(&q);
    return rc;
}

/* Checks answer against the poll's kind and options; invalid_field (field
 * "answer") unless it fits. */
static raati_code read_answer(db *d, const struct poll_row *p, json_t *answer, int64_t *choices,
                              int *n, int *value, raati_error *err)
{
    struct question_rules r;
    *n = 0;
    if (!answer || json_is_null(answer))
        return raati_fail(err, RAATI_E_MISSING_FIELD, "answer", "answer is required");
    if (rules_of(d, p, &r))
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the poll");
    return question_check_answer(&r, answer, "answer", choices, n, value, err);
}

raati_code poll_vote(forum_ctx *f, json_t *msg, int64_t *poll_id, raati_error *err)
{
    struct poll_row p;
    period_status status;
    int64_t choices[QUESTION_OPTIONS_MAX];
    int n = 0, value = 0;
    raati_code rc;
    if ((rc = forum_id(msg, "poll_id", 1, poll_id, err)))
        return rc;
    if (load(f->db, *poll_id, &p) || period_visible(f->db, p.period_id, f->role, &status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "poll_id", "no such poll");
    if ((rc = read_answer(f->db, &p, json_object_get(msg, "answer"), choices, &n, &value, err)))
        return rc;
    if ((rc = period_writable(status, err)))
        return rc;
    if (p.closed)
        return raati_fail(err, RAATI_E_CONFLICT, NULL, "the poll is closed");
    int64_t ballot = ballot_of(f->db, &p, f->member_id);
    sqlite3_stmt *st;
    if (ballot) {
        st = db_prepare(f->db, "DELETE FROM ballot_choice WHERE ballot_id = ?");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the vote");
        sqlite3_bind_int64(st, 1, ballot);
        if ((rc = forum_step(f->db, st, "the vote", err)))
            return rc;
        st = db_prepare(f->db, "UPDATE ballot SET value = ?, cast_at = CASE WHEN cast_at IS NULL "
                               "THEN NULL ELSE ? END WHERE id = ?");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the vote");
        if (p.kind == Q_SCALE)
            sqlite3_bind_int(st, 1, value);
        else
            sqlite3_bind_null(st, 1);
        sqlite3_bind_text(st, 2, f->now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, ballot);
        if ((rc = forum_step(f->db, st, "the vote", err)))
            return rc;
    } else {
        unsigned char tag[32];
        if (p.secret && voter_tag(f->db, p.id, f->member_id, tag))
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "the poll's key is missing");
        /* A secret ballot's id is random, so ids tell nothing of the order. */
        ballot = p.secret ? forum_random_id() : 0;
        st = db_prepare(f->db, "INSERT INTO ballot (id, poll_id, member_id, voter_tag, value, "
                               "cast_at) VALUES (?, ?, ?, ?, ?, ?)");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the vote");
        if (ballot)
            sqlite3_bind_int64(st, 1, ballot);
        else
            sqlite3_bind_null(st, 1);
        sqlite3_bind_int64(st, 2, p.id);
        if (p.secret) {
            sqlite3_bind_null(st, 3);
            sqlite3_bind_blob(st, 4, tag, 32, SQLITE_TRANSIENT);
            sodium_memzero(tag, sizeof tag);
            sqlite3_bind_null(st, 6);
        } else {
            sqlite3_bind_int64(st, 3, f->member_id);
            sqlite3_bind_null(st, 4);
            sqlite3_bind_text(st, 6, f->now, -1, SQLITE_TRANSIENT);
        }
        if (p.kind == Q_SCALE)
            sqlite3_bind_int(st, 5, value);
        else
            sqlite3_bind_null(st, 5);
        if ((rc = forum_step(f->db, st, "the vote", err)))
            return rc;
        ballot = sqlite3_last_insert_rowid(db_handle(f->db));
        st = db_prepare(f->db, "INSERT INTO poll_voter (poll_id, member_id) VALUES (?, ?)");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the vote");
        sqlite3_bind_int64(st, 1, p.id);
        sqlite3_bind_int64(st, 2, f->member_id);
        if ((rc = forum_step(f->db, st, "the vote", err)))
            return rc;
        st = db_prepare(f->db, "UPDATE poll SET voters = voters + 1 WHERE id = ?");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the vote");
        sqlite3_bind_int64(st, 1, p.id);
        if ((rc = forum_step(f->db, st, "the vote", err)))
            return rc;
        /* A secret vote leaves no time behind: a new row takes the poll's
         * creation time, an existing one keeps its times. */
        st = p.secret
                 ? db_prepare(f->db, "INSERT INTO participation (period_id, member_id, votes, "
                                     "first_at, last_at) SELECT ?1, ?2, 1, created_at, created_at "
                                     "FROM poll WHERE id = ?4 AND ?3 IS NOT NULL "
                                     "ON CONFLICT (period_id, member_id) DO UPDATE SET "
                                     "votes = votes + 1")
                 : db_prepare(f->db, "INSERT INTO participation (period_id, member_id, votes, "
                                     "first_at, last_at) VALUES (?1, ?2, 1, ?3, ?3) ON CONFLICT "
                                     "(period_id, member_id) DO UPDATE SET votes = votes + 1, "
                                     "first_at = min(first_at, ?3), last_at = max(last_at, ?3)");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the vote");
        sqlite3_bind_int64(st, 1, p.period_id);
        sqlite3_bind_int64(st, 2, f->member_id);
        sqlite3_bind_text(st, 3, f->now, -1, SQLITE_TRANSIENT);
        if (p.secret)
            sqlite3_bind_int64(st, 4, p.id);
        if ((rc = forum_step(f->db, st, "participation", err)))
            return rc;
    }
    for (int i = 0; i < n; i++) {
        st = db_prepare(f->db, "INSERT INTO ballot_choice (ballot_id, option_id, rank) "
                               "VALUES (?, ?, ?)");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the vote");
        sqlite3_bind_int64(st, 1, ballot);
        sqlite3_bind_int64(st, 2, choices[i]);
        sqlite3_bind_int(st, 3, p.kind == Q_RANKING ? i : 0);
        if ((rc = forum_step(f->db, st, "the vote", err)))
            return rc;
    }
    return touch(f, p.id, err);
}

raati_code poll_update(forum_ctx *f, json_t *msg, int64_t *poll_id, raati_error *err)
{
    struct poll_row p;
    period_status status;
    const char *vis_s;
    int secret = 0, has_secret;
    raati_code rc;
    if ((rc = forum_id(msg, "poll_id", 1, poll_id, err)) ||
        (rc = jfield_string(msg, "results_visibility", 0, &vis_s, NULL, err)) ||
        (rc = jfield_bool(msg, "secret", 0, &secret, &has_secret, err)))
        return rc;
    if (load(f->db, *poll_id, &p) || period_visible(f->db, p.period_id, f->role, &status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "poll_id", "no such poll");
    int vis = vis_s ? question_index_of(visibilities, 4, vis_s) : p.visibility;
    if (vis < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "results_visibility",
                          "results_visibility must be always, after_vote, after_close or "
                          "moderators");
    if (p.closed)
        return raati_fail(err, RAATI_E_CONFLICT, NULL, "the poll is closed");
    if (p.voters && vis < p.visibility)
        return raati_fail(err, RAATI_E_CONFLICT, "results_visibility",
                          "the poll has votes: who sees the results can only be narrowed");
    if (has_secret && secret != p.secret) {
        if (p.secret)
            return raati_fail(err, RAATI_E_CONFLICT, "secret",
                              "a secret poll can never become named");
        if (p.voters)
            return raati_fail(err, RAATI_E_CONFLICT, "secret",
                              "the poll has named votes: it cannot become secret");
        if ((rc = new_key(f, p.id, err)))
            return rc;
    }
    sqlite3_stmt *st = db_prepare(f->db, "UPDATE poll SET results_visibility = ?, secret = ? "
                                         "WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the poll");
    sqlite3_bind_text(st, 1, visibilities[vis], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, has_secret ? secret : p.secret);
    sqlite3_bind_int64(st, 3, p.id);
    if ((rc = forum_step(f->db, st, "the poll", err)))
        return rc;
    return touch(f, p.id, err);
}

/* Rows written one by one sit in their pages in the order they were
 * written, whatever their keys: the cells of poll_voter (which names
 * members) and of ballot (random ids) would pair up by that order. So when
 * a secret poll closes, its ballots, choices and voters are read out,
 * deleted (secure_delete zeroes the cells) and written back sorted by key,
 * leaving only key order in the file. */
static raati_code rewrite_in_key_order(forum_ctx *f, int64_t poll_id, raati_error *err)
{
    static const char *const reads[3] = {
        "SELECT id, coalesce(value, -1), 0 FROM ballot WHERE poll_id = ? ORDER BY id",
        "SELECT c.ballot_id, c.option_id, c.rank FROM ballot_choice c JOIN ballot b ON b.id = "
        "c.ballot_id WHERE b.poll_id = ? ORDER BY c.ballot_id, c.option_id",
        "SELECT member_id, 0, 0 FROM poll_voter WHERE poll_id = ? ORDER BY member_id"};
    static const char *const writes[3] = {
        "INSERT INTO ballot (id, poll_id, value) VALUES (?1, ?4, nullif(?2, -1))",
        "INSERT INTO ballot_choice (ballot_id, option_id, rank) VALUES (?1, ?2, ?3)",
        "INSERT INTO poll_voter (poll_id, member_id) VALUES (?4, ?1)"};
    int64_t(*rows[3])[3] = {NULL, NULL, NULL};
    size_t n[3] = {0, 0, 0};
    raati_code rc = RAATI_OK;
    for (int t = 0; t < 3 && !rc; t++) {
        sqlite3_stmt *st = db_prepare(f->db, reads[t]);
        size_t cap = 0;
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the poll");
            break;
        }
        sqlite3_bind_int64(st, 1, poll_id);
        while (!rc && sqlite3_step(st) == SQLITE_ROW) {
            if (n[t] == cap) {
                cap = cap ? cap * 2 : 64;
                int64_t(*grown)[3] = realloc(rows[t], cap * sizeof *grown);
                if (!grown) {
                    rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
                    break;
                }
                rows[t] = grown;
            }
            for (int k = 0; k < 3; k++)
                rows[t][n[t]][k] = sqlite3_column_int64(st, k);
            n[t]++;
        }
        sqlite3_reset(st);
    }
    static const char *const deletes[3] = {
        "DELETE FROM ballot_choice WHERE ballot_id IN (SELECT id FROM ballot WHERE poll_id = ?)",
        "DELETE FROM ballot WHERE poll_id = ?", "DELETE FROM poll_voter WHERE poll_id = ?"};
    for (int t = 0; t < 3 && !rc; t++) {
        sqlite3_stmt *st = db_prepare(f->db, deletes[t]);
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the poll");
            break;
        }
        sqlite3_bind_int64(st, 1, poll_id);
        rc = forum_step(f->db, st, "the ballots", err);
    }
    for (int t = 0; t < 3 && !rc; t++)
        for (size_t i = 0; i < n[t] && !rc; i++) {
            sqlite3_stmt *st = db_prepare(f->db, writes[t]);
            if (!st) {
                rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the poll");
                break;
            }
            sqlite3_bind_int64(st, 1, rows[t][i][0]);
            sqlite3_bind_int64(st, 2, rows[t][i][1]);
            sqlite3_bind_int64(st, 3, rows[t][i][2]);
            sqlite3_bind_int64(st, 4, poll_id);
            rc = forum_step(f->db, st, "the ballots", err);
        }
    for (int t = 0; t < 3; t++)
        free(rows[t]);
    return rc;
}

raati_code poll_close(forum_ctx *f, int64_t poll_id, raati_error *err)
{
    struct poll_row p;
    raati_code rc;
    if (load(f->db, poll_id, &p))
        return raati_fail(err, RAATI_E_NOT_FOUND, "poll_id", "no such poll");
    if (p.closed)
        return raati_fail(err, RAATI_E_CONFLICT, NULL, "the poll is already closed");
    sqlite3_stmt *st =
        db_prepare(f->db, "UPDATE poll SET status = 'closed', closed_at = ? WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the poll");
    sqlite3_bind_text(st, 1, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, poll_id);
    if ((rc = forum_step(f->db, st, "the poll", err)))
        return rc;
    if (p.secret) {
        /* The link from ballot to member ends here: the tags go, and the
         * key that could remake them (secure_delete zeroes the bytes). */
        st = db_prepare(f->db, "UPDATE ballot SET voter_tag = NULL WHERE poll_id = ?");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the poll");
        sqlite3_bind_int64(st, 1, poll_id);
        if ((rc = forum_step(f->db, st, "the ballots", err)))
            return rc;
        st = db_prepare(f->db, "DELETE FROM poll_key WHERE poll_id = ?");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not close the poll");
        sqlite3_bind_int64(st, 1, poll_id);
        if ((rc = forum_step(f->db, st, "the poll key", err)))
            return rc;
        if ((rc = rewrite_in_key_order(f, poll_id, err)))
            return rc;
    }
    log_info("poll.closed", "poll=%lld secret=%d", (long long)poll_id, p.secret);
    return touch(f, poll_id, err);
}

int poll_is_secret(db *d, int64_t poll_id)
{
    struct poll_row p;
    return !load(d, poll_id, &p) && p.secret;
}

raati_code poll_ballots(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    struct poll_row p;
    period_status status;
    int64_t poll_id;
    raati_code rc;
    if ((rc = forum_id(msg, "poll_id", 1, &poll_id, err)))
        return rc;
    if (load(f->db, poll_id, &p) || period_visible(f->db, p.period_id, f->role, &status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "poll_id", "no such poll");
    if (p.secret)
        return raati_fail(err, RAATI_E_FORBIDDEN, NULL,
                          "the poll is secret: no ballot says who cast it");
    sqlite3_stmt *st = db_prepare(f->db, "SELECT b.id, m.id, m.display_name FROM ballot b "
                                         "JOIN member m ON m.id = b.member_id WHERE b.poll_id = ? "
                                         "ORDER BY b.id");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the ballots");
    sqlite3_bind_int64(st, 1, poll_id);
    /* Ballot ids first, answers after: answer_of uses other statements. */
    json_t *arr = json_array(), *ballot_ids = json_array();
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_array_append_new(ballot_ids, json_integer(sqlite3_column_int64(st, 0)));
        json_array_append_new(arr, json_pack("{s:{s:I, s:o}}", "member", "id",
                                             (json_int_t)sqlite3_column_int64(st, 1),
                                             "display_name", forum_col_text(st, 2)));
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < json_array_size(arr); i++)
        json_object_set_new(
            json_array_get(arr, i), "answer",
            answer_of(f->db, &p, json_integer_value(json_array_get(ballot_ids, i))));
    json_decref(ballot_ids);
    json_object_set_new(reply, "poll_id", json_integer(poll_id));
    json_object_set_new(reply, "ballots", arr);
    return RAATI_OK;
}

/* A close that fails leaves nothing behind (not a closed poll whose tags
 * were never erased). */
static int close_due(forum_ctx *f, int64_t id)
{
    return poll_close(f, id, NULL) ? -1 : 0;
}

int poll_apply_due(forum_ctx *f, int64_t *ids, int max)
{
    return forum_close_due(f,
                           "SELECT p.id FROM poll p JOIN period r ON r.id = p.period_id WHERE "
                           "p.status = 'open' AND (p.closes_at <= ?1 OR r.status = 'closed') "
                           "ORDER BY p.id LIMIT ?2",
                           close_due, ids, max);
}

int64_t poll_next_due_ms(db *d)
{
    /* An open poll in a closed period is due now ("0"). */
    return forum_next_due_ms(
        d, "SELECT CASE WHEN EXISTS (SELECT 1 FROM poll p JOIN period r ON r.id = p.period_id "
           "WHERE p.status = 'open' AND r.status = 'closed') THEN '0' "
           "ELSE (SELECT min(closes_at) FROM poll WHERE status = 'open') END");
}
