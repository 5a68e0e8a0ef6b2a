/*
 * log.c: diagnostic log lines on stderr, rate-limited, with a memory of
 * problems already told.
 */
#include "core/log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static atomic_int current_level = TS_LOG_INFO;

static const char *const names[] = {"error", "warn", "info", "debug"};

void ts_log_set_level(enum ts_log_level level)
{
    atomic_store(&current_level, (int)level);
}

int ts_log_parse_level(const char *s, enum ts_log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum ts_log_level)i;
            return 0;
        }
    }
    return -1;
}

/* The rate limit: a token bucket refilled at TS_LOG_RATE a second, holding at most TS_LOG_BURST. */
static pthread_mutex_t bucket_lock = PTHREAD_MUTEX_INITIALIZER;
static double tokens = TS_LOG_BURST;
static struct timespec refilled;
static unsigned long dropped, dropped_total;

/* Takes a token; returns -1 when none is left, else the lines dropped since the last one written. */
static long take_token(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&bucket_lock);
    if (refilled.tv_sec != 0) {
        double dt = (double)(now.tv_sec - refilled.tv_sec) + (double)(now.tv_nsec - refilled.tv_nsec) / 1e9;
        tokens += dt * TS_LOG_RATE;
        if (tokens > TS_LOG_BURST)
            tokens = TS_LOG_BURST;
    }
    refilled = now;
    long rc;
    if (tokens < 1) {
        dropped++;
        dropped_total++;
        rc = -1;
    } else {
        tokens -= 1;
        rc = (long)dropped;
        dropped = 0;
    }
    pthread_mutex_unlock(&bucket_lock);
    return rc;
}

unsigned long ts_log_dropped(void)
{
    pthread_mutex_lock(&bucket_lock);
    unsigned long n = dropped_total;
    pthread_mutex_unlock(&bucket_lock);
    return n;
}

/* Writes a line, unless the rate limit drops it. Returns whether it was written. */
static bool vlog(enum ts_log_level level, const char *fmt, va_list ap)
{
    long was_dropped = take_token();
    if (was_dropped < 0)
        return false;
    char line[1024];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += (size_t)snprintf(line + n, sizeof(line) - n, "[%s] ", names[level]);
    vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    flockfile(stderr);
    if (was_dropped > 0)
        fprintf(stderr, "%.*s[warn] %ld log lines were dropped (more than %d a second)\n", 21, line, was_dropped,
                TS_LOG_RATE);
    fputs(line, stderr);
    fputc('\n', stderr);
    funlockfile(stderr);
    return true;
}

void ts_log(enum ts_log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load(&current_level))
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
}

/* Keys of problems told, in a small set where a newer key may take an old one's place. */
#define ONCE_SLOTS 4096
static pthread_mutex_t once_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t once_keys[ONCE_SLOTS];

int ts_log_once(uint64_t key, enum ts_log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load(&current_level))
        return 0;
    if (key == 0)
        key = 1; /* 0 marks an empty slot */
    /* two places a key may live: a collision pushes out one of them, not a whole run */
    size_t a = (size_t)(key % ONCE_SLOTS), b = (size_t)((key >> 32) % ONCE_SLOTS);
    pthread_mutex_lock(&once_lock);
    bool seen = once_keys[a] == key || once_keys[b] == key;
    pthread_mutex_unlock(&once_lock);
    if (seen)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    bool written = vlog(level, fmt, ap);
    va_end(ap);
    if (!written)
        return 0; /* dropped by the rate limit: told another time */
    pthread_mutex_lock(&once_lock);
    if (once_keys[a] == 0 || once_keys[a] == key)
        once_keys[a] = key;
    else if (once_keys[b] == 0 || once_keys[b] == key)
        once_keys[b] = key;
    else
        once_keys[(key >> 16) & 1 ? a : b] = key;
    pthread_mutex_unlock(&once_lock);
    return 1;
}
