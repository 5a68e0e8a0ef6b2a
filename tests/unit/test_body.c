/*
 * test_body.c: JSON request bodies (http/body.h).
 */
#include "http/body.h"
#include "t.h"

int main(void)
{
    static const struct {
        const char *type;
        int status; /* 0: JSON */
    } types[] = {
        {"application/json", 0},
        {"application/ld+json", 0},
        {"Application/JSON", 0},
        {"application/ld+json; profile=\"http://www.w3.org/ns/anno.jsonld\"", 0},
        {"application/json;charset=utf-8", 0},
        {"application/json; charset=\"UTF-8\"", 0},
        {"application/activity+json", 0},
        {" application/json ", 0},
        {"application/json; charset=latin1", 415},
        {"text/plain", 415},
        {"application/x-www-form-urlencoded", 415},
        {"application/jsonx", 415},
        {"+json", 415},
        {"", 415},
        {NULL, 415},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct ts_error err = {0};
        const char *t = types[i].type;
        int rc = ts_body_json_type(t, t != NULL ? strlen(t) : 0, &err);
        T_CHECK(types[i].status == 0 ? rc == 0 : rc == -1 && err.status == types[i].status, "type '%s': rc %d %d %s",
                t ? t : "(none)", rc, err.status, err.msg);
    }

    static const struct {
        const char *body;
        size_t len; /* 0: strlen */
        int status; /* 0: an object */
        const char *why;
    } bodies[] = {
        {"{\"type\": \"Annotation\"}", 0, 0, NULL},
        {" {\"a\": [1, 2, {\"b\": null}]}\n", 0, 0, NULL},
        {"{}", 0, 0, NULL},
        {"", 0, 400, "empty"},
        {"[1, 2]", 0, 400, "not an object"},
        {"\"text\"", 0, 400, "not JSON"}, /* a bare string is not a document jansson reads without DECODE_ANY */
        {"{\"a\": 1", 0, 400, "not JSON"},
        {"{\"a\": 1} {\"b\": 2}", 0, 400, "not JSON"},
        {"{\"a\": 1, \"a\": 2}", 0, 400, "not JSON"},  /* duplicate keys */
        {"{\"a\": \"\\u0000\"}", 0, 400, "not JSON"},  /* NUL in a string */
        {"{\"a\": \"\xff\"}", 0, 400, "not JSON"},     /* not UTF-8 */
        {"{\"a\": 1}\0trailing", 17, 400, "not JSON"},
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        struct ts_error err = {0};
        json_t *j = (json_t *)1;
        size_t len = bodies[i].len ? bodies[i].len : strlen(bodies[i].body);
        int rc = ts_body_json("application/json", 16, bodies[i].body, len, &j, &err);
        if (bodies[i].status == 0) {
            T_CHECK(rc == 0 && json_is_object(j), "body %zu: refused (%s)", i, err.msg);
        } else {
            T_CHECK(rc == -1 && j == NULL && err.status == bodies[i].status, "body %zu: rc %d status %d", i, rc,
                    err.status);
            T_CHECK(strstr(err.msg, bodies[i].why) != NULL, "body %zu: '%s' lacks '%s'", i, err.msg, bodies[i].why);
        }
        json_decref(rc == 0 ? j : NULL);
    }
    /* the type is checked before the text */
    struct ts_error err;
    json_t *j;
    T_CHECK(ts_body_json("text/plain", 10, "{}", 2, &j, &err) == -1 && err.status == 415, "415 first");
    /* deep nesting is refused (jansson stops at 2048 levels), not a stack overflow */
    static char deep[40016];
    size_t at = 0;
    memcpy(deep, "{\"a\":", 5);
    at = 5;
    for (int i = 0; i < 20000; i++)
        deep[at++] = '[';
    for (int i = 0; i < 20000; i++)
        deep[at++] = ']';
    deep[at++] = '}';
    T_CHECK(ts_body_json("application/json", 16, deep, at, &j, &err) == -1 && err.status == 400, "deep nesting");
    /* and shallow nesting of the same shape is read */
    T_CHECK(ts_body_json("application/json", 16, "{\"a\":[[[]]]}", 12, &j, &err) == 0, "shallow nesting: %s", err.msg);
    json_decref(j);
    return t_done();
}
