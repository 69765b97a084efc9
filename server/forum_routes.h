/* forum_routes.h: the router's handlers for periods, topics, posts,
 * reactions and channels. Each write runs in one transaction; its reply and
 * its events go out only after the commit. Also the loop's timers: periods
 * opening and closing on time, and coalesced viewer counts. */
#ifndef RAATI_FORUM_ROUTES_H
#define RAATI_FORUM_ROUTES_H

#include "router.h"

/* Resumes the event sequence and schedules the period timer. */
void forum_start(app *a);
/* Commits any open commit group and cancels the timers. */
void forum_stop(app *a);
/* Commits any open commit group and frees it (after the loop ended). */
void forum_free(app *a);
/* Commits the open commit group, if any, and sends its events and replies:
 * called before anything else reads or writes the database (db_begin()
 * calls it too), and at the start of each turn of the loop. */
void forum_group_commit(app *a);
/* Sends the groups whose log flush is done (called when walsync wakes the
 * loop). */
void forum_group_synced(app *a);
/* Forgets a closing connection's replies waiting in the commit group. */
void forum_group_forget(app *a, struct conn *c);
/* Schedules a viewer-count update if one is due (called after a
 * connection leaves its channels). */
void forum_viewers_changed(app *a);
/* Gives a signed-in connection its hidden channels: its member's (notices,
 * its own hidden and pending posts) and, for moderators, the staff
 * channel; takes them (and "moderation") away from one no longer staff. */
void forum_sync_channels(app *a, struct conn *c);

int h_period_list(struct request *rq, json_t *reply, raati_error *err);
int h_period_get(struct request *rq, json_t *reply, raati_error *err);
int h_period_create(struct request *rq, json_t *reply, raati_error *err);
int h_period_update(struct request *rq, json_t *reply, raati_error *err);
/* period.announce, period.open, period.close */
int h_period_status(struct request *rq, json_t *reply, raati_error *err);
int h_period_participation(struct request *rq, json_t *reply, raati_error *err);
int h_topic_create(struct request *rq, json_t *reply, raati_error *err);
int h_topic_get(struct request *rq, json_t *reply, raati_error *err);
int h_topic_read(struct request *rq, json_t *reply, raati_error *err);
int h_post_list(struct request *rq, json_t *reply, raati_error *err);
int h_post_create(struct request *rq, json_t *reply, raati_error *err);
int h_post_edit(struct request *rq, json_t *reply, raati_error *err);
int h_post_delete(struct request *rq, json_t *reply, raati_error *err);
int h_post_versions(struct request *rq, json_t *reply, raati_error *err);
int h_reaction_add(struct request *rq, json_t *reply, raati_error *err);
int h_reaction_remove(struct request *rq, json_t *reply, raati_error *err);
int h_poll_create(struct request *rq, json_t *reply, raati_error *err);
int h_poll_get(struct request *rq, json_t *reply, raati_error *err);
int h_poll_list(struct request *rq, json_t *reply, raati_error *err);
int h_poll_vote(struct request *rq, json_t *reply, raati_error *err);
int h_poll_update(struct request *rq, json_t *reply, raati_error *err);
int h_poll_close(struct request *rq, json_t *reply, raati_error *err);
int h_poll_ballots(struct request *rq, json_t *reply, raati_error *err);
int h_survey_create(struct request *rq, json_t *reply, raati_error *err);
int h_survey_update(struct request *rq, json_t *reply, raati_error *err);
/* survey.open, survey.close, survey.delete */
int h_survey_status(struct request *rq, json_t *reply, raati_error *err);
int h_survey_get(struct request *rq, json_t *reply, raati_error *err);
int h_survey_list(struct request *rq, json_t *reply, raati_error *err);
int h_survey_save(struct request *rq, json_t *reply, raati_error *err);
int h_survey_submit(struct request *rq, json_t *reply, raati_error *err);
int h_survey_results(struct request *rq, json_t *reply, raati_error *err);
int h_member_find(struct request *rq, json_t *reply, raati_error *err);
int h_member_suspend(struct request *rq, json_t *reply, raati_error *err);
int h_member_unsuspend(struct request *rq, json_t *reply, raati_error *err);
int h_member_role(struct request *rq, json_t *reply, raati_error *err);
int h_audit_list(struct request *rq, json_t *reply, raati_error *err);
int h_report_create(struct request *rq, json_t *reply, raati_error *err);
int h_queue_list(struct request *rq, json_t *reply, raati_error *err);
int h_queue_act(struct request *rq, json_t *reply, raati_error *err);
int h_post_hide(struct request *rq, json_t *reply, raati_error *err);
int h_post_restore(struct request *rq, json_t *reply, raati_error *err);
int h_post_move(struct request *rq, json_t *reply, raati_error *err);
int h_appeal_create(struct request *rq, json_t *reply, raati_error *err);
/* topic.lock, topic.unlock, topic.pin, topic.unpin */
int h_topic_moderate(struct request *rq, json_t *reply, raati_error *err);
int h_word_list(struct request *rq, json_t *reply, raati_error *err);
int h_word_add(struct request *rq, json_t *reply, raati_error *err);
int h_word_update(struct request *rq, json_t *reply, raati_error *err);
int h_word_remove(struct request *rq, json_t *reply, raati_error *err);
int h_notice_list(struct request *rq, json_t *reply, raati_error *err);
int h_notice_read(struct request *rq, json_t *reply, raati_error *err);
int h_subscribe(struct request *rq, json_t *reply, raati_error *err);
int h_unsubscribe(struct request *rq, json_t *reply, raati_error *err);

int h_results_get(struct request *rq, json_t *reply, raati_error *err);
int h_results_versions(struct request *rq, json_t *reply, raati_error *err);
int h_results_quotable(struct request *rq, json_t *reply, raati_error *err);
/* results.save, results.publish, results.unpublish, follow_up.add,
 * follow_up.edit, follow_up.delete, quote.withdraw */
int h_results_change(struct request *rq, json_t *reply, raati_error *err);

#endif
