/*
 * test_fs.c: identifiers to files under the root (resolve/fs.h), in a
 * folder made here: extensions in order, confinement through symlinks,
 * files that are not regular files.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "resolve/fs.h"
#include "t.h"

static char tmpdir[] = "/tmp/tessera-test-fs-XXXXXX";

static const char *at(const char *rel)
{
    static char path[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, rel);
    return path[k];
}

static void put(const char *rel, const char *text)
{
    FILE *f = fopen(at(rel), "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static void build(void)
{
    mkdir(at("root"), 0755);
    mkdir(at("root/books"), 0755);
    mkdir(at("root/books/b1"), 0755);
    mkdir(at("root/dir.tif"), 0755);
    mkdir(at("outside"), 0755);
    put("root/books/b1/p001.tif", "tif");
    put("root/books/b1/p001.jpg", "jpg");
    put("root/books/b1/p002.jpg", "jpg2");
    put("root/Upper.JPG", "upper");
    put("outside/secret.tif", "secret");
    symlink("../outside/secret.tif", at("root/leak.tif"));
    symlink("../outside", at("root/leakdir"));
    symlink("books/b1/p002.jpg", at("root/alias.jpg"));
    symlink("loop.tif", at("root/loop.tif"));
    symlink("nowhere.tif", at("root/dangling.tif"));
    mkfifo(at("root/fifo.tif"), 0644);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("root/sock.tif"));
    if (s >= 0) {
        bind(s, (struct sockaddr *)&sa, sizeof(sa));
        close(s);
    }
}

static void test_resolve(void)
{
    struct ts_resolver r;
    struct ts_error err;
    T_CHECK(ts_resolver_init(&r, at("root"), "tif,jpg", &err) == 0, "init: %s", err.msg);
    static const struct {
        const char *id;
        int status;         /* 0: found */
        const char *suffix; /* of the real path found */
    } cases[] = {
        {"books/b1/p001.tif", 0, "root/books/b1/p001.tif"},
        {"books/b1/p001.jpg", 0, "root/books/b1/p001.jpg"},
        {"books/b1/p001", 0, "root/books/b1/p001.tif"}, /* the first extension that exists */
        {"books/b1/p002", 0, "root/books/b1/p002.jpg"},
        {"Upper.JPG", 0, "root/Upper.JPG"},            /* extensions match without regard to case */
        {"alias.jpg", 0, "root/books/b1/p002.jpg"},    /* a link inside the root: its target */
        {"books/b1/p003", 404, NULL},
        {"books", 404, NULL},                          /* a folder */
        {"dir.tif", 404, NULL},                        /* a folder with an image's name */
        {"leak.tif", 404, NULL},                       /* a link out of the root */
        {"leak", 404, NULL},
        {"leakdir/secret.tif", 404, NULL},             /* through a linked folder out of the root */
        {"loop.tif", 404, NULL},
        {"dangling.tif", 404, NULL},
        {"fifo.tif", 404, NULL},                       /* not a regular file */
        {"sock.tif", 404, NULL},
        {"books/b1/p001.png", 404, NULL},              /* an extension not configured */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_resolved out;
        int rc = ts_resolve(&r, cases[i].id, &out, &err);
        if (cases[i].status == 0) {
            size_t pl = strlen(out.path), sl = strlen(cases[i].suffix);
            T_CHECK(rc == 0 && pl >= sl && strcmp(out.path + pl - sl, cases[i].suffix) == 0, "%s: rc %d, %s",
                    cases[i].id, rc, rc == 0 ? out.path : err.msg);
            T_CHECK(rc != 0 || out.size > 0, "%s: size", cases[i].id);
        } else {
            T_CHECK(rc == -1 && err.status == cases[i].status, "%s: rc %d status %d", cases[i].id, rc, err.status);
            T_CHECK(rc != 0 || strstr(err.msg, tmpdir) == NULL, "%s: the message shows a path: %s", cases[i].id,
                    err.msg);
        }
    }
    T_CHECK(ts_resolver_is_image_name(&r, "x.TIF") && ts_resolver_is_image_name(&r, "a.b.jpg") &&
                !ts_resolver_is_image_name(&r, "x.png") && !ts_resolver_is_image_name(&r, "tif"),
            "image names");
    char real[PATH_MAX];
    T_CHECK(ts_resolver_inside(&r, at("root/books/b1/p001.tif"), real), "inside");
    T_CHECK(!ts_resolver_inside(&r, at("root/leak.tif"), real), "a link out is not inside");
    T_CHECK(!ts_resolver_inside(&r, at("outside/secret.tif"), real), "outside");
    ts_resolver_release(&r);
    /* a root that is not a readable folder */
    T_CHECK(ts_resolver_init(&r, at("root/books/b1/p001.tif"), "tif", &err) != 0, "a file as root");
    T_CHECK(ts_resolver_init(&r, at("nothing"), "tif", &err) != 0, "a missing root");
}

static void test_open_confined(void)
{
    char root[PATH_MAX];
    if (realpath(at("root"), root) == NULL) {
        T_CHECK(0, "realpath");
        return;
    }
    static const struct {
        const char *rel;
        int why; /* 0: opened */
    } cases[] = {
        {"root/books/b1/p001.tif", 0},
        {"root/alias.jpg", 0},
        {"root/leak.tif", TS_OPEN_OUTSIDE},
        {"root/leakdir/secret.tif", TS_OPEN_OUTSIDE},
        {"root/nothing.txt", TS_OPEN_ABSENT},
        {"root/dangling.tif", TS_OPEN_ABSENT},
        {"root/books", TS_OPEN_NOT_FILE},
        {"root/fifo.tif", TS_OPEN_NOT_FILE},   /* and it did not wait for a writer */
        {"root/sock.tif", TS_OPEN_NOT_FILE},
        {"outside/secret.tif", TS_OPEN_OUTSIDE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct stat st;
        int why = 0;
        int fd = ts_open_confined(root, at(cases[i].rel), &st, &why);
        if (cases[i].why == 0) {
            T_CHECK(fd >= 0 && S_ISREG(st.st_mode), "%s: why %d", cases[i].rel, why);
            if (fd >= 0) {
                int fl = fcntl(fd, F_GETFL);
                T_CHECK((fl & O_NONBLOCK) == 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "%s: blocking, cloexec",
                        cases[i].rel);
                close(fd);
            }
        } else {
            T_CHECK(fd < 0 && why == cases[i].why, "%s: fd %d why %d, want %d", cases[i].rel, fd, why, cases[i].why);
            if (fd >= 0)
                close(fd);
            T_CHECK(ts_open_fail_text(why)[0] != '\0', "a phrase for %d", why);
        }
    }
}

int main(void)
{
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    build();
    test_resolve();
    test_open_confined();
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    return t_done();
}
