/* log.c: one formatted line per call, written with a single fputs under a
 * lock so lines from worker threads never interleave. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "times.h"

static log_level min_level = LOG_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const names[] = {"debug", "info", "warn", "error"};

void log_set_level(log_level level)
{
    min_level = level;
}

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s && !strcmp(s, names[i]))
            return i;
    return -1;
}

void log_now_iso(char *buf, unsigned size)
{
    char iso[TIME_ISO_SIZE];
    time_iso(time_now_ms(), iso);
    snprintf(buf, size, "%s", iso);
}

void log_write(log_level level, const char *event, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[1024], now[32];
    log_now_iso(now, sizeof now);
    int n = snprintf(line, sizeof line, "%s %s %s ", now, names[level], event);
    if (n < 0 || n >= (int)sizeof line)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    /* Keep one event per line even if a field carried a newline. */
    for (size_t i = 0; i < len; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[len] = '\n';
    line[len + 1] = '\0';
    pthread_mutex_lock(&lock);
    fputs(line, stderr);
    fflush(stderr);
    pthread_mutex_unlock(&lock);
}
