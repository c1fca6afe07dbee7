/* The informer cache and its indexes. An index maps "name\x1fvalue" to a
 * bucket (array) of objects; an object is in every bucket its current bytes
 * yield, and removed from the same buckets by recomputing them from those
 * (immutable) bytes, so no per-object bookkeeping is needed. */
#include "cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiff/errors.h"
#include "skiff/informer.h"

typedef struct skc_bucket {
    skc_obj **v;
    size_t n, cap;
} skc_bucket;

int skc_cache_init(skc_cache *c)
{
    *c = (skc_cache){0};
    skc_map_init(&c->objs);
    skc_map_init(&c->buckets);
    int rc = skc_cache_add_index(c, SK_INDEX_NAMESPACE, "metadata.namespace");
    if (!rc)
        rc = skc_cache_add_index(c, SK_INDEX_UID, "metadata.uid");
    if (!rc)
        rc = skc_cache_add_index(c, SK_INDEX_OWNER, NULL);
    if (rc)
        skc_cache_free(c);
    return rc;
}

void skc_obj_free(skc_obj *o)
{
    if (!o)
        return;
    free(o->data);
    free(o->rv);
    free(o);
}

void skc_cache_free(skc_cache *c)
{
    skc_map_iter it = {0};
    void *v;
    while (skc_map_next(&c->objs, &it, NULL, &v))
        skc_obj_free(v);
    skc_map_free(&c->objs);
    it = (skc_map_iter){0};
    while (skc_map_next(&c->buckets, &it, NULL, &v)) {
        skc_bucket *b = v;
        free(b->v);
        free(b);
    }
    skc_map_free(&c->buckets);
    for (size_t i = 0; i < c->nidx; i++) {
        free(c->idx[i].name);
        free(c->idx[i].path);
    }
    c->nidx = 0;
}

int skc_cache_add_index(skc_cache *c, const char *name, const char *path)
{
    if (c->nidx >= SKC_CACHE_MAX_INDEXES)
        return -ENOSPC;
    for (size_t i = 0; i < c->nidx; i++)
        if (strcmp(c->idx[i].name, name) == 0)
            return SK_EEXISTS;
    skc_index *x = &c->idx[c->nidx];
    x->name = strdup(name);
    x->path = path ? strdup(path) : NULL;
    if (!x->name || (path && !x->path)) {
        free(x->name);
        free(x->path);
        return -ENOMEM;
    }
    c->nidx++;
    return 0;
}

typedef int (*value_fn)(skc_cache *c, const char *bkey, skc_obj *o);

static int bucket_add(skc_cache *c, const char *bkey, skc_obj *o)
{
    skc_bucket *b = skc_map_get(&c->buckets, bkey);
    if (!b) {
        b = calloc(1, sizeof(*b));
        if (!b || skc_map_put(&c->buckets, bkey, b, NULL)) {
            free(b);
            return -ENOMEM;
        }
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        skc_obj **v = realloc(b->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = o;
    return 0;
}

static int bucket_del(skc_cache *c, const char *bkey, skc_obj *o)
{
    skc_bucket *b = skc_map_get(&c->buckets, bkey);
    for (size_t i = 0; b && i < b->n; i++) {
        if (b->v[i] == o) {
            b->v[i] = b->v[--b->n];
            break;
        }
    }
    if (b && !b->n) {
        (void)skc_map_del(&c->buckets, bkey);
        free(b->v);
        free(b);
    }
    return 0;
}

static int emit(skc_cache *c, const skc_index *x, sk_mp_view v, skc_obj *o, value_fn fn)
{
    const char *s;
    size_t n;
    char bkey[640];
    if (sk_mp_get_str(v, &s, &n) || n == 0)
        return 0;
    int len = snprintf(bkey, sizeof bkey, "%s\x1f%.*s", x->name, (int)n, s);
    if (len < 0 || (size_t)len >= sizeof bkey || memchr(s, 0, n))
        return 0; /* longer than any valid name: simply not indexed */
    return fn(c, bkey, o);
}

/* Calls fn for every bucket o belongs to; stops at the first error. */
static int each_bucket(skc_cache *c, skc_obj *o, value_fn fn)
{
    sk_mp_view obj = skc_obj_view(o), v;
    for (size_t i = 0; i < c->nidx; i++) {
        const skc_index *x = &c->idx[i];
        int rc = 0;
        if (x->path) {
            if (sk_mp_find(obj, x->path, &v) == 0)
                rc = emit(c, x, v, o, fn);
        } else if (sk_mp_find(obj, "metadata.ownerReferences", &v) == 0) {
            sk_mp_iter it;
            sk_mp_view ref, uid;
            if (sk_mp_iter_init(v, &it, NULL) == 0)
                while (!rc && sk_mp_iter_next(&it, NULL, &ref) == 1)
                    if (sk_mp_find(ref, "uid", &uid) == 0)
                        rc = emit(c, x, uid, o, fn);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static void unindex(skc_cache *c, skc_obj *o)
{
    (void)each_bucket(c, o, bucket_del);
}

static skc_obj *obj_new(const char *key, sk_mp_view v)
{
    size_t kl = strlen(key) + 1;
    skc_obj *o = calloc(1, sizeof(*o) + kl);
    if (!o)
        return NULL;
    memcpy(o->key, key, kl);
    o->data = malloc(v.len ? v.len : 1);
    char rv[64] = "";
    sk_mp_view view = {v.p, v.len};
    (void)sk_mp_find_str(view, "metadata.resourceVersion", rv, sizeof rv);
    o->rv = strdup(rv);
    if (!o->data || !o->rv) {
        skc_obj_free(o);
        return NULL;
    }
    memcpy(o->data, v.p, v.len);
    o->len = v.len;
    return o;
}

int skc_cache_put(skc_cache *c, const char *key, sk_mp_view obj, skc_obj **out, skc_obj **old)
{
    *old = NULL;
    if (out)
        *out = NULL;
    if (sk_mp_type_of(obj) != SK_MP_MAP)
        return SK_EBADMSG;
    skc_obj *o = obj_new(key, obj);
    if (!o)
        return -ENOMEM;
    int rc = each_bucket(c, o, bucket_add);
    void *prev = NULL;
    if (!rc)
        rc = skc_map_put(&c->objs, o->key, o, &prev);
    if (rc) {
        unindex(c, o);
        skc_obj_free(o);
        return rc;
    }
    if (prev)
        unindex(c, prev);
    *old = prev;
    if (out)
        *out = o;
    return 0;
}

skc_obj *skc_cache_del(skc_cache *c, const char *key)
{
    skc_obj *o = skc_map_del(&c->objs, key);
    if (o)
        unindex(c, o);
    return o;
}

skc_obj *skc_cache_get(const skc_cache *c, const char *key)
{
    return skc_map_get(&c->objs, key);
}

int skc_cache_index(const skc_cache *c, const char *name, const char *value,
                    skc_obj *const **objs, size_t *n)
{
    *objs = NULL;
    *n = 0;
    size_t i = 0;
    while (i < c->nidx && strcmp(c->idx[i].name, name) != 0)
        i++;
    if (i == c->nidx)
        return SK_ENOTFOUND;
    char bkey[640];
    int len = snprintf(bkey, sizeof bkey, "%s\x1f%s", name, value ? value : "");
    if (len < 0 || (size_t)len >= sizeof bkey)
        return 0;
    skc_bucket *b = skc_map_get(&c->buckets, bkey);
    if (b) {
        *objs = b->v;
        *n = b->n;
    }
    return 0;
}
