/*
 * pct.h: the one percent-encoder (RFC 3986): unreserved characters
 * (letters, digits, "-", ".", "_", "~") and those of `keep` stay, every
 * other byte becomes %XX with upper-case hex digits. Pure.
 */
#ifndef TS_CORE_PCT_H
#define TS_CORE_PCT_H

#include "core/buf.h"

/** Appends `s` percent-encoded to `out`, keeping the characters of `keep` too ("" for none, "/" for paths). Returns 0, or -1 when full. */
int ts_pct_encode(const char *s, const char *keep, struct ts_buf *out);

#endif
