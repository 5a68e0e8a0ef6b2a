/*
 * workers.c: a fixed set of threads around one bounded FIFO.
 *
 * One mutex and one condition variable guard the queue; jobs are intrusive
 * (the caller's struct embeds struct ts_job), so queuing allocates nothing.
 */
#include "http/workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/log.h"
#include "image/render.h"

struct ts_workers {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct ts_job *head, *tail;
    int queued;       /* waiting in the queue */
    int running;      /* taken by a worker, not yet handed back */
    int cap;
    int heavy_max;    /* heavy jobs that may run at once */
    int heavy_cap;    /* heavy jobs that may wait */
    int heavy_running, heavy_queued;
    bool stopping;
    int n_threads;
    pthread_t *threads;
};

/* Unlinks and returns the first job a worker may start now (a heavy one only while the lane has room), or NULL. */
static struct ts_job *take_job(struct ts_workers *w)
{
    struct ts_job *prev = NULL;
    for (struct ts_job *j = w->head; j != NULL; prev = j, j = j->next) {
        if (j->heavy && w->heavy_running >= w->heavy_max)
            continue;
        if (prev != NULL)
            prev->next = j->next;
        else
            w->head = j->next;
        if (w->tail == j)
            w->tail = prev;
        w->queued--;
        w->running++;
        if (j->heavy) {
            w->heavy_queued--;
            w->heavy_running++;
        }
        return j;
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    struct ts_workers *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        struct ts_job *job;
        while ((job = take_job(w)) == NULL && !(w->stopping && w->head == NULL))
            pthread_cond_wait(&w->wake, &w->lock);
        if (job == NULL) { /* stopping and drained */
            pthread_mutex_unlock(&w->lock);
            break;
        }
        pthread_mutex_unlock(&w->lock);

        if (job->cancelled == NULL || !atomic_load(job->cancelled))
            job->run(job);
        else
            ts_log_debug("skipped a job: its client has gone");

        bool heavy = job->heavy;
        pthread_mutex_lock(&w->lock);
        w->running--;
        if (heavy) {
            w->heavy_running--;
            pthread_cond_broadcast(&w->wake); /* a waiting heavy job may start now */
        }
        pthread_mutex_unlock(&w->lock);
        h2o_multithread_send_message(job->reply, &job->msg);
    }
    ts_image_thread_done();
    return NULL;
}

struct ts_workers *ts_workers_new(int n_threads, int queue_cap, int heavy_cap)
{
    struct ts_workers *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return NULL;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->cap = queue_cap;
    w->heavy_cap = heavy_cap;
    w->heavy_max = n_threads / 2 > 0 ? n_threads / 2 : 1;
    w->threads = calloc((size_t)n_threads, sizeof(pthread_t));
    if (w->threads == NULL) {
        free(w);
        return NULL;
    }
    for (int i = 0; i < n_threads; i++) {
        if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
            break;
        w->n_threads++;
    }
    if (w->n_threads == 0) {
        free(w->threads);
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
    if (w->tail != NULL)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    w->queued++;
    pthread_cond_signal(&w->wake); /* a heavy job no worker may take now is started at a heavy job's end */
    pthread_mutex_unlock(&w->lock);
    return 0;
}

int ts_workers_heavy_enter(struct ts_workers *w)
{
    pthread_mutex_lock(&w->lock);
    int rc = w->heavy_running < w->heavy_max ? 0 : -1;
    if (rc == 0)
        w->heavy_running++;
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void ts_workers_heavy_leave(struct ts_workers *w)
{
    pthread_mutex_lock(&w->lock);
    w->heavy_running--;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

int ts_workers_pending(struct ts_workers *w)
{
    pthread_mutex_lock(&w->lock);
    int n = w->queued + w->running;
    pthread_mutex_unlock(&w->lock);
    return n;
}

void ts_workers_free(struct ts_workers *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->n_threads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w->threads);
    free(w);
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
