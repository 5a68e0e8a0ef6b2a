/*
 * test_keys.c: response cache keys and ETags (http/keys.h): each part of a
 * representation's identity changes its key and its ETag, nothing else
 * does, and no two inputs share a key.
 */
#include <stdlib.h>

#include "http/keys.h"
#include "t.h"

struct image_in {
    uint64_t gen;
    enum iiif_version v;
    const char *id;
    int64_t mtime, size;
    const char *canonical;
};

static char *image_key(const struct image_in *in)
{
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    T_CHECK(ts_key_image(&b, in->gen, in->v, in->id, in->mtime, in->size, in->canonical) == 0, "image key");
    return ts_buf_take(&b, NULL);
}

static void test_image_keys(void)
{
    const struct image_in base = {1, IIIF_V3, "a/b.tif", 1000, 2000, "full/max/0/default.jpg"};
    const struct image_in others[] = {
        {2, IIIF_V3, "a/b.tif", 1000, 2000, "full/max/0/default.jpg"},      /* the settings changed */
        {1, IIIF_V2, "a/b.tif", 1000, 2000, "full/max/0/default.jpg"},      /* the other API */
        {1, IIIF_V3, "a/c.tif", 1000, 2000, "full/max/0/default.jpg"},      /* another image */
        {1, IIIF_V3, "a/b.tif", 1001, 2000, "full/max/0/default.jpg"},      /* the file changed */
        {1, IIIF_V3, "a/b.tif", 1000, 2001, "full/max/0/default.jpg"},
        {1, IIIF_V3, "a/b.tif", 1000, 2000, "full/max/0/default.png"},      /* another answer */
        /* identifiers that could run into the fields after them */
        {1, IIIF_V3, "a/b.tif|1000", 1000, 2000, "full/max/0/default.jpg"},
        {1, IIIF_V3, "a/b.tif|1000|2000|full", 1000, 2000, "max/0/default.jpg"},
        {1, IIIF_V3, "7:a/b.tif", 1000, 2000, "full/max/0/default.jpg"},
        {1, IIIF_V3, "", 1000, 2000, "full/max/0/default.jpg"},
    };
    char *k0 = image_key(&base);
    char *again = image_key(&base);
    T_STREQ(again, k0, "the same representation, the same key");
    uint64_t e0 = ts_key_etag(k0, strlen(k0), base.gen);
    T_CHECK(ts_key_etag(again, strlen(again), base.gen) == e0, "and the same ETag");
    size_t n = sizeof(others) / sizeof(others[0]);
    char *keys[16];
    for (size_t i = 0; i < n; i++) {
        keys[i] = image_key(&others[i]);
        T_CHECK(strcmp(keys[i], k0) != 0, "other %zu: the key did not change: %s", i, keys[i]);
        T_CHECK(ts_key_etag(keys[i], strlen(keys[i]), others[i].gen) != e0, "other %zu: the ETag did not change", i);
        for (size_t j = 0; j < i; j++)
            T_CHECK(strcmp(keys[i], keys[j]) != 0, "others %zu and %zu share a key: %s", i, j, keys[i]);
    }
    /* the ETag also hashes the generation on its own */
    T_CHECK(ts_key_etag(k0, strlen(k0), 1) != ts_key_etag(k0, strlen(k0), 2), "the generation changes the ETag");
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(k0);
    free(again);
    /* a buffer that is reused is cleared first */
    struct ts_buf b;
    ts_buf_init(&b, 1 << 16);
    ts_key_image(&b, 1, IIIF_V3, "long/identifier/name.tif", 1, 1, "full/max/0/default.jpg");
    ts_key_image(&b, 1, IIIF_V3, "x", 1, 1, "full/max/0/default.jpg");
    struct ts_buf c;
    ts_buf_init(&c, 1 << 16);
    ts_key_image(&c, 1, IIIF_V3, "x", 1, 1, "full/max/0/default.jpg");
    T_STREQ(b.data, c.data, "reused buffer");
    ts_buf_release(&b);
    ts_buf_release(&c);
    /* a key longer than the buffer's cap is refused, not cut */
    ts_buf_init(&b, 16);
    T_CHECK(ts_key_image(&b, 1, IIIF_V3, "an/identifier/longer/than/sixteen.tif", 1, 1, "full/max/0/default.jpg") != 0,
            "over the cap");
    ts_buf_release(&b);
}

static void test_info_keys(void)
{
    struct ts_buf a, b;
    ts_buf_init(&a, 1 << 16);
    ts_buf_init(&b, 1 << 16);
    ts_key_info(&a, 1, IIIF_V3, false, "http://x", "a.tif", 1, 2);
    static const struct {
        uint64_t gen;
        enum iiif_version v;
        bool ld;
        const char *base, *id;
        int64_t mtime, size;
    } others[] = {
        {2, IIIF_V3, false, "http://x", "a.tif", 1, 2},
        {1, IIIF_V2, false, "http://x", "a.tif", 1, 2},
        {1, IIIF_V3, true, "http://x", "a.tif", 1, 2},       /* JSON-LD and JSON are two representations */
        {1, IIIF_V3, false, "https://x", "a.tif", 1, 2},     /* the id inside depends on the public base */
        {1, IIIF_V3, false, "http://x/a.tif", "", 1, 2},     /* base and identifier cannot trade bytes */
        {1, IIIF_V3, false, "http://x", "a.tif", 3, 2},
        {1, IIIF_V3, false, "http://x", "a.tif", 1, 3},
    };
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        ts_key_info(&b, others[i].gen, others[i].v, others[i].ld, others[i].base, others[i].id, others[i].mtime,
                    others[i].size);
        T_CHECK(strcmp(a.data, b.data) != 0, "info other %zu: the key did not change: %s", i, b.data);
    }
    /* info.json and image keys never meet */
    struct ts_buf im;
    ts_buf_init(&im, 1 << 16);
    ts_key_image(&im, 1, IIIF_V3, "a.tif", 1, 2, "info.json");
    T_CHECK(strcmp(im.data, a.data) != 0 && im.data[0] != a.data[0], "image and info keys differ in kind");
    ts_buf_release(&a);
    ts_buf_release(&b);
    ts_buf_release(&im);
}

int main(void)
{
    test_image_keys();
    test_info_keys();
    return t_done();
}
