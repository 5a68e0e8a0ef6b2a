/*
 * test_walk.c: the bounds of a walk and its set of folders entered.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "present/walk.h"
#include "t.h"

static void test_enter_once(void)
{
    struct ts_walk w;
    ts_walk_init(&w, 1000, 8);
    static const struct {
        uint64_t dev, ino;
        int want;
    } cases[] = {
        {1, 2, 1}, {1, 2, 0}, {2, 2, 1}, {1, 3, 1}, {0, 0, 1}, {0, 0, 0}, {UINT64_MAX, UINT64_MAX, 1},
        {UINT64_MAX, UINT64_MAX, 0}, {2, 1, 1}, {1, 2, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        T_CHECK(ts_walk_enter(&w, cases[i].dev, cases[i].ino) == cases[i].want, "case %zu: (%llu, %llu)", i,
                (unsigned long long)cases[i].dev, (unsigned long long)cases[i].ino);
    T_CHECK(w.n_seen == 6, "six folders entered: %zu", w.n_seen);
    ts_walk_release(&w);
}

/* The set grows: 100000 folders, each entered once, and found again afterwards. */
static void test_many(void)
{
    struct ts_walk w;
    ts_walk_init(&w, 1000, 8);
    int fresh = 0, again = 0;
    for (uint64_t i = 0; i < 100000; i++)
        fresh += ts_walk_enter(&w, i % 7, i * 2654435761u) == 1;
    for (uint64_t i = 0; i < 100000; i++)
        again += ts_walk_enter(&w, i % 7, i * 2654435761u) == 0;
    T_CHECK(fresh == 100000 && again == 100000, "fresh %d, again %d", fresh, again);
    T_CHECK(w.cap_seen * 3 >= w.n_seen * 4, "load factor kept under 3/4: %zu in %zu", w.n_seen, w.cap_seen);
    ts_walk_release(&w);
}

static void test_entries_bound(void)
{
    struct ts_walk w;
    ts_walk_init(&w, 10, 8);
    T_CHECK(ts_walk_charge(&w, 10), "ten entries are within a bound of ten");
    T_CHECK(!ts_walk_gave_up(&w), "not over yet");
    T_CHECK(!ts_walk_charge(&w, 1), "the eleventh is over");
    T_CHECK(ts_walk_gave_up(&w) && strstr(w.why, "walk_max_entries") != NULL, "why names the setting: %s", w.why);
    T_CHECK(!ts_walk_ok(&w), "once over, always over");
    T_CHECK(ts_walk_enter(&w, 5, 5) == -1, "no folder is entered after the walk gave up");
    ts_walk_release(&w);
}

static void test_depth(void)
{
    struct ts_walk w;
    ts_walk_init(&w, 10, 3);
    static const struct {
        int depth;
        bool ok;
    } cases[] = {{0, true}, {1, true}, {3, true}, {4, false}, {100, false}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        T_CHECK(ts_walk_depth_ok(&w, cases[i].depth) == cases[i].ok, "depth %d", cases[i].depth);
    T_CHECK(ts_walk_ok(&w), "a branch too deep does not end the walk");
    ts_walk_release(&w);
}

static void test_stop_and_deadline(void)
{
    atomic_int stop;
    atomic_init(&stop, 0);
    struct ts_walk w;
    ts_walk_init(&w, 100, 8);
    w.stop = &stop;
    T_CHECK(ts_walk_ok(&w), "goes on while the server runs");
    atomic_store(&stop, 1);
    T_CHECK(!ts_walk_ok(&w) && strstr(w.why, "stopping") != NULL, "stops with the server: %s", w.why);
    ts_walk_release(&w);

    ts_walk_init(&w, 100, 8);
    w.deadline_ms = 1; /* long past */
    T_CHECK(!ts_walk_charge(&w, 1) && strstr(w.why, "request_timeout") != NULL, "past its deadline: %s", w.why);
    ts_walk_release(&w);
    ts_walk_release(NULL);
}

int main(void)
{
    test_enter_once();
    test_many();
    test_entries_bound();
    test_depth();
    test_stop_and_deadline();
    return t_done();
}
