/* moderation.h: moderators' and admins' actions on members, and the audit
 * log every such action writes to (docs/protocol.md, "Moderation"). Each
 * writing function runs inside the caller's transaction, and writes its
 * audit entry in that same transaction, so an action is never without its
 * entry nor an entry without its action. */
#ifndef RAATI_MODERATION_H
#define RAATI_MODERATION_H

#include "forum.h"

#define MODERATION_REASON_MAX 500
#define AUDIT_PAGE_MAX 200

/* Appends to the audit log: f's member did action (a message type) to
 * target_kind target_id (named target_name), with reason and details
 * (JSON, borrowed; may be NULL). actor_id 0 is the command line. */
raati_code audit_add(forum_ctx *f, const char *action, const char *target_kind, int64_t target_id,
                     const char *target_name, const char *reason, json_t *details,
                     raati_error *err);
/* audit.list: newest first, filtered by actor, action or target. */
raati_code audit_list(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);

/* A member's role and, when suspended now, until when (ms; 0 if not).
 * -1 when there is no such member. */
int member_standing(db *d, int64_t id, int64_t now_ms, int *role, int64_t *suspended_until);

raati_code member_suspend(forum_ctx *f, json_t *msg, int64_t *member_id, raati_error *err);
/* The same, decided from the queue's item_id (in the audit entry). */
raati_code member_suspend_for(forum_ctx *f, json_t *msg, int64_t item_id, int64_t *member_id,
                              raati_error *err);
raati_code member_unsuspend(forum_ctx *f, json_t *msg, int64_t *member_id, raati_error *err);
/* member.role (admins): appoints moderators and admins, or makes them
 * members again. */
raati_code member_change_role(forum_ctx *f, json_t *msg, int64_t *member_id, raati_error *err);
/* member.find: members whose name or email contains query. */
raati_code member_find(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);
/* The member's display name into name (256 bytes; "" if none). */
void member_name_of(db *d, int64_t id, char name[256]);
/* The member as moderators see them: id, name, email, role, joined,
 * suspension. */
json_t *member_staff_json(db *d, int64_t id, int64_t now_ms);

#endif
