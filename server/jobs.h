/* jobs.h: worker threads for slow work (password hashing now; mail and
 * backups later). A job's run() happens on a worker; its done() happens
 * back on the event loop, called from jobs_drain(). The queue is bounded:
 * past it jobs_submit() refuses and the caller answers `busy`. */
#ifndef RAATI_JOBS_H
#define RAATI_JOBS_H

typedef struct job job;
struct job {
    /* On a worker thread. Must not touch loop-owned state. */
    void (*run)(job *j);
    /* On the loop, after run; cancelled is 1 when the pool stopped before
     * run. Owns j: frees it. */
    void (*done)(job *j, int cancelled, void *loop_ctx);
    job *next;
};

typedef struct jobs jobs;

/* Starts workers threads. wake(wake_arg) is called from a worker after a
 * job finishes, to wake the loop (lws_cancel_service). NULL on failure. */
jobs *jobs_start(int workers, int max_queued, void (*wake)(void *), void *wake_arg);
/* Queues j; -1 if the queue is full or the pool is stopping (j untouched). */
int jobs_submit(jobs *p, job *j);
/* 1 if some job has finished and waits for jobs_drain(). */
int jobs_finished(jobs *p);
/* On the loop: calls done() for every finished job. */
void jobs_drain(jobs *p, void *loop_ctx);
/* Lets running jobs finish, cancels queued ones (their done() is called
 * with cancelled = 1), joins the workers and frees p. Accepts NULL. */
void jobs_stop(jobs *p, void *loop_ctx);

#endif
