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

static const char *const kinds[] = {"single", "multiple", "scale", "ranking"};
enum { K_SINGLE, K_MULTIPLE, K_SCALE, K_RANKING };
/* Loosest first: a poll with votes may only move right. */
static const char *const visibilities[] = {"always", "after_vote", "after_close", "moderators"};
enum { V_ALWAYS, V_AFTER_VOTE, V_AFTER_CLOSE, V_MODERATORS };

static int index_of(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (s && !strcmp(names[i], s))
            return i;
    return -1;
}

/* The parts of a poll row the rules need. */
struct poll_row {
    int64_t id, period_id, topic_id;
    int kind, visibility, secret, closed, voters;
    int min_picks, max_picks, scale_min, scale_max;
    int option_count;
};

static int load(db *d, int64_t id, struct poll_row *p)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT period_id, coalesce(topic_id, 0), kind, results_visibility, secret, "
           "status = 'closed', voters, coalesce(min_picks, 0), coalesce(max_picks, 0), "
           "coalesce(scale_min, 0), coalesce(scale_max, 0), "
           "(SELECT count(*) FROM poll_option o WHERE o.poll_id = poll.id) FROM poll WHERE id = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        p->id = id;
        p->period_id = sqlite3_column_int64(st, 0);
        p->topic_id = sqlite3_column_int64(st, 1);
        p->kind = index_of(kinds, 4, (const char *)sqlite3_column_text(st, 2));
        p->visibility = index_of(visibilities, 4, (const char *)sqlite3_column_text(st, 3));
        p->secret = sqlite3_column_int(st, 4);
        p->closed = sqlite3_column_int(st, 5);
        p->voters = sqlite3_column_int(st, 6);
        p->min_picks = sqlite3_column_int(st, 7);
        p->max_picks = sqlite3_column_int(st, 8);
        p->scale_min = sqlite3_column_int(st, 9);
        p->scale_max = sqlite3_column_int(st, 10);
        p->option_count = sqlite3_column_int(st, 11);
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

/* The secret poll's tag for member: a keyed BLAKE2b of the member id. */
static int voter_tag(db *d, int64_t poll_id, int64_t member_id, unsigned char tag[32])
{
    sqlite3_stmt *st = db_prepare(d, "SELECT key FROM poll_key WHERE poll_id = ?");
    int rc = -1;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, poll_id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        unsigned char id[8];
        for (int i = 0; i < 8; i++)
            id[i] = (unsigned char)((uint64_t)member_id >> (8 * i));
        rc = crypto_generichash(tag, 32, id, sizeof id, sqlite3_column_blob(st, 0), 32);
    }
    sqlite3_reset(st);
    return rc;
}

/* The member's ballot id in the poll, or 0. */
static int64_t ballot_of(db *d, const struct poll_row *p, int64_t member_id)
{
    sqlite3_stmt *st;
    unsigned char tag[32];
    if (p->secret) {
        if (p->closed || voter_tag(d, p->id, member_id, tag))
            return 0;
        st = db_prepare(d, "SELECT id FROM ballot WHERE poll_id = ? AND voter_tag = ?");
        if (!st)
            return 0;
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_blob(st, 2, tag, 32, SQLITE_TRANSIENT);
        sodium_memzero(tag, sizeof tag);
    } else {
        st = db_prepare(d, "SELECT id FROM ballot WHERE poll_id = ? AND member_id = ?");
        if (!st)
            return 0;
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_int64(st, 2, member_id);
    }
    int64_t id = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

/* A ballot's answer as the protocol writes it. */
static json_t *answer_of(db *d, const struct poll_row *p, int64_t ballot_id)
{
    sqlite3_stmt *st;
    if (p->kind == K_SCALE) {
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
    if (p->kind == K_SINGLE) {
        json_t *one = json_incref(json_array_get(arr, 0));
        json_decref(arr);
        return one ? one : json_null();
    }
    return arr;
}

static json_t *results(db *d, const struct poll_row *p)
{
    json_t *r = json_pack("{s:i}", "voters", p->voters);
    sqlite3_stmt *st;
    if (p->kind == K_SCALE) {
        json_t *values = json_array();
        long long counts[11] = {0}, sum = 0, n = 0;
        st = db_prepare(d, "SELECT value, count(*) FROM ballot WHERE poll_id = ? GROUP BY value");
        if (st) {
            sqlite3_bind_int64(st, 1, p->id);
            while (sqlite3_step(st) == SQLITE_ROW) {
                int v = sqlite3_column_int(st, 0);
                long long c = sqlite3_column_int64(st, 1);
                if (v >= p->scale_min && v <= p->scale_max && v >= 0 && v <= 10) {
                    counts[v] = c;
                    sum += v * c;
                    n += c;
                }
            }
            sqlite3_reset(st);
        }
        for (int v = p->scale_min; v <= p->scale_max && v <= 10; v++)
            json_array_append_new(
                values, json_pack("{s:i, s:I}", "value", v, "count", (json_int_t)counts[v]));
        json_object_set_new(r, "values", values);
        json_object_set_new(r, "mean", n ? json_real((double)sum / (double)n) : json_null());
        return r;
    }
    st = db_prepare(d, "SELECT o.id, count(c.ballot_id), coalesce(sum(c.rank), 0) "
                       "FROM poll_option o LEFT JOIN ballot_choice c ON c.option_id = o.id "
                       "WHERE o.poll_id = ? GROUP BY o.id ORDER BY o.position");
    json_t *options = json_array();
    if (st) {
        sqlite3_bind_int64(st, 1, p->id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            json_int_t id = sqlite3_column_int64(st, 0), count = sqlite3_column_int64(st, 1);
            json_int_t ranks = sqlite3_column_int64(st, 2);
            if (p->kind == K_RANKING)
                json_array_append_new(
                    options,
                    json_pack("{s:I, s:I, s:o}", "id", id, "points",
                              count * (p->option_count - 1) - ranks, "mean_rank",
                              count ? json_real((double)ranks / (double)count + 1) : json_null()));
            else
                json_array_append_new(options, json_pack("{s:I, s:I}", "id", id, "count", count));
        }
        sqlite3_reset(st);
    }
    if (p->kind == K_RANKING) {
        /* Best first: most points (a stable insertion sort; at most 10). */
        size_t n = json_array_size(options);
        for (size_t i = 1; i < n; i++)
            for (size_t k = i; k > 0; k--) {
                json_int_t a =
                    json_integer_value(json_object_get(json_array_get(options, k - 1), "points"));
                json_int_t b =
                    json_integer_value(json_object_get(json_array_get(options, k), "points"));
                if (a >= b)
                    break;
                json_t *x = json_incref(json_array_get(options, k));
                json_array_remove(options, k);
                json_array_insert_new(options, k - 1, x);
            }
    }
    json_object_set_new(r, "options", options);
    return r;
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
            p.kind == K_SCALE
                ? json_pack("{s:i, s:i, s:o, s:o}", "min", p.scale_min, "max", p.scale_max,
                            "min_label", forum_col_text(st, 6), "max_label", forum_col_text(st, 7))
                : json_null();
        o = json_pack("{s:I, s:I, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, "
                      "s:i, s:o, s:I}",
                      "id", (json_int_t)id, "period_id", (json_int_t)p.period_id, "topic_id",
                      p.topic_id ? json_integer(p.topic_id) : json_null(), "question",
                      forum_col_text(st, 0), "help", forum_col_text(st, 1), "kind", kinds[p.kind],
                      "min_picks", json_null(), "max_picks", json_null(), "scale", scale,
                      "results_visibility", forum_col_text(st, 8), "secret", p.secret, "status",
                      forum_col_text(st, 13), "closes_at", forum_col_text(st, 9), "closed_at",
                      forum_col_text(st, 10), "voters", p.voters, "created_at",
                      forum_col_text(st, 11), "seq", (json_int_t)sqlite3_column_int64(st, 12));
        if (o && p.kind == K_MULTIPLE) {
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
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    sqlite3_stmt *st = db_prepare(f->db, "INSERT INTO poll_key (poll_id, key) VALUES (?, ?)");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the poll");
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob(st, 2, key, sizeof key, SQLITE_TRANSIENT);
    sodium_memzero(key, sizeof key);
    return forum_step(f->db, st, "the poll key", err);
}

static raati_code int_field(json_t *msg, const char *key, long long lo, long long hi, int *out,
                            int *present, raati_error *err)
{
    long long v;
    raati_code rc = jfield_int(msg, key, 0, &v, present, err);
    if (rc || !*present)
        return rc;
    if (v < lo || v > hi)
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must be %lld to %lld", key, lo, hi);
    *out = (int)v;
    return RAATI_OK;
}

raati_code poll_create(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err)
{
    int64_t period_id, topic_id;
    period_status status;
    const char *kind_s, *vis_s;
    char *question = NULL, *help = NULL, *min_label = NULL, *max_label = NULL;
    char *labels[POLL_OPTIONS_MAX] = {0};
    int n_options = 0, secret = 0, has_secret, has;
    raati_code rc;
    if ((rc = forum_id(msg, "period_id", 1, &period_id, err)) ||
        (rc = forum_id(msg, "topic_id", 0, &topic_id, err)) ||
        (rc = text_field(msg, "question", 1, 1, POLL_QUESTION_MAX, &question, err)) ||
        (rc = text_field(msg, "help", 0, 0, POLL_HELP_MAX, &help, err)) ||
        (rc = jfield_string(msg, "kind", 1, &kind_s, NULL, err)) ||
        (rc = jfield_string(msg, "results_visibility", 1, &vis_s, NULL, err)) ||
        (rc = jfield_bool(msg, "secret", 0, &secret, &has_secret, err)))
        goto out;
    int kind = index_of(kinds, 4, kind_s), vis = index_of(visibilities, 4, vis_s);
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
    int min_picks = 1, max_picks = 0, smin = 1, smax = 5, has_min, has_max;
    if (kind == K_SCALE) {
        json_t *scale = json_object_get(msg, "scale");
        if (!json_is_object(scale)) {
            rc = raati_fail(err, scale ? RAATI_E_INVALID_FIELD : RAATI_E_MISSING_FIELD, "scale",
                            "scale must be {\"min\", \"max\", \"min_label\", \"max_label\"}");
            goto out;
        }
        if ((rc = int_field(scale, "min", 0, 1, &smin, &has, err)) ||
            (rc = int_field(scale, "max", 2, 10, &smax, &has, err)) ||
            (rc = text_field(scale, "min_label", 0, 0, 60, &min_label, err)) ||
            (rc = text_field(scale, "max_label", 0, 0, 60, &max_label, err))) {
            snprintf(err->field, sizeof err->field, "scale");
            goto out;
        }
    } else {
        json_t *options = json_object_get(msg, "options");
        size_t most = kind == K_RANKING ? 10 : POLL_OPTIONS_MAX;
        if (!json_is_array(options) || json_array_size(options) < 2 ||
            json_array_size(options) > most) {
            rc = raati_fail(err, options ? RAATI_E_INVALID_FIELD : RAATI_E_MISSING_FIELD, "options",
                            "options must be an array of 2 to %zu labels", most);
            goto out;
        }
        for (size_t i = 0; i < json_array_size(options); i++) {
            json_t *wrap = json_pack("{s:O}", "options", json_array_get(options, i));
            rc = text_field(wrap, "options", 1, 1, POLL_OPTION_MAX, &labels[n_options], err);
            json_decref(wrap);
            if (rc)
                goto out;
            for (int k = 0; k < n_options; k++)
                if (!strcmp(labels[k], labels[n_options])) {
                    rc = raati_fail(err, RAATI_E_INVALID_FIELD, "options",
                                    "option '%.60s' is listed twice", labels[k]);
                    n_options++;
                    goto out;
                }
            n_options++;
        }
        if (kind == K_MULTIPLE) {
            max_picks = n_options;
            if ((rc = int_field(msg, "min_picks", 1, n_options, &min_picks, &has_min, err)) ||
                (rc = int_field(msg, "max_picks", 1, n_options, &max_picks, &has_max, err)))
                goto out;
            if (max_picks < min_picks) {
                rc = raati_fail(err, RAATI_E_INVALID_FIELD, "max_picks",
                                "max_picks must not be less than min_picks");
                goto out;
            }
        }
    }
    json_t *closes = json_object_get(msg, "closes_at");
    int64_t closes_ms = 0;
    char closes_iso[TIME_ISO_SIZE] = "";
    if (closes && !json_is_null(closes)) {
        int64_t period_ends = 0;
        sqlite3_stmt *pe = db_prepare(f->db, "SELECT ends_at FROM period WHERE id = ?");
        if (pe) {
            sqlite3_bind_int64(pe, 1, period_id);
            if (sqlite3_step(pe) == SQLITE_ROW)
                time_parse_iso((const char *)sqlite3_column_text(pe, 0), &period_ends);
            sqlite3_reset(pe);
        }
        if (!json_is_string(closes) || time_parse_iso(json_string_value(closes), &closes_ms) ||
            closes_ms <= f->now_ms || closes_ms > period_ends) {
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "closes_at",
                            "closes_at must be a UTC time in the future, not after the "
                            "period's end");
            goto out;
        }
        time_iso(closes_ms, closes_iso);
    }
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
    sqlite3_bind_text(st, 5, kinds[kind], -1, SQLITE_STATIC);
    if (kind == K_MULTIPLE) {
        sqlite3_bind_int(st, 6, min_picks);
        sqlite3_bind_int(st, 7, max_picks);
    } else {
        sqlite3_bind_null(st, 6);
        sqlite3_bind_null(st, 7);
    }
    if (kind == K_SCALE) {
        sqlite3_bind_int(st, 8, smin);
        sqlite3_bind_int(st, 9, smax);
        sqlite3_bind_text(st, 10, min_label ? min_label : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 11, max_label ? max_label : "", -1, SQLITE_TRANSIENT);
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
    for (int i = 0; i < n_options; i++) {
        st = db_prepare(f->db,
                        "INSERT INTO poll_option (poll_id, position, label) VALUES (?, ?, ?)");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the poll");
            goto out;
        }
        sqlite3_bind_int64(st, 1, *id);
        sqlite3_bind_int(st, 2, i);
        sqlite3_bind_text(st, 3, labels[i], -1, SQLITE_TRANSIENT);
        if ((rc = forum_step(f->db, st, "the poll's options", err)))
            goto out;
    }
    if (secret)
        rc = new_key(f, *id, err);
out:
    free(question);
    free(help);
    free(min_label);
    free(max_label);
    for (int i = 0; i < POLL_OPTIONS_MAX; i++)
        free(labels[i]);
    return rc;
}

/* Reads answer for the poll into choices (option ids, in rank order) or
 * *value; invalid_field (field "answer") unless it fits the kind. */
static raati_code read_answer(db *d, const struct poll_row *p, json_t *answer, int64_t *choices,
                              int *n, int *value, raati_error *err)
{
    *n = 0;
    if (!answer || json_is_null(answer))
        return raati_fail(err, RAATI_E_MISSING_FIELD, "answer", "answer is required");
    if (p->kind == K_SCALE) {
        if (!json_is_integer(answer) || json_integer_value(answer) < p->scale_min ||
            json_integer_value(answer) > p->scale_max)
            return raati_fail(err, RAATI_E_INVALID_FIELD, "answer",
                              "answer must be a whole number from %d to %d", p->scale_min,
                              p->scale_max);
        *value = (int)json_integer_value(answer);
        return RAATI_OK;
    }
    json_t *list = answer;
    if (p->kind == K_SINGLE) {
        if (!json_is_integer(answer))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "answer",
                              "answer must be the id of one option");
        list = NULL;
        choices[(*n)++] = json_integer_value(answer);
    } else if (!json_is_array(answer) || json_array_size(answer) > POLL_OPTIONS_MAX) {
        return raati_fail(err, RAATI_E_INVALID_FIELD, "answer",
                          "answer must be an array of option ids");
    }
    for (size_t i = 0; list && i < json_array_size(list); i++) {
        json_t *v = json_array_get(list, i);
        if (!json_is_integer(v))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "answer",
                              "answer must be an array of option ids");
        choices[(*n)++] = json_integer_value(v);
    }
    sqlite3_stmt *st = db_prepare(d, "SELECT 1 FROM poll_option WHERE id = ? AND poll_id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the poll");
    for (int i = 0; i < *n; i++) {
        for (int k = 0; k < i; k++)
            if (choices[k] == choices[i])
                return raati_fail(err, RAATI_E_INVALID_FIELD, "answer",
                                  "option %lld is given twice", (long long)choices[i]);
        sqlite3_bind_int64(st, 1, choices[i]);
        sqlite3_bind_int64(st, 2, p->id);
        int ok = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
        if (!ok)
            return raati_fail(err, RAATI_E_INVALID_FIELD, "answer",
                              "%lld is not an option of this poll", (long long)choices[i]);
    }
    if (p->kind == K_MULTIPLE && (*n < p->min_picks || *n > p->max_picks))
        return raati_fail(err, RAATI_E_INVALID_FIELD, "answer", "pick %d to %d options",
                          p->min_picks, p->max_picks);
    if (p->kind == K_RANKING && *n != p->option_count)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "answer",
                          "a ranking must list every one of the %d options once", p->option_count);
    return RAATI_OK;
}

raati_code poll_vote(forum_ctx *f, json_t *msg, int64_t *poll_id, raati_error *err)
{
    struct poll_row p;
    period_status status;
    int64_t choices[POLL_OPTIONS_MAX];
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
        if (p.kind == K_SCALE)
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
        ballot = p.secret
                     ? (int64_t)(((uint64_t)randombytes_random() << 31) ^ randombytes_random()) + 1
                     : 0;
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
        if (p.kind == K_SCALE)
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
        sqlite3_bind_int(st, 3, p.kind == K_RANKING ? i : 0);
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
    int vis = vis_s ? index_of(visibilities, 4, vis_s) : p.visibility;
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

int poll_apply_due(forum_ctx *f, int64_t *ids, int max)
{
    int n = forum_due_ids(f,
                          "SELECT p.id FROM poll p JOIN period r ON r.id = p.period_id WHERE "
                          "p.status = 'open' AND (p.closes_at <= ?1 OR r.status = 'closed') "
                          "ORDER BY p.id LIMIT ?2",
                          ids, max);
    int closed = 0;
    for (int i = 0; i < n; i++) {
        if (closed)
            f->seq++; /* each poll its own number, as periods */
        /* A close that fails leaves nothing behind (not a closed poll
         * whose tags were never erased). */
        if (db_exec(f->db, "SAVEPOINT poll_close"))
            break;
        if (!poll_close(f, ids[i], NULL)) {
            db_exec(f->db, "RELEASE poll_close");
            ids[closed++] = ids[i];
        } else {
            db_exec(f->db, "ROLLBACK TO poll_close");
            db_exec(f->db, "RELEASE poll_close");
            if (closed)
                f->seq--;
        }
    }
    return closed;
}

int64_t poll_next_due_ms(db *d)
{
    /* An open poll in a closed period is due now ("0"). */
    sqlite3_stmt *st = db_prepare(
        d, "SELECT CASE WHEN EXISTS (SELECT 1 FROM poll p JOIN period r ON r.id = p.period_id "
           "WHERE p.status = 'open' AND r.status = 'closed') THEN '0' "
           "ELSE (SELECT min(closes_at) FROM poll WHERE status = 'open') END");
    int64_t ms = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t[0] == '0')
            ms = 0;
        else if (time_parse_iso(t, &ms))
            ms = -1;
    }
    if (st)
        sqlite3_reset(st);
    return ms;
}
