/*
 * test_bytes.c: byte sources (source/bytes, file, memory, origin) and every
 * image reader over them.
 *
 * The file backend hands libvips its descriptor; the memory backend has
 * none, so libvips reads it through a VipsSourceCustom and libtiff through
 * client procedures, as a remote object will be read. Each image made here
 * is probed and rendered both ways, and the two must agree to the byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>

#include "image/convert.h"
#include "image/render.h"
#include "image/source.h"
#include "source/file.h"
#include "source/memory.h"
#include "source/origin.h"
#include "t.h"

#define GRID_PNG TS_TEST_DATA "/67352ccc-d1b0-11e1-89ae-279075081939.png"

static char tmpdir[] = "/tmp/tessera-test-bytes-XXXXXX";

static const char *tmp(const char *name)
{
    static char path[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(path[k], sizeof(path[k]), "%s/%s", tmpdir, name);
    return path[k];
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

static void *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc((size_t)n + 1);
    if (p != NULL && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void test_version(void)
{
    struct ts_version a = {10, 5, 7, ""}, b = a;
    T_CHECK(ts_version_same(&a, &b), "equal versions are the same");
    b.ctime_ns = 99;
    T_CHECK(ts_version_same(&a, &b), "ctime is not part of the identity");
    b = a;
    b.size = 11;
    T_CHECK(!ts_version_same(&a, &b), "another size is another version");
    b = a;
    b.mtime_ns = 6;
    T_CHECK(!ts_version_same(&a, &b), "another mtime is another version");
    b = a;
    snprintf(b.etag, sizeof(b.etag), "\"x\"");
    T_CHECK(!ts_version_same(&a, &b), "another ETag is another version");
}

static void test_file(void)
{
    struct ts_bytes *b = NULL;
    struct ts_error err;
    const char *path = tmp("ten.bin");
    T_CHECK(write_file(path, "0123456789", 10) == 0, "write ten.bin");
    T_CHECK(ts_file_open(path, &b, &err) == 0 && b != NULL, "open a regular file");
    if (b != NULL) {
        struct stat st;
        stat(path, &st);
        T_CHECK(ts_bytes_size(b) == 10, "size %lld", (long long)ts_bytes_size(b));
        T_CHECK(b->version.mtime_ns == (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
                "version carries the mtime");
        T_CHECK(ts_bytes_fd(b) >= 0 && (fcntl(ts_bytes_fd(b), F_GETFL) & O_NONBLOCK) == 0,
                "a blocking descriptor for libvips");
        char buf[8] = {0};
        T_CHECK(ts_bytes_pread(b, buf, 4, 3) == 4 && memcmp(buf, "3456", 4) == 0, "pread at an offset");
        T_CHECK(ts_bytes_pread(b, buf, 8, 8) == 2, "a read past the end is short");
        T_CHECK(ts_bytes_pread(b, buf, 8, 10) == 0, "a read at the end is 0");
        T_CHECK(ts_bytes_pread(b, buf, 8, UINT64_MAX) == 0, "a read at an absurd offset is 0");
        T_CHECK(ts_bytes_read_exact(b, buf, 4, 6, "the tail", &err) == 0 && memcmp(buf, "6789", 4) == 0,
                "read_exact");
        T_CHECK(ts_bytes_read_exact(b, buf, 5, 6, "the tail", &err) != 0 && err.status == 415 &&
                    strstr(err.msg, "the tail could not be read") != NULL,
                "read_exact past the end is a 415: %s", err.msg);
        struct ts_version v;
        T_CHECK(ts_file_version(path, &v, &err) == 0 && ts_version_same(&v, &b->version),
                "stat gives the version opened");
        /* another reference keeps the handle */
        struct ts_bytes *again = ts_bytes_ref(b);
        ts_bytes_close(b);
        T_CHECK(ts_bytes_pread(again, buf, 1, 0) == 1 && buf[0] == '0', "a second reference reads on");
        ts_bytes_close(again);
    }
    ts_bytes_close(NULL);
    T_CHECK(ts_file_open(tmp("missing"), &b, &err) != 0 && err.status == 404 && b == NULL, "missing: 404");
    T_CHECK(ts_file_version(tmp("missing"), &(struct ts_version){0}, &err) != 0 && err.status == 404,
            "version of a missing file: 404");
    T_CHECK(ts_file_open(tmpdir, &b, &err) != 0 && err.status == 415, "a folder: 415");
    const char *fifo = tmp("fifo");
    T_CHECK(mkfifo(fifo, 0600) == 0, "make a FIFO");
    time_t t0 = time(NULL);
    T_CHECK(ts_file_open(fifo, &b, &err) != 0 && err.status == 415 && time(NULL) - t0 < 2,
            "a FIFO is refused at once: %s", err.msg);
    T_CHECK(ts_file_open("/dev/null", &b, &err) != 0 && err.status == 415, "a device: 415");
}

static void test_memory(void)
{
    struct ts_error err;
    struct ts_bytes *b = NULL, *c = NULL;
    T_CHECK(ts_memory_put("a", "hello", 5, &err) == 0, "put a");
    T_CHECK(ts_origin_open("memory:a", &b, &err) == 0 && ts_bytes_size(b) == 5 && ts_bytes_fd(b) == -1,
            "open memory:a through the origin");
    struct ts_version v1, v2;
    T_CHECK(ts_origin_version("memory:a", &v1, &err) == 0 && v1.size == 5 && v1.etag[0] == '"', "its version");
    T_CHECK(ts_memory_put("a", "world", 5, &err) == 0, "replace a");
    T_CHECK(ts_origin_version("memory:a", &v2, &err) == 0 && !ts_version_same(&v1, &v2),
            "new content, new ETag (%s, %s)", v1.etag, v2.etag);
    T_CHECK(ts_origin_open("memory:a", &c, &err) == 0, "open the new a");
    T_CHECK(ts_memory_remove("a") == 0 && ts_memory_remove("a") == -1, "remove a once");
    char buf[6] = {0};
    T_CHECK(b != NULL && ts_bytes_pread(b, buf, 5, 0) == 5 && strcmp(buf, "hello") == 0,
            "an open handle keeps the bytes it opened");
    T_CHECK(c != NULL && ts_bytes_pread(c, buf, 5, 0) == 5 && strcmp(buf, "world") == 0, "and so does the other");
    T_CHECK(b != NULL && ts_bytes_pread(b, buf, 5, 5) == 0 && ts_bytes_pread(b, buf, 5, 3) == 2, "short at the end");
    ts_bytes_close(b);
    ts_bytes_close(c);
    T_CHECK(ts_origin_open("memory:a", &b, &err) != 0 && err.status == 404, "a removed object: 404");
    struct ts_bytes *w = ts_memory_wrap("", 0, "empty");
    T_CHECK(w != NULL && ts_bytes_size(w) == 0 && ts_bytes_pread(w, buf, 1, 0) == 0, "an empty object");
    ts_bytes_close(w);
    struct ts_source src;
    T_CHECK(write_file(tmp("empty.png"), "", 0) == 0 && ts_source_open(tmp("empty.png"), &src, &err) != 0 &&
                err.status == 415 && strstr(err.msg, "empty") != NULL,
            "an empty file is not an image (libvips would abort on it): %s", err.msg);
    T_CHECK(ts_memory_put("empty", "", 0, &err) == 0 && ts_source_open("memory:empty", &src, &err) != 0 &&
                err.status == 415,
            "nor an empty object");
    ts_memory_remove("empty");
    struct ts_convert_opts co = {TS_CONVERT_TIFF, 256, 90, false, NULL, NULL};
    T_CHECK(ts_convert(tmp("empty.png"), tmp("empty-out.tif"), &co, &err) != 0 && err.status == 415,
            "converting an empty file: 415 (%s)", err.msg);
    T_CHECK(ts_origin_open("https://example.org/a.tif", &b, &err) != 0 && err.status == 500 &&
                strstr(err.msg, "no byte source") != NULL,
            "a URL no backend reads: %s", err.msg);
}

/* The probe of the same bytes through the file and the memory backend. */
static bool same_probe(const struct ts_source *a, const struct ts_source *b, const char *name)
{
    bool ok = a->kind == b->kind && a->width == b->width && a->height == b->height && a->bands == b->bands &&
              a->tile_w == b->tile_w && a->tile_h == b->tile_h && a->n_levels == b->n_levels &&
              a->tiff_subifd == b->tiff_subifd && a->orientation == b->orientation &&
              (a->j2k != NULL) == (b->j2k != NULL) && a->whole_bytes == b->whole_bytes &&
              a->version.size == b->version.size;
    for (int i = 0; ok && i < a->n_levels; i++) {
        ok = a->levels[i].width == b->levels[i].width && a->levels[i].height == b->levels[i].height &&
             a->levels[i].index == b->levels[i].index && (a->jpeg[i].offsets != NULL) == (b->jpeg[i].offsets != NULL);
        if (ok && a->jpeg[i].offsets != NULL)
            ok = a->jpeg[i].across == b->jpeg[i].across && a->jpeg[i].down == b->jpeg[i].down &&
                 memcmp(a->jpeg[i].offsets, b->jpeg[i].offsets, a->jpeg[i].across * a->jpeg[i].down * 8) == 0;
    }
    T_CHECK(ok, "%s: the memory backend probes what the file backend probes", name);
    return ok;
}

struct fixture {
    const char *name;
    const char *opts;     /* vips saver options, or NULL: made by ts_convert as HTJ2K */
    int w, h;
    bool stored_tiles;    /* a TIFF with JPEG tiles: passthrough applies */
    bool j2k_tiles;       /* read by sub-code-streams */
};

static int make(const struct fixture *f, const char *path)
{
    if (f->opts == NULL) {
        struct ts_convert_opts o = {TS_CONVERT_HTJ2K, 256, 90, false, NULL, NULL};
        struct ts_error err;
        return ts_convert(tmp("grid-for-htj2k.png"), path, &o, &err);
    }
    VipsImage *im = vips_image_new_from_file(GRID_PNG, NULL), *crop = NULL;
    if (im == NULL)
        return -1;
    int rc = vips_extract_area(im, &crop, 0, 0, f->w, f->h, NULL);
    if (rc == 0) {
        char target[600];
        snprintf(target, sizeof(target), "%s%s", path, f->opts);
        rc = vips_image_write_to_file(crop, target, NULL);
        g_object_unref(crop);
    }
    g_object_unref(im);
    return rc;
}

/*
 * Renders plans over both backends: a whole small image, a stored tile, an
 * edge tile, a reduced level, a rotated and a WebP answer; each pair of
 * answers must be the same bytes.
 */
static void same_renders(const struct ts_source *fs, const struct ts_source *ms, const char *name)
{
    struct ts_render_opts opts = {.jpeg_quality = 90, .webp_quality = 90, .webp_effort = 2, .avif_quality = 50,
                                  .jp2_quality = 48, .png_compression = 6, .kernel = VIPS_KERNEL_LANCZOS3};
    uint32_t W = fs->width, H = fs->height;
    const struct iiif_plan plans[] = {
        {IIIF_V3, 0, 0, W, H, W / 4, H / 4, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG},
        {IIIF_V3, 0, 0, 256, 256, 256, 256, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG},
        {IIIF_V3, 256, 256, W - 256, H - 256, W - 256, H - 256, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_PNG},
        {IIIF_V3, 0, 0, W, H, W / 2, H / 2, false, 90, IIIF_QUALITY_GRAY, IIIF_FORMAT_PNG},
        {IIIF_V3, 0, 0, 256, 256, 256, 256, true, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_WEBP},
        {IIIF_V3, 100, 50, 300, 200, 150, 100, false, 180, IIIF_QUALITY_COLOR, IIIF_FORMAT_JPG},
    };
    for (size_t i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
        struct ts_output a, b;
        struct ts_error ea, eb;
        int ra = ts_render(fs, &plans[i], &opts, &a, &ea), rb = ts_render(ms, &plans[i], &opts, &b, &eb);
        T_CHECK(ra == 0 && rb == 0, "%s plan %zu: both render (%s / %s)", name, i, ra ? ea.msg : "ok",
                rb ? eb.msg : "ok");
        if (ra == 0 && rb == 0)
            T_CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0 && a.level == b.level,
                    "%s plan %zu: the same %zu bytes from either backend (%zu), level %d", name, i, a.len, b.len,
                    a.level);
        if (ra == 0)
            ts_output_release(&a);
        if (rb == 0)
            ts_output_release(&b);
    }
}

static void test_readers(void)
{
    static const struct fixture fixtures[] = {
        {"tiled.tif", "[tile,pyramid,tile-width=256,tile-height=256,compression=jpeg,Q=85]", 1000, 1000, true, false},
        {"subifd.tif", "[tile,pyramid,subifd,tile-width=256,tile-height=256,compression=deflate]", 1000, 1000, false, false},
        {"strips.tif", "[compression=lzw]", 700, 500, false, false},
        {"plain.jpg", "[Q=90]", 1000, 767, false, false},
        {"progressive.jpg", "[Q=90,interlace]", 1000, 767, false, false},
        {"plain.png", "", 600, 400, false, false},
        {"interlaced.png", "[interlace]", 600, 400, false, false},
        {"plain.webp", "[Q=90]", 600, 400, false, false},
        {"plain.gif", "", 400, 300, false, false},
        {"tiled.jp2", "[tile-width=256,tile-height=256,Q=90]", 999, 767, false, true},
        {"tiled.jph", NULL, 999, 767, false, true},
    };
    VipsImage *g = vips_image_new_from_file(GRID_PNG, NULL);
    T_CHECK(g != NULL && vips_image_write_to_file(g, tmp("grid-for-htj2k.png"), NULL) == 0, "grid copy");
    if (g != NULL)
        g_object_unref(g);
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        const struct fixture *f = &fixtures[i];
        const char *path = tmp(f->name);
        if (make(f, path) != 0) {
            T_CHECK(0, "%s: make the fixture: %s", f->name, vips_error_buffer());
            vips_error_clear();
            continue;
        }
        size_t len = 0;
        void *data = read_file(path, &len);
        struct ts_error err;
        char locator[64];
        snprintf(locator, sizeof(locator), "memory:%s", f->name);
        T_CHECK(data != NULL && ts_memory_put(f->name, data, len, &err) == 0, "%s: into memory", f->name);
        free(data);
        struct ts_source fs, ms;
        int rf = ts_source_open(path, &fs, &err);
        T_CHECK(rf == 0, "%s: file probe: %s", f->name, rf ? err.msg : "");
        int rm = ts_source_open(locator, &ms, &err);
        T_CHECK(rm == 0, "%s: memory probe: %s", f->name, rm ? err.msg : "");
        if (rf == 0 && rm == 0) {
            T_CHECK((fs.jpeg[0].offsets != NULL) == f->stored_tiles, "%s: stored tiles found %d", f->name,
                    fs.jpeg[0].offsets != NULL);
            T_CHECK((fs.j2k != NULL) == f->j2k_tiles, "%s: code-stream indexed %d", f->name, fs.j2k != NULL);
            if (same_probe(&fs, &ms, f->name))
                same_renders(&fs, &ms, f->name);
        }
        if (rf == 0)
            ts_source_release(&fs);
        if (rm == 0)
            ts_source_release(&ms);
        ts_memory_remove(f->name);
    }
}

/* Bytes that changed since the probe are not read with the probe's offsets: 503, and the next probe sees them. */
static void test_changed(void)
{
    const char *path = tmp("changing.tif");
    struct fixture f = {"changing.tif", "[tile,pyramid,tile-width=256,tile-height=256,compression=jpeg,Q=85]", 600,
                        600, true, false};
    struct ts_source s;
    struct ts_error err;
    if (make(&f, path) != 0 || ts_source_open(path, &s, &err) != 0) {
        T_CHECK(0, "changing.tif");
        vips_error_clear();
        return;
    }
    struct ts_bytes *b = NULL;
    T_CHECK(ts_source_bytes(&s, &b, &err) == 0, "unchanged: the bytes open");
    ts_bytes_close(b);
    struct fixture g = {"changing.tif", "[tile,pyramid,tile-width=128,tile-height=128,compression=jpeg,Q=60]", 600,
                        600, true, false};
    struct timespec later[2] = {{0, UTIME_OMIT}, {time(NULL) + 100, 0}};
    T_CHECK(make(&g, path) == 0 && utimensat(AT_FDCWD, path, later, 0) == 0, "rewrite it");
    T_CHECK(ts_source_bytes(&s, &b, &err) != 0 && err.status == 503 && b == NULL, "changed: 503 (%s)", err.msg);
    struct ts_render_opts opts = {.jpeg_quality = 90, .png_compression = 6, .kernel = VIPS_KERNEL_LANCZOS3};
    struct iiif_plan p = {IIIF_V3, 0, 0, 256, 256, 256, 256, false, 0, IIIF_QUALITY_DEFAULT, IIIF_FORMAT_JPG};
    struct ts_output out;
    T_CHECK(ts_render(&s, &p, &opts, &out, &err) != 0 && err.status == 503, "a render of the old probe: 503");
    ts_source_release(&s);
    T_CHECK(ts_source_open(path, &s, &err) == 0 && s.tile_w == 128, "a new probe sees the new file");
    ts_source_release(&s);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (ts_image_init(argv[0], 1, NULL) != 0 || mkdtemp(tmpdir) == NULL)
        return 1;
    test_version();
    test_file();
    test_memory();
    test_readers();
    test_changed();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    ts_image_shutdown();
    return t_done();
}
