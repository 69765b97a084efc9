/* Finding Finnish personal identity codes in post text (moderation/hetu.c). */
#include <string.h>

#include "check.h"
#include "hetu.h"

static long find(const char *s)
{
    return hetu_find(s, strlen(s));
}

static void valid_codes_are_found(void)
{
    CHECK(hetu_valid("131052-308T"));
    CHECK(hetu_valid("010101A123N")); /* born in 2001 */
    CHECK(hetu_valid("010101B123N")); /* the 2023 signs */
    CHECK(hetu_valid("010101Y123N"));
    CHECK(hetu_valid("290200A101K")); /* 29 February 2000 */
    CHECK(find("131052-308T") == 0);
    CHECK(find("Tunnukseni on 131052-308T, auttakaa") == 14);
    CHECK(find("(131052-308t)") == 1); /* a lower-case check letter */
    CHECK(find("hetu:131052-308T.") == 5);
}

static void wrong_codes_are_not(void)
{
    CHECK(!hetu_valid("131052-308U")); /* wrong check character */
    CHECK(!hetu_valid("290201A101K")); /* 2001 is not a leap year */
    CHECK(!hetu_valid("320152-308T")); /* no 32nd day */
    CHECK(!hetu_valid("131352-308T")); /* no 13th month */
    CHECK(!hetu_valid("131052G308T")); /* not a century sign */
    CHECK(!hetu_valid("131052-001X")); /* individual numbers start at 002 */
    CHECK(find("131052-308U") == -1);
    CHECK(find("X131052-308T") == -1); /* part of a longer word */
    CHECK(find("131052-308T5") == -1);
    CHECK(find("ä131052-308T") == -1);
    CHECK(find("Soita 040 123 4567 tai 131052") == -1);
    CHECK(find("") == -1);
    CHECK(find("131052-308") == -1); /* too short */
}

int main(void)
{
    RUN(valid_codes_are_found);
    RUN(wrong_codes_are_not);
    return CHECK_DONE();
}
