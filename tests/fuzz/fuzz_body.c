/*
 * fuzz_body.c: libFuzzer target for JSON request bodies (http/body.h).
 *
 * Input layout: a Content-Type value up to the first NUL, then the body.
 *
 * Invariants: a body is taken as one JSON object (a new reference, freed
 * here), or refused with 400 or 415 and a one-line message; a refused type
 * is refused whatever the body; a taken object dumps and reads back equal.
 */
#include "fuzz.h"

#include "http/body.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *type = (const char *)data;
    size_t tn = strnlen(type, size);
    const char *body = tn < size ? type + tn + 1 : "";
    size_t bn = tn < size ? size - tn - 1 : 0;
    struct ts_error err = {0};
    json_t *j = NULL;
    int rc = ts_body_json(type, tn, body, bn, &j, &err);
    struct ts_error terr = {0};
    int trc = ts_body_json_type(type, tn, &terr);
    if (rc != 0) {
        FUZZ_CHECK(j == NULL && (err.status == 400 || err.status == 415));
        FUZZ_CHECK(fuzz_msg_ok(err.msg));
        FUZZ_CHECK((err.status == 415) == (trc != 0));
        return 0;
    }
    FUZZ_CHECK(trc == 0 && json_is_object(j));
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    FUZZ_CHECK(text != NULL);
    json_t *back = json_loads(text, 0, NULL);
    FUZZ_CHECK(back != NULL && json_equal(back, j));
    json_decref(back);
    free(text);
    json_decref(j);
    return 0;
}
