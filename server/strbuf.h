/* strbuf.h: a string built by appending, for pages and exports. Once an
 * append fails (out of memory, or the string would pass max when max is
 * set) every later append does nothing and failed stays set, so a caller
 * checks once at the end. Start with {0}, or {.max = N}. */
#ifndef RAATI_STRBUF_H
#define RAATI_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
    char *s; /* NUL-terminated; NULL until the first append */
    size_t len, cap;
    size_t max; /* longest s may grow, in bytes; 0: no limit */
    int failed;
} strbuf;

/* Appends n bytes of s. */
void strbuf_put(strbuf *b, const char *s, size_t n);

#endif
