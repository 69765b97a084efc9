/*
 * loadgen: the WebSocket load generator of Raati's benchmarks (issue 7).
 *
 * One thread and one epoll set drive thousands of client connections to
 * Raati (--proto raati) or to a reference broadcaster (--proto raw:
 * bench/ref_epoll, bench/ref_ws.mjs). Every buffer is allocated before the
 * first connection opens; after that the loop only reads, parses frames in
 * place, counts and writes. Posts carry a marker "zq<seq>t<ns>e" (ns from
 * CLOCK_MONOTONIC at send) that receivers find in the frame, so latency is
 * measured from the frame alone. One JSON line on stdout at the end; the
 * fields are described in /tmp/bench-spec.md and bench/run.mjs.
 *
 *   loadgen --mode idle|fanout|post|chat --port N [--host 127.0.0.1]
 *           [--origin http://localhost:N] [--proto raati|raw] [--tokens FILE]
 *           [--src 127.0.0.K] [--topic ID] [--conns N] [--posters N]
 *           [--inflight K] [--rate R] [--size B] [--warmup S] [--duration S]
 *
 * Exit status: 0; 1 when more than 1% of connections or posts failed; 2 on
 * bad arguments or when no connection could be opened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wsframe.h"

#define RBUF_SIZE (16 * 1024)    /* per connection: frames are parsed in place here */
#define WBUF_SMALL 2048          /* upgrade request, subscribe, pongs */
#define WBUF_POSTER (256 * 1024) /* a poster may queue posts behind a full socket */
#define MAX_OPENING 256          /* handshakes in flight while opening */
#define POST_RING 65536          /* posts tracked at once (a power of two) */
#define MAX_EVENTS 4096
#define CONNS_PER_SRC 10000         /* then the next 127.0.0.x source address */
#define POST_TIMEOUT_NS 10000000000 /* an incomplete post is given up after 10 s */
#define STALL_NS 30000000000        /* opening fails after 30 s without progress */
#define TICK_MS 100
#define MAX_SIZE 60000

enum mode { MODE_IDLE, MODE_FANOUT, MODE_POST, MODE_CHAT };
enum proto { PROTO_RAATI, PROTO_RAW };
enum state { ST_CONNECTING, ST_UPGRADING, ST_HELLO, ST_SUBSCRIBING, ST_READY, ST_CLOSED };

enum {
    ROLE_RECV = 1, /* subscribed to the topic: counts deliveries */
    ROLE_SEND = 2, /* posts */
};

/* Special epoll tags beside connection indexes. */
enum { TAG_SIGNAL = 0xfffffff0u, TAG_STDIN };

struct conn {
    int fd;
    uint8_t state;
    uint8_t role;
    uint8_t waiting; /* post mode: a post was sent and its reply has not come */
    uint8_t pollout; /* EPOLLOUT is armed */
    uint32_t rlen;
    uint32_t wlen;
    uint32_t wcap;
    uint64_t skip; /* bytes of an oversized frame still to discard */
    char *rbuf;
    char *wbuf;
};

/* A post in flight: counted until every receiver has it. */
struct post {
    uint64_t seq;
    int64_t sent_ns;
    int64_t first_ns;
    uint32_t got;
    uint32_t expect;
    uint8_t done;
};

/*
 * Latency histogram in microseconds: exact below 1024 us, then 512 steps
 * per power of two (0.2% error), up to ~2^40 us. Fixed size, no allocation.
 */
#define HIST_SUB 512
#define HIST_BUCKETS (1024 + 31 * HIST_SUB)
struct hist {
    uint64_t n;
    uint32_t b[HIST_BUCKETS];
};

static struct {
    /* options */
    enum mode mode;
    enum proto proto;
    const char *host;
    int port;
    char origin[256];
    const char *tokens_path;
    struct in_addr src;
    const char *topic;
    long conns, posters, inflight;
    double rate;
    long size;
    double warmup, duration;

    /* connections */
    struct conn *conn;
    long total;   /* connections to open */
    long next;    /* next index to open */
    long opening; /* handshakes in flight */
    long ready;
    long failed;
    long recv_ready; /* receiving connections ready */
    char **tokens;
    int ep;

    /* phases, CLOCK_MONOTONIC ns */
    int64_t t_open, t_ready, t_start, t_end, last_progress;
    bool all_ready;
    bool sending;
    bool stop;

    /* posts */
    struct post *ring;
    uint64_t seq;    /* last post sent */
    uint64_t oldest; /* oldest post that may still be incomplete */
    long outstanding;
    int64_t next_send; /* paced: when the next post is due */
    long rr;           /* chat: next member to post */
    char *post_frame;  /* header + mask + payload, rebuilt for every post */
    char subscribe_frame[128];
    size_t subscribe_len;
    uint32_t mask_state;

    /* counts in the measured window */
    uint64_t posts, deliveries, acks, observed;
    uint64_t errors, lost;
    bool printed_refusal;
    struct hist last, spread, deliv, ack;
} lg;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool in_window(int64_t t)
{
    return lg.sending && t >= lg.t_start && t < lg.t_end;
}

static unsigned hist_index(uint64_t us)
{
    if (us < 1024)
        return (unsigned)us;
    unsigned bit = 63u - (unsigned)__builtin_clzll(us); /* >= 10 */
    if (bit > 40)
        return HIST_BUCKETS - 1;
    unsigned sub = (unsigned)(us >> (bit - 9)) & (HIST_SUB - 1);
    return 1024 + (bit - 10) * HIST_SUB + sub;
}

/* The lower edge of a bucket, in microseconds. */
static double hist_value(unsigned i)
{
    if (i < 1024)
        return i;
    unsigned bit = (i - 1024) / HIST_SUB + 10;
    unsigned sub = (i - 1024) % HIST_SUB;
    return ldexp((double)(HIST_SUB + sub), (int)bit - 9);
}

static void hist_add(struct hist *h, int64_t ns)
{
    uint64_t us = ns > 0 ? (uint64_t)ns / 1000 : 0;
    h->b[hist_index(us)]++;
    h->n++;
}

/* The p-th percentile (0..1) in milliseconds, or -1 when empty. */
static double hist_ms(const struct hist *h, double p)
{
    if (!h->n)
        return -1;
    uint64_t rank = (uint64_t)ceil(p * (double)h->n), seen = 0;
    if (rank < 1)
        rank = 1;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank)
            return hist_value(i) / 1000.0;
    }
    return hist_value(HIST_BUCKETS - 1) / 1000.0;
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* Reads decimal digits at *p (stopping at end); false when there are none. */
static bool get_u64(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    while (s < end && *s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    if (s == *p)
        return false;
    *p = s;
    *out = v;
    return true;
}

static uint32_t next_mask(void)
{
    /* xorshift32: masks need not be secret here, only present. */
    uint32_t x = lg.mask_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return lg.mask_state = x;
}

/*
 * Writes a masked client frame header for a payload of len bytes so that it
 * ends right at payload, masks the payload in place and returns the frame's
 * start. The caller leaves 8 bytes free before payload.
 */
static char *frame_wrap(char *payload, size_t len, int opcode)
{
    uint32_t key = next_mask();
    unsigned char *m = (unsigned char *)payload - 4;
    memcpy(m, &key, 4);
    for (size_t i = 0; i < len; i++)
        payload[i] ^= (char)m[i & 3];
    unsigned char *h;
    if (len < 126) {
        h = m - 2;
        h[1] = (unsigned char)(0x80 | len);
    } else {
        h = m - 4;
        h[1] = 0x80 | 126;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
    }
    h[0] = (unsigned char)(0x80 | opcode);
    return (char *)h;
}

static void conn_close(struct conn *c, const char *why);

static void want_out(struct conn *c, bool on)
{
    if (c->pollout == on)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0),
                             .data.u32 = (uint32_t)(c - lg.conn)};
    epoll_ctl(lg.ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->pollout = on;
}

/* Sends len bytes, queueing what the socket does not take now. */
static void conn_send(struct conn *c, const char *buf, size_t len)
{
    if (c->state == ST_CLOSED)
        return;
    if (!c->wlen) {
        ssize_t n = write(c->fd, buf, len);
        if (n == (ssize_t)len)
            return;
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                conn_close(c, "write failed");
                return;
            }
            n = 0;
        }
        buf += n;
        len -= (size_t)n;
    }
    if (c->wlen + len > c->wcap) {
        conn_close(c, "send buffer full");
        return;
    }
    memcpy(c->wbuf + c->wlen, buf, len);
    c->wlen += (uint32_t)len;
    want_out(c, true);
}

static void flush_out(struct conn *c)
{
    ssize_t n = write(c->fd, c->wbuf, c->wlen);
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            conn_close(c, "write failed");
        return;
    }
    memmove(c->wbuf, c->wbuf + n, c->wlen - (size_t)n);
    c->wlen -= (uint32_t)n;
    if (!c->wlen)
        want_out(c, false);
}

/* Whether a post from sender is received by receiver r (a reference forwards to others only). */
static uint32_t expected_receivers(const struct conn *sender)
{
    long n = lg.recv_ready;
    if (lg.proto == PROTO_RAW && (sender->role & ROLE_RECV))
        n--;
    return n > 0 ? (uint32_t)n : 0;
}

/* Sends the next post from c; its marker carries the sequence number and the send time. */
static void send_post(struct conn *c)
{
    int64_t now = now_ns();
    uint64_t seq = ++lg.seq;
    struct post *p = &lg.ring[seq & (POST_RING - 1)];
    if (p->seq && !p->done) {
        /* Overwritten before it completed: lost. */
        lg.lost++;
        lg.errors++;
        lg.outstanding--;
    }
    p->seq = seq;
    p->sent_ns = now;
    p->first_ns = 0;
    p->got = 0;
    p->expect = lg.mode == MODE_POST ? (lg.recv_ready > 0) : expected_receivers(c);
    p->done = p->expect == 0;
    if (!p->done)
        lg.outstanding++;

    char *payload = lg.post_frame + 8, *w = payload;
    if (lg.proto == PROTO_RAATI) {
        static const char a[] = "{\"type\":\"post.create\",\"id\":";
        static const char b[] = ",\"topic_id\":";
        static const char d[] = ",\"body\":\"Kuormitustesti zq";
        memcpy(w, a, sizeof a - 1), w += sizeof a - 1;
        w = put_u64(w, seq);
        memcpy(w, b, sizeof b - 1), w += sizeof b - 1;
        size_t tl = strlen(lg.topic);
        memcpy(w, lg.topic, tl), w += tl;
        memcpy(w, d, sizeof d - 1), w += sizeof d - 1;
        w = put_u64(w, seq);
        *w++ = 't';
        w = put_u64(w, (uint64_t)now);
        memcpy(w, "e\"}", 3), w += 3;
    } else {
        *w++ = 'z', *w++ = 'q';
        w = put_u64(w, seq);
        *w++ = 't';
        w = put_u64(w, (uint64_t)now);
        *w++ = 'e';
        long used = w - payload;
        if (used < lg.size) {
            memset(w, ' ', (size_t)(lg.size - used));
            w += lg.size - used;
        }
    }
    size_t len = (size_t)(w - payload);
    char *frame = frame_wrap(payload, len, 1);
    conn_send(c, frame, (size_t)(payload + len - frame));
    if (lg.mode == MODE_POST)
        c->waiting = 1;
}

/* Fanout, closed loop: keep --inflight posts incomplete. */
static void top_up(void)
{
    struct conn *pub = &lg.conn[0];
    while (lg.sending && !lg.stop && lg.outstanding < lg.inflight && pub->state == ST_READY)
        send_post(pub);
}

static void on_delivery(struct conn *c, const char *p, size_t n, int64_t now)
{
    const char *m = memmem(p, n, "zq", 2);
    if (!m)
        return;
    const char *s = m + 2, *end = p + n;
    uint64_t seq, ns;
    if (!get_u64(&s, end, &seq) || s >= end || *s++ != 't' || !get_u64(&s, end, &ns))
        return;
    bool counted = in_window(now);
    if (counted) {
        lg.deliveries++;
        hist_add(&lg.deliv, now - (int64_t)ns);
        if (lg.mode == MODE_POST)
            lg.observed++;
    }
    struct post *post = &lg.ring[seq & (POST_RING - 1)];
    if (post->seq != seq || post->done)
        return;
    if (!post->got++)
        post->first_ns = now;
    if (post->got < post->expect)
        return;
    post->done = 1;
    lg.outstanding--;
    if (counted && lg.mode != MODE_POST) {
        lg.posts++;
        hist_add(&lg.last, now - post->sent_ns);
        hist_add(&lg.spread, now - post->first_ns);
    }
    if (lg.mode == MODE_FANOUT && lg.inflight > 0)
        top_up();
}

static void on_refusal(const char *p, size_t n)
{
    lg.errors++;
    if (lg.printed_refusal)
        return;
    lg.printed_refusal = true;
    fprintf(stderr, "loadgen: refused: %.*s\n", (int)(n > 400 ? 400 : n), p);
}

static void on_reply(struct conn *c, const char *p, size_t n, int64_t now)
{
    const char *re = memmem(p, n < 64 ? n : 64, "\"re\":", 5);
    uint64_t seq;
    const char *s = re ? re + 5 : NULL;
    if (!s || !get_u64(&s, p + n, &seq))
        return;
    size_t left = (size_t)(p + n - s);
    bool ok = left >= 10 && !memcmp(s, ",\"ok\":true", 10);
    if (!ok && !memmem(p, n < 128 ? n : 128, "\"ok\":true", 9)) {
        on_refusal(p, n);
        if (lg.mode == MODE_POST)
            c->waiting = 0;
        return;
    }
    struct post *post = &lg.ring[seq & (POST_RING - 1)];
    if (post->seq == seq && in_window(now)) {
        lg.acks++;
        hist_add(&lg.ack, now - post->sent_ns);
        if (lg.mode == MODE_POST)
            lg.posts++;
    }
    if (lg.mode == MODE_POST && c->waiting) {
        c->waiting = 0;
        if (lg.sending && !lg.stop)
            send_post(c);
    }
}

static void became_ready(struct conn *c);

/* One complete frame (or the head of one too big to keep) from the server. */
static void on_frame(struct conn *c, int op, const char *p, size_t n, int64_t now)
{
    if (op == 9) { /* ping: answer with the same payload */
        char buf[8 + 125];
        if (n > 125)
            n = 125;
        memcpy(buf + 8, p, n);
        char *f = frame_wrap(buf + 8, n, 10);
        conn_send(c, f, (size_t)(buf + 8 + n - f));
        return;
    }
    if (op == 8) {
        conn_close(c, "closed by server");
        return;
    }
    if (op != 1)
        return; /* pongs, binary and continuation frames */

    if (c->state == ST_HELLO) {
        if (c->role & ROLE_RECV) {
            conn_send(c, lg.subscribe_frame, lg.subscribe_len);
            c->state = ST_SUBSCRIBING;
        } else {
            became_ready(c);
        }
        return;
    }
    if (lg.proto == PROTO_RAW) {
        if (c->state == ST_READY && (c->role & ROLE_RECV))
            on_delivery(c, p, n, now);
        return;
    }
    /* Raati: type comes first in the server's JSON; fall back to a search. */
    bool event, reply;
    if (n > 15 && !memcmp(p, "{\"type\":\"", 9)) {
        event = !memcmp(p + 9, "event\"", 6);
        reply = !memcmp(p + 9, "reply\"", 6);
    } else {
        event = memmem(p, n < 64 ? n : 64, "\"type\":\"event\"", 14) != NULL;
        reply = memmem(p, n < 64 ? n : 64, "\"type\":\"reply\"", 14) != NULL;
    }
    if (c->state == ST_SUBSCRIBING) {
        if (!reply)
            return;
        if (memmem(p, n < 128 ? n : 128, "\"ok\":true", 9))
            became_ready(c);
        else {
            on_refusal(p, n);
            conn_close(c, NULL);
        }
        return;
    }
    if (event) {
        if ((c->role & ROLE_RECV) && memmem(p, n < 200 ? n : 200, "\"post.created\"", 14))
            on_delivery(c, p, n, now);
    } else if (reply) {
        on_reply(c, p, n, now);
    }
}

/* Parses every complete frame in c->rbuf in place, keeping a partial one for the next read. */
static void parse_frames(struct conn *c, int64_t now)
{
    size_t pos = 0;
    while (c->state != ST_CLOSED) {
        unsigned char *b = (unsigned char *)c->rbuf + pos;
        size_t avail = c->rlen - pos;
        if (c->skip) {
            size_t k = c->skip < avail ? (size_t)c->skip : avail;
            pos += k;
            c->skip -= k;
            if (c->skip)
                break;
            continue;
        }
        if (avail < 2)
            break;
        if (b[1] & 0x80) {
            conn_close(c, "masked server frame");
            return;
        }
        size_t hdr;
        uint64_t len;
        if (!ws_frame_lengths(b, avail, &hdr, &len))
            break;
        if (hdr + len <= avail) {
            on_frame(c, b[0] & 15, (char *)b + hdr, (size_t)len, now);
            pos += hdr + len;
            continue;
        }
        if (hdr + len <= RBUF_SIZE || pos > 0)
            break; /* the rest comes with later reads (after compacting) */
        if (avail < RBUF_SIZE)
            break; /* too big to keep: wait for a full buffer of its head */
        on_frame(c, b[0] & 15, (char *)b + hdr, avail - hdr, now);
        c->skip = hdr + len - avail;
        pos = avail;
    }
    if (c->state == ST_CLOSED)
        return;
    if (pos) {
        memmove(c->rbuf, c->rbuf + pos, c->rlen - pos);
        c->rlen -= (uint32_t)pos;
    }
}

static void open_more(void);

static void opened_one(void)
{
    lg.opening--;
    lg.last_progress = now_ns();
    open_more();
}

static void became_ready(struct conn *c)
{
    c->state = ST_READY;
    lg.ready++;
    if (c->role & ROLE_RECV)
        lg.recv_ready++;
    opened_one();
}

static void conn_close(struct conn *c, const char *why)
{
    if (c->state == ST_CLOSED)
        return;
    bool was_opening = c->state != ST_READY;
    if (c->state == ST_READY) {
        lg.ready--;
        if (c->role & ROLE_RECV)
            lg.recv_ready--;
    }
    close(c->fd);
    c->fd = -1;
    c->state = ST_CLOSED;
    lg.errors++;
    if (why && lg.errors <= 5)
        fprintf(stderr, "loadgen: connection %ld: %s\n", (long)(c - lg.conn), why);
    if (was_opening) {
        lg.failed++;
        opened_one();
    }
}

/* The HTTP part: waits for the end of the 101 response, then frames follow. */
static void on_upgrade_bytes(struct conn *c, int64_t now)
{
    char *end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
    if (!end) {
        if (c->rlen == RBUF_SIZE)
            conn_close(c, "upgrade response too long");
        return;
    }
    if (c->rlen < 12 || memcmp(c->rbuf, "HTTP/1.1 101", 12)) {
        if (!lg.printed_refusal) {
            char *eol = memchr(c->rbuf, '\r', c->rlen);
            fprintf(stderr, "loadgen: upgrade refused: %.*s\n", (int)(eol - c->rbuf), c->rbuf);
            lg.printed_refusal = true;
        }
        conn_close(c, NULL);
        return;
    }
    size_t head = (size_t)(end + 4 - c->rbuf);
    memmove(c->rbuf, c->rbuf + head, c->rlen - head);
    c->rlen -= (uint32_t)head;
    if (lg.proto == PROTO_RAATI) {
        c->state = ST_HELLO;
    } else {
        became_ready(c);
    }
    parse_frames(c, now);
}

static void on_readable(struct conn *c, int64_t now)
{
    ssize_t n = read(c->fd, c->rbuf + c->rlen, RBUF_SIZE - c->rlen);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        conn_close(c, n ? "read failed" : "connection dropped");
        return;
    }
    c->rlen += (uint32_t)n;
    if (c->state == ST_UPGRADING)
        on_upgrade_bytes(c, now);
    else
        parse_frames(c, now);
}

/* The socket connected: send the upgrade request. */
static void on_connected(struct conn *c)
{
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err) {
        conn_close(c, strerror(err));
        return;
    }
    long i = c - lg.conn;
    char cookie[512] = "";
    if (lg.tokens)
        snprintf(cookie, sizeof cookie, "Cookie: raati_session=%s\r\n", lg.tokens[i]);
    c->state = ST_UPGRADING;
    want_out(c, false);
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\nOrigin: %s\r\n%s\r\n",
                     lg.host, lg.port, lg.origin, cookie);
    conn_send(c, req, n < (int)sizeof req ? (size_t)n : sizeof req - 1);
}

static void open_conn(long i)
{
    struct conn *c = &lg.conn[i];
    lg.opening++;
    c->state = ST_CONNECTING;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        c->state = ST_CLOSED;
        lg.errors++;
        lg.failed++;
        if (lg.errors <= 5)
            fprintf(stderr, "loadgen: socket: %s\n", strerror(errno));
        lg.opening--;
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in src = {.sin_family = AF_INET};
    src.sin_addr.s_addr = htonl(ntohl(lg.src.s_addr) + (uint32_t)(i / CONNS_PER_SRC));
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)lg.port)};
    inet_pton(AF_INET, lg.host, &dst.sin_addr);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
    c->pollout = 1;
    if (bind(c->fd, (struct sockaddr *)&src, sizeof src) < 0 ||
        (connect(c->fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS) ||
        epoll_ctl(lg.ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
        conn_close(c, strerror(errno));
        return;
    }
}

static void open_more(void)
{
    while (lg.opening < MAX_OPENING && lg.next < lg.total)
        open_conn(lg.next++);
}

static void start_sending(int64_t now)
{
    lg.sending = true;
    lg.t_start = now + (int64_t)(lg.warmup * 1e9);
    lg.t_end = lg.t_start + (int64_t)(lg.duration * 1e9);
    lg.next_send = now;
    if (lg.mode == MODE_FANOUT && lg.inflight > 0)
        top_up();
    if (lg.mode == MODE_POST)
        for (long i = 0; i < lg.posters; i++)
            if (lg.conn[i].state == ST_READY)
                send_post(&lg.conn[i]);
}

/* Paced modes: send what is due; returns ms until the next post. */
static int paced_send(int64_t now)
{
    if (lg.rate <= 0 || lg.mode == MODE_POST || lg.mode == MODE_IDLE)
        return TICK_MS;
    int64_t period = (int64_t)(1e9 / lg.rate);
    if (now - lg.next_send > 1000000000)
        lg.next_send = now; /* fell more than a second behind: do not burst */
    for (int burst = 0; now >= lg.next_send && burst < 1000; burst++) {
        struct conn *c = NULL;
        if (lg.mode == MODE_FANOUT) {
            c = &lg.conn[0];
        } else {
            for (long k = 0; k < lg.total && !c; k++) {
                struct conn *m = &lg.conn[lg.rr];
                lg.rr = (lg.rr + 1) % lg.total;
                if (m->state == ST_READY)
                    c = m;
            }
        }
        if (!c || c->state != ST_READY)
            break;
        send_post(c);
        lg.next_send += period;
    }
    int64_t wait = (lg.next_send - now) / 1000000 + 1;
    return wait < TICK_MS ? (int)(wait < 0 ? 0 : wait) : TICK_MS;
}

/* Gives up posts that have waited too long (a subscriber dropped), so a closed loop goes on. */
static void expire_posts(int64_t now)
{
    while (lg.oldest < lg.seq) {
        struct post *p = &lg.ring[(lg.oldest + 1) & (POST_RING - 1)];
        if (p->seq == lg.oldest + 1 && !p->done) {
            if (now - p->sent_ns < POST_TIMEOUT_NS)
                break;
            p->done = 1;
            lg.outstanding--;
            lg.lost++;
            lg.errors++;
        }
        lg.oldest++;
    }
    if (lg.mode == MODE_FANOUT && lg.inflight > 0)
        top_up();
}

static const char *mode_name(void)
{
    static const char *names[] = {"idle", "fanout", "post", "chat"};
    return names[lg.mode];
}

static void put_ms(const char *name, const struct hist *h, double p)
{
    double v = hist_ms(h, p);
    if (v >= 0)
        printf(",\"%s\":%.3f", name, v);
}

static void print_result(void)
{
    double connect_s = (double)(lg.t_ready - lg.t_open) / 1e9;
    long opened = lg.all_ready ? lg.ready : 0;
    printf("{\"mode\":\"%s\",\"proto\":\"%s\"", mode_name(),
           lg.proto == PROTO_RAATI ? "raati" : "raw");
    if (lg.mode == MODE_POST)
        printf(",\"posters\":%ld", lg.posters);
    else
        printf(",\"conns\":%ld", lg.recv_ready);
    if (lg.mode == MODE_FANOUT && lg.inflight > 0)
        printf(",\"inflight\":%ld", lg.inflight);
    if ((lg.mode == MODE_FANOUT && lg.inflight <= 0) || lg.mode == MODE_CHAT)
        printf(",\"rate\":%g", lg.rate);
    if (lg.mode != MODE_IDLE)
        printf(",\"duration_s\":%g", lg.duration);
    if (lg.all_ready)
        printf(",\"connect_s\":%.3f,\"conns_per_s\":%.0f", connect_s,
               connect_s > 0 ? (double)opened / connect_s : 0);
    if (lg.mode != MODE_IDLE) {
        printf(",\"posts\":%" PRIu64, lg.posts);
        if (lg.mode != MODE_POST) {
            printf(",\"deliveries\":%" PRIu64 ",\"deliveries_per_s\":%.0f", lg.deliveries,
                   (double)lg.deliveries / lg.duration);
            put_ms("last_p50_ms", &lg.last, 0.5);
            put_ms("last_p99_ms", &lg.last, 0.99);
            put_ms("spread_p50_ms", &lg.spread, 0.5);
            put_ms("spread_p99_ms", &lg.spread, 0.99);
        }
        put_ms("deliv_p50_ms", &lg.deliv, 0.5);
        put_ms("deliv_p99_ms", &lg.deliv, 0.99);
        if (lg.proto == PROTO_RAATI) {
            printf(",\"acks\":%" PRIu64 ",\"acks_per_s\":%.0f", lg.acks,
                   (double)lg.acks / lg.duration);
            put_ms("ack_p50_ms", &lg.ack, 0.5);
            put_ms("ack_p99_ms", &lg.ack, 0.99);
        }
        if (lg.mode == MODE_POST)
            printf(",\"observed\":%" PRIu64, lg.observed);
        if (lg.lost)
            printf(",\"lost\":%" PRIu64, lg.lost);
    }
    printf(",\"errors\":%" PRIu64 "}\n", lg.errors);
    fflush(stdout);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: loadgen --mode idle|fanout|post|chat --port N [--host 127.0.0.1]\n"
            "               [--origin URL] [--proto raati|raw] [--tokens FILE] [--src 127.0.0.K]\n"
            "               [--topic ID] [--conns N] [--posters N] [--inflight K] [--rate R]\n"
            "               [--size B] [--warmup S] [--duration S]\n");
    exit(2);
}

static double num_arg(const char *s, double lo, double hi)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "loadgen: bad number '%s'\n", s);
        usage();
    }
    return v;
}

static void parse_args(int argc, char **argv)
{
    const char *mode = NULL, *proto = "raati", *src = "127.0.0.2", *origin = NULL;
    lg.host = "127.0.0.1";
    lg.conns = 100;
    lg.posters = 1;
    lg.size = 600;
    lg.warmup = 2;
    lg.duration = 10;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(k, "--mode"))
            mode = v;
        else if (!strcmp(k, "--port"))
            lg.port = (int)num_arg(v, 1, 65535);
        else if (!strcmp(k, "--host"))
            lg.host = v;
        else if (!strcmp(k, "--origin"))
            origin = v;
        else if (!strcmp(k, "--proto"))
            proto = v;
        else if (!strcmp(k, "--tokens"))
            lg.tokens_path = v;
        else if (!strcmp(k, "--src"))
            src = v;
        else if (!strcmp(k, "--topic"))
            lg.topic = v;
        else if (!strcmp(k, "--conns"))
            lg.conns = (long)num_arg(v, 1, 1000000);
        else if (!strcmp(k, "--posters"))
            lg.posters = (long)num_arg(v, 1, 100000);
        else if (!strcmp(k, "--inflight"))
            lg.inflight = (long)num_arg(v, 0, POST_RING / 2);
        else if (!strcmp(k, "--rate"))
            lg.rate = num_arg(v, 0, 1e6);
        else if (!strcmp(k, "--size"))
            lg.size = (long)num_arg(v, 0, MAX_SIZE);
        else if (!strcmp(k, "--warmup"))
            lg.warmup = num_arg(v, 0, 3600);
        else if (!strcmp(k, "--duration"))
            lg.duration = num_arg(v, 0.001, 86400);
        else
            usage();
    }
    if (!mode || !lg.port)
        usage();
    if (!strcmp(mode, "idle"))
        lg.mode = MODE_IDLE;
    else if (!strcmp(mode, "fanout"))
        lg.mode = MODE_FANOUT;
    else if (!strcmp(mode, "post"))
        lg.mode = MODE_POST;
    else if (!strcmp(mode, "chat"))
        lg.mode = MODE_CHAT;
    else
        usage();
    if (!strcmp(proto, "raati"))
        lg.proto = PROTO_RAATI;
    else if (!strcmp(proto, "raw"))
        lg.proto = PROTO_RAW;
    else
        usage();
    struct in_addr probe;
    if (inet_pton(AF_INET, src, &lg.src) != 1 || inet_pton(AF_INET, lg.host, &probe) != 1) {
        fprintf(stderr, "loadgen: --src and --host take IPv4 addresses\n");
        exit(2);
    }
    if (origin)
        snprintf(lg.origin, sizeof lg.origin, "%s", origin);
    else
        snprintf(lg.origin, sizeof lg.origin, "http://localhost:%d", lg.port);
    if (lg.proto == PROTO_RAATI && lg.mode != MODE_IDLE && !lg.topic) {
        fprintf(stderr, "loadgen: --proto raati needs --topic\n");
        exit(2);
    }
    if (lg.proto == PROTO_RAATI && lg.mode == MODE_IDLE && !lg.topic) {
        fprintf(stderr, "loadgen: --proto raati needs --topic\n");
        exit(2);
    }
    if (lg.topic && strspn(lg.topic, "0123456789") != strlen(lg.topic)) {
        fprintf(stderr, "loadgen: --topic takes a number\n");
        exit(2);
    }
    if (lg.proto == PROTO_RAW && lg.mode == MODE_POST) {
        fprintf(stderr, "loadgen: post mode needs --proto raati (it waits for replies)\n");
        exit(2);
    }
    if ((lg.mode == MODE_FANOUT && lg.inflight <= 0 && lg.rate <= 0) ||
        (lg.mode == MODE_CHAT && lg.rate <= 0)) {
        fprintf(stderr, "loadgen: fanout needs --inflight or --rate; chat needs --rate\n");
        exit(2);
    }
    if (lg.mode == MODE_FANOUT && lg.inflight > 0)
        lg.rate = 0;
}

/* Reads one token per line; the file must hold one for every connection. */
static void read_tokens(void)
{
    FILE *f = fopen(lg.tokens_path, "r");
    if (!f) {
        fprintf(stderr, "loadgen: %s: %s\n", lg.tokens_path, strerror(errno));
        exit(2);
    }
    lg.tokens = calloc((size_t)lg.total, sizeof *lg.tokens);
    char line[512];
    long n = 0;
    while (n < lg.total && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || !(lg.tokens[n++] = strdup(line)))
            break;
    }
    fclose(f);
    if (n < lg.total) {
        fprintf(stderr, "loadgen: %s has %ld tokens, %ld connections need one each\n",
                lg.tokens_path, n, lg.total);
        exit(2);
    }
}

/* Connections, their roles and all their buffers, allocated once. */
static void setup(void)
{
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl)) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);

    switch (lg.mode) {
    case MODE_IDLE:
    case MODE_CHAT:
        lg.total = lg.conns;
        break;
    case MODE_FANOUT:
        lg.total = lg.conns + 1;
        break;
    case MODE_POST:
        lg.total = lg.posters + 1;
        break;
    }
    if ((rlim_t)lg.total + 16 > rl.rlim_cur) {
        fprintf(stderr, "loadgen: %ld connections need more than the %lu open files allowed\n",
                lg.total, (unsigned long)rl.rlim_cur);
        exit(2);
    }
    if (lg.tokens_path && lg.proto == PROTO_RAATI)
        read_tokens();

    lg.conn = calloc((size_t)lg.total, sizeof *lg.conn);
    size_t bytes = 0;
    for (long i = 0; i < lg.total; i++) {
        struct conn *c = &lg.conn[i];
        c->fd = -1;
        switch (lg.mode) {
        case MODE_IDLE:
            c->role = ROLE_RECV;
            break;
        case MODE_FANOUT:
            c->role = i ? ROLE_RECV : ROLE_SEND;
            break;
        case MODE_POST:
            c->role = i < lg.posters ? ROLE_SEND : ROLE_RECV;
            break;
        case MODE_CHAT:
            c->role = ROLE_RECV | ROLE_SEND;
            break;
        }
        c->wcap = (c->role & ROLE_SEND) ? WBUF_POSTER : WBUF_SMALL;
        bytes += RBUF_SIZE + c->wcap;
    }
    /* One mapping for every buffer: pages are only backed once touched. */
    char *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    lg.ring = calloc(POST_RING, sizeof *lg.ring);
    lg.post_frame = malloc(8 + MAX_SIZE + 256);
    if (!lg.conn || mem == MAP_FAILED || !lg.ring || !lg.post_frame) {
        fprintf(stderr, "loadgen: out of memory\n");
        exit(2);
    }
    for (long i = 0; i < lg.total; i++) {
        lg.conn[i].rbuf = mem;
        lg.conn[i].wbuf = mem + RBUF_SIZE;
        mem += RBUF_SIZE + lg.conn[i].wcap;
    }

    if (lg.proto == PROTO_RAATI && lg.topic) {
        char *payload = lg.subscribe_frame + 8;
        int n = snprintf(payload, sizeof lg.subscribe_frame - 8,
                         "{\"type\":\"subscribe\",\"id\":1,\"channel\":\"topic:%s\"}", lg.topic);
        char *f = frame_wrap(payload, (size_t)n, 1);
        memmove(lg.subscribe_frame, f, (size_t)(payload + n - f));
        lg.subscribe_len = (size_t)(payload + n - f);
    }
    lg.mask_state = (uint32_t)now_ns() | 1;

    lg.ep = epoll_create1(EPOLL_CLOEXEC);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    int sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_SIGNAL};
    epoll_ctl(lg.ep, EPOLL_CTL_ADD, sfd, &ev);
    if (lg.mode == MODE_IDLE) {
        /* Held until stdin ends; a regular file or /dev/null cannot be polled (SIGTERM only). */
        ev.data.u32 = TAG_STDIN;
        epoll_ctl(lg.ep, EPOLL_CTL_ADD, 0, &ev);
    }
}

static void on_all_ready(int64_t now)
{
    lg.all_ready = true;
    lg.t_ready = now;
    if (!lg.ready) {
        fprintf(stderr, "loadgen: no connection could be opened\n");
        print_result();
        exit(2);
    }
    double s = (double)(now - lg.t_open) / 1e9;
    fprintf(stderr, "loadgen: %ld connections ready in %.2f s (%ld failed)\n", lg.ready, s,
            lg.failed);
    if (lg.mode == MODE_IDLE) {
        printf("{\"ready\":true,\"conns\":%ld,\"connect_s\":%.3f,\"conns_per_s\":%.0f,"
               "\"errors\":%" PRIu64 "}\n",
               lg.ready, s, s > 0 ? (double)lg.ready / s : 0, lg.errors);
        fflush(stdout);
    } else {
        start_sending(now);
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    setup();
    static struct epoll_event events[MAX_EVENTS];
    lg.t_open = lg.last_progress = now_ns();
    int64_t next_report = lg.t_open + 1000000000;
    open_more();

    while (!lg.stop) {
        int64_t now = now_ns();
        int timeout = TICK_MS;
        if (lg.sending) {
            if (now >= lg.t_end)
                break;
            timeout = paced_send(now);
        }
        int n = epoll_wait(lg.ep, events, MAX_EVENTS, timeout);
        now = now_ns();
        for (int i = 0; i < n; i++) {
            uint32_t tag = events[i].data.u32;
            if (tag == TAG_SIGNAL) {
                lg.stop = true;
                continue;
            }
            if (tag == TAG_STDIN) {
                char buf[256];
                ssize_t r = read(0, buf, sizeof buf);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
                    lg.stop = true;
                continue;
            }
            struct conn *c = &lg.conn[tag];
            if (c->state == ST_CLOSED)
                continue;
            uint32_t e = events[i].events;
            if (c->state == ST_CONNECTING) {
                if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))
                    on_connected(c);
                continue;
            }
            if ((e & EPOLLOUT) && c->wlen)
                flush_out(c);
            if (c->state != ST_CLOSED && (e & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                on_readable(c, now);
        }
        if (!lg.all_ready) {
            if (lg.ready + lg.failed >= lg.total) {
                on_all_ready(now);
            } else if (now - lg.last_progress > STALL_NS) {
                fprintf(stderr, "loadgen: opening stalled; giving up the rest\n");
                long opened = lg.next;
                lg.next = lg.total; /* so that closing opens no more */
                for (long i = 0; i < opened; i++)
                    if (lg.conn[i].state < ST_READY)
                        conn_close(&lg.conn[i], NULL);
                lg.errors += (uint64_t)(lg.total - opened);
                lg.failed = lg.total - lg.ready;
                on_all_ready(now);
            } else if (now >= next_report) {
                fprintf(stderr, "loadgen: %ld/%ld ready\n", lg.ready, lg.total);
                next_report = now + 1000000000;
            }
        }
        if (lg.sending && lg.mode != MODE_POST)
            expire_posts(now);
    }
    if (!lg.all_ready)
        lg.t_ready = now_ns();
    print_result();
    uint64_t attempts = (uint64_t)lg.total + lg.seq;
    return lg.errors * 100 > attempts ? 1 : 0;
}
