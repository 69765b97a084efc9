/* The growable string under results pages and CSV exports. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "strbuf.h"

static void appends_and_grows(void)
{
    strbuf b = {0};
    strbuf_put(&b, "Terveys", 7);
    strbuf_put(&b, "asema", 5);
    CHECK_STR(b.s, "Terveysasema");
    CHECK(b.len == 12);
    char big[10000];
    memset(big, 'x', sizeof big);
    strbuf_put(&b, big, sizeof big);
    CHECK(b.len == 12 + sizeof big && !b.failed);
    CHECK(b.s[b.len] == '\0' && b.s[b.len - 1] == 'x');
    free(b.s);
}

static void stops_at_max_and_stays_failed(void)
{
    strbuf b = {.max = 8};
    strbuf_put(&b, "12345678", 8); /* exactly max: kept */
    CHECK(!b.failed);
    CHECK_STR(b.s, "12345678");
    strbuf_put(&b, "9", 1);
    CHECK(b.failed);
    CHECK(b.len == 8); /* nothing half-appended */
    strbuf_put(&b, "", 0);
    CHECK(b.failed);
    free(b.s);
}

int main(void)
{
    RUN(appends_and_grows);
    RUN(stops_at_max_and_stays_failed);
    return CHECK_DONE();
}
