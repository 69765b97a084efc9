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

/* A serialized frame, WebSocket header included, shared by every queue it
 * is on: wire points into buf, the header's bytes just before the
 * payload. */
struct frame {
    int refs;
    size_t len; /* of the whole frame on the wire */
    unsigned char *wire;
    unsigned char buf[]; /* WS_HEADER_MAX bytes of room, then the payload */
};

#define WS_HEADER_MAX 10
/* Queued frames are written together, up to this many bytes a write. */
#define WS_WRITE_MAX (64u << 10)

void ws_frame_unref(struct frame *f)
{
    if (f && --f->refs == 0)
        free(f);
}

static void flush_later(app *a);

/* Connections with frames to write are in one of two lines, each first
 * come, first written: replies (a member waiting for an answer) before
 * events (a fan-out to a whole topic). A fan-out is written whole: cut
 * into slices, each slice costs a turn of the loop, which polls every
 * socket, and the fan-out's first-to-last time grows by as much. */
enum { LINE_NONE, LINE_EVENTS, LINE_REPLIES };

static void unmark_dirty(app *a, struct conn *c)
{
    if (!c->dirty)
        return;
    struct dirty_line *l = &a->dirty[c->dirty - 1];
    if (c->dirty_prev)
        c->dirty_prev->dirty_next = c->dirty_next;
    else
        l->head = c->dirty_next;
    if (c->dirty_next)
        c->dirty_next->dirty_prev = c->dirty_prev;
    else
        l->tail = c->dirty_prev;
    c->dirty = LINE_NONE;
}

static void mark_dirty(app *a, struct conn *c, int line)
{
    if (c->dirty >= line)
        return;
    unmark_dirty(a, c); /* a reply moves it up to the replies' line */
    struct dirty_line *l = &a->dirty[line - 1];
    c->dirty = line;
    c->dirty_next = NULL;
    c->dirty_prev = l->tail;
    if (l->tail)
        l->tail->dirty_next = c;
    else
        l->head = c;
    l->tail = c;
    flush_later(a);
}

static void enqueue(struct conn *c, struct frame *f, int line)
{
    if (c->close_status)
        return;
    if (c->q_n >= WS_QUEUE_MAX_FRAMES || c->out_bytes + f->len > WS_QUEUE_MAX_BYTES) {
        log_warn("ws.slow_reader_dropped", "conn=%llu frames=%d bytes=%zu",
                 (unsigned long long)c->id, c->q_n, c->out_bytes);
        c->close_status = LWS_CLOSE_STATUS_POLICY_VIOLATION;
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return;
    }
    if (c->q_n == c->q_cap) { /* grow the ring, unrolling it */
        int cap = c->q_cap ? c->q_cap * 2 : 8;
        struct frame **q = malloc((size_t)cap * sizeof *q);
        if (!q)
            return;
        for (int i = 0; i < c->q_n; i++)
            q[i] = c->q[(c->q_head + i) % c->q_cap];
        free(c->q);
        c->q = q;
        c->q_cap = cap;
        c->q_head = 0;
    }
    c->q[(c->q_head + c->q_n) % c->q_cap] = f;
    c->q_n++;
    f->refs++;
    c->out_bytes += f->len;
    mark_dirty(app_of(c->wsi), c, line);
}

/* Writes c's queued frames, as many as fit in one write, with one
 * lws_write (the frames carry their own headers, so lws sends the bytes as
 * they are). lws keeps what the socket did not take and asks for
 * WRITEABLE; more frames wait for that too. -1 when the connection failed. */
static int send_queued(struct conn *c)
{
    static unsigned char scratch[LWS_PRE + WS_WRITE_MAX];
    if (!c->q_n)
        return 0;
    struct frame *first = c->q[c->q_head];
    unsigned char *out = first->wire;
    size_t len = first->len;
    int n = 1;
    if (c->q_n > 1 && len < WS_WRITE_MAX) { /* several: one buffer */
        out = scratch + LWS_PRE;
        memcpy(out, first->wire, len);
        for (; n < c->q_n; n++) {
            struct frame *f = c->q[(c->q_head + n) % c->q_cap];
            if (len + f->len > WS_WRITE_MAX)
                break;
            memcpy(out + len, f->wire, f->len);
            len += f->len;
        }
    }
    /* LWS_WRITE_HTTP: raw bytes, no header of lws's own. */
    int rc = lws_write(c->wsi, out, len, LWS_WRITE_HTTP);
    for (int i = 0; i < n; i++) {
        struct frame *f = c->q[c->q_head];
        c->q_head = (c->q_head + 1) % c->q_cap;
        c->q_n--;
        c->out_bytes -= f->len;
        ws_frame_unref(f);
    }
    if (rc < (int)len)
        return -1;
    if (c->q_n || c->close_status)
        lws_callback_on_writable(c->wsi);
    return 0;
}

static void flush_fired(lws_sorted_usec_list_t *sul)
{
    app *a = lws_container_of(sul, app, write_timer);
    ws_flush(a);
}

static void flush_later(app *a)
{
    if (!a->write_pending && a->ctx) {
        a->write_pending = 1;
        lws_sul_schedule(a->ctx, 0, &a->write_timer, flush_fired, 1);
    }
}

void ws_flush(app *a)
{
    a->write_pending = 0;
    if (a->ctx)
        lws_sul_cancel(&a->write_timer);
    for (;;) {
        struct conn *c = a->dirty[LINE_REPLIES - 1].head;
        if (!c)
            c = a->dirty[LINE_EVENTS - 1].head;
        if (!c)
            return;
        unmark_dirty(a, c);
        /* Bytes lws holds from a partial write go first: wait for
         * WRITEABLE, which comes once they are out. */
        if (lws_partial_buffered(c->wsi)) {
            lws_callback_on_writable(c->wsi);
        } else if (send_queued(c)) {
            c->close_status = LWS_CLOSE_STATUS_ABNORMAL_CLOSE;
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        }
    }
}

struct frame *ws_frame_json(json_t *msg)
{
    /* Serialized once into scratch, then copied: most frames fit, and
     * jansson's dump costs far more than the copy. */
    static char scratch[WS_WRITE_MAX];
    size_t len = json_dumpb(msg, scratch, sizeof scratch, JSON_COMPACT);
    if (!len)
        return NULL;
    struct frame *f = malloc(sizeof *f + WS_HEADER_MAX + len);
    if (!f)
        return NULL;
    f->refs = 1;
    unsigned char *payload = f->buf + WS_HEADER_MAX;
    if (len <= sizeof scratch)
        memcpy(payload, scratch, len);
    else if (json_dumpb(msg, (char *)payload, len, JSON_COMPACT) != len) {
        free(f);
        return NULL;
    }
    /* A final text frame, unmasked (RFC 6455 5.2). */
    int hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
    f->wire = payload - hdr;
    f->wire[0] = 0x81;
    if (hdr == 2) {
        f->wire[1] = (unsigned char)len;
    } else if (hdr == 4) {
        f->wire[1] = 126;
        f->wire[2] = (unsigned char)(len >> 8);
        f->wire[3] = (unsigned char)len;
    } else {
        f->wire[1] = 127;
        for (int i = 0; i < 8; i++)
            f->wire[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    }
    f->len = len + (size_t)hdr;
    return f;
}

void ws_send_frame(struct conn *c, struct frame *f)
{
    enqueue(c, f, LINE_EVENTS);
}

void ws_send_json(struct conn *c, json_t *msg)
{
    struct frame *f = ws_frame_json(msg);
    if (f) {
        enqueue(c, f, LINE_REPLIES);
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
        busy += c->q_n > 0;
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
static int receive(app *a, struct conn *c, void *in, size_t len)
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
    if (!c->rx_len && last && len <= (size_t)a->cfg.max_message) {
        /* Whole in one chunk, as most are: handled where lws read it, so
         * an idle connection keeps no buffer of its own. */
        router_handle(a, c, in, len, c->rx_binary);
        sodium_memzero(in, len); /* a password.change's passwords */
        c->rx_binary = 0;
        return 0;
    }
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
    sodium_memzero(c->rx, c->rx_len);
    free(c->rx);
    c->rx = NULL;
    c->rx_len = c->rx_cap = 0;
    c->rx_binary = 0;
    return 0;
}

static int writeable(app *a, struct conn *c)
{
    if (c->q_n) {
        unmark_dirty(a, c); /* written now */
        return send_queued(c);
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
    forum_group_forget(a, c);
    hub_drop(a->hub, c);
    forum_viewers_changed(a);
    unmark_dirty(a, c);
    for (; c->q_n; c->q_n--, c->q_head = (c->q_head + 1) % c->q_cap)
        ws_frame_unref(c->q[c->q_head]);
    free(c->q);
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
        return writeable(a, c);
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
    .rx_buffer_size = 512,
    /* Without this lws sends at most rx_buffer_size bytes a write and
     * copies the rest aside for later turns; the kernel takes what fits. */
    .tx_packet_size = 1u << 20,
};
