/* forum_routes.c: see forum_routes.h. */
#include "forum_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "discussions.h"
#include "hub.h"
#include "json_util.h"
#include "log.h"
#include "members.h"
#include "moderation.h"
#include "periods.h"
#include "polls.h"
#include "reports.h"
#include "results.h"
#include "surveys.h"
#include "walsync.h"
#include "words.h"
#include "ws.h"

enum channel_kind { CH_PERIODS, CH_PERIOD, CH_TOPIC, CH_POLL, CH_SURVEY, CH_ME, CH_MODERATION };
static raati_code parse_channel(json_t *msg, const char **name, enum channel_kind *kind,
                                int64_t *id, raati_error *err);

/* Hidden channels: every moderator's connection holds STAFF_CHANNEL, and
 * every signed-in connection its member's channel, member:<id>:me. They
 * carry hidden and pending posts as moderators and authors see them, and
 * notices (docs/protocol.md, "Live: channels and events"). */
#define STAFF_CHANNEL "staff:posts:all"

/* Catch-up replies carry at most this many changes; past it, resync. */
#define CATCH_UP_MAX 500
/* The period timer looks again at least this often, so a changed clock
 * is noticed. */
#define PERIOD_TIMER_MAX_MS 60000
#define VIEWERS_DELAY_MS 1000
#define DUE_BATCH 64
/* Votes reach viewers as at most one update per poll this often. */
#define POLL_RESULTS_MS 250

static void ctx_for(struct request *rq, forum_ctx *f)
{
    app *a = rq->a;
    forum_ctx_init(f, a->db, &a->cfg, rq->c->member_id, rq->c->role, a->seq + 1);
}

/* Events of one change, built inside its transaction (so a failure to
 * build them undoes the change) and published only after the commit. */
struct out_event {
    char channel[HUB_CHANNEL_MAX];
    char shown[HUB_CHANNEL_MAX]; /* "": the channel's own name */
    const char *event;
    json_t *data;
    int64_t seq; /* 0: the change's own number; -1: none */
};
struct outbox {
    int n;
    /* a timer run: two events per period and per survey, one per poll */
    struct out_event ev[5 * DUE_BATCH + 2];
};

/* Adds an event; data is stolen. Returns -1 when data is NULL. */
static int out_add(struct outbox *o, const char *kind, int64_t id, const char *event, json_t *data)
{
    enum { CAP = sizeof o->ev / sizeof o->ev[0] };
    if (!data || o->n == CAP) {
        json_decref(data);
        return -1;
    }
    if (id)
        snprintf(o->ev[o->n].channel, HUB_CHANNEL_MAX, "%s:%lld", kind, (long long)id);
    else
        snprintf(o->ev[o->n].channel, HUB_CHANNEL_MAX, "%s", kind);
    o->ev[o->n].shown[0] = '\0';
    o->ev[o->n].event = event;
    o->ev[o->n].data = data;
    o->ev[o->n].seq = 0;
    o->n++;
    return 0;
}

/* The same to a hidden channel, shown as another, without seq. */
static int out_add_as(struct outbox *o, const char *channel, const char *shown, const char *event,
                      json_t *data)
{
    if (out_add(o, channel, 0, event, data))
        return -1;
    snprintf(o->ev[o->n - 1].shown, HUB_CHANNEL_MAX, "%s", shown);
    o->ev[o->n - 1].seq = -1;
    return 0;
}

static void member_channel(int64_t member_id, char name[HUB_CHANNEL_MAX])
{
    snprintf(name, HUB_CHANNEL_MAX, "member:%lld:me", (long long)member_id);
}

static void out_clear(struct outbox *o)
{
    for (int i = 0; i < o->n; i++)
        json_decref(o->ev[i].data);
    o->n = 0;
}

/* period.changed to the period's channel, and to everyone's list unless
 * it is a draft. */
static int out_period(app *a, struct outbox *o, int64_t period_id)
{
    json_t *p = period_json(a->db, period_id);
    if (!p)
        return -1;
    int draft = !strcmp(json_string_value(json_object_get(p, "status")), "draft");
    int64_t seq = json_integer_value(json_object_get(p, "seq"));
    if (!draft && out_add(o, "periods", 0, "period.changed", json_incref(p)))
        return json_decref(p), -1;
    if (!draft)
        o->ev[o->n - 1].seq = seq;
    if (out_add(o, "period", period_id, "period.changed", p))
        return -1;
    o->ev[o->n - 1].seq = seq;
    return 0;
}

static void member_channel(int64_t member_id, char name[HUB_CHANNEL_MAX]);
static int out_add_as(struct outbox *o, const char *channel, const char *shown, const char *event,
                      json_t *data);

/* A topic's event to its period's viewers; a pending topic's only to
 * moderators and its author. */
static int out_topic(app *a, struct outbox *o, int64_t topic_id, const char *event)
{
    /* A published topic's event goes only to its period's channel: with
     * nobody there, it is not even built. (Nobody can join before it would
     * have been sent: a commit group is committed and sent before any
     * other message is handled.) */
    sqlite3_stmt *st = db_prepare(a->db, "SELECT period_id, status FROM topic WHERE id = ?");
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, topic_id);
    int unheard = 0;
    if (sqlite3_step(st) == SQLITE_ROW &&
        strcmp((const char *)sqlite3_column_text(st, 1), "pending")) {
        char channel[HUB_CHANNEL_MAX];
        snprintf(channel, sizeof channel, "period:%lld", (long long)sqlite3_column_int64(st, 0));
        unheard = !hub_has_subscribers(a->hub, channel);
    }
    sqlite3_reset(st);
    if (unheard)
        return 0;
    json_t *t = topic_json(a->db, topic_id, 0);
    if (!t)
        return -1;
    int64_t period_id = json_integer_value(json_object_get(t, "period_id"));
    if (strcmp(json_string_value(json_object_get(t, "status")), "pending"))
        return out_add(o, "period", period_id, event, t);
    char shown[HUB_CHANNEL_MAX], mine[HUB_CHANNEL_MAX];
    snprintf(shown, sizeof shown, "period:%lld", (long long)period_id);
    member_channel(json_integer_value(json_object_get(json_object_get(t, "author"), "id")), mine);
    if (out_add_as(o, STAFF_CHANNEL, shown, event, json_incref(t)))
        return json_decref(t), -1;
    return out_add_as(o, mine, shown, event, t);
}

/* A post's event to its topic's viewers: the post as everyone sees it
 * (none for a pending post, nor with insiders_only), and for a hidden or
 * pending one, right after, the post as moderators and its author see it,
 * to them only. */
static int out_post_to(app *a, struct outbox *o, int64_t post_id, const char *event,
                       int insiders_only)
{
    json_t *p = post_json(a->db, post_id, 0, 0);
    if (!p)
        return -1;
    int64_t topic_id = json_integer_value(json_object_get(p, "topic_id"));
    const char *status = json_string_value(json_object_get(p, "status"));
    int pending = !strcmp(status, "pending"), hidden = !strcmp(status, "hidden");
    if (pending || insiders_only)
        json_decref(p);
    else if (out_add(o, "topic", topic_id, event, p))
        return -1;
    if (!pending && !hidden)
        return 0;
    json_t *full = post_json(a->db, post_id, 0, POST_STAFF), *authors = NULL;
    char shown[HUB_CHANNEL_MAX], mine[HUB_CHANNEL_MAX];
    snprintf(shown, sizeof shown, "topic:%lld", (long long)topic_id);
    sqlite3_stmt *st = db_prepare(a->db, "SELECT author_id FROM post WHERE id = ?");
    int64_t author = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, post_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            author = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
    }
    member_channel(author, mine);
    /* The author sees it as they would in the thread (a hidden post it
     * answers stays nameless to them). */
    authors = post_json(a->db, post_id, author, 0);
    if (!full || !authors) {
        json_decref(full);
        json_decref(authors);
        return -1;
    }
    if (out_add_as(o, STAFF_CHANNEL, shown, event, full))
        return json_decref(authors), -1;
    return out_add_as(o, mine, shown, event, authors);
}

static int out_post(app *a, struct outbox *o, int64_t post_id, const char *event)
{
    return out_post_to(a, o, post_id, event, 0);
}

/* Adds the events of what a change did in the queue: every item stamped
 * with its sequence number. */
static int out_moderation(app *a, struct outbox *o, int64_t seq)
{
    int failed = 0;
    sqlite3_stmt *st = db_prepare(a->db, "SELECT id FROM queue_item WHERE seq = ? ORDER BY id");
    int64_t ids[32];
    int n = 0;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, seq);
    while (n < 32 && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (int i = 0; i < n; i++)
        failed |= out_add(o, "moderation", 0, "queue.changed", queue_item_json(a->db, ids[i]));
    return failed ? -1 : 0;
}

/* survey.changed to the survey's channel, with its own seq, and with
 * to_period (a survey opened, closed or edited) to its period's unless it
 * is a draft. */
static int out_survey(app *a, struct outbox *o, int64_t survey_id, int to_period)
{
    json_t *sv = survey_json(a->db, survey_id, NULL);
    if (!sv)
        return -1;
    int64_t seq = json_integer_value(json_object_get(sv, "seq"));
    int64_t period_id = json_integer_value(json_object_get(sv, "period_id"));
    int draft = !strcmp(json_string_value(json_object_get(sv, "status")), "draft");
    if (to_period && !draft) {
        if (out_add(o, "period", period_id, "survey.changed", json_incref(sv)))
            return json_decref(sv), -1;
        o->ev[o->n - 1].seq = seq;
    }
    if (out_add(o, "survey", survey_id, "survey.changed", sv))
        return -1;
    o->ev[o->n - 1].seq = seq;
    return 0;
}

/* Sends the notices a change made (stamped with its sequence number) to
 * their members' own channels, shown as "me". Run after the commit: a
 * change may tell every participant of a period, more than an outbox
 * holds; a notice that cannot be read back is still in the member's list. */
static void publish_notices(app *a, int64_t seq)
{
    sqlite3_stmt *st =
        db_prepare(a->db, "SELECT id, member_id FROM notice WHERE seq = ? ORDER BY id");
    if (!st)
        return;
    sqlite3_bind_int64(st, 1, seq);
    int64_t last = 0;
    for (;;) {
        int64_t ids[64], members[64];
        int n = 0;
        while (n < 64 && sqlite3_step(st) == SQLITE_ROW) {
            ids[n] = sqlite3_column_int64(st, 0);
            members[n++] = sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
        for (int i = 0; i < n; i++) {
            char ch[HUB_CHANNEL_MAX];
            json_t *data = notice_json(a->db, ids[i]);
            member_channel(members[i], ch);
            if (data)
                hub_publish_as(a->hub, ch, "me", "notice.created", seq, data);
            json_decref(data);
            last = ids[i];
        }
        if (n < 64)
            return;
        st = db_prepare(a->db, "SELECT id, member_id FROM notice WHERE seq = ? AND id > ? "
                               "ORDER BY id");
        if (!st)
            return;
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_int64(st, 2, last);
    }
}

/* Publishes a committed change's events (numbered seq unless they carry
 * their own) and then its notices. */
static void publish_events(app *a, const struct out_event *ev, int n, int64_t seq)
{
    for (int i = 0; i < n; i++) {
        /* A post hidden, deleted, edited or moved may be quoted on a
         * results page. */
        if (!strncmp(ev[i].event, "post.", 5) && strcmp(ev[i].event, "post.created"))
            results_touch();
        int64_t s = ev[i].seq < 0 ? 0 : ev[i].seq ? ev[i].seq : seq;
        if (ev[i].shown[0])
            hub_publish_as(a->hub, ev[i].channel, ev[i].shown, ev[i].event, s, ev[i].data);
        else
            hub_publish(a->hub, ev[i].channel, ev[i].event, s, ev[i].data);
    }
    publish_notices(a, seq);
}

/* Opens the transaction of a change. */
static raati_code begin(app *a, struct outbox *o, raati_error *err)
{
    o->n = 0;
    if (db_begin(a->db))
        return raati_fail(err, RAATI_E_BUSY, NULL, "the database is busy: try again shortly");
    return RAATI_OK;
}

/* Ends the transaction of a change. When rc is RAATI_OK the sequence
 * number is recorded, the change committed and its events published;
 * otherwise nothing of it stays and nothing is sent. */
static raati_code finish(app *a, forum_ctx *f, struct outbox *o, raati_code rc, raati_error *err)
{
    if (!rc && out_moderation(a, o, f->seq))
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read back the change");
    if (!rc && (rc = forum_save_seq(a->db, f->seq, err)) == RAATI_OK && db_commit(a->db))
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the change");
    if (rc) {
        db_rollback(a->db);
        out_clear(o);
        return rc;
    }
    a->seq = f->seq;
    publish_events(a, o->ev, o->n, f->seq);
    out_clear(o);
    return RAATI_OK;
}

/* ---- group commit ----
 *
 * post.create is the message that comes in floods (a busy discussion, a
 * workshop's minute of writing), and with synchronous=FULL each commit
 * waits for the disk. So posts that arrive in one turn of the loop share
 * one transaction, each inside its own savepoint (a refused post undoes
 * only itself). At the start of the next turn the group commits without
 * waiting for the disk, and walsync.c flushes the log on its own thread
 * while the loop serves the next posts; once the flush is done, the
 * group's events and replies go out, in the order the posts came. So what
 * is acknowledged is on disk, as with FULL. Anything else that would read
 * or write first commits the group and waits for the disk
 * (forum_group_commit()), so nothing that might still be lost is ever read
 * or shown, and a connection's replies keep their order. */

/* Changes in one commit at most. */
#define GROUP_MAX 256

struct grouped {    /* one change waiting for the group's commit */
    struct conn *c; /* NULL once the connection closed */
    json_t *id;     /* the request's id */
    json_t *reply;  /* the reply's fields */
    raati_code code;
    raati_error err;
    int64_t seq;             /* the change's sequence number; 0 when refused */
    int first_event, events; /* its events in batch.ev */
};

/* The changes of one group, open or committed and waiting for the disk. */
struct batch {
    struct batch *next;
    uint64_t flush; /* the walsync request that puts it on disk */
    int n;
    struct grouped ch[GROUP_MAX];
    struct out_event *ev;
    int ev_n, ev_cap;
};

struct commit_group {
    app *a;
    int open;           /* the transaction is open; its changes are in cur */
    int64_t seq_before; /* app.seq before the group, for a failed commit */
    struct batch *cur;
    struct batch *held, *held_tail; /* committed, oldest first */
    struct batch *spare;            /* one freed batch, kept for the next */
    lws_sorted_usec_list_t timer;   /* commits at the start of the next turn */
};

/* Sends a batch's events and replies (failed: its changes could not be
 * saved, so each gets an error) and empties it. */
static void batch_send(app *a, struct batch *b, int failed)
{
    raati_error err = {0};
    raati_fail(&err, RAATI_E_INTERNAL, NULL, "could not save the change");
    /* Replies first: connections are written in the order they were given
     * something, so an author hears "saved" before the fan-out of a busy
     * topic, not after it. */
    for (int i = 0; i < b->n; i++) {
        struct grouped *ch = &b->ch[i];
        if (ch->c) {
            int ok = !failed || ch->code;
            router_reply(ch->c, ch->id, ok ? ch->code : RAATI_E_INTERNAL, ch->reply,
                         ok ? &ch->err : &err);
        }
        json_decref(ch->id);
        json_decref(ch->reply);
    }
    for (int i = 0; i < b->n; i++)
        if (!failed && b->ch[i].seq)
            publish_events(a, b->ev + b->ch[i].first_event, b->ch[i].events, b->ch[i].seq);
    for (int i = 0; i < b->ev_n; i++)
        json_decref(b->ev[i].data);
    b->n = b->ev_n = 0;
}

static void batch_free(struct commit_group *g, struct batch *b)
{
    if (!g->spare) {
        g->spare = b;
        return;
    }
    free(b->ev);
    free(b);
}

/* Sends every held batch that is on disk (all of them with all set, once
 * the caller has made sure they are). */
static void send_held(app *a, int all)
{
    struct commit_group *g = a->group;
    int failed = 0;
    uint64_t done = a->walsync ? walsync_done(a->walsync, &failed) : 0;
    while (g->held && (all || g->held->flush <= done)) {
        struct batch *b = g->held;
        g->held = b->next;
        if (!g->held)
            g->held_tail = NULL;
        batch_send(a, b, failed);
        batch_free(g, b);
    }
}

/* Commits the open group. With walsync the commit does not wait for the
 * disk (the group began under synchronous=NORMAL): the group is held until
 * walsync has flushed the log. Without, it waited (FULL) and stays in cur.
 * 0 when committed. */
static int group_commit_now(app *a)
{
    struct commit_group *g = a->group;
    raati_error err = {0};
    g->open = 0;
    lws_sul_cancel(&g->timer);
    int saved = !forum_save_seq(a->db, a->seq, &err) && !db_commit(a->db);
    if (!saved) {
        db_rollback(a->db);
        log_error("forum.group_commit_failed", "changes=%d error=\"%s\"", g->cur->n,
                  sqlite3_errmsg(db_handle(a->db)));
        a->seq = g->seq_before;
    }
    if (a->walsync)
        db_synchronous(a->db, 2); /* every other transaction waits for the disk */
    if (!saved)
        return -1;
    if (!a->walsync)
        return 0;
    g->cur->flush = walsync_request(a->walsync);
    g->cur->next = NULL;
    if (g->held_tail)
        g->held_tail->next = g->cur;
    else
        g->held = g->cur;
    g->held_tail = g->cur;
    g->cur = NULL;
    return 0;
}

/* Sends everything, waiting for the disk: the held groups, then the group
 * in cur (committed in place, or refused when failed). */
static void send_all(app *a, int failed)
{
    struct commit_group *g = a->group;
    if (g->held) {
        walsync_wait(a->walsync, g->held_tail->flush);
        send_held(a, 1);
    }
    if (g->cur)
        batch_send(a, g->cur, failed);
    ws_flush(a); /* out now, each subscriber's events in one write */
}

static void group_timer_fired(lws_sorted_usec_list_t *sul)
{
    struct commit_group *g = lws_container_of(sul, struct commit_group, timer);
    app *a = g->a;
    if (!g->open)
        return;
    if (group_commit_now(a))
        send_all(a, 1); /* not saved: what is held goes first, then the refusals */
    else if (g->cur && g->cur->n)
        send_all(a, 0); /* committed with FULL (no walsync) */
}

/* db_begin() calls this first: another transaction ends the group. */
static void group_hook(void *ctx)
{
    forum_group_commit(ctx);
}

void forum_group_synced(app *a)
{
    if (a->group && a->group->held) {
        send_held(a, 0);
        ws_flush(a);
    }
}

void forum_group_commit(app *a)
{
    struct commit_group *g = a->group;
    if (!g || (!g->open && !g->held))
        return;
    send_all(a, g->open && group_commit_now(a));
}

void forum_group_forget(app *a, struct conn *c)
{
    struct commit_group *g = a->group;
    if (!g)
        return;
    for (struct batch *b = g->cur; b; b = NULL)
        for (int i = 0; i < b->n; i++)
            if (b->ch[i].c == c)
                b->ch[i].c = NULL;
    for (struct batch *b = g->held; b; b = b->next)
        for (int i = 0; i < b->n; i++)
            if (b->ch[i].c == c)
                b->ch[i].c = NULL;
}

/* Opens the group's transaction if it is not open, then a savepoint for
 * one change. */
static raati_code group_begin(app *a, struct outbox *o, raati_error *err)
{
    struct commit_group *g = a->group;
    o->n = 0;
    /* SQLite rolls a transaction back by itself after some errors (a full
     * disk): end that group, answering its changes, and start anew. */
    if (g->open && sqlite3_get_autocommit(db_handle(a->db)))
        forum_group_commit(a);
    if (!g->open) {
        if (!g->cur) {
            g->cur = g->spare ? g->spare : calloc(1, sizeof *g->cur);
            g->spare = NULL;
            if (!g->cur)
                return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        }
        /* Not db_begin(): groups waiting for the disk may stay waiting.
         * The setting can only change outside a transaction. */
        if (a->walsync && db_synchronous(a->db, 1))
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the change");
        if (db_begin_group(a->db)) {
            if (a->walsync)
                db_synchronous(a->db, 2);
            return raati_fail(err, RAATI_E_BUSY, NULL, "the database is busy: try again shortly");
        }
        g->open = 1;
        g->seq_before = a->seq;
        lws_sul_schedule(a->ctx, 0, &g->timer, group_timer_fired, 1);
    }
    if (db_savepoint(a->db))
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the change");
    return RAATI_OK;
}

/* Ends one change of the group: kept (its events and reply wait for the
 * commit) or, when rc is an error or discard is set, undone. The reply,
 * also a refusal, waits too, so a connection's replies keep their order.
 * Returns ROUTER_PENDING. */
static int group_finish(struct request *rq, forum_ctx *f, struct outbox *o, raati_code rc,
                        int discard, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    struct batch *g = a->group->cur;
    if (!rc && !discard && out_moderation(a, o, f->seq))
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read back the change");
    if (!rc && !discard && o->n > g->ev_cap - g->ev_n) {
        int cap = g->ev_cap ? g->ev_cap * 2 : 64;
        while (cap - g->ev_n < o->n)
            cap *= 2;
        struct out_event *ev = realloc(g->ev, (size_t)cap * sizeof *ev);
        if (!ev)
            rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        else
            g->ev = ev, g->ev_cap = cap;
    }
    if (rc || discard) {
        db_rollback_savepoint(a->db);
        out_clear(o);
    } else if (db_release(a->db)) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the change");
        db_rollback_savepoint(a->db);
        out_clear(o);
    }
    struct grouped *ch = &g->ch[g->n++];
    ch->c = rq->c;
    ch->id = json_incref(rq->id);
    ch->reply = json_incref(reply);
    ch->code = rc;
    ch->err = *err;
    ch->seq = 0;
    ch->first_event = g->ev_n;
    ch->events = 0;
    if (!rc && !discard) {
        a->seq = f->seq;
        ch->seq = f->seq;
        memcpy(g->ev + g->ev_n, o->ev, (size_t)o->n * sizeof *o->ev);
        ch->events = o->n;
        g->ev_n += o->n;
        o->n = 0; /* the group owns the events' data now */
    }
    if (g->n == GROUP_MAX) /* full: commit it now */
        group_timer_fired(&a->group->timer);
    return ROUTER_PENDING;
}

/* RAATI_OK, or internal when building a reply or an event failed. */
static raati_code built(int failed, raati_error *err)
{
    return failed ? raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read back the change")
                  : RAATI_OK;
}

/* ---- the audit log of moderators' changes ---- */

/* The name of a period, poll or survey as the audit log keeps it. */
static void audit_name(app *a, const char *kind, int64_t id, char name[256])
{
    forum_name_of(a->db,
                  !strcmp(kind, "period") ? "SELECT title FROM period WHERE id = ?"
                  : !strcmp(kind, "poll") ? "SELECT question FROM poll WHERE id = ?"
                                          : "SELECT title FROM survey WHERE id = ?",
                  id, name);
}

/* Writes, in the change's transaction, the audit entry of a moderator's
 * change to a period, poll or survey: the message type, the target and
 * the fields the message set. name: as it was before (a deletion), or
 * NULL to read it now. */
static raati_code staff_audit(struct request *rq, forum_ctx *f, const char *kind, int64_t id,
                              const char *name, raati_error *err)
{
    char now_name[256], id_key[32];
    if (!name) {
        audit_name(rq->a, kind, id, now_name);
        name = now_name;
    }
    snprintf(id_key, sizeof id_key, "%s_id", kind);
    json_t *fields = json_array(), *v;
    const char *key;
    json_object_foreach(rq->msg, key, v)
    {
        if (strcmp(key, "type") && strcmp(key, "id") && strcmp(key, id_key) &&
            json_array_size(fields) < 32)
            json_array_append_new(fields, json_string(key));
    }
    json_t *details = json_array_size(fields) ? json_pack("{s:O}", "fields", fields) : NULL;
    json_decref(fields);
    raati_code rc = audit_add(f, json_string_value(json_object_get(rq->msg, "type")), kind, id,
                              name, "", details, err);
    json_decref(details);
    return rc;
}

/* ---- the period timer ---- */

static void schedule_periods(app *a, int64_t min_ms);
static void poll_rules_changed(app *a, int64_t poll_id);
static void erase_wal(app *a);

static void period_timer_fired(lws_sorted_usec_list_t *sul)
{
    app *a = lws_container_of(sul, app, period_timer);
    if (a->stopping)
        return;
    forum_ctx f;
    int64_t ids[DUE_BATCH];
    /* The outbox is large (one batch of periods, two events each). */
    static struct outbox o;
    raati_error err;
    forum_ctx_init(&f, a->db, &a->cfg, 0, ROLE_ADMIN, a->seq + 1);
    if (begin(a, &o, &err)) {
        /* Busy (another process holds the write lock): try again soon. */
        lws_sul_schedule(a->ctx, 0, &a->period_timer, period_timer_fired, LWS_US_PER_SEC);
        return;
    }
    int n = period_apply_due(&f, ids, DUE_BATCH), failed = 0;
    for (int i = 0; i < n; i++)
        failed |= out_period(a, &o, ids[i]);
    /* Polls close with their period, or at their own closing time. */
    int64_t polls[DUE_BATCH];
    if (n)
        f.seq++;
    int m = poll_apply_due(&f, polls, DUE_BATCH), secret = 0;
    if (n && !m)
        f.seq--;
    for (int i = 0; i < m; i++) {
        json_t *pj = poll_json(a->db, polls[i], NULL);
        int64_t pseq = pj ? json_integer_value(json_object_get(pj, "seq")) : 0;
        failed |= out_add(&o, "poll", polls[i], "poll.changed", pj);
        if (!failed)
            o.ev[o.n - 1].seq = pseq;
        secret |= poll_is_secret(a->db, polls[i]);
    }
    /* Surveys too; each tells its survey's and its period's viewers. */
    int64_t surveys[DUE_BATCH];
    if (n || m)
        f.seq++;
    int k = survey_apply_due(&f, surveys, DUE_BATCH);
    if ((n || m) && !k)
        f.seq--;
    for (int i = 0; i < k; i++) {
        failed |= out_survey(a, &o, surveys[i], 1);
        secret |= survey_is_secret(a->db, surveys[i]);
    }
    m += k;
    if (!n && !m) {
        db_rollback(a->db); /* nothing was due: no sequence number used */
    } else if (finish(a, &f, &o, built(failed, &err), &err)) {
        lws_sul_schedule(a->ctx, 0, &a->period_timer, period_timer_fired, LWS_US_PER_SEC);
        return;
    }
    for (int i = 0; i < m - k; i++)
        poll_rules_changed(a, polls[i]);
    if (secret)
        erase_wal(a);
    n += m;
    /* A period still due after a run that changed nothing (it could not
     * be saved) is tried again in a second, not at once. */
    schedule_periods(a, n ? 0 : 1000);
}

/* Schedules the period timer for the next opening or closing, at least
 * min_ms from now. */
static void schedule_periods(app *a, int64_t min_ms)
{
    if (!a->ctx || a->stopping)
        return;
    int64_t due = period_next_due_ms(a->db),
            others[2] = {poll_next_due_ms(a->db), survey_next_due_ms(a->db)};
    for (int i = 0; i < 2; i++)
        if (others[i] >= 0 && (due < 0 || others[i] < due))
            due = others[i];
    if (due < 0) {
        lws_sul_cancel(&a->period_timer);
        return;
    }
    int64_t wait = due - time_now_ms();
    if (wait < min_ms)
        wait = min_ms;
    if (wait > PERIOD_TIMER_MAX_MS)
        wait = PERIOD_TIMER_MAX_MS;
    /* A few milliseconds late rather than early: the clock decides. */
    lws_sul_schedule(a->ctx, 0, &a->period_timer, period_timer_fired,
                     (lws_usec_t)(wait + 5) * LWS_US_PER_MS);
}

/* ---- viewers ---- */

static void send_viewers(void *ctx, const char *channel, int viewers)
{
    app *a = ctx;
    if (strncmp(channel, "topic:", 6))
        return;
    json_t *data =
        json_pack("{s:I, s:i}", "topic_id", (json_int_t)atoll(channel + 6), "viewers", viewers);
    if (data)
        hub_publish(a->hub, channel, "topic.viewers", 0, data);
    json_decref(data);
}

static void viewers_timer_fired(lws_sorted_usec_list_t *sul)
{
    app *a = lws_container_of(sul, app, viewers_timer);
    a->viewers_pending = 0;
    if (!a->stopping)
        hub_flush_viewers(a->hub, send_viewers, a);
}

void forum_viewers_changed(app *a)
{
    if (a->viewers_pending || !a->ctx || a->stopping || !hub_viewers_dirty(a->hub))
        return;
    a->viewers_pending = 1;
    lws_sul_schedule(a->ctx, 0, &a->viewers_timer, viewers_timer_fired,
                     VIEWERS_DELAY_MS * LWS_US_PER_MS);
}

void forum_start(app *a)
{
    a->group = calloc(1, sizeof *a->group);
    if (a->group) {
        a->group->a = a;
        db_on_begin(a->db, group_hook, a);
    }
    a->seq = forum_last_seq(a->db);
    /* A secret poll closed just before a crash may have left its erased
     * tags in the write-ahead log: fold it in now. */
    erase_wal(a);
    /* Periods due while the server was down change now. */
    lws_sul_schedule(a->ctx, 0, &a->period_timer, period_timer_fired, 1);
}

void forum_free(app *a)
{
    struct commit_group *g = a->group;
    if (!g)
        return;
    forum_group_commit(a);
    struct batch *batches[] = {g->cur, g->spare};
    for (int i = 0; i < 2; i++)
        if (batches[i]) {
            free(batches[i]->ev);
            free(batches[i]);
        }
    free(g);
    a->group = NULL;
}

void forum_stop(app *a)
{
    forum_group_commit(a);
    lws_sul_cancel(&a->period_timer);
    lws_sul_cancel(&a->viewers_timer);
    lws_sul_cancel(&a->poll_timer);
    lws_sul_cancel(&a->wal_timer);
    a->viewers_pending = 0;
    a->dirty_poll_count = 0;
}

/* ---- periods ---- */

int h_period_list(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    json_t *lists = period_list(&f);
    if (!lists)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the periods");
    json_object_update(reply, lists);
    json_decref(lists);
    return RAATI_OK;
}

int h_period_get(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    int64_t id;
    period_status status;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = forum_id(rq->msg, "period_id", 1, &id, err)) ||
        (rc = period_visible(f.db, id, f.role, &status, err)))
        return rc;
    json_t *p = period_json(f.db, id),
           *topics = topic_list(f.db, id, f.member_id, f.role >= ROLE_MODERATOR);
    if (!p || !topics) {
        json_decref(p);
        json_decref(topics);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the period");
    }
    json_object_set_new(reply, "period", p);
    json_object_set_new(reply, "topics", topics);
    json_object_set_new(reply, "mine", period_mine(f.db, id, f.member_id));
    return RAATI_OK;
}

/* Puts the period in the reply and its events in the outbox. */
static raati_code period_done(app *a, struct outbox *o, int64_t id, json_t *reply, raati_error *err)
{
    json_t *p = period_json(a->db, id);
    int failed = !p || out_period(a, o, id);
    json_object_set_new(reply, "period", p ? p : json_null());
    return built(failed, err);
}

int h_period_create(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = period_create(&f, rq->msg, &id, err)) &&
        !(rc = staff_audit(rq, &f, "period", id, NULL, err)))
        rc = period_done(a, &o, id, reply, err);
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    log_info("period.created", "period=%lld by=%lld", (long long)id, (long long)f.member_id);
    schedule_periods(a, 0);
    return RAATI_OK;
}

/* period.update (action NULL) and the status changes: one period changed
 * in place, its events, and the timer rescheduled for its times. */
static int period_change(struct request *rq, const char *action, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = forum_id(rq->msg, "period_id", 1, &id, err)) || (rc = begin(a, &o, err)))
        return rc;
    rc = action ? period_transition(&f, id, action, err) : period_update(&f, id, rq->msg, err);
    if (!rc && !(rc = staff_audit(rq, &f, "period", id, NULL, err)))
        rc = period_done(a, &o, id, reply, err);
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    if (action)
        log_info("period.status", "period=%lld action=%s by=%lld", (long long)id, action,
                 (long long)f.member_id);
    schedule_periods(a, 0);
    return RAATI_OK;
}

int h_period_update(struct request *rq, json_t *reply, raati_error *err)
{
    return period_change(rq, NULL, reply, err);
}

/* The action of a status message: what follows the dot of its type
 * ("period.open" → "open"), as the router matched it. */
static const char *action_of(struct request *rq)
{
    const char *type = json_string_value(json_object_get(rq->msg, "type"));
    return strchr(type, '.') + 1;
}

int h_period_status(struct request *rq, json_t *reply, raati_error *err)
{
    return period_change(rq, action_of(rq), reply, err);
}

int h_period_participation(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    int64_t id;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = forum_id(rq->msg, "period_id", 1, &id, err)))
        return rc;
    return period_participation(&f, id, reply, err);
}

/* ---- posts per minute ---- */

/* The limiter for the asking member (new members have their own), or NULL
 * for moderators and admins, who are not limited. */
static ratelimit *post_limiter(struct request *rq, char key[24])
{
    app *a = rq->a;
    if (rq->c->role >= ROLE_MODERATOR)
        return NULL;
    snprintf(key, 24, "%lld", (long long)rq->c->member_id);
    int is_new = forum_member_age_ms(a->db, rq->c->member_id, time_now_ms()) <
                 (int64_t)a->cfg.new_member_days * 86400000;
    return is_new ? a->posts_new : a->posts;
}

/* rate_limited (with retry_after) when the member has posted their share
 * of this minute. */
static raati_code post_rate(struct request *rq, raati_error *err)
{
    char key[24];
    ratelimit *rl = post_limiter(rq, key);
    int wait = rl ? ratelimit_check(rl, key, time(NULL)) : 0;
    if (!wait)
        return RAATI_OK;
    raati_fail(err, RAATI_E_RATE_LIMITED, NULL,
               "you have posted a lot in a short time: you can post again in %d seconds", wait);
    err->retry_after = wait;
    return RAATI_E_RATE_LIMITED;
}

static void post_counted(struct request *rq)
{
    char key[24];
    ratelimit *rl = post_limiter(rq, key);
    if (rl)
        ratelimit_hit(rl, key, time(NULL));
}

/* ---- topics and posts ---- */

int h_topic_create(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t topic_id = 0, post_id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = topic_create(&f, rq->msg, &topic_id, &post_id, err)) && !(rc = post_rate(rq, err))) {
        json_t *t = topic_json(a->db, topic_id, f.member_id);
        json_t *p = post_json(a->db, post_id, f.member_id, post_flags(&f));
        /* A pending topic goes out when a moderator approves it. */
        int pending = t && !strcmp(json_string_value(json_object_get(t, "status")), "pending");
        int failed = !t || !p || (!pending && out_topic(a, &o, topic_id, "topic.created"));
        json_object_set_new(reply, "topic", t ? t : json_null());
        json_object_set_new(reply, "post", p ? p : json_null());
        rc = built(failed, err);
    }
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    post_counted(rq);
    return RAATI_OK;
}

int h_topic_get(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    raati_code rc = topic_get(&f, rq->msg, reply, err);
    if (rc)
        return rc;
    char channel[HUB_CHANNEL_MAX];
    snprintf(channel, sizeof channel, "topic:%lld",
             (long long)json_integer_value(json_object_get(json_object_get(reply, "topic"), "id")));
    json_object_set_new(reply, "viewers", json_integer(hub_viewers(rq->a->hub, channel)));
    return RAATI_OK;
}

int h_topic_read(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return topic_read(&f, rq->msg, reply, err);
}

int h_post_list(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return post_list(&f, rq->msg, reply, err);
}

static int post_pending(app *a, int64_t post_id)
{
    sqlite3_stmt *st = db_prepare(a->db, "SELECT status = 'pending' FROM post WHERE id = ?");
    int yes = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, post_id);
    yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return yes;
}

/* Puts the post (as f's member sees it) in the reply, and its event, and
 * with topic_event the topic's, in the outbox. */
static raati_code post_done(app *a, const forum_ctx *f, struct outbox *o, int64_t post_id,
                            const char *event, const char *topic_event, json_t *reply,
                            raati_error *err)
{
    json_t *p = post_json(a->db, post_id, f->member_id, post_flags(f));
    int failed = !p || (event && out_post(a, o, post_id, event)) ||
                 (topic_event && out_topic(a, o, post_topic(a->db, post_id), topic_event));
    json_object_set_new(reply, "post", p ? p : json_null());
    return built(failed, err);
}

/* post.create's reply, events and topic counts. A new published post
 * looks the same to everyone but its author's "mine" and "reported" (it
 * cannot answer a hidden post), so its event is the reply's post without
 * those, read once; a pending one goes as post_done() sends it. */
static raati_code post_created(app *a, const forum_ctx *f, struct outbox *o, int64_t post_id,
                               json_t *reply, raati_error *err)
{
    json_t *p = post_json(a->db, post_id, f->member_id, post_flags(f));
    const char *status = p ? json_string_value(json_object_get(p, "status")) : NULL;
    if (!status || strcmp(status, "published")) {
        int pending = status && !strcmp(status, "pending");
        json_decref(p);
        return post_done(a, f, o, post_id, "post.created", pending ? NULL : "topic.changed", reply,
                         err);
    }
    json_t *shown = json_copy(p);
    json_object_del(shown, "mine");
    json_object_del(shown, "reported");
    int64_t topic_id = json_integer_value(json_object_get(p, "topic_id"));
    int failed = out_add(o, "topic", topic_id, "post.created", shown) ||
                 out_topic(a, o, topic_id, "topic.changed");
    json_object_set_new(reply, "post", p);
    return built(failed, err);
}

/* post.create and post.delete: one post written, its event and its
 * topic's new counts. */
static int post_write(struct request *rq,
                      raati_code (*write)(forum_ctx *, json_t *, int64_t *, raati_error *),
                      const char *event, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t post_id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = write(&f, rq->msg, &post_id, err)) && f.replayed) {
        rc = post_done(a, &f, &o, post_id, NULL, NULL, reply, err);
        db_rollback(a->db); /* written before: nothing to save or tell */
        return rc;
    }
    /* A new post (not one sent again) counts against the member's share
     * of the minute; over it, nothing is written. */
    int creating = write == post_create;
    if (!rc && creating)
        rc = post_rate(rq, err);
    /* A pending post changes nothing others see of the topic. */
    if (!rc)
        rc = post_done(a, &f, &o, post_id, event, post_pending(a, post_id) ? NULL : "topic.changed",
                       reply, err);
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    if (creating)
        post_counted(rq);
    return RAATI_OK;
}

/* post.create in the commit group: as post_write(), but the reply and the
 * events wait for the group's commit. */
int h_post_create(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t post_id = 0;
    raati_code rc;
    if (!a->group) /* could not allocate one at start: commit alone */
        return post_write(rq, post_create, "post.created", reply, err);
    if ((rc = group_begin(a, &o, err))) {
        forum_group_commit(a); /* earlier replies go before this refusal */
        return rc;
    }
    ctx_for(rq, &f);
    if (!(rc = post_create(&f, rq->msg, &post_id, err)) && f.replayed) {
        rc = post_done(a, &f, &o, post_id, NULL, NULL, reply, err);
        return group_finish(rq, &f, &o, rc, 1, reply, err); /* written before */
    }
    if (!rc)
        rc = post_rate(rq, err);
    if (!rc)
        rc = post_created(a, &f, &o, post_id, reply, err);
    if (!rc)
        post_counted(rq);
    return group_finish(rq, &f, &o, rc, 0, reply, err);
}

int h_post_edit(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t post_id = 0;
    int changed = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = post_edit(&f, rq->msg, &post_id, &changed, err)))
        rc = post_done(a, &f, &o, post_id, changed ? "post.edited" : NULL, NULL, reply, err);
    if (!rc && !changed) {
        db_rollback(a->db); /* the same text: nothing to save or tell */
        return RAATI_OK;
    }
    return finish(a, &f, &o, rc, err);
}

int h_post_delete(struct request *rq, json_t *reply, raati_error *err)
{
    return post_write(rq, post_delete, "post.deleted", reply, err);
}

int h_post_versions(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return post_versions(&f, rq->msg, reply, err);
}

static int reaction(struct request *rq, int add, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int changed = 0;
    const char *kind = NULL;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    rc = reaction_set(&f, rq->msg, add, reply, &changed, &kind, err);
    if (!rc && !changed) {
        db_rollback(a->db); /* given already, or not given: nothing changes */
        return RAATI_OK;
    }
    if (!rc) {
        int64_t post_id = json_integer_value(json_object_get(reply, "post_id"));
        json_t *data = json_pack("{s:I, s:s, s:I, s:O}", "post_id", (json_int_t)post_id, "reaction",
                                 kind, "by", (json_int_t)f.member_id, "reactions",
                                 json_object_get(reply, "reactions"));
        rc = built(out_add(&o, "topic", post_topic(a->db, post_id),
                           add ? "reaction.added" : "reaction.removed", data),
                   err);
    }
    return finish(a, &f, &o, rc, err);
}

int h_reaction_add(struct request *rq, json_t *reply, raati_error *err)
{
    return reaction(rq, 1, reply, err);
}

int h_reaction_remove(struct request *rq, json_t *reply, raati_error *err)
{
    return reaction(rq, 0, reply, err);
}

/* ---- polls ---- */

/* A poll's results go to the hidden channel poll:<id>:results, which holds
 * exactly the subscribers of poll:<id> allowed to see them now. */
static void results_channel(int64_t poll_id, char *buf)
{
    snprintf(buf, HUB_CHANNEL_MAX, "poll:%lld:results", (long long)poll_id);
}

/* Puts c in or out of the poll's results channel, as the rules say now. */
static void results_access(app *a, struct conn *c, int64_t poll_id)
{
    char results[HUB_CHANNEL_MAX];
    results_channel(poll_id, results);
    if (poll_results_visible(a->db, poll_id, c->member_id, c->role))
        hub_subscribe(a->hub, c, results);
    else
        hub_unsubscribe(a->hub, c, results);
}

/* poll.results to the poll's results channel, shown as poll:<id>, with
 * the poll's seq (seq 0: read it). */
static void publish_results(app *a, int64_t poll_id, int64_t seq)
{
    char channel[HUB_CHANNEL_MAX], results[HUB_CHANNEL_MAX];
    snprintf(channel, sizeof channel, "poll:%lld", (long long)poll_id);
    results_channel(poll_id, results);
    if (!seq) {
        json_t *p = poll_json(a->db, poll_id, NULL);
        seq = p ? json_integer_value(json_object_get(p, "seq")) : 0;
        json_decref(p);
    }
    json_t *r = poll_results_event(a->db, poll_id);
    if (r && seq)
        hub_publish_as(a->hub, results, channel, "poll.results", seq, r);
    json_decref(r);
}

struct access_ctx {
    app *a;
    int64_t poll_id;
    int64_t member_id; /* 0: every subscriber; else only this member's */
};

static void access_each(void *ctx, struct conn *c)
{
    struct access_ctx *x = ctx;
    if (!x->member_id || c->member_id == x->member_id)
        results_access(x->a, c, x->poll_id);
}

/* After a poll's rules changed (closed, visibility narrowed): everyone
 * watching it gets, or loses, its results; then the results go out. */
static void poll_rules_changed(app *a, int64_t poll_id)
{
    char channel[HUB_CHANNEL_MAX];
    snprintf(channel, sizeof channel, "poll:%lld", (long long)poll_id);
    struct access_ctx x = {a, poll_id, 0};
    hub_each(a->hub, channel, access_each, &x);
    publish_results(a, poll_id, 0);
}

/* After closing a secret poll: fold the write-ahead log into the database
 * and truncate it, so the erased tags are not left in old WAL frames. */
static void wal_timer_fired(lws_sorted_usec_list_t *sul)
{
    app *a = lws_container_of(sul, app, wal_timer);
    if (!a->stopping)
        erase_wal(a);
}

static void erase_wal(app *a)
{
    forum_group_commit(a); /* a checkpoint outside any transaction */
    /* Never wait on the loop: another process reading (a backup, an
     * admin's sqlite3) makes this fail at once, and it is tried again
     * every half second until it works. */
    sqlite3 *h = db_handle(a->db);
    sqlite3_busy_timeout(h, 0);
    int rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_busy_timeout(h, DB_BUSY_TIMEOUT_MS);
    if (rc == SQLITE_OK) {
        if (a->wal_erase_tries)
            log_info("poll.wal_erased", "tries=%d", a->wal_erase_tries + 1);
        a->wal_erase_tries = 0;
        return;
    }
    if (a->wal_erase_tries++ % 120 == 0)
        log_warn("poll.wal_erase_waiting",
                 "reason=\"another process is reading the database\" error=\"%s\"",
                 sqlite3_errmsg(h));
    if (a->ctx)
        lws_sul_schedule(a->ctx, 0, &a->wal_timer, wal_timer_fired, 500 * LWS_US_PER_MS);
}

static void flush_polls(app *a)
{
    for (int i = 0; i < a->dirty_poll_count; i++) {
        int64_t id = a->dirty_polls[i];
        char channel[HUB_CHANNEL_MAX];
        snprintf(channel, sizeof channel, "poll:%lld", (long long)id);
        json_t *p = poll_json(a->db, id, NULL);
        int64_t seq = p ? json_integer_value(json_object_get(p, "seq")) : 0;
        if (p)
            hub_publish(a->hub, channel, "poll.changed", seq, p);
        json_decref(p);
        publish_results(a, id, seq);
    }
    a->dirty_poll_count = 0;
}

static void poll_timer_fired(lws_sorted_usec_list_t *sul)
{
    app *a = lws_container_of(sul, app, poll_timer);
    if (!a->stopping)
        flush_polls(a);
    a->dirty_poll_count = 0;
}

/* Votes are sent on as one update per poll every POLL_RESULTS_MS. */
static void poll_voted(app *a, int64_t poll_id)
{
    for (int i = 0; i < a->dirty_poll_count; i++)
        if (a->dirty_polls[i] == poll_id)
            return;
    if (a->dirty_poll_count == (int)(sizeof a->dirty_polls / sizeof a->dirty_polls[0]))
        flush_polls(a); /* many polls at once: send what is waiting now */
    if (!a->dirty_poll_count && a->ctx)
        lws_sul_schedule(a->ctx, 0, &a->poll_timer, poll_timer_fired,
                         POLL_RESULTS_MS * LWS_US_PER_MS);
    a->dirty_polls[a->dirty_poll_count++] = poll_id;
}

static raati_code poll_reply(app *a, const forum_ctx *f, int64_t id, json_t *reply,
                             raati_error *err)
{
    json_t *p = poll_json(a->db, id, f);
    json_object_set_new(reply, "poll", p ? p : json_null());
    return built(!p, err);
}

int h_poll_create(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = poll_create(&f, rq->msg, &id, err)) &&
        !(rc = staff_audit(rq, &f, "poll", id, NULL, err))) {
        json_t *ev = poll_json(a->db, id, NULL);
        int64_t period_id = ev ? json_integer_value(json_object_get(ev, "period_id")) : 0;
        rc = poll_reply(a, &f, id, reply, err);
        if (!rc)
            rc = built(out_add(&o, "period", period_id, "poll.created", ev), err);
        else
            json_decref(ev);
    }
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    log_info("poll.created", "poll=%lld by=%lld", (long long)id, (long long)f.member_id);
    schedule_periods(a, 0);
    return RAATI_OK;
}

int h_poll_get(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    int64_t id, period_id;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = forum_id(rq->msg, "poll_id", 1, &id, err)) ||
        (rc = poll_period(f.db, id, f.role, &period_id, err)))
        return rc;
    return poll_reply(rq->a, &f, id, reply, err);
}

int h_poll_list(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    int64_t period_id, topic_id;
    period_status status;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = forum_id(rq->msg, "period_id", 1, &period_id, err)) ||
        (rc = forum_id(rq->msg, "topic_id", 0, &topic_id, err)) ||
        (rc = period_visible(f.db, period_id, f.role, &status, err)))
        return rc;
    json_object_set_new(reply, "polls", poll_list(&f, period_id, topic_id));
    return RAATI_OK;
}

int h_poll_vote(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = poll_vote(&f, rq->msg, &id, err)))
        rc = poll_reply(a, &f, id, reply, err);
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    /* Every connection of the voter watching the poll may now see its
     * results (an after_vote poll). */
    char channel[HUB_CHANNEL_MAX];
    snprintf(channel, sizeof channel, "poll:%lld", (long long)id);
    struct access_ctx x = {a, id, f.member_id};
    hub_each(a->hub, channel, access_each, &x);
    poll_voted(a, id);
    return RAATI_OK;
}

/* poll.update and poll.close: the rules change for everyone watching. */
static int poll_change(struct request *rq, int closing, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0, period_id;
    raati_code rc;
    ctx_for(rq, &f);
    if (closing && ((rc = forum_id(rq->msg, "poll_id", 1, &id, err)) ||
                    (rc = poll_period(a->db, id, f.role, &period_id, err))))
        return rc;
    if ((rc = begin(a, &o, err)))
        return rc;
    rc = closing ? poll_close(&f, id, err) : poll_update(&f, rq->msg, &id, err);
    if (!rc)
        rc = staff_audit(rq, &f, "poll", id, NULL, err);
    if (!rc && !(rc = poll_reply(a, &f, id, reply, err)))
        rc = built(out_add(&o, "poll", id, "poll.changed", poll_json(a->db, id, NULL)), err);
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    poll_rules_changed(a, id);
    if (closing && poll_is_secret(a->db, id))
        erase_wal(a);
    return RAATI_OK;
}

int h_poll_update(struct request *rq, json_t *reply, raati_error *err)
{
    return poll_change(rq, 0, reply, err);
}

int h_poll_close(struct request *rq, json_t *reply, raati_error *err)
{
    return poll_change(rq, 1, reply, err);
}

int h_poll_ballots(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return poll_ballots(&f, rq->msg, reply, err);
}

/* ---- surveys ---- */

static raati_code survey_reply(app *a, const forum_ctx *f, int64_t id, json_t *reply,
                               raati_error *err)
{
    json_t *sv = survey_json(a->db, id, f);
    json_object_set_new(reply, "survey", sv ? sv : json_null());
    return built(!sv, err);
}

int h_survey_create(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = survey_create(&f, rq->msg, &id, err)) &&
        !(rc = staff_audit(rq, &f, "survey", id, NULL, err)))
        rc = survey_reply(a, &f, id, reply, err); /* a draft: nobody else sees it */
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    log_info("survey.created", "survey=%lld by=%lld", (long long)id, (long long)f.member_id);
    return RAATI_OK;
}

/* survey.update and the status changes: viewers of the survey and of its
 * period are told, and the timer is set for its closing time. */
static int survey_change(struct request *rq, const char *action, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0, period_id;
    raati_code rc;
    ctx_for(rq, &f);
    if (action && ((rc = forum_id(rq->msg, "survey_id", 1, &id, err)) ||
                   (rc = survey_period(a->db, id, f.role, &period_id, NULL, err))))
        return rc;
    if ((rc = begin(a, &o, err)))
        return rc;
    int deleted = action && !strcmp(action, "delete");
    char name[256];
    if (deleted)
        audit_name(a, "survey", id, name);
    rc = action ? survey_transition(&f, id, action, err) : survey_update(&f, rq->msg, &id, err);
    if (!rc)
        rc = staff_audit(rq, &f, "survey", id, deleted ? name : NULL, err);
    if (!rc && !deleted && !(rc = survey_reply(a, &f, id, reply, err)))
        rc = built(out_survey(a, &o, id, 1), err);
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    if (action)
        log_info("survey.status", "survey=%lld action=%s by=%lld", (long long)id, action,
                 (long long)f.member_id);
    if (action && !strcmp(action, "close") && survey_is_secret(a->db, id))
        erase_wal(a);
    schedule_periods(a, 0);
    return RAATI_OK;
}

int h_survey_update(struct request *rq, json_t *reply, raati_error *err)
{
    return survey_change(rq, NULL, reply, err);
}

int h_survey_status(struct request *rq, json_t *reply, raati_error *err)
{
    return survey_change(rq, action_of(rq), reply, err);
}

int h_survey_get(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    int64_t id, period_id;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = forum_id(rq->msg, "survey_id", 1, &id, err)) ||
        (rc = survey_period(f.db, id, f.role, &period_id, NULL, err)))
        return rc;
    return survey_reply(rq->a, &f, id, reply, err);
}

int h_survey_list(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    int64_t period_id;
    period_status status;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = forum_id(rq->msg, "period_id", 1, &period_id, err)) ||
        (rc = period_visible(f.db, period_id, f.role, &status, err)))
        return rc;
    json_object_set_new(reply, "surveys", survey_list(&f, period_id));
    return RAATI_OK;
}

/* survey.save and survey.submit: a submission tells the survey's viewers
 * (its count of responses); a saved draft tells nobody. */
static int survey_respond(struct request *rq, int submit, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0;
    int submitted = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = survey_answer(&f, rq->msg, submit, &id, &submitted, err)) &&
        !(rc = survey_reply(a, &f, id, reply, err)) && submitted)
        rc = built(out_survey(a, &o, id, 0), err);
    return finish(a, &f, &o, rc, err);
}

int h_survey_save(struct request *rq, json_t *reply, raati_error *err)
{
    return survey_respond(rq, 0, reply, err);
}

int h_survey_submit(struct request *rq, json_t *reply, raati_error *err)
{
    return survey_respond(rq, 1, reply, err);
}

int h_survey_results(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return survey_results(&f, rq->msg, reply, err);
}

/* ---- moderation of members ---- */

/* member.suspend, member.unsuspend and member.role: one member changed,
 * its audit entry written in the same transaction. */
static int member_change(struct request *rq,
                         raati_code (*change)(forum_ctx *, json_t *, int64_t *, raati_error *),
                         json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = change(&f, rq->msg, &id, err))) {
        json_t *m = member_staff_json(a->db, id, f.now_ms);
        json_object_set_new(reply, "member", m ? m : json_null());
        rc = built(!m, err);
    }
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    /* The member's open connections take the new role at once, and every
     * channel they hold is checked again under it. */
    if (change == member_change_role)
        for (struct conn *c = a->conns; c; c = c->next)
            if (c->member_id == id) {
                int role = ROLE_ANON;
                int64_t until;
                if (!member_standing(a->db, id, time_now_ms(), &role, &until)) {
                    c->role = role;
                    forum_sync_channels(a, c);
                }
            }
    log_info("member.moderated", "member=%lld by=%lld type=%s", (long long)id,
             (long long)f.member_id, json_string_value(json_object_get(rq->msg, "type")));
    return RAATI_OK;
}

int h_member_suspend(struct request *rq, json_t *reply, raati_error *err)
{
    return member_change(rq, member_suspend, reply, err);
}

int h_member_unsuspend(struct request *rq, json_t *reply, raati_error *err)
{
    return member_change(rq, member_unsuspend, reply, err);
}

int h_member_role(struct request *rq, json_t *reply, raati_error *err)
{
    return member_change(rq, member_change_role, reply, err);
}

int h_member_find(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return member_find(&f, rq->msg, reply, err);
}

int h_audit_list(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return audit_list(&f, rq->msg, reply, err);
}

/* ---- reports and the queue ---- */

/* 1 if the change f made stamped the post (it changed). */
static int post_changed_now(app *a, int64_t post_id, int64_t seq)
{
    sqlite3_stmt *st = db_prepare(a->db, "SELECT 1 FROM post WHERE id = ? AND seq = ?");
    int yes = 0;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, post_id);
    sqlite3_bind_int64(st, 2, seq);
    yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return yes;
}

int h_report_create(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t item = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    rc = report_create(&f, rq->msg, &item, err);
    /* The report that reached the threshold hid the post. */
    int64_t post_id = json_integer_value(json_object_get(rq->msg, "post_id"));
    if (!rc && post_changed_now(a, post_id, f.seq))
        rc = built(out_post(a, &o, post_id, "post.hidden"), err);
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    json_object_set_new(reply, "post_id", json_integer(post_id));
    json_object_set_new(reply, "reported", json_true());
    log_info("report.created", "item=%lld by=%lld", (long long)item, (long long)f.member_id);
    return RAATI_OK;
}

int h_queue_list(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return queue_list(&f, rq->msg, reply, err);
}

int h_queue_act(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t item = 0, post_id = 0;
    int topic_created = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    const char *event = NULL;
    if (!(rc = queue_act(&f, rq->msg, &item, &post_id, &event, &topic_created, err))) {
        int failed = event && (out_post(a, &o, post_id, event) ||
                               out_topic(a, &o, post_topic(a->db, post_id),
                                         topic_created ? "topic.created" : "topic.changed"));
        json_t *it = queue_item_json(a->db, item);
        json_object_set_new(reply, "item", it ? it : json_null());
        rc = built(failed || !it, err);
    }
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    log_info("queue.decided", "item=%lld by=%lld action=%s", (long long)item,
             (long long)f.member_id, json_string_value(json_object_get(rq->msg, "action")));
    return RAATI_OK;
}

/* post.hide, post.restore and appeal.create: one post changed; the reply
 * carries it as the asking member sees it. */
static int post_moderated(struct request *rq,
                          raati_code (*change)(forum_ctx *, json_t *, int64_t *, raati_error *),
                          const char *event, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t post_id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = change(&f, rq->msg, &post_id, err))) {
        /* An appeal changes nothing others see. */
        int insiders = change == appeal_create;
        rc = post_done(a, &f, &o, post_id, insiders ? NULL : event, NULL, reply, err);
        if (!rc && insiders)
            rc = built(out_post_to(a, &o, post_id, event, 1), err);
    }
    return finish(a, &f, &o, rc, err);
}

int h_post_hide(struct request *rq, json_t *reply, raati_error *err)
{
    return post_moderated(rq, post_hide, "post.hidden", reply, err);
}

int h_post_restore(struct request *rq, json_t *reply, raati_error *err)
{
    return post_moderated(rq, post_restore, "post.restored", reply, err);
}

int h_appeal_create(struct request *rq, json_t *reply, raati_error *err)
{
    /* The post's other viewers see nothing new; the author's other tabs
     * and moderators get the post with its appeal. */
    return post_moderated(rq, appeal_create, "post.changed", reply, err);
}

int h_topic_moderate(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t topic_id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = topic_moderate(&f, rq->msg, action_of(rq), &topic_id, err))) {
        json_t *t = topic_json(a->db, topic_id, f.member_id);
        int failed = !t || out_topic(a, &o, topic_id, "topic.changed");
        json_object_set_new(reply, "topic", t ? t : json_null());
        rc = built(failed, err);
    }
    return finish(a, &f, &o, rc, err);
}

int h_post_move(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t post_id = 0, from = 0, to = 0;
    json_t *moved = json_array();
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err))) {
        json_decref(moved);
        return rc;
    }
    int count = 0;
    if (!(rc = post_move(&f, rq->msg, &post_id, &from, &to, moved, &count, err))) {
        json_t *data = json_pack("{s:O, s:I, s:I}", "post_ids", moved, "from_topic_id",
                                 (json_int_t)from, "to_topic_id", (json_int_t)to);
        int failed = !data || out_add(&o, "topic", from, "post.moved", json_incref(data)) ||
                     out_add(&o, "topic", to, "post.moved", json_incref(data)) ||
                     out_topic(a, &o, from, "topic.changed") ||
                     out_topic(a, &o, to, "topic.changed");
        json_decref(data);
        json_object_set_new(reply, "moved", json_integer(count));
        if (!failed)
            rc = post_done(a, &f, &o, post_id, NULL, NULL, reply, err);
        else
            rc = built(failed, err);
    }
    json_decref(moved);
    return finish(a, &f, &o, rc, err);
}

/* ---- watched words ---- */

int h_word_list(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return word_list(&f, reply, err);
}

static int word_change(struct request *rq,
                       raati_code (*change)(forum_ctx *, json_t *, int64_t *, raati_error *),
                       json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    int64_t id = 0;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!(rc = change(&f, rq->msg, &id, err))) {
        json_t *w = word_json(a->db, id);
        json_object_set_new(reply, "word", w ? w : json_null());
        rc = built(!w, err);
    }
    return finish(a, &f, &o, rc, err);
}

int h_word_add(struct request *rq, json_t *reply, raati_error *err)
{
    return word_change(rq, word_add, reply, err);
}

int h_word_update(struct request *rq, json_t *reply, raati_error *err)
{
    return word_change(rq, word_update, reply, err);
}

int h_word_remove(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    rc = word_remove(&f, rq->msg, err);
    if ((rc = finish(a, &f, &o, rc, err)))
        return rc;
    json_object_set_new(reply, "word_id", json_incref(json_object_get(rq->msg, "word_id")));
    return RAATI_OK;
}

/* ---- notices ---- */

int h_notice_list(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return notice_list(&f, rq->msg, reply, err);
}

int h_notice_read(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    raati_code rc;
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    rc = notice_read(&f, rq->msg, reply, err);
    if (rc) {
        db_rollback(a->db);
        return rc;
    }
    /* Nothing anyone else sees changes: no sequence number is used. */
    if (db_commit(a->db)) {
        db_rollback(a->db);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the change");
    }
    return RAATI_OK;
}

/* ---- results ---- */

int h_results_get(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return results_get(&f, rq->msg, reply, err);
}

int h_results_versions(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return results_versions(&f, rq->msg, reply, err);
}

int h_results_quotable(struct request *rq, json_t *reply, raati_error *err)
{
    forum_ctx f;
    ctx_for(rq, &f);
    return results_quotable(&f, rq->msg, reply, err);
}

/* results.save, .publish, .unpublish, follow_up.*, quote.withdraw: one
 * transaction each; the notices they make go out after the commit. */
int h_results_change(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    forum_ctx f;
    struct outbox o;
    raati_code rc;
    const char *type = json_string_value(json_object_get(rq->msg, "type"));
    ctx_for(rq, &f);
    if ((rc = begin(a, &o, err)))
        return rc;
    if (!strcmp(type, "results.save"))
        rc = results_save(&f, rq->msg, reply, err);
    else if (!strcmp(type, "results.publish") || !strcmp(type, "results.unpublish"))
        rc = results_publish(&f, rq->msg, !strcmp(type, "results.publish"), reply, err);
    else if (!strncmp(type, "follow_up.", 10))
        rc = follow_up_change(&f, type + 10, rq->msg, reply, err);
    else
        rc = quote_withdraw(&f, rq->msg, reply, err);
    if (!rc && (!strcmp(type, "results.publish") || !strcmp(type, "results.unpublish")))
        rc = staff_audit(rq, &f, "period",
                         json_integer_value(json_object_get(rq->msg, "period_id")), NULL, err);
    return finish(a, &f, &o, rc, err);
}

/* ---- the hidden channels of a connection ---- */

void forum_sync_channels(app *a, struct conn *c)
{
    if (!c->member_id)
        return;
    char mine[HUB_CHANNEL_MAX];
    member_channel(c->member_id, mine);
    if (!hub_has(c, mine))
        hub_subscribe(a->hub, c, mine);
    if (c->role >= ROLE_MODERATOR) {
        if (!hub_has(c, STAFF_CHANNEL))
            hub_subscribe(a->hub, c, STAFF_CHANNEL);
        return;
    }
    hub_unsubscribe(a->hub, c, STAFF_CHANNEL);
    /* What only moderators may see goes: the queue, drafts, pending
     * topics, a poll's results kept for moderators. */
    char names[HUB_MAX_SUBSCRIPTIONS][HUB_CHANNEL_MAX];
    int n = hub_names(c, names, HUB_MAX_SUBSCRIPTIONS);
    for (int i = 0; i < n; i++) {
        json_t *msg = json_pack("{s:s}", "channel", names[i]);
        const char *name;
        enum channel_kind kind;
        int64_t id, period_id;
        period_status status;
        int keep = 1;
        if (!strncmp(names[i], "member:", 7)) {
            json_decref(msg);
            continue;
        }
        if (!msg || parse_channel(msg, &name, &kind, &id, NULL))
            keep = !strncmp(names[i], "poll:", 5) &&
                   poll_results_visible(a->db, atoll(names[i] + 5), c->member_id, c->role);
        else if (kind == CH_MODERATION)
            keep = 0;
        else if (kind == CH_PERIOD)
            keep = !period_visible(a->db, id, c->role, &status, NULL);
        else if (kind == CH_TOPIC)
            keep = !topic_period(a->db, id, c->member_id, c->role, &period_id, &status, NULL);
        else if (kind == CH_POLL)
            keep = !poll_period(a->db, id, c->role, &period_id, NULL);
        else if (kind == CH_SURVEY)
            keep = !survey_period(a->db, id, c->role, &period_id, NULL, NULL);
        json_decref(msg);
        if (!keep)
            hub_unsubscribe(a->hub, c, names[i]);
    }
}

/* ---- channels ---- */

/* Parses "periods", "me", "moderation", "period:<id>", "topic:<id>",
 * "poll:<id>" or "survey:<id>". */
static raati_code parse_channel(json_t *msg, const char **name, enum channel_kind *kind,
                                int64_t *id, raati_error *err)
{
    raati_code rc = jfield_string(msg, "channel", 1, name, NULL, err);
    if (rc)
        return rc;
    const char *s = *name, *digits = NULL;
    *id = 0;
    if (!strcmp(s, "periods") || !strcmp(s, "me") || !strcmp(s, "moderation")) {
        *kind = !strcmp(s, "periods") ? CH_PERIODS : !strcmp(s, "me") ? CH_ME : CH_MODERATION;
        return RAATI_OK;
    }
    if (!strncmp(s, "period:", 7)) {
        *kind = CH_PERIOD;
        digits = s + 7;
    } else if (!strncmp(s, "topic:", 6)) {
        *kind = CH_TOPIC;
        digits = s + 6;
    } else if (!strncmp(s, "poll:", 5)) {
        *kind = CH_POLL;
        digits = s + 5;
    } else if (!strncmp(s, "survey:", 7)) {
        *kind = CH_SURVEY;
        digits = s + 7;
    }
    size_t n = digits ? strspn(digits, "0123456789") : 0;
    if (!digits || !n || digits[n] || n > 15 || digits[0] == '0')
        return raati_fail(err, RAATI_E_INVALID_FIELD, "channel",
                          "channel must be periods, me, moderation, period:<id>, topic:<id>, "
                          "poll:<id> or survey:<id>");
    *id = atoll(digits);
    return RAATI_OK;
}

static int seq_order(const void *x, const void *y)
{
    json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "seq"));
    json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "seq"));
    return (a > b) - (a < b);
}

/* Orders catch-up events oldest change first. */
static void sort_by_seq(json_t *events)
{
    size_t n = json_array_size(events);
    json_t **v = n ? malloc(n * sizeof *v) : NULL;
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(events, i));
    qsort(v, n, sizeof *v, seq_order);
    json_array_clear(events);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(events, v[i]);
    free(v);
}

int h_subscribe(struct request *rq, json_t *reply, raati_error *err)
{
    app *a = rq->a;
    const char *name;
    enum channel_kind kind = CH_PERIODS;
    int64_t id = 0, period_id;
    long long since = 0;
    int has_since = 0, too_many = 0;
    period_status status;
    raati_code rc;
    if ((rc = parse_channel(rq->msg, &name, &kind, &id, err)) ||
        (rc = jfield_int(rq->msg, "since", 0, &since, &has_since, err)))
        return rc;
    if (has_since && since < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "since", "since must not be negative");
    if (kind == CH_PERIOD)
        rc = period_visible(a->db, id, rq->c->role, &status, err);
    else if (kind == CH_TOPIC)
        rc = topic_period(a->db, id, rq->c->member_id, rq->c->role, &period_id, &status, err);
    else if (kind == CH_POLL)
        rc = poll_period(a->db, id, rq->c->role, &period_id, err);
    else if (kind == CH_SURVEY)
        rc = survey_period(a->db, id, rq->c->role, &period_id, NULL, err);
    else if (kind == CH_MODERATION && rq->c->role < ROLE_MODERATOR)
        rc = raati_fail(err, RAATI_E_FORBIDDEN, NULL, "only moderators see the queue");
    if (rc) {
        snprintf(err->field, sizeof err->field, "channel");
        return rc;
    }
    json_t *events = NULL;
    if (has_since) {
        if (kind == CH_PERIODS) {
            events = period_changes(a->db, 0, since, CATCH_UP_MAX, &too_many);
        } else if (kind == CH_PERIOD) {
            events = period_changes(a->db, id, since, CATCH_UP_MAX, &too_many);
            json_t *topics = too_many ? NULL
                                      : period_topic_changes(a->db, id, since, rq->c->member_id,
                                                             rq->c->role >= ROLE_MODERATOR,
                                                             CATCH_UP_MAX, &too_many);
            forum_ctx f;
            ctx_for(rq, &f);
            json_t *surveys = too_many ? NULL : survey_changes(a->db, id, since, &f);
            if (!too_many && !surveys) {
                json_decref(events); /* answered below as internal */
                events = NULL;
            }
            if (topics && events)
                json_array_extend(events, topics);
            if (surveys && events)
                json_array_extend(events, surveys);
            json_decref(topics);
            json_decref(surveys);
            if (events && json_array_size(events) > CATCH_UP_MAX)
                too_many = 1;
            else if (events)
                sort_by_seq(events);
        } else if (kind == CH_POLL || kind == CH_SURVEY) {
            forum_ctx f;
            ctx_for(rq, &f);
            json_t *p = kind == CH_POLL ? poll_json(a->db, id, &f) : survey_json(a->db, id, &f);
            events = json_array();
            if (p && json_integer_value(json_object_get(p, "seq")) > since)
                json_array_append_new(events,
                                      json_pack("{s:s, s:s, s:O, s:O}", "type", "event", "event",
                                                kind == CH_POLL ? "poll.changed" : "survey.changed",
                                                "seq", json_object_get(p, "seq"), "data", p));
            json_decref(p);
        } else if (kind == CH_ME) {
            events = notice_changes(a->db, rq->c->member_id, since, CATCH_UP_MAX, &too_many);
        } else if (kind == CH_MODERATION) {
            events = queue_changes(a->db, since, CATCH_UP_MAX, &too_many);
        } else {
            events = topic_changes(a->db, id, since, rq->c->member_id,
                                   rq->c->role >= ROLE_MODERATOR, CATCH_UP_MAX, &too_many);
        }
        if (too_many) {
            json_decref(events);
            events = NULL;
        } else if (!events) {
            return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read what changed");
        }
    }
    /* "me" is the connection's own member channel, which it always holds. */
    int sub = kind == CH_ME ? 0
              : hub_has(rq->c, name) || hub_asked(rq->c) < CHANNELS_MAX
                  ? hub_subscribe(a->hub, rq->c, name)
                  : -2;
    if (sub == -2) {
        json_decref(events);
        return raati_fail(err, RAATI_E_LIMIT_REACHED, "channel",
                          "a connection may subscribe to at most %d channels", CHANNELS_MAX);
    }
    if (sub) {
        json_decref(events);
        return raati_fail(err, RAATI_E_BUSY, NULL, "the server is busy: try again shortly");
    }
    forum_viewers_changed(a);
    if (kind == CH_POLL)
        results_access(a, rq->c, id);
    json_object_set_new(reply, "channel", json_string(name));
    json_object_set_new(reply, "seq", json_integer(a->seq));
    if (events) {
        size_t i;
        json_t *ev;
        json_array_foreach(events, i, ev) json_object_set_new(ev, "channel", json_string(name));
        json_object_set_new(reply, "events", events);
    } else if (too_many) {
        json_object_set_new(reply, "resync", json_true());
    }
    if (kind == CH_TOPIC)
        json_object_set_new(reply, "viewers", json_integer(hub_viewers(a->hub, name)));
    return RAATI_OK;
}

int h_unsubscribe(struct request *rq, json_t *reply, raati_error *err)
{
    const char *name;
    enum channel_kind kind;
    int64_t id;
    /* Only channels a client may name: never the hidden ones. */
    raati_code rc = parse_channel(rq->msg, &name, &kind, &id, err);
    if (rc)
        return rc;
    if (kind == CH_ME)
        return RAATI_OK;
    hub_unsubscribe(rq->a->hub, rq->c, name);
    if (!strncmp(name, "poll:", 5) && strlen(name) < HUB_CHANNEL_MAX - 8) {
        char results[HUB_CHANNEL_MAX];
        snprintf(results, sizeof results, "%s:results", name);
        hub_unsubscribe(rq->a->hub, rq->c, results);
    }
    forum_viewers_changed(rq->a);
    return RAATI_OK;
}
