/*
 * yaml.c: libyaml events folded into a tree.
 */
#include "present/yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 32
#define MAX_NODES 100000
#define MAX_KEYS 20000 /* per mapping: duplicate keys are looked for in linear time */

struct builder {
    struct ts_ynode *stack[MAX_DEPTH + 1];
    int depth;
    size_t nodes;
    struct ts_ynode *root;
    char *msg;
    size_t msg_len;
};

static int fail(struct builder *b, size_t line, const char *fmt, ...)
{
    int n = snprintf(b->msg, b->msg_len, "line %zu: ", line + 1);
    if (n < 0 || (size_t)n >= b->msg_len)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->msg + n, b->msg_len - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

void ts_yaml_free(struct ts_ynode *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n_items; i++)
        ts_yaml_free(n->items[i]);
    free(n->items);
    free(n->text);
    free(n);
}

/* Adds `child` to the node being built (or makes it the root). */
static int attach(struct builder *b, struct ts_ynode *child, size_t line)
{
    if (b->depth == 0) {
        b->root = child;
        return 0;
    }
    struct ts_ynode *p = b->stack[b->depth - 1];
    bool is_key = p->kind == TS_Y_MAP && p->n_items % 2 == 0;
    if (is_key && child->kind != TS_Y_SCALAR) {
        ts_yaml_free(child);
        return fail(b, line, "a mapping key must be a plain value");
    }
    if (is_key && p->n >= MAX_KEYS) {
        ts_yaml_free(child);
        return fail(b, line, "a mapping with more than %d keys", MAX_KEYS);
    }
    if (is_key && ts_yaml_get(p, child->text) != NULL) {
        int rc = fail(b, line, "'%s' appears twice", child->text);
        ts_yaml_free(child);
        return rc;
    }
    struct ts_ynode **items = realloc(p->items, (p->n_items + 1) * sizeof(*items));
    if (items == NULL) {
        ts_yaml_free(child);
        return fail(b, line, "out of memory");
    }
    p->items = items;
    items[p->n_items++] = child;
    p->n = p->kind == TS_Y_MAP ? p->n_items / 2 : p->n_items;
    return 0;
}

static struct ts_ynode *new_node(struct builder *b, enum ts_ynode_kind kind, size_t line)
{
    if (++b->nodes > MAX_NODES) {
        fail(b, line, "more than %d values", MAX_NODES);
        return NULL;
    }
    struct ts_ynode *n = calloc(1, sizeof(*n));
    if (n == NULL) {
        fail(b, line, "out of memory");
        return NULL;
    }
    n->kind = kind;
    n->line = (int)line + 1;
    return n;
}

static int on_event(struct builder *b, const yaml_event_t *e)
{
    size_t line = e->start_mark.line;
    switch (e->type) {
    case YAML_ALIAS_EVENT:
        return fail(b, line, "aliases (*name) are not supported");
    case YAML_SCALAR_EVENT: {
        if (e->data.scalar.anchor != NULL)
            return fail(b, line, "anchors (&name) are not supported");
        struct ts_ynode *n = new_node(b, TS_Y_SCALAR, line);
        if (n == NULL)
            return -1;
        n->len = e->data.scalar.length;
        n->text = malloc(n->len + 1);
        if (n->text == NULL) {
            free(n);
            return fail(b, line, "out of memory");
        }
        memcpy(n->text, e->data.scalar.value, n->len);
        n->text[n->len] = '\0';
        n->quoted = e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        return attach(b, n, line);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool seq = e->type == YAML_SEQUENCE_START_EVENT;
        if ((seq ? e->data.sequence_start.anchor : e->data.mapping_start.anchor) != NULL)
            return fail(b, line, "anchors (&name) are not supported");
        if (b->depth >= MAX_DEPTH)
            return fail(b, line, "nested more than %d levels deep", MAX_DEPTH);
        struct ts_ynode *n = new_node(b, seq ? TS_Y_SEQ : TS_Y_MAP, line);
        if (n == NULL)
            return -1;
        if (attach(b, n, line) != 0)
            return -1;
        b->stack[b->depth++] = n;
        return 0;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (b->depth > 0)
            b->depth--;
        return 0;
    case YAML_DOCUMENT_START_EVENT:
        if (b->root != NULL)
            return fail(b, line, "only one document is allowed");
        return 0;
    default:
        return 0;
    }
}

int ts_yaml_parse(const char *text, size_t len, struct ts_ynode **out, char *msg, size_t msg_len)
{
    *out = NULL;
    struct builder b;
    memset(&b, 0, sizeof(b));
    b.msg = msg;
    b.msg_len = msg_len;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return fail(&b, 0, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    int rc = 0;
    bool done = false;
    /* the root stays reachable through b.root even while it is being built */
    while (!done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            size_t line = p.problem_mark.line;
            if (p.context != NULL)
                fail(&b, line, "%s, %s", p.problem ? p.problem : "invalid YAML", p.context);
            else
                fail(&b, line, "%s", p.problem ? p.problem : "invalid YAML");
            rc = -1;
            break;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        rc = on_event(&b, &e);
        yaml_event_delete(&e);
        if (rc != 0)
            break;
    }
    yaml_parser_delete(&p);
    if (rc != 0) {
        ts_yaml_free(b.root);
        return -1;
    }
    *out = b.root;
    return 0;
}

const struct ts_ynode *ts_yaml_get(const struct ts_ynode *map, const char *key)
{
    if (map == NULL || map->kind != TS_Y_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        const struct ts_ynode *k = map->items[2 * i];
        if (k->kind == TS_Y_SCALAR && strcmp(k->text, key) == 0)
            return map->items[2 * i + 1];
    }
    return NULL;
}

bool ts_yaml_is_null(const struct ts_ynode *n)
{
    if (n == NULL)
        return true;
    if (n->kind != TS_Y_SCALAR || n->quoted)
        return false;
    return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 || strcmp(n->text, "Null") == 0 ||
           strcmp(n->text, "NULL") == 0;
}
