/* markdown.h: members' text. Length rules for text fields, and CommonMark
 * rendered once, when it is written, by cmark in safe mode (raw HTML and
 * dangerous link schemes dropped), with every link marked
 * rel="nofollow noopener ugc", headings shifted two levels down and a line
 * break kept where the writer pressed Enter. */
#ifndef RAATI_MARKDOWN_H
#define RAATI_MARKDOWN_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"

/* Unicode code points in valid UTF-8 s of len bytes. */
size_t text_chars(const char *s, size_t len);

/* Reads the string field key of obj, trimmed of white space at both ends,
 * into a new string *out (the caller frees it). Fails with missing_field,
 * invalid_field (not a string, or fewer than min_chars characters after
 * trimming) or too_long (more than max_chars; err->limit says so). When the
 * field is absent and not required, *out is NULL and the result RAATI_OK. */
raati_code text_field(json_t *obj, const char *key, int required, size_t min_chars,
                      size_t max_chars, char **out, raati_error *err);

/* Renders markdown src to HTML; NULL only when out of memory. The caller
 * frees the result with free(). */
char *markdown_html(const char *src);

#endif
