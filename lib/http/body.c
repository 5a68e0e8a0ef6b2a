/*
 * body.c: JSON request bodies.
 */
#include "http/body.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* `s` (`n` bytes) without blanks at either end. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static bool is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

int ts_body_json_type(const char *type, size_t n, struct ts_error *err)
{
    if (type == NULL || n == 0)
        return ts_error_set(err, 415, "the body has no Content-Type; send it as application/json or "
                                      "application/ld+json");
    const char *semi = memchr(type, ';', n);
    const char *m = type;
    size_t mn = semi != NULL ? (size_t)(semi - type) : n;
    trim(&m, &mn);
    bool json = is(m, mn, "application/json") || is(m, mn, "application/ld+json") ||
                (mn > 5 && strncasecmp(m + mn - 5, "+json", 5) == 0 && memchr(m, '/', mn) != NULL);
    if (!json) {
        ts_error_set(err, 415, "the body is %.*s; send it as application/json or application/ld+json",
                     (int)(mn > 100 ? 100 : mn), m);
        return ts_error_scrub(err);
    }
    /* parameters: only a charset can make JSON unreadable here */
    const char *p = semi;
    while (p != NULL) {
        const char *q = p + 1, *next = memchr(q, ';', (size_t)(type + n - q));
        size_t qn = (size_t)((next != NULL ? next : type + n) - q);
        trim(&q, &qn);
        if (qn > 8 && strncasecmp(q, "charset=", 8) == 0) {
            const char *v = q + 8;
            size_t vn = qn - 8;
            if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
                v++;
                vn -= 2;
            }
            if (!is(v, vn, "utf-8") && !is(v, vn, "utf8")) {
                ts_error_set(err, 415, "the body is in charset %.*s; JSON is read as UTF-8", (int)(vn > 40 ? 40 : vn),
                             v);
                return ts_error_scrub(err);
            }
        }
        p = next;
    }
    return 0;
}

int ts_body_json(const char *type, size_t type_len, const char *body, size_t len, json_t **out, struct ts_error *err)
{
    *out = NULL;
    if (ts_body_json_type(type, type_len, err) != 0)
        return -1;
    if (len == 0)
        return ts_error_set(err, 400, "the request has an empty body; send a JSON object");
    json_error_t je;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        ts_error_set(err, 400, "the body is not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
        return ts_error_scrub(err);
    }
    if (!json_is_object(j)) {
        json_decref(j);
        return ts_error_set(err, 400, "the body is JSON but not an object; send a JSON object");
    }
    *out = j;
    return 0;
}
