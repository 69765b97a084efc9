/* results_page.h: the public results pages (docs/protocol.md, "Public
 * pages"): the HTML of one period's results, the index of them, the Atom
 * feed and the accessibility statement, and the cache they are served
 * from.
 *
 * The renderers are pure: they take a results document (or the index, or
 * the feed, as results.h describes them), the configuration and a language,
 * and return a new string the caller frees. Every text that comes from the
 * document goes through an escaper; summary_html and body_html are cmark's
 * safe output and are inserted as they are.
 *
 * The texts of the pages are kept here, in C, in all three languages: the
 * renderers stay testable without files, one table holds every text in
 * fi, sv and en (results_texts_missing() lets a test check none is left
 * out), and a page never depends on the web root being readable. */
#ifndef RAATI_RESULTS_PAGE_H
#define RAATI_RESULTS_PAGE_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "db.h"

/* Pages are built in a buffer that fails past this size. */
#define RESULTS_PAGE_MAX (4 << 20)
/* Pages, indexes, feeds and statements kept rendered. */
#define RESULTS_CACHE_MAX 256
/* A strong ETag: '"', 32 hex digits, '"', NUL. */
#define RESULTS_ETAG_SIZE 35
/* The statement file is looked at again at most this often. */
#define RESULTS_STATEMENT_CHECK_SECS 60

enum results_what { RESULTS_NONE, RESULTS_INDEX, RESULTS_PAGE, RESULTS_FEED, RESULTS_STATEMENT };

/* What a preview page says in its banner. */
enum results_preview {
    RESULTS_PUBLIC,        /* not a preview */
    RESULTS_PREVIEW_DRAFT, /* the page is not public */
    RESULTS_PREVIEW_EDITS, /* the page is public; these edits are not yet */
};

/* A public route: what it shows and, for a page, its slug. */
typedef struct {
    enum results_what what;
    char slug[81];
} results_route;

/* The paths lws must hand to the http protocol (app.c mounts each):
 * 0-2 the indexes and pages (fi, sv, en), 3-5 the feeds, 6-8 the
 * accessibility statement in fi, sv, en. lws matches a mountpoint only as
 * a whole path segment, so "/tulokset" does not cover "/tulokset.atom". */
#define RESULTS_MOUNT_COUNT 9
extern const char *const results_mountpoints[RESULTS_MOUNT_COUNT];

/* Texts of the pages missing in some language (0: none). */
int results_texts_missing(void);

/* Reads a request path ("/tulokset", "/results/<slug>", "/resultat.atom",
 * "/accessibility", ...). Returns 1 and fills route for a path of ours
 * (route->what is RESULTS_NONE when it is one of ours but names nothing,
 * e.g. a slug with a capital letter: a 404); 0 for any other path. */
int results_route_parse(const char *path, results_route *route);
/* 1 if s is a slug: 1-80 characters of [a-z0-9-]. */
int results_slug_valid(const char *s);

/* The language of a page: lang_arg ("fi", "sv", "en") if it is one, else
 * the best of them in accept_language (q-values; "sv-FI" is Swedish, "*"
 * any), else Finnish. Either may be NULL. */
int results_pick_lang(const char *lang_arg, const char *accept_language);
/* 1 if an If-None-Match header value (a list, W/ prefixes, or "*")
 * matches etag. */
int results_etag_matches(const char *if_none_match, const char *etag);
/* Writes the strong ETag of body into out (RESULTS_ETAG_SIZE). */
void results_etag(const char *body, size_t len, char *out);

/* ---- renderers: each returns a new string (free()), NULL if out of
 * memory or past RESULTS_PAGE_MAX ---- */

/* One period's page from its results document. */
char *results_page_html(const config *cfg, json_t *doc, int lang, enum results_preview preview);
/* The index, from results_index()'s list. */
char *results_index_html(const config *cfg, json_t *index, int lang);
/* The Atom feed, from results_feed()'s list. */
char *results_feed_xml(const config *cfg, json_t *feed, int lang);
/* The accessibility statement from its markdown. */
char *results_statement_html(const config *cfg, const char *markdown, int lang);
/* The accessibility statement's markdown for lang: the region's own file
 * next to the database, else the template in the web root. *mtime is the
 * file's modification time. NULL if neither can be read. */
char *results_statement_markdown(const config *cfg, int lang, long long *mtime);

/* ---- the cache ---- */

/* A rendered response, owned by the cache: valid until the next call of
 * results_cache_get() or results_cache_clear(). */
typedef struct {
    const char *body;
    size_t len;
    const char *etag;
    const char *content_type;
} results_cached;

/* The response for what (and slug) in lang: from the cache while
 * results_generation() is the one it was built at, else rendered now and
 * kept. A hit does not touch the database. NULL with *status 404 when there
 * is no such published page, 500 when it could not be built. */
const results_cached *results_cache_get(db *d, const config *cfg, enum results_what what,
                                        const char *slug, int lang, int *status);
/* Drops every cached response (tests, shutdown). */
void results_cache_clear(void);
/* Responses in the cache now. */
int results_cache_count(void);

#endif
