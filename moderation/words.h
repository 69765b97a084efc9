/* words.h: the words moderators watch for (docs/protocol.md, "Watched
 * words"), and checking a text against them. A word matches whole words,
 * ignoring case; one ending in '*' matches any ending. */
#ifndef RAATI_WORDS_H
#define RAATI_WORDS_H

#include "forum.h"

#define WORD_MAX 100

/* Checks text (the request field `field`) against the watched words. A
 * block word fails with watched_word (err->word the word) and leaves text
 * as it was; replace words are replaced in *text (which may be
 * reallocated), and the result is checked again as the field (empty:
 * invalid_field; over max_chars: too_long); the review words found are
 * appended to found (an array of strings, no repeats) when it is not
 * NULL. */
raati_code words_apply(db *d, const char *field, size_t max_chars, char **text, json_t *found,
                       raati_error *err);

/* word.list, word.add, word.update, word.remove (each writes its audit
 * entry). */
raati_code word_list(forum_ctx *f, json_t *reply, raati_error *err);
raati_code word_add(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err);
raati_code word_update(forum_ctx *f, json_t *msg, int64_t *id, raati_error *err);
raati_code word_remove(forum_ctx *f, json_t *msg, raati_error *err);
json_t *word_json(db *d, int64_t id);

/* Lower-cases one code point (ASCII, Latin-1 and Latin Extended-A). */
unsigned words_fold(unsigned cp);

#endif
