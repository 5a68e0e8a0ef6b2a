/*
 * csv.c: RFC 4180 rows to sidecar trees.
 */
#include "present/csv.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 256
#define MAX_ROWS 1000000

struct field {
    char *text;
    size_t len;
};

struct record {
    struct field f[MAX_COLUMNS];
    int n;
    int line;
};

static int fail(char *msg, size_t msg_len, int line, const char *fmt, ...)
{
    int n = snprintf(msg, msg_len, "line %d: ", line);
    if (n < 0 || (size_t)n >= msg_len)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, msg_len - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static bool utf8_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t k = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
        if (k == 9 || (size_t)(end - p) <= k || c == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4)
            return false;
        for (size_t i = 1; i <= k; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        if ((k == 2 && c == 0xE0 && p[1] < 0xA0) || (k == 3 && c == 0xF0 && p[1] < 0x90) ||
            (k == 2 && c == 0xED && p[1] >= 0xA0) || (k == 3 && c == 0xF4 && p[1] >= 0x90))
            return false;
        p += k + 1;
    }
    return true;
}

static void record_clear(struct record *r)
{
    for (int i = 0; i < r->n; i++)
        free(r->f[i].text);
    r->n = 0;
}

/*
 * Reads one record from *pos. Returns 1 with a record, 0 at the end, -1 on
 * an error. *line is the current line, advanced past the record.
 */
static int read_record(const char *t, size_t len, size_t *pos, int *line, struct record *r, char *msg, size_t msg_len)
{
    size_t i = *pos;
    if (i >= len)
        return 0;
    r->n = 0;
    r->line = *line;
    for (;;) {
        /* one field */
        if (r->n == MAX_COLUMNS)
            return fail(msg, msg_len, *line, "more than %d columns", MAX_COLUMNS);
        char *buf = malloc(len - i + 1);
        if (buf == NULL)
            return fail(msg, msg_len, *line, "out of memory");
        size_t n = 0;
        if (i < len && t[i] == '"') {
            int start = *line;
            i++;
            for (;;) {
                if (i >= len) {
                    free(buf);
                    return fail(msg, msg_len, start, "a quoted field is never closed");
                }
                if (t[i] == '"') {
                    if (i + 1 < len && t[i + 1] == '"') {
                        buf[n++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (t[i] == '\n')
                    (*line)++;
                buf[n++] = t[i++];
            }
            if (i < len && t[i] != ',' && t[i] != '\n' && t[i] != '\r') {
                free(buf);
                return fail(msg, msg_len, *line, "text after a closing quote (write a quote inside quotes as \"\")");
            }
        } else {
            while (i < len && t[i] != ',' && t[i] != '\n' && t[i] != '\r') {
                if (t[i] == '"') {
                    free(buf);
                    return fail(msg, msg_len, *line, "a quote inside an unquoted field");
                }
                buf[n++] = t[i++];
            }
        }
        buf[n] = '\0';
        if (!utf8_ok(buf, n)) {
            free(buf);
            return fail(msg, msg_len, *line, "not UTF-8 (save the file as UTF-8)");
        }
        r->f[r->n].text = buf;
        r->f[r->n].len = n;
        r->n++;
        if (i < len && t[i] == ',') {
            i++;
            continue;
        }
        /* end of record */
        if (i < len && t[i] == '\r')
            i++;
        if (i < len && t[i] == '\n')
            i++;
        (*line)++;
        break;
    }
    *pos = i;
    return 1;
}

/* ---- trees ---- */

static struct ts_ynode *node(enum ts_ynode_kind kind, int line)
{
    struct ts_ynode *n = calloc(1, sizeof(*n));
    if (n != NULL) {
        n->kind = kind;
        n->line = line;
    }
    return n;
}

static struct ts_ynode *scalar(const char *text, size_t len, int line, bool quoted)
{
    struct ts_ynode *n = node(TS_Y_SCALAR, line);
    if (n == NULL)
        return NULL;
    n->text = strndup(text, len);
    if (n->text == NULL) {
        free(n);
        return NULL;
    }
    n->len = len;
    n->quoted = quoted;
    return n;
}

static int push(struct ts_ynode *parent, struct ts_ynode *child)
{
    if (child == NULL)
        return -1;
    struct ts_ynode **items = realloc(parent->items, (parent->n_items + 1) * sizeof(*items));
    if (items == NULL) {
        ts_yaml_free(child);
        return -1;
    }
    parent->items = items;
    items[parent->n_items++] = child;
    parent->n = parent->kind == TS_Y_MAP ? parent->n_items / 2 : parent->n_items;
    return 0;
}

/* The value under `key` in `map`, created as an empty node of `kind` when missing. */
static struct ts_ynode *slot(struct ts_ynode *map, const char *key, enum ts_ynode_kind kind, int line)
{
    struct ts_ynode *v = (struct ts_ynode *)ts_yaml_get(map, key);
    if (v != NULL)
        return v;
    v = node(kind, line);
    if (v == NULL || push(map, scalar(key, strlen(key), line, true)) != 0 || push(map, v) != 0)
        return NULL;
    return v;
}

static const char *const known_keys[] = {"label",    "summary", "rights",           "navDate",   "requiredStatement",
                                         "homepage", "rendering", "seeAlso",        "behavior", "viewingDirection",
                                         "thumbnail", "start",  NULL};

static bool is_known(const char *k)
{
    for (const char *const *p = known_keys; *p != NULL; p++)
        if (strcmp(*p, k) == 0)
            return true;
    return false;
}

/* Keys whose text can carry a language: always language maps, {"none": ...} for a column without @lang. */
static bool is_text_key(const char *k)
{
    return strcmp(k, "label") == 0 || strcmp(k, "summary") == 0;
}

struct column {
    char name[128];
    char lang[36]; /* "" when the header has no @lang */
};

/* Puts cell `v` of column `c` into the row's tree. */
static int put_cell(struct ts_ynode *row, const struct column *c, const struct field *v, int line)
{
    if (strcmp(c->name, "lat") == 0 || strcmp(c->name, "lon") == 0) {
        struct ts_ynode *place = slot(row, "navPlace", TS_Y_MAP, line);
        return place == NULL ? -1 : push(place, scalar(c->name, strlen(c->name), line, true)) ||
                                        push(place, scalar(v->text, v->len, line, false));
    }
    if (strcmp(c->name, "behavior") == 0) {
        struct ts_ynode *seq = slot(row, "behavior", TS_Y_SEQ, line);
        if (seq == NULL)
            return -1;
        /* "paged, no-nav" or "paged no-nav" */
        const char *p = v->text;
        while (*p != '\0') {
            while (*p == ',' || *p == ' ')
                p++;
            size_t k = strcspn(p, ", ");
            if (k > 0 && push(seq, scalar(p, k, line, true)) != 0)
                return -1;
            p += k;
        }
        return 0;
    }
    bool known = is_known(c->name);
    if (known && !is_text_key(c->name)) {
        if (ts_yaml_get(row, c->name) != NULL)
            return 0; /* a second column of the same name: the first wins */
        return push(row, scalar(c->name, strlen(c->name), line, true)) || push(row, scalar(v->text, v->len, line, true));
    }
    /* a language map: label@fr under label, or a metadata value */
    struct ts_ynode *target;
    if (known) {
        target = slot(row, c->name, TS_Y_MAP, line);
    } else {
        struct ts_ynode *meta = slot(row, "metadata", TS_Y_MAP, line);
        if (meta == NULL)
            return -1;
        target = slot(meta, c->name, TS_Y_MAP, line);
    }
    if (target == NULL)
        return -1;
    const char *lang = c->lang[0] != '\0' ? c->lang : "none";
    if (ts_yaml_get(target, lang) != NULL)
        return 0; /* a second column for the same language: the first wins */
    return push(target, scalar(lang, strlen(lang), line, true)) || push(target, scalar(v->text, v->len, line, true));
}

void ts_csv_release(struct ts_csv *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->rows[i].path);
        ts_yaml_free(c->rows[i].tree);
    }
    free(c->rows);
    free(c->index);
    c->rows = NULL;
    c->index = NULL;
    c->n = 0;
    c->index_cap = 0;
}

static int build_index(struct ts_csv *c);

int ts_csv_parse(const char *text, size_t len, struct ts_csv *out, char *msg, size_t msg_len)
{
    memset(out, 0, sizeof(*out));
    size_t pos = 0;
    int line = 1;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    struct record *r = calloc(1, sizeof(*r));
    struct column *cols = calloc(MAX_COLUMNS, sizeof(*cols));
    int rc = -1, n_cols = 0, path_col = -1;
    if (r == NULL || cols == NULL) {
        fail(msg, msg_len, 1, "out of memory");
        goto out;
    }
    int got = read_record(text, len, &pos, &line, r, msg, msg_len);
    if (got <= 0) {
        if (got == 0)
            fail(msg, msg_len, 1, "the file is empty: the first row names the columns (path, label, ...)");
        goto out;
    }
    n_cols = r->n;
    for (int i = 0; i < n_cols; i++) {
        const char *h = r->f[i].text;
        while (*h == ' ')
            h++;
        const char *at = strrchr(h, '@');
        size_t nl = at != NULL ? (size_t)(at - h) : strlen(h);
        while (nl > 0 && h[nl - 1] == ' ')
            nl--;
        if (nl == 0 || nl >= sizeof(cols[i].name) || (at != NULL && strlen(at + 1) >= sizeof(cols[i].lang))) {
            fail(msg, msg_len, r->line, "column %d has an empty or overlong name", i + 1);
            goto out;
        }
        memcpy(cols[i].name, h, nl);
        if (at != NULL)
            snprintf(cols[i].lang, sizeof(cols[i].lang), "%s", at + 1);
        if (strcmp(cols[i].name, "path") == 0 && path_col < 0)
            path_col = i;
    }
    record_clear(r);
    if (path_col < 0) {
        fail(msg, msg_len, 1, "no 'path' column: it names the folder or file each row describes");
        goto out;
    }
    for (;;) {
        got = read_record(text, len, &pos, &line, r, msg, msg_len);
        if (got < 0)
            goto out;
        if (got == 0)
            break;
        if (r->n == 1 && r->f[0].len == 0) { /* a blank line */
            record_clear(r);
            continue;
        }
        if (r->n > n_cols) {
            fail(msg, msg_len, r->line, "%d cells, but the header names %d columns", r->n, n_cols);
            goto out;
        }
        if (path_col >= r->n || r->f[path_col].len == 0) {
            fail(msg, msg_len, r->line, "the row has no path");
            goto out;
        }
        if (out->n == MAX_ROWS) {
            fail(msg, msg_len, r->line, "more than %d rows", MAX_ROWS);
            goto out;
        }
        struct ts_csv_row *rows = realloc(out->rows, (out->n + 1) * sizeof(*rows));
        if (rows == NULL) {
            fail(msg, msg_len, r->line, "out of memory");
            goto out;
        }
        out->rows = rows;
        struct ts_csv_row *row = &rows[out->n];
        row->line = r->line;
        row->path = strdup(r->f[path_col].text);
        row->tree = node(TS_Y_MAP, r->line);
        out->n++;
        if (row->path == NULL || row->tree == NULL) {
            fail(msg, msg_len, r->line, "out of memory");
            goto out;
        }
        for (int i = 0; i < r->n; i++) {
            if (i == path_col || r->f[i].len == 0)
                continue;
            if (put_cell(row->tree, &cols[i], &r->f[i], r->line) != 0) {
                fail(msg, msg_len, r->line, "out of memory");
                goto out;
            }
        }
        record_clear(r);
    }
    if (build_index(out) != 0) {
        fail(msg, msg_len, line, "out of memory");
        goto out;
    }
    rc = 0;
out:
    if (r != NULL)
        record_clear(r);
    free(r);
    free(cols);
    if (rc != 0)
        ts_csv_release(out);
    return rc;
}

/* `p` without leading "./" and trailing "/"; "" for the folder itself. */
static void normalise(const char *p, const char **start, size_t *len)
{
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == '/')
        n--;
    if (n == 1 && p[0] == '.')
        n = 0;
    *start = p;
    *len = n;
}

static uint64_t path_hash(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Builds the index of rows by normalised path (the first row of each path wins). Returns 0, or -1. */
static int build_index(struct ts_csv *c)
{
    size_t cap = 16;
    while (cap < 2 * c->n)
        cap *= 2;
    c->index = calloc(cap, sizeof(*c->index));
    if (c->index == NULL)
        return -1;
    c->index_cap = cap;
    for (size_t i = 0; i < c->n; i++) {
        const char *p;
        size_t pn;
        normalise(c->rows[i].path, &p, &pn);
        size_t k = (size_t)(path_hash(p, pn) & (cap - 1));
        for (;;) {
            if (c->index[k] == 0) {
                c->index[k] = i + 1;
                break;
            }
            const char *q;
            size_t qn;
            normalise(c->rows[c->index[k] - 1].path, &q, &qn);
            if (qn == pn && memcmp(p, q, pn) == 0)
                break; /* a later row for the same path: the first stays */
            k = (k + 1) & (cap - 1);
        }
    }
    return 0;
}

const struct ts_csv_row *ts_csv_find(const struct ts_csv *c, const char *path)
{
    if (c->index == NULL || c->index_cap == 0)
        return NULL;
    const char *want;
    size_t wn;
    normalise(path, &want, &wn);
    size_t k = (size_t)(path_hash(want, wn) & (c->index_cap - 1));
    while (c->index[k] != 0) {
        const struct ts_csv_row *r = &c->rows[c->index[k] - 1];
        const char *p;
        size_t pn;
        normalise(r->path, &p, &pn);
        if (pn == wn && memcmp(p, want, wn) == 0)
            return r;
        k = (k + 1) & (c->index_cap - 1);
    }
    return NULL;
}
