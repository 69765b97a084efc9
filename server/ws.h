/* ws.h: the WebSocket transport at /ws. Checks path, Origin and the session
 * cookie at upgrade; reassembles fragmented messages up to the cap; queues
 * outgoing frames and writes each connection's queue with one write per
 * turn of the loop. Knows nothing of forums: complete messages go to
 * router_handle(). */
#ifndef RAATI_WS_H
#define RAATI_WS_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stdint.h>

#include "app.h"

/* The most frames and bytes queued to one connection; a reader that falls
 * further behind is disconnected and resyncs when it reconnects. */
#define WS_QUEUE_MAX_FRAMES 1024
#define WS_QUEUE_MAX_BYTES (4u << 20)
/* Close status sent when a connection's session ends (sign-out elsewhere,
 * password change). */
#define WS_CLOSE_SESSION_ENDED 4001

/* How much of an oversized message is read and dropped before closing with
 * 1009; a sender that goes on past this is cut off without a close frame. */
#define WS_DISCARD_MAX (16u << 20)

struct frame;
struct hub_sub;

/* One WebSocket connection: lws's per-session data for the protocol. */
struct conn {
    struct lws *wsi;
    uint64_t id;
    struct conn *next, *prev; /* app->conns */
    int64_t member_id;        /* 0 when anonymous */
    int64_t session_id;
    int role; /* enum role, read at upgrade */

    unsigned char *rx; /* message being reassembled */
    size_t rx_len, rx_cap;
    int rx_binary;
    int rx_dropping;     /* reading an oversized message to its end */
    size_t rx_discarded; /* bytes of it read and dropped */

    struct frame **q; /* frames to send: a ring of q_cap, q_n from q_head */
    int q_cap, q_head, q_n;
    size_t out_bytes;
    int dirty; /* in a line of app->dirty (ws.c): has frames to write */
    struct conn *dirty_prev, *dirty_next;
    int close_status; /* nonzero: close with this status when writeable */

    struct hub_sub *subs; /* the channels subscribed to (hub.c) */
    int sub_count, sub_cap;
};

extern const struct lws_protocols ws_protocol;

/* Queues msg (serialized once) to c as a reply, written before events
 * waiting for other connections. Takes no ownership of msg. */
void ws_send_json(struct conn *c, json_t *msg);
/* msg serialized into a frame with one reference, or NULL. */
struct frame *ws_frame_json(json_t *msg);
/* Queues f, an event, to c (taking a reference of its own). */
void ws_send_frame(struct conn *c, struct frame *f);
/* Writes what connections have queued, each connection's frames together
 * in one write: those with a reply waiting first, then those with only
 * events. Runs at the start of the loop's next turn by itself; call it to
 * send sooner. */
void ws_flush(app *a);
void ws_frame_unref(struct frame *f);
/* The open connection with this id, or NULL. */
struct conn *ws_find(app *a, uint64_t id);
/* Closes with WS_CLOSE_SESSION_ENDED every connection of session_id, or,
 * when session_id is 0, every connection of member_id except those of
 * keep_session_id. */
void ws_end_sessions(app *a, int64_t session_id, int64_t member_id, int64_t keep_session_id);
/* Starts closing every connection with 1001 (going away); returns how many
 * connections still have frames queued. */
int ws_shutdown(app *a);

#endif
