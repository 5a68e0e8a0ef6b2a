/*
 * cidr.h: lists of addresses and networks ("127.0.0.1, ::1, 10.0.0.0/8,
 * fd00::/8"), for settings such as trusted_proxies.
 *
 * An entry is an IPv4 or IPv6 address, optionally with a prefix length,
 * or the word `loopback` (127.0.0.0/8 and ::1). Entries are separated by
 * commas or spaces. An IPv4 client reaching an IPv6 socket (::ffff:a.b.c.d)
 * matches IPv4 entries. Pure: no I/O, no name lookups.
 */
#ifndef TS_CORE_CIDR_H
#define TS_CORE_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_CIDR_MAX 64

struct ts_cidr {
    uint8_t addr[16];   /* IPv4 as its IPv4-mapped IPv6 address */
    int bits;           /* prefix length over the 128 bits */
};

struct ts_cidr_list {
    int n;
    struct ts_cidr v[TS_CIDR_MAX];
};

/**
 * Parses `text` into `out` (emptied first). Returns 0, or -1 with a 400
 * message naming the entry that is not an address or network (a host
 * name, a prefix too long, more than TS_CIDR_MAX entries).
 */
int ts_cidr_parse(const char *text, struct ts_cidr_list *out, struct ts_error *err);

/** Whether the address `addr` (4 bytes for IPv4, 16 for IPv6) is in the list. */
bool ts_cidr_match(const struct ts_cidr_list *l, const uint8_t *addr, size_t len);

#endif
