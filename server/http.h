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
/* 1 if the request's Origin is one of ours; a request without one gets
 * allow_missing. */
int http_origin_allowed(app *a, struct lws *wsi, int allow_missing);
/* LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: 0 lets the upgrade go on. One on a
 * wrong path, from a wrong Origin or during shutdown is answered with a
 * JSON error (404, 403, 503) and -1 hangs up. */
int http_confirm_upgrade(app *a, struct lws *wsi);
/* Responses queued but not yet written (shutdown waits for them). */
int http_responding(app *a);

#endif
