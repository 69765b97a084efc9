/* What polls and survey questions share (server/question.c): reading a
 * question's fields, checking answers against it, and adding up results. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "question.h"

static void spec_reads_each_kind(void)
{
    struct question_spec q;
    raati_error err = {0};
    json_t *msg = json_pack("{s:[s, s, s], s:i, s:i}", "options", "Kyllä", " Ei ", "Ehkä",
                            "min_picks", 2, "max_picks", 3);
    CHECK(question_read_spec(msg, Q_MULTIPLE, "", &q, &err) == RAATI_OK);
    CHECK(q.n_options == 3 && q.min_picks == 2 && q.max_picks == 3);
    CHECK_STR(q.labels[1], "Ei"); /* trimmed */
    question_spec_free(&q);
    json_decref(msg);

    msg = json_pack("{s:[s, s]}", "options", "Sama", "Sama");
    CHECK(question_read_spec(msg, Q_SINGLE, "questions.2.", &q, &err) == RAATI_E_INVALID_FIELD);
    CHECK_STR(err.field, "questions.2.options");
    question_spec_free(&q);
    json_decref(msg);

    msg = json_pack("{s:[s, s], s:i, s:i}", "options", "A", "B", "min_picks", 2, "max_picks", 1);
    CHECK(question_read_spec(msg, Q_MULTIPLE, "", &q, &err) == RAATI_E_INVALID_FIELD);
    CHECK_STR(err.field, "max_picks");
    question_spec_free(&q);
    json_decref(msg);

    msg = json_pack("{s:{s:i, s:i, s:s}}", "scale", "min", 0, "max", 10, "min_label", "Ei");
    CHECK(question_read_spec(msg, Q_SCALE, "", &q, &err) == RAATI_OK);
    CHECK(q.scale_min == 0 && q.scale_max == 10);
    question_spec_free(&q);
    json_decref(msg);

    msg = json_pack("{s:{s:i, s:i}}", "scale", "min", 1, "max", 11);
    CHECK(question_read_spec(msg, Q_SCALE, "questions.0.", &q, &err) == RAATI_E_INVALID_FIELD);
    CHECK_STR(err.field, "questions.0.scale");
    question_spec_free(&q);
    json_decref(msg);

    msg = json_object(); /* text questions need nothing more */
    CHECK(question_read_spec(msg, Q_LONG_TEXT, "", &q, &err) == RAATI_OK);
    CHECK(question_read_spec(msg, Q_RANKING, "", &q, &err) == RAATI_E_MISSING_FIELD);
    question_spec_free(&q);
    json_decref(msg);
}

static void answers_fit_the_kind(void)
{
    struct question_rules r = {Q_MULTIPLE, 1, 2, 0, 0, 3, {11, 12, 13}};
    int64_t choices[QUESTION_OPTIONS_MAX];
    int n, value;
    raati_error err = {0};
    json_t *a = json_pack("[i, i]", 13, 11);
    CHECK(question_check_answer(&r, a, "answer", choices, &n, &value, &err) == RAATI_OK);
    CHECK(n == 2 && choices[0] == 13 && choices[1] == 11);
    json_decref(a);
    a = json_pack("[i, i, i]", 11, 12, 13); /* too many */
    CHECK(question_check_answer(&r, a, "answer", choices, &n, &value, &err) ==
          RAATI_E_INVALID_FIELD);
    CHECK_STR(err.field, "answer");
    json_decref(a);
    a = json_pack("[i, i]", 11, 11); /* twice */
    CHECK(question_check_answer(&r, a, "answers.4", choices, &n, &value, &err) ==
          RAATI_E_INVALID_FIELD);
    CHECK_STR(err.field, "answers.4");
    json_decref(a);
    a = json_pack("[i]", 99); /* another question's option */
    CHECK(question_check_answer(&r, a, "answer", choices, &n, &value, &err) ==
          RAATI_E_INVALID_FIELD);
    json_decref(a);

    r.kind = Q_RANKING;
    a = json_pack("[i, i]", 12, 11); /* leaves one out */
    CHECK(question_check_answer(&r, a, "answer", choices, &n, &value, &err) ==
          RAATI_E_INVALID_FIELD);
    json_decref(a);

    r.kind = Q_SCALE;
    r.scale_min = 1;
    r.scale_max = 5;
    a = json_integer(5);
    CHECK(question_check_answer(&r, a, "answer", choices, &n, &value, &err) == RAATI_OK);
    CHECK(value == 5);
    json_decref(a);
    a = json_integer(6);
    CHECK(question_check_answer(&r, a, "answer", choices, &n, &value, &err) ==
          RAATI_E_INVALID_FIELD);
    json_decref(a);
    a = json_string("5");
    CHECK(question_check_answer(&r, a, "answer", choices, &n, &value, &err) ==
          RAATI_E_INVALID_FIELD);
    json_decref(a);
}

static void ranking_results_best_first(void)
{
    struct question_rules r = {Q_RANKING, 0, 0, 0, 0, 3, {11, 12, 13}};
    struct question_tally t = {0};
    int64_t b1[] = {13, 11, 12}, b2[] = {13, 12, 11};
    question_tally_add(&r, &t, b1, 3, 0);
    question_tally_add(&r, &t, b2, 3, 0);
    json_t *res = question_results(&r, &t);
    json_t *options = json_object_get(res, "options");
    CHECK(json_integer_value(json_object_get(res, "voters")) == 2);
    CHECK(json_integer_value(json_object_get(json_array_get(options, 0), "id")) == 13);
    CHECK(json_integer_value(json_object_get(json_array_get(options, 0), "points")) == 4);
    CHECK(json_real_value(json_object_get(json_array_get(options, 0), "mean_rank")) == 1.0);
    /* 11 and 12 tie at 1 point each: the question's order is kept */
    CHECK(json_integer_value(json_object_get(json_array_get(options, 1), "id")) == 11);
    json_decref(res);

    struct question_rules s = {Q_SCALE, 0, 0, 1, 5, 0, {0}};
    struct question_tally u = {0};
    question_tally_add(&s, &u, NULL, 0, 2);
    question_tally_add(&s, &u, NULL, 0, 5);
    res = question_results(&s, &u);
    CHECK(json_real_value(json_object_get(res, "mean")) == 3.5);
    CHECK(json_array_size(json_object_get(res, "values")) == 5);
    json_decref(res);
    struct question_tally none = {0};
    res = question_results(&s, &none);
    CHECK(json_is_null(json_object_get(res, "mean")));
    json_decref(res);
}

int main(void)
{
    RUN(spec_reads_each_kind);
    RUN(answers_fit_the_kind);
    RUN(ranking_results_best_first);
    return CHECK_DONE();
}
