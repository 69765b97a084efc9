/* periods.c: see periods.h. */
#include "periods.h"

#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "log.h"
#include "markdown.h"
#include "members.h"

static const char *const status_names[] = {"draft", "upcoming", "open", "closed"};

const char *period_status_name(period_status s)
{
    return status_names[s];
}

static period_status status_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, status_names[i]))
            return (period_status)i;
    return PERIOD_DRAFT;
}

/* ---- reading ---- */

json_t *period_json(db *d, int64_t id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT id, title, description, description_html, prematerial, prematerial_html, "
           "starts_at, ends_at, status, members_may_open_topics, created_at, seq, "
           "(SELECT count(*) FROM topic t WHERE t.period_id = p.id AND t.status = 'published'), "
           "(SELECT coalesce(sum(post_count), 0) FROM topic t WHERE t.period_id = p.id), "
           "(SELECT count(*) FROM participation x WHERE x.period_id = p.id), premoderated, "
           "(SELECT '/tulokset/' || r.slug FROM results r WHERE r.period_id = p.id AND "
           "r.status = 'published') FROM period p WHERE id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *p = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        p = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:I, s:I, s:I, "
                      "s:I}",
                      "id", (json_int_t)sqlite3_column_int64(st, 0), "title", forum_col_text(st, 1),
                      "description", forum_col_text(st, 2), "description_html",
                      forum_col_text(st, 3), "prematerial", forum_col_text(st, 4),
                      "prematerial_html", forum_col_text(st, 5), "starts_at", forum_col_text(st, 6),
                      "ends_at", forum_col_text(st, 7), "status", forum_col_text(st, 8),
                      "members_may_open_topics", sqlite3_column_int(st, 9), "created_at",
                      forum_col_text(st, 10), "seq", (json_int_t)sqlite3_column_int64(st, 11),
                      "topic_count", (json_int_t)sqlite3_column_int64(st, 12), "post_count",
                      (json_int_t)sqlite3_column_int64(st, 13), "participant_count",
                      (json_int_t)sqlite3_column_int64(st, 14));
        if (p)
            json_object_set_new(p, "premoderated", json_boolean(sqlite3_column_int(st, 15)));
        if (p)
            json_object_set_new(p, "results_url", forum_col_text(st, 16));
    }
    sqlite3_reset(st);
    if (!p)
        return NULL;
    json_t *areas = json_array();
    st = db_prepare(d, "SELECT interest_area FROM period_interest WHERE period_id = ? "
                       "ORDER BY interest_area");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(areas, forum_col_text(st, 0));
        sqlite3_reset(st);
    }
    json_object_set_new(p, "interest_areas", areas);
    return p;
}

static raati_code load_status(db *d, int64_t id, period_status *status, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT status FROM period WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the period");
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        *status = status_parse((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (!found)
        return raati_fail(err, RAATI_E_NOT_FOUND, "period_id", "no such period");
    return RAATI_OK;
}

raati_code period_visible(db *d, int64_t id, int role, period_status *status, raati_error *err)
{
    raati_code rc = load_status(d, id, status, err);
    if (rc)
        return rc;
    if (*status == PERIOD_DRAFT && role < ROLE_MODERATOR)
        return raati_fail(err, RAATI_E_NOT_FOUND, "period_id", "no such period");
    return RAATI_OK;
}

raati_code period_writable(period_status status, raati_error *err)
{
    if (status == PERIOD_CLOSED)
        return raati_fail(err, RAATI_E_PERIOD_CLOSED, NULL,
                          "the period is closed; it can be read but not changed");
    if (status != PERIOD_OPEN)
        return raati_fail(err, RAATI_E_PERIOD_NOT_OPEN, NULL, "the period has not opened yet");
    return RAATI_OK;
}

json_t *period_mine(db *d, int64_t period_id, int64_t member_id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT posts, reactions, votes, responses FROM participation WHERE period_id = ? AND "
           "member_id = ?");
    long long posts = 0, reactions = 0, votes = 0, responses = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, period_id);
        sqlite3_bind_int64(st, 2, member_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            posts = sqlite3_column_int64(st, 0);
            reactions = sqlite3_column_int64(st, 1);
            votes = sqlite3_column_int64(st, 2);
            responses = sqlite3_column_int64(st, 3);
        }
        sqlite3_reset(st);
    }
    return json_pack("{s:I, s:I, s:I, s:I}", "posts", (json_int_t)posts, "reactions",
                     (json_int_t)reactions, "votes", (json_int_t)votes, "responses",
                     (json_int_t)responses);
}

/* Appends the periods sql selects (ids) to arr, each with the member's own
 * participation. */
static void append_periods(forum_ctx *f, json_t *arr, const char *sql)
{
    sqlite3_stmt *st = db_prepare(f->db, sql);
    if (!st)
        return;
    /* Collect ids first: period_json uses other cached statements. */
    int64_t ids[PERIOD_LIST_MAX];
    int n = 0;
    while (n < PERIOD_LIST_MAX && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (int i = 0; i < n; i++) {
        json_t *p = period_json(f->db, ids[i]);
        if (!p)
            continue;
        /* A list shows summaries: the texts come with period.get. */
        json_object_del(p, "description");
        json_object_del(p, "description_html");
        json_object_del(p, "prematerial");
        json_object_del(p, "prematerial_html");
        json_object_set_new(p, "mine", period_mine(f->db, ids[i], f->member_id));
        json_array_append_new(arr, p);
    }
}

json_t *period_list(forum_ctx *f)
{
    json_t *r = json_pack("{s:[], s:[], s:[]}", "open", "upcoming", "past");
    if (!r)
        return NULL;
    append_periods(f, json_object_get(r, "open"),
                   "SELECT id FROM period WHERE status = 'open' ORDER BY ends_at, id");
    append_periods(f, json_object_get(r, "upcoming"),
                   "SELECT id FROM period WHERE status = 'upcoming' ORDER BY starts_at, id");
    append_periods(f, json_object_get(r, "past"),
                   "SELECT id FROM period WHERE status = 'closed' ORDER BY ends_at DESC, id DESC");
    if (f->role >= ROLE_MODERATOR) {
        json_object_set_new(r, "drafts", json_array());
        append_periods(f, json_object_get(r, "drafts"),
                       "SELECT id FROM period WHERE status = 'draft' "
                       "ORDER BY created_at DESC, id DESC");
    }
    return r;
}

json_t *period_changes(db *d, int64_t period_id, int64_t since, int max, int *too_many)
{
    sqlite3_stmt *st =
        period_id ? db_prepare(d, "SELECT id FROM period WHERE id = ?2 AND seq > ?1")
                  : db_prepare(d, "SELECT id FROM period WHERE seq > ?1 AND status != 'draft' "
                                  "ORDER BY seq LIMIT ?3");
    *too_many = 0;
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, period_id);
    sqlite3_bind_int(st, 3, max + 1);
    int64_t *ids = malloc(sizeof *ids * (size_t)(max + 1));
    int n = 0;
    while (ids && n <= max && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!ids || n > max) {
        free(ids);
        *too_many = 1;
        return NULL;
    }
    json_t *events = json_array();
    for (int i = 0; i < n; i++) {
        json_t *p = period_json(d, ids[i]);
        if (!p)
            continue;
        int64_t seq = json_integer_value(json_object_get(p, "seq"));
        json_array_append_new(events,
                              json_pack("{s:s, s:s, s:I, s:o}", "type", "event", "event",
                                        "period.changed", "seq", (json_int_t)seq, "data", p));
    }
    free(ids);
    return events;
}

/* ---- writing ---- */

/* The fields period.create and period.update share, as read from msg. */
struct period_fields {
    char *title, *description, *prematerial;
    int has_starts, has_ends;
    int64_t starts_ms, ends_ms;
    int has_mmot, mmot, has_premod, premod;
    json_t *areas; /* borrowed */
};

static void fields_free(struct period_fields *pf)
{
    free(pf->title);
    free(pf->description);
    free(pf->prematerial);
}

static raati_code time_field(json_t *msg, const char *key, int required, int *has, int64_t *ms,
                             raati_error *err)
{
    json_t *v = json_object_get(msg, key);
    *has = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return raati_fail(err, RAATI_E_MISSING_FIELD, key, "%s is required", key);
        return RAATI_OK;
    }
    if (!json_is_string(v) || time_parse_iso(json_string_value(v), ms))
        return raati_fail(err, RAATI_E_INVALID_FIELD, key,
                          "%s must be a UTC time like 2026-11-17T07:00:00Z", key);
    *has = 1;
    return RAATI_OK;
}

static raati_code read_fields(forum_ctx *f, json_t *msg, int creating, struct period_fields *pf,
                              raati_error *err)
{
    raati_code rc;
    memset(pf, 0, sizeof *pf);
    if ((rc = text_field(msg, "title", creating, 1, PERIOD_TITLE_MAX, &pf->title, err)) ||
        (rc =
             text_field(msg, "description", creating, 1, PERIOD_TEXT_MAX, &pf->description, err)) ||
        (rc = text_field(msg, "prematerial", 0, 0, PERIOD_TEXT_MAX, &pf->prematerial, err)) ||
        (rc = time_field(msg, "starts_at", creating, &pf->has_starts, &pf->starts_ms, err)) ||
        (rc = time_field(msg, "ends_at", creating, &pf->has_ends, &pf->ends_ms, err)) ||
        (rc = jfield_bool(msg, "members_may_open_topics", 0, &pf->mmot, &pf->has_mmot, err)) ||
        (rc = jfield_bool(msg, "premoderated", 0, &pf->premod, &pf->has_premod, err)))
        return rc;
    json_t *areas = json_object_get(msg, "interest_areas");
    if (areas && !json_is_null(areas)) {
        if (!json_is_array(areas))
            return raati_fail(err, RAATI_E_INVALID_FIELD, "interest_areas",
                              "interest_areas must be an array");
        size_t i, k;
        json_t *v;
        json_array_foreach(areas, i, v)
        {
            const char *id = json_string_value(v);
            if (!id || !config_find_item(&f->cfg->interest_areas, id))
                return raati_fail(err, RAATI_E_INVALID_FIELD, "interest_areas",
                                  "interest_areas must list the configured interest areas");
            for (k = 0; k < i; k++)
                if (!strcmp(json_string_value(json_array_get(areas, k)), id))
                    return raati_fail(err, RAATI_E_INVALID_FIELD, "interest_areas",
                                      "interest area '%s' is listed twice", id);
        }
        pf->areas = areas;
    }
    return RAATI_OK;
}

static raati_code set_areas(forum_ctx *f, int64_t id, json_t *areas, raati_error *err)
{
    raati_code rc;
    sqlite3_stmt *st = db_prepare(f->db, "DELETE FROM period_interest WHERE period_id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save interest areas");
    sqlite3_bind_int64(st, 1, id);
    if ((rc = forum_step(f->db, st, "interest areas", err)))
        return rc;
    size_t i;
    json_t *v;
    json_array_foreach(areas, i, v)
    {
        st = db_prepare(f->db,
                        "INSERT INTO period_interest (period_id, interest_area) VALUES (?, ?)");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save interest areas");
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, json_string_value(v), -1, SQLITE_TRANSIENT);
        if ((rc = forum_step(f->db, st, "interest areas", err)))
            return rc;
    }
    return RAATI_OK;
}

/* The status a period of this status and these times has now, by the clock. */
static period_status due_status(period_status s, int64_t starts_ms, int64_t ends_ms, int64_t now)
{
    if ((s == PERIOD_UPCOMING || s == PERIOD_OPEN) && ends_ms <= now)
        return PERIOD_CLOSED;
    if (s == PERIOD_UPCOMING && starts_ms <= now)
        return PERIOD_OPEN;
    return s;
}

struct period_row {
    period_status status;
    int64_t starts_ms, ends_ms;
};

static raati_code load_row(forum_ctx *f, int64_t id, struct period_row *row, raati_error *err)
{
    sqlite3_stmt *st =
        db_prepare(f->db, "SELECT status, starts_at, ends_at FROM period WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the period");
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        row->status = status_parse((const char *)sqlite3_column_text(st, 0));
        found = !time_parse_iso((const char *)sqlite3_column_text(st, 1), &row->starts_ms) &&
                !time_parse_iso((const char *)sqlite3_column_text(st, 2), &row->ends_ms);
    }
    sqlite3_reset(st);
    if (!found)
        return raati_fail(err, RAATI_E_NOT_FOUND, "period_id", "no such period");
    return RAATI_OK;
}

static raati_code save_row(forum_ctx *f, int64_t id, const struct period_row *row, raati_error *err)
{
    char starts[TIME_ISO_SIZE], ends[TIME_ISO_SIZE];
    time_iso(row->starts_ms, starts);
    time_iso(row->ends_ms, ends);
    sqlite3_stmt *st =
        db_prepare(f->db, "UPDATE period SET status = ?, starts_at = ?, ends_at = ?, "
                          "updated_at = ?, seq = ? WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the period");
    sqlite3_bind_text(st, 1, status_names[row->status], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, starts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, ends, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, f->seq);
    sqlite3_bind_int64(st, 6, id);
    return forum_step(f->db, st, "the period", err);
}

/* Applies the clock to row: an open period closing now ends now. */
static void apply_clock(forum_ctx *f, struct period_row *row)
{
    period_status next = due_status(row->status, row->starts_ms, row->ends_ms, f->now_ms);
    if (next == PERIOD_CLOSED && row->status == PERIOD_OPEN && row->ends_ms > f->now_ms)
        row->ends_ms = f->now_ms;
    row->status = next;
}

raati_code period_create(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err)
{
    struct period_fields pf;
    raati_code rc = read_fields(f, msg, 1, &pf, err);
    const char *status_s = NULL;
    char *desc_html = NULL, *pre_html = NULL;
    if (!rc)
        rc = jfield_string(msg, "status", 0, &status_s, NULL, err);
    if (rc)
        goto out;
    if (status_s && strcmp(status_s, "draft") && strcmp(status_s, "upcoming")) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "status", "status must be draft or upcoming");
        goto out;
    }
    if (pf.ends_ms <= pf.starts_ms) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "ends_at", "ends_at must be after starts_at");
        goto out;
    }
    if (pf.ends_ms <= f->now_ms) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "ends_at", "ends_at must be in the future");
        goto out;
    }
    desc_html = markdown_html(pf.description);
    pre_html = markdown_html(pf.prematerial ? pf.prematerial : "");
    if (!desc_html || !pre_html) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        goto out;
    }
    struct period_row row = {status_s && !strcmp(status_s, "upcoming") ? PERIOD_UPCOMING
                                                                       : PERIOD_DRAFT,
                             pf.starts_ms, pf.ends_ms};
    apply_clock(f, &row);
    char starts[TIME_ISO_SIZE], ends[TIME_ISO_SIZE];
    time_iso(row.starts_ms, starts);
    time_iso(row.ends_ms, ends);
    sqlite3_stmt *st =
        db_prepare(f->db, "INSERT INTO period (title, description, description_html, prematerial, "
                          "prematerial_html, starts_at, ends_at, status, members_may_open_topics, "
                          "created_by, created_at, updated_at, seq, premoderated) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the period");
        goto out;
    }
    sqlite3_bind_text(st, 1, pf.title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, pf.description, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, desc_html, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, pf.prematerial ? pf.prematerial : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, pre_html, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, starts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, ends, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, status_names[row.status], -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, pf.has_mmot && pf.mmot);
    sqlite3_bind_int64(st, 10, f->member_id);
    sqlite3_bind_text(st, 11, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 12, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 13, f->seq);
    sqlite3_bind_int(st, 14, pf.has_premod && pf.premod);
    if ((rc = forum_step(f->db, st, "the period", err)))
        goto out;
    *id = sqlite3_last_insert_rowid(db_handle(f->db));
    if (pf.areas)
        rc = set_areas(f, *id, pf.areas, err);
out:
    free(desc_html);
    free(pre_html);
    fields_free(&pf);
    return rc;
}

static raati_code set_text(forum_ctx *f, int64_t id, const char *col_sql, const char *md,
                           raati_error *err)
{
    char *html = markdown_html(md);
    if (!html)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    sqlite3_stmt *st = db_prepare(f->db, col_sql);
    raati_code rc;
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the period");
    } else {
        sqlite3_bind_text(st, 1, md, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, html, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, id);
        rc = forum_step(f->db, st, "the period", err);
    }
    free(html);
    return rc;
}

raati_code period_update(forum_ctx *f, int64_t id, json_t *msg, raati_error *err)
{
    struct period_row row;
    struct period_fields pf;
    raati_code rc = load_row(f, id, &row, err);
    if (rc)
        return rc;
    if ((rc = read_fields(f, msg, 0, &pf, err)))
        goto out;
    if (row.status == PERIOD_CLOSED) {
        rc = raati_fail(err, RAATI_E_PERIOD_CLOSED, NULL, "a closed period cannot be changed");
        goto out;
    }
    if (pf.has_starts)
        row.starts_ms = pf.starts_ms;
    if (pf.has_ends)
        row.ends_ms = pf.ends_ms;
    if (row.ends_ms <= row.starts_ms) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, pf.has_ends ? "ends_at" : "starts_at",
                        "ends_at must be after starts_at");
        goto out;
    }
    if (pf.has_ends && row.ends_ms <= f->now_ms && row.status != PERIOD_OPEN) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "ends_at", "ends_at must be in the future");
        goto out;
    }
    if (pf.has_starts && row.status == PERIOD_OPEN && row.starts_ms > f->now_ms) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "starts_at",
                        "the period is open: its start cannot move into the future");
        goto out;
    }
    apply_clock(f, &row);
    if (pf.title) {
        sqlite3_stmt *st = db_prepare(f->db, "UPDATE period SET title = ? WHERE id = ?");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the period");
            goto out;
        }
        sqlite3_bind_text(st, 1, pf.title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, id);
        if ((rc = forum_step(f->db, st, "the period", err)))
            goto out;
    }
    if (pf.description &&
        (rc =
             set_text(f, id, "UPDATE period SET description = ?, description_html = ? WHERE id = ?",
                      pf.description, err)))
        goto out;
    if (pf.prematerial &&
        (rc =
             set_text(f, id, "UPDATE period SET prematerial = ?, prematerial_html = ? WHERE id = ?",
                      pf.prematerial, err)))
        goto out;
    if (pf.has_mmot) {
        sqlite3_stmt *st =
            db_prepare(f->db, "UPDATE period SET members_may_open_topics = ? WHERE id = ?");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the period");
            goto out;
        }
        sqlite3_bind_int(st, 1, pf.mmot);
        sqlite3_bind_int64(st, 2, id);
        if ((rc = forum_step(f->db, st, "the period", err)))
            goto out;
    }
    if (pf.has_premod) {
        sqlite3_stmt *st = db_prepare(f->db, "UPDATE period SET premoderated = ? WHERE id = ?");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the period");
            goto out;
        }
        sqlite3_bind_int(st, 1, pf.premod);
        sqlite3_bind_int64(st, 2, id);
        if ((rc = forum_step(f->db, st, "the period", err)))
            goto out;
    }
    if (pf.areas && (rc = set_areas(f, id, pf.areas, err)))
        goto out;
    rc = save_row(f, id, &row, err);
out:
    fields_free(&pf);
    return rc;
}

raati_code period_transition(forum_ctx *f, int64_t id, const char *action, raati_error *err)
{
    struct period_row row;
    raati_code rc = load_row(f, id, &row, err);
    if (rc)
        return rc;
    const char *now_is = status_names[row.status];
    if (!strcmp(action, "announce")) {
        if (row.status != PERIOD_DRAFT)
            return raati_fail(err, RAATI_E_CONFLICT, NULL,
                              "only a draft can be announced; this period is %s", now_is);
        row.status = PERIOD_UPCOMING;
    } else if (!strcmp(action, "open")) {
        if (row.status != PERIOD_DRAFT && row.status != PERIOD_UPCOMING)
            return raati_fail(err, RAATI_E_CONFLICT, NULL,
                              "only a draft or upcoming period can be opened; this one is %s",
                              now_is);
        row.status = PERIOD_OPEN;
        if (row.starts_ms > f->now_ms)
            row.starts_ms = f->now_ms;
    } else {
        if (row.status != PERIOD_OPEN)
            return raati_fail(err, RAATI_E_CONFLICT, NULL,
                              "only an open period can be closed; this one is %s", now_is);
        row.status = PERIOD_CLOSED;
        row.ends_ms = f->now_ms;
        if (row.starts_ms >= row.ends_ms)
            row.starts_ms = row.ends_ms - 1;
    }
    if (row.status != PERIOD_CLOSED && row.ends_ms <= f->now_ms)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "ends_at",
                          "the period's end has passed: move ends_at first");
    apply_clock(f, &row);
    return save_row(f, id, &row, err);
}

int period_apply_due(forum_ctx *f, int64_t *ids, int max)
{
    int n = forum_due_ids(f,
                          "SELECT id FROM period WHERE "
                          "(status = 'upcoming' AND (starts_at <= ?1 OR ends_at <= ?1)) "
                          "OR (status = 'open' AND ends_at <= ?1) ORDER BY id LIMIT ?2",
                          ids, max);
    int changed = 0;
    for (int i = 0; i < n; i++) {
        struct period_row row;
        if (load_row(f, ids[i], &row, NULL))
            continue;
        /* A period that reached its end while the server was down closes
         * at its set end, not now. */
        period_status next = due_status(row.status, row.starts_ms, row.ends_ms, f->now_ms);
        if (next == row.status)
            continue;
        row.status = next;
        /* Each period changed takes its own number, so a client that saw
         * one of these events can still catch up on the others. */
        if (changed)
            f->seq++;
        if (save_row(f, ids[i], &row, NULL))
            continue;
        log_info("period.status", "period=%lld status=%s by=clock", (long long)ids[i],
                 status_names[next]);
        ids[changed++] = ids[i];
    }
    return changed;
}

int64_t period_next_due_ms(db *d)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT min(t) FROM (SELECT min(starts_at) AS t FROM period WHERE status = 'upcoming' "
           "UNION ALL SELECT min(ends_at) FROM period WHERE status = 'open')");
    int64_t ms = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL &&
        time_parse_iso((const char *)sqlite3_column_text(st, 0), &ms))
        ms = -1;
    if (st)
        sqlite3_reset(st);
    return ms;
}

raati_code participation_add(forum_ctx *f, int64_t period_id, int posts, int reactions,
                             raati_error *err)
{
    sqlite3_stmt *st = db_prepare(
        f->db, "INSERT INTO participation (period_id, member_id, posts, reactions, first_at, "
               "last_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (period_id, member_id) DO "
               "UPDATE SET posts = posts + ?3, reactions = reactions + ?4, first_at = "
               "min(first_at, ?5), last_at = max(last_at, ?5)");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save participation");
    sqlite3_bind_int64(st, 1, period_id);
    sqlite3_bind_int64(st, 2, f->member_id);
    sqlite3_bind_int(st, 3, posts);
    sqlite3_bind_int(st, 4, reactions);
    sqlite3_bind_text(st, 5, f->now, -1, SQLITE_TRANSIENT);
    return forum_step(f->db, st, "participation", err);
}

static const char *const age_groups[] = {"15-24", "25-44", "45-64", "65-74", "75+", "unknown"};
enum { AGE_GROUPS = 6 };

static int age_group(int birth_year, int year)
{
    if (!birth_year)
        return 5;
    int age = year - birth_year;
    return age < 25 ? 0 : age < 45 ? 1 : age < 65 ? 2 : age < 75 ? 3 : 4;
}

raati_code period_participation(forum_ctx *f, int64_t id, json_t *reply, raati_error *err)
{
    period_status status;
    raati_code rc = period_visible(f->db, id, f->role, &status, err);
    if (rc)
        return rc;
    const config_items *munis = &f->cfg->municipalities;
    long long by_age[AGE_GROUPS][3] = {{0}}, by_muni[CONFIG_MAX_ITEMS + 1][3] = {{0}};
    long long participants = 0, posts = 0, reactions = 0, votes = 0, responses = 0;
    int year = current_year();
    sqlite3_stmt *st = db_prepare(
        f->db, "SELECT coalesce(m.birth_year, 0), m.municipality, x.posts, x.reactions, x.votes, "
               "x.responses "
               "FROM participation x JOIN member m ON m.id = x.member_id WHERE x.period_id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read participation");
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long p = sqlite3_column_int64(st, 2);
        const char *muni = (const char *)sqlite3_column_text(st, 1);
        const config_item *item = muni ? config_find_item(munis, muni) : NULL;
        int g = age_group(sqlite3_column_int(st, 0), year);
        int k = item ? (int)(item - munis->items) : munis->count;
        participants++;
        posts += p;
        reactions += sqlite3_column_int64(st, 3);
        votes += sqlite3_column_int64(st, 4);
        responses += sqlite3_column_int64(st, 5);
        long long v = sqlite3_column_int64(st, 4);
        by_age[g][0]++;
        by_age[g][1] += p;
        by_age[g][2] += v;
        by_muni[k][0]++;
        by_muni[k][1] += p;
        by_muni[k][2] += v;
    }
    sqlite3_reset(st);
    json_t *ages = json_array(), *ms = json_array();
    for (int g = 0; g < AGE_GROUPS; g++)
        json_array_append_new(ages, json_pack("{s:s, s:I, s:I, s:I}", "group", age_groups[g],
                                              "participants", (json_int_t)by_age[g][0], "posts",
                                              (json_int_t)by_age[g][1], "votes",
                                              (json_int_t)by_age[g][2]));
    for (int k = 0; k <= munis->count; k++)
        json_array_append_new(ms, json_pack("{s:s, s:I, s:I, s:I}", "municipality",
                                            k < munis->count ? munis->items[k].id : "unknown",
                                            "participants", (json_int_t)by_muni[k][0], "posts",
                                            (json_int_t)by_muni[k][1], "votes",
                                            (json_int_t)by_muni[k][2]));
    json_object_set_new(reply, "period_id", json_integer(id));
    json_object_set_new(reply, "participants", json_integer(participants));
    json_object_set_new(reply, "posts", json_integer(posts));
    json_object_set_new(reply, "reactions", json_integer(reactions));
    json_object_set_new(reply, "votes", json_integer(votes));
    json_object_set_new(reply, "responses", json_integer(responses));
    json_object_set_new(reply, "by_age_group", ages);
    json_object_set_new(reply, "by_municipality", ms);
    return RAATI_OK;
}

raati_code period_closing_time(const forum_ctx *f, int64_t period_id, json_t *value,
                               char iso[TIME_ISO_SIZE], raati_error *err)
{
    int64_t ms = 0, period_ends = 0;
    iso[0] = '\0';
    if (!value || json_is_null(value))
        return RAATI_OK;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT ends_at FROM period WHERE id = ?");
    if (st) {
        sqlite3_bind_int64(st, 1, period_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            time_parse_iso((const char *)sqlite3_column_text(st, 0), &period_ends);
        sqlite3_reset(st);
    }
    if (!json_is_string(value) || time_parse_iso(json_string_value(value), &ms) ||
        ms <= f->now_ms || ms > period_ends)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "closes_at",
                          "closes_at must be a UTC time in the future, not after the "
                          "period's end");
    time_iso(ms, iso);
    return RAATI_OK;
}
