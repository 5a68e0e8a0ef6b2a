/*
 * workers.h: the bounded pool of threads that do pixel work.
 *
 * Event loops never decode: they submit a job, and a worker runs it and hands
 * it back to the loop it came from through that loop's h2o message queue,
 * where `done` runs (on the loop thread) to send the response. The queue is
 * bounded: when it is full, submit fails at once and the loop answers 503,
 * so a flood of expensive requests cannot pile up without end.
 *
 * Heavy jobs (large decodes, marked by the caller) have a lane of their own:
 * at most `heavy_max` run at once (half the workers, at least one) and at
 * most `heavy_cap` wait, so a flood of `full/max` requests leaves workers
 * for tiles; a worker passes over waiting heavy jobs while the lane is full.
 */
#ifndef TS_HTTP_WORKERS_H
#define TS_HTTP_WORKERS_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct ts_job;
typedef void (*ts_job_fn)(struct ts_job *job);

struct ts_job {
    h2o_multithread_message_t msg;       /* must stay first: the hand-back link */
    ts_job_fn run;                       /* on a worker thread */
    ts_job_fn done;                      /* on the loop thread, after run */
    h2o_multithread_receiver_t *reply;   /* where to hand the job back */
    atomic_bool *cancelled;              /* when set before a worker starts the job, `run` is skipped; may be NULL */
    bool heavy;                          /* set before submit: runs in the heavy lane */
    struct ts_job *next;                 /* queue link, owned by the pool */
};

struct ts_workers;

/**
 * Starts `n_threads` workers with room for `queue_cap` waiting jobs, of
 * which at most `heavy_cap` heavy ones. NULL on failure.
 */
struct ts_workers *ts_workers_new(int n_threads, int queue_cap, int heavy_cap);

/**
 * Queues `job`. Returns 0, or -1 if the queue (or, for a heavy job, the
 * heavy lane) is full or the pool is stopping: the caller still owns the job
 * and should answer 503.
 */
int ts_workers_submit(struct ts_workers *w, struct ts_job *job);

/**
 * For a running job that finds out only while running that it is heavy (its
 * image was not known when it was queued): takes a place in the heavy lane.
 * Returns 0 (call ts_workers_heavy_leave when done), or -1 when the lane is
 * full, and the job should answer 503.
 */
int ts_workers_heavy_enter(struct ts_workers *w);

/** Gives back the place taken by ts_workers_heavy_enter. */
void ts_workers_heavy_leave(struct ts_workers *w);

/** Jobs queued or running right now. */
int ts_workers_pending(struct ts_workers *w);

/**
 * Stops the pool: waits for queued and running jobs to finish (their
 * results are still handed back), then joins the threads and frees the pool.
 */
void ts_workers_free(struct ts_workers *w);

/** The receiver callback to register on each loop's queue: runs `done` of every job handed back. */
void ts_workers_on_reply(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);

#endif
