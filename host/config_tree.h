/* Private to host/config_*.c: the layout of a config tree node and the
 * helpers those files share. The rest of the host and the plugins only see
 * the opaque sk_cfg of host/config.h and skiff/config.h.
 *
 * Every node, string and array of one tree lives in one arena owned by the
 * root: building fails cleanly by dropping the arena, sk_cfg_free() is a walk
 * over a few blocks, and nodes replaced by sk_cfg_set() simply stay until the
 * tree is freed (a handful per command line). After the host is done
 * building, the tree is never written again, so plugins on other threads
 * read it without locks. */
#ifndef SKIFF_HOST_CONFIG_TREE_PRIVATE_H /* host/config.h took ..._TREE_H */
#define SKIFF_HOST_CONFIG_TREE_PRIVATE_H

#include <stddef.h>

#include "config.h"

/* Nesting limit of a file; a --set path and its value share it, so an
 * override can never build a tree a file could not. */
#define CFG_MAX_DEPTH 64

typedef struct cfg_block {
    struct cfg_block *next;
    size_t used;
    size_t cap;
    max_align_t mem[];
} cfg_block;

struct sk_cfg {
    sk_cfg_type type;
    size_t n;          /* entries of a map or list */
    const char *where; /* "file:line:column" or "--set path" */
    const char *text;  /* scalar text, without NUL bytes; NULL otherwise */
    sk_cfg **keys;     /* map: n scalar key nodes, in file order */
    sk_cfg **items;    /* map values or list items */
    cfg_block *arena;  /* root only: owns every node of the tree */
};

/* config_node.c: error text and the arena. Arena allocations are never freed
 * one by one; NULL means out of memory. */
__attribute__((format(printf, 3, 4))) void cfg_put_err(char *err, size_t errlen,
                                                       const char *fmt, ...);
void *cfg_arena_alloc(cfg_block **head, size_t n);
void cfg_arena_free(cfg_block *b);
char *cfg_arena_strndup(cfg_block **head, const char *s, size_t len);
__attribute__((format(printf, 2, 3))) char *cfg_arena_printf(cfg_block **head,
                                                             const char *fmt, ...);

/* config_read.c: one path segment, shared by get() and sk_cfg_set() so both
 * agree on what a key or a list index is. cfg_find_key returns SIZE_MAX when
 * the map has no such key; cfg_parse_index -1 for anything but digits. */
size_t cfg_find_key(const sk_cfg *map, const char *k, size_t klen);
int cfg_parse_index(const char *s, size_t len, size_t *out);

/* config_parse.c: the value of a --set assignment, parsed into root's arena
 * with `where` as the position of every node and at most max_depth levels.
 * An empty value gives a null node. */
int cfg_parse_value(sk_cfg *root, const char *where, const char *text, size_t max_depth,
                    sk_cfg **out, char *err, size_t errlen);

#endif
