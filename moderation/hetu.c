/* hetu.c: see hetu.h. */
#include "hetu.h"

#include <string.h>

/* Century signs since the 2023 reform: 1800s '+', 1900s '-' 'Y' 'X' 'W'
 * 'V' 'U', 2000s 'A' 'B' 'C' 'D' 'E' 'F'. */
static int century_of(char c)
{
    if (c == '+')
        return 1800;
    if (strchr("-YXWVU", c))
        return 1900;
    if (strchr("ABCDEF", c))
        return 2000;
    return -1;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int hetu_valid(const char *s)
{
    static const char check_chars[] = "0123456789ABCDEFHJKLMNPRSTUVWXY";
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int day, month, yy, individual, century = s[6] ? century_of(s[6]) : -1;
    if (century < 0 || digits(s, 2, &day) || digits(s + 2, 2, &month) || digits(s + 4, 2, &yy) ||
        digits(s + 7, 3, &individual))
        return 0;
    int year = century + yy;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] + (month == 2 && leap) ||
        individual < 2)
        return 0;
    long number = (long)day * 10000000L + month * 100000L + yy * 1000L + individual;
    return s[10] == check_chars[number % 31];
}

static int alnum(unsigned char c)
{
    /* Any byte of a multi-byte UTF-8 character counts as a letter, so "ä"
     * next to a code makes it part of a word. */
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
}

long hetu_find(const char *text, size_t len)
{
    for (size_t i = 0; i + 11 <= len; i++) {
        if (i > 0 && alnum((unsigned char)text[i - 1]))
            continue;
        if (i + 11 < len && alnum((unsigned char)text[i + 11]))
            continue;
        char code[12];
        memcpy(code, text + i, 11);
        code[11] = '\0';
        /* People type the check letter and the century sign in lower case too. */
        for (int k = 6; k < 11; k += 4)
            if (code[k] >= 'a' && code[k] <= 'z')
                code[k] = (char)(code[k] - 'a' + 'A');
        if (hetu_valid(code))
            return (long)i;
    }
    return -1;
}

raati_code hetu_refuse(const char *field, const char *text, raati_error *err)
{
    if (!text || hetu_find(text, strlen(text)) < 0)
        return RAATI_OK;
    return raati_fail(err, RAATI_E_PERSONAL_ID, field,
                      "%s holds what looks like a Finnish personal identity code "
                      "(henkilötunnus): remove it, and post again",
                      field);
}
