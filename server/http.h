/* http.h: the HTTP routes that are not static files: /healthz and /api/... .
 * Registration and sign-in hash passwords on workers; their responses are
 * written when the job comes back to the loop. */
#ifndef RAATI_HTTP_H
#define RAATI_HTTP_H

#include <libwebsockets.h>

#include "app.h"

#define HTTP_BODY_MAX 16384
#define SESSION_COOKIE "raati_session"

extern const struct lws_protocols http_protocol;

/* Builds the GET /api/config body into a->config_body. -1 on failure. */
int http_build_config(app *a);
/* Responses queued but not yet written (shutdown waits for them). */
int http_responding(app *a);

#endif
