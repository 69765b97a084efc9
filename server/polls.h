/* polls.h: polls in activity periods (docs/protocol.md, "Polls"): four
 * kinds, who sees the results when, named and secret ballots, and closing
 * (which, for a secret poll, destroys every link from ballot to member).
 * Functions that write run inside the caller's transaction and stamp the
 * poll with f->seq. */
#ifndef RAATI_POLLS_H
#define RAATI_POLLS_H

#include "forum.h"

raati_code poll_create(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err);
/* The poll as f's member sees it (voted, my_answer, results), or, with
 * f NULL, as events carry it (none of those). NULL if there is none. */
json_t *poll_json(db *d, int64_t id, const forum_ctx *f);
/* {"poll_id": id, "results": {...}}: what poll.results carries. */
json_t *poll_results_event(db *d, int64_t id);
/* The poll's period, if role may see the poll; not_found otherwise. */
raati_code poll_period(db *d, int64_t poll_id, int role, int64_t *period_id, raati_error *err);
/* Whether member (of role) may see the poll's results now. */
int poll_results_visible(db *d, int64_t poll_id, int64_t member_id, int role);
/* The polls of a period (topic_id 0: all), newest first, as f sees them. */
json_t *poll_list(const forum_ctx *f, int64_t period_id, int64_t topic_id);

raati_code poll_vote(forum_ctx *f, json_t *msg, int64_t *poll_id, raati_error *err);
raati_code poll_update(forum_ctx *f, json_t *msg, int64_t *poll_id, raati_error *err);
raati_code poll_close(forum_ctx *f, int64_t poll_id, raati_error *err);
raati_code poll_ballots(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
/* Closes open polls past closes_at or in closed periods; up to max ids. */
int poll_apply_due(forum_ctx *f, int64_t *ids, int max);
/* When the next open poll should close (ms since the epoch), or -1. */
int64_t poll_next_due_ms(db *d);
/* 1 if the poll's secret ballots were just erased (closing a secret poll):
 * the caller checkpoints the write-ahead log after committing. */
int poll_is_secret(db *d, int64_t poll_id);

#endif
