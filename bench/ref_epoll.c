/*
 * ref_epoll: the raw reference broadcaster of Raati's benchmarks (issue 7).
 *
 * One thread, one epoll set, no JSON and no storage: each complete text
 * frame a client sends is forwarded unchanged, as one server frame, to every
 * other open connection with one write() each. What a socket does not take
 * at once waits in that connection's buffer until EPOLLOUT. This is the
 * ceiling Raati's fan-out is measured against: the cost of one write per
 * delivered message and nothing else.
 *
 *   ref_epoll --port N [--host 127.0.0.1]
 *
 * Prints `listening N` on stdout once it accepts connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsframe.h"

#define RBUF_SIZE (64 * 1024)       /* the largest client message, with its header */
#define OUT_MAX (16u * 1024 * 1024) /* a client this far behind is dropped */
#define MAX_EVENTS 1024
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum state { ST_FREE, ST_HTTP, ST_OPEN };

struct client {
    uint8_t state;
    uint32_t slot; /* index in open[] while ST_OPEN */
    uint32_t rlen;
    char *rbuf;
    char *out; /* bytes the socket did not take yet */
    size_t olen, ocap;
    bool pollout;
};

static struct client *clients; /* indexed by fd */
static int *open_fds;          /* the open connections, for broadcasting */
static uint32_t n_open;
static int max_fd;
static int ep;
static unsigned char frame[RBUF_SIZE + 16]; /* the frame being forwarded */

static void client_close(int fd)
{
    struct client *c = &clients[fd];
    if (c->state == ST_OPEN) {
        int last = open_fds[--n_open];
        open_fds[c->slot] = last;
        clients[last].slot = c->slot;
    }
    free(c->rbuf);
    free(c->out);
    memset(c, 0, sizeof *c);
    close(fd);
}

static void set_pollout(int fd, bool on)
{
    struct client *c = &clients[fd];
    if (c->pollout == on)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    c->pollout = on;
}

/* Writes buf to fd at once if nothing waits before it; keeps the rest. False if fd was closed. */
static bool client_send(int fd, const void *buf, size_t len)
{
    struct client *c = &clients[fd];
    if (!c->olen) {
        ssize_t n = write(fd, buf, len);
        if (n == (ssize_t)len)
            return true;
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                client_close(fd);
                return false;
            }
            n = 0;
        }
        buf = (const char *)buf + n;
        len -= (size_t)n;
    }
    if (c->olen + len > c->ocap) {
        size_t cap = c->ocap ? c->ocap : 64 * 1024;
        while (cap < c->olen + len)
            cap *= 2;
        char *grown = cap <= OUT_MAX ? realloc(c->out, cap) : NULL;
        if (!grown) {
            client_close(fd);
            return false;
        }
        c->out = grown;
        c->ocap = cap;
    }
    memcpy(c->out + c->olen, buf, len);
    c->olen += len;
    set_pollout(fd, true);
    return true;
}

static void flush_out(int fd)
{
    struct client *c = &clients[fd];
    ssize_t n = write(fd, c->out, c->olen);
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            client_close(fd);
        return;
    }
    memmove(c->out, c->out + n, c->olen - (size_t)n);
    c->olen -= (size_t)n;
    if (!c->olen)
        set_pollout(fd, false);
}

/* Builds an unmasked server frame of payload p in frame[]; returns its length. */
static size_t build_frame(int opcode, const char *p, size_t n)
{
    size_t h = 2;
    frame[0] = (unsigned char)(0x80 | opcode);
    if (n < 126) {
        frame[1] = (unsigned char)n;
    } else {
        frame[1] = 126;
        frame[2] = (unsigned char)(n >> 8);
        frame[3] = (unsigned char)n;
        h = 4;
    }
    memcpy(frame + h, p, n);
    return h + n;
}

/* Sends one text message to every open connection but the sender. */
static void broadcast(int from, const char *p, size_t n)
{
    size_t len = build_frame(1, p, n);
    for (uint32_t i = 0; i < n_open; i++) {
        int fd = open_fds[i];
        if (fd != from && !client_send(fd, frame, len))
            i--; /* the last connection moved into this slot */
    }
}

/* Answers the upgrade; false if the request is not one (the caller closes). */
static bool handshake(int fd, char *req, size_t len)
{
    req[len] = 0;
    char *key = strcasestr(req, "\r\nSec-WebSocket-Key:");
    if (!key)
        return false;
    key += 20;
    key += strspn(key, " \t");
    size_t klen = strcspn(key, " \t\r\n");
    char joined[128];
    if (!klen || klen > 64)
        return false;
    memcpy(joined, key, klen);
    memcpy(joined + klen, WS_GUID, sizeof WS_GUID);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((unsigned char *)joined, klen + sizeof WS_GUID - 1, digest);
    unsigned char accept[64];
    EVP_EncodeBlock(accept, digest, SHA_DIGEST_LENGTH);
    char resp[256];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    return client_send(fd, resp, (size_t)n);
}

/* Handles every complete client frame in the buffer; false if fd was closed. */
static bool handle_frames(int fd)
{
    struct client *c = &clients[fd];
    size_t pos = 0;
    for (;;) {
        unsigned char *b = (unsigned char *)c->rbuf + pos;
        size_t avail = c->rlen - pos, h;
        uint64_t n;
        if (!ws_frame_lengths(b, avail, &h, &n))
            break;
        if (!(b[1] & 0x80) || n + h + 4 >= RBUF_SIZE) {
            client_close(fd); /* unmasked, or larger than we keep */
            return false;
        }
        if (avail < h + 4 + n)
            break;
        unsigned char *mask = b + h;
        char *p = (char *)mask + 4;
        for (size_t i = 0; i < n; i++)
            p[i] ^= (char)mask[i & 3];
        int op = b[0] & 15;
        pos += h + 4 + n;
        if (op == 1 && (b[0] & 0x80)) {
            broadcast(fd, p, (size_t)n); /* skips the sender, so c stays open */
        } else if (op == 9) {
            size_t len = build_frame(10, p, (size_t)n);
            if (!client_send(fd, frame, len))
                return false;
        } else if (op == 8) {
            size_t len = build_frame(8, p, n < 2 ? (size_t)n : 2);
            client_send(fd, frame, len);
            if (clients[fd].state)
                client_close(fd);
            return false;
        }
    }
    if (pos) {
        memmove(c->rbuf, c->rbuf + pos, c->rlen - pos);
        c->rlen -= (uint32_t)pos;
    }
    return true;
}

static void on_readable(int fd)
{
    struct client *c = &clients[fd];
    ssize_t n = read(fd, c->rbuf + c->rlen, RBUF_SIZE - 1 - c->rlen);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        client_close(fd);
        return;
    }
    c->rlen += (uint32_t)n;
    if (c->state == ST_HTTP) {
        c->rbuf[c->rlen] = 0;
        char *end = strstr(c->rbuf, "\r\n\r\n");
        if (!end) {
            if (c->rlen >= RBUF_SIZE - 1)
                client_close(fd);
            return;
        }
        size_t head = (size_t)(end + 4 - c->rbuf);
        if (!handshake(fd, c->rbuf, head - 2)) {
            if (clients[fd].state != ST_FREE)
                client_close(fd);
            return;
        }
        c->state = ST_OPEN;
        c->slot = n_open;
        open_fds[n_open++] = fd;
        memmove(c->rbuf, c->rbuf + head, c->rlen - head);
        c->rlen -= (uint32_t)head;
    }
    handle_frames(fd);
}

static void on_accept(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (fd >= max_fd || !(clients[fd].rbuf = malloc(RBUF_SIZE))) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        clients[fd].state = ST_HTTP;
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port"))
            port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--host"))
            host = argv[i + 1];
        else
            port = -1, i = argc;
    }
    if (port < 0 || port > 65535 || argc % 2 == 0) {
        fprintf(stderr, "usage: ref_epoll --port N [--host 127.0.0.1]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    max_fd = (int)(rl.rlim_cur > 1000000 ? 1000000 : rl.rlim_cur);
    clients = calloc((size_t)max_fd, sizeof *clients);
    open_fds = calloc((size_t)max_fd, sizeof *open_fds);

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "ref_epoll: --host takes an IPv4 address\n");
        return 2;
    }
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 4096) < 0) {
        perror("ref_epoll: listen");
        return 1;
    }
    socklen_t alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &alen);
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    printf("listening %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    static struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                on_accept(lfd);
                continue;
            }
            if (clients[fd].state == ST_FREE)
                continue;
            if ((events[i].events & EPOLLOUT) && clients[fd].olen)
                flush_out(fd);
            if (clients[fd].state != ST_FREE &&
                (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                on_readable(fd);
        }
    }
}
