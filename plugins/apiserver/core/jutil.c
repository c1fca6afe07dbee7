#include "jutil.h"

#include <string.h>

json_t *sk_jget(const json_t *obj, const char *path)
{
    const json_t *cur = obj;
    while (cur && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (!json_is_object(cur))
            return NULL;
        cur = json_object_getn(cur, path, n);
        path += n + (dot ? 1 : 0);
    }
    return (json_t *)cur;
}

const char *sk_jstr(const json_t *obj, const char *path)
{
    return json_string_value(sk_jget(obj, path));
}

int64_t sk_jint(const json_t *obj, const char *path, int64_t def)
{
    json_t *v = sk_jget(obj, path);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : def;
}

bool sk_jbool(const json_t *obj, const char *path, bool def)
{
    json_t *v = sk_jget(obj, path);
    return json_is_boolean(v) ? json_is_true(v) : def;
}

json_t *sk_jobj(json_t *obj, const char *path)
{
    json_t *cur = obj;
    while (cur && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        json_t *next = json_object_getn(cur, path, n);
        if (!json_is_object(next)) {
            next = json_object();
            if (!next || json_object_setn_new(cur, path, n, next))
                return NULL;
        }
        cur = next;
        path += n + (dot ? 1 : 0);
    }
    return cur;
}

void sk_jdefault(json_t *obj, const char *key, json_t *v)
{
    json_t *cur = json_object_get(obj, key);
    if (!json_is_object(obj) || (cur && !json_is_null(cur))) {
        json_decref(v);
        return;
    }
    json_object_set_new(obj, key, v);
}

bool sk_jequal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b) &&
               (!json_is_integer(a) || !json_is_integer(b) ||
                json_integer_value(a) == json_integer_value(b));
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!sk_jequal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        const char *k;
        size_t kl;
        json_t *v;
        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_keylen_foreach((json_t *)a, k, kl, v)
        {
            json_t *w = json_object_getn(b, k, kl);
            if (!w || !sk_jequal(v, w))
                return false;
        }
        return true;
    }
    return json_equal(a, b);
}
