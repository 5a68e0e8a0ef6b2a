/*
 * test_url.c: unit tests for lib/iiif/url.c (Image API paths split from the right).
 */
#include "iiif/url.h"

#include <string.h>

#include "t.h"

static const char *kind_name(enum iiif_url_kind k)
{
    switch (k) {
    case IIIF_URL_BASE: return "BASE";
    case IIIF_URL_INFO: return "INFO";
    case IIIF_URL_IMAGE: return "IMAGE";
    case IIIF_URL_OTHER: return "OTHER";
    }
    return "?";
}

static const struct {
    const char *path;
    enum iiif_url_kind kind;
    const char *id;     /* expected raw identifier, for BASE / INFO / IMAGE */
    const char *params; /* expected raw parameters, for IMAGE */
} cases[] = {
    /* information requests */
    {"abc/info.json", IIIF_URL_INFO, "abc", NULL},
    {"a%2Fb/info.json", IIIF_URL_INFO, "a%2Fb", NULL},
    {"67352ccc-d1b0-11e1-89ae-279075081939/info.json", IIIF_URL_INFO, "67352ccc-d1b0-11e1-89ae-279075081939", NULL},
    {"a/b/info.json", IIIF_URL_INFO, "a/b", NULL}, /* raw slash: the identifier check gives the 404 */
    {"full/max/0/info.json", IIIF_URL_INFO, "full/max/0", NULL},
    /* base URIs, with and without the trailing slash */
    {"abc", IIIF_URL_BASE, "abc", NULL},
    {"abc/", IIIF_URL_BASE, "abc", NULL},
    {"a%2Fb", IIIF_URL_BASE, "a%2Fb", NULL},
    {"a%2Fb/", IIIF_URL_BASE, "a%2Fb", NULL},
    {"info.json", IIIF_URL_BASE, "info.json", NULL}, /* an identifier that happens to be called info.json */
    /* image requests */
    {"abc/full/max/0/default.jpg", IIIF_URL_IMAGE, "abc", "full/max/0/default.jpg"},
    {"a%2Fb/0,0,10,10/!5,5/!90/gray.png", IIIF_URL_IMAGE, "a%2Fb", "0,0,10,10/!5,5/!90/gray.png"},
    {"a/b/full/max/0/default.jpg", IIIF_URL_IMAGE, "a/b", "full/max/0/default.jpg"},
    {"a/b/c/d/e/f/g", IIIF_URL_IMAGE, "a/b/c", "d/e/f/g"},
    {"abc//max/0/default.jpg", IIIF_URL_IMAGE, "abc", "/max/0/default.jpg"}, /* empty region: the parser's 400 */
    {"abc/full/max/0/info.jpg", IIIF_URL_IMAGE, "abc", "full/max/0/info.jpg"},
    {"info.json/full/max/0/default.jpg", IIIF_URL_IMAGE, "info.json", "full/max/0/default.jpg"},
    {"abc/full/max/0/default.jpg%2F", IIIF_URL_IMAGE, "abc", "full/max/0/default.jpg%2F"},
    /* not Image API shapes */
    {"", IIIF_URL_OTHER, NULL, NULL},
    {"/", IIIF_URL_OTHER, NULL, NULL},
    {"//", IIIF_URL_OTHER, NULL, NULL},
    {"/info.json", IIIF_URL_OTHER, NULL, NULL},
    {"abc/info.json/", IIIF_URL_OTHER, NULL, NULL},
    {"abc/INFO.JSON", IIIF_URL_OTHER, NULL, NULL},
    {"abc/info.json2", IIIF_URL_OTHER, NULL, NULL},
    {"abc/info", IIIF_URL_OTHER, NULL, NULL},
    {"abc/x", IIIF_URL_OTHER, NULL, NULL},
    {"abc/max/0/default.jpg", IIIF_URL_OTHER, NULL, NULL},     /* three parameters */
    {"full/max/0/default.jpg", IIIF_URL_OTHER, NULL, NULL},    /* no identifier */
    {"/full/max/0/default.jpg", IIIF_URL_OTHER, NULL, NULL},   /* empty identifier */
    {"abc/full/max/0/", IIIF_URL_OTHER, NULL, NULL},
    {"a/b/", IIIF_URL_OTHER, NULL, NULL},
    {"abc/full/max/0/default.jpg/", IIIF_URL_OTHER, NULL, NULL},
};

int main(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *p = cases[i].path;
        size_t len = strlen(p);
        struct iiif_url u;
        memset(&u, 0x5a, sizeof(u));
        iiif_url_split(p, len, &u);
        T_CHECK(u.kind == cases[i].kind, "'%s': kind %s, want %s", p, kind_name(u.kind), kind_name(cases[i].kind));
        if (u.kind != cases[i].kind)
            continue;
        if (cases[i].id != NULL) {
            T_CHECK(u.id == p, "'%s': id does not point at the start of the input", p);
            T_CHECK(u.id_len == strlen(cases[i].id) && memcmp(u.id, cases[i].id, u.id_len) == 0,
                    "'%s': id '%.*s', want '%s'", p, (int)u.id_len, u.id, cases[i].id);
        } else {
            T_CHECK(u.id == NULL && u.id_len == 0, "'%s': OTHER with an id", p);
        }
        if (cases[i].params != NULL) {
            T_CHECK(u.params == p + u.id_len + 1, "'%s': params do not follow the id", p);
            T_CHECK(u.params_len == strlen(cases[i].params) && memcmp(u.params, cases[i].params, u.params_len) == 0,
                    "'%s': params '%.*s', want '%s'", p, (int)u.params_len, u.params, cases[i].params);
        } else {
            T_CHECK(u.params == NULL && u.params_len == 0, "'%s': params on a %s", p, kind_name(u.kind));
        }
    }

    /* Only `len` bytes are read: the same buffer cut at different lengths. */
    static const char buf[] = "abc/info.json/full/max/0/default.jpg";
    struct iiif_url u;
    iiif_url_split(buf, 13, &u);
    T_CHECK(u.kind == IIIF_URL_INFO && u.id_len == 3, "len 13: want INFO abc, got %s", kind_name(u.kind));
    iiif_url_split(buf, 3, &u);
    T_CHECK(u.kind == IIIF_URL_BASE && u.id_len == 3, "len 3: want BASE abc, got %s", kind_name(u.kind));
    iiif_url_split(buf, 4, &u);
    T_CHECK(u.kind == IIIF_URL_BASE && u.id_len == 3, "len 4: want BASE abc, got %s", kind_name(u.kind));
    iiif_url_split(buf, sizeof(buf) - 1, &u);
    T_CHECK(u.kind == IIIF_URL_IMAGE && u.id_len == 13, "whole: want IMAGE abc/info.json, got %s", kind_name(u.kind));
    iiif_url_split(buf, 0, &u);
    T_CHECK(u.kind == IIIF_URL_OTHER, "len 0: want OTHER, got %s", kind_name(u.kind));
    return t_done();
}
