/*
 * vipserr.c: libvips error messages made fit for clients.
 */
#include "image/vipserr.h"

#include <stdio.h>
#include <string.h>
#include <vips/vips.h>

int ts_vips_error(struct ts_error *err, int status, const char *what, const char *path)
{
    char line[1024];
    snprintf(line, sizeof(line), "%s", vips_error_buffer());
    vips_error_clear();
    char *nl = strchr(line, '\n');
    if (nl != NULL)
        *nl = '\0';
    /* libvips quotes the file name: drop the quotes with it */
    for (int pass = 0; pass < 4 && path != NULL && *path != '\0'; pass++) {
        char *at = strstr(line, path);
        if (at == NULL)
            break;
        char *start = at, *end = at + strlen(path);
        if (start > line && start[-1] == '"' && *end == '"') {
            start--;
            end++;
        }
        char clean[sizeof(line)];
        snprintf(clean, sizeof(clean), "%.*s(source)%s", (int)(start - line), line, end);
        memcpy(line, clean, sizeof(line));
    }
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '.'))
        line[--n] = '\0';
    return ts_error_set(err, status, "%s: %s", what, line[0] ? line : "unknown libvips error");
}
