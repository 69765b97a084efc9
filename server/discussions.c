/* discussions.c: see discussions.h. */
#include "discussions.h"

#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "hetu.h"
#include "json_util.h"
#include "log.h"
#include "markdown.h"
#include "members.h"
#include "moderation.h"
#include "reports.h"
#include "words.h"

static const char *const reaction_kinds[] = {"agree", "good_idea", "thanks"};
enum { REACTION_KINDS = 3, PATH_MAX_BYTES = 4 * 4096 };

/* ---- topics ---- */

raati_code topic_period(db *d, int64_t topic_id, int64_t member_id, int role, int64_t *period_id,
                        period_status *status, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT period_id, status = 'pending' AND author_id != ? "
                                     "FROM topic WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the topic");
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, topic_id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        *period_id = sqlite3_column_int64(st, 0);
        /* A pending topic: only its author and moderators see it. */
        if (sqlite3_column_int(st, 1) && role < ROLE_MODERATOR)
            found = 0;
    }
    sqlite3_reset(st);
    if (!found || period_visible(d, *period_id, role, status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "topic_id", "no such topic");
    return RAATI_OK;
}

static int64_t read_upto(db *d, int64_t topic_id, int64_t member_id)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT read_upto FROM topic_read WHERE member_id = ? AND topic_id = ?");
    int64_t upto = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, topic_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        upto = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return upto;
}

static int64_t unread_count(db *d, int64_t topic_id, int64_t member_id)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT count(*) FROM post WHERE topic_id = ? AND id > ? "
                      "AND author_id != ? AND deleted_at IS NULL AND status != 'pending'");
    int64_t n = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, topic_id);
    sqlite3_bind_int64(st, 2, read_upto(d, topic_id, member_id));
    sqlite3_bind_int64(st, 3, member_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

json_t *topic_json(db *d, int64_t topic_id, int64_t member_id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT t.id, t.period_id, t.title, t.author_id, m.display_name, t.opening_post_id, "
           "t.post_count, t.participant_count, t.created_at, t.last_post_at, "
           "t.last_post_author_id, t.seq, t.status, t.locked_at, t.lock_reason, t.pinned "
           "FROM topic t JOIN member m ON m.id = t.author_id WHERE t.id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, topic_id);
    json_t *t = NULL;
    if (sqlite3_step(st) == SQLITE_ROW)
        t = json_pack("{s:I, s:I, s:o, s:{s:I, s:o}, s:I, s:I, s:I, s:o, s:o, s:I, s:I}", "id",
                      (json_int_t)sqlite3_column_int64(st, 0), "period_id",
                      (json_int_t)sqlite3_column_int64(st, 1), "title", forum_col_text(st, 2),
                      "author", "id", (json_int_t)sqlite3_column_int64(st, 3), "display_name",
                      forum_col_text(st, 4), "opening_post_id",
                      (json_int_t)sqlite3_column_int64(st, 5), "post_count",
                      (json_int_t)sqlite3_column_int64(st, 6), "participant_count",
                      (json_int_t)sqlite3_column_int64(st, 7), "created_at", forum_col_text(st, 8),
                      "last_post_at", forum_col_text(st, 9), "last_post_author_id",
                      (json_int_t)sqlite3_column_int64(st, 10), "seq",
                      (json_int_t)sqlite3_column_int64(st, 11));
    if (t) {
        json_object_set_new(t, "status", forum_col_text(st, 12));
        json_object_set_new(t, "locked",
                            sqlite3_column_type(st, 13) == SQLITE_NULL
                                ? json_null()
                                : json_pack("{s:o, s:o}", "at", forum_col_text(st, 13), "reason",
                                            forum_col_text(st, 14)));
        json_object_set_new(t, "pinned", json_boolean(sqlite3_column_int(st, 15)));
    }
    sqlite3_reset(st);
    if (t && member_id)
        json_object_set_new(t, "unread", json_integer(unread_count(d, topic_id, member_id)));
    return t;
}

/* Appends the topics a query selects (ids; ?1 bound to period_id, ?2 (if
 * it has one) to since, ?3 to the member asking and ?4 to whether they are
 * staff) to arr,
 * as events when event is not NULL. Returns -1 past max. */
static int append_topics(db *d, json_t *arr, const char *sql, int64_t period_id, int64_t since,
                         int64_t member_id, int staff, int max, const char *event)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, period_id);
    sqlite3_bind_int64(st, 2, since); /* SQLITE_RANGE, harmless, when there is no ?2 */
    sqlite3_bind_int64(st, 3, member_id);
    sqlite3_bind_int(st, 4, staff);
    int64_t *ids = malloc(sizeof *ids * (size_t)(max + 1));
    int n = 0;
    while (ids && n <= max && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!ids || n > max) {
        free(ids);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        json_t *t = topic_json(d, ids[i], member_id);
        if (!t)
            continue;
        if (event)
            t = json_pack("{s:s, s:s, s:I, s:o}", "type", "event", "event", event, "seq",
                          json_integer_value(json_object_get(t, "seq")), "data", t);
        json_array_append_new(arr, t);
    }
    free(ids);
    return 0;
}

/* A pending topic is seen only by its author and moderators. */
#define TOPIC_SEEN "(status = 'published' OR author_id = ?3 OR ?4) "

json_t *topic_list(db *d, int64_t period_id, int64_t member_id, int staff)
{
    json_t *arr = json_array();
    if (append_topics(d, arr,
                      "SELECT id FROM topic WHERE period_id = ?1 AND " TOPIC_SEEN
                      "ORDER BY pinned DESC, last_post_at DESC, id DESC",
                      period_id, 0, member_id, staff, 100000, NULL)) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

json_t *period_topic_changes(db *d, int64_t period_id, int64_t since, int64_t member_id, int staff,
                             int max, int *too_many)
{
    json_t *arr = json_array();
    *too_many = 0;
    if (append_topics(d, arr,
                      "SELECT id FROM topic WHERE period_id = ?1 AND seq > ?2 AND " TOPIC_SEEN
                      "ORDER BY seq",
                      period_id, since, member_id, staff, max, "topic.changed")) {
        json_decref(arr);
        *too_many = 1;
        return NULL;
    }
    return arr;
}

/* ---- posts ---- */

#define POST_COLS                                                                                  \
    "p.id, p.topic_id, p.parent_id, p.depth, p.author_id, m.display_name, p.body, p.body_html, "   \
    "p.created_at, p.edited_at, p.deleted_at, p.agree, p.good_idea, p.thanks, p.seq, "             \
    "pp.id, pm.display_name, pp.deleted_at, p.status, p.hidden_at, p.hidden_by, "                  \
    "p.hidden_reason, p.appealed, p.moderator_edit_at, p.moderator_edit_reason, "                  \
    "p.deleted_by_moderator, pp.status, pp.author_id "
#define POST_FROM                                                                                  \
    "FROM post p JOIN member m ON m.id = p.author_id LEFT JOIN post pp ON pp.id = p.parent_id "    \
    "LEFT JOIN member pm ON pm.id = pp.author_id "

/* The reactions member_id gave the post ("mine"), and whether they
 * reported it, in one query. */
static json_t *mine_of(db *d, int64_t post_id, int64_t member_id, int *reported)
{
    json_t *mine = json_array();
    sqlite3_stmt *st = db_prepare(
        d, "SELECT kind FROM reaction WHERE post_id = ?1 AND member_id = ?2 AND active = 1 "
           "UNION ALL SELECT NULL FROM report WHERE post_id = ?1 AND member_id = ?2 "
           "ORDER BY 1");
    *reported = 0;
    if (!st)
        return mine;
    sqlite3_bind_int64(st, 1, post_id);
    sqlite3_bind_int64(st, 2, member_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) == SQLITE_NULL)
            *reported = 1;
        else
            json_array_append_new(mine, forum_col_text(st, 0));
    }
    sqlite3_reset(st);
    return mine;
}

/* Pending posts are seen only by their authors (?8) and moderators (?9). */
#define POST_SEEN "(p.status != 'pending' OR p.author_id = ?8 OR ?9) "

static void bind_viewer(sqlite3_stmt *st, int64_t viewer, int flags)
{
    sqlite3_bind_int64(st, 8, viewer);
    sqlite3_bind_int(st, 9, !!(flags & POST_STAFF));
}

int post_flags(const forum_ctx *f)
{
    return POST_MINE | (f->role >= ROLE_MODERATOR ? POST_STAFF : 0);
}

static const char *const appeal_names[] = {NULL, "pending", "refused"};

/* The post object from a row of POST_COLS, as viewer (a member id, or 0
 * for everyone) with flags sees it; mine is filled in later. A hidden post
 * keeps its text and the moderator's reason for its author and moderators
 * only. */
static json_t *post_from_row(sqlite3_stmt *st, int64_t viewer, int flags)
{
    int deleted = sqlite3_column_type(st, 10) != SQLITE_NULL;
    int staff = !!(flags & POST_STAFF);
    int hidden = !strcmp((const char *)sqlite3_column_text(st, 18), "hidden");
    int sees = staff || (viewer && viewer == sqlite3_column_int64(st, 4));
    int redact = hidden && !sees;
    json_t *author = deleted || redact
                         ? json_null()
                         : json_pack("{s:I, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 4),
                                     "display_name", forum_col_text(st, 5));
    json_t *reply_to = json_null();
    if (sqlite3_column_type(st, 15) != SQLITE_NULL) {
        int parent_hidden = sqlite3_column_text(st, 26) &&
                            !strcmp((const char *)sqlite3_column_text(st, 26), "hidden") &&
                            !staff && viewer != sqlite3_column_int64(st, 27);
        reply_to = json_pack(
            "{s:I, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 15), "display_name",
            sqlite3_column_type(st, 17) != SQLITE_NULL || parent_hidden ? json_null()
                                                                        : forum_col_text(st, 16));
    }
    json_t *parent = sqlite3_column_type(st, 2) == SQLITE_NULL
                         ? json_null()
                         : json_integer(sqlite3_column_int64(st, 2));
    json_t *hidden_obj = json_null();
    if (hidden) {
        int by_reports = sqlite3_column_type(st, 20) == SQLITE_NULL;
        hidden_obj = json_pack("{s:s, s:o}", "by", by_reports ? "reports" : "moderator", "at",
                               forum_col_text(st, 19));
        int appealed = sqlite3_column_int(st, 22);
        if (hidden_obj && sees) {
            json_object_set_new(hidden_obj, "reason",
                                by_reports ? json_null() : forum_col_text(st, 21));
            json_object_set_new(hidden_obj, "appeal",
                                appealed > 0 && appealed < 3 ? json_string(appeal_names[appealed])
                                                             : json_null());
        }
    }
    json_t *moderator_edit = sqlite3_column_type(st, 23) == SQLITE_NULL
                                 ? json_null()
                                 : json_pack("{s:o, s:o}", "at", forum_col_text(st, 23), "reason",
                                             forum_col_text(st, 24));
    json_t *deleted_by = !deleted                     ? json_null()
                         : sqlite3_column_int(st, 25) ? json_string("moderator")
                                                      : json_string("author");
    return json_pack(
        "{s:I, s:I, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:{s:I, s:I, s:I}, s:I, s:o, s:o, "
        "s:o, s:o}",
        "id", (json_int_t)sqlite3_column_int64(st, 0), "topic_id",
        (json_int_t)sqlite3_column_int64(st, 1), "parent_id", parent, "depth",
        (json_int_t)sqlite3_column_int64(st, 3), "author", author, "reply_to", reply_to, "body",
        redact ? json_string("") : forum_col_text(st, 6), "body_html",
        redact ? json_string("") : forum_col_text(st, 7), "created_at", forum_col_text(st, 8),
        "edited_at", forum_col_text(st, 9), "deleted", deleted, "reactions", "agree",
        (json_int_t)sqlite3_column_int64(st, 11), "good_idea",
        (json_int_t)sqlite3_column_int64(st, 12), "thanks",
        (json_int_t)sqlite3_column_int64(st, 13), "seq", (json_int_t)sqlite3_column_int64(st, 14),
        "status", forum_col_text(st, 18), "hidden", hidden_obj, "moderator_edit", moderator_edit,
        "deleted_by", deleted_by);
}

/* Turns rows of st (POST_COLS, bound by the caller) into an array of at
 * most max posts, and at most POSTS_REPLY_BYTES of them (always at least
 * one), as viewer with flags sees them; *more says rows were left. */
static json_t *collect_posts(db *d, sqlite3_stmt *st, int64_t viewer, int flags, int max, int *more,
                             int reverse)
{
    json_t *arr = json_array();
    int n = 0;
    size_t bytes = 0;
    *more = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == max) {
            *more = 1;
            break;
        }
        json_t *p = post_from_row(st, viewer, flags);
        if (!p)
            continue;
        if (max > 1) /* one post always goes: no need to measure it */
            bytes += json_dumpb(p, NULL, 0, JSON_COMPACT);
        if (n && bytes > POSTS_REPLY_BYTES) {
            json_decref(p);
            *more = 1;
            break;
        }
        if (reverse)
            json_array_insert_new(arr, 0, p);
        else
            json_array_append_new(arr, p);
        n++;
    }
    sqlite3_reset(st);
    if (viewer && (flags & POST_MINE)) {
        size_t i;
        json_t *p;
        json_array_foreach(arr, i, p)
        {
            int reported = 0;
            if (!json_is_true(json_object_get(p, "deleted")))
                json_object_set_new(
                    p, "mine",
                    mine_of(d, json_integer_value(json_object_get(p, "id")), viewer, &reported));
            else
                json_object_set_new(p, "mine", json_array());
            json_object_set_new(p, "reported", json_boolean(reported));
        }
    }
    return arr;
}

json_t *post_json(db *d, int64_t post_id, int64_t viewer, int flags)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT " POST_COLS POST_FROM "WHERE p.id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, post_id);
    int more;
    json_t *arr = collect_posts(d, st, viewer, flags, 1, &more, 0);
    json_t *p = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return p;
}

int64_t post_topic(db *d, int64_t post_id)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT topic_id FROM post WHERE id = ?");
    int64_t t = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, post_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        t = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return t;
}

/* A post's path (copied into buf, up to PATH_MAX_BYTES) when it is in the
 * topic and f's member may see it; -1 if not. */
static int post_path(const forum_ctx *f, int64_t topic_id, int64_t post_id, unsigned char *buf,
                     int *len)
{
    sqlite3_stmt *st = db_prepare(f->db, "SELECT p.path FROM post p WHERE p.id = ?1 AND "
                                         "p.topic_id = ?2 AND " POST_SEEN);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, post_id);
    sqlite3_bind_int64(st, 2, topic_id);
    bind_viewer(st, f->member_id, post_flags(f));
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int n = sqlite3_column_bytes(st, 0);
        if (n <= PATH_MAX_BYTES) {
            memcpy(buf, sqlite3_column_blob(st, 0), (size_t)n);
            *len = n;
            rc = 0;
        }
    }
    sqlite3_reset(st);
    return rc;
}

static int has_posts(db *d, const char *sql, int64_t topic_id, const unsigned char *path, int len)
{
    sqlite3_stmt *st = db_prepare(d, sql);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, topic_id);
    sqlite3_bind_blob(st, 2, path, len, SQLITE_STATIC);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

/* Posts of the topic in thread order starting at path (inclusive; NULL:
 * from the start), limit of them, with has_before and has_after. */
static void window_from(forum_ctx *f, int64_t topic_id, const unsigned char *path, int len,
                        int limit, json_t *reply)
{
    static const unsigned char empty[1] = {0};
    if (!path) {
        path = empty;
        len = 0;
    }
    sqlite3_stmt *st = db_prepare(f->db, "SELECT " POST_COLS POST_FROM
                                         "WHERE p.topic_id = ? AND p.path >= ? AND " POST_SEEN
                                         "ORDER BY p.path LIMIT ?3");
    int more = 0;
    json_t *posts = json_array();
    if (st) {
        sqlite3_bind_int64(st, 1, topic_id);
        sqlite3_bind_blob(st, 2, path, len, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, limit + 1);
        bind_viewer(st, f->member_id, post_flags(f));
        json_decref(posts);
        posts = collect_posts(f->db, st, f->member_id, post_flags(f), limit, &more, 0);
    }
    json_object_set_new(reply, "posts", posts);
    json_object_set_new(reply, "has_before",
                        json_boolean(len && has_posts(f->db,
                                                      "SELECT 1 FROM post WHERE topic_id = ? AND "
                                                      "path < ? LIMIT 1",
                                                      topic_id, path, len)));
    json_object_set_new(reply, "has_after", json_boolean(more));
}

static raati_code limit_field(json_t *msg, int *limit, raati_error *err)
{
    long long v = POSTS_PAGE_DEFAULT;
    int present;
    raati_code rc = jfield_int(msg, "limit", 0, &v, &present, err);
    if (rc)
        return rc;
    if (v < 1 || v > POSTS_PAGE_MAX)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "limit", "limit must be 1 to %d",
                          POSTS_PAGE_MAX);
    *limit = (int)v;
    return RAATI_OK;
}

/* The first unread post in thread order (0 if none), and its path. */
static int64_t first_unread(forum_ctx *f, int64_t topic_id, unsigned char *path, int *len)
{
    sqlite3_stmt *st = db_prepare(f->db, "SELECT id, path FROM post WHERE topic_id = ? AND id > ? "
                                         "AND author_id != ? AND deleted_at IS NULL "
                                         "AND status != 'pending' ORDER BY path LIMIT 1");
    int64_t id = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, topic_id);
    sqlite3_bind_int64(st, 2, read_upto(f->db, topic_id, f->member_id));
    sqlite3_bind_int64(st, 3, f->member_id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) <= PATH_MAX_BYTES) {
        id = sqlite3_column_int64(st, 0);
        *len = sqlite3_column_bytes(st, 1);
        memcpy(path, sqlite3_column_blob(st, 1), (size_t)*len);
    }
    sqlite3_reset(st);
    return id;
}

raati_code topic_get(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t topic_id, period_id, at_id = 0;
    period_status status;
    int limit = POSTS_PAGE_DEFAULT, len = 0;
    raati_code rc;
    if ((rc = forum_id(msg, "topic_id", 1, &topic_id, err)) || (rc = limit_field(msg, &limit, err)))
        return rc;
    json_t *at = json_object_get(msg, "at");
    int at_unread = 0;
    if (json_is_string(at) && !strcmp(json_string_value(at), "unread"))
        at_unread = 1;
    else if (json_is_integer(at) && json_integer_value(at) > 0)
        at_id = json_integer_value(at);
    else if (at && !json_is_null(at) &&
             !(json_is_string(at) && !strcmp(json_string_value(at), "start")))
        return raati_fail(err, RAATI_E_INVALID_FIELD, "at",
                          "at must be \"start\", \"unread\" or a post id");
    if ((rc = topic_period(f->db, topic_id, f->member_id, f->role, &period_id, &status, err)))
        return rc;
    unsigned char *path = malloc(PATH_MAX_BYTES), *upath = malloc(PATH_MAX_BYTES);
    if (!path || !upath) {
        free(path);
        free(upath);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    }
    int ulen = 0;
    int64_t unread_id = first_unread(f, topic_id, upath, &ulen);
    int from = 0;
    if (at_id) {
        if (post_path(f, topic_id, at_id, path, &len)) {
            rc = raati_fail(err, RAATI_E_NOT_FOUND, "at", "no such post in this topic");
            goto out;
        }
        from = 1;
    } else if (at_unread && unread_id) {
        /* Start a few posts before the first unread one, for context. */
        sqlite3_stmt *st = db_prepare(f->db, "SELECT path FROM post WHERE topic_id = ? AND "
                                             "path < ? ORDER BY path DESC LIMIT 3");
        memcpy(path, upath, (size_t)ulen);
        len = ulen;
        if (st) {
            sqlite3_bind_int64(st, 1, topic_id);
            sqlite3_bind_blob(st, 2, upath, ulen, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW &&
                   sqlite3_column_bytes(st, 0) <= PATH_MAX_BYTES) {
                len = sqlite3_column_bytes(st, 0);
                memcpy(path, sqlite3_column_blob(st, 0), (size_t)len);
            }
            sqlite3_reset(st);
        }
        from = 1;
    }
    window_from(f, topic_id, from ? path : NULL, len, limit, reply);
    json_object_set_new(reply, "topic", topic_json(f->db, topic_id, f->member_id));
    json_t *period = period_json(f->db, period_id);
    json_object_set_new(reply, "period", period ? period : json_null());
    json_object_set_new(reply, "first_unread_id",
                        unread_id ? json_integer(unread_id) : json_null());
    json_object_set_new(reply, "read_upto", json_integer(read_upto(f->db, topic_id, f->member_id)));
out:
    free(path);
    free(upath);
    return rc;
}

raati_code post_list(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t topic_id, period_id, after, before;
    period_status status;
    int limit = POSTS_PAGE_DEFAULT, len = 0;
    raati_code rc;
    if ((rc = forum_id(msg, "topic_id", 1, &topic_id, err)) ||
        (rc = forum_id(msg, "after", 0, &after, err)) ||
        (rc = forum_id(msg, "before", 0, &before, err)) || (rc = limit_field(msg, &limit, err)))
        return rc;
    if (!after == !before)
        return raati_fail(err, after ? RAATI_E_INVALID_FIELD : RAATI_E_MISSING_FIELD, "after",
                          "give either after or before");
    if ((rc = topic_period(f->db, topic_id, f->member_id, f->role, &period_id, &status, err)))
        return rc;
    unsigned char *path = malloc(PATH_MAX_BYTES);
    if (!path)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    if (post_path(f, topic_id, after ? after : before, path, &len)) {
        free(path);
        return raati_fail(err, RAATI_E_NOT_FOUND, after ? "after" : "before",
                          "no such post in this topic");
    }
    sqlite3_stmt *st =
        after ? db_prepare(f->db, "SELECT " POST_COLS POST_FROM
                                  "WHERE p.topic_id = ? AND p.path > ? AND " POST_SEEN
                                  "ORDER BY p.path LIMIT ?3")
              : db_prepare(f->db, "SELECT " POST_COLS POST_FROM "WHERE p.topic_id = ? AND "
                                  "p.path < ? AND " POST_SEEN "ORDER BY p.path DESC LIMIT ?3");
    if (!st) {
        free(path);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read posts");
    }
    sqlite3_bind_int64(st, 1, topic_id);
    sqlite3_bind_blob(st, 2, path, len, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, limit + 1);
    bind_viewer(st, f->member_id, post_flags(f));
    int more;
    json_t *posts = collect_posts(f->db, st, f->member_id, post_flags(f), limit, &more, !after);
    json_object_set_new(reply, "posts", posts);
    /* The other side has posts: at least the one the window started from. */
    json_object_set_new(reply, "has_before", json_boolean(after ? 1 : more));
    json_object_set_new(reply, "has_after", json_boolean(after ? more : 1));
    free(path);
    return RAATI_OK;
}

raati_code topic_read(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t topic_id, post_id, period_id;
    period_status status;
    raati_code rc;
    if ((rc = forum_id(msg, "topic_id", 1, &topic_id, err)) ||
        (rc = forum_id(msg, "post_id", 1, &post_id, err)) ||
        (rc = topic_period(f->db, topic_id, f->member_id, f->role, &period_id, &status, err)))
        return rc;
    unsigned char path[PATH_MAX_BYTES];
    int len;
    if (post_path(f, topic_id, post_id, path, &len))
        return raati_fail(err, RAATI_E_NOT_FOUND, "post_id", "no such post in this topic");
    sqlite3_stmt *st = db_prepare(
        f->db, "INSERT INTO topic_read (member_id, topic_id, read_upto) VALUES (?1, ?2, ?3) "
               "ON CONFLICT (member_id, topic_id) DO UPDATE SET read_upto = max(read_upto, ?3)");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the read mark");
    sqlite3_bind_int64(st, 1, f->member_id);
    sqlite3_bind_int64(st, 2, topic_id);
    sqlite3_bind_int64(st, 3, post_id);
    if ((rc = forum_step(f->db, st, "the read mark", err)))
        return rc;
    json_object_set_new(reply, "topic_id", json_integer(topic_id));
    json_object_set_new(reply, "unread", json_integer(unread_count(f->db, topic_id, f->member_id)));
    return RAATI_OK;
}

/* ---- writing posts ---- */

raati_code topic_recount(forum_ctx *f, int64_t topic_id, int dates, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(
        f->db,
        dates ? "UPDATE topic SET seq = ?2, "
                "post_count = (SELECT count(*) FROM post WHERE topic_id = ?1 AND "
                "deleted_at IS NULL AND status != 'pending'), "
                "participant_count = (SELECT count(DISTINCT author_id) FROM post WHERE "
                "topic_id = ?1 AND status != 'pending'), "
                "last_post_author_id = (SELECT author_id FROM post WHERE topic_id = ?1 AND "
                "status = 'published' AND deleted_at IS NULL ORDER BY created_at DESC, id DESC "
                "LIMIT 1), "
                "last_post_at = coalesce((SELECT max(created_at) FROM post WHERE topic_id = ?1 "
                "AND status != 'pending'), last_post_at) WHERE id = ?1"
              : "UPDATE topic SET seq = ?2, "
                "post_count = (SELECT count(*) FROM post WHERE topic_id = ?1 AND "
                "deleted_at IS NULL AND status != 'pending'), "
                "last_post_author_id = (SELECT author_id FROM post WHERE topic_id = ?1 AND "
                "status = 'published' AND deleted_at IS NULL ORDER BY created_at DESC, id DESC "
                "LIMIT 1) WHERE id = ?1");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the topic");
    sqlite3_bind_int64(st, 1, topic_id);
    sqlite3_bind_int64(st, 2, f->seq);
    return forum_step(f->db, st, "the topic", err);
}

/* Counts a post that has become visible (written, or approved) in its
 * topic and its period: the topic's posts, participants and last post, and
 * the member's participation. */
static raati_code count_post(forum_ctx *f, int64_t post_id, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(
        f->db,
        "SELECT p.topic_id, t.period_id, p.author_id, NOT EXISTS (SELECT 1 FROM post o "
        "WHERE o.topic_id = p.topic_id AND o.author_id = p.author_id AND o.id != p.id AND "
        "o.status != 'pending') FROM post p JOIN topic t ON t.id = p.topic_id WHERE p.id = ?");
    int64_t topic_id = 0, period_id = 0, author_id = 0;
    int first = 0;
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
    sqlite3_bind_int64(st, 1, post_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        topic_id = sqlite3_column_int64(st, 0);
        period_id = sqlite3_column_int64(st, 1);
        author_id = sqlite3_column_int64(st, 2);
        first = sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    if (!topic_id)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
    st = db_prepare(f->db, "UPDATE topic SET post_count = post_count + 1, "
                           "participant_count = participant_count + ?, last_post_at = ?, "
                           "last_post_author_id = ?, seq = ? WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
    sqlite3_bind_int(st, 1, first);
    sqlite3_bind_text(st, 2, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, author_id);
    sqlite3_bind_int64(st, 4, f->seq);
    sqlite3_bind_int64(st, 5, topic_id);
    raati_code rc = forum_step(f->db, st, "the topic", err);
    if (rc)
        return rc;
    /* Participation is the author's, also when a moderator approves. */
    int64_t asker = f->member_id;
    f->member_id = author_id;
    rc = participation_add(f, period_id, 1, 0, err);
    f->member_id = asker;
    return rc;
}

/* Writes a post: the next id, its path under parent (0: a root), the
 * rendered body, and (unless it is pending) the topic's counts. */
static raati_code insert_post(forum_ctx *f, int64_t topic_id, int64_t parent_id, const char *body,
                              int pending, int64_t *post_id, raati_error *err)
{
    raati_code rc;
    unsigned char *path = malloc(PATH_MAX_BYTES + 4);
    int len = 0, depth = 0;
    char *html = NULL;
    if (!path)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    sqlite3_stmt *st;
    if (parent_id) {
        st = db_prepare(f->db, "SELECT path, depth FROM post WHERE id = ?");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
            goto out;
        }
        sqlite3_bind_int64(st, 1, parent_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            len = sqlite3_column_bytes(st, 0);
            depth = sqlite3_column_int(st, 1) + 1;
            if (len <= PATH_MAX_BYTES)
                memcpy(path, sqlite3_column_blob(st, 0), (size_t)len);
        }
        sqlite3_reset(st);
        if (len > PATH_MAX_BYTES - 4) {
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "parent_id",
                            "this thread is too deep for another reply");
            goto out;
        }
    }
    st = db_prepare(f->db, "SELECT coalesce(max(id), 0) + 1 FROM post");
    if (!st || sqlite3_step(st) != SQLITE_ROW) {
        if (st)
            sqlite3_reset(st);
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
        goto out;
    }
    int64_t id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (id > 0xFFFFFFFFll) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "the post table is full");
        goto out;
    }
    for (int i = 3; i >= 0; i--)
        path[len++] = (unsigned char)(id >> (8 * i));
    html = markdown_html(body);
    if (!html) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        goto out;
    }
    st = db_prepare(f->db, "INSERT INTO post (id, topic_id, parent_id, depth, path, author_id, "
                           "body, body_html, created_at, seq, status) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, topic_id);
    if (parent_id)
        sqlite3_bind_int64(st, 3, parent_id);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int(st, 4, depth);
    sqlite3_bind_blob(st, 5, path, len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, f->member_id);
    sqlite3_bind_text(st, 7, body, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, html, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 10, f->seq);
    sqlite3_bind_text(st, 11, pending ? "pending" : "published", -1, SQLITE_STATIC);
    if ((rc = forum_step(f->db, st, "the post", err)) ||
        (!pending && (rc = count_post(f, id, err))))
        goto out;
    *post_id = id;
out:
    free(path);
    free(html);
    return rc;
}

/* Why a post by f's member in the period waits for a moderator
 * (docs/protocol.md, "Pre-moderation"), or NULL when it goes out at once.
 * found: the watched words marked for review that the text holds. */
static const char *held_why(forum_ctx *f, int64_t period_id, json_t *found)
{
    if (f->role >= ROLE_MODERATOR)
        return NULL;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT premoderated FROM period WHERE id = ?");
    int premoderated = 1; /* when in doubt, hold it */
    if (st) {
        sqlite3_bind_int64(st, 1, period_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            premoderated = sqlite3_column_int(st, 0);
        sqlite3_reset(st);
    }
    if (premoderated)
        return "premoderated_period";
    if (f->cfg->premoderate_days > 0 && forum_member_age_ms(f->db, f->member_id, f->now_ms) <
                                            (int64_t)f->cfg->premoderate_days * 86400000)
        return "new_member";
    return json_array_size(found) ? "watched_word" : NULL;
}

/* topic_locked for members when a moderator has locked the topic. */
static raati_code topic_open_to(forum_ctx *f, int64_t topic_id, const char *field, raati_error *err)
{
    if (f->role >= ROLE_MODERATOR)
        return RAATI_OK;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT locked_at IS NOT NULL FROM topic WHERE id = ?");
    int locked = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, topic_id);
        locked = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
        sqlite3_reset(st);
    }
    return locked
               ? raati_fail(err, RAATI_E_TOPIC_LOCKED, field, "a moderator has locked this topic")
               : RAATI_OK;
}

raati_code topic_create(forum_ctx *f, json_t *msg, int64_t *topic_id, int64_t *post_id,
                        raati_error *err)
{
    int64_t period_id;
    period_status status;
    char *title = NULL, *body = NULL;
    json_t *found = json_array();
    const char *why = NULL;
    raati_code rc;
    if ((rc = forum_id(msg, "period_id", 1, &period_id, err)) ||
        (rc = text_field(msg, "title", 1, 1, TOPIC_TITLE_MAX, &title, err)) ||
        (rc = text_field(msg, "body", 1, 1, (size_t)f->cfg->max_post_chars, &body, err)) ||
        (rc = hetu_refuse("title", title, err)) || (rc = hetu_refuse("body", body, err)) ||
        (rc = period_visible(f->db, period_id, f->role, &status, err)) ||
        (rc = words_apply(f->db, "title", TOPIC_TITLE_MAX, &title, found, err)) ||
        (rc = words_apply(f->db, "body", (size_t)f->cfg->max_post_chars, &body, found, err)))
        goto out;
    int staff = f->role >= ROLE_MODERATOR;
    if (!staff) {
        sqlite3_stmt *st =
            db_prepare(f->db, "SELECT members_may_open_topics FROM period WHERE id = ?");
        int may = 0;
        if (st) {
            sqlite3_bind_int64(st, 1, period_id);
            may = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
            sqlite3_reset(st);
        }
        if (!may) {
            rc = raati_fail(err, RAATI_E_FORBIDDEN, NULL,
                            "in this period only moderators open topics");
            goto out;
        }
    }
    /* Moderators may prepare topics before a period opens. */
    if (status == PERIOD_CLOSED || (!staff && status != PERIOD_OPEN)) {
        rc = period_writable(status, err);
        goto out;
    }
    why = held_why(f, period_id, found);
    sqlite3_stmt *st =
        db_prepare(f->db, "INSERT INTO topic (period_id, title, author_id, "
                          "created_at, last_post_at, seq, status) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the topic");
        goto out;
    }
    sqlite3_bind_int64(st, 1, period_id);
    sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, f->member_id);
    sqlite3_bind_text(st, 4, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, f->seq);
    sqlite3_bind_text(st, 7, why ? "pending" : "published", -1, SQLITE_STATIC);
    if ((rc = forum_step(f->db, st, "the topic", err)))
        goto out;
    *topic_id = sqlite3_last_insert_rowid(db_handle(f->db));
    if ((rc = insert_post(f, *topic_id, 0, body, why != NULL, post_id, err)))
        goto out;
    st = db_prepare(f->db, "UPDATE topic SET opening_post_id = ? WHERE id = ?");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the topic");
        goto out;
    }
    sqlite3_bind_int64(st, 1, *post_id);
    sqlite3_bind_int64(st, 2, *topic_id);
    if (!(rc = forum_step(f->db, st, "the topic", err)) && why)
        rc = queue_review(f, *post_id, why, found, err);
out:
    free(title);
    free(body);
    json_decref(found);
    return rc;
}

raati_code post_create(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err)
{
    int64_t topic_id, parent_id, period_id;
    period_status status;
    char *body = NULL;
    json_t *words = json_array();
    const char *why = NULL;
    raati_code rc;
    const char *key = NULL;
    size_t key_len = 0;
    if ((rc = forum_id(msg, "topic_id", 1, &topic_id, err)) ||
        (rc = forum_id(msg, "parent_id", 0, &parent_id, err)) ||
        (rc = text_field(msg, "body", 1, 1, (size_t)f->cfg->max_post_chars, &body, err)) ||
        (rc = hetu_refuse("body", body, err)) ||
        (rc = jfield_string(msg, "client_key", 0, &key, &key_len, err)))
        goto out;
    if (key && (key_len < 8 || key_len > 64 ||
                strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
                    key_len)) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "client_key",
                        "client_key must be 8 to 64 letters, digits, _ or -");
        goto out;
    }
    if (key) {
        /* The same reply sent again (its answer was lost with the
         * connection): answer with the post already written. */
        sqlite3_stmt *st = db_prepare(f->db, "SELECT id, topic_id FROM post WHERE author_id = ? "
                                             "AND client_key = ?");
        int64_t found = 0, in_topic = 0;
        if (st) {
            sqlite3_bind_int64(st, 1, f->member_id);
            sqlite3_bind_text(st, 2, key, (int)key_len, SQLITE_TRANSIENT);
            if (sqlite3_step(st) == SQLITE_ROW) {
                found = sqlite3_column_int64(st, 0);
                in_topic = sqlite3_column_int64(st, 1);
            }
            sqlite3_reset(st);
        }
        if (found && in_topic != topic_id) {
            rc = raati_fail(err, RAATI_E_CONFLICT, "client_key",
                            "client_key was already used for a post in another topic");
            goto out;
        }
        if (found) {
            *post_id = found;
            f->replayed = 1;
            goto out;
        }
    }
    if ((rc = topic_period(f->db, topic_id, f->member_id, f->role, &period_id, &status, err)) ||
        (rc = period_writable(status, err)) || (rc = topic_open_to(f, topic_id, "topic_id", err)))
        goto out;
    if (!parent_id) {
        sqlite3_stmt *st = db_prepare(f->db, "SELECT opening_post_id, status = 'pending' "
                                             "FROM topic WHERE id = ?");
        int pending = 0;
        if (st) {
            sqlite3_bind_int64(st, 1, topic_id);
            if (sqlite3_step(st) == SQLITE_ROW) {
                parent_id = sqlite3_column_int64(st, 0);
                pending = sqlite3_column_int(st, 1);
            }
            sqlite3_reset(st);
        }
        if (pending) {
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "topic_id",
                            "the topic waits for a moderator: replies can come once it is "
                            "approved");
            goto out;
        }
    } else {
        sqlite3_stmt *st = db_prepare(f->db, "SELECT topic_id, deleted_at IS NOT NULL, status, "
                                             "author_id FROM post WHERE id = ?");
        int64_t in_topic = 0, parent_author = 0;
        int deleted = 0, pending = 0, hidden = 0;
        if (st) {
            sqlite3_bind_int64(st, 1, parent_id);
            if (sqlite3_step(st) == SQLITE_ROW) {
                in_topic = sqlite3_column_int64(st, 0);
                deleted = sqlite3_column_int(st, 1);
                pending = !strcmp((const char *)sqlite3_column_text(st, 2), "pending");
                hidden = !strcmp((const char *)sqlite3_column_text(st, 2), "hidden");
                parent_author = sqlite3_column_int64(st, 3);
            }
            sqlite3_reset(st);
        }
        if (pending && parent_author != f->member_id && f->role < ROLE_MODERATOR)
            in_topic = 0; /* not seen by this member */
        if (in_topic != topic_id) {
            rc = raati_fail(err, RAATI_E_NOT_FOUND, "parent_id", "no such post in this topic");
            goto out;
        }
        if (deleted) {
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "parent_id",
                            "that post was deleted; reply to the thread instead");
            goto out;
        }
        if (pending || hidden) {
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "parent_id",
                            pending ? "that post waits for a moderator; reply to the thread instead"
                                    : "that post is hidden; reply to the thread instead");
            goto out;
        }
    }
    if ((rc = words_apply(f->db, "body", (size_t)f->cfg->max_post_chars, &body, words, err)))
        goto out;
    why = held_why(f, period_id, words);
    rc = insert_post(f, topic_id, parent_id, body, why != NULL, post_id, err);
    if (!rc && why)
        rc = queue_review(f, *post_id, why, words, err);
    if (!rc && key) {
        sqlite3_stmt *st = db_prepare(f->db, "UPDATE post SET client_key = ? WHERE id = ?");
        if (!st) {
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
            goto out;
        }
        sqlite3_bind_text(st, 1, key, (int)key_len, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, *post_id);
        rc = forum_step(f->db, st, "the post", err);
    }
out:
    free(body);
    json_decref(words);
    return rc;
}

struct own_post {
    int64_t id, topic_id, period_id, author_id;
    int deleted, pending;
    int moderating; /* a moderator changing another member's post */
    char *body;
    char at[TIME_ISO_SIZE]; /* when the current text was written */
};

/* Loads post id for a change by f's member: not_found when they may not
 * see it. */
static raati_code load_post(forum_ctx *f, int64_t id, struct own_post *p, period_status *status,
                            raati_error *err)
{
    memset(p, 0, sizeof *p);
    p->id = id;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT topic_id, author_id, deleted_at IS NOT NULL, "
                                         "body, coalesce(edited_at, created_at), "
                                         "status = 'pending' FROM post WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the post");
    sqlite3_bind_int64(st, 1, p->id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        p->topic_id = sqlite3_column_int64(st, 0);
        p->author_id = sqlite3_column_int64(st, 1);
        p->deleted = sqlite3_column_int(st, 2);
        p->body = strdup((const char *)sqlite3_column_text(st, 3));
        snprintf(p->at, sizeof p->at, "%s", (const char *)sqlite3_column_text(st, 4));
        p->pending = sqlite3_column_int(st, 5);
    }
    sqlite3_reset(st);
    if (!p->topic_id || (p->pending && p->author_id != f->member_id && f->role < ROLE_MODERATOR) ||
        topic_period(f->db, p->topic_id, f->member_id, f->role, &p->period_id, status, NULL)) {
        free(p->body);
        p->body = NULL;
        return raati_fail(err, RAATI_E_NOT_FOUND, "post_id", "no such post");
    }
    if (!p->body)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    return RAATI_OK;
}

/* Loads a post the member may change: theirs, in an open period; or, for
 * a moderator, anyone's in any period. */
static raati_code load_own(forum_ctx *f, json_t *msg, struct own_post *p, raati_error *err)
{
    period_status status;
    int64_t id;
    raati_code rc;
    memset(p, 0, sizeof *p);
    if ((rc = forum_id(msg, "post_id", 1, &id, err)) || (rc = load_post(f, id, p, &status, err)))
        return rc;
    if (p->author_id != f->member_id) {
        if (f->role < ROLE_MODERATOR)
            return raati_fail(err, RAATI_E_FORBIDDEN, NULL, "you can change only your own posts");
        p->moderating = 1;
    } else if ((rc = period_writable(status, err))) {
        return rc;
    }
    if (p->deleted)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "post_id", "the post has been deleted");
    return RAATI_OK;
}

static raati_code keep_version(forum_ctx *f, const struct own_post *p, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(f->db, "INSERT INTO post_version (post_id, body, at) "
                                         "VALUES (?, ?, ?)");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_text(st, 2, p->body, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, p->at, -1, SQLITE_TRANSIENT);
    return forum_step(f->db, st, "the earlier version", err);
}

/* Replaces p's text with body (already checked); with reason, as a
 * moderator's edit everyone sees. *changed is 0 when the text was the
 * same (and there is no reason to record). */
static raati_code write_text(forum_ctx *f, const struct own_post *p, const char *body,
                             const char *reason, int *changed, raati_error *err)
{
    *changed = 0;
    if (!strcmp(body, p->body) && !reason)
        return RAATI_OK;
    char *html = markdown_html(body);
    if (!html)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    raati_code rc = keep_version(f, p, err);
    sqlite3_stmt *st =
        rc ? NULL
           : db_prepare(f->db, reason
                                   ? "UPDATE post SET body = ?1, body_html = ?2, edited_at = ?3, "
                                     "seq = ?4, moderator_edit_at = ?3, moderator_edit_reason = ?6 "
                                     "WHERE id = ?5"
                                   : "UPDATE post SET body = ?1, body_html = ?2, edited_at = ?3, "
                                     "seq = ?4 WHERE id = ?5");
    if (!rc && !st)
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
    if (!rc) {
        sqlite3_bind_text(st, 1, body, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, html, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, f->now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, f->seq);
        sqlite3_bind_int64(st, 5, p->id);
        if (reason)
            sqlite3_bind_text(st, 6, reason, -1, SQLITE_TRANSIENT);
        if (!(rc = forum_step(f->db, st, "the post", err)))
            *changed = 1;
    }
    free(html);
    return rc;
}

/* The text of an edit, checked: length, personal ids, watched words
 * (review words found go into found). */
static raati_code edit_body(forum_ctx *f, json_t *msg, char **body, json_t *found, raati_error *err)
{
    raati_code rc;
    if ((rc = text_field(msg, "body", 1, 1, (size_t)f->cfg->max_post_chars, body, err)) ||
        (rc = hetu_refuse("body", *body, err)) ||
        (rc = words_apply(f->db, "body", (size_t)f->cfg->max_post_chars, body, found, err))) {
        free(*body);
        *body = NULL;
    }
    return rc;
}

raati_code post_edit(forum_ctx *f, json_t *msg, int64_t *post_id, int *changed, raati_error *err)
{
    struct own_post p;
    char *body = NULL, *reason = NULL;
    json_t *found = json_array();
    raati_code rc;
    *changed = 0;
    if ((rc = load_own(f, msg, &p, err)) ||
        (rc = text_field(msg, "reason", p.moderating, 1, MODERATION_REASON_MAX, &reason, err)) ||
        (!p.moderating && (rc = topic_open_to(f, p.topic_id, "post_id", err))) ||
        (rc = edit_body(f, msg, &body, found, err)))
        goto out;
    *post_id = p.id;
    if (p.moderating) {
        rc = post_moderator_edit(f, p.id, body, reason, NULL, err);
        *changed = !rc;
        goto out;
    }
    if ((rc = write_text(f, &p, body, NULL, changed, err)))
        goto out;
    /* A watched word for review does not take an edited post down; it goes
     * to the queue. */
    if (*changed && json_array_size(found) && f->role < ROLE_MODERATOR)
        rc = queue_review(f, p.id, "watched_word", found, err);
out:
    free(p.body);
    free(body);
    free(reason);
    json_decref(found);
    return rc;
}

raati_code post_moderator_edit(forum_ctx *f, int64_t post_id, const char *body, const char *reason,
                               json_t *details, raati_error *err)
{
    struct own_post p;
    period_status status;
    int changed;
    raati_code rc;
    if ((rc = load_post(f, post_id, &p, &status, err)))
        goto out;
    if (p.deleted) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "post_id", "the post has been deleted");
        goto out;
    }
    if ((rc = write_text(f, &p, body, reason, &changed, err)))
        goto out;
    if (p.author_id != f->member_id)
        rc = notice_add(f, p.author_id, "post.edited", p.id, reason, err);
    if (!rc)
        rc = audit_post(f, "post.edit", p.id, reason, details, err);
out:
    free(p.body);
    return rc;
}

/* Makes p a tombstone; by a moderator, with reason. */
static raati_code tombstone(forum_ctx *f, const struct own_post *p, const char *reason,
                            raati_error *err)
{
    raati_code rc = keep_version(f, p, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = db_prepare(f->db, "UPDATE reaction SET active = 0 WHERE post_id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not delete the post");
    sqlite3_bind_int64(st, 1, p->id);
    if ((rc = forum_step(f->db, st, "reactions", err)))
        return rc;
    st = db_prepare(f->db, "UPDATE post SET body = '', body_html = '', deleted_at = ?, agree = 0, "
                           "good_idea = 0, thanks = 0, seq = ?, deleted_by_moderator = ?, "
                           "status = CASE status WHEN 'hidden' THEN 'published' ELSE status END "
                           "WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not delete the post");
    sqlite3_bind_text(st, 1, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, f->seq);
    sqlite3_bind_int(st, 3, reason != NULL);
    sqlite3_bind_int64(st, 4, p->id);
    if ((rc = forum_step(f->db, st, "the post", err)) ||
        (rc = topic_recount(f, p->topic_id, 0, err)))
        return rc;
    /* A pending post its author takes back leaves nothing to review. */
    if (p->pending && !reason)
        rc = queue_settle(f, p->id, "delete", "", err);
    return rc;
}

raati_code post_delete(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err)
{
    struct own_post p;
    char *reason = NULL;
    raati_code rc;
    if ((rc = load_own(f, msg, &p, err)) ||
        (rc = text_field(msg, "reason", p.moderating, 1, MODERATION_REASON_MAX, &reason, err)))
        goto out;
    if (p.moderating)
        rc = post_moderator_delete(f, p.id, reason, NULL, err);
    else
        rc = tombstone(f, &p, NULL, err);
    if (!rc)
        *post_id = p.id;
out:
    free(p.body);
    free(reason);
    return rc;
}

raati_code post_moderator_delete(forum_ctx *f, int64_t post_id, const char *reason, json_t *details,
                                 raati_error *err)
{
    struct own_post p;
    period_status status;
    raati_code rc;
    if ((rc = load_post(f, post_id, &p, &status, err)))
        goto out;
    if (p.deleted) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "post_id", "the post has been deleted");
        goto out;
    }
    if ((rc = tombstone(f, &p, reason, err)) || (rc = queue_settle(f, p.id, "delete", reason, err)))
        goto out;
    if (p.author_id != f->member_id)
        rc = notice_add(f, p.author_id, "post.deleted", p.id, reason, err);
    if (!rc)
        rc = audit_post(f, "post.delete", p.id, reason, details, err);
out:
    free(p.body);
    return rc;
}

int post_opens_topic(db *d, int64_t post_id)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT 1 FROM topic WHERE opening_post_id = ?");
    int yes = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, post_id);
    yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

raati_code post_publish(forum_ctx *f, int64_t post_id, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(f->db, "UPDATE post SET status = 'published', seq = ? "
                                         "WHERE id = ? AND status = 'pending'");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the post");
    sqlite3_bind_int64(st, 1, f->seq);
    sqlite3_bind_int64(st, 2, post_id);
    raati_code rc = forum_step(f->db, st, "the post", err);
    if (rc || sqlite3_changes(db_handle(f->db)) == 0)
        return rc;
    /* A pending topic goes out with its opening post. */
    st = db_prepare(f->db, "UPDATE topic SET status = 'published', seq = ? WHERE "
                           "opening_post_id = ? AND status = 'pending'");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the topic");
    sqlite3_bind_int64(st, 1, f->seq);
    sqlite3_bind_int64(st, 2, post_id);
    if ((rc = forum_step(f->db, st, "the topic", err)))
        return rc;
    return count_post(f, post_id, err);
}

raati_code post_versions(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t post_id, period_id;
    period_status status;
    raati_code rc;
    if ((rc = forum_id(msg, "post_id", 1, &post_id, err)))
        return rc;
    int64_t topic_id = post_topic(f->db, post_id);
    if (!topic_id ||
        topic_period(f->db, topic_id, f->member_id, f->role, &period_id, &status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "post_id", "no such post");
    json_t *versions = json_array();
    sqlite3_stmt *st = db_prepare(f->db, "SELECT body, at FROM post_version WHERE post_id = ? "
                                         "ORDER BY id");
    if (st) {
        sqlite3_bind_int64(st, 1, post_id);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(versions, json_pack("{s:o, s:o}", "body", forum_col_text(st, 0),
                                                      "at", forum_col_text(st, 1)));
        sqlite3_reset(st);
    }
    st = db_prepare(f->db, "SELECT body, coalesce(edited_at, created_at), deleted_at FROM post "
                           "WHERE id = ?");
    json_t *deleted_at = json_null();
    if (st) {
        sqlite3_bind_int64(st, 1, post_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            if (sqlite3_column_type(st, 2) == SQLITE_NULL)
                json_array_append_new(versions,
                                      json_pack("{s:o, s:o}", "body", forum_col_text(st, 0), "at",
                                                forum_col_text(st, 1)));
            else
                deleted_at = forum_col_text(st, 2);
        }
        sqlite3_reset(st);
    }
    json_object_set_new(reply, "post_id", json_integer(post_id));
    json_object_set_new(reply, "versions", versions);
    json_object_set_new(reply, "deleted_at", deleted_at);
    return RAATI_OK;
}

raati_code reaction_set(forum_ctx *f, json_t *msg, int add, json_t *reply, int *changed,
                        const char **kind, raati_error *err)
{
    int64_t post_id, period_id;
    period_status status;
    const char *k;
    raati_code rc;
    *changed = 0;
    if ((rc = forum_id(msg, "post_id", 1, &post_id, err)) ||
        (rc = jfield_string(msg, "reaction", 1, &k, NULL, err)))
        return rc;
    int ki = -1;
    for (int i = 0; i < REACTION_KINDS; i++)
        if (!strcmp(k, reaction_kinds[i]))
            ki = i;
    if (ki < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "reaction",
                          "reaction must be agree, good_idea or thanks");
    *kind = reaction_kinds[ki];
    sqlite3_stmt *st =
        db_prepare(f->db, "SELECT topic_id, author_id, deleted_at IS NOT NULL, status "
                          "FROM post WHERE id = ?");
    int64_t topic_id = 0, author_id = 0;
    int deleted = 0, pending = 0, hidden = 0;
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the post");
    sqlite3_bind_int64(st, 1, post_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        topic_id = sqlite3_column_int64(st, 0);
        author_id = sqlite3_column_int64(st, 1);
        deleted = sqlite3_column_int(st, 2);
        pending = !strcmp((const char *)sqlite3_column_text(st, 3), "pending");
        hidden = !strcmp((const char *)sqlite3_column_text(st, 3), "hidden");
    }
    sqlite3_reset(st);
    if (pending && author_id != f->member_id && f->role < ROLE_MODERATOR)
        topic_id = 0; /* not seen by this member */
    if (!topic_id ||
        topic_period(f->db, topic_id, f->member_id, f->role, &period_id, &status, NULL))
        return raati_fail(err, RAATI_E_NOT_FOUND, "post_id", "no such post");
    if ((rc = period_writable(status, err)))
        return rc;
    if (deleted || pending || hidden)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "post_id",
                          deleted   ? "the post has been deleted"
                          : pending ? "the post waits for a moderator"
                                    : "the post is hidden");
    if (author_id == f->member_id)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "post_id",
                          "you cannot react to your own post");
    /* -1: never given; 0: given and taken back; 1: given. */
    int was = -1;
    st = db_prepare(f->db, "SELECT active FROM reaction WHERE post_id = ? AND member_id = ? AND "
                           "kind = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the reaction");
    sqlite3_bind_int64(st, 1, post_id);
    sqlite3_bind_int64(st, 2, f->member_id);
    sqlite3_bind_text(st, 3, *kind, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        was = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (add ? was != 1 : was == 1) {
        st = was < 0 ? db_prepare(f->db, "INSERT INTO reaction (post_id, member_id, kind, at) "
                                         "VALUES (?1, ?2, ?3, ?4)")
                     : db_prepare(f->db, "UPDATE reaction SET active = ?4 WHERE post_id = ?1 AND "
                                         "member_id = ?2 AND kind = ?3");
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the reaction");
        sqlite3_bind_int64(st, 1, post_id);
        sqlite3_bind_int64(st, 2, f->member_id);
        sqlite3_bind_text(st, 3, *kind, -1, SQLITE_STATIC);
        if (was < 0)
            sqlite3_bind_text(st, 4, f->now, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int(st, 4, add);
        if ((rc = forum_step(f->db, st, "the reaction", err)))
            return rc;
        static const char *const bump[2][REACTION_KINDS] = {
            {"UPDATE post SET agree = agree - 1, seq = ?1 WHERE id = ?2",
             "UPDATE post SET good_idea = good_idea - 1, seq = ?1 WHERE id = ?2",
             "UPDATE post SET thanks = thanks - 1, seq = ?1 WHERE id = ?2"},
            {"UPDATE post SET agree = agree + 1, seq = ?1 WHERE id = ?2",
             "UPDATE post SET good_idea = good_idea + 1, seq = ?1 WHERE id = ?2",
             "UPDATE post SET thanks = thanks + 1, seq = ?1 WHERE id = ?2"}};
        st = db_prepare(f->db, bump[add][ki]);
        if (!st)
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the reaction");
        sqlite3_bind_int64(st, 1, f->seq);
        sqlite3_bind_int64(st, 2, post_id);
        /* Only a first giving counts: taking back and giving again does not. */
        if ((rc = forum_step(f->db, st, "the reaction", err)) ||
            (was < 0 && (rc = participation_add(f, period_id, 0, 1, err))))
            return rc;
        *changed = 1;
    }
    json_t *post = post_json(f->db, post_id, f->member_id, post_flags(f));
    if (!post)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the post");
    json_object_set_new(reply, "post_id", json_integer(post_id));
    json_object_set(reply, "reactions", json_object_get(post, "reactions"));
    json_object_set(reply, "mine", json_object_get(post, "mine"));
    json_decref(post);
    return RAATI_OK;
}

json_t *topic_changes(db *d, int64_t topic_id, int64_t since, int64_t member_id, int staff, int max,
                      int *too_many)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT " POST_COLS POST_FROM
                                     "WHERE p.topic_id = ? AND p.seq > ? AND " POST_SEEN
                                     "ORDER BY p.seq LIMIT ?3");
    *too_many = 0;
    if (!st)
        return NULL;
    /* Posts that moved out since are gone from this topic's rows: the
     * client loads the topic again. */
    sqlite3_stmt *moved = db_prepare(d, "SELECT moved_out_seq > ? FROM topic WHERE id = ?");
    if (moved) {
        sqlite3_bind_int64(moved, 1, since);
        sqlite3_bind_int64(moved, 2, topic_id);
        *too_many = sqlite3_step(moved) == SQLITE_ROW && sqlite3_column_int(moved, 0);
        sqlite3_reset(moved);
    }
    if (*too_many)
        return NULL;
    sqlite3_bind_int64(st, 1, topic_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int(st, 3, max + 1);
    int flags = POST_MINE | (staff ? POST_STAFF : 0);
    bind_viewer(st, member_id, flags);
    int more;
    json_t *posts = collect_posts(d, st, member_id, flags, max, &more, 0);
    if (more) {
        json_decref(posts);
        *too_many = 1;
        return NULL;
    }
    json_t *events = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(posts, i, p)
    {
        json_array_append_new(events, json_pack("{s:s, s:s, s:O, s:O}", "type", "event", "event",
                                                "post.changed", "seq", json_object_get(p, "seq"),
                                                "data", p));
    }
    json_decref(posts);
    return events;
}
