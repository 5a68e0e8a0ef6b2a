/*
 * catalogue.c: the catalogue of the Presentation tree, over a store.
 */
#include "store/catalogue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/path.h"
#include "core/buf.h"
#include "core/log.h"

#define MAX_ITEMS 200000

struct ts_catalogue {
    struct ts_store *store;
    pthread_mutex_t refresh_lock;  /* one refresh at a time */
    int rescan_s;
    time_t refreshed;    /* 0: never */
    long generation;     /* of the walk in progress or last made */
};

struct ts_catalogue *ts_catalogue_new(struct ts_store *store, int rescan_s, struct ts_error *err)
{
    struct ts_catalogue *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        ts_error_set(err, 500, "out of memory");
        return NULL;
    }
    c->store = store;
    c->rescan_s = rescan_s;
    pthread_mutex_init(&c->refresh_lock, NULL);
    return c;
}

void ts_catalogue_free(struct ts_catalogue *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->refresh_lock);
    free(c);
}

/* All the strings of a language map (or of the labels and values of a metadata list), space-separated. */
static void text_of(const json_t *v, struct ts_buf *out)
{
    if (json_is_string(v)) {
        if (out->len > 0)
            ts_buf_adds(out, " ");
        ts_buf_adds(out, json_string_value(v));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            text_of(x, out);
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            text_of(x, out);
        }
    }
}

/* The words of a file or folder name: its stem, separators as spaces ("p3-hubble.jp2" -> "p3 hubble"). */
static void name_words(const char *name, bool strip_ext, struct ts_buf *out)
{
    const char *dot = strip_ext ? strrchr(name, '.') : NULL;
    size_t n = dot != NULL && dot != name ? (size_t)(dot - name) : strlen(name);
    if (out->len > 0)
        ts_buf_adds(out, " ");
    for (size_t i = 0; i < n; i++) {
        char c = name[i] == '_' || name[i] == '-' || name[i] == '.' ? ' ' : name[i];
        ts_buf_add(out, &c, 1);
    }
}

struct walk {
    struct ts_catalogue *c;
    const struct ts_present *p;
    struct ts_walk *tw;
    long count;           /* items seen */
    long in_batch;        /* items written since the last commit */
    bool failed;
    struct ts_error err;  /* the first store error */
};

/*
 * The catalogue is written in batches of this many items, each one write
 * transaction; searches go on while a large tree is read (they may see the
 * batch in progress).
 */
#define BATCH 256

static int batch_begin(struct walk *w)
{
    if (ts_store_begin(w->c->store, true, &w->err) != 0) {
        w->failed = true;
        return -1;
    }
    return 0;
}

static int batch_end(struct walk *w)
{
    if (w->failed)
        ts_store_rollback(w->c->store);
    else if (ts_store_commit(w->c->store, &w->err) != 0)
        w->failed = true;
    w->in_batch = 0;
    return w->failed ? -1 : 0;
}

/*
 * Indexes item `rel` (a folder opened as `f`, or a loose image) when its
 * stamp changed: what a person sees of it (its label, or the one made from
 * its name; summary; metadata, provider and requiredStatement; its
 * canvases' labels and metadata) and the words of its name and its images'.
 */
static void index_item(struct walk *w, const char *rel, const struct ts_tree_item *f, int64_t stamp)
{
    if (w->failed || ++w->count > MAX_ITEMS)
        return;
    if (w->in_batch == 0 && batch_begin(w) != 0)
        return;
    w->in_batch++;
    struct ts_store *st = w->c->store;
    int64_t known_stamp = 0;
    int known = st->ops->cat_stamp(st, rel, &known_stamp, &w->err);
    if (known < 0) {
        w->failed = true;
        return;
    }
    bool same = known == 1 && known_stamp == stamp;
    struct ts_buf label, summary, meta, names;
    ts_buf_init(&label, 1 << 16);
    ts_buf_init(&summary, 1 << 20);
    ts_buf_init(&meta, 1 << 20);
    ts_buf_init(&names, 1 << 20);
    if (!same) {
        struct ts_sidecar sc;
        ts_sidecar_init(&sc);
        struct ts_present quiet = *w->p;
        quiet.problems = NULL;
        ts_present_sidecars(&quiet, f, &sc);
        const char *name = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
        bool image = f->kind == TS_P_IMAGE;
        text_of(json_object_get(sc.props, "label"), &label);
        if (label.len == 0) /* the label a viewer shows: the name, an image's without its extension */
            name_words(name[0] ? name : "Collection", image, &label);
        name_words(name, image, &names);
        text_of(json_object_get(sc.props, "summary"), &summary);
        static const char *const described[] = {"metadata", "provider", "requiredStatement"};
        for (size_t i = 0; i < sizeof(described) / sizeof(described[0]); i++)
            text_of(json_object_get(sc.props, described[i]), &meta);
        text_of(sc.canvases, &meta); /* the canvases' labels, summaries and metadata */
        if (f->kind == TS_P_MANIFEST) {
            for (size_t i = 0; i < f->n_images; i++)
                name_words(f->images[i], true, &names);
        }
        ts_sidecar_release(&sc);
    }
    struct ts_catalogue_row row = {rel,
                                   f->kind == TS_P_COLLECTION,
                                   label.data ? label.data : "",
                                   summary.data ? summary.data : "",
                                   meta.data ? meta.data : "",
                                   names.data ? names.data : "",
                                   stamp};
    int rc = same ? st->ops->cat_seen(st, rel, w->c->generation, &w->err)
                  : st->ops->cat_put(st, &row, w->c->generation, &w->err);
    if (rc != 0)
        w->failed = true;
    ts_buf_release(&label);
    ts_buf_release(&summary);
    ts_buf_release(&meta);
    ts_buf_release(&names);
    if (w->in_batch >= BATCH)
        batch_end(w);
}

/* Indexes the item at `rel` and, for a Collection, everything below it: each real folder once. */
static void walk_folder(struct walk *w, const char *rel, int64_t parent_stamp, int depth)
{
    struct ts_tree_item f;
    struct ts_error err;
    if (w->failed || w->count > MAX_ITEMS || !ts_walk_depth_ok(w->tw, depth) || !ts_walk_ok(w->tw) ||
        ts_tree_open(w->p->resolver, w->tw, rel, &f, &err) != 0)
        return;
    const struct ts_walk_id *me = &f.chain[f.n_chain - 1];
    if (ts_walk_enter(w->tw, me->dev, me->ino) != 1) { /* an alias of a folder indexed already */
        ts_tree_release(&f);
        return;
    }
    /*
     * An item's text comes from its own sidecars and from the metadata.csv
     * of every folder above it, so its stamp is the newest of its folder's
     * and all of theirs: a change in the root's catalogue reaches every
     * item below.
     */
    int64_t stamp = f.stamp > parent_stamp ? f.stamp : parent_stamp;
    index_item(w, rel, &f, stamp);
    if (f.kind == TS_P_COLLECTION) {
        for (size_t i = 0; i < f.n_folders; i++) {
            char *child = ts_path_join(rel, f.folders[i]);
            if (child != NULL)
                walk_folder(w, child, stamp, depth + 1);
            free(child);
        }
        for (size_t i = 0; i < f.n_images && ts_walk_ok(w->tw); i++) {
            char *child = ts_path_join(rel, f.images[i]);
            struct ts_tree_item img;
            if (child != NULL && ts_tree_open(w->p->resolver, w->tw, child, &img, &err) == 0) {
                index_item(w, child, &img, img.stamp > stamp ? img.stamp : stamp);
                ts_tree_release(&img);
            }
            free(child);
        }
    }
    ts_tree_release(&f);
}

static long refresh(struct ts_catalogue *c, const struct ts_present *p, struct ts_walk *tw, struct ts_error *err)
{
    struct walk w = {c, p, tw, 0, 0, false, {0}};
    c->generation++;
    walk_folder(&w, "", 0, 0);
    if (w.in_batch > 0)
        batch_end(&w);
    if (w.failed) {
        ts_log_error("catalogue: %s", w.err.msg);
        return ts_error_set(err, 500, "the catalogue could not be brought up to date (%s)", w.err.msg);
    }
    if (ts_walk_gave_up(tw)) {
        /* what was not reached may still be there: keep it, and say why the index is not whole */
        ts_log_warn("catalogue index: stopped after %ld items: %s", w.count, tw->why);
    } else if (w.count > MAX_ITEMS) {
        ts_log_warn("catalogue index: only the first %d items are indexed", MAX_ITEMS);
    } else if (c->store->ops->cat_sweep(c->store, c->generation, err) != 0) {
        /* the whole tree was seen: what was not seen this time has gone */
        return -1;
    }
    return w.count;
}

long ts_catalogue_refresh(struct ts_catalogue *c, const struct ts_present *p, bool force, struct ts_error *err)
{
    /* one refresh at a time; a search that finds one running answers from the index as it is */
    if (force)
        pthread_mutex_lock(&c->refresh_lock);
    else if (pthread_mutex_trylock(&c->refresh_lock) != 0)
        return 0;
    time_t now = time(NULL);
    if (!force && c->refreshed != 0 && now - c->refreshed < c->rescan_s) {
        pthread_mutex_unlock(&c->refresh_lock);
        return 0;
    }
    struct ts_walk own, *tw = p->walk;
    if (tw == NULL) {
        ts_tree_walk_init(p->resolver, &own);
        tw = &own;
    }
    long rc = refresh(c, p, tw, err);
    if (rc >= 0)
        c->refreshed = now;
    if (tw == &own)
        ts_walk_release(&own);
    pthread_mutex_unlock(&c->refresh_lock);
    return rc;
}

int ts_catalogue_query(struct ts_catalogue *c, const char *text, int offset, int limit,
                       struct ts_catalogue_hit **hits, long *total, struct ts_error *err)
{
    return c->store->ops->cat_search(c->store, text, offset, limit, hits, total, err);
}
