/* walsync.c: see walsync.h. */
#include "walsync.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

struct walsync {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wanted;
    pthread_cond_t flushed; /* walsync_wait() */
    char path[1024];
    int fd;             /* the log, opened at the first flush */
    uint64_t requested; /* the last request number handed out */
    uint64_t done;      /* the last one on disk */
    int failed;
    int stopping;
    void (*wake)(void *);
    void *arg;
};

/* fdatasync on any descriptor of a file flushes what every descriptor
 * wrote to it: SQLite writes the log, this flushes it. */
static int flush(walsync *w)
{
    if (w->fd < 0) {
        w->fd = open(w->path, O_RDWR | O_CLOEXEC);
        if (w->fd < 0)
            return errno == ENOENT ? 0 : -1; /* no log: nothing to flush */
    }
    return fdatasync(w->fd);
}

static void *run(void *arg)
{
    walsync *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->stopping && w->done == w->requested)
            pthread_cond_wait(&w->wanted, &w->lock);
        if (w->done == w->requested)
            break; /* stopping, nothing left */
        uint64_t target = w->requested;
        pthread_mutex_unlock(&w->lock);
        int rc = flush(w);
        if (rc)
            log_error("db.log_flush_failed", "error=\"%s\"", strerror(errno));
        pthread_mutex_lock(&w->lock);
        w->done = target;
        w->failed |= rc != 0;
        pthread_cond_broadcast(&w->flushed);
        pthread_mutex_unlock(&w->lock);
        w->wake(w->arg);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

walsync *walsync_start(const char *db_path, void (*wake)(void *), void *arg)
{
    walsync *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    if ((size_t)snprintf(w->path, sizeof w->path, "%s-wal", db_path) >= sizeof w->path) {
        free(w);
        return NULL;
    }
    w->fd = -1;
    w->wake = wake;
    w->arg = arg;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wanted, NULL);
    pthread_cond_init(&w->flushed, NULL);
    if (pthread_create(&w->thread, NULL, run, w)) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wanted);
        pthread_cond_destroy(&w->flushed);
        free(w);
        return NULL;
    }
    return w;
}

uint64_t walsync_request(walsync *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t n = ++w->requested;
    pthread_cond_signal(&w->wanted);
    pthread_mutex_unlock(&w->lock);
    return n;
}

uint64_t walsync_done(walsync *w, int *failed)
{
    pthread_mutex_lock(&w->lock);
    uint64_t n = w->done;
    if (failed)
        *failed = w->failed;
    pthread_mutex_unlock(&w->lock);
    return n;
}

void walsync_wait(walsync *w, uint64_t n)
{
    pthread_mutex_lock(&w->lock);
    while (w->done < n)
        pthread_cond_wait(&w->flushed, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

void walsync_stop(walsync *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_signal(&w->wanted);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    if (w->fd >= 0)
        close(w->fd);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wanted);
    pthread_cond_destroy(&w->flushed);
    free(w);
}
