/* words.c: see words.h. */
#include "words.h"

#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "markdown.h"
#include "moderation.h"

static const char *const actions[] = {"block", "review", "replace"};
enum { ACTION_BLOCK, ACTION_REVIEW, ACTION_REPLACE, ACTION_COUNT };
#define REPLACEMENT_DEFAULT "***"

unsigned words_fold(unsigned cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 32;
    /* Latin Extended-A pairs: upper case on even code points, except in
     * 0x139-0x148 and 0x179-0x17E, where it is on odd ones. */
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
        return cp | 1;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
        return (cp & 1) ? cp + 1 : cp;
    if (cp == 0x178)
        return 0xFF;
    return cp;
}

/* Decodes the next character of valid UTF-8 at s; *len its bytes. */
static unsigned next_cp(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0 && s[1]) {
        *len = 2;
        return ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    }
    if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2]) {
        *len = 3;
        return ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    }
    if ((s[0] & 0xF8) == 0xF0 && s[1] && s[2] && s[3]) {
        *len = 4;
        return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
               (s[3] & 0x3Fu);
    }
    *len = 1;
    return 0xFFFD;
}

/* Part of a word: letters and digits, in any script (outside ASCII,
 * everything but spaces and punctuation counts). */
static int wordy(unsigned cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return 0;
    if ((cp >= 0x2000 && cp <= 0x206F) || cp == 0x3000 || (cp >= 0x3001 && cp <= 0x303F) ||
        cp == 0xFEFF)
        return 0;
    return 1;
}

static int spacey(unsigned cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x202F ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x3000;
}

/* A text as folded code points, with each one's byte offset (and one more
 * entry for the end). */
struct cps {
    unsigned *cp;
    size_t *at;
    size_t n;
};

static int decode(const char *s, struct cps *out)
{
    size_t bytes = strlen(s);
    out->cp = malloc((bytes + 1) * sizeof *out->cp);
    out->at = malloc((bytes + 1) * sizeof *out->at);
    out->n = 0;
    if (!out->cp || !out->at) {
        free(out->cp);
        free(out->at);
        return -1;
    }
    size_t i = 0, len;
    while (i < bytes) {
        unsigned cp = next_cp((const unsigned char *)s + i, &len);
        out->at[out->n] = i;
        out->cp[out->n++] = words_fold(cp);
        i += len;
    }
    out->at[out->n] = bytes;
    return 0;
}

static void cps_free(struct cps *c)
{
    free(c->cp);
    free(c->at);
}

struct word {
    struct cps pat; /* without the final '*' */
    int prefix;     /* ended in '*' */
    int action;
    char *text, *replacement;
};

/* How many code points of t from i the word matches (0: none). */
static size_t match_at(const struct cps *t, size_t i, const struct word *w)
{
    if (i > 0 && wordy(t->cp[i - 1]))
        return 0;
    size_t j = 0, k = i;
    while (j < w->pat.n) {
        if (k >= t->n)
            return 0;
        if (w->pat.cp[j] == ' ') {
            if (!spacey(t->cp[k]))
                return 0;
        } else if (w->pat.cp[j] != t->cp[k]) {
            return 0;
        }
        j++, k++;
    }
    if (w->prefix) {
        while (k < t->n && wordy(t->cp[k]))
            k++;
    } else if (k < t->n && wordy(t->cp[k])) {
        return 0;
    }
    return k - i;
}

static void words_free(struct word *w, int n)
{
    for (int i = 0; i < n; i++) {
        cps_free(&w[i].pat);
        free(w[i].text);
        free(w[i].replacement);
    }
    free(w);
}

/* The watched words, block words first; *n how many. NULL with *n 0 when
 * there are none; NULL with *n -1 on failure. */
static struct word *load_words(db *d, int *n)
{
    *n = 0;
    sqlite3_stmt *st = db_prepare(
        d, "SELECT word, action, replacement FROM watched_word ORDER BY action = 'block' DESC, id");
    if (!st) {
        *n = -1;
        return NULL;
    }
    struct word *w = NULL;
    int cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            struct word *grown = realloc(w, (size_t)cap * sizeof *w);
            if (!grown)
                goto fail;
            w = grown;
        }
        struct word *x = &w[*n];
        memset(x, 0, sizeof *x);
        x->text = strdup((const char *)sqlite3_column_text(st, 0));
        x->replacement = strdup((const char *)sqlite3_column_text(st, 2));
        const char *a = (const char *)sqlite3_column_text(st, 1);
        x->action = !strcmp(a, "block")    ? ACTION_BLOCK
                    : !strcmp(a, "review") ? ACTION_REVIEW
                                           : ACTION_REPLACE;
        if (!x->text || !x->replacement) {
            free(x->text);
            free(x->replacement);
            goto fail;
        }
        size_t len = strlen(x->text);
        x->prefix = len > 0 && x->text[len - 1] == '*';
        char *pat = strndup(x->text, len - (size_t)x->prefix);
        int bad = !pat || decode(pat, &x->pat);
        free(pat);
        if (bad) {
            free(x->text);
            free(x->replacement);
            goto fail;
        }
        (*n)++;
    }
    sqlite3_reset(st);
    return w;
fail:
    sqlite3_reset(st);
    words_free(w, *n);
    *n = -1;
    return NULL;
}

raati_code words_apply(db *d, const char *field, size_t max_chars, char **text, json_t *found,
                       raati_error *err)
{
    int n;
    struct word *w = load_words(d, &n);
    if (n < 0)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the watched words");
    if (!n)
        return RAATI_OK;
    struct cps t;
    if (decode(*text, &t)) {
        words_free(w, n);
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    }
    raati_code rc = RAATI_OK;
    /* Block words first, over the whole text, so a blocked text is never
     * changed. */
    for (size_t i = 0; i < t.n && !rc; i++)
        for (int k = 0; k < n && w[k].action == ACTION_BLOCK; k++) {
            size_t m = match_at(&t, i, &w[k]);
            if (!m)
                continue;
            /* The word as the member wrote it, so they find it. */
            int len = (int)(t.at[i + m] - t.at[i]);
            rc = raati_fail(err, RAATI_E_WATCHED_WORD, field,
                            "%s holds a word the moderators have blocked: %.*s", field,
                            len > 100 ? 100 : len, *text + t.at[i]);
            if (err) {
                snprintf(err->word, sizeof err->word, "%.*s", len, *text + t.at[i]);
                raati_utf8_scrub(err->word);
            }
            break;
        }
    /* Review words are noted wherever they match (they change nothing). */
    for (size_t i = 0; i < t.n && !rc && found; i++)
        for (int k = 0; k < n; k++)
            if (w[k].action == ACTION_REVIEW && match_at(&t, i, &w[k])) {
                size_t x;
                json_t *v;
                int seen = 0;
                json_array_foreach(found, x, v) seen |= !strcmp(json_string_value(v), w[k].text);
                if (!seen)
                    json_array_append_new(found, json_string(w[k].text));
            }
    /* Then replace words, left to right. */
    size_t bytes = strlen(*text), cap = bytes + 1, len = 0;
    char *out = rc ? NULL : malloc(cap);
    int replaced = 0;
    if (!rc && !out)
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < t.n && !rc;) {
        size_t m = 0;
        int k;
        for (k = 0; k < n; k++)
            if (w[k].action == ACTION_REPLACE && (m = match_at(&t, i, &w[k])))
                break;
        const char *add = *text + t.at[i];
        size_t add_len = t.at[i + 1] - t.at[i];
        if (m) {
            add = w[k].replacement;
            add_len = strlen(add);
            replaced = 1;
        }
        if (len + add_len + 1 > cap) {
            cap = (len + add_len + 1) * 2;
            char *grown = realloc(out, cap);
            if (!grown) {
                rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
                break;
            }
            out = grown;
        }
        memcpy(out + len, add, add_len);
        len += add_len;
        i += m ? m : 1;
    }
    if (!rc && replaced) {
        /* The text with its replacements must still be a valid field: not
         * empty, not too long. */
        out[len] = '\0';
        json_t *again = json_pack("{s:s}", field, out);
        char *checked = NULL;
        rc = again ? text_field(again, field, 1, 1, max_chars, &checked, err)
                   : raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        json_decref(again);
        if (!rc) {
            free(*text);
            *text = checked;
        }
    }
    free(out);
    cps_free(&t);
    words_free(w, n);
    return rc;
}

/* ---- the list ---- */

json_t *word_json(db *d, int64_t id)
{
    sqlite3_stmt *st = db_prepare(
        d, "SELECT w.id, w.word, w.action, w.replacement, w.created_at, w.created_by, "
           "m.display_name FROM watched_word w LEFT JOIN member m ON m.id = w.created_by "
           "WHERE w.id = ?");
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    json_t *w = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        json_t *by = sqlite3_column_type(st, 5) == SQLITE_NULL
                         ? json_null()
                         : json_pack("{s:I, s:o}", "id", (json_int_t)sqlite3_column_int64(st, 5),
                                     "display_name", forum_col_text(st, 6));
        w = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id",
                      (json_int_t)sqlite3_column_int64(st, 0), "word", forum_col_text(st, 1),
                      "action", forum_col_text(st, 2), "replacement", forum_col_text(st, 3),
                      "created_at", forum_col_text(st, 4), "created_by", by);
    }
    sqlite3_reset(st);
    return w;
}

raati_code word_list(forum_ctx *f, json_t *reply, raati_error *err)
{
    sqlite3_stmt *st = db_prepare(f->db, "SELECT id FROM watched_word ORDER BY word");
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the watched words");
    json_t *words = json_array();
    int64_t ids[1024];
    int n = 0;
    while (n < 1024 && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    for (int i = 0; i < n; i++) {
        json_t *w = word_json(f->db, ids[i]);
        if (w)
            json_array_append_new(words, w);
    }
    json_object_set_new(reply, "words", words);
    return RAATI_OK;
}

/* The action and replacement fields (required: action must be there). */
static raati_code action_fields(json_t *msg, int required, int *action, char **replacement,
                                raati_error *err)
{
    const char *a = NULL;
    raati_code rc = jfield_string(msg, "action", required, &a, NULL, err);
    if (rc)
        return rc;
    *action = -1;
    for (int i = 0; a && i < ACTION_COUNT; i++)
        if (!strcmp(a, actions[i]))
            *action = i;
    if (a && *action < 0)
        return raati_fail(err, RAATI_E_INVALID_FIELD, "action",
                          "action must be block, review or replace");
    if ((rc = text_field(msg, "replacement", 0, 0, WORD_MAX, replacement, err)))
        return rc;
    if (*replacement && *action != ACTION_REPLACE) {
        free(*replacement);
        *replacement = NULL;
        return raati_fail(err, RAATI_E_INVALID_FIELD, "replacement",
                          "replacement goes only with the action replace");
    }
    if (*action == ACTION_REPLACE && !*replacement && !(*replacement = strdup(REPLACEMENT_DEFAULT)))
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    return RAATI_OK;
}

static raati_code word_audit(forum_ctx *f, const char *action, int64_t id, const char *word,
                             const char *what, raati_error *err)
{
    json_t *details = what ? json_pack("{s:s}", "action", what) : NULL;
    raati_code rc = audit_add(f, action, "word", id, word, "", details, err);
    json_decref(details);
    return rc;
}

raati_code word_add(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err)
{
    char *word = NULL, *replacement = NULL;
    int action;
    raati_code rc;
    if ((rc = text_field(msg, "word", 1, 1, WORD_MAX, &word, err)) ||
        (rc = action_fields(msg, 1, &action, &replacement, err)))
        goto out;
    /* Letters, digits, single spaces, - and ', and a final '*'. */
    char *folded = malloc(strlen(word) * 2 + 1);
    if (!folded) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
        goto out;
    }
    size_t i = 0, len, o = 0, bytes = strlen(word);
    unsigned prev = ' ';
    int letters = 0;
    while (i < bytes && !rc) {
        unsigned cp = words_fold(next_cp((const unsigned char *)word + i, &len));
        int last = i + len == bytes;
        if (cp == '*' && !last)
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "word", "a * may only end the word");
        else if (cp == ' ' && prev == ' ')
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "word",
                            "a word may not have two spaces in a row");
        else if (!(wordy(cp) || cp == ' ' || cp == '-' || cp == '\'' || cp == '*'))
            rc = raati_fail(err, RAATI_E_INVALID_FIELD, "word",
                            "a word may hold letters, digits, spaces, - and ', and end in *");
        letters += wordy(cp);
        /* Encode the folded code point back. */
        if (cp < 0x80) {
            folded[o++] = (char)cp;
        } else if (cp < 0x800) {
            folded[o++] = (char)(0xC0 | (cp >> 6));
            folded[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            memcpy(folded + o, word + i, len);
            o += len;
        }
        prev = cp;
        i += len;
    }
    folded[o] = '\0';
    if (!rc && !letters)
        rc = raati_fail(err, RAATI_E_INVALID_FIELD, "word", "a word needs a letter or a digit");
    if (rc) {
        free(folded);
        goto out;
    }
    free(word);
    word = folded;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT 1 FROM watched_word WHERE word = ?");
    int exists = 0;
    if (st) {
        sqlite3_bind_text(st, 1, word, -1, SQLITE_TRANSIENT);
        exists = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
    }
    if (exists) {
        rc = raati_fail(err, RAATI_E_CONFLICT, "word", "that word is on the list already");
        goto out;
    }
    st = db_prepare(f->db, "INSERT INTO watched_word (word, action, replacement, created_by, "
                           "created_at) VALUES (?, ?, ?, ?, ?)");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the word");
        goto out;
    }
    sqlite3_bind_text(st, 1, word, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, actions[action], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, replacement ? replacement : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, f->member_id);
    sqlite3_bind_text(st, 5, f->now, -1, SQLITE_TRANSIENT);
    if ((rc = forum_step(f->db, st, "the word", err)))
        goto out;
    *id = sqlite3_last_insert_rowid(db_handle(f->db));
    rc = word_audit(f, "word.add", *id, word, actions[action], err);
out:
    free(word);
    free(replacement);
    return rc;
}

/* The word with the id in msg's word_id; not_found if none. */
static raati_code find_word(forum_ctx *f, json_t *msg, int64_t *id, char **word, raati_error *err)
{
    raati_code rc = forum_id(msg, "word_id", 1, id, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = db_prepare(f->db, "SELECT word FROM watched_word WHERE id = ?");
    *word = NULL;
    if (!st)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "could not read the word");
    sqlite3_bind_int64(st, 1, *id);
    if (sqlite3_step(st) == SQLITE_ROW)
        *word = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (!*word)
        return raati_fail(err, RAATI_E_NOT_FOUND, "word_id", "no such word");
    return RAATI_OK;
}

raati_code word_update(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err)
{
    char *word = NULL, *replacement = NULL;
    int action;
    raati_code rc;
    if ((rc = action_fields(msg, 1, &action, &replacement, err)) ||
        (rc = find_word(f, msg, id, &word, err)))
        goto out;
    sqlite3_stmt *st =
        db_prepare(f->db, "UPDATE watched_word SET action = ?, replacement = ? WHERE id = ?");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not save the word");
        goto out;
    }
    sqlite3_bind_text(st, 1, actions[action], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, replacement ? replacement : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, *id);
    if (!(rc = forum_step(f->db, st, "the word", err)))
        rc = word_audit(f, "word.update", *id, word, actions[action], err);
out:
    free(word);
    free(replacement);
    return rc;
}

raati_code word_remove(forum_ctx *f, json_t *msg, raati_error *err)
{
    int64_t id;
    char *word = NULL;
    raati_code rc = find_word(f, msg, &id, &word, err);
    if (rc)
        goto out;
    sqlite3_stmt *st = db_prepare(f->db, "DELETE FROM watched_word WHERE id = ?");
    if (!st) {
        rc = raati_fail(err, RAATI_E_INTERNAL, NULL, "could not remove the word");
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    if (!(rc = forum_step(f->db, st, "the word", err)))
        rc = word_audit(f, "word.remove", id, word, NULL, err);
out:
    free(word);
    return rc;
}
