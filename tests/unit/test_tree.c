/*
 * test_tree.c: the folder model (present/tree.h) over a tree made here:
 * kinds, natural order, sidecars that choose the kind, hidden and empty
 * entries, links inside and outside the root, loops, FIFOs, bad paths,
 * stamps, bounded walks, and sidecar reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "present/tree.h"
#include "t.h"

static char tmpdir[] = "/tmp/tessera-test-tree-XXXXXX";
static char root[600];

static void sh(const char *fmt, const char *arg)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg, arg, arg, arg, arg, arg, arg);
    if (system(cmd) != 0)
        T_CHECK(0, "shell: %s", cmd);
}

static void make_tree(void)
{
    snprintf(root, sizeof(root), "%s/root", tmpdir);
    /* files ending in .png stand for images: the tree reads names, never pixels */
    sh("mkdir -p %s/books/diary %s/books/herbal/extra %s/maps %s/empty/inner %s/.hidden %s/forced", root);
    sh("cd %s/books/diary && touch p10.png p2.png p1.png notes.txt .p0.png", root);
    sh("cd %s/books/herbal && touch p001.png && touch extra/x.png && printf 'label: Herbal\\n' > manifest.yml", root);
    sh("cd %s/maps && touch paris.png rome.png", root);
    sh("mkdir -p %s/forced/a %s/forced/b && touch %s/forced/a/1.png %s/forced/b/2.png && touch %s/forced/c.png && "
       "printf 'label: Forced\\n' > %s/forced/collection.yml",
       root);
    sh("touch %s/loose10.png %s/loose9.png %s/.hidden/secret.png", root);
    sh("ln -s books/diary %s/alias && ln -s /etc %s/outside && ln -s .. %s/books/up && mkfifo %s/maps/fifo.png", root);
    sh("ln -s /etc/hostname %s/maps/outside.png", root);
}

static void test_kinds(const struct ts_resolver *r)
{
    struct ts_tree_item f;
    struct ts_error err;
    T_CHECK(ts_tree_open(r, NULL, "", &f, &err) == 0 && f.kind == TS_P_COLLECTION, "the root is a Collection");
    if (f.rel != NULL) {
        /* natural order; hidden, empty, outside and loop entries left out; an alias inside the root is shown */
        char got[512] = "";
        for (size_t i = 0; i < f.n_folders; i++)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "", f.folders[i]);
        /* "empty" holds only an empty folder: a quick look cannot tell, so it is a candidate that opens as a 404
           below, and the Collection's JSON (ts_present_item_ref) leaves it out */
        T_STREQ(got, "alias,books,empty,forced,maps", "the root's folders");
        got[0] = '\0';
        for (size_t i = 0; i < f.n_images; i++)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "", f.images[i]);
        T_STREQ(got, "loose9.png,loose10.png", "the root's loose images, in natural order");
        ts_tree_release(&f);
    }
    T_CHECK(ts_tree_open(r, NULL, "books/diary", &f, &err) == 0 && f.kind == TS_P_MANIFEST && f.n_images == 3,
            "a folder of images is a Manifest of them");
    if (f.n_images == 3) {
        T_STREQ(f.images[0], "p1.png", "p1 first");
        T_STREQ(f.images[1], "p2.png", "p2 before p10");
        T_STREQ(f.images[2], "p10.png", "p10 last");
        ts_tree_release(&f);
    }
    T_CHECK(ts_tree_open(r, NULL, "books/herbal", &f, &err) == 0 && f.kind == TS_P_MANIFEST && f.n_images == 1,
            "manifest.yml makes a folder with a subfolder a Manifest of its images");
    ts_tree_release(&f);
    T_CHECK(ts_tree_open(r, NULL, "forced", &f, &err) == 0 && f.kind == TS_P_COLLECTION && f.n_folders == 2 &&
                f.n_images == 1,
            "collection.yml makes a Collection");
    ts_tree_release(&f);
    T_CHECK(ts_tree_open(r, NULL, "maps/paris.png", &f, &err) == 0 && f.kind == TS_P_IMAGE && f.n_images == 1,
            "one image is a Manifest of one Canvas");
    ts_tree_release(&f);
    T_CHECK(ts_tree_open(r, NULL, "maps", &f, &err) == 0 && f.n_images == 2, "a FIFO and a link out are not images");
    ts_tree_release(&f);
    T_CHECK(ts_tree_open(r, NULL, "alias", &f, &err) == 0 && f.kind == TS_P_MANIFEST && f.n_images == 3,
            "an alias inside the root reads its target");
    ts_tree_release(&f);
    static const struct {
        const char *rel;
        int status;
    } bad[] = {
        {"nothing", 404},     {"books/../maps", 400}, {".hidden", 400},     {"books//diary", 400},
        {"outside", 404},     {"empty", 404},         {"maps/fifo.png", 404}, {"maps/outside.png", 404},
        {"books/up/maps", 404}, {"books/diary/notes.txt", 404}, {"books/up", 404},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&err, 0, sizeof(err));
        int rc = ts_tree_open(r, NULL, bad[i].rel, &f, &err);
        T_CHECK(rc != 0 && err.status == bad[i].status, "'%s': %d (got %d: %s)", bad[i].rel, bad[i].status,
                err.status, err.msg);
        if (rc == 0)
            ts_tree_release(&f);
    }
}

static void test_stamp(const struct ts_resolver *r)
{
    struct ts_tree_item f;
    struct ts_error err;
    int64_t before = 0, after = 0;
    if (ts_tree_open(r, NULL, "books/herbal", &f, &err) == 0) {
        before = f.stamp;
        ts_tree_release(&f);
    }
    char path[700];
    snprintf(path, sizeof(path), "%s/books/herbal/manifest.yml", root);
    struct stat st;
    stat(path, &st);
    struct timeval tv[2] = {{st.st_atime, 0}, {st.st_mtime + 100, 0}};
    utimes(path, tv);
    if (ts_tree_open(r, NULL, "books/herbal", &f, &err) == 0) {
        after = f.stamp;
        ts_tree_release(&f);
    }
    T_CHECK(before != 0 && after > before, "an edited sidecar changes the stamp (%lld -> %lld)", (long long)before,
            (long long)after);
}

static void test_bounds(struct ts_resolver *r)
{
    struct ts_walk w;
    ts_walk_init(&w, 3, 32);
    struct ts_tree_item f;
    struct ts_error err;
    int rc = ts_tree_open(r, &w, "books/diary", &f, &err);
    T_CHECK(rc != 0 && err.status == 501, "a folder over the walk's entries: 501 (%d %s)", err.status, err.msg);
    if (rc == 0)
        ts_tree_release(&f);
    ts_walk_release(&w);
    int keep = r->walk_max_depth;
    r->walk_max_depth = 1;
    rc = ts_tree_open(r, NULL, "books/diary", &f, &err);
    T_CHECK(rc != 0 && err.status == 404 && strstr(err.msg, "walk_max_depth") != NULL,
            "deeper than walk_max_depth: %s", err.msg);
    if (rc == 0)
        ts_tree_release(&f);
    T_CHECK(ts_tree_open(r, NULL, "books", &f, &err) == 0, "one level is within it");
    ts_tree_release(&f);
    r->walk_max_depth = keep;
}

static void test_sidecars(struct ts_resolver *r)
{
    char dir[700], msg[200];
    snprintf(dir, sizeof(dir), "%s/books/herbal", root);
    char *data = NULL;
    long n = ts_tree_read_sidecar(r, dir, "manifest.yml", &data, msg, sizeof(msg));
    T_CHECK(n == 14 && data != NULL && strcmp(data, "label: Herbal\n") == 0, "a sidecar is read whole (%ld)", n);
    free(data);
    data = NULL;
    T_CHECK(ts_tree_read_sidecar(r, dir, "collection.yml", &data, msg, sizeof(msg)) == -1 && data == NULL,
            "a missing sidecar: -1");
    snprintf(dir, sizeof(dir), "%s/maps", root);
    T_CHECK(ts_tree_read_sidecar(r, dir, "fifo.png", &data, msg, sizeof(msg)) == -2 && msg[0] != '\0',
            "a FIFO is not read, and says why: %s", msg);
    T_CHECK(ts_tree_read_sidecar(r, dir, "outside.png", &data, msg, sizeof(msg)) == -2, "a link out is not read: %s",
            msg);
    sh("head -c 5000 /dev/zero | tr '\\0' x > %s/maps/big.yml", root);
    size_t keep = r->max_sidecar;
    r->max_sidecar = 4096;
    T_CHECK(ts_tree_read_sidecar(r, dir, "big.yml", &data, msg, sizeof(msg)) == -2 && strstr(msg, "max_sidecar_kb"),
            "a sidecar over max_sidecar: %s", msg);
    r->max_sidecar = keep;
    n = ts_tree_read_sidecar(r, dir, "big.yml", &data, msg, sizeof(msg));
    T_CHECK(n == 5000, "under the limit it is read (%ld)", n);
    free(data);
}

int main(void)
{
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    make_tree();
    struct ts_resolver r;
    struct ts_error err;
    if (ts_resolver_init(&r, root, "png", &err) != 0) {
        printf("not ok resolver: %s\n", err.msg);
        return 1;
    }
    test_kinds(&r);
    test_stamp(&r);
    test_bounds(&r);
    test_sidecars(&r);
    ts_resolver_release(&r);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    return t_done();
}
