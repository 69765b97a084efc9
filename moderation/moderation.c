/* moderation.c: see moderation.h. */
#include "moderation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "json_util.h"
#include "log.h"
#include "markdown.h"
#include "members.h"

/* ---- the audit log ---- */

raati_code audit_add(forum_ctx *f, const char *action, const char *target_kind, int64_t target_id,
                     const char *target_name, const char *reason, json_t *details, raati_error *err)
{
    char *text = details ? json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    sqlite3_stmt *st = db_prepare(
        f->db, "INSERT INTO audit_log (at, actor_id, actor_name, action, target_kind, target_id, "
               "target_name, reason, details) VALUES (?1, nullif(?2, 0), coalesce((SELECT "
               "display_name FROM member WHERE id = ?2), 'komentorivi'), ?3, ?4, nullif(?5, 0), "
               "?6, ?7, ?8)");
    if (!st) {
        free(text);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not write the audit log");
    }
    sqlite3_bind_text(st, 1, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, f->member_id);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, target_kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, target_id);
    sqlite3_bind_text(st, 6, target_name ? target_name : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, reason ? reason : "", -1, SQLITE_TRANSIENT);
    text ? sqlite3_bind_text(st, 8, text, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 8);
    free(text);
    return forum_step(f->db, st, "the audit log", err);
}

raati_code audit_list(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    int64_t actor = 0, target = 0, before = 0;
    const char *action = NULL, *kind = NULL;
    long long limit = 50;
    int has_limit;
    raati_code rc;
    if ((rc = forum_id(msg, "actor_id", 0, &actor, err)) ||
        (rc = forum_id(msg, "target_id", 0, &target, err)) ||
        (rc = forum_id(msg, "before", 0, &before, err)) ||
        (rc = jfield_string(msg, "action", 0, &action, NULL, err)) ||
        (rc = jfield_string(msg, "target_kind", 0, &kind, NULL, err)) ||
        (rc = jfield_int(msg, "limit", 0, &limit, &has_limit, err)))
        return rc;
    if (limit < 1 || limit > AUDIT_PAGE_MAX)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "limit", "limit must be 1 to %d",
                          AUDIT_PAGE_MAX);
    sqlite3_stmt *st = db_prepare(
        f->db, "SELECT id, at, actor_id, actor_name, action, target_kind, target_id, target_name, "
               "reason, details FROM audit_log WHERE (?1 = 0 OR actor_id = ?1) AND "
               "(?2 IS NULL OR action = ?2) AND (?3 IS NULL OR target_kind = ?3) AND "
               "(?4 = 0 OR target_id = ?4) AND (?5 = 0 OR id < ?5) ORDER BY id DESC LIMIT ?6");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the audit log");
    sqlite3_bind_int64(st, 1, actor);
    action ? sqlite3_bind_text(st, 2, action, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 2);
    kind ? sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, target);
    sqlite3_bind_int64(st, 5, before);
    sqlite3_bind_int64(st, 6, limit + 1);
    json_t *entries = json_array();
    int more = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if ((long long)json_array_size(entries) == limit) {
            more = 1;
            break;
        }
        json_t *details = sqlite3_column_type(st, 9) == SQLITE_NULL
                              ? json_null()
                              : json_loads((const char *)sqlite3_column_text(st, 9), 0, NULL);
        json_t *actor_j = json_pack("{s:o, s:o}", "id",
                                    sqlite3_column_type(st, 2) == SQLITE_NULL
                                        ? json_null()
                                        : json_integer(sqlite3_column_int64(st, 2)),
                                    "display_name", forum_col_text(st, 3));
        json_t *target_j = json_pack("{s:o, s:o, s:o}", "kind", forum_col_text(st, 5), "id",
                                     sqlite3_column_type(st, 6) == SQLITE_NULL
                                         ? json_null()
                                         : json_integer(sqlite3_column_int64(st, 6)),
                                     "name", forum_col_text(st, 7));
        json_array_append_new(entries, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                                                 (json_int_t)sqlite3_column_int64(st, 0), "at",
                                                 forum_col_text(st, 1), "actor", actor_j, "action",
                                                 forum_col_text(st, 4), "target", target_j,
                                                 "reason", forum_col_text(st, 8), "details",
                                                 details ? details : json_null()));
    }
    sqlite3_reset(st);
    json_t *last = json_array_get(entries, json_array_size(entries) - 1);
    json_object_set_new(reply, "entries", entries);
    json_object_set_new(reply, "next_before",
                        more && last ? json_incref(json_object_get(last, "id")) : json_null());
    return RAATI_OK;
}

/* ---- members ---- */

int member_standing(db *d, int64_t id, int64_t now_ms, int *role, int64_t *suspended_until)
{
    sqlite3_stmt *st = db_prepare(d, "SELECT role, suspended_until FROM member WHERE id = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    *suspended_until = 0;
    if (found) {
        int r = role_parse((const char *)sqlite3_column_text(st, 0));
        *role = r < 0 ? ROLE_ANON : r;
        int64_t until = 0;
        if (sqlite3_column_text(st, 1) &&
            !time_parse_iso((const char *)sqlite3_column_text(st, 1), &until) && until > now_ms)
            *suspended_until = until;
    }
    sqlite3_reset(st);
    return found ? 0 : -1;
}

json_t *member_staff_json(db *d, int64_t id, int64_t now_ms)
{
    sqlite3_stmt *st =
        db_prepare(d, "SELECT display_name, email, role, created_at, suspended_until, "
                      "suspension_reason FROM member WHERE id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *m = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t until = 0;
        int suspended = sqlite3_column_text(st, 4) &&
                        !time_parse_iso((const char *)sqlite3_column_text(st, 4), &until) &&
                        until > now_ms;
        m = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)id, "display_name",
                      forum_col_text(st, 0), "email", forum_col_text(st, 1), "role",
                      forum_col_text(st, 2), "created_at", forum_col_text(st, 3), "suspension",
                      suspended ? json_pack("{s:o, s:o}", "until", forum_col_text(st, 4), "reason",
                                            forum_col_text(st, 5))
                                : json_null());
    }
    sqlite3_reset(st);
    return m;
}

/* The target member's role and name; not_found if there is none. */
static raati_code target_of(forum_ctx *f, json_t *msg, int64_t *id, int *role, char name[128],
                            raati_error *err)
{
    raati_code rc = forum_id(msg, "member_id", 1, id, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT role, display_name FROM member WHERE id = ?");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the member");
    sqlite3_bind_int64(st, 1, *id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        *role = role_parse((const char *)sqlite3_column_text(st, 0));
        snprintf(name, 128, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    return found ? RAATI_OK : raati_fail(err, RAATI_E_NOT_FOUND, "member_id", "no such member");
}

raati_code member_suspend(forum_ctx *f, json_t *msg, int64_t *member_id, raati_error *err)
{
    return member_suspend_for(f, msg, 0, member_id, err);
}

raati_code member_suspend_for(forum_ctx *f, json_t *msg, int64_t item_id, int64_t *member_id,
                              raati_error *err)
{
    int role;
    char name[128], until_iso[TIME_ISO_SIZE], *reason = NULL;
    const char *until_s;
    int64_t until = 0;
    raati_code rc;
    if ((rc = target_of(f, msg, member_id, &role, name, err)) ||
        (rc = jfield_string(msg, "until", 1, &until_s, NULL, err)) ||
        (rc = text_field(msg, "reason", 1, 1, MODERATION_REASON_MAX, &reason, err)))
        goto out;
    if (time_parse_iso(until_s, &until) || until <= f->now_ms ||
        until > f->now_ms + (int64_t)3660 * 86400000) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "until",
                        "until must be a UTC time in the future, at most ten years away");
        goto out;
    }
    if (role != ROLE_MEMBER) {
        rc = raati_fail(err, RAATI_E_FORBIDDEN, "member_id",
                        "moderators and admins are not suspended: an admin can change their "
                        "role first");
        goto out;
    }
    time_iso(until, until_iso);
    sqlite3_stmt *st = db_prepare(f->db, "UPDATE member SET suspended_until = ?, "
                                         "suspension_reason = ? WHERE id = ?");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not suspend the member");
        goto out;
    }
    sqlite3_bind_text(st, 1, until_iso, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, *member_id);
    if ((rc = forum_step(f->db, st, "the suspension", err)))
        goto out;
    json_t *details = json_pack("{s:s}", "until", until_iso);
    if (details && item_id)
        json_object_set_new(details, "item_id", json_integer(item_id));
    rc = audit_add(f, "member.suspend", "member", *member_id, name, reason, details, err);
    json_decref(details);
    if (!rc)
        rc = notice_add(f, *member_id, "member.suspended", 0, reason, err);
out:
    free(reason);
    return rc;
}

raati_code member_unsuspend(forum_ctx *f, json_t *msg, int64_t *member_id, raati_error *err)
{
    int role;
    int64_t until = 0;
    char name[128], *reason = NULL;
    raati_code rc;
    if ((rc = target_of(f, msg, member_id, &role, name, err)) ||
        (rc = text_field(msg, "reason", 0, 0, MODERATION_REASON_MAX, &reason, err)))
        goto out;
    member_standing(f->db, *member_id, f->now_ms, &role, &until);
    if (!until) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "member_id", "the member is not suspended");
        goto out;
    }
    sqlite3_stmt *st = db_prepare(f->db, "UPDATE member SET suspended_until = NULL, "
                                         "suspension_reason = NULL WHERE id = ?");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not lift the suspension");
        goto out;
    }
    sqlite3_bind_int64(st, 1, *member_id);
    if (!(rc = forum_step(f->db, st, "the suspension", err)))
        rc = audit_add(f, "member.unsuspend", "member", *member_id, name, reason, NULL, err);
out:
    free(reason);
    return rc;
}

raati_code member_change_role(forum_ctx *f, json_t *msg, int64_t *member_id, raati_error *err)
{
    int role, to;
    const char *to_s;
    char name[128], *reason = NULL;
    raati_code rc;
    if ((rc = target_of(f, msg, member_id, &role, name, err)) ||
        (rc = jfield_string(msg, "role", 1, &to_s, NULL, err)) ||
        (rc = text_field(msg, "reason", 0, 0, MODERATION_REASON_MAX, &reason, err)))
        goto out;
    if ((to = role_parse(to_s)) < 0) {
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "role",
                        "role must be member, moderator or admin");
        goto out;
    }
    if (*member_id == f->member_id) {
        rc = raati_fail(err, RAATI_E_FORBIDDEN, "member_id",
                        "you cannot change your own role: another admin can");
        goto out;
    }
    if (to == role) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "role", "the member already has that role");
        goto out;
    }
    /* A suspended member made staff is no longer suspended. */
    sqlite3_stmt *st = db_prepare(
        f->db, "UPDATE member SET role = ?1, updated_at = ?2, suspended_until = CASE WHEN ?1 = "
               "'member' THEN suspended_until END, suspension_reason = CASE WHEN ?1 = 'member' "
               "THEN suspension_reason END WHERE id = ?3");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not change the role");
        goto out;
    }
    sqlite3_bind_text(st, 1, role_name(to), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, *member_id);
    if ((rc = forum_step(f->db, st, "the role", err)))
        goto out;
    json_t *details = json_pack("{s:s, s:s}", "from", role_name(role), "to", role_name(to));
    rc = audit_add(f, "member.role", "member", *member_id, name, reason, details, err);
    json_decref(details);
out:
    free(reason);
    return rc;
}

raati_code member_find(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err)
{
    char *query = NULL;
    raati_code rc = text_field(msg, "query", 1, 1, 100, &query, err);
    if (rc)
        return rc;
    /* LIKE with its wildcards escaped: the query is matched as typed. */
    size_t n = strlen(query);
    char *pattern = malloc(2 * n + 3);
    if (!pattern) {
        free(query);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    }
    char *p = pattern;
    *p++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (query[i] == '%' || query[i] == '_' || query[i] == '\\')
            *p++ = '\\';
        *p++ = query[i];
    }
    *p++ = '%';
    *p = '\0';
    free(query);
    sqlite3_stmt *st = db_prepare(
        f->db, "SELECT id FROM member WHERE display_name LIKE ?1 ESCAPE '\\' OR email LIKE ?1 "
               "ESCAPE '\\' ORDER BY display_name, id LIMIT 51");
    if (!st) {
        free(pattern);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not search the members");
    }
    sqlite3_bind_text(st, 1, pattern, -1, SQLITE_TRANSIENT);
    free(pattern);
    int64_t ids[51];
    int count = 0;
    while (count < 51 && sqlite3_step(st) == SQLITE_ROW)
        ids[count++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    json_t *members = json_array();
    for (int i = 0; i < count && i < 50; i++) {
        json_t *m = member_staff_json(f->db, ids[i], f->now_ms);
        if (m)
            json_array_append_new(members, m);
    }
    json_object_set_new(reply, "members", members);
    json_object_set_new(reply, "more", json_boolean(count > 50));
    return RAATI_OK;
}

void member_name_of(db *d, int64_t id, char name[256])
{
    forum_name_of(d, "SELECT display_name FROM member WHERE id = ?", id, name);
}
