/* jobs.c: a mutex, two lists and a condition variable: workers pop
 * from `queue`, push onto `finished`, and wake the loop. */
#include "jobs.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"

struct jobs {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    job *queue_head, *queue_tail, *finished;
    int queued, running, max_queued, stopping, workers;
    void (*wake)(void *);
    void *wake_arg;
    pthread_t threads[];
};

static void *worker(void *arg)
{
    jobs *p = arg;
    /* Hashing yields to the event loop: on a busy machine the loop's
     * thread runs first whenever it has work, so a storm of sign-ins
     * slows sign-ins, not everyone's chat. (Linux gives each thread its
     * own nice value.) */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), 19))
        log_warn("jobs.nice_failed", "reason=\"setpriority\"");
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->queue_head && !p->stopping)
            pthread_cond_wait(&p->ready, &p->lock);
        if (p->stopping)
            break;
        job *j = p->queue_head;
        p->queue_head = j->next;
        if (!p->queue_head)
            p->queue_tail = NULL;
        p->queued--;
        p->running++;
        pthread_mutex_unlock(&p->lock);

        j->run(j);

        pthread_mutex_lock(&p->lock);
        p->running--;
        j->next = p->finished;
        p->finished = j;
        pthread_mutex_unlock(&p->lock);
        p->wake(p->wake_arg);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

jobs *jobs_start(int workers, int max_queued, void (*wake)(void *), void *wake_arg)
{
    jobs *p = calloc(1, sizeof *p + workers * sizeof(pthread_t));
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, NULL);
    p->max_queued = max_queued;
    p->wake = wake;
    p->wake_arg = wake_arg;
    /* Workers never take SIGINT/SIGTERM: those belong to the signal thread. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (int i = 0; i < workers; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p)) {
            log_error("jobs.start_failed", "worker=%d", i);
            break;
        }
        p->workers++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (p->workers == 0) {
        free(p);
        return NULL;
    }
    return p;
}

int jobs_submit(jobs *p, job *j)
{
    pthread_mutex_lock(&p->lock);
    if (p->stopping || p->queued >= p->max_queued) {
        pthread_mutex_unlock(&p->lock);
        return -1;
    }
    j->next = NULL;
    if (p->queue_tail)
        p->queue_tail->next = j;
    else
        p->queue_head = j;
    p->queue_tail = j;
    p->queued++;
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

int jobs_finished(jobs *p)
{
    pthread_mutex_lock(&p->lock);
    int yes = p->finished != NULL;
    pthread_mutex_unlock(&p->lock);
    return yes;
}

void jobs_drain(jobs *p, void *loop_ctx)
{
    pthread_mutex_lock(&p->lock);
    job *list = p->finished;
    p->finished = NULL;
    pthread_mutex_unlock(&p->lock);
    /* Finished jobs were pushed newest first; reverse to answer in order. */
    job *ordered = NULL;
    while (list) {
        job *next = list->next;
        list->next = ordered;
        ordered = list;
        list = next;
    }
    while (ordered) {
        job *next = ordered->next;
        ordered->done(ordered, 0, loop_ctx);
        ordered = next;
    }
}

void jobs_stop(jobs *p, void *loop_ctx)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    job *cancelled = p->queue_head;
    p->queue_head = p->queue_tail = NULL;
    p->queued = 0;
    pthread_cond_broadcast(&p->ready);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->workers; i++)
        pthread_join(p->threads[i], NULL);
    jobs_drain(p, loop_ctx);
    while (cancelled) {
        job *next = cancelled->next;
        cancelled->done(cancelled, 1, loop_ctx);
        cancelled = next;
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->ready);
    free(p);
}
