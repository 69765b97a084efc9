/* reports.h: members report posts, and the reports wait in the
 * moderators' queue (docs/protocol.md, "Reports and the queue"). Writing
 * functions run in the caller's transaction and stamp the queue item with
 * f->seq; a moderator's action writes its audit entry in it too. */
#ifndef RAATI_REPORTS_H
#define RAATI_REPORTS_H

#include "forum.h"

#define REPORT_TEXT_MAX 500
#define QUEUE_PAGE_MAX 100

/* report.create: *item_id is the queue item the report joined. */
raati_code report_create(forum_ctx *f, json_t *msg, int64_t *item_id, raati_error *err);
/* queue.list */
raati_code queue_list(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
/* queue.changed events of the items changed after since, oldest first;
 * NULL and *too_many past max. */
json_t *queue_changes(db *d, int64_t since, int max, int *too_many);
/* The queue item as moderators see it, or NULL. */
json_t *queue_item_json(db *d, int64_t id);

#endif
