/*
 * jpeg_trim.c: right and bottom edges cut off at the coefficient level.
 *
 * Cutting at the top-left corner needs no new coefficient arrays: the
 * source's are larger than the smaller image needs, and libjpeg's
 * transcoder reads only the blocks inside the new dimensions (filling the
 * last partial MCU with dummy blocks, as it does for any image).
 */
#include "image/jpeg_trim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "image/jpegerr.h"

/* Everything a longjmp must find as it was: on the heap, not in registers. */
struct trim {
    struct jpeg_decompress_struct s;
    struct jpeg_compress_struct d;
    struct jpeg_destination_mgr dest;
    struct ts_jpeg_err e;
    bool have_s, have_d;
    unsigned char *buf; /* the output so far; ours to free whatever happens */
    size_t cap;
};

/*
 * A growable memory destination. (libjpeg's jpeg_mem_dest frees and
 * replaces its buffer as it grows without telling the caller, so after an
 * error the caller cannot know what to free.)
 */
static void dest_init(j_compress_ptr c)
{
    struct trim *t = (struct trim *)((char *)c - offsetof(struct trim, d));
    t->dest.next_output_byte = t->buf;
    t->dest.free_in_buffer = t->cap;
}

static boolean dest_grow(j_compress_ptr c)
{
    struct trim *t = (struct trim *)((char *)c - offsetof(struct trim, d));
    size_t cap = t->cap * 2;
    unsigned char *b = realloc(t->buf, cap);
    if (b == NULL) {
        snprintf(t->e.msg, sizeof(t->e.msg), "out of memory");
        longjmp(t->e.jump, 1);
    }
    t->dest.next_output_byte = b + t->cap;
    t->dest.free_in_buffer = cap - t->cap;
    t->buf = b;
    t->cap = cap;
    return TRUE;
}

static void dest_term(j_compress_ptr c)
{
    (void)c;
}

static int run(struct trim *t, const void *in, size_t len, uint32_t w, uint32_t h, struct ts_error *err)
{
    t->s.err = ts_jpeg_err_init(&t->e);
    t->d.err = &t->e.pub;
    if (setjmp(t->e.jump))
        return ts_error_set(err, 415, "a stored tile could not be trimmed: %s", t->e.msg);
    jpeg_create_decompress(&t->s);
    t->have_s = true;
    jpeg_create_compress(&t->d);
    t->have_d = true;
    jpeg_mem_src(&t->s, (const unsigned char *)in, (unsigned long)len);
    jpeg_read_header(&t->s, TRUE);
    if (w == 0 || h == 0 || w > t->s.image_width || h > t->s.image_height)
        return ts_error_set(err, 500, "cannot trim a %ux%u JPEG to %ux%u", t->s.image_width, t->s.image_height, w, h);
    jvirt_barray_ptr *coefs = jpeg_read_coefficients(&t->s);
    /* the same colour space, sampling and quantisation tables; an Adobe marker for RGB */
    jpeg_copy_critical_parameters(&t->s, &t->d);
    t->d.image_width = w;
    t->d.image_height = h;
    t->cap = len + 1024; /* a little more than the input: growing is rare */
    t->buf = malloc(t->cap);
    if (t->buf == NULL)
        return ts_error_set(err, 500, "out of memory");
    t->dest.init_destination = dest_init;
    t->dest.empty_output_buffer = dest_grow;
    t->dest.term_destination = dest_term;
    t->d.dest = &t->dest;
    jpeg_write_coefficients(&t->d, coefs);
    jpeg_finish_compress(&t->d);
    jpeg_finish_decompress(&t->s);
    return 0;
}

int ts_jpeg_trim(const void *in, size_t len, uint32_t w, uint32_t h, void **out, size_t *out_len,
                 struct ts_error *err)
{
    struct trim *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return ts_error_set(err, 500, "out of memory");
    int rc = run(t, in, len, w, h, err);
    if (t->have_d)
        jpeg_destroy_compress(&t->d);
    if (t->have_s)
        jpeg_destroy_decompress(&t->s);
    if (rc == 0) {
        *out = t->buf;
        *out_len = t->cap - t->dest.free_in_buffer;
    } else {
        free(t->buf);
    }
    free(t);
    return rc;
}
