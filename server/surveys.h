/* surveys.h: surveys in activity periods (docs/protocol.md, "Surveys"):
 * ordered questions of the poll kinds and free text, answers saved
 * half-finished and submitted once, results and CSV for moderators, and
 * secret surveys whose responses cannot be linked to members after they
 * close. Functions that write run inside the caller's transaction and
 * stamp the survey with f->seq. */
#ifndef RAATI_SURVEYS_H
#define RAATI_SURVEYS_H

#include "forum.h"

#define SURVEY_TITLE_MAX 200
#define SURVEY_INTRO_MAX 4000
#define SURVEY_QUESTIONS_MAX 50

raati_code survey_create(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err);
raati_code survey_update(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err);
/* action: "open", "close" or "delete". */
raati_code survey_transition(forum_ctx *f, int64_t id, const char *action, raati_error *err);
/* survey.save (submit 0) and survey.submit (1). *submitted says whether
 * the response is submitted now (so the survey's public object changed). */
raati_code survey_answer(forum_ctx *f, json_t *msg, int submit, int64_t *id, int *submitted,
                         raati_error *err);
raati_code survey_results(forum_ctx *f, json_t *msg, json_t *reply, raati_error *err);

/* The survey as f's member sees it (with my_response), or with f NULL as
 * events carry it. NULL if there is none. */
json_t *survey_json(db *d, int64_t id, const forum_ctx *f);
/* The survey's period if role may see it (drafts: moderators); else
 * not_found. *draft says whether it is a draft. */
raati_code survey_period(db *d, int64_t id, int role, int64_t *period_id, int *draft,
                         raati_error *err);
/* The period's surveys as f sees them, newest first. */
json_t *survey_list(const forum_ctx *f, int64_t period_id);
/* survey.changed events (with my_response for member) of the period's
 * non-draft surveys changed after since; NULL on failure. */
json_t *survey_changes(db *d, int64_t period_id, int64_t since, const forum_ctx *f);

/* Closes open surveys past closes_at or in closed periods; up to max ids. */
int survey_apply_due(forum_ctx *f, int64_t *ids, int max);
/* When the next open survey should close (ms since the epoch), or -1. */
int64_t survey_next_due_ms(db *d);
int survey_is_secret(db *d, int64_t id);

/* The submitted responses as CSV (docs/protocol.md, "GET
 * /api/surveys/<id>/responses.csv"), headers in language lang (0 fi, 1 sv,
 * 2 en), cells separated by sep. A new string the caller frees, or NULL
 * with err set. */
char *survey_csv(db *d, int64_t id, int lang, char sep, raati_error *err);

#endif
