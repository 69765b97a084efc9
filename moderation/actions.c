/* actions.c: see actions.h. */
#include "actions.h"
#include "results.h"

#include <stdlib.h>
#include <string.h>

#include "discussions.h"
#include "hetu.h"
#include "json_util.h"
#include "markdown.h"
#include "members.h"
#include "moderation.h"
#include "periods.h"
#include "words.h"

/* ---- notices ---- */

raati_code notice_add(forum_ctx *f, int64_t member_id, const char *kind, int64_t post_id,
                      const char *reason, raati_error *err)
{
    int64_t v[3] = {member_id, post_id, f->seq};
    const char *t[3] = {kind, reason, f->now};
    return forum_exec(f->db,
                      "INSERT INTO notice (member_id, post_id, seq, kind, reason, created_at) "
                      "VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6)",
                      v, 3, t, 3, "the notice", err);
}

json_t *notice_json(db *d, int64_t id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT n.kind, n.created_at, n.read, n.reason, n.post_id, t.id, t.title, "
           "p.status = 'hidden' AND p.appealed = 0 AND p.deleted_at IS NULL AND "
           "n.kind = 'post.hidden', n.period_id, q.id, q.text, "
           "q.withdrawn_at IS NOT NULL FROM notice n LEFT JOIN post p ON p.id = n.post_id "
           "LEFT JOIN topic t ON t.id = p.topic_id LEFT JOIN quote q ON q.id = n.quote_id "
           "WHERE n.id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *n = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int has_post = sqlite3_column_type(st, 4) != SQLITE_NULL;
        n = json_pack("{s:I, s:o, s:o, s:b, s:o, s:o, s:o, s:b}", "id", (json_int_t)id, "kind",
                      forum_col_text(st, 0), "created_at", forum_col_text(st, 1), "read",
                      sqlite3_column_int(st, 2), "reason", forum_col_text(st, 3), "post_id",
                      has_post ? json_integer(sqlite3_column_int64(st, 4)) : json_null(), "topic",
                      has_post
                          ? json_pack("{s:I, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 5),
                                      "title", forum_col_text(st, 6))
                          : json_null(),
                      "can_appeal", sqlite3_column_int(st, 7));
        int64_t period_id = sqlite3_column_int64(st, 8);
        json_t *quote =
            sqlite3_column_type(st, 9) == SQLITE_NULL
                ? json_null()
                : json_pack("{s:I, s:o, s:b}", "id", (json_int_t)sqlite3_column_int64(st, 9),
                            "text", forum_col_text(st, 10), "withdrawn",
                            sqlite3_column_int(st, 11));
        sqlite3_reset(st);
        if (n) {
            json_object_set_new(n, "results",
                                period_id ? results_notice_link(d, period_id) : json_null());
            json_object_set_new(n, "quote", quote);
        } else {
            json_decref(quote);
        }
        return n;
    }
    sqlite3_reset(st);
    return n;
}

static int64_t unread_notices(db *d, int64_t member_id)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT count(*) FROM notice WHERE member_id = ? AND read = 0");
    int64_t n = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, member_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

raati_code notice_list(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t before = 0;
    long long limit = 20;
    int has_limit;
    raati_code rc;
    if ((rc = forum_id(msg, "before", 0, &before, err)) ||
        (rc = jfield_int(msg, "limit", 0, &limit, &has_limit, err)))
        return rc;
    if (limit < 1 || limit > NOTICE_PAGE_MAX)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "limit", "limit must be 1 to %d",
                          NOTICE_PAGE_MAX);
    sqlite3_stmt *st = db_prepare(f->db, "SELECT id FROM notice WHERE member_id = ?1 AND "
                                         "(?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the notices");
    sqlite3_bind_int64(st, 1, f->member_id);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_int64(st, 3, limit + 1);
    int64_t next;
    json_t *notices = forum_page(f->db, st, (int)limit, notice_json, &next);
    if (!notices)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    json_object_set_new(reply, "notices", notices);
    json_object_set_new(reply, "unread", json_integer(unread_notices(f->db, f->member_id)));
    json_object_set_new(reply, "next_before", next ? json_integer(next) : json_null());
    return RAATI_OK;
}

raati_code notice_read(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t upto;
    raati_code rc = forum_id(msg, "upto", 1, &upto, err);
    if (rc)
        return rc;
    int64_t v[2] = {f->member_id, upto};
    if ((rc = forum_exec(f->db,
                         "UPDATE notice SET read = 1 WHERE member_id = ?1 AND id <= ?2 AND "
                         "read = 0",
                         v, 2, NULL, 0, "the notices", err)))
        return rc;
    json_object_set_new(reply, "unread", json_integer(unread_notices(f->db, f->member_id)));
    return RAATI_OK;
}

json_t *notice_changes(db *d, int64_t member_id, int64_t since, int max, int *too_many)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT id, seq FROM notice WHERE member_id = ? AND "
                                     "seq > ? ORDER BY seq LIMIT ?");
    *too_many = 0;
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int(st, 3, max + 1);
    json_t *events = json_array();
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (++n > max) {
            *too_many = 1;
            break;
        }
        json_t *x = notice_json(d, sqlite3_column_int64(st, 0));
        if (x)
            json_array_append_new(events,
                                  json_pack("{s:s, s:s, s:I, s:o}", "type", "event", "event",
                                            "notice.created", "seq",
                                            (json_int_t)sqlite3_column_int64(st, 1), "data", x));
    }
    sqlite3_reset(st);
    if (*too_many) {
        json_decref(events);
        return NULL;
    }
    return events;
}

raati_code audit_post(forum_ctx *f, const char *action, int64_t post_id, const char *reason,
                      json_t *details, raati_error *err)
{
    char name[256];
    forum_name_of(f->db,
                  "SELECT t.title FROM post p JOIN topic t ON t.id = p.topic_id WHERE p.id = ?",
                  post_id, name);
    return audit_add(f, action, "post", post_id, name, reason, details, err);
}

/* ---- the queue ---- */

raati_code queue_add(forum_ctx *f, int64_t post_id, const char *kind, const char *why,
                     json_t *words, const char *appeal, int64_t *item_id, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(f->db, "SELECT id, words FROM queue_item WHERE post_id = ? AND "
                                         "kind = ? AND status = 'pending'");
    json_t *all = json_array();
    *item_id = 0;
    if (!st || !all) {
        json_decref(all);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the queue");
    }
    sqlite3_bind_int64(st, 1, post_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *item_id = sqlite3_column_int64(st, 0);
        json_t *had = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
        if (json_is_array(had))
            json_array_extend(all, had);
        json_decref(had);
    }
    sqlite3_reset(st);
    size_t i, k;
    json_t *w, *x;
    json_array_foreach(words, i, w)
    {
        int seen = 0;
        json_array_foreach(all, k, x) seen |= json_equal(w, x);
        if (!seen)
            json_array_append(all, w);
    }
    char *words_s = json_dumps(all, JSON_COMPACT);
    json_decref(all);
    if (!words_s)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    raati_code rc;
    if (*item_id) {
        int64_t v[2] = {f->seq, *item_id};
        const char *t[1] = {words_s};
        rc = forum_exec(f->db, "UPDATE queue_item SET seq = ?1, words = ?3 WHERE id = ?2", v, 2, t,
                        1, "the queue", err);
    } else {
        int64_t v[2] = {post_id, f->seq};
        const char *t[5] = {kind, f->now, why, words_s, appeal ? appeal : ""};
        rc = forum_exec(
            f->db,
            "INSERT INTO queue_item (post_id, seq, kind, created_at, why, words, appeal) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            v, 2, t, 5, "the queue", err);
        if (!rc)
            *item_id = sqlite3_last_insert_rowid(db_handle(f->db));
    }
    free(words_s);
    return rc;
}

raati_code queue_review(forum_ctx *f, int64_t post_id, const char *why, json_t *words,
                        raati_error *err)
{
    int64_t item;
    return queue_add(f, post_id, "review", why, words, NULL, &item, err);
}

raati_code queue_settle(forum_ctx *f, int64_t post_id, const char *action, const char *note,
                        raati_error *err)
{
    int64_t v[3] = {f->member_id, f->seq, post_id}, w[2] = {f->seq, post_id};
    const char *t[3] = {f->now, action, note ? note : ""};
    raati_code rc = forum_exec(f->db,
                               "UPDATE queue_item SET status = CASE ?5 WHEN 'keep' THEN "
                               "'dismissed' ELSE 'resolved' END, acted_by = ?1, seq = ?2, "
                               "acted_at = ?4, action = ?5, note = ?6 WHERE post_id = ?3 AND "
                               "status = 'pending'",
                               v, 3, t, 3, "the queue", err);
    /* An appeal closed with the post: granted if it came back, else
     * refused; either way the author has had theirs. */
    if (!rc)
        rc = forum_exec(f->db,
                        "UPDATE post SET appealed = CASE WHEN status = 'hidden' THEN 2 ELSE 3 END, "
                        "seq = ?1 WHERE id = ?2 AND appealed = 1",
                        w, 2, NULL, 0, "the post", err);
    return rc;
}

/* ---- hidden posts ---- */

struct post_state {
    int64_t topic_id, author_id, period_id;
    int found, deleted, pending, hidden, by_reports, appealed;
    period_status status;
};

/* The post as moderation actions see it; not_found when f's member may not
 * see it. */
static raati_code post_state_of(forum_ctx *f, int64_t post_id, struct post_state *s,
                                raati_error *err)
{
    memset(s, 0, sizeof *s);
    sqlite3_stmt *st = db_prepare(
        f->db, "SELECT topic_id, author_id, deleted_at IS NOT NULL, status, hidden_by IS NULL, "
               "appealed FROM post WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the post");
    sqlite3_bind_int64(st, 1, post_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->found = 1;
        s->topic_id = sqlite3_column_int64(st, 0);
        s->author_id = sqlite3_column_int64(st, 1);
        s->deleted = sqlite3_column_int(st, 2);
        const char *status = (const char *)sqlite3_column_text(st, 3);
        s->pending = !strcmp(status, "pending");
        s->hidden = !strcmp(status, "hidden");
        s->by_reports = s->hidden && sqlite3_column_int(st, 4);
        s->appealed = sqlite3_column_int(st, 5);
    }
    sqlite3_reset(st);
    if (!s->found || (s->pending && s->author_id != f->member_id && f->role < ROLE_MODERATOR) ||
        topic_period(f->db, s->topic_id, f->member_id, f->role, &s->period_id, &s->status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "post_id", "no such post");
    return RAATI_OK;
}

raati_code post_hide_by(forum_ctx *f, int64_t post_id, const char *reason, json_t *details,
                        raati_error *err)
{
    struct post_state s;
    raati_code rc = post_state_of(f, post_id, &s, err);
    if (rc)
        return rc;
    int64_t v[3] = {f->seq, post_id, reason ? f->member_id : 0};
    const char *t[2] = {f->now, reason};
    if ((rc = forum_exec(f->db,
                         "UPDATE post SET status = 'hidden', seq = ?1, hidden_at = ?4, "
                         "hidden_by = nullif(?3, 0), hidden_reason = ?5 WHERE id = ?2",
                         v, 3, t, 2, "the post", err)) ||
        (rc = topic_recount(f, s.topic_id, 0, err)) ||
        (rc = notice_add(f, s.author_id, "post.hidden", post_id, reason, err)))
        return rc;
    return reason ? audit_post(f, "post.hide", post_id, reason, details, err) : RAATI_OK;
}

/* Brings a hidden post back; tells the author unless quiet. */
static raati_code unhide(forum_ctx *f, int64_t post_id, int64_t author, const char *reason,
                         int quiet, raati_error *err)
{
    int64_t v[2] = {f->seq, post_id};
    raati_code rc = forum_exec(f->db,
                               "UPDATE post SET status = 'published', seq = ?1, hidden_at = NULL, "
                               "hidden_by = NULL, hidden_reason = NULL, appealed = CASE appealed "
                               "WHEN 1 THEN 3 ELSE appealed END WHERE id = ?2 AND "
                               "status = 'hidden'",
                               v, 2, NULL, 0, "the post", err);
    if (!rc)
        rc = topic_recount(f, post_topic(f->db, post_id), 0, err);
    if (!rc && !quiet)
        rc = notice_add(f, author, "post.restored", post_id, reason, err);
    return rc;
}

raati_code post_hide(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err)
{
    struct post_state s;
    char *reason = NULL;
    raati_code rc;
    if ((rc = forum_id(msg, "post_id", 1, post_id, err)) ||
        (rc = text_field(msg, "reason", 1, 1, MODERATION_REASON_MAX, &reason, err)))
        return rc;
    if ((rc = post_state_of(f, *post_id, &s, err)))
        goto out;
    if (s.status == PERIOD_DRAFT || s.deleted || s.pending) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "post_id",
                        s.deleted   ? "the post has been deleted"
                        : s.pending ? "the post waits for approval: decide it in the queue"
                                    : "the period is a draft");
        goto out;
    }
    if (s.hidden && !s.by_reports) {
        rc =
            raati_fail(err, RAATI_E_CONFLICT, "post_id", "a moderator has hidden the post already");
        goto out;
    }
    if (!(rc = post_hide_by(f, *post_id, reason, NULL, err)))
        rc = queue_settle(f, *post_id, "hide", reason, err);
out:
    free(reason);
    return rc;
}

raati_code post_restore(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err)
{
    struct post_state s;
    char *reason = NULL;
    raati_code rc;
    if ((rc = forum_id(msg, "post_id", 1, post_id, err)) ||
        (rc = text_field(msg, "reason", 0, 0, MODERATION_REASON_MAX, &reason, err)))
        return rc;
    if ((rc = post_state_of(f, *post_id, &s, err)))
        goto out;
    if (s.deleted || s.pending) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "post_id",
                        s.deleted ? "the post has been deleted" : "the post waits for approval");
        goto out;
    }
    if (!s.hidden) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "post_id", "the post is not hidden");
        goto out;
    }
    if (!(rc = unhide(f, *post_id, s.author_id, reason, 0, err)) &&
        !(rc = queue_settle(f, *post_id, "restore", reason, err)))
        rc = audit_post(f, "post.restore", *post_id, reason, NULL, err);
out:
    free(reason);
    return rc;
}

raati_code appeal_create(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err)
{
    struct post_state s;
    char *text = NULL;
    raati_code rc;
    if ((rc = forum_id(msg, "post_id", 1, post_id, err)) ||
        (rc = text_field(msg, "text", 1, 1, APPEAL_TEXT_MAX, &text, err)))
        return rc;
    if ((rc = post_state_of(f, *post_id, &s, err)))
        goto out;
    if (s.author_id != f->member_id) {
        rc = raati_fail(err, RAATI_E_FORBIDDEN, "post_id", "only the author may appeal");
        goto out;
    }
    if (s.appealed) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "post_id", "you have appealed already");
        goto out;
    }
    if (!s.hidden || s.deleted) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "post_id", "the post is not hidden");
        goto out;
    }
    int64_t item, v[2] = {f->seq, *post_id};
    if (!(rc = forum_exec(f->db, "UPDATE post SET appealed = 1, seq = ?1 WHERE id = ?2", v, 2, NULL,
                          0, "the post", err)))
        rc = queue_add(f, *post_id, "appeal", NULL, NULL, text, &item, err);
out:
    free(text);
    return rc;
}

/* ---- the queue's decisions ---- */

static const struct {
    const char *action;
    const char *kinds; /* the item kinds it fits, as " kind " words */
    int needs_reason;
    const char *logged; /* the audit action */
} decisions[] = {
    {"keep", " report appeal ", 0, "queue.keep"},
    {"hide", " report ", 1, "post.hide"},
    {"restore", " appeal ", 0, "post.restore"},
    {"approve", " review ", 0, "post.approve"},
    {"edit", " report appeal review ", 1, "post.edit"},
    {"delete", " report appeal review ", 1, "post.delete"},
    {"warn", " report ", 1, "member.warn"},
    {"suspend", " report ", 1, "member.suspend"},
};
enum { DECISIONS = sizeof decisions / sizeof decisions[0] };

raati_code queue_act(forum_ctx *f, json_t *msg, int64_t *item_id, int64_t *post_id,
                     const char **event, int *topic_created, raati_error *err)
{
    const char *action_s;
    char *reason = NULL, *body = NULL, kind[16] = "";
    json_t *details = NULL;
    int pending = 0, d = -1;
    raati_code rc;
    *topic_created = 0;
    *event = NULL;
    if ((rc = forum_id(msg, "item_id", 1, item_id, err)) ||
        (rc = jfield_string(msg, "action", 1, &action_s, NULL, err)))
        return rc;
    for (int i = 0; i < DECISIONS; i++)
        if (!strcmp(decisions[i].action, action_s))
            d = i;
    if (d < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "action",
                          "action must be keep, hide, restore, approve, edit, delete, warn or "
                          "suspend");
    if ((rc = text_field(msg, "reason", decisions[d].needs_reason, 1, MODERATION_REASON_MAX,
                         &reason, err)))
        return rc;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT kind, status = 'pending', post_id FROM queue_item "
                                         "WHERE id = ?");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the queue");
        goto out;
    }
    sqlite3_bind_int64(st, 1, *item_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(kind, sizeof kind, " %s ", (const char *)sqlite3_column_text(st, 0));
        pending = sqlite3_column_int(st, 1);
        *post_id = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (!kind[0]) {
        rc = raati_fail(err, RAATI_E_NOT_FOUND, "item_id", "no such queue item");
        goto out;
    }
    if (!pending) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "item_id", "the item has been acted on already");
        goto out;
    }
    if (!strstr(decisions[d].kinds, kind)) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "action", "%s does not fit a%s item", action_s,
                        kind);
        goto out;
    }
    struct post_state s;
    if ((rc = post_state_of(f, *post_id, &s, err)))
        goto out;
    if (s.deleted && strcmp(action_s, "keep")) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "item_id",
                        "the post has been deleted: keep the item to close it");
        goto out;
    }
    if (!strcmp(action_s, "edit") &&
        ((rc = text_field(msg, "body", 1, 1, (size_t)f->cfg->max_post_chars, &body, err)) ||
         (rc = hetu_refuse("body", body, err)) ||
         (rc = words_apply(f->db, "body", (size_t)f->cfg->max_post_chars, &body, NULL, err))))
        goto out;
    /* The item itself first, so the post's other pending items can be
     * settled after it. */
    int64_t v[3] = {f->member_id, f->seq, *item_id};
    const char *t[3] = {f->now, action_s, reason ? reason : ""};
    if ((rc = forum_exec(
             f->db,
             !strcmp(action_s, "keep")
                 ? "UPDATE queue_item SET status = 'dismissed', acted_by = ?1, seq = ?2, "
                   "acted_at = ?4, action = ?5, note = ?6 WHERE id = ?3"
                 : "UPDATE queue_item SET status = 'resolved', acted_by = ?1, seq = ?2, "
                   "acted_at = ?4, action = ?5, note = ?6 WHERE id = ?3",
             v, 3, t, 3, "the decision", err)))
        goto out;
    details = json_pack("{s:I}", "item_id", (json_int_t)*item_id);
    int appeal = !strcmp(kind, " appeal ");
    if (!strcmp(action_s, "keep")) {
        if (appeal) {
            int64_t w[2] = {f->seq, *post_id};
            rc = forum_exec(f->db, "UPDATE post SET appealed = 2, seq = ?1 WHERE id = ?2", w, 2,
                            NULL, 0, "the post", err);
            if (!rc)
                rc = notice_add(f, s.author_id, "appeal.refused", *post_id, reason, err);
        } else if (s.by_reports) {
            rc = unhide(f, *post_id, s.author_id, reason, 0, err);
        }
        /* A refused appeal reads as one in the log. */
        if (!rc)
            rc = audit_post(f, appeal ? "appeal.refuse" : "queue.keep", *post_id, reason, details,
                            err);
    } else if (!strcmp(action_s, "hide")) {
        rc = post_hide_by(f, *post_id, reason, details, err);
    } else if (!strcmp(action_s, "restore")) {
        if (!(rc = unhide(f, *post_id, s.author_id, reason, 0, err)))
            rc = audit_post(f, "post.restore", *post_id, reason, details, err);
    } else if (!strcmp(action_s, "approve")) {
        if (!(rc = post_publish(f, *post_id, err)))
            rc = audit_post(f, "post.approve", *post_id, reason, details, err);
    } else if (!strcmp(action_s, "edit")) {
        if (!(rc = post_moderator_edit(f, *post_id, body, reason, details, err))) {
            if (s.hidden)
                rc = unhide(f, *post_id, s.author_id, reason, 1, err);
            else if (s.pending)
                rc = post_publish(f, *post_id, err);
        }
    } else if (!strcmp(action_s, "delete")) {
        rc = post_moderator_delete(f, *post_id, reason, details, err);
    } else if (!strcmp(action_s, "warn")) {
        char name[256];
        member_name_of(f->db, s.author_id, name);
        if (!(rc = notice_add(f, s.author_id, "member.warned", *post_id, reason, err)) &&
            !(rc =
                  audit_add(f, "member.warn", "member", s.author_id, name, reason, details, err)) &&
            s.by_reports)
            rc = unhide(f, *post_id, s.author_id, reason, 1, err);
    } else { /* suspend */
        json_t *until = json_object_get(msg, "until");
        json_t *m = json_pack("{s:I, s:O, s:s}", "member_id", (json_int_t)s.author_id, "until",
                              until ? until : json_null(), "reason", reason);
        int64_t member;
        rc = m ? member_suspend_for(f, m, *item_id, &member, err)
               : raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        json_decref(m);
    }
    if (!rc)
        rc = queue_settle(f, *post_id, action_s, reason, err);
    /* What viewers of the post are told. */
    static const char *const events[][2] = {
        {"hide", "post.hidden"},    {"restore", "post.restored"}, {"approve", "post.created"},
        {"delete", "post.deleted"}, {"edit", "post.edited"},
    };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (!strcmp(events[i][0], action_s))
            *event = events[i][1];
    if (!strcmp(action_s, "edit") && (s.pending || s.hidden))
        *event = s.pending ? "post.created" : "post.restored";
    /* Approving a review of an edit: the post was out already. */
    if (!strcmp(action_s, "approve") && !s.pending)
        *event = NULL;
    if (!strcmp(action_s, "keep") && appeal)
        *event = "post.changed";
    if ((!strcmp(action_s, "keep") || !strcmp(action_s, "warn")) && s.by_reports)
        *event = "post.restored";
    *topic_created =
        !rc && s.pending && strcmp(action_s, "delete") && post_opens_topic(f->db, *post_id);
out:
    json_decref(details);
    free(reason);
    free(body);
    return rc;
}

/* ---- topics ---- */

raati_code topic_moderate(forum_ctx *f, json_t *msg, const char *action, int64_t *topic_id,
                          raati_error *err)
{
    int64_t period_id;
    period_status status;
    char *reason = NULL;
    int lock = !strcmp(action, "lock"), unlock = !strcmp(action, "unlock");
    int pin = !strcmp(action, "pin");
    raati_code rc;
    if ((rc = forum_id(msg, "topic_id", 1, topic_id, err)) ||
        ((lock || unlock) &&
         (rc = text_field(msg, "reason", 0, 0, MODERATION_REASON_MAX, &reason, err))) ||
        (rc = topic_period(f->db, *topic_id, f->member_id, f->role, &period_id, &status, err)))
        goto out;
    sqlite3_stmt *st =
        db_prepare(f->db, "SELECT locked_at IS NOT NULL, pinned, title FROM topic WHERE id = ?");
    int locked = 0, pinned = 0;
    char title[256] = "";
    if (st) {
        sqlite3_bind_int64(st, 1, *topic_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            locked = sqlite3_column_int(st, 0);
            pinned = sqlite3_column_int(st, 1);
            snprintf(title, sizeof title, "%s", (const char *)sqlite3_column_text(st, 2));
        }
        sqlite3_reset(st);
    }
    raati_utf8_scrub(title);
    if (((lock || unlock) && locked == lock) || (!(lock || unlock) && pinned == pin)) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "topic_id", "the topic is %s already",
                        lock     ? "locked"
                        : unlock ? "unlocked"
                        : pin    ? "pinned"
                                 : "not pinned");
        goto out;
    }
    int64_t v[2] = {f->seq, *topic_id};
    const char *t[2] = {f->now, reason ? reason : ""};
    const char *sql = lock     ? "UPDATE topic SET seq = ?1, locked_at = ?3, lock_reason = ?4 "
                                 "WHERE id = ?2"
                      : unlock ? "UPDATE topic SET seq = ?1, locked_at = NULL, lock_reason = '' "
                                 "WHERE id = ?2"
                      : pin    ? "UPDATE topic SET seq = ?1, pinned = 1 WHERE id = ?2"
                               : "UPDATE topic SET seq = ?1, pinned = 0 WHERE id = ?2";
    char logged[32];
    snprintf(logged, sizeof logged, "topic.%s", action);
    if (!(rc = forum_exec(f->db, sql, v, 2, t, lock ? 2 : 0, "the topic", err)))
        rc = audit_add(f, logged, "topic", *topic_id, title, reason ? reason : "", NULL, err);
out:
    free(reason);
    return rc;
}

raati_code post_move(forum_ctx *f, json_t *msg, int64_t *post_id, int64_t *from, int64_t *to,
                     json_t *moved, int *count, raati_error *err)
{
    int64_t to_period, period_id;
    period_status to_status;
    char *reason = NULL;
    unsigned char *path = NULL, *tpath = NULL;
    raati_code rc;
    if ((rc = forum_id(msg, "post_id", 1, post_id, err)) ||
        (rc = forum_id(msg, "topic_id", 1, to, err)) ||
        (rc = text_field(msg, "reason", 0, 0, MODERATION_REASON_MAX, &reason, err)))
        return rc;
    struct post_state s;
    if ((rc = post_state_of(f, *post_id, &s, err)))
        goto out;
    *from = s.topic_id;
    period_id = s.period_id;
    if ((rc = topic_period(f->db, *to, f->member_id, f->role, &to_period, &to_status, err))) {
        snprintf(err->field, sizeof err->field, "topic_id");
        goto out;
    }
    /* The post's path and depth, and the target's opening post's. */
    sqlite3_stmt *st = db_prepare(
        f->db, "SELECT p.path, p.depth, p.parent_id IS NULL, o.id, o.path, o.depth FROM post p, "
               "topic t JOIN post o ON o.id = t.opening_post_id WHERE p.id = ? AND t.id = ?");
    int len = 0, tlen = 0, depth = 0, tdepth = 0, opening = 0;
    int64_t target_root = 0;
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the posts");
        goto out;
    }
    sqlite3_bind_int64(st, 1, *post_id);
    sqlite3_bind_int64(st, 2, *to);
    if (sqlite3_step(st) == SQLITE_ROW) {
        len = sqlite3_column_bytes(st, 0);
        tlen = sqlite3_column_bytes(st, 4);
        path = malloc((size_t)len + 1);
        tpath = malloc((size_t)tlen + 1);
        if (path && tpath) {
            memcpy(path, sqlite3_column_blob(st, 0), (size_t)len);
            memcpy(tpath, sqlite3_column_blob(st, 4), (size_t)tlen);
        }
        depth = sqlite3_column_int(st, 1);
        opening = sqlite3_column_int(st, 2);
        target_root = sqlite3_column_int64(st, 3);
        tdepth = sqlite3_column_int(st, 5);
    }
    sqlite3_reset(st);
    if (!target_root || !path || !tpath || len < 4) {
        rc = raati_fail(err, target_root ? RAATI_E_INTERNAL : RAATI_E_NOT_FOUND, "topic_id",
                        "could not find both posts");
        goto out;
    }
    int to_pending = 0;
    st = db_prepare(f->db, "SELECT status = 'pending' FROM topic WHERE id = ?");
    if (st) {
        sqlite3_bind_int64(st, 1, *to);
        to_pending = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
        sqlite3_reset(st);
    }
    if (opening || *to == *from || to_period != period_id || to_status == PERIOD_DRAFT ||
        to_pending) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, opening ? "post_id" : "topic_id",
                        opening        ? "an opening post cannot be moved: it is the topic"
                        : *to == *from ? "the post is in that topic already"
                        : to_pending   ? "that topic waits for a moderator"
                        : to_status == PERIOD_DRAFT
                            ? "the period is a draft"
                            : "a post moves only to a topic of the same period");
        goto out;
    }
    /* The post and everything under it move; each one's new path is the
     * target's root path, then the moved post's own id and what follows. */
    st = db_prepare(f->db, "SELECT id, path, status = 'pending' FROM post WHERE topic_id = ? AND "
                           "substr(path, 1, ?) = ? ORDER BY path");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the posts");
        goto out;
    }
    sqlite3_bind_int64(st, 1, *from);
    sqlite3_bind_int(st, 2, len);
    sqlite3_bind_blob(st, 3, path, len, SQLITE_STATIC);
    size_t cap = 16, n = 0;
    int oom = 0;
    struct moved_post {
        int64_t id;
        unsigned char *path;
        int len;
    } *rows = malloc(cap * sizeof *rows);
    while (rows && sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            struct moved_post *grown = realloc(rows, (cap *= 2) * sizeof *rows);
            if (!grown) {
                oom = 1;
                break;
            }
            rows = grown;
        }
        int old = sqlite3_column_bytes(st, 1), keep = old - (len - 4);
        rows[n].id = sqlite3_column_int64(st, 0);
        rows[n].len = tlen + keep;
        rows[n].path = malloc((size_t)rows[n].len + 1);
        if (!rows[n].path) {
            oom = 1;
            break;
        }
        memcpy(rows[n].path, tpath, (size_t)tlen);
        memcpy(rows[n].path + tlen, (const unsigned char *)sqlite3_column_blob(st, 1) + len - 4,
               (size_t)keep);
        /* Everyone is told of the posts they could see. */
        if (!sqlite3_column_int(st, 2))
            json_array_append_new(moved, json_integer(rows[n].id));
        n++;
    }
    sqlite3_reset(st);
    *count = (int)n;
    if (!rows || oom)
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    st = rc ? NULL
            : db_prepare(f->db, "UPDATE post SET topic_id = ?1, path = ?2, depth = depth + ?3, "
                                "seq = ?4, parent_id = CASE id WHEN ?5 THEN ?6 ELSE parent_id END "
                                "WHERE id = ?7");
    if (!rc && !st)
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not move the posts");
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_bind_int64(st, 1, *to);
        sqlite3_bind_blob(st, 2, rows[i].path, rows[i].len, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, tdepth + 1 - depth);
        sqlite3_bind_int64(st, 4, f->seq);
        sqlite3_bind_int64(st, 5, *post_id);
        sqlite3_bind_int64(st, 6, target_root);
        sqlite3_bind_int64(st, 7, rows[i].id);
        rc = forum_step(f->db, st, "the posts", err);
    }
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i].path);
    free(rows);
    if (rc)
        goto out;
    /* Both topics' counts again, from their posts; a client catching up on
     * the topic the posts left is told to load it again. */
    int64_t w[2] = {f->seq, *from};
    if (!(rc = topic_recount(f, *from, 1, err)) && !(rc = topic_recount(f, *to, 1, err)))
        rc = forum_exec(f->db, "UPDATE topic SET moved_out_seq = ?1 WHERE id = ?2", w, 2, NULL, 0,
                        "the topic", err);
    if (rc)
        goto out;
    if (s.author_id != f->member_id)
        rc = notice_add(f, s.author_id, "post.moved", *post_id, reason, err);
    json_t *details = json_pack("{s:I, s:I, s:I}", "from_topic_id", (json_int_t)*from,
                                "to_topic_id", (json_int_t)*to, "posts", (json_int_t)n);
    if (!rc)
        rc = audit_post(f, "post.move", *post_id, reason, details, err);
    json_decref(details);
out:
    free(reason);
    free(path);
    free(tpath);
    return rc;
}
