/* app.h: the running server's state, owned by the event loop thread, and
 * the pieces of it the transport, router and HTTP routes share. */
#ifndef RAATI_APP_H
#define RAATI_APP_H

#include <libwebsockets.h>
#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "jobs.h"
#include "ratelimit.h"

struct conn;
struct http_req;

typedef struct app {
    config cfg;
    db *db;
    struct lws_context *ctx;
    struct lws_vhost *vhost;
    jobs *jobs;
    ratelimit *login_account;    /* failed sign-ins per email */
    ratelimit *login_address;    /* sign-in attempts per client address */
    ratelimit *register_address; /* registrations per client address */
    ratelimit *posts;            /* posts and topics per member per minute */
    ratelimit *posts_new;        /* the same for new members */
    char *config_body;           /* GET /api/config, built once */
    size_t config_body_len;

    /* Headers on every HTTP response (lws adds them to each status line). */
    char csp[1024];
    struct lws_protocol_vhost_options headers[4];

    volatile sig_atomic_t stop_requested; /* set by the signal thread */
    int stopping;                         /* the loop is shutting down */
    uint64_t next_id;                     /* connection and request ids */
    struct conn *conns;                   /* every open WebSocket */
    int conn_count;
    struct http_req *waiting; /* HTTP requests waiting for a worker job */

    struct hub *hub;                      /* live channels (hub.h) */
    int64_t seq;                          /* the last event sequence number used */
    lws_sorted_usec_list_t period_timer;  /* opens and closes periods on time */
    lws_sorted_usec_list_t viewers_timer; /* sends changed viewer counts */
    int viewers_pending;                  /* viewers_timer is scheduled */
    lws_sorted_usec_list_t poll_timer;    /* sends coalesced poll results */
    int64_t dirty_polls[64];              /* polls voted on since the last send */
    int dirty_poll_count;
    lws_sorted_usec_list_t wal_timer; /* retries erasing the WAL after a secret poll */
    struct commit_group *group;       /* posts waiting for one commit (forum_routes.c) */
    struct walsync *walsync;          /* flushes the log for the commit group */
    struct dirty_line {
        struct conn *head, *tail;
    } dirty[2]; /* connections with frames to write: events, replies (ws.c) */
    lws_sorted_usec_list_t write_timer; /* writes them at the start of the next turn */
    int write_pending;                  /* write_timer is scheduled */
    int wal_erase_tries;
} app;

/* Starts the server described by cfg and runs until SIGINT/SIGTERM: then
 * stops taking work, flushes queued frames, closes the database and
 * returns 0. Returns 1 if it could not start (the reason is logged). */
int app_serve(const config *cfg);

/* The app of a connection's context. */
app *app_of(struct lws *wsi);

#endif
