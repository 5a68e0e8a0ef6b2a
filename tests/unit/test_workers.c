/*
 * test_workers.c: unit tests for lib/http/workers.c, the bounded pool.
 *
 * Jobs here block on a gate the test opens, so which jobs run, wait or are
 * refused is decided by the pool's rules, not by timing: the queue bound,
 * the heavy lane (at most half the workers on heavy jobs; a worker passes
 * over a waiting heavy job for a light one), the heavy queue bound, places
 * taken while running (ts_workers_heavy_enter), cancelled jobs, and the
 * hand-back of every job to its loop through an h2o message queue, the
 * work-memory budget (jobs wait until they fit; a large one is not passed
 * by younger large ones), jobs that learn their needs while running
 * (ts_workers_defer: run on, wait at the head of the queue, or refused),
 * fairness between owners, the stall report behind /health, and a stop
 * that does not wait for ever.
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
    /* for jobs that ask ts_workers_defer on their first run */
    struct ts_workers *pool;
    bool defer_heavy;
    uint64_t defer_mem;
    atomic_int runs;        /* times run was called */
    atomic_int defer_rc;    /* what the first call's ts_workers_defer said */
    int order;              /* when it started, 1-based */
};

static atomic_int started_count;

static void run(struct ts_job *j)
{
    struct tjob *t = (struct tjob *)j;
    int n = atomic_fetch_add(&t->runs, 1);
    if (n == 0 && t->pool != NULL) {
        int rc = ts_workers_defer(t->pool, j, t->defer_heavy, t->defer_mem);
        atomic_store(&t->defer_rc, rc);
        if (rc != 0)
            return;
    }
    t->order = atomic_fetch_add(&started_count, 1) + 1;
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
    struct ts_workers *w = ts_workers_new(1, 2, 4, 0);
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
    T_CHECK(ts_workers_free(w, -1) == 0, "freed");
}

static void test_heavy_lane(void)
{
    /* two workers: one heavy at a time, one heavy waiting */
    atomic_bool heavy_gate = false, light_gate = true;
    struct ts_workers *w = ts_workers_new(2, 16, 1, 0);
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
    atomic_store(&heavy_gate, true);
    T_CHECK(wait_for(h, 2, f_done), "both heavy jobs finish");
    T_CHECK(ts_workers_pending(w) == 0, "nothing pending: %d", ts_workers_pending(w));
    ts_workers_free(w, -1);

    /* one worker: the lane is still one, and no heavy job may wait with a heavy queue of 0 */
    heavy_gate = false;
    w = ts_workers_new(1, 16, 0, 0);
    init_job(&h[0], 0, true, &heavy_gate);
    init_job(&h[1], 1, true, &heavy_gate);
    T_CHECK(ts_workers_submit(w, &h[0].job) == 0, "one worker: heavy 0");
    T_CHECK(ts_workers_submit(w, &h[1].job) == -1, "one worker, heavy queue 0: heavy 1 refused");
    atomic_store(&heavy_gate, true);
    T_CHECK(wait_for(h, 1, f_done), "heavy 0 finishes");
    ts_workers_free(w, -1);
}

/* A job that finds out while running that it is heavy: it waits for the lane, at the head of the queue. */
static void test_defer(void)
{
    atomic_bool gate = false, open = true;
    struct ts_workers *w = ts_workers_new(2, 16, 1, 0);
    struct tjob h, d, later;
    init_job(&h, 0, true, &gate);
    init_job(&d, 1, false, &open);
    d.pool = w;
    d.defer_heavy = true;
    init_job(&later, 2, false, &open);
    T_CHECK(ts_workers_submit(w, &h.job) == 0 && wait_for(&h, 1, f_started), "heavy job holds the lane");
    T_CHECK(ts_workers_submit(w, &d.job) == 0, "a light job is queued");
    for (int spins = 0; spins < 10000 && atomic_load(&d.runs) == 0; spins++)
        settle();
    T_CHECK(atomic_load(&d.defer_rc) == 1, "it learns it is heavy with the lane full: it waits (%d)",
            atomic_load(&d.defer_rc));
    settle();
    T_CHECK(!atomic_load(&d.done) && !atomic_load(&d.started), "not handed back, not run on while it waits");
    T_CHECK(ts_workers_submit(w, &later.job) == 0 && wait_for(&later, 1, f_done), "light jobs still pass it");
    atomic_store(&gate, true);
    T_CHECK(wait_for(&d, 1, f_done), "it runs once the lane is free, and is handed back once");
    T_CHECK(atomic_load(&d.runs) == 2, "run was called again from its turn: %d", atomic_load(&d.runs));
    ts_workers_free(w, -1);

    /* with no room to wait in the heavy queue, it is refused */
    gate = false;
    w = ts_workers_new(2, 16, 0, 0);
    init_job(&h, 0, true, &gate);
    init_job(&d, 1, false, &open);
    d.pool = w;
    d.defer_heavy = true;
    T_CHECK(ts_workers_submit(w, &h.job) == 0 && wait_for(&h, 1, f_started), "heavy job holds the lane");
    T_CHECK(ts_workers_submit(w, &d.job) == 0 && wait_for(&d, 1, f_done), "the deferring job is handed back");
    T_CHECK(atomic_load(&d.defer_rc) == -1, "refused: heavy queue 0 (%d)", atomic_load(&d.defer_rc));
    atomic_store(&gate, true);
    T_CHECK(wait_for(&h, 1, f_done), "the heavy job ends");
    ts_workers_free(w, -1);

    /* with the lane free, it simply runs on */
    w = ts_workers_new(2, 16, 0, 0);
    init_job(&d, 1, false, &open);
    d.pool = w;
    d.defer_heavy = true;
    T_CHECK(ts_workers_submit(w, &d.job) == 0 && wait_for(&d, 1, f_done), "done");
    T_CHECK(atomic_load(&d.defer_rc) == 0 && atomic_load(&d.runs) == 1, "ran on at once");
    ts_workers_free(w, -1);
}

static void test_memory_budget(void)
{
    atomic_bool gate_a = false, gate_b = false, open = true;
    /* a budget of 800 bytes: large jobs hold 100 or more */
    struct ts_workers *w = ts_workers_new(4, 16, 16, 800);
    struct tjob a, b, c, small;
    init_job(&a, 0, false, &gate_a);
    a.job.mem = 500;
    init_job(&b, 1, false, &gate_b);
    b.job.mem = 400;
    init_job(&c, 2, false, &open);
    c.job.mem = 200;
    init_job(&small, 3, false, &open);
    small.job.mem = 50;
    T_CHECK(ts_workers_submit(w, &a.job) == 0 && wait_for(&a, 1, f_started), "500 of 800 taken");
    T_CHECK(ts_workers_submit(w, &b.job) == 0, "400 more does not fit: waits");
    T_CHECK(ts_workers_submit(w, &c.job) == 0, "200 would fit, but is large and younger than the 400: waits");
    T_CHECK(ts_workers_submit(w, &small.job) == 0 && wait_for(&small, 1, f_done), "a small job fits and runs");
    settle();
    T_CHECK(!atomic_load(&b.started) && !atomic_load(&c.started), "the large jobs wait for memory");
    struct ts_workers_state st;
    ts_workers_state(w, 0, 1000000, &st);
    T_CHECK(st.mem_in_use == 500 && st.mem_budget == 800 && st.queued == 2, "state: %llu of %llu, %d queued",
            (unsigned long long)st.mem_in_use, (unsigned long long)st.mem_budget, st.queued);
    atomic_store(&gate_a, true);
    T_CHECK(wait_for(&a, 1, f_done) && wait_for(&b, 1, f_started), "the 400 starts once the 500 is given back");
    T_CHECK(wait_for(&c, 1, f_done), "the 200 fits beside it and runs");
    atomic_store(&gate_b, true);
    T_CHECK(wait_for(&b, 1, f_done), "done");
    ts_workers_state(w, 0, 1000000, &st);
    T_CHECK(st.mem_in_use == 0, "all memory given back: %llu", (unsigned long long)st.mem_in_use);
    ts_workers_free(w, -1);

    /* a younger large job that would fit waits while an older one does not */
    gate_a = false;
    gate_b = false;
    w = ts_workers_new(4, 16, 16, 800);
    init_job(&a, 0, false, &gate_a);
    a.job.mem = 300;
    init_job(&b, 1, false, &open);
    b.job.mem = 600;
    init_job(&c, 2, false, &open);
    c.job.mem = 300;
    T_CHECK(ts_workers_submit(w, &a.job) == 0 && wait_for(&a, 1, f_started), "300 of 800 taken");
    T_CHECK(ts_workers_submit(w, &b.job) == 0 && ts_workers_submit(w, &c.job) == 0, "600, then 300, wait");
    settle();
    T_CHECK(!atomic_load(&c.started), "the younger 300 would fit, but does not pass the older 600");
    atomic_store(&gate_a, true);
    T_CHECK(wait_for(&b, 1, f_done) && wait_for(&c, 1, f_done) && wait_for(&a, 1, f_done), "both run after");
    T_CHECK(b.order < c.order, "the older first: %d, %d", b.order, c.order);
    ts_workers_free(w, -1);

    /* a large job that has waited long enough keeps its memory: smaller jobs stop passing it */
    atomic_bool g1 = false, g2 = false, g3 = false;
    w = ts_workers_new(4, 16, 16, 1000);
    struct tjob s1, s2, s3, s4, big;
    init_job(&s1, 1, false, &g1);
    init_job(&s2, 2, false, &g2);
    init_job(&s3, 3, false, &g3);
    init_job(&s4, 4, false, &open);
    init_job(&big, 5, false, &open);
    s1.job.mem = s2.job.mem = s3.job.mem = s4.job.mem = 100;
    big.job.mem = 800;
    T_CHECK(ts_workers_submit(w, &s1.job) == 0 && ts_workers_submit(w, &s2.job) == 0 &&
                ts_workers_submit(w, &s3.job) == 0 && wait_for(&s1, 1, f_started) && wait_for(&s2, 1, f_started) &&
                wait_for(&s3, 1, f_started),
            "300 of 1000 taken by three small jobs");
    T_CHECK(ts_workers_submit(w, &big.job) == 0, "800 more does not fit: waits");
    struct timespec aged = {0, (TS_WORKERS_LARGE_WAIT_MS + 100) * 1000000L};
    nanosleep(&aged, NULL);
    T_CHECK(ts_workers_submit(w, &s4.job) == 0, "a fourth small job would fit...");
    settle();
    T_CHECK(!atomic_load(&s4.started), "...but the large job has waited: its 800 is kept, the small one waits");
    atomic_store(&g1, true);
    T_CHECK(wait_for(&big, 1, f_done), "one small job ends: 200 + 800 fit, the large job runs");
    atomic_store(&g2, true);
    atomic_store(&g3, true);
    T_CHECK(wait_for(&s4, 1, f_done) && wait_for(&s2, 1, f_done) && wait_for(&s3, 1, f_done) &&
                wait_for(&s1, 1, f_done),
            "then the rest");
    ts_workers_free(w, -1);

    /* memory learned while running waits too */
    atomic_bool gate = false;
    w = ts_workers_new(2, 16, 16, 800);
    init_job(&a, 0, false, &gate);
    a.job.mem = 700;
    struct tjob d;
    init_job(&d, 1, false, &open);
    d.pool = w;
    d.defer_mem = 300;
    T_CHECK(ts_workers_submit(w, &a.job) == 0 && wait_for(&a, 1, f_started), "700 taken");
    T_CHECK(ts_workers_submit(w, &d.job) == 0, "queued");
    for (int spins = 0; spins < 10000 && atomic_load(&d.runs) == 0; spins++)
        settle();
    T_CHECK(atomic_load(&d.defer_rc) == 1, "it needs 300 more: waits");
    settle();
    T_CHECK(!atomic_load(&d.started), "not run while it does not fit");
    atomic_store(&gate, true);
    T_CHECK(wait_for(&d, 1, f_done) && wait_for(&a, 1, f_done), "runs when it fits");
    ts_workers_free(w, -1);
}

/* Among the jobs that may start, an owner with nothing running goes before one with jobs running. */
static void test_fairness(void)
{
    atomic_bool g1 = false, g2 = false, open = true;
    struct ts_workers *w = ts_workers_new(2, 16, 16, 0);
    int x, y; /* two owners */
    struct tjob x1, x2, x3, x4, y1;
    init_job(&x1, 1, false, &g1);
    init_job(&x2, 2, false, &g2);
    init_job(&x3, 3, false, &open);
    init_job(&x4, 4, false, &open);
    init_job(&y1, 5, false, &open);
    x1.job.owner = x2.job.owner = x3.job.owner = x4.job.owner = &x;
    y1.job.owner = &y;
    atomic_store(&started_count, 0);
    T_CHECK(ts_workers_submit(w, &x1.job) == 0 && ts_workers_submit(w, &x2.job) == 0, "x holds both workers");
    T_CHECK(wait_for(&x1, 1, f_started) && wait_for(&x2, 1, f_started), "both started");
    T_CHECK(ts_workers_submit(w, &x3.job) == 0 && ts_workers_submit(w, &x4.job) == 0 &&
                ts_workers_submit(w, &y1.job) == 0,
            "x queues two more, then y one");
    atomic_store(&g1, true);
    T_CHECK(wait_for(&y1, 1, f_done), "y's job runs");
    T_CHECK(y1.order == 3, "y's job is the next to start, before x's older ones (started %d)", y1.order);
    atomic_store(&g2, true);
    T_CHECK(wait_for(&x3, 1, f_done) && wait_for(&x4, 1, f_done) && wait_for(&x1, 1, f_done) &&
                wait_for(&x2, 1, f_done),
            "x's jobs run after");
    ts_workers_free(w, -1);
}

/* /health's question: jobs wait and nothing was taken or finished for longer than the limit. */
static void test_stall(void)
{
    atomic_bool gate = false;
    struct ts_workers *w = ts_workers_new(1, 16, 16, 0);
    struct tjob a, b;
    init_job(&a, 0, false, &gate);
    init_job(&b, 1, false, &gate);
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    int64_t now = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
    struct ts_workers_state st;
    T_CHECK(ts_workers_state(w, now + 3600000, 1000, &st) == 0, "an idle pool with nothing waiting is not stuck");
    T_CHECK(ts_workers_submit(w, &a.job) == 0 && wait_for(&a, 1, f_started), "a job runs for ever");
    T_CHECK(ts_workers_state(w, now + 3600000, 1000, &st) == 0, "busy, nothing waiting: not stuck");
    T_CHECK(ts_workers_submit(w, &b.job) == 0, "a job waits behind it");
    T_CHECK(ts_workers_state(w, now, 60000, &st) == 0 && st.queued == 1 && st.running == 1,
            "waiting for less than the limit: busy, not stuck");
    T_CHECK(ts_workers_state(w, now + 120000, 60000, &st) == 1 && st.idle_ms >= 60000,
            "waiting past the limit with no progress: stuck (%lld ms)", (long long)st.idle_ms);
    /* a stop that cannot wait for the stuck job gives up after its time */
    T_CHECK(ts_workers_free(w, 20) == -1, "the stop gives up on a stuck worker");
    atomic_store(&gate, true);
    T_CHECK(wait_for(&b, 1, f_done) && wait_for(&a, 1, f_done), "the queued job still runs once the stuck one ends");
    T_CHECK(ts_workers_free(w, -1) == 0, "then the pool is freed");
}

static void test_cancelled(void)
{
    atomic_bool gate = false, open = true;
    struct ts_workers *w = ts_workers_new(1, 4, 4, 0);
    struct tjob blocker, gone;
    init_job(&blocker, 0, false, &gate);
    init_job(&gone, 1, false, &open);
    T_CHECK(ts_workers_submit(w, &blocker.job) == 0 && wait_for(&blocker, 1, f_started), "blocker runs");
    T_CHECK(ts_workers_submit(w, &gone.job) == 0, "second job queued");
    atomic_store(&gone.cancel, true); /* its client went away before a worker took it */
    atomic_store(&gate, true);
    T_CHECK(wait_for(&gone, 1, f_done), "the cancelled job is still handed back");
    T_CHECK(!atomic_load(&gone.ran), "the cancelled job's run was skipped");
    ts_workers_free(w, -1);
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
    test_defer();
    test_memory_budget();
    test_fairness();
    test_stall();
    test_cancelled();
    h2o_multithread_unregister_receiver(queue, &receiver);
    h2o_multithread_destroy_queue(queue);
    h2o_evloop_destroy(loop);
    ts_image_shutdown();
    return t_done();
}
