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

#define ROUTER_PENDING (-1) /* a handler that will reply later */

/* One message being handled: the handler reads msg and fills its reply. */
struct request {
    app *a;
    struct conn *c;
    json_t *msg;
    json_t *id;
};

/* Returns RAATI_OK, an error code (err filled), or ROUTER_PENDING. */
typedef int (*handler_fn)(struct request *rq, json_t *reply, raati_error *err);

/* Handles one message (binary = it came in binary frames). */
void router_handle(app *a, struct conn *c, const unsigned char *buf, size_t len, int binary);
/* Sends the `hello` frame that opens every connection. */
void router_hello(app *a, struct conn *c);
/* Sends {"type":"reply","re":id,"ok":true,...data} when code is RAATI_OK,
 * else the error reply for err. data may be NULL; it is not consumed. */
void router_reply(struct conn *c, json_t *id, raati_code code, json_t *data,
                  const raati_error *err);

#endif
