/* log.h: structured log lines on stderr, one per event:
 *   2026-11-22T08:05:57.123Z info server.listening port=8080 url=...
 * Fields are logfmt key=value pairs written by the caller. Never pass a
 * password, a session token or a cookie value. Thread-safe. */
#ifndef RAATI_LOG_H
#define RAATI_LOG_H

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_set_level(log_level level);
/* Parses "debug", "info", "warn" or "error"; returns -1 if none. */
int log_level_parse(const char *s);
void log_write(log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(ev, ...) log_write(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...) log_write(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...) log_write(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_write(LOG_ERROR, ev, __VA_ARGS__)

/* Writes the current UTC time as 2026-11-22T08:05:57.123Z into buf (>= 25). */
void log_now_iso(char *buf, unsigned size);

#endif
