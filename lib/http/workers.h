/*
 * workers.h: the bounded pool of threads that do pixel work.
 *
 * Event loops never decode: they submit a job, and a worker runs it and hands
 * it back to the loop it came from through that loop's h2o message queue,
 * where `done` runs (on the loop thread) to send the response. The queue is
 * bounded: when it is full, submit fails at once and the loop answers 503,
 * so a flood of expensive requests cannot pile up without end.
 *
 * Three rules decide which waiting job a free worker takes:
 *   - heavy jobs (large decodes, marked by the caller) have a lane of their
 *     own: at most `heavy_max` run at once (half the workers, at least one)
 *     and at most `heavy_cap` wait, so a flood of `full/max` requests leaves
 *     workers for tiles; a worker passes over waiting heavy jobs while the
 *     lane is full;
 *   - work memory: a job that says how much memory it holds (`mem`) starts
 *     only when that fits in the budget beside the jobs running; while the
 *     oldest waiting large job does not fit, younger large ones wait behind
 *     it, and once it has waited TS_WORKERS_LARGE_WAIT_MS its memory is kept
 *     for it: smaller jobs start only beside that share, so the running ones
 *     drain and it starts (a large job is never starved, and a short wait
 *     costs tiles nothing);
 *   - fairness: among the jobs that may start, the oldest of the owner
 *     (a connection) with the fewest jobs running goes first, so one
 *     client's many requests never hold up another's few.
 * A job that learns only while running that it is heavy or needs memory
 * (its image was not known when it was queued) asks ts_workers_defer: it
 * runs on, or goes back to the head of the queue to wait for its turn.
 *
 * The pool also keeps the time work last made progress (a job taken or
 * finished), so a health check can tell a stuck pool from a busy one.
 */
#ifndef TS_HTTP_WORKERS_H
#define TS_HTTP_WORKERS_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ts_job;
typedef void (*ts_job_fn)(struct ts_job *job);

struct ts_job {
    h2o_multithread_message_t msg;       /* must stay first: the hand-back link */
    ts_job_fn run;                       /* on a worker thread */
    ts_job_fn done;                      /* on the loop thread, after run */
    h2o_multithread_receiver_t *reply;   /* where to hand the job back */
    atomic_bool *cancelled;              /* when set before a worker starts the job, `run` is skipped; may be NULL */
    bool heavy;                          /* set before submit: runs in the heavy lane */
    uint64_t mem;                        /* set before submit: bytes of work memory it holds while it runs; 0 none */
    const void *owner;                   /* whom the job serves (a connection), for fairness; NULL for no one */
    /* owned by the pool */
    struct ts_job *next;
    int64_t queued_ms;                   /* when it was queued (CLOCK_MONOTONIC) */
    bool requeue;                        /* ts_workers_defer sent it back to the queue */
    bool want_heavy;
    uint64_t want_mem;
};

struct ts_workers;

/* How long the oldest large job waits for memory before smaller jobs stop passing it. */
#define TS_WORKERS_LARGE_WAIT_MS 200

/**
 * Starts `n_threads` workers with room for `queue_cap` waiting jobs, of
 * which at most `heavy_cap` heavy ones, and `mem_budget` bytes of work
 * memory for the jobs running (0: no budget). NULL on failure.
 */
struct ts_workers *ts_workers_new(int n_threads, int queue_cap, int heavy_cap, uint64_t mem_budget);

/**
 * Queues `job`. Returns 0, or -1 if the queue (or, for a heavy job, the
 * heavy lane) is full or the pool is stopping: the caller still owns the job
 * and should answer 503. A job whose `mem` is over the whole budget never
 * starts: the caller must refuse it before (ts_workers_mem_budget).
 */
int ts_workers_submit(struct ts_workers *w, struct ts_job *job);

/**
 * For the running job `job`, which has just learned that it is `heavy` and
 * holds `mem` bytes: returns 0 when it may go on now (the lane place and
 * memory are taken, and given back when it ends); 1 when it must wait: its
 * `run` returns at once and is called again when the job's turn comes; -1
 * when the heavy lane is full, and the job should answer 503.
 */
int ts_workers_defer(struct ts_workers *w, struct ts_job *job, bool heavy, uint64_t mem);

/** The work-memory budget in bytes (0: none). */
uint64_t ts_workers_mem_budget(const struct ts_workers *w);

/** Jobs queued or running right now. */
int ts_workers_pending(struct ts_workers *w);

struct ts_workers_state {
    int queued, running, threads;
    int heavy_running, heavy_queued;
    uint64_t mem_in_use, mem_budget;
    int64_t idle_ms;       /* since work last made progress (a job taken or finished) */
};

/**
 * The pool's state at `now_ms` (CLOCK_MONOTONIC milliseconds). Returns 1
 * when the pool is stuck: jobs wait and no job was taken or finished for
 * more than `stall_ms`; else 0.
 */
int ts_workers_state(struct ts_workers *w, int64_t now_ms, int64_t stall_ms, struct ts_workers_state *out);

/**
 * Stops the pool: waits for queued and running jobs to finish (their
 * results are still handed back), then joins the threads and frees the pool.
 * Returns 0; -1 when threads were still running after `wait_ms` (then the
 * pool is left for the process exit to end, not freed).
 */
int ts_workers_free(struct ts_workers *w, int64_t wait_ms);

/** The receiver callback to register on each loop's queue: runs `done` of every job handed back. */
void ts_workers_on_reply(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);

#endif
