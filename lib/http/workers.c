/*
 * workers.c: a fixed set of threads around one bounded queue.
 *
 * One mutex and one condition variable guard the queue; jobs are intrusive
 * (the caller's struct embeds struct ts_job), so queuing allocates nothing.
 * Taking a job scans the queue once (it is bounded by queue_size) for the
 * first job the lane and memory rules let start, preferring owners with no
 * job running; each worker's slot says whose job it runs.
 */
#include "http/workers.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "image/render.h"

struct slot {
    struct ts_workers *w;
    int index;
    const void *owner;   /* of the job this worker runs, NULL when idle or no one's */
    bool busy;
};

struct ts_workers {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_cond_t idle;       /* signalled when a job ends: for ts_workers_free */
    struct ts_job *head, *tail;
    int queued;       /* waiting in the queue */
    int running;      /* taken by a worker, not yet handed back */
    int cap;
    int heavy_max;    /* heavy jobs that may run at once */
    int heavy_cap;    /* heavy jobs that may wait */
    int heavy_running, heavy_queued;
    uint64_t mem_budget, mem_in_use;
    int64_t progress_ms; /* a job was last taken or finished */
    bool stopping;
    int n_threads, n_exited;
    pthread_t *threads;
    struct slot *slots;
};

/* A job that holds an eighth of the budget or more is large: it keeps its place against younger large ones. */
static bool is_large(const struct ts_workers *w, uint64_t mem)
{
    return w->mem_budget > 0 && mem >= w->mem_budget / 8;
}

static int owner_load(const struct ts_workers *w, const void *owner)
{
    if (owner == NULL)
        return 0;
    int n = 0;
    for (int i = 0; i < w->n_threads; i++)
        n += w->slots[i].busy && w->slots[i].owner == owner;
    return n;
}

/* Unlinks and returns the job a worker should start now (see workers.h for the rules), or NULL. */
static struct ts_job *take_job(struct ts_workers *w)
{
    struct ts_job *best = NULL, *best_prev = NULL, *prev = NULL;
    int best_load = INT_MAX;
    bool large_blocked = false;
    uint64_t kept = 0; /* memory kept for the oldest large job, once it has waited long enough */
    int64_t now = ts_now_ms();
    for (struct ts_job *j = w->head; j != NULL; prev = j, j = j->next) {
        if (j->heavy && w->heavy_running >= w->heavy_max)
            continue;
        if (j->mem > 0 && w->mem_budget > 0) {
            bool large = is_large(w, j->mem);
            if (large && large_blocked)
                continue;
            if (w->mem_in_use + j->mem + kept > w->mem_budget) {
                if (large && !large_blocked && now - j->queued_ms >= TS_WORKERS_LARGE_WAIT_MS)
                    kept = j->mem;
                large_blocked |= large;
                continue;
            }
        }
        int load = owner_load(w, j->owner);
        if (load < best_load) {
            best = j;
            best_prev = prev;
            best_load = load;
            if (load == 0)
                break;
        }
    }
    if (best == NULL)
        return NULL;
    if (best_prev != NULL)
        best_prev->next = best->next;
    else
        w->head = best->next;
    if (w->tail == best)
        w->tail = best_prev;
    w->queued--;
    w->running++;
    if (best->heavy) {
        w->heavy_queued--;
        w->heavy_running++;
    }
    w->mem_in_use += best->mem;
    w->progress_ms = ts_now_ms();
    return best;
}

/* Puts a deferred job back at the head of the queue, with what it now knows it needs. */
static void requeue(struct ts_workers *w, struct ts_job *job)
{
    job->requeue = false;
    job->heavy = job->want_heavy; /* heavy_queued was counted by ts_workers_defer */
    job->mem = job->want_mem;
    job->next = w->head;
    w->head = job;
    if (w->tail == NULL)
        w->tail = job;
    w->queued++;
    job->queued_ms = ts_now_ms();
}

static void *worker_main(void *arg)
{
    struct slot *slot = arg;
    struct ts_workers *w = slot->w;
    /* named for top -H, gdb and the tests (which wait for a worker to be busy by its CPU time) */
    pthread_setname_np(pthread_self(), "ts-worker");
    for (;;) {
        pthread_mutex_lock(&w->lock);
        struct ts_job *job;
        while ((job = take_job(w)) == NULL && !(w->stopping && w->head == NULL))
            pthread_cond_wait(&w->wake, &w->lock);
        if (job == NULL) { /* stopping and drained */
            w->n_exited++;
            pthread_cond_broadcast(&w->idle);
            pthread_mutex_unlock(&w->lock);
            break;
        }
        slot->busy = true;
        slot->owner = job->owner;
        pthread_mutex_unlock(&w->lock);

        if (job->cancelled == NULL || !atomic_load(job->cancelled))
            job->run(job);
        else
            ts_log_debug("skipped a job: its client has gone");

        pthread_mutex_lock(&w->lock);
        slot->busy = false;
        slot->owner = NULL;
        w->running--;
        if (job->heavy)
            w->heavy_running--;
        w->mem_in_use -= job->mem;
        w->progress_ms = ts_now_ms();
        bool again = job->requeue;
        if (again)
            requeue(w, job);
        pthread_cond_broadcast(&w->wake); /* a job waiting for a lane place or memory may start now */
        pthread_cond_broadcast(&w->idle);
        pthread_mutex_unlock(&w->lock);
        if (!again)
            h2o_multithread_send_message(job->reply, &job->msg);
    }
    ts_image_thread_done();
    return NULL;
}

struct ts_workers *ts_workers_new(int n_threads, int queue_cap, int heavy_cap, uint64_t mem_budget)
{
    struct ts_workers *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return NULL;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->idle, NULL);
    w->cap = queue_cap;
    w->heavy_cap = heavy_cap;
    w->heavy_max = n_threads / 2 > 0 ? n_threads / 2 : 1;
    w->mem_budget = mem_budget;
    w->progress_ms = ts_now_ms();
    w->threads = calloc((size_t)n_threads, sizeof(pthread_t));
    w->slots = calloc((size_t)n_threads, sizeof(struct slot));
    if (w->threads == NULL || w->slots == NULL) {
        free(w->threads);
        free(w->slots);
        free(w);
        return NULL;
    }
    pthread_mutex_lock(&w->lock);
    for (int i = 0; i < n_threads; i++) {
        w->slots[i] = (struct slot){w, i, NULL, false};
        if (pthread_create(&w->threads[i], NULL, worker_main, &w->slots[i]) != 0)
            break;
        w->n_threads++;
    }
    pthread_mutex_unlock(&w->lock);
    if (w->n_threads == 0) {
        free(w->threads);
        free(w->slots);
        free(w);
        return NULL;
    }
    return w;
}

int ts_workers_submit(struct ts_workers *w, struct ts_job *job)
{
    pthread_mutex_lock(&w->lock);
    if (w->stopping || w->queued >= w->cap ||
        (job->heavy && w->heavy_queued + w->heavy_running >= w->heavy_max + w->heavy_cap)) {
        pthread_mutex_unlock(&w->lock);
        return -1;
    }
    if (job->heavy)
        w->heavy_queued++;
    job->next = NULL;
    job->requeue = false;
    job->queued_ms = ts_now_ms();
    if (w->tail != NULL)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    w->queued++;
    pthread_cond_signal(&w->wake); /* a job no worker may take now is started when a running one ends */
    pthread_mutex_unlock(&w->lock);
    return 0;
}

int ts_workers_defer(struct ts_workers *w, struct ts_job *job, bool heavy, uint64_t mem)
{
    pthread_mutex_lock(&w->lock);
    bool lane_ok = !heavy || job->heavy || w->heavy_running < w->heavy_max;
    bool mem_ok = w->mem_budget == 0 || mem <= job->mem || w->mem_in_use - job->mem + mem <= w->mem_budget;
    int rc;
    if (lane_ok && mem_ok) {
        if (heavy && !job->heavy) {
            job->heavy = true;
            w->heavy_running++;
        }
        if (mem > job->mem) {
            w->mem_in_use += mem - job->mem;
            job->mem = mem;
        }
        rc = 0;
    } else if (heavy && !job->heavy && w->heavy_queued + w->heavy_running >= w->heavy_max + w->heavy_cap) {
        rc = -1;
    } else {
        /* back to the head of the queue when this run returns (worker_main), to start when it fits */
        job->requeue = true;
        job->want_heavy = heavy || job->heavy;
        job->want_mem = mem > job->mem ? mem : job->mem;
        if (job->want_heavy)
            w->heavy_queued++;
        rc = 1;
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

uint64_t ts_workers_mem_budget(const struct ts_workers *w)
{
    return w->mem_budget;
}

int ts_workers_pending(struct ts_workers *w)
{
    pthread_mutex_lock(&w->lock);
    int n = w->queued + w->running;
    pthread_mutex_unlock(&w->lock);
    return n;
}

int ts_workers_state(struct ts_workers *w, int64_t now, int64_t stall_ms, struct ts_workers_state *out)
{
    pthread_mutex_lock(&w->lock);
    out->queued = w->queued;
    out->running = w->running;
    out->threads = w->n_threads;
    out->heavy_running = w->heavy_running;
    out->heavy_queued = w->heavy_queued;
    out->mem_in_use = w->mem_in_use;
    out->mem_budget = w->mem_budget;
    out->idle_ms = now - w->progress_ms;
    pthread_mutex_unlock(&w->lock);
    return out->queued > 0 && out->idle_ms > stall_ms ? 1 : 0;
}

int ts_workers_free(struct ts_workers *w, int64_t wait_ms)
{
    if (w == NULL)
        return 0;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->wake);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (wait_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    while (w->n_exited < w->n_threads) {
        if (wait_ms >= 0 && pthread_cond_timedwait(&w->idle, &w->lock, &until) != 0)
            break;
        if (wait_ms < 0)
            pthread_cond_wait(&w->idle, &w->lock);
    }
    bool all = w->n_exited == w->n_threads;
    pthread_mutex_unlock(&w->lock);
    if (!all) {
        ts_log_warn("%d worker threads are still busy: not waiting for them", w->n_threads - w->n_exited);
        return -1; /* the threads still use the pool: the process exit ends them */
    }
    for (int i = 0; i < w->n_threads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->idle);
    free(w->threads);
    free(w->slots);
    free(w);
    return 0;
}

void ts_workers_on_reply(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    (void)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m = H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        struct ts_job *job = (struct ts_job *)m;
        job->done(job);
    }
}
