/*
 * test_csv.c: metadata.csv rows to sidecar properties.
 */
#include <stdlib.h>

#include "core/buf.h"
#include "present/csv.h"
#include "present/sidecar.h"
#include "t.h"

/* The properties a row gives, as compact JSON. */
static char *row_props(const struct ts_csv *c, const char *path)
{
    const struct ts_csv_row *r = ts_csv_find(c, path);
    if (r == NULL)
        return strdup("(no row)");
    struct ts_sidecar s;
    ts_sidecar_init(&s);
    ts_sidecar_read(&s, r->tree, "metadata.csv");
    char *j = json_dumps(s.props, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    if (json_array_size(s.problems) > 0) {
        free(j);
        j = strdup(json_string_value(json_array_get(s.problems, 0)));
    }
    ts_sidecar_release(&s);
    return j;
}

/* The index behind ts_csv_find: many rows, duplicates (the first wins), spellings of one path. */
static void test_index(void)
{
    struct ts_buf b;
    ts_buf_init(&b, 1 << 24);
    ts_buf_adds(&b, "path,label\n");
    for (int i = 0; i < 20000; i++)
        ts_buf_addf(&b, "books/b%d/p%d.tif,Page %d\n", i / 100, i % 100, i);
    ts_buf_adds(&b, "books/b0/p0.tif,A second row for the first page\n./maps/,Maps\n.,The folder\n");
    struct ts_csv c;
    char msg[200] = "";
    T_CHECK(ts_csv_parse(b.data, b.len, &c, msg, sizeof(msg)) == 0, "a catalogue of 20003 rows: %s", msg);
    int found = 0;
    for (int i = 0; i < 20000; i++) {
        char path[64];
        snprintf(path, sizeof(path), "books/b%d/p%d.tif", i / 100, i % 100);
        const struct ts_csv_row *r = ts_csv_find(&c, path);
        found += r != NULL && r->line == i + 2;
    }
    T_CHECK(found == 20000, "every row found by its path, at its line: %d", found);
    const struct ts_csv_row *first = ts_csv_find(&c, "./books/b0/p0.tif");
    T_CHECK(first != NULL && first->line == 2, "of two rows for a path, the first");
    T_CHECK(ts_csv_find(&c, "maps") != NULL && ts_csv_find(&c, "maps/") != NULL && ts_csv_find(&c, "./maps") != NULL,
            "spellings of a folder's path");
    T_CHECK(ts_csv_find(&c, ".") != NULL && ts_csv_find(&c, ".")->line == 20004, "the folder's own row");
    T_CHECK(ts_csv_find(&c, "books/b0/p100.tif") == NULL && ts_csv_find(&c, "books") == NULL, "no row, no match");
    ts_csv_release(&c);
    ts_buf_release(&b);
    struct ts_csv empty;
    T_CHECK(ts_csv_parse("path\n", 5, &empty, msg, sizeof(msg)) == 0 && ts_csv_find(&empty, "x") == NULL,
            "a header alone");
    ts_csv_release(&empty);
}

int main(void)
{
    test_index();
    const char *csv = "\xEF\xBB\xBFpath,label,label@fr,Author,Date@en,lat,lon,behavior,navDate\r\n"
                      "books/diary,Diary,Journal,Jane,\"March, 1850\",,,paged,1850-03\r\n"
                      "maps/paris.tif,Paris,,,,48.85,2.35,,\r\n"
                      "\r\n"
                      "./notes/,\"A \"\"quoted\"\" label\nover two lines\",,,,,,,\n"
                      "short,Short row\n";
    struct ts_csv c;
    char msg[200] = "";
    T_CHECK(ts_csv_parse(csv, strlen(csv), &c, msg, sizeof(msg)) == 0, "parse: %s", msg);
    T_CHECK(c.n == 4, "4 rows, got %zu", c.n);
    char *j = row_props(&c, "books/diary");
    T_STREQ(j,
            "{\"label\":{\"none\":[\"Diary\"],\"fr\":[\"Journal\"]},\"metadata\":[{\"label\":{\"none\":[\"Author\"]},"
            "\"value\":{\"none\":[\"Jane\"]}},{\"label\":{\"none\":[\"Date\"]},\"value\":{\"en\":[\"March, 1850\"]}}],"
            "\"behavior\":[\"paged\"],\"navDate\":\"1850-03-01T00:00:00Z\"}",
            "a folder row");
    free(j);
    j = row_props(&c, "maps/paris.tif");
    T_STREQ(j,
            "{\"label\":{\"none\":[\"Paris\"]},\"navPlace\":{\"type\":\"FeatureCollection\",\"features\":[{\"type\":"
            "\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[2.35,48.85]}}]}}",
            "a file row with a point");
    free(j);
    j = row_props(&c, "notes");
    T_STREQ(j, "{\"label\":{\"none\":[\"A \\\"quoted\\\" label\\nover two lines\"]}}", "quotes and a line break");
    free(j);
    T_CHECK(ts_csv_find(&c, "notes/") != NULL && ts_csv_find(&c, "./notes") != NULL, "paths normalised");
    T_CHECK(ts_csv_find(&c, "short") != NULL && ts_csv_find(&c, "short")->line == 7, "row line numbers");
    T_CHECK(ts_csv_find(&c, "missing") == NULL, "no row for a missing path");
    ts_csv_release(&c);

    /* a row for the folder itself */
    const char *self = "path,label\n.,The collection\n";
    T_CHECK(ts_csv_parse(self, strlen(self), &c, msg, sizeof(msg)) == 0, "parse");
    T_CHECK(ts_csv_find(&c, ".") != NULL && ts_csv_find(&c, "") != NULL, "'.' is the folder");
    ts_csv_release(&c);

    static const struct {
        const char *in, *error;
    } bad[] = {
        {"", "line 1: the file is empty"},
        {"label,summary\nx,y\n", "line 1: no 'path' column"},
        {"path,label\na,\"unclosed\n", "line 2: a quoted field is never closed"},
        {"path,label\na,b,c\n", "line 2: 3 cells, but the header names 2 columns"},
        {"path,label\n,x\n", "line 2: the row has no path"},
        {"path,label\na,\"x\"y\n", "line 2: text after a closing quote"},
        {"path,label\na,x\"y\n", "line 2: a quote inside an unquoted field"},
        {"path,label\na,\xff\xfe\n", "line 2: not UTF-8"},
        {"path,label\na,\xed\xa0\x80\n", "line 2: not UTF-8"}, /* a UTF-16 surrogate */
        {"path,,label\n", "line 1: column 2 has an empty"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        msg[0] = '\0';
        int rc = ts_csv_parse(bad[i].in, strlen(bad[i].in), &c, msg, sizeof(msg));
        T_CHECK(rc == -1 && strncmp(msg, bad[i].error, strlen(bad[i].error)) == 0, "bad %zu: '%s', want '%s'", i, msg,
                bad[i].error);
        T_CHECK(c.n == 0 && c.rows == NULL, "bad %zu: nothing kept", i);
    }
    /* a wrong cell reaches the sidecar reader, which reports it with the row's line */
    const char *wrong = "path,rights\na,All rights reserved\n";
    T_CHECK(ts_csv_parse(wrong, strlen(wrong), &c, msg, sizeof(msg)) == 0, "parse");
    j = row_props(&c, "a");
    T_CHECK(strncmp(j, "metadata.csv:2: rights:", 23) == 0, "problem with line: %s", j);
    free(j);
    ts_csv_release(&c);
    return t_done();
}
