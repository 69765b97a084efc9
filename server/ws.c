/* ws.c: see ws.h. */
#include "ws.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "forum_routes.h"
#include "http.h"
#include "hub.h"
#include "log.h"
#include "members.h"
#include "router.h"

/* A serialized frame with lws's headroom in front, shared by every queue it
 * is on. */
struct frame {
    int refs;
    size_t len;
    unsigned char buf[]; /* LWS_PRE bytes, then len bytes of payload */
};

struct out {
    struct out *next;
    struct frame *frame;
};

void ws_frame_unref(struct frame *f)
{
    if (f && --f->refs == 0)
        free(f);
}

static void enqueue(struct conn *c, struct frame *f)
{
    if (c->close_status)
        return;
    if (c->out_frames >= WS_QUEUE_MAX_FRAMES || c->out_bytes + f->len > WS_QUEUE_MAX_BYTES) {
        log_warn("ws.slow_reader_dropped", "conn=%llu frames=%d bytes=%zu",
                 (unsigned long long)c->id, c->out_frames, c->out_bytes);
        c->close_status = LWS_CLOSE_STATUS_POLICY_VIOLATION;
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return;
    }
    struct out *o = malloc(sizeof *o);
    if (!o)
        return;
    o->next = NULL;
    o->frame = f;
    f->refs++;
    if (c->out_tail)
        c->out_tail->next = o;
    else
        c->out_head = o;
    c->out_tail = o;
    c->out_frames++;
    c->out_bytes += f->len;
    lws_callback_on_writable(c->wsi);
}

struct frame *ws_frame_json(json_t *msg)
{
    size_t len = json_dumpb(msg, NULL, 0, JSON_COMPACT);
    if (!len)
        return NULL;
    struct frame *f = malloc(sizeof *f + LWS_PRE + len);
    if (!f)
        return NULL;
    f->refs = 1;
    f->len = json_dumpb(msg, (char *)f->buf + LWS_PRE, len, JSON_COMPACT);
    if (f->len != len) {
        free(f);
        return NULL;
    }
    return f;
}

void ws_send_frame(struct conn *c, struct frame *f)
{
    enqueue(c, f);
}

void ws_send_json(struct conn *c, json_t *msg)
{
    struct frame *f = ws_frame_json(msg);
    if (f) {
        enqueue(c, f);
        ws_frame_unref(f);
    }
}

struct conn *ws_find(app *a, uint64_t id)
{
    for (struct conn *c = a->conns; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

static void start_close(struct conn *c, int status)
{
    if (!c->close_status) {
        c->close_status = status;
        lws_callback_on_writable(c->wsi);
    }
}

void ws_end_sessions(app *a, int64_t session_id, int64_t member_id, int64_t keep_session_id)
{
    for (struct conn *c = a->conns; c; c = c->next) {
        int end = session_id ? c->session_id == session_id
                             : c->member_id == member_id && c->session_id != keep_session_id;
        if (end && c->member_id)
            start_close(c, WS_CLOSE_SESSION_ENDED);
    }
}

int ws_shutdown(app *a)
{
    int busy = 0;
    for (struct conn *c = a->conns; c; c = c->next) {
        start_close(c, LWS_CLOSE_STATUS_GOINGAWAY);
        busy += c->out_frames > 0;
    }
    return busy;
}

/* Refuses the upgrade (non-zero) unless the path is /ws and the Origin is
 * ours (http.c has already answered such requests with an error; this is
 * the second layer); reads the session cookie into c. */
static int filter(app *a, struct lws *wsi, struct conn *c)
{
    char buf[512];
    if (a->stopping || lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_GET_URI) <= 0 ||
        strcmp(buf, "/ws") || !http_origin_allowed(a, wsi, 0))
        return 1;
    size_t max = sizeof buf;
    if (!lws_http_cookie_get(wsi, "raati_session", buf, &max)) {
        buf[max < sizeof buf ? max : sizeof buf - 1] = '\0';
        c->member_id = session_lookup(a->db, buf, &c->session_id);
        c->role = c->member_id ? member_role(a->db, c->member_id) : ROLE_ANON;
        if (c->role == ROLE_ANON)
            c->member_id = c->session_id = 0;
        sodium_memzero(buf, sizeof buf);
    }
    return 0;
}

/* Appends a chunk to the message being reassembled; hands a complete one
 * to the router. -1 closes the connection at once. */
static int receive(app *a, struct conn *c, const void *in, size_t len)
{
    if (c->close_status)
        return 0; /* closing: nothing more is handled */
    int last = lws_is_final_fragment(c->wsi) && !lws_remaining_packet_payload(c->wsi);
    if (c->rx_dropping) {
        /* An oversized message is read to its end and dropped, then closed
         * with 1009: closing with its bytes unread would make the kernel
         * reset the connection, and the client might never see the 1009. */
        c->rx_discarded += len;
        if (c->rx_discarded > WS_DISCARD_MAX)
            return -1;
        if (last)
            start_close(c, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
        return 0;
    }
    if (!c->rx_len) /* the first chunk of a message */
        c->rx_binary = lws_frame_is_binary(c->wsi);
    size_t remaining = lws_remaining_packet_payload(c->wsi);
    size_t need = c->rx_len + len + remaining;
    if (need > (size_t)a->cfg.max_message) {
        log_info("ws.too_large", "conn=%llu bytes=%zu max=%d", (unsigned long long)c->id, need,
                 a->cfg.max_message);
        c->rx_dropping = 1;
        c->rx_discarded = c->rx_len + len;
        c->rx_len = 0;
        if (last)
            start_close(c, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);
        return 0;
    }
    if (need + 1 > c->rx_cap) {
        size_t cap = c->rx_cap ? c->rx_cap : 1024;
        while (cap < need + 1)
            cap *= 2;
        unsigned char *rx = realloc(c->rx, cap);
        if (!rx)
            return -1;
        c->rx = rx;
        c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (!last)
        return 0;

    router_handle(a, c, c->rx, c->rx_len, c->rx_binary);
    /* Keep a small buffer for the next message; give back a large one. */
    c->rx_len = 0;
    if (c->rx_cap > 4096) {
        free(c->rx);
        c->rx = NULL;
        c->rx_cap = 0;
    }
    c->rx_binary = 0;
    return 0;
}

static int writeable(struct conn *c)
{
    struct out *o = c->out_head;
    if (o) {
        struct frame *f = o->frame;
        if (lws_write(c->wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_TEXT) < (int)f->len)
            return -1;
        c->out_head = o->next;
        if (!c->out_head)
            c->out_tail = NULL;
        c->out_frames--;
        c->out_bytes -= f->len;
        ws_frame_unref(f);
        free(o);
        if (c->out_head || c->close_status)
            lws_callback_on_writable(c->wsi);
        return 0;
    }
    if (c->close_status) {
        const char *reason = c->close_status == LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE
                                 ? "message too large"
                             : c->close_status == WS_CLOSE_SESSION_ENDED ? "session ended"
                                                                         : "going away";
        lws_close_reason(c->wsi, (enum lws_close_status)c->close_status, (unsigned char *)reason,
                         strlen(reason));
        return -1;
    }
    return 0;
}

static void closed(app *a, struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else if (a->conns == c)
        a->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    a->conn_count--;
    hub_drop(a->hub, c);
    forum_viewers_changed(a);
    while (c->out_head) {
        struct out *o = c->out_head;
        c->out_head = o->next;
        ws_frame_unref(o->frame);
        free(o);
    }
    free(c->rx);
    log_debug("ws.closed", "conn=%llu", (unsigned long long)c->id);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct conn *c = user;
    app *a = app_of(wsi);
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return filter(a, wsi, c);
    case LWS_CALLBACK_ESTABLISHED:
        c->wsi = wsi;
        c->id = ++a->next_id;
        c->next = a->conns;
        if (a->conns)
            a->conns->prev = c;
        a->conns = c;
        a->conn_count++;
        log_debug("ws.open", "conn=%llu member=%lld", (unsigned long long)c->id,
                  (long long)c->member_id);
        forum_sync_channels(a, c);
        router_hello(a, c);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return receive(a, c, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return writeable(c);
    case LWS_CALLBACK_CLOSED:
        if (c->wsi)
            closed(a, c);
        return 0;
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        /* New connections are bound to this, the vhost's default protocol,
         * until a mount binds them elsewhere: upgrades are confirmed here. */
        return http_confirm_upgrade(a, wsi);
    default:
        /* Static files are served on this protocol too: lws's defaults
         * complete each transaction so kept-alive connections go on. */
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

const struct lws_protocols ws_protocol = {
    .name = "raati",
    .callback = callback,
    .per_session_data_size = sizeof(struct conn),
    /* Most of a connection's memory; larger messages arrive in chunks. */
    .rx_buffer_size = 2048,
};
