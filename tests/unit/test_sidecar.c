/*
 * test_sidecar.c: sidecar YAML to Presentation 3.0 properties. Each case is
 * a sidecar and the JSON it must give (props, compact), or the problem it
 * must report.
 */
#include <stdlib.h>

#include "present/sidecar.h"
#include "t.h"

static char *props_of(const char *yaml, struct ts_sidecar *s)
{
    struct ts_ynode *root = NULL;
    char msg[200];
    ts_sidecar_init(s);
    if (ts_yaml_parse(yaml, strlen(yaml), &root, msg, sizeof(msg)) != 0)
        return strdup(msg);
    ts_sidecar_read(s, root, "manifest.yml");
    ts_yaml_free(root);
    return json_dumps(s->props, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
}

static const char *first_problem(const struct ts_sidecar *s)
{
    return json_string_value(json_array_get(s->problems, 0));
}

int main(void)
{
    static const struct {
        const char *yaml;
        const char *props;   /* expected props JSON */
        const char *problem; /* expected start of the first problem, or NULL for none */
    } cases[] = {
        {"label: A diary\n", "{\"label\":{\"none\":[\"A diary\"]}}", NULL},
        {"language: en\nlabel: A diary\n", "{\"label\":{\"en\":[\"A diary\"]}}", NULL},
        {"label: A diary\nlanguage: en\n", "{\"label\":{\"en\":[\"A diary\"]}}", NULL}, /* order does not matter */
        {"label: {en: Diary, fr: [Journal, Carnet]}\n",
         "{\"label\":{\"en\":[\"Diary\"],\"fr\":[\"Journal\",\"Carnet\"]}}", NULL},
        {"label: [One, Two]\n", "{\"label\":{\"none\":[\"One\",\"Two\"]}}", NULL},
        {"label: {english: x}\n", "{}", "manifest.yml:1: label: 'english' is not a language tag"},
        {"label: {en: {a: b}}\n", "{}", "manifest.yml:1: label: expected text"},
        {"summary: 'A <b>bold</b> summary'\n", "{\"summary\":{\"none\":[\"A <b>bold</b> summary\"]}}", NULL},
        /* metadata: both forms, file order kept, numbers as text */
        {"metadata:\n  Author: Jane\n  Date: 1850\n",
         "{\"metadata\":[{\"label\":{\"none\":[\"Author\"]},\"value\":{\"none\":[\"Jane\"]}},"
         "{\"label\":{\"none\":[\"Date\"]},\"value\":{\"none\":[\"1850\"]}}]}",
         NULL},
        {"metadata:\n  - label: {en: Author, fr: Auteur}\n    value: Jane\n  - {label: X}\n",
         "{\"metadata\":[{\"label\":{\"en\":[\"Author\"],\"fr\":[\"Auteur\"]},\"value\":{\"none\":[\"Jane\"]}}]}",
         "manifest.yml:4: metadata: expected a mapping with exactly 'label' and 'value'"},
        {"metadata: just text\n", "{}", "manifest.yml:1: metadata: expected a list"},
        /* every entry wrong: no empty list left behind (found by fuzz_sidecar) */
        {"metadata:\n  - {label: X}\n", "{}", "manifest.yml:2: metadata: expected a mapping"},
        {"requiredStatement: Provided by the Library\n",
         "{\"requiredStatement\":{\"label\":{\"none\":[\"Attribution\"]},\"value\":{\"none\":[\"Provided by the Library\"]}}}",
         NULL},
        {"requiredStatement: {label: Rights, value: Public domain}\n",
         "{\"requiredStatement\":{\"label\":{\"none\":[\"Rights\"]},\"value\":{\"none\":[\"Public domain\"]}}}", NULL},
        {"rights: http://creativecommons.org/licenses/by/4.0/\n",
         "{\"rights\":\"http://creativecommons.org/licenses/by/4.0/\"}", NULL},
        {"rights: http://rightsstatements.org/vocab/NoC-NC/1.0/\n",
         "{\"rights\":\"http://rightsstatements.org/vocab/NoC-NC/1.0/\"}", NULL},
        {"rights: https://example.org/terms\n", "{}", "manifest.yml:1: rights: must be a creativecommons.org"},
        {"rights: All rights reserved\n", "{}", "manifest.yml:1: rights: expected the URL"},
        {"homepage: https://example.org/item/1\n",
         "{\"homepage\":[{\"id\":\"https://example.org/item/1\",\"type\":\"Text\",\"label\":{\"none\":"
         "[\"https://example.org/item/1\"]},\"format\":\"text/html\"}]}",
         NULL},
        {"homepage: {id: https://example.org/i, label: {en: Item page}, language: en}\n",
         "{\"homepage\":[{\"id\":\"https://example.org/i\",\"type\":\"Text\",\"label\":{\"en\":[\"Item page\"]},"
         "\"format\":\"text/html\",\"language\":[\"en\"]}]}",
         NULL},
        {"homepage: not a url\n", "{}", "manifest.yml:1: homepage: expected an http(s) URL"},
        {"rendering: https://example.org/book.pdf\n",
         "{\"rendering\":[{\"id\":\"https://example.org/book.pdf\",\"type\":\"Text\",\"label\":{\"none\":"
         "[\"https://example.org/book.pdf\"]},\"format\":\"application/pdf\"}]}",
         NULL},
        {"seeAlso:\n  - {id: https://example.org/a.xml, profile: https://example.org/mods}\n  - https://example.org/b.json\n",
         "{\"seeAlso\":[{\"id\":\"https://example.org/a.xml\",\"type\":\"Dataset\",\"format\":\"application/xml\","
         "\"profile\":\"https://example.org/mods\"},{\"id\":\"https://example.org/b.json\",\"type\":\"Dataset\","
         "\"format\":\"application/json\"}]}",
         NULL},
        {"provider:\n  label: Example Library\n  homepage: https://example.org/\n  logo: https://example.org/logo.png\n",
         "{\"provider\":[{\"id\":\"https://example.org/\",\"type\":\"Agent\",\"label\":{\"none\":[\"Example Library\"]},"
         "\"homepage\":[{\"id\":\"https://example.org/\",\"type\":\"Text\",\"label\":{\"none\":"
         "[\"https://example.org/\"]},\"format\":\"text/html\"}],\"logo\":[{\"id\":\"https://example.org/logo.png\","
         "\"type\":\"Image\",\"format\":\"image/png\"}]}]}",
         NULL},
        {"provider: {label: Nobody}\n", "{}", "manifest.yml:1: provider: needs an 'id' URL"},
        {"behavior: paged\n", "{\"behavior\":[\"paged\"]}", NULL},
        {"behavior: [individuals, no-nav]\n", "{\"behavior\":[\"individuals\",\"no-nav\"]}", NULL},
        {"behavior: sideways\n", "{}", "manifest.yml:1: behavior: 'sideways' is not a behavior"},
        {"viewingDirection: right-to-left\n", "{\"viewingDirection\":\"right-to-left\"}", NULL},
        {"viewingDirection: upwards\n", "{}", "manifest.yml:1: viewingDirection: expected"},
        {"navDate: 1856\n", "{\"navDate\":\"1856-01-01T00:00:00Z\"}", NULL},
        {"navDate: 1856-03-01T10:30:00+02:00\n", "{\"navDate\":\"1856-03-01T08:30:00Z\"}", NULL},
        {"navDate: yesterday\n", "{}", "manifest.yml:1: navDate: expected a date"},
        {"navPlace: {lat: 48.8566, lon: 2.3522, label: Paris}\n",
         "{\"navPlace\":{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":"
         "\"Point\",\"coordinates\":[2.3522,48.8566]},\"properties\":{\"label\":{\"none\":[\"Paris\"]}}}]}}",
         NULL},
        {"navPlace:\n  type: Feature\n  id: https://x/1\n  geometry: {type: Polygon, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]]}\n",
         "{\"navPlace\":{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":"
         "\"Polygon\",\"coordinates\":[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]}}]}}",
         NULL},
        {"navPlace: {lat: 91, lon: 0}\n", "{}", "manifest.yml:1: navPlace: a point needs"},
        {"colour: red\n", "{}", "manifest.yml:1: unknown key 'colour'"},
        {"- a\n- b\n", "{}", "manifest.yml:1: expected a mapping"},
        {"label: x\nlabel2: y\nsummary: ~\n", "{\"label\":{\"none\":[\"x\"]}}", "manifest.yml:2: unknown key 'label2'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_sidecar s;
        char *got = props_of(cases[i].yaml, &s);
        T_STREQ(got, cases[i].props, cases[i].yaml);
        const char *p = first_problem(&s);
        if (cases[i].problem == NULL)
            T_CHECK(p == NULL, "%s: no problem expected, got '%s'", cases[i].yaml, p);
        else
            T_CHECK(p != NULL && strncmp(p, cases[i].problem, strlen(cases[i].problem)) == 0,
                    "%s: problem '%s', want '%s...'", cases[i].yaml, p ? p : "(none)", cases[i].problem);
        free(got);
        ts_sidecar_release(&s);
    }

    /* canvases, structures, thumbnail and start */
    struct ts_sidecar s;
    const char *doc = "language: en\n"
                      "thumbnail: p002.tif\n"
                      "start: p003.tif\n"
                      "canvases:\n"
                      "  p001.tif: Front cover\n"
                      "  p002.tif: {label: Title page, summary: With a stamp}\n"
                      "  ../x.tif: Escape\n"
                      "structures:\n"
                      "  - label: Front matter\n"
                      "    items: [p001.tif, p002.tif]\n"
                      "  - label: Part 1\n"
                      "    items:\n"
                      "      - label: Chapter 1\n"
                      "        items: [p003.tif]\n"
                      "      - p004.tif\n"
                      "  - label: Empty\n"
                      "    items: []\n";
    free(props_of(doc, &s));
    char *c = json_dumps(s.canvases, JSON_COMPACT | JSON_PRESERVE_ORDER);
    T_STREQ(c, "{\"p001.tif\":{\"label\":{\"en\":[\"Front cover\"]}},\"p002.tif\":{\"label\":{\"en\":[\"Title page\"]},"
               "\"summary\":{\"en\":[\"With a stamp\"]}}}",
            "canvases");
    free(c);
    char *st = json_dumps(s.structures, JSON_COMPACT | JSON_PRESERVE_ORDER);
    T_STREQ(st, "[{\"label\":{\"en\":[\"Front matter\"]},\"items\":[\"p001.tif\",\"p002.tif\"]},{\"label\":{\"en\":"
                "[\"Part 1\"]},\"items\":[{\"label\":{\"en\":[\"Chapter 1\"]},\"items\":[\"p003.tif\"]},\"p004.tif\"]}]",
            "structures");
    free(st);
    T_STREQ(s.thumbnail, "p002.tif", "thumbnail");
    T_STREQ(s.start, "p003.tif", "start");
    T_CHECK(json_array_size(s.problems) == 2, "two problems (../x.tif, empty range), got %zu",
            json_array_size(s.problems));
    T_STREQ(json_string_value(json_array_get(s.problems, 0)),
            "manifest.yml:7: canvases: '../x.tif' is not a file name of this folder", "escape refused");
    ts_sidecar_release(&s);

    /* a later source overrides an earlier one key by key; `key: ~` removes */
    ts_sidecar_init(&s);
    struct ts_ynode *a = NULL, *b = NULL;
    char msg[100];
    const char *first = "label: From the CSV\nsummary: CSV summary\nnavDate: 1900\n";
    const char *second = "label: From the YAML\nnavDate: ~\n";
    ts_yaml_parse(first, strlen(first), &a, msg, sizeof(msg));
    ts_yaml_parse(second, strlen(second), &b, msg, sizeof(msg));
    ts_sidecar_read(&s, a, "metadata.csv");
    ts_sidecar_read(&s, b, "manifest.yml");
    char *m = json_dumps(s.props, JSON_COMPACT | JSON_PRESERVE_ORDER);
    T_STREQ(m, "{\"label\":{\"none\":[\"From the YAML\"]},\"summary\":{\"none\":[\"CSV summary\"]}}", "merge");
    free(m);
    ts_yaml_free(a);
    ts_yaml_free(b);
    ts_sidecar_release(&s);

    return t_done();
}
