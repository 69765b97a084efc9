/* markdown.c: see markdown.h. */
#include "markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

size_t text_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Bytes of the white-space character at s (len bytes left), or 0: ASCII
 * white space, and Unicode's no-break, typographic and ideographic spaces,
 * line and paragraph separators, zero-width space and the BOM, so a text
 * of only such characters counts as empty. */
static size_t space_at(const unsigned char *s, size_t len)
{
    if (len && (*s == ' ' || (*s >= '\t' && *s <= '\r')))
        return 1;
    if (len >= 2 && s[0] == 0xC2 && (s[1] == 0xA0 || s[1] == 0x85))
        return 2;
    if (len < 3)
        return 0;
    unsigned cp = ((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    if ((s[0] & 0xF0) != 0xE0)
        return 0;
    if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF)
        return 3;
    return 0;
}

raati_code text_field(json_t *obj, const char *key, int required, size_t min_chars,
                      size_t max_chars, char **out, raati_error *err)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return raati_fail(err, RAATI_E_MISSING_FIELD, key, "%s is required", key);
        return RAATI_OK;
    }
    if (!json_is_string(v))
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must be a string", key);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (memchr(s, '\0', len))
        return raati_fail(err, RAATI_E_INVALID_FIELD, key, "%s must not contain NUL", key);
    size_t n;
    while ((n = space_at((const unsigned char *)s, len)))
        s += n, len -= n;
    for (;;) {
        /* The start of the last character, then whether it is a space. */
        size_t k = len;
        while (k && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
            k--;
        if (!k || space_at((const unsigned char *)s + k - 1, len - k + 1) != len - k + 1)
            break;
        len = k - 1;
    }
    size_t chars = text_chars(s, len);
    if (chars > max_chars) {
        raati_fail(err, RAATI_E_TOO_LONG, key, "%s is %zu characters long; the most is %zu", key,
                   chars, max_chars);
        if (err)
            err->limit = (int)max_chars;
        return RAATI_E_TOO_LONG;
    }
    if (chars < min_chars)
        return raati_fail(err, RAATI_E_INVALID_FIELD, key,
                          chars ? "%s is too short" : "%s must not be empty", key);
    *out = strndup(s, len);
    if (!*out)
        return raati_fail(err, RAATI_E_INTERNAL, NULL, "out of memory");
    return RAATI_OK;
}

/* Appends n bytes of s to the growing buffer b. */
struct buf {
    char *p;
    size_t len, cap;
};

static int put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

char *markdown_html(const char *src)
{
    const int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_HARDBREAKS;
    cmark_node *doc = cmark_parse_document(src, strlen(src), opts);
    if (!doc)
        return NULL;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING) {
            int level = cmark_node_get_heading_level(n) + 2;
            cmark_node_set_heading_level(n, level > 6 ? 6 : level);
        }
    }
    cmark_iter_free(it);
    char *html = cmark_render_html(doc, opts);
    cmark_node_free(doc);
    if (!html)
        return NULL;

    /* In safe mode every "<a href=" in the output is a link cmark wrote:
     * text and code have their "<" escaped, and raw HTML is omitted. */
    static const char tag[] = "<a href=\"";
    static const char with_rel[] = "<a rel=\"nofollow noopener ugc\" href=\"";
    struct buf b = {0};
    const char *p = html, *hit;
    int fail = 0;
    while (!fail && (hit = strstr(p, tag))) {
        fail = put(&b, p, (size_t)(hit - p)) || put(&b, with_rel, sizeof with_rel - 1);
        p = hit + sizeof tag - 1;
    }
    if (!fail)
        fail = put(&b, p, strlen(p));
    free(html);
    if (fail) {
        free(b.p);
        return NULL;
    }
    return b.p ? b.p : strdup("");
}
