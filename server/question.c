/* question.c: see question.h. */
#include "question.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "markdown.h"

const char *const question_kinds[Q_KINDS] = {"single",  "multiple",   "scale",
                                             "ranking", "short_text", "long_text"};

int question_index_of(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (s && !strcmp(names[i], s))
            return i;
    return -1;
}

/* Names the field at fault as prefix + name. */
static raati_code at(raati_code rc, const char *prefix, const char *name, raati_error *err)
{
    if (rc && err)
        snprintf(err->field, sizeof err->field, "%s%s", prefix, name);
    return rc;
}

static raati_code int_field(json_t *obj, const char *key, long long lo, long long hi, int *out,
                            raati_error *err)
{
    long long v;
    int present;
    raati_code rc = jfield_int(obj, key, 0, &v, &present, err);
    if (rc || !present)
        return rc;
    if (v < lo || v > hi)
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must be %lld to %lld", key, lo, hi);
    *out = (int)v;
    return RAATI_OK;
}

raati_code question_read_spec(json_t *obj, int kind, const char *prefix, struct question_spec *q,
                              raati_error *err)
{
    raati_code rc;
    memset(q, 0, sizeof *q);
    q->kind = kind;
    q->min_picks = 1;
    q->scale_min = 1;
    q->scale_max = 5;
    if (kind == Q_SHORT_TEXT || kind == Q_LONG_TEXT)
        return RAATI_OK;
    if (kind == Q_SCALE) {
        json_t *scale = json_object_get(obj, "scale");
        if (!json_is_object(scale))
            return at(raati_fail(err, scale ? RAATI_E_INVALID_FIELD : RAATI_E_MISSING_FIELD,
                                 "scale",
                                 "scale must be {\"min\", \"max\", \"min_label\", \"max_label\"}"),
                      prefix, "scale", err);
        if ((rc = int_field(scale, "min", 0, 1, &q->scale_min, err)) ||
            (rc = int_field(scale, "max", 2, 10, &q->scale_max, err)) ||
            (rc = text_field(scale, "min_label", 0, 0, QUESTION_SCALE_LABEL_MAX, &q->min_label,
                             err)) ||
            (rc = text_field(scale, "max_label", 0, 0, QUESTION_SCALE_LABEL_MAX, &q->max_label,
                             err)))
            return at(rc, prefix, "scale", err);
        return RAATI_OK;
    }
    json_t *options = json_object_get(obj, "options");
    size_t most = kind == Q_RANKING ? QUESTION_RANKING_MAX : QUESTION_OPTIONS_MAX;
    if (!json_is_array(options) || json_array_size(options) < 2 || json_array_size(options) > most)
        return at(raati_fail(err, options ? RAATI_E_INVALID_FIELD : RAATI_E_MISSING_FIELD,
                             "options", "options must be an array of 2 to %zu labels", most),
                  prefix, "options", err);
    for (size_t i = 0; i < json_array_size(options); i++) {
        json_t *wrap = json_pack("{s:O}", "options", json_array_get(options, i));
        rc = text_field(wrap, "options", 1, 1, QUESTION_OPTION_MAX, &q->labels[q->n_options], err);
        json_decref(wrap);
        if (rc)
            return at(rc, prefix, "options", err);
        for (int k = 0; k < q->n_options; k++)
            if (!strcmp(q->labels[k], q->labels[q->n_options])) {
                q->n_options++;
                return at(raati_fail(err, RAATI_E_INVALID_FIELD, "options",
                                     "option '%.60s' is listed twice", q->labels[k]),
                          prefix, "options", err);
            }
        q->n_options++;
    }
    if (kind == Q_MULTIPLE) {
        q->max_picks = q->n_options;
        if ((rc = int_field(obj, "min_picks", 1, q->n_options, &q->min_picks, err)))
            return at(rc, prefix, "min_picks", err);
        if ((rc = int_field(obj, "max_picks", 1, q->n_options, &q->max_picks, err)))
            return at(rc, prefix, "max_picks", err);
        if (q->max_picks < q->min_picks)
            return at(raati_fail(err, RAATI_E_INVALID_FIELD, "max_picks",
                                 "max_picks must not be less than min_picks"),
                      prefix, "max_picks", err);
    }
    return RAATI_OK;
}

void question_spec_free(struct question_spec *q)
{
    free(q->min_label);
    free(q->max_label);
    for (int i = 0; i < q->n_options; i++)
        free(q->labels[i]);
    q->min_label = q->max_label = NULL;
    q->n_options = 0;
}

int question_option_index(const struct question_rules *r, int64_t id)
{
    for (int i = 0; i < r->n_options; i++)
        if (r->option_ids[i] == id)
            return i;
    return -1;
}

raati_code question_check_answer(const struct question_rules *r, json_t *answer, const char *field,
                                 int64_t *choices, int *n, int *value, raati_error *err)
{
    *n = 0;
    if (r->kind == Q_SCALE) {
        if (!json_is_integer(answer) || json_integer_value(answer) < r->scale_min ||
            json_integer_value(answer) > r->scale_max)
            return raati_fail(err, RAATI_E_INVALID_FIELD, field,
                              "the answer must be a whole number from %d to %d", r->scale_min,
                              r->scale_max);
        *value = (int)json_integer_value(answer);
        return RAATI_OK;
    }
    if (r->kind == Q_SINGLE) {
        if (!json_is_integer(answer))
            return raati_fail(err, RAATI_E_INVALID_FIELD, field,
                              "the answer must be the id of one option");
        choices[(*n)++] = json_integer_value(answer);
    } else if (!json_is_array(answer) || json_array_size(answer) > QUESTION_OPTIONS_MAX) {
        return raati_fail(err, RAATI_E_INVALID_FIELD, field,
                          "the answer must be an array of option ids");
    } else {
        for (size_t i = 0; i < json_array_size(answer); i++) {
            json_t *v = json_array_get(answer, i);
            if (!json_is_integer(v))
                return raati_fail(err, RAATI_E_INVALID_FIELD, field,
                                  "the answer must be an array of option ids");
            choices[(*n)++] = json_integer_value(v);
        }
    }
    for (int i = 0; i < *n; i++) {
        for (int k = 0; k < i; k++)
            if (choices[k] == choices[i])
                return raati_fail(err, RAATI_E_INVALID_FIELD, field, "option %lld is given twice",
                                  (long long)choices[i]);
        if (question_option_index(r, choices[i]) < 0)
            return raati_fail(err, RAATI_E_INVALID_FIELD, field,
                              "%lld is not an option of this question", (long long)choices[i]);
    }
    if (r->kind == Q_MULTIPLE && (*n < r->min_picks || *n > r->max_picks))
        return raati_fail(err, RAATI_E_INVALID_FIELD, field, "pick %d to %d options", r->min_picks,
                          r->max_picks);
    if (r->kind == Q_RANKING && *n != r->n_options)
        return raati_fail(err, RAATI_E_INVALID_FIELD, field,
                          "a ranking must list every one of the %d options once", r->n_options);
    return RAATI_OK;
}

void question_tally_add(const struct question_rules *r, struct question_tally *t,
                        const int64_t *choices, int n, int value)
{
    t->voters++;
    if (r->kind == Q_SCALE) {
        if (value >= 0 && value <= 10)
            t->values[value]++;
        return;
    }
    for (int i = 0; i < n; i++) {
        int k = question_option_index(r, choices[i]);
        if (k >= 0) {
            t->counts[k]++;
            t->rank_sums[k] += i;
        }
    }
}

json_t *question_results(const struct question_rules *r, const struct question_tally *t)
{
    json_t *res = json_pack("{s:I}", "voters", (json_int_t)t->voters);
    if (r->kind == Q_SCALE) {
        json_t *values = json_array();
        long long sum = 0, n = 0;
        for (int v = r->scale_min; v <= r->scale_max && v <= 10; v++) {
            json_array_append_new(
                values, json_pack("{s:i, s:I}", "value", v, "count", (json_int_t)t->values[v]));
            sum += v * t->values[v];
            n += t->values[v];
        }
        json_object_set_new(res, "values", values);
        json_object_set_new(res, "mean", n ? json_real((double)sum / (double)n) : json_null());
        return res;
    }
    int order[QUESTION_OPTIONS_MAX];
    long long points[QUESTION_OPTIONS_MAX];
    for (int i = 0; i < r->n_options; i++) {
        order[i] = i;
        points[i] = t->counts[i] * (r->n_options - 1) - t->rank_sums[i];
    }
    /* A ranking is shown best first: most points (a stable insertion sort). */
    for (int i = 1; r->kind == Q_RANKING && i < r->n_options; i++)
        for (int k = i; k > 0 && points[order[k - 1]] < points[order[k]]; k--) {
            int x = order[k];
            order[k] = order[k - 1];
            order[k - 1] = x;
        }
    json_t *options = json_array();
    for (int j = 0; j < r->n_options; j++) {
        int i = order[j];
        json_int_t id = r->option_ids[i];
        if (r->kind == Q_RANKING)
            json_array_append_new(
                options,
                json_pack("{s:I, s:I, s:o}", "id", id, "points", (json_int_t)points[i], "mean_rank",
                          t->counts[i]
                              ? json_real((double)t->rank_sums[i] / (double)t->counts[i] + 1)
                              : json_null()));
        else
            json_array_append_new(
                options, json_pack("{s:I, s:I}", "id", id, "count", (json_int_t)t->counts[i]));
    }
    json_object_set_new(res, "options", options);
    return res;
}
