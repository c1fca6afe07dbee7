/* Lists and watch events into the cache, and the handler calls. A relist
 * delivers only real differences: new keys (add), keys whose
 * resourceVersion changed (update), keys gone from the list (delete). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "informer_int.h"
#include "skiff/errors.h"

static void call_add(sk_informer *inf, sk_mp_view obj)
{
    for (size_t i = 0; i < inf->nh; i++)
        if (inf->h[i].on_add)
            inf->h[i].on_add(inf->h[i].arg, obj);
}

static void call_update(sk_informer *inf, sk_mp_view old, sk_mp_view cur)
{
    for (size_t i = 0; i < inf->nh; i++)
        if (inf->h[i].on_update)
            inf->h[i].on_update(inf->h[i].arg, old, cur);
}

static void call_delete(sk_informer *inf, sk_mp_view obj)
{
    for (size_t i = 0; i < inf->nh; i++)
        if (inf->h[i].on_delete)
            inf->h[i].on_delete(inf->h[i].arg, obj);
}

static void set_rv(sk_informer *inf, sk_mp_view v)
{
    char rv[sizeof inf->rv];
    if (sk_mp_find_str(v, "metadata.resourceVersion", rv, sizeof rv) == 0 && *rv)
        memcpy(inf->rv, rv, sizeof rv);
}

/* Adds or updates one object; unchanged resourceVersions are no events. */
static int upsert(sk_informer *inf, sk_mp_view obj)
{
    char key[600], rv[64] = "";
    int rc = sk_object_key(obj, key, sizeof key);
    if (rc)
        return rc;
    (void)sk_mp_find_str(obj, "metadata.resourceVersion", rv, sizeof rv);
    skc_obj *cur = skc_cache_get(&inf->cache, key), *old = NULL, *now = NULL;
    if (cur && *rv && strcmp(cur->rv, rv) == 0)
        return 0;
    rc = skc_cache_put(&inf->cache, key, obj, &now, &old);
    if (rc)
        return rc;
    if (old)
        call_update(inf, skc_obj_view(old), skc_obj_view(now));
    else
        call_add(inf, skc_obj_view(now));
    skc_obj_free(old);
    return 0;
}

static int remove_key(sk_informer *inf, const char *key, const sk_mp_view *final)
{
    skc_obj *o = skc_cache_del(&inf->cache, key);
    if (!o)
        return 0;
    call_delete(inf, final ? *final : skc_obj_view(o));
    skc_obj_free(o);
    return 0;
}

/* Deletes every cached key not in seen. */
static void drop_vanished(sk_informer *inf, const skc_map *seen)
{
    skc_map_iter it = {0};
    const char *key;
    void *v;
    while (skc_map_next(&inf->cache.objs, &it, &key, &v))
        if (!skc_map_get(seen, key))
            (void)remove_key(inf, ((skc_obj *)v)->key, NULL);
}

static int mark_seen(skc_map *seen, sk_mp_view obj)
{
    char key[600];
    if (sk_object_key(obj, key, sizeof key))
        return 0; /* unnamed items cannot be cached; upsert skips them too */
    return skc_map_put(seen, key, (void *)1, NULL);
}

int skc_inf_apply_list(sk_informer *inf, const void *data, size_t len)
{
    sk_mp_view root, items, item;
    sk_mp_iter it;
    static const uint8_t empty_array = 0x90;
    if (sk_mp_check(data, len, SK_MP_MAX_DEPTH, &root) || sk_mp_type_of(root) != SK_MP_MAP)
        return SK_EBADMSG;
    /* "items": null (or absent) is an empty list, as Go clients read it */
    if (sk_mp_find(root, "items", &items) || sk_mp_type_of(items) == SK_MP_NIL)
        items = (sk_mp_view){&empty_array, 1};
    if (sk_mp_iter_init(items, &it, NULL))
        return SK_EBADMSG;
    /* First pass: every key of the new list, so nothing is touched when
     * the answer turns out to be malformed or memory runs out. */
    skc_map seen;
    skc_map_init(&seen);
    int rc = 0, more;
    while (!rc && (more = sk_mp_iter_next(&it, NULL, &item)) == 1)
        rc = mark_seen(&seen, item);
    if (!rc && more < 0)
        rc = SK_EBADMSG;
    if (rc) {
        skc_map_free(&seen);
        return rc;
    }
    (void)sk_mp_iter_init(items, &it, NULL);
    while (sk_mp_iter_next(&it, NULL, &item) == 1)
        (void)upsert(inf, item); /* a bad item is skipped, not fatal */
    drop_vanished(inf, &seen);
    skc_map_free(&seen);
    char rv[sizeof inf->rv] = "";
    if (sk_mp_find_str(root, "metadata.resourceVersion", rv, sizeof rv) == 0 && *rv)
        memcpy(inf->rv, rv, sizeof rv);
    inf->synced = true;
    for (size_t i = 0; i < inf->nh; i++)
        if (inf->h[i].on_synced)
            inf->h[i].on_synced(inf->h[i].arg);
    return 0;
}

static int event_gone(sk_mp_view obj)
{
    sk_mp_view code;
    int64_t c = 0;
    if (sk_mp_find(obj, "code", &code) == 0 && sk_mp_get_int(code, &c) == 0 && c == 410)
        return SK_ECOMPACTED;
    return SK_EBADMSG;
}

int skc_inf_apply_event(sk_informer *inf, const void *data, size_t len)
{
    sk_mp_view ev, type, obj;
    if (sk_mp_check(data, len, SK_MP_MAX_DEPTH, &ev) || sk_mp_find(ev, "type", &type) ||
        sk_mp_find(ev, "object", &obj))
        return SK_EBADMSG;
    if (sk_mp_str_eq(type, "ERROR"))
        return event_gone(obj);
    if (sk_mp_type_of(obj) != SK_MP_MAP)
        return SK_EBADMSG;
    int rc = 0;
    if (sk_mp_str_eq(type, "ADDED") || sk_mp_str_eq(type, "MODIFIED")) {
        rc = upsert(inf, obj);
    } else if (sk_mp_str_eq(type, "DELETED")) {
        char key[600];
        rc = sk_object_key(obj, key, sizeof key);
        if (!rc)
            rc = remove_key(inf, key, &obj);
    } else if (!sk_mp_str_eq(type, "BOOKMARK")) {
        return SK_EBADMSG;
    }
    if (!rc)
        set_rv(inf, obj);
    inf->backoff_ms = 0;
    return rc;
}
