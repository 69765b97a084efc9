/* check.h: the unit tests' harness. Many small named cases, listed in
 * main(); each CHECK failure prints where and what, and main returns the
 * failure count so ctest sees it. */
#ifndef RAATI_CHECK_H
#define RAATI_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)
static inline int check_str_eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}
#define CHECK_STR(a, b) CHECK(check_str_eq((a), (b)))
#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int before = check_failures;                                                               \
        fn();                                                                                      \
        printf("%s %s\n", check_failures == before ? "ok  " : "FAIL", #fn);                        \
    } while (0)
#define CHECK_DONE() (printf("%d failed\n", check_failures), check_failures != 0)

#endif
