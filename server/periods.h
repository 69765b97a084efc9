/* periods.h: activity periods (docs/protocol.md, "Activity periods and
 * discussions"): creating and editing them, their status (draft → upcoming
 * → open → closed, by the clock or by a moderator), the lists members see,
 * and participation. Functions that write run inside the caller's
 * transaction and stamp changed rows with f->seq. */
#ifndef RAATI_PERIODS_H
#define RAATI_PERIODS_H

#include "forum.h"

#define PERIOD_TITLE_MAX 200
#define PERIOD_TEXT_MAX 20000
/* period.list lists at most this many periods of each group. */
#define PERIOD_LIST_MAX 500

typedef enum { PERIOD_DRAFT, PERIOD_UPCOMING, PERIOD_OPEN, PERIOD_CLOSED } period_status;

raati_code period_create(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err);
/* Fields of msg other than period_id; status follows moved times. */
raati_code period_update(forum_ctx *f, int64_t id, json_t *msg, raati_error *err);
/* action: "announce", "open" or "close". */
raati_code period_transition(forum_ctx *f, int64_t id, const char *action, raati_error *err);
/* Opens and closes the periods whose time has come; writes up to max of
 * their ids into ids and returns how many changed. Each changed period
 * after the first takes the next sequence number (f->seq ends at the
 * last one used). */
int period_apply_due(forum_ctx *f, int64_t *ids, int max);
/* Milliseconds since the epoch of the next time a period should open or
 * close, or -1 when none will. */
int64_t period_next_due_ms(db *d);

/* The period object, or NULL if there is none. */
json_t *period_json(db *d, int64_t id);
/* The period's status, checking that role may see it: not_found for a
 * missing period, and for a draft unless role is moderator or above. */
raati_code period_visible(db *d, int64_t id, int role, period_status *status, raati_error *err);
/* RAATI_OK if members may write in a period of this status, else
 * period_closed or period_not_open. */
raati_code period_writable(period_status status, raati_error *err);
/* {"posts": n, "reactions": n}: what member did in the period. */
json_t *period_mine(db *d, int64_t period_id, int64_t member_id);
/* {"open": [...], "upcoming": [...], "past": [...], "drafts"?: [...]}. */
json_t *period_list(forum_ctx *f);
/* Fills reply with participants, posts and reactions in total, by age
 * group and by municipality. */
raati_code period_participation(forum_ctx *f, int64_t id, json_t *reply, raati_error *err);
/* Counts a post or reactions of f->member_id as participation in the period. */
raati_code participation_add(forum_ctx *f, int64_t period_id, int posts, int reactions,
                             raati_error *err);
/* period.changed events for periods changed after since that role may see
 * (period_id 0: all but drafts), oldest first; NULL and *too_many when
 * more than max changed. */
json_t *period_changes(db *d, int64_t period_id, int64_t since, int max, int *too_many);

const char *period_status_name(period_status s);
/* A poll's or survey's closes_at (value, may be NULL or null: iso is then
 * ""): a UTC time in the future, not after the period's end; else
 * invalid_field. */
raati_code period_closing_time(const forum_ctx *f, int64_t period_id, json_t *value,
                               char iso[TIME_ISO_SIZE], raati_error *err);

#endif
