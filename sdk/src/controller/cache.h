/* Internal: the informer's store — objects by key plus secondary indexes.
 * Each object is an immutable msgpack copy; replacing one hands the old copy
 * back to the caller, who frees it after the handlers saw it. */
#ifndef SKC_CACHE_H
#define SKC_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "map.h"
#include "skiff/mp.h"

#define SKC_CACHE_MAX_INDEXES 16

typedef struct skc_obj {
    uint8_t *data;
    size_t len;
    char *rv; /* metadata.resourceVersion, "" if none */
    char key[];
} skc_obj;

typedef struct skc_index {
    char *name;
    char *path; /* NULL for the built-in owner index */
} skc_index;

typedef struct skc_cache {
    skc_map objs;    /* key -> skc_obj */
    skc_map buckets; /* "index\x1fvalue" -> skc_bucket */
    skc_index idx[SKC_CACHE_MAX_INDEXES];
    size_t nidx;
} skc_cache;

/* Registers the built-in indexes. 0 or -ENOMEM. */
int skc_cache_init(skc_cache *c);
void skc_cache_free(skc_cache *c);
int skc_cache_add_index(skc_cache *c, const char *name, const char *path);
void skc_obj_free(skc_obj *o);

/* Copies obj (a checked view) under key. *old gets the replaced object
 * (now out of the cache and its indexes; caller frees) or NULL.
 * 0, SK_EBADMSG or -ENOMEM (cache unchanged on error). */
int skc_cache_put(skc_cache *c, const char *key, sk_mp_view obj, skc_obj **out, skc_obj **old);
/* Removes key; returns the object (caller frees) or NULL. */
skc_obj *skc_cache_del(skc_cache *c, const char *key);
skc_obj *skc_cache_get(const skc_cache *c, const char *key);
/* Objects in index name with value; SK_ENOTFOUND for an unknown index. */
int skc_cache_index(const skc_cache *c, const char *name, const char *value,
                    skc_obj *const **objs, size_t *n);

static inline sk_mp_view skc_obj_view(const skc_obj *o)
{
    return (sk_mp_view){o->data, o->len};
}

#endif
