/* router.h: turns one complete WebSocket message into a reply. Parses the
 * JSON, finds the handler for its `type` in one table, checks the caller's
 * role against it, runs it and sends the reply. Every error is a reply with
 * a stable code, and the connection stays usable. */
#ifndef RAATI_ROUTER_H
#define RAATI_ROUTER_H

#include <jansson.h>
#include <stddef.h>

#include "app.h"
#include "error.h"
#include "ws.h"

/* Handles one message (binary = it came in binary frames). */
void router_handle(app *a, struct conn *c, const unsigned char *buf, size_t len, int binary);
/* Sends the `hello` frame that opens every connection. */
void router_hello(app *a, struct conn *c);
/* Sends {"type":"reply","re":id,"ok":true,...data} when code is RAATI_OK,
 * else the error reply for err. data may be NULL; it is not consumed. */
void router_reply(struct conn *c, json_t *id, raati_code code, json_t *data,
                  const raati_error *err);

#endif
