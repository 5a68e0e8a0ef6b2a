/*
 * framing.c: one framing per request body.
 */
#include "http/framing.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Whether the header line `line` (`n` bytes) is named `name`: the name, optional blanks, a colon. */
static bool named(const char *line, size_t n, const char *name)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(line, name, k) != 0)
        return false;
    size_t i = k;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < n && line[i] == ':';
}

int ts_framing_check(const char *head, size_t n, struct ts_error *err)
{
    int lengths = 0, codings = 0;
    const char *p = head, *end = head + n;
    bool first = true;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl != NULL ? nl : end) - p);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (first) {
            first = false; /* the request line */
        } else if (len == 0) {
            break; /* the end of the head */
        } else if (p[0] == ' ' || p[0] == '\t') {
            return ts_error_set(err, 400, "a header line of a request with a body is folded onto the next (obs-fold)");
        } else if (named(p, len, "content-length")) {
            lengths++;
        } else if (named(p, len, "transfer-encoding")) {
            codings++;
        }
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    if (lengths > 0 && codings > 0)
        return ts_error_set(err, 400, "the request frames its body twice (Content-Length and Transfer-Encoding)");
    if (lengths > 1)
        return ts_error_set(err, 400, "the request has %d Content-Length headers; send one", lengths);
    if (codings > 1)
        return ts_error_set(err, 400, "the request has %d Transfer-Encoding headers; send one", codings);
    return 0;
}
