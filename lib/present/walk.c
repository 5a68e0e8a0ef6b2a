/*
 * walk.c: bounds and loop detection for walks of the folder tree.
 *
 * The set of entered folders is a small open-addressing hash table of
 * (device, inode) pairs, grown at three quarters full: a walk enters each
 * folder once, so it holds at most as many pairs as the tree has folders.
 */
#include "present/walk.h"

#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ts_walk_init(struct ts_walk *w, long max_entries, int max_depth)
{
    memset(w, 0, sizeof(*w));
    w->max_entries = max_entries;
    w->max_depth = max_depth;
}

void ts_walk_release(struct ts_walk *w)
{
    if (w == NULL)
        return;
    free(w->seen);
    w->seen = NULL;
    w->n_seen = w->cap_seen = 0;
    if (w->memo != NULL && w->memo_free != NULL)
        w->memo_free(w->memo);
    w->memo = NULL;
}

bool ts_walk_ok(struct ts_walk *w)
{
    if (w->why[0] != '\0')
        return false;
    if (w->stop != NULL && atomic_load(w->stop))
        snprintf(w->why, sizeof(w->why), "the server is stopping");
    else if (w->entries > w->max_entries)
        snprintf(w->why, sizeof(w->why), "more than %ld folder entries (walk_max_entries)", w->max_entries);
    else if (w->deadline_ms != 0 && ts_now_ms() > w->deadline_ms)
        snprintf(w->why, sizeof(w->why), "it took longer than its time limit (request_timeout)");
    return w->why[0] == '\0';
}

bool ts_walk_charge(struct ts_walk *w, long n)
{
    w->entries += n;
    return ts_walk_ok(w);
}

bool ts_walk_depth_ok(struct ts_walk *w, int depth)
{
    if (depth <= w->max_depth)
        return true;
    /* too deep is not the end of the walk: that branch is left out, the others go on */
    return false;
}

static uint64_t mix(uint64_t dev, uint64_t ino)
{
    uint64_t h = dev * 0x9e3779b97f4a7c15ull ^ ino;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return h;
}

/* 1 if inserted, 0 if present; the table must have room. */
static int insert(struct ts_walk_id *t, size_t cap, uint64_t dev, uint64_t ino)
{
    size_t i = (size_t)(mix(dev, ino) & (cap - 1));
    for (;;) {
        struct ts_walk_id *s = &t[i];
        if (!s->used) {
            s->dev = dev;
            s->ino = ino;
            s->used = true;
            return 1;
        }
        if (s->dev == dev && s->ino == ino)
            return 0;
        i = (i + 1) & (cap - 1);
    }
}

int ts_walk_enter(struct ts_walk *w, uint64_t dev, uint64_t ino)
{
    if (!ts_walk_ok(w))
        return -1;
    if ((w->n_seen + 1) * 4 > w->cap_seen * 3) {
        size_t cap = w->cap_seen ? w->cap_seen * 2 : 64;
        struct ts_walk_id *t = calloc(cap, sizeof(*t));
        if (t == NULL) {
            snprintf(w->why, sizeof(w->why), "out of memory");
            return -1;
        }
        for (size_t i = 0; i < w->cap_seen; i++) {
            if (w->seen[i].used)
                insert(t, cap, w->seen[i].dev, w->seen[i].ino);
        }
        free(w->seen);
        w->seen = t;
        w->cap_seen = cap;
    }
    int rc = insert(w->seen, w->cap_seen, dev, ino);
    w->n_seen += (size_t)rc;
    return rc;
}
