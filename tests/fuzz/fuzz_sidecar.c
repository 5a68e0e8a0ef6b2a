/*
 * fuzz_sidecar.c: libFuzzer target for sidecars: YAML (present/yaml.h) and
 * metadata.csv (present/csv.h), both read into properties (sidecar.h).
 *
 * The first byte picks the reader. Invariants: a refusal carries a
 * one-line "line N: ..." message; every property the reader keeps has the
 * shape Presentation 3.0 wants (language maps of string arrays, arrays for
 * the list properties, strings for rights, navDate and viewingDirection,
 * a label/value pair for requiredStatement);
 * every problem is a "file:line: ..." string; and the whole result
 * serialises to JSON.
 */
#include "fuzz.h"

#include <string.h>

#include "present/csv.h"
#include "present/sidecar.h"

static void check_lang_map(const json_t *m)
{
    FUZZ_CHECK(json_is_object(m) && json_object_size(m) > 0);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)m, k, v)
    {
        FUZZ_CHECK(json_is_array(v) && json_array_size(v) > 0);
        size_t i;
        json_t *s;
        json_array_foreach(v, i, s)
        {
            FUZZ_CHECK(json_is_string(s));
        }
    }
}

static void check(struct ts_sidecar *s)
{
    const char *k;
    json_t *v;
    json_object_foreach(s->props, k, v)
    {
        if (strcmp(k, "label") == 0 || strcmp(k, "summary") == 0)
            check_lang_map(v);
        else if (strcmp(k, "rights") == 0 || strcmp(k, "navDate") == 0 || strcmp(k, "viewingDirection") == 0)
            FUZZ_CHECK(json_is_string(v));
        else if (strcmp(k, "navPlace") == 0)
            FUZZ_CHECK(json_is_object(v) && json_array_size(json_object_get(v, "features")) > 0);
        else if (strcmp(k, "requiredStatement") == 0) {
            /* one label/value pair, as Presentation 3.0 has it */
            FUZZ_CHECK(json_is_object(v));
            check_lang_map(json_object_get(v, "label"));
            check_lang_map(json_object_get(v, "value"));
        } else
            FUZZ_CHECK(json_is_array(v) && json_array_size(v) > 0);
        if (strcmp(k, "metadata") == 0) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                check_lang_map(json_object_get(e, "label"));
                check_lang_map(json_object_get(e, "value"));
            }
        }
    }
    size_t i;
    json_t *p;
    json_array_foreach(s->problems, i, p)
    {
        FUZZ_CHECK(json_is_string(p) && json_string_length(p) > 0);
    }
    char *all = json_dumps(s->props, 0);
    FUZZ_CHECK(all != NULL);
    free(all);
    if (s->structures != NULL) {
        all = json_dumps(s->structures, 0);
        FUZZ_CHECK(all != NULL);
        free(all);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    char msg[200];
    struct ts_sidecar s;
    ts_sidecar_init(&s);
    if (data[0] & 1) {
        struct ts_csv c;
        if (ts_csv_parse(text, n, &c, msg, sizeof(msg)) != 0) {
            FUZZ_CHECK(strncmp(msg, "line ", 5) == 0 && fuzz_msg_ok(msg));
        } else {
            for (size_t i = 0; i < c.n; i++) {
                FUZZ_CHECK(c.rows[i].path[0] != '\0' && c.rows[i].tree->kind == TS_Y_MAP);
                ts_sidecar_read(&s, c.rows[i].tree, "metadata.csv");
            }
            ts_csv_release(&c);
        }
    } else {
        struct ts_ynode *root = NULL;
        if (ts_yaml_parse(text, n, &root, msg, sizeof(msg)) != 0) {
            FUZZ_CHECK(root == NULL && strncmp(msg, "line ", 5) == 0);
        } else {
            ts_sidecar_read(&s, root, "manifest.yml");
            ts_yaml_free(root);
        }
    }
    check(&s);
    ts_sidecar_release(&s);
    return 0;
}
