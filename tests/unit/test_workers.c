/*
 * test_workers.c: unit tests for lib/http/workers.c, the bounded pool.
 *
 * Jobs here block on a gate the test opens, so which jobs run, wait or are
 * refused is decided by the pool's rules, not by timing: the queue bound,
 * the heavy lane (at most half the workers on heavy jobs; a worker passes
 * over a waiting heavy job for a light one), the heavy queue bound, places
 * taken while running (ts_workers_heavy_enter), cancelled jobs, and the
 * hand-back of every job to its loop through an h2o message queue.
 */
#include "http/workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "image/render.h"
#include "t.h"

struct tjob {
    struct ts_job job;      /* must stay first */
    int id;
    atomic_bool started;
    atomic_bool ran;
    atomic_bool done;       /* handed back to the loop */
    atomic_bool *gate;      /* run waits until it opens */
    atomic_bool cancel;
};

static void run(struct ts_job *j)
{
    struct tjob *t = (struct tjob *)j;
    atomic_store(&t->started, true);
    while (!atomic_load(t->gate)) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    atomic_store(&t->ran, true);
}

static void done(struct ts_job *j)
{
    atomic_store(&((struct tjob *)j)->done, true);
}

static h2o_evloop_t *loop;
static h2o_multithread_queue_t *queue;
static h2o_multithread_receiver_t receiver;

static void init_job(struct tjob *t, int id, bool heavy, atomic_bool *gate)
{
    memset(t, 0, sizeof(*t));
    t->id = id;
    t->job.run = run;
    t->job.done = done;
    t->job.reply = &receiver;
    t->job.heavy = heavy;
    t->job.cancelled = &t->cancel;
    t->gate = gate;
}

/* Runs the loop until `cond` holds for every job in `jobs` (or 10 s: then the check fails). */
static bool wait_for(struct tjob *jobs, int n, atomic_bool *(*field)(struct tjob *))
{
    for (int spins = 0; spins < 10000; spins++) {
        bool all = true;
        for (int i = 0; i < n; i++)
            all &= atomic_load(field(&jobs[i]));
        if (all)
            return true;
        h2o_evloop_run(loop, 1);
    }
    return false;
}

static atomic_bool *f_started(struct tjob *t)
{
    return &t->started;
}

static atomic_bool *f_done(struct tjob *t)
{
    return &t->done;
}

/* A short pause for workers to pick up what they may: only ever used to show that something did NOT start. */
static void settle(void)
{
    for (int i = 0; i < 50; i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
        h2o_evloop_run(loop, 0);
    }
}

static void test_queue_bound(void)
{
    atomic_bool gate = false;
    struct ts_workers *w = ts_workers_new(1, 2, 4);
    T_CHECK(w != NULL, "pool");
    struct tjob j[4];
    for (int i = 0; i < 4; i++)
        init_job(&j[i], i, false, &gate);
    T_CHECK(ts_workers_submit(w, &j[0].job) == 0, "first job");
    T_CHECK(wait_for(j, 1, f_started), "the first job starts");
    T_CHECK(ts_workers_submit(w, &j[1].job) == 0, "second job waits");
    T_CHECK(ts_workers_submit(w, &j[2].job) == 0, "third job waits");
    T_CHECK(ts_workers_submit(w, &j[3].job) == -1, "a fourth job does not fit a queue of 2");
    T_CHECK(ts_workers_pending(w) == 3, "pending %d", ts_workers_pending(w));
    atomic_store(&gate, true);
    T_CHECK(wait_for(j, 3, f_done), "every accepted job is handed back");
    T_CHECK(!atomic_load(&j[3].done), "the refused job stays with the caller");
    ts_workers_free(w);
}

static void test_heavy_lane(void)
{
    /* two workers: one heavy at a time, one heavy waiting */
    atomic_bool heavy_gate = false, light_gate = true;
    struct ts_workers *w = ts_workers_new(2, 16, 1);
    struct tjob h[3], l[3];
    for (int i = 0; i < 3; i++) {
        init_job(&h[i], i, true, &heavy_gate);
        init_job(&l[i], 10 + i, false, &light_gate);
    }
    T_CHECK(ts_workers_submit(w, &h[0].job) == 0, "heavy 0 runs");
    T_CHECK(wait_for(h, 1, f_started), "heavy 0 starts");
    T_CHECK(ts_workers_submit(w, &h[1].job) == 0, "heavy 1 waits");
    T_CHECK(ts_workers_submit(w, &h[2].job) == -1, "heavy 2 is refused: lane of 1 running + 1 waiting");
    /* light jobs queued behind the waiting heavy one still run on the free worker */
    for (int i = 0; i < 3; i++)
        T_CHECK(ts_workers_submit(w, &l[i].job) == 0, "light %d", i);
    T_CHECK(wait_for(l, 3, f_done), "light jobs pass the waiting heavy job");
    settle();
    T_CHECK(!atomic_load(&h[1].started), "a second heavy job started while the lane was full");
    /* while running, a job may ask for a lane place: none is free */
    T_CHECK(ts_workers_heavy_enter(w) == -1, "heavy_enter with the lane full");
    atomic_store(&heavy_gate, true);
    T_CHECK(wait_for(h, 2, f_done), "both heavy jobs finish");
    T_CHECK(ts_workers_heavy_enter(w) == 0, "heavy_enter with the lane free");
    T_CHECK(ts_workers_heavy_enter(w) == -1, "heavy_enter twice");
    ts_workers_heavy_leave(w);
    T_CHECK(ts_workers_heavy_enter(w) == 0, "heavy_enter after leave");
    ts_workers_heavy_leave(w);
    T_CHECK(ts_workers_pending(w) == 0, "nothing pending: %d", ts_workers_pending(w));
    ts_workers_free(w);

    /* one worker: the lane is still one, and no heavy job may wait with a heavy queue of 0 */
    heavy_gate = false;
    w = ts_workers_new(1, 16, 0);
    init_job(&h[0], 0, true, &heavy_gate);
    init_job(&h[1], 1, true, &heavy_gate);
    T_CHECK(ts_workers_submit(w, &h[0].job) == 0, "one worker: heavy 0");
    T_CHECK(ts_workers_submit(w, &h[1].job) == -1, "one worker, heavy queue 0: heavy 1 refused");
    atomic_store(&heavy_gate, true);
    T_CHECK(wait_for(h, 1, f_done), "heavy 0 finishes");
    ts_workers_free(w);
}

static void test_cancelled(void)
{
    atomic_bool gate = false, open = true;
    struct ts_workers *w = ts_workers_new(1, 4, 4);
    struct tjob blocker, gone;
    init_job(&blocker, 0, false, &gate);
    init_job(&gone, 1, false, &open);
    T_CHECK(ts_workers_submit(w, &blocker.job) == 0 && wait_for(&blocker, 1, f_started), "blocker runs");
    T_CHECK(ts_workers_submit(w, &gone.job) == 0, "second job queued");
    atomic_store(&gone.cancel, true); /* its client went away before a worker took it */
    atomic_store(&gate, true);
    T_CHECK(wait_for(&gone, 1, f_done), "the cancelled job is still handed back");
    T_CHECK(!atomic_load(&gone.ran), "the cancelled job's run was skipped");
    ts_workers_free(w);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ts_image_init(argv[0], 1, NULL) != 0) /* workers release libvips's per-thread state when they end */
        return 1;
    loop = h2o_evloop_create();
    queue = h2o_multithread_create_queue(loop);
    h2o_multithread_register_receiver(queue, &receiver, ts_workers_on_reply);
    test_queue_bound();
    test_heavy_lane();
    test_cancelled();
    h2o_multithread_unregister_receiver(queue, &receiver);
    h2o_multithread_destroy_queue(queue);
    h2o_evloop_destroy(loop);
    ts_image_shutdown();
    return t_done();
}
