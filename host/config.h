/* The YAML config tree: every node keeps its file:line:column. Built once by
 * the host, then read-only (sk_cfg_api in skiff/config.h). */
#ifndef SKIFF_HOST_CONFIG_TREE_H
#define SKIFF_HOST_CONFIG_TREE_H

#include <stddef.h>

#include "skiff/config.h"

/* Parse YAML text or a file into a tree. Errors (bad YAML, anchors/aliases,
 * duplicate keys, tags, more than one document) come back in err as
 * "file:line:column: message". 0 or SK_ECONFIG / -errno. */
int sk_cfg_parse_file(const char *path, sk_cfg **out, char *err, size_t errlen);
int sk_cfg_parse_string(const char *name, const char *text, size_t len, sk_cfg **out,
                        char *err, size_t errlen);
void sk_cfg_free(sk_cfg **root);

/* Apply a command-line override "a.b.c=value" (value parsed as a YAML scalar
 * or flow collection; creates missing maps; list items by index). */
int sk_cfg_set(sk_cfg *root, const char *assignment, char *err, size_t errlen);

/* Checks a plugin's config subtree against its declared options: unknown
 * keys and type errors fail with position and the plugin's name. */
int sk_cfg_check_options(const sk_cfg *node, const sk_option *opts, const char *plugin,
                         char *err, size_t errlen);

/* "file:line:column" of the i-th key of a map, so schema checks can point at
 * an unknown key rather than at its value; "<unknown>" when map is not a map
 * or i is out of range. Owned by the tree. */
const char *sk_cfg_key_where(const sk_cfg *map, size_t i);

/* An empty map node (static), for plugins without `config:`. */
const sk_cfg *sk_cfg_empty_map(void);

extern const sk_cfg_api sk_cfg_api_impl;

#endif
