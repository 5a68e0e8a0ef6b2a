/*
 * test_yaml.c: YAML to tree, and the errors a hand-written sidecar gets.
 */
#include <stdlib.h>

#include "core/buf.h"
#include "present/yaml.h"
#include "t.h"

/* A compact dump: maps {k:v,...}, sequences [a,b], scalars as text ("..." when quoted), @line on request. */
static void dump(struct ts_buf *b, const struct ts_ynode *n)
{
    if (n == NULL) {
        ts_buf_adds(b, "(none)");
        return;
    }
    switch (n->kind) {
    case TS_Y_SCALAR:
        ts_buf_addf(b, n->quoted ? "\"%s\"" : "%s", n->text);
        break;
    case TS_Y_SEQ:
        ts_buf_adds(b, "[");
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                ts_buf_adds(b, ",");
            dump(b, n->items[i]);
        }
        ts_buf_adds(b, "]");
        break;
    case TS_Y_MAP:
        ts_buf_adds(b, "{");
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                ts_buf_adds(b, ",");
            dump(b, n->items[2 * i]);
            ts_buf_adds(b, ":");
            dump(b, n->items[2 * i + 1]);
        }
        ts_buf_adds(b, "}");
        break;
    }
}

int main(void)
{
    static const struct {
        const char *in;
        const char *want; /* the dump, or the start of the error message */
        int ok;
    } cases[] = {
        {"", "(none)", 1},
        {"# only a comment\n", "(none)", 1},
        {"label: A diary\n", "{label:A diary}", 1},
        {"label: 'quoted'\nn: 12\n", "{label:\"quoted\",n:12}", 1},
        {"metadata:\n  - label: Author\n    value: Jane\n  - {label: Date, value: 1850}\n",
         "{metadata:[{label:Author,value:Jane},{label:Date,value:1850}]}", 1},
        {"b: 1\na: 2\nc: 3\n", "{b:1,a:2,c:3}", 1}, /* file order kept */
        {"label:\n  en: [Diary]\n  fr: [Journal]\n", "{label:{en:[Diary],fr:[Journal]}}", 1},
        {"summary: |\n  two\n  lines\n", "{summary:\"two\nlines\n\"}", 1},
        {"x: ~\ny:\n", "{x:~,y:}", 1},
        {"- a\n- b\n", "[a,b]", 1},
        {"title: \"caf\\u00e9\"\n", "{title:\"caf\xc3\xa9\"}", 1},
        /* errors, with the line */
        {"a: 1\nb: [unclosed\n", "line 3:", 0},
        {"a: &x 1\nb: *x\n", "line 1: anchors", 0},
        {"a: *x\n", "line 1: aliases", 0},
        {"a: 1\na: 2\n", "line 2: 'a' appears twice", 0},
        {"? [a, b]\n: c\n", "line 1: a mapping key must be a plain value", 0},
        {"a: 1\n---\nb: 2\n", "line 2: only one document", 0},
        {"a:\tb\n\tc: d\n", "line", 0},
        {"label: \"\xff\xfe\"\n", "line", 0}, /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ts_ynode *root = NULL;
        char msg[200] = "";
        int rc = ts_yaml_parse(cases[i].in, strlen(cases[i].in), &root, msg, sizeof(msg));
        if (cases[i].ok) {
            struct ts_buf b;
            ts_buf_init(&b, 4096);
            dump(&b, root);
            T_CHECK(rc == 0, "case %zu parses: %s", i, msg);
            T_STREQ(b.data ? b.data : "", cases[i].want, cases[i].in);
            ts_buf_release(&b);
        } else {
            T_CHECK(rc == -1 && root == NULL && strncmp(msg, cases[i].want, strlen(cases[i].want)) == 0,
                    "case %zu: got rc %d '%s', want an error starting '%s'", i, rc, msg, cases[i].want);
        }
        ts_yaml_free(root);
    }
    /* line numbers of nodes */
    struct ts_ynode *root = NULL;
    char msg[200];
    const char *doc = "label: x\n\ncanvases:\n  p1.tif: Cover\n  p2.tif:\n    label: Back\n";
    T_CHECK(ts_yaml_parse(doc, strlen(doc), &root, msg, sizeof(msg)) == 0, "parse");
    const struct ts_ynode *c = ts_yaml_get(root, "canvases");
    T_CHECK(c != NULL && c->kind == TS_Y_MAP && c->n == 2, "canvases mapping");
    T_CHECK(c != NULL && ts_yaml_get(c, "p2.tif") != NULL && ts_yaml_get(c, "p2.tif")->line == 6, "p2.tif value on line 6");
    T_CHECK(ts_yaml_get(root, "missing") == NULL, "missing key");
    T_CHECK(ts_yaml_is_null(NULL) && !ts_yaml_is_null(ts_yaml_get(root, "label")), "null checks");
    ts_yaml_free(root);
    /* a billion-laughs attempt stops at the first anchor; deep nesting at 32 levels */
    const char *bomb = "a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a]\nc: [*b,*b]\n";
    T_CHECK(ts_yaml_parse(bomb, strlen(bomb), &root, msg, sizeof(msg)) == -1, "bomb refused");
    char deep[200];
    memset(deep, '[', 40);
    memset(deep + 40, ']', 40);
    deep[80] = '\0';
    T_CHECK(ts_yaml_parse(deep, 80, &root, msg, sizeof(msg)) == -1 && strstr(msg, "32 levels") != NULL,
            "deep nesting refused: %s", msg);
    memset(deep, '[', 30);
    memset(deep + 30, ']', 30);
    T_CHECK(ts_yaml_parse(deep, 60, &root, msg, sizeof(msg)) == 0, "30 levels are fine: %s", msg);
    ts_yaml_free(root);
    return t_done();
}
