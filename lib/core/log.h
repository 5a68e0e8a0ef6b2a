/*
 * log.h: the server's diagnostic log (not the access log).
 *
 * One line per message on stderr: time, level, text. Lines from several
 * threads never interleave (each is written with a single stdio call under
 * the stream lock). The level is process-wide and set once at start-up.
 *
 * A flood of lines cannot fill a disk: past TS_LOG_RATE lines a second
 * (with bursts of TS_LOG_BURST), lines are dropped, and the next line that
 * is written says how many were. Problems that repeat on every request (a
 * broken sidecar, an unreadable image) are logged once per version of
 * their file with ts_log_once.
 */
#ifndef TS_CORE_LOG_H
#define TS_CORE_LOG_H

#include <stdint.h>

enum ts_log_level { TS_LOG_ERROR, TS_LOG_WARN, TS_LOG_INFO, TS_LOG_DEBUG };

/** Sets the most verbose level that is printed (default TS_LOG_INFO). */
void ts_log_set_level(enum ts_log_level level);

/** Parses "error", "warn", "info" or "debug". Returns 0, or -1 if unknown. */
int ts_log_parse_level(const char *s, enum ts_log_level *out);

void ts_log(enum ts_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define TS_LOG_RATE 50
#define TS_LOG_BURST 500

/**
 * Logs like ts_log, unless a line with the same `key` (a hash of what the
 * problem is and of the version of what it is about) was logged recently:
 * the last few thousand keys are remembered (a line the rate limit dropped
 * is not: it is told the next time). Returns whether it logged.
 */
int ts_log_once(uint64_t key, enum ts_log_level level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Lines dropped by the rate limit since the start. */
unsigned long ts_log_dropped(void);

#define ts_log_error(...) ts_log(TS_LOG_ERROR, __VA_ARGS__)
#define ts_log_warn(...) ts_log(TS_LOG_WARN, __VA_ARGS__)
#define ts_log_info(...) ts_log(TS_LOG_INFO, __VA_ARGS__)
#define ts_log_debug(...) ts_log(TS_LOG_DEBUG, __VA_ARGS__)

#endif
