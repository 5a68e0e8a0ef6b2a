/*
 * error.h: one error type for the whole library.
 *
 * Library calls return 0 on success and -1 on failure; the detail travels in
 * an optional `struct ts_error` (callers may pass NULL). The HTTP status is
 * decided where the error is found, because that is where its meaning is
 * known (a bad region is a 400, a missing file a 404), and the server maps it
 * to a response in one place. `msg` is one human-readable line that is sent to
 * clients as the body of the error response, so it must never contain file
 * system paths or other server internals.
 */
#ifndef TS_CORE_ERROR_H
#define TS_CORE_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ts_error {
    int status;    /* HTTP status this error maps to: 400, 404, 500, 501, ... */
    char msg[256]; /* one line, no trailing newline; safe to show to clients */
};

/**
 * Fills `err` (which may be NULL) with `status` and a printf-style message.
 * Always returns -1, so a call site reads `return ts_error_set(err, 400, "...")`.
 */
int ts_error_set(struct ts_error *err, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * Makes err->msg one line of printable ASCII (other bytes become '?'), for
 * a message that quotes the request. Returns -1, like ts_error_set.
 */
int ts_error_scrub(struct ts_error *err);

/** Resets `err` (may be NULL) to "no error": status 0, empty message. */
void ts_error_clear(struct ts_error *err);

/** The standard reason phrase for an HTTP status ("Bad Request" for 400). */
const char *ts_status_reason(int status);

#ifdef __cplusplus
}
#endif

#endif
