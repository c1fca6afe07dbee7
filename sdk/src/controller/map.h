/* Internal to the controller runtime: a string-keyed hash map with chaining.
 * Keys are copied into the map (so callers never juggle key lifetimes);
 * values are the caller's. Not thread-safe: the runtime is loop-thread only.
 * The skc_ prefix keeps these out of the way of plugins that link the SDK
 * statically and have maps of their own. */
#ifndef SKC_MAP_H
#define SKC_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct skc_map_ent {
    struct skc_map_ent *next;
    uint64_t hash;
    void *value;
    char key[]; /* NUL-terminated copy */
} skc_map_ent;

typedef struct skc_map {
    skc_map_ent **b;
    size_t nb, len;
} skc_map;

void skc_map_init(skc_map *m);
/* Frees the table and key copies, never the values. */
void skc_map_free(skc_map *m);
void *skc_map_get(const skc_map *m, const char *key);
/* Inserts or replaces; *old (may be NULL) receives the replaced value.
 * 0 or -ENOMEM. */
int skc_map_put(skc_map *m, const char *key, void *value, void **old);
/* Removes key; returns its value or NULL. */
void *skc_map_del(skc_map *m, const char *key);
/* Iteration, safe against deleting the entry just returned:
 *   skc_map_iter it = {0}; while (skc_map_next(m, &it, &k, &v)) ... */
typedef struct skc_map_iter {
    size_t bucket;
    skc_map_ent *next;
    int started;
} skc_map_iter;
int skc_map_next(const skc_map *m, skc_map_iter *it, const char **key, void **value);

#endif
