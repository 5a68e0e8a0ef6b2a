/*
 * yaml.h: a YAML document as a small tree, with line numbers for messages.
 *
 * Sidecar files are short, hand-written YAML. libyaml parses them; this
 * module keeps the parts tessera uses: mappings (in file order), sequences
 * and scalars (their text, and whether they were quoted). Anchors and
 * aliases are refused (they are how "billion laughs" bombs are built), as
 * are duplicate keys, documents deeper than 32 levels or with more than
 * 100,000 nodes, and mappings of more than 20,000 keys.
 */
#ifndef TS_PRESENT_YAML_H
#define TS_PRESENT_YAML_H

#include <stdbool.h>
#include <stddef.h>

enum ts_ynode_kind { TS_Y_SCALAR, TS_Y_SEQ, TS_Y_MAP };

struct ts_ynode {
    enum ts_ynode_kind kind;
    int line;                   /* 1-based line where the node starts */
    char *text;                 /* scalars: the value (NUL-terminated, may hold no NUL) */
    size_t len;
    bool quoted;                /* scalars written in quotes or as blocks: always strings */
    size_t n;                   /* sequences: items; mappings: key/value pairs */
    struct ts_ynode **items;    /* sequences: n items; mappings: 2n nodes, key then value */
    size_t n_items;             /* nodes in `items` (2n + 1 while a mapping's value is pending) */
};

/**
 * Parses `len` bytes of YAML (one document). Returns 0 with `*out` the root
 * (NULL for an empty document), or -1 with "line N: what" in `msg`. Pure.
 */
int ts_yaml_parse(const char *text, size_t len, struct ts_ynode **out, char *msg, size_t msg_len);

void ts_yaml_free(struct ts_ynode *n);

/** The value for scalar key `key` in mapping `map`, or NULL. */
const struct ts_ynode *ts_yaml_get(const struct ts_ynode *map, const char *key);

/** Whether `n` is a plain scalar YAML reads as null (`~`, `null`, empty). */
bool ts_yaml_is_null(const struct ts_ynode *n);

#endif
