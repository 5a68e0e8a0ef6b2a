/*
 * test_log.c: the diagnostic log's rate limit and its memory of problems
 * told (core/log.h). The log goes to a temporary file that the test reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "t.h"

static char path[] = "/tmp/tessera-test-log-XXXXXX";

static int count_lines(const char *needle)
{
    fflush(stderr);
    FILE *f = fopen(path, "r");
    char line[2048];
    int n = 0;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        n += needle == NULL || strstr(line, needle) != NULL;
    if (f != NULL)
        fclose(f);
    return n;
}

static void test_once(void)
{
    int a = ts_log_once(0x1234, TS_LOG_WARN, "problem A");
    int b = ts_log_once(0x1234, TS_LOG_WARN, "problem A again");
    int c = ts_log_once(0x1235, TS_LOG_WARN, "problem B");
    T_CHECK(a == 1 && b == 0 && c == 1, "once per key: %d %d %d", a, b, c);
    T_CHECK(count_lines("problem A") == 1 && count_lines("problem B") == 1, "the log holds each once");
    /* many keys: each new one is told, each one just told is not told again */
    int told = 0, again = 0;
    for (uint64_t k = 0; k < 300; k++) {
        told += ts_log_once(k * 0x9e3779b97f4a7c15ull, TS_LOG_DEBUG, "debug %llu", (unsigned long long)k);
        again += ts_log_once(k * 0x9e3779b97f4a7c15ull, TS_LOG_DEBUG, "debug %llu", (unsigned long long)k);
    }
    T_CHECK(told == 0 && again == 0, "below the level nothing is told (%d, %d)", told, again);
    ts_log_set_level(TS_LOG_DEBUG);
    for (uint64_t k = 0; k < 300; k++) {
        told += ts_log_once(k * 0x9e3779b97f4a7c15ull + 7, TS_LOG_DEBUG, "key %llu", (unsigned long long)k);
        again += ts_log_once(k * 0x9e3779b97f4a7c15ull + 7, TS_LOG_DEBUG, "key %llu", (unsigned long long)k);
    }
    T_CHECK(told > 0 && told < 300 && again == 0, "300 keys at once: %d told (the rate limit drops the rest), none twice",
            told);
    T_CHECK(count_lines("key ") == told, "the log holds what was told: %d", count_lines("key "));
    /* a key the rate limit dropped is not remembered: it is told once there is room again */
    struct timespec refill = {0, 400 * 1000 * 1000};
    nanosleep(&refill, NULL);
    T_CHECK(ts_log_once(299 * 0x9e3779b97f4a7c15ull + 7, TS_LOG_DEBUG, "key 299 later") == 1, "told later");
    T_CHECK(ts_log_once(299 * 0x9e3779b97f4a7c15ull + 7, TS_LOG_DEBUG, "key 299 again") == 0, "then remembered");
    ts_log_set_level(TS_LOG_INFO);
}

static void test_rate_limit(void)
{
    unsigned long before = ts_log_dropped();
    for (int i = 0; i < 3 * TS_LOG_BURST; i++)
        ts_log(TS_LOG_WARN, "flood line %d", i);
    int written = count_lines("flood line");
    T_CHECK(written <= TS_LOG_BURST + 20 && written >= TS_LOG_BURST / 2, "a burst of %d lines, %d written",
            3 * TS_LOG_BURST, written);
    T_CHECK(ts_log_dropped() - before >= (unsigned long)(2 * TS_LOG_BURST - 20), "the rest dropped: %lu",
            ts_log_dropped() - before);
    /* the bucket fills again over time, and the next line says how many were dropped */
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    ts_log(TS_LOG_WARN, "after the flood");
    T_CHECK(count_lines("after the flood") == 1, "a line is written again after a pause");
    T_CHECK(count_lines("log lines were dropped") == 1, "and the drop is reported once");
}

int main(void)
{
    int fd = mkstemp(path);
    if (fd < 0 || freopen(path, "w", stderr) == NULL)
        return 1;
    close(fd);
    test_rate_limit(); /* first: with a full bucket */
    struct timespec refill = {1, 0};
    nanosleep(&refill, NULL);
    test_once();
    unlink(path);
    return t_done();
}
