/*
 * log.c: diagnostic log lines on stderr.
 */
#include "core/log.h"

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

void ts_log(enum ts_log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load(&current_level))
        return;
    char line[1024];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += (size_t)snprintf(line + n, sizeof(line) - n, "[%s] ", names[level]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    flockfile(stderr);
    fputs(line, stderr);
    fputc('\n', stderr);
    funlockfile(stderr);
}
