/* Worker jobs come back to the loop in order; stop cancels queued ones. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "jobs.h"

struct counting {
    job base;
    int n;
    int *done_order;
    int *done_count;
    int *cancelled;
};

static void run_slow(job *j)
{
    usleep(2000);
}
static void on_done(job *j, int cancelled, void *ctx)
{
    struct counting *c = (struct counting *)j;
    if (cancelled)
        (*c->cancelled)++;
    else
        c->done_order[(*c->done_count)++] = c->n;
    free(c);
}
static void wake(void *arg) {}

static void jobs_finish_and_drain(void)
{
    jobs *p = jobs_start(1, 16, wake, NULL);
    int order[8], count = 0, cancelled = 0;
    for (int i = 0; i < 8; i++) {
        struct counting *c = calloc(1, sizeof *c);
        *c = (struct counting){{run_slow, on_done, NULL}, i, order, &count, &cancelled};
        CHECK(jobs_submit(p, &c->base) == 0);
    }
    for (int spins = 0; count < 8 && spins < 2000; spins++) {
        usleep(1000);
        jobs_drain(p, NULL);
    }
    CHECK(count == 8);
    for (int i = 0; i < count; i++)
        CHECK(order[i] == i);
    jobs_stop(p, NULL);
}

static void full_queue_refuses_and_stop_cancels(void)
{
    jobs *p = jobs_start(1, 2, wake, NULL);
    int order[8], count = 0, cancelled = 0, refused = 0;
    for (int i = 0; i < 6; i++) {
        struct counting *c = calloc(1, sizeof *c);
        *c = (struct counting){{run_slow, on_done, NULL}, i, order, &count, &cancelled};
        if (jobs_submit(p, &c->base)) {
            refused++;
            free(c);
        }
    }
    CHECK(refused >= 3);
    jobs_stop(p, NULL);
    CHECK(count + cancelled == 6 - refused);
}

int main(void)
{
    RUN(jobs_finish_and_drain);
    RUN(full_queue_refuses_and_stop_cancels);
    return CHECK_DONE();
}
