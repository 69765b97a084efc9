/* actions.h: what moderators do to posts and topics, and what members are
 * told about it (docs/protocol.md, "Moderation"): hiding and restoring
 * posts and the author's one appeal, the queue's decisions, locking,
 * pinning and moving, and notices. Every function runs in the caller's
 * transaction; rows it changes get f->seq, so the caller finds the queue
 * items and notices of a change by that number (to send them live). */
#ifndef RAATI_ACTIONS_H
#define RAATI_ACTIONS_H

#include "forum.h"

#define APPEAL_TEXT_MAX 1000
#define NOTICE_PAGE_MAX 100

/* ---- notices ---- */

/* Tells member_id what a moderator did (kind, e.g. post.hidden), about
 * post_id (0: their account), with reason (may be NULL). */
raati_code notice_add(forum_ctx *f, int64_t member_id, const char *kind, int64_t post_id,
                      const char *reason, raati_error *err);
json_t *notice_json(db *d, int64_t id);
raati_code notice_list(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
raati_code notice_read(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
/* notice.created events of member_id's notices after since; NULL and
 * *too_many past max. */
json_t *notice_changes(db *d, int64_t member_id, int64_t since, int max, int *too_many);

/* The audit entry of an action on a post (target the post, named by its
 * topic's title). */
raati_code audit_post(forum_ctx *f, const char *action, int64_t post_id, const char *reason,
                      json_t *details, raati_error *err);

/* ---- the queue ---- */

/* Opens a pending item of kind on post_id, or, when one is pending
 * already, stamps it (and adds words to a review's). */
raati_code queue_add(forum_ctx *f, int64_t post_id, const char *kind, const char *why,
                     json_t *words, const char *appeal, int64_t *item_id, raati_error *err);
/* A review item: the post waits for a moderator because of why. */
raati_code queue_review(forum_ctx *f, int64_t post_id, const char *why, json_t *words,
                        raati_error *err);
/* Resolves every pending item on post_id with action and note. */
raati_code queue_settle(forum_ctx *f, int64_t post_id, const char *action, const char *note,
                        raati_error *err);
/* queue.act: fills *item_id and *post_id, *event with the post's event
 * (NULL when the post did not change) and *topic_created when approving
 * published a new topic. */
raati_code queue_act(forum_ctx *f, json_t *msg, int64_t *item_id, int64_t *post_id,
                     const char **event, int *topic_created, raati_error *err);

/* ---- hidden posts ---- */

/* Hides post_id: by a moderator with reason, or (reason NULL) by reports.
 * The author is told. */
raati_code post_hide_by(forum_ctx *f, int64_t post_id, const char *reason, json_t *details,
                        raati_error *err);
raati_code post_hide(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err);
raati_code post_restore(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err);
raati_code appeal_create(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err);

/* ---- topics ---- */

/* topic.lock, topic.unlock, topic.pin, topic.unpin (action is the part of
 * the type after the dot). */
raati_code topic_moderate(forum_ctx *f, json_t *msg, const char *action, int64_t *topic_id,
                          raati_error *err);
/* post.move: the post and its replies go under the opening post of
 * another topic of the same period. moved gets the ids everyone may see
 * (not pending ones), *count how many posts moved in all. */
raati_code post_move(forum_ctx *f, json_t *msg, int64_t *post_id, int64_t *from, int64_t *to,
                     json_t *moved, int *count, raati_error *err);

#endif
