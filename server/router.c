/* router.c: see router.h. The handlers for this messages are here;
 * they call the domain modules (members, auth) and never see lws. */
#include "router.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "forum_routes.h"
#include "json_util.h"
#include "log.h"
#include "members.h"
#include "moderation.h"

static int h_ping(struct request *rq, json_t *reply, raati_error *err);
static int h_profile_get(struct request *rq, json_t *reply, raati_error *err);
static int h_profile_update(struct request *rq, json_t *reply, raati_error *err);
static int h_password_change(struct request *rq, json_t *reply, raati_error *err);

/* Which role may send which message, and whether a suspended member may
 * (READS) or not (WRITES: posting, reacting, voting, answering, renaming
 * themself): the one place this is decided (docs/protocol.md, "Who may
 * send what"). */
enum { READS = 0, WRITES = 1, GROUPED = 2 };
static const struct route {
    const char *type;
    int min_role;
    int flags; /* READS or WRITES, and GROUPED: may share a commit with others
                  (forum_routes.c) */
    handler_fn fn;
} routes[] = {
    {"ping", ROLE_ANON, READS, h_ping},
    {"profile.get", ROLE_MEMBER, READS, h_profile_get},
    {"profile.update", ROLE_MEMBER, WRITES, h_profile_update},
    {"password.change", ROLE_MEMBER, READS, h_password_change},
    {"period.list", ROLE_MEMBER, READS, h_period_list},
    {"period.get", ROLE_MEMBER, READS, h_period_get},
    {"period.create", ROLE_MODERATOR, READS, h_period_create},
    {"period.update", ROLE_MODERATOR, READS, h_period_update},
    {"period.announce", ROLE_MODERATOR, READS, h_period_status},
    {"period.open", ROLE_MODERATOR, READS, h_period_status},
    {"period.close", ROLE_MODERATOR, READS, h_period_status},
    {"period.participation", ROLE_MODERATOR, READS, h_period_participation},
    {"topic.create", ROLE_MEMBER, WRITES, h_topic_create},
    {"topic.get", ROLE_MEMBER, READS, h_topic_get},
    {"topic.read", ROLE_MEMBER, READS, h_topic_read},
    {"post.list", ROLE_MEMBER, READS, h_post_list},
    {"post.create", ROLE_MEMBER, WRITES | GROUPED, h_post_create},
    {"post.edit", ROLE_MEMBER, WRITES, h_post_edit},
    {"post.delete", ROLE_MEMBER, READS, h_post_delete},
    {"post.versions", ROLE_MODERATOR, READS, h_post_versions},
    {"reaction.add", ROLE_MEMBER, WRITES, h_reaction_add},
    {"reaction.remove", ROLE_MEMBER, WRITES, h_reaction_remove},
    {"poll.create", ROLE_MODERATOR, READS, h_poll_create},
    {"poll.get", ROLE_MEMBER, READS, h_poll_get},
    {"poll.list", ROLE_MEMBER, READS, h_poll_list},
    {"poll.vote", ROLE_MEMBER, WRITES, h_poll_vote},
    {"poll.update", ROLE_MODERATOR, READS, h_poll_update},
    {"poll.close", ROLE_MODERATOR, READS, h_poll_close},
    {"poll.ballots", ROLE_MODERATOR, READS, h_poll_ballots},
    {"survey.create", ROLE_MODERATOR, READS, h_survey_create},
    {"survey.update", ROLE_MODERATOR, READS, h_survey_update},
    {"survey.open", ROLE_MODERATOR, READS, h_survey_status},
    {"survey.close", ROLE_MODERATOR, READS, h_survey_status},
    {"survey.delete", ROLE_MODERATOR, READS, h_survey_status},
    {"survey.get", ROLE_MEMBER, READS, h_survey_get},
    {"survey.list", ROLE_MEMBER, READS, h_survey_list},
    {"survey.save", ROLE_MEMBER, WRITES, h_survey_save},
    {"survey.submit", ROLE_MEMBER, WRITES, h_survey_submit},
    {"survey.results", ROLE_MODERATOR, READS, h_survey_results},
    {"member.find", ROLE_MODERATOR, READS, h_member_find},
    {"member.suspend", ROLE_MODERATOR, READS, h_member_suspend},
    {"member.unsuspend", ROLE_MODERATOR, READS, h_member_unsuspend},
    {"member.role", ROLE_ADMIN, READS, h_member_role},
    {"audit.list", ROLE_MODERATOR, READS, h_audit_list},
    {"report.create", ROLE_MEMBER, READS, h_report_create},
    {"appeal.create", ROLE_MEMBER, READS, h_appeal_create},
    {"notice.list", ROLE_MEMBER, READS, h_notice_list},
    {"notice.read", ROLE_MEMBER, READS, h_notice_read},
    {"queue.list", ROLE_MODERATOR, READS, h_queue_list},
    {"queue.act", ROLE_MODERATOR, READS, h_queue_act},
    {"post.hide", ROLE_MODERATOR, READS, h_post_hide},
    {"post.restore", ROLE_MODERATOR, READS, h_post_restore},
    {"post.move", ROLE_MODERATOR, READS, h_post_move},
    {"topic.lock", ROLE_MODERATOR, READS, h_topic_moderate},
    {"topic.unlock", ROLE_MODERATOR, READS, h_topic_moderate},
    {"topic.pin", ROLE_MODERATOR, READS, h_topic_moderate},
    {"topic.unpin", ROLE_MODERATOR, READS, h_topic_moderate},
    {"word.list", ROLE_MODERATOR, READS, h_word_list},
    {"word.add", ROLE_MODERATOR, READS, h_word_add},
    {"word.update", ROLE_MODERATOR, READS, h_word_update},
    {"word.remove", ROLE_MODERATOR, READS, h_word_remove},
    {"results.get", ROLE_MODERATOR, READS, h_results_get},
    {"results.save", ROLE_MODERATOR, READS, h_results_change},
    {"results.publish", ROLE_MODERATOR, READS, h_results_change},
    {"results.unpublish", ROLE_MODERATOR, READS, h_results_change},
    {"results.versions", ROLE_MODERATOR, READS, h_results_versions},
    {"results.quotable", ROLE_MODERATOR, READS, h_results_quotable},
    {"follow_up.add", ROLE_MODERATOR, READS, h_results_change},
    {"follow_up.edit", ROLE_MODERATOR, READS, h_results_change},
    {"follow_up.delete", ROLE_MODERATOR, READS, h_results_change},
    {"quote.withdraw", ROLE_MEMBER, READS, h_results_change},
    {"subscribe", ROLE_MEMBER, READS, h_subscribe},
    {"unsubscribe", ROLE_MEMBER, READS, h_unsubscribe},
};
enum { ROUTE_COUNT = sizeof routes / sizeof routes[0] };

void router_reply(struct conn *c, json_t *id, raati_code code, json_t *data, const raati_error *err)
{
    json_t *reply = json_pack("{s:s, s:O, s:b}", "type", "reply", "re", id ? id : json_null(), "ok",
                              code == RAATI_OK);
    if (!reply)
        return;
    if (code == RAATI_OK) {
        if (data)
            json_object_update(reply, data);
    } else {
        raati_error fallback = {.code = code};
        json_object_set_new(reply, "error", jerror_object(err ? err : &fallback));
    }
    ws_send_json(c, reply);
    json_decref(reply);
}

void router_hello(app *a, struct conn *c)
{
    json_t *member = c->member_id ? member_json(a->db, c->member_id) : NULL;
    json_t *hello = json_pack("{s:s, s:s, s:o}", "type", "hello", "version", RAATI_VERSION,
                              "member", member ? member : json_null());
    if (hello)
        ws_send_json(c, hello);
    json_decref(hello);
}

void router_handle(app *a, struct conn *c, const unsigned char *buf, size_t len, int binary)
{
    raati_error err = {0};
    json_t *msg = NULL, *id = NULL;
    raati_code code;
    const struct route *route = NULL;

    if (binary) {
        code = raati_fail(&err, RAATI_E_INVALID_FIELD, "frame",
                          "messages must be JSON in text frames");
        goto fail;
    }
    json_error_t jerr;
    msg = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!msg) {
        code = raati_fail(&err, RAATI_E_BAD_JSON, NULL, "not valid JSON: %s (at byte %d)",
                          jerr.text, jerr.position);
        goto fail;
    }
    if (!json_is_object(msg)) {
        code = raati_fail(&err, RAATI_E_NOT_OBJECT, NULL, "a message must be a JSON object");
        goto fail;
    }
    json_t *raw_id = json_object_get(msg, "id");
    if (raw_id && !json_is_null(raw_id)) {
        if (!json_is_integer(raw_id) &&
            !(json_is_string(raw_id) && json_string_length(raw_id) <= 64)) {
            code = raati_fail(&err, RAATI_E_INVALID_FIELD, "id",
                              "id must be an integer or a string of at most 64 bytes");
            goto fail;
        }
        id = raw_id;
    }
    const char *type;
    if ((code = jfield_string(msg, "type", 1, &type, NULL, &err)))
        goto fail;
    for (int i = 0; i < ROUTE_COUNT; i++)
        if (!strcmp(routes[i].type, type))
            route = &routes[i];
    if (!route) {
        code = raati_fail(&err, RAATI_E_UNKNOWN_TYPE, "type", "unknown message type '%.40s'", type);
        goto fail;
    }
    /* Posts that wait for their group's commit are answered before
     * anything else is read or answered. */
    if (!(route->flags & GROUPED))
        forum_group_commit(a);
    /* The role and any suspension are read for every message, so a change
     * (by a moderator, an admin or the command line) applies at once to
     * connections already open. */
    int64_t suspended_until = 0;
    if (c->member_id) {
        int role = ROLE_ANON;
        if (member_standing(a->db, c->member_id, time_now_ms(), &role, &suspended_until))
            role = ROLE_ANON; /* the account is gone */
        if (c->role != role) {
            c->role = role;
            forum_sync_channels(a, c);
        }
    }
    if (c->role < route->min_role) {
        code = c->member_id
                   ? raati_fail(&err, RAATI_E_FORBIDDEN, NULL, "your role may not send %s", type)
                   : raati_fail(&err, RAATI_E_UNAUTHENTICATED, NULL, "sign in to send %s", type);
        goto fail;
    }

    if (suspended_until && (route->flags & WRITES)) {
        char until[TIME_ISO_SIZE];
        time_iso(suspended_until, until);
        code =
            raati_fail(&err, RAATI_E_SUSPENDED, NULL,
                       "your account is suspended until %s: you can read, but not %s", until, type);
        goto fail;
    }

    json_t *data = json_object();
    struct request rq = {a, c, msg, id};
    int rc = route->fn(&rq, data, &err);
    if (rc != ROUTER_PENDING)
        router_reply(c, id, (raati_code)rc, data, &err);
    json_decref(data);
    jwipe_secrets(msg);
    json_decref(msg);
    return;

fail:
    forum_group_commit(a); /* replies keep their order */
    log_debug("ws.error", "conn=%llu code=%s", (unsigned long long)c->id, raati_code_name(code));
    router_reply(c, id, code, NULL, &err);
    json_decref(msg);
}

/* ---- handlers ---- */

static int h_ping(struct request *rq, json_t *reply, raati_error *err)
{
    char now[32];
    log_now_iso(now, sizeof now);
    json_object_set_new(reply, "now", json_string(now));
    return RAATI_OK;
}

static int h_profile_get(struct request *rq, json_t *reply, raati_error *err)
{
    json_t *m = member_json(rq->a->db, rq->c->member_id);
    if (!m)
        return raati_fail(err, RAATI_E_NOT_FOUND, NULL, "your account no longer exists");
    json_object_set_new(reply, "member", m);
    return RAATI_OK;
}

static int h_profile_update(struct request *rq, json_t *reply, raati_error *err)
{
    raati_code rc = member_update(rq->a->db, &rq->a->cfg, rq->c->member_id, rq->msg, err);
    if (rc)
        return rc;
    return h_profile_get(rq, reply, err);
}

/* password.change: the current password is checked and the new one hashed
 * on a worker; the reply is sent from pw_done on the loop. */
struct pw_job {
    job base;
    app *a;
    uint64_t conn_id;
    int64_t member_id, session_id;
    json_t *id;
    char email[256];
    char hash[AUTH_HASH_MAX];
    char current[AUTH_PASSWORD_MAX + 1], fresh[AUTH_PASSWORD_MAX + 1];
    size_t current_len, fresh_len;
    int verified;
    raati_code hash_rc;
    char new_hash[AUTH_HASH_MAX];
};

static void pw_run(job *j)
{
    struct pw_job *p = (struct pw_job *)j;
    p->verified = auth_verify_password(p->hash, p->current, p->current_len);
    if (p->verified)
        p->hash_rc = auth_hash_password(p->fresh, p->fresh_len, p->new_hash);
    sodium_memzero(p->current, sizeof p->current);
    sodium_memzero(p->fresh, sizeof p->fresh);
}

static void pw_done(job *j, int cancelled, void *loop_ctx)
{
    struct pw_job *p = (struct pw_job *)j;
    app *a = p->a;
    struct conn *c = ws_find(a, p->conn_id);
    raati_error err = {0};
    raati_code rc = RAATI_OK;
    /* A requester who left before the answer changes nothing. */
    if (!c || c->session_id != p->session_id)
        goto out;
    if (cancelled) {
        rc = raati_fail(&err, RAATI_E_BUSY, NULL, "the server is shutting down");
    } else if (!p->verified) {
        rc = raati_fail(&err, RAATI_E_WRONG_PASSWORD, "current_password",
                        "the current password is wrong");
    } else if (p->hash_rc) {
        rc = raati_fail(&err, p->hash_rc, NULL, "the server is busy: try again shortly");
    } else if (db_begin(a->db) || member_set_password(a->db, p->member_id, p->new_hash) ||
               session_delete_others(a->db, p->member_id, p->session_id) || db_commit(a->db)) {
        db_rollback(a->db);
        rc = raati_fail(&err, RAATI_E_INTERNAL, NULL, "could not save the password");
    } else {
        ratelimit_clear(a->login_account, p->email);
        ws_end_sessions(a, 0, p->member_id, p->session_id);
        log_info("member.password_changed", "member=%lld", (long long)p->member_id);
    }
    router_reply(c, p->id, rc, NULL, &err);
out:
    json_decref(p->id);
    sodium_memzero(p, sizeof *p);
    free(p);
}

static int h_password_change(struct request *rq, json_t *reply, raati_error *err)
{
    const char *current, *fresh;
    size_t current_len, fresh_len;
    raati_code rc;
    if ((rc = jfield_string(rq->msg, "current_password", 1, &current, &current_len, err)) ||
        (rc = jfield_string(rq->msg, "new_password", 1, &fresh, &fresh_len, err)) ||
        (rc = member_check_password(fresh_len, "new_password", err)))
        return rc;
    if (current_len > AUTH_PASSWORD_MAX)
        return raati_fail(err, RAATI_E_WRONG_PASSWORD, "current_password",
                          "the current password is wrong");
    struct pw_job *p = calloc(1, sizeof *p);
    if (!p)
        return raati_fail(err, RAATI_E_BUSY, NULL, "the server is busy: try again shortly");
    if (member_password_info(rq->a->db, rq->c->member_id, p->hash, p->email)) {
        free(p);
        return raati_fail(err, RAATI_E_NOT_FOUND, NULL, "your account no longer exists");
    }
    int wait = ratelimit_check(rq->a->login_account, p->email, time(NULL));
    if (wait) {
        free(p);
        err->retry_after = wait;
        return raati_fail(err, RAATI_E_RATE_LIMITED, NULL,
                          "too many wrong passwords: try again in %d seconds", wait);
    }
    /* Counted now, so guesses in flight are limited too; success clears. */
    ratelimit_hit(rq->a->login_account, p->email, time(NULL));
    p->base.run = pw_run;
    p->base.done = pw_done;
    p->a = rq->a;
    p->conn_id = rq->c->id;
    p->member_id = rq->c->member_id;
    p->session_id = rq->c->session_id;
    p->id = rq->id ? json_incref(rq->id) : NULL;
    memcpy(p->current, current, current_len);
    p->current_len = current_len;
    memcpy(p->fresh, fresh, fresh_len);
    p->fresh_len = fresh_len;
    if (rq->a->stopping || !rq->a->jobs || jobs_submit(rq->a->jobs, &p->base)) {
        json_decref(p->id);
        sodium_memzero(p, sizeof *p);
        free(p);
        return raati_fail(err, RAATI_E_BUSY, NULL, "the server is busy: try again shortly");
    }
    return ROUTER_PENDING;
}
