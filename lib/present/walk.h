/*
 * walk.h: the bounds of one walk through the folder tree.
 *
 * Users fill the tree, and a tree can be hostile: links that lead back to a
 * folder above (`l1 -> .`), folders that hold themselves through two links,
 * a million entries, a thousand levels. Every walk (a Collection and its
 * item references, the home page, the catalogue index, an export) carries a
 * struct ts_walk and asks it before going on:
 *
 *   - each real folder (device and inode) is entered once per walk, so a
 *     loop or an alias is seen once and no more;
 *   - the depth below the root is bounded (`max_depth`);
 *   - the directory entries read in all are bounded (`max_entries`);
 *   - the walk gives up when the process is stopping (`stop`) or its
 *     deadline has passed.
 * Once a bound is hit the walk stays over: every later check fails and
 * `why` says which bound it was, for the one log line the caller writes.
 *
 * Invariants: `entries` only grows; `why` is "" exactly while the walk may
 * go on. Pure, except for reading the monotonic clock when a deadline is set.
 */
#ifndef TS_PRESENT_WALK_H
#define TS_PRESENT_WALK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ts_walk_id {
    uint64_t dev, ino;
    bool used;                 /* the slot holds a pair */
};

struct ts_walk {
    long max_entries;          /* directory entries the walk may read */
    int max_depth;             /* folder levels below the root */
    long entries;              /* read so far */
    int64_t deadline_ms;       /* CLOCK_MONOTONIC milliseconds; 0 for none */
    const atomic_int *stop;    /* non-zero when the process is stopping; may be NULL */
    struct ts_walk_id *seen;   /* open-addressing set of folders entered */
    size_t n_seen, cap_seen;
    char why[160];             /* why the walk gave up; "" while it may go on */
    /* what the readers of the tree keep for the walk's length (present/manifest.c: parsed metadata.csv files) */
    void *memo;
    void (*memo_free)(void *memo);
};

/** A walk with these bounds, no deadline and no stop flag. Allocates nothing. */
void ts_walk_init(struct ts_walk *w, long max_entries, int max_depth);

/** Frees the set of folders entered. Accepts NULL. */
void ts_walk_release(struct ts_walk *w);

/** Whether the walk may go on: not over a bound, not stopping, not past its deadline. */
bool ts_walk_ok(struct ts_walk *w);

/** Counts `n` more directory entries read. Returns ts_walk_ok. */
bool ts_walk_charge(struct ts_walk *w, long n);

/** Whether a folder `depth` levels below the root may be entered (the root is 0). */
bool ts_walk_depth_ok(struct ts_walk *w, int depth);

/**
 * Marks folder (`dev`, `ino`) as entered. Returns 1 the first time, 0 when
 * the walk entered it before (a loop or an alias: skip it), -1 when the walk
 * cannot go on (over a bound, or out of memory: `why` says).
 */
int ts_walk_enter(struct ts_walk *w, uint64_t dev, uint64_t ino);

/** Whether the walk gave up (and `why` says why). */
static inline bool ts_walk_gave_up(const struct ts_walk *w)
{
    return w->why[0] != '\0';
}

#endif
