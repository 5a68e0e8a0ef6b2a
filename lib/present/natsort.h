/*
 * natsort.h: the order people expect file names in: "p2" before "p10".
 *
 * Runs of digits compare as numbers (of any length; "007" equals "7" and
 * then comes first for having more zeros, so the order stays total), other
 * bytes compare without regard to ASCII case. Names equal under these rules
 * fall back to plain byte order, so the order is total and stable.
 */
#ifndef TS_PRESENT_NATSORT_H
#define TS_PRESENT_NATSORT_H

/** <0, 0 or >0 as `a` sorts before, with or after `b`. Pure. */
int ts_natcmp(const char *a, const char *b);

/** ts_natcmp for qsort over an array of `const char *`. */
int ts_natcmp_qsort(const void *a, const void *b);

#endif
