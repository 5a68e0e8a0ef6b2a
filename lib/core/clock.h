/*
 * clock.h: the one monotonic clock of the server (CLOCK_MONOTONIC): for
 * durations, deadlines and ages, never for dates.
 */
#ifndef TS_CORE_CLOCK_H
#define TS_CORE_CLOCK_H

#include <stdint.h>

/** Milliseconds of CLOCK_MONOTONIC. */
int64_t ts_now_ms(void);

/** Microseconds of CLOCK_MONOTONIC. */
int64_t ts_now_us(void);

#endif
