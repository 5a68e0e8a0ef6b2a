/*
 * bytes_io.c: byte sources under libvips and libtiff.
 */
#include "image/bytes_io.h"

#include <stdio.h>
#include <stdlib.h>

/* A reader's position over a source: libvips and libtiff read as a stream. */
struct cursor {
    struct ts_bytes *b;
    uint64_t pos;
};

static struct cursor *cursor_new(struct ts_bytes *b)
{
    struct cursor *c = malloc(sizeof(*c));
    if (c == NULL)
        return NULL;
    c->b = ts_bytes_ref(b);
    c->pos = 0;
    return c;
}

static void cursor_free(struct cursor *c)
{
    ts_bytes_close(c->b);
    free(c);
}

/* The new position for lseek-style (`off`, `whence`), or -1. */
static int64_t cursor_seek(struct cursor *c, int64_t off, int whence)
{
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)c->pos : ts_bytes_size(c->b);
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return -1;
    int64_t to = base + off;
    if (to < 0)
        return -1;
    c->pos = (uint64_t)to;
    return to;
}

static gint64 vips_read_cb(VipsSourceCustom *s, void *buf, gint64 len, gpointer user)
{
    (void)s;
    struct cursor *c = user;
    if (len <= 0)
        return 0;
    ssize_t got = ts_bytes_pread(c->b, buf, (size_t)len, c->pos);
    if (got > 0)
        c->pos += (uint64_t)got;
    return got;
}

static gint64 vips_seek_cb(VipsSourceCustom *s, gint64 off, int whence, gpointer user)
{
    (void)s;
    return cursor_seek(user, off, whence);
}

static void cursor_destroy(gpointer data, GClosure *closure)
{
    (void)closure;
    cursor_free(data);
}

VipsSource *ts_bytes_io_vips(struct ts_bytes *b)
{
    /* libvips 8.14 asserts on an empty descriptor (a failed mmap of 0 bytes): no image is empty anyway */
    if (ts_bytes_size(b) <= 0) {
        vips_error("tessera", "the file is empty");
        return NULL;
    }
    int fd = ts_bytes_fd(b);
    if (fd >= 0)
        return vips_source_new_from_descriptor(fd);
    struct cursor *c = cursor_new(b);
    if (c == NULL) {
        vips_error("ts_bytes_io_vips", "out of memory");
        return NULL;
    }
    VipsSourceCustom *s = vips_source_custom_new();
    if (s == NULL) {
        cursor_free(c);
        return NULL;
    }
    g_signal_connect_data(s, "read", G_CALLBACK(vips_read_cb), c, cursor_destroy, 0);
    g_signal_connect(s, "seek", G_CALLBACK(vips_seek_cb), c);
    return VIPS_SOURCE(s);
}

static tmsize_t tiff_read(thandle_t h, void *buf, tmsize_t n)
{
    struct cursor *c = (struct cursor *)h;
    if (n <= 0)
        return 0;
    size_t done = 0;
    while (done < (size_t)n) {
        ssize_t got = ts_bytes_pread(c->b, (char *)buf + done, (size_t)n - done, c->pos);
        if (got < 0)
            return done > 0 ? (tmsize_t)done : -1;
        if (got == 0)
            break;
        c->pos += (uint64_t)got;
        done += (size_t)got;
    }
    return (tmsize_t)done;
}

static tmsize_t tiff_write(thandle_t h, void *buf, tmsize_t n)
{
    (void)h;
    (void)buf;
    (void)n;
    return -1;
}

static toff_t tiff_seek(thandle_t h, toff_t off, int whence)
{
    int64_t to = cursor_seek((struct cursor *)h, (int64_t)off, whence);
    return to < 0 ? (toff_t)-1 : (toff_t)to;
}

static int tiff_close(thandle_t h)
{
    cursor_free((struct cursor *)h);
    return 0;
}

static toff_t tiff_size(thandle_t h)
{
    return (toff_t)ts_bytes_size(((struct cursor *)h)->b);
}

static int tiff_map(thandle_t h, void **base, toff_t *size)
{
    (void)h;
    (void)base;
    (void)size;
    return 0;
}

static void tiff_unmap(thandle_t h, void *base, toff_t size)
{
    (void)h;
    (void)base;
    (void)size;
}

TIFF *ts_bytes_io_tiff(struct ts_bytes *b, const char *mode, TIFFOpenOptions *opts)
{
    struct cursor *c = cursor_new(b);
    if (c == NULL)
        return NULL;
    /* a TIFF that opened calls the close procedure on TIFFClose; one that did not never calls it */
    TIFF *t = TIFFClientOpenExt(b->name, mode, (thandle_t)c, tiff_read, tiff_write, tiff_seek, tiff_close, tiff_size,
                                tiff_map, tiff_unmap, opts);
    if (t == NULL)
        cursor_free(c);
    return t;
}
