/* Read access to an informer's cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "informer_int.h"
#include "skiff/errors.h"

int sk_informer_get_key(const sk_informer *inf, const char *key, sk_mp_view *out)
{
    skc_obj *o = inf && key ? skc_cache_get(&inf->cache, key) : NULL;
    if (!o)
        return SK_ENOTFOUND;
    *out = skc_obj_view(o);
    return 0;
}

int sk_informer_get(const sk_informer *inf, const char *namespace_, const char *name,
                    sk_mp_view *out)
{
    char key[600];
    int n = namespace_ && *namespace_ ? snprintf(key, sizeof key, "%s/%s", namespace_, name)
                                      : snprintf(key, sizeof key, "%s", name ? name : "");
    if (n < 0 || (size_t)n >= sizeof key)
        return SK_ENOTFOUND;
    return sk_informer_get_key(inf, key, out);
}

static int list_all(const sk_informer *inf, sk_mp_view **items, size_t *n)
{
    size_t len = inf->cache.objs.len;
    if (!len)
        return 0;
    sk_mp_view *v = malloc(len * sizeof(*v));
    if (!v)
        return -ENOMEM;
    skc_map_iter it = {0};
    void *o;
    size_t i = 0;
    while (i < len && skc_map_next(&inf->cache.objs, &it, NULL, &o))
        v[i++] = skc_obj_view(o);
    *items = v;
    *n = i;
    return 0;
}

int sk_informer_list(const sk_informer *inf, const char *index, const char *value,
                     sk_mp_view **items, size_t *n)
{
    *items = NULL;
    *n = 0;
    if (!inf)
        return -EINVAL;
    if (!index)
        return list_all(inf, items, n);
    skc_obj *const *objs;
    size_t cnt;
    int rc = skc_cache_index(&inf->cache, index, value, &objs, &cnt);
    if (rc || !cnt)
        return rc;
    sk_mp_view *v = malloc(cnt * sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < cnt; i++)
        v[i] = skc_obj_view(objs[i]);
    *items = v;
    *n = cnt;
    return 0;
}
