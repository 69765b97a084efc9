/* reports.c: see reports.h. */
#include "reports.h"

#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "discussions.h"
#include "json_util.h"
#include "markdown.h"
#include "members.h"
#include "moderation.h"
#include "periods.h"
#include "question.h"

static const char *const reasons[] = {"asiaton", "hairinta", "roskaposti", "henkilotiedot", "muu"};
enum { REASON_COUNT = 5, REASON_OTHER = 4 };

/* The post's author, and whether it is deleted; -1 if there is no post
 * role may see. */
static int post_of(forum_ctx *f, int64_t post_id, int64_t *author, int *deleted)
{
    int64_t period_id;
    period_status status;
    int64_t topic_id = post_topic(f->db, post_id);
    if (!topic_id ||
        topic_period(f->db, topic_id, f->member_id, f->role, &period_id, &status, NULL))
        return -1;
    /* deleted: 2 for a pending post. */
    sqlite3_stmt *st = db_prepare(f->db, "SELECT author_id, CASE WHEN deleted_at IS NOT NULL "
                                         "THEN 1 WHEN status = 'pending' THEN 2 ELSE 0 END "
                                         "FROM post WHERE id = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, post_id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        *author = sqlite3_column_int64(st, 0);
        *deleted = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return found ? 0 : -1;
}

/* One id that sql selects with ?1 bound to a and ?2 (when it has one) to
 * b; 0 if none. */
static int64_t one_id(db *d, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    int64_t id = 0;
    if (!st)
        return 0;
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, a);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_int64(st, 2, b);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return id;
}

raati_code report_create(forum_ctx *f, json_t *msg, int64_t *item_id, raati_error *err)
{
    int64_t post_id, author;
    int deleted;
    const char *reason_s;
    char *text = NULL;
    raati_code rc;
    if ((rc = forum_id(msg, "post_id", 1, &post_id, err)) ||
        (rc = jfield_string(msg, "reason", 1, &reason_s, NULL, err)))
        return rc;
    int reason = question_index_of(reasons, REASON_COUNT, reason_s);
    if (reason < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "reason",
                          "reason must be asiaton, hairinta, roskaposti, henkilotiedot or muu");
    if ((rc = text_field(msg, "text", reason == REASON_OTHER, reason == REASON_OTHER ? 1 : 0,
                         REPORT_TEXT_MAX, &text, err)))
        return rc;
    if (post_of(f, post_id, &author, &deleted)) {
        rc = raati_fail(err, RAATI_E_NOT_FOUND, "post_id", "no such post");
        goto out;
    }
    if (deleted == 2 && author != f->member_id && f->role < ROLE_MODERATOR) {
        rc = raati_fail(err, RAATI_E_NOT_FOUND, "post_id", "no such post");
        goto out;
    }
    if (deleted) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "post_id",
                        deleted == 2 ? "the post waits for a moderator"
                                     : "the post has been deleted");
        goto out;
    }
    if (author == f->member_id) {
        rc = raati_fail(err, RAATI_E_FORBIDDEN, "post_id", "you cannot report your own post");
        goto out;
    }
    if (one_id(f->db, "SELECT id FROM report WHERE post_id = ?1 AND member_id = ?2", post_id,
               f->member_id)) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "post_id", "you have reported this post already");
        goto out;
    }
    *item_id = one_id(f->db,
                      "SELECT id FROM queue_item WHERE post_id = ?1 AND kind = 'report' AND "
                      "status = 'pending'",
                      post_id, 0);
    sqlite3_stmt *st;
    if (!*item_id) {
        st = db_prepare(f->db, "INSERT INTO queue_item (post_id, kind, created_at, seq) "
                               "VALUES (?, 'report', ?, ?)");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the report");
            goto out;
        }
        sqlite3_bind_int64(st, 1, post_id);
        sqlite3_bind_text(st, 2, f->now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, f->seq);
        if ((rc = forum_step(f->db, st, "the queue", err)))
            goto out;
        *item_id = sqlite3_last_insert_rowid(db_handle(f->db));
    } else {
        st = db_prepare(f->db, "UPDATE queue_item SET seq = ? WHERE id = ?");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the report");
            goto out;
        }
        sqlite3_bind_int64(st, 1, f->seq);
        sqlite3_bind_int64(st, 2, *item_id);
        if ((rc = forum_step(f->db, st, "the queue", err)))
            goto out;
    }
    st = db_prepare(f->db, "INSERT INTO report (post_id, member_id, reason, text, item_id, "
                           "created_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the report");
        goto out;
    }
    sqlite3_bind_int64(st, 1, post_id);
    sqlite3_bind_int64(st, 2, f->member_id);
    sqlite3_bind_text(st, 3, reasons[reason], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, text ? text : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, *item_id);
    sqlite3_bind_text(st, 6, f->now, -1, SQLITE_TRANSIENT);
    if ((rc = forum_step(f->db, st, "the report", err)))
        goto out;
    /* Enough reports hide the post until a moderator reviews it. */
    int64_t reports = one_id(f->db, "SELECT count(*) FROM report WHERE item_id = ?1", *item_id, 0);
    int published =
        one_id(f->db, "SELECT 1 FROM post WHERE id = ?1 AND status = 'published'", post_id, 0) != 0;
    if (f->cfg->auto_hide_reports > 0 && reports >= f->cfg->auto_hide_reports && published)
        rc = post_hide_by(f, post_id, NULL, NULL, err);
out:
    free(text);
    return rc;
}

/* How often the author's posts were in the queue before, and how it ended;
 * and how often they were suspended (from the audit log). */
static json_t *history_of(db *d, int64_t author, int64_t except_item)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT count(*), coalesce(sum(q.status = 'resolved'), 0), "
                      "coalesce(sum(q.status = 'dismissed'), 0) FROM queue_item q JOIN post p ON "
                      "p.id = q.post_id WHERE p.author_id = ? AND q.id != ?");
    long long items = 0, resolved = 0, dismissed = 0, suspensions = 0, warnings = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, author);
        sqlite3_bind_int64(st, 2, except_item);
        if (sqlite3_step(st) == SQLITE_ROW) {
            items = sqlite3_column_int64(st, 0);
            resolved = sqlite3_column_int64(st, 1);
            dismissed = sqlite3_column_int64(st, 2);
        }
        sqlite3_reset(st);
    }
    st = db_prepare(d, "SELECT coalesce(sum(action = 'member.suspend'), 0), "
                       "coalesce(sum(action = 'member.warn'), 0) FROM audit_log WHERE "
                       "action IN ('member.suspend', 'member.warn') AND target_kind = 'member' "
                       "AND target_id = ?");
    if (st) {
        sqlite3_bind_int64(st, 1, author);
        if (sqlite3_step(st) == SQLITE_ROW) {
            suspensions = sqlite3_column_int64(st, 0);
            warnings = sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I}", "queue_items", (json_int_t)items, "resolved",
                     (json_int_t)resolved, "dismissed", (json_int_t)dismissed, "warnings",
                     (json_int_t)warnings, "suspensions", (json_int_t)suspensions);
}

json_t *queue_item_json(db *d, int64_t id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT q.post_id, q.kind, q.status, q.created_at, q.acted_by, m.display_name, "
           "q.acted_at, q.action, q.note, q.seq, p.author_id, p.topic_id, t.title, q.appeal, "
           "q.why, q.words, t.period_id, pe.title "
           "FROM queue_item q JOIN post p ON p.id = q.post_id JOIN topic t ON t.id = p.topic_id "
           "JOIN period pe ON pe.id = t.period_id "
           "LEFT JOIN member m ON m.id = q.acted_by WHERE q.id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *o = NULL;
    int64_t post_id = 0, author = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        post_id = sqlite3_column_int64(st, 0);
        author = sqlite3_column_int64(st, 10);
        json_t *by = sqlite3_column_type(st, 4) == SQLITE_NULL
                         ? json_null()
                         : json_pack("{s:I, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 4),
                                     "display_name", forum_col_text(st, 5));
        o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:{s:I, s:o}}", "id",
                      (json_int_t)id, "kind", forum_col_text(st, 1), "status",
                      forum_col_text(st, 2), "created_at", forum_col_text(st, 3), "acted_by", by,
                      "acted_at", forum_col_text(st, 6), "action", forum_col_text(st, 7), "note",
                      forum_col_text(st, 8), "seq", (json_int_t)sqlite3_column_int64(st, 9),
                      "topic", "id", (json_int_t)sqlite3_column_int64(st, 11), "title",
                      forum_col_text(st, 12));
        if (o) {
            int appeal = !strcmp((const char *)sqlite3_column_text(st, 1), "appeal");
            json_t *words = json_loads((const char *)sqlite3_column_text(st, 15), 0, NULL);
            json_object_set_new(o, "appeal", appeal ? forum_col_text(st, 13) : json_null());
            json_object_set_new(o, "why", forum_col_text(st, 14));
            json_object_set_new(o, "words", json_is_array(words) ? words : json_array());
            if (!json_is_array(words))
                json_decref(words);
            json_object_set_new(o, "period",
                                json_pack("{s:I, s:o}", "id",
                                          (json_int_t)sqlite3_column_int64(st, 16), "title",
                                          forum_col_text(st, 17)));
        }
    }
    sqlite3_reset(st);
    if (!o)
        return NULL;
    json_t *post = post_json(d, post_id, 0, POST_STAFF);
    json_object_set_new(o, "post", post ? post : json_null());
    /* The post it answers, for context. */
    int64_t parent = one_id(d, "SELECT parent_id FROM post WHERE id = ?1", post_id, 0);
    json_t *pj = parent ? post_json(d, parent, 0, POST_STAFF) : NULL;
    json_object_set_new(o, "parent", pj ? pj : json_null());
    json_t *reports = json_array();
    st = db_prepare(d, "SELECT r.reason, r.text, r.created_at, r.member_id, m.display_name "
                       "FROM report r JOIN member m ON m.id = r.member_id WHERE r.item_id = ? "
                       "ORDER BY r.id");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(reports,
                                  json_pack("{s:o, s:o, s:o, s:{s:I, s:o}}", "reason",
                                            forum_col_text(st, 0), "text", forum_col_text(st, 1),
                                            "created_at", forum_col_text(st, 2), "by", "id",
                                            (json_int_t)sqlite3_column_int64(st, 3), "display_name",
                                            forum_col_text(st, 4)));
        sqlite3_reset(st);
    }
    json_object_set_new(o, "reports", reports);
    json_object_set_new(o, "author_history", history_of(d, author, id));
    return o;
}

raati_code queue_list(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    static const char *const statuses[] = {"pending", "resolved", "dismissed"};
    const char *status_s = NULL;
    int64_t before = 0;
    long long limit = 50;
    int has_limit;
    raati_code rc;
    if ((rc = jfield_string(msg, "status", 0, &status_s, NULL, err)) ||
        (rc = forum_id(msg, "cursor", 0, &before, err)) ||
        (rc = jfield_int(msg, "limit", 0, &limit, &has_limit, err)))
        return rc;
    int status = status_s ? question_index_of(statuses, 3, status_s) : 0;
    if (status < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "status",
                          "status must be pending, resolved or dismissed");
    if (limit < 1 || limit > QUEUE_PAGE_MAX)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "limit", "limit must be 1 to %d",
                          QUEUE_PAGE_MAX);
    /* Pending: oldest first, as work to do; the others newest first. */
    sqlite3_stmt *st = db_prepare(
        f->db, status == 0 ? "SELECT id FROM queue_item WHERE status = ?1 AND (?2 = 0 OR id > ?2) "
                             "ORDER BY id LIMIT ?3"
                           : "SELECT id FROM queue_item WHERE status = ?1 AND (?2 = 0 OR id < ?2) "
                             "ORDER BY id DESC LIMIT ?3");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the queue");
    sqlite3_bind_text(st, 1, statuses[status], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_int64(st, 3, limit + 1);
    int64_t next;
    json_t *items = forum_page(f->db, st, (int)limit, queue_item_json, &next);
    if (!items)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    json_object_set_new(reply, "items", items);
    json_object_set_new(reply, "next", next ? json_integer(next) : json_null());
    json_object_set_new(reply, "pending",
                        json_integer(one_id(f->db,
                                            "SELECT count(*) FROM queue_item WHERE status = "
                                            "'pending'",
                                            0, 0)));
    return RAATI_OK;
}

json_t *queue_changes(db *d, int64_t since, int max, int *too_many)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT id FROM queue_item WHERE seq > ? ORDER BY seq LIMIT ?");
    *too_many = 0;
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int(st, 2, max + 1);
    json_t *events = json_array();
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (++n > max) {
            *too_many = 1;
            break;
        }
        json_t *x = queue_item_json(d, sqlite3_column_int64(st, 0));
        if (x)
            json_array_append_new(events, json_pack("{s:s, s:s, s:O, s:o}", "type", "event",
                                                    "event", "queue.changed", "seq",
                                                    json_object_get(x, "seq"), "data", x));
    }
    sqlite3_reset(st);
    if (*too_many) {
        json_decref(events);
        return NULL;
    }
    return events;
}
