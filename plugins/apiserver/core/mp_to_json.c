/* msgpack -> jansson tree. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/errors.h>

#include "base64.h"
#include "field_path.h"
#include "json_mp.h"

typedef struct m2j {
    const sk_conv_limits *lim;
    sk_fpath path;
    sk_apierr *err;
} m2j;

static int m2j_value(m2j *c, sk_mp_view v, int depth, json_t **out);

static int m2j_bad(m2j *c, const char *what)
{
    return sk_apierr_set(c->err, SK_EBADMSG, "%s at %s", what, sk_fpath_str(&c->path));
}

static int m2j_nomem(m2j *c)
{
    return sk_apierr_set(c->err, -ENOMEM, "out of memory at %s", sk_fpath_str(&c->path));
}

static int m2j_map(m2j *c, sk_mp_view v, int depth, json_t **out)
{
    sk_mp_iter it;
    sk_mp_view k, val;
    int rc = sk_mp_iter_init(v, &it, NULL);
    json_t *obj = json_object();
    if (!obj)
        return m2j_nomem(c);
    if (rc)
        rc = m2j_bad(c, "malformed map");
    while (rc == 0 && (rc = sk_mp_iter_next(&it, &k, &val)) != 0) {
        if (rc < 0) {
            rc = m2j_bad(c, "malformed map");
            break;
        }
        const char *ks;
        size_t kn;
        if (sk_mp_get_str(k, &ks, &kn)) {
            rc = m2j_bad(c, "map key is not a string");
            break;
        }
        /* the path only labels errors: a bounded copy of the key will do */
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(kn < sizeof key ? kn : sizeof key - 1), ks);
        size_t mark = sk_fpath_child(&c->path, key);
        json_t *child = NULL;
        if (json_object_getn(obj, ks, kn))
            rc = m2j_bad(c, "duplicate map key");
        else
            rc = m2j_value(c, val, depth + 1, &child);
        if (rc == 0 && json_object_setn_new(obj, ks, kn, child))
            rc = m2j_bad(c, "map key is not valid UTF-8");
        sk_fpath_restore(&c->path, mark);
    }
    if (rc < 0) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

static int m2j_array(m2j *c, sk_mp_view v, int depth, json_t **out)
{
    sk_mp_iter it;
    sk_mp_view val;
    int rc = sk_mp_iter_init(v, &it, NULL);
    json_t *arr = json_array();
    if (!arr)
        return m2j_nomem(c);
    if (rc)
        rc = m2j_bad(c, "malformed array");
    for (size_t i = 0; rc == 0 && (rc = sk_mp_iter_next(&it, NULL, &val)) != 0; i++) {
        if (rc < 0) {
            rc = m2j_bad(c, "malformed array");
            break;
        }
        size_t mark = sk_fpath_index(&c->path, i);
        json_t *child = NULL;
        rc = m2j_value(c, val, depth + 1, &child);
        if (rc == 0 && json_array_append_new(arr, child))
            rc = m2j_nomem(c);
        sk_fpath_restore(&c->path, mark);
    }
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

static int m2j_bin(m2j *c, sk_mp_view v, json_t **out)
{
    const void *p;
    size_t n;
    if (sk_mp_get_bin(v, &p, &n))
        return m2j_bad(c, "malformed bin");
    char *s = malloc(sk_base64_len(n) + 1);
    if (!s)
        return m2j_nomem(c);
    sk_base64_encode(p, n, s);
    *out = json_string_nocheck(s);
    free(s);
    return *out ? 0 : m2j_nomem(c);
}

static int m2j_scalar(m2j *c, sk_mp_view v, json_t **out)
{
    bool b;
    int64_t i;
    uint64_t u;
    double d;
    const char *s;
    size_t n;
    switch (sk_mp_type_of(v)) {
    case SK_MP_NIL:
        *out = json_null();
        return 0;
    case SK_MP_BOOL:
        if (sk_mp_get_bool(v, &b))
            return m2j_bad(c, "malformed bool");
        *out = json_boolean(b);
        return 0;
    case SK_MP_UINT:
        if (sk_mp_get_uint(v, &u))
            return m2j_bad(c, "malformed integer");
        if (u > INT64_MAX)
            return sk_apierr_set(c->err, SK_ETOOLARGE,
                                 "integer %llu at %s is above the int64 range",
                                 (unsigned long long)u, sk_fpath_str(&c->path));
        *out = json_integer((json_int_t)u);
        break;
    case SK_MP_INT:
        if (sk_mp_get_int(v, &i))
            return m2j_bad(c, "malformed integer");
        *out = json_integer((json_int_t)i);
        break;
    case SK_MP_FLOAT:
        if (sk_mp_get_double(v, &d))
            return m2j_bad(c, "malformed float");
        if (!isfinite(d))
            return m2j_bad(c, "NaN or infinity (not representable in JSON)");
        *out = json_real(d);
        break;
    case SK_MP_STR:
        if (sk_mp_get_str(v, &s, &n))
            return m2j_bad(c, "malformed string");
        *out = json_stringn(s, n);
        if (!*out)
            return m2j_bad(c, "string is not valid UTF-8");
        return 0;
    case SK_MP_BIN:
        return m2j_bin(c, v, out);
    default:
        return m2j_bad(c, "msgpack ext or invalid type (no JSON equivalent)");
    }
    return *out ? 0 : m2j_nomem(c);
}

static int m2j_value(m2j *c, sk_mp_view v, int depth, json_t **out)
{
    sk_mp_type t = sk_mp_type_of(v);
    if (t != SK_MP_MAP && t != SK_MP_ARRAY)
        return m2j_scalar(c, v, out);
    if (depth >= c->lim->max_depth)
        return sk_apierr_set(c->err, SK_ETOOLARGE, "nesting deeper than %d at %s",
                             c->lim->max_depth, sk_fpath_str(&c->path));
    return t == SK_MP_MAP ? m2j_map(c, v, depth, out) : m2j_array(c, v, depth, out);
}

int sk_mp_to_json(const void *buf, size_t len, const sk_conv_limits *lim, json_t **out,
                  sk_apierr *err)
{
    m2j c = {.lim = lim ? lim : &sk_conv_default_limits, .err = err};
    sk_mp_view v;
    if (!buf || !out)
        return sk_apierr_set(err, -EINVAL, "mp_to_json: NULL argument");
    *out = NULL;
    /* sk_mp_check bounds the walk; our own depth count gives the message. */
    if (sk_mp_check(buf, len, c.lim->max_depth + 1, &v))
        return sk_apierr_set(err, SK_EBADMSG,
                             "malformed msgpack (truncated, trailing bytes or nesting deeper "
                             "than %d)",
                             c.lim->max_depth);
    sk_fpath_init(&c.path, NULL);
    return m2j_value(&c, v, 0, out);
}
