/* question.h: what polls and survey questions share: the kinds, reading a
 * question's kind-specific fields (options, picks, scale) from a request,
 * and checking an answer against a stored question (docs/protocol.md,
 * "Kinds and answers" and "Questions"). Nothing here touches the database. */
#ifndef RAATI_QUESTION_H
#define RAATI_QUESTION_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"

enum question_kind { Q_SINGLE, Q_MULTIPLE, Q_SCALE, Q_RANKING, Q_SHORT_TEXT, Q_LONG_TEXT };
#define Q_CHOICE_KINDS 4 /* polls have the first four */
#define Q_KINDS 6
extern const char *const question_kinds[Q_KINDS];

#define QUESTION_TEXT_MAX 300
#define QUESTION_HELP_MAX 2000
#define QUESTION_OPTION_MAX 200
#define QUESTION_OPTIONS_MAX 20
#define QUESTION_RANKING_MAX 10
#define QUESTION_SCALE_LABEL_MAX 60
#define QUESTION_SHORT_TEXT_MAX 300
#define QUESTION_LONG_TEXT_MAX 5000

/* The index of s in names, or -1. */
int question_index_of(const char *const *names, int n, const char *s);

/* A question's kind-specific fields as a request gives them. */
struct question_spec {
    int kind;
    int min_picks, max_picks; /* multiple */
    int scale_min, scale_max; /* scale */
    char *min_label, *max_label;
    int n_options;
    char *labels[QUESTION_OPTIONS_MAX];
};

/* Reads options, min_picks and max_picks, or scale, of obj for kind into
 * q (which the caller frees with question_spec_free, also on failure).
 * Errors name the field after prefix ("" for a poll, "questions.2." for a
 * survey's third question). */
raati_code question_read_spec(json_t *obj, int kind, const char *prefix, struct question_spec *q,
                              raati_error *err);
void question_spec_free(struct question_spec *q);

/* A stored question, as answers are checked against it. */
struct question_rules {
    int kind;
    int min_picks, max_picks, scale_min, scale_max;
    int n_options;
    int64_t option_ids[QUESTION_OPTIONS_MAX]; /* in the question's order */
};

/* Checks a choice question's answer (not null) against r: option ids go
 * into choices (ranking order) with their number in *n, a scale's number
 * into *value. invalid_field naming field unless it fits. */
raati_code question_check_answer(const struct question_rules *r, json_t *answer, const char *field,
                                 int64_t *choices, int *n, int *value, raati_error *err);

/* The index of option id in r, or -1. */
int question_option_index(const struct question_rules *r, int64_t id);

/* What the answers to one question add up to, in its option order. */
struct question_tally {
    long long voters;                          /* answers counted */
    long long counts[QUESTION_OPTIONS_MAX];    /* times each option was picked */
    long long rank_sums[QUESTION_OPTIONS_MAX]; /* ranking: sum of 0-based places */
    long long values[11];                      /* scale: answers with each value */
};
/* Adds one checked answer (question_check_answer's choices or value). */
void question_tally_add(const struct question_rules *r, struct question_tally *t,
                        const int64_t *choices, int n, int value);
/* The results as the protocol shows them: {"voters", "options"} for
 * single and multiple, with points and mean_rank best first for ranking,
 * {"voters", "values", "mean"} for scale (docs/protocol.md, "The poll
 * object"). */
json_t *question_results(const struct question_rules *r, const struct question_tally *t);

#endif
