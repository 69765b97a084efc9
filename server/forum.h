/* forum.h: what the domain modules (periods, discussions) share: the
 * context of one change (who makes it, when, and the sequence number it
 * takes) and small helpers for ids and rows. Domain functions run inside a
 * transaction the caller opens; they never see lws or the hub. */
#ifndef RAATI_FORUM_H
#define RAATI_FORUM_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "error.h"
#include "times.h"

typedef struct {
    db *db;
    const config *cfg;
    int64_t member_id; /* who asks */
    int role;          /* enum role */
    int64_t now_ms;
    char now[TIME_ISO_SIZE];
    int64_t seq;  /* the sequence number rows changed now are given */
    int replayed; /* set by a write that found it was done before: nothing changed */
} forum_ctx;

/* Fills f with now's time. */
void forum_ctx_init(forum_ctx *f, db *d, const config *cfg, int64_t member_id, int role,
                    int64_t seq);

/* A positive whole-number id field (e.g. "period_id"). */
raati_code forum_id(json_t *msg, const char *key, int required, int64_t *out, raati_error *err);

/* Runs a write: sql with ?1.. bound to the n integers in v, then the nt
 * texts in t (NULL binds null); steps and resets it. RAATI_E_INTERNAL
 * ("could not save <what>", logged) if it fails. */
raati_code forum_exec(db *d, const char *sql, const int64_t *v, int n, const char *const *t, int nt,
                      const char *what, raati_error *err);

/* Column i of a row as a JSON string, or null. */
json_t *forum_col_text(sqlite3_stmt *st, int i);
/* Steps a write statement and resets it; RAATI_E_INTERNAL (logged) if it
 * fails. */
raati_code forum_step(db *d, sqlite3_stmt *st, const char *what, raati_error *err);
/* Runs sql (a select of ids, ?1 bound to f->now, ?2 to max) and writes up
 * to max ids into ids; returns how many. For the "what is due now"
 * queries of the period timer. */
int forum_due_ids(forum_ctx *f, const char *sql, int64_t *ids, int max);
/* Closes what due_sql (as for forum_due_ids) selects, each with close(f,
 * id) (0 on success) inside its own savepoint, so one that fails leaves
 * nothing behind and the others still close; each takes its own sequence
 * number. Writes the closed ids into ids and returns how many. */
int forum_close_due(forum_ctx *f, const char *due_sql, int (*close)(forum_ctx *, int64_t),
                    int64_t *ids, int max);
/* When the next thing should close, from sql: a query of one value, '0'
 * (due now), an ISO time, or NULL (nothing open). ms since the epoch, 0,
 * or -1. */
int64_t forum_next_due_ms(db *d, const char *sql);
/* The last sequence number handed out (meta 'seq'): where the server's
 * sequence resumes. */
int64_t forum_last_seq(db *d);
/* Records seq as handed out, inside the change's transaction, so a number
 * a client has seen is never given again after a restart. */
raati_code forum_save_seq(db *d, int64_t seq, raati_error *err);

/* Secret ballots and responses (docs/protocol.md, "Named and secret
 * polls"). A key is 32 random bytes stored by insert_sql (?1 the owner's
 * id, ?2 the key); a member's tag is a keyed BLAKE2b of their id under the
 * key that key_sql (?1 the owner's id) reads. forum_secret_tag returns -1
 * when the key is gone. */
raati_code forum_secret_key(forum_ctx *f, const char *insert_sql, int64_t id, raati_error *err);
int forum_secret_tag(db *d, const char *key_sql, int64_t id, int64_t member_id,
                     unsigned char tag[32]);
/* The id of a member's row (ballot, response) under owner (a poll, a
 * survey), or 0: found by the member's tag (by_tag: ?1 owner, ?2 tag) when
 * secret, else by member id (by_member: ?1 owner, ?2 member). */
int64_t forum_member_row(db *d, int secret, const char *key_sql, const char *by_tag,
                         const char *by_member, int64_t owner, int64_t member_id);
/* The text sql (one column, ?1 bound to id) selects, as a name the audit
 * log keeps: into name (256 bytes), whole characters only; "" if none. */
void forum_name_of(db *d, const char *sql, int64_t id, char name[256]);
/* One page of objects: steps st (a query of ids in page order, bound by
 * the caller to limit + 1 rows) and makes one(d, id) of up to limit of
 * them. *next is the page's last id when more rows follow, else 0. NULL
 * when out of memory. */
json_t *forum_page(db *d, sqlite3_stmt *st, int limit, json_t *(*one)(db *, int64_t),
                   int64_t *next);
/* How long ago the member joined, in ms (0 if unknown). */
int64_t forum_member_age_ms(db *d, int64_t member_id, int64_t now_ms);
/* A random positive row id, so ids tell nothing of the order rows came in. */
int64_t forum_random_id(void);

#endif
