/* walsync.h: flushes the write-ahead log to disk on a thread of its own,
 * so the event loop goes on while the disk works. The commit group
 * (forum_routes.c) commits without waiting for the disk, asks for a flush,
 * and sends its replies and events once the flush that covers it is done:
 * what it acknowledges is on disk, as with synchronous=FULL, but the loop
 * serves the next posts during the flush. */
#ifndef RAATI_WALSYNC_H
#define RAATI_WALSYNC_H

#include <stdint.h>

typedef struct walsync walsync;

/* Starts the thread for the database at db_path (its log is db_path-wal).
 * wake(arg) is called from the thread after each flush. NULL on failure. */
walsync *walsync_start(const char *db_path, void (*wake)(void *), void *arg);
/* Asks for a flush of everything written to the log so far; returns the
 * number that walsync_done() reaches once it is on disk. */
uint64_t walsync_request(walsync *w);
/* The highest request number that is on disk. *failed is set when a flush
 * failed (the disk reported an error): nothing after it can be promised. */
uint64_t walsync_done(walsync *w, int *failed);
/* Blocks until request n is on disk. */
void walsync_wait(walsync *w, uint64_t n);
/* Finishes the flush under way, stops the thread and frees w. Accepts
 * NULL. */
void walsync_stop(walsync *w);

#endif
