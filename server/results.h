/* results.h: published results pages (docs/protocol.md, "Results"): the
 * moderators' working copy, versions, follow-ups, quotes and the
 * documents the public pages are rendered from. Functions that write run
 * inside the caller's transaction; notices they add get f->seq. */
#ifndef RAATI_RESULTS_H
#define RAATI_RESULTS_H

#include "forum.h"

#define RESULTS_SUMMARY_MAX 20000
#define RESULTS_FINDINGS_MAX 30
#define RESULTS_FINDING_TITLE_MAX 200
#define RESULTS_FINDING_BODY_MAX 5000
#define RESULTS_ITEMS_MAX 20
#define RESULTS_QUOTES_MAX 30
#define RESULTS_QUOTE_MAX 1000
#define RESULTS_SLUG_MAX 80
#define FOLLOW_UP_TEXT_MAX 2000
#define FOLLOW_UP_REASON_MAX 1000
/* Groups with fewer participants than this are suppressed on public pages. */
#define RESULTS_SMALL_GROUP 5
#define RESULTS_FEED_MAX 50

/* Bumped by every change that can change a public page (a results write, a
 * quote withdrawn, a member's consent, a post hidden or deleted): the
 * page cache is valid while this number is the one it was built at. */
unsigned long results_generation(void);
void results_touch(void);

/* ---- moderators (the WebSocket messages) ---- */
raati_code results_get(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
raati_code results_save(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
raati_code results_publish(forum_ctx *f, json_t *msg, int publish, json_t *reply, raati_error *err);
raati_code results_versions(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
raati_code results_quotable(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
/* follow_up.add (which "add"), .edit, .delete */
raati_code follow_up_change(forum_ctx *f, const char *which, json_t *msg, json_t *reply,
                            raati_error *err);
/* quote.withdraw, by the quoted post's author. */
raati_code quote_withdraw(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);

/* The "results" object of a notice (period_id's page), or null. */
json_t *results_notice_link(db *d, int64_t period_id);

/* ---- the public pages (rendered by results_page.c) ---- */

/* The results document (docs/protocol.md, "The results document") of the
 * page at slug, with each finding's "follow_ups" and only the quotes that
 * show now: the newest version while published, or with preview the
 * working copy (any status, version fields null). NULL if there is none
 * to show. */
json_t *results_page_document(db *d, const config *cfg, const char *slug, int preview);
/* The published pages, newest first: [{"slug", "title", "starts_at",
 * "ends_at", "first_published_at", "published_at", "updated" (a version
 * after the first), "summary_text", "follow_ups": {"considering": n,
 * "in_progress": n, "done": n, "declined": n}}]. */
json_t *results_index(db *d);
/* The feed's entries, newest first, up to RESULTS_FEED_MAX:
 * [{"kind": "results", "slug", "title", "updated", "published",
 *   "summary_text"} or {"kind": "follow_up", "id", "slug", "title" (the
 *   period's), "finding", "date", "status", "text", "reason", "updated",
 *   "published"}]. */
json_t *results_feed(db *d);

#endif
