/* discussions.h: topics, their threaded posts, reactions and unread
 * markers (docs/protocol.md, "Activity periods and discussions"). Posts
 * are kept as a tree at any depth and listed in thread order by a path
 * key; markdown is rendered when a post is written. Functions that write
 * run inside the caller's transaction and stamp changed rows with f->seq. */
#ifndef RAATI_DISCUSSIONS_H
#define RAATI_DISCUSSIONS_H

#include "forum.h"
#include "periods.h"

#define TOPIC_TITLE_MAX 200
#define POSTS_PAGE_DEFAULT 50
#define POSTS_PAGE_MAX 200
/* A window of posts, or a catch-up, stops at about this many bytes, so a
 * reply always fits a connection's send queue. */
#define POSTS_REPLY_BYTES (1u << 20)

/* The period a topic belongs to; not_found if there is no such topic or
 * role may not see its period. */
raati_code topic_period(db *d, int64_t topic_id, int64_t member_id, int role, int64_t *period_id,
                        period_status *status, raati_error *err);

/* topic.create: fills *topic_id and *post_id (the opening post). */
raati_code topic_create(forum_ctx *f, json_t *msg, int64_t *topic_id, int64_t *post_id,
                        raati_error *err);
/* The topic object; with member_id, "unread" for that member. */
json_t *topic_json(db *d, int64_t topic_id, int64_t member_id);
/* The topics of a period member_id may see, pinned ones first, then last
 * post first, each with unread for member_id. */
json_t *topic_list(db *d, int64_t period_id, int64_t member_id, int staff);

/* topic.get and post.list: fill reply with posts, has_before, has_after
 * (and for topic.get, topic, period and first_unread_id). */
raati_code topic_get(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
raati_code post_list(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
/* topic.read: moves the member's read mark forward. */
raati_code topic_read(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);

/* Who a post object is for: viewer is a member's id, or 0 for everyone
 * (an event); POST_STAFF for moderators (a hidden post's text and reason),
 * POST_MINE to add "mine" for the viewer. */
enum { POST_STAFF = 1, POST_MINE = 2 };
json_t *post_json(db *d, int64_t post_id, int64_t viewer, int flags);
/* The flags for f's member asking about posts. */
int post_flags(const forum_ctx *f);
raati_code post_create(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err);
/* post.edit; *changed is 0 when the text was the same. */
raati_code post_edit(forum_ctx *f, json_t *msg, int64_t *post_id, int *changed, raati_error *err);
raati_code post_delete(forum_ctx *f, json_t *msg, int64_t *post_id, raati_error *err);
/* A moderator's edit (body already checked) or deletion of a post, with
 * the reason everyone (edit) or the author (both) is told; writes the
 * author's notice and the audit entry (with details, borrowed, may be
 * NULL). A deletion settles the post's pending queue items. */
raati_code post_moderator_edit(forum_ctx *f, int64_t post_id, const char *body, const char *reason,
                               json_t *details, raati_error *err);
raati_code post_moderator_delete(forum_ctx *f, int64_t post_id, const char *reason, json_t *details,
                                 raati_error *err);
/* Publishes a pending post (and a pending topic with its opening post)
 * and counts it; nothing when it is not pending. */
raati_code post_publish(forum_ctx *f, int64_t post_id, raati_error *err);
/* Counts a topic's posts again, and names the author of its last visible
 * post; with dates, also its last post's time (after posts left it). */
raati_code topic_recount(forum_ctx *f, int64_t topic_id, int dates, raati_error *err);
/* 1 if the post is its topic's opening post. */
int post_opens_topic(db *d, int64_t post_id);
raati_code post_versions(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
/* reaction.add (add = 1) and reaction.remove. Fills reply with post_id,
 * reactions and mine; *changed says whether anything changed, and *kind is
 * the reaction's name. */
raati_code reaction_set(forum_ctx *f, json_t *msg, int add, json_t *reply, int *changed,
                        const char **kind, raati_error *err);
/* The topic and post ids a post belongs to, for events. */
int64_t post_topic(db *d, int64_t post_id);

/* Catch-up events for a topic's channel (post.changed, with mine) or a
 * period's topics (topic.changed, with unread) after since, oldest first;
 * NULL and *too_many when more than max changed. */
json_t *topic_changes(db *d, int64_t topic_id, int64_t since, int64_t member_id, int staff, int max,
                      int *too_many);
json_t *period_topic_changes(db *d, int64_t period_id, int64_t since, int64_t member_id, int staff,
                             int max, int *too_many);

#endif
